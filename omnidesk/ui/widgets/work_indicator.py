"""The status bar's account of long work (Find Duplicates, an import redone): what, how far, and Cancel."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtWidgets import QApplication, QHBoxLayout, QProgressBar, QPushButton, QSizePolicy, QWidget
from shiboken6 import isValid

from omnidesk.ui.widgets.buttons import enter_presses
from omnidesk.ui.widgets.elided_label import ElidedLabel


class WorkIndicator(QWidget):
    cancelRequested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        # Short of room, the words are cut with "…" (whole in the tooltip): "Writing the error report
        # of <a long file name>…" ran under the bar, and pushed the workspace's summary off.
        self.label = ElidedLabel()
        self.bar = QProgressBar()
        self.bar.setFixedWidth(160)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop; what it had done so far is rolled back")
        self.cancel_button.clicked.connect(self.cancelRequested)
        enter_presses(self.cancel_button)
        # As wide as its parts, no wider: the status bar's own message keeps the room that is left.
        # Short of room, only the words give way; the bar and Cancel keep their size.
        for part in (self.bar, self.cancel_button):
            part.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.label.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self._beside: QWidget | None = None
        self._had_keys: QWidget | None = None  # what had the keyboard when the work started
        self._let_go = False  # Cancel gave the keyboard up to nothing meanwhile
        # Where the keys go when what had them is gone (the window's screen, on its list).
        self.keys_elsewhere: Callable[[], None] | None = None
        self.setVisible(False)

    # Room the status bar's frame and spacing take besides the widgets in it.
    _BAR_SLACK = 40

    def share_room_with(self, other: QWidget) -> None:
        """Beside ``other`` (the workspace's summary, left of it in the status bar): short of room,
        ``other`` keeps its whole width up to half the bar, and the work's words are cut to the rest
        (left to the status bar, the work took all it wanted and the summary was cut to a stub)."""
        self._beside = other
        bar = self.parentWidget()
        if bar is not None:
            bar.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self.updateGeometry()  # its share of the new width
        return super().eventFilter(obj, event)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        bar = self.parentWidget()
        if self._beside is None or bar is None or not bar.width():
            return hint
        width = bar.width()
        room = width - min(self._beside.sizeHint().width(), width // 2) - self._BAR_SLACK
        return QSize(max(min(hint.width(), room), self.minimumSizeHint().width()), hint.height())

    def set_busy(self, busy: bool) -> None:
        if busy:
            focus = QApplication.focusWidget()
            self._had_keys = focus if focus is not None and focus is not self.cancel_button \
                and focus.window() is self.window() else None
            self._let_go = False
        else:
            self._let_go_of_focus()
        self.setVisible(busy)
        self.cancel_button.setEnabled(busy)
        if not busy:
            self._give_keys_back()

    def _let_go_of_focus(self) -> None:
        """Cancel, about to be turned off or hidden, gives up the keyboard focus to nothing: left to
        Qt it went on to the next widget in the window (the sidebar, whose typing searches the
        screens).  Once the work has ended it goes back (``_give_keys_back``)."""
        if self.cancel_button.hasFocus():
            self.cancel_button.clearFocus()
            self._let_go = True

    def _give_keys_back(self) -> None:
        """The work over, keys that Cancel gave up (pressed, or left on it as the work ended or
        failed) go back to what had them when the work started (Save error report…, a card's
        Export CSV…), when it is still there to take them, else to the screen shown (its list):
        nothing had the keyboard, and the next key went nowhere."""
        let_go, self._let_go = self._let_go, False
        had, self._had_keys = self._had_keys, None
        if not let_go or self.window().focusWidget() is not None:
            return  # the keys were elsewhere, or the user has put them somewhere since
        if had is not None and isValid(had) and had.window() is self.window() and had.isVisible() \
                and had.isEnabled() and had.focusPolicy() & Qt.FocusPolicy.TabFocus:
            had.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.keys_elsewhere is not None:
            self.keys_elsewhere()

    def progressed(self, done: int, total: int, message: str) -> None:
        self.label.setText(message)
        self.updateGeometry()
        self.bar.setRange(0, max(total, 0))  # 0..0: a busy bar while the end is unknown
        if total:
            self.bar.setValue(min(done, total))
        if message.startswith("Cancelling"):
            self._let_go_of_focus()
            self.cancel_button.setEnabled(False)
