"""Capture, cancel and authorization expiry of a PaymentIntent.

Accounting follows Stripe's 2025-03-31.basil rules (the versions current SDKs
pin): releasing an uncaptured remainder creates no Refund and leaves the
charge's amount_refunded untouched.
"""

from __future__ import annotations

from typing import Any

from payintents.domain import lifecycle
from payintents.domain.payment_intent import PaymentIntent
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
        final = params.get("final_capture", True)
        intent, amount = lifecycle.capture(
            record.data, params.get("amount_to_capture"), final, params
        )
        charge_record = _charge(tx, ctx, intent)
        assert charge_record is not None, "requires_capture always has its authorization"
        ctx.runtime.processor.capture(
            processor_ref=charge_record.private["processor_ref"], amount=amount
        )
        charge = {
            **charge_record.data,
            "captured": True,
            "amount_captured": charge_record.data["amount_captured"] + amount,
        }
        if "application_fee_amount" in params:
            charge["application_fee_amount"] = params["application_fee_amount"]
        tx.update("charge", ctx.scope, charge, charge_record.private)
        emit(tx, ctx, "charge.captured", charge)
        private = dict(record.private)
        if final:
            private["due_at"] = None
            emit(tx, ctx, "payment_intent.succeeded", intent)
        else:
            emit(tx, ctx, "payment_intent.amount_capturable_updated", intent)
        tx.update("payment_intent", ctx.scope, intent, private)
    return intent


def cancel_in(
    tx: Tx, ctx: Ctx, record: Record, reason: str | None, *, expired: bool = False
) -> PaymentIntent:
    intent = lifecycle.cancel(record.data, reason, ctx.now)
    if record.data["status"] == "requires_capture":
        charge_record = _charge(tx, ctx, intent)
        if charge_record is not None and expired:
            emit(tx, ctx, "charge.expired", charge_record.data, from_request=False)
    private = {**record.private, "due_at": None}
    tx.update("payment_intent", ctx.scope, intent, private)
    emit(tx, ctx, "payment_intent.canceled", intent, from_request=not expired)
    return intent


def cancel(ctx: Ctx, intent_id: str, params: dict[str, Any]) -> PaymentIntent:
    check_intent_id(intent_id)
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "payment_intent", intent_id, param="intent")
        return cancel_in(tx, ctx, record, params.get("cancellation_reason"))
