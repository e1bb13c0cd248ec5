"""/v1/setup_intents: routes, parameter schemas and the wire object. (Stripe has no search for
SetupIntents.)"""

from __future__ import annotations

from typing import Any

from payintents.domain.setup_intent import CANCELLATION_REASONS, STATUSES, USAGES
from payintents.resources.params import (
    CURRENCY,
    MANDATE_DATA,
    PAYMENT_METHOD_DATA,
    PAYMENT_METHOD_TYPES,
    VERIFY_MICRODEPOSITS,
)
from payintents.resources.payment_intents import (
    STRIPE_JS_CONFIRM,
    STRIPE_JS_PAYMENT_METHOD_DATA,
    STRIPE_JS_RETRIEVE,
)
from payintents.services import setup_confirm, setup_microdeposits
from payintents.services import setup_intents as service
from payintents.services.common import check_client_secret
from payintents.services.context import Ctx
from payintents.wire.http import Endpoint
from payintents.wire.lists import CREATED_FILTER, LIST_FIELDS, envelope
from payintents.wire.params import Arr, Bool, Enum, Free, Int, Metadata, Obj, Params, Str
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

TYPES = Arr(Enum(PAYMENT_METHOD_TYPES), max_items=len(PAYMENT_METHOD_TYPES))
FLOW_DIRECTIONS = Arr(Enum(("inbound", "outbound")), max_items=2)
NETWORKS = (
    "amex", "cartes_bancaires", "diners", "discover", "eftpos_au", "interac", "jcb",
    "mastercard", "unionpay", "unknown", "visa",
)  # fmt: skip
# The options a SetupIntent takes per type (Stripe's setup_intent_payment_method_options).
OPTIONS = Obj(
    {
        "card": Obj(
            {
                "mandate_options": Free(),
                "moto": Bool(),
                "network": Enum(NETWORKS),
                "request_three_d_secure": Enum(("any", "automatic", "challenge")),
                "three_d_secure": Free(),
            }
        ),
        "sepa_debit": Obj({"mandate_options": Free()}),
        "us_bank_account": Obj(
            {
                "financial_connections": Free(),
                "mandate_options": Free(),
                "networks": Obj({"requested": Arr(Enum(("ach", "us_domestic_wire")))}),
                "verification_method": Enum(("automatic", "instant", "microdeposits")),
            }
        ),
        **{t: Free() for t in ("acss_debit", "amazon_pay", "card_present", "link", "paypal")},
    }
)
AUTOMATIC = Obj(
    {"allow_redirects": Enum(("always", "never")), "enabled": Bool()}, required=("enabled",)
)

CREATE = Params(
    {
        "attach_to_self": Bool(),
        "automatic_payment_methods": AUTOMATIC,
        "confirm": Bool(),
        "confirmation_token": Str(),
        "customer": Str(),
        "description": Str(max_length=1000),
        "flow_directions": FLOW_DIRECTIONS,
        "mandate_data": MANDATE_DATA,
        "metadata": Metadata(),
        "on_behalf_of": Str(),
        "payment_method": Str(),
        "payment_method_configuration": Str(max_length=100),
        "payment_method_data": PAYMENT_METHOD_DATA,
        "payment_method_options": OPTIONS,
        "payment_method_types": TYPES,
        "return_url": Str(),
        "single_use": Obj(
            {"amount": Int(min=1), "currency": CURRENCY}, required=("amount", "currency")
        ),
        "usage": Enum(USAGES),
        "use_stripe_sdk": Bool(),
    }
)

UPDATE = Params(
    {
        "attach_to_self": Bool(),
        "customer": Str(),
        "description": Str(max_length=1000, emptyable=True),
        "flow_directions": Arr(Enum(("inbound", "outbound")), max_items=2, emptyable=True),
        "metadata": Metadata(),
        "payment_method": Str(emptyable=True),
        "payment_method_configuration": Str(max_length=100),
        "payment_method_data": PAYMENT_METHOD_DATA,
        "payment_method_options": OPTIONS,
        "payment_method_types": TYPES,
    }
)

CONFIRM = Params(
    {
        **STRIPE_JS_CONFIRM,
        "client_secret": Str(),
        "confirmation_token": Str(),
        "mandate_data": MANDATE_DATA,
        "payment_method": Str(),
        "payment_method_data": STRIPE_JS_PAYMENT_METHOD_DATA,
        "payment_method_options": OPTIONS,
        "return_url": Str(),
        "use_stripe_sdk": Bool(),
    }
)

CANCEL = Params({"cancellation_reason": Enum(CANCELLATION_REASONS)})

RETRIEVE = Params({"client_secret": Str(), **STRIPE_JS_RETRIEVE})

LIST = Params(
    {
        **LIST_FIELDS,
        **CREATED_FILTER,
        "attach_to_self": Bool(),
        "customer": Str(),
        "payment_method": Str(),
    }
)

# What Stripe returns to a publishable key holding the client_secret (Stripe.js).
PUBLISHABLE_FIELDS = (
    "id",
    "object",
    "automatic_payment_methods",
    "cancellation_reason",
    "client_secret",
    "created",
    "description",
    "last_setup_error",
    "livemode",
    "next_action",
    "payment_method",
    "payment_method_types",
    "status",
    "usage",
)

