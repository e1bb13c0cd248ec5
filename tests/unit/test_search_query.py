"""Stripe's search query language: every construct, and each error with its position."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payintents.errors import ApiError
from payintents.resources.customers import SEARCH_QUERY_FIELDS as CUSTOMER_FIELDS
from payintents.resources.payment_intents import SEARCH_QUERY_FIELDS
from payintents.store.search import Clause, Criteria
from payintents.wire.search_query import MAX_CLAUSES, parse


def q(text: str) -> Criteria:
    return parse(text, SEARCH_QUERY_FIELDS, "payment_intents")


def error(text: str) -> ApiError:
    with pytest.raises(ApiError) as caught:
        q(text)
    err = caught.value
    assert (err.status, err.type, err.param) == (400, "invalid_request_error", "query")
    return err


def test_exact_match_on_tokens_quoted_either_way() -> None:
    assert q('status:"succeeded"') == Criteria((Clause("status", "=", "succeeded"),))
    assert q("customer:'cus_ABC'") == Criteria((Clause("customer", "=", "cus_ABC"),))
    # currency and status are matched lowercased; customer ids keep their case.
    assert q('currency:"USD"').clauses[0].value == "usd"
    assert q('status:"Canceled"').clauses[0].value == "canceled"


def test_escapes_inside_quotes() -> None:
    assert q(r'metadata["k"]:"say \"hi\" \\ o\'k"').clauses[0].value == 'say "hi" \\ o\'k'
    assert q(r"metadata['it\'s']:'x'").clauses[0].key == "it's"


def test_numeric_comparisons() -> None:
    ops = {":": "=", "=": "=", ">": ">", "<": "<", ">=": ">=", "<=": "<="}
    for op, stored in ops.items():
        assert q(f"amount{op}1000") == Criteria((Clause("amount", stored, 1000),))
    assert q('created>"1700000000"').clauses[0] == Clause("created", ">", 1700000000)
    assert q("amount>-5").clauses[0].value == -5


def test_metadata_key_value_and_bare_numbers() -> None:
    assert q('metadata["order_id"]:"6735"') == Criteria(
        (Clause("metadata", "=", "6735", key="order_id"),)
    )
    # A bare number is its text on a string field.
    assert q('metadata["order_id"]:6735').clauses[0].value == "6735"
    assert q("customer:123").clauses[0].value == "123"


def test_null_and_negation() -> None:
    assert q('metadata["k"]:null') == Criteria((Clause("metadata", "=", None, key="k"),))
    assert q('-metadata["k"]:NULL') == Criteria(
        (Clause("metadata", "=", None, negated=True, key="k"),)
    )
    assert q("customer:null").clauses[0] == Clause("customer", "=", None)
    assert q('-status:"canceled"').clauses[0] == Clause("status", "=", "canceled", negated=True)


def test_conjunctions_and_positions() -> None:
    text = '  status:"succeeded"   and amount>10 AND  -currency:"usd"'
    parsed = q(text)
    assert parsed.any is False
    assert [c.position for c in parsed.clauses] == [2, text.index("amount"), text.index("-")]
    assert q('status:"a" amount>1 currency:"usd"').any is False
    assert q('status:"a" OR status:"b" or amount:3').any is True
    # A keyword only counts as one before whitespace.
    assert error('status:"a" ORamount:1').message == (
        "Invalid search query at character 12: `ORamount` is not a supported search field "
        "for payment_intents. Supported fields: amount, created, currency, customer, "
        "metadata, status."
    )


def test_at_most_ten_clauses() -> None:
    assert len(q(" ".join(["amount>1"] * MAX_CLAUSES)).clauses) == MAX_CLAUSES
    text = " AND ".join(["amount>1"] * (MAX_CLAUSES + 1))
    assert error(text).message == (
        f"Invalid search query at character {len(text) - 7}: a query can have at most 10 clauses."
    )


ERRORS = [
    (
        'status:"a" AND amount>1 OR currency:"usd"',
        25,
        "AND and OR cannot be combined in one query; use only one of them (whitespace "
        "between clauses means AND).",
    ),
    (
        'status:"a" OR amount>1 currency:"usd"',
        24,
        "AND and OR cannot be combined in one query; use only one of them (whitespace "
        "between clauses means AND).",
    ),
    (
        'email:"a@b.c"',
        1,
        "`email` is not a supported search field for payment_intents. Supported fields: "
        "amount, created, currency, customer, metadata, status.",
    ),
    ('status:"succeeded', 8, "unterminated string: the quote that opens it is never closed."),
    ('metadata[\'k]:"v"', 10, "unterminated string: the quote that opens it is never closed."),
    (":1", 1, "expected a field name."),
    ("-", 2, "expected a field name."),
    ("status", 7, "expected an operator (:, ~, >, <, >=, <= or =) after `status`."),
    ('status!"a"', 7, "expected an operator (:, ~, >, <, >=, <= or =) after `status`."),
    ("status:", 8, "expected a value."),
    ("status: x", 8, "expected a value."),
    (
        "status:succeeded",
        8,
        'string values must be quoted, as in "succeeded"; only numbers and null may stand '
        "without quotes.",
    ),
    ('status:"a"AND amount:1', 11, "expected whitespace, AND or OR after a clause."),
    ('status:"a" AND', 15, "expected a clause after AND."),
    ('status:"a" or  ', 16, "expected a clause after OR."),
    ('metadata:"v"', 9, 'expected ["key"] after metadata, as in metadata["key"]:"value".'),
    ("metadata[k]:'v'", 10, 'expected a quoted metadata key, as in metadata["key"].'),
    ('metadata[""]:"v"', 10, "the metadata key is empty."),
    ('metadata["k":"v"', 13, "expected ] after the metadata key."),
    ('status~"succ"', 7, "`status` does not support substring matching (~)."),
    ('metadata["k"]~"abc"', 14, "`metadata` does not support substring matching (~)."),
    ('status>"a"', 7, "`>` compares numbers, and `status` is not a numeric field; use `:`."),
    ('currency="usd"', 9, "`=` compares numbers, and `currency` is not a numeric field; use `:`."),
    ("amount:1.5", 8, "`amount` is numeric: expected an integer."),
    ('amount>"ten"', 8, "`amount` is numeric: expected an integer."),
    ("amount:1234567890123456789", 8, "`amount` is numeric: expected an integer."),
    ("amount>null", 8, "null can only be matched with `:`, not `>`."),
]


@pytest.mark.parametrize(("text", "character", "detail"), ERRORS)
def test_errors_name_the_position(text: str, character: int, detail: str) -> None:
    err = error(text)
    assert err.message == f"Invalid search query at character {character}: {detail}"
    assert err.code is None


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_query(text: str) -> None:
    err = error(text)
    assert err.code == "parameter_invalid_string"
    assert err.message == "Provide a query parameter with a valid search query string."


ATOMS = st.sampled_from(
    [
        "status",
        "amount",
        "metadata",
        "created",
        "[",
        "]",
        '"',
        "'",
        "\\",
        ":",
        "~",
        ">",
        "<",
        ">=",
        "=",
        "-",
        " ",
        "AND",
        "OR",
        "null",
        "12",
        '"x"',
        "\x00",
        "é",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(ATOMS, max_size=20).map("".join)))
def test_any_text_parses_or_gets_a_stripe_error(text: str) -> None:
    try:
        parsed = q(text)
    except ApiError as err:
        assert err.status == 400 and err.param == "query"
        return
    assert 1 <= len(parsed.clauses) <= MAX_CLAUSES
    for clause in parsed.clauses:
        assert clause.field in SEARCH_QUERY_FIELDS
        assert (clause.key is not None) == (clause.field == "metadata")


def test_string_fields_take_exact_and_substring_matches() -> None:
    def c(text: str) -> Criteria:
        return parse(text, CUSTOMER_FIELDS, "customers")

    # Case is kept here; the store compares both sides lowercased.
    assert c('email:"Ann@X.com"').clauses[0] == Clause("email", "=", "Ann@X.com")
    assert c('name~"Ann"').clauses[0] == Clause("name", "~", "Ann")
    assert c("phone~5550").clauses[0] == Clause("phone", "~", "5550")
    assert c('-email~"corp"').clauses[0] == Clause("email", "~", "corp", negated=True)
    for text, character, detail in [
        ('name~"An"', 6, "substring matching (~) needs a value of at least 3 characters."),
        ("name~null", 6, "substring matching (~) needs a value of at least 3 characters."),
        ('name>"Ann"', 5, "`>` compares numbers, and `name` is not a numeric field; use `:`."),
        ('metadata["k"]~"abc"', 14, "`metadata` does not support substring matching (~)."),
    ]:
        with pytest.raises(ApiError) as caught:
            c(text)
        assert caught.value.message == f"Invalid search query at character {character}: {detail}"
