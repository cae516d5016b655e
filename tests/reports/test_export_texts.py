"""Kept export texts: a finished session's JSON from "phases" on, made once and reused.

An export with kept texts must be the same, byte for byte, as one without; a kept text must
never be used once its session has moved on; and keeping is only ever an optimisation, so a
file that cannot take it (read-only, say) still exports.
"""

from __future__ import annotations

import io
import json
import logging
import zlib

import pytest

from rethink_desktop.core.clock import FakeClock
from rethink_desktop.reports.exports import keep_export_texts, write_json
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.storage.retention import delete_session, purge
from tests.helpers import running
from tests.reports.test_export_speed_shape import STAMP, reference_json
from tests.reports.test_exports import finished_session

PLANTED = b'{"phases": [], "turns": "planted", "cards_shown": [], "ratings": [], "pauses": []}'


@pytest.fixture
def store(tmp_path):
    with EventStore.open(tmp_path / "rethink.sqlite") as opened:
        yield opened


def kept(db) -> dict[str, int]:
    return dict(db.execute("SELECT session_id, event_seq FROM export_texts").fetchall())


def last_seq(db, session_id: str) -> int:
    return db.execute("SELECT max(seq) FROM events WHERE session_id = ?", [session_id]).fetchone()[
        0
    ]


def exported(db, **kw) -> str:
    out = io.StringIO()
    write_json(db, out, exported_at=STAMP, **kw)
    return out.getvalue()


def plant(db, session_id: str, seq: int) -> None:
    """Replace a kept text by a recognisable one, as if made after event ``seq``."""
    with db.conn:
        db.execute(
            "UPDATE export_texts SET body = ?, event_seq = ? WHERE session_id = ?",
            [zlib.compress(PLANTED), seq, session_id],
        )


def turns_of(text: str, session_id: str):
    (session,) = [s for s in json.loads(text)["sessions"] if s["id"] == session_id]
    return session["turns"]


def test_an_export_keeps_the_texts_of_finished_sessions_only(store):
    done = [finished_session(store) for _ in range(2)]
    live = running(3, FakeClock(), sink=store.append)
    live.next_turn()
    assert kept(store.db) == {}
    first = exported(store.db)
    assert kept(store.db) == {s.id: last_seq(store.db, s.id) for s in done}
    second = exported(store.db)
    assert first == second == reference_json(store.db)


@pytest.mark.parametrize("anonymise", [False, True])
def test_kept_texts_give_the_same_export_byte_for_byte(store, anonymise):
    for _ in range(3):
        finished_session(store)
    expected = reference_json(store.db, anonymise=anonymise)
    ids = [row[0] for row in store.db.execute("SELECT id FROM sessions")]
    assert keep_export_texts(store.db, ids) == 3
    assert exported(store.db, anonymise=anonymise) == expected


def test_a_kept_text_is_used_while_its_event_is_the_last(store):
    s = finished_session(store)
    keep_export_texts(store.db, [s.id])
    plant(store.db, s.id, last_seq(store.db, s.id))
    assert turns_of(exported(store.db), s.id) == "planted"  # proof that it is read, not made


def test_a_kept_text_is_never_used_once_the_session_has_moved_on(store):
    s = finished_session(store)
    keep_export_texts(store.db, [s.id])
    plant(store.db, s.id, last_seq(store.db, s.id))
    s.remove_names()  # a later event
    text = exported(store.db)
    assert turns_of(text, s.id) != "planted"
    assert text == reference_json(store.db)
    assert kept(store.db) == {s.id: last_seq(store.db, s.id)}  # made again and kept


def test_a_text_made_by_another_build_is_not_used(store):
    s = finished_session(store)
    keep_export_texts(store.db, [s.id])
    plant(store.db, s.id, last_seq(store.db, s.id))
    with store.db.conn:
        store.db.execute("UPDATE export_texts SET made_by = 'an older build'")
    text = exported(store.db)
    assert text == reference_json(store.db)
    assert store.db.execute("SELECT made_by FROM export_texts").fetchone()[0] != "an older build"


