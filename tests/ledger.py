"""What a client was told: every acknowledged write (2xx) and every failure, to check against
what the server has afterwards."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

import stripe


@dataclass
class Ledger:
    # PaymentIntent id -> the status of its last 2xx answer.
    acked: dict[str, str] = field(default_factory=dict)
    # (HTTP status, error type, Stripe-Should-Retry) of each failed request -> how many.
    failures: Counter[tuple[int | None, str | None, str | None]] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def ack(self, pi_id: str, status: str) -> None:
        with self._lock:
            self.acked[pi_id] = status

    def fail(self, err: stripe.StripeError) -> None:
        error = err.error
        key = (
            err.http_status,
            error.type if error is not None else None,
            (err.headers or {}).get("stripe-should-retry"),
        )
        with self._lock:
            self.failures[key] += 1

    @property
    def failed(self) -> int:
        with self._lock:
            return sum(self.failures.values())

    def missing(self, client: stripe.StripeClient) -> dict[str, str]:
        """The acknowledged intents that are not there as acknowledged: id -> what is there
        (`missing` where the server answers 404)."""
        wrong = {}
        for pi_id, status in list(self.acked.items()):
            try:
                found = client.v1.payment_intents.retrieve(pi_id).status
            except stripe.InvalidRequestError as err:
                if err.http_status != 404:
                    raise
                found = "missing"
            if found != status:
                wrong[pi_id] = found
        return wrong
