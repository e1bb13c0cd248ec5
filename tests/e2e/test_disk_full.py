"""A full disk on SQLite: no request is answered 2xx for work that was rolled back.

`--max-database-size` (PRAGMA max_page_count on every connection) makes the file "full" at a
size of the test's choosing, without root or a small file system. SQLite answers a write past
it with SQLITE_FULL and rolls back the whole transaction, the group commit's: every request of
the group must fail (500 api_error, Stripe-Should-Retry: true), none be answered 200. Freeing
space inside the file (dropping a table the test filled beforehand, as an operator deletes a
file on a full disk) must let the same server write again by itself.
"""

from __future__ import annotations

import resource
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import httpx
import pytest
import stripe

from payintents.store.sqlite import SqliteStore
from tests.conftest import make_client, new_key
from tests.ledger import Ledger
from tests.server import PYTHON_M, ServerProcess

CLIENTS = 8
# Room left for the payments past what the file holds when the server starts.
HEADROOM = 4 * 1024 * 1024
BALLAST = 4 * 1024 * 1024
# 50 metadata values of 500 characters: about 25 KB per intent, copied into its events.
METADATA = {f"k{n}": f"{n:03d}" + "x" * 497 for n in range(50)}


def filled_database(path: Path) -> int:
    """A migrated database with BALLAST bytes in a table of its own; the size it may grow to."""
    store = SqliteStore(str(path))
    store.migrate()
    store.close()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE ballast (b BLOB)")
        conn.executemany(
            "INSERT INTO ballast VALUES (randomblob(?))", [(4000,)] * (BALLAST // 4000)
        )
        conn.commit()
        pages, page_size = (
            conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "page_size")
        )
    return pages * page_size + HEADROOM


def pay(client: stripe.StripeClient, ledger: Ledger) -> None:
    """Create, then confirm: two writes, each in whatever group it lands in."""
    try:
        pi = client.v1.payment_intents.create(
            params={
                "amount": 1000,
                "currency": "usd",
                "payment_method": "pm_card_visa",
                "payment_method_types": ["card"],
                "metadata": METADATA,
            }
        )
        ledger.ack(pi.id, pi.status)
        pi = client.v1.payment_intents.confirm(pi.id)
        ledger.ack(pi.id, pi.status)
    except stripe.APIError as err:
        ledger.fail(err)


def test_a_full_database_never_answers_2xx_for_rolled_back_work(tmp_path: Path) -> None:
    path = tmp_path / "full.sqlite3"
    limit = filled_database(path)
    proc = ServerProcess(str(path), "--max-database-size", str(limit)).start()
    try:
        key = new_key()
        ledger = Ledger()
        stop = threading.Event()
        errors: list[BaseException] = []

        def load() -> None:
            client = make_client(proc, key)
            try:
                while not stop.is_set():
                    pay(client, ledger)
            except BaseException as err:
                errors.append(err)

        threads = [threading.Thread(target=load) for _ in range(CLIENTS)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 30
        while ledger.failed < 4 * CLIENTS and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        for t in threads:
            t.join(30)
        assert not errors, errors
        assert ledger.failed >= 4 * CLIENTS, "the database never filled up"
        assert len(ledger.acked) >= 4, "little was written before it filled up"
        # Every failure says a retry is safe.
        assert set(ledger.failures) == {(500, "api_error", "true")}, ledger.failures

        # Every answered write is there as answered, on the same running server, and nothing
        # else: a request answered with Stripe-Should-Retry: true left nothing behind.
        client = make_client(proc, key)
        assert ledger.missing(client) == {}
        stored = client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()
        assert {pi.id for pi in stored} == set(ledger.acked)

        # Room again (an operator frees space): the same server writes again by itself.
        with closing(sqlite3.connect(path, timeout=30)) as conn:
            conn.execute("DROP TABLE ballast")
            conn.commit()
        after = Ledger()
        for _ in range(5):
            pay(client, after)
        assert (after.failed, sorted(set(after.acked.values()))) == (0, ["succeeded"])
        assert ledger.missing(client) == {}
    finally:
        proc.stop()
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    # Still there after a restart, from what is on disk.
    proc = ServerProcess(str(path)).start()
    try:
        assert ledger.missing(make_client(proc, key)) == {}
        assert after.missing(make_client(proc, key)) == {}
    finally:
        proc.stop()


def limited_file_size(limit: int) -> tuple[str, ...]:
    """`python -m payintents` in a process whose files may not grow past `limit` bytes
    (RLIMIT_FSIZE, soft limit only, so it can be raised from outside; Python ignores the
    SIGXFSZ that comes with it): the write-ahead log fills up at COMMIT, or at a cache spill,
    as on a full disk, which `--max-database-size` does not do."""
    code = (
        "import resource, runpy, sys; "
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, resource.RLIM_INFINITY)); "
        "sys.argv[0] = 'payintents'; runpy.run_module('payintents', run_name='__main__')"
    )
    return (sys.executable, "-c", code)


