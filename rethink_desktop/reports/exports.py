"""JSON and CSV exports of session records (docs/export-format.md); one path for app and CLI."""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import logging
import os
import sqlite3
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from rethink_desktop.core.clock import SystemClock, format_timestamp
from rethink_desktop.core.state import FINISHED, ratings_withheld
from rethink_desktop.storage.database import Database, StorageError, transaction
from rethink_desktop.storage.eventlog import DERIVED_COLUMNS
from rethink_desktop.storage.records import (
    CHILD_ORDER,
    RATINGS_SHOWN,
    chunked,
    export_session_ids,
)

FORMAT_NAME = "rethink-sessions"
FORMAT_VERSION = 1
FORMATS = ("json", "csv", "pdf")

log = logging.getLogger(__name__)

Progress = Callable[[int, int], bool]
"""Called with (done, total); return False to cancel."""


class ExportCancelled(Exception):
    """The user cancelled a long export; no file was written."""


def _utc(value: str | None) -> str | None:
    """Timestamps in the database are already ISO 8601 UTC with a trailing Z."""
    return value


def anonymous_label(agency: str, role: str) -> str:
    return f"{agency} · {role}" if role else agency


def session_to_json(record: dict[str, Any], *, anonymise: bool = False) -> dict[str, Any]:
    """One session in export format v1."""
    return {
        "id": record["id"],
        "kind": record["kind"],
        "reference": record["reference"],
        "purpose": record["purpose"],
        "venue": record["venue"],
        "scheduled_for": record["scheduled_for"],
        "status": record["status"],
        "demo": bool(record["demo"]),
        "planned_minutes": record["planned_minutes"],
        "template_id": record["template_id"],
        "second_chance": bool(record["second_chance"]),
        "created_at": _utc(record["created_at"]),
        "checked_in_at": _utc(record["checked_in_at"]),
        "started_at": _utc(record["started_at"]),
        "ended_at": _utc(record["ended_at"]),
        "completed_at": _utc(record["completed_at"]),
        "abandoned_at": _utc(record["abandoned_at"]),
        "abandoned_reason": record["abandoned_reason"],
        "way_forward": record["way_forward"],
        "pulse": {"start": record["pulse_start"], "end": record["pulse_end"]},
        "participants": [
            {
                "id": p["id"],
                "seat": p["seat"],
                "name": None if anonymise else p["name"],
                "agency": p["agency"],
                "role": p["role"],
                "label": anonymous_label(p["agency"], p["role"])
                if anonymise or p["name"] is None
                else p["name"],
                "attendance": p["attendance"],
                "arrived_at": p["arrived_at"],
                "left_at": p["left_at"],
            }
            for p in record["participants"]
        ],
        "phases": [
            {
                "index": ph["idx"],
                "name": ph["name"],
                "planned_minutes": ph["planned_minutes"],
                "turn_seconds": ph["turn_seconds"],
                "opening_card": ph["opening_card"],
                "started_at": ph["started_at"],
                "ended_at": ph["ended_at"],
            }
            for ph in record["phases"]
        ],
        "turns": [
            {
                "participant_id": t["participant_id"],
                "phase": t["phase_idx"],
                "round": t["round"],
                "started_at": t["started_at"],
                "ended_at": t["ended_at"],
                "seconds": t["seconds"],
                "passed": bool(t["passed"]),
                "picked": bool(t["picked"]),
                "second_chance": bool(t["second_chance"]),
            }
            for t in record["turns"]
        ],
        "cards_shown": [
            {"card_id": c["card_id"], "phase": c["phase_idx"], "shown_at": c["shown_at"]}
            for c in record["cards_shown"]
        ],
        "ratings": [
            {k: r[k] for k in ("communication", "compassion", "clarity", "heard")}
            for r in (() if ratings_withheld(record["status"]) else record["ratings"])
        ],
        "pauses": [_interval(i) for i in record["intervals"] if i["kind"] == "pause"],
        "spaces": [_interval(i) for i in record["intervals"] if i["kind"] == "space"],
    }


def _interval(row: dict[str, Any]) -> dict[str, Any]:
    return {"started_at": row["started_at"], "ended_at": row["ended_at"], "seconds": row["seconds"]}


