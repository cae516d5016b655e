"""Retention purge boundaries, dry run, backup first; deleting and anonymising one session."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from rethink_desktop.core.clock import FakeClock
from rethink_desktop.core.state import IllegalAction
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.storage.retention import (
    anonymise_session,
    delete_session,
    months_before,
    purge,
    sessions_older_than,
)
from tests.helpers import people, running

NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    with EventStore.open(tmp_path / "rethink.sqlite") as opened:
        yield opened


def completed_at(store, moment, reference="FN-1000", **kw):
    """A session completed exactly at ``moment``."""
    clock = FakeClock(moment.replace(hour=9))
    s = running(3, clock, sink=store.append, reference=reference, **kw)
    s.next_turn()
    s.end()
    clock.set(moment)
    s.complete()
    return s


def snapshot(store):
    return store.db.execute("SELECT count(*) FROM events").fetchone(), store.table_rows()


def test_months_are_calendar_months():
    assert months_before(NOW, 1) == datetime(2026, 2, 28, 12, 0, tzinfo=UTC)
    assert months_before(NOW, 24) == datetime(2024, 3, 31, 12, 0, tzinfo=UTC)
    assert months_before(NOW, 13) == datetime(2025, 2, 28, 12, 0, tzinfo=UTC)


def test_exactly_n_months_is_kept_a_moment_more_goes(store):
    cutoff = months_before(NOW, 24)
    kept = completed_at(store, cutoff, "KEPT-1")
    gone = completed_at(store, cutoff - timedelta(microseconds=1), "GONE-1")
    ids = [r["id"] for r in sessions_older_than(store.db, 24, NOW)]
    assert ids == [gone.id]
    assert kept.id not in ids


def test_live_sessions_are_never_purged(store):
    old = FakeClock(datetime(2019, 1, 1, tzinfo=UTC))
    live = running(3, old, sink=store.append, reference="LIVE-1")
    completed_at(store, datetime(2019, 1, 1, 12, tzinfo=UTC), "OLD-1")
    refs = [r["reference"] for r in sessions_older_than(store.db, 24, NOW)]
    assert refs == ["OLD-1"]
    purge(store, 24, NOW)
    assert store.session_ids() == [live.id]


def test_dry_run_changes_nothing_and_reports(store, tmp_path):
    completed_at(store, datetime(2020, 5, 1, 12, tzinfo=UTC), "OLD-1")
    completed_at(store, datetime(2021, 6, 1, 12, tzinfo=UTC), "OLD-2")
    completed_at(store, datetime(2026, 1, 1, 12, tzinfo=UTC), "NEW-1")
    before = snapshot(store)
    report = purge(store, 24, NOW, dry_run=True)
    assert report.count == 2
    assert report.references == ["OLD-1", "OLD-2"]
    assert report.oldest.startswith("2020-05-01")
    assert report.newest.startswith("2021-06-01")
    assert report.backup is None
    assert snapshot(store) == before
    assert not (tmp_path / "backups").exists()
    assert "would be removed" in report.summary()


def test_the_summary_gives_local_days(store, local_zone):
    """Noon UTC is midnight the next day in New Zealand: the days are the facilitator's."""
    local_zone("Pacific/Auckland")
    completed_at(store, datetime(2020, 5, 1, 12, tzinfo=UTC), "OLD-1")
    completed_at(store, datetime(2021, 6, 1, 12, tzinfo=UTC), "OLD-2")
    assert purge(store, 24, NOW, dry_run=True).summary() == (
        "2 sessions from before 2024-04-01 would be removed (oldest 2020-05-02, newest 2021-06-02)."
    )
    assert purge(store, 120, NOW, dry_run=True).summary() == (
        "No sessions from before 2016-04-01; nothing would be removed."
    )
    local_zone("America/Los_Angeles")
    assert purge(store, 24, NOW, dry_run=True).summary() == (
        "2 sessions from before 2024-03-31 would be removed (oldest 2020-05-01, newest 2021-06-01)."
    )


def test_purge_backs_up_first_then_removes_log_and_rows(store, tmp_path):
    old = completed_at(store, datetime(2020, 5, 1, 12, tzinfo=UTC), "OLD-1")
    new = completed_at(store, datetime(2026, 1, 1, 12, tzinfo=UTC), "NEW-1")
    report = purge(store, 24, NOW)
    assert report.backup is not None
    assert report.backup.parent == tmp_path / "backups"
    conn = sqlite3.connect(report.backup)
    assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 2
    conn.close()
    assert store.session_ids() == [new.id]
    assert store.events(old.id) == []
    for table in ("participants", "phases", "turns"):
        assert not store.db.execute(
            f"SELECT count(*) FROM {table} WHERE session_id = ?", [old.id]
        ).fetchone()[0]
    store.rebuild()
    assert store.session_ids() == [new.id]


def test_a_purge_that_cannot_keep_its_copy_first_says_why_and_removes_nothing(store, tmp_path):
    from rethink_desktop.storage.database import StorageError

    completed_at(store, datetime(2020, 5, 1, 12, tzinfo=UTC), "OLD-1")
    (tmp_path / "backups").write_text("a file, not the backups folder")
    before = snapshot(store)
    with pytest.raises(StorageError) as info:
        purge(store, 24, NOW)
    assert info.value.message.startswith(
        "Before removing old records, Re-Think Desktop keeps a copy of the records in "
        f"{tmp_path / 'backups'}, but could not make it: {tmp_path / 'backups'} is a file "
        "where that folder should be."
    )
    assert "Choose another place" not in info.value.message
    assert snapshot(store) == before


