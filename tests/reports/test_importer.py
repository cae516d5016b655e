"""Merging another laptop's JSON export: round trip, identical/conflict/new, bad files."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from benchmarks.generate import generate
from rethink_desktop.core.clock import FakeClock
from rethink_desktop.core.events import Event
from rethink_desktop.core.state import IllegalAction, reduce
from rethink_desktop.reports import importer
from rethink_desktop.reports.exports import export
from rethink_desktop.reports.importer import (
    ODD_ID,
    ImportCancelled,
    ImportFileError,
    import_export,
)
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.storage.retention import anonymise_session
from rethink_desktop.storage.schema import DERIVED_TABLES
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
    # A demo's export (include_demo): every session is left out as a demo, one still
    # running too (it was said to be "not finished", as if it could come in later).
    doc = json.loads(path.read_text(encoding="utf-8"))
    for session in doc["sessions"]:
        session["demo"] = True
    path.write_text(json.dumps(doc), encoding="utf-8")
    with EventStore.open(tmp_path / "d.sqlite") as fresh:
        report = import_export(fresh, path)
    assert report.left_out == [(s["id"], "a demo session") for s in doc["sessions"]]
    assert report.summary().endswith("2 left out (demo).")


# A session id as the app writes them, for a session changed by hand in a test's file.
OTHER_ID = "0e6f4c1a-9d2b-4c3e-8f5a-7b1d2e3c4f50"


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
        # Whole JSON, but no export in it: "ends before the export is complete" misled.
        (lambda d, t: "{}", "not a Re-Think Desktop export: it is an empty JSON object"),
        (lambda d, t: " {\n }\n", "not a Re-Think Desktop export: it is an empty JSON object"),
        (lambda d, t: json.dumps({**d, "sessions": [{"id": OTHER_ID, "status": "completed"}]}),
         "is missing"),
        (lambda d, t: t.replace('"seconds": 100.0', '"seconds": 90.0'), "does not add up"),
        (lambda d, t: t.replace('"kind": "family_network"', '"kind": "picnic"'), "unknown value"),
        # More than Python decodes: lists deeper than its stack, a number of 5,000 digits.
        (lambda d, t: t.replace('"sessions": [', '"sessions": [' + "[" * 100_000, 1),
         "not a Re-Think Desktop export"),
        (lambda d, t: t.replace('"format_version": 1', '"format_version": ' + "9" * 5000),
         "not a Re-Think Desktop export"),
        (lambda d, t: re.sub(r'"planned_minutes": \d+', '"planned_minutes": ' + "9" * 5000, t),
         "not a Re-Think Desktop export"),
        # Decoded, but too deep to check (or quote in a message) without running out of stack.
        (lambda d, t: re.sub(r'"planned_minutes": \d+', lambda _m: '"planned_minutes": '
                             + "[" * 600 + "]" * 600, t, count=1),
         "not a Re-Think Desktop export"),
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
    doc["sessions"][0]["id"] = OTHER_ID
    text = text.replace(json.loads(text)["sessions"][0]["id"], OTHER_ID)
    with pytest.raises(ImportFileError, match=message):
        import_export(target, write_bad(tmp_path, change(doc, text)))
    assert snapshot(target) == before


def test_a_bad_session_after_good_ones_rolls_back_everything(source, target, tmp_path):
    generate(source, sessions=6, seed=2, processes=1)
    export(source.db, "json", tmp_path / "good.json")
    doc = json.loads((tmp_path / "good.json").read_text())
    doc["sessions"].append({"id": OTHER_ID, "status": "completed"})
    before = snapshot(target)
    with pytest.raises(ImportFileError, match="Session 7 in the file"):
        import_export(target, write_bad(tmp_path, json.dumps(doc)))
    assert snapshot(target) == before


def _person(n: int, **changes) -> Callable[[dict], None]:
    return lambda s: s["participants"][n].update(changes)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.update(venue="V" * 81), "Session 1 in the file .*Keep the venue to 80"),
        (lambda s: s.update(reference="R" * 500), "Keep the reference to 24 characters"),
        (lambda s: s.update(purpose="a" + " " * 300 + "b"), "302 characters long with its"),
        (lambda s: s.update(purpose="p" * 121), "Keep the purpose to one short line"),
        (lambda s: s.update(reference="Jane Smith"), "never a child's or family's name"),
        (lambda s: s.update(reference=""), "Enter a reference code"),
        (_person(0, name="  "), "Seat 1 needs a name"),
        (_person(1, name="N" * 500), "Seat 2: keep the name short"),
        (_person(1, name="Person 1", role="Role 1"), "two people are called Person 1"),
        (_person(2, agency=""), "Seat 3 needs an agency"),
        (_person(2, role="r" * 41), "Seat 3: shorten the role"),
        (lambda s: s["phases"][0].update(name="x" * 500), "Phase 1 has a name of 500"),
    ],
)  # fmt: skip
def test_a_session_prepare_would_refuse_is_refused_and_changes_nothing(
    source, target, tmp_path, change, message
):
    doc = good_doc(source, tmp_path)
    change(doc["sessions"][0])
    before = snapshot(target)
    with pytest.raises(ImportFileError, match=f"{message}.* Nothing was imported"):
        import_export(target, write_bad(tmp_path, json.dumps(doc)), keep_names=True)
    assert snapshot(target) == before


def test_prepare_s_rules_hold_on_the_full_path_too(source, target, tmp_path):
    doc = good_doc(source, tmp_path)
    session = doc["sessions"][0]
    session["venue"] = "V" * 81
    session["demo"] = 0  # the full path takes it (as false), the direct path steps aside
    assert importer._direct_rows(session, False, "", datetime.now(UTC)) is None
    with pytest.raises(ImportFileError, match="Keep the venue to 80 characters"):
        import_export(target, write_bad(tmp_path, json.dumps(doc)))


def test_names_removed_are_not_refused_but_blank_ones_are(source, target, tmp_path):
    doc = good_doc(source, tmp_path)
    people = doc["sessions"][0]["participants"]
    for person in people:
        person["name"] = None
    people[1]["role"] = people[0]["role"]  # no names to tell apart: nothing to refuse
    report = import_export(target, write_bad(tmp_path, json.dumps(doc)))
    assert len(report.added) == 1
    people[2]["name"] = ""
    doc["sessions"][0]["id"] = OTHER_ID
    with pytest.raises(ImportFileError, match="Seat 3 needs a name"):
        import_export(target, write_bad(tmp_path, json.dumps(doc)))


def test_what_the_database_refuses_is_an_import_error_and_changes_nothing(
    source, target, tmp_path, monkeypatch
):
    """The safety net for a rule the import's own checks might miss."""
    monkeypatch.setattr(importer, "_prepare_problem", lambda session: None)
    doc = good_doc(source, tmp_path)
    doc["sessions"][0]["venue"] = "V" * 81
    before = snapshot(target)
    with pytest.raises(ImportFileError, match=r"cannot keep .*Nothing was imported"):
        import_export(target, write_bad(tmp_path, json.dumps(doc)))
    assert snapshot(target) == before
    assert journal_mode(target) == "wal"


