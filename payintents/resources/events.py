"""/v1/events: what happened, as Stripe's event objects.

An event's `data.object` is the object as it was when the event happened, in
the event's `api_version`; a webhook endpoint pinned to another version gets
it rendered in that version instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from payintents.resources import payment_intents
from payintents.services import events as service
from payintents.services.context import Ctx
from payintents.wire.http import Endpoint
from payintents.wire.lists import CREATED_FILTER, LIST_FIELDS, envelope
from payintents.wire.params import Arr, Params, Str
from payintents.wire.shapes import (
    BOOLEAN,
    FREE_OBJECT,
    INTEGER,
    STRING,
    const,
    list_of,
    nullable,
    obj,
    ref,
)

# Objects whose wire shape depends on the API version, by their `object` name.
_VERSIONED: dict[str, Callable[[dict[str, Any], str], dict[str, Any]]] = {
    "payment_intent": payment_intents.render_version,
}


def render_event(event: dict[str, Any], api_version: str | None = None) -> dict[str, Any]:
    """The event as sent to an endpoint pinned to `api_version` (None: the event's own)."""
    if not api_version or api_version == event["api_version"]:
        return event
    obj = event["data"]["object"]
    render = _VERSIONED.get(obj.get("object", ""))
    data = {**event["data"], "object": render(obj, api_version) if render else obj}
    return {**event, "api_version": api_version, "data": data}


LIST = Params(
    {
        **LIST_FIELDS,
        **CREATED_FILTER,
        "type": Str(max_length=5000),
        "types": Arr(Str(max_length=5000), max_items=20),
    }
)
RETRIEVE = Params()


def retrieve(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.retrieve(ctx, path["id"])


def list_(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    events, has_more = service.list_events(ctx, params)
    return envelope("/v1/events", events, has_more)


# The objects events describe, by their `object` name.
DESCRIBED = (
    "cash_balance", "charge", "customer", "customer_cash_balance_transaction", "dispute",
    "payment_intent", "payment_method", "refund", "setup_intent",
)  # fmt: skip
SHAPE = obj(
    {
        "id": STRING,
        "object": const("event"),
        "api_version": nullable(STRING),
        "created": INTEGER,
        "data": obj(
            {
                "object": {"anyOf": [ref(kind) for kind in DESCRIBED]},
                # Only on *.updated events: the changed fields' values before.
                "previous_attributes": FREE_OBJECT,
            },
            optional=("previous_attributes",),
        ),
        "livemode": BOOLEAN,
        "pending_webhooks": INTEGER,
        "request": obj({"id": nullable(STRING), "idempotency_key": nullable(STRING)}),
        "type": STRING,
    }
)
SCHEMAS = {"event": SHAPE}

ENDPOINTS = [
    Endpoint("GET", "/v1/events", LIST, list_, response=list_of(ref("event")), resource="events"),
    Endpoint(
        "GET", "/v1/events/{id}", RETRIEVE, retrieve, response=ref("event"), resource="events"
    ),
]
