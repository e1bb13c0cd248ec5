"""Where the hosted pages of bank payments live (served by `web.bank_pages`): the URLs that
`next_action` hashes show. They carry the intent's client secret and name the account (its
publishable key where it has one), so they work without an API key, as Stripe's do."""

from __future__ import annotations

from urllib.parse import urlencode

from payintents.domain.payment_intent import PaymentIntent
from payintents.services.context import Ctx

MICRODEPOSITS = "/microdeposit/{intent}"
BANK_TRANSFER = "/bank_transfer_instructions/{intent}"


def account_params(ctx: Ctx) -> dict[str, str]:
    """How a page's link names the account (web.pages.page_ctx): by its publishable key, as
    Stripe's links do, or, for an account without one in this mode, by its id and mode."""
    if ctx.publishable_key:
        return {"publishable_key": ctx.publishable_key}
    return {"merchant": ctx.account, "livemode": "true" if ctx.livemode else "false"}


def link(ctx: Ctx, path: str, intent: PaymentIntent) -> str:
    query = urlencode({"client_secret": intent["client_secret"], **account_params(ctx)})
    return f"{ctx.base_url}{path.format(intent=intent['id'])}?{query}"
