from datetime import timedelta

import pytest

from rethink_desktop.core.clock import FakeClock
from rethink_desktop.core.events import Event, EventError
from rethink_desktop.core.rotation import ROTATION_RULES
from rethink_desktop.core.session import IllegalAction, Session
from rethink_desktop.core.state import reduce
from tests.helpers import people, phases, prepared, running


def speaker(session):
    person = session.state.current_speaker
    return person.id if person else None


def test_lifecycle_from_draft_to_completed():
    clock = FakeClock()
    s = prepared(3, clock)
    assert s.state.status == "draft"
    s.check_in(["p1", "p2", "p3"], pulse=7)
    assert s.state.status == "checked_in"
    assert s.state.pulse_start == 7
    s.start()
    assert s.state.status == "running"
    clock.advance(60)
    s.end()
    assert s.state.status == "closing"
    s.record_way_forward("partly")
    s.record_closing_pulse(3)
    for _ in range(3):
        s.rate(communication=4, compassion=5, clarity=3, heard=None)
    with pytest.raises(IllegalAction, match="already been rated"):
        s.rate(communication=1)
    s.complete()
    assert s.state.status == "completed"
    assert s.state.way_forward == "partly"
    assert s.state.pulse_end == 3
    assert s.state.ratings[0].heard is None
    s.remove_names()
    assert all(p.name is None for p in s.state.participants)
    assert s.state.participants[0].label == "Education · Role 1"


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda s: s.start(), "Cannot start while the session is draft"),
        (lambda s: s.next_turn(), "Cannot move to the next speaker while the session is draft"),
        (lambda s: s.end(), "Cannot end the session while the session is draft"),
        (lambda s: s.complete(), "Cannot complete the session"),
    ],
)
def test_illegal_transitions_raise_and_change_nothing(action, message):
    s = prepared(3)
    before = s.state
    count = len(s.events)
    with pytest.raises(IllegalAction, match=message):
        action(s)
    assert s.state is before
    assert len(s.events) == count


def test_a_refusal_while_paused_names_the_way_out_only_when_resuming_is_it():
    s = running(3)
    s.toggle_pause()
    with pytest.raises(IllegalAction) as refused:
        s.next_phase()
    assert str(refused.value) == (
        "Cannot move to the next phase while the session is paused. Ctrl+P resumes."
    )
    with pytest.raises(IllegalAction) as refused:
        s.start()  # resuming would not make this possible
    assert str(refused.value) == "Cannot start while the session is paused."


def test_check_in_needs_two_present_and_known_people():
    s = prepared(3)
    with pytest.raises(IllegalAction, match="At least 2"):
        s.check_in(["p1"])
    with pytest.raises(IllegalAction, match="not in this session"):
        s.check_in(["p1", "nobody"])


def test_first_space_starts_the_starters_turn_and_rotation_goes_round():
    s = running(3, starter="p2")
    assert speaker(s) is None
    order = []
    for _ in range(6):
        s.next_turn()
        order.append(speaker(s))
    assert order == ["p2", "p3", "p1", "p2", "p3", "p1"]
    assert [t.round for t in s.state.turns] == [1, 1, 1, 2, 2, 2]


def test_random_start_with_a_seed_is_recorded_and_reproducible():
    a = running(5, starter=None)
    s = prepared(5)
    s.check_in([p.id for p in s.state.participants])
    s.start(seed=42)
    assert s.state.seed == 42
    replayed = reduce(s.events)
    assert replayed.starter_id == s.state.starter_id
    assert a.state.starter_id == "p1"  # no seed: the first seat starts


def test_pass_is_recorded_and_moves_on():
    clock = FakeClock()
    s = running(3, clock, second_chance=False)
    s.next_turn()
    clock.advance(5)
    s.pass_turn()
    first = s.state.turns[0]
    assert first.passed
    assert first.participant_id == "p1"
    assert speaker(s) == "p2"


