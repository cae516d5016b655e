"""Clock error over a simulated two-hour meeting: derived time against tick counting.

Run from the repository root::

    .venv/bin/python benchmarks/bench_clock.py

A Session on a FakeClock is driven through two hours of meeting time (plus pauses) with a
20-minute suspend (lid closed, no ticks, the meeting carries on) and a backward step of the
wall clock. A simulated UI ticks the way the app does — a single-shot timer armed with
``ms_to_next_second`` that fires a little late — and derives the displayed time from
``state.remaining(now)``. Its error against the true meeting time is printed, next to a UI
that counts one-second ticks instead. Prints figures only.
"""

from __future__ import annotations

import argparse
import heapq
import math
import os
import platform
import random
import sqlite3
import statistics
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from rethink_desktop.core.clock import FakeClock, format_duration, ms_to_next_second  # noqa: E402
from rethink_desktop.core.session import Session  # noqa: E402

US = 1_000_000
MEETING_S = 120 * 60
# The script, in true (physical) seconds since the start.
PAUSES = ((30 * 60, 4 * 60), (80 * 60, 6 * 60))  # (start, length): meeting clock stops
SUSPEND = (50 * 60, 20 * 60)  # lid closed; the meeting carries on, no ticks at all
SPACE = (92 * 60, 2 * 60)  # silent reflection: the meeting clock keeps running
BACKWARD_STEP = (100 * 60, 10)  # (when, seconds): the wall clock is stepped back
PHASES = (10, 15, 30, 10, 20, 25, 10)


@dataclass
class Ui:
    """What one simulated UI has shown, and its worst errors so far."""

    errors_ms: list[float] = field(default_factory=list)
    update_lag_ms: list[float] = field(default_factory=list)
    ticks: int = 0
    shown_second: int = -1
    last_shown: float = 0.0
    ran_backwards: bool = False


class Simulation:
    """True time in integer microseconds; the wall clock is true time plus an offset."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.origin = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
        self.clock = FakeClock(self.origin)
        self.true_us = 0
        self.wall_offset_us = 0
        self.paused_us = 0  # true time spent paused, closed intervals
        self.pause_since: int | None = None
        self.session = self._start()

    def _start(self) -> Session:
        session = Session.create(self.clock)
        session.prepare(
            kind="family_network",
            reference="FN-4471",
            participants=[{"id": f"p{i}", "agency": f"Agency {i}"} for i in range(1, 9)],
            phases=[
                {"name": f"Phase {n}", "minutes": m, "turn_seconds": 180}
                for n, m in enumerate(PHASES, start=1)
            ],
        )
        session.check_in([f"p{i}" for i in range(1, 9)], pulse=6)
        session.start(starter="p1")
        session.next_turn()
        return session

    def move_to(self, true_us: int) -> None:
        self.true_us = true_us
        self.clock.set(self.origin + timedelta(microseconds=true_us + self.wall_offset_us))

    def true_elapsed_s(self) -> float:
        """The meeting time that really passed: true time less pauses."""
        paused = self.paused_us
        if self.pause_since is not None:
            paused += self.true_us - self.pause_since
        return (self.true_us - paused) / US

    def lateness_us(self) -> int:
        """How late a timer fires: usually a few ms, now and then a busy event loop."""
        if self.rng.random() < 0.01:
            return self.rng.randint(50_000, 300_000)
        return self.rng.randint(0, 4_000)


def derived_tick(sim: Simulation, ui: Ui, after_step: Ui) -> int:
    """The app's way: read the clock, derive the time from the log; return ms to next tick."""
    session = sim.session
    now = session.now()
    state = session.state
    shown = state.planned_seconds - state.remaining(now)
    truth = sim.true_elapsed_s()
    target = after_step if sim.wall_offset_us else ui
    target.ticks += 1
    target.errors_ms.append((shown - truth) * 1000)
    if shown < ui.last_shown:
        ui.ran_backwards = True
    ui.last_shown = shown
    second = math.floor(shown)
    if second == ui.shown_second + 1:
        # The display moved on by one second: how long after the true second changed?
        target.update_lag_ms.append((truth - math.floor(truth)) * 1000)
    ui.shown_second = second
    return ms_to_next_second(shown)


