"""A payment flow written as an application on an older stripe-python does it (module-level
API, booleans as Python's True/False), run by tests/e2e/test_old_sdks.py with that SDK's own
interpreter: create, confirm, capture, refund, a customer's saved card, and the webhooks,
each verified with that SDK's Webhook.construct_event. Prints what it saw as JSON.

Usage: python flow.py API_BASE SECRET_KEY
"""

import importlib.metadata
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import stripe

stripe.api_base = sys.argv[1]
stripe.api_key = sys.argv[2]
stripe.max_network_retries = 0

received = []
lock = threading.Lock()
secret = {}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0))).decode("utf-8")
        try:
            event = stripe.Webhook.construct_event(
                body, self.headers.get("Stripe-Signature", ""), secret["value"]
            )
            with lock:
                received.append(event["type"])
            self.send_response(200)
        except (ValueError, stripe.error.SignatureVerificationError) as exc:
            with lock:
                received.append("refused: " + type(exc).__name__)
            self.send_response(400)
        self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()

endpoint = stripe.WebhookEndpoint.create(
    url=f"http://127.0.0.1:{server.server_address[1]}/webhook",
    enabled_events=["payment_intent.succeeded", "charge.refunded", "charge.captured"],
)
secret["value"] = endpoint["secret"]

customer = stripe.Customer.create(email="old@example.com", preferred_locales=["en"])
pm = stripe.PaymentMethod.attach("pm_card_visa", customer=customer["id"])
listed = stripe.PaymentMethod.list(customer=customer["id"], type="card")

intent = stripe.PaymentIntent.create(
    amount=2000,
    currency="usd",
    customer=customer["id"],
    payment_method_types=["card"],
    capture_method="manual",
    confirm=False,
    off_session=False,
)
confirmed = stripe.PaymentIntent.confirm(intent["id"], payment_method=pm["id"])
captured = stripe.PaymentIntent.capture(intent["id"], amount_to_capture=1500)
refund = stripe.Refund.create(payment_intent=intent["id"], amount=500)

declined = None
try:
    stripe.PaymentIntent.create(
        amount=1000,
        currency="usd",
        payment_method="pm_card_chargeDeclined",
        payment_method_types=["card"],
        confirm=True,
    )
except stripe.error.CardError as err:
    declined = {"code": err.code, "status": err.http_status, "message": err.user_message}

expected = {"payment_intent.succeeded", "charge.captured", "charge.refunded"}
deadline = time.time() + 60
while time.time() < deadline:
    with lock:
        if expected <= set(received):
            break
    time.sleep(0.2)
# Deliveries of one batch arrive together: what is still on its way comes within this.
time.sleep(2)

print(
    json.dumps(
        {
            "version": importlib.metadata.version("stripe"),
            "created": intent["status"],
            "confirmed": confirmed["status"],
            "captured": [captured["status"], captured["amount_received"]],
            "refund": [refund["status"], refund["amount"]],
            "listed": [p["id"] for p in listed["data"]],
            "pm": pm["id"],
            "locales": customer["preferred_locales"],
            "declined": declined,
            "webhooks": sorted(received),
        }
    )
)
