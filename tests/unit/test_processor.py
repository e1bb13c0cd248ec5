"""The simulated processor: Stripe's test cards, tokens, 3-D Secure, bank debits, microdeposits."""

from __future__ import annotations

import inspect
from dataclasses import replace
from typing import Any

import pytest

from payintents.processor import (
    AuthorizationRequest,
    AuthorizationResult,
    Decline,
    Processor,
    SimulatedProcessor,
    Tokenized,
    TokenizeError,
)
from payintents.processor.cards import CARDS, PROFILES

NOW = 1_780_000_000  # 2026-05-28 UTC
ACCOUNT = "acct_test_1"
P = SimulatedProcessor()

DECLINED = "Your card was declined."
LIVE_CARD = (
    "Your card was declined. Your request was in test mode, but used a non test (live) card. "
    "For a list of valid test cards, visit: https://stripe.com/docs/testing."
)
AUTH_REQUIRED = "Your card was declined. This transaction requires authentication."
AUTH_FAILED = (
    "We are unable to authenticate your payment method. Please choose a different payment "
    "method and try again."
)


def card(number: str, cvc: str | None = "123", **kw: Any) -> Tokenized:
    args: dict[str, Any] = {
        "number": number,
        "exp_month": 12,
        "exp_year": 2030,
        "cvc": cvc,
        "account": ACCOUNT,
        "livemode": False,
        "now": NOW,
    }
    return P.tokenize_card(**{**args, **kw})


def token(name: str, account: str = ACCOUNT) -> Tokenized:
    tokenized = P.test_token(name, account=account)
    assert tokenized is not None, name
    return tokenized


def request(ref: str, **kw: Any) -> AuthorizationRequest:
    base = AuthorizationRequest(
        processor_ref=ref,
        payment_method_type=ref.split(":", 1)[0],
        amount=2000,
        currency="usd",
        capture_method="automatic",
        off_session=False,
        request_three_d_secure="automatic",
        setup_future_usage=None,
        request_incremental_authorization=False,
        now=NOW,
    )
    return replace(base, **kw)


def authorize(ref: str, **kw: Any) -> AuthorizationResult:
    return P.authorize(request(ref, **kw))


def test_simulated_processor_implements_the_protocol() -> None:
    processor: Processor = SimulatedProcessor()
    for name, member in inspect.getmembers(Processor, inspect.isfunction):
        if not name.startswith("_"):
            assert inspect.signature(getattr(processor, name)).parameters.keys() == (
                set(inspect.signature(member).parameters) - {"self"}
            ), name


# -- successful cards ----------------------------------------------------------------------


BRAND_CARDS = [
    ("4242424242424242", "visa", "credit", "US", "4242"),
    ("4000056655665556", "visa", "debit", "US", "5556"),
    ("5555555555554444", "mastercard", "credit", "US", "4444"),
    ("2223003122003222", "mastercard", "credit", "US", "3222"),
    ("5200828282828210", "mastercard", "debit", "US", "8210"),
    ("5105105105105100", "mastercard", "prepaid", "US", "5100"),
    ("378282246310005", "amex", "credit", "US", "0005"),
    ("371449635398431", "amex", "credit", "US", "8431"),
    ("6011111111111117", "discover", "credit", "US", "1117"),
    ("6011000990139424", "discover", "credit", "US", "9424"),
    ("6011981111111113", "discover", "debit", "US", "1113"),
    ("3056930009020004", "diners", "credit", "US", "0004"),
    ("36227206271667", "diners", "credit", "US", "1667"),
    ("6555900000604105", "discover", "credit", "KR", "4105"),
    ("3566002020360505", "jcb", "credit", "JP", "0505"),
    ("6200000000000005", "unionpay", "credit", "CN", "0005"),
    ("6205500000000000004", "unionpay", "credit", "CN", "0004"),
    ("4000000760000002", "visa", "credit", "BR", "0002"),
    ("4000008260000000", "visa", "credit", "GB", "0000"),
    ("4000058260000005", "visa", "debit", "GB", "0005"),
]


@pytest.mark.parametrize(("number", "brand", "funding", "country", "last4"), BRAND_CARDS)
def test_brand_cards_tokenize_and_approve(
    number: str, brand: str, funding: str, country: str, last4: str
) -> None:
    tokenized = card(number)
    details = tokenized.details
    assert tokenized.type == "card"
    assert (details["brand"], details["funding"], details["country"], details["last4"]) == (
        brand,
        funding,
        country,
        last4,
    )
    assert details["exp_month"] == 12
    assert details["exp_year"] == 2030
    assert details["checks"] == {
        "address_line1_check": None,
        "address_postal_code_check": None,
        "cvc_check": "unchecked",
    }
    assert details["networks"] == {"available": [brand], "preferred": None}
    assert details["generated_from"] is None
    assert details["wallet"] is None
    result = authorize(tokenized.processor_ref)
    assert result.outcome == "approved"
    assert result.decline is None
    outcome = result.charge_outcome
    assert outcome is not None
    assert outcome["network_status"] == "approved_by_network"
    assert outcome["type"] == "authorized"
    assert outcome["reason"] is None
    assert outcome["risk_level"] == "normal"
    assert 0 <= outcome["risk_score"] < 65
    assert outcome["rule"] is None
    assert outcome["seller_message"] == "Payment complete."
    assert result.card_checks == {
        "address_line1_check": None,
        "address_postal_code_check": None,
        "cvc_check": "pass",
    }
    assert result.three_d_secure is None
    assert result.capture_before is None
    assert result.network_transaction_id is not None
    assert len(result.network_transaction_id) == 15
    assert result.authorization_code is not None
    assert len(result.authorization_code) == 6


def test_card_details_have_exactly_stripes_payment_method_card_fields() -> None:
    assert set(card("4242424242424242").details) == {
        "brand",
        "checks",
        "country",
        "display_brand",
        "exp_month",
        "exp_year",
        "fingerprint",
        "funding",
        "generated_from",
        "last4",
        "networks",
        "three_d_secure_usage",
        "wallet",
    }


