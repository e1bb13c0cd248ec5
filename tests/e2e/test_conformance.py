"""What Stripe's own tests, samples and older SDKs caught (issue 18): booleans as older SDKs
send them, confirm-only parameters, payment method availability by country and currency,
GET /v1/payment_methods, every Customer parameter, deleting customers, charge.refund.updated."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import stripe

from tests.conftest import error, make_client, new_key
from tests.http_client import HTTP
from tests.schema import assert_stripe_shape
from tests.server import ServerProcess


def post(server: ServerProcess, key: str, path: str, body: str) -> httpx.Response:
    return HTTP.post(
        server.url + path,
        content=body,
        headers={
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        timeout=30,
    )


def events_of(client: stripe.StripeClient, type: str) -> list[stripe.Event]:
    return list(client.v1.events.list(params={"type": type, "limit": 100}).data)


# -- booleans -------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["true", "True"])
def test_booleans_true_in_both_spellings(server: ServerProcess, spelling: str) -> None:
    key = new_key()
    body = f"amount=1000&currency=usd&payment_method=pm_card_visa&confirm={spelling}"
    body += "&payment_method_types[]=card&capture_method=manual"
    resp = post(server, key, "/v1/payment_intents", body)
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "requires_capture"


def test_booleans_false_in_both_spellings(server: ServerProcess) -> None:
    key = new_key()
    for spelling in ("false", "False"):
        body = f"amount=1000&currency=usd&confirm={spelling}&off_session={spelling}"
        resp = post(server, key, "/v1/payment_intents", body)
        assert resp.status_code == 200, resp.text
        assert resp.json()["status"] == "requires_payment_method"


@pytest.mark.parametrize("value", ["1", "0", "TRUE", "yes", "tRue"])
def test_other_boolean_spellings_refused(server: ServerProcess, value: str) -> None:
    key = new_key()
    resp = post(server, key, "/v1/customers", "")
    customer = resp.json()["id"]
    pm = post(server, key, "/v1/payment_methods/pm_card_visa/attach", f"customer={customer}")
    assert pm.status_code == 200
    body = f"amount=1000&currency=usd&automatic_payment_methods[enabled]={value}"
    resp = post(server, key, "/v1/payment_intents", body)
    assert resp.status_code == 400
    err = error(resp)
    assert err["type"] == "invalid_request_error"
    assert err["param"] == "automatic_payment_methods[enabled]"
    assert err["message"] == f"Invalid boolean: {value}"
    assert list(make_client(server, key).v1.payment_intents.list().data) == []


# -- confirm-only parameters ------------------------------------------------------------------


def test_payment_method_data_without_confirm(client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(
        params={
            "amount": 1500,
            "currency": "usd",
            "payment_method_types": ["card"],
            "payment_method_data": {
                "type": "card",
                "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2040},
                "billing_details": {"name": "Jenny Rosen"},
            },
        }
    )
    assert pi.status == "requires_confirmation"
    pm = client.v1.payment_methods.retrieve(pi.payment_method)
    assert pm.card.last4 == "4242"
    assert pm.billing_details.name == "Jenny Rosen"
    done = client.v1.payment_intents.confirm(pi.id)
    assert done.status == "succeeded"
    assert done.payment_method == pm.id


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("off_session", "true"),
        ("off_session", "one_off"),
        ("error_on_requires_action", "true"),
        ("return_url", "https://shop.example/done"),
        ("mandate", "mandate_123"),
        ("mandate_data[customer_acceptance][type]", "offline"),
    ],
)
def test_confirm_only_parameters_need_confirm(server: ServerProcess, name: str, value: str) -> None:
    key = new_key()
    resp = post(server, key, "/v1/payment_intents", f"amount=1000&currency=usd&{name}={value}")
    assert resp.status_code == 400
    err = error(resp)
    top = name.split("[")[0]
    assert err["param"] == top
    assert err["message"] == f"You can only provide `{top}` when `confirm` is true."
    assert list(make_client(server, key).v1.payment_intents.list().data) == []


def test_false_confirm_only_flags_accepted_without_confirm(client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(
        params={
            "amount": 1000,
            "currency": "usd",
            "off_session": False,
            "error_on_requires_action": False,
            "use_stripe_sdk": True,
        }
    )
    assert pi.status == "requires_payment_method"


# -- payment method availability ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "types", "message", "param"),
    [
        (
            "usd",
            ["au_becs_debit"],
            "au_becs_debit is invalid. This payment method is available to Stripe accounts in "
            "AU and your Stripe account is in US.",
            "payment_method_types",
        ),
        (
            "cad",
            ["card", "bacs_debit"],
            "bacs_debit is invalid. This payment method is available to Stripe accounts in GB "
            "and your Stripe account is in US.",
            "payment_method_types",
        ),
        (
            "usd",
            ["sepa_debit"],
            "The currency provided (usd) is invalid. Payments with sepa_debit support the "
            "following currencies: eur.",
            "currency",
        ),
        (
            "eur",
            ["card", "us_bank_account"],
            "The currency provided (eur) is invalid. Payments with us_bank_account support the "
            "following currencies: usd.",
            "currency",
        ),
        (
            "usd",
            ["acss_debit", "bancontact"],
            "bancontact is invalid. This payment method is available to Stripe accounts in AT, "
            "BE, BG, CH, CY, CZ, DE, DK, EE, ES, FI, FR, GB, GR, HR, HU, IE, IT, LI, LT, LU, LV, "
            "MT, NL, NO, PL, PT, RO, SE, SI, and SK and your Stripe account is in US.",
            "payment_method_types",
        ),
        (
            "aud",
            ["customer_balance"],
            "The currency provided (aud) is invalid. Payments with customer_balance support the "
            "following currencies: eur, gbp, jpy, mxn, usd.",
            "currency",
        ),
    ],
)
def test_unavailable_payment_method_types_refused(
    client: stripe.StripeClient, currency: str, types: list[str], message: str, param: str
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.create(
            params={"amount": 1000, "currency": currency, "payment_method_types": types}
        )
    assert err.value.http_status == 400
    assert err.value.user_message == message
    assert err.value.param == param
    assert list(client.v1.payment_intents.list().data) == []


def test_availability_checked_on_update_and_confirm(client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(
        params={"amount": 1000, "currency": "eur", "payment_method_types": ["sepa_debit"]}
    )
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.update(pi.id, params={"currency": "usd"})
    assert err.value.param == "currency"
    assert "Payments with sepa_debit support the following currencies: eur." in str(
        err.value.user_message
    )
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_intents.confirm(
            pi.id,
            params={"payment_method": "pm_card_visa", "payment_method_types": ["au_becs_debit"]},
        )
    assert err.value.param == "payment_method_types"
    got = client.v1.payment_intents.retrieve(pi.id)
    assert (got.currency, got.payment_method_types, got.status) == (
        "eur",
        ["sepa_debit"],
        "requires_payment_method",
    )


def test_account_country_from_serve_flag(tmp_path: Path) -> None:
    proc = ServerProcess(str(tmp_path / "au.sqlite3"), "--country", "au").start()
    try:
        client = make_client(proc)
        pi = client.v1.payment_intents.create(
            params={"amount": 1000, "currency": "aud", "payment_method_types": ["au_becs_debit"]}
        )
        assert pi.payment_method_types == ["au_becs_debit"]
        with pytest.raises(stripe.InvalidRequestError) as err:
            client.v1.payment_intents.create(
                params={
                    "amount": 1000,
                    "currency": "usd",
                    "payment_method_types": ["us_bank_account"],
                }
            )
        assert err.value.user_message == (
            "us_bank_account is invalid. This payment method is available to Stripe accounts "
            "in US and your Stripe account is in AU."
        )
    finally:
        proc.stop()


def test_account_country_from_the_keys_file(tmp_path: Path) -> None:
    """An account whose keys file entry names a country has it; the others the server's."""
    keys = tmp_path / "keys.toml"
    keys.write_text(
        '[accounts.sydney]\nsecret = "sk_test_sydney_0123456789"\ncountry = "au"\n'
        '[accounts.boston]\nsecret = "sk_test_boston_0123456789"\n'
    )
    proc = ServerProcess(str(tmp_path / "keys.sqlite3"), "--keys-file", str(keys)).start()
    try:
        sydney = make_client(proc, "sk_test_sydney_0123456789")
        boston = make_client(proc, "sk_test_boston_0123456789")
        becs = {"amount": 1000, "currency": "aud", "payment_method_types": ["au_becs_debit"]}
        assert sydney.v1.payment_intents.create(params=becs).payment_method_types == [
            "au_becs_debit"
        ]
        with pytest.raises(stripe.InvalidRequestError) as err:
            boston.v1.payment_intents.create(params=becs)
        assert err.value.user_message == (
            "au_becs_debit is invalid. This payment method is available to Stripe accounts "
            "in AU and your Stripe account is in US."
        )
        assert boston.v1.payment_intents.list().data == []
    finally:
        proc.stop()


