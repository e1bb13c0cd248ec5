"""Every transition Stripe refuses, with its exact error, leaving the PaymentIntent as it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import stripe

from tests.e2e.test_bank_and_balance import OFFLINE

CONFIRMABLE = "requires_payment_method, requires_confirmation, requires_action"
CANCELABLE = (
    "requires_payment_method, requires_capture, requires_confirmation, requires_action, processing"
)
INCREMENTAL = {"card": {"request_incremental_authorization": "if_available"}}


def create(client: stripe.StripeClient, **params: Any) -> Any:
    return client.v1.payment_intents.create(
        params={"amount": 2000, "currency": "usd", "payment_method_types": ["card"], **params}
    )


def held(client: stripe.StripeClient, **params: Any) -> Any:
    return create(
        client, capture_method="manual", payment_method="pm_card_visa", confirm=True, **params
    )


def in_status(client: stripe.StripeClient, status: str) -> Any:
    """A PaymentIntent in `status`, reached the way a user would."""
    if status == "requires_payment_method":
        return create(client)
    if status == "requires_action":
        return create(client, payment_method="pm_card_authenticationRequired", confirm=True)
    if status == "requires_capture":
        return held(client)
    if status == "processing":
        return client.v1.payment_intents.create(
            params={
                "amount": 2000,
                "currency": "usd",
                "payment_method_types": ["us_bank_account"],
                "payment_method": "pm_usBankAccount_processing",
                "confirm": True,
                "mandate_data": OFFLINE,
            }
        )
    if status == "succeeded":
        return create(client, payment_method="pm_card_visa", confirm=True)
    assert status == "canceled"
    return client.v1.payment_intents.cancel(create(client).id)


def refused(
    client: stripe.StripeClient, pi: Any, call: Callable[[], Any], code: str | None, message: str
) -> stripe.InvalidRequestError:
    """`call` answers 400 with `code` and `message`, and the intent is unchanged."""
    before = client.v1.payment_intents.retrieve(pi.id).to_dict()
    with pytest.raises(stripe.InvalidRequestError) as err:
        call()
    assert (err.value.http_status, err.value.error.type) == (400, "invalid_request_error")
    assert (err.value.code, err.value.user_message) == (code, message)
    assert client.v1.payment_intents.retrieve(pi.id).to_dict() == before
    return err.value


def unexpected(operation: str, status: str) -> str:
    if operation == "confirm":
        return (
            f"You cannot confirm this PaymentIntent because it has a status of {status}. Only a "
            f"PaymentIntent with one of the following statuses may be confirmed: {CONFIRMABLE}."
        )
    if operation == "capture":
        return (
            f"This PaymentIntent could not be captured because it has a status of {status}. "
            "Only a PaymentIntent with one of the following statuses may be captured: "
            "requires_capture."
        )
    if operation == "cancel":
        return (
            f"You cannot cancel this PaymentIntent because it has a status of {status}. Only a "
            f"PaymentIntent with one of the following statuses may be canceled: {CANCELABLE}."
        )
    assert operation == "increment"
    return (
        "This PaymentIntent's authorization could not be incremented because it has a status of "
        f"{status}. Only a PaymentIntent with one of the following statuses may be incremented: "
        "requires_capture."
    )


@pytest.mark.parametrize(
    ("operation", "status"),
    [
        ("confirm", "canceled"),
        ("confirm", "processing"),
        ("confirm", "requires_capture"),
        ("capture", "canceled"),
        ("capture", "requires_payment_method"),
        ("capture", "requires_action"),
        ("capture", "processing"),
        ("cancel", "succeeded"),
        ("cancel", "canceled"),
        ("increment", "requires_payment_method"),
        ("increment", "requires_action"),
        ("increment", "processing"),
        ("increment", "succeeded"),
        ("increment", "canceled"),
    ],
)
def test_wrong_status(client: stripe.StripeClient, operation: str, status: str) -> None:
    pi = in_status(client, status)
    assert pi.status == status
    intents = client.v1.payment_intents
    call = {
        "confirm": lambda: intents.confirm(pi.id, params={"payment_method": "pm_card_visa"}),
        "capture": lambda: intents.capture(pi.id),
        "cancel": lambda: intents.cancel(pi.id),
        "increment": lambda: intents.increment_authorization(pi.id, params={"amount": 3000}),
    }[operation]
    err = refused(
        client, pi, call, "payment_intent_unexpected_state", unexpected(operation, status)
    )
    assert err.error.payment_intent.id == pi.id
    assert err.error.payment_intent.status == status


def test_confirm_succeeded(client: stripe.StripeClient) -> None:
    pi = in_status(client, "succeeded")
    refused(
        client,
        pi,
        lambda: client.v1.payment_intents.confirm(pi.id),
        "payment_intent_unexpected_state",
        "You cannot confirm this PaymentIntent because it has already succeeded after being "
        "previously confirmed.",
    )


def test_capture_amount_and_fee_limits(client: stripe.StripeClient) -> None:
    pi = held(client, amount=2500)
    capture = client.v1.payment_intents.capture
    err = refused(
        client,
        pi,
        lambda: capture(pi.id, params={"amount_to_capture": 2501}),
        "amount_too_large",
        "The amount_to_capture (2501) must be less than or equal to the PaymentIntent's "
        "amount_capturable (2500).",
    )
    assert err.param == "amount_to_capture"
    err = refused(
        client,
        pi,
        lambda: capture(pi.id, params={"amount_to_capture": 1000, "application_fee_amount": 1001}),
        None,
        "The application fee amount must be less than or equal to the amount captured.",
    )
    assert err.param == "application_fee_amount"
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert (charge.captured, charge.amount_captured) == (False, 0)


def test_capture_stores_metadata_and_fee(client: stripe.StripeClient) -> None:
    pi = held(client, metadata={"order": "42", "gone": "x"})
    done = client.v1.payment_intents.capture(
        pi.id,
        params={
            "amount_to_capture": 1500,
            "application_fee_amount": 100,
            "metadata": {"shipped": "yes", "gone": ""},
        },
    )
    assert done.metadata.to_dict() == {"order": "42", "shipped": "yes"}
    assert (done.amount_received, done.application_fee_amount) == (1500, 100)
    again = client.v1.payment_intents.retrieve(pi.id)
    assert again.metadata.to_dict() == {"order": "42", "shipped": "yes"}
    assert client.v1.charges.retrieve(pi.latest_charge).application_fee_amount == 100


def test_final_capture_false_needs_multicapture(client: stripe.StripeClient) -> None:
    """Keeping an authorization open is multicapture, which no charge here has."""
    pi = held(client, payment_method_options={"card": {"request_multicapture": "if_available"}})
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert charge.payment_method_details.card.multicapture.status == "unavailable"
    err = refused(
        client,
        pi,
        lambda: client.v1.payment_intents.capture(
            pi.id, params={"amount_to_capture": 700, "final_capture": False}
        ),
        None,
        "This PaymentIntent cannot be captured with final_capture=false: multicapture is not "
        "available for it (its charge's payment_method_details.card.multicapture.status is "
        "unavailable). Capture it once, with final_capture true or omitted.",
    )
    assert err.param == "final_capture"
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert (charge.captured, charge.amount_captured) == (False, 0)
    done = client.v1.payment_intents.capture(
        pi.id, params={"amount_to_capture": 700, "final_capture": True}
    )
    assert (done.status, done.amount_received, done.amount_capturable) == ("succeeded", 700, 0)


def test_increment_amount_rules(client: stripe.StripeClient) -> None:
    pi = held(client, amount=1000, payment_method_options=INCREMENTAL)
    increment = client.v1.payment_intents.increment_authorization
    err = refused(
        client,
        pi,
        lambda: increment(pi.id, params={"amount": 1000}),
        None,
        "The amount (1000) must be greater than the PaymentIntent's current amount (1000).",
    )
    assert err.param == "amount"
    err = refused(
        client,
        pi,
        lambda: increment(pi.id, params={"amount": 10**12}),
        "amount_too_large",
        "Amount must be no more than $999,999.99",
    )
    assert err.param == "amount"
    grown = increment(pi.id, params={"amount": 99_999_999})
    assert (grown.amount, grown.amount_capturable) == (99_999_999, 99_999_999)
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert (charge.amount, charge.payment_method_details.card.amount_authorized) == (
        99_999_999,
        99_999_999,
    )


def test_increment_needs_eligibility(client: stripe.StripeClient) -> None:
    pi = held(client)
    err = refused(
        client,
        pi,
        lambda: client.v1.payment_intents.increment_authorization(pi.id, params={"amount": 3000}),
        None,
        "This PaymentIntent is not eligible for incremental authorization. Set "
        "payment_method_options[card][request_incremental_authorization] to if_available when "
        "confirming it, with a card that supports it.",
    )
    assert err.param is None


def test_increment_attempts_are_limited_to_ten(client: stripe.StripeClient) -> None:
    pi = held(client, amount=1000, payment_method_options=INCREMENTAL)
    for attempt in range(1, 11):
        grown = client.v1.payment_intents.increment_authorization(
            pi.id, params={"amount": 1000 + attempt * 100}
        )
        assert (grown.amount, grown.amount_capturable) == (1000 + attempt * 100,) * 2
    refused(
        client,
        pi,
        lambda: client.v1.payment_intents.increment_authorization(pi.id, params={"amount": 5000}),
        None,
        "This PaymentIntent has reached the maximum of 10 incremental authorization attempts.",
    )
    done = client.v1.payment_intents.capture(pi.id)
    assert (done.status, done.amount_received) == ("succeeded", 2000)
