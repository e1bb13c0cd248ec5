"""The WebhookEndpoint object: where events are posted, and which ones."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from payintents.domain.values import clean, merge_metadata
from payintents.errors import ApiError

WebhookEndpoint = dict[str, Any]


def check_url(url: str, livemode: bool) -> None:
    """An absolute http(s) URL with a host. Unlike Stripe, local and private addresses are
    accepted: the receiver is usually on the developer's machine or network."""
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        valid = False
    if not valid:
        raise ApiError(f"Invalid URL: {url[:200]}", param="url", code="url_invalid")
    if livemode and parts.scheme != "https":
        raise ApiError(
            "Invalid URL: live mode webhook endpoints must use HTTPS.",
            param="url",
            code="url_invalid",
        )


def unique(events: list[str]) -> list[str]:
    return list(dict.fromkeys(events))


def new_endpoint(
    params: dict[str, Any], *, endpoint_id: str, now: int, livemode: bool
) -> WebhookEndpoint:
    return {
        "id": endpoint_id,
        "object": "webhook_endpoint",
        "api_version": params.get("api_version"),
        "application": None,
        "created": now,
        "description": clean(params.get("description")),
        "enabled_events": unique(params["enabled_events"]),
        "livemode": livemode,
        "metadata": merge_metadata({}, params.get("metadata") or {}),
        "status": "enabled",
        "url": params["url"],
    }


def update_endpoint(endpoint: WebhookEndpoint, params: dict[str, Any]) -> WebhookEndpoint:
    updated = dict(endpoint)
    if "url" in params:
        updated["url"] = params["url"]
    if "description" in params:
        updated["description"] = clean(params["description"])
    if "enabled_events" in params:
        updated["enabled_events"] = unique(params["enabled_events"])
    if "metadata" in params:
        updated["metadata"] = merge_metadata(endpoint["metadata"], params["metadata"])
    if "disabled" in params:
        updated["status"] = "disabled" if params["disabled"] else "enabled"
    return updated


def with_secret(endpoint: WebhookEndpoint, secret: str) -> WebhookEndpoint:
    """The create response: the only time the secret is shown."""
    shown: WebhookEndpoint = {}
    for key, value in endpoint.items():
        if key == "status":
            shown["secret"] = secret
        shown[key] = value
    return shown
