"""The pytest plugin as a user meets it: test files with no conftest, run by pytest in a process
of their own (pytester), the plugin found through its `pytest11` entry point."""

from __future__ import annotations

from importlib.metadata import entry_points


def test_the_entry_point_is_installed() -> None:
    found = {e.name: e.value for e in entry_points(group="pytest11")}
    assert found.get("payintents") == "payintents.pytest_plugin"
