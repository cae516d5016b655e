"""Date boxes that Tab leaves in one press.

Qt's date boxes take Tab to step through their parts (day, month, year, hour, minute), so
passing one took up to six presses. Here Tab moves on to the next control, as everywhere
else; Left and Right still move between the parts, Up and Down change the one chosen, and
typing works as before. Used by Prepare and the History and Dashboard period choosers (not
imported at start-up).
"""

from __future__ import annotations

from PySide6.QtWidgets import QDateEdit, QDateTimeEdit, QWidget


class DateTimeEdit(QDateTimeEdit):
    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)


class DateEdit(QDateEdit):
    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)
