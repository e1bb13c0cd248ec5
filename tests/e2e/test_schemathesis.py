"""schemathesis drives a live server from its own `GET /openapi.json`: every operation with
positive and negative data, then stateful runs along the creation links (create a
PaymentIntent, then confirm, capture or cancel it...). It must find no 500, no answer that
breaks its declared schema, and no request answered 4xx that changed anything: the account's
rows in the database are compared before and after each such request."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from payintents.resources import ENDPOINTS
from payintents.wire.auth import account_for
from tests.conftest import STORES, database, new_key, publishable, query
from tests.http_client import HTTP
from tests.pg import admin_url, postgres_reachable
from tests.server import ServerProcess

# Checks every answer gets. schemathesis's positive_data_acceptance is left out: data valid
# for the schema is still refused by business rules (an id naming nothing is a 404, a
# confirm without a payment method a 400), as on Stripe.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# What only Stripe.js calls is called with the account's publishable key.
PUBLISHABLE_ONLY = {(e.method, e.path) for e in ENDPOINTS if not e.secret}

# Budget: the whole file stays under about three minutes on two cores, both stores.
SETTINGS = hypothesis.settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(hypothesis.HealthCheck),
)
STATEFUL_SETTINGS = hypothesis.settings(SETTINGS, max_examples=50, stateful_step_count=10)

# One session for every request: without one each call makes its own, and reads the
# environment's proxies and ~/.netrc again (a few milliseconds a request, thousands of them).
SESSION = requests.Session()
SESSION.trust_env = False

# Every table that holds an account's state, with its account column.
_TABLES = {
    "payment_intents": "scope",
    "charges": "scope",
    "refunds": "scope",
    "payment_methods": "scope",
    "customers": "scope",
    "events": "scope",
    "webhook_endpoints": "scope",
    "customer_cash_balance_transactions": "scope",
    "confirmation_tokens": "scope",
    "setup_intents": "scope",
    "setup_attempts": "scope",
    "mandates": "scope",
}


def scope_of(key: str) -> str:
    """The store's partition of a `sk_test_` key's account (wire.auth, services.context)."""
    return f"{account_for(key.removeprefix('sk_test_'))}/test"


def _text(column: str) -> str:
    """The column as text in both dialects (PostgreSQL keeps objects as bytes)."""
    return f"CAST({column} AS TEXT)"


def snapshot(db: str, key: str) -> list[tuple[Any, ...]]:
    """Every row of the key's account: objects (public and private parts), search metadata,
    webhook deliveries queued for its events. Scopes are hex and a fixed suffix."""
    scope = scope_of(key)
    parts = [
        f"SELECT '{table}', id, {_text('data')}, {_text('private')} FROM {table}"
        f" WHERE {column} = '{scope}'"
        for table, column in _TABLES.items()
    ]
    parts.append(
        "SELECT 'search_metadata', object_id, key, value FROM search_metadata"
        f" WHERE scope = '{scope}'"
    )
    parts.append(
        "SELECT 'webhook_deliveries', event_id, endpoint_id, status FROM webhook_deliveries"
        f" WHERE event_scope = '{scope}'"
    )
    return sorted(query(db, " UNION ALL ".join(parts) + " ORDER BY 1, 2, 3"))


def scheduled_soon(db: str, key: str) -> bool:
    """Whether the scheduler may change the account on its own now (a bank debit settling,
    a refund reaching its final status): then a change is not the request's doing."""
    scope, soon = scope_of(key), int(time.time()) + 5
    rows = query(
        db,
        " UNION ALL ".join(
            f"SELECT id FROM {table} WHERE scope = '{scope}' AND due_at IS NOT NULL"
            f" AND due_at <= {soon}"
            for table in ("payment_intents", "refunds")
        ),
    )
    return bool(rows)


