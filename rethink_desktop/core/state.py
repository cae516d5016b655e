"""A session's state as a pure ``reduce(events)``; the rules of what may happen when.

Illegal actions raise :class:`IllegalAction` with a message a facilitator can read; the
state is rebuilt from the events, so a refused action can never leave it half-changed.
"""

from __future__ import annotations

import copy
import random
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from rethink_desktop.core.agenda import SESSION_KINDS
from rethink_desktop.core.clock import Interval, active_seconds, merge_intervals, parse_timestamp
from rethink_desktop.core.events import ENDS_REDO, UNDOABLE, Event
from rethink_desktop.core.rotation import ROTATION_RULES, Rotation

STATUSES = ("draft", "checked_in", "running", "paused", "closing", "completed", "abandoned")
LIVE = frozenset({"running", "paused"})
FLOOR_HELD = "A space is running: R ends it, then the floor can move."
FINISHED = frozenset({"completed", "abandoned"})

ABANDON_REASONS = {
    "not_resumed": "Not resumed after the app closed",
    "cancelled": "Meeting cancelled",
    "interrupted": "Meeting could not go on",
    "prepared_in_error": "Prepared in error",
}
WAY_FORWARD = {"yes": "Yes", "partly": "Partly", "not_yet": "Not yet"}
RATING_FIELDS = ("communication", "compassion", "clarity", "heard")
ATTENDED = frozenset({"present", "late", "left_early", "late_left_early"})
IN_ROOM = frozenset({"present", "late"})
GONE = frozenset({"left_early", "late_left_early"})  # recorded as leaving; may come back
LATE = frozenset({"late", "late_left_early"})  # arrived after the doors closed
MIN_PARTICIPANTS = 2
MAX_PARTICIPANTS = 30
MAX_PHASES = 12


def ratings_withheld(status: str) -> bool:
    """Whether a session's ratings are kept back from every screen, summary, figure and
    export: while its close is in progress, and for good if it was abandoned then. With some
    given and some not, the order of hand-over could tell whose answers are whose; only a
    completed close has them all there together. (Ratings are given only during the close,
    so an abandoned session has some only if it was abandoned then.)"""
    return status in ("closing", "abandoned")


class IllegalAction(ValueError):
    """An action that the session's rules do not allow now; the message says why."""


@dataclass
class Participant:
    id: str
    seat: int
    name: str | None
    agency: str
    role: str = ""
    # expected (before check-in), present, absent, late, left_early, late_left_early
    attendance: str = "expected"
    arrived_at: datetime | None = None
    left_at: datetime | None = None

    @property
    def in_room(self) -> bool:
        return self.attendance in IN_ROOM

    @property
    def label(self) -> str:
        """Name if kept, otherwise agency and role."""
        if self.name:
            return self.name
        return f"{self.agency} · {self.role}" if self.role else self.agency


@dataclass
class Turn:
    participant_id: str
    phase: int
    round: int
    started_at: datetime
    ended_at: datetime | None = None
    passed: bool = False
    picked: bool = False
    second_chance: bool = False


@dataclass
class PhaseState:
    index: int
    name: str
    minutes: int
    turn_seconds: int
    opening_card: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None


@dataclass
class CardShown:
    card_id: str
    phase: int
    at: datetime


@dataclass
class Rating:
    communication: int | None
    compassion: int | None
    clarity: int | None
    heard: int | None


@dataclass
class Schedule:
    """Planned against actual: ``behind_seconds`` > 0 behind, < 0 ahead."""

    behind_seconds: float
    projected_end: datetime


