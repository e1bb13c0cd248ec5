"""A real payintents server process for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from tests.http_client import HTTP

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# `python -m payintents`; the console script `payintents` next to the interpreter is the other.
PYTHON_M = (sys.executable, "-m", "payintents")


class ServerProcess:
    """`payintents serve` on a free port; start, stop, kill -9 and restart it.

    `database` None leaves the flag out (the server's default file, in `cwd`);
    `settings_in_env` gives host, port and database as PAYINTENTS_* variables instead of flags.
    """

    def __init__(
        self,
        database: str | None,
        *args: str,
        env: dict[str, str] | None = None,
        log_path: Path | None = None,
        host: str = "127.0.0.1",
        program: Sequence[str] = PYTHON_M,
        cwd: Path = ROOT,
        settings_in_env: bool = False,
    ) -> None:
        self.database = database
        self.args = list(args)
        self.env = env or {}
        self.host = host
        self.port = free_port()
        self.program = list(program)
        self.cwd = cwd
        self.settings_in_env = settings_in_env
        self.proc: subprocess.Popen[bytes] | None = None
        if log_path is None and database is not None and "://" not in database:
            log_path = Path(database + ".log")
        self.log_path = log_path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _settings(self) -> dict[str, str]:
        settings = {"HOST": self.host, "PORT": str(self.port)}
        if self.database is not None:
            settings["DATABASE"] = self.database
        return settings

    def start(self) -> ServerProcess:
        settings = self._settings()
        env = {**os.environ, **self.env}
        if self.settings_in_env:
            env.update({f"PAYINTENTS_{k}": v for k, v in settings.items()})
            flags = []
        else:
            flags = [arg for k, v in settings.items() for arg in (f"--{k.lower()}", v)]
        cmd = [*self.program, "serve", *flags, *self.args]
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(
            cmd, cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT, env=env
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.log()}")
            try:
                HTTP.get(self.url + "/v1/payment_intents", timeout=1)
                return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("server did not start: " + self.log())

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path and self.log_path.exists() else ""

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill(self) -> None:
        """SIGKILL: no chance to flush or clean up."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def restart(self) -> ServerProcess:
        self.stop()
        return self.start()
