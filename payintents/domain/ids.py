"""Object ids in Stripe's shapes: a prefix and random alphanumerics."""

from __future__ import annotations

import os
import string

_ALPHABET = string.ascii_letters + string.digits
# Random bytes below 248 (4 x 62) map evenly onto the alphabet; the rest are dropped, so
# every character is uniform. One urandom call per id instead of one per character.
_EVEN = 256 - 256 % len(_ALPHABET)
_TO_ALPHABET = bytes(ord(_ALPHABET[b % len(_ALPHABET)]) for b in range(_EVEN)) + bytes(256 - _EVEN)
_UNEVEN = bytes(range(_EVEN, 256))


def random_part(length: int) -> str:
    chars = b""
    while len(chars) < length:
        chars += os.urandom(length * 2).translate(_TO_ALPHABET, _UNEVEN)
    return chars[:length].decode()


def new_id(prefix: str, length: int = 24) -> str:
    return f"{prefix}_{random_part(length)}"


def client_secret_for(intent_id: str) -> str:
    return f"{intent_id}_secret_{random_part(25)}"


def request_id() -> str:
    return new_id("req", 14)
