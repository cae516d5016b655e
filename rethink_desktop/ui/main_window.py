"""The main window (foundation stage): where the data lives and whether the database is sound."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget
from sqlite_utils import Database

from rethink_desktop import APP_DISPLAY_NAME, __version__
from rethink_desktop.storage.paths import AppPaths
from rethink_desktop.storage.records import status_counts


class MainWindow(QMainWindow):
    def __init__(
        self, paths: AppPaths, db: Database, *, demo: bool = False, moved_to: Path | None = None
    ) -> None:
        super().__init__()
        self.setWindowTitle(f"{APP_DISPLAY_NAME}{' — DEMO' if demo else ''}")
        counts = status_counts(db)
        total = sum(counts.values())
        lines = [
            f"<h2>{APP_DISPLAY_NAME} {__version__}</h2>",
            f"<p>Data folder: <b>{paths.data_dir}</b> (from {paths.source})</p>",
            f"<p>Database: {paths.demo_database if demo else paths.database} — open and up to "
            f"date, {total} session(s) recorded.</p>",
        ]
        if moved_to is not None:
            lines.append(
                f"<p>The previous database was damaged. It was moved aside to "
                f"<b>{moved_to}</b> and a new one was started.</p>"
            )
        self.status_label = QLabel("".join(lines))
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName("Data folder and database status")
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(32, 32, 32, 32)
        layout.addWidget(self.status_label)
        layout.addStretch(1)
        self.setCentralWidget(body)
        self.resize(900, 560)
