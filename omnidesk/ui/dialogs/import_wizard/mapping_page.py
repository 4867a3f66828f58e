"""Page 2: what each column of each file holds, its kind, channel, phone region and date order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from omnidesk.core.channels import SOURCES, channel_code, channel_name
from omnidesk.core.importing.analysis import names_no_one
from omnidesk.core.importing.dates import DateOrder, default_date_order
from omnidesk.core.importing.fields import FIELDS, IGNORE
from omnidesk.core.importing.pipeline import (
    ImportPlan,
)
from omnidesk.core.importing.phone_region import all_regions
from omnidesk.core.text import counted, printable
from omnidesk.ui.dialogs.import_wizard.common import (
    EXAMPLES_PER_COLUMN,
    IDENTITY_FIELDS,
    KIND_LABELS,
    KIND_TIPS,
    NOTICE_COLOR,
    PREVIEW_TABLE_ROWS,
    SURE_ENOUGH,
    _html,
    _in_the_window,
)
from omnidesk.ui.dialogs.import_wizard.widgets import (
    ElidedLabel,
    NoWheelComboBox,
    PreviewModel,
    _bold,
    _muted,
)
from omnidesk.ui.widgets.screen_fit import LeastHeight, scrolling
from omnidesk.ui.widgets.wrap_row import WrapRow

if TYPE_CHECKING:  # named in annotations only: the wizard imports this module
    from omnidesk.ui.dialogs.import_wizard.wizard import ImportWizard


class MappingPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Check what each column holds")
        self.setSubTitle("Omnidesk matched your columns to its fields. Change any that are wrong; "
                         "ignored columns are still kept with each row, and in a list of people they "
                         "show on each card under More fields (ids and IP addresses aside).")
        self.current = 0
        self.combos: list[QComboBox] = []
        self._filling = False

        self.file_label = QLabel("File:")  # Alt+L once there are files to switch between
        self.file_combo = QComboBox()
        self.file_label.setBuddy(self.file_combo)
        self.file_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.file_combo.setMinimumContentsLength(24)
        self.file_combo.currentIndexChanged.connect(self._file_changed)
        self.kind_combo = QComboBox()
        for key, label in KIND_LABELS.items():
            self.kind_combo.addItem(label, key)
            self.kind_combo.setItemData(self.kind_combo.count() - 1, KIND_TIPS[key], Qt.ItemDataRole.ToolTipRole)
        self.kind_combo.setToolTip("Does each row describe a person, or something a person did?")
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.channel_combo = QComboBox()
        self.channel_combo.setEditable(True)
        self.channel_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for channel in SOURCES:
            self.channel_combo.addItem(channel.label, channel.code)
        self.channel_combo.setMinimumContentsLength(16)
        self.channel_combo.setToolTip("Where these people or events come from; type a name of your own if "
                                      "none fits.")
        self.channel_combo.currentTextChanged.connect(self._channel_changed)

        # With one file its name is a label; with several, the combo switches between them.
        self.file_name = _bold(ElidedLabel())
        top = QHBoxLayout()
        top.addWidget(self.file_label)
        top.addWidget(self.file_combo, 1)
        top.addWidget(self.file_name, 1)
        top.addSpacing(12)
        # Alt keys, none twice on the page: File, Contains, From, Phone numbers, Dates are written,
        # Remember; Back, Next.
        kind_label = QLabel("&Contains:")
        kind_label.setBuddy(self.kind_combo)
        top.addWidget(kind_label)
        top.addWidget(self.kind_combo)
        top.addSpacing(12)
        channel_label = QLabel("&From:")
        channel_label.setBuddy(self.channel_combo)
        top.addWidget(channel_label)
        top.addWidget(self.channel_combo)

        # How phone numbers without a country code are read: the file's evidence, or the user's pick.
        self.region_combo = QComboBox()
        self.region_combo.addItem("", "")  # "As the file shows: …", filled per file
        self.region_combo.insertSeparator(1)
        for code, label in all_regions():
            self.region_combo.addItem(label, code)
        self.region_combo.setMinimumContentsLength(30)
        self.region_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.region_combo.setToolTip("The country whose numbers the phone numbers without a country code are; "
                                     "a row's own country column still decides that row.")
        self.region_combo.currentIndexChanged.connect(self._region_changed)
        self.region_reason = QLabel()
        self.region_reason.setWordWrap(True)
        self.region_reason.setTextFormat(Qt.TextFormat.RichText)
        self.region_row = QWidget()
        region_rows = QVBoxLayout(self.region_row)
        region_rows.setContentsMargins(0, 0, 0, 0)
        region_rows.setSpacing(2)
        # The box goes under its question where both do not fit on one line, rather than cut it.
        region_line = WrapRow()
        region_label = QLabel("&Phone numbers without a country code are from:")
        region_label.setBuddy(self.region_combo)
        region_line.addWidget(region_label)
        region_line.addWidget(self.region_combo)
        region_line.addStretch(1)
        region_rows.addLayout(region_line)
        # Why, under the choice across the page's width: beside it, it was squeezed to seven lines.
        region_rows.addWidget(self.region_reason)

        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setTextFormat(Qt.TextFormat.RichText)
        self.warnings.setFrameShape(QFrame.Shape.StyledPanel)
        self.warnings.setContentsMargins(6, 4, 6, 4)

        # How the file writes its dates, under the note saying they could be read either way:
        # shown only for a file with such dates, and set to what the region reads.
        self.date_combo = QComboBox()
        self.date_combo.addItem("day first (31/12)", DateOrder.DMY.value)
        self.date_combo.addItem("month first (12/31)", DateOrder.MDY.value)
        self.date_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.date_combo.setToolTip("How this file writes a date such as 03/04/2024: the 3rd of April (day "
                                   "first) or the 4th of March (month first).")
        self.date_combo.currentIndexChanged.connect(self._date_order_changed)
        self.date_row = QWidget()
        date_line = WrapRow(self.date_row)
        date_line.setContentsMargins(0, 0, 0, 0)
        date_label = QLabel("Dates are &written:")
        date_label.setBuddy(self.date_combo)
        date_line.addWidget(date_label)
        date_line.addWidget(self.date_combo)
        date_line.addStretch(1)

        # Column -> field, one line per column, with example values to decide by.
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        # Not a Tab stop of its own (nothing shows it has the focus): its boxes are, and it follows them.
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # Its names and the first three columns in sight at least: the page scrolls before this does.
        self.scroll.setMinimumHeight(4 * (self.scroll.fontMetrics().height() + 16))
        self.grid = self._new_grid()
        columns_box = QWidget()
        cl = QVBoxLayout(columns_box)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(2)
        cl.addWidget(self.scroll, 1)

        self.model = PreviewModel(self)
        self.table = QTableView()
        self.table.setAccessibleName("Preview of the file")
        self.table.setModel(self.model)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setTabKeyNavigation(False)  # Tab leaves the preview (it went round its cells for good)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.horizontalHeader().setMinimumSectionSize(60)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        # Never less than its column names (two lines: the column, what it imports as) and two
        # rows whole, with the bar to scroll across.
        metrics = self.table.horizontalHeader().fontMetrics()
        self.table.setMinimumHeight(2 * metrics.lineSpacing() + 12 + 2 * self.table.verticalHeader().defaultSectionSize()
                                    + self.table.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
                                    + 2 * self.table.frameWidth() + 4)
        preview_box = QWidget()
        pl = QVBoxLayout(preview_box)
        pl.setContentsMargins(0, 6, 0, 0)
        pl.setSpacing(2)
        self.preview_label = _muted(QLabel())
        self.preview_label.setWordWrap(True)  # a long file name was cut mid-word on a small screen
        pl.addWidget(self.preview_label)
        pl.addWidget(self.table, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(columns_box)
        self.splitter.addWidget(preview_box)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        # The page scrolls when the wizard is too short for it all (a large font on a small
        # screen) rather than cutting the notes mid-sentence and the preview to half a row.
        body = LeastHeight()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.region_row)
        layout.addWidget(self.warnings)
        layout.addWidget(self.date_row)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.wiz.remember_checkbox)
        self.page_scroll = scrolling(body)
        self.page_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its controls are the Tab stops
        QVBoxLayout(self).addWidget(self.page_scroll)

    # -- filling

    def first_controls(self) -> list[QWidget]:
        """Where the focus goes on entering the page: the file switch, or with one file its kind."""
        return [self.file_combo, self.kind_combo]

    def initializePage(self) -> None:
        plans = self.wiz.plans
        self._filling = True
        self.file_combo.clear()
        for plan in plans:
            self.file_combo.addItem(printable(plan.file_name), str(plan.path))
            self.file_combo.setItemData(self.file_combo.count() - 1, str(plan.path), Qt.ItemDataRole.ToolTipRole)
        several = len(plans) > 1
        self.file_combo.setVisible(several)
        self.file_label.setText("Fi&le:" if several else "File:")
        self.file_name.setVisible(not several)
        if plans and not several:
            self.file_name.set_full_text(printable(plans[0].file_name))
        self.current = min(self.current, max(len(plans) - 1, 0))
        self.file_combo.setCurrentIndex(self.current)
        self._filling = False
        self.show_file(self.current)
        # The column list is where decisions happen; the preview only needs a few rows.
        total = max(sum(self.splitter.sizes()), 400)
        self.splitter.setSizes([total * 3 // 5, total - total * 3 // 5])

    def show_file(self, index: int) -> None:
        """Rebuild the column list and preview for the wizard's ``index``-th plan."""
        plans = self.wiz.plans
        if not plans:
            return
        self.current = index
        plan = plans[index]
        self.grid = self._new_grid()
        self.combos = []
        for column, text in enumerate(("Column in your file", "Imports as", "Examples from the file")):
            self.grid.addWidget(_bold(QLabel(text)), 0, column)
        guesses = {g.index: g for g in plan.guesses}
        for i, header in enumerate(plan.header):
            name = ElidedLabel(header or f"(column {i + 1} has no name)", Qt.TextElideMode.ElideRight)
            name.setMinimumWidth(120)
            combo = NoWheelComboBox()
            combo.addItem("Ignore", IGNORE)
            combo.insertSeparator(1)
            for f in FIELDS:
                combo.addItem(f.label, f.name)
            combo.setMinimumContentsLength(18)
            # A combo box is read by its value: the column's name labels it, as a screen reader says it.
            name.setBuddy(combo)
            combo.setAccessibleName(f"{header or f'Column {i + 1}'}: imports as")
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.currentIndexChanged.connect(lambda _i, c=i, box=combo: self._field_chosen(c, box))
            guess = guesses.get(i)
            examples = self._examples(plan, i)
            sample = _muted(ElidedLabel(" · ".join(examples) if examples else "(empty in the first rows)",
                                        Qt.TextElideMode.ElideRight))
            sample.setMinimumWidth(120)
            if guess is not None and guess.field != IGNORE and guess.confidence < SURE_ENOUGH:
                name.set_full_text(f"{header}  (please check)")
            row = i + 1
            self.grid.addWidget(name, row, 0)
            self.grid.addWidget(combo, row, 1)
            self.grid.addWidget(sample, row, 2)
            self.combos.append(combo)
        self.grid.setRowStretch(len(plan.header) + 1, 1)
        # Tab reads the page top to bottom: what the file holds, where from, its phones' country,
        # how it writes dates, then each column's field, the preview and the mapping to remember
        # (the column boxes, made per file, came first, and the boxes above them after the wizard's buttons).
        chain = [self.file_combo, self.kind_combo, self.channel_combo, self.region_combo, self.date_combo,
                 *self.combos, self.table, self.wiz.remember_checkbox]
        for before, after in zip(chain, chain[1:]):
            QWidget.setTabOrder(before, after)
        self.model.set_plan(plan)
        self.table.resizeColumnsToContents()
        for c in range(self.model.columnCount()):
            self.table.setColumnWidth(c, min(max(self.table.columnWidth(c), 90), 220))
        shown = min(len(plan.preview), PREVIEW_TABLE_ROWS)
        self.preview_label.setText(f"Preview: the first {counted(shown, 'row')} of {printable(plan.file_name)}, as read. "
                                   "Greyed columns are ignored.")
        self.refresh()

    def _new_grid(self) -> QGridLayout:
        # A fresh host per file: reusing one would leave the old rows painted until deleted.
        old = self.scroll.takeWidget()
        if old is not None:
            old.hide()
            old.deleteLater()
        host = QWidget()
        grid = QGridLayout(host)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(2, 3)
        self.scroll.setWidget(host)
        return grid

    @staticmethod
    def _examples(plan: ImportPlan, column: int) -> list[str]:
        seen: list[str] = []
        for rec in plan.preview:
            if column < len(rec.values):
                value = " ".join(rec.values[column].split())
                if value and value not in seen:
                    seen.append(value)
                    if len(seen) == EXAMPLES_PER_COLUMN:
                        break
        return seen

    def refresh(self) -> None:
        """Show the current plan's choices without re-triggering the change handlers."""
        plans = self.wiz.plans
        if not plans or self.current >= len(plans):
            return
        plan = plans[self.current]
        self._filling = True
        try:
            guesses = {g.index: g for g in plan.guesses}
            for i, combo in enumerate(self.combos):
                combo.setCurrentIndex(max(combo.findData(plan.mapping[i]), 0))
                combo.setToolTip(self._why(plan, i, guesses.get(i)))
            self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(plan.kind), 0))
            at = self.channel_combo.findData(plan.channel)
            if at >= 0:
                self.channel_combo.setCurrentIndex(at)
            elif channel_code(self.channel_combo.currentText() or " ") != plan.channel:
                # A channel of one's own, by its name as typed (what is being typed is left alone).
                self.channel_combo.setEditText(plan.channel_label or channel_name(plan.channel))
            self._show_region(plan)
            self._show_date_order(plan)
        finally:
            self._filling = False
        self.model.update_plan(plan)
        self._show_warnings(plan)

    def _show_region(self, plan: ImportPlan) -> None:
        """The phone region row: shown when a column holds phones, with the decision and why."""
        self.region_row.setVisible("phone" in plan.mapping)
        decided = plan.phone_region
        if decided is None:
            return
        found = plan.file_phone_region()
        self.region_combo.setItemText(0, f"As the file shows: {found.label}")
        at = self.region_combo.findData(decided.code) if decided.source == "chosen" else 0
        self.region_combo.setCurrentIndex(max(at, 0))
        text = _html(decided.explain())
        if decided.code is None:
            text = f'<span style="color:{NOTICE_COLOR}">{text}</span>'
        self.region_reason.setText(text)
        self.region_reason.setToolTip(decided.explain())

    def _show_date_order(self, plan: ImportPlan) -> None:
        """The date order row: shown while a date column could be read day/month or month/day,
        set to the order chosen, else to the one the region reads such dates in."""
        self.date_row.setVisible(bool(plan.unclear_date_columns))
        order = plan.date_order or default_date_order(plan.region)
        # A year-first region's dates written with the year last are read day first.
        at = self.date_combo.findData((order if order == DateOrder.MDY else DateOrder.DMY).value)
        self.date_combo.setCurrentIndex(max(at, 0))

    @staticmethod
    def _why(plan: ImportPlan, column: int, guess) -> str:
        chosen = plan.mapping[column]
        if guess is not None and guess.field == chosen:
            sure = "" if guess.confidence >= SURE_ENOUGH else " — not sure, please check"
            return f"Suggested because: {guess.reason} ({guess.confidence:.0%} sure){sure}"
        if plan.mapping_source == "saved":
            return "Remembered from an earlier import of a file with these columns"
        return "Your choice"

    def _show_warnings(self, plan: ImportPlan) -> None:
        # The phone region has its own line above, with a way to change it; the plan's note on
        # a file naming no one is said below, and the others as the window has them.
        notes = [said for w in plan.warnings if not w.startswith("phone region: ")
                 and (said := _in_the_window(plan, w)) is not None]
        lost = self.wiz._entry(self.current).mapping_note
        if lost:
            notes.insert(0, lost)
        if plan.previous_batch is not None:
            notes.insert(0, f"This exact file was already imported (import #{plan.previous_batch}); "
                            "importing it again will add nothing.")
        if names_no_one(plan.kind, plan.mapping, plan.preset):
            notes.append("No column is used as a name, email, phone or customer ID, so every row would be "
                         "skipped: below, choose what the column holding one of them imports as.")
        elif not IDENTITY_FIELDS & set(plan.mapping):
            notes.append("No column is used as email, phone, name or customer ID, so these rows cannot "
                         "be matched to customers.")
        self.warnings.setVisible(bool(notes))
        if notes:
            items = "".join(f"<li>{_html(n)}</li>" for n in notes)
            self.warnings.setText(f'<b style="color:{NOTICE_COLOR}">Please check</b>'
                                  f'<ul style="margin:0 0 0 -20px">{items}</ul>')
        else:
            self.warnings.clear()

    # -- user changes

    def _file_changed(self, index: int) -> None:
        if not self._filling and index >= 0:
            self.show_file(index)

    def _field_chosen(self, column: int, combo: QComboBox) -> None:
        if self._filling:
            return
        self.wiz.set_field_for_column(self.current, column, combo.currentData())

    def _region_changed(self, _index: int) -> None:
        if not self._filling:
            self.wiz.set_phone_region(self.current, self.region_combo.currentData() or "")

    def _date_order_changed(self, _index: int) -> None:
        if not self._filling:
            self.wiz.set_date_order(self.current, self.date_combo.currentData() or "")

    def _kind_changed(self, _index: int) -> None:
        if not self._filling:
            self.wiz.set_kind(self.current, self.kind_combo.currentData())

    def _channel_changed(self, text: str) -> None:
        if self._filling:
            return
        text = text.strip()
        if not text:
            return  # half-typed: keep the previous channel until there is a name
        self.wiz.set_channel(self.current, text)  # its code, and the name as typed for a channel of one's own
