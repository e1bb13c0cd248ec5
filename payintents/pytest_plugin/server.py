"""`payintents serve` in a process of its own, for a test session: on a free port, with a
temporary SQLite file, ready once `/_payintents/health` answers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

START_TIMEOUT = 60.0


def wait_until_healthy(
    url: str, timeout: float, proc: subprocess.Popen[bytes] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    # One client for every attempt: building one (its SSL context) costs more than a try.
    with httpx.Client(timeout=2) as http:
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"payintents exited with status {proc.returncode}")
            try:
                resp = http.get(url + "/_payintents/health")
                if resp.status_code == 200:
                    return
                last = f"{resp.status_code} {resp.text[:200]}"
            except httpx.HTTPError as err:
                last = f"{type(err).__name__}: {err}"
            time.sleep(0.05)
    raise RuntimeError(f"payintents at {url} is not healthy after {timeout:.0f} s: {last}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalServer:
    """A server this session started; `url` is where it listens."""

    def __init__(self, folder: Path, *args: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / "payintents.log"
        cmd = [
            sys.executable, "-m", "payintents", "serve",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--database", str(folder / "payintents.sqlite3"),
            *args,
        ]  # fmt: skip
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ}
            )
        try:
            wait_until_healthy(self.url, START_TIMEOUT, self.proc)
        except RuntimeError as err:
            self.stop()
            raise RuntimeError(f"{err}; its log:\n{self.log_path.read_text()[-2000:]}") from None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
