"""The store for many processes on many hosts: PostgreSQL through psycopg 3 and a pool.

Concurrency: write transactions run at READ COMMITTED and lock what they change
with `SELECT ... FOR UPDATE` (`get_for_update`), so two confirms of one intent
on any two processes serialize on the intent's row, and the second one sees
the first one's committed result. Read transactions are REPEATABLE READ READ
ONLY: one snapshot for all their statements (as a SQLite read transaction
has), and a write attempted through one fails instead of slipping through.

Objects are stored as orjson's bytes in `bytea` (see migrations/postgres/0001)
and read back with binary results, so a row reaches orjson without any text
decoding or JSON parsing on either side of the wire.

Failures: no connection within the timeout (the database away, see pg_pool.py) is
Unavailable; a connection lost inside a transaction, a transaction the server aborted
(a serialization failure, a deadlock, a terminated backend) or a COMMIT the server refused is
RolledBack: nothing was committed, a retry is safe. A connection lost while the COMMIT was on
its way is OutcomeUnknown: the server may have committed before it went, and only the
request's Idempotency-Key can tell a retry what happened.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql as pgsql
from psycopg.conninfo import conninfo_to_dict

from payintents.store import sql
from payintents.store.base import OutcomeUnknown, Record, RolledBack, Unavailable
from payintents.store.pending import BufferedTx, record_of
from payintents.store.pg_pool import Pool
from payintents.store.sqlite import migrations

# Connections per process. Requests beyond it wait for a free one (up to the timeout), which
# also bounds what N processes ask of the server's max_connections (100 by default).
DEFAULT_POOL_SIZE = 10
# Seconds a request waits for a connection (`serve --database-timeout`).
DEFAULT_TIMEOUT = 5.0

LOCK = " FOR UPDATE"
# `due()` inside a write transaction (claiming due work): items another process is already
# handling are skipped instead of waited for.
SKIP_LOCKED = " FOR UPDATE SKIP LOCKED"

# A process that hangs (rather than dies) inside a transaction would keep its row locks, and
# every request for those rows would wait behind it; the server ends such a session instead.
# No transaction waits on anything outside the database, so a minute idle is never legitimate.
IDLE_IN_TRANSACTION_TIMEOUT = "60s"


def _configure(conn: psycopg.Connection[Any]) -> None:
    conn.execute(f"SET idle_in_transaction_session_timeout = '{IDLE_IN_TRANSACTION_TIMEOUT}'")


def _clean(params: tuple[Any, ...] | list[Any]) -> tuple[Any, ...]:
    """PostgreSQL text cannot hold NUL, which SQLite takes. Such a value in an id, filter or
    indexed column (from a URL or a form) would fail the statement, so NUL becomes U+FFFD in
    those columns: an id with NUL matches nothing (ids are generated), and a filter matches
    the value stored the same way. The object itself (bytea) keeps the exact text."""
    if not any(isinstance(p, str) and "\x00" in p for p in params):
        return tuple(params)
    return tuple(p.replace("\x00", "\ufffd") if isinstance(p, str) else p for p in params)


class PostgresTx(BufferedTx):
    dialect = "postgres"
    ph = "%s"

    def __init__(self, cur: psycopg.Cursor[Any], writable: bool) -> None:
        super().__init__()
        self._cur = cur
        self._writable = writable

    def _run(self, statement: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        self._cur.execute(statement, _clean(params))
        return self._cur.fetchall() if self._cur.description else []

    def _execute(self, statement: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        # No parameters: the text is sent as is (a literal % needs no escaping).
        self._cur.execute(statement, params or None)
        return self._cur.fetchall() if self._cur.description else []

    def _fetch(self, kind: str, scope: str, object_id: str, lock: bool) -> Record | None:
        text = sql.get_sql(kind, "%s", LOCK if lock else "")
        row = self._cur.execute(text, _clean((object_id, scope))).fetchone()
        return record_of(row) if row else None

    def _due(self, kind: str, now: int, limit: int, scope: str | None) -> list[tuple[str, str]]:
        """In a write transaction the rows stay locked until it ends, and rows locked by
        others are skipped; a read transaction cannot lock and just lists them."""
        lock = SKIP_LOCKED if self._writable else ""
        if scope is None:
            rows = self._cur.execute(sql.due_sql(kind, "%s", lock), (now, limit)).fetchall()
        else:
            text = sql.due_sql(kind, "%s", lock, of_scope=True)
            rows = self._cur.execute(text, _clean((scope, now, limit))).fetchall()
        return [(r[0], r[1]) for r in rows]


class PostgresStore:
    dialect = "postgres"
    # A read is a round trip to the server: the event loop must not wait for it.
    inline_reads = False

    def __init__(
        self, url: str, pool_size: int = DEFAULT_POOL_SIZE, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        """`url` is a libpq URL or conninfo, passed as given: `?options=-csearch_path%3Dx`
        puts every table in schema x (tests give each run a schema of its own)."""
        self.url = url
        # Transactions are begun explicitly, so each says how it isolates.
        kwargs: dict[str, Any] = {"autocommit": True}
        if "application_name" not in conninfo_to_dict(url):
            # What pg_stat_activity shows for these sessions.
            kwargs["application_name"] = "payintents"
        self._pool = Pool(url, pool_size, timeout, kwargs, _configure)
        self._connect_timeout = max(2, math.ceil(timeout))
        self._opened = False
        self._local = threading.local()

    @contextmanager
    def _transaction(self, begin: str, writable: bool) -> Iterator[PostgresTx]:
        outer: PostgresTx | None = getattr(self._local, "tx", None)
        if outer is not None:
            with sql.join(outer, writable) as tx:
                yield tx
            return
        self._open()
        conn = self._begin(begin)
        tx = PostgresTx(conn.cursor(binary=True), writable)
        if writable:
            self._local.tx = tx
        try:
            try:
                yield tx
                tx.flush()
            except BaseException as err:
                # A broken connection cannot roll back; the pool discards it, and the
                # server ends the transaction when the socket closes.
                with contextlib.suppress(psycopg.Error):
                    conn.execute("ROLLBACK")
                if isinstance(err, psycopg.Error) and _aborted(conn, err):
                    raise self._rolled_back(conn, err) from err
                raise
            self._commit(conn)
        finally:
            self._local.tx = None
            self._pool.putconn(conn)

    def _commit(self, conn: psycopg.Connection[Any]) -> None:
        try:
            done = conn.execute("COMMIT").statusmessage
        except psycopg.Error as err:
            if conn.closed:
                self._pool.lost()
                raise OutcomeUnknown(
                    f"the connection was lost during COMMIT, which may have been done: {err}"
                ) from err
            # The server answered, with an error: it rolled the transaction back.
            raise RolledBack(f"the COMMIT failed: {err}") from err
        if done != "COMMIT":
            # COMMIT of a transaction a swallowed error aborted answers ROLLBACK, no error.
            raise RolledBack(f"the transaction was aborted: COMMIT answered {done}")

    def _rolled_back(self, conn: psycopg.Connection[Any], err: psycopg.Error) -> RolledBack:
        if conn.closed:
            self._pool.lost()
        return RolledBack(f"the transaction was rolled back: {err}")

    def _open(self) -> None:
        if not self._opened:
            # Safe to call again on an open pool, so racing threads need no lock.
            self._pool.open()
            self._opened = True

    def _begin(self, begin: str) -> psycopg.Connection[Any]:
        """A pooled connection in a new transaction. Pooled connections can break while idle
        (the database restarted or failed over, a proxy cut them); that shows at BEGIN, before
        anything was done, so another connection is tried: the pool replaces broken ones."""
        for attempt in range(self._pool.max_size + 1):
            conn = self._pool.getconn()
            try:
                conn.execute(begin)
                return conn
            except psycopg.OperationalError as err:
                self._pool.putconn(conn)
                if not conn.closed or attempt == self._pool.max_size:
                    self._pool.lost()
                    raise Unavailable(f"PostgreSQL cannot begin a transaction: {err}") from err
        raise AssertionError("unreachable")

    def read(self) -> Any:
        return self._transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", False)

    def read_one(self, statement: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """On a pooled connection in autocommit: one round trip, no BEGIN or COMMIT."""
        self._open()
        for attempt in range(self._pool.max_size + 1):
            conn = self._pool.getconn()
            try:
                return conn.execute(statement, _clean(params)).fetchone()
            except psycopg.OperationalError as err:
                # A connection broken while idle (see _begin): the pool replaces it.
                if not conn.closed or attempt == self._pool.max_size:
                    raise self._rolled_back(conn, err) from err
            finally:
                self._pool.putconn(conn)
        raise AssertionError("unreachable")

    def write_now(self) -> None:
        # Whether a write would wait shows only in the database (a row lock, the pool): every
        # write goes to a worker thread, so the event loop never waits on the network.
        return None

    async def committed(self) -> None:
        """Nothing is begun on the event loop (write_now), so nothing waits to commit."""

    async def writable(self) -> bool:
        return False

    def write(self) -> Any:
        """A write transaction; one opened while this thread has one open joins it."""
        return self._transaction("BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE", True)

    def migrate(self) -> list[str]:
        """Apply pending migrations in one transaction (PostgreSQL DDL is transactional).
        Processes starting at once queue on an advisory lock of the schema; the first
        applies, the others find nothing left to do."""
        applied: list[str] = []
        connect = {"autocommit": True, "connect_timeout": self._connect_timeout}
        with psycopg.connect(self.url, **connect) as conn:
            _create_schema(conn)
        with psycopg.connect(self.url, **connect) as conn, conn.transaction():
            conn.execute(
                "SELECT pg_advisory_xact_lock("
                "hashtext('payintents.migrate:' || coalesce(current_schema(), '')))"
            )
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version TEXT PRIMARY KEY, applied BIGINT NOT NULL)"
            )
            done = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
            for name, text in migrations("postgres"):
                if name in done:
                    continue
                # No parameters: the file runs as one multi-statement query.
                conn.execute(text.encode())
                conn.execute(
                    "INSERT INTO schema_migrations (version, applied) "
                    "VALUES (%s, extract(epoch FROM now())::bigint)",
                    (name,),
                )
                applied.append(name)
        return applied

    def close(self) -> None:
        self._pool.close()


def _aborted(conn: psycopg.Connection[Any], err: psycopg.Error) -> bool:
    """Whether the error ended the transaction without committing anything, in a way a retry
    may not meet again: the connection lost, the backend terminated or the statement cancelled
    (OperationalError), a serialization failure or a deadlock (TransactionRollback)."""
    return conn.closed or isinstance(
        err, psycopg.OperationalError | psycopg.errors.TransactionRollback
    )


def _create_schema(conn: psycopg.Connection[Any]) -> None:
    """The schema the URL's search_path names first, created if it does not exist yet (with
    none, PostgreSQL refuses every CREATE TABLE: "no schema has been selected")."""
    if conn.execute("SELECT current_schema()").fetchone() != (None,):
        return
    first = conn.execute("SHOW search_path").fetchone()[0].split(",")[0].strip()
    name = first[1:-1].replace('""', '"') if first.startswith('"') else first
    if not name or name == "$user":
        return
    with contextlib.suppress(psycopg.errors.UniqueViolation):  # another process was first
        conn.execute(pgsql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(pgsql.Identifier(name)))


def display_url(url: str) -> str:
    """The URL without its password (in the authority or as `?password=`), for start-up lines."""
    parts = urlsplit(url)
    if parts.password is not None:
        host = parts.netloc.rpartition("@")[2]
        parts = parts._replace(netloc=f"{parts.username or ''}:***@{host}")
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(k == "password" for k, _ in query):
        masked = [(k, "***" if k == "password" else v) for k, v in query]
        parts = parts._replace(query=urlencode(masked, safe="*"))
    return urlunsplit(parts)
