"""GET /v1/events and /v1/events/:id through the official SDK: filters, pagination,
snapshots and previous_attributes."""

from __future__ import annotations

import pytest
import stripe

from tests.conftest import make_client, publishable
from tests.http_client import HTTP
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
    answer = HTTP.get(f"{server.url}/v1/events", auth=(publishable(api_key), ""))
    assert answer.status_code == 403


def only_event(client: stripe.StripeClient, type: str) -> stripe.Event:
    (event,) = client.v1.events.list(params={"type": type}).data
    return event


def previous(event: stripe.Event) -> dict:
    return event.data.to_dict()["previous_attributes"]


def test_payment_method_updated_shows_what_changed(client: stripe.StripeClient) -> None:
    pm = client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034},
            "billing_details": {"name": "Ada"},
            "metadata": {"a": "1", "b": "2", "keep": "k"},
        }
    )
    client.v1.payment_methods.update(
        pm.id,
        params={
            "metadata": {"a": "9", "b": "", "c": "3"},
            "billing_details": {"email": "ada@example.com"},
            "card": {"exp_month": 1},
        },
    )
    updated = only_event(client, "payment_method.updated")
    assert updated.data.object.metadata.to_dict() == {"a": "9", "keep": "k", "c": "3"}
    # Inside a hash only the keys that changed: a removed one's old value, an added one null.
    assert previous(updated) == {
        "billing_details": {"email": None},
        "card": {"exp_month": 12},
        "metadata": {"a": "1", "b": "2", "c": None},
    }
    # An update that changes nothing is no event.
    client.v1.payment_methods.update(pm.id, params={"metadata": {"a": "9"}})
    assert len(client.v1.events.list(params={"type": "payment_method.updated"}).data) == 1


def test_customer_updated_shows_what_changed(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"metadata": {"tier": "gold", "x": "1"}})
    pm = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    client.v1.customers.update(
        customer.id,
        params={
            "invoice_settings": {"default_payment_method": pm.id},
            "metadata": {"tier": "platinum"},
        },
    )
    updated = only_event(client, "customer.updated")
    assert previous(updated) == {
        "invoice_settings": {"default_payment_method": None},
        "metadata": {"tier": "gold"},
    }
    client.v1.customers.update(customer.id, params={"metadata": {"tier": "platinum"}})
    assert len(client.v1.events.list(params={"type": "customer.updated"}).data) == 1


def test_charge_updated_shows_what_changed(client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(
        params={**CARD, "payment_method": "pm_card_visa", "confirm": True}
    )
    client.v1.charges.update(
        pi.latest_charge,
        params={"description": "Order 7", "metadata": {"order": "7"}},
    )
    updated = only_event(client, "charge.updated")
    assert updated.data.object.id == pi.latest_charge
    assert updated.data.object.description == "Order 7"
    assert previous(updated) == {"description": None, "metadata": {"order": None}}
    client.v1.charges.update(pi.latest_charge, params={"description": "Order 7"})
    assert len(client.v1.events.list(params={"type": "charge.updated"}).data) == 1


def test_incremented_authorization_updates_the_charge(client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(
        params={
            **CARD,
            "capture_method": "manual",
            "payment_method": "pm_card_visa",
            "payment_method_options": {
                "card": {"request_incremental_authorization": "if_available"}
            },
            "confirm": True,
        }
    )
    client.v1.payment_intents.increment_authorization(pi.id, params={"amount": 3000})
    updated = only_event(client, "charge.updated")
    assert updated.data.object.id == pi.latest_charge
    assert updated.data.object.amount == 3000
    assert previous(updated) == {
        "amount": 2000,
        "payment_method_details": {"card": {"amount_authorized": 2000}},
    }


def test_refund_updated_shows_what_changed(client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(
        params={**CARD, "payment_method": "pm_card_visa", "confirm": True}
    )
    refund = client.v1.refunds.create(
        params={"payment_intent": pi.id, "metadata": {"reason": "late", "ticket": "1"}}
    )
    # Nothing changes: no event (the metadata is already so).
    client.v1.refunds.update(refund.id, params={"metadata": {"reason": "late"}})
    assert client.v1.events.list(params={"type": "refund.updated"}).data == []
    client.v1.refunds.update(refund.id, params={"metadata": {"reason": "lost", "ticket": ""}})
    updated = only_event(client, "refund.updated")
    assert updated.data.object.metadata.to_dict() == {"reason": "lost"}
    assert previous(updated) == {"metadata": {"reason": "late", "ticket": "1"}}


def test_intent_updates_are_no_events(client: stripe.StripeClient) -> None:
    """Stripe has no payment_intent.updated: an update records nothing."""
    pi = client.v1.payment_intents.create(params=CARD)
    client.v1.payment_intents.update(pi.id, params={"description": "d", "metadata": {"k": "v"}})
    assert types_of(everything(client)) == ["payment_intent.created"]
