"""The ceiling: a bare ASGI app answering every request with a fixed JSON body,
served by the same uvicorn stack and flags as `payintents serve`."""

from __future__ import annotations

from typing import Any

BODY = b'{"object":"ceiling"}'
START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-type", b"application/json"), (b"content-length", b"20")],
}


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send(START)
    await send({"type": "http.response.body", "body": BODY})
