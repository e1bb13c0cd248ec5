"""The Charge object: one per payment attempt, in Stripe's shape."""

from __future__ import annotations

from typing import Any

Charge = dict[str, Any]

# The fields of charge.payment_method_details.<type> taken from the PaymentMethod (Stripe adds
# `mandate`, and `payment_reference` for ACH).
_BANK_DEBIT_FIELDS: dict[str, tuple[str, ...]] = {
    "us_bank_account": (
        "account_holder_type",
        "account_type",
        "bank_name",
        "fingerprint",
        "last4",
        "routing_number",
    ),
    "sepa_debit": ("bank_code", "branch_code", "country", "fingerprint", "last4"),
}


def payment_method_details(
    pm: dict[str, Any],
    *,
    amount: int,
    capture_before: int | None,
    checks: dict[str, Any] | None,
    three_d_secure: dict[str, Any] | None,
    incremental: bool,
    network_transaction_id: str | None,
    authorization_code: str | None,
    mandate: str | None = None,
) -> dict[str, Any]:
    kind = pm["type"]
    if kind in _BANK_DEBIT_FIELDS:
        source = pm.get(kind) or {}
        details = {k: source.get(k) for k in _BANK_DEBIT_FIELDS[kind]}
        details["mandate"] = mandate
        if kind == "us_bank_account":
            # Stripe fills the bank's payment reference in once the debit settles.
            details["payment_reference"] = None
        return {"type": kind, kind: dict(sorted(details.items()))}
    if kind != "card":
        details = {k: v for k, v in pm.get(kind, {}).items() if k not in ("networks",)}
        return {"type": kind, kind: details}
    card = pm["card"]
    details: dict[str, Any] = {
        "type": "card",
        "card": {
            "amount_authorized": amount,
            "authorization_code": authorization_code,
            "brand": card["brand"],
            "capture_before": capture_before,
            "checks": checks
            or card.get("checks")
            or {
                "address_line1_check": None,
                "address_postal_code_check": None,
                "cvc_check": None,
            },
            "country": card["country"],
            "exp_month": card["exp_month"],
            "exp_year": card["exp_year"],
            "extended_authorization": {"status": "disabled"},
            "fingerprint": card["fingerprint"],
            "funding": card["funding"],
            "incremental_authorization": {"status": "available" if incremental else "unavailable"},
            "installments": None,
            "last4": card["last4"],
            "mandate": None,
            "multicapture": {"status": "unavailable"},
            "network": card["brand"] if card["brand"] != "unknown" else None,
            "network_token": {"used": False},
            "network_transaction_id": network_transaction_id,
            "overcapture": {"maximum_amount_capturable": amount, "status": "unavailable"},
            "regulated_status": "unregulated",
            "three_d_secure": three_d_secure,
            "wallet": None,
        },
    }
    if capture_before is None:
        # Present only on authorizations awaiting capture.
        del details["card"]["capture_before"]
    return details


def new_charge(
    *,
    charge_id: str,
    intent: dict[str, Any],
    pm: dict[str, Any],
    now: int,
    status: str,
    captured: bool,
    outcome: dict[str, Any] | None,
    details: dict[str, Any],
    failure_code: str | None = None,
    failure_message: str | None = None,
    balance_transaction: str | None = None,
) -> Charge:
    amount = intent["amount"]
    descriptor = intent.get("statement_descriptor") or intent.get("statement_descriptor_suffix")
    return {
        "id": charge_id,
        "object": "charge",
        "amount": amount,
        "amount_captured": amount if captured else 0,
        "amount_refunded": 0,
        "application": None,
        "application_fee": None,
        "application_fee_amount": intent.get("application_fee_amount"),
        "balance_transaction": balance_transaction,
        "billing_details": pm["billing_details"],
        "calculated_statement_descriptor": (descriptor or "PAYINTENTS")[:22].upper(),
        "captured": captured,
        "created": now,
        "currency": intent["currency"],
        "customer": intent.get("customer"),
        "description": intent.get("description"),
        "destination": None,
        "dispute": None,
        "disputed": False,
        "failure_balance_transaction": None,
        "failure_code": failure_code,
        "failure_message": failure_message,
        "fraud_details": {},
        "livemode": intent["livemode"],
        "metadata": dict(intent.get("metadata") or {}),
        "on_behalf_of": intent.get("on_behalf_of"),
        "order": None,
        "outcome": outcome,
        "paid": status == "succeeded",
        "payment_intent": intent["id"],
        "payment_method": pm["id"],
        "payment_method_details": details,
        "radar_options": {},
        "receipt_email": intent.get("receipt_email"),
        "receipt_number": None,
        "receipt_url": None,
        "refunded": False,
        "review": None,
        "shipping": intent.get("shipping"),
        "source": None,
        "source_transfer": None,
        "statement_descriptor": intent.get("statement_descriptor"),
        "statement_descriptor_suffix": intent.get("statement_descriptor_suffix"),
        "status": status,
        "transfer_data": intent.get("transfer_data"),
        "transfer_group": intent.get("transfer_group"),
    }
