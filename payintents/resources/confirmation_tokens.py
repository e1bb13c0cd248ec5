"""/v1/confirmation_tokens: create (Stripe.js, with a publishable key), retrieve, and the test
helper that creates one from a server; routes, parameter schemas and the wire object."""

from __future__ import annotations

from typing import Any

from payintents.domain import versions
from payintents.resources.params import (
    ADDRESS,
    ADDRESS_SHAPE,
    BILLING_DETAILS_SHAPE,
    CURRENCY,
    PAYMENT_METHOD_DATA,
    PAYMENT_METHOD_TYPES,
)
from payintents.resources.payment_methods import SHAPE as PAYMENT_METHOD_SHAPE
from payintents.resources.payment_methods import STRIPE_JS_FIELDS
from payintents.services import confirmation_tokens as service
from payintents.services.context import Ctx
from payintents.wire.http import Endpoint
from payintents.wire.params import Arr, Bool, Enum, Free, Int, Metadata, Obj, Params, Str
from payintents.wire.shapes import (
    BOOLEAN,
    INTEGER,
    METADATA,
    NULL,
    STRING,
    const,
    enum,
    expandable,
    nullable,
    obj,
)

SETUP_FUTURE_USAGE = Enum(("off_session", "on_session"))
SHIPPING = Obj(
    {"address": ADDRESS, "name": Str(), "phone": Str(emptyable=True)},
    required=("address", "name"),
)
INSTALLMENTS = Obj(
    {
        "plan": Obj(
            {
                "count": Int(min=1),
                "interval": Enum(("month",)),
                "type": Enum(("bonus", "fixed_count", "revolving")),
            },
            required=("type",),
        )
    },
    required=("plan",),
)

# What the test helper takes (stripe-python's test_helpers.confirmation_tokens.create): a
# saved or test PaymentMethod, or payment_method_data without raw card numbers, which
# Stripe's description of this endpoint leaves out (tokens for cards: `payment_method`).
TEST_HELPER_CREATE = Params(
    {
        "payment_method": Str(),
        "payment_method_data": Obj(
            {name: spec for name, spec in PAYMENT_METHOD_DATA.fields.items() if name != "card"},
            required=PAYMENT_METHOD_DATA.required,
        ),
        "payment_method_options": Obj({"card": Obj({"installments": INSTALLMENTS})}),
        "return_url": Str(),
        "setup_future_usage": SETUP_FUTURE_USAGE,
        "shipping": SHIPPING,
    }
)

# What Stripe.js sends to POST /v1/confirmation_tokens (stripe.createConfirmationToken), with
# its publishable key as the form parameter `key`: the Payment Element's details as
# payment_method_data (raw card numbers included, with the telemetry Stripe.js adds to every
# PaymentMethod it creates), or a saved method's id; what the page passed in `params`; the
# Elements configuration as client_context, checked against the intent the token confirms;
# and its attribution telemetry, which changes nothing.
CREATE = Params(
    {
        "client_attribution_metadata": Free(),
        "client_context": Obj(
            {
                "capture_method": Enum(("automatic", "automatic_async", "manual")),
                "currency": CURRENCY,
                "customer": Str(),
                "mode": Enum(("payment", "setup", "subscription")),
                "on_behalf_of": Str(),
                "payment_method_configuration": Str(),
                "payment_method_options": Free(),
                "payment_method_types": Arr(Str()),
                "require_cvc_recollection": Bool(),
                "setup_future_usage": Enum(("none", "off_session", "on_session")),
            }
        ),
        "mandate_data": Obj(
            {
                "customer_acceptance": Obj(
                    {
                        "offline": Obj({}),
                        "online": Obj(
                            {
                                # Stripe.js cannot know the browser's address: the server
                                # takes it, and the user agent, from the request.
                                "infer_from_client": Bool(),
                                "ip_address": Str(),
                                "user_agent": Str(),
                            }
                        ),
                        "type": Enum(("offline", "online")),
                    },
                    required=("type",),
                )
            },
            required=("customer_acceptance",),
        ),
        "metadata": Metadata(),
        "payment_method": Str(),
        "payment_method_data": Obj(
            {
                **PAYMENT_METHOD_DATA.fields,
                **STRIPE_JS_FIELDS,
                "radar_options": Obj({"hcaptcha_token": Str(), "session": Str()}),
            },
            required=PAYMENT_METHOD_DATA.required,
        ),
        "payment_method_options": Obj(
            {"card": Obj({"cvc_token": Str(), "installments": INSTALLMENTS})}
        ),
        "return_url": Str(),
        "setup_future_usage": SETUP_FUTURE_USAGE,
        "shipping": SHIPPING,
    }
)