@pytest.mark.parametrize(
    ("number", "display"),
    [
        ("4242424242424242", "visa"),
        ("378282246310005", "american_express"),
        ("3056930009020004", "diners_club"),
        ("6200000000000005", "union_pay"),
        ("5555555555554444", "mastercard"),
    ],
)
def test_display_brand(number: str, display: str) -> None:
    assert card(number).details["display_brand"] == display


def test_without_cvc_the_cvc_check_is_null() -> None:
    tokenized = card("4242424242424242", cvc=None)
    assert tokenized.details["checks"]["cvc_check"] is None
    result = authorize(tokenized.processor_ref)
    assert result.card_checks is not None
    assert result.card_checks["cvc_check"] is None


def test_co_branded_card_lists_both_networks() -> None:
    details = token("pm_card_visa_cartesBancaires").details
    assert details["brand"] == "visa"
    assert details["country"] == "FR"
    assert details["networks"]["available"] == ["visa", "cartes_bancaires"]


TOKENS = [
    ("pm_card_visa", "visa", "credit", "4242"),
    ("pm_card_visa_debit", "visa", "debit", "5556"),
    ("pm_card_mastercard", "mastercard", "credit", "4444"),
    ("pm_card_mastercard_debit", "mastercard", "debit", "8210"),
    ("pm_card_mastercard_prepaid", "mastercard", "prepaid", "5100"),
    ("pm_card_amex", "amex", "credit", "0005"),
    ("pm_card_discover", "discover", "credit", "1117"),
    ("pm_card_diners", "diners", "credit", "0004"),
    ("pm_card_jcb", "jcb", "credit", "0505"),
    ("pm_card_unionpay", "unionpay", "credit", "0005"),
    ("pm_card_us", "visa", "credit", "4242"),
    ("pm_card_gb", "visa", "credit", "0000"),
    ("pm_card_de", "visa", "credit", "0016"),
    ("pm_card_fr", "visa", "credit", "0003"),
    ("pm_card_br", "visa", "credit", "0002"),
    ("pm_card_th_debit", "visa", "debit", "0008"),
    ("pm_card_bypassPending", "visa", "credit", "0077"),
    ("pm_card_bypassPendingInternational", "visa", "credit", "0278"),
    ("pm_card_createDispute", "visa", "credit", "0259"),
    ("pm_card_pendingRefund", "visa", "credit", "7726"),
    ("pm_card_refundFail", "visa", "credit", "5126"),
    ("pm_card_riskLevelElevated", "visa", "credit", "9235"),
    ("pm_card_cvcCheckFail", "visa", "credit", "0101"),
    ("pm_card_avsZipFail", "visa", "credit", "0036"),
    ("pm_card_threeDSecureOptional", "visa", "credit", "3055"),
    ("pm_card_amex_threeDSecureNotSupported", "amex", "credit", "0005"),
]


@pytest.mark.parametrize(("name", "brand", "funding", "last4"), TOKENS)
def test_successful_tokens(name: str, brand: str, funding: str, last4: str) -> None:
    tokenized = token(name)
    details = tokenized.details
    assert (details["brand"], details["funding"], details["last4"]) == (brand, funding, last4)
    assert details["exp_month"] == 12
    assert details["exp_year"] == 2034
    assert details["checks"]["cvc_check"] == "unchecked"
    assert authorize(tokenized.processor_ref).outcome == "approved"


def test_unknown_token_is_none() -> None:
    assert P.test_token("pm_card_nope", account=ACCOUNT) is None
    assert P.test_token("pm_123", account=ACCOUNT) is None


def test_token_and_number_share_a_fingerprint() -> None:
    assert (
        token("pm_card_visa").details["fingerprint"]
        == card("4242424242424242").details["fingerprint"]
    )


# -- declines --------------------------------------------------------------------------------


VELOCITY = (
    "Your card was declined for making repeated attempts too frequently or exceeding its amount "
    "limit."
)
PROCESSING = "An error occurred while processing your card. Try again in a little bit."
DECLINE_CARDS = [
    # number, tokens, code, decline_code, message, param
    (
        "4000000000000002",
        ["pm_card_visa_chargeDeclined", "pm_card_chargeDeclined"],
        "card_declined",
        "generic_decline",
        DECLINED,
        None,
    ),
    (
        "4000000000009995",
        [
            "pm_card_visa_chargeDeclinedInsufficientFunds",
            "pm_card_chargeDeclinedInsufficientFunds",
        ],
        "card_declined",
        "insufficient_funds",
        "Your card has insufficient funds.",
        None,
    ),
    (
        "4000000000009987",
        ["pm_card_visa_chargeDeclinedLostCard", "pm_card_chargeDeclinedLostCard"],
        "card_declined",
        "lost_card",
        DECLINED,
        None,
    ),
    (
        "4000000000009979",
        ["pm_card_visa_chargeDeclinedStolenCard", "pm_card_chargeDeclinedStolenCard"],
        "card_declined",
        "stolen_card",
        DECLINED,
        None,
    ),
    (
        "4000000000000069",
        ["pm_card_chargeDeclinedExpiredCard"],
        "expired_card",
        "expired_card",
        "Your card has expired.",
        "exp_month",
    ),
    (
        "4000000000000127",
        ["pm_card_chargeDeclinedIncorrectCvc"],
        "incorrect_cvc",
        "incorrect_cvc",
        "Your card's security code is incorrect.",
        "cvc",
    ),
    (
        "4000000000000119",
        ["pm_card_chargeDeclinedProcessingError"],
        "processing_error",
        "processing_error",
        PROCESSING,
        None,
    ),
    (
        "4000000000006975",
        ["pm_card_visa_chargeDeclinedVelocityLimitExceeded"],
        "card_declined",
        "card_velocity_exceeded",
        VELOCITY,
        None,
    ),
    (
        "4000000000000341",
        ["pm_card_chargeCustomerFail"],
        "card_declined",
        "generic_decline",
        DECLINED,
        None,
    ),
]


