"""Customer use cases."""

from __future__ import annotations

from typing import Any

from payintents.domain.changes import previous_attributes
from payintents.domain.customer import Customer, new_customer, update_customer
from payintents.domain.ids import new_id, random_part
from payintents.domain.values import clean
from payintents.errors import ApiError
from payintents.services import customer_balance, payment_methods
from payintents.services.common import emit, load, load_for_update, page
from payintents.services.context import Ctx
from payintents.store.base import Page, Tx


def _check_default_payment_method(tx: Tx, ctx: Ctx, params: dict[str, Any], cid: str) -> None:
    settings = clean(params.get("invoice_settings")) or {}
    pm_id = clean(settings.get("default_payment_method"))
    if pm_id:
        pm = load(tx, ctx, "payment_method", pm_id, "invoice_settings[default_payment_method]")
        if pm.data.get("customer") != cid:
            raise ApiError(
                f"The customer does not have a payment method with the ID {pm_id}. The payment "
                "method must be attached to the customer.",
                param="invoice_settings[default_payment_method]",
            )


def create(ctx: Ctx, params: dict[str, Any]) -> Customer:
    customer_id = new_id("cus", 14)
    customer = new_customer(
        params,
        customer_id=customer_id,
        now=ctx.now,
        livemode=ctx.livemode,
        prefix=random_part(8).upper(),
    )
    with ctx.store.write() as tx:
        _check_default_payment_method(tx, ctx, params, customer_id)
        settings = customer_balance.settings_from(params) or {}
        tx.insert("customer", ctx.scope, customer, {"cash_balance": settings})
        emit(tx, ctx, "customer.created", customer)
        if params.get("payment_method"):
            payment_methods.attach_in(tx, ctx, params["payment_method"], customer_id)
    return customer


def retrieve(ctx: Ctx, customer_id: str) -> Customer:
    with ctx.store.read() as tx:
        return load(tx, ctx, "customer", customer_id).data


def update(ctx: Ctx, customer_id: str, params: dict[str, Any]) -> Customer:
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "customer", customer_id)
        _check_default_payment_method(tx, ctx, params, customer_id)
        updated = update_customer(record.data, params)
        private = record.private
        settings = customer_balance.settings_from(params)
        if settings is not None:
            current = private.get("cash_balance") or {}
            private = {**private, "cash_balance": {**current, **settings}}
        tx.update("customer", ctx.scope, updated, private)
        previous = previous_attributes(record.data, updated)
        if previous:
            emit(tx, ctx, "customer.updated", updated, previous)
    return updated


def list_customers(ctx: Ctx, params: dict[str, Any]) -> Page:
    filters = {"email": params["email"]} if "email" in params else None
    with ctx.store.read() as tx:
        return page(tx, ctx, "customer", params, filters)
