"""Check-in: who is here, the room's pulse, who speaks first — then the doors close.

Nothing is recorded until Start: one ``checked_in`` event (present ids and the pulse), then
``started``. Late arrivals are recorded later, in the live view.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from functools import partial
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import (
    QFocusEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QKeySequence,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from rethink_desktop.core.agenda import KIND_LABELS
from rethink_desktop.core.state import MIN_PARTICIPANTS, Participant
from rethink_desktop.ui import widgets
from rethink_desktop.ui.controller import SessionController
from rethink_desktop.ui.theme import repolish, set_font_role

# A chosen button must not rely on colour alone: it inverts (a strong lightness change) and
# turns bold. palette() follows the app palette, so a theme switch needs no rebuild here.

SKIPPED = object()  # the value of an explicit "skip this question" choice


_label = partial(widgets.label, wrap=True)


def set_primary_enabled(button: QPushButton, enabled: bool) -> None:
    """Enable a primary button; disabled, it looks like a plain one so its text stays legible."""
    button.setEnabled(enabled)
    if bool(button.property("primary")) != enabled:
        button.setProperty("primary", enabled)
        repolish(button)


class ChoiceButtons(QWidget):
    """One exclusive row of large checkable buttons: Tab enters the row, arrows move, Space picks.

    Nothing is chosen at first. Words under the first and last buttons say what the ends
    mean; an optional skip button records an explicit "no answer".
    """

    changed = Signal()

    def __init__(
        self,
        name: str,
        choices: Sequence[tuple[Any, str]],
        *,
        ends: tuple[str, str] | None = None,
        skip_text: str | None = None,
        role: str = "body",
        square: bool = False,
        height: float = 2.2,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.name = name
        self.setAccessibleName(name)
        self._values: list[Any] = []
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: list[QPushButton] = []
        self.skip_button: QPushButton | None = None
        self._height = height  # button height, in lines of its own font

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        for column, (value, text) in enumerate(choices):
            button = self._add_button(text, value, role, square)
            grid.addWidget(button, 0, column)
        if ends is not None and self.buttons:
            low, high = ends
            self.buttons[0].setAccessibleName(f"{name}: {choices[0][1]}, {low}")
            self.buttons[-1].setAccessibleName(f"{name}: {choices[-1][1]}, {high}")
            last = len(self.buttons) - 1
            span = min(3, len(self.buttons))
            low_label = _label(f"{choices[0][1]} {low}", "label", muted=True)
            high_label = _label(f"{choices[-1][1]} {high}", "label", muted=True)
            low_label.setWordWrap(False)
            high_label.setWordWrap(False)
            # Each caption spans a few columns so that longer words never widen one button.
            grid.addWidget(low_label, 1, 0, 1, span, Qt.AlignmentFlag.AlignLeft)
            grid.addWidget(high_label, 1, last - span + 1, 1, span, Qt.AlignmentFlag.AlignRight)
        if skip_text is not None:
            self.skip_button = self._add_button(skip_text, SKIPPED, "body", False)
            # A little air before the skip button, so it does not read as another score.
            grid.setColumnMinimumWidth(len(choices), 8)
            grid.addWidget(self.skip_button, 0, len(choices) + 1)
        grid.setColumnStretch(len(choices) + 2, 1)
        self.group.idToggled.connect(self._on_toggled)

    def _add_button(self, text: str, value: Any, role: str, square: bool) -> QPushButton:
        button = QPushButton(text)
        set_font_role(button, role, bold=square)
        button.setCheckable(True)
        button.setAccessibleName(f"{self.name}: {text}")
        if square:
            button.setProperty("square", True)
        # Measure in bold: a chosen button turns bold and must not clip its text.
        bold = QFont(button.font())
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        height = int(metrics.height() * self._height)
        button.setMinimumHeight(height)
        # The app's style sheet (ui.theme): a 2 px edge and 6 px (square) or 14 px of padding
        # a side, chosen or not, focused or not (a thicker focus edge takes from the padding).
        padding = 16 if square else 2 * 14 + 8
        button.setMinimumWidth(
            max(height if square else 0, metrics.horizontalAdvance(text) + padding)
        )
        button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        button.installEventFilter(self)
        self.group.addButton(button, len(self._values))
        self._values.append(value)
        if value is not SKIPPED:
            self.buttons.append(button)
        return button

    def _on_toggled(self, _id: int, checked: bool) -> None:
        if checked:
            self.changed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Tab into the row lands on the chosen button, so Space there keeps the answer
        # (Qt's order would land on the first, and Space would change a 6 to a 1).
        if event.type() == QEvent.Type.FocusIn and isinstance(event, QFocusEvent):
            checked = self.group.checkedButton()
            tabbed = event.reason() in (
                Qt.FocusReason.TabFocusReason,
                Qt.FocusReason.BacktabFocusReason,
            )
            if tabbed and checked is not None and watched is not checked:
                checked.setFocus(event.reason())
        return False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """A digit chooses the button with that number (a rating's 1 to 5), as people try;
        on a 1–10 row, 0 is 10 (so typing 1 then 0 ends on 10, not on 1)."""
        texts = [button.text() for button in self.buttons]
        key = "10" if event.text() == "0" and "10" in texts else event.text()
        if key in texts and event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        ):
            button = self.buttons[texts.index(key)]
            button.setChecked(True)
            button.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
        super().keyPressEvent(event)

    # --- value ----------------------------------------------------------------------------
    def _chosen(self) -> Any:
        index = self.group.checkedId()
        return None if index < 0 else self._values[index]

    def value(self) -> Any:
        """The chosen value, or None when nothing (or skip) is chosen."""
        chosen = self._chosen()
        return None if chosen is SKIPPED else chosen

    def skipped(self) -> bool:
        return self._chosen() is SKIPPED

    def answered(self) -> bool:
        """A value or an explicit skip has been chosen."""
        return self.group.checkedId() >= 0

    def set_value(self, value: Any) -> None:
        """Choose ``value``; None clears the row."""
        if value is None:
            self.clear()
            return
        self.group.button(self._values.index(value)).setChecked(True)

    def skip(self) -> None:
        if self.skip_button is not None:
            self.skip_button.setChecked(True)

    def clear(self) -> None:
        """Nothing chosen, and Tab enters the row at its first button again."""
        checked = self.group.checkedButton()
        self._tab_stop_first()
        if checked is None:
            return
        # An exclusive group refuses to uncheck its last button; lift the rule for a moment.
        self.group.setExclusive(False)
        checked.setChecked(False)
        self.group.setExclusive(True)
        self.changed.emit()

    def _tab_stop_first(self) -> None:
        # Qt makes the row one stop for Tab, at the button last chosen or focused, and keeps
        # it there once the choice is cleared: the next person to rate tabbed straight onto
        # the last one's answers (focused, read out by a screen reader, one Space away).
        first = self.group.buttons()[0]
        for button in self.group.buttons():
            policy = button.focusPolicy()
            tab = Qt.FocusPolicy.TabFocus
            button.setFocusPolicy(policy | tab if button is first else policy & ~tab)

    def focus_first(self) -> None:
        """Focus the chosen button, or the first one."""
        (self.group.checkedButton() or self.group.buttons()[0]).setFocus(
            Qt.FocusReason.TabFocusReason
        )


class PulseSelector(QWidget):
    """The facilitator's tension pulse, 1 calm … 10 tense; may be left unset."""

    changed = Signal()

    def __init__(
        self, name: str = "Tension pulse", *, role: str = "body", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.choices = ChoiceButtons(
            name,
            [(n, str(n)) for n in range(1, 11)],
            ends=("calm", "tense"),
            role=role,
            square=True,
        )
        self.readout = _label("Not set", muted=True)
        self.readout.setAccessibleName(f"{name} chosen")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setAccessibleName(f"Clear the {name.lower()}")
        self.clear_button.setEnabled(False)
        self.clear_button.clicked.connect(self.choices.clear)

        self.readout.setWordWrap(False)
        row = QHBoxLayout()
        row.setSpacing(16)
        row.addWidget(self.readout)
        row.addWidget(self.clear_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.choices)
        layout.addLayout(row)
        self.choices.changed.connect(self._on_changed)

    def _on_changed(self) -> None:
        value = self.value()
        self.readout.setText("Not set" if value is None else f"{value} of 10")
        self.clear_button.setEnabled(value is not None)
        self.changed.emit()

    def value(self) -> int | None:
        return self.choices.value()

    def set_value(self, value: int | None) -> None:
        self.choices.set_value(value)
        self._on_changed()

    def focus_first(self) -> None:
        self.choices.focus_first()


class _ArrowsBetween(QObject):
    """Up/Down move focus along a list of widgets (the seats), keeping the focused one in view."""

    def __init__(self, scroll: QScrollArea, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scroll = scroll
        self.widgets: list[QWidget] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and watched in self.widgets
        ):
            step = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1}.get(Qt.Key(event.key()))
            if step is not None:
                index = self.widgets.index(watched) + step  # type: ignore[arg-type]
                if 0 <= index < len(self.widgets):
                    self.widgets[index].setFocus(Qt.FocusReason.TabFocusReason)
                    self.scroll.ensureWidgetVisible(self.widgets[index])
                return True
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QWidget):
            self.scroll.ensureWidgetVisible(watched)
        return False


