"""`export --out` failures (cli.cmd_export), in words that name the output file."""

from __future__ import annotations

import argparse
import errno
import io
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rethink_desktop.cli import cmd_export, until_output_closes
from rethink_desktop.core.clock import FakeClock
from rethink_desktop.reports import exports
from rethink_desktop.storage.database import open_database
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.storage.paths import resolve_paths
from tests.helpers import running


def export_to(tmp_path, out, monkeypatch=None, error=None, fmt="json") -> tuple[int, str]:
    paths = resolve_paths(tmp_path / "data")
    open_database(paths.database).close()
    if error is not None:

        def fail(*args, **kwargs):
            raise error

        monkeypatch.setattr(exports, "export", fail)
    args = argparse.Namespace(
        out=str(out), format=fmt, session=None, anonymise=True, include_demo=False, demo=False
    )
    err = io.StringIO()
    code = cmd_export(paths, args, io.StringIO(), err)
    return code, err.getvalue()


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.EROFS, "it is read-only or belongs to another user"),
     (errno.EACCES, "it is read-only or belongs to another user"),
     (errno.ENOSPC, "The disk is full, so the export could not be written to {out}."),
     (errno.EIO, "The export could not be written to {out} (Input/output error).")],
)  # fmt: skip
def test_a_write_failure_names_the_output_never_the_temporary_file(
    tmp_path, monkeypatch, code, words
):
    out = tmp_path / "out" / "e.json"
    part = out.with_name(".e.json.x1y2.part")
    error = OSError(code, errno.errorcode[code], str(part))
    error.strerror = {errno.EIO: "Input/output error"}.get(code, error.strerror)
    status, said = export_to(tmp_path, out, monkeypatch, error)
    assert status == 1
    assert words.format(out=out) in said
    assert str(out.parent) in said
    assert "Nothing has been changed." in said
    assert ".part" not in said
    assert "Errno" not in said


class FailingOut(io.StringIO):
    """Standard output whose writes (or only its last flush) fail with ``error``."""

    def __init__(self, error: OSError, at_flush: bool = False) -> None:
        super().__init__()
        self.error, self.at_flush = error, at_flush

    def write(self, text: str) -> int:
        if not self.at_flush:
            raise self.error
        return super().write(text)

    def flush(self) -> None:
        raise self.error


def export_to_stdout(tmp_path, out) -> tuple[int, str]:
    paths = resolve_paths(tmp_path / "data")
    open_database(paths.database).close()
    args = argparse.Namespace(
        out=None, format="json", session=None, anonymise=True, include_demo=False, demo=False
    )
    err = io.StringIO()
    # As main runs every command: a closed pipe ends it quietly, whichever command it is.
    code = until_output_closes(lambda: cmd_export(paths, args, out, err), (out, err))
    return code, err.getvalue()


@pytest.mark.parametrize("at_flush", [False, True])
def test_standard_output_full_is_worded_and_closed_is_quiet(tmp_path, at_flush):
    full = OSError(errno.ENOSPC, "No space left on device")
    status, said = export_to_stdout(tmp_path, FailingOut(full, at_flush))
    assert status == 1
    assert said.startswith("The disk is full, so the export to standard output stopped part-way")
    assert "incomplete" in said
    assert "Errno" not in said
    closed = BrokenPipeError(errno.EPIPE, "Broken pipe")
    status, said = export_to_stdout(tmp_path, FailingOut(closed, at_flush))
    assert (status, said) == (141, "")
    other = OSError(errno.EIO, "Input/output error")
    status, said = export_to_stdout(tmp_path, FailingOut(other, at_flush))
    assert status == 1
    assert "standard output stopped part-way (Input/output error)" in said


