"""A one- to two-page PDF summary of one session, drawn with Qt's own PDF writer.

Process only, never content: the timeline across the two hours, talk time by person and by
agency against the equal share, attendance, the tension pulse, the anonymous ratings and
whether a way forward was reached. :func:`draw_timeline` paints onto any ``QPainter``, so
the Session detail screen draws the same timeline on a widget.

Works without a display: if no Qt application exists (the command line), an offscreen
``QGuiApplication`` is created for the fonts.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QBuffer, QCoreApplication, QIODevice, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QApplication

from rethink_desktop import APP_DISPLAY_NAME
from rethink_desktop.core.agenda import KIND_LABELS
from rethink_desktop.core.clock import SystemClock, format_duration
from rethink_desktop.core.events import Event
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
    SessionState,
    ratings_withheld,
    reduce,
)
from rethink_desktop.reports.exports import ExportCancelled, atomic_write_bytes
from rethink_desktop.storage.database import Database
from rethink_desktop.storage.eventlog import EventStore
from rethink_desktop.ui.theme import AGENCY_COLOURS
from rethink_desktop.ui.theme import agency_colours as theme_agency_colours

Progress = Callable[[int, int], bool]

A4_WIDTH, A4_HEIGHT, MARGIN = 595.0, 842.0, 42.0  # points (the writer runs at 72 dpi)
ATTENDANCE_LABELS = {
    "present": "present throughout",
    "late": "arrived late",
    "left_early": "left early",
    "late_left_early": "arrived late and left early",
    "absent": "absent",
    "expected": "not checked in",
}


@dataclass(frozen=True)
class TimelinePalette:
    """Colours of the timeline; ``agencies`` is the Okabe–Ito palette, in agency order."""

    text: str = "#1F2328"
    muted: str = "#59636E"
    band_even: str = "#EEF1F4"
    band_odd: str = "#E1E6EB"
    pause: str = "#9AA4AE"
    space: str = "#B8D8EE"
    card: str = "#444C56"
    passed: str = "#1F2328"
    planned_end: str = "#59636E"
    agencies: tuple[str, ...] = AGENCY_COLOURS


def agency_colours(state: SessionState, palette: TimelinePalette) -> dict[str, QColor]:
    """Each agency's colour in this session, as the live view gives it (``ui.theme``)."""
    chosen = theme_agency_colours((p.agency for p in state.participants), palette.agencies)
    return {agency: QColor(colour) for agency, colour in chosen.items()}


def end_of(state: SessionState) -> datetime | None:
    """Where a session's record ends: the meeting's end, else its last event."""
    return state.ended_at or state.abandoned_at or state.updated_at


def space_hatch(palette: TimelinePalette) -> QBrush:
    """The diagonal lines over "space" in the timeline and its legend."""
    return QBrush(QColor(palette.muted), Qt.BrushStyle.BDiagPattern)


