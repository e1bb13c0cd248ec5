"""The Customer object (the fields PaymentIntents rely on)."""

from __future__ import annotations

from typing import Any

from payintents.domain.payment_intent import shipping_object
from payintents.domain.values import clean, merge_metadata

Customer = dict[str, Any]

_ADDRESS_FIELDS = ("city", "country", "line1", "line2", "postal_code", "state")


def _address(given: dict[str, Any] | None) -> dict[str, Any] | None:
    return {f: given.get(f) for f in _ADDRESS_FIELDS} if given else None


def new_customer(
    params: dict[str, Any], *, customer_id: str, now: int, livemode: bool, prefix: str
) -> Customer:
    settings = clean(params.get("invoice_settings")) or {}
    return {
        "id": customer_id,
        "object": "customer",
        "address": _address(clean(params.get("address"))),
        "balance": params.get("balance", 0),
        "created": now,
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "description": clean(params.get("description")),
        "discount": None,
        "email": clean(params.get("email")),
        "invoice_prefix": prefix,
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": clean(settings.get("default_payment_method")),
            "footer": None,
            "rendering_options": None,
        },
        "livemode": livemode,
        "metadata": merge_metadata({}, params.get("metadata") or {}),
        "name": clean(params.get("name")),
        "next_invoice_sequence": 1,
        "phone": clean(params.get("phone")),
        "preferred_locales": [],
        "shipping": shipping_object(clean(params.get("shipping"))),
        "tax_exempt": "none",
        "test_clock": None,
    }


def update_customer(customer: Customer, params: dict[str, Any]) -> Customer:
    updated = dict(customer)
    for name in ("description", "email", "name", "phone"):
        if name in params:
            updated[name] = clean(params[name])
    if "balance" in params:
        updated["balance"] = params["balance"]
    if "address" in params:
        updated["address"] = _address(clean(params["address"]))
    if "shipping" in params:
        updated["shipping"] = shipping_object(clean(params["shipping"]))
    if "metadata" in params:
        updated["metadata"] = merge_metadata(customer["metadata"], params["metadata"])
    if "invoice_settings" in params:
        settings = clean(params["invoice_settings"]) or {}
        if "default_payment_method" in settings:
            updated["invoice_settings"] = {
                **customer["invoice_settings"],
                "default_payment_method": clean(settings["default_payment_method"]),
            }
    return updated
