"""Dialogs of the Customer screen: choosing a value to pin, and confirming an erase.

They only ask; the Customer view calls the core with the answer.  Both are
built by functions the view (and tests) can call without running them modally.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class PinOption:
    """One value a field could be pinned to, as the chooser lists it."""

    value: str  # as stored (and as pinned)
    shown: str  # as the card shows it (a phone in the shop's format, a date spelled out)
    found_in: str  # short: "customers_export.csv row 12 (shop) and 3 more records"
    details: str = ""  # every source, for the tooltip


class _ValueList(QTreeWidget):
    """A list as tall as its rows (up to ten), not Qt's fixed default."""

    rows_height = 0

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(hint.width(), self.rows_height or hint.height())


class PinDialog(QDialog):
    """Pick one of the values a customer's records carry for one field, and pin it (or unpin).

    After ``accept()``, :attr:`choice` is ``("pin", value)`` or ``("unpin", None)``.
    """

    ValueRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, field_label: str, person: str, options: Sequence[PinOption], current: str,
                 pinned: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice: tuple[str, str | None] | None = None
        self.setWindowTitle(f"Choose the {field_label.lower()}")
        self.setMinimumWidth(720)

        heading = QLabel(f"Which {field_label.lower()} should the card show for {person}?")
        heading.setWordWrap(True)
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        if pinned is not None:
            state = "It is pinned now: later imports do not change it."
        else:
            state = "Now the source records decide it."
        hint = QLabel("The value you pick is pinned: it stays on the card whatever later imports say, "
                      f"until you unpin it. {state}")
        hint.setWordWrap(True)
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self.list = _ValueList()
        self.list.setColumnCount(3)
        self.list.setHeaderLabels([field_label, "Now", "Found in"])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setWordWrap(False)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.list.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        values = [o.value for o in options]
        if pinned is not None and pinned not in values:
            # Pinned earlier to a value no record carries any more: still listed, so it can be kept.
            options = [PinOption(pinned, pinned, "no source record carries it now"), *options]
        bold = QFont(self.list.font())
        bold.setBold(True)
        selected = None
        for option in options:
            now = ""
            if option.value == current:
                now = "pinned" if pinned is not None and pinned == current else "shown"
            item = QTreeWidgetItem([option.shown, now, option.found_in])
            item.setData(0, self.ValueRole, option.value)
            tip = option.shown if option.shown == option.value else f"{option.shown} (stored as {option.value})"
            item.setToolTip(0, tip)
            item.setToolTip(2, option.details or option.found_in)
            item.setForeground(1, self.palette().color(QPalette.ColorRole.PlaceholderText))
            if now:
                item.setFont(0, bold)
                selected = selected or item
            self.list.addTopLevelItem(item)
        metrics = self.list.fontMetrics()
        widest = max((metrics.horizontalAdvance(o.shown) for o in options), default=120)
        self.list.setColumnWidth(0, min(max(widest + 24, 140), 300))
        self.list.itemDoubleClicked.connect(lambda *_: self._pin())
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        rows = min(max(len(options), 3), 10)
        self.list.rows_height = self.list.header().sizeHint().height() + rows * (metrics.height() + 8) + 4
        self.list.setMinimumHeight(self.list.rows_height)

        self.buttons = QDialogButtonBox()
        self.pin_button = QPushButton("Pin this value")
        self.pin_button.setDefault(True)
        self.pin_button.clicked.connect(self._pin)
        self.buttons.addButton(self.pin_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.unpin_button = QPushButton("Unpin")
        self.unpin_button.setToolTip("Let the source records decide this value again")
        self.unpin_button.clicked.connect(self._unpin)
        self.buttons.addButton(self.unpin_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.unpin_button.setVisible(pinned is not None)  # after addButton, which shows it
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(hint)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.buttons)

        self.list.setCurrentItem(selected or self.list.topLevelItem(0))
        self._update_buttons()
        self.resize(max(self.minimumWidth(), self.sizeHint().width()), self.sizeHint().height())

    def values(self) -> list[str]:
        """The listed values, as stored, in list order."""
        return [self.list.topLevelItem(i).data(0, self.ValueRole) for i in range(self.list.topLevelItemCount())]

    def select_value(self, value: str) -> bool:
        for i in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(i)
            if item.data(0, self.ValueRole) == value:
                self.list.setCurrentItem(item)
                return True
        return False

    def _update_buttons(self) -> None:
        self.pin_button.setEnabled(self.list.currentItem() is not None)

    def _pin(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.choice = ("pin", item.data(0, self.ValueRole))
        self.accept()

    def _unpin(self) -> None:
        self.choice = ("unpin", None)
        self.accept()


def erase_confirmation(parent: QWidget | None, person: str, removes: Sequence[str], kept: str) -> QMessageBox:
    """The question before erasing a person; Cancel is the default (Enter and Esc both cancel).

    ``removes`` are the lines of what goes; ``kept`` says what stays.
    """
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Erase person")
    # Both texts are rich text (the list, the bold warning); the name is escaped.
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(f"<b>Erase {html.escape(person)} from this workspace?</b>")
    lines = "".join(f"<li>{line}</li>" for line in removes)
    box.setInformativeText(
        f"<p>Everything Omnidesk holds about them goes, everywhere in this workspace:</p><ul>{lines}</ul>"
        f"<p>{kept}</p><p><b>This cannot be undone.</b> Edit › Undo forgets the steps before it too (they "
        "hold what is erased). Export their data first if you need a copy.</p>"
    )
    # Wide enough that the list reads as lines, not a narrow column.
    box.setStyleSheet("QLabel#qt_msgbox_informativelabel { min-width: 460px; }")
    erase = box.addButton("Erase person", QMessageBox.ButtonRole.DestructiveRole)
    erase.setObjectName("eraseButton")
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    return box