def test_second_chance_for_those_who_passed():
    s = running(3)
    s.next_turn()  # p1
    s.pass_turn()  # p1 passes, p2 up
    s.next_turn()  # p3
    s.next_turn()  # end of round: p1's second chance
    assert speaker(s) == "p1"
    assert s.state.current_turn.second_chance
    s.next_turn()  # new round
    assert speaker(s) == "p1"
    assert s.state.current_turn.round == 2
    assert not s.state.current_turn.second_chance


def test_the_last_to_pass_in_a_round_is_not_handed_the_floor_straight_back():
    # No one has spoken since they declined: that would be no second chance at all.
    s = running(3)
    s.next_turn()  # p1
    s.next_turn()  # p2
    s.next_turn()  # p3, the round's last
    s.pass_turn()
    assert speaker(s) == "p1"
    assert s.state.current_turn.round == 2
    assert not s.state.current_turn.second_chance
    assert [t.passed for t in s.state.turns if t.participant_id == "p3"] == [True]
    assert reduce(s.events) == s.state


def test_an_earlier_pass_still_has_its_second_chance_before_the_last_one():
    s = running(3)
    s.next_turn()  # p1
    s.pass_turn()  # p1 passes, p2 up
    s.next_turn()  # p3
    s.pass_turn()  # p3 passes last: p1's second chance comes first
    assert speaker(s) == "p1"
    assert s.state.current_turn.second_chance
    s.next_turn()  # someone has spoken since p3 passed: now p3's second chance
    assert speaker(s) == "p3"
    assert s.state.current_turn.second_chance


def test_a_log_started_under_the_first_rules_replays_under_them():
    # Logs written before the rules changed must replay exactly as they did.
    s = running(3)
    events = [
        Event(e.kind, e.at, {k: v for k, v in e.data.items() if k != "rotation"})
        if e.kind == "started"
        else e
        for e in s.events
    ]
    old = Session(events, FakeClock(), lambda *_: None)
    assert old.state.rotation.rules == 1
    old.next_turn()
    old.next_turn()
    old.next_turn()
    old.pass_turn()
    assert speaker(old) == "p3"  # as the first rules did
    assert old.state.current_turn.second_chance


def under_rules(rules: int, n: int = 3) -> Session:
    """A running session whose log says it was started under ``rules``."""
    s = running(n)
    events = [
        Event(e.kind, e.at, {**e.data, "rotation": rules}) if e.kind == "started" else e
        for e in s.events
    ]
    return Session(events, FakeClock(), lambda *_: None)


def play(session: Session, *keys: str) -> Session:
    """Press the rotation's keys in order: "next", "pass", or "pick p2"."""
    for key in keys:
        action, _, who = key.partition(" ")
        if action == "pick":
            session.pick(who)
        elif action == "pass":
            session.pass_turn()
        else:
            session.next_turn()
    return session


def test_a_second_chance_waits_until_someone_has_spoken_since_the_pass():
    # p3 passes as the round's last; p1's second chance comes, and p1 declines again: no
    # one has spoken since p3 passed, so p3 is not handed the floor back either.
    s = running(3)
    assert s.state.rotation.rules == ROTATION_RULES == 3
    # p1 passes, p2 speaks, p3 (the round's last) passes: p1's second chance
    keys = ("next", "pass", "next", "pass")
    play(s, *keys)
    assert speaker(s) == "p1"
    assert s.state.current_turn.second_chance
    s.pass_turn()  # p1 declines again
    assert speaker(s) == "p1"
    assert s.state.current_turn.round == 2
    assert not s.state.current_turn.second_chance
    assert reduce(s.events) == s.state
    # Under rules 2 that log went on to p3's second chance, and still replays so.
    old = play(under_rules(2), *keys, "pass")
    assert speaker(old) == "p3"
    assert old.state.current_turn.second_chance


def test_under_rules_2_the_floor_never_goes_straight_back_to_who_just_passed():
    """The round's last passes, the only one who did: the floor straight back to them
    would be no second chance at all. Rules 2 count it used up and start the next round."""
    old = play(under_rules(2), "next", "next", "next", "pass")  # p3 passes, last of round 1
    assert speaker(old) == "p1"
    assert old.state.current_turn.round == 2
    assert not old.state.current_turn.second_chance
    assert reduce(old.events) == old.state


