"""The outcome of a payment attempt applied to an intent: charge, status, events.

Shared by confirm, the 3-D Secure page and asynchronous settlement, so each
outcome is recorded the same way whichever path produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from payintents.domain import lifecycle
from payintents.domain.charge import new_charge, payment_method_details
from payintents.domain.ids import new_id
from payintents.domain.payment_intent import PaymentIntent
from payintents.errors import ApiError
from payintents.processor import AuthorizationRequest, AuthorizationResult, Decline
from payintents.services import disputes, hosted_pages
from payintents.services.common import emit
from payintents.services.context import Ctx
from payintents.store.base import Record, Tx

AUTHENTICATION_REQUIRED = Decline(
    code="authentication_required",
    decline_code="authentication_required",
    message="Your card was declined. This transaction requires authentication.",
    param=None,
    network_status="declined_by_network",
    outcome_type="issuer_declined",
    outcome_reason="authentication_required",
    risk_level="normal",
    seller_message="The bank returned the decline code `authentication_required`.",
)


@dataclass
class Attempt:
    """What an attempt needs besides the intent: the method, its processor ref, the request."""

    pm: dict[str, Any]
    processor_ref: str
    request: AuthorizationRequest
    return_url: str | None = None
    use_stripe_sdk: bool = False
    error_on_requires_action: bool = False
    # The mandate a bank debit is made under (us_bank_account, sepa_debit).
    mandate: str | None = None


def request_to_private(req: AuthorizationRequest) -> dict[str, Any]:
    return {
        "processor_ref": req.processor_ref,
        "payment_method_type": req.payment_method_type,
        "amount": req.amount,
        "currency": req.currency,
        "capture_method": req.capture_method,
        "off_session": req.off_session,
        "request_three_d_secure": req.request_three_d_secure,
        "setup_future_usage": req.setup_future_usage,
        "request_incremental_authorization": req.request_incremental_authorization,
        "now": req.now,
    }


def request_from_private(data: dict[str, Any], now: int) -> AuthorizationRequest:
    return AuthorizationRequest(**{**data, "now": now})


def charge_outcome(result: AuthorizationResult) -> dict[str, Any] | None:
    if not result.charge_outcome:
        return None
    # Stripe omits `rule` unless a Radar rule decided the outcome, and `risk_score` where Radar
    # scored nothing (non-card payments).
    return {
        k: v
        for k, v in result.charge_outcome.items()
        if k not in ("rule", "risk_score") or v is not None
    }


def _details(attempt: Attempt, result: AuthorizationResult, amount: int) -> dict[str, Any]:
    return payment_method_details(
        attempt.pm,
        amount=amount,
        capture_before=result.capture_before,
        checks=result.card_checks,
        three_d_secure=result.three_d_secure,
        incremental=result.incremental_authorization_available,
        network_transaction_id=result.network_transaction_id,
        authorization_code=result.authorization_code,
        mandate=attempt.mandate,
    )


def error_type(pm: dict[str, Any]) -> str:
    """Stripe's `card_error` is for cards; a failed bank debit is an `invalid_request_error`
    (its bank-debit guides show that type on microdeposit and debit failures)."""
    return "card_error" if pm.get("type") == "card" else "invalid_request_error"


def decline_error(decline: Decline, charge_id: str | None, pm: dict[str, Any]) -> dict[str, Any]:
    """The `last_payment_error` hash (and the body of the error answered to the confirm)."""
    error: dict[str, Any] = {}
    if charge_id:
        error["charge"] = charge_id
    error["code"] = decline.code
    if decline.decline_code:
        error["decline_code"] = decline.decline_code
    error["doc_url"] = lifecycle.error_doc_url(decline.code)
    error["message"] = decline.message
    if decline.param:
        error["param"] = decline.param
    error["payment_method"] = pm
    error["type"] = error_type(pm)
    return error


def decline_api_error(
    decline: Decline, last_error: dict[str, Any], **intent: dict[str, Any]
) -> ApiError:
    """The error answered to a declined confirm: the `last_error` hash as its body, with the
    intent (`payment_intent=` or `setup_intent=`). Card declines are 402s; a refused bank
    debit is a 400 like Stripe's other invalid_request_errors."""
    return ApiError(
        decline.message,
        status=402 if last_error["type"] == "card_error" else 400,
        type=last_error["type"],
        code=decline.code,
        param=decline.param,
        **{
            k: v
            for k, v in last_error.items()
            if k not in ("code", "message", "param", "type", "doc_url")
        },
        **intent,
    )


