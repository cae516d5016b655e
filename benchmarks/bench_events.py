"""Event log figures: durable key-press latency, and replay of a full two-hour session.

Run from the repository root::

    .venv/bin/python benchmarks/bench_events.py

Prints figures only; nothing here asserts on timing. See benchmarks/README.md for what
each figure means.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from rethink_desktop.core.agenda import load_templates  # noqa: E402
from rethink_desktop.core.cards import load_default_deck  # noqa: E402
from rethink_desktop.core.clock import FakeClock  # noqa: E402
from rethink_desktop.core.events import Event  # noqa: E402
from rethink_desktop.core.session import Session, Sink  # noqa: E402
from rethink_desktop.core.state import (  # noqa: E402
    SessionState,
    reduce,
)
from rethink_desktop.storage.eventlog import EventStore  # noqa: E402

AGENCIES = (
    ("Children's social care", "Social worker"),
    ("Children's social care", "Team manager"),
    ("Education", "Designated safeguarding lead"),
    ("Health", "Health visitor"),
    ("Police", "Neighbourhood officer"),
    ("Housing", "Housing officer"),
    ("Early help", "Family support worker"),
    ("Voluntary sector", "Youth worker"),
)
TARGET_TURNS = 250
LATE_LOG_LENGTH = 400


# --- reporting ----------------------------------------------------------------------------


def machine_lines(tmp: Path, store: EventStore) -> list[str]:
    """What the figures were measured on; fsync cost depends on the disk and filesystem."""
    journal = store.db.execute("PRAGMA journal_mode").fetchone()[0]
    synchronous = store.db.execute("PRAGMA synchronous").fetchone()[0]
    sync_names = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
    return [
        f"machine:  {platform.platform()}",
        f"cpu:      {platform.processor() or platform.machine()}, {os.cpu_count()} logical CPUs",
        f"python:   {platform.python_implementation()} {platform.python_version()}",
        f"sqlite:   {sqlite3.sqlite_version} (journal_mode={journal}, "
        f"synchronous={sync_names.get(synchronous, synchronous)})",
        f"temp dir: {tmp}",
    ]


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def describe(samples_s: list[float]) -> str:
    ms = [s * 1000 for s in samples_s]
    return (
        f"p50 {percentile(ms, 50):7.2f} ms   p99 {percentile(ms, 99):7.2f} ms   "
        f"max {max(ms):7.2f} ms   (n={len(ms)})"
    )


def median_time(fn: Callable[[], object], runs: int) -> float:
    """Median wall time of ``runs`` calls, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class TimedSink:
    """Wraps the durable sink to time the write apart from the in-memory reduce."""

    def __init__(self, sink: Sink) -> None:
        self._sink = sink
        self.samples: list[float] = []

    def __call__(self, session_id: str, event: Event, state: SessionState) -> None:
        start = time.perf_counter()
        self._sink(session_id, event, state)
        self.samples.append(time.perf_counter() - start)


# --- a realistic meeting ------------------------------------------------------------------


def prepare_meeting(clock: FakeClock, sink: Sink | None) -> Session:
    """A family network meeting: 8 professionals, the 7-phase two-hour template."""
    template = load_templates()["family-network"]
    session = Session.create(clock, sink)
    clock.advance(600)
    session.prepare(
        kind=template.kind,
        reference="FN-4471",
        purpose="Agree how the network supports the family over the summer",
        venue="Meeting room 2",
        template_id=template.id,
        participants=[
            {"id": f"p{i}", "name": f"Professional {i}", "agency": agency, "role": role}
            for i, (agency, role) in enumerate(AGENCIES, start=1)
        ],
        phases=[dataclasses.asdict(phase) for phase in template.phases],
    )
    return session


