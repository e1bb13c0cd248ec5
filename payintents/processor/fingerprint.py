"""Fingerprints: stable per (account, instrument), distinct across accounts, like Stripe's."""

from __future__ import annotations

import hashlib
import hmac

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# Fixed key: fingerprints must survive restarts and agree between server processes.
_KEY = b"payintents-fingerprint-v1"


def fingerprint(account: str, kind: str, value: str) -> str:
    """16 alphanumeric characters derived from the account and the instrument's number."""
    digest = hmac.new(_KEY, f"{account}\x00{kind}\x00{value}".encode(), hashlib.sha256).digest()
    return "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:16])


def digits_from(*parts: object, length: int) -> str:
    """Deterministic decimal string (network ids, authorization codes) from the parts."""
    digest = hashlib.sha256("\x00".join(str(p) for p in parts).encode()).hexdigest()
    return str(int(digest, 16))[:length].rjust(length, "0")
