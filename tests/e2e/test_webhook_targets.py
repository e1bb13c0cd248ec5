"""Live-mode webhook endpoints reach public addresses only (issue 15 §5): refused at create and
update when the host is or resolves to an internal address, refused again when a delivery
connects, unless `--webhook-allow-internal` names the host. Test mode takes local URLs."""

from __future__ import annotations

import contextlib
import secrets
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import stripe

from payintents.domain.webhook_targets import internal_kind, literal_address
from tests.conftest import make_client, query
from tests.server import ServerProcess


def live_key() -> str:
    return "sk_live_" + secrets.token_hex(12)


def create(client: stripe.StripeClient, url: str) -> stripe.WebhookEndpoint:
    return client.v1.webhook_endpoints.create(
        params={"url": url, "enabled_events": ["payment_intent.created"]}
    )


def message(url: str, what: str) -> str:
    return (
        f"Invalid URL: {url}: live mode webhook endpoints must be reachable on the public "
        f"internet, and {what} address. A receiver on your own machine or network can use a "
        "test mode key."
    )


def _hostname_resolving_internally() -> str | None:
    """This machine's name, where it resolves to one of its own addresses (it usually does:
    /etc/hosts), to refuse a name by what it resolves to."""
    name = socket.gethostname()
    try:
        address = socket.getaddrinfo(name, 443, type=socket.SOCK_STREAM)[0][4][0]
    except OSError:
        return None
    ip = literal_address(address)
    return name if ip is not None and internal_kind(ip) else None


REFUSED = [
    ("https://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local"),
    ("https://127.0.0.1/", "127.0.0.1 is a loopback"),
    ("https://10.0.0.1/hooks", "10.0.0.1 is a private"),
    ("https://192.168.1.20:8443/", "192.168.1.20 is a private"),
    ("https://[::1]/", "::1 is a loopback"),
    ("https://0.0.0.0/", "0.0.0.0 is an unspecified"),
    ("https://2130706433/", "2130706433 is 127.0.0.1, a loopback"),
    ("https://0x7f000001/", "0x7f000001 is 127.0.0.1, a loopback"),
    ("https://0177.0.0.1/", "0177.0.0.1 is 127.0.0.1, a loopback"),
    ("https://127.1/", "127.1 is 127.0.0.1, a loopback"),
    ("https://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1 is 127.0.0.1, a loopback"),
    (
        "https://[::ffff:169.254.169.254]/",
        "::ffff:169.254.169.254 is 169.254.169.254, a link-local",
    ),
    ("https://[fe80::1]/", "fe80::1 is a link-local"),
    ("https://[fd00:ec2::254]/", "fd00:ec2::254 is a private"),
    ("https://224.0.0.251/", "224.0.0.251 is a multicast"),
    ("https://100.100.100.200/", "100.100.100.200 is a non-public"),
    ("https://240.0.0.1/", "240.0.0.1 is a private"),
    ("https://localhost/", "localhost is a loopback"),
    ("https://api.localhost:8443/", "api.localhost is a loopback"),
]


@pytest.mark.parametrize(("url", "what"), REFUSED)
def test_live_mode_refuses_internal_targets(server: ServerProcess, url: str, what: str) -> None:
    client = make_client(server, live_key())
    with pytest.raises(stripe.InvalidRequestError) as refused:
        create(client, url)
    err = refused.value
    assert err.http_status == 400
    assert err.json_body == {
        "error": {
            "code": "url_invalid",
            "doc_url": "https://stripe.com/docs/error-codes/url-invalid",
            "message": message(url, what),
            "param": "url",
            "type": "invalid_request_error",
        }
    }
    assert client.v1.webhook_endpoints.list().data == []
    # Nor can an endpoint be moved there.
    endpoint = create(client, "https://hooks.shop.test/stripe")
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.webhook_endpoints.update(endpoint.id, params={"url": url})
    assert refused.value.json_body["error"]["message"] == message(url, what)
    assert client.v1.webhook_endpoints.retrieve(endpoint.id).url == "https://hooks.shop.test/stripe"
    # Test mode takes them: the receiver is on the developer's machine.
    test = make_client(server)
    assert create(test, url.replace("https://", "http://")).status == "enabled"


def test_live_mode_refuses_a_name_that_resolves_internally(server: ServerProcess) -> None:
    name = _hostname_resolving_internally()
    if name is None:
        pytest.skip("this machine's name does not resolve to an address of its own")
    address = socket.getaddrinfo(name, 443, type=socket.SOCK_STREAM)[0][4][0]
    kind = internal_kind(literal_address(address))  # type: ignore[arg-type]
    client = make_client(server, live_key())
    url = f"https://{name}/hooks"
    with pytest.raises(stripe.InvalidRequestError) as refused:
        create(client, url)
    article = "an" if kind[0] in "aeiou" else "a"  # type: ignore[index]
    what = f"{name} is {address}, {article} {kind}"
    assert refused.value.json_body["error"]["message"] == message(url, what)
    assert refused.value.json_body["error"]["code"] == "url_invalid"


