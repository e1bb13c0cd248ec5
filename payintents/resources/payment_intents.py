"""/v1/payment_intents: routes, parameter schemas and the wire object."""

from __future__ import annotations

from typing import Any

from payintents.domain import versions
from payintents.domain.payment_intent import STATUSES
from payintents.resources import search as searching
from payintents.resources.params import (
    BANK_TRANSFER_TYPES,
    CURRENCY,
    EMAIL,
    MANDATE_DATA,
    PAYMENT_METHOD_DATA,
    PAYMENT_METHOD_OPTIONS,
    PAYMENT_METHOD_TYPES,
    SHIPPING,
    SHIPPING_EMPTYABLE,
    SHIPPING_SHAPE,
    STATEMENT_DESCRIPTOR,
    STATEMENT_DESCRIPTOR_SUFFIX,
    VERIFY_MICRODEPOSITS,
)
from payintents.resources.payment_methods import STRIPE_JS_FIELDS
from payintents.services import capture_cancel, customer_balance, increment, microdeposits
from payintents.services import confirm as confirming
from payintents.services import payment_intents as service
from payintents.services.common import check_client_secret
from payintents.services.context import Ctx
from payintents.wire import search_query
from payintents.wire.http import Endpoint
from payintents.wire.lists import CREATED_FILTER, LIST_FIELDS, SEARCH_FIELDS, envelope
from payintents.wire.params import (
    Arr,
    Bool,
    Enum,
    Int,
    Metadata,
    Obj,
    OneOf,
    Params,
    Spec,
    Str,
)
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
    search_result_of,
)

CAPTURE_METHOD = Enum(("automatic", "automatic_async", "manual"))
SETUP_FUTURE_USAGE = Enum(("off_session", "on_session"))
SETUP_FUTURE_USAGE_EMPTYABLE = Enum(("off_session", "on_session"), emptyable=True)
TYPES = Arr(Enum(PAYMENT_METHOD_TYPES), max_items=len(PAYMENT_METHOD_TYPES))
TRANSFER_DATA = Obj({"amount": Int(min=0), "destination": Str()}, required=("destination",))

CREATE = Params(
    {
        "amount": Int(min=1),
        "currency": CURRENCY,
        "application_fee_amount": Int(min=0),
        "automatic_payment_methods": Obj(
            {"allow_redirects": Enum(("always", "never")), "enabled": Bool()},
            required=("enabled",),
        ),
        "capture_method": CAPTURE_METHOD,
        "confirm": Bool(),
        "confirmation_method": Enum(("automatic", "manual")),
        "confirmation_token": Str(),
        "customer": Str(),
        "description": Str(max_length=1000),
        "error_on_requires_action": Bool(),
        "mandate": Str(),
        "mandate_data": MANDATE_DATA,
        "metadata": Metadata(),
        "off_session": OneOf((Bool(), Enum(("one_off", "recurring")))),
        "on_behalf_of": Str(),
        "payment_method": Str(),
        "payment_method_configuration": Str(max_length=100),
        "payment_method_data": PAYMENT_METHOD_DATA,
        "payment_method_options": PAYMENT_METHOD_OPTIONS,
        "payment_method_types": TYPES,
        "radar_options": Obj({"session": Str()}),
        "receipt_email": EMAIL,
        "return_url": Str(),
        "setup_future_usage": SETUP_FUTURE_USAGE,
        "shipping": SHIPPING,
        "statement_descriptor": STATEMENT_DESCRIPTOR,
        "statement_descriptor_suffix": STATEMENT_DESCRIPTOR_SUFFIX,
        "transfer_data": TRANSFER_DATA,
        "transfer_group": Str(),
        "use_stripe_sdk": Bool(),
    },
    required=("amount", "currency"),
)

UPDATE = Params(
    {
        "amount": Int(min=1),
        "application_fee_amount": Int(min=0, emptyable=True),
        "capture_method": CAPTURE_METHOD,
        "currency": CURRENCY,
        "customer": Str(),
        "description": Str(max_length=1000, emptyable=True),
        "metadata": Metadata(),
        "payment_method": Str(),
        "payment_method_configuration": Str(max_length=100),
        "payment_method_data": PAYMENT_METHOD_DATA,
        "payment_method_options": PAYMENT_METHOD_OPTIONS,
        "payment_method_types": TYPES,
        "receipt_email": Str(emptyable=True, check=EMAIL.check),
        "setup_future_usage": SETUP_FUTURE_USAGE_EMPTYABLE,
        "shipping": SHIPPING_EMPTYABLE,
        "statement_descriptor": STATEMENT_DESCRIPTOR,
        "statement_descriptor_suffix": STATEMENT_DESCRIPTOR_SUFFIX,
        "transfer_data": Obj({"amount": Int(min=0)}),
        "transfer_group": Str(),
    }
)

