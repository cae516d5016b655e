"""Read-only queries over the derived tables, for exports, history and reports."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlite_utils import Database

_CHILDREN = {
    "participants": "seat",
    "phases": "idx",
    "turns": "seq",
    "cards_shown": "seq",
    "ratings": "seq",
    "intervals": "started_at, kind",
}


def count_sessions(db: Database, *, include_demo: bool = True) -> int:
    where = "" if include_demo else " WHERE demo = 0"
    return db.execute(f"SELECT count(*) FROM sessions{where}").fetchone()[0]


def status_counts(db: Database) -> dict[str, int]:
    rows = db.execute("SELECT status, count(*) FROM sessions GROUP BY status").fetchall()
    return {status: n for status, n in rows}


def session_record(db: Database, session_id: str) -> dict[str, Any] | None:
    """The sessions row with its child rows under their table names."""
    rows = list(db.query("SELECT * FROM sessions WHERE id = ?", [session_id]))
    if not rows:
        return None
    record = dict(rows[0])
    for table, order in _CHILDREN.items():
        record[table] = list(
            db.query(f"SELECT * FROM {table} WHERE session_id = ? ORDER BY {order}", [session_id])
        )
    return record


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
        where = "" if include_demo else " WHERE demo = 0"
        ids = [r[0] for r in db.execute(f"SELECT id FROM sessions{where} ORDER BY created_at, id")]
    # A few queries per chunk of sessions instead of seven per session: at 10,000 sessions
    # the per-query overhead would dominate an export.
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ", ".join("?" for _ in chunk)
        records = {
            row["id"]: {**row, **{table: [] for table in _CHILDREN}}
            for row in _rows(db, f"SELECT * FROM sessions WHERE id IN ({marks})", chunk)
        }
        for table, order in _CHILDREN.items():
            sql = (
                f"SELECT * FROM {table} WHERE session_id IN ({marks}) ORDER BY session_id, {order}"
            )
            for row in _rows(db, sql, chunk):
                records[row["session_id"]][table].append(row)
        for sid in chunk:
            if sid in records:
                yield records[sid]


_CHUNK = 200


def _rows(db: Database, sql: str, params: Sequence[str]) -> Iterator[dict[str, Any]]:
    cursor = db.execute(sql, list(params))
    columns = [d[0] for d in cursor.description]
    for values in cursor:
        yield dict(zip(columns, values, strict=True))


def names_kept(db: Database, *, include_demo: bool = False) -> int:
    """How many participants still have a name (the app warns before writing names out)."""
    demo = "" if include_demo else " AND s.demo = 0"
    return db.execute(
        "SELECT count(*) FROM participants p JOIN sessions s ON s.id = p.session_id"
        f" WHERE p.name IS NOT NULL{demo}"
    ).fetchone()[0]
