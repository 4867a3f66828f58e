"""The person's rights over their data: export everything about them, or erase them (after a plain question)."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMessageBox
from shiboken6 import isValid

from omnidesk.core.customers import customer_fingerprints
from omnidesk.core.profile import customer_profile
from omnidesk.core.rights import GUESS_CHECKED, KEPT_AS, LOG_HELD, export_person, rules_named_words
from omnidesk.core.tasks import Cancelled
from omnidesk.core.workspace import backup_files
from omnidesk.ui.dialogs.person_dialogs import erase_confirmation
from omnidesk.ui.operations import reason
from omnidesk.ui.save_names import with_ending
from omnidesk.ui.views.customer.card import records_from


class PersonActionsMixin:
    """Export and erase on :class:`CustomerView`."""

    def _set_person_actions(self, enabled: bool) -> None:
        for button in (self.export_person_button, self.erase_person_button):
            button.setVisible(enabled)
            button.setEnabled(enabled)
        if self.read_only:
            self.erase_person_button.setVisible(False)

    def show_error(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    def show_info(self, title: str, text: str) -> None:
        QMessageBox.information(self, title, text)

    def ask_person_export_path(self) -> Path | None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) \
            or str(Path.home())
        start = str(Path(folder) / f"customer-{self.customer_id}.zip")
        name, _ = QFileDialog.getSaveFileName(self, "Export person data", start,
                                              "Zip archives (*.zip);;All files (*)")
        if not name:
            return None
        # The dialog asked about replacing the name as typed; ".zip" added may name another file.
        return with_ending(self, Path(name), ".zip")

    def export_person_dialog(self) -> None:
        """Write everything about the shown person to a zip the user picks, and say where.

        Written off the window's thread (a customer of 30,000 events takes seconds), the status
        bar showing it with Cancel; a cancelled or failed export leaves no file.
        """
        if self.customer_id is None or self.profile is None:
            return
        path = self.ask_person_export_path()
        if path is None:
            return
        workspace, customer_id, name = self.workspace, self.customer_id, self.profile.display_name

        def write(cancelled):
            # The save dialog (or the question about the name with ".zip" added) asked before replacing a file.
            return export_person(workspace, customer_id, path, overwrite=True, cancelled=cancelled)

        def written(out) -> None:
            if not isValid(self):
                return
            self.personExported.emit(str(out))
            self.show_info("Person data exported",
                           f"Everything this workspace holds about {name} was written to:\n\n{out}")

        def failed(exc: BaseException) -> None:
            if isinstance(exc, Cancelled):
                self.operations.notice.emit(str(exc))
            elif isValid(self):
                # The export removed its own temporary file: whatever else is beside the zip is not ours.
                self.show_error("Cannot export person data", f"Nothing was written to {path}.\n\n{reason(exc)}")

        self.operations.write_out(f"Writing {name}’s data", write, finished=written, failed=failed,
                                  title="Cannot export person data")

    def erase_confirmation_box(self) -> QMessageBox:
        """The question asked before erasing the shown person (Cancel is the default)."""
        assert self.profile is not None
        p = self.profile
        name = html.escape(p.display_name)
        rows = [self.source_model.source_row(r) for r in range(self.source_model.rowCount())]
        ids = self.identifier_model.identifier_count()
        removes = [
            f"the card of <b>{name}</b> (customer #{p.id})" + (" and your notes on them" if p.notes else ""),
            f"{records_from(rows)}: the rows as they were imported or entered",
            f"{p.event_count:,} timeline entr{'y' if p.event_count == 1 else 'ies'} "
            "(orders, messages, visits) and their consent records",
            "their merge and review history",
        ]
        backups = len(backup_files(self.workspace.path)) if self.workspace.path is not None else 0
        if backups:
            removes.append(f"the {backups} backup{'s' if backups != 1 else ''} Omnidesk made next to this "
                           "workspace before upgrading it: they hold this person too, so they are deleted")
        kept = (f"Their {ids} identifier{'s' if ids != 1 else ''} (emails, phones, customer ids), and their "
                f"name with their address and birthday, are kept only as {KEPT_AS}, so importing "
                f"an old file cannot bring them back; {GUESS_CHECKED}. "
                "The files you imported them from, and copies you saved with Save a Copy, are not changed.")
        return erase_confirmation(self, p.display_name, removes, kept)

    def refresh_if_changed(self, fingerprint: str | None) -> bool:
        """Show the card again if it no longer reads as the person ``fingerprint`` is of (see
        ``customers.customer_fingerprints``); False when the customer is gone."""
        if fingerprint is None or fingerprint != self._shown_fingerprint:
            self._stale = False
            if self.customer_id is not None:
                # Read here and now, even a big card: the question asked next counts what it shows.
                self._show(self.customer_id, keep_place=True, now=True)
        return fingerprint is not None and self.profile is not None

    def confirm_erase(self) -> bool:
        box = self.erase_confirmation_box()
        try:
            box.exec()
            clicked = box.clickedButton()
            return clicked is not None and box.buttonRole(clicked) == QMessageBox.ButtonRole.DestructiveRole
        finally:
            box.deleteLater()

    def erase_person_dialog(self) -> None:
        """Ask, then erase the shown person everywhere and leave for the Customers list."""
        if self.customer_id is None or self.profile is None:
            return
        if not self.operations.may_change("Cannot erase person"):
            return  # not even asked: it would be refused (read-only, busy, its file moved away)
        customer_id = self.customer_id
        # The question counts what is erased: it is asked about the person as they are now, not as
        # the card last read them (another window or command may have merged someone into them),
        # and the erase is refused if they change while it is asked.
        expect = customer_fingerprints(self.workspace, [customer_id])[customer_id]
        if not self.refresh_if_changed(expect):
            return
        name = self.profile.display_name
        if not self.confirm_erase():
            return
        try:
            removed = self.operations.erase_person(customer_id, expect=expect)
        except Exception as exc:  # reported, never a crash; the erase is one transaction
            if customer_profile(self.workspace, customer_id) is not None:
                self.show_error("Cannot erase person", f"Nothing was erased.\n\n{reason(exc)}")
                self.refresh()
                return
            removed = {}  # it failed after the erase itself was done (tidying up)
        self._forget_shown_customer()
        self.personErased.emit(customer_id, removed)
        self.backRequested.emit()
        # Worded to begin in English: a message opening with an Arabic or Hebrew name would be laid
        # out right to left as a whole (".was erased from this workspace محمد").
        text = f"Erased {name} from this workspace."
        if removed:
            records = removed.get("source_records", 0)
            events = removed.get("events", 0)
            ids = removed.get("identifiers_suppressed", 0)
            text += (f"\n\nRemoved {records:,} source record{'s' if records != 1 else ''} and "
                     f"{events:,} timeline entr{'y' if events == 1 else 'ies'}. "
                     f"{ids:,} identifier{'s' if ids != 1 else ''} (emails, phones, customer ids)"
                     + (", and their name and address," if removed.get("name_and_place_keys") else "")
                     + f" {'are' if ids != 1 or removed.get('name_and_place_keys') else 'is'} kept only as "
                     f"{KEPT_AS}, so an old file cannot bring them back; {GUESS_CHECKED}.")
            others = removed.get("others_rows", 0)
            if others:
                text += (f" They were also taken out of {others:,} row{'s' if others != 1 else ''} of other "
                         "customers (a gift sent to them, a note naming them).")
            noted = removed.get("others_notes", 0)
            if noted:
                cards = "other customer's card" if noted == 1 else "other customers' cards"
                text += f" Their email or phone was taken out of the notes on {noted:,} {cards}."
            # A saved segment or campaign naming their email or phone: said as the command line says it.
            rules = rules_named_words(removed.get("segments_named", 0), removed.get("campaigns_named", 0))
            if rules:
                text += f" {rules[:1].upper()}{rules[1:]}."
            backups = removed.get("backups_deleted", 0)
            if backups:
                text += (f" The {backups} backup{'s' if backups != 1 else ''} that held them "
                         f"{'were' if backups != 1 else 'was'} deleted.")
            if removed.get("log_held"):
                text += f"\n\n{LOG_HELD[:-1]} (or, once it has finished reading, until your next change here)."
        self.show_info("Person erased", text)

    def _forget_shown_customer(self) -> None:
        """Nothing of an erased person stays on screen (or in this view's memory)."""
        self._notes_timer.stop()
        self._notes_dirty = False
        if self._pending_notes is not None and self._pending_notes[0] == self.customer_id:
            self._end_wait(False)  # notes on a person who is no longer there
        self.customer_id = None
        self.profile = None
        self.pins = {}
        self.name_label.setText("")
        self.name_label.setToolTip("")
        self.subtitle.setText("")
        for label in self.fields.values():
            label.setText("")
            label.setToolTip("")
        self._fill_more_fields([])
        self.timeline_model.set_entries([])
        self.source_model.set_rows([])
        self.identifier_model.set_lines([])
        self._show_raw(None)
        self.notes_edit.blockSignals(True)
        self.notes_edit.clear()
        self.notes_edit.blockSignals(False)
        self.missing.title.setText("This person was erased")
        self.missing.text.setText("Nothing about them is left in this workspace.")
        self.pages.setCurrentWidget(self.missing)
        self._set_person_actions(False)