# --- How the exports are made fast ---------------------------------------------------------
#
# Turning every row into a dict and every session into ``json.dumps`` took 13-17 s for
# 10,000 sessions (630,000 turns, 215 MB) on the 2-core test machine. A tuned Python path
# (row tuples, one query per table and chunk, precompiled % formats) still spent ~4.5 s on
# the turns alone, half of it only fetching them. So SQLite writes the text: for each chunk
# of sessions (``records.CHUNK``) one query returns every session's text — its JSON object,
# or its lines of one CSV file — built with ``printf`` from the rows, as a BLOB of UTF-8
# bytes, and Python only writes the bytes out (~4.5 s for that export, nearly all of it
# SQLite reading rows and formatting; the CSV export ~7 s instead of ~18 s).
#
# The text is the same, byte for byte, as the straightforward Python gives
# (``json.dumps(session_to_json(record), ensure_ascii=False)``, ``csv.writer``):
# tests/reports/test_export_speed_shape.py compares them on generated sessions and on
# awkward values. Each helper below returns an SQL expression for one field's text; the SQL
# built from them is made once per shape and cached.

_FEW_DIGITS = (
    "({c} = 0 OR {c} >= 0.0001 AND {c} < 1e9)"
    " AND CAST({c} * 1000000 + 0.5 AS INTEGER) / 1000000.0 = {c}"
)
"""True when SQLite prints the REAL ``{c}`` exactly as Python's ``repr`` does.

SQLite prints a real with 15 significant digits. For a whole number of microseconds between
10⁻⁴ and 10⁹ (or 0) that is Python's shortest repr: no other decimal of six places or fewer
lies within half a unit in the last place, so both print that decimal, and both in plain
(not exponent) notation. Times are stored to the microsecond, so nearly every duration is
such a number. The test is exact: ``m`` = value × 10⁶ rounded, and ``m / 10⁶`` (one IEEE
division, correctly rounded) gives the value back. Other values — a difference of two times
can need 16 or 17 digits, as 0.3 - 0.1 does — and NULL go to a Python function instead;
there are few of them.
"""


def _register_functions(db: Database) -> None:
    """The Python fallbacks the export SQL calls for the values SQLite would print otherwise."""
    db.conn.create_function(
        "rethink_json", 1, functools.partial(json.dumps, ensure_ascii=False), deterministic=True
    )
    db.conn.create_function("rethink_csv", 1, _csv_field, deterministic=True)


def _utf8(db: Database) -> bool:
    """Whether a TEXT cast to BLOB gives UTF-8 (it does in every database the app creates)."""
    return bool(db.execute("PRAGMA encoding").fetchone()[0] == "UTF-8")


def _per_session(db: Database, sql: str, chunk: list[str], utf8: bool) -> Iterator[bytes]:
    """Run ``sql`` — rows of (session id, text) for the ids in the JSON array ``?`` — for one
    chunk, and give the texts in the chunk's order (sessions deleted meanwhile are skipped)."""
    texts = dict(db.execute(sql, [json.dumps(chunk)]).fetchall())
    for sid in chunk:
        text = texts.get(sid)
        if text is not None:
            yield text if utf8 else text.encode()


def _for_chunk(select: str, blob: bool, *, also: str = "") -> str:
    """``SELECT s.id, [<also>,] <select>`` over the sessions of a chunk (``?``: their ids, a
    JSON array); ``blob``: the text as its UTF-8 bytes."""
    value = f"CAST({select} AS BLOB)" if blob else select
    if also:
        value = f"{also}, {value}"
    chunk = "s.id IN (SELECT value FROM json_each(?))"
    return f"SELECT s.id, {value} FROM sessions AS s WHERE {chunk}"


def _ordered_rows(table: str, item: str, separator: str, where: str = "") -> str:
    """A session's rows in ``table`` (``s``: the session; ``where``: a further condition),
    each as ``item``, joined in their order by ``separator``; NULL when there are none.

    SQLite 3.40 has no ORDER BY inside an aggregate, but it aggregates an ordered subquery in
    its order (an aggregate over a subquery with ORDER BY is never flattened into it: the
    query plan shows a co-routine), and ``session_id`` leads each child table's index, so the
    rows are read in order without sorting (intervals sort a session's few by start).
    """
    condition = f" AND {where}" if where else ""
    return (
        f"(SELECT group_concat(item, {separator}) FROM (SELECT {item} AS item FROM {table}"
        f" WHERE session_id = s.id{condition} ORDER BY {CHILD_ORDER[table]}))"
    )


# --- JSON ------------------------------------------------------------------------------------
# A field's JSON text, never NULL (printf's %s writes NULL as nothing).


def _string(column: str) -> str:
    """A TEXT column. ``json_quote`` escapes as ``json.dumps(ensure_ascii=False)`` does (a
    backslash before a quote or backslash, the short escapes for backspace, tab, newline,
    form feed and return, a lower-case u00xx escape for the other control characters, every
    other character as it is) and gives ``null`` for NULL."""
    return f"json_quote({column})"


