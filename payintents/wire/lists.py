"""List endpoints: Stripe's pagination parameters and the list envelope."""

from __future__ import annotations

from typing import Any

from payintents.wire.params import Int, Obj, OneOf, Spec, Str

CREATED = OneOf(
    (
        Int(),
        Obj({"gt": Int(), "gte": Int(), "lt": Int(), "lte": Int()}),
    )
)

LIST_FIELDS: dict[str, Spec] = {
    "limit": Int(min=1, max=100),
    "starting_after": Str(),
    "ending_before": Str(),
    "created": CREATED,
}


def envelope(url: str, data: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {"object": "list", "data": data, "has_more": has_more, "url": url}
