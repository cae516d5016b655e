"""Small widget makers the screens share: a label in a type role, a button with a spoken name,
and the line that reports a problem reading the records."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PySide6 import QtWidgets
from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QPushButton, QToolTip, QWidget

from rethink_desktop import APP_DISPLAY_NAME
from rethink_desktop.ui.theme import set_font_role


def window_title(*parts: str) -> str:
    """A top-level window's title, ending with the app's name: "Room display — Re-Think
    Desktop". Qt adds the name to a title that does not end with it, so it is never said
    twice ("… — DEMO (fictional) — Re-Think Desktop" was the main window's own title plus
    the name again)."""
    return " — ".join([*parts, APP_DISPLAY_NAME])


def sessions_text(count: int) -> str:
    """ "1 session", "2 sessions", "1,204 sessions"."""
    return f"{count:,} session{'' if count == 1 else 's'}"


def attended_text(row: dict[str, Any], *, spoken: bool = False) -> str:
    """ "6 of 6", with who came late or left early: "6 of 6 · 1 late · 1 left early" (a
    lone "6 of 6" hid them; they are attendance, recorded, not hidden). ``spoken``: the
    sentence for a screen reader, "6 of 6 attended, 1 late, 1 left early"."""
    parts = [f"{row['present']} of {row['participants']}" + (" attended" if spoken else "")]
    if row.get("late"):
        parts.append(f"{row['late']} late")
    if row.get("left_early"):
        parts.append(f"{row['left_early']} left early")
    return (", " if spoken else " · ").join(parts)


def give_way(widths: list[int], over: int, least: dict[int, int]) -> list[int]:
    """Table columns at ``widths`` with ``over`` pixels too many: the columns of ``least``,
    in its order, give up what they must, each down to its least width and no further (a
    table on a small screen at large type: History's, Home's lists)."""
    widths = list(widths)
    for column, floor in least.items():
        give = max(0, min(over, widths[column] - floor))
        widths[column] -= give
        over -= give
    return widths


class ElidedLabel(QLabel):
    """One line that shortens with "…" when there is no room for all of it, rather than
    widening the window past the screen. ``text()`` (what a screen reader reads) stays whole.
    ``mode`` is where the "…" goes: the middle keeps both ends (a time left at the end)."""

    def __init__(self, text: str = "", mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight):
        super().__init__(text)
        self.mode = mode
        # Asks for room for this text too, so a longer form it may take later ("Priya
        # (absent)") does not widen its column and move the rest along.
        self.hint_text = ""
        # An ending that is never shortened away ("Priya … (absent)"): the name gives way.
        self.keep_end = ""
        # Plain text always: it is drawn as is when shortened (a phase named "Q&amp;A" or
        # "<i>…" must read the same whether it fits or not).
        self.setTextFormat(Qt.TextFormat.PlainText)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        if self.hint_text:
            margins = self.contentsMargins()
            wide = self.fontMetrics().horizontalAdvance(self.hint_text) + margins.left() + 2
            hint.setWidth(max(hint.width(), wide + margins.right()))
        return hint

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self.fontMetrics().averageCharWidth() * 12), hint.height())

    def shown_text(self) -> str:
        """The text as drawn in the room the label has now."""
        width = self.contentsRect().width()
        metrics = self.fontMetrics()
        text, end = self.text(), self.keep_end
        if metrics.horizontalAdvance(text) <= width:
            return text
        if end and text.endswith(end) and len(text) > len(end):
            room = width - metrics.horizontalAdvance(end)
            return metrics.elidedText(text[: -len(end)], self.mode, max(0, room)) + end
        return metrics.elidedText(text, self.mode, width)

    def event(self, event: QEvent) -> bool:
        # Hovering a shortened line shows all of it; a whole one (or one with a tooltip of
        # its own) has nothing more to say.
        if event.type() == QEvent.Type.ToolTip and not self.toolTip():
            if self.shown_text() != self.text():
                QToolTip.showText(event.globalPos(), self.text(), self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        shown = self.shown_text()
        if shown == self.text():
            super().paintEvent(event)
            return
        rect = self.contentsRect()
        painter = QPainter(self)
        self.style().drawItemText(painter, rect, int(self.alignment().value), self.palette(),
                                  self.isEnabled(), shown, self.foregroundRole())  # fmt: skip
        painter.end()


class FittedLabel(QLabel):
    """One line drawn smaller, never cut, when it has less room than its type asks for (the
    live clock at 150 % type on a small laptop screen): its panel may be narrower than the
    text without pushing the screen past the window. ``least`` is the smallest it gets, as
    a share of its type's size."""

    def __init__(self, text: str = "", least: float = 0.5) -> None:
        super().__init__(text)
        self.least = least

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(math.ceil(hint.width() * self.least), hint.height())

    def fitted_font(self) -> QFont:
        """The font the text is drawn in, in the room the label has now."""
        font = self.font()
        room = self.contentsRect().width()
        wide = self.fontMetrics().horizontalAdvance(self.text())
        if wide <= room or wide == 0:
            return font
        font.setPointSizeF(font.pointSizeF() * max(self.least, room / wide))
        return font

    def paintEvent(self, event: QPaintEvent) -> None:
        font = self.fitted_font()
        if font == self.font():
            super().paintEvent(event)
            return
        painter = QPainter(self)
        painter.setFont(font)
        self.style().drawItemText(painter, self.contentsRect(), int(self.alignment().value),
                                  self.palette(), self.isEnabled(), self.text(),
                                  self.foregroundRole())  # fmt: skip
        painter.end()


