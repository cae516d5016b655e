"""History: every session, newest first, read a page at a time so it opens at once.

``HistoryModel`` asks SQL for one page of rows when the view needs them (``canFetchMore`` /
``fetchMore``), so 10,000 sessions cost no more to open than 100. The filters above the
table narrow the query itself. Enter (or Open) shows the session's detail; the buttons under
the table export, delete or anonymise the selected session (the main window confirms and
does the work).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from itertools import pairwise
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFontMetrics, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rethink_desktop.core.agenda import KIND_LABELS
from rethink_desktop.core.clock import Clock, SystemClock
from rethink_desktop.core.metrics import decimal_text
from rethink_desktop.core.state import ABANDON_REASONS
from rethink_desktop.storage.database import StorageError
from rethink_desktop.storage.history import STATUS_GROUPS, HistoryFilters, count_sessions, page
from rethink_desktop.ui import widgets
from rethink_desktop.ui.controller import SessionController
from rethink_desktop.ui.home import format_when, parse_time
from rethink_desktop.ui.period import PeriodChooser
from rethink_desktop.ui.theme import current_theme, set_font_role

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()  # the table's (invalid) parent, shared as a default argument

PAGE_SIZE = 100
COLUMNS = ("Date", "Reference", "Kind", "Status", "Duration", "Attended", "Balance")
BALANCE_COLUMN = COLUMNS.index("Balance")
# The widest text each column is likely to hold (the balance column also holds its bar).
COLUMN_SAMPLES = ("Wed 30 Sep 2026", "FN-2026/CAMHS-042", "Post-proceedings", "Completed (demo)",
                  "2 h 07 min", "12 of 12 · 1 late · 1 left early", "MMMMMM 0.00")  # fmt: skip
# When the table is narrower than those (larger type on a laptop), these columns give way,
# in this order, down to the narrowest text that still tells rows apart, so the Balance
# figures stay in sight; the whole row is in every cell's tooltip.
GIVING_WAY = {"Reference": "FN-2026/CA…", "Attended": "12 of 12 ·", "Status": "Completed",
              "Kind": "Family n…", "Date": "Wed 30 Sep"}  # fmt: skip
# Words that shorten at their end ("Completed (d…", "7 of 7 · 1 late · …", "Tue 30 Dec 2…");
# a reference keeps both ends.
ELIDED_AT_THE_END = frozenset(
    COLUMNS.index(title) for title in ("Date", "Kind", "Status", "Attended")
)
ID_ROLE = Qt.ItemDataRole.UserRole
BALANCE_ROLE = Qt.ItemDataRole.UserRole + 1

STATUS_LABELS = {
    "draft": "Prepared",
    "checked_in": "Checked in",
    "running": "Running",
    "paused": "Paused",
    "closing": "Closing",
    "completed": "Completed",
    "abandoned": "Abandoned",
}
STATUS_CHOICES = (
    ("", "Any status"),
    ("completed", "Completed"),
    ("abandoned", "Abandoned"),
    ("in_progress", "In progress"),
    ("prepared", "Prepared"),
)
RECORD_CHOICES = ((False, "Real sessions"), (True, "Demo sessions"), (None, "Real and demo"))


def duration_text(seconds: float | None) -> str:
    """``1 h 58 min``, ``45 min``; an em dash when there is no duration yet."""
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def balance_text(value: float | None) -> str:
    return "—" if value is None else decimal_text(value, 2)


def row_cells(row: dict[str, Any], now: datetime) -> tuple[str, ...]:
    """The seven cells of one session, as shown."""
    moment = parse_time(row["date"])
    day = format_when(moment, now, time=False) if moment is not None else ""
    status = STATUS_LABELS.get(row["status"], row["status"])
    attended = (
        widgets.attended_text(row)
        if row["present"] or row["status"] not in ("draft",)
        else f"{row['participants']} invited"
    )
    return (
        day,
        row["reference"] or "(no reference)",
        KIND_LABELS.get(row["kind"], row["kind"]),
        status + (" (demo)" if row["demo"] else ""),
        duration_text(row["duration_seconds"]),
        attended,
        balance_text(row["balance_index"]),
    )


def row_summary(row: dict[str, Any], cells: tuple[str, ...]) -> str:
    """One sentence for screen readers and the tooltip."""
    reason = ABANDON_REASONS.get(row.get("abandoned_reason") or "", "")
    status = f"{cells[3]} ({reason.lower()})" if reason else cells[3]
    parts = [cells[1], cells[2], cells[0], status]
    if row["duration_seconds"] is not None:
        parts.append(f"lasted {cells[4]}")
    parts.append(widgets.attended_text(row, spoken=True) if " of " in cells[5] else cells[5])
    if row["balance_index"] is not None:
        parts.append(f"balance of voice {cells[6]} of 1")
    return ", ".join(parts)


class HistoryModel(QAbstractTableModel):
    """Sessions matching ``filters``, newest first, fetched ``page_size`` rows at a time."""

    def __init__(
        self,
        db: Callable[[], Any],
        now: Callable[[], datetime],
        *,
        page_size: int = PAGE_SIZE,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._now = now
        self.page_size = page_size
        self.filters = HistoryFilters()
        self.total = 0
        self.rows: list[dict[str, Any]] = []
        self._cells: list[tuple[str, ...]] = []
        self._summaries: list[str] = []
        self.error: str | None = None

    # --- loading ---------------------------------------------------------------------------
    def set_filters(self, filters: HistoryFilters) -> None:
        """Start again from the first page of ``filters`` (StorageError leaves it empty)."""
        self.filters = filters
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self.rows, self._cells, self._summaries = [], [], []
        self.total = 0
        self.error = None
        try:
            self.total = count_sessions(self._db(), self.filters)
            self._append(page(self._db(), self.filters, 0, self.page_size))
        except StorageError as exc:
            self.total = 0
            self.error = exc.message
        self.endResetModel()

    def _append(self, rows: list[dict[str, Any]]) -> None:
        now = self._now().astimezone()
        for row in rows:
            cells = row_cells(row, now)
            self.rows.append(row)
            self._cells.append(cells)
            self._summaries.append(row_summary(row, cells))

    def canFetchMore(self, parent: Index = _ROOT) -> bool:
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent: Index = _ROOT) -> None:
        if parent.isValid() or len(self.rows) >= self.total:
            return
        try:
            rows = page(self._db(), self.filters, len(self.rows), self.page_size)
        except StorageError as exc:
            self.error = exc.message
            self.total = len(self.rows)
            return
        if not rows:  # the file changed under us: stop asking
            self.total = len(self.rows)
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._append(rows)
        self.endInsertRows()

    # --- the model -------------------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        r, c = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[r][c]
        if role == ID_ROLE:
            return self.rows[r]["id"]
        if role == BALANCE_ROLE:
            return self.rows[r]["balance_index"]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._summaries[r]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._summaries[r] if c == 0 else self._cells[r][c]
        return None

    def session_at(self, row: int) -> dict[str, Any] | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None


class BalanceDelegate(QStyledItemDelegate):
    """A small bar of the balance index beside its number: the bar is never the only signal."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().initStyleOption(option, index)
        option.state &= ~QStyle.StateFlag.State_HasFocus

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: Index,
    ) -> None:
        value = index.data(BALANCE_ROLE)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        em = QFontMetrics(opt.font).height()
        text = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        rect = opt.rect.adjusted(em // 2, 0, -em // 2, 0)
        theme = current_theme()
        bar = QRect(rect.left(), rect.center().y() - em // 5, em * 3, max(4, em * 2 // 5))
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QColor(theme.border))
        painter.setBrush(QColor(theme.background))
        painter.drawRoundedRect(bar, 2, 2)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        if value is not None:
            filled = QRect(bar)
            filled.setWidth(max(1, round(bar.width() * value)))
            painter.setPen(Qt.PenStyle.NoPen)
            # On a selected (accent) row the bar is drawn in the surface colour to stay visible.
            painter.setBrush(QColor(theme.surface if selected else theme.accent))
            painter.drawRoundedRect(filled, 2, 2)
        painter.setPen(opt.palette.highlightedText().color() if selected else QColor(theme.text))
        text_rect = QRect(bar.right() + em // 2, rect.top(), rect.width(), rect.height())
        painter.drawText(
            text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text
        )
        painter.restore()


class _RowDelegate(QStyledItemDelegate):
    """No per-cell focus frame: a whole row is the thing being chosen."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().initStyleOption(option, index)
        option.state &= ~QStyle.StateFlag.State_HasFocus
        if index.column() in ELIDED_AT_THE_END:  # "7 of 7 · 1 late · …", not "7 of 7 · 1 l…y"
            option.textElideMode = Qt.TextElideMode.ElideRight


class HistoryTable(QTableView):
    """The table itself: rows, not cells; Enter opens the row."""

    open_row = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.widths: list[int] = []  # each column's width when there is room for it
        self.narrowest: dict[int, int] = {}  # column: the least it gives way to
        self.dragged: set[int] = set()  # columns whose width the facilitator chose
        self._fitting = False
        self.horizontalHeader().sectionResized.connect(self._resized)

    def _resized(self, column: int, _old: int, _new: int) -> None:
        if not self._fitting and column < len(self.widths) - 1:
            self.dragged.add(column)  # kept as dragged: never put back on a resize

    def fit_columns(self) -> None:
        """The columns at their widths, less what the ``narrowest`` give up (in their order)
        when the view is narrower than the whole row; Balance, last, takes what is left.
        A column dragged to a width of the facilitator's choosing keeps it."""
        if not self.widths:
            return
        header = self.horizontalHeader()
        widths = [
            header.sectionSize(c) if c in self.dragged else width
            for c, width in enumerate(self.widths)
        ]
        over = sum(widths) - self.viewport().width()
        least = {c: width for c, width in self.narrowest.items() if c not in self.dragged}
        widths = widgets.give_way(widths, over, least)
        self._fitting = True
        try:
            for column, width in enumerate(widths[:-1]):
                if header.sectionSize(column) != width:
                    header.resizeSection(column, width)
        finally:
            self._fitting = False

    def viewportEvent(self, event: QEvent) -> bool:
        # The viewport, not the table: a vertical scroll bar coming or going changes it too.
        if event.type() == QEvent.Type.Resize:
            self.fit_columns()
        return super().viewportEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Handled here rather than via ``activated``, which Enter does not emit on macOS.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_row.emit(self.currentIndex().row())
            event.accept()
            return
        super().keyPressEvent(event)


class HistoryView(QWidget):
    """Filters above a lazily filled table of sessions, actions for the selected one below."""

    open_requested = Signal(str)  # session id: show its detail
    pdf_requested = Signal(str)
    delete_requested = Signal(str)
    anonymise_requested = Signal(str)
    dashboard_requested = Signal()
    home_requested = Signal()

    def __init__(
        self,
        controller: SessionController,
        *,
        demo: bool = False,
        clock: Clock | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.clock = clock or SystemClock()
        self.setAccessibleName("History")
        em = QFontMetrics(self.font()).height()
        self._em = em

        self.title = QLabel("History")
        set_font_role(self.title, "heading", bold=True)
        self.count_label = QLabel("")
        self.count_label.setProperty("muted", True)
        self.count_label.setAccessibleName("Number of sessions shown")
        self.dashboard_button = widgets.button(
            "Dashboard", "Show the dashboard of trends", clicked=self.dashboard_requested
        )
        self.home_button = widgets.button(
            "Home", "Back to the home screen (Esc)", clicked=self.home_requested
        )

        # --- filters -----------------------------------------------------------------------
        self.period = PeriodChooser(self._today, default="all", name="History period")
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind of session")
        self.kind.addItem("Any kind", "")
        for key, label in KIND_LABELS.items():
            self.kind.addItem(label, key)
        self.status = QComboBox()
        self.status.setAccessibleName("Status")
        for key, label in STATUS_CHOICES:
            self.status.addItem(label, key)
        self.records = QComboBox()
        self.records.setAccessibleName("Real or demo sessions")
        for value, label in RECORD_CHOICES:
            self.records.addItem(label, value)
        # The demo window looks at its own (demo) sessions first.
        self.records.setCurrentIndex(1 if demo else 0)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search reference")
        self.search.setAccessibleName("Search by reference")
        self.search.setClearButtonEnabled(True)
        # As wide from the start as with its clear button, which shows with the first letter
        # typed: the box jumped wider, under the typing, to make room for it.
        self.search.setText(" ")
        with_clear = self.search.sizeHint().width()
        self.search.clear()
        self.search.setMinimumWidth(max(em * 9, with_clear))
        # Typing waits a moment, so each key press does not run a query.
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(200)
        self._search_timer.timeout.connect(self.apply_filters)

        # --- the table ---------------------------------------------------------------------
        self.model = HistoryModel(lambda: self.controller.store.db, self._now, parent=self)
        self.table = HistoryTable()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Sessions, newest first")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setCornerButtonEnabled(False)
        self.table.verticalHeader().hide()
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(round(em * 1.9))
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsClickable(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # Widths from the font and the widest likely text, not from the contents: measuring
        # every row would read every page.
        metrics = QFontMetrics(self.table.font())
        pad = em * 3 // 2
        self.table.widths = [
            max(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(title)) + pad
            for sample, title in zip(COLUMN_SAMPLES, COLUMNS, strict=True)
        ]
        self.table.narrowest = {
            COLUMNS.index(title): max(
                metrics.horizontalAdvance(least), metrics.horizontalAdvance(title)
            )
            + pad
            for title, least in GIVING_WAY.items()
        }
        self.table.fit_columns()
        header.setStretchLastSection(True)
        # A longer reference keeps both ends ("FN-2026/CA…TH-0042"): references that differ
        # only at the end read the same when cut at the end.
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setItemDelegate(_RowDelegate(self.table))
        self.table.setItemDelegateForColumn(BALANCE_COLUMN, BalanceDelegate(self.table))
        self.table.setFrameShape(QFrame.Shape.NoFrame)
        self.table.setProperty("focusRing", True)  # a frameless table showed no focus
        self.table.open_row.connect(self._open_row)
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._after_reset)

        self.empty_label = QLabel("")
        self.empty_label.setProperty("muted", True)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAccessibleName("No sessions")
        self.problem_label = widgets.problem_label("Problem reading sessions")

        # --- actions on the selected session ----------------------------------------------
        self.open_button = widgets.button(
            "Open", "Open the selected session's detail", primary=True
        )
        self.pdf_button = widgets.button("Export PDF…", "Export the selected session as a PDF")
        self.anonymise_button = widgets.button(
            "Anonymise…", "Anonymise the selected session: replace names by agency and role"
        )
        self.delete_button = widgets.button("Delete…", "Delete the selected session")
        for button, signal in (
            (self.open_button, self.open_requested),
            (self.pdf_button, self.pdf_requested),
            (self.anonymise_button, self.anonymise_requested),
            (self.delete_button, self.delete_requested),
        ):
            button.clicked.connect(lambda _=False, s=signal: self._emit_selected(s))

        self._build_layout()
        for combo in (self.kind, self.status, self.records):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.period.changed.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        self.search.returnPressed.connect(self.apply_filters)
        self._update_buttons()

    # --- building ------------------------------------------------------------------------
    def _build_layout(self) -> None:
        em = self._em
        top = QHBoxLayout()
        top.setSpacing(em)
        top.addWidget(self.title)
        top.addWidget(self.count_label, 1, Qt.AlignmentFlag.AlignBottom)
        top.addWidget(self.dashboard_button)
        top.addWidget(self.home_button)

        # On as many lines as the window needs (150 % type on a small laptop).
        filters = widgets.FlowLayout(em // 2)
        for widget in (self.period, self.kind, self.status, self.records, self.search):
            filters.addWidget(widget)

        frame = QFrame()
        frame.setObjectName("panel")
        box = QVBoxLayout(frame)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.table)

        actions = QHBoxLayout()
        actions.setSpacing(em // 2)
        actions.addWidget(self.empty_label, 1)
        for button in (self.pdf_button, self.anonymise_button, self.delete_button):
            actions.addWidget(button)
        actions.addSpacing(em)
        actions.addWidget(self.open_button)

        root = QVBoxLayout(self)
        root.setContentsMargins(em * 3 // 2, em, em * 3 // 2, em)
        root.setSpacing(em * 3 // 4)
        root.addLayout(top)
        root.addLayout(filters)
        root.addWidget(self.problem_label)
        root.addWidget(frame, 1)
        root.addLayout(actions)

        chain = [self.period.choice, self.period.from_edit, self.period.to_edit, self.kind,
                 self.status, self.records, self.search, self.table, self.pdf_button,
                 self.anonymise_button, self.delete_button, self.open_button,
                 self.dashboard_button, self.home_button]  # fmt: skip
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- time ----------------------------------------------------------------------------
    def _now(self) -> datetime:
        return self.clock.now()

    def _today(self) -> date:
        return self.clock.now().astimezone().date()

    # --- filters -------------------------------------------------------------------------
    def filters(self) -> HistoryFilters:
        first, last = self.period.period()
        status = str(self.status.currentData() or "")
        return HistoryFilters(
            date_from=first,
            date_to=last,
            kind=str(self.kind.currentData() or "") or None,
            statuses=STATUS_GROUPS.get(status, ()),
            demo=self.records.currentData(),
            reference=self.search.text(),
        )

    def apply_filters(self) -> None:
        self._search_timer.stop()
        rows = self.table.selectionModel().selectedRows()
        # After the list is read again, the same session stays chosen if it is still there,
        # else the one now in its place: with none chosen, the keys had no row to move
        # from, and Export PDF, Anonymise and Delete stayed greyed out.
        self._keep = (self.selected_id(), rows[0].row() if rows else 0)
        self.model.set_filters(self.filters())

    def refresh(self) -> None:
        """Re-read from the first page, keeping the filters (after a change to the records)."""
        self.apply_filters()

    def _after_reset(self) -> None:
        total = self.model.total
        self.count_label.setText(f"{total:,} session{'s' if total != 1 else ''}")
        if self.model.error:
            self.problem_label.setText(f"The sessions could not be read. {self.model.error}")
        self.problem_label.setVisible(bool(self.model.error))
        if total == 0 and not self.model.error:
            self.empty_label.setText(
                "No sessions match these filters."
                if self.filters() != HistoryFilters(demo=self.records.currentData())
                else "No sessions yet. Finished sessions are listed here, newest first."
            )
        else:
            self.empty_label.setText("")
        self._choose_again()
        self._update_buttons()

    def _choose_again(self) -> None:
        keep_id, keep_row = getattr(self, "_keep", (None, 0))
        count = self.model.rowCount()
        if count == 0:
            return
        row = next(
            (r for r in range(count) if (self.model.session_at(r) or {}).get("id") == keep_id),
            min(keep_row, count - 1),
        )
        self.select_row(row)

    # --- the selected session ------------------------------------------------------------
    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = self.model.session_at(rows[0].row())
        return row["id"] if row else None

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.session_at(rows[0].row()) if rows else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)
        self.table.setCurrentIndex(self.model.index(row, 0))

    def _emit_selected(self, signal: Any) -> None:
        sid = self.selected_id()
        if sid is not None:
            signal.emit(sid)

    def _open_row(self, row: int) -> None:
        session = self.model.session_at(row)
        if session is not None:
            self.open_requested.emit(session["id"])

    def _update_buttons(self) -> None:
        session = self.selected()
        for button in (self.open_button, self.pdf_button, self.delete_button):
            button.setEnabled(session is not None)
        # Names are already gone from an anonymised session.
        self.anonymise_button.setEnabled(session is not None and not session["names_removed"])

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Esc goes back Home (as from a session's detail back to here); in the search box
        with a reference typed, it clears the search first."""
        if event.key() == Qt.Key.Key_Escape:
            if self.search.hasFocus() and self.search.text():
                self.search.clear()
            else:
                self.home_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def focus_default(self) -> None:
        if self.model.rowCount():
            self.table.setFocus()
            if not self.table.selectionModel().hasSelection():
                self.select_row(0)
        else:
            self.search.setFocus()
