"""Capture, cancel and authorization expiry of a PaymentIntent.

Releasing an uncaptured remainder follows the request's API version (for
expiry, the version the payment was confirmed in), as Stripe does: from
2025-03-31.basil it creates no Refund and leaves the charge's amount_refunded
alone; before, it is recorded as a Refund of the remainder (and
`charge.refunded`).
"""

from __future__ import annotations

from typing import Any

from payintents.domain import lifecycle, versions
from payintents.domain.ids import new_id
from payintents.domain.payment_intent import PaymentIntent
from payintents.domain.refund import new_refund
from payintents.services import customer_balance, disputes
from payintents.services.common import check_intent_id, emit, load_for_update
from payintents.services.context import Ctx
from payintents.store.base import Record, Tx


def _charge(tx: Tx, ctx: Ctx, intent: PaymentIntent) -> Record | None:
    charge_id = intent.get("latest_charge")
    return tx.get_for_update("charge", ctx.scope, charge_id) if charge_id else None


def capture(ctx: Ctx, intent_id: str, params: dict[str, Any]) -> PaymentIntent:
    check_intent_id(intent_id)
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "payment_intent", intent_id, param="intent")
        intent, amount = lifecycle.capture(record.data, params.get("amount_to_capture"), params)
        charge_record = _charge(tx, ctx, intent)
        assert charge_record is not None, "requires_capture always has its authorization"
        captured = ctx.runtime.processor.capture(
            processor_ref=charge_record.private["processor_ref"], amount=amount
        )
        charge = {**charge_record.data, "captured": True, "amount_captured": amount}
        if "application_fee_amount" in params:
            charge["application_fee_amount"] = params["application_fee_amount"]
        remainder = charge["amount"] - amount
        if remainder:
            charge = _release(tx, ctx, Record(charge, charge_record.private, 0), remainder, None)
        else:
            tx.update("charge", ctx.scope, charge, charge_record.private)
        emit(tx, ctx, "charge.captured", charge)
        emit(tx, ctx, "payment_intent.succeeded", intent)
        if captured.dispute_reason:
            disputes.open_in(
                tx,
                ctx,
                charge,
                captured.dispute_reason,
                captured.dispute_inquiry,
                from_request=True,
            )
        tx.update("payment_intent", ctx.scope, intent, {**record.private, "due_at": None})
    return intent


def _release(
    tx: Tx, ctx: Ctx, charge_record: Record, amount: int, reason: str | None
) -> dict[str, Any]:
    """Release an uncaptured remainder; before basil Stripe recorded it as a Refund."""
    charge = charge_record.data
    if versions.at_least(ctx.version, versions.BASIL):
        tx.update("charge", ctx.scope, charge, charge_record.private)
        return charge
    refund = new_refund(
        refund_id=new_id("re"),
        charge=charge,
        amount=amount,
        reason=reason,
        metadata={},
        status="succeeded",
        now=ctx.now,
    )
    tx.insert("refund", ctx.scope, refund, {})
    refunded = charge["amount_refunded"] + amount
    charge = {**charge, "amount_refunded": refunded, "refunded": refunded >= charge["amount"]}
    private = {**charge_record.private, "released": amount}
    tx.update("charge", ctx.scope, charge, private)
    emit(tx, ctx, "charge.refunded", charge, {"amount_refunded": refunded - amount})
    return charge


def _end_pending_debit(tx: Tx, ctx: Ctx, intent: PaymentIntent) -> None:
    """A canceled bank debit is never collected: its pending charge fails (payintents'
    choice; Stripe documents cancel from processing only as possible "in rare cases")."""
    charge_record = _charge(tx, ctx, intent)
    if charge_record is None or charge_record.data["status"] != "pending":
        return
    charge = {
        **charge_record.data,
        "status": "failed",
        "paid": False,
        "captured": False,
        "amount_captured": 0,
        "failure_message": "The payment was canceled before the bank debit was collected.",
    }
    tx.update("charge", ctx.scope, charge, charge_record.private)
    emit(tx, ctx, "charge.failed", charge)


def cancel_in(
    tx: Tx, ctx: Ctx, record: Record, reason: str | None, *, expired: bool = False
) -> PaymentIntent:
    """Cancel under the row lock; an expired authorization is stored with basil's
    `expired`, which older versions are shown as `automatic` (resources/payment_intents)."""
    intent = lifecycle.cancel(record.data, reason, ctx.now)
    customer_balance.release_on_cancel(tx, ctx, record)
    if record.data["status"] == "processing":
        _end_pending_debit(tx, ctx, intent)
    if record.data["status"] == "requires_capture":
        charge_record = _charge(tx, ctx, intent)
        if charge_record is not None:
            reason_code = "expired_uncaptured_charge" if expired else None
            charge = _release(tx, ctx, charge_record, charge_record.data["amount"], reason_code)
            if expired:
                emit(tx, ctx, "charge.expired", charge, from_request=False)
    private = {**record.private, "due_at": None}
    tx.update("payment_intent", ctx.scope, intent, private)
    emit(tx, ctx, "payment_intent.canceled", intent, from_request=not expired)
    return intent


def cancel(ctx: Ctx, intent_id: str, params: dict[str, Any]) -> PaymentIntent:
    check_intent_id(intent_id)
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "payment_intent", intent_id, param="intent")
        return cancel_in(tx, ctx, record, params.get("cancellation_reason"))