class CheckInView(QWidget):
    """Mark who is present, take the room's pulse, choose who starts, and start."""

    started = Signal()
    back_requested = Signal()

    def __init__(self, controller: SessionController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.presence: dict[str, QCheckBox] = {}
        self._acting = False
        self.setAccessibleName("Check in")

        self.back_button = QPushButton("← Back to preparation")
        self.back_button.setAccessibleName("Back to preparation")
        self.back_button.clicked.connect(self.back_requested)
        self.heading = _label("Check in", "heading", bold=True)
        self.heading.setAccessibleName("Session")
        self.demo_marker = widgets.demo_marker()
        intro = _label("Mark who is here. The doors close when you start.", muted=True)

        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(self.heading, 1)
        top.addWidget(self.demo_marker, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)

        self.columns = columns = widgets.Columns(24)  # one under the other when narrow
        columns.addWidget(self._build_people_panel(), 3)
        columns.addWidget(self._build_room_panel(), 2)

        self.hint = _label(
            "Someone arriving after the start is recorded as late and joins at their seat.",
            "label",
            muted=True,
        )
        self.message = _label("", "body")
        self.message.setProperty("tone", "attention")
        self.message.setAccessibleName("Why start is not possible")
        self.message.hide()
        self.start_button = QPushButton("Start — close the doors")
        self.start_button.setProperty("primary", True)
        set_font_role(self.start_button, "body", bold=True)
        self.start_button.setMinimumHeight(
            int(QFontMetrics(self.start_button.font()).height() * 2.4)
        )
        self.start_button.setAccessibleName("Start the session and close the doors")
        self.start_button.setToolTip("Ctrl+Return")
        self.start_button.clicked.connect(self.start_session)
        shortcut_hint = _label("Ctrl+Return", "label", muted=True)
        shortcut_hint.setWordWrap(False)

        notes = QVBoxLayout()
        notes.setSpacing(4)
        notes.addWidget(self.message)
        notes.addWidget(self.hint)
        bottom = QHBoxLayout()
        bottom.setSpacing(16)
        bottom.addLayout(notes, 1)
        bottom.addWidget(shortcut_hint, 0, Qt.AlignmentFlag.AlignVCenter)
        bottom.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignVCenter)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.setSpacing(16)
        layout.addLayout(top)
        layout.addWidget(intro)
        layout.addLayout(columns, 1)
        layout.addLayout(bottom)

        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.setAutoRepeat(False)
            shortcut.activated.connect(self.start_session)

        controller.notice.connect(self._on_refused)
        controller.storage_failed.connect(self._on_refused)

    # --- building -------------------------------------------------------------------------
    def _build_people_panel(self) -> QFrame:
        panel = QFrame()
        panel.setObjectName("panel")
        title = _label("Who is here", "phase")
        title.setWordWrap(False)
        self.count_label = _label("", "body", bold=True)
        self.count_label.setWordWrap(False)
        self.count_label.setAccessibleName("Number present")
        header = QHBoxLayout()
        header.addWidget(title, 1)
        header.addWidget(self.count_label, 0, Qt.AlignmentFlag.AlignBottom)

        self.rows = QWidget()
        self.rows_grid = QGridLayout(self.rows)
        self.rows_grid.setContentsMargins(0, 0, 8, 0)
        self.rows_grid.setHorizontalSpacing(16)
        self.rows_grid.setVerticalSpacing(12)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self.rows)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # The panel's surface shows through; a second background would look like a box-in-box.
        self.scroll.viewport().setAutoFillBackground(False)
        self.rows.setAutoFillBackground(False)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.arrows = _ArrowsBetween(self.scroll, self)

        layout = QVBoxLayout(panel)
        layout.setContentsMargins(24, 16, 16, 16)
        layout.setSpacing(12)
        layout.addLayout(header)
        layout.addWidget(self.scroll, 1)
        return panel

    def _build_room_panel(self) -> QFrame:
        panel = QFrame()
        panel.setObjectName("panel")
        pulse_title = _label("How tense does the room feel?", "phase")
        pulse_note = _label("Your own read of the room, before the start. Optional.", muted=True)
        self.pulse = PulseSelector("Tension pulse at the start")

        starter_title = _label("Who speaks first", "phase")
        self.first_seat = QRadioButton("First seat present")
        self.choose = QRadioButton("Choose…")
        self.random_start = QRadioButton("Random")
        self.starter_group = QButtonGroup(self)
        for button in (self.first_seat, self.choose, self.random_start):
            set_font_role(button, "body")
            self.starter_group.addButton(button)
        self.first_seat.setAccessibleName("First seat present speaks first")
        self.choose.setAccessibleName("Choose who speaks first")
        self.random_start.setAccessibleName("A random person speaks first")
        self.first_seat.setChecked(True)
        self.starter_combo = QComboBox()
        set_font_role(self.starter_combo, "body")
        self.starter_combo.setAccessibleName("Person who speaks first")
        self.starter_combo.hide()
        # Its room is kept while hidden: picking "Choose…" grew the row, and the screen with it.
        policy = self.starter_combo.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.starter_combo.setSizePolicy(policy)
        self.starter_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.starter_combo.setMinimumContentsLength(12)
        self.starter_group.buttonToggled.connect(self._on_starter_mode)

        choose_row = QHBoxLayout()
        choose_row.setSpacing(12)
        choose_row.addWidget(self.choose)
        choose_row.addWidget(self.starter_combo)
        choose_row.addStretch(1)

        layout = QVBoxLayout(panel)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(8)
        layout.addWidget(pulse_title)
        layout.addWidget(pulse_note)
        layout.addWidget(self.pulse)
        layout.addSpacing(16)
        layout.addWidget(starter_title)
        layout.addWidget(self.first_seat)
        layout.addLayout(choose_row)
        layout.addWidget(self.random_start)
        layout.addStretch(1)
        return panel

    # --- filling from the session ---------------------------------------------------------
    def load(self) -> None:
        """Fill from the controller's draft or checked-in session."""
        state = self.controller.state
        self._clear_rows()
        participants: list[Participant] = state.participants if state else []
        self.heading.setText(self._heading_text())
        self.demo_marker.setVisible(bool(state and state.demo))
        checked_in = state is not None and state.status == "checked_in"
        for row, person in enumerate(participants):
            self._add_row(row, person, present=not checked_in or person.in_room)
        # The people between Back and the pulse in the Tab chain, as on the screen: the rows
        # are made after the rest, so Qt's order would jump from the last person to Back.
        chain = [self.back_button, *self.arrows.widgets, self.pulse.choices.buttons[0]]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)
        # Names and where they come from share the room: with only the agency's column
        # stretching, long names took nearly all of it at 150 %.
        self.rows_grid.setColumnStretch(1, 1)
        self.rows_grid.setColumnStretch(2, 1)
        self.rows_grid.setRowStretch(len(participants), 1)
        self.pulse.set_value(state.pulse_start if state else None)
        self.first_seat.setChecked(True)
        self._on_presence()
        self.message.hide()

    def _heading_text(self) -> str:
        state = self.controller.state
        if state is None:
            return "Check in"
        parts = ["Check in", state.reference, KIND_LABELS.get(state.kind, state.kind)]
        return " · ".join(p for p in parts if p)

    def _clear_rows(self) -> None:
        while self.rows_grid.count():
            item = self.rows_grid.takeAt(0)
            widget = item.widget() if item else None
            if widget is not None:
                widget.deleteLater()
        for row in range(self.rows_grid.rowCount()):
            self.rows_grid.setRowStretch(row, 0)
        self.presence.clear()
        self.arrows.widgets.clear()

    def _add_row(self, row: int, person: Participant, *, present: bool) -> None:
        seat = _label(str(person.seat), "body", muted=True)
        seat.setWordWrap(False)
        seat.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # One line each, ending in "…" when the list is narrow (150 % type): a long name
        # pushed the list sideways, cut from the left, and the agency and role went one word
        # to a line. The name asks for room for its "(absent)" form from the start: marking
        # someone absent widened the column and moved every row's agency along.
        name = widgets.label(person.name or person.label, "body", bold=True, elide=True)
        name.hint_text = f"{person.name or person.label} (absent)"
        where = " · ".join(p for p in (person.agency, person.role) if p)
        agency = widgets.label(where, "body", muted=True, elide=True)
        agency.setToolTip(where)
        box = QCheckBox("Present")
        set_font_role(box, "body")
        box.setChecked(present)
        box.setAccessibleName(f"{person.name or person.label} present")
        box.setAccessibleDescription(f"Seat {person.seat}, {where}")
        box.toggled.connect(self._on_presence)
        # Absent reads in words too, and the row goes quiet, not only the box's tick.
        box.toggled.connect(lambda here, n=name, p=person: self._show_presence(n, p, here))
        self._show_presence(name, person, present)
        box.installEventFilter(self.arrows)
        self.presence[person.id] = box
        self.arrows.widgets.append(box)
        self.rows_grid.addWidget(seat, row, 0)
        self.rows_grid.addWidget(name, row, 1)
        self.rows_grid.addWidget(agency, row, 2)
        self.rows_grid.addWidget(box, row, 3)

    @staticmethod
    def _show_presence(name: widgets.ElidedLabel, person: Participant, present: bool) -> None:
        label = person.name or person.label
        name.setText(label if present else f"{label} (absent)")
        name.setToolTip(name.text())
        name.keep_end = "" if present else " (absent)"  # it stays when the name is cut
        if bool(name.property("muted")) != (not present):
            name.setProperty("muted", not present)
            repolish(name)

    # --- reacting -------------------------------------------------------------------------
    def present_ids(self) -> list[str]:
        """Ids of the people marked present, in seating order."""
        return [pid for pid, box in self.presence.items() if box.isChecked()]

    def _on_presence(self) -> None:
        present = self.present_ids()
        total = len(self.presence)
        self.count_label.setText(f"{len(present)} of {total} present")
        self._refill_starters(present)
        enough = len(present) >= MIN_PARTICIPANTS
        set_primary_enabled(self.start_button, enough)
        if enough:
            self.message.hide()
        else:
            self._show_message(
                f"At least {MIN_PARTICIPANTS} people must be present to start. Mark who is here."
            )

    def _refill_starters(self, present: list[str]) -> None:
        state = self.controller.state
        if state is None:
            return
        keep = self.starter_combo.currentData()
        self.starter_combo.clear()
        for pid in present:
            person = state.participant(pid)
            self.starter_combo.addItem(f"{person.seat} · {person.name or person.label}", pid)
        index = self.starter_combo.findData(keep)
        self.starter_combo.setCurrentIndex(max(index, 0))

    def _on_starter_mode(self, _button: QAbstractButton, _checked: bool) -> None:
        # Hidden rather than greyed out: the theme draws a disabled combo like an active one.
        self.starter_combo.setVisible(self.choose.isChecked())

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def _on_refused(self, text: str) -> None:
        if self._acting:
            self._show_message(text)

    def choose_starter(self, participant_id: str) -> None:
        """Select "Choose…" with this person (used by keyboard users and tests alike)."""
        self.choose.setChecked(True)
        index = self.starter_combo.findData(participant_id)
        if index >= 0:
            self.starter_combo.setCurrentIndex(index)

    def starter_and_seed(self) -> tuple[str | None, int | None]:
        """Who starts: None means the first seat present (or the seeded random draw)."""
        if self.choose.isChecked():
            return self.starter_combo.currentData(), None
        if self.random_start.isChecked():
            # The seed is recorded, so the draw can be replayed exactly after a crash.
            return None, random.SystemRandom().randrange(2**31)
        return None, None

    # --- starting -------------------------------------------------------------------------
    def start_session(self) -> bool:
        """Record who is present and the pulse, then start the clock."""
        present = self.present_ids()
        if len(present) < MIN_PARTICIPANTS or not self.start_button.isEnabled():
            return False
        starter, seed = self.starter_and_seed()
        self._acting = True
        try:
            if not self.controller.act("check_in", present, pulse=self.pulse.value()):
                return False
            if not self.controller.start(starter=starter, seed=seed):
                return False
        finally:
            self._acting = False
        self.started.emit()
        return True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.focusWidget():
            self.focus_default()

    def focus_default(self) -> None:
        """The first person, so that Space marks them and Tab goes on to the next."""
        if self.arrows.widgets:
            self.arrows.widgets[0].setFocus(Qt.FocusReason.OtherFocusReason)


__all__ = [
    "CheckInView",
    "ChoiceButtons",
    "PulseSelector",
    "set_primary_enabled",
]
