"""Build the Qt application: open the database, then the window."""

from __future__ import annotations

import argparse
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from rethink_desktop import APP_DISPLAY_NAME, APP_NAME, __version__
from rethink_desktop.storage.database import StorageError, open_or_recover
from rethink_desktop.storage.paths import AppPaths
from rethink_desktop.ui.main_window import MainWindow


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_DISPLAY_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Re-Think")
    return app  # type: ignore[return-value]


def run_app(paths: AppPaths, args: argparse.Namespace) -> int:
    """Open the database (moving a damaged one aside) and show the main window."""
    app = make_application()
    db_path = paths.demo_database if args.demo else paths.database
    try:
        db, moved_to = open_or_recover(db_path)
    except StorageError as exc:
        QMessageBox.critical(None, APP_DISPLAY_NAME, exc.message)
        return 1
    window = MainWindow(paths, db, demo=args.demo, moved_to=moved_to)
    window.show()
    if args.quit_after_start:
        QTimer.singleShot(0, app.quit)
    code = app.exec()
    db.close()
    return code
