"""/v1/refunds: refund a charge or a PaymentIntent; read, list, update."""

from __future__ import annotations

from typing import Any

from payintents.services import refunds as service
from payintents.services.context import Ctx
from payintents.wire.http import Endpoint
from payintents.wire.lists import CREATED_FILTER, LIST_FIELDS, envelope
from payintents.wire.params import Enum, Int, Metadata, Params, Str
from payintents.wire.shapes import (
    FREE_OBJECT,
    INTEGER,
    METADATA,
    NULL,
    STRING,
    const,
    enum,
    expandable,
    list_of,
    nullable,
    obj,
    ref,
)

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
LIST = Params({**LIST_FIELDS, **CREATED_FILTER, "payment_intent": Str(), "charge": Str()})


def create(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.create(ctx, params)


def retrieve(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.retrieve(ctx, path["refund"])


def update(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.update(ctx, path["refund"], params)


def list_(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    page = service.list_refunds(ctx, params)
    return envelope("/v1/refunds", [r.data for r in page.records], page.has_more)


SHAPE = obj(
    {
        "id": STRING,
        "object": const("refund"),
        "amount": INTEGER,
        "balance_transaction": NULL,
        "charge": expandable("charge"),
        "created": INTEGER,
        "currency": STRING,
        "destination_details": nullable(FREE_OBJECT),
        # Only once the refund has failed.
        "failure_reason": STRING,
        "metadata": METADATA,
        "payment_intent": expandable("payment_intent"),
        "reason": nullable(
            enum(("duplicate", "expired_uncaptured_charge", "fraudulent", "requested_by_customer"))
        ),
        "receipt_number": NULL,
        "source_transfer_reversal": NULL,
        "status": enum(("canceled", "failed", "pending", "requires_action", "succeeded")),
        "transfer_reversal": NULL,
    },
    optional=("failure_reason",),
)
SCHEMAS = {"refund": SHAPE}

ENDPOINTS = [
    Endpoint("POST", "/v1/refunds", CREATE, create, returns="refund", resource="refunds"),
    Endpoint(
        "GET", "/v1/refunds", LIST, list_, response=list_of(ref("refund")), resource="refunds"
    ),
    Endpoint(
        "GET", "/v1/refunds/{refund}", RETRIEVE, retrieve, returns="refund", resource="refunds"
    ),
    Endpoint("POST", "/v1/refunds/{refund}", UPDATE, update, returns="refund", resource="refunds"),
]