def draw_timeline(
    painter: QPainter,
    rect: QRectF,
    state: SessionState,
    palette: TimelinePalette | None = None,
    now: datetime | None = None,
) -> None:
    """Paint the session across its two hours into ``rect``.

    Rows from the top: phases as bands (with their names), speaking turns as segments
    coloured by agency (a pass is a short dark mark), and a time axis with cards shown as
    small triangles. "Space" is washed light blue and hatched over the turns, pauses grey
    over everything; a dashed line marks the planned end. Time runs left to right in
    wall-clock time.
    """
    palette = palette or TimelinePalette()
    painter.save()
    font = QFont(painter.font())
    font.setPointSizeF(7.0)
    painter.setFont(font)
    metrics = QFontMetricsF(font)
    start = state.started_at
    if start is None:
        painter.setPen(QColor(palette.muted))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "The meeting did not start.")
        painter.restore()
        return
    end = end_of(state) if now is None else (state.ended_at or state.abandoned_at or now)
    end = max(end or start, start)
    span = max(state.planned_seconds, (end - start).total_seconds(), 60.0)
    left, width = rect.left(), rect.width()

    def x(moment: datetime | None) -> float:
        seconds = ((moment or end) - start).total_seconds()
        return left + width * min(max(seconds / span, 0.0), 1.0)

    band_h = metrics.height() + 4
    axis_h = metrics.height() + 8
    turns_top = rect.top() + band_h + 2
    turns_h = max(12.0, rect.height() - band_h - axis_h - 4)
    # Phases as bands.
    for phase in state.phases:
        if phase.started_at is None:
            continue
        band = QRectF(x(phase.started_at), rect.top(), 0, band_h)
        band.setRight(x(phase.ended_at))
        colour = palette.band_even if phase.index % 2 == 0 else palette.band_odd
        painter.fillRect(band, QColor(colour))
        painter.fillRect(
            QRectF(band.left(), turns_top, band.width(), turns_h), QColor(colour).lighter(104)
        )
        painter.setPen(QColor(palette.text))
        label = metrics.elidedText(phase.name, Qt.TextElideMode.ElideRight, band.width() - 4)
        painter.drawText(band.adjusted(2, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter, label)
    colours = agency_colours(state, palette)
    people = {p.id: p for p in state.participants}
    painter.setPen(Qt.PenStyle.NoPen)
    for turn in state.turns:
        person = people.get(turn.participant_id)
        if turn.passed:
            continue
        colour = colours.get(person.agency if person else "", QColor(palette.muted))
        x0, x1 = x(turn.started_at), x(turn.ended_at)
        painter.fillRect(QRectF(x0, turns_top + 2, max(0.8, x1 - x0), turns_h - 4), colour)
    # Space and pauses over the turns, see-through: a turn that ran on through them shows
    # beneath (its talk time stood still). Space is hatched too, so that it never reads as
    # an agency's colour alone; a pause covers the phases' band as well.
    for spans, colour, top, height, hatch in (
        (state.spaces, palette.space, turns_top, turns_h, True),
        (state.pauses, palette.pause, rect.top(), band_h + 2 + turns_h, False),
    ):
        wash = QColor(colour)
        wash.setAlpha(225)  # mostly its own colour, as in the legend; the turn shows faintly
        for s, e in spans:
            area = QRectF(x(s), top, max(1.0, x(e) - x(s)), height)
            painter.fillRect(area, wash)
            if hatch:
                painter.fillRect(area, space_hatch(palette))
    pass_pen = QPen(QColor(palette.passed), 1.2)
    painter.setPen(pass_pen)
    for turn in state.turns:
        if turn.passed:
            px = x(turn.started_at)
            painter.drawLine(
                QPointF(px, turns_top + turns_h * 0.55), QPointF(px, turns_top + turns_h - 1)
            )
    # Planned end.
    planned_x = left + width * min(state.planned_seconds / span, 1.0)
    painter.setPen(QPen(QColor(palette.planned_end), 0.8, Qt.PenStyle.DashLine))
    painter.drawLine(QPointF(planned_x, rect.top()), QPointF(planned_x, turns_top + turns_h))
    # Axis with cards as ticks.
    axis_y = turns_top + turns_h + 2
    painter.setPen(QPen(QColor(palette.muted), 0.6))
    painter.drawLine(QPointF(left, axis_y), QPointF(left + width, axis_y))
    step = 15 * 60 if span <= 150 * 60 else 30 * 60
    tick = 0
    while tick <= span + 1:
        tx = left + width * tick / span
        painter.drawLine(QPointF(tx, axis_y), QPointF(tx, axis_y + 3))
        text = format_duration(tick, always_hours=True)[:-3]
        tw = metrics.horizontalAdvance(text)
        painter.drawText(
            QPointF(min(max(tx - tw / 2, left), left + width - tw), axis_y + 3 + metrics.ascent()),
            text,
        )
        tick += step
    # A card shown: a small triangle on the axis pointing up at the turns, a shape of its own
    # (a pass is a thin bar in the turns' row, the axis's own ticks hang below it).
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(palette.card))
    for card in state.cards:
        cx = min(max(x(card.at), left + 3), left + width - 3)  # whole at 0:00 and the end
        painter.drawPolygon(
            QPolygonF([QPointF(cx - 3, axis_y), QPointF(cx + 3, axis_y), QPointF(cx, axis_y - 5)])
        )
    painter.restore()


# --- the page -----------------------------------------------------------------------------


_app: QCoreApplication | None = None


