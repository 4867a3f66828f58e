"""The Dashboard's campaign results table: its columns, what each means, and one step's cells."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QHeaderView, QStyle, QStyledItemDelegate

from omnidesk.core import metrics
from omnidesk.core.channels import channel_name
from omnidesk.core.money import format_money, format_other_money

# The Campaign cell's parts, (campaign name, the step's day and time, the same shorter): what StepDelegate draws.
STEP_PARTS = Qt.ItemDataRole.UserRole + 1

LINE_BREAK = "\u2028"  # where a cell's drawn text goes on to its next line

# Short headers, each explained in its tip: eleven columns fit a narrow window without scrolling.
CAMPAIGN_COLUMNS = ("Campaign", "Channel", "Recipients", "Orders", "Revenue", "Conv.", "Baseline",
                    "Base orders", "Base revenue", "Base conv.", "Lift")
_BASELINE = ("the customers the plan held out of the step; with none held out, those quiet hours or a cap left "
             "out and who got no other step (never those out for consent or a missing address)")
CAMPAIGN_TIPS = {5: "Orders over recipients",
                 6: f"The baseline: {_BASELINE}",
                 7: "The baseline's orders in the same window from the step's time, one per customer",
                 8: "The baseline's revenue in the same window, net of refunds",
                 9: "The baseline's orders over its customers",
                 10: "Conversion less the baseline's conversion, in percentage points"}


def campaign_cells(c: dict, currency: str | None) -> tuple[str, ...]:
    """One step of metrics.campaign_results as the table's row of text, baseline beside it."""
    def share(value) -> str:
        return "" if value is None else f"{value:.1%}"

    def money(amount: float, others: dict | None) -> str:
        """The shop's currency, then any other apart, never converted: "0.00 USD · 80.00 EUR"."""
        return " · ".join(x for x in (format_money(round(amount * 100), currency), format_other_money(others or {})) if x)

    base = c.get("baseline_customers", 0)
    if not metrics.sent_to_people(c):  # a post: nobody's orders are counted for it
        return (metrics.step_label(c), channel_name(c["channel"]), metrics.WHOEVER_LOOKS, "", "", "",
                metrics.NOT_COUNTED if c.get("sent", True) else metrics.NOT_SENT, "", "", "", "")
    if not c.get("sent", True):  # planned, not sent: nothing to count yet
        return (metrics.step_label(c), channel_name(c["channel"]), f"{c['recipients']:,}", "", "", "",
                metrics.NOT_SENT, "", "", "", "")
    return (metrics.step_label(c), channel_name(c["channel"]), f"{c['recipients']:,}", f"{c['orders']:,}",
            money(c["revenue"], c.get("other_revenue")), share(c["conversion"]),
            metrics.baseline_or_status(c),
            f"{c['baseline_orders']:,}" if base else "",
            money(c["baseline_revenue"], c.get("baseline_other_revenue")) if base else "",
            share(c.get("baseline_conversion")), metrics.lift_label(c.get("lift")))


def step_tip(c: dict) -> str:
    """The Campaign cell's whole text, for its tooltip: the campaign's name, then its step."""
    when = metrics.step_when(c)
    status = "" if c.get("sent", True) else f" ({metrics.NOT_SENT})"
    return f"{c['name']}\n{channel_name(c['channel'])} step{f', {when}' if when else ''}{status}"


def step_parts(c: dict, today: date) -> tuple[str, str, str]:
    """What the Campaign cell draws: the campaign's name, its step's day and time, and the same shorter
    where the cell is narrow: "1 Oct 09:00" in ``today``'s year (the shop's), else whole with its year."""
    when = metrics.step_when(c)
    try:
        at = datetime.fromisoformat(c.get("at") or "")
    except ValueError:
        return c["name"], when, when
    return c["name"], when, (f"{at.day} {at:%b %H:%M}" if at.year == today.year else when)


_LRM = "\u200e"  # a left-to-right mark: invisible, no width


def _own_run(name: str) -> str:
    """A campaign's name as the first part of the cell's left-to-right "<name>, <day and time>": a name
    ending right to left (Hebrew, Arabic) is closed by a left-to-right mark, so the step's day after it
    is not read into its right-to-left run ("15 ,<the name> Nov 2026", the day before the name)."""
    for ch in reversed(name):
        direction = unicodedata.bidirectional(ch)
        if direction in ("L", "R", "AL"):
            return name + _LRM if direction != "L" else name
    return name


