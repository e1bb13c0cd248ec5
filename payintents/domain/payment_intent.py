"""The PaymentIntent object and the rules for creating and updating it.

Pure: values in, values out; ids, time and the API version are passed in.
The object is kept as Stripe's wire dict so that what is stored is what is
returned.
"""

from __future__ import annotations

from typing import Any

from payintents.domain import automatic_payment_methods, versions
from payintents.domain.values import clean, merge_metadata
from payintents.errors import ApiError, unexpected_state

PaymentIntent = dict[str, Any]

STATUSES = (
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
    "processing",
    "requires_capture",
    "canceled",
    "succeeded",
)
# Statuses in which the payment itself (amount, method, capture settings) may still change.
BEFORE_CONFIRM = ("requires_payment_method", "requires_confirmation", "requires_action")
NOT_CANCELED = tuple(s for s in STATUSES if s != "canceled")

# Fields an update may change, and the statuses in which it may.
_UPDATABLE_IN: dict[str, tuple[str, ...]] = {
    "amount": BEFORE_CONFIRM,
    "currency": BEFORE_CONFIRM,
    "payment_method": BEFORE_CONFIRM,
    "payment_method_types": BEFORE_CONFIRM,
    "payment_method_options": BEFORE_CONFIRM,
    "payment_method_configuration": BEFORE_CONFIRM,
    "capture_method": BEFORE_CONFIRM,
    "setup_future_usage": BEFORE_CONFIRM,
    "customer": BEFORE_CONFIRM,
    "application_fee_amount": (*BEFORE_CONFIRM, "requires_capture"),
    "transfer_data": BEFORE_CONFIRM,
    "statement_descriptor": (*BEFORE_CONFIRM, "requires_capture"),
    "statement_descriptor_suffix": (*BEFORE_CONFIRM, "requires_capture"),
    "transfer_group": (*BEFORE_CONFIRM, "requires_capture"),
    "description": NOT_CANCELED,
    "metadata": NOT_CANCELED,
    "receipt_email": NOT_CANCELED,
    "shipping": (*BEFORE_CONFIRM, "requires_capture", "processing"),
}

CARD_OPTIONS_DEFAULT: dict[str, Any] = {
    "installments": None,
    "mandate_options": None,
    "network": None,
    "request_three_d_secure": "automatic",
}

_ADDRESS_FIELDS = ("city", "country", "line1", "line2", "postal_code", "state")


def shipping_object(given: dict[str, Any] | None) -> dict[str, Any] | None:
    if not given:
        return None
    address = given.get("address") or {}
    return {
        "address": {f: address.get(f) for f in _ADDRESS_FIELDS},
        "carrier": given.get("carrier"),
        "name": given.get("name"),
        "phone": given.get("phone"),
        "tracking_number": given.get("tracking_number"),
    }


def method_options(types: list[str], given: dict[str, Any] | None) -> dict[str, Any]:
    """Stripe returns an options entry for each allowed type, with its defaults."""
    given = given or {}
    options: dict[str, Any] = {}
    for kind in types:
        base: dict[str, Any] = dict(CARD_OPTIONS_DEFAULT) if kind == "card" else {}
        if kind == "us_bank_account":
            base = {"verification_method": "automatic"}
        if kind == "link":
            base = {"persistent_token": None}
        supplied = given.get(kind)
        if isinstance(supplied, dict):
            base.update(supplied)
        options[kind] = base
    for kind, supplied in given.items():
        if kind not in options and isinstance(supplied, dict):
            options[kind] = dict(supplied)
    return options


