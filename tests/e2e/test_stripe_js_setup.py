"""SetupIntents through the served Stripe.js in Chromium: confirmCardSetup with the Card
Element (3-D Secure in the modal, completed and failed), confirmSetup with the Payment Element
(redirect to return_url, the deferred flow with a ConfirmationToken), the bank debit setups,
retrieveSetupIntent and handleNextAction. Each test then reads the server's state through the
SDK: the intent succeeded, the method is the customer's, and an off-session payment with it
succeeds."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import stripe

from tests.browser import challenge, screenshot
from tests.conftest import publishable

CARD_FRAME = 'iframe[name^="__privateStripeFrame"]'
PAYMENT_FRAME = 'iframe[title="Secure payment input frame"]'
WRONG_AMOUNTS = (
    "The amounts provided do not match the amounts that were sent to the bank account. You "
    "have 2 verification attempts remaining."
)
AUTH_FAILED = (
    "We are unable to authenticate your payment method. Please choose a different payment "
    "method and try again."
)


def open_setup(browser: Any, merchant: str, api_key: str, **query: str) -> Any:
    page = browser.new_page()
    page.goto(f"{merchant}/setup.html?" + urlencode({"pk": publishable(api_key), **query}))
    page.wait_for_function("window.events.some(e => e.event === 'ready')")
    return page


def type_card(page: Any, number: str) -> None:
    frame = page.frame_locator(CARD_FRAME).first
    frame.locator('[name="cardnumber"]').fill(number)
    frame.locator('[name="exp-date"]').fill("12/34")
    frame.locator('[name="cvc"]').fill("123")
    frame.locator('[name="postal"]').fill("94107")


def fill_payment_card(page: Any, number: str = "4242424242424242") -> None:
    frame = page.frame_locator(PAYMENT_FRAME)
    frame.locator('[name="number"]').fill(number)
    frame.locator('[name="expiry"]').fill("1234")
    frame.locator('[name="cvc"]').fill("123")
    frame.locator('[name="postalCode"]').fill("94107")


def start(page: Any, what: str, arg: Any = None) -> None:
    page.evaluate("([w, a]) => window.run(w, a)", [what, arg])


def run(page: Any, what: str, arg: Any = None) -> dict:
    start(page, what, arg)
    page.wait_for_function("window.result !== null")
    return page.evaluate("window.result")


def new_setup(client: stripe.StripeClient, **params: Any) -> tuple[Any, str]:
    customer = client.v1.customers.create(params={"email": "jenny@example.com"})
    si = client.v1.setup_intents.create(
        params={"customer": customer.id, "payment_method_types": ["card"], **params}
    )
    return si, customer.id


def assert_saved(client: stripe.StripeClient, si_id: str, customer: str) -> Any:
    """The setup succeeded, the method is the customer's, and it pays off-session."""
    after = client.v1.setup_intents.retrieve(si_id)
    assert after.status == "succeeded"
    pm = client.v1.payment_methods.retrieve(after.payment_method)
    assert pm.customer == customer
    pi = client.v1.payment_intents.create(
        params={
            "amount": 1999,
            "currency": "usd",
            "customer": customer,
            "payment_method": pm.id,
            "payment_method_types": [pm.type],
            "off_session": True,
            "confirm": True,
        }
    )
    assert (pi.status, pi.amount_received) == ("succeeded", 1999)
    return pm


def test_confirm_card_setup_without_a_challenge(browser, merchant, client, api_key) -> None:
    si, customer = new_setup(client)
    page = open_setup(browser, merchant, api_key)
    type_card(page, "4242424242424242")
    screenshot(page, "setup-card-element")
    result = run(page, "confirmCardSetup", si.client_secret)
    assert set(result) == {"setupIntent"}
    shown = result["setupIntent"]
    assert (shown["id"], shown["status"], shown["object"]) == (si.id, "succeeded", "setup_intent")
    pm = assert_saved(client, si.id, customer)
    assert (pm.card.last4, pm.billing_details.name, pm.billing_details.address.postal_code) == (
        "4242", "Jenny Rosen", "94107",
    )  # fmt: skip
    # retrieveSetupIntent reads it back with the publishable key.
    read = run(page, "retrieve", si.client_secret)["setupIntent"]
    assert (read["id"], read["status"], read["payment_method"]) == (si.id, "succeeded", pm.id)
    assert "customer" not in read  # the publishable key's reduced object


