"""Without PostgreSQL its tests skip, and the run's summary says why."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.server import ROOT

NOWHERE = "postgresql://nobody@127.0.0.1:1/test"


def test_the_skip_reason_names_the_server_and_the_error() -> None:
    # One PostgreSQL test, in a pytest of its own pointed at a port nothing listens on.
    target = "tests/unit/test_store_indexes.py::test_the_rows_come_back_in_page_order[postgres]"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", target],
        cwd=ROOT,
        env={**os.environ, "PAYINTENTS_TEST_POSTGRES": NOWHERE},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 skipped" in run.stdout, run.stdout
    (line,) = [line for line in run.stdout.splitlines() if line.startswith("SKIPPED")]
    assert f"PostgreSQL unreachable: {NOWHERE}: " in line, line
    assert "Connection refused" in line, line
