"""The API's routes as a plain ASGI application in front of Starlette.

Starlette's middleware stack and router cost more per request than most handlers; API calls
are matched here (method, then the path templates in declaration order, as Starlette does)
and go straight to their handler. Everything else — hosted pages, /openapi.json, lifespan,
and the 404/405 answers for paths no route takes — is left to the Starlette application.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
Asgi = Callable[[Scope, Receive, Send], Awaitable[None]]
# A route's handler: the ASGI triple and the path's parameters.
Serve = Callable[[Scope, Receive, Send, dict[str, str]], Awaitable[None]]

_PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)}")


def compile_path(path: str) -> re.Pattern[str]:
    """`/v1/x/{id}` -> a pattern with one named group per segment parameter (no slashes in a
    value, like Starlette's default `str` convertor)."""
    parts, last = [], 0
    for match in _PARAM.finditer(path):
        parts.append(re.escape(path[last : match.start()]))
        parts.append(f"(?P<{match.group(1)}>[^/]+)")
        last = match.end()
    parts.append(re.escape(path[last:]))
    return re.compile("".join(parts) + r"\Z")


class ApiRouter:
    def __init__(self, routes: list[tuple[str, str, Serve]], fallback: Asgi) -> None:
        self.fallback = fallback
        self._exact: dict[tuple[str, str], Serve] = {}
        self._templated: dict[str, list[tuple[re.Pattern[str], Serve]]] = {}
        for method, path, serve in routes:
            if "{" not in path:
                self._exact.setdefault((method, path), serve)
            else:
                self._templated.setdefault(method, []).append((compile_path(path), serve))

    def match(self, method: str, path: str) -> tuple[Serve, dict[str, str]] | None:
        if method == "HEAD":
            method = "GET"  # as Starlette's routes do; the server leaves out the body
        # Templated routes never shadow exact ones: no template's segment is a literal one
        # declared before it (`/v1/payment_intents/search` precedes `/{intent}`).
        serve = self._exact.get((method, path))
        if serve is not None:
            return serve, {}
        for pattern, serve in self._templated.get(method, ()):
            found = pattern.match(path)
            if found:
                return serve, found.groupdict()
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            found = self.match(scope["method"], scope["path"])
            if found is not None:
                serve, path_params = found
                await serve(scope, receive, send, path_params)
                return
        await self.fallback(scope, receive, send)
