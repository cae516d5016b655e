"""Retention: purge sessions older than a number of months; delete or anonymise one session.

A session's age is counted from when it finished: ``completed_at``, else ``abandoned_at``,
else ``ended_at``, else (a draft never run) ``created_at``. It goes when that moment is
strictly before *now minus N calendar months* (31 March minus one month is 28/29 February),
so a session that finished exactly N months ago is kept until the next instant. Sessions in
progress (checked in, running, paused, closing) are never purged, however old.

A purge copies the database to ``backups/before-purge-<UTC time>.sqlite`` first, then
deletes the sessions' events and derived rows in one transaction. A purge, a deletion and a
removal of names end with a WAL checkpoint, so the write-ahead log keeps no copy of what went
(``secure_delete`` blanks it in the file itself).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from rethink_desktop.core.clock import Clock, SystemClock, format_timestamp, local_day
from rethink_desktop.core.state import FINISHED, IllegalAction
from rethink_desktop.storage.database import (
    BEFORE_PURGE_PREFIX,
    Database,
    _timestamp,
    checkpoint,
    database_path,
    reads,
    safety_copy,
    transaction,
)
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.storage.schema import DERIVED_TABLES

# Statuses that may be purged: finished sessions, and drafts that were never run.
PURGEABLE = ("draft", *sorted(FINISHED))
FINISHED_AT_SQL = "coalesce(completed_at, abandoned_at, ended_at, created_at)"


@dataclass
class PurgeReport:
    """What a purge removed (or, in a dry run, would remove)."""

    sessions: list[dict[str, Any]] = field(default_factory=list)  # sessions_older_than's rows
    cutoff: str = ""
    dry_run: bool = False
    backup: Path | None = None
    # Safety copies older than ``safety_copy_days`` it removed (a dry run: would remove).
    safety_copies: list[Path] = field(default_factory=list)
    safety_copy_days: int = 0

    @property
    def ids(self) -> list[str]:
        return [row["id"] for row in self.sessions]

    @property
    def references(self) -> list[str]:
        return [row["reference"] for row in self.sessions]

    @property
    def oldest(self) -> str | None:
        """When the oldest session going finished (UTC); the rows are oldest first."""
        return self.sessions[0]["finished_at"] if self.sessions else None

    @property
    def newest(self) -> str | None:
        return self.sessions[-1]["finished_at"] if self.sessions else None

    @property
    def count(self) -> int:
        return len(self.sessions)

    def summary(self) -> str:
        """One line for the command line; its days are local, like the app's."""
        verb = "would be removed" if self.dry_run else "removed"
        cutoff = local_day(self.cutoff)
        if not self.ids:
            return f"No sessions from before {cutoff}; nothing {verb}."
        return (
            f"{self.count} session{'' if self.count == 1 else 's'} from before {cutoff} {verb} "
            f"(oldest {local_day(self.oldest) if self.oldest else '?'}, "
            f"newest {local_day(self.newest) if self.newest else '?'})."
        )

    def safety_copies_summary(self) -> str | None:
        """One line on the old safety copies removed (or that would be), or None if none."""
        n = len(self.safety_copies)
        if not n:
            return None
        verb = "would be removed" if self.dry_run else "removed"
        return (
            f"{n} safety cop{'y' if n == 1 else 'ies'} older than {self.safety_copy_days} "
            f"days (safety_copy_days) {verb}:"
        )


def months_before(moment: datetime, months: int) -> datetime:
    """``moment`` minus whole calendar months, the day clamped to the shorter month."""
    if months < 0:
        raise ValueError("The number of months cannot be negative.")
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@reads
def sessions_older_than(db: Database, months: int, now: datetime) -> list[dict[str, Any]]:
    """Sessions a purge would remove, oldest first: id, reference, status, finished_at."""
    cutoff = format_timestamp(months_before(now, months))
    marks = ", ".join("?" for _ in PURGEABLE)
    return [
        dict(row)
        for row in db.query(
            f"SELECT id, reference, status, demo, {FINISHED_AT_SQL} AS finished_at"
            f" FROM sessions WHERE status IN ({marks}) AND {FINISHED_AT_SQL} < ?"
            " ORDER BY finished_at, id",
            [*PURGEABLE, cutoff],
        )
    ]