def test_delete_and_anonymise_one_session(store):
    done = completed_at(store, datetime(2026, 1, 1, 12, tzinfo=UTC))
    live = running(3, FakeClock(), sink=store.append)
    with pytest.raises(IllegalAction, match="in progress"):
        delete_session(store, live.id)
    with pytest.raises(IllegalAction, match="finished"):
        anonymise_session(store, live.id)
    assert anonymise_session(store, done.id, FakeClock(NOW)) is True
    assert anonymise_session(store, done.id, FakeClock(NOW)) is False
    assert (
        store.db.execute(
            "SELECT count(name) FROM participants WHERE session_id = ?", [done.id]
        ).fetchone()[0]
        == 0
    )
    delete_session(store, done.id)
    assert store.session_ids() == [live.id]
    assert store.events(done.id) == []


def test_a_purge_also_removes_safety_copies_older_than_the_setting(store, tmp_path):
    completed_at(store, datetime(2020, 5, 1, 12, tzinfo=UTC), "OLD-1")
    backups = tmp_path / "backups"
    backups.mkdir()
    stale = backups / f"before-purge-{(NOW - timedelta(days=40)):%Y%m%dT%H%M%SZ}.sqlite"
    recent = backups / f"before-restore-{(NOW - timedelta(days=5)):%Y%m%dT%H%M%SZ}.sqlite"
    for path in (stale, recent):
        path.write_bytes(b"SQLite format 3\x00")
    report = purge(store, 24, NOW, safety_copy_days=30)
    assert not stale.exists()
    assert recent.exists()
    assert report.backup is not None
    assert report.backup.exists()  # today's copy stays


def real_copies(store, folder, *names):
    """Copies of the records, as the app makes them (SQLite's backup), under ``names``."""
    from rethink_desktop.storage.database import backup_database

    return [backup_database(store.db, folder / name, check=False) for name in names]


def test_a_purge_that_removes_no_session_still_removes_old_safety_copies(store, tmp_path):
    """Only a purge that removed sessions removed them; one with nothing old enough kept a
    before-restore copy holding names (or purged sessions) for ever."""
    completed_at(store, NOW - timedelta(days=10), "NEW-1")  # nothing old enough to purge
    backups = tmp_path / "backups"
    day = "%Y%m%dT%H%M%SZ"
    stale = real_copies(
        store,
        backups,
        f"before-restore-{NOW - timedelta(days=40):{day}}.sqlite",
        f"pre-migration-{NOW - timedelta(days=400):{day}}-v7.sqlite",
        f"before-purge-{NOW - timedelta(days=31):{day}}.sqlite",
    )
    kept = real_copies(
        store,
        backups,
        f"before-restore-{NOW - timedelta(days=5):{day}}.sqlite",
        f"auto-{NOW - timedelta(days=400):{day}}.sqlite",  # rotated by backups_to_keep
        "manual.sqlite",
    )
    dry = purge(store, 24, NOW, dry_run=True, safety_copy_days=30)
    assert dry.ids == []
    assert sorted(dry.safety_copies) == sorted(stale)
    assert dry.safety_copies_summary() == (
        "3 safety copies older than 30 days (safety_copy_days) would be removed:"
    )
    assert all(p.exists() for p in stale + kept)  # a dry run removes nothing
    report = purge(store, 24, NOW, safety_copy_days=30)
    assert report.ids == []
    assert report.backup is None  # no session removed: no before-purge copy needed
    assert sorted(report.safety_copies) == sorted(stale)
    assert report.safety_copies_summary().endswith("days (safety_copy_days) removed:")
    assert not any(p.exists() for p in stale)
    assert sorted(backups.iterdir()) == sorted(kept)
    assert purge(store, 24, NOW, safety_copy_days=30).safety_copies_summary() is None


NAME = b"Person Zed"


def on_disk(store) -> bytes:
    """The records file and its write-ahead log, as another program could read them."""
    path = store.path
    return b"".join(
        p.read_bytes() for p in (path, path.with_name(f"{path.name}-wal")) if p.exists()
    )


def named(store, moment, reference):
    participants = people(3)
    participants[0]["name"] = NAME.decode()
    return completed_at(store, moment, reference, participants=participants)


@pytest.mark.parametrize("how", ["delete", "anonymise", "purge"])
def test_removed_names_leave_no_copy_in_the_file_or_its_log(store, how):
    """secure_delete blanks the pages in the file; the checkpoint empties the WAL, which
    otherwise keeps the old pages (names and all) until the app closes."""
    old = named(store, datetime(2020, 5, 1, 12, tzinfo=UTC), "OLD-1")
    completed_at(store, datetime(2026, 1, 1, 12, tzinfo=UTC), "NEW-1")
    assert NAME in on_disk(store)
    if how == "delete":
        delete_session(store, old.id)
    elif how == "anonymise":
        assert anonymise_session(store, old.id, FakeClock(NOW))
    else:
        assert purge(store, 24, NOW).count == 1
    assert NAME not in on_disk(store)
