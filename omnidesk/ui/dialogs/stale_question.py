"""The question Save asks when what it would write over was changed since the editor opened it.

Reload, Save anyway or Cancel — Cancel the default, on Enter and Escape, so a key pressed by
habit neither discards what was typed nor writes over the other change.  One box for every
editor (a campaign's plan, a message or one channel's version of it), its sentence left to
right with the name set apart: a Hebrew name ran it right to left.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from omnidesk.ui.formatting import left_to_right

ELSEWHERE = "in another window or command"


def reload_or_save_anyway(parent, said: str, what: str, where: str, informative: str) -> QMessageBox:
    """The box for ``said`` (the thing edited, its name already isolated: "Spring" or "The SMS
    version of Launch"), ``what`` became of it ("changed", "deleted") and ``where``;
    ``informative`` says what each answer does.  Each answer button carries its ``answer``
    property: "reload" or "overwrite"."""
    box = QMessageBox(QMessageBox.Icon.Warning, f"{said} was {what} since you opened it",
                      left_to_right(f"{said} was {what} since you opened it ({where})."), parent=parent)
    box.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    box.setInformativeText(informative)
    reload = box.addButton("Reload", QMessageBox.ButtonRole.ActionRole)
    reload.setProperty("answer", "reload")
    box.addButton("Save anyway", QMessageBox.ButtonRole.DestructiveRole).setProperty("answer", "overwrite")
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)  # Enter neither discards nor overwrites anything
    box.setEscapeButton(cancel)
    return box
