"""The embedded store: one SQLite file in WAL mode.

Durability: `synchronous=FULL` makes every commit fsync the WAL before the
answer leaves, so an acknowledged write survives `kill -9` and power loss
(NORMAL would survive only a process crash). Writers are serialized by
`BEGIN IMMEDIATE`, which takes the write lock at the start of the
transaction: a read-then-write (confirm, capture) cannot interleave with
another writer, in this process or another one on the same file.

Writers wait for each other on a lock (a thread lock, then an flock on
`<file>.lock` for other processes) before `BEGIN IMMEDIATE`, instead of in
SQLite's busy handler, which sleeps and retries (up to 100 ms a try): under
load that polling made the slowest writes wait a second.

Group commit: writers queued behind each other share one SQLite transaction
(each in a savepoint of its own, so a failing one is undone alone) and one
fsync. Every write waits for that COMMIT before it returns, so no answer
leaves before its writes are on disk, and if the COMMIT fails every writer
of the group fails. A writer that finds nobody queued behind it commits.

A group whose transaction SQLite ends before its COMMIT (SQLITE_FULL, SQLITE_IOERR and
SQLITE_NOMEM may roll the whole transaction back, not just the statement) is over: every
writer of it fails with RolledBack, those done already included, and nothing more runs in it
(a statement there would run outside any transaction, and a later writer's SAVEPOINT would
begin, and its RELEASE commit, a transaction of its own, with the earlier writers answered as
if theirs had been kept). The next writer begins a new group on a new connection.

Writes a request makes on the event loop (`write_now`, when the write lock is free) form a
group of their own: the loop runs them one after another in one transaction, which commits
once no write has joined for COMMIT_DELAY, and each request answers only after that COMMIT.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from importlib import resources
from typing import Any

from payintents.store import sql
from payintents.store.base import Record, RolledBack
from payintents.store.pending import BufferedTx, record_of

log = logging.getLogger("payintents")

BUSY_TIMEOUT_MS = 30_000
# Most writes one COMMIT carries (bounds how long the first of a group waits).
MAX_GROUP = 64
# The event loop's group (write_now) commits once no write has joined it for this long, in
# seconds: the requests a busy server has already received join within it, and every one
# more that shares a COMMIT saves writing the index pages they share again (a COMMIT of 16
# create+confirms writes about 1 MB to the WAL). Never later than MAX_GROUP_WAIT after the
# group's first write.
COMMIT_DELAY = 0.0003
MAX_GROUP_WAIT = 0.02
# Seconds between background checkpoints (Checkpointer).
CHECKPOINT_INTERVAL = 0.01
# After a checkpoint failed (a full disk), seconds before the next try.
CHECKPOINT_RETRY = 1.0

# Errors where nothing of the statement was kept and the database may work again soon: a
# request failing with one is rolled back and may be retried, whether SQLite ended the whole
# transaction or only the statement.
RETRYABLE = frozenset(
    (
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_NOMEM,
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
    )
)


def _turn_to_wal(conn: sqlite3.Connection) -> None:
    """WAL mode, waiting for other connections as the busy timeout would: turning a new file
    to WAL needs it alone, and SQLite answers "database is locked" at once, without its busy
    handler, while another connection (a process starting beside this one) is using it."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as err:
            if err.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def rolled_back(err: sqlite3.Error) -> RolledBack:
    failure = RolledBack(f"the transaction was rolled back: {err}")
    failure.__cause__ = err
    return failure


