"""Confirm, capture, cancel, refund, increment: Stripe's lifecycle through the official SDK."""

from __future__ import annotations

import time

import pytest
import stripe

from tests.conftest import make_client, new_key
from tests.schema import assert_stripe_shape
from tests.server import ServerProcess

CARD_ONLY = {"payment_method_types": ["card"]}


def create(client: stripe.StripeClient, **params):
    return client.v1.payment_intents.create(
        params={"amount": 2000, "currency": "usd", **CARD_ONLY, **params}
    )


def test_confirm_succeeds_with_charge(client: stripe.StripeClient) -> None:
    pi = create(client, payment_method="pm_card_visa", confirm=True)
    assert pi.status == "succeeded"
    assert pi.amount_received == 2000
    assert pi.amount_capturable == 0
    assert pi.next_action is None
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert charge.status == "succeeded"
    assert (charge.paid, charge.captured, charge.refunded) == (True, True, False)
    assert charge.amount_captured == 2000
    assert charge.payment_intent == pi.id
    assert charge.payment_method == pi.payment_method
    card = charge.payment_method_details.card
    assert (card.brand, card.last4, card.funding) == ("visa", "4242", "credit")
    assert charge.outcome.network_status == "approved_by_network"
    assert charge.outcome.type == "authorized"
    assert_stripe_shape(pi.to_dict())
    assert_stripe_shape(charge.to_dict(), "charge")
    listed = client.v1.charges.list(params={"payment_intent": pi.id})
    assert [c.id for c in listed.data] == [charge.id]


def test_confirm_separately_and_automatic_methods_need_return_url(
    client: stripe.StripeClient,
) -> None:
    pi = client.v1.payment_intents.create(params={"amount": 1500, "currency": "usd"})
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"})
    assert err.value.param == "return_url"
    assert err.value.user_message.startswith("A return_url must be specified")
    assert client.v1.payment_intents.retrieve(pi.id).status == "requires_payment_method"
    done = client.v1.payment_intents.confirm(
        pi.id, params={"payment_method": "pm_card_visa", "return_url": "https://shop.test/r"}
    )
    assert done.status == "succeeded"


@pytest.mark.parametrize(
    ("token", "code", "decline_code", "message"),
    [
        ("pm_card_chargeDeclined", "card_declined", "generic_decline", "Your card was declined."),
        (
            "pm_card_visa_chargeDeclined",
            "card_declined",
            "generic_decline",
            "Your card was declined.",
        ),
        (
            "pm_card_chargeDeclinedInsufficientFunds",
            "card_declined",
            "insufficient_funds",
            "Your card has insufficient funds.",
        ),
        (
            "pm_card_chargeDeclinedExpiredCard",
            "expired_card",
            "expired_card",
            "Your card has expired.",
        ),
        (
            "pm_card_chargeDeclinedIncorrectCvc",
            "incorrect_cvc",
            "incorrect_cvc",
            "Your card's security code is incorrect.",
        ),
        (
            "pm_card_chargeDeclinedProcessingError",
            "processing_error",
            "processing_error",
            "An error occurred while processing your card. Try again in a little bit.",
        ),
        (
            "pm_card_chargeDeclinedFraudulent",
            "card_declined",
            "fraudulent",
            "Your card was declined.",
        ),
    ],
)
def test_declines(client: stripe.StripeClient, token, code, decline_code, message) -> None:
    pi = create(client)
    with pytest.raises(stripe.CardError) as err:
        client.v1.payment_intents.confirm(pi.id, params={"payment_method": token})
    e = err.value
    assert e.http_status == 402
    assert e.code == code
    assert e.error.decline_code == decline_code
    assert e.user_message == message
    assert e.error.type == "card_error"
    assert e.error.payment_intent.status == "requires_payment_method"
    after = client.v1.payment_intents.retrieve(pi.id)
    assert after.status == "requires_payment_method"
    assert after.payment_method is None
    assert after.last_payment_error.code == code
    assert after.last_payment_error.decline_code == decline_code
    assert after.last_payment_error.payment_method.type == "card"
    charge = client.v1.charges.retrieve(after.latest_charge)
    assert (charge.status, charge.paid, charge.failure_code) == ("failed", False, code)
    assert charge.failure_message == message
    # Declined, then paid with a good card: one successful charge.
    ok = client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"})
    assert ok.status == "succeeded"
    assert ok.last_payment_error is None
    charges = client.v1.charges.list(params={"payment_intent": pi.id}).data
    assert sorted(c.status for c in charges) == ["failed", "succeeded"]


