"""One module per API resource; ENDPOINTS collects their routes."""

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
from payintents.wire.http import Endpoint

ENDPOINTS: list[Endpoint] = [
    *payment_intents.ENDPOINTS,
    *customers.ENDPOINTS,
    *cash_balance.ENDPOINTS,
    *payment_methods.ENDPOINTS,
    *charges.ENDPOINTS,
    *refunds.ENDPOINTS,
    *events.ENDPOINTS,
    *webhook_endpoints.ENDPOINTS,
]
