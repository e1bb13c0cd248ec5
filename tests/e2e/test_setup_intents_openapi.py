"""SetupIntents in `/openapi.json`: their endpoints and objects are described, with Stripe's
fields, and the answers of real flows (3-D Secure, declines, bank debits, expansions, a
publishable key's view, errors) match the schemas served for them."""

from __future__ import annotations

from typing import Any

from tests.conftest import new_key, publishable
from tests.e2e.test_openapi import _answer_schema
from tests.http_client import HTTP
from tests.schema import NOT_BY_DEFAULT, spec_or_skip

NEW = ("setup_intent", "setup_attempt", "mandate")


def test_setup_objects_name_stripes_fields(server) -> None:
    stripe = spec_or_skip()
    spec = HTTP.get(server.url + "/openapi.json").json()
    paths = spec["paths"]
    assert set(paths["/v1/setup_intents"]) == {"get", "post"}
    for action in ("", "/confirm", "/cancel", "/verify_microdeposits"):
        assert "post" in paths["/v1/setup_intents/{intent}" + action]
    assert set(paths["/v1/setup_attempts"]) == {"get"}
    assert "/v1/setup_intents/search" not in paths
    for name in NEW:
        ours = spec["components"]["schemas"][name]
        theirs = stripe["components"]["schemas"][name]["properties"]
        assert set(ours["properties"]) == set(theirs), name
        optional = set(ours["properties"]) - set(ours["required"])
        assert optional <= NOT_BY_DEFAULT[name], name
    links = paths["/v1/setup_intents"]["post"]["responses"]["200"]["links"]
    assert "post_v1_setup_intents_intent_confirm" in links


def test_answers_of_setup_intents_match_their_schemas(server) -> None:
    spec = HTTP.get(server.url + "/openapi.json").json()
    key = new_key()
    pk = publishable(key)

    def call(method: str, path: str, data: dict[str, Any], status: int = 200, auth: str = key):
        if method == "get":
            resp = HTTP.get(server.url + path, params=data, auth=(auth, ""))
        else:
            resp = HTTP.post(server.url + path, data=data, auth=(auth, ""))
        assert resp.status_code == status, resp.text
        body = resp.json()
        errors = [
            e.message[:300] for e in _answer_schema(spec, method, path, status).iter_errors(body)
        ]
        assert not errors, (method, path, errors)
        return body

    cus = call("post", "/v1/customers", {})["id"]
    challenged = call(
        "post",
        "/v1/setup_intents",
        {"customer": cus, "payment_method": "pm_card_authenticationRequired", "confirm": "true"},
    )
    assert challenged["status"] == "requires_action"
    secret = {"client_secret": challenged["client_secret"]}
    call("get", f"/v1/setup_intents/{challenged['id']}", secret, auth=pk)
    call("get", f"/v1/setup_intents/{challenged['id']}", {"expand[]": "latest_attempt"})
    declined = call(
        "post",
        "/v1/setup_intents",
        {"customer": cus, "payment_method": "pm_card_chargeDeclined", "confirm": "true"},
        status=402,
    )
    assert declined["error"]["setup_intent"]["status"] == "requires_payment_method"
    fresh = call("post", "/v1/setup_intents", {"payment_method_types[]": "card"})
    call(
        "post",
        f"/v1/setup_intents/{fresh['id']}/confirm",
        {"payment_method": "pm_card_visa", **{"client_secret": fresh["client_secret"]}},
        auth=pk,
    )
    call("post", f"/v1/setup_intents/{fresh['id']}/cancel", {}, status=400)
    call(
        "post",
        f"/v1/setup_intents/{fresh['id']}/verify_microdeposits",
        {"amounts[]": [32, 45]},
        400,
    )
    sepa = call(
        "post",
        "/v1/setup_intents",
        {
            "customer": cus,
            "payment_method_types[]": "sepa_debit",
            "payment_method_data[type]": "sepa_debit",
            "payment_method_data[sepa_debit][iban]": "DE89370400440532013000",
            "payment_method_data[billing_details][name]": "J",
            "payment_method_data[billing_details][email]": "j@example.com",
            "mandate_data[customer_acceptance][type]": "offline",
            "confirm": "true",
            "expand[]": ["mandate", "payment_method", "customer"],
        },
    )
    assert sepa["mandate"]["object"] == "mandate"
    waiting = call(
        "post",
        "/v1/setup_intents",
        {
            "customer": cus,
            "payment_method_types[]": "us_bank_account",
            "payment_method_data[type]": "us_bank_account",
            "payment_method_data[billing_details][name]": "J",
            "payment_method_data[us_bank_account][routing_number]": "110000000",
            "payment_method_data[us_bank_account][account_number]": "000123456789",
            "mandate_data[customer_acceptance][type]": "offline",
            "confirm": "true",
        },
    )
    assert waiting["next_action"]["type"] == "verify_with_microdeposits"
    call(
        "post",
        f"/v1/setup_intents/{waiting['id']}/verify_microdeposits",
        {"amounts[]": [1, 2]},
        400,
    )
    call("post", f"/v1/setup_intents/{waiting['id']}/verify_microdeposits", {"amounts[]": [32, 45]})
    listed = call("get", "/v1/setup_intents", {"limit": 100, "customer": cus})
    assert len(listed["data"]) == 4
    attempts = call(
        "get",
        "/v1/setup_attempts",
        {"setup_intent": waiting["id"], "expand[]": "data.payment_method"},
    )
    assert attempts["data"][0]["status"] == "succeeded"
    call("get", "/v1/setup_attempts", {}, status=400)
    call("get", "/v1/setup_intents/seti_missing", {}, status=404)
