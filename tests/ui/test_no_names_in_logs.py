"""No personal data in logs: a whole meeting with real-looking names leaves none in the log."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import QSettings, Qt

from rethink_desktop.cli import setup_logging
from rethink_desktop.storage.paths import resolve_paths
from tests.helpers import phases
from tests.ui.full_session import drive_full_session, make_window

PEOPLE = [
    {"name": "Zephyrine Okonkwo", "agency": "Education", "role": "Safeguarding lead"},
    {"name": "Bartholomew Quill", "agency": "Health", "role": "Health visitor"},
    {"name": "Ilse Varga", "agency": "Police", "role": "Safeguarding officer"},
    {"name": "Ruairidh Mactavish", "agency": "Housing", "role": "Tenancy officer"},
]
REFERENCE = "FN-QX-7731"
# Whole names and each part of them, so that "Zephyrine" alone would be caught too.
NAMES = [p["name"] for p in PEOPLE] + [part for p in PEOPLE for part in p["name"].split()]


@pytest.fixture
def log_file(tmp_path):
    """The app's real rotating log file at DEBUG; the root logger is restored afterwards."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    path = setup_logging(resolve_paths(tmp_path / "data"), debug=True)
    assert path is not None
    yield path
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_a_full_session_logs_no_name_and_no_reference(
    qtbot, tmp_path, caplog, log_file, controller, clock, templates, monkeypatch
):
    caplog.set_level(logging.DEBUG)  # every logger, at the most detailed level
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.warning", lambda *args, **kw: None)
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    window = make_window(qtbot, resolve_paths(tmp_path / "data"), controller, templates, settings)
    window.new_session()
    assert controller.act(
        "prepare",
        kind="family_network",
        reference=REFERENCE,
        purpose="A network stuck on attendance",
        participants=[dict(p) for p in PEOPLE],
        phases=phases(),
    )
    window.show_check_in()

    # A refusal that names a person (a notice for the screen, never for the log)...
    notices: list[str] = []
    controller.notice.connect(notices.append)
    drive_full_session(qtbot, window, clock)

    # ...and a storage failure in the middle of a meeting, which is logged.
    window.new_session()
    assert controller.act(
        "prepare", kind="thematic", reference=REFERENCE + "-B",
        participants=[dict(p) for p in PEOPLE], phases=phases(),
    )  # fmt: skip
    window.show_check_in()
    assert window.check_in.start_session()
    qtbot.keyClick(window.live, Qt.Key.Key_1)
    qtbot.keyClick(window.live, Qt.Key.Key_1)  # already has the floor: refused, by name
    assert any("Zephyrine" in n for n in notices)
    db = controller.store.db
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")
    try:
        for _ in range(200):
            qtbot.keyClick(window.live, Qt.Key.Key_Right)  # cards, until the disk is "full"
            if "disk is full" in window.notice_text():
                break
    finally:
        db.execute("PRAGMA max_page_count = 1073741823")
    assert "disk is full" in window.notice_text()

    for handler in logging.getLogger().handlers:
        handler.flush()
    logged = caplog.text + "\n" + log_file.read_text(encoding="utf-8")
    assert "could not save show_card: DiskFullError" in logged  # the log did capture things
    for name in NAMES:
        assert name not in logged
    assert REFERENCE not in logged
