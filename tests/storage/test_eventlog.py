"""The event log on real SQLite files: durability, derived tables, replay."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.generate import sessions_iter
from rethink_desktop.core.clock import FakeClock
from rethink_desktop.storage.database import DiskFullError, ReplacedError, WrittenBackError
from rethink_desktop.storage.eventlog import DERIVED_COLUMNS, EventStore, derived_rows
from rethink_desktop.storage.schema import SCHEMA_VERSION
from tests.core.test_properties import LIVE_ACTIONS, perform
from tests.helpers import back_to_schema_3, prepared, running


@pytest.fixture
def store(tmp_path):
    with EventStore.open(tmp_path / "data" / "rethink.sqlite") as opened:
        yield opened


def test_events_are_committed_and_derived_tables_follow(store, tmp_path):
    clock = FakeClock()
    s = running(3, clock, sink=store.append)
    s.next_turn()
    clock.advance(90)
    s.next_turn()
    # a second connection sees everything: it was committed before append returned
    with EventStore.open(store.path) as other:
        assert [e.kind for e in other.events(s.id)] == [e.kind for e in s.events]
        rows = other.table_rows(s.id)
    assert rows["sessions"][0]["status"] == "running"
    assert rows["sessions"][0]["planned_minutes"] == 120
    turns = sorted(rows["turns"], key=lambda r: r["seq"])
    assert turns[0]["seconds"] == 90
    assert turns[1]["ended_at"] is None
    assert len(rows["participants"]) == 3
    assert len(rows["phases"]) == 6


def test_replay_reproduces_the_derived_tables(store):
    clock = FakeClock()
    s = running(4, clock, sink=store.append)
    for _ in range(5):
        clock.advance(40)
        s.next_turn()
    s.pass_turn()
    s.toggle_space()
    clock.advance(60)
    s.toggle_space()
    s.show_card("clarity-1")
    s.end()
    s.rate(communication=4, compassion=4, clarity=5, heard=5)
    before = store.table_rows()
    store.db.execute("DELETE FROM turns")
    store.db.execute("UPDATE sessions SET status = 'draft'")
    store.db.conn.commit()
    assert store.rebuild() == 1
    assert store.table_rows() == before


steps = st.lists(
    st.tuples(
        st.sampled_from(LIVE_ACTIONS),
        st.integers(0, 50),
        st.floats(min_value=0, max_value=300, allow_nan=False),
    ),
    max_size=25,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.integers(2, 7), steps)
def test_replay_equals_derived_tables_property(tmp_path_factory, n, script):
    path = tmp_path_factory.mktemp("replay") / "rethink.sqlite"
    with EventStore.open(path) as store:
        clock = FakeClock()
        s = running(n, clock, sink=store.append)
        for action, pick, dt in script:
            clock.advance(dt)
            perform(s, action, pick)
        live = store.table_rows()
        store.rebuild()
        assert store.table_rows() == live
        assert store.session(s.id, clock).state == s.state


def test_names_are_removed_from_tables_and_from_the_log(store):
    s = running(3, sink=store.append)
    s.end()
    s.complete()
    s.remove_names()
    names = [r[0] for r in store.db.execute("SELECT name FROM participants")]
    assert names == [None, None, None]
    raw = " ".join(r[0] for r in store.db.execute("SELECT data FROM events"))
    assert "Person 1" not in raw
    before = store.table_rows()
    store.rebuild()
    assert store.table_rows() == before


def test_disk_full_refuses_the_action_and_keeps_everything_before(store):
    clock = FakeClock()
    s = running(3, clock, sink=store.append)
    s.next_turn()
    kept = len(store.events(s.id))
    page_count = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {page_count}")
    state = s.state

    def fill_the_disk():
        for _ in range(200):  # grow the derived tables until a page is needed
            s.show_card("x" * 500)

    with pytest.raises(DiskFullError, match="disk is full"):
        fill_the_disk()
    assert len(store.events(s.id)) == len(s.events)
    assert len(s.events) >= kept
    assert s.state.status == state.status
    store.db.execute("PRAGMA max_page_count = 1073741823")
    s.next_turn()
    assert store.events(s.id)[-1].kind == "next"


def kinds_on_disk(path) -> list[str]:
    with EventStore.open(path) as other:
        return [row["kind"] for row in other.db.query("SELECT kind FROM events ORDER BY seq")]


def test_a_records_folder_deleted_mid_session_is_written_back_whole(store):
    """The folder deleted while the app ran: every key press went into the deleted file,
    and all of it vanished when the app closed; the next start made an empty database."""
    import shutil

    clock = FakeClock()
    s = running(3, clock, sink=store.append)
    s.next_turn()
    recorded = [e.kind for e in s.events]
    shutil.rmtree(store.path.parent)
    with pytest.raises(WrittenBackError, match="written back to it, so nothing is lost"):
        s.next_turn()
    assert [e.kind for e in s.events] == recorded  # refused: press it again
    assert store.path.parent.stat().st_mode & 0o777 == 0o700
    assert kinds_on_disk(store.path) == recorded
    s.next_turn()  # now into the file at the path
    assert kinds_on_disk(store.path) == [*recorded, "next"]
    assert store.table_rows(s.id)["sessions"][0]["status"] == "running"


def test_a_records_file_moved_away_is_written_back_when_the_app_closes(tmp_path):
    path = tmp_path / "data" / "rethink.sqlite"
    with EventStore.open(path) as store:
        s = running(3, sink=store.append)
        s.next_turn()
        path.rename(tmp_path / "elsewhere.sqlite")  # its -wal and -shm left where they were
    assert kinds_on_disk(path) == [e.kind for e in s.events]


def test_a_records_file_replaced_mid_session_is_left_alone_and_the_records_kept_beside(
    store, tmp_path
):
    clock = FakeClock()
    s = running(3, clock, sink=store.append)
    s.next_turn()
    other = tmp_path / "other.sqlite"
    with EventStore.open(other) as elsewhere:
        running(2, sink=elsewhere.append, reference="OTHER-1")
    os.replace(other, store.path)
    with pytest.raises(ReplacedError, match="replaced by another file") as refused:
        s.next_turn()
    rescued = refused.value.rescued
    assert rescued.parent == store.path.parent
    assert kinds_on_disk(rescued) == [e.kind for e in s.events]
    with pytest.raises(ReplacedError) as again:  # still refused, into the same copy
        s.pass_turn()
    assert again.value.rescued == rescued
    assert len(list(store.path.parent.glob("*.rescued-*"))) == 1
    # The other file: not touched, and read without this store's WAL (SQLite would have
    # applied it to whatever file was at the path), while the store is open and after.
    for _ in ("open", "closed"):
        with EventStore.open(store.path) as kept:
            references = [r["reference"] for r in kept.db.query("SELECT reference FROM sessions")]
        assert references == ["OTHER-1"]
        store.close()
    assert len(list(store.path.parent.glob("*.rescued-*"))) == 1


def test_live_sessions_are_found_for_resume(store):
    a = running(3, sink=store.append)
    prepared(3, sink=store.append)
    c = running(2, sink=store.append)
    c.toggle_pause()
    assert set(store.live_session_ids()) == {a.id, c.id}


CHILD = textwrap.dedent(
    """
    import sys
    from rethink_desktop.core.clock import SystemClock
    from rethink_desktop.storage.eventlog import DERIVED_COLUMNS, EventStore, derived_rows
    from tests.helpers import running

    store = EventStore.open(sys.argv[1])
    s = running(5, SystemClock(), sink=store.append)
    print("SESSION", s.id, len(s.events), flush=True)
    n = 0
    while True:
        s.next_turn() if n % 3 else s.show_card(f"card-{n}")
        n += 1
        print("COMMITTED", len(s.events), flush=True)
    """
)


@pytest.mark.e2e
def test_sigkill_mid_stream_loses_nothing_acknowledged(tmp_path):
    path = tmp_path / "rethink.sqlite"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=os.getcwd(),
    )
    assert child.stdout is not None
    session_id = None
    acknowledged = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = child.stdout.readline()
        if line.startswith("SESSION"):
            session_id = line.split()[1]
        elif line.startswith("COMMITTED"):
            acknowledged = int(line.split()[1])
            if acknowledged >= 60:
                break
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    child.stdout.close()
    assert session_id is not None
    assert acknowledged >= 60
    with EventStore.open(path) as store:
        events = store.events(session_id)
        assert len(events) >= acknowledged
        rows = store.table_rows(session_id)
        store.rebuild([session_id])
        assert store.table_rows(session_id) == rows
    assert json.loads(json.dumps([e.kind for e in events]))[0] == "created"


def test_derived_columns_are_the_order_derived_rows_gives():
    seen = set()
    for session in sessions_iter(6, seed=2):
        for table, rows in derived_rows(session.state).items():
            for row in rows:
                assert tuple(row) == DERIVED_COLUMNS[table]
                seen.add(table)
    assert seen == set(DERIVED_COLUMNS)


def test_insert_sessions_in_bulk_writes_what_appending_their_events_writes(store, tmp_path):
    sessions = list(sessions_iter(8, seed=3))
    events = []
    tables: dict[str, list[tuple]] = {table: [] for table in DERIVED_COLUMNS}
    for s in sessions:
        for event in s.events:
            row = event.to_row(s.id)
            events.append((row["session_id"], row["kind"], row["at"], row["data"]))
        for table, rows in derived_rows(s.state).items():
            tables[table] += [tuple(row[c] for c in DERIVED_COLUMNS[table]) for row in rows]
    with EventStore.open(tmp_path / "one-by-one.sqlite") as other:
        for s in sessions:
            for event in s.events:
                other.append(s.id, event)
        expected = other.table_rows()
    store.insert_sessions(events, tables)
    assert store.table_rows() == expected
    assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []
    store.rebuild()
    assert store.table_rows() == expected
    # The sessions go on like any other: resumed from their log, equal to the originals.
    assert store.session(sessions[0].id, FakeClock()).state == sessions[0].state


def test_two_pauses_at_one_held_moment_are_two_rows(store):
    # After a backward clock step the time is held, so pauses can share a start.
    clock = FakeClock()
    s = running(3, clock, sink=store.append)
    s.next_turn()
    for _ in range(2):
        s.toggle_pause()
        s.toggle_pause()
    clock.advance(30)
    s.toggle_space()
    assert len(s.state.pauses) == 2
    rows = store.table_rows(s.id)["intervals"]
    assert sorted((r["kind"], r["seq"]) for r in rows) == [("pause", 1), ("pause", 2), ("space", 1)]
    store.rebuild([s.id])
    assert store.table_rows(s.id)["intervals"] == rows


def test_migration_4_numbers_existing_pauses_and_spaces_as_the_log_does(tmp_path):
    path = tmp_path / "v3.sqlite"
    with EventStore.open(path) as store:
        clock = FakeClock()
        s = running(3, clock, sink=store.append)
        s.next_turn()
        for _ in range(3):
            clock.advance(60)
            s.toggle_pause()
            clock.advance(5)
            s.toggle_pause()
        clock.advance(60)
        s.toggle_space()
        expected = store.table_rows(s.id)["intervals"]
        # Back to schema 3, as a build before this one left the file.
        back_to_schema_3(store.db)
    with EventStore.open(path) as store:
        assert store.table_rows(s.id)["intervals"] == expected
        assert [r["seq"] for r in expected if r["kind"] == "pause"] == [1, 2, 3]


def test_migration_4_restores_a_pause_the_old_key_had_lost(tmp_path):
    path = tmp_path / "v3.sqlite"
    with EventStore.open(path) as store:
        s = running(3, FakeClock(), sink=store.append)
        s.next_turn()
        for _ in range(2):  # two pauses at one held moment
            s.toggle_pause()
            s.toggle_pause()
        expected = store.table_rows(s.id)["intervals"]
        assert len(expected) == 2
        # As schema 3 left it: one row for the two.
        store.db.execute("DELETE FROM intervals WHERE session_id = ? AND seq = 2", [s.id])
        back_to_schema_3(store.db)
    with EventStore.open(path) as store:
        assert store.table_rows(s.id)["intervals"] == expected


def test_an_unreadable_log_does_not_stop_the_upgrade_to_schema_4(tmp_path):
    path = tmp_path / "v3.sqlite"
    with EventStore.open(path) as store:
        sessions = []
        for _ in range(2):
            s = running(3, FakeClock(), sink=store.append)
            s.next_turn()
            for _ in range(2):  # two pauses at one held moment
                s.toggle_pause()
                s.toggle_pause()
            sessions.append(s)
        good, bad = sessions
        expected = store.table_rows(good.id)["intervals"]
        for s in sessions:  # as schema 3 left them: one row for the two
            store.db.execute("DELETE FROM intervals WHERE session_id = ? AND seq = 2", [s.id])
        store.db.execute(
            "INSERT INTO events (session_id, kind, at, data)"
            " VALUES (?, 'from_the_future', ?, '{}')",
            [bad.id, "2030-01-01T00:00:00.000000Z"],
        )
        back_to_schema_3(store.db)
    with EventStore.open(path) as store:  # opens, upgraded
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.table_rows(good.id)["intervals"] == expected
        assert len(store.table_rows(bad.id)["intervals"]) == 1  # left as it was
