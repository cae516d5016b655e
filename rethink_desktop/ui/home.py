"""The home screen: carry on the session in progress, open a prepared one, or look back.

A session in progress comes first, in its own panel with a primary Continue button, because
after a crash or a closed lid that is almost always what the facilitator wants. Prepared and
recent sessions follow in two keyboard-navigable tables; Enter, a double-click or Open opens
the selected one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFocusEvent, QFont, QFontMetrics, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rethink_desktop import APP_DISPLAY_NAME
from rethink_desktop.core.agenda import KIND_LABELS
from rethink_desktop.core.clock import Clock, SystemClock
from rethink_desktop.core.state import ABANDON_REASONS
from rethink_desktop.storage.database import StorageError
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.storage.home_queries import home_sessions
from rethink_desktop.ui import widgets
from rethink_desktop.ui.theme import SCALE, base_point_size, repolish

DEMO_BANNER = "Demo — fictional network, kept apart from real records"
PREPARED_EMPTY = "No prepared sessions yet. Choose New session to prepare one."
RECENT_EMPTY = (
    "No finished sessions yet. Completed and abandoned sessions will be listed here, newest first."
)

# English names, not strftime's: Qt switches the C library to the system locale, and the
# rest of the app speaks English.
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_LIVE_WORDS = {
    "running": "running",
    "paused": "paused",
    "closing": "closing",
    "checked_in": "not started yet",
}

# Multiples of the base font. The in-progress line is the screen's focal point, so it is
# the largest text on it, a little above the title.
_TITLE = SCALE["heading"]
_FOCAL = SCALE["card"]
_SECTION = 1.2
_BUTTON = 1.15

_ID_ROLE = Qt.ItemDataRole.UserRole


def _font(multiple: float, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSizeF(base_point_size() * multiple)
    font.setBold(bold)
    return font


def parse_time(text: str | None) -> datetime | None:
    """A stored time for display: UTC stamps become local time; naive ones are already local."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.astimezone() if moment.tzinfo is not None else moment


def format_day(moment: datetime, now: datetime) -> str:
    """``Tue 10 Mar``, with the year only when it is not this year."""
    day = f"{_DAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]}"
    return day if moment.year == now.year else f"{day} {moment.year}"


def format_when(moment: datetime, now: datetime, *, time: bool = True) -> str:
    """``09:30`` today, ``Tue 10 Mar, 09:30`` on other days."""
    clock = f"{moment:%H:%M}"
    if moment.date() == now.date():
        return clock if time else "today"
    return f"{format_day(moment, now)}, {clock}" if time else format_day(moment, now)


def _kind(row: dict[str, Any]) -> str:
    return KIND_LABELS.get(row["kind"], row["kind"])


def _reference(row: dict[str, Any]) -> str:
    return row["reference"] or "(no reference yet)"


def live_summary(row: dict[str, Any], now: datetime) -> str:
    """``FN-2291 · Family network · started 09:30 · running``."""
    started = parse_time(row["started_at"])
    checked_in = parse_time(row.get("checked_in_at"))
    if started is not None:
        when = f"started {format_when(started, now)}"
    elif checked_in is not None:
        when = f"checked in {format_when(checked_in, now)}"
    else:
        when = ""
    parts = [_reference(row), _kind(row), when, _LIVE_WORDS.get(row["status"], row["status"])]
    return " · ".join(p for p in parts if p)