def run_meeting(
    clock: FakeClock, sink: Sink | None, seed: int = 7, *, finish: bool = True
) -> Session:
    """Drive a whole two-hour meeting with the facilitator's keys, on a fake clock.

    About 250 turns spread over the phases by their planned length, with passes and second
    chances, a few direct picks in open discussion, undo slips, spaces, two pauses, a late
    arrival and the prompt cards; then the close (ratings, pulse, way forward).
    """
    rng = random.Random(seed)
    cards = [card.id for card in load_default_deck()]
    session = prepare_meeting(clock, sink)
    ids = [p.id for p in session.state.participants]
    clock.advance(300)
    session.check_in(ids[:-1], pulse=7)  # one professional is stuck in traffic
    clock.advance(60)
    session.start(starter=ids[0])
    phases = session.state.phases
    planned = sum(ph.minutes for ph in phases)
    turns_by_phase = [round(TARGET_TURNS * ph.minutes / planned) for ph in phases]
    pauses_at = {(2, 6), (5, 3)}  # (phase, turn): a fire-alarm test, a phone call outside
    for index, (phase, turns) in enumerate(zip(phases, turns_by_phase, strict=True)):
        if index:
            session.next_phase()
        if phase.opening_card:
            session.show_card(phase.opening_card)
        turn_length = phase.minutes * 60 / turns
        for turn in range(turns):
            if index == 0 and turn == 3:
                session.arrive(ids[-1])
            if (index, turn) in pauses_at:
                session.toggle_pause()
                clock.advance(rng.uniform(120, 300))
                session.toggle_pause()
            if phase.name.startswith("Space") and turn % 5 == 0:
                session.toggle_space()
                clock.advance(rng.uniform(60, 120))
                session.toggle_space()
            if turn and turn % 9 == 0:
                session.show_card(rng.choice(cards))
            roll = rng.random()
            in_room = sorted(session.state.in_room_ids())
            if roll < 0.12 and session.state.current_turn is not None:
                session.pass_turn()
            elif roll < 0.17 and phase.name == "Way forward":
                speaker = session.state.current_speaker
                session.pick(rng.choice([p for p in in_room if not speaker or p != speaker.id]))
            elif roll < 0.19:
                session.next_turn()
                clock.advance(1.5)
                session.undo()  # pressed Space twice by mistake
                session.next_turn()
            else:
                session.next_turn()
            clock.advance(max(5.0, rng.gauss(turn_length, turn_length / 3)))
    if not finish:
        return session
    session.end()
    clock.advance(120)
    for _ in session.state.attended():
        session.rate(*(rng.randint(3, 5) for _ in range(4)))
    session.record_closing_pulse(3)
    session.record_way_forward("partly")
    session.complete()
    return session


def running_session(clock: FakeClock, sink: Sink | None) -> Session:
    """A meeting just started: everyone in, nobody speaking yet."""
    session = prepare_meeting(clock, sink)
    session.check_in([p.id for p in session.state.participants], pulse=6)
    session.start()
    return session


def copy_into(store: EventStore, events: list[Event]) -> None:
    """Write a logged session into ``store`` event by event, as the app would have."""
    sid = str(events[0].data["session_id"])
    for event in events:
        store.append(sid, event)


# --- the benchmarks -----------------------------------------------------------------------


def press_keys(session: Session, clock: FakeClock, presses: int) -> list[float]:
    """Time ``session.next_turn()`` — reduce, durable write, adopt the state — per press."""
    samples = []
    for _ in range(presses):
        clock.advance(25)
        start = time.perf_counter()
        session.next_turn()
        samples.append(time.perf_counter() - start)
    return samples


