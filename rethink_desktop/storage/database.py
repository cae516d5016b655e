"""Opening, migrating, checking and backing up the SQLite file, with errors in plain words.

Problems caused by the computer (read-only folder, full disk, another program holding the
file, a damaged file, a database from a newer build) become :class:`StorageError` subclasses
whose ``message`` can be shown to the facilitator as-is. Anything else is a bug and is
re-raised unchanged so it is logged with its traceback.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import logging
import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from rethink_desktop.storage.paths import (
    DEMO_RECORDS_FILE,
    RECORDS_FILE,
    ensure_dir,
    nearest_existing,
)
from rethink_desktop.storage.schema import SCHEMA_VERSION, migrations

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger(__name__)

T = TypeVar("T")

BUSY_TIMEOUT_MS = 2000
# Safety copies written into ``backups/`` before a change that cannot be undone otherwise
# (pruned by name after ``safety_copy_days``: storage/backups.py).
PRE_MIGRATION_PREFIX = "pre-migration-"
BEFORE_PURGE_PREFIX = "before-purge-"
_SIDECARS = ("-wal", "-shm", "-journal")
# Called with the folder after a records file deleted with its folder was written back
# (:func:`keep_in_place`): what else lived there, such as the app's lock file, is made
# again by whoever owns it.
WRITTEN_BACK: list[Callable[[Path], None]] = []


Params = Sequence[Any] | Mapping[str, Any] | None

# Statements after which ``execute`` must leave a transaction open for the caller.
_TRANSACTION_CONTROL = frozenset({"BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "END"})
_ROW_KEYWORDS = frozenset({"SELECT", "WITH", "PRAGMA", "VALUES", "EXPLAIN"})
_LEADING = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*(\w*)", re.DOTALL)


def _first_keyword(sql: str) -> str:
    """The statement's first word, upper-case, after any spaces and comments."""
    match = _LEADING.match(sql)
    return match.group(1).upper() if match else ""


