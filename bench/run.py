"""Drive payintents with wrk and print one line per scenario.

    python -m bench.run [--store sqlite,postgres] [--workers 1,2] [--duration 10]
                        [--scenarios create,...] [--scales 1000,100000,1000000]

Each (store, workers) pair gets a fresh database seeded with --base intents through
bench/seed.py, one server (`payintents serve`), and every scenario for --duration
seconds at --connections connections. --scales then repeats retrieve, list, search and
create+confirm with that many stored intents (SQLite unless --store says otherwise) and
prints the ratios of the largest scale to the smallest. The ceiling is a bare ASGI app
on the same uvicorn stack (bench/ceiling.py); each line shows its share of it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "lua"
PYTHON = sys.executable
PAYINTENTS = str(Path(PYTHON).parent / "payintents")
KEY = "sk_test_bench"
POSTGRES = "postgresql://root@127.0.0.1:5432/test"

SCENARIOS = [
    "create",
    "create_confirm",
    "create_confirm_key",
    "capture",
    "retrieve",
    "list",
    "search",
    "three_d_secure",
]
SCALE_SCENARIOS = ["retrieve", "list", "search", "create_confirm"]


@dataclass
class Result:
    scenario: str
    rps: float
    p50_ms: float
    p99_ms: float
    p999_ms: float
    errors: int
    rss_mb: float


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it (uvicorn's workers)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) summed over the server's processes."""
    total = 0
    for p in descendants(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def reset_peak_rss(pid: int) -> None:
    """Restart the VmHWM count so each scenario reports its own peak (Linux >= 4.0)."""
    for p in descendants(pid):
        with suppress(OSError):
            Path(f"/proc/{p}/clear_refs").write_text("5")


@contextmanager
def server(command: list[str], port: int) -> Iterator[int]:
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"bench: server exited with {proc.returncode}: {command}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).read()
                break
            except urllib.error.HTTPError:
                break  # it answers (payintents says 404 on /)
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"bench: server did not start: {command}") from None
                time.sleep(0.1)
        yield proc.pid
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def serve_command(database: str, port: int, workers: int) -> list[str]:
    return [
        PAYINTENTS, "serve", "--database", database, "--port", str(port),
        "--workers", str(workers),
    ]  # fmt: skip


