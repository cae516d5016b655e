"""The config file in the window: theme and keep_names defaults and locks, demo, template."""

from __future__ import annotations

import os
import stat

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from rethink_desktop.storage.config import THEME_NAMES, Config
from rethink_desktop.ui.theme import THEMES, apply_theme, current_theme
from rethink_desktop.ui.user_settings import effective_theme
from tests.ui.conftest import start_live


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(make_window):
    """The conftest's, leaving the application's theme as the other tests expect it."""
    yield make_window
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, "light")


def locked(*keys: str, **values) -> Config:
    return Config(**values, locked=frozenset(keys))


def test_config_theme_names_are_the_ui_themes():
    assert set(THEME_NAMES) == set(THEMES)


def test_theme_comes_from_config_unless_the_menu_chose_one(settings):
    assert effective_theme(settings, Config(theme="dark")) == "dark"
    settings.setValue("view/theme", "high_contrast")
    assert effective_theme(settings, Config(theme="dark")) == "high_contrast"
    assert effective_theme(settings, locked("theme", theme="dark")) == "dark"


def test_a_locked_theme_disables_the_menu_and_ignores_choices(make_window, settings):
    window = make_window(locked("theme", theme="light"))
    theme_menu = next(a for a in window.menuBar().actions() if a.text() == "&View").menu()
    entry = next(a for a in theme_menu.actions() if a.text().startswith("&Theme"))
    assert not entry.isEnabled()
    assert "set by IT" in entry.text()
    window.set_theme("dark")
    assert settings.value("view/theme") is None
    assert current_theme().name == "light"


def test_an_unlocked_theme_menu_starts_from_the_config(make_window):
    window = make_window(Config(theme="dark"))
    view = next(a for a in window.menuBar().actions() if a.text() == "&View").menu()
    themes = next(a for a in view.actions() if a.text() == "&Theme").menu()
    assert themes.isEnabled()
    checked = [a.text() for a in themes.actions() if a.isChecked()]
    assert checked == ["Dark"]


def test_keep_names_defaults_to_the_config_and_the_menu_overrides(make_window, settings):
    window = make_window(Config(keep_names=True))
    assert window.keep_names is True
    assert window.keep_names_action.isChecked()
    assert window.keep_names_action.isEnabled()
    window.keep_names_action.setChecked(False)
    assert window.keep_names is False
    assert settings.value("privacy/keep_names", type=bool) is False


def test_the_demo_window_keeps_its_names_choice_to_itself(make_window, settings):
    # A trainer showing the toggle in the demo must not change what real meetings keep.
    window = make_window(demo=True)
    assert window.keep_names is False
    window.keep_names_action.setChecked(True)
    assert window.keep_names is True  # the demo's own close follows it
    settings.sync()
    assert settings.value("privacy/keep_names") is None
    assert make_window().keep_names is False


def test_locked_keep_names_disables_the_toggle(make_window, settings, controller):
    settings.setValue("privacy/keep_names", True)
    window = make_window(locked("keep_names", keep_names=False))
    assert window.keep_names is False
    action = window.keep_names_action
    assert not action.isEnabled()
    assert not action.isChecked()
    assert "set by IT" in action.text()
    # The close follows the lock, whatever the per-user setting says.
    start_live(controller, 3)
    assert controller.act("end")
    window.show_for_state()
    assert window.close_view.keep_names is False


def test_allow_demo_false_hides_the_demo_button_and_refuses(make_window, monkeypatch):
    started = []
    monkeypatch.setattr(
        "PySide6.QtCore.QProcess.startDetached",
        lambda *args: started.append(args) or (True, 0),
    )
    window = make_window(Config(allow_demo=False))
    assert window.home.demo_button.isHidden()
    window.open_demo()
    assert started == []
    assert "turned off" in window.status.text()


def test_allow_demo_true_shows_the_demo_button(make_window):
    window = make_window(Config())
    assert not window.home.demo_button.isHidden()


def test_default_template_picks_the_template_and_kind_of_a_fresh_draft(make_window, templates):
    window = make_window(Config(default_template="thematic"))
    window.new_session()
    prepare = window.prepare
    assert prepare.template.currentData() == "thematic"
    assert prepare.kind.currentData() == templates["thematic"].kind
    assert [p.name for p in prepare.agenda()] == [p.name for p in templates["thematic"].phases]


def test_the_records_settings_are_on_the_window(make_window):
    window = make_window(Config(backups_to_keep=3, retention_months=36))
    assert (window.config.backups_to_keep, window.config.retention_months) == (3, 36)


