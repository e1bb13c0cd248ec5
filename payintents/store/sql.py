"""SQL for the object tables, shared by both stores (only the placeholder differs)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any, Protocol, TypeVar

from payintents.store.base import DUE, KINDS, PageQuery

_CREATED_OPS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


# The text depends only on the arguments: built once, not per statement.
@cache
def insert_sql(kind: str, ph: str) -> str:
    spec = KINDS[kind]
    cols = ("id", "scope", "created", *spec.columns, *spec.private_columns, "data", "private")
    return f"INSERT INTO {spec.table} ({', '.join(cols)}) VALUES ({', '.join(ph for _ in cols)})"


def insert_params(
    kind: str,
    scope: str,
    data: dict[str, Any],
    private: dict[str, Any] | None,
    blob: Any,
    priv: Any,
    clock_offset: int = 0,
) -> tuple:
    return (
        data["id"],
        scope,
        data["created"],
        *_columns(kind, data, private, clock_offset),
        blob,
        priv,
    )


def _columns(
    kind: str, data: dict[str, Any], private: dict[str, Any] | None, clock_offset: int
) -> list[Any]:
    spec = KINDS[kind]
    derived = spec.derived
    values = [
        derived[c](data) if c in derived else _column_value(data.get(c)) for c in spec.columns
    ]
    for column in spec.private_columns:
        value = (private or {}).get(column)
        # Kept in the server's time (base.DUE).
        values.append(value - clock_offset if column == DUE and value is not None else value)
    return values


@cache
def update_sql(kind: str, ph: str) -> str:
    spec = KINDS[kind]
    cols = (*spec.columns, *spec.private_columns, "data", "private")
    sets = ", ".join(f"{c} = {ph}" for c in cols)
    return f"UPDATE {spec.table} SET {sets} WHERE id = {ph} AND scope = {ph}"


def update_params(
    kind: str,
    scope: str,
    data: dict[str, Any],
    private: dict[str, Any] | None,
    blob: Any,
    priv: Any,
    clock_offset: int = 0,
) -> tuple:
    return (*_columns(kind, data, private, clock_offset), blob, priv, data["id"], scope)


def _column_value(value: Any) -> Any:
    # Expandable fields may hold the expanded object in memory; the column keeps the id.
    if isinstance(value, dict):
        return value.get("id")
    return value


@cache
def get_sql(kind: str, ph: str, lock: str = "") -> str:
    table = KINDS[kind].table
    return f"SELECT data, private, seq FROM {table} WHERE id = {ph} AND scope = {ph}{lock}"


@cache
def cursor_sql(kind: str, ph: str) -> str:
    table = KINDS[kind].table
    return f"SELECT created, seq FROM {table} WHERE id = {ph} AND scope = {ph}"


def page_sql(kind: str, query: PageQuery, scope: str, ph: str) -> tuple[str, list[Any], bool]:
    """Newest first; `ending_before` reads upwards and the caller reverses (third value)."""
    spec = KINDS[kind]
    where = [f"scope = {ph}"]
    params: list[Any] = [scope]
    for column, value in query.filters.items():
        if column not in spec.columns:
            raise ValueError(f"{kind} has no indexed column {column}")
        where.append(f"{column} = {ph}")
        params.append(value)
    for op, value in query.created.items():
        where.append(f"created {_CREATED_OPS[op]} {ph}")
        params.append(value)
    ascending = False
    if query.after is not None:
        where.append(f"(created, seq) < ({ph}, {ph})")
        params.extend(query.after)
    elif query.before is not None:
        where.append(f"(created, seq) > ({ph}, {ph})")
        params.extend(query.before)
        ascending = True
    order = "ASC" if ascending else "DESC"
    sql = (
        f"SELECT data, private, seq FROM {spec.table} WHERE {' AND '.join(where)} "
        f"ORDER BY created {order}, seq {order} LIMIT {int(query.limit) + 1}"
    )
    return sql, params, ascending


@cache
def due_sql(kind: str, ph: str, lock: str = "", of_scope: bool = False) -> str:
    """Objects (of every scope, or of one: its parameter comes first) whose scheduled work
    (expiry, settlement) is due, oldest first."""
    table = KINDS[kind].table
    where = f"scope = {ph} AND " if of_scope else ""
    return (
        f"SELECT id, scope FROM {table} WHERE {where}due_at IS NOT NULL AND due_at <= {ph} "
        f"ORDER BY due_at LIMIT {ph}{lock}"
    )


@cache
def next_due_sql(kind: str, ph: str) -> str:
    """When the next scheduled work of one scope falls due (the server's time), if any."""
    table = KINDS[kind].table
    return f"SELECT MIN(due_at) FROM {table} WHERE scope = {ph} AND due_at IS NOT NULL"


@cache
def shift_due_sql(kind: str, ph: str) -> str:
    """The scheduled work of one scope falls due `seconds` sooner (its clock moved ahead)."""
    table = KINDS[kind].table
    return f"UPDATE {table} SET due_at = due_at - {ph} WHERE scope = {ph} AND due_at IS NOT NULL"


@contextmanager
def savepoint(execute: Callable[[str], Any], depth: int) -> Iterator[None]:
    """A write nested in a transaction that is already open: its work is undone alone if it
    fails, and kept with the enclosing transaction if it succeeds."""
    name = f"nested_{depth}"
    execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        execute(f"ROLLBACK TO SAVEPOINT {name}")
        execute(f"RELEASE SAVEPOINT {name}")
        raise
    execute(f"RELEASE SAVEPOINT {name}")


class Nestable(Protocol):
    depth: int

    def execute(self, statement: str, params: tuple[Any, ...] = ...) -> Any: ...

    def held(self) -> Any: ...

    def forget_since(self, held: Any) -> None: ...


T = TypeVar("T", bound=Nestable)


@contextmanager
def join(outer: T, writable: bool) -> Iterator[T]:
    """Work inside the write transaction this thread has open (a request's unit of work):
    a read sees its uncommitted writes, a write nests in a savepoint of its own."""
    if not writable:
        yield outer
        return
    outer.depth += 1
    held = outer.held()
    try:
        with savepoint(outer.execute, outer.depth):
            try:
                yield outer
            except BaseException:
                outer.forget_since(held)
                raise
    finally:
        outer.depth -= 1