_NEXT_ACTIONS = {
    "redirect_to_url": obj({"return_url": nullable(STRING), "url": STRING}),
    "use_stripe_sdk": FREE_OBJECT,
    "verify_with_microdeposits": obj(
        {
            "arrival_date": INTEGER,
            "hosted_verification_url": STRING,
            "microdeposit_type": nullable(enum(("amounts", "descriptor_code"))),
        }
    ),
}
SHAPE = obj(
    {
        "id": STRING,
        "object": const("setup_intent"),
        "application": NULL,
        "attach_to_self": BOOLEAN,
        "automatic_payment_methods": nullable(
            obj({"allow_redirects": enum(("always", "never")), "enabled": BOOLEAN})
        ),
        "cancellation_reason": nullable(enum(CANCELLATION_REASONS)),
        "client_secret": STRING,
        "created": INTEGER,
        "customer": expandable("customer"),
        "description": nullable(STRING),
        "flow_directions": nullable(array(enum(("inbound", "outbound")))),
        "last_setup_error": nullable(ref("api_errors")),
        "latest_attempt": expandable("setup_attempt"),
        "livemode": BOOLEAN,
        "mandate": expandable("mandate"),
        "metadata": METADATA,
        "next_action": nullable(
            obj({"type": enum(_NEXT_ACTIONS), **_NEXT_ACTIONS}, optional=_NEXT_ACTIONS)
        ),
        "on_behalf_of": nullable(STRING),
        "payment_method": expandable("payment_method"),
        "payment_method_configuration_details": NULL,
        "payment_method_options": {"type": "object", "additionalProperties": FREE_OBJECT},
        "payment_method_types": array(enum(PAYMENT_METHOD_TYPES)),
        "single_use_mandate": expandable("mandate"),
        "status": enum(STATUSES),
        "usage": enum(USAGES),
    },
    optional=("attach_to_self",),
)
PUBLISHABLE_SHAPE = obj({name: SHAPE["properties"][name] for name in PUBLISHABLE_FIELDS})
EITHER_SHAPE = {"anyOf": [ref("setup_intent"), ref("setup_intent_publishable")]}
MANDATE_SHAPE = obj(
    {
        "id": STRING,
        "object": const("mandate"),
        "customer_acceptance": obj(
            {
                "accepted_at": nullable(INTEGER),
                "offline": FREE_OBJECT,
                "online": obj({"ip_address": nullable(STRING), "user_agent": nullable(STRING)}),
                "type": enum(("offline", "online")),
            },
            optional=("offline", "online"),
        ),
        "livemode": BOOLEAN,
        "multi_use": FREE_OBJECT,
        # Only for Connect, which payintents lacks: never present.
        "on_behalf_of": STRING,
        "payment_method": expandable("payment_method"),
        "payment_method_details": FREE_OBJECT,
        "single_use": obj({"amount": INTEGER, "currency": STRING}),
        "status": enum(("active", "inactive", "pending")),
        "type": enum(("multi_use", "single_use")),
    },
    optional=("multi_use", "on_behalf_of", "single_use"),
)
SCHEMAS = {
    "setup_intent": SHAPE,
    "setup_intent_publishable": PUBLISHABLE_SHAPE,
    "mandate": MANDATE_SHAPE,
}


def render(intent: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    """The object, reduced for a publishable key."""
    if ctx.key_kind == "publishable":
        return {name: intent[name] for name in PUBLISHABLE_FIELDS}
    return intent


def create(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return render(service.create(ctx, params), ctx)


def retrieve(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    intent = service.retrieve(ctx, path["intent"])
    check_client_secret(ctx, intent, params)
    return render(intent, ctx)


def update(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return render(service.update(ctx, path["intent"], params), ctx)


def list_(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    page = service.list_intents(ctx, params)
    return envelope("/v1/setup_intents", [render(r.data, ctx) for r in page.records], page.has_more)


def confirm(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return render(setup_confirm.confirm(ctx, path["intent"], params), ctx)


def cancel(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return render(service.cancel(ctx, path["intent"], params), ctx)


def verify_microdeposits(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return render(setup_microdeposits.verify(ctx, path["intent"], params), ctx)


SI = "setup_intent"
R = "setup_intents"

ENDPOINTS = [
    Endpoint("POST", "/v1/setup_intents", CREATE, create, returns=SI, resource=R),
    Endpoint("GET", "/v1/setup_intents", LIST, list_, response=list_of(ref(SI)), resource=R),
    Endpoint(
        "GET",
        "/v1/setup_intents/{intent}",
        RETRIEVE,
        retrieve,
        publishable=True,
        returns=SI,
        response=EITHER_SHAPE,
        resource=R,
    ),
    Endpoint("POST", "/v1/setup_intents/{intent}", UPDATE, update, returns=SI, resource=R),
    Endpoint(
        "POST",
        "/v1/setup_intents/{intent}/confirm",
        CONFIRM,
        confirm,
        publishable=True,
        returns=SI,
        response=EITHER_SHAPE,
        resource=R,
    ),
    Endpoint("POST", "/v1/setup_intents/{intent}/cancel", CANCEL, cancel, returns=SI, resource=R),
    Endpoint(
        "POST",
        "/v1/setup_intents/{intent}/verify_microdeposits",
        VERIFY_MICRODEPOSITS,
        verify_microdeposits,
        publishable=True,
        returns=SI,
        response=EITHER_SHAPE,
        resource=R,
    ),
]
