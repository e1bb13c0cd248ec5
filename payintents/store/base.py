"""The persistence interface every store implements (SQLite, PostgreSQL).

Objects are stored as Stripe's wire dicts (`data`) with an optional private
part (`private`: what the API never shows, such as the processor reference),
partitioned by scope (account and mode). Each kind lives in its own table
with the columns it is filtered by, so lookups and pages are index reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from payintents.store.search import Criteria

T = TypeVar("T")


# The private field (and column) saying when the scheduler next acts on an object
# (services/scheduler.py DUE_WORK). The field holds the account's time, as the services compute
# it (ctx.now + a delay); the store keeps the column in the server's time, the field minus the
# account's clock offset (store/controls.py), so that one index finds what is due on every
# account, whatever its clock; an advance of an account's clock moves its columns back.
DUE = "due_at"


class RolledBack(Exception):
    """The database ended the transaction before its COMMIT (a full disk, an I/O error, no
    memory, a connection lost mid-transaction, a COMMIT that failed): nothing of the request's
    writes was committed, so a retry is safe (500 with Stripe-Should-Retry: true)."""


class Unavailable(RolledBack):
    """The database cannot be reached now (no connection within the timeout): nothing was
    begun (503 with Stripe-Should-Retry: true)."""


class OutcomeUnknown(Exception):
    """The connection was lost while its COMMIT was on the way: the writes may or may not be
    committed, and only the Idempotency-Key of a retry can tell (500 without
    Stripe-Should-Retry: a retry without the key could do the work twice)."""


@dataclass(frozen=True)
class Kind:
    table: str
    # Top-level fields of the object copied into indexed columns, for filters.
    columns: tuple[str, ...] = ()
    # Fields of the private part copied into columns (DUE, for the scheduler's due-work scan).
    private_columns: tuple[str, ...] = ()
    # Its metadata is copied into `search_metadata` for the Search API (store/search.py).
    search_metadata: bool = False
    # Columns the Search API matches as text: `:` ignoring case, `~` substrings.
    search_text: tuple[str, ...] = ()
    # Columns computed from the object rather than copied from a top-level field of the same
    # name (nested fields the Search API matches): column -> its value for a wire object.
    derived: Mapping[str, Callable[[dict[str, Any]], Any]] = field(default_factory=dict)
    # Search fields kept under another column: query field -> its column, and the column and
    # value that must also match for the field to exist (the charge's payment method type).
    search_columns: Mapping[str, SearchColumn] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchColumn:
    column: str
    guard: tuple[str, str] | None = None


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(value: str) -> str:
    """Search matches ignore ASCII case: the stored value and the query value are folded
    alike (ASCII only, as SQLite's lower() and the backfills in migrations 0006 and 0007)."""
    return value.translate(_ASCII_LOWER)


def _method_detail(name: str) -> Callable[[dict[str, Any]], Any]:
    """A field of charge.payment_method_details.<type>, whatever the type."""

    def value(charge: dict[str, Any]) -> Any:
        details = charge.get("payment_method_details") or {}
        found = (details.get(details.get("type") or "") or {}).get(name)
        return None if found is None else str(found)

    return value


def _postal_code(charge: dict[str, Any]) -> str | None:
    code = ((charge.get("billing_details") or {}).get("address") or {}).get("postal_code")
    # `:` ignores case: kept folded, as the query's value is.
    return None if code is None else fold(code)


_CARD_FIELDS = ("brand", "exp_month", "exp_year", "fingerprint", "last4")
_BANK_FIELDS = ("fingerprint", "last4")
# The payment method types whose charges carry each searchable detail.
CHARGE_METHOD_FIELDS: dict[str, tuple[str, ...]] = {
    "card": _CARD_FIELDS,
    "sepa_debit": _BANK_FIELDS,
    "us_bank_account": _BANK_FIELDS,
}


KINDS: dict[str, Kind] = {
    "payment_intent": Kind(
        "payment_intents",
        ("customer", "status", "currency", "amount"),
        ("due_at",),
        search_metadata=True,
    ),
    "charge": Kind(
        "charges",
        (
            "payment_intent",
            "customer",
            "status",
            "currency",
            "amount",
            "refunded",
            "disputed",
            "postal_code",
            "method_type",
            *(f"method_{name}" for name in _CARD_FIELDS),
        ),
        search_metadata=True,
        derived={
            "refunded": lambda charge: int(bool(charge.get("refunded"))),
            "disputed": lambda charge: int(bool(charge.get("disputed"))),
            "postal_code": _postal_code,
            "method_type": lambda charge: (charge.get("payment_method_details") or {}).get("type"),
            **{f"method_{name}": _method_detail(name) for name in _CARD_FIELDS},
        },
        search_columns={
            "billing_details.address.postal_code": SearchColumn("postal_code"),
            **{
                f"payment_method_details.{kind}.{name}": SearchColumn(
                    f"method_{name}", ("method_type", kind)
                )
                for kind, names in CHARGE_METHOD_FIELDS.items()
                for name in names
            },
        },
    ),
    "refund": Kind("refunds", ("payment_intent", "charge"), private_columns=("due_at",)),
    "payment_method": Kind("payment_methods", ("customer", "type")),
    "customer": Kind(
        "customers",
        ("email", "name", "phone"),
        search_metadata=True,
        search_text=("email", "name", "phone"),
    ),
    "cash_balance_transaction": Kind("customer_cash_balance_transactions", ("customer",)),
    "deleted_customer": Kind("deleted_customers"),
    "dispute": Kind("disputes", ("charge", "payment_intent"), private_columns=("due_at",)),
    "event": Kind("events", ("type",)),
    "webhook_endpoint": Kind("webhook_endpoints", ()),
    "confirmation_token": Kind("confirmation_tokens", ()),
    "setup_intent": Kind(
        "setup_intents",
        ("customer", "payment_method", "status", "attach_to_self"),
        ("due_at",),
        derived={"attach_to_self": lambda intent: int(bool(intent.get("attach_to_self")))},
    ),
    "setup_attempt": Kind("setup_attempts", ("setup_intent",)),
    "mandate": Kind("mandates"),
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

    def due(
        self, kind: str, now: int, limit: int, scope: str | None = None
    ) -> list[tuple[str, str]]:
        """(id, scope) of objects (of every scope, or of one) whose `due_at` column has
        passed `now` (the server's time; see DUE), oldest first."""
        ...

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run a statement written in this store's dialect (for the non-object tables)."""
        ...

    def remember(self, table: str, key: Any, read: Callable[[], T]) -> T:
        """`read()` of `table` once per transaction, until the transaction writes to it."""
        ...


class Store(Protocol):
    dialect: str
    # Reads answer in well under a millisecond (no network): GETs run them on the event loop.
    inline_reads: bool

    def read(self) -> AbstractContextManager[Tx]: ...

    def read_one(self, statement: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """The first row of one statement (in this store's dialect) run outside any
        transaction, in a snapshot of its own: a single indexed read costs no more."""
        ...

    def write(self) -> AbstractContextManager[Tx]: ...

    def write_now(self) -> AbstractContextManager[Tx] | None:
        """A write to run here on the event loop, begun without waiting for another writer,
        or None where the store cannot promise that now (then write() in a thread)."""
        ...

    async def committed(self) -> None:
        """Returns once the writes made through write_now so far are committed."""
        ...

    async def writable(self) -> bool:
        """After write_now gave None: wait until it would not, without holding up the event
        loop; False where the store cannot (then write() in a thread)."""
        ...

    def migrate(self) -> list[str]: ...

    def close(self) -> None: ...


def iter_kinds() -> Iterator[tuple[str, Kind]]:
    return iter(KINDS.items())