class Database:
    """The records file's connection, as the app uses it.

    ``execute``, ``query``, ``atomic`` and ``ensure_autocommit_on`` behave as sqlite-utils'
    :class:`sqlite_utils.Database` methods of the same names, run straight on the
    ``sqlite3`` connection. Anything else (``db["table"]``, ``table_names()``…) is
    sqlite-utils' own ``Database`` over the same connection, imported on first use:
    importing sqlite-utils (with click, pluggy and dateutil) costs about a tenth of a
    second, a third of the start-up budget, and the facilitator's screens never need it.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path | None = None) -> None:
        self.conn = conn
        # The file opened for writing, and which file that was (device, inode): deleted,
        # moved or replaced while open, SQLite goes on writing into the file it holds, and
        # all of it is gone once the app closes (see :func:`keep_in_place`).
        self.path = path
        self.identity = _identity(path) if path is not None else None
        self.rescued: Path | None = None  # where its records went when it was replaced

    @functools.cached_property
    def utils(self) -> sqlite_utils.Database:
        """sqlite-utils' ``Database`` on this connection (migrations, analysts' helpers)."""
        import sqlite_utils

        # No sqlite-utils plugins: nothing third-party runs on the records.
        return sqlite_utils.Database(self.conn, execute_plugins=False)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("conn", "utils"):
            raise AttributeError(name)
        return getattr(self.utils, name)

    def __getitem__(self, table: str) -> Any:
        return self.utils[table]

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def adopt(self, other: Database) -> None:
        """Close this connection and go on with ``other``'s (the same records, written back
        to its path): everything derived from the connection follows it."""
        self.conn.close()
        self.conn, self.identity = other.conn, other.identity
        self.__dict__.pop("utils", None)  # sqlite-utils' view of the old connection

    def close(self) -> None:
        # A file deleted or moved since the last write: write it back before closing, or
        # what was recorded since goes with the connection.
        if self.identity is not None:
            with contextlib.suppress(StorageError):
                keep_in_place(self)
            self.identity = None  # closed: nothing more to keep
        self.conn.close()

    def execute(self, sql: str, parameters: Params = None) -> sqlite3.Cursor:
        """Run one statement; a write outside a transaction is committed at once."""
        conn = self.conn
        was_in_transaction = conn.in_transaction
        try:
            cursor = conn.execute(sql) if parameters is None else conn.execute(sql, parameters)
        except Exception:
            if not was_in_transaction and conn.in_transaction:
                conn.execute("ROLLBACK")  # the failed statement's implicit transaction
            raise
        if (
            not was_in_transaction
            and conn.in_transaction
            and cursor.description is None
            and _first_keyword(sql) not in _TRANSACTION_CONTROL
        ):
            conn.execute("COMMIT")
        return cursor

    def query(self, sql: str, parameters: Params = None) -> Iterator[dict[str, Any]]:
        """The rows of a ``SELECT`` (or ``WITH``, ``PRAGMA``, ``VALUES``) as dicts, fetched
        lazily; anything else is refused before it runs (``ValueError``, as sqlite-utils)."""
        if _first_keyword(sql) not in _ROW_KEYWORDS:
            raise ValueError("query() is for statements that return rows; use execute()")
        cursor = self.execute(sql, parameters)
        keys = [column[0] for column in cursor.description or ()]
        return (dict(zip(keys, row, strict=True)) for row in cursor)

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Database]:
        """One transaction; a nested block is a savepoint inside it."""
        conn = self.conn
        if conn.in_transaction:
            savepoint = f"rethink_{os.urandom(8).hex()}"
            conn.execute(f"SAVEPOINT {savepoint}")
            try:
                yield self
            except BaseException:
                if conn.in_transaction:  # a RAISE(ROLLBACK) may have ended it already
                    conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
                    conn.execute(f"RELEASE SAVEPOINT {savepoint}")
                raise
            conn.execute(f"RELEASE SAVEPOINT {savepoint}")
            return
        conn.execute("BEGIN")
        try:
            yield self
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    @contextlib.contextmanager
    def ensure_autocommit_on(self) -> Iterator[None]:
        """Driver-level autocommit for the block (``PRAGMA journal_mode``, ``VACUUM``…)."""
        if self.conn.in_transaction:
            raise sqlite3.OperationalError("cannot switch to autocommit inside a transaction")
        previous = self.conn.isolation_level
        self.conn.isolation_level = None
        try:
            yield
        finally:
            self.conn.isolation_level = previous


class StorageError(Exception):
    """A storage problem caused by the environment; ``message`` is written for the facilitator."""

    def __init__(self, message: str, path: str | Path | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None

    def for_check(self) -> str:
        """The words for ``check``, which saves nothing: most messages fit it as they are."""
        return self.message


class ReadOnlyError(StorageError):
    """The data folder or database file cannot be written."""

    def __init__(self, path: str | Path, message: str | None = None) -> None:
        folder = Path(path).parent
        super().__init__(
            message
            or f"Re-Think Desktop cannot save to its data folder ({folder}) because it is "
            "read-only. Nothing already recorded has been lost. Ask IT to give you write "
            "access, or start the app with --data-dir pointing to a folder you can write to.",
            path,
        )


class DiskFullError(StorageError):
    """No space left (or the database reached a size limit)."""

    def __init__(self, path: str | Path, message: str | None = None) -> None:
        super().__init__(
            message
            or "The disk is full, so the last action could not be saved. Everything before "
            "it is safe. Free some space, then carry on.",
            path,
        )
        self.about_an_action = message is None  # the words for the facilitator's last action

    def for_command(self, not_done: str) -> str:
        """The words for a command (import, restore, purge) that changed nothing, where
        the usual ones speak of the facilitator's last action and carrying on: "The disk
        holding the records (…) is full, so nothing could be imported. …". Words written for
        a particular step (a safety copy's) stay as they are."""
        if not self.about_an_action:
            return self.message
        return (
            f"The disk holding the records ({self.path}) is full, so {not_done}. Nothing has "
            "been changed. Free some space on that drive, then try again."
        )

    def for_check(self) -> str:
        """``check`` saves nothing, and there is no session to carry on with."""
        return (
            f"The disk holding the records ({self.path}) is full, so they could not be "
            "opened to be checked (even reading them needs a little room beside them). "
            "Nothing has been changed. Free some space on that drive, then run check again."
        )


class LockedError(StorageError):
    """Another connection (usually another copy of the app) holds the write lock."""

    def __init__(self, path: str | Path, message: str | None = None) -> None:
        super().__init__(
            message
            or f"Another copy of Re-Think Desktop, or another program, is using the database "
            f"({path}), so the last action could not be saved. Everything before it is safe. "
            "Close the other program, then try again.",
            path,
        )


class CorruptError(StorageError):
    """The file is damaged; ``moved_to`` says where it was set aside, if it was."""

    def __init__(
        self, path: str | Path, moved_to: Path | None = None, message: str | None = None
    ) -> None:
        self.moved_to = moved_to
        if message is None and moved_to is None:
            message = (
                f"The database file ({path}) is damaged, so Re-Think Desktop cannot use it. "
                "It has not been changed or deleted. Restore your latest backup (File → "
                "Restore from a backup…, or the restore command), or ask IT to look at the file."
            )
        elif message is None:
            message = (
                f"The database file was damaged, so Re-Think Desktop set it aside, unchanged, "
                f"as {moved_to} and started a fresh, empty database. Records in the damaged "
                "file are not shown. Restore your latest backup to get them back, or ask IT "
                "to look at the damaged file."
            )
        super().__init__(message, path)


class NotADatabaseError(CorruptError):
    """The file is not an SQLite database at all (or its header is destroyed)."""

    def __init__(
        self, path: str | Path, moved_to: Path | None = None, message: str | None = None
    ) -> None:
        if message is None and moved_to is None:
            message = (
                f"The file {path} is not a Re-Think Desktop database (it may be another kind "
                "of file, or badly damaged). It has not been changed or deleted. Check the "
                "data folder setting (--data-dir), or restore your latest backup."
            )
        elif message is None:
            message = (
                f"The file in the data folder was not a Re-Think Desktop database, so it was "
                f"set aside, unchanged, as {moved_to} and a fresh, empty database was started. "
                "Restore your latest backup if you expected to see records."
            )
        super().__init__(path, moved_to, message)


class EmptyFileError(CorruptError):
    """The records file is there but holds nothing (0 bytes, no ``-wal``): emptied by a sync
    or copy program, say. Treated as damage, so it is never silently made a new database."""

    def __init__(self, path: str | Path, moved_to: Path | None = None) -> None:
        if moved_to is None:
            message = (
                f"The records file ({path}) is empty (0 bytes), so it holds no records: a sync "
                "or copy program, or a full disk, may have emptied it. It has not been changed. "
                "Restore your latest backup (File → Restore from a backup…, or the restore "
                "command), or open Re-Think Desktop, which keeps the empty file aside and "
                "starts a new one."
            )
        else:
            message = (
                "The records file was empty (0 bytes), so it held no records: a sync or copy "
                "program, or a full disk, may have emptied it. It has been kept as it was, as "
                f"{moved_to}, and a new, empty records file was started. Restore your latest "
                "backup (File → Restore from a backup…) to get your records back, or ask IT."
            )
        super().__init__(path, moved_to, message)


class ForeignDatabaseError(StorageError):
    """An SQLite file of another program where the records should be; refused untouched
    (not set aside: it is sound, and may be that program's only copy)."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(
            f"The file {path} is not a Re-Think Desktop records file: it is a database made by "
            "another program. Nothing has been changed. Check the data folder setting "
            "(--data-dir); if the file belongs to another program, move it out of the data "
            "folder, then try again.",
            path,
        )


class DemoRecordsError(StorageError):
    """A copy of the trainers' demo records where real records belong (or a backup of one);
    refused untouched."""

    def __init__(self, path: str | Path, sessions: int, message: str | None = None) -> None:
        self.sessions = sessions
        path = Path(path)
        held = f"{sessions} fictional session{'' if sessions == 1 else 's'}"
        super().__init__(
            message
            or f"The data folder {path.parent} holds the trainers' demo records in place of "
            f"the real ones: {path} is a copy of the demo's file ({held}), so Re-Think "
            "Desktop does not use it as real records. Nothing has been changed. To put it "
            "right, restore a backup of the real records over it (`rethink-desktop restore "
            f"FILE`; the automatic backups are in {path.parent / 'backups'}), or, if there is "
            f"none, move {path.name} out of that folder: the app then starts new, empty records.",
            path,
        )


class NewerVersionError(StorageError):
    """The file was written by a newer build; it is refused untouched."""

    def __init__(self, path: str | Path, found: int, supported: int) -> None:
        self.found = found
        self.supported = supported
        super().__init__(
            f"This database was made by a newer version of Re-Think Desktop (schema {found}, "
            f"this version understands up to {supported}). It has not been changed. Please "
            "install the newer version.",
            path,
        )


class WrittenBackError(StorageError):
    """The records file was deleted or moved while open; it has been written back whole."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The records file ({path}) was deleted or moved while Re-Think Desktop was "
            "running. Everything recorded up to now has been written back to it, so nothing "
            "is lost, but this last action was not saved: do it again. Ask IT what removed "
            "the file (a clean-up or a sync program, say).",
            path,
        )


class ReplacedError(StorageError):
    """Another file took the records file's place while it was open."""

    def __init__(self, path: Path, rescued: Path) -> None:
        super().__init__(
            f"The records file ({path}) was replaced by another file while Re-Think Desktop "
            "was running, so this action was not saved and the other file has not been "
            f"touched. Everything recorded up to now is safe in {rescued}. Close Re-Think "
            "Desktop and ask IT which of the two files to keep.",
            path,
        )
        self.rescued = rescued


class NotFoundError(StorageError):
    """Asked to open an existing database, and there is none."""

    def __init__(self, path: str | Path, message: str | None = None) -> None:
        super().__init__(
            message
            or f"There is no Re-Think Desktop database at {path}. Nothing has been created. "
            "Check the data folder setting (--data-dir).",
            path,
        )


