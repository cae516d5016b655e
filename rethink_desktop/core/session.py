"""The live session: each facilitator action becomes an event, saved before the state moves.

``Session`` turns verbs (``next_turn``, ``pass_turn``, ``undo``…) into events stamped by the
injected clock, checks them against the rules by reducing the whole log, hands the event
to ``sink`` (the durable store) and only then adopts the new state. If the sink raises —
disk full, say — the state is exactly what it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from rethink_desktop.core.clock import Clock, MonotonicClock, format_timestamp
from rethink_desktop.core.events import Event
from rethink_desktop.core.rotation import ROTATION_RULES
from rethink_desktop.core.state import IllegalAction, Reducer, SessionState

Sink = Callable[[str, Event, SessionState], None]
"""Makes ``event`` durable for session ``id``; ``state`` is the state it leads to."""

__all__ = ["IllegalAction", "Session", "Sink"]


def new_id() -> str:
    """A fresh random id (UUID 4) for a session or a participant."""
    import uuid  # here, not at the top: it loads `platform`, ~6 ms of every start-up

    return str(uuid.uuid4())


class Session:
    """One session's event log, its reduced state and the clock that stamps new events."""

    def __init__(self, events: Iterable[Event], clock: Clock, sink: Sink | None = None) -> None:
        self._events: list[Event] = list(events)
        self._reducer = Reducer()
        for event in self._events:
            self._reducer.feed(event)
        if self._reducer.state is None:
            raise IllegalAction("A session needs at least its creation event.")
        self.state: SessionState = self._reducer.state
        self._clock = MonotonicClock(clock)
        if self._events:
            self._clock.raise_floor(max(e.at for e in self._events))
        self._sink = sink

    @classmethod
    def create(
        cls,
        clock: Clock,
        sink: Sink | None = None,
        *,
        demo: bool = False,
        session_id: str | None = None,
    ) -> Session:
        sid = session_id or new_id()
        event = Event("created", clock.now(), {"session_id": sid, "demo": demo})
        if sink is not None:
            sink(sid, event, Reducer().feed(event))
        return cls([event], clock, sink)

    @property
    def id(self) -> str:
        return self.state.id

    @property
    def events(self) -> Sequence[Event]:
        return tuple(self._events)

    def now(self) -> datetime:
        """The clock's time, never earlier than the last recorded event."""
        return self._clock.now()

    def dispatch(self, kind: str, /, **data: Any) -> SessionState:
        """Record one action. Raises IllegalAction (nothing recorded) or the sink's error."""
        event = Event(kind, self._clock.now(), data)
        trial = self._reducer.clone()
        new_state = trial.feed(event)
        if self._sink is not None:
            self._sink(self.state.id, event, new_state)
        self._events.append(event)
        self._reducer = trial
        self.state = new_state
        return new_state

    # --- preparing ----------------------------------------------------------------------
    def prepare(
        self,
        *,
        kind: str,
        reference: str,
        participants: Sequence[Mapping[str, Any]],
        phases: Sequence[Mapping[str, Any]],
        purpose: str = "",
        venue: str = "",
        scheduled_for: str | None = None,
        template_id: str | None = None,
        second_chance: bool = True,
    ) -> SessionState:
        people = [
            {
                "id": p.get("id") or new_id(),
                "name": p.get("name"),
                "agency": p["agency"],
                "role": p.get("role", ""),
            }
            for p in participants
        ]
        return self.dispatch(
            "prepared",
            kind=kind,
            reference=reference,
            purpose=purpose,
            venue=venue,
            scheduled_for=scheduled_for,
            template_id=template_id,
            second_chance=second_chance,
            participants=people,
            phases=[dict(ph) for ph in phases],
        )

    def check_in(self, present: Iterable[str], pulse: int | None = None) -> SessionState:
        return self.dispatch("checked_in", present=sorted(present), pulse=pulse)

    def start(self, starter: str | None = None, seed: int | None = None) -> SessionState:
        return self.dispatch("started", starter=starter, seed=seed, rotation=ROTATION_RULES)

    # --- the rotation -------------------------------------------------------------------
    def next_turn(self) -> SessionState:
        return self.dispatch("next")

    def pass_turn(self) -> SessionState:
        return self.dispatch("pass")

    def pick(self, participant_id: str) -> SessionState:
        return self.dispatch("pick", participant_id=participant_id)

    def undo(self, steps: int = 1) -> SessionState:
        return self.dispatch("undo", steps=steps)

    def redo(self, steps: int = 1) -> SessionState:
        return self.dispatch("redo", steps=steps)

    def arrive(self, participant_id: str) -> SessionState:
        return self.dispatch("arrived", participant_id=participant_id)

    def leave(self, participant_id: str) -> SessionState:
        return self.dispatch("left", participant_id=participant_id)

    def come_back(self, participant_id: str) -> SessionState:
        return self.dispatch("returned", participant_id=participant_id)

    def withdraw_arrival(self, participant_id: str) -> SessionState:
        return self.dispatch("arrival_withdrawn", participant_id=participant_id)

    # --- the clock, space and cards -----------------------------------------------------
    def next_phase(self) -> SessionState:
        return self.dispatch("phase")

    def toggle_pause(self) -> SessionState:
        return self.dispatch("resumed" if self.state.status == "paused" else "paused")

    def toggle_space(self) -> SessionState:
        return self.dispatch("space_ended" if self.state.space_active else "space_started")

    def show_card(self, card_id: str) -> SessionState:
        return self.dispatch("card_shown", card_id=card_id)

    # --- closing ------------------------------------------------------------------------
    def end(self) -> SessionState:
        return self.dispatch("ended")

    def record_way_forward(self, value: str) -> SessionState:
        return self.dispatch("way_forward", value=value)

    def record_closing_pulse(self, value: int) -> SessionState:
        return self.dispatch("pulse", moment="end", value=value)

    def rate(
        self,
        communication: int | None = None,
        compassion: int | None = None,
        clarity: int | None = None,
        heard: int | None = None,
    ) -> SessionState:
        return self.dispatch(
            "rating",
            communication=communication,
            compassion=compassion,
            clarity=clarity,
            heard=heard,
        )

    def complete(self) -> SessionState:
        return self.dispatch("completed")

    def abandon(self, reason: str, ended_at: datetime | None = None) -> SessionState:
        """End without a close; ``ended_at``: when the meeting's record ends, if earlier than
        now (the last recorded moment of a session not resumed after the app stopped)."""
        if ended_at is None:
            return self.dispatch("abandoned", reason=reason)
        return self.dispatch("abandoned", reason=reason, ended_at=format_timestamp(ended_at))

    def remove_names(self) -> SessionState:
        return self.dispatch("names_removed")
