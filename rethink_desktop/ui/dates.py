"""Date boxes that Tab leaves in one press, and Left and Right move through part by part.

Qt's date boxes take Tab to step through their parts (day, month, year, hour, minute), so
passing one took up to six presses. Here Tab moves on to the next control, as everywhere
else; Left and Right select the previous or next part (Qt's own moved one character), Up and
Down change the part chosen, and typing works as before. Used by Prepare and the History and
Dashboard period choosers (not imported at start-up).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QDateEdit, QDateTimeEdit, QWidget


class _PartByPart:
    """Tab leaves the box; Left and Right select the previous or next part. A weekday name
    at the front ("Sat 28 Nov") is shown, not chosen: the day is the first part."""

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)  # type: ignore[arg-type]

    def _first_part(self) -> int:
        edit: QDateTimeEdit = self  # type: ignore[assignment]
        return 1 if edit.displayFormat().startswith("ddd") and edit.sectionCount() > 1 else 0

    def _choose_part(self, index: int) -> None:
        edit: QDateTimeEdit = self  # type: ignore[assignment]
        edit.setCurrentSectionIndex(max(self._first_part(), min(edit.sectionCount() - 1, index)))
        edit.setSelectedSection(edit.currentSection())

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)  # type: ignore[misc]
        edit: QDateTimeEdit = self  # type: ignore[assignment]
        if edit.currentSectionIndex() < self._first_part():  # Tab in chose the weekday
            self._choose_part(self._first_part())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        step = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1}.get(Qt.Key(event.key()))
        if step is None or event.modifiers() != Qt.KeyboardModifier.NoModifier:
            super().keyPressEvent(event)  # type: ignore[misc]
            return
        edit: QDateTimeEdit = self  # type: ignore[assignment]
        self._choose_part(edit.currentSectionIndex() + step)


class DateTimeEdit(_PartByPart, QDateTimeEdit):
    pass


class DateEdit(_PartByPart, QDateEdit):
    pass