def _integer(column: str) -> str:
    """An INTEGER column. SQLite prints integers as Python does; the app writes only ints to
    these columns (and INTEGER affinity stores a whole real as an integer)."""
    return f"coalesce({column}, 'null')"


def _boolean(column: str) -> str:
    """An INTEGER 0/1 column written as ``bool(value)``: 0 and NULL are false."""
    return f"iif({column}, 'true', 'false')"


def _real(column: str) -> str:
    """A REAL column (seconds), as ``json.dumps`` writes it: see ``_FEW_DIGITS``."""
    return f"iif({_FEW_DIGITS.format(c=column)}, {column}, rethink_json({column}))"


Fields = list[tuple[str, "str | Fields"]]
"""(key, SQL giving the value's JSON text) in output order; a nested list is an object."""


def _printf_parts(fields: Fields) -> tuple[str, list[str]]:
    """The printf format of an object with ``fields`` (keys and separators as ``json.dumps``
    writes them) and its arguments, one %s per field."""
    parts, args = [], []
    for key, value in fields:
        name = json.dumps(key, ensure_ascii=False).replace("%", "%%")
        if isinstance(value, list):
            inner, inner_args = _printf_parts(value)
            parts.append(f"{name}: {inner}")
            args += inner_args
        else:
            parts.append(f"{name}: %s")
            args.append(value)
    return "{" + ", ".join(parts) + "}", args


def _printf(fmt: str, args: list[str]) -> str:
    literal = "'" + fmt.replace("'", "''") + "'"
    return f"printf({literal}, {', '.join(args)})"


def _object(fields: Fields) -> str:
    """SQL giving the JSON text of an object with ``fields``."""
    return _printf(*_printf_parts(fields))


def _array(table: str, fields: Fields, *, where: str = "") -> str:
    """SQL giving the JSON array of a session's rows in ``table``, each an object."""
    items = _ordered_rows(table, _object(fields), "', '", where)
    return f"'[' || coalesce({items}, '') || ']'"


def _session_fields(anonymise: bool) -> tuple[Fields, Fields]:
    """The fields of ``session_to_json`` as (head, tail): up to the participants, and from
    the phases on. Only the head depends on names (and on the sessions row)."""
    label = "iif(role <> '', agency || ' · ' || role, agency)"  # anonymous_label()
    if not anonymise:
        label = f"iif(name IS NULL, {label}, name)"
    person: Fields = [
        ("id", _string("id")),
        ("seat", _integer("seat")),
        ("name", "'null'" if anonymise else _string("name")),
        ("agency", _string("agency")),
        ("role", _string("role")),
        ("label", _string(label)),
        ("attendance", _string("attendance")),
        ("arrived_at", _string("arrived_at")),
        ("left_at", _string("left_at")),
    ]
    phase: Fields = [
        ("index", _integer("idx")),
        ("name", _string("name")),
        ("planned_minutes", _integer("planned_minutes")),
        ("turn_seconds", _integer("turn_seconds")),
        ("opening_card", _string("opening_card")),
        ("started_at", _string("started_at")),
        ("ended_at", _string("ended_at")),
    ]
    turn: Fields = [
        ("participant_id", _string("participant_id")),
        ("phase", _integer("phase_idx")),
        ("round", _integer("round")),
        ("started_at", _string("started_at")),
        ("ended_at", _string("ended_at")),
        ("seconds", _real("seconds")),
        ("passed", _boolean("passed")),
        ("picked", _boolean("picked")),
        ("second_chance", _boolean("second_chance")),
    ]
    card: Fields = [
        ("card_id", _string("card_id")),
        ("phase", _integer("phase_idx")),
        ("shown_at", _string("shown_at")),
    ]
    rating: Fields = [(q, _integer(q)) for q in ("communication", "compassion", "clarity", "heard")]
    interval: Fields = [
        ("started_at", _string("started_at")),
        ("ended_at", _string("ended_at")),
        ("seconds", _real("seconds")),
    ]
    described = ("kind", "reference", "purpose", "venue", "scheduled_for", "status")
    times = ("created_at", "checked_in_at", "started_at", "ended_at", "completed_at")
    times += ("abandoned_at",)
    head: Fields = [
        ("id", _string("s.id")),
        *((name, _string(f"s.{name}")) for name in described),
        ("demo", _boolean("s.demo")),
        ("planned_minutes", _integer("s.planned_minutes")),
        ("template_id", _string("s.template_id")),
        ("second_chance", _boolean("s.second_chance")),
        *((name, _string(f"s.{name}")) for name in times),
        ("abandoned_reason", _string("s.abandoned_reason")),
        ("way_forward", _string("s.way_forward")),
        ("pulse", [("start", _integer("s.pulse_start")), ("end", _integer("s.pulse_end"))]),
        ("participants", _array("participants", person)),
    ]
    tail: Fields = [
        ("phases", _array("phases", phase)),
        ("turns", _array("turns", turn)),
        ("cards_shown", _array("cards_shown", card)),
        ("ratings", _array("ratings", rating, where=RATINGS_SHOWN)),
        ("pauses", _array("intervals", interval, where="kind = 'pause'")),
        ("spaces", _array("intervals", interval, where="kind = 'space'")),
    ]
    return head, tail