DECLINED = "Your card was declined."


@pytest.mark.parametrize(
    ("number", "outcome", "expected"),
    [
        ("4242424242424242", "succeeded", ("visa", "credit")),
        ("4000056655665556", "succeeded", ("visa", "debit")),
        ("5555555555554444", "succeeded", ("mastercard", "credit")),
        ("5105105105105100", "succeeded", ("mastercard", "prepaid")),
        ("378282246310005", "succeeded", ("amex", "credit")),
        ("6011111111111117", "succeeded", ("discover", "credit")),
        ("4000000000003055", "succeeded", ("visa", "credit")),
        ("4000002500003155", "requires_action", ("visa", "credit")),
        ("4000002760003184", "requires_action", ("visa", "credit")),
        ("4000000000003220", "requires_action", ("visa", "credit")),
        ("4000000000000002", "declined", ("card_declined", "generic_decline", DECLINED)),
        (
            "4000000000009995",
            "declined",
            ("card_declined", "insufficient_funds", "Your card has insufficient funds."),
        ),
        ("4000000000009987", "declined", ("card_declined", "lost_card", DECLINED)),
        ("4000000000009979", "declined", ("card_declined", "stolen_card", DECLINED)),
        (
            "4000000000000069",
            "declined",
            ("expired_card", "expired_card", "Your card has expired."),
        ),
        (
            "4000000000000127",
            "declined",
            ("incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."),
        ),
        (
            "4000000000000119",
            "declined",
            (
                "processing_error",
                "processing_error",
                "An error occurred while processing your card. Try again in a little bit.",
            ),
        ),
        (
            "4000000000006975",
            "declined",
            (
                "card_declined",
                "card_velocity_exceeded",
                "Your card was declined for making repeated attempts too frequently or "
                "exceeding its amount limit.",
            ),
        ),
        ("4000000000000341", "declined", ("card_declined", "generic_decline", DECLINED)),
        ("4100000000000019", "declined", ("card_declined", "fraudulent", DECLINED)),
    ],
)
def test_test_card_numbers(client: stripe.StripeClient, number, outcome, expected) -> None:
    data = {
        "type": "card",
        "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
    }
    if outcome == "declined":
        with pytest.raises(stripe.CardError) as err:
            create(client, payment_method_data=data, confirm=True)
        code, _, message = expected
        assert (err.value.code, err.value.error.decline_code, err.value.user_message) == expected
        charge = client.v1.charges.retrieve(err.value.error.charge)
        assert (charge.status, charge.failure_code, charge.failure_message) == (
            "failed",
            code,
            message,
        )
        pm = err.value.error.payment_method
    else:
        pi = create(client, payment_method_data=data, confirm=True)
        assert pi.status == outcome
        pm = client.v1.payment_methods.retrieve(pi.payment_method)
        assert (pm.card.brand, pm.card.funding) == expected
    assert pm.card.last4 == number[-4:]
    assert "number" not in pm.card.to_dict()


def test_manual_capture_partial(client: stripe.StripeClient) -> None:
    pi = create(
        client, amount=2500, capture_method="manual", payment_method="pm_card_visa", confirm=True
    )
    assert pi.status == "requires_capture"
    assert pi.amount_capturable == 2500
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert (charge.captured, charge.amount_captured, charge.paid) == (False, 0, True)
    assert charge.payment_method_details.card.capture_before > time.time()
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.capture(pi.id, params={"amount_to_capture": 3000})
    assert err.value.param == "amount_to_capture"
    captured = client.v1.payment_intents.capture(pi.id, params={"amount_to_capture": 1800})
    assert captured.status == "succeeded"
    assert (captured.amount_received, captured.amount_capturable) == (1800, 0)
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert (charge.captured, charge.amount_captured, charge.amount_refunded) == (True, 1800, 0)
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.capture(pi.id)
    assert err.value.code == "payment_intent_unexpected_state"
    assert err.value.user_message == (
        "This PaymentIntent could not be captured because it has a status of succeeded. Only a "
        "PaymentIntent with one of the following statuses may be captured: requires_capture."
    )


