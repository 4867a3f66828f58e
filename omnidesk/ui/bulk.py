"""Bulk actions on the Customers list: tag, untag, record consent or erase the selection or the whole list.

Each asks first (a dialog, or for erasing a plain question that says it cannot be
undone), then runs as one step through the operations bridge; tags and consent
are undoable, erasing is not.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox

from omnidesk.core.customers import customer_fingerprints
from omnidesk.core.edits import all_tags, tags_of
from omnidesk.ui.dialogs.edit_dialogs import ConsentDialog, TagsDialog

ACTIONS = ("add_tags", "remove_tags", "consent", "erase")


class BulkActions(QObject):
    def __init__(self, window, customers, operations) -> None:
        super().__init__(window)
        self.window, self.customers, self.operations = window, customers, operations
        customers.bulkRequested.connect(self.run)

    @property
    def workspace(self):
        return self.operations.workspace

    def run(self, action: str, ids: list) -> None:
        if not ids or self.workspace is None or self.workspace.readonly:
            return
        getattr(self, action)(list(ids))

    @staticmethod
    def who(ids: list) -> str:
        return "1 customer" if len(ids) == 1 else f"{len(ids):,} customers"

    # Dialogs are made by these (tests fill them in).
    def tags_dialog(self, ids: list, removing: bool) -> TagsDialog:
        if removing:
            return TagsDialog(self.who(ids), tags_of(self.workspace, ids), (), self.window, removing=True)
        return TagsDialog(self.who(ids), [], [t for t, _n in all_tags(self.workspace)], self.window)

    def consent_dialog(self, ids: list) -> ConsentDialog:
        return ConsentDialog(self.who(ids), None, None, self.window)  # no one "now" for many

    def confirm_erase(self, ids: list) -> bool:
        answer = QMessageBox.warning(
            self.window, "Erase customers",
            f"Erase {self.who(ids)} and everything about them from this workspace? A later import cannot bring "
            "them back. This cannot be undone, and it clears Edit › Undo.",
            QMessageBox.StandardButton.Cancel | QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def _exec(self, dialog) -> bool:
        try:
            return dialog.exec() == dialog.DialogCode.Accepted
        finally:
            dialog.deleteLater()

    def add_tags(self, ids: list) -> None:
        dialog = self.tags_dialog(ids, removing=False)
        if self._exec(dialog) and dialog.add:
            self.operations.retag(ids, dialog.add, ())

    def remove_tags(self, ids: list) -> None:
        dialog = self.tags_dialog(ids, removing=True)
        if self._exec(dialog) and dialog.remove:
            self.operations.retag(ids, (), dialog.remove)

    def consent(self, ids: list) -> None:
        from omnidesk.core import edits
        from omnidesk.ui.operations import consent_lost

        dialog = self.consent_dialog(ids)
        if not self._exec(dialog):
            return
        channel, status, note = dialog.channel, dialog.status, dialog.note
        self.operations._hand(f"record consent {status} for {self.who(ids)}",
                              lambda ws: edits.record_consent_many(ws, ids, channel, status, note),
                              "Cannot record the consent", ids if len(ids) <= 500 else [], self.who(ids),
                              many=len(ids), lost=consent_lost(channel, status, self.who(ids)))

    def erase(self, ids: list) -> None:
        if not self.operations.may_change("Cannot erase customers"):
            return  # not even asked: it would be refused
        # Each is erased only as the person the question was about (see rights.erase_person); an
        # erase of the selection's own that changes a later one (a shared mailbox's "stop" kept on
        # them) brings its fingerprint up to date, a change from elsewhere does not.
        asked = customer_fingerprints(self.operations.workspace, ids)
        if not self.confirm_erase(ids):
            return
        done, removed = 0, {}
        for cid in ids:
            try:
                removed = self.operations.erase_person(cid, expect=asked.get(cid), others=asked)
                done += 1
            except Exception as exc:  # the rest stay; say which one failed and why
                from omnidesk.ui.operations import reason

                self.window.show_error("Cannot erase", f"Erased {done} of {len(ids)}; customer {cid}: {reason(exc, self.window.workspace)}")
                return
        self.window.statusBar().showMessage(f"Erased {self.who(ids)}", 8000)
        # Each erase empties the log when no one reads: only the last one's answer still holds.
        if removed.get("log_held"):
            from omnidesk.core.rights import LOG_HELD

            self.window.show_info("Customers erased", f"Erased {self.who(ids)}.\n\n{LOG_HELD[:-1]} (or, once it "
                                  "has finished reading, until your next change here).")
