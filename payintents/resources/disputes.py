"""/v1/disputes: retrieve, list, update (evidence, submit), close."""

from __future__ import annotations

from typing import Any

from payintents.domain.dispute import EVIDENCE_FIELDS
from payintents.errors import resource_missing
from payintents.services import disputes as service
from payintents.services.context import Ctx
from payintents.wire.http import Endpoint
from payintents.wire.lists import CREATED_FILTER, LIST_FIELDS, envelope
from payintents.wire.params import Bool, Metadata, Obj, Params, Spec, Str
from payintents.wire.shapes import (
    BOOLEAN,
    INTEGER,
    METADATA,
    STRING,
    array,
    const,
    enum,
    expandable,
    list_of,
    nullable,
    obj,
    ref,
)

# Evidence that is the id of a file upload (POST /v1/files), which payintents has none of.
FILE_FIELDS = (
    "cancellation_policy", "customer_communication", "customer_signature",
    "duplicate_charge_documentation", "receipt", "refund_policy", "service_documentation",
    "shipping_documentation", "uncategorized_file",
)  # fmt: skip
_LONG_TEXT = (
    "access_activity_log", "cancellation_policy_disclosure", "cancellation_rebuttal",
    "duplicate_charge_explanation", "product_description", "refund_policy_disclosure",
    "refund_refusal_explanation", "uncategorized_text",
)  # fmt: skip


def _evidence_field(name: str) -> Spec:
    return Str(max_length=20_000 if name in _LONG_TEXT else 5000, emptyable=True)


EVIDENCE = Obj({name: _evidence_field(name) for name in EVIDENCE_FIELDS})

RETRIEVE = Params()
LIST = Params({**LIST_FIELDS, **CREATED_FILTER, "charge": Str(), "payment_intent": Str()})
UPDATE = Params({"evidence": EVIDENCE, "metadata": Metadata(), "submit": Bool()})
CLOSE = Params()


def retrieve(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.retrieve(ctx, path["dispute"])


def list_(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    page = service.list_disputes(ctx, params)
    return envelope("/v1/disputes", [r.data for r in page.records], page.has_more)


def update(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    for name, value in (params.get("evidence") or {}).items():
        if name in FILE_FIELDS and value:
            raise resource_missing("file", value, f"evidence[{name}]")
    return service.update(ctx, path["dispute"], params)


def close(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.close(ctx, path["dispute"])


_TEXT = nullable(STRING)
BALANCE_TRANSACTION_SHAPE = obj(
    {
        "id": STRING,
        "object": const("balance_transaction"),
        "amount": INTEGER,
        "available_on": INTEGER,
        "created": INTEGER,
        "currency": STRING,
        "description": _TEXT,
        "exchange_rate": nullable({"type": "number"}),
        "fee": INTEGER,
        "fee_details": array(
            obj(
                {
                    "amount": INTEGER,
                    "application": _TEXT,
                    "currency": STRING,
                    "description": _TEXT,
                    "type": STRING,
                }
            )
        ),
        "net": INTEGER,
        "reporting_category": STRING,
        "source": _TEXT,
        "status": enum(("available", "pending")),
        "type": STRING,
    }
)
STATUSES = (
    "lost",
    "needs_response",
    "under_review",
    "warning_closed",
    "warning_needs_response",
    "warning_under_review",
    "won",
)
SHAPE = obj(
    {
        "id": STRING,
        "object": const("dispute"),
        "amount": INTEGER,
        "balance_transactions": array(BALANCE_TRANSACTION_SHAPE),
        "charge": expandable("charge"),
        "created": INTEGER,
        "currency": STRING,
        "evidence": obj({name: _TEXT for name in EVIDENCE_FIELDS}),
        "evidence_details": obj(
            {
                "due_by": nullable(INTEGER),
                "has_evidence": BOOLEAN,
                "past_due": BOOLEAN,
                "submission_count": INTEGER,
            }
        ),
        "is_charge_refundable": BOOLEAN,
        "livemode": BOOLEAN,
        "metadata": METADATA,
        "payment_intent": expandable("payment_intent"),
        "payment_method_details": obj(
            {
                "card": obj({"brand": STRING, "network_reason_code": _TEXT}),
                "type": enum(("card", "klarna", "paypal")),
            }
        ),
        "reason": STRING,
        "status": enum(STATUSES),
    }
)
SCHEMAS = {"dispute": SHAPE}

ENDPOINTS = [
    Endpoint(
        "GET", "/v1/disputes", LIST, list_, response=list_of(ref("dispute")), resource="disputes"
    ),
    Endpoint(
        "GET", "/v1/disputes/{dispute}", RETRIEVE, retrieve, returns="dispute", resource="disputes"
    ),
    Endpoint(
        "POST", "/v1/disputes/{dispute}", UPDATE, update, returns="dispute", resource="disputes"
    ),
    Endpoint(
        "POST", "/v1/disputes/{dispute}/close", CLOSE, close, returns="dispute", resource="disputes"
    ),
]
