"""Merge another installation's JSON export into this database (docs/export-format.md).

Sessions are matched by id: new ones are added, identical ones skipped, and ones that differ
from the session kept here are reported and left unchanged. The file is read as a stream,
one session at a time, so an export bigger than memory can be merged. The whole import is
one transaction: a bad file, a session that does not add up, or a cancel leaves the database
exactly as it was.

Each added session becomes one ``imported`` event carrying the session as exported; the
core rebuilds the session's state from it (``state_from_export``) and the derived rows are
that state's ``derived_rows``, so ``EventStore.rebuild`` reproduces them. Before anything is
written, the rows are turned back into export form and compared with the file, so a file
whose figures do not add up (talk time that does not match its times, say) is refused.

At 10,000 sessions that full path (reduce, derive, compare whole nested dicts) would take a
minute, so a session in the form this app exports goes by a direct path instead
(:func:`_direct_rows`): it checks every field as strictly as ``state_from_export`` and the
comparison would, computes the same figures with the same functions, and builds the rows as
tuples. Anything it is not sure of (a type, a time not in this app's canonical form, a field
out of place) sends the session down the full path, which decides and words the message;
tests/reports/test_importer_direct.py checks that both paths give the same rows. The added
sessions are written in batches with :meth:`EventStore.insert_sessions` (``executemany``).
A session already here is the same if its whole log is one ``imported`` event with the data
this one would have (the same file imported again: then it is recognised by its text on its
line, before it is decoded, see :meth:`_Import.known`), else if its rows, read a batch at a
time, are those of the file; only where they differ does the full comparison decide. The
import's transaction writes through a rollback journal rather than the WAL when it can
(:func:`_bulk_settings`), and into a database with no sessions yet it creates the indexes
of the tables it fills once, at the end, rather than adding to them row by row
(:func:`_indexes_set_aside`).
"""

from __future__ import annotations

import codecs
import contextlib
import json
import logging
import os
import re
import sqlite3
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from rethink_desktop.core.agenda import SESSION_KINDS, phase_name_problem
from rethink_desktop.core.clock import (
    Clock,
    SystemClock,
    active_seconds,
    format_timestamp,
    merge_intervals,
)
from rethink_desktop.core.events import Event
from rethink_desktop.core.metrics import figures_row, talk_balance
from rethink_desktop.core.state import (
    _ATTENDANCE,
    ABANDON_REASONS,
    ATTENDED,
    EXPORT_FIELDS,
    FINISHED,
    IMPORT_FORMAT_VERSION,
    MAX_PARTICIPANTS,
    MAX_PHASES,
    MIN_PARTICIPANTS,
    QUOTED_MAX,
    RATING_FIELDS,
    WAY_FORWARD,
    IllegalAction,
    cut,
    quoted,
    ratings_withheld,
    reduce,
)
from rethink_desktop.core.validation import (
    PURPOSE_MAX,
    REFERENCE_MAX,
    VENUE_MAX,
    clean_text,
    details_problems,
    participant_problems,
    reference_problems,
)
from rethink_desktop.reports.exports import FORMAT_NAME, FORMAT_VERSION, session_to_json
from rethink_desktop.storage.database import transaction
from rethink_desktop.storage.eventlog import DERIVED_COLUMNS, EventStore, derived_rows
from rethink_desktop.storage.records import CHILD_ORDER, session_record
from rethink_desktop.storage.schema import DERIVED_TABLES

Progress = Callable[[int, int], bool]
"""Called with (bytes read, file size); return False to cancel."""

_READ_SIZE = 1 << 22  # bytes per read: fewer, larger decodes; progress is reported per read
_BATCH = 200  # sessions per executemany batch (and per look-up of sessions already here)
_LINE_MAX = 1 << 20  # longest line looked at whole for a session known by its text
# Longest session (or other value) read: this app writes tens of kB for a session; a file
# with a value running on past this is damaged, and reading it all would take minutes.
_VALUE_MAX = 50 * 1024 * 1024  # characters
# A file this big is read in two parts at once, into an empty database (``import_parts``).
_PARTS_MIN_BYTES = 32 * 1024 * 1024
_REASON_MAX = 300  # longest reason quoted from an error (the core's are a sentence)
# Fields added to format v1 after it was first published: compared only when both have them.
_OPTIONAL_FIELDS = ("checked_in_at", "abandoned_at")
# A session's id as core.session.new_id writes it (str(uuid4())): the key records merge by,
# so another spelling of the same UUID would be another session.
_SESSION_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ODD_ID = (
    "its id is not one Re-Think Desktop writes (a UUID such as "
    "3f2b8c1e-6a4d-4e0f-9b7a-2c5d8e1f4a6b), so it could not be matched with other records"
)
NOT_FINISHED, DEMO = "not finished on the other computer", "a demo session"
_IN_SHORT = {NOT_FINISHED: "not finished", DEMO: "demo", ODD_ID: "an id of another kind"}

log = logging.getLogger(__name__)


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
            why = dict.fromkeys(_IN_SHORT.get(reason, reason) for _, reason in self.left_out)
            parts.append(f"{len(self.left_out)} left out ({', '.join(why)})")
        return ", ".join(parts) + "."


# --- reading the file one session at a time ------------------------------------------------


