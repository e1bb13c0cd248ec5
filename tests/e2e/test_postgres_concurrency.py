"""Invariant 2 with real processes: however many requests race on one PaymentIntent, from
however many server processes, it ends with at most one successful charge, and every loser
gets a clean Stripe error.

PostgreSQL: three `serve` processes on one schema (row locks, SELECT ... FOR UPDATE).
SQLite, the twin: two processes on one file (BEGIN IMMEDIATE).
"""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from payintents.store.sqlite import migrations
from tests.http_client import HTTP
from tests.pg import temp_schema
from tests.server import ROOT, ServerProcess

CONFIRMS = 50
UNEXPECTED_STATE = "payment_intent_unexpected_state"
CARD = {"amount": "2000", "currency": "usd", "payment_method_types[]": "card"}


@pytest.fixture(
    scope="module", params=[("postgres", 3), ("sqlite", 2)], ids=["postgres-3", "sqlite-2"]
)
def cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[ServerProcess]]:
    """Server processes sharing one database, started at the same moment (so their
    migrations race too); the module's tests race in accounts of their own."""
    store, count = request.param
    tmp_path = tmp_path_factory.mktemp("cluster")
    shared_file = nullcontext(str(tmp_path / "shared.sqlite3"))
    with temp_schema("conc") if store == "postgres" else shared_file as db:
        procs = [ServerProcess(db, log_path=tmp_path / f"server{i}.log") for i in range(count)]
        try:
            with ThreadPoolExecutor(count) as pool:
                list(pool.map(ServerProcess.start, procs))
            yield procs
        finally:
            for proc in procs:
                proc.stop()


def api(base: str, key: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return HTTP.request(method, base + path, auth=(key, ""), timeout=60, **kwargs)


def race(
    calls: list[tuple[str, str, dict[str, str]]], key: str, idempotency_key: str | None = None
) -> list[httpx.Response]:
    """POST all of (base url, path, form) at once, each with an idempotency key of its own
    (or all with `idempotency_key`). Each thread connects first (a warm-up GET) and then waits
    at a barrier, so the requests leave within a millisecond or so of each other instead of
    one TCP handshake apart."""
    barrier = threading.Barrier(len(calls))
    # One client whose pool keeps every warmed-up connection: when the barrier opens, each
    # thread finds one idle and connected (a client per thread cost 30 ms of CPU apiece).
    n = len(calls)
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)

    def send(call: tuple[str, str, dict[str, str]]) -> httpx.Response:
        base, path, data = call
        http.get(base + "/v1/payment_intents", params={"limit": "1"})
        barrier.wait()
        headers = {"Idempotency-Key": idempotency_key or secrets.token_hex(8)}
        return http.post(base + path, data=data, headers=headers)

    with (
        httpx.Client(auth=(key, ""), timeout=60, limits=limits) as http,
        ThreadPoolExecutor(n) as pool,
    ):
        return list(pool.map(send, calls))


def assert_clean_errors(
    responses: list[httpx.Response], codes: tuple[str | None, ...] = (UNEXPECTED_STATE,)
) -> None:
    """Losers get Stripe's error body with one of `codes`; nothing is ever a 500."""
    for r in responses:
        assert r.status_code < 500, r.text
        if r.status_code != 200:
            assert r.status_code == 400, r.text
            error = r.json()["error"]
            assert error["type"] == "invalid_request_error", error
            assert error.get("code") in codes, error
            assert error["message"]


def events_about(base: str, key: str, object_id: str) -> list[str]:
    """Types of the events whose object is `object_id`, oldest first."""
    found: list[str] = []
    params: dict[str, str] = {"limit": "100"}
    while True:
        page = api(base, key, "GET", "/v1/events", params=params).json()
        found.extend(e["type"] for e in page["data"] if e["data"]["object"]["id"] == object_id)
        if not page["has_more"]:
            return found[::-1]
        params["starting_after"] = page["data"][-1]["id"]


