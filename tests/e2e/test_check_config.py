"""`check` reports the config files and effective values; allow_demo = false refuses --demo."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rethink_desktop.cli import cmd_check
from rethink_desktop.core import resources
from rethink_desktop.storage.config import load_config
from rethink_desktop.storage.database import open_database
from rethink_desktop.storage.paths import resolve_paths

pytestmark = pytest.mark.e2e


@pytest.fixture
def dirs(tmp_path) -> dict[str, Path]:
    """Machine-wide and per-user config folders, as XDG_CONFIG_DIRS and XDG_CONFIG_HOME."""
    found = {
        "machine": tmp_path / "etc-xdg",
        "user": tmp_path / "user-config",
        "state": tmp_path / "state",
        "data": tmp_path / "data",
    }
    for key in ("machine", "user"):
        (found[key] / "rethink-desktop").mkdir(parents=True)
    # The records the app makes at its first start: `check` reports a data folder without.
    open_database(found["data"] / "rethink.sqlite").close()
    return found


def run(dirs: dict[str, Path], *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        **{k: v for k, v in os.environ.items() if k not in ("RETHINK_DATA_DIR", "RETHINK_CONFIG")},
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_DIRS": str(dirs["machine"]),
        "XDG_CONFIG_HOME": str(dirs["user"]),
        "XDG_STATE_HOME": str(dirs["state"]),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "rethink_desktop", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        check=False,
    )


def config_file(dirs: dict[str, Path], scope: str, text: str) -> Path:
    path = dirs[scope] / "rethink-desktop" / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def value_line(stdout: str, key: str) -> str:
    lines = [line.strip() for line in stdout.splitlines() if line.strip().startswith(key + " ")]
    assert len(lines) == 1, stdout
    return lines[0]


def test_check_prints_files_values_and_sources(dirs):
    machine = config_file(
        dirs,
        "machine",
        f'data_dir = "{dirs["data"]}"\nkeep_names = false\nlocked = ["keep_names"]\n',
    )
    user = config_file(dirs, "user", 'theme = "dark"\nkeep_names = true\n')
    result = run(dirs, "check")
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "Configuration" in out
    assert f"machine-wide       {machine}  (read)" in out
    assert f"per-user           {user}  (read)" in out
    assert value_line(out, "data_dir") == f'data_dir           "{dirs["data"]}"  (set in {machine})'
    assert value_line(out, "theme") == f'theme              "dark"  (set in {user})'
    assert value_line(out, "keep_names") == f"keep_names         false  (locked by {machine})"
    assert value_line(out, "retention_months") == "retention_months   24  (default)"
    assert value_line(out, "locked") == "locked             keep_names"
    # The data folder really came from the config file.
    assert f"data folder        {dirs['data']}  (from config)" in out
    assert (dirs["data"] / "rethink.sqlite").exists()
    # The user's attempt to change a locked key is reported; it does not fail the check.
    assert "keep_names is locked by" in out
    assert "All checks passed, with 1 configuration warning(s)." in out


def test_check_with_no_config_files_shows_where_it_looked(dirs):
    result = run(dirs, "--data-dir", str(dirs["data"]), "check")
    assert result.returncode == 0, result.stdout + result.stderr
    machine = dirs["machine"] / "rethink-desktop" / "config.toml"
    assert f"{machine}  (not present)" in result.stdout
    assert value_line(result.stdout, "theme") == 'theme              "light"  (default)'
    assert "All checks passed." in result.stdout


def test_bad_values_and_unknown_keys_warn_but_pass(dirs):
    user = config_file(dirs, "user", 'retention_months = 0\ncolour = "red"\n')
    result = run(dirs, "--data-dir", str(dirs["data"]), "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Configuration warnings (2; the app still starts)" in result.stdout
    assert f"{user}: retention_months = 0 is not valid" in result.stdout
    assert "unknown setting 'colour'" in result.stdout
    assert value_line(result.stdout, "retention_months") == "retention_months   24  (default)"


def test_a_broken_config_file_is_a_problem_for_check_and_logged(dirs):
    machine = config_file(dirs, "machine", 'theme = "dark"\nkeep_names = yes\n')
    result = run(dirs, "--data-dir", str(dirs["data"]), "check")
    assert result.returncode == 1
    assert f"{machine}  (IGNORED: see the warnings below)" in result.stdout
    assert "line 2" in result.stdout
    assert f"The config file {machine} could not be read" in result.stdout
    log = (dirs["state"] / "rethink-desktop" / "log" / "rethink-desktop.log").read_text()
    assert f"config: {machine}: it is not valid TOML" in log


def test_the_app_still_starts_with_a_broken_config(dirs):
    config_file(dirs, "user", "theme = dark\n")  # unquoted: not TOML
    result = run(dirs, "--data-dir", str(dirs["data"]), "--quit-after-start")
    assert result.returncode == 0, result.stderr


def test_rethink_config_names_an_extra_file(dirs, tmp_path):
    extra = tmp_path / "try.toml"
    extra.write_text('theme = "high_contrast_dark"\n', encoding="utf-8")
    result = run(dirs, "--data-dir", str(dirs["data"]), "check", RETHINK_CONFIG=str(extra))
    assert result.returncode == 0, result.stdout
    assert f"RETHINK_CONFIG     {extra}  (read)" in result.stdout
    assert value_line(result.stdout, "theme") == (
        f'theme              "high_contrast_dark"  (set in {extra})'
    )


def test_allow_demo_false_refuses_demo_with_a_clear_message(dirs):
    machine = config_file(dirs, "machine", "allow_demo = false\n")
    result = run(dirs, "--data-dir", str(dirs["data"]), "--demo", "--quit-after-start")
    assert result.returncode == 2
    assert "The trainers' demo is turned off on this computer" in result.stderr
    assert f"allow_demo = false, set in {machine}" in result.stderr
    assert "Ask IT" in result.stderr
    assert not (dirs["data"] / "demo.sqlite").exists()
    # Real records are unaffected.
    assert run(dirs, "--data-dir", str(dirs["data"]), "--quit-after-start").returncode == 0


def test_the_demo_refusal_is_printed_even_with_no_display(dirs):
    """An unattended run on a machine with no display (Qt could not open a window): the
    refusal is printed before Qt is asked for anything."""
    config_file(dirs, "machine", "allow_demo = false\n")
    result = run(dirs, "--data-dir", str(dirs["data"]), "--demo", "--unattended",
                 QT_QPA_PLATFORM="xcb", DISPLAY="", WAYLAND_DISPLAY="")  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "The trainers' demo is turned off on this computer" in result.stderr


def test_log_level_debug_in_the_config(dirs):
    config_file(dirs, "user", 'log_level = "debug"\n')
    result = run(dirs, "--data-dir", str(dirs["data"]), "check")
    assert result.returncode == 0
    assert value_line(result.stdout, "log_level").startswith('log_level          "debug"')
    log = (dirs["state"] / "rethink-desktop" / "log" / "rethink-desktop.log").read_text()
    assert " DEBUG rethink_desktop.cli: settings: " in log


@pytest.fixture
def renamed_templates(tmp_path, monkeypatch) -> Path:
    """A resources folder whose thematic template's file is not named after its id."""
    folder = tmp_path / "resources"
    shutil.copytree(resources.resource_dir(), folder)
    templates = folder / "templates"
    (templates / "thematic.json").rename(templates / "school-attendance.json")
    monkeypatch.setattr(resources, "resource_dir", lambda: folder)
    return templates


