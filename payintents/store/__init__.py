"""Persistence: one interface (base.py), SQLite and PostgreSQL behind it."""

from __future__ import annotations

import os

from payintents.store.base import Store


def is_postgres(database: str) -> bool:
    return database.startswith(("postgresql://", "postgres://"))


def open_store(database: str, pool_size: int | None = None) -> Store:
    """The store a `--database` value names: a postgresql:// URL, or a SQLite file path."""
    if is_postgres(database):
        from payintents.store.postgres import DEFAULT_POOL_SIZE, PostgresStore

        return PostgresStore(database, pool_size or DEFAULT_POOL_SIZE)
    from payintents.store.sqlite import SqliteStore

    return SqliteStore(database)


def describe(database: str) -> str:
    """Where the data is, for start-up lines: the PostgreSQL URL without its password."""
    if is_postgres(database):
        from payintents.store.postgres import display_url

        return f"PostgreSQL at {display_url(database)}"
    return f"SQLite at {os.path.abspath(database)}"
