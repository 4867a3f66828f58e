"""CustomerTableModel: a lazy table over the workspace's customers.

Holds only the ordered ids; rows are fetched a page at a time when the view
asks for them and kept in a small cache.  Sorting and search re-query SQL.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from omnidesk.core.customers import CustomerRow, customer_ids, customer_rows
from omnidesk.core.channels import channel_name
from omnidesk.core.money import format_money, workspace_currency
from omnidesk.core.phones import display_phone
from omnidesk.core.timeline import workspace_zone
from omnidesk.core.timeutil import local_day
from omnidesk.core.workspace import Workspace
from omnidesk.ui.formatting import nice_date

PAGE = 200
CACHE_PAGES = 20

COLUMNS: list[tuple[str, str]] = [
    ("name", "Name"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("city", "City"),
    ("channels", "Channels"),
    # Every channel counted once and added up (core/money.py): the headers say so.
    ("orders", "Orders, all channels"),
    ("spend", "Spend, all channels"),
    ("last_seen", "Last seen"),
]

_ALL_CHANNELS = {
    "orders": "Orders on every channel, each channel counted once: its lifetime figure or its "
              "order rows (refunded, voided and cancelled ones left out). The card shows each channel.",
    "spend": "Spend on every channel, each channel counted once: its lifetime figure or its "
             "order rows net of refunds. The card shows each channel.",
}


def _format(row: CustomerRow, key: str, zone=None, region: str | None = None) -> str:
    if key == "name":
        return row.name
    if key == "phone":
        return display_phone(row.phone, region)
    if key == "spend":
        return format_money(row.spend_minor)
    if key == "orders":
        return str(row.orders) if row.orders else ""
    if key == "last_seen":
        return nice_date(local_day(row.last_seen, zone))  # the shop's day, as the timeline shows it
    if key == "channels":
        return ", ".join(channel_name(c) for c in row.channels.split())
    return str(getattr(row, key))


class CustomerTableModel(QAbstractTableModel):
    IdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, workspace: Workspace, parent=None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self._ids: Sequence[int] = ()
        self._pages: dict[int, dict[int, CustomerRow]] = {}
        self._search = ""
        self._channel: str | None = None
        self._consent: str | None = None
        self._rule: dict | None = None
        self._sort = "name"
        self._descending = False
        self.reload()

    # -- queries -----------------------------------------------------------------

    def reload(self) -> None:
        """Read the rows again, and the settings they are shown by (they may have changed too)."""
        # The query first: one that fails (a bad rule) leaves the model as it was, not half reset.
        ids = customer_ids(self.workspace, search=self._search, sort=self._sort,
                           descending=self._descending, channel=self._channel,
                           consent=self._consent, rule=self._rule)
        self.beginResetModel()
        self._currency = workspace_currency(self.workspace)
        self._zone = workspace_zone(self.workspace)
        self._region = str(self.workspace.get_setting("default_region") or "")
        self._ids = ids
        self._pages.clear()
        self.endResetModel()

    def set_search(self, text: str) -> None:
        self.set_filters(text, self._channel, self._consent)

    def set_filters(self, search: str, channel: str | None, consent: str | None) -> None:
        if (search, channel, consent) != (self._search, self._channel, self._consent):
            self._search, self._channel, self._consent = search, channel, consent
            self.reload()

    def set_rule(self, rule: dict | None) -> None:
        """Show only the customers a segment rule picks (None: no rule); a bad rule raises RuleError
        and the list stays as it was."""
        if rule != self._rule:
            old, self._rule = self._rule, rule
            try:
                self.reload()
            except Exception:
                self._rule = old
                raise

    def rule(self) -> dict | None:
        return self._rule

    def filtered(self) -> bool:
        return bool(self._channel or self._consent or self._rule)

    def customer_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def _row(self, row: int) -> CustomerRow | None:
        page_no = row // PAGE
        page = self._pages.get(page_no)
        if page is None:
            ids = self._ids[page_no * PAGE:(page_no + 1) * PAGE]
            page = customer_rows(self.workspace, ids)
            if len(self._pages) >= CACHE_PAGES:
                self._pages.pop(next(iter(self._pages)))
            self._pages[page_no] = page
        return page.get(self._ids[row])

    # -- Qt model API ------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._ids)):
            return None
        if role == self.IdRole:
            return self._ids[index.row()]
        if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[index.column()][0] in ("orders", "spend"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self._row(index.row())
        if row is None:
            return None
        return _format(row, COLUMNS[index.column()][0], self._zone, self._region)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS) \
                and role == Qt.ItemDataRole.ToolTipRole and COLUMNS[section][0] in _ALL_CHANNELS:
            return _ALL_CHANNELS[COLUMNS[section][0]]
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            key, label = COLUMNS[section]
            if key == "spend" and self._currency:
                label = label.replace(",", f" ({self._currency}),", 1)
            # Two lines, so the narrow number columns still say what they count.
            return label.replace(", ", "\n", 1) if key in _ALL_CHANNELS else label
        if orientation == Qt.Orientation.Vertical:
            return section + 1
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        sort, descending = COLUMNS[column][0], order == Qt.SortOrder.DescendingOrder
        if (sort, descending) == (self._sort, self._descending):
            return  # the view asks once when it is set up: the ids are in that order already
        self._sort, self._descending = sort, descending
        self.reload()
