"""Verify the microdeposits of a us_bank_account SetupIntent waiting in requires_action, and time
it out after Stripe's 10 days (the scheduler's due work for SetupIntents).

The rules are PaymentIntents' (services/microdeposits.py): amounts or a descriptor code,
whichever kind was sent; 3 failed attempts for amounts, 10 for descriptor codes. A verified
account is set up at once: the setup succeeds and the method is saved.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from payintents.domain import setup_intent as domain
from payintents.domain.setup_intent import SetupIntent
from payintents.errors import ApiError
from payintents.services.common import check_client_secret, load_for_update
from payintents.services.context import Ctx
from payintents.services.microdeposits import (
    ATTEMPTS_EXCEEDED,
    TIMEOUT,
    TIMEOUT_MESSAGE,
    check_kind,
    check_params,
    not_verified,
)
from payintents.services.setup_attempts import (
    SetupTry,
    apply_setup_result,
    fail_pending,
    request_from_private,
)
from payintents.store.base import Record, Tx

_FAILING = (ATTEMPTS_EXCEEDED, "payment_method_microdeposit_failed")


def _verify_in(
    tx: Tx, ctx: Ctx, record: Record, amounts: list[int] | None, descriptor_code: str | None
) -> tuple[SetupIntent, ApiError | None]:
    intent = record.data
    kind = domain.check_can_verify(intent)
    check_kind(kind, amounts, "SetupIntent")
    saved = record.private["attempt"]
    pm_record = tx.get_for_update("payment_method", ctx.scope, saved["payment_method"])
    assert pm_record is not None, "a setup waiting for microdeposits has its payment method"
    processor = ctx.runtime.processor
    result = processor.verify_microdeposits(
        processor_ref=pm_record.private["processor_ref"],
        amounts=amounts,
        descriptor_code=descriptor_code,
    )
    if result.verified:
        assert result.processor_ref is not None
        # The verified account's reference: later debits need no microdeposits.
        pm_record.private = {**pm_record.private, "processor_ref": result.processor_ref}
        tx.update("payment_method", ctx.scope, pm_record.data, pm_record.private)
        request = replace(
            request_from_private(saved["request"], ctx.now), processor_ref=result.processor_ref
        )
        attempt = SetupTry(pm_record=pm_record, request=request, mandate=saved.get("mandate"))
        return apply_setup_result(
            tx, ctx, record, intent, attempt, processor.setup(request), attempt_id=saved["id"]
        )
    return not_verified(tx, ctx, record, "setup_intent", kind, result, _FAILING, fail_pending)


def verify(ctx: Ctx, intent_id: str, params: dict[str, Any]) -> SetupIntent:
    amounts = params.get("amounts")
    descriptor_code = params.get("descriptor_code")
    check_params(amounts, descriptor_code)
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "setup_intent", intent_id, param="intent")
        check_client_secret(ctx, record.data, params)
        intent, error = _verify_in(tx, ctx, record, amounts, descriptor_code)
    if error is not None:
        raise error
    return intent


def handle_due(tx: Tx, ctx: Ctx, record: Record) -> None:
    """The scheduler's work for a SetupIntent: its 10 days to verify microdeposits are over."""
    if record.data["status"] == "requires_action" and "microdeposits" in record.private:
        fail_pending(tx, ctx, record, TIMEOUT, TIMEOUT_MESSAGE, from_request=False)
        return
    tx.update("setup_intent", ctx.scope, record.data, {**record.private, "due_at": None})
