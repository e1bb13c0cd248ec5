"""Stripe's error body."""

from __future__ import annotations

from typing import Any

from payintents.errors import ApiError


def error_body(err: ApiError, request_id: str, now: int, livemode: bool) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if err.code is not None:
        body["code"] = err.code
        body["doc_url"] = "https://stripe.com/docs/error-codes/" + err.code.replace("_", "-")
    body.update(err.extra)
    body["message"] = err.message
    if err.param is not None:
        body["param"] = err.param
    mode = "" if livemode else "test/"
    body["request_log_url"] = f"https://dashboard.stripe.com/{mode}logs/{request_id}?t={now}"
    body["type"] = err.type
    return {"error": body}


def internal_error() -> ApiError:
    return ApiError(
        "An unknown error occurred while processing your request. The error has been logged; "
        "please retry the request.",
        status=500,
        type="api_error",
    )