BIG = "x" * 3_000_000


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d, s: s.update(way_forward=BIG), "way_forward has an unknown value 'xxx"),
        (lambda d, s: s.update(kind=BIG), "The kind has an unknown value 'xxx"),
        (lambda d, s: s.update(created_at=BIG), "created_at is not a time: 'xxx"),
        (lambda d, s: s.update(reference=BIG), r"Session 1 in the file \(xxx"),
        (lambda d, s: d.update(format=BIG), 'its format is "xxx'),
        (lambda d, s: s["phases"][0].update(index=[BIG]), r"Phase 1 has index \['xxx"),
    ],
)  # fmt: skip
def test_a_message_quotes_a_huge_value_cut_short(source, target, tmp_path, change, message):
    doc = good_doc(source, tmp_path)
    change(doc, doc["sessions"][0])
    with pytest.raises(ImportFileError, match=message) as caught:
        import_export(target, write_bad(tmp_path, json.dumps(doc)))
    assert "x" * 40 not in caught.value.message
    assert "…" in caught.value.message
    assert len(caught.value.message) < 400


def test_a_conflict_quotes_a_huge_value_cut_short(source, target, tmp_path):
    doc = good_doc(source, tmp_path)
    import_export(target, tmp_path / "good.json")
    doc["sessions"][0]["purpose"] = BIG
    report = import_export(target, write_bad(tmp_path, json.dumps(doc)))
    ((_, reason),) = report.conflicts
    assert reason.startswith('differs in purpose ("" here, "xxx')
    assert len(reason) < 120


