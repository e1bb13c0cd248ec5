"""The idempotency_keys table: a POST's stored result under its key."""

from __future__ import annotations

from dataclasses import dataclass

from payintents.store.base import Tx


@dataclass(frozen=True)
class StoredResult:
    endpoint: str
    fingerprint: str
    created: int
    status: int
    body: bytes
    request_id: str


def _native(tx: Tx, statement: str) -> str:
    """Statements here use `?` placeholders; PostgreSQL's driver wants `%s`."""
    return statement.replace("?", "%s") if tx.dialect == "postgres" else statement


def try_lock(tx: Tx, scope: str, key: str) -> bool:
    """Whether no other transaction is working under this key right now. On PostgreSQL a
    transaction-scoped advisory lock tells, across processes and hosts; SQLite's writers are
    serialized by BEGIN IMMEDIATE, so a second one waits for the first and then replays."""
    if tx.dialect != "postgres":
        return True
    rows = tx.execute(
        "SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))", (f"{scope} {key}",)
    )
    return bool(rows[0][0])


def find(tx: Tx, scope: str, key: str) -> StoredResult | None:
    rows = tx.execute(
        _native(
            tx,
            "SELECT endpoint, fingerprint, created, status, body, request_id "
            "FROM idempotency_keys WHERE scope = ? AND idem_key = ?",
        ),
        (scope, key),
    )
    if not rows:
        return None
    endpoint, fingerprint, created, status, body, request_id = rows[0]
    return StoredResult(endpoint, fingerprint, created, status, bytes(body), request_id)


def delete(tx: Tx, scope: str, key: str) -> None:
    tx.execute(
        _native(tx, "DELETE FROM idempotency_keys WHERE scope = ? AND idem_key = ?"), (scope, key)
    )


def insert(tx: Tx, scope: str, key: str, result: StoredResult) -> None:
    # A plain insert: the primary key is the last guard against doing the work twice.
    tx.execute(
        _native(
            tx,
            "INSERT INTO idempotency_keys (scope, idem_key, endpoint, fingerprint, created, "
            "status, body, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        ),
        (
            scope,
            key,
            result.endpoint,
            result.fingerprint,
            result.created,
            result.status,
            result.body,
            result.request_id,
        ),
    )


def prune(tx: Tx, before: int, scope: str | None = None) -> None:
    """Forget keys (of every account, or of one) created before `before` (they would be
    treated as new anyway)."""
    if scope is None:
        tx.execute(_native(tx, "DELETE FROM idempotency_keys WHERE created < ?"), (before,))
    else:
        tx.execute(
            _native(tx, "DELETE FROM idempotency_keys WHERE scope = ? AND created < ?"),
            (scope, before),
        )
