"""Each account's clock (GET /_payintents/clock, POST /_payintents/clock/advance).

An account's time is the server's (the wall clock shifted by `--clock-offset`) plus the
account's `clock_offset`, kept in the store (store/controls.py) so every process agrees; the
request pipeline reads it once per request (Ctx.now). It only moves forward.

An advance moves the clock one due moment at a time: to the next moment at which work of
the account falls due (an authorization's expiry, a settlement, a refund's outcome, a webhook
retry...), where that work is done exactly as the server's background loops would do it, with
its events and webhooks, then to the next, until the target. Every due time the store keeps
is the server's (store/base.py DUE, webhooks/outbox.py), so a move of the account's clock
moves the account's due times back by as much, and the background loops, which compare them
with the server's clock, then agree with the account's.
"""

from __future__ import annotations

from typing import Any

from payintents.errors import ApiError
from payintents.runtime import Runtime
from payintents.services.context import Ctx
from payintents.services.scheduler import DUE_WORK, run_due
from payintents.store import controls, sql
from payintents.store.base import Tx
from payintents.webhooks import outbox
from payintents.webhooks.dispatcher import Dispatcher
from payintents.wire import idempotency
from payintents.wire.http import in_thread

# A hundred years: far past anything a test waits for, well inside 64-bit columns.
MAX_SECONDS = 100 * 365 * 86400


def render(runtime: Runtime, ctx: Ctx, offset: int) -> dict[str, Any]:
    server_now = runtime.clock.now()
    return {
        "object": "payintents.clock",
        "livemode": ctx.livemode,
        "now": server_now + offset,
        "offset": offset,
        "server_now": server_now,
    }


def retrieve(runtime: Runtime, ctx: Ctx) -> dict[str, Any]:
    return render(runtime, ctx, controls.peek(runtime.store, ctx.scope).clock_offset)


def target_of(now: int, params: dict[str, Any]) -> int:
    """The account time an advance goes to, from `seconds` or `to`."""
    if "seconds" in params and "to" in params:
        raise ApiError(
            "You may only specify one of these parameters: seconds, to.",
            code="parameters_exclusive",
            param="seconds",
        )
    if "seconds" in params:
        return now + params["seconds"]
    if "to" not in params:
        raise ApiError(
            "Missing required param: seconds (how far to move the account's clock), or to "
            "(the unix time to move it to).",
            code="parameter_missing",
            param="seconds",
        )
    to = params["to"]
    if to < now:
        raise ApiError(
            f"The account's clock is at {now}, after to ({to}): an account's clock moves "
            "forward only.",
            param="to",
        )
    if to - now > MAX_SECONDS:
        raise ApiError(
            f"to ({to}) is more than {MAX_SECONDS} seconds (a hundred years) after the "
            f"account's clock ({now}).",
            param="to",
        )
    return to


async def advance(runtime: Runtime, ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """Move the account's clock to the target, doing whatever falls due on the way, in order;
    answers once all of it is done."""
    config = runtime.config
    dispatcher = Dispatcher(
        runtime.store,
        retry_schedule=config.webhook_retry_schedule,
        timeout=config.webhook_timeout,
        allow_internal=config.webhook_allow_internal,
        vault=runtime.vault,
    )
    offset = (await in_thread(controls.peek, runtime.store, ctx.scope)).clock_offset
    now = runtime.clock.now() + offset
    # Where the account's offset ends: `seconds` further, or at `to` as of now (the clock
    # runs on while the work on the way is done).
    target = offset + target_of(now, params) - now
    while True:
        # What is due at the account's time now, done before the clock moves on.
        while await in_thread(run_due, runtime, ctx.scope):
            pass
        await dispatcher.deliver_due(ctx.scope)
        try:
            reached = await in_thread(_step, runtime, ctx.scope, target)
        except _Sending:
            continue
        if reached is None:
            break
    await in_thread(idempotency.prune, runtime.store, runtime.clock.now() + target, ctx.scope)
    return retrieve(runtime, ctx)


class _Sending(Exception):
    """A delivery of the account was claimed while its clock was about to move: its attempt
    must be recorded at the time it was made, so the move waits for it."""


def _step(runtime: Runtime, scope: str, target: int) -> bool | None:
    """Move the clock to the account's next due moment, or to the target offset if none comes
    first; returns whether the target was reached (None: it was, before this step)."""
    with runtime.store.write() as tx:
        offset = controls.read_for_update(tx, scope).clock_offset
        if offset >= target:
            return None
        now = runtime.clock.now() + offset
        upcoming = _next_due(tx, runtime, scope, offset)
        seconds = target - offset if upcoming is None else min(target - offset, upcoming - now)
        if seconds > 0:
            _move(tx, scope, seconds)
        # Counted after the move, which locked the account's waiting deliveries: any claimed
        # since the work above would have its outcome recorded after the move.
        if outbox.in_flight(tx, scope):
            raise _Sending
    return offset + seconds == target


def _next_due(tx: Tx, runtime: Runtime, scope: str, offset: int) -> int | None:
    """The account time at which the account's next work falls due, if any is waiting."""
    moments = []
    for kind in DUE_WORK:
        rows = tx.execute(
            sql.next_due_sql(kind, "%s" if tx.dialect == "postgres" else "?"), (scope,)
        )
        if rows and rows[0][0] is not None:
            moments.append(int(rows[0][0]) + offset)
    due_ms = outbox.next_due_ms(tx, scope)
    if due_ms is not None:
        # Deliveries are due by the wall clock, in milliseconds (outbox.py).
        moments.append(-(-due_ms // 1000) + runtime.clock.offset + offset)
    return min(moments, default=None)


def _move(tx: Tx, scope: str, seconds: int) -> None:
    """The account's clock `seconds` ahead, and its due times as much sooner."""
    controls.move_clock(tx, scope, seconds)
    ph = "%s" if tx.dialect == "postgres" else "?"
    for kind in DUE_WORK:
        tx.execute(sql.shift_due_sql(kind, ph), (seconds, scope))
    outbox.move_due(tx, scope, seconds * 1000)
