"""expand[] paths: the checks made before a handler runs, and ids replaced by objects."""

from __future__ import annotations

import pytest

from payintents.errors import ApiError
from payintents.wire import expand

OBJECTS = {
    ("customer", "cus_1"): {"id": "cus_1", "object": "customer", "default_source": None},
    ("charge", "ch_1"): {"id": "ch_1", "object": "charge", "customer": "cus_1", "review": None},
}


def resolve(kind: str, object_id: str):
    found = OBJECTS.get((kind, object_id))
    return None if found is None else dict(found)


def intent() -> dict:
    return {"id": "pi_1", "object": "payment_intent", "customer": "cus_1", "latest_charge": "ch_1",
            "payment_method": "pm_gone", "review": None, "amount": 5}  # fmt: skip


def test_nested_ids_become_objects() -> None:
    out = expand.expand(intent(), ["latest_charge.customer", "review", "payment_method"], resolve)
    assert out["latest_charge"]["customer"]["id"] == "cus_1"
    assert out["review"] is None
    # An id naming nothing in this account stays an id.
    assert out["payment_method"] == "pm_gone"


def test_lists_need_the_data_prefix() -> None:
    page = {"object": "list", "data": [intent(), intent()]}
    out = expand.expand(page, ["data.customer"], resolve)
    assert [i["customer"]["id"] for i in out["data"]] == ["cus_1", "cus_1"]
    with pytest.raises(ApiError) as err:
        expand.expand({"object": "search_result", "data": []}, ["customer"], resolve)
    assert "You may want to try expanding 'data.customer' instead." in err.value.message


@pytest.mark.parametrize(
    "path, returns, publishable, message",
    [
        ("a.b.c.d.e", None, False, "You cannot expand more than 4 levels of a property. "
         "Property: a.b.c.d.e"),
        ("amount", "payment_intent", False, "This property cannot be expanded (amount)."),
        ("latest_charge.bogus", "payment_intent", False,
         "This property cannot be expanded (latest_charge.bogus)."),
        ("customer", "payment_intent", True, "This property cannot be expanded (customer)."),
    ],
)  # fmt: skip
def test_checked_before_the_handler(path, returns, publishable, message) -> None:
    with pytest.raises(ApiError) as err:
        expand.check([path], returns, publishable)
    assert (err.value.message, err.value.status) == (message, 400)
    deep = path.count(".") >= expand.MAX_DEPTH
    assert err.value.param == (None if deep else "expand")
    assert err.value.code == ("property_expansion_max_depth" if deep else None)


def test_valid_paths_pass_the_check() -> None:
    expand.check(
        ["latest_charge.payment_intent.customer.default_source", "review"], "payment_intent", False
    )
    expand.check(["payment_method"], "payment_intent", True)
