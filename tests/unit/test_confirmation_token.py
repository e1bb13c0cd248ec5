"""The ConfirmationToken's pure rules: what it contributes to a confirm, what the request
overrides, and the intent its client_context must match."""

from __future__ import annotations

from typing import Any

import pytest

from payintents.domain import confirmation_token as domain
from payintents.errors import ApiError

ADDRESS = ("city", "country", "line1", "line2", "postal_code", "state")
INTENT = {
    "object": "payment_intent",
    "id": "pi_1",
    "currency": "usd",
    "capture_method": "automatic_async",
    "setup_future_usage": None,
}


def token(**params: Any) -> dict[str, Any]:
    return domain.new_confirmation_token(
        params,
        token_id="ctoken_1",
        payment_method_preview=None,
        mandate=params.get("mandate_data"),
        now=1000,
        livemode=False,
    )


def test_a_bare_token_asks_only_for_the_stripe_sdk() -> None:
    made = token()
    assert made["expires_at"] == 1000 + 12 * 3600
    assert domain.confirm_params(made, "payment_intent") == {"use_stripe_sdk": True}


def test_the_token_says_what_confirm_parameters_would() -> None:
    made = token(
        return_url="https://x.example",
        setup_future_usage="on_session",
        shipping={"name": "J", "address": {"city": "Paris"}},
        mandate_data={"customer_acceptance": {"type": "offline"}},
        payment_method_options={"card": {"cvc_token": "cvctok_1"}},
    )
    # A SetupIntent takes no shipping nor setup_future_usage.
    assert domain.confirm_params(made, "setup_intent") == {
        "use_stripe_sdk": True,
        "return_url": "https://x.example",
        "mandate_data": {"customer_acceptance": {"type": "offline", "offline": {}}},
        "payment_method_options": {"card": {"cvc_token": "cvctok_1"}},
    }
    assert domain.confirm_params(made, "payment_intent") == {
        "use_stripe_sdk": True,
        "return_url": "https://x.example",
        "setup_future_usage": "on_session",
        "shipping": {
            "address": {**dict.fromkeys(ADDRESS), "city": "Paris"},
            "name": "J",
        },
        "mandate_data": {"customer_acceptance": {"type": "offline", "offline": {}}},
        "payment_method_options": {"card": {"cvc_token": "cvctok_1"}},
    }


def test_the_request_takes_precedence_key_by_key() -> None:
    theirs = {
        "return_url": "https://token.example",
        "use_stripe_sdk": True,
        "payment_method_options": {"card": {"cvc_token": "t", "installments": {"plan": {}}}},
    }
    ours = {
        "return_url": "https://request.example",
        "payment_method_options": {"card": {"cvc_token": "r"}, "link": {}},
    }
    assert domain.merged(theirs, ours) == {
        "return_url": "https://request.example",
        "use_stripe_sdk": True,
        "payment_method_options": {
            "card": {"cvc_token": "r", "installments": {"plan": {}}},
            "link": {},
        },
    }


def test_a_token_is_used_once_and_then_does_not_expire() -> None:
    made = token()
    used = domain.used(made, INTENT)
    assert (used["payment_intent"], used["setup_intent"], used["expires_at"]) == (
        "pi_1",
        None,
        None,
    )
    with pytest.raises(ApiError) as info:
        domain.check_usable(used, {**INTENT, "id": "pi_2"}, 1001)
    assert (info.value.code, info.value.param) == ("token_already_used", "confirmation_token")
    domain.check_usable(made, INTENT, made["expires_at"] - 1)
    with pytest.raises(ApiError) as info:
        domain.check_usable(made, INTENT, made["expires_at"])
    assert info.value.code == "payment_intent_invalid_parameter"
    setup = {"object": "setup_intent", "id": "seti_1"}
    with pytest.raises(ApiError) as info:
        domain.check_usable(made, setup, made["expires_at"])
    assert info.value.code == "setup_intent_invalid_parameter"
    assert domain.used(made, setup)["setup_intent"] == "seti_1"


@pytest.mark.parametrize(
    ("context", "intent", "params", "wrong"),
    [
        ({"mode": "setup"}, INTENT, {}, "mode setup"),
        ({"mode": "payment"}, {"object": "setup_intent", "id": "seti_1"}, {}, "mode payment"),
        ({"currency": "eur"}, INTENT, {}, "currency eur"),
        ({"setup_future_usage": "off_session"}, INTENT, {}, "setup_future_usage off_session"),
        ({"setup_future_usage": "none"}, INTENT, {"setup_future_usage": "on_session"}, "none"),
        ({"capture_method": "manual"}, INTENT, {}, "capture_method manual"),
        ({"capture_method": "automatic"}, INTENT, {"capture_method": "manual"}, "automatic"),
        (
            {"setup_future_usage": "on_session"},
            {"object": "setup_intent", "id": "seti_1", "usage": "off_session"},
            {},
            "but this setup intent has usage off_session",
        ),
    ],
)
def test_a_client_context_unlike_the_intent_is_refused(
    context: dict[str, Any], intent: dict[str, Any], params: dict[str, Any], wrong: str
) -> None:
    with pytest.raises(ApiError) as info:
        domain.check_client_context(context, intent, params)
    assert wrong in info.value.message
    assert info.value.code == f"{intent['object']}_invalid_parameter"


@pytest.mark.parametrize(
    ("context", "params"),
    [
        ({"mode": "subscription", "currency": "usd", "capture_method": "automatic"}, {}),
        ({"setup_future_usage": "none"}, {}),
        ({"setup_future_usage": "off_session"}, {"setup_future_usage": "off_session"}),
        ({"capture_method": "manual"}, {"capture_method": "manual"}),
    ],
)
def test_a_client_context_like_the_intent_passes(
    context: dict[str, Any], params: dict[str, Any]
) -> None:
    domain.check_client_context(context, INTENT, params)
