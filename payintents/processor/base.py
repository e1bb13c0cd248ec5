"""The processor interface: what the services ask of a card network or bank, and the answers.

Nothing outside `processor/` knows a card number. Raw details are tokenized into a public
description (the Stripe sub-object of the PaymentMethod) and an opaque `processor_ref`;
every later call passes that ref back, and the processor decides outcomes from it alone.
Implementations hold no state and no clock: time comes in as `now`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

PaymentMethodType = Literal["card", "us_bank_account", "sepa_debit", "customer_balance"]
AuthorizationOutcome = Literal[
    "approved", "declined", "requires_authentication", "processing", "requires_verification"
]


@dataclass(frozen=True)
class Tokenized:
    """A payment method as the processor sees it after tokenization."""

    type: str
    # The public Stripe sub-object for `type` (payment_method.card, .us_bank_account, ...).
    details: dict[str, Any]
    # Opaque; store it privately with the PaymentMethod and hand it back on every call.
    processor_ref: str


class TokenizeError(Exception):
    """Raw payment details were refused; carries the fields of Stripe's error body.

    `param` is relative to the payment method's hash ("number", "exp_month", "iban", ...);
    the caller prefixes it ("card[number]").
    """

    def __init__(
        self,
        *,
        type: str,
        code: str,
        message: str,
        param: str | None = None,
        decline_code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.type = type
        self.code = code
        self.message = message
        self.param = param
        self.decline_code = decline_code


@dataclass(frozen=True)
class Decline:
    """Why a payment failed: the error fields and the charge outcome fields together."""

    code: str
    decline_code: str | None
    message: str
    param: str | None
    network_status: str
    outcome_type: str
    outcome_reason: str | None
    risk_level: str
    seller_message: str


def bank_failure(code: str, message: str) -> Decline:
    """A debit the customer's bank refused or returned: bank failures have no decline code."""
    return Decline(
        code=code,
        decline_code=None,
        message=message,
        param=None,
        network_status="declined_by_network",
        outcome_type="issuer_declined",
        outcome_reason=code,
        risk_level="not_assessed",
        seller_message=f"The customer's bank returned the failure code `{code}`.",
    )


@dataclass(frozen=True)
class AuthorizationRequest:
    processor_ref: str
    payment_method_type: str
    amount: int
    currency: str
    capture_method: str  # "automatic" | "automatic_async" | "manual"
    off_session: bool
    request_three_d_secure: str  # "automatic" | "any" | "challenge"
    setup_future_usage: str | None
    request_incremental_authorization: bool
    now: int


@dataclass(frozen=True)
class SetupRequest:
    """Saving a payment method for later (a SetupIntent's confirm): no money moves; the issuer
    or bank checks the method, and a card may ask for 3-D Secure."""

    processor_ref: str
    payment_method_type: str
    usage: str  # "off_session" | "on_session"
    request_three_d_secure: str  # "automatic" | "any" | "challenge"
    now: int


@dataclass(frozen=True)
class AuthorizationResult:
    outcome: AuthorizationOutcome
    decline: Decline | None = None
    # Stripe's charge `outcome` object; None while processing and when no charge reached
    # the network for a reason Stripe records no outcome for (failed 3-D Secure).
    charge_outcome: dict[str, Any] | None = None
    # charge.payment_method_details.card.checks / .three_d_secure
    card_checks: dict[str, Any] | None = None
    three_d_secure: dict[str, Any] | None = None
    incremental_authorization_available: bool = False
    network_transaction_id: str | None = None
    authorization_code: str | None = None
    # Deadline to capture a manual-capture card authorization.
    capture_before: int | None = None
    # Set when the payment will be disputed once it succeeds (dispute test cards/accounts).
    dispute_reason: str | None = None
    # The dispute is an inquiry (a retrieval request: no funds withdrawn) not a chargeback.
    dispute_inquiry: bool = False


@dataclass(frozen=True)
class CaptureResult:
    amount: int
    # Funds skip the pending balance (pm_card_bypassPending*).
    available_immediately: bool = False
    dispute_reason: str | None = None
    dispute_inquiry: bool = False


@dataclass(frozen=True)
class RefundResult:
    """A refund's status now, and the status it moves to later if it changes.

    Stripe changes some refunds asynchronously: pm_card_pendingRefund refunds start
    "pending" and later succeed; pm_card_refundFail refunds start "succeeded" and later
    fail. When `final_status` is set the caller applies it `final_after` seconds later
    (with `failure_reason` when it is "failed").
    """

    status: Literal["succeeded", "pending"]
    final_status: Literal["succeeded", "failed"] | None = None
    final_after: int | None = None
    failure_reason: str | None = None


@dataclass(frozen=True)
class VerificationResult:
    verified: bool
    code: str | None = None
    message: str | None = None
    # On success, the reference that replaces the payment method's stored one: a verified
    # account authorizes without asking for microdeposits again.
    processor_ref: str | None = None


class Processor(Protocol):
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
    ) -> Tokenized: ...

    def tokenize_us_bank_account(
        self,
        *,
        routing_number: str,
        account_number: str,
        account_holder_type: str | None,
        account_type: str | None,
        account: str,
    ) -> Tokenized: ...

    def tokenize_sepa_debit(self, *, iban: str, account: str) -> Tokenized: ...

    def test_token(self, token: str, *, account: str) -> Tokenized | None: ...

    def can_attach(self, processor_ref: str) -> Decline | None: ...

    def authorize(self, req: AuthorizationRequest) -> AuthorizationResult: ...

    def complete_authentication(
        self, req: AuthorizationRequest, *, succeeded: bool
    ) -> AuthorizationResult: ...

    def setup(self, req: SetupRequest) -> AuthorizationResult: ...

    def complete_setup_authentication(
        self, req: SetupRequest, *, succeeded: bool
    ) -> AuthorizationResult: ...

    def capture(self, *, processor_ref: str, amount: int) -> CaptureResult: ...

    def refund(self, *, processor_ref: str, amount: int) -> RefundResult: ...

    def increment_authorization(
        self, *, processor_ref: str, current_amount: int, new_amount: int
    ) -> AuthorizationResult: ...

    def verify_microdeposits(
        self, *, processor_ref: str, amounts: list[int] | None, descriptor_code: str | None
    ) -> VerificationResult: ...

    def settle(self, *, processor_ref: str) -> AuthorizationResult: ...

    def settlement_delay(self, processor_ref: str) -> int: ...
