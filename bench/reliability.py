"""Reliability scenarios against a real server on loopback, each bounded in time, each
printing one line of figures:

    python -m bench.reliability [--scenarios crash,disk_full,pg_outage,flood]
                                [--store sqlite|postgres]
                                [--seconds 10] [--clients 4]

Every scenario drives `payintents serve` with the official SDK the way a user's code would
(retries on, so an idempotency key on every POST) and then counts, from what the server has:
writes acknowledged (2xx), acknowledged writes lost, duplicates (one order charged twice),
and the server's resident memory and open file descriptors before and after.

SCENARIOS maps a name to a function of the options returning its line; a scenario is added
by writing one and registering it with @scenario("name").
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import stripe

from bench.flood import flood_scenario
from bench.run import POSTGRES, fresh_database
from payintents.store.sqlite import SqliteStore
from tests.server import ServerProcess

Scenario = Callable[["Options"], str]
SCENARIOS: dict[str, Scenario] = {}


def scenario(name: str) -> Callable[[Scenario], Scenario]:
    def register(fn: Scenario) -> Scenario:
        SCENARIOS[name] = fn
        return fn

    return register


@dataclass
class Options:
    seconds: float
    store: str
    clients: int
    workdir: Path
    postgres: str = POSTGRES


@dataclass
class Figures:
    """A server process's resident memory and open file descriptors."""

    rss_mb: float
    fds: int

    @classmethod
    def of(cls, proc: ServerProcess) -> Figures:
        assert proc.proc is not None
        pid = proc.proc.pid
        rss = 0
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
        return cls(rss / 1024, len(list(Path(f"/proc/{pid}/fd").iterdir())))


def process(before: Figures, after: Figures) -> str:
    return f"rss_mb={before.rss_mb:.0f}->{after.rss_mb:.0f} fds={before.fds}->{after.fds}"


@dataclass
class Orders:
    """Each client pays numbered orders; what the server answered for each."""

    acked: dict[str, str] = field(default_factory=dict)  # order -> PaymentIntent id
    failed: Counter[str] = field(default_factory=Counter)  # status, retry header -> count
    lock: threading.Lock = field(default_factory=threading.Lock)

    def pay(self, client: stripe.StripeClient, order: str, metadata: dict[str, str]) -> None:
        try:
            pi = client.v1.payment_intents.create(
                params={
                    "amount": 1000,
                    "currency": "usd",
                    "payment_method": "pm_card_visa",
                    "payment_method_types": ["card"],
                    "confirm": True,
                    "metadata": {"order": order, **metadata},
                }
            )
        except stripe.StripeError as err:
            retry = (err.headers or {}).get("stripe-should-retry")
            with self.lock:
                self.failed[f"{err.http_status or 'no answer'}/retry={retry}"] += 1
            return
        with self.lock:
            self.acked[order] = pi.id

    def check(self, client: stripe.StripeClient) -> tuple[int, int, int]:
        """(acknowledged, lost, duplicates) from every intent and charge the server has: lost,
        an acknowledged order whose intent is gone or not paid; duplicates, the payments an
        order has beyond its first (a retry that paid again), and intents with two charges."""
        paid: Counter[str] = Counter()
        intents = {}
        for pi in client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter():
            intents[pi.id] = pi
            if pi.status == "succeeded":
                paid[pi.metadata["order"]] += 1
        charged: Counter[str] = Counter()
        for ch in client.v1.charges.list(params={"limit": 100}).auto_paging_iter():
            if ch.status == "succeeded":
                charged[ch.payment_intent] += 1
        lost = sum(
            1
            for pi_id in self.acked.values()
            if pi_id not in intents or intents[pi_id].status != "succeeded"
        )
        duplicates = sum(n - 1 for n in paid.values() if n > 1)
        duplicates += sum(n - 1 for n in charged.values() if n > 1)
        return len(self.acked), lost, duplicates


def sdk(proc: ServerProcess, key: str, retries: int) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key=key, base_addresses={"api": proc.url}, max_network_retries=retries
    )


