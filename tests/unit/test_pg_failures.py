"""What the PostgreSQL store raises when the database fails a transaction: whether nothing
was committed (RolledBack, Unavailable: a retry is safe) or the COMMIT's outcome is unknown."""

from __future__ import annotations

import time
from collections.abc import Iterator

import psycopg
import pytest

from payintents.store.base import OutcomeUnknown, RolledBack, Unavailable
from payintents.store.postgres import PostgresStore
from tests.pg import admin_url, temp_schema

A = "acct_F/test"


@pytest.fixture
def pg() -> Iterator[PostgresStore]:
    with temp_schema("fail") as url:
        store = PostgresStore(url, pool_size=2, timeout=2)
        store.migrate()
        yield store
        store.close()


def terminate(pid: int) -> None:
    with psycopg.connect(admin_url(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        # pg_terminate_backend signals; wait until the backend is gone.
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
            time.sleep(0.01)


def customers(store: PostgresStore) -> list[str]:
    with store.read() as tx:
        return [r[0] for r in tx.execute("SELECT id FROM customers ORDER BY id")]


def test_a_backend_terminated_mid_transaction_rolls_back(pg: PostgresStore) -> None:
    with pytest.raises(RolledBack, match="the transaction was rolled back: "), pg.write() as tx:
        tx.insert("customer", A, {"id": "cus_1", "created": 1})
        tx.flush()
        terminate(tx.execute("SELECT pg_backend_pid()")[0][0])
        tx.insert("customer", A, {"id": "cus_2", "created": 2})
        tx.flush()
    assert customers(pg) == []
    # The next transaction gets a working connection.
    with pg.write() as tx:
        tx.insert("customer", A, {"id": "cus_3", "created": 3})
    assert customers(pg) == ["cus_3"]


def test_a_connection_lost_during_commit_is_of_unknown_outcome(pg: PostgresStore) -> None:
    # Killed just before its COMMIT, the backend committed nothing; but a client that loses
    # the connection while its COMMIT is on the way cannot tell that from a COMMIT done just
    # before the connection went.
    lost = pytest.raises(OutcomeUnknown, match="the connection was lost during COMMIT")
    with lost, pg.write() as tx:
        tx.insert("customer", A, {"id": "cus_1", "created": 1})
        tx.flush()
        terminate(tx.execute("SELECT pg_backend_pid()")[0][0])
    assert customers(pg) == []


def test_a_commit_the_server_refuses_rolls_back(pg: PostgresStore) -> None:
    with pg.write() as tx:
        tx.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        tx.execute(
            "CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER "
            "REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)"
        )
    with pytest.raises(RolledBack, match=r"the COMMIT failed: .*foreign key"), pg.write() as tx:
        tx.insert("customer", A, {"id": "cus_1", "created": 1})
        tx.execute("INSERT INTO child (id, parent) VALUES (1, 42)")
    assert customers(pg) == []


def test_an_unreachable_database_is_unavailable_within_the_timeout() -> None:
    store = PostgresStore("postgresql://nobody@127.0.0.1:1/test", timeout=1)
    try:
        started = time.monotonic()
        refused = pytest.raises(Unavailable, match="no PostgreSQL connection within 1 s")
        with refused, store.read():
            pass
        assert time.monotonic() - started < 3
    finally:
        store.close()
