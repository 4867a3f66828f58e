"""The Customers screen: every customer in one searchable, sortable table.

The columns shown are the user's choice (the header's right-click menu or the
Columns button), remembered in the application's settings.  They are fitted
to the table's width when the screen is first shown and whenever that width
changes: columns whose values have one width keep it, Channels is as wide as
its usual content, and the name, email and other free-text columns share the
rest; the last column takes what is left over.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStackedLayout,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from omnidesk.core.channels import HAND, SOURCES, channel, channel_name
from omnidesk.core.errors import UserError
from omnidesk.core.segments import count as count_segment
from omnidesk.core.segments import rule_vocabulary, workspace_channels
from omnidesk.core.workspace import Workspace
from omnidesk.ui.models.customer_table_model import (
    CUSTOM,
    DEFAULT_COLUMNS,
    CustomerTableModel,
    sortable,
)
from omnidesk.ui.tasks import LatestOnly, TaskRunner
from omnidesk.ui.widgets.buttons import enter_presses
from omnidesk.ui.widgets.empty_state import EmptyState
from omnidesk.ui.widgets.segment_builder import SegmentBuilder
from omnidesk.ui.widgets.wrap_row import WrapRow

COLUMNS_SETTING = "customers/columns"

# Columns whose values have one width (a phone, a number, a date): that width, or the
# header's if wider.  Channels is measured on the rows; the rest share what is left.
_FIXED = {"phone": 125, "city": 110, "orders": 60, "spend": 100, "last_seen": 95, "first_seen": 95,
          "consent_email": 100, "consent_sms": 100, "consent_whatsapp": 100, "postcode": 80, "country": 64}
# Free-text columns: (share of the room left, narrowest useful width).
_FLEX = {"name": (0.34, 170), "email": (0.40, 160), "tags": (0.22, 90), "company": (0.22, 100)}
# What a free-text column keeps while Channels gives up its usual width, and what it keeps at the
# last: the name is what the list is read by, so it gives up least ("Aaron Patte…" at 90 px).
_FLEX_KEEPS = {"name": (140, 110), "email": (110, 90)}
_CUSTOM_FLEX = (0.18, 90)
_MIN = 60  # no column is squeezed below this
_PADDING = 24  # cell margins and the sort arrow
_COPY_LOOK = 2_000  # selected rows read to tell whether any has an email (a phone) to copy
_CHANNELS_MAX = 340
# Past this many customers a search, a filter, a rule or an order is worked out off the UI thread (a
# consent filter over a hundred thousand took 1.5 s, a rule or a sort 0.5 s), the list as it was
# staying on screen meanwhile; below it,
# at once, the list never showing "Filtering…" for a moment.
BACKGROUND_FILTER = 20_000
# No rule's count asked for yet (None is a rule: none, everyone counted).
_UNASKED = object()


# The search box's hint, longest first: the longest that fits is shown (a narrow window's box
# said "Search name, email…", cut, rather than what the key is).
def _two_line_width(metrics, text: str) -> int:
    """The narrowest ``text`` is drawn whole in on two lines, broken between words (a header
    that has its two lines already keeps them)."""
    lines = text.split("\n")
    if len(lines) > 1:
        return max(metrics.horizontalAdvance(line) for line in lines)
    words = text.split(" ")
    return min(max(metrics.horizontalAdvance(" ".join(words[:i])), metrics.horizontalAdvance(" ".join(words[i:])))
               for i in range(1, len(words) + 1))


SEARCH_HINTS = ("Search name, email or phone…  (Ctrl+F)", "Search name, email or phone…", "Search…  (Ctrl+F)",
                "Search…")

# What each consent filter picks, said where it is chosen: it reads the consent on the card, not
# whether a campaign could reach the customer (the Dashboard's "by email" counts those).
CONSENT_FILTERS = (
    ("Any consent", None, "Filter by what customers said about email or SMS"),
    ("Email: subscribed", "email:granted",
     "Customers whose email consent is yes, as their card says — with or without a usable address; the "
     "Dashboard's \"by email\" counts only those a campaign would send to"),
    ("Email: not subscribed", "email:none", "Customers whose email consent is anything but yes: no, unknown or held"),
    ("SMS: subscribed", "sms:granted",
     "Customers whose SMS consent is yes, as their card says — with or without a usable number"),
)


class CustomersView(QWidget):
    importRequested = Signal()
    customerActivated = Signal(int)
    mergeRequested = Signal(list)  # customer ids
    exportRequested = Signal(bool)  # True: the selected customers; False: the whole list
    segmentSaveRequested = Signal(object)  # the rule (dict) to save as a segment
    bulkRequested = Signal(str, list)  # action (ui/bulk.py ACTIONS), customer ids

    def __init__(self, workspace: Workspace, parent=None, *, runner: TaskRunner | None = None,
                 settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.runner = runner or TaskRunner()
        self.settings = settings
        self.model = CustomerTableModel(workspace, self)
        self._restore_columns()

        self.search = QLineEdit()
        self.search.setPlaceholderText(SEARCH_HINTS[0])
        self.search.setToolTip("Search by name, email or phone (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search customers")
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        self.channel_filter = QComboBox()
        self.channel_filter.setAccessibleName("Channel")
        self._fill_channel_filter()
        self.channel_filter.currentIndexChanged.connect(self._apply_search)
        self.consent_filter = QComboBox()
        self.consent_filter.setAccessibleName("Consent")
        for label, value, tip in CONSENT_FILTERS:
            self.consent_filter.addItem(label, value)
            self.consent_filter.setItemData(self.consent_filter.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.consent_filter.setToolTip(CONSENT_FILTERS[0][2])
        self.consent_filter.currentIndexChanged.connect(self._say_consent_filter)
        self.consent_filter.currentIndexChanged.connect(self._apply_search)
        self.merge_button = QPushButton("Merge selected")
        self.merge_button.setEnabled(False)
        self.merge_button.setToolTip("Select two or more customers who are one person (Ctrl+M)")
        self.merge_button.clicked.connect(self._merge_selected)
        enter_presses(self.merge_button)
        self.columns_button = QToolButton()
        self.columns_button.setText("Columns")  # a menu (its arrow says so), not a dialog: no "…" under the arrow
        self.columns_button.setToolTip("Choose the columns the list shows")
        self.columns_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.columns_menu = QMenu(self.columns_button)
        self.columns_menu.aboutToShow.connect(lambda: self._fill_columns_menu(self.columns_menu))
        self.columns_button.setMenu(self.columns_menu)
        # One line where there is room; where not (a large font, a narrow window) the filters and
        # buttons go on to a second, each keeping its words, and the search keeps room for "Search…".
        self.search.setMinimumWidth(self.search.fontMetrics().horizontalAdvance(SEARCH_HINTS[-1]) + 20)
        top = WrapRow()
        top.setSpacing(4)
        top.addWidget(self.search, 1)
        top.addWidget(self.channel_filter)
        top.addWidget(self.consent_filter)
        self._build_filter_panel()
        top.addWidget(self.filter_button)
        top.addWidget(self.merge_button)
        top.addWidget(self.columns_button)
        top.addWidget(self.count_label)

        self.table = QTableView()
        self.table.setObjectName("customerTable")
        self.table.setAccessibleName("Customers")
        self.table.setModel(self.model)
        # The indicator first: enabling sorting sorts by it at once (Qt's default is descending),
        # and the model, already in name order, then has nothing to do.
        self.table.horizontalHeader().setSortIndicator(self._sort_section(), Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setWordWrap(False)
        # Tab moves on to the next control instead of from cell to cell: arrows move in the table.
        self.table.setTabKeyNavigation(False)
        # Where the keyboard is, seen at a glance (the base style draws no frame on a focused table):
        # a 2-pixel frame in the highlight colour, the padding keeping the cells where they were.
        self.table.setStyleSheet(
            "QTableView#customerTable { border: 1px solid palette(mid); padding: 1px; }"
            "QTableView#customerTable:focus { border: 2px solid palette(highlight); padding: 0px; }")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        # A header narrower than its words (a large font on a small screen) wraps between them
        # onto the header's second line instead of being cut at both ends.
        header.setDefaultAlignment(header.defaultAlignment() | Qt.TextFlag.TextWordWrap)
        header.setSectionsClickable(True)
        # Rows are what is selected, never columns (a header click sorts): the header gets a
        # selection of its own, always empty.  Sharing the list's, each paint of the header after a
        # select-all asked every row whether its column was whole (seconds over 100,000 rows).
        header.setSelectionModel(QItemSelectionModel(self.model, header))
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        header.sortIndicatorChanged.connect(self._sort_indicator_changed)
        self.table.doubleClicked.connect(self._activated)
        # The selected rows as spans of the list, read from the selection's ranges once per change:
        # asking Qt for every selected row (selectedRows) takes seconds over a hundred thousand.
        self._spans: list[tuple[int, int]] | None = None
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.selectionModel().currentChanged.connect(lambda *_: self._sync_actions())
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._row_menu)
        self.model.modelReset.connect(self._schedule_fit)
        # A list read again (a search, a filter, a sort) drops the selection without a selectionChanged:
        # what it allows is looked at again.
        self.model.modelReset.connect(self._selection_changed)
        self.table.viewport().installEventFilter(self)
        self.table.installEventFilter(self)
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)  # once the layout has given the table its size
        self._fit_timer.timeout.connect(self._fit_columns)
        self._build_actions()

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
        self.search.textChanged.connect(self._typed_on)
        self.search.returnPressed.connect(self._apply_search)
        self.search.installEventFilter(self)
        self._fit_columns()
        self._update_state()
        self._sync_actions()

    # -- the rule panel -------------------------------------------------------------

    def _build_filter_panel(self) -> None:
        self.filter_button = QPushButton("Fil&ter…")  # Alt+T: Alt+F is the File menu
        self.filter_button.setCheckable(True)
        self.filter_button.setToolTip("Filter by a rule, count it and save it as a segment (Ctrl+Shift+F)")
        self._filter_takes_focus = True  # shown by the button's toggle: see show_filter
        self.filter_button.toggled.connect(self.show_filter)
        enter_presses(self.filter_button)
        custom_fields, event_types = rule_vocabulary(self.workspace)
        self.builder = SegmentBuilder(workspace_channels(self.workspace), custom_fields=custom_fields,
                                      event_types=event_types)
        self.builder.ruleChanged.connect(self._rule_changed)
        self.builder.saveRequested.connect(self.segmentSaveRequested)
        self.builder.root.changed.connect(lambda: QTimer.singleShot(0, self, self._fit_filter_panel))
        # A row's problem shown under it (or gone) changes the rows' height too.
        self.builder.rowsRead.connect(lambda: QTimer.singleShot(0, self, self._fit_filter_panel))
        self.filter_panel = self.builder
        self.filter_panel.hide()
        self._counts = LatestOnly(self.runner)  # the latest count asked for; older answers are dropped
        self._lists = LatestOnly(self.runner)  # the latest search and filters asked for, likewise
        self._asked: tuple[str, str | None, str | None] | None = None  # those being worked out
        self._then_listed: list[Callable[[], None]] = []  # what waits for them (when_listed)
        self._keep_place = False  # the list is being read again after a change: the user's place stays
        self.model.ask_later = self._order_later  # a new order or rule too, on a big list
        self._enter_when_listed = False  # Down from the search box while they were
        self._counted: tuple[int | None, str] | None = None  # the rule's count last answered, or why none
        self._counting: object = _UNASKED  # the rule whose count was asked for last

    def _fill_channel_filter(self) -> None:
        """The app's channels, then those of the user's own that files were imported as ("Farmers market")."""
        combo = self.channel_filter
        current = combo.currentData()
        own = sorted((c for c in workspace_channels(self.workspace)
                      if c != HAND and c not in {s.code for s in SOURCES} and channel(c).source),
                     key=lambda c: channel_name(c).casefold())
        codes = [None, *(s.code for s in SOURCES), *own]
        if [combo.itemData(i) for i in range(combo.count())] == codes:
            return
        combo.blockSignals(True)  # the same choice stays; only a channel gone changes the list shown
        combo.clear()
        combo.addItem("All channels", None)
        for code in codes[1:]:
            combo.addItem(channel_name(code), code)
        combo.setCurrentIndex(max(combo.findData(current), 0))
        combo.blockSignals(False)
        if combo.currentData() != current:
            self._apply_search()

    def show_filter(self, shown: bool = True, *, take_focus: bool = True) -> None:
        """Show (or hide) the rule panel; shown, the keyboard goes to it (unless ``take_focus`` is False)."""
        if self.filter_button.isChecked() != shown:
            self._filter_takes_focus = take_focus
            try:
                self.filter_button.setChecked(shown)  # comes back here through toggled
            finally:
                self._filter_takes_focus = True
            return
        take_focus = take_focus and self._filter_takes_focus
        self.filter_panel.setVisible(shown)
        if shown:
            self._fit_filter_panel()
            if take_focus:
                self.builder.first_focus().setFocus(Qt.FocusReason.ShortcutFocusReason)
            if self.builder.rule() is None:
                self._rule_changed(None)

    def toggle_filter(self) -> None:
        self.show_filter(not self.filter_panel.isVisible())

    def show_segment(self, name: str, rule: dict, *, take_focus: bool = True) -> None:
        """Filter the list by a saved segment's rule (or a Dashboard figure's), shown in the panel
        for editing: exactly its customers, so a search or filter left from before is cleared, and
        the list, its count and the panel's count agree.  The keys go to the panel unless
        ``take_focus`` is False (the navigation walked with the arrow keys keeps them)."""
        self.clear_search_and_filters()
        self.builder.set_rule(rule, segment_name=name)
        self.show_filter(True, take_focus=take_focus)

    def clear_search_and_filters(self) -> None:
        """Empty the search box and set the channel and consent filters back to "any"."""
        self.search.setText("")  # its clear button follows the text; the pending search is dropped below
        for combo in (self.channel_filter, self.consent_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        # At once, whatever the size: a rule set next (a segment opened) narrows this list.
        self._debounce.stop()
        self._drop_asked()
        self.model.set_filters("", None, None)
        self._update_state()

    def _fit_filter_panel(self) -> None:
        # As tall as its rows, up to under half the screen; beyond that its rows scroll.
        self.builder.fit(int(self.height() * 0.45))

    def _rule_changed(self, rule: dict | None) -> None:
        try:
            self.model.set_rule(rule)
        except UserError as exc:
            self._counting = _UNASKED  # what the panel says is why: the next rule that runs is counted anew
            self._show_rule_count((None, str(exc)))
            return
        self._update_state()
        self.filter_button.setText("Fil&ter… (on)" if rule is not None else "Fil&ter…")
        self._start_count(rule)

    def _start_count(self, rule: dict | None) -> None:
        """Count the rule's customers off the UI thread; a newer rule makes this answer moot."""
        workspace = self.workspace

        def work():
            try:
                return count_segment(workspace, rule if rule is not None else {"all": []}), ""
            except UserError as exc:  # a rule the workspace refuses, or a busy workspace
                return None, str(exc)

        if rule != self._counting:
            # Another rule (another segment clicked): its count is to come, and the one shown is not
            # its own, nor is the count kept for the list to say beside it meanwhile.
            self._counting, self._counted = rule, None
            self.builder.show_counting(new_rule=True)
        else:
            self.builder.show_counting()  # the same rule after a change: its number stays until found
        def failed(exc: BaseException) -> None:
            # Not counted: "Counting…" for ever said nothing of it.  Raised too, on this thread,
            # where the window's handlers hear it (a damaged file is offered its recovery).
            self._show_rule_count((None, f"Could not count the customers: {exc}"))
            raise exc

        self._counts.ask(work, self._show_rule_count, failed)

    def _show_rule_count(self, counted: tuple[int | None, str] | None = None) -> None:
        """The rule's count under its rows; while a search or a filter narrows the list too, how
        many of them the list shows beside it (the rule alone is what a saved segment keeps)."""
        if counted is not None:
            self._counted = counted
        if self._counted is None:
            return
        n, error = self._counted
        self.builder.show_count(n, error, self.model.rowCount() if self.model.narrowed() else None)

    # -- actions -------------------------------------------------------------------

    def _action(self, text: str, slot, keys=(), on=None) -> QAction:
        action = QAction(text, on or self.table)
        action.setShortcuts([QKeySequence(k) for k in keys])
        # Only while the keyboard is in the table (Ctrl+C in the search box still copies its text).
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        (on or self.table).addAction(action)
        return action

    def _build_actions(self) -> None:
        self.open_action = self._action("&Open", self.open_current, ("Return", "Enter"))
        self.merge_action = self._action("&Merge Selected", self._merge_selected, ("Ctrl+M",))
        self.copy_email_action = self._action("Copy &Email", lambda: self._copy("email"), ("Ctrl+C",))
        self.copy_phone_action = self._action("Copy &Phone", lambda: self._copy("phone"), ("Ctrl+Shift+C",))
        self.export_selected_action = QAction("E&xport Selected…", self)
        self.export_selected_action.triggered.connect(lambda: self.exportRequested.emit(True))
        # Ctrl+F from anywhere on this screen: the search box, its text selected to type over.
        self.find_action = self._action("&Find", self.focus_search, ("Ctrl+F",), on=self)
        # Bulk actions on the selection (the "All in the list" menu runs them on every row).
        self.tag_action = self._action("Add &Tag…", lambda: self._bulk("add_tags"), ("Ctrl+T",))
        self.untag_action = self._action("&Remove Tag…", lambda: self._bulk("remove_tags"))
        self.consent_action = self._action("Record &Consent…", lambda: self._bulk("consent"))
        self.erase_action = self._action("E&rase…", lambda: self._bulk("erase"), ("Shift+Del",))
        for action in (self.open_action, self.merge_action, self.copy_email_action, self.copy_phone_action,
                       self.tag_action, self.erase_action):
            action.setShortcutVisibleInContextMenu(True)

    def _bulk(self, action: str, everyone: bool = False) -> None:
        if everyone:
            # The whole list as it stands: a search or a rule typed a moment ago included.
            self.when_listed(lambda: self._bulk_on(action, list(self.list_ids())))
        else:
            self._bulk_on(action, self.selected_ids())

    def _bulk_on(self, action: str, ids: list[int]) -> None:
        if ids and not self.workspace.readonly:
            self.bulkRequested.emit(action, ids)

    def when_listed(self, then: Callable[[], None]) -> None:
        """Call ``then`` once the list is the one the screen shows it is asked for: a search or a rule
        typed a moment ago (still in its pause) is applied now, and a big list being worked out in the
        background is waited for.  What takes the whole list (an export, a tag for everyone in it)
        never takes the list as it was before the typing.  A list that cannot be found (a busy
        workspace) drops ``then``: the count line says why."""
        if self._debounce.isActive():
            self._apply_search()
        self.builder.settle()
        if self._asked is None:
            then()
        else:
            self._then_listed.append(then)

    def _typed_on(self, _text: str) -> None:
        self._enter_when_listed = False  # typing again after Down: the keyboard stays here

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def go_to_list(self) -> None:
        """Down from the search box: search now (not waiting for the pause) and go to the matches
        (once they are found, when that takes a moment)."""
        self._apply_search()
        if self._asked is not None:
            self._enter_when_listed = True
        else:
            self._enter_list()

    def _enter_list(self) -> None:
        if self.model.rowCount():
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
            if not self.selected_count():
                self.table.selectRow(0)

    def _select_current_row(self) -> None:
        """Tabbed into, the list shows which row the keys act on: the current one (the first when
        none) is selected, so Down goes to the next and Ctrl+T or Ctrl+C take the row seen."""
        if not self.model.rowCount() or self.selected_count():
            return
        current = self.table.currentIndex()
        row = current.row() if current.isValid() else 0
        self.table.setCurrentIndex(self.model.index(row, max(current.column(), 0)))
        self.table.selectRow(row)

    def open_current(self) -> None:
        """Open the customer of the current row (Enter, the menu's Open, a double click)."""
        index = self.table.currentIndex()
        if not index.isValid() and self.selected_count():
            index = self.model.index(self.selected_spans()[0][0], 0)
        if index.isValid():
            self._activated(index)

    def _copy(self, key: str) -> None:
        """Put the selected customers' emails (or phones) on the clipboard, one a line."""
        values = [v for v in (self.model.text(r, key) for r in self._selected_rows()) if v]
        if values:
            QGuiApplication.clipboard().setText("\n".join(values))

    def _row_menu(self, pos) -> None:
        index = self.table.indexAt(pos)
        if index.isValid() and not self.table.selectionModel().isRowSelected(index.row(), index.parent()):
            self.table.selectRow(index.row())
        menu = self.row_menu()
        menu.exec(self.table.viewport().mapToGlobal(pos))

    def _sync_actions(self) -> None:
        """Enable the row actions (and their keys) as the selection now allows: on every change of
        the selection or the current row and every reading of the list, not only for the menu."""
        picked = self.selected_count()
        writable = not self.workspace.readonly
        self.merge_button.setEnabled(picked >= 2)
        # Enter opens the current row, selected or not.
        self.open_action.setEnabled(picked >= 1 or self.table.currentIndex().isValid())
        self.merge_action.setEnabled(picked >= 2 and not self.merge_button.isHidden())
        # Past a few thousand rows the copy is offered without reading each: it skips the blanks.
        many = picked > _COPY_LOOK
        looked = [] if many else self._selected_rows()
        self.copy_email_action.setEnabled(many or any(self.model.text(r, "email") for r in looked))
        self.copy_phone_action.setEnabled(many or any(self.model.text(r, "phone") for r in looked))
        self.export_selected_action.setEnabled(picked >= 1)
        for action in (self.tag_action, self.untag_action, self.consent_action, self.erase_action):
            action.setEnabled(picked >= 1 and writable)

    def row_menu(self) -> QMenu:
        """The right-click menu of the selected rows, its actions enabled as the selection allows."""
        self._sync_actions()
        writable = not self.workspace.readonly
        menu = QMenu(self)
        menu.addAction(self.open_action)
        menu.addAction(self.merge_action)
        menu.addSeparator()
        menu.addAction(self.copy_email_action)
        menu.addAction(self.copy_phone_action)
        menu.addSeparator()
        menu.addAction(self.export_selected_action)
        menu.addSeparator()
        menu.addAction(self.tag_action)
        menu.addAction(self.untag_action)
        menu.addAction(self.consent_action)
        n = self.model.rowCount()
        everyone = menu.addMenu(f"All {n:,} in the &List")
        everyone.setEnabled(n > 0 and writable)
        everyone.addAction("Add Tag…", lambda: self._bulk("add_tags", everyone=True))
        everyone.addAction("Remove Tag…", lambda: self._bulk("remove_tags", everyone=True))
        everyone.addAction("Record Consent…", lambda: self._bulk("consent", everyone=True))
        menu.addSeparator()
        menu.addAction(self.erase_action)
        return menu

    # -- columns ----------------------------------------------------------------------

    def _restore_columns(self) -> None:
        saved = self.settings.value(COLUMNS_SETTING) if self.settings is not None else None
        if isinstance(saved, str):  # one column comes back from an ini file as a string
            saved = [saved]
        if not saved:
            return
        known = {key for key, _label in self.model.available_columns()}
        keys = [k for k in saved if k in known]
        if keys:
            self.model.set_columns(keys)

    def _fill_columns_menu(self, menu: QMenu) -> None:
        menu.clear()
        shown = set(self.model.columns())
        custom_title = False
        for key, label in self.model.available_columns():
            if key.startswith(CUSTOM) and not custom_title:
                menu.addSection("Custom fields")
                custom_title = True
            action = menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(key in shown)
            action.setData(key)
            # The last column left cannot go: a list with no columns shows nothing to click.
            action.setEnabled(not (key in shown and len(shown) == 1))
            action.toggled.connect(lambda on, k=key: self.set_column_shown(k, on))
        menu.addSeparator()
        menu.addAction("Default Columns", lambda: self.set_columns(DEFAULT_COLUMNS))

    def columns_menu_for_header(self) -> QMenu:
        menu = QMenu(self)
        self._fill_columns_menu(menu)
        return menu

    def _header_menu(self, pos) -> None:
        self.columns_menu_for_header().exec(self.table.horizontalHeader().mapToGlobal(pos))

    def set_column_shown(self, key: str, shown: bool) -> None:
        """Show or hide one column; the columns keep the order of the chooser's list."""
        current = set(self.model.columns())
        current = current | {key} if shown else current - {key}
        order = [k for k, _label in self.model.available_columns()]
        self.set_columns([k for k in order if k in current])

    def set_columns(self, keys) -> None:
        """Show these columns and remember the choice for the next launch."""
        _sort, descending = self.model.sort_key()
        self.model.set_columns(list(keys))
        if self.settings is not None:
            self.settings.setValue(COLUMNS_SETTING, self.model.columns())
        header = self.table.horizontalHeader()
        header.blockSignals(True)  # the ids are in order already: only the arrow moves
        section = self._sort_section()
        header.setSortIndicator(section, Qt.SortOrder.DescendingOrder if descending and section >= 0
                                else Qt.SortOrder.AscendingOrder)
        header.blockSignals(False)
        header.setSortIndicatorShown(section >= 0)
        self._fit_columns()

    def _sort_section(self) -> int:
        sort, _descending = self.model.sort_key()
        columns = self.model.columns()
        return columns.index(sort) if sort in columns else -1

    def _sort_indicator_changed(self, section: int, _order) -> None:
        key = self.model.column_key(section)
        header = self.table.horizontalHeader()
        header.setSortIndicatorShown(True)
        if key is not None and not sortable(key):
            # A custom field's column cannot order the list: the arrow goes back where it was.
            _sort, descending = self.model.sort_key()
            header.blockSignals(True)
            current = self._sort_section()
            header.setSortIndicator(current, Qt.SortOrder.DescendingOrder if descending
                                    else Qt.SortOrder.AscendingOrder)
            header.blockSignals(False)
            header.setSortIndicatorShown(current >= 0)

    # -- fitting ------------------------------------------------------------------------

    def eventFilter(self, watched, event) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._schedule_fit()
        elif (watched is self.table and event.type() == QEvent.Type.FocusIn
              and event.reason() in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason)):
            self._select_current_row()
        elif watched is self.search and event.type() == QEvent.Type.Resize:
            self._fit_search_hint()
        elif (watched is self.search and event.type() == QEvent.Type.KeyPress
              and event.key() == Qt.Key.Key_Down and not event.modifiers()):
            self.go_to_list()
            return True
        return super().eventFilter(watched, event)

    def _fit_search_hint(self) -> None:
        """The longest of :data:`SEARCH_HINTS` the search box can show whole."""
        room = self.search.width() - 20  # its frame and margins (the clear button shows with text only)
        metrics = self.search.fontMetrics()
        self.search.setPlaceholderText(next((hint for hint in SEARCH_HINTS if metrics.horizontalAdvance(hint) <= room),
                                            SEARCH_HINTS[-1]))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._schedule_fit()
        focused = QApplication.focusWidget()
        if getattr(focused, "walking_by_keys", False):
            return  # arrowing through the navigation: the keys stay on it
        if focused is None or not focused.isVisible() or not self.isAncestorOf(focused):
            # Back from a customer's screen the keyboard is where it was on the list (the row
            # opened); shown for the first time, in the search box.
            last = self.focusWidget()
            (last if last is not None and last.isVisibleTo(self) else self.search).setFocus(
                Qt.FocusReason.OtherFocusReason)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._schedule_fit()
        if self.filter_panel.isVisible():
            QTimer.singleShot(0, self, self._fit_filter_panel)

    def _schedule_fit(self) -> None:
        self._fit_timer.start()

    def _channels_widths(self, metrics) -> tuple[int, int]:
        """The widths the first page's channels need: for every customer, and for nine in ten."""
        section = self.model.columns().index("channels")
        widths = sorted(metrics.horizontalAdvance(str(self.model.data(self.model.index(r, section)) or ""))
                        for r in range(min(self.model.rowCount(), 200)))
        if not widths:
            return 100, 100
        widest, usual = widths[-1] + _PADDING, widths[(len(widths) * 9) // 10] + _PADDING
        return min(max(widest, 100), _CHANNELS_MAX), min(max(usual, 100), _CHANNELS_MAX)

    def column_widths(self, available: int) -> list[int]:
        """The width of each shown column to fit ``available`` pixels (wider only when they cannot fit).

        With room to spare, the free-text columns share it.  Short of room,
        Channels first gives up what only its longest rows need, then the
        free-text columns give up theirs, then Channels down to its usual
        content, then the rest, each to a width that still reads; below that
        the list scrolls sideways.
        """
        header = self.table.horizontalHeader()
        metrics, cell_metrics = header.fontMetrics(), self.table.fontMetrics()
        keys = self.model.columns()
        want: list[int] = []
        shares: list[float] = []
        # Per column, the width it may come down to at each step of giving up room.
        floors: list[tuple[int, int, int, int]] = []
        for section, key in enumerate(keys):
            text = str(self.model.headerData(section, Qt.Orientation.Horizontal) or "")
            title = max(metrics.horizontalAdvance(line) for line in text.split("\n")) + _PADDING
            # The narrowest the header reads whole at, wrapped onto its two lines: no column
            # comes down below it ("Last seen" cut to "ast seen").
            whole = min(_two_line_width(metrics, text) + _PADDING, title)
            if key == "channels":
                widest, usual = self._channels_widths(cell_metrics)
                w = max(widest, title)
                usual = max(usual, title)
                least = max(min(usual, 110), whole)
                want.append(w)
                floors.append((usual, usual, least, least))
                shares.append(0.0)
            elif key in _FIXED:
                w = max(_FIXED[key], title)
                want.append(w)
                floors.append((w, w, w, max(min(w, whole, 80), _MIN, whole)))
                shares.append(0.0)
            else:
                share, narrowest = _FLEX.get(key, _CUSTOM_FLEX)
                w = max(narrowest, min(title, 200))
                keeps, last = _FLEX_KEEPS.get(key, (90, 90))
                least = max(min(w, last, title + 40), _MIN, min(whole, w))
                keep = max(min(w, keeps), least)
                want.append(w)
                floors.append((w, keep, keep, least))
                shares.append(share)
        total = sum(want)
        if available >= total:
            extra = available - total
            if not sum(shares):
                return want
            return [w + int(extra * s / sum(shares)) for w, s in zip(want, shares)]
        out = list(want)
        deficit = total - available
        # Phones, numbers and dates cut short only when that makes the list fit: when it
        # scrolls sideways anyway, they may as well be read whole.
        steps = 4 if sum(f[3] for f in floors) <= available else 3
        for step in range(steps):
            room = sum(out[i] - floors[i][step] for i in range(len(out)) if out[i] > floors[i][step])
            if deficit <= 0 or room <= 0:
                continue
            cut = min(1.0, deficit / room)
            for i in range(len(out)):
                if out[i] > floors[i][step]:
                    take = min(out[i] - floors[i][step], -(-int((out[i] - floors[i][step]) * cut * 1000) // 1000))
                    out[i] -= take
                    deficit -= take
        return out

    def _fit_columns(self) -> None:
        available = self.table.viewport().width()
        if available <= 0:
            return
        for section, width in enumerate(self.column_widths(available)):
            self.table.setColumnWidth(section, width)

    # -- list ---------------------------------------------------------------------------

    def _order_later(self) -> bool:
        """A new rule or order on a big list: worked out on the task runner, with the filters asked
        for last (True); a small one is read at once by the model (False)."""
        if self.model.everyone() < BACKGROUND_FILTER:
            return False
        self._ask_list(self._asked or self.model.filters())
        return True

    def _say_consent_filter(self) -> None:
        self.consent_filter.setToolTip(self.consent_filter.currentData(Qt.ItemDataRole.ToolTipRole) or "")

    def _apply_search(self) -> None:
        self._debounce.stop()
        wanted = (self.search.text(), self.channel_filter.currentData(), self.consent_filter.currentData())
        if self.model.asked_with(*wanted) == self.model.shown():
            self._drop_asked()  # back to what the list shows: an answer still to come is moot
            self._update_state()
        elif self.model.everyone() < BACKGROUND_FILTER:
            self._drop_asked()
            self.model.set_filters(*wanted)
            self._update_state()
        else:
            self._ask_list(wanted)

    def _ask_list(self, wanted: tuple[str, str | None, str | None]) -> None:
        """Work out the list for these filters on the task runner; the newest asked is shown."""
        self._asked = wanted
        model, asked = self.model, self.model.asked_with(*wanted)

        def work():
            try:
                return asked, model.query(asked)
            except Exception as exc:  # said on the UI thread, where it is heard
                return asked, exc

        self._lists.ask(work, self._listed)
        self._show_count()

    def _listed(self, answer) -> None:
        asked, ids = answer
        wanted, self._asked = self._asked, None
        if isinstance(ids, UserError):  # a busy workspace: the list stays as it was, and says why
            self._then_listed.clear()
            self._keep_place = False
            self._update_state()
            self.count_label.setText(str(ids))
            return
        if isinstance(ids, Exception):
            self._then_listed.clear()
            self._keep_place = False
            self._update_state()
            # The list stays as it was: its count, left as before, would pass for the one asked for.
            self.count_label.setText(f"Could not filter the list: {ids}")
            raise ids
        place = self._place() if self._keep_place else None  # where the user is now, in the list as it was
        if not self.model.show_found(asked, ids):
            self._ask_list(wanted)  # the order or the rule changed meanwhile: asked again with them
            return
        self._keep_place = False
        if place is not None:  # read again after a change: the user's place in it stays
            self._put_back(place)
        self._update_state()
        if self._enter_when_listed:
            self._enter_when_listed = False
            self._enter_list()

    def _drop_asked(self) -> None:
        if self._asked is not None:
            self._lists.forget()
            self._asked = None

    def filtering(self) -> bool:
        """True while a search or filter is being worked out (the list shows the one before)."""
        return self._asked is not None

    def selected_spans(self) -> list[tuple[int, int]]:
        """The selected rows as (first, last) spans of the list, in its order, none overlapping.

        Read from the selection's ranges (a select-all is one range), once per change of the
        selection and kept until the next, not row by row.
        """
        if self._spans is None:
            rows = self.model.rowCount()
            ranges = sorted((max(r.top(), 0), min(r.bottom(), rows - 1))
                            for r in self.table.selectionModel().selection() if r.isValid())
            spans: list[tuple[int, int]] = []
            for top, bottom in ranges:
                if top > bottom:
                    continue
                if spans and top <= spans[-1][1] + 1:
                    spans[-1] = (spans[-1][0], max(spans[-1][1], bottom))
                else:
                    spans.append((top, bottom))
            self._spans = spans
        return self._spans

    def selected_count(self) -> int:
        return sum(bottom - top + 1 for top, bottom in self.selected_spans())

    def _selected_rows(self) -> list[int]:
        return [r for top, bottom in self.selected_spans() for r in range(top, bottom + 1)]

    def selected_ids(self) -> list[int]:
        """The selected customers' ids, in the list's order."""
        ids = self.model.ids()
        out: list[int] = []
        for top, bottom in self.selected_spans():
            out.extend(ids[top:bottom + 1])
        return out

    def list_ids(self):
        """Every customer in the list as filtered and sorted now, in its order."""
        return self.model.ids()

    def _selection_changed(self, *_args) -> None:
        self._spans = None  # read again from the selection as it is now
        self._sync_actions()
        self._show_count()

    def _show_count(self) -> None:
        """"320 customers", and "· 2 selected" while several are: what the right-click menu's
        Selected actions (tag, consent, export, merge) will take."""
        rows = self.model.rowCount()
        if self._asked is not None:
            if self._keep_place:  # read again after a change
                self.count_label.setText("Updating…")
                return
            shown = self.model.shown()
            # Only the order is new (a click on a column): the same customers, put in order.
            same = shown is not None and self.model.asked_with(*self._asked)[:4] == shown[:4]
            self.count_label.setText("Sorting…" if same else "Filtering…")
            return
        picked = self.selected_count()
        self.count_label.setText(f"{rows:,} customer{'s' if rows != 1 else ''}"
                                 + (f" · {picked:,} selected" if picked >= 2 else ""))

    def _merge_selected(self) -> None:
        ids = self.selected_ids()
        if len(ids) >= 2 and not self.merge_button.isHidden():
            self.mergeRequested.emit(ids)

    def _activated(self, index) -> None:
        cid = self.model.customer_id(index.row())
        if cid is not None:
            self.customerActivated.emit(cid)

    def refresh(self) -> None:
        # The customer the keyboard was on stays current after the list is read again (a tag
        # added on their card, an import elsewhere), where they still are in the list.
        self._fill_channel_filter()  # an import may have brought a channel of the user's own
        if self.model.everyone() >= BACKGROUND_FILTER:
            # A big list is read again in the background, as a new filter is: the list as it was
            # stays on screen (a merge under a rule over 100,000 customers froze the window for
            # most of a second), and the user's place in it, as it is when the new one is found
            # (a row clicked meanwhile included), is kept then (_listed).
            self._keep_place = True
            self.model.mark_stale()
            self._ask_list(self._asked or self.model.filters())
        else:
            place = self._place()
            self.model.reload()
            if self._asked is not None:  # an answer on its way may have been read before this change
                self._ask_list(self._asked)
            self._update_state()
            self._put_back(place)
        if self.filter_panel.isVisible():
            self._start_count(self.model.rule())
        # An import (here or elsewhere) or an undo may have brought or taken away a channel, a custom
        # field or an event type: the builder offers what there is now, its rows as they were.  A row
        # refused for a channel that has come since then runs, and the list follows it.
        custom_fields, event_types = rule_vocabulary(self.workspace)
        self.builder.set_vocabulary(workspace_channels(self.workspace), custom_fields, event_types)

    def _place(self) -> tuple:
        """Where the user is in the list: the current customer, the selected ones, the scroll, and
        the current row's height in sight (:meth:`_put_back` puts them back after a re-read)."""
        table = self.table
        current = self.model.customer_id(table.currentIndex().row())
        selected = set(self.selected_ids())
        # Where the user had scrolled to stays too: a change made elsewhere while they read the
        # list (the window looks every few seconds) must not move it under their eyes.  The
        # current customer, when in sight, stays at the same height; else the list stays put.
        scrolled = table.verticalScrollBar().value(), table.horizontalScrollBar().value()
        was_at = table.currentIndex().row()
        in_sight = was_at >= 0 and 0 <= table.rowViewportPosition(was_at) < table.viewport().height()
        seen_at = table.rowViewportPosition(was_at) if in_sight else 0
        return current, selected, scrolled, was_at, in_sight, seen_at

    def _put_back(self, place: tuple) -> None:
        """The current customer, the selected ones still in the list and the scroll, as
        :meth:`_place` took them before the list was read again."""
        current, selected, scrolled, was_at, in_sight, seen_at = place
        table, bar, model = self.table, self.table.verticalScrollBar(), self.model
        row = None
        ids = model.ids()
        if len(ids) <= 200_000 and (current is not None or selected):
            picked = []
            for i, cid in enumerate(ids):
                if cid == current:
                    row = i
                if cid in selected:
                    picked.append(i)
            chosen = self.table.selectionModel()
            if picked:
                # Every selected customer still there stays selected, as runs of rows.
                selection = QItemSelection()
                start = previous = picked[0]
                for i in picked[1:] + [None]:
                    if i is None or i != previous + 1:
                        selection.select(model.index(start, 0), model.index(previous, model.columnCount() - 1))
                        start = i
                    previous = i
                if row is not None:
                    chosen.setCurrentIndex(model.index(row, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
                chosen.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect
                              | QItemSelectionModel.SelectionFlag.Rows)
            elif row is not None:
                self.table.setCurrentIndex(model.index(row, 0))
        bar.setValue(scrolled[0])
        table.horizontalScrollBar().setValue(scrolled[1])
        if in_sight and row is not None and row != was_at:
            moved = table.rowViewportPosition(row) - seen_at
            per_item = table.verticalScrollMode() == table.ScrollMode.ScrollPerItem
            bar.setValue(bar.value() + (round(moved / max(1, table.rowHeight(row))) if per_item else moved))

    def apply_changes(self, changes) -> None:
        """Re-read the list when a change concerns it (a name, a count, a customer added or gone)."""
        if changes.touches_list():
            self.refresh()

    def _update_state(self) -> None:
        rows = self.model.rowCount()
        searching = self.model.narrowed() or self.model.filtered()
        self.pages.setCurrentIndex(1 if rows or searching else 0)
        self.results.setCurrentIndex(1 if searching and not rows else 0)
        self._show_count()
        self._show_rule_count()  # the list's share of it, when a search or filter narrows it
        if self._asked is None and self._then_listed:  # the list is the one asked for: what waited goes on
            waiting, self._then_listed = self._then_listed, []
            for then in waiting:
                then()