@functools.cache
def _head_sql(anonymise: bool, blob: bool) -> str:
    """(id, JSON text of the head fields, as an object) of each session of a chunk."""
    return _for_chunk(_object(_session_fields(anonymise)[0]), blob)


@functools.cache
def _tail_sql(blob: bool) -> str:
    """(id, last event's seq, finished, JSON text of the tail fields as an object) of each
    session of a chunk, read together so the text is known to follow that event."""
    last = "(SELECT max(seq) FROM events WHERE session_id = s.id)"
    finished = f"s.status IN ({', '.join(repr(status) for status in sorted(FINISHED))})"
    return _for_chunk(_object(_session_fields(False)[1]), blob, also=f"{last}, {finished}")


# --- Kept texts ------------------------------------------------------------------------------
#
# Even written by SQLite, the turns of 10,000 sessions took ~4.5 s to format at every export.
# A finished session's tail (its phases, turns, cards, ratings, pauses and spaces: ~95 % of
# its text, and nothing of it a name) no longer changes, so its text is kept in
# ``export_texts`` (docs/schema.md), zlib-compressed (215 MB of JSON is ~28 MB), when the
# session is finished in the app and at the first export that finds it missing. An export
# then formats only each session's head (the sessions row and its participants, which names
# and ``--anonymise`` change) and joins the two: ~1.3 s for those 10,000 sessions.
#
# A kept text follows the event log, as the derived rows do: it records the session's last
# event when it was made and is used only while that is still the last event (any new event,
# a removal of names say, makes it stale, and the next export makes it again). ``rebuild``
# empties it; so must a migration that changes derived rows (storage/schema.py). It is also
# passed over when another build or SQLite made it (``_made_by``) or when it cannot be read
# (then made and kept again). The text is the one SQLite wrote from the rows, so an export is
# the same byte for byte with or without it (tests/reports/test_export_texts.py).

_KEPT_SQL = (
    "SELECT k.session_id, k.body FROM export_texts AS k"
    " WHERE k.session_id IN (SELECT value FROM json_each(?)) AND k.made_by = ?"
    " AND k.event_seq = (SELECT max(seq) FROM events WHERE session_id = k.session_id)"
)
# Never back to an older event: another export may have kept a newer text meanwhile. The same
# event again replaces the text (one that could not be read, say).
_KEEP_SQL = """
    INSERT INTO export_texts (session_id, event_seq, made_by, body) VALUES (?, ?, ?, ?)
    ON CONFLICT (session_id) DO UPDATE
    SET event_seq = excluded.event_seq, made_by = excluded.made_by, body = excluded.body
    WHERE excluded.event_seq >= export_texts.event_seq"""
_KEPT_LEVEL = 1
"""zlib level of the kept texts: level 1 squeezes JSON ~7.5 times at ~150 MB/s here."""
_TAIL_START, _TAIL_END = b'{"phases": ', b"}"


@functools.cache
def _made_by() -> str:
    """What a kept text was made with: the tail's SQL (this build's formatting of every
    field) and the SQLite that ran it (its printf and json_quote). A text made otherwise,
    by an older or newer build, is not used."""
    made_with = f"{_tail_sql(True)}\n{sqlite3.sqlite_version}"
    return hashlib.sha256(made_with.encode()).hexdigest()[:16]


Kept = list[tuple[str, int, str, bytes]]
"""Rows of ``export_texts`` to write: (session id, last event's seq, made by, compressed
tail)."""


def _as_bytes(text: bytes | str) -> bytes:
    return text if isinstance(text, bytes) else text.encode()


Keepable = list[tuple[str, int]]
"""Made tails worth keeping (of finished sessions): (session id, last event's seq)."""


