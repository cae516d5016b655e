"""The integrity check that runs on a thread after start-up: finds damage, reports it once on
the GUI thread, and never keeps the app alive at exit."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from rethink_desktop.core.clock import FakeClock
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.ui.app import BackgroundCheck
from tests.helpers import damage_every_table, running


@pytest.fixture
def db_file(tmp_path):
    path = tmp_path / "rethink.sqlite"
    clock = FakeClock(datetime(2025, 2, 3, 9, tzinfo=UTC))
    with EventStore.open(path) as store:
        for _ in range(3):
            running(4, clock, sink=store.append).next_turn()
    return path


def test_damage_is_reported_once_on_the_gui_thread(qtbot, db_file):
    damage_every_table(db_file)
    seen = []
    check = BackgroundCheck(db_file, seen.append)
    with qtbot.waitSignal(check.finished, timeout=10_000):
        check.start()
    assert len(seen) == 1
    assert seen[0]  # the problems quick_check listed
    check.wait()
    assert len(seen) == 1  # not again at exit


def test_a_sound_file_reports_nothing(qtbot, db_file):
    seen = []
    check = BackgroundCheck(db_file, seen.append)
    with qtbot.waitSignal(check.finished, timeout=10_000):
        check.start()
    check.wait()
    assert check.problems == []
    assert seen == []


def test_a_check_stops_when_the_app_closes(db_file, caplog):
    caplog.set_level(logging.INFO, logger="rethink_desktop.ui.app")
    check = BackgroundCheck(db_file, lambda problems: None)
    check._stopping = True  # as wait() sets it at exit
    check._run()  # the progress handler ends quick_check at once
    assert check.problems == []
    assert "stopped at exit" in caplog.text


def test_wait_returns_when_the_check_never_started(db_file):
    check = BackgroundCheck(db_file, lambda problems: None)
    check.wait()
    assert check.problems is None


def test_an_unattended_run_lets_the_check_finish_and_reports_it(db_file):
    damage_every_table(db_file)
    seen = []
    check = BackgroundCheck(db_file, seen.append)
    check.start()
    check.wait(stop=False)  # no event loop: the report comes from wait() itself
    assert len(seen) == 1
    assert check.problems