def test_a_log_that_fills_at_commit_never_answers_2xx_for_rolled_back_work(
    tmp_path: Path,
) -> None:
    # Where the file system refuses the write-ahead log's growth, SQLite fails the COMMIT or a
    # statement that spills its cache with an I/O error, and rolls the group back. On the
    # store code before the fix, some intents answered 200 were 404 afterwards.
    path = tmp_path / "fsize.sqlite3"
    store = SqliteStore(str(path))
    store.migrate()
    store.close()
    limit = path.stat().st_size + 6 * 1024 * 1024
    proc = ServerProcess(str(path), program=limited_file_size(limit)).start()
    try:
        key, ledger, stop = new_key(), Ledger(), threading.Event()

        def load() -> None:
            client = make_client(proc, key)
            while not stop.is_set():
                pay(client, ledger)

        threads = [threading.Thread(target=load) for _ in range(CLIENTS)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 30
        while ledger.failed < 4 * CLIENTS and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        for t in threads:
            t.join(30)
        assert ledger.failed >= 4 * CLIENTS, "the log never filled up"
        client = make_client(proc, key)
        assert ledger.missing(client) == {}
        stored = client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()
        assert {pi.id for pi in stored} == set(ledger.acked)
        assert set(ledger.failures) == {(500, "api_error", "true")}, ledger.failures

        # Room again: the same server writes again by itself.
        assert proc.proc is not None
        unlimited = (resource.RLIM_INFINITY, resource.RLIM_INFINITY)
        resource.prlimit(proc.proc.pid, resource.RLIMIT_FSIZE, unlimited)
        after = Ledger()
        for _ in range(5):
            pay(client, after)
        assert (after.failed, sorted(set(after.acked.values()))) == (0, ["succeeded"])
        assert ledger.missing(client) == {}
    finally:
        proc.stop()
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_the_limit_comes_from_the_environment_too(tmp_path: Path) -> None:
    path = tmp_path / "env.sqlite3"
    limit = filled_database(path) - HEADROOM
    proc = ServerProcess(str(path), env={"PAYINTENTS_MAX_DATABASE_SIZE": str(limit)}).start()
    try:
        http = httpx.Client(base_url=proc.url, headers={"Authorization": f"Bearer {new_key()}"})
        data = {"amount": "1000", "currency": "usd"}
        data.update({f"metadata[{k}]": v for k, v in METADATA.items()})
        key = {"Idempotency-Key": "order-1"}
        resp = http.post("/v1/payment_intents", data=data, headers=key)
        assert resp.status_code == 500
        assert resp.headers["stripe-should-retry"] == "true"
        assert resp.json() == {
            "error": {
                "message": "The database could not save this request, and nothing of it was "
                "kept. Please retry the request.",
                "type": "api_error",
            }
        }
        assert http.get("/v1/payment_intents").json()["data"] == []
        # Its key was not kept either: once there is room, the retry runs, and is not a replay.
        with closing(sqlite3.connect(path, timeout=30)) as conn:
            conn.execute("DROP TABLE ballast")
            conn.commit()
        retried = http.post("/v1/payment_intents", data=data, headers=key)
        assert retried.status_code == 200
        assert "idempotent-replayed" not in retried.headers
        listed = http.get("/v1/payment_intents").json()["data"]
        assert [pi["id"] for pi in listed] == [retried.json()["id"]]
    finally:
        proc.stop()


@pytest.mark.parametrize("value", ["lots", "0", "-1MB", "20XB"])
def test_a_size_that_is_not_one_is_refused(value: str) -> None:
    done = subprocess.run(
        [*PYTHON_M, "serve", f"--max-database-size={value}"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        f"payintents serve: error: argument --max-database-size: not a size of more than 0 "
        f"bytes: '{value}' (e.g. 20MB, 512KB, 2GB)"
    )