def _made_tails(db: Database, ids: list[str], utf8: bool) -> tuple[dict[str, bytes], Keepable]:
    """Format the tails of ``ids``: each session's text, and which of them to keep."""
    made: dict[str, bytes] = {}
    keepable: Keepable = []
    for sid, seq, finished, tail in db.execute(_tail_sql(utf8), [json.dumps(ids)]).fetchall():
        made[sid] = _as_bytes(tail)
        if finished and seq is not None:
            keepable.append((sid, seq))
    return made, keepable


def _compressed(made: dict[str, bytes], keepable: Keepable) -> Kept:
    by = _made_by()
    return [(sid, seq, by, zlib.compress(made[sid], _KEPT_LEVEL)) for sid, seq in keepable]


def _unpacked(body: bytes) -> bytes | None:
    """A kept text, or None when it cannot be read (damaged: it is then made again)."""
    try:
        tail = zlib.decompress(body)
    except zlib.error:
        return None
    return tail if tail.startswith(_TAIL_START) and tail.endswith(_TAIL_END) else None


Read = tuple[dict[str, Any], dict[str, bytes], dict[str, bytes], Keepable]
"""One chunk's snapshot: heads, current kept tails (compressed), tails made, which to keep."""


def _read_chunk(
    db: Database, chunk: list[str], anonymise: bool, utf8: bool, *, use_kept: bool = True
) -> Read:
    """One snapshot of ``chunk``: the heads, the kept tails still current (with
    ``use_kept``) and the tails made anew are read in one transaction."""
    ids = json.dumps(chunk)
    with db.atomic():
        heads = dict(db.execute(_head_sql(anonymise, utf8), [ids]).fetchall())
        kept = dict(db.execute(_KEPT_SQL, [ids, _made_by()]).fetchall()) if use_kept else {}
        missing = [sid for sid in chunk if sid in heads and sid not in kept]
        made, keepable = _made_tails(db, missing, utf8) if missing else ({}, [])
    return heads, kept, made, keepable


Joined = tuple[list[tuple[str, bytes | None]], Kept]
"""(session id, JSON text, or None when its kept text could not be read) in the chunk's
order, and the made tails to keep."""


def _join_texts(chunk: list[str], read: Read, compress: bool) -> Joined:
    """The JSON text of each session of ``chunk`` (those deleted meanwhile are left out), and,
    with ``compress``, the made tails to keep. No database: it runs beside the reading of the
    next chunk."""
    heads, kept, made, keepable = read
    texts: list[tuple[str, bytes | None]] = []
    for sid in chunk:
        head = heads.get(sid)
        if head is None:
            continue
        tail = made[sid] if sid in made else _unpacked(kept[sid])
        # Both are objects: the head's closing brace and the tail's opening one go.
        text = None if tail is None else b"".join((_as_bytes(head)[:-1], b", ", tail[1:]))
        texts.append((sid, text))
    return texts, _compressed(made, keepable) if compress else []


def _keep(db: Database, rows: Kept) -> bool:
    """Write kept texts; a file that cannot take them (read-only, busy, full) only makes
    the next export slower, so that is logged, not raised. Returns whether it worked."""
    try:
        with transaction(db):
            db.conn.executemany(_KEEP_SQL, rows)
    except (StorageError, sqlite3.Error) as exc:
        log.info("export texts not kept: %s", type(exc).__name__)
        return False
    return True


def keep_export_texts(db: Database, session_ids: list[str]) -> int:
    """Make and keep the export text of those of ``session_ids`` that are finished (the
    app calls this when it finishes a session); return how many were kept."""
    _register_functions(db)
    utf8 = _utf8(db)
    count = 0
    for chunk in chunked(session_ids):
        with transaction(db):
            keep = _compressed(*_made_tails(db, chunk, utf8))
            db.conn.executemany(_KEEP_SQL, keep)
        count += len(keep)
    return count


