"""Fixtures for pytest-qt tests: a real store on disk, a fake clock, the bundled resources."""

from __future__ import annotations

import pytest

from rethink_desktop.core.agenda import load_templates
from rethink_desktop.core.cards import load_default_deck
from rethink_desktop.core.clock import FakeClock
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.ui.controller import SessionController
from tests.helpers import people, phases


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
