"""The live session's keyboard map: one definition for the shortcuts, the F1 sheet and the docs."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QWidget,
)

from rethink_desktop.ui import widgets
from rethink_desktop.ui.theme import set_font_role


@dataclass(frozen=True)
class Binding:
    action: str  # the LiveView method name it triggers
    keys: tuple[str, ...]  # QKeySequence strings
    shown: str  # how the key is written for people
    text: str  # what it does
    # A held key repeats it; every other live key acts once per press (a held Space must
    # not skip speakers).
    repeat: bool = False


LIVE_KEYS: tuple[Binding, ...] = (
    Binding(
        "next_turn",
        ("Space",),
        "Space",
        "End the current turn and start the next (the first press starts the first turn)",
    ),
    Binding("pass_turn", ("P",), "P", "The current speaker passes (a choice, recorded)"),
    Binding("undo", ("Ctrl+Z",), "Ctrl+Z", "Undo the last rotation or phase step (repeatable)"),
    Binding("redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "Ctrl+Shift+Z or Ctrl+Y", "Redo what was undone"),
    Binding("pick_seat", (), "1 – 9", "Give the floor to the person in that seat"),
    Binding("toggle_space", ("R",), "R", "Start or stop the “space” timer for silent reflection"),
    Binding("next_phase", ("N",), "N", "Move to the next phase of the agenda"),
    Binding("next_card", ("Right",), "Right", "Next prompt card"),
    Binding("previous_card", ("Left",), "Left", "Previous prompt card"),
    Binding("toggle_card", ("H",), "H", "Show or hide the card on the room display"),
    Binding("toggle_blank", ("B",), "B", "Blank or unblank the room display"),
    Binding(
        "toggle_pause", ("Ctrl+P", "Pause"), "Ctrl+P or Pause", "Pause or resume the meeting clock"
    ),
    Binding(
        "toggle_room_display",
        ("D",),
        "D",
        "Open or close the room display (restores a minimised one)",
    ),
    Binding("arrival", ("A",), "A", "Record a late arrival or someone coming back (at their seat)"),
    Binding("departure", ("L",), "L", "Record someone leaving early"),
    Binding("end_session", ("Ctrl+E",), "Ctrl+E", "End the session and go to the close"),
    # F11 and F1 belong to the View and Help menus (two shortcuts on one key cancel out).
    Binding("toggle_full_screen", (), "F11", "Full screen"),
    Binding("show_keys", (), "F1", "This keyboard map"),
    Binding("give_floor", ("G",), "G", "Give the floor to anyone, by name (any seat, 1 – 30)"),
    Binding(
        "page_down",
        ("PgDown",),
        "Page Down",
        "Scroll down the circle and the balance by agency when they do not fit (then the screen)",
        repeat=True,
    ),
    Binding("page_up", ("PgUp",), "Page Up", "Scroll back up", repeat=True),
)

OTHER_KEYS: tuple[tuple[str, str], ...] = (
    ("Ctrl+Return", "Check-in: start the session (close the doors)"),
    ("Ctrl+N", "New session"),
    ("Ctrl+Shift+H", "Home (not during a live session)"),
    ("Ctrl+H", "History of sessions (not during a live session or a close)"),
    ("Ctrl+Shift+D", "Dashboard of trends (not during a live session or a close)"),
    ("Ctrl+Q", "Quit (asks first during a live session or with unsaved changes)"),
)


def seat_keys() -> list[tuple[str, int]]:
    return [(str(n), n) for n in range(1, 10)]


class KeyMapDialog(QDialog):
    """The F1 sheet: every key of the live session, large and plain."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard map")
        self.setAccessibleName("Keyboard map of the live session")
        layout = widgets.headed_layout(self, "Keys for the live session")
        hint = QLabel("Every action is saved before the screen changes. Nothing cuts anyone off.")
        hint.setProperty("muted", True)
        hint.setWordWrap(True)
        layout.addWidget(hint)
        # The rows scroll if the screen is too small for them (a laptop at 150 % type):
        # a dialog does not grow for labels that wrap, so they were cut off or overlapped.
        body = QWidget()
        grid = QGridLayout(body)
        grid.setContentsMargins(6, 4, 6, 4)  # clear of the focus ring
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(6)
        rows = [(b.shown, b.text) for b in LIVE_KEYS] + list(OTHER_KEYS)
        self.text_labels: list[QLabel] = []
        for row, (key, text) in enumerate(rows):
            key_label = QLabel(key)
            set_font_role(key_label, "body", bold=True)
            key_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            text_label = QLabel(text)
            text_label.setWordWrap(True)
            grid.addWidget(key_label, row, 0)
            grid.addWidget(text_label, row, 1)
            self.text_labels.append(text_label)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(len(rows), 1)
        self.scroll = QScrollArea()
        self.scroll.setWidget(body)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setAccessibleName("Keys")
        self.scroll.setProperty("focusRing", True)  # it takes the keys (PageDown scrolls)
        layout.addWidget(self.scroll, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self._fit_to_screen(body)
        self.rows = rows

    def _fit_to_screen(self, body: QWidget) -> None:
        """Wide enough for most lines on one line, as tall as the rows need, and never
        bigger than the screen it opens on."""
        screen = self.screen().availableGeometry()
        em = self.fontMetrics().height()
        width = min(screen.width() * 9 // 10, em * 50)
        margins = self.layout().contentsMargins()
        ring = 8  # the list's focus ring, both sides
        inner = width - margins.left() - margins.right() - ring
        rows_height = (
            body.heightForWidth(inner) if body.hasHeightForWidth() else body.sizeHint().height()
        )
        others = self.layout().sizeHint().height() - self.scroll.sizeHint().height()
        height = min(screen.height() * 9 // 10, others + rows_height + ring)
        self.resize(width, height)


def keymap_markdown() -> str:
    """The map as a Markdown table (docs/keyboard.md is checked against it)."""
    lines = ["| key | what it does |", "|---|---|"]
    lines += [f"| {b.shown} | {b.text} |" for b in LIVE_KEYS]
    lines += [f"| {key} | {text} |" for key, text in OTHER_KEYS]
    return "\n".join(lines) + "\n"
