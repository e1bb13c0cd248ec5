"""Stripe's error vocabulary, shared by every layer.

Every layer speaks Stripe's errors (type, code, param, message), so the one
exception class lives here, below them all; `wire.errors` renders it.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answered to the client with Stripe's error body."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.type = type
        self.code = code
        self.param = param
        self.extra = extra


def invalid(message: str, *, code: str | None = None, param: str | None = None) -> ApiError:
    return ApiError(message, code=code, param=param)


# How Stripe names each kind in "No such ..." messages.
_DISPLAY = {
    "payment_method": "PaymentMethod",
    "webhook_endpoint": "webhook endpoint",
    "confirmation_token": "confirmationtoken",
    "setup_intent": "setupintent",
    "setup_attempt": "setupattempt",
    "promotion_code": "promotion code",
    "test_clock": "test clock",
    "file": "file upload",
}


def resource_missing(kind: str, object_id: str, param: str | None = "id") -> ApiError:
    return ApiError(
        f"No such {_DISPLAY.get(kind, kind)}: '{object_id}'",
        status=404,
        code="resource_missing",
        param=param,
    )


def unexpected_state(message: str, **extra: Any) -> ApiError:
    return ApiError(message, code="payment_intent_unexpected_state", **extra)
