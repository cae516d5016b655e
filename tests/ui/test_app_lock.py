"""The one-copy lock (ui/lock.acquire_lock): another copy is told apart from a folder that
cannot be written, which gets its own message instead of "already using these records"."""

from __future__ import annotations

import errno
import sys

import pytest
from PySide6.QtCore import QLockFile

from rethink_desktop.ui import lock
from rethink_desktop.ui.lock import DataFolderError, acquire_lock

Error = QLockFile.LockError


def lock_fails(monkeypatch, error) -> None:
    """Qt's lock file refuses every try, saying ``error``."""
    monkeypatch.setattr(QLockFile, "tryLock", lambda self, timeout=0: False)
    monkeypatch.setattr(QLockFile, "error", lambda self: error)


def test_a_free_lock_is_taken_and_a_held_one_refused(tmp_path):
    path = tmp_path / "data" / "rethink.lock"
    first = acquire_lock(path)
    assert first is not None
    assert first.isLocked()
    assert path.parent.is_dir()  # the folder was made
    second = QLockFile(str(path))
    assert not second.tryLock(0)  # held
    first.unlock()


@pytest.mark.parametrize(
    ("error", "words"),
    [(Error.PermissionError, "read-only or belongs to another user"),
     (Error.UnknownError, "the disk may be full")],
)  # fmt: skip
def test_a_lock_that_cannot_be_written_is_not_called_another_copy(
    tmp_path, monkeypatch, error, words
):
    lock_fails(monkeypatch, error)
    with pytest.raises(DataFolderError) as raised:
        acquire_lock(tmp_path / "rethink.lock")
    assert words in raised.value.message
    assert str(tmp_path) in raised.value.message
    assert "Nothing has been changed" in raised.value.message
    assert "already using" not in raised.value.message


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.EPERM, "read-only or belongs to another user"),
     (errno.ENOSPC, "the disk may be full")],
)  # fmt: skip
def test_a_lock_qt_cannot_explain_is_explained_by_a_file_made_there(
    tmp_path, monkeypatch, code, words
):
    """An immutable folder (EPERM, as macOS's privacy controls give) was told "the disk may
    be full": Qt's lock file calls both an unknown error."""
    import tempfile

    def refuse(*args, **kwargs):
        raise OSError(code, "refused")

    lock_fails(monkeypatch, Error.UnknownError)
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(DataFolderError, match=words):
        acquire_lock(tmp_path / "rethink.lock")


def test_another_copy_holding_the_lock_is_none(tmp_path, monkeypatch):
    lock_fails(monkeypatch, Error.LockFailedError)
    monkeypatch.setattr(QLockFile, "removeStaleLockFile", lambda self: False)
    assert acquire_lock(tmp_path / "rethink.lock") is None


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.EROFS, "read-only or belongs to another user"),
     (errno.EACCES, "read-only or belongs to another user"),
     (errno.EEXIST, "a file is in the way"),
     (errno.ENOSPC, "the disk may be full"),
     (errno.EDQUOT, "the disk may be full"),
     (errno.ENOENT, "cannot reach its data folder"),  # a drive or share not connected
     (errno.EIO, "cannot reach its data folder")],
)  # fmt: skip
def test_a_data_folder_that_cannot_be_made_says_why(tmp_path, monkeypatch, code, words):
    def refuse(path):
        raise OSError(code, "refused", str(path))

    monkeypatch.setattr(lock, "ensure_dir", refuse)
    with pytest.raises(DataFolderError, match=words):
        acquire_lock(tmp_path / "missing" / "rethink.lock")


def test_a_lock_deleted_with_its_folder_is_taken_again_when_the_records_come_back(tmp_path):
    """A clean-up deleted the data folder while the app ran: the records were written back
    at the next action, but the lock file was not, so a second copy could open them too."""
    import shutil

    from rethink_desktop.storage.database import WRITTEN_BACK, WrittenBackError
    from rethink_desktop.storage.eventlog import EventStore
    from rethink_desktop.ui.lock import kept_lock
    from tests.helpers import running

    db_path = tmp_path / "data" / "rethink.sqlite"
    lock_path = db_path.with_suffix(".lock")
    held = acquire_lock(lock_path)
    with kept_lock(held), EventStore.open(db_path) as store:
        session = running(3, sink=store.append)
        shutil.rmtree(db_path.parent)
        with pytest.raises(WrittenBackError):
            session.next_turn()
        assert lock_path.exists()
        assert acquire_lock(lock_path) is None  # a second copy is refused again
    assert WRITTEN_BACK == []  # nothing left behind for records opened later
    held.unlock()
    assert not lock_path.exists()


def test_the_app_takes_its_lock_again_when_its_records_are_written_back(
    tmp_path, monkeypatch, qapp
):
    """run_app itself keeps its lock (``kept_lock``): the data folder deleted while the window
    is open, the next action writes the records back, and the lock file with them, so a
    second copy started then is refused as before."""
    import shutil

    from PySide6.QtWidgets import QApplication

    from rethink_desktop import cli
    from rethink_desktop.storage.database import WRITTEN_BACK
    from rethink_desktop.storage.paths import resolve_paths
    from rethink_desktop.ui.app import run_app
    from rethink_desktop.ui.main_window import MainWindow

    data = tmp_path / "data"
    lock_path = data / "rethink.lock"
    seen = {}

    def meanwhile(*_args) -> int:
        """In place of the event loop: what happens while the window is open."""
        QApplication.processEvents()  # what run_app queued for the loop's first turn
        (window,) = [w for w in windows() if w not in before]  # run_app's own
        assert acquire_lock(lock_path) is None  # held by the app
        shutil.rmtree(data)
        window.controller.new_session()  # a write: the records come back, and the lock
        seen["records"] = (data / "rethink.sqlite").exists()
        seen["lock"] = lock_path.exists()
        seen["second copy"] = acquire_lock(lock_path)
        window.close()
        window.deleteLater()
        return 0

    def windows() -> list[MainWindow]:
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]

    before = windows()  # other tests' windows, not yet deleted
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_app installs its own
    monkeypatch.setattr(QApplication, "exec", meanwhile)
    args = cli.build_parser().parse_args(["--data-dir", str(data), "--quit-after-start"])
    assert run_app(resolve_paths(args.data_dir), args) == 0
    assert seen == {"records": True, "lock": True, "second copy": None}
    assert WRITTEN_BACK == []
    assert not lock_path.exists()  # let go when the app ended
