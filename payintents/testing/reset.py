"""DELETE /_payintents/data: an account (and mode) back to empty, every other untouched."""

from __future__ import annotations

from payintents.services.context import Ctx
from payintents.store import controls
from payintents.store.base import Tx, iter_kinds


def _delete(tx: Tx, statement: str, *params: str) -> int:
    native = statement.replace("?", "%s") if tx.dialect == "postgres" else statement
    return len(tx.execute(native + " RETURNING 1", params))


def wipe(ctx: Ctx) -> dict[str, int]:
    """Every object, event, webhook delivery, idempotency key, fault rule and the clock offset
    of the account, deleted in one transaction, each by an index on its scope; returns how
    many of each went."""
    scope = ctx.scope
    deleted: dict[str, int] = {}
    with ctx.store.write() as tx:
        for kind, spec in iter_kinds():
            if spec.search_metadata:
                _delete(tx, "DELETE FROM search_metadata WHERE kind = ? AND scope = ?", kind, scope)
            deleted[kind] = _delete(tx, f"DELETE FROM {spec.table} WHERE scope = ?", scope)
        _delete(
            tx,
            "DELETE FROM webhook_attempts WHERE delivery_id IN "
            "(SELECT id FROM webhook_deliveries WHERE event_scope = ?)",
            scope,
        )
        deleted["webhook_delivery"] = _delete(
            tx, "DELETE FROM webhook_deliveries WHERE event_scope = ?", scope
        )
        deleted["idempotency_key"] = _delete(
            tx, "DELETE FROM idempotency_keys WHERE scope = ?", scope
        )
        deleted["fault_rule"] = controls.forget_account(tx, scope)
    return deleted
