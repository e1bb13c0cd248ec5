"""One module per API resource; ENDPOINTS collects their routes, SCHEMAS their objects' shapes."""

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from payintents.errors import ApiError
from payintents.resources import (
    cash_balance,
    charges,
    customers,
    events,
    payment_intents,
    payment_methods,
    refunds,
    webhook_endpoints,
)
from payintents.services.context import Ctx
from payintents.wire.http import Endpoint, Handler
from payintents.wire.shapes import Schema

# How an object an error carries (Stripe's `error.payment_intent`) is rendered, by its type:
# as an answer renders it, so a publishable key sees the reduced PaymentIntent in an error
# too. A PaymentMethod is shown whole, to publishable keys as well (as Stripe.js gets it).
_RENDER: dict[str, Callable[[dict[str, Any], Ctx], dict[str, Any]]] = {
    "payment_intent": payment_intents.render,
}


def _rendering_errors(handler: Handler) -> Handler:
    def handle(ctx: Ctx, params: dict[str, Any], path: dict[str, str]) -> Any:
        try:
            return handler(ctx, params, path)
        except ApiError as err:
            for name, value in err.extra.items():
                if isinstance(value, dict) and value.get("object") in _RENDER:
                    err.extra[name] = _RENDER[value["object"]](value, ctx)
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
        *events.ENDPOINTS,
        *webhook_endpoints.ENDPOINTS,
    )
]

SCHEMAS: dict[str, Schema] = {
    **payment_intents.SCHEMAS,
    **customers.SCHEMAS,
    **cash_balance.SCHEMAS,
    **payment_methods.SCHEMAS,
    **charges.SCHEMAS,
    **refunds.SCHEMAS,
    **events.SCHEMAS,
    **webhook_endpoints.SCHEMAS,
}
