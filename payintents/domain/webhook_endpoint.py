"""The WebhookEndpoint object: where events are posted, and which ones."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from payintents.domain.values import clean, merge_metadata
from payintents.domain.webhook_targets import check_host
from payintents.errors import ApiError

WebhookEndpoint = dict[str, Any]


def check_url(url: str, livemode: bool, allow_internal: tuple[str, ...] = ()) -> None:
    """An absolute http(s) URL with a host. In test mode local and private addresses are
    accepted: the receiver is usually on the developer's machine or network. In live mode
    only public ones, but for the hosts of `allow_internal` (webhook_targets.py)."""
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
    if livemode:
        assert parts.hostname is not None
        check_host(url, parts.hostname, allow_internal)


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
