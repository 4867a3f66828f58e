"""Who each step reaches: eligible and excluded counts by reason, the people behind a count,
and the campaign check's findings.

The panel only shows what the screen computed off the UI thread (``plan_audiences``
and ``check_campaign``); clicking a reason lists those customers, and a
double-click on one emits ``customerActivated``.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from omnidesk.core.campaigns.guards import REASONS

ERROR_COLOUR, WARNING_COLOUR = "#B3261E", "#7A5A00"


def step_title(step) -> str:
    return f"{step.label} · {step.at_local[:16].replace('T', ' ')} ({step.timezone})"


def _heading(step) -> QLabel:
    # Two lines of their own rather than a wrapped one: a wrapped label in a grid inside a
    # scroll area is given one line's height and clips the rest.
    label = QLabel(f"<b>{html.escape(step.label)}</b> · {step.at_local[:16].replace('T', ' ')}<br>"
                   f"<span style='color:#666'>{html.escape(step.timezone)}</span>")
    label.setToolTip(step_title(step))
    return label


class RecipientsPanel(QWidget):
    customerActivated = Signal(int)
    reasonChosen = Signal(int, str)  # step index, reason: the screen fills the list

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        head = QLabel("<b>Recipients</b>")
        layout.addWidget(head)
        self.state = QLabel("Save the campaign to see who each step reaches.")
        self.state.setObjectName("recipientsState")
        self.state.setWordWrap(True)
        layout.addWidget(self.state)
        self.steps_box = QWidget()
        self.grid = QGridLayout(self.steps_box)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setColumnStretch(1, 1)
        layout.addWidget(self.steps_box)
        self.people_title = QLabel()
        self.people_title.setWordWrap(True)
        self.people = QListWidget()
        self.people.setObjectName("excludedPeople")
        self.people.setToolTip("Double-click (or Enter) opens the customer")
        self.people.itemActivated.connect(self._activated)
        self.people.setMinimumHeight(90)
        layout.addWidget(self.people_title)
        layout.addWidget(self.people, 1)
        self.people_title.hide()
        self.people.hide()
        layout.addWidget(QLabel("<b>Check</b>"))
        self.findings = QListWidget()
        self.findings.setObjectName("campaignFindings")
        self.findings.setWordWrap(True)
        self.findings.setMinimumHeight(120)
        layout.addWidget(self.findings, 1)
        self.reason_buttons: dict[tuple[int, str], QPushButton] = {}
        self.eligible_labels: list[QLabel] = []

    def _clear_steps(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()  # gone now, not only once the event loop comes round
                item.widget().deleteLater()
        self.reason_buttons = {}
        self.eligible_labels = []

    def show_computing(self) -> None:
        self.state.setText("Working out who each step reaches…")
        self.state.show()

    def show_nothing(self, text: str) -> None:
        self._clear_steps()
        self.state.setText(text)
        self.state.show()
        self.findings.clear()
        self.people.hide()
        self.people_title.hide()

    def show_audiences(self, audiences: list, report) -> None:
        """Each step's counts (``StepAudience``s, in step order) and the check's findings."""
        self._clear_steps()
        self.people.hide()
        self.people_title.hide()
        self.state.setVisible(not audiences)
        self.state.setText("No steps yet: add a step to see who it reaches.")
        row = 0
        for n, a in enumerate(audiences):
            title = _heading(a.step)
            self.grid.addWidget(title, row, 0, 1, 2)
            row += 1
            if a.eligible is None:
                line = QLabel("whoever looks (a broadcast step)")
                line.setObjectName("eligible")
                line.setToolTip("Posts, the poster and the website reach no list of people: nobody is left out")
                self.eligible_labels.append(line)
                self.grid.addWidget(line, row, 0, 1, 2)
                row += 1
                continue
            line = QLabel(f"{len(a.eligible):,} eligible")
            line.setObjectName("eligible")
            self.eligible_labels.append(line)
            self.grid.addWidget(line, row, 0, 1, 2)
            row += 1
            counts = a.counts()
            first = True
            for reason in REASONS:
                if not counts.get(reason):
                    continue
                button = QPushButton(f"{counts[reason]:,} {reason}")
                button.setFlat(True)
                button.setCursor(Qt.CursorShape.PointingHandCursor)
                button.setStyleSheet("text-align: left; padding: 1px 6px;")
                button.setToolTip(f"Show the customers left out: {reason}")
                button.clicked.connect(lambda _c=False, i=n, r=reason: self.reasonChosen.emit(i, r))
                self.reason_buttons[(n, reason)] = button
                self.grid.addWidget(QLabel("excluded:" if first else ""), row, 0)
                first = False
                self.grid.addWidget(button, row, 1, Qt.AlignmentFlag.AlignLeft)
                row += 1
            if a.moved:
                moved = QLabel(f"{len(a.moved):,} moved out of quiet hours")
                moved.setObjectName("moved")
                self.grid.addWidget(moved, row, 0, 1, 2)
                row += 1
            if n < len(audiences) - 1:
                rule = QFrame()
                rule.setFrameShape(QFrame.Shape.HLine)
                rule.setFrameShadow(QFrame.Shadow.Sunken)
                self.grid.addWidget(rule, row, 0, 1, 2)
                row += 1
        self.show_findings(report)

    def show_findings(self, report) -> None:
        self.findings.clear()
        if report is None:
            return
        ordered = sorted(report.findings, key=lambda f: f.severity != "error")
        for f in ordered:
            mark = "✖" if f.severity == "error" else "⚠"
            item = QListWidgetItem(f"{mark} {f.message}")
            item.setForeground(QColor(ERROR_COLOUR if f.severity == "error" else WARNING_COLOUR))
            item.setToolTip(f"{f.severity}: {f.code}")
            self.findings.addItem(item)
        if not ordered:
            self.findings.addItem(QListWidgetItem("✔ Nothing to fix"))

    def show_people(self, title: str, people: list[tuple[int, str]]) -> None:
        self.people_title.setText(title)
        self.people.clear()
        for cid, name in people:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, cid)
            self.people.addItem(item)
        self.people_title.show()
        self.people.show()
        if self.people.count():
            self.people.setCurrentRow(0)

    def _activated(self, item: QListWidgetItem) -> None:
        cid = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(cid, int):
            self.customerActivated.emit(cid)

