"""ReminderTimer: while the app is open, says once when a campaign step's pack is due to be exported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QObject, QTimer, Signal

from omnidesk.core.campaigns.calendar import due_soon, reminder_text
from omnidesk.core.workspace import Workspace, WorkspaceError

AHEAD = timedelta(hours=1)


class ReminderTimer(QObject):
    """Every minute, asks the core which steps not exported yet are due within the hour and emits
    ``due(sentence)`` once per step and time ("SMS step of Spring sale due in 45 min — export the
    pack"); a step moved to another time is spoken of again.  ``ticked(now)`` each minute lets the
    calendar move its today line with it."""

    due = Signal(str)
    ticked = Signal(object)  # the aware UTC datetime of the check

    def __init__(self, workspace: Workspace | None = None, parent: QObject | None = None, *,
                 interval_ms: int = 60_000) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self._told: set[tuple[int, datetime]] = set()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)

    def set_workspace(self, workspace: Workspace | None) -> None:
        self.workspace = workspace
        self._told.clear()

    def start(self) -> None:
        """Check now, then every interval."""
        self.check()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def check(self) -> list[str]:
        """One check now: the sentences emitted (each step and time once)."""
        now = datetime.now(UTC)
        self.ticked.emit(now)
        if self.workspace is None:
            return []
        try:
            entries = due_soon(self.workspace, now, AHEAD)
        except WorkspaceError:  # busy, or closing: the next tick asks again
            return []
        said = []
        for entry in entries:
            key = (entry.step_id, entry.at_utc)
            if key in self._told:
                continue
            self._told.add(key)
            text = reminder_text(entry, now)
            said.append(text)
            self.due.emit(text)
        return said