# SQLITE_READONLY_ROLLBACK: a read-only connection met a hot journal it may not roll back.
_READONLY_ROLLBACK = 776
# SQLITE_IOERR_SHMSIZE: the WAL index could not grow; on a full disk SQLite says only this.
_IOERR_SHMSIZE = 4874
_NEARLY_FULL = 1 << 20  # bytes free under which an I/O error is taken for a full disk

# Primary result codes (the low byte of an extended code), from sqlite3.h.
_PERM, _BUSY, _LOCKED, _READONLY, _IOERR = 3, 5, 6, 8, 10
_CORRUPT, _FULL, _CANTOPEN, _PROTOCOL, _NOTADB = 11, 13, 14, 15, 26

# Used when an error carries no result code (raised by the driver, or an older Python).
_MESSAGE_CODES = (
    ("readonly database", _READONLY),
    ("database or disk is full", _FULL),
    ("database is locked", _BUSY),
    ("database table is locked", _LOCKED),
    ("disk image is malformed", _CORRUPT),
    ("file is not a database", _NOTADB),
    ("unable to open database file", _CANTOPEN),
    ("disk i/o error", _IOERR),
)


def _primary_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF
    text = str(exc).lower()
    for fragment, fallback in _MESSAGE_CODES:
        if fragment in text:
            return fallback
    return None


def _cannot_open(path: Path, *, backup: bool) -> StorageError:
    folder = path.parent
    if folder.is_dir() and not os.access(folder, os.W_OK):
        return _read_only(path, backup=backup)
    return StorageError(
        f"Re-Think Desktop cannot open the file {path}. Nothing already recorded has been "
        "lost. Check that the folder exists and is available (for example that a USB or "
        "network drive is connected), or start the app with --data-dir pointing to another "
        "folder.",
        path,
    )


def _disk_problem(path: Path) -> StorageError:
    return StorageError(
        f"The computer reported a problem reading or writing {path}, so the last action may "
        "not have been saved. Everything saved before it is safe. Check the drive (is it "
        "still connected?), then try again; ask IT if it keeps happening.",
        path,
    )


def _read_only(path: Path, *, backup: bool) -> ReadOnlyError:
    stuck = [] if backup else _read_only_sidecars(path)
    if not backup and _file_read_only(path):
        # The file first: naming only its -wal/-shm sent IT to fix those, and the next start
        # then found the file itself read-only.
        files = ["the records file", *(side.name for side in stuck)]
        named = files[0] if not stuck else f"{', '.join(files[:-1])} and {files[-1]}"
        return ReadOnlyError(
            path,
            f"Re-Think Desktop cannot save its records: {named} "
            f"{'are' if stuck else 'is'} read-only ({path}). Nothing already recorded has "
            f"been lost. Ask IT to give you write access to {'them' if stuck else 'that file'}"
            ", or start the app with --data-dir pointing to a folder you can write to.",
        )
    if stuck:
        which = (
            f"{stuck[0]}, a working file SQLite keeps beside them, is"
            if len(stuck) == 1
            else f"{stuck[0]} and {stuck[1]}, working files SQLite keeps beside them, are"
        )
        it = "that file" if len(stuck) == 1 else "them"
        return ReadOnlyError(
            path,
            f"Re-Think Desktop cannot save its records: {which} read-only (probably left "
            "there while the records file itself was read-only). Nothing already recorded has "
            f"been lost. Ask IT to give you write access to {it}, then try again.",
        )
    if not backup:
        return ReadOnlyError(path)
    return ReadOnlyError(
        path,
        f"Re-Think Desktop cannot write the backup to {path.parent} because it is read-only. "
        "Nothing already recorded has been lost. Choose a folder you can write to, then try "
        "again.",
    )


def _file_read_only(path: Path) -> bool:
    """The records file cannot be written though its folder can (its mode, or IT's rights)."""
    try:
        return path.is_file() and not os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    except OSError:
        return False


def _read_only_sidecars(path: Path) -> list[Path]:
    """The ``-wal``/``-shm`` beside the records that cannot be written though their folder
    can: SQLite gives them the records file's mode, and cannot write through them read-only."""
    stuck = []
    for suffix in ("-wal", "-shm"):
        side = Path(f"{path}{suffix}")
        with contextlib.suppress(OSError):
            if side.is_file() and not os.access(side, os.W_OK) and os.access(path.parent, os.W_OK):
                stuck.append(side)
    return stuck


def _out_of_space(path: Path) -> bool:
    """Whether the drive of ``path`` has (next to) nothing free: SQLite reports some writes on
    a full disk, such as growing the WAL index, as I/O errors rather than "disk is full"."""
    folder = path if path.is_dir() else path.parent
    try:
        return shutil.disk_usage(folder).free < _NEARLY_FULL
    except OSError:
        return False


def _in_the_way(path: Path) -> Path:
    """The file that stops ``path``'s folders being made: it, or the nearest parent that
    exists and is not a folder (``path`` itself if none is found)."""
    found = nearest_existing(path)
    return path if found.is_dir() else found


def _not_a_folder(path: Path, *, backup: bool) -> StorageError:
    if backup:
        return StorageError(
            f"The backup cannot be written there: {path} is a file, not a folder. Nothing has "
            "been changed. Choose another place for the backup.",
            path,
        )
    return StorageError(
        f"Re-Think Desktop needs a folder at {path}, but a file is in the way. Nothing has "
        "been changed. Start it with --data-dir pointing to a folder (or set data_dir in the "
        "config file), or move the file.",
        path,
    )


def _a_folder(path: Path, *, backup: bool) -> StorageError:
    if backup:
        return StorageError(
            f"The backup cannot be written to {path} because that is a folder. Nothing has "
            "been changed. Give a file name for the backup, for example "
            f"{path / 'rethink-backup.sqlite'}.",
            path,
        )
    return StorageError(
        f"Re-Think Desktop needs a file at {path}, but a folder is in the way. Nothing has "
        "been changed. Move or rename that folder, or use another data folder (--data-dir, "
        "or data_dir in the config file).",
        path,
    )


def _unreachable(path: Path, *, backup: bool) -> StorageError:
    folder = path.parent
    if backup:
        return StorageError(
            f"The backup cannot be written to {folder}: that folder cannot be reached or "
            "created. Nothing has been changed. Check the name and that the drive is "
            "connected, or choose another place for the backup.",
            path,
        )
    return StorageError(
        f"Re-Think Desktop cannot reach or create its data folder ({folder}). Nothing has been "
        "changed. Check the data folder setting (--data-dir, or data_dir in the config file) "
        "and that its drive or network share is connected, then try again.",
        path,
    )


def _too_long(path: Path, *, backup: bool) -> StorageError:
    if backup:
        return StorageError(
            f"The backup cannot be written to {path}: the name is too long for this computer. "
            "Nothing has been changed. Choose a shorter name or another folder for the backup.",
            path,
        )
    return StorageError(
        f"Re-Think Desktop cannot use the data folder {path.parent}: its name is too long for "
        "this computer. Nothing has been changed. Choose a folder with a shorter name "
        "(--data-dir, or data_dir in the config file).",
        path,
    )


