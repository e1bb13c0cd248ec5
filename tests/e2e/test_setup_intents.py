"""SetupIntents through the official SDK, on both stores: the object, create, retrieve, update,
list, confirm with cards, cancel, the refused transitions with Stripe's errors, the events."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import stripe

from tests.conftest import error, make_client, publishable
from tests.http_client import HTTP
from tests.schema import assert_stripe_shape
from tests.server import ServerProcess

UNEXPECTED = "setup_intent_unexpected_state"


def setup(client: stripe.StripeClient, **params: Any) -> Any:
    return client.v1.setup_intents.create(params=params)


def customer(client: stripe.StripeClient) -> str:
    return client.v1.customers.create(params={"email": "saver@example.com"}).id


def event_types(client: stripe.StripeClient) -> list[str]:
    """The account's event types, oldest first."""
    return [e.type for e in reversed(client.v1.events.list(params={"limit": 100}).data)]


def refused(call: Any) -> stripe.StripeError:
    with pytest.raises(stripe.StripeError) as info:
        call()
    return info.value


def test_create_has_every_field_of_stripes_object(client: stripe.StripeClient) -> None:
    si = setup(client, description="save a card", metadata={"order": "7"})
    body = si.to_dict()
    assert_stripe_shape(body)
    assert si.id.startswith("seti_")
    assert si.client_secret.startswith(si.id + "_secret_")
    assert si.status == "requires_payment_method"
    assert si.usage == "off_session"
    # The SDK's version enables automatic payment methods when no types are given.
    assert si.automatic_payment_methods.to_dict() == {"allow_redirects": "always", "enabled": True}
    assert si.payment_method_types == ["card"]
    assert si.payment_method_options.to_dict() == {
        "card": {"mandate_options": None, "network": None, "request_three_d_secure": "automatic"}
    }
    for name in (
        "application", "cancellation_reason", "customer", "flow_directions", "last_setup_error",
        "latest_attempt", "mandate", "next_action", "on_behalf_of", "payment_method",
        "payment_method_configuration_details", "single_use_mandate",
    ):  # fmt: skip
        assert body[name] is None, name
    assert "attach_to_self" not in body
    assert si.metadata.to_dict() == {"order": "7"}
    assert client.v1.setup_intents.retrieve(si.id).to_dict() == body
    assert event_types(client) == ["setup_intent.created"]


def test_confirm_with_a_card_saves_it_to_the_customer(client: stripe.StripeClient) -> None:
    cus = customer(client)
    si = setup(client, customer=cus, payment_method_types=["card"], usage="on_session")
    assert si.automatic_payment_methods is None
    card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}
    pm = client.v1.payment_methods.create(params={"type": "card", "card": card})
    updated = client.v1.setup_intents.update(si.id, params={"payment_method": pm.id})
    assert updated.status == "requires_confirmation"
    done = client.v1.setup_intents.confirm(si.id)
    assert done.status == "succeeded"
    assert done.usage == "on_session"
    assert done.payment_method == pm.id
    assert done.latest_attempt.startswith("setatt_")
    assert done.last_setup_error is None
    assert_stripe_shape(done.to_dict())
    saved = client.v1.payment_methods.retrieve(pm.id)
    assert saved.customer == cus
    assert event_types(client)[-3:] == [
        "setup_intent.created",
        "payment_method.attached",
        "setup_intent.succeeded",
    ]
    # Saved for later: an off-session payment with it succeeds.
    pi = client.v1.payment_intents.create(
        params={
            "amount": 1500,
            "currency": "usd",
            "customer": cus,
            "payment_method": pm.id,
            "payment_method_types": ["card"],
            "off_session": True,
            "confirm": True,
        }
    )
    assert pi.status == "succeeded"


def test_create_with_confirm_and_a_test_token(client: stripe.StripeClient) -> None:
    cus = customer(client)
    si = setup(client, customer=cus, payment_method="pm_card_visa", confirm=True)
    assert si.status == "succeeded"
    methods = client.v1.customers.payment_methods.list(cus).data
    assert [m.id for m in methods] == [si.payment_method]
    assert methods[0].card.checks.cvc_check == "pass"


