"""ConfirmationTokens: created by Stripe.js (a publishable key, over HTTP as the browser sends
it) or by the test helper, retrieved with a secret key, and used once to confirm a
PaymentIntent on create or on confirm."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
import stripe

from payintents.wire.auth import SECRET_MESSAGE
from tests.conftest import make_client, new_key, publishable
from tests.http_client import HTTP
from tests.schema import assert_stripe_shape
from tests.server import ServerProcess

TWELVE_HOURS = 12 * 60 * 60
PUBLISHABLE_REFUSED = (
    "This API call cannot be made with a publishable API key. Please use a secret API key. "
    "You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys."
)
EMPTY_ADDRESS = dict.fromkeys(("city", "country", "line1", "line2", "postal_code", "state"))
NO_BILLING = {"address": EMPTY_ADDRESS, "email": None, "name": None, "phone": None}
# What Stripe.js adds to the payment details it sends (resources/payment_methods.py).
TELEMETRY = {
    "payment_method_data[guid]": "NA",
    "payment_method_data[muid]": "a1b2c3",
    "payment_method_data[sid]": "d4e5f6",
    "payment_method_data[payment_user_agent]": "stripe.js/v3; payment-element",
    "payment_method_data[referrer]": "https://shop.example",
    "payment_method_data[time_on_page]": "15234",
    "payment_method_data[client_attribution_metadata][client_session_id]": "0f1e",
    "payment_method_data[radar_options][hcaptcha_token]": "hc",
    "client_attribution_metadata[merchant_integration_source]": "elements",
    "client_attribution_metadata[merchant_integration_subtype]": "payment-element",
}


def card_data(number: str = "4242424242424242") -> dict[str, str]:
    return {
        "payment_method_data[type]": "card",
        "payment_method_data[card][number]": number,
        "payment_method_data[card][exp_month]": "12",
        "payment_method_data[card][exp_year]": "2034",
        "payment_method_data[card][cvc]": "123",
    }


def from_browser(server: ServerProcess, key: str, data: dict[str, Any]) -> httpx.Response:
    """POST /v1/confirmation_tokens as Stripe.js sends it: no Authorization header, the
    publishable key and API version as form parameters."""
    body = {**data, "key": publishable(key), "_stripe_version": "2025-03-31.basil"}
    return HTTP.post(server.url + "/v1/confirmation_tokens", data=body)


def browser_token(server: ServerProcess, key: str, number: str = "4242424242424242") -> str:
    resp = from_browser(server, key, card_data(number))
    assert resp.status_code == 200, resp.text
    return resp.json()["id"]


def helper_token(client: stripe.StripeClient, **params: Any) -> stripe.ConfirmationToken:
    return client.v1.test_helpers.confirmation_tokens.create(
        params={"payment_method": "pm_card_visa", **params}
    )


def pay(client: stripe.StripeClient, token: str, **params: Any) -> stripe.PaymentIntent:
    return client.v1.payment_intents.create(
        params={
            "amount": 2000,
            "currency": "usd",
            "confirm": True,
            "confirmation_token": token,
            **params,
        }
    )


def refused(call: Any) -> stripe.StripeError:
    with pytest.raises(stripe.StripeError) as info:
        call()
    return info.value


def error_of(resp: httpx.Response) -> dict[str, Any]:
    body = resp.json()
    assert set(body) == {"error"}
    return body["error"]


def test_the_test_helper_makes_a_token_retrieve_shows_it(client) -> None:
    shipping = {"name": "Jenny Rosen", "phone": "+15555550100", "address": {"line1": "1 Main"}}
    token = helper_token(
        client,
        return_url="https://shop.example/back",
        setup_future_usage="off_session",
        shipping=shipping,
        payment_method_options={"card": {"installments": {"plan": {"type": "bonus"}}}},
    )
    assert token.id.startswith("ctoken_")
    assert token.expires_at == token.created + TWELVE_HOURS
    got = token.to_dict()
    preview = got.pop("payment_method_preview")
    assert got == {
        "id": token.id,
        "object": "confirmation_token",
        "created": token.created,
        "expires_at": token.created + TWELVE_HOURS,
        "livemode": False,
        "mandate_data": None,
        "metadata": {},
        "payment_intent": None,
        "payment_method_options": {
            "card": {
                "cvc_token": None,
                "installments": {"plan": {"count": None, "interval": None, "type": "bonus"}},
            }
        },
        "return_url": "https://shop.example/back",
        "setup_future_usage": "off_session",
        "setup_intent": None,
        "shipping": {
            "address": {**EMPTY_ADDRESS, "line1": "1 Main"},
            "name": "Jenny Rosen",
            "phone": "+15555550100",
        },
        "use_stripe_sdk": True,
    }
    card = preview.pop("card")
    assert preview == {
        "allow_redisplay": "unspecified",
        "billing_details": NO_BILLING,
        "customer": None,
        "customer_account": None,
        "type": "card",
    }
    assert (card["brand"], card["last4"], card["funding"]) == ("visa", "4242", "credit")
    assert_stripe_shape(token.to_dict())
    again = client.v1.confirmation_tokens.retrieve(token.id)
    assert again.to_dict() == token.to_dict()


def test_stripe_js_creates_a_token_with_its_publishable_key(server, api_key) -> None:
    data = {
        **card_data(),
        **TELEMETRY,
        "payment_method_data[billing_details][name]": "Jenny Rosen",
        "payment_method_data[billing_details][email]": "jenny@example.com",
        "payment_method_data[billing_details][address][country]": "US",
        "payment_method_data[billing_details][address][postal_code]": "94107",
        "payment_method_data[allow_redisplay]": "always",
        "return_url": "https://shop.example/done",
        "setup_future_usage": "on_session",
        "shipping[name]": "Jenny Rosen",
        "shipping[address][line1]": "1 Main",
        "shipping[address][country]": "US",
        "client_context[mode]": "payment",
        "client_context[currency]": "usd",
        "client_context[payment_method_types][0]": "card",
        "metadata[cart]": "c_42",
    }
    resp = from_browser(server, api_key, data)
    assert resp.status_code == 200, resp.text
    token = resp.json()
    # A publishable key is not shown the metadata (Stripe shows it to secret keys).
    assert "metadata" not in token
    preview = token["payment_method_preview"]
    assert preview["billing_details"] == {
        "address": {**EMPTY_ADDRESS, "country": "US", "postal_code": "94107"},
        "email": "jenny@example.com",
        "name": "Jenny Rosen",
        "phone": None,
    }
    assert preview["allow_redisplay"] == "always"
    assert preview["card"]["last4"] == "4242"
    assert preview["card"]["checks"]["cvc_check"] == "unchecked"
    assert (token["return_url"], token["setup_future_usage"]) == (
        "https://shop.example/done",
        "on_session",
    )
    assert token["shipping"]["address"]["country"] == "US"
    seen = make_client(server, api_key).v1.confirmation_tokens.retrieve(token["id"]).to_dict()
    assert seen == {**token, "metadata": {"cart": "c_42"}}
    assert_stripe_shape(seen)
    # The Authorization header works as well as the form parameter.
    bearer = HTTP.post(
        server.url + "/v1/confirmation_tokens",
        headers={"Authorization": f"Bearer {publishable(api_key)}"},
        data=card_data(),
    )
    assert bearer.status_code == 200 and bearer.json()["payment_intent"] is None


def test_keys_each_endpoint_takes(server, api_key) -> None:
    secret = HTTP.post(server.url + "/v1/confirmation_tokens", auth=(api_key, ""), data=card_data())
    assert secret.status_code == 403
    assert error_of(secret) == {
        "message": SECRET_MESSAGE,
        "type": "invalid_request_error",
    }
    token = browser_token(server, api_key)
    for method, path, body in (
        ("GET", f"/v1/confirmation_tokens/{token}", None),
        ("POST", "/v1/test_helpers/confirmation_tokens", {"payment_method": "pm_card_visa"}),
    ):
        resp = HTTP.request(
            method,
            server.url + path,
            headers={"Authorization": f"Bearer {publishable(api_key)}"},
            data=body,
        )
        assert resp.status_code == 403
        err = error_of(resp)
        assert (err["code"], err["message"]) == ("secret_key_required", PUBLISHABLE_REFUSED)
    live = make_client(server, "sk_live_" + new_key().removeprefix("sk_test_"))
    err = refused(lambda: live.v1.test_helpers.confirmation_tokens.create(params={}))
    assert err.http_status == 400
    assert err.user_message == "Test helpers can only be used with test mode API keys."


def test_bad_input_at_creation(server, client, api_key) -> None:
    err = refused(
        lambda: client.v1.test_helpers.confirmation_tokens.create(
            params={"payment_method": "pm_card_visa", "payment_method_data": {"type": "sepa_debit"}}
        )
    )
    assert (err.http_status, err.code, err.param) == (400, "parameters_exclusive", "payment_method")
    assert err.user_message == (
        "You may only specify one of these parameters: payment_method, payment_method_data."
    )
    err = refused(
        lambda: client.v1.test_helpers.confirmation_tokens.create(
            params={"payment_method_data": {"type": "card"}}
        )
    )
    assert (err.http_status, err.param) == (400, "payment_method_data[type]")
    assert err.user_message.startswith("The test helper takes no card details")
    err = refused(
        lambda: client.v1.test_helpers.confirmation_tokens.create(
            params={"payment_method": "pm_nope"}
        )
    )
    assert (err.http_status, err.code, err.param) == (404, "resource_missing", "payment_method")
    assert err.user_message == "No such PaymentMethod: 'pm_nope'"
    # A card Stripe.js sends is tokenized now: a wrong number is refused at once.
    wrong = from_browser(server, api_key, card_data("4242424242424241"))
    assert wrong.status_code == 402
    assert error_of(wrong)["code"] == "incorrect_number"
    assert error_of(wrong)["param"] == "payment_method_data[card][number]"
    missing = from_browser(
        server,
        api_key,
        {**card_data(), "mandate_data[customer_acceptance][type]": "online"},
    )
    assert missing.status_code == 400
    assert error_of(missing)["code"] == "parameter_missing"
    assert error_of(missing)["param"] == "mandate_data[customer_acceptance][online]"
    missing = from_browser(
        server,
        api_key,
        {
            **card_data(),
            "mandate_data[customer_acceptance][type]": "online",
            "mandate_data[customer_acceptance][online][ip_address]": "203.0.113.9",
        },
    )
    assert error_of(missing)["param"] == "mandate_data[customer_acceptance][online][user_agent]"
    err = refused(lambda: client.v1.confirmation_tokens.retrieve("ctoken_nope"))
    assert (err.http_status, err.code, err.param) == (404, "resource_missing", "confirmation_token")
    assert err.user_message == "No such confirmationtoken: 'ctoken_nope'"


def test_a_payment_confirmed_with_a_token(server, client, api_key) -> None:
    """The intent takes the token's payment method (made now, from its details), shipping,
    setup_future_usage; the token names the intent and no longer expires."""
    customer = client.v1.customers.create(params={"email": "j@example.com"})
    resp = from_browser(
        server,
        api_key,
        {
            **card_data(),
            **TELEMETRY,
            "payment_method_data[billing_details][name]": "Jenny Rosen",
            "payment_method_data[metadata][source]": "checkout",
            "setup_future_usage": "off_session",
            "shipping[name]": "Jenny Rosen",
            "shipping[address][line1]": "1 Main",
        },
    )
    token = resp.json()
    pi = pay(client, token["id"], customer=customer.id, automatic_payment_methods={"enabled": True})
    assert (pi.status, pi.amount_received) == ("succeeded", 2000)
    assert pi.setup_future_usage == "off_session"
    assert pi.shipping is not None and pi.shipping.name == "Jenny Rosen"
    assert pi.shipping.address is not None and pi.shipping.address.line1 == "1 Main"
    pm = client.v1.payment_methods.retrieve(str(pi.payment_method))
    assert pm.created >= token["created"]
    assert pm.card is not None and pm.card.last4 == "4242"
    assert pm.billing_details.name == "Jenny Rosen"
    assert pm.metadata.to_dict() == {"source": "checkout"}
    # Saved for later: setup_future_usage with a customer attaches the method.
    assert pm.customer == customer.id
    used = client.v1.confirmation_tokens.retrieve(token["id"])
    assert (used.payment_intent, used.setup_intent, used.expires_at) == (pi.id, None, None)
    charge = client.v1.charges.retrieve(str(pi.latest_charge))
    assert (charge.status, charge.payment_method) == ("succeeded", pm.id)


def test_confirm_with_a_token_by_secret_and_by_publishable_key(server, client, api_key) -> None:
    pi = client.v1.payment_intents.create(
        params={"amount": 1500, "currency": "eur", "payment_method_types": ["card"]}
    )
    token = helper_token(client)
    confirmed = client.v1.payment_intents.confirm(pi.id, params={"confirmation_token": token.id})
    assert confirmed.status == "succeeded"
    assert client.v1.confirmation_tokens.retrieve(token.id).payment_intent == pi.id
    # Stripe.js: confirmPayment({clientSecret, confirmParams: {confirmation_token}}).
    other = client.v1.payment_intents.create(
        params={"amount": 1500, "currency": "eur", "payment_method_types": ["card"]}
    )
    ctoken = browser_token(server, api_key)
    resp = HTTP.post(
        f"{server.url}/v1/payment_intents/{other.id}/confirm",
        data={
            "key": publishable(api_key),
            "client_secret": other.client_secret,
            "confirmation_token": ctoken,
            "expected_payment_method_type": "card",
        },
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "succeeded"
    assert "metadata" not in resp.json()


def test_a_declined_card_uses_the_token_and_the_error_carries_the_intent(
    server, client, api_key
) -> None:
    token = browser_token(server, api_key, "4000000000000002")
    err = refused(lambda: pay(client, token, payment_method_types=["card"]))
    assert isinstance(err, stripe.CardError)
    assert (err.http_status, err.code, err.error.decline_code) == (
        402,
        "card_declined",
        "generic_decline",
    )
    assert err.user_message == "Your card was declined."
    failed = err.error.payment_intent
    assert failed is not None
    assert (failed.status, failed.amount) == ("requires_payment_method", 2000)
    assert failed.last_payment_error is not None
    assert err.error.payment_method is not None
    pm_id = err.error.payment_method.id
    assert failed.last_payment_error.payment_method.id == pm_id
    assert client.v1.confirmation_tokens.retrieve(token).payment_intent == failed.id
    again = refused(
        lambda: client.v1.payment_intents.confirm(failed.id, {"confirmation_token": token})
    )
    assert (again.http_status, again.code) == (400, "token_already_used")
    assert again.user_message == (
        f"This ConfirmationToken ({token}) was already used to confirm {failed.id}. A "
        "ConfirmationToken can be used once: create a new one."
    )


def test_three_d_secure_needs_the_stripe_sdk_unless_the_request_says_otherwise(
    server, client, api_key
) -> None:
    back = "https://shop.example/back"
    resp = from_browser(server, api_key, {**card_data("4000002500003155"), "return_url": back})
    pi = pay(client, resp.json()["id"], payment_method_types=["card"])
    # The token's use_stripe_sdk (true): Stripe.js's handleNextAction shows the challenge.
    assert pi.status == "requires_action"
    assert pi.next_action is not None and pi.next_action.type == "use_stripe_sdk"
    assert pi.next_action.use_stripe_sdk["type"] == "three_d_secure_redirect"
    assert "/3d_secure_2/hosted?" in pi.next_action.use_stripe_sdk["stripe_js"]
    # Values in the request take precedence over the token's.
    token = helper_token(client, payment_method="pm_card_threeDSecure2Required", return_url=back)
    redirect = pay(client, token.id, payment_method_types=["card"], use_stripe_sdk=False)
    assert redirect.next_action is not None and redirect.next_action.type == "redirect_to_url"
    assert redirect.next_action.redirect_to_url.return_url == back
    mine = helper_token(client, payment_method="pm_card_threeDSecure2Required", return_url=back)
    own = pay(
        client,
        mine.id,
        payment_method_types=["card"],
        use_stripe_sdk=False,
        return_url="https://shop.example/mine",
    )
    assert own.next_action is not None
    assert own.next_action.redirect_to_url.return_url == "https://shop.example/mine"


def test_the_request_takes_precedence_over_the_token(server, client, api_key) -> None:
    customer = client.v1.customers.create(params={})
    saved = client.v1.payment_methods.attach("pm_card_mastercard", {"customer": customer.id})
    token = helper_token(client, setup_future_usage="off_session")
    pi = pay(
        client,
        token.id,
        customer=customer.id,
        payment_method=saved.id,
        setup_future_usage="on_session",
        payment_method_types=["card"],
    )
    assert (pi.status, pi.payment_method, pi.setup_future_usage) == (
        "succeeded",
        saved.id,
        "on_session",
    )
    assert client.v1.confirmation_tokens.retrieve(token.id).payment_intent == pi.id


def test_a_token_of_a_saved_method(server, client, api_key) -> None:
    customer = client.v1.customers.create(params={"name": "J"})
    saved = client.v1.payment_methods.attach("pm_card_visa", {"customer": customer.id})
    token = helper_token(client, payment_method=saved.id)
    assert token.payment_method_preview is not None
    assert token.payment_method_preview.customer == customer.id
    expanded = client.v1.confirmation_tokens.retrieve(
        token.id, params={"expand": ["payment_method_preview.customer"]}
    )
    assert expanded.payment_method_preview.customer.name == "J"
    # Not for an intent of no customer (checked when used); the token stays unused.
    err = refused(lambda: pay(client, token.id, payment_method_types=["card"]))
    assert (err.http_status, err.param) == (400, "payment_method")
    assert err.user_message == (
        f"The PaymentMethod {saved.id} belongs to the Customer {customer.id}. Please include "
        "the Customer in the `customer` parameter on the PaymentIntent."
    )
    assert client.v1.confirmation_tokens.retrieve(token.id).payment_intent is None
    pi = pay(client, token.id, customer=customer.id, payment_method_types=["card"])
    assert (pi.status, pi.payment_method) == ("succeeded", saved.id)


def test_a_refused_confirm_leaves_the_token_unused(server, client, api_key) -> None:
    token = helper_token(client)
    err = refused(lambda: pay(client, token.id, payment_method_types=["us_bank_account"]))
    assert (err.http_status, err.code) == (400, "payment_intent_incompatible_payment_method")
    err = refused(
        lambda: client.v1.payment_intents.create(
            params={"amount": 2000, "currency": "usd", "confirmation_token": token.id}
        )
    )
    assert (err.http_status, err.param) == (400, "confirmation_token")
    assert err.user_message == "You can only provide `confirmation_token` when `confirm` is true."
    kept = client.v1.confirmation_tokens.retrieve(token.id)
    assert (kept.payment_intent, kept.expires_at) == (None, token.expires_at)
    assert client.v1.payment_intents.list(params={"limit": 5}).data == []
    assert pay(client, token.id, payment_method_types=["card"]).status == "succeeded"


def test_a_token_of_another_account_or_none(server, client) -> None:
    other = helper_token(make_client(server))
    for token in (other.id, "ctoken_nope", "pm_card_visa"):
        err = refused(lambda token=token: pay(client, token))
        assert (err.http_status, err.code, err.param) == (
            404,
            "resource_missing",
            "confirmation_token",
        )
        assert err.user_message == f"No such confirmationtoken: '{token}'"
    assert client.v1.payment_intents.list(params={"limit": 5}).data == []


def test_client_context_must_match_the_intent(server, client, api_key) -> None:
    resp = from_browser(
        server,
        api_key,
        {**card_data(), "client_context[mode]": "payment", "client_context[currency]": "eur"},
    )
    err = refused(lambda: pay(client, resp.json()["id"], payment_method_types=["card"]))
    assert (err.http_status, err.code, err.param) == (
        400,
        "payment_intent_invalid_parameter",
        "confirmation_token",
    )
    assert err.user_message == (
        "The ConfirmationToken was created for currency eur (its client_context, the Elements "
        "options), but this payment intent has currency usd. Create the Elements instance "
        "with the same options as the intent."
    )
    manual = from_browser(
        server, api_key, {**card_data(), "client_context[capture_method]": "manual"}
    )
    err = refused(lambda: pay(client, manual.json()["id"], payment_method_types=["card"]))
    assert "capture_method manual" in err.user_message
    held = pay(client, manual.json()["id"], payment_method_types=["card"], capture_method="manual")
    assert held.status == "requires_capture"
    same = from_browser(server, api_key, {**card_data(), "client_context[currency]": "usd"})
    assert pay(client, same.json()["id"], payment_method_types=["card"]).status == "succeeded"


def test_a_bank_debit_takes_the_tokens_mandate(server, client, api_key) -> None:
    """Stripe.js asks the server to infer the mandate's address and user agent."""
    resp = HTTP.post(
        server.url + "/v1/confirmation_tokens",
        headers={"User-Agent": "Mozilla/5.0 (checkout test)"},
        data={
            "key": publishable(api_key),
            "payment_method": "pm_usBankAccount_success",
            "mandate_data[customer_acceptance][type]": "online",
            "mandate_data[customer_acceptance][online][infer_from_client]": "true",
        },
    )
    assert resp.status_code == 200, resp.text
    token = resp.json()
    assert token["mandate_data"] == {
        "customer_acceptance": {
            "online": {"ip_address": "127.0.0.1", "user_agent": "Mozilla/5.0 (checkout test)"},
            "type": "online",
        }
    }
    assert token["payment_method_preview"]["type"] == "us_bank_account"
    pi = pay(client, token["id"], payment_method_types=["us_bank_account"])
    assert pi.status == "processing"
    charge = client.v1.charges.retrieve(str(pi.latest_charge))
    details = charge.payment_method_details
    assert details is not None and details.us_bank_account is not None
    assert str(details.us_bank_account.mandate).startswith("mandate_")
    # Without a mandate, a bank debit is refused as on any confirm.
    bare = helper_token(client, payment_method="pm_usBankAccount_success")
    err = refused(lambda: pay(client, bare.id, payment_method_types=["us_bank_account"]))
    assert err.http_status == 400 and "requires a mandate" in err.user_message
    assert client.v1.confirmation_tokens.retrieve(bare.id).payment_intent is None


