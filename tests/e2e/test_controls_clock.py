"""The test controls' clock, reset and health (/_payintents), through the official SDK and
over HTTP, on both stores: an account's clock moves forward alone, what falls due on the way
happens before the advance answers, in order, with its events and webhooks."""

from __future__ import annotations

import concurrent.futures
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import stripe

from payintents.store.sqlite import migrations
from payintents.wire.auth import account_for, redact
from payintents.wire.permissions import RESOURCES
from tests.conftest import make_client, new_key, publishable, query
from tests.controls import advance, call, clock, fault, ok, refused
from tests.e2e.test_bank_and_balance import OFFLINE, TIMEOUT, balance_intent, needs_microdeposits
from tests.http_client import HTTP
from tests.receiver import Receiver
from tests.server import PYTHON_M, ROOT, ServerProcess

DAY = 86400
CAPTURE_WINDOW = 7 * DAY


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def listen(client: stripe.StripeClient, receiver: Receiver, *events: str) -> None:
    endpoint = client.v1.webhook_endpoints.create(
        params={"url": receiver.url, "enabled_events": list(events) or ["*"]}
    )
    receiver.secret = endpoint.secret


def manual_card(client: stripe.StripeClient) -> stripe.PaymentIntent:
    return client.v1.payment_intents.create(
        params={
            "amount": 2000,
            "currency": "usd",
            "payment_method_types": ["card"],
            "payment_method": "pm_card_visa",
            "confirm": True,
            "capture_method": "manual",
        }
    )


def store_kind(server: ServerProcess) -> str:
    return "postgres" if "://" in (server.database or "") else "sqlite"


def test_health_needs_no_key(server: ServerProcess) -> None:
    resp = HTTP.get(server.url + "/_payintents/health")
    assert resp.status_code == 200
    kind = store_kind(server)
    assert resp.json() == {
        "object": "payintents.health",
        "status": "ok",
        "store": {"kind": kind, "state": "ready", "migrations": len(migrations(kind))},
        "controls": True,
    }


def test_each_account_has_a_clock_that_only_moves_forward(
    server: ServerProcess, api_key: str
) -> None:
    other_key = new_key()
    client, other = make_client(server, api_key), make_client(server, other_key)
    start = clock(server, api_key)
    assert start["object"] == "payintents.clock"
    assert (start["offset"], start["livemode"], start["now"]) == (0, False, start["server_now"])
    assert abs(start["now"] - time.time()) < 60

    moved = advance(server, api_key, seconds=DAY)
    assert (moved["offset"], moved["now"]) == (DAY, moved["server_now"] + DAY)
    to = moved["now"] + 3600
    moved = advance(server, api_key, to=to)
    assert moved["now"] - moved["server_now"] == moved["offset"]
    assert to <= moved["now"] <= to + 5

    # Objects and events made afterwards carry the account's time; another account's, the
    # server's.
    customer = client.v1.customers.create()
    assert moved["now"] <= customer.created <= moved["now"] + 30
    (event,) = client.v1.events.list().data
    assert (event.type, event.created) == ("customer.created", customer.created)
    theirs = other.v1.customers.create()
    assert abs(theirs.created - time.time()) < 30
    assert clock(server, other_key)["offset"] == 0

    # Never back: `to` before the account's time is refused and changes nothing.
    now = clock(server, api_key)["now"]
    resp = call(server, api_key, "POST", "/clock/advance", to=now - 10)
    refused(
        resp,
        400,
        message=f"The account's clock is at {now}, after to ({now - 10}): an account's clock "
        "moves forward only.",
        param="to",
        type="invalid_request_error",
    )
    assert clock(server, api_key)["offset"] == moved["offset"]