@pytest.mark.parametrize("keep", [3, 0])
def test_completing_a_session_backs_up_and_drops_stale_safety_copies(make_window, keep):
    window = make_window(Config(backups_to_keep=keep, safety_copy_days=7))
    folder = window.paths.backups_dir
    folder.mkdir(parents=True, exist_ok=True)
    stale = folder / "before-restore-20200101T090000Z.sqlite"
    stale.write_bytes(b"SQLite format 3\x00")
    earlier = folder / "auto-20200101T090000Z.sqlite"  # made before backups were turned off
    earlier.write_bytes(b"SQLite format 3\x00")
    manual = folder / "rethink-backup-20200101.sqlite"
    manual.write_bytes(b"SQLite format 3\x00")
    start_live(window.controller, 3)
    assert window.controller.act("end")
    assert window.controller.act("complete")
    window.close_view.completed.emit()
    assert not stale.exists()  # older than safety_copy_days, even with backups turned off
    autos = sorted(p.name for p in folder.glob("auto-*.sqlite"))
    assert len(autos) == (2 if keep else 0)  # 0: the earlier automatic backup is removed too
    assert manual.exists()  # made by hand: never pruned


@pytest.mark.parametrize("theme", sorted(THEMES))
@pytest.mark.parametrize("keep", [True, False])
@pytest.mark.parametrize("lock", [(), ("theme",), ("keep_names",)])
def test_check_reads_the_view_menu_s_choices_as_the_app_does(tmp_path, theme, keep, lock):
    """`check` reads ui.ini without Qt (storage.config.view_menu_choices): what QSettings
    wrote, it reads as the app's own effective values, and a locked key is no choice."""
    from rethink_desktop.storage.config import view_menu_choices
    from rethink_desktop.ui.user_settings import (
        KEEP_NAMES_KEY,
        THEME_KEY,
        effective_keep_names,
        open_ui_settings,
    )

    settings = open_ui_settings(tmp_path)
    settings.setValue("window/geometry", b"\x01\x02%(x)s")  # what else the file holds
    settings.setValue(THEME_KEY, theme)
    settings.setValue(KEEP_NAMES_KEY, keep)
    settings.sync()
    config = locked(*lock, theme="light", keep_names=not keep)
    chosen = view_menu_choices(tmp_path / "ui.ini", config)
    assert chosen.get("theme", config.theme) == effective_theme(settings, config)
    assert chosen.get("keep_names", config.keep_names) == effective_keep_names(settings, config)
    assert set(chosen) == {"theme", "keep_names"} - set(lock)


def test_no_ui_ini_or_a_damaged_one_is_no_choice(tmp_path):
    from rethink_desktop.storage.config import view_menu_choices

    assert view_menu_choices(tmp_path / "ui.ini", Config()) == {}
    (tmp_path / "ui.ini").write_bytes(b"\xff\xfe[privacy\x00 keep_names")
    assert view_menu_choices(tmp_path / "ui.ini", Config()) == {}


@pytest.mark.skipif(os.name != "posix", reason="folder modes are POSIX")
def test_the_config_folder_the_app_makes_is_private(tmp_path):
    """QSettings made it with the umask's mode (0755) when it first wrote ui.ini."""
    from rethink_desktop.ui.user_settings import THEME_KEY, open_ui_settings

    old = os.umask(0o022)
    try:
        folder = tmp_path / "config" / "rethink-desktop"
        settings = open_ui_settings(folder)
        settings.setValue(THEME_KEY, "dark")
        settings.sync()
    finally:
        os.umask(old)
    assert (folder / "ui.ini").is_file()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700


KEEP_LINES = ["no", "off", "maybe", "0", "false", "FALSE", "", "true", "1", '"false"',
              "false ; a comment"]  # fmt: skip
THEME_LINES = ['"dark"', "dark ; a comment", "high_contrast", '"dark;x"']


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_check_reads_a_hand_edited_ui_ini_as_qt_does(tmp_path, bom):
    """`check` read "keep_names=no" as not kept, where the app (Qt) keeps names for any
    text but "", "0" and "false"; a byte-order mark hid the file; quotes stayed on a theme."""
    from rethink_desktop.storage.config import view_menu_choices
    from rethink_desktop.ui.user_settings import effective_keep_names

    config = Config(keep_names=True, theme="light")
    for n, (keep, theme) in enumerate((k, t) for k in KEEP_LINES for t in THEME_LINES):
        path = tmp_path / f"ui-{n}.ini"  # QSettings keeps what it read of a file name
        path.write_bytes(bom + f"[privacy]\nkeep_names={keep}\n[view]\ntheme={theme}\n".encode())
        qt = QSettings(str(path), QSettings.Format.IniFormat)
        chosen = view_menu_choices(path, config)
        assert chosen["keep_names"] == effective_keep_names(qt, config), (keep, theme)
        assert chosen["theme"] == effective_theme(qt, config), (keep, theme)