class SqliteTx(BufferedTx):
    dialect = "sqlite"
    ph = "?"

    def __init__(self, conn: sqlite3.Connection, group: _Group | None = None) -> None:
        super().__init__()
        self._conn = conn
        # The write group this transaction is a turn of (None: a read transaction).
        self._group = group

    def _run(self, statement: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        return self._statement(statement, params).fetchall()

    _execute = _run

    def _statement(self, statement: str, params: tuple[Any, ...]) -> sqlite3.Cursor:
        group = self._group
        if group is None:
            return self._conn.execute(statement, params)
        if group.error is not None:
            # The group's transaction is over: this statement would run outside it.
            raise group.error
        try:
            return self._conn.execute(statement, params)
        except sqlite3.Error as err:
            if not self._conn.in_transaction:
                # SQLite rolled the whole group back: every writer of it fails.
                group.error = rolled_back(err)
                raise group.error from err
            if err.sqlite_errorcode & 0xFF in RETRYABLE:
                # Only the statement was undone; the request's savepoint undoes the rest.
                raise rolled_back(err) from err
            raise

    def _fetch(self, kind: str, scope: str, object_id: str, lock: bool) -> Record | None:
        # The write lock taken by BEGIN IMMEDIATE already excludes other writers.
        row = self._statement(sql.get_sql(kind, "?"), (object_id, scope)).fetchone()
        return record_of(row) if row else None

    def _due(self, kind: str, now: int, limit: int, scope: str | None) -> list[tuple[str, str]]:
        if scope is None:
            rows = self._statement(sql.due_sql(kind, "?"), (now, limit)).fetchall()
        else:
            text = sql.due_sql(kind, "?", of_scope=True)
            rows = self._statement(text, (scope, now, limit)).fetchall()
        return [(r[0], r[1]) for r in rows]


class SqliteStore:
    dialect = "sqlite"
    inline_reads = True

    def __init__(self, path: str, max_size: int | None = None) -> None:
        """`max_size`: bytes the file may grow to (PRAGMA max_page_count on every connection);
        past it a write fails as on a full disk. None: as large as the disk allows."""
        self.path = path
        self.max_size = max_size
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        # Held by the writer running now; `_queued` counts the writers waiting for it.
        self._write_lock = threading.Lock()
        self._queued = 0
        self._group: _Group | None = None
        # The group of the writes begun on the event loop (write_now), while it is open.
        self._loop_group: _Group | None = None
        # While a thread waits for the write lock on the loop's behalf (writable()): whether
        # it got it, once it has.
        self._handover: asyncio.Future[bool] | None = None
        self._write_conn: sqlite3.Connection | None = None
        self._lock_file: int | None = None
        self._checkpointer: Checkpointer | None = None

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _turn_to_wal(conn)
        conn.execute("PRAGMA synchronous = FULL")
        limit_size(conn, self.max_size)
        with self._lock:
            self._all.append(conn)
        return conn

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._open()
        return conn

    def _begin_group(self, wait: bool = True) -> _Group:
        """Take the write lock of the file (other processes wait on the flock) and begin.
        Without `wait`, BlockingIOError where another process holds it."""
        if self._write_conn is None:
            self._write_conn = self._open()
            # Each write runs in a savepoint, whose journal of the pages it changed would
            # otherwise spill to a temporary file past 64 KiB: a payment's writes did, and those
            # file writes were most of the time its INSERTs took. Held in memory, it is freed
            # when the savepoint is released. (Only here: elsewhere a large sort, or an index a
            # migration builds, may still spill to a file.)
            self._write_conn.execute("PRAGMA temp_store = MEMORY")
            if self._checkpointer is None and self.path != ":memory:":
                self._checkpointer = Checkpointer(self.path)
        if self._lock_file is None and self.path != ":memory:":
            self._lock_file = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        try:
            self._write_conn.execute("BEGIN IMMEDIATE")
        except BaseException as err:
            self._unlock_file()
            if isinstance(err, sqlite3.Error) and err.sqlite_errorcode & 0xFF in RETRYABLE:
                raise rolled_back(err) from err
            raise
        self._group = _Group()
        return self._group

    def _commit_group(self, group: _Group) -> None:
        """Commit the group, or end it where its transaction is over already (group.error):
        then, and where the COMMIT fails, every writer of it fails."""
        conn = self._write_conn
        assert conn is not None
        self._group = None
        try:
            if group.error is None:
                conn.execute("COMMIT")
        except BaseException as err:
            group.error = rolled_back(err) if isinstance(err, sqlite3.Error) else err
        finally:
            try:
                if group.error is not None:
                    self._discard_write_conn(conn)
            finally:
                self._unlock_file()
                group.done.set()

    def _discard_write_conn(self, conn: sqlite3.Connection) -> None:
        """After a failed group, the next begins on a new connection, in whatever state
        SQLite left this one (a transaction still open where the COMMIT failed)."""
        self._write_conn = None
        with self._lock:
            self._all.remove(conn)
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        except sqlite3.Error:
            log.exception("rolling back the failed group's transaction on %s", self.path)
        finally:
            conn.close()

    def _unlock_file(self) -> None:
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    def _take_write_lock(self) -> _Group:
        """Wait for the write lock (counted among the queued, so the group open now stays
        open for this writer) and join or begin the group; the lock is held on return."""
        with self._lock:
            self._queued += 1
        self._write_lock.acquire()
        with self._lock:
            self._queued -= 1
        try:
            return self._group or self._begin_group()
        except BaseException:
            self._write_lock.release()
            raise

    @contextmanager
    def _grouped_write(self) -> Iterator[SqliteTx]:
        group = self._take_write_lock()
        with self._in_group(group) as tx:
            yield tx

    def write_now(self) -> AbstractContextManager[SqliteTx] | None:
        """A write run here on the event loop without waiting, or None where it would wait
        for another writer (a thread of this process, or another process). Writes begun here
        share one transaction, the loop's group, which commits once no write joined it for
        COMMIT_DELAY (or when it is full): the event loop's own group commit. Answer only after
        `committed()`. Enter what it returns at once."""
        if getattr(self._local, "tx", None) is not None:
            return None
        if self._loop_group is None:
            if not self._write_lock.acquire(blocking=False):
                return None
            try:
                group = self._group or self._begin_group(wait=False)
            except BlockingIOError:
                self._write_lock.release()
                return None
            except BaseException:
                self._write_lock.release()
                raise
            self._open_loop_group(group, 1)
        assert self._loop_group is not None
        return self._in_loop_group(self._loop_group)

    def _open_loop_group(self, group: _Group, seen: int) -> None:
        loop = asyncio.get_running_loop()
        group.committed = loop.create_future()
        group.opened = loop.time()
        self._loop_group = group
        loop.call_later(COMMIT_DELAY, self._commit_when_quiet, group, seen)

    async def writable(self) -> bool:
        """Wait, without holding up the event loop, until write_now can begin: a thread waits
        for the write lock (behind this process's thread writers, or another process on the
        file) and hands it to the loop, which opens its group with it. Without this, every
        write that found the lock taken went to a thread of its own, and with two processes on
        one file nearly all of them did. False where it could not take the lock."""
        if getattr(self._local, "tx", None) is not None:
            return False
        if self._loop_group is not None:
            return True
        loop = asyncio.get_running_loop()
        # One left by a loop that closed while it waited is never resolved: not awaited here.
        if self._handover is None or self._handover.get_loop() is not loop:
            self._handover = loop.create_future()
            waiter = threading.Thread(
                target=self._take_lock_for_loop, args=(loop,), name="payintents-lock", daemon=True
            )
            waiter.start()
        # Shielded: one request cancelled while it waits must not cancel the others' wait.
        return await asyncio.shield(self._handover)

    def _take_lock_for_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        group: _Group | None
        try:
            group = self._take_write_lock()
        except BaseException:
            log.exception("could not take the write lock of %s for the event loop", self.path)
            group = None
        try:
            loop.call_soon_threadsafe(self._handed_over, group)
        except RuntimeError:  # the loop closed meanwhile (a later loop starts its own wait)
            if group is not None:
                self._commit_group(group)
                self._write_lock.release()

    def _handed_over(self, group: _Group | None) -> None:
        handover, self._handover = self._handover, None
        if group is not None:
            # The writes waiting for it join in the next turns of the loop.
            self._open_loop_group(group, 0)
        if handover is not None:
            handover.set_result(group is not None)

    async def committed(self) -> None:
        """What the loop's writes wrote so far is committed (or the COMMIT's error)."""
        group = self._loop_group
        if group is not None and group.committed is not None:
            # Shielded: a request cancelled while it waits must not cancel the others' wait.
            await asyncio.shield(group.committed)

    @contextmanager
    def _turn(self, group: _Group) -> Iterator[SqliteTx]:
        """One writer's work in a savepoint of the group's open transaction: undone alone if
        it fails, its held rows written before the savepoint is released."""
        assert self._write_conn is not None
        tx = self._local.tx = SqliteTx(self._write_conn, group)
        try:
            with sql.savepoint(tx.execute, 0):
                yield tx
                tx.flush()
        finally:
            self._local.tx = None

    @contextmanager
    def _in_loop_group(self, group: _Group) -> Iterator[SqliteTx]:
        try:
            with self._turn(group) as tx:
                yield tx
        finally:
            group.size += 1
            # A group rolled back by SQLite ends here: no later write may join it.
            if group.error is not None or group.size >= MAX_GROUP:
                self._commit_loop_group()
        if group.error is not None:
            raise group.error

    def _commit_when_quiet(self, group: _Group, seen: int) -> None:
        """Commit the loop's group once no write joined it for COMMIT_DELAY (or it is old)."""
        if self._loop_group is not group:
            return  # committed when it filled up
        loop = asyncio.get_running_loop()
        # A group handed over by writable() is empty until its waiters' turns come, which on
        # a busy loop can be later than COMMIT_DELAY: it waits for them, up to MAX_GROUP_WAIT.
        joining = group.size > seen or group.size == 0
        if joining and loop.time() - group.opened < MAX_GROUP_WAIT:
            loop.call_later(COMMIT_DELAY, self._commit_when_quiet, group, group.size)
        else:
            self._commit_loop_group()

    def _commit_loop_group(self) -> None:
        group, self._loop_group = self._loop_group, None
        if group is None:
            return
        try:
            self._commit_group(group)
        finally:
            self._write_lock.release()
        assert group.committed is not None
        if group.error is None:
            group.committed.set_result(None)
        else:
            group.committed.set_exception(group.error)
            # Retrieved by every writer awaiting it; none may be left to do so.
            group.committed.exception()

    @contextmanager
    def _in_group(self, group: _Group) -> Iterator[SqliteTx]:
        """A thread writer's turn, the write lock held (released here): its work in a
        savepoint of the group's transaction, which commits when nobody waits behind it or
        when it is full."""
        failed: BaseException | None = None
        try:
            try:
                with self._turn(group) as tx:
                    yield tx
            except BaseException as err:
                failed = err
            group.size += 1
            with self._lock:
                last = self._queued == 0
            # A group rolled back by SQLite ends here: no later writer may join it.
            if group.error is not None or last or group.size >= MAX_GROUP:
                self._commit_group(group)
        finally:
            self._write_lock.release()
        group.done.wait()
        if group.error is not None:
            raise group.error
        if failed is not None:
            raise failed

    @contextmanager
    def _transaction(self, begin: str, writable: bool) -> Iterator[SqliteTx]:
        outer: SqliteTx | None = getattr(self._local, "tx", None)
        if outer is not None:
            with sql.join(outer, writable) as tx:
                yield tx
            return
        if writable:
            with self._grouped_write() as tx:
                yield tx
            return
        conn = self._connection()
        conn.execute(begin)
        try:
            yield SqliteTx(conn)
        finally:
            conn.execute("COMMIT")

    def read(self) -> Any:
        return self._transaction("BEGIN DEFERRED", False)

    def read_one(self, statement: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        # Outside a transaction, a statement is one of its own (autocommit).
        return self._connection().execute(statement, params).fetchone()

    def write(self) -> Any:
        """A write transaction; one opened while this thread has one open joins it."""
        return self._transaction("BEGIN IMMEDIATE", True)

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
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
            self._write_conn = None
            if self._lock_file is not None:
                os.close(self._lock_file)
                self._lock_file = None
        self._local = threading.local()


class Checkpointer:
    """Copies committed pages from the WAL into the database file, in a thread of its own.

    SQLite checkpoints inside the COMMIT that takes the WAL past 1,000 pages, on whichever
    writer that is: here often the event loop, which then holds every request up for a
    checkpoint's page writes and fsync. Passive checkpoints run here every
    CHECKPOINT_INTERVAL (on the other core; they never wait for readers or writers), so the
    one a COMMIT still starts finds little left to copy, and it still starts the WAL over, so
    the file does not grow. Durability does not depend on them: a COMMIT fsyncs the WAL.
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="payintents-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        failing = False
        try:
            conn.execute("PRAGMA synchronous = FULL")
            while not self._stopped.wait(CHECKPOINT_RETRY if failing else CHECKPOINT_INTERVAL):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error as err:
                    # A full disk: tried again until it has room (the writers' COMMITs still
                    # checkpoint, and their own errors say what broke); said once.
                    if not failing:
                        log.warning("background WAL checkpoint of %s failed: %s", self._path, err)
                    failing = True
                else:
                    failing = False
        finally:
            conn.close()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()


class _Group:
    """Writes sharing one COMMIT."""

    def __init__(self) -> None:
        self.size = 0
        self.done = threading.Event()
        self.error: BaseException | None = None
        # For a group of the event loop's: resolved when it commits; when it began.
        self.committed: asyncio.Future[None] | None = None
        self.opened = 0.0


def limit_size(conn: sqlite3.Connection, max_size: int | None) -> None:
    """Past `max_size` bytes a write fails with SQLITE_FULL, as on a full disk (a limit
    below the file's size keeps it at its size)."""
    if max_size is not None:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {max(1, max_size // page_size)}")


def _statements(text: str) -> list[str]:
    lines = [line for line in text.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def migrations(dialect: str) -> list[tuple[str, str]]:
    folder = resources.files("payintents.store") / "migrations" / dialect
    files = sorted(f for f in folder.iterdir() if f.name.endswith(".sql"))
    return [(f.name.removesuffix(".sql"), f.read_text()) for f in files]
