"""Signed webhooks delivered to a real receiver: every payment flow's events, retries,
crashes and competing dispatchers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import orjson
import pytest
import stripe

from tests.conftest import make_client, new_key, query
from tests.http_client import HTTP
from tests.receiver import Receiver
from tests.server import ROOT, ServerProcess

CARD = {"amount": 2000, "currency": "usd", "payment_method_types": ["card"]}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()
    assert not r.failures, r.failures


def subscribe(client: stripe.StripeClient, receiver: Receiver, **params) -> stripe.WebhookEndpoint:
    endpoint = client.v1.webhook_endpoints.create(
        params={"url": receiver.url, "enabled_events": ["*"], **params}
    )
    receiver.secret = endpoint.secret
    return endpoint


def intent(client: stripe.StripeClient, **params) -> stripe.PaymentIntent:
    return client.v1.payment_intents.create(params={**CARD, **params})


# Each flow's events, exactly: every one recorded, in the order recorded (Stripe does not
# guarantee an order of delivery), each delivered, and nothing else delivered.


def test_succeeded(client: stripe.StripeClient, receiver: Receiver) -> None:
    subscribe(client, receiver)
    pi = intent(client, payment_method="pm_card_visa", confirm=True)
    got = receiver.wait_for_recorded(client)
    assert got == ["payment_intent.created", "charge.succeeded", "payment_intent.succeeded"]
    header = receiver.headers[0]
    assert header["user-agent"] == "Stripe/1.0 (+https://stripe.com/docs/webhooks)"
    assert header["content-type"] == "application/json; charset=utf-8"
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", header["stripe-signature"])
    events = {e["type"]: e for e in receiver.delivered().values()}
    # data.object is the object as it was when the event happened.
    assert events["payment_intent.created"]["data"]["object"]["status"] != "succeeded"
    assert events["payment_intent.succeeded"]["data"]["object"]["status"] == "succeeded"
    assert events["charge.succeeded"]["data"]["object"]["id"] == pi.latest_charge
    for event in events.values():
        assert event["object"] == "event" and event["livemode"] is False
        assert event["api_version"] == "2026-10-28.endive"
        assert event["request"]["id"].startswith("req_")


def test_declined_then_succeeded(client: stripe.StripeClient, receiver: Receiver) -> None:
    subscribe(client, receiver)
    pi = intent(client)
    with pytest.raises(stripe.CardError):
        client.v1.payment_intents.confirm(
            pi.id, params={"payment_method": "pm_card_chargeDeclined"}
        )
    assert receiver.wait_for_recorded(client) == [
        "payment_intent.created",
        "charge.failed",
        "payment_intent.payment_failed",
    ]
    client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"})
    assert receiver.wait_for_recorded(client) == [
        "payment_intent.created",
        "charge.failed",
        "payment_intent.payment_failed",
        "charge.succeeded",
        "payment_intent.succeeded",
    ]
    failed = next(
        e for e in receiver.delivered().values() if e["type"] == "payment_intent.payment_failed"
    )
    assert failed["data"]["object"]["last_payment_error"]["code"] == "card_declined"
    assert failed["data"]["object"]["status"] == "requires_payment_method"


def test_three_d_secure(
    server: ServerProcess, client: stripe.StripeClient, receiver: Receiver
) -> None:
    subscribe(client, receiver)
    pi = intent(
        client,
        payment_method="pm_card_authenticationRequired",
        confirm=True,
        return_url="https://shop.test/done",
    )
    assert pi.status == "requires_action"
    assert receiver.wait_for_recorded(client) == [
        "payment_intent.created",
        "payment_intent.requires_action",
    ]
    # Complete the challenge the way the page's form does.
    page = urlsplit(pi.next_action.redirect_to_url.url)
    fields = dict(parse_qsl(page.query))
    keep = ("payment_intent", "payment_intent_client_secret", "publishable_key", "source")
    form = {k: fields[k] for k in keep}
    answer = HTTP.post(f"{server.url}{page.path}", data={**form, "outcome": "complete"})
    assert answer.status_code == 303
    assert "redirect_status=succeeded" in answer.headers["location"]
    assert receiver.wait_for_recorded(client) == [
        "payment_intent.created",
        "payment_intent.requires_action",
        "charge.succeeded",
        "payment_intent.succeeded",
    ]


def test_manual_capture(client: stripe.StripeClient, receiver: Receiver) -> None:
    subscribe(client, receiver)
    pi = intent(client, capture_method="manual", payment_method="pm_card_visa", confirm=True)
    assert receiver.wait_for_recorded(client) == [
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.amount_capturable_updated",
    ]
    client.v1.payment_intents.capture(pi.id)
    assert receiver.wait_for_recorded(client) == [
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.amount_capturable_updated",
        "charge.captured",
        "payment_intent.succeeded",
    ]
    by_type = {e["type"]: e["data"]["object"] for e in receiver.delivered().values()}
    assert by_type["payment_intent.amount_capturable_updated"]["status"] == "requires_capture"
    assert by_type["payment_intent.amount_capturable_updated"]["amount_capturable"] == 2000
    assert by_type["charge.succeeded"]["captured"] is False
    assert by_type["charge.captured"]["captured"] is True


def test_cancel(client: stripe.StripeClient, receiver: Receiver) -> None:
    subscribe(client, receiver)
    pi = intent(client)
    client.v1.payment_intents.cancel(pi.id, params={"cancellation_reason": "requested_by_customer"})
    assert receiver.wait_for_recorded(client) == [
        "payment_intent.created",
        "payment_intent.canceled",
    ]
    canceled = next(
        e for e in receiver.delivered().values() if e["type"] == "payment_intent.canceled"
    )
    assert canceled["data"]["object"]["cancellation_reason"] == "requested_by_customer"


def test_refund(client: stripe.StripeClient, receiver: Receiver) -> None:
    subscribe(client, receiver)
    pi = intent(client, payment_method="pm_card_visa", confirm=True)
    refund = client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 500})
    assert receiver.wait_for_recorded(client) == [
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "refund.created",
        "charge.refunded",
    ]
    by_type = {e["type"]: e for e in receiver.delivered().values()}
    assert by_type["refund.created"]["data"]["object"]["id"] == refund.id
    refunded = by_type["charge.refunded"]
    assert refunded["data"]["object"]["amount_refunded"] == 500
    assert refunded["data"]["previous_attributes"]["amount_refunded"] == 0


def test_charge_update(client: stripe.StripeClient, receiver: Receiver) -> None:
    subscribe(client, receiver)
    pi = intent(client, payment_method="pm_card_visa", confirm=True)
    client.v1.charges.update(
        pi.latest_charge, params={"description": "Order 7", "metadata": {"order": "7"}}
    )
    # Changing nothing is no event.
    client.v1.charges.update(pi.latest_charge, params={"description": "Order 7"})
    assert receiver.wait_for_recorded(client) == [
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "charge.updated",
    ]
    (updated,) = [e for e in receiver.delivered().values() if e["type"] == "charge.updated"]
    assert updated["data"]["object"]["id"] == pi.latest_charge
    assert updated["data"]["object"]["description"] == "Order 7"
    assert updated["data"]["previous_attributes"] == {
        "description": None,
        "metadata": {"order": None},
    }


# Endpoints: which events go where, in which API version.


def test_enabled_events_and_disabled_endpoints(client: stripe.StripeClient) -> None:
    only_succeeded, everything = Receiver(), Receiver()
    try:
        subscribe(client, only_succeeded, enabled_events=["payment_intent.succeeded"])
        endpoint = subscribe(client, everything)
        first = intent(client, payment_method="pm_card_visa", confirm=True)
        only_succeeded.wait_for_types(first.id, 1)
        everything.wait_for_types(first.id, 3)
        client.v1.webhook_endpoints.update(endpoint.id, params={"disabled": True})
        second = intent(client, payment_method="pm_card_visa", confirm=True)
        only_succeeded.wait_for_types(second.id, 1)
        time.sleep(1)
        assert everything.types_for(second.id) == []
        assert only_succeeded.types_for(first.id) == ["payment_intent.succeeded"]
        # Re-enabled: later events only (what happened while disabled is not sent).
        client.v1.webhook_endpoints.update(endpoint.id, params={"disabled": False})
        third = intent(client)
        everything.wait_for_types(third.id, 1)
        assert everything.types_for(second.id) == []
    finally:
        only_succeeded.close()
        everything.close()
    assert not only_succeeded.failures and not everything.failures


def test_pinned_api_version(client: stripe.StripeClient, receiver: Receiver) -> None:
    subscribe(client, receiver, api_version="2024-06-20")
    pi = intent(client)
    receiver.wait_for_types(pi.id, 1)
    (event,) = receiver.delivered().values()
    assert event["api_version"] == "2024-06-20"
    # Rendered as that version renders a PaymentIntent (`invoice` existed before basil).
    assert event["data"]["object"]["invoice"] is None
    # The API shows the event in its own version.
    assert client.v1.events.retrieve(event["id"]).api_version == "2026-10-28.endive"


def test_accounts_only_get_their_own_events(server: ServerProcess, receiver: Receiver) -> None:
    mine, theirs = make_client(server), make_client(server)
    subscribe(mine, receiver)
    other = intent(theirs)
    own = intent(mine)
    receiver.wait_for_types(own.id, 1)
    time.sleep(0.5)
    assert receiver.types_for(other.id) == []


# Retries and durability: each test runs its own server with a short retry schedule.


def own_server(database: str, tmp_path: Path, *args: str) -> ServerProcess:
    """A server on the test's own database (each store in turn), retrying every second."""
    return ServerProcess(
        database, "--webhook-retry-schedule", "1,1,1,1,1,1,1,1", *args,
        log_path=tmp_path / "server.log",
    )  # fmt: skip


