"""The Review queue: pairs that may be one person, side by side, decided with one key."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedLayout,
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
from omnidesk.core.identity.merge import ReviewItem, list_reviews
from omnidesk.core.identity.resolve import model_from_settings
from omnidesk.core.identity.scoring import Model, confidence_words, score_hint
from omnidesk.core.workspace import Workspace
from omnidesk.ui.formatting import nice_date
from omnidesk.ui.widgets.empty_state import EmptyState

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


class ReviewView(QWidget):
    """Emits the user's decisions; the main window runs them as undoable commands."""

    acceptRequested = Signal(int)  # review id
    rejectRequested = Signal(int)
    skipRequested = Signal(int)
    acceptAboveRequested = Signal(float)

    def __init__(self, workspace: Workspace, parent=None) -> None:
        super().__init__(parent)
        self._zone = None  # the shop's time zone and region, read in refresh()
        self._region = ""
        self._model = Model()  # the workspace's thresholds, read in refresh()
        self.workspace = workspace
        self.items: list[ReviewItem] = []

        self.count_label = QLabel()
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0, 100)
        self.threshold.setDecimals(1)
        self.threshold.setSuffix(" bits")
        self.threshold.setToolTip("Evidence score: each bit doubles the odds that the pair is one person")
        self.bulk_button = QPushButton("Accept all at or above")
        self.bulk_button.clicked.connect(lambda: self.acceptAboveRequested.emit(self.threshold.value()))
        top = QHBoxLayout()
        top.addWidget(self.count_label, 1)
        top.addWidget(self.bulk_button)
        top.addWidget(self.threshold)

        self.pairs = QListWidget()
        self.pairs.setMinimumWidth(240)
        # Long names are cut with an ellipsis (the tooltip has them whole), not scrolled sideways.
        self.pairs.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.pairs.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.pairs.currentRowChanged.connect(self._show_current)

        self.score_label = QLabel()
        self.score_label.setWordWrap(True)
        self.compare = QTableWidget(len(ROWS), 2)
        self.compare.setVerticalHeaderLabels([label for _, label in ROWS])
        self.compare.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.compare.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.compare.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.compare.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.compare.setWordWrap(True)
        self.accept_button = QPushButton("Same person — merge (A)")
        self.reject_button = QPushButton("Different people (R)")
        self.skip_button = QPushButton("Skip (S)")
        self.accept_button.clicked.connect(lambda: self._decide(self.acceptRequested))
        self.reject_button.clicked.connect(lambda: self._decide(self.rejectRequested))
        self.skip_button.clicked.connect(lambda: self._decide(self.skipRequested))
        for key, button in (("A", self.accept_button), ("R", self.reject_button), ("S", self.skip_button)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(button.click)
        buttons = QHBoxLayout()
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.reject_button)
        buttons.addStretch(1)
        buttons.addWidget(self.skip_button)
        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(8, 0, 0, 0)
        dl.addWidget(self.score_label)
        dl.addWidget(self.compare, 1)
        dl.addLayout(buttons)
        splitter = QSplitter()
        splitter.addWidget(self.pairs)
        splitter.addWidget(detail)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 700])

        page = QWidget()
        pl = QVBoxLayout(page)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.addLayout(top)
        pl.addWidget(splitter, 1)
        self.empty = EmptyState(
            "Nothing to review",
            "Omnidesk merges the records it is sure belong to one person. Pairs it is unsure "
            "about — the same email with different first names, a matching name and postcode "
            "but nothing else — wait here for your decision.",
        )
        self.pages = QStackedLayout(self)
        self.pages.addWidget(self.empty)
        self.pages.addWidget(page)
        self.refresh()

    def current_item(self) -> ReviewItem | None:
        row = self.pairs.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def _decide(self, signal) -> None:
        item = self.current_item()
        if item is not None:
            signal.emit(item.id)

    def refresh(self) -> None:
        keep = self.pairs.currentRow()
        self.items = list_reviews(self.workspace)
        # Read once per refresh, not for every pair looked at.
        self._zone = workspace_zone(self.workspace)
        self._region = str(self.workspace.get_setting("default_region") or "")
        self._model = model_from_settings(self.workspace.get_setting)
        cards = customer_cards(self.workspace, [i.left_id for i in self.items] + [i.right_id for i in self.items])
        self.cards = cards
        self.pairs.blockSignals(True)
        self.pairs.clear()
        for item in self.items:
            left = cards.get(item.left_id, {}).get("display_name", "?")
            right = cards.get(item.right_id, {}).get("display_name", "?")
            # The ids tell apart pairs of namesakes ("Liv Lopez ~ Liv Lopez" three times).
            text = (f"{left}  ~  {right}\n#{item.left_id} ~ #{item.right_id} · "
                    f"{confidence_words(item.score, self._model)}"
                    f"{' · skipped' if item.status == 'skipped' else ''}")
            entry = QListWidgetItem(text)
            entry.setToolTip(f"{left} ~ {right}: " + ", ".join(item.reasons) + f"\n{score_hint(item.score)}")
            self.pairs.addItem(entry)
        self.pairs.blockSignals(False)
        n = len(self.items)
        self.count_label.setText(f"{n:,} pair{'s' if n != 1 else ''} to review")
        if self.items:
            # Rounded down, so the strongest pair is included at the shown precision.
            self.threshold.setValue(math.floor(max(i.score for i in self.items) * 10) / 10)
        self.pages.setCurrentIndex(1 if self.items else 0)
        if self.items:
            self.pairs.setCurrentRow(min(max(keep, 0), n - 1))
            self._show_current(self.pairs.currentRow())

    def apply_changes(self, changes) -> None:
        """Re-read the queue when it changed, or when a customer it shows did (a name, a merge)."""
        shown = {c for i in self.items for c in (i.left_id, i.right_id)}
        # Settings too: the words for how sure a pair is read against the matching thresholds.
        if (changes.reviews or changes.customer_list or changes.settings or changes.everything
                or shown & changes.customers):
            self.refresh()

    def _show_current(self, row: int) -> None:
        item = self.current_item()
        if item is None:
            return
        left, right = self.cards.get(item.left_id, {}), self.cards.get(item.right_id, {})
        self.compare.setHorizontalHeaderLabels([f"Customer {item.left_id}", f"Customer {item.right_id}"])
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
                if (key in EVIDENCE and a and b and (a == b or (isinstance(left.get(key), list)
                                            and set(left.get(key)) & set(right.get(key) or [])))
                        or (key, c) in at_work):
                    cell.setBackground(same)
                self.compare.setItem(r, c, cell)
        words = confidence_words(item.score, self._model)
        self.score_label.setText(f"<b>{words.capitalize()} the same person</b> — " + ", ".join(item.reasons))
        self.score_label.setToolTip(score_hint(item.score))
