"""The Customers screen: every customer in one searchable, sortable table."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QPushButton,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStackedLayout,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from omnidesk.core.channels import SOURCES
from omnidesk.core.errors import UserError
from omnidesk.core.segments import count as count_segment
from omnidesk.core.segments import rule_vocabulary, workspace_channels
from omnidesk.core.workspace import Workspace
from omnidesk.ui.models.customer_table_model import COLUMNS, CustomerTableModel
from omnidesk.ui.tasks import Task, TaskRunner
from omnidesk.ui.widgets.empty_state import EmptyState
from omnidesk.ui.widgets.segment_builder import SegmentBuilder


class CustomersView(QWidget):
    importRequested = Signal()
    customerActivated = Signal(int)
    mergeRequested = Signal(list)  # customer ids
    segmentSaveRequested = Signal(object)  # the rule (dict) to save as a segment

    def __init__(self, workspace: Workspace, parent=None, *, runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.runner = runner or TaskRunner()
        self.model = CustomerTableModel(workspace, self)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search name, email or phone…")
        self.search.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        self.channel_filter = QComboBox()
        self.channel_filter.addItem("All channels", None)
        for channel in SOURCES:
            self.channel_filter.addItem(channel.label, channel.code)
        self.channel_filter.currentIndexChanged.connect(self._apply_search)
        self.consent_filter = QComboBox()
        for label, value in (("Any consent", None), ("Email: subscribed", "email:granted"),
                             ("Email: not subscribed", "email:none"), ("SMS: subscribed", "sms:granted")):
            self.consent_filter.addItem(label, value)
        self.consent_filter.currentIndexChanged.connect(self._apply_search)
        self.merge_button = QPushButton("Merge selected")
        self.merge_button.setEnabled(False)
        self.merge_button.setToolTip("Select two or more customers who are one person")
        self.merge_button.clicked.connect(self._merge_selected)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.channel_filter)
        top.addWidget(self.consent_filter)
        self._build_filter_panel()
        top.addWidget(self.filter_button)
        top.addWidget(self.merge_button)
        top.addWidget(self.count_label)

        self.table = QTableView()
        self.table.setModel(self.model)
        # The indicator first: enabling sorting sorts by it at once (Qt's default is descending),
        # and the model, already in name order, then has nothing to do.
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        self._fit_columns()
        self.table.doubleClicked.connect(self._activated)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        self.no_match = QLabel("No customer matches your search and filters.")
        self.no_match.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty = EmptyState(
            "No customers yet",
            "Import your first file — a shop's customer export, an email list, a till export "
            "or any spreadsheet of contacts — and your customers appear here, merged across channels.",
            "Import your first file…",
        )
        self.empty.actionTriggered.connect(self.importRequested)

        table_page = QWidget()
        tl = QVBoxLayout(table_page)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addLayout(top)
        tl.addWidget(self.filter_panel)
        self.results = QStackedLayout()
        holder = QWidget()
        holder.setLayout(self.results)
        self.results.addWidget(self.table)
        self.results.addWidget(self.no_match)
        tl.addWidget(holder, 1)

        self.pages = QStackedLayout(self)
        self.pages.addWidget(self.empty)
        self.pages.addWidget(table_page)

        # Search as the user types, without a query per keystroke.
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(self._apply_search)
        self.search.textChanged.connect(self._debounce.start)
        self.search.returnPressed.connect(self._apply_search)
        self._update_state()


    def _build_filter_panel(self) -> None:
        self.filter_button = QPushButton("Filter…")
        self.filter_button.setCheckable(True)
        self.filter_button.setToolTip("Filter by a rule, count it and save it as a segment (Ctrl+Shift+F)")
        self.filter_button.toggled.connect(self.show_filter)
        custom_fields, event_types = rule_vocabulary(self.workspace)
        self.builder = SegmentBuilder(workspace_channels(self.workspace), custom_fields=custom_fields,
                                      event_types=event_types)
        self.builder.ruleChanged.connect(self._rule_changed)
        self.builder.saveRequested.connect(self.segmentSaveRequested)
        self.builder.root.changed.connect(lambda: QTimer.singleShot(0, self._fit_filter_panel))
        self.filter_panel = self.builder
        self.filter_panel.hide()
        self._count_run = 0  # the latest count asked for; older answers are dropped
        self._count_task: Task | None = None

    def show_filter(self, shown: bool = True) -> None:
        """Show (or hide) the rule panel; shown, the keyboard goes to it."""
        if self.filter_button.isChecked() != shown:
            self.filter_button.setChecked(shown)  # comes back here through toggled
            return
        self.filter_panel.setVisible(shown)
        if shown:
            self._fit_filter_panel()
            self.builder.first_focus().setFocus(Qt.FocusReason.ShortcutFocusReason)
            if self.builder.rule() is None:
                self._rule_changed(None)

    def toggle_filter(self) -> None:
        self.show_filter(not self.filter_panel.isVisible())

    def show_segment(self, name: str, rule: dict) -> None:
        """Filter the list by a saved segment's rule, shown in the panel for editing."""
        self.builder.set_rule(rule, segment_name=name)
        self.show_filter(True)

    def _fit_filter_panel(self) -> None:
        # As tall as its rows, up to under half the screen; beyond that its rows scroll.
        self.builder.fit(int(self.height() * 0.45))

    def _rule_changed(self, rule: dict | None) -> None:
        try:
            self.model.set_rule(rule)
        except UserError as exc:
            self.builder.show_count(None, str(exc))
            return
        self._update_state()
        self.filter_button.setText("Filter… (on)" if rule is not None else "Filter…")
        self._start_count(rule)

    def _start_count(self, rule: dict | None) -> None:
        """Count the rule's customers off the UI thread; a newer rule makes this answer moot."""
        self._count_run += 1
        run, workspace = self._count_run, self.workspace
        if self._count_task is not None:
            self._count_task.cancel()

        def work(_cancelled):
            yield from ()
            try:
                return run, count_segment(workspace, rule if rule is not None else {"all": []}), ""
            except UserError as exc:  # a rule the workspace refuses, or a busy workspace
                return run, None, str(exc)

        self.builder.show_counting()
        task = Task(work)
        self._count_task = task
        task.signals.finished.connect(self._counted)
        self.runner.start(task)

    def _counted(self, result) -> None:
        run, n, error = result
        if run == self._count_run:
            self._count_task = None
            self.builder.show_count(n, error)

    # Columns whose values have one width (a phone, a number, a date) keep it; name, email
    # and channels share what is left, so every column fits the window at any size.
    _FIXED = {"phone": 125, "city": 110, "orders": 60, "spend": 100, "last_seen": 95}
    _SHARES = {"name": 0.34, "email": 0.40, "channels": 0.26}

    def _fit_columns(self) -> None:
        fixed = dict(self._FIXED)
        header = self.table.horizontalHeader()
        metrics = header.fontMetrics()
        for column, (key, _label) in enumerate(COLUMNS):
            if key in ("orders", "spend"):
                # Their two-line headers ("Orders" / "all channels") are wider than the numbers.
                text = str(self.model.headerData(column, Qt.Orientation.Horizontal) or "")
                wanted = max(metrics.horizontalAdvance(line) for line in text.split("\n")) + 24
                fixed[key] = max(fixed[key], wanted)
        free = max(self.table.viewport().width() - sum(fixed.values()), 240)
        for column, (key, _label) in enumerate(COLUMNS):
            width = fixed.get(key) or int(free * self._SHARES.get(key, 0.2))
            self.table.setColumnWidth(column, width)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self._fit_columns)  # once the layout has given the table its size
        if self.filter_panel.isVisible():
            QTimer.singleShot(0, self._fit_filter_panel)

    def _apply_search(self) -> None:
        self._debounce.stop()
        self.model.set_filters(self.search.text(), self.channel_filter.currentData(),
                               self.consent_filter.currentData())
        self._update_state()

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [cid for cid in (self.model.customer_id(r) for r in rows) if cid is not None]

    def _selection_changed(self, *_args) -> None:
        self.merge_button.setEnabled(len(self.selected_ids()) >= 2)

    def _merge_selected(self) -> None:
        ids = self.selected_ids()
        if len(ids) >= 2:
            self.mergeRequested.emit(ids)

    def _activated(self, index) -> None:
        cid = self.model.customer_id(index.row())
        if cid is not None:
            self.customerActivated.emit(cid)

    def refresh(self) -> None:
        self.model.reload()
        self._update_state()
        if self.filter_panel.isVisible():
            self._start_count(self.model.rule())

    def apply_changes(self, changes) -> None:
        """Re-read the list when a change concerns it (a name, a count, a customer added or gone)."""
        if changes.touches_list():
            self.refresh()

    def _update_state(self) -> None:
        rows = self.model.rowCount()
        searching = bool(self.search.text().strip()) or self.model.filtered()
        self.pages.setCurrentIndex(1 if rows or searching else 0)
        self.results.setCurrentIndex(1 if searching and not rows else 0)
        self.count_label.setText(f"{rows:,} customer{'s' if rows != 1 else ''}")
