"""The customer's card: name, contact details, consent, money and more fields, and pinning a value."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from omnidesk.core.campaigns.held import HELD, held_notes
from omnidesk.core.channels import HAND, channel_name
from omnidesk.core.consent import fact_day
from omnidesk.core.importing.custom_fields import CustomValue
from omnidesk.core.money import format_money, with_other_money
from omnidesk.core.phones import display_phone, shown_name
from omnidesk.core.profile import CustomerProfile
from omnidesk.core.provenance import pin_candidates
from omnidesk.core.timeline import workspace_zone
from omnidesk.core.timeutil import computer_zone, local_day
from omnidesk.ui.dialogs.person_dialogs import PinDialog, PinOption
from omnidesk.ui.formatting import nice_date
from omnidesk.ui.models.identifier_table_model import describe_sources, rows_text, sources_by_file
from omnidesk.ui.models.timeline_model import channel_color
from omnidesk.ui.views.customer.widgets import (AmountLabel, ElidedLabel, FlowLayout, HeadingLabel, ValueCell,
                                                 clear_layout, make_chip)

CONSENT_COLORS = {
    "granted": "#2E7D32",
    "pending": "#9E7700",
    "denied": "#6D6D6D",
    "unsubscribed": "#C62828",
    "cleaned": "#C62828",
    HELD: "#A04A00",
}
CONSENT_LABELS = {c: f"{channel_name(c)} consent" for c in ("email", "sms", "whatsapp")}
EMPTY = "—"
PINNED_COLOR = "#5E6B7A"
CHIP_LONGEST = 220  # pixels of a channel's name on its chip; the rest is in its tooltip

# The card's rows that show pinnable golden fields, and the fields behind each.
PIN_ROWS: dict[str, tuple[str, ...]] = {
    "name": ("first_name", "last_name"),
    "email": ("email",),
    "phone": ("phone",),
    "address": ("address",),
    "place": ("city", "region", "postcode", "country"),
    "birthday": ("birthday",),
    "company": ("company",),
}
FIELD_LABELS = {
    "first_name": "First name", "last_name": "Last name", "email": "Email", "phone": "Phone",
    "company": "Company", "address": "Address", "city": "City", "region": "Region",
    "postcode": "Postcode", "country": "Country", "birthday": "Birthday",
}
MORE_FIELD_COLUMNS = 3



class _MoreFields(QWidget):
    """The "More fields" group: each title (a form's question is long) may take up to half its
    column, at least 28 characters' width, so a wide card shows it whole; the answer gets the rest."""

    def __init__(self) -> None:
        super().__init__()
        self.titles: list[QWidget] = []

    def fit_titles(self) -> None:
        least = self.fontMetrics().horizontalAdvance("x" * 28)
        most = max(least, self.width() // MORE_FIELD_COLUMNS // 2 - 10)
        for title in self.titles:
            title.setMaximumWidth(most)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit_titles()


class _Card(QFrame):
    """The card's frame: tells the view when its width changes, so its columns are shared again."""

    def __init__(self, resized) -> None:
        super().__init__()
        self._resized = resized

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._resized()


# The card's value columns (email and the rest; consent and tags; money and dates) and the
# share of a cut each takes when not all of them fit.
VALUE_COLUMNS = {1: 13, 3: 10, 5: 4}


def share_room(room: int, wanted: dict[int, int], weights: dict[int, int],
               least: dict[int, int] | None = None) -> dict[int, int]:
    """Widths for columns that want ``wanted`` pixels out of ``room``: a column that needs less
    than its weighted share gets what it needs, the others split what is left by weight, none
    below its ``least`` (and when everything fits, what is spare goes out by weight too)."""
    least = least or {}
    result: dict[int, int] = {}
    left = dict(wanted)
    remaining = room
    while left:
        total = sum(weights[c] for c in left)
        fits = [c for c in left if left[c] <= remaining * weights[c] / total]
        if not fits:
            short = [c for c in left if remaining * weights[c] / total < least.get(c, 0)]
            if short:  # held at its least, and the rest shared again without it
                for c in short:
                    result[c] = least[c]
                    remaining -= least[c]
                    del left[c]
                continue
            for c in left:
                result[c] = remaining * weights[c] // total
            left = {}
            remaining = 0
            break
        for c in fits:
            result[c] = left.pop(c)
            remaining -= result[c]
    if remaining > 0:
        total = sum(weights.values())
        for c in result:
            result[c] += remaining * weights[c] // total
    return {c: max(1, w) for c, w in result.items()}


def records_from(rows: Sequence) -> str:
    """How many source records and where from: "25 source records from 4 files",
    "1 source record added by hand", "3 source records from 1 file and 1 added by hand"."""
    hand = sum(r.channel == HAND for r in rows)
    files = len({r.source_file for r in rows if r.channel != HAND})
    imported = len(rows) - hand
    plural = "s" if len(rows) != 1 else ""
    if not hand:
        return f"{imported:,} source record{plural} from {files} file{'s' if files != 1 else ''}"
    if not imported:
        return f"{hand:,} source record{plural} added by hand"
    return (f"{len(rows):,} source records: {imported:,} from {files} file{'s' if files != 1 else ''}, "
            f"{hand:,} added by hand")


def _text_width(item) -> int:
    """The width a grid cell's text and chips need whole (its elided labels ask the grid for none)."""
    widget = item.widget()
    if widget is not None:
        return widget.sizeHint().width() if widget.isVisibleTo(widget.parentWidget()) else 0
    layout = item.layout()
    if layout is None:
        return item.sizeHint().width()
    parts = [_text_width(layout.itemAt(i)) for i in range(layout.count())]
    parts = [w for w in parts if w]
    return sum(parts) + layout.spacing() * max(0, len(parts) - 1)


class CardMixin:
    """The card of :class:`CustomerView` (built, filled, and its pin menus)."""

    def _build_card(self) -> QFrame:
        card = _Card(self._share_card_columns)
        card.setObjectName("customerCard")
        card.setFrameShape(QFrame.Shape.StyledPanel)
        outer = QVBoxLayout(card)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(4)

        self.name_label = HeadingLabel()
        self.name_label.setObjectName("customerName")
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.7)
        font.setBold(True)
        self.name_label.setFont(font)
        self.name_label.setMinimumHeight(self.name_label.fontMetrics().height() + 4)
        # As wide as the name, no wider, so "pinned" and the pin menu sit right after it; a name
        # too long for the row beside them goes on a second line (broken after a space or a
        # hyphen), and only one too long for two ends in "…".
        self.name_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        # The channels go on a line of their own under the name (and on more lines when many):
        # beside it they took its room on a narrow window, down to "M…".
        self.chips = FlowLayout(spacing=4)
        self.pin_marks: dict[str, QLabel] = {}
        self.pin_buttons: dict[str, QToolButton] = {}
        self.pin_menus: dict[str, QMenu] = {}
        self.pin_controls: dict[str, QWidget] = {}
        name_row = QHBoxLayout()
        name_row.setSpacing(6)
        name_row.addWidget(self.name_label)
        # Level with the name's first line when it takes two.
        name_row.addWidget(self._pin_controls("name", self.name_label), 0, Qt.AlignmentFlag.AlignTop)
        name_row.addStretch(1)
        outer.addLayout(name_row)
        outer.addLayout(self.chips)

        self.subtitle = ElidedLabel()
        self.subtitle.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        outer.addWidget(self.subtitle)
        outer.addSpacing(6)

        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(3)
        self.fields: dict[str, ElidedLabel] = {}
        self.value_cells: dict[str, ValueCell] = {}
        column_a = ("email", "Email"), ("phone", "Phone"), ("address", "Address"), ("place", "Place"), \
            ("birthday", "Birthday"), ("company", "Company")
        column_c = ("spend", "Total spend"), ("orders", "Total orders"), ("first_seen", "First seen"), \
            ("last_seen", "Last seen"), ("preferred", "Main channel")
        for row, (key, title) in enumerate(column_a):
            self._add_field(grid, row, 0, key, title)
        self.consent_rows: dict[str, tuple[QLabel, QHBoxLayout, ElidedLabel]] = {}
        # WhatsApp consent is rare: it goes below the tags so an empty row leaves no gap.
        for row, channel in zip((0, 1, 3), ("email", "sms", "whatsapp")):
            title = self._title(CONSENT_LABELS[channel])
            box = QHBoxLayout()
            box.setSpacing(6)
            text = ElidedLabel()
            # The date is never cut: the file's name after it is what a narrow card gives up.
            text.setMinimumWidth(card.fontMetrics().horizontalAdvance("as of 30 Sep 2026") + 4)
            box.addWidget(text, 1)
            grid.addWidget(title, row, 2)
            grid.addLayout(box, row, 3)
            self.consent_rows[channel] = (title, box, text)
        self._add_field(grid, 2, 2, "tags", "Tags")
        for row, (key, title) in enumerate(column_c):
            self._add_field(grid, row, 4, key, title)
        # The consent and tags, and the money and dates, as (title, value) of each row (a value may be
        # a layout): under the first column instead when side by side they would not fit the window
        # (a large font on a laptop: _stack_card).
        self.card_column_b = [(grid.itemAtPosition(row, 2).widget(),
                               grid.itemAtPosition(row, 3).widget() or grid.itemAtPosition(row, 3).layout())
                              for row in range(4)]
        self.card_column_c = [(grid.itemAtPosition(row, 4).widget(), grid.itemAtPosition(row, 5).widget())
                              for row in range(len(column_c))]
        self.card_stacked = 0  # 0: three columns side by side; 1: money and dates under; 2: one column
        self._restack_timer = QTimer(card)
        self._restack_timer.setSingleShot(True)
        self._restack_timer.setInterval(0)
        self._restack_timer.timeout.connect(self._restack)
        # What each channel adds to the orders and spend, and from which file: one line each.
        self.money_title = self._title("Counted")
        self.money_title.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.money_lines = QVBoxLayout()
        self.money_lines.setSpacing(1)
        grid.addWidget(self.money_title, len(column_a), 0)
        grid.addLayout(self.money_lines, len(column_a), 1, 1, 5)
        # Emails and consent sources are long, spend and dates short: the space goes where the
        # text is, so a narrow window still shows the email address whole (and its pin menu;
        # a pinned one may be cut there, whole in its tooltip), and a wide one shows a long
        # email whole rather than leaving the room to an empty consent column.
        for column, weight in VALUE_COLUMNS.items():
            grid.setColumnStretch(column, weight)
        self.card_grid, self.card_rows = grid, len(column_a)
        # ...but a date or an amount is never cut.
        self._date_width = card.fontMetrics().horizontalAdvance("30 Sep 2026 ·") + 8
        grid.setColumnMinimumWidth(5, self._date_width)
        grid.setColumnMinimumWidth(2, 0)
        # Nor a phone number and its ⋯ after it: the emails' and phones' column never gives all of
        # its room away (a long email is cut there, whole in its tooltip).
        pin = max((button.sizeHint().width() for button in self.pin_buttons.values()), default=0)
        self._phone_width = card.fontMetrics().horizontalAdvance("(000) 000-0000") + ValueCell.SPACING + pin
        grid.setColumnMinimumWidth(1, self._phone_width)
        outer.addLayout(grid)
        # Why a channel shows "held": whole, wrapped, under the rows it explains.
        self.held_note = QLabel()
        self.held_note.setObjectName("heldNote")
        self.held_note.setWordWrap(True)
        self.held_note.setTextFormat(Qt.TextFormat.PlainText)
        self.held_note.setStyleSheet(f"QLabel#heldNote {{ color: {CONSENT_COLORS[HELD]}; }}")
        self.held_note.setVisible(False)
        outer.addWidget(self.held_note)
        outer.addWidget(self._build_more_fields())
        # Never held to the height it asks for with the name on one line: a name that wraps takes
        # its second line from there, and the rows under it were squeezed and cut.  The tabs below
        # (stretch 1) take the room to spare; where there is none, the card and tabs scroll.
        card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        return card

    def _build_more_fields(self) -> QWidget:
        """The "More fields" group: the columns no field was mapped to (hidden when there are none)."""
        self.more_fields = _MoreFields()
        self.more_fields.setObjectName("moreFields")
        box = QVBoxLayout(self.more_fields)
        box.setContentsMargins(0, 6, 0, 0)
        box.setSpacing(3)
        heading = QLabel("More fields")
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        heading.setToolTip("Columns of the imported files that no field was mapped to, "
                           "each as the latest import gives it")
        box.addWidget(heading)
        self.more_grid = QGridLayout()
        self.more_grid.setHorizontalSpacing(10)
        self.more_grid.setVerticalSpacing(3)
        for column in range(MORE_FIELD_COLUMNS):
            self.more_grid.setColumnStretch(2 * column + 1, 1)
        box.addLayout(self.more_grid)
        self.more_values: dict[str, ElidedLabel] = {}
        self.more_fields.setVisible(False)
        return self.more_fields

    def _fill_more_fields(self, values: Sequence[CustomValue]) -> None:
        clear_layout(self.more_grid)
        self.more_values = {}
        self.more_fields.titles = []
        per_column = -(-len(values) // MORE_FIELD_COLUMNS) if values else 0
        for n, v in enumerate(values):
            row, column = (n % per_column, n // per_column) if per_column else (0, 0)
            # "What are you shopping for?" is a title as it stands; "Loyalty points" gets a colon.
            title = ElidedLabel(v.name if v.name.endswith(("?", ":")) else f"{v.name}:")
            title.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            title.setToolTip(v.name)
            # A question asked in a form is long; the answer matters more (see _MoreFields).
            title.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
            shown = v.display()
            if v.type == "date" and v.date:
                shown = nice_date(v.date) or shown
            value = ElidedLabel(shown)
            value.setToolTip(f"{v.name}: {shown}\n{v.describe()}")
            self.more_grid.addWidget(title, row, 2 * column)
            self.more_fields.titles.append(title)
            self.more_grid.addWidget(value, row, 2 * column + 1)
            self.more_values[v.name] = value
        self.more_fields.fit_titles()
        self.more_fields.setVisible(bool(values))

    def _card_widths(self) -> tuple[int, int, int]:
        """The least width the card needs with its three columns side by side, with the first two
        (money and dates under them), and with one: every title whole, every value at its least."""
        grid = self.card_grid
        card = grid.parentWidget()

        def least(part) -> int:
            return part.minimumSize().width() if not isinstance(part, QWidget) else part.minimumSizeHint().width()

        column_a = [(grid.itemAtPosition(row, 0).widget(), grid.itemAtPosition(row, 1).widget())
                    for row in range(self.card_rows)]
        widths = []
        for rows, floor in ((column_a, self._phone_width),
                            (self.card_column_b, 0),
                            (self.card_column_c, self._date_width)):
            titles = max((t.sizeHint().width() for t, _v in rows if t is not None), default=0)
            values = max([floor] + [least(v) for _t, v in rows if v is not None])
            widths.append(titles + values + grid.horizontalSpacing())
        outer = card.layout().contentsMargins()
        frame = outer.left() + outer.right() + card.frameWidth() * 2
        a, b, c = widths
        spacing = grid.horizontalSpacing()
        return a + b + c + 2 * spacing + frame, a + b + spacing + frame, max(widths) + frame

    def _card_level(self) -> int:
        """How far the card's columns go under each other at the room the window gives it now."""
        room = self.content_scroll.viewport().width()
        three, two, _one = self._card_widths()
        return 0 if three <= room else 1 if two <= room else 2

    def _restack(self) -> None:
        self._stack_card(self._card_level())
        self._share_card_columns()

    def _stack_card(self, level: int) -> None:
        """Lay the card out side by side (0), with the money and dates in rows under the first
        column (1), or with the consent and tags under it too (2), before "Counted": on a window too
        narrow for all three (a large font at 1024 pixels) the card is read whole, not wider than
        the window and cut at its right."""
        if level == self.card_stacked:
            return
        grid, rows = self.card_grid, self.card_rows
        self.card_stacked = level

        def move(title, value, row: int, column: int, span: int = 1) -> None:
            grid.removeWidget(title)
            if isinstance(value, QWidget):
                grid.removeWidget(value)
                grid.addWidget(value, row, column + 1, 1, span)
            else:
                grid.removeItem(value)
                grid.addLayout(value, row, column + 1, 1, span)
            grid.addWidget(title, row, column)

        at = rows
        # Each column under the first from the level that stacks it, else back beside it.
        for column, stacked_from, home in ((self.card_column_b, 2, 2), (self.card_column_c, 1, 4)):
            for n, (title, value) in enumerate(column):
                if level >= stacked_from:
                    move(title, value, at, 0, 5)
                    at += 1
                else:
                    move(title, value, n, home)
        grid.removeWidget(self.money_title)
        grid.removeItem(self.money_lines)
        grid.addWidget(self.money_title, at, 0)
        grid.addLayout(self.money_lines, at, 1, 1, 5)
        grid.setColumnMinimumWidth(5, 0 if level else self._date_width)
        grid.setColumnStretch(5, 0 if level else VALUE_COLUMNS[5])
        grid.setColumnStretch(3, 0 if level >= 2 else VALUE_COLUMNS[3])

    def _share_card_columns(self) -> None:
        """Stretch the value columns by the width each one's text needs (see :func:`share_room`)."""
        grid = getattr(self, "card_grid", None)
        if grid is None:
            return
        scroll = getattr(self, "content_scroll", None)
        if scroll is not None:
            if self._card_level() != self.card_stacked:
                # Laid out again once this event is over, never in the middle of one (a resize
                # sent while another widget is drawn or grabbed).
                self._restack_timer.start()
                return
            if self.card_stacked:
                return
        card = grid.parentWidget()
        margins = grid.contentsMargins()
        outer = card.layout().contentsMargins()
        titles = 0
        for column in (0, 2, 4):
            titles += max((item.sizeHint().width() for row in range(self.card_rows)
                           if (item := grid.itemAtPosition(row, column)) is not None), default=0)
        room = (card.contentsRect().width() - outer.left() - outer.right() - margins.left() - margins.right()
                - titles - 5 * grid.horizontalSpacing())
        if room <= 0:
            return
        wanted = {column: max((_text_width(item) for row in range(self.card_rows)
                               if (item := grid.itemAtPosition(row, column)) is not None), default=0)
                  for column in VALUE_COLUMNS}
        least = {column: max([grid.columnMinimumWidth(column)]
                             + [item.minimumSize().width() for row in range(self.card_rows)
                                if (item := grid.itemAtPosition(row, column)) is not None])
                 for column in VALUE_COLUMNS}
        wanted = {column: max(width, least[column]) for column, width in wanted.items()}
        for column, width in share_room(room, wanted, VALUE_COLUMNS, least).items():
            if grid.columnStretch(column) != width:
                grid.setColumnStretch(column, width)

    def _title(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return label

    def _add_field(self, grid: QGridLayout, row: int, column: int, key: str, title: str) -> None:
        # The total spend's amount is never cut; other currencies after it wrap below it.
        value = AmountLabel() if key == "spend" else ElidedLabel()
        grid.addWidget(self._title(title), row, column)
        if key in PIN_ROWS:
            cell = ValueCell(value, self._pin_controls(key, value))
            self.value_cells[key] = cell
            grid.addWidget(cell, row, column + 1)
        else:
            grid.addWidget(value, row, column + 1)
        self.fields[key] = value

    def _pin_controls(self, key: str, value_label: QLabel) -> QWidget:
        """The "pinned" mark and the pin menu of one card row (the menu also opens on right-click)."""
        holder = QWidget()
        box = QHBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        mark = make_chip("pinned", PINNED_COLOR)
        # Smaller than a consent chip: a note on the value, not a fact of its own.
        mark.setStyleSheet(f"QLabel#chip {{ background: {PINNED_COLOR}; color: white; border-radius: 5px; "
                           "padding: 0px 5px; font-weight: 600; }")
        font = mark.font()
        font.setPointSizeF(max(font.pointSizeF() * 0.85, 7.0))
        mark.setFont(font)
        mark.setAlignment(Qt.AlignmentFlag.AlignCenter)
        mark.setVisible(False)
        button = QToolButton()
        button.setObjectName("pinButton")
        button.setText("⋯")
        button.setAutoRaise(True)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setStyleSheet("QToolButton#pinButton::menu-indicator { image: none; width: 0px; }")
        button.setFixedSize(self.fontMetrics().horizontalAdvance("⋯") + 6,
                            max(value_label.fontMetrics().height(), self.fontMetrics().height()) + 2)
        words = " and ".join(FIELD_LABELS[f].lower() for f in PIN_ROWS[key][:2]) \
            if len(PIN_ROWS[key]) <= 2 else "place"
        button.setToolTip(f"Choose which {words} the card shows, and pin it")
        # What a screen reader says for it: not "⋯".
        button.setAccessibleName(f"Choose the {words}")
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        menu = QMenu(button)
        button.setMenu(menu)
        value_label.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        value_label.customContextMenuRequested.connect(
            lambda pos, label=value_label, m=menu: m.popup(label.mapToGlobal(pos)))
        box.addWidget(mark)
        box.addWidget(button)
        holder.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.pin_marks[key] = mark
        self.pin_buttons[key] = button
        self.pin_menus[key] = menu
        self.pin_controls[key] = holder
        return holder

    def _fill_card(self, p: CustomerProfile, records: Sequence) -> None:
        src = p.sources
        shown = shown_name(p.display_name, p.phone, self._region())
        self.name_label.setText(shown)
        name_from = [f"{label} {src[f].describe()}" for f, label in
                     (("full_name", "Full name"), ("first_name", "First name"), ("last_name", "Last name"))
                     if f in src]
        self.name_label.setToolTip("\n".join([shown, *name_from]))
        events = f"{p.event_count:,} event{'s' if p.event_count != 1 else ''}"
        # How the name is read (furigana), where a file said: first, as it is written above a name.
        reading = f"{p.name_reading} · " if p.name_reading else ""
        self.subtitle.setText(f"{reading}Customer #{p.id} · {records_from(records)} · {events}")
        self.subtitle.setToolTip(self.subtitle.text())

        clear_layout(self.chips)
        for channel in p.channels:
            chip = make_chip(channel_name(channel), channel_color(channel), longest=CHIP_LONGEST)
            chip.setToolTip(f"Known on the {channel_name(channel)} channel")
            self.chips.addWidget(chip)

        self._set("email", p.email, src.get("email"))
        self._set("phone", display_phone(p.phone, str(self.workspace.get_setting("default_region") or "")),
                  src.get("phone"))
        self._set("address", p.address, src.get("address"))
        region_post = " ".join(x for x in (p.region, p.postcode) if x)
        place = ", ".join(x for x in (p.city, region_post, p.country) if x)
        place_from = [f"{label} {src[f].describe()}" for f, label in
                      (("city", "City"), ("region", "Region"), ("postcode", "Postcode"), ("country", "Country"))
                      if f in src]
        self._set("place", place, None, "\n".join(place_from))
        self._set("birthday", nice_date(p.birthday), src.get("birthday"))
        self._set("company", p.company, src.get("company"))
        self._set("tags", ", ".join(p.tags), None, "Tags from every source record of this customer")

        # Spend in the shop's currency; other currencies apart, never converted (money.py).
        money = with_other_money(format_money(p.spend_minor, p.currency), p.other_spend)
        parts = [m for m in p.money if m.spend_minor is not None]
        spend_from = ("All channels, each counted once, then added up: "
                      + " + ".join(f"{channel_name(m.channel)} {format_money(m.spend_minor)}" for m in parts)
                      if parts else "")
        if p.other_spend:  # the whole figure too: a narrow card cuts it short
            spend_from = "\n".join(x for x in (money, spend_from, "Amounts in other currencies are shown apart, "
                                                "never converted nor added to the shop's.") if x)
        orders_from = ("All channels, each counted once, then added up: "
                       + " + ".join(f"{channel_name(m.channel)} {m.orders:,}" for m in p.money)
                       if p.money else "")
        self._set("spend", money, None, spend_from if money else "")
        self._set("orders", f"{p.orders:,}" if p.orders else "", None, orders_from if p.orders else "")
        clear_layout(self.money_lines)
        for m in p.money:
            line = ElidedLabel(m.describe(p.currency))
            line.setObjectName(f"money_{m.channel}")
            line.setToolTip("\n".join(x for x in (m.describe(p.currency), m.explain()) if x))
            self.money_lines.addWidget(line)
        self.money_title.setVisible(bool(p.money))
        # Stored in UTC; shown on the day it was where the shop is, as the timeline shows it.
        zone = workspace_zone(self.workspace)
        self._set("first_seen", nice_date(local_day(p.first_seen, zone)), None,
                  f"{p.first_seen} UTC — the earliest dated event, sign-up, consent or visit" if p.first_seen else "")
        self._set("last_seen", nice_date(local_day(p.last_seen, zone)), None,
                  f"{p.last_seen} UTC — the latest dated event, sign-up, consent or visit" if p.last_seen else "")
        self._set("preferred", channel_name(p.preferred_channel) if p.preferred_channel else "", None,
                  "The channel with the most events in the last 12 months" if p.preferred_channel
                  else "No events in the last 12 months")

        notes = held_notes(p.held)
        self.held_note.setText("\n".join(notes))
        self.held_note.setVisible(bool(notes))
        for channel, (title, box, text) in self.consent_rows.items():
            clear_layout(box, keep=1)
            fact = p.consents.get(channel)
            held = p.held.get(channel)
            show = fact is not None or held is not None or channel != "whatsapp"
            title.setVisible(show)
            text.setVisible(show)
            text.setForegroundRole(QPalette.ColorRole.PlaceholderText if fact is None
                                   else QPalette.ColorRole.WindowText)
            if held is not None:
                # Their own yes (or no answer) stands, but nothing is sent to the address: the
                # chip says what the campaigns do, the line their own answer, the note why.
                chip = make_chip(HELD, CONSENT_COLORS[HELD])
                chip.setToolTip("\n".join([held.note(), "Their own answer: " + (
                    fact.describe() if fact is not None else "none on record")]))
                box.insertWidget(0, chip)
            if fact is None:
                text.setText("no answer of their own" if held is not None else EMPTY if show else "")
                text.keep = ""
                text.setToolTip(held.note() if held is not None else "No consent on record for this channel")
                continue
            if held is None:
                chip = make_chip(fact.status, CONSENT_COLORS.get(fact.status, "#6D6D6D"))
                chip.setToolTip(fact.describe())
                box.insertWidget(0, chip)
            # Without a date in the file, when it was imported is when it was last known true.
            # The day the consent rule counts it on, the timeline's: an evening's instant in
            # New York is the next day in UTC.
            when = (nice_date(fact_day(fact, zone or computer_zone())) if fact.occurred_at
                    else f"as of {nice_date(local_day(fact.recorded_at, zone))}" if fact.recorded_at else "")
            own = f"their own: {fact.status}" if held is not None else ""
            # When first: on a narrow card the "…" takes the end of the file's name, not the date.
            text.setText(" · ".join(x for x in (own, when, fact.source_file) if x))
            text.keep = " · ".join(x for x in (own, when) if x)
            text.setToolTip("\n".join([held.note(), "Their own answer: " + fact.describe()])
                            if held is not None else fact.describe())
        self._fill_more_fields(p.custom_fields)
        self._fill_pins()
        self._share_card_columns()

    def _set(self, key: str, value: str, source=None, tooltip: str = "") -> None:
        label = self.fields[key]
        label.setText(value or EMPTY)
        label.setForegroundRole(QPalette.ColorRole.WindowText if value else QPalette.ColorRole.PlaceholderText)
        if source is not None:
            tooltip = source.describe()
        label.setToolTip(tooltip if value else "Not on record")

    def _region(self) -> str:
        return str(self.workspace.get_setting("default_region") or "")

    # -- pinned values -------------------------------------------------------------

    def _fill_pins(self) -> None:
        """Mark pinned rows and rebuild each row's pin menu."""
        for key, fields in PIN_ROWS.items():
            pinned = [f for f in fields if f in self.pins]
            mark = self.pin_marks[key]
            mark.setVisible(bool(pinned))
            # Nothing on record and nothing pinned: there is nothing to choose from.
            has_value = self.profile is not None and any(getattr(self.profile, f) for f in fields)
            self.pin_buttons[key].setVisible((has_value or bool(pinned)) and not self.read_only)
            label = self.name_label if key == "name" else self.fields[key]
            if pinned:
                what = " and ".join(FIELD_LABELS[f].lower() for f in pinned)
                mark.setToolTip(f"You pinned the {what}: later imports do not change it")
                lines = [f"{FIELD_LABELS[f]} pinned by you: later imports do not change it" for f in pinned]
                label.setToolTip("\n".join([*lines, label.toolTip()]))
            menu = self.pin_menus[key]
            menu.clear()
            for f in fields:
                action = menu.addAction(f"Choose {FIELD_LABELS[f].lower()}…")
                action.setObjectName(f"choose:{f}")
                action.triggered.connect(lambda _checked=False, f=f: self.choose_value(f))
            if pinned:
                menu.addSeparator()
            for f in pinned:
                action = menu.addAction(f"Unpin {FIELD_LABELS[f].lower()} (let the sources decide)")
                action.setObjectName(f"unpin:{f}")
                action.triggered.connect(lambda _checked=False, f=f: self.unpin(f))
            self.pin_controls[key].adjustSize()
            if key in self.value_cells:
                self.value_cells[key].relayout()

    def pin_action(self, field: str, kind: str = "choose"):
        """The menu action that chooses (``kind="choose"``) or unpins a field; None when absent."""
        key = next(k for k, fields in PIN_ROWS.items() if field in fields)
        return next((a for a in self.pin_menus[key].actions() if a.objectName() == f"{kind}:{field}"), None)

    def _shown_value(self, field: str, value: str) -> str:
        if field == "phone":
            return display_phone(value, self._region()) or value
        if field == "birthday":
            return nice_date(value) or value
        return value

    def pin_dialog(self, field: str) -> PinDialog:
        """The chooser for ``field``: every value the customer's records carry, each with its sources."""
        assert self.customer_id is not None and self.profile is not None
        options = []
        for c in pin_candidates(self.workspace, self.customer_id, field):
            found_in = describe_sources(c.sources, files=1).removeprefix("from ")
            if len(c.sources) > 1:
                found_in = f"{len(c.sources)} records: {found_in}"
            details = "\n".join(f"{f} {rows_text(nos, limit=30)} ({ch})" for f, ch, nos in sources_by_file(c.sources))
            options.append(PinOption(c.value, self._shown_value(field, c.value), found_in, details))
        current = getattr(self.profile, field) or ""
        return PinDialog(FIELD_LABELS[field], self.profile.display_name, options, current,
                         self.pins.get(field), self)

    def ask_pin(self, field: str) -> tuple[str, str | None] | None:
        """Ask which value to pin: ("pin", value), ("unpin", None), or None when cancelled."""
        dialog = self.pin_dialog(field)
        try:
            accepted = dialog.exec() == PinDialog.DialogCode.Accepted
            return dialog.choice if accepted else None
        finally:
            dialog.deleteLater()

    def choose_value(self, field: str) -> None:
        if self.customer_id is None or self.profile is None:
            return
        choice = self.ask_pin(field)
        if choice is None:
            return
        action, value = choice
        self._pin(field, value if action == "pin" else None)

    def unpin(self, field: str) -> None:
        if self.customer_id is not None:
            self._pin(field, None)

    def _pin(self, field: str, value: str | None) -> None:
        assert self.customer_id is not None
        if self.read_only:
            return
        customer_id = self.customer_id
        if self.operations.pin(customer_id, field, value):  # the card redraws as the change is announced
            self.customerChanged.emit(customer_id)
