"""/v1/customers: every documented parameter; delete."""

from __future__ import annotations

import re
from typing import Any

from payintents.errors import ApiError
from payintents.resources import search as searching
from payintents.resources.cash_balance import CASH_BALANCE_SETTINGS
from payintents.resources.params import (
    ADDRESS_EMPTYABLE,
    ADDRESS_SHAPE,
    EMAIL,
    SHIPPING_EMPTYABLE,
    SHIPPING_SHAPE,
)
from payintents.services import customers as service
from payintents.services.context import Ctx
from payintents.wire import search_query
from payintents.wire.http import Endpoint
from payintents.wire.lists import CREATED_FILTER, LIST_FIELDS, SEARCH_FIELDS, envelope
from payintents.wire.params import Arr, Enum, Int, Metadata, Obj, Params, Str
from payintents.wire.shapes import (
    BOOLEAN,
    INTEGER,
    METADATA,
    NULL,
    STRING,
    array,
    const,
    deleted,
    enum,
    expandable,
    list_of,
    nullable,
    obj,
    ref,
    search_result_of,
)

_INVOICE_PREFIX = re.compile(r"^[A-Z0-9]{3,12}$")


def _check_invoice_prefix(text: str, path: str) -> None:
    if not _INVOICE_PREFIX.match(text):
        raise ApiError(
            f"Invalid invoice_prefix: {text[:100]}. The prefix must be 3-12 uppercase letters "
            "or numbers.",
            param=path,
        )


INVOICE_SETTINGS = Obj(
    {
        "custom_fields": Arr(
            Obj(
                {"name": Str(max_length=40), "value": Str(max_length=140)},
                required=("name", "value"),
            ),
            max_items=4,
            emptyable=True,
        ),
        "default_payment_method": Str(emptyable=True),
        "footer": Str(emptyable=True),
        "rendering_options": Obj(
            {"amount_tax_display": Enum(("exclude_tax", "include_inclusive_tax"), emptyable=True)},
            emptyable=True,
        ),
    }
)
TAX_ID_TYPES = (
    "ad_nrt", "ae_trn", "ar_cuit", "au_abn", "au_arn", "bg_uic", "bh_vat", "bo_tin", "br_cnpj",
    "br_cpf", "ca_bn", "ca_gst_hst", "ca_pst_bc", "ca_pst_mb", "ca_pst_sk", "ca_qst", "ch_vat",
    "cl_tin", "cn_tin", "co_nit", "cr_tin", "do_rcn", "ec_ruc", "eg_tin", "es_cif", "eu_oss_vat",
    "eu_vat", "gb_vat", "ge_vat", "hk_br", "hu_tin", "id_npwp", "il_vat", "in_gst", "is_vat",
    "jp_cn", "jp_rn", "jp_trn", "ke_pin", "kr_brn", "kz_bin", "li_uid", "mx_rfc", "my_frp",
    "my_itn", "my_sst", "ng_tin", "no_vat", "no_voec", "nz_gst", "om_vat", "pe_ruc", "ph_tin",
    "ro_tin", "rs_pib", "ru_inn", "ru_kpp", "sa_vat", "sg_gst", "sg_uen", "si_tin", "sv_nit",
    "th_vat", "tr_tin", "tw_vat", "ua_vat", "us_ein", "uy_ruc", "ve_rif", "vn_tin", "za_vat",
)  # fmt: skip

_FIELDS = {
    "address": ADDRESS_EMPTYABLE,
    "balance": Int(),
    "cash_balance": CASH_BALANCE_SETTINGS,
    "coupon": Str(),
    "description": Str(emptyable=True),
    "email": Str(max_length=512, emptyable=True, check=EMAIL.check),
    "invoice_prefix": Str(check=_check_invoice_prefix),
    "invoice_settings": INVOICE_SETTINGS,
    "metadata": Metadata(),
    "name": Str(max_length=256, emptyable=True),
    "next_invoice_sequence": Int(),
    "payment_method": Str(),
    "phone": Str(max_length=20, emptyable=True),
    "preferred_locales": Arr(Str(), emptyable=True),
    "promotion_code": Str(),
    "shipping": SHIPPING_EMPTYABLE,
    "source": Str(),
    "tax": Obj(
        {"ip_address": Str(emptyable=True), "validate_location": Enum(("deferred", "immediately"))}
    ),
    "tax_exempt": Enum(("exempt", "none", "reverse"), emptyable=True),
    "tax_id_data": Arr(
        Obj({"type": Enum(TAX_ID_TYPES), "value": Str()}, required=("type", "value"))
    ),
    "test_clock": Str(),
}
# Update takes the legacy sources' defaults instead of what only creation sets.
_UPDATE_ONLY = {
    "bank_account": Str(),
    "card": Str(),
    "default_alipay_account": Str(),
    "default_bank_account": Str(),
    "default_card": Str(),
    "default_source": Str(),
}

