"""The Notes tab: the user's own words on a customer, saved as they pause, waiting out a busy workspace."""

from __future__ import annotations

import time
from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from omnidesk.core.errors import UserError
from omnidesk.core.failures import is_damaged
from omnidesk.core.workspace import WorkspaceBusyError
from omnidesk.ui.operations import reason
from omnidesk.ui.widgets.buttons import enter_presses

NOTES_WAITING = "Waiting for the import in another window…"


class NotesMixin:
    """The Notes tab of :class:`CustomerView`."""

    def _build_notes_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        hint = QLabel("Your own notes on this customer. They stay in the workspace and imports never change them.")
        hint.setWordWrap(True)
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setPlaceholderText("Preferences, conversations, things to remember…")
        hint.setBuddy(self.notes_edit)  # a screen reader's "labelled by"
        self.notes_edit.setAccessibleName("Notes")
        self.notes_edit.setAccessibleDescription(hint.text())
        self.notes_edit.textChanged.connect(self._notes_changed)
        self.notes_status = QLabel()
        self.notes_status.setWordWrap(True)
        self.notes_status.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.save_notes_button = QPushButton("Save notes")
        self.save_notes_button.setEnabled(False)
        self.save_notes_button.setToolTip("Save the notes now (Ctrl+S); a pause in typing saves them too")
        self.save_notes_button.clicked.connect(self.save_notes)
        enter_presses(self.save_notes_button)
        # Ctrl+S while writing notes saves them, without leaving the keyboard.
        save = QShortcut(QKeySequence.StandardKey.Save, self.notes_edit)
        save.setContext(Qt.ShortcutContext.WidgetShortcut)
        save.activated.connect(self.save_notes)
        bottom = QHBoxLayout()
        bottom.addWidget(self.notes_status, 1)
        bottom.addWidget(self.save_notes_button)
        layout.addWidget(hint)
        layout.addWidget(self.notes_edit, 1)
        layout.addLayout(bottom)
        # Typing pauses save on their own, so notes are not lost by leaving the screen.
        self._notes_timer = QTimer(self)
        self._notes_timer.setSingleShot(True)
        self._notes_timer.setInterval(1500)
        self._notes_timer.timeout.connect(self.save_notes)
        self._notes_retry = QTimer(self)
        self._notes_retry.setSingleShot(True)
        self._notes_retry.setInterval(self.NOTES_RETRY_MS)
        self._notes_retry.timeout.connect(self._retry_notes)
        return page

    def _reload_notes(self) -> None:
        """The saved notes in the editor (an undo of a notes edit), unless the user is typing there."""
        if self._notes_dirty or self._pending_notes is not None or self.customer_id is None:
            return
        from omnidesk.core.notes import customer_notes

        try:
            text = customer_notes(self.workspace, self.customer_id)
        except UserError:
            return
        if text != self.notes_edit.toPlainText():
            self.notes_edit.blockSignals(True)
            self.notes_edit.setPlainText(text)
            self.notes_edit.blockSignals(False)
            self.notes_status.setText("")

    def _notes_changed(self) -> None:
        self._notes_dirty = True
        self.save_notes_button.setEnabled(True)
        self.notes_status.setText("Unsaved changes")
        self._notes_timer.start()

    def save_notes(self) -> bool:
        """Save pending note edits of the shown customer; returns True when something was written.

        When an import in another window (or the command line) holds the workspace, the
        words are kept and the save is tried again every ``NOTES_RETRY_MS`` — each try waits
        only ``NOTES_ATTEMPT_WAIT`` so the window never freezes — saying "Waiting for the
        import in another window…", until it lands or ``NOTES_GIVE_UP`` seconds have passed.
        Then the text is in the editor (brought back if another customer is shown) with a
        line saying it was not saved.
        """
        self._notes_timer.stop()
        if not self._notes_dirty or self.customer_id is None or self.read_only:
            return False
        return self._write_notes(self.customer_id, self.notes_edit.toPlainText())

    def discard_unsaved_notes(self) -> None:
        """Forget notes that could not be saved (the user chose to leave without them)."""
        self._end_wait(False)
        self._notes_timer.stop()
        self._notes_dirty = False
        self._forget_kept_notes()

    def notes_waiting(self) -> bool:
        """Whether a notes save is waiting for another window's import to finish."""
        return self._pending_notes is not None

    def has_unsaved_notes(self) -> bool:
        """Notes typed and not saved: in the editor, waiting for the lock, or kept on the "no longer here" page."""
        return self._pending_notes is not None or (self._notes_dirty and not self.read_only) \
            or self._kept_notes is not None

    def _write_notes(self, customer_id: int, text: str) -> bool:
        try:
            changed = self.operations.save_notes(customer_id, text, wait=self.NOTES_ATTEMPT_WAIT)
        except WorkspaceBusyError as exc:
            self._pending_notes = (customer_id, text)
            if self._notes_waiting_since is None:
                self._notes_waiting_since = time.monotonic()
            if time.monotonic() - self._notes_waiting_since >= self.NOTES_GIVE_UP:
                self._give_up_notes(str(exc))
            else:
                self.notes_status.setText(NOTES_WAITING)
                self.notesWaiting.emit(f"{NOTES_WAITING} Your notes are kept and saved as soon as it finishes.")
                self._notes_retry.start()
            return False
        except Exception as exc:  # refused or failed: the words stay in the editor, and it says why
            if is_damaged(exc):
                raise
            self._end_wait(False)
            self.notes_status.setText(f"Not saved: {reason(exc)}")
            return False
        self._end_wait(True)
        if self.customer_id == customer_id and self.notes_edit.toPlainText() == text:
            self._notes_dirty = False
            self.save_notes_button.setEnabled(False)
            self.notes_status.setText(f"Saved at {datetime.now():%H:%M}")
        if changed:
            self.notesSaved.emit(customer_id)
        return changed

    def _retry_notes(self) -> None:
        if self._pending_notes is None:
            return
        customer_id, text = self._pending_notes
        if self.customer_id == customer_id and self._notes_dirty:
            text = self.notes_edit.toPlainText()  # what was typed while waiting, too
        self._write_notes(customer_id, text)

    def _end_wait(self, saved: bool) -> None:
        waited = self._notes_waiting_since is not None
        self._notes_retry.stop()
        self._pending_notes = None
        self._notes_waiting_since = None
        if waited:
            self.notesWaiting.emit("")
            self.notesSettled.emit(saved)

    def _give_up_notes(self, reason: str) -> None:
        assert self._pending_notes is not None
        customer_id, text = self._pending_notes
        self._end_wait(False)
        if self.customer_id != customer_id:
            self.show_customer(customer_id)  # the words go back where they were typed
        if self.notes_edit.toPlainText() != text:
            self.notes_edit.blockSignals(True)
            self.notes_edit.setPlainText(text)
            self.notes_edit.blockSignals(False)
        self._notes_dirty = True
        self.save_notes_button.setEnabled(True)
        self.tabs.setCurrentWidget(self.notes_page)
        why = reason.split(";")[0]  # "the workspace is busy with an import (started 14:02 …)"
        self.notes_status.setText(f"Not saved: {why}. Your text is still here; press Save notes to try again.")
        self.notesWaiting.emit("Your notes were not saved: the workspace stayed busy. "
                               "They are still in the editor.")
