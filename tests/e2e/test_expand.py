"""`expand[]`: ids replaced by the objects they name, at each depth, on every kind of answer."""

from __future__ import annotations

import pytest
import stripe

from tests.conftest import make_client, publishable
from tests.http_client import HTTP


def paid(client: stripe.StripeClient, expand: list[str] | None = None, **params):
    customer = client.v1.customers.create(params={"email": "e@example.com"})
    pi = client.v1.payment_intents.create(
        params={
            "amount": 1800,
            "currency": "usd",
            "customer": customer.id,
            "payment_method": "pm_card_visa",
            "payment_method_types": ["card"],
            "confirm": True,
            **params,
            **({"expand": expand} if expand else {}),
        }
    )
    return customer, pi


def test_expand_on_create_at_each_depth(client: stripe.StripeClient) -> None:
    customer, pi = paid(
        client,
        [
            "customer",
            "payment_method",
            "latest_charge.payment_intent.latest_charge.customer",
            "latest_charge.balance_transaction",
            "on_behalf_of",
            "application",
            "review",
        ],
    )
    assert pi.status == "succeeded"
    assert pi.customer.object == "customer"
    assert pi.customer.id == customer.id
    assert pi.customer.email == "e@example.com"
    assert pi.payment_method.object == "payment_method"
    assert pi.payment_method.card.last4 == "4242"
    charge = pi.latest_charge
    assert charge.object == "charge"
    assert charge.amount == 1800
    # Four levels: the charge's intent, its charge, that charge's customer.
    assert charge.payment_intent.object == "payment_intent"
    assert charge.payment_intent.id == pi.id
    assert charge.payment_intent.latest_charge.id == charge.id
    assert charge.payment_intent.latest_charge.customer.email == "e@example.com"
    # Expandable on Stripe, null here: null stays null.
    assert charge.balance_transaction is None
    assert (pi.on_behalf_of, pi.application, pi.review) == (None, None, None)
    # Without expand, ids.
    plain = client.v1.payment_intents.retrieve(pi.id)
    assert (plain.customer, plain.latest_charge) == (customer.id, charge.id)


