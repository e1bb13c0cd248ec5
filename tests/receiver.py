"""A real webhook endpoint for tests (the pytest plugin's receiver: a threaded HTTP server on a
free port verifying every request with `stripe.Webhook.construct_event`), with the questions the
webhook tests ask of what arrived."""

from __future__ import annotations

from collections import Counter
from typing import Any

import stripe

from payintents.pytest_plugin.receiver import WebhookReceiver


class Receiver(WebhookReceiver):
    """The plugin's receiver, with what the suite's own webhook tests ask of it."""

    def attempts(self) -> Counter[str]:
        with self.lock:
            return Counter(e["id"] for e, _ in self.requests)

    def types_for(self, object_id: str) -> list[str]:
        """Types of the delivered events about one object (or objects pointing at it)."""
        return sorted(e["type"] for e in self.delivered().values() if _about(e, object_id))

    def wait_for_ids(self, ids: set[str], timeout: float = 20.0) -> None:
        self.wait(lambda: ids <= set(self.delivered()), timeout)

    def wait_for_types(self, object_id: str, count: int, timeout: float = 20.0) -> list[str]:
        self.wait(lambda: len(self.types_for(object_id)) >= count, timeout)
        return self.types_for(object_id)

    def wait_for_recorded(self, client: stripe.StripeClient, timeout: float = 20.0) -> list[str]:
        """The types of every event of the client's account, in the order they were recorded,
        once each has arrived; fails if any other event arrived. An event is recorded with the
        change it describes, so once a flow's requests are answered the Events API lists all
        of its events: no waiting for what might still come is needed to catch an extra one."""
        recorded = _all_events(client)
        self.wait_for_ids({e.id for e in recorded}, timeout)
        # Recorded meanwhile (by the server itself, say) is as unexpected as delivered twice.
        again = _all_events(client)
        assert [e.id for e in again] == [e.id for e in recorded], [e.type for e in again]
        delivered = self.delivered()
        extra = [delivered[i]["type"] for i in delivered.keys() - {e.id for e in recorded}]
        assert not extra, f"delivered but not recorded: {extra}"
        return [e.type for e in reversed(recorded)]


def _all_events(client: stripe.StripeClient) -> list[stripe.Event]:
    """Newest first, as the Events API lists them."""
    return list(client.v1.events.list(params={"limit": 100}).auto_paging_iter())


def _about(event: dict[str, Any], object_id: str) -> bool:
    obj = event["data"]["object"]
    return object_id in (obj.get("id"), obj.get("payment_intent"), obj.get("charge"))
