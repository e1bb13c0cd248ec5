"""The reads every request makes are index reads on both stores (invariant 7): a lookup by
id, a page of a scope newest first (with created bounds and a keyset cursor), and the
customer filter. Checked on the query plans of the SQL the stores run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from payintents.store import open_store, sql
from payintents.store.base import KINDS, PageQuery, Store
from tests.pg import temp_schema

A = "acct_A/test"
B = "acct_B/test"
ROWS = 1000
WITH_CUSTOMER = [kind for kind, spec in KINDS.items() if "customer" in spec.columns]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def filled(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """Every kind with rows in two scopes, so a plan has something to choose between; filled
    once per store for the module (the tests only read)."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            database = str(tmp_path_factory.mktemp("indexes") / "indexes.sqlite3")
        else:
            database = stack.enter_context(temp_schema("indexes"))
        store = open_store(database)
        stack.callback(store.close)
        store.migrate()
        fill(store)
        yield store


def fill(store: Store) -> None:
    with store.write() as tx:
        for kind in KINDS:
            for n in range(ROWS):
                data = {"id": f"{kind}_{n:04d}", "created": 1000 + n // 4, "metadata": {}}
                if "customer" in KINDS[kind].columns:
                    data["customer"] = f"cus_{n % 7}"
                tx.insert(kind, A if n % 2 else B, data)
    if store.dialect == "postgres":
        # Statistics, as autovacuum keeps them on a server that has run a while.
        with store.write() as tx:
            tx.execute("ANALYZE")


def plan(store: Store, text: str, params: list[Any] | tuple[Any, ...]) -> str:
    """The plan of a statement written with `?` placeholders, one line per step."""
    with store.read() as tx:
        if tx.dialect == "sqlite":
            rows = tx.execute("EXPLAIN QUERY PLAN " + text, tuple(params))
            return "\n".join(str(r[-1]) for r in rows)
        # A small table is cheaper to scan; forbid it to see which index the query can use.
        tx.execute("SET LOCAL enable_seqscan = off")
        rows = tx.execute("EXPLAIN " + text.replace("?", "%s"), tuple(params))
        return "\n".join(r[0] for r in rows)


def assert_index_read(store: Store, statement: tuple[str, list[Any]], index: str) -> None:
    """Read through `index`, and neither a full scan nor a sort of the matching rows."""
    text, params = statement
    table = text.split(" FROM ", 1)[1].split()[0]
    explained = plan(store, text, params)
    assert index in explained, explained
    if store.dialect == "sqlite":
        assert f"SCAN {table}" not in explained, explained
        assert "TEMP B-TREE" not in explained, explained
    else:
        assert "Seq Scan" not in explained, explained
        assert "Sort" not in explained, explained


def page(kind: str, **query: Any) -> tuple[str, list[Any]]:
    text, params, _ = sql.page_sql(kind, PageQuery(limit=10, **query), A, "?")
    return text, params


def by_id(kind: str, statement: str) -> tuple[str, list[Any]]:
    return statement, [f"{kind}_0001", A]


def unique_id_index(store: Store, table: str) -> str:
    """The index behind `id TEXT NOT NULL UNIQUE`, as each database names it."""
    return f"{table}_id_key" if store.dialect == "postgres" else f"sqlite_autoindex_{table}_1"


@pytest.mark.parametrize("kind", list(KINDS))
def test_get_by_id_reads_the_id_index(filled: Store, kind: str) -> None:
    index = unique_id_index(filled, KINDS[kind].table)
    assert_index_read(filled, by_id(kind, sql.get_sql(kind, "?")), index)
    assert_index_read(filled, by_id(kind, sql.cursor_sql(kind, "?")), index)


@pytest.mark.parametrize("kind", list(KINDS))
def test_pages_read_the_scope_created_index(filled: Store, kind: str) -> None:
    index = f"{KINDS[kind].table}_page"
    assert_index_read(filled, page(kind), index)
    # Cursors and bounds that leave most rows in: a page must not read (or sort) them all.
    assert_index_read(filled, page(kind, after=(1240, 960)), index)
    assert_index_read(filled, page(kind, before=(1010, 40)), index)
    assert_index_read(filled, page(kind, created={"gte": 1005, "lt": 1240}), index)


@pytest.mark.parametrize("kind", WITH_CUSTOMER)
def test_the_customer_filter_reads_the_customer_index(filled: Store, kind: str) -> None:
    index = f"{KINDS[kind].table}_customer"
    assert_index_read(filled, page(kind, filters={"customer": "cus_3"}), index)
    assert_index_read(filled, page(kind, filters={"customer": "cus_3"}, after=(1240, 960)), index)


@pytest.mark.parametrize(
    ("kind", "column", "value"),
    [
        ("setup_intent", "payment_method", "pm_1"),
        ("setup_intent", "attach_to_self", 1),
        ("setup_attempt", "setup_intent", "seti_1"),
    ],
)
def test_the_setup_filters_read_their_index(
    filled: Store, kind: str, column: str, value: Any
) -> None:
    index = f"{KINDS[kind].table}_{column}"
    assert_index_read(filled, page(kind, filters={column: value}), index)


def test_the_rows_come_back_in_page_order(filled: Store) -> None:
    """The plans above are of the statements that really page: what they return."""
    with filled.read() as tx:
        got = tx.page("payment_intent", A, PageQuery(limit=3, filters={"customer": "cus_3"}))
    newest_first = [n for n in reversed(range(ROWS)) if n % 2 and n % 7 == 3]
    assert [r.data["id"] for r in got.records] == [
        f"payment_intent_{n:04d}" for n in newest_first[:3]
    ]
    assert got.has_more
