"""A connection flood against a real `payintents serve` on loopback, bounded in time, and one
line of figures: what the server did with the flood's connections, how a legitimate SDK
client fared during it, and the server's memory and open files before and after.

    python -m bench.flood [--seconds 5] [--connections 3000]

The flood (a process of its own, so it does not share the interpreter with the client it is
measured against) opens `--connections` connections over the first half of the run, in
turn: idle ones that send nothing, slowloris ones that trickle a request head a byte at a
time, and ones whose head is too large; then four requests with a 64 MB header each, as in
issue 15. Meanwhile an SDK client (stripe-python, no retries) creates PaymentIntents one
after another. The server runs with its default limits (docs/security.md).
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import selectors
import socket
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.run import ROOT, free_port, server
from payintents.wire.connections import raise_open_files_limit

KEY = "sk_test_flood"
HEAD = b"POST /v1/payment_intents HTTP/1.1\r\nHost: 127.0.0.1\r\n"
# The flood's own sockets are capped well under the client's open files limit.
FLOODER_OPEN_MAX = 8000
SLOW_EVERY = 0.5


@dataclass
class FloodCounts:
    attempted: int = 0
    # Connections the server closed (timeouts, 431, 503, displaced at the cap), seen as EOF
    # or a reset.
    closed: int = 0
    # Still open when the flood ended: held by the server, or still in its accept queue.
    held: int = 0
    connect_failed: int = 0


def flood(host: str, port: int, seconds: float, connections: int) -> FloodCounts:
    """Open `connections` hostile connections over the first half of `seconds`, keep them as
    long as the server lets them live, and count what it does with them."""
    raise_open_files_limit()
    counts = FloodCounts()
    sel = selectors.DefaultSelector()
    slow: dict[socket.socket, None] = {}
    start = time.monotonic()
    deadline = start + seconds
    pace = connections / max(seconds / 2, 0.1)
    next_trickle = start + SLOW_EVERY

    def drop(sock: socket.socket) -> None:
        sel.unregister(sock)
        slow.pop(sock, None)
        sock.close()

    while (now := time.monotonic()) < deadline:
        while counts.attempted < min(connections, (now - start) * pace):
            if len(sel.get_map()) >= FLOODER_OPEN_MAX:
                break
            kind = counts.attempted % 3
            counts.attempted += 1
            try:
                sock = socket.create_connection((host, port), timeout=1)
            except OSError:
                counts.connect_failed += 1
                continue
            sock.setblocking(False)
            try:
                if kind == 1:
                    sock.send(HEAD)
                    slow[sock] = None
                elif kind == 2:
                    sock.send(HEAD + b"X-Flood: " + b"a" * 200_000)
            except OSError:
                pass
            sel.register(sock, selectors.EVENT_READ)
        if now >= next_trickle:
            next_trickle = now + SLOW_EVERY
            for sock in list(slow):
                try:
                    sock.send(b"x")
                except BlockingIOError:
                    pass
                except OSError:
                    counts.closed += 1
                    drop(sock)
        for key, _ in sel.select(timeout=0.02):
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            try:
                data = sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                counts.closed += 1
                drop(sock)
    counts.held = len(sel.get_map())
    for key in list(sel.get_map().values()):
        drop(key.fileobj)  # type: ignore[arg-type]
    return counts


def huge_header(host: str, port: int, size: int = 64 << 20) -> int:
    """One request with a `size`-byte header; the status it is answered with (0: none)."""
    with socket.create_connection((host, port), timeout=30) as sock:

        def send() -> None:
            # The server may close it once it has answered.
            with contextlib.suppress(OSError):
                sock.sendall(HEAD + b"X-Huge: " + b"a" * size + b"\r\n\r\n")

        sender = threading.Thread(target=send)
        sender.start()
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except OSError:
            pass
        sender.join()
    status = answer.split(b" ", 2)[1:2]
    return int(status[0]) if status and status[0].isdigit() else 0


def _flood_process(host: str, port: int, seconds: float, connections: int, out: Any) -> None:
    counts = flood(host, port, seconds, connections)
    out.send((counts, [huge_header(host, port) for _ in range(4)]))


def run_flood_process(host: str, port: int, seconds: float, connections: int) -> tuple[Any, Any]:
    """The flood in a process of its own: (the process, the pipe its result comes on)."""
    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_flood_process, args=(host, port, seconds, connections, theirs))
    proc.start()
    return proc, ours


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


class PeakOpenFiles:
    """The most files a process had open while this ran (sampled every 20 ms)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = open_files(pid)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self.stopped.wait(0.02):
            with contextlib.suppress(OSError):
                self.peak = max(self.peak, open_files(self.pid))

    def __enter__(self) -> PeakOpenFiles:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join()


def legit_client(url: str, until: float) -> tuple[list[float], int]:
    """Create PaymentIntents one after another until `until`: latencies (s) and errors."""
    import stripe

    client = stripe.StripeClient(
        api_key=KEY,
        base_addresses={"api": url},
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=10),
    )
    latencies, errors = [], 0
    while time.monotonic() < until:
        began = time.monotonic()
        try:
            client.v1.payment_intents.create(params={"amount": 500, "currency": "usd"})
            latencies.append(time.monotonic() - began)
        except stripe.StripeError:
            errors += 1
    return latencies, errors


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else float("nan")


def flood_scenario(seconds: float = 5.0, connections: int = 3000) -> str:
    """The `flood` scenario: one line of figures."""
    with tempfile.TemporaryDirectory(prefix="payintents-flood-") as workdir:
        port = free_port()
        command = [
            sys.executable, "-m", "payintents", "serve", "--port", str(port),
            "--database", str(Path(workdir) / "flood.sqlite3"),
        ]  # fmt: skip
        with server(command, port) as pid:
            url = f"http://127.0.0.1:{port}"
            legit_client(url, time.monotonic() + 0.5)  # warm up
            rss_before, fds_before = rss_mb(pid), open_files(pid)
            with PeakOpenFiles(pid) as fds:
                proc, result = run_flood_process("127.0.0.1", port, seconds, connections)
                latencies, errors = legit_client(url, time.monotonic() + seconds)
                counts, huge = result.recv()
                proc.join()
            time.sleep(1.0)  # the server notices the flood's sockets closing
            rss_after, fds_after = rss_mb(pid), open_files(pid)
    return (
        f"flood: connections attempted={counts.attempted} held={counts.held} "
        f"closed_by_server={counts.closed} connect_failed={counts.connect_failed}; "
        f"64MB headers answered {','.join(map(str, huge))}; "
        f"legit served={len(latencies)} errors={errors} p99={p99(latencies) * 1000:.0f}ms; "
        f"server rss {rss_before:.0f}->{rss_after:.0f} MB, "
        f"fds {fds_before}->{fds_after} (peak {fds.peak})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=3000)
    args = parser.parse_args()
    os.chdir(ROOT)
    print(flood_scenario(args.seconds, args.connections), flush=True)


if __name__ == "__main__":
    main()
