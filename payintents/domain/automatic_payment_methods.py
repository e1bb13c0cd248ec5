"""The `automatic_payment_methods` setting shared by PaymentIntents and SetupIntents.

Pure: both objects take it at creation with the same default and the same refusal.
"""

from __future__ import annotations

from typing import Any

from payintents.domain import versions
from payintents.errors import ApiError


def resolve(params: dict[str, Any], version: str) -> dict[str, Any] | None:
    """The setting an object is created with, or None when it lists its types instead.

    From AUTOMATIC_PAYMENT_METHODS_DEFAULT on, an object that names neither gets it enabled;
    naming both is refused.
    """
    types = params.get("payment_method_types")
    automatic = params.get("automatic_payment_methods")
    if (
        types is None
        and automatic is None
        and versions.at_least(version, versions.AUTOMATIC_PAYMENT_METHODS_DEFAULT)
    ):
        automatic = {"enabled": True}
    if automatic is not None:
        automatic = {"allow_redirects": automatic.get("allow_redirects", "always"), **automatic}
        if not automatic.get("enabled"):
            automatic = None
    if automatic is not None and types is not None:
        raise ApiError(
            "You may only specify one of these parameters: automatic_payment_methods, "
            "payment_method_types.",
            code="parameters_exclusive",
            param="automatic_payment_methods",
        )
    return automatic
