"""Automatic and manual backups, and restoring one (docs/storage.md, "Backups").

Backups are SQLite online-backup copies (:func:`backup_database`). An automatic one is made
after each completed session as ``backups/auto-<UTC time>.sqlite``; only the newest N of
those are kept. Restoring first copies the current database aside as
``backups/before-restore-<UTC time>.sqlite`` (one too damaged to copy is set aside as it
is), then copies the backup's pages into the live file with SQLite's backup API, so the
file is replaced in one locked step and its ``-wal``/``-shm`` stay consistent.

**Restore with the store closed.** The caller closes its ``EventStore`` (the app's only
connection) before :func:`restore_backup` and opens it again afterwards, which migrates an
older backup with the usual pre-migration copy.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rethink_desktop.core.clock import local_day_words
from rethink_desktop.storage import database
from rethink_desktop.storage.database import (
    BEFORE_PURGE_PREFIX,
    PRE_MIGRATION_PREFIX,
    SQLITE_MAGIC,
    CorruptError,
    Database,
    DemoRecordsError,
    ForeignDatabaseError,
    LockedError,
    NewerVersionError,
    NotADatabaseError,
    NotFoundError,
    StorageError,
    _a_folder,
    _classified,
    _create_private_file,
    _peek,
    _roll_back_hot_journal,
    _timestamp,
    _unused,
    backup_database,
    check_restorable,
    classify,
    move_aside,
    safety_copy,
)
from rethink_desktop.storage.paths import ensure_dir

log = logging.getLogger(__name__)

AUTO_PREFIX = "auto-"
BEFORE_RESTORE_PREFIX = "before-restore-"
DEFAULT_KEEP = 10
# The copies the app makes to protect the records before a restore, a purge or a schema
# upgrade; they are removed once older than ``safety_copy_days`` (config, default 30).
SAFETY_PREFIXES = (BEFORE_RESTORE_PREFIX, BEFORE_PURGE_PREFIX, PRE_MIGRATION_PREFIX)
DEFAULT_SAFETY_DAYS = 30
_STAMP = re.compile(r"(\d{8}T\d{6}Z)")


@dataclass(frozen=True)
class BackupInfo:
    """What a backup holds, for the confirmation before restoring it."""

    path: Path
    sessions: int
    newest_session_reference: str | None
    newest_session_date: str | None  # UTC time the newest session started (or was created)
    schema_version: int
    size: int

    def describe(self) -> str:
        """Two lines for a confirmation: the file, and its newest session (its local day)."""
        if self.newest_session_reference is None:
            newest = "It holds no sessions."
        else:
            held = f"{self.sessions:,} session{'' if self.sessions == 1 else 's'}"
            newest = f"It holds {held}; the newest is {self.newest_session_reference}" + (
                f" of {local_day_words(self.newest_session_date)}."
                if self.newest_session_date
                else "."
            )
        return f"Backup file: {self.path}\n{newest}"


def _not_a_backup(path: Path) -> NotADatabaseError:
    return NotADatabaseError(
        path,
        message=f"The file {path} is not a Re-Think Desktop backup (it is not an SQLite "
        "database of this app, or it is damaged). Nothing has been changed. Choose another "
        "file.",
    )


def _damaged(path: Path) -> CorruptError:
    return CorruptError(
        path,
        message=f"The backup {path} is damaged, so it cannot be restored. Nothing has been "
        "changed. Choose an older backup.",
    )


@contextlib.contextmanager
def _reading_backup(path: Path) -> Iterator[None]:
    """As ``_classified``, but damage is named as a damaged backup: the live database's
    words (set it aside, check --data-dir) are no help when choosing a backup."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        error = classify(exc, path)
        if error is None:
            raise
        raise (_damaged(path) if isinstance(error, CorruptError) else error) from exc


