"""The bridge between the windows and a Session: actions in, durable state out, a calm tick.

Every action goes through :meth:`SessionController.act`: the Session writes the event to the
store (committed) and only then does ``changed`` fire, so the screen never shows something
that is not on disk. A refused action becomes a short ``notice``; a storage failure becomes
``storage_failed`` with the plain message, and the state stays as it was (``read_failed``
when a session's record could not be read).
"""

from __future__ import annotations

import logging
import math
import sqlite3
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from rethink_desktop.core.cards import Card, Deck
from rethink_desktop.core.clock import Clock, ScaledClock, ms_to_next_second
from rethink_desktop.core.events import EventError
from rethink_desktop.core.session import IllegalAction, Session
from rethink_desktop.core.state import FINISHED, LIVE, SessionState
from rethink_desktop.storage import demo_clock
from rethink_desktop.storage.database import StorageError, checkpoint, transaction
from rethink_desktop.storage.eventlog import EventStore

log = logging.getLogger(__name__)

# How often, in real time, a demo meeting's fast clock is noted (storage.demo_clock): what a
# kill can cost is this times the speed (12 meeting seconds at ×120), for ten small writes a
# second.
# A fast demo ticks every 40 to 50 real ms: a note every other tick, about ten a second.
DEMO_NOTE_EVERY = timedelta(milliseconds=55)
_FASTEST_TICK_MS = 40  # a demo run fast is redrawn at most 25 times a real second

UNREADABLE = (IllegalAction, EventError, ValueError, sqlite3.Error)
"""What reading a session's log raises when this build cannot read it (a newer app's event,
damage): that session is left as it is and the others carry on."""


def step_words(verb: str, before: SessionState, after: SessionState) -> str:
    """What an undo or redo changed, in a line for the facilitator (nothing is silent)."""
    done = "Undone" if verb == "undo" else "Redone"
    if after.phase is not None and after.phase_index != before.phase_index:
        way = "back to" if before.phase_index > after.phase_index else "on to"
        return f"{done}: {way} phase {after.phase.index + 1}, {after.phase.name}."
    speaker, earlier = after.current_speaker, before.current_speaker
    if speaker is not None and (earlier is None or earlier.id != speaker.id):
        again = " again" if verb == "undo" else ""  # an undo gives back; a redo moves on
        return f"{done}: {after.known_as(speaker)} has the floor{again}."
    if speaker is None and earlier is not None:
        return f"{done}: no one has the floor."
    if len(after.turns) != len(before.turns):
        # A turn came or went with no one holding the floor either side: it ended when its
        # speaker left (L), and Ctrl+Z took back the step that gave them the floor.
        longer = before if len(before.turns) > len(after.turns) else after
        person = longer.participant(longer.turns[-1].participant_id)
        name = after.known_as(person)
        line = (
            f"{done}: {name}'s turn is taken back; no one has the floor."
            if longer is before
            else f"{done}: {name}'s turn is back."
        )
        if not after.participant(person.id).in_room:
            line += f" {name} is still recorded as gone (A brings them back)."
        return line
    return f"{done}: the last step."


