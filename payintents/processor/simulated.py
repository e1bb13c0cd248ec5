"""The built-in processor: a simulated card network and bank that behave like Stripe's test mode.

Stateless and deterministic: every outcome follows from the processor_ref and the request.
processor_ref formats (opaque to callers; stored, so they never hold a card number):
    card:<profile key>:<c|n>        a test card (cards.TestCard.key); c/n = a CVC was / was
                                    not given
    card:live_<brand>:<c|n>         any other card (reachable in live mode only)
    us_bank_account:<scenario>:<v|u>  v = verified (test tokens), u = needs microdeposits
    sepa_debit:<scenario>
Decisions where Stripe is silent are documented where they are made.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from payintents.processor import bank, sepa
from payintents.processor.base import (
    AuthorizationRequest,
    AuthorizationResult,
    CaptureResult,
    Decline,
    RefundResult,
    SetupRequest,
    Tokenized,
    TokenizeError,
    VerificationResult,
)
from payintents.processor.cards import (
    AUTHENTICATION_FAILED,
    AUTHENTICATION_REQUIRED,
    CARD_DECLINED,
    CARD_TOKENS,
    CARDS,
    DECLINES,
    DISPLAY_BRANDS,
    LIVE_MODE_TEST_CARD,
    PROFILES,
    SETUP_AUTHENTICATION_FAILED,
    TEST_MODE_LIVE_CARD,
    TestCard,
    brand_of,
    luhn_valid,
)
from payintents.processor.fingerprint import digits_from, fingerprint

CAPTURE_WINDOW = 7 * 86400
# Stripe says refunds on the asynchronous refund cards change "some time later".
REFUND_SETTLE_DELAY = 60
REFUND_FAILURE_REASON = "expired_or_canceled_card"
# pm_card_* tokens carry no expiry of their own; Stripe shows a future one.
TOKEN_EXP_MONTH = 12
TOKEN_EXP_YEAR = 2034
# Incremental authorization: Stripe does not publish which test cards support it. We offer
# it for Visa and Mastercard credit cards, on manual capture, when it was requested.
INCREMENTAL_BRANDS = frozenset({"visa", "mastercard"})
ELECTRONIC_COMMERCE_INDICATOR = {"mastercard": "02"}  # Visa, Amex and the rest use "05"

Card = tuple[TestCard, bool]  # the card and whether a CVC was given


def _card_error(
    code: str, message: str, param: str | None, decline_code: str | None = None
) -> TokenizeError:
    return TokenizeError(
        type="card_error", code=code, message=message, param=param, decline_code=decline_code
    )


def _invalid(code: str, message: str, param: str) -> TokenizeError:
    return TokenizeError(type="invalid_request_error", code=code, message=message, param=param)


def _as_int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


class SimulatedProcessor:
    """Implements `Processor` with Stripe's test cards, test bank accounts and test IBANs."""

    # -- tokenization --------------------------------------------------------------------

    def tokenize_card(
        self,
        *,
        number: str,
        exp_month: int,
        exp_year: int,
        cvc: str | None,
        account: str,
        livemode: bool,
        now: int,
    ) -> Tokenized:
        number = "".join(str(number).split())
        if not number.isdigit() or not 12 <= len(number) <= 19:
            raise _card_error("invalid_number", "Your card number is invalid.", "number")
        if not luhn_valid(number):
            raise _card_error("incorrect_number", "Your card number is incorrect.", "number")
        month, year = _as_int(exp_month), _as_int(exp_year)
        if month is None or not 1 <= month <= 12:
            raise _card_error(
                "invalid_expiry_month", "Your card's expiration month is invalid.", "exp_month"
            )
        if year is not None and year < 100:
            year += 2000  # two-digit years, as card forms send them
        today = datetime.fromtimestamp(now, UTC)
        if year is None or not today.year <= year <= today.year + 50:
            raise _card_error(
                "invalid_expiry_year", "Your card's expiration year is invalid.", "exp_year"
            )
        if year == today.year and month < today.month:
            raise _card_error(
                "invalid_expiry_month", "Your card's expiration month is invalid.", "exp_month"
            )
        if cvc is not None and (not cvc.isdigit() or not 3 <= len(cvc) <= 4):
            raise _card_error("invalid_cvc", "Your card's security code is invalid.", "cvc")
        card = CARDS.get(number)
        if card is None and not livemode:
            raise _card_error("card_declined", TEST_MODE_LIVE_CARD, None, "test_mode_live_card")
        if card is not None and livemode:
            raise _card_error("card_declined", LIVE_MODE_TEST_CARD, None, "live_mode_test_card")
        if card is None:
            # A real card in live mode: we know only what the number says.
            card = _live_card(brand_of(number), number[-4:])
        return Tokenized(
            type="card",
            details=_card_details(card, month, year, fingerprint(account, "card", number), cvc),
            processor_ref=f"card:{card.key}:{'c' if cvc else 'n'}",
        )

    def tokenize_us_bank_account(
        self,
        *,
        routing_number: str,
        account_number: str,
        account_holder_type: str | None,
        account_type: str | None,
        account: str,
    ) -> Tokenized:
        if not bank.routing_number_valid(routing_number):
            raise _invalid(
                "routing_number_invalid",
                "The routing number is invalid: it must be a 9-digit ABA routing number.",
                "routing_number",
            )
        if not bank.account_number_valid(account_number):
            raise _invalid(
                "account_number_invalid",
                "The account number is invalid: it must have 4 to 17 digits.",
                "account_number",
            )
        scenario, _ = bank.TEST_ACCOUNTS.get(account_number, ("success", None))
        # Manually entered accounts are verified with microdeposits before the first debit
        # (Stripe: "verify all test accounts ... with the test microdeposit amounts").
        return _bank_tokenized(
            routing_number,
            account_number,
            account_holder_type or "individual",
            account_type or "checking",
            account,
            f"us_bank_account:{scenario}:u",
        )

    def tokenize_sepa_debit(self, *, iban: str, account: str) -> Tokenized:
        iban = sepa.normalize_iban(iban)
        if not sepa.iban_valid(iban):
            raise _invalid("invalid_bank_account_iban", "The IBAN you provided is invalid.", "iban")
        scenario = sepa.TEST_IBANS.get(iban, "success")
        bank_code, branch_code = sepa.bank_and_branch(iban)
        details = {
            "bank_code": bank_code,
            "branch_code": branch_code,
            "country": iban[:2],
            "fingerprint": fingerprint(account, "sepa_debit", iban),
            "generated_from": {"charge": None, "setup_attempt": None},
            "last4": iban[-4:],
        }
        return Tokenized(type="sepa_debit", details=details, processor_ref=f"sepa_debit:{scenario}")

    def test_token(self, token: str, *, account: str) -> Tokenized | None:
        if token in CARD_TOKENS:
            number = CARD_TOKENS[token]
            card = CARDS[number]
            # Token cards behave as if a CVC was collected (cvc_check "unchecked", then "pass").
            details = _card_details(
                card, TOKEN_EXP_MONTH, TOKEN_EXP_YEAR, fingerprint(account, "card", number), "000"
            )
            return Tokenized(type="card", details=details, processor_ref=f"card:{card.key}:c")
        if token in bank.BANK_TOKENS:
            number = bank.BANK_TOKENS[token]
            scenario, _ = bank.TEST_ACCOUNTS[number]
            # Test tokens stand for already-verified accounts: they debit without microdeposits.
            return _bank_tokenized(
                bank.TEST_ROUTING_NUMBER,
                number,
                "individual",
                "checking",
                account,
                f"us_bank_account:{scenario}:v",
            )
        if token in sepa.SEPA_TOKENS:
            return self.tokenize_sepa_debit(iban=sepa.SEPA_TOKENS[token], account=account)
        return None

    # -- cards on file -------------------------------------------------------------------

    def can_attach(self, processor_ref: str) -> Decline | None:
        """Attaching runs an issuer check: cards the issuer declines can't be saved.

        Radar blocks and declines that follow 3-D Secure belong to a charge, not the check.
        """
        if not processor_ref.startswith("card:"):
            return None
        card, _ = _card(processor_ref)
        if (
            card.decline is None
            or card.attach_despite_decline
            or card.decline == "fraudulent"
            or card.three_ds == "required"
        ):
            return None
        return DECLINES[card.decline]

    # -- payments ------------------------------------------------------------------------

    def authorize(self, req: AuthorizationRequest) -> AuthorizationResult:
        kind = _kind(req.processor_ref)
        if kind == "sepa_debit":
            return AuthorizationResult(outcome="processing")
        if kind == "us_bank_account":
            scenario, verified = _bank(req.processor_ref)
            if scenario == "failMicrodeposits":
                return AuthorizationResult(outcome="declined", decline=bank.MICRODEPOSITS_FAILED)
            if not verified:
                return AuthorizationResult(outcome="requires_verification")
            if scenario == "riskLevelHighest":
                return _declined(bank.RADAR_BLOCKED, req.processor_ref, risk_score=True)
            return AuthorizationResult(outcome="processing")
        card, cvc = _card(req.processor_ref)
        checks = _charge_checks(card, cvc)
        if req.off_session:
            # Nobody is there to authenticate: issuers that insist decline.
            if card.three_ds == "required":
                return _declined(AUTHENTICATION_REQUIRED, req.processor_ref, checks=checks)
            return _charge(card, req, checks, None)
        if card.three_ds == "frictionless":
            return _charge(
                card,
                req,
                checks,
                _three_d_secure(card, req.processor_ref, req.amount, req.now, "frictionless"),
            )
        forced = req.request_three_d_secure in ("any", "challenge")
        if card.three_ds in ("required", "on_setup") or (
            forced and card.three_ds != "not_supported"
        ):
            return AuthorizationResult(outcome="requires_authentication", card_checks=checks)
        return _charge(card, req, checks, None)

    def complete_authentication(
        self, req: AuthorizationRequest, *, succeeded: bool
    ) -> AuthorizationResult:
        """The customer finished the challenge page; the charge goes to the network if it passed.

        A failed challenge never reaches the network, and Stripe records no charge outcome
        for it: charge_outcome is None.
        """
        card, cvc = _card(req.processor_ref)
        if not succeeded:
            return AuthorizationResult(outcome="declined", decline=AUTHENTICATION_FAILED)
        tds = _three_d_secure(card, req.processor_ref, req.amount, req.now, "challenge")
        return _charge(card, req, _charge_checks(card, cvc), tds)

    # -- saving for later (SetupIntents) ---------------------------------------------------

    def setup(self, req: SetupRequest) -> AuthorizationResult:
        """The check a SetupIntent makes: no charge, the customer present.

        Cards that ask for 3-D Secure (always, or on setup) get a challenge whatever the
        usage; a card the issuer declines cannot be saved (the attach rule); SEPA Debit is set
        up at once under its mandate; a US bank account entered by hand is verified with
        microdeposits first.
        """
        kind = _kind(req.processor_ref)
        if kind == "sepa_debit":
            return AuthorizationResult(outcome="approved")
        if kind == "us_bank_account":
            scenario, verified = _bank(req.processor_ref)
            if scenario == "failMicrodeposits":
                return AuthorizationResult(outcome="declined", decline=bank.MICRODEPOSITS_FAILED)
            if not verified:
                return AuthorizationResult(outcome="requires_verification")
            return AuthorizationResult(outcome="approved")
        card, cvc = _card(req.processor_ref)
        checks = _charge_checks(card, cvc)
        if card.three_ds == "frictionless":
            tds = _three_d_secure(card, req.processor_ref, 0, req.now, "frictionless")
            return self._checked(card, req, checks, tds)
        forced = req.request_three_d_secure in ("any", "challenge")
        if card.three_ds in ("required", "on_setup") or (
            forced and card.three_ds != "not_supported"
        ):
            return AuthorizationResult(outcome="requires_authentication", card_checks=checks)
        return self._checked(card, req, checks, None)

    def complete_setup_authentication(
        self, req: SetupRequest, *, succeeded: bool
    ) -> AuthorizationResult:
        card, cvc = _card(req.processor_ref)
        if not succeeded:
            return AuthorizationResult(outcome="declined", decline=SETUP_AUTHENTICATION_FAILED)
        tds = _three_d_secure(card, req.processor_ref, 0, req.now, "challenge")
        return self._checked(card, req, _charge_checks(card, cvc), tds)

    def _checked(
        self,
        card: TestCard,
        req: SetupRequest,
        checks: dict[str, Any],
        three_d_secure: dict[str, Any] | None,
    ) -> AuthorizationResult:
        decline = self.can_attach(req.processor_ref)
        if decline is not None:
            return _declined(
                decline, req.processor_ref, checks=checks, three_d_secure=three_d_secure
            )
        return AuthorizationResult(
            outcome="approved",
            charge_outcome=_outcome_approved(card, req.processor_ref),
            card_checks=checks,
            three_d_secure=three_d_secure,
        )

    def capture(self, *, processor_ref: str, amount: int) -> CaptureResult:
        card, _ = _card(processor_ref)
        if amount <= 0:
            raise ValueError("capture amount must be positive")
        return CaptureResult(
            amount=amount,
            available_immediately=card.bypass_pending,
            dispute_reason=card.dispute,
            dispute_inquiry=card.dispute_inquiry,
        )

    def refund(self, *, processor_ref: str, amount: int) -> RefundResult:
        if amount <= 0:
            raise ValueError("refund amount must be positive")
        if _kind(processor_ref) != "card":
            return RefundResult(status="succeeded")
        card, _ = _card(processor_ref)
        if card.refund == "pending":
            return RefundResult(
                status="pending", final_status="succeeded", final_after=REFUND_SETTLE_DELAY
            )
        if card.refund == "fail":
            # Stripe shows the refund as succeeded at first and fails it later.
            return RefundResult(
                status="succeeded",
                final_status="failed",
                final_after=REFUND_SETTLE_DELAY,
                failure_reason=REFUND_FAILURE_REASON,
            )
        return RefundResult(status="succeeded")

    def increment_authorization(
        self, *, processor_ref: str, current_amount: int, new_amount: int
    ) -> AuthorizationResult:
        card, cvc = _card(processor_ref)
        if new_amount <= current_amount:
            raise ValueError("an increment must raise the authorized amount")
        checks = _charge_checks(card, cvc)
        if card.decline is not None or not _incremental_eligible(card):
            base = DECLINES[card.decline or "generic_decline"]
            # Stripe answers a refused increment with card_declined whatever the issuer said.
            decline = replace(
                base,
                code="card_declined",
                param=None,
                message=base.message if base.code == "card_declined" else CARD_DECLINED,
            )
            return _declined(decline, processor_ref, checks=checks)
        return AuthorizationResult(
            outcome="approved",
            charge_outcome=_outcome_approved(card, processor_ref),
            card_checks=checks,
            incremental_authorization_available=True,
            network_transaction_id=digits_from(processor_ref, new_amount, "ntid", length=15),
            authorization_code=digits_from(processor_ref, new_amount, "auth", length=6),
        )

    def verify_microdeposits(
        self, *, processor_ref: str, amounts: list[int] | None, descriptor_code: str | None
    ) -> VerificationResult:
        """Stripe's test values decide; the caller counts failed attempts and the deadline."""
        scenario, verified = _bank(processor_ref)
        if verified:
            return _unverified("payment_method_bank_account_already_verified")
        if scenario == "failMicrodeposits":
            return _unverified("payment_method_microdeposit_failed")
        if amounts is not None:
            if len(amounts) != 2 or not all(isinstance(a, int) and 0 < a < 100 for a in amounts):
                return _unverified("payment_method_microdeposit_verification_amounts_invalid")
            pair = (min(amounts), max(amounts))
            mismatch = "payment_method_microdeposit_verification_amounts_mismatch"
            code = bank.VERIFY_AMOUNTS.get(pair, mismatch)
        elif descriptor_code is not None:
            mismatch = "payment_method_microdeposit_verification_descriptor_code_mismatch"
            code = bank.VERIFY_DESCRIPTORS.get(descriptor_code.strip().upper(), mismatch)
        else:
            return _unverified("payment_method_microdeposit_verification_amounts_invalid")
        if code is not None:
            return _unverified(code)
        return VerificationResult(verified=True, processor_ref=f"us_bank_account:{scenario}:v")

    def settle(self, *, processor_ref: str) -> AuthorizationResult:
        kind = _kind(processor_ref)
        if kind == "us_bank_account":
            scenario, _ = _bank(processor_ref)
            if scenario == "processing":
                return AuthorizationResult(outcome="processing")
            failure = bank.SETTLEMENT_FAILURES.get(scenario)
            dispute = bank.DISPUTE_REASON if scenario == "dispute" else None
        elif kind == "sepa_debit":
            scenario = processor_ref.split(":", 1)[1]
            failure = sepa.SETTLEMENT_FAILURES.get(scenario)
            dispute = sepa.DISPUTE_REASON if scenario == "disputed" else None
        else:
            raise ValueError(f"{kind} payments do not settle asynchronously")
        if failure is not None:
            return _declined(failure, processor_ref)
        return AuthorizationResult(
            outcome="approved",
            charge_outcome=_outcome(
                "approved_by_network", None, "not_assessed", None, "Payment complete.", "authorized"
            ),
            dispute_reason=dispute,
        )

    def settlement_delay(self, processor_ref: str) -> int:
        """Seconds from confirm until `settle` should be called."""
        if _kind(processor_ref) == "sepa_debit":
            scenario = processor_ref.split(":", 1)[1]
            if scenario in sepa.DELAYED:
                return sepa.DELAYED_SETTLEMENT_DELAY
            return sepa.SETTLEMENT_DELAY
        # ACH settles instantly in test mode; cards do not settle asynchronously.
        return 0


