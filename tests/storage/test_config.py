"""The config file: precedence, locks, bad values and broken files, with real files on disk."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rethink_desktop.core.agenda import load_templates
from rethink_desktop.storage.config import (
    CONFIG_ENV,
    SETTINGS,
    Config,
    _known_templates,
    load_config,
    machine_config_dirs,
    user_config_dir,
)

DEFAULTS = {
    "data_dir": None,
    "retention_months": 24,
    "keep_names": False,
    "backups_to_keep": 10,
    "safety_copy_days": 30,
    "default_template": "family-network",
    "allow_demo": True,
    "theme": "light",
    "log_level": "info",
}


@pytest.fixture
def machine(tmp_path) -> Path:
    return tmp_path / "etc" / "rethink-desktop"


@pytest.fixture
def user(tmp_path) -> Path:
    return tmp_path / "home-config" / "rethink-desktop"


def write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def load(machine: Path, user: Path, env: dict | None = None, **kw) -> Config:
    return load_config(env or {}, machine_dirs=[machine], user_dir=user, **kw)


def test_no_files_gives_the_defaults(machine, user):
    config = load(machine, user)
    assert config.values() == DEFAULTS
    assert set(config.sources.values()) == {"default"}
    assert config.files_read == []
    assert config.warnings == []
    assert config.searched == [("machine", machine / "config.toml"), ("user", user / "config.toml")]


def test_a_bare_config_matches_the_documented_defaults():
    assert Config().values() == DEFAULTS
    assert {s.key: s.default for s in SETTINGS} == DEFAULTS


def test_user_file_overrides_the_machine_file(machine, user):
    m = write(machine, 'theme = "dark"\nretention_months = 12\nkeep_names = true\n')
    u = write(user, 'theme = "high_contrast"\nbackups_to_keep = 3\n')
    config = load(machine, user)
    assert config.theme == "high_contrast"
    assert config.retention_months == 12
    assert config.keep_names is True
    assert config.backups_to_keep == 3
    assert config.sources["theme"] == str(u)
    assert config.sources["retention_months"] == str(m)
    assert config.sources["allow_demo"] == "default"
    assert config.files_read == [m, u]
    assert config.warnings == []


def test_a_machine_lock_beats_the_user_file(machine, user):
    m = write(machine, 'keep_names = false\ntheme = "dark"\nlocked = ["keep_names", "theme"]\n')
    write(user, 'keep_names = true\ntheme = "light"\nretention_months = 6\n')
    config = load(machine, user)
    assert config.keep_names is False
    assert config.theme == "dark"
    assert config.retention_months == 6  # not locked, so the user's value stands
    assert config.locked == {"keep_names", "theme"}
    assert config.is_locked("keep_names")
    assert config.sources["keep_names"] == f"locked by {m}"
    assert config.sources["theme"] == f"locked by {m}"
    assert len(config.warnings) == 2
    assert all("is locked by" in w and str(m) in w for w in config.warnings)


def test_a_locked_key_the_machine_file_does_not_set_is_locked_at_its_default(machine, user):
    m = write(machine, 'locked = ["allow_demo"]\n')
    write(user, "allow_demo = true\n")  # agrees with the lock: no warning
    config = load(machine, user)
    assert config.allow_demo is True
    assert config.sources["allow_demo"] == f"locked by {m}"
    assert config.warnings == []


def test_a_user_file_repeating_a_locked_data_dir_is_not_warned(machine, user):
    m = write(machine, 'data_dir = "~/Re-Think"\nlocked = ["data_dir"]\n')
    write(user, 'data_dir = "~/Re-Think"\n')  # the same folder, written the same way
    config = load(machine, user)
    assert config.data_dir == str(Path.home() / "Re-Think")
    assert config.sources["data_dir"] == f"locked by {m}"
    assert config.warnings == []
    write(user, 'data_dir = "~/Elsewhere"\n')
    (warning,) = load(machine, user).warnings
    assert "data_dir is locked by" in warning


def test_the_first_machine_folder_wins_like_xdg_config_dirs(tmp_path, user):
    first = write(tmp_path / "a" / "rethink-desktop", 'theme = "dark"\n')
    write(tmp_path / "b" / "rethink-desktop", 'theme = "high_contrast"\nretention_months = 9\n')
    config = load_config(
        {},
        machine_dirs=[tmp_path / "a" / "rethink-desktop", tmp_path / "b" / "rethink-desktop"],
        user_dir=user,
    )
    assert config.theme == "dark"
    assert config.sources["theme"] == str(first)
    assert config.retention_months == 9


def test_locked_in_a_user_file_is_ignored_with_a_warning(machine, user):
    u = write(user, 'locked = ["theme"]\ntheme = "dark"\n')
    config = load(machine, user)
    assert config.locked == frozenset()
    assert config.theme == "dark"
    assert any(str(u) in w and "machine-wide" in w for w in config.warnings)


def test_unknown_key_warns_suggests_and_still_loads(machine, user):
    u = write(user, 'keep_name = true\ntheme = "dark"\n[extras]\nx = 1\n')
    config = load(machine, user)
    assert config.theme == "dark"
    assert config.keep_names is False
    assert config.files_read == [u]
    assert any("unknown setting 'keep_name'" in w and "keep_names" in w for w in config.warnings)
    assert any("unknown setting 'extras'" in w for w in config.warnings)
    assert all(str(u) in w for w in config.warnings)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('retention_months = "24"', "retention_months"),  # wrong type
        ("retention_months = 0", "retention_months"),  # below the range
        ("retention_months = 241", "retention_months"),  # above the range
        ("retention_months = 12.5", "retention_months"),
        ("backups_to_keep = -1", "backups_to_keep"),
        ("backups_to_keep = 1001", "backups_to_keep"),
        ("backups_to_keep = true", "backups_to_keep"),  # a bool is not a number here
        ("safety_copy_days = 0", "safety_copy_days"),
        ("safety_copy_days = 3651", "safety_copy_days"),
        ('keep_names = "no"', "keep_names"),
        ("allow_demo = 0", "allow_demo"),
        ('default_template = "no-such-template"', "default_template"),
        ('theme = "purple"', "theme"),
        ("theme = 3", "theme"),
        ('log_level = "trace"', "log_level"),
        ('data_dir = ""', "data_dir"),
        ('data_dir = "relative/folder"', "data_dir"),
        ('data_dir = "$NOT_SET_ANYWHERE/x"', "data_dir"),
        ("data_dir = 5", "data_dir"),
    ],
)
def test_bad_values_warn_and_keep_the_default(machine, user, line, key):
    u = write(user, line + "\n")
    config = load(machine, user)
    assert getattr(config, key) == DEFAULTS[key]
    assert config.sources[key] == "default"
    assert len(config.warnings) == 1
    warning = config.warnings[0]
    assert str(u) in warning
    assert key in warning
    assert "not valid" in warning


def test_a_bad_user_value_falls_back_to_the_machine_value(machine, user):
    m = write(machine, "retention_months = 36\n")
    write(user, "retention_months = 999\n")
    config = load(machine, user)
    assert config.retention_months == 36
    assert config.sources["retention_months"] == str(m)
    assert "retention_months stays 36" in config.warnings[0]


def test_bad_value_warnings_say_what_is_allowed(machine, user):
    write(user, 'theme = "purple"\nretention_months = 0\ndefault_template = "x"\n')
    text = "\n".join(load(machine, user).warnings)
    assert '"high_contrast_dark"' in text
    assert "from 1 to 240" in text
    assert '"thematic"' in text


def test_range_edges_are_accepted(machine, user):
    write(user, "retention_months = 240\nbackups_to_keep = 0\n")
    config = load(machine, user)
    assert (config.retention_months, config.backups_to_keep) == (240, 0)
    write(user, "retention_months = 1\nbackups_to_keep = 1000\n")
    config = load(machine, user)
    assert (config.retention_months, config.backups_to_keep) == (1, 1000)
    assert config.warnings == []


def test_every_choice_is_accepted(machine, user):
    for template in load_templates():
        write(user, f'default_template = "{template}"\n')
        assert load(machine, user).default_template == template
    for theme in ("light", "dark", "high_contrast", "high_contrast_dark"):
        write(user, f'theme = "{theme}"\nlog_level = "debug"\n')
        config = load(machine, user)
        assert (config.theme, config.log_level) == (theme, "debug")
        assert config.warnings == []


def test_a_data_dir_with_a_nul_character_is_a_warning_and_ignored(machine, user, tmp_path):
    """It was taken, and the app, import and restore then stopped with a traceback."""
    write(machine, f'data_dir = "{tmp_path}/fine"\n')
    u = write(user, 'data_dir = "/tmp/a\\u0000b"\n')
    config = load(machine, user)
    assert config.data_dir == f"{tmp_path}/fine"
    (warning,) = config.warnings
    assert warning.startswith(f'{u}: data_dir = "/tmp/a\\x00b" is not valid (it is not a valid')
    assert "folder path: it contains a NUL character" in warning
    assert "\x00" not in warning


def test_data_dir_expands_home_and_environment_variables(machine, user, tmp_path):
    write(user, 'data_dir = "~/Re-Think"\n')
    assert load(machine, user).data_dir == str(Path.home() / "Re-Think")
    write(user, 'data_dir = "${SHARED}/one/$WHO/%WHO%"\n')
    config = load(machine, user, {"SHARED": str(tmp_path), "WHO": "sam"})
    assert config.data_dir == str(tmp_path / "one" / "sam" / "sam")
    assert config.warnings == []


def test_broken_toml_warns_naming_the_file_and_line_and_is_ignored(machine, user):
    m = write(machine, "retention_months = 12\n")
    u = write(user, 'theme = "dark"\nkeep_names = \nretention_months = 6\n')
    config = load(machine, user)
    assert config.theme == "light"  # nothing from the broken file applies
    assert config.retention_months == 12
    assert config.files_read == [m]
    assert config.unreadable == [u]
    assert len(config.warnings) == 1
    assert str(u) in config.warnings[0]
    assert "line 2" in config.warnings[0]
    assert "ignored" in config.warnings[0]


def test_a_file_that_is_not_utf8_or_is_a_folder_is_ignored(machine, user):
    machine.mkdir(parents=True)
    (machine / "config.toml").mkdir()
    user.mkdir(parents=True)
    (user / "config.toml").write_bytes(b'theme = "\xff\xfe"\n')
    config = load(machine, user)
    assert config.values() == DEFAULTS
    assert len(config.unreadable) == 2
    assert any("folder" in w for w in config.warnings)
    assert any("UTF-8" in w for w in config.warnings)


def test_a_byte_order_mark_at_the_start_is_skipped(machine, user):
    """Windows Notepad may save UTF-8 with a byte-order mark; the file still applies."""
    write(machine, "")
    (machine / "config.toml").write_bytes(b"\xef\xbb\xbfretention_months = 12\n")
    write(user, "")
    (user / "config.toml").write_bytes(b'\xef\xbb\xbftheme = "dark"\r\n')
    config = load(machine, user)
    assert (config.retention_months, config.theme) == (12, "dark")
    assert config.unreadable == []
    assert config.warnings == []


def test_a_byte_order_mark_after_the_start_is_still_not_toml(machine, user):
    u = write(user, "")
    u.write_bytes(b'theme = "dark"\n\xef\xbb\xbfretention_months = 12\n')
    config = load(machine, user)
    assert config.unreadable == [u]
    assert "not valid TOML" in config.warnings[0]


def test_an_unreadable_file_is_ignored(machine, user, monkeypatch):
    u = write(user, 'theme = "dark"\n')
    real_open = Path.open

    # chmod 0 does not stop root (CI runs as root), so refuse the read the way the OS would.
    def refuse(self, *args, **kwargs):
        if self == u:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    config = load(machine, user)
    assert config.theme == "light"
    assert config.unreadable == [u]
    assert any("could not be read" in w or "Permission" in w for w in config.warnings)


def test_rethink_config_is_read_last_and_still_obeys_locks(machine, user, tmp_path):
    m = write(machine, 'locked = ["allow_demo"]\nallow_demo = false\n')
    write(user, 'theme = "dark"\nretention_months = 6\n')
    extra = tmp_path / "it-test.toml"
    extra.write_text('theme = "high_contrast"\nallow_demo = true\n', encoding="utf-8")
    config = load(machine, user, {CONFIG_ENV: str(extra)})
    assert config.theme == "high_contrast"
    assert config.sources["theme"] == str(extra)
    assert config.retention_months == 6
    assert config.allow_demo is False
    assert config.sources["allow_demo"] == f"locked by {m}"
    assert config.searched[-1] == (CONFIG_ENV, extra)
    assert config.files_read[-1] == extra


def test_rethink_config_naming_a_missing_file_warns(machine, user, tmp_path):
    missing = tmp_path / "nope.toml"
    config = load(machine, user, {CONFIG_ENV: str(missing)})
    assert config.values() == DEFAULTS
    assert config.unreadable == [missing]
    assert CONFIG_ENV in config.warnings[0]
    assert str(missing) in config.warnings[0]


def test_bad_lock_lists_warn(machine, user):
    write(machine, 'locked = "theme"\n')
    assert "list of setting names" in load(machine, user).warnings[0]
    write(machine, 'locked = ["them"]\n')
    config = load(machine, user)
    assert config.locked == frozenset()
    assert "unknown setting 'them'" in config.warnings[0]
    assert "theme" in config.warnings[0]
    write(machine, 'locked = ["locked"]\n')  # was asked "did you mean 'locked'?"
    warning = load(machine, user).warnings[0]
    assert "locked names an unknown setting 'locked'; ignored." in warning


def test_one_stray_entry_in_the_lock_list_leaves_the_others_locked(machine, user):
    """A number among the names threw the whole list away: every key IT meant to lock was
    open to users, with one warning."""
    write(machine, 'locked = ["theme", 3, "keep_names", true]\n')
    config = load(machine, user)
    assert config.locked == frozenset({"theme", "keep_names"})
    assert [w.split(": ", 1)[1] for w in config.warnings] == [
        'locked holds 3, which is not a setting name in quotes (like "keep_names"); that '
        "entry is ignored, the others apply.",
        'locked holds true, which is not a setting name in quotes (like "keep_names"); that '
        "entry is ignored, the others apply.",
    ]


def test_a_file_that_is_not_utf8_says_where_and_what_to_save_it_as(machine, user):
    path = write(machine, "")
    path.write_bytes('theme = "dark"\n'.encode("utf-16"))  # Notepad's "Unicode"
    (warning,) = load(machine, user).warnings
    assert warning == (
        f"{path}: it is not UTF-8 text (it is UTF-16, which Notepad calls Unicode); save it "
        "again with the encoding UTF-8. The whole file was ignored, so none of its settings "
        "apply."
    )
    path.write_bytes(b'theme = "dark"\n# caf\xe9\n')  # Latin-1 on the second line
    (warning,) = load(machine, user).warnings
    assert "it is not UTF-8 text (line 2); save it again with the encoding UTF-8." in warning
    path.write_bytes(b'\xef\xbb\xbftheme = "dark"\nkeep_names = true\n\xe9t\xe9 = 1\n')
    (warning,) = load(machine, user).warnings  # a byte-order mark first: still line 3
    assert "it is not UTF-8 text (line 3); save it again with the encoding UTF-8." in warning


def test_default_locations_follow_platformdirs_and_xdg(monkeypatch, tmp_path):
    # The autouse fixture points XDG_CONFIG_HOME and XDG_CONFIG_DIRS into tmp_path.
    monkeypatch.setenv("XDG_CONFIG_DIRS", f"{tmp_path / 'one'}{os.pathsep}{tmp_path / 'two'}")
    assert machine_config_dirs() == [
        tmp_path / "one" / "rethink-desktop",
        tmp_path / "two" / "rethink-desktop",
    ]
    assert user_config_dir() == Path(os.environ["XDG_CONFIG_HOME"]) / "rethink-desktop"
    write(tmp_path / "two" / "rethink-desktop", "retention_months = 60\n")
    write(user_config_dir(), 'theme = "dark"\n')
    config = load_config({})
    assert (config.retention_months, config.theme) == (60, "dark")


def test_known_templates_are_the_bundled_template_ids():
    # default_template is checked against the ids inside the files, as the app looks them up.
    assert set(_known_templates(None)) == set(load_templates())


DEPLOYING = Path(__file__).resolve().parents[2] / "docs" / "deploying.md"


def test_the_deployment_guide_documents_every_key():
    text = DEPLOYING.read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"| `{setting.key}` |" in text, setting.key
    assert "| `locked` |" in text


def test_the_example_files_in_the_deployment_guide_load_cleanly(tmp_path):
    text = DEPLOYING.read_text(encoding="utf-8")
    blocks = [block.split("```", 1)[0] for block in text.split("```toml\n")[1:]]
    assert len(blocks) == 2
    machine, user = (
        write(tmp_path / name, block) for name, block in zip("mu", blocks, strict=True)
    )
    config = load_config(
        {"USERPROFILE": "/home/sam"}, machine_dirs=[machine.parent], user_dir=user.parent
    )
    assert config.warnings == []
    assert config.locked == {"keep_names", "retention_months", "allow_demo"}
    assert config.allow_demo is False
    assert config.theme == "high_contrast"
    assert str(config.data_dir).startswith("/home/sam")


@pytest.mark.parametrize(
    "text",
    ["retention_months = " + "9" * 5000 + "\n", "x = " + "[" * 3000 + "]" * 3000 + "\n"],
    ids=["a number of 5000 digits", "nested 3000 deep"],
)
def test_a_value_too_long_or_too_deep_is_a_warning_not_a_crash(machine, user, text):
    u = write(user, text)
    config = load(machine, user)
    assert config.unreadable == [u]
    assert "a value is too long or nested too deeply" in config.warnings[0]
    assert config.values() == DEFAULTS
