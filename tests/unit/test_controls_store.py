"""The test controls' tables (store/controls.py) and the due_at columns kept in the server's
time, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading

from payintents.store import controls
from payintents.store.base import Store
from payintents.store.controls import NONE, REQUEST, AccountControls
from tests.unit.test_store import A, B, intent


def test_an_account_without_a_row_has_the_servers_clock_and_no_rules(store: Store) -> None:
    assert controls.peek(store, A) == NONE
    with store.write() as tx:
        assert controls.read_for_update(tx, A) == NONE
        controls.move_clock(tx, A, 3600)
        controls.count_faults(tx, A, REQUEST, 2)
        # Read again in the transaction that changed it.
        assert controls.read(tx, A) == AccountControls(3600, 2, 0)
    assert controls.peek(store, A) == AccountControls(3600, 2, 0)
    assert controls.peek(store, B) == NONE
    with store.write() as tx:
        assert controls.forget_account(tx, A) == 0
    assert controls.peek(store, A) == NONE


def test_due_columns_hold_the_servers_time(store: Store) -> None:
    """An object of an account a day ahead, due at the account's 1000, is due at the server's
    1000 - 86400: one scan of one index finds what is due on every account."""
    with store.write() as tx:
        controls.read_for_update(tx, A)
        controls.move_clock(tx, A, 86400)
        tx.insert("payment_intent", A, intent(1, 1), {"due_at": 100_000})
        tx.insert("payment_intent", B, intent(2, 1), {"due_at": 100_000})
    with store.read() as tx:
        assert tx.due("payment_intent", 100_000 - 86400, 10) == [("pi_0001", A)]
        assert tx.due("payment_intent", 100_000, 10) == [("pi_0001", A), ("pi_0002", B)]
        assert tx.due("payment_intent", 100_000, 10, B) == [("pi_0002", B)]
        record = tx.get("payment_intent", A, "pi_0001")
        assert record is not None and record.private["due_at"] == 100_000
    with store.write() as tx:
        record = tx.get_for_update("payment_intent", A, "pi_0001")
        assert record is not None
        tx.update("payment_intent", A, record.data, {"due_at": 200_000})
    with store.read() as tx:
        assert tx.due("payment_intent", 200_000 - 86400, 10, A) == [("pi_0001", A)]
        assert tx.due("payment_intent", 200_000 - 86401, 10, A) == []


def test_a_rules_matches_are_taken_once_each_across_threads(store: Store) -> None:
    with store.write() as tx:
        controls.read_for_update(tx, A)
        rule = controls.insert_rule(tx, A, "flt_1", REQUEST, 1, {"mode": "error"}, 3)
    taken: list[int | None] = []
    lock = threading.Lock()

    def take() -> None:
        with store.write() as tx:
            left = controls.take(tx, rule.id)
        with lock:
            taken.append(left)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken, key=lambda v: -1 if v is None else v) == [None] * 5 + [0, 1, 2]
    with store.read() as tx:
        (stored,) = controls.rules(tx, A)
        assert (stored.remaining, stored.matched) == (0, 3)
        assert controls.rules(tx, A, REQUEST, active=True) == []
