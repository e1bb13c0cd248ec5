"""The store interface, the same assertions on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from payintents.config import parse_size
from payintents.store import describe, open_store
from payintents.store.base import PageQuery, Store
from payintents.store.postgres import PostgresStore, display_url
from payintents.store.search import Clause, Criteria
from payintents.store.sqlite import SqliteStore, migrations
from tests.pg import admin_url, temp_schema

A = "acct_A/test"
B = "acct_B/test"


def intent(n: int, created: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"pi_{n:04d}",
        "object": "payment_intent",
        "created": created,
        "amount": 100 + n,
        "currency": "usd",
        "status": "requires_payment_method",
        "customer": None,
        **fields,
    }


def ids(page: Any) -> list[str]:
    return [r.data["id"] for r in page.records]


def test_migrate_is_idempotent_and_mirrors_sqlite(database: str) -> None:
    s = open_store(database)
    try:
        first = s.migrate()
        assert first == [name for name, _ in migrations("sqlite")]
        assert s.migrate() == []
    finally:
        s.close()


def test_migrations_of_both_dialects_have_the_same_names() -> None:
    assert [n for n, _ in migrations("postgres")] == [n for n, _ in migrations("sqlite")]


def test_concurrent_migrate_applies_once(database: str) -> None:
    """Processes starting together: one applies each migration, the others find it done."""
    stores = [open_store(database) for _ in range(4)]
    results: list[list[str]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(stores))

    def run(s: Store) -> None:
        barrier.wait()
        try:
            results.append(s.migrate())
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=run, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    assert not errors
    applied = [r for r in results if r]
    assert len(applied) == 1 and applied[0] == [n for n, _ in migrations("sqlite")]


def test_insert_get_update_round_trip(store: Store) -> None:
    # Key order is part of the wire output: both stores give back what they were given.
    data = {"id": "pi_1", "created": 10, "zeta": 1, "alpha": {"b": 2, "a": [1, "é"]}}
    with store.write() as tx:
        tx.insert("payment_intent", A, data, {"processor_ref": "ref_1"})
    with store.read() as tx:
        record = tx.get("payment_intent", A, "pi_1")
        assert tx.get("payment_intent", A, "pi_missing") is None
    assert record is not None
    assert list(record.data) == ["id", "created", "zeta", "alpha"]
    assert record.data == data and record.private == {"processor_ref": "ref_1"}
    assert record.seq > 0

    with store.write() as tx:
        locked = tx.get_for_update("payment_intent", A, "pi_1")
        assert locked is not None
        tx.update("payment_intent", A, {**locked.data, "status": "succeeded"}, None)
    with store.read() as tx:
        record = tx.get("payment_intent", A, "pi_1")
        page = tx.page("payment_intent", A, PageQuery(limit=10, filters={"status": "succeeded"}))
    assert record is not None and record.data["status"] == "succeeded" and record.private == {}
    assert ids(page) == ["pi_1"]


def test_scopes_are_isolated(store: Store) -> None:
    with store.write() as tx:
        tx.insert("customer", A, {"id": "cus_1", "created": 1, "email": "a@example.com"})
    with store.read() as tx:
        assert tx.get("customer", B, "cus_1") is None
        assert tx.cursor_of("customer", B, "cus_1") is None
        assert ids(tx.page("customer", B, PageQuery(limit=10))) == []
        assert ids(tx.page("customer", A, PageQuery(limit=10))) == ["cus_1"]
    with store.write() as tx:
        assert tx.get_for_update("customer", B, "cus_1") is None


def test_pages_filters_bounds_and_cursors(store: Store) -> None:
    with store.write() as tx:
        # Two share each `created` second: the cursor must order ties by insertion.
        for n in range(10):
            customer = "cus_x" if n % 2 else "cus_y"
            tx.insert("payment_intent", A, intent(n, 100 + n // 2, customer=customer))
        tx.insert("payment_intent", B, intent(99, 100))
        # An expanded field keeps the id in its column.
        tx.insert("payment_intent", A, intent(50, 50, customer={"id": "cus_z", "object": "c"}))
    newest_first = [f"pi_{n:04d}" for n in range(9, -1, -1)]
    with store.read() as tx:
        all_a = tx.page("payment_intent", A, PageQuery(limit=100))
        assert ids(all_a) == [*newest_first, "pi_0050"] and not all_a.has_more

        first = tx.page("payment_intent", A, PageQuery(limit=3))
        assert ids(first) == newest_first[:3] and first.has_more
        after = tx.cursor_of("payment_intent", A, "pi_0007")
        assert after is not None
        second = tx.page("payment_intent", A, PageQuery(limit=3, after=after))
        assert ids(second) == newest_first[3:6] and second.has_more
        # ending_before reads upwards, but the page is still newest first.
        before = tx.cursor_of("payment_intent", A, "pi_0004")
        assert before is not None
        back = tx.page("payment_intent", A, PageQuery(limit=3, before=before))
        assert ids(back) == ["pi_0007", "pi_0006", "pi_0005"] and back.has_more
        top = tx.page("payment_intent", A, PageQuery(limit=10, before=before))
        assert ids(top) == newest_first[:5] and not top.has_more

        x = tx.page("payment_intent", A, PageQuery(limit=100, filters={"customer": "cus_x"}))
        assert ids(x) == ["pi_0009", "pi_0007", "pi_0005", "pi_0003", "pi_0001"]
        z = tx.page("payment_intent", A, PageQuery(limit=100, filters={"customer": "cus_z"}))
        assert ids(z) == ["pi_0050"]
        two = tx.page(
            "payment_intent", A, PageQuery(limit=100, filters={"customer": "cus_y", "amount": 104})
        )
        assert ids(two) == ["pi_0004"]

        def created(**bounds: int) -> list[str]:
            return ids(tx.page("payment_intent", A, PageQuery(limit=100, created=bounds)))

        assert created(gt=103) == ["pi_0009", "pi_0008"]
        assert created(gte=103) == ["pi_0009", "pi_0008", "pi_0007", "pi_0006"]
        assert created(lt=101) == ["pi_0001", "pi_0000", "pi_0050"]
        assert created(lte=101, gte=101) == ["pi_0003", "pi_0002"]
        assert created(gt=200) == []

        with pytest.raises(ValueError):
            tx.page("payment_intent", A, PageQuery(limit=1, filters={"description": "x"}))


def test_due_lists_what_has_come_due_oldest_first(store: Store) -> None:
    with store.write() as tx:
        for n, due_at in enumerate((300, None, 100, 200, 900)):
            tx.insert("payment_intent", A if n % 2 else B, intent(n, 1), {"due_at": due_at})
        tx.insert("refund", A, {"id": "re_1", "created": 1, "charge": "ch_1"}, {"due_at": 150})
    with store.read() as tx:
        assert tx.due("payment_intent", 500, 10) == [
            ("pi_0002", B),
            ("pi_0003", A),
            ("pi_0000", B),
        ]
        assert tx.due("payment_intent", 500, 2) == [("pi_0002", B), ("pi_0003", A)]
        assert tx.due("payment_intent", 99, 10) == []
        assert tx.due("refund", 500, 10) == [("re_1", A)]
    # Clearing due_at (work done) takes it off the list.
    with store.write() as tx:
        record = tx.get_for_update("payment_intent", B, "pi_0002")
        assert record is not None
        tx.update("payment_intent", B, record.data, {**record.private, "due_at": None})
        assert [i for i, _ in tx.due("payment_intent", 500, 10)] == ["pi_0003", "pi_0000"]


def test_a_transaction_that_raises_commits_nothing(store: Store) -> None:
    with store.write() as tx:
        tx.insert("customer", A, {"id": "cus_1", "created": 1, "email": "old@example.com"})
    with pytest.raises(RuntimeError), store.write() as tx:
        tx.insert("customer", A, {"id": "cus_2", "created": 2, "email": None})
        tx.update("customer", A, {"id": "cus_1", "created": 1, "email": "new@example.com"})
        tx.insert("event", A, {"id": "evt_1", "created": 2, "type": "customer.created"})
        raise RuntimeError("boom")
    with store.read() as tx:
        assert tx.get("customer", A, "cus_2") is None
        assert tx.get("event", A, "evt_1") is None
        record = tx.get("customer", A, "cus_1")
        assert record is not None and record.data["email"] == "old@example.com"
        assert ids(tx.page("customer", A, PageQuery(limit=10))) == ["cus_1"]
    # The connection is usable afterwards.
    with store.write() as tx:
        tx.insert("customer", A, {"id": "cus_3", "created": 3, "email": None})


def test_a_failed_statement_rolls_back_the_transaction(store: Store) -> None:
    with pytest.raises(Exception), store.write() as tx:  # noqa: B017 (driver-specific error)
        tx.insert("customer", A, {"id": "cus_1", "created": 1})
        tx.insert("customer", A, {"id": "cus_1", "created": 1})
    with store.read() as tx:
        assert tx.get("customer", A, "cus_1") is None


def test_a_write_opened_inside_a_write_joins_it(store: Store) -> None:
    """An idempotent request's transaction holds the endpoint's own writes: a nested write
    that fails undoes only itself, one that succeeds commits with the outer one, and a read
    sees the outer transaction's uncommitted work."""
    with store.write() as outer:
        outer.insert("customer", A, {"id": "cus_1", "created": 1})
        with pytest.raises(RuntimeError), store.write() as inner:
            inner.insert("customer", A, {"id": "cus_2", "created": 2})
            raise RuntimeError("declined")
        with store.write() as inner:
            inner.insert("customer", A, {"id": "cus_3", "created": 3})
        with store.read() as tx:
            assert ids(tx.page("customer", A, PageQuery(limit=10))) == ["cus_3", "cus_1"]
    with store.read() as tx:
        assert ids(tx.page("customer", A, PageQuery(limit=10))) == ["cus_3", "cus_1"]

    with pytest.raises(RuntimeError), store.write():
        with store.write() as inner:
            inner.insert("customer", A, {"id": "cus_4", "created": 4})
        raise RuntimeError("the outer transaction fails after the nested one succeeded")
    with store.read() as tx:
        assert tx.get("customer", A, "cus_4") is None


