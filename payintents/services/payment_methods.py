"""PaymentMethod use cases: create (from raw details or test tokens), attach, detach."""

from __future__ import annotations

from typing import Any

from payintents.domain.changes import previous_attributes
from payintents.domain.ids import new_id
from payintents.domain.payment_method import (
    PaymentMethod,
    new_payment_method,
    update_payment_method,
)
from payintents.domain.values import clean
from payintents.errors import ApiError, resource_missing
from payintents.processor import Tokenized, TokenizeError
from payintents.services.common import emit, load, load_for_update, page, page_query
from payintents.services.context import Ctx
from payintents.store.base import Page, Record, Tx

RAW_CARD_IN_LIVE_MODE = (
    "Sending credit card numbers directly to the Stripe API is generally unsafe. We suggest you "
    "use test tokens that map to the test card you are using, see "
    "https://stripe.com/docs/testing. To enable testing raw card data APIs, see "
    "https://support.stripe.com/questions/enabling-access-to-raw-card-data-apis."
)


def _tokenize(ctx: Ctx, type: str, data: dict[str, Any], param: str) -> Tokenized:
    """`param` names the type's hash: `card`, or `payment_method_data[card]`."""
    processor = ctx.runtime.processor
    # Where the type's siblings (`type`, `billing_details`) are named in errors.
    parent = param.rsplit("[", 1)[0] if "[" in param else ""
    try:
        if type == "card":
            if ctx.livemode:
                raise ApiError(RAW_CARD_IN_LIVE_MODE, param=f"{param}[number]")
            card = data.get("card")
            if card is None:
                raise ApiError(
                    f"Missing required param: {param}.", code="parameter_missing", param=param
                )
            return processor.tokenize_card(
                number=card["number"],
                exp_month=card["exp_month"],
                exp_year=card["exp_year"],
                cvc=card.get("cvc"),
                account=ctx.account,
                livemode=ctx.livemode,
                now=ctx.now,
            )
        if type == "us_bank_account":
            # The account holder's name goes on the mandate: Stripe requires it.
            if not (clean(data.get("billing_details")) or {}).get("name"):
                name_param = (
                    f"{parent}[billing_details][name]" if parent else "billing_details[name]"
                )
                raise ApiError(
                    f"Missing required param: {name_param}.",
                    code="parameter_missing",
                    param=name_param,
                )
            bank = data.get("us_bank_account") or {}
            for name in ("routing_number", "account_number"):
                if name not in bank:
                    raise ApiError(
                        f"Missing required param: {param}[{name}].",
                        code="parameter_missing",
                        param=f"{param}[{name}]",
                    )
            return processor.tokenize_us_bank_account(
                routing_number=bank["routing_number"],
                account_number=bank["account_number"],
                account_holder_type=bank.get("account_holder_type"),
                account_type=bank.get("account_type"),
                account=ctx.account,
            )
        if type == "sepa_debit":
            if "sepa_debit" not in data:
                raise ApiError(
                    f"Missing required param: {param}.", code="parameter_missing", param=param
                )
            return processor.tokenize_sepa_debit(
                iban=data["sepa_debit"]["iban"], account=ctx.account
            )
        if type == "customer_balance":
            return Tokenized(type="customer_balance", details={}, processor_ref="customer_balance")
    except TokenizeError as err:
        field = f"{param}[{err.param}]" if err.param else None
        raise ApiError(
            err.message,
            status=402 if err.type == "card_error" else 400,
            type=err.type,
            code=err.code,
            param=field,
            **({"decline_code": err.decline_code} if err.decline_code else {}),
        ) from None
    raise ApiError(
        f"payintents does not support creating payment methods of type {type}.",
        code="payment_method_invalid_parameter",
        param=f"{parent}[type]" if parent else "type",
    )


def store_new(tx: Tx, ctx: Ctx, tokenized: Tokenized, params: dict[str, Any]) -> PaymentMethod:
    """A new PaymentMethod of tokenized details (also those a ConfirmationToken kept)."""
    pm = new_payment_method(
        pm_id=new_id("pm"),
        type=tokenized.type,
        details=tokenized.details,
        params=params,
        now=ctx.now,
        livemode=ctx.livemode,
    )
    tx.insert("payment_method", ctx.scope, pm, {"processor_ref": tokenized.processor_ref})
    return pm


def create(ctx: Ctx, params: dict[str, Any]) -> PaymentMethod:
    tokenized = _tokenize(ctx, params["type"], params, params["type"])
    with ctx.store.write() as tx:
        return store_new(tx, ctx, tokenized, params)


def tokenize_data(ctx: Ctx, data: dict[str, Any]) -> Tokenized:
    """`payment_method_data`'s details as the processor keeps them (errors named after it)."""
    type = data["type"]
    return _tokenize(ctx, type, data, f"payment_method_data[{type}]")


def create_from_data(tx: Tx, ctx: Ctx, data: dict[str, Any]) -> PaymentMethod:
    """`payment_method_data` on a PaymentIntent: a new PaymentMethod for this payment."""
    return store_new(tx, ctx, tokenize_data(ctx, data), data)


