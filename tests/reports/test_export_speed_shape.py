"""The fast exports give exactly what the plain Python gave, and keep their streaming shape.

``reports.exports`` has SQLite write the text: each session's JSON object, each CSV line
(see the comment above ``_FEW_DIGITS`` there). These tests hold it to the reference, which is
how the exports were written before: ``json.dumps(session_to_json(record),
ensure_ascii=False)`` and ``csv.writer`` over the records ``iter_session_records`` reads.
Byte for byte, on generated sessions and on awkward values the generator never makes.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from datetime import UTC, datetime

import pytest

from benchmarks.generate import generate
from rethink_desktop.core.clock import FakeClock, format_timestamp
from rethink_desktop.reports.exports import (
    CSV_TABLES,
    FORMAT_NAME,
    FORMAT_VERSION,
    ExportCancelled,
    export,
    session_to_json,
    write_csv_zip,
    write_json,
)
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.storage.records import CHUNK, iter_session_records
from tests.reports.test_exports import finished_session

STAMP = datetime(2026, 3, 2, 12, 1, tzinfo=UTC)


# --- the reference: the exports as they were written before -------------------------------


def reference_json(db, *, anonymise=False, include_demo=False) -> str:
    header = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "exported_at": format_timestamp(STAMP),
    }
    out = io.StringIO()
    out.write(json.dumps(header, indent=2, ensure_ascii=False)[:-2] + ',\n  "sessions": [')
    n = 0
    for record in iter_session_records(db, include_demo=include_demo):
        body = json.dumps(session_to_json(record, anonymise=anonymise), ensure_ascii=False)
        out.write(("\n    " if n == 0 else ",\n    ") + body)
        n += 1
    out.write("\n  ]\n}\n" if n else "]\n}\n")
    return out.getvalue()


def reference_csv(db, *, anonymise=False, include_demo=False) -> dict[str, bytes]:
    buffers = {table: io.StringIO() for table in CSV_TABLES}
    writers = {table: csv.writer(buf, lineterminator="\n") for table, buf in buffers.items()}
    for table, columns in CSV_TABLES.items():
        writers[table].writerow(columns)
    for record in iter_session_records(db, include_demo=include_demo):
        writers["sessions"].writerow([record[c] for c in CSV_TABLES["sessions"]])
        for table, columns in CSV_TABLES.items():
            if table == "sessions":
                continue
            for row in record[table]:
                values = dict(row)
                if table == "participants" and anonymise:
                    values["name"] = None
                writers[table].writerow([values.get(c) for c in columns])
    return {f"{table}.csv": buf.getvalue().encode() for table, buf in buffers.items()}


def new_json(db, **kw) -> str:
    out = io.StringIO()
    write_json(db, out, exported_at=STAMP, **kw)
    return out.getvalue()


def new_csv(db, tmp_path, **kw) -> dict[str, bytes]:
    out = tmp_path / "out.zip"
    write_csv_zip(db, out, exported_at=STAMP, **kw)
    with zipfile.ZipFile(out) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name != "README.txt"}


def assert_same_exports(db, tmp_path, **kw):
    expected = reference_json(db, **kw)
    got = new_json(db, **kw)
    assert json.loads(got) == json.loads(expected)  # same values and types …
    assert got == expected  # … and the same text
    assert new_csv(db, tmp_path, **kw) == reference_csv(db, **kw)


# --- generated sessions ------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A few hundred realistic sessions (names kept in some), and one demo session."""
    path = tmp_path_factory.mktemp("generated") / "rethink.sqlite"
    generate(path, sessions=300, seed=5, processes=1)
    with EventStore.open(path) as store:
        store.new_session(FakeClock(), demo=True)
        yield store


@pytest.mark.parametrize("anonymise", [False, True])
def test_generated_sessions_export_as_before(generated, tmp_path, anonymise):
    db = generated.db
    assert db.execute("SELECT count(*) FROM turns").fetchone()[0] > 10_000
    assert db.execute("SELECT count(*) FROM participants WHERE name IS NOT NULL").fetchone()[0]
    assert_same_exports(db, tmp_path, anonymise=anonymise)


def test_demo_sessions_included_export_as_before(generated, tmp_path):
    assert_same_exports(generated.db, tmp_path, include_demo=True)


