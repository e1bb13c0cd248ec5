"""A small checkout: a shop's server (stripe-python on the standard library's HTTP server) and
its page, which pays through the Payment Element, and /save, which saves a card for later
payments (a SetupIntent, confirmSetup). It is written for Stripe; pointed at payintents, it
runs end to end with no network:

    payintents serve &
    STRIPE_API_BASE=http://127.0.0.1:12111 STRIPE_JS=http://127.0.0.1:12111/v3/ \\
        python examples/checkout/server.py    # then open http://127.0.0.1:4242

Environment: STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY (default: a test key pair payintents
accepts), STRIPE_API_BASE (default https://api.stripe.com), STRIPE_JS (default
https://js.stripe.com/v3/), PORT (default 4242).
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import stripe

HERE = Path(__file__).resolve().parent
PRICE = {"amount": 1999, "currency": "usd"}


@dataclass(frozen=True)
class Shop:
    client: stripe.StripeClient
    publishable_key: str
    stripe_js: str

    def page(self, name: str = "index.html") -> bytes:
        text = (HERE / name).read_text()
        text = text.replace("{{PUBLISHABLE_KEY}}", html.escape(self.publishable_key))
        return text.replace("{{STRIPE_JS}}", html.escape(self.stripe_js)).encode()

    def create_intent(self) -> dict[str, str]:
        intent = self.client.v1.payment_intents.create(
            params={**PRICE, "automatic_payment_methods": {"enabled": True}}
        )
        return {"clientSecret": intent.client_secret}

    def create_setup_intent(self) -> dict[str, str]:
        """A new customer, and the SetupIntent that saves their card for off-session payments."""
        customer = self.client.v1.customers.create()
        intent = self.client.v1.setup_intents.create(
            params={"customer": customer.id, "automatic_payment_methods": {"enabled": True}}
        )
        return {"clientSecret": intent.client_secret}

    def saved(self, query: dict[str, list[str]]) -> bytes:
        """The setup's return_url: read the SetupIntent, as for a payment."""
        intent = self.client.v1.setup_intents.retrieve(query.get("setup_intent", [""])[0])
        messages = {
            "succeeded": "Your card is saved",
            "processing": "Saving your card is processing",
            "requires_payment_method": "Saving failed, please try another payment method",
        }
        return self.status_page(
            messages.get(intent.status, f"Setup status: {intent.status}"), intent.status
        )

    def complete(self, query: dict[str, list[str]]) -> bytes:
        """The return_url: the server reads the intent itself rather than trusting the URL."""
        intent = self.client.v1.payment_intents.retrieve(query.get("payment_intent", [""])[0])
        messages = {
            "succeeded": "Payment succeeded",
            "processing": "Your payment is processing",
            "requires_payment_method": "Payment failed, please try another payment method",
        }
        return self.status_page(
            messages.get(intent.status, f"Payment status: {intent.status}"), intent.status
        )

    def status_page(self, message: str, status: str) -> bytes:
        text = (HERE / "complete.html").read_text()
        text = text.replace("{{MESSAGE}}", html.escape(message))
        return text.replace("{{STATUS}}", html.escape(status)).encode()


def handler(shop: Shop) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/":
                self.send(200, shop.page(), "text/html; charset=utf-8")
            elif url.path == "/save":
                self.send(200, shop.page("save.html"), "text/html; charset=utf-8")
            elif url.path in ("/checkout.js", "/save.js"):
                self.send(200, (HERE / url.path[1:]).read_bytes(), "text/javascript")
            elif url.path == "/complete":
                self.send(200, shop.complete(parse_qs(url.query)), "text/html; charset=utf-8")
            elif url.path == "/saved":
                self.send(200, shop.saved(parse_qs(url.query)), "text/html; charset=utf-8")
            else:
                self.send(404, b"not found", "text/plain")

        def do_POST(self) -> None:
            create = {
                "/create-payment-intent": shop.create_intent,
                "/create-setup-intent": shop.create_setup_intent,
            }.get(urlsplit(self.path).path)
            if create is None:
                self.send(404, b"not found", "text/plain")
                return
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send(200, json.dumps(create()).encode(), "application/json")

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def make_server(
    port: int, secret_key: str, publishable_key: str, api_base: str, stripe_js: str
) -> ThreadingHTTPServer:
    client = stripe.StripeClient(secret_key, base_addresses={"api": api_base})
    return ThreadingHTTPServer(
        ("127.0.0.1", port), handler(Shop(client, publishable_key, stripe_js))
    )


def main() -> None:
    server = make_server(
        int(os.environ.get("PORT", "4242")),
        os.environ.get("STRIPE_SECRET_KEY", "sk_test_checkout_example"),
        os.environ.get("STRIPE_PUBLISHABLE_KEY", "pk_test_checkout_example"),
        os.environ.get("STRIPE_API_BASE", "https://api.stripe.com"),
        os.environ.get("STRIPE_JS", "https://js.stripe.com/v3/"),
    )
    print(f"checkout: http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
