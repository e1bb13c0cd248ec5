"""A webhook endpoint in the test process: a threaded HTTP server on a free port that verifies
every delivery with the official SDK's `stripe.Webhook.construct_event` and keeps what arrived."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class WebhookReceiver:
    """Answers `answer` (a status, or a function of the event giving one) after `delay`
    seconds; a delivery whose signature does not verify gets 400 and is kept in `failures`."""

    def __init__(
        self, secret: str | None = None, bind: str = "127.0.0.1", public_host: str | None = None
    ) -> None:
        self.secret = secret
        # Where the server posts to: the bound address, or the name it reaches this host by.
        self.public_host = public_host or bind
        self.answer: int | Callable[[dict[str, Any]], int] = 200
        self.delay = 0.0
        self.lock = threading.Condition()
        # Every verified request, in arrival order: (event, status answered).
        self.requests: list[tuple[dict[str, Any], int]] = []
        self.failures: list[str] = []
        self.headers: list[dict[str, str]] = []
        # A path of its own: a port reused after another receiver closed still gets that
        # receiver's late retries, which are not this receiver's business.
        self.path = "/webhooks/" + secrets.token_hex(6)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = self.rfile.read(length)
                if len(body) < length:
                    return  # the sender died mid-request: not a delivery
                if self.path != receiver.path:
                    self.send_response(410)
                    self.end_headers()
                    return
                receiver._handle(self, body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 128

        self.server = Server((bind, 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.public_host}:{self.server.server_address[1]}{self.path}"

    def _handle(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        import stripe

        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            if not self.secret:
                raise ValueError("the receiver has no signing secret yet")
            event = stripe.Webhook.construct_event(
                body.decode("utf-8"), headers.get("stripe-signature", ""), self.secret
            )
            payload = json.loads(body)
            if payload.get("id") != event.id:
                raise ValueError("the verified event is not the one posted")
        except Exception as exc:
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
            pass  # the sender gave up waiting

    def delivered(self) -> dict[str, dict[str, Any]]:
        """Events answered 2xx, by id (duplicates collapse: receivers dedupe by event id)."""
        with self.lock:
            return {e["id"]: e for e, status in self.requests if 200 <= status < 300}

    def wait(self, check: Callable[[], bool], timeout: float = 20.0) -> None:
        """Until `check()` holds (called with the lock held), or AssertionError saying what
        arrived."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while not check():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"timed out after {timeout} s; received "
                        f"{[(e['type'], s) for e, s in self.requests]}; failures {self.failures}"
                    )
                self.lock.wait(min(left, 0.2))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