@pytest.mark.parametrize(
    ("number", "tokens", "code", "decline_code", "message", "param"), DECLINE_CARDS
)
def test_decline_cards(
    number: str,
    tokens: list[str],
    code: str,
    decline_code: str,
    message: str,
    param: str | None,
) -> None:
    refs = [card(number).processor_ref] + [token(t).processor_ref for t in tokens]
    for ref in refs:
        result = authorize(ref)
        assert result.outcome == "declined"
        decline = result.decline
        assert decline is not None
        assert (decline.code, decline.decline_code, decline.message, decline.param) == (
            code,
            decline_code,
            message,
            param,
        )
        outcome = result.charge_outcome
        assert outcome is not None
        assert outcome["network_status"] == "declined_by_network"
        assert outcome["type"] == "issuer_declined"
        assert outcome["reason"] == decline_code
        assert outcome["risk_level"] == "normal"
        assert result.capture_before is None
        assert result.network_transaction_id is None


def test_generic_decline_outcome_matches_stripe() -> None:
    result = authorize(token("pm_card_chargeDeclined").processor_ref)
    outcome = result.charge_outcome
    assert outcome is not None
    assert {k: v for k, v in outcome.items() if k != "risk_score"} == {
        "network_status": "declined_by_network",
        "reason": "generic_decline",
        "risk_level": "normal",
        "rule": None,
        "seller_message": "The bank did not return any further details with this decline.",
        "type": "issuer_declined",
    }


def test_insufficient_funds_seller_message() -> None:
    outcome = authorize(card("4000000000009995").processor_ref).charge_outcome
    assert outcome is not None
    assert outcome["seller_message"] == "The bank returned the decline code `insufficient_funds`."


def test_incorrect_cvc_card_reports_cvc_fail() -> None:
    result = authorize(card("4000000000000127").processor_ref)
    assert result.card_checks is not None
    assert result.card_checks["cvc_check"] == "fail"


@pytest.mark.parametrize(
    ("source", "risk_level"),
    [("pm_card_radarBlock", "highest"), ("pm_card_riskLevelHighest", "highest")],
)
def test_radar_blocks(source: str, risk_level: str) -> None:
    result = authorize(token(source).processor_ref)
    assert result.outcome == "declined"
    decline = result.decline
    assert decline is not None
    assert (decline.code, decline.decline_code, decline.message) == (
        "card_declined",
        "fraudulent",
        DECLINED,
    )
    outcome = result.charge_outcome
    assert outcome is not None
    assert outcome["type"] == "blocked"
    assert outcome["network_status"] == "not_sent_to_network"
    assert outcome["risk_level"] == risk_level
    assert outcome["reason"] == "highest_risk_level"
    assert 75 <= outcome["risk_score"] <= 99
    assert outcome["seller_message"] == "Stripe blocked this payment as too risky."


def test_radar_block_card_number() -> None:
    decline = authorize(card("4100000000000019").processor_ref).decline
    assert decline is not None
    assert decline.decline_code == "fraudulent"


def test_elevated_risk_is_approved_with_elevated_risk_level() -> None:
    result = authorize(token("pm_card_riskLevelElevated").processor_ref)
    assert result.outcome == "approved"
    outcome = result.charge_outcome
    assert outcome is not None
    assert outcome["risk_level"] == "elevated"
    assert 65 <= outcome["risk_score"] <= 74


@pytest.mark.parametrize(
    ("name", "line1", "postal", "cvc"),
    [
        ("pm_card_cvcCheckFail", None, None, "fail"),
        ("pm_card_avsZipFail", "pass", "fail", "pass"),
        ("pm_card_avsLine1Fail", "fail", "pass", "pass"),
        ("pm_card_avsFail", "fail", "fail", "pass"),
        ("pm_card_avsUnchecked", "unavailable", "unavailable", "pass"),
    ],
)
def test_check_cards(name: str, line1: str | None, postal: str | None, cvc: str) -> None:
    result = authorize(token(name).processor_ref)
    assert result.outcome == "approved"
    assert result.card_checks == {
        "address_line1_check": line1,
        "address_postal_code_check": postal,
        "cvc_check": cvc,
    }


# -- tokenization errors -----------------------------------------------------------------------


def _tokenize_error(**kw: Any) -> TokenizeError:
    with pytest.raises(TokenizeError) as info:
        card(kw.pop("number", "4242424242424242"), **kw)
    return info.value


def test_bad_luhn_is_incorrect_number() -> None:
    err = _tokenize_error(number="4242424242424241")
    assert (err.type, err.code, err.message, err.param, err.decline_code) == (
        "card_error",
        "incorrect_number",
        "Your card number is incorrect.",
        "number",
        None,
    )


@pytest.mark.parametrize("number", ["424242", "4242abcd42424242", "42424242424242424242"])
def test_malformed_number_is_invalid_number(number: str) -> None:
    err = _tokenize_error(number=number)
    assert (err.type, err.code, err.message, err.param) == (
        "card_error",
        "invalid_number",
        "Your card number is invalid.",
        "number",
    )


def test_spaces_in_the_number_are_ignored() -> None:
    assert card("4242 4242 4242 4242").details["last4"] == "4242"


@pytest.mark.parametrize(
    ("exp_month", "exp_year", "code", "message", "param"),
    [
        (12, 2025, "invalid_expiry_year", "Your card's expiration year is invalid.", "exp_year"),
        (4, 2026, "invalid_expiry_month", "Your card's expiration month is invalid.", "exp_month"),
        (13, 2030, "invalid_expiry_month", "Your card's expiration month is invalid.", "exp_month"),
        (0, 2030, "invalid_expiry_month", "Your card's expiration month is invalid.", "exp_month"),
        (12, 2099, "invalid_expiry_year", "Your card's expiration year is invalid.", "exp_year"),
    ],
)
def test_expiry_errors(exp_month: int, exp_year: int, code: str, message: str, param: str) -> None:
    err = _tokenize_error(exp_month=exp_month, exp_year=exp_year)
    assert (err.type, err.code, err.message, err.param) == ("card_error", code, message, param)


