"""wire/idempotency.run against each store: what is stored, for how long, and what is not."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from payintents.errors import ApiError
from payintents.store.base import Store
from payintents.wire import idempotency

DAY = 24 * 3600
T0 = 1_700_000_000


class Handler:
    """Counts its runs and answers what it is told to."""

    def __init__(self, status: int = 200) -> None:
        self.runs = 0
        self.status = status

    def __call__(self) -> idempotency.Result:
        self.runs += 1
        return self.status, f'{{"run": {self.runs}}}'.encode()


def call(
    store: Store,
    handler: Handler,
    *,
    now: int = T0,
    params: dict[str, str] | None = None,
    endpoint: str = "/v1/payment_intents",
    scope: str = "acct_A/test",
    request_id: str = "req_1",
) -> tuple[idempotency.Result, str | None]:
    return idempotency.run(
        store,
        scope=scope,
        key="k1",
        endpoint=endpoint,
        params=params or {"amount": "100", "metadata": {"a": "1", "b": "2"}},
        request_id=request_id,
        now=now,
        execute=handler,
    )


def test_a_repeat_within_a_day_is_the_stored_result(store: Store) -> None:
    handler = Handler()
    assert call(store, handler) == ((200, b'{"run": 1}'), None)
    # Parameter order does not matter: the fingerprint is of the decoded, sorted tree.
    again = call(
        store,
        handler,
        now=T0 + DAY - 1,
        params={"metadata": {"b": "2", "a": "1"}, "amount": "100"},
        request_id="req_2",
    )
    assert again == ((200, b'{"run": 1}'), "req_1")
    assert handler.runs == 1


def test_a_day_later_the_key_is_new(store: Store) -> None:
    handler = Handler()
    call(store, handler)
    assert call(store, handler, now=T0 + DAY, request_id="req_2") == ((200, b'{"run": 2}'), None)


def test_other_parameters_or_endpoint_are_refused(store: Store) -> None:
    handler = Handler(402)
    call(store, handler)
    with pytest.raises(ApiError) as caught:
        call(store, handler, params={"amount": "101"})
    assert caught.value.type == "idempotency_error"
    with pytest.raises(ApiError) as caught:
        call(store, handler, endpoint="/v1/customers")
    assert "('/v1/payment_intents' vs '/v1/customers')" in caught.value.message
    assert handler.runs == 1


def test_keys_are_per_scope(store: Store) -> None:
    handler = Handler()
    call(store, handler)
    assert call(store, handler, scope="acct_B/test")[1] is None
    assert handler.runs == 2


@pytest.mark.parametrize("status", [409, 500, 503])
def test_conflicts_and_server_errors_are_not_stored(store: Store, status: int) -> None:
    handler = Handler(status)
    call(store, handler)
    assert call(store, handler) == ((status, b'{"run": 2}'), None)


def test_prune_forgets_keys_older_than_a_day(store: Store) -> None:
    call(store, Handler())
    idempotency.prune(store, T0 + DAY - 1)
    with store.read() as tx:
        assert tx.execute("SELECT count(*) FROM idempotency_keys")[0][0] == 1
    idempotency.prune(store, T0 + DAY + 1)
    with store.read() as tx:
        assert tx.execute("SELECT count(*) FROM idempotency_keys")[0][0] == 0


def test_in_flight_holds_one_key_of_one_scope_at_a_time() -> None:
    in_flight = idempotency.InFlight()
    with in_flight.hold("acct_A/test", "k1"):
        with pytest.raises(ApiError) as caught, in_flight.hold("acct_A/test", "k1"):
            pass
        assert (caught.value.status, caught.value.code) == (409, "idempotency_key_in_use")
        with in_flight.hold("acct_B/test", "k1"), in_flight.hold("acct_A/test", "k2"):
            pass
    # Released on the way out, by an error too.
    with pytest.raises(RuntimeError), in_flight.hold("acct_A/test", "k1"):
        raise RuntimeError
    with in_flight.hold("acct_A/test", "k1"):
        pass


def test_a_repeat_while_the_first_runs_is_refused_at_once(store: Store) -> None:
    """On SQLite the database lets the repeat wait for the first (writers queue) and then
    replay: only the in-process check answers 409 while the first is still running."""
    in_flight = idempotency.InFlight()
    running, finish = threading.Event(), threading.Event()
    first = Handler()
    second = Handler()

    def slow() -> idempotency.Result:
        running.set()
        assert finish.wait(10)
        return first()

    def run(execute: Callable[[], idempotency.Result]) -> tuple[idempotency.Result, str | None]:
        # As the server does (wire/http.py): the key is held in flight around the write.
        with in_flight.hold("acct_A/test", "k1"):
            return idempotency.run(
                store, scope="acct_A/test", key="k1", endpoint="/v1/customers",
                params={"email": "a@example.com"}, request_id="req_1", now=T0, execute=execute,
            )  # fmt: skip

    with ThreadPoolExecutor(2) as pool:
        holder = pool.submit(run, slow)
        assert running.wait(10)
        repeat = pool.submit(run, second)
        try:
            error = repeat.exception(timeout=5)
        finally:
            finish.set()
        assert isinstance(error, ApiError)
        assert (error.status, error.code) == (409, "idempotency_key_in_use")
        assert holder.result(timeout=10) == ((200, b'{"run": 1}'), None)
    assert (first.runs, second.runs) == (1, 0)
