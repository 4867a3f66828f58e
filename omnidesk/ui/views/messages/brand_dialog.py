"""The brand kit, edited in one dialog: each field checked as the core will, stored as one undo step."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QPalette, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from omnidesk.core.errors import UserError
from omnidesk.core.messages.brand import Brand, read_logo
from omnidesk.ui.accessible import labelled
from omnidesk.ui.widgets.screen_fit import fit_to_screen, scrolling, wanted_size

LINES = ("name", "tagline", "colors", "sms_sender", "sms_opt_out", "banned_words", "disclaimer", "utm_campaign")
TEXTS = ("voice", "address", "email_footer")
LABELS = {"name": "Business &name", "tagline": "Tagline", "voice": "Voice notes", "colors": "Colours",
          "address": "Postal &address", "email_footer": "Email footer", "sms_sender": "SMS sender",
          "sms_opt_out": "SMS opt-out line", "banned_words": "Banned words", "disclaimer": "Required words",
          "utm_campaign": "Campaign tag"}
HINTS = {"colors": "#RRGGBB, #RRGGBB", "sms_sender": "3–11 letters, digits or spaces", "banned_words": "comma-separated",
         "disclaimer": "words every message must carry, if any", "utm_campaign": "{message} is the message's name",
         "address": "printed in every email's footer (CAN-SPAM asks for one)"}


def _shown(brand: Brand, field: str) -> str:
    value = getattr(brand, field)
    if field == "colors":
        return ", ".join(value)
    if field == "banned_words":
        return ", ".join(value)
    return value or ""


class BrandDialog(QDialog):
    """After ``accept()``, :attr:`changes` holds field -> typed text for the fields changed (``logo``: a path)."""

    def __init__(self, brand: Brand, logo_bytes: bytes | None, check, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Brand kit")
        self.setMinimumWidth(560)
        self.brand = brand
        self.check = check  # (field, text) -> problem or None
        self.changes: dict[str, str] = {}
        self.edits: dict[str, QLineEdit | QPlainTextEdit] = {}
        self.errors: dict[str, QLabel] = {}
        layout = QVBoxLayout(self)
        body = QWidget()
        form = QFormLayout(body)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for field in ("name", "tagline", "voice", "colors", "address", "email_footer", "sms_sender", "sms_opt_out",
                      "banned_words", "disclaimer", "utm_campaign"):
            if field in TEXTS:
                edit = QPlainTextEdit(_shown(brand, field))
                edit.setTabChangesFocus(True)
                edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 3 + 14)
            else:
                edit = QLineEdit(_shown(brand, field))
                edit.setPlaceholderText(HINTS.get(field, ""))
            if field in TEXTS and field in HINTS:
                edit.setPlaceholderText(HINTS[field])
            edit.setObjectName(f"brand:{field}")
            error = QLabel()
            error.setStyleSheet("color: #C62828;")
            error.setWordWrap(True)
            error.setVisible(False)
            holder = QWidget()
            box = QVBoxLayout(holder)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(1)
            box.addWidget(edit)
            box.addWidget(error)
            form.addRow(labelled(LABELS[field] + ":", edit), holder)
            self.edits[field] = edit
            self.errors[field] = error
        logo_row = QHBoxLayout()
        self.logo_preview = QLabel()
        self.logo_preview.setFixedSize(96, 48)
        self.logo_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.logo_preview.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._show_logo(logo_bytes)
        self.logo_button = QPushButton("Choose &logo…")
        self.logo_button.clicked.connect(self._choose_logo)
        self.logo_path: Path | None = None
        logo_row.addWidget(self.logo_preview)
        logo_row.addWidget(self.logo_button)
        logo_row.addStretch(1)
        # A logo that cannot be read is said under the logo, and stays said until another is chosen
        # (OK keeps the logo there was, with the other changes).
        self.logo_error = QLabel()
        self.logo_error.setStyleSheet("color: #C62828;")
        self.logo_error.setWordWrap(True)
        self.logo_error.setVisible(False)
        logo_holder = QWidget()
        logo_box = QVBoxLayout(logo_holder)
        logo_box.setContentsMargins(0, 0, 0, 0)
        logo_box.setSpacing(1)
        logo_box.addLayout(logo_row)
        logo_box.addWidget(self.logo_error)
        form.addRow(labelled("Logo:", self.logo_button), logo_holder)
        # The fields scroll when the screen is too short for them all; OK and Cancel stay in sight.
        self.scroll = scrolling(body)
        layout.addWidget(self.scroll, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        margins = layout.contentsMargins()
        want = wanted_size(self.scroll)
        bar = self.scroll.verticalScrollBar().sizeHint().width()  # room for it, should the fields scroll
        fit_to_screen(self, want.width() + bar + margins.left() + margins.right(),
                      want.height() + layout.spacing() + self.buttons.sizeHint().height()
                      + margins.top() + margins.bottom())

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.DevicePixelRatioChange:  # moved to a screen of another density
            self._show_logo(self._logo_data)

    def _show_logo(self, data: bytes | None) -> None:
        self._logo_data = data
        pixmap = QPixmap()
        if data and pixmap.loadFromData(data):
            # Drawn at the screen's own pixels: scaled to 96×48 points times the pixel ratio, not
            # 96×48 pixels stretched on a high-density screen (blurred).
            ratio = self.logo_preview.devicePixelRatioF()
            box = self.logo_preview.size()
            shown = pixmap.scaled(round(box.width() * ratio), round(box.height() * ratio),
                                  Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
            shown.setDevicePixelRatio(ratio)
            self.logo_preview.setPixmap(shown)
        else:
            self.logo_preview.setText("no logo")

    def ask_logo_path(self) -> Path | None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose the logo", "", "Images (*.png *.jpg *.jpeg)")
        return Path(path) if path else None

    def _choose_logo(self) -> None:
        path = self.ask_logo_path()
        if path is None:
            return
        try:
            data = read_logo(path)  # as the kit will read it: a pipe or /dev/zero is refused, not read for ever
        except UserError as exc:
            self.logo_error.setText(str(exc))
            self.logo_error.setVisible(True)
            QTimer.singleShot(0, self, lambda: self.scroll.ensureWidgetVisible(self.logo_error))  # once laid out
            return
        self.logo_error.setVisible(False)
        self.logo_path = path
        self._show_logo(data)

    def typed(self) -> dict[str, str]:
        out = {}
        for field, edit in self.edits.items():
            text = edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text()
            if text.strip() != _shown(self.brand, field).strip():
                out[field] = text
        if self.logo_path is not None:
            out["logo"] = str(self.logo_path)
        return out

    def accept(self) -> None:
        wanted = self.typed()
        problems = {f: p for f, text in wanted.items() if (p := self.check(f, text))}
        for field, label in self.errors.items():
            label.setText(problems.get(field, ""))
            label.setVisible(field in problems)
        if problems:
            return
        self.changes = wanted
        super().accept()
