"""Charge search in the store: the columns computed from each charge, the payment method
type a detail belongs to, the 0007 backfill, and the indexes a search reads."""

from __future__ import annotations

from typing import Any

from payintents.store.base import KINDS, Store
from payintents.store.search import Clause, Criteria, search_sql

A = "acct_A/test"
B = "acct_B/test"
COLUMNS = [c for c in KINDS["charge"].columns if c not in ("payment_intent", "customer")]
# The indexes migration 0007 adds.
INDEXES = (
    "charges_status",
    "charges_currency",
    "charges_amount",
    "charges_refunded",
    "charges_disputed",
    "charges_postal_code",
    "charges_method_brand",
    "charges_method_fingerprint",
    "charges_method_last4",
)


def charge(n: int, kind: str = "card", postal: str | None = None, **fields: Any) -> dict[str, Any]:
    details: dict[str, Any] = {"last4": f"{n:04d}", "fingerprint": f"Fp{n % 3}"}
    if kind == "card":
        details |= {"brand": "visa" if n % 2 else "amex", "exp_month": n % 12 + 1, "exp_year": 2030}
    return {
        "id": f"ch_{n:04d}",
        "object": "charge",
        "created": 1000 + n,
        "amount": 100 * n,
        "currency": "usd",
        "status": "succeeded",
        "customer": None,
        "payment_intent": f"pi_{n:04d}",
        "refunded": False,
        "disputed": False,
        "metadata": {},
        "billing_details": {"address": {"postal_code": postal}},
        "payment_method_details": {"type": kind, kind: details},
        **fields,
    }


def found(store: Store, *clauses: Clause, any: bool = False, scope: str = A) -> list[str]:
    with store.read() as tx:
        page = tx.search("charge", scope, Criteria(clauses, any=any), 100)
    return [r.data["id"] for r in page.records]


def seed(store: Store) -> None:
    with store.write() as tx:
        tx.insert("charge", A, charge(1, postal="SW1A 1AA", metadata={"k": "V"}))
        tx.insert("charge", A, charge(2, "sepa_debit", refunded=True))
        tx.insert("charge", A, charge(3, postal="94107", status="failed"))
        tx.insert("charge", A, charge(4, "us_bank_account", currency="eur"))
        tx.insert("charge", B, charge(5))


def test_columns_follow_the_charge(store: Store) -> None:
    seed(store)
    with store.read() as tx:
        rows = tx.execute(f"SELECT id, {', '.join(COLUMNS)} FROM charges ORDER BY id")
    ok, usd = "succeeded", "usd"
    assert [tuple(r) for r in rows] == [
        ("ch_0001", ok, usd, 100, 0, 0, "sw1a 1aa", "card", "visa", "2", "2030", "Fp1", "0001"),
        ("ch_0002", ok, usd, 200, 1, 0, None, "sepa_debit", None, None, None, "Fp2", "0002"),
        ("ch_0003", "failed", usd, 300, 0, 0, "94107", "card", "visa", "4", "2030", "Fp0", "0003"),
        ("ch_0004", ok, "eur", 400, 0, 0, None, "us_bank_account", None, None, None, "Fp1", "0004"),
        ("ch_0005", ok, usd, 500, 0, 0, None, "card", "visa", "6", "2030", "Fp2", "0005"),
    ]  # fmt: skip
    with store.write() as tx:
        tx.update("charge", A, charge(3, refunded=True, metadata={"k": "w"}))
    assert found(store, Clause("refunded", "=", 1)) == ["ch_0003", "ch_0002"]
    assert found(store, Clause("status", "=", "failed")) == []
    assert found(store, Clause("metadata", "=", "W", key="k")) == ["ch_0003"]