class SessionController(QObject):
    """Owns the open session, the card position and the room display's switches."""

    changed = Signal()  # the session state changed (already durable)
    ticked = Signal()  # a whole second passed on the meeting clock
    notice = Signal(str)  # a refused action, or what an undo did, in plain words
    storage_failed = Signal(str)  # the store could not save; nothing changed
    read_failed = Signal(str)  # a session's record could not be read; nothing changed
    display_changed = Signal()  # card shown/hidden or blanked on the room display

    def __init__(
        self,
        store: EventStore,
        clock: Clock,
        deck: Deck,
        *,
        demo: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.clock = clock
        self.deck = deck
        self.demo = demo
        self.session: Session | None = None
        self._clock_noted: datetime | None = None  # the real moment of the demo clock's note
        self.card_index = 0
        self.card_on_display = True
        self.display_blanked = False
        self.display_open = False  # a room display window is showing (whichever session)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        # A coarse timer may fire up to 5 % early: just before the second it aims at, and so
        # a second, near-immediate tick. A precise one lands after it, once a second.
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_tick)

    # --- opening sessions -----------------------------------------------------------------
    def new_session(self) -> Session | None:
        self.card_on_display = True
        self.display_blanked = False
        self._forget_catch_up()
        self._discard_if_never_saved()  # New session again, before saving the last one
        try:
            self.session = self.store.new_session(self.clock, demo=self.demo)
        except StorageError as exc:
            self.storage_failed.emit(exc.message)
            return None
        self._after_open()
        return self.session

    def open_session(self, session_id: str) -> Session | None:
        try:
            self.session = self.store.session(session_id, self.clock)
        except StorageError as exc:
            self.read_failed.emit(exc.message)
            return None
        except UNREADABLE as exc:
            # A log this build cannot read (a newer app's event, damage): say so, carry on.
            log.error("session %s could not be read: %s", session_id, type(exc).__name__)
            self.read_failed.emit(
                "This session's record could not be read by this version of Re-Think "
                "Desktop. It has been left exactly as it is. Other sessions are not affected."
            )
            return None
        if isinstance(self.clock, ScaledClock) and self.session.events:
            # A demo reopened after a restart: its recorded times ran ahead of the new clock;
            # a meeting under way also ran on after its last event (storage.demo_clock).
            self.clock.forget_catch_up()  # only this session's times count
            self.clock.catch_up(max(e.at for e in self.session.events))
            if self.session.state.status in LIVE:
                ran_on = demo_clock.load(demo_clock.clock_file(self.store.path), session_id)
                if ran_on is not None:
                    self.clock.catch_up_with(ran_on)
        self._after_open()
        return self.session

    def close_session(self) -> None:
        self._discard_if_never_saved()
        self.session = None
        # The room display starts the next session showing its card, not blank.
        self.card_on_display = True
        self.display_blanked = False
        self._forget_catch_up()
        self._timer.stop()
        self.changed.emit()

    @property
    def never_saved(self) -> bool:
        """The open session is a new one left before it was ever saved: its log holds only
        the moment it was made."""
        events = self.session.events if self.session is not None else ()
        return len(events) == 1 and events[0].kind == "created"

    def _discard_if_never_saved(self) -> None:
        """New session, then Back (or Home, or the records): nothing was saved, so nothing is
        kept. Each visit left an empty "(no reference yet)" under Prepared and in the history."""
        if self.session is None or not self.never_saved:
            return
        from rethink_desktop.storage.retention import delete_session

        try:
            delete_session(self.store, self.session.id)
        except StorageError as exc:  # left as an empty draft: the facilitator can delete it
            log.warning("an unsaved new session could not be removed: %s", exc.message)

    def _forget_catch_up(self) -> None:
        if isinstance(self.clock, ScaledClock):
            self.clock.forget_catch_up()

    def _after_open(self) -> None:
        assert self.session is not None
        self._clock_noted = None
        self._note_demo_clock()
        cards = self.session.state.cards
        if cards and cards[-1].card_id in self.deck:
            self.card_index = self.deck.index_of(cards[-1].card_id)
        self.changed.emit()
        self._schedule_tick()

    # --- state and time -------------------------------------------------------------------
    @property
    def state(self) -> SessionState | None:
        return self.session.state if self.session else None

    def now(self) -> datetime:
        return self.session.now() if self.session else self.clock.now()

    def _schedule_tick(self) -> None:
        state = self.state
        if state is None or state.status not in ("running", "paused", "checked_in"):
            self._timer.stop()
            return
        if state.status != "running":
            # The meeting clock stands still (paused, or not started): nothing moves on the
            # second, and aiming at the next one would re-arm the timer every millisecond.
            self._timer.start(1000)
            return
        # Land just after the next whole second of the meeting clock, so the display
        # changes on the second and never drifts (a scaled demo clock ticks faster).
        elapsed = state.elapsed(self.now())
        speed = getattr(self.clock, "speed", 1.0)
        wait, second = ms_to_next_second(elapsed) / speed, 1000 / speed  # real ms
        if second < _FASTEST_TICK_MS and wait < _FASTEST_TICK_MS:
            # A demo faster than ×25 moves on a few seconds at a time (×120 redrew 120
            # times a real second); at any other speed each second is shown.
            wait += math.ceil((_FASTEST_TICK_MS - wait) / second) * second
        # Rounded up: rounded down, a fast demo ticked just before the second changed, and
        # then again just after it (the laptop and the wall a second apart meanwhile).
        self._timer.start(max(1, math.ceil(wait)))

    def _on_tick(self) -> None:
        self._note_demo_clock()
        self.ticked.emit()
        self._schedule_tick()

    def _note_demo_clock(self) -> None:
        """A demo meeting under way notes where its clock is, on each tick but at most about
        ten times a real second (a tick at ×120 comes every 40-50 ms), so a restart goes on from
        there (storage.demo_clock). Once a real second lost up to two meeting minutes at
        ×120: killed and reopened, the clock stood half a minute back from where it was."""
        state = self.state
        if not isinstance(self.clock, ScaledClock) or state is None or state.status not in LIVE:
            return
        reading = self.clock.reading()
        if self._clock_noted is not None and reading[0] - self._clock_noted < DEMO_NOTE_EVERY:
            return
        self._clock_noted = reading[0]
        assert self.session is not None
        demo_clock.save(demo_clock.clock_file(self.store.path), self.session.id, reading)

    # --- actions --------------------------------------------------------------------------
    def act(self, verb: str, *args: Any, **kwargs: Any) -> bool:
        """Call ``Session.<verb>``; True if it was recorded."""
        if self.session is None:
            return False
        try:
            getattr(self.session, verb)(*args, **kwargs)
        except (IllegalAction, StorageError) as exc:
            self._refused(verb, exc)
            return False
        return self._recorded()

    def _refused(self, verb: str, exc: BaseException) -> bool:
        """Say why ``verb`` was not recorded: a refusal as a notice, a storage failure as
        ``storage_failed``. False for anything else (a bug, for the caller to raise)."""
        if isinstance(exc, IllegalAction):
            self.notice.emit(str(exc))
        elif isinstance(exc, StorageError):
            log.error("could not save %s: %s", verb, type(exc).__name__)
            self.storage_failed.emit(exc.message)
        else:
            return False
        return True

    def _recorded(self) -> bool:
        """After an action was recorded: the screens follow, the clock ticks on."""
        self.changed.emit()
        self._schedule_tick()
        return True

    def start(self, starter: str | None = None, seed: int | None = None) -> bool:
        """Close the doors: start the clock and show the first phase's opening card."""
        if not self.act("start", starter=starter, seed=seed):
            return False
        self._show_opening_card()
        return True

    def next_phase(self) -> bool:
        if not self.act("next_phase"):
            return False
        self._show_opening_card()
        return True

    def undo(self) -> bool:
        return self._step("undo")

    def redo(self) -> bool:
        return self._step("redo")

    def _step(self, verb: str) -> bool:
        """Undo or redo; if that moved the phase, the card goes back with it: a card shown
        is not undone itself (it is what the room saw), so N pressed by mistake and undone
        would otherwise leave the next phase's card up."""
        before = self.state
        if before is None or not self.act(verb):
            return False
        state = self.state
        if state is None:
            return True
        if state.phase is not None and state.phase_index != before.phase_index:
            # Back: the card last shown in that phase (before the undone change, the cards
            # still say which phase each was shown in); forward: its opening card, as N shows.
            earlier = [c.card_id for c in before.cards if c.phase == state.phase_index]
            going_back = state.phase_index < before.phase_index
            card_id = earlier[-1] if going_back and earlier else state.phase.opening_card
            card = self.card
            if card_id and (card is None or card.id != card_id):
                self.show_card_id(card_id)
        # Said last: the card shown is an action of its own, which clears the message line
        # (an undone N said nothing).
        self.notice.emit(step_words(verb, before, state))
        return True

    def _show_opening_card(self) -> None:
        state = self.state
        phase = state.phase if state else None
        if phase is not None and phase.opening_card:
            self.show_card_id(phase.opening_card)

    def finish(self, verb: str, *args: Any, remove_names: bool) -> bool:
        """Complete or abandon (``verb``) and, with ``remove_names``, replace the names, in
        one transaction: whatever happens (a crash, a full disk), either both are recorded or
        neither, so a finished session never keeps names by accident."""
        session = self.session
        if session is None:
            return False
        before = list(session.events)
        try:
            with transaction(self.store.db):
                getattr(session, verb)(*args)
                if remove_names and not session.state.names_removed:
                    session.remove_names()
        except BaseException as exc:
            # Rolled back: go back to what the file holds (the log as it was before), in
            # memory and in the store's cache of written rows, whatever the failure was.
            self.store.forget(session.state.id)
            self.session = Session(before, self.clock, self.store.append)
            self.changed.emit()
            if not self._refused(verb, exc):
                raise  # a bug: logged by the excepthook, the records as they were
            return False
        self._keep_export_text(session.state.id)
        if session.state.names_removed:
            checkpoint(self.store.db)  # no copy of the names left in the write-ahead log
        return self._recorded()

    def _keep_export_text(self, session_id: str) -> None:
        """Keep a finished session's export text now, so that exports need not format it
        (reports/exports.py); if this fails the next export makes it, so it is only logged."""
        from rethink_desktop.reports.exports import keep_export_texts

        try:
            keep_export_texts(self.store.db, [session_id])
        except (StorageError, sqlite3.Error) as exc:
            log.warning("export text of a finished session not kept: %s", type(exc).__name__)

    def remove_names_of(self, session_ids: list[str]) -> int:
        """Remove the names of finished sessions, in one transaction and one WAL checkpoint
        (the start-up sweep: after a crash between completion and the removal in an older
        build, or once keep_names is turned off). The open one (the close's last step, just
        completed) goes through this controller's own session, so what it shows follows.
        Returns how many."""
        open_id = self.session.id if self.session is not None else None
        count = 0
        if open_id in session_ids:
            count = int(self.remove_names())
            session_ids = [sid for sid in session_ids if sid != open_id]
        return count + self._remove_names_of(session_ids)

    def _remove_names_of(self, session_ids: list[str]) -> int:
        sessions = []
        for session_id in session_ids:
            try:
                session = self.store.session(session_id, self.clock)
            except StorageError as exc:
                self.read_failed.emit(exc.message)
                return 0
            except UNREADABLE as exc:
                # A log this build cannot read (a newer app's event, damage) is left exactly
                # as it is; the others still lose their names.
                log.error("session %s could not be read: %s", session_id, type(exc).__name__)
                continue
            if not session.state.names_removed:
                sessions.append(session)
        if not sessions:
            return 0
        try:
            with transaction(self.store.db):
                for session in sessions:
                    session.remove_names()
        except BaseException as exc:
            self.store.forget()
            # StorageError, or a refusal (IllegalAction, EventError: ValueErrors) that must
            # not stop the app from starting; anything else is a bug and goes on up.
            if not isinstance(exc, (StorageError, ValueError)):
                raise
            log.error("names of %d sessions not removed: %s", len(sessions), type(exc).__name__)
            if isinstance(exc, StorageError):
                self.storage_failed.emit(exc.message)
            return 0
        checkpoint(self.store.db)
        log.info("removed the names of %d finished sessions", len(sessions))
        return len(sessions)

    def remove_names(self) -> bool:
        """Replace names by agency and role, and leave no copy in the write-ahead log."""
        state = self.state
        if state is None:
            return False
        if state.names_removed:
            return True
        if not self.act("remove_names"):
            return False
        if self.state is not None and self.state.status in FINISHED:
            self._keep_export_text(self.state.id)  # the removal was its last event
        checkpoint(self.store.db)
        return True

    # --- cards and the room display -------------------------------------------------------
    @property
    def card(self) -> Card | None:
        cards = self.deck.cards
        return cards[self.card_index % len(cards)] if cards else None

    @property
    def space_on_wall(self) -> bool:
        """Whether the room display shows the space: one is running and not paused (a pause
        stops its clock too, and the wall says "Paused" rather than inviting thought)."""
        state = self.state
        return state is not None and state.space_active and state.status != "paused"

    @property
    def card_for_room(self) -> Card | None:
        """The card the room display shows: none while hidden (H), and never a facilitator's
        guide ("Steering away from blame" is a note for the facilitator, not the room)."""
        card = self.card
        if card is None or not self.card_on_display or card.kind == "guide":
            return None
        return card

    def show_card_at(self, index: int) -> bool:
        """Move to a card; during a session the change is recorded."""
        if not self.deck.cards:
            return False
        index %= len(self.deck.cards)
        card = self.deck.cards[index]
        state = self.state
        recordable = state is not None and "card_shown" in state.allowed()
        if recordable and not self.act("show_card", card.id):
            return False
        self.card_index = index
        self.display_changed.emit()
        return True

    def step_card(self, delta: int) -> bool:
        """Left/Right: the next card along that fits this meeting (``for_this_meeting``)."""
        count = len(self.deck.cards)
        index = self.card_index
        for _ in range(count):
            index = (index + delta) % count  # the loop never runs with no cards
            if self.for_this_meeting(self.deck.cards[index]):
                break
        return self.show_card_at(index)

    def for_this_meeting(self, card: Card) -> bool:
        """Every card but a welcome written for another kind of meeting: when this agenda
        opens with one of the deck's welcomes (opening prompts), the others ("Welcome after
        proceedings" in a family network meeting) are stepped over, so they never reach the
        wall by mistake. An agenda that names none (its own template, phases added by hand)
        keeps them all, or it could show no welcome at all."""
        state = self.state
        if state is None or card.kind != "prompt" or card.phase != "opening":
            return True
        named = {phase.opening_card for phase in state.phases}
        if card.id in named:
            return True
        return not any(
            other.id in named
            for other in self.deck
            if other.kind == "prompt" and other.phase == "opening"
        )

    def use_deck(self, deck: Deck) -> bool:
        """Take ``deck`` as the deck in use (File → Card deck); not during a live session,
        whose cards are being stepped through: False then, nothing changed."""
        state = self.state
        if state is not None and state.status in LIVE:
            return False
        self.deck, self.card_index = deck, 0
        self.display_changed.emit()
        return True

    def show_card_id(self, card_id: str) -> bool:
        if card_id not in self.deck:
            return False
        return self.show_card_at(self.deck.index_of(card_id))

    def toggle_card_on_display(self) -> None:
        self.card_on_display = not self.card_on_display
        self.display_changed.emit()

    def toggle_blank(self) -> None:
        self.display_blanked = not self.display_blanked
        self.display_changed.emit()

    def set_display_open(self, shown: bool) -> None:
        """The room display's window opened or closed: the live screen's line about the wall
        says what it will show once D opens it (it said "blank" with no wall to be blank)."""
        if shown != self.display_open:
            self.display_open = shown
            self.display_changed.emit()

    def restore_display(self, *, blanked: bool, card_shown: bool) -> None:
        """The room display as it was when the app stopped (a resumed session)."""
        self.display_blanked, self.card_on_display = blanked, card_shown
        self.display_changed.emit()  # the live screen says so too
