"""/v1/charges: one per payment attempt; read, list, search, update."""

from __future__ import annotations

import re
from typing import Any

from payintents.resources import search as searching
from payintents.resources.params import (
    BILLING_DETAILS_SHAPE,
    CARD_CHECKS_SHAPE,
    EMAIL,
    SHIPPING_EMPTYABLE,
    SHIPPING_SHAPE,
)
from payintents.services import charges as service
from payintents.services.context import Ctx
from payintents.store.base import CHARGE_METHOD_FIELDS
from payintents.wire import search_query
from payintents.wire.http import Endpoint
from payintents.wire.lists import CREATED_FILTER, LIST_FIELDS, SEARCH_FIELDS, envelope
from payintents.wire.params import Metadata, Params, Str
from payintents.wire.shapes import (
    BOOLEAN,
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
    search_result_of,
)

RETRIEVE = Params()
UPDATE = Params(
    {
        "description": Str(emptyable=True),
        "metadata": Metadata(),
        "receipt_email": Str(emptyable=True, check=EMAIL.check),
        "shipping": SHIPPING_EMPTYABLE,
    }
)
LIST = Params({**LIST_FIELDS, **CREATED_FILTER, "payment_intent": Str(), "customer": Str()})
SEARCH = Params(SEARCH_FIELDS)

_TOKEN = search_query.Field("token")
_CASELESS = search_query.Field("token", caseless=True)
# Stripe's query fields for charges (https://docs.stripe.com/search), with
# payment_method_details.<type>.<field> for the types whose charges carry that field here.
SEARCH_QUERY_FIELDS = {
    "amount": search_query.Field("number"),
    "billing_details.address.postal_code": _CASELESS,
    "created": search_query.Field("number"),
    "currency": _CASELESS,
    "customer": _TOKEN,
    "disputed": search_query.Field("boolean"),
    "metadata": search_query.Field("metadata"),
    "refunded": search_query.Field("boolean"),
    "status": _CASELESS,
    **{
        f"payment_method_details.{kind}.{name}": _CASELESS if name == "brand" else _TOKEN
        for kind, names in CHARGE_METHOD_FIELDS.items()
        for name in names
    },
}
# Stripe searches these fields of the details of any payment method type.
_METHOD_FIELD = re.compile(
    r"payment_method_details\.([a-z_]+)\.(brand|exp_month|exp_year|fingerprint|last4)"
)


def unsupported(name: str) -> str | None:
    """Stripe's field for a payment method type (or a field of it) payintents never charges:
    said plainly, rather than answering a search that could never match."""
    match = _METHOD_FIELD.fullmatch(name)
    if match is None:
        return None
    kind, field = match.groups()
    searchable = ", ".join(sorted(f for f in SEARCH_QUERY_FIELDS if f.startswith("payment_")))
    return (
        f"`{name}` is searchable on Stripe, but payintents makes no {kind} charges with "
        f"payment_method_details.{kind}.{field}. Searchable payment method fields: {searchable}."
    )


def retrieve(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.retrieve(ctx, path["charge"])


def search(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return searching.search(
        ctx, params, "charge", SEARCH_QUERY_FIELDS, "charges", lambda charge: charge, unsupported
    )


def update(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.update(ctx, path["charge"], params)


def list_(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    page = service.list_charges(ctx, params)
    return envelope("/v1/charges", [r.data for r in page.records], page.has_more)


_STATUS = obj({"status": STRING})
CARD_DETAILS_SHAPE = obj(
    {
        "amount_authorized": INTEGER,
        "authorization_code": nullable(STRING),
        "brand": STRING,
        # Only while the authorization awaits capture.
        "capture_before": INTEGER,
        "checks": CARD_CHECKS_SHAPE,
        "country": nullable(STRING),
        "exp_month": INTEGER,
        "exp_year": INTEGER,
        "extended_authorization": _STATUS,
        "fingerprint": nullable(STRING),
        "funding": STRING,
        "incremental_authorization": _STATUS,
        "installments": NULL,
        "last4": STRING,
        "mandate": NULL,
        "multicapture": _STATUS,
        "network": nullable(STRING),
        "network_token": obj({"used": BOOLEAN}),
        "network_transaction_id": nullable(STRING),
        "overcapture": obj({"maximum_amount_capturable": INTEGER, "status": STRING}),
        "regulated_status": STRING,
        "three_d_secure": nullable(FREE_OBJECT),
        "wallet": NULL,
    },
    optional=("capture_before",),
)
SHAPE = obj(
    {
        "id": STRING,
        "object": const("charge"),
        "amount": INTEGER,
        "amount_captured": INTEGER,
        "amount_refunded": INTEGER,
        "application": NULL,
        "application_fee": NULL,
        "application_fee_amount": nullable(INTEGER),
        "balance_transaction": nullable(STRING),
        "billing_details": BILLING_DETAILS_SHAPE,
        "calculated_statement_descriptor": nullable(STRING),
        "captured": BOOLEAN,
        "created": INTEGER,
        "currency": STRING,
        "customer": expandable("customer"),
        "description": nullable(STRING),
        "destination": NULL,
        "dispute": NULL,
        "disputed": BOOLEAN,
        "failure_balance_transaction": NULL,
        "failure_code": nullable(STRING),
        "failure_message": nullable(STRING),
        "fraud_details": FREE_OBJECT,
        "livemode": BOOLEAN,
        "metadata": METADATA,
        "on_behalf_of": nullable(STRING),
        "order": NULL,
        "outcome": nullable(
            obj(
                {
                    "network_status": nullable(STRING),
                    "reason": nullable(STRING),
                    "risk_level": STRING,
                    "risk_score": INTEGER,
                    "rule": nullable(STRING),
                    "seller_message": nullable(STRING),
                    "type": STRING,
                },
                optional=("risk_score", "rule"),
            )
        ),
        "paid": BOOLEAN,
        "payment_intent": expandable("payment_intent"),
        "payment_method": nullable(STRING),
        # The hash named by `type`; the card's is the one whose fields payintents fills in.
        "payment_method_details": obj(
            {"type": STRING, "card": CARD_DETAILS_SHAPE}, optional=("card",), open=True
        ),
        "radar_options": FREE_OBJECT,
        "receipt_email": nullable(STRING),
        "receipt_number": nullable(STRING),
        "receipt_url": nullable(STRING),
        "refunded": BOOLEAN,
        "review": NULL,
        "shipping": nullable(SHIPPING_SHAPE),
        "source": NULL,
        "source_transfer": NULL,
        "statement_descriptor": nullable(STRING),
        "statement_descriptor_suffix": nullable(STRING),
        "status": enum(("failed", "pending", "succeeded")),
        "transfer_data": nullable(FREE_OBJECT),
        "transfer_group": nullable(STRING),
    }
)
SCHEMAS = {"charge": SHAPE}

ENDPOINTS = [
    Endpoint(
        "GET", "/v1/charges", LIST, list_, response=list_of(ref("charge")), resource="charges"
    ),
    # Before /{charge}, which would take "search" for an id.
    Endpoint(
        "GET",
        "/v1/charges/search",
        SEARCH,
        search,
        response=search_result_of(ref("charge")),
        resource="charges",
    ),
    Endpoint(
        "GET", "/v1/charges/{charge}", RETRIEVE, retrieve, returns="charge", resource="charges"
    ),
    Endpoint("POST", "/v1/charges/{charge}", UPDATE, update, returns="charge", resource="charges"),
]
