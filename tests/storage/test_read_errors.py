"""Reads of a damaged file raise StorageError with a human message, never a raw sqlite3 error."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rethink_desktop.core.clock import FakeClock
from rethink_desktop.storage import records, retention
from rethink_desktop.storage.database import CorruptError, open_database, reads
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.storage.home_queries import finished_with_names
from tests.helpers import damage_every_table, running


@pytest.fixture
def damaged(data_dir: Path) -> EventStore:
    path = data_dir / "rethink.sqlite"
    clock = FakeClock(datetime(2025, 1, 6, 9, tzinfo=UTC))
    with EventStore.open(path) as store:
        for _ in range(3):
            session = running(4, clock, sink=store.append)
            session.next_turn()
    damage_every_table(path)
    store = EventStore(open_database(path, check=False), path)
    yield store
    store.close()


READS = {
    "EventStore.events": lambda s: s.events("x"),
    "EventStore.session_ids": lambda s: s.session_ids("running"),
    "EventStore.logged_session_ids": lambda s: s.logged_session_ids(),
    "records.count_sessions": lambda s: records.count_sessions(s.db),
    "records.status_counts": lambda s: records.status_counts(s.db),
    "records.session_record": lambda s: records.session_record(s.db, "x"),
    "records.export_session_ids": lambda s: records.export_session_ids(s.db),
    "records.names_kept": lambda s: records.names_kept(s.db),
    "retention.sessions_older_than": lambda s: retention.sessions_older_than(
        s.db, 1, datetime(2030, 1, 1, tzinfo=UTC)
    ),
    "retention.delete_session": lambda s: retention.delete_session(s, "x"),
    "home_queries.finished_with_names": lambda s: finished_with_names(s.db),
}


@pytest.mark.parametrize("read", READS.values(), ids=READS.keys())
def test_a_read_of_a_damaged_file_raises_a_storage_error(damaged, read):
    with pytest.raises(CorruptError) as info:
        read(damaged)
    assert "damaged" in info.value.message
    assert isinstance(info.value.__cause__, sqlite3.DatabaseError)


def test_a_bug_in_a_read_is_not_dressed_up_as_a_storage_problem(data_dir):
    @reads
    def broken(db):
        return db.execute("SELECT * FROM no_such_table").fetchall()

    with open_database(data_dir / "rethink.sqlite") as db, pytest.raises(sqlite3.OperationalError):
        broken(db)