# What Stripe.js sends besides the API's published parameters, which Stripe accepts: on
# confirm, the type of method its form collected, the browser's abilities for authentication
# and telemetry on the payment method it creates; on retrieve, `is_stripe_sdk`. None changes
# the payment.
STRIPE_JS_CONFIRM: dict[str, Spec] = {
    "expected_payment_method_type": Enum(PAYMENT_METHOD_TYPES),
    "spc_eligible": Bool(),
    "webauthn_uvpa_available": Bool(),
}
STRIPE_JS_PAYMENT_METHOD_DATA = Obj(
    {**PAYMENT_METHOD_DATA.fields, **STRIPE_JS_FIELDS}, required=PAYMENT_METHOD_DATA.required
)
STRIPE_JS_RETRIEVE: dict[str, Spec] = {"is_stripe_sdk": Bool()}

CONFIRM = Params(
    {
        **STRIPE_JS_CONFIRM,
        "capture_method": CAPTURE_METHOD,
        "client_secret": Str(),
        "confirmation_token": Str(),
        "error_on_requires_action": Bool(),
        "mandate": Str(),
        "mandate_data": MANDATE_DATA,
        "off_session": OneOf((Bool(), Enum(("one_off", "recurring")))),
        "payment_method": Str(),
        "payment_method_data": STRIPE_JS_PAYMENT_METHOD_DATA,
        "payment_method_options": PAYMENT_METHOD_OPTIONS,
        "payment_method_types": TYPES,
        "radar_options": Obj({"session": Str()}),
        "receipt_email": Str(emptyable=True, check=EMAIL.check),
        "return_url": Str(),
        "setup_future_usage": SETUP_FUTURE_USAGE_EMPTYABLE,
        "shipping": SHIPPING_EMPTYABLE,
        "use_stripe_sdk": Bool(),
    }
)

CAPTURE = Params(
    {
        "amount_to_capture": Int(min=1),
        "application_fee_amount": Int(min=0),
        "final_capture": Bool(),
        "metadata": Metadata(),
        "statement_descriptor": STATEMENT_DESCRIPTOR,
        "statement_descriptor_suffix": STATEMENT_DESCRIPTOR_SUFFIX,
        "transfer_data": Obj({"amount": Int(min=0)}),
    }
)

CANCEL = Params(
    {"cancellation_reason": Enum(("duplicate", "fraudulent", "requested_by_customer", "abandoned"))}
)

INCREMENT = Params(
    {
        "amount": Int(min=1),
        "application_fee_amount": Int(min=0),
        "description": Str(max_length=1000),
        "metadata": Metadata(),
        "statement_descriptor": STATEMENT_DESCRIPTOR,
        "transfer_data": Obj({"amount": Int(min=0)}),
    },
    required=("amount",),
)

APPLY_CUSTOMER_BALANCE = Params({"amount": Int(min=1), "currency": CURRENCY})

RETRIEVE = Params({"client_secret": Str(), **STRIPE_JS_RETRIEVE})

LIST = Params({**LIST_FIELDS, **CREATED_FILTER, "customer": Str()})

SEARCH = Params(SEARCH_FIELDS)

# Stripe's query fields for PaymentIntents (https://docs.stripe.com/search).
SEARCH_QUERY_FIELDS = {
    "amount": search_query.Field("number"),
    "created": search_query.Field("number"),
    "currency": search_query.Field("token", caseless=True),
    "customer": search_query.Field("token"),
    "metadata": search_query.Field("metadata"),
    "status": search_query.Field("token", caseless=True),
}


# What Stripe returns to a publishable key holding the client_secret (Stripe.js): no
# metadata, customer, charges or amounts received, only what a payment page needs.
PUBLISHABLE_FIELDS = (
    "id",
    "object",
    "amount",
    "automatic_payment_methods",
    "canceled_at",
    "cancellation_reason",
    "capture_method",
    "client_secret",
    "confirmation_method",
    "created",
    "currency",
    "description",
    "last_payment_error",
    "livemode",
    "next_action",
    "payment_method",
    "payment_method_types",
    "processing",
    "receipt_email",
    "setup_future_usage",
    "shipping",
    "status",
)


