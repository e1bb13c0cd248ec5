from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payintents.errors import ApiError
from payintents.wire.form import decode
from payintents.wire.params import UNSET, Arr, Int, Metadata, Obj, Params, Str


def test_brackets() -> None:
    tree = decode(
        "metadata[order_id]=6735&payment_method_types[]=card&payment_method_types[]=link"
        "&shipping[address][city]=Paris&expand[0]=customer&a+b=c%20d"
    )
    assert tree == {
        "metadata": {"order_id": "6735"},
        "payment_method_types": ["card", "link"],
        "shipping": {"address": {"city": "Paris"}},
        "expand": {"0": "customer"},
        "a b": "c d",
    }


def test_indexed_arrays_become_lists_by_schema() -> None:
    spec = Params({"types": Arr(Str()), "metadata": Metadata()})
    parsed = spec.parse(decode("types[0]=card&types[1]=link&metadata[0]=zero"))
    assert parsed == {"types": ["card", "link"], "metadata": {"0": "zero"}}


def test_empty_strings() -> None:
    spec = Params({"metadata": Metadata(), "n": Int(emptyable=True)})
    assert spec.parse(decode("metadata=&n=")) == {"metadata": UNSET, "n": UNSET}
    assert spec.parse(decode("metadata[a]=")) == {"metadata": {"a": None}}


def test_conflicts_are_errors() -> None:
    with pytest.raises(ApiError):
        decode("a[b]=1&a=2")
    with pytest.raises(ApiError):
        decode("a=2&a[b]=1")
    with pytest.raises(ApiError):
        decode("a[]=1&a[b]=2")


def test_bad_utf8() -> None:
    with pytest.raises(ApiError):
        decode(b"a=%ff")
    with pytest.raises(ApiError):
        decode(b"\xff=1")


def test_depth_limit() -> None:
    with pytest.raises(ApiError) as err:
        decode("a" + "[b]" * 40 + "=1")
    assert err.value.param == "a"


def test_nested_unknown_and_missing() -> None:
    spec = Params({"shipping": Obj({"name": Str()}, required=("name",))})
    with pytest.raises(ApiError) as err:
        spec.parse(decode("shipping[nmae]=x"))
    assert (err.value.code, err.value.param) == ("parameter_unknown", "shipping[nmae]")
    with pytest.raises(ApiError) as err:
        spec.parse(decode("shipping[]=x"))
    assert err.value.param == "shipping"


@given(st.binary(max_size=200))
def test_any_bytes_decode_or_stripe_error(raw: bytes) -> None:
    try:
        tree = decode(raw)
    except ApiError as err:
        assert err.status == 400
        return
    spec = Params({"amount": Int(), "metadata": Metadata(), "types": Arr(Str())})
    try:
        spec.parse(tree)
    except ApiError as err:
        assert err.status == 400


keys = st.text(alphabet="abc[]0", min_size=1, max_size=12)
values = st.text(max_size=10)


@given(st.lists(st.tuples(keys, values), max_size=12))
def test_random_bracket_bodies(pairs: list[tuple[str, str]]) -> None:
    from urllib.parse import urlencode

    try:
        tree = decode(urlencode(pairs))
    except ApiError as err:
        assert err.status == 400
        return
    try:
        Params({"a": Obj({"b": Arr(Str())}), "b": Metadata(), "c": Arr(Int())}).parse(tree)
    except ApiError as err:
        assert err.status == 400


def test_null_bytes_are_refused_naming_the_parameter() -> None:
    for body, param in [
        (b"description=a%00b", "description"),
        (b"metadata[note]=%00", "metadata[note]"),
        (b"metadata[a%00b]=1", "metadata[a\x00b]"),
        (b"expand[]=customer%00", "expand[]"),
    ]:
        with pytest.raises(ApiError) as err:
            decode(body)
        assert (err.value.status, err.value.type, err.value.param) == (
            400,
            "invalid_request_error",
            param,
        )
        assert err.value.message == (
            f"Invalid string: {param} contains a null byte (\\0); strings may not contain null "
            "bytes."
        )
