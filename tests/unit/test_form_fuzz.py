"""Property tests for the bracket-notation form decoder."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

from hypothesis import given, settings
from hypothesis import strategies as st

from payintents.errors import ApiError
from payintents.wire.form import MAX_DEPTH, decode

# Characters that drive the decoder's branches, mixed with arbitrary text.
_TRICKY = st.sampled_from(["[", "]", "[]", "&", "=", "%", "%5B", "%5D", "%FF", "+", "a", "0"])
_BODY = st.lists(st.one_of(_TRICKY, st.text(max_size=3)), max_size=40).map("".join)

_KEY = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=6)
# Any text but NUL, which the decoder refuses (test_form.py).
_VALUE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8
)


def _tree(depth: int) -> st.SearchStrategy[Any]:
    leaf = st.one_of(_VALUE, st.lists(_VALUE, min_size=1, max_size=3))
    if depth == 0:
        return leaf
    return st.one_of(leaf, st.dictionaries(_KEY, _tree(depth - 1), min_size=1, max_size=3))


def _encode(tree: dict[str, Any], prefix: str = "") -> list[str]:
    pairs: list[str] = []
    for key, value in tree.items():
        name = f"{prefix}[{key}]" if prefix else key
        if isinstance(value, dict):
            pairs.extend(_encode(value, name))
        elif isinstance(value, list):
            pairs.extend(f"{quote_plus(name + '[]')}={quote_plus(v)}" for v in value)
        else:
            pairs.append(f"{quote_plus(name)}={quote_plus(value)}")
    return pairs


@settings(max_examples=500, deadline=None)
@given(_BODY)
def test_random_text_bodies_decode_or_raise_api_error(body: str) -> None:
    try:
        assert isinstance(decode(body), dict)
    except ApiError as err:
        assert err.status == 400 and err.type == "invalid_request_error"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=60))
def test_random_byte_bodies_decode_or_raise_api_error(body: bytes) -> None:
    try:
        assert isinstance(decode(body), dict)
    except ApiError as err:
        assert err.status == 400 and err.type == "invalid_request_error"


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEY, _tree(MAX_DEPTH - 2), min_size=1, max_size=4))
def test_well_formed_trees_round_trip(tree: dict[str, Any]) -> None:
    assert decode("&".join(_encode(tree)).encode()) == tree


def test_nesting_beyond_the_limit_is_a_stripe_error() -> None:
    key = "metadata" + "[a]" * MAX_DEPTH
    try:
        decode(f"{key}=1")
    except ApiError as err:
        assert err.param == "metadata"
        assert err.message == (
            f"Invalid request: parameter metadata is nested deeper than {MAX_DEPTH} levels."
        )
    else:
        raise AssertionError("a too-deep key was accepted")
