"""The Dispute object and its lifecycle as Stripe's test mode runs it (docs/conformance.md).

A chargeback (`needs_response`) withdraws the amount and a dispute fee at once; an inquiry
(`warning_needs_response`) withdraws nothing. Evidence submitted moves it under review, and
the evidence test values decide it: `winning_evidence` wins (the funds come back),
`losing_evidence` loses, `escalate_inquiry_evidence` turns an inquiry into a chargeback.
"""

from __future__ import annotations

from typing import Any

from payintents.domain import money
from payintents.domain.values import clean, merge_metadata
from payintents.errors import ApiError

Dispute = dict[str, Any]

EVIDENCE_FIELDS = (
    "access_activity_log", "billing_address", "cancellation_policy",
    "cancellation_policy_disclosure", "cancellation_rebuttal", "customer_communication",
    "customer_email_address", "customer_name", "customer_purchase_ip", "customer_signature",
    "duplicate_charge_documentation", "duplicate_charge_explanation", "duplicate_charge_id",
    "product_description", "receipt", "refund_policy", "refund_policy_disclosure",
    "refund_refusal_explanation", "service_date", "service_documentation", "shipping_address",
    "shipping_carrier", "shipping_date", "shipping_documentation", "shipping_tracking_number",
    "uncategorized_file", "uncategorized_text",
)  # fmt: skip
# Stripe's limit on all evidence text together.
EVIDENCE_MAX_CHARACTERS = 150_000

# How long a dispute waits for evidence, and how long a submission takes to be decided.
RESPONSE_WINDOW = 7 * 86400
DECISION_DELAY = 5

# The card network's reason code for each test card's reason (Visa's codes).
_NETWORK_REASON = {"fraudulent": "10.4", "product_not_received": "13.1"}

# uncategorized_text values that decide a test dispute (docs.stripe.com/testing#disputes).
WINNING = "winning_evidence"
LOSING = "losing_evidence"
ESCALATE = "escalate_inquiry_evidence"

OPEN = ("needs_response", "warning_needs_response")
UNDER_REVIEW = ("under_review", "warning_under_review")
CLOSED = ("won", "lost", "warning_closed")


def dispute_fee(currency: str) -> int:
    """Stripe's dispute fee, 15.00 (here in the charge's own currency)."""
    return 15 * 10 ** money.decimals(currency)


def balance_transaction(
    *,
    txn_id: str,
    dispute_id: str,
    charge_id: str,
    amount: int,
    currency: str,
    now: int,
    reinstated: bool,
) -> dict[str, Any]:
    """The funds a chargeback withdraws (amount and fee), or gives back when it is won."""
    sign = 1 if reinstated else -1
    fee = -sign * dispute_fee(currency)
    return {
        "id": txn_id,
        "object": "balance_transaction",
        "amount": sign * amount,
        "available_on": now,
        "created": now,
        "currency": currency,
        "description": f"Chargeback {'reversal' if reinstated else 'withdrawal'} for {charge_id}",
        "exchange_rate": None,
        "fee": fee,
        "fee_details": [
            {
                "amount": fee,
                "application": None,
                "currency": currency,
                "description": "Dispute fee",
                "type": "stripe_fee",
            }
        ],
        "net": sign * amount - fee,
        "reporting_category": "dispute_reversal" if reinstated else "dispute",
        "source": dispute_id,
        "status": "available",
        "type": "adjustment",
    }