class _Stream:
    """Just enough of an incremental JSON reader for the export's known top-level shape."""

    def __init__(self, handle: IO[bytes], size: int, progress: Progress | None) -> None:
        self.handle = handle
        self.size = size
        self.progress = progress
        # "utf-8-sig" skips a byte-order mark (as Windows Notepad writes) at the very start
        # only, even one split across reads; one anywhere else is refused, as JSON says.
        self.utf8 = codecs.getincrementaldecoder("utf-8-sig")()
        self.buf = ""
        self.pos = 0
        self.read = 0
        self.eof = False
        self.decoder = json.JSONDecoder()

    def _fill(self) -> bool:
        while not self.eof:
            chunk = self.handle.read(_READ_SIZE)
            if not chunk:
                self.eof = True
                try:
                    self.utf8.decode(b"", final=True)
                except UnicodeDecodeError:
                    # Only a character cut short is left to raise here: a byte that can
                    # never be UTF-8 raised as it was read. The file stops part-way.
                    raise _Truncated from None
                return False
            self.read += len(chunk)
            text = self.utf8.decode(chunk)
            if self.progress is not None and not self.progress(
                min(self.read, self.size), self.size
            ):
                raise ImportCancelled
            if text:  # empty only when the read ended inside one character (or the mark)
                if self.pos > len(self.buf) // 2:
                    self.buf, self.pos = self.buf[self.pos :], 0
                self.buf += text
                return True
        return False

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

    def line(self) -> str:
        """The next value's text to the end of its line, without a comma after it, when the
        value begins a line (after its indent) and the line is shorter than ``_LINE_MAX``;
        otherwise ''. Nothing is consumed: see ``skip``."""
        self.peek()
        start = self.buf.rfind("\n", max(0, self.pos - 64), self.pos)
        if start < 0 or self.buf[start + 1 : self.pos].strip(" \t\r"):
            return ""
        end = self.buf.find("\n", self.pos, self.pos + _LINE_MAX)
        while end < 0 and len(self.buf) - self.pos < _LINE_MAX and self._fill():
            end = self.buf.find("\n", self.pos, self.pos + _LINE_MAX)
        if end < 0:
            return ""
        text = self.buf[self.pos : end].rstrip(" \t\r")
        return text[:-1] if text.endswith(",") else text

    def skip(self, text: str) -> None:
        """Go past ``text``, the next value as ``line`` gave it."""
        self.pos += len(text)

    def value(self) -> Any:
        """Decode the next whole JSON value, reading more of the file as needed."""
        return self.value_and_text()[0]

    def value_and_text(self) -> tuple[Any, str]:
        """The next whole JSON value and its text as it is in the file."""
        self.peek()
        while True:
            start = self.pos
            try:
                value, end = self.decoder.raw_decode(self.buf, start)
            except json.JSONDecodeError:
                if len(self.buf) - start > _VALUE_MAX:
                    raise _TooLarge from None
                if self._fill():
                    continue
                raise _Truncated from None
            except (RecursionError, ValueError):
                # Nested deeper than Python's stack allows, or a whole number of more digits
                # than Python converts (4,300): more of the file would not make it readable.
                raise _Malformed from None
            # A number at the very end of what was read may go on in the next chunk.
            if end == len(self.buf) and not isinstance(value, dict | list | str) and self._fill():
                continue
            self.pos = end
            return value, self.buf[start:end]


class _Truncated(Exception):
    pass


class _Malformed(Exception):
    pass


class _TooLarge(Exception):
    pass


def _sessions(
    stream: _Stream, name: str, known: Callable[[str], bool], *, rest: bool = True
) -> Iterator[tuple[dict[str, Any] | None, str]]:
    """Check the header, then yield the sessions one at a time, each with its text.

    A session on a line of its own (as this app writes them) is first offered to ``known``
    as it is; if it is recognised, it is yielded as None, undecoded. ``rest=False``: the
    sessions list must be the document's last field (the first part of a file read in two,
    see ``import_parts``).
    """
    header: dict[str, Any] = {}
    stream.expect("{")
    if stream.peek() == "}":  # whole, but with nothing in it: not cut short
        raise ImportFileError(
            f"{name} is not a Re-Think Desktop export: it is an empty JSON object, with no "
            "export header and no sessions. Nothing was imported."
        )
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
            line = stream.line()
            if line and known(line):
                stream.skip(line)
                yield None, line
            else:
                session, text = stream.value_and_text()
                if not isinstance(session, dict):
                    raise _Malformed
                yield session, text
            if stream.peek() == "]":
                stream.pos += 1
                break
            stream.expect(",")
    # The rest of the document (closing brace, fields added after the list) is checked too,
    # so a file cut short after the last session is still refused.
    if not rest and stream.peek() == ",":
        raise _Malformed
    while stream.peek() == ",":
        stream.pos += 1
        stream.value()
        stream.expect(":")
        stream.value()
    stream.expect("}")
    if stream.peek() != "":
        raise _Malformed


def _shown(value: Any) -> str:
    """A value from the file as a message quotes it (core.state.quoted), written as JSON."""
    return quoted(value, lambda v: json.dumps(v, ensure_ascii=False))


