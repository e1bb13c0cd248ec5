"""The delivery outbox: which events still have to reach which endpoints.

Fan-out happens when the event is recorded, in the same transaction: one
`webhook_deliveries` row per matching endpoint. (A cursor over the events
table would need commit-ordered ids, which PostgreSQL sequences are not, so a
late-committing event could be skipped; rows written with the event cannot be.)
Dispatchers then claim due rows with a lease: a row is taken by one
dispatcher at a time, and a dispatcher that dies leaves rows that come due
again when their lease lapses.

Delivery timing runs on the wall clock, not the API's shiftable clock: retry
delays and leases are real seconds, whatever `--clock-offset` says. An advance of one
account's clock (testing/clock.py) moves its waiting deliveries' due times back by as much,
as it does the due work of its objects.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from payintents.events.types import wanted
from payintents.store.base import Tx

# The scope of endpoints that receive every account's events (`serve --forward-to`).
GLOBAL_SCOPE = "*"

# Stripe allows 16 endpoints per account and mode, which also bounds the fan-out read.
MAX_ENDPOINTS = 16

PENDING, SUCCEEDED, FAILED, CANCELED = "pending", "succeeded", "failed", "canceled"
# Held back by a webhook fault rule (held_by) until the rule releases it (testing/faults.py).
HELD = "held"


def now_ms() -> int:
    return int(time.time() * 1000)


def sql(tx: Tx, statement: str) -> str:
    """Statements here are written with `?` placeholders; PostgreSQL's driver wants `%s`."""
    return statement.replace("?", "%s") if tx.dialect == "postgres" else statement


def skip_locked(tx: Tx) -> str:
    # SQLite serializes writers (BEGIN IMMEDIATE), so its claim is atomic without row locks.
    return " FOR UPDATE SKIP LOCKED" if tx.dialect == "postgres" else ""


def endpoints_for(tx: Tx, scope: str) -> list[tuple[str, dict[str, Any]]]:
    """(endpoint scope, endpoint) an event of `scope` may go to: its own, then the global
    ones, newest first; read once per transaction, as every event of a request asks again."""
    return tx.remember("webhook_endpoints", scope, lambda: _read_endpoints(tx, scope))


def _read_endpoints(tx: Tx, scope: str) -> list[tuple[str, dict[str, Any]]]:
    rows = tx.execute(
        sql(
            tx,
            "SELECT scope, data FROM webhook_endpoints WHERE scope IN (?, ?) "
            "ORDER BY created DESC, seq DESC",
        ),
        (scope, GLOBAL_SCOPE),
    )
    found = [(where, orjson.loads(data)) for where, data in rows]
    # Stable: each scope keeps its newest-first order.
    found.sort(key=lambda item: item[0] != scope)
    return found


def enqueue(tx: Tx, scope: str, event: dict[str, Any]) -> int:
    """Write a delivery for each enabled endpoint that wants this event; returns how many."""
    due = now_ms()
    count = 0
    for endpoint_scope, data in endpoints_for(tx, scope):
        if data["status"] != "enabled" or not wanted(data["enabled_events"], event["type"]):
            continue
        tx.execute(
            sql(
                tx,
                "INSERT INTO webhook_deliveries (event_id, event_scope, endpoint_id, "
                "endpoint_scope, created, status, attempts, due_ms) "
                "VALUES (?, ?, ?, ?, ?, 'pending', 0, ?)",
            ),
            (event["id"], scope, data["id"], endpoint_scope, event["created"], due),
        )
        count += 1
    return count


def pending_counts(tx: Tx, event_ids: Iterable[str]) -> dict[str, int]:
    """Per event, how many endpoints have not (yet) answered 2xx: Stripe's `pending_webhooks`."""
    ids = list(event_ids)
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    rows = tx.execute(
        sql(
            tx,
            f"SELECT event_id, COUNT(*) FROM webhook_deliveries WHERE event_id IN ({marks}) "
            "AND status IN ('pending', 'held', 'failed') GROUP BY event_id",
        ),
        tuple(ids),
    )
    counts = dict.fromkeys(ids, 0)
    counts.update({r[0]: int(r[1]) for r in rows})
    return counts