def new_key() -> str:
    return f"sk_test_reliability{random.getrandbits(64):016x}"


@contextmanager
def load(
    proc: ServerProcess,
    key: str,
    orders: Orders,
    clients: int,
    metadata: dict[str, str],
    retries: int = 6,
) -> Iterator[threading.Event]:
    """`clients` threads paying orders until the event is set (then joined), with SDKs
    making up to `retries` retries."""
    stop = threading.Event()

    def run(n: int) -> None:
        client, count = sdk(proc, key, retries), 0
        while not stop.is_set():
            count += 1
            orders.pay(client, f"{n}-{count}", metadata)

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    try:
        yield stop
    finally:
        stop.set()
        for t in threads:
            t.join(60)


@contextmanager
def database(opts: Options, name: str) -> Iterator[str]:
    if opts.store == "sqlite":
        yield str(opts.workdir / f"{name}.sqlite3")
        return
    with fresh_database("postgres", opts.workdir, opts.postgres) as url:
        yield url


@scenario("crash")
def crash(opts: Options) -> str:
    """kill -9 at random moments under load, restart at once; the clients' SDKs retry what
    got no answer with its idempotency key."""
    with database(opts, "crash") as db:
        proc = ServerProcess(db, log_path=opts.workdir / "crash.log").start()
        before = Figures.of(proc)
        orders, key, kills = Orders(), new_key(), 0
        started = time.monotonic()
        try:
            with load(proc, key, orders, opts.clients, {}):
                while time.monotonic() - started < opts.seconds - 1.5:
                    time.sleep(random.uniform(0.5, 1.5))
                    proc.kill()
                    kills += 1
                    proc.start()
                time.sleep(1.0)
            after = Figures.of(proc)
            acked, lost, duplicates = orders.check(sdk(proc, key, 0))
        finally:
            proc.stop()
    failures = ",".join(f"{k}:{v}" for k, v in sorted(orders.failed.items())) or "0"
    return (
        f"crash      store={opts.store} kills={kills} acknowledged={acked} lost={lost} "
        f"duplicates={duplicates} failed={failures} {process(before, after)} "
        f"({time.monotonic() - started:.0f} s)"
    )


# With the order, 50 metadata values (Stripe's most) of 500 characters: about 25 KB per
# payment, copied into its events.
BIG = {f"k{n}": f"{n:03d}" + "x" * 497 for n in range(49)}


@scenario("disk_full")
def disk_full(opts: Options) -> str:
    """SQLite: the file may grow by 3 MB only (--max-database-size); clients pay until it is
    full, then space is freed inside the file (a table of ballast dropped) and the same server
    must write again by itself."""
    path = opts.workdir / "full.sqlite3"
    store = SqliteStore(str(path))
    store.migrate()
    store.close()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE ballast (b BLOB)")
        conn.executemany("INSERT INTO ballast VALUES (randomblob(4000))", [()] * 1000)
        conn.commit()
        pages, size = (
            conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "page_size")
        )
    limit = pages * size + 3 * 1024 * 1024
    proc = ServerProcess(
        str(path), "--max-database-size", str(limit), log_path=opts.workdir / "full.log"
    )
    proc.start()
    started = time.monotonic()
    try:
        before = Figures.of(proc)
        orders, key = Orders(), new_key()
        # No retries: each failure is counted as answered (the SDKs would retry them).
        with load(proc, key, orders, max(opts.clients, 8), BIG, retries=0):
            while sum(orders.failed.values()) < 30 and time.monotonic() - started < opts.seconds:
                time.sleep(0.05)
        failed = dict(orders.failed)
        acked, lost, duplicates = orders.check(sdk(proc, key, 0))
        with closing(sqlite3.connect(path, timeout=30)) as conn:
            conn.execute("DROP TABLE ballast")
            conn.commit()
        again = Orders()
        client = sdk(proc, key, 0)
        for n in range(5):
            again.pay(client, f"again-{n}", BIG)
        after = Figures.of(proc)
        # Kept although answered with a failure: a retry would pay twice.
        stored = {
            pi.id for pi in client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()
        }
        kept_failed = len(stored - set(orders.acked.values()) - set(again.acked.values()))
    finally:
        proc.stop()
    with closing(sqlite3.connect(path)) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    failures = ",".join(f"{k}:{v}" for k, v in sorted(failed.items()))
    return (
        f"disk_full  store=sqlite acknowledged={acked} lost={lost} "
        f"duplicates={duplicates + kept_failed} failed={failures} "
        f"recovered={len(again.acked)}/5 integrity={integrity} {process(before, after)} "
        f"({time.monotonic() - started:.0f} s)"
    )


