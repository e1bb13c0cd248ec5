"""The Refund object and the arithmetic of refunding a charge."""

from __future__ import annotations

from typing import Any

from payintents.domain import money
from payintents.errors import ApiError

Refund = dict[str, Any]


def refundable(charge: dict[str, Any], released: int = 0) -> int:
    """What can still be refunded. `released` is the uncaptured remainder that a pre-basil
    partial capture or cancel recorded as a refund: it counts in amount_refunded but was never
    captured."""
    return charge["amount_captured"] - (charge["amount_refunded"] - released)


def check_refund(charge: dict[str, Any], amount: int | None, released: int = 0) -> int:
    """The amount to refund, or Stripe's error for this charge and amount."""
    if charge["status"] != "succeeded":
        raise ApiError(
            f"Charge {charge['id']} has a status of {charge['status']} and cannot be refunded.",
            code="charge_not_refundable" if charge["status"] == "failed" else None,
            param="charge",
        )
    if not charge["captured"]:
        raise ApiError(
            f"This uncaptured Charge was created by a PaymentIntent ({charge['payment_intent']}). "
            "You must cancel the PaymentIntent to reverse the authorization instead of refunding "
            "the Charge directly.",
            param="charge",
        )
    remaining = refundable(charge, released)
    if remaining <= 0:
        raise ApiError(
            f"Charge {charge['id']} has already been refunded.",
            code="charge_already_refunded",
        )
    amount = remaining if amount is None else amount
    if amount > remaining:
        currency = charge["currency"]
        if charge["amount_refunded"] - released:
            message = (
                f"Refund amount ({money.format_amount(amount, currency)}) is greater than "
                f"unrefunded amount on charge ({money.format_amount(remaining, currency)})"
            )
        else:
            message = (
                f"Refund amount ({money.format_amount(amount, currency)}) is greater than charge "
                f"amount ({money.format_amount(charge['amount_captured'], currency)})"
            )
        raise ApiError(message, code="amount_too_large", param="amount")
    return amount


def new_refund(
    *,
    refund_id: str,
    charge: dict[str, Any],
    amount: int,
    reason: str | None,
    metadata: dict[str, str],
    status: str,
    now: int,
) -> Refund:
    return {
        "id": refund_id,
        "object": "refund",
        "amount": amount,
        "balance_transaction": None,
        "charge": charge["id"],
        "created": now,
        "currency": charge["currency"],
        "destination_details": {
            "card": {
                "reference_status": "pending",
                "reference_type": "acquirer_reference_number",
                "type": "refund",
            },
            "type": "card",
        }
        if charge["payment_method_details"]["type"] == "card"
        else None,
        "metadata": metadata,
        "payment_intent": charge["payment_intent"],
        "reason": reason,
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": status,
        "transfer_reversal": None,
    }


def apply_refund(charge: dict[str, Any], amount: int, released: int = 0) -> dict[str, Any]:
    refunded = charge["amount_refunded"] + amount
    # "Fully refunded" counts against what was captured plus what a pre-basil release refunded.
    return {
        **charge,
        "amount_refunded": refunded,
        "refunded": refunded >= charge["amount_captured"] + released,
    }
