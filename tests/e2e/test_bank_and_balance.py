"""Bank debits (US bank accounts, SEPA), microdeposit verification, mandates, and customer
cash balances paying `customer_balance` PaymentIntents, through the official SDK."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import stripe

from tests.conftest import make_client, publishable
from tests.http_client import HTTP
from tests.schema import assert_stripe_shape
from tests.server import ServerProcess

OFFLINE = {"customer_acceptance": {"type": "offline"}}
ONLINE = {
    "customer_acceptance": {
        "type": "online",
        "online": {"ip_address": "203.0.113.7", "user_agent": "Mozilla/5.0"},
    }
}
MANDATE_REQUIRED = (
    "This PaymentIntent requires a mandate, but no existing mandate was found. Collect mandate "
    "acceptance from the customer and try again, providing acceptance data in the mandate_data "
    "parameter."
)
MISMATCH = "The amounts provided do not match the amounts that were sent to the bank account."
EXCEEDED = "You have exceeded the number of allowed verification attempts."
TIMEOUT = (
    "Microdeposit timeout. Customer hasn't verified their bank account within the required 10 "
    "day period."
)


def wait_for(client: stripe.StripeClient, pi_id: str, status: str, timeout: float = 10) -> Any:
    """The scheduler runs every second: poll until the intent reaches `status`."""
    deadline = time.time() + timeout
    while True:
        pi = client.v1.payment_intents.retrieve(pi_id)
        if pi.status == status or time.time() > deadline:
            assert pi.status == status
            return pi
        time.sleep(0.2)


def ach(client: stripe.StripeClient, **params: Any) -> Any:
    return client.v1.payment_intents.create(
        params={"amount": 1500, "currency": "usd", "payment_method_types": ["us_bank_account"]}
        | params
    )


def raw_account(client: stripe.StripeClient, number: str = "000123456789") -> Any:
    return client.v1.payment_methods.create(
        params={
            "type": "us_bank_account",
            "billing_details": {"name": "Jenny Rosen"},
            "us_bank_account": {"routing_number": "110000000", "account_number": number},
        }
    )


def types_of_events(client: stripe.StripeClient, object_id: str) -> list[str]:
    events = client.v1.events.list(params={"limit": 100}).data
    return [e.type for e in reversed(events) if e.data.object.to_dict().get("id") == object_id]


# -- US bank accounts ----------------------------------------------------------------------------


def test_ach_token_processing_then_succeeded(client: stripe.StripeClient) -> None:
    # The charge as the confirm left it: the scheduler may settle it before a later retrieve.
    pi = ach(
        client,
        payment_method="pm_usBankAccount_success",
        confirm=True,
        mandate_data=ONLINE,
        expand=["latest_charge"],
    )
    assert (pi.status, pi.next_action, pi.processing, pi.amount_received) == (
        "processing",
        None,
        None,
        0,
    )
    charge = pi.latest_charge
    assert (charge.status, charge.paid, charge.captured, charge.outcome) == (
        "pending",
        False,
        True,
        None,
    )
    details = charge.payment_method_details.us_bank_account
    assert details.mandate.startswith("mandate_")
    assert (details.last4, details.routing_number, details.bank_name) == (
        "6789",
        "110000000",
        "STRIPE TEST BANK",
    )
    assert (details.account_holder_type, details.account_type, details.payment_reference) == (
        "individual",
        "checking",
        None,
    )
    done = wait_for(client, pi.id, "succeeded")
    assert (done.amount_received, done.latest_charge) == (1500, charge.id)
    charge = client.v1.charges.retrieve(charge.id)
    assert (charge.status, charge.paid, charge.amount_captured) == ("succeeded", True, 1500)
    assert charge.outcome.network_status == "approved_by_network"
    assert charge.payment_method_details.us_bank_account.mandate == details.mandate
    assert_stripe_shape(charge.to_dict(), "charge")
    assert types_of_events(client, pi.id) == [
        "payment_intent.created",
        "payment_intent.processing",
        "payment_intent.succeeded",
    ]


def test_bank_debits_need_a_mandate(client: stripe.StripeClient) -> None:
    pi = ach(client)
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.confirm(
            pi.id, params={"payment_method": "pm_usBankAccount_success"}
        )
    assert (err.value.http_status, err.value.code, err.value.param) == (400, None, None)
    assert err.value.user_message == MANDATE_REQUIRED
    assert err.value.error.payment_intent.id == pi.id
    # Nothing changed: no payment method, no charge.
    after = client.v1.payment_intents.retrieve(pi.id)
    assert (after.status, after.payment_method, after.latest_charge) == (
        "requires_payment_method",
        None,
        None,
    )
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.confirm(
            pi.id,
            params={"payment_method": "pm_usBankAccount_success", "mandate": "mandate_nope"},
        )
    assert (err.value.http_status, err.value.code, err.value.param) == (
        404,
        "resource_missing",
        "mandate",
    )
    assert err.value.user_message == "No such mandate: 'mandate_nope'"
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.confirm(
            pi.id,
            params={
                "payment_method": "pm_usBankAccount_success",
                "mandate_data": {"customer_acceptance": {"type": "online"}},
            },
        )
    assert (err.value.code, err.value.param) == (
        "parameter_missing",
        "mandate_data[customer_acceptance][online]",
    )
    sepa = client.v1.payment_intents.create(
        params={
            "amount": 1000,
            "currency": "eur",
            "payment_method_types": ["sepa_debit"],
            "setup_future_usage": "off_session",
        }
    )
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.confirm(
            sepa.id, params={"payment_method": "pm_sepaDebit_success_at"}
        )
    assert err.value.param == "mandate_data"
    assert err.value.user_message == (
        "When confirming a PaymentIntent with a `sepa_debit` PaymentMethod and "
        "`setup_future_usage` value of off_session, `mandate_data` is required."
    )


def test_a_saved_bank_account_reuses_its_mandate(client: stripe.StripeClient) -> None:
    cus = client.v1.customers.create(params={"email": "jenny@example.com"})
    first = ach(
        client,
        customer=cus.id,
        payment_method="pm_usBankAccount_success",
        setup_future_usage="off_session",
        confirm=True,
        mandate_data=OFFLINE,
    )
    pm = client.v1.payment_methods.retrieve(first.payment_method)
    assert pm.customer == cus.id
    mandate = client.v1.charges.retrieve(first.latest_charge).payment_method_details
    mandate = mandate.us_bank_account.mandate
    wait_for(client, first.id, "succeeded")
    # Off-session, later: no new acceptance needed, the multi-use mandate covers it.
    again = ach(
        client,
        amount=2500,
        customer=cus.id,
        payment_method=pm.id,
        off_session=True,
        confirm=True,
    )
    assert again.status == "processing"
    charge = client.v1.charges.retrieve(again.latest_charge)
    assert charge.payment_method_details.us_bank_account.mandate == mandate
    named = ach(client, customer=cus.id, payment_method=pm.id, mandate=mandate, confirm=True)
    assert named.status == "processing"
    wait_for(client, again.id, "succeeded")


@pytest.mark.parametrize(
    ("token", "code", "message"),
    [
        ("pm_usBankAccount_accountClosed", "account_closed", "The bank account has been closed."),
        ("pm_usBankAccount_noAccount", "no_account", "The bank account could not be found."),
        (
            "pm_usBankAccount_insufficientFunds",
            "insufficient_funds",
            "The bank account has insufficient funds for this payment.",
        ),
        (
            "pm_usBankAccount_debitNotAuthorized",
            "debit_not_authorized",
            "The account holder's bank reported this debit as unauthorized.",
        ),
        (
            "pm_usBankAccount_invalidCurrency",
            "invalid_currency",
            "The bank account cannot be debited in this currency.",
        ),
        (
            "pm_usBankAccount_weeklyLimitExceeded",
            "charge_exceeds_source_limit",
            "This payment would take the bank account over its weekly payment volume limit.",
        ),
    ],
)
def test_failing_bank_accounts(client: stripe.StripeClient, token, code, message) -> None:
    pi = ach(client, payment_method=token, confirm=True, mandate_data=OFFLINE)
    assert pi.status == "processing"
    failed = wait_for(client, pi.id, "requires_payment_method")
    error = failed.last_payment_error
    assert (error.type, error.code, error.message, error.charge) == (
        "invalid_request_error",
        code,
        message,
        pi.latest_charge,
    )
    assert "decline_code" not in error.to_dict()
    assert error.doc_url == "https://stripe.com/docs/error-codes/" + code.replace("_", "-")
    assert error.payment_method.type == "us_bank_account"
    assert (failed.payment_method, failed.amount_received) == (None, 0)
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert (charge.status, charge.paid, charge.captured, charge.amount_captured) == (
        "failed",
        False,
        False,
        0,
    )
    assert (charge.failure_code, charge.failure_message) == (code, message)
    assert (
        charge.outcome.seller_message == f"The customer's bank returned the failure code `{code}`."
    )
    assert types_of_events(client, pi.id)[-1] == "payment_intent.payment_failed"


def test_processing_account_stays_processing_and_can_be_canceled(
    client: stripe.StripeClient,
) -> None:
    pi = ach(
        client, payment_method="pm_usBankAccount_processing", confirm=True, mandate_data=OFFLINE
    )
    assert pi.status == "processing"
    time.sleep(2.5)  # two scheduler passes
    assert client.v1.payment_intents.retrieve(pi.id).status == "processing"
    canceled = client.v1.payment_intents.cancel(
        pi.id, params={"cancellation_reason": "requested_by_customer"}
    )
    assert (canceled.status, canceled.cancellation_reason) == ("canceled", "requested_by_customer")
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert (charge.status, charge.paid, charge.captured) == ("failed", False, False)
    assert charge.failure_message == "The payment was canceled before the bank debit was collected."
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.cancel(pi.id)
    assert err.value.code == "payment_intent_unexpected_state"


@pytest.mark.parametrize(
    ("token", "code", "message"),
    [
        (
            "pm_usBankAccount_riskLevelHighest",
            "payment_intent_payment_attempt_failed",
            "The payment was blocked because it was evaluated as too risky.",
        ),
        (
            "pm_usBankAccount_failMicrodeposits",
            "payment_method_microdeposit_failed",
            "The microdeposits could not be sent to this bank account. Check the routing and "
            "account numbers, or use a different payment method.",
        ),
    ],
)
def test_bank_accounts_refused_at_confirm(client: stripe.StripeClient, token, code, message):
    pi = ach(client)
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.confirm(
            pi.id, params={"payment_method": token, "mandate_data": OFFLINE}
        )
    e = err.value
    assert (e.http_status, e.code, e.user_message, e.error.type) == (
        400,
        code,
        message,
        "invalid_request_error",
    )
    after = client.v1.payment_intents.retrieve(pi.id)
    assert after.status == "requires_payment_method"
    assert (after.last_payment_error.type, after.last_payment_error.code) == (
        "invalid_request_error",
        code,
    )
    assert client.v1.charges.retrieve(after.latest_charge).status == "failed"


def test_us_bank_account_payment_method_from_numbers(client: stripe.StripeClient) -> None:
    pm = raw_account(client)
    assert pm.type == "us_bank_account"
    assert pm.billing_details.name == "Jenny Rosen"
    bank = pm.us_bank_account
    assert (bank.last4, bank.routing_number, bank.bank_name) == (
        "6789",
        "110000000",
        "STRIPE TEST BANK",
    )
    assert (bank.account_holder_type, bank.account_type) == ("individual", "checking")
    assert bank.networks.to_dict() == {"preferred": "ach", "supported": ["ach"]}
    assert bank.fingerprint == raw_account(client).us_bank_account.fingerprint
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_methods.create(
            params={
                "type": "us_bank_account",
                "us_bank_account": {"routing_number": "110000000", "account_number": "0001234"},
            }
        )
    assert (err.value.code, err.value.param, err.value.user_message) == (
        "parameter_missing",
        "billing_details[name]",
        "Missing required param: billing_details[name].",
    )
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_methods.create(
            params={
                "type": "us_bank_account",
                "billing_details": {"name": "Jenny Rosen"},
                "us_bank_account": {"routing_number": "110000001", "account_number": "0001234"},
            }
        )
    assert (err.value.code, err.value.param) == (
        "routing_number_invalid",
        "us_bank_account[routing_number]",
    )
    with pytest.raises(stripe.InvalidRequestError) as err:
        ach(
            client,
            confirm=True,
            mandate_data=OFFLINE,
            payment_method_data={
                "type": "us_bank_account",
                "us_bank_account": {
                    "routing_number": "110000000",
                    "account_number": "000123456789",
                },
            },
        )
    assert err.value.param == "payment_method_data[billing_details][name]"


# -- microdeposits ---------------------------------------------------------------------------------


def needs_microdeposits(client: stripe.StripeClient, number: str = "000123456789") -> Any:
    pm = raw_account(client, number)
    pi = ach(client, payment_method=pm.id, confirm=True, mandate_data=OFFLINE)
    assert pi.status == "requires_action"
    return pi


def test_microdeposits_verify_then_settle(
    server: ServerProcess, client: stripe.StripeClient, api_key: str
) -> None:
    cus = client.v1.customers.create()
    pm = raw_account(client)
    client.v1.payment_methods.attach(pm.id, params={"customer": cus.id})
    pi = ach(client, customer=cus.id, payment_method=pm.id, confirm=True, mandate_data=OFFLINE)
    action = pi.next_action
    assert action.type == "verify_with_microdeposits"
    assert action.verify_with_microdeposits.microdeposit_type == "amounts"
    assert action.verify_with_microdeposits.arrival_date == pi.created + 2 * 86400
    assert action.verify_with_microdeposits.hosted_verification_url == (
        f"{server.url}/microdeposit/{pi.id}?client_secret={pi.client_secret}"
        f"&publishable_key={api_key.replace('sk_', 'pk_')}"
    )
    assert pi.latest_charge is None
    assert types_of_events(client, pi.id) == [
        "payment_intent.created",
        "payment_intent.requires_action",
    ]
    # Stripe.js verifies with the publishable key and the client secret.
    browser = make_client(server, publishable(api_key))
    with pytest.raises(stripe.InvalidRequestError) as denied:
        browser.v1.payment_intents.verify_microdeposits(pi.id, params={"amounts": [32, 45]})
    assert (denied.value.error.code, denied.value.error.param) == (
        "parameter_missing",
        "client_secret",
    )
    verified = browser.v1.payment_intents.verify_microdeposits(
        pi.id, params={"amounts": [45, 32], "client_secret": pi.client_secret}
    )
    assert (verified.status, verified.next_action) == ("processing", None)
    # A publishable key gets the reduced object, without latest_charge.
    assert "latest_charge" not in verified
    charge = client.v1.charges.retrieve(client.v1.payment_intents.retrieve(pi.id).latest_charge)
    assert charge.status == "pending"
    assert charge.payment_method_details.us_bank_account.mandate.startswith("mandate_")
    done = wait_for(client, pi.id, "succeeded")
    assert done.amount_received == 1500
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.verify_microdeposits(pi.id, params={"amounts": [32, 45]})
    assert err.value.code == "payment_intent_unexpected_state"
    assert err.value.user_message == (
        "You cannot verify microdeposits on this PaymentIntent because it has a status of "
        "succeeded. Only a PaymentIntent with a status of requires_action and a next_action of "
        "type verify_with_microdeposits can be verified."
    )
    # The verified account is debited without microdeposits next time.
    again = ach(client, customer=cus.id, payment_method=pm.id, confirm=True, mandate_data=OFFLINE)
    assert again.status == "processing"


def test_microdeposit_attempts_are_limited(client: stripe.StripeClient) -> None:
    pi = needs_microdeposits(client)
    for remaining in (2, 1):
        with pytest.raises(stripe.InvalidRequestError) as err:
            client.v1.payment_intents.verify_microdeposits(pi.id, params={"amounts": [11, 22]})
        assert (err.value.http_status, err.value.code) == (
            400,
            "payment_method_microdeposit_verification_amounts_mismatch",
        )
        assert err.value.user_message == (
            f"{MISMATCH} You have {remaining} verification attempts remaining."
        )
        assert client.v1.payment_intents.retrieve(pi.id).status == "requires_action"
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.verify_microdeposits(pi.id, params={"amounts": [11, 22]})
    assert err.value.code == "payment_method_microdeposit_verification_attempts_exceeded"
    assert err.value.user_message == EXCEEDED
    assert err.value.error.payment_intent.status == "requires_payment_method"
    failed = client.v1.payment_intents.retrieve(pi.id)
    assert (failed.status, failed.payment_method, failed.next_action) == (
        "requires_payment_method",
        None,
        None,
    )
    assert (failed.last_payment_error.code, failed.last_payment_error.type) == (
        "payment_method_microdeposit_verification_attempts_exceeded",
        "invalid_request_error",
    )
    assert failed.last_payment_error.message == EXCEEDED
    assert types_of_events(client, pi.id)[-1] == "payment_intent.payment_failed"


@pytest.mark.parametrize(
    ("amounts", "code", "message"),
    [
        ([10, 11], "payment_method_microdeposit_verification_attempts_exceeded", EXCEEDED),
        ([40, 41], "payment_method_microdeposit_verification_timeout", TIMEOUT),
    ],
)
def test_microdeposit_test_values(client: stripe.StripeClient, amounts, code, message) -> None:
    pi = needs_microdeposits(client)
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.verify_microdeposits(pi.id, params={"amounts": amounts})
    assert (err.value.code, err.value.user_message) == (code, message)
    failed = client.v1.payment_intents.retrieve(pi.id)
    assert (failed.status, failed.last_payment_error.code) == ("requires_payment_method", code)


def test_microdeposit_parameter_errors(client: stripe.StripeClient) -> None:
    pi = needs_microdeposits(client)
    cases = [
        (
            {"amounts": [32]},
            "payment_method_microdeposit_verification_amounts_invalid",
            "amounts",
            "You must provide exactly two microdeposit amounts.",
        ),
        (
            {"amounts": [32, 45], "descriptor_code": "SM11AA"},
            "parameters_exclusive",
            "amounts",
            "You may only specify one of these parameters: amounts, descriptor_code.",
        ),
        (
            {},
            "parameter_missing",
            None,
            "One of the following params should be provided for this request: amounts or "
            "descriptor_code.",
        ),
        (
            {"descriptor_code": "SM11AA"},
            None,
            "descriptor_code",
            "The bank account of this PaymentIntent was sent two amounts: verify it with "
            "`amounts`, not `descriptor_code`.",
        ),
        (
            {"amounts": [32, 145]},
            "payment_method_microdeposit_verification_amounts_invalid",
            "amounts",
            "Provide exactly two microdeposit amounts, in cents, each between 1 and 99.",
        ),
    ]
    for params, code, param, message in cases:
        with pytest.raises(stripe.InvalidRequestError) as err:
            client.v1.payment_intents.verify_microdeposits(pi.id, params=params)
        assert (err.value.code, err.value.param, err.value.user_message) == (code, param, message)
    # None of those counted as an attempt: two wrong guesses still leave one.
    for _ in range(2):
        with pytest.raises(stripe.InvalidRequestError):
            client.v1.payment_intents.verify_microdeposits(pi.id, params={"amounts": [1, 2]})
    assert (
        client.v1.payment_intents.verify_microdeposits(pi.id, params={"amounts": [32, 45]}).status
        == "processing"
    )
    card = client.v1.payment_intents.create(
        params={
            "amount": 1000,
            "currency": "usd",
            "payment_method_types": ["card"],
            "payment_method": "pm_card_threeDSecure2Required",
            "confirm": True,
        }
    )
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.verify_microdeposits(card.id, params={"amounts": [32, 45]})
    assert err.value.user_message == (
        "You cannot verify microdeposits on this PaymentIntent because it has a status of "
        "requires_action and a next_action of type use_stripe_sdk. Only a PaymentIntent with a "
        "status of requires_action and a next_action of type verify_with_microdeposits can be "
        "verified."
    )


def test_descriptor_code_microdeposits(own_database: str, tmp_path: Path) -> None:
    proc = ServerProcess(
        own_database, "--microdeposit-type", "descriptor_code", log_path=tmp_path / "server.log"
    ).start()
    try:
        client = make_client(proc)
        pi = needs_microdeposits(client)
        assert pi.next_action.verify_with_microdeposits.microdeposit_type == "descriptor_code"
        with pytest.raises(stripe.InvalidRequestError) as err:
            client.v1.payment_intents.verify_microdeposits(pi.id, params={"amounts": [32, 45]})
        assert err.value.param == "amounts"
        verified = client.v1.payment_intents.verify_microdeposits(
            pi.id, params={"descriptor_code": "SM11AA"}
        )
        assert verified.status == "processing"
        wait_for(client, pi.id, "succeeded")
        # Ten tries for descriptor codes: nine wrong ones leave one, the tenth fails it.
        other = needs_microdeposits(client)
        for remaining in range(9, 0, -1):
            with pytest.raises(stripe.InvalidRequestError) as err:
                client.v1.payment_intents.verify_microdeposits(
                    other.id, params={"descriptor_code": "SM00XX"}
                )
            assert err.value.code == (
                "payment_method_microdeposit_verification_descriptor_code_mismatch"
            )
            assert err.value.user_message == (
                "The verification code provided does not match the one sent to the bank "
                f"account. You have {remaining} verification attempts remaining."
            )
        with pytest.raises(stripe.InvalidRequestError) as err:
            client.v1.payment_intents.verify_microdeposits(
                other.id, params={"descriptor_code": "SM00XX"}
            )
        assert err.value.code == "payment_method_microdeposit_verification_attempts_exceeded"
    finally:
        proc.stop()


def test_time_runs_out_for_microdeposits_and_delayed_sepa_settles(
    fresh_server: ServerProcess,
) -> None:
    proc = fresh_server.start()
    try:
        client = make_client(proc)
        waiting = needs_microdeposits(client)
        # The Stripe CLI's payment_intent.processing fixture: a SEPA IBAN that settles after
        # three minutes.
        pm = client.v1.payment_methods.create(
            params={
                "type": "sepa_debit",
                "sepa_debit": {"iban": "AT321904300235473204"},
                "billing_details": {"name": "Jenny Rosen", "email": "jenny@example.com"},
            }
        )
        delayed = client.v1.payment_intents.create(
            params={
                "amount": 1000,
                "currency": "eur",
                "payment_method_types": ["sepa_debit"],
                "payment_method": pm.id,
                "confirm": True,
                "mandate_data": OFFLINE,
            }
        )
        assert delayed.status == "processing"
        time.sleep(1.5)
        assert client.v1.payment_intents.retrieve(delayed.id).status == "processing"
        proc.args = ["--clock-offset", "11d"]  # ten days pass
        proc.restart()
        failed = wait_for(client, waiting.id, "requires_payment_method")
        error = failed.last_payment_error
        assert (error.code, error.message, error.type) == (
            "payment_method_microdeposit_verification_timeout",
            TIMEOUT,
            "invalid_request_error",
        )
        assert error.payment_method.type == "us_bank_account"
        assert wait_for(client, delayed.id, "succeeded").amount_received == 1000
    finally:
        proc.stop()


# -- SEPA Direct Debit -----------------------------------------------------------------------


def sepa(client: stripe.StripeClient, iban: str, **params: Any) -> Any:
    return client.v1.payment_intents.create(
        params={
            "amount": 1000,
            "currency": "eur",
            "payment_method_types": ["sepa_debit"],
            "payment_method_data": {
                "type": "sepa_debit",
                "sepa_debit": {"iban": iban},
                "billing_details": {"name": "Jenny Rosen", "email": "jenny@example.com"},
            },
            "confirm": True,
            "mandate_data": ONLINE,
        }
        | params
    )


def test_sepa_debit_processing_then_succeeded(client: stripe.StripeClient) -> None:
    pi = sepa(client, "AT611904300234573201")
    assert pi.status == "processing"
    charge = client.v1.charges.retrieve(pi.latest_charge)
    details = charge.payment_method_details.sepa_debit
    assert (details.bank_code, details.branch_code, details.country, details.last4) == (
        "19043",
        "",
        "AT",
        "3201",
    )
    assert details.mandate.startswith("mandate_")
    done = wait_for(client, pi.id, "succeeded", timeout=15)
    assert done.amount_received == 1000
    assert client.v1.charges.retrieve(pi.latest_charge).status == "succeeded"


def test_sepa_debit_failure(client: stripe.StripeClient) -> None:
    pi = sepa(client, "AT861904300235473202")
    failed = wait_for(client, pi.id, "requires_payment_method", timeout=15)
    assert (failed.last_payment_error.code, failed.last_payment_error.type) == (
        "generic_could_not_process",
        "invalid_request_error",
    )
    assert failed.last_payment_error.message == "The SEPA Direct Debit could not be processed."
    assert client.v1.charges.retrieve(pi.latest_charge).failure_code == (
        "generic_could_not_process"
    )


# -- customer cash balance -------------------------------------------------------------------


def balance_intent(client: stripe.StripeClient, customer: str, **params: Any) -> Any:
    transfer = params.pop("bank_transfer", {"type": "us_bank_transfer"})
    return client.v1.payment_intents.create(
        params={
            "amount": 5000,
            "currency": "usd",
            "customer": customer,
            "payment_method_types": ["customer_balance"],
            "payment_method_data": {"type": "customer_balance"},
            "payment_method_options": {
                "customer_balance": {"funding_type": "bank_transfer", "bank_transfer": transfer}
            },
            "confirm": True,
        }
        | params
    )


def fund(client: stripe.StripeClient, customer: str, amount: int, currency: str = "usd", **kw):
    return client.v1.test_helpers.customers.fund_cash_balance(
        customer, params={"amount": amount, "currency": currency, **kw}
    )


def test_cli_partially_funded_fixture(client: stripe.StripeClient) -> None:
    """`stripe trigger payment_intent.partially_funded`, call for call."""
    cus = client.v1.customers.create(params={"description": "(created by Stripe CLI)"})
    pi = client.v1.payment_intents.create(
        params={
            "amount": 20000,
            "currency": "jpy",
            "customer": cus.id,
            "description": "(created by Stripe CLI)",
            "payment_method_types": ["customer_balance"],
            "payment_method_data": {"type": "customer_balance"},
            "payment_method_options": {
                "customer_balance": {
                    "funding_type": "bank_transfer",
                    "bank_transfer": {"type": "jp_bank_account"},
                }
            },
            "confirm": "true",
        }
    )
    assert pi.status == "requires_action"
    assert pi.payment_method_options.customer_balance.bank_transfer.type == "jp_bank_transfer"
    instructions = pi.next_action.display_bank_transfer_instructions
    assert pi.next_action.type == "display_bank_transfer_instructions"
    assert (instructions.amount_remaining, instructions.currency, instructions.type) == (
        20000,
        "jpy",
        "jp_bank_transfer",
    )
    assert instructions.reference is None  # Japanese transfers carry no reference
    [address] = instructions.financial_addresses
    assert (address.type, address.supported_networks) == ("zengin", ["zengin"])
    assert address.zengin.account_type == "futsu"
    assert len(address.zengin.account_number) == 7
    assert instructions.hosted_instructions_url.startswith("http")
    funded = fund(client, cus.id, 10000, "jpy")
    assert funded.to_dict() == {
        "id": funded.id,
        "object": "customer_cash_balance_transaction",
        "created": funded.created,
        "currency": "jpy",
        "customer": cus.id,
        "ending_balance": 10000,
        "funded": {
            "bank_transfer": {
                "jp_bank_transfer": {
                    "sender_bank": None,
                    "sender_branch": None,
                    "sender_name": None,
                },
                "reference": None,
                "type": "jp_bank_transfer",
            }
        },
        "livemode": False,
        "net_amount": 10000,
        "type": "funded",
    }
    assert funded.id.startswith("ccsbtxn_")
    assert_stripe_shape(funded.to_dict(), "customer_cash_balance_transaction")
    after = client.v1.payment_intents.retrieve(pi.id)
    assert after.status == "requires_action"
    assert after.next_action.display_bank_transfer_instructions.amount_remaining == 10000
    assert after.amount_received == 0
    [event] = client.v1.events.list(params={"type": "payment_intent.partially_funded"}).data
    assert event.data.object.id == pi.id
    assert (
        event.data.object.next_action.display_bank_transfer_instructions.amount_remaining == 10000
    )
    balance = client.v1.customers.cash_balance.retrieve(cus.id)
    assert balance.available.to_dict() == {"jpy": 0}
    # The rest arrives, with some extra: the payment succeeds and the extra stays.
    fund(client, cus.id, 15000, "jpy")
    done = client.v1.payment_intents.retrieve(pi.id)
    assert (done.status, done.amount_received, done.next_action) == ("succeeded", 20000, None)
    charge = client.v1.charges.retrieve(done.latest_charge)
    assert (charge.status, charge.amount, charge.paid, charge.customer) == (
        "succeeded",
        20000,
        True,
        cus.id,
    )
    assert charge.payment_method_details.to_dict() == {
        "type": "customer_balance",
        "customer_balance": {},
    }
    assert client.v1.customers.cash_balance.retrieve(cus.id).available.to_dict() == {"jpy": 5000}
    transactions = client.v1.customers.cash_balance_transactions.list(cus.id).data
    assert [(t.type, t.net_amount, t.ending_balance) for t in transactions] == [
        ("applied_to_payment", -10000, 5000),
        ("funded", 15000, 15000),
        ("applied_to_payment", -10000, 0),
        ("funded", 10000, 10000),
    ]
    assert transactions[0].applied_to_payment.payment_intent == pi.id
    one = client.v1.customers.cash_balance_transactions.retrieve(cus.id, transactions[1].id)
    assert one.id == transactions[1].id
    available = client.v1.events.list(params={"type": "cash_balance.funds_available"}).data
    assert [e.data.object.available.to_dict() for e in available] == [{"jpy": 5000}]


def test_balance_that_covers_the_payment_pays_it_at_once(client: stripe.StripeClient) -> None:
    cus = client.v1.customers.create()
    fund(client, cus.id, 8000)
    pi = balance_intent(client, cus.id)
    assert (pi.status, pi.amount_received, pi.next_action) == ("succeeded", 5000, None)
    assert client.v1.customers.cash_balance.retrieve(cus.id).available.to_dict() == {"usd": 3000}
    # A second payment takes what is left and waits for the rest.
    second = balance_intent(client, cus.id)
    assert second.status == "requires_action"
    assert second.next_action.display_bank_transfer_instructions.amount_remaining == 2000
    assert client.v1.customers.cash_balance.retrieve(cus.id).available.to_dict() == {"usd": 0}


def test_bank_transfer_instructions(client: stripe.StripeClient) -> None:
    cus = client.v1.customers.create()
    pi = balance_intent(client, cus.id)
    instructions = pi.next_action.display_bank_transfer_instructions
    assert [a.type for a in instructions.financial_addresses] == ["aba", "swift"]
    aba = instructions.financial_addresses[0]
    assert aba.aba.routing_number == "110000000"
    assert aba.supported_networks == ["ach", "domestic_wire_us"]
    assert len(instructions.reference) == 12
    # The customer's virtual account is the same for every payment.
    again = balance_intent(
        client,
        cus.id,
        bank_transfer={"type": "us_bank_transfer", "requested_address_types": ["aba"]},
    )
    [only] = again.next_action.display_bank_transfer_instructions.financial_addresses
    assert only.aba.account_number == aba.aba.account_number
    assert again.next_action.display_bank_transfer_instructions.reference != instructions.reference
    eur = balance_intent(
        client,
        cus.id,
        currency="eur",
        bank_transfer={"type": "eu_bank_transfer", "eu_bank_transfer": {"country": "FR"}},
    )
    [iban] = eur.next_action.display_bank_transfer_instructions.financial_addresses
    assert (iban.type, iban.iban.country, iban.supported_networks) == ("iban", "FR", ["sepa"])
    assert iban.iban.iban.startswith("FR") and len(iban.iban.iban) == 27
    with pytest.raises(stripe.InvalidRequestError) as err:
        balance_intent(client, cus.id, bank_transfer={"type": "gb_bank_transfer"})
    assert err.value.param == ("payment_method_options[customer_balance][bank_transfer][type]")
    assert err.value.user_message == (
        "The bank transfer type gb_bank_transfer can only be used for payments in GBP, but "
        "this PaymentIntent's currency is USD."
    )


def test_customer_balance_needs_a_customer(client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(
        params={"amount": 5000, "currency": "usd", "payment_method_types": ["customer_balance"]}
    )
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.confirm(
            pi.id,
            params={
                "payment_method_data": {"type": "customer_balance"},
                "payment_method_options": {
                    "customer_balance": {
                        "funding_type": "bank_transfer",
                        "bank_transfer": {"type": "us_bank_transfer"},
                    }
                },
            },
        )
    assert (err.value.http_status, err.value.param) == (400, "customer")
    assert err.value.user_message == (
        "A customer is required to use the customer_balance payment method: create or update "
        "the PaymentIntent with `customer`."
    )
    assert client.v1.payment_intents.retrieve(pi.id).status == "requires_payment_method"


def test_manual_reconciliation_and_apply_customer_balance(client: stripe.StripeClient) -> None:
    cus = client.v1.customers.create(
        params={"cash_balance": {"settings": {"reconciliation_mode": "manual"}}}
    )
    settings = client.v1.customers.cash_balance.retrieve(cus.id).settings
    assert (settings.reconciliation_mode, settings.using_merchant_default) == ("manual", False)
    pi = balance_intent(client, cus.id)
    fund(client, cus.id, 4000)
    # Manual: the funds wait in the balance.
    waiting = client.v1.payment_intents.retrieve(pi.id)
    assert waiting.next_action.display_bank_transfer_instructions.amount_remaining == 5000
    [event] = client.v1.events.list(params={"type": "cash_balance.funds_available"}).data
    assert event.data.object.available.to_dict() == {"usd": 4000}
    partial = client.v1.payment_intents.apply_customer_balance(pi.id, params={"amount": 1500})
    assert partial.status == "requires_action"
    assert partial.next_action.display_bank_transfer_instructions.amount_remaining == 3500
    errors = [
        ({"currency": "eur"}, "currency", None),
        ({"amount": 6000}, "amount", "amount_too_large"),
        ({"amount": 4000}, "amount", "amount_too_large"),
        ({}, "amount", "balance_insufficient"),
    ]
    for params, param, code in errors:
        with pytest.raises(stripe.InvalidRequestError) as err:
            client.v1.payment_intents.apply_customer_balance(pi.id, params=params)
        assert (err.value.param, err.value.code) == (param, code)
    assert err.value.user_message == (
        "The customer's cash balance ($25.00) is less than the amount to apply ($35.00)."
    )
    fund(client, cus.id, 1000)
    done = client.v1.payment_intents.apply_customer_balance(pi.id, params={"currency": "usd"})
    assert (done.status, done.amount_received) == ("succeeded", 5000)
    assert client.v1.customers.cash_balance.retrieve(cus.id).available.to_dict() == {"usd": 0}
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.apply_customer_balance(pi.id)
    assert err.value.code == "payment_intent_unexpected_state"
    # Back to the account's default: automatic.
    reset = client.v1.customers.cash_balance.update(
        cus.id, params={"settings": {"reconciliation_mode": "merchant_default"}}
    )
    assert reset.settings.to_dict() == {
        "reconciliation_mode": "automatic",
        "using_merchant_default": True,
    }


def remaining(client: stripe.StripeClient, *intents: Any) -> list[int | str]:
    """What each payment still waits for, or its status once it stopped waiting."""
    out: list[int | str] = []
    for intent in intents:
        pi = client.v1.payment_intents.retrieve(intent.id)
        waiting = pi.status == "requires_action"
        out.append(
            pi.next_action.display_bank_transfer_instructions.amount_remaining
            if waiting
            else pi.status
        )
    return out


def test_reconciliation_order(client: stripe.StripeClient) -> None:
    cus = client.v1.customers.create()
    first, second, third = (balance_intent(client, cus.id, amount=a) for a in (1000, 2000, 3000))
    # The transfer quotes the third payment's reference: it is paid first, the rest goes to
    # the oldest.
    reference = third.next_action.display_bank_transfer_instructions.reference
    fund(client, cus.id, 3500, reference=reference)
    assert remaining(client, first, second, third) == [500, 2000, "succeeded"]
    # An exact group of waiting payments (the smallest, then the oldest) wins.
    a, b, c = (balance_intent(client, cus.id, amount=x) for x in (1000, 2000, 3000))
    fund(client, cus.id, 5000)
    assert remaining(client, first, second, a, b, c) == [500, "succeeded", 1000, 2000, "succeeded"]
    fund(client, cus.id, 2000)
    assert remaining(client, first, a, b) == [500, 1000, "succeeded"]
    # No exact match: the oldest first.
    fund(client, cus.id, 700)
    assert remaining(client, first, a) == ["succeeded", 800]
    assert client.v1.customers.cash_balance.retrieve(cus.id).available.to_dict() == {"usd": 0}


def test_canceling_a_partly_funded_payment_returns_the_funds(client: stripe.StripeClient):
    cus = client.v1.customers.create()
    pi = balance_intent(client, cus.id)
    fund(client, cus.id, 2000)
    client.v1.payment_intents.cancel(pi.id)
    assert client.v1.customers.cash_balance.retrieve(cus.id).available.to_dict() == {"usd": 2000}
    latest = client.v1.customers.cash_balance_transactions.list(cus.id).data[0]
    assert (latest.type, latest.net_amount, latest.ending_balance) == (
        "unapplied_from_payment",
        2000,
        2000,
    )
    assert latest.unapplied_from_payment.payment_intent == pi.id


def test_cash_balance_object(client: stripe.StripeClient) -> None:
    cus = client.v1.customers.create()
    balance = client.v1.customers.cash_balance.retrieve(cus.id)
    assert balance.to_dict() == {
        "object": "cash_balance",
        "available": None,
        "customer": cus.id,
        "livemode": False,
        "settings": {"reconciliation_mode": "automatic", "using_merchant_default": True},
    }
    assert_stripe_shape(balance.to_dict())
    client.v1.customers.update(
        cus.id, params={"cash_balance": {"settings": {"reconciliation_mode": "manual"}}}
    )
    assert client.v1.customers.cash_balance.retrieve(cus.id).settings.reconciliation_mode == (
        "manual"
    )
    with pytest.raises(stripe.InvalidRequestError) as err:
        fund(client, cus.id, 1000, "cad")
    assert err.value.param == "currency"
    with pytest.raises(stripe.InvalidRequestError) as err:
        fund(client, "cus_missing", 1000)
    assert (err.value.http_status, err.value.code) == (404, "resource_missing")


# -- hosted pages ------------------------------------------------------------------------------


def test_hosted_microdeposit_page(client: stripe.StripeClient) -> None:
    pi = needs_microdeposits(client)
    url = pi.next_action.verify_with_microdeposits.hosted_verification_url
    page = HTTP.get(url)
    assert page.status_code == 200
    assert 'id="last4">6789<' in page.text
    assert 'name="amount_1"' in page.text and 'name="amount_2"' in page.text
    form = {"client_secret": pi.client_secret, "publishable_key": url.split("publishable_key=")[1]}
    wrong = HTTP.post(url.split("?")[0], data={**form, "amount_1": "1", "amount_2": "2"})
    assert wrong.status_code == 400
    assert f"{MISMATCH} You have 2 verification attempts remaining." in wrong.text
    done = HTTP.post(url.split("?")[0], data={**form, "amount_1": "32", "amount_2": "45"})
    assert done.status_code == 200
    assert "Bank account verified" in done.text
    assert client.v1.payment_intents.retrieve(pi.id).status in ("processing", "succeeded")
    assert "Nothing to verify" in HTTP.get(url).text
    forged = HTTP.get(url.replace(pi.client_secret, pi.client_secret + "x"))
    assert (forged.status_code, "This link is not valid." in forged.text) == (400, True)


def test_hosted_bank_transfer_page(client: stripe.StripeClient) -> None:
    cus = client.v1.customers.create()
    pi = balance_intent(client, cus.id)
    instructions = pi.next_action.display_bank_transfer_instructions
    page = HTTP.get(instructions.hosted_instructions_url)
    assert page.status_code == 200
    assert 'id="amount">$50.00 USD<' in page.text
    assert f'id="reference">{instructions.reference}<' in page.text
    account = instructions.financial_addresses[0].aba.account_number
    assert f'class="account_number">{account}<' in page.text
