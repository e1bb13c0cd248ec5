"""Webhook endpoint use cases. The signing secret lives in the private part: the API shows
it once, in the create response."""

from __future__ import annotations

import hashlib
from typing import Any

from payintents.domain import versions
from payintents.domain.ids import new_id
from payintents.domain.webhook_endpoint import (
    WebhookEndpoint,
    check_url,
    new_endpoint,
    update_endpoint,
    with_secret,
)
from payintents.errors import ApiError
from payintents.services.common import load, load_for_update, page
from payintents.services.context import Ctx
from payintents.store.base import Page, PageQuery, Store
from payintents.webhooks import outbox
from payintents.webhooks.signing import new_listener_secret, new_secret
from payintents.webhooks.vault import Vault


def _check(ctx: Ctx, params: dict[str, Any]) -> None:
    if "url" in params:
        check_url(params["url"], ctx.livemode, ctx.runtime.config.webhook_allow_internal)
    version = params.get("api_version")
    if version is not None and not versions.is_valid(version):
        raise ApiError(f"Invalid Stripe API version: {version}", param="api_version")
    if params.get("connect"):
        raise ApiError(
            "payintents has no connected accounts, so a Connect webhook endpoint "
            "(connect=true) would never receive an event.",
            param="connect",
        )


def create(ctx: Ctx, params: dict[str, Any]) -> WebhookEndpoint:
    _check(ctx, params)
    endpoint = new_endpoint(params, endpoint_id=new_id("we"), now=ctx.now, livemode=ctx.livemode)
    secret = new_secret()
    with ctx.store.write() as tx:
        existing = tx.page("webhook_endpoint", ctx.scope, PageQuery(limit=outbox.MAX_ENDPOINTS))
        if len(existing.records) >= outbox.MAX_ENDPOINTS:
            mode = "live" if ctx.livemode else "test"
            raise ApiError(
                f"You have reached the maximum of {outbox.MAX_ENDPOINTS} {mode} webhook "
                "endpoints. Delete an endpoint before adding another.",
                param="url",
            )
        tx.insert("webhook_endpoint", ctx.scope, endpoint, ctx.runtime.vault.seal(secret))
    return with_secret(endpoint, secret)


def retrieve(ctx: Ctx, endpoint_id: str) -> WebhookEndpoint:
    with ctx.store.read() as tx:
        return load(tx, ctx, "webhook_endpoint", endpoint_id).data


def update(ctx: Ctx, endpoint_id: str, params: dict[str, Any]) -> WebhookEndpoint:
    _check(ctx, params)
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "webhook_endpoint", endpoint_id)
        updated = update_endpoint(record.data, params)
        tx.update("webhook_endpoint", ctx.scope, updated, ctx.runtime.vault.reseal(record.private))
        if updated["status"] == "disabled":
            outbox.cancel_for_endpoint(tx, endpoint_id)
    return updated


def delete(ctx: Ctx, endpoint_id: str) -> dict[str, Any]:
    with ctx.store.write() as tx:
        load_for_update(tx, ctx, "webhook_endpoint", endpoint_id)
        tx.execute(
            outbox.sql(tx, "DELETE FROM webhook_endpoints WHERE id = ? AND scope = ?"),
            (endpoint_id, ctx.scope),
        )
        outbox.cancel_for_endpoint(tx, endpoint_id)
    return {"id": endpoint_id, "object": "webhook_endpoint", "deleted": True}


def list_endpoints(ctx: Ctx, params: dict[str, Any]) -> Page:
    with ctx.store.read() as tx:
        return page(tx, ctx, "webhook_endpoint", params)


def ensure_forwarding(
    store: Store, vault: Vault, scope: str, url: str, enabled_events: list[str], now: int
) -> tuple[WebhookEndpoint, str]:
    """The endpoint `serve --forward-to` posts to, created once per (scope, url) and reused
    on every start, so its secret stays the same across restarts. `scope` is an account's
    scope, or outbox.GLOBAL_SCOPE for every account's events.

    The id is derived from (scope, url): processes starting together on one database agree
    on it, and the unique id lets only one of them create it."""
    digest = hashlib.sha256(f"{scope}\n{url}".encode()).hexdigest()
    endpoint_id = "we_" + digest[:24]
    for attempt in range(2):
        try:
            with store.write() as tx:
                record = tx.get_for_update("webhook_endpoint", scope, endpoint_id)
                if record is None:
                    endpoint = new_endpoint(
                        {"url": url, "enabled_events": enabled_events,
                         "description": "payintents serve --forward-to"},
                        endpoint_id=endpoint_id,
                        now=now,
                        livemode=scope.endswith("/live"),
                    )  # fmt: skip
                    secret = new_listener_secret()
                    tx.insert("webhook_endpoint", scope, endpoint, vault.seal(secret))
                    return endpoint, secret
                endpoint = {**record.data, "enabled_events": enabled_events, "status": "enabled"}
                private = vault.reseal(record.private)
                if endpoint != record.data or private != record.private:
                    tx.update("webhook_endpoint", scope, endpoint, private)
                return endpoint, vault.open(private)
        except Exception:
            # Another process created it between our read and insert: read it next time.
            if attempt:
                raise
    raise AssertionError("unreachable")
