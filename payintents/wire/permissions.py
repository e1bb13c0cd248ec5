"""What a restricted key (`rk_`) may do: Stripe's permission model at resource level.

A keys file grants each restricted key `none`, `read` or `write` per resource; write implies
read. An endpoint names the resource it acts on (`Endpoint.resource`); reading it (GET) needs
read, changing it (POST, DELETE) needs write, as on Stripe. An endpoint that names none is
closed to restricted keys. Objects that `expand[]` puts in an answer need read on their own
resource too.

RESOURCES is the one table of resources: a new resource is one line here, and its endpoints
name it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from payintents.errors import ApiError

LEVELS = ("none", "read", "write")
READ, WRITE = "read", "write"

# A restricted key's grants: resource name -> "none" | "read" | "write" (absent: none).
Grants = Mapping[str, str]


@dataclass(frozen=True)
class Resource:
    # How a keys file names it.
    name: str
    # Stripe's name in its permission errors: rak_<permission>_read, rak_<permission>_write.
    permission: str
    # The object types it holds (the objects `expand[]` may bring into an answer).
    objects: tuple[str, ...]


RESOURCES: dict[str, Resource] = {
    r.name: r
    for r in (
        Resource("payment_intents", "payment_intent", ("payment_intent",)),
        Resource("payment_methods", "payment_method", ("payment_method",)),
        Resource(
            "customers",
            "customer",
            ("customer", "cash_balance", "customer_cash_balance_transaction"),
        ),
        Resource("charges", "charge", ("charge",)),
        Resource("refunds", "refund", ("refund",)),
        Resource("events", "event", ("event",)),
        Resource("webhook_endpoints", "webhook", ("webhook_endpoint",)),
        Resource("confirmation_tokens", "confirmation_token", ("confirmation_token",)),
        Resource("disputes", "dispute", ("dispute",)),
        Resource("setup_intents", "setup_intent", ("setup_intent", "setup_attempt", "mandate")),
    )
}

_OF_OBJECT = {kind: r for r in RESOURCES.values() for kind in r.objects}


def access_of(method: str) -> str:
    return READ if method in ("GET", "HEAD") else WRITE


def allows(grants: Grants, resource: str, access: str) -> bool:
    level = grants.get(resource, "none")
    return level == WRITE or (level == READ and access == READ)


def provided_key(key: str) -> str:
    """A key as Stripe's permission errors show it: its prefix, stars, and its last characters
    (six of a restricted key, four of others)."""
    keep = 6 if key.startswith("rk_") else 4
    if len(key) <= 8 + keep:
        return key[:8] + "*" * max(len(key) - 8, 0)
    return key[:8] + "*" * (len(key) - 8 - keep) + key[-keep:]


def denied(key: str, account: str, resource: Resource, access: str) -> ApiError:
    return ApiError(
        f"The provided key '{provided_key(key)}' does not have the required permissions for "
        f"this endpoint on account '{account}'. Having the 'rak_{resource.permission}_{access}' "
        "permission would allow this request to continue.",
        status=403,
    )


def closed(key: str, account: str) -> ApiError:
    """An endpoint no restricted key may call."""
    return ApiError(
        f"The provided key '{provided_key(key)}' does not have the required permissions for "
        f"this endpoint on account '{account}'. This is a restricted API key, but the required "
        "permissions are not available for use by restricted keys.",
        status=403,
    )


def require(grants: Grants, key: str, account: str, resource: str | None, access: str) -> None:
    if resource is None:
        raise closed(key, account)
    if not allows(grants, resource, access):
        raise denied(key, account, RESOURCES[resource], access)


def require_objects(grants: Grants, key: str, account: str, kinds: Iterable[str]) -> None:
    """Read on the resource of every object type an answer will carry."""
    for kind in kinds:
        resource = _OF_OBJECT.get(kind)
        if resource is not None and not allows(grants, resource.name, READ):
            raise denied(key, account, resource, READ)


Resolve = Callable[[str, str], Any]


def guarded(resolve: Resolve, grants: Grants, key: str, account: str) -> Resolve:
    """`resolve` that refuses object types the key may not read (expansions of lists, whose
    items' types are known only in the answer)."""

    def check(kind: str, object_id: str) -> Any:
        require_objects(grants, key, account, (kind,))
        return resolve(kind, object_id)

    return check
