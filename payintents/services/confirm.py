"""Confirm a PaymentIntent: choose the payment method, ask the processor, record the outcome."""

from __future__ import annotations

from typing import Any

from payintents.domain import lifecycle
from payintents.domain.payment_intent import PaymentIntent
from payintents.domain.values import clean
from payintents.errors import ApiError
from payintents.processor import AuthorizationRequest
from payintents.services import confirmation_tokens, customer_balance, mandates, payment_methods
from payintents.services.accounts import check_types
from payintents.services.attempts import Attempt, apply_result
from payintents.services.common import check_client_secret, check_intent_id, load_for_update
from payintents.services.context import Ctx
from payintents.store.base import Record, Tx


def _payment_method(tx: Tx, ctx: Ctx, intent: PaymentIntent, params: dict[str, Any]) -> Record:
    customer = intent.get("customer")
    if params.get("payment_method_data"):
        pm = payment_methods.create_from_data(tx, ctx, params["payment_method_data"])
        return tx.get("payment_method", ctx.scope, pm["id"]) or Record(pm, {}, 0)
    pm_id = clean(params.get("payment_method")) or intent.get("payment_method")
    if not pm_id:
        raise lifecycle.missing_payment_method(intent)
    if pm_id == intent.get("payment_method") and "payment_method" not in params:
        # Locked (after the intent, the order every path takes): it may be consumed below.
        record = tx.get_for_update("payment_method", ctx.scope, pm_id)
        if record is None:
            raise lifecycle.missing_payment_method(intent)
        return record
    record = payment_methods.resolve_record(tx, ctx, pm_id)
    payment_methods.check_usable(record, customer, "payment_method")
    return record


def _three_d_secure_option(intent: PaymentIntent) -> str:
    card = (intent.get("payment_method_options") or {}).get("card") or {}
    return card.get("request_three_d_secure") or "automatic"


def _incremental_requested(intent: PaymentIntent) -> bool:
    card = (intent.get("payment_method_options") or {}).get("card") or {}
    return card.get("request_incremental_authorization") == "if_available"


def confirm_in(
    tx: Tx, ctx: Ctx, record: Record, params: dict[str, Any]
) -> tuple[PaymentIntent, ApiError | None]:
    """Confirm inside an open transaction (also used by create with confirm=true)."""
    intent = record.data
    lifecycle.check_can_confirm(intent)
    if params.get("confirmation_token"):
        params = confirmation_tokens.redeem(tx, ctx, intent, params)
    lifecycle.check_confirm_params(intent, params)
    if "payment_method_types" in params:
        check_types(ctx, params["payment_method_types"], intent["currency"])
    intent = lifecycle.apply_confirm_params(intent, params)
    pm_record = _payment_method(tx, ctx, intent, params)
    pm = pm_record.data
    lifecycle.check_payment_method_type(intent, pm["type"])
    if pm["type"] == "card":
        lifecycle.check_return_url(intent, params)
    intent = {**intent, "payment_method": pm["id"], "last_payment_error": None}
    if pm["type"] == "customer_balance":
        # Paid from the customer's cash balance, not through the processor.
        return customer_balance.confirm_in(tx, ctx, record, intent)
    mandate = mandates.resolve(tx, ctx, record.data, intent, pm_record, params)
    off_session = params.get("off_session")
    request = AuthorizationRequest(
        processor_ref=pm_record.private["processor_ref"],
        payment_method_type=pm["type"],
        amount=intent["amount"],
        currency=intent["currency"],
        capture_method=lifecycle.capture_method_of(intent, pm["type"]),
        off_session=bool(off_session),
        request_three_d_secure=_three_d_secure_option(intent),
        setup_future_usage=intent.get("setup_future_usage"),
        request_incremental_authorization=_incremental_requested(intent),
        now=ctx.now,
    )
    attempt = Attempt(
        pm=pm,
        processor_ref=request.processor_ref,
        request=request,
        return_url=params.get("return_url"),
        use_stripe_sdk=bool(params.get("use_stripe_sdk")),
        error_on_requires_action=bool(params.get("error_on_requires_action")),
        mandate=mandate,
    )
    processor = ctx.runtime.processor
    authenticated = record.private.get("authenticated")
    if authenticated and authenticated == pm["id"]:
        # Manual confirmation after a completed challenge (T11): no second challenge.
        result = processor.complete_authentication(request, succeeded=True)
    else:
        result = processor.authorize(request)
    return apply_result(tx, ctx, record, intent, attempt, result)


def confirm(ctx: Ctx, intent_id: str, params: dict[str, Any]) -> PaymentIntent:
    check_intent_id(intent_id)
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "payment_intent", intent_id, param="intent")
        check_client_secret(ctx, record.data, params)
        if ctx.key_kind == "publishable" and record.data["confirmation_method"] == "manual":
            # Stripe: with manual confirmation every payment attempt is made with a secret key.
            raise ApiError(
                "This PaymentIntent has confirmation_method manual: it can only be confirmed "
                "with a secret API key.",
                status=403,
                code="secret_key_required",
            )
        intent, error = confirm_in(tx, ctx, record, params)
    # The failed attempt is committed (charge, events) before the 402 is answered.
    if error is not None:
        raise error
    return intent
