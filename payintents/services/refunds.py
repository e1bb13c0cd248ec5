"""Refund use cases: refund a charge or a PaymentIntent's charge; retrieve, update, list."""

from __future__ import annotations

from typing import Any

from payintents.domain.changes import previous_attributes
from payintents.domain.ids import new_id
from payintents.domain.refund import Refund, apply_refund, check_refund, new_refund
from payintents.domain.values import merge_metadata
from payintents.errors import ApiError
from payintents.services import disputes
from payintents.services.common import emit, load, load_for_update, page
from payintents.services.context import Ctx
from payintents.store.base import Page, Record, Tx


def _charge_of_intent(tx: Tx, ctx: Ctx, intent_id: str) -> Record:
    intent = load(tx, ctx, "payment_intent", intent_id, param="payment_intent").data
    if intent["status"] != "succeeded" or not intent.get("latest_charge"):
        raise ApiError(
            f"This PaymentIntent ({intent_id}) does not have a successful charge to refund.",
            code="charge_not_refundable",
            param="payment_intent",
        )
    record = tx.get_for_update("charge", ctx.scope, intent["latest_charge"])
    assert record is not None
    return record


def create(ctx: Ctx, params: dict[str, Any]) -> Refund:
    if "charge" not in params and "payment_intent" not in params:
        raise ApiError(
            "One of the following params should be provided for this request: charge or "
            "payment_intent.",
            code="parameter_missing",
        )
    if "charge" in params and "payment_intent" in params:
        raise ApiError(
            "You may only specify one of these parameters: charge, payment_intent.",
            code="parameters_exclusive",
            param="charge",
        )
    with ctx.store.write() as tx:
        if "charge" in params:
            charge_record = load_for_update(tx, ctx, "charge", params["charge"], param="charge")
        else:
            charge_record = _charge_of_intent(tx, ctx, params["payment_intent"])
        charge = charge_record.data
        disputes.check_refundable(tx, ctx, charge)
        released = charge_record.private.get("released", 0)
        amount = check_refund(charge, params.get("amount"), released)
        result = ctx.runtime.processor.refund(
            processor_ref=charge_record.private["processor_ref"], amount=amount
        )
        refund = new_refund(
            refund_id=new_id("re"),
            charge=charge,
            amount=amount,
            reason=params.get("reason"),
            metadata=merge_metadata({}, params.get("metadata") or {}),
            status=result.status,
            now=ctx.now,
        )
        private: dict[str, Any] = {"final_status": result.final_status}
        if result.final_status is not None:
            # The processor changes this refund later; the scheduler applies it when due.
            private["failure_reason"] = result.failure_reason
            private["due_at"] = ctx.now + (result.final_after or 0)
        tx.insert("refund", ctx.scope, refund, private)
        charge = apply_refund(charge, amount, released)
        tx.update("charge", ctx.scope, charge, charge_record.private)
        emit(tx, ctx, "refund.created", refund)
        emit(
            tx,
            ctx,
            "charge.refunded",
            charge,
            {
                "amount_refunded": charge_record.data["amount_refunded"],
                "refunded": charge_record.data["refunded"],
            },
        )
    return refund


def retrieve(ctx: Ctx, refund_id: str) -> Refund:
    with ctx.store.read() as tx:
        return load(tx, ctx, "refund", refund_id).data


def update(ctx: Ctx, refund_id: str, params: dict[str, Any]) -> Refund:
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "refund", refund_id)
        refund = dict(record.data)
        if "metadata" in params:
            refund["metadata"] = merge_metadata(refund["metadata"], params["metadata"])
        tx.update("refund", ctx.scope, refund, record.private)
        previous = previous_attributes(record.data, refund)
        if previous:
            # Stripe sends both for an update through the API too (the CLI's
            # charge.refund.updated trigger updates a refund's metadata).
            emit(tx, ctx, "refund.updated", refund, previous)
            emit(tx, ctx, "charge.refund.updated", refund, previous)
    return refund


def list_refunds(ctx: Ctx, params: dict[str, Any]) -> Page:
    filters = {k: params[k] for k in ("payment_intent", "charge") if k in params}
    with ctx.store.read() as tx:
        return page(tx, ctx, "refund", params, filters)


def apply_final_status(tx: Tx, ctx: Ctx, record: Record) -> None:
    """A refund the processor changes later reaches its final status (the scheduler's work).

    pending -> succeeded; succeeded -> failed, which gives the amount back to the charge:
    Stripe returns a failed refund's funds to the balance, so the charge is unrefunded again.
    """
    refund = dict(record.data)
    final = record.private.get("final_status")
    private = {**record.private, "due_at": None, "final_status": None}
    if final is None or final == refund["status"]:
        tx.update("refund", ctx.scope, refund, private)
        return
    refund["status"] = final
    if final == "failed":
        refund["failure_reason"] = record.private.get("failure_reason") or "unknown"
        charge_record = tx.get_for_update("charge", ctx.scope, refund["charge"])
        assert charge_record is not None, "a refund always has its charge"
        charge = dict(charge_record.data)
        released = charge_record.private.get("released", 0)
        charge["amount_refunded"] -= refund["amount"]
        charge["refunded"] = charge["amount_refunded"] >= charge["amount_captured"] + released
        tx.update("charge", ctx.scope, charge, charge_record.private)
    tx.update("refund", ctx.scope, refund, private)
    previous = previous_attributes(record.data, refund)
    emit(tx, ctx, "refund.updated", refund, previous, from_request=False)
    if final == "failed":
        emit(tx, ctx, "refund.failed", refund, from_request=False)
    emit(tx, ctx, "charge.refund.updated", refund, previous, from_request=False)
