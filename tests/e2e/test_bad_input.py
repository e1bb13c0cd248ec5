"""Bad-input catalogue over raw HTTP: each gets Stripe's error and nothing changes."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import orjson
import pytest

from tests.conftest import new_key
from tests.http_client import HTTP

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
CREATE = b"amount=100&currency=usd"


def call(server, method: str, path: str, key: str, body: bytes | None = None) -> httpx.Response:
    headers = {**FORM, "Authorization": f"Bearer {key}"}
    return HTTP.request(method, server.url + path, content=body, headers=headers, timeout=30)


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
            "POST", "/v1/payment_intents", b"amount=" + str(10**12).encode() + b"&currency=usd",
            400, "amount_too_large", "amount", "Amount must be no more than $999,999.99",
        ),
        (
            "POST", "/v1/payment_intents", b"amount=" + str(10**30).encode() + b"&currency=usd",
            400, "parameter_invalid_integer", "amount", f"Invalid integer: {10**30}",
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


@pytest.mark.parametrize(
    "path",
    ["/v1/payment_intents", "/v1/test_helpers/customers/{customer}/fund_cash_balance"],
)
@pytest.mark.parametrize("currency", ["xyz", "XYZ", "usdx", "u"])
def test_unknown_currency(server, path: str, currency: str) -> None:
    key = new_key()
    customer = call(server, "POST", "/v1/customers", key, b"").json()["id"]
    before = account(server, key)
    body = form({"amount": "100", "currency": currency})
    resp = call(server, "POST", path.format(customer=customer), key, body)
    assert resp.status_code == 400
    err = resp.json()["error"]
    assert (err["type"], err.get("code"), err["param"]) == (
        "invalid_request_error",
        None,
        "currency",
    )
    assert err["message"].startswith(
        f"Invalid currency: {currency.lower()}. Stripe currently supports these currencies: "
        "usd, aed,"
    )
    assert err["message"].endswith(", yer, zar, zmw")
    assert account(server, key) == before


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


# No NUL: strings with one are refused (test_headers_and_nul.py).
EVIL = "'; DROP TABLE records; -- <script>alert(1)</script> \" & % \\ \x01?"


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
    page = HTTP.get(url + "&merchant=" + quote_plus(EVIL), timeout=30)
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


# -- integers ---------------------------------------------------------------------------------

# Past the 64-bit range, or not written as a plain decimal integer: no integer at all.
NOT_INTEGERS = [str(10**30), str(2**63), str(-(2**63) - 1), "1e5", "0x10", " 5", "5.0"]


def confirmed(server, key: str, **params: str) -> dict[str, Any]:
    body = {"amount": "1000", "currency": "usd", "payment_method": "pm_card_visa"}
    body |= {"confirm": "true", "payment_method_types[]": "card", **params}
    return call(server, "POST", "/v1/payment_intents", key, form(body)).json()


def form(fields: dict[str, str]) -> bytes:
    return "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in fields.items()).encode()


def account(server, key: str) -> dict[str, Any]:
    """Every listable object of the account by id, and its event count."""
    objects: dict[str, Any] = {}
    for kind in ("payment_intents", "charges", "refunds", "customers", "webhook_endpoints"):
        resp = call(server, "GET", f"/v1/{kind}?limit=100", key)
        objects |= {obj["id"]: obj for obj in resp.json()["data"]}
    return {"objects": objects, "events": state(server, key)[1]}


@pytest.fixture(scope="module")
def payments(server) -> dict[str, str]:
    """An account with an authorized and a paid intent (module-wide: each test's request is
    refused, so it leaves them as they are)."""
    key = new_key()
    held = confirmed(server, key, capture_method="manual")
    paid = confirmed(server, key)
    assert (held["status"], paid["status"]) == ("requires_capture", "succeeded")
    return {"key": key, "held": held["id"], "paid": paid["id"]}


INTEGER_PARAMS = {
    "amount_to_capture": ("POST", "/v1/payment_intents/{held}/capture", {}),
    "application_fee_amount": ("POST", "/v1/payment_intents/{held}/capture", {}),
    "amount": ("POST", "/v1/refunds", {"payment_intent": "{paid}"}),
    "limit": ("GET", "/v1/payment_intents", {}),
    "created[gt]": ("GET", "/v1/charges", {}),
}


def integer_request(payments: dict[str, str], name: str, value: str) -> tuple[str, str, bytes]:
    method, path, fields = INTEGER_PARAMS[name]
    params = {k: v.format(**payments) for k, v in fields.items()} | {name: value}
    if method == "GET":
        return method, f"{path}?{form(params).decode()}", b""
    return method, path.format(**payments), form(params)


@pytest.mark.parametrize("value", NOT_INTEGERS)
@pytest.mark.parametrize("name", [*INTEGER_PARAMS, "create application_fee_amount"])
def test_not_an_integer(server, payments, name: str, value: str) -> None:
    key = payments["key"]
    if name.startswith("create "):
        name = name.removeprefix("create ")
        method, path, body = "POST", "/v1/payment_intents", CREATE + b"&" + form({name: value})
    else:
        method, path, body = integer_request(payments, name, value)
    before = account(server, key)
    resp = call(server, method, path, key, body)
    assert resp.status_code == 400, resp.text
    err = resp.json()["error"]
    assert (err["type"], err["code"], err["param"]) == (
        "invalid_request_error",
        "parameter_invalid_integer",
        name,
    )
    assert err["message"] == f"Invalid integer: {value}"
    assert account(server, key) == before


@pytest.mark.parametrize(
    ("name", "value", "code", "message"),
    [
        (
            "amount_to_capture", str(2**63 - 1), "amount_too_large",
            f"The amount_to_capture ({2**63 - 1}) must be less than or equal to the "
            "PaymentIntent's amount_capturable (1000).",
        ),
        (
            "application_fee_amount", str(2**63 - 1), None,
            "The application fee amount must be less than or equal to the amount captured.",
        ),
        (
            "amount", str(2**63 - 1), "amount_too_large",
            "Refund amount ($92,233,720,368,547,758.07) is greater than charge amount ($10.00)",
        ),
        (
            "amount_to_capture", str(-(2**63)), "parameter_invalid_integer",
            "This value must be greater than or equal to 1.",
        ),
        (
            "limit", str(2**63 - 1), "parameter_invalid_integer",
            "This value must be less than or equal to 100.",
        ),
    ],
)  # fmt: skip
def test_the_largest_integers_meet_the_parameters_own_limits(
    server, payments, name: str, value: str, code: str | None, message: str
) -> None:
    key = payments["key"]
    before = account(server, key)
    method, path, body = integer_request(payments, name, value)
    resp = call(server, method, path, key, body)
    assert resp.status_code == 400, resp.text
    err = resp.json()["error"]
    assert (err["type"], err.get("code"), err["param"]) == ("invalid_request_error", code, name)
    assert err["message"] == message
    assert account(server, key) == before


@pytest.mark.parametrize("bound", ["gt", "gte", "lt", "lte"])
def test_created_bounds_at_the_ends_of_the_range(server, payments, bound: str) -> None:
    """The stores take every 64-bit bound: past the newest and before the oldest, nothing."""
    key = payments["key"]
    for kind in ("payment_intents", "charges"):
        listed = call(server, "GET", f"/v1/{kind}", key).json()["data"]
        for value, expected in [(2**63 - 1, bound in ("lt", "lte")), (-(2**63), bound[0] == "g")]:
            resp = call(server, "GET", f"/v1/{kind}?created[{bound}]={value}", key)
            assert resp.status_code == 200, resp.text
            assert resp.json()["data"] == (listed if expected else [])


# -- request lines ----------------------------------------------------------------------------


def raw_exchange(server, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """One request over a plain socket (httpx refuses URLs this long before sending them)."""
    with socket.create_connection((server.host, server.port), timeout=30) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        answer = b"".join(iter(lambda: sock.recv(65536), b""))
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines)
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize("size", [65_536, 70_000, 5_000_000])
def test_a_request_target_past_64_kib_is_a_stripe_error(server, size: int) -> None:
    """httptools cannot split a target past 65,535 bytes; the answer is still Stripe's."""
    key = new_key()
    call(server, "POST", "/v1/payment_intents", key, CREATE)
    before = state(server, key)
    auth = f"Authorization: Bearer {key}\r\n".encode()
    for method, path in [
        ("GET", "/v1/payment_intents?description="),
        ("POST", "/v1/customers?name="),
    ]:
        target = path.encode() + b"x" * (size - len(path))
        request = f"{method} ".encode() + target + b" HTTP/1.1\r\nHost: x\r\n" + auth
        status, headers, body = raw_exchange(server, request + b"Content-Length: 0\r\n\r\n")
        assert status == 414
        assert headers["content-type"] == "application/json"
        assert headers["request-id"].startswith("req_")
        err = orjson.loads(body)["error"]
        assert err["type"] == "invalid_request_error"
        assert err["message"] == "Request URL too long: the limit is 65535 bytes."
        assert "code" not in err and "param" not in err
    assert state(server, key) == before


