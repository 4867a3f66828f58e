"""Push buttons the keyboard presses with Enter as well as Space."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton


def enter_presses(*buttons: QPushButton) -> None:
    """Enter presses each of ``buttons`` while it has the focus, as Space does.

    Outside a dialog a push button takes only Space unless it is auto-default; inside one, Qt makes
    every push button auto-default already (Enter presses the focused button, or else the dialog's
    default), so this changes nothing there. A dialog that keeps its buttons from Enter (the import
    wizard: Enter is always its Next) sets them back after building its pages.
    """
    for button in buttons:
        button.setAutoDefault(True)
