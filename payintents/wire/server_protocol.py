"""The HTTP server's protocol: uvicorn's httptools protocol, except that a request its parser
cannot read gets Stripe's error body (JSON, invalid_request_error) instead of uvicorn's
plain-text "Invalid HTTP request received.", a request's handler can close its connection
without answering (wire/http.py ABORT), and no client can hold more of the server than the
limits of wire/connections.py allow:

- A request head is counted as its bytes arrive. Header fields past `max_header_bytes` get
  431, a target past 65,535 bytes 414 (httptools splits a target with 16-bit offsets, so a
  longer one cannot be read at all); the rest of a refused request is read and dropped
  until the client stops sending (`LINGER_IDLE`, `LINGER_MAX`), so that it can read the
  answer, and then the connection is closed. Nothing of it is held beyond one read.
- A connection that has not sent a whole request, head and body, within `read_timeout` (from
  connecting, or from the first byte of a later request) is closed, and so is one idle for
  `keep_alive_timeout` between requests.
- Past `max_connections` open connections, a new one displaces the oldest connection with
  no request in progress (connections.IdlePool); with none, it is answered 503 and closed.
"""

from __future__ import annotations

import asyncio
import weakref
from http import HTTPStatus
from typing import Any

import httptools
import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from payintents.domain.ids import request_id
from payintents.domain.versions import DEFAULT_VERSION
from payintents.errors import ApiError
from payintents.wire.connections import IdlePool, Limits
from payintents.wire.errors import error_body
from payintents.wire.http import ABORT, response_headers

MAX_URL_BYTES = 65_535
URL_TOO_LONG = f"Request URL too long: the limit is {MAX_URL_BYTES} bytes."
UNREADABLE = "Invalid request: the HTTP request could not be parsed."
TOO_MANY = (
    "The server has too many open connections and cannot accept another right now; "
    "please retry the request."
)
# A request line's method, version and line ends, beyond its target.
REQUEST_LINE_SLACK = 64
# A refused request's remaining bytes are drained (so that a client still sending can read
# the answer rather than a reset) until none came for LINGER_IDLE seconds, or LINGER_MAX
# seconds have passed, as nginx's lingering close does (with its defaults: a client stalled
# for two seconds on a busy machine got a reset instead of its 431).
LINGER_IDLE = 5.0
LINGER_MAX = 30.0


def headers_too_large(limit: int) -> str:
    return f"Request header fields too large: the limit is {limit} bytes."


# One pool of idle connections per server (per process).
_POOLS: weakref.WeakKeyDictionary[ServerState, IdlePool[StripeErrorsProtocol]] = (
    weakref.WeakKeyDictionary()
)


class _Refused(httptools.HttpParserError):
    """Raised from a parser callback; data_received answers with send_400_response."""


