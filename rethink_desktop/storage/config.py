"""The config file for managed laptops: machine-wide settings, per-user settings and locks.

Files are TOML, read in this order, each later file overriding the earlier ones:

1. machine-wide ``config.toml`` (IT's); on Linux every folder in ``$XDG_CONFIG_DIRS``
   (default ``/etc/xdg``), the first folder winning, as XDG says;
2. the per-user ``config.toml`` in ``user_config_dir``;
3. the file named by ``$RETHINK_CONFIG`` (for IT testing a setting without editing files).

A machine-wide file can *lock* keys with a top-level ``locked = ["keep_names", ...]`` list:
per-user files then cannot change them. Nothing here is fatal: an unknown key or a bad value
becomes a warning and the previous value (in the end, the default) is kept, and a file that
cannot be read is ignored with a warning naming it. See docs/deploying.md.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from rethink_desktop.core.resources import where_not_utf8
from rethink_desktop.storage.paths import APP_NAME

CONFIG_FILE = "config.toml"
CONFIG_ENV = "RETHINK_CONFIG"
LOCKED_KEY = "locked"

# The names of the UI themes (rethink_desktop.ui.theme.THEMES, which storage cannot import;
# a UI test keeps the two in step).
THEME_NAMES = ("light", "dark", "high_contrast", "high_contrast_dark")
LOG_LEVELS = ("info", "debug")
# The bundled agenda templates, used when the templates cannot be listed (a damaged
# resource is reported by `check` in its own section).
BUNDLED_TEMPLATES = ("family-network", "post-proceedings", "thematic")


@dataclass(frozen=True)
class Setting:
    """One config key: its type, default, allowed values and a line for people."""

    key: str
    kind: type
    default: Any
    about: str
    low: int | None = None
    high: int | None = None
    choices: tuple[str, ...] = ()

    def describe(self) -> str:
        """The allowed values, as the warnings and docs say them."""
        if self.kind is bool:
            return "true or false"
        if self.kind is int:
            return f"a whole number from {self.low} to {self.high}"
        if self.choices:
            return "one of " + ", ".join(f'"{c}"' for c in self.choices)
        return "a folder path"


MAX_RETENTION_MONTHS = 240  # 20 years: also the most `purge --older-than` takes

SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", str, None, "folder for the database, demo database and backups"),
    Setting("retention_months", int, 24, "records older than this are purged",
            1, MAX_RETENTION_MONTHS),
    Setting("keep_names", bool, False, "keep participants' names after a session is completed"),
    Setting("backups_to_keep", int, 10, "automatic backups kept (0: none)", 0, 1000),
    Setting("safety_copy_days", int, 30,
            "days to keep the copies made before a restore, purge or upgrade", 1, 3650),
    Setting("default_template", str, "family-network", "agenda template for a new session"),
    Setting("allow_demo", bool, True, "allow the trainers' demo (--demo, the Demo button)"),
    Setting("theme", str, "light", "colour theme", choices=THEME_NAMES),
    Setting("log_level", str, "info", "detail in the log file (--debug always wins)",
            choices=LOG_LEVELS),
)  # fmt: skip
SETTINGS_BY_KEY = {s.key: s for s in SETTINGS}


@dataclass(frozen=True)
class Config:
    """The effective settings, where each came from, and what went wrong on the way."""

    data_dir: str | None = None
    retention_months: int = 24
    keep_names: bool = False
    backups_to_keep: int = 10
    safety_copy_days: int = 30
    default_template: str = "family-network"
    allow_demo: bool = True
    theme: str = "light"
    log_level: str = "info"
    # key -> "default", a file path, or "locked by <machine file>"
    sources: dict[str, str] = field(default_factory=lambda: {s.key: "default" for s in SETTINGS})
    locked: frozenset[str] = frozenset()
    searched: list[tuple[str, Path]] = field(default_factory=list)  # (scope, file), in order
    files_read: list[Path] = field(default_factory=list)
    unreadable: list[Path] = field(default_factory=list)  # present but ignored as a whole
    warnings: list[str] = field(default_factory=list)

    def is_locked(self, key: str) -> bool:
        return key in self.locked

    def values(self) -> dict[str, Any]:
        """The effective value of every key, in the documented order."""
        return {s.key: getattr(self, s.key) for s in SETTINGS}


def machine_config_dirs() -> list[Path]:
    """Machine-wide config folders, most important first (Linux: each of $XDG_CONFIG_DIRS)."""
    joined = platformdirs.site_config_dir(APP_NAME, appauthor=False, multipath=True)
    return [Path(p) for p in joined.split(os.pathsep) if p]


def user_config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


# The user's own choices in the View menu, which Qt's QSettings keeps in this INI file in the
# per-user config folder (ui.user_settings reads and writes them for the app).
UI_INI = "ui.ini"
THEME_KEY = "view/theme"
KEEP_NAMES_KEY = "privacy/keep_names"


def view_menu_choices(ui_ini: Path, config: Config) -> dict[str, Any]:
    """The settings whose value the user's View menu chose and that win over the config
    files (docs/deploying.md, "What wins"): ``{"keep_names": True}`` when the user kept names
    and IT has not locked the key. For ``check`` and the log, without Qt: read as the INI
    text QSettings writes (a file it cannot read is no choice at all)."""
    import configparser

    # As QSettings reads it: ";" starts a comment, a value may be in quotes.
    parser = configparser.ConfigParser(
        interpolation=None, strict=False, inline_comment_prefixes=(";",)
    )
    try:
        parser.read_string(ui_ini.read_text(encoding="utf-8-sig", errors="replace"))
    except (OSError, configparser.Error):
        return {}

    def value(setting: str) -> str | None:
        section, key = setting.split("/")
        if not parser.has_option(section, key):
            return None
        text = parser.get(section, key).strip()
        if len(text) >= 2 and text[0] == text[-1] == '"':
            text = text[1:-1]
        return text

    chosen: dict[str, Any] = {}
    theme = value(THEME_KEY)
    if theme is not None and not config.is_locked("theme"):
        chosen["theme"] = theme
    keep = value(KEEP_NAMES_KEY)
    if keep is not None and not config.is_locked("keep_names"):
        # Qt's reading of text as a boolean: false only when empty, "0" or "false".
        chosen["keep_names"] = keep.lower() not in ("", "0", "false")
    return chosen


def format_value(value: Any) -> str:
    """A value as it would be written in the TOML file."""
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def load_config(
    env: Mapping[str, str] | None = None,
    *,
    machine_dirs: Sequence[Path] | None = None,
    user_dir: Path | None = None,
    template_ids: Iterable[str] | None = None,
) -> Config:
    """Read the config files and return the effective settings; never raises for bad files."""
    env = os.environ if env is None else env
    machine_dirs = machine_config_dirs() if machine_dirs is None else list(machine_dirs)
    user_dir = user_config_dir() if user_dir is None else user_dir
    reader = _Reader(env, template_ids)
    # Least important first, so that the first machine folder (as XDG orders them) wins.
    for folder in reversed([Path(d) for d in machine_dirs]):
        reader.read("machine", folder / CONFIG_FILE)
    reader.read("user", Path(user_dir) / CONFIG_FILE)
    if env.get(CONFIG_ENV):
        reader.read(CONFIG_ENV, Path(env[CONFIG_ENV]).expanduser(), required=True)
    return Config(
        **reader.values,
        sources=reader.sources,
        locked=frozenset(reader.locks),
        searched=reader.searched,
        files_read=reader.files_read,
        unreadable=reader.unreadable,
        warnings=reader.warnings,
    )


def _known_templates(template_ids: Iterable[str] | None) -> tuple[str, ...]:
    if template_ids is not None:
        return tuple(template_ids)
    from rethink_desktop.core.agenda import load_templates

    # The ids inside the files, as the app looks templates up (a file's name need not be
    # its id). A damaged template is reported by `check`, and the app will not start with
    # one, so the bundled ids stand in.
    try:
        return tuple(load_templates()) or BUNDLED_TEMPLATES
    except ValueError:
        return BUNDLED_TEMPLATES


class _Reader:
    """Applies config files one after another, collecting values, sources and warnings."""

    def __init__(self, env: Mapping[str, str], template_ids: Iterable[str] | None) -> None:
        self.env = env
        self._template_ids = template_ids
        self._templates: tuple[str, ...] | None = None
        self.values: dict[str, Any] = {s.key: s.default for s in SETTINGS}
        self.sources: dict[str, str] = {s.key: "default" for s in SETTINGS}
        self.locks: dict[str, Path] = {}  # key -> the machine file that locked it
        self.searched: list[tuple[str, Path]] = []
        self.files_read: list[Path] = []
        self.unreadable: list[Path] = []
        self.warnings: list[str] = []

    @property
    def templates(self) -> tuple[str, ...]:
        """The agenda template ids, read only when a file sets default_template."""
        if self._templates is None:
            self._templates = _known_templates(self._template_ids)
        return self._templates

    def read(self, scope: str, path: Path, *, required: bool = False) -> None:
        self.searched.append((scope, path))
        data = self._parse(path, required=required)
        if data is None:
            return
        self.files_read.append(path)
        machine = scope == "machine"
        locks = data.pop(LOCKED_KEY, None)
        if locks is not None:
            if machine:
                self._lock(path, locks)
            else:
                self.warnings.append(
                    f"{path}: 'locked' only has an effect in the machine-wide config file; ignored."
                )
        for key, value in data.items():
            setting = SETTINGS_BY_KEY.get(key)
            if setting is None:
                self.warnings.append(f"{path}: unknown setting {key!r}{_suggest(key)}; ignored.")
                continue
            if not machine and key in self.locks:
                if value == self.values[key] or self._check(setting, value) == self.values[key]:
                    continue  # agrees with the lock (once cleaned, as "~/Re-Think"): nothing to say
                self.warnings.append(
                    f"{path}: {key} is locked by {self.locks[key]}, so this file cannot change "
                    f"it; {key} stays {format_value(self.values[key])}."
                )
                continue
            checked = self._check(setting, value)
            if isinstance(checked, _Bad):
                self.warnings.append(
                    f"{path}: {key} = {_shown(value)} is not valid ({checked.reason}); "
                    f"{key} stays {format_value(self.values[key])}."
                )
                continue
            self.values[key] = checked
            self.sources[key] = str(path)
        # Recomputed after each machine file: a lock names the file that imposed it.
        for key, lock_file in self.locks.items():
            self.sources[key] = f"locked by {lock_file}"

    def _parse(self, path: Path, *, required: bool) -> dict[str, Any] | None:
        import tomllib  # only where a config file is read: most laptops have none

        try:
            with path.open("rb") as handle:
                raw = handle.read()
            # Windows Notepad may begin a UTF-8 file with a byte-order mark; TOML has none.
            return tomllib.loads(raw.decode("utf-8-sig"))
        except FileNotFoundError:
            if required:
                self.unreadable.append(path)
                self.warnings.append(f"{path} (named by {CONFIG_ENV}) does not exist; ignored.")
            return None
        except tomllib.TOMLDecodeError as exc:
            reason = f"it is not valid TOML: {exc}"
        except UnicodeDecodeError as exc:
            # Notepad's "Unicode" is UTF-16: say where, and what to save it as instead.
            reason = (
                f"it is not UTF-8 text ({where_not_utf8(raw, exc)}); save it again with the "
                "encoding UTF-8"
            )
        except (ValueError, RecursionError):  # a number of thousands of digits, or [[[[…
            reason = "it is not valid TOML: a value is too long or nested too deeply"
        except IsADirectoryError:
            reason = "it is a folder, not a file"
        except OSError as exc:
            reason = f"it could not be read: {exc.strerror or exc}"
        self.unreadable.append(path)
        self.warnings.append(
            f"{path}: {reason}. The whole file was ignored, so none of its settings apply."
        )
        return None

    def _lock(self, path: Path, locks: Any) -> None:
        if not isinstance(locks, list):
            self.warnings.append(
                f"{path}: locked must be a list of setting names, like "
                '["keep_names", "data_dir"]; ignored.'
            )
            return
        for key in locks:
            if not isinstance(key, str):
                # One entry left out, as an unknown name is: the others still lock (one
                # stray number unlocked every key IT meant to lock).
                self.warnings.append(
                    f"{path}: locked holds {_shown(key)}, which is not a setting name in "
                    'quotes (like "keep_names"); that entry is ignored, the others apply.'
                )
            elif key not in SETTINGS_BY_KEY:
                self.warnings.append(
                    f"{path}: locked names an unknown setting {key!r}"
                    f"{_suggest(key, in_locked=True)}; ignored."
                )
            else:
                # Files are read least important first, so a later machine file takes over.
                self.locks[key] = path

    def _check(self, setting: Setting, value: Any) -> Any:
        """The cleaned value, or a _Bad saying why it cannot be used."""
        if setting.kind is bool:
            return value if isinstance(value, bool) else _Bad(f"use {setting.describe()}")
        if setting.kind is int:
            # TOML true/false are not numbers, though Python's bool is an int.
            if not isinstance(value, int) or isinstance(value, bool):
                return _Bad(f"use {setting.describe()}")
            if not setting.low <= value <= setting.high:  # type: ignore[operator]
                return _Bad(f"use {setting.describe()}")
            return value
        if not isinstance(value, str):
            return _Bad("use text in quotes")
        if setting.key == "data_dir":
            return self._folder(value)
        if setting.key == "default_template":
            if value not in self.templates:
                names = ", ".join(f'"{t}"' for t in self.templates)
                return _Bad(f"the agenda templates' ids are {names}")
            return value
        if value not in setting.choices:
            return _Bad(f"use {setting.describe()}")
        return value

    def _folder(self, value: str) -> Any:
        if not value.strip():
            return _Bad("it is empty; leave data_dir out to use the platform default")
        if "\x00" in value:  # no computer takes one in a path; opening it raised at start-up
            return _Bad("it is not a valid folder path: it contains a NUL character")
        missing: list[str] = []

        def expand(match: re.Match[str]) -> str:
            name = next(g for g in match.groups() if g)
            if name not in self.env:
                missing.append(name)
                return match.group(0)
            return self.env[name]

        # Variables let one machine-wide file serve every user: "%USERPROFILE%\\Re-Think".
        expanded = _VARIABLE.sub(expand, value)
        if missing:
            return _Bad(f"the environment variable {missing[0]} is not set")
        path = Path(expanded).expanduser()
        if not path.is_absolute():
            # Relative to what? A desktop launcher's working folder is unpredictable.
            return _Bad("use a full path, such as ~/Re-Think or %USERPROFILE%\\Re-Think")
        return str(path)


@dataclass(frozen=True)
class _Bad:
    reason: str


_VARIABLE = re.compile(r"\$\{(\w+)\}|\$(\w+)|%(\w+)%")


def _suggest(key: str, *, in_locked: bool = False) -> str:
    """A near name to offer for a misspelt ``key``; ``locked`` itself is no setting to lock
    (``locked = ["locked"]`` was asked "did you mean 'locked'?")."""
    import difflib

    names = [*SETTINGS_BY_KEY] if in_locked else [*SETTINGS_BY_KEY, LOCKED_KEY]
    close = [n for n in difflib.get_close_matches(key, names, n=2) if n != key]
    return f" (did you mean {close[0]!r}?)" if close else ""


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, bool | str) else format_value(value)
    # A NUL or other control character is shown escaped, as TOML writes it: never sent raw.
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= 60 else text[:57] + "..."