def _text_margin(widget) -> int:
    """The room Qt leaves each side of an item's text: its focus frame's margin and a pixel."""
    style = widget.style() if widget is not None else QApplication.style()
    return style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1


class StepDelegate(QStyledItemDelegate):
    """Draws the Campaign cell so that a long campaign name gives way and its step's date never does:
    the name cut short on one line and the date under it where the row has room for two, else
    "Autumn loyalty wee…, 1 Oct 2026 09:00" (two steps of one campaign read apart however narrow
    the column); where the date and time do not fit whole, this year's step drops its year
    ("1 Oct 09:00").  :class:`StepColumn` keeps the column wide enough for that.  The cell's own
    text, which a screen reader reads, stays whole."""

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        parts = index.data(STEP_PARTS)
        if not parts or not parts[1] or option.rect.width() <= 0:
            return
        name, when, short = parts
        room = option.rect.width() - 2 * _text_margin(option.widget)
        metrics_ = option.fontMetrics
        if metrics_.horizontalAdvance(option.text) <= room:
            option.text = f"{_own_run(name)}, {when}"  # the cell's own text, a right-to-left name closed
            return
        if option.rect.height() >= 2 * metrics_.lineSpacing():
            # Room for two lines: the name on the first (cut short if it must), the date under it.
            # A line separator, not "\n": the style lays the text out wrapped at words, where "\n" is a space
            # (the date's day would run onto the name's line and its year under it).
            when = when if metrics_.horizontalAdvance(when) <= room else short
            option.text = (f"{_own_run(metrics_.elidedText(name, Qt.TextElideMode.ElideRight, room))}"
                           f"{LINE_BREAK}{when}")
            return
        tail = f", {when}"
        if metrics_.horizontalAdvance(f"…{tail}") > room:
            tail = f", {short}"
        short_name = metrics_.elidedText(name, Qt.TextElideMode.ElideRight,
                                         max(0, room - metrics_.horizontalAdvance(tail)))
        option.text = f"{_own_run(short_name) or '…'}{tail}"

    def least_width(self, index, font_metrics) -> int:
        """The narrowest the column may be for this cell's step to be drawn whole: its shorter date on
        a line of its own, with the text's margins."""
        parts = index.data(STEP_PARTS)
        if not parts or not parts[1]:
            return 0
        return font_metrics.horizontalAdvance(parts[2]) + 2 * _text_margin(self.parent())


@contextmanager
def sized_once(table) -> Iterator[None]:
    """Fill ``table`` with its columns sized to their contents once, at the end: a column sized to its
    contents measures every row again at each cell set, which for 150 campaigns' steps held the window
    for seconds."""
    header = table.horizontalHeader()
    fitted = [col for col in range(header.count())
              if header.sectionResizeMode(col) == QHeaderView.ResizeMode.ResizeToContents]
    for col in fitted:
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
    try:
        yield
    finally:
        for col in fitted:
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)


class StepColumn(QObject):
    """The Campaign column takes the room the other columns leave, as a stretched column would, but
    never less than its steps' dates need: in a window too narrow for that, the table scrolls
    sideways rather than cut a date short."""

    def __init__(self, table, delegate: StepDelegate) -> None:
        super().__init__(table)
        self.table, self.delegate = table, delegate
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        header.sectionResized.connect(lambda col, _old, _new: col and self.fit())
        table.viewport().installEventFilter(self)

    def least(self) -> int:
        model, metrics_ = self.table.model(), self.table.fontMetrics()
        widths = (self.delegate.least_width(model.index(row, 0), metrics_) for row in range(model.rowCount()))
        return max(widths, default=0)

    def fit(self) -> None:
        header = self.table.horizontalHeader()
        others = sum(header.sectionSize(col) for col in range(1, header.count()) if not header.isSectionHidden(col))
        width = max(self.least(), self.table.viewport().width() - others, header.minimumSectionSize())
        if header.sectionSize(0) != width:
            header.resizeSection(0, width)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False
