"""Edit › Preferences: the workspace's settings in one dialog, stored as one undoable step.

The dialog only asks: it shows the values the workspace reads now, checks each
as it is typed with the setting's own parser (``core.settings``), keeps OK
off while any is refused, and hands back ``setting key -> text`` for
``Operations.change_preferences``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from omnidesk.core.channels import channel_name
from omnidesk.core.identity.scoring import Model, confidence_words
from omnidesk.core.settings import (
    THRESHOLD_DECIMALS,
    THRESHOLD_LEAST,
    THRESHOLD_MOST,
    check_thresholds,
    trust_order,
)
from omnidesk.ui.accessible import labelled
from omnidesk.ui.dialogs.workspace_basics import (
    BASICS,
    Basics,
    BasicsForm,
    error_label,
    field_with_error,
    grow_to_fit,
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


class PreferencesDialog(QDialog):
    """The workspace's settings; after ``accept()``, :meth:`texts` is what to store."""

    def __init__(self, values: dict[str, object], machine: Basics, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        basics = Basics(**{key: str(values.get(key) or "") for key in BASICS})
        self.basics = BasicsForm(basics, machine)

        business = QGroupBox("Your business")
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

        left = QVBoxLayout()
        left.addWidget(business)
        left.addWidget(names, 1)
        # Side by side where the screen is wide enough for both, one above the other where it is
        # not; either way the settings scroll inside the dialog and OK / Cancel stay in sight.
        body = QWidget()
        self.columns = QBoxLayout(QBoxLayout.Direction.LeftToRight, body)
        self.columns.setContentsMargins(0, 0, 0, 0)
        self.columns.addLayout(left, 1)
        self.columns.addWidget(matching, 1)
        self.scroll = scrolling(body)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.buttons)

        self.basics.validityChanged.connect(self._update_ok)
        grow_to_fit(self)
        self.auto_box.valueChanged.connect(self._thresholds_changed)
        self.review_box.valueChanged.connect(self._thresholds_changed)
        self._thresholds_changed()
        self.basics.name_edit.setFocus()

        margins = layout.contentsMargins()
        around = margins.left() + margins.right() + 2 * self.scroll.frameWidth()
        most = room(self)
        width = max(body.sizeHint().width(), 860) + around
        if most is not None and body.minimumSizeHint().width() + around > most.width():
            self.columns.setDirection(QBoxLayout.Direction.TopToBottom)
            width = max(body.sizeHint().width() + around, min(860, most.width()))
        inner = width - around
        tall = (self.columns.totalHeightForWidth(inner) if self.columns.hasHeightForWidth()
                else body.sizeHint().height())
        height = (tall + 2 * self.scroll.frameWidth() + layout.spacing() + self.buttons.sizeHint().height()
                  + margins.top() + margins.bottom())
        fit_to_screen(self, width, height)

    @staticmethod
    def _with_note(box: QDoubleSpinBox, note: QLabel) -> QWidget:
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(box)
        line.addWidget(note, 1)
        return row

    def texts(self) -> dict[str, str]:
        """``setting key -> text`` for every setting the dialog shows (the trust order and the
        thresholds once changed)."""
        texts = self.basics.texts()
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
        self.ok_button.setEnabled(not self.basics.problems() and not self.threshold_problem())