@scenario("pg_outage")
def pg_outage(opts: Options) -> str:
    """PostgreSQL cut off (a TCP proxy between the server and it) for 2 s under load, with
    --database-timeout 1: the clients' SDKs retry through it. Also measured: how long a
    request waits for its failure during the outage, and how soon after the database is back
    the server answers again."""
    import httpx
    import psycopg

    from tests.tcp_proxy import TcpProxy

    try:
        psycopg.connect(opts.postgres, connect_timeout=3).close()
    except psycopg.Error as err:
        return f"pg_outage  skipped: PostgreSQL unreachable at {opts.postgres}: {err}".strip()
    with fresh_database("postgres", opts.workdir, opts.postgres) as url:
        parts = urlsplit(url)
        proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
        user = parts.netloc.rpartition("@")[0]
        proxied = urlunsplit(parts._replace(netloc=f"{user}@{proxy.url_host}"))
        proc = ServerProcess(proxied, "--database-timeout", "1", log_path=opts.workdir / "pg.log")
        proc.start()
        started = time.monotonic()
        try:
            before = Figures.of(proc)
            orders, key = Orders(), new_key()
            with (
                load(proc, key, orders, opts.clients, {}),
                httpx.Client(
                    base_url=proc.url, headers={"Authorization": f"Bearer {key}"}, timeout=30
                ) as http,
            ):
                time.sleep(opts.seconds / 3)
                proxy.cut()
                cut, slowest = time.monotonic(), 0.0
                while time.monotonic() - cut < 2:
                    asked = time.monotonic()
                    http.get("/v1/payment_intents", params={"limit": 1})
                    slowest = max(slowest, time.monotonic() - asked)
                proxy.restore()
                restored = time.monotonic()
                while http.get("/v1/payment_intents", params={"limit": 1}).status_code != 200:
                    time.sleep(0.01)
                back = time.monotonic() - restored
                time.sleep(max(0.0, opts.seconds - (time.monotonic() - started)))
            after = Figures.of(proc)
            acked, lost, duplicates = orders.check(sdk(proc, key, 0))
        finally:
            proc.stop()
            proxy.close()
    failures = ",".join(f"{k}:{v}" for k, v in sorted(orders.failed.items())) or "0"
    return (
        f"pg_outage  store=postgres acknowledged={acked} lost={lost} duplicates={duplicates} "
        f"failed={failures} slowest_failure_s={slowest:.2f} back_after_s={back:.2f} "
        f"{process(before, after)} ({time.monotonic() - started:.0f} s)"
    )


@scenario("flood")
def connection_flood(opts: Options) -> str:
    """bench/flood.py's flood of idle, slow and oversized connections, for as long as the
    other scenarios run, with a client served throughout."""
    return flood_scenario(seconds=min(opts.seconds, 10.0))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help="comma-separated (default: all); crash runs on --store, disk_full on SQLite, "
        "pg_outage on PostgreSQL (--postgres), flood on SQLite",
    )
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=10.0, help="per scenario (bound)")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--postgres", default=POSTGRES, help="for pg_outage and --store postgres")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.scenarios.split(",") if n.strip()]
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        sys.exit(f"reliability: unknown scenario(s) {unknown}; known: {sorted(SCENARIOS)}")
    with tempfile.TemporaryDirectory(prefix="payintents-reliability-") as workdir:
        opts = Options(args.seconds, args.store, args.clients, Path(workdir), args.postgres)
        for name in names:
            print(SCENARIOS[name](opts), flush=True)


if __name__ == "__main__":
    main()