def resolve_record(tx: Tx, ctx: Ctx, pm_id: str, param: str = "payment_method") -> Record:
    """A stored PaymentMethod, or a fresh one for a test token such as `pm_card_visa`."""
    if not ctx.livemode:
        tokenized = ctx.runtime.processor.test_token(pm_id, account=ctx.account)
        if tokenized is not None:
            pm = store_new(tx, ctx, tokenized, {})
            return Record(pm, {"processor_ref": tokenized.processor_ref}, 0)
    # Locked: two payments racing for one single-use method must not both use it.
    record = tx.get_for_update("payment_method", ctx.scope, pm_id)
    if record is None:
        raise resource_missing("payment_method", pm_id, param)
    return record


def resolve(
    tx: Tx, ctx: Ctx, pm_id: str, customer: str | None, param: str = "payment_method"
) -> PaymentMethod:
    """Resolve a payment method for use on a PaymentIntent of `customer`."""
    record = resolve_record(tx, ctx, pm_id, param)
    check_usable(record, customer, param)
    return record.data


def check_usable(record: Record, customer: str | None, param: str) -> None:
    pm = record.data
    owner = pm.get("customer")
    if owner is not None and owner != customer:
        if customer is None:
            raise ApiError(
                f"The PaymentMethod {pm['id']} belongs to the Customer {owner}. Please include "
                "the Customer in the `customer` parameter on the PaymentIntent.",
                param=param,
            )
        raise ApiError(
            f"The provided PaymentMethod {pm['id']} belongs to another Customer and cannot be "
            "used with this PaymentIntent.",
            param=param,
        )
    if owner is None and record.private.get("consumed"):
        raise ApiError(
            "The provided PaymentMethod was previously used with a PaymentIntent without "
            "Customer attachment, shared with a connected account without Customer attachment, "
            "or was detached from a Customer. It may not be used again. To use a PaymentMethod "
            "multiple times, you must attach it to a Customer first.",
            param=param,
        )


def retrieve(ctx: Ctx, pm_id: str) -> PaymentMethod:
    with ctx.store.read() as tx:
        return load(tx, ctx, "payment_method", pm_id).data


def update(ctx: Ctx, pm_id: str, params: dict[str, Any]) -> PaymentMethod:
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "payment_method", pm_id)
        updated = update_payment_method(record.data, params)
        tx.update("payment_method", ctx.scope, updated, record.private)
        previous = previous_attributes(record.data, updated)
        if previous:
            emit(tx, ctx, "payment_method.updated", updated, previous)
    return updated


def attach_in(tx: Tx, ctx: Ctx, pm_id: str, customer_id: str) -> PaymentMethod:
    load(tx, ctx, "customer", customer_id, param="customer")
    record = resolve_record(tx, ctx, pm_id, param="payment_method")
    pm = record.data
    if pm.get("customer") == customer_id:
        return pm
    if pm.get("customer") is not None:
        raise ApiError(
            "The payment method you provided is already attached to a customer. To attach it "
            "to a different customer, you must first detach it.",
            param="payment_method",
        )
    if record.private.get("consumed"):
        check_usable(record, None, "payment_method")
    decline = ctx.runtime.processor.can_attach(record.private["processor_ref"])
    if decline is not None:
        raise ApiError(
            decline.message,
            status=402,
            type="card_error",
            code=decline.code,
            decline_code=decline.decline_code,
        )
    pm = {**pm, "customer": customer_id}
    tx.update("payment_method", ctx.scope, pm, record.private)
    emit(tx, ctx, "payment_method.attached", pm)
    return pm


def attach(ctx: Ctx, pm_id: str, customer_id: str) -> PaymentMethod:
    with ctx.store.write() as tx:
        return attach_in(tx, ctx, pm_id, customer_id)


def detach(ctx: Ctx, pm_id: str) -> PaymentMethod:
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "payment_method", pm_id)
        if record.data.get("customer") is None:
            raise ApiError(
                f"The payment method {pm_id} is not attached to a customer so detachment is "
                "impossible.",
                param="payment_method",
            )
        previous = record.data["customer"]
        pm = {**record.data, "customer": None}
        # A detached method may not be used again (as Stripe).
        tx.update("payment_method", ctx.scope, pm, {**record.private, "consumed": True})
        emit(tx, ctx, "payment_method.detached", pm, {"customer": previous})
    return pm


def list_for_customer(
    ctx: Ctx, customer_id: str, params: dict[str, Any], param: str = "customer"
) -> Page:
    with ctx.store.read() as tx:
        load(tx, ctx, "customer", customer_id, param=param)
        filters: dict[str, Any] = {"customer": customer_id}
        if "type" in params:
            filters["type"] = params["type"]
        return page(tx, ctx, "payment_method", params, filters)


def list_methods(ctx: Ctx, params: dict[str, Any]) -> Page:
    """GET /v1/payment_methods: a customer's methods with `customer`; without it Stripe lists
    the methods of Treasury flows, which payintents has none of."""
    if "customer" in params:
        return list_for_customer(ctx, params["customer"], params)
    with ctx.store.read() as tx:
        # The cursors are still checked, as on any list.
        page_query(tx, ctx, "payment_method", params)
    return Page([], False)