class FlowLayout(QtWidgets.QLayout):
    """Widgets in a row that goes on to another line where the row has no room left (a
    filter row at 150 % type on a small screen), rather than widening the screen past the
    window. Each keeps its own width; lines are as tall as their tallest, each item in the
    middle of its line's height."""

    def __init__(self, spacing: int = 6, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[QtWidgets.QLayoutItem] = []
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QtWidgets.QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QtWidgets.QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QtWidgets.QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._lay_out(QRect(0, 0, width, 0), place=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._lay_out(rect, place=True)

    def sizeHint(self) -> QSize:
        shown = [item for item in self._items if not item.isEmpty()]
        width = sum(item.sizeHint().width() for item in shown)
        width += self.spacing() * max(0, len(shown) - 1)
        height = max((item.sizeHint().height() for item in shown), default=0)
        margins = self.contentsMargins()
        return QSize(width + margins.left() + margins.right(),
                     height + margins.top() + margins.bottom())  # fmt: skip

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _lay_out(self, rect: QRect, *, place: bool) -> int:
        """Place the items in ``rect`` (or only measure); the height they take."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        gap = self.spacing()
        lines: list[list[tuple[QtWidgets.QLayoutItem, int, int]]] = [[]]
        x = area.x()
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            width = min(hint.width(), max(item.minimumSize().width(), area.width()))
            if x > area.x() and x + width > area.right() + 1:
                lines.append([])
                x = area.x()
            lines[-1].append((item, width, hint.height()))
            x += width + gap
        y = area.y()
        for number, line in enumerate(lines):
            tallest = max((height for _, _, height in line), default=0)
            x = area.x()
            for item, width, height in line:
                if place:  # each in the middle of its line's height (a check box by a list)
                    item.setGeometry(QRect(x, y + (tallest - height) // 2, width, height))
                x += width + gap
            y += tallest + (gap if number < len(lines) - 1 else 0)
        return y - rect.y() + margins.bottom()


class Columns(QtWidgets.QBoxLayout):
    """Panels side by side where the room allows it, else one under the other (check-in's
    circle and the room's pulse at 150 % type on a small laptop), rather than widening the
    screen past the window."""

    _BESIDE = QtWidgets.QBoxLayout.Direction.LeftToRight
    _UNDER = QtWidgets.QBoxLayout.Direction.TopToBottom

    def __init__(self, spacing: int) -> None:
        super().__init__(self._BESIDE)
        self.setSpacing(spacing)
        # Stretch factors for side by side only (``set_beside_stretch``); one under another,
        # only the last stretches, so no gap opens between them.
        self._beside_stretch: dict[int, int] = {}

    def set_beside_stretch(self, index: int, stretch: int) -> None:
        self._beside_stretch[index] = stretch
        self._apply_stretch()

    def _apply_stretch(self) -> None:
        if not self._beside_stretch:
            return
        last = self.count() - 1
        for index in range(self.count()):
            beside = self._beside_stretch.get(index, 0)
            self.setStretch(
                index, beside if self.direction() == self._BESIDE else int(index == last)
            )

    def _shown(self) -> list[QtWidgets.QLayoutItem]:
        items = (self.itemAt(i) for i in range(self.count()))
        return [item for item in items if item is not None and not item.isEmpty()]

    def _beside_width(self) -> int:
        """The width all the items need side by side. An item that is itself a Columns
        counts as wide as its own items side by side: nested, four tiles go in one row, else
        in rows of two (not in two columns of two, which did not line up)."""
        shown = self._shown()
        margins = self.contentsMargins()

        def width(item: QtWidgets.QLayoutItem) -> int:
            inner = item.layout()
            return (
                inner._beside_width() if isinstance(inner, Columns) else item.minimumSize().width()
            )

        return (sum(width(item) for item in shown) + margins.left()
                + margins.right() + self.spacing() * max(0, len(shown) - 1))  # fmt: skip

    def setGeometry(self, rect: QRect) -> None:
        wanted = self._BESIDE if rect.width() >= self._beside_width() else self._UNDER
        if self.direction() != wanted:
            self.setDirection(wanted)
            self._apply_stretch()
        super().setGeometry(rect)

    def minimumSize(self) -> QSize:
        size = super().minimumSize()
        margins = self.contentsMargins()
        shown = self._shown()
        if self.direction() == self._BESIDE:  # as narrow as they are one under the other
            widest = max((item.minimumSize().width() for item in shown), default=0)
            size.setWidth(widest + margins.left() + margins.right())
        else:  # each as tall as it would like: the screen scrolls, not a squeezed list
            tall = sum(max(item.minimumSize().height(), item.sizeHint().height()) for item in shown)
            size.setHeight(tall + self.spacing() * max(0, len(shown) - 1) + margins.top()
                           + margins.bottom())  # fmt: skip
        return size


class DownScroll(QtWidgets.QScrollArea):
    """Scrolls up and down only, and is never narrower than its content's minimum: a
    scroll area asks for almost no width, so its panel was squeezed below what the content
    needs, and with no sideways scrolling the right of it was cut off (the live circle's
    talk times at 150 % on 1024 × 600). The scroll bar's width is counted in."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def setWidget(self, widget: QWidget) -> None:
        super().setWidget(widget)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # rows added or longer text: ask for the room again
        return super().eventFilter(watched, event)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        content = self.widget()
        if content is None:
            return hint
        bar = self.verticalScrollBar().sizeHint().width()
        width = content.minimumSizeHint().width() + bar + 2 * self.frameWidth()
        return QSize(max(hint.width(), width), hint.height())


def label(
    text: str = "",
    role: str | None = "body",
    *,
    bold: bool = False,
    muted: bool = False,
    tabular: bool = False,
    name: str = "",
    wrap: bool = False,
    elide: bool | Qt.TextElideMode = False,
) -> QLabel:
    """A label in a type role (``None``: the app's own font), muted if asked, named for
    screen readers if ``name`` is given; ``elide``: one line that may end in "…" (True: at
    the right; or where the mode puts it, the middle keeping a "(GP)" at the end)."""
    if elide is False:
        made = QLabel(text)
    else:
        made = ElidedLabel(text, Qt.TextElideMode.ElideRight if elide is True else elide)
    if role is not None:
        set_font_role(made, role, bold=bold, tabular=tabular)
    if muted:
        made.setProperty("muted", True)
    if name:
        made.setAccessibleName(name)
    made.setWordWrap(wrap)
    return made


def demo_marker() -> QLabel:
    """A screen's mark that its session is the trainers' demo (hidden until shown)."""
    made = label("DEMO · fictional training scenario", "body", bold=True)
    made.setProperty("tone", "accent")
    made.setWordWrap(False)
    made.setAccessibleName("Demo session: fictional, not a real record")
    made.hide()
    return made


def problem_label(name: str) -> QLabel:
    """Hidden until a read or a check fails; then it shows the message, as plain text."""
    made = QLabel()
    made.setWordWrap(True)
    made.setProperty("problem", True)
    made.setAccessibleName(name)
    made.setTextFormat(Qt.TextFormat.PlainText)
    made.hide()
    return made


def button(
    text: str,
    name: str,
    *,
    clicked: Callable[..., Any] | None = None,
    height_em: float = 2.0,
    role: str | None = None,
    primary: bool = False,
) -> QPushButton:
    """A push button with a spoken name, ``height_em`` lines of its font tall, in a type
    ``role`` if given; ``primary`` marks the screen's main action (accent colour, bold)."""
    made = QPushButton(text)
    if role is not None:
        set_font_role(made, role, bold=primary)
    if primary:
        made.setProperty("primary", True)
    made.setAccessibleName(name)
    made.setMinimumHeight(round(QFontMetrics(made.font()).height() * height_em))
    if clicked is not None:
        made.clicked.connect(clicked)
    return made


def enter_presses_buttons(root: QWidget) -> None:
    """Enter (or Return) on a focused push button under ``root`` presses it, as Space does:
    outside a dialog Qt leaves that to Space alone, and "New session", focused, did nothing
    on Enter. Buttons that keep a choice (checkable) are left to Space."""
    for found in root.findChildren(QPushButton):
        if not found.isCheckable() and not found.autoDefault():
            found.setAutoDefault(True)


def question_box(parent: QWidget | None, title: str, text: str) -> QtWidgets.QMessageBox:
    """The box ``ask`` shows: the question itself in the box (not every system shows a
    dialog's title bar), what follows from it below, and Yes and No."""
    buttons = QtWidgets.QMessageBox.StandardButton
    box = QtWidgets.QMessageBox(parent)
    box.setIcon(QtWidgets.QMessageBox.Icon.Question)
    # The title whole, the app's name with it: Qt sizes the box for the title it is given
    # and added the name after, so a window manager's title bar read "End the se…nk
    # Desktop" over a box 200 px wide.
    box.setWindowTitle(window_title(title))
    box.setText(title)
    box.setInformativeText(text)
    box.setStandardButtons(buttons.Yes | buttons.No)
    box.setDefaultButton(buttons.No)
    # What follows from the question reads as a line (about 40 characters), not three words
    # a line under the short question, and the box leaves room beside the title for the
    # title bar's icon and buttons.
    info = box.findChild(QLabel, "qt_msgbox_informativelabel")
    if info is not None:
        line = QFontMetrics(box.font()).averageCharWidth() * 40
        info.setMinimumWidth(fitted(box, max(line, title_bar_width(box, box.windowTitle()))))
    return box


def title_bar_width(window: QWidget, shown: str) -> int:
    """The width a window manager needs for the title ``shown`` (the app's name with it):
    in bold, beside the title bar's icon and buttons. At the width of its few words, a
    dialog's title read "Leavin… esktop" or "End the se…nk Desktop"."""
    bold = QFont(window.font())
    bold.setBold(True)
    metrics = QFontMetrics(bold)  # its height, not pointSize(): -1 for a font set in pixels
    return metrics.horizontalAdvance(shown) + 6 * metrics.height()


def fitted(window: QWidget, width: int) -> int:
    """``width``, but never more than the screen leaves room for: a long reference in large
    type on a 1024 × 600 laptop at 150 % put a box's Yes and No off its right edge (a cut
    title is less)."""
    screen = window.screen()
    if screen is not None and not screen.availableGeometry().isEmpty():
        return min(width, round(screen.availableGeometry().width() * 0.6))
    return width


def ask(parent: QWidget, title: str, text: str) -> bool:
    """A yes/no question whose default answer (Enter) is No."""
    return question_box(parent, title, text).exec() == QtWidgets.QMessageBox.StandardButton.Yes


def headed_layout(dialog: QWidget, heading: str) -> QtWidgets.QVBoxLayout:
    """A dialog's column at the app's dialog margins, its bold heading first."""
    layout = QtWidgets.QVBoxLayout(dialog)
    layout.setContentsMargins(24, 24, 24, 16)
    layout.setSpacing(12)
    title = QLabel(heading)
    set_font_role(title, "heading", bold=True)
    layout.addWidget(title)
    return layout


NO_CHOICE = "Choose…"


class _EnterChoosesNothing(QObject):
    """Eats Enter in a list: it would press the dialog's default button."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        enter = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        return event.type() == QEvent.Type.KeyPress and event.key() in enter  # type: ignore[attr-defined]


def choose(
    parent: QWidget, title: str, question: str, items: list[str], action: str = "OK"
) -> str | None:
    """One of ``items``, or None if the dialog was cancelled. Nothing is chosen at first, OK
    waits for a choice, and Enter in the list chooses nothing: Tab to OK, then Enter. Qt's
    own chooser started on the first item, so a stray key and Enter recorded that person
    (the one speaking, often) as leaving; and typing picks a name by its first letters, so
    a second L pressed by mistake picked a Laura, which Enter then recorded. ``action``
    names the button that does it ("Record", "Give the floor"), as a plain OK did not."""
    dialog = QtWidgets.QDialog(parent)
    dialog.setWindowTitle(title)
    layout = QtWidgets.QVBoxLayout(dialog)
    words = QLabel(question)
    combo = QtWidgets.QComboBox()
    combo.addItems([NO_CHOICE, *items])
    combo.setAccessibleName(question)
    combo.installEventFilter(_EnterChoosesNothing(combo))
    words.setBuddy(combo)
    buttons = QtWidgets.QDialogButtonBox(
        QtWidgets.QDialogButtonBox.StandardButton.Ok
        | QtWidgets.QDialogButtonBox.StandardButton.Cancel
    )
    ok = buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
    ok.setText(action)
    ok.setEnabled(False)
    combo.currentIndexChanged.connect(lambda index: ok.setEnabled(index > 0))
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    for part in (words, combo, buttons):
        layout.addWidget(part)
    # Wide enough for its title as a window manager shows it (Qt adds the app's name).
    named = QtWidgets.QApplication.applicationDisplayName()
    shown = f"{title} — {named}" if named else title
    dialog.setMinimumWidth(fitted(dialog, title_bar_width(dialog, shown) + 60))
    combo.setFocus()
    chosen = dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted
    index = combo.currentIndex()
    dialog.deleteLater()
    return items[index - 1] if chosen and index > 0 else None
