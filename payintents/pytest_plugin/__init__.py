"""pytest plugin, installed with the package (entry point `pytest11`), so a test suite needs no
conftest to use payintents:

- `payintents_server` (session): a payintents server started on a free port with a temporary
  SQLite file, or the one at `--payintents-url` / `PAYINTENTS_URL`; `.url` is its address.
- `stripe_client`: a `stripe.StripeClient` of that server on a fresh account (a new secret
  key), so tests never see each other's objects and may run in parallel (pytest-xdist).
- `payintents`: the testing controls of that same account: `advance_time`, `inject_fault`,
  `faults`, `clear_faults`, `reset`, `clock`.
- `stripe_webhooks`: a local receiver registered as a webhook endpoint of that account, which
  verifies every delivery with `stripe.Webhook.construct_event`; `wait_for(type)` returns the
  verified event, `events` lists them.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from payintents.pytest_plugin.controls import Payintents
from payintents.pytest_plugin.receiver import WebhookReceiver
from payintents.pytest_plugin.server import LocalServer, wait_until_healthy

if TYPE_CHECKING:
    import stripe

__all__ = ["Payintents", "PayintentsServer", "StripeWebhooks"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("payintents")
    group.addoption(
        "--payintents-url",
        default=os.environ.get("PAYINTENTS_URL"),
        help="use the payintents server at this URL instead of starting one (env PAYINTENTS_URL)",
    )
    group.addoption(
        "--payintents-webhook-host",
        default=os.environ.get("PAYINTENTS_WEBHOOK_HOST", "127.0.0.1"),
        help="the address the server reaches this test process at, for stripe_webhooks "
        "(default 127.0.0.1; env PAYINTENTS_WEBHOOK_HOST)",
    )


class PayintentsServer:
    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")


@pytest.fixture(scope="session")
def payintents_server(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PayintentsServer]:
    url = pytestconfig.getoption("payintents_url")
    if url:
        wait_until_healthy(url.rstrip("/"), timeout=30)
        yield PayintentsServer(url)
        return
    local = LocalServer(tmp_path_factory.mktemp("payintents"))
    try:
        yield PayintentsServer(local.url)
    finally:
        local.stop()


@pytest.fixture
def payintents_api_key() -> str:
    """The secret key of this test's own account."""
    return "sk_test_" + secrets.token_hex(16)


@pytest.fixture
def stripe_client(
    payintents_server: PayintentsServer, payintents_api_key: str
) -> stripe.StripeClient:
    import stripe

    return stripe.StripeClient(
        api_key=payintents_api_key, base_addresses={"api": payintents_server.url}
    )


@pytest.fixture
def payintents(
    payintents_server: PayintentsServer, payintents_api_key: str
) -> Iterator[Payintents]:
    controls = Payintents(payintents_server.url, payintents_api_key)
    yield controls
    controls.close()


class StripeWebhooks:
    """The verified events the test's account sent to its endpoint."""

    def __init__(self, receiver: WebhookReceiver, endpoint_id: str) -> None:
        self.receiver = receiver
        self.endpoint_id = endpoint_id

    @property
    def events(self) -> list[stripe.Event]:
        """Every verified delivery, in arrival order (a retried event appears again)."""
        import stripe

        with self.receiver.lock:
            payloads = [event for event, _ in self.receiver.requests]
        return [stripe.Event.construct_from(p, key=None) for p in payloads]

    def wait_for(self, type: str, timeout: float = 10.0) -> stripe.Event:
        """The first verified event of this type, waiting up to `timeout` seconds for it."""
        import stripe

        found: list[dict[str, Any]] = []

        def arrived() -> bool:
            found[:] = [e for e, _ in self.receiver.requests if e["type"] == type]
            return bool(found)

        self.receiver.wait(arrived, timeout)
        return stripe.Event.construct_from(found[0], key=None)


@pytest.fixture
def stripe_webhooks(
    stripe_client: stripe.StripeClient, pytestconfig: pytest.Config
) -> Iterator[StripeWebhooks]:
    host = pytestconfig.getoption("payintents_webhook_host")
    # A server elsewhere (Docker, another host) reaches this process by name on any interface.
    local = host in ("127.0.0.1", "localhost")
    receiver = WebhookReceiver(bind="127.0.0.1" if local else "0.0.0.0", public_host=host)
    endpoint = stripe_client.v1.webhook_endpoints.create(
        params={"url": receiver.url, "enabled_events": ["*"]}
    )
    receiver.secret = endpoint.secret
    try:
        yield StripeWebhooks(receiver, endpoint.id)
    finally:
        receiver.close()
    assert not receiver.failures, f"webhook deliveries that did not verify: {receiver.failures}"
