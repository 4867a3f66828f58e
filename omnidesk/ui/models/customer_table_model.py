"""CustomerTableModel: a lazy table over the workspace's customers.

Holds only the ordered ids; rows are fetched a page at a time when the view
asks for them and kept in a small cache.  Sorting and search re-query SQL.

The columns shown are a choice (:meth:`CustomerTableModel.set_columns`) from
:data:`AVAILABLE_COLUMNS` and the workspace's custom fields (``custom:NAME``);
custom values are read with their page, for the custom columns shown only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from omnidesk.core.campaigns.held import HELD
from omnidesk.core.customers import (
    SORT_COLUMNS,
    CustomerRow,
    check_list_rule,
    custom_field_names,
    custom_values,
    customer_ids,
    customer_rows,
)
from omnidesk.core.channels import channel_name
from omnidesk.core.money import format_money, workspace_currency
from omnidesk.core.phones import display_phone, shown_name
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
# Shown when chosen (the column chooser), after the columns above, in this order.
EXTRA_COLUMNS: list[tuple[str, str]] = [
    ("tags", "Tags"),
    ("consent_email", "Email consent"),
    ("consent_sms", "SMS consent"),
    ("consent_whatsapp", "WhatsApp consent"),
    ("first_seen", "First seen"),
    ("company", "Company"),
    ("postcode", "Postcode"),
    ("country", "Country"),
]
AVAILABLE_COLUMNS = COLUMNS + EXTRA_COLUMNS
DEFAULT_COLUMNS = [key for key, _label in COLUMNS]
CUSTOM = "custom:"
_LABELS = dict(AVAILABLE_COLUMNS)

_ALL_CHANNELS = {
    "orders": "Orders on every channel, each channel counted once: its lifetime figure or its "
              "order rows (refunded, voided and cancelled ones left out). The card shows each channel.",
    "spend": "Spend on every channel, each channel counted once: its lifetime figure or its "
             "order rows net of refunds. The card shows each channel.",
}


def _format(row: CustomerRow, key: str, zone=None, region: str | None = None, currency: str | None = None) -> str:
    if key == "name":
        return shown_name(row.name, row.phone, region)
    if key == "phone":
        return display_phone(row.phone, region)
    if key == "spend":
        # In the shop's currency as the card shows it ("5,080" in yen), its code in the header.
        return format_money(row.spend_minor, currency, code=False)
    if key == "orders":
        return str(row.orders) if row.orders else ""
    if key in ("last_seen", "first_seen"):
        return nice_date(local_day(getattr(row, key), zone))  # the shop's day, as the timeline shows it
    if key.startswith("consent_"):
        # Their own yes does not reach an address someone sharing it said stop from: as the card.
        return HELD.capitalize() if key[len("consent_"):] in row.held else getattr(row, key).capitalize()
    if key == "channels":
        return ", ".join(channel_name(c) for c in row.channels.split())
    return str(getattr(row, key))


def column_label(key: str) -> str:
    """The header a column key shows (a custom field by its name)."""
    return key[len(CUSTOM):] if key.startswith(CUSTOM) else _LABELS.get(key, key)


def sortable(key: str) -> bool:
    """Whether the list can be put in this column's order (custom fields cannot, yet)."""
    return key in SORT_COLUMNS