def test_cancel_rules(client: stripe.StripeClient, server, api_key) -> None:
    pi = create(client)
    canceled = client.v1.payment_intents.cancel(
        pi.id, params={"cancellation_reason": "requested_by_customer"}
    )
    assert canceled.status == "canceled"
    assert canceled.cancellation_reason == "requested_by_customer"
    assert canceled.canceled_at >= pi.created
    for call in (
        lambda: client.v1.payment_intents.cancel(pi.id),
        lambda: client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"}),
        lambda: client.v1.payment_intents.capture(pi.id),
    ):
        with pytest.raises(stripe.InvalidRequestError) as err:
            call()
        assert err.value.code == "payment_intent_unexpected_state"
        assert err.value.http_status == 400
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.cancel(pi.id)
    assert err.value.user_message == (
        "You cannot cancel this PaymentIntent because it has a status of canceled. Only a "
        "PaymentIntent with one of the following statuses may be canceled: "
        "requires_payment_method, requires_capture, requires_confirmation, requires_action, "
        "processing."
    )
    held = create(client, capture_method="manual", payment_method="pm_card_visa", confirm=True)
    released = client.v1.payment_intents.cancel(held.id)
    assert (released.status, released.amount_capturable, released.amount_received) == (
        "canceled",
        0,
        0,
    )
    # Since 2025-03-31.basil the released hold is no Refund: the charge stays uncaptured with
    # nothing refunded, amount_captured 0, and no charge.refunded event (reference §1.7).
    charge = client.v1.charges.retrieve(held.latest_charge)
    assert (charge.status, charge.paid, charge.captured) == ("succeeded", True, False)
    assert (charge.amount, charge.amount_captured, charge.amount_refunded, charge.refunded) == (
        2000,
        0,
        0,
        False,
    )
    assert client.v1.refunds.list(params={"payment_intent": held.id}).data == []
    about = [
        e.type
        for e in client.v1.events.list(params={"limit": 100}).data
        if e.data.object.id in (held.id, charge.id)
    ]
    assert about[0] == "payment_intent.canceled"
    assert "charge.refunded" not in about
    # Before basil Stripe showed the same release as a Refund of the whole authorization.
    old = make_client(server, api_key, "2024-06-20")
    held = create(old, capture_method="manual", payment_method="pm_card_visa", confirm=True)
    old.v1.payment_intents.cancel(held.id)
    charge = old.v1.charges.retrieve(held.latest_charge)
    assert (charge.captured, charge.amount_captured, charge.amount_refunded, charge.refunded) == (
        False,
        0,
        2000,
        True,
    )
    refunds = old.v1.refunds.list(params={"payment_intent": held.id}).data
    assert [(r.amount, r.status, r.reason, r.charge) for r in refunds] == [
        (2000, "succeeded", None, charge.id)
    ]


def test_confirm_succeeded_is_refused(client: stripe.StripeClient) -> None:
    pi = create(client, payment_method="pm_card_visa", confirm=True)
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.confirm(pi.id)
    assert err.value.code == "payment_intent_unexpected_state"
    assert err.value.user_message == (
        "You cannot confirm this PaymentIntent because it has already succeeded after being "
        "previously confirmed."
    )


def test_confirm_without_payment_method(client: stripe.StripeClient) -> None:
    pi = create(client)
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.confirm(pi.id)
    assert err.value.code == "payment_intent_unexpected_state"
    assert "missing a payment method" in err.value.user_message