# -- helpers ----------------------------------------------------------------------------------


def _kind(processor_ref: str) -> str:
    kind = processor_ref.split(":", 1)[0]
    if kind not in ("card", "us_bank_account", "sepa_debit"):
        raise ValueError(f"not a processor reference of this processor: {processor_ref!r}")
    return kind


def _fields(processor_ref: str) -> tuple[str, str, str]:
    kind, _, rest = processor_ref.partition(":")
    key, _, flag = rest.partition(":")
    return kind, key, flag


def _live_card(brand: str, last4: str) -> TestCard:
    """A card outside the test table: only its brand (and, when tokenized, last4) is known."""
    return TestCard(last4, brand, key=f"live_{brand}", funding="unknown", country=None)


def _card(processor_ref: str) -> Card:
    kind, key, cvc = _fields(processor_ref)
    if kind != "card":
        raise ValueError(f"not a card reference: {processor_ref!r}")
    if key.startswith("live_"):
        card: TestCard | None = _live_card(key.removeprefix("live_"), "")
    elif key.isdigit():
        # Written before references named a profile: databases may still hold them.
        card = CARDS.get(key)
    else:
        card = PROFILES.get(key)
    if card is None:
        raise ValueError(f"unknown card reference: {processor_ref!r}")
    return card, cvc == "c"


