"""`GET /openapi.json`: the server's own description, generated from its parameter schemas
and its objects' declared shapes; the answers of real flows match those shapes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from payintents.resources import ENDPOINTS
from payintents.resources.payment_intents import STRIPE_JS_CONFIRM, STRIPE_JS_RETRIEVE
from payintents.resources.payment_methods import STRIPE_JS_FIELDS
from tests.conftest import new_key, publishable
from tests.http_client import HTTP
from tests.schema import ADDED_SINCE_SPEC, PARAMS_ADDED_SINCE_SPEC, spec_or_skip

STRIPE_JS = {*STRIPE_JS_CONFIRM, *STRIPE_JS_RETRIEVE, *STRIPE_JS_FIELDS}


def _request_schema(op: dict, method: str) -> dict:
    if method == "post":
        return op["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    return {"properties": {p["name"]: p["schema"] for p in op["parameters"] if p["in"] == "query"}}


def test_openapi_describes_every_endpoint_without_auth(server) -> None:
    resp = HTTP.get(server.url + "/openapi.json")
    assert resp.status_code == 200
    spec = resp.json()
    assert spec["openapi"] == "3.1.0"
    described = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    assert described == {(e.method, e.path) for e in ENDPOINTS}
    for ops in spec["paths"].values():
        for op in ops.values():
            Draft202012Validator.check_schema(
                _request_schema(op, "post" if "requestBody" in op else "get")
            )


def test_request_schemas_are_the_validating_ones(server) -> None:
    spec = HTTP.get(server.url + "/openapi.json").json()
    create = _request_schema(spec["paths"]["/v1/payment_intents"]["post"], "post")
    assert create["required"] == ["amount", "currency"]
    assert create["additionalProperties"] is False
    validator = Draft202012Validator(create)
    assert validator.is_valid({"amount": 100, "currency": "usd", "metadata": {"a": "b"}})
    assert not validator.is_valid({"amount": 0, "currency": "usd"})
    assert not validator.is_valid({"currency": "usd"})
    assert not validator.is_valid({"amount": 100, "currency": "usd", "bogus": "1"})
    # Every parameter it declares for a PaymentIntent endpoint is one Stripe declares.
    stripe = spec_or_skip()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            theirs = stripe["paths"].get(path, {}).get(method)
            if theirs is None:
                continue
            ours = set(_request_schema(op, method)["properties"])
            declared = _request_schema(theirs, method).get("properties", {})
            # Besides what Stripe.js sends, which Stripe accepts without publishing it, and
            # `expand`, which Stripe takes on every request but leaves out of its DELETEs.
            allowed = set(declared) | ({"expand"} if method == "delete" else set())
            allowed |= PARAMS_ADDED_SINCE_SPEC.get((method, path), set())
            assert ours - STRIPE_JS <= allowed, (method, path)


def test_creation_links_to_operations_on_the_created_id(server) -> None:
    spec = HTTP.get(server.url + "/openapi.json").json()
    links = spec["paths"]["/v1/payment_intents"]["post"]["responses"]["200"]["links"]
    for action in ("confirm", "capture", "cancel"):
        link = links[f"post_v1_payment_intents_intent_{action}"]
        assert link["parameters"] == {"intent": "$response.body#/id"}
    ids = {op["operationId"] for ops in spec["paths"].values() for op in ops.values()}
    assert {link["operationId"] for link in links.values()} <= ids


def _answer_schema(spec: dict, method: str, path: str, status: int) -> Draft202012Validator:
    """The validator of the answer `spec` declares for a request to the concrete `path`."""
    for template, ops in spec["paths"].items():
        if re.fullmatch(re.sub(r"{\w+}", "[^/]+", template), path) and method in ops:
            responses = ops[method]["responses"]
            schema = responses["200" if status == 200 else "default"]["content"]
            root = {**schema["application/json"]["schema"], "components": spec["components"]}
            return Draft202012Validator(root)
    raise AssertionError(f"{method} {path} is not described")


def test_payment_intent_schema_names_stripes_fields(server) -> None:
    stripe = spec_or_skip()
    spec = HTTP.get(server.url + "/openapi.json").json()
    ours = spec["components"]["schemas"]["payment_intent"]
    theirs = stripe["components"]["schemas"]["payment_intent"]
    # Stripe's spec is 2024-04-10; the fields added since are listed in tests/schema.py.
    assert set(ours["properties"]) == set(theirs["properties"]) | ADDED_SINCE_SPEC["payment_intent"]
    # `invoice`, removed in basil, is there only for older versions.
    assert set(ours["properties"]) - set(ours["required"]) == {"invoice"}
    assert ours["additionalProperties"] is False
    # Of every object Stripe also describes, each field Stripe always sends is declared always.
    for name, schema in spec["components"]["schemas"].items():
        reference = stripe["components"]["schemas"].get(name)
        if reference is not None and name != "error":
            assert set(reference.get("required", ())) <= set(schema["required"]), name


def test_every_answer_has_a_real_schema(server) -> None:
    spec = HTTP.get(server.url + "/openapi.json").json()
    components = spec["components"]["schemas"]
    for ops in spec["paths"].values():
        for op in ops.values():
            schema = op["responses"]["200"]["content"]["application/json"]["schema"]
            refs = re.findall(r"#/components/schemas/(\w+)", str(schema))
            assert refs, op["operationId"]
            assert set(refs) <= set(components), op["operationId"]
    for name, schema in components.items():
        Draft202012Validator.check_schema(schema)
        # Every object names each of its fields, and no other.
        assert schema["additionalProperties"] is False and schema["properties"], name


ACH = {
    "payment_method_types[]": "us_bank_account",
    "mandate_data[customer_acceptance][type]": "offline",
    "confirm": "true",
}
CARD = {"payment_method_types[]": "card", "confirm": "true"}
BANK_TRANSFER = {
    "confirm": "true",
    "payment_method_types[]": "customer_balance",
    "payment_method_data[type]": "customer_balance",
    "payment_method_options[customer_balance][funding_type]": "bank_transfer",
    "payment_method_options[customer_balance][bank_transfer][type]": "us_bank_transfer",
}


def test_answers_of_real_flows_match_their_schemas(server) -> None:
    """Objects in the states a fuzzer rarely reaches (3-D Secure, declines, bank debits, cash
    balances, expansions, a publishable key's view) match the schemas served for them."""
    spec = HTTP.get(server.url + "/openapi.json").json()
    key = new_key()
    seen: list[str] = []

    def call(
        method: str, path: str, params: dict[str, Any] | None = None, status: int = 200, **kw: Any
    ) -> Any:
        auth = (kw.get("key", key), "")
        if method == "get":
            resp = HTTP.get(server.url + path, params=params, auth=auth)
        else:
            resp = HTTP.request(method, server.url + path, data=params, auth=auth)
        assert resp.status_code == status, resp.text
        body = resp.json()
        validator = _answer_schema(spec, method, path, status)
        errors = [e.message[:300] for e in validator.iter_errors(body)]
        assert not errors, (method, path, errors)
        seen.append(body.get("object") or body["error"]["type"])
        return body

    def intent(status: int = 200, **params: Any) -> Any:
        return call("post", "/v1/payment_intents", {"currency": "usd", **params}, status)

    customer = call(
        "post", "/v1/customers", {"name": "J", "email": "j@example.com", "address[line1]": "1 Main"}
    )
    paid = intent(amount=2000, customer=customer["id"], payment_method="pm_card_visa", **CARD)
    path = f"/v1/payment_intents/{paid['id']}"
    call("get", path, {"expand[]": ["latest_charge", "customer"]})
    call("get", path, {"client_secret": paid["client_secret"]}, key=publishable(key))
    declined = intent(402, amount=2000, payment_method="pm_card_chargeDeclined", **CARD)
    assert declined["error"]["payment_intent"]["last_payment_error"]["decline_code"]
    for extra in ({"return_url": "https://example.com/back"}, {}):
        three_ds = {"payment_method": "pm_card_threeDSecure2Required", **CARD, **extra}
        assert intent(amount=2000, **three_ds)["status"] == "requires_action"
    held = intent(amount=2000, capture_method="manual", payment_method="pm_card_visa", **CARD)
    call("get", f"/v1/charges/{held['latest_charge']}")
    call("post", f"/v1/payment_intents/{held['id']}/capture", {"amount_to_capture": 1500})
    call("post", "/v1/refunds", {"payment_intent": paid["id"], "amount": 500})
    canceled = intent(amount=900)
    call(
        "post", f"/v1/payment_intents/{canceled['id']}/cancel", {"cancellation_reason": "abandoned"}
    )
    intent(amount=1500, payment_method="pm_usBankAccount_success", **ACH)
    bank = call(
        "post",
        "/v1/payment_methods",
        {
            "type": "us_bank_account",
            "us_bank_account[routing_number]": "110000000",
            "us_bank_account[account_number]": "000123456789",
            "billing_details[name]": "J",
        },
    )
    verifying = intent(amount=1500, payment_method=bank["id"], **ACH)
    assert verifying["next_action"]["type"] == "verify_with_microdeposits"
    sepa = {"type": "sepa_debit", "sepa_debit[iban]": "DE89370400440532013000"}
    call("post", "/v1/payment_methods", {**sepa, "billing_details[name]": "J"})
    call("post", "/v1/payment_methods/pm_card_visa/attach", {"customer": customer["id"]})
    call("get", f"/v1/customers/{customer['id']}/payment_methods")
    waiting = intent(amount=3000, customer=customer["id"], **BANK_TRANSFER)
    assert waiting["next_action"]["type"] == "display_bank_transfer_instructions"
    fund = f"/v1/test_helpers/customers/{customer['id']}/fund_cash_balance"
    call("post", fund, {"amount": 1000, "currency": "usd"})
    call("get", f"/v1/customers/{customer['id']}/cash_balance")
    call("get", f"/v1/customers/{customer['id']}/cash_balance_transactions")
    hook = {"url": "https://example.com/hook", "enabled_events[]": "*"}
    endpoint = call("post", "/v1/webhook_endpoints", hook)
    call("delete", f"/v1/webhook_endpoints/{endpoint['id']}")
    gone = call("post", "/v1/customers", {"name": "Gone"})
    call("delete", f"/v1/customers/{gone['id']}")
    assert call("get", f"/v1/customers/{gone['id']}")["deleted"] is True
    for resource in ("payment_intents", "charges", "customers"):
        call("get", f"/v1/{resource}/search", {"query": "created>0"})
    for resource in ("payment_intents", "charges", "customers", "refunds", "webhook_endpoints"):
        call("get", f"/v1/{resource}", {"limit": 100})
    intent(amount=2000, payment_method="pm_card_createDispute", **CARD)
    setup = {"payment_method": "pm_card_visa", "confirm": "true", **CARD}
    call("post", "/v1/setup_intents", setup)
    events = call("get", "/v1/events", {"limit": 100})
    call("get", f"/v1/events/{events['data'][0]['id']}")
    call("get", "/v1/payment_intents/pi_missing", status=404)
    objects = {"cash_balance", "customer_cash_balance_transaction", "refund", "search_result"}
    assert objects <= set(seen)
    described = {e["data"]["object"]["object"] for e in events["data"]}
    assert {
        "payment_intent", "charge", "customer", "refund", "payment_method", "dispute",
        "setup_intent",
    } <= described  # fmt: skip


def test_answers_of_confirmation_tokens_match_their_schemas(server) -> None:
    """A token of each kind of payment method, as Stripe.js and the test helper make them,
    before and after it is used, and the errors of its endpoints."""
    spec = HTTP.get(server.url + "/openapi.json").json()
    key = new_key()

    def call(method: str, path: str, data: dict[str, Any], status: int = 200, **kw: Any) -> Any:
        auth = kw.get("auth", (key, ""))
        resp = HTTP.request(method, server.url + path, data=data, auth=auth)
        assert resp.status_code == status, resp.text
        body = resp.json()
        errors = [
            e.message[:300] for e in _answer_schema(spec, method, path, status).iter_errors(body)
        ]
        assert not errors, (method, path, errors)
        return body

    browser = {"key": publishable(key)}
    card = {
        "payment_method_data[type]": "card",
        "payment_method_data[card][number]": "4000002500003155",
        "payment_method_data[card][exp_month]": "12",
        "payment_method_data[card][exp_year]": "2034",
        "payment_method_data[billing_details][name]": "J",
        "mandate_data[customer_acceptance][type]": "offline",
        "payment_method_options[card][cvc_token]": "cvctok_1",
        "payment_method_options[card][installments][plan][type]": "fixed_count",
        "payment_method_options[card][installments][plan][count]": "3",
        "payment_method_options[card][installments][plan][interval]": "month",
        "shipping[name]": "J",
        "shipping[address][line1]": "1 Main",
        "metadata[k]": "v",
        "return_url": "https://example.com/back",
    }
    tokens = [
        call("post", "/v1/confirmation_tokens", {**browser, **card}, auth=None),
        call(
            "post",
            "/v1/confirmation_tokens",
            {**browser, "payment_method": "pm_usBankAccount_success"},
            auth=None,
        ),
        call(
            "post",
            "/v1/test_helpers/confirmation_tokens",
            {
                "payment_method_data[type]": "sepa_debit",
                "payment_method_data[sepa_debit][iban]": "DE89370400440532013000",
            },
        ),
        call("post", "/v1/test_helpers/confirmation_tokens", {}),
    ]
    for token in tokens:
        call("get", f"/v1/confirmation_tokens/{token['id']}", {})
    pay = {
        "amount": "2000",
        "currency": "usd",
        "confirm": "true",
        "confirmation_token": tokens[0]["id"],
    }
    assert call("post", "/v1/payment_intents", pay)["status"] == "requires_action"
    call("get", f"/v1/confirmation_tokens/{tokens[0]['id']}", {})
    call("post", "/v1/payment_intents", pay, status=400)
    call("post", "/v1/confirmation_tokens", {}, status=403)
    call("get", "/v1/confirmation_tokens/ctoken_missing", {}, status=404)


@pytest.mark.parametrize(
    "change",
    [
        lambda pi: pi.update(bogus=1),
        lambda pi: pi.pop("status"),
        lambda pi: pi.update(amount="2000"),
        lambda pi: pi.update(status="done"),
        lambda pi: pi["shipping"].update(phone=5),
    ],
)
def test_a_wrong_payment_intent_breaks_its_schema(server, change) -> None:
    """The schemas are strict enough for schemathesis to catch a wrong answer."""
    spec = HTTP.get(server.url + "/openapi.json").json()
    resp = HTTP.post(
        server.url + "/v1/payment_intents",
        auth=(new_key(), ""),
        data={
            "amount": 100,
            "currency": "usd",
            "shipping[name]": "J",
            "shipping[address][city]": "X",
        },
    )
    validator = _answer_schema(spec, "post", "/v1/payment_intents", 200)
    pi = resp.json()
    assert validator.is_valid(pi)
    change(pi)
    assert not validator.is_valid(pi)