def test_the_longest_target_reaches_the_api(server) -> None:
    key = new_key()
    path = "/v1/payment_intents?starting_after="
    target = path.encode() + b"x" * (65_535 - len(path))
    auth = f" HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n\r\n".encode()
    status, _, body = raw_exchange(server, b"GET " + target + auth)
    assert status == 400
    err = orjson.loads(body)["error"]
    assert err["param"] == "starting_after"
    assert (
        err["message"] == "Invalid string: xxxxxxxxxx...xxxxxxxxxx; must be at most 5000 characters"
    )


def test_an_unparsable_request_is_a_stripe_error(server) -> None:
    status, headers, body = raw_exchange(server, b"NOT HTTP AT ALL\r\n\r\n")
    assert status == 400
    assert headers["content-type"] == "application/json"
    err = orjson.loads(body)["error"]
    assert (err["type"], err["message"]) == (
        "invalid_request_error",
        "Invalid request: the HTTP request could not be parsed.",
    )


# -- metacharacters in every string field -------------------------------------------------------

HOSTILE = (
    "'; DROP TABLE payment_intents; --",
    "<script>alert(1)</script>",
    '" OR 1=1 --',
    "Zoë 東京 🙂 \u202e \\' %27 &amp; ${x} {{x}}",
)
# For fields of at most 20 characters (a customer's phone).
SHORT = "'\"<b>;--&amp;"
METADATA = {"metadata[k' OR 1=1 --]": HOSTILE[0], "metadata[<script>]": HOSTILE[1]}


