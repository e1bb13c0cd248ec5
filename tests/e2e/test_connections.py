"""Hostile connections (issue 15 §4): oversized heads, idle and slow connections, and a flood
of them, against a real server process on loopback. The limits are the store's business in
no way, so these run on SQLite only.

The server's open files are limited to 1,024 once it runs (as on the machine of the issue's
probe, where 1,100 idle connections took them all), and its limits are lowered so that each
test takes seconds."""

from __future__ import annotations

import contextlib
import resource
import selectors
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
import stripe

from bench.flood import (
    PeakOpenFiles,
    flood,
    huge_header,
    legit_client,
    open_files,
    rss_mb,
    run_flood_process,
)
from payintents.wire.connections import raise_open_files_limit
from tests.conftest import make_client, new_key
from tests.server import ServerProcess

MAX_CONNECTIONS = 200
READ_TIMEOUT = 1.0
KEEP_ALIVE = 1.0
LIMIT = 32_768


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    # The tests hold more than a thousand sockets of their own.
    if raise_open_files_limit() < 4096:
        pytest.skip("this process may not open 4,096 files (ulimit -Hn)")
    folder = tmp_path_factory.mktemp("connections")
    proc = ServerProcess(
        str(folder / "db.sqlite3"),
        "--max-connections", str(MAX_CONNECTIONS),
        "--read-timeout", str(READ_TIMEOUT),
        "--keep-alive-timeout", str(KEEP_ALIVE),
    ).start()  # fmt: skip
    assert proc.proc is not None
    resource.prlimit(proc.proc.pid, resource.RLIMIT_NOFILE, (1024, 1024))
    yield proc
    proc.stop()


def pid(server: ServerProcess) -> int:
    assert server.proc is not None
    return server.proc.pid


def served(server: ServerProcess) -> None:
    """A new SDK client, no retries, is served at once."""
    client = stripe.StripeClient(
        api_key=new_key(),
        base_addresses={"api": server.url},
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=5),
    )
    pi = client.v1.payment_intents.create(params={"amount": 700, "currency": "usd"})
    assert client.v1.payment_intents.retrieve(pi.id).amount == 700


