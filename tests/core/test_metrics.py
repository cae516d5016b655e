import pytest
from hypothesis import given
from hypothesis import strategies as st

from rethink_desktop.core.clock import FakeClock
from rethink_desktop.core.metrics import (
    balance_index,
    decimal_text,
    fair_share_now,
    session_balance,
    tally_agencies,
    tally_people,
)
from tests.helpers import people as people_of
from tests.helpers import phases, running


def test_balance_index_extremes():
    assert balance_index([]) is None
    assert balance_index([0, 0]) is None
    assert balance_index([60, 60, 60]) == pytest.approx(1.0)
    assert balance_index([100, 0, 0, 0]) == pytest.approx(0.0)
    # two of four share everything equally: distance 0.5 of max 0.75
    assert balance_index([50, 50, 0, 0]) == pytest.approx(1 - 0.5 / 0.75)


@given(st.lists(st.floats(min_value=0, max_value=1e5, allow_nan=False), min_size=1, max_size=30))
def test_balance_index_is_between_zero_and_one(seconds):
    index = balance_index(seconds)
    assert index is None or 0.0 <= index <= 1.0


def test_tallies_by_person_and_agency():
    clock = FakeClock()
    s = running(3, clock)
    s.next_turn()  # p1, Education
    clock.advance(120)
    s.next_turn()  # p2, Health
    clock.advance(60)
    s.pass_turn()  # p2 passes after a minute: passes do not count as talk
    clock.advance(30)
    now = s.now()
    people = {row.key: row for row in tally_people(s.state, now)}
    assert people["p1"].seconds == pytest.approx(120)
    assert people["p1"].turns == 1
    assert people["p2"].passes == 1
    assert people["p2"].seconds == 0
    assert people["p3"].seconds == pytest.approx(30)
    assert people["p1"].share == pytest.approx(0.8)
    assert people["p1"].equal_share == pytest.approx(1 / 3)
    agencies = {row.key: row for row in tally_agencies(s.state, now)}
    assert set(agencies) == {"Education", "Health", "Police"}
    assert agencies["Education"].seconds == pytest.approx(120)
    # shares 0.8, 0, 0.2 against 1/3 each: distance 0.4667 of a possible 0.6667
    assert session_balance(s.state, now) == pytest.approx(0.3)


def test_two_people_with_one_name_are_told_apart_in_the_talk_time_rows():
    # The session detail and the PDF list talk time by person from these rows.
    circle = people_of(3)
    circle[0].update(name="Tom", role="School nurse", agency="Health")
    circle[2].update(name="Tom", role="GP", agency="Health")
    s = running(participants=circle)
    labels = [row.label for row in tally_people(s.state, s.now())]
    assert labels == ["Tom (School nurse)", "Person 2", "Tom (GP)"]


def test_fair_share_now_counts_the_second_chances_still_due():
    clock = FakeClock()
    s = running(3, clock, phases=phases(20, 100))
    s.next_turn()  # p1
    s.pass_turn()  # p1 passes: p2
    s.next_turn()  # p3, the round's last; p1's second chance comes after
    _share, waiting = fair_share_now(s.state, s.now())
    assert waiting == 2
    s.next_turn()  # p1's second chance: the last of the round
    _share, waiting = fair_share_now(s.state, s.now())
    assert waiting == 1
    off = running(3, clock, phases=phases(20, 100), second_chance=False)
    off.next_turn()
    off.pass_turn()
    off.next_turn()
    assert fair_share_now(off.state, off.now())[1] == 1  # no second chances to wait for


def test_fair_share_now_divides_the_phase_among_those_still_to_speak():
    clock = FakeClock()
    s = running(4, clock, phases=phases(20, 100))
    s.next_turn()  # p1 speaking, three still to come
    clock.advance(4 * 60)
    share, waiting = fair_share_now(s.state, s.now())
    assert waiting == 4
    assert share == pytest.approx(16 * 60 / 4)


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [(3.25, 1, "3.3"), (3.75, 1, "3.8"), (4.25, 1, "4.3"), (0.875, 2, "0.88"), (0.625, 2, "0.63"),
     (7, 1, "7.0"), (2 / 3, 2, "0.67"), (-2.95, 1, "-3.0"), (-0.04, 1, "0.0"), (1.0, 2, "1.00")],
)  # fmt: skip
def test_a_half_is_rounded_up_as_people_do(value, places, text):
    assert decimal_text(value, places) == text


@given(st.lists(st.integers(1, 5), min_size=1, max_size=40))
def test_an_average_rating_reads_as_its_exact_value_rounded_half_up(answers):
    from fractions import Fraction

    exact = Fraction(sum(answers), len(answers))
    tenths = exact * 10
    whole = int(tenths)  # positive: floor
    expected = whole + (1 if tenths - whole >= Fraction(1, 2) else 0)
    assert decimal_text(sum(answers) / len(answers)) == f"{expected // 10}.{expected % 10}"
