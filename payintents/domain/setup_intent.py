"""The SetupIntent object, its state machine and Stripe's refusals of it.

Pure: values in, values out. A SetupIntent saves a payment method for later payments without
charging it: confirming it checks the method with the issuer or bank (3-D Secure for cards
that ask, a mandate and microdeposits for bank debits), and on success attaches it to the
intent's customer. The object is kept as Stripe's wire dict.
"""

from __future__ import annotations

from typing import Any

from payintents.domain import automatic_payment_methods
from payintents.domain.values import clean, merge_metadata
from payintents.errors import ApiError

SetupIntent = dict[str, Any]

STATUSES = (
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
    "processing",
    "canceled",
    "succeeded",
)
CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
CANCELABLE = CONFIRMABLE
CANCELLATION_REASONS = ("abandoned", "duplicate", "requested_by_customer")
USAGES = ("off_session", "on_session")
# Fields an update may change whatever the status (Stripe's recorded behaviour); the others
# only before the setup is done.
ALWAYS_UPDATABLE = ("description", "metadata", "customer")

CARD_OPTIONS_DEFAULT: dict[str, Any] = {
    "mandate_options": None,
    "network": None,
    "request_three_d_secure": "automatic",
}


def unexpected_state(message: str, intent: SetupIntent, **extra: Any) -> ApiError:
    return ApiError(message, code="setup_intent_unexpected_state", setup_intent=intent, **extra)


def method_options(types: list[str], given: dict[str, Any] | None) -> dict[str, Any]:
    """An options entry for each allowed type that has options, with its defaults."""
    given = clean(given) or {}
    options: dict[str, Any] = {}
    for kind in types:
        if kind == "card":
            base: dict[str, Any] = dict(CARD_OPTIONS_DEFAULT)
        elif kind == "us_bank_account":
            base = {"verification_method": "automatic"}
        elif kind == "sepa_debit":
            base = {}
        else:
            continue
        supplied = clean(given.get(kind))
        if isinstance(supplied, dict):
            base.update({k: clean(v) for k, v in supplied.items()})
        options[kind] = base
    for kind, supplied in given.items():
        if kind not in options and isinstance(supplied, dict):
            options[kind] = dict(supplied)
    return options


def check_attach_to_self(attach_to_self: bool | None, customer: str | None) -> None:
    if attach_to_self and customer:
        raise ApiError(
            "You may only specify one of these parameters: attach_to_self, customer. A "
            "SetupIntent that attaches its payment method to your own account cannot set it up "
            "for a Customer.",
            code="parameters_exclusive",
            param="attach_to_self",
        )


def new_setup_intent(
    params: dict[str, Any],
    *,
    intent_id: str,
    client_secret: str,
    now: int,
    livemode: bool,
    version: str,
    payment_method: str | None,
) -> SetupIntent:
    given = {k: clean(v) for k, v in params.items() if k != "metadata"}
    automatic = automatic_payment_methods.resolve(given, version)
    types = given.get("payment_method_types") or ["card"]
    check_attach_to_self(given.get("attach_to_self"), given.get("customer"))
    intent: SetupIntent = {
        "id": intent_id,
        "object": "setup_intent",
        "application": None,
        "automatic_payment_methods": automatic,
        "cancellation_reason": None,
        "client_secret": client_secret,
        "created": now,
        "customer": given.get("customer"),
        "description": given.get("description"),
        "flow_directions": given.get("flow_directions"),
        "last_setup_error": None,
        "latest_attempt": None,
        "livemode": livemode,
        "mandate": None,
        "metadata": merge_metadata({}, params.get("metadata") or {}),
        "next_action": None,
        "on_behalf_of": given.get("on_behalf_of"),
        "payment_method": payment_method,
        "payment_method_configuration_details": None,
        "payment_method_options": method_options(types, given.get("payment_method_options")),
        "payment_method_types": types,
        "single_use_mandate": None,
        "status": "requires_confirmation" if payment_method else "requires_payment_method",
        "usage": given.get("usage", "off_session"),
    }
    if given.get("attach_to_self"):
        # Present only when set, as Stripe shows it.
        intent["attach_to_self"] = True
    return intent


def _not_updatable(intent: SetupIntent) -> ApiError:
    status = intent["status"]
    if status == "succeeded":
        message = "You cannot update this SetupIntent because it has already succeeded."
    elif status == "canceled":
        message = "You cannot update this SetupIntent because it has been canceled."
    else:
        message = (
            f"You cannot update this SetupIntent because it has a status of {status}. You may "
            "only update a SetupIntent with one of the following statuses: "
            f"{', '.join(CONFIRMABLE)}."
        )
    return unexpected_state(message, intent)


