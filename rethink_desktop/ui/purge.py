"""File → Remove old records…: the retention period, and a preview of exactly what will go.

The dialog only shows and asks; ``Records.remove_old_records`` does the purge itself with
``storage.retention.purge`` (a backup first, then one transaction). The preview and the purge
use the same "now", so what is listed is what is removed. No names are shown: only the
sessions' references, when they finished and how.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rethink_desktop.storage.config import SETTINGS_BY_KEY
from rethink_desktop.storage.database import Database
from rethink_desktop.storage.retention import (
    BEFORE_PURGE_PREFIX,
    months_before,
    sessions_older_than,
)
from rethink_desktop.ui.home import _MONTHS, parse_time
from rethink_desktop.ui.theme import set_font_role
from rethink_desktop.ui.widgets import sessions_text

SET_BY_IT = "(set by IT)"
# More rows than anyone reads; the count and the dates above the list cover the rest.
MAX_LISTED = 1000
_STATUS_WORDS = {
    "completed": "completed",
    "abandoned": "abandoned",
    "draft": "prepared, never run",
}
_RANGE = SETTINGS_BY_KEY["retention_months"]


def format_date(moment: datetime | None) -> str:
    """``3 Apr 2024`` (always with the year: these are old records)."""
    if moment is None:
        return "?"
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


class PurgeDialog(QDialog):
    """The retention period (editable for this run unless IT locked it) and what will go.

    Tests drive it without ``exec()``: ``set_months``, ``rows``, ``remove_button``.
    """

    def __init__(
        self,
        parent: QWidget | None,
        db: Database,
        *,
        now: datetime,
        months: int,
        locked: bool,
        backups_dir: Path,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.now = now
        self.configured = months
        self.locked = locked
        self.backups_dir = backups_dir
        self.rows: list[dict[str, Any]] = []
        self.setWindowTitle("Remove old records")
        self.setAccessibleName("Remove old records")
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.setContentsMargins(24, 24, 24, 16)

        title = QLabel("Remove old records")
        set_font_role(title, "heading")
        layout.addWidget(title)
        intro = QLabel(
            "Sessions that finished longer ago than the retention period are removed from "
            "this laptop, with everything recorded about them. Sessions in progress are never "
            "removed."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        period = QHBoxLayout()
        period.setSpacing(8)
        label = QLabel("&Keep records for")
        self.months_box = QSpinBox()
        self.months_box.setRange(_RANGE.low or 1, _RANGE.high or 240)
        self.months_box.setValue(months)
        self.months_box.setSuffix(" month" if months == 1 else " months")
        self.months_box.valueChanged.connect(  # "1 month", not "1 months"
            lambda value: self.months_box.setSuffix(" month" if value == 1 else " months")
        )
        self.months_box.setAccessibleName("Retention period in months")
        label.setBuddy(self.months_box)
        # A styled spin box's own arrows are hard to see and to hit: plain − and + buttons
        # instead (the style sheet hides the arrows; the Up and Down keys and typing work too).
        self.months_box.setProperty("stepper", False)
        em = QFontMetrics(self.font()).height()
        self.months_box.setMinimumWidth(em * 7)
        self.fewer_button = QPushButton("−")
        self.fewer_button.setAccessibleName("One month fewer")
        self.fewer_button.setToolTip("One month fewer")
        self.fewer_button.clicked.connect(self.months_box.stepDown)
        self.more_button = QPushButton("+")
        self.more_button.setAccessibleName("One month more")
        self.more_button.setToolTip("One month more")
        self.more_button.clicked.connect(self.months_box.stepUp)
        for button in (self.fewer_button, self.more_button):
            set_font_role(button, "heading")
            button.setAutoDefault(False)
            button.setMinimumWidth(round(em * 2.4))
        self.period_note = QLabel()
        self.period_note.setProperty("muted", True)
        self.period_note.setWordWrap(True)
        if locked:
            self.months_box.setReadOnly(True)
            self.months_box.setAccessibleDescription(
                f"Set by IT: {months} months. It cannot be changed here."
            )
            self.fewer_button.hide()
            self.more_button.hide()
            self.period_note.setText(SET_BY_IT)
        period.addWidget(label)
        period.addWidget(self.months_box)
        period.addWidget(self.fewer_button)
        period.addWidget(self.more_button)
        period.addSpacing(8)
        period.addWidget(self.period_note, 1)
        layout.addLayout(period)

        layout.addSpacing(8)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        set_font_role(self.summary, "card", bold=True)
        layout.addWidget(self.summary)
        self.range_line = QLabel()
        self.range_line.setWordWrap(True)
        self.range_line.setProperty("muted", True)
        layout.addWidget(self.range_line)

        self.table = QTableWidget(0, 3)
        self.table.setAccessibleName("Sessions that will be removed")
        self.table.setHorizontalHeaderLabels(("Reference", "Ended (or prepared)", "How it ended"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setAlternatingRowColors(False)
        self.table.setShowGrid(False)
        # Tab leaves the list (it would otherwise walk its cells forever, and Remove could be
        # reached only backwards).
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(round(em * 1.7))
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumHeight(em * 7)
        layout.addWidget(self.table, 1)
        self.more = QLabel()
        self.more.setProperty("muted", True)
        layout.addWidget(self.more)

        folder = escape(str(backups_dir))
        backup = QLabel(
            "A backup of all the records is written first, to "
            f"<b>{BEFORE_PURGE_PREFIX}&lt;date and time&gt;.sqlite</b> in {folder}. "
            "Then the sessions are removed in one step: if anything goes wrong, nothing is "
            "removed. Older backups still hold these sessions until they are deleted."
        )
        backup.setWordWrap(True)
        backup.setTextFormat(Qt.TextFormat.RichText)
        backup.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.backup_note = backup
        layout.addWidget(backup)

        buttons = QDialogButtonBox()
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setProperty("destructive", True)
        buttons.addButton(self.remove_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        # Enter cancels; removing takes a deliberate click (or Tab to it and Space).
        self.remove_button.setAutoDefault(False)
        self.remove_button.setDefault(False)
        self.cancel_button.setDefault(True)
        self.remove_button.clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        self.months_box.valueChanged.connect(lambda _: self.refresh())
        self.refresh()
        # As big as reads well, but never taller than the screen (at 150 % type, Remove and
        # Cancel fell off its foot): the list of sessions scrolls instead.
        room = self.screen().availableGeometry().size() - QSize(16, 64)
        self.resize(QSize(em * 40, em * 38).boundedTo(room))
        (self.cancel_button if locked else self.months_box).setFocus()

    # --- state -----------------------------------------------------------------------------
    @property
    def months(self) -> int:
        return self.months_box.value()

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def cutoff(self) -> datetime:
        return months_before(self.now, self.months)

    def set_months(self, months: int) -> None:
        """Choose another period for this run (ignored when IT locked it)."""
        if not self.locked:
            self.months_box.setValue(months)

    def refresh(self) -> None:
        """Re-read what a purge with the chosen period would remove."""
        self.rows = sessions_older_than(self.db, self.months, self.now)
        cutoff = format_date(self.cutoff.astimezone())
        if not self.locked:
            self.period_note.setText(
                f"for this time only; the setting stays at {self.configured}"
                if self.months != self.configured
                else ""
            )
        n = self.count
        if n == 0:
            self.summary.setText("Nothing to remove.")
            self.range_line.setText(f"No session from before {cutoff}.")
        else:
            oldest = format_date(parse_time(self.rows[0]["finished_at"]))
            newest = format_date(parse_time(self.rows[-1]["finished_at"]))
            self.summary.setText(f"{sessions_text(n)} will be removed.")
            self.range_line.setText(
                f"They are from before {cutoff}: the oldest on {oldest}, the newest on {newest}."
                if n > 1
                else f"It finished on {oldest}, before {cutoff}."
            )
        self._fill_table()
        self.remove_button.setText(f"Remove {sessions_text(n)}" if n else "Remove")
        self.remove_button.setEnabled(n > 0)
        self.remove_button.setAccessibleName(self.remove_button.text())

    def _fill_table(self) -> None:
        shown = self.rows[:MAX_LISTED]
        self.table.setUpdatesEnabled(False)
        self.table.setRowCount(len(shown))
        for r, row in enumerate(shown):
            status = _STATUS_WORDS.get(row["status"], row["status"])
            cells = (
                row["reference"] or "(no reference)",
                format_date(parse_time(row["finished_at"])),
                status + (" · demo" if row.get("demo") else ""),
            )
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.setUpdatesEnabled(True)
        self.table.setVisible(bool(shown))
        hidden = self.count - len(shown)
        self.more.setText(f"…and {hidden:,} more, all removed too." if hidden > 0 else "")
        self.more.setVisible(hidden > 0)

    def listed(self) -> list[tuple[str, str]]:
        """(reference, finished date) of each row in the list, as shown."""
        return [
            (self.table.item(r, 0).text(), self.table.item(r, 1).text())
            for r in range(self.table.rowCount())
        ]
