"""GET /v1/charges/search with the official SDK, against charges seeded per test: card
payments and declines, refunds, bank debits, customers, billing postal codes, metadata.

Expected results are computed here in Python from the seeded charges (as the list endpoint
returns them), independently of the server's parser and SQL.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
import stripe

from tests.conftest import make_client
from tests.server import ServerProcess

Charge = dict[str, Any]

ONLINE = {
    "customer_acceptance": {
        "type": "online",
        "online": {"ip_address": "203.0.113.7", "user_agent": "Mozilla/5.0"},
    }
}
# (number, exp_month, exp_year): visa, mastercard, amex (last4 0005), two visa declines,
# discover.
CARDS = [
    ("4242424242424242", 1, 2030),
    ("5555555555554444", 12, 2031),
    ("378282246310005", 6, 2030),
    ("4000000000000002", 12, 2030),
    ("4000000000009995", 3, 2032),
    ("6011111111111117", 12, 2033),
]
POSTAL_CODES = ["SW1A 1AA", "94107", None]


DECLINED = ("4000000000000002", "4000000000009995")


def pay(client: stripe.StripeClient, params: dict[str, Any]) -> None:
    """Confirm at once; a declined card is declined (its charge is stored, failed)."""
    declined = params["payment_method_data"]["card"]["number"] in DECLINED
    try:
        client.v1.payment_intents.create(params={**params, "confirm": True})
    except stripe.CardError:
        assert declined
        return
    assert not declined


def settle(client: stripe.StripeClient, pi_id: str, timeout: float = 15) -> None:
    """Bank debits succeed a few seconds later (the scheduler runs every second)."""
    deadline = time.time() + timeout
    while client.v1.payment_intents.retrieve(pi_id).status != "succeeded":
        assert time.time() < deadline, pi_id
        time.sleep(0.2)


def every_charge(client: stripe.StripeClient) -> list[Charge]:
    listed = client.v1.charges.list(params={"limit": 100})
    return [c.to_dict() for c in listed.auto_paging_iter()]


def seed(client: stripe.StripeClient) -> list[Charge]:
    """Fourteen card attempts (four declined), refunds in full and in part, a charge whose
    metadata was updated, a US bank debit and a SEPA debit; newest first, as lists are."""
    customers = [client.v1.customers.create(params={"name": n}).id for n in ("Ann", "Bo")]
    for i in range(14):
        number, month, year = CARDS[i % len(CARDS)]
        data: dict[str, Any] = {
            "type": "card",
            "card": {"number": number, "exp_month": month, "exp_year": year, "cvc": "123"},
        }
        if POSTAL_CODES[i % 3]:
            data["billing_details"] = {"address": {"postal_code": POSTAL_CODES[i % 3]}}
        params: dict[str, Any] = {
            "amount": 100 * (i + 1),
            "currency": ("usd", "eur")[i % 2],
            "payment_method_types": ["card"],
            "payment_method_data": data,
            "metadata": {"order": f"o-{i}", **({"tier": "Gold"} if i % 5 == 0 else {})},
        }
        if i % 4:
            params["customer"] = customers[i % 4 % 2]
        pay(client, params)
    succeeded = [c for c in every_charge(client) if c["status"] == "succeeded"]
    full, partial, noted = succeeded[0], succeeded[3], succeeded[5]
    client.v1.refunds.create(params={"charge": full["id"]})
    client.v1.refunds.create(params={"charge": succeeded[6]["id"]})
    client.v1.refunds.create(params={"charge": partial["id"], "amount": 50})
    client.v1.charges.update(noted["id"], params={"metadata": {"note": "Checked"}})
    ach = client.v1.payment_intents.create(
        params={
            "amount": 2500,
            "currency": "usd",
            "customer": customers[0],
            "payment_method_types": ["us_bank_account"],
            "payment_method": "pm_usBankAccount_success",
            "mandate_data": ONLINE,
            "confirm": True,
        }
    )
    sepa = client.v1.payment_intents.create(
        params={
            "amount": 2600,
            "currency": "eur",
            "payment_method_types": ["sepa_debit"],
            "payment_method": "pm_sepaDebit_success_at",
            "mandate_data": ONLINE,
            "confirm": True,
        }
    )
    settle(client, ach.id)
    settle(client, sepa.id)
    return every_charge(client)


def found(client: stripe.StripeClient, query: str, limit: int = 100) -> list[str]:
    """Every result, following next_page by hand (checking the envelope on each page)."""
    ids: list[str] = []
    params: dict[str, Any] = {"query": query, "limit": limit}
    while True:
        result = client.v1.charges.search(params=params)
        assert result.object == "search_result"
        assert result.url == "/v1/charges/search"
        assert len(result.data) <= limit
        ids.extend(c.id for c in result.data)
        if not result.has_more:
            assert result.next_page is None
            return ids
        assert isinstance(result.next_page, str) and result.data
        params = {**params, "page": result.next_page}


def detail(charge: Charge, kind: str, name: str) -> Any:
    details = charge["payment_method_details"]
    return details[kind].get(name) if details["type"] == kind else None


def postal(charge: Charge) -> str | None:
    return charge["billing_details"]["address"]["postal_code"]


@pytest.fixture(scope="module")
def seeded_account(server: ServerProcess) -> tuple[stripe.StripeClient, list[Charge]]:
    """One seeded account per store, for the tests that only read it (the seed waits for two
    bank debits to settle)."""
    client = make_client(server)
    return client, seed(client)


def test_queries_match_the_seeded_charges(
    seeded_account: tuple[stripe.StripeClient, list[Charge]],
) -> None:
    client, seeded = seeded_account
    # The seed covers what the queries tell apart.
    assert len(seeded) == 16
    assert [c["created"] for c in seeded] == sorted((c["created"] for c in seeded), reverse=True)
    assert {c["status"] for c in seeded} == {"succeeded", "failed"}
    assert {c["payment_method_details"]["type"] for c in seeded} == {
        "card",
        "us_bank_account",
        "sepa_debit",
    }
    assert sorted(c["amount_refunded"] for c in seeded if c["amount_refunded"]) == [50, 600, 1400]
    customer = next(c["customer"] for c in seeded if c["customer"])
    visa = next(c for c in seeded if detail(c, "card", "last4") == "4242")
    fingerprint = detail(visa, "card", "fingerprint")
    sepa_last4 = next(
        detail(c, "sepa_debit", "last4") for c in seeded if detail(c, "sepa_debit", "last4")
    )
    first, last = seeded[-1]["created"], seeded[0]["created"]
    cases: list[tuple[str, Callable[[Charge], bool]]] = [
        ('status:"failed"', lambda c: c["status"] == "failed"),
        ('-status:"SUCCEEDED"', lambda c: c["status"] != "succeeded"),
        ('refunded:"true"', lambda c: c["refunded"]),
        ("refunded:false", lambda c: not c["refunded"]),
        (
            '-refunded:"true" AND status:"succeeded"',
            lambda c: not c["refunded"] and c["status"] == "succeeded",
        ),
        (
            'payment_method_details.card.last4:"4242"',
            lambda c: detail(c, "card", "last4") == "4242",
        ),
        # Bare digits keep their leading zeros.
        ("payment_method_details.card.last4:0005", lambda c: detail(c, "card", "last4") == "0005"),
        (
            '-payment_method_details.card.last4:"4242"',
            lambda c: detail(c, "card", "last4") != "4242",
        ),
        ("payment_method_details.card.last4:null", lambda c: detail(c, "card", "last4") is None),
        (
            'payment_method_details.card.brand:"VISA"',
            lambda c: detail(c, "card", "brand") == "visa",
        ),
        (
            "payment_method_details.card.exp_month:12",
            lambda c: detail(c, "card", "exp_month") == 12,
        ),
        (
            'payment_method_details.card.exp_year:"2030" payment_method_details.card.exp_month:1',
            lambda c: (detail(c, "card", "exp_year"), detail(c, "card", "exp_month")) == (2030, 1),
        ),
        (
            f'payment_method_details.card.fingerprint:"{fingerprint}"',
            lambda c: detail(c, "card", "fingerprint") == fingerprint,
        ),
        (
            'payment_method_details.us_bank_account.last4:"6789"',
            lambda c: detail(c, "us_bank_account", "last4") == "6789",
        ),
        (
            f'payment_method_details.sepa_debit.last4:"{sepa_last4}" OR amount:100',
            lambda c: detail(c, "sepa_debit", "last4") == sepa_last4 or c["amount"] == 100,
        ),
        (
            'billing_details.address.postal_code:"sw1a 1aa"',
            lambda c: (postal(c) or "").lower() == "sw1a 1aa",
        ),
        ("billing_details.address.postal_code:94107", lambda c: postal(c) == "94107"),
        ("billing_details.address.postal_code:null", lambda c: postal(c) is None),
        ('amount>500 AND currency:"EUR"', lambda c: c["amount"] > 500 and c["currency"] == "eur"),
        ('amount<=300 or refunded:"true"', lambda c: c["amount"] <= 300 or c["refunded"]),
        (f'customer:"{customer}"', lambda c: c["customer"] == customer),
        ("customer:null", lambda c: c["customer"] is None),
        ('metadata["tier"]:"gold"', lambda c: c["metadata"].get("tier") == "Gold"),
        ('metadata["note"]:"CHECKED"', lambda c: c["metadata"].get("note") == "Checked"),
        ('-metadata["order"]:null', lambda c: "order" in c["metadata"]),
    ]
    for query, match in cases:
        want = [c["id"] for c in seeded if match(c)]
        # Each query tells the seeded charges apart: some match, some do not.
        assert 0 < len(want) < len(seeded), query
        assert found(client, query) == want, query
    assert found(client, 'disputed:"false"') == [c["id"] for c in seeded]
    assert found(client, "disputed:true") == []
    assert found(client, f"created>={first} created<={last}") == [c["id"] for c in seeded]
    assert found(client, f"created<{last}") == [c["id"] for c in seeded if c["created"] < last]


def test_pagination_follows_next_page(
    seeded_account: tuple[stripe.StripeClient, list[Charge]],
) -> None:
    client, seeded = seeded_account
    want = [c["id"] for c in seeded if c["status"] == "succeeded"]
    assert found(client, 'status:"succeeded"', limit=3) == want
    first = client.v1.charges.search(params={"query": 'status:"succeeded"'})
    assert ([c.id for c in first.data], first.has_more) == (want[:10], True)
    # The SDK's auto-pager re-sends the query with page=next_page.
    auto = client.v1.charges.search(params={"query": 'status:"succeeded"', "limit": 4})
    assert [c.id for c in auto.auto_paging_iter()] == want


def test_search_sees_refunds_and_is_per_account(server, client: stripe.StripeClient) -> None:
    params = {
        "amount": 700,
        "currency": "usd",
        "payment_method": "pm_card_visa",
        "payment_method_types": ["card"],
        "confirm": True,
    }
    pi = client.v1.payment_intents.create(params=params)
    make_client(server).v1.payment_intents.create(params=params)
    assert found(client, 'refunded:"true"') == []
    client.v1.refunds.create(params={"payment_intent": pi.id})
    assert found(client, 'refunded:"true"') == [pi.latest_charge]
    assert found(client, "amount:700") == [pi.latest_charge]
    # "search" is not read as a charge id.
    assert client.v1.charges.search(params={"query": 'status:"failed"'}).to_dict() == {
        "object": "search_result",
        "data": [],
        "has_more": False,
        "next_page": None,
        "url": "/v1/charges/search",
    }


SUPPORTED = (
    "amount, billing_details.address.postal_code, created, currency, customer, disputed, "
    "metadata, payment_method_details.card.brand, payment_method_details.card.exp_month, "
    "payment_method_details.card.exp_year, payment_method_details.card.fingerprint, "
    "payment_method_details.card.last4, payment_method_details.sepa_debit.fingerprint, "
    "payment_method_details.sepa_debit.last4, "
    "payment_method_details.us_bank_account.fingerprint, "
    "payment_method_details.us_bank_account.last4, refunded, status"
)
METHOD_FIELDS = (
    "payment_method_details.card.brand, payment_method_details.card.exp_month, "
    "payment_method_details.card.exp_year, payment_method_details.card.fingerprint, "
    "payment_method_details.card.last4, payment_method_details.sepa_debit.fingerprint, "
    "payment_method_details.sepa_debit.last4, "
    "payment_method_details.us_bank_account.fingerprint, "
    "payment_method_details.us_bank_account.last4"
)
ERRORS = [
    (
        'status:"failed" AND amount>100 OR refunded:"true"',
        "Invalid search query at character 32: AND and OR cannot be combined in one query; "
        "use only one of them (whitespace between clauses means AND).",
    ),
    (
        'payment_intent:"pi_1"',
        "Invalid search query at character 1: `payment_intent` is not a supported search "
        f"field for charges. Supported fields: {SUPPORTED}.",
    ),
    (
        'amount>1 payment_method_details.card_present.last4:"4242"',
        "Invalid search query at character 10: `payment_method_details.card_present.last4` is "
        "searchable on Stripe, but payintents makes no card_present charges with "
        "payment_method_details.card_present.last4. Searchable payment method fields: "
        f"{METHOD_FIELDS}.",
    ),
    (
        'payment_method_details.sepa_debit.brand:"visa"',
        "Invalid search query at character 1: `payment_method_details.sepa_debit.brand` is "
        "searchable on Stripe, but payintents makes no sepa_debit charges with "
        "payment_method_details.sepa_debit.brand. Searchable payment method fields: "
        f"{METHOD_FIELDS}.",
    ),
    (
        'refunded:"yes"',
        'Invalid search query at character 10: `refunded` is true or false: expected "true" '
        'or "false".',
    ),
    ("disputed>0", "Invalid search query at character 9: `disputed` is true or false: use `:`."),
    (
        'payment_method_details.card.last4~"424"',
        "Invalid search query at character 34: `payment_method_details.card.last4` does not "
        "support substring matching (~).",
    ),
    (
        "amount>ten",
        "Invalid search query at character 8: `amount` is numeric: expected an integer.",
    ),
]


@pytest.mark.parametrize(("query", "message"), ERRORS)
def test_malformed_queries_get_stripe_errors(
    client: stripe.StripeClient, query: str, message: str
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.charges.search(params={"query": query})
    err = caught.value
    assert (err.http_status, err.error.type, err.param, err.code) == (
        400,
        "invalid_request_error",
        "query",
        None,
    )
    assert err.user_message == message


def test_parameter_errors(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.charges.search(params={"query": ""})
    assert (caught.value.code, caught.value.param) == ("parameter_invalid_string", "query")
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.charges.search(params={"query": "amount>1", "limit": 0})
    assert caught.value.param == "limit"
    assert caught.value.user_message == "This value must be greater than or equal to 1."