def test_refunds(client: stripe.StripeClient) -> None:
    pi = create(client, payment_method="pm_card_visa", confirm=True)
    partial = client.v1.refunds.create(
        params={"payment_intent": pi.id, "amount": 500, "reason": "requested_by_customer"}
    )
    assert (partial.status, partial.amount, partial.charge) == ("succeeded", 500, pi.latest_charge)
    assert partial.payment_intent == pi.id
    assert_stripe_shape(partial.to_dict(), "refund")
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.refunds.create(params={"charge": pi.latest_charge, "amount": 1600})
    assert err.value.code == "amount_too_large"
    assert err.value.user_message == (
        "Refund amount ($16.00) is greater than unrefunded amount on charge ($15.00)"
    )
    rest = client.v1.refunds.create(params={"charge": pi.latest_charge})
    assert rest.amount == 1500
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert (charge.amount_refunded, charge.refunded) == (2000, True)
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.refunds.create(params={"charge": pi.latest_charge})
    assert err.value.code == "charge_already_refunded"
    listed = client.v1.refunds.list(params={"payment_intent": pi.id}).data
    assert [r.id for r in listed] == [rest.id, partial.id]
    assert client.v1.refunds.retrieve(partial.id).amount == 500
    held = create(client, capture_method="manual", payment_method="pm_card_visa", confirm=True)
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.refunds.create(params={"charge": held.latest_charge})
    assert "You must cancel the PaymentIntent" in err.value.user_message


def test_increment_authorization(client: stripe.StripeClient) -> None:
    pi = create(
        client,
        amount=1000,
        capture_method="manual",
        payment_method="pm_card_visa",
        confirm=True,
        payment_method_options={"card": {"request_incremental_authorization": "if_available"}},
    )
    assert pi.status == "requires_capture"
    grown = client.v1.payment_intents.increment_authorization(pi.id, params={"amount": 1500})
    assert (grown.amount, grown.amount_capturable, grown.status) == (1500, 1500, "requires_capture")
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.increment_authorization(pi.id, params={"amount": 1200})
    assert err.value.param == "amount"
    done = client.v1.payment_intents.capture(pi.id)
    assert done.amount_received == 1500
    plain = create(client, capture_method="manual", payment_method="pm_card_visa", confirm=True)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_intents.increment_authorization(plain.id, params={"amount": 5000})


def test_off_session_authentication_required(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.CardError) as err:
        create(
            client, payment_method="pm_card_authenticationRequired", confirm=True, off_session=True
        )
    assert err.value.code == "authentication_required"
    assert err.value.error.decline_code == "authentication_required"
    assert err.value.error.payment_intent.status == "requires_payment_method"


def test_three_d_secure_next_actions(client: stripe.StripeClient) -> None:
    sdk = create(client, payment_method="pm_card_threeDSecure2Required", confirm=True)
    assert sdk.status == "requires_action"
    assert sdk.next_action.type == "use_stripe_sdk"
    redirect = create(
        client,
        payment_method="pm_card_authenticationRequired",
        confirm=True,
        return_url="https://shop.test/done",
    )
    assert redirect.next_action.type == "redirect_to_url"
    assert redirect.next_action.redirect_to_url.return_url == "https://shop.test/done"
    assert "/3d_secure_2/hosted?" in redirect.next_action.redirect_to_url.url
    with pytest.raises(stripe.CardError) as err:
        create(
            client,
            payment_method="pm_card_authenticationRequired",
            confirm=True,
            error_on_requires_action=True,
        )
    assert err.value.code == "authentication_required"


def test_customers_and_attach(client: stripe.StripeClient) -> None:
    cus = client.v1.customers.create(params={"email": "a@example.com", "name": "A"})
    assert cus.id.startswith("cus_")
    pm = client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 1, "exp_year": 2035, "cvc": "314"},
        }
    )
    assert (pm.card.brand, pm.card.last4, pm.customer) == ("visa", "4242", None)
    attached = client.v1.payment_methods.attach(pm.id, params={"customer": cus.id})
    assert attached.customer == cus.id
    with pytest.raises(stripe.InvalidRequestError) as err:
        create(client, payment_method=pm.id)
    assert "belongs to the Customer" in err.value.user_message
    pi = create(client, customer=cus.id, payment_method=pm.id, confirm=True)
    assert pi.status == "succeeded"
    listed = client.v1.customers.payment_methods.list(cus.id)
    assert [p.id for p in listed.data] == [pm.id]
    detached = client.v1.payment_methods.detach(pm.id)
    assert detached.customer is None
    with pytest.raises(stripe.CardError):
        client.v1.payment_methods.attach("pm_card_chargeDeclined", params={"customer": cus.id})
    saved = create(
        client,
        customer=cus.id,
        payment_method="pm_card_visa",
        confirm=True,
        setup_future_usage="off_session",
    )
    assert client.v1.payment_methods.retrieve(saved.payment_method).customer == cus.id


