"""Inserts held back until the transaction needs them in the database.

A request often writes an object and then changes it before it commits: create with
confirm=true inserts the intent and updates it with the outcome, a payment method made from a
token is inserted and then marked used. Held back, the pair becomes one INSERT of the final
row (and one set of search-index rows) instead of an INSERT, a read and an UPDATE, and a read
of a held object is answered from memory.

Nothing else can tell: an object is serialized when it is written (callers may change its dict
afterwards, as events that embed it rely on), a read of a held object decodes that copy, and
held rows are written, in the order they were first written, before any statement that could
see them: a page, search or due-work scan, a statement naming their table, and the end of the
request's write. A nested write that fails forgets what it held, as its savepoint forgets what
it wrote.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

import orjson

from payintents.store import controls, search, sql
from payintents.store.base import DUE, KINDS, Page, PageQuery, Record

Statement = tuple[str, tuple[Any, ...]]
T = TypeVar("T")


def record_of(row: tuple[Any, ...]) -> Record:
    """A stored row's (data, private, seq): both stores keep the two parts as JSON bytes."""
    return Record(orjson.loads(row[0]), orjson.loads(row[1]) if row[1] else {}, row[2])


class Held(NamedTuple):
    scope: str
    # The INSERT's parameters, computed when written; its last two are the data and private.
    params: tuple[Any, ...]
    search_rows: list[Statement]


def _tables(kind: str) -> tuple[str, ...]:
    spec = KINDS[kind]
    return (spec.table, "search_metadata") if spec.search_metadata else (spec.table,)


