"""Verify the microdeposits of a us_bank_account PaymentIntent waiting in requires_action.

Stripe's rules: amounts or a descriptor code, whichever kind was sent; 3 failed attempts for
amounts, 10 for descriptor codes, and the last one fails the payment; 10 days to verify
(the scheduler times it out). A verified account is authorized again and goes to
processing; the scheduler settles it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from payintents.domain import lifecycle
from payintents.domain.payment_intent import PaymentIntent
from payintents.errors import ApiError, unexpected_state
from payintents.processor import VerificationResult
from payintents.services.attempts import Attempt, apply_result, request_from_private
from payintents.services.common import check_client_secret, check_intent_id, emit, load_for_update
from payintents.services.context import Ctx
from payintents.store.base import Record, Tx

AMOUNTS_MISMATCH = "payment_method_microdeposit_verification_amounts_mismatch"
DESCRIPTOR_MISMATCH = "payment_method_microdeposit_verification_descriptor_code_mismatch"
ATTEMPTS_EXCEEDED = "payment_method_microdeposit_verification_attempts_exceeded"
TIMEOUT = "payment_method_microdeposit_verification_timeout"
AMOUNTS_INVALID = "payment_method_microdeposit_verification_amounts_invalid"
# Failed attempts allowed before the bank account can no longer be verified.
ATTEMPTS = {"amounts": 3, "descriptor_code": 10}
# Stripe's messages for the limits this service enforces (attempt count, 10-day window).
ATTEMPTS_EXCEEDED_MESSAGE = "You have exceeded the number of allowed verification attempts."
TIMEOUT_MESSAGE = (
    "Microdeposit timeout. Customer hasn't verified their bank account within the required 10 "
    "day period."
)
# Codes after which the payment fails back to requires_payment_method.
_FAILING = (ATTEMPTS_EXCEEDED, TIMEOUT, "payment_method_microdeposit_failed")


def check_params(amounts: list[int] | None, descriptor_code: str | None) -> None:
    if amounts is not None and descriptor_code is not None:
        raise ApiError(
            "You may only specify one of these parameters: amounts, descriptor_code.",
            code="parameters_exclusive",
            param="amounts",
        )
    if amounts is None and descriptor_code is None:
        raise ApiError(
            "One of the following params should be provided for this request: amounts or "
            "descriptor_code.",
            code="parameter_missing",
        )
    if amounts is not None and len(amounts) != 2:
        raise ApiError(
            "You must provide exactly two microdeposit amounts.",
            code=AMOUNTS_INVALID,
            param="amounts",
        )


def _check_state(intent: PaymentIntent) -> str:
    """The kind of microdeposit the intent waits for, or Stripe's unexpected-state error."""
    action = intent.get("next_action") or {}
    if intent["status"] == "requires_action" and action.get("type") == "verify_with_microdeposits":
        return action["verify_with_microdeposits"]["microdeposit_type"] or "amounts"
    state = f"a status of {intent['status']}"
    if action:
        state += f" and a next_action of type {action['type']}"
    raise unexpected_state(
        f"You cannot verify microdeposits on this PaymentIntent because it has {state}. Only a "
        "PaymentIntent with a status of requires_action and a next_action of type "
        "verify_with_microdeposits can be verified.",
        payment_intent=intent,
    )


def check_kind(kind: str, amounts: list[int] | None, object_name: str) -> None:
    """Refuse the other kind of proof than the one the bank account was sent."""
    given = "amounts" if amounts is not None else "descriptor_code"
    if given != kind:
        sent = "two amounts" if kind == "amounts" else "one deposit with a descriptor code"
        raise ApiError(
            f"The bank account of this {object_name} was sent {sent}: verify it with "
            f"`{kind}`, not `{given}`.",
            param=given,
        )


def count_wrong_guess(
    tx: Tx, ctx: Ctx, record: Record, object_type: str, kind: str, code: str, message: str
) -> ApiError | None:
    """Count a wrong guess and return its 400, or None when it was the last one allowed."""
    state = dict(record.private.get("microdeposits") or {})
    failed = state.get("failed_attempts", 0) + 1
    remaining = ATTEMPTS[kind] - failed
    if remaining <= 0:
        return None
    # A wrong guess changes nothing but the count (committed with the 400).
    state["failed_attempts"] = failed
    tx.update(object_type, ctx.scope, record.data, {**record.private, "microdeposits": state})
    return ApiError(f"{message} You have {remaining} verification attempts remaining.", code=code)