def test_an_authorization_expires_after_eight_days_in_its_account_only(
    server: ServerProcess, api_key: str, receiver: Receiver
) -> None:
    client, other_key = make_client(server, api_key), new_key()
    other = make_client(server, other_key)
    listen(client, receiver, "payment_intent.canceled", "charge.expired")
    held, theirs = manual_card(client), manual_card(other)
    assert (held.status, theirs.status) == ("requires_capture", "requires_capture")

    advance(server, api_key, seconds=6 * DAY)
    assert client.v1.payment_intents.retrieve(held.id).status == "requires_capture"
    advance(server, api_key, seconds=2 * DAY)

    # Done before the advance answered: no waiting, no polling.
    expired = client.v1.payment_intents.retrieve(held.id)
    assert (expired.status, expired.cancellation_reason, expired.amount_capturable) == (
        "canceled",
        "expired",
        0,
    )
    # At the moment the capture window closed, in the account's time.
    expires = held.created + CAPTURE_WINDOW
    assert expires <= expired.canceled_at <= expires + 5
    events = client.v1.events.list(params={"limit": 3}).data
    assert [(e.type, e.created) for e in events][:2] == [
        ("payment_intent.canceled", expired.canceled_at),
        ("charge.expired", expired.canceled_at),
    ]
    assert events[0].request.id is None
    assert sorted(e["type"] for e in receiver.delivered().values()) == [
        "charge.expired",
        "payment_intent.canceled",
    ]
    charge = client.v1.charges.retrieve(held.latest_charge)
    assert (charge.captured, charge.amount_captured) == (False, 0)

    # The other account's hold and clock are untouched.
    assert other.v1.payment_intents.retrieve(theirs.id).status == "requires_capture"
    assert clock(server, other_key)["offset"] == 0


def test_bank_debits_settle_and_fail_after_advance(server: ServerProcess, api_key: str) -> None:
    client = make_client(server, api_key)

    def ach(token: str) -> Any:
        return client.v1.payment_intents.create(
            params={
                "amount": 1500,
                "currency": "usd",
                "payment_method_types": ["us_bank_account"],
                "payment_method": token,
                "confirm": True,
                "mandate_data": OFFLINE,
            }
        )

    def sepa(iban: str) -> Any:
        return client.v1.payment_intents.create(
            params={
                "amount": 1000,
                "currency": "eur",
                "payment_method_types": ["sepa_debit"],
                "payment_method_data": {
                    "type": "sepa_debit",
                    "sepa_debit": {"iban": iban},
                    "billing_details": {"name": "Jenny Rosen", "email": "jenny@example.com"},
                },
                "confirm": True,
                "mandate_data": OFFLINE,
            }
        )

    settles, fails = ach("pm_usBankAccount_success"), ach("pm_usBankAccount_insufficientFunds")
    # Stripe's delayed test IBANs settle after three minutes.
    late, late_fail = sepa("AT321904300235473204"), sepa("AT051904300235473205")
    assert {p.status for p in (settles, fails, late, late_fail)} == {"processing"}

    advance(server, api_key, seconds=60)
    retrieve = client.v1.payment_intents.retrieve
    # US bank debits settle at once in test mode: by the time any advance answers.
    assert (retrieve(settles.id).status, retrieve(settles.id).amount_received) == (
        "succeeded",
        1500,
    )
    failed = retrieve(fails.id)
    assert (failed.status, failed.last_payment_error.code) == (
        "requires_payment_method",
        "insufficient_funds",
    )
    assert (retrieve(late.id).status, retrieve(late_fail.id).status) == (
        "processing",
        "processing",
    )

    advance(server, api_key, seconds=130)
    done = retrieve(late.id)
    assert (done.status, done.amount_received) == ("succeeded", 1000)
    assert client.v1.charges.retrieve(late.latest_charge).status == "succeeded"
    failed = retrieve(late_fail.id)
    assert (failed.status, failed.last_payment_error.code) == (
        "requires_payment_method",
        "generic_could_not_process",
    )
    succeeded = [
        e for e in client.v1.events.list(params={"limit": 100}).data
        if e.type == "payment_intent.succeeded" and e.data.object.id == late.id
    ]  # fmt: skip
    # Settled when it fell due, in the account's time, not when the advance ended.
    assert late.created + 180 <= succeeded[0].created <= late.created + 185