def test_a_detail_exists_only_on_its_payment_method_type(store: Store) -> None:
    seed(store)
    card_fp1 = Clause("payment_method_details.card.fingerprint", "=", "Fp1")
    assert found(store, card_fp1) == ["ch_0001"]
    assert found(
        store, Clause("payment_method_details.us_bank_account.fingerprint", "=", "Fp1")
    ) == ["ch_0004"]
    negated = Clause("payment_method_details.card.fingerprint", "=", "Fp1", negated=True)
    assert found(store, negated) == ["ch_0004", "ch_0003", "ch_0002"]
    absent = Clause("payment_method_details.card.brand", "=", None)
    assert found(store, absent) == ["ch_0004", "ch_0002"]
    present = Clause("payment_method_details.sepa_debit.last4", "=", None, negated=True)
    assert found(store, present) == ["ch_0002"]
    postal = Clause("billing_details.address.postal_code", "=", "sw1a 1aa")
    either = (postal, Clause("payment_method_details.card.exp_month", "=", "4"))
    assert found(store, *either, any=True) == ["ch_0003", "ch_0001"]
    assert found(store, *either) == []
    assert found(store, Clause("currency", "=", "eur"), Clause("amount", ">", 300)) == ["ch_0004"]


def test_migration_backfills_existing_charges(store: Store) -> None:
    seed(store)
    with store.read() as tx:
        select = f"SELECT id, {', '.join(COLUMNS)} FROM charges ORDER BY id"
        before = tx.execute(select)
        metadata = tx.execute("SELECT * FROM search_metadata WHERE kind = 'charge'")
    assert metadata
    # Back to the schema before 0007, with the charges already stored.
    with store.write() as tx:
        for index in INDEXES:
            tx.execute(f"DROP INDEX {index}")
        for column in COLUMNS:
            tx.execute(f"ALTER TABLE charges DROP COLUMN {column}")
        tx.execute("DELETE FROM search_metadata WHERE kind = 'charge'")
        tx.execute("DELETE FROM schema_migrations WHERE version = '0007_charge_search'")
    assert store.migrate() == ["0007_charge_search"]
    with store.read() as tx:
        assert tx.execute(select) == before
        assert tx.execute("SELECT * FROM search_metadata WHERE kind = 'charge'") == metadata


def plan(store: Store, *clauses: Clause) -> str:
    with store.read() as tx:
        sqlite = tx.dialect == "sqlite"
        text, params = search_sql("charge", A, Criteria(clauses), 10, None, "?" if sqlite else "%s")
        if sqlite:
            rows = tx.execute("EXPLAIN QUERY PLAN " + text, tuple(params))
            return "\n".join(str(r[-1]) for r in rows)
        # A small table is cheaper to scan; forbid it to see which indexes the query can use.
        tx.execute("SET LOCAL enable_seqscan = off")
        return "\n".join(r[0] for r in tx.execute("EXPLAIN " + text, tuple(params)))


def test_searches_read_indexes(store: Store) -> None:
    with store.write() as tx:
        for n in range(300):
            tx.insert("charge", A if n % 2 else B, charge(n, postal=str(n), metadata={"o": str(n)}))
    cases = {
        "charges_status": Clause("status", "=", "failed"),
        "charges_currency": Clause("currency", "=", "eur"),
        "charges_amount": Clause("amount", ">", 29000),
        "charges_refunded": Clause("refunded", "=", 1),
        "charges_disputed": Clause("disputed", "=", 1),
        "charges_postal_code": Clause("billing_details.address.postal_code", "=", "7"),
        "charges_method_last4": Clause("payment_method_details.card.last4", "=", "0007"),
        "charges_method_fingerprint": Clause("payment_method_details.card.fingerprint", "=", "x"),
        "charges_method_brand": Clause("payment_method_details.card.brand", "=", "jcb"),
        "search_metadata_lookup": Clause("metadata", "=", "7", key="o"),
        "charges_customer": Clause("customer", "=", "cus_1"),
    }
    for index, clause in cases.items():
        assert index in plan(store, clause), index
