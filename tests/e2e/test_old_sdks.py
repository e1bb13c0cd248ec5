"""Older stripe-python releases from PyPI against a real server: how they encode requests
(capitalized booleans, the module-level API) must work as it does on Stripe.

Each release runs in a venv of its own, made once from its hash-locked requirements file
(requirements/old-sdk-*.lock) and kept under .venv/old-sdks/, so later runs reuse it."""

from __future__ import annotations

import fcntl
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import new_key
from tests.server import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
FLOW = ROOT / "tests" / "old_sdk" / "flow.py"
CACHE = ROOT / ".venv" / "old-sdks"


def sdk_python(lock: Path) -> Path:
    """The interpreter of a venv with exactly `lock` installed (hash-checked), made once per
    lock file's content; one maker at a time (pytest-xdist workers ask together)."""
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()[:16]
    venv = CACHE / f"{lock.stem}-{digest}"
    python = venv / "bin" / "python"
    done = venv / ".installed"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        if not done.exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
            subprocess.run(
                [str(python), "-m", "pip", "install", "-q", "--require-hashes", "-r", str(lock)],
                check=True,
                capture_output=True,
                timeout=600,
            )
            done.write_text(lock.name)
    return python


@pytest.mark.parametrize(
    ("lock", "version", "refunded"),
    [
        # 5.x sends no Stripe-Version: the server's default (basil and after) releases the
        # uncaptured 500 without a Refund.
        ("old-sdk-5.lock", "5.5.0", 1),
        # 7.x pins 2023-10-16: the released remainder is a Refund, with its charge.refunded.
        ("old-sdk-7.lock", "7.14.0", 2),
    ],
)
def test_old_sdk_flow(server: ServerProcess, lock: str, version: str, refunded: int) -> None:
    python = sdk_python(ROOT / "requirements" / lock)
    done = subprocess.run(
        [str(python), str(FLOW), server.url, new_key()],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["version"] == version
    assert seen["created"] == "requires_payment_method"
    assert seen["confirmed"] == "requires_capture"
    assert seen["captured"] == ["succeeded", 1500]
    assert seen["refund"] == ["succeeded", 500]
    assert seen["listed"] == [seen["pm"]]
    assert seen["locales"] == ["en"]
    assert seen["declined"] == {
        "code": "card_declined",
        "status": 402,
        "message": "Your card was declined.",
    }
    # Verified with that release's own Webhook.construct_event.
    assert seen["webhooks"] == [
        "charge.captured",
        *["charge.refunded"] * refunded,
        "payment_intent.succeeded",
    ]