def test_next_names_the_second_chance_that_space_will_give():
    # p2 passed; p3, the round's last, is speaking: when Space ends p3's turn, someone has
    # spoken since p2 passed, so p2's second chance comes before the next round.
    s = running(3)
    s.next_turn()  # p1
    s.next_turn()  # p2
    s.pass_turn()  # p2 passes: p3 speaks
    upcoming = s.state.next_up()
    assert (upcoming[0].id, upcoming[1]) == ("p2", True)
    s.next_turn()
    assert speaker(s) == "p2"
    assert s.state.current_turn.second_chance


def test_when_everyone_passes_the_next_round_begins_without_second_chances():
    s = running(3)
    s.next_turn()
    for _ in range(3):
        s.pass_turn()
    assert speaker(s) == "p1"
    assert s.state.current_turn.round == 2
    assert not s.state.current_turn.second_chance


def test_someone_given_the_floor_after_passing_has_had_their_second_chance():
    # p2 passes, p3 speaks, p2 changes their mind and is given the floor; then Space: the
    # circle is done, and p2 is not handed the floor a second time
    keys = ("next", "next", "pass", "pick p2", "next")
    s = play(running(3), *keys)
    assert speaker(s) == "p1"
    assert s.state.current_turn.round == 2
    assert [t.participant_id for t in s.state.turns] == ["p1", "p2", "p3", "p2", "p1"]
    old = play(under_rules(2), *keys)  # as rules 2 did: p2 again, as a second chance
    assert speaker(old) == "p2"
    assert old.state.current_turn.second_chance


def test_a_pass_then_someone_speaking_after_a_pick_still_gives_the_second_chance():
    s = running(4)
    s.next_turn()  # p1
    s.pass_turn()  # p1 passes: p2 up
    s.pick("p4")  # p2's turn ends as spoken, p4 speaks
    s.next_turn()  # p3
    s.next_turn()  # the circle is done: p1 has heard others since passing
    assert speaker(s) == "p1"
    assert s.state.current_turn.second_chance


def test_turn_rules_of_a_newer_version_are_refused():
    s = prepared(3)
    s.check_in([p.id for p in s.state.participants], pulse=5)
    for rules in (ROTATION_RULES + 1, 0, True, "3"):
        with pytest.raises(IllegalAction, match="newer version"):
            s.dispatch("started", rotation=rules)


def test_second_chance_off_goes_straight_to_the_next_round():
    s = running(3, second_chance=False)
    s.next_turn()
    s.pass_turn()
    s.next_turn()
    s.next_turn()
    assert speaker(s) == "p1"
    assert s.state.current_turn.round == 2


def test_undo_any_number_of_steps_and_redo():
    clock = FakeClock()
    s = running(4, clock)
    snapshots = [s.state]
    for _ in range(5):
        clock.advance(30)
        s.next_turn()
        snapshots.append(s.state)
    s.undo()
    assert s.state == snapshots[4]
    s.undo(steps=3)
    assert s.state == snapshots[1]
    s.redo(steps=2)
    assert s.state == snapshots[3]
    with pytest.raises(IllegalAction, match="Nothing more to redo"):
        s.redo(steps=5)


def test_undo_of_next_lets_the_previous_speaker_carry_on():
    clock = FakeClock()
    s = running(3, clock)
    s.next_turn()
    clock.advance(40)
    s.next_turn()  # slip
    clock.advance(20)
    s.undo()
    assert speaker(s) == "p1"
    assert s.state.turn_seconds(s.state.current_turn, s.now()) == pytest.approx(60)


def test_new_action_clears_redo():
    s = running(3)
    s.next_turn()
    s.next_turn()
    s.undo()
    s.pass_turn()
    with pytest.raises(IllegalAction):
        s.redo()


def test_nothing_to_undo():
    s = running(3)
    with pytest.raises(IllegalAction, match="Nothing more to undo"):
        s.undo()


