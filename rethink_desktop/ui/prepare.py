"""Prepare a session: details, the circle in seating order, and a two-hour agenda.

The form validates as the facilitator types, with the same checks the core applies
(``core.validation`` and ``core.agenda``), shown beside the field and in a summary by the
Save buttons. Saving goes through :meth:`SessionController.act` ("prepare"), so nothing is
shown as saved until the event is on disk. There is no field for what anyone says: the
purpose is one short line, and that is all.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any, ClassVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QDateTime,
    QEvent,
    QItemSelectionModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDrag,
    QFocusEvent,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QShortcut,
    QValidator,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rethink_desktop.core.agenda import (
    KIND_LABELS,
    MAX_AGENDA_MINUTES,
    MAX_PHASE_NAME_LENGTH,
    MAX_TURN_SECONDS,
    MIN_AGENDA_MINUTES,
    MIN_TURN_SECONDS,
    SESSION_KINDS,
    SESSION_MINUTES,
    Phase,
    Template,
    agenda_problems,
    phase_fields,
)
from rethink_desktop.core.clock import format_duration
from rethink_desktop.core.validation import (
    AGENCY_MAX,
    DEFAULT_AGENCIES,
    NAME_MAX,
    PURPOSE_MAX,
    REFERENCE_MAX,
    ROLE_MAX,
    VENUE_MAX,
    clean_text,
    details_problems,
    participant_problems,
    reference_problems,
)
from rethink_desktop.ui import widgets
from rethink_desktop.ui.controller import SessionController
from rethink_desktop.ui.dates import DateTimeEdit
from rethink_desktop.ui.period import FIRST_DAY, LAST_DAY
from rethink_desktop.ui.theme import current_theme, repolish, set_font_role

__all__ = ["PrepareView", "RowModel", "RowTable"]

ROW_MIME = "application/x-rethink-row"
SCHEDULE_FORMAT = "yyyy-MM-dd'T'HH:mm"
DISPLAY_FORMAT = "ddd d MMM yyyy, HH:mm"
NEW_PHASE = {"name": "", "minutes": 10, "turn_seconds": 180, "opening_card": None}
NEW_PERSON = {"id": None, "name": "", "agency": "", "role": ""}
SUMMARY_LINES = 5  # problems listed at once under "Things to fix"


def _has_text(person: dict[str, Any]) -> bool:
    """Whether anything has been typed in a person's row."""
    return any(str(person.get(key) or "").strip() for key in ("name", "agency", "role"))


PARTICIPANT_KEYS = (
    "Ctrl+Up / Ctrl+Down move the selected person; Delete removes them (asked first once "
    "named); Insert or Ctrl+Shift+N adds a person (in the first empty row, else at the "
    "end); F2 or typing edits a cell; you can also drag a row to a new seat."
)
PHASE_KEYS = (
    "Ctrl+Up / Ctrl+Down move the selected phase; Delete removes it (asked first once named); "
    "Insert adds a phase "
    "below it; F2 or typing edits a cell; you can also drag a row."
)

_PERSON_FIELD = re.compile(r"^participants\[(\d+)\]\.(\w+)$")
_PHASE_MESSAGE = re.compile(r"^Phase (\d+)\b")


def format_turn(seconds: object) -> str:
    """A turn allowance as minutes:seconds ("4:00"); anything else as it is."""
    if isinstance(seconds, int) and not isinstance(seconds, bool) and seconds >= 0:
        return format_duration(seconds)
    return str(seconds)


# --- the tables ---------------------------------------------------------------------------


