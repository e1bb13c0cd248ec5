"""The SetupAttempt object: one confirmation of a SetupIntent, with the method it tried and how
the issuer or bank answered (Stripe's `latest_attempt`, listed by GET /v1/setup_attempts)."""

from __future__ import annotations

from typing import Any

SetupAttempt = dict[str, Any]

# Stripe's statuses of an attempt.
STATUSES = (
    "requires_confirmation", "requires_action", "processing", "succeeded", "failed", "abandoned",
)  # fmt: skip


def method_details(
    pm: dict[str, Any],
    *,
    checks: dict[str, Any] | None = None,
    three_d_secure: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """payment_method_details: a card's as the check saw it; a bank debit's hash is empty in
    Stripe's schema."""
    kind = pm["type"]
    if kind != "card":
        return {"type": kind, kind: {}}
    card = pm["card"]
    return {
        "type": "card",
        "card": {
            "brand": card["brand"],
            "checks": checks or card.get("checks"),
            "country": card["country"],
            "exp_month": card["exp_month"],
            "exp_year": card["exp_year"],
            "fingerprint": card["fingerprint"],
            "funding": card["funding"],
            "last4": card["last4"],
            "network": card["brand"] if card["brand"] != "unknown" else None,
            "three_d_secure": three_d_secure,
            "wallet": None,
        },
    }


def new_setup_attempt(
    *,
    attempt_id: str,
    intent: dict[str, Any],
    pm: dict[str, Any],
    now: int,
    status: str,
    details: dict[str, Any],
    error: dict[str, Any] | None = None,
) -> SetupAttempt:
    attempt: SetupAttempt = {
        "id": attempt_id,
        "object": "setup_attempt",
        "application": None,
        "created": now,
        "customer": intent["customer"],
        "flow_directions": intent["flow_directions"],
        "livemode": intent["livemode"],
        "on_behalf_of": intent["on_behalf_of"],
        "payment_method": pm["id"],
        "payment_method_details": details,
        "setup_error": error,
        "setup_intent": intent["id"],
        "status": status,
        "usage": intent["usage"],
    }
    if intent.get("attach_to_self"):
        attempt["attach_to_self"] = True
    return attempt