def test_pick_gives_the_floor_and_counts_as_their_turn():
    s = running(4)
    s.next_turn()  # p1
    s.pick("p3")
    assert speaker(s) == "p3"
    assert s.state.current_turn.picked
    s.next_turn()
    assert speaker(s) == "p2"
    s.next_turn()  # p3 was picked already this round: p4
    assert speaker(s) == "p4"
    with pytest.raises(IllegalAction, match="already has the floor"):
        s.pick("p4")


def p3_arrives_after_two_turns() -> Session:
    """Four seats, p3 absent at check-in; p1 and p2 have spoken when p3 arrives late."""
    s = prepared(4)
    s.check_in(["p1", "p2", "p4"])
    s.start()
    s.next_turn()  # p1
    s.next_turn()  # p2
    s.arrive("p3")
    return s


def test_late_arrival_joins_at_their_seat():
    s = p3_arrives_after_two_turns()
    assert s.state.participant("p3").attendance == "late"
    s.next_turn()
    assert speaker(s) == "p3"  # their seat is still ahead in this round


def test_late_arrival_whose_seat_has_passed_waits_for_next_round():
    s = prepared(4)
    s.check_in(["p1", "p3", "p4"])
    s.start(starter="p1")
    s.next_turn()  # p1
    s.next_turn()  # p3 (p2 absent)
    s.arrive("p2")
    s.next_turn()
    assert speaker(s) == "p4"
    s.next_turn()
    assert speaker(s) == "p1"
    assert s.state.current_turn.round == 2
    s.next_turn()
    assert speaker(s) == "p2"


def test_leaving_removes_someone_from_later_rounds_and_ends_their_turn():
    clock = FakeClock()
    s = running(3, clock)
    s.next_turn()  # p1
    clock.advance(10)
    s.leave("p1")
    assert s.state.current_turn is None
    assert s.state.participant("p1").attendance == "left_early"
    s.next_turn()
    s.next_turn()
    s.next_turn()
    assert [t.participant_id for t in s.state.turns] == ["p1", "p2", "p3", "p2"]


@pytest.mark.parametrize(("arrived", "back_as"), [(False, "present"), (True, "late")])
def test_someone_who_left_comes_back_as_they_were(arrived, back_as):
    """A person recorded as leaving (a slip of L, or a real return) comes back into the room
    and the rotation at their seat; their attendance is as before they left."""
    clock = FakeClock()
    s = prepared(3, clock)
    s.check_in(["p1", "p2"] if arrived else ["p1", "p2", "p3"])
    s.start()
    if arrived:
        s.arrive("p3")
    s.next_turn()  # p1
    s.leave("p3")
    assert s.state.participant("p3").attendance == ("late_left_early" if arrived else "left_early")
    clock.advance(30)
    s.come_back("p3")
    person = s.state.participant("p3")
    assert person.attendance == back_as
    assert person.left_at is None
    assert person.in_room
    s.next_turn()
    s.next_turn()
    assert speaker(s) == "p3"
    assert reduce(s.events) == s.state  # a replay agrees


def test_a_mistaken_late_arrival_is_taken_back_until_they_have_had_the_floor():
    s = prepared(4)
    s.check_in(["p1", "p2", "p4"])
    s.start()
    s.next_turn()  # p1
    s.arrive("p3")  # the wrong person
    s.withdraw_arrival("p3")
    person = s.state.participant("p3")
    assert person.attendance == "absent"
    assert person.arrived_at is None
    assert not person.in_room
    s.next_turn()
    s.next_turn()
    assert speaker(s) == "p4"  # seat 3 is skipped again
    assert reduce(s.events) == s.state
    s.arrive("p3")
    s.next_turn()  # p1, round 2
    s.next_turn()  # p2
    s.next_turn()  # p3: the arrival now has something resting on it
    assert speaker(s) == "p3"
    with pytest.raises(IllegalAction, match="has had the floor since arriving"):
        s.withdraw_arrival("p3")
    with pytest.raises(IllegalAction, match="not recorded as arriving late"):
        s.withdraw_arrival("p1")


