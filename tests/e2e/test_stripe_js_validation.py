"""What the Card Element checks as the customer types, with Stripe's codes and messages in its
`change` events, and its focus, blur and clear, in Chromium."""

from __future__ import annotations

from typing import Any

from tests.browser import screenshot
from tests.conftest import publishable

FRAME = 'iframe[name^="__privateStripeFrame"]'


def open_card(browser: Any, merchant: str, api_key: str) -> tuple[Any, Any]:
    page = browser.new_page()
    page.goto(f"{merchant}/card.html?pk={publishable(api_key)}")
    page.wait_for_function("window.events.some(e => e.event === 'ready')")
    return page, page.frame_locator(FRAME)


def last_change(page: Any) -> dict:
    return page.evaluate("window.events.filter(e => e.event === 'change').pop()")


def error_of(code: str, message: str) -> dict:
    return {"type": "validation_error", "code": code, "message": message}


def test_number_errors_and_brand(browser, merchant, api_key) -> None:
    page, frame = open_card(browser, merchant, api_key)
    number = frame.locator('[name="cardnumber"]')
    number.fill("4242424242424241")
    assert last_change(page) == {
        "event": "change", "elementType": "card", "empty": False, "complete": False,
        "brand": "visa", "value": {"postalCode": ""},
        "error": error_of("invalid_number", "Your card number is invalid."),
    }  # fmt: skip
    assert page.locator("#error").inner_text() == "Your card number is invalid."
    assert "StripeElement--invalid" in page.locator("#card-element").get_attribute("class")
    screenshot(page, "card-element-invalid")
    # While typing an incomplete number is no error; leaving it is.
    number.fill("3782")
    assert "error" not in last_change(page)
    assert last_change(page)["brand"] == "amex"
    assert number.input_value() == "3782"
    frame.locator('[name="exp-date"]').focus()
    assert last_change(page)["error"] == error_of(
        "incomplete_number", "Your card number is incomplete."
    )
    number.fill("378282246310005")
    assert number.input_value() == "3782 822463 10005"
    assert "error" not in last_change(page)


def test_expiry_and_cvc_errors(browser, merchant, api_key) -> None:
    page, frame = open_card(browser, merchant, api_key)
    frame.locator('[name="cardnumber"]').fill("4242424242424242")
    expiry = frame.locator('[name="exp-date"]')
    expiry.fill("1220")
    assert expiry.input_value() == "12 / 20"
    assert last_change(page)["error"] == error_of(
        "invalid_expiry_year_past", "Your card's expiration year is in the past."
    )
    expiry.fill("13")
    assert last_change(page)["error"]["code"] == "invalid_expiry_month"
    expiry.fill("12/3")
    frame.locator('[name="cvc"]').focus()
    assert last_change(page)["error"] == error_of(
        "incomplete_expiry", "Your card's expiration date is incomplete."
    )
    expiry.fill("12/34")
    cvc = frame.locator('[name="cvc"]')
    cvc.fill("12")
    frame.locator('[name="postal"]').focus()
    assert last_change(page)["error"] == error_of(
        "incomplete_cvc", "Your card's security code is incomplete."
    )
    cvc.fill("123")
    frame.locator('[name="postal"]').fill("94107")
    done = last_change(page)
    assert (done["complete"], done.get("error")) == (True, None)


def test_focus_blur_and_clear(browser, merchant, api_key) -> None:
    page, frame = open_card(browser, merchant, api_key)
    page.evaluate("window.card.focus()")
    page.wait_for_function("window.events.some(e => e.event === 'focus')")
    assert "StripeElement--focus" in page.locator("#card-element").get_attribute("class")
    frame.locator('[name="cardnumber"]').press_sequentially("4242")
    page.evaluate("window.card.blur()")
    page.wait_for_function("window.events.some(e => e.event === 'blur')")
    assert "StripeElement--focus" not in page.locator("#card-element").get_attribute("class")
    assert last_change(page)["error"]["code"] == "incomplete_number"
    page.evaluate("window.card.clear()")
    page.wait_for_function(
        "(() => { const c = window.events.filter(e => e.event === 'change').pop();"
        " return c.empty && !c.error })()"
    )
    assert frame.locator('[name="cardnumber"]').input_value() == ""
    assert page.locator("#card-element").get_attribute("class") == (
        "StripeElement StripeElement--empty"
    )


def test_unmount_destroy_and_integration_errors(browser, merchant, api_key) -> None:
    page, _ = open_card(browser, merchant, api_key)
    page.evaluate("window.card.unmount()")
    assert page.locator(FRAME).count() == 0
    page.evaluate("window.card.mount('#card-element')")
    page.wait_for_function("window.events.filter(e => e.event === 'ready').length === 2")
    assert page.locator(FRAME).count() == 1
    page.evaluate("window.card.destroy()")
    assert page.locator(FRAME).count() == 0
    thrown = page.evaluate(
        "() => { try { window.card.mount('#card-element') } catch (e) { return e.message } }"
    )
    assert thrown == "This Element has already been destroyed. Please create a new one."
    thrown = page.evaluate(
        "() => { try { stripe.elements().create('card').mount('#nowhere') }"
        " catch (e) { return [e.name, e.message] } }"
    )
    assert thrown == [
        "IntegrationError",
        "The selector you specified (#nowhere) applies to no DOM elements that are currently "
        "on the page. Make sure the element exists on the page before calling mount().",
    ]
    thrown = page.evaluate("() => { try { Stripe('sk_test_123') } catch (e) { return e.message } }")
    assert thrown == (
        "You should not use your secret key with Stripe.js. Please pass a publishable key instead."
    )


def test_update_disabled_and_classes(browser, merchant, api_key) -> None:
    page, frame = open_card(browser, merchant, api_key)
    page.evaluate("window.card.update({disabled: true})")
    frame.locator('[name="cardnumber"]:disabled').wait_for()
    page.evaluate("window.card.update({disabled: false})")
    frame.locator('[name="cardnumber"]:enabled').wait_for()
    page.evaluate(
        "() => { const div = document.createElement('div'); div.id = 'other';"
        " document.body.appendChild(div);"
        " const el = stripe.elements().create('cardNumber', {classes: {base: 'field',"
        " empty: 'field--empty'}}); el.mount('#other'); }"
    )
    assert page.locator("#other").get_attribute("class") == "field field--empty"
