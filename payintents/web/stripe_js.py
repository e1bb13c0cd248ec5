"""The Stripe.js payintents serves at /v3/: its own JavaScript (payintents/web/stripejs/), so a
checkout's browser side runs against this server as it would against js.stripe.com.

GET /v3/ (and /v3) answers the library: the modules below wrapped in one function, with the
server's public base URL rendered in, so the script talks to the server that served it. The
Elements' iframes are pages under /v3/ too, on this server's origin (as Stripe's are on
js.stripe.com): card details typed there go from the frame to the API, never through the page.
"""

from __future__ import annotations

from importlib import resources

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from payintents.runtime import Runtime

# The library, in the order the modules need one another.
LIBRARY = ("api.js", "core.js", "elements.js", "modal.js", "confirm.js", "setup.js")
# What the Elements' frames load, by name under /v3/.
FRAME_FILES = {
    "card_frame.html": "text/html; charset=utf-8",
    "payment_frame.html": "text/html; charset=utf-8",
    "challenge_frame.html": "text/html; charset=utf-8",
    "frame.css": "text/css; charset=utf-8",
    "api.js": "text/javascript; charset=utf-8",
    "validation.js": "text/javascript; charset=utf-8",
    "frame.js": "text/javascript; charset=utf-8",
    "card_frame.js": "text/javascript; charset=utf-8",
    "payment_frame.js": "text/javascript; charset=utf-8",
}
# Scripts and frames change only with the server's version; browsers may keep them briefly.
HEADERS = {"cache-control": "max-age=60", "access-control-allow-origin": "*"}


def _read(name: str) -> str:
    return (resources.files("payintents.web") / "stripejs" / name).read_text()


def library(base_url: str, body: str) -> str:
    return (
        "/* Stripe.js served by payintents: its own code, talking to the server below. */\n"
        "(function () {\n'use strict';\n"
        f"var BASE_URL = {orjson.dumps(base_url).decode()};\n{body}\n}})();\n"
    )


def routes(runtime: Runtime) -> list[Route]:
    files = {name: _read(name).encode() for name in FRAME_FILES}
    body = "\n".join(_read(name) for name in LIBRARY)
    public_url = runtime.config.public_url

    async def script(request: Request) -> Response:
        base = public_url or str(request.base_url).rstrip("/")
        return Response(library(base, body), media_type="application/javascript", headers=HEADERS)

    async def frame_file(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in files:
            return Response("Not Found", status_code=404, media_type="text/plain")
        return Response(files[name], media_type=FRAME_FILES[name], headers=HEADERS)

    return [
        Route("/v3", script, methods=["GET"]),
        Route("/v3/", script, methods=["GET"]),
        Route("/v3/{name}", frame_file, methods=["GET"]),
    ]
