"""The outbox, claims, retries, signatures and multi-type event pages, on a real SQLite store."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import stripe

from payintents.events import types
from payintents.events.listing import keys_sql, page_of_types
from payintents.events.record import record_event
from payintents.store.base import PageQuery, Store
from payintents.store.postgres import PostgresStore
from payintents.store.sqlite import SqliteStore
from payintents.webhooks import outbox, signing
from tests.pg import temp_schema

SCOPE = "acct_1TEST/test"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(str(tmp_path / "unit.sqlite3"))
    s.migrate()
    yield s
    s.close()


def endpoint(store: Store, scope: str, events: list[str], status: str = "enabled") -> str:
    endpoint_id = f"we_{random.randrange(10**12)}"
    data = {
        "id": endpoint_id, "object": "webhook_endpoint", "api_version": None, "created": 1,
        "enabled_events": events, "status": status, "url": "http://127.0.0.1:9/x",
        "metadata": {}, "livemode": False, "description": None, "application": None,
    }  # fmt: skip
    with store.write() as tx:
        tx.insert("webhook_endpoint", scope, data, {"secret": "whsec_test"})
    return endpoint_id


def event(store: Store, type: str, now: int = 1000, scope: str = SCOPE) -> dict:
    with store.write() as tx:
        return record_event(
            tx, scope=scope, livemode=False, now=now, type=type, obj={"id": "pi_1"},
            request_id=None, idempotency_key=None,
        )  # fmt: skip


def test_signature_is_what_the_sdk_verifies() -> None:
    secret = signing.new_secret()
    payload = b'{"id": "evt_1", "object": "event"}'
    header = signing.header(payload, secret, 1_700_000_000)
    assert stripe.WebhookSignature.verify_header(payload.decode(), header, secret, tolerance=None)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.WebhookSignature.verify_header(payload.decode(), header, secret + "x")
    assert len(signing.new_listener_secret()) == len("whsec_") + 64


def test_type_patterns() -> None:
    assert types.expand("*") is None
    assert types.expand("charge.succeeded") == ("charge.succeeded",)
    pi = types.expand("payment_intent.*")
    assert pi is not None and "payment_intent.succeeded" in pi and len(pi) == 8
    assert set(types.expand("charge.dispute.*") or ()) <= set(types.expand("charge.*") or ())
    assert "setup_intent.succeeded" in (types.expand("*.succeeded") or ())
    assert types.wanted(["*"], "anything") and not types.wanted(["charge.failed"], "x")


def test_fan_out_with_the_event(store: SqliteStore) -> None:
    everything = endpoint(store, SCOPE, ["*"])
    endpoint(store, SCOPE, ["charge.failed"])
    endpoint(store, SCOPE, ["*"], status="disabled")
    endpoint(store, "acct_1OTHER/test", ["*"])
    forwarded = endpoint(store, outbox.GLOBAL_SCOPE, ["*"])
    created = event(store, "payment_intent.created")
    assert created["pending_webhooks"] == 2
    with store.read() as tx:
        rows = tx.execute(
            "SELECT endpoint_id, endpoint_scope, status FROM webhook_deliveries ORDER BY id"
        )
        assert {r[0] for r in rows} == {everything, forwarded}
        assert outbox.pending_counts(tx, [created["id"], "evt_none"]) == {
            created["id"]: 2,
            "evt_none": 0,
        }
    # An event rolled back takes its deliveries with it.
    with pytest.raises(RuntimeError), store.write() as tx:
        record_event(
            tx, scope=SCOPE, livemode=False, now=1, type="charge.failed", obj={"id": "ch_1"},
            request_id=None, idempotency_key=None,
        )  # fmt: skip
        raise RuntimeError("the change failed")
    with store.read() as tx:
        assert tx.execute("SELECT COUNT(*) FROM webhook_deliveries")[0][0] == 2


def test_claims_exclude_each_other_until_the_lease_lapses(store: SqliteStore) -> None:
    endpoint(store, SCOPE, ["*"])
    for _ in range(5):
        event(store, "charge.succeeded")
    now = outbox.now_ms()
    with store.write() as tx:
        first = outbox.claim(tx, "a", now, 1000, 3)
    with store.write() as tx:
        second = outbox.claim(tx, "b", now, 1000, 10)
    assert len(first) == 3 and len(second) == 2
    assert not {c.id for c in first} & {c.id for c in second}
    with store.write() as tx:
        assert outbox.claim(tx, "c", now + 999, 1000, 10) == []
        lapsed = outbox.claim(tx, "c", now + 1000, 1000, 10)
    assert {c.id for c in lapsed} == {c.id for c in first + second}
    # The first holder's late outcome does not override the new holder's claim.
    late = outbox.Outcome(now, 5, 200, None)
    with store.write() as tx:
        assert not outbox.record_attempt(tx, first[0], "a", late, (1,))
        assert outbox.record_attempt(tx, lapsed[0], "c", late, (1,))
        statuses = dict(tx.execute("SELECT id, status FROM webhook_deliveries"))
        attempts = tx.execute("SELECT COUNT(*) FROM webhook_attempts")[0][0]
    assert statuses[first[0].id] == "succeeded" and attempts == 2


def test_postgres_claims_skip_rows_another_dispatcher_holds() -> None:
    """Two dispatchers claiming at the same moment on PostgreSQL: the second takes the rows
    the first has not locked, at once, instead of waiting for (and then re-taking) them."""
    with temp_schema("outbox") as url:
        store = PostgresStore(url)
        try:
            store.migrate()
            endpoint(store, SCOPE, ["*"])
            for _ in range(5):
                event(store, "charge.succeeded")
            now = outbox.now_ms()
            second: list[outbox.Claimed] = []

            def claim_second() -> None:
                with store.write() as tx:
                    second.extend(outbox.claim(tx, "b", now, 1000, 10))

            with store.write() as tx:
                first = outbox.claim(tx, "a", now, 1000, 3)
                other = threading.Thread(target=claim_second)
                other.start()
                other.join(10)
                assert not other.is_alive(), "the second claim waited for the first one's locks"
            assert len(first) == 3 and len(second) == 2
            assert not {c.id for c in first} & {c.id for c in second}
        finally:
            store.close()


def test_retry_schedule_then_give_up(store: SqliteStore) -> None:
    endpoint(store, SCOPE, ["*"])
    created = event(store, "charge.failed")
    schedule = (2, 4)
    at = outbox.now_ms()
    for expected_delay in schedule:
        with store.write() as tx:
            (job,) = outbox.claim(tx, "t", at, 60_000, 1)
            outbox.record_attempt(tx, job, "t", outbox.Outcome(at, 10, 500, "HTTP 500"), schedule)
            (due,) = tx.execute("SELECT due_ms FROM webhook_deliveries")[0]
        assert due == at + 10 + expected_delay * 1000
        with store.write() as tx:
            assert outbox.claim(tx, "t", due - 1, 60_000, 1) == []
        at = due
    with store.write() as tx:
        (job,) = outbox.claim(tx, "t", at, 60_000, 1)
        assert job.attempts == 2
        outbox.record_attempt(tx, job, "t", outbox.Outcome(at, 10, None, "timed out"), schedule)
        assert tx.execute("SELECT status, attempts FROM webhook_deliveries") == [("failed", 3)]
        assert outbox.claim(tx, "t", at + 10**9, 60_000, 1) == []
        assert outbox.pending_counts(tx, [created["id"]]) == {created["id"]: 1}


def test_disabling_cancels_pending_deliveries(store: SqliteStore) -> None:
    endpoint_id = endpoint(store, SCOPE, ["*"])
    created = event(store, "charge.failed")
    with store.write() as tx:
        outbox.cancel_for_endpoint(tx, endpoint_id)
        assert outbox.claim(tx, "t", outbox.now_ms(), 1000, 10) == []
        assert outbox.pending_counts(tx, [created["id"]]) == {created["id"]: 0}


def test_several_types_page_like_one_filtered_scan(store: SqliteStore) -> None:
    rng = random.Random(7)
    names = ["charge.succeeded", "charge.failed", "refund.created", "customer.created"]
    for i in range(120):
        event(store, rng.choice(names), now=1000 + i // 7)
    wanted = ("charge.succeeded", "refund.created", "customer.created")
    with store.read() as tx:
        every = tx.page("event", SCOPE, PageQuery(limit=100_000)).records
        truth = [r for r in every if r.data["type"] in wanted]
        for _ in range(30):
            limit = rng.randint(1, 15)
            created = rng.choice([{}, {"gte": 1005}, {"lt": 1010, "gt": 1002}])
            pick = rng.choice(truth)
            direction = rng.choice(["after", "before", None])
            cursor = (pick.data["created"], pick.seq)
            query = PageQuery(
                limit=limit,
                created=created,
                after=cursor if direction == "after" else None,
                before=cursor if direction == "before" else None,
            )
            got = page_of_types(tx, SCOPE, query, wanted)
            inside = [r for r in truth if _within(r.data["created"], created)]
            if direction == "after":
                inside = [r for r in inside if (r.data["created"], r.seq) < cursor]
                expected = inside[:limit]
                more = len(inside) > limit
            elif direction == "before":
                inside = [r for r in inside if (r.data["created"], r.seq) > cursor]
                expected = inside[-limit:]
                more = len(inside) > limit
            else:
                expected = inside[:limit]
                more = len(inside) > limit
            assert [r.seq for r in got.records] == [r.seq for r in expected]
            assert got.has_more == more
        # Each type is a keyset read on the (scope, type, created, seq) index: no sort of all
        # matching rows, whatever the number of events.
        query = PageQuery(limit=10, after=(2000, 10**9))
        statement, bounds, _ = keys_sql(tx, query, 3)
        params = [p for t in wanted for p in (SCOPE, t, *bounds)]
        plan = tx.execute("EXPLAIN QUERY PLAN " + statement, tuple(params))
        detail = " ".join(str(r[-1]) for r in plan)
        assert "events_type" in detail and "TEMP B-TREE" not in detail


def _within(created: int, bounds: dict[str, int]) -> bool:
    ops = {"gt": created.__gt__, "gte": created.__ge__, "lt": created.__lt__, "lte": created.__le__}
    return all(ops[op](value) for op, value in bounds.items())
