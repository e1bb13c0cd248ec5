"""The API router picks the route Starlette's router would pick for every endpoint."""

from __future__ import annotations

import pytest
from starlette.routing import Match, Route

from payintents.resources import ENDPOINTS
from payintents.wire.http import Endpoint
from payintents.wire.routing import ApiRouter, Receive, Scope, Send, Serve


def stand_in() -> Serve:
    async def serve(scope: Scope, receive: Receive, send: Send, path: dict[str, str]) -> None:
        pass

    return serve


HANDLERS = [stand_in() for _ in ENDPOINTS]
ROUTER = ApiRouter(
    [(e.method, e.path, h) for e, h in zip(ENDPOINTS, HANDLERS, strict=True)], fallback=None
)
STARLETTE = [Route(e.path, lambda r: None, methods=[e.method]) for e in ENDPOINTS]


def starlette_match(method: str, path: str) -> tuple[int, dict[str, str]] | None:
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    for n, r in enumerate(STARLETTE):
        match, child = r.matches(scope)
        if match is Match.FULL:
            return n, child["path_params"]
    return None


def concrete(path: str) -> str:
    return path.replace("{", "x_").replace("}", "")


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method} {e.path}")
def test_same_route_and_params_as_starlette(endpoint: Endpoint) -> None:
    for path in (endpoint.path, concrete(endpoint.path), "/v1/payment_intents/search"):
        found = ROUTER.match(endpoint.method, path)
        expected = starlette_match(endpoint.method, path)
        got = None if found is None else (HANDLERS.index(found[0]), found[1])
        assert got == expected


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/payment_intents/"),  # Starlette redirects the slash
        ("PUT", "/v1/payment_intents"),  # 405 from Starlette
        ("GET", "/v1/payment_intents/pi_1/capture/x"),
        ("GET", "/openapi.json"),
    ],
)
def test_other_requests_go_to_starlette(method: str, path: str) -> None:
    assert ROUTER.match(method, path) is None


def test_head_takes_the_get_route() -> None:
    found = ROUTER.match("HEAD", "/v1/payment_intents/pi_1")
    assert found is not None
    assert found == ROUTER.match("GET", "/v1/payment_intents/pi_1")
    assert found[1] == {"intent": "pi_1"}
