"""The one place that decides where Re-Think Desktop keeps its files.

Resolving paths has no side effects: nothing is created until a caller asks for a folder
with :func:`ensure_dir` (``main()`` does so during start-up, after parsing arguments).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "rethink-desktop"
DATA_DIR_ENV = "RETHINK_DATA_DIR"
# The records files' names in a data folder; a backup never replaces a file of either name.
RECORDS_FILE = "rethink.sqlite"
DEMO_RECORDS_FILE = "demo.sqlite"


@dataclass(frozen=True)
class AppPaths:
    """Data, config and log folders, and where the data folder setting came from."""

    data_dir: Path
    config_dir: Path
    log_dir: Path
    source: str  # "--data-dir", "RETHINK_DATA_DIR", "config" or "platform default"

    @property
    def database(self) -> Path:
        return self.data_dir / RECORDS_FILE

    @property
    def demo_database(self) -> Path:
        return self.data_dir / DEMO_RECORDS_FILE

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def lock_file(self) -> Path:
        return self.data_dir / "rethink.lock"

    @property
    def imported_deck(self) -> Path:
        """The card deck imported in File → Card deck, in use instead of the bundled one."""
        return self.config_dir / "card-deck.json"


def _clean(value: str | Path) -> Path:
    # Absolute so that messages, logs and later chdir() calls all agree on one location.
    return Path(value).expanduser().absolute()


def resolve_paths(
    data_dir: str | Path | None = None,
    *,
    config_data_dir: str | None = None,
    env: Mapping[str, str] | None = None,
) -> AppPaths:
    """Work out the folders: ``--data-dir`` > ``RETHINK_DATA_DIR`` > config file > platform.

    An empty ``data_dir`` is a ``ValueError`` (the command line refuses it first): taken as
    absent, a script's unset variable would fall back to the real records. An empty
    ``RETHINK_DATA_DIR`` (or one of spaces alone) counts as not set, as shells and other
    tools treat one.
    """
    env = os.environ if env is None else env
    if data_dir is not None and not str(data_dir).strip():
        raise ValueError("--data-dir needs a folder name")
    if data_dir is not None:
        chosen, source = _clean(data_dir), "--data-dir"
    elif env.get(DATA_DIR_ENV, "").strip():  # spaces alone are as empty: not a folder "  "
        chosen, source = _clean(env[DATA_DIR_ENV]), DATA_DIR_ENV
    elif config_data_dir:
        chosen, source = _clean(config_data_dir), "config"
    else:
        chosen = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
        source = "platform default"
    return AppPaths(
        data_dir=chosen,
        config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        log_dir=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        source=source,
    )


def nearest_existing(path: Path) -> Path:
    """``path`` if it exists, else its nearest parent that does (in the end the root).
    What stops a name being used (one too long, say) is raised as the ``OSError`` it is."""
    found = path
    while not found.exists() and found != found.parent:
        found = found.parent
    return found


def probe_folder(folder: str | Path) -> None:
    """Make a file in ``folder`` and remove it at once; the OSError if that cannot be done
    (a folder read-only, full, or belonging to another user, whatever its mode says)."""
    import tempfile

    handle, name = tempfile.mkstemp(prefix=".rethink-check-", dir=folder)
    os.close(handle)
    os.unlink(name)


def ensure_dir(path: str | Path) -> Path:
    """Create ``path`` (and parents) if missing; every folder we create is private to its
    owner (``mkdir(parents=True)`` gives the parents the umask's mode, often 0755)."""
    path = Path(path)
    if path.is_dir():
        # An existing folder may be one the user chose (e.g. Documents): leave its mode alone.
        return path
    missing = [path]
    # lexists: a link that loops or dangles is not missing; making a folder through it fails
    # with its own error (ELOOP, ENOENT), told in words by the storage layer.
    while not os.path.lexists(missing[-1].parent) and missing[-1].parent != missing[-1]:
        missing.append(missing[-1].parent)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue  # made meanwhile (another copy starting): its mode is its maker's
        if os.name == "posix":
            # mkdir's mode is filtered by the umask; set it explicitly.
            os.chmod(folder, 0o700)
    return path
