"""Confirm a SetupIntent: choose the payment method, collect the mandate a bank debit needs, ask
the processor to check the method, record the outcome. Also the customer's answer to a 3-D
Secure challenge on a setup."""

from __future__ import annotations

from typing import Any

from payintents.domain import setup_intent as domain
from payintents.domain.constant_time import equal
from payintents.domain.setup_intent import SetupIntent
from payintents.domain.values import clean
from payintents.errors import ApiError
from payintents.processor import SetupRequest
from payintents.services import confirmation_tokens, mandates, payment_methods
from payintents.services.common import check_client_secret, load, load_for_update
from payintents.services.context import Ctx
from payintents.services.setup_attempts import (
    SetupTry,
    apply_setup_result,
    fail_pending,
    request_from_private,
)
from payintents.store.base import Record, Tx

AUTHENTICATION_FAILURE = "setup_intent_authentication_failure"


def check_usable(record: Record, customer: str | None, intent: SetupIntent | None) -> None:
    """Stripe's ownership rules for a SetupIntent's method (`intent` is carried by the error
    where one exists already)."""
    pm = record.data
    owner = pm.get("customer")
    extra = {} if intent is None else {"setup_intent": intent}
    if owner is not None and owner != customer:
        if customer is None:
            message = (
                f"The payment method supplied ({pm['id']}) belongs to the Customer {owner}. "
                "Please include the Customer in the `customer` parameter on the SetupIntent."
            )
        else:
            message = (
                f"The PaymentMethod {pm['id']} does not belong to the Customer you supplied "
                f"{customer}. Please use this PaymentMethod with the Customer that it belongs "
                "to instead."
            )
        raise ApiError(message, param="payment_method", **extra)
    if owner is None and record.private.get("consumed"):
        payment_methods.check_usable(record, None, "payment_method")


def resolve_method(
    tx: Tx, ctx: Ctx, pm_id: str, customer: str | None, intent: SetupIntent | None
) -> Record:
    record = payment_methods.resolve_record(tx, ctx, pm_id)
    check_usable(record, customer, intent)
    return record


def _payment_method(tx: Tx, ctx: Ctx, intent: SetupIntent, params: dict[str, Any]) -> Record:
    if params.get("payment_method_data"):
        pm = payment_methods.create_from_data(tx, ctx, params["payment_method_data"])
        record = tx.get("payment_method", ctx.scope, pm["id"])
        assert record is not None
        return record
    pm_id = clean(params.get("payment_method")) or intent["payment_method"]
    return resolve_method(tx, ctx, pm_id, intent["customer"], intent)


def _three_d_secure_option(intent: SetupIntent) -> str:
    card = (intent.get("payment_method_options") or {}).get("card") or {}
    return card.get("request_three_d_secure") or "automatic"


def confirm_in(
    tx: Tx, ctx: Ctx, record: Record, params: dict[str, Any]
) -> tuple[SetupIntent, ApiError | None]:
    """Confirm inside an open transaction (also used by create with confirm=true)."""
    intent = record.data
    if params.get("confirmation_token"):
        params = confirmation_tokens.redeem(tx, ctx, intent, params)
    # Stripe answers a missing method before the status (recorded behaviour).
    if not (
        params.get("payment_method_data")
        or clean(params.get("payment_method"))
        or intent["payment_method"]
    ):
        raise domain.missing_payment_method(intent)
    domain.check_can_confirm(intent)
    if "payment_method_options" in params:
        intent = {
            **intent,
            "payment_method_options": domain.merged_options(
                intent, clean(params["payment_method_options"])
            ),
        }
    pm_record = _payment_method(tx, ctx, intent, params)
    pm = pm_record.data
    domain.check_payment_method_type(intent, pm["type"])
    if pm["type"] == "customer_balance":
        raise ApiError(
            "A customer_balance PaymentMethod cannot be set up for future use: a customer's "
            "cash balance is spent by PaymentIntents directly.",
            param="payment_method",
            setup_intent=intent,
        )
    mandate = mandates.for_setup(
        tx, ctx, record.data, pm_record, params, record.private.get("single_use")
    )
    request = SetupRequest(
        processor_ref=pm_record.private["processor_ref"],
        payment_method_type=pm["type"],
        usage=intent["usage"],
        request_three_d_secure=_three_d_secure_option(intent),
        now=ctx.now,
    )
    attempt = SetupTry(
        pm_record=pm_record,
        request=request,
        return_url=params.get("return_url"),
        use_stripe_sdk=bool(params.get("use_stripe_sdk")),
        mandate=mandate,
    )
    result = ctx.runtime.processor.setup(request)
    return apply_setup_result(tx, ctx, record, intent, attempt, result)


def confirm(ctx: Ctx, intent_id: str, params: dict[str, Any]) -> SetupIntent:
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "setup_intent", intent_id, param="intent")
        check_client_secret(ctx, record.data, params)
        intent, error = confirm_in(tx, ctx, record, params)
    # The failed attempt is committed (attempt, events) before the error is answered.
    if error is not None:
        raise error
    return intent


# -- the 3-D Secure page -------------------------------------------------------------------


def _check_challenge(record: Record, client_secret: str, attempt_id: str) -> None:
    intent = record.data
    if not equal(client_secret, intent["client_secret"]):
        raise ApiError(
            "The client_secret provided does not match the client_secret associated with the "
            "SetupIntent.",
            code="setup_intent_invalid_parameter",
            param="payment_intent_client_secret",
        )
    attempt = record.private.get("attempt") or {}
    action = intent.get("next_action") or {}
    if (
        intent["status"] != "requires_action"
        or attempt.get("id") != attempt_id
        or action.get("type") == "verify_with_microdeposits"
    ):
        raise ApiError(
            "This authentication is no longer pending: the SetupIntent has moved on "
            f"(status {intent['status']}).",
            code="setup_intent_unexpected_state",
        )


def pending_challenge(ctx: Ctx, intent_id: str, client_secret: str, attempt_id: str) -> dict:
    """The intent and method a challenge page is for."""
    with ctx.store.read() as tx:
        record = load(tx, ctx, "setup_intent", intent_id, param="payment_intent")
        _check_challenge(record, client_secret, attempt_id)
        pm = tx.get("payment_method", ctx.scope, record.private["attempt"]["payment_method"])
    assert pm is not None
    return {"intent": record.data, "payment_method": pm.data}


def complete_challenge(
    ctx: Ctx, intent_id: str, client_secret: str, attempt_id: str, succeeded: bool
) -> tuple[SetupIntent, str | None]:
    """Apply the customer's answer; returns the intent and the return_url to send them to."""
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "setup_intent", intent_id, param="payment_intent")
        _check_challenge(record, client_secret, attempt_id)
        saved = record.private["attempt"]
        return_url = saved.get("return_url")
        request = request_from_private(saved["request"], ctx.now)
        processor = ctx.runtime.processor
        result = processor.complete_setup_authentication(request, succeeded=succeeded)
        if not succeeded:
            decline = result.decline
            assert decline is not None
            intent = fail_pending(
                tx, ctx, record, AUTHENTICATION_FAILURE, decline.message, from_request=False
            )
            return intent, return_url
        pm_record = tx.get_for_update("payment_method", ctx.scope, saved["payment_method"])
        assert pm_record is not None
        attempt = SetupTry(
            pm_record=pm_record,
            request=request,
            return_url=return_url,
            mandate=saved.get("mandate"),
        )
        intent, _ = apply_setup_result(
            tx, ctx, record, record.data, attempt, result, attempt_id=saved["id"]
        )
    return intent, return_url
