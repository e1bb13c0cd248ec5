"""GET /v1/payment_intents/search with the official SDK, against intents seeded per test.

Expected results are computed here in Python from the seeded objects, independently of
the server's parser and SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import stripe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_client

Intent = dict[str, Any]


def seed(client: stripe.StripeClient) -> list[Intent]:
    """24 intents varying every searchable field; returned oldest first (creation order)."""
    customers = [client.v1.customers.create(params={"name": n}).id for n in ("Ann", "Bo")]
    intents = []
    for i in range(24):
        params: dict[str, Any] = {
            "amount": 100 * (i + 1),
            "currency": ("usd", "eur", "gbp")[i % 3],
            "payment_method_types": ["card"],
            "metadata": {"order": f"ord-{i}"},
        }
        if i % 4:
            params["customer"] = customers[i % 2]
        if i % 5 == 0:
            params["metadata"]["group"] = "Gold" if i % 10 else "silver"
        if i % 6 == 0:
            params["payment_method"] = "pm_card_visa"
            params["confirm"] = True
        pi = client.v1.payment_intents.create(params=params)
        if i % 7 == 3:
            pi = client.v1.payment_intents.cancel(pi.id)
        intents.append(pi.to_dict())
    return intents


def expected(intents: list[Intent], match: Callable[[Intent], bool]) -> list[str]:
    """Newest first: created descending, later creation first within a second."""
    ranked = sorted(enumerate(intents), key=lambda p: (p[1]["created"], p[0]), reverse=True)
    return [pi["id"] for _, pi in ranked if match(pi)]


def search_all(client: stripe.StripeClient, query: str, limit: int = 100) -> list[str]:
    """Every result, following next_page by hand (checking the envelope on each page)."""
    ids: list[str] = []
    params: dict[str, Any] = {"query": query, "limit": limit}
    while True:
        result = client.v1.payment_intents.search(params=params)
        assert result.object == "search_result"
        assert result.url == "/v1/payment_intents/search"
        assert len(result.data) <= limit
        ids.extend(pi.id for pi in result.data)
        if not result.has_more:
            assert result.next_page is None
            return ids
        assert isinstance(result.next_page, str) and result.data
        params = {**params, "page": result.next_page}


def meta(pi: Intent, key: str) -> str | None:
    return pi["metadata"].get(key)


QUERIES: list[tuple[str, Callable[[Intent], bool]]] = [
    ('status:"succeeded"', lambda pi: pi["status"] == "succeeded"),
    ('status:"CANCELED"', lambda pi: pi["status"] == "canceled"),
    ('-status:"requires_payment_method"', lambda pi: pi["status"] != "requires_payment_method"),
    ('currency:"eur"', lambda pi: pi["currency"] == "eur"),
    ("amount>1500", lambda pi: pi["amount"] > 1500),
    ("amount>=1500 AND amount<=1800", lambda pi: 1500 <= pi["amount"] <= 1800),
    ('amount="700"', lambda pi: pi["amount"] == 700),
    ("amount<300 OR amount>2300", lambda pi: pi["amount"] < 300 or pi["amount"] > 2300),
    ('metadata["order"]:"ord-7"', lambda pi: meta(pi, "order") == "ord-7"),
    ("metadata['group']:'GOLD'", lambda pi: (meta(pi, "group") or "").lower() == "gold"),
    ('metadata["group"]:null', lambda pi: meta(pi, "group") is None),
    ('-metadata["group"]:null', lambda pi: meta(pi, "group") is not None),
    ('-metadata["group"]:"silver"', lambda pi: meta(pi, "group") != "silver"),
    ("customer:null", lambda pi: pi["customer"] is None),
    (
        'metadata["group"]:"gold" currency:"usd"',
        lambda pi: meta(pi, "group") == "Gold" and pi["currency"] == "usd",
    ),
    (
        'status:"succeeded" or metadata["order"]:"ord-1" OR metadata["order"]:"ord-2"',
        lambda pi: pi["status"] == "succeeded" or meta(pi, "order") in ("ord-1", "ord-2"),
    ),
]


@pytest.fixture
def seeded(client: stripe.StripeClient) -> list[Intent]:
    return seed(client)


def test_queries_match_the_seeded_intents(
    client: stripe.StripeClient, seeded: list[Intent]
) -> None:
    customer = seeded[1]["customer"]
    cases = [
        *QUERIES,
        (f'customer:"{customer}"', lambda pi: pi["customer"] == customer),
    ]
    for query, match in cases:
        want = expected(seeded, match)
        # Each query tells the seeded intents apart: some match, some do not.
        assert 0 < len(want) < len(seeded), query
        assert search_all(client, query) == want, query
    assert search_all(client, 'metadata["order"]:"nope"') == []
    # The seed is created within a second or two: bounds around it, computed the same way.
    first, last = seeded[0]["created"], seeded[-1]["created"]
    for query, match in [
        (f"created>={first}", lambda pi: pi["created"] >= first),
        (f"created<{first}", lambda pi: pi["created"] < first),
        (f"created>{last}", lambda pi: pi["created"] > last),
        (f"created:{last} amount<=1200", lambda pi: pi["created"] == last and pi["amount"] <= 1200),
    ]:
        assert search_all(client, query) == expected(seeded, match), query
    # The seed covers what the queries tell apart.
    assert {pi["status"] for pi in seeded} == {
        "succeeded",
        "canceled",
        "requires_payment_method",
    }


def test_pagination_follows_next_page(client: stripe.StripeClient, seeded: list[Intent]) -> None:
    want = expected(seeded, lambda pi: pi["currency"] != "gbp")
    assert search_all(client, '-currency:"gbp"', limit=3) == want
    first = client.v1.payment_intents.search(params={"query": '-currency:"gbp"'})
    assert [pi.id for pi in first.data] == want[:10]
    assert first.has_more is True
    # The SDK's auto-pager re-sends the query with page=next_page.
    auto = client.v1.payment_intents.search(params={"query": '-currency:"gbp"', "limit": 4})
    assert [pi.id for pi in auto.auto_paging_iter()] == want


def test_metadata_search_sees_updates(client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(
        params={"amount": 500, "currency": "usd", "metadata": {"order": "A-1"}}
    )
    client.v1.payment_intents.update(pi.id, params={"metadata": {"order": "B-2"}})
    assert search_all(client, 'metadata["order"]:"A-1"') == []
    assert search_all(client, 'metadata["order"]:"b-2"') == [pi.id]
    client.v1.payment_intents.update(pi.id, params={"metadata": {"order": ""}})
    assert search_all(client, 'metadata["order"]:"B-2"') == []
    assert search_all(client, 'metadata["order"]:null') == [pi.id]


def test_results_are_per_account(server, client: stripe.StripeClient) -> None:
    pi = client.v1.payment_intents.create(
        params={"amount": 500, "currency": "usd", "metadata": {"order": "shared"}}
    )
    other = make_client(server)
    other.v1.payment_intents.create(
        params={"amount": 500, "currency": "usd", "metadata": {"order": "shared"}}
    )
    assert search_all(client, 'metadata["order"]:"shared"') == [pi.id]
    assert search_all(client, 'status:"requires_payment_method"') == [pi.id]


def test_search_is_not_read_as_an_id(client: stripe.StripeClient) -> None:
    result = client.v1.payment_intents.search(params={"query": 'status:"succeeded"'})
    assert result.to_dict() == {
        "object": "search_result",
        "data": [],
        "has_more": False,
        "next_page": None,
        "url": "/v1/payment_intents/search",
    }


ERRORS = [
    (
        'status:"succeeded" AND amount>100 OR currency:"usd"',
        "Invalid search query at character 35: AND and OR cannot be combined in one query; "
        "use only one of them (whitespace between clauses means AND).",
    ),
    (
        'colour:"red"',
        "Invalid search query at character 1: `colour` is not a supported search field for "
        "payment_intents. Supported fields: amount, created, currency, customer, metadata, "
        "status.",
    ),
    (
        'metadata["order"]:"ord-1',
        "Invalid search query at character 19: unterminated string: the quote that opens it "
        "is never closed.",
    ),
    (
        "status:succeeded",
        'Invalid search query at character 8: string values must be quoted, as in "succeeded"; '
        "only numbers and null may stand without quotes.",
    ),
]


@pytest.mark.parametrize(("query", "message"), ERRORS)
def test_malformed_queries_get_stripe_errors(
    client: stripe.StripeClient, query: str, message: str
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.search(params={"query": query})
    err = caught.value
    assert err.http_status == 400
    assert err.error.type == "invalid_request_error"
    assert err.param == "query"
    assert err.code is None
    assert err.user_message == message


def test_parameter_errors(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.search(params={"query": "  "})
    assert caught.value.code == "parameter_invalid_string"
    assert caught.value.param == "query"
    assert caught.value.user_message == (
        "Provide a query parameter with a valid search query string."
    )
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.search(params={"query": "amount>1", "page": "not-a-token"})
    assert caught.value.param == "page"
    assert caught.value.user_message == (
        "Invalid page: not-a-token. Pass the next_page value of a previous search response."
    )
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.search(params={"query": "amount>1", "limit": 101})
    assert caught.value.param == "limit"
    assert caught.value.user_message == "This value must be less than or equal to 100."


CLAUSES = st.one_of(
    st.builds(
        lambda neg, key, value: f"{neg}metadata[{key!r}]:{value!r}",
        st.sampled_from(["", "-"]),
        st.text(max_size=5),
        st.text(max_size=8),
    ),
    st.builds(
        lambda field, op, n: f"{field}{op}{n}",
        st.sampled_from(["amount", "created", "status", "customer", "currency"]),
        st.sampled_from([":", ">", "<=", "="]),
        st.integers(min_value=-(10**18) + 1, max_value=10**18 - 1),
    ),
    st.text(max_size=12),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(CLAUSES, min_size=1, max_size=4), st.sampled_from([" ", " AND ", " or "]))
def test_random_queries_answer_200_or_a_query_error(
    client: stripe.StripeClient, clauses: list[str], joiner: str
) -> None:
    try:
        result = client.v1.payment_intents.search(params={"query": joiner.join(clauses)})
    except stripe.InvalidRequestError as err:
        assert err.http_status == 400 and err.param == "query"
        return
    assert result.object == "search_result"


def test_customer_search(client: stripe.StripeClient) -> None:
    people = [
        ("Ann Lee", "ann@example.com", "+15550001", {"tier": "gold"}),
        ("Bo O'Neil", "BO@Example.org", None, {"tier": "Silver", "ref": "7"}),
        ("Ann-Marie 100%_x", None, "+15550002", {}),
        ("Cy", "cy@corp.example.com", "+4930123", {"tier": "gold"}),
    ]
    made = []
    for name, email, phone, metadata in people:
        params: dict[str, Any] = {"name": name, "metadata": metadata}
        if email:
            params["email"] = email
        if phone:
            params["phone"] = phone
        made.append(client.v1.customers.create(params=params).to_dict())

    def ids(query: str) -> list[str]:
        result = client.v1.customers.search(params={"query": query, "limit": 2})
        assert result.url == "/v1/customers/search"
        out = [c.id for c in result.data]
        while result.has_more:
            result = client.v1.customers.search(
                params={"query": query, "limit": 2, "page": result.next_page}
            )
            out.extend(c.id for c in result.data)
        return out

    def low(value: str | None) -> str:
        return (value or "").lower()

    cases: list[tuple[str, Callable[[Intent], bool]]] = [
        ('email:"bo@example.org"', lambda c: low(c["email"]) == "bo@example.org"),
        ('email~"example"', lambda c: "example" in low(c["email"])),
        ('name~"ANN"', lambda c: "ann" in low(c["name"])),
        ('name~"100%_"', lambda c: "100%_" in low(c["name"])),
        ('name~"o\'n"', lambda c: "o'n" in low(c["name"])),
        ('phone~"5550"', lambda c: "5550" in low(c["phone"])),
        ("phone:null", lambda c: c["phone"] is None),
        (
            'metadata["tier"]:"GOLD" -email~"corp"',
            lambda c: c["metadata"].get("tier") == "gold" and "corp" not in low(c["email"]),
        ),
        ('name:"cy" OR metadata["ref"]:7', lambda c: c["name"] == "Cy" or "ref" in c["metadata"]),
    ]
    for query, match in cases:
        want = expected(made, match)
        assert 0 < len(want) < len(made), query
        assert ids(query) == want, query
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.search(params={"query": 'email~"ab"'})
    assert caught.value.param == "query"
    assert caught.value.user_message == (
        "Invalid search query at character 7: substring matching (~) needs a value of at "
        "least 3 characters."
    )
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.search(params={"query": 'status:"active"'})
    assert caught.value.user_message == (
        "Invalid search query at character 1: `status` is not a supported search field for "
        "customers. Supported fields: created, email, metadata, name, phone."
    )
