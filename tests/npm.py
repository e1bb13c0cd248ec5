"""The npm packages the tests use (tests/node/package.json, pinned with integrity hashes in its
package-lock.json), installed once into tests/node/node_modules by `npm ci`."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from pathlib import Path

NODE_DIR = Path(__file__).resolve().parent / "node"
MODULES = NODE_DIR / "node_modules"
# The lock file the installed tree came from: `npm ci` runs again once the lock changes.
STAMP = MODULES / ".installed-lock"


def missing_tools() -> list[str]:
    return [tool for tool in ("node", "npm") if shutil.which(tool) is None]


def install() -> Path:
    """tests/node/node_modules as package-lock.json pins it; one installer at a time (pytest-xdist
    workers ask together). Raises where node or npm is missing."""
    missing = missing_tools()
    if missing:
        raise FileNotFoundError(f"{' and '.join(missing)} not installed")
    lock = (NODE_DIR / "package-lock.json").read_bytes()
    with open(NODE_DIR / ".install.lock", "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        if not STAMP.exists() or STAMP.read_bytes() != lock:
            subprocess.run(
                ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
                cwd=NODE_DIR,
                check=True,
                capture_output=True,
                timeout=600,
            )
            STAMP.write_bytes(lock)
    return MODULES
