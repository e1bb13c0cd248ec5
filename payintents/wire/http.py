"""The request pipeline every endpoint shares: authenticate, decode, validate,
run the handler, and answer with Stripe's headers and bodies.

Endpoints are plain ASGI handlers (routing.ApiRouter dispatches to them). A read on SQLite
runs on the event loop, and so does a write when SQLite's write lock is free; any other
runs in a worker thread, so the event loop keeps serving while it waits for the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson
from starlette.requests import Request
from starlette.responses import Response

from payintents.domain import versions
from payintents.domain.ids import request_id as new_request_id
from payintents.errors import ApiError
from payintents.runtime import Runtime
from payintents.services.context import Ctx
from payintents.services.expansion import resolver
from payintents.store.controls import NONE, AccountControls
from payintents.testing import hooks
from payintents.wire import auth, expand, form, idempotency, permissions
from payintents.wire.errors import error_body, internal_error, store_failure
from payintents.wire.params import Params
from payintents.wire.routing import Receive, Scope, Send, Serve

log = logging.getLogger("payintents")

T = TypeVar("T")

MAX_BODY_BYTES = 1_000_000

# Keys this process is executing (see idempotency.InFlight).
IN_FLIGHT = idempotency.InFlight()

# Threads for handlers that may block: enough for every connection of a busy client to be
# queued on SQLite's writer, so they share its commits (store/sqlite.py, group commit).
THREADS = ThreadPoolExecutor(max_workers=32, thread_name_prefix="payintents")

BASE_HEADERS = {
    "cache-control": "no-cache, no-store",
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "GET, HEAD, PUT, PATCH, POST, DELETE",
    "access-control-expose-headers": "Request-Id, Stripe-Manage-Version, Stripe-Should-Retry, "
    "X-Stripe-External-Auth-Required, X-Stripe-Privileged-Session-Required",
    "access-control-max-age": "300",
}
_RAW_BASE_HEADERS = [(k.encode(), v.encode()) for k, v in BASE_HEADERS.items()] + [
    (b"content-type", b"application/json")
]

Handler = Callable[[Ctx, dict[str, Any], dict[str, str]], Any]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    params: Params
    handler: Handler
    # Publishable keys may call it (the handler checks the client_secret).
    publishable: bool = False
    # Secret and restricted keys may call it (all but what only Stripe.js calls).
    secret: bool = True
    # The object type it answers with, when always one: `expand[]` is checked before it runs.
    returns: str | None = None
    # The JSON Schema of its answer in /openapi.json, when not just the `returns` object's.
    response: dict[str, Any] | None = None
    # The resource it acts on (permissions.RESOURCES), for restricted keys' grants; None: no
    # restricted key may call it.
    resource: str | None = None
    # The access it needs to the resource; None: read for GET, write for POST and DELETE.
    access: str | None = None
    # Checks of its parameters that wait on the network (a DNS lookup), awaited before the
    # handler runs and outside any transaction; they raise ApiError.
    check: Callable[[Ctx, dict[str, Any]], Awaitable[None]] | None = None

    def __post_init__(self) -> None:
        if self.resource is not None and self.resource not in permissions.RESOURCES:
            raise ValueError(f"{self.method} {self.path}: unknown resource {self.resource}")

    @property
    def needs(self) -> str:
        return self.access or permissions.access_of(self.method)


def response_headers(
    status: int, request_id: str, version: str, extra: dict[str, str] | None = None
) -> dict[str, str]:
    headers = {**BASE_HEADERS, "request-id": request_id, "stripe-version": version}
    if 400 <= status < 500 and status != 409:
        headers["stripe-should-retry"] = "false"
    if extra:
        headers.update(extra)
    return headers


def raw_response(status: int, body: bytes, request_id: str, version: str) -> Response:
    return Response(
        body,
        status_code=status,
        headers=response_headers(status, request_id, version),
        media_type="application/json",
    )


async def send_response(
    send: Send,
    status: int,
    body: bytes,
    request_id: str,
    version: str,
    extra: dict[str, str] | None = None,
) -> None:
    headers = [
        *_RAW_BASE_HEADERS,
        (b"content-length", str(len(body)).encode()),
        (b"request-id", request_id.encode()),
        (b"stripe-version", version.encode()),
    ]
    if 400 <= status < 500 and status != 409 and not (extra and "stripe-should-retry" in extra):
        headers.append((b"stripe-should-retry", b"false"))
    if extra:
        headers.extend((k.encode(), v.encode("latin-1")) for k, v in extra.items())
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def render_error(err: ApiError) -> bytes:
    return orjson.dumps(error_body(err))


def failure_answer(
    exc: Exception, method: str, path: str
) -> tuple[int, bytes, dict[str, str] | None]:
    """Status, body and headers of a request that failed with an error not its own: the
    store's (with Stripe-Should-Retry where a retry is safe), or a bug's."""
    failed = store_failure(exc)
    if failed is not None:
        log.warning("%s %s failed in the store: %s", method, path, exc)
        err, headers = failed
        return err.status, render_error(err), headers
    log.exception("unhandled error in %s %s", method, path)
    err = internal_error()
    return err.status, render_error(err), None


class Disconnected(Exception):
    """The client went away before its request body arrived."""


async def read_body(receive: Receive) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Disconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ApiError(
                f"Request body too large: the limit is {MAX_BODY_BYTES} bytes.", status=413
            )
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def request_headers(scope: Scope) -> dict[str, str]:
    """The first value of each header (ASGI servers give lowercase names)."""
    headers: dict[str, str] = {}
    for name, value in scope["headers"]:
        headers.setdefault(name.decode("latin-1"), value.decode("latin-1"))
    return headers


def base_url(scope: Scope, headers: dict[str, str]) -> str:
    """What Starlette's `request.base_url` gives, without its trailing slash."""
    scheme = scope.get("scheme", "http")
    host = headers.get("host")
    if host is None:
        server = scope.get("server")
        if server is None:
            return scope.get("root_path", "").rstrip("/")
        name, port = server
        default = 443 if scheme in ("https", "wss") else 80
        host = name if port == default else f"{name}:{port}"
    return f"{scheme}://{host}{scope.get('root_path', '')}".rstrip("/")


