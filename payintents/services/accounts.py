"""What payintents knows of an account besides its objects."""

from __future__ import annotations

from payintents.domain import availability
from payintents.services.context import Ctx


def account_country(ctx: Ctx) -> str:
    """The account's country (ISO 3166-1 alpha-2), which decides the payment method types it
    may offer: the one its keys file entry names, else the server's `--country` (default US)."""
    return ctx.country or ctx.runtime.config.country


def check_types(ctx: Ctx, types: list[str] | None, currency: str) -> None:
    """Stripe's refusal of payment method types the account or the currency does not allow."""
    if types:
        availability.check(types, currency, account_country(ctx), "payment_method_types")


def check_setup_types(ctx: Ctx, types: list[str] | None) -> None:
    """The account's refusal of types it may not offer, for a SetupIntent (which moves no
    money, so no currency rule applies)."""
    if types:
        availability.check_country(types, account_country(ctx), "payment_method_types")
