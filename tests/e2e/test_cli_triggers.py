"""The Stripe CLI's own `stripe trigger` fixtures (@stripe/cli, pinned in tests/node) against a
live server: each trigger's requests succeed and its event is there afterwards."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import stripe

from tests import npm
from tests.conftest import make_client, new_key
from tests.server import ServerProcess


@pytest.fixture(scope="session")
def stripe_cli(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The CLI's binary from tests/node, with a home of its own (its config is written there)."""
    missing = npm.missing_tools()
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed")
    binary = npm.install() / ".bin" / "stripe"
    home = tmp_path_factory.mktemp("stripe-cli-home")
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home),
        "STRIPE_CLI_TELEMETRY_OPTOUT": "1",
    }
    return binary, env


def trigger(cli: tuple[Path, dict[str, str]], server: ServerProcess, key: str, event: str) -> str:
    binary, env = cli
    done = subprocess.run(
        [str(binary), "trigger", event, "--api-base", server.url, "--api-key", key],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Trigger succeeded!" in done.stdout
    return done.stdout


def types(client: stripe.StripeClient) -> set[str]:
    return {e.type for e in client.v1.events.list(params={"limit": 100}).data}


@pytest.mark.parametrize(
    ("event", "also"),
    [
        ("customer.deleted", {"customer.created"}),
        ("charge.dispute.created", {"payment_intent.succeeded", "charge.succeeded"}),
        ("charge.refund.updated", {"refund.created", "refund.updated", "charge.refunded"}),
        ("charge.dispute.updated", {"charge.dispute.created"}),
        ("charge.dispute.closed", {"charge.dispute.created"}),
        ("setup_intent.created", set()),
        ("setup_intent.succeeded", {"setup_intent.created"}),
        ("setup_intent.canceled", {"setup_intent.created"}),
        ("setup_intent.setup_failed", {"setup_intent.created"}),
        ("setup_intent.requires_action", {"setup_intent.created"}),
    ],
)
def test_trigger(stripe_cli, server: ServerProcess, event: str, also: set[str]) -> None:
    key = new_key()
    trigger(stripe_cli, server, key, event)
    client = make_client(server, key)
    assert {event, *also} <= types(client)
    (found,) = client.v1.events.list(params={"type": event}).data
    if event.startswith("charge.dispute."):
        dispute = client.v1.disputes.retrieve(found.data.object.id)
        assert dispute.reason == "general"
        expected = {
            "charge.dispute.created": "warning_needs_response",
            "charge.dispute.updated": "warning_needs_response",
            "charge.dispute.closed": "warning_closed",
        }[event]
        assert dispute.status == expected
    if event == "charge.dispute.updated":
        assert found.data.object.metadata.to_dict() == {"foo": "bar"}
    if event == "customer.deleted":
        gone = client.v1.customers.retrieve(found.data.object.id)
        assert gone.to_dict() == {"id": found.data.object.id, "object": "customer", "deleted": True}
    if event == "charge.refund.updated":
        assert found.data.object.metadata.to_dict() == {"order_id": "6735"}
    if event.startswith("setup_intent."):
        expected = {
            "setup_intent.created": "requires_payment_method",
            "setup_intent.succeeded": "succeeded",
            "setup_intent.canceled": "canceled",
            "setup_intent.setup_failed": "requires_payment_method",
            "setup_intent.requires_action": "requires_action",
        }[event]
        assert found.data.object.status == expected
        assert found.data.object.description == "(created by Stripe CLI)"
    if event == "setup_intent.setup_failed":
        assert found.data.object.last_setup_error.code == "card_declined"


def test_trigger_payment_method_updated(stripe_cli, server: ServerProcess) -> None:
    """Its fixture saves the card with a SetupIntent first (POST /v1/setup_intents)."""
    key = new_key()
    trigger(stripe_cli, server, key, "payment_method.updated")
    client = make_client(server, key)
    (found,) = client.v1.events.list(params={"type": "payment_method.updated"}).data
    assert found.data.object.metadata.to_dict() == {"foo": "bar"}
    assert {"setup_intent.succeeded", "payment_method.attached"} <= types(client)
    assert found.data.object.customer is not None