def run(seed: int) -> dict[str, object]:
    """Play the meeting script through an event queue of timers and facilitator actions."""
    sim = Simulation(seed)
    ui, after_step = Ui(), Ui()
    # Two tick-counting UIs, +1 s per tick unless paused: a re-armed single-shot timer
    # (lateness accumulates) and a repeating timer (drift-free; missed ticks are dropped).
    counted = {"rearmed": 0, "repeating": 0}
    counted_errors: dict[str, dict[str, float]] = {"rearmed": {}, "repeating": {}}
    repeating_due = US

    def note(moment: str) -> None:
        for name, count in counted.items():
            counted_errors[name][moment] = count - sim.true_elapsed_s()

    queue: list[tuple[int, int, str]] = []
    order = 0
    armed = -1  # the derived UI's one pending timer; older entries were cancelled

    def push(at: int, kind: str) -> None:
        nonlocal order, armed
        order += 1
        if kind == "derived":
            armed = order
        heapq.heappush(queue, (at, order, kind))

    def render(at: int) -> None:
        """Redraw now and re-arm the tick, as the UI does after every state change."""
        delay_us = derived_tick(sim, ui, after_step) * 1000 + sim.lateness_us()
        push(at + delay_us, "derived")

    for start, _ in PAUSES:
        push(start * US, "pause")
    push(SPACE[0] * US, "space")
    push(SUSPEND[0] * US, "suspend")
    push(BACKWARD_STEP[0] * US, "step")
    push(40 * US, "turn")
    push(US, "rearmed")
    push(US + sim.lateness_us(), "repeating")
    render(0)
    while queue:
        at, seq, kind = heapq.heappop(queue)
        if kind == "derived" and seq != armed:
            continue
        sim.move_to(at)
        session = sim.session
        if sim.true_elapsed_s() >= MEETING_S and session.state.elapsed(session.now()) >= MEETING_S:
            note("end")
            session.end()
            break
        if kind == "derived":
            render(at)
        elif kind in counted:
            if session.state.status != "paused":
                counted[kind] += 1
            if kind == "rearmed":
                push(at + US + sim.lateness_us(), kind)
            else:
                repeating_due += US * max(1, math.ceil((at - repeating_due) / US))
                push(repeating_due + sim.lateness_us(), kind)
        elif kind == "turn":
            state = session.state
            if state.status == "running" and not state.floor_held:  # the floor waits out a space
                last_phase = state.phase_index >= len(state.phases) - 1
                if state.phase_remaining(session.now()) <= 0 and not last_phase:
                    session.next_phase()
                session.next_turn()
                render(at)
            push(at + sim.rng.randint(15, 60) * US, "turn")
        elif kind == "pause":
            session.toggle_pause()
            sim.pause_since = at
            render(at)
            push(at + dict(PAUSES)[at // US] * US, "resume")
        elif kind == "resume":
            session.toggle_pause()
            assert sim.pause_since is not None
            sim.paused_us += at - sim.pause_since
            sim.pause_since = None
            render(at)
        elif kind == "space":
            session.toggle_space()
            render(at)
            push(at + SPACE[1] * US, "space_end")
        elif kind == "space_end":
            session.toggle_space()
            render(at)
        elif kind == "suspend":
            note("before suspend")
            resume = at + SUSPEND[1] * US
            # Nothing runs while the lid is closed; timers that came due fire once on wake,
            # and the facilitator's next action waits too.
            shifted = []
            for t, k, name in queue:
                if name in ("derived", *counted):
                    t = max(t, resume + sim.lateness_us())
                elif name == "turn":
                    t += SUSPEND[1] * US
                shifted.append((t, k, name))
            queue[:] = shifted
            heapq.heapify(queue)
            push(resume + 5 * US, "after_suspend")
        elif kind == "after_suspend":
            note("after suspend")
        elif kind == "step":
            sim.wall_offset_us -= BACKWARD_STEP[1] * US
            sim.move_to(at)
            render(at)
    return {
        "ui": ui,
        "after_step": after_step,
        "counted": counted_errors,
        "true_end": sim.true_us / US,
        "session": sim.session,
    }


def machine_line() -> str:
    return (
        f"{platform.platform()} | {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs | Python {platform.python_version()} | "
        f"SQLite {sqlite3.sqlite_version}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    print(f"machine: {machine_line()}")
    print()
    result = run(args.seed)
    ui: Ui = result["ui"]  # type: ignore[assignment]
    after: Ui = result["after_step"]  # type: ignore[assignment]
    counted: dict[str, dict[str, float]] = result["counted"]  # type: ignore[assignment]
    session: Session = result["session"]  # type: ignore[assignment]
    state = session.state
    true_end: float = result["true_end"]  # type: ignore[assignment]

    print(
        f"Simulated meeting: {format_duration(MEETING_S)} of meeting time over "
        f"{format_duration(true_end)} of real time; {len(state.pauses)} pauses "
        f"({sum(n for _, n in PAUSES) // 60} min), a {SUSPEND[1] // 60}-minute suspend at "
        f"{format_duration(SUSPEND[0])}, a {BACKWARD_STEP[1]} s backward wall-clock step at "
        f"{format_duration(BACKWARD_STEP[0])}, {len(state.turns)} turns"
    )
    print()
    print("Derived display (single-shot timer armed with ms_to_next_second, time from the log)")
    print(f"  ticks                                   {ui.ticks + after.ticks}")
    worst = max(abs(e) for e in ui.errors_ms)
    print(
        f"  max |displayed - true| up to the step   {worst:.3f} ms over {ui.ticks} ticks "
        "(pauses, space and suspend included)"
    )
    lag = ui.update_lag_ms + after.update_lag_ms
    print(
        f"  display update lag after a true second  median {statistics.median(lag):.1f} ms, "
        f"p99 {sorted(lag)[int(len(lag) * 0.99)]:.1f} ms, max {max(lag):.1f} ms (timer lateness)"
    )
    print(
        f"  after the {BACKWARD_STEP[1]} s backward step              "
        f"display never ran backwards: {not ui.ran_backwards}; "
        f"error settles at {after.errors_ms[-1] / 1000:+.3f} s over {after.ticks} ticks"
    )
    print()
    for name, title in (
        ("repeating", "repeating 1000 ms timer: drift-free, missed ticks dropped"),
        ("rearmed", "single-shot 1000 ms timer re-armed each tick: lateness accumulates"),
    ):
        errors = counted[name]
        print(f"Tick-counting display, {title}")
        print("  error  " + "   ".join(f"{moment} {errors[moment]:+.3f} s" for moment in errors))
    print()


if __name__ == "__main__":
    main()