def test_an_object_written_twice_in_a_transaction_is_stored_once_as_last_written(
    store: Store,
) -> None:
    """Inserts are held until the transaction needs them (store/pending.py): an insert and
    its update become one row, reads of it see the last write, and it is stored as written
    even if the caller changes its dict afterwards."""
    with store.write() as tx:
        data = intent(1, 10, metadata={"order": "A-1"})
        tx.insert("payment_intent", A, data, {"due_at": 50})
        data["amount"] = 999_999  # a change after the write is not the write
        held = tx.get_for_update("payment_intent", A, "pi_0001")
        assert held is not None and (held.data["amount"], held.private) == (101, {"due_at": 50})
        tx.update("payment_intent", A, {**held.data, "status": "succeeded"}, {"due_at": None})
        assert tx.get("payment_intent", A, "pi_0001").data["status"] == "succeeded"
        assert tx.get("payment_intent", B, "pi_0001") is None
        # A statement that names the table sees the row; one that does not leaves it held.
        assert tx.execute("SELECT count(*) FROM webhook_endpoints") == [(0,)]
        assert tx.execute("SELECT status FROM payment_intents") == [("succeeded",)]
    with store.read() as tx:
        record = tx.get("payment_intent", A, "pi_0001")
        assert record is not None
        assert (record.data["amount"], record.data["status"]) == (101, "succeeded")
        assert record.private == {"due_at": None}
        assert tx.execute("SELECT count(*) FROM payment_intents") == [(1,)]
        assert tx.execute("SELECT key, value FROM search_metadata") == [("order", "a-1")]


