"""Stripe's error body."""

from __future__ import annotations

from typing import Any

from payintents.errors import ApiError


def error_body(err: ApiError) -> dict[str, Any]:
    """Stripe's fields but `request_log_url`, which points at Stripe's dashboard: it cannot
    show a request made here, so it is left out, as on errors Stripe logs nowhere."""
    body: dict[str, Any] = {}
    if err.code is not None:
        body["code"] = err.code
        body["doc_url"] = "https://stripe.com/docs/error-codes/" + err.code.replace("_", "-")
    body.update(err.extra)
    body["message"] = err.message
    if err.param is not None:
        body["param"] = err.param
    body["type"] = err.type
    return {"error": body}


def internal_error() -> ApiError:
    return ApiError(
        "An unknown error occurred while processing your request. The error has been logged; "
        "please retry the request.",
        status=500,
        type="api_error",
    )