class RowModel(QAbstractTableModel):
    """Rows of plain dicts shown as a table; one key rides along hidden in ``UserRole``.

    Used for both the circle (the hidden key is the participant id, so re-saving keeps the
    same people) and the agenda (the hidden key is the phase's opening card).
    """

    def __init__(
        self,
        columns: Sequence[tuple[str, str]],
        *,
        hidden_key: str,
        read_only: Sequence[str] = (),
        numeric: Sequence[str] = (),
        display: Mapping[str, Callable[[object], str]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.keys = [key for key, _ in columns]
        self.titles = [title for _, title in columns]
        self.hidden_key = hidden_key
        self.read_only = set(read_only)
        self.numeric = set(numeric)
        self.display = dict(display or {})
        self.header_tips: dict[str, str] = {}
        self._rows: list[dict[str, Any]] = []
        self._problems: dict[tuple[int, str], str] = {}

    # --- reading ------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.keys)

    def rows(self) -> list[dict[str, Any]]:
        """A copy of the rows, in order."""
        return [dict(row) for row in self._rows]

    def value(self, row: int, key: str) -> Any:
        if key == "seat":
            return row + 1
        return self._rows[row].get(key)

    def column(self, key: str) -> int:
        return self.keys.index(key)

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if not index.isValid():
            return None
        row, key = index.row(), self.keys[index.column()]
        value = self.value(row, key)
        problem = self._problems.get((row, key))
        if role == Qt.ItemDataRole.DisplayRole:
            shown = self.display.get(key)
            return shown(value) if shown else ("" if value is None else str(value))
        if role == Qt.ItemDataRole.EditRole:
            return value
        if role == Qt.ItemDataRole.UserRole:
            return self._rows[row].get(self.hidden_key)
        if role == Qt.ItemDataRole.ToolTipRole:
            return problem
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text = self.data(index, Qt.ItemDataRole.DisplayRole) or "empty"
            return f"{text} — to fix: {problem}" if problem else text
        if role == Qt.ItemDataRole.BackgroundRole and problem:
            # A soft tint of the "over" colour; the words beside the table carry the meaning.
            tint = QColor(current_theme().over)
            tint.setAlpha(48)
            return tint
        if role == Qt.ItemDataRole.TextAlignmentRole and key in self.numeric | {"seat"}:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.keys):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.titles[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.header_tips.get(self.keys[section])
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            # Drops land between rows only, never onto a cell (which would overwrite it).
            return Qt.ItemFlag.ItemIsDropEnabled
        flags = (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        )
        if self.keys[index.column()] not in self.read_only | {"seat"}:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    # --- writing ------------------------------------------------------------------------
    def setData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        value: Any,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.EditRole,
            Qt.ItemDataRole.DisplayRole,
        ):
            return False
        row, key = index.row(), self.keys[index.column()]
        if key in self.read_only or key == "seat":
            return False
        if key in self.numeric:
            # Keep what is not a whole number as it is, so validation can name it.
            with contextlib.suppress(TypeError, ValueError):
                value = int(value)
        else:
            value = "" if value is None else str(value)
        if self._rows[row].get(key) == value:
            return True
        self._rows[row][key] = value
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
        return True

    def set_rows(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = [dict(row) for row in rows]
        self._problems = {}
        self.endResetModel()

    def set_hidden(self, row: int, value: Any) -> None:
        """Set the hidden value (e.g. the id the store gave a new participant)."""
        self._rows[row][self.hidden_key] = value
        index = self.index(row, 0)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.UserRole])

    def insert(self, row: int, values: Mapping[str, Any]) -> int:
        row = max(0, min(row, len(self._rows)))
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, dict(values))
        self.endInsertRows()
        self._renumber(row)
        return row

    def remove(self, row: int) -> None:
        if not 0 <= row < len(self._rows):
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()
        self._renumber(row)

    def move(self, row: int, before: int) -> int:
        """Move ``row`` so it sits before the row now at ``before``; return its new index."""
        count = len(self._rows)
        if not 0 <= row < count:
            return row
        before = max(0, min(before, count))
        if before in (row, row + 1):
            return row
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), before)
        moved = self._rows.pop(row)
        new = before if before < row else before - 1
        self._rows.insert(new, moved)
        self.endMoveRows()
        self._renumber(min(row, new))
        return new

    def _renumber(self, first: int) -> None:
        # Seat numbers are row positions, so every seat from ``first`` on may have changed.
        if "seat" in self.keys and first < len(self._rows):
            col = self.column("seat")
            self.dataChanged.emit(
                self.index(first, col),
                self.index(len(self._rows) - 1, col),
                [Qt.ItemDataRole.DisplayRole],
            )

    # --- problems -----------------------------------------------------------------------
    def set_problems(self, problems: Mapping[tuple[int, str], str]) -> None:
        """Mark cells that need fixing (row, key) → message; repaints only on a change."""
        problems = dict(problems)
        if problems == self._problems:
            return
        self._problems = problems
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0),
                self.index(len(self._rows) - 1, len(self.keys) - 1),
                [
                    Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.BackgroundRole,
                    Qt.ItemDataRole.AccessibleTextRole,
                ],
            )

    # --- drag and drop ------------------------------------------------------------------
    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [ROW_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({index.row() for index in indexes if index.isValid()})
        mime = QMimeData()
        # The model's identity stops a row being dropped into the other table.
        mime.setData(ROW_MIME, json.dumps({"model": id(self), "rows": rows}).encode())
        return mime

    def dragged_rows(self, mime: QMimeData | None) -> list[int]:
        """The rows a drag from this model carries; empty if it came from elsewhere."""
        if mime is None or not mime.hasFormat(ROW_MIME):
            return []
        try:
            payload = json.loads(bytes(mime.data(ROW_MIME).data()).decode())
        except (ValueError, UnicodeDecodeError):
            return []
        if not isinstance(payload, dict) or payload.get("model") != id(self):
            return []
        return [r for r in payload.get("rows", []) if isinstance(r, int) and r < len(self._rows)]


class RowTable(QTableView):
    """A table whose rows are reordered by keyboard (Ctrl+Up/Down) or by dragging."""

    move_requested = Signal(int)  # -1 up, +1 down
    remove_requested = Signal()
    add_requested = Signal()
    row_dropped = Signal(int, int)  # the row, and the row it now sits before
    MIN_ROWS = 3

    _KEYS: ClassVar[dict[tuple[Qt.Key, Qt.KeyboardModifier], str]] = {
        (Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier): "up",
        (Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier): "down",
        (Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier): "remove",
        (Qt.Key.Key_Insert, Qt.KeyboardModifier.NoModifier): "add",
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        # Not SelectedClicked: for a double-click's time after such a click Qt opens no
        # editor, and what was typed then went to keyboardSearch (below) and another row.
        # Tab leaves the table, so the form's tab order still works; arrows move in it.
        self.setTabKeyNavigation(False)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDragDropOverwriteMode(False)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setAlternatingRowColors(False)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setHighlightSections(False)
        # Its focus shows as a ring twice its resting edge (ui.theme): the native 1 px frame
        # only changed colour, 3.2 : 1 in light, from nothing in high contrast (dark).
        self.setProperty("focusRing", "edge")
        # As tall as the rows need and no taller, so the panel stays compact.
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)

    def commit_editing(self) -> None:
        """Keep what is typed in a cell still open (before a row is added, moved or removed:
        Qt closed it unsaved, and the text was gone)."""
        if self.state() != QAbstractItemView.State.EditingState:
            return
        editor = QApplication.focusWidget()
        while editor is not None and editor.parentWidget() is not self.viewport():
            editor = editor.parentWidget()  # an agency list's own line edit: the list
        if editor is not None:
            self.commitData(editor)
            self.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def edit(self, index: Any, trigger: Any = None, event: Any = None) -> bool:
        if trigger is None:
            return super().edit(index)
        opened = super().edit(index, trigger, event)
        if opened and self.state() == QAbstractItemView.State.EditingState:
            # Ctrl+Up/Down and Insert also work from a cell being typed in (Delete there
            # stays a letter's delete): the cell's editor (and an agency list's own line)
            # hands them here, where they did nothing, and a line edit took Ctrl+Up as Home.
            for widget in self.viewport().findChildren(QWidget):
                widget.installEventFilter(self)
        return opened

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kinds = (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)
        if event.type() in kinds and isinstance(watched, QWidget):
            action = self._action(event)  # type: ignore[arg-type]
            if action is not None and action != "remove":
                event.accept()
                if event.type() == QEvent.Type.KeyPress:
                    self._act(action)
                return True
        return super().eventFilter(watched, event)

    def _act(self, action: str) -> None:
        if action == "up":
            self.move_requested.emit(-1)
        elif action == "down":
            self.move_requested.emit(1)
        elif action == "remove":
            self.remove_requested.emit()
        elif action == "add":
            self.add_requested.emit()

    def setModel(self, model: Any) -> None:
        super().setModel(model)
        if model is not None:
            for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset):
                signal.connect(self.updateGeometry)

    def _height_for(self, rows: int) -> int:
        header = self.horizontalHeader().sizeHint().height()
        return header + rows * self.verticalHeader().defaultSectionSize() + 2 * self.frameWidth()

    def sizeHint(self) -> QSize:
        # Tall enough for every row plus a spare one to drop onto, up to a dozen; then scroll.
        model = self.model()
        count = model.rowCount() if model is not None else 0
        hint = super().sizeHint()
        return QSize(hint.width(), self._height_for(max(self.MIN_ROWS, min(count + 1, 12))))

    def minimumSizeHint(self) -> QSize:
        return QSize(super().minimumSizeHint().width(), self._height_for(self.MIN_ROWS))

    def _action(self, event: QKeyEvent) -> str | None:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        return self._KEYS.get((Qt.Key(event.key()), mods))

    def event(self, event: QEvent) -> bool:
        # Claim our keys before any window-wide shortcut does.
        if event.type() == QEvent.Type.ShortcutOverride and self._action(event):  # type: ignore[arg-type]
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        action = self._action(event)
        if action is None and self._opens_the_cell(event):
            # Not typed: a name began with a space (" Priya"). It opens the cell, as F2 does.
            self.edit(self.currentIndex())
            event.accept()
            return
        if action is None:
            super().keyPressEvent(event)
            return
        self._act(action)
        event.accept()

    def _opens_the_cell(self, event: QKeyEvent) -> bool:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        index = self.currentIndex()
        return (
            event.key() == Qt.Key.Key_Space
            and mods == Qt.KeyboardModifier.NoModifier
            and self.state() != QAbstractItemView.State.EditingState
            and index.isValid()
            and bool(index.flags() & Qt.ItemFlag.ItemIsEditable)
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        """The chosen row is filled; the cell that typing would go into is outlined inside
        it, in the colour of the row's text (the whole row looked alike, so typing could
        land in the minutes when the allowance was meant)."""
        super().paintEvent(event)
        index = self.currentIndex()
        editing = self.state() == QAbstractItemView.State.EditingState
        if not index.isValid() or editing or not self.hasFocus():
            return
        painter = QPainter(self.viewport())
        pen = QPen(self.palette().color(QPalette.ColorRole.HighlightedText), 2)
        painter.setPen(pen)
        painter.drawRect(self.visualRect(index).adjusted(2, 2, -2, -2))
        painter.end()

    def keyboardSearch(self, search: str) -> None:
        """Typing never jumps to another row by its first letter: here a letter starts a
        name or a role, and the jump put the rest of the word into someone else's cell."""

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        """Tab out of a cell goes on to the next cell that can be edited (the next row's
        name after a role), and out of the table after the last; Shift+Tab the same way
        back. Qt's own step landed on the next row's seat, which cannot be edited, so what
        was typed next went nowhere, and after the last row it went round to the first."""
        hints = QAbstractItemDelegate.EndEditHint
        if hint not in (hints.EditNextItem, hints.EditPreviousItem):
            super().closeEditor(editor, hint)
            return
        forward = hint == hints.EditNextItem
        super().closeEditor(editor, hints.NoHint)
        target = self._editable_after(self.currentIndex(), 1 if forward else -1)
        if target is None:
            self.focusNextPrevChild(forward)  # on through the form, as Tab does
            return
        self.select_row(target.row(), target.column())
        self.edit(target)

    def focusInEvent(self, event: QFocusEvent) -> None:
        """Tabbed into, the table puts its cursor on a cell that can be typed in: on the
        seat number (which cannot be edited) a typed name went nowhere."""
        super().focusInEvent(event)
        model = self.model()
        if model is None or model.rowCount() == 0:
            return
        current = self.currentIndex()
        if current.isValid() and current.flags() & Qt.ItemFlag.ItemIsEditable:
            return
        row = current.row() if current.isValid() else 0
        target = self._editable_after(model.index(row, 0), 1, inclusive=True)
        if target is not None and target.row() == row:
            self.select_row(row, target.column())

    def _editable_after(
        self, index: QModelIndex, step: int, *, inclusive: bool = False
    ) -> QModelIndex | None:
        """The next (``step`` 1) or previous (-1) editable cell in reading order, if any
        (``inclusive``: ``index`` itself if it is one)."""
        model = self.model()
        if model is None or not index.isValid():
            return None
        columns = model.columnCount()
        at = index.row() * columns + index.column() + (0 if inclusive else step)
        while 0 <= at < model.rowCount() * columns:
            cell = model.index(at // columns, at % columns)
            if cell.flags() & Qt.ItemFlag.ItemIsEditable and not self.isColumnHidden(cell.column()):
                return cell
            at += step
        return None

    def current_row(self) -> int:
        index = self.currentIndex()
        return index.row() if index.isValid() else -1

    def select_row(self, row: int, column: int | None = None) -> None:
        model = self.model()
        if model is None or not 0 <= row < model.rowCount():
            return
        current = self.currentIndex()
        col = column if column is not None else max(0, current.column())
        self.selectRow(row)
        # After selectRow, which moves the current cell to the first column: the cell being
        # edited must stay current, or Tab out of it opens that same cell again (an added
        # person's agency was typed over their name).
        self.selectionModel().setCurrentIndex(
            model.index(row, col), QItemSelectionModel.SelectionFlag.NoUpdate
        )

    def drop_row_at(self, pos: QPoint) -> int:
        """The row a drop at ``pos`` (viewport coordinates) would sit before."""
        model = self.model()
        count = model.rowCount() if model is not None else 0
        index = self.indexAt(pos)
        if not index.isValid():
            return count
        rect = self.visualRect(index)
        return index.row() + (1 if pos.y() > rect.center().y() else 0)

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        # Our own QDrag: Qt's startDrag removes the "moved" rows after a MoveAction drop that
        # its own dropEvent did not perform, which would delete the row we just moved.
        model = self.model()
        row = self.current_row()
        if not isinstance(model, RowModel) or row < 0:
            return
        drag = QDrag(self)
        drag.setMimeData(model.mimeData([model.index(row, 0)]))
        first, last = (
            self.visualRect(model.index(row, 0)),
            self.visualRect(model.index(row, model.columnCount() - 1)),
        )
        drag.setPixmap(self.viewport().grab(first.united(last)))
        drag.exec(Qt.DropAction.MoveAction)

    def dropEvent(self, event: Any) -> None:
        model = self.model()
        rows = model.dragged_rows(event.mimeData()) if isinstance(model, RowModel) else []
        if not rows:
            event.ignore()
            return
        self.row_dropped.emit(rows[0], self.drop_row_at(event.position().toPoint()))
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        self.stopAutoScroll()
        self.setState(QAbstractItemView.State.NoState)
        self.viewport().update()


class _HintDelegate(QStyledItemDelegate):
    """Shows a muted hint in an empty cell, so a new row says what to type."""

    def __init__(self, hint: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hint = hint

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        if self.hint and not option.text:  # type: ignore[attr-defined]
            option.text = self.hint  # type: ignore[attr-defined]
            muted = QColor(current_theme().muted)
            option.palette.setColor(QPalette.ColorRole.Text, muted)  # type: ignore[attr-defined]
            # Italic as well: in the high-contrast themes the muted colour is the text's own,
            # and a hint must not read as something typed.
            option.font.setItalic(True)  # type: ignore[attr-defined]


class _TextDelegate(_HintDelegate):
    """A one-line editor with a length limit and a spoken name."""

    def __init__(
        self, max_length: int, name: str, hint: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(hint, parent)
        self.max_length = max_length
        self.name = name

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        editor = QLineEdit(parent)
        editor.setMaxLength(self.max_length)
        editor.setAccessibleName(self.name)
        editor.setFrame(False)
        return editor


class _AgencyDelegate(_HintDelegate):
    """An editable list of the usual agencies; any other agency can be typed."""

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        editor = QComboBox(parent)
        editor.setEditable(True)
        editor.addItems(DEFAULT_AGENCIES)
        editor.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        editor.setAccessibleName("Agency")
        line = editor.lineEdit()
        if line is not None:
            line.setMaxLength(AGENCY_MAX)
        completer = editor.completer()
        if completer is not None:
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, QComboBox)
        text = str(index.data(Qt.ItemDataRole.EditRole) or "")
        found = editor.findText(text)
        if found >= 0:
            editor.setCurrentIndex(found)
        else:
            editor.setEditText(text)
        line = editor.lineEdit()
        if line is not None:
            line.selectAll()  # typing replaces the agency, as in the other cells

    def setModelData(
        self,
        editor: QWidget,
        model: QAbstractTableModel,  # type: ignore[override]
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)


class ClockSpinBox(QSpinBox):
    """Seconds shown and typed as minutes and seconds, as the cell shows them: "2:30".
    A number alone is minutes ("3" is 3:00). It took seconds ("120 s") while the cell said
    "2:00", so a 3 meant as minutes was dropped."""

    def textFromValue(self, value: int) -> str:
        return f"{value // 60}:{value % 60:02d}"

    @staticmethod
    def _digits(text: str) -> bool:
        """0–9 only: ``isdigit`` takes "²" (AZERTY's key beside 1), which ``int`` refuses,
        and an exception inside Qt's call of ``validate`` ends the app."""
        return bool(text) and all(c in "0123456789" for c in text)

    def _parse(self, text: str) -> int | None:
        text = text.strip()
        if len(text) > 8:  # a long paste: int() refuses over 4,300 digits, inside Qt's call
            return None
        minutes, colon, seconds = text.partition(":")
        if not self._digits(minutes) or (
            colon and not (self._digits(seconds) and len(seconds) <= 2)
        ):
            return None
        if colon and int(seconds) >= 60:
            return None
        return int(minutes) * 60 + (int(seconds) if colon else 0)

    def valueFromText(self, text: str) -> int:
        value = self._parse(text)
        return self.value() if value is None else value

    def validate(self, text: str, pos: int) -> object:
        value = self._parse(text)
        if value is not None and self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        partial = (
            len(text.strip()) <= 8
            and all(c in "0123456789:" for c in text.strip())
            and text.count(":") <= 1
        )
        seconds = text.strip().partition(":")[2]
        if partial and (len(seconds) > 2 or (len(seconds) == 2 and int(seconds) >= 60)):
            # "9:75" is refused as it is typed: left to the commit, the box went back to
            # the last value it could read ("9:7", 9:07) without a word.
            partial = False
        state = QValidator.State.Intermediate if partial else QValidator.State.Invalid
        return state, text, pos


class _SpinDelegate(QStyledItemDelegate):
    """A whole-number editor within the limits the core accepts."""

    def __init__(
        self,
        low: int,
        high: int,
        name: str,
        *,
        step: int = 1,
        suffix: str = "",
        clock: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.low, self.high, self.step, self.suffix, self.name = low, high, step, suffix, name
        self.clock = clock  # seconds as m:ss (the turn allowance)

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        editor = ClockSpinBox(parent) if self.clock else QSpinBox(parent)
        editor.setRange(self.low, self.high)
        editor.setSingleStep(self.step)
        editor.setSuffix(self.suffix)
        editor.setAccessibleName(self.name)
        editor.setFrame(False)
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, QSpinBox)
        value = index.data(Qt.ItemDataRole.EditRole)
        editor.setValue(value if isinstance(value, int) else self.low)

    def setModelData(
        self,
        editor: QWidget,
        model: QAbstractTableModel,  # type: ignore[override]
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        assert isinstance(editor, QSpinBox)
        editor.interpretText()
        model.setData(index, editor.value(), Qt.ItemDataRole.EditRole)


# --- the screen ---------------------------------------------------------------------------


# Prepare's text is in the app's own font, wrapping.
_label = partial(widgets.label, role=None, wrap=True)


def _panel() -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName("panel")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(16, 16, 16, 16)
    layout.setSpacing(8)
    return frame, layout


def _set_problem(widget: QWidget, on: bool) -> None:
    value = "true" if on else "false"
    if widget.property("problem") != value:
        widget.setProperty("problem", value)
        repolish(widget)


def _button_row(layout: QVBoxLayout, *specs: tuple[str, str, str]) -> list[QPushButton]:
    """A row of buttons under a table: (text, accessible name, tooltip with its key) each."""
    row = QHBoxLayout()
    row.setSpacing(8)
    buttons = []
    for text, name, tip in specs:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.setAccessibleName(name)
        button.setAccessibleDescription(tip)
        row.addWidget(button)
        buttons.append(button)
    row.addStretch(1)
    layout.addLayout(row)
    return buttons


class PrepareView(QWidget):
    """The screen where a facilitator prepares a draft session before the day."""

    saved = Signal()  # the preparation was recorded
    check_in_requested = Signal()  # recorded, and the facilitator wants to check people in
    cancelled = Signal()  # Back

    def __init__(
        self,
        controller: SessionController,
        templates: Mapping[str, Template],
        parent: QWidget | None = None,
        *,
        default_template: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.templates: dict[str, Template] = dict(templates)
        # The config file's default_template: a fresh draft starts from it (and its kind).
        self.default_template = default_template
        # Asked before throwing away edited phases or unsaved changes; tests replace it.
        self.confirm: Callable[[str, str], bool] = partial(widgets.ask, self)
        self._loading = False
        self._locked = False
        self._template_id: str | None = None
        self._touched: set[str] = set()
        self._snapshot: dict[str, Any] | None = None
        self._saved_at: str | None = None
        self._failure: str | None = None
        self._problems: list[tuple[str, str]] = []
        self._build()
        self._connect()
        self._set_tab_order()
        self._validate()

    # --- building -----------------------------------------------------------------------
    def _build(self) -> None:
        self.setAccessibleName("Prepare the session")

        self.heading = QLabel("Prepare the session")
        set_font_role(self.heading, "heading", bold=True)
        self.heading.setAccessibleName("Prepare the session")
        self.demo_marker = widgets.demo_marker()
        self.intro = _label(
            "Who will sit in the circle, in what order, and how the two hours are shared. "
            "The app records the process, never what anyone says.",
            muted=True,
        )

        self._build_details()
        self._build_participants()
        self._build_agenda()

        self.left = QVBoxLayout()
        self.left.setSpacing(16)
        self.left.addWidget(self.details_panel)
        self.left.addWidget(self.people_panel)
        self.left.addStretch(1)
        self.right = QVBoxLayout()
        self.right.setSpacing(16)
        self.right.addWidget(self.agenda_panel)
        self.right.addStretch(1)
        self.columns = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.columns.setSpacing(16)
        self.columns.addLayout(self.left, 1)
        self.columns.addLayout(self.right, 1)

        self.content = QWidget()
        self.content.setObjectName("prepareContent")
        body = QVBoxLayout(self.content)
        body.setContentsMargins(24, 16, 24, 16)
        body.setSpacing(8)
        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(self.heading, 1)
        top.addWidget(self.demo_marker, 0, Qt.AlignmentFlag.AlignVCenter)
        body.addLayout(top)
        body.addWidget(self.intro)
        self.locked_note = _label("", muted=True)
        self.locked_note.hide()
        body.addWidget(self.locked_note)
        body.addSpacing(8)
        body.addLayout(self.columns, 1)

        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.content)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.scroll.setAccessibleName("Preparation form")
        # Not a Tab stop of its own: the focus landed on nothing visible (Tab scrolls the
        # control it reaches into view).
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self._build_footer()

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.scroll, 1)
        # The footer spans the width up to its maximum, and is centred beyond it, like the
        # form (a minimum width taken from the window kept a widened window from narrowing).
        footer_row = QHBoxLayout()
        footer_row.addStretch(0)
        footer_row.addWidget(self.footer, 1)
        footer_row.addStretch(0)
        outer.addLayout(footer_row)

    def _build_details(self) -> None:
        self.details_panel, layout = _panel()
        title = QLabel("Session")
        set_font_role(title, "body", bold=True)
        layout.addWidget(title)

        self.kind = QComboBox()
        for kind in SESSION_KINDS:
            self.kind.addItem(KIND_LABELS[kind], kind)
        self.kind.setAccessibleName("Kind of session")

        self.reference = QLineEdit()
        self.reference.setPlaceholderText("e.g. FN-2291 — never a name")
        self.reference.setMaxLength(REFERENCE_MAX)
        self.reference.setAccessibleName("Reference code")
        self.reference.setAccessibleDescription(
            "A case reference with at least one digit and no spaces. Never a child's or "
            "family's name."
        )
        self.reference_problem = widgets.problem_label("Reference code problem")

        self.purpose = QLineEdit()
        self.purpose.setPlaceholderText("One short line — not a place for notes")
        self.purpose.setMaxLength(PURPOSE_MAX)
        self.purpose.setAccessibleName("Purpose")
        self.purpose.setAccessibleDescription(
            f"One short line, up to {PURPOSE_MAX} characters. Not a place for notes."
        )
        self.purpose_problem = widgets.problem_label("Purpose problem")

        self.venue = QLineEdit()
        self.venue.setPlaceholderText("e.g. Room 2, Civic Centre")
        self.venue.setMaxLength(VENUE_MAX)
        self.venue.setAccessibleName("Venue")
        self.venue_problem = widgets.problem_label("Venue problem")

        self.scheduled = DateTimeEdit()  # Tab leaves it in one press
        self.scheduled.setCalendarPopup(True)
        self.scheduled.setDisplayFormat(DISPLAY_FORMAT)
        self.scheduled.setAccessibleName("Date and time")
        # Qt's own range runs from 1752 to 9999: a meeting falls in this century.
        self.scheduled.setDateRange(
            QDate(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day),
            QDate(LAST_DAY.year, LAST_DAY.month, LAST_DAY.day),
        )

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(8)
        for text, field, problem in (
            ("&Kind", self.kind, None),
            ("&Reference code", self.reference, self.reference_problem),
            ("P&urpose", self.purpose, self.purpose_problem),
            ("V&enue", self.venue, self.venue_problem),
            ("&Date and time", self.scheduled, None),
        ):
            label = QLabel(text)
            label.setBuddy(field)
            if problem is None:
                form.addRow(label, field)
                continue
            holder = QWidget()
            stack = QVBoxLayout(holder)
            stack.setContentsMargins(0, 0, 0, 0)
            stack.setSpacing(4)
            stack.addWidget(field)
            stack.addWidget(problem)
            form.addRow(label, holder)
        layout.addLayout(form)

    def _build_participants(self) -> None:
        self.people_panel, layout = _panel()
        self.people_title = QLabel("Partic&ipants in seating order")
        set_font_role(self.people_title, "body", bold=True)
        self.people_count = _label("", muted=True, wrap=False)
        head = QHBoxLayout()
        head.addWidget(self.people_title, 1)
        head.addWidget(self.people_count)
        layout.addLayout(head)
        layout.addWidget(
            _label("Turns go round in this order. Drag a row, or use Ctrl+Up / Ctrl+Down.",
                   muted=True)
        )  # fmt: skip

        self.people = RowModel(
            (("seat", "Seat"), ("name", "Name"), ("agency", "Agency"), ("role", "Role")),
            hidden_key="id",
            parent=self,
        )
        self.people.header_tips = {
            "role": "Also tells apart two people with the same name.",
            "agency": "Pick a usual agency or type another.",
        }
        self.people_table = RowTable()
        self.people_table.setModel(self.people)
        self.people_table.setItemDelegateForColumn(
            self.people.column("name"), _TextDelegate(NAME_MAX, "Name", "Type a name", self)
        )
        self.people_table.setItemDelegateForColumn(
            self.people.column("agency"), _AgencyDelegate("Choose or type", self)
        )
        self.people_table.setItemDelegateForColumn(
            self.people.column("role"), _TextDelegate(ROLE_MAX, "Role", "Optional", self)
        )
        header = self.people_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.people_table.setAccessibleName("Participants in seating order")
        self.people_table.setAccessibleDescription(PARTICIPANT_KEYS)
        self.people_table.setToolTip(PARTICIPANT_KEYS)
        self.people_title.setBuddy(self.people_table)
        layout.addWidget(self.people_table)

        self.add_person, self.remove_person, self.person_up, self.person_down = _button_row(
            layout,
            ("Add perso&n", "Add person", "Add a person at the end of the circle (Ctrl+Shift+N)."),
            ("Re&move", "Remove person", "Remove the selected person (Delete in the table)."),
            ("Move up", "Move person up", "Move the selected person one seat earlier (Ctrl+Up)."),
            (
                "Move down",
                "Move person down",
                "Move the selected person one seat later (Ctrl+Down).",
            ),
        )
        self.people_problem = widgets.problem_label("Participant problems")
        layout.addWidget(self.people_problem)

    def _build_agenda(self) -> None:
        self.agenda_panel, layout = _panel()
        # Named with the agenda's own length below (a confirmed longer one is not two hours).
        self.agenda_title = title = QLabel("Agenda — two hours")
        set_font_role(title, "body", bold=True)
        layout.addWidget(title)

        self.template = QComboBox()
        for template in sorted(self.templates.values(), key=lambda t: t.title.casefold()):
            self.template.addItem(template.title, template.id)
        self.template.setPlaceholderText("Custom agenda")
        self.template.setAccessibleName("Agenda template")
        self.template.setToolTip("Start from a template; it replaces the phases below.")
        template_label = QLabel("&Template")
        template_label.setBuddy(self.template)
        row = QHBoxLayout()
        row.setSpacing(16)
        row.addWidget(template_label)
        row.addWidget(self.template, 1)
        layout.addLayout(row)
        self.template_about = _label("", muted=True)
        layout.addWidget(self.template_about)

        phases_label = QLabel("A&genda phases")
        layout.addWidget(phases_label)
        self.phases = RowModel(
            (("name", "Phase"), ("minutes", "Minutes"), ("turn_seconds", "Turn allowance")),
            hidden_key="opening_card",
            numeric=("minutes", "turn_seconds"),
            display={"turn_seconds": format_turn},
            parent=self,
        )
        self.phases.header_tips = {
            "minutes": "How long the phase lasts, 1 to 120 minutes.",
            "turn_seconds": "Each speaking turn in this phase, in minutes:seconds "
            f"({MIN_TURN_SECONDS} seconds to {MAX_TURN_SECONDS // 60} minutes).",
        }
        self.phases_table = RowTable()
        self.phases_table.setModel(self.phases)
        self.phases_table.setItemDelegateForColumn(
            self.phases.column("name"),
            _TextDelegate(MAX_PHASE_NAME_LENGTH, "Phase name", "Name the phase", self),
        )
        self.minutes_delegate = _SpinDelegate(
            1, SESSION_MINUTES, "Minutes", suffix=" min", parent=self
        )
        self.phases_table.setItemDelegateForColumn(
            self.phases.column("minutes"), self.minutes_delegate
        )
        self.turn_delegate = _SpinDelegate(
            MIN_TURN_SECONDS,
            MAX_TURN_SECONDS,
            "Turn allowance, minutes and seconds",
            step=15,
            clock=True,
            parent=self,
        )
        self.phases_table.setItemDelegateForColumn(
            self.phases.column("turn_seconds"), self.turn_delegate
        )
        header = self.phases_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.phases_table.setAccessibleName("Agenda phases")
        self.phases_table.setAccessibleDescription(PHASE_KEYS)
        self.phases_table.setToolTip(PHASE_KEYS)
        phases_label.setBuddy(self.phases_table)
        layout.addWidget(self.phases_table)

        self.add_phase, self.remove_phase, self.phase_up, self.phase_down = _button_row(
            layout,
            (
                "Add phase",  # no Alt letter: Alt+H is the Help menu (Insert in the table)
                "Add phase",
                "Add a phase below the selected one (Insert in the table).",
            ),
            ("Remove", "Remove phase", "Remove the selected phase (Delete in the table)."),
            ("Move up", "Move phase up", "Move the selected phase earlier (Ctrl+Up)."),
            ("Move down", "Move phase down", "Move the selected phase later (Ctrl+Down)."),
        )

        self.total = QLabel()
        self.total.setAccessibleName("Agenda total")
        layout.addWidget(self.total)
        self._confirmed_total: int | None = None  # the total the tick below was given for
        self.confirm_total = QCheckBox()
        self.confirm_total.setAccessibleName("Confirm the agenda total")
        self.confirm_total.hide()
        layout.addWidget(self.confirm_total)
        self.agenda_problem = widgets.problem_label("Agenda problems")
        layout.addWidget(self.agenda_problem)

        self.second_chance = QCheckBox("Offer a second chance to those who &passed")
        self.second_chance.setChecked(True)
        self.second_chance.setAccessibleName("Second chance for those who passed")
        self.second_chance.setToolTip(
            "At the end of each round, anyone who passed is offered the floor once more."
        )
        layout.addSpacing(8)
        layout.addWidget(self.second_chance)

    def _build_footer(self) -> None:
        self.footer = QFrame()
        self.footer.setObjectName("prepareFooter")
        self.footer.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self.footer)
        layout.setContentsMargins(24, 8, 24, 16)
        layout.setSpacing(8)

        self.summary_title = _label("", wrap=False)
        self.summary_title.setAccessibleName("Summary of things to fix")
        self.summary = QListWidget()
        self.summary.setAccessibleName("Things to fix before saving")
        self.summary.setFrameShape(QFrame.Shape.NoFrame)
        # Part of the page, not a white box: the words matter, not the frame around them.
        self.summary.setStyleSheet("QListWidget { background: transparent; }")
        self.summary.viewport().setAutoFillBackground(False)
        self.summary.setWordWrap(True)
        self.summary.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.summary.setToolTip("Press Enter or double-click to go to the field.")
        self.summary.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        layout.addWidget(self.summary_title)
        layout.addWidget(self.summary)

        self.status = _label("", muted=True)
        self.status.setAccessibleName("Save status")
        self.back = QPushButton("&Back")
        self.back.setAccessibleName("Back")
        self.back.setToolTip("Leave this screen; unsaved changes are asked about first.")
        self.save_button = QPushButton("S&ave")  # Alt+S is the Session menu
        self.save_button.setAccessibleName("Save")
        self.save_button.setToolTip("Record the preparation (Ctrl+S).")
        self.check_in_button = QPushButton("Save and go to &check-in")
        self.check_in_button.setAccessibleName("Save and go to check-in")
        self.check_in_button.setToolTip("Record the preparation and mark who is present.")
        self.check_in_button.setProperty("primary", "true")
        self.check_in_button.setDefault(True)
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.status, 1)
        row.addWidget(self.back)
        row.addWidget(self.save_button)
        row.addWidget(self.check_in_button)
        layout.addLayout(row)

    def _connect(self) -> None:
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        for edit, section in (
            (self.reference, "reference"),
            (self.purpose, "purpose"),
            (self.venue, "venue"),
        ):
            # Problems show beside a field once it has been typed in (or was saved before).
            edit.textEdited.connect(lambda _text, s=section: self._on_table_edit(s))
            edit.textChanged.connect(self._on_edit)
            # Enter moves on to the next field, as Tab does (it did nothing).
            edit.returnPressed.connect(self.focusNextChild)
        self.scheduled.dateTimeChanged.connect(self._on_edit)
        self.second_chance.toggled.connect(self._on_edit)
        # First: the total confirmed is remembered before the edit is checked.
        self.confirm_total.toggled.connect(self._remember_confirmed_total)
        self.confirm_total.toggled.connect(self._on_edit)
        self.template.currentIndexChanged.connect(self._on_template_chosen)
        # Chosen again though already chosen: the way back to its phases after edits.
        self.template.activated.connect(self._on_template_chosen_again)

        for model, section in ((self.people, "participants"), (self.phases, "agenda")):
            model.dataChanged.connect(
                lambda _a, _b, roles, s=section: self._on_table_data(s, roles)
            )
            for sig in (model.rowsInserted, model.rowsRemoved, model.rowsMoved):
                sig.connect(lambda *_args, s=section: self._on_table_edit(s))
            model.modelReset.connect(self._on_edit)

        self.people_table.move_requested.connect(lambda d: self._move(self.people_table, d))
        self.people_table.remove_requested.connect(
            lambda: self._remove_row(self.people_table, by_key=True)
        )
        self.people_table.add_requested.connect(self._add_person)
        self.people_table.row_dropped.connect(
            lambda row, before: self._drop(self.people_table, row, before)
        )
        self.phases_table.move_requested.connect(lambda d: self._move(self.phases_table, d))
        self.phases_table.remove_requested.connect(
            lambda: self._remove_row(self.phases_table, by_key=True)
        )
        self.phases_table.add_requested.connect(self._add_phase)
        self.phases_table.row_dropped.connect(
            lambda row, before: self._drop(self.phases_table, row, before)
        )
        for table in (self.people_table, self.phases_table):
            table.selectionModel().currentChanged.connect(self._update_buttons)

        self.add_person.clicked.connect(self._add_person)
        self.remove_person.clicked.connect(self._remove_person)
        self.person_up.clicked.connect(lambda: self._move(self.people_table, -1))
        self.person_down.clicked.connect(lambda: self._move(self.people_table, 1))
        self.add_phase.clicked.connect(self._add_phase)
        self.remove_phase.clicked.connect(self._remove_phase)
        self.phase_up.clicked.connect(lambda: self._move(self.phases_table, -1))
        self.phase_down.clicked.connect(lambda: self._move(self.phases_table, 1))

        self.summary.itemActivated.connect(self._go_to_problem)
        self.back.clicked.connect(self.go_back)
        self.save_button.clicked.connect(self.save)
        self.check_in_button.clicked.connect(self.save_and_check_in)

        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (
            ("Ctrl+Shift+N", self._add_person),
            (QKeySequence.StandardKey.Save, self.save),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.kind,
            self.reference,
            self.purpose,
            self.venue,
            self.scheduled,
            self.people_table,
            self.add_person,
            self.remove_person,
            self.person_up,
            self.person_down,
            self.template,
            self.phases_table,
            self.add_phase,
            self.remove_phase,
            self.phase_up,
            self.phase_down,
            self.confirm_total,
            self.second_chance,
            self.summary,
            self.back,
            self.save_button,
            self.check_in_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- loading ------------------------------------------------------------------------
    def load(self) -> None:
        """Fill the form from the controller's session (a draft, perhaps just created)."""
        state = self.controller.state
        self._loading = True
        try:
            self._failure = None
            self._saved_at = None
            if state is None:
                self._fill_empty("family_network")
                self._locked = True
            else:
                self._select_kind(state.kind)
                self.reference.setText(state.reference)
                self.purpose.setText(state.purpose)
                self.venue.setText(state.venue)
                for edit in (self.reference, self.purpose, self.venue):
                    edit.setCursorPosition(0)  # show the start of a long line, not its end
                self.scheduled.setDateTime(self._scheduled_from(state.scheduled_for))
                self.second_chance.setChecked(state.second_chance)
                if state.participants or state.phases:
                    self.people.set_rows(
                        {"id": p.id, "name": p.name or "", "agency": p.agency, "role": p.role}
                        for p in state.participants
                    )
                    self.phases.set_rows(phase_fields(ph) for ph in state.phases)
                    self._select_template(state.template_id)
                    # It was saved, so any total other than two hours was confirmed then. Set
                    # here too: if the box was ticked already, no toggled signal says so.
                    confirmed = self._total_minutes() != SESSION_MINUTES
                    self.confirm_total.setChecked(confirmed)
                    self._confirmed_total = self._total_minutes() if confirmed else None
                    self._touched = {"reference", "purpose", "venue", "participants", "agenda"}
                else:
                    self._fill_empty(state.kind)
                self._locked = state.status != "draft"
        finally:
            self._loading = False
        self._snapshot = self.form_data()
        self.demo_marker.setVisible(bool(state and state.demo))
        self._show_locked(state.status if state else None)
        self._validate()

    def _fill_empty(self, kind: str) -> None:
        # A fresh draft: the default template (else the one for its kind) and two empty seats.
        default = self.templates.get(self.default_template or "")
        if default is not None and self.controller.state is not None:
            kind = default.kind
        self._select_kind(kind)
        if self.controller.state is None:
            self.reference.clear()
            self.purpose.clear()
            self.venue.clear()
            self.scheduled.setDateTime(self._scheduled_from(None))
            self.second_chance.setChecked(True)
        self.people.set_rows([dict(NEW_PERSON), dict(NEW_PERSON)])
        template = default if default is not None and default.kind == kind else None
        template = template or self._template_for_kind(kind)
        self._apply_template(template.id if template else None)
        self.confirm_total.setChecked(False)
        self._touched = set()

    def _show_locked(self, status: str | None) -> None:
        self.content.setEnabled(not self._locked)
        if status is None:
            self.locked_note.setText("No session is open.")
        else:
            self.locked_note.setText(
                f"This session is {status.replace('_', ' ')}, so its preparation can no "
                "longer change."
            )
        self.locked_note.setVisible(self._locked)

    def _select_kind(self, kind: str) -> None:
        index = self.kind.findData(kind)
        self.kind.setCurrentIndex(max(0, index))

    def _select_template(self, template_id: str | None) -> None:
        self._template_id = template_id if template_id in self.templates else None
        self.template.blockSignals(True)
        self.template.setCurrentIndex(self.template.findData(self._template_id))
        self.template.blockSignals(False)
        template = self.templates.get(self._template_id or "")
        self.template_about.setText(template.description if template else "")
        self.template_about.setVisible(bool(template and template.description))

    def _template_for_kind(self, kind: str) -> Template | None:
        matching = [t for t in self.templates.values() if t.kind == kind]
        if kind == "family_network" and "family-network" in self.templates:
            return self.templates["family-network"]
        return (matching or list(self.templates.values()) or [None])[0]

    def _scheduled_from(self, text: str | None) -> QDateTime:
        if text:
            moment = QDateTime.fromString(text, SCHEDULE_FORMAT)
            if not moment.isValid():
                moment = QDateTime.fromString(text, Qt.DateFormat.ISODate)
            if moment.isValid():
                return moment
        # No date yet: the next whole hour on the session's clock, in local time.
        now = self.controller.now().astimezone()
        start = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        return QDateTime.fromString(start.strftime("%Y-%m-%dT%H:%M"), SCHEDULE_FORMAT)

    # --- what the form says -------------------------------------------------------------
    def participants(self) -> list[dict[str, Any]]:
        """The circle in seating order, as ``Session.prepare`` takes it (ids kept)."""
        people = []
        for row in self.people.rows():
            person: dict[str, Any] = {
                "name": clean_text(row.get("name")),
                "agency": clean_text(row.get("agency")),
                "role": clean_text(row.get("role")),
            }
            if row.get("id"):
                person = {"id": row["id"], **person}
            people.append(person)
        return people

    def agenda(self) -> list[Phase]:
        """The phases as the core's ``Phase`` objects (values as typed, for validation)."""
        return [
            Phase(
                name=str(row.get("name") or ""),
                minutes=row.get("minutes"),  # type: ignore[arg-type]
                turn_seconds=row.get("turn_seconds"),  # type: ignore[arg-type]
                opening_card=row.get("opening_card") or None,
            )
            for row in self.phases.rows()
        ]

    def form_data(self) -> dict[str, Any]:
        """Keyword arguments for ``Session.prepare``, exactly as Save would send them."""
        return {
            "kind": self.kind.currentData(),
            "reference": clean_text(self.reference.text()),
            "purpose": clean_text(self.purpose.text()),
            "venue": clean_text(self.venue.text()),
            "scheduled_for": self.scheduled.dateTime().toString(SCHEDULE_FORMAT),
            "template_id": self._template_id,
            "second_chance": self.second_chance.isChecked(),
            "participants": self.participants(),
            "phases": [{**phase_fields(ph), "name": clean_text(ph.name)} for ph in self.agenda()],
        }

    def problems(self) -> list[str]:
        """Everything that stops a save, in the order the summary lists it."""
        return [message for _field, message in self._problems]

    def is_dirty(self) -> bool:
        """True when the form differs from what was loaded or last saved."""
        return self._snapshot is not None and self.form_data() != self._snapshot

    def _total_minutes(self) -> int:
        return sum(
            ph.minutes for ph in self.agenda() if isinstance(ph.minutes, int) and ph.minutes > 0
        )

    # --- reacting to edits --------------------------------------------------------------
    def _touch(self, section: str) -> None:
        if not self._loading:
            self._touched.add(section)

    def _on_edit(self, *_args: object) -> None:
        if self._loading:
            return
        self._failure = None
        self._validate()

    def _on_table_data(self, section: str, roles: Sequence[int]) -> None:
        # Our own repaints (problem tints, tooltips) must not count as edits.
        if roles and not {Qt.ItemDataRole.EditRole, Qt.ItemDataRole.DisplayRole} & set(roles):
            return
        self._on_table_edit(section)

    def _on_table_edit(self, section: str) -> None:
        self._touch(section)
        self._on_edit()

    def _on_kind_changed(self, _index: int) -> None:
        if self._loading:
            return
        kind = self.kind.currentData()
        current = self.templates.get(self._template_id or "")
        # Follow the kind with its template only when nothing typed would be lost.
        if current is not None and current.kind != kind and not self._phases_edited():
            template = self._template_for_kind(kind)
            if template is not None and template.kind == kind:
                self._apply_template(template.id)
        self._on_edit()

    def _phases_edited(self) -> bool:
        template = self.templates.get(self._template_id or "")
        current = tuple(self.agenda())
        if template is None:
            return bool(current)
        return current != template.phases

    def _on_template_chosen(self, index: int) -> None:
        if self._loading:
            return
        chosen = self.template.itemData(index)
        if chosen is None or chosen == self._template_id:
            return
        title = self.templates[chosen].title
        if self._phases_edited() and not self.confirm(
            "Replace the agenda?",
            f"Replace the phases you have edited with the “{title}” template? "
            "Your changes to the phases will be lost.",
        ):
            self._select_template(self._template_id)
            return
        self._take_template(chosen)

    def _on_template_chosen_again(self, index: int) -> None:
        chosen = self.template.itemData(index)
        if self._locked or chosen is None or chosen != self._template_id:
            return  # another template: _on_template_chosen has it
        if not self._phases_edited():
            return
        title = self.templates[chosen].title
        if not self.confirm(
            "Put the template's phases back?",
            f"Put back the phases of the “{title}” template? Your changes to the phases "
            "will be lost.",
        ):
            return
        self._take_template(chosen)

    def _take_template(self, template_id: str) -> None:
        """The facilitator chose this template's phases: as an edit of the agenda."""
        self._apply_template(template_id)
        self._touch("agenda")
        self._on_edit()

    def _apply_template(self, template_id: str | None) -> None:
        template = self.templates.get(template_id or "")
        was_loading, self._loading = self._loading, True
        try:
            if template is not None:
                self.phases.set_rows(phase_fields(ph) for ph in template.phases)
            self.confirm_total.setChecked(False)
            self._select_template(template_id)
        finally:
            self._loading = was_loading

    # --- rows ---------------------------------------------------------------------------
    def _add_person(self) -> None:
        if self._locked:
            return
        self.people_table.commit_editing()
        # A row left empty is filled first: a new one after it left a gap in the seats.
        empty = [r for r, row in enumerate(self.people.rows()) if not _has_text(row)]
        row = empty[0] if empty else self.people.insert(self.people.rowCount(), NEW_PERSON)
        self._start_editing(self.people_table, row, self.people.column("name"))

    def _remove_person(self) -> None:
        self._remove_row(self.people_table)

    def _add_phase(self) -> None:
        if self._locked:
            return
        self.phases_table.commit_editing()
        current = self.phases_table.current_row()
        at = current + 1 if current >= 0 else self.phases.rowCount()
        row = self.phases.insert(at, NEW_PHASE)
        self._start_editing(self.phases_table, row, self.phases.column("name"))

    def _remove_phase(self) -> None:
        self._remove_row(self.phases_table)

    def _remove_row(self, table: RowTable, *, by_key: bool = False) -> None:
        """Remove the selected row. ``by_key``: Delete in the table, which removes the whole
        row, so it is asked first once the row has a name (someone clearing one cell would
        otherwise lose the person or the phase)."""
        table.commit_editing()
        model = table.model()
        row = table.current_row()
        if self._locked or not isinstance(model, RowModel) or row < 0:
            return
        name = str(model.value(row, "name") or "").strip()
        if by_key and name:
            what = f"seat {row + 1}, {name}" if table is self.people_table else f"phase {row + 1}"
            if not self.confirm(
                "Remove the whole row?",
                f"Delete removes {what}, not just the cell. Remove it? To change one cell, "
                "press F2 or start typing in it.",
            ):
                return
        model.remove(row)
        table.select_row(min(row, model.rowCount() - 1))
        self._update_buttons()

    def _move(self, table: RowTable, delta: int) -> None:
        table.commit_editing()
        row = table.current_row()
        model = table.model()
        if self._locked or not isinstance(model, RowModel) or row < 0:
            return
        target = row + delta
        if not 0 <= target < model.rowCount():
            return
        new = model.move(row, target + 1 if delta > 0 else target)
        table.select_row(new)
        self._update_buttons()

    def _drop(self, table: RowTable, row: int, before: int) -> None:
        table.commit_editing()
        model = table.model()
        if self._locked or not isinstance(model, RowModel):
            return
        table.select_row(model.move(row, before))
        self._update_buttons()

    def _start_editing(self, table: RowTable, row: int, column: int) -> None:
        table.select_row(row, column)
        table.scrollTo(table.model().index(row, column))
        if self.isVisible():
            table.setFocus(Qt.FocusReason.OtherFocusReason)
            table.edit(table.model().index(row, column))
        self._update_buttons()

    def _update_buttons(self, *_args: object) -> None:
        for table, remove, up, down in (
            (self.people_table, self.remove_person, self.person_up, self.person_down),
            (self.phases_table, self.remove_phase, self.phase_up, self.phase_down),
        ):
            row, count = table.current_row(), table.model().rowCount()
            remove.setEnabled(0 <= row < count)
            up.setEnabled(0 < row < count)
            down.setEnabled(0 <= row < count - 1)

    # --- validation ---------------------------------------------------------------------
    def _validate(self) -> None:
        """Check everything (cheap), mark the fields, fill the summary, gate the buttons."""
        found: list[tuple[str, str]] = []

        for edit, label, section, problems in (
            (self.reference, self.reference_problem, "reference",
             reference_problems(self.reference.text())),
            (self.purpose, self.purpose_problem, "purpose",
             details_problems(self.purpose.text(), "")),
            (self.venue, self.venue_problem, "venue", details_problems("", self.venue.text())),
        ):  # fmt: skip
            messages = [p.message for p in problems]
            found += [(section, m) for m in messages]
            shown = bool(messages) and section in self._touched
            label.setText("\n".join(messages))
            label.setVisible(shown)
            _set_problem(edit, shown)

        found += self._validate_people()
        found += self._validate_agenda()

        self._problems = found
        self._fill_summary()
        ok = not found and not self._locked
        self.save_button.setEnabled(ok)
        self.check_in_button.setEnabled(ok)
        # A disabled button in the accent colour would read as pressable; plain until ready.
        primary = "true" if ok else "false"
        if self.check_in_button.property("primary") != primary:
            self.check_in_button.setProperty("primary", primary)
            repolish(self.check_in_button)
        self._update_buttons()
        self._update_status()

    def _validate_people(self) -> list[tuple[str, str]]:
        people = self.participants()
        problems = participant_problems(people)
        cells: dict[tuple[int, str], str] = {}
        for problem in problems:
            match = _PERSON_FIELD.match(problem.field)
            if match:
                cells.setdefault((int(match.group(1)) - 1, match.group(2)), problem.message)
        shown = "participants" in self._touched
        self.people.set_problems(cells if shown else {})
        messages = list(dict.fromkeys(p.message for p in problems))
        self.people_problem.setText("\n".join(messages))
        self.people_problem.setVisible(shown and bool(messages))
        _set_problem(self.people_table, shown and bool(messages))
        n = len(people)
        self.people_count.setText(f"{n} {'person' if n == 1 else 'people'} · 2 to 30")
        return [(p.field, p.message) for p in problems]

    def _remember_confirmed_total(self, checked: bool) -> None:
        self._confirmed_total = self._total_minutes() if checked else None

    def _validate_agenda(self) -> list[tuple[str, str]]:
        phases = self.agenda()
        total = self._total_minutes()
        off = total - SESSION_MINUTES
        numbers_ok = all(
            isinstance(ph.minutes, int) and 1 <= ph.minutes <= SESSION_MINUTES for ph in phases
        )
        in_range = MIN_AGENDA_MINUTES <= total <= MAX_AGENDA_MINUTES  # else no confirming it
        needs_confirm = bool(phases) and numbers_ok and off != 0 and in_range
        if self.confirm_total.isChecked() and (not needs_confirm or total != self._confirmed_total):
            # Back to two hours, out of reach, or another total than the one confirmed:
            # forget the confirmation; the new total is asked about afresh.
            self.confirm_total.blockSignals(True)
            self.confirm_total.setChecked(False)
            self.confirm_total.blockSignals(False)
            self._confirmed_total = None
        confirmed = needs_confirm and self.confirm_total.isChecked()
        self.confirm_total.setVisible(needs_confirm)
        self.confirm_total.setText(
            f"C&onfirm a {'shorter' if off < 0 else 'longer'} agenda ({total} minutes)"
        )
        problems = agenda_problems(phases, confirm_total=confirmed)

        self.agenda_title.setText(
            "Agenda — two hours" if off == 0 or not phases else f"Agenda — {total} minutes"
        )
        if off == 0:
            words, problem = "exactly two hours", False
        else:
            words = f"{abs(off)} {'short' if off < 0 else 'over'}"
            words += " — confirmed" if confirmed else ""
            problem = not confirmed
        self.total.setText(f"Total {total} of {SESSION_MINUTES} minutes — {words}")
        self.total.setProperty("muted", "false" if problem else "true")
        self.total.setProperty("problem", "true" if problem else "false")
        repolish(self.total)

        fields = [(self._phase_row(m), m) for m in problems]
        by_row: dict[int, list[str]] = {}
        for row, message in fields:
            if row is not None:
                by_row.setdefault(row, []).append(message)
        # The messages name the phase; which cell to mark follows from the same limits.
        cells: dict[tuple[int, str], str] = {}
        for row, ph in enumerate(phases):
            if row not in by_row:
                continue
            message = "\n".join(by_row[row])
            name = ph.name.strip()
            if not name or len(name) > MAX_PHASE_NAME_LENGTH:
                cells[(row, "name")] = message
            if not isinstance(ph.minutes, int) or not 1 <= ph.minutes <= SESSION_MINUTES:
                cells[(row, "minutes")] = message
            if (
                not isinstance(ph.turn_seconds, int)
                or not MIN_TURN_SECONDS <= ph.turn_seconds <= MAX_TURN_SECONDS
            ):
                cells[(row, "turn_seconds")] = message
        shown = "agenda" in self._touched
        self.phases.set_problems(cells if shown else {})
        # The total's own problem is already said by the total line and its check box.
        inline = [m for m in problems if not m.startswith("The phases add up")]
        self.agenda_problem.setText("\n".join(inline))
        self.agenda_problem.setVisible(shown and bool(inline))
        _set_problem(self.phases_table, shown and bool(problems))
        return [("agenda" if row is None else f"phases[{row}]", m) for row, m in fields]

    @staticmethod
    def _phase_row(message: str) -> int | None:
        match = _PHASE_MESSAGE.match(message)
        return int(match.group(1)) - 1 if match else None

    def _fill_summary(self) -> None:
        self.summary.clear()
        for field, message in self._problems:
            item = QListWidgetItem(f"• {message}")
            item.setData(Qt.ItemDataRole.UserRole, field)
            self.summary.addItem(item)
        has = bool(self._problems)
        self.summary_title.setVisible(has)
        n = len(self._problems)
        self.summary_title.setText(
            f"To save, fix {'this' if n == 1 else f'these {n} things'} "
            "(Enter on a line goes to the field):"
        )
        self.summary.setVisible(has)
        if has:
            # Up to five lines show at once (a new form has about that many; with three, the
            # last went under tiny scroll arrows); the list scrolls for the rest.
            rows = min(SUMMARY_LINES, self.summary.count())
            height = sum(self.summary.sizeHintForRow(i) for i in range(rows))
            self.summary.setFixedHeight(height + 2 * self.summary.frameWidth())
        self.summary.setAccessibleDescription(
            " ".join(message for _f, message in self._problems) or "Nothing to fix."
        )

    def _go_to_problem(self, item: QListWidgetItem) -> None:
        field = str(item.data(Qt.ItemDataRole.UserRole) or "")
        widgets = {"reference": self.reference, "purpose": self.purpose, "venue": self.venue}
        if field in widgets:
            widgets[field].setFocus(Qt.FocusReason.OtherFocusReason)
            return
        person = _PERSON_FIELD.match(field)
        if person or field == "participants":
            row = int(person.group(1)) - 1 if person else 0
            key = person.group(2) if person else "name"
            self.people_table.setFocus(Qt.FocusReason.OtherFocusReason)
            self.people_table.select_row(row, self.people.column(key))
            return
        phase = re.match(r"^phases\[(\d+)\]$", field)
        if self.confirm_total.isVisible() and not phase:
            self.confirm_total.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.phases_table.setFocus(Qt.FocusReason.OtherFocusReason)
        if phase:
            self.phases_table.select_row(int(phase.group(1)))

    def _update_status(self) -> None:
        if self._failure:
            text = self._failure
        elif self._saved_at and self.is_dirty():
            text = f"Saved at {self._saved_at} · changes since then are not saved yet."
        elif self._saved_at:
            text = f"Saved at {self._saved_at}."
        elif self._locked:
            text = ""
        elif self._problems:
            text = ""  # the summary above says it
        elif self.is_dirty():
            text = "Ready to save."
        else:
            text = ""
        self.status.setText(text)

    # --- saving -------------------------------------------------------------------------
    def save(self) -> bool:
        """Record the preparation; True if it is on disk. On failure the form stays as is."""
        self._validate()
        if self._problems or self._locked:
            return False
        data = self.form_data()
        heard: list[str] = []

        def listen(message: str) -> None:
            heard.append(message)

        self.controller.notice.connect(listen)
        self.controller.storage_failed.connect(listen)
        try:
            ok = self.controller.act("prepare", **data)
        finally:
            self.controller.notice.disconnect(listen)
            self.controller.storage_failed.disconnect(listen)
        if not ok:
            reason = heard[0] if heard else "The session could not be saved."
            self._failure = f"Not saved: {reason} The form is as you left it."
            self._update_status()
            return False
        self._adopt_ids()
        self._failure = None
        self._snapshot = self.form_data()
        self._saved_at = self._clock_text()
        self._update_status()
        self.saved.emit()
        return True

    def save_and_check_in(self) -> bool:
        if not self.save():
            return False
        self.check_in_requested.emit()
        return True

    def go_back(self) -> None:
        if self.may_leave():
            self.cancelled.emit()

    def focus_default(self) -> None:
        """The first field, Kind (the main window calls it on showing Prepare)."""
        self.kind.setFocus(Qt.FocusReason.OtherFocusReason)

    def may_leave(self) -> bool:
        """Whether the screen may be left (Back, Home, New session, the records, Quit):
        at once when nothing is unsaved, else only if the facilitator agrees to lose the
        changes. Only asks: the caller leaves (without asking again) or, if it does not
        get that far, the changes stay unsaved and protected."""
        if not self.is_dirty() or self._locked:
            return True
        return self.confirm(
            "Leave without saving?",
            "You have changes that are not saved. Leave this screen and lose them?",
        )

    def _adopt_ids(self) -> None:
        # New people got ids from the session; keep them so the next save names the same people.
        state = self.controller.state
        if state is None or len(state.participants) != self.people.rowCount():
            return
        for row, person in enumerate(state.participants):
            if self.people.rows()[row].get("id") != person.id:
                self.people.set_hidden(row, person.id)

    def _clock_text(self) -> str:
        moment: datetime = self.controller.now().astimezone()
        return moment.strftime("%H:%M")

    # --- layout -------------------------------------------------------------------------
    def resizeEvent(self, event: Any) -> None:
        # Two columns when there is room for them at this font size, one above the other
        # otherwise (a small laptop at 150 % text).
        char = self.fontMetrics().averageCharWidth()
        wide = self.width() >= char * 130
        # Lines stay a readable length on a wide screen; the form sits in the middle.
        self.content.setMaximumWidth(char * 230)
        self.footer.setMaximumWidth(char * 230)
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.columns.direction() != direction:
            self.columns.setDirection(direction)
        super().resizeEvent(event)
