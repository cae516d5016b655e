"""Session detail: one past session's process on one screen — never its content.

The timeline is the PDF summary's own :func:`rethink_desktop.reports.pdf.draw_timeline`,
painted on a widget in the theme's colours; below it, talk time by person and by agency
against the equal share, attendance, the tension pulse, the anonymous ratings and whether a
way forward was reached. The session is rebuilt from its event log, as the PDF is, so the
screen and the file always agree.
"""

from __future__ import annotations

import html
import math
from datetime import datetime

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from rethink_desktop.core.agenda import KIND_LABELS
from rethink_desktop.core.clock import format_duration
from rethink_desktop.core.metrics import (
    Tally,
    decimal_text,
    session_balance,
    tally_agencies,
    tally_people,
)
from rethink_desktop.core.state import (
    ABANDON_REASONS,
    RATING_FIELDS,
    WAY_FORWARD,
    IllegalAction,
    SessionState,
    ratings_withheld,
    reduce,
)
from rethink_desktop.reports.pdf import (
    ATTENDANCE_LABELS,
    TimelinePalette,
    agency_colours,
    draw_timeline,
    end_of,
    withheld_ratings_note,
)
from rethink_desktop.storage.database import StorageError
from rethink_desktop.ui import widgets
from rethink_desktop.ui.controller import SessionController
from rethink_desktop.ui.history import STATUS_LABELS, duration_text
from rethink_desktop.ui.home import format_when
from rethink_desktop.ui.live import TalkBar, pct
from rethink_desktop.ui.theme import (
    AGENCY_COLOURS,
    Theme,
    agency_ink,
    base_point_size,
    current_theme,
    is_dark,
)

_label = widgets.label

RATING_LABELS = {
    "communication": "Communication",
    "compassion": "Compassion",
    "clarity": "Clarity",
    "heard": "Felt heard",
}
# draw_timeline sizes its text in points for paper; on screen it is scaled to this many
# base fonts, so labels follow the user's font size.
TIMELINE_TEXT = 0.9
PDF_TIMELINE_POINTS = 7.0


def timeline_palette(theme: Theme) -> TimelinePalette:
    """The timeline in the screen's colours; black agency colour turns light on dark themes."""
    dark = is_dark(theme)
    agencies = tuple(agency_ink(c, theme) for c in AGENCY_COLOURS)
    surface = QColor(theme.surface)
    return TimelinePalette(
        text=theme.text,
        muted=theme.muted,
        band_even=(surface.lighter(125) if dark else surface.darker(104)).name(),
        band_odd=(surface.lighter(150) if dark else surface.darker(110)).name(),
        pause="#9AA4AE" if not dark else "#5F6A73",
        space="#C5CEF0" if not dark else "#3A4778",
        card=theme.text,
        passed=theme.text,
        planned_end=theme.muted,
        agencies=agencies,
    )