class StripeErrorsProtocol(HttpToolsProtocol):
    def __init__(self, config: Any, server_state: ServerState, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, server_state, *args, **kwargs)
        self.limits: Limits = getattr(config, "limits", Limits())
        self.pool = _POOLS.setdefault(server_state, IdlePool())
        self.refusal: ApiError | None = None
        # uvicorn sets it once a request begins; bytes that begin none are counted too.
        self.url = b""
        self.url_too_long = False
        # Whether the next bytes belong to a request head, and how many it has had so far.
        self.in_head = True
        self.head_bytes = 0
        self.header_bytes = 0
        self.read_timer: asyncio.TimerHandle | None = None
        self.draining = False
        self.drain_until = 0.0
        self.last_data = 0.0

    # -- connections --------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            oldest = self.pool.pop_oldest(besides=self)
            if oldest is None:
                self.refuse(ApiError(TOO_MANY, status=503, type="api_error"))
                return
            oldest.transport.close()
        self.pool.add_fresh(self)
        self.arm_read_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self.pool.discard(self)
        self.cancel_read_timer()
        super().connection_lost(exc)

    def arm_read_timer(self) -> None:
        if self.read_timer is None:
            self.read_timer = self.loop.call_later(self.limits.read_timeout, self.on_read_timeout)

    def cancel_read_timer(self) -> None:
        if self.read_timer is not None:
            self.read_timer.cancel()
            self.read_timer = None

    def on_read_timeout(self) -> None:
        self.read_timer = None
        # A request being handled keeps its connection (the late bytes are a pipelined
        # request's); the keep-alive timeout takes over once it is answered.
        cycle = self.cycle
        if cycle is not None and not cycle.more_body and not cycle.response_complete:
            return
        self.transport.close()

    # -- reading ------------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self.draining:
            self.last_data = self.loop.time()
            return
        if self.in_head:
            self.arm_read_timer()
            self.head_bytes += len(data)
        super().data_received(data)
        # The head is still incomplete after more bytes than a head may have: refuse it
        # without waiting for its end (the rest of it may never come, or be gigabytes).
        budget = MAX_URL_BYTES + REQUEST_LINE_SLACK + self.limits.max_header_bytes
        if self.in_head and self.head_bytes > budget and not self.transport.is_closing():
            if len(self.url) >= MAX_URL_BYTES:
                self.url_too_long = True
            self.refuse(self.head_refusal(too_large=not self.url_too_long))

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.url_too_long = False
        self.header_bytes = 0
        # How a request's handler drops its connection without answering (a fault rule's
        # drop_after_commit): at once, with nothing written.
        self.scope["extensions"] = {ABORT: self.transport.abort}

    def on_url(self, url: bytes) -> None:
        if self.url_too_long or len(self.url) + len(url) > MAX_URL_BYTES:
            self.url_too_long = True
            return
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        # Name, ": ", value and CRLF, as they were sent.
        self.header_bytes += len(name) + len(value) + 4
        if self.header_bytes > self.limits.max_header_bytes:
            # Nothing more is kept; the refusal comes once the head is in, or sooner from
            # data_received.
            return
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        too_large = self.header_bytes > self.limits.max_header_bytes
        if self.url_too_long or too_large:
            self.refusal = self.head_refusal(too_large)
            raise _Refused(self.refusal.message)
        self.in_head = False
        self.head_bytes = 0
        self.pool.discard(self)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.cancel_read_timer()
        self.in_head = True

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # Served, and now waiting for the next request under the keep-alive timeout.
        if self.timeout_keep_alive_task is not None:
            self.pool.add_kept(self)

    def head_refusal(self, too_large: bool) -> ApiError:
        if self.url_too_long:
            return ApiError(URL_TOO_LONG, status=414)
        return ApiError(headers_too_large(self.limits.max_header_bytes), status=431)

    # -- answering without the app ------------------------------------------------------------

    def drain_check(self) -> None:
        now = self.loop.time()
        idle_until = self.last_data + LINGER_IDLE
        if now >= min(idle_until, self.drain_until):
            self.read_timer = None
            self.transport.close()
            return
        self.read_timer = self.loop.call_later(
            min(idle_until, self.drain_until) - now, self.drain_check
        )

    def send_400_response(self, msg: str) -> None:
        self.refuse(self.refusal or ApiError(UNREADABLE))

    def refuse(self, err: ApiError) -> None:
        """Answer `err` with Stripe's body and close: the rest of the request is read and
        dropped for a moment, so that the client gets to read the answer."""
        rid = request_id()
        body = orjson.dumps(error_body(err))
        fields = response_headers(err.status, rid, DEFAULT_VERSION) | {
            "content-type": "application/json",
            "content-length": str(len(body)),
            "connection": "close",
        }
        if err.status >= 500:
            fields["stripe-should-retry"] = "true"
        status = HTTPStatus(err.status)
        head = [f"HTTP/1.1 {status.value} {status.phrase}\r\n".encode()]
        head += [k + b": " + v + b"\r\n" for k, v in self.server_state.default_headers]
        head += [f"{k}: {v}\r\n".encode() for k, v in fields.items()]
        self.transport.write(b"".join(head) + b"\r\n" + body)
        self.draining = True
        self.in_head = False
        self.cancel_read_timer()
        # A connection at its end gives way first to a new one.
        self.pool.add_fresh(self)
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self.last_data = self.loop.time()
            self.drain_until = self.last_data + LINGER_MAX
            self.drain_check()
        else:
            self.transport.close()