def test_a_session_running_on_past_the_limit_is_refused_without_reading_on(
    source, target, tmp_path, monkeypatch
):
    monkeypatch.setattr(importer, "_VALUE_MAX", 1_000_000)
    monkeypatch.setattr(importer, "_READ_SIZE", 1 << 16)
    doc = good_doc(source, tmp_path)
    doc["sessions"][0]["purpose"] = "y" * 900_000  # under the limit: read, then checked
    with pytest.raises(ImportFileError, match="Keep the purpose to one short line"):
        import_export(target, write_bad(tmp_path, json.dumps(doc)))
    doc["sessions"][0]["purpose"] = BIG
    path = write_bad(tmp_path, json.dumps(doc))
    read = []
    before = snapshot(target)
    with pytest.raises(ImportFileError, match=r"runs on for more than .* Nothing was imported"):
        import_export(target, path, progress=lambda done, total: read.append(done) or True)
    assert read[-1] < path.stat().st_size / 2
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


@pytest.mark.parametrize("read_size", [1, 2, 4096])
def test_a_byte_order_mark_at_the_start_is_skipped(
    source, target, tmp_path, monkeypatch, read_size
):
    """As Windows Notepad may save the file: the mark is skipped even when reads split it,
    and the progress still counts every byte of the file."""
    monkeypatch.setattr("rethink_desktop.reports.importer._READ_SIZE", read_size)
    finished_session(source)
    export(source.db, "json", tmp_path / "good.json")
    marked = tmp_path / "marked.json"
    marked.write_bytes(b"\xef\xbb\xbf" + (tmp_path / "good.json").read_bytes())
    seen = []
    report = import_export(target, marked, progress=lambda d, t: seen.append((d, t)) or True)
    assert len(report.added) == 1
    assert seen[-1] == (marked.stat().st_size, marked.stat().st_size)


def test_a_byte_order_mark_anywhere_else_is_refused(source, target, tmp_path):
    finished_session(source)
    export(source.db, "json", tmp_path / "good.json")
    text = (tmp_path / "good.json").read_text(encoding="utf-8")
    before = snapshot(target)
    for marked in ("\ufeff\ufeff" + text, text.replace('"sessions": [', '"sessions": \ufeff[')):
        (tmp_path / "bad.json").write_text(marked, encoding="utf-8")
        with pytest.raises(ImportFileError, match="not a Re-Think Desktop export"):
            import_export(target, tmp_path / "bad.json")
    assert snapshot(target) == before


@pytest.mark.parametrize("read_size", [1, 3, 4096])
def test_a_file_cut_inside_a_character_is_told_as_cut_short(
    source, target, tmp_path, monkeypatch, read_size
):
    """A copy that stopped part-way through an "é" was called "not a Re-Think Desktop
    export", as if it were some other file."""
    monkeypatch.setattr("rethink_desktop.reports.importer._READ_SIZE", read_size)
    finished_session(source, venue="Salle Émile Zola")
    export(source.db, "json", tmp_path / "good.json")
    data = (tmp_path / "good.json").read_bytes()
    before = snapshot(target)
    for at in (data.index("É".encode()) + 1, data.index("É".encode()) + 1 - len(data)):
        (tmp_path / "cut.json").write_bytes(data[:at])
        with pytest.raises(ImportFileError, match="ends before the export is complete"):
            import_export(target, tmp_path / "cut.json")
    assert snapshot(target) == before


@pytest.mark.parametrize(
    "sid",
    ["FN-2291", OTHER_ID.upper(), "{" + OTHER_ID + "}", OTHER_ID.replace("-", ""),
     OTHER_ID + " "],
)  # fmt: skip
def test_a_session_whose_id_is_not_a_uuid_is_left_out_by_name(source, target, tmp_path, sid):
    """Ids are what records merge by; "FN-2291" (a reference put in its place) was added. It
    is left out, not the whole file refused: an earlier build took any id, so such a session
    may be in every export of another laptop's records."""
    doc = good_doc(source, tmp_path)
    before = snapshot(target)
    doc["sessions"][0]["id"] = sid
    report = import_export(target, write_bad(tmp_path, json.dumps(doc)))
    assert report.left_out == [(sid, ODD_ID)]
    assert report.added == [s["id"] for s in doc["sessions"][1:]]  # the rest came in
    assert "1 left out (an id of another kind)" in report.summary()
    ids = [row[0] for row in target.db.execute("SELECT id FROM sessions")]
    assert sid not in ids
    assert sorted(ids) == sorted(report.added)
    if not report.added:  # the file held that one session: nothing changed
        assert snapshot(target) == before


