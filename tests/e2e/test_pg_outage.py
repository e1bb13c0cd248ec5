"""PostgreSQL going away: requests fail fast with Stripe-Should-Retry: true, the server serves
again within moments of the database's return, and an SDK with retries rides through.

The outage is a TCP proxy of the test's own between the server and PostgreSQL (tests/
tcp_proxy.py), cut and restored: other tests keep their database.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
import stripe

from tests.conftest import make_client, new_key
from tests.http_client import HTTP
from tests.ledger import Ledger
from tests.pg import temp_schema
from tests.server import ServerProcess
from tests.tcp_proxy import TcpProxy

UNAVAILABLE = {
    "error": {
        "message": "The database could not be reached in time, and nothing was changed. "
        "Please retry the request.",
        "type": "api_error",
    }
}
ROLLED_BACK = {
    "error": {
        "message": "The database could not save this request, and nothing of it was kept. "
        "Please retry the request.",
        "type": "api_error",
    }
}
UNKNOWN = (
    "The connection to the database was lost while this request was being saved: it may or "
    "may not have been applied. Retry it with the same Idempotency-Key to find out; without "
    "one, check before retrying."
)


def through(url: str, proxy: TcpProxy) -> str:
    parts = urlsplit(url)
    user = parts.netloc.rpartition("@")[0]
    return urlunsplit(parts._replace(netloc=f"{user}@{proxy.url_host}" if user else proxy.url_host))


@pytest.fixture
def proxied(tmp_path: Any) -> Iterator[tuple[str, TcpProxy]]:
    """A schema of the test's own, reached through a proxy the test cuts and restores."""
    with temp_schema("outage") as url:
        parts = urlsplit(url)
        proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
        try:
            yield through(url, proxy), proxy
        finally:
            proxy.close()


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_requests_during_an_outage_fail_fast_and_the_server_serves_again_at_once(
    proxied: tuple[str, TcpProxy], tmp_path: Any
) -> None:
    url, proxy = proxied
    proc = ServerProcess(url, "--database-timeout", "2", log_path=tmp_path / "server.log")
    proc.start()
    try:
        key = new_key()
        with httpx.Client(base_url=proc.url, headers=auth(key), timeout=30) as http:
            created = http.post("/v1/payment_intents", data={"amount": 500, "currency": "usd"})
            assert created.status_code == 200
            pi_id = created.json()["id"]

            proxy.cut()
            for method, path, data in (
                ("POST", "/v1/payment_intents", {"amount": 700, "currency": "usd"}),
                ("GET", f"/v1/payment_intents/{pi_id}", None),
                ("POST", f"/v1/payment_intents/{pi_id}", {"description": "during"}),
            ):
                started = time.monotonic()
                resp = http.request(method, path, data=data)
                took = time.monotonic() - started
                # Connections reset by the cut fail at once; new ones wait --database-timeout.
                assert took < 5, (method, path, took)
                assert resp.status_code in (500, 503), resp.text
                assert resp.headers["stripe-should-retry"] == "true"
                assert resp.json() == (UNAVAILABLE if resp.status_code == 503 else ROLLED_BACK)

            proxy.restore()
            restored = time.monotonic()
            while True:
                resp = http.get(f"/v1/payment_intents/{pi_id}")
                if resp.status_code == 200 or time.monotonic() - restored > 10:
                    break
                time.sleep(0.05)
            back_after = time.monotonic() - restored
            assert resp.status_code == 200, resp.text
            assert back_after < 2.5, back_after
            # Nothing of what failed was kept.
            assert resp.json()["description"] is None
            listed = http.get("/v1/payment_intents").json()["data"]
            assert [pi["id"] for pi in listed] == [pi_id]
    finally:
        proc.stop()


class CountingClient(stripe.RequestsClient):
    """The SDK's own HTTP client, noting the status of every attempt it makes."""

    def __init__(self) -> None:
        super().__init__()
        self.statuses: list[int] = []

    def request(self, *args: Any, **kwargs: Any) -> Any:
        content, status, headers = super().request(*args, **kwargs)
        self.statuses.append(status)
        return content, status, headers


