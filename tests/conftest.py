from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import stripe

from tests.server import ServerProcess


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for the session; tests isolate themselves by using their own API key."""
    db = tmp_path_factory.mktemp("db") / "shared.sqlite3"
    proc = ServerProcess(str(db)).start()
    yield proc
    proc.stop()


def new_key() -> str:
    return "sk_test_" + secrets.token_hex(12)


def make_client(server: ServerProcess, key: str | None = None) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key=key or new_key(),
        base_addresses={"api": server.url},
        max_network_retries=0,
    )


@pytest.fixture
def api_key() -> str:
    return new_key()


@pytest.fixture
def client(server: ServerProcess, api_key: str) -> stripe.StripeClient:
    return make_client(server, api_key)


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server of the test's own, on its own database, to stop, kill and restart."""
    proc = ServerProcess(str(tmp_path / "own.sqlite3"))
    yield proc
    proc.stop()
