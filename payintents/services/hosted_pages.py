"""Where the hosted pages of bank payments live (served by `web.bank_pages`): the URLs that
`next_action` hashes show. They carry the intent's client secret and the account's
publishable key, so they work without an API key, as Stripe's do."""

from __future__ import annotations

from urllib.parse import urlencode

from payintents.domain.payment_intent import PaymentIntent
from payintents.services.context import Ctx

MICRODEPOSITS = "/microdeposit/{intent}"
BANK_TRANSFER = "/bank_transfer_instructions/{intent}"


def link(ctx: Ctx, path: str, intent: PaymentIntent) -> str:
    query = urlencode(
        {"client_secret": intent["client_secret"], "publishable_key": ctx.publishable_key}
    )
    return f"{ctx.base_url}{path.format(intent=intent['id'])}?{query}"
