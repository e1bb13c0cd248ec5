"""Stripe API versions: which behaviours a request's version selects."""

from __future__ import annotations

import re
from datetime import date

# The version stripe-python 16.1 pins; used when a request names none.
DEFAULT_VERSION = "2026-10-28.endive"

_VERSION_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:\.([a-z]+))?$")

# Versions from which a behaviour applies (compared on the date part).
AUTOMATIC_PAYMENT_METHODS_DEFAULT = "2023-08-16"
AUTOMATIC_ASYNC_CAPTURE_DEFAULT = "2024-04-10"
BASIL = "2025-03-31"


def is_valid(version: str) -> bool:
    match = _VERSION_RE.match(version)
    if not match:
        return False
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return False
    return day >= date(2011, 1, 1)


def at_least(version: str, threshold: str) -> bool:
    return version[:10] >= threshold
