"""The live session: the facilitator's calm, glanceable view of the two hours.

The eye lands first on the time left. Everything is driven by keys (see keymap.py); the few
buttons never take the keyboard focus, so Space always means "next speaker".
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPalette, QPen, QShortcut
from PySide6.QtWidgets import (
    QAbstractSlider,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from rethink_desktop.core.agenda import KIND_LABELS, SESSION_MINUTES
from rethink_desktop.core.clock import countdown, format_duration
from rethink_desktop.core.metrics import (
    balance_index,
    decimal_text,
    fair_share_now,
    tally_agencies,
    tally_people,
)
from rethink_desktop.core.state import SessionState
from rethink_desktop.ui import widgets
from rethink_desktop.ui.controller import SessionController
from rethink_desktop.ui.keymap import LIVE_KEYS, seat_keys
from rethink_desktop.ui.theme import (
    Theme,
    agency_colours,
    agency_edge,
    agency_ink,
    current_theme,
    repolish,
    set_font_role,
)

_label = widgets.label

# Participant states: a shape and a word, never colour alone.
STATE_MARKS = {
    "speaking": ("●", "speaking"),
    "spoken": ("✓", "spoken"),
    "passed": ("◌", "passed"),
    "waiting": ("○", "not yet"),
    "away": ("–", "away"),
}

RESUME_HINT = " · Ctrl+P resumes"  # ends the paused clock's caption, never shortened away

# The card line, by what the wall shows: (the room display open, not open yet: what it will
# show once D opens it). Hidden cards and guides read the same either way.
_WALL_LINE = {
    "blank": ("B: room display is blank", "B: blank when D opens the room display"),
    "space": ("Room display: the space (R ends it)", "The space, when D opens the room display"),
    "card": ("H: on the room display", "H: on the room display once D opens it"),
    "guide": ("A guide for you: never on the room display",) * 2,
    "hidden": ("H: hidden from the room display",) * 2,
}


def turn_tone(seconds: float, allowance: float) -> str:
    """Neutral to 80 % of the allowance, then attention, then over (VISUAL.md)."""
    if allowance <= 0 or seconds < 0.8 * allowance:
        return ""
    # Over from the first whole second past it, when "over by 0:01" can be shown.
    return "attention" if math.floor(seconds) <= allowance else "over"


def clock_text(seconds: float) -> str:
    return format_duration(seconds, always_hours=True)


def planned_words(seconds: float) -> str:
    """The session's planned length in words: "the two hours", or a confirmed other one."""
    minutes = round(seconds / 60)
    return "the two hours" if minutes == SESSION_MINUTES else f"the planned {minutes} minutes"


def fair_share_words(share: tuple[float, int] | None) -> str:
    """The phase's time left shared among those still to speak this round."""
    if share is None:
        return ""
    seconds, people = share
    if seconds < 1:
        who = "the one" if people == 1 else f"the {people}"
        return f"The phase's time is up, with {who} still to speak this round"
    if people == 1:
        return f"Fair share now: {format_duration(seconds)} for the one still to speak"
    return f"Fair share now: {format_duration(seconds)} each for the {people} still to speak"


def local_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M")


def _set_tone(label: QLabel, tone: str) -> None:
    if label.property("tone") != tone:
        label.setProperty("tone", tone)
        repolish(label)


class Panel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(16, 12, 16, 12)
        self.layout_.setSpacing(6)


