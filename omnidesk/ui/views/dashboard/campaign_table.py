"""The Dashboard's campaign results table: its columns, what each means, and one step's cells."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate

from omnidesk.core import metrics
from omnidesk.core.channels import channel_name
from omnidesk.core.money import format_money, format_other_money

# The Campaign cell's two parts, (campaign name, the step's day and time): what StepDelegate draws.
STEP_PARTS = Qt.ItemDataRole.UserRole + 1

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


class StepDelegate(QStyledItemDelegate):
    """Draws the Campaign cell so that a long campaign name gives way and its step's date never does:
    the name cut short on one line and the date under it where the row has room for two, else
    "Autumn loyalty wee…, 1 Oct 2026 09:00" (two steps of one campaign read apart however narrow
    the column).  The cell's own text, which a screen reader reads, stays whole."""

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        parts = index.data(STEP_PARTS)
        if not parts or not parts[1] or option.rect.width() <= 0:
            return
        name, when = parts
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        # The room Qt leaves for an item's text: its focus frame's margin and a pixel, each side.
        room = option.rect.width() - 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None,
                                                               widget) + 1)
        metrics_ = option.fontMetrics
        if metrics_.horizontalAdvance(option.text) <= room:
            return
        if option.rect.height() >= 2 * metrics_.lineSpacing():
            # Room for two lines: the name on the first (cut short if it must), the date under it.
            option.text = f"{metrics_.elidedText(name, Qt.TextElideMode.ElideRight, room)}\n{when}"
            return
        tail = f", {when}"
        short = metrics_.elidedText(name, Qt.TextElideMode.ElideRight,
                                    max(0, room - metrics_.horizontalAdvance(tail)))
        option.text = f"{short or '…'}{tail}"
