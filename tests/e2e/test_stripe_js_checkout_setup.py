"""examples/checkout's Save-a-card page (/save) in Chromium: the shop's server creates a
customer and a SetupIntent, confirmSetup saves the card through the Payment Element, the
browser lands on /saved with Stripe's setup_intent parameters, and the shop charges the saved
card off-session."""

from __future__ import annotations

from typing import Any

from tests.browser import challenge, screenshot
from tests.e2e import test_stripe_js_checkout as shop
from tests.e2e.test_stripe_js_checkout import fill_card, returned

# The shop's fixtures (its server on this test server, its key and client).
checkout, shop_key, shop_client = shop.checkout, shop.shop_key, shop.shop_client


def open_save(browser: Any, checkout: str) -> Any:
    page = browser.new_page()
    page.goto(checkout + "/save")
    page.wait_for_selector("#submit:enabled")
    return page


def charge_off_session(shop_client: Any, si: Any) -> Any:
    return shop_client.v1.payment_intents.create(
        params={
            "amount": 1999,
            "currency": "usd",
            "customer": si.customer,
            "payment_method": si.payment_method,
            "payment_method_types": ["card"],
            "off_session": True,
            "confirm": True,
        }
    )


def last_setup(shop_client: Any) -> Any:
    return shop_client.v1.setup_intents.list(params={"limit": 1}).data[0]


def test_saves_a_card_and_charges_it_later(browser, checkout, shop_client) -> None:
    page = open_save(browser, checkout)
    assert page.locator("#submit").inner_text() == "Save card"
    fill_card(page, "4242 4242 4242 4242")
    screenshot(page, "checkout-save-card")
    page.click("#submit")
    page.wait_for_url("**/saved?**")
    assert page.locator("#status-message").inner_text() == "Your card is saved"
    si = last_setup(shop_client)
    assert returned(page) == {
        "setup_intent": si.id,
        "setup_intent_client_secret": si.client_secret,
        "redirect_status": "succeeded",
    }
    assert si.status == "succeeded"
    pm = shop_client.v1.payment_methods.retrieve(si.payment_method)
    assert (pm.customer, pm.card.last4) == (si.customer, "4242")
    pi = charge_off_session(shop_client, si)
    assert (pi.status, pi.amount_received) == ("succeeded", 1999)


def test_saving_with_a_challenge(browser, checkout, shop_client) -> None:
    page = open_save(browser, checkout)
    fill_card(page, "4000 0025 0000 3155")
    page.click("#submit")
    challenge(page).locator("#complete").click()
    page.wait_for_url("**/saved?**")
    assert page.locator("#status-message").inner_text() == "Your card is saved"
    si = last_setup(shop_client)
    assert returned(page)["redirect_status"] == "succeeded"
    # 4000002500003155 authenticates at setup, then pays off-session without a challenge.
    assert charge_off_session(shop_client, si).status == "succeeded"