def changed(before: list[tuple[Any, ...]], after: list[tuple[Any, ...]]) -> str:
    gone = [row[:2] for row in before if row not in after]
    new = [row[:2] for row in after if row not in before]
    return f"rows changed or removed: {gone}; rows added or changed: {new}"


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ServerProcess]]:
    """A server of this module's own on each store, without a webhook dispatcher: fuzzed
    webhook endpoints have arbitrary URLs, and nothing may be posted to them. Where PostgreSQL
    is unreachable only SQLite is fuzzed, and test_stateful_links[postgres] skips saying why."""
    with ExitStack() as stack:
        servers = {}
        for store in STORES:
            if store == "postgres" and not postgres_reachable():
                continue
            folder: Path = tmp_path_factory.mktemp(f"fuzz-{store}")
            db = stack.enter_context(database(store, folder))
            proc = ServerProcess(db, "--no-dispatcher", log_path=folder / "server.log").start()
            stack.callback(proc.stop)
            servers[store] = proc
        yield servers


def on_store(fuzzed: dict[str, ServerProcess], store: str) -> ServerProcess:
    """The module's server on `store`; where PostgreSQL is unreachable, skips saying why."""
    if store not in fuzzed:
        admin_url()
    return fuzzed[store]


@pytest.fixture(scope="module")
def api_schema(fuzzed: dict[str, ServerProcess]) -> Any:
    return schemathesis.openapi.from_url(fuzzed["sqlite"].url + "/openapi.json")


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
@pytest.mark.parametrize(
    ("method", "path"), [(e.method, e.path) for e in ENDPOINTS], ids=lambda v: str(v)
)
def test_every_operation(
    api_schema: Any, fuzzed: dict[str, ServerProcess], method: str, path: str, mode: GenerationMode
) -> None:
    """One request per example and store, each from an account of its own: a 4xx must leave
    that account with nothing at all. Each example is drawn once and sent to every store
    (drawing them is most of this file's time)."""

    @hypothesis.given(case=api_schema[path][method].as_strategy(generation_mode=mode))
    @SETTINGS
    def request(case: Any) -> None:
        for store, proc in fuzzed.items():
            key = new_key()
            sent = publishable(key) if (method, path) in PUBLISHABLE_ONLY else key
            try:
                auth = {"Authorization": f"Bearer {sent}"}
                response = case.call(base_url=proc.url, session=SESSION, headers=auth)
                case.validate_response(response, checks=CHECKS)
                if 400 <= response.status_code < 500:
                    after = snapshot(proc.database, key)
                    assert not after, f"{response.status_code} but {changed([], after)}"
            except Exception as err:
                err.add_note(f"on {store}")
                raise

    request()


@pytest.mark.parametrize("store", STORES)
def test_stateful_links(fuzzed: dict[str, ServerProcess], api_schema: Any, store: str) -> None:
    """Sequences along the creation links, each in an account of its own; around every
    request answered 4xx, the account's rows must be the same."""
    server = on_store(fuzzed, store)

    class Links(api_schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            self.key = new_key()
            self.before: list[tuple[Any, ...]] = []

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            only = (case.method.upper(), case.path) in PUBLISHABLE_ONLY
            key = publishable(self.key) if only else self.key
            auth = {"Authorization": f"Bearer {key}"}
            return {"base_url": server.url, "session": SESSION, "headers": auth}

        def before_call(self, case: Any) -> None:
            self.before = snapshot(server.database, self.key)

        def after_call(self, response: Any, case: Any) -> None:
            if 400 <= response.status_code < 500 and not scheduled_soon(server.database, self.key):
                after = snapshot(server.database, self.key)
                assert after == self.before, (
                    f"{case.method} {case.formatted_path} answered {response.status_code} but "
                    + changed(self.before, after)
                )

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    Links.run(settings=STATEFUL_SETTINGS)


@pytest.mark.parametrize("store", STORES)
def test_the_state_check_sees_every_write(fuzzed: dict[str, ServerProcess], store: str) -> None:
    """The comparison the 4xx check rests on notices a create and an update."""
    server = on_store(fuzzed, store)
    key = new_key()
    auth = {"Authorization": f"Bearer {key}"}
    assert snapshot(server.database, key) == []
    created = HTTP.post(server.url + "/v1/customers", headers=auth, data={"name": "A"})
    before = snapshot(server.database, key)
    assert {row[0] for row in before} == {"customers", "events"}
    url = f"{server.url}/v1/customers/{created.json()['id']}"
    HTTP.post(url, headers=auth, data={"metadata[k]": "v"})
    after = snapshot(server.database, key)
    assert after != before and "search_metadata" in {row[0] for row in after}
