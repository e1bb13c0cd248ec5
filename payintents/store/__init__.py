"""Persistence: one interface (base.py), SQLite and PostgreSQL behind it."""

from __future__ import annotations

import os

from payintents.store.base import Store


def is_postgres(database: str) -> bool:
    return database.startswith(("postgresql://", "postgres://"))


def open_store(
    database: str,
    pool_size: int | None = None,
    timeout: float | None = None,
    max_size: int | None = None,
) -> Store:
    """The store a `--database` value names: a postgresql:// URL, or a SQLite file path.
    `timeout`: seconds to wait for a PostgreSQL connection; `max_size`: bytes the SQLite file
    may grow to."""
    if is_postgres(database):
        from payintents.store.postgres import DEFAULT_POOL_SIZE, DEFAULT_TIMEOUT, PostgresStore

        return PostgresStore(database, pool_size or DEFAULT_POOL_SIZE, timeout or DEFAULT_TIMEOUT)
    from payintents.store.sqlite import SqliteStore

    return SqliteStore(database, max_size)


def describe(database: str) -> str:
    """Where the data is, for start-up lines: the PostgreSQL URL without its password."""
    if is_postgres(database):
        from payintents.store.postgres import display_url

        return f"PostgreSQL at {display_url(database)}"
    return f"SQLite at {os.path.abspath(database)}"