def _bank(processor_ref: str) -> tuple[str, bool]:
    kind, scenario, verified = _fields(processor_ref)
    if kind != "us_bank_account":
        raise ValueError(f"not a US bank account reference: {processor_ref!r}")
    return scenario, verified == "v"


def _card_details(
    card: TestCard, exp_month: int, exp_year: int, fp: str, cvc: str | None
) -> dict[str, Any]:
    return {
        "brand": card.brand,
        "checks": {
            "address_line1_check": None,
            "address_postal_code_check": None,
            "cvc_check": "unchecked" if cvc else None,
        },
        "country": card.country,
        "display_brand": DISPLAY_BRANDS.get(card.brand, "other"),
        "exp_month": exp_month,
        "exp_year": exp_year,
        "fingerprint": fp,
        "funding": card.funding,
        "generated_from": None,
        "last4": card.number[-4:],
        "networks": {"available": [card.brand, *card.co_brands], "preferred": None},
        "three_d_secure_usage": {"supported": card.three_ds != "not_supported"},
        "wallet": None,
    }


def _bank_tokenized(
    routing_number: str,
    account_number: str,
    holder_type: str,
    account_type: str,
    account: str,
    processor_ref: str,
) -> Tokenized:
    details = {
        "account_holder_type": holder_type,
        "account_type": account_type,
        "bank_name": bank.TEST_BANK_NAME if routing_number == bank.TEST_ROUTING_NUMBER else None,
        "financial_connections_account": None,
        "fingerprint": fingerprint(
            account, "us_bank_account", f"{routing_number}/{account_number}"
        ),
        "last4": account_number[-4:],
        "networks": {"preferred": "ach", "supported": ["ach"]},
        "routing_number": routing_number,
        "status_details": None,
    }
    return Tokenized(type="us_bank_account", details=details, processor_ref=processor_ref)


