"""Safety copies (before a restore, a purge, an upgrade) are removed once older than the
configured days, so they cannot keep purged records for ever; other backups are left alone."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rethink_desktop.storage.backups import (
    SAFETY_PREFIXES,
    prune_safety_copies,
)
from rethink_desktop.storage.config import Config
from rethink_desktop.storage.retention import BEFORE_PURGE_PREFIX

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)


def stamp(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).strftime("%Y%m%dT%H%M%SZ")


def make(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"SQLite format 3\x00")
    return path


def test_the_prefixes_are_the_ones_the_app_writes():
    assert BEFORE_PURGE_PREFIX in SAFETY_PREFIXES
    assert "pre-migration-" in SAFETY_PREFIXES
    assert "before-restore-" in SAFETY_PREFIXES


def test_old_safety_copies_go_and_everything_else_stays(tmp_path):
    old = [
        make(tmp_path, f"before-purge-{stamp(31)}.sqlite"),
        make(tmp_path, f"before-restore-{stamp(90)}-2.sqlite"),
        make(tmp_path, f"pre-migration-{stamp(400)}-v2.sqlite"),
    ]
    kept = [
        make(tmp_path, f"before-purge-{stamp(29)}.sqlite"),
        make(tmp_path, f"pre-migration-{stamp(1)}-v2.sqlite"),
        make(tmp_path, f"auto-{stamp(400)}.sqlite"),  # rotated by backups_to_keep instead
        make(tmp_path, "my backup before the audit.sqlite"),  # someone's own copy
    ]
    removed = prune_safety_copies(tmp_path, 30, now=NOW)
    assert sorted(removed) == sorted(old)
    assert all(not p.exists() for p in old)
    assert all(p.exists() for p in kept)


def test_a_copy_without_a_time_in_its_name_is_aged_by_its_file_time(tmp_path):
    path = make(tmp_path, "before-restore-renamed.sqlite")
    young = make(tmp_path, "before-purge-copied.sqlite")
    old_time = (NOW - timedelta(days=45)).timestamp()
    os.utime(path, (old_time, old_time))
    new_time = (NOW - timedelta(days=2)).timestamp()
    os.utime(young, (new_time, new_time))
    assert prune_safety_copies(tmp_path, 30, now=NOW) == [path]


def test_the_days_come_from_the_config_and_a_missing_folder_is_fine(tmp_path):
    assert Config().safety_copy_days == 30
    make(tmp_path, f"before-purge-{stamp(10)}.sqlite")
    assert prune_safety_copies(tmp_path, 7, now=NOW) != []
    assert prune_safety_copies(tmp_path / "nowhere", 7, now=NOW) == []


def test_a_folder_that_cannot_be_listed_is_logged_not_fatal(tmp_path, monkeypatch, caplog):
    from rethink_desktop.storage import backups

    def vanished(folder):
        raise FileNotFoundError(folder)

    monkeypatch.setattr(backups, "list_backups", vanished)
    assert prune_safety_copies(tmp_path, 30, now=NOW) == []
    assert "could not list" in caplog.text