def test_one_token_confirms_one_intent_whatever_the_concurrency(server, client, api_key) -> None:
    intents = [
        client.v1.payment_intents.create(
            params={"amount": 1000 + n, "currency": "usd", "payment_method_types": ["card"]}
        )
        for n in range(8)
    ]
    token = helper_token(client)
    barrier = threading.Barrier(len(intents))
    results: list[Any] = []

    def confirm(pi: stripe.PaymentIntent) -> None:
        own = make_client(server, api_key)
        barrier.wait()
        try:
            results.append(own.v1.payment_intents.confirm(pi.id, {"confirmation_token": token.id}))
        except stripe.StripeError as err:
            results.append(err)

    threads = [threading.Thread(target=confirm, args=(pi,)) for pi in intents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    paid = [r for r in results if isinstance(r, stripe.PaymentIntent)]
    failures = [r for r in results if isinstance(r, stripe.StripeError)]
    assert [p.status for p in paid] == ["succeeded"]
    assert {(e.http_status, e.code) for e in failures} == {(400, "token_already_used")}
    assert len(failures) == len(intents) - 1
    assert client.v1.confirmation_tokens.retrieve(token.id).payment_intent == paid[0].id


def test_a_token_expires_twelve_hours_after_it_is_made(fresh_server: ServerProcess) -> None:
    proc = fresh_server.start()
    key = new_key()
    client = make_client(proc, key)
    early, late = helper_token(client), helper_token(client)
    proc.args = ["--clock-offset", str(TWELVE_HOURS - 60)]
    proc.restart()
    assert pay(client, early.id, payment_method_types=["card"]).status == "succeeded"
    proc.args = ["--clock-offset", str(TWELVE_HOURS)]
    proc.restart()
    err = refused(lambda: pay(client, late.id, payment_method_types=["card"]))
    assert (err.http_status, err.code, err.param) == (
        400,
        "payment_intent_invalid_parameter",
        "confirmation_token",
    )
    assert err.user_message == (
        f"This ConfirmationToken ({late.id}) expired at {late.expires_at}: a ConfirmationToken "
        "can be used for 12 hours after it is created. Create a new one."
    )
    kept = client.v1.confirmation_tokens.retrieve(late.id)
    assert (kept.payment_intent, kept.expires_at) == (None, late.expires_at)