def _charge_checks(card: TestCard, cvc: bool) -> dict[str, Any]:
    """Checks as the issuer reports them on the charge.

    The processor never sees the billing address, so address checks are reported only for
    the AVS test cards, whose purpose is to exercise them.
    """
    line1, postal = card.avs or (None, None)
    cvc_check = ("fail" if card.cvc_check_fails else "pass") if cvc else None
    return {
        "address_line1_check": line1,
        "address_postal_code_check": postal,
        "cvc_check": cvc_check,
    }


def _three_d_secure(
    card: TestCard, processor_ref: str, amount: int, now: int, flow: str
) -> dict[str, Any]:
    tid = digits_from(processor_ref, amount, now, "3ds", length=32)
    return {
        "authentication_flow": flow,
        "electronic_commerce_indicator": ELECTRONIC_COMMERCE_INDICATOR.get(card.brand, "05"),
        "exemption_indicator": None,
        "exemption_indicator_applied": False,
        "result": "authenticated",
        "result_reason": None,
        "transaction_id": f"{tid[:8]}-{tid[8:12]}-{tid[12:16]}-{tid[16:20]}-{tid[20:32]}",
        "version": card.three_ds_version,
    }


def _risk_score(processor_ref: str, risk_level: str) -> int:
    """Deterministic scores inside the band Stripe gives each risk level."""
    spread = int(digits_from(processor_ref, "risk", length=4))
    if risk_level == "highest":
        return 75 + spread % 25
    if risk_level == "elevated":
        return 65 + spread % 10
    return 5 + spread % 55


