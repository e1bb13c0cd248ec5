"""`payintents events`: recent events, where each was sent, and every attempt's outcome."""

from __future__ import annotations

import time
from typing import Any

from payintents.config import format_duration
from payintents.events.listing import blob
from payintents.store import controls
from payintents.store.base import Store, Tx
from payintents.webhooks.outbox import sql


def _marks(values: list[Any]) -> str:
    return ", ".join("?" for _ in values)


def _events(tx: Tx, scope: str | None, limit: int) -> list[tuple[str, dict[str, Any]]]:
    if scope is None:
        rows = tx.execute(
            sql(tx, "SELECT scope, data FROM events ORDER BY seq DESC LIMIT ?"), (limit,)
        )
    else:
        rows = tx.execute(
            sql(
                tx,
                "SELECT scope, data FROM events WHERE scope = ? "
                "ORDER BY created DESC, seq DESC LIMIT ?",
            ),
            (scope, limit),
        )
    return [(r[0], blob(r[1])) for r in rows]


def recent(store: Store, scope: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """The latest events (of one scope, or all), newest first, each with its deliveries."""
    with store.read() as tx:
        events = _events(tx, scope, limit)
        ids = [e["id"] for _, e in events]
        deliveries: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        by_id: dict[int, dict[str, Any]] = {}
        urls: dict[str, str | None] = {}
        if ids:
            rows = tx.execute(
                sql(
                    tx,
                    "SELECT id, event_id, endpoint_id, endpoint_scope, status, attempts, due_ms, "
                    f"last_status_code, last_error FROM webhook_deliveries "
                    f"WHERE event_id IN ({_marks(ids)}) ORDER BY id",
                ),
                tuple(ids),
            )
            for row in rows:
                endpoint_id, endpoint_scope = row[2], row[3]
                if endpoint_id not in urls:
                    endpoint = tx.get("webhook_endpoint", endpoint_scope, endpoint_id)
                    urls[endpoint_id] = endpoint.data["url"] if endpoint else None
                delivery = {
                    "endpoint": endpoint_id,
                    "url": urls[endpoint_id],
                    "status": row[4],
                    "attempts": int(row[5]),
                    "next_attempt_ms": int(row[6]) if row[4] == "pending" else None,
                    "last_status_code": row[7],
                    "last_error": row[8],
                    "history": [],
                }
                by_id[int(row[0])] = delivery
                deliveries[row[1]].append(delivery)
        if by_id:
            keys = list(by_id)
            rows = tx.execute(
                sql(
                    tx,
                    "SELECT delivery_id, attempted_ms, duration_ms, status_code, error, succeeded "
                    f"FROM webhook_attempts WHERE delivery_id IN ({_marks(keys)}) ORDER BY id",
                ),
                tuple(keys),
            )
            for row in rows:
                by_id[int(row[0])]["history"].append(
                    {
                        "at_ms": int(row[1]),
                        "duration_ms": int(row[2]),
                        "status_code": row[3],
                        "error": row[4],
                        "succeeded": bool(row[5]),
                    }
                )
        offsets = {scope: controls.read(tx, scope).clock_offset for scope, _ in events}
    return [
        {
            "id": event["id"],
            "type": event["type"],
            "created": event["created"],
            "scope": event_scope,
            # Seconds its account's clock is ahead of the server's (/_payintents/clock).
            "clock_offset": offsets[event_scope],
            "deliveries": deliveries[event["id"]],
        }
        for event_scope, event in events
    ]


def _when(ms: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ms / 1000))


def format_text(events: list[dict[str, Any]]) -> str:
    if not events:
        return "No events."
    lines: list[str] = []
    for event in events:
        created = _when(event["created"] * 1000)
        lines.append(f"{created}  {event['id']}  {event['type']}  [{event['scope']}]")
        if event["clock_offset"]:
            # The event's time is its account's; its attempts' are the wall clock's.
            ahead = format_duration(event["clock_offset"])
            lines.append(
                f"    (account clock {ahead} ahead of the server's; attempts below are in real "
                "time)"
            )
        if not event["deliveries"]:
            lines.append("    (no webhook endpoint wanted it)")
        for d in event["deliveries"]:
            state = d["status"]
            if d["next_attempt_ms"] is not None:
                state += f", next attempt {_when(d['next_attempt_ms'])}"
            lines.append(f"    -> {d['endpoint']} {d['url'] or '(deleted)'}: {state}")
            for a in d["history"]:
                outcome = str(a["status_code"]) if a["status_code"] is not None else "no response"
                error = f"  {a['error']}" if a["error"] and not a["succeeded"] else ""
                lines.append(f"       {_when(a['at_ms'])}  {outcome}  {a['duration_ms']} ms{error}")
    return "\n".join(lines)
