"""Merge another installation's JSON export into this database (docs/export-format.md).

Sessions are matched by id: new ones are added, identical ones skipped, and ones that differ
from the session kept here are reported and left unchanged. The file is read as a stream,
one session at a time, so an export bigger than memory can be merged. The whole import is
one transaction: a bad file, a session that does not add up, or a cancel leaves the database
exactly as it was.

Each added session becomes one ``imported`` event carrying the session as exported; the
core rebuilds the session's state from it (``state_from_export``) and the derived rows are
written from that state, as for any other event. Before anything is written, the rows are
turned back into export form and compared with the file, so a file whose figures do not add
up (talk time that does not match its times, say) is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from rethink_desktop.core.clock import Clock, SystemClock, format_timestamp
from rethink_desktop.core.events import Event
from rethink_desktop.core.state import (
    EXPORT_FIELDS,
    FINISHED,
    IMPORT_FORMAT_VERSION,
    IllegalAction,
    reduce,
)
from rethink_desktop.reports.exports import FORMAT_NAME, FORMAT_VERSION, session_to_json
from rethink_desktop.storage.database import transaction
from rethink_desktop.storage.eventlog import EventStore, derived_rows
from rethink_desktop.storage.records import session_record
from rethink_desktop.storage.schema import DERIVED_TABLES

Progress = Callable[[int, int], bool]
"""Called with (bytes read, file size); return False to cancel."""

_READ_SIZE = 1 << 20
_BATCH = 200  # sessions per executemany batch inside the one transaction
# Fields added to format v1 after it was first published: compared only when both have them.
_OPTIONAL_FIELDS = ("checked_in_at", "abandoned_at")


class ImportFileError(ValueError):
    """The file cannot be imported; ``message`` is written for the facilitator."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ImportCancelled(Exception):
    """The user cancelled the import; nothing was changed."""


@dataclass
class ImportReport:
    """What an import did: ids added and skipped, and (id, reason) for the rest."""

    added: list[str] = field(default_factory=list)
    skipped_identical: list[str] = field(default_factory=list)
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    left_out: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        """One line for a message box or the command line."""
        parts = [
            f"{len(self.added)} added",
            f"{len(self.skipped_identical)} already here (skipped)",
            f"{len(self.conflicts)} in conflict (left unchanged)",
        ]
        if self.left_out:
            parts.append(f"{len(self.left_out)} left out (not finished, or demo)")
        return ", ".join(parts) + "."


# --- reading the file one session at a time ------------------------------------------------