def test_microdeposits_time_out_and_refunds_change_after_advance(
    server: ServerProcess, api_key: str
) -> None:
    client = make_client(server, api_key)
    waiting = needs_microdeposits(client)
    paid = client.v1.payment_intents.create(
        params={
            "amount": 2000,
            "currency": "usd",
            "payment_method_types": ["card"],
            "payment_method": "pm_card_pendingRefund",
            "confirm": True,
        }
    )
    refund = client.v1.refunds.create(params={"payment_intent": paid.id})
    assert refund.status == "pending"

    advance(server, api_key, seconds=120)
    assert client.v1.refunds.retrieve(refund.id).status == "succeeded"
    assert client.v1.payment_intents.retrieve(waiting.id).status == "requires_action"

    advance(server, api_key, seconds=10 * DAY)
    failed = client.v1.payment_intents.retrieve(waiting.id)
    assert (failed.status, failed.last_payment_error.code, failed.last_payment_error.message) == (
        "requires_payment_method",
        "payment_method_microdeposit_verification_timeout",
        TIMEOUT,
    )


def test_an_endpoint_that_fails_twice_gets_the_event_on_the_retry_after_advance(
    server: ServerProcess, api_key: str, receiver: Receiver
) -> None:
    client = make_client(server, api_key)
    listen(client, receiver, "customer.created")
    answers = iter([500, 500])
    receiver.answer = lambda event: next(answers, 200)
    customer = client.v1.customers.create()
    # The first attempt is made at once; Stripe's schedule retries after 1 and then 5 more
    # minutes (the server's default).
    receiver.wait(lambda: len(receiver.requests) == 1)
    advance(server, api_key, seconds=61)
    assert [status for _, status in receiver.requests] == [500, 500]
    advance(server, api_key, seconds=300)
    assert [(e["data"]["object"]["id"], s) for e, s in receiver.requests] == [
        (customer.id, 500),
        (customer.id, 500),
        (customer.id, 200),
    ]
    assert receiver.failures == []
    event = client.v1.events.retrieve(receiver.requests[0][0]["id"])
    assert event.pending_webhooks == 0


def test_an_idempotency_key_expires_after_a_day_of_the_accounts_time(
    server: ServerProcess, api_key: str
) -> None:
    client = make_client(server, api_key)
    first = client.v1.customers.create(params={"name": "A"}, options={"idempotency_key": "k1"})
    with pytest.raises(stripe.IdempotencyError):
        client.v1.customers.create(params={"name": "B"}, options={"idempotency_key": "k1"})
    advance(server, api_key, seconds=DAY - 60)
    again = client.v1.customers.create(params={"name": "A"}, options={"idempotency_key": "k1"})
    assert again.id == first.id
    advance(server, api_key, seconds=61)
    fresh = client.v1.customers.create(params={"name": "B"}, options={"idempotency_key": "k1"})
    assert (fresh.name, fresh.id != first.id) == ("B", True)


def test_reset_wipes_one_account(server: ServerProcess, api_key: str, receiver: Receiver) -> None:
    client, other_key = make_client(server, api_key), new_key()
    other = make_client(server, other_key)
    listen(client, receiver, "customer.created")
    customer = client.v1.customers.create(options={"idempotency_key": "reset-1"})
    manual_card(client)
    saved = client.v1.setup_intents.create(
        params={
            "payment_method_types": ["sepa_debit"],
            "payment_method_data": {
                "type": "sepa_debit",
                "sepa_debit": {"iban": "DE89370400440532013000"},
                "billing_details": {"name": "Jenny Rosen", "email": "jenny@example.com"},
            },
            "mandate_data": OFFLINE,
            "confirm": True,
        }
    )
    assert saved.status == "succeeded"
    receiver.wait(lambda: len(receiver.requests) == 1)
    fault(server, api_key, method="GET", path="/v1/nothing", status=500)
    advance(server, api_key, seconds=3600)
    theirs = other.v1.customers.create()
    fault(server, other_key, method="GET", path="/v1/nothing", status=500)

    body = ok(call(server, api_key, "DELETE", "/data"))
    assert body == {
        "object": "payintents.reset",
        "livemode": False,
        "deleted": {
            "payment_intent": 1,
            "charge": 1,
            "refund": 0,
            # The card and the saved SEPA account.
            "payment_method": 2,
            "customer": 1,
            "cash_balance_transaction": 0,
            "deleted_customer": 0,
            "dispute": 0,
            "confirmation_token": 0,
            "setup_intent": 1,
            "setup_attempt": 1,
            "mandate": 1,
            # customer.created, the payment's created, charge.succeeded and
            # amount_capturable_updated, the setup's created and succeeded
            "event": 6,
            "webhook_endpoint": 1,
            "webhook_delivery": 1,
            # The SDK sends a key with every POST: the endpoint, the customer, the payment, the
            # setup.
            "idempotency_key": 4,
            "fault_rule": 1,
        },
    }
    assert client.v1.customers.list().data == []
    assert client.v1.payment_intents.list().data == []
    assert client.v1.setup_intents.list().data == []
    assert client.v1.events.list().data == []
    assert client.v1.webhook_endpoints.list().data == []
    assert ok(call(server, api_key, "GET", "/faults"))["data"] == []
    assert clock(server, api_key)["offset"] == 0
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.customers.retrieve(customer.id)
    # The key is forgotten: the same key makes a new customer.
    again = client.v1.customers.create(options={"idempotency_key": "reset-1"})
    assert again.id != customer.id
    # The other account is untouched.
    assert [c.id for c in other.v1.customers.list().data] == [theirs.id]
    assert len(ok(call(server, other_key, "GET", "/faults"))["data"]) == 1
    # Nothing left to reset.
    assert ok(call(server, new_key(), "DELETE", "/data"))["deleted"]["customer"] == 0


