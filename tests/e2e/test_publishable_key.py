"""A publishable key with an intent's client_secret: what Stripe.js may read and do."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import stripe

from tests.conftest import make_client, new_key, publishable
from tests.http_client import HTTP

REDUCED = {
    "id", "object", "amount", "automatic_payment_methods", "canceled_at",
    "cancellation_reason", "capture_method", "client_secret", "confirmation_method", "created",
    "currency", "description", "last_payment_error", "livemode", "next_action",
    "payment_method", "payment_method_types", "processing", "receipt_email",
    "setup_future_usage", "shipping", "status",
}  # fmt: skip

WRONG_SECRET = (
    "The client_secret provided does not match the client_secret associated with the PaymentIntent."
)
MISSING_SECRET = (
    "Missing required param: client_secret. A publishable key acts on a PaymentIntent only "
    "with the PaymentIntent's client_secret."
)
SECRET_REQUIRED = (
    "This API call cannot be made with a publishable API key. Please use a secret API key. "
    "You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys."
)


def intent(client: stripe.StripeClient, **params):
    return client.v1.payment_intents.create(
        params={
            "amount": 2500,
            "currency": "usd",
            "payment_method_types": ["card"],
            "metadata": {"order": "7"},
            **params,
        }
    )


def call(server, key: str, method: str, path: str, data: dict | None = None) -> httpx.Response:
    return HTTP.request(
        method,
        server.url + path,
        headers={"Authorization": f"Bearer {key}"},
        params=data if method == "GET" else None,
        data=data if method != "GET" else None,
    )


def test_retrieve_returns_the_reduced_object(server, client, api_key) -> None:
    pi = intent(client)
    resp = call(
        server, publishable(api_key), "GET", f"/v1/payment_intents/{pi.id}",
        {"client_secret": pi.client_secret},
    )  # fmt: skip
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == REDUCED
    assert body["id"] == pi.id
    assert body["amount"] == 2500
    assert body["client_secret"] == pi.client_secret
    assert body["status"] == "requires_payment_method"
    # The SDK sends the same request.
    pk = make_client(server, publishable(api_key))
    got = pk.v1.payment_intents.retrieve(pi.id, params={"client_secret": pi.client_secret})
    assert got.id == pi.id
    assert "metadata" not in got


def test_confirm_with_publishable_key_succeeds(server, client, api_key) -> None:
    pi = intent(client)
    pk = make_client(server, publishable(api_key))
    done = pk.v1.payment_intents.confirm(
        pi.id,
        params={
            "client_secret": pi.client_secret,
            "payment_method": "pm_card_visa",
            "return_url": "https://shop.example/return",
        },
    )
    assert done.status == "succeeded"
    assert set(done.to_dict()) == REDUCED
    full = client.v1.payment_intents.retrieve(pi.id)
    assert full.status == "succeeded"
    assert full.amount_received == 2500
    assert full.metadata.to_dict() == {"order": "7"}


def test_three_d_secure_with_publishable_key(server, client, api_key) -> None:
    pi = intent(client)
    pk_key = publishable(api_key)
    resp = call(
        server, pk_key, "POST", f"/v1/payment_intents/{pi.id}/confirm",
        {"client_secret": pi.client_secret, "payment_method": "pm_card_authenticationRequired",
         "return_url": "https://shop.example/return"},
    )  # fmt: skip
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "requires_action"
    assert set(body) == REDUCED
    url = urlsplit(body["next_action"]["redirect_to_url"]["url"])
    query = dict(parse_qsl(url.query))
    assert query["publishable_key"] == pk_key
    page = HTTP.get(server.url + url.path, params=query)
    assert page.status_code == 200
    answer = HTTP.post(
        server.url + url.path, data={**query, "outcome": "complete"}, follow_redirects=False
    )
    assert answer.status_code in (200, 302, 303)
    assert client.v1.payment_intents.retrieve(pi.id).status == "succeeded"


@pytest.mark.parametrize(
    "method, suffix", [("GET", ""), ("POST", "/confirm"), ("POST", "/verify_microdeposits")]
)
def test_wrong_and_missing_client_secret(server, client, api_key, method, suffix) -> None:
    pi = intent(client, payment_method="pm_card_visa")
    path = f"/v1/payment_intents/{pi.id}{suffix}"
    form = {"amounts[0]": "32", "amounts[1]": "45"} if suffix == "/verify_microdeposits" else {}
    wrong = call(
        server, publishable(api_key), method, path, {**form, "client_secret": pi.id + "_secret_x"}
    )
    assert wrong.status_code == 400
    assert wrong.json()["error"]["code"] == "payment_intent_invalid_parameter"
    assert wrong.json()["error"]["type"] == "invalid_request_error"
    assert wrong.json()["error"]["message"] == WRONG_SECRET
    assert wrong.json()["error"]["param"] == "client_secret"
    missing = call(server, publishable(api_key), method, path, form)
    assert missing.status_code == 400
    error = missing.json()["error"]
    assert (error["type"], error["code"], error["param"], error["message"]) == (
        "invalid_request_error", "parameter_missing", "client_secret", MISSING_SECRET,
    )  # fmt: skip
    assert client.v1.payment_intents.retrieve(pi.id).status == "requires_confirmation"


def test_manual_confirmation_needs_the_secret_key(server, client, api_key) -> None:
    pi = intent(client, payment_method="pm_card_visa", confirmation_method="manual")
    pk = make_client(server, publishable(api_key))
    with pytest.raises(stripe.PermissionError) as denied:
        pk.v1.payment_intents.confirm(pi.id, params={"client_secret": pi.client_secret})
    assert denied.value.http_status == 403
    assert denied.value.error.code == "secret_key_required"
    assert client.v1.payment_intents.retrieve(pi.id).status == "requires_confirmation"
    # Reading it is still allowed.
    got = pk.v1.payment_intents.retrieve(pi.id, params={"client_secret": pi.client_secret})
    assert got.confirmation_method == "manual"


def test_another_accounts_publishable_key_sees_nothing(server, client) -> None:
    pi = intent(client)
    resp = call(
        server, publishable(new_key()), "GET", f"/v1/payment_intents/{pi.id}",
        {"client_secret": pi.client_secret},
    )  # fmt: skip
    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "resource_missing"
    assert resp.json()["error"]["param"] == "intent"


@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", "/v1/payment_intents"),
        ("GET", "/v1/payment_intents"),
        ("POST", "/v1/payment_intents/{id}"),
        ("POST", "/v1/payment_intents/{id}/cancel"),
        ("POST", "/v1/payment_intents/{id}/capture"),
        ("GET", "/v1/charges"),
        ("GET", "/v1/customers"),
    ],
)
def test_other_endpoints_refuse_publishable_keys(server, client, api_key, method, path) -> None:
    pi = intent(client)
    resp = call(
        server, publishable(api_key), method, path.format(id=pi.id),
        {"client_secret": pi.client_secret},
    )  # fmt: skip
    assert resp.status_code == 403
    error = resp.json()["error"]
    assert (error["type"], error["code"], error["message"]) == (
        "invalid_request_error", "secret_key_required", SECRET_REQUIRED,
    )  # fmt: skip
    assert client.v1.payment_intents.retrieve(pi.id).status == "requires_payment_method"


def secret_get(server, key: str, path: str) -> dict:
    return HTTP.get(server.url + path, headers={"Authorization": f"Bearer {key}"}).json()


@pytest.mark.parametrize("idempotency_key", [None, "pk-decline-1"])
def test_errors_carry_the_reduced_intent(server, client, api_key, idempotency_key) -> None:
    """A decline answered to a publishable key holds the intent as that key may see it
    (with or without an Idempotency-Key, whose stored answer is the one replayed)."""
    customer = client.v1.customers.create(params={"email": "buyer@example.com"})
    pi = intent(client, customer=customer.id)
    path = f"/v1/payment_intents/{pi.id}/confirm"
    form = {"client_secret": pi.client_secret, "payment_method": "pm_card_chargeDeclined"}
    headers = {"Authorization": f"Bearer {publishable(api_key)}"}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    resp = HTTP.post(server.url + path, data=form, headers=headers)
    assert resp.status_code == 402
    error = resp.json()["error"]
    assert (error["type"], error["code"], error["decline_code"], error["message"]) == (
        "card_error", "card_declined", "generic_decline", "Your card was declined.",
    )  # fmt: skip
    shown = error["payment_intent"]
    assert set(shown) == REDUCED
    assert (shown["id"], shown["status"], shown["amount"]) == (
        pi.id, "requires_payment_method", 2500,
    )  # fmt: skip
    assert shown["last_payment_error"]["code"] == "card_declined"
    # The payment method is shown whole, as Stripe.js gets it.
    pm_id = error["payment_method"]["id"]
    assert error["payment_method"] == secret_get(server, api_key, f"/v1/payment_methods/{pm_id}")
    assert (
        error["charge"]
        == secret_get(server, api_key, f"/v1/payment_intents/{pi.id}")["latest_charge"]
    )
    if idempotency_key:
        again = HTTP.post(server.url + path, data=form, headers=headers)
        assert again.headers["idempotent-replayed"] == "true"
        assert again.content == resp.content


def test_a_secret_key_sees_the_whole_intent_in_errors(server, client, api_key) -> None:
    pi = intent(client)
    resp = call(
        server, api_key, "POST", f"/v1/payment_intents/{pi.id}/confirm",
        {"payment_method": "pm_card_chargeDeclined"},
    )  # fmt: skip
    assert resp.status_code == 402
    shown = resp.json()["error"]["payment_intent"]
    assert shown == secret_get(server, api_key, f"/v1/payment_intents/{pi.id}")
    assert shown["metadata"] == {"order": "7"}


def test_state_errors_carry_the_reduced_intent(server, client, api_key) -> None:
    pi = intent(client, payment_method="pm_card_visa", confirm=True)
    resp = call(
        server, publishable(api_key), "POST", f"/v1/payment_intents/{pi.id}/confirm",
        {"client_secret": pi.client_secret},
    )  # fmt: skip
    assert resp.status_code == 400
    error = resp.json()["error"]
    assert (error["type"], error["code"], error["message"]) == (
        "invalid_request_error",
        "payment_intent_unexpected_state",
        "You cannot confirm this PaymentIntent because it has already succeeded after being "
        "previously confirmed.",
    )
    assert set(error["payment_intent"]) == REDUCED
    assert error["payment_intent"]["status"] == "succeeded"


# Stripe.js: no Authorization header; the publishable key is the form parameter `key`, with
# the fields it adds (as recorded from its confirmPayment, retrievePaymentIntent and
# createPaymentMethod requests).
STRIPE_JS_TELEMETRY = {
    "guid": "5d292590-041b-4c7c-95b9-6564dff8c3f5b3860a",
    "muid": "f3053a7e-5b83-4f0a-9d60-015e61126fa5eb18e6",
    "sid": "75292bf6-7798-4cbc-a03b-930c88e2724be439c0",
    "pasted_fields": "number",
    "payment_user_agent": "stripe.js/c6f2aaa66; stripe-js-v3/c6f2aaa66; payment-element",
    "referrer": "https://shop.example",
    "time_on_page": "48787",
    "client_attribution_metadata[client_session_id]": "dc7fb132-472f-4a34-bfdf-2bf85d16403b",
    "client_attribution_metadata[merchant_integration_source]": "elements",
    "client_attribution_metadata[merchant_integration_subtype]": "payment-element",
}
CARD_FORM = {
    "type": "card",
    "card[number]": "4242424242424242",
    "card[cvc]": "123",
    "card[exp_month]": "12",
    "card[exp_year]": "34",
    "allow_redisplay": "unspecified",
    "billing_details[address][postal_code]": "94107",
    "billing_details[address][country]": "US",
}
SECRET_AS_KEY = (
    "The key parameter takes a publishable API key only, as Stripe.js sends it. Do not send a "
    "secret or restricted API key from a browser; send it in the Authorization header from "
    "your server instead."
)


def nested(prefix: str, form: dict[str, str]) -> dict[str, str]:
    """`card[number]` as `payment_method_data[card][number]`."""
    out = {}
    for key, value in form.items():
        head, bracket, rest = key.partition("[")
        out[f"{prefix}[{head}]{bracket}{rest}"] = value
    return out


def stripe_js_confirm_form(pk: str, client_secret: str) -> dict[str, str]:
    return {
        "return_url": "https://shop.example/return",
        **nested("payment_method_data", {**CARD_FORM, **STRIPE_JS_TELEMETRY}),
        "expected_payment_method_type": "card",
        "use_stripe_sdk": "true",
        "webauthn_uvpa_available": "false",
        "spc_eligible": "false",
        "key": pk,
        "client_secret": client_secret,
    }


def test_stripe_js_confirm_and_retrieve(server, client, api_key) -> None:
    pi = intent(client)
    form = stripe_js_confirm_form(publishable(api_key), pi.client_secret)
    assert form["payment_method_data[card][number]"] == "4242424242424242"
    assert form["payment_method_data[client_attribution_metadata][client_session_id]"]
    confirmed = HTTP.post(f"{server.url}/v1/payment_intents/{pi.id}/confirm", data=form)
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert set(body) == REDUCED
    assert (body["status"], body["amount"]) == ("succeeded", 2500)
    full = client.v1.payment_intents.retrieve(pi.id)
    assert (full.status, full.amount_received, full.payment_method) == (
        "succeeded", 2500, body["payment_method"],
    )  # fmt: skip
    pm = client.v1.payment_methods.retrieve(body["payment_method"])
    assert (pm.card.last4, pm.card.exp_year, pm.billing_details.address.postal_code) == (
        "4242", 2034, "94107",
    )  # fmt: skip
    # retrievePaymentIntent: a GET whose query holds the key and the API version.
    got = HTTP.get(
        f"{server.url}/v1/payment_intents/{pi.id}",
        params={"key": publishable(api_key), "is_stripe_sdk": "false",
                "client_secret": pi.client_secret, "_stripe_version": "2024-06-20"},
    )  # fmt: skip
    assert got.status_code == 200, got.text
    assert got.headers["stripe-version"] == "2024-06-20"
    assert set(got.json()) == REDUCED
    assert got.json()["status"] == "succeeded"


def test_stripe_js_creates_a_payment_method(server, client, api_key) -> None:
    resp = HTTP.post(
        f"{server.url}/v1/payment_methods",
        data={**CARD_FORM, **STRIPE_JS_TELEMETRY, "key": publishable(api_key)},
    )
    assert resp.status_code == 200, resp.text
    pm = resp.json()
    assert (pm["object"], pm["type"], pm["card"]["last4"], pm["card"]["exp_year"]) == (
        "payment_method", "card", "4242", 2034,
    )  # fmt: skip
    # Telemetry is accepted and shown nowhere.
    assert not set(STRIPE_JS_TELEMETRY) & set(pm)
    assert client.v1.payment_methods.retrieve(pm["id"]).id == pm["id"]


@pytest.mark.parametrize("prefix", ["sk_test_", "rk_test_"])
def test_a_secret_key_in_the_form_is_refused(server, client, api_key, prefix) -> None:
    pi = intent(client)
    form = stripe_js_confirm_form(prefix + api_key.removeprefix("sk_test_"), pi.client_secret)
    resp = HTTP.post(f"{server.url}/v1/payment_intents/{pi.id}/confirm", data=form)
    assert resp.status_code == 401
    error = resp.json()["error"]
    assert (error["type"], error["param"], error["message"]) == (
        "invalid_request_error", "key", SECRET_AS_KEY,
    )  # fmt: skip
    assert client.v1.payment_intents.retrieve(pi.id).status == "requires_payment_method"


def test_form_keys_are_checked_like_header_keys(server, client, api_key) -> None:
    pi = intent(client)
    # A publishable key in the form is still refused where only a secret key may act.
    listing = HTTP.get(f"{server.url}/v1/payment_intents", params={"key": publishable(api_key)})
    assert listing.status_code == 403
    assert listing.json()["error"]["code"] == "secret_key_required"
    bad = HTTP.get(
        f"{server.url}/v1/payment_intents/{pi.id}",
        params={"key": "pk_test_bad key!1234", "client_secret": pi.client_secret},
    )
    assert bad.status_code == 401
    assert bad.json()["error"]["message"] == "Invalid API Key provided: pk_test_********1234"
    # With an Authorization header, the header is the key and `key` is not a parameter.
    both = call(
        server, api_key, "GET", f"/v1/payment_intents/{pi.id}", {"key": publishable(api_key)}
    )
    assert both.status_code == 400
    assert (both.json()["error"]["code"], both.json()["error"]["param"]) == (
        "parameter_unknown", "key",
    )  # fmt: skip


INFERRED = {
    "mandate_data[customer_acceptance][type]": "online",
    "mandate_data[customer_acceptance][online][infer_from_client]": "true",
}


def test_stripe_js_mandate_inferred_from_the_client(server, client, api_key) -> None:
    """A bank debit confirmed by Stripe.js: the mandate's acceptance is the request's own
    address and user agent (the browser cannot know its address)."""
    pi = client.v1.payment_intents.create(
        params={"amount": 1000, "currency": "eur", "payment_method_types": ["sepa_debit"]}
    )
    form = {
        "key": publishable(api_key),
        "client_secret": pi.client_secret,
        "payment_method_data[type]": "sepa_debit",
        "payment_method_data[sepa_debit][iban]": "DE89370400440532013000",
        "payment_method_data[billing_details][name]": "Jenny Rosen",
        "payment_method_data[billing_details][email]": "jenny@example.com",
    }
    path = f"{server.url}/v1/payment_intents/{pi.id}/confirm"
    # Without the user agent to infer, the acceptance is incomplete and nothing happens.
    bare = HTTP.post(path, data={**form, **INFERRED}, headers={"User-Agent": ""})
    assert bare.status_code == 400
    assert (bare.json()["error"]["code"], bare.json()["error"]["param"]) == (
        "parameter_missing", "mandate_data[customer_acceptance][online][user_agent]",
    )  # fmt: skip
    assert client.v1.payment_intents.retrieve(pi.id).status == "requires_payment_method"
    done = HTTP.post(path, data={**form, **INFERRED}, headers={"User-Agent": "Mozilla/5.0"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "processing"
    charge = client.v1.charges.retrieve(client.v1.payment_intents.retrieve(pi.id).latest_charge)
    assert charge.payment_method_details.sepa_debit.mandate.startswith("mandate_")


def test_only_a_publishable_key_may_infer_the_mandate(server, client, api_key) -> None:
    pi = client.v1.payment_intents.create(
        params={"amount": 1000, "currency": "eur", "payment_method_types": ["sepa_debit"]}
    )
    resp = call(
        server, api_key, "POST", f"/v1/payment_intents/{pi.id}/confirm",
        {"payment_method_data[type]": "sepa_debit",
         "payment_method_data[sepa_debit][iban]": "DE89370400440532013000",
         "payment_method_data[billing_details][name]": "Jenny Rosen",
         "payment_method_data[billing_details][email]": "jenny@example.com", **INFERRED},
    )  # fmt: skip
    assert resp.status_code == 400
    error = resp.json()["error"]
    assert (error["code"], error["param"]) == (
        "parameter_unknown", "mandate_data[customer_acceptance][online][infer_from_client]",
    )  # fmt: skip
    assert client.v1.payment_intents.retrieve(pi.id).status == "requires_payment_method"
