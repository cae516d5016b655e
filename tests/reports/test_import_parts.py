"""A large export read in two parts at once (reports/import_parts.py): the same result as
reading it in one go, row for row and id for id, and the one go whenever anything is odd."""

from __future__ import annotations

import io
import json
import logging
import multiprocessing
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from benchmarks.generate import generate
from rethink_desktop.core.clock import FakeClock
from rethink_desktop.reports import import_parts, importer
from rethink_desktop.reports.exports import export
from rethink_desktop.reports.import_parts import _cut, _View
from rethink_desktop.reports.importer import ImportCancelled, ImportFileError, import_export
from rethink_desktop.storage.eventlog import EventStore

TWO = "read in two parts at once"
AFTER_ALL = "reading the file in one go after all"
AT = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    """An export of 30 generated sessions (some not finished), one session a line."""
    folder = tmp_path_factory.mktemp("parts")
    with EventStore.open(folder / "source.sqlite") as source:
        generate(source, sessions=30, seed=11, processes=1)
        export(source.db, "json", folder / "export.json")
    return folder / "export.json"


@pytest.fixture
def scratch_folder(tmp_path) -> Path:
    """The records' folder, where the second part's scratch folder is made."""
    return tmp_path


def scratch_left(folder: Path) -> list[Path]:
    return list(folder.glob(".rethink-import-*"))


