"""The outcome of a SetupIntent's confirmation applied: its SetupAttempt, the intent's status, the
payment method saved to the customer, the events.

Shared by confirm, the 3-D Secure page, microdeposit verification and the scheduler (a
verification timing out), so each outcome is recorded the same way whichever path produced it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from payintents.domain import setup_intent as domain
from payintents.domain.ids import new_id
from payintents.domain.setup_attempt import method_details, new_setup_attempt
from payintents.domain.setup_intent import SetupIntent
from payintents.errors import ApiError, resource_missing
from payintents.processor import AuthorizationResult, SetupRequest
from payintents.services import hosted_pages
from payintents.services.attempts import decline_api_error, decline_error, three_d_secure_action
from payintents.services.common import emit, page
from payintents.services.context import Ctx
from payintents.store.base import Page, Record, Tx

# Stripe's window to verify microdeposits.
MICRODEPOSIT_WINDOW = 10 * 86400


@dataclass
class SetupTry:
    """What an attempt needs besides the intent: the method, its record and the request."""

    pm_record: Record
    request: SetupRequest
    return_url: str | None = None
    use_stripe_sdk: bool = False
    # The mandate a bank debit is set up under.
    mandate: str | None = None


def request_to_private(req: SetupRequest) -> dict[str, Any]:
    return {
        "processor_ref": req.processor_ref,
        "payment_method_type": req.payment_method_type,
        "usage": req.usage,
        "request_three_d_secure": req.request_three_d_secure,
    }


def request_from_private(data: dict[str, Any], now: int) -> SetupRequest:
    return SetupRequest(**{**data, "now": now})


def _next_action_3ds(ctx: Ctx, intent: SetupIntent, attempt_id: str, t: SetupTry) -> dict:
    return three_d_secure_action(ctx, intent, attempt_id, t.return_url, t.use_stripe_sdk)


def _save_attempt(tx: Tx, ctx: Ctx, attempt: dict[str, Any], existing: bool) -> None:
    if existing:
        tx.update("setup_attempt", ctx.scope, attempt, {})
    else:
        tx.insert("setup_attempt", ctx.scope, attempt, {})


def apply_setup_result(
    tx: Tx,
    ctx: Ctx,
    record: Record,
    intent: SetupIntent,
    t: SetupTry,
    result: AuthorizationResult,
    *,
    attempt_id: str | None = None,
    from_request: bool = True,
) -> tuple[SetupIntent, ApiError | None]:
    """Record the attempt's outcome; `attempt_id` names the attempt a challenge or a
    verification continues (else a new one is made). Returns the intent and the error to
    answer, if any."""
    pm = t.pm_record.data
    private = {k: v for k, v in record.private.items() if k not in ("attempt", "microdeposits")}
    private["due_at"] = None
    continuing = attempt_id is not None
    attempt_id = attempt_id or new_id("setatt")
    details = method_details(pm, checks=result.card_checks, three_d_secure=result.three_d_secure)
    error: ApiError | None = None
    if result.outcome in ("requires_authentication", "requires_verification"):
        private["attempt"] = {
            "id": attempt_id,
            "payment_method": pm["id"],
            "request": request_to_private(t.request),
            "return_url": t.return_url,
            "mandate": t.mandate,
        }
        if result.outcome == "requires_authentication":
            action = _next_action_3ds(ctx, intent, attempt_id, t)
        else:
            action = {
                "type": "verify_with_microdeposits",
                "verify_with_microdeposits": {
                    "arrival_date": ctx.now + 2 * 86400,
                    "hosted_verification_url": hosted_pages.link(
                        ctx, hosted_pages.MICRODEPOSITS, intent
                    ),
                    "microdeposit_type": ctx.runtime.config.microdeposit_type,
                },
            }
            private["microdeposits"] = {"failed_attempts": 0}
            private["due_at"] = ctx.now + MICRODEPOSIT_WINDOW
        status = "requires_action"
        intent = domain.require_action({**intent, "payment_method": pm["id"]}, attempt_id, action)
        event = "setup_intent.requires_action"
    elif result.outcome == "approved":
        status = "succeeded"
        intent = {**intent, "payment_method": pm["id"]}
        single_use = bool(record.private.get("single_use"))
        _save_method(tx, ctx, intent, t, reusable=None if single_use else t.mandate)
        intent = domain.succeed(intent, attempt_id, t.mandate, single_use)
        event = "setup_intent.succeeded"
    elif result.outcome == "processing":
        status = "processing"
        intent = domain.start_processing({**intent, "payment_method": pm["id"]}, attempt_id)
        event = ""
    else:
        decline = result.decline
        assert decline is not None
        status = "failed"
        last_error = decline_error(decline, None, pm)
        intent = domain.fail(intent, attempt_id, last_error)
        event = "setup_intent.setup_failed"
        error = decline_api_error(decline, last_error, setup_intent=intent)
    attempt = new_setup_attempt(
        attempt_id=attempt_id,
        intent=intent,
        pm=pm,
        now=ctx.now,
        status=status,
        details=details,
        error=intent["last_setup_error"] if status == "failed" else None,
    )
    if continuing:
        kept = tx.get("setup_attempt", ctx.scope, attempt_id)
        if kept is not None:
            attempt["created"] = kept.data["created"]
    _save_attempt(tx, ctx, attempt, continuing)
    tx.update("setup_intent", ctx.scope, intent, private)
    if event:
        emit(tx, ctx, event, intent, from_request=from_request)
    return intent, error


def fail_pending(
    tx: Tx, ctx: Ctx, record: Record, code: str, message: str, *, from_request: bool
) -> SetupIntent:
    """A pending setup that can no longer succeed (a failed challenge, a bank account that
    cannot be verified): back to requires_payment_method, its attempt failed."""
    intent = record.data
    saved = record.private.get("attempt") or {}
    pm_record = tx.get("payment_method", ctx.scope, saved.get("payment_method") or "")
    pm = pm_record.data if pm_record else {"id": saved.get("payment_method"), "type": "card"}
    error = {
        "code": code,
        "doc_url": "https://stripe.com/docs/error-codes/" + code.replace("_", "-"),
        "message": message,
        "payment_method": pm,
        "type": "invalid_request_error",
    }
    attempt_id = saved.get("id") or intent["latest_attempt"]
    intent = domain.fail(intent, attempt_id, error)
    kept = tx.get("setup_attempt", ctx.scope, attempt_id) if attempt_id else None
    if kept is not None:
        tx.update(
            "setup_attempt", ctx.scope, {**kept.data, "status": "failed", "setup_error": error}, {}
        )
    private = {k: v for k, v in record.private.items() if k not in ("attempt", "microdeposits")}
    tx.update("setup_intent", ctx.scope, intent, {**private, "due_at": None})
    emit(tx, ctx, "setup_intent.setup_failed", intent, from_request=from_request)
    return intent


def abandon(tx: Tx, ctx: Ctx, intent: SetupIntent) -> None:
    """A canceled intent's attempt that waited for the customer is abandoned."""
    attempt_id = intent.get("latest_attempt")
    kept = tx.get("setup_attempt", ctx.scope, attempt_id) if attempt_id else None
    if kept is not None and kept.data["status"] == "requires_action":
        tx.update("setup_attempt", ctx.scope, {**kept.data, "status": "abandoned"}, {})