def _on_the_way(exc: OSError, path: Path) -> bool:
    """Whether ``exc`` names ``path`` or a folder leading to it (not some other file)."""
    if not exc.filename:
        return False
    named = Path(os.fsdecode(exc.filename)).absolute()
    return named == path.absolute() or named in path.absolute().parents


def _disk_full(path: Path, *, backup: bool) -> DiskFullError:
    if not backup:
        return DiskFullError(path)
    return DiskFullError(
        path,
        f"The disk is full, so the backup could not be written to {path.parent}. Your records "
        "are safe. Free some space or choose another drive, then try again.",
    )


def classify(
    exc: sqlite3.Error | OSError, path: str | Path, *, backup: bool = False
) -> StorageError | None:
    """Turn an environment failure into a typed error; ``None`` means a bug (re-raise it).

    ``backup=True`` words read-only and disk-full messages for writing a backup to ``path``.
    """
    path = Path(path)
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return _disk_full(path, backup=backup)
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return _read_only(path, backup=backup)
        if exc.errno == errno.EIO:
            return _disk_full(path, backup=backup) if _out_of_space(path) else _disk_problem(path)
        if exc.errno in (errno.EEXIST, errno.ENOTDIR):  # a file where a folder should be
            in_the_way = _in_the_way(Path(exc.filename) if exc.filename else path)
            return _not_a_folder(in_the_way, backup=backup)
        if exc.errno == errno.EISDIR:  # a folder where the file should be
            return _a_folder(path, backup=backup)
        if exc.errno == errno.ENAMETOOLONG:
            return _too_long(path, backup=backup)
        # A folder on the way that is gone and cannot be made (a drive not there, a system
        # folder), or links that loop. Another missing file is a bug, not the environment.
        if exc.errno == errno.ELOOP or (exc.errno == errno.ENOENT and _on_the_way(exc, path)):
            return _unreachable(path, backup=backup)
        return None
    if not isinstance(exc, sqlite3.Error):
        return None
    if getattr(exc, "sqlite_errorcode", None) == _READONLY_ROLLBACK:
        return StorageError(
            f"The database file ({path}) was left in the middle of a change by a program that "
            "stopped (a crash or a power cut). Nothing has been changed. Open Re-Think "
            "Desktop once so that it finishes the repair, then try again.",
            path,
        )
    code = _primary_code(exc)
    if code in (_READONLY, _PERM):
        return _read_only(path, backup=backup)
    if code == _FULL:
        return _disk_full(path, backup=backup)
    if code in (_BUSY, _LOCKED, _PROTOCOL):
        return LockedError(path)
    if code == _NOTADB:
        return NotADatabaseError(path)
    if code == _CORRUPT:
        return CorruptError(path)
    if code == _CANTOPEN:
        return _cannot_open(path, backup=backup)
    if code == _IOERR:
        full = getattr(exc, "sqlite_errorcode", None) == _IOERR_SHMSIZE or _out_of_space(path)
        return _disk_full(path, backup=backup) if full else _disk_problem(path)
    return None


@contextlib.contextmanager
def _classified(
    path: str | Path | Callable[[], str | Path], *, backup: bool = False
) -> Iterator[None]:
    """Environment failures inside the block arrive as :class:`StorageError`; bugs stay as
    they are. ``path`` may be a function, asked only when something failed."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        error = classify(exc, path() if callable(path) else path, backup=backup)
        if error is None:
            raise
        raise error from exc


def _timestamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _unused(path: Path) -> Path:
    """``path``, or the same name with ``-2``, ``-3``… if it is taken (never overwrite)."""
    candidate, n = path, 1
    while candidate.exists() or candidate.is_symlink():
        n += 1
        if path.suffix == ".sqlite":
            candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        else:
            candidate = path.with_name(f"{path.name}-{n}")
    return candidate


def _uri(path: Path, **params: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{path.absolute().as_uri()}?{query}"


_WAL_FORMAT = 2  # header bytes 18 and 19 (read and write format versions) of a WAL file


def _wal_header(path: Path) -> bool:
    """True when the file's header says it is in WAL mode."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(20)
    except OSError:
        return False
    return len(header) == 20 and header[18] == header[19] == _WAL_FORMAT


def at_rest(path: Path) -> bool:
    """Nobody has the file open and nothing is pending: a WAL-mode file with no ``-wal`` and
    no ``-journal`` beside it. (A file in rollback-journal mode, as during an import or on a
    drive that cannot do WAL, gives no such sign while someone writes to it.)"""
    return closed_cleanly(path) and _wal_header(path)


def _peek(path: Path) -> sqlite3.Connection:
    """A connection that cannot change the file or leave anything beside it.

    A file at rest (:func:`at_rest`) is read with ``immutable``: just the main file, without
    creating ``-wal``/``-shm`` or taking locks. Otherwise it is read like any reader, through
    the WAL and with locks, so a writer's half-done pages are never seen.
    """
    if at_rest(path):
        return sqlite3.connect(_uri(path, mode="ro", immutable="1"), uri=True)
    return sqlite3.connect(_uri(path, mode="ro"), uri=True)


def _roll_back_hot_journal(path: Path) -> None:
    """A ``-journal`` left by a crash mid-transaction (an import writes through one) is rolled
    back by the first ordinary connection that reads the file; do that before any check, so
    the check sees the file as it was before the interrupted transaction."""
    if not Path(f"{path}-journal").exists():
        return
    conn = sqlite3.connect(path)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        conn.close()


def closed_cleanly(path: str | Path) -> bool:
    """True when no ``-wal`` or ``-journal`` is left beside the file: the last program using
    it closed it.

    A crash, a power cut or a killed process leaves the ``-wal`` behind (or the ``-journal``
    of an import, which writes through a rollback journal), and those are when a file is
    most likely to be damaged; while another program has it open the ``-wal`` exists too.
    """
    return not any(Path(f"{path}{suffix}").exists() for suffix in ("-wal", "-journal"))


def quick_check(
    path: str | Path, *, opened: Callable[[sqlite3.Connection], None] | None = None
) -> list[str]:
    """Problems ``PRAGMA quick_check`` finds in the file at ``path`` (empty when it is sound).

    Reads through its own read-only connection, so it can run on another thread while the
    app uses the file. Its time grows with the file (about 35 ms at 1,000 sessions).
    ``opened`` is given that connection first, so the caller can ``interrupt()`` it.
    """
    path = Path(path).expanduser().absolute()
    with _classified(path):
        conn = _peek(path)
        try:
            if opened is not None:
                opened(conn)
            return _problems(conn, "quick_check", path)
        finally:
            conn.close()


def _problems(conn: sqlite3.Connection, pragma: str, path: str | Path) -> list[str]:
    """What an integrity ``pragma`` reports (empty when the file is sound). A badly damaged
    file raises instead of listing problems: that is the answer."""
    try:
        rows = [row[0] for row in conn.execute(f"PRAGMA {pragma}")]
    except sqlite3.DatabaseError as exc:
        if isinstance(classify(exc, path), CorruptError):
            return [str(exc)]
        raise
    return [] if rows == ["ok"] else rows


