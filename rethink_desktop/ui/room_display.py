"""The wall screen: phase, time left, whose turn, the card — and nothing else.

No balance figures, no talk times, no names of who has not spoken: only what the whole room
may see. B blanks it to plain black; "space" washes it in the space colour with one line.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QHideEvent,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QResizeEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from rethink_desktop.core.clock import countdown, format_duration
from rethink_desktop.ui import widgets
from rethink_desktop.ui.controller import SessionController
from rethink_desktop.ui.theme import current_theme


def _label(align: Qt.AlignmentFlag, name: str) -> QLabel:
    label = QLabel()
    label.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
    label.setWordWrap(True)
    # A deck's own prompt ("What would a <big> change look like?") or a name is shown as
    # written: as rich text Qt took "<big>" for a tag, and the word left the wall.
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAccessibleName(name)
    return label


class RoomDisplay(QWidget):
    """A second top-level window for the wall screen."""

    shown_changed = Signal(bool)  # opened or closed (by the D key or its own window)

    def __init__(self, controller: SessionController, parent: QWidget | None = None) -> None:
        # The facilitator's keys must keep working even if the wall screen gets clicked.
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.WindowDoesNotAcceptFocus)
        self.forward_keys_to: QWidget | None = None
        self.controller = controller
        self.setWindowTitle(widgets.window_title("Room display"))
        self.setAccessibleName("Room display")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAutoFillBackground(True)
        self._stack = QStackedLayout(self)

        self.main_page = QWidget()
        page = QVBoxLayout(self.main_page)
        page.setContentsMargins(48, 32, 48, 32)
        top = QHBoxLayout()
        self.phase = _label(Qt.AlignmentFlag.AlignLeft, "Phase")
        self.phase_left = _label(Qt.AlignmentFlag.AlignRight, "Phase time left")
        self.demo_tag = _label(Qt.AlignmentFlag.AlignCenter, "Demo session: fictional")
        self.demo_tag.setText("DEMO · fictional")
        self.demo_tag.setWordWrap(False)
        self.demo_tag.hide()
        top.addWidget(self.phase, 1)
        top.addWidget(self.demo_tag)
        top.addSpacing(32)
        top.addWidget(self.phase_left)
        page.addLayout(top)
        page.addStretch(1)
        self.prompt = _label(Qt.AlignmentFlag.AlignCenter, "Card")
        page.addWidget(self.prompt, 4)
        page.addStretch(1)
        # Whose turn beside the time left; on a line of its own above it when it does not fit
        # there ("Alexandra (Designated safeguarding lead) is speaking" wrapped into a narrow
        # column, crowding the card, its last line cut off on a small window).
        self._bottom = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.speaker = _label(Qt.AlignmentFlag.AlignLeft, "Whose turn")
        self.time_left = _label(Qt.AlignmentFlag.AlignRight, "Time left")
        self.time_left.setWordWrap(False)  # one line, so its size hint is its width
        self._bottom.addWidget(self.speaker, 1)
        self._bottom.addWidget(self.time_left)
        page.addLayout(self._bottom)

        self.space_page = QWidget()
        space = QVBoxLayout(self.space_page)
        space.setContentsMargins(48, 32, 48, 32)
        # The demo is marked during a space too: the room may see nothing else for minutes.
        self.space_demo_tag = _label(Qt.AlignmentFlag.AlignRight, "Demo session: fictional")
        self.space_demo_tag.setText("DEMO · fictional")
        self.space_demo_tag.setWordWrap(False)
        self.space_demo_tag.hide()
        space.addWidget(self.space_demo_tag)
        self.space_text = _label(Qt.AlignmentFlag.AlignCenter, "Space — time to think")
        self.space_minutes = _label(Qt.AlignmentFlag.AlignCenter, "Space minutes")
        space.addStretch(2)
        space.addWidget(self.space_text)
        space.addWidget(self.space_minutes)
        space.addStretch(3)

        self.blank_page = QWidget()
        self.blank_page.setAccessibleName("Blank")

        for widget in (self.main_page, self.space_page, self.blank_page):
            widget.setAutoFillBackground(True)
            self._stack.addWidget(widget)

        controller.changed.connect(self.refresh)
        controller.ticked.connect(self.refresh)
        controller.display_changed.connect(self.refresh)
        self.resize(960, 540)
        self._placed = False  # as a window on the laptop's one screen, the first time
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.screenRemoved.connect(self._screen_removed)
        self._apply_sizes()
        self.refresh()

    # --- placement ------------------------------------------------------------------------
    def present(self) -> None:
        """Full screen on a second monitor when there is one, else an ordinary window."""
        screens = QGuiApplication.screens()
        own = (
            self.parentWidget().screen() if self.parentWidget() else QGuiApplication.primaryScreen()
        )
        others = [s for s in screens if s is not own]
        if others:
            self.setScreen(others[0])
            self.move(others[0].geometry().topLeft())
            self.showFullScreen()
            self._placed = False  # back on one screen, it is placed there again
        else:
            if self.windowState() & Qt.WindowState.WindowFullScreen:
                # Full screen on a monitor since unplugged: it kept that state, and came
                # back full screen over the facilitator's own screen.
                self.setWindowState(self.windowState() & ~Qt.WindowState.WindowFullScreen)
            if own is not None and not self._placed and not own.availableGeometry().isEmpty():
                # One screen: a 16:9 window over the laptop's lower right, a little over half
                # its width, so the facilitator's clock and circle stay in sight until it is
                # moved where the room can see it. (At 80 % of the screen it hid the clock;
                # at 960 × 540 it ran off a 1366 × 768 screen at 150 % scaling, which is
                # 910 × 512 to Qt, cutting the card.) Where it is moved to, it stays.
                area = own.availableGeometry()
                width = min(960, round(area.width() * 0.55))
                height = min(round(width * 9 / 16), round(area.height() * 0.6))
                self.resize(width, height)
                margin = 16
                self.move(
                    area.right() + 1 - width - margin, area.bottom() + 1 - height - 3 * margin
                )
                self._placed = True
            self.show()

    def _screen_removed(self, _screen: object) -> None:
        """The wall's monitor unplugged during the meeting: Qt moves the window, still full
        screen, onto the laptop's screen. It becomes a window there (or goes full screen on
        another monitor still plugged in), once Qt has moved it."""
        if self.isVisible() and self.isFullScreen():
            QTimer.singleShot(0, self, self._present_again)

    def _present_again(self) -> None:
        if self.isVisible() and self.isFullScreen():
            self.present()

    # --- drawing --------------------------------------------------------------------------
    def _font(self, fraction: float, bold: bool = False) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(max(12, int(self.height() * fraction)))
        font.setBold(bold)
        font.setFeature(QFont.Tag("tnum"), 1)
        return font

    def _apply_sizes(self) -> None:
        # Scale with the window: the prompt about 6 % of the height, time left about 10 %.
        self.phase.setFont(self._font(0.045, bold=True))
        self.phase_left.setFont(self._font(0.045))
        self.demo_tag.setFont(self._font(0.035, bold=True))
        self.space_demo_tag.setFont(self._font(0.035, bold=True))
        self.prompt.setFont(self._font(0.06))
        self.speaker.setFont(self._font(0.05))
        self.time_left.setFont(self._font(0.10, bold=True))
        self.space_text.setFont(self._font(0.08))
        self.space_minutes.setFont(self._font(0.05))

    def restyle(self) -> None:
        """After a new theme (View → Theme, during a meeting): the new style sheet put the
        body size back on every label, so the card, the clock and the speaker were about
        13 px high on the wall. The sizes from the height go on again."""
        self._apply_sizes()
        self.refresh()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """If the wall screen does get the keyboard, hand every key to the live view."""
        target = self.forward_keys_to
        pressed = QKeySequence(event.keyCombination())
        if target is not None:
            for shortcut in target.findChildren(QShortcut):
                if shortcut.isEnabled() and shortcut.key().matches(pressed) == (
                    QKeySequence.SequenceMatch.ExactMatch
                ):
                    if event.isAutoRepeat() and not shortcut.autoRepeat():
                        # A held Space handed on at every repeat skipped speakers (seen
                        # under X11 once the wall screen had the keys): as the live view's
                        # own shortcut, a held key acts once.
                        event.accept()
                        return
                    target.window().activateWindow()
                    target.setFocus()
                    shortcut.activated.emit()
                    return
        super().keyPressEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._shown(event.spontaneous())

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._shown(event.spontaneous())

    def _shown(self, by_the_window_system: bool) -> None:
        """Minimised, the window is still open (D restores it) but the wall shows nothing,
        so the live screen's line says what it will show. Only opening and closing it are
        remembered: one minimised when the app stops comes back with the session."""
        self.controller.set_display_open(self.isVisible() and not self.isMinimized())
        if not by_the_window_system:  # the window system minimises and restores
            self.shown_changed.emit(self.isVisible())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply_sizes()
        self._fit_bottom()

    def _fit_bottom(self) -> None:
        margins = self.main_page.layout().contentsMargins()
        room = (self.width() - margins.left() - margins.right() - self._bottom.spacing()
                - self.time_left.sizeHint().width())  # fmt: skip
        text = self.speaker.fontMetrics().horizontalAdvance(self.speaker.text())
        direction = (
            QBoxLayout.Direction.LeftToRight if text <= room else QBoxLayout.Direction.TopToBottom
        )
        if self._bottom.direction() != direction:
            self._bottom.setDirection(direction)

    def _paint(self, widget: QWidget, background: str, text: str) -> None:
        pal = widget.palette()
        pal.setColor(QPalette.ColorRole.Window, QColor(background))
        pal.setColor(QPalette.ColorRole.WindowText, QColor(text))
        widget.setPalette(pal)

    def refresh(self) -> None:
        theme = current_theme()
        ctl = self.controller
        state = ctl.state
        demo = bool(state and state.demo)
        # The title first: a blank wall opened blank (a resume) lost its "DEMO".
        self.setWindowTitle(widgets.window_title("Room display", *(["DEMO"] if demo else [])))
        if ctl.display_blanked:
            self._paint(self.blank_page, "#000000", "#000000")
            self._paint(self, "#000000", "#000000")
            self._stack.setCurrentWidget(self.blank_page)
            return
        self._paint(self, theme.background, theme.text)
        self.demo_tag.setVisible(demo)
        self.space_demo_tag.setVisible(demo)
        if state is None or state.status not in ("running", "paused", "checked_in"):
            self._paint(self.main_page, theme.background, theme.text)
            self.phase.setText("")
            self.phase_left.setText("")
            self.prompt.setText("Re-Think")
            self.speaker.setText("")
            self.time_left.setText("")
            self._stack.setCurrentWidget(self.main_page)
            return
        now = ctl.now()
        if ctl.space_on_wall:  # paused, the wall says "Paused" (below), as the laptop does
            self._paint(self.space_page, theme.space_wash, theme.space)
            self.space_text.setText("Space — time to think")
            minutes = int(state.space_seconds(now) // 60)
            self.space_minutes.setText(
                "" if minutes == 0 else f"{minutes} minute{'s' if minutes != 1 else ''}"
            )
            self._stack.setCurrentWidget(self.space_page)
            return
        self._paint(self.main_page, theme.background, theme.text)
        phase = state.phase
        self.phase.setText(phase.name if phase else "Welcome")
        if phase is not None:
            left = countdown(state.phase_remaining(now))
            self.phase_left.setText(f"{format_duration(max(0, left))} left")
        else:
            self.phase_left.setText("")
        card = ctl.card_for_room
        self.prompt.setText(card.prompt if card is not None else "")
        speaker = state.current_speaker
        if state.status == "paused":
            self.speaker.setText("Paused")
        elif speaker is not None:
            self.speaker.setText(f"{state.known_as(speaker)} is speaking")
        else:
            self.speaker.setText("")
        remaining = max(0, countdown(state.remaining(now)))
        planned = format_duration(state.planned_seconds, always_hours=True)[:-3]
        self.time_left.setText(
            # "left" said in words: "1:59:15 of 2:00" read to a room as time used.
            f"{format_duration(remaining, always_hours=True)} left of {planned}"
            if state.started_at
            else ""
        )
        self._fit_bottom()
        self._stack.setCurrentWidget(self.main_page)

    def visible_text(self) -> str:
        """All text currently on the wall screen (used by tests: no balance figures)."""
        page = self._stack.currentWidget()
        labels = page.findChildren(QLabel)
        return " ".join(
            label.text() for label in labels if label.text() and label.isVisibleTo(page)
        )