def bare_commit_floor(path: Path, count: int) -> list[float]:
    """One tiny committed INSERT with WAL + synchronous=FULL: the disk's fsync floor."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE t (x INTEGER)")
    samples = []
    for i in range(count):
        start = time.perf_counter()
        conn.execute("BEGIN")
        conn.execute("INSERT INTO t VALUES (?)", [i])
        conn.execute("COMMIT")
        samples.append(time.perf_counter() - start)
    conn.close()
    return samples


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=500, help="key presses early on")
    parser.add_argument("--late-sessions", type=int, default=2, help="late sessions to time")
    parser.add_argument("--late-presses", type=int, default=100, help="presses per late session")
    parser.add_argument("--runs", type=int, default=9, help="runs for each replay median")
    parser.add_argument("--dir", type=Path, default=None, help="where to put the database")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="rethink-bench-", dir=args.dir) as tmp_name:
        tmp = Path(tmp_name)
        store = EventStore.open(tmp / "bench.sqlite3")
        for line in machine_lines(tmp, store):
            print(line)
        print()

        floor = bare_commit_floor(tmp / "floor.sqlite3", 200)
        print("Durable write floor: one bare committed INSERT (WAL, synchronous=FULL)")
        print(f"  {describe(floor)}")
        print()

        # Early in a meeting: fresh sessions, 50 presses each, so the log stays short.
        early: list[float] = []
        early_writes: list[float] = []
        per_session = 50
        for _ in range(max(1, args.presses // per_session)):
            clock = FakeClock()
            sink = TimedSink(store.append)
            session = running_session(clock, sink)
            sink.samples.clear()
            early += press_keys(session, clock, per_session)
            early_writes += sink.samples
        print(f"Key press early in a meeting (session.next_turn(), log of 6-{6 + per_session})")
        print(f"  whole press      {describe(early)}")
        print(f"  durable write    {describe(early_writes)}")
        print()

        # Late in a meeting: a realistic log padded to ~400 events, then timed presses.
        late: list[float] = []
        late_writes: list[float] = []
        for seed in range(args.late_sessions):
            clock = FakeClock()
            draft = run_meeting(clock, None, seed=seed, finish=False)
            while len(draft.events) < LATE_LOG_LENGTH:
                clock.advance(25)
                draft.next_turn()
            copy_into(store, list(draft.events))
            sink = TimedSink(store.append)
            session = Session(draft.events, clock, sink)
            late += press_keys(session, clock, args.late_presses)
            late_writes += sink.samples
        last = LATE_LOG_LENGTH + args.late_presses
        print(f"Key press late in a meeting (log of {LATE_LOG_LENGTH}-{last} events)")
        print(f"  whole press      {describe(late)}")
        print(f"  durable write    {describe(late_writes)}")
        print()

        # Replay of one complete, realistic two-hour meeting.
        clock = FakeClock()
        meeting = run_meeting(clock, None)
        events = list(meeting.events)
        state = meeting.state
        replay_store = EventStore.open(tmp / "replay.sqlite3")
        copy_into(replay_store, events)
        counts: dict[str, int] = {}
        for event in events:
            counts[event.kind] = counts.get(event.kind, 0) + 1
        passes = sum(t.passed for t in state.turns)
        print("Replay of a full two-hour meeting")
        print(
            f"  {len(events)} events: {len(state.participants)} participants, "
            f"{len(state.phases)} phases, {len(state.turns)} turns ({passes} passed), "
            f"{len(state.pauses)} pauses, {len(state.spaces)} spaces, {len(state.cards)} cards, "
            f"{counts.get('undo', 0)} undos, {counts.get('pick', 0)} picks"
        )
        reduce_s = median_time(lambda: reduce(events), args.runs)
        load_s = median_time(lambda: replay_store.events(meeting.id), args.runs)
        resume_s = median_time(lambda: replay_store.session(meeting.id, clock), args.runs)
        rebuild_s = median_time(replay_store.rebuild, args.runs)
        print(f"  reduce(events)            {reduce_s * 1000:8.2f} ms  (median of {args.runs})")
        print(f"  EventStore.events(id)     {load_s * 1000:8.2f} ms  (read + parse the log)")
        print(f"  EventStore.session(id)    {resume_s * 1000:8.2f} ms  (resume: read + reduce)")
        print(f"  EventStore.rebuild()      {rebuild_s * 1000:8.2f} ms  (read, reduce, rewrite)")
        replay_store.close()
        store.close()


if __name__ == "__main__":
    main()
