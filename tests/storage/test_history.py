"""History paging and dashboard figures, read from a real SQLite file with known sessions."""

from __future__ import annotations

from datetime import date

import pytest

from rethink_desktop.core.clock import FakeClock
from rethink_desktop.core.metrics import session_balance
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.storage.history import (
    STATUS_GROUPS,
    HistoryFilters,
    compute_balances,
    count_sessions,
    dashboard,
    month_range,
    next_reference,
    page,
    refresh_balance_index,
)
from rethink_desktop.storage.schema import SCHEMA_VERSION
from tests.helpers import back_to_schema_3, prepared, running
from tests.records_data import at, meeting


@pytest.fixture
def store(tmp_path):
    with EventStore.open(tmp_path / "data" / "rethink.sqlite") as opened:
        yield opened


def refs(rows: list[dict]) -> list[str]:
    return [row["reference"] for row in rows]


def test_history_is_newest_first_with_its_figures(store):
    first = meeting(store, at(3, 2), "FN-1001", talk=(300, 100, 100, 100), pause=240)
    meeting(store, at(3, 9), "TH-2002", kind="thematic")
    waiting = prepared(3, FakeClock(at(3, 20)), sink=store.append, reference="PP-3003")

    rows = page(store.db, HistoryFilters(), 0, 50)
    assert refs(rows) == ["PP-3003", "TH-2002", "FN-1001"]
    assert count_sessions(store.db) == 3
    old = rows[2]
    assert old["id"] == first.id
    assert old["kind"] == "family_network"
    assert old["status"] == "completed"
    assert (old["present"], old["participants"]) == (4, 4)
    # Four turns of talk (600 s) then a 240 s pause: the pause is not meeting time.
    assert old["duration_seconds"] == pytest.approx(600)
    assert old["balance_index"] == pytest.approx(session_balance(first.state, first.now()))
    assert old["balance_index"] == pytest.approx(1 - 0.5 * (0.5 - 0.25 + 3 * (0.25 - 1 / 6)) / 0.75)
    draft = rows[0]
    assert draft["id"] == waiting.id
    assert draft["duration_seconds"] is None
    assert draft["balance_index"] is None
    assert draft["date"].startswith("2026-03-20")


def test_attendance_counts_who_came(store):
    meeting(store, at(4, 1), "FN-1", talk=(60, 60, 60), present=["p1", "p2", "p3"], pulse=None)
    # p4 was invited but not there; talk had three voices.
    (row,) = page(store.db, HistoryFilters(), 0, 10)
    assert (row["present"], row["participants"]) == (3, 3)


def test_the_list_counts_who_came_late_and_who_left_early(store):
    clock = FakeClock(at(4, 2))
    s = running(5, clock, sink=store.append, reference="FN-2", present=["p1", "p2", "p3"])
    clock.advance(300)
    s.arrive("p4")  # late
    s.leave("p1")  # left early
    s.leave("p4")  # late, and left early too
    (row,) = page(store.db, HistoryFilters(), 0, 10)
    assert (row["participants"], row["present"], row["late"], row["left_early"]) == (5, 4, 1, 2)