def test_hosted_pages_show_the_accounts_clock(server: ServerProcess, api_key: str) -> None:
    client = make_client(server, api_key)
    advance(server, api_key, seconds=DAY + 7200)
    waiting = needs_microdeposits(client)
    challenged = client.v1.payment_intents.create(
        params={
            "amount": 4200,
            "currency": "eur",
            "payment_method_types": ["card"],
            "payment_method": "pm_card_authenticationRequired",
            "confirm": True,
            "return_url": "https://example.com/back",
        }
    )
    transfer = balance_intent(client, client.v1.customers.create().id)
    when = time.strftime("%Y-%m-%d %H:%M", time.gmtime(clock(server, api_key)["now"]))
    urls = [
        waiting.next_action.verify_with_microdeposits.hosted_verification_url,
        challenged.next_action.redirect_to_url.url,
        transfer.next_action.display_bank_transfer_instructions.hosted_instructions_url,
    ]
    for url in urls:
        page = HTTP.get(url)
        assert page.status_code == 200
        assert f'<p class="note" id="clock">Account clock: {when}' in page.text
        assert "(1d 2h ahead of the server's, moved by POST /_payintents/clock/advance)" in (
            page.text
        )
    # An account on the server's time shows no clock.
    plain = needs_microdeposits(make_client(server))
    page = HTTP.get(plain.next_action.verify_with_microdeposits.hosted_verification_url)
    assert page.status_code == 200 and 'id="clock"' not in page.text


def test_payintents_events_shows_the_accounts_clock(server: ServerProcess, api_key: str) -> None:
    client = make_client(server, api_key)
    advance(server, api_key, seconds=3 * DAY)
    client.v1.customers.create()
    out = subprocess.run(
        [*PYTHON_M, "events", "--database", server.database or "", "--key", api_key],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = out.splitlines()
    assert "customer.created" in lines[0]
    created = client.v1.customers.list().data[0].created
    assert lines[0].startswith(time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(created)))
    assert lines[1] == (
        "    (account clock 3d ahead of the server's; attempts below are in real time)"
    )


# -- refused inputs ---------------------------------------------------------------------------