def test_the_sdk_rides_through_a_short_outage_and_charges_once(
    proxied: tuple[str, TcpProxy], tmp_path: Any
) -> None:
    url, proxy = proxied
    proc = ServerProcess(url, "--database-timeout", "1", log_path=tmp_path / "server.log")
    proc.start()
    try:
        http_client = CountingClient()
        client = stripe.StripeClient(
            api_key=new_key(),
            base_addresses={"api": proc.url},
            max_network_retries=6,
            http_client=http_client,
        )
        client.v1.payment_intents.list()
        proxy.cut()
        # Longer than --database-timeout: the first attempts fail, a later one is served.
        threading.Timer(2.5, proxy.restore).start()
        pi = client.v1.payment_intents.create(
            params={
                "amount": 2500,
                "currency": "usd",
                "payment_method": "pm_card_visa",
                "payment_method_types": ["card"],
                "confirm": True,
            }
        )
        assert pi.status == "succeeded"
        # list, then the create's attempts: at least one refused with 503, the last served.
        attempts = http_client.statuses[1:]
        assert attempts[-1] == 200 and 503 in attempts, attempts
        assert set(attempts[:-1]) <= {500, 503}, attempts
        charges = client.v1.charges.list(params={"payment_intent": pi.id}).data
        assert [(c.status, c.amount) for c in charges] == [("succeeded", 2500)]
        assert [p.id for p in client.v1.payment_intents.list().data] == [pi.id]
    finally:
        proc.stop()


def test_backends_terminated_inside_transactions_answer_with_the_retry_header(
    tmp_path: Any,
) -> None:
    name = f"payintents_kill_{secrets.token_hex(4)}"
    with temp_schema("kill") as url:
        proc = ServerProcess(
            f"{url}&application_name={name}", "--pool-size", "4", log_path=tmp_path / "server.log"
        ).start()
        key, ledger, stop = new_key(), Ledger(), threading.Event()
        unknown: list[str] = []
        killed = 0

        def load() -> None:
            client = make_client(proc, key)
            while not stop.is_set():
                try:
                    pi = client.v1.payment_intents.create(
                        params={
                            "amount": 900,
                            "currency": "usd",
                            "payment_method": "pm_card_visa",
                            "payment_method_types": ["card"],
                        }
                    )
                    ledger.ack(pi.id, pi.status)
                    pi = client.v1.payment_intents.confirm(pi.id)
                    ledger.ack(pi.id, pi.status)
                except stripe.APIError as err:
                    ledger.fail(err)
                    if err.user_message == UNKNOWN:
                        unknown.append(err.request_id or "")

        threads = [threading.Thread(target=load) for _ in range(4)]
        try:
            for t in threads:
                t.start()
            with psycopg.connect(url, autocommit=True) as admin:
                deadline = time.monotonic() + 3
                while time.monotonic() < deadline:
                    rows = admin.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = %s AND xact_start IS NOT NULL",
                        (name,),
                    ).fetchall()
                    killed += sum(1 for (done,) in rows if done)
                    time.sleep(0.02)
            stop.set()
            for t in threads:
                t.join(30)
            assert killed >= 5, killed
            assert ledger.failures[(500, "api_error", "true")] >= 1, ledger.failures
            # Every failure is the store's: rolled back (retry) or, killed during its COMMIT,
            # of unknown outcome (no header).
            assert set(ledger.failures) <= {
                (500, "api_error", "true"),
                (503, "api_error", "true"),
                (500, "api_error", None),
            }, ledger.failures
            assert ledger.failures[(500, "api_error", None)] == len(unknown)
            # Every answered write is there as answered, and nothing else is, but what an
            # answer of unknown outcome may have done (a confirm that succeeded, an intent
            # created).
            client = make_client(proc, key)
            changed = ledger.missing(client)
            assert set(changed.values()) <= {"succeeded"}, changed
            pages = client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()
            stored = {pi.id for pi in pages}
            assert set(ledger.acked) <= stored
            assert len(changed) + len(stored - set(ledger.acked)) <= len(unknown)
        finally:
            stop.set()
            proc.stop()


def test_a_hosted_page_during_an_outage_says_to_try_again(
    proxied: tuple[str, TcpProxy], tmp_path: Any
) -> None:
    url, proxy = proxied
    proc = ServerProcess(url, "--database-timeout", "1", log_path=tmp_path / "server.log")
    proc.start()
    try:
        client = make_client(proc)
        intent = client.v1.payment_intents.create(
            params={
                "amount": 1500,
                "currency": "usd",
                "payment_method": "pm_card_threeDSecure2Required",
                "payment_method_types": ["card"],
                "confirm": True,
                "return_url": "https://shop.example/back",
            }
        )
        assert intent.next_action is not None
        challenge = intent.next_action.redirect_to_url.url
        assert HTTP.get(challenge, timeout=10).status_code == 200
        proxy.cut()
        page = HTTP.get(challenge, timeout=10)
        assert page.status_code == 503, page.text
        assert page.headers["stripe-should-retry"] == "true"
        assert page.headers["content-type"].startswith("text/html")
        assert UNAVAILABLE["error"]["message"] in page.text
        proxy.restore()
        deadline = time.monotonic() + 5
        while (page := HTTP.get(challenge, timeout=10)).status_code != 200:
            assert time.monotonic() < deadline, page.text
            time.sleep(0.1)
        assert "Complete authentication" in page.text
    finally:
        proc.stop()