def describe_backup(path: str | Path) -> BackupInfo:
    """Read a backup without changing it; refuse anything that could not be restored.

    Raises :class:`NotFoundError`, :class:`NotADatabaseError` (not SQLite, or not this
    app's), :class:`NewerVersionError`, :class:`CorruptError` or :class:`DemoRecordsError` (a
    copy of the trainers' demo), each with a ``message``: :func:`check_restorable`, the
    check every backup's copy passes too.
    """
    path = Path(path).expanduser().absolute()
    if not path.is_file():
        raise NotFoundError(
            path,
            f"There is no backup file at {path}. Nothing has been changed. Check the name and "
            "the folder, or choose another backup.",
        )
    with _classified(path), open(path, "rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise _not_a_backup(path)
    try:
        with _classified(path):
            conn = _peek(path)
    except CorruptError as exc:
        raise _not_a_backup(path) from exc
    try:
        with _reading_backup(path):
            _restorable(conn, path)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            count = conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
            newest = conn.execute(
                "SELECT reference, coalesce(started_at, created_at) AS at FROM sessions"
                " WHERE demo = 0 ORDER BY at DESC, id LIMIT 1"
            ).fetchone()
    except sqlite3.DatabaseError as exc:  # an SQLite file, but not one of ours
        raise _not_a_backup(path) from exc
    finally:
        conn.close()
    return BackupInfo(
        path=path,
        sessions=int(count),
        newest_session_reference=newest[0] if newest else None,
        newest_session_date=newest[1] if newest else None,
        schema_version=version,
        size=path.stat().st_size,
    )


def _restorable(conn: sqlite3.Connection, path: Path) -> None:
    """:func:`check_restorable` (the check a backup makes of its copy too), its refusals in
    the words for choosing a backup to restore."""
    try:
        check_restorable(conn, path)
    except NewerVersionError as error:
        error.message = (
            f"The backup {path} was made by a newer version of Re-Think Desktop "
            f"(schema {error.found}, this version understands up to {error.supported}). "
            "Nothing has been changed. Install the newer version to restore it."
        )
        error.args = (error.message,)
        raise
    except ForeignDatabaseError as exc:
        raise _not_a_backup(path) from exc
    except DemoRecordsError as exc:
        n = exc.sessions
        raise DemoRecordsError(
            path,
            n,
            f"The file {path} is a copy of the trainers' demo ({n} fictional "
            f"session{'' if n == 1 else 's'}), not of real records, so it is not restored "
            "over them. Nothing has been changed. Choose a backup of the real records.",
        ) from exc
    except CorruptError as exc:
        raise _damaged(path) from exc


def list_backups(folder: str | Path) -> list[Path]:
    """Backup files (``*.sqlite``) in ``folder``, newest first; none if it does not exist."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    files = [p for p in folder.glob("*.sqlite") if p.is_file() and not p.name.startswith(".")]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)


def prune_backups(folder: str | Path, keep: int, *, prefix: str = AUTO_PREFIX) -> list[Path]:
    """Delete all but the newest ``keep`` backups named ``<prefix>…``; return those deleted.

    Only automatic backups are pruned by default: manual, pre-migration and before-restore
    copies are the facilitator's or IT's to remove.
    """
    ours = [p for p in list_backups(folder) if p.name.startswith(prefix)]
    removed = []
    for old in ours[max(0, keep) :]:
        try:
            old.unlink()
        except OSError as exc:  # never fatal: the next automatic backup tries again
            log.warning("could not remove old backup %s: %s", old, exc)
        else:
            removed.append(old)
    return removed


def _made_at(path: Path) -> datetime:
    """When a safety copy was made: the UTC time in its name, else the file's mtime."""
    match = _STAMP.search(path.name)
    if match:
        return datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def prune_safety_copies(
    folder: str | Path,
    days: int = DEFAULT_SAFETY_DAYS,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
) -> list[Path]:
    """Delete safety copies (before a restore, a purge, an upgrade) older than ``days``.

    They hold the records as they were, names and purged sessions included, so keeping them
    for ever would defeat the retention setting. Automatic and manual backups are left
    alone. Never fails: a copy that cannot be removed is logged and tried again next time.
    With ``dry_run``, nothing is deleted: the copies that would be are returned.
    """
    limit = (now or datetime.now(UTC)) - timedelta(days=max(1, days))
    removed: list[Path] = []
    try:
        candidates = list_backups(folder)
    except OSError as exc:  # the folder went away, or a file vanished while it was listed
        log.warning("could not list %s for old safety copies: %s", folder, exc)
        return removed
    for path in candidates:
        if not path.name.startswith(SAFETY_PREFIXES):
            continue
        try:
            if _made_at(path) >= limit:
                continue
            if dry_run:
                removed.append(path)
                continue
            path.unlink()
        except (OSError, ValueError) as exc:
            log.warning("could not remove old safety copy %s: %s", path, exc)
        else:
            log.info("removed safety copy %s (older than %d days)", path, days)
            removed.append(path)
    return removed


def auto_backup(
    source: Database | str | Path, folder: str | Path, *, keep: int = DEFAULT_KEEP
) -> Path:
    """Write ``<folder>/auto-<UTC time>.sqlite`` and keep only the newest ``keep`` of them.

    Call after a session is completed; raises ``StorageError`` (with a message) on failure.
    """
    folder = Path(folder)
    target = _unused(folder / f"{AUTO_PREFIX}{_timestamp()}.sqlite")
    written = backup_database(source, target)
    prune_backups(folder, keep)
    log.info("automatic backup written to %s", written)
    return written


@dataclass(frozen=True)
class Restored:
    """Where a restore kept the records it replaced (both ``None``: there were none)."""

    safety: Path | None = None  # their copy, ``backups/before-restore-<time>.sqlite``
    damaged: Path | None = None  # or, if they could not be read, the file itself, set aside

    def kept(self) -> str:
        """One sentence for the facilitator on where the replaced records are, or ""."""
        if self.damaged is not None:
            return (
                "The records file it replaced was damaged, so it could not be copied; it has "
                f"been kept, unchanged, as {self.damaged}."
            )
        if self.safety is not None:
            return f"The records as they were are kept in {self.safety}"
        return ""


def _in_use(live: Path) -> LockedError:
    return LockedError(
        live,
        f"Another copy of Re-Think Desktop, or another program, is using the database ({live}), "
        "so the backup was not restored. Nothing has been changed. Close the other program, "
        "then try again.",
    )


class _GaveUp(sqlite3.OperationalError):
    """The live file stayed locked for the whole busy wait (``SQLITE_BUSY``)."""

    sqlite_errorcode = 5


def _copy_into(source: sqlite3.Connection, live: Path) -> None:
    """Copy every page of ``source`` into ``live`` in one step. Python's ``backup()`` retries
    a locked destination for ever; here it waits the app's usual busy time, then gives up."""
    dest = sqlite3.connect(live, timeout=database.BUSY_TIMEOUT_MS / 1000)

    def progress(status: int, remaining: int, total: int) -> None:
        if status in (5, 6):  # SQLITE_BUSY, SQLITE_LOCKED: after the busy handler's wait
            raise _GaveUp("database is locked")

    try:
        source.backup(dest, progress=progress)
    finally:
        dest.close()


def restore_backup(
    live: str | Path, backup: str | Path, *, safety_dir: str | Path | None = None
) -> Restored:
    """Replace the database at ``live`` with ``backup``; say where the old one was kept.

    The store must be closed first (see the module docstring). The backup is checked with
    :func:`describe_backup` before anything is touched; the current database is then copied
    to ``safety_dir`` (default: ``backups`` beside it). A current file too damaged to be
    copied is set aside as it is (:func:`move_aside`), as the app does at start-up. Another
    program writing to it is waited for as long as the app waits for a write, then the
    restore gives up (:class:`LockedError`) with everything as it was.
    """
    live = Path(live).expanduser().absolute()
    info = describe_backup(backup)
    if live.exists() and live.samefile(info.path):
        raise StorageError(
            f"{info.path} is the database itself, not a backup. Nothing has been changed.",
            live,
        )
    if live.is_dir():
        raise _a_folder(live, backup=False)
    folder = Path(safety_dir) if safety_dir is not None else live.parent / "backups"
    kept = Restored()
    if live.exists():
        try:
            with _classified(live):
                # A crash mid-change: roll it back first, so the copy is the file as it was.
                _roll_back_hot_journal(live)
            name = f"{BEFORE_RESTORE_PREFIX}{_timestamp()}.sqlite"
            kept = Restored(safety=safety_copy(live, folder, name, before="restoring a backup"))
        except CorruptError:
            # SQLite cannot read it, so cannot copy it: keep the file itself, byte for byte.
            kept = Restored(damaged=move_aside(live))
        except LockedError as exc:  # a writer that keeps even readers out (no WAL)
            raise _in_use(live) from exc.__cause__
    try:
        with _classified(live):
            ensure_dir(live.parent)
            _create_private_file(live)
            source = _peek(info.path)
            try:
                _copy_into(source, live)
            finally:
                source.close()
    except StorageError as exc:
        # Nothing was copied (SQLite copies every page in one transaction, or none): the
        # copy kept first is of records still in place, so it is not left behind.
        if kept.safety is not None:
            kept.safety.unlink(missing_ok=True)
        if kept.damaged is not None:
            # The copy failed (a full disk, say) after the damaged file was set aside: put it
            # back, so the folder is as it was and the message's "Nothing has been changed"
            # holds, instead of an empty file where the records were.
            for suffix in ("", "-wal", "-shm"):
                Path(f"{live}{suffix}").unlink(missing_ok=True)
                if Path(f"{kept.damaged}{suffix}").exists():
                    os.replace(f"{kept.damaged}{suffix}", f"{live}{suffix}")
        if isinstance(exc, LockedError):
            raise _in_use(live) from exc.__cause__
        raise
    log.info("restored %s from %s (kept: %s)", live, info.path, kept.safety or kept.damaged)
    return kept
