"""The editor's parts: the master form and one channel's variant panel (fields, stale banner,
and the check and Save button the screen shows under them)."""

from __future__ import annotations

import html

from PySide6.QtCore import QDate, QEvent, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPalette, QTextCursor
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from omnidesk.core.messages.derive import (CHANNEL_LABELS, FIELD_LABELS, MASTER_FIELDS, PER_PERSON, VARIANT_FIELDS,
                                           where_label)
from omnidesk.core.messages.store import MessageData, Variant
from omnidesk.ui.widgets.buttons import enter_presses
from omnidesk.ui.widgets.date_fields import DateBox

MASTER_LABELS = {"image": "&Image", "headline": "Hea&dline", "body": "&Body", "offer_value": "Offer",
                 "offer_code": "Offer &code",
                 "offer_expires": "Offer ends", "cta": "Call to &action", "link": "&Link"}
LONG_FIELDS = {"body", "text"}
DIFF_STYLE = {"-": "background:#FDE2E1;color:#8A1C1C;text-decoration:line-through;",
              "+": "background:#DDF4E4;color:#14532D;", "=": ""}


def select_words(edit, start: int | None, end: int | None) -> None:
    """Put the keyboard in ``edit`` (a line or a text box) with the characters ``start``–``end``
    selected, where a finding about them points (none given: the field alone).  The positions are
    in the field's value as checked, without its leading blank lines and spaces, counted in
    characters; the box counts from its first space, an emoji as two places."""
    edit.setFocus()
    if start is None:
        return
    text = edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text()
    lead = len(text) - len(text.lstrip())

    def place(at: int) -> int:  # a character of the value as checked, as the box counts it
        return len(text[:lead + at].encode("utf-16-le")) // 2

    first, last = place(start), place(end if end is not None else start)
    if isinstance(edit, QPlainTextEdit):
        cursor = edit.textCursor()
        cursor.setPosition(first)
        cursor.setPosition(last, QTextCursor.MoveMode.KeepAnchor)
        edit.setTextCursor(cursor)
    else:
        edit.setSelection(first, last - first)


def rows_high(listing: QListWidget) -> int:
    """The height of a word-wrapped list's rows laid out at its width without a scroll bar, each
    at least a line: ``sizeHintForRow`` measures a row as if it never wrapped, so a finding over
    two lines was given one and cut in half, with nothing to scroll."""
    line = listing.fontMetrics().height()
    option = QStyleOptionViewItem()
    listing.initViewItemOption(option)
    option.rect = QRect(0, 0, max(1, listing.width() - 2 * listing.frameWidth() - 2 * listing.spacing()), 1)
    delegate, model = listing.itemDelegate(), listing.model()
    return sum(max(delegate.sizeHint(option, model.index(i, 0)).height(), listing.sizeHintForRow(i), line)
               + 2 * listing.spacing() for i in range(listing.count()))


def _lines_high(edit: QPlainTextEdit, lines: int) -> int:
    return edit.fontMetrics().lineSpacing() * lines + 14


def _text_edit(height_lines: int) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)  # Tab leaves the box, as in every other field
    edit.setFixedHeight(_lines_high(edit, height_lines))
    return edit


class _GrowingText(QPlainTextEdit):
    """A text box ``lines`` high that takes the height its panel has to spare (a tall window
    shows more of a long email's body), and never asks for more than its lines."""

    def __init__(self, lines: int) -> None:
        super().__init__()
        self.setTabChangesFocus(True)
        self._height = _lines_high(self, lines)
        self.setMinimumHeight(self._height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._height)

    def minimumSizeHint(self) -> QSize:
        return QSize(super().minimumSizeHint().width(), self._height)


