"""PaymentIntent use cases: create, retrieve, update, list."""

from __future__ import annotations

from typing import Any

from payintents.domain import money
from payintents.domain.ids import client_secret_for, new_id
from payintents.domain.payment_intent import (
    PaymentIntent,
    new_payment_intent,
    update_payment_intent,
)
from payintents.domain.values import clean
from payintents.errors import ApiError
from payintents.services import payment_methods
from payintents.services.accounts import check_types
from payintents.services.common import check_intent_id, emit, load, load_for_update, page
from payintents.services.confirm import confirm_in
from payintents.services.context import Ctx
from payintents.store.base import Page, Record, Tx

# Parameters Stripe's reference marks "can only be used with confirm=true". A false
# `off_session` or `error_on_requires_action` asks for nothing a confirm would do, and Stripe
# takes it without `confirm` (older SDKs send `off_session=False` on every create).
CONFIRM_ONLY = (
    "off_session",
    "error_on_requires_action",
    "return_url",
    "mandate",
    "mandate_data",
    "confirmation_token",
)


def check_confirm_only(params: dict[str, Any]) -> None:
    if params.get("confirm"):
        return
    for name in CONFIRM_ONLY:
        if name in params and params[name] is not False:
            raise ApiError(f"You can only provide `{name}` when `confirm` is true.", param=name)


def check_amount(amount: int, currency: str, param: str = "amount") -> None:
    if amount > 99_999_999:
        raise ApiError(
            money.amount_too_large_message(currency), code="amount_too_large", param=param
        )
    if amount < money.minimum_amount(currency):
        raise ApiError(
            money.amount_too_small_message(currency), code="amount_too_small", param=param
        )


def check_customer(tx: Tx, ctx: Ctx, customer: str | None) -> None:
    if customer is not None:
        load(tx, ctx, "customer", customer, param="customer")


def create(ctx: Ctx, params: dict[str, Any]) -> PaymentIntent:
    check_amount(params["amount"], params["currency"])
    check_types(ctx, params.get("payment_method_types"), params["currency"])
    with ctx.store.write() as tx:
        check_customer(tx, ctx, clean(params.get("customer")))
        intent_id = new_id("pi")
        pm = None
        check_confirm_only(params)
        if params.get("payment_method") and not params.get("confirm"):
            pm = payment_methods.resolve(
                tx, ctx, params["payment_method"], clean(params.get("customer"))
            )["id"]
        if params.get("payment_method_data") and not params.get("confirm"):
            # As on update: the method is created now and confirmed later.
            pm = payment_methods.create_from_data(tx, ctx, params["payment_method_data"])["id"]
        intent = new_payment_intent(
            params,
            intent_id=intent_id,
            client_secret=client_secret_for(intent_id),
            now=ctx.now,
            livemode=ctx.livemode,
            version=ctx.version,
            payment_method=pm,
        )
        tx.insert("payment_intent", ctx.scope, intent, {})
        emit(tx, ctx, "payment_intent.created", intent)
        error = None
        if params.get("confirm"):
            intent, error = confirm_in(tx, ctx, Record(intent, {}, 0), params)
    if error is not None:
        raise error
    return intent


def retrieve(ctx: Ctx, intent_id: str) -> PaymentIntent:
    check_intent_id(intent_id)
    with ctx.store.read() as tx:
        return load(tx, ctx, "payment_intent", intent_id, param="intent").data


def update(ctx: Ctx, intent_id: str, params: dict[str, Any]) -> PaymentIntent:
    check_intent_id(intent_id)
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "payment_intent", intent_id, param="intent")
        intent = record.data
        if "amount" in params or "currency" in params:
            check_amount(
                params.get("amount", intent["amount"]),
                params.get("currency", intent["currency"]),
            )
        if "payment_method_types" in params or "currency" in params:
            check_types(
                ctx,
                clean(params.get("payment_method_types", intent["payment_method_types"])),
                params.get("currency", intent["currency"]),
            )
        if "customer" in params:
            check_customer(tx, ctx, clean(params["customer"]))
        pm = None
        if clean(params.get("payment_method")):
            customer = clean(params.get("customer", intent["customer"]))
            pm = payment_methods.resolve(tx, ctx, params["payment_method"], customer)["id"]
        if params.get("payment_method_data"):
            pm = payment_methods.create_from_data(tx, ctx, params["payment_method_data"])["id"]
            params = {**params, "payment_method": pm}
        updated = update_payment_intent(intent, params, payment_method=pm)
        tx.update("payment_intent", ctx.scope, updated, record.private)
    return updated


def list_intents(ctx: Ctx, params: dict[str, Any]) -> Page:
    filters = {"customer": params["customer"]} if "customer" in params else None
    with ctx.store.read() as tx:
        return page(tx, ctx, "payment_intent", params, filters)
