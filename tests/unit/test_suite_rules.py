"""What keeps the suite fast (docs/test-suite.md): raw HTTP goes through tests.http_client."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
# httpx's module-level functions build a client, and an SSL context, per call.
PER_CALL_CLIENT = re.compile(r"\bhttpx\.(get|post|put|patch|delete|request|stream|head)\(")


def test_raw_http_uses_the_shared_client() -> None:
    offenders = [
        f"{path.relative_to(TESTS)}:{n}"
        for path in TESTS.rglob("*.py")
        if "node_modules" not in path.parts and path.name != "http_client.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if PER_CALL_CLIENT.search(line)
    ]
    assert offenders == [], "use tests.http_client.HTTP instead of httpx.<verb>()"
