"""Edit › Preferences: the workspace's settings in one dialog, stored as one undoable step.

The dialog only asks: it shows the values the workspace reads now, checks each
as it is typed with the setting's own parser (``core.settings``), keeps OK
off while any is refused, and hands back ``setting key -> text`` for
``Operations.change_preferences``.  Its General tab holds the business and
matching settings; its Campaigns tab the guards every campaign step passes
(frequency caps, quiet hours, unknown consent) and the days a result counts for.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from omnidesk.core.channels import channel_name
from omnidesk.core.identity.scoring import Model, confidence_words
from omnidesk.core.settings import (
    THRESHOLD_DECIMALS,
    THRESHOLD_LEAST,
    THRESHOLD_MOST,
    check_quiet_hours,
    check_setting,
    check_thresholds,
    trust_order,
)
from omnidesk.ui.accessible import labelled
from omnidesk.ui.dialogs.workspace_basics import (
    BASICS,
    WARNING_COLOR,
    Basics,
    BasicsForm,
    error_label,
    field_with_error,
    grow_to_fit,
    say_problems,
)
from omnidesk.ui.widgets.screen_fit import fit_to_screen, room, scrolling

NOT_RERUN = ("Changing these applies to the next import or Find Duplicates: customers already "
             "merged, and pairs already waiting in Review, stay as they are.")


class TrustList(QWidget):
    """The channels in the order their names are trusted, moved with Move Up / Move Down."""

    CodeRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, codes: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setObjectName("channelTrust")
        self.list.setAccessibleName("Whose names come first")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setToolTip("When a customer's records disagree on a name or birthday, the card shows "
                             "the one from the channel highest in this list")
        for code in codes:
            item = QListWidgetItem(channel_name(code))
            item.setData(self.CodeRole, code)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        # As tall as its rows (up to ten, then it scrolls), not Qt's fixed default.
        fit = self.list.sizeHintForRow(0) * min(max(len(codes), 4), 10) + 2 * self.list.frameWidth() + 4
        self.list.setMinimumHeight(fit)
        self.list.setMaximumHeight(fit)
        self.up_button = QPushButton("Move &Up")
        self.up_button.setObjectName("moveUp")
        self.down_button = QPushButton("Move &Down")
        self.down_button.setObjectName("moveDown")
        self.up_button.clicked.connect(lambda: self.move(-1))
        self.down_button.clicked.connect(lambda: self.move(1))
        self.list.currentRowChanged.connect(self._update_buttons)
        buttons = QVBoxLayout()
        buttons.addWidget(self.up_button)
        buttons.addWidget(self.down_button)
        buttons.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.list, 1)
        row.addLayout(buttons)
        self._update_buttons()

    def codes(self) -> list[str]:
        return [self.list.item(i).data(self.CodeRole) for i in range(self.list.count())]

    def move(self, by: int) -> None:
        row = self.list.currentRow()
        to = row + by
        if row < 0 or not 0 <= to < self.list.count():
            return
        item = self.list.takeItem(row)
        self.list.insertItem(to, item)
        self.list.setCurrentRow(to)

    def _update_buttons(self) -> None:
        row = self.list.currentRow()
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < self.list.count() - 1)


def _threshold_box(value: float, name: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setObjectName(name)
    # The limits ``omnidesk settings`` checks: what one stores, the other shows.
    box.setDecimals(THRESHOLD_DECIMALS)
    box.setRange(THRESHOLD_LEAST, THRESHOLD_MOST)
    box.setSingleStep(0.5)
    box.setSuffix(" bits")
    box.setValue(float(value))
    box.setAccelerated(True)
    return box


def _odds(bits: float) -> str:
    return f"about {2 ** bits:,.0f} to 1 for one person" if bits < 40 else "far beyond any doubt"


# The guards every campaign step passes, and the days a result counts for: the settings
# ``omnidesk settings`` changes one at a time, checked here by the same parsers.
CAMPAIGN_KEYS = ("cap_messages", "cap_email", "cap_sms", "cap_days", "quiet_start", "quiet_end",
                 "quiet_hours_action", "send_unknown_email", "send_unknown_sms", "soft_opt_in", "attribution_days")
CONSENT_KEYS = ("send_unknown_email", "send_unknown_sms", "soft_opt_in")
QUIET_ACTIONS = (("move", "waits until they end"), ("exclude", "is not sent"))
# The field each setting key names in the core's sentences, as its label here reads.
_FIELD_WORDS = {"quiet_start": "quiet from", "quiet_end": "quiet until"}


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _note(text: str = "") -> QLabel:
    """What a field does, in a line or two under it: read with the field, not a field itself."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