def test_current_month_and_two_digit_years_are_accepted() -> None:
    assert card("4242424242424242", exp_month=5, exp_year=2026).details["exp_year"] == 2026
    assert card("4242424242424242", exp_month=1, exp_year=34).details["exp_year"] == 2034


@pytest.mark.parametrize("cvc", ["12", "12345", "abc"])
def test_invalid_cvc(cvc: str) -> None:
    err = _tokenize_error(cvc=cvc)
    assert (err.code, err.message, err.param) == (
        "invalid_cvc",
        "Your card's security code is invalid.",
        "cvc",
    )


def test_live_card_in_test_mode_is_declined() -> None:
    err = _tokenize_error(number="4111111111111111")
    assert (err.type, err.code, err.decline_code, err.message, err.param) == (
        "card_error",
        "card_declined",
        "test_mode_live_card",
        LIVE_CARD,
        None,
    )


def test_test_card_in_live_mode_is_declined() -> None:
    err = _tokenize_error(livemode=True)
    assert (err.code, err.decline_code, err.message) == (
        "card_declined",
        "live_mode_test_card",
        "Your card was declined. Your request was in live mode, but used a known test card.",
    )


def test_live_card_in_live_mode_tokenizes_without_keeping_the_number() -> None:
    tokenized = card("4111111111111111", livemode=True)
    assert tokenized.details["brand"] == "visa"
    assert tokenized.details["funding"] == "unknown"
    assert tokenized.details["country"] is None
    assert tokenized.details["last4"] == "1111"
    assert "4111111111111111" not in tokenized.processor_ref
    assert authorize(tokenized.processor_ref).outcome == "approved"


# -- fingerprints ------------------------------------------------------------------------------


def test_fingerprints_are_stable_per_account_and_distinct() -> None:
    a = card("4242424242424242").details["fingerprint"]
    assert a == card("4242424242424242", exp_year=2031, cvc=None).details["fingerprint"]
    assert len(a) == 16
    assert a.isalnum()
    assert a != card("5555555555554444").details["fingerprint"]
    assert a != card("4242424242424242", account="acct_other").details["fingerprint"]
    assert token("pm_card_visa", account="acct_other").details["fingerprint"] != a


def test_bank_fingerprints_are_stable_and_distinct() -> None:
    one = P.tokenize_us_bank_account(
        routing_number="110000000",
        account_number="000123456789",
        account_holder_type=None,
        account_type=None,
        account=ACCOUNT,
    )
    again = token("pm_usBankAccount_success")
    other = token("pm_usBankAccount_noAccount")
    assert one.details["fingerprint"] == again.details["fingerprint"]
    assert one.details["fingerprint"] != other.details["fingerprint"]
    assert len(one.details["fingerprint"]) == 16


# -- 3-D Secure -------------------------------------------------------------------------------


THREE_DS_REQUIRED = [
    "pm_card_authenticationRequired",
    "pm_card_authenticationRequiredOnSetup",
    "pm_card_authenticationRequiredSetupForOffSession",
    "pm_card_threeDSecure2Required",
    "pm_card_authenticationRequiredChargeDeclinedInsufficientFunds",
    "pm_card_threeDSecureRequiredChargeDeclined",
    "pm_card_threeDSecureRequiredProcessingError",
]


@pytest.mark.parametrize("name", THREE_DS_REQUIRED)
def test_authentication_cards_require_action_on_session(name: str) -> None:
    result = authorize(token(name).processor_ref)
    assert result.outcome == "requires_authentication"
    assert result.decline is None
    assert result.charge_outcome is None


@pytest.mark.parametrize("number", ["4000008400000027", "4000000000003063", "4000002760003184"])
def test_authentication_card_numbers_require_action(number: str) -> None:
    assert authorize(card(number).processor_ref).outcome == "requires_authentication"


@pytest.mark.parametrize(
    ("name", "brand", "eci"),
    [
        ("pm_card_authenticationRequired", "visa", "05"),
        ("pm_card_threeDSecure2Required", "visa", "05"),
    ],
)
def test_successful_challenge_approves_with_three_d_secure_details(
    name: str, brand: str, eci: str
) -> None:
    req = request(token(name).processor_ref, capture_method="manual")
    result = P.complete_authentication(req, succeeded=True)
    assert result.outcome == "approved"
    tds = result.three_d_secure
    assert tds is not None
    assert {k: v for k, v in tds.items() if k != "transaction_id"} == {
        "authentication_flow": "challenge",
        "electronic_commerce_indicator": eci,
        "exemption_indicator": None,
        "exemption_indicator_applied": False,
        "result": "authenticated",
        "result_reason": None,
        "version": "2.2.0",
    }
    assert len(tds["transaction_id"]) == 36
    assert result.capture_before == NOW + 7 * 86400


def test_mastercard_challenge_uses_eci_02() -> None:
    req = request(token("pm_card_mastercard").processor_ref, request_three_d_secure="any")
    assert P.authorize(req).outcome == "requires_authentication"
    tds = P.complete_authentication(req, succeeded=True).three_d_secure
    assert tds is not None
    assert tds["electronic_commerce_indicator"] == "02"


def test_legacy_3ds1_card_reports_version_1() -> None:
    req = request(card("4000000000003063").processor_ref)
    tds = P.complete_authentication(req, succeeded=True).three_d_secure
    assert tds is not None
    assert tds["version"] == "1.0.2"


def test_failed_challenge_is_authentication_failure() -> None:
    req = request(token("pm_card_authenticationRequired").processor_ref)
    result = P.complete_authentication(req, succeeded=False)
    assert result.outcome == "declined"
    assert result.decline is not None
    assert (result.decline.code, result.decline.decline_code, result.decline.message) == (
        "payment_intent_authentication_failure",
        None,
        AUTH_FAILED,
    )
    assert result.charge_outcome is None


