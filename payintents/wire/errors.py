"""Stripe's error body."""

from __future__ import annotations

from typing import Any

from payintents.errors import ApiError
from payintents.store.base import OutcomeUnknown, RolledBack, Unavailable


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


# The header the SDKs read to decide whether to retry a failed request.
RETRY = {"stripe-should-retry": "true"}


def store_failure(err: BaseException) -> tuple[ApiError, dict[str, str] | None] | None:
    """The answer to a request the store failed, with its headers; None for any other error.

    RolledBack and Unavailable committed nothing: Stripe-Should-Retry: true, which the SDKs
    follow. OutcomeUnknown may have committed: no header (the SDKs still retry a 500, with the
    Idempotency-Key they send, which replays the answer if the work was done)."""
    if isinstance(err, Unavailable):
        message = (
            "The database could not be reached in time, and nothing was changed. Please retry "
            "the request."
        )
        return ApiError(message, status=503, type="api_error"), RETRY
    if isinstance(err, RolledBack):
        message = (
            "The database could not save this request, and nothing of it was kept. Please "
            "retry the request."
        )
        return ApiError(message, status=500, type="api_error"), RETRY
    if isinstance(err, OutcomeUnknown):
        message = (
            "The connection to the database was lost while this request was being saved: it "
            "may or may not have been applied. Retry it with the same Idempotency-Key to find "
            "out; without one, check before retrying."
        )
        return ApiError(message, status=500, type="api_error"), None
    return None
