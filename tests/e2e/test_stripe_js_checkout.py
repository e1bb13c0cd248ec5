"""examples/checkout, paid in Chromium through the Payment Element against the server's
Stripe.js: the shop's own server (stripe-python) creates the intent, confirmPayment pays, and
the browser lands on the return_url with Stripe's query parameters. Each test checks the
server's state through the SDK."""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import stripe

from tests.browser import challenge, screenshot
from tests.conftest import make_client, new_key, publishable
from tests.server import ROOT

PAYMENT_FRAME = 'iframe[title="Secure payment input frame"]'
AUTH_FAILED = (
    "We are unable to authenticate your payment method. Please choose a different payment "
    "method and try again."
)


def load_example() -> Any:
    spec = importlib.util.spec_from_file_location(
        "checkout_example", ROOT / "examples" / "checkout" / "server.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def shop_key() -> str:
    return new_key()


@pytest.fixture(scope="module")
def checkout(server: Any, shop_key: str) -> Iterator[str]:
    example = load_example()
    httpd = example.make_server(0, shop_key, publishable(shop_key), server.url, server.url + "/v3/")
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture
def shop_client(server: Any, shop_key: str) -> stripe.StripeClient:
    return make_client(server, shop_key)


def open_checkout(browser: Any, checkout: str) -> Any:
    page = browser.new_page()
    page.goto(checkout + "/")
    page.wait_for_selector("#submit:enabled")
    return page


def fill_card(page: Any, number: str, expiry: str = "12 / 34", postal: str = "94107") -> Any:
    frame = page.frame_locator(PAYMENT_FRAME)
    frame.locator('[name="number"]').fill(number)
    frame.locator('[name="expiry"]').fill(expiry)
    frame.locator('[name="cvc"]').fill("123")
    frame.locator('[name="country"]').select_option("US")
    frame.locator('[name="postalCode"]').fill(postal)
    return frame


def returned(page: Any) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def last_intent(client: stripe.StripeClient) -> Any:
    return client.v1.payment_intents.list(params={"limit": 1}).data[0]


def test_pays_and_returns_to_the_return_url(browser, checkout, shop_client) -> None:
    page = open_checkout(browser, checkout)
    frame = page.locator(PAYMENT_FRAME)
    assert frame.get_attribute("name").startswith("__privateStripeFrame")
    fill_card(page, "4242 4242 4242 4242")
    screenshot(page, "payment-element")
    page.click("#submit")
    page.wait_for_url("**/complete?**")
    assert page.locator("#status-message").inner_text() == "Payment succeeded"
    pi = last_intent(shop_client)
    assert returned(page) == {
        "payment_intent": pi.id,
        "payment_intent_client_secret": pi.client_secret,
        "redirect_status": "succeeded",
    }
    assert (pi.status, pi.amount_received, pi.currency) == ("succeeded", 1999, "usd")
    pm = shop_client.v1.payment_methods.retrieve(pi.payment_method)
    assert (pm.card.last4, pm.card.exp_month, pm.card.exp_year) == ("4242", 12, 2034)
    assert pm.billing_details.address.to_dict() == {
        "city": None, "country": "US", "line1": None, "line2": None,
        "postal_code": "94107", "state": None,
    }  # fmt: skip


def test_a_decline_is_shown_in_the_element(browser, checkout, shop_client) -> None:
    page = open_checkout(browser, checkout)
    frame = fill_card(page, "4000000000000002")
    page.click("#submit")
    banner = frame.locator("#banner")
    banner.wait_for()
    assert banner.inner_text() == "Your card was declined."
    assert page.locator("#payment-message").inner_text() == "Your card was declined."
    screenshot(page, "payment-element-declined")
    assert urlsplit(page.url).path == "/"
    pi = last_intent(shop_client)
    assert pi.status == "requires_payment_method"
    assert (pi.last_payment_error.code, pi.last_payment_error.decline_code) == (
        "card_declined", "generic_decline",
    )  # fmt: skip
    # Typing again hides the message; another card pays the same intent.
    frame.locator('[name="number"]').fill("4242424242424242")
    assert not banner.is_visible()
    page.click("#submit")
    page.wait_for_url("**/complete?**")
    assert returned(page)["payment_intent"] == pi.id
    assert shop_client.v1.payment_intents.retrieve(pi.id).status == "succeeded"


def test_three_d_secure_completed(browser, checkout, shop_client) -> None:
    page = open_checkout(browser, checkout)
    fill_card(page, "4000002760003184")
    page.click("#submit")
    frame = challenge(page)
    assert "$19.99 USD" in frame.locator("#amount").inner_text()
    frame.locator("#complete").click()
    page.wait_for_url("**/complete?**")
    assert returned(page)["redirect_status"] == "succeeded"
    assert page.locator("#status-message").inner_text() == "Payment succeeded"
    pi = last_intent(shop_client)
    assert pi.status == "succeeded"
    charge = shop_client.v1.charges.retrieve(pi.latest_charge)
    assert charge.payment_method_details.card.three_d_secure.result == "authenticated"


def test_three_d_secure_failed(browser, checkout, shop_client) -> None:
    page = open_checkout(browser, checkout)
    frame = fill_card(page, "4000000000003220")
    page.click("#submit")
    challenge(page).locator("#fail").click()
    frame.locator("#banner").wait_for()
    assert frame.locator("#banner").inner_text() == AUTH_FAILED
    assert page.locator("#payment-message").inner_text() == AUTH_FAILED
    assert page.locator("[data-payintents]").count() == 0
    pi = last_intent(shop_client)
    assert (pi.status, pi.last_payment_error.code) == (
        "requires_payment_method", "payment_intent_authentication_failure",
    )  # fmt: skip