def ensure_gui_app() -> None:
    """Fonts need a Qt application; on the command line make an offscreen one.

    A ``QApplication`` rather than a ``QGuiApplication``, so that widgets can still be made
    later in the same process (there can only ever be one application object).
    """
    global _app
    if QCoreApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _app = QApplication([APP_DISPLAY_NAME])


class _Page:
    """A cursor down A4 pages: text, headings and bars; a new page when one is full."""

    def __init__(self, writer: QPdfWriter, painter: QPainter) -> None:
        self.writer, self.painter = writer, painter
        self.y = MARGIN
        self.pages = 1
        self.width = A4_WIDTH - 2 * MARGIN

    def font(self, size: float, bold: bool = False) -> QFontMetricsF:
        font = QFont(self.painter.font())
        font.setPointSizeF(size)
        font.setBold(bold)
        self.painter.setFont(font)
        return QFontMetricsF(font)

    def need(self, height: float) -> None:
        if self.y + height > A4_HEIGHT - MARGIN - 20:
            self.writer.newPage()
            self.pages += 1
            self.y = MARGIN

    def text(
        self, text: str, size: float = 9.5, *, bold: bool = False, colour: str = "#1F2328"
    ) -> None:
        """One paragraph at the left margin, wrapped at word boundaries to the page width
        (a long ratings or attendance line, a long purpose) rather than cut off at its edge."""
        metrics = self.font(size, bold)
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | int(
            Qt.TextFlag.TextWordWrap
        )
        area = metrics.boundingRect(QRectF(0, 0, self.width, A4_HEIGHT), flags, text)
        self.need(area.height())
        self.painter.setPen(QColor(colour))
        self.painter.drawText(QRectF(MARGIN, self.y, self.width, area.height()), flags, text)
        self.y += area.height() + 2

    def heading(self, text: str) -> None:
        self.y += 8
        self.need(40)
        self.text(text, 11.5, bold=True)
        self.y += 2


def _shortened_keeping_role(metrics: QFontMetricsF, label: str, width: float) -> str:
    """``label`` shortened to ``width`` in the name, never in a " (role)" at its end: two
    people with one long name ("Tom (School nurse)", "Tom (GP)") must still read apart."""
    if metrics.horizontalAdvance(label) <= width:
        return label
    start = _closing_bracket_opens_at(label)
    if start > 0 and label[start - 1] == " ":
        name, suffix = label[: start - 1], label[start - 1 :]
        room = width - metrics.horizontalAdvance(suffix)
        if room > metrics.horizontalAdvance("M…"):
            return metrics.elidedText(name, Qt.TextElideMode.ElideRight, room) + suffix
    return metrics.elidedText(label, Qt.TextElideMode.ElideMiddle, width)


def _closing_bracket_opens_at(text: str) -> int:
    """Where the bracket that closes ``text`` opens, or -1: a role may hold brackets of its
    own ("Tom (Lead (north))" ends in the role "Lead (north)", not "north)")."""
    depth = 0
    for at in range(len(text) - 1, -1, -1):
        if text[at] == ")":
            depth += 1
        elif text[at] == "(":
            depth -= 1
            if depth == 0:
                return at
        if depth <= 0:
            return -1
    return -1


