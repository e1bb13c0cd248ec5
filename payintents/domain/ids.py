"""Object ids in Stripe's shapes: a prefix and random alphanumerics."""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits


def random_part(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_id(prefix: str, length: int = 24) -> str:
    return f"{prefix}_{random_part(length)}"


def client_secret_for(intent_id: str) -> str:
    return f"{intent_id}_secret_{random_part(25)}"


def request_id() -> str:
    return new_id("req", 14)