def read_params(method: str, query: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    if method != "POST":
        return form.decode(query)
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json" or (
        content_type == "" and body.lstrip()[:1] in (b"{", b"[")
    ):
        raise ApiError(
            "Invalid request: the body must be application/x-www-form-urlencoded, as Stripe's "
            "API expects (for example amount=2000&currency=usd); JSON bodies are not accepted."
        )
    if content_type not in ("", "application/x-www-form-urlencoded"):
        raise ApiError(
            f"Invalid request: unsupported Content-Type {content_type}; use "
            "application/x-www-form-urlencoded."
        )
    params = form.decode(body)
    # Stripe reads query-string parameters on POST too.
    if query:
        for key, value in form.decode(query).items():
            params.setdefault(key, value)
    return params


def request_version(headers: dict[str, str]) -> str:
    version = headers.get("stripe-version")
    if version is None:
        return versions.DEFAULT_VERSION
    if not versions.is_valid(version):
        raise ApiError(f"Invalid Stripe API version: {version}")
    return version


def check_path(path_params: dict[str, str]) -> None:
    for name, value in path_params.items():
        if "\x00" in value:
            raise form.null_byte(name)


def authorize(endpoint: Endpoint, principal: auth.Principal, headers: dict[str, str]) -> None:
    """What the key may do here: its account only, a publishable key only where Stripe.js
    may go, a restricted key only within its grants."""
    auth.check_account(principal, headers.get("stripe-account"))
    if not endpoint.publishable:
        auth.require_secret(principal)
    if not endpoint.secret:
        auth.require_publishable(principal)
    if principal.grants is not None:
        permissions.require(
            principal.grants, principal.key, principal.account, endpoint.resource, endpoint.needs
        )


def objects_resolver(ctx: Ctx, principal: auth.Principal) -> expand.Resolve:
    """How `expand[]` finds objects: in the request's account, of the types the key may read."""
    resolve = resolver(ctx)
    if principal.grants is None:
        return resolve
    return permissions.guarded(resolve, principal.grants, principal.key, principal.account)


