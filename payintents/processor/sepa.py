"""SEPA Direct Debit: IBAN validation and Stripe's test IBANs.

Facts from Stripe's SEPA testing docs: each country has IBANs that succeed, succeed after
at least three minutes, fail, fail after three minutes, succeed then get disputed, and fail
with a limit or insufficient-funds code. Failure messages are our own wording.
"""

from __future__ import annotations

from payintents.processor.base import Decline, bank_failure

# scenario -> one test IBAN per country
_SCENARIOS = (
    "success",
    "successDelayed",
    "failed",
    "failedDelayed",
    "disputed",
    "exceedsWeeklyVolumeLimit",
    "exceedsWeeklyTransactionLimit",
    "insufficientFunds",
)
_BY_COUNTRY: dict[str, tuple[str | None, ...]] = {
    "at": (
        "AT611904300234573201",
        "AT321904300235473204",
        "AT861904300235473202",
        "AT051904300235473205",
        "AT591904300235473203",
        "AT981904300000343434",
        "AT601904300000121212",
        "AT981904300002222227",
    ),
    "be": (
        "BE62510007547061",
        "BE78510007547064",
        "BE68539007547034",
        "BE51510007547065",
        "BE08510007547063",
        "BE90510000343434",
        "BE52510000121212",
        "BE90510002222227",
    ),
    "de": (
        "DE89370400440532013000",
        "DE08370400440532013003",
        "DE62370400440532013001",
        "DE78370400440532013004",
        "DE35370400440532013002",
        "DE65370400440000343434",
        "DE27370400440000121212",
        "DE65370400440002222227",
    ),
    "fr": (
        "FR1420041010050500013M02606",
        "FR3020041010050500013M02609",
        "FR8420041010050500013M02607",
        "FR7920041010050500013M02600",
        "FR5720041010050500013M02608",
        "FR9720041010050000000343434",
        "FR5920041010050000000121212",
        "FR9720041010050000002222227",
    ),
    "ie": (
        "IE29AIBK93115212345678",
        "IE24AIBK93115212345671",
        "IE02AIBK93115212345679",
        "IE94AIBK93115212345672",
        "IE51AIBK93115212345670",
        "IE10AIBK93115200343434",
        "IE69AIBK93115200121212",
        "IE10AIBK93115202222227",
    ),
    "lu": (
        "LU280019400644750000",
        "LU440019400644750003",
        "LU980019400644750001",
        "LU170019400644750004",
        "LU710019400644750002",
        "LU900010000000343434",
        "LU520010000000121212",
        "LU900010000002222227",
    ),
    # Stripe's table gives the NL "successDelayed" IBAN for insufficientFunds too; the first
    # meaning wins.
    "nl": (
        "NL39RABO0300065264",
        "NL55RABO0300065267",
        "NL91ABNA0417164300",
        "NL28RABO0300065268",
        "NL82RABO0300065266",
        "NL27RABO0000343434",
        "NL86RABO0000121212",
        None,
    ),
}

TEST_IBANS: dict[str, str] = {}
SEPA_TOKENS: dict[str, str] = {}
for _cc, _ibans in _BY_COUNTRY.items():
    for _scenario, _iban in zip(_SCENARIOS, _ibans, strict=True):
        if _iban is None:
            continue
        TEST_IBANS[_iban] = _scenario
        # Stripe's docs show both spellings of the token.
        SEPA_TOKENS[f"pm_sepaDebit_{_scenario}_{_cc}"] = _iban
        SEPA_TOKENS[f"pm_{_scenario}_{_cc}"] = _iban

DELAYED = frozenset({"successDelayed", "failedDelayed"})
# "A few seconds" for ordinary test IBANs, "at least three minutes" for the delayed ones.
SETTLEMENT_DELAY = 5
DELAYED_SETTLEMENT_DELAY = 180
DISPUTE_REASON = "general"


_GENERIC = bank_failure(
    "generic_could_not_process", "The SEPA Direct Debit could not be processed."
)
SETTLEMENT_FAILURES: dict[str, Decline] = {
    "failed": _GENERIC,
    "failedDelayed": _GENERIC,
    "exceedsWeeklyVolumeLimit": bank_failure(
        "charge_exceeds_source_limit",
        "This payment would take the bank account over its weekly payment volume limit.",
    ),
    "exceedsWeeklyTransactionLimit": bank_failure(
        "charge_exceeds_weekly_limit",
        "This payment exceeds the bank account's weekly transaction limit.",
    ),
    "insufficientFunds": bank_failure(
        "insufficient_funds", "The bank account has insufficient funds for this payment."
    ),
}

# Countries in the SEPA scheme: IBAN length, then where the bank and branch codes sit in the
# BBAN (the part after the check digits): bank start, bank length, branch length.
IBAN_FORMATS: dict[str, tuple[int, int, int, int]] = {
    "AT": (20, 0, 5, 0),
    "BE": (16, 0, 3, 0),
    "BG": (22, 0, 4, 4),
    "CH": (21, 0, 5, 0),
    "CY": (28, 0, 3, 5),
    "CZ": (24, 0, 4, 0),
    "DE": (22, 0, 8, 0),
    "DK": (18, 0, 4, 0),
    "EE": (20, 0, 2, 0),
    "ES": (24, 0, 4, 4),
    "FI": (18, 0, 3, 0),
    "FR": (27, 0, 5, 5),
    "GB": (22, 0, 4, 6),
    "GI": (23, 0, 4, 0),
    "GR": (27, 0, 3, 4),
    "HR": (21, 0, 7, 0),
    "HU": (28, 0, 3, 4),
    "IE": (22, 0, 4, 6),
    "IS": (26, 0, 4, 0),
    # Italy and San Marino open the BBAN with a check character.
    "IT": (27, 1, 5, 5),
    "LI": (21, 0, 5, 0),
    "LT": (20, 0, 5, 0),
    "LU": (20, 0, 3, 0),
    "LV": (21, 0, 4, 0),
    "MC": (27, 0, 5, 5),
    "MT": (31, 0, 4, 5),
    "NL": (18, 0, 4, 0),
    "NO": (15, 0, 4, 0),
    "PL": (28, 0, 3, 4),
    "PT": (25, 0, 4, 4),
    "RO": (24, 0, 4, 0),
    "SE": (24, 0, 3, 0),
    "SI": (19, 0, 2, 3),
    "SK": (24, 0, 4, 0),
    "SM": (27, 1, 5, 5),
}


def normalize_iban(iban: str) -> str:
    return "".join(iban.split()).upper()


def iban_valid(iban: str) -> bool:
    """Known SEPA country, its length, alphanumeric, and the ISO 13616 mod-97 checksum."""
    fmt = IBAN_FORMATS.get(iban[:2])
    if fmt is None or len(iban) != fmt[0] or not iban.isalnum() or not iban[2:4].isdigit():
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def bank_and_branch(iban: str) -> tuple[str, str]:
    """Bank and branch codes as Stripe shows them (branch "" when the country has none)."""
    _, start, bank_len, branch_len = IBAN_FORMATS[iban[:2]]
    bban = iban[4:]
    bank_end = start + bank_len
    return bban[start:bank_end], bban[bank_end : bank_end + branch_len]
