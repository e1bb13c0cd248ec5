"""The customer's answer to a 3-D Secure challenge (T10, T11, T12)."""

from __future__ import annotations

from typing import Any

from payintents.domain import lifecycle
from payintents.domain.constant_time import equal
from payintents.domain.payment_intent import PaymentIntent
from payintents.errors import ApiError
from payintents.services import setup_confirm
from payintents.services.attempts import Attempt, apply_result, request_from_private
from payintents.services.common import emit, load, load_for_update
from payintents.services.context import Ctx

# The page serves SetupIntents' challenges too (their ids name them).
SETUP_PREFIX = "seti_"

AUTHENTICATION_FAILED = (
    "We are unable to authenticate your payment method. Please choose a different payment "
    "method and try again."
)


def pending_challenge(ctx: Ctx, intent_id: str, client_secret: str, attempt_id: str) -> dict:
    """The intent and attempt a challenge page is for, or an error if it is not pending."""
    if intent_id.startswith(SETUP_PREFIX):
        return setup_confirm.pending_challenge(ctx, intent_id, client_secret, attempt_id)
    with ctx.store.read() as tx:
        record = load(tx, ctx, "payment_intent", intent_id, param="payment_intent")
        _check(record.data, record.private, client_secret, attempt_id)
        pm = load(tx, ctx, "payment_method", record.private["attempt"]["payment_method"])
    return {"intent": record.data, "payment_method": pm.data}


def _check(
    intent: PaymentIntent, private: dict[str, Any], client_secret: str, attempt_id: str
) -> None:
    if not equal(client_secret, intent["client_secret"]):
        raise ApiError(
            "The client_secret provided does not match the client_secret associated with the "
            "PaymentIntent.",
            code="payment_intent_invalid_parameter",
            param="payment_intent_client_secret",
        )
    attempt = private.get("attempt") or {}
    if intent["status"] != "requires_action" or attempt.get("id") != attempt_id:
        raise ApiError(
            "This authentication is no longer pending: the PaymentIntent has moved on "
            f"(status {intent['status']}).",
            code="payment_intent_unexpected_state",
        )


def complete(
    ctx: Ctx, intent_id: str, client_secret: str, attempt_id: str, succeeded: bool
) -> tuple[PaymentIntent, str | None]:
    """Apply the customer's answer; returns the intent and the return_url to send them to."""
    if intent_id.startswith(SETUP_PREFIX):
        return setup_confirm.complete_challenge(
            ctx, intent_id, client_secret, attempt_id, succeeded
        )
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "payment_intent", intent_id, param="payment_intent")
        _check(record.data, record.private, client_secret, attempt_id)
        intent = record.data
        saved = record.private["attempt"]
        return_url = saved.get("return_url")
        pm_record = tx.get("payment_method", ctx.scope, saved["payment_method"])
        assert pm_record is not None
        request = request_from_private(saved["request"], ctx.now)
        if not succeeded:
            error = {
                "code": "payment_intent_authentication_failure",
                "doc_url": lifecycle.error_doc_url("payment_intent_authentication_failure"),
                "message": AUTHENTICATION_FAILED,
                "payment_method": pm_record.data,
                "type": "invalid_request_error",
            }
            intent = lifecycle.fail(intent, error, None)
            private = {k: v for k, v in record.private.items() if k != "attempt"}
            tx.update("payment_intent", ctx.scope, intent, private)
            emit(tx, ctx, "payment_intent.payment_failed", intent, from_request=False)
        elif intent["confirmation_method"] == "manual":
            intent = lifecycle.await_confirmation(intent)
            private = {**record.private, "authenticated": pm_record.data["id"]}
            tx.update("payment_intent", ctx.scope, intent, private)
        else:
            result = ctx.runtime.processor.complete_authentication(request, succeeded=True)
            attempt = Attempt(
                pm=pm_record.data,
                processor_ref=pm_record.private["processor_ref"],
                request=request,
                return_url=return_url,
            )
            intent, _ = apply_result(tx, ctx, record, intent, attempt, result)
    return intent, return_url


def redirect_status(intent: PaymentIntent) -> str:
    return "failed" if intent["status"] == "requires_payment_method" else "succeeded"