class SessionTable(QTableWidget):
    """A read-only table of sessions, one per row; Enter or a double-click opens the row."""

    open_item = Signal(str)

    def __init__(
        self,
        headings: Sequence[str],
        name: str,
        *,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(0, len(headings), parent)
        # When the columns do not all fit (150 % type on a small screen), a long reference
        # gives way first, then Kind, each shortened in the middle so both ends still read
        # ("FN-2026/CA…TH-0042", "Fam…twork"), each down to a few letters: the reference
        # alone gave way, and at 150 % on 1024 pixels it went down to nothing ("R"); when
        # Kind gave way alone it read "T…", its heading "Kinc".
        self._giving_way = (0, 1)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setHorizontalHeaderLabels(list(headings))
        self.setAccessibleName(name)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # Tab leaves the table instead of walking its cells; arrows move between rows.
        self.setTabKeyNavigation(False)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.setCornerButtonEnabled(False)
        self.verticalHeader().hide()
        # The surrounding panel draws the border, in the theme's colour.
        self.setFrameShape(QFrame.Shape.NoFrame)
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(round(QFontMetrics(self.font()).height() * 1.9))
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsClickable(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        # As tall as its rows and no taller, so Open sits just under the last row; it shrinks
        # and scrolls when space runs out.
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        pad = QFontMetrics(self.font()).height() // 2
        # Cells and headings share one inset so each heading sits over its column. A widget's
        # own style sheet hides the app's :focus rule, so the focus ring is restated here
        # (highlight is the theme's accent); the transparent border keeps rows from shifting.
        self.setStyleSheet(
            # outline: 0 drops the per-cell focus frame: a whole row is the thing chosen.
            "QTableView { border: 2px solid transparent; outline: 0; }"
            " QTableView:focus { border-color: palette(highlight); }"
            f" QTableView::item {{ padding: 0px {pad}px; }}"
            f" QHeaderView::section {{ padding: {pad // 2}px {pad + 3}px; }}"
        )
        self.doubleClicked.connect(lambda index: self._open_row(index.row()))

    def set_rows(self, rows: Sequence[tuple[str, Sequence[str], str]]) -> None:
        """Replace the rows: ``(session id, cell texts, spoken summary)``; keep the selection."""
        keep = self.current_id()
        self.clearSelection()
        header = self.horizontalHeader()
        # Column widths are measured once, after the fill, not again for every cell.
        fitted = [header.sectionResizeMode(c) for c in range(self.columnCount())]
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.setRowCount(len(rows))
        for r, (sid, cells, summary) in enumerate(rows):
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(_ID_ROLE, sid)
                item.setToolTip(summary)
                item.setData(Qt.ItemDataRole.AccessibleTextRole, summary if c == 0 else text)
                self.setItem(r, c, item)
        for c, mode in enumerate(fitted):
            header.setSectionResizeMode(c, mode)
        self.updateGeometry()
        self._fit_columns()
        ids = [sid for sid, _, _ in rows]
        if keep in ids:
            self.setCurrentCell(ids.index(keep), 0)
        else:
            self.setCurrentCell(-1, -1)

    def _needs(self) -> list[int]:
        """Each column's width to show its longest cell, and its heading, in full."""
        header = self.horizontalHeader()
        return [
            max(self.sizeHintForColumn(c), header.sectionSizeHint(c))
            for c in range(self.columnCount())
        ]

    def content_width(self) -> int:
        """The width every column needs to show its longest cell in full."""
        return sum(self._needs())

    def _least(self) -> dict[int, int]:
        """The columns that give way, in order, and the narrowest each goes: "FN-…291",
        "Fam…ork", with the cell's inset each side (the style sheet's padding)."""
        metrics = QFontMetrics(self.font())
        floor = metrics.averageCharWidth() * 7 + metrics.height()
        return dict.fromkeys(self._giving_way, floor)

    def _fit_columns(self) -> None:
        """Columns as wide as their contents; if that is too wide (large fonts), the
        reference and then Kind give way and elide, rather than the right-hand columns sliding
        out of view (a table too narrow even then scrolls sideways)."""
        header = self.horizontalHeader()
        mode = QHeaderView.ResizeMode
        needs = self._needs()
        over = sum(needs) - self._viewport_width()
        if over <= 0:
            header.setSectionResizeMode(mode.ResizeToContents)
            header.setStretchLastSection(True)
            return
        widths = widgets.give_way(needs, over, self._least())
        header.setStretchLastSection(False)
        header.setSectionResizeMode(mode.Fixed)
        for column, width in enumerate(widths):
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)

    def readable_width(self) -> int:
        """The width at which every column shows, the reference and Kind shortened to the
        least they go: narrower, the table would scroll sideways."""
        needs = self._needs()
        widths = widgets.give_way(needs, sum(needs), self._least())
        bar = self.verticalScrollBar().sizeHint().width()
        return sum(widths) + 2 * self.frameWidth() + bar

    def _viewport_width(self) -> int:
        # Worked out rather than asking viewport(): PySide6's first wrapper for the viewport
        # costs ~25 ms of type set-up, a noticeable part of start-up.
        bar = self.verticalScrollBar()
        return self.contentsRect().width() - (bar.width() if bar.isVisible() else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def _height_for(self, rows: int) -> int:
        header = self.horizontalHeader().sizeHint().height()
        return header + rows * self.verticalHeader().defaultSectionSize() + 2 * self.frameWidth()

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._height_for(max(self.rowCount(), 2)))

    def minimumSizeHint(self) -> QSize:
        width = self.readable_width() if self.rowCount() else super().minimumSizeHint().width()
        return QSize(width, self._height_for(2))

    def current_id(self) -> str | None:
        """The session of the selected row, if a row is selected."""
        selected = self.selectionModel().selectedRows() if self.selectionModel() else []
        if not selected:
            return None
        return self.item(selected[0].row(), 0).data(_ID_ROLE)

    def session_ids(self) -> list[str]:
        return [self.item(r, 0).data(_ID_ROLE) for r in range(self.rowCount())]

    def _open_row(self, row: int) -> None:
        if 0 <= row < self.rowCount():
            self.open_item.emit(self.item(row, 0).data(_ID_ROLE))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Handled here rather than via ``activated``, which Enter does not emit on macOS and
        # a single click emits under some desktop styles.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentRow() >= 0:
            self._open_row(self.currentRow())
            event.accept()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        # Arriving by keyboard, show which row Enter would open.
        if self.rowCount() and not self.selectionModel().hasSelection():
            self.selectRow(max(self.currentRow(), 0))


class HomeView(QWidget):
    """Start here: continue, open a prepared session, look at recent ones, or start anew."""

    new_requested = Signal()
    demo_requested = Signal()
    history_requested = Signal()
    open_requested = Signal(str)  # session id

    def __init__(
        self,
        store: EventStore,
        *,
        demo: bool = False,
        clock: Clock | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.demo = demo
        self.clock = clock or SystemClock()
        self.lists: dict[str, list[dict[str, Any]]] = {
            "in_progress": [],
            "prepared": [],
            "recent": [],
        }
        self.setAccessibleName("Home")
        em = QFontMetrics(_font(1.0)).height()
        self._em = em

        self.title = QLabel(APP_DISPLAY_NAME)
        self.title.setFont(_font(_TITLE, bold=True))
        self.title.setAccessibleName(APP_DISPLAY_NAME)

        self.demo_banner = QLabel(DEMO_BANNER)
        self.demo_banner.setObjectName("demoBanner")
        self.demo_banner.setFont(_font(_SECTION, bold=True))
        self.demo_banner.setWordWrap(True)
        self.demo_banner.setAccessibleName("Demo mode")
        self.demo_banner.setAccessibleDescription(DEMO_BANNER)
        # palette() follows the app's theme, so a theme switch needs no rebuild.
        self.demo_banner.setStyleSheet(
            "#demoBanner { background: palette(base); border: 2px solid palette(link);"
            f" border-radius: 8px; padding: {em // 2}px {em}px; }}"
        )

        self.problem_label = widgets.problem_label("Problem reading sessions")

        # --- in progress ---------------------------------------------------------------
        self.in_progress_panel = QFrame()
        self.in_progress_panel.setObjectName("panel")
        self.in_progress_panel.setAccessibleName("Session in progress")
        self.in_progress_label = QLabel()
        self.in_progress_label.setFont(_font(_FOCAL))
        self.in_progress_label.setWordWrap(True)
        self.in_progress_label.setAccessibleName("Session in progress")
        self.continue_button = self._big_button("Continue", "Continue the session in progress")
        self.continue_button.setProperty("primary", True)
        self.continue_button.clicked.connect(self._continue_first)
        self._more_box = QVBoxLayout()
        self._more_box.setSpacing(em // 2)
        self._more_buttons: list[QPushButton] = []

        # --- starting something new ----------------------------------------------------
        self.new_button = self._big_button("New session", "New session: prepare a new session")
        # Primary until a session in progress takes the lead (set now, so the usual start
        # needs no second styling pass, which would set up Qt's whole QStyle API).
        self.new_button.setProperty("primary", True)
        self.new_button.clicked.connect(self.new_requested)
        self.demo_button = self._big_button(
            "Demo for trainers",
            "Demo for trainers: a fictional network, kept apart from real records",
        )
        self.demo_button.clicked.connect(self.demo_requested)
        self.history_button = self._big_button(
            "History and dashboard", "History and dashboard: past sessions and trends"
        )
        self.history_button.clicked.connect(self.history_requested)

        # --- prepared and recent -------------------------------------------------------
        self.prepared_heading = self._section_heading("Prepared")
        # Each table is made in its framed panel, in place: a styled table moved to a new
        # parent is styled again, scroll bars and all (~10 ms of start-up for the two).
        self._table_frames: dict[SessionTable, QFrame] = {}
        self.prepared_table = self._framed_table(
            ("Reference", "Kind", "Planned for"), "Prepared sessions"
        )
        self.prepared_empty = self._empty_label(PREPARED_EMPTY, "No prepared sessions")
        self.open_prepared_button = self._open_button("Open the selected prepared session")
        self.recent_heading = self._section_heading("Recent")
        self.recent_table = self._framed_table(
            ("Reference", "Kind", "Date", "Status", "Attended"), "Recent sessions"
        )
        self.recent_empty = self._empty_label(RECENT_EMPTY, "No recent sessions")
        self.open_recent_button = self._open_button("Open the selected recent session")
        for table, button in (
            (self.prepared_table, self.open_prepared_button),
            (self.recent_table, self.open_recent_button),
        ):
            table.open_item.connect(self.open_requested)
            table.itemSelectionChanged.connect(self._update_open_buttons)
            button.clicked.connect(lambda _=False, t=table: self._open_selected(t))

        self._build_layout()
        self.demo_banner.setVisible(demo)
        self.refresh()

    # --- building ------------------------------------------------------------------------
    def _big_button(self, text: str, name: str) -> QPushButton:
        button = QPushButton(text)
        button.setFont(_font(_BUTTON, bold=True))
        button.setAccessibleName(name)
        button.setMinimumHeight(round(self._em * 3))
        # Never narrower than its words (at 150 % type they were clipped in a small window).
        button.setMinimumWidth(max(round(self._em * 7), button.sizeHint().width()))
        return button

    def _framed_table(self, headings: Sequence[str], name: str) -> SessionTable:
        frame = QFrame(self)
        frame.setObjectName("panel")
        box = QVBoxLayout(frame)
        box.setContentsMargins(0, 0, 0, 0)
        table = SessionTable(headings, name, parent=frame)
        box.addWidget(table)
        self._table_frames[table] = frame
        return table

    def _open_button(self, name: str) -> QPushButton:
        button = QPushButton("Open")
        button.setAccessibleName(name)
        button.setMinimumHeight(round(self._em * 2))
        button.setMinimumWidth(max(round(self._em * 5), button.sizeHint().width()))
        button.setEnabled(False)
        return button

    def _section_heading(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setFont(_font(_SECTION, bold=True))
        label.setAccessibleName(text)
        return label

    def _empty_label(self, text: str, name: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName("panel")
        label.setProperty("muted", True)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        label.setMargin(self._em)
        label.setAccessibleName(name)
        label.setAccessibleDescription(text)
        return label

    def _build_layout(self) -> None:
        em = self._em
        # The title and the three buttons on one line; where that line is wider than the
        # window (150 % type on a small laptop) the buttons go under the title rather than
        # past the window's edge.
        header = widgets.Columns(em)
        header.addWidget(self.title, 1, Qt.AlignmentFlag.AlignVCenter)
        buttons = QHBoxLayout()
        buttons.setSpacing(em)
        for button in (self.new_button, self.demo_button, self.history_button):
            buttons.addWidget(button)
        buttons.addStretch(1)  # under the title, they keep their widths, at the left
        header.addLayout(buttons)

        panel = QHBoxLayout(self.in_progress_panel)
        panel.setContentsMargins(em * 3 // 2, em, em * 3 // 2, em)
        panel.setSpacing(em * 3 // 2)
        text = QVBoxLayout()
        text.setSpacing(em // 2)
        text.addWidget(self.in_progress_label)
        text.addLayout(self._more_box)
        panel.addLayout(text, 1)
        panel.addWidget(self.continue_button, 0, Qt.AlignmentFlag.AlignTop)

        # Prepared and Recent side by side, or one under the other where both will not fit
        # readably (each table's minimum: every column shown, the reference and Kind
        # shortened to a few letters; at 150 % on 1024 pixels they read "P…7").
        columns = widgets.Columns(em * 3 // 2)
        self._columns = columns
        for heading, table, empty, button in (
            (self.prepared_heading, self.prepared_table, self.prepared_empty,
             self.open_prepared_button),
            (self.recent_heading, self.recent_table, self.recent_empty,
             self.open_recent_button),
        ):  # fmt: skip
            column = QVBoxLayout()
            column.setSpacing(em // 2)
            column.addWidget(heading)
            column.addWidget(self._table_frames[table])
            column.addWidget(empty)
            column.addWidget(button, 0, Qt.AlignmentFlag.AlignRight)
            column.addStretch(1)
            columns.addLayout(column)

        root = QVBoxLayout(self)
        root.setContentsMargins(em * 3 // 2, em * 3 // 2, em * 3 // 2, em * 3 // 2)
        root.setSpacing(em)
        root.addLayout(header)
        root.addWidget(self.demo_banner)
        root.addWidget(self.problem_label)
        root.addWidget(self.in_progress_panel)
        root.addLayout(columns, 1)
        # Made before the rest, each table's panel would come first among Home's children,
        # and so first to a screen reader: it goes back between its heading and its note.
        for table, empty in (
            (self.prepared_table, self.prepared_empty),
            (self.recent_table, self.recent_empty),
        ):
            self._table_frames[table].stackUnder(empty)

    # --- reading the store ---------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the three lists from the store and redraw; a read failure is shown."""
        try:
            self.lists = home_sessions(self.store.db, demo=self.demo)
        except StorageError as exc:
            self.problem_label.setText(f"The list of sessions could not be read. {exc.message}")
            self.problem_label.show()
            return
        self.problem_label.hide()
        now = self.clock.now().astimezone()
        self._show_in_progress(self.lists["in_progress"], now)
        self._fill_prepared(self.lists["prepared"], now)
        self._fill_recent(self.lists["recent"], now)
        self._share_width()
        self._update_open_buttons()
        self._set_tab_order()

    def _show_in_progress(self, rows: list[dict[str, Any]], now: datetime) -> None:
        for button in self._more_buttons:
            self._more_box.removeWidget(button)
            button.deleteLater()
        self._more_buttons = []
        self.in_progress_panel.setVisible(bool(rows))
        # Nothing to carry on: starting a new session becomes the obvious next step.
        self._set_primary(self.new_button, not rows)
        if not rows:
            self.in_progress_label.clear()
            return
        first = f"In progress: {live_summary(rows[0], now)}"
        self.in_progress_label.setText(first)
        self.in_progress_label.setAccessibleDescription(first)
        self.continue_button.setAccessibleDescription(first)
        # More than one is rare (say, a crash during another session); each stays reachable.
        for row in rows[1:]:
            text = f"Also in progress: {live_summary(row, now)}"
            button = QPushButton(text)
            button.setAutoDefault(True)  # Enter presses it, as on every other screen button
            button.setAccessibleName(f"Continue: {text}")
            button.setStyleSheet("text-align: left;")
            button.clicked.connect(lambda _=False, sid=row["id"]: self.open_requested.emit(sid))
            self._more_box.addWidget(button)
            self._more_buttons.append(button)

    def _fill_prepared(self, rows: list[dict[str, Any]], now: datetime) -> None:
        table_rows = []
        for row in rows:
            entered = row["scheduled_for"] or ""
            planned = parse_time(entered)
            if planned is None:
                when = entered or "No date set"
            else:
                # A planned date may have been entered without a time of day.
                when = format_when(planned, now, time=len(entered) > 10)
            cells = (_reference(row), _kind(row), when)
            people = f"{row['participants']} participants"
            summary = f"{cells[0]}, {cells[1]}, planned for {when}, {people}"
            table_rows.append((row["id"], cells, summary))
        self.prepared_table.set_rows(table_rows)
        self._show_table(self.prepared_table, self.prepared_empty, self.open_prepared_button)

    def _fill_recent(self, rows: list[dict[str, Any]], now: datetime) -> None:
        table_rows = []
        for row in rows:
            moment = parse_time(row["started_at"] or row["finished_at"])
            # The day is enough to recognise a past meeting, and keeps the row narrow.
            date = format_when(moment, now, time=False) if moment is not None else ""
            status = "Completed" if row["status"] == "completed" else "Abandoned"
            reason = ABANDON_REASONS.get(row.get("abandoned_reason") or "", "")
            if row.get("checked_in_at") or row["present"]:
                attended = widgets.attended_text(row)
                spoken = widgets.attended_text(row, spoken=True)
            else:
                attended, spoken = "no check-in", "no check-in"
            cells = (_reference(row), _kind(row), date, status, attended)
            detail = f"{status} ({reason.lower()})" if reason else status
            summary = f"{cells[0]}, {cells[1]}, {date}, {detail}, {spoken}"
            table_rows.append((row["id"], cells, summary))
        self.recent_table.set_rows(table_rows)
        self._show_table(self.recent_table, self.recent_empty, self.open_recent_button)

    def _show_table(self, table: SessionTable, empty: QLabel, open_button: QPushButton) -> None:
        has_rows = table.rowCount() > 0
        self._table_frames[table].setVisible(has_rows)
        open_button.setVisible(has_rows)
        empty.setVisible(not has_rows)

    def _share_width(self) -> None:
        # Each list gets width in proportion to what its columns need, so at large font sizes
        # both fit before either has to shorten a column.
        for index, table in enumerate((self.prepared_table, self.recent_table)):
            # An empty list is a short wrapped sentence: it leaves the room to the other.
            need = table.content_width() if table.rowCount() else self._em * 12
            self._columns.set_beside_stretch(index, max(1, need))

    @staticmethod
    def _set_primary(button: QPushButton, primary: bool) -> None:
        if bool(button.property("primary")) != primary:
            button.setProperty("primary", primary)
            repolish(button)

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [self.continue_button, *self._more_buttons, self.new_button,
                                self.demo_button, self.history_button, self.prepared_table,
                                self.open_prepared_button, self.recent_table,
                                self.open_recent_button]  # fmt: skip
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- acting --------------------------------------------------------------------------
    def _continue_first(self) -> None:
        if self.lists["in_progress"]:
            self.open_requested.emit(self.lists["in_progress"][0]["id"])

    def _open_selected(self, table: SessionTable) -> None:
        sid = table.current_id()
        if sid is not None:
            self.open_requested.emit(sid)

    def _update_open_buttons(self) -> None:
        self.open_prepared_button.setEnabled(self.prepared_table.current_id() is not None)
        self.open_recent_button.setEnabled(self.recent_table.current_id() is not None)

    def focus_default(self) -> None:
        """Put the keyboard focus where the facilitator most likely wants to go next."""
        if self.in_progress_panel.isVisibleTo(self):
            self.continue_button.setFocus()
        elif self.prepared_table.rowCount():
            self.prepared_table.setFocus()
        else:
            self.new_button.setFocus()
