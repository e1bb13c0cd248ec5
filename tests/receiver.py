"""A real webhook endpoint for tests: a threaded HTTP server on a free port that verifies
every request with the official SDK's `stripe.Webhook.construct_event`."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import stripe


class Receiver:
    def __init__(self, secret: str | None = None) -> None:
        self.secret = secret
        # What to answer: a status code, or a function of the event giving one.
        self.answer: int | Callable[[dict[str, Any]], int] = 200
        # Seconds to wait before answering (to simulate a slow or hung endpoint).
        self.delay = 0.0
        self.lock = threading.Condition()
        # Every verified request, in arrival order: (event, status answered).
        self.requests: list[tuple[dict[str, Any], int]] = []
        self.failures: list[str] = []
        self.headers: list[dict[str, str]] = []
        # A path of its own: a port reused after another receiver closed still gets that
        # receiver's late retries, which are not this test's business.
        self.path = "/webhooks/" + secrets.token_hex(6)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = self.rfile.read(length)
                if len(body) < length:
                    # The sender died mid-request (a test kills servers): not a delivery.
                    return
                if self.path != receiver.path:
                    self.send_response(410)
                    self.end_headers()
                    return
                receiver.handle(self, body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 128

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{self.path}"

    def handle(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            assert self.secret, "the receiver has no secret yet"
            event = stripe.Webhook.construct_event(
                body.decode("utf-8"), headers.get("stripe-signature", ""), self.secret
            )
            payload = json.loads(body)
            assert payload["id"] == event.id
        except Exception as exc:  # recorded, and the test fails on it
            with self.lock:
                self.failures.append(f"{type(exc).__name__}: {exc}")
            request.send_response(400)
            request.end_headers()
            return
        # Decided on arrival: a request held open answers what was due when it came.
        status = self.answer(payload) if callable(self.answer) else self.answer
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            self.headers.append(headers)
            self.requests.append((payload, status))
            self.lock.notify_all()
        try:
            request.send_response(status)
            request.send_header("content-type", "text/plain")
            request.end_headers()
            request.wfile.write(b"ok" if status < 300 else b"receiver says no")
        except OSError:
            pass  # the sender gave up waiting (a timeout test)

    # What arrived.

    def delivered(self) -> dict[str, dict[str, Any]]:
        """Events answered 2xx, by id (duplicates collapse: receivers dedupe by event id)."""
        with self.lock:
            return {e["id"]: e for e, status in self.requests if 200 <= status < 300}

    def attempts(self) -> Counter[str]:
        with self.lock:
            return Counter(e["id"] for e, _ in self.requests)

    def types_for(self, object_id: str) -> list[str]:
        """Types of the delivered events about one object (or objects pointing at it)."""
        return sorted(e["type"] for e in self.delivered().values() if _about(e, object_id))

    def wait(self, check: Callable[[], bool], timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        with self.lock:
            while not check():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"timed out; received {[(e['type'], s) for e, s in self.requests]}; "
                        f"failures {self.failures}"
                    )
                self.lock.wait(min(left, 0.2))

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

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _all_events(client: stripe.StripeClient) -> list[stripe.Event]:
    """Newest first, as the Events API lists them."""
    return list(client.v1.events.list(params={"limit": 100}).auto_paging_iter())


def _about(event: dict[str, Any], object_id: str) -> bool:
    obj = event["data"]["object"]
    return object_id in (obj.get("id"), obj.get("payment_intent"), obj.get("charge"))
