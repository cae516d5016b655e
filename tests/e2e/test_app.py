"""The real app in subprocesses: one copy per database, resume after kill -9, the demo."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from rethink_desktop.core.clock import FakeClock
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.ui.app import DAMAGED_WHILE_OPEN
from tests.helpers import damage_every_table, meetings, overwrite_pages, running

pytestmark = pytest.mark.e2e


def env() -> dict[str, str]:
    """The environment as the test's isolated folders have set it: read when the app starts,
    not when this module is imported (before them), which handed it the real user's config
    (a "keep names" left there kept names in a test of their removal)."""
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def app(*args: str) -> list[str]:
    return [sys.executable, "-m", "rethink_desktop", *args]


def seed_running_session(data, minutes_ago: float) -> str:
    """A session started ``minutes_ago`` by the wall clock, as if the app had crashed."""
    clock = FakeClock(datetime.now(UTC) - timedelta(minutes=minutes_ago))
    with EventStore.open(data / "rethink.sqlite") as store:
        session = running(3, clock, sink=store.append)
        session.next_turn()
    return session.id


def run_once(*args: str) -> subprocess.CompletedProcess:
    """The app, unattended: it opens, takes dialogs' default answers and quits."""
    return subprocess.run(
        app(*args, "--quit-after-start"),
        env=env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_second_copy_is_refused_and_first_copy_survives_kill_9_then_resumes(tmp_path):
    data = tmp_path / "data"
    sid = seed_running_session(data, minutes_ago=5)
    first = subprocess.Popen(
        app("--data-dir", str(data)),
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(lambda: (data / "rethink.lock").exists())
        second = run_once("--data-dir", str(data))
        assert second.returncode == 3
        assert "is already using these records" in second.stderr
        assert "If the app is already open, use that window" in second.stderr
        assert first.poll() is None  # the first copy is unaffected
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    # The lock left by the killed copy is stale; a new copy takes over and resumes.
    third = run_once("--data-dir", str(data))
    assert third.returncode == 0, third.stderr
    match = re.search(rf"resumed {sid} status=running elapsed=(\d+):(\d\d):(\d\d)", third.stdout)
    assert match, third.stdout
    hours, minutes, seconds = (int(g) for g in match.groups())
    elapsed = hours * 3600 + minutes * 60 + seconds
    # The meeting went on while the app was closed: the clock shows the true time.
    assert 300 <= elapsed < 300 + 120


def test_paused_session_resumes_without_counting_the_gap(tmp_path):
    data = tmp_path / "data"
    clock = FakeClock(datetime.now(UTC) - timedelta(minutes=30))
    with EventStore.open(data / "rethink.sqlite") as store:
        session = running(3, clock, sink=store.append)
        clock.advance(120)
        session.toggle_pause()
    result = run_once("--data-dir", str(data))
    assert result.returncode == 0, result.stderr
    assert f"resumed {session.id} status=paused elapsed=0:02:00" in result.stdout


def test_demo_opens_a_fictional_network_in_its_own_database(tmp_path):
    data = tmp_path / "data"
    result = run_once("--data-dir", str(data), "--demo", "--speed", "20")
    assert result.returncode == 0, result.stderr
    assert (data / "demo.sqlite").exists()
    assert not (data / "rethink.sqlite").exists()
    with EventStore.open(data / "demo.sqlite") as store:
        rows = list(store.db.query("SELECT reference, demo, status FROM sessions"))
        people = store.db.execute("SELECT count(DISTINCT agency) FROM participants").fetchone()
    assert rows == [{"reference": "DEMO-001", "demo": 1, "status": "draft"}]
    assert people[0] >= 5


def test_names_left_by_a_crash_after_completion_are_removed_at_start(tmp_path):
    data = tmp_path / "data"
    clock = FakeClock(datetime.now(UTC) - timedelta(hours=3))
    with EventStore.open(data / "rethink.sqlite") as store:
        session = running(3, clock, sink=store.append)
        session.end()
        session.complete()  # the crash came before names were removed
    result = run_once("--data-dir", str(data))
    assert result.returncode == 0, result.stderr
    with EventStore.open(data / "rethink.sqlite") as store:
        names = [r[0] for r in store.db.execute("SELECT name FROM participants")]
    assert names == [None, None, None]


def damage_a_page_of(path, table: str) -> None:
    """One leaf page of ``table`` overwritten in a closed file, as a bad sector would."""
    with sqlite3.connect(path) as conn:
        leaves = conn.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
            [table],
        ).fetchall()
    conn.close()
    overwrite_pages(path, [leaves[len(leaves) // 2][0]])


def test_damage_in_a_cleanly_closed_file_is_found_after_start_up_and_nothing_changed(tmp_path):
    data = tmp_path / "data"
    clock = FakeClock(datetime(2025, 3, 1, 9, tzinfo=UTC))
    with EventStore.open(data / "rethink.sqlite") as store:
        meetings(store.append, clock)
    db_file = data / "rethink.sqlite"
    assert not (data / "rethink.sqlite-wal").exists()  # closed cleanly
    damage_a_page_of(db_file, "turns")  # which starting up and resuming never read
    before = db_file.read_bytes()

    done = run_once("--data-dir", str(data))

    assert done.returncode == 0, done.stderr
    assert "Part of the records file" in done.stderr
    assert "is damaged" in done.stderr
    assert db_file.read_bytes() == before  # not moved, not changed
    assert not list(data.glob("*.corrupt-*"))


def test_names_left_in_a_damaged_cleanly_closed_file_are_not_removed_into_it(tmp_path):
    """The start-up sweep of names left by a crash wrote into the file before its check (on
    another thread) found the damage; the message then said the app had not changed it."""
    data = tmp_path / "data"
    clock = FakeClock(datetime(2025, 3, 1, 9, tzinfo=UTC))
    with EventStore.open(data / "rethink.sqlite") as store:

        def completed(session) -> None:
            session.end()
            session.complete()  # the crash came before names were removed

        meetings(store.append, clock, completed)
    db_file = data / "rethink.sqlite"
    assert not (data / "rethink.sqlite-wal").exists()  # closed cleanly
    damage_a_page_of(db_file, "cards_shown")  # a table removing names never reads
    before = db_file.read_bytes()

    done = run_once("--data-dir", str(data))

    assert done.returncode == 0, done.stderr
    assert done.stderr.count("Part of the records file") == 1, done.stderr  # told once
    assert db_file.read_bytes() == before  # no name removed into it, nothing changed
    assert not list(data.glob("*.corrupt-*"))


def test_a_log_that_cannot_be_read_at_resume_gives_a_message_and_the_run_ends(tmp_path):
    data = tmp_path / "data"
    clock = FakeClock(datetime(2025, 3, 1, 9, tzinfo=UTC))
    with EventStore.open(data / "rethink.sqlite") as store:
        session = running(6, clock, sink=store.append)
        for _ in range(300):  # a log over many pages
            session.next_turn()
    damage_a_page_of(data / "rethink.sqlite", "events")

    done = run_once("--data-dir", str(data))  # unattended: no dialog may wait for a click

    assert done.returncode == 0, done.stderr
    assert "Could not read a session: " in done.stderr
    assert "damaged" in done.stderr


def test_starting_up_loads_only_what_home_needs(tmp_path):
    """Start-up time: the records screens, the exports, sqlite-utils and the dashboard's
    queries are imported when first used, never on the way to Home (a run that resumes a
    session, so the event log and the live view's paths are loaded too); so are ``uuid``
    (it loads ``platform``) and ``logging.handlers`` (socket, pickle), ~17 ms between them."""
    data = tmp_path / "data"
    seed_running_session(data, minutes_ago=2)
    script = (
        "import sys\n"
        "from rethink_desktop.cli import main\n"
        f"code = main(['--data-dir', {str(data)!r}, '--quit-after-start'])\n"
        "print('exit', code)\n"
        "watched = ('rethink', 'sqlite_utils', 'uuid', 'logging.handlers')\n"
        "print(*sorted(m for m in sys.modules if m.startswith(watched)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env(), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    exit_line, modules_line = done.stdout.splitlines()[-2:]
    assert exit_line == "exit 0"
    loaded = set(modules_line.split())
    assert "rethink_desktop.storage.eventlog" in loaded  # the list is real
    for lazy in (
        "sqlite_utils",
        "rethink_desktop.storage.history",
        "rethink_desktop.reports.exports",
        "rethink_desktop.reports.importer",
        "rethink_desktop.ui.dashboard",
        "rethink_desktop.ui.history",
        "uuid",
        "logging.handlers",
    ):
        assert lazy not in loaded, lazy


def test_a_sound_file_gives_no_damage_message(tmp_path):
    data = tmp_path / "data"
    seed_running_session(data, minutes_ago=1)
    run_once("--data-dir", str(data))  # resumes; the next start finds a closed file
    done = run_once("--data-dir", str(data))
    assert done.returncode == 0, done.stderr
    assert "damaged" not in done.stderr


def test_an_emptied_records_file_is_kept_aside_and_told(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "rethink.sqlite").write_bytes(b"")  # as a sync tool that lost the file's content
    done = run_once("--data-dir", str(data))
    assert done.returncode == 0, done.stderr
    (kept,) = data.glob("rethink.sqlite.corrupt-*")
    assert kept.stat().st_size == 0
    assert "The records file was empty (0 bytes), so it held no records" in done.stderr
    assert f"It has been kept as it was, as {kept}, and a new" in done.stderr
    assert (data / "rethink.sqlite").stat().st_size > 0


def test_a_damaged_records_file_is_kept_aside_and_the_backup_named(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "rethink.sqlite").write_bytes(b"not a database at all " * 400)
    done = run_once("--data-dir", str(data))
    assert done.returncode == 0, done.stderr
    (kept,) = data.glob("rethink.sqlite.corrupt-*")
    assert f"set it aside, unchanged, as {kept} and started a fresh" in done.stderr
    assert "Restore your latest backup to get them back" in done.stderr


def test_unreadable_tables_at_start_up_give_a_message_not_a_crash(tmp_path):
    data = tmp_path / "data"
    seed_running_session(data, minutes_ago=3)
    run_once("--data-dir", str(data))  # resumed and closed cleanly
    db_file = data / "rethink.sqlite"
    damage_every_table(db_file)
    before = db_file.read_bytes()

    done = run_once("--data-dir", str(data))

    assert done.returncode == 0, done.stderr
    # One message, the same whether the start-up reads or the check after them found it, and
    # promising nothing the app does not do (set the file aside, save into a damaged table).
    told = DAMAGED_WHILE_OPEN.format(path=db_file)
    assert told in done.stderr
    assert done.stderr.count("damaged") == told.count("damaged")
    assert "set the damaged file aside" not in done.stderr
    assert "Something went wrong" not in done.stderr  # handled, not the last-resort hook
    assert "Traceback" not in done.stderr
    assert db_file.read_bytes() == before