def update_setup_intent(
    intent: SetupIntent, params: dict[str, Any], *, payment_method: str | None
) -> SetupIntent:
    """Apply an update; `payment_method` is the resolved id when the update names one."""
    if intent["status"] not in CONFIRMABLE and any(n not in ALWAYS_UPDATABLE for n in params):
        raise _not_updatable(intent)
    updated = dict(intent)
    for name in ("description", "customer", "flow_directions"):
        if name in params:
            updated[name] = clean(params[name])
    if "attach_to_self" in params:
        check_attach_to_self(params["attach_to_self"], updated["customer"])
        updated.pop("attach_to_self", None)
        if params["attach_to_self"]:
            updated["attach_to_self"] = True
    elif "customer" in params:
        check_attach_to_self(intent.get("attach_to_self"), updated["customer"])
    if "metadata" in params:
        updated["metadata"] = merge_metadata(intent["metadata"], params["metadata"])
    if "payment_method_types" in params:
        types = clean(params["payment_method_types"]) or ["card"]
        updated["payment_method_types"] = types
        updated["automatic_payment_methods"] = None
        updated["payment_method_options"] = method_options(
            types, params.get("payment_method_options")
        )
    elif "payment_method_options" in params:
        updated["payment_method_options"] = merged_options(
            intent, clean(params["payment_method_options"])
        )
    if "payment_method" in params:
        updated["payment_method"] = payment_method
        updated["next_action"] = None
        updated["status"] = "requires_confirmation" if payment_method else "requires_payment_method"
    return updated


def merged_options(intent: SetupIntent, given: dict[str, Any] | None) -> dict[str, Any]:
    merged = dict(intent["payment_method_options"] or {})
    for kind, opts in (given or {}).items():
        merged[kind] = {**merged.get(kind, {}), **(clean(opts) or {})}
    return merged


# -- the state machine --------------------------------------------------------------------

MISSING_PAYMENT_METHOD = (
    "You cannot confirm this SetupIntent because it's missing a payment method. You can either "
    "update the SetupIntent with a payment method and then confirm it again, or confirm it "
    "again directly with a payment method or ConfirmationToken."
)


def check_can_confirm(intent: SetupIntent) -> None:
    status = intent["status"]
    if status == "succeeded":
        raise unexpected_state(
            "You cannot confirm this SetupIntent because it has already succeeded.", intent
        )
    if status == "canceled":
        raise unexpected_state(
            "You cannot confirm this SetupIntent because it has been canceled.", intent
        )
    if status not in CONFIRMABLE:
        raise unexpected_state(
            f"You cannot confirm this SetupIntent because it has a status of {status}. Only a "
            "SetupIntent with one of the following statuses may be confirmed: "
            f"{', '.join(CONFIRMABLE)}.",
            intent,
        )


def missing_payment_method(intent: SetupIntent) -> ApiError:
    return unexpected_state(MISSING_PAYMENT_METHOD, intent)


def check_can_cancel(intent: SetupIntent) -> None:
    status = intent["status"]
    if status == "canceled":
        raise unexpected_state(
            "You cannot cancel this SetupIntent because it is already canceled.", intent
        )
    if status not in CANCELABLE:
        raise unexpected_state(
            f"You cannot cancel this SetupIntent because it has a status of {status}. Only a "
            "SetupIntent with one of the following statuses may be canceled: "
            "`requires_payment_method`, `requires_confirmation`, or `requires_action`.",
            intent,
        )


def check_can_verify(intent: SetupIntent) -> str:
    """The kind of microdeposit the intent waits for, or Stripe's refusal."""
    action = intent.get("next_action") or {}
    if intent["status"] == "requires_action" and action.get("type") == "verify_with_microdeposits":
        return action["verify_with_microdeposits"]["microdeposit_type"] or "amounts"
    raise ApiError(
        "This SetupIntent cannot be actioned on because it has a status of "
        f"{intent['status']}. Only a SetupIntent with one of the following statuses may be "
        'actioned on: ["requires_action"].',
        code="intent_invalid_state",
        setup_intent=intent,
    )


def check_payment_method_type(intent: SetupIntent, pm_type: str) -> None:
    automatic = intent.get("automatic_payment_methods")
    if automatic and automatic.get("enabled"):
        return
    if pm_type not in intent["payment_method_types"]:
        raise ApiError(
            f"The PaymentMethod provided ({pm_type}) is not allowed for this SetupIntent. "
            "Please attach a PaymentMethod of one of the following types: "
            f"{', '.join(intent['payment_method_types'])}. Alternatively, update the allowed "
            f'payment_method_types for this SetupIntent to include "{pm_type}".',
            code="setup_intent_invalid_parameter",
            param="payment_method",
            setup_intent=intent,
        )


def succeed(intent: SetupIntent, attempt_id: str, mandate: str | None, single_use: bool):
    done = {
        **intent,
        "status": "succeeded",
        "latest_attempt": attempt_id,
        "next_action": None,
        "last_setup_error": None,
    }
    if mandate is not None:
        done["single_use_mandate" if single_use else "mandate"] = mandate
    return done


def require_action(
    intent: SetupIntent, attempt_id: str, next_action: dict[str, Any]
) -> SetupIntent:
    return {
        **intent,
        "status": "requires_action",
        "latest_attempt": attempt_id,
        "next_action": next_action,
        "last_setup_error": None,
    }


def start_processing(intent: SetupIntent, attempt_id: str) -> SetupIntent:
    return {
        **intent,
        "status": "processing",
        "latest_attempt": attempt_id,
        "next_action": None,
        "last_setup_error": None,
    }


def fail(intent: SetupIntent, attempt_id: str, error: dict[str, Any]) -> SetupIntent:
    """A failed setup returns to requires_payment_method without its method."""
    return {
        **intent,
        "status": "requires_payment_method",
        "latest_attempt": attempt_id,
        "payment_method": None,
        "next_action": None,
        "last_setup_error": error,
    }


def cancel(intent: SetupIntent, reason: str | None) -> SetupIntent:
    check_can_cancel(intent)
    return {**intent, "status": "canceled", "cancellation_reason": reason, "next_action": None}
