"""The test controls (/_payintents) as a test drives them: over HTTP with an account's key."""

from __future__ import annotations

from typing import Any

import httpx
import stripe

from tests.http_client import HTTP
from tests.server import ServerProcess


def call(
    server: ServerProcess, key: str | None, verb: str, route: str, **params: Any
) -> httpx.Response:
    """`verb /_payintents<route>` with the key (None: no key); POST sends a form."""
    form = {k: str(v) for k, v in params.items()}
    return HTTP.request(
        verb,
        f"{server.url}/_payintents{route}",
        auth=(key, "") if key else None,
        data=form if verb == "POST" else None,
        params=form if verb != "POST" else None,
        timeout=120,
    )


def ok(resp: httpx.Response) -> dict[str, Any]:
    assert resp.status_code == 200, resp.text
    return resp.json()


def clock(server: ServerProcess, key: str) -> dict[str, Any]:
    return ok(call(server, key, "GET", "/clock"))


def advance(server: ServerProcess, key: str, **params: Any) -> dict[str, Any]:
    return ok(call(server, key, "POST", "/clock/advance", **params))


def fault(server: ServerProcess, key: str, **params: Any) -> dict[str, Any]:
    return ok(call(server, key, "POST", "/faults", **params))


def refused(resp: httpx.Response, status: int, **expected: Any) -> None:
    """A Stripe error body with exactly these fields, with Stripe-Should-Retry: false on a
    4xx."""
    assert resp.status_code == status, resp.text
    assert resp.json() == {"error": expected}
    if 400 <= status < 500:
        assert resp.headers["stripe-should-retry"] == "false"


def retrying_client(server: ServerProcess, key: str, **http: Any) -> stripe.StripeClient:
    """An SDK client that retries as a production integration should (the same
    Idempotency-Key on every retry of a POST)."""
    return stripe.StripeClient(
        api_key=key,
        base_addresses={"api": server.url},
        max_network_retries=2,
        http_client=stripe.RequestsClient(**http) if http else None,
    )