def handle(
    endpoint: Endpoint,
    ctx: Ctx,
    params: dict[str, Any],
    path_params: dict[str, str],
    principal: auth.Principal,
) -> Any:
    """The handler's object, with what `expand[]` names in place of ids."""
    result = endpoint.handler(ctx, params, path_params)
    paths = params.get("expand")
    return expand.expand(result, paths, objects_resolver(ctx, principal)) if paths else result


def answer_of(
    endpoint: Endpoint,
    ctx: Ctx,
    params: dict[str, Any],
    path_params: dict[str, str],
    principal: auth.Principal,
) -> idempotency.Result:
    """Status and body, an error answer included: a handler may raise after it committed
    (a decline), and the transaction around this call must commit too."""
    try:
        return 200, orjson.dumps(handle(endpoint, ctx, params, path_params, principal))
    except ApiError as err:
        return err.status, render_error(err)


def answer_at_account_time(
    endpoint: Endpoint,
    ctx: Ctx,
    account: AccountControls | None,
    faults: bool,
    params: dict[str, Any],
    path_params: dict[str, str],
    principal: auth.Principal,
) -> idempotency.Result | None:
    """answer_of at the account's time; None where a fault rule may apply (hooks)."""
    timed = hooks.at_account_time(ctx, account, faults)
    return None if timed is None else answer_of(endpoint, timed, params, path_params, principal)


