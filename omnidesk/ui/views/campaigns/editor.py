"""The campaign editor: name, goal, message, audience (with its live count), mode and the steps.

The editor only holds what is typed; the screen saves it.  ``values()`` is what
``save_campaign`` takes; ``edited`` fires on every change so the screen can
enable Save, and ``audienceChanged`` when the audience choice moves.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QDateTime, QStringListModel, Qt, QTime, QTimeZone, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from omnidesk.core.messages.derive import CHANNEL_LABELS, VARIANT_CHANNELS
from omnidesk.core.timeutil import canonical_zone, zone_names
from omnidesk.ui.widgets.buttons import enter_presses
from omnidesk.ui.widgets.date_fields import DateTimeBox

# One line each, from the rule guards.py documents.
MODE_LABELS = {"each_channel": "Each channel", "best_channel": "Best channel"}
MODE_HELP = {
    "each_channel": "Everyone in the audience gets every step their consent, address, caps and quiet hours allow.",
    "best_channel": "Each customer gets one personal step: the email or SMS of the channel they use most "
                    "(most events in the 12 months before the first step; ties: the most recent; none: the "
                    "steps' order).",
}
EVERYONE = "everyone"
_FORMAT = "yyyy-MM-ddTHH:mm"
_UTC = QTimeZone(QTimeZone.Initialization.UTC)


def _zones_model() -> QStringListModel:
    return QStringListModel(zone_names())  # the names a plan takes: no "localtime" or posix/ copies


class StepRow:
    """One step's widgets: channel, local date-time, time zone, and the row's buttons."""

    def __init__(self, parent: QWidget, zones: QStringListModel) -> None:
        self.channel = QComboBox(parent)
        for c in VARIANT_CHANNELS:
            self.channel.addItem(CHANNEL_LABELS[c], c)
        self.channel.setAccessibleName("Channel")
        self.channel.setMinimumContentsLength(9)
        self.channel.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.at = DateTimeBox(parent)
        # The date-time is the step's own zone's wall clock: kept in UTC terms so the machine's
        # zone (its DST gaps) never bends a typed 02:30 into 03:30.
        self.at.setTimeZone(_UTC)
        self.at.setDisplayFormat("d MMM yyyy  HH:mm")
        self.at.setCalendarPopup(True)
        self.at.setAccessibleName("Local date and time")
        self.zone = QComboBox(parent)
        self.zone.setEditable(True)
        self.zone.setModel(zones)
        self.zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zone.setMinimumContentsLength(12)
        self.zone.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        completer = QCompleter(zones, self.zone)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.zone.setCompleter(completer)
        self.zone.setAccessibleName("Time zone")
        # Tabbed through, a long name was left showing its end ("ustralia/Lord_Howe"): its start again.
        self.zone.lineEdit().editingFinished.connect(lambda: self.zone.lineEdit().setCursorPosition(0))
        self.note = QLabel(parent)
        self.note.setObjectName("stepNote")
        self.up = QToolButton(parent)
        self.up.setText("↑")
        self.up.setToolTip("Move the step up")
        self.down = QToolButton(parent)
        self.down.setText("↓")
        self.down.setToolTip("Move the step down")
        self.remove = QToolButton(parent)
        self.remove.setText("✕")
        self.remove.setToolTip("Remove the step")
        for button, name in ((self.up, "Move step up"), (self.down, "Move step down"), (self.remove, "Remove step")):
            button.setAccessibleName(name)  # what a screen reader says: not "↑"
        self.exported_at: str | None = None

    def widgets(self) -> list[QWidget]:
        return [self.channel, self.at, self.zone, self.note, self.up, self.down, self.remove]

    def set_step(self, channel: str, at_local: str, zone: str, exported_at: str | None = None) -> None:
        self.channel.setCurrentIndex(max(0, self.channel.findData(channel)))
        self.at.setDateTime(_qt_moment(at_local))
        self.zone.setCurrentText(zone)
        self.zone.lineEdit().setCursorPosition(0)  # a long name shows its start, the continent
        self.exported_at = exported_at
        locked = exported_at is not None
        for w in (self.channel, self.at, self.zone, self.remove):
            w.setEnabled(not locked)
        self.note.setText(f"exported {exported_at[:10]}" if locked else "")
        self.note.setToolTip("An exported step stays as it was: its pack counts towards the caps." if locked
                             else "")

    def value(self) -> dict:
        return {"channel": self.channel.currentData(),
                "at": self.at.dateTime().toTimeZone(_UTC).toString(_FORMAT),
                "timezone": self.zone.currentText().strip()}


def _qt_moment(at_local: str) -> QDateTime:
    moment = datetime.fromisoformat(at_local[:16])
    return QDateTime(QDate(moment.year, moment.month, moment.day), QTime(moment.hour, moment.minute), _UTC)


class StepsTable(QWidget):
    """The steps as rows of editors (a grid, so Tab walks every field in reading order)."""

    edited = Signal()
    rowsChanged = Signal()  # a step added, removed or moved: the rows' width may have changed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.zones = _zones_model()
        self.rows: list[StepRow] = []
        self.default_zone = "UTC"
        self.read_only = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(6)
        for col, text in enumerate(("Channel", "Date and time (local)", "Time zone")):
            head = QLabel(f"<b>{text}</b>")
            self.grid.addWidget(head, 0, col)
        # Spare width widens the channel and the zone (names run long), all of it: an empty column
        # after the buttons took a share, and at 1024 pixels "America/Los_Angeles" lost its last letter.
        self.grid.setColumnStretch(0, 1)
        self.grid.setColumnStretch(2, 3)  # "America/Argentina/ComodRivadavia": the zone takes most
        outer.addLayout(self.grid)
        self.none = QLabel("No steps yet: add one for each channel the campaign goes out on.")
        self.none.setObjectName("noSteps")
        outer.addWidget(self.none)
        # Not under the rows: the screen keeps it in sight under its scrolling editor, with Save.
        self.add_button = QPushButton("&Add step", self)
        self.add_button.setToolTip("Add a step a day after the last one")
        self.add_button.clicked.connect(self.add_step)
        enter_presses(self.add_button)

    def set_steps(self, steps: list[dict], exported: dict[tuple, str] | None = None) -> None:
        """``steps`` as plan steps ({channel, at, timezone}); ``exported`` maps such a step's key to when."""
        exported = exported or {}
        for row in self.rows:
            for w in row.widgets():
                self.grid.removeWidget(w)
                w.hide()
                w.deleteLater()
        self.rows = []
        for s in steps:
            self._append(s, exported.get((s["channel"], s["at"][:16], s["timezone"])))
        self._relayout()

    def _append(self, step: dict, exported_at: str | None = None) -> StepRow:
        row = StepRow(self, self.zones)
        row.set_step(step["channel"], step["at"], step["timezone"], exported_at)
        row.channel.currentIndexChanged.connect(self.edited)
        row.at.dateTimeChanged.connect(self.edited)
        row.zone.currentTextChanged.connect(self.edited)
        row.up.clicked.connect(lambda _c=False, r=row: self.move(r, -1))
        row.down.clicked.connect(lambda _c=False, r=row: self.move(r, 1))
        row.remove.clicked.connect(lambda _c=False, r=row: self.remove_step(r))
        self.rows.append(row)
        return row

    def _relayout(self) -> None:
        for n, row in enumerate(self.rows, start=1):
            for col, w in enumerate(row.widgets()):
                self.grid.addWidget(w, n, col)
                w.show()
            row.up.setEnabled(n > 1 and not self.read_only)
            row.down.setEnabled(n < len(self.rows) and not self.read_only)
            if self.read_only:
                for w in (row.channel, row.at, row.zone, row.remove):
                    w.setEnabled(False)
        self.none.setVisible(not self.rows)
        self.add_button.setEnabled(not self.read_only)
        # Tab walks the rows in the order they read, whatever order they were made in.
        chain = [w for row in self.rows for w in row.widgets() if w is not row.note] + [self.add_button]
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)
        self.rowsChanged.emit()

    def values(self) -> list[dict]:
        return [row.value() for row in self.rows]

    def add_step(self) -> StepRow:
        if self.rows:
            last = self.rows[-1].value()
            at = (datetime.fromisoformat(last["at"]) + timedelta(days=1)).isoformat()[:16]
            step = {"channel": last["channel"], "at": at, "timezone": last["timezone"]}
        else:
            # Tomorrow on the clock of the step's zone, where its 10:00 is read: on the computer's
            # date it could be today there (Kiritimati is a day ahead of Los Angeles), already past.
            zone = canonical_zone(self.default_zone)
            today = datetime.now(UTC).astimezone(ZoneInfo(zone)) if zone else datetime.now()
            tomorrow = today.date() + timedelta(days=1)
            step = {"channel": VARIANT_CHANNELS[0], "at": f"{tomorrow.isoformat()}T10:00",
                    "timezone": self.default_zone}
        row = self._append(step)
        self._relayout()
        row.channel.setFocus()
        self.edited.emit()
        return row

    def remove_step(self, row: StepRow) -> None:
        if row in self.rows and row.exported_at is None:
            self.rows.remove(row)
            for w in row.widgets():
                self.grid.removeWidget(w)
                w.hide()
                w.deleteLater()
            self._relayout()
            self.edited.emit()

    def move(self, row: StepRow, by: int) -> None:
        n = self.rows.index(row)
        m = n + by
        if 0 <= m < len(self.rows):
            self.rows[n], self.rows[m] = self.rows[m], self.rows[n]
            self._relayout()
            (row.up if by < 0 and m > 0 else row.down if m < len(self.rows) - 1 else row.up).setFocus()
            self.edited.emit()


