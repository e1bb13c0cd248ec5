"""The ConfirmationToken object: what Stripe.js collected for one confirmation, and the rules
for using it once.

Pure: values in, values out; ids and time are passed in. The token holds no PaymentMethod
of its own: `payment_method_preview` shows the details a PaymentMethod is made from when an
intent is confirmed with the token (or the saved one it names).
"""

from __future__ import annotations

from typing import Any

from payintents.domain.payment_method import billing_details
from payintents.domain.values import clean, merge_metadata
from payintents.errors import ApiError

ConfirmationToken = dict[str, Any]

# Stripe's tokens expire 12 hours after they are created (expires_at - created in its
# documented objects).
LIFETIME = 12 * 60 * 60

_ADDRESS_FIELDS = ("city", "country", "line1", "line2", "postal_code", "state")


def preview(
    type: str,
    details: dict[str, Any],
    *,
    billing: dict[str, Any] | None,
    allow_redisplay: str,
    customer: str | None,
) -> dict[str, Any]:
    """`payment_method_preview`: the PaymentMethod's public fields, without its id."""
    fields = {
        "allow_redisplay": allow_redisplay,
        "billing_details": billing_details(billing),
        "customer": customer,
        # Accounts v2 customers, which payintents does not have.
        "customer_account": None,
        type: details,
        "type": type,
    }
    return dict(sorted(fields.items()))


def shipping(given: dict[str, Any] | None) -> dict[str, Any] | None:
    """A token's `shipping`: address, name and phone (no carrier or tracking number)."""
    if not given:
        return None
    address = given.get("address") or {}
    return {
        "address": {f: address.get(f) for f in _ADDRESS_FIELDS},
        "name": given["name"],
        "phone": clean(given.get("phone")),
    }


def mandate_data(given: dict[str, Any] | None) -> dict[str, Any] | None:
    if not given:
        return None
    acceptance = given["customer_acceptance"]
    online = acceptance.get("online")
    return {
        "customer_acceptance": {
            "online": None
            if online is None
            else {"ip_address": online["ip_address"], "user_agent": online["user_agent"]},
            "type": acceptance["type"],
        }
    }


def method_options(given: dict[str, Any] | None) -> dict[str, Any] | None:
    card = (given or {}).get("card")
    if card is None:
        return None
    installments = card.get("installments")
    plan = (installments or {}).get("plan")
    return {
        "card": {
            "cvc_token": card.get("cvc_token"),
            "installments": None
            if installments is None
            else {
                "plan": None
                if plan is None
                else {
                    "count": plan.get("count"),
                    "interval": plan.get("interval"),
                    "type": plan["type"],
                }
            },
        }
    }


def new_confirmation_token(
    params: dict[str, Any],
    *,
    token_id: str,
    payment_method_preview: dict[str, Any] | None,
    mandate: dict[str, Any] | None,
    now: int,
    livemode: bool,
) -> ConfirmationToken:
    """`mandate` is `mandate_data` with the online acceptance's client details resolved."""
    return {
        "id": token_id,
        "object": "confirmation_token",
        "created": now,
        "expires_at": now + LIFETIME,
        "livemode": livemode,
        "mandate_data": mandate_data(mandate),
        "metadata": merge_metadata({}, params.get("metadata") or {}),
        "payment_intent": None,
        "payment_method_options": method_options(params.get("payment_method_options")),
        "payment_method_preview": payment_method_preview,
        "return_url": params.get("return_url"),
        "setup_future_usage": params.get("setup_future_usage"),
        "setup_intent": None,
        "shipping": shipping(params.get("shipping")),
        # Stripe: "Defaults to true on ConfirmationToken" (Stripe.js handles the next action).
        "use_stripe_sdk": True,
    }


