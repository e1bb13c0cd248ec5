"""Create, retrieve, update and list PaymentIntents with the official SDK."""

from __future__ import annotations

import stripe

from tests.schema import assert_stripe_shape


def test_create_has_stripe_shape_and_defaults(client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(
        params={
            "amount": 2000,
            "currency": "usd",
            "metadata": {"order_id": "6735"},
            "description": "Order 6735",
        }
    )
    assert pi.id.startswith("pi_") and len(pi.id) == 27
    assert pi.client_secret.startswith(pi.id + "_secret_")
    assert pi.object == "payment_intent"
    assert pi.status == "requires_payment_method"
    assert pi.amount == 2000
    assert pi.currency == "usd"
    assert pi.amount_received == 0
    assert pi.amount_capturable == 0
    assert pi.capture_method == "automatic_async"
    assert pi.confirmation_method == "automatic"
    assert pi.automatic_payment_methods.enabled is True
    assert pi.payment_method_types == ["card"]
    assert pi.metadata.to_dict() == {"order_id": "6735"}
    assert pi.livemode is False
    assert pi.latest_charge is None
    assert pi.last_response.headers["request-id"].startswith("req_")
    assert pi.last_response.headers["stripe-version"] == stripe.api_version
    assert_stripe_shape(
        pi.to_dict_recursive() if hasattr(pi, "to_dict_recursive") else pi.to_dict()
    )


def test_create_with_payment_method_requires_confirmation(client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(
        params={
            "amount": 1000,
            "currency": "eur",
            "payment_method": "pm_card_visa",
            "payment_method_types": ["card"],
        }
    )
    assert pi.status == "requires_confirmation"
    assert pi.payment_method.startswith("pm_") and pi.payment_method != "pm_card_visa"
    assert pi.automatic_payment_methods is None
    assert pi.payment_method_options.card.request_three_d_secure == "automatic"


def test_retrieve_update_and_metadata_rules(client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(
        params={"amount": 500, "currency": "usd", "metadata": {"a": "1", "b": "2"}}
    )
    got = client.v1.payment_intents.retrieve(pi.id)
    assert got.to_dict() == pi.to_dict()
    updated = client.v1.payment_intents.update(
        pi.id,
        params={
            "amount": 750,
            "metadata": {"a": "", "c": "3"},
            "description": "changed",
            "shipping": {"name": "Jenny", "address": {"city": "Paris", "line1": "1 rue"}},
        },
    )
    assert updated.amount == 750
    assert updated.metadata.to_dict() == {"b": "2", "c": "3"}
    assert updated.description == "changed"
    assert updated.shipping.address.city == "Paris"
    assert updated.shipping.address.country is None
    assert updated.shipping.name == "Jenny"
    cleared = client.v1.payment_intents.update(pi.id, params={"metadata": ""})
    assert cleared.metadata.to_dict() == {}
    assert client.v1.payment_intents.retrieve(pi.id).amount == 750


def test_list_pagination_filters_and_order(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "jenny@example.com"})
    ids = [
        client.v1.payment_intents.create(
            params={
                "amount": 100 + i,
                "currency": "usd",
                **({"customer": customer.id} if i % 2 else {}),
            }
        ).id
        for i in range(7)
    ]
    newest_first = list(reversed(ids))
    page = client.v1.payment_intents.list(params={"limit": 3})
    assert [p.id for p in page.data] == newest_first[:3]
    assert page.has_more is True
    assert page.url == "/v1/payment_intents"
    assert [p.id for p in page.auto_paging_iter()] == newest_first
    after = client.v1.payment_intents.list(params={"limit": 3, "starting_after": ids[4]})
    assert [p.id for p in after.data] == newest_first[3:6]
    before = client.v1.payment_intents.list(params={"limit": 2, "ending_before": ids[2]})
    assert [p.id for p in before.data] == [ids[4], ids[3]]
    assert before.has_more is True
    mine = client.v1.payment_intents.list(params={"customer": customer.id})
    assert [p.id for p in mine.data] == [ids[5], ids[3], ids[1]]
    created = client.v1.payment_intents.retrieve(ids[0]).created
    window = client.v1.payment_intents.list(
        params={"created": {"gte": created, "lte": created + 3600}, "limit": 100}
    )
    assert set(ids) <= {p.id for p in window.data}
    future = client.v1.payment_intents.list(params={"created": {"gt": created + 3600}})
    assert future.data == []
    exact = client.v1.payment_intents.list(params={"created": created - 1})
    assert exact.data == []


def test_accounts_are_isolated(server, client: stripe.StripeClient) -> None:
    from tests.conftest import make_client

    pi = client.v1.payment_intents.create(params={"amount": 900, "currency": "usd"})
    other = make_client(server)
    try:
        other.v1.payment_intents.retrieve(pi.id)
        raise AssertionError("another account read the intent")
    except stripe.InvalidRequestError as err:
        assert err.http_status == 404
        assert err.code == "resource_missing"
        assert err.param == "intent"
        assert err.user_message == f"No such payment_intent: '{pi.id}'"
    assert other.v1.payment_intents.list().data == []


def test_survives_restart(fresh_server) -> None:
    from tests.conftest import make_client

    fresh_server.start()
    client = make_client(fresh_server)
    pi = client.v1.payment_intents.create(
        params={"amount": 4321, "currency": "gbp", "metadata": {"k": "v"}}
    )
    fresh_server.kill()
    fresh_server.start()
    again = client.v1.payment_intents.retrieve(pi.id)
    assert again.to_dict() == pi.to_dict()


def test_list_default_limit_cursor_pages_and_created(client: stripe.StripeClient) -> None:
    ids = [
        client.v1.payment_intents.create(params={"amount": 100 + i, "currency": "usd"}).id
        for i in range(12)
    ]
    newest_first = list(reversed(ids))
    first = client.v1.payment_intents.list()
    assert [p.id for p in first.data] == newest_first[:10]
    assert first.has_more is True
    # starting_after: the page after an object, and whether more follow it.
    middle = client.v1.payment_intents.list(params={"limit": 5, "starting_after": newest_first[4]})
    assert ([p.id for p in middle.data], middle.has_more) == (newest_first[5:10], True)
    last = client.v1.payment_intents.list(params={"limit": 5, "starting_after": newest_first[9]})
    assert ([p.id for p in last.data], last.has_more) == (newest_first[10:], False)
    # ending_before: the newer objects just before one, still newest first.
    newer = client.v1.payment_intents.list(params={"limit": 3, "ending_before": newest_first[4]})
    assert ([p.id for p in newer.data], newer.has_more) == (newest_first[1:4], True)
    newest = client.v1.payment_intents.list(params={"ending_before": newest_first[2]})
    assert ([p.id for p in newest.data], newest.has_more) == (newest_first[:2], False)
    # created=<ts> is an exact match; created[lt] is strictly before.
    created = {p.id: p.created for p in client.v1.payment_intents.list(params={"limit": 100})}
    ts = created[ids[0]]
    in_that_second = [i for i in newest_first if created[i] == ts]
    exact = client.v1.payment_intents.list(params={"created": ts, "limit": 100})
    assert [p.id for p in exact.data] == in_that_second and ids[0] in in_that_second
    assert client.v1.payment_intents.list(params={"created": {"lt": ts}}).data == []
    up_to = client.v1.payment_intents.list(params={"created": {"lt": ts + 1}, "limit": 100})
    assert [p.id for p in up_to.data] == in_that_second
