"""The status bar's account of long work (Find Duplicates, an import redone): what, how far, and Cancel."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QSizePolicy, QWidget

from omnidesk.ui.widgets.buttons import enter_presses


class WorkIndicator(QWidget):
    cancelRequested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setFixedWidth(160)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop; what it had done so far is rolled back")
        self.cancel_button.clicked.connect(self.cancelRequested)
        enter_presses(self.cancel_button)
        # As wide as its parts, no wider: the status bar's own message keeps the room that is left.
        for part in (self.label, self.bar, self.cancel_button):
            part.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.setVisible(False)

    def set_busy(self, busy: bool) -> None:
        if not busy:
            self._let_go_of_focus()
        self.setVisible(busy)
        self.cancel_button.setEnabled(busy)

    def _let_go_of_focus(self) -> None:
        """Cancel, about to be turned off or hidden, gives up the keyboard focus to nothing: left to
        Qt it went on to the next widget in the window (the sidebar, whose typing searches the
        screens), and the screen the work was for puts it back where its keys work."""
        if self.cancel_button.hasFocus():
            self.cancel_button.clearFocus()

    def progressed(self, done: int, total: int, message: str) -> None:
        self.label.setText(message)
        self.label.adjustSize()
        self.updateGeometry()
        self.bar.setRange(0, max(total, 0))  # 0..0: a busy bar while the end is unknown
        if total:
            self.bar.setValue(min(done, total))
        if message.startswith("Cancelling"):
            self._let_go_of_focus()
            self.cancel_button.setEnabled(False)