CREATE = Params(_FIELDS)
UPDATE = Params(
    {
        **{
            k: v
            for k, v in _FIELDS.items()
            if k not in ("payment_method", "tax_id_data", "test_clock")
        },
        **_UPDATE_ONLY,
    }
)
RETRIEVE = Params()
DELETE = Params()
LIST = Params({**LIST_FIELDS, **CREATED_FILTER, "email": Str(max_length=512)})
SEARCH = Params(SEARCH_FIELDS)

# Stripe's query fields for customers (https://docs.stripe.com/search).
SEARCH_QUERY_FIELDS = {
    "created": search_query.Field("number"),
    "email": search_query.Field("string"),
    "metadata": search_query.Field("metadata"),
    "name": search_query.Field("string"),
    "phone": search_query.Field("string"),
}


def create(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.create(ctx, params)


def retrieve(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.retrieve(ctx, path["customer"])


def update(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.update(ctx, path["customer"], params)


def delete(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return service.delete(ctx, path["customer"])


def list_(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    page = service.list_customers(ctx, params)
    return envelope("/v1/customers", [r.data for r in page.records], page.has_more)


def search(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> dict[str, Any]:
    return searching.search(
        ctx, params, "customer", SEARCH_QUERY_FIELDS, "customers", lambda customer: customer
    )


SHAPE = obj(
    {
        "id": STRING,
        "object": const("customer"),
        "address": nullable(ADDRESS_SHAPE),
        "balance": INTEGER,
        "created": INTEGER,
        "currency": nullable(STRING),
        "default_source": NULL,
        "delinquent": nullable(BOOLEAN),
        "description": nullable(STRING),
        "discount": NULL,
        "email": nullable(STRING),
        "invoice_prefix": nullable(STRING),
        "invoice_settings": obj(
            {
                "custom_fields": nullable(array(obj({"name": STRING, "value": STRING}))),
                "default_payment_method": expandable("payment_method"),
                "footer": nullable(STRING),
                "rendering_options": nullable(obj({"amount_tax_display": nullable(STRING)})),
            }
        ),
        "livemode": BOOLEAN,
        "metadata": METADATA,
        "name": nullable(STRING),
        "next_invoice_sequence": INTEGER,
        "phone": nullable(STRING),
        "preferred_locales": array(STRING),
        "shipping": nullable(SHIPPING_SHAPE),
        "tax_exempt": enum(("exempt", "none", "reverse")),
        "test_clock": NULL,
    }
)
SCHEMAS = {"customer": SHAPE, "deleted_customer": deleted("customer")}

ENDPOINTS = [
    Endpoint("POST", "/v1/customers", CREATE, create, returns="customer", resource="customers"),
    Endpoint(
        "GET", "/v1/customers", LIST, list_, response=list_of(ref("customer")), resource="customers"
    ),
    # Before /{customer}, which would take "search" for an id.
    Endpoint(
        "GET",
        "/v1/customers/search",
        SEARCH,
        search,
        response=search_result_of(ref("customer")),
        resource="customers",
    ),
    Endpoint(
        "GET",
        "/v1/customers/{customer}",
        RETRIEVE,
        retrieve,
        returns="customer",
        # A deleted customer is still retrieved, as its `deleted: true` stub (as on Stripe).
        response={"anyOf": [ref("customer"), ref("deleted_customer")]},
        resource="customers",
    ),
    Endpoint(
        "POST", "/v1/customers/{customer}", UPDATE, update, returns="customer", resource="customers"
    ),
    Endpoint(
        "DELETE",
        "/v1/customers/{customer}",
        DELETE,
        delete,
        response=ref("deleted_customer"),
        resource="customers",
    ),
]
