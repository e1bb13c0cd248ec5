"""The 3-D Secure challenge page a `next_action` URL leads to.

A person (or a browser test) completes or fails the challenge; the intent
moves on as Stripe's would and the browser returns to `return_url` with
`payment_intent`, `payment_intent_client_secret` and `redirect_status` (for a SetupIntent's
challenge, `setup_intent` and `setup_intent_client_secret`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from payintents.domain import money
from payintents.errors import ApiError
from payintents.runtime import Runtime
from payintents.services import authentication
from payintents.web.pages import clock_note, page, page_ctx

PATH = "/3d_secure_2/hosted"
INVALID_LINK = "The challenge link is not valid."


def with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def _what_is_authenticated(intent: dict[str, Any]) -> dict[str, str]:
    """A payment shows its amount; a setup moves none, it saves the card (as Stripe's page
    says)."""
    if intent["object"] == "setup_intent":
        return {
            "amount_label": "Purpose",
            "amount": "Saving this card for future payments",
            "intent_label": "Setup",
        }
    amount = money.format_amount(intent["amount"], intent["currency"])
    return {
        "amount_label": "Amount",
        "amount": f"{amount} {intent['currency'].upper()}",
        "intent_label": "Payment",
    }


def routes(runtime: Runtime) -> list[Route]:
    async def show(request: Request) -> Response:
        q = request.query_params
        try:
            ctx, ahead = await run_in_threadpool(page_ctx, runtime, request, q, INVALID_LINK)
            found = await run_in_threadpool(
                authentication.pending_challenge,
                ctx,
                q.get("payment_intent", ""),
                q.get("payment_intent_client_secret", ""),
                q.get("source", ""),
            )
        except ApiError as err:
            return page(
                "message.html", 400, title="Authentication unavailable", message=err.message
            )
        intent = found["intent"]
        card = found["payment_method"].get("card")
        return page(
            "three_d_secure.html",
            raw={"clock": clock_note(ctx, ahead)},
            **_what_is_authenticated(intent),
            card=f"•••• {card['last4']}" if card else intent.get("payment_method") or "",
            intent_id=intent["id"],
            action=PATH,
            merchant=q.get("merchant", ""),
            livemode=q.get("livemode", ""),
            client_secret=intent["client_secret"],
            publishable_key=q.get("publishable_key", ""),
            source=q.get("source", ""),
            stripe_js=q.get("stripe_js", ""),
            layout="modal" if q.get("stripe_js") == "1" else "",
        )

    async def answer(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        fields = {k: form.get(k, "") for k in (
            "payment_intent", "payment_intent_client_secret", "publishable_key", "merchant",
            "livemode", "source", "outcome", "stripe_js",
        )}  # fmt: skip
        try:
            ctx, _ = await run_in_threadpool(page_ctx, runtime, request, fields, INVALID_LINK)
            intent, return_url = await run_in_threadpool(
                authentication.complete,
                ctx,
                fields["payment_intent"],
                fields["payment_intent_client_secret"],
                fields["source"],
                fields["outcome"] == "complete",
            )
        except ApiError as err:
            return page(
                "message.html", 400, title="Authentication unavailable", message=err.message
            )
        status = authentication.redirect_status(intent)
        if fields["stripe_js"] == "1":
            # In Stripe.js's modal: tell the page, which settles its promise and closes it.
            return page("three_d_secure_done.html", outcome=status)
        if return_url:
            # Stripe names the intent by its kind: payment_intent or setup_intent.
            kind = intent["object"]
            target = with_query(
                return_url,
                {
                    kind: intent["id"],
                    f"{kind}_client_secret": intent["client_secret"],
                    "redirect_status": status,
                },
            )
            return RedirectResponse(target, status_code=303)
        title = "Authentication complete" if status == "succeeded" else "Authentication failed"
        return page(
            "message.html",
            title=title,
            message="You can close this window and return to the merchant.",
        )

    return [Route(PATH, show, methods=["GET"]), Route(PATH, answer, methods=["POST"])]
