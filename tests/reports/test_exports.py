"""Exports: parse what was written and compare it with the database."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest

from rethink_desktop.core.clock import FakeClock
from rethink_desktop.reports.exports import ExportCancelled, export, write_json
from rethink_desktop.storage.eventlog import DERIVED_COLUMNS, EventStore
from tests.helpers import running

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


@pytest.fixture
def store(tmp_path):
    with EventStore.open(tmp_path / "rethink.sqlite") as opened:
        yield opened


def finished_session(store, clock=None, **kw):
    clock = clock or FakeClock()
    s = running(3, clock, sink=store.append, **kw)
    s.next_turn()
    clock.advance(100)
    s.next_turn()
    clock.advance(50)
    s.pass_turn()
    clock.advance(20)
    s.show_card("clarity-1")
    s.toggle_pause()
    clock.advance(60)
    s.toggle_pause()
    s.end()
    s.record_way_forward("yes")
    s.record_closing_pulse(2)
    s.rate(communication=5, compassion=4, clarity=3, heard=5)
    s.complete()
    return s


def test_json_export_matches_the_database(store, tmp_path):
    s = finished_session(store)
    out = tmp_path / "out.json"
    assert export(store.db, "json", out) == 1
    doc = json.loads(out.read_text())
    assert doc["format"] == "rethink-sessions"
    assert doc["format_version"] == 1
    assert ISO_Z.match(doc["exported_at"])
    (session,) = doc["sessions"]
    assert session["id"] == s.id
    assert session["kind"] == "family_network"
    assert session["reference"] == "FN-2291"
    assert session["status"] == "completed"
    assert session["demo"] is False
    assert session["planned_minutes"] == 120
    assert ISO_Z.match(session["started_at"])
    assert ISO_Z.match(session["ended_at"])
    assert session["pulse"] == {"start": 6, "end": 2}
    assert session["way_forward"] == "yes"
    assert [p["name"] for p in session["participants"]] == ["Person 1", "Person 2", "Person 3"]
    assert {p["attendance"] for p in session["participants"]} == {"present"}
    turns = session["turns"]
    assert [t["participant_id"] for t in turns] == ["p1", "p2", "p3"]
    assert turns[0]["seconds"] == 100
    assert turns[1]["passed"] is True
    assert turns[2]["seconds"] == 20  # the pause does not count as talk time
    assert session["cards_shown"][0]["card_id"] == "clarity-1"
    assert session["ratings"] == [{"communication": 5, "compassion": 4, "clarity": 3, "heard": 5}]
    assert session["pauses"][0]["seconds"] == 60
    db_turns = list(store.db.query("SELECT seconds FROM turns ORDER BY seq"))
    assert [t["seconds"] for t in turns] == [r["seconds"] for r in db_turns]


def test_anonymised_export_has_no_names(store, tmp_path):
    finished_session(store)
    out = tmp_path / "anon.json"
    export(store.db, "json", out, anonymise=True)
    text = out.read_text()
    assert "Person 1" not in text
    people = json.loads(text)["sessions"][0]["participants"]
    assert people[0]["name"] is None
    assert people[0]["label"] == "Education · Role 1"


def test_demo_sessions_are_left_out_unless_asked(store, tmp_path):
    finished_session(store)
    demo = store.new_session(FakeClock(), demo=True)
    buf = io.StringIO()
    assert write_json(store.db, buf) == 1
    assert write_json(store.db, io.StringIO(), include_demo=True) == 2
    assert demo.id not in buf.getvalue()


def test_every_time_ends_in_z_but_the_planned_local_one_the_docs_name(store, tmp_path):
    """export-format.md (and the zip's README.txt) said every time is UTC ending in Z, but
    ``scheduled_for`` is the local date and time as entered (schema.md)."""
    from pathlib import Path

    finished_session(store, scheduled_for="2026-03-02T09:30")
    buf = io.StringIO()
    write_json(store.db, buf)
    not_z = set()

    def walk(value, key=None):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and re.match(r"\d{4}-\d\d-\d\dT", value):
            not_z.update([key] if not ISO_Z.match(value) else [])

    walk(json.loads(buf.getvalue()))
    assert not_z == {"scheduled_for"}
    docs = (Path(__file__).parents[2] / "docs" / "export-format.md").read_text(encoding="utf-8")
    (times,) = [part for part in docs.split("\n\n") if "UTC ending in `Z`" in part]
    assert "The one exception is `scheduled_for`" in times
    assert "local time with no zone" in times
    out = tmp_path / "out.zip"
    export(store.db, "csv", out, anonymise=True)
    with zipfile.ZipFile(out) as archive:
        readme = archive.read("README.txt").decode()
        sessions = list(csv.DictReader(io.StringIO(archive.read("sessions.csv").decode())))
    assert sessions[0]["scheduled_for"] == "2026-03-02T09:30"
    assert "but for scheduled_for: the planned local date and time as entered" in readme


def test_empty_export_is_valid_json(store):
    buf = io.StringIO()
    assert write_json(store.db, buf) == 0
    assert json.loads(buf.getvalue())["sessions"] == []


def test_csv_zip_has_a_file_per_table_and_a_readme(store, tmp_path):
    s = finished_session(store)
    out = tmp_path / "out.zip"
    assert export(store.db, "csv", out, anonymise=True) == 1
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        assert {"README.txt", "sessions.csv", "participants.csv", "turns.csv"} <= names
        turns = list(csv.DictReader(io.StringIO(archive.read("turns.csv").decode())))
        people = list(csv.DictReader(io.StringIO(archive.read("participants.csv").decode())))
        sessions = list(csv.DictReader(io.StringIO(archive.read("sessions.csv").decode())))
        assert "anonymised" in archive.read("README.txt").decode()
    assert len(turns) == 3
    assert turns[0]["session_id"] == s.id
    assert float(turns[0]["seconds"]) == 100
    assert all(p["name"] == "" for p in people)
    # Every column of the sessions table (docs/schema.md), with the database's values.
    (row,) = sessions
    assert set(row) == set(DERIVED_COLUMNS["sessions"])
    cursor = store.db.execute("SELECT * FROM sessions")
    kept = dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))
    for column, value in kept.items():
        assert row[column] == ("" if value is None else str(value)), column
    for filled in ("checked_in_at", "updated_at", "balance_index", "second_chance"):
        assert row[filled], filled


def test_csv_needs_an_output_file(store):
    with pytest.raises(ValueError, match="--out"):
        export(store.db, "csv", None)


def test_cancelled_export_writes_nothing(store, tmp_path):
    finished_session(store)
    out = tmp_path / "never.json"
    with pytest.raises(ExportCancelled):
        export(store.db, "json", out, progress=lambda done, total: False)
    assert not out.exists()
    assert list(tmp_path.glob("*.part")) == []


def test_a_close_in_progress_keeps_its_ratings_out_of_the_exports(store, tmp_path):
    """As on the app's screens: with some given and some not, whose is whose could show."""
    from tests.records_data import at, meeting

    closing = meeting(store, at(3, 3), "FN-1", ratings=((1, 2, 3, 4),), finish="closing")

    def exported() -> tuple[list, list]:
        export(store.db, "json", tmp_path / "out.json")
        export(store.db, "csv", tmp_path / "out.zip")
        (session,) = json.loads((tmp_path / "out.json").read_text())["sessions"]
        with zipfile.ZipFile(tmp_path / "out.zip") as archive:
            rows = list(csv.DictReader(io.StringIO(archive.read("ratings.csv").decode())))
        return session["ratings"], rows

    assert exported() == ([], [])
    closing.complete()
    ratings, rows = exported()
    assert ratings == [{"communication": 1, "compassion": 2, "clarity": 3, "heard": 4}]
    assert [row["communication"] for row in rows] == ["1"]


def test_ratings_leave_in_the_order_of_their_values_not_the_order_given(store, tmp_path):
    """Anyone who knew the order the laptop went round could otherwise tell whose were whose."""
    from tests.records_data import at, meeting

    given = ((5, 5, 5, 5), (1, 2, 3, 4), (None, 4, 4, 4), (1, 2, 2, 5))
    meeting(store, at(3, 3), "FN-1", ratings=given)
    export(store.db, "json", tmp_path / "out.json")
    export(store.db, "csv", tmp_path / "out.zip")
    (session,) = json.loads((tmp_path / "out.json").read_text())["sessions"]
    order = [tuple(r[q] for q in ("communication", "compassion", "clarity", "heard"))
             for r in session["ratings"]]  # fmt: skip
    assert order == [(None, 4, 4, 4), (1, 2, 2, 5), (1, 2, 3, 4), (5, 5, 5, 5)]
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("ratings.csv").decode())))
    assert "seq" not in rows[0]
    assert [row["clarity"] for row in rows] == ["4", "2", "3", "5"]
