"""Read-only queries over the derived tables, for exports, history and reports."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from rethink_desktop.core.state import ATTENDED, GONE, LATE
from rethink_desktop.storage.database import Database, reads


def attendance_counts_sql(session: str) -> str:
    """Columns counting the participants of the session whose id is ``session`` (an SQL
    expression): ``participants`` (invited), ``present`` (attended: core.state.ATTENDED),
    ``late`` and ``left_early`` (each including those who did both), for Home's and the
    History's lists."""

    def count(where: str) -> str:
        return f"(SELECT count(*) FROM participants p WHERE p.session_id = {session}{where})"

    def among(values: Iterable[str]) -> str:
        return " AND p.attendance IN (" + ", ".join(f"'{v}'" for v in sorted(values)) + ")"

    return (
        f"{count('')} AS participants, {count(among(ATTENDED))} AS present, "
        f"{count(among(LATE))} AS late, {count(among(GONE))} AS left_early"
    )


# core.state.ratings_withheld in SQL, for queries over ``sessions AS s``.
RATINGS_SHOWN = "s.status NOT IN ('closing', 'abandoned')"

# Ratings leave the app in the order of their values, never in the order they were given:
# someone who knew the order the laptop went round could otherwise tell whose were whose.
RATINGS_ORDER = (
    "coalesce(communication, 0), coalesce(compassion, 0), coalesce(clarity, 0), "
    "coalesce(heard, 0), seq"
)

CHILD_ORDER = {
    "participants": "seat",
    "phases": "idx",
    "turns": "seq",
    "cards_shown": "seq",
    "ratings": RATINGS_ORDER,
    "intervals": "started_at, kind, seq",
}
"""Each child table and the order of a session's rows in it, for every reader (exports,
the importer's comparison); ``session_id`` leads each table's index. Intervals end with ``id``
so that two starting at the same moment keep the order they were written in."""

CHUNK = 200
"""Sessions per query when reading records for an export (a few MB of text at a time)."""


@reads
def count_sessions(db: Database, *, include_demo: bool = True) -> int:
    where = "" if include_demo else " WHERE demo = 0"
    return db.execute(f"SELECT count(*) FROM sessions{where}").fetchone()[0]


@reads
def status_counts(db: Database) -> dict[str, int]:
    rows = db.execute("SELECT status, count(*) FROM sessions GROUP BY status").fetchall()
    return {status: n for status, n in rows}


@reads
def session_record(db: Database, session_id: str) -> dict[str, Any] | None:
    """The sessions row with its child rows under their table names."""
    rows = list(db.query("SELECT * FROM sessions WHERE id = ?", [session_id]))
    if not rows:
        return None
    record = dict(rows[0])
    for table, order in CHILD_ORDER.items():
        record[table] = list(
            db.query(f"SELECT * FROM {table} WHERE session_id = ? ORDER BY {order}", [session_id])
        )
    return record


@reads
def export_session_ids(db: Database, *, include_demo: bool = False) -> list[str]:
    """The ids of the sessions an export holds, in the export's order: oldest first."""
    where = "" if include_demo else " WHERE demo = 0"
    return [r[0] for r in db.execute(f"SELECT id FROM sessions{where} ORDER BY created_at, id")]


def chunked(ids: Sequence[str], size: int | None = None) -> Iterator[list[str]]:
    """``ids`` in runs of ``size`` (default ``CHUNK``): one query per run, not per session."""
    size = size or CHUNK
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def iter_session_records(
    db: Database,
    *,
    session_ids: Sequence[str] | None = None,
    include_demo: bool = False,
) -> Iterator[dict[str, Any]]:
    """Session records oldest first, one at a time so large exports stay small in memory."""
    if session_ids is not None:
        ids = list(session_ids)
    else:
        ids = export_session_ids(db, include_demo=include_demo)
    # A few queries per chunk of sessions instead of seven per session: at 10,000 sessions
    # the per-query overhead would dominate an export.
    for chunk in chunked(ids):
        marks = ", ".join("?" for _ in chunk)
        records = {
            row["id"]: {**row, **{table: [] for table in CHILD_ORDER}}
            for row in _rows(db, f"SELECT * FROM sessions WHERE id IN ({marks})", chunk)
        }
        for table, order in CHILD_ORDER.items():
            sql = (
                f"SELECT * FROM {table} WHERE session_id IN ({marks}) ORDER BY session_id, {order}"
            )
            for row in _rows(db, sql, chunk):
                records[row["session_id"]][table].append(row)
        for sid in chunk:
            if sid in records:
                yield records[sid]


def _rows(db: Database, sql: str, params: Sequence[str]) -> Iterator[dict[str, Any]]:
    cursor = db.execute(sql, list(params))
    columns = [d[0] for d in cursor.description]
    for values in cursor:
        yield dict(zip(columns, values, strict=True))


@reads
def names_kept(db: Database, *, include_demo: bool = False, session_id: str | None = None) -> int:
    """How many participants still have a name (the app warns before writing names out);
    with ``session_id``, only that session's (a PDF), demo or not."""
    if session_id is not None:
        return db.execute(
            "SELECT count(*) FROM participants WHERE session_id = ? AND name IS NOT NULL",
            [session_id],
        ).fetchone()[0]
    demo = "" if include_demo else " AND s.demo = 0"
    return db.execute(
        "SELECT count(*) FROM participants p JOIN sessions s ON s.id = p.session_id"
        f" WHERE p.name IS NOT NULL{demo}"
    ).fetchone()[0]
