"""Fixtures for pytest-qt tests: a real store on disk, a fake clock, the bundled resources."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QWidget

from rethink_desktop.core.agenda import load_templates
from rethink_desktop.core.cards import load_default_deck
from rethink_desktop.core.clock import FakeClock
from rethink_desktop.storage.config import Config
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.storage.paths import resolve_paths
from rethink_desktop.ui.controller import SessionController
from rethink_desktop.ui.main_window import MainWindow
from tests.helpers import people, phases
from tests.ui import full_session


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def store(tmp_path):
    opened = EventStore.open(tmp_path / "data" / "rethink.sqlite")
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def deck():
    return load_default_deck()


@pytest.fixture(scope="session")
def templates():
    return load_templates()


@pytest.fixture
def host(qtbot):
    """A plain window to hold a view, as the app embeds it (a top-level widget with a
    layout makes the offscreen platform warn about size hints)."""
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(1366, 768)
    return window


@pytest.fixture
def make_window(qtbot, tmp_path, controller, templates):
    """The main window on the test's controller; its questions answered yes."""

    def make(config: Config | None = None, *, demo: bool = False) -> MainWindow:
        settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
        paths = resolve_paths(tmp_path / "data")
        return full_session.make_window(
            qtbot, paths, controller, templates, settings, config, demo=demo
        )

    return make


@pytest.fixture
def window(make_window):
    return make_window()


@pytest.fixture
def controller(qtbot, store, clock, deck):
    ctl = SessionController(store, clock, deck)
    yield ctl
    ctl.close_session()
    # Delete the QObject while Qt is alive rather than at interpreter shutdown.
    ctl.deleteLater()
    qtbot.wait(1)


def prepare_draft(controller, n: int = 4, **kw):
    """Create and prepare a draft session through the controller."""
    controller.new_session()
    controller.act(
        "prepare",
        kind=kw.pop("kind", "family_network"),
        reference=kw.pop("reference", "FN-2291"),
        participants=kw.pop("participants", people(n)),
        phases=kw.pop("phases", phases()),
        **kw,
    )
    return controller.session


def start_live(controller, n: int = 4, present=None, **kw):
    """A running session with everyone (or ``present``) checked in."""
    session = prepare_draft(controller, n, **kw)
    ids = present or [p.id for p in session.state.participants]
    controller.act("check_in", ids, pulse=6)
    controller.start()
    return session


def finished_with_names(controller, count: int) -> list[str]:
    """``count`` sessions completed with their names kept, each closed again."""
    ids = []
    for _ in range(count):
        start_live(controller, 3)
        assert controller.act("end")
        assert controller.finish("complete", remove_names=False)
        ids.append(controller.session.id)
        controller.close_session()
    return ids


def names_on_disk(store, session_id: str) -> list[str | None]:
    rows = store.db.execute("SELECT name FROM participants WHERE session_id = ?", [session_id])
    return [name for (name,) in rows]


def tab_walk(qtbot, window: QWidget, start: QWidget, presses: int) -> list[QWidget | None]:
    """Focus ``start`` in ``window`` (made active), press Tab ``presses`` times, and return
    the widget that had the keys after each press."""
    window.activateWindow()
    start.setFocus()
    reached = []
    for _ in range(presses):
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
        reached.append(window.focusWidget())
    return reached


@contextmanager
def larger_text(scale: float) -> Iterator[None]:
    """The app's type ``scale`` times larger (150 %: 1.5) for the block, then as it was."""
    app = QApplication.instance()
    font = app.font()
    larger = app.font()
    larger.setPointSizeF(font.pointSizeF() * scale)
    app.setFont(larger)
    try:
        yield
    finally:
        app.setFont(font)