_NEXT_ACTIONS = {
    "display_bank_transfer_instructions": obj(
        {
            "amount_remaining": INTEGER,
            "currency": STRING,
            "financial_addresses": array(FREE_OBJECT),
            "hosted_instructions_url": STRING,
            "reference": nullable(STRING),
            "type": enum(BANK_TRANSFER_TYPES),
        }
    ),
    "redirect_to_url": obj({"return_url": nullable(STRING), "url": STRING}),
    "use_stripe_sdk": FREE_OBJECT,
    "verify_with_microdeposits": obj(
        {
            "arrival_date": INTEGER,
            "hosted_verification_url": STRING,
            "microdeposit_type": enum(("amounts", "descriptor_code")),
        }
    ),
}
# Stripe's reasons, including those of features payintents lacks (invoices).
CANCELLATION_REASONS = (
    "abandoned", "automatic", "duplicate", "expired", "failed_invoice", "fraudulent",
    "requested_by_customer", "void_invoice",
)  # fmt: skip
# What an endpoint a publishable key may call answers (an error's intent too): either shape,
# by the key.
EITHER_SHAPE = {"anyOf": [ref("payment_intent"), ref("payment_intent_publishable")]}
# Stripe's last_payment_error and the `error` of an error body.
API_ERROR_SHAPE = obj(
    {
        "charge": STRING,
        "code": STRING,
        "decline_code": STRING,
        "doc_url": STRING,
        "message": STRING,
        "param": STRING,
        "payment_intent": EITHER_SHAPE,
        "payment_method": ref("payment_method"),
        "request_log_url": STRING,
        "setup_intent": {"anyOf": [ref("setup_intent"), ref("setup_intent_publishable")]},
        "type": enum(("api_error", "card_error", "idempotency_error", "invalid_request_error")),
    },
    optional=(
        "charge", "code", "decline_code", "doc_url", "param", "payment_intent", "payment_method",
        "request_log_url", "setup_intent",
    ),
)  # fmt: skip
SHAPE = obj(
    {
        "id": STRING,
        "object": const("payment_intent"),
        "amount": INTEGER,
        "amount_capturable": INTEGER,
        "amount_details": obj({"tip": obj({"amount": INTEGER}, optional=("amount",))}),
        "amount_received": INTEGER,
        "application": NULL,
        "application_fee_amount": nullable(INTEGER),
        "automatic_payment_methods": nullable(
            obj({"allow_redirects": enum(("always", "never")), "enabled": BOOLEAN})
        ),
        "canceled_at": nullable(INTEGER),
        "cancellation_reason": nullable(enum(CANCELLATION_REASONS)),
        "capture_method": CAPTURE_METHOD.json_schema(),
        "client_secret": STRING,
        "confirmation_method": enum(("automatic", "manual")),
        "created": INTEGER,
        "currency": STRING,
        "customer": expandable("customer"),
        "description": nullable(STRING),
        "excluded_payment_method_types": nullable(array(enum(PAYMENT_METHOD_TYPES))),
        # Only before 2025-03-31.basil (render_version).
        "invoice": NULL,
        "last_payment_error": nullable(ref("api_errors")),
        "latest_charge": expandable("charge"),
        "livemode": BOOLEAN,
        "metadata": METADATA,
        "next_action": nullable(
            obj({"type": enum(_NEXT_ACTIONS), **_NEXT_ACTIONS}, optional=_NEXT_ACTIONS)
        ),
        "on_behalf_of": nullable(STRING),
        "payment_method": expandable("payment_method"),
        "payment_method_configuration_details": NULL,
        "payment_method_options": {"type": "object", "additionalProperties": FREE_OBJECT},
        "payment_method_types": array(enum(PAYMENT_METHOD_TYPES)),
        "processing": NULL,
        "receipt_email": nullable(STRING),
        "review": NULL,
        "setup_future_usage": nullable(SETUP_FUTURE_USAGE.json_schema()),
        "shipping": nullable(SHIPPING_SHAPE),
        "source": NULL,
        "statement_descriptor": nullable(STRING),
        "statement_descriptor_suffix": nullable(STRING),
        "status": enum(STATUSES),
        "transfer_data": nullable(
            obj({"amount": INTEGER, "destination": STRING}, optional=("amount",))
        ),
        "transfer_group": nullable(STRING),
    },
    optional=("invoice",),
)
PUBLISHABLE_SHAPE = obj({name: SHAPE["properties"][name] for name in PUBLISHABLE_FIELDS})
SCHEMAS = {
    "payment_intent": SHAPE,
    "payment_intent_publishable": PUBLISHABLE_SHAPE,
    "api_errors": API_ERROR_SHAPE,
}


