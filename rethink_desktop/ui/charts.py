"""Small charts drawn with QPainter (QtCharts lives in PySide6-Addons, which we do not ship).

Calm and colour-blind safe: each line series has its own marker shape and dash pattern as
well as an Okabe–Ito colour, every chart has a legend or labels in words, and each widget
keeps the values it drew (``series``, ``bars``) and describes them for screen readers.
Sizes come from the widget's font, so 150 % text scales the charts too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from rethink_desktop.core.metrics import decimal_text
from rethink_desktop.ui.theme import Theme, current_theme, is_dark

MARKERS = ("circle", "square", "triangle", "diamond")
DASHES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine, Qt.PenStyle.DashDotLine)
# Okabe–Ito, chosen for contrast on both light and dark surfaces.
SERIES_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
SERIES_COLOURS_DARK = ("#56B4E9", "#E69F00", "#3DD6A3", "#E3A5CB")


def draw_marker(painter: QPainter, shape: str, centre: QPointF, size: float) -> None:
    """A filled marker of ``shape`` centred on ``centre``, ``size`` across."""
    r = size / 2
    x, y = centre.x(), centre.y()
    if shape == "circle":
        painter.drawEllipse(centre, r, r)
        return
    path = QPainterPath()
    if shape == "square":
        path.addRect(QRectF(x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8))
    elif shape == "triangle":
        path.moveTo(x, y - r * 1.1)
        path.lineTo(x + r * 1.1, y + r * 0.9)
        path.lineTo(x - r * 1.1, y + r * 0.9)
        path.closeSubpath()
    else:  # diamond
        path.moveTo(x, y - r * 1.2)
        path.lineTo(x + r * 1.2, y)
        path.lineTo(x, y + r * 1.2)
        path.lineTo(x - r * 1.2, y)
        path.closeSubpath()
    painter.drawPath(path)


def label_left(centre: float, width: float, room: float) -> float:
    """Where a label ``width`` wide starts, centred on ``centre`` but kept inside ``room``:
    the latest month's, centred on the last point, ran off the edge ("Nov 202")."""
    return max(0.0, min(centre - width / 2, room - width - 1))


def side_by_side(series: Sequence[Sequence[float | None]]) -> dict[tuple[int, int], float]:
    """Where each (series, point) marker moves across, in marker widths, so markers of series
    that share a value at a point sit side by side instead of one hiding the other (Clarity
    and Felt heard both at 2.5 showed one marker). Points on their own stay put (absent)."""
    moves: dict[tuple[int, int], float] = {}
    for i in range(max((len(values) for values in series), default=0)):
        groups: dict[float, list[int]] = {}
        for s, values in enumerate(series):
            if i < len(values) and values[i] is not None:
                groups.setdefault(round(values[i], 2), []).append(s)  # type: ignore[arg-type]
        for members in groups.values():
            if len(members) > 1:
                for j, s in enumerate(members):
                    moves[s, i] = j - (len(members) - 1) / 2
    return moves


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value)}"


class _Chart(QWidget):
    """What every chart shares: a name for screen readers, an empty-state text, and sizes
    in multiples of the font height (``SIZE`` and ``MINIMUM`` as (width, height) in ems)."""

    SIZE = (18.0, 9.0)
    MINIMUM = (12.0, 7.0)

    def __init__(
        self,
        name: str,
        vertical: QSizePolicy.Policy = QSizePolicy.Policy.Expanding,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.empty_text = "Nothing to show for this period."
        self.setAccessibleName(name)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, vertical)
        # Reached with Tab, so a screen reader reads the chart's name and its figures (the
        # accessible description); a ring shows where the keyboard is.
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)

    def _ems(self, width: float, height: float) -> QSize:
        em = self.fontMetrics().height()
        return QSize(round(em * width), round(em * height))

    def sizeHint(self) -> QSize:
        return self._ems(*self.SIZE)

    def minimumSizeHint(self) -> QSize:
        return self._ems(*self.MINIMUM)

    def _has_data(self) -> bool:
        raise NotImplementedError

    def _draw(self, painter: QPainter, theme: Theme, metrics: QFontMetricsF, em: float) -> None:
        """Draw the chart itself; only called when there is something to show."""
        raise NotImplementedError

    def paintEvent(self, event: QPaintEvent) -> None:
        theme = current_theme()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        try:
            if self._has_data():
                metrics = QFontMetricsF(self.font())
                self._draw(painter, theme, metrics, metrics.height())
            else:
                painter.setPen(QColor(theme.muted))
                painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            if self.hasFocus():
                painter.setPen(QPen(QColor(theme.accent), 2))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 4, 4)
        finally:
            painter.end()


