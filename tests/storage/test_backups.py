"""Automatic backups, pruning, describing and restoring a backup."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime

import pytest

from rethink_desktop.core.clock import FakeClock
from rethink_desktop.storage.backups import (
    auto_backup,
    describe_backup,
    list_backups,
    prune_backups,
    restore_backup,
)
from rethink_desktop.storage.database import (
    CorruptError,
    DemoRecordsError,
    DiskFullError,
    LockedError,
    NewerVersionError,
    NotADatabaseError,
    NotFoundError,
    StorageError,
    backup_database,
)
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.storage.schema import SCHEMA_VERSION
from tests.helpers import running


def completed(store, reference="FN-2291"):
    clock = FakeClock()
    s = running(3, clock, sink=store.append, reference=reference)
    s.next_turn()
    clock.advance(30)
    s.end()
    s.complete()
    return s


def test_auto_backup_keeps_the_newest_n(tmp_path):
    folder = tmp_path / "backups"
    with EventStore.open(tmp_path / "rethink.sqlite") as store:
        completed(store)
        (folder).mkdir()
        manual = folder / "manual.sqlite"
        manual.write_bytes(b"x")
        written = []
        for n in range(5):
            path = auto_backup(store.db, folder, keep=3)
            os.utime(path, ns=(n * 10**9, n * 10**9))  # distinct, increasing times
            written.append(path)
        prune_backups(folder, 3)
    autos = [p for p in list_backups(folder) if p.name.startswith("auto-")]
    assert autos == written[:-4:-1]
    assert manual.exists()  # only automatic backups are pruned
    conn = sqlite3.connect(autos[0])
    assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1
    conn.close()


def test_describe_names_the_newest_session(tmp_path):
    with EventStore.open(tmp_path / "rethink.sqlite") as store:
        completed(store, "FN-1000")
        completed(store, "FN-2000")
        path = auto_backup(store.db, tmp_path / "backups")
    info = describe_backup(path)
    assert info.sessions == 2
    assert info.newest_session_reference in ("FN-1000", "FN-2000")
    assert info.schema_version == SCHEMA_VERSION
    assert str(path) in info.describe()
    assert info.newest_session_reference in info.describe()


def test_describe_dates_the_newest_session_by_the_local_day(tmp_path, local_zone):
    with EventStore.open(tmp_path / "rethink.sqlite") as store:
        running(3, FakeClock(datetime(2026, 1, 5, 23, 30, tzinfo=UTC)), sink=store.append)
        path = auto_backup(store.db, tmp_path / "backups")
    local_zone("Pacific/Auckland")  # UTC+13 in January: already the 6th
    assert "the newest is FN-2291 of Tue 6 Jan 2026." in describe_backup(path).describe()
    local_zone("America/New_York")
    assert "the newest is FN-2291 of Mon 5 Jan 2026." in describe_backup(path).describe()


def test_restore_replaces_the_records_and_keeps_a_safety_copy(tmp_path):
    live = tmp_path / "rethink.sqlite"
    with EventStore.open(live) as store:
        completed(store, "FN-1000")
        backup = auto_backup(store.db, tmp_path / "backups")
        completed(store, "FN-2000")
    safety = restore_backup(live, backup).safety
    with EventStore.open(live) as store:
        refs = [r[0] for r in store.db.execute("SELECT reference FROM sessions")]
        assert refs == ["FN-1000"]
        assert store.logged_session_ids() == [
            r[0] for r in store.db.execute("SELECT id FROM sessions")
        ]
    assert safety is not None
    assert describe_backup(safety).sessions == 2


def test_a_restore_that_cannot_keep_its_copy_first_says_why_and_changes_nothing(tmp_path):
    live = tmp_path / "data" / "rethink.sqlite"
    with EventStore.open(live) as store:
        completed(store, "FN-1000")
        backup = auto_backup(store.db, tmp_path / "elsewhere")
        completed(store, "FN-2000")
    (live.parent / "backups").write_text("a file where the copies go")
    before = live.read_bytes()
    with pytest.raises(StorageError) as info:
        restore_backup(live, backup)
    assert info.value.message.startswith(
        "Before restoring a backup, Re-Think Desktop keeps a copy of the records in "
        f"{live.parent / 'backups'}, but could not make it: {live.parent / 'backups'} is a "
        "file where that folder should be. Nothing has been changed."
    )
    assert live.read_bytes() == before


def records_and_a_backup(tmp_path, sessions: int):
    """A records file of ``sessions`` completed sessions (FN-0, FN-1 …) and a backup of it."""
    live = tmp_path / "rethink.sqlite"
    with EventStore.open(live) as store:
        for n in range(sessions):
            completed(store, f"FN-{n}")
        backup = auto_backup(store.db, tmp_path / "backups")
    return live, backup


@pytest.mark.parametrize("damage", ["a page", "emptied"])
def test_restore_replaces_damaged_or_emptied_records_and_keeps_them_first(tmp_path, damage):
    """Records with one bad page inside (which SQLite can still copy), or emptied to 0
    bytes: just when a restore is needed. The copy kept first is the file as it was."""
    from tests.helpers import overwrite_pages

    live, backup = records_and_a_backup(tmp_path, 20)
    if damage == "a page":
        overwrite_pages(live, [live.stat().st_size // 4096 // 2])
    else:
        live.write_bytes(b"")
    kept = restore_backup(live, backup)
    assert kept.safety is not None
    with EventStore.open(live) as store:
        assert len(store.session_ids()) == 20


@pytest.mark.parametrize("damage", ["truncated", "random"])
def test_restore_replaces_a_file_too_damaged_to_copy_and_keeps_it_byte_for_byte(tmp_path, damage):
    live, backup = records_and_a_backup(tmp_path, 20)
    data = live.read_bytes()
    live.write_bytes(data[: len(data) // 2] if damage == "truncated" else os.urandom(len(data)))
    before = live.read_bytes()
    kept = restore_backup(live, backup)
    assert kept.safety is None
    assert kept.damaged is not None
    assert kept.damaged.parent == tmp_path
    assert kept.damaged.name.startswith("rethink.sqlite.corrupt-")
    assert kept.damaged.read_bytes() == before
    assert kept.kept() == (
        "The records file it replaced was damaged, so it could not be copied; it has been "
        f"kept, unchanged, as {kept.damaged}."
    )
    with EventStore.open(live) as store:
        assert store.db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 20


def test_a_restore_that_fails_after_setting_a_damaged_file_aside_puts_it_back(
    tmp_path, monkeypatch
):
    # A full disk at the copy, say: the folder is left as it was, not with an empty file.
    import rethink_desktop.storage.backups as backups

    live, backup = records_and_a_backup(tmp_path, 1)
    live.write_bytes(os.urandom(live.stat().st_size))
    before = live.read_bytes()
    real_peek = backups._peek

    def full(path):
        conn = real_peek(path)

        class Failing:
            def backup(self, dest, **kwargs):
                raise sqlite3.OperationalError("database or disk is full")

            def __getattr__(self, name):
                return getattr(conn, name)

        return Failing()

    monkeypatch.setattr(backups, "_peek", full)
    with pytest.raises(DiskFullError):
        restore_backup(live, backup)
    assert live.read_bytes() == before
    assert not list(tmp_path.glob("rethink.sqlite.corrupt-*"))


def _bytes(path):
    return path.read_bytes() if path.exists() else None


def test_not_sqlite_and_newer_backups_are_refused_and_nothing_changes(tmp_path):
    live = tmp_path / "rethink.sqlite"
    with EventStore.open(live) as store:
        completed(store)
    before = _bytes(live)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 50)
    with pytest.raises(NotADatabaseError, match="not a Re-Think Desktop backup"):
        restore_backup(live, junk)
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(NotADatabaseError):
        restore_backup(live, other)
    newer = tmp_path / "newer.sqlite"
    conn = sqlite3.connect(newer)
    conn.execute("CREATE TABLE events (x)")
    conn.execute("CREATE TABLE sessions (x)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(NewerVersionError, match="newer version"):
        restore_backup(live, newer)
    assert _bytes(live) == before
    assert not (tmp_path / "backups").exists()  # not even a safety copy was needed


@pytest.mark.parametrize("keep", [0.5, 0.9, 120])
def test_a_damaged_backup_is_refused_in_backup_words(tmp_path, keep):
    """A copy cut short (a full USB stick, an interrupted copy): a fraction, or bytes."""
    live, backup = records_and_a_backup(tmp_path, 20)
    before = _bytes(live)
    data = backup.read_bytes()
    cut = tmp_path / "cut.sqlite"
    cut.write_bytes(data[: keep if isinstance(keep, int) else int(len(data) * keep)])
    for attempt in (describe_backup, lambda path: restore_backup(live, path)):
        with pytest.raises(CorruptError) as caught:
            attempt(cut)
        message = caught.value.message
        assert message == (
            f"The backup {cut} is damaged, so it cannot be restored. Nothing has been changed. "
            "Choose an older backup."
        )
    assert _bytes(live) == before
    assert [p.name for p in (tmp_path / "backups").iterdir()] == [backup.name]


def test_a_missing_backup_is_named_as_a_backup(tmp_path):
    live = tmp_path / "rethink.sqlite"
    with EventStore.open(live) as store:
        completed(store)
    before = _bytes(live)
    gone = tmp_path / "usb" / "gone.sqlite"
    with pytest.raises(NotFoundError) as caught:
        restore_backup(live, gone)
    assert caught.value.message == (
        f"There is no backup file at {gone}. Nothing has been changed. Check the name and the "
        "folder, or choose another backup."
    )
    assert "--data-dir" not in caught.value.message
    assert _bytes(live) == before


def test_automatic_backups_of_damaged_records_are_refused_and_keep_the_good_ones(tmp_path):
    """The app opens a file at rest without a check (that runs later, on another thread):
    a bad sector found since must not be copied into backups that push out the good ones."""
    from rethink_desktop.storage.database import open_or_recover
    from tests.helpers import overwrite_pages

    live, _ = records_and_a_backup(tmp_path, 40)
    folder = tmp_path / "backups"
    with EventStore.open(live) as store:
        for _ in range(2):
            auto_backup(store.db, folder, keep=3)
    good = list_backups(folder)
    assert len(good) == 3
    overwrite_pages(live, [live.stat().st_size // 4096 // 2])
    db, moved_to = open_or_recover(live, check=False)
    assert moved_to is None
    with db:
        for _ in range(3):  # three more completed sessions
            with pytest.raises(StorageError) as info:
                auto_backup(db, folder, keep=3)
            assert info.value.message.startswith(
                f"No backup was written. The database file ({live}) is damaged"
            )
    assert list_backups(folder) == good
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in good)
    for path in good:
        describe_backup(path)  # each still restorable


def test_a_restore_while_another_program_writes_gives_up_in_words_and_changes_nothing(
    tmp_path, monkeypatch
):
    """SQLite's backup into a file someone else is writing retries for ever (the window
    froze, the command hung without a word); it now gives up after the usual busy wait."""
    import threading

    monkeypatch.setattr("rethink_desktop.storage.database.BUSY_TIMEOUT_MS", 50)
    live, backup = records_and_a_backup(tmp_path, 2)
    with EventStore.open(live) as store:
        completed(store, "FN-new")
    before = live.read_bytes()
    backups_before = sorted(p.name for p in (tmp_path / "backups").iterdir())
    other = sqlite3.connect(live, isolation_level=None)
    outcome: list[BaseException | None] = []

    def restore():
        try:
            restore_backup(live, backup)
        except BaseException as exc:  # handed to the test's thread
            outcome.append(exc)
        else:
            outcome.append(None)

    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE sessions SET venue = venue")
        worker = threading.Thread(target=restore, daemon=True)
        worker.start()
        worker.join(20)
        assert not worker.is_alive(), "restore hung on the lock"
        other.execute("ROLLBACK")
    finally:
        other.close()
    error = outcome[0]
    assert isinstance(error, LockedError)
    assert error.message == (
        f"Another copy of Re-Think Desktop, or another program, is using the database "
        f"({live}), so the backup was not restored. Nothing has been changed. Close the other "
        "program, then try again."
    )
    assert live.read_bytes() == before
    # The copy kept before the restore is not left behind for a restore that did not happen.
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == backups_before
    with EventStore.open(live) as store:
        assert len(store.session_ids()) == 3


def records_of_kind(tmp_path, kind):
    """A records file a restore takes ("real") or refuses, as ``rethink.sqlite``."""
    live = tmp_path / "data" / "rethink.sqlite"
    live.parent.mkdir()
    if kind == "demo":  # the trainers' demo file, copied over the real records
        with EventStore.open(tmp_path / "demo.sqlite") as demo:
            running(3, demo=True, sink=demo.append, reference="DEMO-001")
        live.write_bytes((tmp_path / "demo.sqlite").read_bytes())
        return live
    with EventStore.open(live) as store:
        completed(store)
    conn = sqlite3.connect(live)
    if kind == "newer":
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    elif kind == "foreign":
        conn.execute("DROP TABLE events")
    conn.commit()
    conn.close()
    return live


@pytest.mark.parametrize(
    ("kind", "refused_as", "words"),
    [
        ("real", None, None),
        ("newer", NewerVersionError, "was made by a newer version of Re-Think Desktop (schema"),
        ("demo", DemoRecordsError, "holds the trainers' demo records in place of the real ones"),
        ("foreign", NotADatabaseError, "is not a Re-Think Desktop records file"),
    ],
)
def test_a_backup_refuses_exactly_the_records_a_restore_refuses(tmp_path, kind, refused_as, words):
    """A records file from a newer version, or the demo's file put in place of the real one,
    was backed up ("Backed up…"), and that backup then refused by a restore."""
    live = records_of_kind(tmp_path, kind)
    out = tmp_path / "usb" / "backup.sqlite"
    if refused_as is None:
        describe_backup(live)
        describe_backup(backup_database(live, out))  # and the backup restores
        return
    with pytest.raises(refused_as):
        describe_backup(live)
    with pytest.raises(StorageError) as caught:
        backup_database(live, out)
    assert caught.value.message.startswith("No backup was written. ")
    assert words in caught.value.message
    assert not out.parent.exists() or list(out.parent.iterdir()) == []  # no copy, no tmp


def test_the_app_s_own_backups_of_demo_records_are_refused_and_prune_nothing(tmp_path):
    """File → Back up now and the automatic backup after a session copy the open records."""
    live = records_of_kind(tmp_path, "demo")
    folder = tmp_path / "data" / "backups"
    folder.mkdir()
    earlier = folder / "auto-20200101T000000Z.sqlite"
    earlier.write_bytes(b"SQLite format 3\x00")
    with EventStore.open(live) as store:
        with pytest.raises(StorageError, match=r"No backup was written\. The data folder"):
            auto_backup(store.db, folder, keep=0)
        with pytest.raises(StorageError, match=r"a copy of the demo's file \(1 fictional"):
            backup_database(store.db, tmp_path / "manual.sqlite")
    assert list(folder.iterdir()) == [earlier]
    assert not (tmp_path / "manual.sqlite").exists()
