"""The user's own choices in the View menu (theme, keep names), kept by QSettings in
``ui.ini`` beside the per-user config file, and what wins (docs/deploying.md, "What wins":
a value IT locked › the View menu's choice › the config files › the default).
``storage.config.view_menu_choices`` reads the same file without Qt, for ``check``."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSettings

from rethink_desktop.storage.config import KEEP_NAMES_KEY, THEME_KEY, UI_INI, Config
from rethink_desktop.storage.paths import ensure_dir

log = logging.getLogger(__name__)

__all__ = ["KEEP_NAMES_KEY", "THEME_KEY", "effective_keep_names", "effective_theme"]


def open_ui_settings(config_dir: Path) -> QSettings:
    """The settings in ``config_dir``, made first as every folder the app makes is, private
    to its owner (QSettings made it with the umask's mode, 0755, though deploying.md says
    0700). A folder that cannot be made is logged; QSettings then keeps nothing."""
    try:
        ensure_dir(config_dir)
    except OSError as exc:
        log.warning("the config folder cannot be made: %s", type(exc).__name__)
    return QSettings(str(config_dir / UI_INI), QSettings.Format.IniFormat)


def effective_theme(settings: QSettings, config: Config) -> str:
    """The config's theme, unless the View menu chose another and IT has not locked it."""
    if config.is_locked("theme"):
        return config.theme
    return str(settings.value(THEME_KEY, config.theme))


def effective_keep_names(settings: QSettings, config: Config) -> bool:
    """The config's keep_names, unless the View menu changed it and IT has not locked it."""
    if config.is_locked("keep_names"):
        return config.keep_names
    return bool(settings.value(KEEP_NAMES_KEY, config.keep_names, type=bool))
