"""SQLite group commit: writers that share one COMMIT still succeed or fail alone."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest

from payintents.store import sqlite as sqlite_store
from payintents.store.base import PageQuery
from payintents.store.sqlite import SqliteStore

SCOPE = "acct_G/test"


def customer(n: int) -> dict[str, object]:
    return {"id": f"cus_{n}", "object": "customer", "created": 1_700_000_000 + n, "email": None}


def test_concurrent_writers_commit_alone_or_together(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "group.sqlite3"))
    store.migrate()
    start = threading.Barrier(24)
    failures: list[int] = []

    def write(n: int) -> None:
        start.wait()
        try:
            with store.write() as tx:
                tx.insert("customer", SCOPE, customer(n))
                if n % 5 == 0:
                    raise ValueError(n)
        except ValueError as err:
            failures.append(err.args[0])

    threads = [threading.Thread(target=write, args=(n,)) for n in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.close()

    # What a new connection finds on disk: every writer that returned, none that failed.
    reopened = SqliteStore(str(tmp_path / "group.sqlite3"))
    with reopened.read() as tx:
        stored = {r.data["id"] for r in tx.page("customer", SCOPE, PageQuery(limit=100)).records}
    reopened.close()
    assert sorted(failures) == [0, 5, 10, 15, 20]
    assert stored == {f"cus_{n}" for n in range(24) if n % 5}


def test_a_failed_commit_fails_every_writer_of_the_group(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "fail.sqlite3"))
    store.migrate()
    # A deferred foreign-key violation only shows at COMMIT, after the writer's body succeeded.
    with store.write() as tx:
        tx.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        tx.execute(
            "CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER "
            "REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)"
        )
    store._write_conn.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]
    with pytest.raises(Exception, match="FOREIGN KEY"), store.write() as tx:
        tx.insert("customer", SCOPE, customer(1))
        tx.execute("INSERT INTO child (id, parent) VALUES (1, 42)")
    with store.read() as tx:
        assert tx.get("customer", SCOPE, "cus_1") is None
    # The store goes on working after the failed COMMIT.
    with store.write() as tx:
        tx.insert("customer", SCOPE, customer(2))
    with store.read() as tx:
        assert tx.get("customer", SCOPE, "cus_2") is not None
    store.close()


def _temporary_files() -> list[str]:
    # SQLite names its temporary files etilqs_* and unlinks them as soon as they are open.
    found = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = str(fd.readlink())
        except OSError:
            continue
        if "etilqs_" in target:
            found.append(target)
    return found


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux's /proc/self/fd")
def test_a_large_write_keeps_its_savepoint_journal_in_memory(tmp_path: Path) -> None:
    # Every write runs in a savepoint; past 64 KiB of changed pages its journal would go to a
    # temporary file, whose writes were most of what a payment's INSERTs cost.
    store = SqliteStore(str(tmp_path / "journal.sqlite3"))
    store.migrate()
    with store.write() as outer:
        for n in range(200):
            outer.insert("customer", SCOPE, {**customer(n), "description": "x" * 2000})
        outer.flush()
        # A write nested in it changes the pages the transaction changed before it began:
        # their images at the savepoint go to its journal (as in a group of requests).
        with store.write() as tx:
            for n in range(200):
                tx.update("customer", SCOPE, {**customer(n), "description": "y" * 2000})
            during = _temporary_files()
    with store.read() as tx:
        stored = tx.get("customer", SCOPE, "cus_199")
    store.close()
    assert during == []
    assert stored is not None and stored.data["description"] == "y" * 2000


class _BusyThenFree:
    """A connection whose switch to WAL SQLite refuses `busy` times, at once (as it does,
    without its busy handler, while processes starting together open a new file)."""

    def __init__(self, busy: int, error: str = "database is locked", code: int = 5) -> None:
        self.busy, self.error, self.code, self.tries = busy, error, code, 0

    def execute(self, statement: str) -> None:
        assert statement == "PRAGMA journal_mode = WAL"
        self.tries += 1
        if self.tries <= self.busy:
            err = sqlite3.OperationalError(self.error)
            err.sqlite_errorcode = self.code  # type: ignore[attr-defined]
            raise err


def test_opening_waits_while_another_connection_holds_a_new_file() -> None:
    conn = _BusyThenFree(busy=3)
    sqlite_store._turn_to_wal(conn)  # type: ignore[arg-type]
    assert conn.tries == 4


def test_opening_fails_at_once_on_any_other_error() -> None:
    conn = _BusyThenFree(busy=1, error="disk I/O error", code=10)
    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        sqlite_store._turn_to_wal(conn)  # type: ignore[arg-type]
    assert conn.tries == 1


def _limited(path: Path, room: int) -> SqliteStore:
    """A migrated store whose file may grow by `room` bytes only (PRAGMA max_page_count)."""
    store = SqliteStore(str(path))
    store.migrate()
    store.close()
    with closing(sqlite3.connect(path)) as conn:
        pages, size = (
            conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "page_size")
        )
    return SqliteStore(str(path), max_size=pages * size + room)


def _stored(path: Path) -> set[str]:
    reopened = SqliteStore(str(path))
    with reopened.read() as tx:
        stored = {r.data["id"] for r in tx.page("customer", SCOPE, PageQuery(limit=100)).records}
    reopened.close()
    return stored


def test_a_full_database_fails_every_writer_of_the_loops_group(tmp_path: Path) -> None:
    # SQLite rolls back the whole transaction on SQLITE_FULL: the group's. The writer before
    # the full one was rolled back with it and must fail too; the one after must not join the
    # ended group (its SAVEPOINT would begin a transaction of its own) but begin a new one.
    path = tmp_path / "full.sqlite3"
    store = _limited(path, 64 * 1024)

    async def write(n: int, size: int) -> None:
        begun = store.write_now()
        assert begun is not None
        with begun as tx:
            tx.insert("customer", SCOPE, {**customer(n), "description": "x" * size})
        await store.committed()

    async def main() -> list[BaseException | None]:
        return await asyncio.gather(
            write(1, 10), write(2, 200_000), write(3, 10), return_exceptions=True
        )

    outcomes = asyncio.run(main())
    store.close()
    assert _stored(path) == {"cus_3"}
    assert [type(o).__name__ for o in outcomes] == ["RolledBack", "RolledBack", "NoneType"]
    assert "database or disk is full" in str(outcomes[1])


def test_a_full_database_fails_exactly_the_thread_writers_it_rolled_back(tmp_path: Path) -> None:
    path = tmp_path / "full.sqlite3"
    store = _limited(path, 256 * 1024)
    start = threading.Barrier(24)
    answered: dict[str, str] = {}

    def write(n: int) -> None:
        start.wait()
        try:
            with store.write() as tx:
                tx.insert("customer", SCOPE, {**customer(n), "description": "x" * 60_000})
            answered[f"cus_{n}"] = "ok"
        except Exception as err:
            answered[f"cus_{n}"] = type(err).__name__

    threads = [threading.Thread(target=write, args=(n,)) for n in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Still writing once there is room: the rolled-back groups left nothing behind.
    with store.write() as tx:
        tx.insert("customer", SCOPE, customer(99))
    store.close()
    # What succeeded is there, and only that: a failed writer's work was not committed.
    assert _stored(path) == {k for k, v in answered.items() if v == "ok"} | {"cus_99"}
    assert len(answered) == 24
    assert set(answered.values()) == {"ok", "RolledBack"}, answered
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
