"""Time, injectable: the domain never reads a clock of its own."""

from __future__ import annotations

import time


class Clock:
    """Wall-clock seconds, shifted by a configurable offset (tests travel in time with it)."""

    def __init__(self, offset: int = 0) -> None:
        self.offset = offset

    def now(self) -> int:
        return int(time.time()) + self.offset