def everything(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, with its rowid where it has one, and the schema."""
    with sqlite3.connect(path) as conn:
        tables = [
            (name, sql)
            for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type='table'")
            if name != "_sqlite_migrations"  # holds the time each migration ran
        ]
        out = {"schema": conn.execute("SELECT * FROM sqlite_master ORDER BY name").fetchall()}
        for name, sql in tables:
            rowid = "" if sql.rstrip().upper().endswith("WITHOUT ROWID") else "rowid, "
            out[name] = conn.execute(f"SELECT {rowid}* FROM {name} ORDER BY 1").fetchall()
    return out


def one_go(path: Path, folder: Path, monkeypatch, **kwargs):
    """Import ``path`` into a new database without the two parts: (report or the error's
    message, every row)."""
    with monkeypatch.context() as m:
        m.setattr(importer, "_PARTS_MIN_BYTES", 1 << 62)
        return imported(path, folder / "one-go.sqlite", **kwargs)


def imported(path: Path, db: Path, **kwargs):
    with EventStore.open(db) as store:
        try:
            outcome = import_export(store, path, keep_names=True, clock=FakeClock(AT), **kwargs)
        except ImportFileError as exc:
            outcome = exc.message
    return outcome, everything(db)


@pytest.fixture
def in_two(monkeypatch, caplog):
    """Every file big enough to read in two parts; the log at INFO."""
    monkeypatch.setattr(importer, "_PARTS_MIN_BYTES", 0)
    caplog.set_level(logging.INFO, logger="rethink_desktop.reports")
    return caplog


def lines_of(path: Path) -> tuple[list[str], list[str], list[str]]:
    """(the lines before the sessions, one per session without its comma, the end)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    first = next(n for n, line in enumerate(lines) if line.startswith('    {"id": '))
    last = max(n for n, line in enumerate(lines) if line.startswith('    {"id": '))
    return lines[:first], [s.rstrip(",") for s in lines[first : last + 1]], lines[last + 1 :]


def write(path: Path, head: list[str], sessions: list[str], end: list[str]) -> Path:
    path.write_text("\n".join([*head, ",\n".join(sessions), *end]), encoding="utf-8")
    return path


def test_a_big_file_in_two_parts_gives_what_one_go_gives(
    exported, tmp_path, monkeypatch, in_two, scratch_folder
):
    seen: list[int] = []
    outcome, rows = imported(
        exported, tmp_path / "two.sqlite", progress=lambda done, size: seen.append(done) or True
    )
    assert TWO in in_two.text
    assert (outcome, rows) == one_go(exported, tmp_path, monkeypatch)
    assert len(outcome.added) + len(outcome.left_out) == 30
    assert outcome.added
    assert outcome.left_out
    assert len(rows["turns"]) > 500
    # Progress counts both parts' bytes: it goes up, to the whole file once both are read.
    assert seen == sorted(seen)
    assert seen[-1] == exported.stat().st_size
    # The second process is gone and its scratch database with it (one.sqlite is beside).
    assert multiprocessing.active_children() == []
    assert scratch_left(scratch_folder) == []
    with sqlite3.connect(tmp_path / "two.sqlite") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_the_cut_is_at_the_start_of_a_session_line_near_the_middle(exported):
    data = exported.read_bytes()
    head, split = _cut(io.BytesIO(data), len(data))
    assert data[head:].startswith(b'    {"id": "')
    assert data[:head].endswith(b'"sessions": [\n')
    assert data[split - 3 : split] == b"},\n"
    assert data[split:].startswith(b'    {"id": "')
    assert len(data) // 2 <= split < len(data) // 2 + 30_000


@pytest.mark.parametrize(
    "change",
    [
        lambda text: text.replace("\n", "\r\n"),  # edited on Windows
        lambda text: json.dumps(json.loads(text), indent=2),  # written by another program
        lambda text: text.rstrip("\n"),  # not ended as this app ends it
        lambda text: text.replace('"sessions": [\n', '"sessions": [', 1),
    ],
)
def test_a_file_not_laid_out_as_this_app_writes_it_is_not_cut(exported, change):
    data = change(exported.read_text(encoding="utf-8")).encode()
    assert _cut(io.BytesIO(data), len(data)) is None


def test_a_file_not_laid_out_as_this_app_writes_it_is_read_in_one_go(
    exported, tmp_path, monkeypatch, in_two
):
    path = tmp_path / "indented.json"
    path.write_text(json.dumps(json.loads(exported.read_text()), indent=2), encoding="utf-8")
    outcome, rows = imported(path, tmp_path / "two.sqlite")
    assert TWO not in in_two.text
    assert outcome.added
    assert (outcome, rows) == one_go(path, tmp_path, monkeypatch)


def test_a_session_in_both_halves_is_decided_as_one_go_decides(
    exported, tmp_path, monkeypatch, in_two
):
    head, sessions, end = lines_of(exported)
    finished = [s for s in sessions if '"status": "completed"' in s]
    # The first session again at the end, the same; the second again, differently.
    changed = finished[1].replace('"venue": "', '"venue": "Another ', 1)
    path = write(tmp_path / "twice.json", head, [*sessions, finished[0], changed], end)
    outcome, rows = imported(path, tmp_path / "two.sqlite")
    assert AFTER_ALL in in_two.text
    assert (outcome, rows) == one_go(path, tmp_path, monkeypatch)
    assert outcome.conflicts == [
        (json.loads(changed)["id"], "appears twice in the file, differently")
    ]


@pytest.mark.parametrize("where", [1, -2])  # in the first half, in the second
def test_a_session_that_does_not_add_up_gets_one_go_s_message(
    exported, tmp_path, monkeypatch, in_two, where
):
    head, sessions, end = lines_of(exported)
    finished = [n for n, s in enumerate(sessions) if '"status": "completed"' in s]
    n = finished[where]
    sessions[n] = sessions[n].replace('"planned_minutes": ', '"planned_minutes": 1', 1)
    path = write(tmp_path / "bad.json", head, sessions, end)
    outcome, rows = imported(path, tmp_path / "two.sqlite")
    assert isinstance(outcome, str)
    assert "Nothing was imported" in outcome
    assert (outcome, rows) == one_go(path, tmp_path, monkeypatch)
    assert rows["events"] == []
    assert multiprocessing.active_children() == []


def test_a_session_cut_short_in_the_second_half_gets_one_go_s_message(
    exported, tmp_path, monkeypatch, in_two
):
    """Damaged inside the second half (a line cut short, say by a bad copy), the file still
    ends as this app ends it, so it is read in two parts: the second fails, and the one go
    gives its message."""
    head, sessions, end = lines_of(exported)
    n = len(sessions) * 3 // 4
    sessions[n] = sessions[n][: len(sessions[n]) // 2]
    path = write(tmp_path / "damaged.json", head, sessions, end)
    assert _cut(io.BytesIO(path.read_bytes()), path.stat().st_size) is not None
    outcome, rows = imported(path, tmp_path / "two.sqlite")
    assert "the second part failed" in in_two.text
    assert outcome == one_go(path, tmp_path, monkeypatch)[0]
    assert "ends before the export is complete" in outcome
    assert rows["events"] == []


def test_a_list_after_the_sessions_is_not_taken_for_sessions(
    exported, tmp_path, monkeypatch, in_two
):
    """The cut falls in a later field laid out like the sessions list: one go reads past
    that field, so the two parts must not import its items."""
    head, sessions, end = lines_of(exported)
    later = ",\n".join(sessions[:3]) + '\n  ],\n  "later": [\n' + ",\n".join(sessions[3:])
    path = write(tmp_path / "later.json", head, [later], end)
    assert _cut(io.BytesIO(path.read_bytes()), path.stat().st_size) is not None
    outcome, rows = imported(path, tmp_path / "two.sqlite")
    assert AFTER_ALL in in_two.text
    assert (outcome, rows) == one_go(path, tmp_path, monkeypatch)
    assert len(outcome.added) + len(outcome.left_out) == 3


def cancelled(path: Path, db: Path, progress) -> None:
    """Import ``path`` into a new database at ``db`` with ``progress`` cancelling it: both
    processes stopped, the scratch folder beside the records gone, nothing kept."""
    with pytest.raises(ImportCancelled), EventStore.open(db) as store:
        import_export(store, path, progress=progress)
    assert multiprocessing.active_children() == []
    assert scratch_left(db.parent) == []
    assert everything(db)["events"] == []


def test_cancelling_stops_both_parts_and_changes_nothing(exported, tmp_path, in_two):
    calls = []
    cancelled(exported, tmp_path / "two.sqlite", lambda done, size: bool(calls.append(done)))
    assert calls


def test_when_the_second_process_dies_the_file_is_read_in_one_go(
    exported, tmp_path, monkeypatch, in_two
):
    def kill_it(done: int, size: int) -> bool:
        for child in multiprocessing.active_children():
            child.kill()
        return True

    outcome, rows = imported(exported, tmp_path / "two.sqlite", progress=kill_it)
    assert "the second part failed (it ended with status " in in_two.text
    assert AFTER_ALL in in_two.text
    assert (outcome, rows) == one_go(exported, tmp_path, monkeypatch)


def test_when_no_second_process_starts_the_file_is_read_in_one_go(
    exported, tmp_path, monkeypatch, in_two
):
    class NoProcesses:
        def Pipe(self, duplex):
            return multiprocessing.Pipe(duplex)

        def Process(self, **kwargs):
            raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(import_parts.multiprocessing, "get_context", lambda _how: NoProcesses())
    outcome, rows = imported(exported, tmp_path / "two.sqlite")
    assert "the second part could not be started" in in_two.text
    assert TWO not in in_two.text
    assert (outcome, rows) == one_go(exported, tmp_path, monkeypatch)


def test_into_a_database_with_sessions_the_file_is_read_in_one_go(exported, tmp_path, in_two):
    with EventStore.open(tmp_path / "two.sqlite") as store:
        generate(store, sessions=1, seed=99, processes=1)
        report = import_export(store, exported)
    assert report.added
    assert TWO not in in_two.text


def test_a_view_reads_its_stretches_and_pieces_as_one_file(tmp_path):
    handle = io.BytesIO(b"0123456789")
    view = _View(handle, [(2, 5), b"ab", (7, 10), b"", (0, 1)])
    assert view.size == 3 + 2 + 3 + 1
    got = b""
    while chunk := view.read(2):
        got += chunk
    assert got == b"234ab7890"
    # A file shorter than it was when the parts were planned ends where it ends.
    short = _View(io.BytesIO(b"0123"), [(1, 9), b"never"])
    assert short.read(100) + short.read(100) + short.read(100) == b"123"


def test_a_cancel_while_waiting_for_the_second_part_changes_nothing(
    exported, tmp_path, monkeypatch, in_two
):
    """Cancel pressed after this process has read its half, while the other still reads."""
    waiting = []
    wait = import_parts._Other.wait

    def waited(other, told):
        waiting.append(True)
        return wait(other, told)

    monkeypatch.setattr(import_parts._Other, "wait", waited)
    cancelled(exported, tmp_path / "two.sqlite", lambda done, size: not waiting)
    assert waiting


def test_a_scratch_database_that_cannot_be_read_is_the_one_go_not_a_damaged_records_file(
    exported, tmp_path, monkeypatch, in_two
):
    """The copy reads the scratch file inside the records' transaction, whose errors are
    worded as the records file's: one damaged in the temporary folder (by another program,
    say) must not be reported as damaged records, but read in one go."""
    copy = import_parts._copy_part

    def damaged_first(db):
        scratch = next(
            row[2] for row in db.execute("PRAGMA database_list") if row[1] == "rethink_part"
        )
        with open(scratch, "r+b") as handle:
            handle.seek(4096)
            handle.write(b"\xff" * 65536)
        return copy(db)

    monkeypatch.setattr(import_parts, "_copy_part", damaged_first)
    outcome, rows = imported(exported, tmp_path / "two.sqlite")
    assert AFTER_ALL in in_two.text
    assert (outcome, rows) == one_go(exported, tmp_path, monkeypatch)


def test_with_no_room_for_the_scratch_folder_the_file_is_read_in_one_go(
    exported, tmp_path, monkeypatch, in_two
):
    """The records' folder refusing a new folder (full, say): the one go, not an OSError
    out of the import."""

    def refused(**kwargs):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(tempfile, "TemporaryDirectory", refused)
        outcome, rows = imported(exported, tmp_path / "two.sqlite")
    assert "the second part could not be started" in in_two.text
    assert (outcome, rows) == one_go(exported, tmp_path, monkeypatch)


def test_a_scratch_folder_left_by_a_killed_import_is_removed_by_the_next(
    exported, tmp_path, in_two
):
    """It holds records: a crash must not leave them there for good."""
    left = tmp_path / ".rethink-import-abc123"
    left.mkdir()
    (left / "part.sqlite").write_bytes(b"half of someone's records")
    imported(exported, tmp_path / "two.sqlite")
    assert TWO in in_two.text
    assert scratch_left(tmp_path) == []


def test_the_second_part_refuses_a_file_changed_since_the_cut(exported, tmp_path):
    """It opens the file again by name: another file there now, or this one grown, and it
    says so rather than read something the first process did not."""
    with open(exported, "rb") as handle:
        identity = import_parts._identity(handle)
    scratch = tmp_path / "part.sqlite"
    with EventStore.open(tmp_path / "records.sqlite") as store:
        import_parts._scratch_database(store.db, scratch)
    changed = (identity[0], identity[1], identity[2] + 1, identity[3])
    receiving, sending = multiprocessing.Pipe(duplex=False)
    import_parts._read_part(str(exported), changed, [(0, 100)], str(scratch), AT, False, sending)
    assert receiving.recv() == "OSError: export.json is not the file the first process read"
    receiving, sending = multiprocessing.Pipe(duplex=False)
    size = exported.stat().st_size
    head, split = _cut(io.BytesIO(exported.read_bytes()), size)
    parts = [(0, head), (split, size)]
    import_parts._read_part(str(exported), identity, parts, str(scratch), AT, False, sending)
    messages = []
    while receiving.poll():  # True at the end too, when the other end is closed
        try:
            messages.append(receiving.recv())
        except EOFError:
            break
    # The bytes of its own stretch read as it went (not the header, which the first part
    # counts), so the two parts' counts add up to the file's size.
    assert all(isinstance(m, int) for m in messages[:-1])
    assert messages[-2] == size - split
    report, seconds = messages[-1]
    assert report.added
    assert seconds > 0


def test_a_scratch_folder_that_cannot_be_removed_is_not_the_import_s_failure(
    exported, tmp_path, monkeypatch, in_two
):
    """Another program holding the scratch file (an antivirus, on Windows): the import is
    done all the same, the log says so, and the next import sweeps the folder."""
    import shutil

    monkeypatch.setattr(shutil, "rmtree", lambda *a, **k: None)
    outcome, rows = imported(exported, tmp_path / "two.sqlite")
    assert TWO in in_two.text
    assert "could not remove .rethink-import-" in in_two.text
    assert scratch_left(tmp_path)
    monkeypatch.undo()
    assert (outcome, rows) == one_go(exported, tmp_path, monkeypatch)
    import_parts._sweep(tmp_path)
    assert scratch_left(tmp_path) == []