def ceiling_command(port: int, workers: int) -> list[str]:
    # The flags `payintents serve` gives uvicorn (payintents/app.py).
    return [
        PYTHON, "-m", "uvicorn", "bench.ceiling:app", "--port", str(port),
        "--workers", str(workers), "--loop", "uvloop", "--http", "httptools",
        "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip


def wrk(
    scenario: str, port: int, pid: int, args: argparse.Namespace, ids: Path, seeded: int
) -> Result:
    env = {
        **os.environ,
        "BENCH_LUA": str(LUA),
        "BENCH_KEY": KEY,
        "BENCH_IDS": str(ids),
        "BENCH_SEEDED": str(seeded),
    }
    command = [
        "wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.duration}s",
        "-s", str(LUA / f"{scenario}.lua"), f"http://127.0.0.1:{port}",
    ]  # fmt: skip
    reset_peak_rss(pid)
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    r = json.loads(line.removeprefix("BENCH "))
    return Result(
        scenario,
        rps=r["requests"] / (r["duration_us"] / 1e6),
        p50_ms=r["p50"] / 1000,
        p99_ms=r["p99"] / 1000,
        p999_ms=r["p999"] / 1000,
        # Answers other than 2xx/3xx, answers a flow did not expect, socket errors.
        errors=max(r["non_2xx_3xx"], r["unexpected"]) + r["socket_errors"],
        rss_mb=peak_rss_mb(pid),
    )


HEADER = (
    f"{'scenario':<20}{'store':<10}{'workers':>7}{'stored':>9}{'req/s':>9}{'p50 ms':>8}"
    f"{'p99 ms':>8}{'p99.9':>8}{'errors':>8}{'RSS MB':>8}{'of ceiling':>11}"
)


def show(r: Result, store: str, workers: int, stored: int, ceiling: dict[int, float]) -> None:
    share = f"{r.rps / ceiling[workers]:.1%}" if workers in ceiling else "-"
    print(
        f"{r.scenario:<20}{store:<10}{workers:>7}{stored:>9}{r.rps:>9.0f}{r.p50_ms:>8.2f}"
        f"{r.p99_ms:>8.2f}{r.p999_ms:>8.2f}{r.errors:>8}{r.rss_mb:>8.0f}{share:>11}",
        flush=True,
    )


@contextmanager
def fresh_database(store: str, workdir: Path, postgres: str) -> Iterator[str]:
    if store == "sqlite":
        path = workdir / f"bench-{time.monotonic_ns()}.sqlite3"
        yield str(path)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = f"payintents_bench_{os.getpid()}_{time.monotonic_ns() % 10**9}"
    with psycopg.connect(postgres, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield postgres.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(postgres, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def seed(database: str, count: int, start: int, ids: Path) -> None:
    """Add intents number start..count-1 through bench/seed.py; append their ids."""
    if count <= start:
        return
    part = ids.with_suffix(".part")
    out = subprocess.run(
        [PYTHON, "-m", "bench.seed", "--database", database, "--key", KEY,
         "--count", str(count - start), "--start", str(start), "--ids", str(part)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True,
    ).stdout  # fmt: skip
    with ids.open("a") as f:
        f.write(part.read_text())
    part.unlink()
    print(f"# {out.strip()} (now {count})", flush=True)


def run_ceiling(args: argparse.Namespace, workdir: Path) -> dict[int, float]:
    rates = {}
    for workers in args.workers:
        port = free_port()
        with server(ceiling_command(port, workers), port) as pid:
            r = wrk("ceiling", port, pid, args, workdir / "none", 1)
        show(r, "-", workers, 0, {})
        rates[workers] = r.rps
    return rates


def run_matrix(args: argparse.Namespace, workdir: Path, ceiling: dict[int, float]) -> None:
    for store in args.store:
        for workers in args.workers:
            with fresh_database(store, workdir, args.database) as database:
                ids = workdir / "ids.txt"
                ids.unlink(missing_ok=True)
                seed(database, args.base, 0, ids)
                port = free_port()
                with server(serve_command(database, port, workers), port) as pid:
                    for scenario in args.scenarios:
                        r = wrk(scenario, port, pid, args, ids, args.base)
                        show(r, store, workers, args.base, ceiling)


def run_scales(args: argparse.Namespace, workdir: Path, ceiling: dict[int, float]) -> None:
    for store in args.store:
        for workers in args.workers:
            with fresh_database(store, workdir, args.database) as database:
                ids = workdir / "ids.txt"
                ids.unlink(missing_ok=True)
                seeded = 0
                results: dict[int, dict[str, Result]] = {}
                for scale in sorted(args.scales):
                    started = time.monotonic()
                    seed(database, scale, seeded, ids)
                    print(f"# seeding to {scale}: {time.monotonic() - started:.0f}s", flush=True)
                    seeded = scale
                    port = free_port()
                    with server(serve_command(database, port, workers), port) as pid:
                        for scenario in SCALE_SCENARIOS:
                            r = wrk(scenario, port, pid, args, ids, scale)
                            show(r, store, workers, scale, ceiling)
                            results.setdefault(scale, {})[scenario] = r
                small, large = min(results), max(results)
                for scenario in SCALE_SCENARIOS:
                    a, b = results[small][scenario], results[large][scenario]
                    print(
                        f"# ratio {large}/{small} {scenario} {store} workers={workers}: "
                        f"req/s x{b.rps / a.rps:.2f}  p50 x{b.p50_ms / a.p50_ms:.2f}  "
                        f"p99 x{b.p99_ms / a.p99_ms:.2f}  RSS x{b.rss_mb / a.rss_mb:.2f}",
                        flush=True,
                    )


def csv(kind: type) -> object:
    return lambda text: [kind(x) for x in text.split(",") if x]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=csv(str), default=["sqlite", "postgres"])
    parser.add_argument("--database", default=POSTGRES, help="PostgreSQL server to bench on")
    parser.add_argument("--workers", type=csv(int), default=[1, 2])
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--scenarios", type=csv(str), default=SCENARIOS)
    parser.add_argument("--base", type=int, default=1000, help="intents stored before the matrix")
    parser.add_argument("--scales", type=csv(int), default=[], help="e.g. 1000,100000,1000000")
    parser.add_argument("--no-matrix", action="store_true", help="only the ceiling and scales")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench: wrk is not installed (scripts/bench installs Debian's)")
    print(
        f"# {os.cpu_count()} CPUs, {args.connections} connections, {args.threads} wrk threads, "
        f"{args.duration}s per scenario",
        flush=True,
    )
    print(HEADER, flush=True)
    with tempfile.TemporaryDirectory(prefix="payintents-bench-") as tmp:
        workdir = Path(tmp)
        ceiling = run_ceiling(args, workdir)
        if not args.no_matrix:
            run_matrix(args, workdir, ceiling)
        if args.scales:
            run_scales(args, workdir, ceiling)


if __name__ == "__main__":
    main()
