"""3-D Secure on SetupIntents with Stripe's test cards, and what the saved card does afterwards
off-session (the authentication_required decline, its payment_intent, recovery on-session)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import stripe

from tests.e2e.test_setup_intents import customer, event_types
from tests.http_client import HTTP
from tests.schema import assert_stripe_shape
from tests.server import ServerProcess

SHOP = "https://shop.test/saved"
FAILED = (
    "We are unable to authenticate your payment method. Please choose a different payment "
    "method and try again."
)


def answer_challenge(server: ServerProcess, url: str, outcome: str = "complete") -> httpx.Response:
    """The challenge page's form, answered as a person would."""
    page = urlsplit(url)
    fields = dict(parse_qsl(page.query))
    keep = ("payment_intent", "payment_intent_client_secret", "publishable_key", "source")
    shown = HTTP.get(server.url + page.path, params=fields, timeout=30)
    assert shown.status_code == 200, shown.text
    form = {k: fields[k] for k in keep if k in fields}
    return HTTP.post(server.url + page.path, data={**form, "outcome": outcome}, timeout=30)


def set_up(client: stripe.StripeClient, cus: str, pm: str, **params: Any) -> Any:
    return client.v1.setup_intents.create(
        params={
            "customer": cus,
            "payment_method": pm,
            "payment_method_types": ["card"],
            "confirm": True,
            "return_url": SHOP,
            **params,
        }
    )


def off_session(client: stripe.StripeClient, cus: str, pm: str) -> Any:
    return client.v1.payment_intents.create(
        params={
            "amount": 2500,
            "currency": "eur",
            "customer": cus,
            "payment_method": pm,
            "payment_method_types": ["card"],
            "off_session": True,
            "confirm": True,
        }
    )


def challenged(client: stripe.StripeClient, server: ServerProcess, token: str) -> tuple[Any, str]:
    """A card set up through its challenge; returns the succeeded intent and the customer."""
    cus = customer(client)
    si = set_up(client, cus, token)
    assert si.status == "requires_action"
    assert si.next_action.type == "redirect_to_url"
    assert si.next_action.redirect_to_url.return_url == SHOP
    assert "/3d_secure_2/hosted?" in si.next_action.redirect_to_url.url
    attempt = client.v1.setup_attempts.list(params={"setup_intent": si.id}).data[0]
    assert (attempt.id, attempt.status) == (si.latest_attempt, "requires_action")
    done = answer_challenge(server, si.next_action.redirect_to_url.url)
    assert done.status_code == 303
    assert done.headers["location"].startswith(SHOP + "?")
    assert "redirect_status=succeeded" in done.headers["location"]
    si = client.v1.setup_intents.retrieve(si.id)
    assert (si.status, si.next_action) == ("succeeded", None)
    attempt = client.v1.setup_attempts.list(params={"setup_intent": si.id}).data[0]
    assert attempt.status == "succeeded"
    assert attempt.payment_method_details.card.three_d_secure.authentication_flow == "challenge"
    assert attempt.payment_method_details.card.three_d_secure.result == "authenticated"
    assert client.v1.payment_methods.retrieve(si.payment_method).customer == cus
    assert event_types(client)[-4:] == [
        "setup_intent.created",
        "setup_intent.requires_action",
        "payment_method.attached",
        "setup_intent.succeeded",
    ]
    return si, cus


@pytest.mark.parametrize(
    "token",
    ["pm_card_authenticationRequiredOnSetup", "pm_card_authenticationRequiredSetupForOffSession"],
)
def test_set_up_with_a_challenge_then_paid_off_session_without_one(
    client: stripe.StripeClient, server: ServerProcess, token: str
) -> None:
    si, cus = challenged(client, server, token)
    pi = off_session(client, cus, si.payment_method)
    assert pi.status == "succeeded"
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert charge.payment_method_details.card.three_d_secure is None


