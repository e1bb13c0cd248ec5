"""Events, written in the same transaction as the change they describe."""

from __future__ import annotations

from typing import Any

from payintents.domain import versions
from payintents.domain.ids import new_id
from payintents.store.base import Tx
from payintents.webhooks.outbox import enqueue


def record_event(
    tx: Tx,
    *,
    scope: str,
    livemode: bool,
    now: int,
    type: str,
    obj: dict[str, Any],
    request_id: str | None,
    idempotency_key: str | None,
    previous_attributes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The event as stored; its `data.object` is `obj` itself, not a copy: the insert below
    serializes the event before the caller can change `obj`."""
    data: dict[str, Any] = {"object": obj}
    if previous_attributes is not None:
        data["previous_attributes"] = previous_attributes
    event = {
        "id": new_id("evt"),
        "object": "event",
        "api_version": versions.DEFAULT_VERSION,
        "created": now,
        "data": data,
        "livemode": livemode,
        "pending_webhooks": 0,
        "request": {"id": request_id, "idempotency_key": idempotency_key},
        "type": type,
    }
    # Deliveries are queued with the event, so both commit or neither does.
    event["pending_webhooks"] = enqueue(tx, scope, event)
    tx.insert("event", scope, event)
    return event
