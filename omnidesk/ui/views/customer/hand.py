"""Typing in on the Customer screen: the card's values, tags, consent heard by phone, a custom field.

Each dialog asks (``ui/dialogs/edit_dialogs.py``); the change is one undo step
through the operations bridge, and the card redraws as the change is announced.
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QToolButton

from omnidesk.core.edits import all_tags, check_custom_field, check_values, held_by_others
from omnidesk.ui.dialogs.edit_dialogs import FIELD_LABELS, ConsentDialog, CustomerValuesDialog, CustomFieldDialog, TagsDialog

# What each button does, its shortcut and its words.
HAND_ACTIONS = (
    ("edit_button", "&Edit…", "Ctrl+E", "Type in this customer's name, email, phone, address…", "edit_values"),
    ("tags_button", "&Tags…", "Ctrl+T", "Add or take off tags", "edit_tags"),
    ("consent_button", "Record &consent…", "Ctrl+Shift+C",
     "Record consent given or refused outside any file (by phone, at the till)", "record_consent"),
    ("field_button", "Edit &field…", "Ctrl+Shift+M", "Type in one of the “More fields”", "edit_custom_field"),
)


class HandEditsMixin:
    """The Customer screen's typing-in buttons and their dialogs."""

    def _build_hand_buttons(self) -> list[QToolButton]:
        buttons = []
        for attr, text, keys, tip, slot in HAND_ACTIONS:
            button = QToolButton()
            button.setText(text)
            button.setAutoRaise(True)
            button.setToolTip(f"{tip} ({QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)})")
            button.clicked.connect(getattr(self, slot))
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(getattr(self, slot))
            setattr(self, attr, button)
            buttons.append(button)
        return buttons

    def _set_hand_actions(self, enabled: bool) -> None:
        for attr, *_rest in HAND_ACTIONS:
            button = getattr(self, attr)
            button.setVisible(enabled and not self.read_only)

    def _can_type_in(self) -> bool:
        return self.customer_id is not None and self.profile is not None and not self.read_only

    def _run(self, dialog: QDialog) -> bool:
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            dialog.deleteLater()

    def values_dialog(self) -> CustomerValuesDialog:
        assert self.profile is not None
        current = {f: str(getattr(self.profile, f) or "") for f in FIELD_LABELS}
        # As the card shows them: "(207) 555-0189", not "+12075550189" (read back the same way).
        current["phone"] = self._shown_value("phone", current["phone"]) if current["phone"] else ""
        customer_id = self.customer_id
        return CustomerValuesDialog(lambda values: check_values(self.workspace, values), current,
                                    person=self.profile.display_name, parent=self,
                                    warn=lambda values: held_by_others(self.workspace, customer_id, values))

    def edit_values(self) -> None:
        if not self._can_type_in():
            return
        dialog = self.values_dialog()
        if self._run(dialog) and dialog.values:
            self.operations.edit_values(self.customer_id, dialog.values)

    def tags_dialog(self) -> TagsDialog:
        assert self.profile is not None
        return TagsDialog(self.profile.display_name, self.profile.tags,
                          [t for t, _n in all_tags(self.workspace)], self)

    def edit_tags(self) -> None:
        if not self._can_type_in():
            return
        dialog = self.tags_dialog()
        if self._run(dialog) and (dialog.add or dialog.remove):
            self.operations.retag([self.customer_id], dialog.add, dialog.remove)

    def consent_dialog(self, channel: str | None = None) -> ConsentDialog:
        assert self.profile is not None
        current = {c: (f.status if (f := self.profile.consents.get(c)) else None) for c in ("email", "sms", "whatsapp")}
        return ConsentDialog(self.profile.display_name, current, channel, self)

    def record_consent(self) -> None:
        if not self._can_type_in():
            return
        dialog = self.consent_dialog()
        if not self._run(dialog):
            return
        edit = self.operations.record_consent(self.customer_id, dialog.channel, dialog.status, dialog.note)
        if edit is not None and edit.in_force != edit.status:
            self.show_info("Consent recorded", f"Recorded, but {edit.in_force} stays in force: a file recorded "
                           "a stricter answer the same day, and the stricter one wins that day.")

    def custom_field_dialog(self, name: str = "") -> CustomFieldDialog:
        assert self.profile is not None
        values = {v.name: v.value for v in self.profile.custom_fields}
        return CustomFieldDialog(self.profile.display_name, values, name, self,
                                 check=lambda field, value: check_custom_field(self.workspace, field, value))

    def edit_custom_field(self) -> None:
        if not self._can_type_in():
            return
        dialog = self.custom_field_dialog()
        if self._run(dialog):
            self.operations.set_custom_field(self.customer_id, dialog.name, dialog.value)
