"""Where files live: precedence of the data-folder settings, and no side effects on import."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rethink_desktop.storage.paths import APP_NAME, AppPaths, ensure_dir, resolve_paths

POSIX = os.name == "posix"


def test_data_dir_argument_wins_over_everything(tmp_path):
    paths = resolve_paths(
        tmp_path / "arg",
        config_data_dir=str(tmp_path / "config"),
        env={"RETHINK_DATA_DIR": str(tmp_path / "env")},
    )
    assert paths.data_dir == tmp_path / "arg"
    assert paths.source == "--data-dir"


def test_environment_wins_over_config(tmp_path):
    paths = resolve_paths(
        None,
        config_data_dir=str(tmp_path / "config"),
        env={"RETHINK_DATA_DIR": str(tmp_path / "env")},
    )
    assert paths.data_dir == tmp_path / "env"
    assert paths.source == "RETHINK_DATA_DIR"


def test_config_wins_over_platform_default(tmp_path):
    paths = resolve_paths(config_data_dir=str(tmp_path / "config"), env={})
    assert paths.data_dir == tmp_path / "config"
    assert paths.source == "config"


def test_platform_default_follows_the_platform_folders(isolated_dirs):
    paths = resolve_paths(env={})
    assert paths.source == "platform default"
    if sys.platform.startswith("linux"):
        assert paths.data_dir == isolated_dirs / "data" / APP_NAME
        assert paths.config_dir == isolated_dirs / "config" / APP_NAME
        assert paths.log_dir == isolated_dirs / "state" / APP_NAME / "log"
    assert APP_NAME in str(paths.data_dir)
    assert APP_NAME in str(paths.config_dir)
    assert APP_NAME in str(paths.log_dir)


def test_empty_environment_and_config_settings_are_ignored(tmp_path):
    paths = resolve_paths(None, config_data_dir="", env={"RETHINK_DATA_DIR": ""})
    assert paths.source == "platform default"


@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_data_dir_argument_is_refused_not_taken_as_absent(tmp_path, empty):
    with pytest.raises(ValueError, match="--data-dir needs a folder name"):
        resolve_paths(empty, env={"RETHINK_DATA_DIR": str(tmp_path / "real")})


def test_real_environment_is_read_when_no_mapping_is_given(tmp_path, monkeypatch):
    monkeypatch.setenv("RETHINK_DATA_DIR", str(tmp_path / "from-env"))
    paths = resolve_paths(config_data_dir=str(tmp_path / "config"))
    assert paths.data_dir == tmp_path / "from-env"
    assert paths.source == "RETHINK_DATA_DIR"


def test_home_is_expanded_and_relative_paths_made_absolute(isolated_dirs, tmp_path, monkeypatch):
    assert resolve_paths("~/records").data_dir == Path(os.path.expanduser("~")) / "records"
    assert resolve_paths(env={"RETHINK_DATA_DIR": "~/r"}).data_dir == Path.home() / "r"
    monkeypatch.chdir(tmp_path)
    assert resolve_paths("relative").data_dir == tmp_path / "relative"


def test_file_names_hang_off_the_data_dir(tmp_path):
    paths = resolve_paths(tmp_path)
    assert paths.database == tmp_path / "rethink.sqlite"
    assert paths.demo_database == tmp_path / "demo.sqlite"
    assert paths.backups_dir == tmp_path / "backups"
    assert paths.lock_file == tmp_path / "rethink.lock"


def test_paths_are_frozen(tmp_path):
    paths = resolve_paths(tmp_path)
    assert isinstance(paths, AppPaths)
    with pytest.raises(dataclasses.FrozenInstanceError):
        paths.data_dir = tmp_path / "elsewhere"  # type: ignore[misc]


def test_resolving_creates_nothing(tmp_path):
    paths = resolve_paths(tmp_path / "data", env={})
    assert not paths.data_dir.exists()
    assert not paths.config_dir.exists()
    assert not paths.log_dir.exists()


def test_importing_and_resolving_creates_nothing(tmp_path):
    home = tmp_path / "fresh-home"
    env = dict(os.environ)
    env.pop("RETHINK_DATA_DIR", None)
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
    )
    code = (
        "import rethink_desktop.storage.paths as p, rethink_desktop.storage.database\n"
        "print(p.resolve_paths().data_dir)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert APP_NAME in result.stdout
    assert result.stderr == ""
    assert not home.exists()


def test_ensure_dir_creates_a_private_folder(tmp_path):
    target = tmp_path / "a" / "b"
    assert ensure_dir(target) == target
    assert target.is_dir()
    if POSIX:
        # Every folder it made: "a" was left 0755 by the umask, open to other users.
        assert target.stat().st_mode & 0o777 == 0o700
        assert target.parent.stat().st_mode & 0o777 == 0o700
    ensure_dir(target)  # a second call is harmless
    assert target.is_dir()


@pytest.mark.skipif(not POSIX, reason="file modes are POSIX-only")
def test_ensure_dir_leaves_an_existing_folder_alone(tmp_path):
    chosen = tmp_path / "Documents"
    chosen.mkdir(mode=0o755)
    chosen.chmod(0o755)
    ensure_dir(chosen)
    assert chosen.stat().st_mode & 0o777 == 0o755


@pytest.mark.skipif(not POSIX, reason="file modes are POSIX-only")
def test_ensure_dir_mode_ignores_the_umask(tmp_path):
    old = os.umask(0)
    try:
        ensure_dir(tmp_path / "open-umask")
    finally:
        os.umask(old)
    assert (tmp_path / "open-umask").stat().st_mode & 0o777 == 0o700


def test_ensure_dir_refuses_a_file_in_the_way(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    with pytest.raises(FileExistsError):
        ensure_dir(blocker)


def test_a_rethink_data_dir_of_spaces_alone_counts_as_not_set():
    """Taken as given it was a folder named "   " under wherever the app was started."""
    assert resolve_paths(env={"RETHINK_DATA_DIR": "   "}).source == "platform default"
    assert resolve_paths(env={"RETHINK_DATA_DIR": " /srv/r "}).source == "RETHINK_DATA_DIR"


def test_the_nearest_existing_folder_is_the_path_or_its_closest_parent(tmp_path):
    from rethink_desktop.storage.paths import nearest_existing

    assert nearest_existing(tmp_path) == tmp_path
    assert nearest_existing(tmp_path / "a" / "b" / "c") == tmp_path
    (tmp_path / "f").write_text("")
    assert nearest_existing(tmp_path / "f" / "x") == tmp_path / "f"  # a file in the way