def not_verified(
    tx: Tx,
    ctx: Ctx,
    record: Record,
    object_type: str,
    kind: str,
    result: VerificationResult,
    failing: tuple[str, ...],
    fail: Callable[..., dict[str, Any]],
) -> tuple[dict[str, Any], ApiError]:
    """The answer to amounts or a code the bank did not accept, for a PaymentIntent or a
    SetupIntent: a wrong guess is counted (400 while attempts remain); a failing code fails
    the intent with `fail`, the error naming it; anything else is refused as it is."""
    code = result.code or AMOUNTS_INVALID
    message = result.message or ""
    if code in (AMOUNTS_MISMATCH, DESCRIPTOR_MISMATCH):
        error = count_wrong_guess(tx, ctx, record, object_type, kind, code, message)
        if error is not None:
            return record.data, error
        code, message = ATTEMPTS_EXCEEDED, ATTEMPTS_EXCEEDED_MESSAGE
    if code in failing:
        intent = fail(tx, ctx, record, code, message, from_request=True)
        return intent, ApiError(message, code=code, **{object_type: intent})
    raise ApiError(message, code=code, param="amounts" if code == AMOUNTS_INVALID else None)


def fail_verification(
    tx: Tx, ctx: Ctx, record: Record, code: str, message: str, *, from_request: bool
) -> PaymentIntent:
    """The bank account can't be verified: the payment returns to requires_payment_method."""
    intent = record.data
    pm_record = tx.get("payment_method", ctx.scope, intent["payment_method"])
    error = {
        "code": code,
        "doc_url": lifecycle.error_doc_url(code),
        "message": message,
        "payment_method": pm_record.data if pm_record else None,
        "type": "invalid_request_error",
    }
    intent = lifecycle.fail(intent, error, None)
    private = {k: v for k, v in record.private.items() if k != "microdeposits"}
    tx.update("payment_intent", ctx.scope, intent, {**private, "due_at": None})
    emit(tx, ctx, "payment_intent.payment_failed", intent, from_request=from_request)
    return intent


def _verified(
    tx: Tx, ctx: Ctx, record: Record, pm_record: Record, processor_ref: str
) -> tuple[PaymentIntent, ApiError | None]:
    """Keep the verified account's reference on the PaymentMethod and authorize again."""
    tx.update(
        "payment_method",
        ctx.scope,
        pm_record.data,
        {**pm_record.private, "processor_ref": processor_ref},
    )
    saved = record.private["attempt"]
    request = replace(request_from_private(saved["request"], ctx.now), processor_ref=processor_ref)
    attempt = Attempt(
        pm=pm_record.data,
        processor_ref=processor_ref,
        request=request,
        mandate=saved.get("mandate"),
    )
    result = ctx.runtime.processor.authorize(request)
    private = {k: v for k, v in record.private.items() if k != "microdeposits"}
    return apply_result(
        tx, ctx, Record(record.data, private, record.seq), record.data, attempt, result
    )


def _verify_in(
    tx: Tx, ctx: Ctx, record: Record, amounts: list[int] | None, descriptor_code: str | None
) -> tuple[PaymentIntent, ApiError | None]:
    intent = record.data
    kind = _check_state(intent)
    check_kind(kind, amounts, "PaymentIntent")
    pm_record = tx.get_for_update("payment_method", ctx.scope, intent["payment_method"])
    assert pm_record is not None, "an intent waiting for microdeposits has its payment method"
    result = ctx.runtime.processor.verify_microdeposits(
        processor_ref=pm_record.private["processor_ref"],
        amounts=amounts,
        descriptor_code=descriptor_code,
    )
    if result.verified:
        assert result.processor_ref is not None
        return _verified(tx, ctx, record, pm_record, result.processor_ref)
    return not_verified(
        tx, ctx, record, "payment_intent", kind, result, _FAILING, fail_verification
    )


def verify(ctx: Ctx, intent_id: str, params: dict[str, Any]) -> PaymentIntent:
    check_intent_id(intent_id)
    amounts = params.get("amounts")
    descriptor_code = params.get("descriptor_code")
    check_params(amounts, descriptor_code)
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "payment_intent", intent_id, param="intent")
        check_client_secret(ctx, record.data, params)
        intent, error = _verify_in(tx, ctx, record, amounts, descriptor_code)
    # A failed attempt is recorded (count, or the failed payment) before the error is answered.
    if error is not None:
        raise error
    return intent