def test_a_declined_setup_is_the_error(browser, merchant, client, api_key) -> None:
    si, _ = new_setup(client)
    page = open_setup(browser, merchant, api_key)
    type_card(page, "4000000000000002")
    error = run(page, "confirmCardSetup", si.client_secret)["error"]
    assert (error["type"], error["code"], error["decline_code"], error["message"]) == (
        "card_error", "card_declined", "generic_decline", "Your card was declined.",
    )  # fmt: skip
    assert error["setup_intent"]["id"] == si.id
    assert error["setup_intent"]["status"] == "requires_payment_method"
    assert error["payment_method"]["card"]["last4"] == "0002"
    assert page.locator("#error").inner_text() == "Your card was declined."
    after = client.v1.setup_intents.retrieve(si.id)
    assert (after.status, after.last_setup_error.decline_code) == (
        "requires_payment_method", "generic_decline",
    )  # fmt: skip


def test_three_d_secure_on_setup_completed_in_the_modal(browser, merchant, client, api_key) -> None:
    si, customer = new_setup(client)
    page = open_setup(browser, merchant, api_key)
    type_card(page, "4000002500003155")
    start(page, "confirmCardSetup", si.client_secret)
    frame = challenge(page)
    assert frame.locator("h1").inner_text() == "3D Secure 2 Test Page"
    assert frame.locator("#card").inner_text() == "•••• 3155"
    # A setup moves no money: the page says the card is being saved, not an amount.
    assert frame.locator("#amount").inner_text() == "Saving this card for future payments"
    assert frame.locator("#intent").inner_text() == si.id
    screenshot(page, "setup-three-d-secure-modal")
    frame.locator("#test-source-authorize-3ds").click()
    page.wait_for_function("window.result !== null")
    result = page.evaluate("window.result")
    assert result["setupIntent"]["status"] == "succeeded"
    assert page.locator("[data-payintents]").count() == 0
    pm = assert_saved(client, si.id, customer)
    attempt = client.v1.setup_attempts.list(params={"setup_intent": si.id}).data[0]
    assert attempt.payment_method_details.card.three_d_secure.result == "authenticated"
    assert pm.card.last4 == "3155"


def test_three_d_secure_on_setup_failed_in_the_modal(browser, merchant, client, api_key) -> None:
    si, customer = new_setup(client)
    page = open_setup(browser, merchant, api_key)
    type_card(page, "4000002500003155")
    start(page, "confirmCardSetup", si.client_secret)
    challenge(page).locator("#test-source-fail-3ds").click()
    page.wait_for_function("window.result !== null")
    error = page.evaluate("window.result")["error"]
    assert (error["type"], error["code"], error["message"]) == (
        "invalid_request_error", "setup_intent_authentication_failure", AUTH_FAILED,
    )  # fmt: skip
    assert error["setup_intent"]["status"] == "requires_payment_method"
    assert page.locator("#error").inner_text() == AUTH_FAILED
    after = client.v1.setup_intents.retrieve(si.id)
    assert (after.status, after.last_setup_error.code) == (
        "requires_payment_method", "setup_intent_authentication_failure",
    )  # fmt: skip
    assert client.v1.customers.payment_methods.list(customer).data == []


def test_confirm_card_setup_with_a_payment_method_id(browser, merchant, client, api_key) -> None:
    si, customer = new_setup(client)
    page = open_setup(browser, merchant, api_key)
    result = run(page, "confirmCardSetupWithId", {"cs": si.client_secret, "pm": "pm_card_visa"})
    assert result["setupIntent"]["status"] == "succeeded"
    assert assert_saved(client, si.id, customer).card.last4 == "4242"


def test_handle_next_action_of_a_setup(browser, merchant, client, api_key) -> None:
    # The server confirms; the page handles the challenge with the intent's client secret.
    si, customer = new_setup(
        client, payment_method="pm_card_authenticationRequiredOnSetup", confirm=True
    )
    assert si.status == "requires_action"
    page = open_setup(browser, merchant, api_key)
    start(page, "handleNextAction", si.client_secret)
    challenge(page).locator("#test-source-authorize-3ds").click()
    page.wait_for_function("window.result !== null")
    assert page.evaluate("window.result")["setupIntent"]["status"] == "succeeded"
    assert_saved(client, si.id, customer)
    # Nothing is left to handle: Stripe.js's error, naming the intent.
    error = run(page, "handleNextAction", si.client_secret)["error"]
    assert (error["code"], error["setup_intent"]["status"]) == ("unexpected_state", "succeeded")


def test_confirm_setup_redirects_to_the_return_url(browser, merchant, client, api_key) -> None:
    si, customer = new_setup(client)
    page = open_setup(browser, merchant, api_key, cs=si.client_secret)
    fill_payment_card(page)
    screenshot(page, "setup-payment-element")
    start(page, "confirmSetup")
    page.wait_for_url("**/return?**")
    assert page.locator("#shop").inner_text() == "Back at the shop"
    query = parse_qs(urlsplit(page.url).query)
    assert query == {
        "order": ["7"],
        "setup_intent": [si.id],
        "setup_intent_client_secret": [si.client_secret],
        "redirect_status": ["succeeded"],
    }
    pm = assert_saved(client, si.id, customer)
    assert (pm.card.last4, pm.billing_details.name) == ("4242", "Jenny Rosen")