def _check_header(header: dict[str, Any], name: str) -> None:
    fmt = header.get("format")
    if fmt != FORMAT_NAME:
        raise ImportFileError(
            f"{name} is not a Re-Think Desktop session export (its format is "
            f'{_shown(fmt)}, expected "{FORMAT_NAME}"). Nothing was imported.'
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
    if isinstance(session.get("status"), str) and ratings_withheld(session["status"]):
        # A file from before abandoned sessions kept their ratings back may list some; an
        # export never does now (core.state.ratings_withheld), and they are not compared.
        out["ratings"] = []
    ratings = out.get("ratings")
    if isinstance(ratings, list) and all(isinstance(r, dict) for r in ratings):
        # Their order is not part of a session: exports list them by value (since 2026-11),
        # files from before in the order given (storage.records.RATINGS_ORDER).
        out["ratings"] = sorted(ratings, key=_rating_key)
    return out


def _rating_key(rating: dict[str, Any]) -> tuple[Any, ...]:
    return tuple((value is not None, value if isinstance(value, int) else 0)
                 for value in (rating.get(q) for q in RATING_FIELDS))  # fmt: skip


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
    return f"{path} ({_shown(a)} {here}, {_shown(b)} in the file)"


# --- the direct path: rows straight from a session in this app's export form -------------

_KINDS = frozenset(SESSION_KINDS)
_REASONS = frozenset(ABANDON_REASONS)
_WAYS = frozenset(WAY_FORWARD)
_ATTENDANCES = frozenset(_ATTENDANCE)
_parse_iso = datetime.fromisoformat


class _NotDirect(Exception):
    """The session is not in a form the direct path is sure of: take the full path."""


# Times exactly as format_timestamp writes them (a year from 1000: %Y gives four digits),
# each followed by a new line. Such a time is what parse_timestamp reads it as and what
# format_timestamp writes back, so a row can keep the file's text.
_TIMES = re.compile(
    r"(?:[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-9]{2}:[0-9]{2}\.[0-9]{6}Z\n)*"
)


def _moment(text: Any, cache: dict[str, datetime]) -> datetime:
    """The moment of a time in the file, parsed once per session. Every time the direct path
    reads goes through ``cache``, and all of them are checked at the end (``_TIMES``)."""
    moment = cache.get(text)
    if moment is None:
        moment = cache[text] = _parse_iso(text)  # "Z" gives UTC, as parse_timestamp
    return moment


def _optional_time(text: Any, cache: dict[str, datetime]) -> Any:
    if text is not None:
        _moment(text, cache)
    return text


def _whole(value: Any, low: int, high: int) -> int:
    """``_int_in`` of the core, but not for the direct path instead of a message."""
    if type(value) is not int or not low <= value <= high:
        raise _NotDirect
    return value


def _same_figure(given: Any, computed: float) -> None:
    """The file's figure (talk time, a pause's length) is the one computed from its times,
    to the millisecond, exactly as the full path's comparison decides."""
    if given != computed and (type(given) is not float or round(given, 3) != round(computed, 3)):
        raise _NotDirect


_TALK = itemgetter(4, 7, 8)  # participant_id, seconds, passed of a turn row


def _direct_rows(
    s: dict[str, Any], keep_names: bool, stamp: str, now: datetime
) -> dict[str, list[tuple[Any, ...]]] | None:
    """The derived rows (tuples, ``DERIVED_COLUMNS`` order) of a finished session in export
    form, exactly as ``derived_rows(reduce([imported event]))`` gives them, when the session
    is one the full path would accept as it is; None to take the full path."""
    try:
        return _direct(s, keep_names, stamp, now)
    except (_NotDirect, KeyError, TypeError, ValueError, AttributeError, IndexError):
        return None


def _direct(
    s: dict[str, Any], keep_names: bool, stamp: str, now: datetime
) -> dict[str, list[tuple[Any, ...]]]:
    # Each check below is one that state_from_export or the comparison with the file makes,
    # made strictly: exact types (1 for true, 1.0 for 1 go the full path), exact key sets
    # (the comparison would see an extra or missing key), times as format_timestamp writes
    # them (so the rows can keep the file's text). Lookups of missing keys raise KeyError.
    cache: dict[str, datetime] = {}
    sid = s["id"]  # a non-empty string, checked by the caller
    status = s["status"]
    if s["demo"] is not False or status not in FINISHED:
        raise _NotDirect
    kind, reason, way, pulse = s["kind"], s["abandoned_reason"], s["way_forward"], s["pulse"]
    if type(kind) is not str or kind not in _KINDS:
        raise _NotDirect
    if status == "abandoned":
        if type(reason) is not str or reason not in _REASONS:
            raise _NotDirect
    elif reason is not None:  # the core ignores it, so it would not compare equal
        raise _NotDirect
    if way is not None and (type(way) is not str or way not in _WAYS):
        raise _NotDirect
    if type(pulse) is not dict or len(pulse) != 2:
        raise _NotDirect
    pulse_start, pulse_end = pulse["start"], pulse["end"]
    for value in (pulse_start, pulse_end):
        if value is not None:
            _whole(value, 1, 10)
    second_chance = s["second_chance"]
    if type(second_chance) is not bool:
        raise _NotDirect
    created = s["created_at"]
    _moment(created, cache)
    if not {"started_at", "ended_at", "completed_at"} <= s.keys():  # required by the core
        raise _NotDirect
    times = [
        _optional_time(s.get(name), cache)
        for name in ("checked_in_at", "started_at", "ended_at", "completed_at", "abandoned_at")
    ]

    # Participants: in seat order already (the core sorts them; the file must agree).
    participants = s["participants"]
    if type(participants) is not list or not (
        MIN_PARTICIPANTS <= len(participants) <= MAX_PARTICIPANTS
    ):
        raise _NotDirect
    people: list[tuple[Any, ...]] = []
    attended: list[str] = []
    last_seat = 1  # seats start at 1 and do not go down
    for p in participants:
        # id, seat, name, agency, role, label, attendance, arrived_at, left_at: no others
        if len(p) != 9 or "label" not in p:
            raise _NotDirect
        pid, seat, name, agency, role = p["id"], p["seat"], p["name"], p["agency"], p["role"]
        attendance, arrived, left = p["attendance"], p["arrived_at"], p["left_at"]
        if (
            type(pid) is not str
            or type(seat) is not int
            or not last_seat <= seat <= MAX_PARTICIPANTS
            or (name is not None and type(name) is not str)
            or type(agency) is not str
            or type(role) is not str
            or type(attendance) is not str
            or attendance not in _ATTENDANCES
        ):
            raise _NotDirect
        if arrived is not None:
            _moment(arrived, cache)
        if left is not None:
            _moment(left, cache)
        last_seat = seat
        name = name if keep_names else None
        people.append((pid, sid, seat, name, agency, role, attendance, arrived, left))
        if attendance in ATTENDED:
            attended.append(pid)
    known = {person[0] for person in people}
    if len(known) != len(people):
        raise _NotDirect

    phases = s["phases"]
    if type(phases) is not list or not 1 <= len(phases) <= MAX_PHASES:
        raise _NotDirect
    phase_rows = []
    planned = 0
    for n, ph in enumerate(phases):
        if len(ph) != 7:
            raise _NotDirect
        index, name, minutes = ph["index"], ph["name"], ph["planned_minutes"]
        allowance = ph["turn_seconds"]
        card, started, ended = ph["opening_card"], ph["started_at"], ph["ended_at"]
        if (
            type(index) is not int
            or index != n
            or type(name) is not str
            or type(minutes) is not int
            or not 1 <= minutes <= 120
            or type(allowance) is not int
            or not 15 <= allowance <= 1800
            or (card is not None and type(card) is not str)
        ):
            raise _NotDirect
        if started is not None:
            _moment(started, cache)
        if ended is not None:
            _moment(ended, cache)
        planned += minutes
        phase_rows.append((sid, n, name, minutes, allowance, card, started, ended))
    if type(s["planned_minutes"]) is not int or s["planned_minutes"] != planned:
        raise _NotDirect

    # Pauses and spaces, then the silent spans that talk time leaves out.
    intervals = []
    spans: list[tuple[datetime, datetime | None]] = []
    for interval_kind, key in (("pause", "pauses"), ("space", "spaces")):
        listed = s[key]
        if type(listed) is not list:
            raise _NotDirect
        for n, span in enumerate(listed, start=1):
            if len(span) != 3:
                raise _NotDirect
            started, ended, given = span["started_at"], span["ended_at"], span["seconds"]
            start = _moment(started, cache)
            if ended is None:
                end = seconds = None
                if given is not None:
                    raise _NotDirect
            else:
                end = _moment(ended, cache)
                seconds = round(max(0.0, (end - start).total_seconds()), 6)
                if given != seconds:
                    _same_figure(given, seconds)
            intervals.append((sid, interval_kind, started, ended, seconds, n))
            spans.append((start, end))
    # As ``derived_rows``: open spans end at the latest update, the import itself.
    silent = merge_intervals(spans, now)
    silent_ends = [span[1] for span in silent]

    turns = s["turns"]
    if type(turns) is not list:
        raise _NotDirect
    phase_count = len(phase_rows)
    turn_rows = []
    append = turn_rows.append
    get, parse = cache.get, _parse_iso
    for seq, t in enumerate(turns, start=1):
        if len(t) != 9:
            raise _NotDirect
        pid = t["participant_id"]
        phase = t["phase"]
        rnd = t["round"]
        started = t["started_at"]
        ended = t["ended_at"]
        passed = t["passed"]
        picked = t["picked"]
        second = t["second_chance"]
        if (
            pid not in known
            or type(phase) is not int
            or not 0 <= phase < phase_count
            or type(rnd) is not int
            or not 1 <= rnd <= 1_000_000
            or type(passed) is not bool
            or type(picked) is not bool
            or type(second) is not bool
        ):
            raise _NotDirect
        start = get(started)
        if start is None:
            start = cache[started] = parse(started)
        given = t["seconds"]
        if ended is None:
            seconds = None
            if given is not None:
                raise _NotDirect
        else:
            end = get(ended)
            if end is None:
                end = cache[ended] = parse(ended)
            if end <= start:
                seconds = 0.0
            else:
                # A whole number of microseconds over 10**6, correctly rounded: below 2**32
                # seconds round(…, 6) gives it back unchanged, so it is skipped.
                seconds = (end - start).total_seconds()
                if seconds >= 4e9:
                    seconds = round(seconds, 6)
                if silent:
                    # The first silent span ending after the start overlaps if it begins
                    # before the end; then the talk time is worked out as the core does.
                    at = bisect_right(silent_ends, start)
                    if at < len(silent) and silent[at][0] < end:
                        seconds = round(active_seconds(start, end, silent, end, merged=True), 6)
            if given != seconds:
                _same_figure(given, seconds)
        # Integers, as int(turn.passed) is (and sqlite3 binds a bool more slowly).
        append(
            (
                sid,
                seq,
                phase,
                rnd,
                pid,
                started,
                ended,
                seconds,
                int(passed),
                int(picked),
                int(second),
            )
        )

    cards = s["cards_shown"]
    if type(cards) is not list:
        raise _NotDirect
    card_rows = []
    for seq, c in enumerate(cards, start=1):
        if len(c) != 3:
            raise _NotDirect
        card, phase, shown = c["card_id"], c["phase"], c["shown_at"]
        if type(card) is not str or type(phase) is not int or not 0 <= phase <= MAX_PHASES:
            raise _NotDirect
        _moment(shown, cache)
        card_rows.append((sid, seq, card, phase, shown))

    ratings = s["ratings"]
    if type(ratings) is not list or len(ratings) > len(attended):
        raise _NotDirect
    rating_rows = []
    for seq, r in enumerate(ratings, start=1):
        if len(r) != len(RATING_FIELDS):
            raise _NotDirect
        values = [r[name] for name in RATING_FIELDS]
        for value in values:
            if value is not None and (type(value) is not int or not 1 <= value <= 5):
                raise _NotDirect
        rating_rows.append((sid, seq, *values))

    reference, purpose, venue = s["reference"], s["purpose"], s["venue"]
    scheduled, template = s["scheduled_for"], s["template_id"]
    if (
        type(reference) is not str
        or type(purpose) is not str
        or type(venue) is not str
        or (scheduled is not None and type(scheduled) is not str)
        or (template is not None and type(template) is not str)
    ):
        raise _NotDirect
    if not _TIMES.fullmatch("\n".join(cache) + "\n"):
        raise _NotDirect
    checked_in, started_at, ended_at, completed, abandoned = times
    names_removed = all(person[3] is None for person in people)
    session = (
        sid, kind, reference, purpose, venue, scheduled, status, 0, planned, template,
        int(second_chance), None, None, created, checked_in, started_at, ended_at, completed,
        abandoned, reason if status == "abandoned" else None, way, pulse_start, pulse_end,
        int(names_removed), stamp, talk_balance(attended, map(_TALK, turn_rows)),
    )  # fmt: skip
    figures = figures_row(sid, participants, ratings)
    return {
        "sessions": [session],
        "session_figures": [tuple(figures.values())],
        "participants": people,
        "phases": phase_rows,
        "turns": turn_rows,
        "cards_shown": card_rows,
        "ratings": rating_rows,
        "intervals": intervals,
    }


_encode = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(…, ensure_ascii=False)
_decode_at = json.JSONDecoder().raw_decode
# How this app's export begins each session: its id, a plain string.
_LEADING_ID = re.compile(r'\{"id": "([^"\\]+)", ')


def _event_data(text: str, stored: dict[str, Any]) -> str:
    """The ``imported`` event's data as JSON: ``{"format_version": 1, "session": stored}``.

    ``stored`` is the session of the file whose JSON text is ``text``, with its participants'
    labels (and, unless kept, names) left out. Encoding 20 kB per session again would cost
    half as much as reading it, so the file's own text is reused with only the participants
    list written anew, when that is safe: with no backslash in the text there are no
    escapes, so every ``"participants"`` in it is that very string, and if there is only one
    it is the session's own key; the list after it is replaced. Otherwise it is encoded.
    """
    data = _data_of_text(text, lambda _people: stored["participants"])
    if data is not None:
        return data
    event = {"format_version": IMPORT_FORMAT_VERSION, "session": stored}
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _data_of_text(text: str, people: Callable[[Any], Any]) -> str | None:
    """The event's data from the session's ``text`` with its participants list replaced by
    ``people(list in the file)``; None when that is not safe (see ``_event_data``)."""
    if not text or "\\" in text or text.count('"participants"') != 1:
        return None
    at = text.index('"participants"') + len('"participants"')
    while text[at] in " \t\r\n:":
        at += 1
    listed, end = _decode_at(text, at)
    body = text[:at] + _encode(people(listed)) + text[end:]
    return f'{{"format_version": {IMPORT_FORMAT_VERSION}, "session": {body}}}'


# --- comparing with the sessions already here ---------------------------------------------

Rows = dict[str, list[tuple[Any, ...]]]
_SAME_COLUMNS = (
    "id", "kind", "reference", "purpose", "venue", "scheduled_for", "status", "demo",
    "planned_minutes", "template_id", "second_chance", "created_at", "checked_in_at",
    "started_at", "ended_at", "completed_at", "abandoned_at", "abandoned_reason", "way_forward",
    "pulse_start", "pulse_end",
)  # fmt: skip  # the sessions columns an export shows
_session_same = itemgetter(*(DERIVED_COLUMNS["sessions"].index(c) for c in _SAME_COLUMNS))


def _same_form(rows: Rows) -> tuple[Any, ...]:
    """What "same" compares, from a session's rows, in the order an export lists them.

    Equal forms mean equal exports (names, labels and bookkeeping aside), so the full
    comparison is needed only when forms differ. Stricter than it: a talk time must match
    exactly, and both optional fields are compared.
    """
    intervals = rows["intervals"]
    return (
        _session_same(rows["sessions"][0]),
        tuple(p[:3] + p[4:] for p in rows["participants"]),  # all but the name
        tuple(rows["phases"]),
        tuple(rows["turns"]),
        tuple(rows["cards_shown"]),
        tuple(rows["ratings"]),
        tuple(i for i in intervals if i[1] == "pause"),
        tuple(i for i in intervals if i[1] == "space"),
    )


def _forms_here(store: EventStore, ids: list[str]) -> dict[str, tuple[Any, ...] | None]:
    """The same-forms of sessions kept here, one query per table for all of ``ids``, rows in
    the order ``session_record`` (and so the export) gives them.

    None for a session with two people on one seat, whose order the rows do not fix: the
    full comparison decides those.
    """
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    db = store.db
    rows: dict[str, Rows] = {}
    for values in db.execute(
        f"SELECT {', '.join(DERIVED_COLUMNS['sessions'])} FROM sessions WHERE id IN ({marks})",
        ids,
    ):
        rows[values[0]] = {table: [] for table in DERIVED_TABLES}
        rows[values[0]]["sessions"].append(values)
    for table, order in CHILD_ORDER.items():
        columns = DERIVED_COLUMNS[table]
        at = columns.index("session_id")
        for values in db.execute(
            f"SELECT {', '.join(columns)} FROM {table} WHERE session_id IN ({marks})"
            f" ORDER BY session_id, {order}",
            ids,
        ):
            rows[values[at]][table].append(values)
    forms: dict[str, tuple[Any, ...] | None] = {}
    for sid, session_rows in rows.items():
        seats = [p[2] for p in session_rows["participants"]]
        forms[sid] = _same_form(session_rows) if len(set(seats)) == len(seats) else None
    return forms


# --- what Prepare would refuse -------------------------------------------------------------

_STORED_MAX = (("reference", REFERENCE_MAX), ("purpose", PURPOSE_MAX), ("venue", VENUE_MAX))


def _prepare_problem(session: dict[str, Any]) -> str | None:
    """The first rule of Prepare that a session's typed text breaks, or None.

    Only for a session either path accepted (so its texts are strings, its participants
    objects). Prepare's checks go on the cleaned text, as Prepare makes them; a null name is
    one removed after the session. The texts are kept as the file has them, so their length
    with every space must also fit the database's limits.
    """
    people = sorted(session["participants"], key=itemgetter("seat"))
    problems = [
        *reference_problems(session["reference"]),
        *details_problems(session["purpose"], session["venue"]),
        *participant_problems(people, names_removed=True),
    ]
    if problems:
        return problems[0].message
    for number, phase in enumerate(session["phases"], start=1):
        problem = phase_name_problem(number, clean_text(phase["name"]))
        if problem is not None:
            return problem
    for key, most in _STORED_MAX:
        if len(session[key]) > most:
            return (
                f"The {key} is {len(session[key])} characters long with its spaces; "
                f"the most kept is {most}."
            )
    return None


# --- importing ----------------------------------------------------------------------------


def _label(session: dict[str, Any], n: int) -> str:
    ref = session.get("reference")
    return f"Session {n} in the file" + (
        f" ({cut(ref, QUOTED_MAX)})" if isinstance(ref, str) and ref else ""
    )


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
    try:
        size = os.path.getsize(path)
        handle = open(path, "rb")  # noqa: SIM115 - closed in the finally below
    except OSError as exc:
        raise ImportFileError(
            f"{path} cannot be read ({exc.strerror}). Nothing was imported."
        ) from exc
    at = (clock or SystemClock()).now()
    try:
        if size >= _PARTS_MIN_BYTES:
            from rethink_desktop.reports.import_parts import import_in_two

            report = import_in_two(store, path, handle, size, at, keep_names, progress)
            if report is not None:
                return report
            handle.seek(0)
        return _import_stream(store, handle, size, name, at, keep_names, progress)
    finally:
        handle.close()


def _import_stream(
    store: EventStore,
    handle: IO[bytes],
    size: int,
    name: str,
    at: datetime,
    keep_names: bool,
    progress: Progress | None,
) -> ImportReport:
    """The import of the file open as ``handle``, in this process alone."""
    job = _Import(store, at, keep_names)
    try:
        stream = _Stream(handle, size, progress)
        with _bulk_settings(store), transaction(store.db), _indexes_set_aside(store.db):
            job.read(_sessions(stream, name, job.known))
    except _Truncated:
        raise ImportFileError(
            f"{name} ends before the export is complete (it may have been cut short while "
            "being copied). Nothing was imported."
        ) from None
    except _TooLarge:
        raise ImportFileError(
            f"{name} cannot be read: a session or other value in it runs on for more than "
            f"{_VALUE_MAX // (1024 * 1024)} MB, which Re-Think Desktop never writes (the file "
            "is damaged, or it is not a Re-Think Desktop export). Nothing was imported."
        ) from None
    except (_Malformed, UnicodeDecodeError, RecursionError) as exc:
        if isinstance(exc, RecursionError):
            # A value decoded, but nested so deep that checking or quoting it ran out of
            # stack (the import's own calls are shallow): no export has one.
            log.warning("import: a value in the file is nested too deeply to be checked")
        raise ImportFileError(
            f"{name} is not a Re-Think Desktop export (it is not a JSON session export, or it "
            "is damaged). Nothing was imported."
        ) from None
    except sqlite3.IntegrityError as exc:
        # The checks above should leave nothing for the database to refuse; if they missed
        # something, the transaction is rolled back and the file refused all the same.
        log.error("the database refused an imported session", exc_info=True)
        raise ImportFileError(
            f"{name} holds a session this database cannot keep ({exc}). Nothing was imported."
        ) from exc
    return job.report


def _full_rows(
    session: dict[str, Any], stored: dict[str, Any], at: datetime, n: int
) -> tuple[Rows, str]:
    """The full path: reduce the ``imported`` event, derive its rows, compare them with the
    file; the rows as tuples and the event's data, or :class:`ImportFileError`."""
    data = {"format_version": IMPORT_FORMAT_VERSION, "session": stored}
    try:
        event = Event("imported", at, data)
        rows = derived_rows(reduce([event]))
    except (IllegalAction, ValueError, TypeError, KeyError) as exc:
        # The core's own messages quote values cut short; anything else is cut here.
        raise ImportFileError(
            f"{_label(session, n)} cannot be imported: {cut(str(exc), _REASON_MAX)} "
            "Nothing was imported."
        ) from exc
    keys = _compared_keys(session)
    rebuilt = _canonical(session_to_json(_record(rows)), keys)
    given = _canonical(session, keys)
    if rebuilt != given:
        raise ImportFileError(
            f"{_label(session, n)} does not add up: "
            f"{_first_difference(rebuilt, given, 'from its times')}. Nothing was imported."
        )
    tuples = {
        table: [tuple(row[c] for c in DERIVED_COLUMNS[table]) for row in table_rows]
        for table, table_rows in rows.items()
    }
    return tuples, event.data_json()


_IMPORT_CACHE_KIB = 64 * 1024
# The tables an import writes to (whose indexes it may set aside, see below).
_WRITTEN_TABLES = ("events", *DERIVED_TABLES)


@contextlib.contextmanager
def _indexes_set_aside(db: Any) -> Iterator[None]:
    """Inside the import's transaction: when the database holds no session at all (a new
    data folder), drop the indexes of the tables the import writes and create them again,
    from their own text in ``sqlite_master``, before the transaction commits.

    The ids are UUIDs, so each row added to an index keyed by session goes to a random
    place in it; creating the index afterwards sorts all its rows once instead (10,000
    sessions: ~1 s less). Only into an empty database: there the import reads nothing back
    (no session is already here), and the indexes hold only what it added. Into one that
    has sessions, the import looks up those already here by these indexes, so they stay.
    On an error or a cancel nothing is created again: the rollback puts the indexes back
    with everything else. The constraints' own indexes (primary keys) are never dropped.
    """
    indexes: list[tuple[str, str]] = []
    if _is_empty(db):
        marks = ", ".join("?" for _ in _WRITTEN_TABLES)
        indexes = db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            f" AND tbl_name IN ({marks}) ORDER BY rowid",
            _WRITTEN_TABLES,
        ).fetchall()
        for name, _ in indexes:
            db.execute(f"DROP INDEX {_quoted_name(name)}")
    yield
    for _, sql in indexes:
        db.execute(sql)


