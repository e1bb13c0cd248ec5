"""`GET /openapi.json`: the server's own description, generated from its parameter schemas."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from jsonschema import Draft202012Validator

from payintents.resources import ENDPOINTS

STRIPE = Path(__file__).parents[3] / "shared/reference/openapi_payment_intents.json"


def _request_schema(op: dict, method: str) -> dict:
    if method == "post":
        return op["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    return {"properties": {p["name"]: p["schema"] for p in op["parameters"] if p["in"] == "query"}}


def test_openapi_describes_every_endpoint_without_auth(server) -> None:
    resp = httpx.get(server.url + "/openapi.json")
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
    spec = httpx.get(server.url + "/openapi.json").json()
    create = _request_schema(spec["paths"]["/v1/payment_intents"]["post"], "post")
    assert create["required"] == ["amount", "currency"]
    assert create["additionalProperties"] is False
    validator = Draft202012Validator(create)
    assert validator.is_valid({"amount": 100, "currency": "usd", "metadata": {"a": "b"}})
    assert not validator.is_valid({"amount": 0, "currency": "usd"})
    assert not validator.is_valid({"currency": "usd"})
    assert not validator.is_valid({"amount": 100, "currency": "usd", "bogus": "1"})
    # Every parameter it declares for a PaymentIntent endpoint is one Stripe declares.
    stripe = json.loads(STRIPE.read_text())
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            theirs = stripe["paths"].get(path, {}).get(method)
            if theirs is None:
                continue
            ours = set(_request_schema(op, method)["properties"])
            declared = _request_schema(theirs, method).get("properties", {})
            assert ours <= set(declared), (method, path)


def test_creation_links_to_operations_on_the_created_id(server) -> None:
    spec = httpx.get(server.url + "/openapi.json").json()
    links = spec["paths"]["/v1/payment_intents"]["post"]["responses"]["200"]["links"]
    for action in ("confirm", "capture", "cancel"):
        link = links[f"post_v1_payment_intents_intent_{action}"]
        assert link["parameters"] == {"intent": "$response.body#/id"}
    ids = {op["operationId"] for ops in spec["paths"].values() for op in ops.values()}
    assert {link["operationId"] for link in links.values()} <= ids