def test_live_mode_takes_public_and_unresolvable_hosts(server: ServerProcess) -> None:
    client = make_client(server, live_key())
    for url in ("https://93.184.215.14/hooks", "https://[2606:4700::1111]/", "https://shop.test/"):
        endpoint = create(client, url)
        assert (endpoint.url, endpoint.livemode) == (url, True)


class Listener:
    """A TCP port that counts the connections made to it (a webhook target that must not be
    reached, or that must be)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    target = Listener()
    yield target
    target.close()


def deliveries(database: str) -> list[tuple[str, int, str | None]]:
    return query(database, "SELECT endpoint_id, attempts, last_error FROM webhook_deliveries")


def wait_for_attempts(database: str, count: int) -> list[tuple[str, int, str | None]]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        rows = deliveries(database)
        if len(rows) >= count and all(attempts >= 1 for _, attempts, _ in rows):
            return rows
        time.sleep(0.1)
    raise AssertionError(f"no attempt recorded: {deliveries(database)}")


def test_a_delivery_refuses_to_connect_to_an_internal_address(
    tmp_path: Path, listener: Listener
) -> None:
    """The endpoint's host resolved to a public address when it was created (or did not
    resolve yet) and to an internal one now (DNS rebinding): the stored URL is changed under
    the server to stand for that. The delivery is refused before connecting, and recorded as
    a failed attempt with the reason."""
    database = str(tmp_path / "db.sqlite3")
    server = ServerProcess(database, "--webhook-retry-schedule", "60").start()
    try:
        client = make_client(server, live_key())
        now_internal = {
            "https://127.0.0.1:{port}/hook": "127.0.0.1 is a loopback address",
            "https://2130706433:{port}/hook": "2130706433 resolves to 127.0.0.1, a loopback "
            "address",
            "https://localhost:{port}/hook": "localhost is a loopback address",
        }
        name = _hostname_resolving_internally()
        if name is not None:
            address = socket.getaddrinfo(name, 443, type=socket.SOCK_STREAM)[0][4][0]
            kind = internal_kind(literal_address(address))  # type: ignore[arg-type]
            article = "an" if kind[0] in "aeiou" else "a"  # type: ignore[index]
            now_internal[f"https://{name}:{{port}}/hook"] = (
                f"{name} resolves to {address}, {article} {kind} address"
            )
        expected = {}
        for url, why in now_internal.items():
            endpoint = create(client, "https://public.shop.test/hook")
            real = url.format(port=listener.port)
            with contextlib.closing(sqlite3.connect(database)) as conn, conn:
                conn.execute(
                    "UPDATE webhook_endpoints SET data = json_set(data, '$.url', ?) WHERE id = ?",
                    (real, endpoint.id),
                )
            expected[endpoint.id] = (
                f"ConnectError: refused: {why}; live mode webhooks go to public addresses only "
                "(serve --webhook-allow-internal lists exceptions)"
            )
        client.v1.payment_intents.create(params={"amount": 500, "currency": "usd"})
        rows = wait_for_attempts(database, len(expected))
        assert {endpoint: error for endpoint, _, error in rows} == expected
        assert listener.connections == 0
    finally:
        server.stop()


def test_allowed_internal_hosts_are_taken_and_reached(tmp_path: Path, listener: Listener) -> None:
    database = str(tmp_path / "db.sqlite3")
    server = ServerProcess(
        database,
        "--webhook-retry-schedule", "60",
        env={"PAYINTENTS_WEBHOOK_ALLOW_INTERNAL": "hooks.internal, 127.0.0.1"},
    ).start()  # fmt: skip
    try:
        client = make_client(server, live_key())
        url = f"https://127.0.0.1:{listener.port}/hook"
        assert create(client, url).url == url
        # Not allowed: another internal host.
        with pytest.raises(stripe.InvalidRequestError):
            create(client, f"https://127.0.0.2:{listener.port}/hook")
        client.v1.payment_intents.create(params={"amount": 500, "currency": "usd"})
        rows = wait_for_attempts(database, 1)
        # It connected (the listener speaks no TLS, so the attempt then failed).
        assert listener.connections >= 1
        assert all("refused" not in (error or "") for _, _, error in rows)
    finally:
        server.stop()