def test_a_session_with_no_id_refuses_the_file(source, target, tmp_path):
    doc = good_doc(source, tmp_path)
    before = snapshot(target)
    doc["sessions"][0]["id"] = ""
    with pytest.raises(ImportFileError) as refused:
        import_export(target, write_bad(tmp_path, json.dumps(doc)))
    assert (
        refused.value.message == "Session 1 in the file (FN-2291) has no id. Nothing was imported."
    )
    assert snapshot(target) == before


def test_a_session_with_an_odd_id_already_here_is_compared_as_usual(
    source, target, tmp_path, monkeypatch
):
    """One taken in by an earlier build, which took any id: exported again and imported
    again, it is already here, not left out."""
    doc = good_doc(source, tmp_path)
    doc["sessions"][0]["id"] = "FN-2291"
    path = write_bad(tmp_path, json.dumps(doc))
    with monkeypatch.context() as earlier_build:  # which took any id
        earlier_build.setattr(importer, "_SESSION_ID", re.compile(".+"))
        first = import_export(target, path)
    assert "FN-2291" in first.added
    again = import_export(target, path)
    assert "FN-2291" in again.skipped_identical
    assert again.left_out == []


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


# --- at scale, in batches ------------------------------------------------------------------


def test_two_hundred_sessions_in_batches_rebuild_exactly(source, target, tmp_path, monkeypatch):
    """The bulk path writes what replaying the log writes, and keeps every foreign key."""
    monkeypatch.setattr("rethink_desktop.reports.importer._BATCH", 32)
    generate(source, sessions=200, seed=9, processes=1)
    export(source.db, "json", tmp_path / "all.json")
    settings = [
        target.db.execute(f"PRAGMA {p}").fetchone()[0] for p in ("foreign_keys", "cache_size")
    ]
    report = import_export(target, tmp_path / "all.json", keep_names=True)
    assert len(report.added) > 180
    assert [
        target.db.execute(f"PRAGMA {p}").fetchone()[0] for p in ("foreign_keys", "cache_size")
    ] == settings
    assert target.db.execute("PRAGMA foreign_key_check").fetchall() == []
    rows = target.table_rows()
    assert len(rows["turns"]) > 10_000
    assert target.rebuild() == len(report.added)
    assert target.table_rows() == rows
    # And the round trip: exporting again gives the same sessions.
    again = exported(target, tmp_path / "again.json")
    first = json.loads((tmp_path / "all.json").read_text())
    finished = [s for s in first["sessions"] if s["id"] in set(report.added)]
    assert again["sessions"] == finished


def test_the_same_file_again_is_all_skipped_and_changes_nothing(source, target, tmp_path):
    generate(source, sessions=30, seed=4, processes=1)
    export(source.db, "json", tmp_path / "all.json")
    first = import_export(target, tmp_path / "all.json")
    before = snapshot(target)
    again = import_export(target, tmp_path / "all.json")
    assert again.skipped_identical == first.added
    assert not again.added
    assert not again.conflicts
    assert again.left_out == first.left_out
    assert snapshot(target) == before
    # Imported with names kept this time: still the same sessions (names are not compared).
    assert import_export(target, tmp_path / "all.json", keep_names=True).skipped_identical == (
        first.added
    )


def test_sessions_recorded_here_are_recognised_when_they_come_back(source, tmp_path):
    """A laptop importing its own sessions (another laptop merged and exported them)."""
    generate(source, sessions=20, seed=6, processes=1)
    finished_session(source)
    path = tmp_path / "own.json"
    export(source.db, "json", path)
    doc = json.loads(path.read_text())
    finished = [s["id"] for s in doc["sessions"] if s["status"] in ("completed", "abandoned")]
    before = snapshot(source)
    report = import_export(source, path)
    assert report.skipped_identical == finished
    assert not report.added
    assert snapshot(source) == before
    # One of them changed on the other laptop: a conflict naming the field, kept as it was.
    changed = next(s for s in doc["sessions"] if s["id"] == finished[3])
    changed["cards_shown"].append(
        {"card_id": "extra", "phase": 0, "shown_at": changed["created_at"]}
    )
    path.write_text(json.dumps(doc))
    report = import_export(source, path)
    n = len(changed["cards_shown"])
    why = f"differs in cards_shown ({n - 1} here, {n} in the file)"
    assert report.conflicts == [(finished[3], why)]
    assert snapshot(source) == before


