"""What every hosted page shares: templates filled with escaped values, and the request
context a page acts in (the account of the publishable key its link carries)."""

from __future__ import annotations

from html import escape
from importlib import resources
from string import Template
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from payintents.domain.ids import request_id
from payintents.errors import ApiError
from payintents.runtime import Runtime
from payintents.services.context import Ctx
from payintents.wire import auth


def page(
    name: str, status: int = 200, raw: dict[str, str] | None = None, **values: Any
) -> HTMLResponse:
    """A template filled with escaped values; `raw` values are HTML the caller escaped."""
    text = (resources.files("payintents.web") / "templates" / name).read_text()
    fields = {k: escape(str(v)) for k, v in values.items()} | (raw or {})
    return HTMLResponse(Template(text).substitute(fields), status_code=status)


def page_ctx(runtime: Runtime, request: Request, publishable_key: str, invalid: str) -> Ctx:
    """Pages work without a secret key, like Stripe's: their links carry the publishable key."""
    principal = auth.authenticate(f"Bearer {publishable_key}", runtime.config.api_keys)
    if principal.kind != "publishable":
        raise ApiError(invalid, status=400)
    return Ctx(
        account=principal.account,
        livemode=principal.livemode,
        key_kind=principal.kind,
        publishable_key=principal.key,
        request_id=request_id(),
        version="",
        now=runtime.clock.now(),
        idempotency_key=None,
        base_url=str(request.base_url).rstrip("/"),
        runtime=runtime,
    )
