"""/v1/webhook_endpoints through the official SDK: the object, its secret, and errors."""

from __future__ import annotations

import re

import pytest
import stripe

from tests.conftest import make_client
from tests.server import ServerProcess

URL = "https://shop.test/stripe/webhooks"


def create(client: stripe.StripeClient, **params) -> stripe.WebhookEndpoint:
    return client.v1.webhook_endpoints.create(
        params={"url": URL, "enabled_events": ["payment_intent.succeeded"], **params}
    )


def test_create_shows_the_secret_once(client: stripe.StripeClient) -> None:
    endpoint = create(client, description="orders", metadata={"team": "payments"})
    assert re.fullmatch(r"we_\w{24}", endpoint.id)
    assert re.fullmatch(r"whsec_[A-Za-z0-9]{32}", endpoint.secret)
    shown = endpoint.to_dict()
    assert shown == {
        "id": endpoint.id,
        "object": "webhook_endpoint",
        "api_version": None,
        "application": None,
        "created": endpoint.created,
        "description": "orders",
        "enabled_events": ["payment_intent.succeeded"],
        "livemode": False,
        "metadata": {"team": "payments"},
        "secret": endpoint.secret,
        "status": "enabled",
        "url": URL,
    }
    again = client.v1.webhook_endpoints.retrieve(endpoint.id).to_dict()
    assert again == {k: v for k, v in shown.items() if k != "secret"}
    listed = client.v1.webhook_endpoints.list().data
    assert [e.id for e in listed] == [endpoint.id] and "secret" not in listed[0]


def test_update_and_delete(client: stripe.StripeClient) -> None:
    endpoint = create(client, metadata={"a": "1", "b": "2"}, api_version="2024-06-20")
    assert endpoint.api_version == "2024-06-20"
    updated = client.v1.webhook_endpoints.update(
        endpoint.id,
        params={
            "url": "https://shop.test/v2/hooks",
            "enabled_events": ["charge.succeeded", "charge.failed"],
            "description": "v2",
            "metadata": {"a": "", "c": "3"},
            "disabled": True,
        },
    )
    assert updated.url == "https://shop.test/v2/hooks"
    assert updated.enabled_events == ["charge.succeeded", "charge.failed"]
    assert updated.metadata.to_dict() == {"b": "2", "c": "3"}
    assert (updated.status, updated.description) == ("disabled", "v2")
    assert (
        client.v1.webhook_endpoints.update(
            endpoint.id, params={"disabled": False, "description": ""}
        ).to_dict()["description"]
        is None
    )
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.webhook_endpoints.update(endpoint.id, params={"api_version": "2025-03-31.basil"})
    assert err.value.code == "parameter_unknown"
    deleted = client.v1.webhook_endpoints.delete(endpoint.id)
    assert deleted.to_dict() == {"id": endpoint.id, "object": "webhook_endpoint", "deleted": True}
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.webhook_endpoints.retrieve(endpoint.id)
    assert err.value.http_status == 404 and err.value.code == "resource_missing"
    assert err.value.user_message == f"No such webhook endpoint: '{endpoint.id}'"
    assert client.v1.webhook_endpoints.list().data == []


def test_validation(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as err:
        create(client, enabled_events=["payment_intent.succeeded", "invented.created"])
    assert err.value.param == "enabled_events[1]"
    assert err.value.user_message.startswith(
        "Invalid enabled_events[1]: must be one of account.application.authorized, "
    )
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.webhook_endpoints.create(params={"url": URL})
    assert err.value.code == "parameter_missing" and err.value.param == "enabled_events"
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.webhook_endpoints.create(params={"enabled_events": ["*"]})
    assert err.value.param == "url"
    for bad in ("not a url", "ftp://shop.test/x", "https://", "http://shop.test:99999/"):
        with pytest.raises(stripe.InvalidRequestError) as err:
            create(client, url=bad)
        assert (err.value.param, err.value.code) == ("url", "url_invalid"), bad
    with pytest.raises(stripe.InvalidRequestError) as err:
        create(client, api_version="yesterday")
    assert err.value.param == "api_version"
    # Local receivers are fine (Stripe would refuse them; payintents runs next to them).
    assert create(client, url="http://localhost:4242/webhook").status == "enabled"
    assert create(client, enabled_events=["*"]).enabled_events == ["*"]


def test_live_mode_needs_https(server: ServerProcess) -> None:
    live = make_client(server, "sk_live_" + "ab12" * 6)
    with pytest.raises(stripe.InvalidRequestError) as err:
        create(live, url="http://shop.test/hooks")
    assert err.value.param == "url"
    assert create(live).livemode is True


def test_at_most_sixteen_per_account(client: stripe.StripeClient) -> None:
    for _ in range(16):
        create(client)
    with pytest.raises(stripe.InvalidRequestError) as err:
        create(client)
    assert "maximum of 16" in err.value.user_message
    assert len(list(client.v1.webhook_endpoints.list().auto_paging_iter())) == 16


def test_accounts_are_isolated(server: ServerProcess, client: stripe.StripeClient) -> None:
    endpoint = create(client)
    other = make_client(server)
    with pytest.raises(stripe.InvalidRequestError):
        other.v1.webhook_endpoints.retrieve(endpoint.id)
    with pytest.raises(stripe.InvalidRequestError):
        other.v1.webhook_endpoints.delete(endpoint.id)
    assert other.v1.webhook_endpoints.list().data == []