def refuse_read_write_opens(
    monkeypatch, path, code=13, text="database or disk is full", *, leave_files=False
):
    """As a data folder on a full (or read-only) drive: any connection that may write to
    ``path`` fails, as SQLite's would when it must make ``-wal``/``-shm`` there;
    ``leave_files``: after making an empty ``-wal`` and a few bytes of ``-shm``, as SQLite
    does on a full drive before it finds the index cannot grow."""
    real = sqlite3.connect

    def connect(target, *args, **kwargs):
        if not str(target).startswith("file:") and str(target) == str(path):
            if leave_files:
                Path(f"{path}-wal").write_bytes(b"")
                Path(f"{path}-shm").write_bytes(b"\0\0\0")
            error = sqlite3.OperationalError(text)
            error.sqlite_errorcode = code
            raise error
        return real(target, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", connect)


@pytest.mark.parametrize(
    ("code", "text", "leave_files"),
    [(13, "database or disk is full", False), (14, "unable", False),
     (4874, "disk I/O error", True)],
    ids=["full", "cannot-open", "full-after-making-wal-and-shm"],
)  # fmt: skip
def test_export_only_reads_so_a_full_or_read_only_data_folder_does_not_stop_it(
    tmp_path, monkeypatch, code, text, leave_files
):
    paths = resolve_paths(tmp_path / "data")
    with EventStore.open(paths.database) as store:
        completed = running(3, FakeClock(), sink=store.append)
        completed.end()
        completed.complete()
    before = sorted(p.name for p in paths.data_dir.iterdir())
    refuse_read_write_opens(monkeypatch, paths.database, code, text, leave_files=leave_files)
    out = tmp_path / "usb" / "e.json"
    out.parent.mkdir()
    args = argparse.Namespace(
        out=str(out), format="json", session=None, anonymise=True, include_demo=False, demo=False
    )
    err = io.StringIO()
    assert cmd_export(paths, args, io.StringIO(), err) == 0, err.getvalue()
    assert completed.id in out.read_text()
    assert sorted(p.name for p in paths.data_dir.iterdir()) == before  # no -wal, no -shm


def test_an_export_where_it_can_write_reads_under_locks_and_keeps_its_texts(tmp_path):
    # Read as usual, not as an immutable file: a writer beside it (the app, an import) must
    # not tear what is read, and the texts the export makes are kept for the next one.
    paths = resolve_paths(tmp_path / "data")
    with EventStore.open(paths.database) as store:
        completed = running(3, FakeClock(), sink=store.append)
        completed.end()
        completed.complete()
        with store.db.conn:
            store.db.execute("DELETE FROM export_texts")
    args = argparse.Namespace(
        out=str(tmp_path / "e.json"), format="json", session=None, anonymise=True,
        include_demo=False, demo=False,
    )  # fmt: skip
    err = io.StringIO()
    assert cmd_export(paths, args, io.StringIO(), err) == 0, err.getvalue()
    with EventStore.open(paths.database) as store:
        kept = store.db.execute("SELECT count(*) FROM export_texts").fetchone()[0]
    assert kept == 1


def test_records_that_cannot_be_read_mid_export_are_worded(tmp_path, monkeypatch):
    paths = resolve_paths(tmp_path / "data")
    open_database(paths.database).close()

    def torn(*args, **kwargs):
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(exports, "export", torn)
    args = argparse.Namespace(
        out=str(tmp_path / "e.json"), format="json", session=None, anonymise=True,
        include_demo=False, demo=False,
    )  # fmt: skip
    err = io.StringIO()
    assert cmd_export(paths, args, io.StringIO(), err) == 1
    assert err.getvalue().startswith("The export stopped: the records could not be read")
    assert "malformed" not in err.getvalue()


def pdf_of(paths, session: str, out: Path) -> tuple[int, str]:
    args = argparse.Namespace(
        out=str(out), format="pdf", session=session, anonymise=True, include_demo=False,
        demo=False,
    )  # fmt: skip
    err = io.StringIO()
    return cmd_export(paths, args, io.StringIO(), err), err.getvalue()


def test_a_pdf_session_is_named_by_its_reference_or_its_id_in_any_case(tmp_path):
    """Only the id was taken, which no screen shows; History shows the reference."""
    paths = resolve_paths(tmp_path / "data")
    with EventStore.open(paths.database) as store:
        s = running(3, FakeClock(), sink=store.append, reference="DEMO-001")
        running(3, FakeClock(), sink=store.append, reference="DEMO-002")
    for n, name in enumerate(["DEMO-001", "demo-001", s.id, s.id.upper()]):
        out = tmp_path / f"{n}.pdf"
        code, said = pdf_of(paths, name, out)
        assert code == 0, said
        assert out.read_bytes().startswith(b"%PDF")


def test_a_reference_several_sessions_share_is_refused_listing_them(tmp_path, local_zone):
    local_zone("Europe/London")  # the days listed are local, as in History
    paths = resolve_paths(tmp_path / "data")
    with EventStore.open(paths.database) as store:
        first = running(3, FakeClock(datetime(2026, 1, 5, 9, tzinfo=UTC)), sink=store.append,
                        reference="FN-2291")  # fmt: skip
        first.end()
        first.complete()
        second = running(3, FakeClock(datetime(2026, 2, 9, 9, tzinfo=UTC)), sink=store.append,
                         reference="fn-2291")  # fmt: skip
    out = tmp_path / "s.pdf"
    code, said = pdf_of(paths, "Fn-2291", out)
    assert code == 1
    assert said.startswith("--session Fn-2291: 2 sessions have that reference, ")
    assert "Nothing has been written. Give the id of the one you mean instead:\n" in said
    assert f"  2026-02-09  fn-2291  running     {second.id}\n" in said  # each as it is
    assert f"  2026-01-05  FN-2291  completed   {first.id}\n" in said
    assert said.index(second.id) < said.index(first.id)  # newest first, as History
    assert "participants' names" not in said
    assert not out.exists()
    code, said = pdf_of(paths, second.id, out)  # the id still picks one
    assert code == 0, said


def test_an_unknown_session_is_said_so(tmp_path):
    paths = resolve_paths(tmp_path / "data")
    open_database(paths.database).close()
    out = tmp_path / "s.pdf"
    code, said = pdf_of(paths, "FN-9999", out)
    assert code == 1
    assert said == (
        "Export failed: There is no session with the reference or id FN-9999. Nothing has "
        "been written. History in the app shows each session's reference.\n"
    )
    assert not out.exists()
