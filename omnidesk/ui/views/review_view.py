"""The Review screen: pairs that may be one person, side by side, decided with one key;
and, on a second tab, the pairs kept apart as different people, each of which can be put back."""

from __future__ import annotations

import html
from bisect import bisect_left

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedLayout,
    QStyledItemDelegate,
    QTableView,
    QTabWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from omnidesk.core.customers import customer_cards
from omnidesk.core.identity.employer import employers, same_employer
from omnidesk.core.channels import channel_name
from omnidesk.core.phones import display_phone
from omnidesk.core.timeline import workspace_zone
from omnidesk.core.timeutil import local_day
from omnidesk.core.identity.merge import ReviewItem, bulk_accept_default, list_reviews, review_count, review_order
from omnidesk.core.identity.resolve import model_from_settings
from omnidesk.core.identity.scoring import Model, pair_confidence, pair_evidence
from omnidesk.core.workspace import Workspace
from omnidesk.ui.formatting import isolated, nice_date
from omnidesk.ui.models.kept_apart_table_model import GONE, KeptApartTableModel
from shiboken6 import isValid

from omnidesk.ui.tasks import Task, TaskRunner
from omnidesk.ui.widgets.buttons import enter_presses
from omnidesk.ui.widgets.empty_state import EmptyState
from omnidesk.ui.widgets.wrap_row import WrapRow

ROWS = [
    ("display_name", "Name"),
    ("all_emails", "Emails"),
    ("all_phones", "Phones"),
    ("address", "Address"),
    ("city", "City"),
    ("postcode", "Postcode"),
    ("birthday", "Birthday"),
    ("company", "Company"),
    ("channels", "Channels"),
    ("orders", "Orders"),
    ("source_count", "Source records"),
    ("last_seen", "Last seen"),
]

# Rows that are evidence of one person; the rest (activity counts, dates) are context, and two
# strangers with one order each do not "agree" on anything.
EVIDENCE = {"display_name", "all_emails", "all_phones", "address", "city", "postcode", "birthday", "company"}


_BREAK_AFTER = str.maketrans({c: c + "\u200b" for c in "@._-+"})


class _AddressesDelegate(QStyledItemDelegate):
    """Draws a cell of email addresses so each can be read whole in a narrow column: a long one
    wraps after its "@" and its dots rather than being cut where the two sides differ, and with
    several, each starts with a bullet so a wrapped one does not read as two.  The item's text
    stays the addresses as they are (copied, read aloud, tested)."""

    def displayText(self, value, locale) -> str:
        lines = str(value or "").splitlines()
        shown = [line.translate(_BREAK_AFTER) for line in lines]
        # Qt draws a line separator, not "\n", as a new line (its own displayText swaps them).
        return "\u2028".join(f"• {line}" for line in shown) if len(shown) > 1 else "".join(shown)


def _text(value, key: str = "", zone=None) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(value)
    if key in ("last_seen", "first_seen"):
        return nice_date(local_day(value, zone))  # stored in UTC; shown on the shop's day
    if key == "birthday":
        return nice_date(value)
    if key == "orders" and not value:
        return ""  # as the list and the card leave it
    return str(value)


def _employer_cells(left: dict, right: dict) -> set[tuple[str, int]]:
    """The (row, side) cells that name the employer both customers share: "Fogline Software" ~ zoe@fogline.com."""
    cells = set()
    sides = (left, right)
    for c, (mine, theirs) in enumerate((sides, sides[::-1])):
        whole = employers(theirs.get("company") or "", theirs.get("all_emails") or [])
        if not whole:
            continue
        if mine.get("company") and same_employer(employers(mine["company"], []), whole):
            cells.add(("company", c))
        if same_employer(employers("", mine.get("all_emails") or []), whole):
            cells.add(("all_emails", c))
    return cells


class _ElidedButton(QPushButton):
    """A button whose text is cut with an ellipsis to fit, not one that grows to fit a long name."""

    def __init__(self) -> None:
        super().__init__()
        self.full_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(80)
        enter_presses(self)

    def set_full_text(self, text: str) -> None:
        self.full_text = text
        self._elide()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        room = max(self.width() - 24, 40)
        self.setText(self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, room))


