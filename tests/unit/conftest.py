"""Fixtures shared by the store-level unit tests: each runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from payintents.store import open_store
from payintents.store.base import Store
from tests.pg import temp_schema


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield str(tmp_path / "unit.sqlite3")
    else:
        with temp_schema("unit") as url:
            yield url


@pytest.fixture
def store(database: str) -> Iterator[Store]:
    """A migrated store on `database`."""
    s = open_store(database)
    s.migrate()
    yield s
    s.close()
