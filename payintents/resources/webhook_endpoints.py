"""/v1/webhook_endpoints: where an account's events are posted, signed with the endpoint's
secret."""

from __future__ import annotations

from typing import Any

from payintents.events.types import ENABLED_EVENT_CHOICES
from payintents.services import webhook_endpoints as service
from payintents.services.context import Ctx
from payintents.webhooks import targets
from payintents.wire.http import Endpoint
from payintents.wire.lists import LIST_FIELDS, envelope
from payintents.wire.params import Arr, Bool, Enum, Metadata, Params, Str
from payintents.wire.shapes import (
    BOOLEAN,
    INTEGER,
    METADATA,
    NULL,
    STRING,
    array,
    const,
    deleted,
    enum,
    list_of,
    nullable,
    obj,
    ref,
)

_ENABLED_EVENTS = Arr(Enum(ENABLED_EVENT_CHOICES), max_items=len(ENABLED_EVENT_CHOICES))
_URL = Str(max_length=5000)

CREATE = Params(
    {
        "url": _URL,
        "enabled_events": _ENABLED_EVENTS,
        "api_version": Str(max_length=5000),
        "connect": Bool(),
        "description": Str(max_length=5000, emptyable=True),
        "metadata": Metadata(),
    },
    required=("enabled_events", "url"),
)
UPDATE = Params(
    {
        "url": _URL,
        "enabled_events": _ENABLED_EVENTS,
        "description": Str(max_length=5000, emptyable=True),
        "disabled": Bool(),
        "metadata": Metadata(),
    }
)
RETRIEVE = Params()
DELETE = Params()
LIST = Params(LIST_FIELDS)


async def check_target(ctx: Ctx, params: dict[str, Any]) -> None:
    """A live-mode URL whose host resolves to an internal address is refused (an address
    written out, or `localhost`, is refused by the service without a lookup)."""
    if ctx.livemode and isinstance(params.get("url"), str):
        await targets.check_at_creation(params["url"], ctx.runtime.config.webhook_allow_internal)


def create(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.create(ctx, params)


def retrieve(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.retrieve(ctx, path["webhook_endpoint"])


def update(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.update(ctx, path["webhook_endpoint"], params)


def delete(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.delete(ctx, path["webhook_endpoint"])


def list_(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    page = service.list_endpoints(ctx, params)
    return envelope("/v1/webhook_endpoints", [r.data for r in page.records], page.has_more)


WE = "webhook_endpoint"
SHAPE = obj(
    {
        "id": STRING,
        "object": const(WE),
        "api_version": nullable(STRING),
        "application": NULL,
        "created": INTEGER,
        "description": nullable(STRING),
        "enabled_events": array(STRING),
        "livemode": BOOLEAN,
        "metadata": METADATA,
        # Only in the answer to the create.
        "secret": STRING,
        "status": enum(("disabled", "enabled")),
        "url": STRING,
    },
    optional=("secret",),
)
SCHEMAS = {WE: SHAPE, "deleted_webhook_endpoint": deleted(WE)}

ENDPOINTS = [
    Endpoint(
        "POST",
        "/v1/webhook_endpoints",
        CREATE,
        create,
        returns=WE,
        resource="webhook_endpoints",
        check=check_target,
    ),
    Endpoint(
        "GET",
        "/v1/webhook_endpoints",
        LIST,
        list_,
        response=list_of(ref(WE)),
        resource="webhook_endpoints",
    ),
    Endpoint(
        "GET",
        "/v1/webhook_endpoints/{webhook_endpoint}",
        RETRIEVE,
        retrieve,
        returns=WE,
        resource="webhook_endpoints",
    ),
    Endpoint(
        "POST",
        "/v1/webhook_endpoints/{webhook_endpoint}",
        UPDATE,
        update,
        returns=WE,
        resource="webhook_endpoints",
        check=check_target,
    ),
    Endpoint(
        "DELETE",
        "/v1/webhook_endpoints/{webhook_endpoint}",
        DELETE,
        delete,
        returns=WE,
        response=ref("deleted_webhook_endpoint"),
        resource="webhook_endpoints",
    ),
]
