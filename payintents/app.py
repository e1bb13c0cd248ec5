"""Wires the parts together: store, runtime, routes, HTTP server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from payintents.clock import Clock
from payintents.config import Config
from payintents.processor import SimulatedProcessor
from payintents.resources import ENDPOINTS
from payintents.runtime import Runtime
from payintents.services.scheduler import run_due
from payintents.store.sqlite import SqliteStore
from payintents.web import three_d_secure
from payintents.wire.http import not_found_response, route


def build_runtime(config: Config) -> Runtime:
    store = SqliteStore(config.database)
    store.migrate()
    return Runtime(
        config=config,
        store=store,
        clock=Clock(config.clock_offset),
        processor=SimulatedProcessor(),
    )


log = logging.getLogger("payintents")

# How often each process looks for due work (expiries, settlements).
SCHEDULER_INTERVAL = 1.0


async def _scheduler(runtime: Runtime) -> None:
    while True:
        try:
            while await run_in_threadpool(run_due, runtime):
                pass
        except Exception:
            log.exception("scheduler pass failed; retrying")
        await asyncio.sleep(SCHEDULER_INTERVAL)


def build_app(runtime: Runtime) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(_scheduler(runtime))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        runtime.store.close()

    async def not_found(request: Request, exc: Exception) -> Response:
        return not_found_response(request, runtime)

    app = Starlette(
        routes=[*(route(e, runtime) for e in ENDPOINTS), *three_d_secure.routes(runtime)],
        exception_handlers={404: not_found, 405: not_found},
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    return app


def serve(config: Config) -> None:
    import uvicorn

    runtime = build_runtime(config)
    print(f"payintents: listening on http://{config.host}:{config.port}", flush=True)
    uvicorn.run(
        build_app(runtime),
        host=config.host,
        port=config.port,
        log_level="warning",
        access_log=False,
        loop="uvloop",
        http="httptools",
    )
