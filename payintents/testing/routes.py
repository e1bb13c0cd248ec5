"""The routes under /_payintents (docs/testing-controls.md), outside Stripe's /v1.

Each control but health is authenticated by a secret key, like the API, and acts on that
key's account and mode alone; a publishable key gets 403. Where only configured keys work
(strict mode), the controls answer only if the operator turned them on (`serve --controls`).
Errors are Stripe's error body.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from payintents.domain import versions
from payintents.domain.ids import request_id as new_request_id
from payintents.errors import ApiError
from payintents.runtime import Runtime
from payintents.services.context import Ctx
from payintents.testing import clock, faults, reset
from payintents.testing.hooks import at_account_time
from payintents.wire import auth, permissions
from payintents.wire.http import (
    Disconnected,
    base_url,
    failure_answer,
    in_thread,
    read_body,
    read_params,
    render_error,
    request_headers,
    send_response,
)
from payintents.wire.params import Enum, Int, Obj, Str
from payintents.wire.routing import Receive, Scope, Send, Serve

log = logging.getLogger("payintents")

PREFIX = "/_payintents"

DISABLED = (
    "The test controls (/_payintents) are off on this server: it accepts only its configured "
    "API keys. Its operator turns them on with `payintents serve --controls` (or "
    "PAYINTENTS_CONTROLS=1)."
)

Control = Callable[[Ctx, dict[str, Any]], Awaitable[Any]]

ADVANCE = Obj(
    {
        "seconds": Int(min=1, max=clock.MAX_SECONDS),
        "to": Int(min=0),
    }
)
FAULT = Obj(
    {
        "method": Enum(faults.METHODS),
        "path": Str(max_length=1000),
        "webhook_endpoint": Str(max_length=255),
        "count": Int(min=1, max=faults.MAX_COUNT),
        "mode": Enum(faults.MODES),
        "status": Int(min=400, max=599),
        "type": Enum(faults.ERROR_TYPES),
        "code": Str(max_length=100),
        "message": Str(max_length=5000),
        "decline_code": Str(max_length=100),
        "delay_ms": Int(min=1, max=faults.MAX_DELAY_MS),
    }
)
NOTHING = Obj({})


def routes(runtime: Runtime) -> list[tuple[str, str, Serve]]:
    async def get_clock(ctx: Ctx, params: dict[str, Any]) -> Any:
        return await in_thread(clock.retrieve, runtime, ctx)

    async def advance(ctx: Ctx, params: dict[str, Any]) -> Any:
        return await clock.advance(runtime, ctx, params)

    async def add_fault(ctx: Ctx, params: dict[str, Any]) -> Any:
        return await in_thread(faults.make_rule, ctx, params)

    async def list_faults(ctx: Ctx, params: dict[str, Any]) -> Any:
        data = await in_thread(faults.list_rules, ctx)
        return {"object": "list", "data": data, "has_more": False, "url": f"{PREFIX}/faults"}

    async def clear_faults(ctx: Ctx, params: dict[str, Any]) -> Any:
        cleared, released = await in_thread(faults.clear_rules, ctx)
        return {"object": "payintents.faults_cleared", "deleted": cleared, "released": released}

    async def wipe(ctx: Ctx, params: dict[str, Any]) -> Any:
        deleted = await in_thread(reset.wipe, ctx)
        return {"object": "payintents.reset", "livemode": ctx.livemode, "deleted": deleted}

    return [
        ("GET", f"{PREFIX}/health", _health(runtime)),
        _control(runtime, "GET", "/clock", NOTHING, get_clock),
        _control(runtime, "POST", "/clock/advance", ADVANCE, advance),
        _control(runtime, "POST", "/faults", FAULT, add_fault),
        _control(runtime, "GET", "/faults", NOTHING, list_faults),
        _control(runtime, "DELETE", "/faults", NOTHING, clear_faults),
        _control(runtime, "DELETE", "/data", NOTHING, wipe),
    ]


def _control(
    runtime: Runtime, method: str, path: str, params: Obj, control: Control
) -> tuple[str, str, Serve]:
    enabled = runtime.config.keys is None or runtime.config.controls

    async def serve(scope: Scope, receive: Receive, send: Send, _: dict[str, str]) -> None:
        rid = new_request_id()
        status, extra = 200, None
        try:
            headers = request_headers(scope)
            body = await read_body(receive) if method == "POST" else b""
            tree = read_params(method, scope["query_string"].decode("latin-1"), headers, body)
            principal = auth.authenticate(headers.get("authorization"), runtime.config.keys)
            if not enabled:
                raise ApiError(DISABLED, status=403)
            auth.require_secret(principal)
            if principal.grants is not None:
                # The controls act on all of an account: no grant of a restricted key covers them.
                raise permissions.closed(principal.key, principal.account)
            args = params.convert(tree, "")
            ctx = Ctx(
                account=principal.account,
                livemode=principal.livemode,
                key_kind=principal.kind,
                publishable_key=principal.publishable_key,
                request_id=rid,
                version=versions.DEFAULT_VERSION,
                now=runtime.clock.now(),
                idempotency_key=None,
                base_url=runtime.config.public_url or base_url(scope, headers),
                runtime=runtime,
            )
            timed = await in_thread(at_account_time, ctx, None, False)
            assert timed is not None
            answer = orjson.dumps(await control(timed, args))
        except Disconnected:
            return
        except ApiError as err:
            status, answer = err.status, render_error(err)
        except Exception as exc:
            status, answer, extra = failure_answer(exc, method, scope["path"])
        await send_response(send, status, answer, rid, versions.DEFAULT_VERSION, extra)

    return method, PREFIX + path, serve


def _health(runtime: Runtime) -> Serve:
    """200 with the store's kind and state (no key needed): for readiness probes."""

    async def serve(scope: Scope, receive: Receive, send: Send, _: dict[str, str]) -> None:
        rid = new_request_id()
        store: dict[str, Any] = {"kind": runtime.store.dialect}
        try:
            migrations = await in_thread(_migrations, runtime)
            store.update(state="ready", migrations=migrations)
            status = 200
        except Exception as err:
            log.warning("health check: the store cannot be read: %s", err)
            store.update(state="unavailable", error=f"{type(err).__name__}: {err}".strip())
            status = 503
        body = {
            "object": "payintents.health",
            "status": "ok" if status == 200 else "unavailable",
            "store": store,
            "controls": runtime.config.keys is None or runtime.config.controls,
        }
        await send_response(send, status, orjson.dumps(body), rid, versions.DEFAULT_VERSION)

    return serve


def _migrations(runtime: Runtime) -> int:
    rows = runtime.store.read_one("SELECT COUNT(*) FROM schema_migrations", ())
    assert rows is not None
    return int(rows[0])