def test_decline_fails_the_setup(client: stripe.StripeClient) -> None:
    cus = customer(client)
    err = refused(
        lambda: setup(
            client,
            customer=cus,
            payment_method="pm_card_chargeDeclined",
            payment_method_types=["card"],
            confirm=True,
        )
    )
    assert isinstance(err, stripe.CardError)
    assert err.http_status == 402
    assert (err.code, err.error.decline_code) == ("card_declined", "generic_decline")
    assert err.user_message == "Your card was declined."
    si = err.error.setup_intent
    assert si.status == "requires_payment_method"
    assert si.payment_method is None
    assert si.last_setup_error.code == "card_declined"
    assert si.last_setup_error.type == "card_error"
    assert si.last_setup_error.payment_method.card.last4 == "0002"
    assert err.error.payment_method.id == si.last_setup_error.payment_method.id
    assert client.v1.customers.payment_methods.list(cus).data == []
    assert event_types(client)[-2:] == ["setup_intent.created", "setup_intent.setup_failed"]
    attempt = client.v1.setup_attempts.list(params={"setup_intent": si.id}).data[0]
    assert attempt.status == "failed"
    assert attempt.setup_error.code == "card_declined"


def test_cancel_and_refused_transitions(client: stripe.StripeClient) -> None:
    si = setup(client, payment_method_types=["card"])
    canceled = client.v1.setup_intents.cancel(
        si.id, params={"cancellation_reason": "requested_by_customer"}
    )
    assert canceled.status == "canceled"
    assert canceled.cancellation_reason == "requested_by_customer"
    assert event_types(client) == ["setup_intent.created", "setup_intent.canceled"]
    err = refused(lambda: client.v1.setup_intents.cancel(si.id))
    assert (err.http_status, err.code) == (400, UNEXPECTED)
    assert err.user_message == "You cannot cancel this SetupIntent because it is already canceled."
    assert err.error.setup_intent.id == si.id
    err = refused(
        lambda: client.v1.setup_intents.confirm(si.id, params={"payment_method": "pm_card_visa"})
    )
    assert (err.code, err.user_message) == (
        UNEXPECTED,
        "You cannot confirm this SetupIntent because it has been canceled.",
    )
    err = refused(
        lambda: client.v1.setup_intents.update(si.id, params={"payment_method": "pm_card_visa"})
    )
    assert (err.code, err.user_message) == (
        UNEXPECTED,
        "You cannot update this SetupIntent because it has been canceled.",
    )
    # Metadata and description stay updatable.
    kept = client.v1.setup_intents.update(si.id, params={"metadata": {"a": "b"}})
    assert kept.metadata.to_dict() == {"a": "b"}

    done = setup(client, payment_method="pm_card_visa", confirm=True)
    err = refused(lambda: client.v1.setup_intents.confirm(done.id))
    assert (err.code, err.user_message) == (
        UNEXPECTED,
        "You cannot confirm this SetupIntent because it has already succeeded.",
    )
    err = refused(lambda: client.v1.setup_intents.cancel(done.id))
    assert err.user_message == (
        "You cannot cancel this SetupIntent because it has a status of succeeded. Only a "
        "SetupIntent with one of the following statuses may be canceled: "
        "`requires_payment_method`, `requires_confirmation`, or `requires_action`."
    )
    err = refused(
        lambda: client.v1.setup_intents.update(done.id, params={"payment_method": "pm_card_visa"})
    )
    assert (
        err.user_message == "You cannot update this SetupIntent because it has already succeeded."
    )
    assert client.v1.setup_intents.retrieve(done.id).status == "succeeded"


def test_confirm_without_a_payment_method(client: stripe.StripeClient) -> None:
    si = setup(client, customer=customer(client))
    err = refused(lambda: client.v1.setup_intents.confirm(si.id))
    assert (err.http_status, err.code, err.param) == (400, UNEXPECTED, None)
    assert err.user_message == (
        "You cannot confirm this SetupIntent because it's missing a payment method. You can "
        "either update the SetupIntent with a payment method and then confirm it again, or "
        "confirm it again directly with a payment method or ConfirmationToken."
    )
    assert client.v1.setup_intents.retrieve(si.id).status == "requires_payment_method"


def test_ownership_rules(client: stripe.StripeClient) -> None:
    alice, bob = customer(client), customer(client)
    saved = setup(client, customer=alice, payment_method="pm_card_visa", confirm=True)
    pm = saved.payment_method
    err = refused(lambda: setup(client, payment_method=pm))
    assert (err.code, err.param) == (None, "payment_method")
    assert err.user_message == (
        f"The payment method supplied ({pm}) belongs to the Customer {alice}. Please include "
        "the Customer in the `customer` parameter on the SetupIntent."
    )
    si = setup(client, customer=bob)
    err = refused(lambda: client.v1.setup_intents.confirm(si.id, params={"payment_method": pm}))
    assert err.user_message == (
        f"The PaymentMethod {pm} does not belong to the Customer you supplied {bob}. Please "
        "use this PaymentMethod with the Customer that it belongs to instead."
    )
    assert err.error.setup_intent.id == si.id
    # A method set up without a customer is used up, as one paid with once is.
    once = setup(client, payment_method="pm_card_visa", confirm=True)
    err = refused(lambda: setup(client, payment_method=once.payment_method, confirm=True))
    assert err.param == "payment_method"
    assert err.user_message.startswith("The provided PaymentMethod was previously used")