def test_refused_clock_inputs(server: ServerProcess, api_key: str) -> None:
    def post(**params: Any) -> httpx.Response:
        return call(server, api_key, "POST", "/clock/advance", **params)

    for seconds, message in (
        ("0", "This value must be greater than or equal to 1."),
        ("-5", "This value must be greater than or equal to 1."),
        ("3153600001", "This value must be less than or equal to 3153600000."),
    ):
        refused(
            post(seconds=seconds),
            400,
            code="parameter_invalid_integer",
            doc_url="https://stripe.com/docs/error-codes/parameter-invalid-integer",
            message=message,
            param="seconds",
            type="invalid_request_error",
        )
    refused(
        post(seconds="1.5"),
        400,
        code="parameter_invalid_integer",
        doc_url="https://stripe.com/docs/error-codes/parameter-invalid-integer",
        message="Invalid integer: 1.5",
        param="seconds",
        type="invalid_request_error",
    )
    refused(
        post(seconds="10", to="99"),
        400,
        code="parameters_exclusive",
        doc_url="https://stripe.com/docs/error-codes/parameters-exclusive",
        message="You may only specify one of these parameters: seconds, to.",
        param="seconds",
        type="invalid_request_error",
    )
    refused(
        post(),
        400,
        code="parameter_missing",
        doc_url="https://stripe.com/docs/error-codes/parameter-missing",
        message="Missing required param: seconds (how far to move the account's clock), or to "
        "(the unix time to move it to).",
        param="seconds",
        type="invalid_request_error",
    )
    refused(
        post(minutes="5"),
        400,
        code="parameter_unknown",
        doc_url="https://stripe.com/docs/error-codes/parameter-unknown",
        message="Received unknown parameter: minutes",
        param="minutes",
        type="invalid_request_error",
    )
    now = clock(server, api_key)["now"]
    far = now + 4_000_000_000
    resp = post(to=far)
    # The account's clock may have ticked a second between the two requests.
    said = next(
        t
        for t in (now, now + 1, now + 2)
        if f"account's clock ({t})" in resp.json()["error"]["message"]
    )
    refused(
        resp,
        400,
        message=f"to ({far}) is more than 3153600000 seconds (a hundred years) after the "
        f"account's clock ({said}).",
        param="to",
        type="invalid_request_error",
    )
    assert clock(server, api_key)["offset"] == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/clock"),
        ("POST", "/clock/advance"),
        ("POST", "/faults"),
        ("GET", "/faults"),
        ("DELETE", "/faults"),
        ("DELETE", "/data"),
    ],
)
def test_controls_need_the_secret_key(
    server: ServerProcess, api_key: str, method: str, path: str
) -> None:
    refused(
        call(server, publishable(api_key), method, path),
        403,
        code="secret_key_required",
        doc_url="https://stripe.com/docs/error-codes/secret-key-required",
        message="This API call cannot be made with a publishable API key. Please use a secret "
        "API key. You can find a list of your API keys at "
        "https://dashboard.stripe.com/account/apikeys.",
        type="invalid_request_error",
    )
    refused(
        call(server, None, method, path),
        401,
        message="You did not provide an API key. You need to provide your API key in the "
        "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
        "YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we "
        "can help at https://support.stripe.com/.",
        type="invalid_request_error",
    )


def test_strict_mode_needs_the_operator_to_turn_the_controls_on(
    fresh_server: ServerProcess,
) -> None:
    key = "sk_test_" + "strict" * 4
    fresh_server.args = ["--api-key", key]
    proc = fresh_server.start()
    health = HTTP.get(proc.url + "/_payintents/health").json()
    assert (health["status"], health["controls"]) == ("ok", False)
    for method, path in (("GET", "/clock"), ("POST", "/clock/advance"), ("DELETE", "/data")):
        refused(
            call(proc, key, method, path, **({"seconds": 5} if method == "POST" else {})),
            403,
            message="The test controls (/_payintents) are off on this server: it accepts only "
            "its configured API keys. Its operator turns them on with `payintents serve "
            "--controls` (or PAYINTENTS_CONTROLS=1).",
            type="invalid_request_error",
        )
    # A key the server does not know is refused as the API refuses it.
    unknown = new_key()
    refused(
        call(proc, unknown, "GET", "/clock"),
        401,
        message=f"Invalid API Key provided: {redact(unknown)}",
        type="invalid_request_error",
    )
    proc.args = ["--api-key", key, "--controls"]
    proc.restart()
    assert HTTP.get(proc.url + "/_payintents/health").json()["controls"] is True
    assert advance(proc, key, seconds=60)["offset"] == 60


