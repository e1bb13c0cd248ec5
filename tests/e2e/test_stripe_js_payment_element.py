"""The Payment Element beyond the example checkout, in Chromium: the deferred-intent flow
(`stripe.elements({mode: 'payment', ...})`, elements.submit(), then the intent), a
ConfirmationToken the server confirms with, createPaymentMethod({elements}), the bank debit
tabs, fetchUpdates, and what the element checks before anything is sent."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from tests.browser import screenshot
from tests.conftest import publishable

FRAME = 'iframe[title="Secure payment input frame"]'
# A bank debit the page saw processing settles by itself seconds later (sooner than a loaded
# machine may take to read it back).
DEBITED = ("processing", "succeeded")


def open_payment(browser: Any, merchant: str, api_key: str, **query: str) -> Any:
    page = browser.new_page()
    page.goto(f"{merchant}/payment.html?" + urlencode({"pk": publishable(api_key), **query}))
    page.wait_for_function("window.events.some(e => e.event === 'ready')")
    return page


def fill_card(page: Any, number: str = "4242424242424242") -> Any:
    frame = page.frame_locator(FRAME)
    frame.locator('[name="number"]').fill(number)
    frame.locator('[name="expiry"]').fill("1234")
    frame.locator('[name="cvc"]').fill("123")
    frame.locator('[name="postalCode"]').fill("94107")
    return frame


def run(page: Any, what: str, arg: Any = None) -> dict:
    page.evaluate("([w, a]) => window.run(w, a)", [what, arg])
    page.wait_for_function("window.result !== null")
    return page.evaluate("window.result")


def test_the_deferred_intent_flow(browser, merchant, client, api_key) -> None:
    page = open_payment(browser, merchant, api_key, mode="payment", amount="2500", currency="usd")
    fill_card(page)
    assert run(page, "submit") == {}
    # Only now does the server create the intent, for the page to confirm.
    pi = client.v1.payment_intents.create(
        params={"amount": 2500, "currency": "usd", "payment_method_types": ["card"]}
    )
    result = run(page, "confirm", pi.client_secret)
    assert result["paymentIntent"]["status"] == "succeeded"
    assert "/payment.html" in page.url  # redirect: 'if_required' stays on the page
    after = client.v1.payment_intents.retrieve(pi.id)
    assert (after.status, after.amount_received) == ("succeeded", 2500)
    pm = client.v1.payment_methods.retrieve(after.payment_method)
    assert (pm.billing_details.name, pm.card.last4) == ("Jenny Rosen", "4242")


def test_deferred_confirm_needs_submit_first(browser, merchant, client, api_key) -> None:
    page = open_payment(browser, merchant, api_key, mode="payment", amount="900", currency="usd")
    fill_card(page)
    pi = client.v1.payment_intents.create(
        params={"amount": 900, "currency": "usd", "payment_method_types": ["card"]}
    )
    thrown = page.evaluate(
        "cs => { try { window.run('confirm', cs); return null } catch (e) { return e.name } }",
        pi.client_secret,
    )
    assert thrown == "IntegrationError"
    assert client.v1.payment_intents.retrieve(pi.id).status == "requires_payment_method"


def test_a_confirmation_token_confirmed_on_the_server(browser, merchant, client, api_key) -> None:
    page = open_payment(browser, merchant, api_key, mode="payment", amount="4100", currency="usd")
    fill_card(page, "5555555555554444")
    assert run(page, "submit") == {}
    token = run(page, "createConfirmationToken")["confirmationToken"]
    assert token["id"].startswith("ctoken_")
    assert token["payment_method_preview"]["card"]["last4"] == "4444"
    assert token["return_url"].endswith("/return")
    pi = client.v1.payment_intents.create(
        params={
            "amount": 4100,
            "currency": "usd",
            "payment_method_types": ["card"],
            "confirm": True,
            "confirmation_token": token["id"],
        }
    )
    assert (pi.status, pi.amount_received) == ("succeeded", 4100)
    assert pi.shipping.name == "Jenny Rosen"
    used = client.v1.confirmation_tokens.retrieve(token["id"])
    assert used.payment_intent == pi.id
    pm = client.v1.payment_methods.retrieve(pi.payment_method)
    assert (pm.card.brand, pm.card.last4) == ("mastercard", "4444")


def test_create_payment_method_from_elements(browser, merchant, client, api_key) -> None:
    pi = client.v1.payment_intents.create(
        params={"amount": 1200, "currency": "usd", "payment_method_types": ["card"]}
    )
    page = open_payment(browser, merchant, api_key, cs=pi.client_secret)
    fill_card(page, "378282246310005")
    created = run(page, "createPaymentMethod")["paymentMethod"]
    assert (created["type"], created["card"]["brand"], created["card"]["last4"]) == (
        "card", "amex", "0005",
    )  # fmt: skip
    pm = client.v1.payment_methods.retrieve(created["id"])
    assert (pm.billing_details.name, pm.billing_details.address.postal_code) == (
        "Jenny Rosen", "94107",
    )  # fmt: skip
    assert run(page, "getElement") == {"same": True, "none": None}


def test_nothing_is_sent_until_the_details_are_complete(browser, merchant, client, api_key) -> None:
    pi = client.v1.payment_intents.create(
        params={"amount": 1200, "currency": "usd", "payment_method_types": ["card"]}
    )
    page = open_payment(browser, merchant, api_key, cs=pi.client_secret)
    error = run(page, "confirm")["error"]
    assert error == {
        "type": "validation_error",
        "code": "incomplete_number",
        "message": "Your card number is incomplete.",
    }
    frame = page.frame_locator(FRAME)
    assert frame.locator('[data-field="number"] .error').inner_text() == (
        "Your card number is incomplete."
    )
    assert frame.locator('[data-field="expiry"] .error').inner_text() == (
        "Your card's expiration date is incomplete."
    )
    assert frame.locator('[data-field="cvc"] .error').inner_text() == (
        "Your card's security code is incomplete."
    )
    screenshot(page, "payment-element-incomplete")
    frame.locator('[name="number"]').fill("4242424242424241")
    assert frame.locator('[data-field="number"] .error').inner_text() == (
        "Your card number is invalid."
    )
    assert run(page, "submit")["error"]["code"] == "invalid_number"
    after = client.v1.payment_intents.retrieve(pi.id)
    assert (after.status, after.payment_method, after.last_payment_error) == (
        "requires_payment_method", None, None,
    )  # fmt: skip


def test_sepa_debit_tab(browser, merchant, client, api_key) -> None:
    pi = client.v1.payment_intents.create(
        params={"amount": 3000, "currency": "eur", "payment_method_types": ["card", "sepa_debit"]}
    )
    page = open_payment(browser, merchant, api_key, cs=pi.client_secret)
    frame = page.frame_locator(FRAME)
    assert frame.locator(".tab").all_inner_texts() == ["Card", "SEPA Debit"]
    frame.locator("#sepa_debit-tab").click()
    frame.locator('[name="name"]:visible').fill("Jenny Rosen")
    frame.locator('[name="email"]:visible').fill("jenny@example.com")
    frame.locator('[name="iban"]').fill("DE89 3704 0044 0532 0130 00")
    screenshot(page, "payment-element-sepa")
    result = run(page, "confirm")
    assert result["paymentIntent"]["status"] == "processing"
    after = client.v1.payment_intents.retrieve(pi.id)
    assert after.status in DEBITED
    pm = client.v1.payment_methods.retrieve(after.payment_method)
    assert (pm.type, pm.sepa_debit.last4, pm.billing_details.email) == (
        "sepa_debit", "3000", "jenny@example.com",
    )  # fmt: skip
    charge = client.v1.charges.retrieve(after.latest_charge)
    assert charge.payment_method_details.sepa_debit.mandate.startswith("mandate_")


def test_us_bank_account_tab(browser, merchant, client, api_key) -> None:
    pi = client.v1.payment_intents.create(
        params={
            "amount": 5000,
            "currency": "usd",
            "payment_method_types": ["card", "us_bank_account"],
        }
    )
    page = open_payment(browser, merchant, api_key, cs=pi.client_secret)
    frame = page.frame_locator(FRAME)
    frame.locator("#us_bank_account-tab").click()
    frame.locator('[name="name"]:visible').fill("Jenny Rosen")
    frame.locator('[name="email"]:visible').fill("jenny@example.com")
    frame.locator('[name="routingNumber"]').fill("110000000")
    frame.locator('[name="accountNumber"]').fill("000123456789")
    # Entered by hand, the account is verified with microdeposits: the page shows the action.
    shown = run(page, "confirm")["paymentIntent"]
    assert (shown["status"], shown["next_action"]["type"]) == (
        "requires_action", "verify_with_microdeposits",
    )  # fmt: skip
    after = client.v1.payment_intents.retrieve(pi.id)
    assert after.status == "requires_action"
    pm = client.v1.payment_methods.retrieve(after.payment_method)
    assert (pm.type, pm.us_bank_account.last4, pm.us_bank_account.routing_number) == (
        "us_bank_account", "6789", "110000000",
    )  # fmt: skip
    wrong = run(page, "verify", {"cs": pi.client_secret, "data": {"amounts": [12, 13]}})
    assert wrong["error"]["code"] == "payment_method_microdeposit_verification_amounts_mismatch"
    done = run(page, "verify", {"cs": pi.client_secret, "data": {"amounts": [32, 45]}})
    assert done["paymentIntent"]["status"] == "processing"
    assert client.v1.payment_intents.retrieve(pi.id).status in DEBITED


def test_fetch_updates_shows_the_intents_new_types(browser, merchant, client, api_key) -> None:
    pi = client.v1.payment_intents.create(
        params={"amount": 3000, "currency": "eur", "payment_method_types": ["card"]}
    )
    page = open_payment(browser, merchant, api_key, cs=pi.client_secret)
    frame = page.frame_locator(FRAME)
    assert not frame.locator("#tabs").is_visible()
    client.v1.payment_intents.update(pi.id, params={"payment_method_types": ["card", "sepa_debit"]})
    assert run(page, "fetchUpdates") == {}
    assert frame.locator(".tab").all_inner_texts() == ["Card", "SEPA Debit"]


def test_confirm_payment_redirects_to_the_return_url(browser, merchant, client, api_key) -> None:
    pi = client.v1.payment_intents.create(
        params={"amount": 700, "currency": "usd", "payment_method_types": ["card"]}
    )
    page = open_payment(browser, merchant, api_key, cs=pi.client_secret)
    fill_card(page)
    page.evaluate("window.run('confirmAndRedirect')")
    page.wait_for_url("**/return?**")
    assert page.url == (
        f"{merchant}/return?order=7&payment_intent={pi.id}"
        f"&payment_intent_client_secret={pi.client_secret}&redirect_status=succeeded"
    )
    assert client.v1.payment_intents.retrieve(pi.id).status == "succeeded"


def test_confirm_sepa_debit_payment(browser, merchant, client, api_key) -> None:
    pi = client.v1.payment_intents.create(
        params={"amount": 1800, "currency": "eur", "payment_method_types": ["sepa_debit"]}
    )
    page = open_payment(browser, merchant, api_key, cs=pi.client_secret)
    shown = run(page, "confirmSepa", pi.client_secret)["paymentIntent"]
    assert shown["status"] == "processing"
    after = client.v1.payment_intents.retrieve(pi.id)
    pm = client.v1.payment_methods.retrieve(after.payment_method)
    assert after.status in DEBITED
    assert (pm.type, pm.sepa_debit.last4) == ("sepa_debit", "3000")


def test_default_values_and_payment_method_order(browser, merchant, client, api_key) -> None:
    pi = client.v1.payment_intents.create(
        params={"amount": 2600, "currency": "eur", "payment_method_types": ["card", "sepa_debit"]}
    )
    options = {
        "paymentMethodOrder": ["sepa_debit", "card"],
        "defaultValues": {
            "billingDetails": {
                "name": "Jenny Rosen",
                "email": "jenny@example.com",
                "address": {"country": "GB", "postal_code": "SW1A 1AA"},
            }
        },
    }
    page = open_payment(browser, merchant, api_key, cs=pi.client_secret, opts=json.dumps(options))
    frame = page.frame_locator(FRAME)
    assert frame.locator(".tab").all_inner_texts() == ["SEPA Debit", "Card"]
    assert frame.locator('[name="name"]:visible').input_value() == "Jenny Rosen"
    frame.locator("#card-tab").click()
    assert frame.locator('[name="country"]').input_value() == "GB"
    assert frame.locator('[data-field="postalCode"] label').inner_text() == "Postal code"
    frame.locator('[name="number"]').fill("4242424242424242")
    frame.locator('[name="expiry"]').fill("1234")
    frame.locator('[name="cvc"]').fill("123")
    assert run(page, "confirm")["paymentIntent"]["status"] == "succeeded"
    pm = client.v1.payment_methods.retrieve(
        client.v1.payment_intents.retrieve(pi.id).payment_method
    )
    address = pm.billing_details.address
    assert (address.country, address.postal_code) == ("GB", "SW1A 1AA")


def test_confirm_us_bank_account_payment(browser, merchant, client, api_key) -> None:
    pi = client.v1.payment_intents.create(
        params={"amount": 6400, "currency": "usd", "payment_method_types": ["us_bank_account"]}
    )
    page = open_payment(browser, merchant, api_key, cs=pi.client_secret)
    shown = run(page, "confirmUsBank", pi.client_secret)["paymentIntent"]
    assert shown["next_action"]["type"] == "verify_with_microdeposits"
    after = client.v1.payment_intents.retrieve(pi.id)
    pm = client.v1.payment_methods.retrieve(after.payment_method)
    assert (after.status, pm.us_bank_account.account_holder_type) == ("requires_action", "company")


def test_elements_update_in_the_deferred_flow(browser, merchant, client, api_key) -> None:
    page = open_payment(browser, merchant, api_key, mode="payment", amount="1000", currency="usd")
    frame = page.frame_locator(FRAME)
    assert not frame.locator("#tabs").is_visible()
    update = {"amount": 3000, "currency": "eur", "paymentMethodTypes": ["card", "sepa_debit"]}
    assert run(page, "update", update) == {}
    assert frame.locator(".tab").all_inner_texts() == ["Card", "SEPA Debit"]
    frame.locator("#sepa_debit-tab").click()
    frame.locator('[name="name"]:visible').fill("Jenny Rosen")
    frame.locator('[name="email"]:visible').fill("jenny@example.com")
    frame.locator('[name="iban"]').fill("DE89370400440532013000")
    assert run(page, "submit") == {}
    pi = client.v1.payment_intents.create(
        params={"amount": 3000, "currency": "eur", "payment_method_types": ["card", "sepa_debit"]}
    )
    assert run(page, "confirm", pi.client_secret)["paymentIntent"]["status"] == "processing"
    assert client.v1.payment_intents.retrieve(pi.id).status in DEBITED