class PhaseStrip(QWidget):
    """The agenda as bands sized by planned minutes; past phases filled, "now" filled as
    far as it has gone and outlined in the text colour."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.minutes: list[int] = []
        self.current = -1
        self.progress = 0.0
        self.setMinimumHeight(14)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Phases of the agenda")

    def sizeHint(self) -> QSize:
        return QSize(240, max(14, self.fontMetrics().height() // 1))

    def set_phases(self, minutes: list[int], current: int, progress: float) -> None:
        # Repainted only when a pixel would change: the clock calls this on every refresh.
        before = self._drawn()
        self.minutes, self.current, self.progress = minutes, current, max(0.0, min(1.0, progress))
        self.setAccessibleDescription(f"Phase {current + 1} of {len(minutes)}")
        if self._drawn() != before:
            self.update()

    def _bands(self) -> list[QRectF]:
        total = sum(self.minutes)
        width, height = self.width() - 2, self.height() - 2
        bands, x = [], 0.0
        for minutes in self.minutes:
            w = width * minutes / total
            bands.append(QRectF(1 + x, 1, max(1.0, w - 3), height))
            x += w
        return bands

    def _drawn(self) -> tuple[tuple[int, ...], int, int]:
        """What the strip shows, to the pixel: the phases, the current one, its fill."""
        bands = self._bands() if 0 <= self.current < len(self.minutes) else []
        fill = round(bands[self.current].width() * self.progress) if bands else 0
        return tuple(self.minutes), self.current, fill

    def paintEvent(self, event: object) -> None:
        if not self.minutes:
            return
        theme = current_theme()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for index, rect in enumerate(self._bands()):
            painter.setPen(QPen(QColor(theme.border), 1))
            painter.setBrush(QColor(theme.surface))
            painter.drawRoundedRect(rect, 3, 3)
            fill = 1.0 if index < self.current else self.progress if index == self.current else 0
            if fill > 0:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(theme.accent if index == self.current else theme.muted))
                painter.drawRoundedRect(QRectF(rect.x(), rect.y(), rect.width() * fill,
                                               rect.height()), 3, 3)  # fmt: skip
            if index == self.current:
                # "Now" by shape too: the accent and the muted fill of the past are close greys
                # to a red-blind eye, and a phase run over is full like a finished one.
                painter.setPen(QPen(QColor(theme.text), 2))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)
        painter.end()


@functools.cache
def _bar_inks(theme: Theme) -> tuple[QColor, QColor, QPen]:
    """A talk bar's background, border and equal-share tick in ``theme``."""
    return QColor(theme.background), QColor(theme.border), QPen(QColor(theme.text), 2)


def pct(share: float) -> str:
    """A share as a whole percentage: 0.254 -> "25%"."""
    return f"{share * 100:.0f}%"


