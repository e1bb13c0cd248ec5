"""SetupIntent use cases: create (and confirm at once), retrieve, update, list, cancel."""

from __future__ import annotations

from typing import Any

from payintents.domain import setup_intent as domain
from payintents.domain.ids import client_secret_for, new_id
from payintents.domain.setup_intent import SetupIntent
from payintents.domain.values import clean
from payintents.errors import ApiError
from payintents.services import payment_methods
from payintents.services.accounts import check_setup_types
from payintents.services.common import emit, load, load_for_update, page
from payintents.services.context import Ctx
from payintents.services.setup_attempts import abandon
from payintents.services.setup_confirm import confirm_in, resolve_method
from payintents.store.base import Page, Record, Tx

# Parameters Stripe's reference marks "can only be used with confirm=true".
CONFIRM_ONLY = ("mandate_data", "return_url", "confirmation_token")


def _check_confirm_only(params: dict[str, Any]) -> None:
    if params.get("confirm"):
        return
    for name in CONFIRM_ONLY:
        if name in params:
            raise ApiError(f"You can only provide `{name}` when `confirm` is true.", param=name)


def _check_customer(tx: Tx, ctx: Ctx, customer: str | None) -> None:
    if customer is not None:
        load(tx, ctx, "customer", customer, param="customer")


def create(ctx: Ctx, params: dict[str, Any]) -> SetupIntent:
    _check_confirm_only(params)
    check_setup_types(ctx, params.get("payment_method_types"))
    customer = clean(params.get("customer"))
    with ctx.store.write() as tx:
        _check_customer(tx, ctx, customer)
        pm = None
        confirm = bool(params.get("confirm"))
        if params.get("payment_method") and not confirm:
            pm = resolve_method(tx, ctx, params["payment_method"], customer, None).data["id"]
        if params.get("payment_method_data") and not confirm:
            pm = payment_methods.create_from_data(tx, ctx, params["payment_method_data"])["id"]
        intent_id = new_id("seti")
        intent = domain.new_setup_intent(
            params,
            intent_id=intent_id,
            client_secret=client_secret_for(intent_id),
            now=ctx.now,
            livemode=ctx.livemode,
            version=ctx.version,
            payment_method=pm,
        )
        private: dict[str, Any] = {"due_at": None}
        if params.get("single_use"):
            private["single_use"] = params["single_use"]
        tx.insert("setup_intent", ctx.scope, intent, private)
        emit(tx, ctx, "setup_intent.created", intent)
        error = None
        if confirm:
            intent, error = confirm_in(tx, ctx, Record(intent, private, 0), params)
    if error is not None:
        raise error
    return intent


def retrieve(ctx: Ctx, intent_id: str) -> SetupIntent:
    with ctx.store.read() as tx:
        return load(tx, ctx, "setup_intent", intent_id, param="intent").data


def update(ctx: Ctx, intent_id: str, params: dict[str, Any]) -> SetupIntent:
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "setup_intent", intent_id, param="intent")
        intent = record.data
        if "payment_method_types" in params:
            check_setup_types(ctx, clean(params["payment_method_types"]))
        if "customer" in params:
            _check_customer(tx, ctx, clean(params["customer"]))
        pm = None
        if clean(params.get("payment_method")):
            customer = clean(params.get("customer", intent["customer"]))
            if intent["status"] in domain.CONFIRMABLE:
                pm = resolve_method(tx, ctx, params["payment_method"], customer, intent).data["id"]
        if params.get("payment_method_data") and intent["status"] in domain.CONFIRMABLE:
            pm = payment_methods.create_from_data(tx, ctx, params["payment_method_data"])["id"]
            params = {**params, "payment_method": pm}
        updated = domain.update_setup_intent(intent, params, payment_method=pm)
        tx.update("setup_intent", ctx.scope, updated, record.private)
    return updated


def list_intents(ctx: Ctx, params: dict[str, Any]) -> Page:
    filters: dict[str, Any] = {
        name: params[name] for name in ("customer", "payment_method") if name in params
    }
    if "attach_to_self" in params:
        filters["attach_to_self"] = int(params["attach_to_self"])
    with ctx.store.read() as tx:
        return page(tx, ctx, "setup_intent", params, filters)


def cancel(ctx: Ctx, intent_id: str, params: dict[str, Any]) -> SetupIntent:
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "setup_intent", intent_id, param="intent")
        intent = domain.cancel(record.data, params.get("cancellation_reason"))
        abandon(tx, ctx, intent)
        private = {k: v for k, v in record.private.items() if k not in ("attempt", "microdeposits")}
        tx.update("setup_intent", ctx.scope, intent, {**private, "due_at": None})
        emit(tx, ctx, "setup_intent.canceled", intent)
    return intent