def two_finished(source, tmp_path):
    """An export of four generated sessions, and two finished sessions from it."""
    generate(source, sessions=4, seed=8, processes=1)
    export(source.db, "json", tmp_path / "out.json")
    doc = json.loads((tmp_path / "out.json").read_text())
    sessions = [s for s in doc["sessions"] if s["status"] in ("completed", "abandoned")]
    return doc, sessions[0], sessions[1]


def test_a_session_twice_in_the_file(source, target, tmp_path):
    doc, a, b = two_finished(source, tmp_path)
    other_b = json.loads(json.dumps(b))
    other_b["way_forward"] = "not_yet" if b["way_forward"] != "not_yet" else "yes"
    doc["sessions"] = [a, b, a, other_b]
    (tmp_path / "twice.json").write_text(json.dumps(doc))
    report = import_export(target, tmp_path / "twice.json")
    assert report.added == [a["id"], b["id"]]
    assert report.conflicts == [(b["id"], "appears twice in the file, differently")]
    assert target.db.execute("SELECT count(*) FROM events").fetchone()[0] == 2


def test_conflicts_are_listed_in_file_order(source, target, tmp_path, monkeypatch):
    monkeypatch.setattr("rethink_desktop.reports.importer._BATCH", 3)
    generate(source, sessions=12, seed=10, processes=1)
    export(source.db, "json", tmp_path / "out.json")
    import_export(target, tmp_path / "out.json")
    doc = json.loads((tmp_path / "out.json").read_text())
    sessions = [s for s in doc["sessions"] if s["status"] in ("completed", "abandoned")]
    for s in sessions[::2]:
        s["venue"] = "Another room"
    doc["sessions"] = [*sessions, sessions[1] | {"venue": "A third room"}]
    (tmp_path / "changed.json").write_text(json.dumps(doc))
    report = import_export(target, tmp_path / "changed.json")
    expected = [(s["id"], "differs in venue") for s in sessions[::2]]
    expected.append((sessions[1]["id"], "appears twice in the file, differently"))
    assert [(sid, why.split(" (")[0]) for sid, why in report.conflicts] == expected
    assert report.skipped_identical == [s["id"] for s in sessions[1::2]]


def test_names_and_text_that_need_escaping_read_in_tiny_pieces(
    source, target, tmp_path, monkeypatch
):
    monkeypatch.setattr("rethink_desktop.reports.importer._READ_SIZE", 5)
    names = [
        {"id": f"p{i}", "name": name, "agency": "Santé", "role": 'DSL "lead"'}
        for i, name in enumerate(("Zoë", "Łukasz", "Ōta 太郎"), start=1)
    ]
    s = finished_session(source, participants=names, purpose="Back\\slash and “quotes”")
    export(source.db, "json", tmp_path / "out.json")
    report = import_export(target, tmp_path / "out.json", keep_names=True)
    assert report.added == [s.id]
    people = target.db.execute("SELECT name, agency, role FROM participants ORDER BY seat")
    assert [tuple(p) for p in people] == [(n["name"], "Santé", 'DSL "lead"') for n in names]
    data = json.loads(target.db.execute("SELECT data FROM events").fetchone()[0])
    assert data["session"]["purpose"] == "Back\\slash and “quotes”"
    assert all("label" not in p for p in data["session"]["participants"])
    rows = target.table_rows()
    target.rebuild()
    assert target.table_rows() == rows


