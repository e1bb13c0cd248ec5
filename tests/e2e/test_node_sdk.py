"""stripe-node (pinned in tests/node/package-lock.json) against a real server: the README's
promise that code written for Stripe in Node works unchanged."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests import npm
from tests.conftest import new_key
from tests.server import ServerProcess


@pytest.fixture(scope="session")
def node_project() -> Path:
    """tests/node, installed from its lock file (tests/npm.py)."""
    missing = npm.missing_tools()
    if missing:
        print(f"{' and '.join(missing)} not installed, skipping the stripe-node tests")
        pytest.skip(f"{' and '.join(missing)} not installed")
    npm.install()
    return npm.NODE_DIR


def run_flow(node_project: Path, server: ServerProcess) -> dict[str, Any]:
    done = subprocess.run(
        ["node", "flow.mjs", server.url, new_key()],
        cwd=node_project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_stripe_node_flow(node_project: Path, server: ServerProcess) -> None:
    seen = run_flow(node_project, server)
    assert seen["paid"] == {"status": "succeeded", "amount_received": 2000, "charge_prefix": "ch_"}
    assert seen["declined"] == {
        "class": "StripeCardError",
        "type": "StripeCardError",
        "status": 402,
        "code": "card_declined",
        "decline_code": "insufficient_funds",
        "param": None,
        "message": "Your card has insufficient funds.",
        "intent_status": "requires_payment_method",
    }
    assert seen["replayed_same_id"] is True
    reused = seen["reused_key"]
    assert (reused["class"], reused["status"]) == ("StripeIdempotencyError", 400)
    assert reused["message"].startswith(
        "Keys for idempotent requests can only be used with the same"
    )
    assert seen["capture"] == {
        "held": "requires_capture",
        "capturable": 5000,
        "status": "succeeded",
        "received": 3000,
    }
    assert seen["autopaged"] == [300, 200, 100]
    assert seen["search"] == {"object": "search_result", "amounts": [200]}
    assert seen["three_d_secure"] == {"status": "requires_action", "next_action": "redirect_to_url"}
    assert seen["missing"] == {
        "class": "StripeInvalidRequestError",
        "type": "StripeInvalidRequestError",
        "status": 404,
        "code": "resource_missing",
        "decline_code": None,
        "param": "intent",
        "message": "No such payment_intent: 'pi_doesnotexist'",
        "intent_status": None,
    }
    unknown = seen["unknown_param"]
    assert (unknown["status"], unknown["code"], unknown["param"]) == (
        400,
        "parameter_unknown",
        "colour",
    )
    assert unknown["message"] == "Received unknown parameter: colour"