def test_fifty_concurrent_confirms_make_one_charge(cluster: list[ServerProcess]) -> None:
    key = "sk_test_" + secrets.token_hex(12)
    first = cluster[0].url
    pi = api(first, key, "POST", "/v1/payment_intents", data=CARD).json()
    calls = [
        (cluster[i % len(cluster)].url, f"/v1/payment_intents/{pi['id']}/confirm",
         {"payment_method": "pm_card_visa"})
        for i in range(CONFIRMS)
    ]  # fmt: skip
    responses = race(calls, key)

    assert_clean_errors(responses)
    won = [r.json() for r in responses if r.status_code == 200]
    assert len(won) == 1, [r.status_code for r in responses]
    assert won[0]["status"] == "succeeded"
    # Every loser saw the winner's committed state, not a stale one.
    for r in responses:
        if r.status_code != 200:
            assert r.json()["error"]["payment_intent"]["status"] == "succeeded"

    # Read back through another process than the one that created it.
    last = cluster[-1].url
    charges = api(last, key, "GET", "/v1/charges", params={"payment_intent": pi["id"]}).json()
    assert [c["status"] for c in charges["data"]] == ["succeeded"]
    assert charges["data"][0]["id"] == won[0]["latest_charge"]
    intent = api(last, key, "GET", f"/v1/payment_intents/{pi['id']}").json()
    assert (intent["status"], intent["amount_received"]) == ("succeeded", 2000)
    charge_events = events_about(last, key, won[0]["latest_charge"])
    assert charge_events.count("charge.succeeded") == 1
    assert events_about(last, key, pi["id"]).count("payment_intent.succeeded") == 1


def test_concurrent_capture_and_cancel_end_in_one_of_them(cluster: list[ServerProcess]) -> None:
    key = "sk_test_" + secrets.token_hex(12)
    first = cluster[0].url
    outcomes = set()
    for _ in range(6):
        pi = api(
            first,
            key,
            "POST",
            "/v1/payment_intents",
            data={**CARD, "capture_method": "manual", "payment_method": "pm_card_visa",
                  "confirm": "true"},
        ).json()  # fmt: skip
        assert pi["status"] == "requires_capture"
        # Three captures and three cancels, spread over the processes.
        calls = [
            (cluster[i % len(cluster)].url,
             f"/v1/payment_intents/{pi['id']}/{'capture' if i % 2 else 'cancel'}", {})
            for i in range(6)
        ]  # fmt: skip
        responses = race(calls, key)
        assert_clean_errors(responses)
        won = [r.json() for r in responses if r.status_code == 200]
        assert len(won) == 1, [r.status_code for r in responses]
        final = won[0]["status"]
        assert final in ("succeeded", "canceled")
        outcomes.add(final)

        intent = api(cluster[-1].url, key, "GET", f"/v1/payment_intents/{pi['id']}").json()
        assert intent["status"] == final
        charge = api(cluster[-1].url, key, "GET", f"/v1/charges/{pi['latest_charge']}").json()
        types = events_about(cluster[-1].url, key, pi["id"])
        if final == "succeeded":
            assert (charge["captured"], charge["amount_captured"]) == (True, 2000)
            assert types.count("payment_intent.succeeded") == 1
            assert "payment_intent.canceled" not in types
        else:
            assert charge["captured"] is False
            assert intent["cancellation_reason"] is None
            assert types.count("payment_intent.canceled") == 1
            assert "payment_intent.succeeded" not in types
    # Not asserted: which one wins is up to the race; both are correct.
    print("capture/cancel outcomes seen:", sorted(outcomes))