def _outcome(
    network_status: str,
    reason: str | None,
    risk_level: str,
    risk_score: int | None,
    seller_message: str,
    type: str,
) -> dict[str, Any]:
    return {
        "network_status": network_status,
        "reason": reason,
        "risk_level": risk_level,
        "risk_score": risk_score,
        "rule": None,
        "seller_message": seller_message,
        "type": type,
    }


def _outcome_approved(card: TestCard, processor_ref: str) -> dict[str, Any]:
    # Elevated risk is reported but not put in review: payintents has no Radar reviews.
    return _outcome(
        "approved_by_network",
        None,
        card.risk_level,
        _risk_score(processor_ref, card.risk_level),
        "Payment complete.",
        "authorized",
    )


def _declined(
    decline: Decline,
    processor_ref: str,
    *,
    checks: dict[str, Any] | None = None,
    three_d_secure: dict[str, Any] | None = None,
    risk_score: bool | None = None,
) -> AuthorizationResult:
    scored = risk_score if risk_score is not None else processor_ref.startswith("card:")
    outcome = _outcome(
        decline.network_status,
        decline.outcome_reason,
        decline.risk_level,
        _risk_score(processor_ref, decline.risk_level) if scored else None,
        decline.seller_message,
        decline.outcome_type,
    )
    return AuthorizationResult(
        outcome="declined",
        decline=decline,
        charge_outcome=outcome,
        card_checks=checks,
        three_d_secure=three_d_secure,
    )


