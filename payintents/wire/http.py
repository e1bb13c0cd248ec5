"""The request pipeline every endpoint shares: authenticate, decode, validate,
run the handler in a worker thread, and answer with Stripe's headers and bodies.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from payintents.domain import versions
from payintents.domain.ids import request_id as new_request_id
from payintents.errors import ApiError
from payintents.runtime import Runtime
from payintents.services.context import Ctx
from payintents.services.expansion import resolver
from payintents.wire import auth, expand, form, idempotency
from payintents.wire.errors import error_body, internal_error
from payintents.wire.params import Params

log = logging.getLogger("payintents")

MAX_BODY_BYTES = 1_000_000

# Keys this process is executing (see idempotency.InFlight).
IN_FLIGHT = idempotency.InFlight()

BASE_HEADERS = {
    "cache-control": "no-cache, no-store",
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "GET, HEAD, PUT, PATCH, POST, DELETE",
    "access-control-expose-headers": "Request-Id, Stripe-Manage-Version, Stripe-Should-Retry, "
    "X-Stripe-External-Auth-Required, X-Stripe-Privileged-Session-Required",
    "access-control-max-age": "300",
}

Handler = Callable[[Ctx, dict[str, Any], dict[str, str]], Any]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    params: Params
    handler: Handler
    # Publishable keys may call it (the handler checks the client_secret).
    publishable: bool = False
    # The object type it answers with, when always one: `expand[]` is checked before it runs.
    returns: str | None = None


def raw_response(
    status: int, body: bytes, request_id: str, version: str, extra: dict[str, str] | None = None
) -> Response:
    headers = {**BASE_HEADERS, "request-id": request_id, "stripe-version": version}
    if 400 <= status < 500 and status != 409:
        headers["stripe-should-retry"] = "false"
    if extra:
        headers.update(extra)
    return Response(body, status_code=status, headers=headers, media_type="application/json")


def json_response(status: int, body: Any, request_id: str, version: str) -> Response:
    return raw_response(status, orjson.dumps(body), request_id, version)


def render_error(err: ApiError, request_id: str, now: int, livemode: bool) -> bytes:
    return orjson.dumps(error_body(err, request_id, now, livemode))


def error_response(
    err: ApiError, request_id: str, version: str, now: int, livemode: bool = False
) -> Response:
    return raw_response(
        err.status, render_error(err, request_id, now, livemode), request_id, version
    )


async def read_params(request: Request) -> dict[str, Any]:
    if request.method in ("GET", "DELETE"):
        return form.decode(request.url.query)
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise ApiError(f"Request body too large: the limit is {MAX_BODY_BYTES} bytes.", status=413)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
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
    if request.url.query:
        for key, value in form.decode(request.url.query).items():
            params.setdefault(key, value)
    return params


def request_version(request: Request) -> str:
    version = request.headers.get("stripe-version")
    if version is None:
        return versions.DEFAULT_VERSION
    if not versions.is_valid(version):
        raise ApiError(f"Invalid Stripe API version: {version}")
    return version


def handle(
    endpoint: Endpoint, ctx: Ctx, params: dict[str, Any], path_params: dict[str, str]
) -> Any:
    """The handler's object, with what `expand[]` names in place of ids."""
    result = endpoint.handler(ctx, params, path_params)
    paths = params.get("expand")
    return expand.expand(result, paths, resolver(ctx)) if paths else result


def route(endpoint: Endpoint, runtime: Runtime) -> Route:
    async def serve(request: Request) -> Response:
        rid = new_request_id()
        now = runtime.clock.now()
        version = versions.DEFAULT_VERSION
        livemode = False
        try:
            version = request_version(request)
            principal = auth.authenticate(
                request.headers.get("authorization"), runtime.config.api_keys
            )
            livemode = principal.livemode
            if not endpoint.publishable:
                auth.require_secret(principal)
            tree = await read_params(request)
            params = endpoint.params.parse(tree)
            publishable = principal.kind == "publishable"
            expand.check(params.get("expand", ()), endpoint.returns, publishable)
            ctx = Ctx(
                account=principal.account,
                livemode=principal.livemode,
                key_kind=principal.kind,
                publishable_key=principal.publishable_key,
                request_id=rid,
                version=version,
                now=now,
                idempotency_key=request.headers.get("idempotency-key"),
                base_url=str(request.base_url).rstrip("/"),
                runtime=runtime,
            )
            path_params = dict(request.path_params)
            # Stripe: keys have no effect on GET and DELETE, which are idempotent already.
            if request.method == "POST" and ctx.idempotency_key is not None:
                return await _idempotent(
                    request, ctx.idempotency_key, ctx, tree, endpoint, params, path_params
                )
            result = await run_in_threadpool(handle, endpoint, ctx, params, path_params)
        except ApiError as err:
            return error_response(err, rid, version, now, livemode)
        except Exception:
            log.exception("unhandled error in %s %s", request.method, request.url.path)
            return error_response(internal_error(), rid, version, now, livemode)
        return json_response(200, result, rid, version)

    return Route(endpoint.path, serve, methods=[endpoint.method])


async def _idempotent(
    request: Request,
    key: str,
    ctx: Ctx,
    tree: dict[str, Any],
    endpoint: Endpoint,
    params: dict[str, Any],
    path_params: dict[str, str],
) -> Response:
    idempotency.check_key(key)

    def execute() -> idempotency.Result:
        try:
            return 200, orjson.dumps(handle(endpoint, ctx, params, path_params))
        except ApiError as err:
            return err.status, render_error(err, ctx.request_id, ctx.now, ctx.livemode)

    (status, body), original = await run_in_threadpool(
        lambda: idempotency.run(
            ctx.store,
            IN_FLIGHT,
            scope=ctx.scope,
            key=key,
            endpoint=request.url.path,
            params=tree,
            request_id=ctx.request_id,
            now=ctx.now,
            execute=execute,
        )
    )
    headers = {"idempotency-key": key, "original-request": original or ctx.request_id}
    if original is not None:
        headers["idempotent-replayed"] = "true"
    return raw_response(status, body, ctx.request_id, ctx.version, headers)


def not_found_response(request: Request, runtime: Runtime) -> Response:
    rid = new_request_id()
    err = ApiError(
        f"Unrecognized request URL ({request.method}: {request.url.path}). Please see "
        "https://stripe.com/docs or we can help at https://support.stripe.com/.",
        status=404,
    )
    return error_response(err, rid, versions.DEFAULT_VERSION, runtime.clock.now())
