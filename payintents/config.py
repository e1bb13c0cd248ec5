"""Settings, from command-line flags and PAYINTENTS_* environment variables."""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field

import orjson

from payintents.keys import Keyring

DEFAULT_DATABASE = "payintents.sqlite3"


@dataclass
class Config:
    host: str = "127.0.0.1"
    port: int = 12111
    database: str = DEFAULT_DATABASE
    # None: development mode, every well-formed key is its own account. A keyring: only its
    # keys work (payintents/keys.py).
    keys: Keyring | None = None
    # Seconds an uncaptured authorization lives before it is canceled (Stripe: 7 days).
    capture_window: int = 7 * 24 * 3600
    # Seconds added to the wall clock (tests travel in time with it).
    clock_offset: int = 0
    # What manually entered US bank accounts are sent to verify them: two "amounts" or one
    # deposit with a "descriptor_code". Stripe chooses per account; no request parameter does.
    microdeposit_type: str = "amounts"
    # The country of every account (ISO 3166-1 alpha-2): which payment method types it offers.
    country: str = "US"
    # Webhook retry delays in seconds (Stripe retries for up to 3 days).
    webhook_retry_schedule: tuple[int, ...] = field(
        default=(60, 300, 1800, 3600, 7200, 14400, 28800, 43200, 86400, 86400)
    )
    # Seconds a webhook endpoint has to answer before the attempt counts as failed.
    webhook_timeout: float = 10.0
    # Run a webhook dispatcher in this server process (`payintents dispatch` runs one alone).
    dispatcher: bool = True
    forward_to: str | None = None
    # The account `forward_to` receives events of (a secret key); None: every account.
    forward_key: str | None = None
    forward_events: tuple[str, ...] = ("*",)
    # Server processes on this host (`serve --workers N`), each with its own store connections.
    workers: int = 1
    # PostgreSQL connections per process; None: the store's default.
    pool_size: int | None = None
    # Seconds to wait for a PostgreSQL connection (connect, or a free one of the pool) before
    # a request is answered 503 with Stripe-Should-Retry: true.
    database_timeout: float = 5.0
    # Bytes the SQLite file may grow to; past it writes fail as on a full disk. None: no limit.
    max_database_size: int | None = None
    # The test controls under /_payintents where only configured keys work (`keys`); they
    # are always on where every key is its own account.
    controls: bool = False
    # What one client may hold of the server (wire/connections.py).
    max_header_bytes: int = 32_768
    read_timeout: float = 10.0
    keep_alive_timeout: float = 5.0
    max_connections: int = 1000
    # Hosts live-mode webhook endpoints may post to although they are internal (lowercase).
    webhook_allow_internal: tuple[str, ...] = ()
    # The base URL browsers reach this server at (behind a proxy, in a container): the one
    # the Stripe.js served at /v3/ talks to and hosted pages' links (next_action URLs) name;
    # None: the URL each request came to.
    public_url: str | None = None

    @property
    def is_postgres(self) -> bool:
        return self.database.startswith(("postgresql://", "postgres://"))


def parse_duration(text: str) -> int:
    """`90`, `90s`, `15m`, `2h`, `7d` -> seconds."""
    text = text.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    if text and text[-1] in units:
        return int(text[:-1]) * units[text[-1]]
    return int(text)


_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def parse_size(text: str) -> int:
    """`1048576`, `512KB`, `20MB`, `2GB` (or KiB, MiB, GiB, K, M, G) -> bytes (1 KB = 1024)."""
    match = _SIZE.fullmatch(text.strip())
    size = int(float(match[1]) * _SIZE_UNITS[match[2].lower()]) if match else 0
    if size <= 0:
        raise ValueError(f"not a size of more than 0 bytes: {text!r} (e.g. 20MB, 512KB, 2GB)")
    return size


def format_duration(seconds: int) -> str:
    """`8d 2h 5m 3s`, leaving out the units that are zero (`0s` for none)."""
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return " ".join(parts) or "0s"


def parse_schedule(text: str) -> tuple[int, ...]:
    """`1,2,4` or `1m,5m,30m` -> delays in seconds between webhook attempts."""
    delays = tuple(parse_duration(part) for part in text.split(",") if part.strip())
    if any(d < 0 for d in delays):
        raise ValueError("webhook retry delays must not be negative")
    return delays


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"PAYINTENTS_{name}", default)


def config_to_json(config: Config) -> str:
    """The settings as JSON, for worker processes (`serve --workers`) to rebuild them."""

    return orjson.dumps(asdict(config)).decode()


def config_from_json(text: str) -> Config:
    values = orjson.loads(text)
    # JSON has lists only: the tuples and the keyring come back as what Config holds.
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    if values.get("keys") is not None:
        values["keys"] = Keyring.from_json(values["keys"])
    return Config(**values)
