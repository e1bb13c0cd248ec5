"""Every documented test token, and a property test over random sequences of API calls."""

from __future__ import annotations

from pathlib import Path

import pytest
import stripe
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from tests.conftest import make_client
from tests.lifecycle_edges import STRIPE_EDGES
from tests.server import ServerProcess

TOKENS = [
    ("pm_card_visa", "succeeded", None, None),
    ("pm_card_mastercard", "succeeded", None, None),
    ("pm_card_amex", "succeeded", None, None),
    ("pm_card_visa_debit", "succeeded", None, None),
    ("pm_card_threeDSecureOptional", "succeeded", None, None),
    ("pm_card_chargeDeclined", "error", "card_declined", "generic_decline"),
    ("pm_card_visa_chargeDeclined", "error", "card_declined", "generic_decline"),
    ("pm_card_chargeDeclinedInsufficientFunds", "error", "card_declined", "insufficient_funds"),
    ("pm_card_chargeDeclinedExpiredCard", "error", "expired_card", "expired_card"),
    ("pm_card_chargeDeclinedIncorrectCvc", "error", "incorrect_cvc", "incorrect_cvc"),
    ("pm_card_chargeDeclinedProcessingError", "error", "processing_error", "processing_error"),
    ("pm_card_chargeDeclinedFraudulent", "error", "card_declined", "fraudulent"),
    ("pm_card_authenticationRequired", "requires_action", None, None),
    ("pm_card_threeDSecure2Required", "requires_action", None, None),
]


@pytest.mark.parametrize(("token", "status", "code", "decline_code"), TOKENS)
def test_every_documented_token(client, token, status, code, decline_code) -> None:
    params = {
        "amount": 1999,
        "currency": "usd",
        "payment_method_types": ["card"],
        "payment_method": token,
        "confirm": True,
    }
    if status == "error":
        with pytest.raises(stripe.CardError) as err:
            client.v1.payment_intents.create(params=params)
        assert (err.value.code, err.value.error.decline_code) == (code, decline_code)
        return
    pi = client.v1.payment_intents.create(params=params)
    assert pi.status == status
    brand = client.v1.payment_methods.retrieve(pi.payment_method).card.brand
    expected = {"pm_card_mastercard": "mastercard", "pm_card_amex": "amex"}.get(token, "visa")
    assert brand == expected


def test_charge_customer_fail_attaches_then_declines(client) -> None:
    cus = client.v1.customers.create()
    pm = client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4000000000000341", "exp_month": 3, "exp_year": 2033, "cvc": "123"},
        }
    )
    assert client.v1.payment_methods.attach(pm.id, params={"customer": cus.id}).customer == cus.id
    with pytest.raises(stripe.CardError) as err:
        client.v1.payment_intents.create(
            params={
                "amount": 500,
                "currency": "usd",
                "customer": cus.id,
                "payment_method": pm.id,
                "payment_method_types": ["card"],
                "confirm": True,
            }
        )
    assert err.value.code == "card_declined"


PAYMENT_METHODS = st.sampled_from(
    [
        "pm_card_visa",
        "pm_card_chargeDeclined",
        "pm_card_authenticationRequired",
        "pm_card_chargeDeclinedInsufficientFunds",
        "pm_card_mastercard",
    ]
)


