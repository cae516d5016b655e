"""A large export read in two parts at once, into a database with no session yet.

Most of an import's time is Python's: decoding the JSON and checking each session, on one
CPU. Into an empty database (a partnership's new dashboard laptop taking in its facilitators'
records), a file laid out as this app writes it (one session per line) is cut at a line
near its middle: this process imports the first half as usual, while a second process
(``multiprocessing``, started fresh with "spawn") imports the second half, with the same
code and the same import time, into a scratch database of the same tables in a hidden
folder beside the records (removed at the end, or by the next import after a crash). Then,
in this process's one transaction, the second half's rows are copied in after the first
half's (``INSERT … SELECT``), the indexes are made, and it commits.

The result is the one reading the file in one go gives, row for row and id for id (the
rows arrive in file order), and so is the report. Anything unusual sends the whole file
down the ordinary path instead, from the start, which then decides and words any message:
a file not in this app's layout, the other process failing or not starting, a session id
in both halves, anything the cut itself could have caused. A cancel stops both processes;
nothing is kept.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import fields
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any

from rethink_desktop.reports.importer import (
    _LINE_MAX,
    _WRITTEN_TABLES,
    ImportCancelled,
    ImportReport,
    Progress,
    _bulk_settings,
    _Import,
    _indexes_set_aside,
    _is_empty,
    _Malformed,
    _quoted_name,
    _sessions,
    _Stream,
    _TooLarge,
    _Truncated,
)
from rethink_desktop.storage.database import Database, transaction
from rethink_desktop.storage.eventlog import EventStore

log = logging.getLogger(__name__)

# How this app writes the sessions list: one session per line, indented by four spaces.
_FIRST = b'  "sessions": [\n    {"id": "'
_NEXT = b'},\n    {"id": "'  # the end of one session's line and the start of the next
_LAST = b"}\n  ]\n}\n"  # the last session's end, then the end of the list and of the file
_CLOSE = b"\n  ]\n}\n"  # what ends the first part, in place of the comma after its last line
_PART = "rethink_part"  # the second part's database, attached for the copy
_SCRATCH = ".rethink-import-"  # its folder, beside the records while an import runs
_POLL = 0.1  # seconds between looks at the other process while waiting for it


class _ReadInOne(Exception):
    """Something the two parts cannot decide: the whole file is read in one go."""


def import_in_two(
    store: EventStore,
    path: Path,
    handle: IO[bytes],
    size: int,
    at: datetime,
    keep_names: bool,
    progress: Progress | None,
) -> ImportReport | None:
    """Import the file in two parts at once, or None when it should be read in one go
    (nothing has changed then). Raises as ``import_export`` does."""
    db = store.db
    if (
        _cpus() < 2
        or store.path is None
        or db.conn.in_transaction
        or not _is_empty(db)
        or (cut := _cut(handle, size)) is None
    ):
        return None
    head, split = cut
    identity = _identity(handle)
    records_folder = store.path.parent
    _sweep(records_folder)
    try:
        # A folder that cannot be removed at the end (another program holding the file, on
        # Windows) is not the import's failure: it is said in the log, and swept next time.
        folder = tempfile.TemporaryDirectory(
            prefix=_SCRATCH, dir=records_folder, ignore_cleanup_errors=True
        )
    except OSError:  # no room, or the folder refuses a new one: one go
        log.warning("import: the second part could not be started", exc_info=True)
        return None
    with folder as tmp:
        scratch = Path(tmp) / "part.sqlite"
        pipe = None
        try:
            _scratch_database(db, scratch)
            context = multiprocessing.get_context("spawn")
            pipe = receiving, sending = context.Pipe(duplex=False)
            worker = context.Process(
                target=_read_part,
                args=(str(path.absolute()), identity, [(0, head), (split, size)],
                      str(scratch), at, keep_names, sending),
                name="rethink-import-part",
                daemon=True,
            )  # fmt: skip
            worker.start()
        except Exception:  # no second process here (or no room for its file): one go
            log.warning("import: the second part could not be started", exc_info=True)
            for end in pipe or ():
                end.close()
            return None
        sending.close()
        other = _Other(worker, receiving)
        try:
            report = _first_part(store, handle, identity, path.name, size, split, scratch,
                                 other, at, keep_names, progress)  # fmt: skip
        finally:
            other.stop()
    if Path(tmp).exists():
        log.warning("import: could not remove %s; the next import will", Path(tmp).name)
    if report is not None:
        log.info("import: read in two parts at once (%d and %d bytes)", split, size - split)
    return report


def _cpus() -> int:
    """The CPUs this process may run on (a container or an affinity mask may allow fewer
    than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Windows or macOS
        return os.cpu_count() or 1


def _sweep(folder: Path) -> None:
    """Remove scratch folders an import left beside the records when it was killed (they
    hold records too). Only one import at a time uses a data folder (the app's lock)."""
    for left in folder.glob(f"{_SCRATCH}*"):
        shutil.rmtree(left, ignore_errors=True)
        if left.exists():
            log.warning("import: could not remove %s, left by an earlier import", left.name)


def _identity(handle: IO[bytes]) -> tuple[int, int, int, int]:
    """Which file ``handle`` is, and as it is now: the second process reads it by name and
    must find the same file, unchanged."""
    found = os.fstat(handle.fileno())
    return found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns


def _cut(handle: IO[bytes], size: int) -> tuple[int, int] | None:
    """(where the first session's line begins, where the line the second part begins with
    begins) in a file laid out as this app writes it; None otherwise."""
    handle.seek(0)
    found = handle.read(64 * 1024).find(_FIRST)
    handle.seek(max(0, size - len(_LAST)))
    if found < 0 or handle.read() != _LAST:
        return None
    head = found + len(_FIRST) - len(b'    {"id": "')
    middle = max(head, size * 52 // 100)
    handle.seek(middle)
    found = handle.read(2 * _LINE_MAX).find(_NEXT)
    if found < 0:
        return None
    split = middle + found + len(b"},\n")
    return (head, split) if split < size - len(_LAST) else None


def _scratch_database(db: Database, scratch: Path) -> None:
    """A new database at ``scratch`` with the tables an import writes, as they are here
    (no indexes: it is only read once, whole)."""
    marks = ", ".join("?" for _ in _WRITTEN_TABLES)
    tables = db.execute(
        f"SELECT sql FROM sqlite_master WHERE type = 'table' AND name IN ({marks})",
        _WRITTEN_TABLES,
    ).fetchall()
    with contextlib.closing(sqlite3.connect(scratch)) as conn:
        for (sql,) in tables:
            conn.execute(sql)
        conn.commit()


class _View:
    """Stretches of a file and pieces of text read one after the other, as one file."""

    def __init__(self, handle: IO[bytes], parts: Sequence[tuple[int, int] | bytes]) -> None:
        self.handle = handle
        self.parts = list(parts)
        self.size = sum(len(p) if isinstance(p, bytes) else p[1] - p[0] for p in self.parts)
        self.at: int | None = None  # where in the current stretch the next read starts

    def read(self, n: int) -> bytes:
        while self.parts:
            part = self.parts[0]
            if isinstance(part, bytes):
                self.parts.pop(0)
                if part:
                    return part
                continue
            start, end = part
            at = start if self.at is None else self.at
            if at < end:
                self.handle.seek(at)
                chunk = self.handle.read(min(n, end - at))
                if chunk:
                    self.at = at + len(chunk)
                    return chunk
                self.parts.clear()  # the file is shorter than it was: it ends here
                break
            self.parts.pop(0)
            self.at = None
        return b""


def _read_part(
    path: str,
    identity: tuple[int, int, int, int],
    parts: list[tuple[int, int]],
    scratch: str,
    at: datetime,
    keep_names: bool,
    sending: Connection,
) -> None:
    """The second process: import ``parts`` of the file into the scratch database; send
    the bytes read as it goes, then the report (or a line saying what went wrong)."""
    logging.getLogger().addHandler(logging.NullHandler())  # the first process words it all
    started = time.perf_counter()
    conn = None
    try:
        conn = sqlite3.connect(scratch)
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -65536"):
            conn.execute(f"PRAGMA {pragma}")
        store = EventStore(Database(conn))
        with open(path, "rb") as handle:
            if _identity(handle) != identity:  # replaced or changed since the cut
                raise OSError(f"{Path(path).name} is not the file the first process read")
            view = _View(handle, parts)

            # The bytes of its own stretch read, not of the header both parts read.
            header = parts[0][1] - parts[0][0] if len(parts) > 1 else 0

            def told(done: int, _size: int) -> bool:
                sending.send(max(0, done - header))
                return True

            job = _Import(store, at, keep_names)
            with transaction(store.db):
                job.read(_sessions(_Stream(view, view.size, told), Path(path).name, job.known))
        sending.send((job.report, time.perf_counter() - started))
    except BaseException as exc:
        with contextlib.suppress(Exception):
            sending.send(f"{type(exc).__name__}: {exc}")
    finally:
        if conn is not None:
            conn.close()
        sending.close()


class _Other:
    """The second process, as the first sees it: bytes read, then its report."""

    def __init__(self, worker: Any, receiving: Connection) -> None:
        self.worker = worker
        self.receiving = receiving
        self.read = 0
        self.report: ImportReport | None = None
        self.failed: str | None = None
        self.seconds = 0.0  # how long it took, once it is done

    def take(self) -> None:
        """Everything it has sent so far, without waiting."""
        try:
            while self.report is None and self.failed is None and self.receiving.poll():
                message = self.receiving.recv()
                if isinstance(message, int):
                    self.read = message
                elif isinstance(message, tuple):
                    self.report, self.seconds = message
                else:
                    self.failed = str(message)
        except (EOFError, OSError):  # it has gone without a word
            self._gone()

    def _gone(self) -> None:
        self.worker.join(5)
        self.failed = f"it ended with status {self.worker.exitcode}"

    def wait(self, told: Callable[[], bool]) -> ImportReport | None:
        """Its report, once it is done (``told`` keeps the progress shown meanwhile; False
        from it cancels: :class:`ImportCancelled`); None if it failed."""
        while True:
            self.take()
            if self.failed is not None:
                log.warning("import: the second part failed (%s); reading it all in one go",
                            self.failed)  # fmt: skip
                return None
            if self.report is not None:
                self.worker.join(10)
                # All of the file read: the bar shows it before the copy (a cancel still
                # counts here, as it does at the one go's last read).
                if not told():
                    raise ImportCancelled
                return self.report
            if not self.worker.is_alive() and not self.receiving.poll():
                self._gone()
                continue
            if not told():
                raise ImportCancelled
            self.receiving.poll(_POLL)

    def stop(self) -> None:
        if self.worker.is_alive():
            self.worker.terminate()
        self.worker.join(10)
        self.receiving.close()


def _first_part(
    store: EventStore,
    handle: IO[bytes],
    identity: tuple[int, int, int, int],
    name: str,
    size: int,
    split: int,
    scratch: Path,
    other: _Other,
    at: datetime,
    keep_names: bool,
    progress: Progress | None,
) -> ImportReport | None:
    """This process's half, then the other's rows copied in; None to read it all in one go."""
    db = store.db
    view = _View(handle, [(0, split - len(b",\n")), _CLOSE])
    mine = 0

    def told(done: int | None = None, _size: int = 0) -> bool:
        nonlocal mine
        mine = mine if done is None else done
        other.take()
        # Each part's own bytes of the file, so the bar reaches the end only when both have
        # read all of theirs (this part's view ends with a few bytes of its own).
        return progress is None or progress(min(size, min(mine, split) + other.read), size)

    job = _Import(store, at, keep_names)
    try:
        # The journal switch and ATTACH go before the transaction, as SQLite wants.
        with (
            _bulk_settings(store),
            _attached(db, scratch),
            transaction(db),
            _indexes_set_aside(db),
        ):
            started = time.perf_counter()
            job.read(_sessions(_Stream(view, view.size, told), name, job.known, rest=False))
            read = time.perf_counter()
            theirs = other.wait(told)
            if theirs is None or _identity(handle) != identity:  # or changed since
                raise _ReadInOne
            waited = time.perf_counter()
            _copy_part(db)
            copied = time.perf_counter()
    except (_ReadInOne, _Truncated, _Malformed, _TooLarge, UnicodeDecodeError, RecursionError,
            sqlite3.IntegrityError):  # fmt: skip
        log.info("import: reading the file in one go after all")
        return None
    log.debug(
        "import: first part %.2f s, second %.2f s (waited %.2f s), copied in %.2f s, "
        "indexes and commit %.2f s", read - started, other.seconds, waited - read,
        copied - waited, time.perf_counter() - copied,
    )  # fmt: skip
    return ImportReport(
        *(getattr(job.report, f.name) + getattr(theirs, f.name) for f in fields(ImportReport))
    )


@contextlib.contextmanager
def _attached(db: Database, scratch: Path) -> Iterator[None]:
    """The scratch database attached to the records' connection (outside a transaction,
    as SQLite wants), for the copy; detached afterwards, whatever happened."""
    try:
        db.execute(f"ATTACH DATABASE ? AS {_PART}", [str(scratch)])
    except sqlite3.Error:
        log.warning("import: the second part's database could not be attached")
        raise _ReadInOne from None
    try:
        yield
    finally:
        try:
            db.execute(f"DETACH DATABASE {_PART}")
        except sqlite3.Error:  # closed with the connection at the latest
            log.warning("import: the second part's database stayed attached")


def _copy_part(db: Database) -> None:
    """The second part's rows after the first's, in the order they were written there
    (so they get the ids reading the file in one go gives them).

    It reads the scratch file inside the records' transaction, whose errors are worded as
    the records file's: a scratch file damaged or held by another program would be reported
    as damaged or locked records. So any error but a row refused (``IntegrityError``) sends
    the file down the one go, which words whatever is really wrong with the records."""
    try:
        _copy_rows(db)
    except sqlite3.IntegrityError:
        raise
    except sqlite3.Error:
        log.warning("import: the second part could not be copied in", exc_info=True)
        raise _ReadInOne from None


def _copy_rows(db: Database) -> None:
    clash = db.execute(
        f"SELECT EXISTS (SELECT 1 FROM {_PART}.sessions WHERE id IN (SELECT id FROM main.sessions))"
    ).fetchone()[0]
    if clash:  # a session in both halves: the one go compares the second with the first
        raise _ReadInOne
    for table in _WRITTEN_TABLES:  # parents first
        columns = db.execute(f"PRAGMA main.table_info({_quoted_name(table)})").fetchall()
        keys = [column for column in columns if column[5]]
        # An INTEGER PRIMARY KEY is the rowid: left for SQLite to number on, as one go does.
        numbered = len(keys) == 1 and keys[0][2].upper() == "INTEGER"
        listed = ", ".join(
            _quoted_name(column[1]) for column in columns if not (numbered and column[5])
        )
        sql = db.execute(
            "SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?", [table]
        ).fetchone()[0]
        order = "" if sql.rstrip().upper().endswith("WITHOUT ROWID") else " ORDER BY rowid"
        db.execute(
            f"INSERT INTO main.{_quoted_name(table)} ({listed}) "
            f"SELECT {listed} FROM {_PART}.{_quoted_name(table)}{order}"
        )
