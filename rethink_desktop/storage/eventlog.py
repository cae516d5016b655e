"""The event log, the source of truth, and the derived tables kept in step with it.

``EventStore.append`` writes one event and rewrites that session's derived rows in the same
transaction, committed before it returns. The rows are produced by :func:`derived_rows`
from ``reduce(events)``, so replaying the log (``rebuild``) reproduces them exactly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from rethink_desktop.core.clock import Clock, format_timestamp
from rethink_desktop.core.events import Event
from rethink_desktop.core.metrics import FIGURE_COLUMNS, figures_row, talk_balance
from rethink_desktop.core.session import Session
from rethink_desktop.core.state import LIVE, SessionState, Turn, reduce
from rethink_desktop.storage.database import Database, open_database, reads, transaction
from rethink_desktop.storage.schema import DERIVED_TABLES

# Children first, so foreign keys are satisfied while a session's rows are replaced.
_CHILD_TABLES = tuple(t for t in reversed(DERIVED_TABLES) if t != "sessions")


def _ts(moment: datetime | None) -> str | None:
    return format_timestamp(moment) if moment is not None else None


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round(max(0.0, (end - start).total_seconds()), 6)


TurnCache = dict[int, tuple[Turn, dict[str, Any]]]


def derived_rows(
    state: SessionState, turn_cache: TurnCache | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The rows of every derived table for one session; a pure function of the state.

    ``turn_cache`` (seq → (turn, row)) lets a long session reuse the rows of ended turns.
    """
    sid = state.id
    session = {
        "id": sid,
        "kind": state.kind,
        "reference": state.reference,
        "purpose": state.purpose,
        "venue": state.venue,
        "scheduled_for": state.scheduled_for,
        "status": state.status,
        "demo": int(state.demo),
        "planned_minutes": sum(p.minutes for p in state.phases),
        "template_id": state.template_id,
        "second_chance": int(state.second_chance),
        "starter_id": state.starter_id,
        "seed": state.seed,
        "created_at": _ts(state.created_at),
        "checked_in_at": _ts(state.checked_in_at),
        "started_at": _ts(state.started_at),
        "ended_at": _ts(state.ended_at),
        "completed_at": _ts(state.completed_at),
        "abandoned_at": _ts(state.abandoned_at),
        "abandoned_reason": state.abandoned_reason,
        "way_forward": state.way_forward,
        "pulse_start": state.pulse_start,
        "pulse_end": state.pulse_end,
        "names_removed": int(state.names_removed),
        "updated_at": _ts(state.updated_at),
    }
    participants = [
        {
            "id": p.id,
            "session_id": sid,
            "seat": p.seat,
            "name": p.name,
            "agency": p.agency,
            "role": p.role,
            "attendance": p.attendance,
            "arrived_at": _ts(p.arrived_at),
            "left_at": _ts(p.left_at),
        }
        for p in state.participants
    ]
    phases = [
        {
            "session_id": sid,
            "idx": ph.index,
            "name": ph.name,
            "planned_minutes": ph.minutes,
            "turn_seconds": ph.turn_seconds,
            "opening_card": ph.opening_card,
            "started_at": _ts(ph.started_at),
            "ended_at": _ts(ph.ended_at),
        }
        for ph in state.phases
    ]
    # Open pauses/spaces end "now"; for a closed turn only spans before its end matter, and
    # those are the same whatever "now" is, so the latest update time serves for all.
    silent = state.silent_spans(state.updated_at or state.created_at)
    turns = []
    for n, t in enumerate(state.turns, start=1):
        cached = turn_cache.get(n) if turn_cache is not None else None
        if cached is not None and cached[0] is t:
            turns.append(cached[1])
            continue
        row = {
            "session_id": sid,
            "seq": n,
            "phase_idx": t.phase,
            "round": t.round,
            "participant_id": t.participant_id,
            "started_at": _ts(t.started_at),
            "ended_at": _ts(t.ended_at),
            # Talk time excludes pauses and "space"; only known once the turn has ended.
            "seconds": None
            if t.ended_at is None
            else round(state.turn_seconds(t, t.ended_at, silent), 6),
            "passed": int(t.passed),
            "picked": int(t.picked),
            "second_chance": int(t.second_chance),
        }
        if turn_cache is not None and t.ended_at is not None:
            # An ended turn never changes again; states share it until an undo replays.
            turn_cache[n] = (t, row)
        turns.append(row)
    session["balance_index"] = talk_balance(
        [p.id for p in state.attended()],
        ((t["participant_id"], t["seconds"], t["passed"]) for t in turns),
    )
    cards = [
        {
            "session_id": sid,
            "seq": n,
            "card_id": c.card_id,
            "phase_idx": c.phase,
            "shown_at": _ts(c.at),
        }
        for n, c in enumerate(state.cards, start=1)
    ]
    ratings = [
        {
            "session_id": sid,
            "seq": n,
            "communication": r.communication,
            "compassion": r.compassion,
            "clarity": r.clarity,
            "heard": r.heard,
        }
        for n, r in enumerate(state.ratings, start=1)
    ]
    intervals = [
        {
            "session_id": sid,
            "kind": kind,
            "started_at": _ts(start),
            "ended_at": _ts(end),
            "seconds": _seconds(start, end),
            "seq": n,
        }
        for kind, spans in (("pause", state.pauses), ("space", state.spaces))
        for n, (start, end) in enumerate(spans, start=1)
    ]
    return {
        "sessions": [session],
        "session_figures": [figures_row(sid, participants, ratings)],
        "participants": participants,
        "phases": phases,
        "turns": turns,
        "cards_shown": cards,
        "ratings": ratings,
        "intervals": intervals,
    }