def pending_webhooks(client: stripe.StripeClient, event_id: str) -> int:
    return client.v1.events.retrieve(event_id).pending_webhooks


def test_receiver_down_then_up(own_database: str, tmp_path: Path, receiver: Receiver) -> None:
    proc = own_server(own_database, tmp_path).start()
    try:
        client = make_client(proc)
        subscribe(client, receiver)
        receiver.answer = 500
        pi = intent(client)
        receiver.wait(lambda: receiver.attempts() and max(receiver.attempts().values()) >= 2)
        (event_id,) = receiver.attempts()
        assert pending_webhooks(client, event_id) == 1
        receiver.answer = 200
        receiver.wait_for_ids({event_id})
        assert receiver.types_for(pi.id) == ["payment_intent.created"]
        deadline = time.monotonic() + 5
        while pending_webhooks(client, event_id) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert pending_webhooks(client, event_id) == 0
        # Every attempt is recorded and shown by `payintents events`.
        shown = events_command(proc, "--json")
        (delivery,) = next(e for e in shown if e["id"] == event_id)["deliveries"]
        codes = [a["status_code"] for a in delivery["history"]]
        assert codes[-1] == 200 and set(codes[:-1]) == {500} and len(codes) >= 3
        assert delivery["status"] == "succeeded"
        assert "HTTP 500: receiver says no" in delivery["history"][0]["error"]
        text = events_command(proc)
        assert event_id in text and "500" in text and "succeeded" in text
    finally:
        proc.stop()


