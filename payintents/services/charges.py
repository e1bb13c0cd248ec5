"""Charge use cases: retrieve, update, list."""

from __future__ import annotations

from typing import Any

from payintents.domain.changes import previous_attributes
from payintents.domain.charge import Charge
from payintents.domain.payment_intent import shipping_object
from payintents.domain.values import clean, merge_metadata
from payintents.services.common import emit, load, load_for_update, page
from payintents.services.context import Ctx
from payintents.store.base import Page


def retrieve(ctx: Ctx, charge_id: str) -> Charge:
    with ctx.store.read() as tx:
        return load(tx, ctx, "charge", charge_id, param="id").data


def update(ctx: Ctx, charge_id: str, params: dict[str, Any]) -> Charge:
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "charge", charge_id)
        charge = dict(record.data)
        for name in ("description", "receipt_email"):
            if name in params:
                charge[name] = clean(params[name])
        if "metadata" in params:
            charge["metadata"] = merge_metadata(charge["metadata"], params["metadata"])
        if "shipping" in params:
            charge["shipping"] = shipping_object(clean(params["shipping"]))
        previous = previous_attributes(record.data, charge)
        tx.update("charge", ctx.scope, charge, record.private)
        if previous:
            emit(tx, ctx, "charge.updated", charge, previous)
    return charge


def list_charges(ctx: Ctx, params: dict[str, Any]) -> Page:
    filters = {k: params[k] for k in ("payment_intent", "customer") if k in params}
    with ctx.store.read() as tx:
        return page(tx, ctx, "charge", params, filters)
