"""/v1/customers: the fields PaymentIntents need."""

from __future__ import annotations

from typing import Any

from payintents.resources import search as searching
from payintents.resources.cash_balance import CASH_BALANCE_SETTINGS
from payintents.resources.params import (
    ADDRESS_EMPTYABLE,
    ADDRESS_SHAPE,
    EMAIL,
    SHIPPING_EMPTYABLE,
    SHIPPING_SHAPE,
)
from payintents.services import customers as service
from payintents.services.context import Ctx
from payintents.wire import search_query
from payintents.wire.http import Endpoint
from payintents.wire.lists import CREATED_FILTER, LIST_FIELDS, SEARCH_FIELDS, envelope
from payintents.wire.params import Int, Metadata, Obj, Params, Str
from payintents.wire.shapes import (
    BOOLEAN,
    INTEGER,
    METADATA,
    NULL,
    STRING,
    array,
    const,
    enum,
    expandable,
    list_of,
    nullable,
    obj,
    ref,
    search_result_of,
)

_FIELDS = {
    "address": ADDRESS_EMPTYABLE,
    "balance": Int(),
    "cash_balance": CASH_BALANCE_SETTINGS,
    "description": Str(emptyable=True),
    "email": Str(max_length=512, emptyable=True, check=EMAIL.check),
    "invoice_settings": Obj({"default_payment_method": Str(emptyable=True)}),
    "metadata": Metadata(),
    "name": Str(max_length=256, emptyable=True),
    "payment_method": Str(),
    "phone": Str(max_length=20, emptyable=True),
    "shipping": SHIPPING_EMPTYABLE,
}

CREATE = Params(_FIELDS)
UPDATE = Params({k: v for k, v in _FIELDS.items() if k != "payment_method"})
RETRIEVE = Params()
LIST = Params({**LIST_FIELDS, **CREATED_FILTER, "email": Str(max_length=512)})
SEARCH = Params(SEARCH_FIELDS)

# Stripe's query fields for customers (https://docs.stripe.com/search).
SEARCH_QUERY_FIELDS = {
    "created": search_query.Field("number"),
    "email": search_query.Field("string"),
    "metadata": search_query.Field("metadata"),
    "name": search_query.Field("string"),
    "phone": search_query.Field("string"),
}


def create(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.create(ctx, params)


def retrieve(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.retrieve(ctx, path["customer"])


def update(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.update(ctx, path["customer"], params)


def list_(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    page = service.list_customers(ctx, params)
    return envelope("/v1/customers", [r.data for r in page.records], page.has_more)


def search(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return searching.search(
        ctx, params, "customer", SEARCH_QUERY_FIELDS, "customers", lambda customer: customer
    )


SHAPE = obj(
    {
        "id": STRING,
        "object": const("customer"),
        "address": nullable(ADDRESS_SHAPE),
        "balance": INTEGER,
        "created": INTEGER,
        "currency": nullable(STRING),
        "default_source": NULL,
        "delinquent": nullable(BOOLEAN),
        "description": nullable(STRING),
        "discount": NULL,
        "email": nullable(STRING),
        "invoice_prefix": nullable(STRING),
        "invoice_settings": obj(
            {
                "custom_fields": NULL,
                "default_payment_method": expandable("payment_method"),
                "footer": NULL,
                "rendering_options": NULL,
            }
        ),
        "livemode": BOOLEAN,
        "metadata": METADATA,
        "name": nullable(STRING),
        "next_invoice_sequence": INTEGER,
        "phone": nullable(STRING),
        "preferred_locales": array(STRING),
        "shipping": nullable(SHIPPING_SHAPE),
        "tax_exempt": enum(("exempt", "none", "reverse")),
        "test_clock": NULL,
    }
)
SCHEMAS = {"customer": SHAPE}

ENDPOINTS = [
    Endpoint("POST", "/v1/customers", CREATE, create, returns="customer", resource="customers"),
    Endpoint(
        "GET", "/v1/customers", LIST, list_, response=list_of(ref("customer")), resource="customers"
    ),
    # Before /{customer}, which would take "search" for an id.
    Endpoint(
        "GET",
        "/v1/customers/search",
        SEARCH,
        search,
        response=search_result_of(ref("customer")),
        resource="customers",
    ),
    Endpoint(
        "GET",
        "/v1/customers/{customer}",
        RETRIEVE,
        retrieve,
        returns="customer",
        resource="customers",
    ),
    Endpoint(
        "POST", "/v1/customers/{customer}", UPDATE, update, returns="customer", resource="customers"
    ),
]