class TimelineWidget(QWidget):
    """The session across its two hours, drawn by ``draw_timeline``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state: SessionState | None = None
        self.setAccessibleName("Timeline of the session")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        # Reached with Tab: a screen reader reads the timeline phase by phase (its
        # accessible description); a ring shows where the keyboard is.
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)

    def sizeHint(self) -> QSize:
        return QSize(600, round(QFontMetrics(self.font()).height() * 8))

    def minimumSizeHint(self) -> QSize:
        return QSize(300, self.sizeHint().height())

    def set_state(self, state: SessionState | None) -> None:
        self.state = state
        self.setAccessibleDescription(self._describe())
        self.update()

    def _describe(self) -> str:
        state = self.state
        if state is None or state.started_at is None:
            return "The meeting did not start."
        spoken = sum(1 for t in state.turns if not t.passed)
        passes = sum(1 for t in state.turns if t.passed)
        lines = [
            f"{len(state.phases)} phases, {spoken} turns, {passes} passes, "
            f"{len(state.spaces)} space periods, {len(state.pauses)} pauses, "
            f"{len(state.cards)} cards shown."
        ]
        # What the colours show, in words: who spoke, by agency, in each phase. Each phase
        # shows what its talk adds to the agency's running total, in whole seconds, so the
        # phases add up to the totals shown below the timeline.
        end = end_of(state) or state.created_at
        silent = state.silent_spans(end)
        so_far: dict[str, float] = {}
        for phase in state.phases:
            turns = [t for t in state.turns if t.phase == phase.index]
            if phase.started_at is None:
                continue
            talk: dict[str, int] = {}
            for turn in turns:
                if not turn.passed:
                    agency = state.participant(turn.participant_id).agency
                    before = so_far.get(agency, 0.0)
                    so_far[agency] = before + state.turn_seconds(turn, end, silent)
                    added = math.floor(so_far[agency]) - math.floor(before)
                    talk[agency] = talk.get(agency, 0) + added
            said = ", ".join(f"{agency} {format_duration(s)}" for agency, s in talk.items())
            passed = sum(1 for t in turns if t.passed)
            extra = f"; {passed} pass{'es' if passed != 1 else ''}" if passed else ""
            lines.append(f"Phase {phase.index + 1}, {phase.name}: {said or 'no one spoke'}{extra}.")
        return " ".join(lines)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        theme = current_theme()
        painter.fillRect(self.rect(), QColor(theme.surface))
        if self.state is not None:
            scale = base_point_size() * TIMELINE_TEXT / PDF_TIMELINE_POINTS
            painter.scale(scale, scale)
            rect = QRectF(2, 2, self.width() / scale - 4, self.height() / scale - 4)
            draw_timeline(painter, rect, self.state, timeline_palette(theme))
        if self.hasFocus():
            painter.resetTransform()
            painter.setPen(QPen(QColor(theme.accent), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 4, 4)
        painter.end()


class SessionDetailView(QWidget):
    """Everything recorded about one session's process, read-only."""

    back_requested = Signal()
    pdf_requested = Signal(str)

    def __init__(self, controller: SessionController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.session_id: str | None = None
        self.state: SessionState | None = None
        self.people_rows: list[Tally] = []
        self.agency_rows: list[Tally] = []
        self.facts: dict[str, str] = {}
        self.setAccessibleName("Session detail")
        em = QFontMetrics(self.font()).height()
        self._em = em

        self.title = _label("", role="heading", bold=True, name="Session")
        self.subtitle = _label("", muted=True, name="When, status and length", wrap=True)
        self.demo_label = _label("Demo — fictional", bold=True, name="Demo session")
        self.demo_label.setProperty("tone", "attention")
        self.pdf_button = widgets.button(
            "Export PDF…", "Export this session as a PDF summary", clicked=self._pdf
        )
        self.back_button = widgets.button(
            "Back to history", "Back to history (Esc)", clicked=self.back_requested
        )
        self.problem_label = widgets.problem_label("Problem reading the session")

        self.timeline = TimelineWidget()
        # Rich text, so the legend wraps at large font sizes; each colour has its name.
        self.legend = _label("", role="label", name="Timeline legend", wrap=True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)

        self.people_grid = QGridLayout()
        self.agency_grid = QGridLayout()
        for grid in (self.people_grid, self.agency_grid):
            grid.setHorizontalSpacing(em * 3 // 4)
            grid.setVerticalSpacing(em // 4)
            grid.setColumnStretch(2, 1)
        self.balance_label = _label("", name="Balance of voice", wrap=True)

        self.attendance_label = _label("", name="Attendance", wrap=True)
        self.pulse_label = _label("", name="Tension pulse", wrap=True)
        self.way_forward_label = _label("", role="card", bold=True, name="Way forward reached")
        self.rating_values: dict[str, QLabel] = {}
        self.rating_counts: dict[str, QLabel] = {}
        self.ratings_note = _label("", muted=True, name="How many rated", wrap=True)

        self._build_layout()

    # --- building ------------------------------------------------------------------------
    def _panel(self, title: str) -> tuple[QFrame, QVBoxLayout]:
        frame = QFrame()
        frame.setObjectName("panel")
        frame.setAccessibleName(title)
        box = QVBoxLayout(frame)
        em = self._em
        box.setContentsMargins(em, em * 3 // 4, em, em * 3 // 4)
        box.setSpacing(em // 2)
        box.addWidget(_label(title, role="body", bold=True, name=title))
        return frame, box

    def _build_layout(self) -> None:
        em = self._em
        header = QHBoxLayout()
        header.setSpacing(em)
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        header.addLayout(titles, 1)
        header.addWidget(self.demo_label, 0, Qt.AlignmentFlag.AlignTop)
        header.addWidget(self.pdf_button, 0, Qt.AlignmentFlag.AlignTop)
        header.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)

        timeline, box = self._panel("Timeline")
        box.addWidget(self.timeline)
        box.addWidget(self.legend)

        people, people_box = self._panel("Talk time by person")
        people_box.addLayout(self.people_grid)
        people_box.addWidget(self.balance_label)
        people_box.addStretch(1)
        agencies, agency_box = self._panel("Talk time by agency")
        agency_box.addLayout(self.agency_grid)
        agency_box.addWidget(
            _label(
                "The tick marks the equal share: an agency's share of the people in the room.",
                muted=True,
                wrap=True,
            )
        )
        agency_box.addStretch(1)
        # Side by side when there is room, one above the other with large fonts.
        talk = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        talk.setSpacing(em)
        talk.addWidget(people, 3)
        talk.addWidget(agencies, 2)
        self._talk, self._talk_panels = talk, (people, agencies)

        outcome, outcome_box = self._panel("Attendance, pulse, ratings and way forward")
        grid = QGridLayout()
        grid.setHorizontalSpacing(em * 2)
        grid.setVerticalSpacing(em // 3)
        grid.addWidget(_label("Attendance", muted=True), 0, 0)
        grid.addWidget(self.attendance_label, 0, 1, 1, 3)
        grid.addWidget(_label("Tension pulse", muted=True), 1, 0)
        grid.addWidget(self.pulse_label, 1, 1, 1, 3)
        grid.addWidget(_label("Way forward reached", muted=True), 2, 0)
        grid.addWidget(self.way_forward_label, 2, 1, 1, 3)
        ratings = QHBoxLayout()
        ratings.setSpacing(em * 2)
        for name in RATING_FIELDS:
            column = QVBoxLayout()
            column.setSpacing(0)
            value = _label("—", role="phase", bold=True, name=f"{RATING_LABELS[name]}, average")
            count = _label("", muted=True, name=f"{RATING_LABELS[name]}, answers")
            column.addWidget(_label(RATING_LABELS[name], muted=True))
            column.addWidget(value)
            column.addWidget(count)
            self.rating_values[name] = value
            self.rating_counts[name] = count
            ratings.addLayout(column)
        ratings.addStretch(1)
        top = Qt.AlignmentFlag.AlignTop
        grid.addWidget(_label("Ratings (anonymous, 1–5)", muted=True), 3, 0, top)
        grid.addLayout(ratings, 3, 1, 1, 3)
        grid.addWidget(self.ratings_note, 4, 1, 1, 3)
        grid.setColumnStretch(3, 1)
        outcome_box.addLayout(grid)

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(em * 3 // 2, em, em * 3 // 2, em)
        column.setSpacing(em * 3 // 4)
        column.addLayout(header)
        column.addWidget(self.problem_label)
        column.addWidget(timeline)
        column.addLayout(talk)
        column.addWidget(outcome)
        column.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(content)
        self.scroll.setAccessibleName("Session detail")
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.addWidget(self.scroll)

    # --- loading -------------------------------------------------------------------------
    def load(self, session_id: str) -> bool:
        """Show one session, rebuilt from its log; False (and a message) if it cannot be read."""
        self.session_id = session_id
        try:
            events = self.controller.store.events(session_id)
            state = reduce(events) if events else None
        except (StorageError, IllegalAction) as exc:
            message = exc.message if isinstance(exc, StorageError) else str(exc)
            self._problem(f"This session could not be read. {message}")
            return False
        if state is None:
            self._problem("This session is no longer in the records.")
            return False
        self.problem_label.hide()
        self.show_state(state)
        return True

    def _problem(self, text: str) -> None:
        self.state = None
        self.problem_label.setText(text)
        self.problem_label.show()
        self.title.setText("Session")
        self.subtitle.setText("")
        self.timeline.set_state(None)

    def show_state(self, state: SessionState) -> None:
        """Fill every part of the screen from ``state``."""
        self.state = state
        end = end_of(state) or state.created_at
        kind = KIND_LABELS.get(state.kind, state.kind)
        self.title.setText(f"{state.reference or '(no reference)'} · {kind}")
        self.title.setAccessibleName(f"Session {state.reference}, {kind}")
        self.facts = self._facts(state, end)
        self.subtitle.setText(" · ".join(self.facts[k] for k in ("date", "status", "length")))
        self.demo_label.setVisible(state.demo)
        self.timeline.set_state(state)
        palette = timeline_palette(current_theme())
        colours = {a: c.name() for a, c in agency_colours(state, palette).items()}
        self._fill_legend(colours)
        self.people_rows = tally_people(state, end)
        self.agency_rows = tally_agencies(state, end)
        self._fill_tally(self.people_grid, self.people_rows, colours, people=True)
        self._fill_tally(self.agency_grid, self.agency_rows, colours, people=False)
        self._fit_talk()
        balance = session_balance(state, end)
        self.balance_label.setText(
            f"Balance of voice {decimal_text(balance, 2)} (1 = perfectly equal, 0 = one voice). "
            "The tick marks the equal share."
            if balance is not None
            else "No one spoke in this session."
        )
        self.attendance_label.setText(self.facts["attendance"])
        self.pulse_label.setText(self.facts["pulse"])
        self.way_forward_label.setText(self.facts["way_forward"])
        hidden = ratings_withheld(state.status)
        for name in RATING_FIELDS:
            values = [getattr(r, name) for r in state.ratings if getattr(r, name) is not None]
            self.rating_values[name].setText(
                decimal_text(sum(values) / len(values)) if values and not hidden else "—"
            )
            skipped = len(state.ratings) - len(values)
            self.rating_counts[name].setText(
                ""
                if hidden
                else f"{len(values)} answer{'s' if len(values) != 1 else ''}"
                + (f", {skipped} skipped" if skipped else "")
            )
        asked = max(state.asked_to_rate(), len(state.ratings))  # an older build asked more
        note = withheld_ratings_note(state)
        if note is None:
            note = (
                f"{len(state.ratings)} of the {asked} asked at the close gave ratings."
                if state.ratings or state.status == "completed"
                else "No ratings were given."
            )
        self.ratings_note.setText(note)

    def _facts(self, state: SessionState, end: datetime) -> dict[str, str]:
        now = self.controller.clock.now().astimezone()
        when = state.started_at or state.created_at
        date = format_when(when.astimezone(), now)
        if when.astimezone().date() == now.date():  # a record's date, not just "13:30"
            date = f"Today, {date}"
        status = STATUS_LABELS.get(state.status, state.status)
        if state.abandoned_reason:
            status += f" ({ABANDON_REASONS[state.abandoned_reason].lower()})"
        if state.started_at is not None:
            meeting = state.elapsed(end)
            length = (
                f"{duration_text(meeting)} of {int(state.planned_seconds // 60)} planned minutes"
            )
            paused = sum(
                (e - s).total_seconds() for s, e in state.pauses if s is not None and e is not None
            )
            if paused >= 60:
                length += f" (paused {duration_text(paused)})"
        else:
            length = "did not start"
        counts: dict[str, int] = {}
        for person in state.participants:
            counts[person.attendance] = counts.get(person.attendance, 0) + 1
        order = ("present", "late", "left_early", "late_left_early", "absent", "expected")
        detail = ", ".join(
            f"{counts[k]} {ATTENDANCE_LABELS.get(k, k)}" for k in order if counts.get(k)
        )
        attendance = f"{len(state.attended())} of {len(state.participants)} attended"
        pulse_start = "—" if state.pulse_start is None else str(state.pulse_start)
        pulse_end = "—" if state.pulse_end is None else str(state.pulse_end)
        pulse = f"{pulse_start} at the start → {pulse_end} at the end (1 calm – 10 tense)"
        if state.pulse_start is not None and state.pulse_end is not None:
            change = state.pulse_end - state.pulse_start
            if change:
                pulse += f": {abs(change)} {'calmer' if change < 0 else 'tenser'}"
            else:
                pulse += ": no change"
        return {
            "date": date,
            "status": status,
            "length": length,
            "attendance": f"{attendance}: {detail}" if detail else attendance,
            "pulse": pulse,
            "way_forward": WAY_FORWARD.get(state.way_forward or "", "Not recorded"),
            "meeting_seconds": f"{state.elapsed(end):.0f}" if state.started_at else "",
        }

    def _fill_legend(self, colours: dict[str, str]) -> None:
        palette = timeline_palette(current_theme())
        # Square for areas, bar for passes, triangle for cards: the shape says which is which.
        items = [("■", colour, agency) for agency, colour in colours.items()]
        items += [
            ("▮", palette.passed, "pass"),
            ("▨", palette.space, "space (hatched)"),
            ("■", palette.pause, "pause"),
            ("▲", palette.card, "card shown (on the axis)"),
            ("┆", palette.planned_end, "planned end"),
        ]
        # Lines break between entries, never inside one.
        entries = [
            f'<span style="color:{colour}; font-size:large">{mark}</span>&nbsp;'
            + html.escape(text).replace(" ", "&nbsp;")
            for mark, colour, text in items
        ]
        self.legend.setText(" &nbsp; ".join(entries))
        self.legend.setAccessibleDescription(", ".join(text for _, _, text in items))

    def _fill_tally(
        self, grid: QGridLayout, rows: list[Tally], colours: dict[str, str], *, people: bool
    ) -> None:
        while grid.count():
            item = grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        top = max((row.share for row in rows), default=0.0)
        for r, row in enumerate(rows):
            colour = colours.get(row.agency, "#888888")
            # Without a name the label is "agency · role"; the agency has its own column.
            text = row.label.removeprefix(f"{row.agency} · ") if people else row.agency
            if people and text == row.agency:  # no name and no role: not "Police  Police"
                text = "(no role given)"
            # A long name or agency ends in "…" (whole on hover and to a screen reader).
            name = _label(text, elide=Qt.TextElideMode.ElideMiddle)  # "Tom (GP)" keeps its role
            name.setToolTip(text)
            grid.addWidget(name, r, 0)
            people_word = "person" if row.people == 1 else "people"
            sub = row.agency if people else f"{row.people} {people_word}"
            where = _label(sub, role="label", muted=True, elide=True)
            where.setToolTip(sub)
            grid.addWidget(where, r, 1)
            bar = TalkBar(colour)
            bar.set_share(row.share, row.equal_share, top)
            bar.belongs_to(name.text())
            grid.addWidget(bar, r, 2)
            figures = _label(
                f"{format_duration(row.seconds)} · {pct(row.share)} (equal {pct(row.equal_share)})",
                role="label",
            )
            figures.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(figures, r, 3)
            turns = f"{row.turns} turn{'s' if row.turns != 1 else ''}"
            if row.passes:
                turns += f", {row.passes} pass{'es' if row.passes != 1 else ''}"
            grid.addWidget(_label(turns, role="label", muted=True), r, 4)
            summary = (
                f"{name.text()}, {sub}: {format_duration(row.seconds)}, {pct(row.share)} of talk "
                f"time against an equal share of {pct(row.equal_share)}, {turns}"
            )
            for c in range(5):
                widget = grid.itemAtPosition(r, c).widget()
                widget.setAccessibleDescription(summary)

    # --- acting --------------------------------------------------------------------------
    def _pdf(self) -> None:
        if self.session_id is not None and self.state is not None:
            self.pdf_requested.emit(self.session_id)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_talk()

    def _fit_talk(self) -> None:
        """The two talk-time panels side by side when both fit whole, else one above the
        other. Decided again once the rows are in (on a resize alone, a detail opened with
        long names stayed side by side, wider than the window, its buttons out of sight)."""
        people, agencies = self._talk_panels
        needed = people.sizeHint().width() + agencies.sizeHint().width() + self._em * 3
        wide = self.scroll.viewport().width() >= needed
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self._talk.direction() != direction:
            self._talk.setDirection(direction)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_Backspace):
            self.back_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def focus_default(self) -> None:
        self.back_button.setFocus()