def render(intent: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    """The object in the request's API version, reduced for a publishable key."""
    if ctx.key_kind == "publishable":
        return {name: intent[name] for name in PUBLISHABLE_FIELDS}
    return render_version(intent, ctx.version)


def render_version(intent: dict[str, Any], version: str) -> dict[str, Any]:
    """The object in a given API version (also for events sent to a pinned webhook endpoint)."""
    if not versions.at_least(version, versions.BASIL):
        # `invoice` was removed from PaymentIntents in 2025-03-31.basil, which also renamed
        # the cancellation reason of an expired authorization from `automatic` to `expired`.
        old = {**intent, "invoice": None}
        if intent["cancellation_reason"] == "expired":
            old["cancellation_reason"] = "automatic"
        return old
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
    return envelope(
        "/v1/payment_intents", [render(r.data, ctx) for r in page.records], page.has_more
    )


def search(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return searching.search(
        ctx,
        params,
        "payment_intent",
        SEARCH_QUERY_FIELDS,
        "payment_intents",
        lambda intent: render(intent, ctx),
    )


def confirm(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return render(confirming.confirm(ctx, path["intent"], params), ctx)


def capture(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return render(capture_cancel.capture(ctx, path["intent"], params), ctx)


def cancel(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return render(capture_cancel.cancel(ctx, path["intent"], params), ctx)


def increment_authorization(
    ctx: Ctx, params: dict[str, Any], path: dict[str, str]
) -> dict[str, Any]:
    return render(increment.increment_authorization(ctx, path["intent"], params), ctx)


def verify_microdeposits(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return render(microdeposits.verify(ctx, path["intent"], params), ctx)


def apply_customer_balance(
    ctx: Ctx, params: dict[str, Any], path: dict[str, str]
) -> dict[str, Any]:
    return render(customer_balance.apply(ctx, path["intent"], params), ctx)


PI = "payment_intent"

ENDPOINTS = [
    Endpoint("POST", "/v1/payment_intents", CREATE, create, returns=PI, resource="payment_intents"),
    Endpoint(
        "GET",
        "/v1/payment_intents",
        LIST,
        list_,
        response=list_of(ref(PI)),
        resource="payment_intents",
    ),
    # Before /{intent}, which would take "search" for an id.
    Endpoint(
        "GET",
        "/v1/payment_intents/search",
        SEARCH,
        search,
        response=search_result_of(ref(PI)),
        resource="payment_intents",
    ),
    Endpoint(
        "GET",
        "/v1/payment_intents/{intent}",
        RETRIEVE,
        retrieve,
        publishable=True,
        returns=PI,
        response=EITHER_SHAPE,
        resource="payment_intents",
    ),
    Endpoint(
        "POST",
        "/v1/payment_intents/{intent}",
        UPDATE,
        update,
        returns=PI,
        resource="payment_intents",
    ),
    Endpoint(
        "POST",
        "/v1/payment_intents/{intent}/confirm",
        CONFIRM,
        confirm,
        publishable=True,
        returns=PI,
        response=EITHER_SHAPE,
        resource="payment_intents",
    ),
    Endpoint(
        "POST",
        "/v1/payment_intents/{intent}/capture",
        CAPTURE,
        capture,
        returns=PI,
        resource="payment_intents",
    ),
    Endpoint(
        "POST",
        "/v1/payment_intents/{intent}/cancel",
        CANCEL,
        cancel,
        returns=PI,
        resource="payment_intents",
    ),
    Endpoint(
        "POST",
        "/v1/payment_intents/{intent}/increment_authorization",
        INCREMENT,
        increment_authorization,
        returns=PI,
        resource="payment_intents",
    ),
    Endpoint(
        "POST",
        "/v1/payment_intents/{intent}/verify_microdeposits",
        VERIFY_MICRODEPOSITS,
        verify_microdeposits,
        publishable=True,
        returns=PI,
        response=EITHER_SHAPE,
        resource="payment_intents",
    ),
    Endpoint(
        "POST",
        "/v1/payment_intents/{intent}/apply_customer_balance",
        APPLY_CUSTOMER_BALANCE,
        apply_customer_balance,
        returns=PI,
        resource="payment_intents",
    ),
]
