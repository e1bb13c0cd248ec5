"""List endpoints: Stripe's pagination parameters and the list envelope."""

from __future__ import annotations

import base64
from typing import Any

from payintents.errors import ApiError
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
}
# The lists Stripe lets filter on creation time add this.
CREATED_FILTER: dict[str, Spec] = {"created": CREATED}


def envelope(url: str, data: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


SEARCH_FIELDS: dict[str, Spec] = {
    # Missing and empty get the same error, from search_query.empty_query.
    "query": Str(emptyable=True),
    "limit": Int(min=1, max=100),
    "page": Str(),
}

SEARCH_LIMIT = 10


def search_envelope(
    url: str, data: list[dict[str, Any]], has_more: bool, next_page: str | None
) -> dict[str, Any]:
    return {
        "object": "search_result",
        "data": data,
        "has_more": has_more,
        "next_page": next_page,
        "url": url,
    }


def page_token(created: int, seq: int) -> str:
    """The opaque `next_page` of a search: the keyset position of the page's last object."""
    return base64.urlsafe_b64encode(f"{created}:{seq}".encode()).decode().rstrip("=")


def read_page_token(token: str) -> tuple[int, int]:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        created, seq = (int(part) for part in text.split(":"))
        if not (0 <= created < 2**63 and 0 <= seq < 2**63):
            raise ValueError(text)
        return created, seq
    except ValueError as err:
        raise ApiError(
            f"Invalid page: {token[:100]}. Pass the next_page value of a previous search response.",
            param="page",
        ) from err