class MasterForm(QWidget):
    """The master message's fields; ``changed`` as the user types."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.edits: dict[str, QLineEdit | QPlainTextEdit] = {}
        for f in MASTER_FIELDS:
            if f == "offer_expires":
                row = QHBoxLayout()
                self.expires_on = QCheckBox("ends on")
                self.expires = DateBox()
                self.expires.setCalendarPopup(True)
                self.expires.setDisplayFormat("d MMM yyyy")
                self.expires.setEnabled(False)
                self.expires_on.toggled.connect(self.expires.setEnabled)
                self.expires_on.toggled.connect(self.changed)
                self.expires.dateChanged.connect(self.changed)
                # Said beside the date as it is picked: an offer already over (the message check's warning).
                self.ended = QLabel()
                self.ended.setObjectName("master:offer_ended")
                self.ended.setStyleSheet("color: #8A5300;")
                self.ended.hide()
                self.expires_on.toggled.connect(self._check_ended)
                self.expires.dateChanged.connect(self._check_ended)
                row.addWidget(self.expires_on)
                row.addWidget(self.expires)
                row.addWidget(self.ended)
                row.addStretch(1)
                form.addRow(MASTER_LABELS[f] + ":", row)
                continue
            edit = _text_edit(4) if f == "body" else QLineEdit()
            edit.setObjectName(f"master:{f}")
            edit.textChanged.connect(self.changed)
            self.edits[f] = edit
            form.addRow(MASTER_LABELS[f] + ":", edit)
            if f == "link":
                # Said under the field as it is typed: a link no variant can carry.
                self.link_problem = QLabel()
                self.link_problem.setWordWrap(True)
                self.link_problem.setStyleSheet("color: #B3261E;")
                self.link_problem.hide()
                form.addRow("", self.link_problem)
                edit.textChanged.connect(self._check_link)
        self.edits["link"].setPlaceholderText("https://…  (tagged per channel for your analytics)")
        self.edits["offer_value"].setPlaceholderText("e.g. 20% off")  # grey "20% off" read as typed in
        self.edits["image"].setPlaceholderText("https://… a picture the posts and the email show (optional)")

    # The shop's clock, on which the offer's last day ends (set by the screen from the workspace).
    offer_zone = None

    def _check_ended(self, *_args) -> None:
        from datetime import UTC, datetime

        from omnidesk.core.messages.offer import offer_ended

        expires = self.expires.date().toString("yyyy-MM-dd") if self.expires_on.isChecked() else ""
        finding = offer_ended({"offer_expires": expires}, datetime.now(UTC), self.offer_zone)
        self.ended.setText("⚠ this offer has ended" if finding is not None else "")
        self.ended.setToolTip(finding.message[:1].upper() + finding.message[1:] + "." if finding is not None else "")
        self.ended.setVisible(finding is not None)

    def _check_link(self, text: str) -> None:
        from omnidesk.core.messages.links import link_problem

        problem = link_problem(text.strip()) if text.strip() else None
        self.link_problem.setText(problem or "")
        self.link_problem.setVisible(problem is not None)

    def set_values(self, master: dict[str, str]) -> None:
        self.blockSignals(True)
        for f, edit in self.edits.items():
            value = master.get(f, "")
            if isinstance(edit, QPlainTextEdit):
                edit.setPlainText(value)
            else:
                edit.setText(value)
        expires = master.get("offer_expires", "")
        self.expires_on.setChecked(bool(expires))
        self.expires.setDate(QDate.fromString(expires, "yyyy-MM-dd") if expires else QDate.currentDate())
        self.blockSignals(False)
        self._check_link(self.edits["link"].text())
        self._check_ended()

    def values(self) -> dict[str, str]:
        out = {f: (e.toPlainText() if isinstance(e, QPlainTextEdit) else e.text()).strip()
               for f, e in self.edits.items()}
        out["offer_expires"] = self.expires.date().toString("yyyy-MM-dd") if self.expires_on.isChecked() else ""
        return out


def counter_text(channel: str, stats: dict, measured_on: str = "", previewed: dict | None = None) -> str:
    """"154 characters · 1 segment (room for 160) · GSM-7" for an SMS, "237 / 2,200" for a post,
    "" without stats.  An SMS's limit is what its segments hold (67 a part in UCS-2, so 268 for
    four): said as such, since "228 / 268" read as a limit nobody had set.

    ``measured_on``: whom the stats measure (lint.sample_words); ``previewed``: the stats of the
    preview when it is for someone else (a customer picked), said beside them, never instead."""
    if not stats:
        return ""
    if "segments" in stats:
        n = stats["segments"]
        text = (f"{stats.get('length', 0):,} characters · {n} segment{'s' if n != 1 else ''} "
                f"(room for {stats.get('limit', 0):,}) · {stats['encoding']}")
        what = ""
    else:
        text = f"{stats.get('length', 0):,} / {stats.get('limit', 0):,}"
        what = {"email": " characters in the subject", "store": " characters in the headline",
                "website": " characters"}.get(channel, "")
    # A post, the poster and the banner are measured as published: no customer's values.
    if channel not in PER_PERSON:
        return text + what + " (as everyone sees it)"
    on = measured_on or "the longest of the sampled customers"
    if previewed is not None:
        on += f"; this preview: {previewed.get('length', 0):,}"
    return text + what + f" ({on})"


def diff_html(changes: dict[str, list[tuple[str, str]]]) -> str:
    """The master's changes a stale variant has not taken in, as marked-up words."""
    lines = []
    for field, parts in changes.items():
        words = " ".join(f'<span style="{DIFF_STYLE[tag]}">{html.escape(text)}</span>' for tag, text in parts if text)
        lines.append(f"<b>{html.escape(MASTER_LABELS.get(field, field).replace('&', ''))}:</b> {words}")
    return "<br>".join(lines)


