"""`payintents serve` itself: where it stores, how it is configured (flags and PAYINTENTS_*
variables, the console script and `python -m`), and strict mode's key list."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

import httpx
import psycopg
import pytest
import stripe

from payintents.store import describe
from tests.conftest import error, make_client, new_key, publishable, query
from tests.http_client import HTTP
from tests.pg import admin_url, schema_url
from tests.server import PYTHON_M, ServerProcess

CONSOLE_SCRIPT = Path(sys.executable).with_name("payintents")


def get(proc: ServerProcess, path: str, key: str, **params: str) -> httpx.Response:
    return HTTP.get(proc.url + path, params=params, headers={"Authorization": f"Bearer {key}"})


def redacted(key: str) -> str:
    """How Stripe shows a refused key: its first 8 and last 4 characters."""
    return key[:8] + "*" * (len(key) - 12) + key[-4:]


def worker_processes(proc: ServerProcess) -> int:
    """Children of the server that run uvicorn workers (multiprocessing's spawn entry)."""
    pid = proc.proc.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    commands = [Path(f"/proc/{child}/cmdline").read_bytes() for child in children]
    return sum(b"spawn_main" in command for command in commands)


def test_default_database_is_a_wal_file_in_the_working_directory(tmp_path: Path) -> None:
    proc = ServerProcess(None, cwd=tmp_path, log_path=tmp_path / "server.log").start()
    try:
        client = make_client(proc)
        pi = client.v1.payment_intents.create(params={"amount": 1200, "currency": "usd"})
        lines = proc.log().splitlines()
        database = tmp_path / "payintents.sqlite3"
        assert lines[:2] == [
            f"payintents: storing everything in SQLite at {database}",
            f"payintents: listening on http://127.0.0.1:{proc.port}",
        ]
        assert query(str(database), "PRAGMA journal_mode") == [("wal",)]
        assert query(str(database), "SELECT id FROM payment_intents") == [(pi.id,)]
    finally:
        proc.stop()


def test_settings_from_the_environment_with_the_console_script(
    own_database: str, tmp_path: Path
) -> None:
    first, second = new_key(), new_key()
    assert CONSOLE_SCRIPT.is_file(), CONSOLE_SCRIPT
    proc = ServerProcess(
        own_database,
        host="127.0.0.2",  # loopback, but not the default address
        program=[str(CONSOLE_SCRIPT)],
        settings_in_env=True,
        env={"PAYINTENTS_API_KEYS": f"{first},{second}", "PAYINTENTS_WORKERS": "2"},
        log_path=tmp_path / "server.log",
    ).start()
    try:
        lines = proc.log().splitlines()
        assert lines[:2] == [
            f"payintents: storing everything in {describe(own_database)}",
            f"payintents: listening on http://127.0.0.2:{proc.port} with 2 worker processes",
        ]
        assert worker_processes(proc) == 2
        # PAYINTENTS_HOST: bound to that address only.
        with pytest.raises(httpx.ConnectError):
            HTTP.get(f"http://127.0.0.1:{proc.port}/v1/payment_intents", timeout=2)
        # PAYINTENTS_API_KEYS: both keys work, and nothing else.
        for key in (first, second):
            assert make_client(proc, key).v1.payment_intents.list().data == []
        other = new_key()
        resp = get(proc, "/v1/payment_intents", other)
        assert resp.status_code == 401
        assert error(resp)["message"] == f"Invalid API Key provided: {redacted(other)}"
        # PAYINTENTS_DATABASE: what the API wrote is in that database.
        pi = make_client(proc, first).v1.payment_intents.create(
            params={"amount": 700, "currency": "eur"}
        )
        assert query(own_database, "SELECT id FROM payment_intents") == [(pi.id,)]
    finally:
        proc.stop()


def test_strict_mode_with_repeated_api_key_flags(own_database: str, tmp_path: Path) -> None:
    first, second, third = new_key(), new_key(), new_key()
    first_pk = "pk_test_" + secrets.token_hex(12)
    proc = ServerProcess(
        own_database, "--api-key", f"{first}:{first_pk}", "--api-key", second,
        log_path=tmp_path / "server.log",
    ).start()  # fmt: skip
    try:
        pis = [
            make_client(proc, key).v1.payment_intents.create(
                params={"amount": 1000, "currency": "usd", "payment_method_types": ["card"]}
            )
            for key in (first, second)
        ]
        # Each configured key is still its own account.
        assert [p.id for p in make_client(proc, first).v1.payment_intents.list().data] == [
            pis[0].id
        ]
        with pytest.raises(stripe.AuthenticationError) as err:
            make_client(proc, third).v1.payment_intents.list()
        assert err.value.http_status == 401
        assert err.value.user_message == f"Invalid API Key provided: {redacted(third)}"
        # The publishable key configured with a secret key may do what publishable keys may do.
        secret = pis[0].client_secret
        resp = get(proc, f"/v1/payment_intents/{pis[0].id}", first_pk, client_secret=secret)
        assert resp.status_code == 200, resp.text
        assert resp.json()["id"] == pis[0].id and "metadata" not in resp.json()
        # ... and only that: it is still refused where a secret key is needed.
        resp = get(proc, "/v1/payment_intents", first_pk)
        assert (resp.status_code, error(resp)["code"]) == (403, "secret_key_required")
        # No twin works: not of a configured key, nor of another.
        for twin in (publishable(first), publishable(second), publishable(third)):
            resp = get(proc, f"/v1/payment_intents/{pis[0].id}", twin, client_secret=secret)
            assert resp.status_code == 401
            assert error(resp)["message"] == f"Invalid API Key provided: {redacted(twin)}"
    finally:
        proc.stop()


def test_two_workers_on_a_new_sqlite_file_take_payments_together(tmp_path: Path) -> None:
    """`serve --workers 2` on a file that does not exist yet: both processes turn it to WAL
    and migrate it at once, then write to it together (a write that finds the file's lock
    taken waits for it and runs on its event loop). Every payment answered is on the file,
    whole, and each object's id starts with its creation time."""
    database = tmp_path / "two-workers.sqlite3"
    proc = ServerProcess(str(database), "--workers", "2", log_path=tmp_path / "server.log")
    proc.start()
    key = new_key()
    try:
        assert worker_processes(proc) == 2

        def pay(n: int) -> stripe.PaymentIntent:
            return make_client(proc, key).v1.payment_intents.create(
                params={
                    "amount": 2000 + n,
                    "currency": "usd",
                    "payment_method_types": ["card"],
                    "payment_method": "pm_card_visa",
                    "confirm": True,
                },
                options={"idempotency_key": f"pay-{n}"},
            )

        with ThreadPoolExecutor(8) as pool:
            paid = list(pool.map(pay, range(64)))
        client = make_client(proc, key)
        assert [(p.status, p.amount, p.amount_received) for p in paid] == [
            ("succeeded", 2000 + n, 2000 + n) for n in range(64)
        ]
        listed = [p.id for p in client.v1.payment_intents.list(params={"limit": 100}).data]
        assert sorted(listed) == sorted(p.id for p in paid)
        for p in paid[:8]:
            charge = client.v1.charges.retrieve(str(p.latest_charge))
            assert (charge.payment_intent, charge.amount, charge.captured) == (p.id, p.amount, True)
            assert re.fullmatch(r"pi_[A-Za-z0-9]{24}", p.id)
            assert re.fullmatch(r"ch_[A-Za-z0-9]{24}", charge.id)
            # Made after the intent in the same request: a later time part.
            assert charge.id[3:12] > p.id[3:12]
        # A key used again replays its answer, whichever process takes the repeat.
        assert pay(5).id == paid[5].id
        assert query(str(database), "SELECT count(*) FROM charges") == [(64,)]
        assert query(str(database), "PRAGMA journal_mode") == [("wal",)]
    finally:
        proc.stop()


def test_a_port_in_use_is_one_line_naming_it(tmp_path: Path) -> None:
    first = ServerProcess(str(tmp_path / "a.sqlite3")).start()
    try:
        second = subprocess.run(
            [*PYTHON_M, "serve", "--port", str(first.port), "--database", str(tmp_path / "b")],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 1
        assert second.stderr == (
            f"payintents: cannot listen on 127.0.0.1:{first.port}: Address already in use "
            "(is another server running there? choose one with --port)\n"
        )
        assert "listening" not in second.stdout
        # The first one still answers.
        assert HTTP.get(first.url + "/_payintents/health").status_code == 200
    finally:
        first.stop()


def test_the_schema_a_postgresql_url_names_is_created(tmp_path: Path) -> None:
    """The README's search_path example works on a schema that does not exist yet."""
    base = admin_url()
    schema = f"payintents_new_{secrets.token_hex(6)}"
    url = schema_url(base, schema)
    try:
        proc = ServerProcess(url, log_path=tmp_path / "server.log").start()
        try:
            pi = make_client(proc).v1.payment_intents.create(
                params={"amount": 700, "currency": "usd"}
            )
        finally:
            proc.stop()
        with psycopg.connect(base) as conn:
            rows = conn.execute(f"SELECT id FROM {schema}.payment_intents").fetchall()
        assert rows == [(pi.id,)]
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def test_version_and_defaults_in_help() -> None:
    version = subprocess.run([*PYTHON_M, "--version"], capture_output=True, text=True)
    assert version.stdout == f"payintents {metadata.version('payintents')}\n"
    text = subprocess.run([*PYTHON_M, "serve", "--help"], capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    for shown in ("(default: 12111)", "(default: 127.0.0.1)", "(default: 7d)"):
        assert shown in flat, shown