def _is_empty(db: Any) -> bool:
    """Whether the database holds no session and no event at all (a new data folder)."""
    return not db.execute(
        "SELECT EXISTS (SELECT 1 FROM events) OR EXISTS (SELECT 1 FROM sessions)"
    ).fetchone()[0]


def _quoted_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@contextlib.contextmanager
def _bulk_settings(store: EventStore) -> Iterator[None]:
    """For the import's one transaction: a rollback journal instead of the WAL, a bigger
    page cache, and no foreign key checks.

    A large import adds hundreds of megabytes in one transaction. In WAL mode every page is
    written twice, to the log at the commit and again into the file at the checkpoint that
    follows; with a rollback journal the new pages go straight into the file, and the journal
    holds only the few pages that were there before (10,000 sessions: a commit of ~0.5 s
    instead of ~2.5 s). The commit is as durable (``synchronous`` stays FULL), and a crash
    mid-way leaves the journal that rolls the import back at the next open. The switch needs
    the file to itself: if another connection has it open, the import runs in WAL mode.

    With SQLite's default 2 MB cache, pages are spilled and written again. Each row the
    importer writes satisfies its foreign keys by construction (a session's rows follow its
    sessions row in the same batch; every turn's participant is one of that session's, as
    the core checks), so checking each against its parents is left out. Everything is put
    back afterwards; inside a transaction they cannot change, so a caller's keeps its own.
    """
    db = store.db
    conn = db.conn
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    keys = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    journal = None if conn.in_transaction else _journal_mode(db, "DELETE", wait=False)
    conn.execute(f"PRAGMA cache_size = {-_IMPORT_CACHE_KIB}")
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA foreign_keys = {int(keys)}")
        conn.execute(f"PRAGMA cache_size = {int(cache)}")
        conn.execute("PRAGMA shrink_memory")
        if journal is not None:
            _journal_mode(db, journal, wait=True)


