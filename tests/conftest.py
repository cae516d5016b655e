"""Shared fixtures: every test gets its own data, config and log folders."""

from __future__ import annotations

import os
import time

import pytest

# No test may touch the real user folders, whatever it imports.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    """Point every platform folder (XDG) and the data-dir override at a temporary folder."""
    home = tmp_path / "home"
    for var, sub in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "etc-xdg"))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("RETHINK_DATA_DIR", raising=False)
    monkeypatch.delenv("RETHINK_CONFIG", raising=False)
    return home


@pytest.fixture
def data_dir(tmp_path):
    """A fresh, empty data folder for one test."""
    path = tmp_path / "rethink-data"
    return path


@pytest.fixture
def local_zone(monkeypatch):
    """Set the process's local time zone (``local_zone("Pacific/Kiritimati")``) for one test."""

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()
