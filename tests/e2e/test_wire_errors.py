"""Bad input over raw HTTP: Stripe's status, type, code, param and message; nothing changes."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import error, new_key, publishable
from tests.http_client import HTTP
from tests.server import ServerProcess


def call(
    server, method: str, path: str, body: Any = None, key: str | None = None, **kw: Any
) -> httpx.Response:
    headers = dict(kw.pop("headers", {}))
    if key is not False:
        headers.setdefault("Authorization", f"Bearer {key or KEY}")
    return HTTP.request(method, server.url + path, content=body, headers=headers, **kw)


KEY = new_key()
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def count(server) -> int:
    return len(call(server, "GET", "/v1/payment_intents?limit=100").json()["data"])


@pytest.mark.parametrize(
    ("body", "status", "code", "param", "message"),
    [
        ("currency=usd", 400, "parameter_missing", "amount", "Missing required param: amount."),
        ("amount=100", 400, "parameter_missing", "currency", "Missing required param: currency."),
        (
            "amount=abc&currency=usd",
            400,
            "parameter_invalid_integer",
            "amount",
            "Invalid integer: abc",
        ),
        (
            "amount=0&currency=usd",
            400,
            "parameter_invalid_integer",
            "amount",
            "This value must be greater than or equal to 1.",
        ),
        (
            "amount=-5&currency=usd",
            400,
            "parameter_invalid_integer",
            "amount",
            "This value must be greater than or equal to 1.",
        ),
        (
            "amount=10&currency=usd",
            400,
            "amount_too_small",
            "amount",
            "Amount must be at least $0.50 usd",
        ),
        (
            "amount=100000000&currency=usd",
            400,
            "amount_too_large",
            "amount",
            "Amount must be no more than $999,999.99",
        ),
        (
            "amount=100&currency=usd&foo=bar",
            400,
            "parameter_unknown",
            "foo",
            "Received unknown parameter: foo",
        ),
        (
            "amount=100&currency=usd&foo=1&bar=2",
            400,
            "parameter_unknown",
            "foo",
            "Received unknown parameters: foo, bar",
        ),
        (
            "amount=100&currency=usd&shipping[name]=J&shipping[address][city]=X&shipping[foo]=1",
            400,
            "parameter_unknown",
            "shipping[foo]",
            "Received unknown parameter: shipping[foo]",
        ),
        (
            "amount=100&currency=usd&description=",
            400,
            "parameter_invalid_empty",
            "description",
            "You passed an empty string for 'description'. We assume empty values are an attempt "
            "to unset a parameter; however 'description' cannot be unset. You should remove "
            "'description' from your request or supply a non-empty value.",
        ),
        # Stripe takes true/True and false/False; `1` it refuses (it answers "Invalid boolean: 1").
        ("amount=100&currency=usd&confirm=1", 400, None, "confirm", "Invalid boolean: 1"),
        ("amount=100&currency=usd&confirm=TRUE", 400, None, "confirm", "Invalid boolean: TRUE"),
        (
            "amount=100&currency=usd&capture_method=later",
            400,
            None,
            "capture_method",
            "Invalid capture_method: must be one of automatic, automatic_async, or manual",
        ),
        (
            "amount=100&currency=usd&payment_method_types[1]=card",
            400,
            None,
            "payment_method_types",
            "If passing an array with explicit keys (e.g. foo[0]=a&foo[1]=b) instead of as an "
            "array (e.g. foo[]=a&foo[]=b), the keys must be numeric and sequential starting from "
            "0. You passed the keys `1`, we expected to have a key with the value `0`.",
        ),
        (
            "amount=100&currency=usd&payment_method_types[]=cash",
            400,
            None,
            "payment_method_types[0]",
            None,
        ),
        (
            "amount=100&currency=usd&statement_descriptor=" + "A" * 23,
            400,
            None,
            "statement_descriptor",
            "The statement descriptor must be at most 22 characters. " + "A" * 23 + " is 23 "
            "characters long.",
        ),
        (
            "amount=100&currency=usd&statement_descriptor_suffix=ABCDEFGHIJKLMNOPQRSTUVWXYZ1234",
            400,
            None,
            "statement_descriptor_suffix",
            "Invalid string: ABCDEFGHIJ...UVWXYZ1234; must be at most 22 characters",
        ),
        (
            "amount=100&currency=usd&description=" + "d" * 1000 + "X",
            400,
            None,
            "description",
            "Invalid string: dddddddddd...dddddddddX; must be at most 1000 characters",
        ),
        (
            "amount=100&currency=usd&shipping[address][city]=Paris",
            400,
            "parameter_missing",
            "shipping[name]",
            "Missing required param: shipping[name].",
        ),
        (
            "amount=100&currency=usd&shipping[name]=Jenny",
            400,
            "parameter_missing",
            "shipping[address]",
            "Missing required param: shipping[address].",
        ),
        (
            "amount=100&currency=usd&statement_descriptor=12345",
            400,
            None,
            "statement_descriptor",
            "The statement descriptor must contain at least one letter.",
        ),
        (
            "amount=100&currency=usd&receipt_email=not-an-email",
            400,
            "email_invalid",
            "receipt_email",
            "Invalid email address: not-an-email",
        ),
        (
            "amount=100&currency=usd&setup_future_usage=sometimes",
            400,
            None,
            "setup_future_usage",
            "Invalid setup_future_usage: must be one of off_session or on_session",
        ),
        (
            "amount=100&currency=usd&confirmation_method=maybe",
            400,
            None,
            "confirmation_method",
            "Invalid confirmation_method: must be one of automatic or manual",
        ),
        (
            "amount=100&currency=usd&automatic_payment_methods[allow_redirects]=never",
            400,
            "parameter_missing",
            "automatic_payment_methods[enabled]",
            "Missing required param: automatic_payment_methods[enabled].",
        ),
        (
            "amount=100&currency=usd&customer=cus_nope",
            404,
            "resource_missing",
            "customer",
            "No such customer: 'cus_nope'",
        ),
        (
            "amount=100&currency=usd&payment_method=pm_nope",
            404,
            "resource_missing",
            "payment_method",
            "No such PaymentMethod: 'pm_nope'",
        ),
        (
            "amount=100&currency=usd&metadata[" + "k" * 41 + "]=v",
            400,
            None,
            "metadata[" + "k" * 41 + "]",
            None,
        ),
        (
            "amount=100&currency=usd&metadata[k]=" + "v" * 501,
            400,
            None,
            "metadata[k]",
            "Metadata values can have up to 500 characters, but you passed in a value that is 501 "
            "characters. Invalid value: " + "v" * 100,
        ),
        (
            "amount=100&currency=usd&" + "&".join(f"metadata[k{i}]=v" for i in range(51)),
            400,
            None,
            "metadata",
            None,
        ),
    ],
)
def test_create_rejects(server, body, status, code, param, message) -> None:
    before = count(server)
    resp = call(server, "POST", "/v1/payment_intents", body, headers=dict(FORM))
    assert resp.status_code == status, resp.text
    err = error(resp)
    assert err["type"] == "invalid_request_error"
    assert err.get("code") == code
    assert err.get("param") == param
    if message is not None:
        assert err["message"] == message
    if code:
        assert err["doc_url"] == "https://stripe.com/docs/error-codes/" + code.replace("_", "-")
    # Stripe's points at its dashboard, which shows nothing of a request made here.
    assert "request_log_url" not in err
    assert resp.headers["request-id"].startswith("req_")
    assert count(server) == before


def test_invalid_currency_lists_supported(server) -> None:
    resp = call(server, "POST", "/v1/payment_intents", "amount=100&currency=xyz", headers=FORM)
    err = error(resp)
    assert resp.status_code == 400
    assert err["param"] == "currency"
    assert err["message"].startswith(
        "Invalid currency: xyz. Stripe currently supports these currencies: usd, "
    )


def test_json_body_rejected(server) -> None:
    resp = call(
        server,
        "POST",
        "/v1/payment_intents",
        b'{"amount": 100, "currency": "usd"}',
        headers={"Content-Type": "application/json"},
    )
    assert resp.status_code == 400
    assert error(resp)["type"] == "invalid_request_error"
    assert "application/x-www-form-urlencoded" in error(resp)["message"]


def test_malformed_bodies_never_500(server) -> None:
    for body in [b"%ff%fe=1", b"amount[=1", b"a[b]=1&a=2", b"&&&", b"amount=1%", b"\xff\xfe"]:
        resp = call(server, "POST", "/v1/payment_intents", body, headers=FORM)
        assert resp.status_code == 400, (body, resp.text)
        assert error(resp)["type"] == "invalid_request_error"


def test_unknown_resource_and_url(server) -> None:
    resp = call(server, "GET", "/v1/payment_intents/pi_123")
    assert resp.status_code == 404
    err = error(resp)
    assert (err["type"], err["code"], err["param"], err["message"]) == (
        "invalid_request_error",
        "resource_missing",
        "intent",
        "No such payment_intent: 'pi_123'",
    )
    assert err["doc_url"] == "https://stripe.com/docs/error-codes/resource-missing"
    resp = call(server, "GET", "/v1/payment_intents/pi_123_secret_abc")
    assert resp.status_code == 404
    assert error(resp)["message"].startswith("You passed a string that looks like a client secret")
    resp = call(server, "GET", "/v1/nothing_here")
    assert resp.status_code == 404
    assert error(resp)["message"].startswith("Unrecognized request URL (GET: /v1/nothing_here).")


def test_authentication(server) -> None:
    resp = call(server, "GET", "/v1/payment_intents", key=False)
    assert resp.status_code == 401
    assert error(resp)["message"].startswith("You did not provide an API key.")
    resp = call(server, "GET", "/v1/payment_intents", key="sk_test_bad key!1234")
    assert resp.status_code == 401
    assert error(resp)["message"] == "Invalid API Key provided: sk_test_********1234"
    assert "code" not in error(resp)
    resp = call(server, "GET", "/v1/payment_intents", key="nonsense_key_1234")
    assert error(resp)["message"] == "Invalid API Key provided: nonsense*****1234"
    # HTTP Basic with the key as user name, as curl -u sends it.
    basic = base64.b64encode(f"{KEY}:".encode()).decode()
    resp = call(
        server, "GET", "/v1/payment_intents", key=False, headers={"Authorization": f"Basic {basic}"}
    )
    assert resp.status_code == 200
    # A publishable key is refused on secret-key endpoints.
    resp = call(server, "GET", "/v1/payment_intents", key=publishable(KEY))
    assert resp.status_code == 403
    assert error(resp)["code"] == "secret_key_required"


def test_livemode_follows_key(server) -> None:
    live = "sk_live_" + KEY[8:]
    resp = call(
        server, "POST", "/v1/payment_intents", "amount=100&currency=usd", key=live, headers=FORM
    )
    assert resp.status_code == 200
    pi = resp.json()
    assert pi["livemode"] is True
    # Test-mode keys of the same account do not see live objects.
    assert call(server, "GET", f"/v1/payment_intents/{pi['id']}").status_code == 404


def test_api_version_header(server) -> None:
    # A request that names no version is answered in the server's default one.
    resp = call(server, "GET", "/v1/payment_intents")
    assert resp.headers["stripe-version"] == "2026-10-28.endive"
    resp = call(server, "GET", "/v1/payment_intents", headers={"Stripe-Version": "2024-06-20"})
    assert resp.headers["stripe-version"] == "2024-06-20"
    resp = call(server, "GET", "/v1/payment_intents", headers={"Stripe-Version": "yesterday"})
    assert resp.status_code == 400
    assert error(resp)["message"] == "Invalid Stripe API version: yesterday"


def test_list_parameter_errors(server) -> None:
    for query, code, param in [
        ("limit=0", "parameter_invalid_integer", "limit"),
        ("limit=101", "parameter_invalid_integer", "limit"),
        ("starting_after=pi_nope", "resource_missing", "starting_after"),
        ("starting_after=pi_a&ending_before=pi_b", "parameters_exclusive", "ending_before"),
        ("created[gt]=abc", "parameter_invalid_integer", "created[gt]"),
    ]:
        resp = call(server, "GET", f"/v1/payment_intents?{query}")
        assert resp.status_code in (400, 404), query
        err = error(resp)
        assert (err.get("code"), err.get("param")) == (code, param), (query, err)


def test_update_rejections_change_nothing(server) -> None:
    pi = call(
        server, "POST", "/v1/payment_intents", "amount=100&currency=usd&metadata[a]=1", headers=FORM
    ).json()
    for body, param in [
        ("amount=abc", "amount"),
        ("bogus=1", "bogus"),
        ("currency=zzz", "currency"),
        ("metadata[k]=" + "x" * 501, "metadata[k]"),
    ]:
        resp = call(server, "POST", f"/v1/payment_intents/{pi['id']}", body, headers=FORM)
        assert resp.status_code == 400
        assert error(resp)["param"] == param
    assert call(server, "GET", f"/v1/payment_intents/{pi['id']}").json() == pi


def test_strict_keys(own_database: str, tmp_path: Path) -> None:
    good = new_key()
    keys = tmp_path / "keys.txt"
    keys.write_text(f"# allowed\n{good}\n")
    proc = ServerProcess(
        own_database, "--keys-file", str(keys), log_path=tmp_path / "server.log"
    ).start()
    try:
        assert call(proc, "GET", "/v1/payment_intents", key=good).status_code == 200
        resp = call(proc, "GET", "/v1/payment_intents", key=new_key())
        assert resp.status_code == 401
        assert error(resp)["message"].startswith("Invalid API Key provided: sk_test_")
    finally:
        proc.stop()
