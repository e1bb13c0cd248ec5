"""`expand[]` on charges, customers and payment methods: what Stripe documents as expandable
on them and payintents keeps, on retrieve, list and search answers, and Stripe's error for
the rest."""

from __future__ import annotations

import pytest
import stripe


def paid(client: stripe.StripeClient) -> tuple[stripe.Customer, stripe.PaymentIntent]:
    """A customer with a saved visa as its invoice default, and an intent it paid."""
    customer = client.v1.customers.create(params={"email": "ann@example.com", "name": "Ann"})
    pm = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    customer = client.v1.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": pm.id}}
    )
    pi = client.v1.payment_intents.create(
        params={
            "amount": 1234,
            "currency": "usd",
            "customer": customer.id,
            "payment_method": pm.id,
            "payment_method_types": ["card"],
            "metadata": {"order": "exp-1"},
            "confirm": True,
        }
    )
    return customer, pi


def refused(call) -> stripe.InvalidRequestError:
    with pytest.raises(stripe.InvalidRequestError) as info:
        call()
    err = info.value
    assert (err.http_status, err.error.type, err.error.param) == (
        400,
        "invalid_request_error",
        "expand",
    )
    return err


def test_charge_expands_its_intent_customer_and_balance_transaction(
    client: stripe.StripeClient,
) -> None:
    customer, pi = paid(client)
    charge = client.v1.charges.retrieve(
        pi.latest_charge,
        params={"expand": ["payment_intent", "customer", "balance_transaction", "review"]},
    )
    assert charge.id == pi.latest_charge
    assert (charge.payment_intent.object, charge.payment_intent.id) == ("payment_intent", pi.id)
    assert (charge.payment_intent.amount, charge.payment_intent.status) == (1234, "succeeded")
    assert (charge.customer.object, charge.customer.id) == ("customer", customer.id)
    assert charge.customer.email == "ann@example.com"
    # Expandable on Stripe; payintents keeps no balance transactions or reviews: null.
    assert (charge.balance_transaction, charge.review) == (None, None)
    # Nested: the charge's intent's payment method, and its customer.
    deep = client.v1.charges.retrieve(
        pi.latest_charge, params={"expand": ["payment_intent.payment_method.customer"]}
    )
    assert deep.payment_intent.payment_method.card.last4 == "4242"
    assert deep.payment_intent.payment_method.customer.id == customer.id
    # Also on an update's answer.
    updated = client.v1.charges.update(
        pi.latest_charge, params={"description": "d", "expand": ["customer"]}
    )
    assert (updated.description, updated.customer.name) == ("d", "Ann")


def test_charge_lists_and_search_results_expand_data(client: stripe.StripeClient) -> None:
    customer, pi = paid(client)
    listed = client.v1.charges.list(
        params={"payment_intent": pi.id, "expand": ["data.payment_intent", "data.customer"]}
    )
    assert [c.id for c in listed.data] == [pi.latest_charge]
    assert listed.data[0].payment_intent.id == pi.id
    assert listed.data[0].customer.email == "ann@example.com"
    found = client.v1.charges.search(
        params={
            "query": 'metadata["order"]:"exp-1"',
            "expand": ["data.payment_intent.customer"],
        }
    )
    assert [c.id for c in found.data] == [pi.latest_charge]
    assert found.data[0].payment_intent.latest_charge == pi.latest_charge
    assert found.data[0].payment_intent.customer.id == customer.id
    err = refused(lambda: client.v1.charges.search(params={"query": "amount>0", "expand": ["x"]}))
    assert err.error.message == (
        "This property cannot be expanded (x). You may want to try expanding 'data.x' instead."
    )


def test_payment_method_expands_its_customer(client: stripe.StripeClient) -> None:
    customer, pi = paid(client)
    pm = client.v1.payment_methods.retrieve(pi.payment_method, params={"expand": ["customer"]})
    assert (pm.customer.object, pm.customer.id, pm.customer.email) == (
        "customer",
        customer.id,
        "ann@example.com",
    )
    listed = client.v1.customers.payment_methods.list(
        customer.id, params={"expand": ["data.customer"]}
    )
    assert [(p.id, p.customer.id) for p in listed.data] == [(pi.payment_method, customer.id)]
    detached = client.v1.payment_methods.detach(pi.payment_method, params={"expand": ["customer"]})
    assert detached.customer is None


def test_customer_expands_its_default_payment_method(client: stripe.StripeClient) -> None:
    customer, pi = paid(client)
    got = client.v1.customers.retrieve(
        customer.id,
        params={"expand": ["invoice_settings.default_payment_method", "default_source"]},
    )
    default = got.invoice_settings.default_payment_method
    assert (default.object, default.id, default.card.last4) == (
        "payment_method",
        pi.payment_method,
        "4242",
    )
    assert got.default_source is None
    # Up to four levels: the default method's customer is this customer.
    deep = client.v1.customers.retrieve(
        customer.id, params={"expand": ["invoice_settings.default_payment_method.customer"]}
    )
    assert deep.invoice_settings.default_payment_method.customer.email == "ann@example.com"
    found = client.v1.customers.search(
        params={
            "query": f"email:'{customer.email}'",
            "expand": ["data.invoice_settings.default_payment_method"],
        }
    )
    assert [c.invoice_settings.default_payment_method.id for c in found.data] == [pi.payment_method]
    listed = client.v1.customers.list(
        params={"expand": ["data.invoice_settings.default_payment_method"]}
    )
    assert [c.invoice_settings.default_payment_method.card.last4 for c in listed.data] == ["4242"]
    # A customer without one keeps null.
    bare = client.v1.customers.create(
        params={"expand": ["invoice_settings.default_payment_method", "test_clock"]}
    )
    assert (bare.invoice_settings.default_payment_method, bare.test_clock) == (None, None)


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("charge", "payment_method"),
        ("charge", "amount"),
        ("charge", "payment_intent.bogus"),
        ("customer", "invoice_settings"),
        ("customer", "invoice_settings.footer"),
        ("customer", "email"),
        ("payment_method", "card"),
        ("payment_method", "customer.invoice_settings"),
    ],
)
def test_unexpandable_properties(client: stripe.StripeClient, kind: str, path: str) -> None:
    customer, pi = paid(client)
    retrieve = {
        "charge": lambda: client.v1.charges.retrieve(pi.latest_charge, params={"expand": [path]}),
        "customer": lambda: client.v1.customers.retrieve(customer.id, params={"expand": [path]}),
        "payment_method": lambda: client.v1.payment_methods.retrieve(
            pi.payment_method, params={"expand": [path]}
        ),
    }[kind]
    assert refused(retrieve).error.message == f"This property cannot be expanded ({path})."


def test_a_bad_expand_on_a_write_changes_nothing(client: stripe.StripeClient) -> None:
    customer, pi = paid(client)
    refused(
        lambda: client.v1.charges.update(
            pi.latest_charge, params={"description": "new", "expand": ["payment_method"]}
        )
    )
    assert client.v1.charges.retrieve(pi.latest_charge).description is None
    refused(
        lambda: client.v1.customers.update(
            customer.id, params={"name": "Bo", "expand": ["invoice_settings"]}
        )
    )
    assert client.v1.customers.retrieve(customer.id).name == "Ann"
    refused(lambda: client.v1.refunds.create(params={"payment_intent": pi.id, "expand": ["x"]}))
    assert client.v1.charges.retrieve(pi.latest_charge).amount_refunded == 0
    refused(
        lambda: client.v1.payment_methods.detach(pi.payment_method, params={"expand": ["card"]})
    )
    assert client.v1.payment_methods.retrieve(pi.payment_method).customer == customer.id
