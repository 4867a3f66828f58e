"""Dialogs for what the user types in: a customer's values, a new customer, tags, consent, a custom field.

Each only asks; the change itself goes through ``ui/operations.py`` as one undo step.
A value the core cannot read (an email without an @, a date that is none) is
named under its field as it is typed, and OK waits until all read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QScrollArea,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from omnidesk.core.channels import CONSENT_CODES, channel_name
from omnidesk.ui.accessible import labelled

FIELD_LABELS = {
    "first_name": "First name", "last_name": "Last name", "email": "Email", "phone": "Phone",
    "company": "Company", "address": "Address", "city": "City", "region": "Region",
    "postcode": "Postcode", "country": "Country", "birthday": "Birthday",
}
PLACEHOLDERS = {"phone": "with or without the country code", "birthday": "e.g. 1980-03-14",
                "country": "code or name: US, Germany…"}
ERROR_STYLE = "color: #C62828;"
WARNING_STYLE = "color: #8A5A00;"  # said, but OK stays on


def _error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.setVisible(False)
    return label


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label



def _debounced(parent, check) -> QTimer:
    """A timer that runs ``check`` a quarter second after the last keystroke that starts it."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(250)
    timer.timeout.connect(check)
    return timer

class CustomerValuesDialog(QDialog):
    """Type in a customer's values (``current`` given), or a new customer's (``current`` None).

    ``check(values) -> {field: problem}`` reads the values as the core will;
    ``warn(values) -> {field: words}`` says what is worth knowing but stops nothing
    (an email another customer already has).
    After ``accept()``, :attr:`values` holds the fields to store: the changed
    ones when editing, the filled ones (and ``tags``) for a new customer.
    """

    def __init__(self, check: Callable[[dict[str, str]], dict[str, str]], current: Mapping[str, str] | None = None,
                 *, person: str = "", known_tags: Sequence[str] = (), parent: QWidget | None = None,
                 warn: Callable[[dict[str, str]], dict[str, str]] | None = None) -> None:
        super().__init__(parent)
        self.check = check
        self.warn = warn
        self.creating = current is None
        self.current = dict(current or {})
        self.values: dict[str, str] = {}
        self.setWindowTitle("New Customer" if self.creating else f"Edit {person}")
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        layout.addWidget(_hint(
            "A customer added here is marked “Entered by you”. Matching treats them like anyone imported."
            if self.creating else
            "What you type here wins over every file from now on (the card marks it pinned, “entered by "
            "you” with today's date). Clear a box to show no value."))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        for field, label in FIELD_LABELS.items():
            edit = QLineEdit(self.current.get(field, ""))
            edit.setObjectName(f"field:{field}")
            edit.setPlaceholderText(PLACEHOLDERS.get(field, ""))
            edit.textChanged.connect(self._changed)
            error = _error_label()
            holder = QWidget()
            box = QVBoxLayout(holder)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(1)
            box.addWidget(edit)
            box.addWidget(error)
            form.addRow(labelled(f"&{label}:" if field in ("first_name", "email") else f"{label}:", edit), holder)
            self.edits[field] = edit
            self.errors[field] = error
        self.tags = QLineEdit()
        if self.creating:
            self.tags.setObjectName("field:tags")
            self.tags.setPlaceholderText("comma-separated: VIP, walk-in")
            if known_tags:
                self.tags.setCompleter(_tag_completer(known_tags, self.tags))
            form.addRow("&Tags:", self.tags)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add" if self.creating else "Save")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._debounce = _debounced(self, self.validate)
        self.edits["first_name"].setFocus()
        self.validate()

    def _changed(self) -> None:
        self._debounce.start()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.wanted()))

    def wanted(self) -> dict[str, str]:
        """The values the dialog would store now."""
        typed = {f: e.text().strip() for f, e in self.edits.items()}
        if self.creating:
            return {f: v for f, v in typed.items() if v}
        return {f: v for f, v in typed.items() if v != (self.current.get(f) or "")}

    def validate(self) -> bool:
        self._debounce.stop()
        wanted = self.wanted()
        problems = self.check(wanted) if wanted else {}
        notes = self.warn(wanted) if wanted and self.warn is not None else {}
        for field, label in self.errors.items():
            label.setText(problems.get(field) or notes.get(field, ""))
            label.setStyleSheet(ERROR_STYLE if field in problems else WARNING_STYLE)
            label.setVisible(field in problems or field in notes)
        self._grow()
        ok = bool(wanted) and not problems
        if self.creating and ok and not any(wanted.get(f) for f in ("first_name", "last_name", "email", "phone",
                                                                     "company")):
            ok = False
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        return ok

    def _grow(self) -> None:
        """Taller when a word under a box needs more lines than the dialog has room for: never cut off."""
        self.layout().activate()
        wanted = self.layout().totalHeightForWidth(self.width()) if self.layout().hasHeightForWidth() else -1
        need = max(wanted, self.minimumSizeHint().height())
        if need > self.height():
            self.resize(self.width(), need)

    def accept(self) -> None:
        if not self.validate():
            return
        self.values = self.wanted()
        if self.creating and self.tags.text().strip():
            self.values["tags"] = self.tags.text().strip()
        super().accept()


