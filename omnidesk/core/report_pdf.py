"""The Dashboard as a printable PDF: its figures for a period, each chart with the table of its numbers.

Made with reportlab (its own charts, BSD): reach per channel as bars in each
channel's colour, then the tables — channel overlap, journeys, weekly activity,
campaign results, data health — so a partner or an accountant can read it on paper.  It opens
with the period's totals (new customers, events, revenue per currency), as the text report
does, and its activity table lists every week of the period, or every month of one longer than
26 weeks, or every year of one longer than five years (metrics.activity_rows).
Written through a temporary file and renamed, never over a workspace.  Every name the user typed
(the business, campaigns, channels of their own) goes in escaped and in fonts that have its
letters (Latin, Greek, Cyrillic, Hebrew, Arabic, Chinese, Japanese, Korean...), Hebrew and Arabic
read right to left with Arabic letters joined (see pdf_text); a character none of them has
(Devanagari, Thai, emoji...) prints as "?", and whoever writes the report is told which (``warn``);
a table's columns keep their alignment whatever the script of a cell, so that each name stands
under its heading.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

from omnidesk.core.channels import channel, channel_name
from omnidesk.core.errors import UserError
from omnidesk.core.exporting.outfiles import check_output, written_beside
from omnidesk.core.failures import telling_write_failures
from omnidesk.core.metrics import (
    NOT_COUNTED,
    NOT_SENT,
    WHOEVER_LOOKS,
    Period,
    activity,
    activity_rows,
    baseline_label,
    lift_label,
    new_customers,
    new_customers_label,
    period_totals,
    reachable_sentence,
    report,
    sent_to_people,
    shop_today,
    step_when,
    undated_orders_label,
)
from omnidesk.core.money import format_money, format_other_money, workspace_currency
from omnidesk.core.paper import shop_paper
from omnidesk.core.pdf_text import (
    SANS,
    SANS_BOLD,
    drawable,
    label,
    label_font,
    last_strong,
    markup,
    paragraph,
    register_fonts,
    shaped,
    unprintable,
)
from omnidesk.core.text import counted
from omnidesk.core.workspace import Workspace


# A left-to-right mark (invisible, no width): set after a name that ends right to left, it keeps the
# " > " or " + " after it in the left-to-right line, so each name is its own right-to-left run: two
# Hebrew channels side by side would otherwise be read as one run, and drawn swapped.
_LRM = "\u200e"


def _run(name: str) -> str:
    """A channel's name as one part of a left-to-right line of names (a journey, a combination)."""
    return name + _LRM if last_strong(name) in ("R", "AL") else name


def _names(channels: list[str]) -> str:
    """An overlap combination: a set of channels, read left to right (set it with ``rtl=False``)."""
    return " + ".join(_run(channel_name(c)) for c in channels) or "(none)"


JOURNEY_ROWS = 15  # the commonest paths listed; a last row counts the rest and their customers
_LABEL_GAP = 3 * 72 / 25.4  # points between a chart label's end and its bar (the axis draws it 5 points off)


