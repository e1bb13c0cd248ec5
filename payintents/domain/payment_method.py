"""The PaymentMethod object."""

from __future__ import annotations

from typing import Any

from payintents.domain.values import clean, merge_metadata

PaymentMethod = dict[str, Any]

_ADDRESS_FIELDS = ("city", "country", "line1", "line2", "postal_code", "state")


def billing_details(given: dict[str, Any] | None) -> dict[str, Any]:
    given = clean(given) or {}
    address = clean(given.get("address")) or {}
    return {
        "address": {f: address.get(f) for f in _ADDRESS_FIELDS},
        "email": clean(given.get("email")),
        "name": clean(given.get("name")),
        "phone": clean(given.get("phone")),
    }


def new_payment_method(
    *,
    pm_id: str,
    type: str,
    details: dict[str, Any],
    params: dict[str, Any],
    now: int,
    livemode: bool,
) -> PaymentMethod:
    return {
        "id": pm_id,
        "object": "payment_method",
        "allow_redisplay": params.get("allow_redisplay", "unspecified"),
        "billing_details": billing_details(params.get("billing_details")),
        type: details,
        "created": now,
        "customer": None,
        "livemode": livemode,
        "metadata": merge_metadata({}, params.get("metadata") or {}),
        "type": type,
    }


def update_payment_method(pm: PaymentMethod, params: dict[str, Any]) -> PaymentMethod:
    updated = dict(pm)
    if "billing_details" in params:
        current = pm["billing_details"]
        given = clean(params["billing_details"]) or {}
        merged = billing_details({**current, **given})
        updated["billing_details"] = merged
    if "metadata" in params:
        updated["metadata"] = merge_metadata(pm["metadata"], params["metadata"])
    if "allow_redisplay" in params:
        updated["allow_redisplay"] = params["allow_redisplay"]
    if "card" in params and pm["type"] == "card":
        card = dict(pm["card"])
        for name in ("exp_month", "exp_year"):
            if name in params["card"]:
                card[name] = params["card"][name]
        updated["card"] = card
    return updated
