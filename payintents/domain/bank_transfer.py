"""Bank transfers into a customer's cash balance: the types, their currencies, and the
virtual bank account details (financial addresses) a customer is told to send funds to.

Stripe gives each customer its own virtual account per transfer type; payintents derives
the simulated one from the account and customer, so it is the same on every call and every
server process. Bank names and codes are test values, not real banks.
"""

from __future__ import annotations

import hashlib
from typing import Any

# Transfer type -> the only currency it takes.
CURRENCY_OF: dict[str, str] = {
    "eu_bank_transfer": "eur",
    "gb_bank_transfer": "gbp",
    "jp_bank_transfer": "jpy",
    "mx_bank_transfer": "mxn",
    "us_bank_transfer": "usd",
}
TYPE_OF_CURRENCY: dict[str, str] = {c: t for t, c in CURRENCY_OF.items()}

# Address types each transfer type offers (Stripe: "if not specified, all valid types").
ADDRESS_TYPES: dict[str, tuple[str, ...]] = {
    "eu_bank_transfer": ("iban",),
    "gb_bank_transfer": ("sort_code",),
    "jp_bank_transfer": ("zengin",),
    "mx_bank_transfer": ("spei",),
    "us_bank_transfer": ("aba", "swift"),
}
_NETWORKS: dict[str, list[str]] = {
    "aba": ["ach", "domestic_wire_us"],
    "iban": ["sepa"],
    "sort_code": ["bacs", "fps"],
    "spei": ["spei"],
    "swift": ["swift"],
    "zengin": ["zengin"],
}
EU_COUNTRIES = ("BE", "DE", "ES", "FR", "IE", "NL")
# IBAN length and bank code of the simulated receiving bank in each country.
_IBAN_BANK: dict[str, tuple[int, str]] = {
    "BE": (16, "539"),
    "DE": (22, "37040044"),
    "ES": (24, "21000418"),
    "FR": (27, "2004101005"),
    "IE": (22, "STPT990001"),
    "NL": (18, "STPT"),
}
HOLDER_NAME = "PAYINTENTS TEST ACCOUNT"
TEST_BANK = "PAYINTENTS TEST BANK"


def _digits(*parts: str, length: int) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()
    return str(int(digest, 16))[:length].rjust(length, "0")


def _iban(country: str, key: str) -> str:
    length, bank = _IBAN_BANK[country]
    account = _digits("iban", key, length=length - 4 - len(bank))
    bban = bank + account
    # ISO 13616: the check digits make the rearranged number 1 modulo 97.
    rearranged = bban + country + "00"
    check = 98 - int("".join(str(int(ch, 36)) for ch in rearranged)) % 97
    return f"{country}{check:02d}{bban}"


def _clabe(key: str) -> str:
    """18 digits: bank 002, branch, account, and the CLABE check digit (weights 3, 7, 1)."""
    body = "002" + "180" + _digits("clabe", key, length=11)
    total = sum(int(d) * (3, 7, 1)[i % 3] % 10 for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _address(kind: str, key: str, country: str | None) -> dict[str, Any]:
    if kind == "aba":
        record: dict[str, Any] = {
            "account_number": _digits("aba", key, length=12),
            "bank_name": TEST_BANK,
            "routing_number": "110000000",
        }
    elif kind == "swift":
        record = {
            "account_number": _digits("aba", key, length=12),
            "bank_name": TEST_BANK,
            "swift_code": "PITSUS33XXX",
        }
    elif kind == "iban":
        record = {
            "account_holder_name": HOLDER_NAME,
            "bic": f"PITS{country}22XXX",
            "country": country,
            "iban": _iban(country or "DE", key),
        }
    elif kind == "sort_code":
        record = {
            "account_holder_name": HOLDER_NAME,
            "account_number": _digits("sort_code", key, length=8),
            "sort_code": "108800",
        }
    elif kind == "spei":
        record = {"bank_code": "002", "bank_name": TEST_BANK, "clabe": _clabe(key)}
    else:
        record = {
            "account_holder_name": HOLDER_NAME,
            "account_number": _digits("zengin", key, length=7),
            "account_type": "futsu",
            "bank_code": "0009",
            "bank_name": TEST_BANK,
            "branch_code": "950",
            "branch_name": "PAYINTENTS",
        }
    return {kind: record, "supported_networks": _NETWORKS[kind], "type": kind}


def financial_addresses(
    transfer_type: str, scope: str, customer: str, country: str | None, requested: list[str]
) -> list[dict[str, Any]]:
    """The customer's virtual account(s) for this transfer type, in the requested kinds."""
    key = f"{scope}/{customer}/{country or ''}"
    kinds = [k for k in ADDRESS_TYPES[transfer_type] if not requested or k in requested]
    return [_address(kind, key, country) for kind in kinds]


def reference_for(transfer_type: str, intent_id: str) -> str | None:
    """The code a customer quotes with the transfer; Japan's transfers carry none."""
    if transfer_type == "jp_bank_transfer":
        return None
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    digest = hashlib.sha256(f"reference\x00{intent_id}".encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:12])


def funded_details(transfer_type: str, reference: str | None) -> dict[str, Any]:
    """`funded.bank_transfer` of a test funding: who sent it is unknown to the test helper."""
    senders: dict[str, dict[str, Any]] = {
        "eu_bank_transfer": {"bic": None, "iban_last4": None, "sender_name": None},
        "gb_bank_transfer": {"account_number_last4": None, "sender_name": None, "sort_code": None},
        "jp_bank_transfer": {"sender_bank": None, "sender_branch": None, "sender_name": None},
        "mx_bank_transfer": {"sender_bank": None, "sender_name": None},
        "us_bank_transfer": {"network": "ach", "sender_name": None},
    }
    return {
        "bank_transfer": {
            transfer_type: senders[transfer_type],
            "reference": reference,
            "type": transfer_type,
        }
    }