def test_filters_narrow_the_list(store):
    meeting(store, at(1, 10), "FN-0110")
    meeting(store, at(2, 10), "TH-0210", kind="thematic")
    meeting(store, at(3, 10), "FN-0310", finish="abandoned")
    meeting(store, at(3, 15), "fn-0315-demo", demo=True)
    running(3, FakeClock(at(3, 20)), sink=store.append, reference="PP-0320",
            kind="post_proceedings")  # fmt: skip

    def rows(**kw) -> list[str]:
        filters = HistoryFilters(**kw)
        found = refs(page(store.db, filters, 0, 100))
        assert count_sessions(store.db, filters) == len(found)
        return found

    assert rows() == ["PP-0320", "FN-0310", "TH-0210", "FN-0110"]
    assert rows(demo=True) == ["fn-0315-demo"]
    assert rows(demo=None) == ["PP-0320", "fn-0315-demo", "FN-0310", "TH-0210", "FN-0110"]
    assert rows(kind="thematic") == ["TH-0210"]
    assert rows(statuses=STATUS_GROUPS["completed"]) == ["TH-0210", "FN-0110"]
    assert rows(statuses=STATUS_GROUPS["abandoned"]) == ["FN-0310"]
    assert rows(statuses=STATUS_GROUPS["in_progress"]) == ["PP-0320"]
    assert rows(date_from=date(2026, 2, 10), date_to=date(2026, 3, 10)) == ["FN-0310", "TH-0210"]
    assert rows(date_from=date(2026, 3, 11)) == ["PP-0320"]
    assert rows(date_to=date(2026, 1, 10)) == ["FN-0110"]
    # Any part of the reference, any case; LIKE's wildcards are taken literally.
    assert rows(reference="fn-03") == ["FN-0310"]
    assert rows(reference="0310", demo=None) == ["FN-0310"]
    assert rows(reference="FN-03", demo=None) == ["fn-0315-demo", "FN-0310"]
    assert rows(reference="%") == []
    assert rows(reference="_N") == []
    assert rows(kind="family_network", statuses=("completed",), reference="01") == ["FN-0110"]


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "Etc/GMT+12"])
def test_periods_at_the_far_ends_of_the_calendar(store, local_zone, zone):
    """1 Jan 0001 and 31 Dec 9999 (a date box's own limits) are open ends, not errors."""
    local_zone(zone)
    meeting(store, at(3, 3), "FN-1")
    meeting(store, at(4, 7), "FN-2")
    for first, last in ((date.min, date.max), (date.min, None), (None, date.max)):
        filters = HistoryFilters(date_from=first, date_to=last)
        assert count_sessions(store.db, filters) == 2
        assert refs(page(store.db, filters, 0, 10)) == ["FN-2", "FN-1"]
        assert dashboard(store.db, first, last).sessions_held == 2
    # Days before year 1000 do not compare as text with the stamps: still none of them match.
    assert (
        count_sessions(store.db, HistoryFilters(date_from=date(1, 1, 1), date_to=date(999, 12, 31)))
        == 0
    )
    assert count_sessions(store.db, HistoryFilters(date_from=date(9999, 12, 31))) == 0
    assert dashboard(store.db, date.max, date.max).sessions_held == 0


def test_pages_cover_every_row_once(store):
    for day in range(1, 26):
        meeting(store, at(5, day), f"FN-{day:04d}", talk=(30, 30), ratings=())
    filters = HistoryFilters()
    assert count_sessions(store.db, filters) == 25
    seen = []
    for offset in range(0, 25, 10):
        seen += refs(page(store.db, filters, offset, 10))
    assert seen == [f"FN-{day:04d}" for day in range(25, 0, -1)]
    assert page(store.db, filters, 25, 10) == []


def test_balance_index_is_stored_and_rebuilt_the_same(store):
    s = meeting(store, at(6, 1), "FN-6", talk=(400, 50, 0.5, 120))
    stored = store.db.execute("SELECT balance_index FROM sessions").fetchone()[0]
    assert stored == pytest.approx(session_balance(s.state, s.now()), abs=1e-6)
    assert compute_balances(store.db, [s.id]) == {s.id: stored}
    store.db.execute("UPDATE sessions SET balance_index = NULL")
    # A row without its index (say, written straight into the tables) is computed on the fly.
    assert page(store.db, HistoryFilters(), 0, 1)[0]["balance_index"] == stored
    assert dashboard(store.db).balance_average == stored
    assert refresh_balance_index(store.db) == 1
    assert store.db.execute("SELECT balance_index FROM sessions").fetchone()[0] == stored
    store.rebuild()
    assert store.db.execute("SELECT balance_index FROM sessions").fetchone()[0] == stored


