"""Idempotency keys: replays byte for byte, mismatches, keys in flight, 24-hour expiry, keys
per account, across processes; every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import fcntl
import os
import secrets
import threading
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import stripe

from tests.conftest import make_client, new_key
from tests.e2e.test_postgres_concurrency import cluster, race  # noqa: F401 (a fixture)
from tests.http_client import HTTP
from tests.server import ServerProcess

CARD = {"amount": "2000", "currency": "usd", "payment_method_types[]": "card"}
MISMATCH = (
    "Keys for idempotent requests can only be used with the same parameters they were first "
    "used with. Try using a key other than '{key}' if you meant to execute a different request."
)


def post(
    server: ServerProcess, key: str, path: str, data: dict[str, str], idem: str | None
) -> httpx.Response:
    headers = {"Idempotency-Key": idem} if idem is not None else {}
    return HTTP.post(server.url + path, data=data, auth=(key, ""), headers=headers, timeout=30)


def intents(server: ServerProcess, key: str) -> list[dict[str, Any]]:
    r = HTTP.get(server.url + "/v1/payment_intents?limit=100", auth=(key, ""), timeout=30)
    return r.json()["data"]


def event_count(server: ServerProcess, key: str) -> int:
    r = HTTP.get(server.url + "/v1/events?limit=100", auth=(key, ""), timeout=30)
    return len(r.json()["data"])


def test_replay_returns_the_first_response_byte_for_byte(server: ServerProcess) -> None:
    key, idem = new_key(), secrets.token_hex(16)
    first = post(server, key, "/v1/payment_intents", CARD, idem)
    again = post(server, key, "/v1/payment_intents", CARD, idem)

    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert again.headers["original-request"] == first.headers["request-id"]
    assert again.headers["request-id"] != first.headers["request-id"]
    assert again.headers["idempotency-key"] == idem
    assert [pi["id"] for pi in intents(server, key)] == [first.json()["id"]]
    assert event_count(server, key) == 1


def test_sdk_replay_creates_one_intent(server: ServerProcess) -> None:
    client = make_client(server)
    idem = secrets.token_hex(16)
    params: Any = {"amount": 1500, "currency": "eur", "metadata": {"order": "17"}}
    a = client.v1.payment_intents.create(params, options={"idempotency_key": idem})
    b = client.v1.payment_intents.create(params, options={"idempotency_key": idem})
    assert a.id == b.id
    assert b.last_response is not None
    assert b.last_response.headers["idempotent-replayed"] == "true"
    assert len(client.v1.payment_intents.list().data) == 1


def test_a_decline_is_replayed_not_retried(server: ServerProcess) -> None:
    key, idem = new_key(), secrets.token_hex(16)
    pi = post(server, key, "/v1/payment_intents", CARD, None).json()
    path = f"/v1/payment_intents/{pi['id']}/confirm"
    form = {"payment_method": "pm_card_chargeDeclined"}
    first = post(server, key, path, form, idem)
    again = post(server, key, path, form, idem)

    assert first.status_code == again.status_code == 402
    assert again.content == first.content
    assert first.json()["error"]["decline_code"] == "generic_decline"
    assert again.headers["idempotent-replayed"] == "true"
    charges = HTTP.get(
        server.url + "/v1/charges", params={"payment_intent": pi["id"]}, auth=(key, "")
    ).json()["data"]
    assert [c["status"] for c in charges] == ["failed"]


def test_state_errors_are_stored_too(server: ServerProcess) -> None:
    """Stripe stores any result once the endpoint ran: a 400 for the wrong state replays
    even after the state changed."""
    key, idem = new_key(), secrets.token_hex(16)
    pi = post(server, key, "/v1/payment_intents", CARD, None).json()
    capture = f"/v1/payment_intents/{pi['id']}/capture"
    first = post(server, key, capture, {}, idem)
    assert first.status_code == 400
    assert first.json()["error"]["code"] == "payment_intent_unexpected_state"
    post(server, key, f"/v1/payment_intents/{pi['id']}/cancel", {}, None)
    again = post(server, key, capture, {}, idem)
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"


def test_validation_errors_are_not_stored(server: ServerProcess) -> None:
    key, idem = new_key(), secrets.token_hex(16)
    bad = post(server, key, "/v1/payment_intents", {"amount": "2000"}, idem)
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "parameter_missing"
    # The endpoint never ran, so the key is still free for the corrected request.
    good = post(server, key, "/v1/payment_intents", CARD, idem)
    assert good.status_code == 200
    assert "idempotent-replayed" not in good.headers


def test_different_parameters_are_an_idempotency_error(server: ServerProcess) -> None:
    client = make_client(server)
    idem = secrets.token_hex(16)
    client.v1.payment_intents.create(
        {"amount": 1000, "currency": "usd"}, options={"idempotency_key": idem}
    )
    with pytest.raises(stripe.IdempotencyError) as caught:
        client.v1.payment_intents.create(
            {"amount": 1001, "currency": "usd"}, options={"idempotency_key": idem}
        )
    assert caught.value.http_status == 400
    error = caught.value.json_body["error"]  # type: ignore[index]
    assert error["type"] == "idempotency_error"
    assert error["message"] == MISMATCH.format(key=idem)
    assert "code" not in error and "param" not in error
    assert len(client.v1.payment_intents.list().data) == 1


def test_another_endpoint_is_an_idempotency_error(server: ServerProcess) -> None:
    key, idem = new_key(), secrets.token_hex(16)
    first = post(server, key, "/v1/payment_intents", CARD, idem)
    other = post(server, key, "/v1/customers", {}, idem)
    assert other.status_code == 400
    assert other.json()["error"] == {
        "type": "idempotency_error",
        "message": "Keys for idempotent requests can only be used for the same endpoint they "
        "were first used for ('/v1/payment_intents' vs '/v1/customers'). Try using a key "
        f"other than '{idem}' if you meant to execute a different request.",
    }
    assert first.status_code == 200
    assert HTTP.get(server.url + "/v1/customers", auth=(key, "")).json()["data"] == []


def test_key_length_is_checked(server: ServerProcess) -> None:
    key = new_key()
    r = post(server, key, "/v1/payment_intents", CARD, "k" * 256)
    assert r.status_code == 400
    assert r.json()["error"]["message"] == (
        "Idempotent key length is 256, which is outside accepted lengths. Idempotent Keys "
        "must be 1-255 characters long. If you're looking for a decent generator, try using "
        "a UUID defined by IETF RFC 4122."
    )
    assert intents(server, key) == []
    assert post(server, key, "/v1/payment_intents", CARD, "k" * 255).status_code == 200


def test_keys_belong_to_one_account(server: ServerProcess) -> None:
    idem = secrets.token_hex(16)
    a, b = new_key(), new_key()
    pa = post(server, a, "/v1/payment_intents", CARD, idem)
    pb = post(server, b, "/v1/payment_intents", {**CARD, "amount": "999"}, idem)
    assert pa.status_code == pb.status_code == 200
    assert "idempotent-replayed" not in pb.headers
    assert pa.json()["id"] != pb.json()["id"]


def test_gets_ignore_the_key(server: ServerProcess) -> None:
    key, idem = new_key(), secrets.token_hex(16)
    pi = post(server, key, "/v1/payment_intents", CARD, None).json()
    for _ in range(2):
        r = HTTP.get(
            f"{server.url}/v1/payment_intents/{pi['id']}",
            auth=(key, ""),
            headers={"Idempotency-Key": idem},
        )
        assert r.status_code == 200 and "idempotent-replayed" not in r.headers


def test_deletes_ignore_the_key(server: ServerProcess) -> None:
    """Stripe: keys have no effect on DELETE, which is idempotent already."""
    key, idem = new_key(), secrets.token_hex(16)
    endpoint = post(
        server,
        key,
        "/v1/webhook_endpoints",
        {"url": "https://example.com/hook", "enabled_events[]": "*"},
        None,
    ).json()
    path = f"{server.url}/v1/webhook_endpoints/{endpoint['id']}"
    first = HTTP.delete(path, auth=(key, ""), headers={"Idempotency-Key": idem})
    again = HTTP.delete(path, auth=(key, ""), headers={"Idempotency-Key": idem})
    assert first.status_code == 200 and first.json()["deleted"] is True
    assert again.status_code == 404 and "idempotent-replayed" not in again.headers
    assert again.json()["error"]["code"] == "resource_missing"


def test_one_key_many_threads_does_the_work_once(server: ServerProcess) -> None:
    """Requests racing with one key: the first runs, the others get 409
    idempotency_key_in_use while it runs, or its replay afterwards."""
    key, idem = new_key(), secrets.token_hex(16)
    pi = post(server, key, "/v1/payment_intents", CARD, None).json()
    path = f"/v1/payment_intents/{pi['id']}/confirm"
    responses = race([(server.url, path, {"payment_method": "pm_card_visa"})] * 16, key, idem)

    ok = [r for r in responses if r.status_code == 200]
    busy = [r for r in responses if r.status_code == 409]
    assert len(ok) + len(busy) == 16, [r.status_code for r in responses]
    assert len({r.content for r in ok}) == 1
    assert len([r for r in ok if "idempotent-replayed" not in r.headers]) == 1
    for r in busy:
        error = r.json()["error"]
        assert (error["type"], error["code"]) == ("invalid_request_error", "idempotency_key_in_use")
        assert error["message"] == (
            "There is currently another in-progress request using this Idempotent Key (that "
            "probably means you submitted twice, and the other request is still going "
            f"through): {idem}. Please try again later."
        )
    charges = HTTP.get(
        server.url + "/v1/charges", params={"payment_intent": pi["id"]}, auth=(key, "")
    ).json()["data"]
    assert [c["status"] for c in charges] == ["succeeded"]


def test_sdk_retries_a_confirm_and_charges_once(server: ServerProcess) -> None:
    """The SDK sends one random key per call and retries 409s with it: many threads calling
    confirm with the same explicit key all end with the same succeeded intent."""
    client = stripe.StripeClient(
        api_key=new_key(), base_addresses={"api": server.url}, max_network_retries=5
    )
    pi = client.v1.payment_intents.create(
        {"amount": 4200, "currency": "usd", "payment_method_types": ["card"]}
    )
    idem = secrets.token_hex(16)

    def confirm(_: int) -> stripe.PaymentIntent:
        return client.v1.payment_intents.confirm(
            pi.id, {"payment_method": "pm_card_visa"}, options={"idempotency_key": idem}
        )

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(confirm, range(8)))
    assert {r.status for r in results} == {"succeeded"}
    assert {r.latest_charge for r in results} == {results[0].latest_charge}
    charges = client.v1.charges.list({"payment_intent": pi.id}).data
    assert [(c.status, c.amount_captured) for c in charges] == [("succeeded", 4200)]


@contextmanager
def dropping_proxy(server: ServerProcess, drop: str) -> Iterator[tuple[str, list[str | None]]]:
    """A proxy in front of `server` that passes the first POST to a path ending in `drop` on
    and then hangs up instead of answering, as a network failure after the server did the
    work would. Yields its url and the Idempotency-Key of every POST it saw."""
    keys: list[str | None] = []
    dropped = threading.Event()

    class Forward(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            if self.command == "POST":
                keys.append(self.headers.get("idempotency-key"))
            upstream = HTTP.request(
                self.command, server.url + self.path, content=body, headers=headers, timeout=30
            )
            if self.command == "POST" and self.path.endswith(drop) and not dropped.is_set():
                dropped.set()
                self.close_connection = True
                return
            self.send_response(upstream.status_code)
            for name in ("content-type", "request-id", "idempotency-key", "idempotent-replayed"):
                if name in upstream.headers:
                    self.send_header(name, upstream.headers[name])
            self.send_header("content-length", str(len(upstream.content)))
            self.end_headers()
            self.wfile.write(upstream.content)

        do_GET = do_POST = _forward

        def log_message(self, *args: Any) -> None:
            pass

    proxy = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{proxy.server_address[1]}", keys
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_sdk_retries_a_lost_confirm_response_with_its_own_key(server: ServerProcess) -> None:
    """The SDK puts a random key on every POST and resends it when the connection fails: the
    confirm that ran but whose answer was lost is replayed, not charged again."""
    key = new_key()
    with dropping_proxy(server, "/confirm") as (url, keys):
        client = stripe.StripeClient(
            api_key=key, base_addresses={"api": url}, max_network_retries=2
        )
        pi = client.v1.payment_intents.create(
            {"amount": 3100, "currency": "usd", "payment_method_types": ["card"]}
        )
        confirmed = client.v1.payment_intents.confirm(pi.id, {"payment_method": "pm_card_visa"})
    assert confirmed.status == "succeeded"
    assert confirmed.last_response is not None
    assert confirmed.last_response.headers["idempotent-replayed"] == "true"
    create_key, first_try, retry = keys
    assert first_try == retry and first_try not in (None, create_key)
    charges = make_client(server, key).v1.charges.list({"payment_intent": pi.id}).data
    assert [(c.id, c.status) for c in charges] == [(confirmed.latest_charge, "succeeded")]


def test_keys_expire_after_24_hours(fresh_server: ServerProcess) -> None:
    proc = fresh_server.start()
    key, idem = new_key(), secrets.token_hex(16)
    first = post(proc, key, "/v1/payment_intents", CARD, idem)

    proc.args = ["--clock-offset", "23h"]
    proc.restart()
    within = post(proc, key, "/v1/payment_intents", CARD, idem)
    assert within.headers.get("idempotent-replayed") == "true"
    assert within.content == first.content

    proc.args = ["--clock-offset", "24h"]
    proc.restart()
    after = post(proc, key, "/v1/payment_intents", CARD, idem)
    assert after.status_code == 200
    assert "idempotent-replayed" not in after.headers
    assert after.json()["id"] != first.json()["id"]
    assert len(intents(proc, key)) == 2


def test_one_key_on_many_processes_does_the_work_once(
    cluster: list[ServerProcess],  # noqa: F811
) -> None:
    """The same key sent to every process of one database at once: one intent, one result."""
    key, idem = new_key(), secrets.token_hex(16)
    form = {**CARD, "payment_method": "pm_card_visa", "confirm": "true"}
    calls = [(cluster[i % len(cluster)].url, "/v1/payment_intents", form) for i in range(12)]
    responses = race(calls, key, idem)
    assert {r.status_code for r in responses} <= {200, 409}
    ok = [r for r in responses if r.status_code == 200]
    assert ok and len({r.json()["id"] for r in ok}) == 1
    created = intents(cluster[-1], key)
    assert [(pi["id"], pi["status"]) for pi in created] == [(ok[0].json()["id"], "succeeded")]


def test_a_key_in_flight_is_refused_at_once_on_sqlite(tmp_path: Path) -> None:
    """Writers on one SQLite file queue behind each other, so a repeat would wait for the first
    request and replay it: the 409 while the first runs is the server's in-process check. The
    test holds the file's writer lock (store/sqlite.py), so the first request stays in flight
    inside its transaction until it is let go."""
    db = tmp_path / "in-flight.sqlite3"
    proc = ServerProcess(str(db), log_path=tmp_path / "server.log").start()
    key, idem = new_key(), secrets.token_hex(16)
    form = {"email": "first@example.com"}
    try:
        lock = os.open(f"{db}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        with ThreadPoolExecutor(2) as pool:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                sent = [pool.submit(post, proc, key, "/v1/customers", form, idem) for _ in "ab"]
                done, _ = wait(sent, timeout=10, return_when=FIRST_COMPLETED)
                # One runs and waits for the lock; the other is answered meanwhile.
                assert len(done) == 1
                (refused,) = done
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
                os.close(lock)
            (ran,) = [f for f in sent if f is not refused]
            busy, ok = refused.result(), ran.result(timeout=30)
        assert busy.status_code == 409
        error = busy.json()["error"]
        assert (error["type"], error["code"]) == ("invalid_request_error", "idempotency_key_in_use")
        assert ok.status_code == 200 and ok.json()["email"] == "first@example.com"
        again = post(proc, key, "/v1/customers", form, idem)
        assert again.headers["idempotent-replayed"] == "true"
        assert again.content == ok.content
        listed = HTTP.get(proc.url + "/v1/customers", auth=(key, "")).json()["data"]
        assert [c["id"] for c in listed] == [ok.json()["id"]]
    finally:
        proc.stop()
