"""Parameter shapes several resources share (addresses, billing details, payment method data)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from payintents.domain import money
from payintents.errors import ApiError
from payintents.wire.params import Arr, Bool, Enum, Free, Int, Metadata, Obj, Params, Spec, Str
from payintents.wire.shapes import STRING, nullable, obj

PAYMENT_METHOD_TYPES = (
    "acss_debit", "affirm", "afterpay_clearpay", "alipay", "amazon_pay", "au_becs_debit",
    "bacs_debit", "bancontact", "blik", "boleto", "card", "cashapp", "customer_balance", "eps",
    "fpx", "giropay", "grabpay", "ideal", "klarna", "konbini", "link", "mobilepay", "oxxo", "p24",
    "paynow", "paypal", "pix", "promptpay", "revolut_pay", "sepa_debit", "sofort", "swish",
    "us_bank_account", "wechat_pay", "zip",
)  # fmt: skip

ADDRESS = Obj(
    {
        "city": Str(),
        "country": Str(),
        "line1": Str(),
        "line2": Str(),
        "postal_code": Str(),
        "state": Str(),
    }
)
ADDRESS_EMPTYABLE = Obj(ADDRESS.fields, emptyable=True)

SHIPPING_FIELDS: dict[str, Spec] = {
    "address": ADDRESS,
    "carrier": Str(),
    "name": Str(),
    "phone": Str(),
    "tracking_number": Str(),
}
SHIPPING = Obj(SHIPPING_FIELDS, required=("address", "name"))
SHIPPING_EMPTYABLE = Obj(SHIPPING_FIELDS, required=("address", "name"), emptyable=True)

BILLING_DETAILS = Obj(
    {
        "address": ADDRESS_EMPTYABLE,
        "email": Str(emptyable=True),
        "name": Str(emptyable=True),
        "phone": Str(emptyable=True),
    }
)

CARD_DATA = Obj(
    {
        "number": Str(),
        "exp_month": Int(),
        "exp_year": Int(),
        "cvc": Str(),
        "networks": Obj({"preferred": Enum(("cartes_bancaires", "mastercard", "visa"))}),
    },
    required=("number", "exp_month", "exp_year"),
)
US_BANK_ACCOUNT_DATA = Obj(
    {
        "account_holder_type": Enum(("company", "individual")),
        "account_number": Str(),
        "account_type": Enum(("checking", "savings")),
        "financial_connections_account": Str(),
        "routing_number": Str(),
    }
)
SEPA_DEBIT_DATA = Obj({"iban": Str()}, required=("iban",))

# Types whose data payintents reads; the others are stored as given.
_TYPED_DATA: dict[str, Spec] = {
    "card": CARD_DATA,
    "us_bank_account": US_BANK_ACCOUNT_DATA,
    "sepa_debit": SEPA_DEBIT_DATA,
    "customer_balance": Obj({}),
}

PAYMENT_METHOD_DATA = Obj(
    {
        "type": Enum(PAYMENT_METHOD_TYPES),
        "allow_redisplay": Enum(("always", "limited", "unspecified")),
        "billing_details": BILLING_DETAILS,
        "metadata": Metadata(),
        "radar_options": Obj({"session": Str()}),
        **{t: _TYPED_DATA.get(t, Free(emptyable=False)) for t in PAYMENT_METHOD_TYPES},
    },
    required=("type",),
)

SETUP_FUTURE_USAGE_OPTION = Enum(("", "none", "off_session", "on_session"))

CARD_OPTIONS = Obj(
    {
        "capture_method": Enum(("manual",), emptyable=True),
        "cvc_token": Str(),
        "installments": Free(),
        "mandate_options": Free(),
        "network": Enum(
            (
                "amex",
                "cartes_bancaires",
                "diners",
                "discover",
                "eftpos_au",
                "interac",
                "jcb",
                "mastercard",
                "unionpay",
                "unknown",
                "visa",
            )
        ),
        "request_extended_authorization": Enum(("if_available", "never")),
        "request_incremental_authorization": Enum(("if_available", "never")),
        "request_multicapture": Enum(("if_available", "never")),
        "request_overcapture": Enum(("if_available", "never")),
        "request_three_d_secure": Enum(("any", "automatic", "challenge")),
        "require_cvc_recollection": Bool(),
        "setup_future_usage": Enum(("none", "off_session", "on_session"), emptyable=True),
        "statement_descriptor_suffix_kana": Str(max_length=22, emptyable=True),
        "statement_descriptor_suffix_kanji": Str(max_length=17, emptyable=True),
        "three_d_secure": Free(),
    },
    emptyable=True,
)
US_BANK_ACCOUNT_OPTIONS = Obj(
    {
        "financial_connections": Free(),
        "mandate_options": Free(),
        "networks": Obj({"requested": Arr(Enum(("ach", "us_domestic_wire")))}),
        "preferred_settlement_speed": Enum(("fastest", "standard"), emptyable=True),
        "setup_future_usage": Enum(("none", "off_session", "on_session"), emptyable=True),
        "verification_method": Enum(("automatic", "instant", "microdeposits")),
    },
    emptyable=True,
)


@dataclass(frozen=True)
class RenamedEnum(Enum):
    """An enum that still takes older names of its values, stored under the current ones."""

    renamed: Mapping[str, str] = field(default_factory=dict)

    def convert(self, value: Any, path: str) -> str:
        if isinstance(value, str):
            value = self.renamed.get(value, value)
        return Enum.convert(self, value, path)


BANK_TRANSFER_TYPES = (
    "eu_bank_transfer",
    "gb_bank_transfer",
    "jp_bank_transfer",
    "mx_bank_transfer",
    "us_bank_transfer",
)
CUSTOMER_BALANCE_OPTIONS = Obj(
    {
        "bank_transfer": Obj(
            {
                "eu_bank_transfer": Obj(
                    {"country": Enum(("BE", "DE", "ES", "FR", "IE", "NL"))},
                    required=("country",),
                ),
                "requested_address_types": Arr(
                    Enum(("aba", "iban", "sepa", "sort_code", "spei", "swift", "zengin"))
                ),
                # The Stripe CLI's partially_funded fixture still sends `jp_bank_account`,
                # the name these types had before they were renamed *_bank_transfer.
                "type": RenamedEnum(
                    BANK_TRANSFER_TYPES,
                    renamed={t.replace("_transfer", "_account"): t for t in BANK_TRANSFER_TYPES},
                ),
            },
            required=("type",),
        ),
        "funding_type": Enum(("bank_transfer",)),
        "setup_future_usage": Enum(("none",)),
    },
    emptyable=True,
)

_TYPED_OPTIONS: dict[str, Spec] = {
    "card": CARD_OPTIONS,
    "us_bank_account": US_BANK_ACCOUNT_OPTIONS,
    "customer_balance": CUSTOMER_BALANCE_OPTIONS,
}

PAYMENT_METHOD_OPTIONS = Obj(
    {
        t: _TYPED_OPTIONS.get(t, Free())
        for t in (*PAYMENT_METHOD_TYPES, "card_present", "interac_present")
    }
)

MANDATE_DATA = Obj(
    {
        "customer_acceptance": Obj(
            {
                "accepted_at": Int(),
                "offline": Obj({}),
                # Stripe.js, which cannot know the browser's address, sends infer_from_client:
                # the server takes the address and the user agent from the request
                # (services/mandates.py checks that one way or the other gives both).
                "online": Obj(
                    {"infer_from_client": Bool(), "ip_address": Str(), "user_agent": Str()}
                ),
                "type": Enum(("offline", "online")),
            },
            required=("type",),
        )
    },
    required=("customer_acceptance",),
    emptyable=True,
)

# The body of verify_microdeposits, on PaymentIntents and SetupIntents alike.
VERIFY_MICRODEPOSITS = Params(
    {"amounts": Arr(Int(min=1), max_items=10), "client_secret": Str(), "descriptor_code": Str()}
)


class Currency(Str):
    """A three-letter ISO code Stripe supports; stored lower-case."""

    def json_schema(self) -> dict[str, Any]:
        # The codes as stored and answered; any case of them is accepted too.
        return {"type": "string", "enum": list(money.supported_currencies())}

    def convert(self, value: object, path: str) -> str:
        text = super().convert(value, path).lower()
        if not money.is_supported(text):
            raise ApiError(money.invalid_currency_message(str(value)), param=path)
        return text


_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_email(text: str, path: str) -> None:
    if not _EMAIL_RE.match(text):
        raise ApiError(f"Invalid email address: {text[:200]}", code="email_invalid", param=path)


_DESCRIPTOR_FORBIDDEN = set("<>\\'\"*")


def check_statement_descriptor(text: str, path: str) -> None:
    if not any(c.isalpha() for c in text):
        raise ApiError(
            "The statement descriptor must contain at least one letter.",
            param=path,
        )
    if _DESCRIPTOR_FORBIDDEN & set(text):
        raise ApiError(
            "The statement descriptor may not contain any of these characters: < > \\ ' \" *",
            param=path,
        )


@dataclass(frozen=True)
class StatementDescriptor(Str):
    """Stripe words this field's length limit its own way (PaymentIntent create answers it so);
    for `statement_descriptor_suffix` no such wording is on record: it gets Str's."""

    def convert(self, value: Any, path: str) -> str:
        if isinstance(value, str) and len(value) > self.max_length:
            raise ApiError(
                f"The statement descriptor must be at most {self.max_length} characters. "
                f"{value} is {len(value)} characters long.",
                param=path,
            )
        return super().convert(value, path)


CURRENCY = Currency(max_length=3 + 10)
EMAIL = Str(check=check_email)
STATEMENT_DESCRIPTOR = StatementDescriptor(max_length=22, check=check_statement_descriptor)
STATEMENT_DESCRIPTOR_SUFFIX = Str(max_length=22, check=check_statement_descriptor)

# -- wire shapes several objects share (see wire/shapes.py) ---------------------------------

ADDRESS_SHAPE = obj({name: nullable(STRING) for name in ADDRESS.fields})
BILLING_DETAILS_SHAPE = obj(
    {
        "address": ADDRESS_SHAPE,
        "email": nullable(STRING),
        "name": nullable(STRING),
        "phone": nullable(STRING),
    }
)
# A card's checks, on the PaymentMethod and on each charge of it.
CARD_CHECKS_SHAPE = obj(
    {
        "address_line1_check": nullable(STRING),
        "address_postal_code_check": nullable(STRING),
        "cvc_check": nullable(STRING),
    }
)
SHIPPING_SHAPE = obj(
    {
        "address": ADDRESS_SHAPE,
        "carrier": nullable(STRING),
        "name": nullable(STRING),
        "phone": nullable(STRING),
        "tracking_number": nullable(STRING),
    }
)