def test_the_deferred_setup_flow(browser, merchant, client, api_key) -> None:
    page = open_setup(browser, merchant, api_key, mode="setup", currency="usd")
    fill_payment_card(page, "5555555555554444")
    assert run(page, "submit") == {}
    token = run(page, "createConfirmationToken")["confirmationToken"]
    assert token["payment_method_preview"]["card"]["last4"] == "4444"
    # The server creates and confirms the SetupIntent with the token.
    customer = client.v1.customers.create(params={"email": "jenny@example.com"})
    si = client.v1.setup_intents.create(
        params={
            "customer": customer.id,
            "payment_method_types": ["card"],
            "confirm": True,
            "confirmation_token": token["id"],
        }
    )
    assert si.status == "succeeded"
    assert assert_saved(client, si.id, customer.id).card.last4 == "4444"


def test_the_deferred_setup_confirmed_in_the_browser(browser, merchant, client, api_key) -> None:
    page = open_setup(browser, merchant, api_key, mode="setup", currency="usd")
    fill_payment_card(page)
    assert run(page, "submit") == {}
    si, customer = new_setup(client)
    result = run(page, "confirmSetupIfRequired", si.client_secret)
    assert result["setupIntent"]["status"] == "succeeded"
    assert "/setup.html" in page.url
    assert_saved(client, si.id, customer)


def test_confirm_sepa_debit_setup(browser, merchant, client, api_key) -> None:
    si, customer = new_setup(client, payment_method_types=["sepa_debit"])
    page = open_setup(browser, merchant, api_key)
    result = run(page, "confirmSepaDebitSetup", si.client_secret)
    assert result["setupIntent"]["status"] == "succeeded"
    after = client.v1.setup_intents.retrieve(si.id)
    mandate = client.v1.setup_intents.retrieve(si.id, params={"expand": ["mandate"]}).mandate
    assert mandate.customer_acceptance.type == "online"
    assert mandate.customer_acceptance.online.user_agent.startswith("Mozilla/")
    pm = client.v1.payment_methods.retrieve(after.payment_method)
    assert (pm.type, pm.sepa_debit.last4, pm.customer) == ("sepa_debit", "3000", customer)
    pi = client.v1.payment_intents.create(
        params={
            "amount": 1200,
            "currency": "eur",
            "customer": customer,
            "payment_method": pm.id,
            "payment_method_types": ["sepa_debit"],
            "off_session": True,
            "confirm": True,
        }
    )
    assert pi.status == "processing"


def test_us_bank_account_setup_with_microdeposits(browser, merchant, client, api_key) -> None:
    si, customer = new_setup(client, payment_method_types=["us_bank_account"])
    page = open_setup(browser, merchant, api_key)
    shown = run(page, "confirmUsBankAccountSetup", si.client_secret)["setupIntent"]
    assert (shown["status"], shown["next_action"]["type"]) == (
        "requires_action", "verify_with_microdeposits",
    )  # fmt: skip
    verified = run(page, "verifyMicrodepositsForSetup", si.client_secret)["setupIntent"]
    assert verified["status"] == "succeeded"
    after = client.v1.setup_intents.retrieve(si.id)
    pm = client.v1.payment_methods.retrieve(after.payment_method)
    assert (pm.type, pm.us_bank_account.last4, pm.customer) == (
        "us_bank_account", "6789", customer,
    )  # fmt: skip