def test_expand_on_retrieve_update_confirm_capture_cancel(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create()
    pi = client.v1.payment_intents.create(
        params={
            "amount": 900,
            "currency": "usd",
            "customer": customer.id,
            "capture_method": "manual",
            "payment_method_types": ["card"],
        }
    )
    got = client.v1.payment_intents.retrieve(pi.id, params={"expand": ["customer"]})
    assert got.customer.id == customer.id
    updated = client.v1.payment_intents.update(
        pi.id, params={"payment_method": "pm_card_visa", "expand": ["payment_method"]}
    )
    assert updated.payment_method.object == "payment_method"
    confirmed = client.v1.payment_intents.confirm(pi.id, params={"expand": ["latest_charge"]})
    assert confirmed.status == "requires_capture"
    assert confirmed.latest_charge.captured is False
    captured = client.v1.payment_intents.capture(
        pi.id, params={"expand": ["latest_charge.customer"]}
    )
    assert captured.latest_charge.captured is True
    assert captured.latest_charge.customer.id == customer.id
    other = client.v1.payment_intents.create(
        params={"amount": 900, "currency": "usd", "customer": customer.id}
    )
    canceled = client.v1.payment_intents.cancel(other.id, params={"expand": ["customer"]})
    assert canceled.customer.object == "customer"


def test_expand_on_increment_authorization(client: stripe.StripeClient) -> None:
    _, pi = paid(
        client,
        capture_method="manual",
        payment_method_options={"card": {"request_incremental_authorization": "if_available"}},
    )
    grown = client.v1.payment_intents.increment_authorization(
        pi.id, params={"amount": 2500, "expand": ["latest_charge", "customer"]}
    )
    assert grown.amount == 2500
    assert grown.latest_charge.object == "charge"
    assert grown.customer.email == "e@example.com"


def test_expand_on_lists_and_other_resources(client: stripe.StripeClient) -> None:
    customer, pi = paid(client)
    listed = client.v1.payment_intents.list(
        params={"customer": customer.id, "expand": ["data.customer", "data.latest_charge"]}
    )
    assert [p.id for p in listed.data] == [pi.id]
    assert listed.data[0].customer.email == "e@example.com"
    assert listed.data[0].latest_charge.object == "charge"
    charge = client.v1.charges.retrieve(pi.latest_charge, params={"expand": ["payment_intent"]})
    assert charge.payment_intent.id == pi.id
    refund = client.v1.refunds.create(
        params={"payment_intent": pi.id, "expand": ["charge", "payment_intent.customer"]}
    )
    assert refund.charge.id == pi.latest_charge
    assert refund.payment_intent.customer.id == customer.id
    pm = client.v1.payment_methods.retrieve(
        client.v1.payment_intents.retrieve(pi.id).payment_method, params={"expand": ["customer"]}
    )
    assert pm.object == "payment_method"


def test_expand_on_search_results(client: stripe.StripeClient) -> None:
    customer, pi = paid(client)
    found = client.v1.payment_intents.search(
        params={"query": f"customer:'{customer.id}'", "expand": ["data.customer"]}
    )
    assert [p.id for p in found.data] == [pi.id]
    assert found.data[0].customer.email == "e@example.com"


def test_publishable_key_may_expand_the_payment_method(
    server, client: stripe.StripeClient, api_key
) -> None:
    _, pi = paid(client)
    pk = make_client(server, publishable(api_key))
    got = pk.v1.payment_intents.retrieve(
        pi.id, params={"client_secret": pi.client_secret, "expand": ["payment_method"]}
    )
    assert got.payment_method.card.last4 == "4242"
    # Nothing that would show the customer behind it.
    for path in ("payment_method.customer", "latest_charge", "customer"):
        err = error_of(
            lambda path=path: pk.v1.payment_intents.retrieve(
                pi.id, params={"client_secret": pi.client_secret, "expand": [path]}
            )
        )
        assert (err.http_status, err.error.param) == (400, "expand")
        assert err.error.message == f"This property cannot be expanded ({path})."


def error_of(call) -> stripe.InvalidRequestError:
    with pytest.raises(stripe.InvalidRequestError) as info:
        call()
    return info.value


def test_unexpandable_property(client: stripe.StripeClient) -> None:
    _, pi = paid(client)
    for path in ("amount", "bogus", "latest_charge.amount", "customer.bogus"):
        err = error_of(
            lambda path=path: client.v1.payment_intents.retrieve(pi.id, params={"expand": [path]})
        )
        assert err.http_status == 400
        assert err.error.type == "invalid_request_error"
        assert err.error.param == "expand"
        assert err.error.message == f"This property cannot be expanded ({path})."


def test_list_needs_the_data_prefix(client: stripe.StripeClient) -> None:
    err = error_of(lambda: client.v1.payment_intents.list(params={"expand": ["customer"]}))
    assert err.http_status == 400
    assert err.error.message == (
        "This property cannot be expanded (customer). You may want to try expanding "
        "'data.customer' instead."
    )


def test_more_than_four_levels(server, client: stripe.StripeClient) -> None:
    path = "latest_charge.payment_intent.latest_charge.payment_intent.customer"
    before = len(client.v1.payment_intents.list().data)
    err = error_of(
        lambda: client.v1.payment_intents.create(
            params={"amount": 100, "currency": "usd", "expand": [path]}
        )
    )
    assert err.http_status == 400
    assert (err.error.code, err.error.param) == ("property_expansion_max_depth", None)
    assert err.error.message == (
        f"You cannot expand more than 4 levels of a property. Property: {path}"
    )
    # `data.` counts as a level.
    deep = "data.latest_charge.payment_intent.customer"
    assert client.v1.payment_intents.list(params={"expand": [deep]}).object == "list"
    err = error_of(
        lambda: client.v1.payment_intents.list(params={"expand": [deep + ".default_source"]})
    )
    assert err.error.code == "property_expansion_max_depth"
    # Refused before anything was created.
    assert len(client.v1.payment_intents.list().data) == before


def test_bad_expand_on_a_write_changes_nothing(client: stripe.StripeClient) -> None:
    before = len(client.v1.payment_intents.list().data)
    err = error_of(
        lambda: client.v1.payment_intents.create(
            params={"amount": 100, "currency": "usd", "expand": ["customer.bogus"]}
        )
    )
    assert (err.http_status, err.error.param) == (400, "expand")
    assert err.error.message == "This property cannot be expanded (customer.bogus)."
    assert len(client.v1.payment_intents.list().data) == before
    pi = client.v1.payment_intents.create(
        params={"amount": 100, "currency": "usd", "payment_method": "pm_card_visa"}
    )
    err = error_of(lambda: client.v1.payment_intents.confirm(pi.id, params={"expand": ["amount"]}))
    assert err.error.message == "This property cannot be expanded (amount)."
    assert client.v1.payment_intents.retrieve(pi.id).status == "requires_confirmation"


def test_expansion_stays_in_the_account(server, client: stripe.StripeClient, api_key) -> None:
    customer, pi = paid(client)
    stranger = make_client(server)
    err = error_of(
        lambda: stranger.v1.payment_intents.retrieve(pi.id, params={"expand": ["customer"]})
    )
    assert err.http_status == 404
    # Query-string form, as curl sends it.
    resp = HTTP.get(
        f"{server.url}/v1/payment_intents/{pi.id}?expand[]=customer&expand[]=latest_charge",
        headers={"Authorization": f"Bearer {api_key}"},
    )
    assert resp.status_code == 200
    assert resp.json()["customer"]["id"] == customer.id
    assert resp.json()["latest_charge"]["object"] == "charge"


def test_a_bad_path_on_a_write_without_expandable_properties_changes_nothing(
    client: stripe.StripeClient,
) -> None:
    """Webhook endpoints and cash balances expand nothing: the path is refused before the
    write, not after it was made."""
    bad = ["bogus"]
    err = error_of(
        lambda: client.v1.webhook_endpoints.create(
            params={"url": "https://shop.test/hook", "enabled_events": ["*"], "expand": bad}
        )
    )
    assert (err.http_status, err.error.param) == (400, "expand")
    assert err.error.message == "This property cannot be expanded (bogus)."
    assert client.v1.webhook_endpoints.list().data == []
    customer = client.v1.customers.create()
    fund = {"amount": 1000, "currency": "usd", "expand": bad}
    err = error_of(
        lambda: client.v1.test_helpers.customers.fund_cash_balance(customer.id, params=fund)
    )
    assert (err.http_status, err.error.param) == (400, "expand")
    assert err.error.message == "This property cannot be expanded (bogus)."
    assert client.v1.customers.cash_balance.retrieve(customer.id).available is None
