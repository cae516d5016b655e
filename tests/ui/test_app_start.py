"""Start-up decisions: refusals before any window reach a desktop user; the demo's clock."""

from __future__ import annotations

import logging
import sys

import pytest
from PySide6.QtWidgets import QMessageBox

from rethink_desktop import cli
from rethink_desktop.storage.config import Config


@pytest.fixture(autouse=True)
def root_logger_restored():
    """cli.main sets up the app's log file on the root logger; take it off again."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def refusing_demo() -> Config:
    config = Config(allow_demo=False)
    config.sources["allow_demo"] = "locked by /etc/xdg/rethink-desktop/config.toml"
    return config


def test_a_desktop_start_of_a_turned_off_demo_says_so_in_a_dialog(tmp_path, monkeypatch, qapp):
    """Launched from a menu there is no console, and a windowed Windows build has no stderr
    at all (``sys.stderr`` is None): the refusal must still be seen, and must not crash."""
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    monkeypatch.setattr(cli, "load_config", refusing_demo)
    monkeypatch.setattr(sys, "stderr", None)
    code = cli.main(["--data-dir", str(tmp_path / "data"), "--demo"])
    assert code == cli.EXIT_USAGE
    (text,) = shown
    assert "The trainers' demo is turned off on this computer" in text
    assert "Ask IT" in text
    assert not (tmp_path / "data" / "demo.sqlite").exists()


def test_a_command_prints_the_refusal_even_without_stderr(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "load_config", refusing_demo)
    assert cli.main(["--data-dir", str(tmp_path / "data"), "--demo", "check"]) == cli.EXIT_USAGE
    assert "demo is turned off" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stderr", None)
    assert cli.main(["--data-dir", str(tmp_path / "data"), "--demo", "check"]) == cli.EXIT_USAGE


def test_the_demo_clock_is_always_a_scaled_one_and_the_app_s_the_real_one():
    from rethink_desktop.core.clock import ScaledClock, SystemClock
    from rethink_desktop.ui.app import make_clock

    plain = make_clock(cli.build_parser().parse_args(["--demo"]))
    fast = make_clock(cli.build_parser().parse_args(["--demo", "--speed", "20"]))
    assert isinstance(plain, ScaledClock)
    assert plain.speed == 1
    assert isinstance(fast, ScaledClock)
    assert fast.speed == 20
    assert type(make_clock(cli.build_parser().parse_args([]))) is SystemClock


def test_a_demo_meeting_reopened_goes_on_from_where_its_clock_ran_to(store, deck):
    """At ×20, a minute after the last key press (twenty demo minutes, noted by the ticks)
    the app is killed; opened again 15 s later: at ×20 the meeting stands 25 demo minutes
    on from that press, not at the press; at ×1 (the Home button) 20 min 15 s on. The
    resume dialog says the clock kept running while the app was closed."""
    from datetime import timedelta

    from rethink_desktop.core.clock import FakeClock, ScaledClock
    from rethink_desktop.storage import demo_clock
    from rethink_desktop.ui.controller import SessionController
    from tests.ui.conftest import start_live

    real = FakeClock()
    fast = SessionController(store, ScaledClock(real, 20), deck, demo=True)
    session = start_live(fast, 3)
    last = max(e.at for e in session.events)
    for _ in range(60):  # a real minute of ticks; no key pressed
        real.advance(1)
        fast._on_tick()
    real.advance(15)  # killed, and opened again
    noted = demo_clock.clock_file(store.path)
    last_note = noted.read_bytes()
    for speed, on in ((20, timedelta(minutes=25)), (1, timedelta(minutes=20, seconds=15))):
        noted.write_bytes(last_note)  # each reopening from the moment the app was killed
        again = SessionController(store, ScaledClock(real, speed), deck, demo=True)
        assert again.open_session(session.id) is not None
        assert again.now() - last == on
        again.close_session()
    fast.close_session()


def test_a_fast_demo_killed_between_ticks_reopens_at_most_a_tenth_of_a_second_back(
    qtbot, store, deck
):
    """At ×120 the clock was noted once a real second: killed up to a second after a note
    and reopened at ×1, the meeting stood up to two demo minutes back from where it was."""
    from datetime import timedelta

    from rethink_desktop.core.clock import FakeClock, ScaledClock
    from rethink_desktop.ui.controller import SessionController
    from tests.ui.conftest import start_live

    real = FakeClock()
    fast = SessionController(store, ScaledClock(real, 120), deck, demo=True)
    session = start_live(fast, 3)
    for _ in range(200):  # ticks as the timer sets them (40 to 50 ms apart at ×120)
        assert 40 <= fast._timer.interval() <= 50
        real.advance(fast._timer.interval() / 1000)
        fast._on_tick()
    at_the_kill = fast.now()
    again = SessionController(store, ScaledClock(real, 1), deck, demo=True)
    assert again.open_session(session.id) is not None
    assert timedelta(0) <= at_the_kill - again.now() <= timedelta(seconds=0.1 * 120)
    again.close_session()
    fast.close_session()


def test_a_fast_demo_notes_its_clock_about_ten_times_a_real_second(qtbot, store, deck, monkeypatch):
    """Each note is a file written: on every tick (25 a second at ×120) it would be too
    many; once a second, a kill lost up to two demo minutes."""
    from rethink_desktop.core.clock import FakeClock, ScaledClock
    from rethink_desktop.storage import demo_clock
    from rethink_desktop.ui.controller import SessionController
    from tests.ui.conftest import start_live

    real = FakeClock()
    fast = SessionController(store, ScaledClock(real, 120), deck, demo=True)
    start_live(fast, 3)
    notes = []
    monkeypatch.setattr(demo_clock, "save", lambda *args: notes.append(real.now()))
    ticks = 0
    while not notes or (real.now() - notes[0]).total_seconds() < 10:  # ten real seconds
        real.advance(fast._timer.interval() / 1000)
        fast._on_tick()
        ticks += 1
    assert 80 <= len(notes) <= 130  # 8 to 13 a real second
    assert ticks >= 2 * len(notes) - 2
    fast.close_session()


def test_a_demo_not_under_way_is_not_moved_on_by_the_time_it_was_closed(store, deck):
    """Checked in at ×20 and left for an hour: reopened, its clock is the hour on, not
    twenty (the time a demo was closed counts only for a meeting under way)."""
    from datetime import timedelta

    from rethink_desktop.core.clock import FakeClock, ScaledClock
    from rethink_desktop.ui.controller import SessionController
    from tests.ui.conftest import prepare_draft

    real = FakeClock()
    fast = SessionController(store, ScaledClock(real, 20), deck, demo=True)
    session = prepare_draft(fast, 3)
    fast.act("check_in", [p.id for p in session.state.participants], pulse=5)
    last = max(e.at for e in session.events)
    fast.close_session()
    real.advance(3600)
    again = SessionController(store, ScaledClock(real, 20), deck, demo=True)
    assert again.open_session(session.id) is not None
    assert again.now() - last == timedelta(hours=1)
    again.close_session()


def test_a_demo_run_fast_then_reopened_at_normal_speed_carries_on_from_its_last_event(store, deck):
    """Recorded at ×120 its times ran ahead of the real ones: reopened at ×1 (as the Home
    button starts the demo) the clock goes on from its last event instead of standing still
    there until real time catches up; and a new session is dated by the real time again."""
    from datetime import timedelta

    from rethink_desktop.core.clock import FakeClock, ScaledClock
    from rethink_desktop.ui.controller import SessionController
    from tests.ui.conftest import start_live

    real = FakeClock()
    ahead = SessionController(store, ScaledClock(real, 120), deck, demo=True)
    session = start_live(ahead, 3)
    real.advance(60)  # a minute: two hours of demo
    ahead.act("next_turn")
    last = max(e.at for e in session.events)
    ahead.close_session()

    again = SessionController(store, ScaledClock(real, 1), deck, demo=True)
    assert again.open_session(session.id) is not None
    real.advance(10)
    assert again.now() - last == timedelta(seconds=10)  # moving, from where it stopped
    again.close_session()
    fresh = again.new_session()
    assert fresh is not None
    assert fresh.state.created_at == real.now()  # not two hours ahead with the last one
    again.close_session()


def start_refused(tmp_path, caplog) -> tuple[int, str]:
    """run_app on ``tmp_path/data``, unattended: its exit status and what it logged at
    warning level or above (the log said only "starting (command: None)")."""
    from rethink_desktop.storage.paths import resolve_paths
    from rethink_desktop.ui.app import run_app

    args = cli.build_parser().parse_args(["--data-dir", str(tmp_path / "data"), "--unattended"])
    with caplog.at_level(logging.INFO):
        code = run_app(resolve_paths(args.data_dir), args)
    warned = [r for r in caplog.records if r.levelno >= logging.WARNING]
    return code, "\n".join(r.getMessage() for r in warned)


def test_a_start_refused_by_records_from_a_newer_version_logs_why(tmp_path, caplog, qapp):
    from rethink_desktop.storage.database import open_database
    from rethink_desktop.storage.schema import SCHEMA_VERSION

    db_path = tmp_path / "data" / "rethink.sqlite"
    db = open_database(db_path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    code, logged = start_refused(tmp_path, caplog)
    assert code == 1
    assert f"start refused, the records {db_path} cannot be opened: NewerVersionError" in logged


def test_a_start_refused_while_another_copy_holds_the_records_logs_why(tmp_path, caplog, qapp):
    from rethink_desktop.ui.app import EXIT_ALREADY_RUNNING
    from rethink_desktop.ui.lock import acquire_lock

    held = acquire_lock(tmp_path / "data" / "rethink.lock")
    try:
        code, logged = start_refused(tmp_path, caplog)
    finally:
        held.unlock()
    assert code == EXIT_ALREADY_RUNNING
    assert f"start refused (exit status {EXIT_ALREADY_RUNNING})" in logged
    assert str(tmp_path / "data" / "rethink.sqlite") in logged


def test_a_start_refused_by_its_data_folder_or_resources_logs_why(
    tmp_path, caplog, qapp, monkeypatch
):
    from rethink_desktop.core import decks
    from rethink_desktop.core.cards import DeckError
    from rethink_desktop.ui import app
    from rethink_desktop.ui.lock import DataFolderError, data_folder_message

    def read_only(*args, **kwargs):
        raise DataFolderError(data_folder_message(tmp_path / "data", "read_only"))

    with monkeypatch.context() as patched:
        patched.setattr(app, "acquire_lock", read_only)
        code, logged = start_refused(tmp_path, caplog)
    assert code == 1
    assert "start refused, the data folder cannot be used" in logged
    assert f"({tmp_path / 'data'}): it is read-only" in logged
    caplog.clear()

    def broken(*args, **kwargs):
        raise DeckError("default.json: the deck has no cards.")

    monkeypatch.setattr(decks, "load_default_deck", broken)
    code, logged = start_refused(tmp_path, caplog)
    assert code == 1
    assert "start refused, a bundled resource cannot be used: DeckError: default.json" in logged


def run_app_until_the_window(tmp_path, monkeypatch, *extra: str) -> tuple[int, list[str]]:
    """``run_app`` in this process, its event loop left out: the exit status and every error
    message it gave."""
    from PySide6.QtWidgets import QApplication

    from rethink_desktop.storage.paths import resolve_paths
    from rethink_desktop.ui.app import Messages, run_app
    from rethink_desktop.ui.main_window import MainWindow

    told: list[str] = []
    before = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]

    def no_loop(*_args) -> int:
        QApplication.processEvents()
        for window in QApplication.topLevelWidgets():
            if isinstance(window, MainWindow) and window not in before:
                window.close()
                window.deleteLater()
        return 0

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_app installs its own
    monkeypatch.setattr(QApplication, "exec", no_loop)
    monkeypatch.setattr(Messages, "error", lambda self, parent, text: told.append(text))
    args = cli.build_parser().parse_args(
        ["--data-dir", str(tmp_path / "data"), "--quit-after-start", *extra]
    )
    return run_app(resolve_paths(args.data_dir), args, Config()), told


@pytest.mark.parametrize("usable", [True, False])
def test_the_app_starts_with_the_imported_deck_or_if_it_cannot_be_used_the_bundled_one(
    tmp_path, monkeypatch, qapp, usable
):
    """A meeting is never stopped by a deck: one that can no longer be used (edited by hand
    since it was imported, say) gives way to the bundled one, and the facilitator is told."""
    import shutil

    from rethink_desktop.core.cards import load_deck, load_default_deck
    from rethink_desktop.storage.paths import resolve_paths
    from rethink_desktop.ui.app import Messages
    from rethink_desktop.ui.controller import SessionController
    from tests.helpers import own_deck

    imported = resolve_paths(tmp_path / "data").imported_deck
    imported.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(own_deck(tmp_path), imported)
    if not usable:
        imported.write_text('{"format": "rethink-cards"}', encoding="utf-8")
    said: list[str] = []
    monkeypatch.setattr(Messages, "info", lambda self, parent, text: said.append(text))
    decks_used = []
    real_init = SessionController.__init__

    def noted(self, store, clock, deck, **kw):
        decks_used.append(deck)
        real_init(self, store, clock, deck, **kw)

    monkeypatch.setattr(SessionController, "__init__", noted)
    code, told = run_app_until_the_window(tmp_path, monkeypatch)
    assert (code, told) == (0, [])
    if usable:
        assert decks_used == [load_deck(imported)]
        assert said == []
        return
    assert decks_used == [load_default_deck()]
    assert len(said) == 1
    assert said[0].startswith(
        "The card deck you imported cannot be used, so the deck that comes with the app is in use."
    )
    assert "card-deck.json:" in said[0]


def test_a_session_not_resumed_is_not_ended_into_a_damaged_file(tmp_path, monkeypatch, qapp):
    """Quit mid-meeting, the file closed cleanly, so it is checked on a thread once the
    window is up; ending the open session as abandoned (Resume declined) wrote into it
    first, and the message then said the app had not changed it."""
    from datetime import UTC, datetime

    from rethink_desktop.core.clock import FakeClock
    from rethink_desktop.storage.eventlog import EventStore
    from rethink_desktop.ui.app import DAMAGED_WHILE_OPEN, Messages
    from tests.e2e.test_app import damage_a_page_of
    from tests.helpers import meetings, running

    db_file = tmp_path / "data" / "rethink.sqlite"
    clock = FakeClock(datetime(2025, 3, 1, 9, tzinfo=UTC))
    with EventStore.open(db_file) as store:

        def finished(session) -> None:
            session.end()
            session.complete()
            session.remove_names()

        meetings(store.append, clock, finished)
        running(4, clock, sink=store.append).next_turn()  # open when the app was quit
    damage_a_page_of(db_file, "cards_shown")  # a table ending a session never reads
    before = db_file.read_bytes()
    monkeypatch.setattr(Messages, "resume", lambda self, parent, text: False)

    code, told = run_app_until_the_window(tmp_path, monkeypatch)

    assert code == 0
    assert told == [DAMAGED_WHILE_OPEN.format(path=db_file)]  # told once
    assert db_file.read_bytes() == before
