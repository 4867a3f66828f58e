"""The first-run screen: create a workspace, open one, or try the demo."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from omnidesk.ui.widgets.buttons import enter_presses


class WelcomeView(QWidget):
    createRequested = Signal()
    openRequested = Signal()
    demoRequested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        title = QLabel("Welcome to Omnidesk")
        title.setObjectName("welcomeTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 2)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(
            "Bring every channel's customers together — shop, email list, till, social leads, "
            "SMS, phone contacts — and plan your marketing from one place, offline.\n\n"
            "A workspace is one file that holds one business."
        )
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # A fixed width lets the wrapped label report its real height; centred through
        # stretches, not an alignment flag, which would give it one line's height and clip.
        text.setFixedWidth(520)
        self.text = text
        layout.addWidget(title)
        layout.addSpacing(8)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(text)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addSpacing(24)
        self.create_button = QPushButton("Create workspace…")
        self.create_button.setDefault(True)
        self.open_button = QPushButton("Open…")
        self.demo_button = QPushButton("Try the demo")
        for button, signal in ((self.create_button, self.createRequested),
                               (self.open_button, self.openRequested),
                               (self.demo_button, self.demoRequested)):
            button.setMinimumWidth(220)
            enter_presses(button)
            button.clicked.connect(signal)
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
