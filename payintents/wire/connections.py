"""What one client may hold of the server: the size of a request's head, how long a
connection may take to send it or sit idle, and how many connections a process keeps open.

`serve` builds a `ServerConfig` (uvicorn's settings plus these limits); the HTTP protocol
(wire/server_protocol.py) enforces them per connection, and `IdlePool` chooses which
connection gives way when a process is at its cap.
"""

from __future__ import annotations

import resource
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import uvicorn


@dataclass(frozen=True)
class Limits:
    # Bytes of header fields (names, values and their separators) one request may send.
    max_header_bytes: int = 32_768
    # Seconds a connection has to send a whole request (head and body), from its first byte
    # (or from connecting, for its first request).
    read_timeout: float = 10.0
    # Seconds a connection may sit idle between requests.
    keep_alive_timeout: float = 5.0
    # Open connections per server process.
    max_connections: int = 1000


class ServerConfig(uvicorn.Config):
    """uvicorn's settings and ours; it travels to `serve --workers` processes as it is."""

    def __init__(self, app: Any, limits: Limits, **options: Any) -> None:
        super().__init__(app, timeout_keep_alive=limits.keep_alive_timeout, **options)  # type: ignore[arg-type]
        self.limits = limits


P = TypeVar("P")


class IdlePool(Generic[P]):
    """The connections of one process that have no request in progress, oldest first:
    `fresh` have not yet sent a whole request head (just connected, slow, or refused and
    being drained), `kept` were served and wait for the next request (keep-alive). At the
    cap, a new connection displaces the oldest fresh one, else the oldest kept one; a
    connection whose request is in progress is never displaced."""

    def __init__(self) -> None:
        self.fresh: dict[P, None] = {}
        self.kept: dict[P, None] = {}

    def add_fresh(self, conn: P) -> None:
        self.kept.pop(conn, None)
        self.fresh[conn] = None

    def add_kept(self, conn: P) -> None:
        self.fresh.pop(conn, None)
        self.kept[conn] = None

    def discard(self, conn: P) -> None:
        self.fresh.pop(conn, None)
        self.kept.pop(conn, None)

    def pop_oldest(self, besides: P) -> P | None:
        for group in (self.fresh, self.kept):
            for conn in group:
                if conn is not besides:
                    del group[conn]
                    return conn
        return None


def raise_open_files_limit() -> int:
    """Raise this process's soft limit on open files to its hard limit (each connection
    holds one); returns the limit now in force. Worker processes inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return soft
