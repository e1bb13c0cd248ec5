"""Fault rules (/_payintents/faults) on both stores, through the official SDK: an SDK with
retries rides through an injected 500 and a lost answer with exactly one charge, errors carry
Stripe's bodies and Stripe-Should-Retry, latency delays, webhook deliveries fail, time out,
arrive twice or out of order."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import stripe

from tests.conftest import make_client, new_key, query
from tests.controls import advance, call, fault, ok, refused, retrying_client
from tests.http_client import HTTP
from tests.receiver import Receiver
from tests.server import ServerProcess

INTERNAL = (
    "An unknown error occurred while processing your request. The error has been logged; "
    "please retry the request."
)
INJECTED_ATTEMPT = "a fault rule of the account (POST /_payintents/faults)"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def pay(client: stripe.StripeClient, **params: Any) -> stripe.PaymentIntent:
    return client.v1.payment_intents.create(
        params={
            "amount": 2000,
            "currency": "usd",
            "payment_method_types": ["card"],
            "payment_method": "pm_card_visa",
            "confirm": True,
            **params,
        }
    )


def rules(server: ServerProcess, key: str) -> list[dict[str, Any]]:
    return ok(call(server, key, "GET", "/faults"))["data"]


def post_intent(server: ServerProcess, key: str) -> httpx.Response:
    return HTTP.post(
        server.url + "/v1/payment_intents",
        data={"amount": "1000", "currency": "usd"},
        auth=(key, ""),
        timeout=30,
    )


def test_the_sdk_rides_through_an_injected_500(server: ServerProcess, api_key: str) -> None:
    made = fault(server, api_key, method="POST", path="/v1/payment_intents*", status=500)
    assert made["id"].startswith("flt_")
    assert {k: v for k, v in made.items() if k not in ("id", "created")} == {
        "object": "payintents.fault_rule",
        "target": "request",
        "mode": "error",
        "method": "POST",
        "path": "/v1/payment_intents*",
        "status": 500,
        "error": {"type": "api_error", "code": None, "message": INTERNAL},
        "count": 1,
        "matched": 0,
        "remaining": 1,
    }
    client = retrying_client(server, api_key)
    paid = pay(client)
    assert paid.status == "succeeded"
    plain = make_client(server, api_key)
    assert [p.id for p in plain.v1.payment_intents.list().data] == [paid.id]
    assert len(plain.v1.charges.list().data) == 1
    (rule,) = rules(server, api_key)
    assert (rule["matched"], rule["remaining"]) == (1, 0)

    # What the SDK saw first: Stripe's 500 body, no Stripe-Should-Retry (the SDKs retry a
    # 5xx by its status), nothing done.
    fault(server, api_key, method="POST", path="/v1/payment_intents", status=500)
    resp = post_intent(server, api_key)
    refused(resp, 500, message=INTERNAL, type="api_error")
    assert "stripe-should-retry" not in resp.headers
    assert len(plain.v1.payment_intents.list().data) == 1
    # The rule is spent: the next request runs.
    assert post_intent(server, api_key).status_code == 200


def test_an_answer_lost_after_commit_charges_once(server: ServerProcess, api_key: str) -> None:
    fault(server, api_key, method="POST", path="/v1/payment_intents", mode="drop_after_commit")
    client = retrying_client(server, api_key)
    paid = pay(client)
    assert paid.status == "succeeded"
    # The retry was answered from the idempotency key: the payment ran once.
    assert paid.last_response.headers["idempotent-replayed"] == "true"
    plain = make_client(server, api_key)
    assert [p.id for p in plain.v1.payment_intents.list().data] == [paid.id]
    charges = plain.v1.charges.list().data
    assert [(c.payment_intent, c.amount) for c in charges] == [(paid.id, 2000)]

    # Without retries the SDK sees a connection error (not a 500), and the payment is made.
    fault(server, api_key, method="POST", path="/v1/payment_intents", mode="drop_after_commit")
    with pytest.raises(stripe.APIConnectionError):
        pay(plain)
    made = plain.v1.payment_intents.list().data
    assert len(made) == 2 and made[0].status == "succeeded"
    assert [r["matched"] for r in rules(server, api_key)] == [1, 1]


def test_latency(server: ServerProcess, api_key: str) -> None:
    client = make_client(server, api_key)
    fault(server, api_key, method="GET", path="/v1/customers", delay_ms=1500, count=2)
    for _ in range(2):
        started = time.monotonic()
        client.v1.customers.list()
        assert time.monotonic() - started >= 1.5
    started = time.monotonic()
    client.v1.customers.list()
    assert time.monotonic() - started < 1.4
    # A client that gives up first sees a timeout; the request still runs.
    fault(server, api_key, method="POST", path="/v1/customers", delay_ms=2500)
    impatient = stripe.StripeClient(
        api_key=api_key,
        base_addresses={"api": server.url},
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=0.5),
    )
    with pytest.raises(stripe.APIConnectionError):
        impatient.v1.customers.create(params={"name": "Late"})
    deadline = time.monotonic() + 20
    while not client.v1.customers.list().data:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert [c.name for c in client.v1.customers.list().data] == ["Late"]


def test_rate_limits_lock_timeouts_and_declines(server: ServerProcess, api_key: str) -> None:
    client = retrying_client(server, api_key)
    # A lock timeout says Stripe-Should-Retry: true, and the SDK retries it.
    fault(server, api_key, method="POST", path="/v1/customers", status=429, code="lock_timeout")
    assert client.v1.customers.create().object == "customer"
    # A rate limit is not retried by the SDK (Stripe-Should-Retry: false).
    fault(server, api_key, method="POST", path="/v1/customers", status=429, count=3)
    with pytest.raises(stripe.RateLimitError) as err:
        client.v1.customers.create()
    assert (err.value.http_status, err.value.error.code) == (429, "rate_limit")
    assert err.value.user_message == (
        "Request rate limit exceeded. Learn more about rate limits here "
        "https://stripe.com/docs/rate-limits."
    )
    assert err.value.headers["stripe-should-retry"] == "false"
    assert [(r["matched"], r["remaining"]) for r in rules(server, api_key)] == [(1, 0), (1, 2)]
    ok(call(server, api_key, "DELETE", "/faults"))

    fault(server, api_key, method="POST", path="/v1/customers", status=429, code="lock_timeout")
    resp = HTTP.post(server.url + "/v1/customers", auth=(api_key, ""), timeout=30)
    assert resp.status_code == 429
    assert resp.headers["stripe-should-retry"] == "true"
    assert resp.headers.get_list("stripe-should-retry") == ["true"]
    body = resp.json()["error"]
    assert (body["code"], body["type"]) == ("lock_timeout", "invalid_request_error")
    assert body["message"].startswith("This object cannot be accessed right now because")

    fault(server, api_key, method="POST", path="/v1/payment_intents", status=402)
    with pytest.raises(stripe.CardError) as declined:
        pay(client)
    e = declined.value
    assert (e.http_status, e.code, e.error.decline_code, e.user_message) == (
        402,
        "card_declined",
        "generic_decline",
        "Your card was declined.",
    )
    assert e.error.type == "card_error"
    # The error's fields can be chosen.
    fault(
        server,
        api_key,
        method="POST",
        path="/v1/payment_intents",
        status=402,
        code="expired_card",
        message="Your card has expired.",
        decline_code="expired_card",
    )
    with pytest.raises(stripe.CardError) as expired:
        pay(client)
    assert (expired.value.code, expired.value.user_message) == (
        "expired_card",
        "Your card has expired.",
    )
    assert make_client(server, api_key).v1.payment_intents.list().data == []


def test_rules_match_their_method_and_path_and_account(server: ServerProcess, api_key: str) -> None:
    client = make_client(server, api_key)
    other = make_client(server, new_key())
    customer = client.v1.customers.create()
    fault(server, api_key, method="GET", path="/v1/customers/*", status=404)
    client.v1.customers.list()  # /v1/customers: not matched
    client.v1.customers.update(customer.id, params={"name": "x"})  # a POST: not matched
    other.v1.customers.list()
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.customers.retrieve(customer.id)
    assert err.value.http_status == 404
    assert client.v1.customers.retrieve(customer.id).name == "x"

    listed = ok(call(server, api_key, "GET", "/faults"))
    assert (listed["object"], listed["url"], listed["has_more"]) == (
        "list",
        "/_payintents/faults",
        False,
    )
    cleared = ok(call(server, api_key, "DELETE", "/faults"))
    assert cleared == {"object": "payintents.faults_cleared", "deleted": 1, "released": 0}
    assert rules(server, api_key) == []


def test_refused_fault_rules(server: ServerProcess, api_key: str) -> None:
    def post(**params: Any) -> httpx.Response:
        return call(server, api_key, "POST", "/faults", **params)

    refused(
        post(mode="explode"),
        400,
        message="Invalid mode: must be one of error, latency, drop_after_commit, fail, timeout, "
        "duplicate, or hold",
        param="mode",
        type="invalid_request_error",
    )
    refused(
        post(mode="hold"),
        400,
        message="Invalid mode: hold applies to a webhook delivery (webhook_endpoint); without "
        "webhook_endpoint, mode must be one of error, latency, drop_after_commit.",
        param="mode",
        type="invalid_request_error",
    )
    refused(
        post(path="/v1/x"),
        400,
        code="parameter_missing",
        doc_url="https://stripe.com/docs/error-codes/parameter-missing",
        message="Missing required param: mode.",
        param="mode",
        type="invalid_request_error",
    )
    refused(
        post(mode="error"),
        400,
        code="parameter_missing",
        doc_url="https://stripe.com/docs/error-codes/parameter-missing",
        message="Missing required param: status.",
        param="status",
        type="invalid_request_error",
    )
    refused(
        post(status=418),
        400,
        message="Invalid status: a fault rule answers one of 400, 401, 402, 403, 404, 409, 429, "
        "500, 502, 503, 504.",
        param="status",
        type="invalid_request_error",
    )
    refused(
        post(mode="latency", delay_ms=10, status=500),
        400,
        message="Invalid status: mode latency takes no status.",
        param="status",
        type="invalid_request_error",
    )
    refused(
        post(status=500, path="v1/x"),
        400,
        message="Invalid path: a glob of request paths, such as /v1/payment_intents*.",
        param="path",
        type="invalid_request_error",
    )
    refused(
        post(status=500, count=0),
        400,
        code="parameter_invalid_integer",
        doc_url="https://stripe.com/docs/error-codes/parameter-invalid-integer",
        message="This value must be greater than or equal to 1.",
        param="count",
        type="invalid_request_error",
    )
    refused(
        post(method="PUT", status=500),
        400,
        message="Invalid method: must be one of *, GET, POST, or DELETE",
        param="method",
        type="invalid_request_error",
    )
    refused(
        post(webhook_endpoint="we_nope", mode="fail"),
        404,
        code="resource_missing",
        doc_url="https://stripe.com/docs/error-codes/resource-missing",
        message="No such webhook endpoint: 'we_nope'",
        param="webhook_endpoint",
        type="invalid_request_error",
    )
    assert rules(server, api_key) == []


# -- webhook deliveries -------------------------------------------------------------------


def listen(client: stripe.StripeClient, receiver: Receiver, *events: str) -> str:
    endpoint = client.v1.webhook_endpoints.create(
        params={"url": receiver.url, "enabled_events": list(events)}
    )
    receiver.secret = endpoint.secret
    return endpoint.id


def attempts(server: ServerProcess, event_id: str) -> list[tuple[Any, Any]]:
    return query(
        server.database or "",
        "SELECT status_code, error FROM webhook_attempts "
        f"WHERE event_id = '{event_id}' ORDER BY id",
    )


def test_deliveries_that_fail_twice_arrive_on_the_retry_after_advance(
    server: ServerProcess, api_key: str, receiver: Receiver
) -> None:
    client = make_client(server, api_key)
    endpoint = listen(client, receiver, "customer.created")
    made = fault(server, api_key, webhook_endpoint=endpoint, mode="fail", count=2)
    assert (made["target"], made["status"], made["webhook_endpoint"]) == (
        "webhook",
        500,
        endpoint,
    )
    client.v1.customers.create()
    (event,) = client.v1.events.list().data
    # Retries come 1 and then 5 more minutes later (the default schedule).
    advance(server, api_key, seconds=61)
    assert receiver.requests == []
    advance(server, api_key, seconds=300)
    assert [e["id"] for e, _ in receiver.requests] == [event.id]
    assert attempts(server, event.id) == [
        (500, f"HTTP 500: {INJECTED_ATTEMPT}"),
        (500, f"HTTP 500: {INJECTED_ATTEMPT}"),
        (200, None),
    ]
    (rule,) = rules(server, api_key)
    assert (rule["matched"], rule["remaining"]) == (2, 0)


def test_deliveries_time_out_arrive_twice_and_out_of_order(
    server: ServerProcess, api_key: str, receiver: Receiver
) -> None:
    client = make_client(server, api_key)
    endpoint = listen(client, receiver, "customer.created")

    fault(server, api_key, webhook_endpoint=endpoint, mode="timeout")
    client.v1.customers.create()
    (timed_out,) = client.v1.events.list().data
    advance(server, api_key, seconds=61)
    assert attempts(server, timed_out.id) == [(None, f"timed out: {INJECTED_ATTEMPT}"), (200, None)]

    fault(server, api_key, webhook_endpoint=endpoint, mode="duplicate")
    client.v1.customers.create()
    twice = client.v1.events.list().data[0]
    advance(server, api_key, seconds=1)
    assert receiver.attempts()[twice.id] == 2

    fault(server, api_key, webhook_endpoint=endpoint, mode="hold", count=3)
    for name in ("first", "second", "third"):
        client.v1.customers.create(params={"name": name})
        advance(server, api_key, seconds=1)
    held = [e["data"]["object"].get("name") for e, _ in receiver.requests[3:]]
    # Held until the third, then released newest first.
    assert held == ["third", "second", "first"]
    assert [r["mode"] for r in rules(server, api_key)] == ["timeout", "duplicate", "hold"]
    assert all(r["remaining"] == 0 for r in rules(server, api_key))


def test_clearing_rules_releases_held_deliveries(
    server: ServerProcess, api_key: str, receiver: Receiver
) -> None:
    client = make_client(server, api_key)
    endpoint = listen(client, receiver, "customer.created")
    fault(server, api_key, webhook_endpoint=endpoint, mode="hold", count=5)
    client.v1.customers.create()
    advance(server, api_key, seconds=1)
    assert receiver.requests == []
    (event,) = client.v1.events.list().data
    assert client.v1.events.retrieve(event.id).pending_webhooks == 1
    cleared = ok(call(server, api_key, "DELETE", "/faults"))
    assert cleared == {"object": "payintents.faults_cleared", "deleted": 1, "released": 1}
    advance(server, api_key, seconds=1)
    assert [e["id"] for e, _ in receiver.requests] == [event.id]
