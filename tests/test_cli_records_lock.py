"""The records commands' lock (cli_records): a data folder that cannot be written is told
apart from the app or another records command holding the records, as the app itself does
at start-up; and `check`, which takes no lock, says the records are in use without talking of
saving."""

from __future__ import annotations

import argparse
import io
import sqlite3

import pytest
from PySide6.QtCore import QLockFile

from rethink_desktop.cli import cmd_check
from rethink_desktop.cli_records import cmd_import, cmd_purge
from rethink_desktop.storage.config import Config
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.storage.paths import resolve_paths

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
    assert "already using" not in said


@pytest.mark.parametrize("command", ["import", "purge"])
def test_the_lock_held_names_the_app_or_another_command(tmp_path, command):
    """The holder may be the app's window or another import, restore or purge (a second
    import during an import was told to close the app)."""
    data = tmp_path / "d"
    data.mkdir()
    held = QLockFile(str(data / "rethink.lock"))
    assert held.tryLock(0)
    try:
        said = run(command, data)
    finally:
        held.unlock()
    assert said == (
        "Re-Think Desktop, or one of its commands (an import, a restore, a purge), is already "
        f"using these records ({data / 'rethink.sqlite'}). Nothing has been changed. Close the "
        "app, or wait for the other command to finish, then try again.\n"
    )


def test_check_while_an_import_writes_says_the_records_are_in_use(tmp_path, monkeypatch):
    """An import writes through a rollback journal and holds the file until it commits."""
    monkeypatch.setattr("rethink_desktop.storage.database.BUSY_TIMEOUT_MS", 50)
    db_path = tmp_path / "d" / "rethink.sqlite"
    EventStore.open(db_path).close()
    importing = sqlite3.connect(db_path, isolation_level=None)
    out = io.StringIO()
    try:
        importing.execute("PRAGMA journal_mode = DELETE")  # as the import's transaction
        importing.execute("BEGIN IMMEDIATE")
        importing.execute(
            "INSERT INTO events (session_id, kind, at, data) VALUES ('s', 'k', 'a', '{}')"
        )
        assert cmd_check(resolve_paths(db_path.parent), False, out, Config()) == 1
    finally:
        importing.close()
    said = out.getvalue()
    assert (
        f"The records ({db_path}) are in use by Re-Think Desktop, one of its commands (an "
        "import, a restore, a purge) or another program, so they could not be checked just "
        "now. Nothing has been changed. Run check again once that has finished."
    ) in said
    assert "saved" not in said