def test_cancelling_after_some_batches_were_written_changes_nothing(
    source, target, tmp_path, monkeypatch
):
    monkeypatch.setattr("rethink_desktop.reports.importer._BATCH", 2)
    monkeypatch.setattr("rethink_desktop.reports.importer._READ_SIZE", 4096)
    generate(source, sessions=20, seed=12, processes=1)
    export(source.db, "json", tmp_path / "out.json")
    finished_session(target)
    before = snapshot(target)
    size = (tmp_path / "out.json").stat().st_size
    with pytest.raises(ImportCancelled):
        import_export(target, tmp_path / "out.json", progress=lambda done, total: done < size // 2)
    assert snapshot(target) == before
    assert target.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_fields_the_format_does_not_know_are_not_kept(source, target, tmp_path):
    finished_session(source)
    path = tmp_path / "out.json"
    export(source.db, "json", path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["sessions"][0]["facilitator"] = "Jane Smith"
    path.write_text(json.dumps(doc), encoding="utf-8")
    report = import_export(target, path)
    assert len(report.added) == 1
    logged = json.dumps(target.db.execute("SELECT data FROM events").fetchall())
    assert "Jane Smith" not in logged


# --- the journal during a large import -----------------------------------------------------


def journal_mode(store: EventStore) -> str:
    return store.db.execute("PRAGMA journal_mode").fetchone()[0]


def test_the_import_writes_through_a_rollback_journal_and_puts_the_wal_back(
    source, target, tmp_path
):
    generate(source, sessions=8, seed=6, processes=1)
    export(source.db, "json", tmp_path / "all.json")
    assert journal_mode(target) == "wal"
    during = []
    report = import_export(
        target,
        tmp_path / "all.json",
        progress=lambda done, total: during.append(journal_mode(target)) or True,
    )
    assert report.added
    assert set(during) == {"delete"}
    assert journal_mode(target) == "wal"
    assert not Path(f"{target.path}-journal").exists()
    # Durable and whole: another connection sees every session, and the file is sound.
    with EventStore.open(target.path) as other:
        assert other.db.execute("SELECT count(*) FROM sessions").fetchone()[0] == len(report.added)
        assert other.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_failed_import_puts_the_wal_back_and_changes_nothing(source, target, tmp_path):
    generate(source, sessions=6, seed=2, processes=1)
    export(source.db, "json", tmp_path / "good.json")
    doc = json.loads((tmp_path / "good.json").read_text())
    doc["sessions"].append({"id": OTHER_ID, "status": "completed"})
    finished_session(target)
    before = snapshot(target)
    with pytest.raises(ImportFileError):
        import_export(target, write_bad(tmp_path, json.dumps(doc)))
    assert snapshot(target) == before
    assert journal_mode(target) == "wal"


def test_with_the_file_open_elsewhere_the_import_keeps_the_wal(source, target, tmp_path):
    generate(source, sessions=4, seed=8, processes=1)
    export(source.db, "json", tmp_path / "all.json")
    with EventStore.open(target.path) as reader:  # an analyst's Datasette, say
        reader.db.execute("SELECT count(*) FROM sessions").fetchone()
        during = []
        report = import_export(
            target,
            tmp_path / "all.json",
            progress=lambda done, total: during.append(journal_mode(target)) or True,
        )
        assert set(during) == {"wal"}
        assert reader.db.execute("SELECT count(*) FROM sessions").fetchone()[0] == len(report.added)
    assert journal_mode(target) == "wal"
    assert target.db.execute("PRAGMA busy_timeout").fetchone()[0] > 0


# --- the same file again ---------------------------------------------------------------------


def write_lines(path: Path, sessions: list[dict]) -> Path:
    """A file laid out as this app exports: one session a line."""
    head = '{\n  "format": "rethink-sessions",\n  "format_version": 1,\n  "sessions": ['
    lines = ",\n    ".join(json.dumps(s, ensure_ascii=False) for s in sessions)
    path.write_text(f"{head}\n    {lines}\n  ]\n}}\n", encoding="utf-8")
    return path


def test_sessions_imported_before_are_known_by_their_text(source, target, tmp_path, monkeypatch):
    """The same file again: each session imported from it is recognised by its text (the
    event it was logged as) and skipped without being decoded; the rest go the usual way."""
    monkeypatch.setattr("rethink_desktop.reports.importer._BATCH", 5)
    generate(source, sessions=16, seed=7, processes=1)
    export(source.db, "json", tmp_path / "all.json")
    first = import_export(target, tmp_path / "all.json")
    before = snapshot(target)
    decoded = []
    add = importer._Import.add
    monkeypatch.setattr(
        importer._Import, "add", lambda job, s, *rest: decoded.append(s) or add(job, s, *rest)
    )
    again = import_export(target, tmp_path / "all.json")
    assert again.skipped_identical == first.added
    assert again.left_out == first.left_out
    assert [s["id"] for s in decoded] == [sid for sid, _ in first.left_out]
    assert snapshot(target) == before
    # Names kept this time: the events of sessions with names would differ, so those are
    # decoded and compared (and still the same: names are not compared).
    decoded.clear()
    kept = import_export(target, tmp_path / "all.json", keep_names=True)
    assert kept.skipped_identical == first.added
    doc = json.loads((tmp_path / "all.json").read_text())
    named = [s["id"] for s in doc["sessions"] if any(p["name"] for p in s["participants"])]
    assert named
    assert {s["id"] for s in decoded} == set(named) | {sid for sid, _ in first.left_out}
    assert snapshot(target) == before


def test_a_session_known_by_its_text_twice_in_the_file(source, target, tmp_path):
    _doc, a, b = two_finished(source, tmp_path)
    assert len(import_export(target, write_lines(tmp_path / "ab.json", [a, b])).added) == 2
    before = snapshot(target)
    other_b = json.loads(json.dumps(b))
    other_b["way_forward"] = "not_yet" if b["way_forward"] != "not_yet" else "yes"
    report = import_export(target, write_lines(tmp_path / "twice.json", [a, a, b, other_b]))
    assert report.skipped_identical == [a["id"], b["id"]]
    assert report.conflicts == [(b["id"], "appears twice in the file, differently")]
    assert not report.added
    assert snapshot(target) == before
    # A changed text is not taken for the session here: it is decoded and compared.
    report = import_export(target, write_lines(tmp_path / "changed.json", [other_b, a]))
    assert report.skipped_identical == [a["id"]]
    assert [sid for sid, _ in report.conflicts] == [b["id"]]
    assert report.conflicts[0][1].startswith("differs in way_forward")
    assert snapshot(target) == before


def test_a_session_here_nested_too_deep_in_the_file_is_refused_in_words(source, target, tmp_path):
    """Looking for a session known by its text decodes its participants list first."""
    _doc, a, b = two_finished(source, tmp_path)
    import_export(target, write_lines(tmp_path / "ab.json", [a, b]))
    before = snapshot(target)
    text = write_lines(tmp_path / "deep.json", [{**a, "participants": "DEEP"}]).read_text()
    (tmp_path / "deep.json").write_text(text.replace('"DEEP"', "[" * 100_000 + "]" * 100_000))
    with pytest.raises(ImportFileError, match="not a Re-Think Desktop export"):
        import_export(target, tmp_path / "deep.json")
    assert snapshot(target) == before


def test_a_file_on_one_line_is_still_read_as_a_stream(source, target, tmp_path, monkeypatch):
    """Looking for a session's line never reads much more than the session itself."""
    monkeypatch.setattr("rethink_desktop.reports.importer._READ_SIZE", 4096)
    monkeypatch.setattr("rethink_desktop.reports.importer._LINE_MAX", 8192)
    generate(source, sessions=10, seed=3, processes=1)
    export(source.db, "json", tmp_path / "all.json")
    doc = json.loads((tmp_path / "all.json").read_text())
    import_export(target, tmp_path / "all.json")
    flat = tmp_path / "flat.json"
    flat.write_text(json.dumps(doc), encoding="utf-8")
    size = flat.stat().st_size
    read = []
    report = import_export(target, flat, progress=lambda done, total: read.append(done) or True)
    assert len(report.skipped_identical) == len(
        [s for s in doc["sessions"] if s["status"] in ("completed", "abandoned")]
    )
    assert len(read) > size // 4096 // 2  # read a piece at a time, not all at once


def test_a_file_with_ratings_in_the_order_given_matches_one_in_value_order(
    source, target, tmp_path
):
    """Files exported before ratings were listed by value still merge as identical, and a
    session added from one is exported again in value order."""
    from tests.records_data import at, meeting

    meeting(source, at(3, 3), "FN-1", ratings=((5, 5, 5, 5), (1, 2, 3, 4), (None, 4, 4, 4)))
    now = tmp_path / "now.json"
    doc = exported(source, now)
    older = tmp_path / "older.json"
    doc["sessions"][0]["ratings"].reverse()  # as an earlier build might have listed them
    older.write_text(json.dumps({"exported_at": "2026-01-01T00:00:00Z", **doc}))

    again = import_export(source, older, keep_names=True)
    assert len(again.skipped_identical) == 1
    assert again.conflicts == []
    added = import_export(target, older, keep_names=True)
    assert len(added.added) == 1
    assert exported(target, tmp_path / "from-older.json") == exported(source, now)


# --- into an empty data folder: the indexes are made once, at the end ----------------------


def schema(store: EventStore) -> list[tuple]:
    return store.db.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    ).fetchall()


def indexes(store: EventStore) -> set[str]:
    return {
        name
        for (name,) in store.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        )
    }


