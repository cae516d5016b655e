from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from rethink_desktop.core.clock import (
    FakeClock,
    MonotonicClock,
    ScaledClock,
    active_seconds,
    countdown,
    format_duration,
    format_timestamp,
    local_day,
    ms_to_next_second,
    parse_timestamp,
)

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_fake_clock_moves_only_when_told():
    clock = FakeClock(T0)
    assert clock.now() == T0
    clock.advance(1.5)
    assert clock.now() == T0 + timedelta(seconds=1.5)


def test_scaled_clock_runs_faster_from_its_origin():
    base = FakeClock(T0)
    scaled = ScaledClock(base, speed=60)
    base.advance(2)
    assert scaled.now() == T0 + timedelta(minutes=2)


def test_monotonic_clock_holds_a_backward_jump():
    base = FakeClock(T0)
    clock = MonotonicClock(base)
    assert clock.now() == T0
    base.set(T0 - timedelta(hours=1))
    assert clock.now() == T0
    base.set(T0 + timedelta(seconds=5))
    assert clock.now() == T0 + timedelta(seconds=5)


def test_monotonic_clock_floor_from_recorded_events():
    base = FakeClock(T0)
    clock = MonotonicClock(base)
    clock.raise_floor(T0 + timedelta(minutes=3))
    assert clock.now() == T0 + timedelta(minutes=3)


def test_timestamp_round_trip_keeps_microseconds():
    moment = T0 + timedelta(microseconds=123456)
    text = format_timestamp(moment)
    assert text == "2026-03-02T09:30:00.123456Z"
    assert parse_timestamp(text) == moment


def test_active_seconds_excludes_pauses_and_open_intervals():
    pauses = [(T0 + timedelta(minutes=10), T0 + timedelta(minutes=15))]
    now = T0 + timedelta(minutes=30)
    assert active_seconds(T0, now, pauses, now) == 25 * 60
    open_pause = [(T0 + timedelta(minutes=20), None)]
    assert active_seconds(T0, now, open_pause, now) == 20 * 60


def test_active_seconds_is_zero_when_end_before_start():
    assert active_seconds(T0, T0 - timedelta(seconds=5), [], T0) == 0


@given(st.floats(min_value=0, max_value=10_000, allow_nan=False))
def test_ms_to_next_second_lands_on_the_next_boundary(elapsed):
    ms = ms_to_next_second(elapsed)
    assert 1 <= ms <= 1000
    after = elapsed + ms / 1000
    assert int(after + 1e-6) >= int(elapsed) + 1 or abs(after - round(after)) < 1e-6


def test_format_duration():
    assert format_duration(0) == "0:00"
    assert format_duration(59.9) == "0:59"
    assert format_duration(3725) == "1:02:05"
    assert format_duration(65, always_hours=True) == "0:01:05"
    assert format_duration(-35) == "0:35"


def test_scaled_clock_catches_up_with_recorded_demo_time():
    base = FakeClock(T0)
    scaled = ScaledClock(base, speed=10)
    ahead = T0 + timedelta(minutes=10)
    scaled.catch_up(ahead)
    assert scaled.now() == ahead
    base.advance(6)
    assert scaled.now() == ahead + timedelta(minutes=1)
    scaled.catch_up(T0)  # never moves back
    assert scaled.now() == ahead + timedelta(minutes=1)


def test_a_scaled_clock_goes_on_from_a_reading_at_its_own_speed():
    """A demo at ×20 was last seen a minute in (20 demo minutes) and the app was closed for
    30 s: reopened at ×1, the meeting stands 30 s further on; at ×20, 10 minutes further."""
    base = FakeClock(T0)
    fast = ScaledClock(base, speed=20)
    base.advance(60)
    reading = fast.reading()
    assert reading == (T0 + timedelta(minutes=1), T0 + timedelta(minutes=20))
    base.advance(30)
    again = ScaledClock(base, speed=1)
    again.catch_up_with(reading)
    assert again.now() == T0 + timedelta(minutes=20, seconds=30)
    base.advance(10)
    assert again.now() == T0 + timedelta(minutes=20, seconds=40)  # at its own speed now
    again.catch_up_with((T0, T0))  # a reading behind it never moves it back
    assert again.now() == T0 + timedelta(minutes=20, seconds=40)
    still_fast = ScaledClock(base, speed=20)
    still_fast.catch_up_with(reading)
    assert still_fast.now() == T0 + timedelta(minutes=20 + 40 * 20 / 60)


def test_countdown_rounds_up_to_the_whole_second():
    assert countdown(7200.0) == 7200
    assert countdown(7199.4) == 7200
    assert countdown(0.5) == 1
    assert countdown(0.0) == 0
    assert countdown(-0.5) == 0
    assert countdown(-1.0) == -1


def test_local_day_of_a_stored_stamp(local_zone):
    local_zone("Pacific/Auckland")
    assert local_day("2026-01-05T23:30:00.000000Z") == "2026-01-06"
    local_zone("America/New_York")
    assert local_day("2026-01-06T03:00:00.000000Z") == "2026-01-05"
    assert local_day("not a time at all") == "not a time"
