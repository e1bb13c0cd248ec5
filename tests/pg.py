"""PostgreSQL for tests: a schema of each test run's own in database `test`, dropped after.

CI has PostgreSQL at 127.0.0.1:5432 with trust auth for users postgres and root (scripts/test
starts the machine's cluster when CI=true and it is not answering);
PAYINTENTS_TEST_POSTGRES=postgresql://... points the tests at another server. Where none
answers, the tests that need it skip with the URLs tried and their errors as the reason, which
pytest's -ra (pyproject.toml) prints in the summary.
"""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import psycopg
import pytest

CANDIDATES = (
    "postgresql://postgres@127.0.0.1:5432/test",
    "postgresql://root@127.0.0.1:5432/test",
)


@functools.cache
def _admin_url() -> tuple[str | None, str]:
    """(a URL that connects, or None; why none did)."""
    override = os.environ.get("PAYINTENTS_TEST_POSTGRES")
    errors = []
    for url in (override,) if override else CANDIDATES:
        try:
            with psycopg.connect(url, connect_timeout=5):
                return url, ""
        except psycopg.Error as err:
            errors.append(f"{url}: {str(err).strip()}")
    return None, "; ".join(errors)


def postgres_reachable() -> bool:
    return _admin_url()[0] is not None


def admin_url() -> str:
    """A URL of the test database, or skip the test saying why there is none."""
    url, why = _admin_url()
    if url is None:
        pytest.skip(f"PostgreSQL unreachable: {why}")
    return url


def schema_url(base: str, schema: str) -> str:
    """`base` with every connection's search_path set to `schema`."""
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options={quote(f'-c search_path={schema}', safe='')}"


# One connection per schema URL while the schema lives: opening one per query made the fuzzing
# runs, which look at the rows around every request, spend most of their time connecting.
_CONNECTIONS: dict[str, psycopg.Connection[Any]] = {}


def pg_connection(url: str) -> psycopg.Connection[Any]:
    """An autocommit connection to `url`, kept until its schema is dropped."""
    conn = _CONNECTIONS.get(url)
    if conn is None or conn.closed:
        conn = _CONNECTIONS[url] = psycopg.connect(url, autocommit=True)
    return conn


@contextmanager
def temp_schema(prefix: str = "t") -> Iterator[str]:
    """A new, empty schema; yields a URL whose tables all live in it; drops it after."""
    base = admin_url()
    schema = f"payintents_{prefix}_{secrets.token_hex(6)}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = schema_url(base, schema)
    try:
        yield url
    finally:
        if (conn := _CONNECTIONS.pop(url, None)) is not None:
            conn.close()
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