# The columns of each table's rows as ``derived_rows`` makes them, in that order; rows given
# to :meth:`EventStore.insert_sessions` as tuples follow it.
DERIVED_COLUMNS: dict[str, tuple[str, ...]] = {
    "sessions": (
        "id", "kind", "reference", "purpose", "venue", "scheduled_for", "status", "demo",
        "planned_minutes", "template_id", "second_chance", "starter_id", "seed", "created_at",
        "checked_in_at", "started_at", "ended_at", "completed_at", "abandoned_at",
        "abandoned_reason", "way_forward", "pulse_start", "pulse_end", "names_removed",
        "updated_at", "balance_index",
    ),
    "session_figures": ("session_id", *FIGURE_COLUMNS),
    "participants": (
        "id", "session_id", "seat", "name", "agency", "role", "attendance", "arrived_at",
        "left_at",
    ),
    "phases": (
        "session_id", "idx", "name", "planned_minutes", "turn_seconds", "opening_card",
        "started_at", "ended_at",
    ),
    "turns": (
        "session_id", "seq", "phase_idx", "round", "participant_id", "started_at", "ended_at",
        "seconds", "passed", "picked", "second_chance",
    ),
    "cards_shown": ("session_id", "seq", "card_id", "phase_idx", "shown_at"),
    "ratings": ("session_id", "seq", "communication", "compassion", "clarity", "heard"),
    "intervals": ("session_id", "kind", "started_at", "ended_at", "seconds", "seq"),
}  # fmt: skip

# The natural key of each derived table, within the database.
ROW_KEYS: dict[str, tuple[str, ...]] = {
    "sessions": ("id",),
    "session_figures": ("session_id",),
    "participants": ("session_id", "id"),
    "phases": ("session_id", "idx"),
    "turns": ("session_id", "seq"),
    "cards_shown": ("session_id", "seq"),
    "ratings": ("session_id", "seq"),
    "intervals": ("session_id", "kind", "seq"),
}

_INSERT_SQL = {
    table: f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    for table, cols in DERIVED_COLUMNS.items()
}

Keyed = dict[str, dict[tuple[Any, ...], dict[str, Any]]]