def _journal_mode(db: Any, mode: str, *, wait: bool) -> str | None:
    """Set the journal mode of a WAL database to ``mode`` (or back to ``WAL``); return the
    mode it had, or None when it was not changed (not WAL, or another connection has it).

    ``wait``: as long as the connection's busy timeout (putting WAL back); otherwise a
    file in use elsewhere is left as it is at once.
    """
    conn = db.conn
    before = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if mode.lower() != "wal" and before.lower() != "wal":
        return None
    timeout = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    try:
        if not wait:
            conn.execute("PRAGMA busy_timeout = 0")
        with db.ensure_autocommit_on():
            after = conn.execute(f"PRAGMA journal_mode = {mode}").fetchone()[0]
    except sqlite3.OperationalError:  # busy: another connection has the file
        after = before
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    if after.lower() != mode.lower():
        if wait:  # still durable; the next start-up sets WAL again
            log.warning("the journal mode stays %s after the import (file in use)", after)
        return None
    return str(before)


@dataclass(frozen=True, slots=True)
class _Recognised:
    """A session here that ``known`` found the same by its text: skipped as identical."""

    sid: str


@dataclass(frozen=True, slots=True)
class _Repeat:
    """An id that came earlier in the file with other contents: a conflict."""

    sid: str


@dataclass(frozen=True, slots=True)
class _AlreadyHere:
    """A session whose id is here already: the same (skipped) or not (a conflict)."""

    sid: str
    session: dict[str, Any]
    form: Any  # its rows in same-form (``_same_form``)
    text: str
    stored: dict[str, Any]
    data: str | None  # its ``imported`` event's data, when the full path made it