@dataclass
class SessionState:
    id: str
    demo: bool
    created_at: datetime
    kind: str = "family_network"
    reference: str = ""
    purpose: str = ""
    venue: str = ""
    scheduled_for: str | None = None
    template_id: str | None = None
    second_chance: bool = True
    status: str = "draft"
    participants: list[Participant] = field(default_factory=list)
    phases: list[PhaseState] = field(default_factory=list)
    phase_index: int = -1
    turns: list[Turn] = field(default_factory=list)
    pauses: list[list[datetime | None]] = field(default_factory=list)
    spaces: list[list[datetime | None]] = field(default_factory=list)
    cards: list[CardShown] = field(default_factory=list)
    rotation: Rotation | None = None
    starter_id: str | None = None
    seed: int | None = None
    checked_in_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    completed_at: datetime | None = None
    abandoned_at: datetime | None = None
    abandoned_reason: str | None = None
    pulse_start: int | None = None
    pulse_end: int | None = None
    way_forward: str | None = None
    ratings: list[Rating] = field(default_factory=list)
    names_removed: bool = False
    # Bookkeeping that undo/redo legitimately changes; not part of equality.
    updated_at: datetime | None = field(default=None, compare=False)
    undo_depth: int = field(default=0, compare=False)
    redo_depth: int = field(default=0, compare=False)

    def clone(self) -> SessionState:
        """A copy that an action can change without touching this one.

        Only the last turn is ever changed by an action (it is the one running), so earlier
        turns, cards and ratings are shared; everything else that actions change is copied.
        """
        new = copy.copy(self)
        new.participants = [copy.copy(p) for p in self.participants]
        new.phases = [copy.copy(p) for p in self.phases]
        new.turns = [*self.turns[:-1], copy.copy(self.turns[-1])] if self.turns else []
        new.pauses = [list(span) for span in self.pauses]
        new.spaces = [list(span) for span in self.spaces]
        new.cards = list(self.cards)
        new.ratings = list(self.ratings)
        new.rotation = self.rotation.clone() if self.rotation is not None else None
        return new

    # --- people -------------------------------------------------------------------------
    def participant(self, pid: str) -> Participant:
        for person in self.participants:
            if person.id == pid:
                return person
        raise IllegalAction("That person is not in this session.")

    def asked_to_rate(self) -> int:
        """How many people the close asks for a rating: those still in the room at the end.
        (The core takes up to one per person who attended: a build before asked them all.)"""
        return len(self.in_room_ids())

    def in_room_ids(self) -> set[str]:
        return {p.id for p in self.participants if p.in_room}

    def attended(self) -> list[Participant]:
        return [p for p in self.participants if p.attendance in ATTENDED]

    # --- turns --------------------------------------------------------------------------
    @property
    def current_turn(self) -> Turn | None:
        if self.turns and self.turns[-1].ended_at is None:
            return self.turns[-1]
        return None

    @property
    def current_speaker(self) -> Participant | None:
        turn = self.current_turn
        return self.participant(turn.participant_id) if turn else None

    def next_up(self) -> tuple[Participant, bool] | None:
        """Who Space would give the floor to next, and whether it is a second chance."""
        if self.rotation is None:
            return None
        # Space ends the current turn as spoken before it chooses (rules 3: which can make
        # a passer's second chance due), so the look-ahead does the same.
        spoken = self.current_turn is not None
        chosen = self.rotation.peek_next(self.in_room_ids(), spoken=spoken)
        if chosen is None:
            return None
        return self.participant(chosen[0]), chosen[1]

    def still_to_speak(self) -> list[Participant]:
        if self.rotation is None:
            return []
        return [self.participant(pid) for pid in self.rotation.still_to_speak(self.in_room_ids())]

    def _silent(self) -> list[Interval]:
        return [(s, e) for s, e in self.pauses + self.spaces]  # type: ignore[misc]

    def silent_spans(self, now: datetime) -> list[tuple[datetime, datetime]]:
        """Pauses and spaces merged: the time in which no one's talk time grows."""
        return merge_intervals(self._silent(), now)

    def turn_seconds(
        self, turn: Turn, now: datetime, silent: list[tuple[datetime, datetime]] | None = None
    ) -> float:
        """Talk time of one turn: pauses and "space" do not count.

        ``silent`` (from :meth:`silent_spans`) saves recomputing it for many turns.
        """
        end = turn.ended_at or now
        spans = silent if silent is not None else self.silent_spans(now)
        return active_seconds(turn.started_at, end, spans, now, merged=True)

    # --- the clock ----------------------------------------------------------------------
    @property
    def planned_seconds(self) -> float:
        return sum(p.minutes for p in self.phases) * 60.0

    @property
    def paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1][1] is None

    @property
    def space_active(self) -> bool:
        return bool(self.spaces) and self.spaces[-1][1] is None

    def _end(self, now: datetime) -> datetime:
        return self.ended_at or self.abandoned_at or now

    def elapsed(self, now: datetime) -> float:
        """Running time of the meeting so far (pauses excluded)."""
        if self.started_at is None:
            return 0.0
        return active_seconds(self.started_at, self._end(now), self._pause_intervals(), now)

    def remaining(self, now: datetime) -> float:
        """Time left of the planned two hours; negative when over."""
        return self.planned_seconds - self.elapsed(now)

    def _pause_intervals(self) -> list[Interval]:
        return [(s, e) for s, e in self.pauses]  # type: ignore[misc]

    def known_as(self, person: Participant) -> str:
        """How the screens name ``person``: their label, and their role too when someone
        else in this circle has the same name (two Toms may sit in one circle only with
        different roles, so "Tom (School nurse)" and "Tom (GP)" tell them apart)."""
        return self.labels().get(person.id, person.label)

    def labels(self) -> dict[str, str]:
        """:meth:`known_as` for everyone in the circle, by id, reading each name once (the
        talk-time rows ask for them all on every tick and key press)."""
        names = Counter((p.name or "").casefold() for p in self.participants)
        return {
            p.id: f"{p.label} ({p.role})"
            if p.role and p.name and names[p.name.casefold()] > 1
            else p.label
            for p in self.participants
        }

    @property
    def phase(self) -> PhaseState | None:
        if 0 <= self.phase_index < len(self.phases):
            return self.phases[self.phase_index]
        return None

    def phase_elapsed(self, now: datetime) -> float:
        phase = self.phase
        if phase is None or phase.started_at is None:
            return 0.0
        end = phase.ended_at or self._end(now)
        return active_seconds(phase.started_at, end, self._pause_intervals(), now)

    def phase_remaining(self, now: datetime) -> float:
        phase = self.phase
        return 0.0 if phase is None else phase.minutes * 60.0 - self.phase_elapsed(now)

    def space_seconds(self, now: datetime) -> float:
        """Length of the "space" now running (0 when none)."""
        if not self.space_active:
            return 0.0
        start = self.spaces[-1][0]
        assert start is not None
        return active_seconds(start, now, self._pause_intervals(), now)

    def schedule(self, now: datetime) -> Schedule:
        """Ahead/behind against the plan and when the meeting will end at this rate."""
        elapsed = self.elapsed(now)
        phase = self.phase
        if phase is None or phase.started_at is None or self.started_at is None:
            return Schedule(0.0, now + timedelta(seconds=self.planned_seconds - elapsed))
        at_phase_start = active_seconds(
            self.started_at, phase.started_at, self._pause_intervals(), now
        )
        phase_elapsed = self.phase_elapsed(now)
        later = sum(p.minutes for p in self.phases[self.phase_index + 1 :]) * 60.0
        projected = at_phase_start + max(phase.minutes * 60.0, phase_elapsed) + later
        return Schedule(
            projected - self.planned_seconds,
            now + timedelta(seconds=max(0.0, projected - elapsed)),
        )

    # --- what the facilitator may do now ------------------------------------------------
    @property
    def floor_held(self) -> bool:
        """Rules 3: the floor does not move during a space (a stray Space gave someone the
        floor with their clock stopped, while the wall still invited the room to think)."""
        return self.space_active and self.rotation is not None and self.rotation.rules >= 3

    def allowed(self) -> set[str]:
        """Event kinds that would be accepted now (data permitting)."""
        s = self.status
        ok: set[str] = set()
        if s == "draft":
            ok |= {"prepared", "checked_in", "abandoned"}
        elif s == "checked_in":
            ok |= {"checked_in", "started", "card_shown", "abandoned"}
        elif s in LIVE:
            ok |= {"card_shown", "ended", "abandoned"}
            ok |= {"arrived", "left", "returned", "arrival_withdrawn"}  # attendance
            ok.add("resumed" if s == "paused" else "paused")
            if s == "running" and not self.floor_held:
                if self.next_up() is not None:
                    ok.add("next")
                if self.current_turn is not None:
                    ok.add("pass")
                if self.in_room_ids():
                    ok.add("pick")
            if s == "running":
                if self.phase_index < len(self.phases) - 1:
                    ok.add("phase")
                ok.add("space_ended" if self.space_active else "space_started")
            elif self.space_active:
                ok.add("space_ended")
            if self.undo_depth:
                ok.add("undo")
            if self.redo_depth:
                ok.add("redo")
        elif s == "closing":
            ok |= {"way_forward", "pulse", "completed", "abandoned"}
            if len(self.ratings) < len(self.attended()):
                ok.add("rating")
        elif s in FINISHED and not self.names_removed:
            ok.add("names_removed")
        return ok


