"""Customer use cases."""

from __future__ import annotations

from typing import Any

from payintents.domain.changes import previous_attributes
from payintents.domain.customer import Customer, new_customer, update_customer
from payintents.domain.ids import new_id, random_part
from payintents.domain.values import clean
from payintents.errors import ApiError, resource_missing
from payintents.services import customer_balance, payment_methods
from payintents.services.common import emit, load, load_for_update, page
from payintents.services.context import Ctx
from payintents.store.base import Page, PageQuery, Tx
from payintents.store.search import metadata_sync

# Parameters naming objects payintents keeps none of (coupons, promotion codes, test clocks,
# the Sources and tokens of the legacy API): every id is one the account does not have.
_REFERENCES = {
    "coupon": "coupon",
    "promotion_code": "promotion_code",
    "test_clock": "test_clock",
    "source": "source",
    "default_source": "source",
    "bank_account": "source",
    "card": "source",
    "default_alipay_account": "source",
    "default_bank_account": "source",
    "default_card": "source",
}


def _check_references(params: dict[str, Any]) -> None:
    for name, kind in _REFERENCES.items():
        object_id = clean(params.get(name))
        if object_id:
            raise resource_missing(
                "token" if object_id.startswith("tok_") else kind, object_id, name
            )
    if params.get("tax_id_data"):
        raise ApiError(
            "payintents keeps no tax IDs: create the customer without tax_id_data.",
            param="tax_id_data",
        )


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
    _check_references(params)
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
        private: dict[str, Any] = {"cash_balance": settings}
        if params.get("tax"):
            private["tax"] = clean(params["tax"])
        tx.insert("customer", ctx.scope, customer, private)
        emit(tx, ctx, "customer.created", customer)
        if params.get("payment_method"):
            payment_methods.attach_in(tx, ctx, params["payment_method"], customer_id)
    return customer


def retrieve(ctx: Ctx, customer_id: str) -> Customer:
    with ctx.store.read() as tx:
        record = tx.get("customer", ctx.scope, customer_id)
        if record is not None:
            return record.data
        # A deleted customer still answers, with what Stripe keeps of it.
        gone = tx.get("deleted_customer", ctx.scope, customer_id)
        if gone is not None:
            return deleted_object(customer_id)
        raise resource_missing("customer", customer_id)


def deleted_object(customer_id: str) -> dict[str, Any]:
    return {"id": customer_id, "object": "customer", "deleted": True}


def update(ctx: Ctx, customer_id: str, params: dict[str, Any]) -> Customer:
    _check_references(params)
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "customer", customer_id)
        _check_default_payment_method(tx, ctx, params, customer_id)
        updated = update_customer(record.data, params)
        private = record.private
        settings = customer_balance.settings_from(params)
        if settings is not None:
            current = private.get("cash_balance") or {}
            private = {**private, "cash_balance": {**current, **settings}}
        if params.get("tax"):
            private = {**private, "tax": {**(private.get("tax") or {}), **clean(params["tax"])}}
        tx.update("customer", ctx.scope, updated, private)
        previous = previous_attributes(record.data, updated)
        if previous:
            emit(tx, ctx, "customer.updated", updated, previous)
    return updated


def delete(ctx: Ctx, customer_id: str) -> dict[str, Any]:
    """Stripe's delete: the customer is gone from lists and searches, its payment methods are
    detached, its PaymentIntents and charges keep its id, and retrieving it answers
    `deleted: true`."""
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "customer", customer_id)
        _detach_all(tx, ctx, customer_id)
        ph = "%s" if tx.dialect == "postgres" else "?"
        gone = {"id": customer_id}
        for statement, values in metadata_sync("customer", ctx.scope, gone, ph, replace=True):
            tx.execute(statement, values)
        tx.execute(
            f"DELETE FROM customers WHERE id = {ph} AND scope = {ph}", (customer_id, ctx.scope)
        )
        tx.insert(
            "deleted_customer",
            ctx.scope,
            {**deleted_object(customer_id), "created": record.data["created"]},
            {"deleted_at": ctx.now},
        )
        emit(tx, ctx, "customer.deleted", record.data)
    return deleted_object(customer_id)


def _detach_all(tx: Tx, ctx: Ctx, customer_id: str) -> None:
    """Its payment methods lose their customer, with no event of their own (none is on
    record for this), and cannot be used again, as after a detach."""
    while True:
        found = tx.page(
            "payment_method", ctx.scope, PageQuery(limit=100, filters={"customer": customer_id})
        )
        for pm_record in found.records:
            pm = {**pm_record.data, "customer": None}
            tx.update("payment_method", ctx.scope, pm, {**pm_record.private, "consumed": True})
        if not found.has_more:
            return


def list_customers(ctx: Ctx, params: dict[str, Any]) -> Page:
    filters = {"email": params["email"]} if "email" in params else None
    with ctx.store.read() as tx:
        return page(tx, ctx, "customer", params, filters)
