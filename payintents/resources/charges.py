"""/v1/charges: one per payment attempt; read, list, update."""

from __future__ import annotations

from typing import Any

from payintents.resources.params import EMAIL, SHIPPING_EMPTYABLE
from payintents.services import charges as service
from payintents.services.context import Ctx
from payintents.wire.http import Endpoint
from payintents.wire.lists import LIST_FIELDS, envelope
from payintents.wire.params import Metadata, Params, Str

RETRIEVE = Params()
UPDATE = Params(
    {
        "description": Str(emptyable=True),
        "metadata": Metadata(),
        "receipt_email": Str(emptyable=True, check=EMAIL.check),
        "shipping": SHIPPING_EMPTYABLE,
    }
)
LIST = Params({**LIST_FIELDS, "payment_intent": Str(), "customer": Str()})


def retrieve(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.retrieve(ctx, path["charge"])


def update(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.update(ctx, path["charge"], params)


def list_(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    page = service.list_charges(ctx, params)
    return envelope("/v1/charges", [r.data for r in page.records], page.has_more)


ENDPOINTS = [
    Endpoint("GET", "/v1/charges", LIST, list_),
    Endpoint("GET", "/v1/charges/{charge}", RETRIEVE, retrieve),
    Endpoint("POST", "/v1/charges/{charge}", UPDATE, update),
]
