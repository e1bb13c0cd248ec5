"""What every `GET /v1/<resource>/search` shares: query, page cursor, envelope."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from payintents.services import common
from payintents.services.context import Ctx
from payintents.wire import search_query
from payintents.wire.lists import SEARCH_LIMIT, page_token, read_page_token, search_envelope


def search(
    ctx: Ctx,
    params: dict[str, Any],
    kind: str,
    fields: Mapping[str, search_query.Field],
    resource: str,
    render: Callable[[dict[str, Any]], dict[str, Any]],
    unsupported: search_query.Unsupported | None = None,
) -> dict[str, Any]:
    query = params.get("query")
    if not isinstance(query, str):
        raise search_query.empty_query()
    criteria = search_query.parse(query, fields, resource, unsupported)
    after = read_page_token(params["page"]) if "page" in params else None
    page = common.search(ctx, kind, criteria, params.get("limit", SEARCH_LIMIT), after)
    last = page.records[-1] if page.records else None
    next_page = page_token(last.data["created"], last.seq) if page.has_more and last else None
    return search_envelope(
        f"/v1/{resource}/search", [render(r.data) for r in page.records], page.has_more, next_page
    )