def cancel_for_endpoint(tx: Tx, endpoint_id: str) -> None:
    """An endpoint disabled or deleted gets no further attempts (as on Stripe)."""
    tx.execute(
        sql(
            tx,
            "UPDATE webhook_deliveries SET status = 'canceled', claim = NULL "
            "WHERE endpoint_id = ? AND status = 'pending'",
        ),
        (endpoint_id,),
    )


def _of_scope(scope: str | None) -> tuple[str, tuple[Any, ...]]:
    """The condition (and its parameter) limiting a statement to one account's deliveries."""
    return ("event_scope = ? AND ", (scope,)) if scope is not None else ("", ())


def has_due(tx: Tx, at_ms: int, scope: str | None = None) -> bool:
    where, params = _of_scope(scope)
    rows = tx.execute(
        sql(
            tx,
            f"SELECT 1 FROM webhook_deliveries WHERE {where}status = 'pending' AND due_ms <= ? "
            "LIMIT 1",
        ),
        (*params, at_ms),
    )
    return bool(rows)


@dataclass(frozen=True)
class Claimed:
    id: int
    event_id: str
    event_scope: str
    endpoint_id: str
    endpoint_scope: str
    # Attempts completed before this one.
    attempts: int


_CLAIMED = "RETURNING id, event_id, event_scope, endpoint_id, endpoint_scope, attempts"


def claim(
    tx: Tx, token: str, at_ms: int, lease_ms: int, limit: int, scope: str | None = None
) -> list[Claimed]:
    """Take up to `limit` due deliveries (of every account, or of one) for this dispatcher
    until `at_ms + lease_ms`, the earliest due first, returned in the order they were made."""
    where, params = _of_scope(scope)
    rows = tx.execute(
        sql(
            tx,
            "UPDATE webhook_deliveries SET due_ms = ?, claim = ? WHERE id IN ("
            f"SELECT id FROM webhook_deliveries WHERE {where}status = 'pending' AND due_ms <= ? "
            f"ORDER BY due_ms, id LIMIT ?{skip_locked(tx)}) {_CLAIMED}",
        ),
        (at_ms + lease_ms, token, *params, at_ms, limit),
    )
    return sorted((Claimed(*r) for r in rows), key=lambda c: c.id)