def confirm_params(token: ConfirmationToken, kind: str) -> dict[str, Any]:
    """What the token contributes to a confirm of a `kind` of intent, as the confirm's own
    parameters would say it (its payment method apart: that is the caller's to resolve). A
    SetupIntent has no shipping or setup_future_usage to take."""
    out: dict[str, Any] = {"use_stripe_sdk": token["use_stripe_sdk"]}
    if token["return_url"] is not None:
        out["return_url"] = token["return_url"]
    if kind == "payment_intent" and token["setup_future_usage"] is not None:
        out["setup_future_usage"] = token["setup_future_usage"]
    if kind == "payment_intent" and token["shipping"] is not None:
        out["shipping"] = {k: v for k, v in token["shipping"].items() if v is not None}
    if token["mandate_data"] is not None:
        acceptance = token["mandate_data"]["customer_acceptance"]
        kind = acceptance["type"]
        out["mandate_data"] = {
            "customer_acceptance": {"type": kind, kind: acceptance.get(kind) or {}}
        }
    if token["payment_method_options"] is not None:
        card = token["payment_method_options"]["card"]
        out["payment_method_options"] = {"card": {k: v for k, v in card.items() if v is not None}}
    return out


def merged(token_params: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """A confirm's parameters with the token's filled in where the request gives none: values
    in the request take precedence (Stripe's rule), per payment method type for options."""
    out = {**token_params, **params}
    theirs = token_params.get("payment_method_options")
    if theirs and "payment_method_options" in params:
        ours = clean(params["payment_method_options"]) or {}
        combined = dict(theirs)
        for kind, opts in ours.items():
            combined[kind] = {**combined.get(kind, {}), **(clean(opts) or {})}
        out["payment_method_options"] = combined
    return out


def used(token: ConfirmationToken, intent: dict[str, Any]) -> ConfirmationToken:
    """The token once an intent was confirmed with it: it names the intent and no longer
    expires (Stripe.js's types: expires_at "is set to null once this ConfirmationToken has
    been used")."""
    return {**token, "expires_at": None, intent["object"]: intent["id"]}


def check_usable(token: ConfirmationToken, intent: dict[str, Any], now: int) -> None:
    """A token confirms one intent, before it expires. The wording is ours: Stripe does not
    publish its own for these."""
    code = f"{intent['object']}_invalid_parameter"
    first = token["payment_intent"] or token["setup_intent"]
    if first is not None:
        raise ApiError(
            f"This ConfirmationToken ({token['id']}) was already used to confirm {first}. A "
            "ConfirmationToken can be used once: create a new one.",
            code="token_already_used",
            param="confirmation_token",
        )
    if token["expires_at"] <= now:
        raise ApiError(
            f"This ConfirmationToken ({token['id']}) expired at {token['expires_at']}: a "
            "ConfirmationToken can be used for 12 hours after it is created. Create a new one.",
            code=code,
            param="confirmation_token",
        )


_MODES = {"payment_intent": ("payment", "subscription"), "setup_intent": ("setup",)}


def check_client_context(
    context: dict[str, Any] | None, intent: dict[str, Any], params: dict[str, Any]
) -> None:
    """Stripe.js sends the Elements configuration (`client_context`) with the token; the
    intent it confirms must match it. `params` are the confirm's, the token's merged in."""
    if not context:
        return
    kind = intent["object"]

    def mismatch(name: str, theirs: Any, ours: Any, field: str | None = None) -> ApiError:
        return ApiError(
            f"The ConfirmationToken was created for {name} {theirs} (its client_context, the "
            f"Elements options), but this {kind.replace('_', ' ')} has {field or name} {ours}. "
            "Create the Elements instance with the same options as the intent.",
            code=f"{kind}_invalid_parameter",
            param="confirmation_token",
        )

    mode = context.get("mode")
    if mode is not None and mode not in _MODES[kind]:
        raise mismatch("mode", mode, _MODES[kind][0])
    currency = context.get("currency")
    if currency is not None and "currency" in intent and currency != intent["currency"]:
        raise mismatch("currency", currency, intent["currency"])
    usage = context.get("setup_future_usage")
    if usage is not None:
        # A SetupIntent's counterpart is its `usage`.
        field = "setup_future_usage" if kind == "payment_intent" else "usage"
        effective = clean(params.get(field, intent.get(field)))
        if (usage if usage != "none" else None) != effective:
            raise mismatch("setup_future_usage", usage, effective or "none", field)
    capture = context.get("capture_method")
    if capture is not None and "capture_method" in intent:
        effective = params.get("capture_method", intent["capture_method"])
        # automatic and automatic_async differ only in when the charge settles.
        if (capture == "manual") != (effective == "manual"):
            raise mismatch("capture_method", capture, effective)