class BufferedTx(ABC):
    """A transaction's object writes, with inserts held back; the stores supply the I/O."""

    dialect: str
    # The driver's placeholder.
    ph: str

    def __init__(self) -> None:
        # How many writes nested in this transaction are open (their savepoints).
        self.depth = 0
        self._held: dict[tuple[str, str], Held] = {}
        # Tables a statement must not read before the held rows are written.
        self._tables: set[str] = set()
        # Reads kept for the rest of the transaction: (table, key) -> result.
        self._remembered: dict[tuple[str, Any], Any] = {}

    # What each store implements.
    @abstractmethod
    def _run(self, statement: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """A statement on the object tables."""
        ...

    @abstractmethod
    def _execute(self, statement: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """A statement given to `execute` (the non-object tables)."""
        ...

    @abstractmethod
    def _fetch(self, kind: str, scope: str, object_id: str, lock: bool) -> Record | None: ...

    @abstractmethod
    def _due(self, kind: str, now: int, limit: int, scope: str | None) -> list[tuple[str, str]]: ...

    # The Tx interface (store/base.py).
    def get(self, kind: str, scope: str, object_id: str) -> Record | None:
        return self._held_record(kind, scope, object_id) or self._fetch(
            kind, scope, object_id, False
        )

    def get_for_update(self, kind: str, scope: str, object_id: str) -> Record | None:
        # A held row is this transaction's own: no other can see it, let alone lock it.
        return self._held_record(kind, scope, object_id) or self._fetch(
            kind, scope, object_id, True
        )

    def insert(
        self, kind: str, scope: str, data: dict[str, Any], private: dict[str, Any] | None = None
    ) -> None:
        if (kind, data["id"]) in self._held:
            # A second insert of one id is the database's to refuse, as it would unheld.
            self.flush()
        self._hold(kind, scope, data, private)

    def _hold(
        self, kind: str, scope: str, data: dict[str, Any], private: dict[str, Any] | None
    ) -> None:
        blob = orjson.dumps(data)
        params = sql.insert_params(
            kind,
            scope,
            data,
            private,
            blob,
            orjson.dumps(private) if private else None,
            self._clock_offset(kind, scope, private),
        )
        rows = list(search.metadata_sync(kind, scope, data, self.ph, replace=False))
        # Assigning an existing key keeps its place: rows are written in first-write order.
        self._held[(kind, data["id"])] = Held(scope, params, rows)
        self._tables.update(_tables(kind))
        self._written(KINDS[kind].table)

    def update(
        self, kind: str, scope: str, data: dict[str, Any], private: dict[str, Any] | None = None
    ) -> None:
        held = self._held.get((kind, data["id"]))
        if held is not None and held.scope == scope:
            self._hold(kind, scope, data, private)
            return
        params = sql.update_params(
            kind,
            scope,
            data,
            private,
            orjson.dumps(data),
            orjson.dumps(private) if private else None,
            self._clock_offset(kind, scope, private),
        )
        self._written(KINDS[kind].table)
        self._run(sql.update_sql(kind, self.ph), params)
        for text, values in search.metadata_sync(kind, scope, data, self.ph, replace=True):
            self._run(text, values)

    def cursor_of(self, kind: str, scope: str, object_id: str) -> tuple[int, int] | None:
        self.flush()
        rows = self._run(sql.cursor_sql(kind, self.ph), (object_id, scope))
        return (rows[0][0], rows[0][1]) if rows else None

    def page(self, kind: str, scope: str, query: PageQuery) -> Page:
        self.flush()
        text, params, ascending = sql.page_sql(kind, query, scope, self.ph)
        rows = self._run(text, tuple(params))
        has_more = len(rows) > query.limit
        rows = rows[: query.limit]
        if ascending:
            rows.reverse()
        return Page([record_of(r) for r in rows], has_more)

    def search(
        self,
        kind: str,
        scope: str,
        criteria: search.Criteria,
        limit: int,
        after: tuple[int, int] | None = None,
    ) -> Page:
        self.flush()
        text, params = search.search_sql(kind, scope, criteria, limit, after, self.ph)
        rows = self._run(text, tuple(params))
        return Page([record_of(r) for r in rows[:limit]], len(rows) > limit)

    def due(
        self, kind: str, now: int, limit: int, scope: str | None = None
    ) -> list[tuple[str, str]]:
        self.flush()
        return self._due(kind, now, limit, scope)

    def execute(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        # By table name: no SQL reaches a table without naming it, and a false alarm only
        # writes the held rows sooner.
        if any(table in statement for table in self._tables):
            self.flush()
        if self._remembered:
            for table in {table for table, _ in self._remembered if table in statement}:
                self._written(table)
        return self._execute(statement, params)

    def remember(self, table: str, key: Any, read: Callable[[], T]) -> T:
        """Asked again, the same result, until a statement of this transaction names it."""
        try:
            return self._remembered[(table, key)]
        except KeyError:
            found = self._remembered[(table, key)] = read()
            return found

    def _clock_offset(self, kind: str, scope: str, private: dict[str, Any] | None) -> int:
        """The account's clock offset, where the row's DUE column needs it (base.DUE)."""
        if private is None or private.get(DUE) is None or DUE not in KINDS[kind].private_columns:
            return 0
        return controls.read(self, scope).clock_offset

    def _written(self, table: str) -> None:
        if self._remembered:
            self._remembered = {k: v for k, v in self._remembered.items() if k[0] != table}

    # Held rows.
    def flush(self) -> None:
        """Write every held row (before the request's write ends, or a read that may see it)."""
        if not self._held:
            return
        held, self._held, self._tables = self._held, {}, set()
        for (kind, _), row in held.items():
            self._run(sql.insert_sql(kind, self.ph), row.params)
            for text, values in row.search_rows:
                self._run(text, values)

    def held(self) -> dict[tuple[str, str], Held]:
        return dict(self._held)

    def forget_since(self, held: dict[tuple[str, str], Held]) -> None:
        """Back to what was held when a nested write began (it failed)."""
        self._held = held
        self._tables = {table for kind, _ in held for table in _tables(kind)}
        # What it read may have seen what it wrote.
        self._remembered = {}

    def _held_record(self, kind: str, scope: str, object_id: str) -> Record | None:
        held = self._held.get((kind, object_id))
        if held is None or held.scope != scope:
            return None
        # Its seq is not known before it is written; nothing orders by a held object's.
        return record_of((held.params[-2], held.params[-1], 0))
