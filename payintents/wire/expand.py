"""`expand[]`: which properties of which objects can be expanded, the checks on the
paths a request names, and replacing ids by the objects they name.

Looking an object up is the caller's job (`Resolve`): the wire knows the shapes of
objects, not where they are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from payintents.errors import ApiError

# Stripe counts every segment, a list's `data.` too (observed error bodies).
MAX_DEPTH = 4

# Object type -> expandable property -> the object type its id names. None: Stripe can
# expand it but this server keeps no such objects, so the property is always null here
# (it stays null when expanded, as a null does on Stripe). A dotted property is an id inside
# a sub-object (customer.invoice_settings.default_payment_method).
EXPANDABLE: dict[str, dict[str, str | None]] = {
    "payment_intent": {
        "application": None,
        "customer": "customer",
        "latest_charge": "charge",
        "on_behalf_of": None,
        "payment_method": "payment_method",
        "review": None,
    },
    "charge": {
        "application": None,
        "application_fee": None,
        "balance_transaction": None,
        "customer": "customer",
        "failure_balance_transaction": None,
        "on_behalf_of": None,
        "payment_intent": "payment_intent",
        "review": None,
        "source_transfer": None,
        "transfer": None,
    },
    "refund": {
        "balance_transaction": None,
        "charge": "charge",
        "failure_balance_transaction": None,
        "payment_intent": "payment_intent",
    },
    "payment_method": {"customer": "customer"},
    "customer": {
        "default_source": None,
        "invoice_settings.default_payment_method": "payment_method",
        "test_clock": None,
    },
    "confirmation_token": {"payment_method_preview.customer": "customer"},
    "dispute": {"charge": "charge", "payment_intent": "payment_intent"},
    "setup_intent": {
        "application": None,
        "customer": "customer",
        "latest_attempt": "setup_attempt",
        "mandate": "mandate",
        "on_behalf_of": None,
        "payment_method": "payment_method",
        "single_use_mandate": "mandate",
    },
    "setup_attempt": {
        "application": None,
        "customer": "customer",
        "on_behalf_of": None,
        "payment_method": "payment_method",
        "setup_intent": "setup_intent",
    },
    "mandate": {"payment_method": "payment_method"},
}

LIST_OBJECTS = ("list", "search_result")

# A publishable key sees a reduced object; of what it links to, only the payment
# method (Stripe.js shows the card), never the customer behind it.
PUBLISHABLE_PATHS = ("payment_method",)

# Looks up an object of a type by id in the request's account; None if there is none.
Resolve = Callable[[str, str], dict[str, Any] | None]


def check(paths: Iterable[str], returns: str | None, publishable: bool) -> set[str]:
    """What can be refused before the handler runs, so a refused request changes nothing:
    depth always, and every property when the endpoint says what object it answers with.
    Returns the object types the paths bring into the answer, where that is known."""
    targets: set[str] = set()
    for path in paths:
        if len(path.split(".")) > MAX_DEPTH:
            raise ApiError(
                f"You cannot expand more than {MAX_DEPTH} levels of a property. Property: {path}",
                code="property_expansion_max_depth",
            )
        if publishable and path not in PUBLISHABLE_PATHS:
            raise ApiError(f"This property cannot be expanded ({path}).", param="expand")
        kind = returns
        segments = path.split(".")
        while segments and kind is not None:
            # An object with nothing to expand (a webhook endpoint) refuses every path.
            fields = EXPANDABLE.get(kind, {})
            prop = _property(fields, segments)
            if prop is None:
                raise ApiError(f"This property cannot be expanded ({path}).", param="expand")
            kind = fields[prop]
            if kind is not None:
                targets.add(kind)
            segments = segments[prop.count(".") + 1 :]
    return targets


def _property(fields: dict[str, str | None], segments: list[str]) -> str | None:
    """The expandable property the path's next segments name: one segment, or two for an id
    inside a sub-object."""
    for width in (1, 2):
        name = ".".join(segments[:width])
        if len(segments) >= width and name in fields:
            return name
    return None


def expand(result: Any, paths: Iterable[str], resolve: Resolve) -> Any:
    for path in paths:
        segments = path.split(".")
        if isinstance(result, dict) and result.get("object") in LIST_OBJECTS:
            if segments[0] != "data" or len(segments) == 1:
                raise ApiError(
                    f"This property cannot be expanded ({path}). You may want to try expanding "
                    f"'data.{path}' instead.",
                    param="expand",
                )
            for item in result["data"]:
                _expand(item, segments[1:], path, resolve)
        else:
            _expand(result, segments, path, resolve)
    return result


def _expand(obj: Any, segments: list[str], path: str, resolve: Resolve) -> None:
    if obj is None:
        return
    fields = EXPANDABLE.get(obj.get("object", ""), {}) if isinstance(obj, dict) else {}
    prop = _property(fields, segments)
    *outer, head = (prop or "").split(".")
    holder = obj
    for name in outer:
        holder = holder.get(name) if isinstance(holder, dict) else None
    if prop is None or not isinstance(holder, dict) or head not in holder:
        raise ApiError(f"This property cannot be expanded ({path}).", param="expand")
    rest = segments[len(outer) + 1 :]
    value = holder[head]
    target = fields[prop]
    if isinstance(value, str):
        # An id naming nothing in this account (say, a deleted object) stays an id.
        found = resolve(target, value) if target is not None else None
        if found is not None:
            value = holder[head] = found
    if rest:
        _expand(value if isinstance(value, dict) else None, rest, path, resolve)
