"""Refusals before any window exists reach a person starting the app from the desktop."""

from __future__ import annotations

import logging
import sys

import pytest
from PySide6.QtWidgets import QMessageBox

from rethink_desktop import cli
from rethink_desktop.storage.config import Config


@pytest.fixture(autouse=True)
def root_logger_restored():
    """cli.main sets up the app's log file on the root logger; take it off again."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def refusing_demo() -> Config:
    config = Config(allow_demo=False)
    config.sources["allow_demo"] = "locked by /etc/xdg/rethink-desktop/config.toml"
    return config


def test_a_desktop_start_of_a_turned_off_demo_says_so_in_a_dialog(tmp_path, monkeypatch, qapp):
    """Launched from a menu there is no console, and a windowed Windows build has no stderr
    at all (``sys.stderr`` is None): the refusal must still be seen, and must not crash."""
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    monkeypatch.setattr(cli, "load_config", refusing_demo)
    monkeypatch.setattr(sys, "stderr", None)
    code = cli.main(["--data-dir", str(tmp_path / "data"), "--demo"])
    assert code == cli.EXIT_USAGE
    (text,) = shown
    assert "The trainers' demo is turned off on this computer" in text
    assert "Ask IT" in text
    assert not (tmp_path / "data" / "demo.sqlite").exists()


def test_a_command_prints_the_refusal_even_without_stderr(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "load_config", refusing_demo)
    assert cli.main(["--data-dir", str(tmp_path / "data"), "--demo", "check"]) == cli.EXIT_USAGE
    assert "demo is turned off" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stderr", None)
    assert cli.main(["--data-dir", str(tmp_path / "data"), "--demo", "check"]) == cli.EXIT_USAGE
