"""Realistic test data: many sessions driven through the Session API on a fake clock.

Every session is a real event log (created, prepared, checked in, started, turns, passes,
picks, an undo slip, pauses, spaces, cards, the close, names removed), reduced by the core
exactly as in the app; its derived rows are ``derived_rows(state)``, so ``EventStore.rebuild``
reproduces them. Writing is batched: one transaction and ``executemany`` per table for each
chunk of sessions, instead of one durable commit per event as in a live meeting.

Used by ``bench_records.py`` and by the history/dashboard benchmarks and tests::

    from benchmarks.generate import generate
    generate(tmp_path / "rethink.sqlite", sessions=10_000, seed=1)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from rethink_desktop.core.agenda import Template, load_templates  # noqa: E402
from rethink_desktop.core.cards import load_default_deck  # noqa: E402
from rethink_desktop.core.clock import FakeClock  # noqa: E402
from rethink_desktop.core.events import Event  # noqa: E402
from rethink_desktop.core.session import Session  # noqa: E402
from rethink_desktop.core.state import SessionState  # noqa: E402
from rethink_desktop.reports.exports import keep_export_texts  # noqa: E402
from rethink_desktop.storage.database import backup_database  # noqa: E402
from rethink_desktop.storage.eventlog import EventStore, derived_rows  # noqa: E402
from rethink_desktop.storage.schema import DERIVED_TABLES  # noqa: E402

ROLES = (
    ("Children's social care", "Social worker"),
    ("Children's social care", "Team manager"),
    ("Education", "Designated safeguarding lead"),
    ("Education", "Head of year"),
    ("Health", "Health visitor"),
    ("Health", "School nurse"),
    ("Police", "Safeguarding officer"),
    ("Housing", "Tenancy officer"),
    ("Early help", "Family support worker"),
    ("Voluntary sector", "Youth worker"),
    ("Mental health", "CAMHS practitioner"),
)
FIRST_NAMES = ("Priya", "Tom", "Ana", "Sam", "Grace", "Dev", "Maya", "Ola", "Ben", "Jo", "Kit")
KIND_PREFIX = {"family_network": "FN", "thematic": "TH", "post_proceedings": "PP"}
START = datetime(2023, 1, 2, 9, 30, tzinfo=UTC)
CHUNK = 500


class _Driven(Session):
    """A Session without the trial copy per action: the script never makes an illegal move,
    and copying the state for every key press would be most of the generator's time."""

    def dispatch(self, kind: str, /, **data: Any) -> SessionState:
        event = Event(kind, self._clock.now(), data)
        self.state = self._reducer.feed(event)
        self._events.append(event)
        return self.state