def test_the_hosted_microdeposit_page_of_a_setup(browser, client) -> None:
    customer = client.v1.customers.create(params={"email": "jenny@example.com"})
    si = client.v1.setup_intents.create(
        params={
            "customer": customer.id,
            "payment_method_types": ["us_bank_account"],
            "confirm": True,
            "payment_method_data": {
                "type": "us_bank_account",
                "billing_details": {"name": "Jenny Rosen"},
                "us_bank_account": {
                    "account_holder_type": "individual",
                    "routing_number": "110000000",
                    "account_number": "000123456789",
                },
            },
            "mandate_data": {
                "customer_acceptance": {
                    "type": "offline",
                },
            },
        }
    )
    action = si.next_action.verify_with_microdeposits
    assert f"/microdeposit/{si.id}?" in action.hosted_verification_url
    page = browser.new_page()
    page.goto(action.hosted_verification_url)
    assert page.locator("h1").inner_text() == "Verify your bank account"
    assert page.locator("main > p").nth(1).inner_text() == (
        "Bank account ending in 6789, to save it for future payments."
    )
    assert page.locator("#amount").count() == 0
    # Wrong amounts: Stripe's error, and the form again (an attempt of the 3 is used).
    page.locator("#amount_1").fill("1")
    page.locator("#amount_2").fill("2")
    page.locator("#verify").click()
    assert page.locator("h1").inner_text() == "Verification failed"
    assert page.locator("p").first.inner_text() == WRONG_AMOUNTS
    assert client.v1.setup_intents.retrieve(si.id).status == "requires_action"
    page.goto(action.hosted_verification_url)
    page.locator("#amount_1").fill("32")
    page.locator("#amount_2").fill("45")
    screenshot(page, "setup-microdeposits")
    page.locator("#verify").click()
    assert page.locator("h1").inner_text() == "Bank account verified"
    assert page.locator("p").first.inner_text() == (
        "Thank you. The bank account is saved for future payments."
    )
    screenshot(page, "setup-microdeposits-verified")
    after = client.v1.setup_intents.retrieve(si.id)
    assert after.status == "succeeded"
    pm = client.v1.payment_methods.retrieve(after.payment_method)
    assert (pm.type, pm.customer) == ("us_bank_account", customer.id)
    pi = client.v1.payment_intents.create(
        params={
            "amount": 1500,
            "currency": "usd",
            "customer": customer.id,
            "payment_method": pm.id,
            "payment_method_types": ["us_bank_account"],
            "off_session": True,
            "confirm": True,
        }
    )
    assert pi.status == "processing"


def test_the_three_d_secure_redirect_returns_setup_params(browser, merchant, client) -> None:
    si, customer = new_setup(
        client,
        payment_method="pm_card_authenticationRequiredOnSetup",
        confirm=True,
        return_url=f"{merchant}/return?order=7",
    )
    assert si.next_action.type == "redirect_to_url"
    page = browser.new_page()
    page.goto(si.next_action.redirect_to_url.url)
    assert page.locator("#amount").inner_text() == "Saving this card for future payments"
    assert page.locator("#intent").inner_text() == si.id
    screenshot(page, "setup-three-d-secure-page")
    page.locator("#complete").click()
    page.wait_for_url("**/return?**")
    assert parse_qs(urlsplit(page.url).query) == {
        "order": ["7"],
        "setup_intent": [si.id],
        "setup_intent_client_secret": [si.client_secret],
        "redirect_status": ["succeeded"],
    }
    assert_saved(client, si.id, customer)


def test_a_setup_link_with_a_wrong_secret_is_refused(browser, server, client, api_key) -> None:
    si, _ = new_setup(client, payment_method_types=["us_bank_account"])
    page = browser.new_page()
    query = urlencode(
        {"client_secret": f"{si.id}_secret_x", "publishable_key": publishable(api_key)}
    )
    resp = page.goto(f"{server.url}/microdeposit/{si.id}?{query}")
    assert resp.status == 400
    assert page.locator("h1").inner_text() == "Verification unavailable"
    assert page.locator("p").first.inner_text() == "This link is not valid."


def test_integration_errors_of_the_setup_methods(browser, merchant, client, api_key) -> None:
    si, _ = new_setup(client)
    page = open_setup(browser, merchant, api_key, cs=si.client_secret)
    thrown = page.evaluate(
        """cs => {
          const out = {};
          const tries = {
            noReturnUrl: () => stripe.confirmSetup({ elements, confirmParams: {} }),
            paymentSecret: () => stripe.retrieveSetupIntent('pi_123_secret_abc'),
            cardSetupWithoutElement: () =>
              stripe.confirmCardSetup(cs, { payment_method: { card: {} } }),
          };
          for (const name in tries) {
            try { tries[name](); out[name] = null }
            catch (e) { out[name] = e.name + ': ' + e.message }
          }
          return out;
        }""",
        si.client_secret,
    )
    assert thrown == {
        "noReturnUrl": "IntegrationError: stripe.confirmSetup(): the `confirmParams.return_url` "
        "argument is required unless passing `redirect: 'if_required'`",
        "paymentSecret": "IntegrationError: Invalid value for retrieveSetupIntent: clientSecret "
        "should be a client secret of the form ${id}_secret_${secret}. You specified: "
        "pi_123_secret_abc.",
        "cardSetupWithoutElement": "IntegrationError: stripe.confirmCardSetup: "
        "payment_method.card should be a card Element (or use a PaymentMethod id).",
    }
    # A secret that is not the intent's: the server's error, nothing changes.
    error = run(page, "retrieve", f"{si.id}_secret_wrong")["error"]
    assert (error["type"], error["code"], error["param"]) == (
        "invalid_request_error", "setup_intent_invalid_parameter", "client_secret",
    )  # fmt: skip
    assert client.v1.setup_intents.retrieve(si.id).status == "requires_payment_method"
