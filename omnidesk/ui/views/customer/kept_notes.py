"""Notes typed on a customer who went away meanwhile (merged or erased in another window or from
the command line): kept on the "no longer here" page, never thrown away.

When the customer was merged into another, the page offers to add the words to that
customer's notes (one undo step, as any notes edit) and opens their card; otherwise the
words stay on the page with a Copy button.  Leaving the page (Back, or another customer
chosen) while the words are there asks first; Cancel stays with them.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from omnidesk.core.failures import is_damaged
from omnidesk.ui.operations import reason
from omnidesk.ui.widgets.buttons import enter_presses

KEPT_LABEL = "Your notes, not saved:"
DISCARD_KEPT = "Discard the notes you typed?"


def discard_kept_question(parent, survivor: str | None) -> QMessageBox:
    """The question asked before the kept notes are left behind (Cancel is the default, and Esc)."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Notes not saved", DISCARD_KEPT, parent=parent)
    if survivor is not None:
        box.setInformativeText(f"They are not saved anywhere. “Add to {survivor}’s notes” puts them on "
                               f"{survivor}’s card; “Copy notes” puts them on the clipboard.")
    else:
        box.setInformativeText("They are not saved anywhere: the customer you typed them on is no longer "
                               "here. “Copy notes” puts them on the clipboard first.")
    box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)  # Enter loses nothing
    box.setEscapeButton(cancel)
    return box


class KeptNotesMixin:
    """The kept notes on the "no longer here" page of :class:`CustomerView`."""

    # How long adding kept notes waits for another window's import before saying so.
    KEPT_NOTES_WAIT = 2.0

    def _build_kept_notes(self) -> QWidget:
        self._kept_notes: str | None = None  # the words typed and not saved
        self._kept_from: int | None = None  # the customer they were typed on
        self._kept_for: int | None = None  # the customer they can go to (the one it was merged into)
        panel = QWidget()
        panel.setFixedWidth(460)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 8, 0, 0)
        self.kept_label = QLabel(KEPT_LABEL)
        self.kept_label.setWordWrap(True)
        self.kept_text = QPlainTextEdit()
        self.kept_text.setReadOnly(True)
        self.kept_text.setMaximumHeight(120)
        self.kept_text.setAccessibleName("Notes not saved")
        self.kept_status = QLabel()
        self.kept_status.setWordWrap(True)
        self.kept_status.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.add_kept_button = QPushButton()
        self.add_kept_button.clicked.connect(self.add_kept_notes)
        self.copy_kept_button = QPushButton("&Copy notes")
        self.copy_kept_button.setToolTip("Copy the notes to the clipboard, to paste them where they belong")
        self.copy_kept_button.clicked.connect(self.copy_kept_notes)
        enter_presses(self.add_kept_button, self.copy_kept_button)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.add_kept_button)
        buttons.addWidget(self.copy_kept_button)
        layout.addWidget(self.kept_label)
        layout.addWidget(self.kept_text)
        layout.addWidget(self.kept_status)
        layout.addLayout(buttons)
        panel.hide()
        self.kept_panel = panel
        return panel

    def kept_notes(self) -> str | None:
        """The words kept on the "no longer here" page (None when there are none)."""
        return self._kept_notes

    def _keep_notes(self, customer_id: int, text: str, survivor: int | None) -> None:
        """Show ``text`` (typed on ``customer_id``, who is gone) on the page, offering ``survivor``'s notes."""
        self._kept_notes, self._kept_from, self._kept_for = text, customer_id, survivor
        self.kept_text.setPlainText(text)
        self.kept_status.setText("")
        self.kept_panel.show()
        if survivor is not None:
            name = self.operations.names([survivor]).get(survivor, f"customer #{survivor}")
            self.add_kept_button.setText(f"&Add to {name.replace('&', '&&')}’s notes")
            self.add_kept_button.setToolTip(f"Add these notes after {name}’s own notes and open their card "
                                            "(Undo takes it back)")
            self.add_kept_button.setVisible(not self.read_only)
            first = self.add_kept_button if not self.read_only else self.copy_kept_button
        else:
            self.add_kept_button.hide()
            first = self.copy_kept_button
        self.missing.setFocusProxy(first)

    def _forget_kept_notes(self) -> None:
        self._kept_notes = self._kept_from = self._kept_for = None
        self.kept_text.clear()
        self.kept_panel.hide()
        if self.missing.button is not None:
            self.missing.setFocusProxy(self.missing.button)

    def ask_discard_kept_notes(self) -> bool:
        """Asked before leaving the kept notes behind: True to discard them, False to stay."""
        survivor = None
        if self._kept_for is not None and not self.read_only:
            survivor = self.operations.names([self._kept_for]).get(self._kept_for, f"customer #{self._kept_for}")
        box = discard_kept_question(self, survivor)
        try:
            box.exec()
            clicked = box.clickedButton()  # None when the box was closed otherwise
            return clicked is not None and box.buttonRole(clicked) == QMessageBox.ButtonRole.DestructiveRole
        finally:
            box.deleteLater()

    def may_leave_kept_notes(self, for_customer: int | None = None) -> bool:
        """Whether the page may be left (for ``for_customer``'s card, or another screen): True when no
        kept notes are left behind, or the user chose to discard them (then they are gone)."""
        if self._kept_notes is None or (for_customer is not None and for_customer == self._kept_from):
            return True
        if not self.ask_discard_kept_notes():
            return False
        self._forget_kept_notes()
        return True

    def copy_kept_notes(self) -> None:
        if self._kept_notes is None:
            return
        QGuiApplication.clipboard().setText(self._kept_notes)
        self.kept_status.setText("Copied. Paste them where they belong.")

    def add_kept_notes(self) -> bool:
        """Add the kept words after the notes of the customer it was merged into, and open their card."""
        if self._kept_notes is None or self._kept_for is None:
            return False
        survivor, text = self._kept_for, self._kept_notes
        try:
            self.operations.save_notes(survivor, text, wait=self.KEPT_NOTES_WAIT, append=True)
        except Exception as exc:  # busy, refused: the words stay on the page, and it says why
            if is_damaged(exc):
                raise
            self.kept_status.setText(f"Not added: {reason(exc)} Your notes are still here.")
            return False
        self._forget_kept_notes()
        self.show_customer(survivor)
        self.tabs.setCurrentWidget(self.notes_page)
        self.notes_status.setText("Your notes from the customer merged into this one were added here.")
        self.notesSaved.emit(survivor)
        return True