class _Stream:
    """Just enough of an incremental JSON reader for the export's known top-level shape."""

    def __init__(self, handle: IO[str], size: int, progress: Progress | None) -> None:
        self.handle = handle
        self.size = size
        self.progress = progress
        self.buf = ""
        self.pos = 0
        self.read = 0
        self.eof = False
        self.decoder = json.JSONDecoder()

    def _fill(self) -> bool:
        if self.eof:
            return False
        chunk = self.handle.read(_READ_SIZE)
        if not chunk:
            self.eof = True
            return False
        self.read += len(chunk.encode("utf-8"))
        if self.pos > len(self.buf) // 2:
            self.buf, self.pos = self.buf[self.pos :], 0
        self.buf += chunk
        if self.progress is not None and not self.progress(min(self.read, self.size), self.size):
            raise ImportCancelled
        return True

    def peek(self) -> str:
        """The next character that is not white space ('' at the end of the file)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return ""

    def expect(self, char: str) -> None:
        found = self.peek()
        if found != char:
            raise _Truncated if found == "" else _Malformed
        self.pos += 1

    def value(self) -> Any:
        """Decode the next whole JSON value, reading more of the file as needed."""
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError:
                if self._fill():
                    continue
                raise _Truncated from None
            # A number at the very end of what was read may go on in the next chunk.
            if end == len(self.buf) and not isinstance(value, dict | list | str) and self._fill():
                continue
            self.pos = end
            return value


class _Truncated(Exception):
    pass


class _Malformed(Exception):
    pass


def _sessions(stream: _Stream, name: str) -> Iterator[dict[str, Any]]:
    """Check the header, then yield the sessions one at a time."""
    header: dict[str, Any] = {}
    stream.expect("{")
    while True:
        key = stream.value()
        if not isinstance(key, str):
            raise _Malformed
        stream.expect(":")
        if key == "sessions":
            _check_header(header, name)
            break
        header[key] = stream.value()
        if stream.peek() == "}":
            raise ImportFileError(f"{name} has no sessions list, so it is not a session export.")
        stream.expect(",")
    stream.expect("[")
    if stream.peek() == "]":
        stream.pos += 1
    else:
        while True:
            session = stream.value()
            if not isinstance(session, dict):
                raise _Malformed
            yield session
            if stream.peek() == "]":
                stream.pos += 1
                break
            stream.expect(",")
    # The rest of the document (closing brace, fields added after the list) is checked too,
    # so a file cut short after the last session is still refused.
    while stream.peek() == ",":
        stream.pos += 1
        stream.value()
        stream.expect(":")
        stream.value()
    stream.expect("}")
    if stream.peek() != "":
        raise _Malformed


def _check_header(header: dict[str, Any], name: str) -> None:
    fmt = header.get("format")
    if fmt != FORMAT_NAME:
        raise ImportFileError(
            f"{name} is not a Re-Think Desktop session export (its format is "
            f'{json.dumps(fmt)}, expected "{FORMAT_NAME}"). Nothing was imported.'
        )
    version = header.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ImportFileError(
            f"{name} has no valid format_version, so it cannot be read. Nothing was imported."
        )
    if version > FORMAT_VERSION:
        raise ImportFileError(
            f"{name} was exported by a newer version of Re-Think Desktop (format version "
            f"{version}; this version reads up to {FORMAT_VERSION}). Nothing was imported. "
            "Install the newer version to import it."
        )


# --- comparing ----------------------------------------------------------------------------


def _canonical(session: dict[str, Any], keys: set[str]) -> dict[str, Any]:
    """The parts of a session that decide "identical": no names, floats to the millisecond."""

    def clean(value: Any) -> Any:
        if isinstance(value, float):
            return round(value, 3)
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value

    out = {key: clean(session.get(key)) for key in sorted(keys)}
    for person in out.get("participants") or []:
        person.pop("name", None)
        person.pop("label", None)
    return out


def _compared_keys(session: dict[str, Any]) -> set[str]:
    return set(EXPORT_FIELDS) | {key for key in _OPTIONAL_FIELDS if key in session}


def _first_difference(a: Any, b: Any, here: str = "here", path: str = "") -> str:
    """Where two canonical sessions first differ, e.g. ``turns[3].seconds (12.0 here, 9.5 …)``."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                inner = f"{path}.{key}" if path else key
                return _first_difference(a.get(key), b.get(key), here, inner)
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path} ({len(a)} {here}, {len(b)} in the file)"
        for n, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, here, f"{path}[{n}]")
    shown_a, shown_b = (json.dumps(v, ensure_ascii=False) for v in (a, b))
    return f"{path} ({shown_a} {here}, {shown_b} in the file)"


def _digest(canonical: dict[str, Any]) -> str:
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- importing ----------------------------------------------------------------------------


def _label(session: dict[str, Any], n: int) -> str:
    ref = session.get("reference")
    return f"Session {n} in the file" + (f" ({ref})" if isinstance(ref, str) and ref else "")