def _session_texts(
    db: Database, include_demo: bool, anonymise: bool, progress: Progress | None
) -> Iterator[bytes]:
    """Each session's JSON text in UTF-8, oldest first, a chunk of sessions at a time.

    In a UTF-8 database (every one the app creates) the text comes out of SQLite as a BLOB
    of its bytes: decoding 200 MB into Python strings only to encode them again for the file
    would cost ~0.5 s. ``progress`` is called after each session has been handed on (written,
    that is). The tails made for a chunk are kept once it is written (see above).
    """
    ids = export_session_ids(db, include_demo=include_demo)
    _register_functions(db)
    utf8 = _utf8(db)
    keeping = True
    done = 0

    def hand_on(joined: Future[Joined]) -> Iterator[bytes]:
        nonlocal done, keeping
        texts, keep = joined.result()
        unread = [sid for sid, text in texts if text is None]
        if unread:
            # Made again from the rows, here and now, and kept again in place of the damage.
            log.warning("%d kept export texts could not be read; made again", len(unread))
            read = _read_chunk(db, unread, anonymise, utf8, use_kept=False)
            again, keep_again = _join_texts(unread, read, compress=keeping)
            remade = dict(again)
            texts = [(sid, remade.get(sid) if text is None else text) for sid, text in texts]
            keep = keep + keep_again
        for _sid, text in texts:
            if text is None:
                continue  # deleted between the two reads
            yield text
            done += 1
            if progress is not None and not progress(done, len(ids)):
                raise ExportCancelled
        if keep and keeping:
            keeping = _keep(db, keep)

    # While one chunk's texts are joined (kept tails decompressed, made ones compressed to be
    # kept: zlib lets go of the GIL), the next chunk is read: ~0.4 s less for 10,000
    # sessions on two cores.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="export") as joiner:
        pending: Future[Joined] | None = None
        for chunk in chunked(ids):
            read = _read_chunk(db, chunk, anonymise, utf8)
            following = joiner.submit(_join_texts, chunk, read, keeping)
            if pending is not None:
                yield from hand_on(pending)
            pending = following
        if pending is not None:
            yield from hand_on(pending)


def write_json(
    db: Database,
    out: IO[str],
    *,
    anonymise: bool = False,
    include_demo: bool = False,
    exported_at: datetime | None = None,
    progress: Progress | None = None,
) -> int:
    """Stream the export to ``out`` one session at a time; return the number of sessions."""
    return _write_json(
        db,
        lambda data: out.write(data.decode()),
        anonymise=anonymise,
        include_demo=include_demo,
        exported_at=exported_at,
        progress=progress,
    )


def _write_json(
    db: Database,
    write: Callable[[bytes], object],
    *,
    anonymise: bool,
    include_demo: bool,
    exported_at: datetime | None,
    progress: Progress | None,
) -> int:
    """``write_json`` in UTF-8 bytes: a file gets them as they come from SQLite."""
    stamp = format_timestamp(exported_at or SystemClock().now())
    header = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "exported_at": stamp}
    head = json.dumps(header, indent=2, ensure_ascii=False)
    write((head[:-2] + ',\n  "sessions": [').encode())
    n = 0
    for body in _session_texts(db, include_demo, anonymise, progress):
        write(b"\n    " if n == 0 else b",\n    ")
        write(body)
        n += 1
    write(b"\n  ]\n}\n" if n else b"]\n}\n")
    return n


# --- CSV -------------------------------------------------------------------------------------

CSV_TABLES: dict[str, tuple[str, ...]] = {
    "sessions": (
        "id", "kind", "reference", "purpose", "venue", "scheduled_for", "status", "demo",
        "planned_minutes", "template_id", "created_at", "started_at", "ended_at", "completed_at",
        "abandoned_reason", "way_forward", "pulse_start", "pulse_end",
        # Added after the first release, at the end so that readers by position still work.
        "second_chance", "starter_id", "seed", "checked_in_at", "abandoned_at", "names_removed",
        "updated_at", "balance_index",
    ),
    "participants": (
        "session_id", "id", "seat", "name", "agency", "role", "attendance", "arrived_at", "left_at",
    ),
    # The other tables go out with exactly the columns the database keeps (the ratings without
    # their ``seq``, the order they were given: see storage.records.RATINGS_ORDER).
    **{table: DERIVED_COLUMNS[table] for table in ("phases", "turns", "cards_shown")},
    "ratings": tuple(column for column in DERIVED_COLUMNS["ratings"] if column != "seq"),
    "intervals": DERIVED_COLUMNS["intervals"],
}  # fmt: skip

CSV_README = """Re-Think Desktop export (CSV, format version {version})
Exported at {exported_at}. Names {names}.

One file per table; every file has a header row. Times are ISO 8601 in UTC (ending in Z),
but for scheduled_for: the planned local date and time as entered, with no zone.
Sessions are linked by session_id; turns by participant_id to participants.id.
The columns are described in docs/schema.md and docs/export-format.md of Re-Think Desktop.
No file holds anything that was said: Re-Think keeps no notes.
"""