class CustomerTableModel(QAbstractTableModel):
    IdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, workspace: Workspace, parent=None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self._ids: Sequence[int] = ()
        self._pages: dict[int, tuple[dict[int, CustomerRow], dict[int, dict[str, str]]]] = {}
        self._columns: list[str] = list(DEFAULT_COLUMNS)
        self._search = ""
        self._channel: str | None = None
        self._consent: str | None = None
        self._rule: dict | None = None
        self._sort = "name"
        self._descending = False
        self._everyone = 0  # the customers in the list when nothing narrows it, as last read
        self._shown: tuple | None = None
        # Set by the view: asked to work the list out off the UI thread for a new rule or order;
        # True when it does (a big list), False to have it read at once.
        self.ask_later: Callable[[], bool] | None = None
        self.reload()

    # -- columns -----------------------------------------------------------------

    def available_columns(self) -> list[tuple[str, str]]:
        """Every column the list can show: the built-in ones, then one per custom field."""
        return AVAILABLE_COLUMNS + [(CUSTOM + name, name) for name in custom_field_names(self.workspace)]

    def columns(self) -> list[str]:
        return list(self._columns)

    def set_columns(self, keys: Sequence[str]) -> None:
        """Show these columns, in this order (unknown built-in keys are left out; at least one stays)."""
        keys = [k for k in dict.fromkeys(keys) if k in _LABELS or (k.startswith(CUSTOM) and len(k) > len(CUSTOM))]
        keys = keys or ["name"]
        if keys != self._columns:
            self.beginResetModel()
            self._columns = keys
            self._pages.clear()
            self.endResetModel()

    def column_key(self, section: int) -> str | None:
        return self._columns[section] if 0 <= section < len(self._columns) else None

    def sort_key(self) -> tuple[str, bool]:
        """The column the ids are in order of, and whether descending."""
        return self._sort, self._descending

    # -- queries -----------------------------------------------------------------

    def asked_with(self, search: str, channel: str | None, consent: str | None) -> tuple:
        """What the list would be asked for with these filters, the rule and the order now."""
        return (search, channel, consent, self._rule, self._sort, self._descending)

    def query(self, asked: tuple) -> Sequence[int]:
        """The ids :meth:`asked_with` describes, in order.  Touches no widget and nothing of the
        model's: it may run on a worker thread while the list stays on screen."""
        search, channel, consent, rule, sort, descending = asked
        return customer_ids(self.workspace, search=search, sort=sort, descending=descending,
                            channel=channel, consent=consent, rule=rule)

    def filters(self) -> tuple[str, str | None, str | None]:
        """The search, channel and consent the list shows now."""
        return self._search, self._channel, self._consent

    def everyone(self) -> int:
        """How many customers the list holds when nothing narrows it (as last read)."""
        return self._everyone

    def reload(self) -> None:
        """Read the rows again, and the settings they are shown by (they may have changed too)."""
        # The query first: one that fails (a bad rule) leaves the model as it was, not half reset.
        asked = self.asked_with(*self.filters())
        self._show(self.query(asked))
        self._shown = asked

    def mark_stale(self) -> None:
        """The rows on screen are older than the workspace (a change is being read): no ask is
        taken for theirs, even one with the same filters (:meth:`shown` is None until found)."""
        self._shown = None

    def shown(self) -> tuple | None:
        """What the rows on screen were found for (:meth:`asked_with`): behind the rule or the order
        while a list for a new one is worked out off the UI thread (:attr:`ask_later`)."""
        return self._shown

    def show_found(self, asked: tuple, ids: Sequence[int]) -> bool:
        """List the ``ids`` :meth:`query` found for ``asked``; False (the list as it was) when the rule or the
        order has changed since they were asked for."""
        if asked[3:] != (self._rule, self._sort, self._descending):
            return False
        self._search, self._channel, self._consent = asked[:3]
        self._show(ids)
        self._shown = asked
        return True

    def _again(self) -> None:
        """Read the rows for the rule and order set now: at once, or, where the view works a big
        list out off the UI thread (:attr:`ask_later`), by asking it to."""
        if self.ask_later is not None and self.ask_later():
            return
        self.reload()

    def _show(self, ids: Sequence[int]) -> None:
        if not (self.narrowed() or self.filtered()):
            self._everyone = len(ids)
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
            if self.ask_later is not None:
                check_list_rule(self.workspace, rule)  # a bad rule is said now, the list as it was
            old, self._rule = self._rule, rule
            try:
                self._again()
            except Exception:
                self._rule = old
                raise

    def rule(self) -> dict | None:
        return self._rule

    def narrowed(self) -> bool:
        """True when a search, a channel or a consent filter narrows the list (a rule aside)."""
        return bool(self._search.strip() or self._channel or self._consent)

    def filtered(self) -> bool:
        return bool(self._channel or self._consent or self._rule)

    def customer_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def ids(self) -> Sequence[int]:
        """Every id in the list, in its order (the array itself: do not change it)."""
        return self._ids

    def _page(self, row: int) -> tuple[dict[int, CustomerRow], dict[int, dict[str, str]]]:
        page_no = row // PAGE
        page = self._pages.get(page_no)
        if page is None and self.workspace.closed:
            return {}, {}  # a list of the workspace the window has just left, still asked to lay out
        if page is None:
            ids = self._ids[page_no * PAGE:(page_no + 1) * PAGE]
            custom = [k[len(CUSTOM):] for k in self._columns if k.startswith(CUSTOM)]
            # The consent columns shown say "held" where the address is (asked for this page only).
            held = [k[len("consent_"):] for k in self._columns if k.startswith("consent_")]
            page = (customer_rows(self.workspace, ids, held),
                    custom_values(self.workspace, ids, custom) if custom else {})
            if len(self._pages) >= CACHE_PAGES:
                self._pages.pop(next(iter(self._pages)))
            self._pages[page_no] = page
        return page

    def _row(self, row: int) -> CustomerRow | None:
        return self._page(row)[0].get(self._ids[row])

    def text(self, row: int, key: str) -> str:
        """What the list shows for ``key`` on ``row`` ("" when nothing)."""
        if not 0 <= row < len(self._ids):
            return ""
        if key.startswith(CUSTOM):
            return self._page(row)[1].get(self._ids[row], {}).get(key[len(CUSTOM):], "")
        found = self._row(row)
        return "" if found is None else _format(found, key, self._zone, self._region, self._currency)

    # -- Qt model API ------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._ids)) \
                or not 0 <= index.column() < len(self._columns):
            return None
        if role == self.IdRole:
            return self._ids[index.row()]
        key = self._columns[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("orders", "spend"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if not key.startswith(CUSTOM) and self._row(index.row()) is None:
            return None
        if role == Qt.ItemDataRole.ToolTipRole and key.startswith("consent_") \
                and key[len("consent_"):] in self._row(index.row()).held:
            return (f"Held: their own answer is {getattr(self._row(index.row()), key) or 'none'}, but someone "
                    "who shares this address said stop, so nothing is sent to it. The card says who.")
        return self.text(index.row(), key)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        key = self.column_key(section) if orientation == Qt.Orientation.Horizontal else None
        if key is not None and role == Qt.ItemDataRole.ToolTipRole:
            if key in _ALL_CHANNELS:
                return _ALL_CHANNELS[key]
            if key.startswith(CUSTOM):
                return (f"Custom field “{column_label(key)}”: each customer's value from the latest "
                        "import that has one.")
            return None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if key is not None:
            label = column_label(key)
            if key == "spend" and self._currency:
                label = label.replace(",", f" ({self._currency}),", 1)
            # Two lines, so the narrow number columns still say what they count.
            return label.replace(", ", "\n", 1) if key in _ALL_CHANNELS else label
        if orientation == Qt.Orientation.Vertical:
            return section + 1
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        key = self.column_key(column)
        if key is None or not sortable(key):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self._sort, self._descending):
            return  # the view asks once when it is set up: the ids are in that order already
        self._sort, self._descending = key, descending
        self._again()
