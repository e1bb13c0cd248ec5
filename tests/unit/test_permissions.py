"""Restricted keys' grants: write implies read, absent means none, and an endpoint that names
no resource is closed to restricted keys."""

from __future__ import annotations

import pytest

from payintents.errors import ApiError
from payintents.resources import ENDPOINTS
from payintents.wire.http import Endpoint
from payintents.wire.params import Params
from payintents.wire.permissions import RESOURCES, allows, provided_key, require

KEY = "rk_test_" + "a" * 90 + "Xy12Z9"


def test_write_implies_read_and_absent_is_none() -> None:
    grants = {"charges": "write", "refunds": "read", "customers": "none"}
    assert allows(grants, "charges", "read") and allows(grants, "charges", "write")
    assert allows(grants, "refunds", "read") and not allows(grants, "refunds", "write")
    assert not allows(grants, "customers", "read")
    assert not allows(grants, "events", "read")


def test_an_endpoint_without_a_resource_is_closed_to_restricted_keys() -> None:
    with pytest.raises(ApiError) as closed:
        require({"charges": "write"}, KEY, "acct_1A", None, "read")
    assert (closed.value.status, closed.value.type, closed.value.code) == (
        403,
        "invalid_request_error",
        None,
    )
    assert closed.value.message == (
        f"The provided key 'rk_test_{'*' * 90}Xy12Z9' does not have the required permissions "
        "for this endpoint on account 'acct_1A'. This is a restricted API key, but the "
        "required permissions are not available for use by restricted keys."
    )


def test_provided_keys_show_what_stripe_shows() -> None:
    assert provided_key("sk_test_abcdefgh1234") == "sk_test_********1234"
    assert provided_key("rk_live_abcdefgh123456") == "rk_live_********123456"
    assert provided_key("rk_test_short") == "rk_test_*****"


def test_every_endpoint_names_a_known_resource() -> None:
    assert all(e.resource in RESOURCES for e in ENDPOINTS)
    with pytest.raises(ValueError, match="unknown resource payouts"):
        Endpoint("GET", "/v1/payouts", Params({}), lambda *a: None, resource="payouts")
    reads = {e.path for e in ENDPOINTS if e.needs == "read"}
    assert "/v1/charges" in reads and "/v1/payment_intents/{intent}" in reads
    assert all(e.needs == ("read" if e.method == "GET" else "write") for e in ENDPOINTS)
