"""Dispute use cases: a dispute test card's charge is disputed; evidence, close, decisions."""

from __future__ import annotations

from typing import Any

from payintents.domain import dispute as disputes
from payintents.domain.changes import previous_attributes
from payintents.domain.dispute import Dispute
from payintents.domain.ids import new_id
from payintents.errors import ApiError
from payintents.services.common import emit, load, load_for_update, page
from payintents.services.context import Ctx
from payintents.store.base import Page, PageQuery, Record, Tx


def _withdrawal(ctx: Ctx, dispute_id: str, charge: dict[str, Any], amount: int) -> dict[str, Any]:
    return disputes.balance_transaction(
        txn_id=new_id("txn"),
        dispute_id=dispute_id,
        charge_id=charge["id"],
        amount=amount,
        currency=charge["currency"],
        now=ctx.now,
        reinstated=False,
    )


def open_in(
    tx: Tx, ctx: Ctx, charge: dict[str, Any], reason: str, inquiry: bool, *, from_request: bool
) -> dict[str, Any]:
    """The charge of a dispute test card is disputed as soon as it is captured, as in Stripe's
    test mode (the CLI's dispute triggers list the dispute right after the payment). Returns
    the charge, now `disputed`."""
    dispute_id = new_id("dp")
    withdrawal = (
        None if inquiry else _withdrawal(ctx, dispute_id, charge, charge["amount_captured"])
    )
    dispute = disputes.new_dispute(
        dispute_id=dispute_id,
        charge=charge,
        reason=reason,
        inquiry=inquiry,
        now=ctx.now,
        withdrawal=withdrawal,
    )
    tx.insert("dispute", ctx.scope, dispute, {"due_at": dispute["evidence_details"]["due_by"]})
    disputed = {**charge, "disputed": True}
    charge_record = tx.get("charge", ctx.scope, charge["id"])
    assert charge_record is not None, "a dispute's charge is stored first"
    tx.update("charge", ctx.scope, disputed, charge_record.private)
    emit(tx, ctx, "charge.dispute.created", dispute, from_request=from_request)
    if withdrawal is not None:
        emit(tx, ctx, "charge.dispute.funds_withdrawn", dispute, from_request=from_request)
    return disputed


def check_refundable(tx: Tx, ctx: Ctx, charge: dict[str, Any]) -> None:
    """A charge whose funds a dispute withdrew cannot be refunded (an inquiry's can)."""
    if not charge.get("disputed"):
        return
    found = tx.page("dispute", ctx.scope, PageQuery(limit=10, filters={"charge": charge["id"]}))
    if any(not r.data["is_charge_refundable"] for r in found.records):
        raise ApiError(
            f"Charge {charge['id']} has been charged back; cannot issue a refund.",
            code="charge_disputed",
        )


def retrieve(ctx: Ctx, dispute_id: str) -> Dispute:
    with ctx.store.read() as tx:
        return load(tx, ctx, "dispute", dispute_id, param="dispute").data


def list_disputes(ctx: Ctx, params: dict[str, Any]) -> Page:
    filters = {k: params[k] for k in ("charge", "payment_intent") if k in params}
    with ctx.store.read() as tx:
        return page(tx, ctx, "dispute", params, filters)


def update(ctx: Ctx, dispute_id: str, params: dict[str, Any]) -> Dispute:
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "dispute", dispute_id, param="dispute")
        updated, submitted = disputes.update(record.data, params)
        private = dict(record.private)
        if submitted:
            outcome = disputes.decision(updated)
            # Decided a few seconds later, by the scheduler; other evidence stays under review.
            private["outcome"] = outcome
            private["due_at"] = None if outcome is None else ctx.now + disputes.DECISION_DELAY
        tx.update("dispute", ctx.scope, updated, private)
        previous = previous_attributes(record.data, updated)
        if previous:
            emit(tx, ctx, "charge.dispute.updated", updated, previous)
    return updated


def close(ctx: Ctx, dispute_id: str) -> Dispute:
    """Accepting the dispute: a chargeback is lost, an inquiry closed."""
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "dispute", dispute_id, param="dispute")
        disputes.check_can_close(record.data)
        closed = {**record.data, "status": disputes.close_status(record.data, "lost")}
        tx.update("dispute", ctx.scope, closed, {**record.private, "due_at": None})
        emit(tx, ctx, "charge.dispute.closed", closed)
    return closed


def handle_due(tx: Tx, ctx: Ctx, record: Record) -> None:
    """The scheduler's work on a dispute: a submission's decision, or the response window's
    end (the dispute is past due, and lost as no evidence came)."""
    dispute = record.data
    private = {**record.private, "due_at": None}
    if dispute["status"] in disputes.UNDER_REVIEW:
        outcome = private.pop("outcome", None)
        if outcome is None:
            tx.update("dispute", ctx.scope, dispute, private)
            return
        if outcome == "escalated":
            _escalate(tx, ctx, dispute, private)
            return
        _decide(tx, ctx, dispute, private, outcome)
        return
    if dispute["status"] in disputes.OPEN:
        lapsed = {
            **dispute,
            "evidence_details": {**dispute["evidence_details"], "past_due": True},
        }
        _decide(tx, ctx, lapsed, private, "lost")
        return
    tx.update("dispute", ctx.scope, dispute, private)


def _decide(tx: Tx, ctx: Ctx, dispute: Dispute, private: dict[str, Any], outcome: str) -> None:
    status = disputes.close_status(dispute, outcome)
    decided = {**dispute, "status": status}
    reinstate = status == "won" and dispute["balance_transactions"]
    if reinstate:
        charge = tx.get("charge", ctx.scope, dispute["charge"])
        assert charge is not None, "a dispute always has its charge"
        reversal = disputes.balance_transaction(
            txn_id=new_id("txn"),
            dispute_id=dispute["id"],
            charge_id=dispute["charge"],
            amount=dispute["amount"],
            currency=dispute["currency"],
            now=ctx.now,
            reinstated=True,
        )
        decided["balance_transactions"] = [*dispute["balance_transactions"], reversal]
    tx.update("dispute", ctx.scope, decided, private)
    emit(tx, ctx, "charge.dispute.closed", decided, from_request=False)
    if reinstate:
        emit(tx, ctx, "charge.dispute.funds_reinstated", decided, from_request=False)


def _escalate(tx: Tx, ctx: Ctx, dispute: Dispute, private: dict[str, Any]) -> None:
    charge_record = tx.get("charge", ctx.scope, dispute["charge"])
    assert charge_record is not None, "a dispute always has its charge"
    withdrawal = _withdrawal(ctx, dispute["id"], charge_record.data, dispute["amount"])
    escalated = disputes.escalate(dispute, withdrawal, ctx.now)
    private["due_at"] = escalated["evidence_details"]["due_by"]
    tx.update("dispute", ctx.scope, escalated, private)
    previous = previous_attributes(dispute, escalated)
    emit(tx, ctx, "charge.dispute.updated", escalated, previous, from_request=False)
    emit(tx, ctx, "charge.dispute.funds_withdrawn", escalated, from_request=False)