@pytest.mark.parametrize(
    ("name", "code", "decline_code", "message"),
    [
        (
            "pm_card_threeDSecureRequiredChargeDeclined",
            "card_declined",
            "generic_decline",
            DECLINED,
        ),
        (
            "pm_card_authenticationRequiredChargeDeclinedInsufficientFunds",
            "card_declined",
            "insufficient_funds",
            "Your card has insufficient funds.",
        ),
        (
            "pm_card_threeDSecureRequiredProcessingError",
            "processing_error",
            "processing_error",
            PROCESSING,
        ),
    ],
)
def test_cards_that_decline_after_authentication(
    name: str, code: str, decline_code: str, message: str
) -> None:
    result = P.complete_authentication(request(token(name).processor_ref), succeeded=True)
    assert result.outcome == "declined"
    assert result.decline is not None
    assert (result.decline.code, result.decline.decline_code, result.decline.message) == (
        code,
        decline_code,
        message,
    )
    assert result.three_d_secure is not None
    assert result.three_d_secure["result"] == "authenticated"


def test_three_d_secure_optional_succeeds_without_action() -> None:
    result = authorize(token("pm_card_threeDSecureOptional").processor_ref)
    assert result.outcome == "approved"
    assert result.three_d_secure is None


def test_three_d_secure_optional_processing_error() -> None:
    result = authorize(token("pm_card_threeDSecureOptionalProcessingError").processor_ref)
    assert result.decline is not None
    assert result.decline.code == "processing_error"


@pytest.mark.parametrize("option", ["any", "challenge"])
@pytest.mark.parametrize("name", ["pm_card_visa", "pm_card_threeDSecureOptional"])
def test_request_three_d_secure_forces_a_challenge(option: str, name: str) -> None:
    ref = token(name).processor_ref
    assert authorize(ref, request_three_d_secure=option).outcome == "requires_authentication"


def test_forced_challenge_on_a_decline_card_declines_after_authentication() -> None:
    req = request(token("pm_card_chargeDeclined").processor_ref, request_three_d_secure="any")
    assert P.authorize(req).outcome == "requires_authentication"
    result = P.complete_authentication(req, succeeded=True)
    assert result.decline is not None
    assert result.decline.decline_code == "generic_decline"


def test_card_without_3ds_support_ignores_the_request() -> None:
    tokenized = token("pm_card_amex_threeDSecureNotSupported")
    assert tokenized.details["three_d_secure_usage"] == {"supported": False}
    assert authorize(tokenized.processor_ref, request_three_d_secure="any").outcome == "approved"
    assert token("pm_card_visa").details["three_d_secure_usage"] == {"supported": True}


def test_frictionless_card_authenticates_without_a_challenge() -> None:
    result = authorize(card("4000000032200000").processor_ref)
    assert result.outcome == "approved"
    assert result.three_d_secure is not None
    assert result.three_d_secure["authentication_flow"] == "frictionless"
    assert result.three_d_secure["result"] == "authenticated"


# -- off-session -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "pm_card_authenticationRequired",
        "pm_card_threeDSecure2Required",
        "pm_card_threeDSecureRequiredChargeDeclined",
    ],
)
def test_off_session_on_an_always_authenticate_card_declines(name: str) -> None:
    result = authorize(token(name).processor_ref, off_session=True)
    assert result.outcome == "declined"
    decline = result.decline
    assert decline is not None
    assert (decline.code, decline.decline_code, decline.message) == (
        "authentication_required",
        "authentication_required",
        AUTH_REQUIRED,
    )
    outcome = result.charge_outcome
    assert outcome is not None
    assert outcome["network_status"] == "declined_by_network"
    assert outcome["seller_message"] == (
        "The bank returned the decline code `authentication_required`."
    )


@pytest.mark.parametrize(
    "name",
    [
        "pm_card_authenticationRequiredOnSetup",
        "pm_card_authenticationRequiredSetupForOffSession",
        "pm_card_visa",
    ],
)
def test_off_session_succeeds_for_cards_set_up_for_it(name: str) -> None:
    result = authorize(token(name).processor_ref, off_session=True, request_three_d_secure="any")
    assert result.outcome == "approved"
    assert result.three_d_secure is None


def test_off_session_decline_card_still_declines() -> None:
    result = authorize(
        token("pm_card_chargeDeclinedInsufficientFunds").processor_ref, off_session=True
    )
    assert result.decline is not None
    assert result.decline.decline_code == "insufficient_funds"


# -- capture, incremental authorization, refunds -----------------------------------------------


def test_manual_capture_sets_capture_before() -> None:
    result = authorize(token("pm_card_visa").processor_ref, capture_method="manual")
    assert result.outcome == "approved"
    assert result.capture_before == NOW + 7 * 86400
    assert authorize(token("pm_card_visa").processor_ref).capture_before is None


@pytest.mark.parametrize(
    ("name", "available"),
    [
        ("pm_card_visa", True),
        ("pm_card_mastercard", True),
        ("pm_card_visa_debit", False),
        ("pm_card_mastercard_prepaid", False),
        ("pm_card_amex", False),
        ("pm_card_discover", False),
    ],
)
def test_incremental_authorization_availability(name: str, available: bool) -> None:
    ref = token(name).processor_ref
    result = authorize(ref, capture_method="manual", request_incremental_authorization=True)
    assert result.incremental_authorization_available is available


def test_incremental_authorization_needs_request_and_manual_capture() -> None:
    ref = token("pm_card_visa").processor_ref
    assert not authorize(ref, capture_method="manual").incremental_authorization_available
    assert not authorize(
        ref, request_incremental_authorization=True
    ).incremental_authorization_available


