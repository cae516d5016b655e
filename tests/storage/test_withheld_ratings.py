"""Ratings of a close that never completed are not shown, counted or exported.

Ratings are given one person at a time at the close; with some given and some not, the order
of hand-over could tell whose answers are whose. A session abandoned during its close keeps
that incomplete set back for good, as a close in progress does until it completes.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date

import pytest

from rethink_desktop.core.state import ratings_withheld
from rethink_desktop.reports.exports import export
from rethink_desktop.reports.importer import import_export
from rethink_desktop.reports.pdf import RATINGS_LEFT_OUT, summary_lines
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.storage.history import dashboard
from tests.records_data import at, meeting


@pytest.fixture
def store(tmp_path):
    with EventStore.open(tmp_path / "data" / "rethink.sqlite") as opened:
        yield opened


def abandoned_in_close(store: EventStore):
    session = meeting(store, at(3, 10), "FN-2", ratings=((1, 1, 1, 1),), finish="closing")
    session.abandon("interrupted")
    return session


def test_only_a_completed_close_shows_its_ratings():
    assert [s for s in ("closing", "abandoned", "completed") if not ratings_withheld(s)] == [
        "completed"
    ]


def test_the_dashboard_leaves_out_the_ratings_of_a_session_abandoned_at_its_close(store):
    meeting(store, at(3, 3), "FN-1", ratings=((4, 4, 4, 4),))
    abandoned_in_close(store)
    data = dashboard(store.db, date(2026, 3, 1), date(2026, 3, 31))
    assert data.rating_count == 1
    assert data.ratings["heard"] == 4


def test_exports_and_the_summary_leave_them_out(store, tmp_path):
    session = abandoned_in_close(store)
    export(store.db, "json", tmp_path / "out.json")
    export(store.db, "csv", tmp_path / "out.zip")
    (exported,) = json.loads((tmp_path / "out.json").read_text())["sessions"]
    assert exported["status"] == "abandoned"
    assert exported["ratings"] == []
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        assert list(csv.DictReader(io.StringIO(archive.read("ratings.csv").decode()))) == []
    assert summary_lines(session.state)["ratings"] == RATINGS_LEFT_OUT


def test_a_file_from_before_that_lists_them_still_imports_and_merges_as_identical(store, tmp_path):
    abandoned_in_close(store)
    export(store.db, "json", tmp_path / "out.json")
    data = json.loads((tmp_path / "out.json").read_text())
    # As an export from before this rule wrote it: the incomplete set listed.
    data["sessions"][0]["ratings"] = [
        {"communication": 1, "compassion": 1, "clarity": 1, "heard": 1}
    ]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(data))
    report = import_export(store, old, keep_names=True)
    assert len(report.skipped_identical) == 1
    assert not report.conflicts
    with EventStore.open(tmp_path / "elsewhere.sqlite") as other:
        assert len(import_export(other, old, keep_names=True).added) == 1
        export(other.db, "json", tmp_path / "again.json")
    (again,) = json.loads((tmp_path / "again.json").read_text())["sessions"]
    assert again["ratings"] == []
