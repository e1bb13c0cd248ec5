"""The HTTP server's protocol: uvicorn's httptools protocol, except that a request its parser
cannot read gets Stripe's error body (JSON, invalid_request_error) instead of uvicorn's
plain-text "Invalid HTTP request received.", and a request's handler can close its connection
without answering (wire/http.py ABORT).

httptools splits a request target with 16-bit offsets, so one longer than 65,535 bytes cannot
be read at all: such a request is answered 414 once its head is in, and the rest of its target
is dropped as it arrives rather than held in memory.
"""

from __future__ import annotations

from http import HTTPStatus

import httptools
import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from payintents.domain.ids import request_id
from payintents.domain.versions import DEFAULT_VERSION
from payintents.errors import ApiError
from payintents.wire.errors import error_body
from payintents.wire.http import ABORT, response_headers

MAX_URL_BYTES = 65_535
URL_TOO_LONG = f"Request URL too long: the limit is {MAX_URL_BYTES} bytes."
UNREADABLE = "Invalid request: the HTTP request could not be parsed."


class StripeErrorsProtocol(HttpToolsProtocol):
    url_too_long = False

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.url_too_long = False
        # How a request's handler drops its connection without answering (a fault rule's
        # drop_after_commit): at once, with nothing written.
        self.scope["extensions"] = {ABORT: self.transport.abort}

    def on_url(self, url: bytes) -> None:
        if self.url_too_long or len(self.url) + len(url) > MAX_URL_BYTES:
            self.url_too_long = True
            return
        super().on_url(url)

    def on_headers_complete(self) -> None:
        if self.url_too_long:
            # Caught by data_received, which answers with send_400_response.
            raise httptools.HttpParserInvalidURLError(URL_TOO_LONG)
        super().on_headers_complete()

    def send_400_response(self, msg: str) -> None:
        err = ApiError(URL_TOO_LONG, status=414) if self.url_too_long else ApiError(UNREADABLE)
        rid = request_id()
        body = orjson.dumps(error_body(err))
        fields = response_headers(err.status, rid, DEFAULT_VERSION) | {
            "content-type": "application/json",
            "content-length": str(len(body)),
            "connection": "close",
        }
        status = HTTPStatus(err.status)
        head = [f"HTTP/1.1 {status.value} {status.phrase}\r\n".encode()]
        head += [k + b": " + v + b"\r\n" for k, v in self.server_state.default_headers]
        head += [f"{k}: {v}\r\n".encode() for k, v in fields.items()]
        self.transport.write(b"".join(head) + b"\r\n" + body)
        self.transport.close()
