"""Work that falls due with time: authorization expiry, asynchronous settlement,
microdeposit timeouts, refunds that change later, disputes decided or past due. Run by every
server process (and by an advance of an account's clock, for that account); each item is
re-checked under its row lock, so processes racing for the same item do it once.

A kind whose objects have work that falls due plugs in here and nowhere else: its private
part holds `due_at` (the account's time it falls due, None when nothing is pending; see
store/base.py DUE), its table a `due_at` column with the indexes `(due_at)` and `(scope,
due_at)`, both `WHERE due_at IS NOT NULL`, and DUE_WORK its handler, which must clear or move
`due_at` (docs/testing-controls.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from payintents.domain import lifecycle
from payintents.domain.versions import DEFAULT_VERSION
from payintents.runtime import Runtime
from payintents.services import disputes, setup_microdeposits
from payintents.services.attempts import charge_outcome, decline_error
from payintents.services.capture_cancel import cancel_in
from payintents.services.common import emit
from payintents.services.context import Ctx
from payintents.services.microdeposits import TIMEOUT, TIMEOUT_MESSAGE, fail_verification
from payintents.services.refunds import apply_final_status
from payintents.store import controls
from payintents.store.base import DUE, Record, Tx

BATCH = 100

# What falls due, per kind: the handler gets the locked record and a context at the
# account's time (at or after its due_at).
DueWork = Callable[[Tx, Ctx, Record], None]


def system_ctx(runtime: Runtime, scope: str, now: int) -> Ctx:
    account, _, mode = scope.partition("/")
    return Ctx(
        account=account,
        livemode=mode == "live",
        key_kind="secret",
        publishable_key="",
        request_id="",
        version=DEFAULT_VERSION,
        now=now,
        idempotency_key=None,
        base_url=runtime.config.public_url or f"http://{runtime.config.host}:{runtime.config.port}",
        runtime=runtime,
    )


def run_due(runtime: Runtime, scope: str | None = None) -> int:
    """Do every item due now (of every account, or of one); returns how many were handled."""
    # The due_at columns hold the server's time; each item is judged by its account's.
    now = runtime.clock.now()
    handled = 0
    for kind, handle in DUE_WORK.items():
        with runtime.store.read() as tx:
            due = tx.due(kind, now, BATCH, scope)
        for object_id, item_scope in due:
            with runtime.store.write() as tx:
                ctx = system_ctx(
                    runtime,
                    item_scope,
                    runtime.clock.now() + controls.read(tx, item_scope).clock_offset,
                )
                record = tx.get_for_update(kind, item_scope, object_id)
                due_at = record.private.get(DUE) if record else None
                if record is None or due_at is None:
                    continue  # handled meanwhile
                if due_at > ctx.now:
                    # Its column was written with a clock offset the account no longer has
                    # (a write racing an advance or a reset): written again, the column says
                    # when it falls due now.
                    tx.update(kind, item_scope, record.data, record.private)
                    continue
                handle(tx, ctx, record)
        handled += len(due)
    return handled


def _handle(tx: Tx, ctx: Ctx, record: Record) -> None:
    status = record.data["status"]
    if status == "requires_capture":
        # Released as the version the hold was placed in would (a Refund before basil).
        version = record.private.get("api_version") or DEFAULT_VERSION
        cancel_in(tx, replace(ctx, version=version), record, "expired", expired=True)
    elif status == "processing":
        _settle(tx, ctx, record)
    elif status == "requires_action" and "microdeposits" in record.private:
        _microdeposits_timed_out(tx, ctx, record)
    else:
        tx.update("payment_intent", ctx.scope, record.data, {**record.private, "due_at": None})


def _settle(tx: Tx, ctx: Ctx, record: Record) -> None:
    intent = record.data
    charge_record = tx.get_for_update("charge", ctx.scope, intent["latest_charge"])
    assert charge_record is not None, "processing always has its pending charge"
    result = ctx.runtime.processor.settle(processor_ref=charge_record.private["processor_ref"])
    private = {**record.private, "due_at": None}
    if result.outcome == "processing":
        # Stays processing until canceled (Stripe's test account 000000000009).
        tx.update("payment_intent", ctx.scope, intent, private)
        return
    charge = dict(charge_record.data)
    if result.outcome == "approved":
        charge.update(status="succeeded", paid=True, outcome=charge_outcome(result))
        tx.update("charge", ctx.scope, charge, charge_record.private)
        emit(tx, ctx, "charge.succeeded", charge, from_request=False)
        intent = lifecycle.succeed(intent, charge["id"])
        emit(tx, ctx, "payment_intent.succeeded", intent, from_request=False)
    else:
        decline = result.decline
        assert decline is not None
        charge.update(
            status="failed",
            paid=False,
            captured=False,
            amount_captured=0,
            outcome=charge_outcome(result),
            failure_code=decline.code,
            failure_message=decline.message,
        )
        tx.update("charge", ctx.scope, charge, charge_record.private)
        emit(tx, ctx, "charge.failed", charge, from_request=False)
        pm_record = tx.get("payment_method", ctx.scope, charge["payment_method"])
        pm = pm_record.data if pm_record else {"id": charge["payment_method"]}
        error = decline_error(decline, charge["id"], pm)
        intent = lifecycle.fail(intent, error, charge["id"])
        emit(tx, ctx, "payment_intent.payment_failed", intent, from_request=False)
    tx.update("payment_intent", ctx.scope, intent, private)


def _microdeposits_timed_out(tx: Tx, ctx: Ctx, record: Record) -> None:
    fail_verification(tx, ctx, record, TIMEOUT, TIMEOUT_MESSAGE, from_request=False)


DUE_WORK: dict[str, DueWork] = {
    "payment_intent": _handle,
    "refund": apply_final_status,
    "dispute": disputes.handle_due,
    "setup_intent": setup_microdeposits.handle_due,
}