def test_held_inserts_are_seen_by_pages_searches_and_due_scans(store: Store) -> None:
    with store.write() as tx:
        tx.insert("payment_intent", A, intent(1, 10, metadata={"k": "v"}), {"due_at": 5})
        assert ids(tx.page("payment_intent", A, PageQuery(limit=10))) == ["pi_0001"]
        tx.insert("payment_intent", A, intent(2, 11, metadata={"k": "v"}))
        criteria = Criteria((Clause("metadata", "=", "v", key="k"),))
        assert ids(tx.search("payment_intent", A, criteria, 10)) == ["pi_0002", "pi_0001"]
        tx.insert("payment_intent", A, intent(3, 12), {"due_at": 6})
        assert tx.due("payment_intent", 100, 10) == [("pi_0001", A), ("pi_0003", A)]
        tx.insert("payment_intent", A, intent(4, 13))
        assert tx.cursor_of("payment_intent", A, "pi_0004") is not None


def test_a_remembered_read_lasts_until_the_transaction_writes_its_table(store: Store) -> None:
    def count() -> int:
        return tx.execute("SELECT count(*) FROM webhook_endpoints")[0][0]

    endpoint = {"id": "we_1", "created": 1, "url": "http://x"}
    with store.write() as tx:
        assert tx.remember("webhook_endpoints", A, count) == 0
        tx.execute("SELECT count(*) FROM payment_intents")
        tx.insert("payment_intent", A, intent(1, 1))
        assert tx.remember("webhook_endpoints", A, lambda: 99) == 0
        tx.insert("webhook_endpoint", A, endpoint)
        assert tx.remember("webhook_endpoints", A, count) == 1
        tx.execute("DELETE FROM webhook_endpoints")
        assert tx.remember("webhook_endpoints", A, count) == 0
        tx.insert("webhook_endpoint", A, endpoint)
        assert tx.remember("webhook_endpoints", A, count) == 1
        tx.update("webhook_endpoint", A, {**endpoint, "url": "http://y"})
        assert tx.remember("webhook_endpoints", A, lambda: 42) == 42
        with pytest.raises(RuntimeError), store.write() as inner:
            inner.execute("DELETE FROM webhook_endpoints")
            assert inner.remember("webhook_endpoints", A, count) == 0
            raise RuntimeError("undone")
        assert tx.remember("webhook_endpoints", A, count) == 1