class LineChart(_Chart):
    """Several series over the same labels (months), on a fixed value range."""

    SIZE = (40.0, 16.0)
    MINIMUM = (20.0, 11.0)

    def __init__(
        self,
        name: str,
        *,
        low: float = 1.0,
        high: float = 5.0,
        step: float = 1.0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(name, parent=parent)
        self.low, self.high, self.step = low, high, step
        self.labels: list[str] = []
        self.series: dict[str, list[float | None]] = {}

    def set_data(self, labels: Sequence[str], series: dict[str, Sequence[float | None]]) -> None:
        self.labels = list(labels)
        self.series = {name: list(values) for name, values in series.items()}
        lines = []
        for name, values in self.series.items():
            shown = [
                f"{label} {_describe(value)}"
                for label, value in zip(self.labels, values, strict=True)
            ]
            lines.append(f"{name}: " + ", ".join(shown))
        self.setAccessibleDescription("; ".join(lines) if self.labels else self.empty_text)
        self.update()

    def _has_data(self) -> bool:
        return bool(self.labels)

    def _draw(self, painter: QPainter, theme: Theme, metrics: QFontMetricsF, em: float) -> None:
        colours = SERIES_COLOURS_DARK if is_dark(current_theme()) else SERIES_COLOURS
        # Legend along the top: marker, dash and name for each series.
        x = 0.0
        legend_y = em * 0.6
        for i, name in enumerate(self.series):
            colour = QColor(colours[i % len(colours)])
            pen = QPen(colour, max(1.5, em / 8), DASHES[i % len(DASHES)])
            painter.setPen(pen)
            painter.drawLine(QPointF(x, legend_y), QPointF(x + em * 1.6, legend_y))
            painter.setPen(QPen(colour, 1))
            painter.setBrush(colour)
            draw_marker(painter, MARKERS[i % len(MARKERS)], QPointF(x + em * 0.8, legend_y), em / 2)
            painter.setPen(QColor(theme.text))
            painter.drawText(QPointF(x + em * 2, legend_y + metrics.ascent() / 2 - 1), name)
            x += em * 2.6 + metrics.horizontalAdvance(name)
        # Plot area.
        axis_w = metrics.horizontalAdvance("5.0") + em * 0.6
        plot = QRectF(
            axis_w, em * 1.6, self.width() - axis_w - em * 0.8, self.height() - em * 1.6 - em * 1.6
        )
        span = self.high - self.low

        def y_of(value: float) -> float:
            return plot.bottom() - plot.height() * (value - self.low) / span

        painter.setBrush(Qt.BrushStyle.NoBrush)
        value = self.low
        while value <= self.high + 1e-9:
            y = y_of(value)
            painter.setPen(QPen(QColor(theme.border), 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(QColor(theme.muted))
            text = _number(value)
            painter.drawText(
                QPointF(
                    plot.left() - em * 0.4 - metrics.horizontalAdvance(text),
                    y + metrics.ascent() / 2 - 1,
                ),
                text,
            )
            value += self.step
        n = len(self.labels)

        def x_of(index: int) -> float:
            return plot.left() + (plot.width() * (index + 0.5) / n)

        # Month labels, thinned so they never overlap.
        widest = max(metrics.horizontalAdvance(label) for label in self.labels) + em * 0.6
        every = max(1, int(widest * n / max(1.0, plot.width())) + 1)
        painter.setPen(QColor(theme.muted))
        shown = list(range(0, n, every))
        if shown[-1] != n - 1:
            # The latest month is always labelled; the one before it gives way if too close.
            if n - 1 - shown[-1] < every:
                shown.pop()
            shown.append(n - 1)
        for i, label in enumerate(self.labels):
            if i not in shown:
                continue
            w = metrics.horizontalAdvance(label)
            left = label_left(x_of(i), w, self.width())
            painter.drawText(QPointF(left, plot.bottom() + em * 0.3 + metrics.ascent()), label)
        marker = max(em / 2, 6.0) if n <= 24 else max(em / 3, 4.0)
        moves = side_by_side(list(self.series.values()))
        for s, values in enumerate(self.series.values()):
            colour = QColor(colours[s % len(colours)])
            pen = QPen(colour, max(1.5, em / 8), DASHES[s % len(DASHES)])
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            path = QPainterPath()
            drawing = False
            for i, v in enumerate(values):
                if v is None:
                    drawing = False  # a month without ratings leaves a gap, not a false line
                    continue
                point = QPointF(x_of(i), y_of(v))
                if drawing:
                    path.lineTo(point)
                else:
                    path.moveTo(point)
                    drawing = True
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
            painter.setPen(QPen(colour, 1))
            painter.setBrush(colour)
            for i, v in enumerate(values):
                if v is not None:
                    x = x_of(i) + moves.get((s, i), 0.0) * marker * 1.15
                    draw_marker(painter, MARKERS[s % len(MARKERS)], QPointF(x, y_of(v)), marker)


def _describe(value: float | None) -> str:
    return "no ratings" if value is None else decimal_text(value, 2)


@dataclass(frozen=True)
class Bar:
    """One bar: its words, its value, the text written beside it, and an optional colour."""

    label: str
    value: float
    text: str
    colour: str | None = None


class BarList(_Chart):
    """Horizontal bars, one per row, each with its label and its figure in words."""

    def __init__(
        self, name: str, *, maximum: float | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(name, QSizePolicy.Policy.Preferred, parent)
        self.bars: list[Bar] = []
        self.maximum = maximum

    def set_bars(self, bars: Sequence[Bar]) -> None:
        self.bars = list(bars)
        self.setAccessibleDescription(
            "; ".join(f"{b.label}: {b.text}" for b in self.bars) or self.empty_text
        )
        self.updateGeometry()
        self.update()

    def _row(self) -> float:
        return self.fontMetrics().height() * 1.7

    def sizeHint(self) -> QSize:
        em = self.fontMetrics().height()
        return QSize(em * 18, round(self._row() * max(1, len(self.bars)) + em * 0.4))

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().height() * 12, self.sizeHint().height())

    def _has_data(self) -> bool:
        return bool(self.bars)

    def _draw(self, painter: QPainter, theme: Theme, metrics: QFontMetricsF, em: float) -> None:
        label_w = max(metrics.horizontalAdvance(b.label) for b in self.bars) + em * 0.6
        text_w = max(metrics.horizontalAdvance(b.text) for b in self.bars) + em * 0.6
        bar_w = max(em * 2, self.width() - label_w - text_w)
        top = self.maximum or max((b.value for b in self.bars), default=0) or 1.0
        row = self._row()
        for i, bar in enumerate(self.bars):
            y = i * row + em * 0.2
            painter.setPen(QColor(theme.text))
            painter.drawText(QRectF(0, y, label_w, row), Qt.AlignmentFlag.AlignVCenter, bar.label)
            track = QRectF(label_w, y + row * 0.22, bar_w, row * 0.56)
            painter.setPen(QPen(QColor(theme.border), 1))
            painter.setBrush(QColor(theme.background))
            painter.drawRoundedRect(track, 3, 3)
            if bar.value > 0:
                filled = QRectF(track)
                filled.setWidth(max(2.0, track.width() * min(1.0, bar.value / top)))
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(bar.colour or theme.accent))
                painter.drawRoundedRect(filled, 3, 3)
            painter.setPen(QColor(theme.text))
            painter.drawText(
                QRectF(label_w + bar_w + em * 0.4, y, text_w, row),
                Qt.AlignmentFlag.AlignVCenter,
                bar.text,
            )


class Histogram(_Chart):
    """Counts in equal bins along a 0–1 scale (the balance index across sessions)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(name, parent=parent)
        self.counts: list[int] = []
        self.marker: float | None = None  # the average, drawn as a labelled line

    def set_counts(self, counts: Sequence[int], marker: float | None = None) -> None:
        self.counts = list(counts)
        self.marker = marker
        n = len(self.counts)
        parts = [
            f"{i / n:.1f} to {(i + 1) / n:.1f}: {c} session{'s' if c != 1 else ''}"
            for i, c in enumerate(self.counts)
            if c
        ]
        if marker is not None:
            parts.append(f"average {decimal_text(marker, 2)}")
        self.setAccessibleDescription("; ".join(parts) if sum(self.counts) else self.empty_text)
        self.update()

    def _has_data(self) -> bool:
        return bool(self.counts) and bool(sum(self.counts))

    def _draw(self, painter: QPainter, theme: Theme, metrics: QFontMetricsF, em: float) -> None:
        plot = QRectF(em * 0.3, em * 2.4, self.width() - em * 0.6, self.height() - em * 3.9)
        n = len(self.counts)
        top = max(self.counts)
        w = plot.width() / n
        for i, count in enumerate(self.counts):
            h = plot.height() * count / top
            bar = QRectF(plot.left() + i * w + 1, plot.bottom() - h, w - 2, h)
            painter.fillRect(bar, QColor(theme.accent))
            if count:
                text = f"{count:,}"
                tw = metrics.horizontalAdvance(text)
                if tw < w:
                    painter.setPen(QColor(theme.text))
                    painter.drawText(QPointF(bar.center().x() - tw / 2, bar.top() - em * 0.2), text)
        painter.setPen(QPen(QColor(theme.border), 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        if self.marker is not None:
            # The average as a dashed line, named in a one-item legend above the bars.
            pen = QPen(QColor(theme.text), max(1.0, em / 10), Qt.PenStyle.DashLine)
            x = plot.left() + plot.width() * self.marker
            top, bottom = QPointF(x, plot.top() - em * 0.2), QPointF(x, plot.bottom())
            # A halo in the surface colour keeps the line visible across a bar.
            painter.setPen(QPen(QColor(theme.surface), pen.widthF() + 3))
            painter.drawLine(top, bottom)
            painter.setPen(pen)
            painter.drawLine(top, bottom)
            painter.drawLine(QPointF(0, em * 0.5), QPointF(em * 1.4, em * 0.5))
            painter.setPen(QColor(theme.text))
            painter.drawText(
                QPointF(em * 1.8, em * 0.5 + metrics.ascent() / 2 - 1),
                f"average {decimal_text(self.marker, 2)}",
            )
        painter.setPen(QColor(theme.muted))
        for value in (0.0, 0.5, 1.0):
            text = f"{value:.1f}"
            tw = metrics.horizontalAdvance(text)
            x = plot.left() + plot.width() * value
            painter.drawText(
                QPointF(min(max(x - tw / 2, 0), self.width() - tw), plot.bottom() + em), text
            )