def _db(target: EventStore | Database) -> Database:
    return target.db if isinstance(target, EventStore) else target


def _delete(db: Database, ids: list[str]) -> None:
    """Delete the sessions' events and derived rows (inside the caller's transaction)."""
    params = [(sid,) for sid in ids]
    db.conn.executemany("DELETE FROM events WHERE session_id = ?", params)
    db.conn.executemany("DELETE FROM export_texts WHERE session_id = ?", params)
    for table in reversed(DERIVED_TABLES[1:]):  # children first, for the foreign keys
        db.conn.executemany(f"DELETE FROM {table} WHERE session_id = ?", params)
    db.conn.executemany("DELETE FROM sessions WHERE id = ?", params)


def purge(
    target: EventStore | Database,
    months: int,
    now: datetime,
    *,
    dry_run: bool = False,
    backups_dir: str | Path | None = None,
    safety_copy_days: int | None = None,
) -> PurgeReport:
    """Remove sessions that finished more than ``months`` ago (see the module docstring).

    Not a dry run: with sessions to remove, a backup is written first (to ``backups_dir``,
    default ``backups`` beside the database) and nothing is deleted if it fails. Raises
    ``StorageError``. Then, whether or not any session went, safety copies in that folder
    older than ``safety_copy_days`` (default 30) go too: they would otherwise keep what this
    or an earlier purge removed. A dry run lists them in the report and removes nothing.
    """
    from rethink_desktop.storage.backups import DEFAULT_SAFETY_DAYS, prune_safety_copies

    db = _db(target)
    rows = sessions_older_than(db, months, now)
    report = PurgeReport(
        sessions=rows,
        cutoff=format_timestamp(months_before(now, months)),
        dry_run=dry_run,
        safety_copy_days=safety_copy_days or DEFAULT_SAFETY_DAYS,
    )
    path = database_path(db)
    folder = Path(backups_dir) if backups_dir else (path.parent / "backups" if path else None)
    if rows and not dry_run:
        if folder is not None:
            name = f"{BEFORE_PURGE_PREFIX}{_timestamp()}.sqlite"
            report.backup = safety_copy(db, folder, name, before="removing old records")
        with transaction(db):
            _delete(db, report.ids)
        checkpoint(db)  # no copy of the removed sessions (their names) left in the WAL
        if isinstance(target, EventStore):
            for sid in report.ids:
                target.forget(sid)
    if folder is not None:
        report.safety_copies = prune_safety_copies(
            folder, report.safety_copy_days, now=now, dry_run=dry_run
        )
    return report


@reads
def _status(db: Database, session_id: str) -> str:
    row = db.execute("SELECT status FROM sessions WHERE id = ?", [session_id]).fetchone()
    if row is None:
        raise IllegalAction("That session is no longer in the records.")
    return row[0]


def delete_session(store: EventStore, session_id: str) -> None:
    """Delete one session, its log and its rows, in one transaction (not while it runs)."""
    if _status(store.db, session_id) not in PURGEABLE:
        raise IllegalAction("A session in progress cannot be deleted. Abandon it first.")
    with transaction(store.db):
        _delete(store.db, [session_id])
    store.forget(session_id)
    checkpoint(store.db)  # no copy of its names left in the write-ahead log


def anonymise_session(store: EventStore, session_id: str, clock: Clock | None = None) -> bool:
    """Remove a finished session's names, as the app does on completion; False if none left.

    Appends a ``names_removed`` event, which also clears the names from the log.
    """
    if _status(store.db, session_id) not in FINISHED:
        raise IllegalAction("Names are removed once a session is finished.")
    session = store.session(session_id, clock or SystemClock())
    if session.state.names_removed:
        return False
    session.remove_names()
    checkpoint(store.db)  # no copy of the names left in the write-ahead log
    return True
