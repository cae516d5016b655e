"""Schema and migrations (sqlite-utils ``Migrations``), documented in docs/schema.md.

Each migration is a small named function, applied atomically. ``SCHEMA_VERSION`` is the
number of migrations this build knows; it is written to ``PRAGMA user_version`` so a newer
database can be recognised and refused before anything touches it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

PURPOSE_MAX = 120
VENUE_MAX = 80
REFERENCE_MAX = 24


def m001_event_log_and_derived_tables(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            session_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            at TEXT NOT NULL,
            data TEXT NOT NULL DEFAULT '{}'
        )"""
    )
    db.execute("CREATE INDEX events_session ON events (session_id, seq)")
    db.execute(
        f"""
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            reference TEXT NOT NULL CHECK (length(reference) <= {REFERENCE_MAX}),
            purpose TEXT NOT NULL DEFAULT '' CHECK (length(purpose) <= {PURPOSE_MAX}),
            venue TEXT NOT NULL DEFAULT '' CHECK (length(venue) <= {VENUE_MAX}),
            scheduled_for TEXT,
            status TEXT NOT NULL,
            demo INTEGER NOT NULL DEFAULT 0,
            planned_minutes INTEGER NOT NULL DEFAULT 0,
            template_id TEXT,
            second_chance INTEGER NOT NULL DEFAULT 1,
            starter_id TEXT,
            seed INTEGER,
            created_at TEXT NOT NULL,
            checked_in_at TEXT,
            started_at TEXT,
            ended_at TEXT,
            completed_at TEXT,
            abandoned_at TEXT,
            abandoned_reason TEXT,
            way_forward TEXT,
            pulse_start INTEGER,
            pulse_end INTEGER,
            names_removed INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX sessions_status ON sessions (status)")
    db.execute("CREATE INDEX sessions_created ON sessions (created_at)")
    db.execute(
        """
        CREATE TABLE participants (
            id TEXT NOT NULL,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            seat INTEGER NOT NULL,
            name TEXT,
            agency TEXT NOT NULL,
            role TEXT NOT NULL DEFAULT '',
            attendance TEXT NOT NULL,
            arrived_at TEXT,
            left_at TEXT,
            PRIMARY KEY (session_id, id)
        )"""
    )
    db.execute("CREATE INDEX participants_session ON participants (session_id, seat)")
    db.execute(
        """
        CREATE TABLE phases (
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            name TEXT NOT NULL,
            planned_minutes INTEGER NOT NULL,
            turn_seconds INTEGER NOT NULL,
            opening_card TEXT,
            started_at TEXT,
            ended_at TEXT,
            PRIMARY KEY (session_id, idx)
        )"""
    )
    db.execute(
        """
        CREATE TABLE turns (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            phase_idx INTEGER NOT NULL,
            round INTEGER NOT NULL,
            participant_id TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            seconds REAL,
            passed INTEGER NOT NULL DEFAULT 0,
            picked INTEGER NOT NULL DEFAULT 0,
            second_chance INTEGER NOT NULL DEFAULT 0,
            FOREIGN KEY (session_id, participant_id)
                REFERENCES participants(session_id, id) ON DELETE CASCADE
        )"""
    )
    db.execute("CREATE INDEX turns_session ON turns (session_id, seq)")
    db.execute(
        """
        CREATE TABLE cards_shown (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            card_id TEXT NOT NULL,
            phase_idx INTEGER,
            shown_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX cards_shown_session ON cards_shown (session_id, seq)")
    db.execute(
        """
        CREATE TABLE ratings (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            communication INTEGER CHECK (communication BETWEEN 1 AND 5),
            compassion INTEGER CHECK (compassion BETWEEN 1 AND 5),
            clarity INTEGER CHECK (clarity BETWEEN 1 AND 5),
            heard INTEGER CHECK (heard BETWEEN 1 AND 5)
        )"""
    )
    db.execute("CREATE INDEX ratings_session ON ratings (session_id, seq)")
    db.execute(
        """
        CREATE TABLE intervals (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('pause', 'space')),
            started_at TEXT NOT NULL,
            ended_at TEXT,
            seconds REAL
        )"""
    )
    db.execute("CREATE INDEX intervals_session ON intervals (session_id, kind)")


def m002_history_order_and_balance_index(db: Database) -> None:
    # History lists newest first and the dashboard reads a period: both by this expression.
    db.execute("CREATE INDEX sessions_when ON sessions (coalesce(started_at, created_at), id)")
    # The dashboard groups ratings and attendance per session without reading the rows.
    db.execute(
        "CREATE INDEX ratings_figures"
        " ON ratings (session_id, communication, compassion, clarity, heard)"
    )
    db.execute("CREATE INDEX participants_attendance ON participants (session_id, attendance)")
    # Stored so the dashboard need not sum every turn of every session (see storage/history).
    db.execute("ALTER TABLE sessions ADD COLUMN balance_index REAL")
    from rethink_desktop.storage.history import refresh_balance_index

    refresh_balance_index(db)


def m003_session_figures(db: Database) -> None:
    # One row of totals per session, so the dashboard reads 10,000 rows rather than every
    # rating and participant; written with the other derived rows after each event.
    db.execute(
        """
        CREATE TABLE session_figures (
            session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
            invited INTEGER NOT NULL DEFAULT 0,
            present INTEGER NOT NULL DEFAULT 0,
            late INTEGER NOT NULL DEFAULT 0,
            left_early INTEGER NOT NULL DEFAULT 0,
            late_left_early INTEGER NOT NULL DEFAULT 0,
            absent INTEGER NOT NULL DEFAULT 0,
            ratings INTEGER NOT NULL DEFAULT 0,
            communication_sum INTEGER NOT NULL DEFAULT 0,
            communication_n INTEGER NOT NULL DEFAULT 0,
            compassion_sum INTEGER NOT NULL DEFAULT 0,
            compassion_n INTEGER NOT NULL DEFAULT 0,
            clarity_sum INTEGER NOT NULL DEFAULT 0,
            clarity_n INTEGER NOT NULL DEFAULT 0,
            heard_sum INTEGER NOT NULL DEFAULT 0,
            heard_n INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID"""
    )
    from rethink_desktop.storage.history import refresh_session_figures

    refresh_session_figures(db)
    # m002's covering indexes served the dashboard's joins, which these totals replace.
    db.execute("DROP INDEX IF EXISTS ratings_figures")
    db.execute("DROP INDEX IF EXISTS participants_attendance")


def m004_interval_order(db: Database) -> None:
    # Pauses and spaces were keyed by their start, so two at one held moment (after the wall
    # clock stepped back) became one row. ``seq`` is each one's place among its session's
    # pauses (or spaces), from 1, as in the log; existing rows are numbered the same way.
    db.execute("ALTER TABLE intervals ADD COLUMN seq INTEGER")
    db.execute(
        """
        UPDATE intervals SET seq = (
            SELECT n FROM (
                SELECT id, row_number() OVER (
                    PARTITION BY session_id, kind ORDER BY started_at, id
                ) AS n FROM intervals
            ) AS numbered WHERE numbered.id = intervals.id
        )"""
    )
    db.execute("DROP INDEX IF EXISTS intervals_session")
    db.execute("CREATE INDEX intervals_session ON intervals (session_id, kind, seq)")


def m005_export_texts(db: Database) -> None:
    # The JSON export's text of each finished session from "phases" to its end (~95 % of its
    # bytes), zlib-compressed, made once instead of at every export (reports/exports.py).
    # ``event_seq``: the session's last event when it was made, ``made_by``: a digest of the
    # build's formatting and SQLite's version; a text is used only while both still hold.
    # Empty at first: exports and finishing sessions fill it.
    db.execute(
        """
        CREATE TABLE export_texts (
            session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
            event_seq INTEGER NOT NULL,
            made_by TEXT NOT NULL,
            body BLOB NOT NULL
        )"""
    )


def m006_returned_events(db: Database) -> None:
    """No table changes: from version 6 the event log may hold ``returned`` (someone recorded
    as leaving comes back) and ``arrival_withdrawn`` events (docs/events.md). A build before
    it could not replay such a log, so the version number alone makes it refuse the file as
    from a newer version instead of failing on the session later."""


def m007_rotation_rules(db: Database) -> None:
    """No table changes: from version 7 a ``started`` event may name the turn rules its
    session follows (``rotation``: 2, core.rotation.ROTATION_RULES), and an ``abandoned``
    event the moment the meeting's record ends (``ended_at``). A build before it would replay
    such a session under the first rules, or run its clock to the abandonment, and so tell a
    different story from the room's; the version number alone makes it refuse the file as
    from a newer version."""


# The expression Home's recent list sorts by (storage/home_queries.py); the index below is
# used only when the query spells it, and the statuses, the same way.
FINISHED_AT_SQL = "coalesce(completed_at, abandoned_at, ended_at, updated_at)"
FINISHED_SQL = "status IN ('completed', 'abandoned')"


def m008_recent_sessions_index(db: Database) -> None:
    """An index of finished sessions, newest first: Home's recent list reads its 20 rows
    from it instead of sorting every finished session at each start (2.4 ms at 1,000
    sessions, 10 times that at 10,000). Partial, so a running session's writes never touch
    it."""
    db.execute(
        f"CREATE INDEX sessions_finished ON sessions "
        f"(demo, {FINISHED_AT_SQL} DESC, created_at DESC, id) WHERE {FINISHED_SQL}"
    )


def sessions_missing_intervals(db: Database) -> list[str]:
    """Sessions whose log has more pauses (or spaces) than ``intervals`` rows: before schema 4
    two at one held moment were kept as one row. Opening a file older than 4 rebuilds their
    rows from the log, after all migrations (see ``database._migrate``). Imported sessions
    were written whole, never keyed, and have no such events."""
    return [
        row[0]
        for row in db.execute(
            """
            WITH logged AS (
                SELECT session_id, sum(kind = 'paused') AS pauses,
                       sum(kind = 'space_started') AS spaces
                FROM events WHERE kind IN ('paused', 'space_started') GROUP BY session_id
            ), kept AS (
                SELECT session_id, sum(kind = 'pause') AS pauses, sum(kind = 'space') AS spaces
                FROM intervals GROUP BY session_id
            )
            SELECT logged.session_id FROM logged LEFT JOIN kept USING (session_id)
            WHERE logged.pauses > coalesce(kept.pauses, 0)
               OR logged.spaces > coalesce(kept.spaces, 0)"""
        )
    ]


DERIVED_TABLES = (
    "sessions",
    "session_figures",
    "participants",
    "phases",
    "turns",
    "cards_shown",
    "ratings",
    "intervals",
)

# In order; append new ones, never change a released one. A step that changes what the
# derived rows of existing sessions hold must also ``DELETE FROM export_texts``: those texts
# follow the event log, not the tables.
STEPS: tuple[Callable[[Database], None], ...] = (
    m001_event_log_and_derived_tables,
    m002_history_order_and_balance_index,
    m003_session_figures,
    m004_interval_order,
    m005_export_texts,
    m006_returned_events,
    m007_rotation_rules,
    m008_recent_sessions_index,
)

# Written to PRAGMA user_version once every step has run.
SCHEMA_VERSION = len(STEPS)


@cache
def migrations() -> Migrations:
    """The steps as sqlite-utils ``Migrations`` (imported only when a file needs them)."""
    from sqlite_utils.migrations import Migrations

    registry = Migrations("rethink")
    for step in STEPS:
        registry()(step)
    return registry
