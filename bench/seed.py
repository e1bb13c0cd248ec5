"""Bulk seeding through the real code path: each intent is created by the same
endpoint handler an HTTP `POST /v1/payment_intents` runs (parameter schema,
domain, events, store), many to a transaction so a million takes minutes.

    python -m bench.seed --database bench.sqlite3 --key sk_test_bench --count 100000
"""

from __future__ import annotations

import argparse
import time

from payintents.app import build_runtime
from payintents.config import Config
from payintents.domain import versions
from payintents.domain.ids import request_id
from payintents.resources import ENDPOINTS
from payintents.runtime import Runtime
from payintents.services.context import Ctx
from payintents.wire import auth

# Intents per transaction: big enough that the commit (an fsync) costs nothing per row.
BATCH = 5_000

CREATE = next(e for e in ENDPOINTS if e.method == "POST" and e.path == "/v1/payment_intents")


def order_id(n: int) -> str:
    """The metadata value intent number `n` carries (searches look it up)."""
    return f"order_{n}"


def seed(runtime: Runtime, key: str, count: int, start: int = 0) -> list[str]:
    """Create intents number start..start+count-1 for `key`'s account; their ids."""
    principal = auth.authenticate(f"Bearer {key}", None)
    ids: list[str] = []
    now = runtime.clock.now()
    for first in range(start, start + count, BATCH):
        with runtime.store.write():
            for n in range(first, min(first + BATCH, start + count)):
                ctx = Ctx(
                    account=principal.account,
                    livemode=principal.livemode,
                    key_kind=principal.kind,
                    publishable_key=principal.publishable_key,
                    request_id=request_id(),
                    version=versions.DEFAULT_VERSION,
                    now=now,
                    idempotency_key=None,
                    base_url="http://127.0.0.1",
                    runtime=runtime,
                )
                params = CREATE.params.parse(
                    {
                        "amount": str(1000 + n % 9000),
                        "currency": "usd",
                        "payment_method_types": ["card"],
                        "metadata": {"order_id": order_id(n), "bench": "seed"},
                    }
                )
                ids.append(CREATE.handler(ctx, params, {})["id"])
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--key", required=True, help="the secret key whose account owns them")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--start", type=int, default=0, help="number of the first intent")
    parser.add_argument("--ids", help="write the created ids to this file, one a line")
    args = parser.parse_args()
    runtime = build_runtime(Config(database=args.database))
    started = time.monotonic()
    ids = seed(runtime, args.key, args.count, args.start)
    elapsed = time.monotonic() - started
    runtime.store.close()
    if args.ids:
        with open(args.ids, "w") as f:
            f.write("\n".join(ids) + "\n")
    print(f"seeded {len(ids)} intents in {elapsed:.1f}s ({len(ids) / elapsed:.0f}/s)")


if __name__ == "__main__":
    main()
