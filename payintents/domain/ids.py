"""Object ids in Stripe's shapes: a prefix and random alphanumerics."""

from __future__ import annotations

import os
import string

_ALPHABET = string.ascii_letters + string.digits
# Bytes below this map evenly onto the alphabet (4 x 62); the rest are dropped, so every
# character is uniform. One urandom call per id instead of one per character.
_EVEN = 256 - 256 % len(_ALPHABET)


def random_part(length: int) -> str:
    chars: list[str] = []
    while len(chars) < length:
        chars.extend(_ALPHABET[b % len(_ALPHABET)] for b in os.urandom(length * 2) if b < _EVEN)
    return "".join(chars[:length])


def new_id(prefix: str, length: int = 24) -> str:
    return f"{prefix}_{random_part(length)}"


def client_secret_for(intent_id: str) -> str:
    return f"{intent_id}_secret_{random_part(25)}"


def request_id() -> str:
    return new_id("req", 14)