def wait_status(client: stripe.StripeClient, pi_id: str, status: str) -> stripe.PaymentIntent:
    deadline = time.time() + 10
    while True:
        pi = client.v1.payment_intents.retrieve(pi_id)
        if pi.status == status or time.time() > deadline:
            assert pi.status == status
            return pi
        time.sleep(0.2)


def test_authorization_expires(own_database: str, tmp_path) -> None:
    """Expiry is stored as basil records it and shown per Stripe-Version; a hold placed with a
    pre-basil version is released the pre-basil way, with a Refund (reference §0, §1.8)."""
    proc = ServerProcess(
        own_database, "--capture-window", "2s", log_path=tmp_path / "server.log"
    ).start()
    try:
        key = new_key()
        client, old = make_client(proc, key), make_client(proc, key, "2024-06-20")
        manual = {"capture_method": "manual", "payment_method": "pm_card_visa", "confirm": True}
        pi, old_pi = create(client, **manual), create(old, **manual)
        proc.kill()  # the window passes while the server is down
        time.sleep(3)
        proc.start()
        after = wait_status(client, pi.id, "canceled")
        wait_status(client, old_pi.id, "canceled")
        assert (after.cancellation_reason, after.amount_capturable, after.amount_received) == (
            "expired",
            0,
            0,
        )
        assert after.canceled_at >= pi.created
        for reader, reason in ((client, "expired"), (old, "automatic")):
            for intent in (pi, old_pi):
                shown = reader.v1.payment_intents.retrieve(intent.id)
                assert shown.cancellation_reason == reason
            listed = reader.v1.payment_intents.list().data
            assert {p.id: p.cancellation_reason for p in listed} == {
                pi.id: reason,
                old_pi.id: reason,
            }
        # Confirmed with basil or later: the hold is released without a Refund.
        charge = client.v1.charges.retrieve(pi.latest_charge)
        assert (charge.captured, charge.amount_captured, charge.amount_refunded) == (False, 0, 0)
        assert charge.refunded is False
        assert client.v1.refunds.list(params={"payment_intent": pi.id}).data == []
        # Confirmed with 2024-06-20: the release is a Refund of the whole authorization.
        charge = old.v1.charges.retrieve(old_pi.latest_charge)
        assert (charge.captured, charge.amount_captured, charge.amount_refunded) == (
            False,
            0,
            2000,
        )
        assert charge.refunded is True
        refunds = old.v1.refunds.list(params={"payment_intent": old_pi.id}).data
        assert [(r.amount, r.status, r.reason) for r in refunds] == [
            (2000, "succeeded", "expired_uncaptured_charge")
        ]
        events = client.v1.events.list(params={"limit": 100}).data
        happened = {
            (e.type, e.data.object.id)
            for e in events
            if e.type.split(".")[0] in ("charge", "payment_intent")
        }
        for intent in (pi, old_pi):
            assert ("charge.expired", intent.latest_charge) in happened
            assert ("payment_intent.canceled", intent.id) in happened
        assert ("charge.refunded", old_pi.latest_charge) in happened
        assert ("charge.refunded", pi.latest_charge) not in happened
        canceled = [e for e in events if e.type == "payment_intent.canceled"]
        assert {e.data.object.cancellation_reason for e in canceled} == {"expired"}
        with pytest.raises(stripe.InvalidRequestError) as err:
            client.v1.payment_intents.capture(pi.id)
        assert err.value.code == "payment_intent_unexpected_state"
        assert "it has a status of canceled" in err.value.user_message
    finally:
        proc.stop()