class TalkBar(QWidget):
    """A person's or agency's share of talk time, with a tick at the equal share."""

    def __init__(self, colour: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.colour = colour
        # By theme: the fill (black turns light on the dark ones) and, for a pale colour,
        # a darker edge.
        self._inks: dict[str, tuple[QColor, QColor | None]] = {}
        self.share = 0.0
        self.equal = 0.0
        self.top = 0.0
        self.setMinimumSize(80, 10)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleDescription("no talk yet")

    def belongs_to(self, who: str) -> None:
        """Whose share the bar draws, for a screen reader ("Tom: share of talk time")."""
        named = f"{who}: share of talk time"
        if self.accessibleName() != named:
            self.setAccessibleName(named)

    def sizeHint(self) -> QSize:
        return QSize(120, max(10, self.fontMetrics().height() * 2 // 3))

    def set_share(self, share: float, equal: float, top: float = 0.0) -> None:
        """``top``: the largest share among the bars drawn beside this one (0: this one's)."""
        # Repainted only when a pixel would change: every bar's share moves a little with
        # each second of talk, and a dozen bars repainting was a large part of a key press.
        if (share, equal, top) != (self.share, self.equal, self.top):
            before = self._drawn()
            self.share, self.equal, self.top = share, equal, top
            if self._drawn() != before:
                self.update()
            # What the bar shows, for a screen reader: changed only when a figure would.
            said = f"{pct(share)}, equal share {pct(equal)}" if equal > 0 else "no talk yet"
            if self.accessibleDescription() != said:
                self.setAccessibleDescription(said)

    def _drawn(self) -> tuple[int, int | None]:
        """The filled width and the equal-share tick's place, in pixels (None: no tick)."""
        w = self.width() - 1
        # Twice the equal share fills the bar, so differences near it stay visible; beyond
        # that the largest share beside it does, so one who talks for a third and one who
        # talks for two thirds never look alike (both were full).
        scale = max(2 * self.equal, self.top, self.share) if self.equal > 0 else 1.0
        fill = max(0, round((w - 1) * min(1.0, self.share / scale)))
        tick = round(1 + (w - 1) * min(1.0, self.equal / scale)) if self.equal > 0 else None
        return fill, tick

    def _ink(self, theme: Theme) -> tuple[QColor, QColor | None]:
        inks = self._inks.get(theme.name)
        if inks is None:
            edge = agency_edge(self.colour, theme)
            inks = QColor(agency_ink(self.colour, theme)), QColor(edge) if edge else None
            self._inks[theme.name] = inks
        return inks

    def paintEvent(self, event: object) -> None:
        # Square, pixel-aligned rectangles without antialiasing, in colours made once: a
        # dozen bars repaint on every key press.
        theme = current_theme()
        background, border, tick_pen = _bar_inks(theme)
        painter = QPainter(self)
        w, h = self.width() - 1, self.height() - 1
        painter.fillRect(0, 0, w, h, background)
        painter.setPen(border)
        painter.drawRect(0, 0, w, h)
        fill, tick = self._drawn()
        if fill > 0:
            ink, edge = self._ink(theme)
            painter.fillRect(1, 1, fill, h - 1, ink)
            if edge is not None and fill > 1:  # a pale colour (yellow) gets a darker edge
                painter.setPen(edge)
                painter.drawRect(1, 1, fill - 1, h - 2)
        if tick is not None:
            painter.setPen(tick_pen)
            painter.drawLine(tick, 0, tick, h + 1)
        painter.end()


class CircleRow:
    """One participant in the circle: seat, state mark and word, name, agency, bar, time."""

    def __init__(self, grid: QGridLayout, row: int, seat: int, colour: str) -> None:
        self.seat = _label(str(seat), muted=True)
        self.mark = _label("○", bold=True)
        self.state = _label("not yet", role="label", muted=True)
        # A long name or agency ends in "…" rather than pushing the talk times out of sight.
        self.name = _label("", bold=False, elide=Qt.TextElideMode.ElideMiddle)  # "Tom (GP)"
        self.agency = _label("", role="label", muted=True, elide=True)
        self.bar = TalkBar(colour)
        self.time = _label("0:00", role="label", tabular=True)
        self.speaking = False  # whether the name is shown bold as the current speaker
        self.time.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        cells = (self.seat, self.mark, self.name, self.agency, self.state, self.bar, self.time)
        for col, widget in enumerate(cells):
            grid.addWidget(widget, row, col)


class LiveView(QWidget):
    """The heart of the app during the two hours."""

    end_requested = Signal()
    room_display_requested = Signal()
    full_screen_requested = Signal()
    keys_requested = Signal()
    arrival_requested = Signal()
    departure_requested = Signal()
    give_floor_requested = Signal()

    def __init__(self, controller: SessionController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Live session")
        self._rows: dict[str, CircleRow] = {}
        self._agency_rows: dict[str, tuple[QLabel, TalkBar, QLabel]] = {}
        self._built_for: str | None = None
        self._build()
        self._bind_keys()
        controller.changed.connect(self.refresh)
        controller.ticked.connect(self.refresh_time)
        controller.display_changed.connect(self._refresh_card)
        controller.notice.connect(self.show_notice)
        # A refusal ("… while the session is paused") is about the key just pressed: the next
        # recorded action, or another session, makes it stale.
        controller.changed.connect(self._clear_notice)

    # --- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(12)

        top = QHBoxLayout()
        # Both may end in "…" (a long reference or phase name at 150 % type) rather than
        # push the live view past a laptop's screen.
        self.title = _label("", role="body", bold=True, name="Session", elide=True)
        self.demo_tag = _label("DEMO — fictional network", role="label", bold=True)
        self.demo_tag.setProperty("tone", "attention")
        # The middle gives way: the time left at the end stays.
        self.phase_title = _label("", role="body", name="Current phase",
                                  elide=Qt.TextElideMode.ElideMiddle)  # fmt: skip
        self.phase_title.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        top.addWidget(self.title)
        top.addWidget(self.demo_tag)
        top.addStretch(1)
        top.addWidget(self.phase_title)
        outer.addLayout(top)

        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(12)
        grid.addWidget(self._clock_panel(), 0, 0)
        grid.addWidget(self._speaker_panel(), 0, 1)
        grid.addWidget(self._circle_panel(), 1, 0)
        grid.addWidget(self._card_panel(), 1, 1)
        grid.setColumnStretch(0, 6)
        grid.setColumnStretch(1, 5)
        grid.setRowStretch(1, 1)
        outer.addLayout(grid, 1)

        bottom = QHBoxLayout()
        self.notice = _label("", role="label", muted=True, name="Last message")
        self.notice.setWordWrap(True)
        # Room for two lines from the start: a message that wrapped ("Undone: Alexandra
        # (Designated safeguarding lead) has the floor again.") moved every panel up.
        self.notice.setMinimumHeight(self.notice.fontMetrics().lineSpacing() * 2 + 2)
        bottom.addWidget(self.notice, 1)
        self.buttons: dict[str, QPushButton] = {}
        for action, text in (
            ("toggle_space", "R  Space"),
            ("toggle_pause", "Ctrl+P  Pause"),
            ("toggle_room_display", "D  Room display"),
            ("end_session", "Ctrl+E  End session"),
            ("show_keys", "F1  Keys"),
        ):
            button = QPushButton(text)
            # Buttons never take focus: Space must always mean "next speaker".
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setAccessibleName(text.split("  ", 1)[1])
            button.clicked.connect(getattr(self, action))
            bottom.addWidget(button)
            self.buttons[action] = button
        outer.addLayout(bottom)

    def _clock_panel(self) -> QWidget:
        panel = Panel()
        # Drawn smaller rather than widen the screen past a small laptop's at 150 % type.
        self.clock = widgets.FittedLabel("2:00:00", least=0.55)
        set_font_role(self.clock, "clock", bold=True, tabular=True)
        self.clock.setAccessibleName("Time left of the two hours")
        self.clock.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Says "Paused" too, under the stopped clock: a banner above the panels moved the
        # whole screen down by a line each time the facilitator paused or resumed.
        self.clock_caption = _label(
            "left of the two hours", muted=True, name="Clock status", elide=True
        )
        self.clock_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Short of room (150 % on a small laptop), "Paused — the clock is st… · Ctrl+P
        # resumes": the way out is never what is cut.
        self.clock_caption.keep_end = RESUME_HINT
        policy = self.clock_caption.sizePolicy()
        policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)  # its words never widen the panel
        self.clock_caption.setSizePolicy(policy)
        self.strip = PhaseStrip()
        self.schedule = _label("", role="body", name="Ahead or behind")
        self.schedule.setAlignment(Qt.AlignmentFlag.AlignCenter)
        panel.layout_.addWidget(self.clock)
        panel.layout_.addWidget(self.clock_caption)
        panel.layout_.addWidget(self.strip)
        panel.layout_.addWidget(self.schedule)
        return panel

    def _speaker_panel(self) -> QWidget:
        panel = Panel()
        self.speaking_caption = _label("Now speaking", role="label", muted=True)
        row = QHBoxLayout()
        # A long name ("Alexandra (Designated safeguarding lead)") ends in "…" in the room the
        # panel has: asking for its whole width squeezed the circle beside it, and moved
        # everything each time the floor came to it or left it. The middle gives way, so
        # "Tom (GP)" keeps its role.
        self.speaker = _label("", role="speaker", bold=True, name="Current speaker",
                              elide=Qt.TextElideMode.ElideMiddle)  # fmt: skip
        self.turn_time = _label("", role="turn", tabular=True, name="Turn time")
        self.turn_time.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.speaker, 1)
        row.addWidget(self.turn_time)
        self.speaker_detail = _label("", muted=True, elide=True)
        self.turn_note = _label("", role="body", name="Turn allowance")
        self.next_up = _label("", role="body", name="Next speaker", elide=True)
        for widget in (self.speaker, self.speaker_detail, self.next_up):
            policy = widget.sizePolicy()
            policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
            widget.setSizePolicy(policy)
        self.fair_share = _label("", role="label", muted=True, name="Fair share now")
        self.fair_share.setWordWrap(True)
        for widget in (self.speaking_caption,):
            panel.layout_.addWidget(widget)
        panel.layout_.addLayout(row)
        for widget in (self.speaker_detail, self.turn_note, self.next_up, self.fair_share):
            panel.layout_.addWidget(widget)
        panel.layout_.addStretch(1)
        return panel

    def _circle_panel(self) -> QWidget:
        panel = Panel()
        caption = QHBoxLayout()
        caption.addWidget(_label("The circle", role="label", bold=True))
        caption.addStretch(1)
        caption.addWidget(_label("for your eyes only", role="label", muted=True))
        panel.layout_.addLayout(caption)
        # A large circle (up to 30) scrolls inside the panel; the scroll area never takes the
        # keyboard focus, so the live keys keep working.
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        scroll = widgets.DownScroll()  # as wide as its rows need: the times stay in sight
        scroll.setWidget(body)
        # setWidget turns the content's background fill on: fill it with the panel's surface
        # (Base), not the window's colour. Opaque, it spares the panels behind it a repaint.
        body.setBackgroundRole(QPalette.ColorRole.Base)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.viewport().setAutoFillBackground(False)
        scroll.setAccessibleName("The circle and the balance by agency")
        panel.layout_.addWidget(scroll, 1)
        self.circle_scroll = scroll
        self.circle_grid = QGridLayout()
        self.circle_grid.setHorizontalSpacing(10)
        self.circle_grid.setVerticalSpacing(4)
        self.circle_grid.setColumnStretch(5, 1)
        body_layout.addLayout(self.circle_grid)
        body_layout.addSpacing(8)
        balance_caption = QHBoxLayout()
        balance_caption.addWidget(_label("Balance by agency", role="label", bold=True))
        balance_caption.addStretch(1)
        self.balance_index = _label("", role="label", muted=True, name="Balance index")
        balance_caption.addWidget(self.balance_index)
        body_layout.addLayout(balance_caption)
        self.agency_grid = QGridLayout()
        self.agency_grid.setHorizontalSpacing(10)
        self.agency_grid.setVerticalSpacing(4)
        self.agency_grid.setColumnStretch(1, 1)
        body_layout.addLayout(self.agency_grid)
        body_layout.addStretch(1)
        return panel

    def _card_panel(self) -> QWidget:
        panel = Panel()
        # "Card · Acknowledgement · Where you are coming from" ends in "…" rather than making
        # its column as wide as itself (at 150 % it squeezed the circle's talk times away).
        self.card_title = _label("", role="label", bold=True, name="Card", elide=True)
        self.card_prompt = _label("", role="card", name="Card prompt")
        self.card_prompt.setTextFormat(Qt.TextFormat.PlainText)  # "<big>" in a prompt is text
        self.card_prompt.setWordWrap(True)
        self.card_prompt.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.card_nav = _label("◀ Left      Right ▶", role="label", muted=True)
        self.card_display = _label("", role="label", muted=True, name="Card on the room display")
        # Two lines rather than a wider panel ("A guide for you: never on the room display").
        self.card_display.setWordWrap(True)
        self.card_display.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        nav = QHBoxLayout()
        nav.addWidget(self.card_nav)
        nav.addWidget(self.card_display, 1)  # all the room there is: one line when it fits
        panel.layout_.addWidget(self.card_title)
        panel.layout_.addWidget(self.card_prompt, 1)
        panel.layout_.addLayout(nav)
        self.space_line = _label("", role="phase", tabular=True, name="Space timer")
        self.space_line.setProperty("tone", "space")
        self.space_line.hide()
        panel.layout_.addWidget(self.space_line)
        return panel

    # --- keys -----------------------------------------------------------------------------
    def _bind_keys(self) -> None:
        self.shortcuts: dict[str, QShortcut] = {}
        for binding in LIVE_KEYS:
            for key in binding.keys:
                slot = getattr(self, binding.action)
                self._shortcut(key, slot, binding.action + key, repeat=binding.repeat)
        for key, seat in seat_keys():
            self._shortcut(key, lambda seat=seat: self.pick_seat(seat), f"seat{seat}")

    def _shortcut(
        self, key: str, slot: Callable[[], object], name: str, *, repeat: bool = False
    ) -> None:
        shortcut = QShortcut(QKeySequence(key), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.setAutoRepeat(repeat)  # a held key must not skip speakers
        shortcut.activated.connect(slot)
        self.shortcuts[name] = shortcut

    # --- actions (each one is recorded before the screen changes) -------------------------
    def next_turn(self) -> None:
        self.controller.act("next_turn")

    def pass_turn(self) -> None:
        self.controller.act("pass_turn")

    def undo(self) -> None:
        self.controller.undo()

    def redo(self) -> None:
        self.controller.redo()

    def pick_seat(self, seat: int) -> None:
        state = self.controller.state
        if state is None:
            return
        for person in state.participants:
            if person.seat == seat:
                self.controller.act("pick", person.id)
                return
        self.controller.notice.emit(f"No one sits in seat {seat}.")

    def give_floor(self) -> None:
        self.give_floor_requested.emit()

    def toggle_space(self) -> None:
        self.controller.act("toggle_space")

    def next_phase(self) -> None:
        self.controller.next_phase()

    def next_card(self) -> None:
        self.controller.step_card(1)

    def previous_card(self) -> None:
        self.controller.step_card(-1)

    def toggle_card(self) -> None:
        self.controller.toggle_card_on_display()

    def toggle_blank(self) -> None:
        self.controller.toggle_blank()

    def toggle_pause(self) -> None:
        self.controller.act("toggle_pause")

    def toggle_room_display(self) -> None:
        self.room_display_requested.emit()

    def arrival(self) -> None:
        self.arrival_requested.emit()

    def departure(self) -> None:
        self.departure_requested.emit()

    def end_session(self) -> None:
        self.end_requested.emit()

    def toggle_full_screen(self) -> None:
        self.full_screen_requested.emit()

    def show_keys(self) -> None:
        self.keys_requested.emit()

    # The circle scrolls in its panel, and the whole screen in the window, but neither takes
    # the keyboard (the live keys must keep working): these keys scroll them instead.
    def page_down(self) -> None:
        self._page(QAbstractSlider.SliderAction.SliderPageStepAdd)

    def page_up(self) -> None:
        self._page(QAbstractSlider.SliderAction.SliderPageStepSub)

    def _page(self, action: QAbstractSlider.SliderAction) -> None:
        """The circle's panel first; at its end (or when it fits), the screen's holder."""
        bar = self.circle_scroll.verticalScrollBar()
        before = bar.value()
        bar.triggerAction(action)
        if bar.value() != before:
            return
        holder = self.parentWidget()
        while holder is not None and not isinstance(holder, QScrollArea):
            holder = holder.parentWidget()
        if holder is not None:
            holder.verticalScrollBar().triggerAction(action)

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)

    def _clear_notice(self) -> None:
        self.notice.setText("")

    # --- refresh --------------------------------------------------------------------------
    def _rebuild_circle(self, state: SessionState) -> None:
        for grid in (self.circle_grid, self.agency_grid):
            while grid.count():
                item = grid.takeAt(0)
                if item.widget() is not None:
                    item.widget().deleteLater()
        agencies = [p.agency for p in state.participants]
        colours = agency_colours(agencies)
        self._rows = {
            p.id: CircleRow(self.circle_grid, i, p.seat, colours[p.agency])
            for i, p in enumerate(state.participants)
        }
        self._agency_rows = {}
        for i, agency in enumerate(dict.fromkeys(agencies)):
            name = _label(agency, role="label", elide=True)
            bar = TalkBar(colours[agency])
            bar.belongs_to(agency)
            figure = _label("", role="label", tabular=True)
            figure.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.agency_grid.addWidget(name, i, 0)
            self.agency_grid.addWidget(bar, i, 1)
            self.agency_grid.addWidget(figure, i, 2)
            self._agency_rows[agency] = (name, bar, figure)
        self._built_for = state.id

    def refresh(self) -> None:
        state = self.controller.state
        if state is None or state.status not in ("running", "paused"):
            return
        if self._built_for != state.id or len(self._rows) != len(state.participants):
            self._rebuild_circle(state)
        kind = KIND_LABELS.get(state.kind, state.kind)
        self.title.setText(f"Re-Think · {state.reference} · {kind}")
        spoken = f"Time left of {planned_words(state.planned_seconds)}"
        if self.clock.accessibleName() != spoken:  # a confirmed agenda of another length
            self.clock.setAccessibleName(spoken)
        self.demo_tag.setVisible(state.demo)
        self._refresh_card()
        self.refresh_time()

    def refresh_time(self) -> None:
        """Everything that moves with the clock; called on each whole second."""
        state = self.controller.state
        if state is None or state.status not in ("running", "paused"):
            return
        now = self.controller.now()
        remaining = countdown(state.remaining(now))
        self.clock.setText(clock_text(remaining) if remaining >= 0 else "0:00:00")
        planned = planned_words(state.planned_seconds)
        if state.status == "paused":
            self.clock_caption.setText(f"Paused — the clock is stopped{RESUME_HINT}")
        elif remaining >= 0:
            self.clock_caption.setText(f"left of {planned}")
        else:
            self.clock_caption.setText(f"over {planned} by {format_duration(-remaining)}")
        _set_tone(self.clock_caption, "attention" if state.status == "paused" else "")
        _set_tone(self.clock, "" if remaining >= 0 else "over")

        phase = state.phase
        if phase is not None:
            left = countdown(state.phase_remaining(now))
            left_text = (
                f"{format_duration(left)} left" if left >= 0 else f"over by {format_duration(left)}"
            )
            self.phase_title.setText(
                f"Phase {phase.index + 1} of {len(state.phases)} · {phase.name} · {left_text}"
            )
            _set_tone(
                self.phase_title, "attention" if 0 <= left < 120 else "over" if left < 0 else ""
            )
            progress = state.phase_elapsed(now) / (phase.minutes * 60.0)
            self.strip.set_phases([p.minutes for p in state.phases], phase.index, progress)

        schedule = state.schedule(now)
        ends = local_time(schedule.projected_end)
        behind = schedule.behind_seconds
        if abs(behind) < 60:
            self.schedule.setText(f"On time · ends {ends}")
            _set_tone(self.schedule, "on_time")
        elif behind > 0:
            self.schedule.setText(f"Behind by {format_duration(behind)} · ends {ends}")
            _set_tone(self.schedule, "over")
        else:
            self.schedule.setText(f"Ahead by {format_duration(-behind)} · ends {ends}")
            _set_tone(self.schedule, "on_time")

        self._refresh_speaker(state, now)
        self._refresh_circle(state, now)
        self._refresh_controls(state, now)

    def _refresh_speaker(self, state: SessionState, now: datetime) -> None:
        turn = state.current_turn
        allowance = state.phase.turn_seconds if state.phase else 0
        if turn is None:
            self.speaking_caption.setText("No one has the floor")
            self.speaker.setText("—")
            self.speaker_detail.setText(
                "A space is running: R ends it, then Space gives the floor."
                if state.floor_held
                else "Press Space to give the floor to the next person."
            )
            self.turn_time.setText("")
            self.turn_note.setText("")
            _set_tone(self.turn_time, "")
        else:
            person = state.participant(turn.participant_id)
            self.speaking_caption.setText(
                "Now speaking · second chance" if turn.second_chance else "Now speaking"
            )
            self.speaker.setText(state.known_as(person))
            detail = f"{person.agency} · {person.role}" if person.role else person.agency
            self.speaker_detail.setText(detail if person.name else f"Seat {person.seat}")
            seconds = state.turn_seconds(turn, now)
            self.turn_time.setText(f"{format_duration(seconds)} / {format_duration(allowance)}")
            tone = turn_tone(seconds, allowance)
            _set_tone(self.turn_time, tone)
            if tone == "over":
                self.turn_note.setText(f"over by {format_duration(seconds - allowance)}")
            elif tone == "attention":
                self.turn_note.setText("nearing the allowance")
            else:
                self.turn_note.setText("")
            _set_tone(self.turn_note, tone)
        upcoming = state.next_up()
        if upcoming is None:
            self.next_up.setText("Next: no one waiting")
        else:
            person, second = upcoming
            extra = " (second chance)" if second else ""
            # The one person in the room, or a circle of two with the other away.
            again = " again" if turn is not None and turn.participant_id == person.id else ""
            self.next_up.setText(f"Next: {state.known_as(person)}{again} — {person.agency}{extra}")
        self.fair_share.setText(fair_share_words(fair_share_now(state, now)))

    def _refresh_circle(self, state: SessionState, now: datetime) -> None:
        current = state.current_turn
        this_round = {t.participant_id: t for t in state.turns
                      if state.rotation and t.round == state.rotation.round}  # fmt: skip
        people = tally_people(state, now)
        tallies = {row.key: row for row in people}
        labels = state.labels()  # as the talk-time rows name them, the absent too
        top = max((row.share for row in people), default=0.0)
        for person in state.participants:
            row = self._rows.get(person.id)
            if row is None:
                continue
            if not person.in_room:
                key = "away"
            elif current is not None and current.participant_id == person.id:
                key = "speaking"
            elif person.id in this_round:
                key = "passed" if this_round[person.id].passed else "spoken"
            else:
                key = "waiting"
            mark, word = STATE_MARKS[key]
            if person.attendance == "absent":
                word = "absent"
            elif person.attendance in ("left_early", "late_left_early"):
                word = "left"
            elif person.attendance == "late" and key == "waiting":
                word = "late · not yet"
            tally = tallies.get(person.id)
            row.mark.setText(mark)
            row.state.setText(word)
            row.name.setText(labels[person.id])
            row.agency.setText(person.agency)
            _set_tone(row.mark, "accent" if key == "speaking" else "")
            speaking = key == "speaking"
            if speaking != row.speaking:
                row.speaking = speaking
                font = row.name.font()
                font.setBold(speaking)
                row.name.setFont(font)
                if speaking:  # scroll only when the floor moves, not on every tick
                    self.circle_scroll.ensureWidgetVisible(row.name, 0, 24)
            if tally is not None:
                row.bar.set_share(tally.share, tally.equal_share, top)
                row.time.setText(format_duration(tally.seconds))
            else:
                row.bar.set_share(0.0, 0.0)
                row.time.setText("—")
            spoken = f"Seat {person.seat}, {labels[person.id]}, {word}"
            if row.name.accessibleName() != spoken:
                row.name.setAccessibleName(spoken)
                row.bar.belongs_to(labels[person.id])
        agencies = tally_agencies(state, now, people)
        top = max((agency.share for agency in agencies), default=0.0)
        for agency in agencies:
            if agency.key in self._agency_rows:
                _, bar, figure = self._agency_rows[agency.key]
                bar.set_share(agency.share, agency.equal_share, top)
                figure.setText(
                    f"{round(agency.share * 100)} % (fair {round(agency.equal_share * 100)} %)"
                )
        index = balance_index([row.seconds for row in people])
        self.balance_index.setText(
            "" if index is None else f"balance {decimal_text(index, 2)} of 1"
        )

    def _refresh_controls(self, state: SessionState, now: datetime) -> None:
        if state.space_active:
            self.space_line.setText(
                f"Space — time to think · {format_duration(state.space_seconds(now))}"
            )
            self.space_line.show()
        else:
            self.space_line.hide()
        resume = state.status == "paused"
        self._set_button("toggle_pause", "Ctrl+P  Resume" if resume else "Ctrl+P  Pause")
        self._set_button("toggle_space", "R  End space" if state.space_active else "R  Space")
        # A space cannot start while paused (R says why); one already running can end.
        self.buttons["toggle_space"].setEnabled(state.space_active or not resume)

    def _set_button(self, action: str, text: str) -> None:
        """The button's words and, for a screen reader, its name: what pressing it does now."""
        button = self.buttons[action]
        button.setText(text)
        button.setAccessibleName(text.split("  ", 1)[1])

    def _refresh_card(self) -> None:
        card = self.controller.card
        if card is None:
            self.card_title.setText("No cards")
            self.card_prompt.setText("")
            return
        if card.kind == "guide":  # a note for the facilitator, not a card for the room
            self.card_title.setText(f"Guide for you · {card.title}")
        else:
            topic = (card.essential or card.phase or card.kind).replace("-", " ").capitalize()
            self.card_title.setText(f"Card · {topic} · {card.title}")
        self.card_prompt.setText(card.prompt)
        # What the wall shows first: blank (B) and the space hide any card there. With no
        # wall open yet, what it will show when D opens it.
        ctl = self.controller
        if ctl.display_blanked:
            wall = "blank"
        elif ctl.space_on_wall:
            wall = "space"
        elif card.kind == "guide":
            wall = "guide"
        else:
            wall = "card" if ctl.card_on_display else "hidden"
        self.card_display.setText(_WALL_LINE[wall][not ctl.display_open])