def test_dashboard_figures_for_known_sessions(store):
    # March: two sessions, four ratings; April: one session, two ratings.
    meeting(store, at(3, 3), "FN-1", talk=(100, 100, 100, 100), pulse=(8, 3),
            ratings=((4, 5, 3, 4), (2, 3, None, 4)))  # fmt: skip
    meeting(store, at(3, 17), "TH-1", kind="thematic", talk=(300, 100), pulse=(6, 5),
            ratings=((5, 5, 5, 5), (3, 4, 4, None)))  # fmt: skip
    meeting(store, at(4, 7), "FN-2", talk=(100, 100, 100), pulse=(5, 5),
            present=["p1", "p2", "p3"], ratings=((1, 2, 3, 4), (5, 4, 3, 2)))  # fmt: skip
    meeting(store, at(4, 9), "FN-3", talk=(10, 10), finish="abandoned", pulse=(7, 7))
    meeting(store, at(4, 10), "FN-DEMO", demo=True, ratings=((1, 1, 1, 1),))
    prepared(3, FakeClock(at(4, 12)), sink=store.append, reference="FN-LATER")
    # Outside the period.
    meeting(store, at(6, 1), "FN-JUNE", ratings=((1, 1, 1, 1),))

    data = dashboard(store.db, date(2026, 3, 1), date(2026, 4, 30))
    assert data.sessions_held == 4  # the draft never started; the demo is left out
    assert (data.completed, data.abandoned) == (3, 1)
    assert data.by_kind == {"family_network": 3, "thematic": 1}
    assert data.way_forward == {}
    assert [m.month for m in data.months] == ["2026-03", "2026-04"]
    march, april = data.months
    assert (march.sessions, march.ratings, april.sessions, april.ratings) == (2, 4, 2, 2)
    assert march.communication == pytest.approx((4 + 2 + 5 + 3) / 4)
    assert march.compassion == pytest.approx((5 + 3 + 5 + 4) / 4)
    assert march.clarity == pytest.approx((3 + 5 + 4) / 3)  # one skipped
    assert march.heard == pytest.approx((4 + 4 + 5) / 3)
    assert (april.communication, april.compassion, april.clarity, april.heard) == (3, 3, 3, 3)
    assert data.ratings["communication"] == pytest.approx((4 + 2 + 5 + 3 + 1 + 5) / 6)
    assert data.rating_count == 6
    # Pulse: only the completed sessions recorded an end; (3-8 + 5-6 + 5-5) / 3.
    assert data.pulse_sessions == 3
    assert data.pulse_change == pytest.approx(-2)
    assert (data.pulse_start, data.pulse_end) == (pytest.approx(19 / 3), pytest.approx(13 / 3))
    # Balance: equal talk is 1.0; TH-1's 300 s against 100 s is 1 - 0.25 / 0.5 = 0.5.
    assert data.balance_sessions == 4
    assert data.balance_average == pytest.approx((1 + 0.5 + 1 + 1) / 4)
    assert data.balance_distribution == (0, 0, 0, 0, 0, 1, 0, 0, 0, 3)
    assert march.balance == pytest.approx(0.75)
    # Attendance: 4 + 2 + 3 + 2 present; FN-2 invited three and all came.
    assert data.attendance["present"] == 11
    assert data.invited == 11
    assert data.attendance_rate("present") == 1.0

    with_demo = dashboard(store.db, date(2026, 3, 1), date(2026, 4, 30), include_demo=True)
    assert with_demo.sessions_held == 5
    assert with_demo.months[1].communication == pytest.approx((1 + 5 + 1) / 3)

    everything = dashboard(store.db)
    assert everything.sessions_held == 5
    assert [m.month for m in everything.months] == ["2026-03", "2026-04", "2026-05", "2026-06"]
    may = everything.months[2]
    assert (may.sessions, may.ratings, may.communication, may.balance) == (0, 0, None, None)


def test_dashboard_months_without_sessions_are_gaps_not_neighbours(store):
    """Sessions in January and June: the months between are there, empty, so the chart
    breaks its line over them rather than drawing January and June side by side."""
    meeting(store, at(1, 15), "FN-JAN", ratings=((4, 4, 4, 4),))
    meeting(store, at(6, 15), "FN-JUN", ratings=((2, 2, 2, 2),))
    data = dashboard(store.db, date(2025, 10, 1), date(2026, 12, 31))
    assert [m.month for m in data.months] == [f"2026-{n:02d}" for n in range(1, 7)]
    assert [m.sessions for m in data.months] == [1, 0, 0, 0, 0, 1]
    assert [m.communication for m in data.months] == [4, None, None, None, None, 2]
    assert [m.balance for m in data.months] == [1, None, None, None, None, 1]
    assert data.sessions_held == 2
    assert data.rating_count == 2


