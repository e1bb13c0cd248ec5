"""The Customer object."""

from __future__ import annotations

from typing import Any

from payintents.domain.payment_intent import shipping_object
from payintents.domain.values import clean, merge_metadata

Customer = dict[str, Any]

_ADDRESS_FIELDS = ("city", "country", "line1", "line2", "postal_code", "state")


def _address(given: dict[str, Any] | None) -> dict[str, Any] | None:
    return {f: given.get(f) for f in _ADDRESS_FIELDS} if given else None


def _invoice_settings(current: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    settings = dict(current)
    for name in ("custom_fields", "default_payment_method", "footer"):
        if name in given:
            settings[name] = clean(given[name]) or None
    if "rendering_options" in given:
        options = clean(given["rendering_options"])
        settings["rendering_options"] = (
            {"amount_tax_display": clean(options.get("amount_tax_display"))}
            if options is not None
            else None
        )
    return settings


_NO_INVOICE_SETTINGS = {
    "custom_fields": None,
    "default_payment_method": None,
    "footer": None,
    "rendering_options": None,
}


def new_customer(
    params: dict[str, Any], *, customer_id: str, now: int, livemode: bool, prefix: str
) -> Customer:
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
        "invoice_prefix": clean(params.get("invoice_prefix")) or prefix,
        "invoice_settings": _invoice_settings(
            _NO_INVOICE_SETTINGS, params.get("invoice_settings") or {}
        ),
        "livemode": livemode,
        "metadata": merge_metadata({}, params.get("metadata") or {}),
        "name": clean(params.get("name")),
        "next_invoice_sequence": params.get("next_invoice_sequence", 1),
        "phone": clean(params.get("phone")),
        "preferred_locales": clean(params.get("preferred_locales")) or [],
        "shipping": shipping_object(clean(params.get("shipping"))),
        "tax_exempt": clean(params.get("tax_exempt")) or "none",
        "test_clock": None,
    }


def update_customer(customer: Customer, params: dict[str, Any]) -> Customer:
    updated = dict(customer)
    for name in ("description", "email", "name", "phone"):
        if name in params:
            updated[name] = clean(params[name])
    for name in ("balance", "next_invoice_sequence"):
        if name in params:
            updated[name] = params[name]
    if "preferred_locales" in params:
        updated["preferred_locales"] = clean(params["preferred_locales"]) or []
    if "tax_exempt" in params:
        updated["tax_exempt"] = clean(params["tax_exempt"]) or "none"
    if "invoice_prefix" in params:
        updated["invoice_prefix"] = params["invoice_prefix"]
    if "address" in params:
        updated["address"] = _address(clean(params["address"]))
    if "shipping" in params:
        updated["shipping"] = shipping_object(clean(params["shipping"]))
    if "metadata" in params:
        updated["metadata"] = merge_metadata(customer["metadata"], params["metadata"])
    if "invoice_settings" in params:
        updated["invoice_settings"] = _invoice_settings(
            customer["invoice_settings"], params["invoice_settings"]
        )
    return updated
