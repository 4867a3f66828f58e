"""The Dashboard as a printable PDF: its figures for a period, each chart with the table of its numbers.

Made with reportlab (its own charts, BSD): reach per channel as bars in each
channel's colour, then the tables — channel overlap, journeys, weekly activity,
campaign results, data health — so a partner or an accountant can read it on paper.
Written through a temporary file and renamed, never over a workspace.
"""

from __future__ import annotations

import os
from datetime import date
from xml.sax.saxutils import escape
from pathlib import Path

from omnidesk.core.channels import channel, channel_name
from omnidesk.core.exporting.outfiles import check_output
from omnidesk.core.failures import telling_write_failures
from omnidesk.core.metrics import (
    NOT_SENT,
    Period,
    baseline_label,
    last_weeks,
    lift_label,
    reachable_sentence,
    report,
    shop_today,
    step_label,
)
from omnidesk.core.money import format_money, format_other_money, workspace_currency
from omnidesk.core.workspace import Workspace


def _names(channels: list[str]) -> str:
    """An overlap combination: a set of channels."""
    return " + ".join(channel_name(c) for c in channels) or "(none)"


def _path(steps: list[str]) -> str:
    """A journey: channels in the order they came, then the purchase (the PDF's fonts have no arrow)."""
    return " > ".join("purchase" if c == "purchase" else channel_name(c) for c in steps)