RETRIEVE = Params()

_PAYMENT_METHOD = PAYMENT_METHOD_SHAPE["properties"]
PREVIEW_SHAPE = obj(
    {
        "allow_redisplay": _PAYMENT_METHOD["allow_redisplay"],
        "billing_details": BILLING_DETAILS_SHAPE,
        "customer": expandable("customer"),
        "customer_account": NULL,
        "type": _PAYMENT_METHOD["type"],
        **{kind: _PAYMENT_METHOD[kind] for kind in PAYMENT_METHOD_TYPES},
    },
    optional=PAYMENT_METHOD_TYPES,
)
SHAPE = obj(
    {
        "id": STRING,
        "object": const("confirmation_token"),
        "created": INTEGER,
        "expires_at": nullable(INTEGER),
        "livemode": BOOLEAN,
        "mandate_data": nullable(
            obj(
                {
                    "customer_acceptance": obj(
                        {
                            "online": nullable(
                                obj(
                                    {
                                        "ip_address": nullable(STRING),
                                        "user_agent": nullable(STRING),
                                    }
                                )
                            ),
                            "type": STRING,
                        }
                    )
                }
            )
        ),
        # From 2026-08-26.dahlia, and to secret keys only (render).
        "metadata": METADATA,
        "payment_intent": nullable(STRING),
        "payment_method_options": nullable(
            obj(
                {
                    "card": nullable(
                        obj(
                            {
                                "cvc_token": nullable(STRING),
                                "installments": nullable(
                                    obj(
                                        {
                                            "plan": nullable(
                                                obj(
                                                    {
                                                        "count": nullable(INTEGER),
                                                        "interval": nullable(enum(("month",))),
                                                        "type": enum(
                                                            ("bonus", "fixed_count", "revolving")
                                                        ),
                                                    }
                                                )
                                            )
                                        }
                                    )
                                ),
                            }
                        )
                    )
                }
            )
        ),
        "payment_method_preview": nullable(PREVIEW_SHAPE),
        "return_url": nullable(STRING),
        "setup_future_usage": nullable(SETUP_FUTURE_USAGE.json_schema()),
        "setup_intent": nullable(STRING),
        "shipping": nullable(
            obj({"address": ADDRESS_SHAPE, "name": STRING, "phone": nullable(STRING)})
        ),
        "use_stripe_sdk": BOOLEAN,
    },
    optional=("metadata",),
)
SCHEMAS = {"confirmation_token": SHAPE}

# Stripe added `metadata` to the object in this version.
METADATA_SINCE = "2026-08-26"


def render(token: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    """The object in the request's API version; metadata is for secret keys (Stripe shows it
    "when you retrieve a Confirmation Token with your secret key")."""
    if ctx.key_kind == "publishable" or not versions.at_least(ctx.version, METADATA_SINCE):
        return {name: value for name, value in token.items() if name != "metadata"}
    return token


def create(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return render(service.create(ctx, params), ctx)


def create_for_tests(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return render(service.create_for_tests(ctx, params), ctx)


def retrieve(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return render(service.retrieve(ctx, path["confirmation_token"]), ctx)


CT = "confirmation_token"

ENDPOINTS = [
    Endpoint(
        "POST",
        "/v1/confirmation_tokens",
        CREATE,
        create,
        publishable=True,
        secret=False,
        returns=CT,
        resource="confirmation_tokens",
    ),
    Endpoint(
        "GET",
        "/v1/confirmation_tokens/{confirmation_token}",
        RETRIEVE,
        retrieve,
        returns=CT,
        resource="confirmation_tokens",
    ),
    Endpoint(
        "POST",
        "/v1/test_helpers/confirmation_tokens",
        TEST_HELPER_CREATE,
        create_for_tests,
        returns=CT,
        resource="confirmation_tokens",
    ),
]