async def in_thread(fn: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(THREADS, fn, *args)


async def in_write(ctx: Ctx, fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` for a request that may write (any but a read the loop runs itself). On
    the event loop, in a write transaction answered once committed, when the store can begin
    one without waiting (SQLite with its write lock free, or once the store has taken it for
    the loop): no thread hand-off, no contention for the GIL while the write lock is held, and
    the requests the loop has in hand share one COMMIT. Else in a worker thread, where `fn`'s
    own transactions wait as they need to."""
    begun = ctx.store.write_now()
    if begun is None and await ctx.store.writable():
        begun = ctx.store.write_now()
    if begun is None:
        return await in_thread(fn, *args)
    with begun:
        result = fn(*args)
    await ctx.store.committed()
    return result


# Where the HTTP server puts a callable that closes the request's connection at once, without
# an answer (server_protocol.py): a `drop_after_commit` fault rule's answer.
ABORT = "payintents.abort"

# (status, body, extra headers) of one request; None: a fault rule may apply, ask it first.
Outcome = tuple[int, bytes, dict[str, str] | None] | None


def route(endpoint: Endpoint, runtime: Runtime) -> tuple[str, str, Serve]:
    # A read on a store that answers in well under a millisecond (SQLite) runs on the event
    # loop: handing it to a thread and back would cost more than the read.
    inline = endpoint.method == "GET" and runtime.store.inline_reads

    async def run(
        ctx: Ctx,
        principal: auth.Principal,
        account: AccountControls | None,
        faults: bool,
        tree: dict[str, Any],
        params: dict[str, Any],
        path: dict[str, str],
        url: str,
    ) -> Outcome:
        """The request at its account's time. `account` is the account's row where reading
        it here costs less than a thread hand-off (SQLite); else it is read where the work
        runs, in the worker thread."""
        if account is not None:
            timed = hooks.at_account_time(ctx, account, faults)
            if timed is None:
                return None
            # Applied: nothing is left to apply where the work runs.
            ctx, account = timed, NONE
        # Stripe: keys have no effect on GET and DELETE, which are idempotent already.
        if ctx.idempotency_key is not None and endpoint.method == "POST":
            return await _idempotent(
                url,
                ctx.idempotency_key,
                ctx,
                account,
                faults,
                tree,
                endpoint,
                params,
                path,
                principal,
            )
        if inline:
            return 200, orjson.dumps(handle(endpoint, ctx, params, path, principal)), None
        answer = await in_write(
            ctx, answer_at_account_time, endpoint, ctx, account, faults, params, path, principal
        )
        return None if answer is None else (*answer, None)

    async def serve(scope: Scope, receive: Receive, send: Send, path: dict[str, str]) -> None:
        rid = new_request_id()
        now = runtime.clock.now()
        version = versions.DEFAULT_VERSION
        method = scope["method"]
        status, extra, drop = 200, None, False
        try:
            headers = request_headers(scope)
            body = await read_body(receive) if method == "POST" else b""
            tree = read_params(method, scope["query_string"].decode("latin-1"), headers, body)
            check_path(path)
            auth.take_form_credentials(headers, tree)
            version = request_version(headers)
            principal = auth.authenticate(headers.get("authorization"), runtime.config.keys)
            authorize(endpoint, principal, headers)
            params = endpoint.params.parse(tree)
            publishable = principal.kind == "publishable"
            targets = expand.check(params.get("expand", ()), endpoint.returns, publishable)
            if principal.grants is not None:
                permissions.require_objects(
                    principal.grants, principal.key, principal.account, targets
                )
            ctx = Ctx(
                account=principal.account,
                livemode=principal.livemode,
                key_kind=principal.kind,
                publishable_key=principal.publishable_key,
                request_id=rid,
                version=version,
                now=now,
                idempotency_key=headers.get("idempotency-key"),
                base_url=runtime.config.public_url or base_url(scope, headers),
                runtime=runtime,
                country=principal.country,
                client_ip=(scope.get("client") or (None,))[0],
                user_agent=headers.get("user-agent"),
            )
            if endpoint.check is not None:
                await endpoint.check(ctx, params)
            url = scope.get("root_path", "") + scope["path"]
            account = hooks.peek(ctx) if runtime.store.inline_reads else None
            outcome = await run(ctx, principal, account, True, tree, params, path, url)
            if outcome is None:
                fault, ctx = await in_thread(hooks.fault, ctx, method, scope["path"])
                if fault is not None and fault.error is not None:
                    err = fault.error
                    outcome = err.status, render_error(err), fault.headers
                else:
                    if fault is not None and fault.delay_ms:
                        await asyncio.sleep(fault.delay_ms / 1000)
                    drop = fault is not None and fault.mode == "drop_after_commit"
                    outcome = await run(ctx, principal, NONE, False, tree, params, path, url)
                assert outcome is not None
            status, answer, extra = outcome
        except Disconnected:
            return
        except ApiError as err:
            status, answer = err.status, render_error(err)
        except Exception as exc:
            status, answer, extra = failure_answer(exc, method, scope["path"])
        if drop:
            # Committed (the write was awaited), and no answer: the client sees the
            # connection close, as when a response is lost on the way.
            scope["extensions"][ABORT]()
            return
        await send_response(send, status, answer, rid, version, extra)

    return endpoint.method, endpoint.path, serve


async def _idempotent(
    path: str,
    key: str,
    ctx: Ctx,
    account: AccountControls | None,
    faults: bool,
    tree: dict[str, Any],
    endpoint: Endpoint,
    params: dict[str, Any],
    path_params: dict[str, str],
    principal: auth.Principal,
) -> Outcome:
    idempotency.check_key(key)

    def run() -> tuple[idempotency.Result, str | None] | None:
        timed = hooks.at_account_time(ctx, account, faults)
        if timed is None:
            return None
        return idempotency.run(
            timed.store,
            scope=timed.scope,
            key=key,
            endpoint=path,
            params=tree,
            request_id=timed.request_id,
            now=timed.now,
            execute=lambda: answer_of(endpoint, timed, params, path_params, principal),
        )

    # Held from before the write waits for the store's lock (on the loop, see in_write), so
    # a repeat arriving meanwhile is refused at once.
    with IN_FLIGHT.hold(ctx.scope, key):
        result = await in_write(ctx, run)
    if result is None:
        return None
    (status, body), original = result
    headers = {"idempotency-key": key, "original-request": original or ctx.request_id}
    if original is not None:
        headers["idempotent-replayed"] = "true"
    return status, body, headers


def not_found_response(request: Request, runtime: Runtime) -> Response:
    rid = new_request_id()
    err = ApiError(
        f"Unrecognized request URL ({request.method}: {request.url.path}). Please see "
        "https://stripe.com/docs or we can help at https://support.stripe.com/.",
        status=404,
    )
    body = render_error(err)
    return raw_response(err.status, body, rid, versions.DEFAULT_VERSION)
