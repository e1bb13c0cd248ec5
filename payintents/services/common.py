"""Helpers every use case shares: loading objects of the caller's scope, emitting events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from payintents.domain.constant_time import equal
from payintents.errors import ApiError, resource_missing
from payintents.events.record import record_event
from payintents.services.context import Ctx
from payintents.store.base import Page, PageQuery, Record, Tx
from payintents.store.search import Criteria

CLIENT_SECRET_AS_ID = (
    "You passed a string that looks like a client secret as the PaymentIntent ID, but you must "
    "provide a valid PaymentIntent ID. Please use the value in the `id` field of the "
    "PaymentIntent."
)


def check_intent_id(intent_id: str) -> None:
    if "_secret_" in intent_id:
        raise ApiError(CLIENT_SECRET_AS_ID, status=404, code="resource_missing", param="intent")


def check_client_secret(ctx: Ctx, intent: dict[str, Any], params: dict[str, Any]) -> None:
    """A publishable key acts on a PaymentIntent or SetupIntent only with its client_secret
    (Stripe.js)."""
    if ctx.key_kind != "publishable":
        return
    kind = intent["object"]
    name = "".join(word.title() for word in kind.split("_"))
    secret = params.get("client_secret")
    if not secret:
        raise ApiError(
            f"Missing required param: client_secret. A publishable key acts on a {name} "
            f"only with the {name}'s client_secret.",
            code="parameter_missing",
            param="client_secret",
        )
    if not equal(secret, intent["client_secret"]):
        raise ApiError(
            "The client_secret provided does not match the client_secret associated with the "
            f"{name}.",
            code=f"{kind}_invalid_parameter",
            param="client_secret",
        )


def load(tx: Tx, ctx: Ctx, kind: str, object_id: str, param: str | None = "id") -> Record:
    record = tx.get(kind, ctx.scope, object_id)
    if record is None:
        raise resource_missing(kind, object_id, param)
    return record


def load_for_update(
    tx: Tx, ctx: Ctx, kind: str, object_id: str, param: str | None = "id"
) -> Record:
    record = tx.get_for_update(kind, ctx.scope, object_id)
    if record is None:
        raise resource_missing(kind, object_id, param)
    return record


def emit(
    tx: Tx,
    ctx: Ctx,
    type: str,
    obj: dict[str, Any],
    previous_attributes: dict[str, Any] | None = None,
    *,
    from_request: bool = True,
) -> None:
    record_event(
        tx,
        scope=ctx.scope,
        livemode=ctx.livemode,
        now=ctx.now,
        type=type,
        obj=obj,
        request_id=ctx.request_id if from_request else None,
        idempotency_key=ctx.idempotency_key if from_request else None,
        previous_attributes=previous_attributes,
    )


def page(
    tx: Tx,
    ctx: Ctx,
    kind: str,
    params: Mapping[str, Any],
    filters: Mapping[str, Any] | None = None,
) -> Page:
    """One page of a list endpoint: Stripe's limit, cursors and created filters."""
    return tx.page(kind, ctx.scope, page_query(tx, ctx, kind, params, filters))


def page_query(
    tx: Tx,
    ctx: Ctx,
    kind: str,
    params: Mapping[str, Any],
    filters: Mapping[str, Any] | None = None,
) -> PageQuery:
    """A list endpoint's parameters as a store query (cursors resolved, bounds checked)."""
    if "starting_after" in params and "ending_before" in params:
        raise ApiError(
            "You may only specify one of these parameters: ending_before, starting_after.",
            code="parameters_exclusive",
            param="ending_before",
        )
    created = params.get("created")
    bounds = {"gte": created, "lte": created} if isinstance(created, int) else (created or {})
    cursors: dict[str, tuple[int, int]] = {}
    for name in ("starting_after", "ending_before"):
        if name in params:
            cursor = tx.cursor_of(kind, ctx.scope, params[name])
            if cursor is None:
                raise resource_missing(kind, params[name], param=name)
            cursors[name] = cursor
    return PageQuery(
        limit=params.get("limit", 10),
        filters=dict(filters or {}),
        created=bounds,
        after=cursors.get("starting_after"),
        before=cursors.get("ending_before"),
    )


def search(
    ctx: Ctx, kind: str, criteria: Criteria, limit: int, after: tuple[int, int] | None
) -> Page:
    """One page of a search endpoint, newest first after the keyset cursor."""
    with ctx.store.read() as tx:
        return tx.search(kind, ctx.scope, criteria, limit, after)
