"""Search in the store: the metadata index kept in step, the backfill, and index use."""

from __future__ import annotations

from typing import Any

import pytest

from payintents.store.base import Store
from payintents.store.search import Clause, Criteria, search_sql

A = "acct_A/test"
B = "acct_B/test"


def intent(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"pi_{n:04d}",
        "object": "payment_intent",
        "created": 1000 + n // 3,
        "amount": 100 * n,
        "currency": "usd",
        "status": "requires_payment_method",
        "customer": None,
        "metadata": {},
        **fields,
    }


def found(store: Store, *clauses: Clause, any: bool = False, scope: str = A) -> list[str]:
    with store.read() as tx:
        page = tx.search("payment_intent", scope, Criteria(clauses, any=any), 100)
    return [r.data["id"] for r in page.records]


def test_metadata_rows_follow_inserts_and_updates(store: Store) -> None:
    tricky = "x' OR '1'='1"
    with store.write() as tx:
        tx.insert("payment_intent", A, intent(1, metadata={"order": "Ord-1", "q": tricky}))
        tx.insert("payment_intent", A, intent(2, metadata={"order": "ord-2"}))
        tx.insert("payment_intent", B, intent(3, metadata={"order": "ord-1"}))
    order = Clause("metadata", "=", "ORD-1", key="order")
    assert found(store, order) == ["pi_0001"]
    assert found(store, order, scope=B) == ["pi_0003"]
    assert found(store, Clause("metadata", "=", tricky, key="q")) == ["pi_0001"]
    assert found(store, Clause("metadata", "=", "x", key="q")) == []
    with store.write() as tx:
        tx.update("payment_intent", A, intent(1, metadata={"other": "v"}))
    assert found(store, order) == []
    assert found(store, Clause("metadata", "=", None, key="order")) == ["pi_0001"]
    assert found(store, Clause("metadata", "=", "V", key="other")) == ["pi_0001"]


def test_a_rolled_back_write_leaves_no_metadata_rows(store: Store) -> None:
    with pytest.raises(RuntimeError), store.write() as tx:
        tx.insert("payment_intent", A, intent(1, metadata={"order": "gone"}))
        raise RuntimeError("abort")
    with store.read() as tx:
        assert tx.execute("SELECT COUNT(*) FROM search_metadata") == [(0,)]


def test_negation_or_and_keyset(store: Store) -> None:
    with store.write() as tx:
        for n in range(1, 10):
            tx.insert(
                "payment_intent",
                A,
                intent(n, customer="cus_x" if n % 2 else None, currency="eur" if n > 6 else "usd"),
            )
    newest_first = [f"pi_{n:04d}" for n in range(9, 0, -1)]
    not_x = Clause("customer", "=", "cus_x", negated=True)
    assert found(store, not_x) == [i for i in newest_first if int(i[3:]) % 2 == 0]
    either = (Clause("amount", "<", 200), Clause("currency", "=", "eur"))
    assert found(store, *either, any=True) == ["pi_0009", "pi_0008", "pi_0007", "pi_0001"]
    assert found(store, *either) == []
    with store.read() as tx:
        criteria = Criteria((Clause("amount", ">=", 100),))
        first = tx.search("payment_intent", A, criteria, 4)
        last = first.records[-1]
        rest = tx.search("payment_intent", A, criteria, 10, (last.data["created"], last.seq))
    assert first.has_more and not rest.has_more
    assert [r.data["id"] for r in first.records + rest.records] == newest_first


def test_migration_backfills_existing_intents(store: Store) -> None:
    with store.write() as tx:
        tx.insert("payment_intent", A, intent(1, metadata={"order": "Ünï-ABC", "n": "1"}))
        tx.insert("payment_intent", A, intent(2))
        customer = {"id": "cus_1", "created": 5, "email": "A@b.co", "name": "Zoë Q", "phone": "+1"}
        tx.insert("customer", A, {**customer, "metadata": {"t": "Gold"}})
        before = sorted(
            tx.execute("SELECT kind, scope, object_id, key, value FROM search_metadata")
        )
        # Back to the schema before 0006, with the intents and customers already stored.
        for statement in (
            "DROP TABLE search_metadata",
            "DROP INDEX payment_intents_currency",
            "DROP INDEX payment_intents_amount",
            "DROP INDEX customers_email_search",
            "ALTER TABLE customers DROP COLUMN name",
            "ALTER TABLE customers DROP COLUMN phone",
            "DELETE FROM schema_migrations WHERE version = '0006_search_index'",
        ):
            tx.execute(statement)
    assert store.migrate() == ["0006_search_index"]
    with store.read() as tx:
        after = sorted(tx.execute("SELECT kind, scope, object_id, key, value FROM search_metadata"))
    assert after == before
    assert ("payment_intent", A, "pi_0001", "order", "Ünï-abc") in after
    assert ("customer", A, "cus_1", "t", "gold") in after
    with store.read() as tx:
        assert tx.execute("SELECT name, phone FROM customers") == [("Zoë Q", "+1")]
        page = tx.search("customer", A, Criteria((Clause("name", "~", "oë q"),)), 10)
    assert [r.data["id"] for r in page.records] == ["cus_1"]


def plan(store: Store, criteria: Criteria) -> str:
    with store.read() as tx:
        if tx.dialect == "sqlite":
            text, params = search_sql("payment_intent", A, criteria, 10, None, "?")
            return "\n".join(
                str(r[-1]) for r in tx.execute("EXPLAIN QUERY PLAN " + text, tuple(params))
            )
        text, params = search_sql("payment_intent", A, criteria, 10, None, "%s")
        # A small table is cheaper to scan; forbid it to see which indexes the query can use.
        tx.execute("SET LOCAL enable_seqscan = off")
        return "\n".join(r[0] for r in tx.execute("EXPLAIN " + text, tuple(params)))


def test_searches_read_indexes(store: Store) -> None:
    with store.write() as tx:
        for n in range(300):
            tx.insert(
                "payment_intent",
                A if n % 2 else B,
                intent(n, status="succeeded" if n % 3 else "canceled", metadata={"o": str(n)}),
            )
    by_metadata = plan(store, Criteria((Clause("metadata", "=", "7", key="o"),)))
    assert "search_metadata_lookup" in by_metadata
    assert "payment_intents_page" not in by_metadata
    both = plan(
        store,
        Criteria((Clause("status", "=", "succeeded"), Clause("metadata", "=", "7", key="o"))),
    )
    assert "search_metadata_lookup" in both
    assert "payment_intents_status" in plan(store, Criteria((Clause("status", "=", "canceled"),)))
    assert "payment_intents_currency" in plan(store, Criteria((Clause("currency", "=", "usd"),)))
    assert "payment_intents_customer" in plan(store, Criteria((Clause("customer", "=", "c"),)))
    with store.read() as tx:
        text, params = search_sql(
            "customer",
            A,
            Criteria((Clause("email", "=", "X@y.z"),)),
            10,
            None,
            "?" if tx.dialect == "sqlite" else "%s",
        )
        if tx.dialect == "postgres":
            tx.execute("SET LOCAL enable_seqscan = off")
        explain = "EXPLAIN QUERY PLAN " if tx.dialect == "sqlite" else "EXPLAIN "
        by_email = "\n".join(str(r[-1]) for r in tx.execute(explain + text, tuple(params)))
    assert "customers_email_search" in by_email
    if store.dialect == "sqlite":
        assert "SCAN payment_intents" not in by_metadata + both