class PaymentIntentCalls(RuleBasedStateMachine):
    """Random create/update/confirm/capture/cancel/refund calls never break the invariants."""

    server = None

    def __init__(self) -> None:
        super().__init__()
        self.client = make_client(type(self).server)
        self.intents: list[str] = []
        self.seen: dict[str, str] = {}

    def _call(self, fn, *args, **kwargs) -> None:
        try:
            fn(*args, **kwargs)
        except stripe.CardError as err:
            assert err.http_status == 402
        except stripe.InvalidRequestError as err:
            assert err.http_status in (400, 404)

    @rule(amount=st.integers(50, 5000), manual=st.booleans())
    def create(self, amount: int, manual: bool) -> None:
        pi = self.client.v1.payment_intents.create(
            params={
                "amount": amount,
                "currency": "usd",
                "payment_method_types": ["card"],
                "capture_method": "manual" if manual else "automatic",
            }
        )
        self.intents.append(pi.id)
        self.seen[pi.id] = pi.status

    @rule(index=st.integers(0, 50), pm=PAYMENT_METHODS)
    def confirm(self, index: int, pm: str) -> None:
        if self.intents:
            pi = self.intents[index % len(self.intents)]
            self._call(self.client.v1.payment_intents.confirm, pi, params={"payment_method": pm})

    @rule(index=st.integers(0, 50), amount=st.integers(1, 6000))
    def capture(self, index: int, amount: int) -> None:
        if self.intents:
            pi = self.intents[index % len(self.intents)]
            self._call(
                self.client.v1.payment_intents.capture, pi, params={"amount_to_capture": amount}
            )

    @rule(index=st.integers(0, 50))
    def cancel(self, index: int) -> None:
        if self.intents:
            self._call(
                self.client.v1.payment_intents.cancel, self.intents[index % len(self.intents)]
            )

    @rule(index=st.integers(0, 50), amount=st.integers(50, 6000))
    def update_amount(self, index: int, amount: int) -> None:
        if self.intents:
            self._call(
                self.client.v1.payment_intents.update,
                self.intents[index % len(self.intents)],
                params={"amount": amount},
            )

    @rule(index=st.integers(0, 50), amount=st.integers(1, 3000))
    def refund(self, index: int, amount: int) -> None:
        if self.intents:
            self._call(
                self.client.v1.refunds.create,
                params={
                    "payment_intent": self.intents[index % len(self.intents)],
                    "amount": amount,
                },
            )

    @invariant()
    def invariants_hold(self) -> None:
        for pi_id in self.intents:
            pi = self.client.v1.payment_intents.retrieve(pi_id)
            assert 0 <= pi.amount_received <= pi.amount
            assert pi.amount_capturable in (0, pi.amount)
            charges = self.client.v1.charges.list(params={"payment_intent": pi_id}).data
            succeeded = [c for c in charges if c.status == "succeeded"]
            assert len(succeeded) <= 1
            if pi.status in ("succeeded", "requires_capture"):
                assert len(succeeded) == 1 and succeeded[0].id == pi.latest_charge
            for c in charges:
                assert c.amount_refunded <= c.amount_captured
            before = self.seen[pi_id]
            assert before == pi.status or (before, pi.status) in STRIPE_EDGES, (before, pi.status)
            self.seen[pi_id] = pi.status


def test_random_call_sequences_keep_invariants(server) -> None:
    PaymentIntentCalls.server = server
    run_state_machine_as_test(
        PaymentIntentCalls,
        settings=settings(
            max_examples=12,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


# Successful, declining, 3-D Secure and refund-changing test cards.
RAW_NUMBERS = [
    "4242424242424242",
    "5555555555554444",
    "378282246310005",
    "4000000000000002",
    "4000000000009995",
    "4000000000000127",
    "4000002760003184",
    "4000000000007726",
]


def test_database_holds_no_raw_card_number(tmp_path: Path) -> None:
    """Card numbers given as payment_method_data[card][number] are never written anywhere in
    the SQLite database (its file and write-ahead log), whatever happens to the payment."""
    database = tmp_path / "cards.sqlite3"
    proc = ServerProcess(str(database), log_path=tmp_path / "server.log").start()
    try:
        client = make_client(proc)
        for index, number in enumerate(RAW_NUMBERS):
            card = {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}
            params = {
                "amount": 2000,
                "currency": "usd",
                "payment_method_types": ["card"],
                "payment_method_data": {"type": "card", "card": card},
                "capture_method": "manual",
                "confirm": True,
            }
            try:
                pi = client.v1.payment_intents.create(
                    params=params, options={"idempotency_key": f"raw-card-{index}"}
                )
            except stripe.CardError:
                continue
            if pi.status == "requires_capture":
                client.v1.payment_intents.capture(pi.id, params={"amount_to_capture": 1500})
                client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 500})
            pm = client.v1.payment_methods.create(params={"type": "card", "card": card})
            assert pm.card.last4 == number[-4:]
        stored = b"".join(p.read_bytes() for p in tmp_path.glob("cards.sqlite3*"))
    finally:
        proc.stop()
    stored += b"".join(p.read_bytes() for p in tmp_path.glob("cards.sqlite3*"))
    # The payments are there, named by the test cards' profiles...
    assert b"card:visa:c" in stored
    assert b"card:chargeDeclined:c" in stored
    # ...and no number is.
    for number in RAW_NUMBERS:
        assert number.encode() not in stored, number