def new_dispute(
    *,
    dispute_id: str,
    charge: dict[str, Any],
    reason: str,
    inquiry: bool,
    now: int,
    withdrawal: dict[str, Any] | None,
) -> Dispute:
    card = (charge.get("payment_method_details") or {}).get("card") or {}
    return {
        "id": dispute_id,
        "object": "dispute",
        "amount": charge["amount_captured"],
        "balance_transactions": [] if withdrawal is None else [withdrawal],
        "charge": charge["id"],
        "created": now,
        "currency": charge["currency"],
        "evidence": dict.fromkeys(EVIDENCE_FIELDS),
        "evidence_details": {
            "due_by": now + RESPONSE_WINDOW,
            "has_evidence": False,
            "past_due": False,
            "submission_count": 0,
        },
        # Once the funds are withdrawn, refunding the charge is refused.
        "is_charge_refundable": inquiry,
        "livemode": charge["livemode"],
        "metadata": {},
        "payment_intent": charge.get("payment_intent"),
        "payment_method_details": {
            "card": {
                "brand": card.get("brand"),
                "network_reason_code": _NETWORK_REASON.get(reason),
            },
            "type": "card",
        },
        "reason": reason,
        "status": "warning_needs_response" if inquiry else "needs_response",
    }


def is_inquiry(dispute: Dispute) -> bool:
    return dispute["status"].startswith("warning_")


def _closed_error(dispute: Dispute) -> ApiError:
    return ApiError(
        f"This dispute is already closed (its status is {dispute['status']}).",
        param="dispute",
    )


def update(dispute: Dispute, params: dict[str, Any]) -> tuple[Dispute, bool]:
    """The dispute with the update applied, and whether its evidence was submitted."""
    updated = dict(dispute)
    if "metadata" in params:
        updated["metadata"] = merge_metadata(dispute["metadata"], params["metadata"])
    evidence = params.get("evidence")
    submit = params.get("submit", evidence is not None)
    if evidence is None and not submit:
        return updated, False
    if dispute["status"] in CLOSED:
        raise _closed_error(dispute)
    if dispute["status"] in UNDER_REVIEW:
        raise ApiError(
            "This dispute's evidence has already been submitted: it cannot be changed while "
            "the dispute is under review.",
            param="evidence",
        )
    staged = dict(dispute["evidence"])
    for name, value in (clean(evidence) or {}).items():
        staged[name] = clean(value)
    total = sum(len(v) for v in staged.values() if isinstance(v, str))
    if total > EVIDENCE_MAX_CHARACTERS:
        raise ApiError(
            f"The combined character count of all evidence fields is limited to "
            f"{EVIDENCE_MAX_CHARACTERS:,}; you passed {total:,}.",
            param="evidence",
        )
    updated["evidence"] = staged
    details = dict(dispute["evidence_details"])
    details["has_evidence"] = any(v is not None for v in staged.values())
    updated["evidence_details"] = details
    if not submit:
        return updated, False
    details["submission_count"] += 1
    updated["status"] = "warning_under_review" if is_inquiry(dispute) else "under_review"
    return updated, True


def decision(dispute: Dispute) -> str | None:
    """What the submitted evidence decides: "won", "lost", "escalated", or None (it stays under
    review)."""
    text = dispute["evidence"].get("uncategorized_text")
    if text == WINNING:
        return "won"
    if text == LOSING:
        return "lost"
    if text == ESCALATE and is_inquiry(dispute):
        return "escalated"
    return None


def close_status(dispute: Dispute, outcome: str) -> str:
    """An inquiry closes as warning_closed whichever way it goes; a chargeback is won or lost."""
    return "warning_closed" if is_inquiry(dispute) else outcome


def check_can_close(dispute: Dispute) -> None:
    if dispute["status"] in CLOSED:
        raise _closed_error(dispute)
    if dispute["status"] in UNDER_REVIEW:
        raise ApiError(
            "This dispute is under review and can no longer be closed: its evidence has been "
            "submitted.",
            param="dispute",
        )


def escalate(dispute: Dispute, withdrawal: dict[str, Any], now: int) -> Dispute:
    """An inquiry becomes a chargeback: the funds are withdrawn and evidence is asked again."""
    return {
        **dispute,
        "balance_transactions": [*dispute["balance_transactions"], withdrawal],
        "evidence_details": {
            **dispute["evidence_details"],
            "due_by": now + RESPONSE_WINDOW,
            "past_due": False,
        },
        "is_charge_refundable": False,
        "status": "needs_response",
    }
