"""Wires the parts together: store, runtime, routes, HTTP server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import sys
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from payintents.clock import Clock
from payintents.config import Config, config_from_json, config_to_json
from payintents.domain.versions import DEFAULT_VERSION
from payintents.processor import SimulatedProcessor
from payintents.resources import ENDPOINTS, SCHEMAS
from payintents.runtime import Runtime
from payintents.services.scheduler import run_due
from payintents.store import open_store
from payintents.store.base import OutcomeUnknown, RolledBack
from payintents.testing import routes as controls
from payintents.web import bank_pages, stripe_js, three_d_secure
from payintents.webhooks import forward
from payintents.webhooks.dispatcher import Dispatcher
from payintents.webhooks.vault import Vault, VaultError
from payintents.wire import idempotency, openapi
from payintents.wire.connections import Limits, ServerConfig, raise_open_files_limit
from payintents.wire.http import not_found_response, route
from payintents.wire.routing import ApiRouter


def build_runtime(config: Config) -> Runtime:
    store = open_store(
        config.database, config.pool_size, config.database_timeout, config.max_database_size
    )
    store.migrate()
    vault = Vault.from_env()
    try:
        # Refused at start, not per delivery, where the key cannot open the stored secrets.
        vault.check(store)
    except VaultError:
        store.close()
        raise
    return Runtime(
        config=config,
        store=store,
        clock=Clock(config.clock_offset),
        processor=SimulatedProcessor(),
        vault=vault,
    )


log = logging.getLogger("payintents")

# How often each process looks for due work (expiries, settlements).
SCHEDULER_INTERVAL = 1.0
# How often each process forgets idempotency keys past their 24 hours.
PRUNE_INTERVAL = 600.0


def _failed(what: str, err: Exception) -> None:
    """A background pass that failed: one line where the store could not do it (a full disk,
    the database away: said already by every request meanwhile), the traceback of a bug."""
    if isinstance(err, RolledBack | OutcomeUnknown):
        log.warning("%s failed in the store, retrying: %s", what, err)
    else:
        log.exception("%s failed; retrying", what)


async def _scheduler(runtime: Runtime) -> None:
    while True:
        try:
            while await run_in_threadpool(run_due, runtime):
                pass
        except Exception as err:
            _failed("scheduler pass", err)
        await asyncio.sleep(SCHEDULER_INTERVAL)


async def _forget_old_keys(runtime: Runtime) -> None:
    while True:
        try:
            await run_in_threadpool(idempotency.prune, runtime.store, runtime.clock.now())
        except Exception as err:
            _failed("pruning idempotency keys", err)
        await asyncio.sleep(PRUNE_INTERVAL)


def dispatcher_for(runtime: Runtime) -> Dispatcher:
    return Dispatcher(
        runtime.store,
        retry_schedule=runtime.config.webhook_retry_schedule,
        timeout=runtime.config.webhook_timeout,
        allow_internal=runtime.config.webhook_allow_internal,
        vault=runtime.vault,
    )


def build_app(runtime: Runtime) -> ApiRouter:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        tasks = [
            asyncio.create_task(_scheduler(runtime)),
            asyncio.create_task(_forget_old_keys(runtime)),
        ]
        if runtime.config.dispatcher:
            tasks.append(asyncio.create_task(dispatcher_for(runtime).run()))
        yield
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        runtime.store.close()

    # Public, like Stripe's published spec: it describes the API, not any account's data.
    spec = openapi.document(ENDPOINTS, SCHEMAS, DEFAULT_VERSION)

    async def openapi_json(request: Request) -> Response:
        return JSONResponse(spec)

    async def not_found(request: Request, exc: Exception) -> Response:
        return not_found_response(request, runtime)

    app = Starlette(
        routes=[
            Route("/openapi.json", openapi_json),
            *three_d_secure.routes(runtime),
            *bank_pages.routes(runtime),
            *stripe_js.routes(runtime),
        ],
        exception_handlers={404: not_found, 405: not_found},
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    return ApiRouter(
        [route(e, runtime) for e in ENDPOINTS] + controls.routes(runtime), fallback=app
    )


# `serve --workers N`: the parent hands each worker process its settings here.
WORKER_CONFIG_ENV = "PAYINTENTS_WORKER_CONFIG"


def create_app() -> ApiRouter:
    """ASGI factory for worker processes (`payintents.app:create_app`, factory=True): each
    builds its own runtime and store from the settings `serve` put in the environment."""
    return build_app(build_runtime(config_from_json(os.environ[WORKER_CONFIG_ENV])))


def listen(host: str, port: int) -> socket.socket:
    """The server's socket, bound before anything says it listens, so a port in use is one
    line naming it, not a traceback after "listening on"."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        hint = " (is another server running there? choose one with --port)"
        sys.exit(f"payintents: cannot listen on {host}:{port}: {err.strerror}{hint}")
    # Worker processes inherit it (serve --workers N).
    sock.set_inheritable(True)
    return sock


def serve(config: Config) -> None:
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    open_files = raise_open_files_limit()
    if open_files < config.max_connections + 64:
        print(
            f"payintents: warning: {open_files} open files allowed, fewer than "
            f"--max-connections {config.max_connections} needs; raise `ulimit -n`",
            flush=True,
        )
    limits = Limits(
        max_header_bytes=config.max_header_bytes,
        read_timeout=config.read_timeout,
        keep_alive_timeout=config.keep_alive_timeout,
        max_connections=config.max_connections,
    )
    sock = listen(config.host, config.port)
    runtime = build_runtime(config)
    forward.setup(runtime)
    options: dict[str, Any] = {
        "log_level": "warning",
        "access_log": False,
        "loop": "uvloop",
        # httptools, answering what its parser refuses with Stripe's error body.
        "http": "payintents.wire.server_protocol:StripeErrorsProtocol",
    }
    if config.workers <= 1:
        print(f"payintents: listening on http://{config.host}:{config.port}", flush=True)
        uvicorn.Server(ServerConfig(build_app(runtime), limits, **options)).run(sockets=[sock])
        return
    # Migrations and the forwarding endpoint are done once, here; the workers share nothing
    # but the store, so they build their own (a pool or connections of each process's own).
    runtime.store.close()
    os.environ[WORKER_CONFIG_ENV] = config_to_json(config)
    print(
        f"payintents: listening on http://{config.host}:{config.port} "
        f"with {config.workers} worker processes",
        flush=True,
    )
    workers = ServerConfig(
        "payintents.app:create_app", limits, factory=True, workers=config.workers, **options
    )
    Multiprocess(workers, sockets=[sock]).run()