def check_in_process(dirs, user_config: str) -> tuple[int, str]:
    user = config_file(dirs, "user", user_config)
    config = load_config({}, machine_dirs=[], user_dir=user.parent)
    out = io.StringIO()
    code = cmd_check(resolve_paths(dirs["data"]), False, out, config)
    return code, out.getvalue()


def test_default_template_is_a_templates_id_not_its_file_name(dirs, renamed_templates):
    code, said = check_in_process(dirs, 'default_template = "thematic"\n')
    assert code == 0, said
    assert "All checks passed.\n" in said
    assert value_line(said, "default_template").startswith('default_template   "thematic"  (set')
    code, said = check_in_process(dirs, 'default_template = "school-attendance"\n')
    assert 'default_template = "school-attendance" is not valid' in said
    assert 'the agenda templates\' ids are "family-network", "post-proceedings", ' in said
    assert "configuration warning(s)" in said


def test_check_fails_when_the_default_template_is_no_templates_id(dirs, renamed_templates):
    bundled = renamed_templates / "family-network.json"
    doc = json.loads(bundled.read_text(encoding="utf-8"))
    bundled.write_text(json.dumps({**doc, "id": "family-network-v2"}), encoding="utf-8")
    code, said = check_in_process(dirs, "")
    assert code == 1, said
    assert 'default_template "family-network" (default) is not the id of any agenda' in said


