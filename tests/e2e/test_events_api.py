"""GET /v1/events and /v1/events/:id through the official SDK: filters, pagination,
snapshots and previous_attributes."""

from __future__ import annotations

import httpx
import pytest
import stripe

from tests.conftest import make_client
from tests.server import ServerProcess

CARD = {"amount": 2000, "currency": "usd", "payment_method_types": ["card"]}


def types_of(events) -> list[str]:
    return [e.type for e in events]


def everything(client: stripe.StripeClient, **params) -> list[stripe.Event]:
    return list(client.v1.events.list(params={"limit": 3, **params}).auto_paging_iter())


@pytest.fixture
def history(client: stripe.StripeClient) -> list[stripe.Event]:
    """A few flows' events, newest first: succeeded, manual capture, cancel, refund."""
    ok = client.v1.payment_intents.create(
        params={**CARD, "payment_method": "pm_card_visa", "confirm": True}
    )
    held = client.v1.payment_intents.create(
        params={**CARD, "capture_method": "manual", "payment_method": "pm_card_visa",
                "confirm": True}
    )  # fmt: skip
    client.v1.payment_intents.capture(held.id, params={"amount_to_capture": 1500})
    dropped = client.v1.payment_intents.create(params=CARD)
    client.v1.payment_intents.cancel(dropped.id)
    client.v1.refunds.create(params={"payment_intent": ok.id})
    return everything(client)


def test_newest_first_and_pagination(client: stripe.StripeClient, history) -> None:
    assert len(history) == len({e.id for e in history}) >= 12
    assert types_of(history[:2]) == ["charge.refunded", "refund.created"]
    assert history[-1].type == "payment_intent.created"
    created = [e.created for e in history]
    assert created == sorted(created, reverse=True)
    first = client.v1.events.list(params={"limit": 4})
    assert first.has_more and [e.id for e in first.data] == [e.id for e in history[:4]]
    after = client.v1.events.list(params={"limit": 4, "starting_after": history[3].id})
    assert [e.id for e in after.data] == [e.id for e in history[4:8]]
    before = client.v1.events.list(params={"limit": 2, "ending_before": history[4].id})
    assert [e.id for e in before.data] == [e.id for e in history[2:4]]
    assert before.has_more
    assert first.url == "/v1/events"


def test_type_filters(client: stripe.StripeClient, history) -> None:
    by_type = lambda pred: [e.id for e in history if pred(e.type)]  # noqa: E731
    exact = client.v1.events.list(params={"type": "payment_intent.succeeded"}).data
    assert [e.id for e in exact] == by_type(lambda t: t == "payment_intent.succeeded")
    assert len(exact) == 2
    wildcard = everything(client, type="payment_intent.*")
    assert [e.id for e in wildcard] == by_type(lambda t: t.startswith("payment_intent."))
    assert [e.id for e in everything(client, type="*.succeeded")] == by_type(
        lambda t: t.endswith(".succeeded")
    )
    assert [e.id for e in everything(client, type="*")] == [e.id for e in history]
    several = everything(client, types=["charge.captured", "refund.created", "charge.refunded"])
    assert [e.id for e in several] == by_type(
        lambda t: t in ("charge.captured", "refund.created", "charge.refunded")
    )
    assert client.v1.events.list(params={"type": "invoice.paid"}).data == []
    # Paging backwards through a several-type filter.
    ids = [e.id for e in wildcard]
    back = client.v1.events.list(
        params={"type": "payment_intent.*", "limit": 2, "ending_before": ids[-1]}
    )
    assert [e.id for e in back.data] == ids[-3:-1]


def test_filter_errors(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.events.list(params={"type": "charge.succeeded", "types": ["charge.failed"]})
    assert err.value.code == "parameters_exclusive"
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.events.list(params={"types": [f"charge.t{i}" for i in range(21)]})
    assert err.value.param == "types"
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.events.list(params={"starting_after": "evt_missing"})
    assert err.value.http_status == 404 and err.value.param == "starting_after"


def test_created_filters(client: stripe.StripeClient, history) -> None:
    newest = history[0].created
    assert len(everything(client, created={"gte": newest - 3600})) == len(history)
    assert everything(client, created={"gt": newest}) == []
    assert everything(client, created={"lt": history[-1].created}) == []
    exact = everything(client, created=newest)
    assert exact and all(e.created == newest for e in exact)


def test_snapshots_and_previous_attributes(client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(params=CARD)
    client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"})
    (created,) = client.v1.events.list(params={"type": "payment_intent.created"}).data
    # The object as it was then, not as it is now.
    assert created.data.object.status == "requires_payment_method"
    assert created.data.object.amount_received == 0
    assert "previous_attributes" not in created.data
    cus = client.v1.customers.create(params={"email": "old@example.com"})
    client.v1.customers.update(cus.id, params={"email": "new@example.com", "name": "N"})
    (updated,) = client.v1.events.list(params={"type": "customer.updated"}).data
    assert updated.data.object.email == "new@example.com"
    assert updated.data.previous_attributes.to_dict() == {"email": "old@example.com", "name": None}


def test_retrieve_request_and_isolation(server: ServerProcess, client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(params=CARD, options={"idempotency_key": "k-events-1"})
    (event,) = client.v1.events.list().data
    got = client.v1.events.retrieve(event.id)
    assert got.to_dict() == event.to_dict()
    assert got.data.object.id == pi.id
    assert got.request.idempotency_key == "k-events-1"
    assert got.request.id == pi.last_response.request_id
    assert got.pending_webhooks == 0
    with pytest.raises(stripe.InvalidRequestError) as err:
        make_client(server).v1.events.retrieve(event.id)
    assert err.value.http_status == 404
    assert err.value.user_message == f"No such event: '{event.id}'"


def test_events_need_a_secret_key(server: ServerProcess, api_key: str) -> None:
    answer = httpx.get(f"{server.url}/v1/events", auth=(api_key.replace("sk_", "pk_"), ""))
    assert answer.status_code == 403