class VariantPanel(QWidget):
    """One channel's variant: its fields, and when the master moved on, what changed and what to do."""

    saveRequested = Signal(str, dict)  # channel, fields
    edited = Signal(str)  # channel: typed in, the check runs again
    resyncRequested = Signal(str)
    keepRequested = Signal(str)

    def __init__(self, channel: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.channel = channel
        # The fields and the check on the left, the preview on the right when there is room
        # (below them in a narrow window): see resizeEvent.
        self.columns = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        layout = QVBoxLayout()
        self.columns.addLayout(layout)
        self.stale = QFrame()
        self.stale.setObjectName("staleBanner")
        self.stale.setStyleSheet("QFrame#staleBanner { background: #FFF4CE; border: 1px solid #E0C36A; "
                                 "border-radius: 4px; }")
        banner = QVBoxLayout(self.stale)
        self.stale_text = QLabel()
        self.stale_text.setWordWrap(True)
        self.stale_text.setTextFormat(Qt.TextFormat.RichText)
        buttons = QHBoxLayout()
        self.resync_button = QPushButton("&Re-sync from master")
        self.resync_button.setToolTip("Make this variant again from the master as it is now (your edits here go; "
                                      "History keeps them)")
        self.keep_button = QPushButton("&Keep as it is")
        self.keep_button.setToolTip("This variant stays as written; it is in step with the master from now on")
        self.resync_button.clicked.connect(lambda: self.resyncRequested.emit(self.channel))
        self.keep_button.clicked.connect(lambda: self.keepRequested.emit(self.channel))
        enter_presses(self.resync_button, self.keep_button)
        buttons.addWidget(self.resync_button)
        buttons.addWidget(self.keep_button)
        buttons.addStretch(1)
        banner.addWidget(self.stale_text)
        banner.addLayout(buttons)
        # Never squeezed below its text and buttons in a short window (the editor scrolls instead).
        self.stale.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        layout.addWidget(self.stale)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.edits: dict[str, QLineEdit | QPlainTextEdit] = {}
        for f in VARIANT_FIELDS[channel]:
            edit = _GrowingText(6) if f in LONG_FIELDS else QLineEdit()
            edit.setObjectName(f"{channel}:{f}")
            edit.textChanged.connect(self._typed)
            self.edits[f] = edit
            form.addRow(FIELD_LABELS[f] + ":", edit)
        # The long text takes the spare height; without one, it goes below the check.
        grows = any(f in LONG_FIELDS for f in VARIANT_FIELDS[channel])
        layout.addLayout(form, 1 if grows else 0)
        if not grows:
            layout.addStretch(1)  # spare height goes below, not between the parts
        self.extra = QVBoxLayout()  # previews go here
        self.columns.addLayout(self.extra)
        # The check, live, and the Save button are not in the panel but in ``footer`` and
        # ``save_button``, which the screen keeps under its scrolling editor: below the fields,
        # in a 1024 x 640 window they were out of sight until scrolled to.
        self.footer = QWidget()
        self.footer.setObjectName("variantFooter")
        self.footer.installEventFilter(self)
        check = QVBoxLayout(self.footer)
        check.setContentsMargins(0, 0, 0, 0)
        line = QHBoxLayout()
        self.counter = QLabel()
        self.counter.setObjectName("variantCounter")
        # Wrapped, never wider than its room: with whom it measures and a picked customer's length
        # beside it, an SMS's line ran past a 1024-pixel window and squeezed the list of messages.
        self.counter.setWordWrap(True)
        self.state = QLabel()
        self.state.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        line.addWidget(self.counter, 1)
        line.addWidget(self.state)
        check.addLayout(line)
        # What the rules find, each a click from its place.
        self.findings = QListWidget()
        self.findings.setObjectName("findings")
        self.findings.setAccessibleName("What the check found")
        self.findings.setWordWrap(True)
        self.findings.itemActivated.connect(self._jump)
        self.findings.itemClicked.connect(self._jump)
        check.addWidget(self.findings)
        self.save_button = QPushButton(f"Save {CHANNEL_LABELS[channel]}")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(lambda: self.saveRequested.emit(self.channel, self.values()))
        enter_presses(self.save_button)
        self._shown: dict[str, str] = {}
        self._stats: dict = {}
        self._measured: tuple[str, dict | None] = ("", None)

    def _typed(self) -> None:
        self.save_button.setEnabled(self.values() != self._shown)
        self.edited.emit(self.channel)

    def show_check(self, findings, stats: dict) -> None:
        """The counter and the findings of the check for what is typed now."""
        self.findings.clear()
        for f in findings:
            mark = "✖" if f.severity == "error" else "⚠"
            # Named by its field, as the form labels it: the same words in the preheader and the
            # body are two findings, each a click from its own place.  One about the whole variant
            # is the tab's, which names it.
            where = f"{where_label(self.channel, f.field)}: " if f.field else ""
            item = QListWidgetItem(f"{mark} {where}{f.message}")
            item.setData(Qt.ItemDataRole.UserRole, (f.field, f.start, f.end))
            item.setForeground(QColor("#B3261E" if f.severity == "error" else "#7A5A00"))
            item.setToolTip(f"{f.severity}: {f.code}")
            self.findings.addItem(item)
        if not findings:
            self.findings.addItem(QListWidgetItem("✔ Nothing to fix"))
        self.findings.setVisible(True)
        self._fit_findings()
        self._stats = stats
        self._show_counter()

    def show_checking(self) -> None:
        """Until the check of what is shown lands (it runs off the window's thread)."""
        self.findings.clear()
        self.findings.addItem(QListWidgetItem("Checking…"))
        self.findings.setVisible(True)
        self._fit_findings()

    def show_measured(self, measured_on: str, previewed: dict | None) -> None:
        """Whom the counter measures (the sample) and, when the preview is someone else's, its stats."""
        self._measured = (measured_on, previewed)
        self._show_counter()

    def _show_counter(self) -> None:
        self.counter.setText(counter_text(self.channel, self._stats, *self._measured))

    def _fit_findings(self) -> None:
        """The findings box as tall as its lines (a single "Nothing to fix" took 140 pixels), up
        to an eighth of the window's height (80 pixels at 640, 135 at 1080) and never below
        three lines; more lines scroll.  Again on a resize: wrapped lines change height."""
        if not self.findings.count():
            return
        line = self.findings.fontMetrics().height()
        rows = rows_high(self.findings)  # wrapped rows as tall as they are laid out
        room = max(3 * line, min(140, self.footer.window().height() // 8))
        self.findings.setFixedHeight(min(room, rows) + 2 * self.findings.frameWidth() + 4)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.footer and event.type() == QEvent.Type.Resize:
            self._fit_findings()
        return super().eventFilter(watched, event)

    def _jump(self, item: QListWidgetItem) -> None:
        """To the field a finding names, with the words it is about selected."""
        where = item.data(Qt.ItemDataRole.UserRole)
        if not where:
            return
        field, start, end = where
        select_words(self.edits.get(field) or next(iter(self.edits.values())), start, end)

    def values(self) -> dict[str, str]:
        return {f: (e.toPlainText() if isinstance(e, QPlainTextEdit) else e.text()).strip()
                for f, e in self.edits.items()}

    def show_variant(self, message: MessageData, variant: Variant) -> None:
        for f, edit in self.edits.items():
            edit.blockSignals(True)
            value = variant.fields.get(f, "")
            if isinstance(edit, QPlainTextEdit):
                edit.setPlainText(value)
            else:
                edit.setText(value)
            edit.blockSignals(False)
        self._shown = self.values()
        self.save_button.setEnabled(False)
        self.state.setText("Edited by you" if variant.edited else "Made from the master")
        self.stale.setVisible(variant.stale)
        if variant.stale:
            self.stale_text.setText("<b>The master changed since this variant was made.</b> What it has not "
                                    "taken in:<br>" + diff_html(variant.changes(message.master)))

    WIDE_FROM = 1000  # from this width the preview goes beside the fields, not under them

    def set_wide(self, wide: bool) -> None:
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.columns.direction() != direction:
            self.columns.setDirection(direction)
            # Side by side the fields take three fifths; one above the other each takes its own height.
            self.columns.setStretch(0, 3 if wide else 0)
            self.columns.setStretch(1, 2 if wide else 0)
            self.updateGeometry()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.set_wide(self.width() >= self.WIDE_FROM)
        self._fit_findings()

    def sizeHint(self) -> QSize:
        # The tabs' own size hint is the largest of every page's, shown or not (QTabWidget): a tab
        # not shown (its size policy Ignored, see MessagesView._size_by_shown_tab) asks for no
        # height, so a short tab does not end in the poster's height of blank.
        hint = super().sizeHint()
        if self.sizePolicy().verticalPolicy() == QSizePolicy.Policy.Ignored:
            return QSize(hint.width(), 0)
        return hint

    def has_unsaved(self) -> bool:
        return self.values() != self._shown

    def typed(self) -> dict[str, str]:
        """The fields' text as it sits in the boxes (spaces and blank lines too)."""
        return {f: e.toPlainText() if isinstance(e, QPlainTextEdit) else e.text() for f, e in self.edits.items()}

    def put_typed(self, typed: dict[str, str]) -> None:
        """Back into the boxes, over the variant as stored: unsaved again, its Save on."""
        for f, text in typed.items():
            edit = self.edits.get(f)
            if edit is None:
                continue
            edit.blockSignals(True)
            if isinstance(edit, QPlainTextEdit):
                edit.setPlainText(text)
            else:
                edit.setText(text)
            edit.blockSignals(False)
        self.save_button.setEnabled(self.has_unsaved())
