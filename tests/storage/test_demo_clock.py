"""The demo clock's reading beside the demo records: written, read back, or ignored."""

from __future__ import annotations

from datetime import UTC, datetime

from rethink_desktop.storage import demo_clock

REAL = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
SCALED = datetime(2026, 11, 28, 11, 40, tzinfo=UTC)


def test_the_file_sits_beside_the_demo_records(tmp_path):
    assert demo_clock.clock_file(tmp_path / "demo.sqlite") == tmp_path / "demo-clock.json"


def test_a_reading_is_read_back_for_its_own_session_only(tmp_path):
    path = demo_clock.clock_file(tmp_path / "demo.sqlite")
    demo_clock.save(path, "s1", (REAL, SCALED))
    assert demo_clock.load(path, "s1") == (REAL, SCALED)
    assert demo_clock.load(path, "s2") is None
    demo_clock.save(path, "s2", (REAL, REAL))  # the next session's replaces it
    assert demo_clock.load(path, "s1") is None
    assert demo_clock.load(path, "s2") == (REAL, REAL)
    assert [p.name for p in tmp_path.iterdir()] == ["demo-clock.json"]  # no temporary left


def test_a_missing_or_damaged_file_is_no_reading(tmp_path):
    path = tmp_path / "demo-clock.json"
    assert demo_clock.load(path, "s1") is None
    for text in (
        "",
        "[]",
        "{",
        '{"session_id": "s1"}',
        '{"session_id": "s1", "real": "soon", "scaled": "later"}',
        '{"session_id": "s1", "real": "2026-11-28T10:00:00.000000Z", "scaled": 7}',
    ):
        path.write_text(text)
        assert demo_clock.load(path, "s1") is None, text


def test_a_reading_that_cannot_be_written_is_only_logged(tmp_path, caplog, monkeypatch):
    monkeypatch.setattr(demo_clock, "_failed", set())  # a fresh run
    path = tmp_path / "demo-clock.json"
    path.mkdir()  # something in the way
    demo_clock.save(path, "s1", (REAL, SCALED))
    assert "demo clock not noted" in caplog.text
    for _ in range(30):  # about once a second: the log is told once
        demo_clock.save(path, "s1", (REAL, SCALED))
    warned = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warned) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["demo-clock.json"]
