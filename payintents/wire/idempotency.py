"""Idempotency keys, as Stripe keeps them: a POST with `Idempotency-Key` stores its status
and body; a repeat with the same parameters within 24 hours gets them back, byte for byte,
and nothing is done twice.

The key, the work and the stored result share one database transaction (the handler's own
writes join it), so a result is never recorded without its work nor the work without its
result, whatever crashes. Requests that fail before the endpoint runs (authentication,
parameter validation, a key in use) store nothing, nor do 5xx and 409 answers.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import orjson

from payintents.errors import ApiError
from payintents.store import idempotency as table
from payintents.store.base import Store

MAX_KEY_LENGTH = 255
RETENTION_SECONDS = 24 * 3600

# (status, body) of one execution.
Result = tuple[int, bytes]


def check_key(key: str) -> None:
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise ApiError(
            f"Idempotent key length is {len(key)}, which is outside accepted lengths. "
            f"Idempotent Keys must be 1-{MAX_KEY_LENGTH} characters long. If you're looking "
            "for a decent generator, try using a UUID defined by IETF RFC 4122."
        )


def fingerprint(params: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(params, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _in_use(key: str) -> ApiError:
    return ApiError(
        "There is currently another in-progress request using this Idempotent Key (that "
        "probably means you submitted twice, and the other request is still going through): "
        f"{key}. Please try again later.",
        status=409,
        code="idempotency_key_in_use",
    )


def _mismatch(key: str, detail: str) -> ApiError:
    return ApiError(
        f"Keys for idempotent requests can only be used {detail}. Try using a key other than "
        f"'{key}' if you meant to execute a different request.",
        type="idempotency_error",
    )


class InFlight:
    """The keys this process is executing: a repeat arriving meanwhile gets a 409 at once
    instead of queueing behind the first (other processes are told by the database lock)."""

    def __init__(self) -> None:
        self._keys: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    @contextmanager
    def hold(self, scope: str, key: str) -> Iterator[None]:
        with self._lock:
            if (scope, key) in self._keys:
                raise _in_use(key)
            self._keys.add((scope, key))
        try:
            yield
        finally:
            with self._lock:
                self._keys.discard((scope, key))


def run(
    store: Store,
    *,
    scope: str,
    key: str,
    endpoint: str,
    params: dict[str, Any],
    request_id: str,
    now: int,
    execute: Callable[[], Result],
) -> tuple[Result, str | None]:
    """The result for this request, and the id of the request that first produced it when
    it is a replay (else None). The caller holds the key in InFlight meanwhile."""
    digest = fingerprint(params)
    with store.write() as tx:
        if not table.try_lock(tx, scope, key):
            raise _in_use(key)
        stored = table.find(tx, scope, key)
        if stored is not None and stored.created <= now - RETENTION_SECONDS:
            table.delete(tx, scope, key)
            stored = None
        if stored is not None:
            if stored.endpoint != endpoint:
                raise _mismatch(
                    key,
                    f"for the same endpoint they were first used for ('{stored.endpoint}' "
                    f"vs '{endpoint}')",
                )
            if stored.fingerprint != digest:
                raise _mismatch(key, "with the same parameters they were first used with")
            return (stored.status, stored.body), stored.request_id
        status, body = execute()
        if status < 500 and status != 409:
            table.insert(
                tx, scope, key, table.StoredResult(endpoint, digest, now, status, body, request_id)
            )
        return (status, body), None


def prune(store: Store, now: int, scope: str | None = None) -> None:
    """Forget the keys past their 24 hours at `now` (the server's time, or an account's)."""
    with store.write() as tx:
        table.prune(tx, now - RETENTION_SECONDS, scope)