def _meeting(rng: random.Random, clock: FakeClock, template: Template, cards: list[str]) -> Session:
    """One session from preparation to its end state, with the facilitator's keys."""
    session = _Driven.create(clock)
    size = rng.randint(5, 9)
    people = rng.sample(ROLES, size)
    clock.advance(rng.uniform(300, 3 * 86_400))
    session.prepare(
        kind=template.kind,
        reference=f"{KIND_PREFIX[template.kind]}-{rng.randint(1000, 9999)}",
        purpose="Find a shared way forward for the network",
        venue=rng.choice(("Meeting room 2", "Family centre", "School library", "Civic centre")),
        template_id=template.id,
        participants=[
            {"name": rng.choice(FIRST_NAMES), "agency": agency, "role": role}
            for agency, role in people
        ],
        phases=[asdict(phase) for phase in template.phases],
    )
    fate = rng.random()
    if fate < 0.03:
        return session  # prepared for a later date
    if fate < 0.05:
        clock.advance(3600)
        session.abandon("prepared_in_error")
        return session
    clock.advance(rng.uniform(86_400, 7 * 86_400))
    ids = [p.id for p in session.state.participants]
    absent = set(rng.sample(ids, rng.choice((0, 0, 0, 1))))
    session.check_in([pid for pid in ids if pid not in absent], pulse=rng.randint(4, 9))
    clock.advance(rng.uniform(60, 300))
    session.start(seed=rng.randint(0, 10_000))
    for pid in absent:
        if rng.random() < 0.5:
            clock.advance(rng.uniform(60, 900))
            session.arrive(pid)
    leaver = rng.choice(ids) if rng.random() < 0.08 else None
    interrupted = rng.random() < 0.03
    phases = session.state.phases
    for index, phase in enumerate(phases):
        if index:
            session.next_phase()
        if phase.opening_card:
            session.show_card(phase.opening_card)
        in_room = len(session.state.in_room_ids())
        rounds = rng.choice((1, 1, 2))
        turn_length = phase.minutes * 60 / max(1, in_room * rounds)
        for turn in range(in_room * rounds):
            state = session.state
            roll = rng.random()
            if roll < 0.12 and state.current_turn is not None:
                session.pass_turn()
            elif roll < 0.16 and state.current_turn is not None:
                choices = sorted(state.in_room_ids() - {state.current_turn.participant_id})
                session.pick(rng.choice(choices))
            elif "next" in state.allowed():
                session.next_turn()
                if roll > 0.98:
                    clock.advance(1.5)
                    session.undo()  # Space pressed twice
                    session.next_turn()
            if turn == 2 and rng.random() < 0.1:
                session.toggle_pause()
                clock.advance(rng.uniform(60, 400))
                session.toggle_pause()
            if phase.name.lower().startswith("space") and turn % 4 == 0:
                session.toggle_space()
                clock.advance(rng.uniform(40, 120))
                session.toggle_space()
            if rng.random() < 0.05:
                session.show_card(rng.choice(cards))
            clock.advance(max(5.0, rng.gauss(turn_length, turn_length / 3)))
        if leaver is not None and index == len(phases) - 2 and leaver in state.in_room_ids():
            session.leave(leaver)
        if interrupted and index == len(phases) // 2:
            session.abandon("interrupted")
            break
    else:
        session.end()
        clock.advance(rng.uniform(120, 600))
        for _ in session.state.attended():
            if rng.random() < 0.9:
                base = rng.choice((3, 4, 4, 5))
                session.rate(*(min(5, max(1, base + rng.randint(-1, 1))) for _ in range(4)))
        session.record_closing_pulse(rng.randint(1, 6))
        session.record_way_forward(rng.choice(("yes", "yes", "partly", "not_yet")))
        session.complete()
    if rng.random() < 0.9:
        clock.advance(1)
        session.remove_names()
    return session


def sessions_iter(count: int, seed: int = 1, first: int = 0) -> Iterator[Session]:
    """Sessions ``first``…``first + count - 1``, oldest first, a few hours apart.

    Each session has its own random stream, so the data is the same however the sessions
    are shared out between processes.
    """
    templates = list(load_templates().values())
    cards = [card.id for card in load_default_deck()]
    rng = random.Random()
    for n in range(first, first + count):
        rng.seed(seed * 1_000_003 + n)
        clock = FakeClock(START + timedelta(hours=n * 2.6 + rng.uniform(0, 2)))
        yield _meeting(rng, clock, rng.choice(templates), cards)


Rows = tuple[list[tuple[str, str, str, str]], dict[str, list[list[Any]]]]


def _event_rows(session: Session) -> list[tuple[str, str, str, str]]:
    """The session's log as rows, with names scrubbed as ``EventStore`` does on removal."""
    scrub = session.state.names_removed
    rows = []
    for event in session.events:
        row = event.to_row(session.id)
        if scrub and event.kind == "prepared":
            data = json.loads(row["data"])
            for person in data["participants"]:
                person["name"] = None
            row["data"] = json.dumps(data, sort_keys=True, separators=(",", ":"))
        rows.append((row["session_id"], row["kind"], row["at"], row["data"]))
    return rows


def chunk_rows(seed: int, first: int, count: int) -> Rows:
    """The event rows and derived rows (columns as in ``COLUMNS``) of a run of sessions."""
    events: list[tuple[str, str, str, str]] = []
    tables: dict[str, list[list[Any]]] = {table: [] for table in DERIVED_TABLES}
    for session in sessions_iter(count, seed, first):
        events += _event_rows(session)
        for table, rows in derived_rows(session.state).items():
            tables[table] += [list(row.values()) for row in rows]
    return events, tables


def _columns() -> dict[str, list[str]]:
    """Column order of ``derived_rows``, taken from one small session."""
    session = next(sessions_iter(1, 0))
    return {
        table: list(rows[0]) if rows else [] for table, rows in derived_rows(session.state).items()
    }