def _tally_rows(page: _Page, rows: list[Tally], colours: dict[str, QColor], what: str) -> None:
    metrics = page.font(8.5)
    line = metrics.height() + 5
    label_w, bar_left = 170.0, MARGIN + 176
    bar_w = page.width - 176 - 150
    top_share = max([r.share for r in rows] + [r.equal_share for r in rows] + [0.01])
    for row in rows:
        page.need(line)
        page.font(8.5)
        painter = page.painter
        painter.setPen(QColor("#1F2328"))
        name = _shortened_keeping_role(metrics, row.label, label_w)
        painter.drawText(QPointF(MARGIN, page.y + metrics.ascent()), name)
        bar = QRectF(bar_left, page.y + 1, bar_w * row.share / top_share, line - 7)
        painter.fillRect(bar, colours.get(row.agency, QColor("#888888")))
        equal_x = bar_left + bar_w * row.equal_share / top_share
        painter.setPen(QPen(QColor("#1F2328"), 1.0, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(equal_x, page.y - 1), QPointF(equal_x, page.y + line - 4))
        painter.setPen(QColor("#1F2328"))
        figures = (
            f"{format_duration(row.seconds)}  {row.share:.0%} (equal {row.equal_share:.0%})"
            f"  {row.turns} t, {row.passes} p"
        )
        painter.drawText(QPointF(bar_left + bar_w + 6, page.y + metrics.ascent()), figures)
        page.y += line
    page.text(
        f"Bars: share of talk time by {what}; dashed line: the equal share. "
        "t = turns taken, p = passes.",
        7.5,
        colour="#59636E",
    )


def _local(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%d %b %Y %H:%M") if moment else "—"


# Said instead of the ratings while they are withheld (core.state.ratings_withheld).
RATINGS_WAIT = "The close is not complete: its ratings are shown once it is."
RATINGS_LEFT_OUT = (
    "Abandoned during its close: the ratings given are not shown, as an incomplete set could "
    "tell whose answers were whose."
)


def withheld_ratings_note(state: SessionState) -> str | None:
    """What is said instead of a session's ratings, or None when they are shown (or there
    were none to withhold: an abandoned session with no ratings simply has none)."""
    if not ratings_withheld(state.status):
        return None
    if state.status == "closing":
        return RATINGS_WAIT
    return RATINGS_LEFT_OUT if state.ratings else None


def summary_lines(state: SessionState) -> dict[str, str]:
    """The plain-text facts of the summary (also handy for a detail screen)."""
    attended = state.attended()
    counts: dict[str, int] = {}
    for person in state.participants:
        counts[person.attendance] = counts.get(person.attendance, 0) + 1
    attendance = ", ".join(f"{n} {ATTENDANCE_LABELS.get(k, k)}" for k, n in sorted(counts.items()))
    ratings = []
    for name in RATING_FIELDS:
        values = [getattr(r, name) for r in state.ratings if getattr(r, name) is not None]
        average = decimal_text(sum(values) / len(values)) if values else "—"
        label = "Felt heard" if name == "heard" else name.capitalize()
        ratings.append(f"{label} {average} ({len(values)})")
    pulse = (
        f"{state.pulse_start if state.pulse_start is not None else '—'} at the start → "
        f"{state.pulse_end if state.pulse_end is not None else '—'} at the end "
        "(1 calm – 10 tense)"
    )
    status = state.status.replace("_", " ")
    if state.abandoned_reason:
        status += f" ({ABANDON_REASONS[state.abandoned_reason].lower()})"
    return {
        "kind": KIND_LABELS.get(state.kind, state.kind),
        "date": _local(state.started_at or state.created_at),
        "status": status,
        "attendance": f"{len(attended)} of {len(state.participants)} attended: {attendance}",
        "pulse": pulse,
        "ratings": withheld_ratings_note(state) or "; ".join(ratings),
        "way_forward": WAY_FORWARD.get(state.way_forward or "", "Not recorded"),
    }


def _anonymised(state: SessionState) -> SessionState:
    clone = state.clone()
    for person in clone.participants:
        person.name = None
    return clone


def render_pdf(
    state: SessionState,
    out: QIODevice,
    *,
    anonymise: bool = False,
    generated_at: datetime | None = None,
) -> int:
    """Write the summary of ``state`` to ``out`` (an open device); return the pages."""
    ensure_gui_app()
    if anonymise:
        state = _anonymised(state)
    now = end_of(state) or state.created_at
    writer = QPdfWriter(out)
    writer.setResolution(72)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
        )
    )
    writer.setTitle(f"Re-Think session summary — {state.reference}")
    writer.setCreator(APP_DISPLAY_NAME)
    painter = QPainter(writer)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        page = _Page(writer, painter)
        facts = summary_lines(state)
        page.text("Re-Think session summary", 10, colour="#59636E")
        page.text(state.reference or "(no reference)", 20, bold=True)
        page.text(f"{facts['kind']} · {facts['date']} · {facts['status']}", 10)
        if state.demo:
            page.text(
                "DEMO — a fictional training session, not a real record",
                10,
                bold=True,
                colour="#B35C00",
            )
        if state.started_at and end_of(state):
            length = (end_of(state) - state.started_at).total_seconds()  # type: ignore[operator]
            page.text(
                f"Meeting time {format_duration(state.elapsed(now), always_hours=True)} of "
                f"{int(state.planned_seconds // 60)} planned minutes "
                f"(wall clock {format_duration(length, always_hours=True)}, pauses excluded "
                "from meeting time)",
                8.5,
                colour="#59636E",
            )
        page.heading("Timeline")
        page.need(120)
        palette = TimelinePalette()
        draw_timeline(painter, QRectF(MARGIN, page.y, page.width, 96), state, palette)
        page.y += 100
        colours = agency_colours(state, palette)
        _legend(page, colours, palette)
        people = tally_people(state, now)
        if people:
            balance = session_balance(state, now)
            page.heading("Talk time by person")
            _tally_rows(page, people, colours, "person")
            page.heading("Talk time by agency")
            _tally_rows(page, tally_agencies(state, now), colours, "agency")
            if balance is not None:
                figure = decimal_text(balance, 2)
                page.text(f"Balance of voice {figure} (1 = perfectly equal, 0 = one voice)", 9)
        page.heading("Attendance, pulse and ratings")
        page.text(f"Attendance: {facts['attendance']}")
        page.text(f"Tension pulse: {facts['pulse']}")
        page.text(f"Ratings, anonymous (average, count): {facts['ratings']}")
        page.text(f"Way forward reached: {facts['way_forward']}")
        stamp = (generated_at or SystemClock().now()).astimezone()
        kept = not anonymise and any(p.name for p in state.participants)
        page.need(30)
        page.font(7.5)
        painter.setPen(QColor("#59636E"))
        # The footer sits at the foot of the last page.
        painter.drawText(
            QPointF(MARGIN, A4_HEIGHT - MARGIN),
            "No content: Re-Think keeps no notes of what was said. "
            f"{'Includes names' if kept else 'No names'}. "
            f"Made by {APP_DISPLAY_NAME} on {stamp:%d %b %Y %H:%M}.",
        )
        return page.pages
    finally:
        painter.end()


