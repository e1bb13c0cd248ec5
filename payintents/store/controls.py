"""The tables of the test controls (payintents/testing): each account's clock offset and
fault-rule counts (`account_controls`, one row per account and mode that used a control) and
its fault rules (`fault_rules`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from payintents.store.base import Store, Tx

REQUEST, WEBHOOK = "request", "webhook"


@dataclass(frozen=True)
class AccountControls:
    # Seconds the account's clock runs ahead of the server's.
    clock_offset: int = 0
    # Fault rules with matches left, on API requests and on webhook deliveries.
    request_faults: int = 0
    webhook_faults: int = 0


NONE = AccountControls()

_READ = "SELECT clock_offset, request_faults, webhook_faults FROM account_controls WHERE scope = ?"


def _native(tx: Tx | Store, statement: str) -> str:
    """Statements here use `?` placeholders; PostgreSQL's driver wants `%s`."""
    return statement.replace("?", "%s") if tx.dialect == "postgres" else statement


def _of(row: tuple[Any, ...] | None) -> AccountControls:
    return AccountControls(int(row[0]), int(row[1]), int(row[2])) if row else NONE


def peek(store: Store, scope: str) -> AccountControls:
    """The account's row, read outside any transaction: the one read a request makes for its
    clock and its fault rules."""
    return _of(store.read_one(_native(store, _READ), (scope,)))


def read(tx: Tx, scope: str) -> AccountControls:
    """The account's row as this transaction sees it (read once per transaction)."""
    return tx.remember("account_controls", scope, lambda: _of(_first(tx, _READ, (scope,))))


def read_for_update(tx: Tx, scope: str) -> AccountControls:
    """The account's row, created if missing and locked until the transaction ends (SQLite's
    writers are serialized already)."""
    tx.execute(
        _native(
            tx, "INSERT INTO account_controls (scope) VALUES (?) ON CONFLICT (scope) DO NOTHING"
        ),
        (scope,),
    )
    lock = " FOR UPDATE" if tx.dialect == "postgres" else ""
    return _of(_first(tx, _READ + lock, (scope,)))


def _first(tx: Tx, statement: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
    rows = tx.execute(_native(tx, statement), params)
    return rows[0] if rows else None


def move_clock(tx: Tx, scope: str, seconds: int) -> None:
    """The account's clock `seconds` further ahead (its row exists: read_for_update)."""
    tx.execute(
        _native(tx, "UPDATE account_controls SET clock_offset = clock_offset + ? WHERE scope = ?"),
        (seconds, scope),
    )


def count_faults(tx: Tx, scope: str, target: str, delta: int) -> None:
    """One more (or fewer) rule of `target` with matches left (its row exists)."""
    column = {REQUEST: "request_faults", WEBHOOK: "webhook_faults"}[target]
    tx.execute(
        _native(tx, f"UPDATE account_controls SET {column} = {column} + ? WHERE scope = ?"),
        (delta, scope),
    )


def clear_rules(tx: Tx, scope: str) -> int:
    """The account's fault rules gone; how many there were."""
    rows = tx.execute(
        _native(tx, "DELETE FROM fault_rules WHERE scope = ? RETURNING seq"), (scope,)
    )
    tx.execute(
        _native(
            tx,
            "UPDATE account_controls SET request_faults = 0, webhook_faults = 0 WHERE scope = ?",
        ),
        (scope,),
    )
    return len(rows)


def forget_account(tx: Tx, scope: str) -> int:
    """The account's clock back to the server's, its fault rules gone; how many rules were."""
    cleared = clear_rules(tx, scope)
    tx.execute(_native(tx, "DELETE FROM account_controls WHERE scope = ?"), (scope,))
    return cleared


# Fault rules.


@dataclass(frozen=True)
class Rule:
    id: str
    target: str
    created: int
    # What POST /_payintents/faults was given, decoded (method, path, mode, status...).
    spec: dict[str, Any]
    remaining: int
    matched: int


_RULE_COLUMNS = "id, target, created, rule, remaining, matched"


def _rule(row: tuple[Any, ...]) -> Rule:
    return Rule(row[0], row[1], int(row[2]), orjson.loads(row[3]), int(row[4]), int(row[5]))


def insert_rule(
    tx: Tx, scope: str, rule_id: str, target: str, created: int, spec: dict[str, Any], count: int
) -> Rule:
    tx.execute(
        _native(
            tx,
            "INSERT INTO fault_rules (id, scope, target, created, rule, remaining, matched) "
            "VALUES (?, ?, ?, ?, ?, ?, 0)",
        ),
        (rule_id, scope, target, created, orjson.dumps(spec), count),
    )
    return Rule(rule_id, target, created, spec, count, 0)


def rules(tx: Tx, scope: str, target: str | None = None, active: bool = False) -> list[Rule]:
    """The account's rules in the order they were made (of one target; with matches left)."""
    where, params = "scope = ?", [scope]
    if target is not None:
        where += " AND target = ?"
        params.append(target)
    if active:
        where += " AND remaining > 0"
    rows = tx.execute(
        _native(tx, f"SELECT {_RULE_COLUMNS} FROM fault_rules WHERE {where} ORDER BY seq"),
        tuple(params),
    )
    return [_rule(r) for r in rows]


def take(tx: Tx, rule_id: str) -> int | None:
    """One match of the rule, if it has one left: the matches then left (None: it had none,
    another process took the last). Atomic: the row is updated only where it still qualifies."""
    rows = tx.execute(
        _native(
            tx,
            "UPDATE fault_rules SET remaining = remaining - 1, matched = matched + 1 "
            "WHERE id = ? AND remaining > 0 RETURNING remaining",
        ),
        (rule_id,),
    )
    return int(rows[0][0]) if rows else None