def test_check_fails_when_the_log_folder_cannot_be_written(dirs):
    dirs["state"].mkdir()
    (dirs["state"] / "rethink-desktop").write_text("a file where the log folder goes")
    result = run(dirs, "--data-dir", str(dirs["data"]), "check")
    assert result.returncode == 1, result.stdout
    log_dir = dirs["state"] / "rethink-desktop" / "log"
    assert f"The log folder {log_dir} cannot be written (a file or folder is in the way)" in (
        result.stdout
    )
    assert "All checks passed" not in result.stdout
    assert "Traceback" not in result.stderr


def test_check_shows_what_the_view_menu_chose_where_it_wins(dirs):
    """`check` said "keep_names false (default)" on a laptop whose View menu kept names (as
    the app does, the user's choice wins over the config files unless IT locked the key)."""
    ui_ini = dirs["user"] / "rethink-desktop" / "ui.ini"
    ui_ini.write_text("[privacy]\nkeep_names=true\n[view]\ntheme=dark\n", encoding="utf-8")
    result = run(dirs, "--data-dir", str(dirs["data"]), "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert value_line(result.stdout, "keep_names") == (
        f"keep_names         true  (chosen in the View menu, kept in {ui_ini}; "
        "config: false, default)"
    )
    assert value_line(result.stdout, "theme") == (
        f'theme              "dark"  (chosen in the View menu, kept in {ui_ini}; '
        'config: "light", default)'
    )
    machine = config_file(dirs, "machine", 'keep_names = false\nlocked = ["keep_names"]\n')
    result = run(dirs, "--data-dir", str(dirs["data"]), "check")
    assert (
        value_line(result.stdout, "keep_names")
        == f"keep_names         false  (locked by {machine})"
    )


def test_check_names_the_imported_deck_and_a_problem_with_it(dirs, tmp_path):
    """File → Card deck puts a deck in the config folder; check says it is the one in use,
    or why it cannot be (then the app uses the bundled deck and says so at start-up)."""
    from tests.helpers import own_deck

    imported = dirs["user"] / "rethink-desktop" / "card-deck.json"
    done = run(dirs, "--data-dir", str(dirs["data"]), "check")
    # None yet: said, with where one goes (IT who put it in the wrong folder saw no line).
    assert value_line(done.stdout, "imported deck") == (
        f"imported deck      none (a deck placed at {imported} would be used)"
    )
    shutil.copyfile(own_deck(tmp_path), imported)
    done = run(dirs, "--data-dir", str(dirs["data"]), "check")
    assert done.returncode == 0, done.stdout + done.stderr
    cards = len(json.loads(imported.read_text(encoding="utf-8"))["cards"])
    assert value_line(done.stdout, "imported deck") == (
        f"imported deck      Our partnership's deck: {cards} cards, in use"
    )
    imported.write_text("{", encoding="utf-8")
    done = run(dirs, "--data-dir", str(dirs["data"]), "check")
    assert done.returncode == 1, done.stdout
    assert value_line(done.stdout, "imported deck") == f"imported deck      PROBLEM ({imported})"
    assert (
        "  - The card deck you imported cannot be used, so the deck that comes with the app is "
        "in use. card-deck.json: the file is not valid JSON"
    ) in done.stdout
