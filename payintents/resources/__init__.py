"""One module per API resource; ENDPOINTS collects their routes (whose errors render the
PaymentIntent or SetupIntent they carry), SCHEMAS their objects' shapes."""

from dataclasses import replace
from typing import Any

from payintents.errors import ApiError
from payintents.resources import (
    cash_balance,
    charges,
    confirmation_tokens,
    customers,
    disputes,
    events,
    payment_intents,
    payment_methods,
    refunds,
    setup_attempts,
    setup_intents,
    webhook_endpoints,
)
from payintents.services.context import Ctx
from payintents.wire.http import Endpoint, Handler
from payintents.wire.shapes import Schema


def _rendering_errors(handler: Handler) -> Handler:
    """The PaymentIntent an error carries (Stripe's `error.payment_intent`) rendered as an
    answer renders it, so a publishable key sees the reduced object in an error too. An
    error's `payment_method` is shown whole, to publishable keys as well (as Stripe.js gets
    it)."""

    def handle(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> Any:
        try:
            return handler(ctx, params, path)
        except ApiError as err:
            intent = err.extra.get("payment_intent")
            if intent is not None:
                err.extra["payment_intent"] = payment_intents.render(intent, ctx)
            setup = err.extra.get("setup_intent")
            if setup is not None:
                err.extra["setup_intent"] = setup_intents.render(setup, ctx)
            raise

    return handle


ENDPOINTS: list[Endpoint] = [
    replace(endpoint, handler=_rendering_errors(endpoint.handler))
    for endpoint in (
        *payment_intents.ENDPOINTS,
        *customers.ENDPOINTS,
        *cash_balance.ENDPOINTS,
        *payment_methods.ENDPOINTS,
        *charges.ENDPOINTS,
        *refunds.ENDPOINTS,
        *disputes.ENDPOINTS,
        *events.ENDPOINTS,
        *webhook_endpoints.ENDPOINTS,
        *confirmation_tokens.ENDPOINTS,
        *setup_intents.ENDPOINTS,
        *setup_attempts.ENDPOINTS,
    )
]

SCHEMAS: dict[str, Schema] = {
    **payment_intents.SCHEMAS,
    **customers.SCHEMAS,
    **cash_balance.SCHEMAS,
    **payment_methods.SCHEMAS,
    **charges.SCHEMAS,
    **refunds.SCHEMAS,
    **disputes.SCHEMAS,
    **events.SCHEMAS,
    **webhook_endpoints.SCHEMAS,
    **confirmation_tokens.SCHEMAS,
    **setup_intents.SCHEMAS,
    **setup_attempts.SCHEMAS,
}
