"""Pages of events of several types (`types[]`, `type=payment_intent.*`), index reads only.

`type IN (...)` ordered by `created` would read and sort every matching event.
Instead each type is one keyset read on the (scope, type, created, seq) index,
of at most limit + 1 keys; the newest limit + 1 of them are merged, and only
those rows are loaded. The cost is bounded by the number of types and the
limit, not by how many events are stored.
"""

from __future__ import annotations

import heapq
from typing import Any

import orjson

from payintents.store.base import Page, PageQuery, Record, Tx
from payintents.webhooks.outbox import sql

_OPS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def blob(value: Any) -> dict[str, Any]:
    # A text column holds JSON; a JSON column comes back decoded already.
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    return orjson.loads(value)


def keys_sql(tx: Tx, query: PageQuery, count: int) -> tuple[str, list[Any], bool]:
    """The statement reading (created, seq) of up to limit + 1 events of each of `count`
    types: one round trip, each branch an index keyset read. Per type, its parameters are
    (scope, type, *the returned list); the flag says whether it reads oldest first."""
    where = ["scope = ?", "type = ?"]
    bounds: list[Any] = []
    for op, value in query.created.items():
        where.append(f"created {_OPS[op]} ?")
        bounds.append(value)
    ascending = query.before is not None
    if query.after is not None:
        where.append("(created, seq) < (?, ?)")
        bounds.extend(query.after)
    elif query.before is not None:
        where.append("(created, seq) > (?, ?)")
        bounds.extend(query.before)
    order = "ASC" if ascending else "DESC"
    branch = (
        f"SELECT created, seq FROM (SELECT created, seq FROM events WHERE {' AND '.join(where)} "
        f"ORDER BY created {order}, seq {order} LIMIT {int(query.limit) + 1}) AS t"
    )
    statement = " UNION ALL ".join(f"{branch}{i}" for i in range(count))
    return sql(tx, statement), bounds, ascending


def page_of_types(tx: Tx, scope: str, query: PageQuery, types: tuple[str, ...]) -> Page:
    if not types:
        return Page([], False)
    statement, bounds, ascending = keys_sql(tx, query, len(types))
    params: list[Any] = []
    for event_type in types:
        params.extend((scope, event_type, *bounds))
    keys = [(int(r[0]), int(r[1])) for r in tx.execute(statement, tuple(params))]
    pick = (heapq.nsmallest if ascending else heapq.nlargest)(query.limit + 1, keys)
    has_more = len(pick) > query.limit
    pick = pick[: query.limit]
    if not pick:
        return Page([], has_more)
    marks = ", ".join("?" for _ in pick)
    rows = tx.execute(
        sql(tx, f"SELECT data, private, seq FROM events WHERE seq IN ({marks})"),
        tuple(seq for _, seq in pick),
    )
    by_seq = {int(r[2]): Record(blob(r[0]), blob(r[1]), int(r[2])) for r in rows}
    # Newest first, whichever direction was read.
    ordered = sorted(pick, reverse=True)
    return Page([by_seq[seq] for _, seq in ordered if seq in by_seq], has_more)
