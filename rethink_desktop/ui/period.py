"""A period chooser for History and the Dashboard: common spans, or two dates of your own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QWidget

from rethink_desktop.ui.dates import DateEdit

# (key, label). Every span ends today; "custom" enables the two date boxes.
PERIODS = (
    ("all", "All time"),
    ("12m", "Last 12 months"),
    ("3m", "Last 3 months"),
    ("year", "This year"),
    ("last_year", "Last year"),
    ("custom", "Between dates…"),
)

# What the date boxes allow; Qt's own range runs to 31 Dec 9999, of no use for meetings.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)


def period_for(key: str, today: date) -> tuple[date | None, date | None]:
    """The first and last day (inclusive) of a named period; None means open-ended."""
    if key == "12m":
        return _months_back(today, 12) + timedelta(days=1), today
    if key == "3m":
        return _months_back(today, 3) + timedelta(days=1), today
    if key == "year":
        return date(today.year, 1, 1), today
    if key == "last_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    return None, None


def _months_back(day: date, months: int) -> date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    # The 31st of a shorter month falls back to its last day.
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


# English month names, not strftime's: Qt switches the C library to the system locale.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_text(day: date) -> str:
    """``3 Mar 2026``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class PeriodChooser(QWidget):
    """``Period [Last 12 months ▾]  from [date] to [date]``; ``changed`` on every choice."""

    changed = Signal()

    def __init__(
        self,
        today: Callable[[], date],
        *,
        default: str = "all",
        name: str = "Period",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._today = today
        self.setAccessibleName(name)
        label = QLabel("Period")
        self.choice = QComboBox()
        self.choice.setAccessibleName(f"{name}: span of time")
        for key, text in PERIODS:
            self.choice.addItem(text, key)
        label.setBuddy(self.choice)
        self.from_edit = self._date_edit(f"{name}: first day")
        self.to_edit = self._date_edit(f"{name}: last day")
        self.to_label = QLabel("to")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label)
        layout.addWidget(self.choice)
        layout.addWidget(self.from_edit)
        layout.addWidget(self.to_label)
        layout.addWidget(self.to_edit)
        self.choice.setCurrentIndex(max(0, self.choice.findData(default)))
        self._sync_dates()
        self.choice.currentIndexChanged.connect(self._choice_changed)
        self.from_edit.dateChanged.connect(self._dates_changed)
        self.to_edit.dateChanged.connect(self._dates_changed)

    def _date_edit(self, name: str) -> QDateEdit:
        edit = DateEdit()  # Tab leaves it in one press
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("d MMM yyyy")
        edit.setDateRange(_qdate(FIRST_DAY), _qdate(LAST_DAY))
        edit.setAccessibleName(name)
        return edit

    @property
    def key(self) -> str:
        return str(self.choice.currentData())

    def set_key(self, key: str) -> None:
        self.choice.setCurrentIndex(max(0, self.choice.findData(key)))

    def set_dates(self, first: date, last: date) -> None:
        """Choose "between dates" with these two days."""
        self.blockSignals(True)
        self.set_key("custom")
        self.blockSignals(False)
        self.from_edit.setDate(_qdate(first))
        self.to_edit.setDate(_qdate(last))

    def period(self) -> tuple[date | None, date | None]:
        if self.key == "custom":
            first, last = _pydate(self.from_edit.date()), _pydate(self.to_edit.date())
            return (first, last) if first <= last else (last, first)
        return period_for(self.key, self._today())

    def describe(self) -> str:
        """The period in words, for headings and screen readers."""
        first, last = self.period()
        if first is None or last is None:
            return "All time"
        return f"{day_text(first)} to {day_text(last)}"

    def _sync_dates(self) -> None:
        custom = self.key == "custom"
        for widget in (self.from_edit, self.to_edit, self.to_label):
            widget.setVisible(custom)
        if not custom:
            first, last = period_for(self.key, self._today())
            today = self._today()
            for edit, day in ((self.from_edit, first or _months_back(today, 12)),
                              (self.to_edit, last or today)):  # fmt: skip
                edit.blockSignals(True)
                edit.setDate(_qdate(day))
                edit.blockSignals(False)

    def _choice_changed(self) -> None:
        self._sync_dates()
        self.changed.emit()

    def _dates_changed(self) -> None:
        if self.key == "custom":
            self.changed.emit()
