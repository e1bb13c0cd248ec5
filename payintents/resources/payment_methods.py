"""/v1/payment_methods: create, retrieve, update, attach, detach; a customer's methods."""

from __future__ import annotations

from typing import Any

from payintents.resources.params import (
    BILLING_DETAILS,
    BILLING_DETAILS_SHAPE,
    CARD_CHECKS_SHAPE,
    CARD_DATA,
    PAYMENT_METHOD_TYPES,
    SEPA_DEBIT_DATA,
    US_BANK_ACCOUNT_DATA,
)
from payintents.services import payment_methods as service
from payintents.services.context import Ctx
from payintents.wire.http import Endpoint
from payintents.wire.lists import LIST_FIELDS, envelope
from payintents.wire.params import Enum, Free, Int, Metadata, Obj, Params, Spec, Str
from payintents.wire.shapes import (
    BOOLEAN,
    FREE_OBJECT,
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
)

# What Stripe.js adds to a PaymentMethod it creates (alone, or as a confirm's
# payment_method_data): telemetry about the browser and the form, which Stripe accepts and no
# object shows.
STRIPE_JS_FIELDS: dict[str, Spec] = {
    "client_attribution_metadata": Free(),
    "guid": Str(),
    "muid": Str(),
    "pasted_fields": Str(),
    "payment_user_agent": Str(),
    "referrer": Str(),
    "sid": Str(),
    "time_on_page": Int(min=0),
}

CREATE = Params(
    {
        **STRIPE_JS_FIELDS,
        "type": Enum(PAYMENT_METHOD_TYPES),
        "allow_redisplay": Enum(("always", "limited", "unspecified")),
        "billing_details": BILLING_DETAILS,
        "card": CARD_DATA,
        "customer_balance": Obj({}),
        "metadata": Metadata(),
        "sepa_debit": SEPA_DEBIT_DATA,
        "us_bank_account": US_BANK_ACCOUNT_DATA,
    },
    required=("type",),
)
UPDATE = Params(
    {
        "allow_redisplay": Enum(("always", "limited", "unspecified")),
        "billing_details": BILLING_DETAILS,
        "card": Obj({"exp_month": Int(min=1, max=12), "exp_year": Int()}),
        "metadata": Metadata(),
    }
)
ATTACH = Params({"customer": Str()}, required=("customer",))
NONE = Params()
CUSTOMER_LIST = Params({**LIST_FIELDS, "type": Enum(PAYMENT_METHOD_TYPES)})
LIST = Params({**LIST_FIELDS, "customer": Str(), "type": Enum(PAYMENT_METHOD_TYPES)})


def create(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.create(ctx, params)


def retrieve(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.retrieve(ctx, path["payment_method"])


def update(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.update(ctx, path["payment_method"], params)


def attach(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.attach(ctx, path["payment_method"], params["customer"])


def detach(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.detach(ctx, path["payment_method"])


def list_for_customer(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    customer = path["customer"]
    page = service.list_for_customer(ctx, customer, params)
    return envelope(
        f"/v1/customers/{customer}/payment_methods", [r.data for r in page.records], page.has_more
    )


def list_(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    page = service.list_methods(ctx, params)
    return envelope("/v1/payment_methods", [r.data for r in page.records], page.has_more)


# The hash named by `type`, for the types payintents tokenizes (processor/simulated.py).
_DETAILS = {
    "card": obj(
        {
            "brand": STRING,
            "checks": CARD_CHECKS_SHAPE,
            "country": nullable(STRING),
            "display_brand": STRING,
            "exp_month": INTEGER,
            "exp_year": INTEGER,
            "fingerprint": nullable(STRING),
            "funding": STRING,
            "generated_from": NULL,
            "last4": STRING,
            "networks": obj({"available": array(STRING), "preferred": nullable(STRING)}),
            "three_d_secure_usage": obj({"supported": BOOLEAN}),
            "wallet": NULL,
        }
    ),
    "us_bank_account": obj(
        {
            "account_holder_type": nullable(enum(("company", "individual"))),
            "account_type": nullable(enum(("checking", "savings"))),
            "bank_name": nullable(STRING),
            "financial_connections_account": nullable(STRING),
            "fingerprint": nullable(STRING),
            "last4": nullable(STRING),
            "networks": obj({"preferred": nullable(STRING), "supported": array(STRING)}),
            "routing_number": nullable(STRING),
            "status_details": NULL,
        }
    ),
    "sepa_debit": obj(
        {
            "bank_code": nullable(STRING),
            "branch_code": nullable(STRING),
            "country": nullable(STRING),
            "fingerprint": nullable(STRING),
            "generated_from": obj({"charge": NULL, "setup_attempt": NULL}),
            "last4": nullable(STRING),
        }
    ),
}
SHAPE = obj(
    {
        "id": STRING,
        "object": const("payment_method"),
        "allow_redisplay": enum(("always", "limited", "unspecified")),
        "billing_details": BILLING_DETAILS_SHAPE,
        "created": INTEGER,
        "customer": expandable("customer"),
        "livemode": BOOLEAN,
        "metadata": METADATA,
        "type": enum(PAYMENT_METHOD_TYPES),
        **{kind: _DETAILS.get(kind, FREE_OBJECT) for kind in PAYMENT_METHOD_TYPES},
    },
    optional=PAYMENT_METHOD_TYPES,
)
SCHEMAS = {"payment_method": SHAPE}

PM = "payment_method"

ENDPOINTS = [
    Endpoint(
        "POST",
        "/v1/payment_methods",
        CREATE,
        create,
        publishable=True,
        returns=PM,
        resource="payment_methods",
    ),
    Endpoint(
        "GET",
        "/v1/payment_methods",
        LIST,
        list_,
        response=list_of(ref(PM)),
        resource="payment_methods",
    ),
    Endpoint(
        "GET",
        "/v1/payment_methods/{payment_method}",
        NONE,
        retrieve,
        returns=PM,
        resource="payment_methods",
    ),
    Endpoint(
        "POST",
        "/v1/payment_methods/{payment_method}",
        UPDATE,
        update,
        returns=PM,
        resource="payment_methods",
    ),
    Endpoint(
        "POST",
        "/v1/payment_methods/{payment_method}/attach",
        ATTACH,
        attach,
        returns=PM,
        resource="payment_methods",
    ),
    Endpoint(
        "POST",
        "/v1/payment_methods/{payment_method}/detach",
        NONE,
        detach,
        returns=PM,
        resource="payment_methods",
    ),
    Endpoint(
        "GET",
        "/v1/customers/{customer}/payment_methods",
        CUSTOMER_LIST,
        list_for_customer,
        response=list_of(ref(PM)),
        resource="payment_methods",
    ),
]