_CSV_LEVEL = 1
"""Deflate level of the CSV members: level 1 takes a third of the time of the default 6 for
a zip about a fifth bigger (the turns of 10,000 sessions: 97 MB of CSV into 20 MB in 0.8 s
instead of 17 MB in 2.5 s), and squeezing was most of what a CSV export then took."""

_ZIP64_ROW_BYTES = 1024
"""A generous bound on a CSV row's length: a member that might pass 2 GiB at this many bytes
a row is written with ZIP64 sizes (a zip member cannot grow them once begun)."""


def _csv_field(value: Any) -> str:
    """One field as ``csv.writer`` writes it within a row: the SQL's fallback."""
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow([value, ""])
    return line.getvalue()[:-2]  # without the empty second field's comma and the newline


_CSV_NUMBERS = ("INTEGER", "REAL", "NULL")
"""Declared types whose fields are never quoted ("NULL": a field the export leaves empty)."""


def _csv_value(column: str, declared: str) -> str:
    """SQL giving one field of a CSV line as ``csv.writer`` writes it (NULL: nothing).

    By the column's declared type: integers as SQLite and Python both print them (the app
    writes only ints to INTEGER columns); reals as in ``_FEW_DIGITS``, else through Python;
    text as is, or in double quotes with its quotes doubled when it holds a comma, a quote or
    a newline (the writer's minimal quoting with ``lineterminator="\\n"``).
    """
    if declared == "INTEGER":
        return column
    if declared == "REAL":
        return f"iif({_FEW_DIGITS.format(c=column)}, {column}, rethink_csv({column}))"
    special = " OR ".join(f"instr({column}, {char})" for char in ("','", "'\"'", "char(10)"))
    return f"""iif({special}, '"' || replace({column}, '"', '""') || '"', {column})"""


def _csv_types(
    db: Database, table: str, columns: tuple[str, ...], anonymise: bool
) -> tuple[str, ...]:
    """The declared type of each column ("NULL" for the names an anonymised export leaves
    out), so the CSV SQL follows the schema."""
    declared = {row[1]: row[2].upper() for row in db.execute(f"PRAGMA table_info({table})")}
    return tuple(
        "NULL" if anonymise and (table, column) == ("participants", "name") else declared[column]
        for column in columns
    )


@functools.cache
def _csv_sql(table: str, columns: tuple[str, ...], declared: tuple[str, ...], blob: bool) -> str:
    """(id, text) of each session of a chunk: its lines of ``table``'s CSV, each ending in a
    newline (NULL when it has no rows). ``declared``: the columns' types; the column "NULL"
    leaves a field empty (an anonymised export's names)."""
    fields = [
        "NULL" if declared_type == "NULL" else _csv_value(column, declared_type)
        for column, declared_type in zip(columns, declared, strict=True)
    ]
    line = _printf(",".join("%s" for _ in columns), fields)
    # printf's %s stops at a NUL character, which the writer copies as it is (only an
    # imported file could bring one): such a row is joined with || instead, which is slower.
    texts = [c for c, kind in zip(columns, declared, strict=True) if kind not in _CSV_NUMBERS]
    if texts:
        nul = " OR ".join(f"instr({column}, char(0))" for column in texts)
        joined = " || ',' || ".join(f"coalesce({field}, '')" for field in fields)
        line = f"iif({nul}, {joined}, {line})"
    if table == "sessions":
        return _for_chunk(f"{line} || char(10)", blob)
    shown = RATINGS_SHOWN if table == "ratings" else ""
    return _for_chunk(f"{_ordered_rows(table, line, 'char(10)', shown)} || char(10)", blob)


def write_csv_zip(
    db: Database,
    out_path: Path,
    *,
    anonymise: bool = False,
    include_demo: bool = False,
    exported_at: datetime | None = None,
    progress: Progress | None = None,
) -> int:
    """One CSV per table inside a zip, with a README; return the number of sessions.

    Streamed: a table at a time, each chunk's text from SQLite straight into the table's zip
    member, nothing held but the chunk. ``progress`` counts (table, session) pairs written:
    its ``total`` is sessions × tables.
    """
    stamp = format_timestamp(exported_at or SystemClock().now())
    ids = export_session_ids(db, include_demo=include_demo)
    total = len(ids) * len(CSV_TABLES)
    _register_functions(db)
    utf8 = _utf8(db)
    done = 0

    def write(handle: IO[bytes]) -> None:
        nonlocal done
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            names = "removed (anonymised)" if anonymise else "included where still kept"
            archive.writestr(
                "README.txt",
                CSV_README.format(version=FORMAT_VERSION, exported_at=stamp, names=names),
            )
            for table, columns in CSV_TABLES.items():
                sql = _csv_sql(table, columns, _csv_types(db, table, columns, anonymise), utf8)
                rows = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                with _zip_member(archive, f"{table}.csv", rows * _ZIP64_ROW_BYTES) as member:
                    member.write((",".join(columns) + "\n").encode())
                    for chunk in chunked(ids):
                        member.write(b"".join(_per_session(db, sql, chunk, utf8)))
                        done += len(chunk)
                        if progress is not None and not progress(done, total):
                            raise ExportCancelled

    atomic_write_bytes(out_path, write)
    return len(ids)


