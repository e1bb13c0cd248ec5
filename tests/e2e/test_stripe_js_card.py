"""The Card Element and confirmCardPayment in Chromium, against the Stripe.js the server serves
at /v3/ (loaded by a script tag): payments, declines, 3-D Secure in the modal, the split
Elements, createPaymentMethod and manual confirmation with handleCardAction. Each test reads
the server's state through the SDK afterwards."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from tests.browser import challenge, screenshot
from tests.conftest import publishable

CARD_FRAME = 'iframe[name^="__privateStripeFrame"]'
AUTH_FAILED = (
    "We are unable to authenticate your payment method. Please choose a different payment "
    "method and try again."
)


def open_card(browser: Any, merchant: str, api_key: str, split: bool = False) -> Any:
    page = browser.new_page()
    page.goto(f"{merchant}/card.html?pk={publishable(api_key)}" + ("&split=1" if split else ""))
    page.wait_for_function("window.events.filter(e => e.event === 'ready').length >= 1")
    return page


def type_card(page: Any, number: str, expiry: str = "12/34", cvc: str = "123") -> None:
    frame = page.frame_locator(CARD_FRAME).first
    frame.locator('[name="cardnumber"]').fill(number)
    frame.locator('[name="exp-date"]').fill(expiry)
    frame.locator('[name="cvc"]').fill(cvc)
    frame.locator('[name="postal"]').fill("94107")


def run(page: Any, what: str, arg: str = "", extra: dict | None = None) -> dict:
    page.evaluate("([w, a, e]) => window.run(w, a, e)", [what, arg, extra])
    page.wait_for_function("window.result !== null")
    return page.evaluate("window.result")


def new_intent(client: stripe.StripeClient, **params: Any) -> Any:
    return client.v1.payment_intents.create(
        params={"amount": 2500, "currency": "usd", "payment_method_types": ["card"], **params}
    )


def test_the_card_element_pays(browser, merchant, client, api_key) -> None:
    page = open_card(browser, merchant, api_key)
    frame = page.locator(CARD_FRAME).first
    assert frame.get_attribute("title") == "Secure card payment input frame"
    pi = new_intent(client)
    type_card(page, "4242424242424242")
    assert page.locator("#card-element").get_attribute("class") == (
        "StripeElement StripeElement--focus StripeElement--complete"
    )
    screenshot(page, "card-element")
    result = run(page, "confirm", pi.client_secret)
    assert set(result) == {"paymentIntent"}
    shown = result["paymentIntent"]
    assert (shown["id"], shown["status"], shown["amount"]) == (pi.id, "succeeded", 2500)
    after = client.v1.payment_intents.retrieve(pi.id)
    assert (after.status, after.amount_received) == ("succeeded", 2500)
    pm = client.v1.payment_methods.retrieve(after.payment_method)
    assert (pm.card.last4, pm.card.brand, pm.card.exp_month, pm.card.exp_year) == (
        "4242", "visa", 12, 2034,
    )  # fmt: skip
    assert (pm.billing_details.name, pm.billing_details.address.postal_code) == (
        "Jenny Rosen", "94107",
    )  # fmt: skip
    # The page's change events, as Stripe.js sends them.
    changes = page.evaluate("window.events.filter(e => e.event === 'change')")
    assert changes[-1] == {
        "event": "change", "elementType": "card", "empty": False, "complete": True,
        "brand": "visa", "value": {"postalCode": "94107"},
    }  # fmt: skip


def test_a_decline_is_the_error(browser, merchant, client, api_key) -> None:
    page = open_card(browser, merchant, api_key)
    pi = new_intent(client)
    type_card(page, "4000000000009995")
    result = run(page, "confirm", pi.client_secret)
    error = result["error"]
    assert (error["type"], error["code"], error["decline_code"], error["message"]) == (
        "card_error", "card_declined", "insufficient_funds", "Your card has insufficient funds.",
    )  # fmt: skip
    assert error["payment_intent"]["id"] == pi.id
    assert error["payment_intent"]["status"] == "requires_payment_method"
    assert error["payment_method"]["card"]["last4"] == "9995"
    assert page.locator("#error").inner_text() == "Your card has insufficient funds."
    after = client.v1.payment_intents.retrieve(pi.id)
    assert after.status == "requires_payment_method"
    assert after.last_payment_error.decline_code == "insufficient_funds"


@pytest.mark.parametrize("number", ["4000002760003184", "4000000000003220", "4000002500003155"])
def test_three_d_secure_completed_in_the_modal(browser, merchant, client, api_key, number) -> None:
    page = open_card(browser, merchant, api_key)
    pi = new_intent(client)
    type_card(page, number)
    page.evaluate("([w, a]) => window.run(w, a)", ["confirm", pi.client_secret])
    frame = challenge(page)
    assert frame.locator("h1").inner_text() == "3D Secure 2 Test Page"
    assert frame.locator("#card").inner_text() == f"•••• {number[-4:]}"
    if number.endswith("3184"):
        screenshot(page, "three-d-secure-modal")
    # Where a suite written against Stripe's test mode clicks.
    frame.locator("#test-source-authorize-3ds").click()
    page.wait_for_function("window.result !== null")
    result = page.evaluate("window.result")
    assert result["paymentIntent"]["status"] == "succeeded"
    assert page.locator("[data-payintents]").count() == 0
    after = client.v1.payment_intents.retrieve(pi.id)
    assert after.status == "succeeded"
    charge = client.v1.charges.retrieve(after.latest_charge)
    assert charge.payment_method_details.card.three_d_secure.result == "authenticated"


def test_three_d_secure_failed_in_the_modal(browser, merchant, client, api_key) -> None:
    page = open_card(browser, merchant, api_key)
    pi = new_intent(client)
    type_card(page, "4000002760003184")
    page.evaluate("([w, a]) => window.run(w, a)", ["confirm", pi.client_secret])
    challenge(page).locator("#test-source-fail-3ds").click()
    page.wait_for_function("window.result !== null")
    error = page.evaluate("window.result")["error"]
    assert (error["type"], error["code"], error["message"]) == (
        "invalid_request_error", "payment_intent_authentication_failure", AUTH_FAILED,
    )  # fmt: skip
    assert error["payment_intent"]["status"] == "requires_payment_method"
    assert page.locator("#error").inner_text() == AUTH_FAILED
    after = client.v1.payment_intents.retrieve(pi.id)
    assert (after.status, after.last_payment_error.code) == (
        "requires_payment_method", "payment_intent_authentication_failure",
    )  # fmt: skip


def test_declined_after_authentication(browser, merchant, client, api_key) -> None:
    page = open_card(browser, merchant, api_key)
    pi = new_intent(client)
    type_card(page, "4000008400001629")
    page.evaluate("([w, a]) => window.run(w, a)", ["confirm", pi.client_secret])
    challenge(page).locator("#complete").click()
    page.wait_for_function("window.result !== null")
    error = page.evaluate("window.result")["error"]
    assert (error["code"], error["decline_code"], error["message"]) == (
        "card_declined", "generic_decline", "Your card was declined.",
    )  # fmt: skip
    assert client.v1.payment_intents.retrieve(pi.id).status == "requires_payment_method"


def test_handle_actions_false_leaves_the_action_to_the_page(
    browser, merchant, client, api_key
) -> None:
    page = open_card(browser, merchant, api_key)
    pi = new_intent(client)
    type_card(page, "4000002760003184")
    result = run(page, "confirm", pi.client_secret, {"handleActions": False})
    shown = result["paymentIntent"]
    assert (shown["status"], shown["next_action"]["type"]) == ("requires_action", "use_stripe_sdk")
    assert page.locator("[data-payintents]").count() == 0
    page.evaluate("([w, a]) => window.run(w, a)", ["handleNextAction", pi.client_secret])
    challenge(page).locator("#complete").click()
    page.wait_for_function("window.result !== null")
    assert page.evaluate("window.result")["paymentIntent"]["status"] == "succeeded"
    assert client.v1.payment_intents.retrieve(pi.id).status == "succeeded"


def test_the_split_card_elements(browser, merchant, client, api_key) -> None:
    page = open_card(browser, merchant, api_key, split=True)
    page.wait_for_function("window.events.filter(e => e.event === 'ready').length === 3")
    frames = page.locator(CARD_FRAME)
    assert [frames.nth(i).get_attribute("title") for i in range(3)] == [
        "Secure card number input frame",
        "Secure expiration date input frame",
        "Secure CVC input frame",
    ]
    frames.nth(0).content_frame.locator('[name="cardnumber"]').fill("5555555555554444")
    frames.nth(1).content_frame.locator('[name="exp-date"]').fill("1234")
    frames.nth(2).content_frame.locator('[name="cvc"]').fill("321")
    for name in ("exp-date", "cvc", "postal"):
        assert not frames.nth(0).content_frame.locator(f'[name="{name}"]').is_visible()
    screenshot(page, "split-card-elements")
    pi = new_intent(client)
    result = run(page, "confirm", pi.client_secret)
    assert result["paymentIntent"]["status"] == "succeeded"
    after = client.v1.payment_intents.retrieve(pi.id)
    pm = client.v1.payment_methods.retrieve(after.payment_method)
    assert (pm.card.brand, pm.card.last4, pm.card.exp_month, pm.card.exp_year) == (
        "mastercard", "4444", 12, 2034,
    )  # fmt: skip
    brands = page.evaluate(
        "window.events.filter(e => e.event === 'change' && e.elementType === 'cardNumber')"
        ".map(e => e.brand)"
    )
    assert brands[-1] == "mastercard"


def test_create_payment_method_then_manual_confirmation(browser, merchant, client, api_key) -> None:
    """The server confirms (confirmation_method=manual); handleCardAction runs 3-D Secure and
    the server confirms again."""
    page = open_card(browser, merchant, api_key)
    type_card(page, "4000002500003155")
    created = run(page, "createPaymentMethod")["paymentMethod"]
    assert (created["object"], created["type"], created["card"]["last4"]) == (
        "payment_method", "card", "3155",
    )  # fmt: skip
    assert created["billing_details"]["email"] == "jenny@example.com"
    pi = new_intent(
        client, payment_method=created["id"], confirmation_method="manual", confirm=True
    )
    assert (pi.status, pi.next_action.type) == ("requires_action", "use_stripe_sdk")
    page.evaluate("([w, a]) => window.run(w, a)", ["handleCardAction", pi.client_secret])
    challenge(page).locator("#complete").click()
    page.wait_for_function("window.result !== null")
    assert page.evaluate("window.result")["paymentIntent"]["status"] == "requires_confirmation"
    done = client.v1.payment_intents.confirm(pi.id)
    assert (done.status, done.amount_received) == ("succeeded", 2500)
    charge = client.v1.charges.retrieve(done.latest_charge)
    assert charge.payment_method_details.card.three_d_secure.result == "authenticated"


def test_retrieve_payment_intent(browser, merchant, client, api_key) -> None:
    page = open_card(browser, merchant, api_key)
    pi = new_intent(client, metadata={"order": "9"})
    shown = run(page, "retrieve", pi.client_secret)["paymentIntent"]
    assert (shown["id"], shown["status"], shown["client_secret"]) == (
        pi.id, "requires_payment_method", pi.client_secret,
    )  # fmt: skip
    assert "metadata" not in shown
    wrong = run(page, "retrieve", pi.id + "_secret_wrong")["error"]
    assert (wrong["type"], wrong["code"], wrong["param"]) == (
        "invalid_request_error", "payment_intent_invalid_parameter", "client_secret",
    )  # fmt: skip
