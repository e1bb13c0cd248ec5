from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import stripe

from tests.browser import browser, chromium, merchant  # noqa: F401  (fixtures of the browser tests)
from tests.pg import pg_connection, temp_schema
from tests.server import ServerProcess

STORES = ["sqlite", "postgres"]


@contextmanager
def database(store: str, folder: Path) -> Iterator[str]:
    """A new, empty database: a SQLite file in `folder`, or a PostgreSQL schema of its own
    (dropped afterwards; the test is skipped, saying why, if PostgreSQL is unreachable)."""
    if store == "sqlite":
        yield str(folder / "shared.sqlite3")
        return
    with temp_schema() as url:
        yield url


def query(database: str, text: str) -> list[tuple[Any, ...]]:
    """Rows of one SQL statement (valid in both dialects) run on a server's database, to see
    what the API does not show (webhook deliveries' claims, the journal mode)."""
    if "://" in database:
        return pg_connection(database).execute(text).fetchall()
    with closing(sqlite3.connect(database)) as conn:
        return conn.execute(text).fetchall()


@pytest.fixture(scope="session", params=STORES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """One server per store for the session; tests isolate themselves by using their own
    API key. Every test that uses it runs on SQLite and on PostgreSQL."""
    folder = tmp_path_factory.mktemp("db")
    with database(request.param, folder) as db:
        proc = ServerProcess(db, log_path=folder / f"{request.param}.log").start()
        yield proc
        proc.stop()


def new_key() -> str:
    return "sk_test_" + secrets.token_hex(12)


def publishable(secret_key: str) -> str:
    """The publishable key of a `sk_test_` key's account (its `pk_test_` twin)."""
    return "pk_test_" + secret_key.removeprefix("sk_test_")


def error(resp: httpx.Response) -> dict[str, Any]:
    """The `error` of a Stripe error body, which holds nothing else."""
    body = resp.json()
    assert set(body) == {"error"}
    return body["error"]


def make_client(
    server: ServerProcess, key: str | None = None, version: str | None = None
) -> stripe.StripeClient:
    """An SDK client of the server, with no retries; `version` pins its Stripe-Version."""
    return stripe.StripeClient(
        api_key=key or new_key(),
        base_addresses={"api": server.url},
        stripe_version=version,
        max_network_retries=0,
    )


@pytest.fixture
def api_key() -> str:
    return new_key()


@pytest.fixture
def client(server: ServerProcess, api_key: str) -> stripe.StripeClient:
    return make_client(server, api_key)


@pytest.fixture(params=STORES)
def own_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of the test's own (`--database` value), on each store in turn."""
    with database(request.param, tmp_path) as db:
        yield db


@pytest.fixture
def fresh_server(own_database: str, tmp_path: Path) -> Iterator[ServerProcess]:
    """A server of the test's own, on its own database, to stop, kill and restart."""
    proc = ServerProcess(own_database, log_path=tmp_path / "server.log")
    yield proc
    proc.stop()