class CampaignForm(QWidget):
    """The campaign guards: frequency caps, quiet hours for texts, who is sent anything while their
    consent is unknown, and the days an order counts as a campaign's result.

    Each typed value is checked as it is typed with the setting's own parser, the sentence it
    refuses with shown under the field; :meth:`texts` is ``setting key -> text`` for the values
    changed here only, so an untouched form changes nothing (a consent box is never turned on by
    saving).  ``validityChanged(bool)`` after every edit.
    """

    validityChanged = Signal(bool)

    def __init__(self, values: dict[str, object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("campaignSettings")
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self.notes: dict[str, QLabel] = {}
        self.shown: dict[str, object] = {}

        caps = QGroupBox("How often one customer hears from you")
        caps_form = self._form(caps)
        for key, words, unit in (("cap_messages", "&All messages:", "per customer"),
                                 ("cap_email", "&Emails:", "per customer"),
                                 ("cap_sms", "Te&xts (SMS):", "per customer"),
                                 ("cap_days", "Counted &within:", "days")):
            self._typed(caps_form, key, words, unit, values)
        self.notes["cap_days"].setText("The days the caps above count over. Messages already exported, in "
                                       "any campaign, count.")

        quiet = QGroupBox("Quiet hours for text messages")
        quiet_form = self._form(quiet)
        self._typed(quiet_form, "quiet_start", "&Quiet from:", "", values,
                    "No text message goes out from this time of day, on each customer's own clock "
                    "(hours and minutes, such as 21:00).")
        self._typed(quiet_form, "quiet_end", "Qu&iet until:", "", values,
                    "…until this time, such as 08:00. Quiet hours may run past midnight.")
        self.action_combo = QComboBox()
        self.action_combo.setObjectName("quiet_hours_action")
        for code, words in QUIET_ACTIONS:
            self.action_combo.addItem(words, code)
        action = str(values.get("quiet_hours_action") or "move")
        self.action_combo.setCurrentIndex(max(self.action_combo.findData(action), 0))
        self.shown["quiet_hours_action"] = self.action_combo.currentData()
        self.notes["quiet_hours_action"] = _note("A text planned inside quiet hours goes out when they end, or is "
                                                 "left out of that step.")
        self._describe(self.action_combo, self.notes["quiet_hours_action"].text())
        action_row = QWidget()
        action_line = QHBoxLayout(action_row)
        action_line.setContentsMargins(0, 0, 0, 0)
        action_line.addWidget(self.action_combo)
        action_line.addStretch(1)
        cell = QWidget()
        column = QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(action_row)
        column.addWidget(self.notes["quiet_hours_action"])
        quiet_form.addRow(labelled("In quiet &hours, a text:", self.action_combo), cell)

        consent = QGroupBox("Customers whose consent is unknown")
        consent_layout = QVBoxLayout(consent)
        safe = _note("Left off, only customers who said yes are sent emails or texts. Nobody who said no, or "
                     "never confirmed a sign-up, is sent anything, whatever is ticked here.")
        consent_layout.addWidget(safe)
        self.checks: dict[str, QCheckBox] = {}
        self.warnings: dict[str, QLabel] = {}
        for key, words, note in (
                ("send_unknown_email", "Email people whose consent is un&known",
                 "On: people who never said yes or no to email get campaign emails too."),
                ("send_unknown_sms", "&Send texts to people whose consent is unknown",
                 "On: people who never said yes or no to texts get campaign texts too."),
                ("soft_opt_in", "Email past &buyers whose consent is unknown (EU soft opt-in)",
                 "On: customers who have ordered from you and never said yes or no to email get campaign "
                 "emails about similar products, as the EU's soft opt-in allows.")):
            box = QCheckBox(words)
            box.setObjectName(key)
            # What the guards read now (a stored value they take for yes shows ticked); off unless set.
            self.shown[key] = bool(values.get(key))
            box.setChecked(self.shown[key])
            self.notes[key] = _note(note)
            self._describe(box, note)
            warning = QLabel("Ticked: make sure the law where you sell allows messages to people who never "
                             "agreed to them.")
            warning.setObjectName(f"{key}Warning")
            warning.setWordWrap(True)
            warning.setStyleSheet(f"color: {WARNING_COLOR};")
            self.checks[key], self.warnings[key] = box, warning
            block = QVBoxLayout()
            block.setSpacing(2)
            block.addWidget(box)
            block.addWidget(self.notes[key])
            block.addWidget(warning)
            consent_layout.addLayout(block)
            box.toggled.connect(self.check)
        consent_layout.addStretch(1)

        results = QGroupBox("Campaign results")
        results_form = self._form(results)
        self._typed(results_form, "attribution_days", "Credit orders &placed within:", "days", values,
                    "An order placed within this many days after a campaign's step went out counts as that "
                    "campaign's result.")

        left = QVBoxLayout()
        left.addWidget(caps)
        left.addWidget(quiet)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(consent)
        right.addWidget(results)
        right.addStretch(1)
        self.columns = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.columns.setContentsMargins(0, 0, 0, 0)
        self.columns.addLayout(left, 1)
        self.columns.addLayout(right, 1)

        for edit in self.edits.values():
            edit.textChanged.connect(self.check)
        self.action_combo.currentIndexChanged.connect(self.check)
        self.check()

    @staticmethod
    def _form(group: QGroupBox) -> QFormLayout:
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        return form

    @staticmethod
    def _describe(field: QWidget, text: str) -> None:
        field.setToolTip(text)
        field.setAccessibleDescription(text)

    def _typed(self, form: QFormLayout, key: str, words: str, unit: str, values: dict[str, object],
               note: str = "") -> None:
        """A short box for ``key``'s value, ``unit`` after it, its error and what it does under it."""
        value = values.get(key)
        edit = QLineEdit("" if value is None else str(value))
        edit.setObjectName(key)
        # Wide enough for the longest value taken (10,000; 3,660 days; 21:00) with room to spare.
        edit.setMaximumWidth(edit.fontMetrics().horizontalAdvance("0" * 8) + 24)
        self.shown[key] = edit.text()
        self.edits[key] = edit
        self.errors[key] = error_label(f"{key}Error")
        self.notes[key] = _note(note)
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(edit)
        if unit:
            line.addWidget(QLabel(unit))
        line.addStretch(1)
        cell = field_with_error(row, self.errors[key])
        cell.layout().addWidget(self.notes[key])
        form.addRow(labelled(words, edit), cell)

    def texts(self) -> dict[str, str]:
        """``setting key -> text`` for each value changed here (an empty box: the default)."""
        texts = {key: edit.text() for key, edit in self.edits.items() if edit.text() != self.shown[key]}
        if self.action_combo.currentData() != self.shown["quiet_hours_action"]:
            texts["quiet_hours_action"] = self.action_combo.currentData()
        for key, box in self.checks.items():
            if box.isChecked() != self.shown[key]:
                texts[key] = "yes" if box.isChecked() else "no"
        return texts

    def problems(self) -> dict[str, str]:
        """``key -> sentence`` for each value the setting's parser refuses, as ``omnidesk settings``
        refuses it; quiet hours that end when they start, under the time changed."""
        found: dict[str, str] = {}
        read: dict[str, object] = {}
        for key, edit in self.edits.items():
            try:
                read[key] = check_setting(key, edit.text())
            except ValueError as exc:
                found[key] = _sentence(str(exc))
        if not found.keys() & set(_FIELD_WORDS):
            edited = [key for key in _FIELD_WORDS if self.edits[key].text() != self.shown[key]]
            try:
                check_quiet_hours(read["quiet_start"], read["quiet_end"])
            except ValueError as exc:
                text = str(exc)
                for key, words in _FIELD_WORDS.items():
                    text = text.replace(key, words)
                found[edited[0] if len(edited) == 1 else "quiet_end"] = _sentence(text)
        return found

    def check(self) -> bool:
        problems = self.problems()
        say_problems(self.errors, problems)
        for key, warning in self.warnings.items():
            warning.setVisible(self.checks[key].isChecked())
        try:
            days = f"{check_setting('cap_days', self.edits['cap_days'].text()):,}"
        except ValueError:
            days = "so many"
        for key, what in (("cap_messages", "messages to one customer in any {} days, every campaign and channel "
                                           "together. 0: no cap."),
                          ("cap_email", "emails to one customer in any {} days. 0: no cap of their own."),
                          ("cap_sms", "text messages to one customer in any {} days. 0: no cap of their own.")):
            text = "At most this many " + what.format(days)
            self.notes[key].setText(text)
            self._describe(self.edits[key], text)
        for key in ("cap_days", "quiet_start", "quiet_end", "attribution_days"):
            self._describe(self.edits[key], self.notes[key].text())
        self.validityChanged.emit(not problems)
        return not problems


class PreferencesDialog(QDialog):
    """The workspace's settings; after ``accept()``, :meth:`texts` is what to store."""

    def __init__(self, values: dict[str, object], machine: Basics, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        basics = Basics(**{key: str(values.get(key) or "") for key in BASICS})
        # The business's settings as read when the dialog opened: one changed here that another
        # window or the command line changed meanwhile is refused rather than overwritten.
        self.read = {key: values[key] for key in BASICS if key in values}

        # Built from the dialog down, each part made in its place: a widget moved into another
        # is styled again with all it holds (the app has a style sheet), and the lists of every
        # region, zone and currency, styled again at each of seven levels, took about a fifth of
        # the time the dialog took to build.
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("preferencesTabs")
        layout.addWidget(self.tabs, 1)
        # Side by side where the screen is wide enough for both, one above the other where it is
        # not; either way the settings scroll inside the dialog and OK / Cancel stay in sight.
        body = QWidget()
        self.columns = QBoxLayout(QBoxLayout.Direction.LeftToRight, body)
        self.columns.setContentsMargins(0, 0, 0, 0)
        left = QVBoxLayout()
        self.columns.addLayout(left, 1)
        self.scroll = scrolling(body)
        self.tabs.addTab(self.scroll, "&General")

        business = QGroupBox("Your business")
        left.addWidget(business)
        self.basics = BasicsForm(basics, machine, business)
        QVBoxLayout(business).addWidget(self.basics)

        # Channels of the user's own follow the default ones; they are stored only once the
        # order is changed, since naming them at all ranks them (unnamed ones tie, newest first).
        self.trust_shown = trust_order(values.get("channel_trust"))
        self.trust = TrustList(self.trust_shown)
        names = QGroupBox("Whose names come first")
        names_layout = QVBoxLayout(names)
        trust_words = QLabel("When one person's records disagree on a name or a birthday, the card shows the "
                             "one from the channel highest in this list. A new order updates every merged "
                             "customer's card when you press OK.")
        trust_words.setWordWrap(True)
        names_layout.addWidget(trust_words)
        names_layout.addWidget(self.trust)
        names_layout.addStretch(1)

        self.auto_box = _threshold_box(values.get("match_auto_threshold", Model().auto_threshold), "autoThreshold")
        self.review_box = _threshold_box(values.get("match_review_threshold", Model().review_threshold),
                                         "reviewThreshold")
        # Stored only once changed: a value stored before (with more decimals than the boxes show,
        # or below their least) stays as it is when OK is pressed for another setting.
        self.thresholds_shown = (self.auto_box.value(), self.review_box.value())
        self.auto_odds = QLabel()
        self.review_odds = QLabel()
        for odds in (self.auto_odds, self.review_odds):
            odds.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # the number's meaning, not a field
            odds.setWordWrap(True)  # a line of its own under a large font, not a wider dialog
        self.threshold_error = error_label("thresholdError")
        matching = QGroupBox("Matching customers")
        explain = QLabel("Omnidesk weighs what two records agree on (email, phone, name, address) as bits of "
                         "evidence: each bit doubles the odds that they are one person. From the first number "
                         "up, two records become one customer by themselves; from the second, the pair waits "
                         "in Review for you to decide; below it they stay apart.")
        explain.setWordWrap(True)
        self.words = QLabel()
        self.words.setObjectName("confidenceWords")
        self.words.setWordWrap(True)
        not_rerun = QLabel(NOT_RERUN)
        not_rerun.setObjectName("notRerun")
        not_rerun.setWordWrap(True)
        form = QFormLayout()
        auto_label = labelled("Merge by &themselves from:", self.auto_box)
        review_label = labelled("Ask in Re&view from:", self.review_box)
        form.addRow(auto_label, self._with_note(self.auto_box, self.auto_odds))
        form.addRow(review_label, field_with_error(self._with_note(self.review_box, self.review_odds),
                                                   self.threshold_error))
        matching_layout = QVBoxLayout(matching)
        matching_layout.addWidget(explain)
        matching_layout.addLayout(form)
        matching_layout.addWidget(self.words)
        matching_layout.addWidget(not_rerun)
        matching_layout.addStretch(1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        left.addWidget(names, 1)
        self.columns.addWidget(matching, 1)
        # The campaign guards on a tab of their own: with the settings above they would not fit
        # a small laptop's screen without a long scroll.
        self.campaigns = CampaignForm(values)
        self.campaign_scroll = scrolling(self.campaigns)
        self.tabs.addTab(self.campaign_scroll, "Ca&mpaigns")
        layout.addWidget(self.buttons)

        self.basics.validityChanged.connect(self._update_ok)
        self.campaigns.validityChanged.connect(self._update_ok)
        grow_to_fit(self)
        self.auto_box.valueChanged.connect(self._thresholds_changed)
        self.review_box.valueChanged.connect(self._thresholds_changed)
        self._thresholds_changed()
        self.basics.name_edit.setFocus()

        margins = layout.contentsMargins()
        pages = QSize(0, 0)
        for page in (self.scroll, self.campaign_scroll):
            pages = pages.expandedTo(page.sizeHint())
        tab_frame = self.tabs.sizeHint() - pages  # the tab bar and the frame around the pages
        around = margins.left() + margins.right() + 2 * self.scroll.frameWidth() + max(tab_frame.width(), 0)
        bodies = (body, self.campaigns)
        most = room(self)
        width = max(*(b.sizeHint().width() for b in bodies), 860) + around
        if most is not None and max(b.minimumSizeHint().width() for b in bodies) + around > most.width():
            self.columns.setDirection(QBoxLayout.Direction.TopToBottom)
            self.campaigns.columns.setDirection(QBoxLayout.Direction.TopToBottom)
            width = max(max(b.sizeHint().width() for b in bodies) + around, min(860, most.width()))
        inner = width - around
        tall = max(self._height_at(self.columns, body, inner), self._height_at(self.campaigns.columns,
                                                                                 self.campaigns, inner))
        height = (tall + 2 * self.scroll.frameWidth() + max(tab_frame.height(), 0) + layout.spacing()
                  + self.buttons.sizeHint().height() + margins.top() + margins.bottom())
        fit_to_screen(self, width, height)

    @staticmethod
    def _height_at(columns: QBoxLayout, body: QWidget, width: int) -> int:
        return columns.totalHeightForWidth(width) if columns.hasHeightForWidth() else body.sizeHint().height()

    @staticmethod
    def _with_note(box: QDoubleSpinBox, note: QLabel) -> QWidget:
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(box)
        line.addWidget(note, 1)
        return row

    def texts(self) -> dict[str, str]:
        """``setting key -> text`` for every setting the dialog shows (the trust order, the
        thresholds and the campaign guards once changed)."""
        texts = self.basics.texts()
        texts.update(self.campaigns.texts())
        for key, box, shown in (("match_auto_threshold", self.auto_box, self.thresholds_shown[0]),
                                ("match_review_threshold", self.review_box, self.thresholds_shown[1])):
            if box.value() != shown:
                texts[key] = f"{box.value():g}"
        if self.trust.codes() != self.trust_shown:
            texts["channel_trust"] = ", ".join(self.trust.codes())
        return texts

    def threshold_problem(self) -> str:
        try:
            check_thresholds(self.auto_box.value(), self.review_box.value())
        except ValueError as exc:
            text = str(exc)
            return text[:1].upper() + text[1:] + "."
        return ""

    def _thresholds_changed(self) -> None:
        auto, review = self.auto_box.value(), self.review_box.value()
        self.auto_odds.setText(_odds(auto))
        self.review_odds.setText(_odds(review))
        self.auto_box.setAccessibleDescription(self.auto_odds.text())
        self.review_box.setAccessibleDescription(self.review_odds.text())
        problem = self.threshold_problem()
        self.threshold_error.setText(problem)
        self.threshold_error.setVisible(bool(problem))
        self.words.setVisible(not problem)
        if not problem:
            model = Model(auto_threshold=auto, review_threshold=review)
            steps = [(confidence_words(bits, model), bits) for bits in (auto, (auto + review) / 2, review)]
            self.words.setText("Review calls a pair " + ", ".join(
                f"“{words}” from {bits:g} bits" for words, bits in steps) + f", and “{confidence_words(0, model)}” "
                "below.")
        self._update_ok()

    def _update_ok(self, *_args) -> None:
        self.ok_button.setEnabled(not self.basics.problems() and not self.threshold_problem()
                                  and not self.campaigns.problems())
