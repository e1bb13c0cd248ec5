"""Every `payintents serve` flag can be set from the environment, says how in its help, and is in
the README's Configuration table, so an operator finds each one in both places."""

from __future__ import annotations

import argparse
import re

import pytest

from payintents.cli import _parser
from tests.server import ROOT

# Flags whose variable is not the flag's own name.
ENV_NAMES = {"--api-key": "PAYINTENTS_API_KEYS"}


def serve_flags() -> list[argparse.Action]:
    parser = _parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    serve = sub.choices["serve"]
    return [a for a in serve._actions if a.option_strings and a.dest != "help"]


def env_name(flag: str) -> str:
    return ENV_NAMES.get(flag, "PAYINTENTS_" + flag.removeprefix("--").replace("-", "_").upper())


@pytest.mark.parametrize("action", serve_flags(), ids=lambda a: a.option_strings[0])
def test_each_flag_names_its_variable_and_is_in_the_readme(action: argparse.Action) -> None:
    flag = action.option_strings[0]
    assert env_name(flag) in (action.help or ""), f"{flag}'s help does not name {env_name(flag)}"
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    row = re.search(rf"^\| `{re.escape(flag)}[ `].*$", table, re.MULTILINE)
    assert row, f"{flag} is not in the README's Configuration table"
    assert f"`{env_name(flag)}" in row.group(0), row.group(0)
