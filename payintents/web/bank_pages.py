"""The hosted pages bank payments' `next_action` URLs lead to: microdeposit verification
(`verify_with_microdeposits.hosted_verification_url`) and bank transfer instructions
(`display_bank_transfer_instructions.hosted_instructions_url`).

Like Stripe's, the links work without an API key: they carry the intent's client secret and
name the account (web.pages.page_ctx). A SetupIntent's bank account (`seti_` ids) is verified
on the same page: no amount moves, the account is saved for later debits.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from payintents.domain import money
from payintents.domain.constant_time import equal
from payintents.domain.payment_intent import PaymentIntent
from payintents.errors import ApiError
from payintents.runtime import Runtime
from payintents.services import microdeposits, setup_intents, setup_microdeposits
from payintents.services import payment_intents as intents
from payintents.services.context import Ctx
from payintents.services.hosted_pages import BANK_TRANSFER, MICRODEPOSITS
from payintents.web.pages import clock_note, page, page_ctx

INVALID_LINK = "This link is not valid."


def _message(title: str, message: str, status: int = 200) -> HTMLResponse:
    return page("message.html", status, title=title, message=message)


SETUP_PREFIX = "seti_"


def _intent(ctx: Ctx, intent_id: str, client_secret: str) -> PaymentIntent:
    setup = intent_id.startswith(SETUP_PREFIX)
    intent = (setup_intents.retrieve if setup else intents.retrieve)(ctx, intent_id)
    if not client_secret or not equal(client_secret, intent["client_secret"]):
        raise ApiError("This link is not valid.")
    return intent


def _noun(intent: PaymentIntent) -> str:
    return "setup" if intent["object"] == "setup_intent" else "payment"


def _amount(amount: int, currency: str) -> str:
    return f"{money.format_amount(amount, currency)} {currency.upper()}"


def _purpose(intent: PaymentIntent) -> str:
    """What the verification is for, as HTML: a payment's amount, or saving the account."""
    if intent["object"] == "setup_intent":
        return ", to save it for future payments."
    amount = escape(_amount(intent["amount"], intent["currency"]))
    return f', for a payment of <span id="amount">{amount}</span>.'


def _last4(ctx: Ctx, intent: PaymentIntent) -> str:
    with ctx.store.read() as tx:
        record = tx.get("payment_method", ctx.scope, intent.get("payment_method") or "")
    return (record.data.get("us_bank_account") or {}).get("last4", "") if record else ""


_DESCRIPTOR_FIELD = (
    '<label for="descriptor_code">Descriptor code (6 characters, starting with SM)</label>'
    '<input id="descriptor_code" name="descriptor_code" maxlength="6" required>'
)
_AMOUNT_FIELDS = "".join(
    f'<label for="amount_{i}">Deposit {i} (in cents)</label>'
    f'<input id="amount_{i}" name="amount_{i}" inputmode="numeric" required>'
    for i in (1, 2)
)


def routes(runtime: Runtime) -> list[Route]:
    async def load(request: Request) -> tuple[Ctx, int, PaymentIntent]:
        q = request.query_params
        ctx, ahead = await run_in_threadpool(page_ctx, runtime, request, q, INVALID_LINK)
        intent = await run_in_threadpool(
            _intent, ctx, request.path_params["intent"], q.get("client_secret", "")
        )
        return ctx, ahead, intent

    async def microdeposit_form(request: Request) -> Response:
        q = request.query_params
        try:
            ctx, ahead, intent = await load(request)
        except ApiError as err:
            return _message("Verification unavailable", err.message, 400)
        action = intent.get("next_action") or {}
        if action.get("type") != "verify_with_microdeposits":
            return _message(
                "Nothing to verify",
                f"This {_noun(intent)} does not wait for microdeposits (its status is "
                f"{intent['status']}).",
            )
        kind = action["verify_with_microdeposits"]["microdeposit_type"]
        instructions = (
            "Enter the 6-character code on the 0.01 USD deposit sent to your bank account."
            if kind == "descriptor_code"
            else "Enter the amounts of the two small deposits sent to your bank account."
        )
        return page(
            "microdeposits.html",
            raw={
                "fields": _DESCRIPTOR_FIELD if kind == "descriptor_code" else _AMOUNT_FIELDS,
                "clock": clock_note(ctx, ahead),
                "purpose": _purpose(intent),
            },
            instructions=instructions,
            last4=await run_in_threadpool(_last4, ctx, intent),
            action=request.url.path,
            client_secret=intent["client_secret"],
            publishable_key=q.get("publishable_key", ""),
            merchant=q.get("merchant", ""),
            livemode=q.get("livemode", ""),
        )

    async def microdeposit_submit(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        params: dict[str, Any] = {"client_secret": form.get("client_secret", "")}
        try:
            if "descriptor_code" in form:
                params["descriptor_code"] = form["descriptor_code"].strip()
            else:
                try:
                    params["amounts"] = [int(form.get(f"amount_{i}", "")) for i in (1, 2)]
                except ValueError:
                    raise ApiError("Enter each deposit as a whole number of cents.") from None
            ctx, _ = await run_in_threadpool(page_ctx, runtime, request, form, INVALID_LINK)
            intent_id = request.path_params["intent"]
            setup = intent_id.startswith(SETUP_PREFIX)
            verify = setup_microdeposits.verify if setup else microdeposits.verify
            intent = await run_in_threadpool(verify, ctx, intent_id, params)
        except ApiError as err:
            return _message("Verification failed", err.message, 400)
        if intent["object"] == "setup_intent" and intent["status"] == "succeeded":
            return _message(
                "Bank account verified",
                "Thank you. The bank account is saved for future payments.",
            )
        return _message(
            "Bank account verified",
            f"Thank you. The {_noun(intent)} is {intent['status'].replace('_', ' ')}.",
        )

    async def bank_transfer(request: Request) -> Response:
        try:
            ctx, ahead, intent = await load(request)
        except ApiError as err:
            return _message("Instructions unavailable", err.message, 400)
        action = intent.get("next_action") or {}
        if action.get("type") != "display_bank_transfer_instructions":
            return _message(
                "Nothing to pay",
                f"This payment does not wait for a bank transfer (its status is "
                f"{intent['status']}).",
            )
        details = action["display_bank_transfer_instructions"]
        sections = []
        for address in details["financial_addresses"]:
            rows = "".join(
                f"<dt>{escape(k.replace('_', ' ').capitalize())}</dt>"
                f'<dd class="{escape(k)}">{escape(str(v))}</dd>'
                for k, v in address[address["type"]].items()
            )
            title = escape(address["type"].replace("_", " ").upper())
            sections.append(f"<h2>{title}</h2><dl>{rows}</dl>")
        return page(
            "bank_transfer.html",
            raw={"addresses": "".join(sections), "clock": clock_note(ctx, ahead)},
            amount=_amount(details["amount_remaining"], details["currency"]),
            intent_id=intent["id"],
            reference=details["reference"] or "none needed",
        )

    return [
        Route(MICRODEPOSITS, microdeposit_form, methods=["GET"]),
        Route(MICRODEPOSITS, microdeposit_submit, methods=["POST"]),
        Route(BANK_TRANSFER, bank_transfer, methods=["GET"]),
    ]
