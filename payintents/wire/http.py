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
from payintents.wire import auth, form
from payintents.wire.errors import error_body, internal_error
from payintents.wire.params import Params

log = logging.getLogger("payintents")

MAX_BODY_BYTES = 1_000_000

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


def json_response(
    status: int, body: Any, request_id: str, version: str, extra: dict[str, str] | None = None
) -> Response:
    headers = {**BASE_HEADERS, "request-id": request_id, "stripe-version": version}
    if extra:
        headers.update(extra)
    return Response(
        orjson.dumps(body), status_code=status, headers=headers, media_type="application/json"
    )


def error_response(
    err: ApiError, request_id: str, version: str, now: int, livemode: bool = False
) -> Response:
    extra = {"stripe-should-retry": "false"} if err.status < 500 and err.status != 409 else None
    return json_response(
        err.status, error_body(err, request_id, now, livemode), request_id, version, extra
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
            result = await run_in_threadpool(
                endpoint.handler, ctx, params, dict(request.path_params)
            )
        except ApiError as err:
            return error_response(err, rid, version, now, livemode)
        except Exception:
            log.exception("unhandled error in %s %s", request.method, request.url.path)
            return error_response(internal_error(), rid, version, now, livemode)
        return json_response(200, result, rid, version)

    return Route(endpoint.path, serve, methods=[endpoint.method])


def not_found_response(request: Request, runtime: Runtime) -> Response:
    rid = new_request_id()
    err = ApiError(
        f"Unrecognized request URL ({request.method}: {request.url.path}). Please see "
        "https://stripe.com/docs or we can help at https://support.stripe.com/.",
        status=404,
    )
    return error_response(err, rid, versions.DEFAULT_VERSION, runtime.clock.now())