def test_type_not_allowed(client: stripe.StripeClient) -> None:
    si = setup(client, payment_method_types=["sepa_debit"])
    assert si.payment_method_options.to_dict() == {"sepa_debit": {}}
    err = refused(
        lambda: client.v1.setup_intents.confirm(si.id, params={"payment_method": "pm_card_visa"})
    )
    assert (err.code, err.param) == ("setup_intent_invalid_parameter", "payment_method")
    assert err.user_message.startswith(
        "The PaymentMethod provided (card) is not allowed for this SetupIntent."
    )


def test_list_filters(client: stripe.StripeClient) -> None:
    cus = customer(client)
    first = setup(client, customer=cus)
    second = setup(client, customer=cus, payment_method="pm_card_visa", confirm=True)
    other = setup(client, attach_to_self=True)
    assert other.attach_to_self is True
    everything = client.v1.setup_intents.list()
    assert [s.id for s in everything.data] == [other.id, second.id, first.id]
    assert everything.url == "/v1/setup_intents"
    mine = client.v1.setup_intents.list(params={"customer": cus})
    assert [s.id for s in mine.data] == [second.id, first.id]
    by_pm = client.v1.setup_intents.list(params={"payment_method": second.payment_method})
    assert [s.id for s in by_pm.data] == [second.id]
    own = client.v1.setup_intents.list(params={"attach_to_self": True})
    assert [s.id for s in own.data] == [other.id]
    page = client.v1.setup_intents.list(params={"limit": 1, "starting_after": second.id})
    assert [s.id for s in page.data] == [first.id]
    assert page.has_more is False
    created = client.v1.setup_intents.list(params={"created": {"gte": first.created}})
    assert len(created.data) == 3
    err = refused(lambda: setup(client, attach_to_self=True, customer=cus))
    assert (err.code, err.param) == ("parameters_exclusive", "attach_to_self")


def test_bad_input(server: ServerProcess, api_key: str, client: stripe.StripeClient) -> None:
    post = lambda path, data: HTTP.post(server.url + path, data=data, auth=(api_key, ""))  # noqa: E731
    resp = post("/v1/setup_intents", {"usage": "sometimes"})
    assert resp.status_code == 400
    assert error(resp)["param"] == "usage"
    resp = post("/v1/setup_intents", {"return_url": "https://x.test"})
    assert error(resp) == {
        "message": "You can only provide `return_url` when `confirm` is true.",
        "param": "return_url",
        "type": "invalid_request_error",
    }
    resp = post("/v1/setup_intents", {"payment_method_types[]": "au_becs_debit"})
    assert error(resp)["message"] == (
        "au_becs_debit is invalid. This payment method is available to Stripe accounts in AU "
        "and your Stripe account is in US."
    )
    resp = post("/v1/setup_intents/seti_missing/confirm", {})
    assert resp.status_code == 404
    assert error(resp) == {
        "code": "resource_missing",
        "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
        "message": "No such setupintent: 'seti_missing'",
        "param": "intent",
        "type": "invalid_request_error",
    }
    resp = post("/v1/setup_intents/x/cancel", {"cancellation_reason": "expired"})
    assert resp.status_code == 400
    assert error(resp)["param"] == "cancellation_reason"
    assert client.v1.setup_intents.list().data == []