def write_report_pdf(ws: Workspace, out: str | os.PathLike, period: Period = Period(), *, overwrite: bool = False,
                     today: date | None = None) -> Path:
    """Write the report of ``period`` to ``out`` (A4); returns its path."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    out = check_output(out, overwrite=overwrite)
    data = report(ws, period)
    today = today or shop_today(ws)
    currency = workspace_currency(ws)
    styles = getSampleStyleSheet()
    business = str(ws.get_setting("business_name") or "") or ws.name
    span = (f"{period.start or 'the beginning'} to {period.end or 'today'}" if period.start or period.end
            else "everything so far")
    story = [Paragraph(f"{business}: the whole picture", styles["Title"]),
             Paragraph(f"Period: {span}. Made {today.isoformat()} by Omnidesk.", styles["Normal"]),
             Spacer(1, 6 * mm)]

    def table(title: str, header: list[str], rows: list[list], widths=None) -> None:
        story.append(Paragraph(title, styles["Heading2"]))
        if not rows:
            story.append(Paragraph("Nothing yet.", styles["Normal"]))
            story.append(Spacer(1, 4 * mm))
            return
        t = Table([header, *rows], colWidths=widths, repeatRows=1)
        t.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EAED")),
                               ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                               ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                               ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#D0D0D0"))]))
        story.append(t)
        story.append(Spacer(1, 5 * mm))

    reach = data["reach"]
    story.append(Paragraph("Reach per channel", styles["Heading2"]))
    if reach:
        drawing = Drawing(170 * mm, 8 * mm * len(reach) + 10 * mm)
        chart = HorizontalBarChart()
        chart.x, chart.y = 35 * mm, 5 * mm
        chart.width, chart.height = 125 * mm, 8 * mm * len(reach)
        codes = list(reach)[::-1]
        chart.data = [[reach[c] for c in codes]]
        chart.categoryAxis.categoryNames = [channel_name(c) for c in codes]
        chart.valueAxis.valueMin = 0
        chart.bars.strokeColor = None
        for i, code in enumerate(codes):
            chart.bars[(0, i)].fillColor = colors.HexColor(channel(code).color)
        drawing.add(chart)
        story.append(drawing)
    if reach:
        story.append(Spacer(1, 3 * mm))
        story.append(Paragraph(f"Everyone known on each channel, opted out or not. "
                               f"{reachable_sentence(data['reachable'])}.", styles["Normal"]))
    table("", ["Channel", "Customers"], [[channel_name(c), f"{n:,}"] for c, n in reach.items()],
          [80 * mm, 40 * mm])
    table("Channel overlap (each customer once)", ["Channels", "Customers"],
          [[_names(o["channels"]), f"{o['customers']:,}"] for o in data["overlap"][:20]], [120 * mm, 40 * mm])
    table("Journeys to the first purchase", ["Path", "Customers", "Median days"],
          [[_path(j["path"]), f"{j['customers']:,}", "" if j["median_days"] is None else f"{j['median_days']:g}"]
           for j in data["journeys"][:15]], [110 * mm, 30 * mm, 30 * mm])
    small = styles["Normal"].clone("cell", fontSize=8.5, leading=10)

    def cell(text: str):
        """Text that wraps inside its column (a plain string runs into the next one)."""
        return Paragraph(escape(text), small)

    def money(amount: float, others: dict[str, float] | None = None):
        """An amount in the shop's currency; beneath it, money in other currencies, apart, never converted."""
        text = format_other_money(others or {})
        return Paragraph(f"{amount:,.2f}<br/>also {escape(text)}", small) if text else f"{amount:,.2f}"

    weeks: dict[str, list] = {}
    for row in data["activity"]:
        entry = weeks.setdefault(row["week"], [0, 0.0, {}])
        entry[0] += row["events"]
        entry[1] += row["revenue"]
        for code, amount in row.get("other_revenue", {}).items():
            entry[2][code] = entry[2].get(code, 0.0) + amount
    every_other: dict[str, float] = {}
    for _n, _amount, others in weeks.values():
        for code, amount in others.items():
            every_other[code] = every_other.get(code, 0.0) + amount
    # The period's last 26 weeks (to today without an end), quiet ones with their zeros.
    shown = last_weeks(period.end or today, period.start, 26) if weeks else []
    revenue = f"Revenue ({currency})" if currency else "Revenue"
    if every_other:
        table("Activity per week (every channel)", ["Week", "Events", revenue, "Other currencies"],
              [[w, f"{weeks.get(w, (0, 0))[0]:,}", f"{weeks.get(w, (0, 0.0))[1]:,.2f}",
                cell(format_other_money(weeks.get(w, (0, 0.0, {}))[2]))] for w in shown],
              [30 * mm, 30 * mm, 40 * mm, 70 * mm])
        story.append(Paragraph(escape(
            f"Revenue in the period: {format_money(round(sum(w[1] for w in weeks.values()) * 100), currency)}, "
            f"and apart, never converted: {format_other_money(every_other)}."), styles["Normal"]))
        story.append(Spacer(1, 5 * mm))
    else:
        table("Activity per week (every channel)", ["Week", "Events", revenue],
              [[w, f"{weeks.get(w, (0, 0))[0]:,}", f"{weeks.get(w, (0, 0.0))[1]:,.2f}"] for w in shown],
              [50 * mm, 40 * mm, 40 * mm])

    def share(value):
        return "" if value is None else f"{value:.1%}"

    # The baseline: the customers held out of the step (else those a guard left out) and how they bought.
    table("Campaign results, beside their baseline",
          ["Campaign", "Channel", "Sent", "Orders", "Revenue", "Conv.", "Baseline", "Orders", "Revenue", "Conv.",
           "Lift"],
          [[cell(step_label(c)), channel_name(c["channel"]), f"{c['recipients']:,}", "", "", "", NOT_SENT, "", "", "",
            ""]
           if not c.get("sent", True) else
           [cell(step_label(c)), channel_name(c["channel"]), f"{c['recipients']:,}", f"{c['orders']:,}",
            money(c["revenue"], c.get("other_revenue")),
            share(c["conversion"]), baseline_label(c) or "none",
            f"{c['baseline_orders']:,}" if c["baseline_customers"] else "",
            money(c["baseline_revenue"], c.get("baseline_other_revenue")) if c["baseline_customers"] else "",
            share(c["baseline_conversion"]),
            lift_label(c["lift"])]
           for c in data["campaigns"]],
          [30 * mm, 16 * mm, 12 * mm, 12 * mm, 17 * mm, 13 * mm, 20 * mm, 12 * mm, 17 * mm, 12 * mm, 13 * mm])
    table("Data health", ["", "Count"], [[k.replace("_", " ").capitalize(), f"{v:,}"] for k, v in
                                         data["health"].items()], [80 * mm, 40 * mm])

    partial = out.with_name(f".{out.name}.partial")
    with telling_write_failures(out):
        try:
            SimpleDocTemplate(str(partial), pagesize=A4, title=f"{business} report", author="Omnidesk",
                              leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=16 * mm
                              ).build(story)
            os.replace(partial, out)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return out
