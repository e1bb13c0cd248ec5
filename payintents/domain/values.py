"""Values shared by the protocol and the domain."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from payintents.errors import ApiError


class _Unset:
    """An explicit request to clear a field (Stripe's empty-string parameter)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()

METADATA_MAX_KEYS = 50


def clean(value: Any) -> Any:
    """UNSET and None both mean 'no value' on a stored object."""
    return None if value is UNSET else value


def merge_metadata(current: Mapping[str, str], change: Any) -> dict[str, str]:
    """Apply a decoded `metadata` parameter to stored metadata (keys not named are kept)."""
    if change is UNSET:
        return {}
    merged = dict(current)
    for key, value in change.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    if len(merged) > METADATA_MAX_KEYS:
        raise ApiError(
            f"Invalid metadata: metadata can have up to {METADATA_MAX_KEYS} keys.",
            param="metadata",
        )
    return merged