def hostile(*names: str, round: int = 0) -> dict[str, str]:
    """A hostile value for each field, a different one per field and per round."""
    return {
        name: f"{HOSTILE[(i + round) % len(HOSTILE)]} #{round}.{i}" for i, name in enumerate(names)
    } | METADATA


def address(prefix: str) -> list[str]:
    parts = ("line1", "line2", "city", "state", "postal_code", "country")
    return [f"{prefix}[{part}]" for part in parts]


def at(obj: dict[str, Any], name: str) -> Any:
    """The value at a bracketed parameter name: `a[b][c]` is obj["a"]["b"]["c"]."""
    for part in name.replace("]", "").split("["):
        obj = obj[part]
    return obj


def write_verbatim(
    server,
    key: str,
    method: str,
    path: str,
    fields: dict[str, str],
    fixed: bytes = b"",
    also: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The write answers and stores each field exactly as sent, and changes no other object
    (but those in `also`, which it changes by design)."""
    before = account(server, key)["objects"]
    resp = call(server, method, path, key, fixed + form(fields))
    assert resp.status_code == 200, resp.text
    written = resp.json()
    kind = path.split("/")[2]
    fetched = call(server, "GET", f"/v1/{kind}/{written['id']}", key).json()
    for obj in (written, fetched):
        for name, value in fields.items():
            assert at(obj, name) == value, name
    after = account(server, key)["objects"]
    if written["id"] in after:
        assert after.pop(written["id"]) == fetched
    for object_id in (written["id"], *also):
        before.pop(object_id, None)
        after.pop(object_id, None)
    assert after == before
    return fetched


CUSTOMER_FIELDS = ("name", "description", *address("address"), "shipping[name]",
                   "shipping[phone]", *address("shipping[address]"))  # fmt: skip


def test_customer_fields_are_stored_verbatim(server) -> None:
    key = new_key()
    confirmed(server, key)
    extra = {"phone": SHORT, "email": 'o\'hara+<b>"--"</b>@example.com'}
    created = write_verbatim(
        server, key, "POST", "/v1/customers", hostile(*CUSTOMER_FIELDS) | extra
    )
    assert created["metadata"] == {"k' OR 1=1 --": HOSTILE[0], "<script>": HOSTILE[1]}
    write_verbatim(
        server, key, "POST", f"/v1/customers/{created['id']}", hostile(*CUSTOMER_FIELDS, round=1)
    )


BILLING_FIELDS = ("billing_details[name]", "billing_details[email]", "billing_details[phone]",
                  *address("billing_details[address]"))  # fmt: skip


def test_payment_method_billing_details_are_stored_verbatim(server) -> None:
    key = new_key()
    confirmed(server, key)
    card = b"type=card&card[number]=4242424242424242&card[exp_month]=12&card[exp_year]=2040&"
    pm = write_verbatim(server, key, "POST", "/v1/payment_methods", hostile(*BILLING_FIELDS), card)
    pm = write_verbatim(
        server, key, "POST", f"/v1/payment_methods/{pm['id']}", hostile(*BILLING_FIELDS, round=1)
    )
    # Used to pay, the billing details reach the charge as they are.
    paid = confirmed(server, key, payment_method=pm["id"])
    charge = call(server, "GET", f"/v1/charges/{paid['latest_charge']}", key).json()
    assert charge["billing_details"] == pm["billing_details"]


def test_refund_metadata_is_stored_verbatim(server) -> None:
    key = new_key()
    paid = confirmed(server, key)
    intent = f"payment_intent={paid['id']}&".encode()
    # Refunding changes the charge and the intent, nothing else.
    refund = write_verbatim(
        server,
        key,
        "POST",
        "/v1/refunds",
        METADATA,
        intent,
        also=(paid["id"], paid["latest_charge"]),
    )
    write_verbatim(
        server, key, "POST", f"/v1/refunds/{refund['id']}", {"metadata[<b>]": HOSTILE[2]}
    )


CHARGE_FIELDS = ("description", "shipping[name]", "shipping[phone]", "shipping[carrier]",
                 "shipping[tracking_number]", *address("shipping[address]"))  # fmt: skip


def test_charge_update_stores_fields_verbatim(server) -> None:
    key = new_key()
    paid = confirmed(server, key)
    path = f"/v1/charges/{paid['latest_charge']}"
    write_verbatim(server, key, "POST", path, hostile(*CHARGE_FIELDS))
    write_verbatim(server, key, "POST", path, hostile(*CHARGE_FIELDS, round=1))


def test_webhook_endpoint_fields_are_stored_verbatim(server) -> None:
    key = new_key()
    confirmed(server, key)
    fixed = b"url=http%3A%2F%2F127.0.0.1%3A9%2Fhook&enabled_events[]=charge.refunded&"
    endpoint = write_verbatim(
        server, key, "POST", "/v1/webhook_endpoints", hostile("description"), fixed
    )
    path = f"/v1/webhook_endpoints/{endpoint['id']}"
    write_verbatim(server, key, "POST", path, hostile("description", round=1))


# -- ids of another type, or of another account -------------------------------------------------


@pytest.fixture(scope="module")
def ids(server) -> dict[str, str]:
    """An account's paid intent, its charge and an open intent; another account's payment
    method, customer, intent and charge."""
    key, other = new_key(), new_key()
    paid, theirs = confirmed(server, key), confirmed(server, other)
    open_ = call(server, "POST", "/v1/payment_intents", key, CREATE).json()
    card = b"type=card&card[number]=4242424242424242&card[exp_month]=12&card[exp_year]=2040"
    return {
        "key": key,
        "pi": paid["id"],
        "ch": paid["latest_charge"],
        "open": open_["id"],
        "their_pm": call(server, "POST", "/v1/payment_methods", other, card).json()["id"],
        "their_cus": call(server, "POST", "/v1/customers", other, b"").json()["id"],
        "their_pi": theirs["id"],
        "their_ch": theirs["latest_charge"],
    }


# How each parameter's object is named in "No such ..." (errors.resource_missing).
KIND = {
    "payment_method": "PaymentMethod",
    "customer": "customer",
    "charge": "charge",
    "payment_intent": "payment_intent",
    "invoice_settings[default_payment_method]": "PaymentMethod",
}
NEW = "/v1/payment_intents"


@pytest.mark.parametrize(
    ("path", "param", "value"),
    [
        (NEW, "payment_method", "ch"),
        (NEW, "payment_method", "pi"),
        (NEW, "customer", "pi"),
        (NEW, "payment_method", "their_pm"),
        (NEW, "customer", "their_cus"),
        ("/v1/payment_intents/{open}/confirm", "payment_method", "ch"),
        ("/v1/payment_intents/{open}/confirm", "payment_method", "their_pm"),
        ("/v1/payment_intents/{open}", "payment_method", "pi"),
        ("/v1/payment_intents/{open}", "customer", "their_cus"),
        ("/v1/refunds", "payment_intent", "ch"),
        ("/v1/refunds", "charge", "pi"),
        ("/v1/refunds", "payment_intent", "their_pi"),
        ("/v1/refunds", "charge", "their_ch"),
        ("/v1/customers", "payment_method", "ch"),
        ("/v1/customers", "payment_method", "their_pm"),
        ("/v1/customers", "invoice_settings[default_payment_method]", "pi"),
    ],
)  # fmt: skip
def test_an_id_of_another_type_or_account_is_missing(
    server, ids, path: str, param: str, value: str
) -> None:
    key = ids["key"]
    before = account(server, key)
    body = (CREATE + b"&" if path == NEW else b"") + form({param: ids[value]})
    resp = call(server, "POST", path.format(**ids), key, body)
    assert resp.status_code == 404, resp.text
    err = resp.json()["error"]
    assert (err["type"], err["code"], err["param"]) == (
        "invalid_request_error",
        "resource_missing",
        param,
    )
    assert err["message"] == f"No such {KIND[param]}: '{ids[value]}'"
    assert account(server, key) == before


# -- hosted pages ----------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
# Stored on the customer, the payment method and the intent a page is about.
STORED = {"description": f"{SCRIPT} {HOSTILE[0]}", "metadata[note]": SCRIPT}


def hostile_customer(server, key: str) -> str:
    fields = {"name": SCRIPT, "description": SCRIPT, "shipping[name]": SCRIPT,
              "shipping[address][line1]": SCRIPT, "metadata[note]": SCRIPT}  # fmt: skip
    return call(server, "POST", "/v1/customers", key, form(fields)).json()["id"]


def assert_shows_no_markup(page: httpx.Response, title: str) -> None:
    """Nothing stored reaches the page as markup: the hostile values are not on it at all."""
    assert page.status_code == 200, page.text
    assert f"<title>{title}</title>" in page.text
    assert SCRIPT not in page.text
    assert "alert(1)" not in page.text


def test_microdeposit_page_shows_no_stored_markup(server) -> None:
    key = new_key()
    fields = {"type": "us_bank_account", "billing_details[name]": SCRIPT,
              "billing_details[address][line1]": SCRIPT, "metadata[note]": SCRIPT,
              "us_bank_account[routing_number]": "110000000",
              "us_bank_account[account_number]": "000123456789"}  # fmt: skip
    pm = call(server, "POST", "/v1/payment_methods", key, form(fields)).json()
    pi = confirmed(
        server,
        key,
        customer=hostile_customer(server, key),
        payment_method=pm["id"],
        **{"payment_method_types[]": "us_bank_account"},
        **{"mandate_data[customer_acceptance][type]": "offline"},
        **STORED,
    )
    url = pi["next_action"]["verify_with_microdeposits"]["hosted_verification_url"]
    assert_shows_no_markup(HTTP.get(url, timeout=30), "Verify your bank account")


def test_bank_transfer_page_shows_no_stored_markup(server) -> None:
    key = new_key()
    options = "payment_method_options[customer_balance]"
    fields = {"payment_method_types[]": "customer_balance",
              "payment_method_data[type]": "customer_balance",
              f"{options}[funding_type]": "bank_transfer",
              f"{options}[bank_transfer][type]": "us_bank_transfer"}  # fmt: skip
    pi = confirmed(server, key, customer=hostile_customer(server, key), **fields, **STORED)
    url = pi["next_action"]["display_bank_transfer_instructions"]["hosted_instructions_url"]
    assert_shows_no_markup(HTTP.get(url, timeout=30), "Bank transfer instructions")


def test_three_d_secure_page_shows_no_stored_markup(server) -> None:
    key = new_key()
    card = {"type": "card", "card[number]": "4000000000003220", "card[exp_month]": "12",
            "card[exp_year]": "2040", "billing_details[name]": SCRIPT,
            "metadata[note]": SCRIPT}  # fmt: skip
    pm = call(server, "POST", "/v1/payment_methods", key, form(card)).json()
    pi = confirmed(
        server,
        key,
        customer=hostile_customer(server, key),
        payment_method=pm["id"],
        return_url="https://shop.example/done",
        **STORED,
    )
    page = HTTP.get(pi["next_action"]["redirect_to_url"]["url"], timeout=30)
    assert_shows_no_markup(page, "3D Secure 2 Test Page")


@pytest.mark.parametrize(
    "path", ["/microdeposit/{id}", "/bank_transfer_instructions/{id}", "/3d_secure_2/hosted"]
)
def test_pages_escape_an_id_they_quote(server, path: str) -> None:
    """A page quotes the intent id its link names when there is no such intent: escaped.
    (No slash in it: a path segment cannot hold one.)"""
    publishable_key = new_key().replace("sk_", "pk_")
    evil = "pi_<img src=x onerror=alert(1)>"
    query = {"client_secret": "x", "payment_intent_client_secret": "x",
             "publishable_key": publishable_key, "payment_intent": evil}  # fmt: skip
    url = server.url + path.format(id=quote(evil, safe=""))
    page = HTTP.get(url, params=query, timeout=30)
    assert page.status_code == 400
    assert "<img" not in page.text
    assert "No such payment_intent: &#x27;pi_&lt;img src=x onerror=alert(1)&gt;&#x27;" in page.text