def _incremental_eligible(card: TestCard) -> bool:
    return card.brand in INCREMENTAL_BRANDS and card.funding == "credit"


def _charge(
    card: TestCard,
    req: AuthorizationRequest,
    checks: dict[str, Any],
    three_d_secure: dict[str, Any] | None,
) -> AuthorizationResult:
    """Send the (authenticated, if needed) payment to the issuer."""
    if card.decline is not None:
        return _declined(
            DECLINES[card.decline], req.processor_ref, checks=checks, three_d_secure=three_d_secure
        )
    manual = req.capture_method == "manual"
    return AuthorizationResult(
        outcome="approved",
        charge_outcome=_outcome_approved(card, req.processor_ref),
        card_checks=checks,
        three_d_secure=three_d_secure,
        incremental_authorization_available=(
            manual and req.request_incremental_authorization and _incremental_eligible(card)
        ),
        network_transaction_id=digits_from(
            req.processor_ref, req.amount, req.now, "ntid", length=15
        ),
        authorization_code=digits_from(req.processor_ref, req.amount, req.now, "auth", length=6),
        capture_before=req.now + CAPTURE_WINDOW if manual else None,
        dispute_reason=card.dispute,
        dispute_inquiry=card.dispute_inquiry,
    )


def _unverified(code: str) -> VerificationResult:
    return VerificationResult(verified=False, code=code, message=bank.VERIFICATION_MESSAGES[code])
