"""US bank accounts (ACH Direct Debit): Stripe's test accounts and microdeposit values.

Facts from Stripe's ACH testing docs (reference §2.6): routing number 110000000, the
account-number table and its pm_usBankAccount_* tokens, and the microdeposit amounts and
descriptor codes. Failure codes are Stripe's ACH failure codes; the human-readable messages
for bank failures are our own wording (Stripe publishes none); microdeposit messages are the
ones Stripe's bank-debit guides show, where they show one.
"""

from __future__ import annotations

from payintents.processor.base import Decline, bank_failure

TEST_ROUTING_NUMBER = "110000000"
TEST_BANK_NAME = "STRIPE TEST BANK"

# account number -> (scenario, pm_usBankAccount_* token or None)
TEST_ACCOUNTS: dict[str, tuple[str, str | None]] = {
    "000123456789": ("success", "pm_usBankAccount_success"),
    "000111111113": ("accountClosed", "pm_usBankAccount_accountClosed"),
    "000111111116": ("noAccount", "pm_usBankAccount_noAccount"),
    "000222222227": ("insufficientFunds", "pm_usBankAccount_insufficientFunds"),
    "000333333335": ("debitNotAuthorized", "pm_usBankAccount_debitNotAuthorized"),
    "000444444440": ("invalidCurrency", "pm_usBankAccount_invalidCurrency"),
    "000555555559": ("dispute", "pm_usBankAccount_dispute"),
    "000666666661": ("failMicrodeposits", "pm_usBankAccount_failMicrodeposits"),
    "000000004954": ("riskLevelHighest", "pm_usBankAccount_riskLevelHighest"),
    "000000000009": ("processing", "pm_usBankAccount_processing"),
    "000777777771": ("weeklyLimitExceeded", "pm_usBankAccount_weeklyLimitExceeded"),
    "000888888885": ("tokenizedAccountDeactivated", None),
}

BANK_TOKENS: dict[str, str] = {
    token: number for number, (_, token) in TEST_ACCOUNTS.items() if token is not None
}


# Scenario -> how the debit fails when it settles.
SETTLEMENT_FAILURES: dict[str, Decline] = {
    "accountClosed": bank_failure("account_closed", "The bank account has been closed."),
    "noAccount": bank_failure("no_account", "The bank account could not be found."),
    "insufficientFunds": bank_failure(
        "insufficient_funds", "The bank account has insufficient funds for this payment."
    ),
    "debitNotAuthorized": bank_failure(
        "debit_not_authorized", "The account holder's bank reported this debit as unauthorized."
    ),
    "invalidCurrency": bank_failure(
        "invalid_currency", "The bank account cannot be debited in this currency."
    ),
    # Stripe's SEPA docs name this code for a weekly volume limit; ACH uses the same limit.
    "weeklyLimitExceeded": bank_failure(
        "charge_exceeds_source_limit",
        "This payment would take the bank account over its weekly payment volume limit.",
    ),
    # Stripe documents the failure but not its code: `bank_account_unusable` is the
    # closest of its published codes.
    "tokenizedAccountDeactivated": bank_failure(
        "bank_account_unusable",
        "The tokenized account number for this bank account has been deactivated.",
    ),
}

MICRODEPOSITS_FAILED = Decline(
    code="payment_method_microdeposit_failed",
    decline_code=None,
    message=(
        "The microdeposits could not be sent to this bank account. Check the routing and "
        "account numbers, or use a different payment method."
    ),
    param=None,
    network_status="not_sent_to_network",
    outcome_type="invalid",
    outcome_reason=None,
    risk_level="not_assessed",
    seller_message="Microdeposits to verify this bank account could not be sent.",
)

# Stripe documents that Radar blocks this account but not the error it answers; we use the
# generic "attempt failed" code of the PaymentIntent API.
RADAR_BLOCKED = Decline(
    code="payment_intent_payment_attempt_failed",
    decline_code=None,
    message="The payment was blocked because it was evaluated as too risky.",
    param=None,
    network_status="not_sent_to_network",
    outcome_type="blocked",
    outcome_reason="highest_risk_level",
    risk_level="highest",
    seller_message="Stripe blocked this payment as too risky.",
)

DISPUTE_REASON = "general"

# Microdeposit test values: (amounts, descriptor code) -> result code (None = verified).
VERIFY_AMOUNTS: dict[tuple[int, int], str | None] = {
    (32, 45): None,
    (10, 11): "payment_method_microdeposit_verification_attempts_exceeded",
    (40, 41): "payment_method_microdeposit_verification_timeout",
}
VERIFY_DESCRIPTORS: dict[str, str | None] = {
    "SM11AA": None,
    "SM33CC": "payment_method_microdeposit_verification_attempts_exceeded",
    "SM44DD": "payment_method_microdeposit_verification_timeout",
}

# Stripe's messages (its bank-debit guides and error-code list); the mismatch messages get
# "You have N verification attempts remaining." appended by the caller, which counts attempts.
# amounts_invalid and already_verified are our wording.
VERIFICATION_MESSAGES: dict[str, str] = {
    "payment_method_microdeposit_verification_amounts_invalid": (
        "Provide exactly two microdeposit amounts, in cents, each between 1 and 99."
    ),
    "payment_method_microdeposit_verification_amounts_mismatch": (
        "The amounts provided do not match the amounts that were sent to the bank account."
    ),
    "payment_method_microdeposit_verification_descriptor_code_mismatch": (
        "The verification code provided does not match the one sent to the bank account."
    ),
    "payment_method_microdeposit_verification_attempts_exceeded": (
        "You have exceeded the number of allowed verification attempts."
    ),
    "payment_method_microdeposit_verification_timeout": (
        "Microdeposit timeout. Customer hasn't verified their bank account within the required "
        "10 day period."
    ),
    "payment_method_microdeposit_failed": MICRODEPOSITS_FAILED.message,
    "payment_method_bank_account_already_verified": "This bank account is already verified.",
}


def routing_number_valid(routing_number: str) -> bool:
    """Nine digits with the ABA checksum (weights 3, 7, 1)."""
    if len(routing_number) != 9 or not routing_number.isdigit():
        return False
    d = [int(c) for c in routing_number]
    total = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5] + d[8]
    return total % 10 == 0


def account_number_valid(account_number: str) -> bool:
    return account_number.isdigit() and 4 <= len(account_number) <= 17
