"""Looking up the objects `expand[]` names, in the request's account only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from payintents.services.context import Ctx

# Fields kept with an object only for the store's indexes, which its wire shape lacks.
_STORE_ONLY = {"mandate": ("created",)}


def resolver(ctx: Ctx) -> Callable[[str, str], dict[str, Any] | None]:
    def resolve(kind: str, object_id: str) -> dict[str, Any] | None:
        with ctx.store.read() as tx:
            record = tx.get(kind, ctx.scope, object_id)
        if record is None:
            return None
        hidden = _STORE_ONLY.get(kind, ())
        return {k: v for k, v in record.data.items() if k not in hidden}

    return resolve