def test_authenticated_at_setup_and_again_off_session(
    client: stripe.StripeClient, server: ServerProcess
) -> None:
    si, cus = challenged(client, server, "pm_card_authenticationRequired")
    with pytest.raises(stripe.CardError) as info:
        off_session(client, cus, si.payment_method)
    err = info.value
    assert err.http_status == 402
    assert (err.code, err.error.decline_code) == (
        "authentication_required",
        "authentication_required",
    )
    assert err.user_message == "Your card was declined. This transaction requires authentication."
    pi = err.error.payment_intent
    assert pi.status == "requires_payment_method"
    assert pi.last_payment_error.code == "authentication_required"
    assert pi.last_payment_error.payment_method.id == si.payment_method
    assert err.error.payment_method.id == si.payment_method
    # Recovery: the customer comes back on-session and authenticates the payment.
    again = client.v1.payment_intents.confirm(
        pi.id, params={"payment_method": si.payment_method, "return_url": SHOP}
    )
    assert again.status == "requires_action"
    done = answer_challenge(server, again.next_action.redirect_to_url.url)
    assert done.status_code == 303
    assert client.v1.payment_intents.retrieve(pi.id).status == "succeeded"


def test_failed_challenge_fails_the_setup(
    client: stripe.StripeClient, server: ServerProcess
) -> None:
    cus = customer(client)
    si = set_up(client, cus, "pm_card_authenticationRequired")
    done = answer_challenge(server, si.next_action.redirect_to_url.url, "fail")
    assert "redirect_status=failed" in done.headers["location"]
    failed = client.v1.setup_intents.retrieve(si.id)
    assert (failed.status, failed.payment_method) == ("requires_payment_method", None)
    assert failed.last_setup_error.code == "setup_intent_authentication_failure"
    assert failed.last_setup_error.message == FAILED
    assert failed.last_setup_error.type == "invalid_request_error"
    assert client.v1.customers.payment_methods.list(cus).data == []
    assert event_types(client)[-1] == "setup_intent.setup_failed"
    attempt = client.v1.setup_attempts.list(params={"setup_intent": si.id}).data[0]
    assert (attempt.status, attempt.setup_error.code) == (
        "failed",
        "setup_intent_authentication_failure",
    )
    # The challenge is over: the page refuses it now.
    again = answer_challenge_raw(server, si.next_action.redirect_to_url.url)
    assert again.status_code == 400


def answer_challenge_raw(server: ServerProcess, url: str) -> httpx.Response:
    page = urlsplit(url)
    return HTTP.get(server.url + page.path, params=dict(parse_qsl(page.query)), timeout=30)


def test_use_stripe_sdk_without_return_url(client: stripe.StripeClient) -> None:
    """The Stripe CLI's setup_intent.requires_action fixture: automatic methods, no return_url."""
    si = client.v1.setup_intents.create(
        params={"payment_method": "pm_card_authenticationRequired", "confirm": True}
    )
    assert si.status == "requires_action"
    action = si.next_action
    assert action.type == "use_stripe_sdk"
    assert action.use_stripe_sdk["type"] == "three_d_secure_redirect"
    assert action.use_stripe_sdk["source"] == si.latest_attempt
    assert_stripe_shape(si.to_dict())
    canceled = client.v1.setup_intents.cancel(si.id)
    assert (canceled.status, canceled.next_action) == ("canceled", None)
    attempt = client.v1.setup_attempts.list(params={"setup_intent": si.id}).data[0]
    assert attempt.status == "abandoned"


def test_request_three_d_secure_any_and_frictionless(client: stripe.StripeClient) -> None:
    cus = customer(client)
    si = set_up(
        client,
        cus,
        "pm_card_visa",
        payment_method_options={"card": {"request_three_d_secure": "any"}},
    )
    assert si.status == "requires_action"
    assert si.payment_method_options.card.request_three_d_secure == "any"
    card = {"number": "4000000032200000", "exp_month": 12, "exp_year": 2034, "cvc": "123"}
    frictionless = client.v1.setup_intents.create(
        params={
            "customer": cus,
            "payment_method_data": {"type": "card", "card": card},
            "payment_method_types": ["card"],
            "confirm": True,
        }
    )
    assert frictionless.status == "succeeded"
    attempt = client.v1.setup_attempts.list(params={"setup_intent": frictionless.id}).data[0]
    tds = attempt.payment_method_details.card.three_d_secure
    assert (tds.authentication_flow, tds.result) == ("frictionless", "authenticated")
    assert_stripe_shape(attempt.to_dict())
