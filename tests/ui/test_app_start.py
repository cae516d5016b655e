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


def test_a_fast_demo_reopened_after_a_crash_goes_on_from_where_its_clock_ran_to(store, deck):
    """Killed a minute after its last key press at ×20, and opened again 15 s later: the
    meeting clock stands 25 demo minutes on from that press, not at the press (the resume
    dialog says the clock kept running while the app was closed)."""
    from datetime import timedelta

    from rethink_desktop.core.clock import FakeClock, ScaledClock
    from rethink_desktop.ui.controller import SessionController
    from tests.ui.conftest import start_live

    real = FakeClock()
    fast = SessionController(store, ScaledClock(real, 20), deck, demo=True)
    session = start_live(fast, 3)
    last = max(e.at for e in session.events)
    real.advance(60)  # twenty demo minutes with no key pressed, then the app is killed
    real.advance(15)
    again = SessionController(store, ScaledClock(real, 20), deck, demo=True)
    assert again.open_session(session.id) is not None
    assert again.now() - last == timedelta(minutes=25)
    again.close_session()
    fast.close_session()


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
