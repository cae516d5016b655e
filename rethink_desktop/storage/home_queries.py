"""What the home screen lists: sessions in progress, prepared and recently finished.

One SQL query per list, each reading the ``sessions`` row plus two counts from
``participants`` (everyone invited, and everyone who attended). No Qt here.
"""

from __future__ import annotations

from typing import Any

from rethink_desktop.storage.database import Database, reads
from rethink_desktop.storage.records import attendance_counts_sql
from rethink_desktop.storage.schema import FINISHED_AT_SQL, FINISHED_SQL

IN_PROGRESS = ("checked_in", "running", "paused", "closing")
PREPARED = ("draft",)

# The sessions are chosen, ordered and limited first; only the rows shown are counted.
_SELECT = f"""
SELECT
    s.*,
    {attendance_counts_sql("s.id")}
FROM (
    SELECT
        s.id, s.reference, s.kind, s.status, s.demo, s.scheduled_for, s.created_at,
        s.checked_in_at, s.started_at, s.ended_at, s.completed_at, s.abandoned_at,
        s.abandoned_reason,
        {FINISHED_AT_SQL} AS finished_at
    FROM sessions s
    WHERE s.demo = :demo AND {{statuses}}
    {{order}}
) s
{{order}}
"""

_ORDER = {
    # Newest first: the session most likely to be the one the facilitator just left.
    # A meeting under way (running, paused, closing) leads, before one only checked in.
    "in_progress": "ORDER BY s.status = 'checked_in', s.created_at DESC, s.id",
    # Soonest planned first; sessions without a planned date after those with one.
    "prepared": "ORDER BY s.scheduled_for IS NULL, s.scheduled_for, s.created_at, s.id",
    "recent": "ORDER BY finished_at DESC, s.created_at DESC, s.id LIMIT :limit",
}
_STATUSES = {
    "in_progress": f"status IN ({', '.join(repr(status) for status in IN_PROGRESS)})",
    "prepared": f"status IN ({', '.join(repr(status) for status in PREPARED)})",
    # Completed or abandoned, spelt as the sessions_finished index is (schema 8) so that
    # the index is used.
    "recent": FINISHED_SQL,
}


def _query(db: Database, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    sql = _SELECT.format(statuses=_STATUSES[name], order=_ORDER[name])
    rows = [dict(row) for row in db.query(sql, params)]
    for row in rows:
        row["demo"] = bool(row["demo"])
    return rows


@reads
def home_sessions(db: Database, *, demo: bool, recent_limit: int = 20) -> dict[str, list[dict]]:
    """Sessions for the home screen under ``in_progress``, ``prepared`` and ``recent``.

    Each dict holds the session's id, reference, kind, status, demo, scheduled_for and
    milestone times (UTC ISO text), plus ``participants`` and ``present`` counts.
    Environment failures (locked, damaged file…) arrive as ``StorageError``.
    """
    params = {"demo": int(demo), "limit": max(0, recent_limit)}
    return {name: _query(db, name, params) for name in _ORDER}


@reads
def finished_with_names(db: Database, *, imported: bool = True) -> list[str]:
    """Completed or abandoned sessions whose names were never removed (e.g. a crash between
    the completion and the removal). ``imported=False`` leaves out sessions that came in by
    import (their names are there because ``import --keep-names`` asked for them)."""
    sql = "SELECT id FROM sessions WHERE status IN ('completed', 'abandoned') AND names_removed = 0"
    if not imported:
        sql += (
            " AND NOT EXISTS (SELECT 1 FROM events WHERE events.session_id = sessions.id"
            " AND events.kind = 'imported')"
        )
    return [row[0] for row in db.execute(sql).fetchall()]
