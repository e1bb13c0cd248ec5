"""What the browser tests share: Debian's Chromium driven by Playwright (one browser per test
process, a context per module), and a merchant's site serving the test pages of tests/pages/
on an origin of its own, as a shop's checkout is on another origin than Stripe.js."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PAGES = Path(__file__).resolve().parent / "pages"
SCREENSHOTS = Path("/tmp/payintents-screenshots")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One Chromium per test process: starting one costs more than most page tests."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (make test installs it): page tests skip")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def browser(chromium: Any) -> Iterator[Any]:
    """A browser context of the test module's own (its cookies and storage start empty)."""
    # Waits fail in seconds, not Playwright's 30: every step here takes well under one.
    context = chromium.new_context()
    context.set_default_timeout(10_000)
    yield context
    context.close()


def serve_pages(pages: dict[str, bytes]) -> tuple[ThreadingHTTPServer, str]:
    """A site answering GET of each path in `pages` (anything else: 404), on a free port:
    `.js` paths as JavaScript, the others as HTML."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            body = pages.get(path)
            kind = "text/javascript" if path.endswith(".js") else "text/html; charset=utf-8"
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", kind)
            self.end_headers()
            self.wfile.write(body or b"not found")

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


@pytest.fixture(scope="module")
def merchant(server: Any) -> Iterator[str]:
    """The test pages, each loading the server's Stripe.js with a script tag
    (`{{STRIPE_JS}}` in a page is the server's /v3/ URL), and `/return`, a return_url."""
    pages = {
        "/" + page.name: page.read_text().replace("{{STRIPE_JS}}", server.url + "/v3/").encode()
        for page in PAGES.glob("*.html")
    }
    pages["/return"] = b"<h1 id='shop'>Back at the shop</h1>"
    httpd, url = serve_pages(pages)
    yield url
    httpd.shutdown()


def screenshot(page: Any, name: str) -> None:
    """A picture of the page for a person to look at (not compared by any test)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def challenge(page: Any) -> Any:
    """The 3-D Secure challenge in Stripe.js's modal, where suites written against Stripe's
    test mode find it: an `__privateStripeFrame` frame holding `iframe#challengeFrame`."""
    modal = '[data-payintents="three-d-secure-modal"] iframe[name^="__privateStripeFrame"]'
    return page.frame_locator(modal).frame_locator("#challengeFrame")
