"""Increment the authorization of a PaymentIntent awaiting capture."""

from __future__ import annotations

from typing import Any

from payintents.domain.changes import previous_attributes
from payintents.domain.payment_intent import PaymentIntent
from payintents.domain.values import merge_metadata
from payintents.errors import ApiError, unexpected_state
from payintents.services.common import check_intent_id, emit, load_for_update
from payintents.services.context import Ctx
from payintents.services.payment_intents import check_amount

MAX_INCREMENTS = 10


def increment_authorization(ctx: Ctx, intent_id: str, params: dict[str, Any]) -> PaymentIntent:
    check_intent_id(intent_id)
    error: ApiError | None = None
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "payment_intent", intent_id, param="intent")
        intent = record.data
        if intent["status"] != "requires_capture":
            raise unexpected_state(
                "This PaymentIntent's authorization could not be incremented because it has a "
                f"status of {intent['status']}. Only a PaymentIntent with one of the following "
                "statuses may be incremented: requires_capture.",
                payment_intent=intent,
            )
        charge_record = tx.get_for_update("charge", ctx.scope, intent["latest_charge"])
        assert charge_record is not None
        charge = charge_record.data
        card = charge["payment_method_details"].get("card") or {}
        if (card.get("incremental_authorization") or {}).get("status") != "available":
            raise ApiError(
                "This PaymentIntent is not eligible for incremental authorization. Set "
                "payment_method_options[card][request_incremental_authorization] to "
                "if_available when confirming it, with a card that supports it.",
            )
        amount = params["amount"]
        if amount <= intent["amount"]:
            raise ApiError(
                f"The amount ({amount}) must be greater than the PaymentIntent's current "
                f"amount ({intent['amount']}).",
                param="amount",
            )
        # The new total is a PaymentIntent amount: the same ceiling as create and update.
        check_amount(amount, intent["currency"])
        attempts = record.private.get("increments", 0)
        if attempts >= MAX_INCREMENTS:
            raise ApiError(
                f"This PaymentIntent has reached the maximum of {MAX_INCREMENTS} incremental "
                "authorization attempts.",
            )
        private = {**record.private, "increments": attempts + 1}
        result = ctx.runtime.processor.increment_authorization(
            processor_ref=charge_record.private["processor_ref"],
            current_amount=intent["amount"],
            new_amount=amount,
        )
        if result.outcome == "approved":
            intent = {**intent, "amount": amount, "amount_capturable": amount}
            for name in ("application_fee_amount", "description"):
                if name in params:
                    intent[name] = params[name]
            if "metadata" in params:
                intent["metadata"] = merge_metadata(intent["metadata"], params["metadata"])
            details = dict(charge["payment_method_details"])
            details["card"] = {**card, "amount_authorized": amount}
            charge = {**charge, "amount": amount, "payment_method_details": details}
            tx.update("charge", ctx.scope, charge, charge_record.private)
            previous = previous_attributes(charge_record.data, charge)
            emit(tx, ctx, "charge.updated", charge, previous)
            emit(tx, ctx, "payment_intent.amount_capturable_updated", intent)
        else:
            decline = result.decline
            assert decline is not None
            body: dict[str, Any] = {"charge": charge["id"]}
            if decline.decline_code:
                body["decline_code"] = decline.decline_code
            error = ApiError(
                decline.message,
                status=402,
                type="card_error",
                code=decline.code,
                payment_intent=intent,
                **body,
            )
        tx.update("payment_intent", ctx.scope, intent, private)
    if error is not None:
        raise error
    return intent