@dataclass(frozen=True)
class Outcome:
    attempted_ms: int
    duration_ms: int
    status_code: int | None
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def log_attempt(tx: Tx, job: Claimed, outcome: Outcome) -> None:
    """One attempt to post, with its outcome (the `payintents events` command shows them)."""
    tx.execute(
        sql(
            tx,
            "INSERT INTO webhook_attempts (delivery_id, event_id, endpoint_id, attempted_ms, "
            "duration_ms, status_code, error, succeeded) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        ),
        (
            job.id,
            job.event_id,
            job.endpoint_id,
            outcome.attempted_ms,
            outcome.duration_ms,
            outcome.status_code,
            outcome.error,
            int(outcome.succeeded),
        ),
    )


def record_attempt(
    tx: Tx, job: Claimed, token: str, outcome: Outcome, schedule: tuple[int, ...]
) -> bool:
    """Record one attempt and what comes next: done, a retry after the scheduled delay, or
    given up once the schedule is spent. False if the claim had lapsed and been taken over
    (the attempt is recorded; the new holder decides what comes next)."""
    log_attempt(tx, job, outcome)
    done_ms = outcome.attempted_ms + outcome.duration_ms
    if outcome.succeeded:
        status, due, delivered = SUCCEEDED, done_ms, done_ms // 1000
    elif job.attempts < len(schedule):
        status, due, delivered = PENDING, done_ms + schedule[job.attempts] * 1000, None
    else:
        status, due, delivered = FAILED, done_ms, None
    rows = tx.execute(
        sql(
            tx,
            "UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, due_ms = ?, "
            "claim = NULL, last_status_code = ?, last_error = ?, delivered_at = ? "
            "WHERE id = ? AND claim = ? RETURNING id",
        ),
        (status, due, outcome.status_code, outcome.error, delivered, job.id, token),
    )
    return bool(rows)


def release(tx: Tx, job_ids: Iterable[int], token: str, at_ms: int) -> None:
    """Hand back claimed deliveries not attempted (dispatcher shutting down): due at once."""
    for job_id in job_ids:
        tx.execute(
            sql(
                tx,
                "UPDATE webhook_deliveries SET due_ms = ?, claim = NULL "
                "WHERE id = ? AND claim = ? AND status = 'pending'",
            ),
            (at_ms, job_id, token),
        )


def drop(tx: Tx, job: Claimed, token: str, reason: str) -> None:
    """A claimed delivery whose endpoint is gone or disabled: no attempt, no retry."""
    tx.execute(
        sql(
            tx,
            "UPDATE webhook_deliveries SET status = 'canceled', claim = NULL, last_error = ? "
            "WHERE id = ? AND claim = ?",
        ),
        (reason, job.id, token),
    )


# What the test controls do to deliveries (testing/faults.py, testing/clock.py).


def hold(tx: Tx, job: Claimed, token: str, rule_id: str) -> None:
    """A claimed delivery held back by a fault rule: not attempted until the rule lets go."""
    tx.execute(
        sql(
            tx,
            "UPDATE webhook_deliveries SET status = 'held', held_by = ?, claim = NULL "
            "WHERE id = ? AND claim = ?",
        ),
        (rule_id, job.id, token),
    )


def take_held(
    tx: Tx, scope: str, rule_id: str, token: str, at_ms: int, lease_ms: int
) -> list[Claimed]:
    """What a rule held, claimed by this dispatcher to be sent now, newest first."""
    rows = tx.execute(
        sql(
            tx,
            "UPDATE webhook_deliveries SET status = 'pending', held_by = NULL, due_ms = ?, "
            "claim = ? WHERE event_scope = ? AND status = 'held' AND held_by = ? "
            f"{_CLAIMED}",
        ),
        (at_ms + lease_ms, token, scope, rule_id),
    )
    return sorted((Claimed(*r) for r in rows), key=lambda c: c.id, reverse=True)


def release_held(tx: Tx, scope: str, at_ms: int) -> int:
    """Every delivery of the account held back, due now (its rules were cleared)."""
    rows = tx.execute(
        sql(
            tx,
            "UPDATE webhook_deliveries SET status = 'pending', held_by = NULL, due_ms = ? "
            "WHERE event_scope = ? AND status = 'held' RETURNING id",
        ),
        (at_ms, scope),
    )
    return len(rows)


def next_due_ms(tx: Tx, scope: str) -> int | None:
    """When the account's next waiting delivery falls due (one no dispatcher holds)."""
    rows = tx.execute(
        sql(
            tx,
            "SELECT MIN(due_ms) FROM webhook_deliveries "
            "WHERE event_scope = ? AND status = 'pending' AND claim IS NULL",
        ),
        (scope,),
    )
    return int(rows[0][0]) if rows and rows[0][0] is not None else None


def in_flight(tx: Tx, scope: str) -> int:
    """The account's deliveries a dispatcher holds now (being sent)."""
    rows = tx.execute(
        sql(
            tx,
            "SELECT COUNT(*) FROM webhook_deliveries "
            "WHERE event_scope = ? AND status = 'pending' AND claim IS NOT NULL",
        ),
        (scope,),
    )
    return int(rows[0][0])


def move_due(tx: Tx, scope: str, ms: int) -> None:
    """The account's waiting deliveries fall due `ms` sooner (its clock moved ahead)."""
    tx.execute(
        sql(
            tx,
            "UPDATE webhook_deliveries SET due_ms = due_ms - ? "
            "WHERE event_scope = ? AND status = 'pending' AND claim IS NULL",
        ),
        (ms, scope),
    )
