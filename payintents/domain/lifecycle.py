"""The PaymentIntent state machine: which transitions Stripe allows, and what each changes.

Pure functions of (intent, command, now) -> new intent; the services layer
loads, locks, calls the processor, and saves.
"""

from __future__ import annotations

from typing import Any

from payintents.domain.payment_intent import PaymentIntent, method_options, shipping_object
from payintents.domain.values import clean, merge_metadata
from payintents.errors import ApiError, unexpected_state

CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
CANCELABLE = (
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
    "processing",
)
CAPTURABLE = ("requires_capture",)

# Every edge of Stripe's lifecycle (from, to); tests walk them all.
EDGES: frozenset[tuple[str, str]] = frozenset(
    {
        ("requires_payment_method", "requires_confirmation"),
        *(
            (s, t)
            for s in CONFIRMABLE
            for t in (
                "succeeded",
                "requires_capture",
                "requires_action",
                "processing",
                "requires_payment_method",
                "requires_confirmation",
            )
        ),
        ("processing", "succeeded"),
        ("processing", "requires_payment_method"),
        ("requires_capture", "succeeded"),
        ("requires_capture", "requires_capture"),
        *((s, "canceled") for s in CANCELABLE),
    }
)


def error_doc_url(code: str) -> str:
    return "https://stripe.com/docs/error-codes/" + code.replace("_", "-")


def check_can_confirm(intent: PaymentIntent) -> None:
    status = intent["status"]
    if status == "succeeded":
        raise unexpected_state(
            "You cannot confirm this PaymentIntent because it has already succeeded after "
            "being previously confirmed.",
            payment_intent=intent,
        )
    if status not in CONFIRMABLE:
        raise unexpected_state(
            f"You cannot confirm this PaymentIntent because it has a status of {status}. Only "
            "a PaymentIntent with one of the following statuses may be confirmed: "
            f"{', '.join(CONFIRMABLE)}.",
            payment_intent=intent,
        )


def check_can_capture(intent: PaymentIntent) -> None:
    if intent["status"] not in CAPTURABLE:
        raise unexpected_state(
            "This PaymentIntent could not be captured because it has a status of "
            f"{intent['status']}. Only a PaymentIntent with one of the following statuses may "
            "be captured: requires_capture.",
            payment_intent=intent,
        )


def check_can_cancel(intent: PaymentIntent) -> None:
    if intent["status"] not in CANCELABLE:
        raise unexpected_state(
            "You cannot cancel this PaymentIntent because it has a status of "
            f"{intent['status']}. Only a PaymentIntent with one of the following statuses may "
            f"be canceled: {', '.join(CANCELABLE)}.",
            payment_intent=intent,
        )


def missing_payment_method(intent: PaymentIntent) -> ApiError:
    if intent.get("customer"):
        message = (
            "You cannot confirm this PaymentIntent because it's missing a payment method. To "
            f"confirm the PaymentIntent with {intent['customer']}, specify a payment method "
            "attached to this customer along with the customer ID."
        )
    else:
        message = (
            "You cannot confirm this PaymentIntent because it's missing a payment method. You "
            "can either update the PaymentIntent with a payment method and then confirm it "
            "again, or confirm it again directly with a payment method."
        )
    return unexpected_state(message, payment_intent=intent)


RETURN_URL_REQUIRED = (
    "A return_url must be specified because this Payment Intent is configured to automatically "
    "accept the payment methods enabled in the Dashboard, some of which may require a full page "
    "redirect to succeed. If you do not want to accept redirect-based payment methods, set "
    "automatic_payment_methods[enabled] to true and automatic_payment_methods[allow_redirects] "
    "to never when creating Setup Intents and Payment Intents."
)


def check_return_url(intent: PaymentIntent, params: dict[str, Any]) -> None:
    automatic = intent.get("automatic_payment_methods")
    if (
        automatic
        and automatic.get("enabled")
        and automatic.get("allow_redirects") != "never"
        and not params.get("return_url")
        and not params.get("off_session")
        and not params.get("use_stripe_sdk")
    ):
        raise ApiError(RETURN_URL_REQUIRED, param="return_url")


def check_confirm_params(intent: PaymentIntent, params: dict[str, Any]) -> None:
    if params.get("error_on_requires_action") and intent.get("automatic_payment_methods"):
        automatic = intent["automatic_payment_methods"]
        if automatic.get("allow_redirects") != "never":
            raise ApiError(
                "You cannot set error_on_requires_action when "
                "automatic_payment_methods[allow_redirects] is not 'never'.",
                param="error_on_requires_action",
            )
    if params.get("off_session") and params.get("setup_future_usage") == "on_session":
        raise ApiError(
            "You cannot set setup_future_usage to on_session when off_session is true.",
            param="setup_future_usage",
        )
    if intent["confirmation_method"] == "manual" and params.get("client_secret"):
        raise ApiError(
            "This PaymentIntent has confirmation_method=manual, so it must be confirmed with "
            "your secret key.",
            code="payment_intent_invalid_parameter",
        )


