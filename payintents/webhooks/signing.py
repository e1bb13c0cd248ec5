"""Stripe's webhook signature: what the SDKs' `Webhook.construct_event` verifies."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from payintents.domain.ids import random_part

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """An endpoint secret as the API returns it: `whsec_` and 32 alphanumerics."""
    return SECRET_PREFIX + random_part(32)


def new_listener_secret() -> str:
    """The shape `stripe listen` prints: `whsec_` and 64 hex digits."""
    return SECRET_PREFIX + secrets.token_hex(32)


def signature(payload: bytes, secret: str, timestamp: int) -> str:
    # The key is the whole secret string, `whsec_` included, as the SDKs use it.
    signed = f"{timestamp}.".encode() + payload
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def header(payload: bytes, secret: str, timestamp: int) -> str:
    """The `Stripe-Signature` header value: `t=<timestamp>,v1=<hex hmac>`."""
    return f"t={timestamp},v1={signature(payload, secret, timestamp)}"
