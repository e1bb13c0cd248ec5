"""What the API's request pipeline (wire/http.py) asks of the test controls, and nothing
more: the account's time for the request, and whether a fault rule of the account applies to
it. Both come from one indexed read of the account's row (store/controls.py), made once per
request: no row, the server's time and no rules."""

from __future__ import annotations

from dataclasses import replace

from payintents.services.context import Ctx
from payintents.store import controls
from payintents.store.controls import AccountControls
from payintents.testing.faults import RequestFault, match_request


def peek(ctx: Ctx) -> AccountControls:
    """The request's account row (read where the store's reads are cheap to run)."""
    return controls.peek(ctx.store, ctx.scope)


def at_account_time(ctx: Ctx, account: AccountControls | None, faults: bool = True) -> Ctx | None:
    """The request's context at its account's time (`account` read now unless given); None
    where `faults` and a fault rule of the account may match the request: ask `fault` first,
    then come back with `faults` False."""
    if account is None:
        account = peek(ctx)
    if faults and account.request_faults:
        return None
    return replace(ctx, now=ctx.now + account.clock_offset) if account.clock_offset else ctx


def fault(ctx: Ctx, method: str, path: str) -> tuple[RequestFault | None, Ctx]:
    """What the account's first fault rule matching this request does to it, if any (one of
    the rule's matches taken), and the request's context at the account's time."""
    found = match_request(ctx.store, ctx.scope, method, path)
    timed = at_account_time(ctx, None, faults=False)
    assert timed is not None
    return found, timed