# --- the reducer --------------------------------------------------------------------------


def _need(state: SessionState, *statuses: str, action: str) -> None:
    """Refuse ``action`` in any other status: "Cannot … while the session is paused.",
    with the way out when resuming is all it needs (as FLOOR_HELD names R)."""
    if state.status not in statuses:
        status = state.status.replace("_", " ")
        resume = " Ctrl+P resumes." if status == "paused" and "running" in statuses else ""
        raise IllegalAction(f"Cannot {action} while the session is {status}.{resume}")


def may_move_floor(state: SessionState, action: str) -> None:
    """Raise :class:`IllegalAction`, in words, unless the floor can move now: the session
    running and no space holding the floor (Space, P, 1–9 and G alike)."""
    _need(state, "running", action=action)
    if state.floor_held:
        raise IllegalAction(FLOOR_HELD)


def _end_turn(state: SessionState, at: datetime) -> None:
    """The current turn ends, not as a pass: something was said."""
    turn = state.current_turn
    if turn is not None:
        turn.ended_at = at
        assert state.rotation is not None
        state.rotation.record_spoken()


def _start_turn(state: SessionState, pid: str, at: datetime, **flags: bool) -> None:
    assert state.rotation is not None
    state.turns.append(
        Turn(pid, state.phase_index, state.rotation.round, at, None, **flags)  # type: ignore[arg-type]
    )