def _precheck(path: Path, *, check: bool) -> None:
    """Refuse a newer (or, with ``check``, a damaged) database before anything writes to it.

    A file about to be migrated is always checked: the migration must not write into damage.
    """
    conn = _peek(path)
    try:
        found = conn.execute("PRAGMA user_version").fetchone()[0]
        if found > SCHEMA_VERSION:
            raise NewerVersionError(path, found, SCHEMA_VERSION)
        if _made_elsewhere(conn, found):
            raise ForeignDatabaseError(path)
        check = check or found < SCHEMA_VERSION
        problems = [row[0] for row in conn.execute("PRAGMA quick_check")] if check else ["ok"]
    finally:
        conn.close()
    if problems != ["ok"]:
        log.warning("quick_check failed for %s: %s", path, problems[:5])
        raise CorruptError(path)


def _made_elsewhere(conn: sqlite3.Connection, version: int) -> bool:
    """Whether the file holds another program's tables.

    Numbered (``version`` > 0): another program numbers its schema too, but every version of
    ours has the event log. Not numbered: ours is empty, or was left mid-way through its
    first migrations (each is recorded in ``_sqlite_migrations`` with the tables it made, the
    table itself possibly first).
    """
    if version > 0:
        query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'"
        return conn.execute(query).fetchone() is None
    names = {  # by table: an index or trigger counts as the table it belongs to
        row[0]
        for row in conn.execute("SELECT DISTINCT tbl_name FROM sqlite_master")
        if not row[0].startswith("sqlite_")
    }
    if names <= {"_sqlite_migrations"}:
        return False
    if "_sqlite_migrations" not in names:
        return True
    columns = {row[1] for row in conn.execute("PRAGMA table_info(_sqlite_migrations)")}
    if "migration_set" not in columns:  # another shape of table: not sqlite-utils' record
        return True
    ours = conn.execute(
        "SELECT 1 FROM _sqlite_migrations WHERE migration_set = 'rethink' LIMIT 1"
    ).fetchone()
    return ours is None


