"""Webhook signing secrets encrypted at rest under PAYINTENTS_MASTER_KEY (issue 15 §5), on both
stores: the stored row holds no plaintext secret, deliveries still verify with the SDK's
`stripe.Webhook.construct_event`, a restart with the key works, one without it (or with
another) is refused in one line, and plaintext rows of before keep working and are encrypted
by `payintents migrate`."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import stripe
from cryptography.fernet import Fernet

from payintents.store import describe
from tests.conftest import make_client, new_key, query
from tests.receiver import Receiver
from tests.server import PYTHON_M, ROOT, ServerProcess

KEY = Fernet.generate_key().decode()
# Another, fixed: the parameters of a test must be the same in every xdist worker.
OTHER_KEY = "vGqyYd6XqX9axr7epTNrIp-8yzXiy1KNVM20ow0EAfM="


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()
    assert not r.failures, r.failures


def stored(database: str) -> list[str]:
    """The private part of every stored endpoint, as the database holds it."""
    rows = query(database, "SELECT private FROM webhook_endpoints ORDER BY seq")
    return [bytes(p).decode() if isinstance(p, bytes | memoryview) else p for (p,) in rows]


def server_on(database: str, tmp_path: Path, master_key: str | None) -> ServerProcess:
    env = {"PAYINTENTS_MASTER_KEY": master_key or ""}
    return ServerProcess(database, env=env, log_path=tmp_path / "server.log")


def delivered_after_payment(client: stripe.StripeClient, receiver: Receiver) -> None:
    pi = client.v1.payment_intents.create(params={"amount": 1200, "currency": "usd"})
    receiver.wait_for_types(pi.id, 1)
    assert receiver.types_for(pi.id) == ["payment_intent.created"]


def subscribe(client: stripe.StripeClient, receiver: Receiver) -> stripe.WebhookEndpoint:
    endpoint = client.v1.webhook_endpoints.create(
        params={"url": receiver.url, "enabled_events": ["payment_intent.created"]}
    )
    receiver.secret = endpoint.secret
    return endpoint


def test_secrets_are_stored_encrypted_and_deliveries_verify(
    own_database: str, tmp_path: Path, receiver: Receiver
) -> None:
    key = new_key()
    server = server_on(own_database, tmp_path, KEY).start()
    try:
        endpoint = subscribe(make_client(server, key), receiver)
        (private,) = stored(own_database)
        assert endpoint.secret not in private
        assert endpoint.secret.removeprefix("whsec_") not in private
        assert '"secret_encrypted"' in private
        delivered_after_payment(make_client(server, key), receiver)
        server.restart()
        delivered_after_payment(make_client(server, key), receiver)
        assert stored(own_database) == [private]
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("restart_key", "message"),
    [
        (
            None,
            "webhook signing secrets are stored encrypted, and PAYINTENTS_MASTER_KEY is not set",
        ),
        (
            OTHER_KEY,
            "webhook signing secrets cannot be decrypted with PAYINTENTS_MASTER_KEY: it is not the "
            "key they were encrypted with",
        ),
        (
            "not-a-key",
            "PAYINTENTS_MASTER_KEY is not a Fernet key (32 bytes in url-safe base64); make one "
            "with `payintents master-key`",
        ),
    ],
    ids=["no key", "another key", "malformed key"],
)
def test_a_start_whose_key_cannot_open_the_secrets_is_one_line(
    own_database: str, tmp_path: Path, receiver: Receiver, restart_key: str | None, message: str
) -> None:
    server = server_on(own_database, tmp_path, KEY).start()
    try:
        subscribe(make_client(server), receiver)
    finally:
        server.stop()
    env = {**os.environ, "PAYINTENTS_MASTER_KEY": restart_key or ""}
    done = subprocess.run(
        [*PYTHON_M, "serve", "--database", own_database, "--port", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == f"payintents: {describe(own_database)}: {message}\n"


def test_plaintext_secrets_of_before_keep_working_and_migrate_encrypts_them(
    own_database: str, tmp_path: Path, receiver: Receiver
) -> None:
    key = new_key()
    server = server_on(own_database, tmp_path, None).start()
    try:
        endpoint = subscribe(make_client(server, key), receiver)
    finally:
        server.stop()
    (plain,) = stored(own_database)
    assert endpoint.secret in plain
    server = server_on(own_database, tmp_path, KEY).start()
    try:
        delivered_after_payment(make_client(server, key), receiver)
        assert stored(own_database) == [plain]
    finally:
        server.stop()
    env = {**os.environ, "PAYINTENTS_MASTER_KEY": KEY}
    migrated = subprocess.run(
        [*PYTHON_M, "migrate", "--database", own_database],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert migrated.stdout.splitlines()[1:] == [
        "payintents: encrypted 1 webhook signing secret(s), PAYINTENTS_MASTER_KEY"
    ]
    (sealed,) = stored(own_database)
    assert endpoint.secret not in sealed and '"secret_encrypted"' in sealed
    server = server_on(own_database, tmp_path, KEY).start()
    try:
        delivered_after_payment(make_client(server, key), receiver)
    finally:
        server.stop()


def test_an_update_encrypts_a_plaintext_secret(
    own_database: str, tmp_path: Path, receiver: Receiver
) -> None:
    key = new_key()
    server = server_on(own_database, tmp_path, None).start()
    try:
        endpoint = subscribe(make_client(server, key), receiver)
    finally:
        server.stop()
    server = server_on(own_database, tmp_path, KEY).start()
    try:
        make_client(server, key).v1.webhook_endpoints.update(
            endpoint.id, params={"description": "orders"}
        )
        (sealed,) = stored(own_database)
        assert endpoint.secret not in sealed and '"secret_encrypted"' in sealed
        delivered_after_payment(make_client(server, key), receiver)
    finally:
        server.stop()


def test_master_key_makes_a_fernet_key() -> None:
    done = subprocess.run([*PYTHON_M, "master-key"], cwd=ROOT, capture_output=True, text=True)
    key = done.stdout.strip()
    assert done.stdout == key + "\n"
    token = Fernet(key.encode()).encrypt(b"whsec_x")
    assert Fernet(key.encode()).decrypt(token) == b"whsec_x"