def test_workers_share_one_port(tmp_path: Path) -> None:
    """`serve --workers 3` on PostgreSQL: three processes behind one port, one charge."""
    with temp_schema("workers") as url:
        proc = ServerProcess(url, "--workers", "3", log_path=tmp_path / "server.log").start()
        assert proc.proc is not None
        workers = _children(proc.proc.pid)
        try:
            assert len(workers) >= 3, proc.log()
            key = "sk_test_" + secrets.token_hex(12)
            pi = api(proc.url, key, "POST", "/v1/payment_intents", data=CARD).json()
            path = f"/v1/payment_intents/{pi['id']}/confirm"
            responses = race([(proc.url, path, {"payment_method": "pm_card_visa"})] * 30, key)
            assert_clean_errors(responses)
            assert [r.status_code for r in responses].count(200) == 1
            charges = api(proc.url, key, "GET", "/v1/charges", params={"payment_intent": pi["id"]})
            assert len(charges.json()["data"]) == 1
        finally:
            proc.stop()
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{pid}").exists() for pid in workers):
            assert time.monotonic() < deadline, "workers outlived the server"
            time.sleep(0.1)


def test_migrate_started_three_times_at_once_applies_each_migration_once() -> None:
    """`payintents migrate` on a fresh schema from three processes at the same moment: they
    queue on the advisory lock; one applies everything, the others find nothing to do."""
    names = [name for name, _ in migrations("postgres")]
    with temp_schema("migrate") as url:
        cmd = [sys.executable, "-m", "payintents", "migrate", "--database", url]
        procs = [
            subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            for _ in range(3)
        ]
        outputs = [p.communicate(timeout=60)[0].decode() for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0], outputs
        applied = sorted(int(re.search(r"applied (\d+) migration", o).group(1)) for o in outputs)
        assert applied == [0, 0, len(names)], outputs
        with psycopg.connect(url) as conn:
            rows = conn.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
        assert [r[0] for r in rows] == names


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found.extend(int(p) for p in task.read_text().split())
    return found


def test_a_single_use_payment_method_pays_once(cluster: list[ServerProcess]) -> None:
    """Twenty payments race for one PaymentMethod that has no customer: Stripe lets it be
    used once. (Its row is locked with the intent's, or every racer would see it unused.)"""
    key = "sk_test_" + secrets.token_hex(12)
    first = cluster[0].url
    card = {"type": "card", "card[number]": "4242424242424242", "card[exp_month]": "12",
            "card[exp_year]": "2030", "card[cvc]": "123"}  # fmt: skip
    pm = api(first, key, "POST", "/v1/payment_methods", data=card).json()
    intents = [api(first, key, "POST", "/v1/payment_intents", data=CARD).json() for _ in range(20)]
    calls = [
        (cluster[i % len(cluster)].url, f"/v1/payment_intents/{pi['id']}/confirm",
         {"payment_method": pm["id"]})
        for i, pi in enumerate(intents)
    ]  # fmt: skip
    responses = race(calls, key)
    assert_clean_errors(responses, codes=(None,))
    assert [r.status_code for r in responses].count(200) == 1
    for r in responses:
        if r.status_code != 200:
            assert "It may not be used again" in r.json()["error"]["message"]


def test_concurrent_refunds_never_exceed_the_charge(cluster: list[ServerProcess]) -> None:
    key = "sk_test_" + secrets.token_hex(12)
    first = cluster[0].url
    data = {**CARD, "amount": "1000", "payment_method": "pm_card_visa", "confirm": "true"}
    pi = api(first, key, "POST", "/v1/payment_intents", data=data).json()
    calls = [
        (cluster[i % len(cluster)].url, "/v1/refunds",
         {"payment_intent": pi["id"], "amount": "100"})
        for i in range(20)
    ]  # fmt: skip
    responses = race(calls, key)
    assert_clean_errors(responses, codes=("charge_already_refunded", "amount_too_large", None))
    assert [r.status_code for r in responses].count(200) == 10
    charge = api(cluster[-1].url, key, "GET", f"/v1/charges/{pi['latest_charge']}").json()
    assert (charge["amount_refunded"], charge["refunded"]) == (1000, True)
    refunds = api(
        cluster[-1].url, key, "GET", "/v1/refunds", params={"payment_intent": pi["id"]}
    ).json()
    assert sum(r["amount"] for r in refunds["data"]) == 1000 and len(refunds["data"]) == 10
