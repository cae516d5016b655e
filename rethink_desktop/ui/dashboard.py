"""The dashboard: evidence over a period — the three Cs, the room's pulse, balance of voice.

Figures come from :func:`rethink_desktop.storage.history.dashboard` in one call; the charts
are QPainter widgets (``ui/charts.py``). Demo sessions are left out unless "Include demo
sessions" is ticked (ticked from the start in the demo window, whose sessions are all demo).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from rethink_desktop.core.agenda import KIND_LABELS
from rethink_desktop.core.clock import Clock, SystemClock
from rethink_desktop.core.metrics import decimal_text
from rethink_desktop.core.state import RATING_FIELDS
from rethink_desktop.storage.database import StorageError
from rethink_desktop.storage.history import DashboardData, dashboard
from rethink_desktop.ui import widgets
from rethink_desktop.ui.charts import Bar, BarList, Histogram, LineChart
from rethink_desktop.ui.controller import SessionController
from rethink_desktop.ui.period import MONTHS, PeriodChooser
from rethink_desktop.ui.theme import set_font_role

SERIES_NAMES = {
    "communication": "Communication",
    "compassion": "Compassion",
    "clarity": "Clarity",
    "heard": "Felt heard",
}
ATTENDANCE_WORDS = (
    ("present", "Present throughout"),  # as the detail says; not "two hours": some are shorter
    ("late", "Arrived late"),
    ("left_early", "Left early"),
    ("late_left_early", "Late and left early"),
    ("absent", "Absent"),
)


def month_label(month: str) -> str:
    """``2026-03`` → ``Mar 2026``."""
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def share(n: int, total: int) -> str:
    return f"{n / total * 100:.0f}%" if total else "—"


def signed(value: float) -> str:
    text = decimal_text(value)
    return ("+" + text if not text.startswith("-") else text).replace("-", "−")


class Tile(QFrame):
    """One headline figure: a label, the figure large, a line of explanation."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        self.setAccessibleName(title)
        em = QFontMetrics(self.font()).height()
        box = QVBoxLayout(self)
        box.setContentsMargins(em, em * 2 // 3, em, em * 2 // 3)
        box.setSpacing(2)
        self.title = QLabel(title)
        self.title.setProperty("muted", True)
        self.value = QLabel("—")
        set_font_role(self.value, "phase", bold=True)
        self.value.setAccessibleName(title)
        self.note = QLabel("")
        self.note.setProperty("muted", True)
        self.note.setWordWrap(True)
        for widget in (self.title, self.value, self.note):
            box.addWidget(widget)
        box.addStretch(1)

    def set(self, value: str, note: str = "") -> None:
        self.value.setText(value)
        self.note.setText(note)
        self.value.setAccessibleDescription(f"{value}. {note}".strip())


class DashboardView(QWidget):
    """Period chooser, four headline figures and the charts."""

    history_requested = Signal()
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
        self.data: DashboardData | None = None
        self.setAccessibleName("Dashboard")
        em = QFontMetrics(self.font()).height()
        self._em = em

        self.title = QLabel("Dashboard")
        set_font_role(self.title, "heading", bold=True)
        self.period = PeriodChooser(self._today, default="12m", name="Dashboard period")
        self.include_demo = QCheckBox("Include demo sessions")
        self.include_demo.setAccessibleName("Include demo sessions")
        self.include_demo.setChecked(demo)
        self.history_button = widgets.button(
            "History", "Show the history of sessions", clicked=self.history_requested
        )
        self.home_button = widgets.button(
            "Home", "Back to the home screen (Esc)", clicked=self.home_requested
        )
        self.problem_label = widgets.problem_label("Problem reading the records")

        self.held_tile = Tile("Sessions held")
        self.pulse_tile = Tile("Tension pulse, start → end")
        self.balance_tile = Tile("Balance of voice")
        self.way_tile = Tile("Way forward reached: yes / partly")

        self.ratings_chart = LineChart("Average ratings by month")
        self.balance_chart = Histogram("Balance of voice across sessions")
        self.attendance_chart = BarList("Attendance", maximum=1.0)
        self.kind_chart = BarList("Sessions by kind", maximum=1.0)

        self._build_layout()
        self.period.changed.connect(self.refresh)
        self.include_demo.toggled.connect(self.refresh)

    # --- building ------------------------------------------------------------------------
    def _panel(self, title: str, chart: QWidget, note: str = "") -> QFrame:
        frame = QFrame()
        frame.setObjectName("panel")
        frame.setAccessibleName(title)
        em = self._em
        box = QVBoxLayout(frame)
        box.setContentsMargins(em, em * 2 // 3, em, em * 2 // 3)
        box.setSpacing(em // 3)
        heading = QLabel(title)
        set_font_role(heading, "body", bold=True)
        box.addWidget(heading)
        if note:
            label = QLabel(note)
            label.setProperty("muted", True)
            label.setWordWrap(True)
            box.addWidget(label)
        box.addWidget(chart, 1)
        return frame

    def _build_layout(self) -> None:
        # Everything gives way on a small screen at large type rather than widening the
        # screen past the window (at 150 % on 1024 × 600 its right side, Home included, was
        # cut off): the controls wrap, the buttons go under them, the four tiles go two by
        # two, then one under another, and so do the three small charts.
        em = self._em
        controls = widgets.FlowLayout(em)
        for widget in (self.title, self.period, self.include_demo):
            controls.addWidget(widget)
        buttons = QHBoxLayout()
        buttons.setSpacing(em // 2)
        buttons.addStretch(1)
        buttons.addWidget(self.history_button)
        buttons.addWidget(self.home_button)
        top = widgets.Columns(em)
        top.addLayout(controls, 1)
        top.addLayout(buttons)

        tiles = widgets.Columns(em)  # a row of four, else two rows of two, else one column
        for pair in (
            (self.held_tile, self.pulse_tile),
            (self.balance_tile, self.way_tile),
        ):
            two = widgets.Columns(em)
            for tile in pair:
                two.addWidget(tile, 1)
            tiles.addLayout(two, 1)

        ratings = self._panel(
            "Communication, compassion, clarity and feeling heard — average rating by month",
            self.ratings_chart,
        )
        bottom = widgets.Columns(em)
        bottom.addWidget(
            self._panel(
                "Balance of voice across sessions",
                self.balance_chart,
                "Sessions by balance index: 1 = equal talk time, 0 = one voice.",
            ),
            1,
        )
        bottom.addWidget(
            self._panel("Attendance", self.attendance_chart, "Share of everyone invited."), 1
        )
        bottom.addWidget(self._panel("Sessions by kind", self.kind_chart), 1)

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(em * 3 // 2, em, em * 3 // 2, em)
        column.setSpacing(em * 3 // 4)
        column.addLayout(top)
        column.addWidget(self.problem_label)
        column.addLayout(tiles)
        column.addWidget(ratings, 3)
        column.addLayout(bottom, 2)
        self.scroll = QScrollArea()
        self.scroll.setAccessibleName("Dashboard figures and charts")
        self.scroll.setProperty("focusRing", True)  # a Tab stop: the keys scroll it
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(content)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.addWidget(self.scroll)

    def _today(self) -> date:
        return self.clock.now().astimezone().date()

    # --- figures -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the figures for the chosen period and redraw everything."""
        first, last = self.period.period()
        try:
            data = dashboard(
                self.controller.store.db, first, last, include_demo=self.include_demo.isChecked()
            )
        except StorageError as exc:
            self.problem_label.setText(f"The records could not be read. {exc.message}")
            self.problem_label.show()
            return
        self.problem_label.hide()
        self.show_data(data)

    def show_data(self, data: DashboardData) -> None:
        self.data = data
        held = data.sessions_held
        demo = " (demo included)" if data.include_demo else ""
        self.held_tile.set(
            f"{held:,}",
            f"{data.completed:,} completed, {data.abandoned:,} abandoned{demo}"
            if held
            else "No sessions in this period" + demo,
        )
        if data.pulse_change is not None and data.pulse_start is not None:
            self.pulse_tile.set(
                f"{decimal_text(data.pulse_start)} → {decimal_text(data.pulse_end)}",
                f"Average change {signed(data.pulse_change)} over "
                f"{widgets.sessions_text(data.pulse_sessions)} "
                "(1 calm – 10 tense; lower is calmer)",
            )
        else:
            self.pulse_tile.set("—", "No session in this period recorded both pulses")
        if data.balance_average is not None:
            self.balance_tile.set(
                decimal_text(data.balance_average, 2),
                f"Average over {widgets.sessions_text(data.balance_sessions)} "
                "(1 = equal talk time)",
            )
        else:
            self.balance_tile.set("—", "No one spoke in a session in this period")
        recorded = sum(data.way_forward.values())
        if recorded:
            # "Partly" is an outcome in its own right: a lone "0%" for "yes" read as failure.
            yes, partly, not_yet = (
                share(data.way_forward.get(key, 0), recorded)
                for key in ("yes", "partly", "not_yet")
            )
            self.way_tile.set(
                f"{yes} / {partly}",
                f"Of {recorded:,} recorded; not yet {not_yet}",
            )
        else:
            self.way_tile.set("—", "Not recorded in this period")

        self.ratings_chart.set_data(
            [month_label(m.month) for m in data.months],
            {SERIES_NAMES[name]: [m.average(name) for m in data.months] for name in RATING_FIELDS},
        )
        self.balance_chart.set_counts(data.balance_distribution, data.balance_average)
        invited = data.invited
        self.attendance_chart.set_bars(
            [
                Bar(words, n / invited, f"{share(n, invited)} ({n:,})")
                for key, words in ATTENDANCE_WORDS
                for n in [data.attendance.get(key, 0)]
            ]
            if invited
            else []
        )
        self.kind_chart.set_bars(
            [
                Bar(KIND_LABELS[key], n / held, f"{share(n, held)} ({n:,})")
                for key in KIND_LABELS
                if (n := data.by_kind.get(key, 0))
            ]
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:  # back Home, as Esc goes back from a detail
            self.home_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def focus_default(self) -> None:
        self.period.choice.setFocus()