def _record(rows: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    record = dict(rows["sessions"][0])
    for table in DERIVED_TABLES[1:]:
        record[table] = rows[table]
    return record


def import_export(
    store: EventStore,
    path: str | Path,
    *,
    keep_names: bool = False,
    clock: Clock | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Merge the JSON export at ``path`` into ``store``; see the module docstring.

    Names in the file are dropped unless ``keep_names`` (the app passes its privacy
    setting). Raises :class:`ImportFileError` (bad file; nothing changed),
    :class:`ImportCancelled` or a ``StorageError``.
    """
    path = Path(path)
    name = path.name
    at = (clock or SystemClock()).now()
    stamp = format_timestamp(at)
    report = ImportReport()
    existing = {row[0] for row in store.db.execute("SELECT id FROM sessions")}
    seen: dict[str, str] = {}  # id → digest, for sessions repeated within the file
    try:
        size = os.path.getsize(path)
        handle = open(path, encoding="utf-8")  # noqa: SIM115 - closed in the finally below
    except OSError as exc:
        raise ImportFileError(
            f"{path} cannot be read ({exc.strerror}). Nothing was imported."
        ) from exc
    events: list[tuple[str, str, str, str]] = []
    tables: dict[str, list[dict[str, Any]]] = {table: [] for table in DERIVED_TABLES}
    try:
        stream = _Stream(handle, size, progress)
        with transaction(store.db):
            for n, session in enumerate(_sessions(stream, name), start=1):
                _one(
                    store, session, n, stamp, at, keep_names, existing, seen, report, events, tables
                )
                if len(events) >= _BATCH:
                    _flush(store, events, tables)
            _flush(store, events, tables)
    except _Truncated:
        raise ImportFileError(
            f"{name} ends before the export is complete (it may have been cut short while "
            "being copied). Nothing was imported."
        ) from None
    except (_Malformed, UnicodeDecodeError):
        raise ImportFileError(
            f"{name} is not a Re-Think Desktop export (it is not a JSON session export, or it "
            "is damaged). Nothing was imported."
        ) from None
    finally:
        handle.close()
    for sid in report.added:
        store.forget(sid)
    return report


def _one(
    store: EventStore,
    session: dict[str, Any],
    n: int,
    stamp: str,
    at: Any,
    keep_names: bool,
    existing: set[str],
    seen: dict[str, str],
    report: ImportReport,
    events: list[tuple[str, str, str, str]],
    tables: dict[str, list[dict[str, Any]]],
) -> None:
    sid = session.get("id")
    if not isinstance(sid, str) or not sid:
        raise ImportFileError(f"{_label(session, n)} has no id. Nothing was imported.")
    if session.get("status") not in FINISHED:
        report.left_out.append((sid, "not finished on the other computer"))
        return
    if session.get("demo") is True:
        report.left_out.append((sid, "a demo session"))
        return
    stored = dict(session)
    if isinstance(stored.get("participants"), list):
        # The label is derived from the name; a name is kept only if the settings say so.
        stored["participants"] = [_stored_person(p, keep_names) for p in stored["participants"]]
    data = {"format_version": IMPORT_FORMAT_VERSION, "session": stored}
    try:
        event = Event("imported", at, data)
        rows = derived_rows(reduce([event]))
    except (IllegalAction, ValueError, TypeError, KeyError) as exc:
        raise ImportFileError(
            f"{_label(session, n)} cannot be imported: {exc} Nothing was imported."
        ) from exc
    keys = _compared_keys(session)
    rebuilt = _canonical(session_to_json(_record(rows)), keys)
    given = _canonical(session, keys)
    if rebuilt != given:
        raise ImportFileError(
            f"{_label(session, n)} does not add up: "
            f"{_first_difference(rebuilt, given, 'from its times')}. Nothing was imported."
        )
    digest = _digest(given)
    if sid in seen:
        if seen[sid] != digest:
            report.conflicts.append((sid, "appears twice in the file, differently"))
        return
    seen[sid] = digest
    if sid in existing:
        record = session_record(store.db, sid)
        assert record is not None
        here = _canonical(session_to_json(record), keys)
        if here == given:
            report.skipped_identical.append(sid)
        else:
            report.conflicts.append((sid, f"differs in {_first_difference(here, given)}"))
        return
    events.append((sid, "imported", stamp, event.data_json()))
    for table, table_rows in rows.items():
        tables[table] += table_rows
    report.added.append(sid)


def _stored_person(person: Any, keep_names: bool) -> Any:
    if not isinstance(person, dict):
        return person  # state_from_export refuses it with a message
    kept = {key: value for key, value in person.items() if key != "label"}
    if not keep_names:
        kept["name"] = None
    return kept


def _flush(
    store: EventStore,
    events: list[tuple[str, str, str, str]],
    tables: dict[str, list[dict[str, Any]]],
) -> None:
    if not events:
        return
    conn = store.db.conn
    conn.executemany("INSERT INTO events (session_id, kind, at, data) VALUES (?, ?, ?, ?)", events)
    for table in DERIVED_TABLES:  # parents first, for the foreign keys
        rows = tables[table]
        if rows:
            cols = list(rows[0])
            sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            conn.executemany(sql, [[row[c] for c in cols] for row in rows])
        rows.clear()
    events.clear()