def test_month_range_crosses_years():
    assert month_range("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert month_range("2026-03", "2026-03") == ["2026-03"]


def test_dashboard_leaves_out_the_ratings_of_a_close_in_progress(store):
    """Its session counts as held, but its ratings wait until the close is complete: with
    some given and some not, the averages moving could tell whose answers are whose."""
    meeting(store, at(3, 3), "FN-1", ratings=((4, 4, 4, 4),))
    closing = meeting(store, at(3, 10), "FN-2", ratings=((1, 1, 1, 1),), finish="closing")
    data = dashboard(store.db, date(2026, 3, 1), date(2026, 3, 31))
    assert data.sessions_held == 2
    (march,) = data.months
    assert march.ratings == 1
    assert march.communication == 4
    assert data.rating_count == 1
    assert data.ratings["heard"] == 4
    closing.complete()
    data = dashboard(store.db, date(2026, 3, 1), date(2026, 3, 31))
    assert data.rating_count == 2
    assert data.ratings["heard"] == pytest.approx(2.5)


def test_dashboard_attendance_late_and_left_early(store):
    clock = FakeClock(at(7, 1))
    s = running(5, clock, sink=store.append, present=["p1", "p2", "p3", "p4"])
    s.next_turn()
    clock.advance(60)
    s.arrive("p5")
    s.leave("p2")
    clock.advance(60)
    s.end()
    s.complete()
    data = dashboard(store.db)
    assert data.attendance == {
        "present": 3, "late": 1, "left_early": 1, "late_left_early": 0, "absent": 0,
    }  # fmt: skip
    assert data.attendance_rate("late") == pytest.approx(0.2)


def test_empty_dashboard_has_no_averages(store):
    data = dashboard(store.db, date(2026, 1, 1), date(2026, 12, 31))
    assert data.sessions_held == 0
    assert data.months == []
    assert data.ratings == dict.fromkeys(("communication", "compassion", "clarity", "heard"))
    assert data.pulse_change is None
    assert data.balance_average is None
    assert data.attendance_rate("present") is None


def test_migrating_a_version_1_file_fills_the_new_columns_and_totals(tmp_path):
    path = tmp_path / "old.sqlite"
    with EventStore.open(path) as store:
        s = meeting(
            store,
            at(8, 3),
            "FN-8",
            talk=(200, 100, 100),
            invited=4,
            present=["p1", "p2", "p3"],
            ratings=((4, 3, None, 5), (2, 2, 2, 2)),
        )
        meeting(store, at(8, 5), "FN-9", ratings=((5, 5, 5, 5),))
        expected_balance = store.db.execute(
            "SELECT balance_index FROM sessions WHERE id = ?", [s.id]
        ).fetchone()[0]
        expected_rows = store.table_rows()
        expected = dashboard(store.db)
        # Take the file back to version 1, as a build before History would have left it.
        store.db.execute("DROP TABLE session_figures")
        store.db.execute("DROP INDEX sessions_when")
        store.db.execute("ALTER TABLE sessions DROP COLUMN balance_index")
        back_to_schema_3(store.db)  # and m004's, m005's
        store.db.execute("DELETE FROM _sqlite_migrations WHERE name > 'm002'")
        store.db.execute("DELETE FROM _sqlite_migrations WHERE name LIKE 'm002%'")
        store.db.execute("PRAGMA user_version = 1")
    with EventStore.open(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        stored = store.db.execute(
            "SELECT balance_index FROM sessions WHERE id = ?", [s.id]
        ).fetchone()[0]
        assert (
            stored == expected_balance == pytest.approx(session_balance(s.state, s.now()), abs=1e-6)
        )
        # The migrations fill exactly what the event log would have written.
        assert store.table_rows() == expected_rows
        assert dashboard(store.db) == expected
        store.rebuild()
        assert store.table_rows() == expected_rows
    assert list((tmp_path / "backups").glob("pre-migration-*-v1.sqlite"))


def test_session_figures_follow_each_event(store):
    s = meeting(store, at(9, 1), "FN-10", talk=(60, 60, 60), invited=4, present=["p1", "p2", "p3"],
                ratings=((4, None, 3, 5), (2, 2, 2, 2)))  # fmt: skip
    row = store.db.execute("SELECT * FROM session_figures WHERE session_id = ?", [s.id]).fetchone()
    assert row == (s.id, 4, 3, 0, 0, 0, 1, 2, 6, 2, 2, 1, 5, 2, 7, 2)


def test_each_demo_run_gets_the_next_free_reference(store):
    """Every demo run was DEMO-001, so `export --session DEMO-001` after a second run was
    refused as ambiguous and the trainer needed the id."""
    assert next_reference(store.db, "DEMO-") == "DEMO-001"
    prepared(3, sink=store.append, reference="DEMO-001")
    prepared(3, sink=store.append, reference="demo-002")  # any case is taken
    prepared(3, sink=store.append, reference="DEMO-004")
    prepared(3, sink=store.append, reference="DEMOCRAT")
    assert next_reference(store.db, "DEMO-") == "DEMO-003"
