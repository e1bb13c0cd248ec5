"""Which connection gives way when a server process is at its cap (wire/connections.py)."""

from __future__ import annotations

from payintents.wire.connections import IdlePool


def test_the_oldest_fresh_connection_gives_way_first_then_the_oldest_kept_one() -> None:
    pool: IdlePool[str] = IdlePool()
    for conn in ("kept-1", "fresh-1", "kept-2", "fresh-2", "new"):
        pool.add_fresh(conn)
    pool.add_kept("kept-1")
    pool.add_kept("kept-2")
    assert [pool.pop_oldest(besides="new") for _ in range(5)] == [
        "fresh-1",
        "fresh-2",
        "kept-1",
        "kept-2",
        None,
    ]
    assert pool.pop_oldest(besides="other") == "new"


def test_a_connection_with_a_request_in_progress_is_never_chosen() -> None:
    pool: IdlePool[str] = IdlePool()
    pool.add_fresh("busy")
    pool.add_fresh("idle")
    pool.discard("busy")  # its request head is in: it is being served
    assert pool.pop_oldest(besides="new") == "idle"
    assert pool.pop_oldest(besides="new") is None
    # Served, it waits for its next request and may give way again, after the fresh ones.
    pool.add_kept("busy")
    pool.add_fresh("slow")
    assert [pool.pop_oldest(besides="new"), pool.pop_oldest(besides="new")] == ["slow", "busy"]