class _PercentBox(QDoubleSpinBox):
    """A share in percent, shown without trailing zeros ("10 %", "12.5 %")."""

    def textFromValue(self, value: float) -> str:
        return f"{value:g}"


def _percent(value: float) -> float:
    """A spin box's percent as the plan keeps it: 10, not 10.0."""
    value = round(value, 2)
    return int(value) if value.is_integer() else value


class CampaignEditor(QWidget):
    edited = Signal()
    audienceChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self.name = QLineEdit()
        self.name.setObjectName("campaignName")
        self.name.setMaxLength(200)
        self.goal = QLineEdit()
        self.goal.setPlaceholderText("What the campaign is for: sell the spring stock, bring back lapsed customers…")
        self.message = QComboBox()
        self.message.setObjectName("campaignMessage")
        self.message.setMinimumContentsLength(14)
        self.message.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.audience = QComboBox()
        self.audience.setObjectName("campaignAudience")
        self.audience.setMinimumContentsLength(14)
        self.audience.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.audience_count = QLabel()
        self.audience_count.setObjectName("audienceCount")
        self.mode = QComboBox()
        self.mode.setObjectName("campaignMode")
        for key, label in MODE_LABELS.items():
            self.mode.addItem(label, key)
        self.mode_help = QLabel()
        self.mode_help.setObjectName("modeHelp")
        self.mode_help.setWordWrap(True)
        self.mode_help.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.holdout = _PercentBox()
        self.holdout.setObjectName("campaignHoldout")
        self.holdout.setRange(0, 99.9)
        self.holdout.setDecimals(2)
        self.holdout.setSingleStep(5)
        self.holdout.setSuffix(" %")
        self.holdout.setAccessibleName("Hold out")
        self.holdout.setToolTip("A share of the audience not sent any step, drawn the same way each time: "
                                "the baseline the Dashboard compares each step's orders with")
        self.holdout_help = QLabel("of the audience, not sent: the baseline results compare with")
        self.holdout_help.setStyleSheet("color: palette(placeholder-text);")
        # Wrapped, not cut ("…compare w" on a narrow editor, a campaign with no step yet).
        self.holdout_help.setWordWrap(True)
        self.holdout_help.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.steps = StepsTable()

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("&Name:", self.name)
        form.addRow("&Goal:", self.goal)
        form.addRow("&Message:", self.message)
        row = QHBoxLayout()
        row.addWidget(self.audience, 1)
        row.addWidget(self.audience_count)
        label = QLabel("A&udience:")
        label.setBuddy(self.audience)  # a row of a layout takes no buddy of its own
        form.addRow(label, row)
        mode = QVBoxLayout()
        mode.addWidget(self.mode)
        mode.addWidget(self.mode_help)
        label = QLabel("M&ode:")
        label.setBuddy(self.mode)
        form.addRow(label, mode)
        holdout = QHBoxLayout()
        holdout.addWidget(self.holdout)
        holdout.addWidget(self.holdout_help, 1)
        label = QLabel("Hold ou&t:")
        label.setBuddy(self.holdout)
        form.addRow(label, holdout)
        # The steps span the whole width: a row holds four fields and its buttons.
        form.addRow(QLabel("<b>Steps</b>"))
        form.addRow(self.steps)

        self.name.textChanged.connect(self._edited)
        self.goal.textChanged.connect(self._edited)
        self.message.currentIndexChanged.connect(self._edited)
        self.audience.currentIndexChanged.connect(self._audience_moved)
        self.mode.currentIndexChanged.connect(self._mode_moved)
        self.holdout.valueChanged.connect(self._edited)
        self.steps.edited.connect(self._edited)
        self._mode_moved()

    def _edited(self, *_args) -> None:
        if not self._loading:
            self.edited.emit()

    def _audience_moved(self, *_args) -> None:
        if not self._loading:
            self.audienceChanged.emit()
            self.edited.emit()

    def _mode_moved(self, *_args) -> None:
        self.mode_help.setText(MODE_HELP.get(self.mode.currentData(), ""))
        self._edited()

    def load(self, values: dict, *, messages: list[str], segments: list[str], default_zone: str,
             exported: dict[tuple, str] | None = None, read_only: bool = False) -> None:
        """Show ``values`` (a plan: name, goal, message, audience, mode, steps) with these choices."""
        self._loading = True
        try:
            self.name.setText(values["name"])
            self.name.setCursorPosition(0)  # a long name shows how it starts
            self.goal.setText(values.get("goal") or "")
            self.message.clear()
            self.message.addItem("(no message yet)", None)
            for m in messages:
                self.message.addItem(m, m)
            msg = values.get("message")
            if msg is not None and self.message.findData(msg) < 0:
                self.message.addItem(f"{msg} (missing)", msg)
            self.message.setCurrentIndex(max(0, self.message.findData(msg)))
            self.audience.clear()
            self.audience.addItem("Everyone", EVERYONE)
            for s in segments:
                self.audience.addItem(s, s)
            audience = values.get("audience", EVERYONE)
            if isinstance(audience, dict):
                self.audience.addItem("A rule (from the plan file)", audience)
                self.audience.setCurrentIndex(self.audience.count() - 1)
            else:
                if self.audience.findData(audience) < 0:
                    self.audience.addItem(f"{audience} (missing)", audience)
                self.audience.setCurrentIndex(self.audience.findData(audience))
            self.mode.setCurrentIndex(max(0, self.mode.findData(values.get("mode", "each_channel"))))
            self.mode_help.setText(MODE_HELP.get(self.mode.currentData(), ""))
            self.holdout.setValue(float(values.get("holdout_percent") or 0))
            self.steps.default_zone = default_zone
            self.steps.read_only = read_only
            self.steps.set_steps(values.get("steps", []), exported)
            for w in (self.name, self.goal):
                w.setReadOnly(read_only)
            for w in (self.message, self.audience, self.mode, self.holdout):
                w.setEnabled(not read_only)
        finally:
            self._loading = False

    def values(self) -> dict:
        return {"name": " ".join(self.name.text().split()), "goal": " ".join(self.goal.text().split()),
                "message": self.message.currentData(), "audience": self.audience.currentData(),
                "mode": self.mode.currentData(), "holdout_percent": _percent(self.holdout.value()),
                "steps": self.steps.values()}

    def show_count(self, n: int | None, error: str = "") -> None:
        if n is None:
            self.audience_count.setText(error or "")
            self.audience_count.setToolTip(error)
        else:
            self.audience_count.setText(f"{n:,} customer{'s' if n != 1 else ''}")
            self.audience_count.setToolTip("Everyone the audience holds now, before consent and the other guards")

    def show_counting(self) -> None:
        self.audience_count.setText("counting…")
