"""Settings, from command-line flags and PAYINTENTS_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATABASE = "payintents.sqlite3"


@dataclass
class Config:
    host: str = "127.0.0.1"
    port: int = 12111
    database: str = DEFAULT_DATABASE
    # None: every well-formed key is its own account. A set: strict mode, only these keys work.
    api_keys: frozenset[str] | None = None
    # Seconds an uncaptured authorization lives before it is canceled (Stripe: 7 days).
    capture_window: int = 7 * 24 * 3600
    # Seconds added to the wall clock (tests travel in time with it).
    clock_offset: int = 0
    # Webhook retry delays in seconds (Stripe retries for up to 3 days).
    webhook_retry_schedule: tuple[int, ...] = field(
        default=(60, 300, 1800, 3600, 7200, 14400, 28800, 43200, 86400, 86400)
    )
    forward_to: str | None = None
    workers: int = 1

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


def load_keys(values: list[str], keys_file: str | None) -> frozenset[str] | None:
    keys = [v.strip() for v in values if v.strip()]
    if keys_file:
        for line in Path(keys_file).read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                keys.append(line)
    return frozenset(keys) if keys else None


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"PAYINTENTS_{name}", default)
