"""Object ids: Stripe's shape, creation order, uniqueness, and no shared randomness."""

from __future__ import annotations

import os
import re

import pytest

from payintents.domain import ids


def test_object_ids_have_stripes_shape() -> None:
    assert re.fullmatch(r"pi_[A-Za-z0-9]{24}", ids.new_id("pi"))
    assert re.fullmatch(r"cus_[A-Za-z0-9]{14}", ids.new_id("cus", 14))
    assert re.fullmatch(r"req_[A-Za-z0-9]{14}", ids.request_id())
    secret = ids.client_secret_for("pi_123")
    assert re.fullmatch(r"pi_123_secret_[A-Za-z0-9]{25}", secret)


def test_ids_made_one_after_another_sort_in_that_order() -> None:
    made = [ids.new_id("ch") for _ in range(5000)]
    assert sorted(made) == made
    assert len(set(made)) == len(made)
    # Bytewise, as SQLite's and PostgreSQL's C collation compare them.
    assert sorted(made, key=str.encode) == made


def test_order_holds_when_the_clock_steps_back(monkeypatch: pytest.MonkeyPatch) -> None:
    first = ids.new_id("pi")
    monkeypatch.setattr(ids.time, "time_ns", lambda: 1_000_000_000)  # 1970
    later = [ids.new_id("pi") for _ in range(3)]
    assert [first, *later] == sorted([first, *later])
    assert len(set(later)) == 3


def test_the_time_part_is_the_creation_time(monkeypatch: pytest.MonkeyPatch) -> None:
    source = ids._Source()
    boundary = 1_764_583_200_123_456 // 3844 * 3844 + 3844  # its two last digits roll over
    for us in (1_764_583_200_123_456, boundary - 1, boundary, boundary + 1, boundary + 3844):
        monkeypatch.setattr(ids.time, "time_ns", lambda us=us: us * 1000 + 789)
        part = source.time_part()
        value = 0
        for char in part:
            value = value * 62 + ids._DIGITS.index(char)
        assert (value, len(part)) == (us, 9)


def test_the_rest_of_an_id_and_every_secret_is_random() -> None:
    tails = {ids.new_id("pi")[-15:] for _ in range(2000)}
    assert len(tails) == 2000
    secrets = [ids.random_part(25) for _ in range(2000)]
    assert len(set(secrets)) == 2000
    assert sorted(secrets) != secrets
    # Every character of the alphabet turns up, none other (a uniform draw of 50,000).
    chars = "".join(secrets)
    assert set(chars) == set(ids._ALPHABET)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_draws_its_own_characters() -> None:
    ids.random_part(1)  # the pool is full in the parent
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.write(write, ids.random_part(40).encode())
        os._exit(0)
    os.waitpid(pid, 0)
    child = os.read(read, 100).decode()
    os.close(read)
    os.close(write)
    assert ids.random_part(40) != child
