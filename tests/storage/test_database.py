"""The SQLite file on real disks: migrations, durability settings, refusals and typed errors."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlite_utils import Database

from rethink_desktop.storage import database
from rethink_desktop.storage.database import (
    CorruptError,
    DiskFullError,
    EmptyFileError,
    ForeignDatabaseError,
    LockedError,
    NewerVersionError,
    NotADatabaseError,
    NotFoundError,
    ReadOnlyError,
    StorageError,
    at_rest,
    backup_database,
    classify,
    closed_cleanly,
    foreign_key_problems,
    integrity_check,
    move_aside,
    open_database,
    open_or_recover,
    quick_check,
    transaction,
    write,
)
from rethink_desktop.storage.schema import DERIVED_TABLES, SCHEMA_VERSION, migrations
from tests.helpers import overwrite_pages

POSIX = os.name == "posix"
# Root ignores file modes, so read-only cases use SQLite's own read-only mode instead.
ROOT = POSIX and os.geteuid() == 0


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def pragma(db: Database, name: str):
    return db.execute(f"PRAGMA {name}").fetchone()[0]


def add_event(db: Database, session_id: str = "s1", data: str = "{}") -> None:
    db["events"].insert({"session_id": session_id, "kind": "started", "at": "t", "data": data})


def raw(path: Path, *statements: str) -> None:
    """Run statements through a plain sqlite3 connection (to build awkward files)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for statement in statements:
            conn.execute(statement)
    finally:
        conn.close()


@pytest.fixture
def db_path(data_dir: Path) -> Path:
    return data_dir / "rethink.sqlite"


def make_database(path: Path, events: int = 0) -> None:
    rows = (
        {"session_id": f"s{i % 7}", "kind": "started", "at": "t", "data": "{}" * 200}
        for i in range(events)
    )
    with open_database(path) as db:
        db["events"].insert_all(rows)


# Migrations and settings


def test_schema_version_counts_the_migrations():
    with Database(memory=True) as db:
        assert len(migrations().pending(db)) == SCHEMA_VERSION


def test_empty_file_is_migrated_with_durable_settings(db_path):
    with open_database(db_path) as db:
        tables = set(db.table_names())
        assert {"events", *DERIVED_TABLES} <= tables
        assert pragma(db, "user_version") == SCHEMA_VERSION
        assert pragma(db, "journal_mode") == "wal"
        assert pragma(db, "foreign_keys") == 1
        assert pragma(db, "synchronous") == 2  # FULL
        assert pragma(db, "busy_timeout") == 2000
        assert migrations().pending(db) == []
        assert integrity_check(db) == []
        assert foreign_key_problems(db) == []


def test_an_existing_empty_file_is_never_silently_made_a_new_database(db_path):
    """A file emptied by a sync tool would otherwise look as if every record had vanished."""
    db_path.parent.mkdir()
    db_path.touch()
    for attempt in (open_database, lambda path: open_database(path, create=False)):
        with pytest.raises(EmptyFileError) as info:
            attempt(db_path)
        assert info.value.message == (
            f"The records file ({db_path}) is empty (0 bytes), so it holds no records: a sync "
            "or copy program, or a full disk, may have emptied it. It has not been changed. "
            "Restore your latest backup (File → Restore from a backup…, or the restore "
            "command), or open Re-Think Desktop, which keeps the empty file aside and starts a "
            "new one."
        )
    assert os.listdir(db_path.parent) == ["rethink.sqlite"]
    assert db_path.stat().st_size == 0

    db, moved_to = open_or_recover(db_path)  # the app's start
    with db:
        assert {"events", *DERIVED_TABLES} <= set(db.table_names())
    assert moved_to is not None
    assert moved_to.stat().st_size == 0
    assert str(moved_to) in EmptyFileError(db_path, moved_to).message


def test_reopening_is_idempotent(db_path):
    with open_database(db_path) as db:
        add_event(db)
        schema = db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    for _ in range(2):
        with open_database(db_path) as db:
            again = db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name")
            assert again.fetchall() == schema
            assert db["_sqlite_migrations"].count == SCHEMA_VERSION
            assert db["events"].count == 1
            assert pragma(db, "user_version") == SCHEMA_VERSION
    assert not (db_path.parent / "backups").exists()


def test_user_version_is_repaired_after_a_crash_between_migration_and_stamp(db_path):
    make_database(db_path)
    raw(db_path, "PRAGMA user_version = 0")
    with open_database(db_path) as db:
        assert pragma(db, "user_version") == SCHEMA_VERSION
    # The migrations had all run, so there was nothing to protect with a copy.
    assert not (db_path.parent / "backups").exists()


def test_create_false_refuses_a_missing_database(db_path):
    with pytest.raises(NotFoundError) as info:
        open_database(db_path, create=False)
    assert str(db_path) in info.value.message
    assert not db_path.parent.exists()


# Pre-migration copy


def test_older_database_with_records_is_copied_before_migrating(db_path):
    db_path.parent.mkdir()
    with Database(db_path) as db:  # as a build of schema 2 left it
        migrations().apply(db, stop_before="m003_session_figures")
        add_event(db)
        db.execute("PRAGMA user_version = 2")
    with open_database(db_path) as db:
        assert {"events", *DERIVED_TABLES} <= set(db.table_names())
        assert pragma(db, "user_version") == SCHEMA_VERSION

    copies = list((db_path.parent / "backups").iterdir())
    assert len(copies) == 1
    copy = copies[0]
    assert re.fullmatch(r"pre-migration-\d{8}T\d{6}Z-v2\.sqlite", copy.name)
    if POSIX:
        assert mode(copy) == 0o600
        assert mode(copy.parent) == 0o700
    with Database(copy) as old:
        assert "session_figures" not in old.table_names()
        assert old["events"].count == 1
        assert pragma(old, "user_version") == 2
        assert integrity_check(old) == []


def test_a_file_in_the_way_of_the_upgrade_copy_is_named_with_what_to_do(db_path):
    """A file called "backups" where the folder for the copy kept before an upgrade should
    be: said as the automatic copy's problem, not "choose another place for the backup"."""
    db_path.parent.mkdir()
    with Database(db_path) as db:  # as a build of schema 2 left it
        migrations().apply(db, stop_before="m003_session_figures")
        add_event(db)
        db.execute("PRAGMA user_version = 2")
    (db_path.parent / "backups").write_text("not a folder")
    with pytest.raises(StorageError) as info:
        open_database(db_path)
    assert info.value.message == (
        "Before upgrading the records, Re-Think Desktop keeps a copy of the records in "
        f"{db_path.parent / 'backups'}, but could not make it: {db_path.parent / 'backups'} is "
        "a file where that folder should be. Nothing has been changed. Move or rename that "
        "file, then try again."
    )
    with Database(db_path) as db:  # not upgraded: it stays as that build left it
        assert pragma(db, "user_version") == 2
        assert db["events"].count == 1
        assert "session_figures" not in db.table_names()