def _save_method(
    tx: Tx, ctx: Ctx, intent: SetupIntent, t: SetupTry, *, reusable: str | None
) -> None:
    """The method is saved: attached to the intent's customer (payment_method.attached), or,
    without one, used up as a method paid with once is (Stripe's rule); a multi-use mandate
    stays with it for later debits."""
    record = tx.get_for_update("payment_method", ctx.scope, t.pm_record.data["id"])
    if record is None:
        return
    pm, private = dict(record.data), dict(record.private)
    if reusable is not None:
        # Later debits of the method (off-session PaymentIntents) are made under it.
        private["mandate"] = reusable
    card = pm.get("card")
    if card and (card.get("checks") or {}).get("cvc_check") == "unchecked":
        # The issuer checked the CVC with the setup.
        pm["card"] = {**card, "checks": {**card["checks"], "cvc_check": "pass"}}
    attach = intent.get("customer") and pm.get("customer") is None
    if attach:
        pm["customer"] = intent["customer"]
    elif pm.get("customer") is None and not intent.get("attach_to_self"):
        private["consumed"] = True
    tx.update("payment_method", ctx.scope, pm, private)
    if attach:
        emit(tx, ctx, "payment_method.attached", pm)


def list_attempts(ctx: Ctx, params: dict[str, Any]) -> Page:
    with ctx.store.read() as tx:
        intent_id = params["setup_intent"]
        if tx.get("setup_intent", ctx.scope, intent_id) is None:
            raise resource_missing("setup_intent", intent_id, "setup_intent")
        return page(tx, ctx, "setup_attempt", params, {"setup_intent": intent_id})
