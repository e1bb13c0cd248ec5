"""/v1/refunds: refund a charge or a PaymentIntent; read, list, update."""

from __future__ import annotations

from typing import Any

from payintents.services import refunds as service
from payintents.services.context import Ctx
from payintents.wire.http import Endpoint
from payintents.wire.lists import LIST_FIELDS, envelope
from payintents.wire.params import Enum, Int, Metadata, Params, Str

CREATE = Params(
    {
        "amount": Int(min=1),
        "charge": Str(),
        "payment_intent": Str(),
        "reason": Enum(("duplicate", "fraudulent", "requested_by_customer")),
        "metadata": Metadata(),
    }
)
RETRIEVE = Params()
UPDATE = Params({"metadata": Metadata()})
LIST = Params({**LIST_FIELDS, "payment_intent": Str(), "charge": Str()})


def create(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.create(ctx, params)


def retrieve(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.retrieve(ctx, path["refund"])


def update(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.update(ctx, path["refund"], params)


def list_(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    page = service.list_refunds(ctx, params)
    return envelope("/v1/refunds", [r.data for r in page.records], page.has_more)


ENDPOINTS = [
    Endpoint("POST", "/v1/refunds", CREATE, create, returns="refund"),
    Endpoint("GET", "/v1/refunds", LIST, list_),
    Endpoint("GET", "/v1/refunds/{refund}", RETRIEVE, retrieve, returns="refund"),
    Endpoint("POST", "/v1/refunds/{refund}", UPDATE, update, returns="refund"),
]
