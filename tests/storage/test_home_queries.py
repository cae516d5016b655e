"""The home screen's lists, read from a real SQLite file."""

from __future__ import annotations

import pytest

from rethink_desktop.core.clock import FakeClock
from rethink_desktop.core.session import Session
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.storage.home_queries import home_sessions
from tests.helpers import people, phases, prepared, running


@pytest.fixture
def store(tmp_path):
    with EventStore.open(tmp_path / "data" / "rethink.sqlite") as opened:
        yield opened


def _completed(store: EventStore, clock: FakeClock, reference: str, *, n: int = 4, **kw):
    session = running(n, clock, sink=store.append, reference=reference, **kw)
    clock.advance(3600)
    session.end()
    session.complete()
    return session


def _ids(rows: list[dict]) -> list[str]:
    return [row["id"] for row in rows]


def test_each_list_holds_its_statuses_in_order(store):
    clock = FakeClock()
    later = prepared(
        3, clock, sink=store.append, reference="FN-3", scheduled_for="2026-03-20T09:30"
    )
    clock.advance(60)
    unplanned = prepared(3, clock, sink=store.append, reference="FN-4")
    clock.advance(60)
    sooner = prepared(
        3, clock, sink=store.append, reference="FN-5", scheduled_for="2026-03-10T14:00"
    )
    clock.advance(60)
    first_done = _completed(store, clock, "FN-6")
    clock.advance(60)
    dropped = prepared(3, clock, sink=store.append, reference="FN-7")
    dropped.abandon("prepared_in_error")
    clock.advance(60)
    second_done = _completed(store, clock, "FN-8")
    clock.advance(60)
    paused = running(4, clock, sink=store.append, reference="FN-9")
    paused.toggle_pause()
    clock.advance(60)
    checked_in = prepared(4, clock, sink=store.append, reference="FN-10")
    checked_in.check_in(["p1", "p2", "p3"])
    clock.advance(60)
    closing = running(4, clock, sink=store.append, reference="FN-11")
    closing.end()

    lists = home_sessions(store.db, demo=False)

    # meetings under way first (newest first), then those only checked in
    assert _ids(lists["in_progress"]) == [closing.id, paused.id, checked_in.id]
    assert [r["status"] for r in lists["in_progress"]] == ["closing", "paused", "checked_in"]
    assert _ids(lists["prepared"]) == [sooner.id, later.id, unplanned.id]
    assert _ids(lists["recent"]) == [second_done.id, dropped.id, first_done.id]
    assert [r["status"] for r in lists["recent"]] == ["completed", "abandoned", "completed"]


def test_rows_carry_the_fields_and_counts(store):
    clock = FakeClock()
    session = running(
        7, clock, sink=store.append, reference="FN-2291", present=["p1", "p2", "p3", "p4", "p5"]
    )
    clock.advance(600)
    session.arrive("p6")
    clock.advance(600)
    session.leave("p2")
    clock.advance(3600)
    session.end()
    session.complete()
    draft = prepared(5, clock, sink=store.append, reference="TH-12", kind="thematic")

    lists = home_sessions(store.db, demo=False)

    [done] = lists["recent"]
    assert done["id"] == session.id
    assert done["reference"] == "FN-2291"
    assert done["kind"] == "family_network"
    assert done["status"] == "completed"
    assert done["demo"] is False
    assert done["participants"] == 7
    # present + late + left early count as attended; the one never seen does not
    assert done["present"] == 6
    assert done["created_at"] == "2026-03-02T09:30:00.000000Z"
    assert done["started_at"] == "2026-03-02T09:30:00.000000Z"
    assert done["ended_at"] == "2026-03-02T10:50:00.000000Z"
    assert done["scheduled_for"] is None
    [planned] = lists["prepared"]
    assert planned["id"] == draft.id
    assert planned["kind"] == "thematic"
    assert (planned["participants"], planned["present"]) == (5, 0)
    assert planned["started_at"] is None
    assert planned["ended_at"] is None


def test_demo_and_real_sessions_are_kept_apart(store):
    clock = FakeClock()
    real = prepared(3, clock, sink=store.append, reference="FN-1")
    demo = Session.create(clock, store.append, demo=True)
    demo.prepare(kind="thematic", reference="DEMO-001", participants=people(3), phases=phases())

    assert _ids(home_sessions(store.db, demo=False)["prepared"]) == [real.id]
    demo_rows = home_sessions(store.db, demo=True)["prepared"]
    assert _ids(demo_rows) == [demo.id]
    assert demo_rows[0]["demo"] is True


def test_recent_is_limited_to_the_newest(store):
    clock = FakeClock()
    done = []
    for n in range(5):
        clock.advance(60)
        done.append(_completed(store, clock, f"FN-{n}", n=2))

    recent = home_sessions(store.db, demo=False, recent_limit=3)["recent"]

    assert _ids(recent) == [s.id for s in reversed(done)][:3]


def test_an_empty_store_gives_three_empty_lists(store):
    assert home_sessions(store.db, demo=False) == {"in_progress": [], "prepared": [], "recent": []}


def test_the_recent_list_reads_the_finished_sessions_index(store):
    """Home's recent list comes from the sessions_finished index (schema 8), newest first,
    rather than sorting every finished session at each start: the query must spell the
    index's expression and statuses as the index does."""
    from rethink_desktop.storage import home_queries

    sql = home_queries._SELECT.format(
        statuses=home_queries._STATUSES["recent"], order=home_queries._ORDER["recent"]
    )
    plan = " ".join(
        row[3] for row in store.db.execute("EXPLAIN QUERY PLAN " + sql, {"demo": 0, "limit": 20})
    )
    assert "USING INDEX sessions_finished" in plan


def test_a_version_7_file_gains_the_finished_sessions_index(tmp_path):
    path = tmp_path / "data" / "rethink.sqlite"
    clock = FakeClock()
    with EventStore.open(path) as store:
        first = _completed(store, clock, "FN-1")
        # As a build of schema 7 left it.
        store.db.execute("DROP INDEX sessions_finished")
        store.db.execute("DELETE FROM _sqlite_migrations WHERE name LIKE 'm008%'")
        store.db.execute("PRAGMA user_version = 7")
    with EventStore.open(path) as store:
        names = [row[0] for row in store.db.execute("SELECT name FROM sqlite_master")]
        assert "sessions_finished" in names
        assert _ids(home_sessions(store.db, demo=False)["recent"]) == [first.id]
