"""Bad-input catalogue over raw HTTP: each gets Stripe's error and nothing changes."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

import httpx
import pytest

from tests.conftest import new_key

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
CREATE = b"amount=100&currency=usd"


def call(server, method: str, path: str, key: str, body: bytes | None = None) -> httpx.Response:
    headers = {**FORM, "Authorization": f"Bearer {key}"}
    return httpx.request(method, server.url + path, content=body, headers=headers, timeout=30)


def state(server, key: str) -> tuple[list[dict[str, Any]], int]:
    """The account's intents and event count: what a rejected request must leave alone."""
    intents = call(server, "GET", "/v1/payment_intents?limit=100", key).json()["data"]
    events = call(server, "GET", "/v1/events?limit=100", key).json()["data"]
    return intents, len(events)


def _metadata(n: int) -> bytes:
    return "&".join(f"metadata[k{i}]=v" for i in range(n)).encode()


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code", "param", "message"),
    [
        (
            "POST", "/v1/payment_intents", CREATE + b"&description=" + b"x" * 1_000_000,
            413, None, None, "Request body too large: the limit is 1000000 bytes.",
        ),
        (
            "POST", "/v1/payment_intents", CREATE + b"&metadata" + b"[a]" * 20 + b"=1",
            400, None, "metadata",
            "Invalid request: parameter metadata is nested deeper than 12 levels.",
        ),
        (
            "POST", "/v1/payment_intents", CREATE + b"&" + _metadata(10_000),
            400, None, None, "Invalid request: too many parameters (at most 10000).",
        ),
        (
            "POST", "/v1/payment_intents", CREATE + b"&description=\xff\xfe",
            400, None, None, "Invalid request: the body is not valid UTF-8.",
        ),
        (
            "POST", "/v1/payment_intents", CREATE + b"&description=%FF",
            400, None, None,
            "Invalid request: a parameter is not valid UTF-8 once percent-decoded.",
        ),
        (
            "GET", "/v1/payment_intents?limit=%FF", None, 400, None, None,
            "Invalid request: a parameter is not valid UTF-8 once percent-decoded.",
        ),
        (
            "POST", "/v1/payment_intents", b"amount=" + str(10**30).encode() + b"&currency=usd",
            400, "amount_too_large", "amount", "Amount must be no more than $999,999.99",
        ),
        (
            "POST", "/v1/payment_intents", b"amount=-5&currency=usd",
            400, "parameter_invalid_integer", "amount",
            "This value must be greater than or equal to 1.",
        ),
        (
            "POST", "/v1/payment_intents", b"amount=0&currency=usd",
            400, "parameter_invalid_integer", "amount",
            "This value must be greater than or equal to 1.",
        ),
        (
            "GET", "/v1/payment_intents/ch_3abc", None, 404, "resource_missing", "intent",
            "No such payment_intent: 'ch_3abc'",
        ),
        (
            "POST", "/v1/payment_intents/ch_3abc/capture", b"", 404, "resource_missing",
            "intent", "No such payment_intent: 'ch_3abc'",
        ),
    ],
)  # fmt: skip
def test_bad_input_is_a_stripe_error_and_changes_nothing(
    server, method, path, body, status, code, param, message
) -> None:
    key = new_key()
    call(server, "POST", "/v1/payment_intents", key, CREATE)
    before = state(server, key)
    resp = call(server, method, path, key, body)
    assert resp.status_code == status
    err = resp.json()["error"]
    assert err["type"] == "invalid_request_error"
    assert err.get("code") == code
    assert err.get("param") == param
    assert err["message"] == message
    assert state(server, key) == before


def test_unknown_currency(server) -> None:
    key = new_key()
    resp = call(server, "POST", "/v1/payment_intents", key, b"amount=100&currency=xyz")
    assert resp.status_code == 400
    assert resp.json()["error"]["message"].startswith(
        "Invalid currency: xyz. Stripe currently supports these currencies: usd, aed,"
    )
    assert state(server, key) == ([], 0)


def test_another_accounts_intent_is_missing(server) -> None:
    owner, other = new_key(), new_key()
    pi = call(server, "POST", "/v1/payment_intents", owner, CREATE).json()
    before = state(server, owner)
    for method, path, body in [
        ("GET", f"/v1/payment_intents/{pi['id']}", None),
        ("POST", f"/v1/payment_intents/{pi['id']}/confirm", b"payment_method=pm_card_visa"),
        ("POST", f"/v1/payment_intents/{pi['id']}/cancel", b""),
        ("POST", f"/v1/payment_intents/{pi['id']}", b"description=stolen"),
    ]:
        resp = call(server, method, path, other, body)
        assert resp.status_code == 404
        err = resp.json()["error"]
        assert (err["code"], err["param"]) == ("resource_missing", "intent")
        assert err["message"] == f"No such payment_intent: '{pi['id']}'"
    assert state(server, owner) == before
    assert state(server, other) == ([], 0)


EVIL = "'; DROP TABLE records; -- <script>alert(1)</script> \" & % \\ \x00?"


def test_metacharacters_are_stored_verbatim(server) -> None:
    key = new_key()
    fields = {
        "description": EVIL,
        "metadata[k' OR 1=1 --]": EVIL,
        "shipping[name]": EVIL,
        "shipping[address][line1]": EVIL,
        "shipping[address][city]": "<b>&amp;</b>",
    }
    body = (
        CREATE
        + b"&"
        + "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in fields.items()).encode()
    )
    created = call(server, "POST", "/v1/payment_intents", key, body)
    assert created.status_code == 200, created.text
    fetched = call(server, "GET", f"/v1/payment_intents/{created.json()['id']}", key).json()
    for pi in (created.json(), fetched):
        assert pi["description"] == EVIL
        assert pi["metadata"] == {"k' OR 1=1 --": EVIL}
        assert pi["shipping"]["name"] == EVIL
        assert pi["shipping"]["address"]["line1"] == EVIL
        assert pi["shipping"]["address"]["city"] == "<b>&amp;</b>"


def test_three_d_secure_page_escapes_what_it_echoes(server) -> None:
    key = new_key()
    body = CREATE + b"&confirm=true&payment_method=pm_card_authenticationRequired"
    body += b"&return_url=https%3A%2F%2Fshop.example%2Fdone"
    pi = call(server, "POST", "/v1/payment_intents", key, body).json()
    url = pi["next_action"]["redirect_to_url"]["url"]
    page = httpx.get(url + "&merchant=" + quote_plus(EVIL), timeout=30)
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
