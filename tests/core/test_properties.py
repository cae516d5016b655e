"""Hypothesis properties of the session engine: equal voice, honest clocks, safe undo."""

from __future__ import annotations

import copy
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rethink_desktop.core.clock import FakeClock
from rethink_desktop.core.metrics import balance_index, tally_people
from rethink_desktop.core.session import Session
from rethink_desktop.core.state import GONE, reduce
from tests.helpers import prepared

LIVE_ACTIONS = (
    "next",
    "pass",
    "pick",
    "undo",
    "redo",
    "phase",
    "paused",
    "resumed",
    "space_started",
    "space_ended",
    "card_shown",
    "arrived",
    "left",
    "returned",
    "arrival_withdrawn",
)

steps = st.lists(
    st.tuples(
        st.sampled_from(LIVE_ACTIONS),
        st.integers(min_value=0, max_value=50),
        st.floats(min_value=0, max_value=400, allow_nan=False),
    ),
    max_size=60,
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def start(n: int, absent: int, second_chance: bool) -> tuple[Session, FakeClock]:
    clock = FakeClock()
    s = prepared(n, clock, second_chance=second_chance)
    ids = [p.id for p in s.state.participants]
    present = ids[: max(2, n - absent)]
    s.check_in(present, pulse=5)
    s.start()
    return s, clock


def perform(s: Session, action: str, pick: int) -> bool:
    """Do ``action`` if the rules allow it now; return whether it was done."""
    state = s.state
    if action not in state.allowed():
        return False
    if action in ("pick", "arrived", "left", "returned", "arrival_withdrawn"):
        current = state.current_turn.participant_id if state.current_turn else None
        if action == "pick":
            choices = [p.id for p in state.participants if p.in_room and p.id != current]
        elif action == "arrived":
            choices = [p.id for p in state.participants if p.attendance == "absent"]
        elif action == "returned":
            choices = [p.id for p in state.participants if p.attendance in GONE]
        elif action == "arrival_withdrawn":
            spoke = {t.participant_id for t in state.turns}
            late = [p.id for p in state.participants if p.attendance == "late"]
            choices = [pid for pid in late if pid not in spoke]
        else:
            choices = [p.id for p in state.participants if p.in_room]
            if len(choices) <= 1:
                return False
        if not choices:
            return False
        s.dispatch(action, participant_id=choices[pick % len(choices)])
    elif action == "card_shown":
        s.dispatch(action, card_id=f"card-{pick}")
    else:
        s.dispatch(action)
    return True


@SETTINGS
@given(st.integers(2, 9), st.integers(0, 3), st.booleans(), steps)
def test_no_sequence_of_valid_actions_raises_and_talk_fits_in_running_time(
    n, absent, second_chance, script
):
    s, clock = start(n, absent, second_chance)
    for action, pick, dt in script:
        clock.advance(dt)
        previous = s.state
        snapshot = copy.deepcopy(previous)
        perform(s, action, pick)
        assert previous == snapshot  # an action never changes an earlier state object
        now = s.now()
        state = s.state
        talk = sum(state.turn_seconds(t, now) for t in state.turns)
        assert talk <= state.elapsed(now) + 1e-6
        assert state.elapsed(now) >= 0
        people = tally_people(state, now)
        index = balance_index([row.seconds for row in people])
        assert index is None or 0.0 <= index <= 1.0
        # the tallies (computed inline for speed) agree with each turn's own talk time
        attended = {row.key for row in people}
        spoken = sum(
            state.turn_seconds(t, now)
            for t in state.turns
            if not t.passed and t.participant_id in attended
        )
        assert sum(row.seconds for row in people) == pytest.approx(spoken, abs=1e-6)
    # the log alone rebuilds exactly this state (resume after a crash)
    assert reduce(s.events) == s.state
    s.end()
    assert s.state.status == "closing"


@SETTINGS
@given(
    st.integers(2, 9),
    st.booleans(),
    st.lists(st.sampled_from(["next", "pass"]), min_size=1, max_size=80),
)
def test_every_present_person_is_offered_exactly_one_turn_per_round(n, second_chance, script):
    s, _ = start(n, 0, second_chance)
    for action in script:
        perform(s, action, 0)
    turns = s.state.turns
    last_round = turns[-1].round if turns else 1
    for rnd in range(1, last_round):  # every finished round
        offered = Counter(t.participant_id for t in turns if t.round == rnd and not t.second_chance)
        assert set(offered) == {p.id for p in s.state.participants}
        assert set(offered.values()) == {1}


@SETTINGS
@given(st.integers(2, 8), steps, st.integers(1, 5))
def test_undo_then_redo_returns_the_same_state(n, script, k):
    s, clock = start(n, 0, True)
    for action, pick, dt in script:
        if action in ("undo", "redo"):
            continue
        clock.advance(dt)
        perform(s, action, pick)
    depth = min(k, s.state.undo_depth)
    if depth == 0:
        return
    before = s.state
    clock.advance(5)
    s.undo(depth)
    clock.advance(5)
    s.redo(depth)
    assert s.state == before


# Mostly the rotation's own keys, so rounds with passes and second chances come often.
rotation_steps = st.lists(
    st.tuples(
        st.sampled_from(("next", "next", "next", "pass", "pass", "pick", "left", "returned")),
        st.integers(min_value=0, max_value=50),
        st.floats(min_value=0, max_value=400, allow_nan=False),
    ),
    max_size=40,
)


@SETTINGS
@given(st.integers(2, 6), st.integers(0, 1), st.booleans(), rotation_steps)
def test_next_on_the_screen_is_who_space_gives_the_floor_to(n, absent, second_chance, script):
    """The live screen's "Next:" line (``next_up``) names the person Space will give the
    floor to, second chance or not (under rules 3 it named the next round's first while a
    passer's second chance was due once the running turn ended)."""
    s, clock = start(n, absent, second_chance)
    for action, pick, dt in script:
        clock.advance(dt)
        perform(s, action, pick)
        state = s.state
        if "next" not in state.allowed():
            continue
        upcoming = state.next_up()
        after = s.next_turn()
        turn = after.current_turn
        assert upcoming is not None
        assert turn is not None
        assert (turn.participant_id, turn.second_chance) == (upcoming[0].id, upcoming[1])
        s.undo()
