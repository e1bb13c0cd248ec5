"""What every hosted page shares: templates filled with escaped values, and the request
context a page acts in (the account its link names)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from html import escape
from importlib import resources
from string import Template
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from payintents.config import format_duration
from payintents.domain.ids import request_id
from payintents.errors import ApiError
from payintents.runtime import Runtime
from payintents.services.context import Ctx
from payintents.testing.hooks import at_account_time
from payintents.wire import auth


def page(
    name: str, status: int = 200, raw: dict[str, str] | None = None, **values: Any
) -> HTMLResponse:
    """A template filled with escaped values; `raw` values are HTML the caller escaped."""
    text = (resources.files("payintents.web") / "templates" / name).read_text()
    fields = {k: escape(str(v)) for k, v in values.items()} | (raw or {})
    return HTMLResponse(Template(text).substitute(fields), status_code=status)


def page_ctx(
    runtime: Runtime, request: Request, link: Mapping[str, str], invalid: str
) -> tuple[Ctx, int]:
    """Pages work without a secret key, like Stripe's. Their links name the account by its
    publishable key, or, where it has none (configured keys without one), by its id
    (`merchant`) and mode (`livemode`); either way the intent's client secret, which every
    page checks, is what lets the page act on the intent. The page acts at its account's time
    (a read of the store: call it in a worker thread); returns the context and how far the
    account's clock is ahead of the server's."""
    keys = runtime.config.keys
    publishable_key = link.get("publishable_key", "")
    if publishable_key:
        principal = auth.authenticate(f"Bearer {publishable_key}", keys)
        if principal.kind != "publishable":
            raise ApiError(invalid, status=400)
        account, livemode, country = principal.account, principal.livemode, principal.country
    else:
        account, livemode = link.get("merchant", ""), link.get("livemode") == "true"
        configured = keys.account(account) if keys is not None else None
        if (keys is not None and configured is None) or not account.startswith("acct_"):
            raise ApiError(invalid, status=400)
        country = configured.country if configured is not None else None
    ctx = Ctx(
        account=account,
        livemode=livemode,
        key_kind="publishable",
        publishable_key=publishable_key,
        request_id=request_id(),
        version="",
        now=runtime.clock.now(),
        idempotency_key=None,
        base_url=runtime.config.public_url or str(request.base_url).rstrip("/"),
        runtime=runtime,
        country=country,
    )
    timed = at_account_time(ctx, None, faults=False)
    assert timed is not None
    return timed, timed.now - ctx.now


def clock_note(ctx: Ctx, ahead: int) -> str:
    """A line saying the account's time, where its clock is not the server's (HTML)."""
    if not ahead:
        return ""
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ctx.now))
    return (
        f'<p class="note" id="clock">Account clock: {escape(when)} '
        f"({escape(format_duration(ahead))} ahead of the server's, moved by "
        "POST /_payintents/clock/advance).</p>"
    )