def test_a_failed_nested_write_forgets_what_it_held(store: Store) -> None:
    """Also a row held before the nested write began and written inside it: the savepoint's
    rollback undoes that INSERT, and the outer transaction still writes the row."""
    with store.write() as outer:
        outer.insert("customer", A, {"id": "cus_1", "created": 1, "email": "a@example.com"})
        with pytest.raises(RuntimeError), store.write() as inner:
            inner.update("customer", A, {"id": "cus_1", "created": 1, "email": "b@example.com"})
            inner.insert("customer", A, {"id": "cus_2", "created": 2})
            assert ids(inner.page("customer", A, PageQuery(limit=10))) == ["cus_2", "cus_1"]
            inner.insert("customer", A, {"id": "cus_3", "created": 3})
            raise RuntimeError("declined")
        assert outer.get("customer", A, "cus_1").data["email"] == "a@example.com"
        assert outer.get("customer", A, "cus_3") is None
    with store.read() as tx:
        assert ids(tx.page("customer", A, PageQuery(limit=10))) == ["cus_1"]
        assert tx.get("customer", A, "cus_1").data["email"] == "a@example.com"


def test_get_for_update_serializes_writers(store: Store) -> None:
    """The second writer waits for the first and sees what it committed (no lost update)."""
    with store.write() as tx:
        tx.insert("payment_intent", A, intent(1, 1, amount=0))

    def bump(hold: float) -> None:
        with store.write() as tx:
            record = tx.get_for_update("payment_intent", A, "pi_0001")
            assert record is not None
            time.sleep(hold)
            tx.update("payment_intent", A, {**record.data, "amount": record.data["amount"] + 1})

    threads = [threading.Thread(target=bump, args=(0.02,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with store.read() as tx:
        record = tx.get("payment_intent", A, "pi_0001")
    assert record is not None and record.data["amount"] == 8


def test_execute_runs_the_dialects_sql(store: Store) -> None:
    with store.write() as tx:
        tx.insert("event", A, {"id": "evt_1", "created": 5, "type": "a.b"})
        ph = "%s" if tx.dialect == "postgres" else "?"
        rows = tx.execute(f"SELECT id, created FROM events WHERE scope = {ph}", (A,))
        assert rows == [("evt_1", 5)]
        assert tx.execute("UPDATE events SET type = 'c.d'") == []
        assert tx.execute("SELECT type FROM events WHERE type LIKE 'c%'") == [("c.d",)]


def test_nul_in_ids_and_filters_is_not_an_error(store: Store) -> None:
    """Text from a URL or form may hold NUL, which PostgreSQL text cannot: no 500 for it."""
    with store.write() as tx:
        tx.insert("customer", A, {"id": "cus_1", "created": 1, "email": "a\x00b@example.com"})
    with store.read() as tx:
        assert tx.get("customer", A, "cus_\x00") is None
        assert tx.cursor_of("customer", A, "cus_\x00") is None
        page = tx.page("customer", A, PageQuery(limit=5, filters={"email": "a\x00b@example.com"}))
        assert ids(page) == ["cus_1"]
        assert page.records[0].data["email"] == "a\x00b@example.com"


def test_describe_hides_the_password() -> None:
    url = "postgresql://app:s3cret@db.example:5432/pay?sslmode=require"
    assert display_url(url) == "postgresql://app:***@db.example:5432/pay?sslmode=require"
    assert "s3cret" not in describe(url)
    assert display_url("postgresql://app@db/pay") == "postgresql://app@db/pay"
    hidden = display_url("postgresql://db/pay?user=app&password=s3cret&sslmode=require")
    assert hidden == "postgresql://db/pay?user=app&password=***&sslmode=require"
    assert describe("x.sqlite3").startswith("SQLite at /")


# PostgreSQL only: what SQLite does by serializing all writers, PostgreSQL does per row.


@pytest.fixture
def pg() -> Iterator[PostgresStore]:
    with temp_schema("unit") as url:
        s = PostgresStore(url)
        s.migrate()
        yield s
        s.close()


def test_postgres_read_transactions_cannot_write(pg: PostgresStore) -> None:
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction), pg.read() as tx:
        tx.insert("customer", A, {"id": "cus_1", "created": 1})


def test_postgres_due_in_a_write_transaction_skips_locked_rows(pg: PostgresStore) -> None:
    with pg.write() as tx:
        for n in range(3):
            tx.insert("payment_intent", A, intent(n, 1), {"due_at": 10 + n})
    locked = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with pg.write() as tx:
            tx.get_for_update("payment_intent", A, "pi_0000")
            locked.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(10)
        with pg.write() as tx:
            assert [i for i, _ in tx.due("payment_intent", 100, 10)] == ["pi_0001", "pi_0002"]
        with pg.read() as tx:
            assert len(tx.due("payment_intent", 100, 10)) == 3
    finally:
        release.set()
        holder.join()


def test_postgres_writes_are_durable_across_stores(pg: PostgresStore) -> None:
    """Another pool (another process, in production) sees a write once it is committed."""
    other = PostgresStore(pg.url)
    try:
        with pg.write() as tx:
            tx.insert("charge", A, {"id": "ch_1", "created": 1, "payment_intent": "pi_1"})
        with other.read() as tx:
            page = tx.page("charge", A, PageQuery(limit=5, filters={"payment_intent": "pi_1"}))
        assert ids(page) == ["ch_1"]
    finally:
        other.close()


def test_postgres_survives_connections_cut_while_idle(pg: PostgresStore) -> None:
    """A database restart or failover breaks the pooled connections; the next transaction
    notices at BEGIN and takes a fresh one instead of failing the request."""
    one = PostgresStore(pg.url, pool_size=1)
    try:
        with one.write() as tx:
            tx.insert("customer", A, {"id": "cus_1", "created": 1})
            (pid,) = tx.execute("SELECT pg_backend_pid()")[0]
        with psycopg.connect(admin_url(), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with one.read() as tx:
            assert tx.get("customer", A, "cus_1") is not None
            (new_pid,) = tx.execute("SELECT pg_backend_pid()")[0]
        assert new_pid != pid
    finally:
        one.close()


def test_sqlite_store_is_what_a_path_opens(tmp_path: Path) -> None:
    s = open_store(str(tmp_path / "x.sqlite3"))
    assert isinstance(s, SqliteStore)
    s.close()


def test_writes_on_the_event_loop_share_one_commit_and_answer_after_it(tmp_path: Path) -> None:
    """write_now (SQLite): writes begun on the event loop join one transaction, which
    commits once no write has joined for a moment; until then other connections see
    nothing, and committed() returns only after the COMMIT."""
    store = SqliteStore(str(tmp_path / "loop.sqlite3"))
    store.migrate()

    def committed_count() -> int:
        with store.read() as tx:
            return tx.execute("SELECT count(*) FROM customers")[0][0]

    async def scenario() -> None:
        for n in (1, 2):
            begun = store.write_now()
            assert begun is not None
            with begun as tx:
                tx.insert("customer", A, {"id": f"cus_{n}", "created": n})
        with pytest.raises(RuntimeError):
            begun = store.write_now()
            assert begun is not None
            with begun as tx:
                tx.insert("customer", A, {"id": "cus_3", "created": 3})
                raise RuntimeError("this write alone is undone")
        assert committed_count() == 0
        await store.committed()
        assert committed_count() == 2
        await store.committed()  # nothing open: returns at once

    asyncio.run(scenario())
    with store.read() as tx:
        assert ids(tx.page("customer", A, PageQuery(limit=10))) == ["cus_2", "cus_1"]
    store.close()


def test_no_write_on_the_event_loop_while_another_writer_holds_the_lock(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "busy.sqlite3"))
    store.migrate()
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with store.write() as tx:
            tx.insert("customer", A, {"id": "cus_thread", "created": 1})
            holding.set()
            release.wait(10)

    async def scenario() -> None:
        thread = threading.Thread(target=writer)
        thread.start()
        assert holding.wait(10)
        assert store.write_now() is None
        release.set()
        thread.join()
        begun = store.write_now()
        assert begun is not None
        with begun as tx:
            tx.insert("customer", A, {"id": "cus_loop", "created": 2})
        await store.committed()

    asyncio.run(scenario())
    other = SqliteStore(store.path)
    # Another process's writer (here, another store on the file) holds the file's lock.
    with other.write():
        assert asyncio.run(_write_now_is_none(store))
    other.close()
    with store.read() as tx:
        assert ids(tx.page("customer", A, PageQuery(limit=10))) == ["cus_loop", "cus_thread"]
    store.close()


async def _write_now_is_none(store: SqliteStore) -> bool:
    return store.write_now() is None


class _OtherProcess:
    """Another process's writer on the file (here another store): it holds the write lock
    from start() until release(), then makes `then` more writes right away, as a second
    worker wanting the file again does."""

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self.holding, self.released = threading.Event(), threading.Event()
        self.thread: threading.Thread | None = None

    def start(self, customer_id: str, then: int = 0) -> None:
        self.holding.clear()
        self.released.clear()
        self.thread = threading.Thread(target=self._run, args=(customer_id, then))
        self.thread.start()
        assert self.holding.wait(10)

    def _run(self, customer_id: str, then: int) -> None:
        with self.store.write() as tx:
            tx.insert("customer", A, {"id": customer_id, "created": 1})
            self.holding.set()
            self.released.wait(10)
        for n in range(then):
            with self.store.write() as tx:
                tx.insert("customer", A, {"id": f"{customer_id}_{n}", "created": 1})
                time.sleep(0.002)

    async def finished(self) -> None:
        assert self.thread is not None
        await asyncio.get_running_loop().run_in_executor(None, self.thread.join)


async def _write_once_handed_over(store: SqliteStore, n: int) -> str:
    """A write that finds the lock taken, awaits writable() and then runs on the loop; what
    went otherwise, where it did not."""
    if store.write_now() is not None:
        return "not refused"
    if not await store.writable():
        return "not handed over"
    begun = store.write_now()
    if begun is None:
        return "handed over, then not on the loop"
    with begun as tx:
        tx.insert("customer", A, {"id": f"cus_{n}", "created": 10 + n})
    await store.committed()
    return "written on the loop"


def test_a_write_that_found_the_lock_taken_waits_for_it_off_the_event_loop(
    tmp_path: Path,
) -> None:
    """writable(): while another process (here another store on the file) holds the write
    lock, the loop goes on serving; once it is released a thread hands the lock to the loop,
    and the waiting writes run there instead of in threads of their own."""
    store = SqliteStore(str(tmp_path / "handover.sqlite3"))
    store.migrate()
    other = _OtherProcess(SqliteStore(store.path))

    async def scenario() -> list[str]:
        other.start("cus_other")
        writes = [asyncio.create_task(_write_once_handed_over(store, n)) for n in range(3)]
        # The loop is not held up: it runs other work while the writes wait.
        ticks = 0
        for _ in range(5):
            await asyncio.sleep(0.01)
            ticks += 1
        assert not any(w.done() for w in writes)
        other.released.set()
        done = await asyncio.gather(*writes)
        await other.finished()
        assert ticks == 5
        return done

    assert asyncio.run(scenario()) == ["written on the loop"] * 3
    other.store.close()
    with store.read() as tx:
        found = ids(tx.page("customer", A, PageQuery(limit=10)))
    assert found == ["cus_2", "cus_1", "cus_0", "cus_other"]
    store.close()


def test_a_handed_over_lock_waits_for_its_writes_on_a_busy_loop(tmp_path: Path) -> None:
    """The waiting writes run a few loop turns after the lock is handed over; a loop whose
    turns each take longer than COMMIT_DELAY must not commit the group empty before them."""
    store = SqliteStore(str(tmp_path / "busy-loop.sqlite3"))
    store.migrate()
    other = _OtherProcess(SqliteStore(store.path))
    sizes: list[int] = []
    commit = store._commit_group

    def counting(group: Any) -> None:
        sizes.append(group.size)
        commit(group)

    store._commit_group = counting  # type: ignore[method-assign]

    async def busy() -> None:
        while True:  # the other requests of a busy server: 2 ms a turn
            time.sleep(0.002)
            await asyncio.sleep(0)

    async def round_(r: int) -> list[str]:
        other.start(f"cus_other_{r}", then=10)
        load = asyncio.create_task(busy())
        writes = [asyncio.create_task(_write_once_handed_over(store, r * 10 + n)) for n in range(3)]
        await asyncio.sleep(0.02)
        other.released.set()
        done = await asyncio.gather(*writes)
        load.cancel()
        await other.finished()
        return done

    for r in range(4):
        assert asyncio.run(round_(r)) == ["written on the loop"] * 3
    assert 0 not in sizes
    other.store.close()
    store.close()


def test_a_loop_closed_while_its_write_waited_leaves_the_store_usable(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "closed-loop.sqlite3"))
    store.migrate()
    other = _OtherProcess(SqliteStore(store.path))

    async def leave_while_waiting() -> None:
        other.start("cus_other_1")
        assert store.write_now() is None
        asyncio.get_running_loop().create_task(store.writable())
        await asyncio.sleep(0.05)

    asyncio.run(leave_while_waiting())  # the loop closes with the write still waiting
    other.released.set()
    assert other.thread is not None
    other.thread.join()
    deadline = time.monotonic() + 5
    while store._write_lock.locked() and time.monotonic() < deadline:
        time.sleep(0.01)  # the waiter thread takes the lock, finds the loop gone, gives it up
    assert not store._write_lock.locked()

    async def on_a_new_loop() -> str:
        other.start("cus_other_2")
        asyncio.get_running_loop().call_later(0.05, other.released.set)
        written = await asyncio.wait_for(_write_once_handed_over(store, 99), 5)
        await other.finished()
        return written

    assert asyncio.run(on_a_new_loop()) == "written on the loop"
    other.store.close()
    with store.read() as tx:
        assert tx.get("customer", A, "cus_99") is not None
    store.close()


def test_committed_pages_reach_the_database_file_without_a_checkpointing_commit(
    tmp_path: Path,
) -> None:
    """The checkpointer thread copies WAL pages into the file; a COMMIT would only do so
    past 1,000 pages, and these writes make far fewer."""
    path = tmp_path / "checkpoint.sqlite3"
    store = SqliteStore(str(path))
    store.migrate()
    with store.write() as tx:
        tx.insert("customer", A, {"id": "cus_0", "created": 0})
    time.sleep(0.2)
    before = path.stat().st_size
    with store.write() as tx:
        for n in range(1, 200):
            tx.insert("customer", A, {"id": f"cus_{n}", "created": n, "name": "x" * 500})
    deadline = time.monotonic() + 5
    while path.stat().st_size == before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert path.stat().st_size > before
    store.close()
    assert not any(t.name == "payintents-checkpoint" for t in threading.enumerate())


@pytest.mark.parametrize(
    ("text", "size"),
    [("1048576", 1048576), ("512KB", 512 * 1024), ("20MB", 20 * 1024**2), ("2 GiB", 2 * 1024**3),
     ("1.5m", 1572864), ("4k", 4096)],
)  # fmt: skip
def test_sizes_are_read_in_bytes(text: str, size: int) -> None:
    assert parse_size(text) == size