def _key_getter(columns: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    if len(columns) == 1:
        (column,) = columns
        return lambda row: (row[column],)
    return itemgetter(*columns)  # a tuple already


# One getter per table: keying every row on every key press is part of its time.
_ROW_KEY = {table: _key_getter(columns) for table, columns in ROW_KEYS.items()}


def _keyed(rows: dict[str, list[dict[str, Any]]]) -> Keyed:
    return {
        table: {_ROW_KEY[table](row): row for row in table_rows}
        for table, table_rows in rows.items()
    }


class EventStore:
    """One SQLite file: the event log plus derived tables. Owned by one thread."""

    def __init__(self, db: Database, path: Path | None = None) -> None:
        self.db = db
        self.path = path
        # What was last written for each session, so an event only writes the rows it changed.
        self._written: dict[str, Keyed] = {}
        self._turn_rows: dict[str, TurnCache] = {}

    @classmethod
    def open(cls, path: str | Path, *, create: bool = True) -> EventStore:
        return cls(open_database(path, create=create), Path(path))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> EventStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing ------------------------------------------------------------------------
    def append(self, session_id: str, event: Event, state: SessionState | None = None) -> int:
        """Durably add one event and bring the session's derived rows in step; return its seq.

        ``state`` is the state the event leads to (a Session passes it, saving a replay);
        without it the log is read and reduced here.
        """
        if state is None:
            state = reduce([*self.events(session_id), event])
        rows = _keyed(derived_rows(state, self._turn_rows.setdefault(state.id, {})))
        with transaction(self.db):
            if event.kind == "names_removed":
                self._scrub_names(session_id)
            cursor = self.db.execute(
                "INSERT INTO events (session_id, kind, at, data) VALUES (?, ?, ?, ?)",
                [session_id, event.kind, format_timestamp(event.at), event.data_json()],
            )
            self._write_derived(state.id, rows)
            seq = cursor.lastrowid
        # Only after the commit: a failed write leaves the cache matching the file.
        self._written[state.id] = rows
        assert seq is not None
        return seq

    def _scrub_names(self, session_id: str) -> None:
        """Names leave the log too, not just the tables: rewrite ``prepared`` and ``imported``."""
        rows = self.db.execute(
            "SELECT seq, kind, data FROM events"
            " WHERE session_id = ? AND kind IN ('prepared', 'imported')",
            [session_id],
        ).fetchall()
        for seq, kind, data in rows:
            payload = json.loads(data)
            people = payload.get("session", {}) if kind == "imported" else payload
            for person in people.get("participants", []):
                person["name"] = None
            self.db.execute(
                "UPDATE events SET data = ? WHERE seq = ?",
                [json.dumps(payload, sort_keys=True, separators=(",", ":")), seq],
            )

    def _write_derived(self, session_id: str, rows: Keyed) -> None:
        """Write the session's rows: only what changed since the last write, if known."""
        before = self._written.get(session_id)
        if before is None:
            # The export's kept text goes with the rows it was made from (reports/exports).
            self.db.execute("DELETE FROM export_texts WHERE session_id = ?", [session_id])
            for table in _CHILD_TABLES:
                self.db.execute(f"DELETE FROM {table} WHERE session_id = ?", [session_id])
            self.db.execute("DELETE FROM sessions WHERE id = ?", [session_id])
            before = {table: {} for table in DERIVED_TABLES}
        for table in _CHILD_TABLES:  # children first, for the foreign keys
            for key in before[table].keys() - rows[table].keys():
                where = " AND ".join(f"{col} = ?" for col in ROW_KEYS[table])
                self.db.execute(f"DELETE FROM {table} WHERE {where}", list(key))
        for table in DERIVED_TABLES:  # parents first
            old = before[table]
            for key, row in rows[table].items():
                previous = old.get(key)
                if previous is row or previous == row:  # an ended turn's row is reused
                    continue
                if previous is None:
                    cols = ", ".join(row)
                    marks = ", ".join("?" for _ in row)
                    self.db.execute(
                        f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(row.values())
                    )
                else:
                    changed = {c: v for c, v in row.items() if previous.get(c) != v}
                    sets = ", ".join(f"{c} = ?" for c in changed)
                    where = " AND ".join(f"{col} = ?" for col in ROW_KEYS[table])
                    self.db.execute(
                        f"UPDATE {table} SET {sets} WHERE {where}",
                        [*changed.values(), *key],
                    )

    def insert_sessions(
        self,
        events: Sequence[tuple[str, str, str, str]],
        tables: Mapping[str, Sequence[Sequence[Any]]],
    ) -> None:
        """Add many sessions that are not in the database yet, in bulk: their whole logs
        (``(session_id, kind, at, data)`` rows, in order) and their derived rows (tuples in
        :data:`DERIVED_COLUMNS` order), one ``executemany`` per table.

        Unlike :meth:`append`, nothing is read, diffed or deleted: the caller guarantees the
        ids are new and that the rows are exactly ``derived_rows(reduce(log))`` of each log,
        so :meth:`rebuild` reproduces them. One transaction, or a savepoint inside the
        caller's (the importer writes all its batches in one).
        """
        conn = self.db.conn
        with transaction(self.db):
            conn.executemany(
                "INSERT INTO events (session_id, kind, at, data) VALUES (?, ?, ?, ?)", events
            )
            for table in DERIVED_TABLES:  # parents first, for the foreign keys
                rows = tables.get(table)
                if rows:
                    conn.executemany(_INSERT_SQL[table], rows)
        for session_id in {event[0] for event in events}:
            self.forget(session_id)

    def rebuild(self, session_ids: Iterable[str] | None = None) -> int:
        """Recompute derived rows from the log (all sessions by default); return how many."""
        ids = list(session_ids) if session_ids is not None else self.logged_session_ids()
        written = {}
        with transaction(self.db):
            for sid in ids:
                self._written.pop(sid, None)
                rows = _keyed(derived_rows(reduce(self.events(sid))))
                self._write_derived(sid, rows)
                written[sid] = rows
        self._written.update(written)
        return len(ids)

    def forget(self, session_id: str | None = None) -> None:
        """Drop the cache of written rows (after the tables were changed some other way)."""
        if session_id is None:
            self._written.clear()
            self._turn_rows.clear()
        else:
            self._written.pop(session_id, None)
            self._turn_rows.pop(session_id, None)

    # --- reading ------------------------------------------------------------------------
    @reads
    def events(self, session_id: str) -> list[Event]:
        rows = self.db.execute(
            "SELECT kind, at, data FROM events WHERE session_id = ? ORDER BY seq", [session_id]
        ).fetchall()
        return [Event.from_row({"kind": k, "at": a, "data": d}) for k, a, d in rows]

    @reads
    def logged_session_ids(self) -> list[str]:
        rows = self.db.execute(
            "SELECT session_id FROM events GROUP BY session_id ORDER BY min(seq)"
        ).fetchall()
        return [r[0] for r in rows]

    def session(self, session_id: str, clock: Clock) -> Session:
        """The session rebuilt from its log, writing new actions back here."""
        return Session(self.events(session_id), clock, self.append)

    def new_session(self, clock: Clock, *, demo: bool = False) -> Session:
        return Session.create(clock, self.append, demo=demo)

    @reads
    def session_ids(self, *statuses: str) -> list[str]:
        """Sessions (optionally of given statuses), newest first."""
        sql = "SELECT id FROM sessions"
        params: list[str] = []
        if statuses:
            sql += f" WHERE status IN ({', '.join('?' for _ in statuses)})"
            params = list(statuses)
        sql += " ORDER BY created_at DESC"
        return [row[0] for row in self.db.execute(sql, params).fetchall()]

    def status(self, session_id: str) -> str | None:
        """A session's status as its table has it (None: no such session)."""
        row = self.db.execute("SELECT status FROM sessions WHERE id = ?", [session_id]).fetchone()
        return row[0] if row else None

    def live_session_ids(self) -> list[str]:
        """Sessions that were running or paused when the app last stopped."""
        return self.session_ids(*sorted(LIVE))

    def table_rows(self, session_id: str | None = None) -> dict[str, list[dict[str, Any]]]:
        """Every derived row (optionally for one session), sorted; for checks and exports."""
        out: dict[str, list[dict[str, Any]]] = {}
        for table in DERIVED_TABLES:
            key = "id" if table == "sessions" else "session_id"
            where = f" WHERE {key} = ?" if session_id else ""
            params = [session_id] if session_id else []
            rows = [
                {k: v for k, v in row.items() if not (table != "sessions" and k == "id")}
                for row in self.db.query(f"SELECT * FROM {table}{where}", params)
            ]
            out[table] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
        return out

    def iter_sessions(self) -> Iterator[dict[str, Any]]:
        yield from self.db.query("SELECT * FROM sessions ORDER BY created_at DESC")
