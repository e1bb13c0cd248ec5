"""The benchmark's seeding path (bench/seed.py) stores intents the API then serves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import make_client, new_key
from tests.server import ServerProcess

ROOT = Path(__file__).resolve().parents[2]


def test_seeded_intents_are_served(fresh_server: ServerProcess, tmp_path: Path) -> None:
    key = new_key()
    ids_file = tmp_path / "ids.txt"
    subprocess.run(
        [sys.executable, "-m", "bench.seed", "--database", fresh_server.database,
         "--key", key, "--count", "100", "--start", "7", "--ids", str(ids_file)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    ids = ids_file.read_text().split()
    assert len(ids) == len(set(ids)) == 100
    fresh_server.start()
    client = make_client(fresh_server, key)
    listed = [pi.id for pi in client.v1.payment_intents.list(params={"limit": 100}).data]
    assert sorted(listed) == sorted(ids)
    first = client.v1.payment_intents.retrieve(ids[0])
    assert first.status == "requires_payment_method"
    assert first.amount == 1007
    assert first.currency == "usd"
    assert first.metadata.to_dict() == {"order_id": "order_7", "bench": "seed"}
    last = client.v1.payment_intents.retrieve(ids[-1])
    assert last.metadata["order_id"] == "order_106"
    # Another account sees none of them.
    other = make_client(fresh_server)
    assert other.v1.payment_intents.list().data == []