def test_publishable_key_with_client_secret(server: ServerProcess, api_key: str) -> None:
    secret = make_client(server, api_key)
    si = secret.v1.setup_intents.create(params={"customer": customer(secret)})
    pk = publishable(api_key)
    url = f"{server.url}/v1/setup_intents/{si.id}"
    resp = HTTP.get(url, params={"client_secret": si.client_secret}, auth=(pk, ""))
    assert resp.status_code == 200
    body = resp.json()
    assert "customer" not in body and "metadata" not in body
    assert body["status"] == "requires_payment_method"
    resp = HTTP.get(url, auth=(pk, ""))
    assert error(resp)["param"] == "client_secret"
    resp = HTTP.get(url, params={"client_secret": si.id + "_secret_wrong"}, auth=(pk, ""))
    assert error(resp)["code"] == "setup_intent_invalid_parameter"
    resp = HTTP.post(
        url + "/confirm",
        data={"client_secret": si.client_secret, "payment_method": "pm_card_visa"},
        auth=(pk, ""),
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "succeeded"
    assert set(resp.json()) == set(body)
    # A publishable key creates no SetupIntent and lists none.
    assert HTTP.post(server.url + "/v1/setup_intents", auth=(pk, "")).status_code in (401, 403)


def test_confirm_with_a_confirmation_token(client: stripe.StripeClient) -> None:
    cus = customer(client)
    token = client.v1.test_helpers.confirmation_tokens.create(
        params={"payment_method": "pm_card_visa", "return_url": "https://shop.test/back"}
    )
    si = setup(client, customer=cus, confirmation_token=token.id, confirm=True)
    assert si.status == "succeeded"
    assert client.v1.payment_methods.retrieve(si.payment_method).customer == cus
    used = client.v1.confirmation_tokens.retrieve(token.id)
    assert (used.setup_intent, used.payment_intent) == (si.id, None)
    again = setup(client, customer=cus)
    err = refused(
        lambda: client.v1.setup_intents.confirm(again.id, params={"confirmation_token": token.id})
    )
    assert (err.code, err.param) == ("token_already_used", "confirmation_token")
    assert client.v1.setup_intents.retrieve(again.id).status == "requires_payment_method"


def test_a_card_saved_despite_later_declines(client: stripe.StripeClient) -> None:
    """pm_card_chargeCustomerFail: the setup's check passes, the later charges decline."""
    cus = customer(client)
    si = setup(client, customer=cus, payment_method="pm_card_chargeCustomerFail", confirm=True)
    assert si.status == "succeeded"
    err = refused(
        lambda: client.v1.payment_intents.create(
            params={
                "amount": 1000,
                "currency": "usd",
                "customer": cus,
                "payment_method": si.payment_method,
                "payment_method_types": ["card"],
                "off_session": True,
                "confirm": True,
            }
        )
    )
    assert (err.http_status, err.code) == (402, "card_declined")


def test_update_moves_the_status_with_the_payment_method(client: stripe.StripeClient) -> None:
    cus = customer(client)
    si = setup(client, customer=cus, payment_method="pm_card_authenticationRequired", confirm=True)
    assert si.status == "requires_action"
    # A new method drops the pending challenge: the intent waits for its confirmation.
    card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034}
    swapped = client.v1.setup_intents.update(
        si.id, params={"payment_method_data": {"type": "card", "card": card}}
    )
    assert (swapped.status, swapped.next_action) == ("requires_confirmation", None)
    assert swapped.payment_method != si.payment_method
    cleared = client.v1.setup_intents.update(si.id, params={"payment_method": ""})
    assert (cleared.status, cleared.payment_method) == ("requires_payment_method", None)
    typed = client.v1.setup_intents.update(
        si.id,
        params={
            "payment_method_types": ["card", "sepa_debit"],
            "payment_method_options": {"card": {"request_three_d_secure": "challenge"}},
            "description": "",
        },
    )
    assert typed.automatic_payment_methods is None
    assert typed.payment_method_options.to_dict() == {
        "card": {"mandate_options": None, "network": None, "request_three_d_secure": "challenge"},
        "sepa_debit": {},
    }
    assert typed.description is None
    done = client.v1.setup_intents.confirm(
        si.id, params={"payment_method": "pm_card_visa", "return_url": "https://shop.test/x"}
    )
    # request_three_d_secure=challenge: even a card that needs none is challenged.
    assert done.status == "requires_action"
    assert done.next_action.redirect_to_url.return_url == "https://shop.test/x"


def test_concurrent_confirms_set_up_once(client: stripe.StripeClient) -> None:
    cus = customer(client)
    si = setup(client, customer=cus, payment_method="pm_card_visa")

    def confirm(_: int) -> str:
        try:
            return client.v1.setup_intents.confirm(si.id).status
        except stripe.InvalidRequestError as err:
            return err.code or ""

    with ThreadPoolExecutor(6) as pool:
        outcomes = sorted(pool.map(confirm, range(6)))
    assert outcomes == ["setup_intent_unexpected_state"] * 5 + ["succeeded"]
    assert len(client.v1.setup_attempts.list(params={"setup_intent": si.id}).data) == 1
    assert event_types(client).count("payment_method.attached") == 1
    assert len(client.v1.customers.payment_methods.list(cus).data) == 1
