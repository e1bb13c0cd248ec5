"""Comparing secrets (API keys, client secrets) in constant time: how long a comparison takes
tells nothing of how much of a guess was right."""

from __future__ import annotations

import hmac


def equal(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())
