"""Object ids in Stripe's shapes: a prefix and alphanumerics.

An object id (24 characters after the prefix) starts with its creation time, in microseconds
in 9 base-62 digits, and ends with 15 random characters (89 bits), so ids made one after
another sort one after another, as Stripe's roughly do (objects born of one PaymentIntent
share a stem there). That is what keeps writes cheap: a new id's index entry lands on the
index's last page, which the other inserts of a COMMIT also write, instead of on a page of its
own somewhere in the middle (random ids made a group of 16 payments write about twice the
pages). Secrets (client secrets, signing secrets) and short ids stay wholly random.
"""

from __future__ import annotations

import os
import string
import threading
import time

_ALPHABET = string.ascii_letters + string.digits
# Random bytes below 248 (4 x 62) map evenly onto the alphabet; the rest are dropped, so
# every character is uniform.
_EVEN = 256 - 256 % len(_ALPHABET)
_TO_ALPHABET = bytes(ord(_ALPHABET[b % len(_ALPHABET)]) for b in range(_EVEN)) + bytes(256 - _EVEN)
_UNEVEN = bytes(range(_EVEN, 256))
# Digits in ASCII order, so that ids compare (bytewise, as the indexes do) in time order.
_DIGITS = string.digits + string.ascii_uppercase + string.ascii_lowercase
_TIME_DIGITS = 9  # 62**9 microseconds: until the year 2398
ORDERED_LENGTH = 24
# Random characters drawn from the OS at once: os.urandom releases the GIL, and taking it back
# from a busy event loop's other threads cost more than the call itself.
_POOL = 4096


def _base62(value: int, width: int) -> str:
    digits = []
    for _ in range(width):
        value, digit = divmod(value, 62)
        digits.append(_DIGITS[digit])
    return "".join(reversed(digits))


_LOW = 62 * 62
_LOW_DIGITS = [_base62(n, 2) for n in range(_LOW)]


class _Source:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        # Also run in a forked child: it must not hand out its parent's characters.
        self._lock = threading.Lock()
        self._chars = ""
        self._last_us = 0
        # The leading digits change every 3.8 ms: written out once for all the ids between.
        self._high = -1
        self._high_digits = ""

    def random(self, length: int) -> str:
        with self._lock:
            while len(self._chars) < length:
                raw = os.urandom(max(_POOL, length * 2))
                self._chars += raw.translate(_TO_ALPHABET, _UNEVEN).decode()
            out, self._chars = self._chars[:length], self._chars[length:]
            return out

    def time_part(self) -> str:
        with self._lock:
            # Strictly increasing in this process, even when the clock steps back.
            now = self._last_us = max(self._last_us + 1, time.time_ns() // 1000)
            high, low = divmod(now, _LOW)
            if high != self._high:
                self._high, self._high_digits = high, _base62(high, _TIME_DIGITS - 2)
            return self._high_digits + _LOW_DIGITS[low]


_source = _Source()
os.register_at_fork(after_in_child=_source.reset)


def random_part(length: int) -> str:
    return _source.random(length)


def new_id(prefix: str, length: int = ORDERED_LENGTH) -> str:
    if length < ORDERED_LENGTH:
        return f"{prefix}_{random_part(length)}"
    return f"{prefix}_{_source.time_part()}{random_part(length - _TIME_DIGITS)}"


def client_secret_for(intent_id: str) -> str:
    return f"{intent_id}_secret_{random_part(25)}"


def request_id() -> str:
    return new_id("req", 14)