# The tables the import writes, but session_figures (no rowid).
_ROWID_TABLES = ("events", *(t for t in DERIVED_TABLES if t != "session_figures"))


def every_row(store: EventStore) -> dict[str, list[tuple]]:
    """Every row of every table the import writes, in stored order, ids and all."""
    return {
        table: store.db.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
        for table in _ROWID_TABLES
    } | {
        "session_figures": store.db.execute(
            "SELECT * FROM session_figures ORDER BY session_id"
        ).fetchall()
    }


def test_into_an_empty_database_the_indexes_are_made_again_exactly(
    source, target, tmp_path, monkeypatch
):
    """Set aside while the rows go in (a new data folder), then created from their own text:
    the same schema as a new database's, the same rows as an import with them kept."""
    monkeypatch.setattr("rethink_desktop.reports.importer._BATCH", 16)
    generate(source, sessions=60, seed=21, processes=1)
    finished_session(source)
    export(source.db, "json", tmp_path / "all.json")
    fresh = schema(target)
    all_indexes = indexes(target)
    assert {"events_session", "turns_session", "sessions_finished"} <= all_indexes
    during: list[set[str]] = []
    clock = FakeClock()
    report = import_export(
        target,
        tmp_path / "all.json",
        keep_names=True,
        clock=clock,
        progress=lambda done, total: during.append(indexes(target)) or True,
    )
    assert len(report.added) > 40
    # Only the migrations' own index was there while the rows went in.
    assert during
    assert all(names == {"idx__sqlite_migrations_migration_set_name"} for names in during)
    assert schema(target) == fresh
    assert target.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert target.db.execute("PRAGMA foreign_key_check").fetchall() == []
    # The same rows as with the indexes kept all along.
    monkeypatch.setattr(
        "rethink_desktop.reports.importer._indexes_set_aside",
        lambda db: contextlib.nullcontext(),
    )
    with EventStore.open(tmp_path / "kept" / "rethink.sqlite") as kept:
        assert import_export(kept, tmp_path / "all.json", keep_names=True, clock=clock) == report
        assert every_row(kept) == every_row(target)
        assert schema(kept) == fresh
    # And the queries find them: a session's turns are read through its index.
    plan = target.db.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM turns WHERE session_id = ? ORDER BY seq", ["x"]
    ).fetchall()
    assert "turns_session" in str(plan)