def _give_floor_to_next(state: SessionState, at: datetime) -> None:
    assert state.rotation is not None
    chosen = state.rotation.choose_next(state.in_room_ids())
    if chosen is None:
        raise IllegalAction("No one in the room is waiting to speak.")
    _start_turn(state, chosen[0], at, second_chance=chosen[1])


def _close_open(intervals: list[list[datetime | None]], at: datetime) -> None:
    if intervals and intervals[-1][1] is None:
        intervals[-1][1] = at


def _int_in(value: object, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise IllegalAction(f"{what} must be a whole number from {low} to {high}.")
    return value


def _apply_prepared(state: SessionState, data: dict) -> None:
    people = data["participants"]
    if not MIN_PARTICIPANTS <= len(people) <= MAX_PARTICIPANTS:
        raise IllegalAction(
            f"A session needs {MIN_PARTICIPANTS} to {MAX_PARTICIPANTS} participants."
        )
    ids = [p["id"] for p in people]
    if len(set(ids)) != len(ids):
        raise IllegalAction("Two participants share the same id.")
    phases = data["phases"]
    if not 1 <= len(phases) <= MAX_PHASES:
        raise IllegalAction(f"An agenda needs 1 to {MAX_PHASES} phases.")
    state.kind = data["kind"]
    state.reference = data["reference"]
    state.purpose = data.get("purpose", "")
    state.venue = data.get("venue", "")
    state.scheduled_for = data.get("scheduled_for")
    state.template_id = data.get("template_id")
    state.second_chance = bool(data.get("second_chance", True))
    state.participants = [
        Participant(p["id"], seat, p.get("name"), p["agency"], p.get("role", ""))
        for seat, p in enumerate(people, start=1)
    ]
    state.phases = [
        PhaseState(
            i,
            ph["name"],
            _int_in(ph["minutes"], 1, 120, "Minutes"),
            _int_in(ph.get("turn_seconds", 180), 15, 1800, "Turn allowance (seconds)"),
            ph.get("opening_card"),
        )
        for i, ph in enumerate(phases)
    ]


def _apply(state: SessionState, event: Event, at: datetime) -> None:
    kind, data = event.kind, dict(event.data)
    if kind == "created":
        raise IllegalAction("This session has already been created.")
    if kind == "prepared":
        _need(state, "draft", action="change the preparation")
        _apply_prepared(state, data)
    elif kind == "checked_in":
        _need(state, "draft", "checked_in", action="check in")
        if not state.participants or not state.phases:
            raise IllegalAction("Prepare the participants and agenda before checking in.")
        present = set(data["present"])
        unknown = present - {p.id for p in state.participants}
        if unknown:
            raise IllegalAction("Check-in names someone who is not in this session.")
        if len(present) < MIN_PARTICIPANTS:
            raise IllegalAction(f"At least {MIN_PARTICIPANTS} people must be present to start.")
        for person in state.participants:
            person.attendance = "present" if person.id in present else "absent"
            person.arrived_at = at if person.id in present else None
        if data.get("pulse") is not None:
            state.pulse_start = _int_in(data["pulse"], 1, 10, "The tension pulse")
        state.checked_in_at = at
        state.status = "checked_in"
    elif kind == "started":
        _need(state, "checked_in", action="start")
        in_room = [p.id for p in state.participants if p.in_room]
        starter = data.get("starter")
        seed = data.get("seed")
        if starter is None:
            starter = random.Random(seed).choice(in_room) if seed is not None else in_room[0]
        elif starter not in in_room:
            raise IllegalAction("The person chosen to start is not present.")
        state.starter_id, state.seed = starter, seed
        rules = data.get("rotation", 1)
        if type(rules) is not int or not 1 <= rules <= ROTATION_RULES:
            raise IllegalAction("This session follows turn rules of a newer version of the app.")
        state.rotation = Rotation(
            [p.id for p in state.participants],
            starter,
            second_chance=state.second_chance,
            rules=rules,
        )
        state.started_at = at
        state.phase_index = 0
        state.phases[0].started_at = at
        state.status = "running"
    elif kind == "next":
        may_move_floor(state, "move to the next speaker")
        _end_turn(state, at)
        _give_floor_to_next(state, at)
    elif kind == "pass":
        may_move_floor(state, "record a pass")
        turn = state.current_turn
        if turn is None:
            raise IllegalAction("No one has the floor, so no one can pass.")
        turn.passed = True
        turn.ended_at = at
        assert state.rotation is not None
        state.rotation.record_pass(turn.participant_id, turn.second_chance, state.in_room_ids())
        if state.next_up() is not None:
            _give_floor_to_next(state, at)
    elif kind == "pick":
        may_move_floor(state, "give someone the floor")
        pid = data["participant_id"]
        person = state.participant(pid)
        if not person.in_room:
            raise IllegalAction(f"{state.known_as(person)} is not in the room.")
        current = state.current_turn
        if current is not None and current.participant_id == pid:
            raise IllegalAction(f"{state.known_as(person)} already has the floor.")
        _end_turn(state, at)
        assert state.rotation is not None
        state.rotation.record_pick(pid)
        _start_turn(state, pid, at, picked=True)
    elif kind == "phase":
        _need(state, "running", action="move to the next phase")
        if state.phase_index >= len(state.phases) - 1:
            raise IllegalAction("This is the last phase. End the session when you are ready.")
        _end_turn(state, at)
        state.phases[state.phase_index].ended_at = at
        state.phase_index += 1
        state.phases[state.phase_index].started_at = at
        assert state.rotation is not None
        state.rotation.new_round()
    elif kind == "paused":
        _need(state, "running", action="pause")
        state.pauses.append([at, None])
        state.status = "paused"
    elif kind == "resumed":
        _need(state, "paused", action="resume")
        _close_open(state.pauses, at)
        state.status = "running"
    elif kind == "space_started":
        _need(state, "running", action="start a space")
        if state.space_active:
            raise IllegalAction("A space is already running.")
        state.spaces.append([at, None])
    elif kind == "space_ended":
        _need(state, "running", "paused", action="end the space")
        if not state.space_active:
            raise IllegalAction("No space is running.")
        _close_open(state.spaces, at)
    elif kind == "card_shown":
        _need(state, "checked_in", "running", "paused", action="show a card")
        state.cards.append(CardShown(str(data["card_id"]), max(state.phase_index, 0), at))
    elif kind == "arrived":
        _need(state, "running", "paused", action="record a late arrival")
        person = state.participant(data["participant_id"])
        if person.attendance != "absent":
            raise IllegalAction(f"{state.known_as(person)} is not marked absent.")
        person.attendance = "late"
        person.arrived_at = at
    elif kind == "left":
        _need(state, "running", "paused", action="record someone leaving")
        person = state.participant(data["participant_id"])
        if not person.in_room:
            raise IllegalAction(f"{state.known_as(person)} is not in the room.")
        current = state.current_turn
        if current is not None and current.participant_id == person.id:
            _end_turn(state, at)
        person.attendance = "late_left_early" if person.attendance == "late" else "left_early"
        person.left_at = at
    elif kind == "returned":
        # Back in the room after leaving (or recorded as leaving by mistake): in the rotation
        # again at their seat, as they were before.
        _need(state, "running", "paused", action="record someone coming back")
        person = state.participant(data["participant_id"])
        if person.attendance not in GONE:
            raise IllegalAction(f"{state.known_as(person)} has not left.")
        person.attendance = "late" if person.attendance == "late_left_early" else "present"
        person.left_at = None
    elif kind == "arrival_withdrawn":
        # A late arrival recorded for the wrong person: absent again, as if never recorded,
        # while nothing rests on it yet (once they have had the floor, the arrival stands).
        _need(state, "running", "paused", action="take back a late arrival")
        person = state.participant(data["participant_id"])
        if person.attendance != "late":
            raise IllegalAction(f"{state.known_as(person)} is not recorded as arriving late.")
        if any(turn.participant_id == person.id for turn in state.turns):
            raise IllegalAction(f"{state.known_as(person)} has had the floor since arriving.")
        person.attendance = "absent"
        person.arrived_at = None
    elif kind == "ended":
        _need(state, "running", "paused", action="end the session")
        _finish_live(state, at)
        state.status = "closing"
    elif kind == "way_forward":
        _need(state, "closing", action="record the way forward")
        if data["value"] not in WAY_FORWARD:
            raise IllegalAction("The way forward is yes, partly or not yet.")
        state.way_forward = data["value"]
    elif kind == "pulse":
        _need(state, "closing", action="record the closing pulse")
        if data["moment"] != "end":
            raise IllegalAction("Only the closing pulse is recorded at the close.")
        state.pulse_end = _int_in(data["value"], 1, 10, "The tension pulse")
    elif kind == "rating":
        _need(state, "closing", action="record a rating")
        if len(state.ratings) >= len(state.attended()):
            raise IllegalAction("Every participant who attended has already been rated.")
        values = {
            name: None if data.get(name) is None else _int_in(data[name], 1, 5, "A rating")
            for name in RATING_FIELDS
        }
        state.ratings.append(Rating(**values))
    elif kind == "completed":
        _need(state, "closing", action="complete the session")
        state.completed_at = at
        state.status = "completed"
    elif kind == "abandoned":
        _need(state, "draft", "checked_in", "running", "paused", "closing", action="abandon")
        if data["reason"] not in ABANDON_REASONS:
            raise IllegalAction("Choose one of the listed reasons for ending the session.")
        if state.status in LIVE:
            # ``ended_at``: the meeting's record ends earlier than the decision, at the last
            # moment recorded (a session not resumed after the app stopped: what went on
            # after that was never recorded, and must not count as talk or meeting time).
            end = _time(data.get("ended_at"), "The end of the meeting") or at
            if end > at or (state.updated_at is not None and end < state.updated_at):
                raise IllegalAction(
                    "The meeting cannot end before its last recorded moment, or later than now."
                )
            _finish_live(state, end)
        state.abandoned_at = at
        state.abandoned_reason = data["reason"]
        state.status = "abandoned"
    elif kind == "imported":
        raise IllegalAction("An imported session's record can only be its first event.")
    elif kind == "names_removed":
        _need(state, "completed", "abandoned", action="remove names")
        for person in state.participants:
            person.name = None
        state.names_removed = True
    else:  # pragma: no cover - Event() already rejects unknown kinds
        raise IllegalAction(f"Unknown action {kind!r}.")


def _finish_live(state: SessionState, at: datetime) -> None:
    _end_turn(state, at)
    _close_open(state.pauses, at)
    _close_open(state.spaces, at)
    phase = state.phase
    if phase is not None:
        phase.ended_at = at
    state.ended_at = at


# --- sessions recorded on another machine -------------------------------------------------

IMPORT_FORMAT_VERSION = 1

# The fields of one session in export format v1 (docs/export-format.md) that an import needs.
EXPORT_FIELDS = (
    "id", "kind", "reference", "purpose", "venue", "scheduled_for", "status", "demo",
    "planned_minutes", "template_id", "second_chance", "created_at", "started_at", "ended_at",
    "completed_at", "abandoned_reason", "way_forward", "pulse", "participants", "phases",
    "turns", "cards_shown", "ratings", "pauses", "spaces",
)  # fmt: skip
_PARTICIPANT_FIELDS = ("id", "seat", "name", "agency", "role", "attendance")
_PHASE_FIELDS = ("index", "name", "planned_minutes", "turn_seconds", "started_at", "ended_at")
_TURN_FIELDS = ("participant_id", "phase", "round", "started_at", "ended_at", "passed")
_ATTENDANCE = ("expected", "present", "absent", "late", "left_early", "late_left_early")


def _fields(obj: Any, names: Sequence[str], what: str) -> Mapping[str, Any]:
    if not isinstance(obj, Mapping):
        raise IllegalAction(f"{what} is not an object.")
    missing = [name for name in names if name not in obj]
    if missing:
        raise IllegalAction(f"{what} is missing {', '.join(missing)}.")
    return obj


QUOTED_MAX = 40  # characters of a value a message repeats (a file's field may be megabytes)


def quoted(value: Any, form: Callable[[Any], str] = repr) -> str:
    """``value`` as a message quotes it: ``form(value)`` (its repr unless told), cut to about
    40 characters with "…" (a value may be megabytes long, and a message box would hang)."""
    return cut(form(value[: QUOTED_MAX + 1] if isinstance(value, str) else value), QUOTED_MAX)


def cut(text: str, most: int) -> str:
    """``text`` at most ``most`` characters long, ending "…" when it was cut."""
    return text if len(text) <= most else text[: most - 1] + "…"


def _time(value: Any, what: str, *, required: bool = False) -> datetime | None:
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise IllegalAction(f"{what} is not a time.")
    try:
        moment = parse_timestamp(value)
    except ValueError:
        raise IllegalAction(f"{what} is not a time: {quoted(value)}.") from None
    return moment


def _text(value: Any, what: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise IllegalAction(f"{what} is not text.")
    return value


def _choice(value: Any, choices: Iterable[Any], what: str) -> Any:
    if value not in choices:
        raise IllegalAction(f"{what} has an unknown value {quoted(value)}.")
    return value


def _int_or_none(value: Any, low: int, high: int, what: str) -> int | None:
    return None if value is None else _int_in(value, low, high, what)


def state_from_export(session: Mapping[str, Any]) -> SessionState:
    """The state of a finished session recorded on another machine, from its export (v1).

    Pure and strict: anything missing or out of range raises :class:`IllegalAction` naming
    the field. Figures the export repeats (talk time, planned minutes) are recomputed from
    the times by whoever writes the derived rows, so a file that does not add up is caught.
    """
    s = _fields(session, EXPORT_FIELDS, "The session")
    status = _choice(s["status"], FINISHED, "The status (only finished sessions are imported)")
    state = SessionState(
        id=_text(s["id"], "The id") or "",
        demo=bool(s["demo"]),
        created_at=_time(s["created_at"], "created_at", required=True),  # type: ignore[arg-type]
        kind=_choice(s["kind"], SESSION_KINDS, "The kind"),
        reference=_text(s["reference"], "The reference") or "",
        purpose=_text(s["purpose"], "The purpose") or "",
        venue=_text(s["venue"], "The venue") or "",
        scheduled_for=_text(s["scheduled_for"], "scheduled_for", optional=True),
        template_id=_text(s["template_id"], "template_id", optional=True),
        second_chance=bool(s["second_chance"]),
        status=status,
    )
    if not state.id:
        raise IllegalAction("The session has an empty id.")
    for name in ("checked_in_at", "started_at", "ended_at", "completed_at", "abandoned_at"):
        setattr(state, name, _time(s.get(name), name))
    if status == "abandoned":
        state.abandoned_reason = _choice(s["abandoned_reason"], ABANDON_REASONS, "The reason")
    state.way_forward = (
        None if s["way_forward"] is None else _choice(s["way_forward"], WAY_FORWARD, "way_forward")
    )
    pulse = _fields(s["pulse"], ("start", "end"), "The pulse")
    state.pulse_start = _int_or_none(pulse["start"], 1, 10, "The tension pulse")
    state.pulse_end = _int_or_none(pulse["end"], 1, 10, "The tension pulse")
    if not isinstance(s["participants"], list) or not isinstance(s["phases"], list):
        raise IllegalAction("The participants and phases must be lists.")
    for n, raw in enumerate(s["participants"], start=1):
        p = _fields(raw, _PARTICIPANT_FIELDS, f"Participant {n}")
        state.participants.append(
            Participant(
                _text(p["id"], f"Participant {n}'s id") or "",
                _int_in(p["seat"], 1, MAX_PARTICIPANTS, f"Participant {n}'s seat"),
                _text(p["name"], f"Participant {n}'s name", optional=True),
                _text(p["agency"], f"Participant {n}'s agency") or "",
                _text(p["role"], f"Participant {n}'s role") or "",
                _choice(p["attendance"], _ATTENDANCE, f"Participant {n}'s attendance"),
                _time(p.get("arrived_at"), f"Participant {n}'s arrived_at"),
                _time(p.get("left_at"), f"Participant {n}'s left_at"),
            )
        )
    ids = [p.id for p in state.participants]
    if len(set(ids)) != len(ids) or not MIN_PARTICIPANTS <= len(ids) <= MAX_PARTICIPANTS:
        raise IllegalAction(
            f"A session needs {MIN_PARTICIPANTS} to {MAX_PARTICIPANTS} participants "
            "with different ids."
        )
    state.participants.sort(key=lambda p: p.seat)
    for n, raw in enumerate(s["phases"]):
        ph = _fields(raw, _PHASE_FIELDS, f"Phase {n + 1}")
        if ph["index"] != n:
            raise IllegalAction(f"Phase {n + 1} has index {quoted(ph['index'])}, expected {n}.")
        state.phases.append(
            PhaseState(
                n,
                _text(ph["name"], f"Phase {n + 1}'s name") or "",
                _int_in(ph["planned_minutes"], 1, 120, "Minutes"),
                _int_in(ph["turn_seconds"], 15, 1800, "Turn allowance (seconds)"),
                _text(ph.get("opening_card"), f"Phase {n + 1}'s card", optional=True),
                _time(ph["started_at"], f"Phase {n + 1}'s started_at"),
                _time(ph["ended_at"], f"Phase {n + 1}'s ended_at"),
            )
        )
    if not 1 <= len(state.phases) <= MAX_PHASES:
        raise IllegalAction(f"An agenda needs 1 to {MAX_PHASES} phases.")
    started = [p.index for p in state.phases if p.started_at is not None]
    state.phase_index = started[-1] if started else -1
    known = set(ids)
    for n, raw in enumerate(_list(s["turns"], "turns"), start=1):
        t = _fields(raw, _TURN_FIELDS, f"Turn {n}")
        if t["participant_id"] not in known:
            raise IllegalAction(f"Turn {n} names someone who is not in the session.")
        state.turns.append(
            Turn(
                t["participant_id"],
                _int_in(t["phase"], 0, len(state.phases) - 1, f"Turn {n}'s phase"),
                _int_in(t["round"], 1, 1_000_000, f"Turn {n}'s round"),
                _time(t["started_at"], f"Turn {n}'s started_at", required=True),  # type: ignore[arg-type]
                _time(t["ended_at"], f"Turn {n}'s ended_at"),
                bool(t["passed"]),
                bool(t.get("picked", False)),
                bool(t.get("second_chance", False)),
            )
        )
    for n, raw in enumerate(_list(s["cards_shown"], "cards_shown"), start=1):
        c = _fields(raw, ("card_id", "phase", "shown_at"), f"Card {n}")
        state.cards.append(
            CardShown(
                _text(c["card_id"], f"Card {n}'s id") or "",
                _int_in(c["phase"], 0, MAX_PHASES, f"Card {n}'s phase"),
                _time(c["shown_at"], f"Card {n}'s shown_at", required=True),  # type: ignore[arg-type]
            )
        )
    if len(_list(s["ratings"], "ratings")) > len(state.attended()):
        raise IllegalAction("There are more ratings than people who attended.")
    for n, raw in enumerate(s["ratings"], start=1):
        r = _fields(raw, RATING_FIELDS, f"Rating {n}")
        state.ratings.append(
            Rating(**{k: _int_or_none(r[k], 1, 5, f"Rating {n}") for k in RATING_FIELDS})
        )
    for name in ("pauses", "spaces"):
        spans = getattr(state, name)
        for n, raw in enumerate(_list(s[name], name), start=1):
            span = _fields(raw, ("started_at", "ended_at"), f"{name.capitalize()[:-1]} {n}")
            what = f"{name[:-1]} {n}"
            spans.append(
                [
                    _time(span["started_at"], f"{what}'s started_at", required=True),
                    _time(span["ended_at"], f"{what}'s ended_at"),
                ]
            )
    state.names_removed = all(p.name is None for p in state.participants)
    return state


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise IllegalAction(f"The session's {what} must be a list.")
    return value


def _replay(events: Iterable[tuple[Event, datetime]]) -> SessionState:
    state: SessionState | None = None
    for event, at in events:
        if state is None:
            if event.kind == "imported":
                if event.data["format_version"] != IMPORT_FORMAT_VERSION:
                    raise IllegalAction(
                        "This record was imported in a format this version cannot read."
                    )
                state = state_from_export(event.data["session"])
            elif event.kind != "created":
                raise IllegalAction("A session's log must begin with its creation.")
            else:
                state = SessionState(
                    id=str(event.data["session_id"]), demo=bool(event.data["demo"]), created_at=at
                )
        elif event.kind == "created":
            raise IllegalAction("This session has already been created.")
        else:
            _apply(state, event, at)
        state.updated_at = at
    if state is None:
        raise IllegalAction("A session needs at least its creation event.")
    return state


class Reducer:
    """Folds events into a state one at a time; ``clone`` makes a cheap trial copy.

    Undo and redo rebuild the state from the events still in force. Event times are made
    non-decreasing first: a wall clock that jumps back is held at the last recorded time.
    """

    def __init__(self) -> None:
        self.state: SessionState | None = None
        self.effective: list[tuple[Event, datetime] | None] = []
        self.done: list[int] = []  # positions in ``effective`` of undoable events in force
        self.undone: list[tuple[int, tuple[Event, datetime]]] = []
        self.latest: datetime | None = None

    def clone(self) -> Reducer:
        other = Reducer()
        other.state = self.state.clone() if self.state is not None else None
        other.effective = list(self.effective)
        other.done = list(self.done)
        other.undone = list(self.undone)
        other.latest = self.latest
        return other

    def feed(self, event: Event) -> SessionState:
        """Apply one event (mutating this reducer); raises IllegalAction if not allowed."""
        at = event.at if self.latest is None or event.at > self.latest else self.latest
        state = self.state
        if event.kind in ("undo", "redo"):
            if state is None or state.status not in LIVE:
                raise IllegalAction(f"Nothing to {event.kind} now.")
            steps = _int_in(event.data.get("steps", 1), 1, 10_000, "Steps")
            if len(self.done if event.kind == "undo" else self.undone) < steps:
                raise IllegalAction(f"Nothing more to {event.kind}.")
            for _ in range(steps):
                if event.kind == "undo":
                    index = self.done.pop()
                    entry = self.effective[index]
                    assert entry is not None
                    self.undone.append((index, entry))
                    self.effective[index] = None
                else:
                    index, entry = self.undone.pop()
                    self.effective[index] = entry
                    self.done.append(index)
            state = _replay(e for e in self.effective if e is not None)
        elif state is None:
            state = _replay([(event, at)])
        else:
            _apply(state, event, at)
        if event.kind not in ("undo", "redo"):
            self.effective.append((event, at))
            if event.kind in UNDOABLE:
                self.done.append(len(self.effective) - 1)
            if event.kind in ENDS_REDO:
                self.undone.clear()
        state.updated_at = at
        state.undo_depth = len(self.done)
        state.redo_depth = len(self.undone)
        self.state = state
        self.latest = at
        return state


def reduce(events: Sequence[Event]) -> SessionState:
    """The state of a session after ``events``, in order. Raises IllegalAction on a bad log."""
    reducer = Reducer()
    for event in events:
        reducer.feed(event)
    if reducer.state is None:
        raise IllegalAction("A session needs at least its creation event.")
    return reducer.state