def test_gives_up_after_the_schedule(own_database: str, tmp_path: Path, receiver: Receiver) -> None:
    proc = ServerProcess(
        own_database, "--webhook-retry-schedule", "0,1", log_path=tmp_path / "server.log"
    ).start()
    try:
        client = make_client(proc)
        subscribe(client, receiver)
        receiver.answer = 503
        intent(client)
        receiver.wait(lambda: sum(receiver.attempts().values()) >= 3)
        time.sleep(2)
        assert list(receiver.attempts().values()) == [3]  # the first try and two retries
        (event_id,) = receiver.attempts()
        # Never delivered: still counted in pending_webhooks, as Stripe does.
        assert pending_webhooks(client, event_id) == 1
        (shown,) = [e for e in events_command(proc, "--json") if e["id"] == event_id]
        assert shown["deliveries"][0]["status"] == "failed"
    finally:
        proc.stop()


def test_timeouts_are_failures(own_database: str, tmp_path: Path, receiver: Receiver) -> None:
    proc = own_server(own_database, tmp_path, "--webhook-timeout", "1").start()
    try:
        client = make_client(proc)
        subscribe(client, receiver)
        receiver.delay = 2
        pi = intent(client)
        wait_until(lambda: count_rows(proc, "attempts >= 1") == 1)
        receiver.delay = 0
        receiver.wait_for_types(pi.id, 1)
        wait_until(lambda: count_rows(proc, "status = 'succeeded'") == 1)
        (shown,) = events_command(proc, "--json")
        errors = [a["error"] for a in shown["deliveries"][0]["history"]]
        assert errors[0] == "timed out after 1s"
    finally:
        proc.stop()


def test_sigkill_with_pending_events_loses_none(
    own_database: str, tmp_path: Path, receiver: Receiver
) -> None:
    proc = ServerProcess(
        own_database,
        "--webhook-retry-schedule", "1,1,1,1,1,1,1,1", "--webhook-timeout", "2",
        log_path=tmp_path / "server.log",
    ).start()  # fmt: skip
    client = make_client(proc)
    subscribe(client, receiver)
    receiver.answer = 500
    created = [intent(client, payment_method="pm_card_visa", confirm=True) for _ in range(5)]
    receiver.wait(lambda: len(receiver.attempts()) >= 3)
    proc.kill()
    receiver.answer = 200
    proc.start()
    try:
        expected = {e.id for e in client.v1.events.list(params={"limit": 100}).data}
        assert len(expected) == 15
        receiver.wait_for_ids(expected)
        for pi in created:
            assert receiver.types_for(pi.id) == [
                "charge.succeeded", "payment_intent.created", "payment_intent.succeeded"
            ]  # fmt: skip
    finally:
        proc.stop()