def test_a_safety_copy_that_cannot_reach_its_folder_offers_no_choice_of_place(db_path, monkeypatch):
    make_database(db_path, events=1)
    folder = db_path.parent / "backups"

    def unreachable(source, out, **kw):
        raise database._unreachable(Path(out), backup=True)

    monkeypatch.setattr(database, "backup_database", unreachable)
    with pytest.raises(StorageError) as info:
        database.safety_copy(db_path, folder, "x.sqlite", before="removing old records")
    assert info.value.message == (
        f"Before removing old records, Re-Think Desktop keeps a copy of the records in "
        f"{folder}, but could not make it: that folder could not be reached or written. "
        "Nothing has been changed. Check that its drive is connected and has room, then try "
        "again."
    )


def test_a_safety_copy_that_fails_on_a_full_drive_leaves_nothing_behind(db_path, monkeypatch):
    """The copy takes the records' WAL mode; switching it to a journal on a full drive left
    a hidden ``.x.sqlite.<pid>.tmp-wal`` and ``-shm`` in backups/, though a failed copy is
    removed."""
    make_database(db_path, events=1)
    folder = db_path.parent / "backups"
    real_connect = sqlite3.connect

    holders = []

    class FullDrive(sqlite3.Connection):
        def execute(self, sql, *args):
            if "journal_mode" in sql:
                # Its WAL opened, and (as on a full drive) not folded in and removed at close.
                holder = real_connect(self.execute("PRAGMA database_list").fetchone()[2])
                holder.execute("SELECT count(*) FROM sqlite_master")
                holders.append(holder)
                raise sqlite3.OperationalError("database or disk is full")
            return super().execute(sql, *args)

    def connect(path, *args, **kwargs):
        if ".tmp" in str(path):
            kwargs["factory"] = FullDrive
        return real_connect(path, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(database.sqlite3, "connect", connect)
        with pytest.raises(DiskFullError, match="the drive is full"):
            database.safety_copy(db_path, folder, "x.sqlite", before="removing old records")
    try:
        assert [p.name for p in folder.iterdir()] == []
    finally:
        holders[0].close()


def test_brand_new_database_gets_no_pre_migration_copy(db_path):
    make_database(db_path)
    assert not (db_path.parent / "backups").exists()


# Newer version


def test_newer_database_is_refused_byte_for_byte_untouched(db_path):
    make_database(db_path, events=3)
    raw(db_path, f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = sha256(db_path)
    listing = sorted(os.listdir(db_path.parent))

    with pytest.raises(NewerVersionError) as info:
        open_database(db_path)

    error = info.value
    assert error.found == SCHEMA_VERSION + 1
    assert error.supported == SCHEMA_VERSION
    assert "newer version of Re-Think Desktop" in error.message
    assert "has not been changed" in error.message
    assert error.path == db_path
    assert sha256(db_path) == before
    assert sorted(os.listdir(db_path.parent)) == listing  # no -wal, -shm or backups either


def test_newer_database_is_not_moved_aside_by_recovery(db_path):
    make_database(db_path)
    raw(db_path, f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    before = sha256(db_path)
    with pytest.raises(NewerVersionError):
        open_or_recover(db_path)
    assert sha256(db_path) == before


# Another program's database


@pytest.mark.parametrize(
    "tables",
    [
        # A name clash: migrating would fail half-way with "table sessions already exists".
        ("CREATE TABLE sessions (id INTEGER PRIMARY KEY, token TEXT)",),
        # No clash: our tables would be added to the other program's file.
        ("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)", "CREATE VIEW v AS SELECT 1"),
    ],
    ids=["clash", "no-clash"],
)
def test_another_programs_database_is_refused_byte_for_byte_untouched(db_path, tables):
    db_path.parent.mkdir()
    raw(db_path, *tables)
    before = sha256(db_path)
    for kwargs in ({}, {"check": False}, {"read_only": True}, {"create": False}):
        with pytest.raises(ForeignDatabaseError) as info:
            open_database(db_path, **kwargs)
        assert info.value.message == (
            f"The file {db_path} is not a Re-Think Desktop records file: it is a database made "
            "by another program. Nothing has been changed. Check the data folder setting "
            "(--data-dir); if the file belongs to another program, move it out of the data "
            "folder, then try again."
        )
    with pytest.raises(ForeignDatabaseError):
        open_or_recover(db_path)  # sound, and someone's: not set aside
    assert sha256(db_path) == before
    assert os.listdir(db_path.parent) == ["rethink.sqlite"]  # no -wal, -shm or backups


@pytest.mark.parametrize("version", [1, 3, SCHEMA_VERSION])
def test_another_programs_numbered_database_is_refused_untouched(db_path, version):
    # Other programs number their schemas too (a browser's history at 3, say).
    db_path.parent.mkdir()
    raw(
        db_path,
        "CREATE TABLE moz_places (id INTEGER PRIMARY KEY)",
        f"PRAGMA user_version = {version}",
    )
    before = sha256(db_path)
    with pytest.raises(ForeignDatabaseError):
        open_database(db_path)
    with pytest.raises(ForeignDatabaseError):
        open_or_recover(db_path)
    assert sha256(db_path) == before
    assert os.listdir(db_path.parent) == ["rethink.sqlite"]


def test_a_file_of_ours_left_before_its_schema_number_still_opens(db_path):
    """Ours with user_version 0: the migrations table alone, or the first migrations done."""
    db_path.parent.mkdir()
    with Database(db_path) as db:
        migrations().ensure_migrations_table(db)  # then a crash before the first migration
    open_database(db_path).close()
    db_path.unlink()
    with Database(db_path) as db:
        migrations().apply(db, stop_before="m003_session_figures")
    with open_database(db_path) as db:
        assert pragma(db, "user_version") == SCHEMA_VERSION
        assert migrations().pending(db) == []


# Damaged files


def test_random_bytes_are_not_a_database_and_stay_untouched(db_path):
    db_path.parent.mkdir()
    db_path.write_bytes(os.urandom(16384))
    before = sha256(db_path)
    with pytest.raises(NotADatabaseError) as info:
        open_database(db_path)
    assert isinstance(info.value, CorruptError)
    assert info.value.moved_to is None
    assert "not been changed" in info.value.message
    assert sha256(db_path) == before
    assert os.listdir(db_path.parent) == ["rethink.sqlite"]


def damage_middle(path: Path) -> None:
    """Overwrite one whole page in the middle of the file, as a bad sector would."""
    with Database(sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)) as db:
        pages = pragma(db, "page_count")
    assert pages > 20  # big enough that the middle page holds records
    overwrite_pages(path, [pages // 2 + 1])


def test_damaged_pages_are_detected_at_open(db_path):
    make_database(db_path, events=3000)
    damage_middle(db_path)
    before = sha256(db_path)
    with pytest.raises(CorruptError) as info:
        open_database(db_path)
    assert info.value.message == (  # no offer to set it aside: nothing does that on request
        f"The database file ({db_path}) is damaged, so Re-Think Desktop cannot use it. It has "
        "not been changed or deleted. Restore your latest backup (File → Restore from a "
        "backup…, or the restore command), or ask IT to look at the file."
    )
    assert sha256(db_path) == before
    assert os.listdir(db_path.parent) == ["rethink.sqlite"]


def test_without_the_check_a_damaged_file_opens_and_quick_check_finds_the_damage(db_path):
    make_database(db_path, events=3000)
    damage_middle(db_path)
    before = sha256(db_path)
    assert closed_cleanly(db_path)
    with open_database(db_path, check=False) as db:
        assert quick_check(db_path) != []  # what the app runs on another thread
        with pytest.raises(CorruptError), transaction(db):
            db.execute("SELECT count(*), max(length(data)) FROM events").fetchall()
    assert sha256(db_path) == before


def test_quick_check_of_a_sound_file_while_it_is_open(db_path):
    make_database(db_path, events=300)
    with open_database(db_path) as db:
        add_event(db)
        assert not closed_cleanly(db_path)  # the -wal of an open file
        assert quick_check(db_path) == []
    assert closed_cleanly(db_path)
    journal = Path(f"{db_path}-journal")
    journal.write_bytes(b"")  # as an import interrupted mid-transaction leaves it
    assert not closed_cleanly(db_path)
    journal.unlink()


def test_integrity_check_lists_problems_in_a_damaged_file(db_path):
    make_database(db_path, events=3000)
    damage_middle(db_path)
    with Database(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as db:
        assert integrity_check(db) != []


@pytest.mark.parametrize("damage", ["random", "middle"])
def test_recovery_moves_the_bad_file_aside_and_starts_fresh(db_path, damage):
    if damage == "random":
        db_path.parent.mkdir()
        db_path.write_bytes(os.urandom(8192))
    else:
        make_database(db_path, events=3000)
        damage_middle(db_path)
    before = sha256(db_path)

    db, moved_to = open_or_recover(db_path)
    with db:
        assert moved_to is not None
        assert moved_to.parent == db_path.parent
        assert re.fullmatch(r"rethink\.sqlite\.corrupt-\d{8}T\d{6}Z", moved_to.name)
        assert sha256(moved_to) == before
        add_event(db)
        assert db["events"].count == 1
        assert pragma(db, "user_version") == SCHEMA_VERSION

    message = CorruptError(db_path, moved_to=moved_to).message
    assert str(moved_to) in message
    assert "fresh" in message


def test_recovery_of_a_good_database_moves_nothing(db_path):
    make_database(db_path, events=2)
    db, moved_to = open_or_recover(db_path)
    with db:
        assert moved_to is None
        assert db["events"].count == 2


def test_move_aside_keeps_the_wal_with_its_file_and_never_overwrites(db_path, monkeypatch):
    # Two failures within the same second must not collide.
    monkeypatch.setattr(database, "_timestamp", lambda: "20260101T090000Z")
    make_database(db_path)
    wal = Path(f"{db_path}-wal")
    wal.write_bytes(b"pending pages")
    first = move_aside(db_path)
    assert not db_path.exists()
    assert not wal.exists()
    assert first.name == "rethink.sqlite.corrupt-20260101T090000Z"
    assert Path(f"{first}-wal").read_bytes() == b"pending pages"

    db_path.write_bytes(b"second bad file")
    second = move_aside(db_path)
    assert second.name == f"{first.name}-2"
    assert second.read_bytes() == b"second bad file"
    assert first.exists()


# Read-only


def test_read_only_data_folder_gives_a_plain_error(tmp_path):
    folder = tmp_path / "shared-drive"
    folder.mkdir()
    path = folder / "rethink.sqlite"
    if ROOT:
        # Root can write anywhere; an empty file opened through SQLite's read-only mode
        # hits the same refusal when the schema has to be written.
        path.touch()
        with pytest.raises(ReadOnlyError) as info:
            open_database(path, read_only=True)
        assert path.stat().st_size == 0
    else:
        folder.chmod(0o500)
        try:
            with pytest.raises(ReadOnlyError) as info:
                open_database(path)
        finally:
            folder.chmod(0o700)
        assert not path.exists()
    message = info.value.message
    assert f"data folder ({folder})" in message
    assert "read-only" in message
    assert "Nothing already recorded has been lost" in message
    assert "--data-dir" in message
    assert sorted(p.name for p in folder.iterdir()) == (["rethink.sqlite"] if ROOT else [])


def open_and_add_event(path: Path, *, read_only: bool) -> None:
    with open_database(path, read_only=read_only) as db, transaction(db):
        add_event(db, "s2")


def test_writing_to_a_read_only_database_raises_read_only_error(db_path):
    make_database(db_path, events=1)
    if not ROOT:
        db_path.chmod(0o400)
    try:
        with pytest.raises(ReadOnlyError) as info:
            open_and_add_event(db_path, read_only=ROOT)
    finally:
        db_path.chmod(0o600)
    assert isinstance(info.value.__cause__, sqlite3.Error)
    assert str(db_path.parent) in info.value.message
    with open_database(db_path) as db:
        assert db["events"].count == 1
    if POSIX and not ROOT:
        assert mode(db_path) == 0o600


def make_the_file_read_only(path: Path, monkeypatch) -> None:
    """Its folder stays writable. Root writes whatever the mode, so for root SQLite is made
    to open the file read-only, as it does for a user whose file is 0444, and ``os.access``
    answers as it would for that user."""
    if not ROOT:
        path.chmod(0o444)
        return
    real_connect, real_access = sqlite3.connect, os.access

    def connect(target, *args, **kwargs):
        if str(target) == str(path):
            return real_connect(f"{path.as_uri()}?mode=ro", *args, uri=True, **kwargs)
        return real_connect(target, *args, **kwargs)

    def access(target, mode, **kwargs):
        return not (str(target) == str(path) and mode == os.W_OK) and real_access(
            target, mode, **kwargs
        )

    monkeypatch.setattr(sqlite3, "connect", connect)
    monkeypatch.setattr(os, "access", access)


def test_a_read_only_records_file_is_refused_at_open_and_by_check(db_path, monkeypatch):
    from rethink_desktop.cli import cmd_check
    from rethink_desktop.storage.config import Config
    from rethink_desktop.storage.paths import resolve_paths

    make_database(db_path, events=1)
    before = sha256(db_path)
    make_the_file_read_only(db_path, monkeypatch)
    expected = (
        "Re-Think Desktop cannot save its records: the records file is read-only "
        f"({db_path}). Nothing already recorded has been lost. Ask IT to give you write "
        "access to that file, or start the app with --data-dir pointing to a folder you can "
        "write to."
    )
    try:
        for attempt in (open_database, open_or_recover):
            with pytest.raises(ReadOnlyError) as info:
                attempt(db_path)
            assert info.value.message == expected
        out = io.StringIO()
        assert cmd_check(resolve_paths(db_path.parent), False, out, Config()) == 1
        assert f"  - {expected}" in out.getvalue()
        with open_database(db_path, read_only=True) as db:  # reading it still works
            assert db["events"].count == 1
    finally:
        db_path.chmod(0o600)
    assert sha256(db_path) == before
    assert not (db_path.parent / "backups").exists()


def test_check_words_a_folder_it_cannot_write_in_as_the_app_does(db_path, monkeypatch):
    """With records in it, check said "cannot save to its data folder … start the app with
    --data-dir", while the app refused at its lock: "cannot write in its data folder … or for
    another folder (data_dir in the config file)". Check now says what the app will."""
    import errno
    import tempfile

    from rethink_desktop.cli import cmd_check
    from rethink_desktop.storage.config import Config
    from rethink_desktop.storage.paths import resolve_paths
    from rethink_desktop.ui.lock import data_folder_message

    make_database(db_path, events=1)
    before = sha256(db_path)
    made = tempfile.mkstemp

    def read_only_folder(*args, dir=None, **kwargs):  # root writes whatever the mode
        if dir is not None and Path(dir) == db_path.parent:
            raise PermissionError(errno.EACCES, "Permission denied", str(dir))
        return made(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", read_only_folder)
    out = io.StringIO()
    assert cmd_check(resolve_paths(db_path.parent), False, out, Config()) == 1
    app_says = (
        f"Re-Think Desktop cannot write in its data folder ({db_path.parent}): it is read-only "
        "or belongs to another user. Nothing has been changed. Ask IT for write access, or for "
        "another folder (data_dir in the config file)."
    )
    assert app_says == data_folder_message(db_path.parent, "read_only")  # the lock's words
    assert f"  - {app_says}" in out.getvalue()
    assert sha256(db_path) == before


def test_a_read_only_records_file_gets_nothing_left_beside_it(db_path, monkeypatch):
    """SQLite made a -wal and -shm with the file's mode (0400) and could not remove them:
    once IT made the file writable, the app still refused, blaming the folder."""
    from rethink_desktop.cli import cmd_check
    from rethink_desktop.storage.config import Config
    from rethink_desktop.storage.paths import resolve_paths

    make_database(db_path, events=1)
    make_the_file_read_only(db_path, monkeypatch)
    try:
        for attempt in (open_database, open_or_recover):
            with pytest.raises(ReadOnlyError):
                attempt(db_path)
        assert cmd_check(resolve_paths(db_path.parent), False, io.StringIO(), Config()) == 1
        assert sorted(os.listdir(db_path.parent)) == ["rethink.sqlite"]
    finally:
        monkeypatch.undo()
        db_path.chmod(0o600)
    with open_database(db_path) as db:  # IT made it writable: it just works
        assert db["events"].count == 1


@pytest.mark.parametrize("sides", [["-shm"], ["-wal", "-shm"]])
def test_read_only_files_left_beside_the_records_are_named(db_path, monkeypatch, sides):
    make_database(db_path, events=1)
    stuck = [Path(f"{db_path}{side}") for side in sides]
    for path in stuck:
        path.write_bytes(b"")
        path.chmod(0o400)
    if ROOT:  # root writes whatever the mode: answer as for the user whose files they are
        names, real_access = {str(path) for path in stuck}, os.access

        def access(target, mode, **kw):
            return not (str(target) in names and mode == os.W_OK) and real_access(
                target, mode, **kw
            )

        monkeypatch.setattr(os, "access", access)
    try:
        with pytest.raises(ReadOnlyError) as info:
            open_database(db_path)
    finally:
        for path in stuck:
            path.chmod(0o600)
    which = (
        f"{stuck[0]}, a working file SQLite keeps beside them, is read-only"
        if len(stuck) == 1
        else f"{stuck[0]} and {stuck[1]}, working files SQLite keeps beside them, are read-only"
    )
    assert info.value.message == (
        f"Re-Think Desktop cannot save its records: {which} (probably left there while the "
        "records file itself was read-only). Nothing already recorded has been lost. Ask IT "
        f"to give you write access to {'that file' if len(stuck) == 1 else 'them'}, then try "
        "again."
    )


def test_read_only_open_leaves_a_current_database_readable(db_path):
    make_database(db_path, events=2)
    with open_database(db_path, read_only=True) as db:
        assert db["events"].count == 2


# Full disk and locks


def test_full_disk_becomes_disk_full_error_and_keeps_earlier_records(db_path):
    with open_database(db_path) as db:
        add_event(db)
        db.execute(f"PRAGMA max_page_count = {pragma(db, 'page_count') + 2}")
        big = [
            {"session_id": f"s{i}", "kind": "started", "at": "t", "data": "x" * 5000}
            for i in range(50)
        ]
        with pytest.raises(DiskFullError) as info, transaction(db):
            db["events"].insert_all(big)
        assert info.value.message == (
            "The disk is full, so the last action could not be saved. Everything before it "
            "is safe. Free some space, then carry on."
        )
        assert db["events"].count == 1
        assert not db.conn.in_transaction


def full_drive_at_open(monkeypatch, path: Path) -> None:
    """SQLite on a full drive: it makes an empty -wal and a few bytes of -shm, then finds the
    index cannot grow (``SQLITE_IOERR_SHMSIZE``)."""
    real = sqlite3.connect

    def connect(target, *args, **kwargs):
        if str(target) == str(path):
            Path(f"{path}-wal").write_bytes(b"")
            Path(f"{path}-shm").write_bytes(b"\0\0\0")
            error = sqlite3.OperationalError("disk I/O error")
            error.sqlite_errorcode = 10 | (19 << 8)
            raise error
        return real(target, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", connect)


def test_a_read_only_file_with_read_only_files_beside_it_names_the_file(db_path, monkeypatch):
    """Only the -wal and -shm were named; once IT fixed those, the next start found the
    records file itself read-only."""
    make_database(db_path, events=1)
    stuck = [db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")]
    for path in stuck[1:]:
        path.write_bytes(b"")
    names, real_access = {str(path) for path in stuck}, os.access

    def access(target, mode, **kw):  # as for a user (root writes whatever the mode)
        return not (str(target) in names and mode == os.W_OK) and real_access(target, mode, **kw)

    monkeypatch.setattr(os, "access", access)
    with pytest.raises(ReadOnlyError) as info:
        open_database(db_path)
    assert info.value.message.startswith(
        "Re-Think Desktop cannot save its records: the records file, rethink.sqlite-wal and "
        f"rethink.sqlite-shm are read-only ({db_path})."
    )
    assert "write access to them" in info.value.message


def test_an_open_that_fails_on_a_full_drive_removes_what_it_made(db_path, tmp_path, monkeypatch):
    """Left there, the empty -wal and the -shm made ``export`` and ``backup`` fail after it."""
    make_database(db_path, events=1)
    full_drive_at_open(monkeypatch, db_path)
    with pytest.raises(DiskFullError) as info:
        open_database(db_path)  # as ``check`` opens it
    assert sorted(os.listdir(db_path.parent)) == ["rethink.sqlite"]
    assert info.value.for_check() == (
        f"The disk holding the records ({db_path}) is full, so they could not be opened to be "
        "checked (even reading them needs a little room beside them). Nothing has been "
        "changed. Free some space on that drive, then run check again."
    )
    assert "carry on" not in info.value.for_check()
    monkeypatch.undo()
    assert backup_database(db_path, tmp_path / "b.sqlite").exists()


def test_a_failed_open_leaves_a_wal_it_did_not_make(db_path, monkeypatch):
    make_database(db_path, events=1)
    wal, shm = Path(f"{db_path}-wal"), Path(f"{db_path}-shm")
    wal.write_bytes(b"")  # another program's, say, that has the file open
    full_drive_at_open(monkeypatch, db_path)
    with pytest.raises(DiskFullError):
        open_database(db_path)
    assert wal.exists()
    assert shm.exists()


def test_an_open_that_fails_otherwise_leaves_a_new_wal_alone(db_path, monkeypatch):
    """Not a full drive: an empty -wal that appeared during the open may be another
    program's, opening the file at that moment (deleting it could lose its writes)."""
    from rethink_desktop.storage import database

    make_database(db_path, events=1)
    wal = Path(f"{db_path}-wal")

    def busy(path, **kwargs):
        wal.write_bytes(b"")  # the app opened the file meanwhile
        raise LockedError(path)

    monkeypatch.setattr(database, "_open_database", busy)
    with pytest.raises(LockedError):
        open_database(db_path)
    assert wal.exists()


def test_a_write_lock_held_elsewhere_becomes_locked_error(db_path):
    make_database(db_path)
    other = sqlite3.connect(db_path, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        with open_database(db_path) as db:
            db.execute("PRAGMA busy_timeout = 50")
            with pytest.raises(LockedError) as info, transaction(db):
                add_event(db)
            assert "Close the other program" in info.value.message
        other.execute("ROLLBACK")
    finally:
        other.close()


# Files and modes


@pytest.mark.skipif(not POSIX, reason="file modes are POSIX-only")
def test_database_is_private_to_its_owner_whatever_the_umask(db_path):
    old = os.umask(0)
    try:
        db = open_database(db_path)
    finally:
        os.umask(old)
    with db:
        add_event(db)
        assert mode(db_path) == 0o600
        assert mode(db_path.parent) == 0o700
        assert mode(Path(f"{db_path}-wal")) == 0o600


@pytest.mark.skipif(not POSIX, reason="file modes are POSIX-only")
def test_an_existing_readable_database_is_made_private(db_path):
    make_database(db_path)
    db_path.chmod(0o644)
    open_database(db_path).close()
    assert mode(db_path) == 0o600


# Backup


def test_backup_is_a_valid_private_copy_with_the_same_rows(db_path, tmp_path):
    out = tmp_path / "usb" / "rethink-backup.sqlite"
    with open_database(db_path) as db:
        for i in range(25):
            add_event(db, f"s{i}")
        assert backup_database(db, out) == out
        rows = list(db["events"].rows)
    assert out.exists()
    if POSIX:
        assert mode(out) == 0o600
    assert sorted(p.name for p in out.parent.iterdir()) == ["rethink-backup.sqlite"]
    with Database(out) as copy:
        assert list(copy["events"].rows) == rows
        assert integrity_check(copy) == []
        assert pragma(copy, "user_version") == SCHEMA_VERSION


def test_backup_from_a_path_replaces_an_older_backup(db_path, tmp_path):
    make_database(db_path, events=3)
    before = sha256(db_path)
    out = tmp_path / "backup.sqlite"
    make_database(out, events=1)  # last night's backup, under the same name
    backup_database(db_path, out)
    assert sha256(db_path) == before
    assert sorted(os.listdir(db_path.parent)) == ["rethink.sqlite"]
    with Database(out) as copy:
        assert copy["events"].count == 3


@pytest.mark.parametrize("name", ["notes.txt", "export.json", "rethink.sqlite", "demo.sqlite"])
def test_a_backup_never_replaces_a_file_that_is_not_an_earlier_backup(db_path, tmp_path, name):
    make_database(db_path, events=3)
    other = tmp_path / "elsewhere" / name
    other.parent.mkdir()
    if name.endswith(".sqlite"):  # another data folder's records (or the trainers' demo)
        make_database(other, events=1)
    else:
        other.write_text("something else")
    before = sha256(other)
    with pytest.raises(StorageError) as info:
        backup_database(db_path, other)
    assert "Nothing has been changed" in info.value.message
    assert ("a records file" if name.endswith(".sqlite") else "not a Re-Think Desktop backup") in (
        info.value.message
    )
    assert sha256(other) == before
    assert sorted(os.listdir(other.parent)) == [name]


@pytest.mark.parametrize(
    "name",
    [
        "demo.sqlite",
        "rethink.sqlite-wal",
        "rethink.sqlite-shm",
        "rethink.sqlite-journal",
        "demo.sqlite-wal",
        "demo.sqlite-shm",
        "demo.sqlite-journal",
        "Demo.sqlite",  # the same file on Windows and macOS
        "RETHINK.sqlite-WAL",
    ],
)
@pytest.mark.parametrize("where", ["data folder", "beside other records"])
def test_a_backup_never_takes_a_name_the_app_s_own_files_have(db_path, tmp_path, name, where):
    """``demo.sqlite`` in the data folder became the trainers' demo, real names and all; a
    ``-wal``/``-shm``/``-journal`` was "backed up" and then deleted at the next open."""
    make_database(db_path, events=3)
    if where == "data folder":
        folder = db_path.parent
    else:
        folder = tmp_path / "laptop-b"
        make_database(folder / ("demo.sqlite" if name.startswith("rethink") else "rethink.sqlite"))
    listed = sorted(os.listdir(folder))
    with open_database(db_path) as db, pytest.raises(StorageError) as from_the_app:
        backup_database(db, folder / name)  # the app's File → Back up now
    with pytest.raises(StorageError) as from_the_command:
        backup_database(db_path, folder / name)
    for info in (from_the_app, from_the_command):
        message = info.value.message
        assert message.startswith(f"{folder / name} is the name of ")
        assert "so no backup was written. Nothing has been changed." in message
        assert message.endswith(
            "Choose another name for the backup, such as rethink-backup.sqlite."
        )
        assert sorted(os.listdir(folder)) == listed


def test_a_backup_may_be_called_rethink_sqlite_where_no_records_are(db_path, tmp_path):
    """Copied onto a stick to be opened as another laptop's records, say."""
    make_database(db_path, events=3)
    out = tmp_path / "usb" / "rethink.sqlite"
    assert backup_database(db_path, out) == out
    with Database(out) as copy:
        assert copy["events"].count == 3


def test_a_backup_is_never_written_over_a_device_or_a_pipe(db_path, tmp_path):
    make_database(db_path, events=1)
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(StorageError, match="not an ordinary file"):
        backup_database(db_path, pipe)
    assert pipe.is_fifo()


@pytest.mark.parametrize("kind", ["empty", "foreign", "damaged"])
def test_records_a_restore_would_refuse_are_not_backed_up(db_path, tmp_path, kind):
    db_path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "empty":
        db_path.write_bytes(b"")
    elif kind == "foreign":
        raw(db_path, "CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    else:
        make_database(db_path, events=400)
        damage_middle(db_path)
    before = sha256(db_path)
    out = tmp_path / "b.sqlite"
    with pytest.raises(StorageError) as info:
        backup_database(db_path, out)
    assert info.value.message.startswith("No backup was written. ")
    words = {"empty": "is empty (0 bytes)", "foreign": "another program", "damaged": "damaged"}
    assert words[kind] in info.value.message
    assert sha256(db_path) == before
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # none left


def test_backup_refuses_to_overwrite_the_live_database(db_path):
    with open_database(db_path) as db:
        add_event(db)
        with pytest.raises(StorageError) as info:
            backup_database(db, db_path)
        assert "cannot be written over the database itself" in info.value.message
        assert db["events"].count == 1
    with pytest.raises(StorageError):
        backup_database(db_path, db_path.parent / "." / "rethink.sqlite")


@pytest.mark.parametrize(
    ("code", "why"), [(10 | (19 << 8), "is full"), (8, "cannot be written")], ids=["full", "ro"]
)
def test_a_backup_that_cannot_read_the_records_says_so_not_that_the_backup_drive_failed(
    db_path, tmp_path, monkeypatch, code, why
):
    """A data folder on a full or read-only drive, under a file left with its -wal/-shm: the
    backup's own drive is fine and must not be blamed."""
    make_database(db_path, events=3)

    class Unreadable:
        def execute(self, *args):
            raise error_with_code("disk I/O error" if code != 8 else "readonly", code)

        def close(self):
            pass

    monkeypatch.setattr(database, "_peek", lambda path: Unreadable())
    out = tmp_path / "usb" / "copy.sqlite"
    with pytest.raises(StorageError) as info:
        backup_database(db_path, out)
    assert info.value.message.startswith(
        f"The backup could not be made: the records ({db_path}) cannot be read, because the "
        f"drive they are on {why}"
    )
    assert "Nothing has been changed." in info.value.message
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


def test_backup_of_a_missing_file_says_so(tmp_path):
    with pytest.raises(NotFoundError):
        backup_database(tmp_path / "nope.sqlite", tmp_path / "out.sqlite")
    assert not (tmp_path / "out.sqlite").exists()


# Transactions and classification


def add_event_then_fail(db: Database) -> None:
    add_event(db)
    raise RuntimeError("boom")


def test_transaction_commits_and_rolls_back(db_path):
    with open_database(db_path) as db:
        with transaction(db):
            add_event(db)
        with pytest.raises(RuntimeError, match="boom"):
            write(db, add_event_then_fail)
        assert db["events"].count == 1
        assert write(db, lambda d: d["events"].count) == 1


def test_bugs_pass_through_unchanged(db_path):
    with open_database(db_path) as db:
        with pytest.raises(sqlite3.OperationalError, match="no such table"), transaction(db):
            db.execute("SELECT * FROM no_such_table")
        with pytest.raises(sqlite3.IntegrityError), transaction(db):
            db.execute("INSERT INTO events (session_id) VALUES ('s')")


def test_foreign_key_problems_are_listed(db_path):
    with open_database(db_path) as db:
        db.execute("PRAGMA foreign_keys = OFF")
        db["participants"].insert(
            {"id": "p1", "session_id": "missing", "seat": 1, "agency": "x", "attendance": "y"}
        )
        problems = foreign_key_problems(db)
    assert problems == [{"table": "participants", "rowid": 1, "parent": "sessions", "fkid": 0}]


def error_with_code(message: str, code: int | None) -> sqlite3.Error:
    exc = sqlite3.OperationalError(message)
    if code is not None:
        exc.sqlite_errorcode = code
    return exc


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (error_with_code("attempt to write a readonly database", 8), ReadOnlyError),
        (error_with_code("attempt to write a readonly database", None), ReadOnlyError),
        (error_with_code("database or disk is full", 13), DiskFullError),
        (error_with_code("database or disk is full", None), DiskFullError),
        (error_with_code("database is locked", 5), LockedError),
        (error_with_code("database table is locked", 6), LockedError),
        (error_with_code("database is locked", None), LockedError),
        (error_with_code("database disk image is malformed", 11), CorruptError),
        (error_with_code("database disk image is malformed", None), CorruptError),
        (error_with_code("file is not a database", 26), NotADatabaseError),
        (error_with_code("file is not a database", None), NotADatabaseError),
        (error_with_code("disk I/O error", 10 | (4 << 8)), StorageError),
        (OSError(errno.ENOSPC, "No space left on device"), DiskFullError),
        (OSError(errno.EROFS, "Read-only file system"), ReadOnlyError),
        (PermissionError(errno.EACCES, "Permission denied"), ReadOnlyError),
    ],
)
def test_environment_errors_are_classified(exc, expected, tmp_path):
    error = classify(exc, tmp_path / "rethink.sqlite")
    assert type(error) is expected
    assert error.path == tmp_path / "rethink.sqlite"
    assert error.message


@pytest.mark.parametrize(
    "exc",
    [
        error_with_code("no such table: sessions", 1),
        error_with_code('near "SELEC": syntax error', None),
        sqlite3.IntegrityError("NOT NULL constraint failed: events.kind"),
        sqlite3.ProgrammingError("Cannot operate on a closed database."),
        sqlite3.InterfaceError("bad parameter or other API misuse"),
        FileNotFoundError(errno.ENOENT, "No such file"),
    ],
)
def test_bugs_are_not_classified(exc, tmp_path):
    assert classify(exc, tmp_path / "rethink.sqlite") is None


def test_a_data_folder_that_cannot_be_reached_or_named_is_told_in_words(tmp_path, monkeypatch):
    too_long = tmp_path / ("x" * 300) / "rethink.sqlite"
    for attempt in (open_database, lambda path: backup_database(path, tmp_path / "b.sqlite")):
        with pytest.raises(StorageError) as info:
            attempt(too_long)
        assert info.value.message == (
            f"Re-Think Desktop cannot use the data folder {too_long.parent}: its name is too "
            "long for this computer. Nothing has been changed. Choose a folder with a shorter "
            "name (--data-dir, or data_dir in the config file)."
        )
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    with pytest.raises(StorageError, match=r"cannot reach or create its data folder \("):
        open_database(loop / "data" / "rethink.sqlite")

    source = tmp_path / "records" / "rethink.sqlite"
    make_database(source)

    def gone(path, *a, **kw):  # as mkdir in /proc, or on a drive letter that is not there
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", str(path.parent))

    monkeypatch.setattr(database, "ensure_dir", gone)
    place = tmp_path / "forbidden" / "place" / "rethink.sqlite"
    with pytest.raises(StorageError) as info:
        open_database(place)
    assert info.value.message == (
        f"Re-Think Desktop cannot reach or create its data folder ({place.parent}). Nothing has "
        "been changed. Check the data folder setting (--data-dir, or data_dir in the config "
        "file) and that its drive or network share is connected, then try again."
    )
    with pytest.raises(StorageError, match=r"backup cannot be written to .*: that folder cannot"):
        backup_database(source, place)
    # Another file missing is a bug, not the data folder.
    other = FileNotFoundError(errno.ENOENT, "No such file", str(tmp_path / "cards.toml"))
    assert classify(other, place) is None


def test_a_folder_where_the_records_file_should_be_is_named_not_a_drive_problem(db_path, tmp_path):
    from rethink_desktop.storage.backups import restore_backup

    good = tmp_path / "good.sqlite"
    make_database(good)
    db_path.mkdir(parents=True)
    expected = (
        f"Re-Think Desktop needs a file at {db_path}, but a folder is in the way. Nothing has "
        "been changed. Move or rename that folder, or use another data folder (--data-dir, or "
        "data_dir in the config file)."
    )
    for attempt in (
        open_database,
        lambda path: open_database(path, check=False),
        lambda path: open_database(path, read_only=True),
        open_or_recover,
        lambda path: backup_database(path, tmp_path / "copy.sqlite"),
        lambda path: restore_backup(path, good),
    ):
        with pytest.raises(StorageError) as info:
            attempt(db_path)
        assert info.value.message == expected
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["rethink.sqlite"]
    assert list(db_path.iterdir()) == []


def test_backup_messages_talk_about_the_backup(tmp_path):
    out = tmp_path / "usb" / "backup.sqlite"
    full = classify(OSError(errno.ENOSPC, "full"), out, backup=True)
    read_only = classify(
        error_with_code("attempt to write a readonly database", 8), out, backup=True
    )
    assert isinstance(full, DiskFullError)
    assert "backup could not be written" in full.message
    assert isinstance(read_only, ReadOnlyError)
    assert f"write the backup to {out.parent}" in read_only.message


# The app's own Database: sqlite-utils' behaviour without importing it at start-up


def test_opening_a_current_file_does_not_import_sqlite_utils(db_path, tmp_path):
    make_database(db_path, events=3)
    script = (
        "import sys\n"
        "from rethink_desktop.storage.database import open_database\n"
        f"db = open_database({str(db_path)!r})\n"
        "db.execute(\"INSERT INTO events (session_id, kind, at) VALUES ('s', 'k', 't')\")\n"
        "rows = list(db.query('SELECT count(*) AS n FROM events'))\n"
        "print(rows[0]['n'], 'sqlite_utils' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["4", "False"]


def test_a_write_outside_a_transaction_is_committed_at_once(db_path):
    with open_database(db_path) as db:
        db.execute("INSERT INTO events (session_id, kind, at) VALUES ('s', 'k', 't')")
        assert not db.conn.in_transaction
    with open_database(db_path) as db:
        assert db["events"].count == 1


def test_atomic_rolls_back_everything_and_nested_blocks_are_savepoints(db_path):
    insert = "INSERT INTO events (session_id, kind, at) VALUES (?, 'k', 't')"

    def fail_after(db, session_id):
        with db.atomic():
            db.execute(insert, [session_id])
            raise RuntimeError

    with open_database(db_path) as db:
        with pytest.raises(RuntimeError):
            fail_after(db, "a")
        with db.atomic():
            db.execute(insert, ["b"])
            with pytest.raises(RuntimeError):
                fail_after(db, "c")
            db.execute(insert, ["d"])
        rows = db.query("SELECT session_id FROM events")
        assert [r["session_id"] for r in rows] == ["b", "d"]


def test_a_failed_write_leaves_no_transaction_open(db_path):
    with open_database(db_path) as db:
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("INSERT INTO events (session_id, kind, at) VALUES (NULL, 'k', 't')")
        assert not db.conn.in_transaction


def test_sqlite_utils_features_reach_the_same_connection(db_path):
    with open_database(db_path) as db:
        add_event(db)  # db["events"].insert, through sqlite-utils
        assert "events" in db.table_names()
        assert db.utils.conn is db.conn
        assert next(db.query("SELECT count(*) AS n FROM events"))["n"] == 1


# A rollback journal (the importer writes through one; some drives cannot do WAL)

SPILL_AND_DIE = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA journal_mode = DELETE")
conn.execute("PRAGMA cache_size = 10")  # a tiny cache: pages reach the file mid-transaction
conn.execute("BEGIN")
conn.execute("UPDATE events SET data = data || ? WHERE seq % 2 = 0", ["z" * 300])
conn.execute("DELETE FROM events WHERE seq % 7 = 0")
for i in range(2000):
    conn.execute(
        "INSERT INTO events (session_id, kind, at, data) VALUES ('new', 'k', 't', ?)",
        ["y" * 400],
    )
print("spilled", flush=True)
os._exit(9)  # a crash or power cut in the middle of the import
"""


def test_a_crash_mid_import_is_rolled_back_not_taken_for_damage(db_path):
    make_database(db_path, events=2000)
    done = subprocess.run(
        [sys.executable, "-c", SPILL_AND_DIE, str(db_path)], capture_output=True, text=True
    )
    assert done.stdout.strip() == "spilled"
    assert Path(f"{db_path}-journal").exists()  # a hot journal: the import never finished
    assert not closed_cleanly(db_path)
    db, moved_to = open_or_recover(db_path, check=True)  # as the app does after a crash
    with db:
        assert moved_to is None  # a sound file, not set aside
        assert db["events"].count == 2000  # as before the import
        assert integrity_check(db) == []
    assert not list(db_path.parent.glob("*.corrupt-*"))


def test_a_file_in_rollback_journal_mode_is_never_read_as_immutable(db_path):
    make_database(db_path, events=10)
    assert at_rest(db_path)
    raw(db_path, "PRAGMA journal_mode = DELETE")
    assert closed_cleanly(db_path)
    assert not at_rest(db_path)  # no -wal is no sign that nobody is writing
    conn = database._peek(db_path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()


def test_query_refuses_a_statement_that_returns_no_rows_before_running_it(db_path):
    with open_database(db_path) as db:
        with pytest.raises(ValueError, match="execute"):
            db.query("INSERT INTO events (session_id, kind, at) VALUES ('s', 'k', 't')")
        assert db["events"].count == 0
        commented = "-- the newest first\n/* all */ SELECT count(*) AS n FROM events"
        assert next(db.query(commented))["n"] == 0


def test_begin_with_a_semicolon_leaves_the_transaction_to_the_caller(db_path):
    with open_database(db_path) as db:
        db.execute("BEGIN;")
        db.execute("INSERT INTO events (session_id, kind, at) VALUES ('s', 'k', 't')")
        assert db.conn.in_transaction
        db.execute("ROLLBACK")
        assert db["events"].count == 0


def test_reading_a_file_left_mid_change_says_so_and_restore_repairs_it_first(db_path, tmp_path):
    from rethink_desktop.storage.backups import restore_backup

    make_database(db_path, events=2000)
    good = backup_database(db_path, tmp_path / "good.sqlite")
    done = subprocess.run(
        [sys.executable, "-c", SPILL_AND_DIE, str(db_path)], capture_output=True, text=True
    )
    assert done.stdout.strip() == "spilled"
    with pytest.raises(StorageError) as info:
        backup_database(db_path, tmp_path / "copy.sqlite")  # a reader may not repair it
    assert "left in the middle of a change" in info.value.message
    assert "read-only" not in info.value.message
    safety = restore_backup(db_path, good).safety
    assert safety is not None
    conn = sqlite3.connect(safety)
    try:  # the safety copy is the file as it was before the interrupted change
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 2000
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_an_io_error_on_a_full_disk_is_called_a_full_disk(tmp_path, monkeypatch):
    """SQLite reports some writes on a full disk (growing the WAL index) as I/O errors."""
    path = tmp_path / "rethink.sqlite"
    shm = error_with_code("disk I/O error", 10 | (19 << 8))  # SQLITE_IOERR_SHMSIZE
    assert type(classify(shm, path)) is DiskFullError
    plain = error_with_code("disk I/O error", 10)
    assert type(classify(plain, path)) is StorageError  # room to spare: a drive problem
    assert type(classify(OSError(errno.EIO, "I/O error"), path)) is StorageError
    monkeypatch.setattr(
        "rethink_desktop.storage.database.shutil.disk_usage",
        lambda folder: shutil._ntuple_diskusage(10 << 30, 10 << 30, 0),
    )
    assert type(classify(plain, path)) is DiskFullError
    assert type(classify(OSError(errno.EIO, "I/O error"), path)) is DiskFullError


@pytest.mark.parametrize("code", [errno.EEXIST, errno.ENOTDIR])
def test_a_file_where_the_data_folder_should_be_says_so(tmp_path, code):
    in_the_way = tmp_path / "records"
    error = classify(OSError(code, "File exists", str(in_the_way)), in_the_way / "x.sqlite")
    assert f"needs a folder at {in_the_way}, but a file is in the way" in error.message


def test_a_file_where_the_backup_folder_should_be_is_worded_for_the_backup(tmp_path):
    in_the_way = tmp_path / "usb"
    in_the_way.write_text("a file")
    out = in_the_way / "copy.sqlite"
    error = classify(OSError(errno.ENOTDIR, "Not a directory", str(out)), out, backup=True)
    assert error.message.startswith(f"The backup cannot be written there: {in_the_way} is a file")
    assert "--data-dir" not in error.message


def test_a_backup_onto_a_folder_asks_for_a_file_name(db_path, tmp_path):
    folder = tmp_path / "usb"
    (folder / "earlier").mkdir(parents=True)
    with open_database(db_path) as db:
        add_event(db)
    expected = (
        f"The backup cannot be written to {folder} because that is a folder. Nothing has been "
        f"changed. Give a file name for the backup, for example {folder / 'rethink-backup.sqlite'}."
    )
    with pytest.raises(StorageError) as from_path:
        backup_database(db_path, folder)
    with open_database(db_path) as db, pytest.raises(StorageError) as from_open:
        backup_database(db, folder)
    assert from_path.value.message == from_open.value.message == expected
    assert [p.name for p in folder.iterdir()] == ["earlier"]  # no copy, no leftovers
    # Should the folder appear between the check and the rename, the words are the same.
    error = classify(IsADirectoryError(errno.EISDIR, "Is a directory"), folder, backup=True)
    assert error.message.startswith(f"The backup cannot be written to {folder} because")
    error = classify(IsADirectoryError(errno.EISDIR, "Is a directory"), folder)
    assert error.message.startswith(f"Re-Think Desktop needs a file at {folder}, but a folder")


def test_a_data_folder_that_is_a_file_is_refused_in_words(tmp_path):
    in_the_way = tmp_path / "records"
    in_the_way.write_text("not a folder")
    with pytest.raises(StorageError, match="a file is in the way"):
        open_database(in_the_way / "rethink.sqlite")
    assert in_the_way.read_text() == "not a folder"


def test_a_backup_into_a_folder_that_refuses_writes_reports_that_not_the_cleanup(
    db_path, tmp_path, monkeypatch
):
    """Removing the half-written copy fails there too; the first error is the one told."""
    open_database(db_path).close()

    def refuse(path, *a, **kw):
        raise PermissionError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(database, "_create_private_file", refuse)
    monkeypatch.setattr(Path, "unlink", refuse)
    with pytest.raises(ReadOnlyError) as info:
        database.backup_database(db_path, tmp_path / "usb" / "copy.sqlite")
    assert "write the backup to" in info.value.message
