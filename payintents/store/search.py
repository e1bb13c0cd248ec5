"""Search API criteria and their SQL (shared by both stores).

A search is a list of clauses joined by AND or by OR (`wire.search_query`
parses Stripe's query language into it). Clauses on top-level fields compare
the kind's indexed columns; `metadata["k"]` clauses read `search_metadata`,
one row per (object, key), kept in step with the object in the same
transaction. Values are always parameters; column names come from KINDS.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from payintents.store.base import KINDS, fold

COMPARISONS = ("=", ">", ">=", "<", "<=")
# On a kind's `search_text` columns: the value occurs in the column, ignoring case.
SUBSTRING = "~"


@dataclass(frozen=True)
class Clause:
    field: str
    # One of COMPARISONS ("=" is Stripe's `:`), or SUBSTRING.
    op: str
    # None is Stripe's `null`: the field (or metadata key) is absent.
    value: str | int | None
    negated: bool = False
    # The key of a `metadata["key"]` clause.
    key: str | None = None
    # Where the clause starts in the query text (0-based), for error messages.
    position: int = 0


@dataclass(frozen=True)
class Criteria:
    clauses: tuple[Clause, ...]
    # True: any clause matches (OR); False: every clause (AND).
    any: bool = False


def metadata_sync(
    kind: str, scope: str, data: dict[str, Any], ph: str, replace: bool
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Statements that make `search_metadata` hold the object's metadata."""
    if not KINDS[kind].search_metadata:
        return
    if replace:
        yield f"DELETE FROM search_metadata WHERE object_id = {ph}", (data["id"],)
    insert = (
        "INSERT INTO search_metadata (kind, scope, object_id, key, value) "
        f"VALUES ({ph}, {ph}, {ph}, {ph}, {ph})"
    )
    for key, value in (data.get("metadata") or {}).items():
        if isinstance(value, str):
            yield insert, (kind, scope, data["id"], key, fold(value))


def search_sql(
    kind: str,
    scope: str,
    criteria: Criteria,
    limit: int,
    after: tuple[int, int] | None,
    ph: str,
) -> tuple[str, list[Any]]:
    """Newest first, `limit + 1` rows (the extra one says whether there is more)."""
    spec = KINDS[kind]
    params: list[Any] = [scope]
    conditions = []
    for clause in criteria.clauses:
        text, values = _condition(kind, scope, clause, ph)
        conditions.append(f"({text}) IS NOT TRUE" if clause.negated else text)
        params.extend(values)
    where = ["(" + (" OR " if criteria.any else " AND ").join(conditions) + ")"]
    if criteria.any or not any(_drives(c) for c in criteria.clauses):
        where.insert(0, f"scope = {ph}")
    else:
        # A metadata match already keeps to the scope. Without `scope = ?` no index on
        # (scope, ...) competes with it, so the planner reads the few matching ids instead
        # of walking the scope's intents in page order (SQLite keeps no statistics to tell).
        params.pop(0)
    if after is not None:
        where.append(f"(created, seq) < ({ph}, {ph})")
        params.extend(after)
    sql = (
        f"SELECT data, private, seq FROM {spec.table} WHERE {' AND '.join(where)} "
        f"ORDER BY created DESC, seq DESC LIMIT {int(limit) + 1}"
    )
    return sql, params


def _drives(clause: Clause) -> bool:
    """A clause that picks objects by their metadata index rows."""
    return clause.field == "metadata" and clause.value is not None and not clause.negated


def _condition(kind: str, scope: str, clause: Clause, ph: str) -> tuple[str, list[Any]]:
    if clause.op not in (*COMPARISONS, SUBSTRING):
        raise ValueError(f"unknown search operator {clause.op}")
    if clause.field in KINDS[kind].search_text and clause.value is not None:
        # lower() folds ASCII letters on SQLite and all letters on PostgreSQL.
        value = str(clause.value).lower()
        if clause.op == "=":
            return f"lower({clause.field}) = {ph}", [value]
        if clause.op == SUBSTRING:
            escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            return f"lower({clause.field}) LIKE {ph} ESCAPE '\\'", [f"%{escaped}%"]
    if clause.op == SUBSTRING:
        raise ValueError(f"{kind}.{clause.field} has no substring search")
    if clause.field == "metadata":
        if not KINDS[kind].search_metadata or clause.key is None or clause.op != "=":
            raise ValueError(f"{kind} has no metadata search for {clause}")
        lookup = f"SELECT object_id FROM search_metadata WHERE kind = {ph} AND scope = {ph} "
        if clause.value is None:
            return f"id NOT IN ({lookup}AND key = {ph})", [kind, scope, clause.key]
        return (
            f"id IN ({lookup}AND key = {ph} AND value = {ph})",
            [kind, scope, clause.key, fold(str(clause.value))],
        )
    mapped = KINDS[kind].search_columns.get(clause.field)
    column = mapped.column if mapped else clause.field
    if column != "created" and column not in KINDS[kind].columns:
        raise ValueError(f"{kind} has no searchable column {clause.field}")
    if clause.value is None and clause.op != "=":
        raise ValueError("null only compares with =")
    if mapped is not None and mapped.guard is not None:
        # A field of one payment method type's details: it exists only on that type.
        guard, kind_value = mapped.guard
        if clause.value is None:
            return f"({guard} = {ph} AND {column} IS NOT NULL) IS NOT TRUE", [kind_value]
        return f"({guard} = {ph} AND {column} {clause.op} {ph})", [kind_value, clause.value]
    if clause.value is None:
        return f"{column} IS NULL", []
    return f"{column} {clause.op} {ph}", [clause.value]