def _fit_label(label: str, font: str, size: float, room: float) -> str:
    """``label``, shortened with an ellipsis to fit ``room`` points in ``font`` at ``size``."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(label, font, size) <= room:
        return label
    while label and stringWidth(label + "…", font, size) > room:
        label = label[:-1]
    return label.rstrip() + "…"


def _path(steps: list[str]) -> str:
    """A journey: channels in the order they came, then the purchase, as the text report writes it,
    read left to right (set it with ``rtl=False``)."""
    return " > ".join("purchase" if c == "purchase" else _run(channel_name(c)) for c in steps)


def _step(c: dict) -> tuple[str, bool | None]:
    """A campaign result's step as the report words it, "Spring sale, 1 Mar 2027 09:00", and its direction.

    A step with a time is one of the report's own left-to-right phrases with the campaign's name a
    run of its own in it: a Hebrew or Arabic name reads right to left, its own number with it, and the
    step's day and time after it, left to right ("2026 <the name, right to left>, 15 Nov 2026").  Read
    in the direction of its first letter, the line came out right to left, the day cut from its
    month: "15 ,2026 <the name>" over "Nov 2026 10:00"."""
    when = step_when(c)
    return (f"{_run(c['name'])}, {when}", False) if when else (c["name"], None)


NO_REACH = "No customers yet: nothing to show on any channel."  # the reach per channel of an empty workspace


def write_report_pdf(ws: Workspace, out: str | os.PathLike, period: Period = Period(), *, overwrite: bool = False,
                     today: date | None = None, warn: Callable[[str], None] | None = None,
                     page: str | None = None) -> Path:
    """Write the report of ``period`` to ``out`` on ``page``, "A4" or "Letter" (None: the shop's
    paper, :func:`omnidesk.core.paper.shop_paper`); returns its path.

    ``warn`` is told, once the report is written, of the characters of the names in it that no
    font it carries has (they print as "?": :func:`unprintable_note`)."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, LETTER
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import CondPageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    from reportlab.platypus.doctemplate import LayoutError

    out = check_output(out, overwrite=overwrite)
    paper = {"A4": A4, "Letter": LETTER}[page or shop_paper(ws)]
    register_fonts()
    data = report(ws, period, journey_limit=None)  # every path counted; the table names the rest
    today = today or shop_today(ws)
    currency = workspace_currency(ws)
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        if hasattr(style, "fontName"):
            style.fontName = SANS_BOLD if "Bold" in style.fontName else SANS

    def text(words: str, style, rtl: bool | None = None) -> Paragraph:
        """A paragraph of ``words`` (markup), each line drawn in visual order, in the direction of its
        first letter that has one unless ``rtl`` says, aligned as ``style`` says; one reportlab
        cannot read is said plainly, not a traceback."""
        try:
            return paragraph(words, style, rtl, align=False)
        except ValueError as exc:
            raise UserError(f"Could not set the report as a PDF: a text in it could not be laid out ({exc}).") \
                from exc

    typed: list[str] = []  # every text set in the report, for the characters it cannot print

    def marked(words) -> str:
        """``words`` as paragraph markup (:func:`pdf_text.markup <omnidesk.core.pdf_text.markup>`), remembered."""
        typed.append(str(words))
        return markup(words)

    business = str(ws.get_setting("business_name") or "") or ws.name
    span = (f"{period.start or 'the beginning'} to {period.end or 'today'}" if period.start or period.end
            else "everything so far")
    # The period's figures first, as the text report opens with them.
    totals = period_totals(data)
    also = format_other_money(totals["other_revenue"])
    # Sentences of the report's own words read left to right, whatever the names in them.
    story = [text(f"{marked(business)}: the whole picture", styles["Title"], rtl=False),
             text(f"Period: {span}. Made {today.isoformat()} by Omnidesk.", styles["Normal"]),
             text(marked(f"In the period: "
                         f"{new_customers_label(totals['new_customers'], totals['new_customers_undated'])}, "
                         f"{counted(totals['events'], 'event')}, "
                         f"revenue {format_money(round(totals['revenue'] * 100), currency)}"
                         + (f", and apart, never converted: {also}" if also else "")
                         + (f" ({no_date}, in no week)" if (no_date := undated_orders_label(
                             data.get("undated_activity"), currency)) else "") + "."), styles["Normal"]),
             Spacer(1, 6 * mm)]

    def cells(size: float):
        """A table's styles at this size: text, figures (right-aligned), and the two in bold for its header."""
        words = styles["Normal"].clone(f"cell{size}", fontSize=size, leading=size + 1.5)
        figures = words.clone(f"figures{size}", alignment=2)
        return (words, figures, words.clone(f"head{size}", fontName=SANS_BOLD),
                figures.clone(f"head_figures{size}", fontName=SANS_BOLD))

    normal = cells(8.5)
    wide = cells(7.5)  # the campaign results' eleven columns
    margin = 18 * mm
    room = paper[0] - 2 * margin - 12  # a page's frame, less its own padding of 6 points a side

    def heading(title: str, *first) -> None:
        """A section's heading, kept on one page with the start of what it heads (``first``: a table's
        header row and first row, or a line): never left alone at the foot of a page."""
        head = text(marked(title), styles["Heading2"])
        needed = head.wrap(room, paper[1])[1] + head.getSpaceBefore() + head.getSpaceAfter()
        needed += sum(f.wrap(room, paper[1])[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in first)
        story.append(CondPageBreak(needed))
        story.append(head)

    def table(title: str | None, header: list[str], rows: list[list], widths=None, *, words: int = 1,
              look=normal) -> None:
        """A table whose first ``words`` columns are text, the rest figures, right-aligned, under its
        heading ``title``; None: no heading of its own (a chart's numbers, under the chart's).

        Every cell is a paragraph, so a long name wraps inside its column instead of running
        into the next one.
        """
        small, number, head, head_number = look
        if not rows:
            nothing = text("Nothing yet.", styles["Normal"])
            if title is not None:
                heading(title, nothing)
            story.append(nothing)
            story.append(Spacer(1, 4 * mm))
            return
        grid = [[text(marked(h), head if i < words else head_number) for i, h in enumerate(header)]]
        grid += [[v if isinstance(v, Paragraph) else text(marked(v), small if i < words else number)
                   for i, v in enumerate(row)] for row in rows]
        lines = TableStyle([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EAED")),
                            ("VALIGN", (0, 0), (-1, -1), "TOP"),
                            ("LEFTPADDING", (0, 0), (-1, -1), 3),
                            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                            ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#D0D0D0"))])
        # The heading goes on the page its table's header and first row are on.
        if title is not None:
            heading(title, Table(grid[:2], colWidths=widths, style=lines))
        t = Table(grid, colWidths=widths, repeatRows=1)
        t.setStyle(lines)
        story.append(t)
        story.append(Spacer(1, 5 * mm))

    reach = data["reach"]
    drawing = None
    if reach:
        drawing = Drawing(170 * mm, 8 * mm * len(reach) + 10 * mm)
        chart = HorizontalBarChart()
        codes = list(reach)[::-1]
        # The labels stand left of the bars, as wide as the widest needs (a shop's own channel may
        # be "Google business profile"), up to half the drawing; a longer one is shortened.
        typed.extend(channel_name(c) for c in codes)
        names = [drawable(channel_name(c)) for c in codes]
        fonts = [label_font(n) for n in names]
        size = chart.categoryAxis.labels.fontSize
        label_room = 85 * mm - _LABEL_GAP
        names = [label(_fit_label(n, f, size, label_room)) for n, f in zip(names, fonts)]
        widest = max(stringWidth(n, f, size) for n, f in zip(names, fonts))
        chart.x, chart.y = max(20 * mm, widest + _LABEL_GAP), 5 * mm
        chart.width, chart.height = 160 * mm - chart.x, 8 * mm * len(reach)
        chart.data = [[reach[c] for c in codes]]
        chart.categoryAxis.categoryNames = names
        # A chart's labels are drawn as they are, one font each: one that has their letters.
        for i, font in enumerate(fonts):
            chart.categoryAxis.labels[i].fontName = font
        chart.valueAxis.labels.fontName = SANS
        chart.valueAxis.valueMin = 0
        if max(reach.values()) <= 5:
            chart.valueAxis.valueStep = 1  # customers are counted whole: no 0.5 between 0 and 1
        chart.bars.strokeColor = None
        for i, code in enumerate(codes):
            chart.bars[(0, i)].fillColor = colors.HexColor(channel(code).color)
        drawing.add(chart)
    if not reach:  # no customer yet: one line says so, as an empty table's "Nothing yet." does
        nothing = text(NO_REACH, styles["Normal"])
        heading("Reach per channel", nothing)
        story += [nothing, Spacer(1, 4 * mm)]
    else:
        heading("Reach per channel", *([drawing] if drawing else []))
        if drawing:
            story.append(drawing)
        story.append(Spacer(1, 3 * mm))
        story.append(text(marked(f"Everyone known on each channel, opted out or not. "
                                 f"{reachable_sentence(data['reachable'])}."), styles["Normal"]))
        # The chart's numbers, under the chart's heading: an empty one of their own would stand
        # between the two as a heading's height of blank paper.
        story.append(Spacer(1, 2 * mm))
        table(None, ["Channel", "Customers"], [[channel_name(c), f"{n:,}"] for c, n in reach.items()],
              [80 * mm, 40 * mm])
    # Every combination: the heading promises each customer once, and the rows are short.
    table("Channel overlap (each customer once)", ["Channels", "Customers"],
          [[text(marked(_names(o["channels"])), normal[0], rtl=False), f"{o['customers']:,}"]
           for o in data["overlap"]], [120 * mm, 40 * mm])
    paths = data["journeys"]
    rest = paths[JOURNEY_ROWS:]
    table("Journeys to the first purchase", ["Path", "Customers", "Median days"],
          # A path reads left to right, as the report's own words: "<a Hebrew channel> > purchase".
          [[text(marked(_path(j["path"])), normal[0], rtl=False), f"{j['customers']:,}",
            "" if j["median_days"] is None else f"{j['median_days']:g}"]
           for j in paths[:JOURNEY_ROWS]]
          + ([[f"+ {counted(len(rest), 'less common path')}", f"{sum(j['customers'] for j in rest):,}", ""]]
             if rest else []), [110 * mm, 30 * mm, 30 * mm])

    def money(amount: float, others: dict[str, float] | None = None):
        """An amount in the shop's currency; beneath it, money in other currencies, apart, never converted."""
        also = format_other_money(others or {})
        return text(f"{amount:,.2f}<br/>also {marked(also)}", wide[1]) if also else f"{amount:,.2f}"

    # Every week, month or year of the period (activity_rows), quiet ones with their zeros.
    # Without a start the period opens at the month of the first activity, not its week's Monday.
    by_month = None if period.start else (activity(ws, period, "month"), new_customers(ws, period, "month"))
    by, shown = activity_rows(period, today, [r["week"] for r in (*data["activity"], *data["new_customers"])],
                              [r["month"] for rows in by_month for r in rows] if by_month else None)
    if by == "week":
        listed = (data["activity"], data["new_customers"])
    elif by == "month" and by_month:
        listed = by_month
    else:
        listed = (activity(ws, period, by), new_customers(ws, period, by))
    rows: dict[str, list] = {}
    for row in listed[0]:
        entry = rows.setdefault(row[by], [0, 0.0, {}, 0])
        entry[0] += row["events"]
        entry[1] += row["revenue"]
        for code, amount in row.get("other_revenue", {}).items():
            entry[2][code] = entry[2].get(code, 0.0) + amount
    for row in listed[1]:
        rows.setdefault(row[by], [0, 0.0, {}, 0])[3] += row["customers"]
    quiet = (0, 0.0, {}, 0)
    revenue = f"Revenue ({currency})" if currency else "Revenue"
    title = f"Activity per {by} (every channel)"
    if totals["other_revenue"]:
        table(title, [by.capitalize(), "Events", revenue, "New customers", "Other currencies"],
              [[w, f"{rows.get(w, quiet)[0]:,}", f"{rows.get(w, quiet)[1]:,.2f}", f"{rows.get(w, quiet)[3]:,}",
                text(marked(format_other_money(rows.get(w, quiet)[2])), normal[0])] for w in shown],
              [25 * mm, 22 * mm, 33 * mm, 30 * mm, 60 * mm])
    else:
        table(title, [by.capitalize(), "Events", revenue, "New customers"],
              [[w, f"{rows.get(w, quiet)[0]:,}", f"{rows.get(w, quiet)[1]:,.2f}", f"{rows.get(w, quiet)[3]:,}"]
               for w in shown],
              [40 * mm, 35 * mm, 40 * mm, 35 * mm])

    def share(value):
        return "" if value is None else f"{value:.1%}"

    # The baseline: the customers held out of the step (else those a guard left out) and how they bought.
    # Every exported step, as reach and overlap count every customer: said, under a period's figures.
    def step(c: dict) -> Paragraph:
        """The Campaign cell: the step's name and time, in the direction :func:`_step` gives it."""
        words, rtl = _step(c)
        return text(marked(words), wide[0], rtl=rtl)

    table("Campaign results, whatever the period",
          ["Campaign", "Channel", "Sent", "Orders", "Revenue", "Conv.", "Baseline", "Orders", "Revenue", "Conv.",
           "Lift"],
          [[step(c), channel_name(c["channel"]), WHOEVER_LOOKS, "", "", "",
            NOT_COUNTED if c.get("sent", True) else NOT_SENT, "", "", "", ""]
           if not sent_to_people(c) else
           [step(c), channel_name(c["channel"]), f"{c['recipients']:,}", "", "", "", NOT_SENT, "", "", "",
            ""]
           if not c.get("sent", True) else
           [step(c), channel_name(c["channel"]), f"{c['recipients']:,}", f"{c['orders']:,}",
            money(c["revenue"], c.get("other_revenue")),
            share(c["conversion"]), baseline_label(c) or "none",
            f"{c['baseline_orders']:,}" if c["baseline_customers"] else "",
            money(c["baseline_revenue"], c.get("baseline_other_revenue")) if c["baseline_customers"] else "",
            share(c["baseline_conversion"]),
            lift_label(c["lift"])]
           for c in data["campaigns"]],
          [30 * mm, 17 * mm, 12 * mm, 12.5 * mm, 17 * mm, 11 * mm, 18.5 * mm, 12.5 * mm, 17 * mm, 11 * mm,
           14.5 * mm], words=2, look=wide)
    table("Data health", ["", "Count"], [[k.replace("_", " ").capitalize(), f"{v:,}"] for k, v in
                                         data["health"].items()], [80 * mm, 40 * mm])
    while isinstance(story[-1], Spacer):
        story.pop()  # the space after the last table, which would start a blank page of its own

    try:
        with telling_write_failures(out), written_beside(out, overwrite=overwrite) as partial:
            SimpleDocTemplate(str(partial), pagesize=paper, title=f"{business} report", author="Omnidesk",
                              leftMargin=margin, rightMargin=margin, topMargin=16 * mm, bottomMargin=16 * mm
                              ).build(story)
    except LayoutError as exc:
        raise UserError(f"Could not set the report as a PDF: part of it does not fit on a page ({exc}).") from exc
    note = unprintable_note(typed)
    if note and warn is not None:
        warn(note)
    return out


def unprintable_note(texts: list[str]) -> str | None:
    """What to say of the characters of ``texts`` that the report prints as "?" (none of its fonts
    has them: Devanagari, Thai, emoji...), naming them and the names they are in; None when
    there are none."""
    chars = unprintable(*texts)
    if not chars:
        return None
    holding = list(dict.fromkeys(t.strip() for t in texts if any(ch in shaped(t) for ch in chars)))
    # A name, not every table cell that has it in it ("Email + ตลาดนัด" beside "ตลาดนัด"): a longer
    # text goes only when a shorter one in it holds every unprintable character it has ("ตลาดนัด"
    # stays beside "ตลาด", for the นั "ตลาด" lacks).
    def lacking(t: str) -> set[str]:
        return {ch for ch in chars if ch in shaped(t)}

    names = [t for t in holding
             if not any(o != t and o in t and lacking(o) >= lacking(t) for o in holding)]
    shown = ", ".join(f"“{t}”" for t in names[:3]) + (f" and {counted(len(names) - 3, 'other')}"
                                                       if len(names) > 3 else "")
    listed = " ".join(chars[:8]) + (" …" if len(chars) > 8 else "")
    return (f"{listed} in {shown} cannot be printed: no font the report carries has "
            f"{'it' if len(chars) == 1 else 'them'}, so it shows “?” in {'its' if len(chars) == 1 else 'their'} "
            "place.")
