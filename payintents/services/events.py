"""Reading events: retrieve one, list with type filters. Events are only ever written by
`record_event`, inside the transaction of the change they describe."""

from __future__ import annotations

from typing import Any

from payintents.errors import ApiError
from payintents.events import types
from payintents.events.listing import page_of_types
from payintents.services.common import load, page_query
from payintents.services.context import Ctx
from payintents.webhooks.outbox import pending_counts

# Events with their current `pending_webhooks`.
Rendered = list[dict[str, Any]]


def _with_pending(events: list[dict[str, Any]], counts: dict[str, int]) -> Rendered:
    return [{**e, "pending_webhooks": counts.get(e["id"], 0)} for e in events]


def retrieve(ctx: Ctx, event_id: str) -> dict[str, Any]:
    with ctx.store.read() as tx:
        event = load(tx, ctx, "event", event_id).data
        return _with_pending([event], pending_counts(tx, [event_id]))[0]


def _selected_types(params: dict[str, Any]) -> tuple[str, ...] | None:
    if "type" in params and "types" in params:
        raise ApiError(
            "You may only specify one of these parameters: type, types.",
            code="parameters_exclusive",
            param="types",
        )
    if "types" in params:
        return tuple(dict.fromkeys(params["types"]))
    if "type" in params:
        return types.expand(params["type"])
    return None


def list_events(ctx: Ctx, params: dict[str, Any]) -> tuple[Rendered, bool]:
    selected = _selected_types(params)
    with ctx.store.read() as tx:
        if selected is None or len(selected) == 1:
            filters = {"type": selected[0]} if selected else None
            query = page_query(tx, ctx, "event", params, filters)
            page = tx.page("event", ctx.scope, query)
        else:
            query = page_query(tx, ctx, "event", params)
            page = page_of_types(tx, ctx.scope, query, selected)
        events = [r.data for r in page.records]
        counts = pending_counts(tx, [e["id"] for e in events])
    return _with_pending(events, counts), page.has_more