def _zip_member(archive: zipfile.ZipFile, name: str, size_bound: int) -> IO[bytes]:
    """A member open for writing, dated now and readable by its owner as ``writestr`` makes
    them (``open`` alone would date it 1980 and give it no permissions)."""
    info = zipfile.ZipInfo(name, date_time=time.localtime(time.time())[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = _CSV_LEVEL  # type: ignore[attr-defined]  # ZipInfo's own, < 3.13
    info.external_attr = 0o600 << 16
    return archive.open(info, "w", force_zip64=size_bound > zipfile.ZIP64_LIMIT)


# Sessions are written one at a time (~20 KB each): a buffer of 1 MiB turns 10,000 writes
# into ~200 system calls.
_WRITE_BUFFER = 1 << 20


def atomic_write_bytes(path: Path, fill: Callable[[IO[bytes]], None]) -> None:
    """Write ``path`` whole or not at all: ``fill`` writes a hidden file beside it, which is
    flushed to the disk and renamed into place; any failure (a full disk as an ``OSError``)
    leaves whatever was at ``path`` as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb", buffering=_WRITE_BUFFER) as handle:
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_failure(exc: OSError, target: Path) -> str:
    """Why an export could not be written to ``target``, in words (never the hidden
    temporary file it is written under first, nor an error number); the app and the command
    line say the same."""
    import errno

    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"The disk is full, so the export could not be written to {target}. Nothing has "
            "been changed. Free some space or choose another drive, then try again."
        )
    if code in (errno.EROFS, errno.EACCES, errno.EPERM):
        return (
            f"The export cannot be written in {target.parent}: it is read-only or belongs to "
            "another user. Nothing has been changed. Choose a folder you can write to."
        )
    if code in (errno.EEXIST, errno.ENOTDIR):  # a file where a folder should be
        in_the_way = next((p for p in target.parents if p.exists() and not p.is_dir()), None)
        return (
            f"The export cannot be written to {target}: "
            + (f"{in_the_way} is a file, not a folder. " if in_the_way else "")
            + "Nothing has been changed. Choose another place for the export."
        )
    reason = exc.strerror or type(exc).__name__
    return (
        f"The export could not be written to {target} ({reason}). Nothing has been changed. "
        "Check the drive, or choose another place for the export, then try again."
    )


def export(
    db: Database,
    fmt: str,
    out_path: Path | None,
    *,
    anonymise: bool = False,
    include_demo: bool = False,
    stdout: IO[str] | None = None,
    progress: Progress | None = None,
    session_id: str | None = None,
) -> int:
    """Write an export in ``fmt`` to ``out_path`` (JSON may go to ``stdout``); return sessions.

    ``pdf`` is the summary of the one session ``session_id`` (see ``reports.pdf``).
    """
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}; choose json, csv or pdf.")
    if fmt == "pdf":
        if out_path is None or session_id is None:
            raise ValueError(
                "A PDF summary is of one session: give --session SESSION --out FILE.pdf."
            )
        # Imported here: the PDF needs Qt, which JSON and CSV exports never load.
        from rethink_desktop.reports.pdf import write_pdf

        write_pdf(db, session_id, out_path, anonymise=anonymise, progress=progress)
        return 1
    if fmt == "csv":
        if out_path is None:
            raise ValueError("A CSV export is a zip file: give --out FILE.zip.")
        return write_csv_zip(
            db, out_path, anonymise=anonymise, include_demo=include_demo, progress=progress
        )
    if out_path is None:
        assert stdout is not None
        return write_json(
            db, stdout, anonymise=anonymise, include_demo=include_demo, progress=progress
        )
    count = 0

    def fill(handle: IO[bytes]) -> None:
        nonlocal count
        count = _write_json(
            db,
            handle.write,
            anonymise=anonymise,
            include_demo=include_demo,
            exported_at=None,
            progress=progress,
        )

    atomic_write_bytes(out_path, fill)
    return count
