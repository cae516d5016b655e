"""The records commands' lock (cli_records): a data folder that cannot be written is told
apart from the app holding the database, as the app itself does at start-up."""

from __future__ import annotations

import argparse
import io

import pytest
from PySide6.QtCore import QLockFile

from rethink_desktop.cli_records import cmd_import, cmd_purge

Error = QLockFile.LockError


def run(command: str, data) -> str:
    err = io.StringIO()
    if command == "import":
        args = argparse.Namespace(file=str(data / "x.json"), keep_names=False)
        assert cmd_import(data / "rethink.sqlite", args, io.StringIO(), err) == 1
    else:
        (data / "rethink.sqlite").write_bytes(b"")
        assert cmd_purge(data / "rethink.sqlite", data / "b", 24, True, io.StringIO(), err) == 1
    return err.getvalue()


@pytest.mark.parametrize("command", ["import", "purge"])
def test_a_read_only_data_folder_is_not_called_open_in_the_app(tmp_path, monkeypatch, command):
    tmp_path.joinpath("d").mkdir()
    monkeypatch.setattr(QLockFile, "tryLock", lambda self, timeout=0: False)
    monkeypatch.setattr(QLockFile, "error", lambda self: Error.PermissionError)
    said = run(command, tmp_path / "d")
    assert "read-only or belongs to another user" in said
    assert "Nothing has been changed." in said
    assert "has this database open" not in said


@pytest.mark.parametrize("command", ["import", "purge"])
def test_the_app_holding_the_lock_is_called_open(tmp_path, command):
    data = tmp_path / "d"
    data.mkdir()
    held = QLockFile(str(data / "rethink.lock"))
    assert held.tryLock(0)
    try:
        said = run(command, data)
    finally:
        held.unlock()
    assert "has this database open" in said
