"""Date and date-time boxes that Tab leaves in one stop.

Qt's own date boxes spend Tab on their sections (day, month, year, hour,
minute): a keyboard user walking a form meets five stops in one field and
cannot tell where the next field begins.  Here Tab and Shift+Tab move to the
next and previous field, as in every other box of the app; the arrow keys
(Left, Right) still move between the sections, Up and Down still change one,
and Alt+Down opens the calendar.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDateEdit, QDateTimeEdit, QWidget


class DateTimeBox(QDateTimeEdit):
    """A :class:`QDateTimeEdit` that Tab leaves at once."""

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002 - Qt's own name
        return QWidget.focusNextPrevChild(self, next)


class DateBox(QDateEdit):
    """A :class:`QDateEdit` that Tab leaves at once."""

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002 - Qt's own name
        return QWidget.focusNextPrevChild(self, next)