def apply_confirm_params(intent: PaymentIntent, params: dict[str, Any]) -> PaymentIntent:
    updated = dict(intent)
    for name in ("receipt_email", "setup_future_usage", "capture_method"):
        if name in params:
            updated[name] = clean(params[name])
    if "shipping" in params:
        updated["shipping"] = shipping_object(clean(params["shipping"]))
    if "payment_method_types" in params:
        updated["payment_method_types"] = params["payment_method_types"]
        updated["automatic_payment_methods"] = None
        updated["payment_method_options"] = method_options(
            params["payment_method_types"], params.get("payment_method_options")
        )
    elif "payment_method_options" in params:
        merged = dict(intent["payment_method_options"] or {})
        for kind, opts in (clean(params["payment_method_options"]) or {}).items():
            merged[kind] = {**merged.get(kind, {}), **(clean(opts) or {})}
        updated["payment_method_options"] = merged
    return updated


def check_payment_method_type(intent: PaymentIntent, pm_type: str) -> None:
    automatic = intent.get("automatic_payment_methods")
    if automatic and automatic.get("enabled"):
        return
    if pm_type not in intent["payment_method_types"]:
        raise ApiError(
            f"The PaymentMethod provided ({pm_type}) is not allowed for this PaymentIntent. "
            "Please attach a PaymentMethod of one of the following types: "
            f"{', '.join(intent['payment_method_types'])}. Alternatively, update the allowed "
            "payment_method_types for this PaymentIntent to include "
            f'"{pm_type}".',
            code="payment_intent_incompatible_payment_method",
            param="payment_method",
        )


def capture_method_of(intent: PaymentIntent, pm_type: str) -> str:
    """Per-type `capture_method` options override the intent's own (Stripe's rule)."""
    options = (intent.get("payment_method_options") or {}).get(pm_type) or {}
    return options.get("capture_method") or intent["capture_method"]


def succeed(intent: PaymentIntent, charge_id: str) -> PaymentIntent:
    return {
        **intent,
        "status": "succeeded",
        "amount_received": intent["amount"],
        "amount_capturable": 0,
        "latest_charge": charge_id,
        "next_action": None,
        "last_payment_error": None,
    }


def authorize_for_capture(intent: PaymentIntent, charge_id: str) -> PaymentIntent:
    return {
        **intent,
        "status": "requires_capture",
        "amount_capturable": intent["amount"],
        "latest_charge": charge_id,
        "next_action": None,
        "last_payment_error": None,
    }


def start_processing(intent: PaymentIntent, charge_id: str) -> PaymentIntent:
    return {
        **intent,
        "status": "processing",
        "latest_charge": charge_id,
        "next_action": None,
        "last_payment_error": None,
    }


def require_action(intent: PaymentIntent, next_action: dict[str, Any]) -> PaymentIntent:
    return {
        **intent,
        "status": "requires_action",
        "next_action": next_action,
        "last_payment_error": None,
    }


def fail(
    intent: PaymentIntent, last_payment_error: dict[str, Any], charge_id: str | None
) -> PaymentIntent:
    """A failed attempt returns the intent to requires_payment_method (T8, T12, T14)."""
    failed = {
        **intent,
        "status": "requires_payment_method",
        "payment_method": None,
        "next_action": None,
        "last_payment_error": last_payment_error,
    }
    if charge_id is not None:
        failed["latest_charge"] = charge_id
    return failed


def await_confirmation(intent: PaymentIntent) -> PaymentIntent:
    """T11: the customer acted on a manual-confirmation intent; the server confirms next."""
    return {**intent, "status": "requires_confirmation", "next_action": None}


MULTICAPTURE_UNAVAILABLE = (
    "This PaymentIntent cannot be captured with final_capture=false: multicapture is not "
    "available for it (its charge's payment_method_details.card.multicapture.status is "
    "unavailable). Capture it once, with final_capture true or omitted."
)


def capture(
    intent: PaymentIntent, amount_to_capture: int | None, params: dict[str, Any]
) -> tuple[PaymentIntent, int]:
    """T15: the one capture; the rest of the authorization is released.

    Stripe keeps an authorization open after a capture (final_capture=false) only with
    multicapture, an IC+ feature payintents' network never grants.
    """
    check_can_capture(intent)
    if params.get("final_capture") is False:
        raise ApiError(MULTICAPTURE_UNAVAILABLE, param="final_capture")
    capturable = intent["amount_capturable"]
    amount = capturable if amount_to_capture is None else amount_to_capture
    if amount > capturable:
        raise ApiError(
            f"The amount_to_capture ({amount}) must be less than or equal to the "
            f"PaymentIntent's amount_capturable ({capturable}).",
            code="amount_too_large",
            param="amount_to_capture",
        )
    fee = params.get("application_fee_amount")
    if fee is not None and fee > amount:
        raise ApiError(
            "The application fee amount must be less than or equal to the amount captured.",
            param="application_fee_amount",
        )
    captured: PaymentIntent = {
        **intent,
        "amount_received": intent["amount_received"] + amount,
        "amount_capturable": 0,
        "status": "succeeded",
    }
    if fee is not None:
        captured["application_fee_amount"] = fee
    for name in ("statement_descriptor", "statement_descriptor_suffix"):
        if name in params:
            captured[name] = params[name]
    if "metadata" in params:
        captured["metadata"] = merge_metadata(intent["metadata"], params["metadata"])
    return captured, amount


def cancel(intent: PaymentIntent, reason: str | None, now: int) -> PaymentIntent:
    check_can_cancel(intent)
    return {
        **intent,
        "status": "canceled",
        "canceled_at": now,
        "cancellation_reason": reason,
        "amount_capturable": 0,
        "next_action": None,
    }
