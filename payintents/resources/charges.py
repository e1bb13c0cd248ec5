"""/v1/charges: one per payment attempt; read, list, search, update."""

from __future__ import annotations

import re
from typing import Any

from payintents.resources import search as searching
from payintents.resources.params import EMAIL, SHIPPING_EMPTYABLE
from payintents.services import charges as service
from payintents.services.context import Ctx
from payintents.store.base import CHARGE_METHOD_FIELDS
from payintents.wire import search_query
from payintents.wire.http import Endpoint
from payintents.wire.lists import LIST_FIELDS, SEARCH_FIELDS, envelope
from payintents.wire.params import Metadata, Params, Str

RETRIEVE = Params()
UPDATE = Params(
    {
        "description": Str(emptyable=True),
        "metadata": Metadata(),
        "receipt_email": Str(emptyable=True, check=EMAIL.check),
        "shipping": SHIPPING_EMPTYABLE,
    }
)
LIST = Params({**LIST_FIELDS, "payment_intent": Str(), "customer": Str()})
SEARCH = Params(SEARCH_FIELDS)

_TOKEN = search_query.Field("token")
_CASELESS = search_query.Field("token", caseless=True)
# Stripe's query fields for charges (https://docs.stripe.com/search), with
# payment_method_details.<type>.<field> for the types whose charges carry that field here.
SEARCH_QUERY_FIELDS = {
    "amount": search_query.Field("number"),
    "billing_details.address.postal_code": _CASELESS,
    "created": search_query.Field("number"),
    "currency": _CASELESS,
    "customer": _TOKEN,
    "disputed": search_query.Field("boolean"),
    "metadata": search_query.Field("metadata"),
    "refunded": search_query.Field("boolean"),
    "status": _CASELESS,
    **{
        f"payment_method_details.{kind}.{name}": _CASELESS if name == "brand" else _TOKEN
        for kind, names in CHARGE_METHOD_FIELDS.items()
        for name in names
    },
}
# Stripe searches these fields of the details of any payment method type.
_METHOD_FIELD = re.compile(
    r"payment_method_details\.([a-z_]+)\.(brand|exp_month|exp_year|fingerprint|last4)"
)


def unsupported(name: str) -> str | None:
    """Stripe's field for a payment method type (or a field of it) payintents never charges:
    said plainly, rather than answering a search that could never match."""
    match = _METHOD_FIELD.fullmatch(name)
    if match is None:
        return None
    kind, field = match.groups()
    searchable = ", ".join(sorted(f for f in SEARCH_QUERY_FIELDS if f.startswith("payment_")))
    return (
        f"`{name}` is searchable on Stripe, but payintents makes no {kind} charges with "
        f"payment_method_details.{kind}.{field}. Searchable payment method fields: {searchable}."
    )


def retrieve(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.retrieve(ctx, path["charge"])


def search(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return searching.search(
        ctx, params, "charge", SEARCH_QUERY_FIELDS, "charges", lambda charge: charge, unsupported
    )


def update(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.update(ctx, path["charge"], params)


def list_(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    page = service.list_charges(ctx, params)
    return envelope("/v1/charges", [r.data for r in page.records], page.has_more)


ENDPOINTS = [
    Endpoint("GET", "/v1/charges", LIST, list_),
    # Before /{charge}, which would take "search" for an id.
    Endpoint("GET", "/v1/charges/search", SEARCH, search),
    Endpoint("GET", "/v1/charges/{charge}", RETRIEVE, retrieve, returns="charge"),
    Endpoint("POST", "/v1/charges/{charge}", UPDATE, update, returns="charge"),
]
