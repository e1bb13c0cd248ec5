"""Which payment method types an account may offer, by its country and the payment's currency.

Stripe refuses a type that the account's country cannot offer, and then a currency the type
cannot take, each with a message of its own (docs/conformance.md lists the rules and where
they come from). A type with no rule here takes every currency in every country, as cards do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from payintents.errors import ApiError

# The countries SEPA Direct Debit is offered to (Stripe's payment method availability page).
_SEPA_COUNTRIES = (
    "AT", "AU", "BE", "BG", "CA", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB",
    "GI", "GR", "HK", "HR", "HU", "IE", "IT", "JP", "LI", "LT", "LU", "LV", "MT", "MX", "NL",
    "NO", "NZ", "PL", "PT", "RO", "SE", "SG", "SI", "SK", "US",
)  # fmt: skip
# Countries whose accounts take SEPA-area local methods (Bancontact, iDEAL, EPS, ...).
_EUROPE = (
    "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR", "HR",
    "HU", "IE", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI",
    "SK",
)  # fmt: skip


@dataclass(frozen=True)
class Rule:
    # None: every country's accounts.
    countries: tuple[str, ...] | None
    # None: every currency.
    currencies: tuple[str, ...] | None


RULES: dict[str, Rule] = {
    "acss_debit": Rule(("CA", "US"), ("cad", "usd")),
    "au_becs_debit": Rule(("AU",), ("aud",)),
    "bacs_debit": Rule(("GB",), ("gbp",)),
    "bancontact": Rule(_EUROPE, ("eur",)),
    "blik": Rule(_EUROPE, ("pln",)),
    "boleto": Rule(("BR",), ("brl",)),
    # A cash balance is funded by bank transfer, in the currencies Stripe has transfers for.
    "customer_balance": Rule(None, ("eur", "gbp", "jpy", "mxn", "usd")),
    "eps": Rule(_EUROPE, ("eur",)),
    "fpx": Rule(("MY",), ("myr",)),
    "giropay": Rule(_EUROPE, ("eur",)),
    "ideal": Rule(_EUROPE, ("eur",)),
    "konbini": Rule(("JP",), ("jpy",)),
    "oxxo": Rule(("MX",), ("mxn",)),
    "p24": Rule(_EUROPE, ("eur", "pln")),
    "paynow": Rule(("SG",), ("sgd",)),
    "pix": Rule(("BR",), ("brl",)),
    "promptpay": Rule(("TH",), ("thb",)),
    "sepa_debit": Rule(_SEPA_COUNTRIES, ("eur",)),
    "sofort": Rule(_EUROPE, ("eur",)),
    "us_bank_account": Rule(("US",), ("usd",)),
}


def _and(values: Sequence[str]) -> str:
    if len(values) <= 2:
        return " and ".join(values)
    return ", ".join(values[:-1]) + f", and {values[-1]}"


def check_country(types: Sequence[str], country: str, param: str) -> None:
    """Stripe's refusal of the first type the account's country does not allow."""
    for pm_type in types:
        rule = RULES.get(pm_type)
        if rule is not None and rule.countries is not None and country not in rule.countries:
            raise ApiError(
                f"{pm_type} is invalid. This payment method is available to Stripe accounts in "
                f"{_and(rule.countries)} and your Stripe account is in {country}.",
                param=param,
            )


def check(types: Sequence[str], currency: str, country: str, param: str) -> None:
    """Stripe's refusal of the first type the account or the currency does not allow."""
    for pm_type in types:
        rule = RULES.get(pm_type)
        if rule is None:
            continue
        check_country((pm_type,), country, param)
        if rule.currencies is not None and currency not in rule.currencies:
            raise ApiError(
                f"The currency provided ({currency}) is invalid. Payments with {pm_type} "
                f"support the following currencies: {', '.join(rule.currencies)}.",
                param="currency",
            )
