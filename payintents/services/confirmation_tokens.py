"""ConfirmationToken use cases: create (Stripe.js, or the test helper), retrieve, and redeem,
which turns a token into the parameters of the confirm that uses it.

A token made from payment_method_data keeps the details tokenized (in its private part); the
PaymentMethod is made from them when an intent is confirmed with the token, as on Stripe. A
token naming a saved PaymentMethod keeps its id; one naming a test token (`pm_card_visa`)
is tokenized like raw details, so each use makes a fresh method as the test token would.
"""

from __future__ import annotations

from typing import Any

from payintents.domain import confirmation_token as domain
from payintents.domain.ids import new_id
from payintents.domain.payment_method import billing_details
from payintents.domain.values import merge_metadata
from payintents.errors import ApiError, resource_missing
from payintents.processor import Tokenized
from payintents.services import payment_methods
from payintents.services.common import load
from payintents.services.context import Ctx
from payintents.store.base import Tx

ONLINE = "mandate_data[customer_acceptance][online]"


def _missing(param: str) -> ApiError:
    return ApiError(f"Missing required param: {param}.", code="parameter_missing", param=param)


def create(ctx: Ctx, params: dict[str, Any]) -> domain.ConfirmationToken:
    """POST /v1/confirmation_tokens, as Stripe.js calls it (publishable keys only)."""
    return _create(ctx, params)


def create_for_tests(ctx: Ctx, params: dict[str, Any]) -> domain.ConfirmationToken:
    """POST /v1/test_helpers/confirmation_tokens: a token made by a server, in test mode."""
    if ctx.livemode:
        raise ApiError("Test helpers can only be used with test mode API keys.")
    data = params.get("payment_method_data")
    if data and data["type"] == "card":
        raise ApiError(
            "The test helper takes no card details in payment_method_data: pass a test "
            "PaymentMethod such as pm_card_visa, or a saved one, as payment_method.",
            param="payment_method_data[type]",
        )
    return _create(ctx, params)


def _create(ctx: Ctx, params: dict[str, Any]) -> domain.ConfirmationToken:
    if "payment_method" in params and "payment_method_data" in params:
        raise ApiError(
            "You may only specify one of these parameters: payment_method, payment_method_data.",
            code="parameters_exclusive",
            param="payment_method",
        )
    mandate = _mandate(ctx, params.get("mandate_data"))
    data = params.get("payment_method_data")
    # Refused details (a wrong number, an expired card) are refused now, as Stripe.js shows.
    tokenized = payment_methods.tokenize_data(ctx, data) if data else None
    private: dict[str, Any] = {}
    with ctx.store.write() as tx:
        if tokenized is None and "payment_method" in params:
            tokenized, preview = _saved(tx, ctx, params["payment_method"], private)
        else:
            preview = None
        if tokenized is not None:
            method = {
                "allow_redisplay": (data or {}).get("allow_redisplay", "unspecified"),
                "billing_details": billing_details((data or {}).get("billing_details")),
                "metadata": merge_metadata({}, (data or {}).get("metadata") or {}),
            }
            private["payment_method_data"] = {
                "type": tokenized.type,
                "details": tokenized.details,
                "processor_ref": tokenized.processor_ref,
                **method,
            }
            preview = domain.preview(
                tokenized.type,
                tokenized.details,
                billing=method["billing_details"],
                allow_redisplay=method["allow_redisplay"],
                customer=None,
            )
        if "client_context" in params:
            private["client_context"] = params["client_context"]
        token = domain.new_confirmation_token(
            params,
            token_id=new_id("ctoken"),
            payment_method_preview=preview,
            mandate=mandate,
            now=ctx.now,
            livemode=ctx.livemode,
        )
        tx.insert("confirmation_token", ctx.scope, token, private)
    return token


def _saved(
    tx: Tx, ctx: Ctx, pm_id: str, private: dict[str, Any]
) -> tuple[Tokenized | None, dict[str, Any] | None]:
    """`payment_method`: a test token to tokenize, or a saved method whose id the token keeps
    (whether it may pay an intent is checked when it does)."""
    if not ctx.livemode:
        tokenized = ctx.runtime.processor.test_token(pm_id, account=ctx.account)
        if tokenized is not None:
            return tokenized, None
    record = tx.get("payment_method", ctx.scope, pm_id)
    if record is None:
        raise resource_missing("payment_method", pm_id, "payment_method")
    pm = record.data
    private["payment_method"] = pm["id"]
    preview = domain.preview(
        pm["type"],
        pm[pm["type"]],
        billing=pm["billing_details"],
        allow_redisplay=pm["allow_redisplay"],
        customer=pm["customer"],
    )
    return None, preview


def _mandate(ctx: Ctx, given: dict[str, Any] | None) -> dict[str, Any] | None:
    """mandate_data with an online acceptance's address and user agent, inferred from the
    request where Stripe.js asks for that."""
    if not given:
        return None
    acceptance = given["customer_acceptance"]
    if acceptance["type"] == "offline":
        return {"customer_acceptance": {"type": "offline"}}
    online = acceptance.get("online")
    if online is None:
        raise _missing(ONLINE)
    if online.get("infer_from_client"):
        online = {
            "ip_address": online.get("ip_address", ctx.client_ip),
            "user_agent": online.get("user_agent", ctx.user_agent),
        }
    for name in ("ip_address", "user_agent"):
        if name not in online:
            raise _missing(f"{ONLINE}[{name}]")
    return {
        "customer_acceptance": {
            "type": "online",
            "online": {"ip_address": online["ip_address"], "user_agent": online["user_agent"]},
        }
    }


def retrieve(ctx: Ctx, token_id: str) -> domain.ConfirmationToken:
    with ctx.store.read() as tx:
        return load(tx, ctx, "confirmation_token", token_id, param="confirmation_token").data


def redeem(tx: Tx, ctx: Ctx, intent: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """The confirm's parameters with `confirmation_token`'s contents merged in, the token
    marked as used by `intent` (a PaymentIntent or a SetupIntent: its `object` names the
    field the token records it in). Runs in the confirm's transaction, after the intent is
    locked: the token is locked too, so it confirms one intent whatever the concurrency, and
    a confirm refused later leaves it unused.

    Values the request gives take precedence over the token's (Stripe's rule): with its own
    payment_method or payment_method_data the token's method is not used. Otherwise a method
    made from the token's details is created now and named as `payment_method`."""
    token_id = params["confirmation_token"]
    record = tx.get_for_update("confirmation_token", ctx.scope, token_id)
    if record is None:
        raise resource_missing("confirmation_token", token_id, "confirmation_token")
    token = record.data
    domain.check_usable(token, intent, ctx.now)
    merged = domain.merged(domain.confirm_params(token, intent["object"]), params)
    domain.check_client_context(record.private.get("client_context"), intent, merged)
    if "payment_method" not in params and "payment_method_data" not in params:
        source = record.private
        if "payment_method_data" in source:
            kept = source["payment_method_data"]
            tokenized = Tokenized(
                type=kept["type"], details=kept["details"], processor_ref=kept["processor_ref"]
            )
            merged["payment_method"] = payment_methods.store_new(tx, ctx, tokenized, kept)["id"]
        elif "payment_method" in source:
            merged["payment_method"] = source["payment_method"]
    tx.update("confirmation_token", ctx.scope, domain.used(token, intent), record.private)
    return merged
