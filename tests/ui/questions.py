"""Answering the app's real questions (a QMessageBox) from the keyboard in a test."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox


def answer_next_question(qtbot, key: str, seen: list, said: Callable[[QMessageBox], tuple]) -> None:
    """When the next question opens, note ``said(box)`` in ``seen`` and press ``key`` (a ``Qt.Key``
    name, "Key_Return") on it; call before the action that asks."""

    def answer(tries: int = 100) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            if tries:
                QTimer.singleShot(20, lambda: answer(tries - 1))
            return
        seen.append(said(box))
        qtbot.keyClick(box, getattr(Qt.Key, key))

    QTimer.singleShot(0, answer)