def _shortcut(key: str, on: QWidget, button: QPushButton) -> QShortcut:
    """``key`` clicks ``button`` while the focus is anywhere in ``on`` (and only there)."""
    shortcut = QShortcut(QKeySequence(key), on)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    shortcut.activated.connect(button.click)
    return shortcut


class ReviewView(QWidget):
    """Emits the user's decisions; the main window runs them as undoable commands."""

    acceptRequested = Signal(int)  # review id
    rejectRequested = Signal(int)
    skipRequested = Signal(int)
    acceptAboveRequested = Signal(float)
    customerActivated = Signal(int)  # customer id: open that customer's screen
    reopenRequested = Signal(object)  # [KeptApart]: not sure any more, review the pair again

    # Alt, not Ctrl: Ctrl+1, Ctrl+2 and Ctrl+3 switch between the screens.
    OPEN_KEYS = ("Alt+1", "Alt+2")
    REOPEN_KEY = "N"
    # Pairs read at a time: the first ones when the screen is shown, the next as the list's end is
    # reached. Each is read with its customers' records and cards, and is an entry in the list.
    PAGE = 2000
    TALLY_PAGE = 20_000  # pairs counted at a time for the bulk button (see _count_all)

    def __init__(self, workspace: Workspace, parent=None, *, runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.total = 0  # pairs in the queue; self.items holds the first of them
        # (score, skipped, for one by one) of every pair, for the bulk button's count when only the
        # first pairs are read: counted off the window's thread (None: not yet).
        self._tally: list[tuple[float, bool, bool]] | Exception | None = None
        self.runner = runner or TaskRunner()
        self._tallying: Task | None = None  # the count in flight; an older one's answer is not heard
        self._filling = False  # refresh() is refilling the list: its scroll bar moving reads nothing
        self._more_asked = False  # the next pairs will be read once the event in hand is handled
        self._zone = None  # the shop's time zone and region, read in refresh()
        self._region = ""
        self._model = Model()  # the workspace's thresholds, read in refresh()
        self.workspace = workspace
        self.items: list[ReviewItem] = []
        self.stale = False  # a change concerned the queue while the screen was not shown
        self._deciding: ReviewItem | None = None  # the pair this screen is deciding (see refresh)
        # Long work runs in the workspace (a bulk accept, say): no decision is taken meanwhile, and
        # the list is read again once it ends (see set_busy).
        self.busy = False
        self._read_after_busy = False
        self.cards: dict[int, dict] = {}

        self.count_label = QLabel()
        self.count_label.setWordWrap(True)
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0, 100)
        self.threshold.setDecimals(1)
        self.threshold.setSuffix(" bits")
        self.threshold.setAccessibleName("Accept all at or above")
        self.threshold.setToolTip("Evidence score: each bit doubles the odds that the pair is one person. "
                                  "Starts at the score an automatic merge needs. Pairs with a conflict "
                                  "(different first names, say), names in two scripts or nothing but a name are never accepted "
                                  "in bulk: decide them one by one.")
        # The user's own value stays while the screen lives; until then it follows the workspace's threshold.
        self._threshold_chosen = False
        self.threshold.valueChanged.connect(self._threshold_edited)
        self.bulk_button = QPushButton("Accept all at or above")
        self.bulk_button.setToolTip(self.threshold.toolTip())
        self.bulk_button.clicked.connect(lambda: self.acceptAboveRequested.emit(self.threshold.value()))
        enter_presses(self.bulk_button)
        top = QHBoxLayout()
        top.addWidget(self.count_label, 1)
        top.addWidget(self.bulk_button)
        top.addWidget(self.threshold)
        # Said while long work runs: why the decisions are off, and until when.
        self.busy_label = QLabel()
        self.busy_label.setObjectName("reviewBusy")
        self.busy_label.setWordWrap(True)
        self.busy_label.setVisible(False)

        self.pairs = QListWidget()
        self.pairs.setAccessibleName("Pairs to review")
        self.pairs.setMinimumWidth(240)
        # Not scrolled sideways: a line too long for the list goes on to the next, so the reason a
        # pair waits ("unsure: different first names") is read whole at the smallest window too.
        self.pairs.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.pairs.setWordWrap(True)
        self.pairs.setTextElideMode(Qt.TextElideMode.ElideRight)  # a single word wider than the list
        # Two lines a pair: banded, so the ids line reads with the names above it, not below.
        self.pairs.setAlternatingRowColors(True)
        self.pairs.currentRowChanged.connect(self._show_current)
        self.pairs.verticalScrollBar().valueChanged.connect(self._scrolled)

        self.score_label = QLabel()
        self.score_label.setWordWrap(True)
        # One button over each column: the customer's own screen, to look closer before deciding.
        self.open_buttons = []
        opens = QHBoxLayout()
        opens.setSpacing(6)
        for side, key in enumerate(self.OPEN_KEYS):
            button = _ElidedButton()
            button.setObjectName(f"openCustomer{side + 1}")
            button.clicked.connect(lambda _c=False, s=side: self._open_side(s))
            self.open_buttons.append(button)
            opens.addWidget(button, 1)
        self.compare = QTableWidget(len(ROWS), 2)
        self.compare.setAccessibleName("The pair side by side")
        self.compare.setVerticalHeaderLabels([label for _, label in ROWS])
        self.compare.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.compare.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.compare.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.compare.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.compare.setWordWrap(True)
        self._addresses = _AddressesDelegate(self.compare)
        self.compare.setItemDelegateForRow([key for key, _ in ROWS].index("all_emails"), self._addresses)
        # Tab leaves the table for the buttons, rather than walking its cells (none selectable).
        self.compare.setTabKeyNavigation(False)
        self.accept_button = QPushButton("Same person — merge (A)")
        self.reject_button = QPushButton("Different people (R)")
        self.skip_button = QPushButton("Skip (S)")
        self.accept_button.clicked.connect(lambda: self._decide(self.acceptRequested))
        self.reject_button.clicked.connect(lambda: self._decide(self.rejectRequested))
        self.skip_button.clicked.connect(self._skip)
        enter_presses(self.accept_button, self.reject_button, self.skip_button)
        # Side by side where they fit, on two lines where not: each button keeps its words.
        buttons = WrapRow()
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.reject_button)
        buttons.addStretch(1)
        buttons.addWidget(self.skip_button)
        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(8, 0, 0, 0)
        dl.addWidget(self.score_label)
        dl.addLayout(opens)
        dl.addWidget(self.compare, 1)
        dl.addLayout(buttons)
        splitter = QSplitter()
        splitter.addWidget(self.pairs)
        splitter.addWidget(detail)
        # A wider window widens the list of pairs too (a third of what it gains), so that two
        # long names and the reasons under them read whole on a big screen.
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([260, 700])

        page = QWidget()
        pl = QVBoxLayout(page)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.addLayout(top)
        pl.addWidget(self.busy_label)
        pl.addWidget(splitter, 1)
        self.empty = EmptyState(
            "Nothing to review",
            "Omnidesk merges the records it is sure belong to one person. Pairs it is unsure "
            "about — the same email with different first names, a matching name and postcode "
            "but nothing else — wait here for your decision.",
        )
        self.review_page = QWidget()
        self.pages = QStackedLayout(self.review_page)
        self.pages.addWidget(self.empty)
        self.pages.addWidget(page)
        # The decision keys act on the pair shown, so only while the queue has the focus:
        # on the other tab "R" must not reject a pair the user cannot see.
        self.decision_keys = [_shortcut(key, self.review_page, button) for key, button in (
            ("A", self.accept_button), ("R", self.reject_button), ("S", self.skip_button))]
        for key, button in zip(self.OPEN_KEYS, self.open_buttons):
            _shortcut(key, self.review_page, button)

        self.apart_page = self._build_apart_page()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.review_page, "To review")
        self.tabs.addTab(self.apart_page, "Kept apart")
        for i in range(2):
            self.tabs.setTabToolTip(i, "Ctrl+Tab switches between the pairs to review and those kept apart")
        self.tabs.currentChanged.connect(lambda _i: self.restore_focus())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.refresh()

    def _build_apart_page(self) -> QWidget:
        self.apart_model = KeptApartTableModel(self.workspace, self)
        self.apart_count = QLabel()
        self.apart_count.setWordWrap(True)
        self.apart_table = QTableView()
        self.apart_table.setAccessibleName("Kept apart")
        self.apart_table.setModel(self.apart_model)
        self.apart_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.apart_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.apart_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.apart_table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # the id at the end stays in sight
        self.apart_table.setWordWrap(False)
        # Rows, not cells, are what is walked: Tab leaves the table and Ctrl+Tab reaches the tabs.
        self.apart_table.setTabKeyNavigation(False)
        self.apart_table.verticalHeader().setVisible(False)
        header = self.apart_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.apart_table.selectionModel().currentRowChanged.connect(lambda *_: self._update_reopen())
        self.apart_model.modelReset.connect(self._update_reopen)
        self.reopen_button = QPushButton(f"Not sure any more — review again ({self.REOPEN_KEY})")
        self.reopen_button.setToolTip("Forget that these are different people and put the pair back in the "
                                      f"review queue ({self.REOPEN_KEY}; Edit › Undo takes it back)")
        self.reopen_button.clicked.connect(self._reopen_current)
        enter_presses(self.reopen_button)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.reopen_button)
        listed = QWidget()
        ll = QVBoxLayout(listed)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.apart_count)
        ll.addWidget(self.apart_table, 1)
        ll.addLayout(bottom)
        self.apart_empty = EmptyState(
            "No pairs kept apart",
            "When you tell Omnidesk that two customers are different people, the pair is listed "
            "here, and Omnidesk never suggests or merges them again. Changed your mind? Put a pair "
            "back in the review queue from here.",
        )
        page = QWidget()
        self.apart_pages = QStackedLayout(page)
        self.apart_pages.addWidget(self.apart_empty)
        self.apart_pages.addWidget(listed)
        self.reopen_key = _shortcut(self.REOPEN_KEY, page, self.reopen_button)
        return page

    def show_kept_apart(self) -> None:
        self.tabs.setCurrentWidget(self.apart_page)

    def restore_focus(self) -> None:
        """Give the keys to the list of the tab shown (back from a customer, or a tab switched)."""
        if self.tabs.currentWidget() is self.apart_page:
            self.apart_table.setFocus()
            if not self.apart_table.currentIndex().isValid() and self.apart_model.rowCount():
                self.apart_table.setCurrentIndex(self.apart_model.index(0, 0))
        else:
            self.pairs.setFocus()

    def current_kept_apart(self):
        return self.apart_model.item(self.apart_table.currentIndex().row())

    def _update_reopen(self) -> None:
        self.reopen_button.setEnabled(self.current_kept_apart() is not None and not self.busy)
        self.reopen_key.setEnabled(not self.busy)

    def set_busy(self, busy: bool, what: str = "") -> None:
        """Long work (``what``: "Accept of 80 pairs at or above 14.0 bits") started or ended in the
        workspace.  Meanwhile each decision would only be refused, and the pairs listed may be the
        ones it is merging: the decisions, their keys, the threshold and the bulk button are off,
        and a line says why.  Once it ends they are on again and the queue is read afresh."""
        self.busy = busy
        why = (f"{what or 'A change'} is still running: the pairs are decided once it finishes "
               "or is cancelled.")
        for button in (self.accept_button, self.reject_button, self.skip_button):
            button.setEnabled(not busy)
            button.setToolTip(why if busy else "")
        for key in self.decision_keys:
            key.setEnabled(not busy)
        self.threshold.setEnabled(not busy)
        self.busy_label.setText(why)
        self.busy_label.setVisible(busy)
        self._update_bulk()
        self._update_reopen()
        if not busy:
            # The focus left nowhere (on the status bar's Cancel, gone now, or on a decision turned
            # off meanwhile): back on the pairs, so A, R and S decide one again.
            focus = self.window().focusWidget()
            if self.isVisible() and (focus is None or not focus.isVisible() or not focus.isEnabled()):
                self.pairs.setFocus()
            # What the work changed reaches the screen right after (a refresh then reads it): the
            # list is read here only when nothing did, so a queue is not read twice.
            self._read_after_busy = True
            QTimer.singleShot(0, self, self._after_busy)

    def _after_busy(self) -> None:
        if not self._read_after_busy or self.busy:
            return
        self._read_after_busy = False
        if self.isVisible():
            self.refresh()
        else:
            self.stale = True

    def _reopen_current(self) -> None:
        item = self.current_kept_apart()
        if item is not None:
            self.reopenRequested.emit([item])

    @staticmethod
    def pair_words(item) -> str:
        """"Anna Lee ~ Mark Lee" for a kept-apart pair, a gone side said so."""
        return " ~ ".join(name if cid is not None else f"({GONE})"
                          for cid, name in ((item.left_id, item.left_name), (item.right_id, item.right_name)))

    def _open_side(self, side: int) -> None:
        item = self.current_item()
        if item is not None:
            self.customerActivated.emit(item.left_id if side == 0 else item.right_id)

    def current_item(self) -> ReviewItem | None:
        row = self.pairs.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def _decide(self, signal) -> None:
        item = self.current_item()
        if item is not None:
            # What the decision changes reaches refresh() while it is made: only that is read again.
            self._deciding = item
            try:
                signal.emit(item.id)
            finally:
                self._deciding = None

    def _skip(self) -> None:
        item = self.current_item()
        if item is not None and item.status == "skipped":
            # Already skipped: nothing to store, and the skipped pairs keep their order, so
            # skipping again would leave the same pair shown; the next one comes instead.
            self.pairs.setCurrentRow((self.pairs.currentRow() + 1) % len(self.items))
            return
        self._decide(self.skipRequested)

    def refresh(self) -> None:
        if self._deciding is not None and self.items and self._refresh_decided(self._deciding):
            return
        self.stale = False
        self._read_after_busy = False
        keep = self.pairs.currentRow()
        shown = self.current_item()
        # The first pairs only, as many pages of them as reach the pair looked at: a queue of
        # 100,000 is read and listed as fast as one of 2,000, its next pairs as the list's end is reached.
        wanted = self.PAGE * (max(keep, 0) // self.PAGE + 1)
        self.total = review_count(self.workspace)
        self.items = list_reviews(self.workspace, limit=wanted)
        if len(self.items) < wanted or self.total < len(self.items):
            self.total = len(self.items)  # all of them (the count read a moment before may differ)
        # Read once per refresh, not for every pair looked at.
        self._zone = workspace_zone(self.workspace)
        self._region = str(self.workspace.get_setting("default_region") or "")
        self._model = model_from_settings(self.workspace.get_setting)
        self.cards = customer_cards(self.workspace, [c for i in self.items for c in (i.left_id, i.right_id)])
        self._filling = True
        self.pairs.blockSignals(True)
        self.pairs.clear()
        self._list(self.items)
        self.pairs.blockSignals(False)
        self._filling = False
        n = self.total
        self._say_count()
        self._count_all()
        if not self._threshold_chosen:
            # Not the strongest pair's score: that is most often a family sharing an email.
            self.threshold.blockSignals(True)
            self.threshold.setValue(bulk_accept_default(self._model))
            self.threshold.blockSignals(False)
        self._update_bulk()
        # The pair looked at stays (back from its customer's screen); once decided or skipped, the next one.
        same = next((r for r, i in enumerate(self.items)
                     if shown is not None and (i.id, i.status) == (shown.id, shown.status)), None)
        self._shown_at(same if same is not None else min(max(keep, 0), n - 1))

    def _shown_at(self, row: int) -> None:
        """The end of a refresh: the list's page (or the empty one), ``row`` current, the tab's count."""
        n = self.total
        keys_here = self._has_keys(self.review_page)
        self.pages.setCurrentIndex(1 if self.items else 0)
        if self.items:
            self.pairs.setCurrentRow(min(max(row, 0), len(self.items) - 1))
            self._show_current(self.pairs.currentRow())
        self.tabs.setTabText(0, f"To review ({n:,})" if n else "To review")
        self._keep_keys(keys_here)
        self._refresh_apart()

    def _refresh_decided(self, decided: ReviewItem) -> bool:
        """After this screen decided ``decided``: the pairs naming either of its customers (the
        decided one gone or skipped, others a merge rewrote or dropped) are read again and put in
        their places, the other pairs read stay as they are; someone deep in a long queue pays for
        a few pairs, not for every page read.  False (nothing done) when the whole list must be read."""
        touched = {decided.left_id, decided.right_id}
        keep = self.pairs.currentRow()
        shown = self.current_item()
        last = review_order(self.items[-1])  # the list holds the queue up to here
        complete = self.complete
        fresh = [i for i in list_reviews(self.workspace, customers=touched)
                 if complete or review_order(i) <= last]
        self.total = review_count(self.workspace)
        gone = [r for r, i in enumerate(self.items) if i.id == decided.id or touched & {i.left_id, i.right_id}]
        if len(gone) == len(self.items) and not fresh and self.total:
            return False  # every pair read was theirs: the next ones are read from the start
        self.stale = False
        self.cards.update(customer_cards(self.workspace, [c for i in fresh for c in (i.left_id, i.right_id)]))
        following = next((i for i in self.items[max(keep, 0) + 1:] if not touched & {i.left_id, i.right_id}), None)
        self._filling = True
        self.pairs.blockSignals(True)
        for r in reversed(gone):
            del self.items[r]
            self.pairs.takeItem(r)
        keys = [review_order(i) for i in self.items]
        for item in sorted(fresh, key=review_order):
            at = bisect_left(keys, review_order(item))
            keys.insert(at, review_order(item))
            self.items.insert(at, item)
            self.pairs.insertItem(at, self._entry(item))
        self.pairs.blockSignals(False)
        self._filling = False
        if complete or self.total < len(self.items):
            self.total = len(self.items)
        self._say_count()
        self._count_all()
        self._update_bulk()
        # The pair looked at when it stays as it was (the decision refused), else the one after it.
        row = next((r for r, i in enumerate(self.items)
                    if shown is not None and (i.id, i.status) == (shown.id, shown.status)), None)
        if row is None and following is not None:
            row = next((r for r, i in enumerate(self.items) if i.id == following.id), None)
        self._shown_at(row if row is not None else min(max(keep, 0), len(self.items) - 1))
        return True

    def _list(self, items: list[ReviewItem]) -> None:
        """Add ``items`` at the end of the list of pairs (their cards read)."""
        for item in items:
            self.pairs.addItem(self._entry(item))

    def _entry(self, item: ReviewItem) -> QListWidgetItem:
        """A pair's line in the list (its cards read)."""
        left = self.cards.get(item.left_id, {}).get("display_name", "?")
        right = self.cards.get(item.right_id, {}).get("display_name", "?")
        # The ids tell apart pairs of namesakes ("Liv Lopez ~ Liv Lopez" three times).
        sure = pair_confidence(item.score, item.reasons, self._model)
        text = (f"{isolated(left)}  ~  {isolated(right)}\n#{item.left_id} ~ #{item.right_id} · {sure.words}"
                f"{' · skipped' if item.status == 'skipped' else ''}")
        entry = QListWidgetItem(text)
        entry.setToolTip(f"{isolated(left)} ~ {isolated(right)}: " + ", ".join(item.reasons) + f"\n{sure.hint}")
        return entry

    def _say_count(self) -> None:
        n, read = self.total, len(self.items)
        if read < n:
            self.count_label.setText(f"Showing the first {read:,} of {n:,} pairs — decide these, or accept in bulk")
            self.count_label.setToolTip("The next pairs are read as you reach the end of the list. Accepting in "
                                        "bulk takes every pair in the queue at or above the score, not only those shown.")
        else:
            self.count_label.setText(f"{n:,} pair{'s' if n != 1 else ''} to review")
            self.count_label.setToolTip("")

    @property
    def complete(self) -> bool:
        """Whether every pair in the queue is read (and listed)."""
        return len(self.items) >= self.total

    def read_more(self) -> None:
        """Read and list the next pairs of the queue (the list's end reached)."""
        if self.complete:
            return
        more = list_reviews(self.workspace, limit=self.PAGE, offset=len(self.items))
        if len(more) < self.PAGE:
            self.total = len(self.items) + len(more)
        self.cards.update(customer_cards(self.workspace, [c for i in more for c in (i.left_id, i.right_id)]))
        self.items.extend(more)
        self._list(more)
        self._say_count()
        self._update_bulk()

    def _ask_more(self) -> None:
        # After the scroll or the key is handled: the list grows under the wheel, the dragged bar or
        # the arrow key, not in the middle of their step; once however often they ask meanwhile.
        if not self._more_asked:
            self._more_asked = True
            QTimer.singleShot(0, self, self._more)

    def _more(self) -> None:
        self._more_asked = False
        self.read_more()

    def _scrolled(self, value: int) -> None:
        bar = self.pairs.verticalScrollBar()
        if not self._filling and value >= bar.maximum() and not self.complete:
            self._ask_more()

    def _count_all(self) -> None:
        """Ask what the bulk button counts of every pair, off the window's thread, when only the first are read.

        Read a page at a time, so that closing the workspace or quitting stops it between two."""
        self._tally = None
        if self._tallying is not None:
            self._tallying.cancel()
            self._tallying = None
        if self.complete:
            return
        workspace, page = self.workspace, self.TALLY_PAGE

        def tally(cancelled):
            yield from ()
            out: list[tuple[float, bool, bool]] = []
            while not cancelled():
                part = list_reviews(workspace, limit=page, offset=len(out))
                out.extend((i.score, i.status == "skipped", i.for_one_by_one) for i in part)
                if len(part) < page:
                    return out
            return None

        task = Task(tally)
        self._tallying = task

        def heard(result) -> None:
            if isValid(self) and self._tallying is task:
                self._tallying = None
                # Could not be counted (the workspace busy): the click asks, naming the pairs.
                self._tally = result if isinstance(result, list) else ValueError()
                self._update_bulk()

        task.signals.finished.connect(heard)
        task.signals.failed.connect(heard)
        self.runner.start(task)

    def _has_keys(self, page: QWidget) -> bool:
        """Whether the keyboard is on ``page`` (or on the tabs while it is shown)."""
        focus = QApplication.focusWidget()
        return focus is not None and (page.isAncestorOf(focus) or (
            focus is self.tabs.tabBar() and self.tabs.currentWidget() is page))

    def _keep_keys(self, had: bool) -> None:
        """A list that emptied (its page shows a message) or came back keeps the keyboard on this screen:
        on the tabs while there is nothing to walk, so Ctrl+Tab still works, else on the list."""
        if not had:
            return
        page = self.tabs.currentWidget()
        if (self.pages if page is self.review_page else self.apart_pages).currentIndex() == 1:
            self.restore_focus()
        else:
            self.tabs.tabBar().setFocus()

    def _refresh_apart(self) -> None:
        row = self.apart_table.currentIndex().row()
        keys_here = self._has_keys(self.apart_page)
        self.apart_model.reload(self._zone)
        total = self.apart_model.total
        self.apart_count.setText(
            f"{total:,} pair{'s' if total != 1 else ''} you said {'are' if total != 1 else 'is'} different "
            "people. Omnidesk never suggests or merges them again.")
        self.apart_pages.setCurrentIndex(1 if total else 0)
        self.tabs.setTabText(1, f"Kept apart ({total:,})" if total else "Kept apart")
        if total:
            while row >= self.apart_model.rowCount() and self.apart_model.canFetchMore():
                self.apart_model.fetchMore()
            row = min(max(row, 0), self.apart_model.rowCount() - 1)
            self.apart_table.setCurrentIndex(self.apart_model.index(row, 0))
        self._keep_keys(keys_here)
        self._update_reopen()

    def apply_changes(self, changes) -> None:
        """Re-read the queue when it changed, or when a customer it shows did (a name, a merge)."""
        shown = {c for i in self.items for c in (i.left_id, i.right_id)}
        # Settings too: the words for how sure a pair is read against the matching thresholds.
        if (changes.reviews or changes.customer_list or changes.settings or changes.everything
                or shown & changes.customers):
            # Every pair and both its cards are read: not for a screen nobody looks at (a merge on
            # the Customers screen), but once it is shown again.
            if self.isVisible():
                self.refresh()
            else:
                self.stale = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.stale:
            self.stale = False
            self.refresh()

    def _show_current(self, row: int) -> None:
        item = self.current_item()
        if item is None:
            return
        if row == len(self.items) - 1 and not self.complete:
            self._ask_more()  # the keys reached the last pair read: the next ones follow
        left, right = self.cards.get(item.left_id, {}), self.cards.get(item.right_id, {})
        self.compare.setHorizontalHeaderLabels([f"Customer #{item.left_id}", f"Customer #{item.right_id}"])
        same = QBrush(QColor(46, 160, 67, 60))
        at_work = _employer_cells(left, right)
        for r, (key, _) in enumerate(ROWS):
            a, b = _text(left.get(key), key, self._zone), _text(right.get(key), key, self._zone)
            if key == "channels":
                a, b = (", ".join(channel_name(c) for c in v.split()) for v in (a, b))
            elif key == "all_phones":
                a, b = ("\n".join(display_phone(x, self._region) for x in v.splitlines()) for v in (a, b))
            for c, value in enumerate((a, b)):
                cell = QTableWidgetItem(value)
                cell.setToolTip(value)  # whole, whatever the column leaves of it
                if (key in EVIDENCE and a and b and (a == b or (isinstance(left.get(key), list)
                                            and set(left.get(key)) & set(right.get(key) or [])))
                        or (key, c) in at_work):
                    cell.setBackground(same)
                self.compare.setItem(r, c, cell)
        for side, (cid, card) in enumerate(((item.left_id, left), (item.right_id, right))):
            name = card.get("display_name") or f"Customer #{cid}"
            self.open_buttons[side].set_full_text(f"Open {isolated(name)} ›")
            self.open_buttons[side].setToolTip(f"Open the screen of {isolated(name)} (#{cid}) — {self.OPEN_KEYS[side]}; "
                                               "Alt+Left comes back to this pair")
        sure = pair_confidence(item.score, item.reasons, self._model)
        self.score_label.setText(f"<b>{html.escape(sure.headline)}</b> — "
                                 + html.escape(", ".join(pair_evidence(item.reasons))))
        self.score_label.setToolTip(sure.hint)

    def _threshold_edited(self, _value: float) -> None:
        self._threshold_chosen = True
        self._update_bulk()

    def _update_bulk(self) -> None:
        """The bulk button says how many pairs it would merge, and is off when none: at the score
        an automatic merge needs, most pairs waiting are those only a person may decide."""
        at = self.threshold.value()
        tally = ([(i.score, i.status == "skipped", i.for_one_by_one) for i in self.items] if self.complete
                 else self._tally)
        if self.busy:
            self.bulk_button.setEnabled(False)
            self.bulk_button.setToolTip(self.busy_label.text())
            return
        if not isinstance(tally, list):
            # Still counting the whole queue (or it could not be counted): the click asks, naming them.
            self.bulk_button.setText("Accept all at or above")
            self.bulk_button.setEnabled(tally is not None)
            self.bulk_button.setToolTip(self.threshold.toolTip() + (
                "" if tally is not None else "\nCounting the pairs at or above this score…"))
            return
        above = [one_by_one for score, skipped, one_by_one in tally if score >= at and not skipped]
        n = sum(1 for one_by_one in above if not one_by_one)
        held = len(above) - n
        self.bulk_button.setText(f"Accept {n:,} pair{'s' if n != 1 else ''} at or above" if n
                                 else "Accept all at or above")
        self.bulk_button.setEnabled(n > 0)
        why = (f"\n{held:,} pair{'s' if held != 1 else ''} with a conflict, names in two scripts or nothing but "
               f"a name {'score' if held != 1 else 'scores'} as much: those are decided one by one." if held else "")
        self.bulk_button.setToolTip(self.threshold.toolTip() + ("" if n else "\nNo pair at or above this score "
                                                                "can be accepted in bulk.") + why)