def test_a_few_queries_per_chunk_of_sessions(generated, tmp_path):
    db = generated.db
    with db.conn:
        db.execute("DELETE FROM export_texts")

    def per_chunk_queries(export_once, kept: int) -> int:
        statements = []
        db.conn.set_trace_callback(statements.append)
        try:
            export_once()
        finally:
            db.conn.set_trace_callback(None)
        keeping = [s for s in statements if "INSERT INTO export_texts" in s]
        assert len(keeping) == kept  # one executemany per chunk traces each row
        assert len(statements) - kept < 60  # and a handful of others, not per session
        return len([s for s in statements if "json_each(" in s])

    chunks = -(-300 // CHUNK)
    finished = (
        "SELECT count(*) FROM sessions WHERE demo = 0 AND status IN ('completed', 'abandoned')"
    )
    finished_count = db.execute(finished).fetchone()[0]
    assert 250 < finished_count < 300  # the few still running are never kept
    # First the heads, the kept tails (none yet) and the tails made; the finished are kept …
    json_export = lambda: write_json(db, io.StringIO())  # noqa: E731
    assert per_chunk_queries(json_export, kept=finished_count) == chunks * 3
    # … so then the heads, the kept tails and only the unfinished sessions' tails.
    assert per_chunk_queries(json_export, kept=0) == chunks * 3  # the unfinished: made again
    csv_export = lambda: write_csv_zip(db, tmp_path / "out.zip")  # noqa: E731
    assert per_chunk_queries(csv_export, kept=0) == chunks * len(CSV_TABLES)


def test_json_is_written_as_it_is_read(generated):
    out = io.StringIO()
    sizes = []

    def progress(done: int, total: int) -> bool:
        sizes.append(len(out.getvalue()))
        return True

    write_json(generated.db, out, progress=progress)
    assert len(sizes) == 300
    assert 0 < sizes[0] < sizes[CHUNK - 1] < sizes[-1] <= len(out.getvalue())


# --- awkward values ----------------------------------------------------------------------

AWKWARD_TEXT = 'Zoë "Z" O\'Neil, \\ n\nt\tr\r\b\f\x01\x1f\x7f € 😀 %s %d 100% · \u2028'
AWKWARD_SECONDS = [
    0.1 + 0.2,  # needs 17 digits
    1 / 3,
    2 / 3 * 100,
    1e-05,  # Python writes an exponent
    0.0001,
    0.0,
    123456789.123456,
    1e9 + 0.5,
    5e-324,
    7200.0,
    12.000001,
    None,  # a turn still running
]


@pytest.fixture
def store(tmp_path):
    with EventStore.open(tmp_path / "rethink.sqlite") as opened:
        yield opened


def make_awkward(store):
    """Finished sessions whose rows are then given values the app would rarely write."""
    sessions = [finished_session(store, FakeClock(STAMP)) for _ in range(3)]
    db = store.db
    sid = sessions[1].id
    with db.conn:
        db.execute(
            "UPDATE sessions SET purpose = ?, venue = ?, reference = ?, pulse_start = NULL"
            " WHERE id = ?",
            [AWKWARD_TEXT, 'Room\r\n2, "east"', "FN-100%", sid],
        )
        db.execute(
            "UPDATE participants SET name = ?, agency = ?, role = ''"
            " WHERE session_id = ? AND seat = 1",
            [AWKWARD_TEXT, 'A·B, "C"', sid],
        )
        db.execute(
            "UPDATE participants SET name = NULL, agency = ? WHERE session_id = ? AND seat = 2",
            ["NUL\x00here", sid],
        )
        db.execute("UPDATE participants SET name = '' WHERE session_id = ? AND seat = 3", [sid])
        turns = [r[0] for r in db.execute("SELECT id FROM turns WHERE session_id = ?", [sid])]
        start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        for n, seconds in enumerate(AWKWARD_SECONDS):
            row = turns[n % len(turns)] if n < len(turns) else None
            if row is None:
                db.execute(
                    "INSERT INTO turns (session_id, seq, phase_idx, round, participant_id,"
                    " started_at, ended_at, seconds, passed, picked, second_chance)"
                    " VALUES (?, ?, 0, 1, 'p1', ?, ?, ?, 0, 1, 1)",
                    [
                        sid,
                        100 + n,
                        format_timestamp(start),
                        None if seconds is None else format_timestamp(start),
                        seconds,
                    ],
                )
            else:
                db.execute("UPDATE turns SET seconds = ? WHERE id = ?", [seconds, row])
        db.execute(
            "INSERT INTO intervals (session_id, kind, started_at, ended_at, seconds)"
            " VALUES (?, 'space', ?, NULL, NULL), (?, 'pause', ?, ?, ?)",
            [sid, format_timestamp(start), sid, format_timestamp(start), "x", 1 / 7],
        )
        db.execute("UPDATE ratings SET clarity = NULL WHERE session_id = ?", [sid])
        db.execute(
            "UPDATE cards_shown SET card_id = ? WHERE session_id = ?", ['"quoted",card', sid]
        )
        db.execute(
            "UPDATE phases SET name = ?, opening_card = NULL WHERE session_id = ? AND idx = 0",
            ["Tab\there, comma", sid],
        )
    return sessions


@pytest.mark.parametrize("anonymise", [False, True])
def test_awkward_values_export_as_before(store, tmp_path, anonymise):
    awkward = make_awkward(store)[1].id
    assert_same_exports(store.db, tmp_path, anonymise=anonymise)
    doc = json.loads(new_json(store.db, anonymise=anonymise))
    seconds = [t["seconds"] for s in doc["sessions"] for t in s["turns"]]
    for value in AWKWARD_SECONDS:
        assert any(value == s and type(value) is type(s) for s in seconds), value
    (session,) = [s for s in doc["sessions"] if s["id"] == awkward]
    people = session["participants"]
    assert people[0]["label"] == ('A·B, "C"' if anonymise else AWKWARD_TEXT)
    assert people[1]["label"] == "NUL\x00here · Role 2"
    assert people[2]["label"] == ("Police · Role 3" if anonymise else "")


def test_a_utf16_database_exports_as_before(tmp_path):
    path = tmp_path / "utf16.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA encoding = 'UTF-16le'")
        conn.execute("CREATE TABLE t (x)")
        conn.execute("DROP TABLE t")
    conn.close()
    with EventStore.open(path) as store:
        assert store.db.execute("PRAGMA encoding").fetchone()[0] == "UTF-16le"
        make_awkward(store)
        assert_same_exports(store.db, tmp_path)