def test_sigkill_mid_delivery_resends_after_the_lease(
    own_database: str, tmp_path: Path, receiver: Receiver
) -> None:
    """Deliveries in flight when the process dies are sent again once their claim lapses."""
    proc = own_server(own_database, tmp_path, "--webhook-timeout", "2").start()
    client = make_client(proc)
    subscribe(client, receiver)
    # Hold the first requests open; they fail, answering after the server is gone.
    receiver.answer, receiver.delay = 500, 1.5
    pi = intent(client, payment_method="pm_card_visa", confirm=True)
    wait_until(lambda: count_rows(proc, "claim IS NOT NULL") == 3)
    proc.kill()
    receiver.answer, receiver.delay = 200, 0
    killed_at = time.monotonic()
    proc.start()
    try:
        expected = {e.id for e in client.v1.events.list().data}
        receiver.wait_for_ids(expected, timeout=30)
        assert time.monotonic() - killed_at < 30
        assert receiver.types_for(pi.id) == [
            "charge.succeeded", "payment_intent.created", "payment_intent.succeeded"
        ]  # fmt: skip
    finally:
        proc.stop()


def test_two_dispatchers_send_each_attempt_once(own_database: str, receiver: Receiver) -> None:
    db = own_database
    proc = ServerProcess(db, "--no-dispatcher").start()
    client = make_client(proc)
    subscribe(client, receiver)
    receiver.delay = 0.02
    # A backlog both dispatchers find at once when they start, then more while they run.
    for _ in range(20):
        intent(client, payment_method="pm_card_visa", confirm=True)
    dispatchers = [
        subprocess.Popen(
            [sys.executable, "-m", "payintents", "dispatch", "--database", db],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        for _ in range(20):
            intent(client, payment_method="pm_card_visa", confirm=True)
        expected = {e.id for e in client.v1.events.list(params={"limit": 100}).auto_paging_iter()}
        assert len(expected) == 120
        receiver.wait_for_ids(expected, timeout=30)
        time.sleep(1)
        attempts = receiver.attempts()
        assert set(attempts) == expected
        assert set(attempts.values()) == {1}
    finally:
        for d in dispatchers:
            d.terminate()
            d.wait(10)
        proc.stop()


def test_forward_to(own_database: str, tmp_path: Path, receiver: Receiver) -> None:
    proc = ServerProcess(
        own_database,
        env={"PAYINTENTS_FORWARD_TO": receiver.url},
        log_path=tmp_path / "server.log",
    ).start()
    try:
        match = re.search(r"Ready! Your webhook signing secret is (whsec_[0-9a-f]{64})", proc.log())
        assert match, proc.log()
        receiver.secret = match.group(1)
        # Every account's events arrive, with the one secret.
        first, second = make_client(proc), make_client(proc, new_key())
        a = intent(first)
        b = intent(second)
        receiver.wait_for_types(a.id, 1)
        receiver.wait_for_types(b.id, 1)
        # The forwarding endpoint belongs to no account.
        assert first.v1.webhook_endpoints.list().data == []
        proc.restart()
        again = re.findall(r"signing secret is (whsec_[0-9a-f]{64})", proc.log())
        assert again == [receiver.secret, receiver.secret]
    finally:
        proc.stop()


def test_forward_key_limits_forwarding_to_one_account(
    own_database: str, tmp_path: Path, receiver: Receiver
) -> None:
    key = new_key()
    proc = ServerProcess(
        own_database, "--forward-to", receiver.url, "--forward-key", key,
        log_path=tmp_path / "server.log",
    ).start()  # fmt: skip
    try:
        receiver.secret = re.search(r"secret is (whsec_\w+)", proc.log()).group(1)
        mine, other = make_client(proc, key), make_client(proc)
        theirs = intent(other)
        own = intent(mine)
        receiver.wait_for_types(own.id, 1)
        time.sleep(0.5)
        assert receiver.types_for(theirs.id) == []
        (endpoint,) = mine.v1.webhook_endpoints.list().data
        assert endpoint.url == receiver.url and endpoint.enabled_events == ["*"]
    finally:
        proc.stop()


# Helpers reading the server's database and CLI.


def wait_until(check, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def count_rows(proc: ServerProcess, where: str) -> int:
    return query(proc.database, f"SELECT COUNT(*) FROM webhook_deliveries WHERE {where}")[0][0]


def events_command(proc: ServerProcess, *args: str):
    out = subprocess.run(
        [sys.executable, "-m", "payintents", "events", "--database", proc.database, *args],
        cwd=ROOT,
        capture_output=True,
        check=True,
        env=os.environ,
    ).stdout
    return orjson.loads(out) if "--json" in args else out.decode()
