"""The embedded store: one SQLite file in WAL mode.

Durability: `synchronous=FULL` makes every commit fsync the WAL before the
answer leaves, so an acknowledged write survives `kill -9` and power loss
(NORMAL would survive only a process crash). Writers are serialized by
`BEGIN IMMEDIATE`, which takes the write lock at the start of the
transaction: a read-then-write (confirm, capture) cannot interleave with
another writer, in this process or another one on the same file.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

import orjson

from payintents.store import sql
from payintents.store.base import Page, PageQuery, Record

BUSY_TIMEOUT_MS = 30_000


def _load(blob: Any) -> dict[str, Any]:
    return orjson.loads(blob) if blob else {}


class SqliteTx:
    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self, kind: str, scope: str, object_id: str) -> Record | None:
        row = self._conn.execute(sql.get_sql(kind, "?"), (object_id, scope)).fetchone()
        return Record(_load(row[0]), _load(row[1]), row[2]) if row else None

    # The write lock taken by BEGIN IMMEDIATE already excludes other writers.
    get_for_update = get

    def insert(
        self, kind: str, scope: str, data: dict[str, Any], private: dict[str, Any] | None = None
    ) -> None:
        self._conn.execute(
            sql.insert_sql(kind, "?"),
            sql.insert_params(
                kind,
                scope,
                data,
                private,
                orjson.dumps(data),
                orjson.dumps(private) if private else None,
            ),
        )

    def update(
        self, kind: str, scope: str, data: dict[str, Any], private: dict[str, Any] | None = None
    ) -> None:
        self._conn.execute(
            sql.update_sql(kind, "?"),
            sql.update_params(
                kind,
                scope,
                data,
                private,
                orjson.dumps(data),
                orjson.dumps(private) if private else None,
            ),
        )

    def cursor_of(self, kind: str, scope: str, object_id: str) -> tuple[int, int] | None:
        row = self._conn.execute(sql.cursor_sql(kind, "?"), (object_id, scope)).fetchone()
        return (row[0], row[1]) if row else None

    def page(self, kind: str, scope: str, query: PageQuery) -> Page:
        text, params, ascending = sql.page_sql(kind, query, scope, "?")
        rows = self._conn.execute(text, params).fetchall()
        has_more = len(rows) > query.limit
        rows = rows[: query.limit]
        if ascending:
            rows.reverse()
        return Page([Record(_load(r[0]), _load(r[1]), r[2]) for r in rows], has_more)

    def due(self, kind: str, now: int, limit: int) -> list[tuple[str, str]]:
        rows = self._conn.execute(sql.due_sql(kind, "?"), (now, limit)).fetchall()
        return [(r[0], r[1]) for r in rows]

    def execute(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self._conn.execute(statement, params).fetchall()


class SqliteStore:
    dialect = "sqlite"

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30
            )
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[SqliteTx]:
        conn = self._connection()
        conn.execute(begin)
        try:
            yield SqliteTx(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def read(self) -> Any:
        return self._transaction("BEGIN DEFERRED")

    def write(self) -> Any:
        return self._transaction("BEGIN IMMEDIATE")

    def migrate(self) -> list[str]:
        """Apply pending migrations; safe when several processes start at once."""
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version TEXT PRIMARY KEY, applied INTEGER NOT NULL)"
            )
            done = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
            applied = []
            for name, text in migrations("sqlite"):
                if name in done:
                    continue
                for statement in _statements(text):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (version, applied) VALUES (?, strftime('%s'))",
                    (name,),
                )
                applied.append(name)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return applied

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()


def _statements(text: str) -> list[str]:
    lines = [line for line in text.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def migrations(dialect: str) -> list[tuple[str, str]]:
    folder = resources.files("payintents.store") / "migrations" / dialect
    files = sorted(f for f in folder.iterdir() if f.name.endswith(".sql"))
    return [(f.name.removesuffix(".sql"), f.read_text()) for f in files]
