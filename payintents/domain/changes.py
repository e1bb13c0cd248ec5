"""What an update changed: the `data.previous_attributes` of an `*.updated` event."""

from __future__ import annotations

from typing import Any


def previous_attributes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The previous values of what changed, as Stripe shows them: a hash (metadata,
    billing_details, invoice_settings...) by the keys that changed inside it, a key it did not
    have as null; any other value, a list included, whole. Empty when nothing changed."""
    changed: dict[str, Any] = {}
    for key in {**before, **after}:
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            changed[key] = previous_attributes(old, new)
        else:
            changed[key] = old
    return changed
