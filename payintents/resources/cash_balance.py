"""A customer's cash balance: read it, change its settings, its transactions, and the test
helper that simulates a bank transfer arriving."""

from __future__ import annotations

from typing import Any

from payintents.resources.params import CURRENCY
from payintents.services import customer_balance as service
from payintents.services.context import Ctx
from payintents.wire.http import Endpoint
from payintents.wire.lists import LIST_FIELDS, envelope
from payintents.wire.params import Enum, Int, Obj, Params, Str
from payintents.wire.shapes import (
    BOOLEAN,
    FREE_OBJECT,
    INTEGER,
    STRING,
    const,
    enum,
    list_of,
    nullable,
    obj,
    ref,
)

RECONCILIATION_MODE = Enum(("automatic", "manual", "merchant_default"))
# `cash_balance` on customer create and update.
CASH_BALANCE_SETTINGS = Obj({"settings": Obj({"reconciliation_mode": RECONCILIATION_MODE})})

FUND = Params(
    {"amount": Int(min=1), "currency": CURRENCY, "reference": Str()},
    required=("amount", "currency"),
)
RETRIEVE = Params()
UPDATE = Params({"settings": Obj({"reconciliation_mode": RECONCILIATION_MODE})})
LIST = Params(LIST_FIELDS)


def fund(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.fund(ctx, path["customer"], params)


def retrieve(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.retrieve(ctx, path["customer"])


def update(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.update(ctx, path["customer"], params)


def list_transactions(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    customer = path["customer"]
    page = service.list_transactions(ctx, customer, params)
    return envelope(
        f"/v1/customers/{customer}/cash_balance_transactions",
        [r.data for r in page.records],
        page.has_more,
    )


def retrieve_transaction(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.retrieve_transaction(ctx, path["customer"], path["transaction"])


BALANCE = "cash_balance"
TRANSACTION = "customer_cash_balance_transaction"
# Stripe's transaction types, and those whose transaction has a hash named by its type.
TRANSACTION_TYPES = (
    "adjusted_for_overdraft", "applied_to_payment", "funded", "funding_reversed",
    "refunded_from_payment", "return_canceled", "return_initiated", "transferred_to_balance",
    "unapplied_from_payment",
)  # fmt: skip
DETAILED_TYPES = (
    "adjusted_for_overdraft", "applied_to_payment", "funded", "refunded_from_payment",
    "transferred_to_balance", "unapplied_from_payment",
)  # fmt: skip
SCHEMAS = {
    BALANCE: obj(
        {
            "object": const(BALANCE),
            # Amounts by currency; null until first funded.
            "available": nullable({"type": "object", "additionalProperties": INTEGER}),
            "customer": STRING,
            "livemode": BOOLEAN,
            "settings": obj(
                {
                    "reconciliation_mode": enum(("automatic", "manual")),
                    "using_merchant_default": BOOLEAN,
                }
            ),
        }
    ),
    TRANSACTION: obj(
        {
            "id": STRING,
            "object": const(TRANSACTION),
            "created": INTEGER,
            "currency": STRING,
            "customer": STRING,
            "ending_balance": INTEGER,
            "livemode": BOOLEAN,
            "net_amount": INTEGER,
            "type": enum(TRANSACTION_TYPES),
            **dict.fromkeys(DETAILED_TYPES, FREE_OBJECT),
        },
        optional=DETAILED_TYPES,
    ),
}

ENDPOINTS = [
    Endpoint(
        "POST",
        "/v1/test_helpers/customers/{customer}/fund_cash_balance",
        FUND,
        fund,
        returns=TRANSACTION,
        resource="customers",
    ),
    Endpoint(
        "GET",
        "/v1/customers/{customer}/cash_balance",
        RETRIEVE,
        retrieve,
        returns=BALANCE,
        resource="customers",
    ),
    Endpoint(
        "POST",
        "/v1/customers/{customer}/cash_balance",
        UPDATE,
        update,
        returns=BALANCE,
        resource="customers",
    ),
    Endpoint(
        "GET",
        "/v1/customers/{customer}/cash_balance_transactions",
        LIST,
        list_transactions,
        response=list_of(ref(TRANSACTION)),
        resource="customers",
    ),
    Endpoint(
        "GET",
        "/v1/customers/{customer}/cash_balance_transactions/{transaction}",
        RETRIEVE,
        retrieve_transaction,
        returns=TRANSACTION,
        resource="customers",
    ),
]