def test_a_rotation_step_undone_before_a_withdrawn_arrival_cannot_be_redone():
    """Redo would give the floor back to the person whose arrival was just taken back."""
    s = p3_arrives_after_two_turns()
    s.next_turn()  # p3, by mistake
    s.undo()
    assert s.state.redo_depth == 1
    s.withdraw_arrival("p3")
    assert s.state.redo_depth == 0
    with pytest.raises(IllegalAction, match="Nothing more to redo"):
        s.redo()
    s.next_turn()
    assert speaker(s) == "p4"
    assert reduce(s.events) == s.state


def test_only_someone_who_left_can_come_back():
    s = running(3)
    with pytest.raises(IllegalAction, match="has not left"):
        s.come_back("p2")
    s.end()
    with pytest.raises(IllegalAction):
        s.come_back("p2")


def test_phase_advance_ends_the_turn_and_starts_a_new_round():
    clock = FakeClock()
    s = running(3, clock)
    s.next_turn()
    clock.advance(60)
    s.next_phase()
    assert s.state.phase_index == 1
    assert s.state.current_turn is None
    s.next_turn()
    assert speaker(s) == "p1"
    assert s.state.current_turn.phase == 1
    assert s.state.current_turn.round == 2


def test_last_phase_cannot_advance():
    s = running(2, phases=phases(120))
    with pytest.raises(IllegalAction, match="last phase"):
        s.next_phase()


def test_pause_excludes_time_from_clock_and_talk():
    clock = FakeClock()
    s = running(3, clock)
    s.next_turn()
    clock.advance(60)
    s.toggle_pause()
    clock.advance(600)
    assert s.state.elapsed(s.now()) == pytest.approx(60)
    s.toggle_pause()
    clock.advance(30)
    now = s.now()
    assert s.state.elapsed(now) == pytest.approx(90)
    assert s.state.turn_seconds(s.state.current_turn, now) == pytest.approx(90)
    assert s.state.remaining(now) == pytest.approx(7200 - 90)


def test_space_stops_talk_time_but_not_the_meeting_clock():
    clock = FakeClock()
    s = running(3, clock)
    s.next_turn()
    clock.advance(30)
    s.toggle_space()
    clock.advance(120)
    assert s.state.space_seconds(s.now()) == pytest.approx(120)
    s.toggle_space()
    clock.advance(10)
    now = s.now()
    assert s.state.turn_seconds(s.state.current_turn, now) == pytest.approx(40)
    assert s.state.elapsed(now) == pytest.approx(160)


def test_the_floor_stays_put_during_a_space():
    """Rules 3: Space, P or a pick in a space gave someone the floor with their clock
    stopped while the wall still invited the room to think."""
    clock = FakeClock()
    s = running(3, clock)
    s.next_turn()
    s.toggle_space()
    for action in (s.next_turn, s.pass_turn, lambda: s.pick("p3")):
        with pytest.raises(IllegalAction, match=r"^A space is running: R ends it"):
            action()
    assert not {"next", "pass", "pick"} & s.state.allowed()
    s.toggle_space()
    assert {"next", "pass", "pick"} <= s.state.allowed()
    s.next_turn()
    assert speaker(s) == "p2"
    old = under_rules(2)  # a log of the earlier rules, which allowed it, replays as it was
    old.next_turn()
    old.toggle_space()
    old.next_turn()
    assert speaker(old) == "p2"


def test_schedule_ahead_and_behind():
    clock = FakeClock()
    s = running(3, clock, phases=phases(10, 110))
    clock.advance(15 * 60)  # five minutes over the first phase
    sched = s.state.schedule(s.now())
    assert sched.behind_seconds == pytest.approx(300)
    assert sched.projected_end == s.state.started_at + timedelta(minutes=125)
    s.next_phase()
    clock.advance(60)
    assert s.state.schedule(s.now()).behind_seconds == pytest.approx(300)


def test_schedule_ahead_when_phase_moves_on_early():
    clock = FakeClock()
    s = running(3, clock, phases=phases(10, 110))
    clock.advance(4 * 60)
    s.next_phase()
    assert s.state.schedule(s.now()).behind_seconds == pytest.approx(-360)


