"""PostgreSQL connections for the store: a psycopg_pool pool that fails fast while the
database is away and is whole again within moments of its return.

psycopg_pool retries a failed connection attempt itself, after 1 s, 2 s, 4 s and so on: a
database back after an outage of a few seconds waited up to as long again for the next try.
Here the pool gives up at once (reconnect_timeout=0) and a prober thread of this module tries
every PROBE_INTERVAL instead, while the pool has found the database away; once a connection
succeeds, `check()` has the pool drop the connections broken meanwhile and connect again, and
the requests waiting for a connection get one. A request waits at most `timeout` seconds for
a connection (the pool's, and libpq's connect_timeout), then fails with Unavailable.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from payintents.store.base import Unavailable

log = logging.getLogger("payintents")

# Seconds between connection attempts while the database is away.
PROBE_INTERVAL = 0.2


class Pool:
    def __init__(
        self,
        url: str,
        size: int,
        timeout: float,
        kwargs: dict[str, Any],
        configure: Callable[[psycopg.Connection[Any]], None],
    ) -> None:
        self._url = url
        self.timeout = timeout
        # libpq counts whole seconds, and takes less than 2 as 2.
        self._kwargs = {"connect_timeout": max(2, math.ceil(timeout)), **kwargs}
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max(1, size),
            timeout=timeout,
            kwargs=self._kwargs,
            configure=configure,
            name="payintents",
            # Opened on first use: a server that cannot connect fails in migrate() with
            # libpq's message, before the pool starts connecting in the background.
            open=False,
            reconnect_timeout=0,
            reconnect_failed=lambda _: self._away.set(),
        )
        self.max_size = self._pool.max_size
        self._away = threading.Event()
        self._stopped = threading.Event()
        self._prober: threading.Thread | None = None
        self._lock = threading.Lock()

    def open(self) -> None:
        with self._lock:
            if self._prober is not None:
                return
            self._pool.open()
            self._prober = threading.Thread(target=self._probe, name="payintents-pg-probe")
            self._prober.daemon = True
            self._prober.start()

    def getconn(self) -> psycopg.Connection[Any]:
        try:
            return self._pool.getconn()
        except PoolTimeout as err:
            # Away, or every connection busy for that long: either way nothing was begun.
            self._away.set()
            raise Unavailable(f"no PostgreSQL connection within {self.timeout:g} s") from err
        except PoolClosed as err:
            raise Unavailable("the PostgreSQL pool is closed (the server is stopping)") from err

    def putconn(self, conn: psycopg.Connection[Any]) -> None:
        self._pool.putconn(conn)

    def lost(self) -> None:
        """A connection broke: the database may be away; the prober finds out."""
        self._away.set()

    def _probe(self) -> None:
        while not self._stopped.is_set():
            if not self._away.wait(1.0) or self._stopped.is_set():
                continue
            try:
                with psycopg.connect(self._url, **self._kwargs):
                    pass
            except psycopg.Error as err:
                log.debug("PostgreSQL still unreachable: %s", err)
                self._stopped.wait(PROBE_INTERVAL)
                continue
            self._away.clear()
            try:
                # Broken idle connections out, new ones in (the pool grows if it has none).
                self._pool.check()
            except PoolClosed:
                return

    def close(self) -> None:
        self._stopped.set()
        self._away.set()
        self._pool.close()
        if self._prober is not None:
            self._prober.join(5)