def test_increment_approves_on_eligible_card() -> None:
    ref = token("pm_card_visa").processor_ref
    result = P.increment_authorization(processor_ref=ref, current_amount=1000, new_amount=1500)
    assert result.outcome == "approved"
    assert result.incremental_authorization_available
    assert result.charge_outcome is not None
    assert result.charge_outcome["network_status"] == "approved_by_network"


@pytest.mark.parametrize(
    ("source", "decline_code", "message"),
    [
        ("pm_card_chargeDeclined", "generic_decline", DECLINED),
        (
            "pm_card_chargeDeclinedInsufficientFunds",
            "insufficient_funds",
            "Your card has insufficient funds.",
        ),
        ("pm_card_chargeDeclinedExpiredCard", "expired_card", DECLINED),
        ("pm_card_amex", "generic_decline", DECLINED),
    ],
)
def test_increment_declines_with_card_declined(
    source: str, decline_code: str, message: str
) -> None:
    ref = token(source).processor_ref
    result = P.increment_authorization(processor_ref=ref, current_amount=1000, new_amount=1500)
    assert result.outcome == "declined"
    decline = result.decline
    assert decline is not None
    assert (decline.code, decline.decline_code, decline.message, decline.param) == (
        "card_declined",
        decline_code,
        message,
        None,
    )


def test_increment_must_raise_the_amount() -> None:
    with pytest.raises(ValueError):
        P.increment_authorization(
            processor_ref=token("pm_card_visa").processor_ref, current_amount=1000, new_amount=1000
        )


def test_capture() -> None:
    plain = P.capture(processor_ref=token("pm_card_visa").processor_ref, amount=1800)
    assert (plain.amount, plain.available_immediately, plain.dispute_reason) == (1800, False, None)
    bypass = P.capture(processor_ref=token("pm_card_bypassPending").processor_ref, amount=100)
    assert bypass.available_immediately
    disputed = P.capture(processor_ref=token("pm_card_createDispute").processor_ref, amount=100)
    assert disputed.dispute_reason == "fraudulent"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("pm_card_createDispute", "fraudulent"),
        ("pm_card_createDisputeProductNotReceived", "product_not_received"),
        ("pm_card_createDisputeInquiry", "general"),
        ("pm_card_createIssuerFraudRecord", None),
        ("pm_card_visa", None),
    ],
)
def test_dispute_cards_succeed_and_say_they_will_be_disputed(name: str, reason: str | None) -> None:
    result = authorize(token(name).processor_ref)
    assert result.outcome == "approved"
    assert result.dispute_reason == reason


def test_refunds() -> None:
    plain = P.refund(processor_ref=token("pm_card_visa").processor_ref, amount=500)
    assert (plain.status, plain.final_status, plain.failure_reason) == ("succeeded", None, None)
    pending = P.refund(processor_ref=token("pm_card_pendingRefund").processor_ref, amount=500)
    assert (pending.status, pending.final_status, pending.failure_reason) == (
        "pending",
        "succeeded",
        None,
    )
    assert pending.final_after == 60
    failing = P.refund(processor_ref=token("pm_card_refundFail").processor_ref, amount=500)
    assert (failing.status, failing.final_status, failing.failure_reason) == (
        "succeeded",
        "failed",
        "expired_or_canceled_card",
    )
    assert failing.final_after == 60
    bank_refund = P.refund(processor_ref=token("pm_usBankAccount_success").processor_ref, amount=1)
    assert bank_refund.status == "succeeded"


# -- attaching ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "decline_code"),
    [
        ("pm_card_chargeDeclined", "generic_decline"),
        ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"),
        ("pm_card_chargeDeclinedLostCard", "lost_card"),
        ("pm_card_chargeDeclinedStolenCard", "stolen_card"),
        ("pm_card_chargeDeclinedExpiredCard", "expired_card"),
        ("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc"),
        ("pm_card_chargeDeclinedProcessingError", "processing_error"),
        ("pm_card_visa_chargeDeclinedVelocityLimitExceeded", "card_velocity_exceeded"),
    ],
)
def test_declining_cards_cannot_be_attached(name: str, decline_code: str) -> None:
    decline = P.can_attach(token(name).processor_ref)
    assert isinstance(decline, Decline)
    assert decline.decline_code == decline_code


@pytest.mark.parametrize(
    "name",
    [
        "pm_card_visa",
        "pm_card_chargeCustomerFail",
        "pm_card_authenticationRequired",
        "pm_card_threeDSecureRequiredChargeDeclined",
        "pm_usBankAccount_success",
        "pm_sepaDebit_success_at",
    ],
)
def test_attachable(name: str) -> None:
    assert P.can_attach(token(name).processor_ref) is None


def test_charge_customer_fail_attaches_then_declines() -> None:
    ref = card("4000000000000341").processor_ref
    assert P.can_attach(ref) is None
    assert authorize(ref).outcome == "declined"


# -- US bank accounts --------------------------------------------------------------------------


BANK_ACCOUNTS = [
    ("pm_usBankAccount_success", "000123456789", "approved", None),
    ("pm_usBankAccount_accountClosed", "000111111113", "declined", "account_closed"),
    ("pm_usBankAccount_noAccount", "000111111116", "declined", "no_account"),
    ("pm_usBankAccount_insufficientFunds", "000222222227", "declined", "insufficient_funds"),
    ("pm_usBankAccount_debitNotAuthorized", "000333333335", "declined", "debit_not_authorized"),
    ("pm_usBankAccount_invalidCurrency", "000444444440", "declined", "invalid_currency"),
    ("pm_usBankAccount_dispute", "000555555559", "approved", None),
    (
        "pm_usBankAccount_weeklyLimitExceeded",
        "000777777771",
        "declined",
        "charge_exceeds_source_limit",
    ),
    ("pm_usBankAccount_processing", "000000000009", "processing", None),
]


