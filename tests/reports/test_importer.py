"""Merging another laptop's JSON export: round trip, identical/conflict/new, bad files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from benchmarks.generate import generate
from rethink_desktop.core.clock import FakeClock
from rethink_desktop.core.events import Event
from rethink_desktop.core.state import IllegalAction, reduce
from rethink_desktop.reports.exports import export
from rethink_desktop.reports.importer import ImportCancelled, ImportFileError, import_export
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.storage.retention import anonymise_session
from tests.reports.test_exports import finished_session


@pytest.fixture
def source(tmp_path):
    with EventStore.open(tmp_path / "a" / "rethink.sqlite") as store:
        yield store


@pytest.fixture
def target(tmp_path):
    with EventStore.open(tmp_path / "b" / "rethink.sqlite") as store:
        yield store


def exported(store: EventStore, path: Path) -> dict:
    export(store.db, "json", path)
    doc = json.loads(path.read_text())
    doc.pop("exported_at")
    return doc


def snapshot(store: EventStore) -> tuple:
    events = store.db.execute("SELECT * FROM events ORDER BY seq").fetchall()
    return events, store.table_rows()


def test_round_trip_into_an_empty_data_dir_is_identical(source, target, tmp_path):
    finished_session(source)
    generate(source, sessions=12, seed=5, processes=1)
    source.db.execute("DELETE FROM sessions WHERE status NOT IN ('completed', 'abandoned')")
    first = tmp_path / "first.json"
    before = exported(source, first)
    report = import_export(target, first, keep_names=True)
    assert len(report.added) == len(before["sessions"]) == 13
    after = exported(target, tmp_path / "second.json")
    assert after == before
    # The text too, apart from the export time.
    strip = [line for line in first.read_text().splitlines() if "exported_at" not in line]
    again = (tmp_path / "second.json").read_text().splitlines()
    assert strip == [line for line in again if "exported_at" not in line]
    # The log is the source of truth: rebuilding the tables changes nothing.
    rows = target.table_rows()
    target.rebuild()
    assert target.table_rows() == rows


def test_identical_skipped_conflicting_reported_new_added(source, target, tmp_path):
    clock = FakeClock()
    a = finished_session(source, clock)
    b = finished_session(source, clock, reference="FN-7000")
    path = tmp_path / "out.json"
    export(source.db, "json", path)
    doc = json.loads(path.read_text())
    import_export(target, path)
    # Someone edits session b on their laptop (a different way forward), and adds one more.
    doc["sessions"][1]["way_forward"] = "partly"
    c = finished_session(source, clock, reference="FN-7001")
    export(source.db, "json", tmp_path / "c.json")
    doc["sessions"].append(json.loads((tmp_path / "c.json").read_text())["sessions"][2])
    path.write_text(json.dumps(doc))
    before_b = target.table_rows(b.id)
    report = import_export(target, path)
    assert report.added == [c.id]
    assert report.skipped_identical == [a.id]
    assert [sid for sid, _ in report.conflicts] == [b.id]
    assert "way_forward" in report.conflicts[0][1]
    assert target.table_rows(b.id) == before_b
    assert "1 added, 1 already here (skipped), 1 in conflict" in report.summary()


def test_names_are_dropped_unless_kept(source, target, tmp_path):
    s = finished_session(source)
    path = tmp_path / "out.json"
    export(source.db, "json", path)
    import_export(target, path)
    names = target.db.execute("SELECT name FROM participants").fetchall()
    assert names == [(None,)] * 3
    assert "Person 1" not in target.db.execute("SELECT data FROM events").fetchone()[0]
    # Kept names can be removed later, from the log too.
    other = EventStore.open(tmp_path / "c.sqlite")
    import_export(other, path, keep_names=True)
    assert other.db.execute("SELECT count(name) FROM participants").fetchone()[0] == 3
    assert anonymise_session(other, s.id, FakeClock(datetime(2030, 1, 1, tzinfo=UTC)))
    assert "Person 1" not in json.dumps(other.db.execute("SELECT data FROM events").fetchall())
    assert other.db.execute("SELECT count(name) FROM participants").fetchone()[0] == 0
    other.close()


def test_unfinished_and_demo_sessions_are_left_out(source, target, tmp_path):
    finished_session(source)
    running = source.new_session(FakeClock())
    path = tmp_path / "out.json"
    export(source.db, "json", path)
    report = import_export(target, path)
    assert report.left_out == [(running.id, "not finished on the other computer")]
    assert len(report.added) == 1


def write_bad(tmp_path, text: str) -> Path:
    path = tmp_path / "bad.json"
    path.write_text(text)
    return path


def good_doc(source, tmp_path) -> dict:
    finished_session(source)
    export(source.db, "json", tmp_path / "good.json")
    return json.loads((tmp_path / "good.json").read_text())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d, t: json.dumps({**d, "format": "something-else"}), "not a Re-Think Desktop"),
        (lambda d, t: json.dumps({**d, "format_version": 2}), "newer version"),
        (lambda d, t: t[: len(t) - 200], "ends before the export is complete"),
        (lambda d, t: t[:-3], "ends before the export is complete"),
        (lambda d, t: "this is not json at all", "not a Re-Think Desktop export"),
        (lambda d, t: "", "ends before"),
        (lambda d, t: json.dumps({**d, "sessions": [{"id": "x", "status": "completed"}]}),
         "is missing"),
        (lambda d, t: t.replace('"seconds": 100.0', '"seconds": 90.0'), "does not add up"),
        (lambda d, t: t.replace('"kind": "family_network"', '"kind": "picnic"'), "unknown value"),
    ],
)  # fmt: skip
def test_bad_files_each_have_a_message_and_change_nothing(
    source, target, tmp_path, change, message
):
    doc = good_doc(source, tmp_path)
    text = (tmp_path / "good.json").read_text()
    # One good session already here, so "nothing changed" is a real check.
    import_export(target, tmp_path / "good.json")
    before = snapshot(target)
    doc["sessions"][0]["id"] = "another-id"
    text = text.replace(json.loads(text)["sessions"][0]["id"], "another-id")
    with pytest.raises(ImportFileError, match=message):
        import_export(target, write_bad(tmp_path, change(doc, text)))
    assert snapshot(target) == before


def test_a_bad_session_after_good_ones_rolls_back_everything(source, target, tmp_path):
    generate(source, sessions=6, seed=2, processes=1)
    export(source.db, "json", tmp_path / "good.json")
    doc = json.loads((tmp_path / "good.json").read_text())
    doc["sessions"].append({"id": "broken", "status": "completed"})
    before = snapshot(target)
    with pytest.raises(ImportFileError, match="Session 7 in the file"):
        import_export(target, write_bad(tmp_path, json.dumps(doc)))
    assert snapshot(target) == before


def test_cancelled_import_changes_nothing(source, target, tmp_path):
    finished_session(source)
    export(source.db, "json", tmp_path / "good.json")
    before = snapshot(target)
    with pytest.raises(ImportCancelled):
        import_export(target, tmp_path / "good.json", progress=lambda done, total: False)
    assert snapshot(target) == before


def test_stream_reads_small_chunks(source, target, tmp_path, monkeypatch):
    monkeypatch.setattr("rethink_desktop.reports.importer._READ_SIZE", 7)
    generate(source, sessions=5, seed=3, processes=1)
    export(source.db, "json", tmp_path / "good.json")
    seen = []
    report = import_export(
        target, tmp_path / "good.json", progress=lambda d, t: seen.append(d) or True
    )
    assert report.added
    assert seen[-1] == (tmp_path / "good.json").stat().st_size


def test_imported_event_only_first_and_only_finished(source, tmp_path):
    s = finished_session(source)
    export(source.db, "json", tmp_path / "out.json")
    session = json.loads((tmp_path / "out.json").read_text())["sessions"][0]
    at = datetime(2030, 1, 1, tzinfo=UTC)
    event = Event("imported", at, {"format_version": 1, "session": session})
    state = reduce([event])
    assert state.id == s.id
    assert state.status == "completed"
    assert state.allowed() == {"names_removed"}
    with pytest.raises(IllegalAction, match="first event"):
        reduce([event, event])
    with pytest.raises(IllegalAction, match="only finished"):
        reduce(
            [
                Event(
                    "imported",
                    at,
                    {"format_version": 1, "session": {**session, "status": "running"}},
                )
            ]
        )
    with pytest.raises(IllegalAction, match="cannot read"):
        reduce([Event("imported", at, {"format_version": 9, "session": session})])