def three_d_secure_url(ctx: Ctx, intent: PaymentIntent, attempt_id: str) -> str:
    query = urlencode(
        {
            "merchant": ctx.account,
            "payment_intent": intent["id"],
            "payment_intent_client_secret": intent["client_secret"],
            **hosted_pages.account_params(ctx),
            "source": attempt_id,
        }
    )
    return f"{ctx.base_url}/3d_secure_2/hosted?{query}"


def three_d_secure_action(
    ctx: Ctx, intent: dict[str, Any], attempt_id: str, return_url: str | None, use_stripe_sdk: bool
) -> dict[str, Any]:
    """The next_action of an intent waiting for 3-D Secure: a redirect when the caller gave a
    return_url (and no use_stripe_sdk), else the page for Stripe.js to open."""
    url = three_d_secure_url(ctx, intent, attempt_id)
    if return_url and not use_stripe_sdk:
        return {
            "type": "redirect_to_url",
            "redirect_to_url": {"return_url": return_url, "url": url},
        }
    return {
        "type": "use_stripe_sdk",
        "use_stripe_sdk": {
            "type": "three_d_secure_redirect",
            "stripe_js": url,
            "source": attempt_id,
        },
    }


def apply_result(
    tx: Tx,
    ctx: Ctx,
    record: Record,
    intent: PaymentIntent,
    attempt: Attempt,
    result: AuthorizationResult,
) -> tuple[PaymentIntent, ApiError | None]:
    """Record the attempt's outcome; returns the new intent and the error to answer, if any."""
    private = dict(record.private)
    private.pop("authenticated", None)
    # The API version the payment was confirmed in (pages have none): work that falls due
    # later, such as authorization expiry, follows it as Stripe follows an account's version.
    private["api_version"] = ctx.version or private.get("api_version")
    private["attempt"] = {
        "payment_method": attempt.pm["id"],
        "request": request_to_private(attempt.request),
        "mandate": attempt.mandate,
    }
    if result.outcome == "requires_authentication" and (
        attempt.error_on_requires_action or attempt.request.off_session
    ):
        result = replace(result, outcome="declined", decline=AUTHENTICATION_REQUIRED)
    error: ApiError | None = None
    due_at: int | None = None
    if result.outcome == "requires_authentication":
        attempt_id = new_id("payatt")
        private["attempt"]["id"] = attempt_id
        private["attempt"]["return_url"] = attempt.return_url
        action = three_d_secure_action(
            ctx, intent, attempt_id, attempt.return_url, attempt.use_stripe_sdk
        )
        intent = lifecycle.require_action(intent, action)
        emit(tx, ctx, "payment_intent.requires_action", intent)
    elif result.outcome == "requires_verification":
        arrival = ctx.now + 2 * 86400
        action = {
            "type": "verify_with_microdeposits",
            "verify_with_microdeposits": {
                "arrival_date": arrival,
                "hosted_verification_url": hosted_pages.link(
                    ctx, hosted_pages.MICRODEPOSITS, intent
                ),
                # Stripe picks the kind per account (no request parameter chooses it).
                "microdeposit_type": ctx.runtime.config.microdeposit_type,
            },
        }
        private["microdeposits"] = {"failed_attempts": 0, "expires_at": ctx.now + 10 * 86400}
        due_at = ctx.now + 10 * 86400
        intent = lifecycle.require_action(intent, action)
        emit(tx, ctx, "payment_intent.requires_action", intent)
    elif result.outcome == "approved":
        manual = attempt.request.capture_method == "manual"
        charge = new_charge(
            charge_id=new_id("ch"),
            intent=intent,
            pm=attempt.pm,
            now=ctx.now,
            status="succeeded",
            captured=not manual,
            outcome=charge_outcome(result),
            details=_details(attempt, result, intent["amount"]),
        )
        tx.insert("charge", ctx.scope, charge, {"processor_ref": attempt.processor_ref})
        emit(tx, ctx, "charge.succeeded", charge)
        if result.dispute_reason and not manual:
            charge = disputes.open_in(
                tx, ctx, charge, result.dispute_reason, result.dispute_inquiry, from_request=True
            )
        if manual:
            intent = lifecycle.authorize_for_capture(intent, charge["id"])
            due_at = result.capture_before or (ctx.now + ctx.runtime.config.capture_window)
            due_at = min(due_at, ctx.now + ctx.runtime.config.capture_window)
            private["capture_before"] = due_at
            emit(tx, ctx, "payment_intent.amount_capturable_updated", intent)
        else:
            intent = lifecycle.succeed(intent, charge["id"])
            emit(tx, ctx, "payment_intent.succeeded", intent)
        _after_success(tx, ctx, intent, attempt)
    elif result.outcome == "processing":
        charge = new_charge(
            charge_id=new_id("ch"),
            intent=intent,
            pm=attempt.pm,
            now=ctx.now,
            status="pending",
            captured=True,
            outcome=None,
            details=_details(attempt, result, intent["amount"]),
        )
        charge["paid"] = False
        tx.insert("charge", ctx.scope, charge, {"processor_ref": attempt.processor_ref})
        emit(tx, ctx, "charge.pending", charge)
        intent = lifecycle.start_processing(intent, charge["id"])
        emit(tx, ctx, "payment_intent.processing", intent)
        # The customer's part is done: a method set up for future use is saved now.
        _after_success(tx, ctx, intent, attempt)
        due_at = ctx.now + ctx.runtime.processor.settlement_delay(attempt.processor_ref)
    else:
        decline = result.decline
        assert decline is not None
        charge = new_charge(
            charge_id=new_id("ch"),
            intent=intent,
            pm=attempt.pm,
            now=ctx.now,
            status="failed",
            captured=False,
            outcome=charge_outcome(result),
            details=_details(attempt, result, intent["amount"]),
            failure_code=decline.code,
            failure_message=decline.message,
        )
        tx.insert("charge", ctx.scope, charge, {"processor_ref": attempt.processor_ref})
        emit(tx, ctx, "charge.failed", charge)
        last_error = decline_error(decline, charge["id"], attempt.pm)
        intent = lifecycle.fail(intent, last_error, charge["id"])
        emit(tx, ctx, "payment_intent.payment_failed", intent)
        error = decline_api_error(decline, last_error, payment_intent=intent)
    private["due_at"] = due_at
    tx.update("payment_intent", ctx.scope, intent, private)
    return intent, error


def _after_success(tx: Tx, ctx: Ctx, intent: PaymentIntent, attempt: Attempt) -> None:
    """Saving for later (setup_future_usage with a customer) attaches the method; a method used
    without a customer may not be used again (Stripe's rule)."""
    pm_record = tx.get("payment_method", ctx.scope, attempt.pm["id"])
    if pm_record is None:
        return
    pm = pm_record.data
    if intent.get("customer") and intent.get("setup_future_usage") and pm.get("customer") is None:
        attached = {**pm, "customer": intent["customer"]}
        tx.update("payment_method", ctx.scope, attached, pm_record.private)
        emit(tx, ctx, "payment_method.attached", attached)
    elif pm.get("customer") is None:
        tx.update("payment_method", ctx.scope, pm, {**pm_record.private, "consumed": True})