def test_pre_basil_versions_refund_the_released_remainder(server, api_key) -> None:
    """Before 2025-03-31.basil, partial capture and cancel recorded the release as a Refund."""
    old = make_client(server, api_key, "2024-06-20")
    pi = create(
        old, amount=2500, capture_method="manual", payment_method="pm_card_visa", confirm=True
    )
    assert pi.invoice is None
    old.v1.payment_intents.capture(pi.id, params={"amount_to_capture": 1800})
    charge = old.v1.charges.retrieve(pi.latest_charge)
    assert (charge.amount_captured, charge.amount_refunded, charge.refunded) == (1800, 700, False)
    remainder = old.v1.refunds.list(params={"payment_intent": pi.id}).data
    assert [(r.amount, r.status) for r in remainder] == [(700, "succeeded")]
    rest = old.v1.refunds.create(params={"payment_intent": pi.id})
    assert rest.amount == 1800
    charge = old.v1.charges.retrieve(pi.latest_charge)
    assert (charge.amount_refunded, charge.refunded) == (2500, True)
    held = create(old, capture_method="manual", payment_method="pm_card_visa", confirm=True)
    old.v1.payment_intents.cancel(held.id)
    charge = old.v1.charges.retrieve(held.latest_charge)
    assert (charge.amount_refunded, charge.refunded, charge.captured) == (2000, True, False)
    assert [r.amount for r in old.v1.refunds.list(params={"charge": charge.id}).data] == [2000]


def test_update_rules_by_status(client: stripe.StripeClient) -> None:
    pi = create(client, payment_method="pm_card_visa", confirm=True)
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.update(pi.id, params={"amount": 999})
    assert (err.value.code, err.value.param) == ("payment_intent_unexpected_state", "amount")
    assert err.value.user_message == (
        "This PaymentIntent's amount could not be updated because it has a status of "
        "succeeded. You may only update the amount of a PaymentIntent with one of the "
        "following statuses: requires_payment_method, requires_confirmation, requires_action."
    )
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.update(pi.id, params={"payment_method": "pm_card_visa"})
    assert err.value.param == "payment_method"
    described = client.v1.payment_intents.update(
        pi.id, params={"description": "paid", "metadata": {"n": "1"}}
    )
    assert (described.description, described.metadata.to_dict()) == ("paid", {"n": "1"})
    gone = client.v1.payment_intents.cancel(create(client).id)
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.update(gone.id, params={"metadata": {"a": "b"}})
    assert err.value.code == "payment_intent_unexpected_state"
    fresh = create(client)
    moved = client.v1.payment_intents.update(fresh.id, params={"payment_method": "pm_card_visa"})
    assert moved.status == "requires_confirmation"
    assert client.v1.payment_intents.confirm(fresh.id).status == "succeeded"


def test_stripe_shape_in_every_status(client: stripe.StripeClient) -> None:
    """Each status's object (and a listed, an updated one) has every field of Stripe's schema."""
    manual = {"capture_method": "manual", "payment_method": "pm_card_visa", "confirm": True}
    shown = {
        "requires_payment_method": create(client),
        "requires_confirmation": create(client, payment_method="pm_card_visa"),
        "requires_action": create(
            client, payment_method="pm_card_threeDSecure2Required", confirm=True
        ),
        "requires_capture": create(client, **manual),
        "succeeded": create(client, payment_method="pm_card_visa", confirm=True),
        "canceled": client.v1.payment_intents.cancel(
            create(client).id, params={"cancellation_reason": "abandoned"}
        ),
        "processing": client.v1.payment_intents.create(
            params={
                "amount": 2000,
                "currency": "usd",
                "payment_method_types": ["us_bank_account"],
                "payment_method": "pm_usBankAccount_processing",
                "confirm": True,
                "mandate_data": {"customer_acceptance": {"type": "offline"}},
            }
        ),
    }
    redirect = create(
        client,
        payment_method="pm_card_authenticationRequired",
        confirm=True,
        return_url="https://shop.test/done",
    )
    assert shown["requires_action"].next_action.type == "use_stripe_sdk"
    assert redirect.next_action.type == "redirect_to_url"
    for status, pi in shown.items():
        assert pi.status == status
        assert_stripe_shape(pi.to_dict())
    assert_stripe_shape(redirect.to_dict())
    assert_stripe_shape(
        client.v1.charges.retrieve(shown["requires_capture"].latest_charge).to_dict()
    )

    declined = create(client)
    with pytest.raises(stripe.CardError) as err:
        client.v1.payment_intents.confirm(
            declined.id, params={"payment_method": "pm_card_visa_chargeDeclined"}
        )
    assert_stripe_shape(err.value.error.payment_intent.to_dict())
    after = client.v1.payment_intents.retrieve(declined.id)
    assert (after.status, after.last_payment_error.decline_code) == (
        "requires_payment_method",
        "generic_decline",
    )
    assert_stripe_shape(after.to_dict())
    assert_stripe_shape(client.v1.charges.retrieve(after.latest_charge).to_dict())

    updated = client.v1.payment_intents.update(
        shown["requires_confirmation"].id,
        params={"description": "blue fish", "metadata": {"k": "v"}, "receipt_email": "a@b.test"},
    )
    assert (updated.description, updated.receipt_email) == ("blue fish", "a@b.test")
    assert_stripe_shape(updated.to_dict())
    listed = client.v1.payment_intents.list(params={"limit": 100}).data
    assert {pi.status for pi in listed} >= set(shown)
    for pi in listed:
        assert_stripe_shape(pi.to_dict())


