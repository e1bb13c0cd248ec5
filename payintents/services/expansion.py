"""Looking up the objects `expand[]` names, in the request's account only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from payintents.services.context import Ctx


def resolver(ctx: Ctx) -> Callable[[str, str], dict[str, Any] | None]:
    def resolve(kind: str, object_id: str) -> dict[str, Any] | None:
        with ctx.store.read() as tx:
            record = tx.get(kind, ctx.scope, object_id)
        return None if record is None else record.data

    return resolve