def test_child_rows_keep_their_order_whatever_order_they_were_written_in(store, tmp_path):
    """Rows written in reverse (rowids against seq) still come out in their order: SQLite
    3.40 has no ORDER BY inside group_concat, so the export relies on the ordered subquery."""
    sessions = [finished_session(store, FakeClock(STAMP)) for _ in range(2)]
    sid = sessions[0].id
    db = store.db

    def exported() -> dict:
        (session,) = [s for s in json.loads(new_json(db))["sessions"] if s["id"] == sid]
        return session

    before = exported()
    db.execute("PRAGMA foreign_keys = OFF")  # re-inserting participants must not drop turns
    try:
        with db.conn:
            for table in ("participants", "phases", "turns", "cards_shown", "ratings", "intervals"):
                rows = db.execute(f"SELECT * FROM {table} WHERE session_id = ?", [sid])
                columns = [d[0] for d in rows.description]
                rows = rows.fetchall()
                keep = [c for c in columns if c != "id" or table == "participants"]
                db.execute(f"DELETE FROM {table} WHERE session_id = ?", [sid])
                order = {"participants": "seat", "phases": "idx", "intervals": "started_at"}
                key = columns.index(order.get(table, "seq"))
                for row in sorted(rows, key=lambda r: r[key], reverse=True):
                    values = [v for c, v in zip(columns, row, strict=True) if c in keep]
                    db.execute(
                        f"INSERT INTO {table} ({', '.join(keep)})"
                        f" VALUES ({', '.join('?' * len(keep))})",
                        values,
                    )
            db.execute(
                "INSERT INTO intervals (session_id, kind, started_at, ended_at, seconds)"
                " VALUES (?, 'pause', ?, ?, 1.0), (?, 'pause', ?, ?, 2.0)",
                [sid, "2027-01-01T00:00:00.000000Z", "2027-01-01T00:00:01.000000Z"] * 2,
            )
            # Rows changed behind the log's back: the text kept at the first export follows
            # the log (reports/exports.py), so it goes too.
            db.execute("DELETE FROM export_texts")
    finally:
        db.execute("PRAGMA foreign_keys = ON")
    after = exported()
    for field in ("participants", "phases", "turns", "cards_shown", "ratings"):
        assert after[field] == before[field], field
    assert after["pauses"][: len(before["pauses"])] == before["pauses"]
    assert [p["seconds"] for p in after["pauses"][-2:]] == [1.0, 2.0]  # a tie: as written
    assert [t["participant_id"] for t in after["turns"]] == ["p1", "p2", "p3"]
    assert_same_exports(db, tmp_path)


# --- progress and cancel -------------------------------------------------------------------


def test_csv_progress_counts_tables_times_sessions(store, tmp_path):
    for _ in range(3):
        finished_session(store, FakeClock(STAMP))
    seen = []
    export(store.db, "csv", tmp_path / "out.zip", progress=lambda d, t: seen.append((d, t)) or True)
    assert seen[-1] == (3 * len(CSV_TABLES), 3 * len(CSV_TABLES))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_cancelled_csv_export_writes_nothing(store, tmp_path):
    finished_session(store, FakeClock(STAMP))
    out = tmp_path / "never.zip"
    with pytest.raises(ExportCancelled):
        export(store.db, "csv", out, progress=lambda done, total: done < 3)
    assert not out.exists()
    assert list(tmp_path.glob("*.part")) == []


def test_json_progress_is_called_after_each_session(store, tmp_path):
    for _ in range(3):
        finished_session(store, FakeClock(STAMP))
    seen = []
    export(
        store.db, "json", tmp_path / "out.json", progress=lambda d, t: seen.append((d, t)) or True
    )
    assert seen == [(1, 3), (2, 3), (3, 3)]
    with pytest.raises(ExportCancelled):
        export(store.db, "json", tmp_path / "never.json", progress=lambda d, t: d < 2)
    assert not (tmp_path / "never.json").exists()