def test_confirm_parameters_are_applied(client: stripe.StripeClient) -> None:
    """capture_method, receipt_email, shipping, setup_future_usage and off_session given to
    /confirm itself take effect on the intent, its charge and its payment method."""
    shipping = {
        "name": "Jenny Rosen",
        "address": {"line1": "1 Main St", "city": "Paris", "postal_code": "75001", "country": "FR"},
    }
    cus = client.v1.customers.create(params={"email": "jenny@example.com"})
    pi = create(client, customer=cus.id)
    assert pi.capture_method == "automatic_async"
    held = client.v1.payment_intents.confirm(
        pi.id,
        params={
            "payment_method": "pm_card_visa",
            "capture_method": "manual",
            "receipt_email": "jenny@example.com",
            "shipping": shipping,
            "setup_future_usage": "off_session",
        },
    )
    assert (held.status, held.capture_method, held.amount_capturable) == (
        "requires_capture",
        "manual",
        2000,
    )
    assert (held.receipt_email, held.setup_future_usage) == ("jenny@example.com", "off_session")
    assert held.shipping.name == "Jenny Rosen"
    assert held.shipping.address.to_dict() == {
        "city": "Paris",
        "country": "FR",
        "line1": "1 Main St",
        "line2": None,
        "postal_code": "75001",
        "state": None,
    }
    charge = client.v1.charges.retrieve(held.latest_charge)
    assert (charge.captured, charge.receipt_email) == (False, "jenny@example.com")
    assert charge.shipping.address.city == "Paris"
    assert client.v1.payment_methods.retrieve(held.payment_method).customer == cus.id
    assert client.v1.payment_intents.retrieve(pi.id).to_dict() == held.to_dict()

    # off_session: a card that asks for authentication on-session pays without it...
    on_session = client.v1.payment_intents.confirm(
        create(client).id, params={"payment_method": "pm_card_authenticationRequiredOnSetup"}
    )
    assert on_session.status == "requires_action"
    off = client.v1.payment_intents.confirm(
        create(client).id,
        params={"payment_method": "pm_card_authenticationRequiredOnSetup", "off_session": True},
    )
    assert (off.status, off.amount_received) == ("succeeded", 2000)
    # ...and one that always does is declined instead of asking an absent customer.
    absent = create(client)
    with pytest.raises(stripe.CardError) as err:
        client.v1.payment_intents.confirm(
            absent.id,
            params={"payment_method": "pm_card_authenticationRequired", "off_session": True},
        )
    assert (err.value.code, err.value.error.decline_code, err.value.user_message) == (
        "authentication_required",
        "authentication_required",
        "Your card was declined. This transaction requires authentication.",
    )
    assert client.v1.payment_intents.retrieve(absent.id).status == "requires_payment_method"