def _tag_completer(tags: Sequence[str], parent: QWidget) -> QCompleter:
    completer = QCompleter(list(tags), parent)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    return completer


class TagsDialog(QDialog):
    """Tags of one or many customers: untick one to take it off, type new ones to add.

    After ``accept()``: :attr:`add` and :attr:`remove`.
    """

    def __init__(self, who: str, current: Sequence[str], known: Sequence[str] = (),
                 parent: QWidget | None = None, *, removing: bool = False) -> None:
        super().__init__(parent)
        self.add: list[str] = []
        self.remove: list[str] = []
        self.removing = removing  # only taking off: tick the tags to take off (many customers at once)
        self.setWindowTitle(f"Take tags off {who}" if removing else f"Tags of {who}")
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        self.boxes: dict[str, QCheckBox] = {}
        if current:
            layout.addWidget(QLabel("Tick the tags to take off:" if removing else "Untick a tag to take it off:"))
            # In the order a person looks for them; many scroll ("VIP" and "vip" side by side).
            holder = QWidget()
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 0)
            for tag in sorted(current, key=lambda t: (t.casefold(), t)):
                box = QCheckBox(tag)
                box.setChecked(not removing)
                self.boxes[tag] = box
                column.addWidget(box)
            if len(current) > 12:
                area = QScrollArea()
                area.setWidgetResizable(True)
                area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its boxes are the Tab stops
                area.setWidget(holder)
                area.setMinimumHeight(12 * QCheckBox("x").sizeHint().height())
                layout.addWidget(area, 1)
            else:
                layout.addWidget(holder)
        elif removing:
            layout.addWidget(QLabel("None of them has a tag."))
        self.new = QLineEdit(self)  # owned by the dialog even where it is not shown (taking tags off)
        self.new.setObjectName("newTags")
        self.new.setPlaceholderText("comma-separated: VIP, wholesale")
        if known:
            self.new.setCompleter(_tag_completer(known, self.new))
        if not removing:
            form = QFormLayout()
            form.addRow("&Add tags:", self.new)
            layout.addLayout(form)
        else:
            self.new.setVisible(False)
        self.error = _error_label()
        layout.addWidget(self.error)
        if self.boxes:  # said where a tag can be taken off, not where tags are only added
            layout.addWidget(_hint("A tag you take off stays off, even when a later import carries it."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        (next(iter(self.boxes.values())) if removing and self.boxes else self.new).setFocus()

    def accept(self) -> None:
        typed = [t.strip() for t in self.new.text().split(",") if t.strip()]
        too_long = next((t for t in typed if len(t) > 100), None)
        if too_long:
            self.error.setText(f"“{too_long[:30]}…” is longer than 100 characters.")
            self.error.setVisible(True)
            return
        self.add = [] if self.removing else typed
        self.remove = [tag for tag, box in self.boxes.items() if box.isChecked() == self.removing]
        if not self.add and not self.remove:
            self.reject()
            return
        super().accept()


class ConsentDialog(QDialog):
    """Record consent the person gave or refused outside any file (by phone, at the till).

    After ``accept()``: :attr:`channel`, :attr:`status` and :attr:`note`.
    """

    def __init__(self, who: str, current: Mapping[str, str | None] | None, channel: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Record consent of {who}")
        self.setMinimumWidth(460)
        self.channel, self.status, self.note = "", "", ""
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.channels = QComboBox()
        for code in CONSENT_CODES:
            # Several customers (current None) have no one consent in force to show.
            now = "" if current is None else f" (now: {current.get(code) or 'unknown'})"
            self.channels.addItem(f"{channel_name(code)}{now}", code)
        if channel in CONSENT_CODES:
            self.channels.setCurrentIndex(CONSENT_CODES.index(channel))
        form.addRow("&Channel:", self.channels)
        row = QHBoxLayout()
        self.granted = QRadioButton("&Granted: may receive marketing")
        self.denied = QRadioButton("&Denied: no marketing")
        group = QButtonGroup(self)
        group.addButton(self.granted)
        group.addButton(self.denied)
        self.denied.setChecked(True)  # the safer answer is the one already chosen
        row.addWidget(self.granted)
        row.addWidget(self.denied)
        row.addStretch(1)
        form.addRow("Consent:", row)
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("consentNote")
        self.note_edit.setPlaceholderText("What they said: asked by phone to stop SMS")
        form.addRow("&Note:", self.note_edit)
        layout.addLayout(form)
        layout.addWidget(_hint("Recorded with today's date and shown in the consent history. A stricter "
                               "answer a file recorded the same day (an unsubscribe) still wins."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Record")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.note_edit.setFocus()

    def accept(self) -> None:
        self.channel = self.channels.currentData()
        self.status = "granted" if self.granted.isChecked() else "denied"
        self.note = self.note_edit.text().strip()
        super().accept()


class CustomFieldDialog(QDialog):
    """Type in one custom field: a name the workspace knows (or a new one) and its value."""

    def __init__(self, who: str, values: Mapping[str, str], name: str = "", parent: QWidget | None = None,
                 check: Callable[[str, str], str] | None = None) -> None:
        super().__init__(parent)
        self.check = check  # (name, value) -> why it cannot be stored, "" when it can
        self.setWindowTitle(f"Edit a field of {who}")
        self.setMinimumWidth(440)
        self.values = dict(values)
        self.name, self.value = "", ""
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.names = QComboBox()
        self.names.setEditable(True)
        self.names.addItems(sorted(self.values, key=str.casefold))
        self.names.setCurrentText(name)
        self.names.currentTextChanged.connect(lambda text: self.value_edit.setText(self.values.get(text, "")))
        form.addRow("&Field:", self.names)
        self.value_edit = QLineEdit(self.values.get(name, ""))
        self.value_edit.setObjectName("customValue")
        self.error = _error_label()
        value_box = QWidget()
        box = QVBoxLayout(value_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(1)
        box.addWidget(self.value_edit)
        box.addWidget(self.error)
        form.addRow(labelled("&Value:", self.value_edit), value_box)
        layout.addLayout(form)
        layout.addWidget(_hint("A number field takes a number, a date field a date. Your value is shown "
                               "before any file's; clear it to show none."))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._debounce = _debounced(self, self.validate)
        self.names.currentTextChanged.connect(self._debounce.start)
        self.value_edit.textChanged.connect(self._debounce.start)
        (self.value_edit if name else self.names).setFocus()
        self.validate()

    def validate(self) -> bool:
        """Whether the field can take the value; what is wrong shows under the value, and OK waits."""
        self._debounce.stop()
        name, value = self.names.currentText().strip(), self.value_edit.text().strip()
        problem = "" if not name else self.check(name, value) if self.check is not None else ""
        self.error.setText(problem)
        self.error.setVisible(bool(problem))
        ok = bool(name) and not problem
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        return ok

    def accept(self) -> None:
        if not self.validate():
            return
        self.name = self.names.currentText().strip()
        self.value = self.value_edit.text().strip()
        super().accept()
