"""The three ways a checkout loads the server's Stripe.js, in Chromium: a script tag of /v3/
(the other test_stripe_js_* modules), the page unchanged with its test answering
js.stripe.com's script (Playwright's page.route), and @stripe/stripe-js's loadStripe with
@stripe/react-stripe-js from npm (bundled by esbuild here). And what /v3/ serves."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import npm
from tests.browser import PAGES, challenge, serve_pages
from tests.conftest import make_client, publishable
from tests.http_client import HTTP
from tests.server import ServerProcess

REACT = npm.NODE_DIR / "react"
CARD_FRAME = 'iframe[name^="__privateStripeFrame"]'
PAYMENT_FRAME = 'iframe[title="Secure payment input frame"]'


def test_v3_serves_the_library(server) -> None:
    for path in ("/v3/", "/v3"):
        resp = HTTP.get(server.url + path)
        assert resp.status_code == 200
        assert resp.headers["content-type"] == "application/javascript"
        assert f'var BASE_URL = "{server.url}";' in resp.text
        assert "window.Stripe = Stripe;" in resp.text
    # The address the browser used is the one rendered in (here: another name for the host).
    other = HTTP.get(f"http://localhost:{server.port}/v3/")
    assert f'var BASE_URL = "http://localhost:{server.port}";' in other.text
    frame = HTTP.get(server.url + "/v3/card_frame.html")
    assert frame.headers["content-type"] == "text/html; charset=utf-8"
    assert 'name="cardnumber"' in frame.text
    assert HTTP.get(server.url + "/v3/nothing.js").status_code == 404


@pytest.mark.parametrize("how", ["flag", "env"])
def test_public_url(tmp_path: Path, how: str) -> None:
    public = "https://payments.test.example:8443"
    args = ("--public-url", public + "/") if how == "flag" else ()
    env = {"PAYINTENTS_PUBLIC_URL": public} if how == "env" else {}
    proc = ServerProcess(str(tmp_path / "db.sqlite3"), *args, env=env).start()
    try:
        text = HTTP.get(proc.url + "/v3/").text
        assert f'var BASE_URL = "{public}";' in text
        # The hosted pages' links name it too: the browser follows them.
        pi = make_client(proc).v1.payment_intents.create(
            params={
                "amount": 1000,
                "currency": "usd",
                "payment_method_types": ["card"],
                "payment_method": "pm_card_threeDSecure2Required",
                "confirm": True,
            }
        )
        assert pi.next_action.use_stripe_sdk.stripe_js.startswith(public + "/3d_secure_2/hosted?")
    finally:
        proc.stop()


def intercept(page: Any, server: Any) -> list[str]:
    """Answer js.stripe.com's script with the server's, as a test of an unchanged page does;
    returns the URLs answered."""
    answered: list[str] = []

    def answer(route: Any) -> None:
        answered.append(route.request.url)
        route.fulfill(response=route.fetch(url=server.url + "/v3/"))

    page.route("https://js.stripe.com/**", answer)
    return answered


def test_an_unchanged_page_with_js_stripe_com_intercepted(browser, server, client, api_key):
    pages = {"/card.html": (PAGES / "card.html").read_text()}
    unchanged = pages["/card.html"].replace("{{STRIPE_JS}}", "https://js.stripe.com/v3/")
    httpd, site = serve_pages({"/card.html": unchanged.encode()})
    try:
        page = browser.new_page()
        answered = intercept(page, server)
        page.goto(f"{site}/card.html?pk={publishable(api_key)}")
        page.wait_for_function("window.events.some(e => e.event === 'ready')")
        assert answered == ["https://js.stripe.com/v3/"]
        frame = page.frame_locator(CARD_FRAME)
        frame.locator('[name="cardnumber"]').fill("4242424242424242")
        frame.locator('[name="exp-date"]').fill("1234")
        frame.locator('[name="cvc"]').fill("123")
        frame.locator('[name="postal"]').fill("10001")
        pi = client.v1.payment_intents.create(
            params={"amount": 1500, "currency": "usd", "payment_method_types": ["card"]}
        )
        page.evaluate("cs => window.run('confirm', cs)", pi.client_secret)
        page.wait_for_function("window.result !== null")
        assert page.evaluate("window.result.paymentIntent.status") == "succeeded"
        assert client.v1.payment_intents.retrieve(pi.id).amount_received == 1500
    finally:
        httpd.shutdown()


@pytest.fixture(scope="module")
def react_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """tests/node/react/app.jsx bundled with the pinned esbuild, React and Stripe packages."""
    missing = npm.missing_tools()
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed: the React test skips")
    modules = npm.install()
    out = tmp_path_factory.mktemp("react") / "app.js"
    subprocess.run(
        [
            str(modules / ".bin" / "esbuild"),
            str(REACT / "app.jsx"),
            "--bundle",
            f"--outfile={out}",
            '--define:process.env.NODE_ENV="production"',
            "--log-level=warning",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    httpd, site = serve_pages(
        {"/": (REACT / "index.html").read_bytes(), "/app.js": out.read_bytes()}
    )
    yield site
    httpd.shutdown()


def react_page(browser: Any, server: Any, site: str, query: str) -> tuple[Any, list[str]]:
    page = browser.new_page()
    answered = intercept(page, server)
    page.goto(f"{site}/?{query}")
    page.wait_for_selector("#message:text('ready')")
    return page, answered


def test_react_payment_element(browser, server, react_site, client, api_key) -> None:
    pi = client.v1.payment_intents.create(
        params={"amount": 2300, "currency": "usd", "payment_method_types": ["card"]}
    )
    page, answered = react_page(
        browser, server, react_site, f"pk={publishable(api_key)}&cs={pi.client_secret}"
    )
    # loadStripe injected its script tag for js.stripe.com; the test answered it.
    assert len(answered) == 1 and answered[0].startswith("https://js.stripe.com/")
    frame = page.frame_locator(PAYMENT_FRAME)
    frame.locator('[name="number"]').fill("4000000000003220")
    frame.locator('[name="expiry"]').fill("1234")
    frame.locator('[name="cvc"]').fill("123")
    frame.locator('[name="postalCode"]').fill("94107")
    page.click("#pay")
    challenge(page).locator("#complete").click()
    page.wait_for_selector("#status:text('succeeded')")
    after = client.v1.payment_intents.retrieve(pi.id)
    assert (after.status, after.amount_received) == ("succeeded", 2300)


def test_react_card_element(browser, server, react_site, client, api_key) -> None:
    pi = client.v1.payment_intents.create(
        params={"amount": 800, "currency": "usd", "payment_method_types": ["card"]}
    )
    page, _ = react_page(
        browser,
        server,
        react_site,
        f"pk={publishable(api_key)}&cs={pi.client_secret}&element=card",
    )
    frame = page.frame_locator(CARD_FRAME)
    frame.locator('[name="cardnumber"]').fill("4242424242424241")
    page.wait_for_selector("#message:text('Your card number is invalid.')")
    frame.locator('[name="cardnumber"]').fill("4000000000000002")
    frame.locator('[name="exp-date"]').fill("1234")
    frame.locator('[name="cvc"]').fill("123")
    frame.locator('[name="postal"]').fill("94107")
    page.click("#pay")
    page.wait_for_selector("#message:text('Your card was declined.')")
    frame.locator('[name="cardnumber"]').fill("4242424242424242")
    page.click("#pay")
    page.wait_for_selector("#status:text('succeeded')")
    after = client.v1.payment_intents.retrieve(pi.id)
    assert after.status == "succeeded"
    assert len(client.v1.charges.list(params={"payment_intent": pi.id}).data) == 2


def test_stripe_is_what_react_stripe_js_expects(browser, merchant, api_key) -> None:
    """The checks @stripe/react-stripe-js makes of the object loadStripe resolves with."""
    page = browser.new_page()
    page.goto(f"{merchant}/card.html?pk={publishable(api_key)}")
    kinds = page.evaluate(
        "['elements', 'createToken', 'createPaymentMethod', 'confirmCardPayment',"
        " '_registerWrapper', 'registerAppInfo'].map(m => typeof stripe[m])"
    )
    assert kinds == ["function"] * 6
    assert page.evaluate("Stripe.version") == 3
    token = page.evaluate("stripe.createToken(window.card)")
    assert token["error"]["type"] == "invalid_request_error"