def test_clock_jumping_backwards_never_runs_time_back():
    clock = FakeClock()
    s = running(3, clock)
    clock.advance(100)
    s.next_turn()
    clock.advance(-3600)
    s.next_turn()
    assert s.state.turns[0].ended_at >= s.state.turns[0].started_at
    assert s.state.elapsed(s.now()) >= 100
    assert all(s.state.turn_seconds(t, s.now()) >= 0 for t in s.state.turns)


def test_resume_from_events_reproduces_state_and_clock():
    clock = FakeClock()
    s = running(3, clock)
    s.next_turn()
    clock.advance(300)
    again = Session(s.events, clock)
    assert again.state == s.state
    assert again.state.elapsed(again.now()) == pytest.approx(300)


def test_sink_failure_leaves_state_unchanged():
    class Full(Exception):
        pass

    calls = []

    def sink(sid, event, state):
        if event.kind == "next":
            raise Full
        calls.append(event.kind)

    s = running(3, sink=sink)
    before = s.state
    with pytest.raises(Full):
        s.next_turn()
    assert s.state is before
    assert [e.kind for e in s.events] == calls


def test_abandon_needs_a_listed_reason():
    s = running(3)
    with pytest.raises(IllegalAction, match="listed reasons"):
        s.abandon("because")
    s.abandon("not_resumed")
    assert s.state.status == "abandoned"
    assert s.state.ended_at is not None


def test_prepare_rejects_absurd_minutes_and_too_many_people():
    s = Session.create(FakeClock())
    with pytest.raises(IllegalAction, match="Minutes"):
        s.prepare(kind="thematic", reference="T-1", participants=people(3), phases=phases(0))
    with pytest.raises(IllegalAction, match="2 to 30"):
        s.prepare(kind="thematic", reference="T-1", participants=people(31), phases=phases())


def test_event_validation():
    from rethink_desktop.core.clock import FakeClock as C

    with pytest.raises(EventError, match="Unknown event kind"):
        Event("shout", C().now())
    with pytest.raises(EventError, match="missing participant_id"):
        Event("pick", C().now(), {})


def test_log_must_start_with_creation():
    with pytest.raises(IllegalAction):
        reduce([Event("next", FakeClock().now())])


def test_a_meeting_not_resumed_ends_at_its_last_recorded_moment():
    # What went on after the app stopped was never recorded: it is neither talk nor meeting
    # time, however long it was before the facilitator chose to end the session.
    clock = FakeClock()
    s = running(3, clock)
    clock.advance(60)
    s.next_turn()  # p1 has the floor: the last thing recorded
    last = s.state.updated_at
    clock.advance(3 * 24 * 3600)  # the laptop was off for three days
    with pytest.raises(IllegalAction, match="last recorded moment"):
        s.abandon("not_resumed", ended_at=last - timedelta(seconds=1))
    with pytest.raises(IllegalAction, match="later than now"):
        s.abandon("not_resumed", ended_at=clock.now() + timedelta(seconds=1))
    s.abandon("not_resumed", ended_at=last)
    state = s.state
    assert state.status == "abandoned"
    assert state.abandoned_at == clock.now()  # when it was decided
    assert state.elapsed(clock.now()) == 60
    assert state.turns[-1].ended_at == last
    assert reduce(s.events) == state


def test_two_people_with_one_name_are_told_apart_by_their_roles():
    circle = people(4)
    circle[1].update(name="Tom", role="School nurse")
    circle[3].update(name="tom", role="GP")  # the same name, whatever its capitals
    state = running(participants=circle).state
    tom_nurse, tom_gp = state.participant("p2"), state.participant("p4")
    assert state.known_as(tom_nurse) == "Tom (School nurse)"
    assert state.known_as(tom_gp) == "tom (GP)"
    assert state.known_as(state.participant("p1")) == "Person 1"  # no one shares it
    with pytest.raises(IllegalAction, match=r"^tom \(GP\) is not marked absent"):
        running(participants=circle).arrive("p4")
