"""/v1/setup_attempts: the attempts of one SetupIntent (Stripe lists them only by setup_intent)."""

from __future__ import annotations

from typing import Any

from payintents.domain.setup_attempt import STATUSES
from payintents.domain.setup_intent import USAGES
from payintents.resources.params import CARD_CHECKS_SHAPE, PAYMENT_METHOD_TYPES
from payintents.services import setup_attempts as service
from payintents.services.context import Ctx
from payintents.wire.http import Endpoint
from payintents.wire.lists import CREATED_FILTER, LIST_FIELDS, envelope
from payintents.wire.params import Params, Str
from payintents.wire.shapes import (
    BOOLEAN,
    FREE_OBJECT,
    INTEGER,
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

LIST = Params({**LIST_FIELDS, **CREATED_FILTER, "setup_intent": Str()}, required=("setup_intent",))

_CARD_DETAILS = obj(
    {
        "brand": nullable(STRING),
        "checks": nullable(CARD_CHECKS_SHAPE),
        "country": nullable(STRING),
        "exp_month": nullable(INTEGER),
        "exp_year": nullable(INTEGER),
        "fingerprint": nullable(STRING),
        "funding": nullable(STRING),
        "last4": nullable(STRING),
        "network": nullable(STRING),
        "three_d_secure": nullable(FREE_OBJECT),
        "wallet": NULL,
    }
)
SHAPE = obj(
    {
        "id": STRING,
        "object": const("setup_attempt"),
        "application": NULL,
        "attach_to_self": BOOLEAN,
        "created": INTEGER,
        "customer": expandable("customer"),
        "flow_directions": nullable(array(enum(("inbound", "outbound")))),
        "livemode": BOOLEAN,
        "on_behalf_of": nullable(STRING),
        "payment_method": {"anyOf": [STRING, ref("payment_method")]},
        "payment_method_details": obj(
            {
                "type": enum(PAYMENT_METHOD_TYPES),
                "card": _CARD_DETAILS,
                "sepa_debit": obj({}),
                "us_bank_account": obj({}),
            },
            optional=("card", "sepa_debit", "us_bank_account"),
        ),
        "setup_error": nullable(ref("api_errors")),
        "setup_intent": {"anyOf": [STRING, ref("setup_intent")]},
        "status": enum(STATUSES),
        "usage": enum(USAGES),
    },
    optional=("attach_to_self",),
)
SCHEMAS = {"setup_attempt": SHAPE}


def list_(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    page = service.list_attempts(ctx, params)
    return envelope("/v1/setup_attempts", [r.data for r in page.records], page.has_more)


ENDPOINTS = [
    Endpoint(
        "GET",
        "/v1/setup_attempts",
        LIST,
        list_,
        response=list_of(ref("setup_attempt")),
        resource="setup_intents",
    ),
]