def _legend(page: _Page, colours: dict[str, QColor], palette: TimelinePalette) -> None:
    metrics = page.font(7.5)
    x = MARGIN
    items = [(agency, colour) for agency, colour in colours.items()]
    items += [
        ("pass", QColor(palette.passed)),
        ("space", QColor(palette.space)),
        ("pause", QColor(palette.pause)),
    ]
    page.need(metrics.height() + 4)
    for label, colour in items:
        w = 8 + 3 + metrics.horizontalAdvance(label) + 10
        if x + w > MARGIN + page.width:
            page.y += metrics.height() + 3
            x = MARGIN
        page.painter.fillRect(QRectF(x, page.y + 2, 8, 8), colour)
        if label == "space":
            page.painter.fillRect(QRectF(x, page.y + 2, 8, 8), space_hatch(palette))
        page.painter.setPen(QColor(palette.text))
        page.painter.drawText(QPointF(x + 11, page.y + metrics.ascent()), label)
        x += w
    page.y += metrics.height() + 4
    page.text(
        "Ticks under the axis: cards shown. Dashed line: the planned end.",
        7.5,
        colour=palette.muted,
    )


def write_pdf(
    source: EventStore | Database,
    session_id: str,
    out_path: str | Path,
    *,
    anonymise: bool = False,
    progress: Progress | None = None,
) -> int:
    """Write the PDF summary of one session atomically; return the number of pages.

    ``progress(0, 1)`` / ``progress(1, 1)`` bracket the work; returning False cancels
    (``ExportCancelled``) and no file is left. Raises ``LookupError`` for an unknown id.
    """
    db = source.db if isinstance(source, EventStore) else source
    rows = db.execute(
        "SELECT kind, at, data FROM events WHERE session_id = ? ORDER BY seq", [session_id]
    ).fetchall()
    if not rows:
        raise LookupError(f"There is no session with the id {session_id}.")
    state = reduce([Event.from_row({"kind": k, "at": a, "data": d}) for k, a, d in rows])
    if progress is not None and not progress(0, 1):
        raise ExportCancelled
    # Made in memory (a page or two), then written as every export is: Qt's writer, given a
    # file, only warns when the disk is full, and leaves an empty file said to be written.
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    pages = render_pdf(state, buffer, anonymise=anonymise)
    buffer.close()
    if progress is not None and not progress(1, 1):
        raise ExportCancelled
    pdf = buffer.data().data()
    atomic_write_bytes(Path(out_path), lambda handle: handle.write(pdf))
    return pages
