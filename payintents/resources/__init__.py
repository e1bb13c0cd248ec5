"""One module per API resource; ENDPOINTS collects their routes."""

from payintents.resources import charges, customers, payment_intents, payment_methods, refunds
from payintents.wire.http import Endpoint

ENDPOINTS: list[Endpoint] = [
    *payment_intents.ENDPOINTS,
    *customers.ENDPOINTS,
    *payment_methods.ENDPOINTS,
    *charges.ENDPOINTS,
    *refunds.ENDPOINTS,
]
