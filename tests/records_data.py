"""Finished sessions with known figures, for the History and Dashboard tests."""

from __future__ import annotations

from datetime import UTC, datetime

from rethink_desktop.core.clock import FakeClock
from rethink_desktop.core.session import Session
from rethink_desktop.storage.eventlog import EventStore
from tests.helpers import people, phases


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def meeting(
    store: EventStore,
    when: datetime,
    reference: str,
    *,
    kind: str = "family_network",
    talk: tuple[float, ...] = (100, 100, 100, 100),
    ratings: tuple[tuple[int | None, ...], ...] = (),
    pulse: tuple[int, int] | None = (7, 4),
    pause: float = 0,
    present: list[str] | None = None,
    demo: bool = False,
    finish: str = "completed",
    way: str | None = None,
    invited: int | None = None,
) -> Session:
    """A session started at ``when``: turns of ``talk`` seconds in rotation from seat 1.

    ``invited`` people are prepared (default: one per turn); ``present`` are checked in.
    """
    clock = FakeClock(when)
    n = invited or len(talk)
    session = Session.create(clock, store.append, demo=demo)
    session.prepare(kind=kind, reference=reference, participants=people(n), phases=phases(120))
    everyone = [p.id for p in session.state.participants]
    session.check_in(present or everyone, pulse=pulse[0] if pulse else None)
    session.start()
    for seconds in talk:
        session.next_turn()
        clock.advance(seconds)
    if pause:
        session.toggle_pause()
        clock.advance(pause)
        session.toggle_pause()
    if finish == "abandoned":
        session.abandon("interrupted")
        return session
    session.end()
    if pulse:
        session.record_closing_pulse(pulse[1])
    if way:
        session.record_way_forward(way)
    for values in ratings:
        session.rate(*values)
    if finish == "closing":  # ended, its close not complete
        return session
    session.complete()
    return session