def exchange(server: ServerProcess, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """One request over a plain socket: the status, headers and body of its answer."""
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while True:
            head, _, body = answer.partition(b"\r\n\r\n")
            fields = dict(_fields(head))
            if "content-length" in fields and len(body) >= int(fields["content-length"]):
                return int(head.split()[1]), fields, body
            chunk = sock.recv(65536)
            assert chunk, f"closed before a whole answer: {answer!r}"
            answer += chunk


def _fields(head: bytes) -> list[tuple[str, str]]:
    lines = head.decode("latin-1").split("\r\n")[1:]
    return [(k.lower(), v) for k, _, v in (line.partition(": ") for line in lines if line)]


def head_with(key: str, fields_bytes: int) -> bytes:
    """A GET whose header fields (name, ": ", value, CRLF each) add up to `fields_bytes`."""
    fields = [("Host", "127.0.0.1"), ("Authorization", f"Bearer {key}")]
    used = sum(len(n) + len(v) + 4 for n, v in fields) + len("X-Pad") + 4
    fields.append(("X-Pad", "p" * (fields_bytes - used)))
    assert sum(len(n) + len(v) + 4 for n, v in fields) == fields_bytes
    lines = "".join(f"{n}: {v}\r\n" for n, v in fields)
    return f"GET /v1/payment_intents HTTP/1.1\r\n{lines}\r\n".encode()


TOO_LARGE = {
    "error": {
        "message": f"Request header fields too large: the limit is {LIMIT} bytes.",
        "type": "invalid_request_error",
    }
}


def test_header_fields_up_to_the_limit_are_served_past_it_431(limited: ServerProcess) -> None:
    key = new_key()
    status, _, body = exchange(limited, head_with(key, LIMIT))
    assert status == 200, body
    assert orjson.loads(body)["object"] == "list"
    status, headers, body = exchange(limited, head_with(key, LIMIT + 1))
    assert status == 431
    assert headers["content-type"] == "application/json"
    assert headers["connection"] == "close"
    assert headers["stripe-should-retry"] == "false"
    assert headers["request-id"].startswith("req_")
    assert orjson.loads(body) == TOO_LARGE


def test_a_64_mb_header_is_answered_431_without_growing_memory(limited: ServerProcess) -> None:
    served(limited)
    before = rss_mb(pid(limited))
    # Four, as in the probe that took the server from 47 to 293 MB.
    assert [huge_header(limited.host, limited.port) for _ in range(4)] == [431] * 4
    assert rss_mb(pid(limited)) - before < 8
    served(limited)


def test_a_huge_header_gets_its_answer_before_the_head_ends(limited: ServerProcess) -> None:
    """The server answers once the head is past what it may be: the client, still sending,
    can read the 431 (nothing waits for a head that may never end)."""
    with socket.create_connection((limited.host, limited.port), timeout=5) as sock:
        sock.sendall(b"GET /v1/payment_intents HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000)
        answer = sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
        assert orjson.loads(answer.partition(b"\r\n\r\n")[2]) == TOO_LARGE


def test_idle_connections_past_the_open_files_do_not_stop_a_new_client(
    limited: ServerProcess,
) -> None:
    idle = []
    try:
        for _ in range(1100):
            idle.append(socket.create_connection((limited.host, limited.port), timeout=5))
        served(limited)
        assert open_files(pid(limited)) < MAX_CONNECTIONS + 64
    finally:
        for sock in idle:
            sock.close()


def closed_after(
    socks: list[socket.socket], limit: float, trickle: tuple[socket.socket, ...] = ()
) -> list[float]:
    """Seconds until the server closed each socket (EOF or reset), sending one byte to each
    of `trickle` every 0.2 s; gives up at `limit` seconds."""
    start = time.monotonic()
    sel = selectors.DefaultSelector()
    for sock in socks:
        sock.setblocking(False)
        sel.register(sock, selectors.EVENT_READ)
    closed: list[float] = []
    next_byte = start
    while sel.get_map() and time.monotonic() - start < limit:
        if time.monotonic() >= next_byte:
            next_byte += 0.2
            for sock in trickle:
                with contextlib.suppress(OSError):
                    sock.send(b"x")
        for key, _ in sel.select(timeout=0.05):
            try:
                data = key.fileobj.recv(4096)  # type: ignore[union-attr]
            except OSError:
                data = b""
            if not data:
                closed.append(time.monotonic() - start)
                sel.unregister(key.fileobj)
    return closed


def test_slow_and_silent_connections_are_closed_after_the_read_timeout(
    limited: ServerProcess,
) -> None:
    slow, silent = [], []
    try:
        for _ in range(60):
            sock = socket.create_connection((limited.host, limited.port), timeout=5)
            sock.sendall(b"POST /v1/payment_intents HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            slow.append(sock)
            silent.append(socket.create_connection((limited.host, limited.port), timeout=5))
        # A whole head, and a body that trickles.
        body = socket.create_connection((limited.host, limited.port), timeout=5)
        body.sendall(
            b"POST /v1/payment_intents HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nx"
        )
        slow.append(body)
        closed = closed_after(slow + silent, limit=READ_TIMEOUT + 4, trickle=tuple(slow))
        assert len(closed) == len(slow + silent)
        assert min(closed) > READ_TIMEOUT - 0.5
        served(limited)
    finally:
        for sock in slow + silent:
            sock.close()


def test_an_idle_keep_alive_connection_is_closed(limited: ServerProcess) -> None:
    key = new_key()
    with socket.create_connection((limited.host, limited.port), timeout=10) as sock:
        sock.sendall(head_with(key, 200))
        answer = b""
        while not answer.endswith(b"}"):
            answer += sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
        assert b"connection: close" not in answer
        closed = closed_after([sock], limit=KEEP_ALIVE + 2)
        assert len(closed) == 1 and closed[0] > KEEP_ALIVE - 0.5


def test_a_legit_client_is_served_throughout_a_flood(limited: ServerProcess) -> None:
    served(limited)
    fds_before = open_files(pid(limited))
    with PeakOpenFiles(pid(limited)) as fds:
        proc, result = run_flood_process(limited.host, limited.port, seconds=3, connections=2000)
        try:
            latencies, errors = legit_client(limited.url, time.monotonic() + 3)
            counts, huge = result.recv()
        finally:
            proc.join(30)
    assert (errors, len(latencies) >= 10) == (0, True), (errors, latencies)
    # On a loaded machine the flood may not get to open all 2,000 in its time; it opens far
    # more than the cap all the same.
    assert counts.attempted > 3 * MAX_CONNECTIONS, counts
    assert counts.connect_failed == 0, counts
    # The server held at most its cap (and its own files) and closed the others; those the
    # flood still held at its end were the server's or still in its accept queue.
    assert fds.peak < MAX_CONNECTIONS + 64, fds.peak
    assert counts.closed + counts.held == counts.attempted and counts.closed > 0, counts
    assert huge == [431] * 4
    deadline = time.monotonic() + 5
    while open_files(pid(limited)) > fds_before + 5 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert open_files(pid(limited)) <= fds_before + 5


def test_a_flood_in_this_process_counts_what_the_server_closes(limited: ServerProcess) -> None:
    """bench/flood.py's counting, on a small flood: silent connections live until the read
    timeout, the oversized heads are answered and closed."""
    counts = flood(limited.host, limited.port, seconds=READ_TIMEOUT * 2 + 2, connections=30)
    assert (counts.attempted, counts.connect_failed) == (30, 0)
    assert counts.closed == 30 and counts.held == 0


@pytest.fixture
def two_connections(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(
        str(tmp_path / "db.sqlite3"),
        env={"PAYINTENTS_MAX_CONNECTIONS": "2", "PAYINTENTS_READ_TIMEOUT": "5"},
    ).start()
    yield proc
    proc.stop()


def test_at_the_cap_with_every_connection_busy_a_new_one_gets_503(
    two_connections: ServerProcess,
) -> None:
    """Requests in progress (their head in, their body still coming) are never displaced:
    a connection past the cap is refused with Stripe's body, and they are served."""
    server = two_connections
    key = new_key()
    form = b"amount=900&currency=usd"
    head = (
        f"POST /v1/payment_intents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(form)}\r\n\r\n"
    ).encode()
    busy = []
    for _ in range(2):
        sock = socket.create_connection((server.host, server.port), timeout=10)
        sock.sendall(head + form[:5])
        busy.append(sock)
    time.sleep(0.3)
    status, headers, body = exchange(server, b"")
    assert status == 503
    assert headers["stripe-should-retry"] == "true"
    assert orjson.loads(body) == {
        "error": {
            "message": "The server has too many open connections and cannot accept another "
            "right now; please retry the request.",
            "type": "api_error",
        }
    }
    for sock in busy:
        sock.sendall(form[5:])
        answer = b""
        while not answer.endswith(b"}"):
            answer += sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
        sock.close()
    assert [pi.amount for pi in make_client(server, key).v1.payment_intents.list().data] == [
        900,
        900,
    ]


def test_a_huge_header_on_a_thread_does_not_block_the_server(limited: ServerProcess) -> None:
    """While a 64 MB header is being sent, other clients are served."""
    sender = threading.Thread(target=huge_header, args=(limited.host, limited.port))
    sender.start()
    served(limited)
    sender.join(30)
    assert not sender.is_alive()


def test_worker_processes_keep_the_limits_from_the_environment(tmp_path: Path) -> None:
    proc = ServerProcess(
        str(tmp_path / "db.sqlite3"),
        "--workers", "2",
        env={"PAYINTENTS_MAX_HEADER_BYTES": "1000"},
    ).start()  # fmt: skip
    try:
        key = new_key()
        for _ in range(4):  # whichever worker accepts it
            assert exchange(proc, head_with(key, 1000))[0] == 200
            status, _, body = exchange(proc, head_with(key, 1001))
            assert status == 431
            assert orjson.loads(body)["error"]["message"] == (
                "Request header fields too large: the limit is 1000 bytes."
            )
    finally:
        proc.stop()
