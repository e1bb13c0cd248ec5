"""3-D Secure completed and failed on the real challenge page, in headless Chromium."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import stripe


@pytest.fixture(scope="module")
def shop() -> Iterator[str]:
    """The merchant's return_url: a page that says it was reached."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<h1 id='shop'>Back at the shop</h1>")

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/return"
    httpd.shutdown()


def start_challenge(client: stripe.StripeClient, shop: str, **params):
    pi = client.v1.payment_intents.create(
        params={
            "amount": 4200,
            "currency": "eur",
            "payment_method_types": ["card"],
            "payment_method": "pm_card_authenticationRequired",
            "confirm": True,
            "return_url": shop + "?order=17",
            **params,
        }
    )
    assert pi.status == "requires_action"
    assert pi.next_action.type == "redirect_to_url"
    return pi


def visit(browser, url: str, button: str):
    page = browser.new_page()
    page.goto(url)
    assert page.locator("h1").inner_text() == "3D Secure 2 Test Page"
    assert "€42.00 EUR" in page.locator("#amount").inner_text()
    assert page.locator("#card").inner_text().endswith("3184")
    page.click(button)
    page.wait_for_load_state()
    return page


def returned(page) -> dict[str, str]:
    parts = urlsplit(page.url)
    return {k: v[0] for k, v in parse_qs(parts.query).items()}


def test_complete_authentication(browser, shop, client: stripe.StripeClient) -> None:
    pi = start_challenge(client, shop)
    page = visit(browser, pi.next_action.redirect_to_url.url, "#complete")
    assert page.locator("#shop").inner_text() == "Back at the shop"
    assert returned(page) == {
        "order": "17",
        "payment_intent": pi.id,
        "payment_intent_client_secret": pi.client_secret,
        "redirect_status": "succeeded",
    }
    after = client.v1.payment_intents.retrieve(pi.id)
    assert after.status == "succeeded"
    assert after.amount_received == 4200
    charge = client.v1.charges.retrieve(after.latest_charge)
    assert charge.payment_method_details.card.three_d_secure.result == "authenticated"
    # The challenge cannot be answered twice.
    again = browser.new_page()
    again.goto(pi.next_action.redirect_to_url.url)
    assert again.locator("#title").inner_text() == "Authentication unavailable"


def test_fail_authentication(browser, shop, client: stripe.StripeClient) -> None:
    pi = start_challenge(client, shop)
    page = visit(browser, pi.next_action.redirect_to_url.url, "#fail")
    assert returned(page)["redirect_status"] == "failed"
    after = client.v1.payment_intents.retrieve(pi.id)
    assert after.status == "requires_payment_method"
    assert after.payment_method is None
    assert after.last_payment_error.code == "payment_intent_authentication_failure"
    assert after.last_payment_error.message == (
        "We are unable to authenticate your payment method. Please choose a different payment "
        "method and try again."
    )


def test_manual_confirmation_and_capture(browser, shop, client: stripe.StripeClient) -> None:
    pi = start_challenge(client, shop, confirmation_method="manual", capture_method="manual")
    page = visit(browser, pi.next_action.redirect_to_url.url, "#complete")
    assert returned(page)["redirect_status"] == "succeeded"
    waiting = client.v1.payment_intents.retrieve(pi.id)
    assert waiting.status == "requires_confirmation"
    confirmed = client.v1.payment_intents.confirm(pi.id)
    assert confirmed.status == "requires_capture"
    assert confirmed.amount_capturable == 4200


def test_use_stripe_sdk_page(browser, client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(
        params={
            "amount": 1000,
            "currency": "usd",
            "payment_method_types": ["card"],
            "payment_method": "pm_card_threeDSecure2Required",
            "confirm": True,
        }
    )
    assert pi.next_action.type == "use_stripe_sdk"
    page = browser.new_page()
    page.goto(pi.next_action.use_stripe_sdk.stripe_js)
    page.click("#complete")
    page.wait_for_load_state()
    assert page.locator("#title").inner_text() == "Authentication complete"
    assert client.v1.payment_intents.retrieve(pi.id).status == "succeeded"
