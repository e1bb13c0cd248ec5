"""Mandates: the customer's authorization a bank debit (us_bank_account, sepa_debit) is made under.

Stripe requires one on every confirm of such a debit: `mandate_data` (acceptance collected
now: a new mandate), `mandate` (the id of one granted before), or a multi-use mandate the
PaymentMethod holds from an earlier payment set up for future use. Without one Stripe
answers its "requires a mandate" error and the payment does not start. With
setup_future_usage, SEPA Debit needs fresh `mandate_data` every time.

Mandates are kept in the PaymentMethod's private data (payintents has no /v1/mandates
resource); their ids appear on the charge, in payment_method_details.<type>.mandate.
"""

from __future__ import annotations

from typing import Any

from payintents.domain.ids import new_id
from payintents.domain.payment_intent import PaymentIntent
from payintents.domain.values import UNSET
from payintents.errors import ApiError, resource_missing
from payintents.services.context import Ctx
from payintents.store.base import Record, Tx

NEEDS_MANDATE = ("us_bank_account", "sepa_debit")

MANDATE_REQUIRED = (
    "This PaymentIntent requires a mandate, but no existing mandate was found. Collect mandate "
    "acceptance from the customer and try again, providing acceptance data in the mandate_data "
    "parameter."
)


def future_usage(intent: PaymentIntent, pm_type: str) -> str | None:
    """setup_future_usage for this method: its per-type option wins over the intent's."""
    option = ((intent.get("payment_method_options") or {}).get(pm_type) or {}).get(
        "setup_future_usage"
    )
    if option in ("off_session", "on_session"):
        return option
    if option == "none":
        return None
    return intent.get("setup_future_usage")


def _missing(param: str) -> ApiError:
    return ApiError(f"Missing required param: {param}.", code="parameter_missing", param=param)


def _acceptance(ctx: Ctx, mandate_data: dict[str, Any]) -> dict[str, Any]:
    given = mandate_data["customer_acceptance"]
    online_param = "mandate_data[customer_acceptance][online]"
    if given["type"] == "online" and "online" not in given:
        raise _missing(online_param)
    acceptance: dict[str, Any] = {
        "accepted_at": given.get("accepted_at"),
        "type": given["type"],
    }
    if given["type"] == "online":
        online = dict(given["online"])
        if "infer_from_client" in online and ctx.key_kind != "publishable":
            # Only Stripe.js (a publishable key) may ask; a server knows its customer's address.
            name = f"{online_param}[infer_from_client]"
            raise ApiError(
                f"Received unknown parameter: {name}", code="parameter_unknown", param=name
            )
        if online.pop("infer_from_client", False):
            online.setdefault("ip_address", ctx.client_ip)
            online.setdefault("user_agent", ctx.user_agent)
        for name in ("ip_address", "user_agent"):
            if not online.get(name):
                raise _missing(f"{online_param}[{name}]")
        acceptance["online"] = online
    else:
        acceptance["offline"] = {}
    return acceptance


def resolve(
    tx: Tx,
    ctx: Ctx,
    stored: PaymentIntent,
    intent: PaymentIntent,
    pm_record: Record,
    params: dict[str, Any],
) -> str | None:
    """The mandate this confirm debits under (recording a new one), or Stripe's error.

    `stored` is the intent as it was before this confirm (what the error shows); `intent`
    carries the confirm's parameters.
    """
    pm = pm_record.data
    if pm["type"] not in NEEDS_MANDATE:
        return None
    mandate_data = params.get("mandate_data")
    if mandate_data is UNSET:
        mandate_data = None
    mandate_id = params.get("mandate")
    usage = future_usage(intent, pm["type"])
    mandates: dict[str, Any] = dict(pm_record.private.get("mandates") or {})
    if mandate_data:
        new = new_id("mandate")
        mandates[new] = {
            "created": ctx.now,
            "customer_acceptance": _acceptance(ctx, mandate_data),
            "type": "multi_use" if usage else "single_use",
            "used": True,
        }
        private = {**pm_record.private, "mandates": mandates}
        if usage:
            private["mandate"] = new
        tx.update("payment_method", ctx.scope, pm, private)
        pm_record.private = private
        return new
    if mandate_id:
        granted = mandates.get(mandate_id)
        if granted is None:
            raise resource_missing("mandate", mandate_id, "mandate")
        if granted["type"] == "single_use" and granted.get("used"):
            raise ApiError(
                f"The mandate {mandate_id} is single-use and has already been used. Collect "
                "mandate acceptance from the customer again and provide it in mandate_data.",
                param="mandate",
            )
        return mandate_id
    if pm["type"] == "sepa_debit" and usage:
        raise ApiError(
            "When confirming a PaymentIntent with a `sepa_debit` PaymentMethod and "
            f"`setup_future_usage` value of {usage}, `mandate_data` is required.",
            param="mandate_data",
            payment_intent=stored,
        )
    reusable = pm_record.private.get("mandate")
    if reusable:
        return reusable
    raise ApiError(MANDATE_REQUIRED, payment_intent=stored)


SETUP_MANDATE_REQUIRED = (
    "This SetupIntent requires a mandate, but no existing mandate was found. Collect mandate "
    "acceptance from the customer and try again, providing acceptance data in the mandate_data "
    "parameter."
)


def for_setup(
    tx: Tx,
    ctx: Ctx,
    intent: dict[str, Any],
    pm_record: Record,
    params: dict[str, Any],
    single_use: dict[str, Any] | None,
) -> str | None:
    """The mandate a SetupIntent of a bank debit collects (Stripe requires `mandate_data` on
    its confirm): kept as a Mandate object (what `expand[]=mandate` shows) and in the
    PaymentMethod's mandates, where later payments find it."""
    pm = pm_record.data
    if pm["type"] not in NEEDS_MANDATE:
        return None
    mandate_data = params.get("mandate_data")
    if not mandate_data or mandate_data is UNSET:
        raise ApiError(SETUP_MANDATE_REQUIRED, setup_intent=intent)
    acceptance = _acceptance(ctx, mandate_data)
    mandate_id = new_id("mandate")
    kind = "single_use" if single_use else "multi_use"
    details: dict[str, Any] = {"type": pm["type"]}
    if pm["type"] == "sepa_debit":
        reference = mandate_id.removeprefix("mandate_")[-16:].upper()
        details["sepa_debit"] = {
            "reference": reference,
            "url": f"{ctx.base_url}/v1/mandates/{mandate_id}",
        }
    else:
        details["us_bank_account"] = {}
    mandate: dict[str, Any] = {
        "id": mandate_id,
        "object": "mandate",
        "customer_acceptance": acceptance,
        "livemode": ctx.livemode,
        "payment_method": pm["id"],
        "payment_method_details": details,
        "status": "active",
        "type": kind,
    }
    if single_use:
        mandate["single_use"] = {"amount": single_use["amount"], "currency": single_use["currency"]}
    else:
        mandate["multi_use"] = {}
    # `created` keys the store's page index; the wire object has none (services/expansion.py).
    tx.insert("mandate", ctx.scope, {**mandate, "created": ctx.now}, {})
    mandates: dict[str, Any] = dict(pm_record.private.get("mandates") or {})
    mandates[mandate_id] = {
        "created": ctx.now,
        "customer_acceptance": acceptance,
        "type": kind,
        "used": False,
    }
    private = {**pm_record.private, "mandates": mandates}
    tx.update("payment_method", ctx.scope, pm, private)
    pm_record.private = private
    return mandate_id
