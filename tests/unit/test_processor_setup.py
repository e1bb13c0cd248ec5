"""The simulated processor's check of a method saved for later (SetupIntents): every test card's
outcome, the challenge's, the bank debits'."""

from __future__ import annotations

import pytest

from payintents.processor import SetupRequest, SimulatedProcessor
from payintents.processor.cards import CARDS

P = SimulatedProcessor()
NOW = 1_780_000_000
ACCOUNT = "acct_test_1"


def request(ref: str, three_d_secure: str = "automatic") -> SetupRequest:
    return SetupRequest(
        processor_ref=ref,
        payment_method_type=ref.split(":", 1)[0],
        usage="off_session",
        request_three_d_secure=three_d_secure,
        now=NOW,
    )


def card_ref(number: str) -> str:
    return P.tokenize_card(
        number=number, exp_month=12, exp_year=2034, cvc="123", account=ACCOUNT, livemode=False,
        now=NOW,
    ).processor_ref  # fmt: skip


@pytest.mark.parametrize("number", sorted(CARDS))
def test_every_test_card_sets_up_as_it_attaches(number: str) -> None:
    """3-D Secure where the card asks for it; otherwise the attach rule decides."""
    ref = card_ref(number)
    card = CARDS[number]
    result = P.setup(request(ref))
    if card.three_ds in ("required", "on_setup"):
        assert result.outcome == "requires_authentication"
        done = P.complete_setup_authentication(request(ref), succeeded=True)
        assert done.outcome == "approved"
        assert done.three_d_secure["authentication_flow"] == "challenge"
        failed = P.complete_setup_authentication(request(ref), succeeded=False)
        assert failed.decline.code == "setup_intent_authentication_failure"
        return
    decline = P.can_attach(ref)
    if decline is None:
        assert result.outcome == "approved"
        assert result.card_checks["cvc_check"] == ("fail" if card.cvc_check_fails else "pass")
    else:
        assert (result.outcome, result.decline) == ("declined", decline)


def test_three_d_secure_requested_and_frictionless() -> None:
    visa = card_ref("4242424242424242")
    assert P.setup(request(visa, "any")).outcome == "requires_authentication"
    assert P.setup(request(visa, "challenge")).outcome == "requires_authentication"
    amex = card_ref("378282246310005")
    assert P.setup(request(amex, "any")).outcome == "approved"
    frictionless = P.setup(request(card_ref("4000000032200000")))
    assert frictionless.outcome == "approved"
    assert frictionless.three_d_secure["authentication_flow"] == "frictionless"


def test_bank_debits() -> None:
    iban = P.tokenize_sepa_debit(iban="DE89370400440532013000", account=ACCOUNT)
    assert P.setup(request(iban.processor_ref)).outcome == "approved"
    hand = P.tokenize_us_bank_account(
        routing_number="110000000", account_number="000123456789", account_holder_type=None,
        account_type=None, account=ACCOUNT,
    )  # fmt: skip
    assert P.setup(request(hand.processor_ref)).outcome == "requires_verification"
    token = P.test_token("pm_usBankAccount_success", account=ACCOUNT)
    assert token is not None
    assert P.setup(request(token.processor_ref)).outcome == "approved"