class _Import:
    """One import's batches: sessions to add, and decisions waiting for rows kept here."""

    def __init__(self, store: EventStore, at: datetime, keep_names: bool) -> None:
        self.store = store
        self.at = at
        self.stamp = format_timestamp(at)
        self.keep_names = keep_names
        self.report = ImportReport()
        self.existing = {row[0] for row in store.db.execute("SELECT id FROM sessions")}
        # id → hash of its same-form, for repeats in the file (its text, if ``known`` took it)
        self.seen: dict[str, int | str] = {}
        self.events: list[tuple[str, str, str, str]] = []
        self.tables: Rows = {table: [] for table in DERIVED_TABLES}
        # Decided at the next flush, in file order.
        self.pending: list[_Recognised | _Repeat | _AlreadyHere] = []

    def add(self, session: dict[str, Any], text: str, n: int) -> None:
        sid = session.get("id")
        if not isinstance(sid, str) or not sid:
            raise ImportFileError(f"{_label(session, n)} has no id. Nothing was imported.")
        if session.get("demo") is True:  # first: a demo's meeting never comes in, finished or not
            self.report.left_out.append((sid, DEMO))
            return
        if session.get("status") not in FINISHED:
            self.report.left_out.append((sid, NOT_FINISHED))
            return
        if not _SESSION_ID.fullmatch(sid) and sid not in self.existing:
            # Left out, not the whole file refused: an earlier build took any id, so such a
            # session may be in another laptop's records and every export of them. One here
            # already (taken in by such a build) is compared as usual.
            self.report.left_out.append((sid, ODD_ID))
            return
        stored = self._stored(session)
        if len(stored) != len(session):
            text = ""  # the file's own text holds the dropped fields: encode ``stored`` instead
        rows = _direct_rows(session, self.keep_names, self.stamp, self.at)
        data = None
        if rows is None:
            rows, data = _full_rows(session, stored, self.at, n)
        form = _same_form(rows)
        key = _form_key(session, form)
        if sid in self.seen:
            first = self.seen[sid]
            if isinstance(first, str):  # recognised by its text, never decoded
                first = self.seen[sid] = self._key_of_text(first)
            if first != key:
                self.pending.append(_Repeat(sid))
            return
        self.seen[sid] = key
        if sid in self.existing:
            self.pending.append(_AlreadyHere(sid, session, form, text, stored, data))
        else:
            problem = _prepare_problem(session)
            if problem is not None:
                raise ImportFileError(
                    f"{_label(session, n)} cannot be imported, as Prepare would refuse it: "
                    f"{problem} Nothing was imported."
                )
            if data is None:
                data = _event_data(text, stored)
            self.events.append((sid, "imported", self.stamp, data))
            for table, table_rows in rows.items():
                self.tables[table] += table_rows
            self.report.added.append(sid)
        if len(self.events) + len(self.pending) >= _BATCH:
            self.flush()

    def _stored(self, session: dict[str, Any]) -> dict[str, Any]:
        """The session as its ``imported`` event keeps it.

        Only the documented fields are kept: anything else in the file (a note, a name) is
        dropped, so it can never end up in the log where names removal would not reach it.
        """
        known = _compared_keys(session)
        stored = {key: value for key, value in session.items() if key in known}
        if isinstance(stored.get("participants"), list):
            # The label is derived from the name; a name is kept only if the settings say so.
            stored["participants"] = self._people(stored["participants"])
        return stored

    def _people(self, listed: Any) -> Any:
        return [_stored_person(p, self.keep_names) for p in listed]

    def known(self, text: str) -> bool:
        """Whether ``text``, a session's text in the file, is that of a session already here
        whose whole log is the one ``imported`` event this text would give, word for word.

        That is the commonest case of all (the same file imported again), and then the
        session is skipped as identical without being decoded or checked at all: the event
        was written from the same text when it passed every check. Anything else is decoded
        and goes the usual way.
        """
        match = _LEADING_ID.match(text)
        if match is None:
            return False
        sid = match.group(1)
        if sid not in self.existing or sid in self.seen:
            return False
        logged = _imported_data(self.store.db, [sid]).get(sid)
        if logged is None:
            return False
        try:
            data = _data_of_text(text, self._people)
        except (ValueError, TypeError, AttributeError, IndexError, RecursionError):
            return False  # not even the list: decoded in full, it is refused with words
        if data is None or data != logged:
            return False
        self.seen[sid] = text
        self.pending.append(_Recognised(sid))
        if len(self.events) + len(self.pending) >= _BATCH:
            self.flush()
        return True

    def _key_of_text(self, text: str) -> int:
        """The same-form key ``add`` gives the session of ``text`` (a session ``known``
        recognised), for a repeat of it later in the file."""
        session = json.loads(text)
        rows = _direct_rows(session, self.keep_names, self.stamp, self.at)
        if rows is None:
            rows = _full_rows(session, self._stored(session), self.at, 0)[0]
        return _form_key(session, _same_form(rows))

    def read(self, sessions: Iterator[tuple[dict[str, Any] | None, str]]) -> None:
        """Add each session ``_sessions`` yields (None: one ``known`` took), then flush."""
        for n, (session, text) in enumerate(sessions, start=1):
            if session is not None:
                self.add(session, text, n)
        self.flush()

    def flush(self) -> None:
        if self.pending:
            self._decide()
        if self.events:
            self.store.insert_sessions(self.events, self.tables)
            self.events.clear()
            for table_rows in self.tables.values():
                table_rows.clear()

    def _decide(self) -> None:
        """Skip or report each session already here, and each differing repeat, in order.

        Cheapest first: a session here whose whole log is one ``imported`` event with the
        very data this one would have (the same file imported again) is the same; then
        rows read a batch at a time (:func:`_forms_here`); only where those differ does the
        full comparison decide, and say where they differ.
        """
        db = self.store.db
        waiting = [item for item in self.pending if isinstance(item, _AlreadyHere)]
        logged = _imported_data(db, [item.sid for item in waiting])
        same = {
            item.sid
            for item in waiting
            if item.sid in logged
            and logged[item.sid] == (item.data or _event_data(item.text, item.stored))
        }
        here = _forms_here(self.store, [item.sid for item in waiting if item.sid not in same])
        report = self.report
        for item in self.pending:
            sid = item.sid
            if isinstance(item, _Recognised):
                report.skipped_identical.append(sid)
                continue
            if isinstance(item, _Repeat):
                report.conflicts.append((sid, "appears twice in the file, differently"))
                continue
            if sid in same or here.get(sid) == item.form:
                report.skipped_identical.append(sid)
                continue
            keys = _compared_keys(item.session)
            record = session_record(db, sid)
            assert record is not None
            kept = _canonical(session_to_json(record), keys)
            given = _canonical(item.session, keys)
            if kept == given:
                report.skipped_identical.append(sid)
            else:
                report.conflicts.append((sid, f"differs in {_first_difference(kept, given)}"))
        self.pending.clear()


def _form_key(session: Mapping[str, Any], form: Any) -> int:
    """What two sessions of one id in a file must share to be the same: which optional
    fields they have, and their rows in same-form (see ``_same_form``)."""
    return hash((tuple(name in session for name in _OPTIONAL_FIELDS), form))


def _imported_data(db: Any, ids: list[str]) -> dict[str, str]:
    """The data of each of ``ids`` whose whole log is one ``imported`` event."""
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    single = [
        sid
        for sid, count in db.execute(
            f"SELECT session_id, count(*) FROM events WHERE session_id IN ({marks})"
            " GROUP BY session_id",
            ids,
        )
        if count == 1
    ]
    if not single:
        return {}
    marks = ", ".join("?" for _ in single)
    return dict(
        db.execute(
            f"SELECT session_id, data FROM events WHERE kind = 'imported'"
            f" AND session_id IN ({marks})",
            single,
        ).fetchall()
    )


def _stored_person(person: Any, keep_names: bool) -> Any:
    if not isinstance(person, dict):
        return person  # state_from_export refuses it with a message
    kept = {key: value for key, value in person.items() if key != "label"}
    if not keep_names:
        kept["name"] = None
    return kept
