"""One copy of the app per database: the lock file, and what to say when it cannot be taken.

Apart from ``app.py`` so that the command line's records commands, which take the same
lock, load only QtCore and not the window's modules.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rethink_desktop.storage.database import WRITTEN_BACK, classify
from rethink_desktop.storage.paths import ensure_dir, nearest_existing, probe_folder

if TYPE_CHECKING:
    from PySide6.QtCore import QLockFile

log = logging.getLogger(__name__)


class DataFolderError(OSError):
    """The data folder cannot be used (read-only, someone else's, full, a file in the way,
    not reachable); ``message`` is for the facilitator. Not another copy holding it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def data_folder_message(folder: Path, why: str, again: str = "open the app again") -> str:
    """Why the data folder cannot be used at start-up: "full", "read_only" or anything
    else (missing, a drive or share not connected, an I/O error). ``again`` is what to
    retry (the command line says "run the command again")."""
    if why == "full":
        return (
            f"Re-Think Desktop cannot write in its data folder ({folder}): the disk may be "
            f"full. Nothing has been changed. Free some space, or ask IT, then {again}."
        )
    if why == "read_only":
        return (
            f"Re-Think Desktop cannot write in its data folder ({folder}): it is read-only or "
            "belongs to another user. Nothing has been changed. Ask IT for write access, or for "
            "another folder (data_dir in the config file)."
        )
    return (
        f"Re-Think Desktop cannot reach its data folder ({folder}). Nothing has been changed. "
        f"Check that the drive or network share is connected, then {again}; ask "
        "IT if it keeps happening, or for another folder (data_dir in the config file)."
    )


def in_use_message(db_path: Path, what_next: str) -> str:
    """The lock is held: by the app's window or by a command-line import, restore or purge,
    which take the same lock (which of them, the lock file does not say reliably)."""
    return (
        "Re-Think Desktop, or one of its commands (an import, a restore, a purge), is already "
        f"using these records ({db_path}). Nothing has been changed. {what_next}"
    )


def unusable_folder_name(folder: Path) -> str | None:
    """Why ``folder``'s name cannot be used, or None: one that is not valid text (bytes that
    are not UTF-8, on Linux) cannot be handed to Qt's lock file, which then failed as if the
    disk were full."""
    import os

    try:
        str(folder).encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(folder).decode("utf-8", "backslashreplace")
        return (
            f"Re-Think Desktop cannot use the data folder {shown}: its name is not valid text "
            "(it has bytes that are not UTF-8, shown here as \\x..), which the app cannot "
            "use. Nothing has been changed. Rename the folder, or choose another one "
            "(--data-dir, RETHINK_DATA_DIR or data_dir in the config file)."
        )
    return None


def folder_problem(exc: OSError, path: Path, again: str) -> str:
    """Why the folder of ``path`` (a file in it) could not be made or written, in words."""
    if exc.errno in (errno.EEXIST, errno.ENOTDIR, errno.ENAMETOOLONG):
        # A file where a folder should be, or a name too long: the database's words.
        return classify(exc, path).message  # type: ignore[union-attr]
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return data_folder_message(path.parent, "full", again)
    if exc.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
        return data_folder_message(path.parent, "read_only", again)
    return data_folder_message(path.parent, "unavailable", again)


def unusable_data_folder(folder: Path, again: str = "run the command again") -> str | None:
    """Why the app could not make or write in ``folder`` at its start, or None; for ``check``,
    which creates nothing. A temporary file in it (or a temporary folder in the nearest
    folder that exists, when it is yet to be made) is made and removed at once. A file in
    the way is left for the database's own words."""
    import os
    import tempfile

    existing = nearest_existing(folder)
    if not existing.is_dir():
        return None
    try:
        if existing == folder:
            probe_folder(folder)
        else:
            os.rmdir(tempfile.mkdtemp(prefix=".rethink-check-", dir=existing))
    except OSError as exc:
        return folder_problem(exc, folder / "rethink.lock", again)
    return None


def acquire_lock(path: Path, again: str = "open the app again") -> QLockFile | None:
    """One copy of the app per database; a lock left by a crashed copy is taken over.

    None when another copy holds the lock; ``DataFolderError`` when the folder cannot be
    made or written (which would otherwise look like another copy). The command line's
    records commands take the same lock.
    """
    # QtCore only here: ``check`` uses the folder helpers above and never needs Qt.
    from PySide6.QtCore import QLockFile

    bad_name = unusable_folder_name(path.parent)
    if bad_name is not None:
        raise DataFolderError(bad_name)
    try:
        ensure_dir(path.parent)
    except OSError as exc:
        raise DataFolderError(folder_problem(exc, path, again)) from exc
    lock = QLockFile(str(path))
    lock.setStaleLockTime(0)  # stale only when its process is gone, however long ago
    if lock.tryLock(200):
        return lock
    if lock.error() == QLockFile.LockError.LockFailedError and lock.removeStaleLockFile():
        return lock if lock.tryLock(200) else None
    if lock.error() == QLockFile.LockError.LockFailedError:
        return None
    if lock.error() == QLockFile.LockError.UnknownError:
        # Qt says no more than "unknown" for a folder that refuses writes with EPERM (an
        # immutable folder; macOS's privacy controls on Documents) as for a full disk: a
        # file made in it the usual way tells which.
        probed = unusable_data_folder(path.parent, again)
        raise DataFolderError(probed or data_folder_message(path.parent, "full", again))
    # PermissionError: the lock file cannot be created there.
    raise DataFolderError(data_folder_message(path.parent, "read_only", again))


@contextmanager
def kept_lock(lock: QLockFile) -> Iterator[None]:
    """While the block runs, ``lock``'s file, deleted with its folder, is taken again when
    the records are written back there (``WRITTEN_BACK``): without it, a second copy of the
    app could open the same records beside this one."""
    path = Path(lock.fileName())

    def take_again(folder: Path) -> None:
        if folder != path.parent or path.exists():
            return
        # Qt has no way to forget a lock whose file is gone but to unlock it, which removes
        # whatever file is at that name: a second copy starting in the instant between the
        # check above and this would lose its lock (the write-back itself took longer).
        lock.unlock()
        if lock.tryLock(0):
            log.info("lock file made again after the records were written back")
        else:
            log.error("lock file could not be made again: error %s", lock.error())

    hook: Callable[[Path], None] = take_again
    WRITTEN_BACK.append(hook)
    try:
        yield
    finally:
        WRITTEN_BACK.remove(hook)