@pytest.mark.parametrize(("name", "number", "settled", "code"), BANK_ACCOUNTS)
def test_bank_tokens_process_then_settle(
    name: str, number: str, settled: str, code: str | None
) -> None:
    tokenized = token(name)
    assert tokenized.type == "us_bank_account"
    details = tokenized.details
    assert details == {
        "account_holder_type": "individual",
        "account_type": "checking",
        "bank_name": "STRIPE TEST BANK",
        "financial_connections_account": None,
        "fingerprint": details["fingerprint"],
        "last4": number[-4:],
        "networks": {"preferred": "ach", "supported": ["ach"]},
        "routing_number": "110000000",
        "status_details": None,
    }
    ref = tokenized.processor_ref
    assert authorize(ref, currency="usd").outcome == "processing"
    assert P.settlement_delay(ref) == 0
    result = P.settle(processor_ref=ref)
    assert result.outcome == settled
    if code is None:
        assert result.decline is None
    else:
        assert result.decline is not None
        assert result.decline.code == code
        assert result.decline.decline_code is None
        assert result.decline.message
        assert result.charge_outcome is not None
        assert result.charge_outcome["network_status"] == "declined_by_network"
        assert result.charge_outcome["reason"] == code
    if settled == "approved":
        assert result.charge_outcome is not None
        assert result.charge_outcome["network_status"] == "approved_by_network"
        assert result.charge_outcome["seller_message"] == "Payment complete."


def test_bank_dispute_account_will_be_disputed() -> None:
    result = P.settle(processor_ref=token("pm_usBankAccount_dispute").processor_ref)
    assert result.dispute_reason == "general"


def test_bank_risk_level_highest_is_blocked_at_confirm() -> None:
    result = authorize(token("pm_usBankAccount_riskLevelHighest").processor_ref)
    assert result.outcome == "declined"
    assert result.charge_outcome is not None
    assert result.charge_outcome["type"] == "blocked"
    assert result.charge_outcome["risk_level"] == "highest"


def test_microdeposits_that_cannot_be_sent() -> None:
    result = authorize(token("pm_usBankAccount_failMicrodeposits").processor_ref)
    assert result.outcome == "declined"
    assert result.decline is not None
    assert result.decline.code == "payment_method_microdeposit_failed"


def _raw_account(number: str = "000123456789", **kw: Any) -> Tokenized:
    args: dict[str, Any] = {
        "routing_number": "110000000",
        "account_number": number,
        "account_holder_type": "company",
        "account_type": "savings",
        "account": ACCOUNT,
    }
    return P.tokenize_us_bank_account(**{**args, **kw})


def test_raw_account_numbers_need_microdeposits_then_debit() -> None:
    tokenized = _raw_account()
    assert tokenized.details["account_holder_type"] == "company"
    assert tokenized.details["account_type"] == "savings"
    assert tokenized.details["last4"] == "6789"
    ref = tokenized.processor_ref
    assert authorize(ref).outcome == "requires_verification"
    verified = P.verify_microdeposits(processor_ref=ref, amounts=[32, 45], descriptor_code=None)
    assert verified.verified
    assert verified.processor_ref is not None
    assert authorize(verified.processor_ref).outcome == "processing"
    assert P.settle(processor_ref=verified.processor_ref).outcome == "approved"


def test_raw_failing_account_fails_after_verification() -> None:
    ref = _raw_account("000111111113").processor_ref
    verified = P.verify_microdeposits(processor_ref=ref, amounts=None, descriptor_code="SM11AA")
    assert verified.processor_ref is not None
    result = P.settle(processor_ref=verified.processor_ref)
    assert result.decline is not None
    assert result.decline.code == "account_closed"


def test_unknown_account_numbers_behave_like_success() -> None:
    ref = _raw_account("123456789012", routing_number="021000021").processor_ref
    tokenized = _raw_account("123456789012", routing_number="021000021")
    assert tokenized.details["bank_name"] is None
    verified = P.verify_microdeposits(processor_ref=ref, amounts=[45, 32], descriptor_code=None)
    assert verified.processor_ref is not None
    assert P.settle(processor_ref=verified.processor_ref).outcome == "approved"


@pytest.mark.parametrize(
    ("kw", "code", "param"),
    [
        ({"routing_number": "11000000"}, "routing_number_invalid", "routing_number"),
        ({"routing_number": "110000001"}, "routing_number_invalid", "routing_number"),
        ({"account_number": "123"}, "account_number_invalid", "account_number"),
        ({"account_number": "12a456"}, "account_number_invalid", "account_number"),
    ],
)
def test_bad_bank_details(kw: dict[str, str], code: str, param: str) -> None:
    with pytest.raises(TokenizeError) as info:
        _raw_account(**kw)
    assert (info.value.type, info.value.code, info.value.param) == (
        "invalid_request_error",
        code,
        param,
    )


MISMATCH_AMOUNTS = "payment_method_microdeposit_verification_amounts_mismatch"
MISMATCH_CODE = "payment_method_microdeposit_verification_descriptor_code_mismatch"
EXCEEDED = "payment_method_microdeposit_verification_attempts_exceeded"
TIMEOUT = "payment_method_microdeposit_verification_timeout"
INVALID = "payment_method_microdeposit_verification_amounts_invalid"


@pytest.mark.parametrize(
    ("amounts", "descriptor", "verified", "code"),
    [
        ([32, 45], None, True, None),
        (None, "SM11AA", True, None),
        (None, "sm11aa", True, None),
        ([10, 11], None, False, EXCEEDED),
        (None, "SM33CC", False, EXCEEDED),
        ([40, 41], None, False, TIMEOUT),
        (None, "SM44DD", False, TIMEOUT),
        ([1, 2], None, False, MISMATCH_AMOUNTS),
        (None, "SM99ZZ", False, MISMATCH_CODE),
        ([32], None, False, INVALID),
        ([32, 45, 1], None, False, INVALID),
        ([0, 45], None, False, INVALID),
        ([32, 100], None, False, INVALID),
        (None, None, False, INVALID),
    ],
)
def test_microdeposit_values(
    amounts: list[int] | None, descriptor: str | None, verified: bool, code: str | None
) -> None:
    ref = _raw_account().processor_ref
    result = P.verify_microdeposits(processor_ref=ref, amounts=amounts, descriptor_code=descriptor)
    assert result.verified is verified
    assert result.code == code
    if verified:
        assert result.message is None
        assert result.processor_ref == ref.rsplit(":", 1)[0] + ":v"
    else:
        assert result.message
        assert result.processor_ref is None


