"""The app's log file (cli.setup_logging): appended to, and rotated once it is big."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest

from rethink_desktop.cli import LOG_BACKUPS, LOG_MAX_BYTES, setup_logging
from rethink_desktop.storage.paths import AppPaths


@pytest.fixture
def log_dir(tmp_path):
    """The log folder of a setup_logging call; the root logger is restored afterwards."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield tmp_path / "log"
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def start(log_dir) -> logging.Handler:
    """What a start of the app does: set up logging, log one line; the handler it added."""
    before = set(logging.getLogger().handlers)
    paths = AppPaths(log_dir.parent / "data", log_dir.parent / "config", log_dir, "--data-dir")
    assert setup_logging(paths, debug=False) == log_dir / "rethink-desktop.log"
    logging.getLogger("rethink_desktop.test").info("started")
    (added,) = set(logging.getLogger().handlers) - before
    added.flush()
    return added


def test_a_small_log_is_appended_to(log_dir):
    log_dir.mkdir()
    log_file = log_dir / "rethink-desktop.log"
    log_file.write_text("an earlier start\n", encoding="utf-8")

    handler = start(log_dir)

    assert not isinstance(handler, RotatingFileHandler)
    lines = log_file.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "an earlier start"
    assert lines[1].endswith("INFO rethink_desktop.test: started")
    assert not (log_dir / "rethink-desktop.log.1").exists()


def test_a_new_log_folder_and_file_are_made(log_dir):
    start(log_dir)
    assert "started" in (log_dir / "rethink-desktop.log").read_text(encoding="utf-8")


def test_a_log_that_reached_the_limit_is_rotated_at_the_next_start(log_dir):
    log_dir.mkdir()
    log_file = log_dir / "rethink-desktop.log"
    for n in range(1, LOG_BACKUPS + 1):  # a full set of old files already
        (log_dir / f"rethink-desktop.log.{n}").write_text(f"old {n}\n", encoding="utf-8")
    log_file.write_text("x" * LOG_MAX_BYTES, encoding="utf-8")

    handler = start(log_dir)

    assert isinstance(handler, RotatingFileHandler)
    assert log_file.read_text(encoding="utf-8").endswith("started\n")
    assert log_file.stat().st_size < 200
    assert (log_dir / "rethink-desktop.log.1").stat().st_size == LOG_MAX_BYTES
    for n in range(2, LOG_BACKUPS + 1):  # each old file moved one place down
        assert (log_dir / f"rethink-desktop.log.{n}").read_text() == f"old {n - 1}\n"
    assert not (log_dir / f"rethink-desktop.log.{LOG_BACKUPS + 1}").exists()


def folder_takes_no_new_file(monkeypatch, folder) -> None:
    """As a read-only folder (the tests may run as root, whom permissions do not stop)."""
    import errno
    import tempfile

    made = tempfile.mkstemp

    def refusing(*args, dir=None, **kwargs):
        if dir is not None and Path(dir) == folder:
            raise PermissionError(errno.EACCES, "Permission denied", str(dir))
        return made(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", refusing)


def test_a_full_log_in_a_folder_that_takes_no_new_file_is_added_to(log_dir, monkeypatch):
    """The rotation could not rename or make files there: every record after it was lost
    as a "Logging error" traceback on stderr. The file grows past its limit instead."""
    log_dir.mkdir()
    log_file = log_dir / "rethink-desktop.log"
    log_file.write_text("x" * LOG_MAX_BYTES, encoding="utf-8")
    folder_takes_no_new_file(monkeypatch, log_dir)

    handler = start(log_dir)

    assert not isinstance(handler, RotatingFileHandler)
    assert log_file.read_text(encoding="utf-8").endswith("started\n")
    assert not (log_dir / "rethink-desktop.log.1").exists()


def test_check_calls_a_log_folder_that_takes_no_new_file_a_problem(tmp_path, monkeypatch):
    from rethink_desktop.cli import log_folder_problem

    log_dir = tmp_path / "log"
    assert log_folder_problem(log_dir) is None
    assert [p.name for p in log_dir.iterdir()] == ["rethink-desktop.log"]  # no probe left
    folder_takes_no_new_file(monkeypatch, log_dir)
    problem = log_folder_problem(log_dir)
    assert problem is not None
    assert problem == (
        f"The log folder {log_dir} takes no new file (it is read-only or belongs to another "
        "user): the app adds to rethink-desktop.log there, but cannot rotate it, so it grows "
        "past its 1 MB. Make the folder writable."
    )