def _create_private_file(path: Path) -> None:
    """Create an empty file readable by its owner only, before SQLite gets to choose a mode."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)
    if os.name == "posix":
        os.chmod(path, 0o600)  # the umask may have removed bits; make the mode exact


def _make_private(path: Path) -> None:
    # Only ever remove access: adding the owner's write bit back would defeat a read-only copy.
    if os.name == "posix":
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            os.chmod(path, mode & 0o700)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def keep_in_place(db: Database) -> None:
    """Make sure ``db`` still writes into the file at its path; before every write.

    Deleted or moved away (its folder too), the file is written back from what the open
    connection holds, and the connection moves to it: :class:`WrittenBackError`. Replaced by
    another file, that file is left alone, what the connection holds is copied beside it,
    and writes are refused: :class:`ReplacedError`.
    """
    path, identity = db.path, db.identity
    if path is None or identity is None:
        return
    try:
        found = os.stat(path)
    except FileNotFoundError:
        found = None
    except OSError:
        return  # a drive gone, say: the write itself reports that in its own words
    if found is None:
        _write_back(db, path)
        raise WrittenBackError(path)
    if (found.st_dev, found.st_ino) != identity:
        if db.rescued is None:
            db.rescued = _rescue_beside(db, path)
        raise ReplacedError(path, db.rescued)


def _write_back(db: Database, path: Path) -> None:
    """Write what ``db`` holds to ``path``, where its file was, and move ``db`` onto it."""
    log.error("the records file was deleted or moved while open; writing it back")
    with _classified(path):
        _drop_own_sidecars(path)
        ensure_dir(path.parent)
        _copy_connection(db.conn, path)
        _fsync_dir(path.parent)
    db.adopt(open_database(path))
    for written_back in WRITTEN_BACK:
        written_back(path.parent)


def _rescue_beside(db: Database, path: Path) -> Path:
    """Copy what ``db`` holds beside the other file now at ``path``; return the copy."""
    log.error("the records file was replaced while open; copying the records beside it")
    rescued = _unused(path.with_name(f"{path.name}.rescued-{_timestamp()}"))
    with _classified(rescued, backup=True):
        _copy_connection(db.conn, rescued)
        _fsync_dir(rescued.parent)
    with _classified(path):
        _drop_own_sidecars(path)
    return rescued


def _drop_own_sidecars(path: Path) -> None:
    """Remove the ``-wal``/``-shm`` the open connection left at ``path`` once what they
    hold is safe elsewhere: SQLite would apply that WAL to whatever file is at ``path`` next
    (the other file that replaced the records, or the one written back). The connection
    keeps reading through the copies it has open."""
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _copy_connection(conn: sqlite3.Connection, path: Path) -> None:
    """Write all that ``conn`` holds into a new private file at ``path`` (SQLite's online
    backup), as one self-contained file: a rollback journal, no ``-wal`` beside it, so it
    opens read-only too (from a USB stick, say). A copy that fails leaves nothing there."""
    try:
        _create_private_file(path)
        target = sqlite3.connect(path)
        try:
            conn.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
    except BaseException:
        _remove_copy(path)
        raise


def _remove_copy(path: Path) -> None:
    """Remove a copy and the working files SQLite made beside it (the source's WAL mode
    comes with the copy, so switching it to a journal on a full drive leaves a ``-wal``
    and ``-shm``); what cannot be removed stays, and the first error is the one told."""
    for leftover in (path, *(Path(f"{path}{suffix}") for suffix in _SIDECARS)):
        with contextlib.suppress(OSError):
            leftover.unlink(missing_ok=True)


def database_path(db: Database) -> Path | None:
    """The file behind ``db`` (``None`` for an in-memory or closed database)."""
    try:
        rows = db.conn.execute("PRAGMA database_list").fetchall()
    except sqlite3.Error:
        return None
    for _seq, name, file in rows:
        if name == "main":
            return Path(file) if file else None
    return None


def _has_tables(db: Database) -> bool:
    return bool(db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])


def _try_a_write(conn: sqlite3.Connection) -> None:
    """Refuse now a file SQLite could open only for reading (its mode, IT's rights), not at
    the first action of a session. ``BEGIN IMMEDIATE`` cannot tell (SQLite quietly makes it
    a read transaction on such a file), so one harmless write is tried, then rolled back."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    conn.execute("PRAGMA busy_timeout = 0")  # someone writing now: the file is writable
    try:
        conn.execute("BEGIN")
        conn.execute(f"PRAGMA user_version = {version}")
    except sqlite3.OperationalError as exc:
        if _primary_code(exc) not in (_BUSY, _LOCKED):
            raise
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _migrate(db: Database, path: Path, *, read_only: bool) -> None:
    found = db.execute("PRAGMA user_version").fetchone()[0]
    log.debug("schema version %d in %s; this build's is %d", found, path, SCHEMA_VERSION)
    if found > SCHEMA_VERSION:  # the pre-check already refuses this; kept as a backstop
        raise NewerVersionError(path, found, SCHEMA_VERSION)
    # The number is written only after every migration ran, so an equal number means there
    # is nothing to do, without importing sqlite-utils to ask.
    if found < SCHEMA_VERSION and migrations().pending(db.utils):
        # Read-only: no copy, the migration itself fails with SQLite's own read-only error.
        if _has_tables(db) and not read_only:
            # An older database holds real records: keep a copy in case a migration goes wrong.
            name = f"{PRE_MIGRATION_PREFIX}{_timestamp()}-v{found}.sqlite"
            copy = safety_copy(db, path.parent / "backups", name, before="upgrading the records")
            log.info("copied %s to %s before migrating", path, copy)
        migrations().apply(db.utils)
    if 0 < found < 4 and not read_only:
        _restore_lost_intervals(db)
    if found < SCHEMA_VERSION:
        # After the migrations: a crash in between leaves the old number and is repaired here.
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _restore_lost_intervals(db: Database) -> None:
    """Rebuild from the log the rows of sessions that lost a pause or space before schema 4,
    with this build's code on this build's schema. A log this build cannot read is left as it
    is (logged): one session must not stop the file from opening."""
    from rethink_desktop.storage.eventlog import EventStore
    from rethink_desktop.storage.schema import sessions_missing_intervals

    store = EventStore(db)
    for session_id in sessions_missing_intervals(db):
        try:
            store.rebuild([session_id])
        except ValueError as exc:  # EventError, IllegalAction: a newer or damaged log
            log.warning("rows of one session not rebuilt: %s", type(exc).__name__)
        else:
            log.info("rebuilt the pauses and spaces of one session from its log")


def open_database(
    path: str | Path, *, create: bool = True, read_only: bool = False, check: bool = True
) -> Database:
    """Open (creating if allowed) and migrate the database at ``path``, ready for use.

    ``read_only=True`` opens through SQLite's read-only mode: nothing is created or changed
    (a file at rest is read with ``immutable``, so not even ``-wal``/``-shm`` files are made,
    as :func:`_peek`), and a database that would need migrating raises :class:`ReadOnlyError`.
    ``check=False`` skips the ``quick_check`` of an existing file (the app runs it on another
    thread after start-up when the file was closed cleanly; see :func:`closed_cleanly`).
    An open that fails on a full drive removes the empty ``-wal`` (and the ``-shm``) it made
    itself (SQLite makes them before it finds it cannot grow them): left there, they made the
    file look in use, and every later read-only open (export, backup) failed.
    """
    path = Path(path).expanduser().absolute()
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    try:
        left_before = wal.exists() or shm.exists()
    except OSError:  # a name too long, say: the open says so, and nothing is cleaned up
        left_before = True
    try:
        return _open_database(path, create=create, read_only=read_only, check=check)
    except DiskFullError:
        # Only for a full drive, the case it is for: after any other failure an empty -wal
        # that appeared meanwhile may be another program's, opening the file at that moment.
        with contextlib.suppress(OSError):
            if not left_before and wal.exists() and wal.stat().st_size == 0:
                for side in (wal, shm):
                    side.unlink(missing_ok=True)
        raise


def _open_database(path: Path, *, create: bool, read_only: bool, check: bool) -> Database:
    with _classified(path):
        if path.is_dir():  # SQLite would call it an I/O error, as if the drive had gone
            raise _a_folder(path, backup=False)
        exists = path.exists()
        if not exists and (read_only or not create):
            raise NotFoundError(path)
        if exists and not read_only:
            if _file_read_only(path) or _read_only_sidecars(path):
                # Refused before SQLite opens it: it would make a -wal and -shm with the
                # file's read-only mode and could not remove them, and they would then stop
                # the app once the file itself was made writable again.
                raise _read_only(path, backup=False)
            _roll_back_hot_journal(path)
            if path.stat().st_size == 0 and not Path(f"{path}-wal").exists():
                raise EmptyFileError(path)
        if exists and (path.stat().st_size > 0 or Path(f"{path}-wal").exists()):
            _precheck(path, check=check)
        if not read_only:
            ensure_dir(path.parent)
            if exists:
                _make_private(path)
            else:
                _create_private_file(path)
        conn = _peek(path) if read_only else sqlite3.connect(path)
    db = Database(conn, None if read_only else path)
    try:
        with _classified(path):
            db.execute("PRAGMA recursive_triggers = ON")  # as sqlite-utils sets it
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA synchronous = FULL")
            # Removed names must not linger in freed pages (and so in backups) of the file.
            db.execute("PRAGMA secure_delete = ON")
            if not read_only:
                with db.ensure_autocommit_on():
                    mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if mode != "wal":
                    # Some network drives cannot do WAL; SQLite keeps a rollback journal.
                    log.warning("journal_mode is %s, not wal, for %s", mode, path)
                _try_a_write(db.conn)
            _migrate(db, path, read_only=read_only)
    except BaseException:
        db.close()
        raise
    return db


def needs_upgrade(path: str | Path) -> bool:
    """Whether opening the file at ``path`` would upgrade its schema, which writes to it (a
    command that only reads takes the app's lock for that). False for a file that cannot
    be read: opening it says why."""
    path = Path(path).expanduser().absolute()
    try:
        conn = _peek(path)
        try:
            found = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    except (sqlite3.Error, OSError):
        return False
    return found < SCHEMA_VERSION


def open_for_reading(path: str | Path) -> Database:
    """Open an existing database to read it (an export).

    As usual first: read under SQLite's locks, so a writer beside it (the app, an import)
    never tears what is read, and the export can keep the texts it makes. Only when that
    cannot be done because the drive is full or cannot be written (nor can anyone else write
    there, then) is it opened read-only, which needs to write nothing beside it.
    """
    try:
        return open_database(path, create=False)
    except StorageError as first:
        # The failed open removed any -wal/-shm it made (a full drive), so this one finds
        # the file as it was. Whatever stopped it (full, read-only, a folder SQLite cannot
        # add to), a read-only open is tried; a file that is damaged, missing or not ours
        # fails that too, and the first, fuller reason is the one told.
        try:
            return open_database(path, read_only=True)
        except StorageError:
            raise first from None


def move_aside(path: str | Path) -> Path:
    """Rename a bad database (and its -wal/-shm) to ``<name>.corrupt-<UTC time>``; return it."""
    path = Path(path)
    target = _unused(path.with_name(f"{path.name}.corrupt-{_timestamp()}"))
    with _classified(path):
        os.rename(path, target)
        # Keep the sidecars paired with the moved file so SQLite still finds its WAL.
        for suffix in _SIDECARS:
            side = Path(f"{path}{suffix}")
            if side.exists():
                os.rename(side, Path(f"{target}{suffix}"))
    log.warning("moved damaged database %s to %s", path, target)
    return target


def open_or_recover(path: str | Path, *, check: bool = True) -> tuple[Database, Path | None]:
    """Open ``path``; if it is damaged, set it aside and start afresh.

    Returns the database and where the damaged file went (``None`` if nothing was moved);
    ``CorruptError(path, moved_to=...).message`` tells the facilitator about it. ``check``
    as for :func:`open_database` (a file that is not a database is always caught).
    """
    try:
        return open_database(path, check=check), None
    except CorruptError:
        moved_to = move_aside(path)
    return open_database(path), moved_to


def integrity_check(db: Database) -> list[str]:
    """Problems reported by ``PRAGMA integrity_check`` (empty when the file is sound)."""
    return _problems(db.conn, "integrity_check", database_path(db) or "")


def foreign_key_problems(db: Database) -> list[dict[str, Any]]:
    """Rows whose foreign key points nowhere (``PRAGMA foreign_key_check``)."""
    cursor = db.execute("PRAGMA foreign_key_check")
    return [
        {"table": table, "rowid": rowid, "parent": parent, "fkid": fkid}
        for table, rowid, parent, fkid in cursor.fetchall()
    ]


def _same_file(a: Path, b: Path) -> bool:
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable. Best effort: Windows and some network drives cannot,
    # and by now the complete file is already in place.
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _can_read_for_backup(conn: sqlite3.Connection, path: Path) -> None:
    """Read the records before the copy is written, so that a failure on their side (a full
    or read-only drive under a file left open, damage, a lock) is not told as the backup's."""
    try:
        with _classified(path):
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except (DiskFullError, ReadOnlyError) as exc:
        why = "is full" if isinstance(exc, DiskFullError) else "cannot be written"
        raise StorageError(
            f"The backup could not be made: the records ({path}) cannot be read, because the "
            f"drive they are on {why} (reading records that are open, or were not closed "
            "cleanly, needs to write a little beside them). Nothing has been changed. Free "
            "some space on that drive or ask IT for write access, then try again.",
            path,
        ) from exc.__cause__


def present(path: Path) -> bool:
    """``path.exists()``, with a name the computer cannot use (too long) as a ``StorageError``."""
    with _classified(path):
        return path.exists()


SQLITE_MAGIC = b"SQLite format 3\x00"  # the first bytes of every SQLite database file
RECORD_TABLES = frozenset({"events", "sessions"})  # a file of this app's records has both


def _holds_records(path: Path) -> bool:
    """Whether ``path`` is an SQLite file with this app's records in it (a backup, say)."""
    try:
        with open(path, "rb") as handle:
            if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
                return False
        conn = _peek(path)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except (OSError, sqlite3.Error):
        return False
    return tables >= RECORD_TABLES


def _refuse_to_replace(out: Path) -> None:
    """A backup replaces only an earlier backup (the same name night after night): never a
    device or the like, never records in use (``rethink.sqlite``, ``demo.sqlite``), never
    another kind of file."""
    if not out.exists():
        return
    if not out.is_file():
        raise StorageError(
            f"{out} is not an ordinary file (it is a device, a pipe or the like), so no "
            "backup was written there. Nothing has been changed. Choose a file name for the "
            "backup.",
            out,
        )
    # Compared whatever the capitals: "Demo.sqlite" is demo.sqlite on Windows and macOS.
    if out.name.casefold() in (RECORDS_FILE, DEMO_RECORDS_FILE):
        raise StorageError(
            f"There is already a records file at {out}, and a backup never replaces "
            "records. Nothing has been changed. Choose another name for the backup, such as "
            "rethink-backup.sqlite.",
            out,
        )
    if not _holds_records(out):
        raise StorageError(
            f"There is already a file at {out} that is not a Re-Think Desktop backup, so it "
            "was not replaced. Nothing has been changed. Choose another name for the backup, "
            "or move that file away first.",
            out,
        )


_APP_FILES = (RECORDS_FILE, DEMO_RECORDS_FILE)


def _refuse_app_names(out: Path, source: Path | None) -> None:
    """A backup never takes a name the app's own files have where the app would take it for
    them: ``demo.sqlite`` (it would become the trainers' demo, names and all), or a records
    file's ``-wal``, ``-shm`` or ``-journal`` (SQLite deletes or misreads it at the next open).
    That is in the records' folder, and beside any other records file."""
    name = out.name.casefold()  # "Demo.sqlite" is demo.sqlite on Windows and macOS
    sidecar = next((s for s in _SIDECARS if name.endswith(s)), None)
    if sidecar is None and out.exists():
        return  # records there already: ``_refuse_to_replace`` says so
    base = name[: -len(sidecar)] if sidecar else name
    records_here = (source is not None and _same_file(out.parent, source.parent)) or any(
        (out.parent / name).is_file() for name in _APP_FILES
    )
    beside = out.parent / out.name[: len(out.name) - len(sidecar or "")]
    if sidecar and ((base in _APP_FILES and records_here) or beside.is_file()):
        what = (
            f"the working file ({sidecar}) SQLite keeps beside {beside}, and a "
            "backup there would be taken for it (and deleted)"
        )
    elif not sidecar and base in _APP_FILES and records_here:
        records = "the trainers' demo records" if base == DEMO_RECORDS_FILE else "the records"
        what = f"{records} in this folder, and a backup there would be taken for them"
    else:
        return
    raise StorageError(
        f"{out} is the name of {what}, so no backup was written. Nothing has been changed. "
        "Choose another name for the backup, such as rethink-backup.sqlite.",
        out,
    )


def _refuse_demo_copy(conn: sqlite3.Connection, path: Path) -> None:
    """Raise :class:`DemoRecordsError` if the records hold any of the trainers' fictional
    sessions: real records never do (the demo has its own file, and an import leaves demo
    sessions out), so they mark a copy of the demo's file."""
    sessions = conn.execute("SELECT count(*) FROM sessions WHERE demo = 1").fetchone()[0]
    if sessions:
        raise DemoRecordsError(path, sessions)


def check_restorable(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse records that may not take the real records' place: the one check a restore
    makes of a backup and a backup makes of its copy, so no backup is written that a restore
    would then refuse. Raises :class:`NewerVersionError`, :class:`ForeignDatabaseError` (not
    this app's tables), :class:`CorruptError` or :class:`DemoRecordsError`, about ``path``;
    an ``sqlite3.DatabaseError`` if the file cannot be read as a database at all."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise NewerVersionError(path, version, SCHEMA_VERSION)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    if not tables >= RECORD_TABLES:
        raise ForeignDatabaseError(path)
    if [r[0] for r in conn.execute("PRAGMA quick_check")] != ["ok"]:
        raise CorruptError(path)
    _refuse_demo_copy(conn, path)


def _check_copy(copy: Path, source: Path) -> None:
    """Refuse a copy that a restore would refuse (:func:`check_restorable`): records that
    are empty, another program's, damaged, of a newer version or the trainers' demo are said
    to be so, rather than "backed up"."""
    error: StorageError | None = None
    try:
        conn = sqlite3.connect(_uri(copy, mode="ro"), uri=True)
        try:
            check_restorable(conn, source)
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        error = CorruptError(source)
    except StorageError as exc:
        error = exc
    if isinstance(error, ForeignDatabaseError) and source.is_file() and not source.stat().st_size:
        error = EmptyFileError(source)
    if error is not None:
        raise StorageError(f"No backup was written. {error.message}", source)


def backup_database(source: Database | str | Path, out: str | Path, *, check: bool = True) -> Path:
    """Copy a database with SQLite's online backup to ``out`` (owner-only); return ``out``.

    The copy is written under a temporary name and renamed into place, so ``out`` is either
    the old file or a complete new one; a file already at ``out`` is replaced only if it is
    an earlier backup. A path ``source`` is read without being changed. With ``check`` the
    copy is checked (``quick_check``) before it is put in place, whatever the source: the
    app's open ``Database`` may have been opened unchecked (a file at rest is checked later,
    on another thread), and damage found since must not pass as a backup, nor push good
    automatic backups out. A safety copy is not checked: it keeps the records as they are,
    damage and all, before a restore replaces them.
    """
    out = Path(out).expanduser().absolute()
    with _classified(out, backup=True):
        if out.is_dir():
            raise _a_folder(out, backup=True)
    if isinstance(source, Database):
        src_conn, src_path = source.conn, database_path(source)
    else:
        src_path = Path(source).expanduser().absolute()
        if not present(src_path):
            raise NotFoundError(src_path)
        if src_path.is_dir():
            raise _a_folder(src_path, backup=False)
        with _classified(src_path):
            src_conn = _peek(src_path)
    try:
        if src_path is not None:
            _can_read_for_backup(src_conn, src_path)
        if src_path is not None and _same_file(src_path, out):
            raise StorageError(
                f"A backup cannot be written over the database itself ({out}). Nothing has "
                "been changed. Choose another file name for the backup.",
                out,
            )
        with _classified(out, backup=True):
            _refuse_app_names(out, src_path)
            _refuse_to_replace(out)
        tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        try:
            with _classified(out, backup=True):
                ensure_dir(out.parent)
                tmp.unlink(missing_ok=True)  # left over from a crash during an earlier backup
                _copy_connection(src_conn, tmp)
                if check:
                    _check_copy(tmp, src_path or out)
                os.replace(tmp, out)
                _fsync_dir(out.parent)
        except LockedError as exc:
            raise LockedError(src_path or out) from exc.__cause__
        except NotADatabaseError as exc:
            raise NotADatabaseError(src_path or out) from exc.__cause__
        except CorruptError as exc:
            raise CorruptError(src_path or out) from exc.__cause__
        finally:
            # On a read-only folder this fails too: the first error is the one to report.
            _remove_copy(tmp)
    finally:
        if not isinstance(source, Database):
            src_conn.close()
    return out


R = TypeVar("R")


def safety_copy(source: Database | str | Path, folder: Path, name: str, *, before: str) -> Path:
    """The copy of the records kept in ``folder`` before ``before`` ("upgrading the
    records", "removing old records", "restoring a backup"): ``backup_database`` under an
    unused ``name``. A failure to write it is told as this automatic copy's, with what to do
    about it; the words for a backup someone chose ("Choose another place for the backup")
    would offer a choice no one has. A problem with the records themselves is raised as it is.
    """
    folder = Path(folder).absolute()
    try:
        return backup_database(source, _unused(folder / name), check=False)
    except StorageError as exc:
        spot = exc.path.absolute() if exc.path is not None else None
        if spot is None or not (spot == folder or folder in spot.parents or spot in folder.parents):
            raise
        in_the_way = _in_the_way(folder)
        if in_the_way != folder or (folder.exists() and not folder.is_dir()):
            why = f"{in_the_way} is a file where that folder should be"
            todo = "Move or rename that file, then try again."
        elif isinstance(exc, DiskFullError):
            why = "the drive is full"
            todo = "Free some space on it, then try again."
        elif isinstance(exc, ReadOnlyError):
            why = "that folder cannot be written"
            todo = "Ask IT for write access to it, then try again."
        else:  # unreachable, a name too long, another I/O error: the backup's words offer
            # "choose another place", which no one can here
            log.warning("safety copy failed: %s", exc.message)
            why = "that folder could not be reached or written"
            todo = "Check that its drive is connected and has room, then try again."
        message = (
            f"Before {before}, Re-Think Desktop keeps a copy of the records in {folder}, but "
            f"could not make it: {why}. Nothing has been changed. {todo}"
        )
        raise (
            type(exc)(exc.path, message)
            if isinstance(exc, DiskFullError | ReadOnlyError)
            else StorageError(message, exc.path)
        ) from exc


def reads(fn: Callable[..., R]) -> Callable[..., R]:
    """Decorate a read whose first argument is a ``Database`` (or has one as ``.db``, like
    ``EventStore``): environment failures (damaged, locked, unreadable file) arrive as
    :class:`StorageError`, as they do from :func:`transaction`; bugs stay as they are."""

    @functools.wraps(fn)
    def wrapper(target: Any, *args: Any, **kwargs: Any) -> R:
        db = target if isinstance(target, Database) else getattr(target, "db", target)
        with _classified(lambda: database_path(db) or ""):
            return fn(target, *args, **kwargs)

    return wrapper


def demo_copy_refusal(path: str | Path) -> str | None:
    """Why the records file at ``path``, about to be opened as the real records (``check``,
    the app's start), must not be: it is a copy of the demo's, in :class:`DemoRecordsError`'s
    words; else None. Read through :func:`_peek` before anything opens it (opening upgrades
    a file of an older version, and the refusal says nothing has been changed). None too for
    a file that cannot be read so: opening it says why.

    Only the first session is looked at (a scan of every one at each start cost ~2 ms at
    10,000): real records never hold a demo session (the demo has its own file, and an
    import leaves demo sessions out), and a copy of the demo's file holds nothing else."""
    path = Path(path).expanduser().absolute()
    if not path.is_file():
        return None
    try:
        conn = _peek(path)
        try:
            first = conn.execute("SELECT demo FROM sessions LIMIT 1").fetchone()
            if not first or first[0] != 1:
                return None
            _refuse_demo_copy(conn, path)
        finally:
            conn.close()
    except DemoRecordsError as exc:
        return exc.message
    except (sqlite3.Error, OSError):
        return None
    return None


@contextlib.contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """``db.atomic()`` whose environment failures arrive as :class:`StorageError`; first,
    the file at its path must still be the one written to (:func:`keep_in_place`)."""
    keep_in_place(db)
    with _classified(lambda: database_path(db) or ""), db.atomic():
        yield db


def write(db: Database, fn: Callable[[Database], T]) -> T:
    """Run ``fn(db)`` in one transaction (see :func:`transaction`) and return its result."""
    with transaction(db):
        return fn(db)


def checkpoint(db: Database) -> None:
    """Fold the WAL into the main file and empty it (after names were removed, say)."""
    try:
        with db.ensure_autocommit_on():
            busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:  # a reader held it up: the next checkpoint (at the latest, closing) folds it
            log.warning("checkpoint of the database was held up by a reader")
    except sqlite3.Error as exc:
        # Not fatal: SQLite checkpoints on its own later; the event is already durable.
        log.warning("could not checkpoint the database: %s", type(exc).__name__)