def test_a_restricted_key_cannot_drive_the_controls(fresh_server: ServerProcess, tmp_path) -> None:
    """Even one granted write on every resource: the controls act on the whole account."""
    secret, restricted = "sk_test_" + "owner" * 4, "rk_test_" + "helper" * 4
    grants = "".join(f'{name} = "write"\n' for name in RESOURCES)
    keys = tmp_path / "keys.toml"
    keys.write_text(
        f'[accounts.shop]\nsecret = "{secret}"\n[accounts.shop.restricted.{restricted}]\n{grants}'
    )
    fresh_server.args = ["--keys-file", str(keys), "--controls"]
    proc = fresh_server.start()
    account = account_for(secret.removeprefix("sk_test_"))
    for method, path in (("GET", "/clock"), ("POST", "/clock/advance"), ("DELETE", "/data")):
        refused(
            call(proc, restricted, method, path, **({"seconds": 5} if method == "POST" else {})),
            403,
            message=f"The provided key 'rk_test_{'*' * 18}helper' does not have the required "
            f"permissions for this endpoint on account '{account}'. This is a restricted API "
            "key, but the required permissions are not available for use by restricted keys.",
            type="invalid_request_error",
        )
    assert clock(proc, secret)["offset"] == 0


def test_several_processes_share_clocks_and_fault_rules(own_database: str, tmp_path) -> None:
    first = ServerProcess(own_database, log_path=tmp_path / "a.log").start()
    second = ServerProcess(own_database, log_path=tmp_path / "b.log").start()
    try:
        key = new_key()
        advance(first, key, seconds=5 * DAY)
        assert clock(second, key)["offset"] == 5 * DAY
        customer = make_client(second, key).v1.customers.create()
        assert customer.created >= clock(first, key)["now"] - 30
        # A rule made through one process counts its matches on every process, atomically.
        fault(first, key, method="GET", path="/v1/customers", status=500, count=5)

        def get(n: int) -> int:
            proc = first if n % 2 else second
            return HTTP.get(proc.url + "/v1/customers", auth=(key, ""), timeout=60).status_code

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(get, range(24)))
        assert sorted(statuses).count(500) == 5 and statuses.count(200) == 19
        (rule,) = ok(call(second, key, "GET", "/faults"))["data"]
        assert (rule["matched"], rule["remaining"]) == (5, 0)
    finally:
        first.stop()
        second.stop()


def test_background_work_of_an_advanced_account_falls_due_on_its_clock(
    fresh_server: ServerProcess, receiver: Receiver
) -> None:
    """Work scheduled after an advance is done by the background loops when the account's
    clock reaches it, not the server's: a three-second capture window ends three seconds
    later, a one-second webhook retry comes a second later, on an account a day ahead."""
    fresh_server.args = ["--capture-window", "3s", "--webhook-retry-schedule", "1,1"]
    proc = fresh_server.start()
    key = new_key()
    client = make_client(proc, key)
    advance(proc, key, seconds=DAY)
    listen(client, receiver, "payment_intent.amount_capturable_updated")
    answers = iter([500])
    receiver.answer = lambda event: next(answers, 200)
    held = manual_card(client)
    receiver.wait(lambda: [s for _, s in receiver.requests] == [500, 200], timeout=20)
    deadline = time.monotonic() + 20
    while client.v1.payment_intents.retrieve(held.id).status != "canceled":
        assert time.monotonic() < deadline, "the authorization did not expire on time"
        time.sleep(0.2)
    canceled = client.v1.payment_intents.retrieve(held.id)
    assert held.created + 3 <= canceled.canceled_at <= held.created + 20


def test_an_attempt_in_flight_when_the_clock_moves_is_made_at_its_time(
    server: ServerProcess, api_key: str, receiver: Receiver
) -> None:
    """A delivery a dispatcher is sending when an advance starts: the clock waits for its
    outcome, so its retry falls due one minute later on the account's clock, within an
    advance of 61 seconds."""
    client = make_client(server, api_key)
    listen(client, receiver, "customer.created")
    answers = iter([500])
    receiver.answer = lambda event: next(answers, 200)
    receiver.delay = 1.5
    client.v1.customers.create()
    scope = f"{account_for(api_key.split('_', 2)[2])}/test"
    deadline = time.monotonic() + 20
    claimed = (
        "SELECT COUNT(*) FROM webhook_deliveries "
        f"WHERE event_scope = '{scope}' AND claim IS NOT NULL"
    )
    while query(server.database or "", claimed)[0][0] == 0:
        assert time.monotonic() < deadline, "the dispatcher did not take the delivery"
        time.sleep(0.02)
    advance(server, api_key, seconds=61)
    assert [status for _, status in receiver.requests] == [500, 200]