def write_rows(store: EventStore, rows: Rows, columns: dict[str, list[str]]) -> None:
    """Insert one chunk's logs and derived rows in one transaction; then keep the export
    texts of its finished sessions, as the app does when it finishes a session."""
    events, tables = rows
    with store.db.atomic():
        store.db.conn.executemany(
            "INSERT INTO events (session_id, kind, at, data) VALUES (?, ?, ?, ?)", events
        )
        for table in DERIVED_TABLES:
            cols = columns[table]
            if tables[table]:
                marks = ", ".join("?" * len(cols))
                sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})"
                store.db.conn.executemany(sql, tables[table])
    keep_export_texts(store.db, list(dict.fromkeys(event[0] for event in events)))


def generate(
    target: EventStore | str | Path, sessions: int = 10_000, seed: int = 1, *, processes: int = 0
) -> int:
    """Add ``sessions`` realistic sessions to a store (or the database file at a path).

    ``processes`` (0: one per CPU) share out the chunks; the data does not depend on it.
    """
    store = target if isinstance(target, EventStore) else EventStore.open(target)
    columns = _columns()
    jobs = [(seed, first, min(CHUNK, sessions - first)) for first in range(0, sessions, CHUNK)]
    try:
        workers = processes or os.cpu_count() or 1
        if workers > 1 and len(jobs) > 1:
            context = multiprocessing.get_context("spawn")  # no fork of a process holding SQLite
            with context.Pool(min(workers, len(jobs))) as pool:
                for rows in pool.imap(_chunk_job, jobs):
                    write_rows(store, rows, columns)
        else:
            for job in jobs:
                write_rows(store, chunk_rows(*job), columns)
        store.forget()
    finally:
        if store is not target:
            store.close()
    return sessions


GENERATOR_VERSION = 6  # raise when the generated data (or the kept texts' SQL) changes
CACHE_DIR = Path(__file__).resolve().parent / ".cache"


def cached_copy(out: str | Path, sessions: int = 10_000, seed: int = 1) -> Path:
    """A copy at ``out`` of a generated database, generated once and then kept in ``.cache``.

    Benchmarks at 10,000 sessions would otherwise spend most of their time generating.
    """
    CACHE_DIR.mkdir(exist_ok=True)
    cached = CACHE_DIR / f"records-{sessions}-{seed}-v{GENERATOR_VERSION}.sqlite"
    if not cached.exists():
        partial = cached.with_suffix(".part")
        for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            leftover.unlink(missing_ok=True)
        generate(partial, sessions, seed)
        os.replace(partial, cached)
    backup_database(cached, out)
    return Path(out)


def export_of_size(path: str | Path, at_least: int, seed: int = 3) -> int:
    """Write a JSON export of at least ``at_least`` bytes at ``path``, laid out as the app
    writes it: 40 generated sessions, their lines repeated under new ids. Returns how many
    finished sessions it holds (an import adds those and leaves the others out)."""
    import tempfile
    import uuid

    from rethink_desktop.reports.exports import export

    with tempfile.TemporaryDirectory(prefix="rethink-export-") as tmp:
        with EventStore.open(Path(tmp) / "source.sqlite") as store:
            generate(store, sessions=40, seed=seed, processes=1)
            export(store.db, "json", Path(tmp) / "export.json")
        lines = (Path(tmp) / "export.json").read_text(encoding="utf-8").split("\n")
    sessions = [n for n, line in enumerate(lines) if line.startswith('    {"id": "')]
    first, last = sessions[0], sessions[-1]
    rows = [line.rstrip(",") for line in lines[first : last + 1]]
    copies: list[str] = []
    size = 0
    while size < at_least:
        for row in rows:
            sid = json.loads(row)["id"]
            copies.append(row.replace(sid, str(uuid.uuid4()), 1))
            size += len(copies[-1].encode()) + 2
    text = "\n".join([*lines[:first], ",\n".join(copies), *lines[last + 1 :]])
    Path(path).write_text(text, encoding="utf-8")
    return sum('"status": "completed"' in c or '"status": "abandoned"' in c for c in copies)


def _chunk_job(job: tuple[int, int, int]) -> Rows:
    return chunk_rows(*job)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path, help="SQLite file to create or add to")
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--processes", type=int, default=0, help="0: one per CPU")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    generate(args.database, args.sessions, args.seed, processes=args.processes)
    print(f"{args.sessions} sessions in {time.perf_counter() - start:.1f} s → {args.database}")


if __name__ == "__main__":
    main()
