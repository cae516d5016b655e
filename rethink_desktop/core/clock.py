"""Clocks and time arithmetic.

Elapsed time is always derived from recorded UTC timestamps and "now", never from
counting timer ticks, so it cannot drift and is right after a suspend or restart.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Protocol

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class Clock(Protocol):
    """Anything that can tell the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to; for tests."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> datetime:
        self._now = self._now + timedelta(seconds=seconds)
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment


class ScaledClock:
    """Runs ``speed`` times faster than ``base`` from the moment it is made (demo mode)."""

    def __init__(self, base: Clock, speed: float, origin: datetime | None = None) -> None:
        if not 0 < speed <= 1000:
            raise ValueError("speed must be between 0 and 1000")
        self._base = base
        self.speed = speed
        self._origin = origin or base.now()
        self._offset = timedelta(0)

    def now(self) -> datetime:
        real = self._base.now() - self._origin
        return self._origin + self._offset + real * self.speed

    def catch_up(self, moment: datetime) -> None:
        """Jump forward to ``moment`` if behind it (a demo reopened after a restart)."""
        behind = moment - self.now()
        if behind > timedelta(0):
            self._offset += behind

    def reading(self) -> tuple[datetime, datetime]:
        """(real moment, what this clock shows at it), taken now."""
        real = self._base.now()
        return real, self._origin + self._offset + (real - self._origin) * self.speed

    def catch_up_with(self, reading: tuple[datetime, datetime]) -> None:
        """Jump forward, if behind, to where a meeting last seen at ``reading`` has got to,
        had it gone on since at this clock's speed (a demo meeting while the app was closed,
        as a real one goes on)."""
        real, scaled = reading
        self.catch_up(scaled + (self._base.now() - real) * self.speed)

    def forget_catch_up(self) -> None:
        """Back to plain scaled time: the session caught up to is closed, and the next one
        must not be dated from it."""
        self._offset = timedelta(0)


class MonotonicClock:
    """Wraps a clock so it never runs backwards: a backward jump is held at the last value."""

    def __init__(self, base: Clock, floor: datetime | None = None) -> None:
        self._base = base
        self._last = floor

    def now(self) -> datetime:
        current = self._base.now()
        if self._last is not None and current < self._last:
            return self._last
        self._last = current
        return current

    def raise_floor(self, moment: datetime) -> None:
        """Never report a time earlier than ``moment`` (e.g. the newest recorded event)."""
        if self._last is None or moment > self._last:
            self._last = moment


@functools.lru_cache(maxsize=8192)
def format_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with microseconds and a trailing ``Z``; round-trips exactly."""
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def parse_timestamp(text: str) -> datetime:
    """Parse a timestamp written by :func:`format_timestamp` (or any ISO 8601 form)."""
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def local_day(text: str) -> str:
    """The local calendar day (``2026-03-05``) of a stored UTC timestamp, as the facilitator
    would date it; a stamp that cannot be read is shown as it starts."""
    try:
        return parse_timestamp(text).astimezone().date().isoformat()
    except (ValueError, OverflowError):
        return text[:10]


def local_day_words(text: str) -> str:
    """The local calendar day of a stored UTC timestamp as the app writes days elsewhere:
    "Tue 6 Jan 2026"; a stamp that cannot be read is shown as it starts."""
    try:
        day = parse_timestamp(text).astimezone().date()
    except (ValueError, OverflowError):
        return text[:10]
    return f"{day:%a} {day.day} {day:%b %Y}"


def seconds_between(start: datetime, end: datetime) -> float:
    """Seconds from ``start`` to ``end``, clamped at zero."""
    return max(0.0, (end - start).total_seconds())


Interval = tuple[datetime, datetime | None]


def overlap_seconds(
    start: datetime, end: datetime, intervals: Iterable[Interval], now: datetime
) -> float:
    """Seconds of [start, end] covered by ``intervals`` (open intervals run to ``now``).

    The intervals must not overlap one another.
    """
    total = 0.0
    for i_start, i_end in intervals:
        i_end = i_end or now
        lo = max(start, i_start)
        hi = min(end, i_end)
        if hi > lo:
            total += (hi - lo).total_seconds()
    return total


def merge_intervals(
    intervals: Iterable[Interval], now: datetime
) -> list[tuple[datetime, datetime]]:
    """Closed, sorted, non-overlapping union of the intervals (open ones end at ``now``)."""
    closed = sorted((s, e or now) for s, e in intervals)
    merged: list[tuple[datetime, datetime]] = []
    for s, e in closed:
        if e <= s:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def active_seconds(
    start: datetime,
    end: datetime,
    excluded: Iterable[Interval],
    now: datetime,
    *,
    merged: bool = False,
) -> float:
    """Seconds in [start, end] not inside any ``excluded`` interval; never negative.

    Pass ``merged=True`` when ``excluded`` already came from :func:`merge_intervals`.
    """
    if end <= start:
        return 0.0
    gross = (end - start).total_seconds()
    spans = excluded if merged else merge_intervals(excluded, now)
    if not spans:  # the usual case (no pause, no space): runs for every turn on a key press
        return gross
    return max(0.0, gross - overlap_seconds(start, end, spans, now))


def ms_to_next_second(elapsed_seconds: float) -> int:
    """Milliseconds until a displayed count of ``elapsed_seconds`` next changes its whole second.

    Always between 1 and 1000, so a single-shot timer lands just after the boundary.
    """
    if elapsed_seconds < 0 or math.isnan(elapsed_seconds):
        return 1000
    fraction = elapsed_seconds - math.floor(elapsed_seconds)
    return max(1, min(1000, math.ceil((1.0 - fraction) * 1000)))


def countdown(remaining: float) -> int:
    """The whole seconds a countdown shows for ``remaining``: rounded up, so it reads the full
    time at the start and 0 only once time is up; negative (-1, -2 …) as it runs over."""
    return math.ceil(remaining)


def format_duration(seconds: float, *, always_hours: bool = False) -> str:
    """``H:MM:SS`` or ``M:SS`` for a duration in seconds (floored; negatives shown as magnitude)."""
    whole = math.floor(abs(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours or always_hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"
