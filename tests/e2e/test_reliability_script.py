"""bench/reliability.py: its scenarios run bounded in time and print one line of figures."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.server import ROOT


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench.reliability", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_disk_full_scenario_prints_its_figures() -> None:
    done = run("--scenarios", "disk_full", "--seconds", "6")
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    assert re.fullmatch(
        r"disk_full  store=sqlite acknowledged=\d+ lost=0 duplicates=0 failed=500/retry=true:\d+ "
        r"recovered=5/5 integrity=ok rss_mb=\d+->\d+ fds=\d+->\d+ \(\d+ s\)",
        line,
    ), line


def test_an_unknown_scenario_is_refused_with_the_known_ones() -> None:
    done = run("--scenarios", "crash,nope")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "reliability: unknown scenario(s) ['nope']; "
        "known: ['crash', 'disk_full', 'flood', 'pg_outage']"
    )
