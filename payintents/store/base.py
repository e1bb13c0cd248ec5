"""The persistence interface every store implements (SQLite, PostgreSQL).

Objects are stored as Stripe's wire dicts (`data`) with an optional private
part (`private`: what the API never shows, such as the processor reference),
partitioned by scope (account and mode). Each kind lives in its own table
with the columns it is filtered by, so lookups and pages are index reads.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from payintents.store.search import Criteria


@dataclass(frozen=True)
class Kind:
    table: str
    # Top-level fields of the object copied into indexed columns, for filters.
    columns: tuple[str, ...] = ()
    # Fields of the private part copied into columns (for the scheduler's due-work scan).
    private_columns: tuple[str, ...] = ()
    # Its metadata is copied into `search_metadata` for the Search API (store/search.py).
    search_metadata: bool = False
    # Columns the Search API matches as text: `:` ignoring case, `~` substrings.
    search_text: tuple[str, ...] = ()


KINDS: dict[str, Kind] = {
    "payment_intent": Kind(
        "payment_intents",
        ("customer", "status", "currency", "amount"),
        ("due_at",),
        search_metadata=True,
    ),
    "charge": Kind("charges", ("payment_intent", "customer")),
    "refund": Kind("refunds", ("payment_intent", "charge"), private_columns=("due_at",)),
    "payment_method": Kind("payment_methods", ("customer", "type")),
    "customer": Kind(
        "customers",
        ("email", "name", "phone"),
        search_metadata=True,
        search_text=("email", "name", "phone"),
    ),
    "cash_balance_transaction": Kind("customer_cash_balance_transactions", ("customer",)),
    "event": Kind("events", ("type",)),
    "webhook_endpoint": Kind("webhook_endpoints", ()),
}


@dataclass
class Record:
    data: dict[str, Any]
    private: dict[str, Any]
    seq: int


@dataclass(frozen=True)
class PageQuery:
    limit: int
    # Indexed column -> value (equality).
    filters: Mapping[str, Any] = field(default_factory=dict)
    # Column "created" bounds: {"gt": ts, "gte": ..., "lt": ..., "lte": ...}.
    created: Mapping[str, int] = field(default_factory=dict)
    # Keyset cursors: the (created, seq) of the object to page after / before.
    after: tuple[int, int] | None = None
    before: tuple[int, int] | None = None


@dataclass(frozen=True)
class Page:
    records: list[Record]
    has_more: bool


class Tx(Protocol):
    """One transaction. Writes made through it commit together or not at all."""

    # "sqlite" | "postgres": which SQL `execute` takes (placeholders, locking clauses).
    dialect: str

    def get(self, kind: str, scope: str, object_id: str) -> Record | None: ...

    def get_for_update(self, kind: str, scope: str, object_id: str) -> Record | None:
        """Read and lock the row until the transaction ends."""
        ...

    def insert(
        self, kind: str, scope: str, data: dict[str, Any], private: dict[str, Any] | None = None
    ) -> None: ...

    def update(
        self, kind: str, scope: str, data: dict[str, Any], private: dict[str, Any] | None = None
    ) -> None: ...

    def cursor_of(self, kind: str, scope: str, object_id: str) -> tuple[int, int] | None: ...

    def page(self, kind: str, scope: str, query: PageQuery) -> Page: ...

    def search(
        self,
        kind: str,
        scope: str,
        criteria: Criteria,
        limit: int,
        after: tuple[int, int] | None = None,
    ) -> Page:
        """Objects matching a Search API query, newest first, after the keyset cursor."""
        ...

    def due(self, kind: str, now: int, limit: int) -> list[tuple[str, str]]:
        """(id, scope) of objects whose `due_at` has passed, oldest first."""
        ...

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run a statement written in this store's dialect (for the non-object tables)."""
        ...


class Store(Protocol):
    dialect: str
    # Reads answer in well under a millisecond (no network): GETs run them on the event loop.
    inline_reads: bool

    def read(self) -> AbstractContextManager[Tx]: ...

    def write(self) -> AbstractContextManager[Tx]: ...

    def migrate(self) -> list[str]: ...

    def close(self) -> None: ...


def iter_kinds() -> Iterator[tuple[str, Kind]]:
    return iter(KINDS.items())