@pytest.mark.parametrize("body", [b"\x00\x11\x22\x33", zlib.compress(b"not a tail")])
def test_a_damaged_kept_text_is_made_again_and_kept_again(store, caplog, monkeypatch, body):
    monkeypatch.setattr("rethink_desktop.storage.records.CHUNK", 2)  # damage in a later chunk
    sessions = [finished_session(store) for _ in range(5)]
    keep_export_texts(store.db, [s.id for s in sessions])
    with store.db.conn:
        store.db.execute(
            "UPDATE export_texts SET body = ? WHERE session_id = ?", [body, sessions[3].id]
        )
    assert exported(store.db) == reference_json(store.db)
    assert "1 kept export texts could not be read" in caplog.text
    (repaired,) = store.db.execute(
        "SELECT body FROM export_texts WHERE session_id = ?", [sessions[3].id]
    ).fetchone()
    assert zlib.decompress(repaired).startswith(b'{"phases": ')


def test_a_kept_text_is_never_replaced_by_an_older_one(store):
    s = finished_session(store)
    keep_export_texts(store.db, [s.id])
    newer = last_seq(store.db, s.id) + 5  # as if another copy had kept a later state
    plant(store.db, s.id, newer)
    assert exported(store.db) == reference_json(store.db)  # not used: not the last event
    assert kept(store.db) == {s.id: newer}  # and not overwritten by the older text


def test_nothing_is_compressed_for_keeping_once_keeping_failed(store, monkeypatch):
    from rethink_desktop.reports import exports

    monkeypatch.setattr("rethink_desktop.storage.records.CHUNK", 1)
    for _ in range(6):
        finished_session(store)
    compressed = []
    real = exports._compressed
    monkeypatch.setattr(exports, "_compressed", lambda *a: compressed.append(1) or real(*a))
    store.db.execute("PRAGMA query_only = ON")
    try:
        assert exported(store.db) == reference_json(store.db)
    finally:
        store.db.execute("PRAGMA query_only = OFF")
    assert kept(store.db) == {}
    assert len(compressed) <= 2  # the first chunk, and the next one already on its way


def test_unfinished_sessions_are_not_kept(store):
    live = running(3, FakeClock(), sink=store.append)
    live.next_turn()
    assert keep_export_texts(store.db, [live.id]) == 0
    assert kept(store.db) == {}


def test_a_read_only_database_still_exports_and_keeps_nothing(store, caplog):
    caplog.set_level(logging.INFO, logger="rethink_desktop.reports.exports")
    s = finished_session(store)
    store.db.execute("PRAGMA query_only = ON")
    try:
        text = exported(store.db)
    finally:
        store.db.execute("PRAGMA query_only = OFF")
    assert text == reference_json(store.db)
    assert kept(store.db) == {}
    assert "export texts not kept" in caplog.text
    assert s.id in text


def test_rebuild_and_deletion_take_the_kept_texts_with_them(store, tmp_path):
    sessions = [finished_session(store) for _ in range(3)]
    keep_export_texts(store.db, [s.id for s in sessions])
    store.rebuild([sessions[0].id])
    delete_session(store, sessions[1].id)
    assert set(kept(store.db)) == {sessions[2].id}
    later = STAMP.replace(year=STAMP.year + 10)
    report = purge(store, 24, later, backups_dir=tmp_path / "backups")
    assert report.count == 2
    assert kept(store.db) == {}


def test_the_generated_data_keeps_its_finished_sessions_texts(tmp_path):
    from benchmarks.generate import generate

    with EventStore.open(tmp_path / "g.sqlite") as store:
        generate(store, sessions=30, seed=3, processes=1)
        finished = store.db.execute(
            "SELECT count(*) FROM sessions WHERE status IN ('completed', 'abandoned')"
        ).fetchone()[0]
        assert 20 < len(kept(store.db)) == finished
        assert exported(store.db) == reference_json(store.db)