def test_verifying_a_verified_account() -> None:
    result = P.verify_microdeposits(
        processor_ref=token("pm_usBankAccount_success").processor_ref,
        amounts=[32, 45],
        descriptor_code=None,
    )
    assert (result.verified, result.code) == (
        False,
        "payment_method_bank_account_already_verified",
    )


# -- SEPA Direct Debit -------------------------------------------------------------------------


SEPA_IBANS = [
    ("AT611904300234573201", "approved", None, 5),
    ("AT321904300235473204", "approved", None, 180),
    ("AT861904300235473202", "declined", "generic_could_not_process", 5),
    ("AT051904300235473205", "declined", "generic_could_not_process", 180),
    ("AT591904300235473203", "approved", None, 5),
    ("AT981904300000343434", "declined", "charge_exceeds_source_limit", 5),
    ("AT601904300000121212", "declined", "charge_exceeds_weekly_limit", 5),
    ("AT981904300002222227", "declined", "insufficient_funds", 5),
    ("DE89370400440532013000", "approved", None, 5),
    ("DE62370400440532013001", "declined", "generic_could_not_process", 5),
    ("FR1420041010050500013M02606", "approved", None, 5),
    ("NL91ABNA0417164300", "declined", "generic_could_not_process", 5),
    ("IT60X0542811101000000123456", "approved", None, 5),
]


@pytest.mark.parametrize(("iban", "settled", "code", "delay"), SEPA_IBANS)
def test_sepa_ibans(iban: str, settled: str, code: str | None, delay: int) -> None:
    tokenized = P.tokenize_sepa_debit(iban=iban, account=ACCOUNT)
    assert tokenized.type == "sepa_debit"
    assert tokenized.details["country"] == iban[:2]
    assert tokenized.details["last4"] == iban[-4:]
    ref = tokenized.processor_ref
    assert authorize(ref, currency="eur").outcome == "processing"
    assert P.settlement_delay(ref) == delay
    result = P.settle(processor_ref=ref)
    assert result.outcome == settled
    assert (result.decline.code if result.decline else None) == code


def test_sepa_details() -> None:
    at = P.tokenize_sepa_debit(iban="AT61 1904 3002 3457 3201", account=ACCOUNT).details
    assert at == {
        "bank_code": "19043",
        "branch_code": "",
        "country": "AT",
        "fingerprint": at["fingerprint"],
        "generated_from": {"charge": None, "setup_attempt": None},
        "last4": "3201",
    }
    fr = P.tokenize_sepa_debit(iban="FR1420041010050500013M02606", account=ACCOUNT).details
    assert (fr["bank_code"], fr["branch_code"]) == ("20041", "01005")
    it = P.tokenize_sepa_debit(iban="IT60X0542811101000000123456", account=ACCOUNT).details
    assert (it["bank_code"], it["branch_code"]) == ("05428", "11101")


def test_sepa_dispute_iban() -> None:
    ref = P.tokenize_sepa_debit(iban="AT591904300235473203", account=ACCOUNT).processor_ref
    assert P.settle(processor_ref=ref).dispute_reason == "general"


@pytest.mark.parametrize("name", ["pm_sepaDebit_success_at", "pm_success_at"])
def test_sepa_tokens(name: str) -> None:
    tokenized = token(name)
    assert tokenized.details["last4"] == "3201"
    assert P.settle(processor_ref=tokenized.processor_ref).outcome == "approved"


@pytest.mark.parametrize(
    "iban", ["AT611904300234573200", "US611904300234573201", "AT6119043002", "AT61190430023457320!"]
)
def test_invalid_iban(iban: str) -> None:
    with pytest.raises(TokenizeError) as info:
        P.tokenize_sepa_debit(iban=iban, account=ACCOUNT)
    assert (info.value.type, info.value.code, info.value.param) == (
        "invalid_request_error",
        "invalid_bank_account_iban",
        "iban",
    )


# -- references ----------------------------------------------------------------------------


def test_settling_a_card_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        P.settle(processor_ref=token("pm_card_visa").processor_ref)


def test_foreign_references_are_rejected() -> None:
    with pytest.raises(ValueError):
        authorize("customer_balance")
    with pytest.raises(ValueError):
        authorize("card:9999999999999995:c")


def test_cards_settle_with_no_delay() -> None:
    assert P.settlement_delay(token("pm_card_visa").processor_ref) == 0


def test_results_are_deterministic() -> None:
    ref = token("pm_card_visa").processor_ref
    assert authorize(ref) == authorize(ref)
    assert (
        authorize(ref).network_transaction_id != authorize(ref, amount=2001).network_transaction_id
    )


def test_every_test_card_has_a_profile_key_of_its_own() -> None:
    assert len({c.key for c in CARDS.values()}) == len(CARDS)
    assert set(PROFILES) == {c.key for c in CARDS.values()}


@pytest.mark.parametrize("number", sorted(CARDS))
def test_references_name_the_profile_not_the_number(number: str) -> None:
    """References are stored: they hold no run of the number longer than its last four."""
    tokenized = card(number)
    ref = tokenized.processor_ref
    assert ref == f"card:{CARDS[number].key}:c"
    assert not any(number[i : i + 6] in ref for i in range(len(number) - 5))
    # The reference alone still decides the card's outcome.
    assert P.authorize(request(ref)).outcome == P.authorize(request(f"card:{number}:c")).outcome


def test_token_and_number_of_one_card_share_its_reference() -> None:
    assert token("pm_card_visa").processor_ref == card("4242424242424242").processor_ref
    assert token("pm_card_chargeDeclined").processor_ref == "card:chargeDeclined:c"
