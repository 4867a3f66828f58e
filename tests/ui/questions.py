"""Answering the app's real questions (a QMessageBox) from the keyboard in a test."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox


def when_asked(act: Callable[[QMessageBox], None], tries: int = 100) -> None:
    """When the next question opens (looked for every 20 ms, ``tries`` times), ``act(box)`` on it;
    call before the action that asks."""

    def look(left: int) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            if left:
                QTimer.singleShot(20, lambda: look(left - 1))
            return
        act(box)

    QTimer.singleShot(0, lambda: look(tries))


def answer_next_question(qtbot, key: str, seen: list, said: Callable[[QMessageBox], tuple]) -> None:
    """When the next question opens, note ``said(box)`` in ``seen`` and press ``key`` (a ``Qt.Key``
    name, "Key_Return") on it; call before the action that asks."""

    def answer(box: QMessageBox) -> None:
        seen.append(said(box))
        qtbot.keyClick(box, getattr(Qt.Key, key))

    when_asked(answer)