def new_payment_intent(
    params: dict[str, Any],
    *,
    intent_id: str,
    client_secret: str,
    now: int,
    livemode: bool,
    version: str,
    payment_method: str | None,
) -> PaymentIntent:
    params = {k: clean(v) for k, v in params.items() if k != "metadata"} | {
        "metadata": merge_metadata({}, params.get("metadata") or {})
    }
    types = params.get("payment_method_types")
    automatic = automatic_payment_methods.resolve(params, version)
    if types is None:
        types = ["card"]
    capture_default = (
        "automatic_async"
        if versions.at_least(version, versions.AUTOMATIC_ASYNC_CAPTURE_DEFAULT)
        else "automatic"
    )
    return {
        "id": intent_id,
        "object": "payment_intent",
        "amount": params["amount"],
        "amount_capturable": 0,
        "amount_details": {"tip": {}},
        "amount_received": 0,
        "application": None,
        "application_fee_amount": params.get("application_fee_amount"),
        "automatic_payment_methods": automatic,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": params.get("capture_method", capture_default),
        "client_secret": client_secret,
        "confirmation_method": params.get("confirmation_method", "automatic"),
        "created": now,
        "currency": params["currency"],
        "customer": params.get("customer"),
        "description": params.get("description"),
        "excluded_payment_method_types": None,
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": livemode,
        "metadata": params["metadata"],
        "next_action": None,
        "on_behalf_of": params.get("on_behalf_of"),
        "payment_method": payment_method,
        "payment_method_configuration_details": None,
        "payment_method_options": method_options(types, params.get("payment_method_options")),
        "payment_method_types": types,
        "processing": None,
        "receipt_email": params.get("receipt_email"),
        "review": None,
        "setup_future_usage": params.get("setup_future_usage"),
        "shipping": shipping_object(params.get("shipping")),
        "source": None,
        "statement_descriptor": params.get("statement_descriptor"),
        "statement_descriptor_suffix": params.get("statement_descriptor_suffix"),
        "status": "requires_confirmation" if payment_method else "requires_payment_method",
        "transfer_data": params.get("transfer_data"),
        "transfer_group": params.get("transfer_group"),
    }


def _not_updatable(field: str, status: str, allowed: tuple[str, ...]) -> ApiError:
    return unexpected_state(
        f"This PaymentIntent's {field} could not be updated because it has a status of "
        f"{status}. You may only update the {field} of a PaymentIntent with one of the "
        f"following statuses: {', '.join(allowed)}.",
        param=field,
    )


def update_payment_intent(
    intent: PaymentIntent, params: dict[str, Any], *, payment_method: str | None
) -> PaymentIntent:
    """Apply an update; `payment_method` is the resolved id when the update names one."""
    status = intent["status"]
    for name in params:
        allowed = _UPDATABLE_IN.get(name)
        if allowed is not None and status not in allowed:
            raise _not_updatable(name, status, allowed)
    if intent.get("transfer_group") and params.get("transfer_group") not in (
        None,
        intent["transfer_group"],
    ):
        raise ApiError(
            "The transfer_group of a PaymentIntent can only be set once.",
            param="transfer_group",
        )
    updated = dict(intent)
    for name in (
        "amount",
        "currency",
        "capture_method",
        "description",
        "receipt_email",
        "statement_descriptor",
        "statement_descriptor_suffix",
        "application_fee_amount",
        "transfer_group",
        "setup_future_usage",
        "customer",
        "transfer_data",
    ):
        if name in params:
            updated[name] = clean(params[name])
    if "metadata" in params:
        updated["metadata"] = merge_metadata(intent["metadata"], params["metadata"])
    if "shipping" in params:
        updated["shipping"] = shipping_object(clean(params["shipping"]))
    if "payment_method_types" in params:
        types = clean(params["payment_method_types"]) or ["card"]
        updated["payment_method_types"] = types
        updated["automatic_payment_methods"] = None
        updated["payment_method_options"] = method_options(
            types, params.get("payment_method_options")
        )
    elif "payment_method_options" in params:
        updated["payment_method_options"] = method_options(
            intent["payment_method_types"], clean(params["payment_method_options"])
        )
    # Any update clears the last error (Stripe docs, "update a PaymentIntent").
    updated["last_payment_error"] = None
    if "payment_method" in params:
        updated["payment_method"] = payment_method
        updated["next_action"] = None
        updated["status"] = "requires_confirmation" if payment_method else "requires_payment_method"
    elif status == "requires_action" and any(
        n in params for n in ("amount", "currency", "payment_method_types", "capture_method")
    ):
        # The pending authentication was for the old payment; it needs a new confirmation.
        updated["next_action"] = None
        updated["status"] = (
            "requires_confirmation" if updated["payment_method"] else "requires_payment_method"
        )
    return updated