# -- GET /v1/payment_methods -----------------------------------------------------------------


def test_list_payment_methods(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create()
    other = client.v1.customers.create()
    card = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    sepa = client.v1.payment_methods.create(
        params={"type": "sepa_debit", "sepa_debit": {"iban": "DE89370400440532013000"}}
    )
    client.v1.payment_methods.attach(sepa.id, params={"customer": customer.id})
    client.v1.payment_methods.attach("pm_card_mastercard", params={"customer": other.id})
    listed = client.v1.payment_methods.list(params={"customer": customer.id})
    assert [pm.id for pm in listed.data] == [sepa.id, card.id]
    assert listed.url == "/v1/payment_methods"
    cards = client.v1.payment_methods.list(params={"customer": customer.id, "type": "card"})
    assert [pm.id for pm in cards.data] == [card.id]
    # Without a customer Stripe lists the methods of Treasury flows: none here.
    assert list(client.v1.payment_methods.list().data) == []
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_methods.list(params={"customer": "cus_missing"})
    assert (err.value.http_status, err.value.code, err.value.param) == (
        404,
        "resource_missing",
        "customer",
    )
    assert err.value.user_message == "No such customer: 'cus_missing'"
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.payment_methods.list(params={"type": "cash"})
    assert err.value.param == "type"


# -- Customer parameters ---------------------------------------------------------------------


def test_customer_documented_parameters(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(
        params={
            "preferred_locales": ["fr-FR", "en"],
            "invoice_prefix": "ACME42",
            "next_invoice_sequence": 7,
            "tax_exempt": "reverse",
            "tax": {"ip_address": "203.0.113.7", "validate_location": "deferred"},
            "invoice_settings": {
                "custom_fields": [{"name": "VAT", "value": "FR123"}],
                "footer": "Thank you",
                "rendering_options": {"amount_tax_display": "exclude_tax"},
            },
        }
    )
    assert customer.preferred_locales == ["fr-FR", "en"]
    assert customer.invoice_prefix == "ACME42"
    assert customer.next_invoice_sequence == 7
    assert customer.tax_exempt == "reverse"
    settings = customer.invoice_settings
    assert [f.to_dict() for f in settings.custom_fields] == [{"name": "VAT", "value": "FR123"}]
    assert settings.footer == "Thank you"
    assert settings.rendering_options.amount_tax_display == "exclude_tax"
    assert_stripe_shape(customer.to_dict())
    updated = client.v1.customers.update(
        customer.id,
        params={
            "preferred_locales": ["de"],
            "tax_exempt": "",
            "invoice_settings": {"custom_fields": "", "rendering_options": ""},
        },
    )
    assert updated.preferred_locales == ["de"]
    assert updated.tax_exempt == "none"
    assert updated.invoice_settings.custom_fields is None
    assert updated.invoice_settings.rendering_options is None
    assert updated.invoice_settings.footer == "Thank you"
    previous = events_of(client, "customer.updated")[0].data.previous_attributes
    assert previous["preferred_locales"] == ["fr-FR", "en"]
    assert previous["tax_exempt"] == "reverse"


@pytest.mark.parametrize(
    ("params", "status", "code", "param", "message"),
    [
        (
            {"invoice_prefix": "ab"},
            400,
            None,
            "invoice_prefix",
            "Invalid invoice_prefix: ab. The prefix must be 3-12 uppercase letters or numbers.",
        ),
        ({"coupon": "SUMMER"}, 404, "resource_missing", "coupon", "No such coupon: 'SUMMER'"),
        (
            {"promotion_code": "promo_1"},
            404,
            "resource_missing",
            "promotion_code",
            "No such promotion code: 'promo_1'",
        ),
        ({"source": "tok_visa"}, 404, "resource_missing", "source", "No such token: 'tok_visa'"),
        (
            {"test_clock": "clock_1"},
            404,
            "resource_missing",
            "test_clock",
            "No such test clock: 'clock_1'",
        ),
        (
            {"tax_id_data": [{"type": "eu_vat", "value": "DE123456789"}]},
            400,
            None,
            "tax_id_data",
            "payintents keeps no tax IDs: create the customer without tax_id_data.",
        ),
        (
            {"tax_exempt": "partial"},
            400,
            None,
            "tax_exempt",
            "Invalid tax_exempt: must be one of exempt, none, or reverse",
        ),
        (
            {"invoice_settings": {"custom_fields": [{"name": "x" * 41, "value": "v"}]}},
            400,
            None,
            "invoice_settings[custom_fields][0][name]",
            "Invalid string: xxxxxxxxxx...xxxxxxxxxx; must be at most 40 characters",
        ),
    ],
)
def test_customer_parameter_errors(
    client: stripe.StripeClient,
    params: dict,
    status: int,
    code: str | None,
    param: str,
    message: str,
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.customers.create(params=params)
    assert (err.value.http_status, err.value.code, err.value.param) == (status, code, param)
    assert err.value.user_message == message
    assert list(client.v1.customers.list().data) == []


# -- deleting customers ----------------------------------------------------------------------


def test_delete_customer(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(
        params={"email": "gone@example.com", "metadata": {"k": "v"}}
    )
    pm = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    pi = client.v1.payment_intents.create(
        params={
            "amount": 1000,
            "currency": "usd",
            "customer": customer.id,
            "payment_method": pm.id,
            "payment_method_types": ["card"],
            "confirm": True,
        }
    )
    assert pi.status == "succeeded"
    gone = client.v1.customers.delete(customer.id)
    assert gone.to_dict() == {"id": customer.id, "object": "customer", "deleted": True}
    assert_stripe_shape(gone.to_dict(), "deleted_customer")
    again = client.v1.customers.retrieve(customer.id)
    assert again.to_dict() == {"id": customer.id, "object": "customer", "deleted": True}
    # Gone from lists and searches.
    assert list(client.v1.customers.list().data) == []
    assert list(client.v1.customers.list(params={"email": "gone@example.com"}).data) == []
    found = client.v1.customers.search(params={"query": 'metadata["k"]:"v"'})
    assert list(found.data) == []
    # Its payment methods are detached; intents and charges keep its id.
    assert client.v1.payment_methods.retrieve(pm.id).customer is None
    assert client.v1.payment_intents.retrieve(pi.id).customer == customer.id
    assert client.v1.charges.retrieve(pi.latest_charge).customer == customer.id
    # customer.deleted carries the customer as it was.
    (event,) = events_of(client, "customer.deleted")
    assert event.data.object.id == customer.id
    assert event.data.object.email == "gone@example.com"
    assert "deleted" not in event.data.object
    assert_stripe_shape(event.data.object.to_dict(), "customer")
    for action in (
        lambda: client.v1.customers.update(customer.id, params={"name": "x"}),
        lambda: client.v1.customers.delete(customer.id),
        lambda: client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id}),
        lambda: client.v1.payment_intents.create(
            params={"amount": 500, "currency": "usd", "customer": customer.id}
        ),
    ):
        with pytest.raises(stripe.InvalidRequestError) as err:
            action()
        assert err.value.http_status == 404
        assert err.value.code == "resource_missing"
        assert err.value.user_message == f"No such customer: '{customer.id}'"
    assert len(events_of(client, "customer.deleted")) == 1


def test_delete_missing_customer(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.customers.delete("cus_nothere")
    assert (err.value.http_status, err.value.code, err.value.param) == (
        404,
        "resource_missing",
        "id",
    )


# -- charge.refund.updated -------------------------------------------------------------------


def test_refund_update_records_charge_refund_updated(client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(
        params={
            "amount": 100,
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "payment_method_types": ["card"],
            "confirm": True,
        }
    )
    refund = client.v1.refunds.create(params={"payment_intent": pi.id})
    client.v1.refunds.update(refund.id, params={"metadata": {"order_id": "6735"}})
    (updated,) = events_of(client, "refund.updated")
    (charge_refund,) = events_of(client, "charge.refund.updated")
    for event in (updated, charge_refund):
        assert event.data.object.id == refund.id
        assert event.data.object.metadata.to_dict() == {"order_id": "6735"}
        assert event.data.previous_attributes.to_dict() == {"metadata": {"order_id": None}}
    # An update that changes nothing records neither.
    client.v1.refunds.update(refund.id, params={"metadata": {"order_id": "6735"}})
    assert len(events_of(client, "charge.refund.updated")) == 1
