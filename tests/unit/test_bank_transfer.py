"""The simulated virtual bank accounts customers are told to send bank transfers to."""

from __future__ import annotations

import pytest

from payintents.domain import bank_transfer
from payintents.processor import sepa


@pytest.mark.parametrize("country", bank_transfer.EU_COUNTRIES)
def test_ibans_are_valid_and_stable(country: str) -> None:
    [address] = bank_transfer.financial_addresses(
        "eu_bank_transfer", "acct_1/test", "cus_A", country, []
    )
    iban = address["iban"]["iban"]
    assert iban.startswith(country)
    assert sepa.iban_valid(iban)
    assert address["iban"]["country"] == country
    assert address["supported_networks"] == ["sepa"]
    again = bank_transfer.financial_addresses(
        "eu_bank_transfer", "acct_1/test", "cus_A", country, []
    )
    other = bank_transfer.financial_addresses(
        "eu_bank_transfer", "acct_1/test", "cus_B", country, []
    )
    assert again[0]["iban"]["iban"] == iban != other[0]["iban"]["iban"]


def test_clabe_check_digit() -> None:
    [address] = bank_transfer.financial_addresses("mx_bank_transfer", "s", "cus_A", None, [])
    clabe = address["spei"]["clabe"]
    assert len(clabe) == 18 and clabe.isdigit()
    total = sum(int(d) * (3, 7, 1)[i % 3] % 10 for i, d in enumerate(clabe[:17]))
    assert int(clabe[17]) == (10 - total % 10) % 10


@pytest.mark.parametrize(
    ("kind", "requested", "types"),
    [
        ("us_bank_transfer", [], ["aba", "swift"]),
        ("us_bank_transfer", ["swift"], ["swift"]),
        ("gb_bank_transfer", [], ["sort_code"]),
        ("jp_bank_transfer", [], ["zengin"]),
        ("mx_bank_transfer", [], ["spei"]),
    ],
)
def test_address_types(kind: str, requested: list[str], types: list[str]) -> None:
    addresses = bank_transfer.financial_addresses(kind, "s", "cus_A", None, requested)
    assert [a["type"] for a in addresses] == types
    for address in addresses:
        assert set(address) == {address["type"], "supported_networks", "type"}


def test_references() -> None:
    reference = bank_transfer.reference_for("us_bank_transfer", "pi_1")
    assert reference is not None and len(reference) == 12 and reference.isalnum()
    assert reference == bank_transfer.reference_for("gb_bank_transfer", "pi_1")
    assert reference != bank_transfer.reference_for("us_bank_transfer", "pi_2")
    assert bank_transfer.reference_for("jp_bank_transfer", "pi_1") is None
