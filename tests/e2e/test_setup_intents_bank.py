"""SetupIntents of bank debits (SEPA Debit, US bank accounts): the mandate they collect, the
microdeposits a hand-entered US account is verified with, the timeout, the later debits made
under the mandate; SetupAttempts and expand[] on a SetupIntent."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from tests.conftest import error, make_client, publishable
from tests.controls import advance
from tests.e2e.test_bank_and_balance import EXCEEDED, MISMATCH, ONLINE, TIMEOUT
from tests.e2e.test_setup_intents import customer, event_types
from tests.http_client import HTTP
from tests.schema import assert_stripe_shape
from tests.server import ServerProcess

DAY = 86400
IBAN = "DE89370400440532013000"
SETUP_MANDATE_REQUIRED = (
    "This SetupIntent requires a mandate, but no existing mandate was found. Collect mandate "
    "acceptance from the customer and try again, providing acceptance data in the mandate_data "
    "parameter."
)


def sepa(client: stripe.StripeClient, cus: str, **params: Any) -> Any:
    return client.v1.setup_intents.create(
        params={
            "customer": cus,
            "payment_method_types": ["sepa_debit"],
            "payment_method_data": {
                "type": "sepa_debit",
                "sepa_debit": {"iban": IBAN},
                "billing_details": {"name": "Jenny Rosen", "email": "jenny@example.com"},
            },
            "confirm": True,
            **params,
        }
    )


def hand_entered(client: stripe.StripeClient, cus: str) -> Any:
    return client.v1.setup_intents.create(
        params={
            "customer": cus,
            "payment_method_types": ["us_bank_account"],
            "payment_method_data": {
                "type": "us_bank_account",
                "billing_details": {"name": "Jenny Rosen"},
                "us_bank_account": {
                    "routing_number": "110000000",
                    "account_number": "000123456789",
                },
            },
            "mandate_data": ONLINE,
            "confirm": True,
        }
    )


def test_sepa_setup_collects_a_mandate_used_off_session(client: stripe.StripeClient) -> None:
    cus = customer(client)
    si = sepa(client, cus, mandate_data=ONLINE)
    assert si.status == "succeeded"
    assert si.mandate.startswith("mandate_")
    assert si.single_use_mandate is None
    expanded = client.v1.setup_intents.retrieve(
        si.id, params={"expand": ["mandate", "payment_method", "customer", "latest_attempt"]}
    )
    mandate = expanded.mandate
    assert_stripe_shape(mandate.to_dict())
    assert (mandate.type, mandate.status, mandate.payment_method) == (
        "multi_use",
        "active",
        si.payment_method,
    )
    assert mandate.customer_acceptance.online.ip_address == "203.0.113.7"
    assert mandate.payment_method_details.type == "sepa_debit"
    assert expanded.payment_method.customer == cus
    assert expanded.customer.id == cus
    assert expanded.latest_attempt.setup_intent == si.id
    assert expanded.latest_attempt.payment_method_details.to_dict() == {
        "type": "sepa_debit",
        "sepa_debit": {},
    }
    # Debited later, off-session, under the mandate the setup collected.
    pi = client.v1.payment_intents.create(
        params={
            "amount": 1099,
            "currency": "eur",
            "customer": cus,
            "payment_method": si.payment_method,
            "payment_method_types": ["sepa_debit"],
            "off_session": True,
            "confirm": True,
        }
    )
    assert pi.status == "processing"
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert charge.payment_method_details.sepa_debit.mandate == si.mandate


def test_sepa_setup_needs_mandate_data(client: stripe.StripeClient) -> None:
    cus = customer(client)
    with pytest.raises(stripe.InvalidRequestError) as info:
        sepa(client, cus)
    assert info.value.http_status == 400
    assert info.value.user_message == SETUP_MANDATE_REQUIRED
    assert info.value.error.setup_intent.status == "requires_payment_method"
    assert client.v1.customers.payment_methods.list(cus).data == []
    single = sepa(client, cus, mandate_data=ONLINE, single_use={"amount": 500, "currency": "eur"})
    assert (single.mandate, single.single_use_mandate is not None) == (None, True)
    mandate = client.v1.setup_intents.retrieve(
        single.id, params={"expand": ["single_use_mandate"]}
    ).single_use_mandate
    assert (mandate.type, mandate.single_use.to_dict()) == (
        "single_use",
        {"amount": 500, "currency": "eur"},
    )


def test_us_bank_account_verified_with_microdeposits(client: stripe.StripeClient) -> None:
    cus = customer(client)
    si = hand_entered(client, cus)
    assert si.status == "requires_action"
    action = si.next_action
    assert action.type == "verify_with_microdeposits"
    assert action.verify_with_microdeposits.microdeposit_type == "amounts"
    assert action.verify_with_microdeposits.arrival_date == si.created + 2 * DAY
    assert_stripe_shape(si.to_dict())
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.setup_intents.verify_microdeposits(si.id, params={"amounts": [10, 20]})
    assert info.value.code == "payment_method_microdeposit_verification_amounts_mismatch"
    assert info.value.user_message == f"{MISMATCH} You have 2 verification attempts remaining."
    done = client.v1.setup_intents.verify_microdeposits(si.id, params={"amounts": [32, 45]})
    assert (done.status, done.next_action) == ("succeeded", None)
    assert client.v1.payment_methods.retrieve(done.payment_method).customer == cus
    assert event_types(client)[-4:] == [
        "setup_intent.created",
        "setup_intent.requires_action",
        "payment_method.attached",
        "setup_intent.succeeded",
    ]
    # Verified once: later debits need no microdeposits.
    pi = client.v1.payment_intents.create(
        params={
            "amount": 1500,
            "currency": "usd",
            "customer": cus,
            "payment_method": done.payment_method,
            "payment_method_types": ["us_bank_account"],
            "off_session": True,
            "confirm": True,
        }
    )
    assert pi.status in ("processing", "succeeded")
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.setup_intents.verify_microdeposits(si.id, params={"amounts": [32, 45]})
    assert info.value.code == "intent_invalid_state"
    assert info.value.user_message == (
        "This SetupIntent cannot be actioned on because it has a status of succeeded. Only a "
        'SetupIntent with one of the following statuses may be actioned on: ["requires_action"].'
    )


def test_microdeposit_attempts_run_out(client: stripe.StripeClient) -> None:
    si = hand_entered(client, customer(client))
    for left in (2, 1):
        with pytest.raises(stripe.InvalidRequestError) as info:
            client.v1.setup_intents.verify_microdeposits(si.id, params={"amounts": [11, 12]})
        assert info.value.user_message.endswith(f"{left} verification attempts remaining.")
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.setup_intents.verify_microdeposits(si.id, params={"amounts": [11, 12]})
    assert info.value.code == "payment_method_microdeposit_verification_attempts_exceeded"
    assert info.value.user_message == EXCEEDED
    failed = client.v1.setup_intents.retrieve(si.id)
    assert failed.status == "requires_payment_method"
    assert failed.last_setup_error.code == info.value.code
    assert event_types(client)[-1] == "setup_intent.setup_failed"


def test_microdeposits_time_out_after_ten_days(server: ServerProcess, api_key: str) -> None:
    client = make_client(server, api_key)
    si = hand_entered(client, customer(client))
    advance(server, api_key, seconds=9 * DAY)
    assert client.v1.setup_intents.retrieve(si.id).status == "requires_action"
    advance(server, api_key, seconds=DAY + 1)
    failed = client.v1.setup_intents.retrieve(si.id)
    assert (failed.status, failed.last_setup_error.code, failed.last_setup_error.message) == (
        "requires_payment_method",
        "payment_method_microdeposit_verification_timeout",
        TIMEOUT,
    )
    assert event_types(client)[-1] == "setup_intent.setup_failed"


def test_setup_attempts_list(client: stripe.StripeClient) -> None:
    cus = customer(client)
    si = client.v1.setup_intents.create(params={"customer": cus, "payment_method_types": ["card"]})
    with pytest.raises(stripe.CardError):
        client.v1.setup_intents.confirm(si.id, params={"payment_method": "pm_card_chargeDeclined"})
    done = client.v1.setup_intents.confirm(si.id, params={"payment_method": "pm_card_visa"})
    attempts = client.v1.setup_attempts.list(params={"setup_intent": si.id})
    assert attempts.url == "/v1/setup_attempts"
    assert [a.status for a in attempts.data] == ["succeeded", "failed"]
    assert attempts.data[0].id == done.latest_attempt
    latest = attempts.data[0]
    assert_stripe_shape(latest.to_dict())
    assert (latest.customer, latest.usage, latest.setup_error) == (cus, "off_session", None)
    card = latest.payment_method_details.card
    assert (card.brand, card.last4, card.network, card.three_d_secure) == (
        "visa",
        "4242",
        "visa",
        None,
    )
    one = client.v1.setup_attempts.list(params={"setup_intent": si.id, "limit": 1})
    assert (len(one.data), one.has_more) == (1, True)
    expanded = client.v1.setup_attempts.list(
        params={"setup_intent": si.id, "expand": ["data.payment_method", "data.setup_intent"]}
    )
    assert expanded.data[0].payment_method.id == done.payment_method
    assert expanded.data[0].setup_intent.id == si.id
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.setup_attempts.list(params={})  # type: ignore[typeddict-item]
    assert (info.value.code, info.value.param) == ("parameter_missing", "setup_intent")
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.setup_attempts.list(params={"setup_intent": "seti_missing"})
    assert info.value.user_message == "No such setupintent: 'seti_missing'"


def test_a_verified_test_account_is_set_up_at_once(client: stripe.StripeClient) -> None:
    si = client.v1.setup_intents.create(
        params={
            "customer": customer(client),
            "payment_method_types": ["us_bank_account"],
            "payment_method": "pm_usBankAccount_success",
            "mandate_data": ONLINE,
            "confirm": True,
        }
    )
    assert (si.status, si.next_action) == ("succeeded", None)
    assert si.mandate.startswith("mandate_")
    attempt = client.v1.setup_attempts.list(params={"setup_intent": si.id}).data[0]
    assert attempt.payment_method_details.to_dict() == {
        "type": "us_bank_account",
        "us_bank_account": {},
    }


def test_stripe_js_infers_the_online_acceptance(server: ServerProcess, api_key: str) -> None:
    """confirmSetup of a SEPA Debit: the mandate's address and user agent are the browser's."""
    client = make_client(server, api_key)
    si = client.v1.setup_intents.create(
        params={"customer": customer(client), "payment_method_types": ["sepa_debit"]}
    )
    form = {
        "client_secret": si.client_secret,
        "payment_method_data[type]": "sepa_debit",
        "payment_method_data[sepa_debit][iban]": IBAN,
        "payment_method_data[billing_details][name]": "Jenny Rosen",
        "payment_method_data[billing_details][email]": "jenny@example.com",
        "mandate_data[customer_acceptance][type]": "online",
        "mandate_data[customer_acceptance][online][infer_from_client]": "true",
    }
    url = f"{server.url}/v1/setup_intents/{si.id}/confirm"
    secret = HTTP.post(url, data=form, auth=(api_key, ""))
    name = "mandate_data[customer_acceptance][online][infer_from_client]"
    assert error(secret)["code"] == "parameter_unknown"
    assert error(secret)["param"] == name
    browser = HTTP.post(
        url, data=form, auth=(publishable(api_key), ""), headers={"User-Agent": "Browser/1.0"}
    )
    assert browser.status_code == 200, browser.text
    assert browser.json()["status"] == "succeeded"
    mandate = client.v1.setup_intents.retrieve(si.id, params={"expand": ["mandate"]}).mandate
    assert mandate.customer_acceptance.online.user_agent == "Browser/1.0"
    assert mandate.customer_acceptance.online.ip_address == "127.0.0.1"