@pytest.mark.parametrize("how", ["cancel", "bad session"])
def test_an_import_into_an_empty_database_that_fails_leaves_every_index(
    source, target, tmp_path, monkeypatch, how
):
    monkeypatch.setattr("rethink_desktop.reports.importer._BATCH", 4)
    monkeypatch.setattr("rethink_desktop.reports.importer._READ_SIZE", 4096)
    generate(source, sessions=20, seed=13, processes=1)
    export(source.db, "json", tmp_path / "all.json")
    path = tmp_path / "all.json"
    fresh = schema(target)
    if how == "cancel":
        size = path.stat().st_size
        with pytest.raises(ImportCancelled):
            import_export(target, path, progress=lambda done, total: done < size * 3 // 4)
    else:
        doc = json.loads(path.read_text())
        doc["sessions"].append({"id": OTHER_ID, "status": "completed"})
        with pytest.raises(ImportFileError):
            import_export(target, write_bad(tmp_path, json.dumps(doc)))
    assert schema(target) == fresh
    assert target.db.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    assert target.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_into_a_database_with_sessions_the_indexes_stay(source, target, tmp_path):
    """Sessions already here are looked up by them during the import."""
    generate(source, sessions=12, seed=3, processes=1)
    export(source.db, "json", tmp_path / "all.json")
    finished_session(target)
    all_indexes = indexes(target)
    during: list[set[str]] = []
    report = import_export(
        target,
        tmp_path / "all.json",
        progress=lambda done, total: during.append(indexes(target)) or True,
    )
    assert report.added
    assert during
    assert all(names == all_indexes for names in during)
    assert target.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
