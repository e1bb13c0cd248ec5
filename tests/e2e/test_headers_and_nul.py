"""Requests Stripe refuses and a stand-in must not quietly serve: an API version Stripe never
released, a `Stripe-Account` the key cannot act for, strings with a NUL in them."""

from __future__ import annotations

import base64
import socket
from typing import Any

import httpx
import orjson
import pytest
import stripe

from payintents.domain.versions import KNOWN
from payintents.keys import account_for
from tests.conftest import error, make_client, new_key, publishable
from tests.http_client import HTTP
from tests.server import ServerProcess


def call(
    server: ServerProcess,
    key: str,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    return HTTP.request(
        method,
        server.url + path,
        content=body,
        headers={
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/x-www-form-urlencoded",
            **(headers or {}),
        },
        timeout=30,
    )


def body_of(err: stripe.StripeError) -> dict[str, Any]:
    return dict(err.json_body["error"])


def intents(server: ServerProcess, key: str) -> list[str]:
    resp = call(server, key, "GET", "/v1/payment_intents?limit=100")
    return [pi["id"] for pi in resp.json()["data"]]


# -- Stripe-Version -----------------------------------------------------------------------------

UNRELEASED = [
    "2099-01-01",  # the future
    "2024-04-11",  # a well-formed date on which Stripe released nothing
    "2025-03-31",  # basil's date without its name
    "2024-04-10.basil",  # a release with another's name
    "2026-10-28.dahlia",
    "2026-10-28.endive; fake_beta=v1",
]


@pytest.mark.parametrize("version", UNRELEASED)
def test_a_version_stripe_never_released_is_refused(server: ServerProcess, version: str) -> None:
    key = new_key()
    client = make_client(server, key, version)
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.payment_intents.create(params={"amount": 500, "currency": "usd"})
    assert refused.value.http_status == 400
    assert refused.value.headers["stripe-should-retry"] == "false"
    assert body_of(refused.value) == {
        "message": f"Invalid Stripe API version: {version}",
        "type": "invalid_request_error",
    }
    assert intents(server, key) == []
    # Stripe.js's `_stripe_version` is the same header.
    pi = make_client(server, key).v1.payment_intents.create(
        params={"amount": 500, "currency": "usd"}
    )
    resp = HTTP.get(
        f"{server.url}/v1/payment_intents/{pi.id}",
        params={"key": publishable(key), "client_secret": pi.client_secret,
                "_stripe_version": version},
    )  # fmt: skip
    assert resp.status_code == 400
    assert error(resp) == {
        "message": f"Invalid Stripe API version: {version}",
        "type": "invalid_request_error",
    }
    # So is a webhook endpoint's api_version.
    with pytest.raises(stripe.InvalidRequestError) as refused:
        make_client(server, key).v1.webhook_endpoints.create(
            params={"url": "https://shop.example/hook", "enabled_events": ["*"],
                    "api_version": version},
        )  # fmt: skip
    assert (refused.value.param, refused.value.user_message) == (
        "api_version",
        f"Invalid Stripe API version: {version}",
    )


def test_every_released_version_is_served(server: ServerProcess) -> None:
    key = new_key()
    assert len(KNOWN) == 129
    for version in sorted(KNOWN):
        resp = call(server, key, "GET", "/v1/payment_intents", headers={"Stripe-Version": version})
        assert (resp.status_code, resp.headers["stripe-version"]) == (200, version)
    pi = make_client(server, key, "2025-03-31.basil").v1.payment_intents.create(
        params={"amount": 500, "currency": "usd"}
    )
    assert pi.last_response.headers["stripe-version"] == "2025-03-31.basil"


# -- Stripe-Account -----------------------------------------------------------------------------


def account_invalid(key: str, account: str) -> dict[str, str]:
    shown = key[:8] + "*" * (len(key) - 12) + key[-4:]
    return {
        "code": "account_invalid",
        "doc_url": "https://stripe.com/docs/error-codes/account-invalid",
        "message": f"The provided key '{shown}' does not have access to account '{account}' (or "
        "that account does not exist). Application access may have been revoked.",
        "type": "invalid_request_error",
    }


def test_stripe_account_the_key_cannot_act_for_is_refused(server: ServerProcess) -> None:
    """An SDK call made for a connected account never acts on the platform's own account:
    there are no connected accounts here, so it is refused as Stripe refuses an account the
    key has no access to."""
    key = new_key()
    platform = make_client(server, key)
    mine = platform.v1.payment_intents.create(params={"amount": 700, "currency": "usd"})
    connected = stripe.StripeClient(
        api_key=key,
        base_addresses={"api": server.url},
        stripe_account="acct_1ConnectedShop",
        max_network_retries=0,
    )
    with pytest.raises(stripe.PermissionError) as refused:
        connected.v1.payment_intents.create(params={"amount": 700, "currency": "usd"})
    assert refused.value.http_status == 403
    assert refused.value.headers["stripe-should-retry"] == "false"
    assert body_of(refused.value) == account_invalid(key, "acct_1ConnectedShop")
    assert intents(server, key) == [mine.id]
    # A read is refused the same way, not answered from the platform's objects.
    for call_for_account in (
        lambda: connected.v1.payment_intents.retrieve(mine.id),
        lambda: connected.v1.payment_intents.list(),
        lambda: platform.v1.payment_intents.retrieve(
            mine.id, options={"stripe_account": "acct_1Other"}
        ),
        lambda: platform.v1.payment_intents.cancel(
            mine.id, options={"stripe_account": "acct_1Other"}
        ),
    ):
        with pytest.raises(stripe.PermissionError) as refused:
            call_for_account()
        assert refused.value.error.code == "account_invalid"
    assert platform.v1.payment_intents.retrieve(mine.id).status == "requires_payment_method"
    # Naming the key's own account is acting for it.
    own = account_for(key.removeprefix("sk_test_"))
    also_mine = platform.v1.payment_intents.retrieve(mine.id, options={"stripe_account": own})
    assert also_mine.id == mine.id
    # Stripe.js names the account with `_stripe_account`.
    resp = HTTP.get(
        f"{server.url}/v1/payment_intents/{mine.id}",
        params={"key": publishable(key), "client_secret": mine.client_secret,
                "_stripe_account": "acct_1ConnectedShop"},
    )  # fmt: skip
    assert resp.status_code == 403
    assert error(resp) == account_invalid(publishable(key), "acct_1ConnectedShop")
    resp = call(server, key, "GET", "/v1/payment_intents", headers={"Stripe-Account": ""})
    assert error(resp) == account_invalid(key, "")


# -- NUL ----------------------------------------------------------------------------------------


def null_byte(param: str) -> dict[str, str]:
    return {
        "message": f"Invalid string: {param} contains a null byte (\\0); strings may not contain "
        "null bytes.",
        "param": param,
        "type": "invalid_request_error",
    }


def test_strings_with_a_null_byte_are_refused(server: ServerProcess) -> None:
    key = new_key()
    client = make_client(server, key)
    pi = client.v1.payment_intents.create(params={"amount": 800, "currency": "usd"})
    customer = client.v1.customers.create()
    before = (intents(server, key), client.v1.events.list().data)
    create = b"amount=800&currency=usd&"
    for method, path, body, param in [
        ("POST", "/v1/payment_intents", create + b"description=a%00b", "description"),
        ("POST", "/v1/payment_intents", create + b"metadata[k]=%00", "metadata[k]"),
        ("POST", "/v1/payment_intents", create + b"metadata[a%00]=v", "metadata[a\x00]"),
        ("POST", f"/v1/payment_intents/{pi.id}", b"description=x%00", "description"),
        ("POST", "/v1/payment_intents/pi_%00x", b"description=x", "intent"),
        ("GET", "/v1/payment_intents/pi_%00", None, "intent"),
        ("POST", "/v1/customers/cus_1%00/cash_balance", b"", "customer"),
        ("GET", "/v1/payment_intents?limit=1%00", None, "limit"),
        ("GET", f"/v1/customers/{customer.id}?expand[]=%00", None, "expand[]"),
        ("POST", "/v1/customers", b"email=jenny%00@example.com", "email"),
    ]:  # fmt: skip
        resp = call(server, key, method, path, body)
        assert resp.status_code == 400, (path, body)
        assert resp.headers["stripe-should-retry"] == "false"
        assert error(resp) == null_byte(param), (path, body)
    # The SDK sends one as %00.
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.payment_intents.update(pi.id, params={"metadata": {"note": "a\x00b"}})
    assert body_of(refused.value) == null_byte("metadata[note]")
    assert (intents(server, key), client.v1.events.list().data) == before
    assert client.v1.payment_intents.retrieve(pi.id).metadata.to_dict() == {}
    assert client.v1.customers.list().data[0].email is None


def test_a_key_with_a_null_byte_is_refused(server: ServerProcess) -> None:
    key = new_key()
    pi = make_client(server, key).v1.payment_intents.create(
        params={"amount": 800, "currency": "usd"}
    )
    # In the Authorization header (curl -u): no such key.
    bad = key[:12] + "\x00" + key[12:]
    basic = base64.b64encode(f"{bad}:".encode()).decode()
    resp = HTTP.get(f"{server.url}/v1/payment_intents", headers={"Authorization": f"Basic {basic}"})
    assert resp.status_code == 401
    assert error(resp) == {
        "message": f"Invalid API Key provided: {bad[:8]}{'*' * (len(bad) - 12)}{bad[-4:]}",
        "type": "invalid_request_error",
    }
    # As Stripe.js's `key` parameter: a string with a NUL, named.
    resp = HTTP.get(
        f"{server.url}/v1/payment_intents/{pi.id}",
        params={"key": publishable(key) + "\x00", "client_secret": pi.client_secret},
    )
    assert resp.status_code == 400
    assert error(resp) == null_byte("key")


def test_a_header_with_a_null_byte_is_refused_by_the_http_parser(server: ServerProcess) -> None:
    key = new_key()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(
            b"POST /v1/payment_intents HTTP/1.1\r\nHost: x\r\n"
            + f"Authorization: Bearer {key}\r\n".encode()
            + b"Stripe-Account: acct_1\x00x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 23\r\n\r\namount=800&currency=usd"
        )
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"stripe-should-retry: false" in head
    assert orjson.loads(body)["error"]["message"] == (
        "Invalid request: the HTTP request could not be parsed."
    )
    assert intents(server, key) == []
