"""The records commands' lock (cli_records): a data folder that cannot be written is told
apart from the app or another records command holding the records, as the app itself does
at start-up; and `check`, which takes no lock, says the records are in use without talking of
saving."""

from __future__ import annotations

import argparse
import io
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QLockFile

from rethink_desktop.cli import cmd_check
from rethink_desktop.cli_records import cmd_import, cmd_purge, cmd_restore
from rethink_desktop.storage.config import Config
from rethink_desktop.storage.database import backup_database
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
        # Not a dry run: that only reads, as an export does, and takes no lock.
        assert cmd_purge(data / "rethink.sqlite", data / "b", 24, False, io.StringIO(), err) == 1
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


def test_restore_while_the_records_are_in_use_is_refused_before_it_says_what_it_would_do(
    tmp_path,
):
    """With the app open, restore first announced "It will replace the records… A copy of
    the current records is kept… first", then refused."""
    data = tmp_path / "d"
    EventStore.open(data / "rethink.sqlite").close()
    backup = tmp_path / "b.sqlite"
    backup_database(data / "rethink.sqlite", backup)
    held = QLockFile(str(data / "rethink.lock"))
    assert held.tryLock(0)
    out, err = io.StringIO(), io.StringIO()
    try:
        args = argparse.Namespace(file=str(backup), yes=True)
        code = cmd_restore(data / "rethink.sqlite", data / "backups", args, out, err, io.StringIO())
    finally:
        held.unlock()
    assert code == 1
    assert "is already using these records" in err.getvalue()
    assert out.getvalue() == ""


@pytest.mark.parametrize(
    ("command", "not_done"),
    [("import", "nothing could be imported"), ("restore", "the backup could not be restored")],
)
def test_a_full_disk_under_a_records_command_says_what_was_not_done(
    tmp_path, monkeypatch, command, not_done
):
    """A full disk under import or restore said "so the last action could not be saved…
    then carry on", a live session's words, and not that nothing had changed."""
    import rethink_desktop.reports.importer as importer
    import rethink_desktop.storage.backups as backups
    from rethink_desktop.storage.database import DiskFullError

    data = tmp_path / "d"
    db_path = data / "rethink.sqlite"
    EventStore.open(db_path).close()
    backup = tmp_path / "b.sqlite"
    backup_database(db_path, backup)

    def full(*args, **kwargs):
        raise DiskFullError(db_path)

    monkeypatch.setattr(importer, "import_export", full)
    monkeypatch.setattr(backups, "restore_backup", full)
    err = io.StringIO()
    if command == "import":
        args = argparse.Namespace(file=str(backup), keep_names=False)
        assert cmd_import(db_path, args, io.StringIO(), err) == 1
    else:
        args = argparse.Namespace(file=str(backup), yes=True)
        assert cmd_restore(db_path, data / "backups", args, io.StringIO(), err, io.StringIO()) == 1
    assert err.getvalue() == (
        f"The disk holding the records ({db_path}) is full, so {not_done}. Nothing has been "
        "changed. Free some space on that drive, then try again.\n"
    )


def test_a_full_disk_told_in_a_steps_own_words_keeps_them():
    from rethink_desktop.cli_records import storage_words
    from rethink_desktop.storage.database import DiskFullError

    own = "Before restoring a backup, Re-Think Desktop keeps a copy… the drive is full."
    assert storage_words(DiskFullError("/r", own), Path("/r"), "restore") == own


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


def _user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("command", ["dry-run", "export"])
def test_commands_that_only_read_take_the_lock_only_to_upgrade_older_records(tmp_path, command):
    """A dry run and an export take no lock, so they run beside the app; but opening records
    of an older version upgrades them, a change that ran under an older app still open."""
    from rethink_desktop.cli import cmd_export
    from tests.helpers import back_to_schema_3, running

    paths = resolve_paths(tmp_path / "d")
    with EventStore.open(paths.database) as store:
        running(3, sink=store.append)

    def run_it() -> tuple[int, str]:
        err = io.StringIO()
        if command == "dry-run":
            code = cmd_purge(paths.database, paths.backups_dir, 24, True, io.StringIO(), err)
        else:
            args = argparse.Namespace(out=str(tmp_path / "x.json"), format="json", session=None,
                                      anonymise=True, include_demo=False, demo=False)  # fmt: skip
            code = cmd_export(paths, args, io.StringIO(), err)
        return code, err.getvalue()

    held = QLockFile(str(paths.database.with_suffix(".lock")))
    assert held.tryLock(0)  # the app is open
    try:
        code, said = run_it()
        assert (code, "already using" in said) == (0, False)  # current records: read beside it
        with EventStore.open(paths.database) as store:
            back_to_schema_3(store.db)
        code, said = run_it()
        assert code == 1
        assert "is already using these records" in said
        assert _user_version(paths.database) == 3  # not upgraded under the app
        assert not paths.backups_dir.exists()  # no pre-migration copy either
    finally:
        held.unlock()
    assert run_it()[0] == 0  # app closed: upgraded, then read
    assert _user_version(paths.database) > 3
