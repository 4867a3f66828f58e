"""The Dashboard on the demo shop and on an empty workspace: charts drawn, figures right, clicks lead to their lists."""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QTextLayout, QTextOption
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from omnidesk.core import metrics, segments
from omnidesk.core.changes import Changes
from omnidesk.core.channels import channel, channel_name
from omnidesk.core.text import counted
from omnidesk.core.workspace import Workspace
from omnidesk.ui.tasks import TaskRunner
from tests.ui.conftest import DEMO_IMPORTED_AT

# A day after the demo was imported: "the last 30 days" then holds the demo's latest weeks.
TODAY = DEMO_IMPORTED_AT + timedelta(days=1)


@pytest.fixture
def win(demo_window, qtbot):
    with time_machine.travel(TODAY, tick=False):
        demo_window.resize(1280, 900)
        dash = demo_window.screens["dashboard"]
        assert not dash.data  # not read while another screen is shown
        demo_window.show_screen("dashboard")
        qtbot.waitUntil(lambda: bool(dash.data), timeout=5000)  # read once it is shown
        yield demo_window


def _dash(win):
    return win.screens["dashboard"]


def _colours_in(widget) -> set[str]:
    image = widget.grab().toImage()
    found = set()
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            found.add(QColor(image.pixel(x, y)).name().upper())
    return found


def _customers(win) -> int:
    with win.workspace.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM customer").scalar_one()


def test_the_dashboard_comes_first_and_draws_every_chart_in_the_channels_colours(win):
    dash = _dash(win)
    assert win.nav.row_of("dashboard") == 0 and next(iter(win.screens)) == "dashboard"
    assert win.current_screen() == "dashboard"
    reach = dash.data["reach"]
    assert len(reach) >= 5
    # Reach: one bar per channel, labelled with the channel's label, in its colour.
    ticks = dash.reach_chart.item.getAxis("left")._tickLevels[0]
    assert sorted(label for _y, label in ticks) == sorted(channel_name(c) for c in reach)
    colours = _colours_in(dash.reach_chart)
    assert {channel(c).color.upper() for c in reach} <= colours
    # Overlap: its rows are the channels; every customer is in exactly one column.
    assert dash.overlap_chart.channels == list(reach)
    assert sum(c["customers"] for c in dash.overlap_chart.combos) == _customers(win) == dash.overlap_chart.total
    assert dash.figures["customers"].value.text() == f"{_customers(win):,}"
    colours = _colours_in(dash.overlap_chart)
    assert {channel(c).color.upper() for c in reach} <= colours
    # Journeys: flows and nodes drawn, the purchase column among them.
    sankey = dash.journey_chart
    assert sankey.node_rect(3, "purchase") is not None
    image = sankey.grab().toImage()
    rect = sankey.node_rect(3, "purchase").toRect()
    assert QColor(image.pixel(rect.center())).name().upper() == "#2F855A"
    shop = sankey.node_rect(0, "shop").toRect()
    assert QColor(image.pixel(shop.center())).name().upper() == channel("shop").color.upper()
    assert dash.paths_table.rowCount() > 0 and "→" in dash.paths_table.item(0, 0).text()
    # Activity: a line per channel with a legend of their labels; new customers and revenue as bars.
    legend = [item[1].text for item in dash.events_chart.legend.items]
    codes = {r["channel"] for r in dash.data["activity"]}
    assert sorted(legend) == sorted(channel_name(c) for c in codes)
    assert channel("email").color.upper() in _colours_in(dash.events_chart)
    assert "#2F855A" in _colours_in(dash.revenue_chart)
    assert not any(card.is_empty() for key, card in dash.cards.items() if key != "campaigns")


def test_a_click_on_a_reach_bar_opens_exactly_its_customers(win, qtbot):
    dash, customers = _dash(win), win.screens["customers"]
    n = dash.data["reach"]["email"]
    point = dash.reach_chart.bar_point("email").toPoint()
    qtbot.mouseClick(dash.reach_chart.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert win.current_screen() == "customers"
    assert customers.builder.rule() == {"all": [{"field": "channel", "op": "is", "value": "email"}]}
    assert customers.model.rowCount() == n
    # A click beside the bars opens nothing.
    win.show_screen("dashboard")
    beside = dash.reach_chart.bar_point("email").toPoint() + QPoint(dash.reach_chart.width() // 2, 0)
    qtbot.mouseClick(dash.reach_chart.viewport(), Qt.MouseButton.LeftButton, pos=beside)
    assert win.current_screen() == "dashboard"


def test_a_click_on_an_overlap_column_opens_that_combination_only(win, qtbot):
    dash, customers = _dash(win), win.screens["customers"]
    chart = dash.overlap_chart
    for i in (0, 1):
        win.show_screen("dashboard")
        combo = chart.combos[i]
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=chart.column_rect(i).center().toPoint())
        assert win.current_screen() == "customers"
        assert customers.model.rowCount() == combo["customers"]
        rule = customers.builder.rule()
        assert segments.count(win.workspace, rule) == combo["customers"]
    # A channel's label opens everyone on it.
    win.show_screen("dashboard")
    row = chart.channels.index("shop")
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=chart.label_rect(row).center().toPoint())
    assert customers.model.rowCount() == dash.data["reach"]["shop"]


def test_health_tiles_lead_to_the_list_behind_them(win, qtbot):
    dash, customers = _dash(win), win.screens["customers"]
    health = dash.data["health"]
    assert dash.tiles["pairs_to_review"].value.text() == f"{health['pairs_to_review']:,}"
    for key, screen in (("flagged_rows", "imports"), ("pairs_to_review", "review"), ("stale_variants", "messages")):
        win.show_screen("dashboard")
        qtbot.mouseClick(dash.tiles[key], Qt.MouseButton.LeftButton)
        assert win.current_screen() == screen, key
    for key in ("unreachable_customers", "email_consent_unknown"):
        win.show_screen("dashboard")
        qtbot.mouseClick(dash.tiles[key], Qt.MouseButton.LeftButton)
        assert win.current_screen() == "customers"
        assert health[key] > 0 and customers.model.rowCount() == health[key], key
    # The rule is in the panel, as the builder shows it: editable, and the same rule.
    assert customers.filter_panel.isVisible()
    assert customers.builder.rule() == metrics.health_links(dash.workspace)["email_consent_unknown"][1]


def test_health_tiles_open_with_enter_and_return_as_with_space(win, qtbot):
    """Space opened a tile and Enter did nothing, while Enter opens a bar of the charts beside them."""
    dash = _dash(win)
    for key, screen in (("flagged_rows", "imports"), ("pairs_to_review", "review")):
        win.show_screen("dashboard")
        dash.tiles[key].setFocus()
        QTest.keyClick(dash.tiles[key], Qt.Key.Key_Return)
        qtbot.wait(300)  # the button shows itself pressed, then opens (the test clock is frozen: no waitUntil)
        assert win.current_screen() == screen, key
        win.show_screen("dashboard")
        dash.tiles[key].setFocus()
        QTest.keyClick(dash.tiles[key], Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
        qtbot.wait(300)  # the button shows itself pressed, then opens (the test clock is frozen: no waitUntil)
        assert win.current_screen() == screen, key


def test_each_chart_saves_png_svg_and_its_numbers_as_csv(win, tmp_path, monkeypatch):
    dash = _dash(win)
    asked = []

    def ask(caption, suggested, _filter):
        asked.append(suggested)
        return tmp_path / suggested

    monkeypatch.setattr(dash, "ask_save_path", ask)
    card = dash.cards["reach"]
    png = dash.save_chart(card, "png")
    image = QImage(str(png))
    assert not image.isNull() and image.width() == dash.reach_chart.width()
    svg = dash.save_chart(card, "svg")
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg") and len(list(root.iter())) > 10
    # Drawn back, each bar is where the chart on screen has it, in its channel's colour.
    renderer = QSvgRenderer(str(svg))
    drawn = QImage(dash.reach_chart.size(), QImage.Format.Format_ARGB32)
    drawn.fill(QColor("white"))
    painter = QPainter(drawn)
    renderer.render(painter)
    painter.end()
    for code in dash.data["reach"]:
        at = dash.reach_chart.bar_point(code).toPoint()
        got, want = QColor(drawn.pixel(at)), QColor(channel(code).color)
        # Near, not equal: a faint grid line may cross the bar's middle.
        assert max(abs(got.red() - want.red()), abs(got.green() - want.green()),
                   abs(got.blue() - want.blue())) <= 24, (code, got.name(), want.name())
    # The bars are vector shapes filled in their channels' colours.
    fills = set(re.findall(r'fill="(#[0-9a-fA-F]{6})"', svg.read_text(encoding="utf-8")))
    assert {channel(c).color.lower() for c in dash.data["reach"]} <= {f.lower() for f in fills}
    rows = list(csv.reader(dash.save_chart(card, "csv").open(encoding="utf-8")))
    assert rows[0] == ["channel", "customers"]
    assert rows[1:] == [[channel_name(c), str(n)] for c, n in dash.data["reach"].items()]
    overlap = list(csv.DictReader(dash.save_chart(dash.cards["overlap"], "csv").open(encoding="utf-8")))
    assert sum(int(r["customers"]) for r in overlap) == _customers(win)
    for key in ("overlap", "journeys", "activity", "growth"):
        assert dash.save_chart(dash.cards[key], "png").stat().st_size > 1000
        drawn = dash.save_chart(dash.cards[key], "svg").read_text(encoding="utf-8")
        # Drawn with QPainter or by pyqtgraph, alone or two charts side by side: shapes in the file.
        assert drawn.count("<path") + drawn.count("<polyline") + drawn.count("<rect") > 5, key
        assert len(list(csv.reader(dash.save_chart(dash.cards[key], "csv").open(encoding="utf-8")))) > 1
    # Through the same menu a person uses.
    card.csv_action.trigger()
    assert len(asked) == 17 and asked[-1] == asked[2]
    # Never over the workspace itself, whatever the dialog returned.
    errors = []
    monkeypatch.setattr(dash, "show_error", lambda title, text: errors.append(text))
    monkeypatch.setattr(dash, "ask_save_path", lambda *a: win.workspace.path)
    before = win.workspace.path.read_bytes()[:100]
    assert dash.save_chart(card, "png") is None and dash.save_chart(card, "csv") is None
    assert len(errors) == 2 and "Will not write over" in errors[0]
    assert win.workspace.path.read_bytes()[:100] == before


def test_the_period_rereads_activity_and_journeys(win, qtbot):
    dash = _dash(win)
    ws = win.workspace
    today = date(2026, 11, 2)  # 3:30 UTC on the 3rd is still the 2nd on the demo shop's clock (New York)
    with time_machine.travel(TODAY, tick=False):
        whole = len(dash.data["activity"])
        dash.set_period("30d")
        period = metrics.named_period("30d", today)
        assert dash.period() == period
        assert dash.data["activity"] == metrics.activity(ws, period) and 0 < len(dash.data["activity"]) < whole
        assert dash.data["journeys"] == metrics.journeys(ws, period)
        assert len(dash.events_chart.weeks) <= 6
        start, end = date(2026, 3, 1), date(2026, 5, 31)
        dash.set_period("custom", start, end)
        assert dash.from_edit.isVisible() and dash.to_edit.isVisible()
        # Each date is one Tab stop (Qt's own box stops at the day, the month and the year).
        win.activateWindow()
        dash.from_edit.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is dash.from_edit)
        qtbot.keyClick(dash.from_edit, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is dash.to_edit
        qtbot.keyClick(dash.to_edit, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
        assert QApplication.focusWidget() is dash.from_edit
        assert dash.data["activity"] == metrics.activity(ws, metrics.Period(start, end))
        assert dash.data["new_customers"] == metrics.new_customers(ws, metrics.Period(start, end))
        dash.set_period("all")
        assert len(dash.data["activity"]) == len(metrics.activity(ws))


def test_a_period_without_journeys_says_so_not_to_import_orders(win):
    """The demo has orders; in the year before anyone was first seen (a sign-up, an order) no journey
    began, which is what the card says."""
    from sqlalchemy import text

    dash = _dash(win)
    with win.workspace.engine.connect() as conn:
        first = date.fromisoformat(conn.execute(text("SELECT min(first_seen) FROM customer")).scalar_one()[:10])
    with time_machine.travel(TODAY, tick=False):
        dash.set_period("custom", first - timedelta(days=366), first - timedelta(days=2))
        card = dash.cards["journeys"]
        assert dash.data["journeys"] == [] and card.empty.isVisible()
        assert card.empty.text().startswith("No journey began in this period") and "Import" not in card.empty.text()
        assert card.note.text() == ""  # no "0 paths · click a flow" over an empty card
        dash.set_period("all")
        assert dash.data["journeys"] and not card.empty.isVisible()


def test_the_date_boxes_stop_at_the_days_a_period_takes(win):
    # Qt's own range runs to 9999-12-31, where the period's sums ran off the calendar
    # (an OverflowError instead of figures); the command line's --from/--to take the same days.
    dash = _dash(win)
    with time_machine.travel(TODAY, tick=False):
        dash.set_period("custom", date(1752, 9, 14), date(9999, 12, 31))
        assert dash.period() == metrics.Period(metrics.FIRST_DAY, metrics.LAST_DAY)
        assert not dash.problem.isVisible()
        assert dash.data["new_customers"] == metrics.new_customers(win.workspace)
        assert dash.data["activity"] == metrics.activity(win.workspace)


def test_choosing_from_to_in_the_box_starts_from_the_period_shown(win):
    # The user's way: the box, by keyboard.  The dates were once read off the empty date
    # fields (1 Jan 2000 both), and every figure dropped to nothing.
    dash = _dash(win)
    ws = win.workspace
    today = date(2026, 11, 2)  # the demo shop's day (see test_the_period_rereads_activity_and_journeys)
    with time_machine.travel(TODAY, tick=False):
        dash.set_period("90d")
        shown = dash.data["new_customers"]
        dash.period_box.setFocus()
        QTest.keyClick(dash.period_box, Qt.Key.Key_End)  # "From… to…", the last choice
        assert dash.period_box.currentData() == "custom"
        period = metrics.named_period("90d", today)
        assert dash.period() == period
        assert dash.from_edit.date().toPython() == period.start and dash.to_edit.date().toPython() == today
        assert dash.data["new_customers"] == shown == metrics.new_customers(ws, period)
        assert dash.data["activity"] == metrics.activity(ws, period) and dash.data["activity"]


def test_the_last_12_months_are_twelve_calendar_months_across_29_february(win):
    """365 days from 31 Dec 2028 began on 2 January, leaving New Year's Day out; and on 29 February
    "From… to…" after All time failed to find the same date a year earlier."""
    dash = _dash(win)
    with time_machine.travel(datetime(2028, 12, 31, 17, tzinfo=UTC), tick=False):  # noon in New York
        dash.set_period("30d")
        dash.set_period("12m")
        assert dash.period() == metrics.Period(date(2028, 1, 1), date(2028, 12, 31))
        dash.set_period("custom")  # its dates start from the period shown
        assert dash.from_edit.date().toPython() == date(2028, 1, 1)
    with time_machine.travel(datetime(2028, 2, 29, 17, tzinfo=UTC), tick=False):
        dash.set_period("12m")
        assert dash.period() == metrics.Period(date(2027, 3, 1), date(2028, 2, 29))
        dash.set_period("all")
        dash.set_period("custom")
        assert dash.from_edit.date().toPython() == date(2027, 3, 1)  # the last 12 months
        assert dash.to_edit.date().toPython() == date(2028, 2, 29)
        assert dash.data["activity"] == metrics.activity(win.workspace, dash.period())


def test_a_from_date_moved_past_the_to_date_takes_it_along(win):
    """From 7 Dec 2028 to 6 Dec 2026 showed zeros beside dates that said otherwise (the two years
    between were read); the end not moved now follows, so the dates shown are the period read."""
    dash = _dash(win)
    with time_machine.travel(TODAY, tick=False):
        dash.set_period("custom", date(2026, 1, 1), date(2026, 12, 6))
        dash.from_edit.setDate(QDate(2028, 12, 7))
        assert dash.to_edit.date().toPython() == date(2028, 12, 7)
        assert dash.period() == metrics.Period(date(2028, 12, 7), date(2028, 12, 7))
        dash.to_edit.setDate(QDate(2026, 3, 1))
        assert dash.from_edit.date().toPython() == date(2026, 3, 1)
        assert dash.period() == metrics.Period(date(2026, 3, 1), date(2026, 3, 1))
        assert dash.data["activity"] == metrics.activity(win.workspace, dash.period())


def test_reads_off_the_ui_thread_and_says_so(win, qtbot):
    dash = _dash(win)
    win.runner = TaskRunner()  # the pool, as in the app
    dash.refresh()
    # Its answer waits for this thread's event loop: until then the cards say they are reading.
    assert dash.reading.isVisible() and dash.cards["overlap"].reading.isVisible()
    qtbot.waitUntil(lambda: not dash.reading.isVisible(), timeout=10000)
    assert win.runner.wait(5)
    assert dash.figures["customers"].value.text() == f"{_customers(win):,}"


def test_a_change_to_the_customers_is_read_again(win):
    dash = _dash(win)
    before = _customers(win)
    with win.workspace.writing() as conn:
        conn.exec_driver_sql("INSERT INTO customer (display_name, channels, first_name, last_name, company, address,"
                             " city, region, postcode, country, tags, orders, source_count, pinned_json, notes,"
                             " created_at, updated_at) VALUES ('New', 'shop', '', '', '', '', '', '', '', '', '',"
                             " 0, 0, '{}', '', '2026-11-01', '2026-11-01')")
    dash.apply_changes(Changes(messages=True))
    assert dash.figures["customers"].value.text() == f"{before + 1:,}"
    dash.apply_changes(Changes(notes=frozenset({1})))  # notes alone change no figure
    assert dash.figures["customers"].value.text() == f"{before + 1:,}"


def test_an_empty_workspace_teaches_what_to_import(window, qtbot, tmp_path, monkeypatch):
    target = tmp_path / "new.omnidesk"
    Workspace.create(target).close()
    assert window.open_workspace(target)
    dash = window.screens["dashboard"]
    QTest.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)  # View › Dashboard
    assert window.current_screen() == "dashboard"
    qtbot.waitUntil(lambda: bool(dash.data), timeout=5000)
    assert dash.pages.currentWidget() is dash.empty
    asked = []
    monkeypatch.setattr(window, "import_files_dialog", lambda: asked.append(True))
    dash.importRequested.disconnect()
    dash.importRequested.connect(window.import_files_dialog)
    # One spelling for the one action, here and on Imports.
    assert dash.empty.button.text() == window.screens["imports"].import_button.text() == "Import files…"
    qtbot.mouseClick(dash.empty.button, Qt.MouseButton.LeftButton)
    assert asked == [True]
    for size in ((1024, 640), (1920, 1080)):
        window.resize(*size)
        QApplication.processEvents()
        assert dash.empty.title.isVisible()


def test_file_save_dashboard_picture_writes_every_card(win, tmp_path, monkeypatch):
    dash = _dash(win)
    monkeypatch.setattr(dash, "ask_save_path", lambda caption, suggested, _f: tmp_path / "monday")
    assert win.dashboard_picture_action.isEnabled()
    win.dashboard_picture_action.trigger()
    image = QImage(str(tmp_path / "monday.png"))
    assert not image.isNull()
    assert image.height() == dash.content.height() > dash.scroll.viewport().height()
    assert "monday.png" in win.statusBar().currentMessage()


def test_campaign_results_are_listed_and_exported(win, tmp_path, monkeypatch):
    from sqlalchemy import insert, select

    from omnidesk.core.models import (
        Campaign,
        CampaignStep,
        Event,
        SendRecord,
        SourceRecord,
    )

    dash, ws = _dash(win), win.workspace
    with ws.writing() as conn:
        # Three customers with an order each; the campaign went to them two days before.
        rows = conn.execute(select(Event.__table__.c.customer_id, Event.__table__.c.occurred_utc)
                            .where(Event.__table__.c.type == "order", Event.__table__.c.status == "paid",
                                   Event.__table__.c.customer_id.is_not(None))
                            .order_by(Event.__table__.c.id).limit(3)).all()
        camp = conn.execute(insert(Campaign.__table__).values(name="Autumn news", audience_json='"everyone"',
                                                              status="exported")).inserted_primary_key[0]
        sent = min(when for _cid, when in rows)
        step = conn.execute(insert(CampaignStep.__table__).values(
            campaign_id=camp, channel="email", at_local=sent, timezone="UTC", at_utc=sent,
            exported_at=sent)).inserted_primary_key[0]
        for cid, when in rows:
            record = conn.execute(select(SourceRecord.__table__.c.id)
                                  .where(SourceRecord.__table__.c.customer_id == cid).limit(1)).scalar_one()
            conn.execute(insert(SendRecord.__table__).values(step_id=step, record_id=record, channel="email",
                                                             send_utc=when[:10] + "T00:00:00Z"))
    dash.apply_changes(Changes(campaigns=True))
    (result,) = metrics.campaign_results(ws)
    assert not dash.cards["campaigns"].is_empty()
    table = dash.campaign_table
    assert [table.item(0, c).text() for c in range(4)] == [metrics.step_label(result), "Email", "3",
                                                           str(result["orders"])]
    assert table.item(0, 0).text().startswith("Autumn news, ")
    assert result["orders"] >= 1 and table.item(0, 5).text() == f"{result['conversion']:.1%}"
    monkeypatch.setattr(dash, "ask_save_path", lambda *a: tmp_path / "campaigns.csv")
    (row,) = csv.DictReader(dash.save_chart(dash.cards["campaigns"], "csv").open(encoding="utf-8"))
    assert row["campaign"] == "Autumn news" and row["channel"] == "Email" and row["recipients"] == "3"
    assert row["at"] == result["at"]


def test_a_post_exports_empty_cells_in_the_campaign_csv_not_zeros(win, tmp_path, monkeypatch):
    """The campaign card's CSV says of an Instagram post what its row says: nothing counted (empty cells and
    "not counted"), not 0 recipients, 0 orders and 0.00 as if it had reached nobody."""
    dash = _dash(win)
    post = {"name": "Spring", "channel": "instagram", "sent": True, "at": "2027-03-01T09:00:00", "recipients": 0,
            "orders": 0, "revenue": 0.0, "conversion": None, "baseline_kind": "none", "baseline_customers": 0,
            "baseline_orders": 0, "baseline_revenue": 0.0, "baseline_conversion": None, "lift": None}
    email = {**post, "channel": "email", "recipients": 3, "orders": 1, "revenue": 12.5, "conversion": 0.3333}
    dash.data = {**dash.data, "campaigns": [post, email]}
    monkeypatch.setattr(dash, "ask_save_path", lambda *a: tmp_path / "campaigns.csv")
    shown, sent = csv.DictReader(dash.save_chart(dash.cards["campaigns"], "csv").open(encoding="utf-8"))
    assert shown["channel"] == "Instagram" and shown["status"] == "not counted"
    assert [shown[k] for k in ("recipients", "orders", "revenue", "conversion", "baseline_customers",
                               "baseline_orders", "baseline_revenue", "lift")] == [""] * 8
    assert (sent["recipients"], sent["orders"], sent["revenue"], sent["status"]) == ("3", "1", "12.50", "sent")


def test_customers_without_orders_are_told_what_journeys_need(window, ws, tmp_path, qtbot):
    from omnidesk.core.importing.pipeline import ImportOptions, import_file
    from tests.helpers import write_csv

    header = ["First Name", "Last Name", "Email", "Phone"]
    import_file(ws, write_csv(tmp_path / "list.csv", header, [
        ["Ann", "Lee", "ann@example.com", ""], ["Bob", "Fox", "bob@example.com", ""]]), ImportOptions(channel="email"))
    import_file(ws, write_csv(tmp_path / "texts.csv", header, [
        ["Ann", "Lee", "ann@example.com", "+12125550101"], ["Cy", "Ode", "", "+12125550102"]]),
        ImportOptions(channel="sms"))
    window.set_workspace(ws)
    window.show_screen("dashboard")
    dash = window.screens["dashboard"]
    qtbot.waitUntil(lambda: bool(dash.data), timeout=5000)
    assert dash.pages.currentWidget() is dash.scroll  # customers: the cards, not the first-run page
    # Reach and overlap are drawn from the lists alone; journeys need orders and say so.
    assert dash.data["reach"] == {"email": 2, "sms": 2}
    assert sorted((tuple(c["channels"]), c["customers"]) for c in dash.data["overlap"]) == [
        (("email",), 1), (("email", "sms"), 1), (("sms",), 1)]
    assert not dash.cards["reach"].is_empty() and not dash.cards["overlap"].is_empty()
    assert dash.cards["journeys"].is_empty() and "Import orders" in dash.cards["journeys"].empty.text()
    assert dash.cards["campaigns"].is_empty() and "Export a campaign" in dash.cards["campaigns"].empty.text()
    colours = _colours_in(dash.overlap_chart)
    assert {channel("email").color.upper(), channel("sms").color.upper()} <= colours


def test_file_export_report_writes_the_period_as_a_pdf(win, tmp_path, monkeypatch):
    import pypdfium2

    dash = _dash(win)
    monkeypatch.setattr(dash, "ask_save_path", lambda caption, suggested, _f: tmp_path / "monday")
    assert win.report_action.isEnabled()
    win.report_action.trigger()
    pdf = pypdfium2.PdfDocument(str(tmp_path / "monday.pdf"))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    period = dash.period()
    assert "Reach per channel" in text and f"Period: {period.start} to {period.end}" in text
    monkeypatch.setattr(dash, "ask_save_path", lambda caption, suggested, _f: win.workspace.path)
    said = []
    monkeypatch.setattr(dash, "show_error", lambda title, text: said.append(text))
    win.report_action.trigger()
    assert said and win.workspace.path.read_bytes()[:16] == b"SQLite format 3\x00"


def test_export_report_prints_the_business_name_as_typed_and_says_why_it_cannot(win, tmp_path, monkeypatch):
    import pypdfium2

    from omnidesk.core import report_pdf

    dash = _dash(win)
    said = []
    monkeypatch.setattr(dash, "show_error", lambda title, text: said.append(text))
    for n, name in enumerate(["Fish<Chips", "さくら商店 Магазин Анна"]):
        win.workspace.set_setting("business_name", name)
        monkeypatch.setattr(dash, "ask_save_path", lambda caption, suggested, _f, n=n: tmp_path / f"report{n}.pdf")
        win.report_action.trigger()
        pdf = pypdfium2.PdfDocument(str(tmp_path / f"report{n}.pdf"))
        assert f"{name}: the whole picture" in pdf[0].get_textpage().get_text_range()
        pdf.close()
    assert not said
    # Text the PDF cannot lay out (here: a name let through unescaped) is a message, not a traceback.
    monkeypatch.setattr(report_pdf, "markup", lambda text: text)
    win.workspace.set_setting("business_name", "Fish<Chips")
    monkeypatch.setattr(dash, "ask_save_path", lambda caption, suggested, _f: tmp_path / "refused.pdf")
    assert dash.export_report() is None
    assert len(said) == 1 and "Could not set the report as a PDF" in said[0]
    assert not (tmp_path / "refused.pdf").exists()


def test_campaign_results_show_their_baseline_beside_them(win, tmp_path, monkeypatch):
    from sqlalchemy import func, insert, select

    from omnidesk.core.models import Campaign, CampaignStep, Event, SendRecord, SourceRecord

    dash, ws = _dash(win), win.workspace
    ev, rec = Event.__table__, SourceRecord.__table__
    with ws.writing() as conn:
        # Two buyers were sent the step, two other buyers and one who never bought were held out of it.
        buyers = conn.execute(select(ev.c.customer_id, func.min(ev.c.occurred_utc))
                              .where(ev.c.type == "order", ev.c.status == "paid", ev.c.customer_id.is_not(None))
                              .group_by(ev.c.customer_id).order_by(ev.c.customer_id).limit(4)).all()
        idle = conn.execute(select(rec.c.customer_id).where(
            rec.c.customer_id.is_not(None), rec.c.customer_id.not_in(select(ev.c.customer_id).where(
                ev.c.customer_id.is_not(None)))).limit(1)).scalar_one()
        camp = conn.execute(insert(Campaign.__table__).values(name="Hold-out test", audience_json='"everyone"',
                                                              status="exported")).inserted_primary_key[0]
        step = conn.execute(insert(CampaignStep.__table__).values(
            campaign_id=camp, channel="email", at_local="2020-01-01T00:00:00", timezone="UTC",
            at_utc="2020-01-01T00:00:00Z", exported_at="2020-01-01")).inserted_primary_key[0]
        for n, (cid, first_order) in enumerate([*buyers, (idle, None)]):
            record = conn.execute(select(rec.c.id).where(rec.c.customer_id == cid).limit(1)).scalar_one()
            # Each buyer's send is the day of their first order: it falls in the window.
            when = (first_order or "2020-01-01")[:10] + "T00:00:00Z"
            conn.execute(insert(SendRecord.__table__).values(step_id=step, record_id=record,
                                                             channel="email" if n < 2 else "held out", send_utc=when))
    dash.apply_changes(Changes(campaigns=True))
    (result,) = metrics.campaign_results(ws)
    assert (result["recipients"], result["orders"], result["baseline_kind"], result["baseline_customers"],
            result["baseline_orders"]) == (2, 2, "held_out", 3, 2)
    table = dash.campaign_table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers[5:] == ["Conv.", "Baseline", "Base orders", "Base revenue", "Base conv.", "Lift"]
    row = [table.item(0, c).text() for c in range(table.columnCount())]
    assert row[2:4] == ["2", "2"] and row[5] == "100.0%"
    assert row[6:8] == ["3 held out", "2"] and row[9] == "66.7%" and row[10] == "+33.3 pts"
    monkeypatch.setattr(dash, "ask_save_path", lambda *a: tmp_path / "campaigns.csv")
    (line,) = csv.DictReader(dash.save_chart(dash.cards["campaigns"], "csv").open(encoding="utf-8"))
    assert (line["baseline_kind"], line["baseline_customers"], line["baseline_orders"], line["lift"]) == (
        "held_out", "3", "2", str(result["lift"]))


def test_a_click_on_a_journey_flow_opens_exactly_its_customers(win, qtbot):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip

    dash, customers = _dash(win), win.screens["customers"]
    chart = dash.journey_chart
    period = dash.period()
    assert dash.journeys_period == period and period.start is not None
    # Every customer whose journey began in the period is in the chart, not only the commonest paths'.
    assert sum(n for (col, _c), n in chart.nodes.items() if col == 0) == sum(
        j["customers"] for j in metrics.journeys(win.workspace, period, limit=None))
    into_purchase = max((kv for kv in chart.flows.items() if kv[0][1][1] == "purchase"), key=lambda kv: kv[1])
    onwards = max((kv for kv in chart.flows.items() if kv[0][1][1] != "purchase"), key=lambda kv: kv[1])
    smallest = min(chart.flows.items(), key=lambda kv: (kv[1], kv[0]))
    for (a, b), n in (into_purchase, onwards, smallest):
        win.show_screen("dashboard")
        point = chart.flow_point(a, b)
        assert point is not None, (a, b)
        # Hovering names the flow and its customers.
        QApplication.sendEvent(chart, QHelpEvent(QEvent.Type.ToolTip, point.toPoint(),
                                                 chart.mapToGlobal(point.toPoint())))
        assert QToolTip.text() == chart.flow_tip((a, b)) and counted(n, "customer") in QToolTip.text()
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=point.toPoint())
        assert win.current_screen() == "customers", (a, b)
        assert customers.model.rowCount() == n, (a, b)
        assert segments.count(win.workspace, customers.builder.rule()) == n
        assert customers.builder.rule() == metrics.journey_rule(a[0], a[1], b[1], period)
    # A click between the bands, above them, opens nothing.
    win.show_screen("dashboard")
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(chart.width() // 2, 2))
    assert win.current_screen() == "dashboard"


def test_journey_flows_are_walked_by_the_arrows_and_enter_opens_one(win, qtbot):
    dash, customers = _dash(win), win.screens["customers"]
    chart = dash.journey_chart
    win.activateWindow()
    dash.tiles["stale_variants"].setFocus()
    for _ in range(12):  # Tab from the last health tile reaches the journeys (past the charts above it)
        if QApplication.focusWidget() is chart:
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is chart
    assert chart.focused_flow() == chart.order[0]
    # The arrows walk the flows (the chart is one Tab stop, as the other charts are: Tab took
    # one press per flow to get past it, fourteen on the demo).
    qtbot.keyClick(chart, Qt.Key.Key_Right)
    assert QApplication.focusWidget() is chart and chart.focused_flow() == chart.order[1]
    qtbot.keyClick(chart, Qt.Key.Key_Right)
    qtbot.keyClick(chart, Qt.Key.Key_Down)
    assert chart.focused_flow() == chart.order[3]
    qtbot.keyClick(chart, Qt.Key.Key_Left)
    qtbot.keyClick(chart, Qt.Key.Key_Up)
    assert chart.focused_flow() == chart.order[1]
    assert chart.flows[chart.order[1]] > 0 and f"{chart.flows[chart.order[1]]:,} customers" in \
        chart.accessibleDescription()
    # The focused flow is outlined in the highlight colour.
    image = chart.grab().toImage()
    highlight = chart.palette().highlight().color().name().upper()
    assert highlight in {QColor(image.pixel(x, y)).name().upper()
                         for y in range(0, image.height(), 1) for x in range(0, image.width(), 3)}
    (a, b), n = chart.order[1], chart.flows[chart.order[1]]
    qtbot.keyClick(chart, Qt.Key.Key_Return)
    assert win.current_screen() == "customers" and customers.model.rowCount() == n
    assert customers.builder.rule() == metrics.journey_rule(a[0], a[1], b[1], dash.period())
    # Tab leaves the chart at once, whichever flow has the focus.
    win.show_screen("dashboard")
    dash.tiles["stale_variants"].setFocus()
    chart.setFocus(Qt.FocusReason.BacktabFocusReason)  # reached backwards: the last flow first
    assert QApplication.focusWidget() is chart and chart.focused_flow() == chart.order[-1]
    qtbot.keyClick(chart, Qt.Key.Key_Home)
    qtbot.keyClick(chart, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not chart


def test_a_step_not_sent_yet_shows_no_results_in_the_campaign_table():
    """An exported step due next spring: its planned recipients, and "not sent yet" where the
    results and baseline go — not a 0.0% conversion."""
    from omnidesk.ui.views.dashboard.campaign_table import campaign_cells

    planned = {"name": "Spring", "channel": "email", "sent": False, "due": "2027-03-01T10:00:00Z", "recipients": 127,
               "orders": 0, "revenue": 0.0, "conversion": None, "baseline_kind": "none", "baseline_customers": 0,
               "baseline_orders": 0, "baseline_revenue": 0.0, "baseline_conversion": None, "lift": None}
    cells = campaign_cells(planned, "USD")
    assert cells[:3] == ("Spring", "Email", "127") and cells[6] == "not sent yet"
    assert set(cells[3:6]) == {""} and set(cells[7:]) == {""}
    sent = campaign_cells(planned | {"sent": True, "conversion": 0.0}, "USD")
    assert sent[5] == "0.0%" and sent[6] == "none"


def test_the_weekly_chart_captions_stay_whole_at_1024(win):
    """Each caption has half a narrow card: it wraps rather than read "New customers a wee"."""
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QLabel

    win.resize(1024, 640)
    QApplication.processEvents()
    dash = _dash(win)
    captions = [label for label in dash.findChildren(QLabel) if label.text() in ("New customers a week",
                                                                                  "Revenue a week (USD)")]
    assert len(captions) == 2  # the revenue's says its money: at 1024 the card's note has no room
    for label in captions:
        needed = label.fontMetrics().boundingRect(QRect(0, 0, label.width(), 10_000),
                                                  int(Qt.TextFlag.TextWordWrap), label.text())
        assert needed.width() <= label.width() and needed.height() <= label.height(), label.text()


def test_a_keyboard_walk_stops_only_where_the_keys_do_something(win, qtbot):
    """Period, the tiles, the charts that open customers, the tables to scroll; not the scroll
    area itself (an invisible stop) nor the weekly charts (no keys of their own)."""
    dash = _dash(win)
    win.activateWindow()
    dash.period_box.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dash.period_box)
    seen = []
    for _ in range(40):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        widget = QApplication.focusWidget()
        if not dash.isAncestorOf(widget):
            break
        seen.append(widget)
        # The scroll area brings the focused widget into view.
        top_left = widget.mapTo(dash.scroll.viewport(), QPoint(0, 0))
        if dash.scroll.isAncestorOf(widget):
            assert top_left.y() < dash.scroll.viewport().height(), widget
    assert dash.scroll not in seen
    assert not any(w in seen for w in (dash.events_chart, dash.new_chart, dash.revenue_chart))
    assert dash.paths_table in seen
    # (The demo has no campaign yet: its results table is not on screen, nor in the walk.)
    assert (dash.campaign_table in seen) == dash.campaign_table.isVisible()
    assert dash.reach_chart in seen and dash.journey_chart in seen


def test_reach_bars_and_overlap_columns_open_from_the_keyboard(win, qtbot):
    dash, customers = _dash(win), win.screens["customers"]
    reach, chart = dash.reach_chart, dash.overlap_chart
    # Tab reaches both charts: Save of the reach card, the bars, Save of the overlap card, the columns.
    reach.setFocus()
    QTest.keyClick(reach, Qt.Key.Key_Tab)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is chart
    second = list(dash.data["reach"])[1]
    reach.setFocus()
    QTest.keyClick(reach, Qt.Key.Key_Down)
    assert second in reach.accessibleDescription() or channel_name(second) in reach.accessibleDescription()
    QTest.keyClick(reach, Qt.Key.Key_Return)
    assert win.current_screen() == "customers"
    assert customers.builder.rule() == metrics.reach_rule(second, dash.all_channels())
    assert customers.model.rowCount() == dash.data["reach"][second]
    win.show_screen("dashboard")
    chart.setFocus()
    for _ in range(2):
        QTest.keyClick(chart, Qt.Key.Key_Right)
    QTest.keyClick(chart, Qt.Key.Key_Enter)
    assert win.current_screen() == "customers"
    assert customers.model.rowCount() == chart.combos[2]["customers"]
    assert segments.count(win.workspace, customers.builder.rule()) == chart.combos[2]["customers"]


def test_reach_says_how_many_said_yes_beside_everyone_known_on_a_channel(win):
    dash = _dash(win)
    counts = metrics.reachable(win.workspace)
    assert 0 < counts["email"] < dash.data["reach"]["email"]  # the demo's unsubscribed are on its email list
    text = dash.reachable.text()
    assert "opted out or not" in text and "one per mailbox or number" in text  # what it counts, and what not
    assert metrics.REACHABLE_WORDS in dash.reachable.toolTip()  # the whole of it on hover
    assert f"{counts['email']:,} by email" in text and f"{counts['sms']:,} by SMS" in text


def test_a_count_of_one_takes_its_noun_in_the_singular(win):
    dash = _dash(win)
    data = dict(dash.data)
    data["overlap"] = [{"channels": ["email"], "customers": 1}]
    data["reach"] = {"email": 1}
    data["new_customers"] = [{"week": "2026-W40", "customers": 1}]
    data["activity"] = [{"week": "2026-W40", "channel": "email", "events": 1, "revenue": 0.0}]
    data["journeys"] = [{"path": ["email", "purchase"], "customers": 1, "median_days": 1.0}]
    dash.data = data
    dash.show_data()
    assert [dash.figures[k].caption.text() for k in ("customers", "new", "events")] == [
        "customer in all", "new customer in the period", "event in the period"]
    assert dash.cards["overlap"].note.text() == "1 combination"
    assert dash.cards["journeys"].note.text().startswith("1 path · 1 customer · ")
    data["overlap"] = [{"channels": ["email"], "customers": 2}]
    dash.show_data()
    assert dash.figures["customers"].caption.text() == "customers in all"


def test_the_weekly_charts_run_through_the_whole_period_quiet_weeks_too(win):
    """The demo's activity ends with October; a period to the end of the year shows its quiet weeks as zeros."""
    dash = _dash(win)
    start, end = date(2026, 10, 1), date(2026, 12, 31)
    with time_machine.travel(TODAY, tick=False):
        dash.set_period("custom", start, end)
        weeks = [f"{y}-W{w:02d}" for y, w, _ in (start.isocalendar(), end.isocalendar())]
        for chart in (dash.events_chart, dash.new_chart, dash.revenue_chart):
            assert (chart.weeks[0], chart.weeks[-1]) == tuple(weeks)
        header, rows = dash.csv_of("growth")
        assert rows[-1][0] == weeks[-1] and rows[-1][2:] == [0, "0.00"]
        dash.set_period("all")  # all time runs to today on the shop's clock
        assert dash.events_chart.weeks[-1] == "2026-W45"


def test_on_a_narrow_window_the_weekly_growth_charts_go_under_the_activity_chart(win):
    """Beside the activity chart on a 1024-pixel window, the new-customers and revenue charts were
    130 pixels wide each: there they take a row of their own, and beside it again when there is room."""
    from PySide6.QtWidgets import QApplication

    dash = _dash(win)
    activity, growth = dash.cards["activity"], dash.cards["growth"]
    for size, beside in (((1024, 640), False), ((1920, 1080), True), ((1024, 640), False)):
        win.resize(*size)
        for _ in range(3):
            QApplication.processEvents()
        a, g = activity.geometry(), growth.geometry()
        if beside:
            assert g.left() > a.right() and g.top() == a.top(), (size, a, g)
        else:
            assert g.top() > a.bottom() and g.left() == a.left() and g.width() == a.width(), (size, a, g)
        # Each of the two weekly charts has room for its weeks.
        assert min(dash.new_chart.width(), dash.revenue_chart.width()) >= 250, size


def test_a_journey_band_never_runs_through_a_channel_it_skips(win):
    """Those who bought with no second channel go through a lane of their own: drawn across the second
    column's "Shop" node, the band of Shop → first purchase read as Shop, then Shop."""
    chart = _dash(win).journey_chart
    rects = chart._layout()
    skipping = 0
    for (a, b), path, _spine in chart._bands(rects):
        for (col, code), r in rects.items():
            if a[0] < col < b[0]:
                skipping += 1
                assert not path.intersects(r.adjusted(0, 1, 0, -1)), ((a, b), (col, code))
    assert skipping, "the demo has journeys that skip a column"
    # The lanes sit above the column's nodes, as tall as the customers passing.
    for col, lane in chart.lanes.items():
        assert all(lane.bottom() < r.top() for (c, _code), r in rects.items() if c == col)


def test_every_journey_node_has_a_line_of_room_for_its_name(win):
    """The second column's few customers each were slivers a few pixels apart, drawn without a name:
    nodes now stand at least a line apart, and each is named."""
    from PySide6.QtGui import QFontMetricsF

    chart = _dash(win).journey_chart
    rects = chart._layout()
    line = QFontMetricsF(chart.font()).height()
    for col in {c for c, _ in rects}:
        centres = sorted(r.center().y() for (c, _code), r in rects.items() if c == col)
        assert all(b - a >= line for a, b in zip(centres, centres[1:])), (col, centres)
    assert sum(1 for c, _code in rects if c == 1) >= 3  # the demo's second column has small nodes


def test_health_tiles_count_an_address_someone_else_opted_out_of_as_the_lists_they_open(window, qtbot, tmp_path):
    # Hannah said yes from the family mailbox Mark unsubscribed, Joe from another spelling of the
    # Gmail mailbox Joanna unsubscribed, Laura (a till's list, no consent column) is on the family
    # mailbox too: the campaigns hold all three.  Alice alone may be reached; Nina's consent is unknown.
    from omnidesk.core.demo_data.shared import MAILCHIMP_UNSUBSCRIBED_HEADER, SHOPIFY_CUSTOMERS_HEADER
    from omnidesk.core.importing.pipeline import ImportOptions, import_file

    def write(name, header, rows):
        with (tmp_path / name).open("w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(header)
            out.writerows([row.get(h, "") for h in header] for row in rows)
        return tmp_path / name

    shop = [{"Customer ID": str(n), "First Name": first, "Last Name": last, "Email": email,
             "Accepts Email Marketing": "yes", "Accepts SMS Marketing": "no", "Total Spent": "0.00", "Total Orders": "0"}
            for n, first, last, email in ((1, "Alice", "Adams", "alice@example.com"),
                                          (2, "Hannah", "Lee", "lee.family@gmail.com"),
                                          (3, "Joe", "Jones", "j.o.e@gmail.com"))]
    gone = [{"Email Address": email, "First Name": first, "Last Name": last, "MEMBER_RATING": "2",
             "UNSUB_TIME": "2026-03-18 10:00:00", "LEID": leid, "EUID": f"e{leid}"}
            for first, last, email, leid in (("Mark", "Lee", "lee.family@gmail.com", "5"),
                                             ("Joanna", "Smith", "joe+shop@gmail.com", "6"))]
    till = tmp_path / "till_list.csv"
    till.write_text("Name,Email\nLaura Lee,lee.family@gmail.com\nNina Novak,nina@example.com\n", encoding="utf-8")
    target = tmp_path / "family.omnidesk"
    ws = Workspace.create(target)
    try:
        for path, channel in ((write("customers_export.csv", SHOPIFY_CUSTOMERS_HEADER, shop), "shop"),
                              (write("unsubscribed_members_export_aa11.csv", MAILCHIMP_UNSUBSCRIBED_HEADER, gone),
                               "email"), (till, "pos")):
            import_file(ws, path, ImportOptions(channel=channel))
    finally:
        ws.close()
    assert window.open_workspace(target)
    dash, customers = window.screens["dashboard"], window.screens["customers"]
    window.show_screen("dashboard")
    qtbot.waitUntil(lambda: bool(dash.data), timeout=5000)
    shown = {key: dash.tiles[key].value.text() for key in ("unreachable_customers", "email_consent_unknown")}
    assert shown == {"unreachable_customers": "6", "email_consent_unknown": "1"}
    for key, n in shown.items():
        window.show_screen("dashboard")
        qtbot.mouseClick(dash.tiles[key], Qt.MouseButton.LeftButton)
        assert window.current_screen() == "customers"
        assert customers.model.rowCount() == int(n), key


def test_tab_goes_through_the_cards_in_the_order_they_are_read(win, qtbot):
    """"New customers and revenue" was placed last, so its Save came after Campaign results' own,
    below it on a narrow window and to the right of Activity on a wide one."""
    dash = _dash(win)
    reading = ["reach", "overlap", "journeys", "activity", "growth", "campaigns"]
    buttons = {card.menu_button: key for key, card in dash.cards.items()}
    for size in ((1024, 640), (1920, 1080), (1024, 640)):
        win.resize(*size)
        for _ in range(3):
            QApplication.processEvents()
        win.activateWindow()
        dash.period_box.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is dash.period_box)
        saves = []
        for _ in range(40):
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            widget = QApplication.focusWidget()
            if not dash.isAncestorOf(widget):
                break
            if widget in buttons:
                saves.append(buttons[widget])
        assert saves == reading, size
        # And each on the page below, or right of, the one before.
        cards = [dash.cards[key] for key in reading]
        for before, after in zip(cards, cards[1:]):
            b, a = before.geometry(), after.geometry()
            assert a.top() > b.bottom() or (a.top() == b.top() and a.left() > b.right()), (size, b, a)


def test_all_time_counts_every_customer_as_new_and_says_how_many_had_no_date(window, ws, tmp_path, qtbot):
    from omnidesk.core.importing.pipeline import import_file
    from tests.helpers import write_csv

    import_file(ws, write_csv(tmp_path / "people.csv", ["Email", "First name", "Signed up"], [
        ["ann@example.com", "Ann", "2026-03-02"], ["bob@example.com", "Bob", ""]]))
    # The clock ticks on from noon (waitUntil reads it), far from any midnight.
    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=UTC), tick=True):
        window.set_workspace(ws)
        window.show_screen("dashboard")
        dash = window.screens["dashboard"]
        qtbot.waitUntil(lambda: bool(dash.data), timeout=5000)
        new = dash.figures["new"]
        # The last 12 months: Bob, with no first-seen date, is new in no bounded period.
        assert (new.value.text(), new.caption.text()) == ("1", "new customer in the period")
        dash.set_period("all")
        qtbot.waitUntil(lambda: dash.data.get("new_customers") and dash.journeys_period == metrics.Period(),
                        timeout=5000)
    assert new.value.text() == dash.figures["customers"].value.text() == "2"
    assert new.caption.text() == "new customers in the period, 1 with no first-seen date"
    assert "no first-seen date" in new.toolTip()
    assert new.accessibleName() == "new customers in the period, 1 with no first-seen date: 2"
    # The weekly chart has no week for him: one bar of one.
    assert sum(dash.new_chart.series["new"]) == 1


def test_the_journeys_note_offers_a_click_only_when_a_flow_is_drawn(window, ws, tmp_path, qtbot):
    from omnidesk.core.importing.pipeline import ImportOptions, import_file
    from tests.helpers import write_csv

    import_file(ws, write_csv(tmp_path / "list.csv", ["Email", "First name", "Signed up"], [
        ["ann@example.com", "Ann", "2026-03-02"], ["bob@example.com", "Bob", "2026-03-03"]]),
        ImportOptions(channel="email"))
    window.set_workspace(ws)
    window.show_screen("dashboard")
    dash = window.screens["dashboard"]
    qtbot.waitUntil(lambda: bool(dash.data), timeout=5000)
    dash.set_period("all")
    card = dash.cards["journeys"]
    # Journeys of one channel and no purchase: nothing drawn, nothing to click.
    assert dash.data["journeys"] == [{"path": ["email"], "customers": 2, "median_days": None}]
    assert card.is_empty() and not dash.journey_chart.flows
    assert card.note.text() == "1 path · 2 customers"


def _drawn_lines(table, row: int) -> list[str]:
    """The lines the Campaign cell of ``row`` draws, each as Qt paints it: cut with "…" where wider than the
    room the style leaves for an item's text (its text rectangle less the focus frame's margin each side)."""
    from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

    index = table.model().index(row, 0)
    option = QStyleOptionViewItem()
    table.initViewItemOption(option)
    option.rect = table.visualRect(index)
    table.itemDelegateForColumn(0).initStyleOption(option, index)
    style = table.style()
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    room = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, table).width() - 2 * margin
    # Laid out as the style lays out an item's text: wrapped at words, broken where a line separator is.
    layout = QTextLayout(option.text, option.font)
    wrap = QTextOption()
    wrap.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(wrap)
    layout.beginLayout()
    lines = []
    while (line := layout.createLine()).isValid():
        line.setLineWidth(room)
        lines.append(option.text[line.textStart():line.textStart() + line.textLength()].rstrip(" \u2028"))
    layout.endLayout()
    return [option.fontMetrics.elidedText(line, option.textElideMode, room) for line in lines]


def test_a_hebrew_campaign_reads_right_to_left_before_its_step_day(win, qtbot):
    """Where the Campaign cell has room for "<name>, <day and time>" on one line, a Hebrew name with a
    number ("מבצע חורף 2026") took the step's day into its right-to-left run: "26 ,2026 <the name> Oct
    2026 09:00", the day before the name and cut from its month.  The name now reads right to left on
    its own, and the day, month and time follow it, left to right, as on a Latin name's row."""
    from PySide6.QtWidgets import QStyleOptionViewItem
    from sqlalchemy import insert

    from omnidesk.core.models import Campaign, CampaignStep

    name = "מבצע חורף 2026"
    dash, ws = _dash(win), win.workspace
    with ws.writing() as conn:
        camp = conn.execute(insert(Campaign.__table__).values(name=name, audience_json='"everyone"',
                                                              status="exported")).inserted_primary_key[0]
        conn.execute(insert(CampaignStep.__table__).values(
            campaign_id=camp, channel="email", at_local="2026-10-26T09:00:00", timezone="UTC",
            at_utc="2026-10-26T09:00:00Z", exported_at="2026-10-01"))
    win.resize(1920, 1080)
    dash.apply_changes(Changes(campaigns=True))
    table = dash.campaign_table
    dash.scroll.ensureWidgetVisible(table)
    qtbot.wait(50)
    item = table.item(0, 0)
    assert item.text() == f"{name}, 26 Oct 2026 09:00"  # what a screen reader reads, as typed
    index = table.model().index(0, 0)
    option = QStyleOptionViewItem()
    table.initViewItemOption(option)
    option.rect = table.visualRect(index)
    table.itemDelegateForColumn(0).initStyleOption(option, index)
    text = option.text
    assert text.replace("\u200e", "") == item.text()  # one line: the room is there
    # Where Qt draws each character, laid out as the table lays out its items: left to right.
    layout = QTextLayout(text, option.font)
    direction = QTextOption()
    direction.setTextDirection(option.direction)
    layout.setTextOption(direction)
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(10_000)
    layout.endLayout()

    def left(i: int) -> float:  # the left edge of character i, however its run reads
        return min(line.cursorToX(i)[0], line.cursorToX(i + 1)[0])

    letters = [i for i, ch in enumerate(text) if "\u05d0" <= ch <= "\u05ea"]
    year, day = text.index("2026"), text.index("26 Oct")
    # The name right to left: its first letter rightmost, its number at its left end.
    assert left(letters[0]) == max(left(i) for i in letters)
    assert left(year) < min(left(i) for i in letters)
    # Then the comma, the day, the month and the time, each right of the one before, right of the name.
    after = [text.index(","), day, text.index("Oct"), text.index("09:00")]
    assert [left(i) for i in after] == sorted(left(i) for i in after)
    assert left(after[0]) > max(left(i) for i in letters)


def test_two_steps_of_a_long_named_campaign_read_apart_at_1024(win, qtbot):
    """At 1024×640 the Campaign column is narrow: the long name gives way, each step's date and time show
    whole (without the year in the shop's current one, and a step of another year widens the column, the
    table then scrolling sideways), and the cell's tooltip (and its text, which a screen reader reads)
    holds everything."""
    from sqlalchemy import insert, select

    from omnidesk.core.models import Campaign, CampaignStep, Event, SendRecord, SourceRecord

    name = "Autumn loyalty weekend: thank-you offer for our regulars and newsletter readers"
    dash, ws = _dash(win), win.workspace
    with ws.writing() as conn:
        # Six of the demo's buyers: four sent each step, two held out, so every column has its figures.
        ev, rec = Event.__table__, SourceRecord.__table__
        buyers = conn.execute(select(ev.c.customer_id).where(ev.c.type == "order", ev.c.status == "paid",
                                                             ev.c.customer_id.is_not(None))
                              .order_by(ev.c.id.desc()).limit(6)).scalars().all()
        records = [conn.execute(select(rec.c.id).where(rec.c.customer_id == cid).limit(1)).scalar_one()
                   for cid in buyers]
        camp = conn.execute(insert(Campaign.__table__).values(name=name, audience_json='"everyone"',
                                                              status="exported")).inserted_primary_key[0]
        for day, channel_ in (("2026-10-01", "email"), ("2026-10-08", "sms")):
            step = conn.execute(insert(CampaignStep.__table__).values(
                campaign_id=camp, channel=channel_, at_local=f"{day}T09:00:00", timezone="UTC",
                at_utc=f"{day}T09:00:00Z", exported_at=day)).inserted_primary_key[0]
            for n, record in enumerate(records):
                conn.execute(insert(SendRecord.__table__).values(
                    step_id=step, record_id=record, channel=channel_ if n < 4 else "held out",
                    send_utc=f"{day}T09:00:00Z"))
    win.resize(1024, 640)
    dash.apply_changes(Changes(campaigns=True))
    table = dash.campaign_table
    assert table.rowCount() == 2  # read at once: the window's runner is inline
    dash.scroll.ensureWidgetVisible(table)
    qtbot.wait(50)
    shown = []
    for row, (when, step) in enumerate((("8 Oct 2026 09:00", "SMS"), ("1 Oct 2026 09:00", "Email"))):  # newest first
        item = table.item(row, 0)
        assert item.text() == f"{name}, {when}"
        assert item.toolTip() == f"{name}\n{step} step, {when}"
        lines = _drawn_lines(table, row)
        assert table.columnWidth(0) < table.fontMetrics().horizontalAdvance(item.text())  # the name cannot fit
        assert lines[0].startswith("Autumn") and lines[0].endswith("…")
        assert lines[-1] == when.replace(" 2026", ""), lines  # this year's: its day and time, whole
        shown.append(lines)
    assert shown[0] != shown[1]
    # Every column on the screen: the table does not scroll sideways for this year's steps.
    assert table.horizontalScrollBar().maximum() == 0

    # A step of last year keeps its year, whole: the column widens for it, the table scrolling sideways.
    with ws.writing() as conn:
        conn.execute(insert(CampaignStep.__table__).values(
            campaign_id=camp, channel="email", at_local="2025-12-30T23:59:00", timezone="UTC",
            at_utc="2025-12-30T23:59:00Z", exported_at="2025-12-30"))
    dash.apply_changes(Changes(campaigns=True))
    qtbot.wait(50)
    texts = [table.item(row, 0).text() for row in range(table.rowCount())]
    row = texts.index(f"{name}, 30 Dec 2025 23:59")
    assert _drawn_lines(table, row)[-1] == "30 Dec 2025 23:59"
    # The column now wide enough for a whole date, this year's steps show theirs whole too.
    assert sorted(_drawn_lines(table, r)[-1] for r in range(table.rowCount())) == [
        "1 Oct 2026 09:00", "30 Dec 2025 23:59", "8 Oct 2026 09:00"]
    assert table.horizontalScrollBar().maximum() > 0  # the table scrolls sideways to the other columns


def test_a_campaign_name_that_fits_keeps_its_step_date_on_a_line_of_its_own_at_1024(win, qtbot):
    """A name short enough for the column, too long beside its date on one line: the name on the first line
    and the date whole on the second, never the date's first words run onto the name's line and its year
    pushed under it."""
    from sqlalchemy import insert

    from omnidesk.core.models import Campaign, CampaignStep

    dash, ws = _dash(win), win.workspace
    with ws.writing() as conn:
        camp = conn.execute(insert(Campaign.__table__).values(name="Weekly news",
                                                              audience_json='"everyone"',
                                                              status="exported")).inserted_primary_key[0]
        conn.execute(insert(CampaignStep.__table__).values(
            campaign_id=camp, channel="email", at_local="2025-01-11T11:00:00", timezone="UTC",
            at_utc="2025-01-11T11:00:00Z", exported_at="2025-01-10"))
    win.resize(1024, 640)
    dash.apply_changes(Changes(campaigns=True))
    table = dash.campaign_table
    dash.scroll.ensureWidgetVisible(table)
    qtbot.wait(50)
    fm = table.fontMetrics()
    assert fm.horizontalAdvance("Weekly news") < table.columnWidth(0) < fm.horizontalAdvance(
        table.item(0, 0).text())
    assert _drawn_lines(table, 0) == ["Weekly news", "11 Jan 2025 11:00"]


def test_the_weekly_charts_month_labels_stand_apart_over_years_in_all_time(win, qtbot):
    """All time on the demo (over four years of weeks): each weekly chart labels its months few enough that
    no two labels touch, at the chart's real width in a 1024×640 window and in a 1920×1080 one."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QFontMetricsF

    dash = _dash(win)
    dash.set_period("all")
    qtbot.waitUntil(lambda: len(dash.new_chart.weeks) > 200, timeout=5000)
    for size in ((1024, 640), (1920, 1080)):
        win.resize(*size)
        qtbot.wait(100)
        for chart in (dash.events_chart, dash.new_chart, dash.revenue_chart):
            axis = chart.item.getAxis("bottom")
            metrics_ = QFontMetricsF(axis.style["tickFont"] or chart.font())
            ticks = axis._tickLevels[0]
            assert len(ticks) >= 2, (size, chart.accessibleName(), ticks)
            assert re.fullmatch(r"[A-Z][a-z]{2} \d{4}", ticks[0][1]), ticks  # the first label drawn has its year
            ends = axis.mapRectToItem(chart.item.vb, axis.boundingRect())
            ends = chart.mapFromScene(chart.item.vb.mapToScene(ends)).boundingRect()
            spans = []
            for x, label in ticks:
                middle = chart.mapFromScene(chart.item.vb.mapViewToScene(QPointF(x, 0))).x()
                half = metrics_.horizontalAdvance(label) / 2
                spans.append((middle - half, middle + half, label))
                # Within the axis's ends: pyqtgraph hides a label that is not.
                assert ends.left() - 0.5 <= middle - half and middle + half <= ends.right() + 0.5, (size, label)
            for (_, right, label), (left, _, following) in zip(spans, spans[1:]):
                assert left - right >= 8, (size, chart.accessibleName(), label, following, left - right)


def test_export_report_warns_of_the_characters_it_prints_as_question_marks(win, tmp_path, monkeypatch):
    import pypdfium2

    dash = _dash(win)
    said, warned = [], []
    monkeypatch.setattr(dash, "show_error", lambda title, text: said.append(text))
    monkeypatch.setattr(dash, "show_warning", lambda title, text: warned.append(text))
    win.workspace.set_setting("business_name", "शर्मा स्टोर")
    monkeypatch.setattr(dash, "ask_save_path", lambda caption, suggested, _f: tmp_path / "report.pdf")
    win.report_action.trigger()
    pdf = pypdfium2.PdfDocument(str(tmp_path / "report.pdf"))
    assert "????? ?????: the whole picture" in pdf[0].get_textpage().get_text_range()
    pdf.close()
    assert not said and len(warned) == 1
    assert str(tmp_path / "report.pdf") in warned[0] and "श" in warned[0] and "“शर्मा स्टोर”" in warned[0]
    assert "“?”" in warned[0]


@pytest.mark.parametrize(("region", "points"), [("US", (612, 792)), ("FR", (595, 842))])
def test_export_report_prints_on_the_shops_paper(win, tmp_path, monkeypatch, region, points):
    import pypdfium2

    dash = _dash(win)
    win.workspace.set_setting("default_region", region)
    monkeypatch.setattr(dash, "ask_save_path", lambda caption, suggested, _f: tmp_path / "report.pdf")
    win.report_action.trigger()
    pdf = pypdfium2.PdfDocument(str(tmp_path / "report.pdf"))
    assert tuple(round(v) for v in pdf[0].get_size()) == points
    pdf.close()


def test_a_hebrew_channel_name_holding_a_number_keeps_its_spaces_on_the_reach_chart(window, ws, tmp_path, qtbot,
                                                                                   monkeypatch):
    from omnidesk.core.importing.pipeline import ImportOptions, import_file
    from tests.helpers import write_csv

    market = "שוק 2024 מרכז"  # a farmers' market channel of the shop's own
    header = ["First Name", "Last Name", "Email", "Phone"]
    with time_machine.travel(TODAY, tick=False):
        import_file(ws, write_csv(tmp_path / "market.csv", header, [
            ["Ann", "Lee", "ann@example.com", ""], ["Bob", "Fox", "bob@example.com", ""]]),
            ImportOptions(channel=market))
        import_file(ws, write_csv(tmp_path / "list.csv", header, [["Ann", "Lee", "ann@example.com", ""]]),
                    ImportOptions(channel="email"))
        window.resize(1280, 900)
        window.set_workspace(ws)
        window.show_screen("dashboard")
        dash = window.screens["dashboard"]
        qtbot.waitUntil(lambda: bool(dash.data), timeout=5000)
        assert [channel(c).label for c in dash.data["reach"]] == [market, "Email"]
        axis = dash.reach_chart.item.getAxis("left")
        qtbot.waitUntil(lambda: axis.width() == axis.fixedWidth, timeout=5000)  # the names' room laid out
        monkeypatch.setattr(dash, "ask_save_path", lambda caption, suggested, _filter: tmp_path / suggested)
        dash.cards["reach"].svg_action.trigger()  # Save SVG…, as a person picks it
    # The name's pieces on its row of the axis, read right to left as Hebrew is: the name, spaces and all.
    (svg,) = tmp_path.glob("reach-*.svg")
    (texts,) = [texts for group in ET.parse(svg).getroot().iter() if group.tag.endswith("}g")
                for texts in [[t for t in group if t.tag.endswith("}text")]]
                if any("שוק" in (t.text or "") for t in texts)]
    row = next(t.get("y") for t in texts if "שוק" in (t.text or ""))
    pieces = sorted((t for t in texts if t.get("y") == row), key=lambda t: -float(t.get("x")))
    assert "".join(t.text for t in pieces).strip() == market


def test_journeys_without_any_customer_say_so_not_to_choose_a_longer_period(window, ws, tmp_path, qtbot):
    """A till's sales of nobody in particular (no name, no number), as a shop whose customers were all erased
    keeps: orders in, not one customer to follow. The journeys card says there is no customer, in every
    period, as the report does, rather than send the owner to look in a longer one."""
    from omnidesk.core.importing.pipeline import ImportOptions, import_file
    from tests.core.test_money import TILL_HEADER
    from tests.helpers import write_csv

    import_file(ws, write_csv(tmp_path / "till_transactions.csv", TILL_HEADER, [
        ["02/03/2026", "10:15", "20001", "", "", "", "Sencha 3oz x1", "20,00"]], encoding="cp1252", delimiter=";"),
        ImportOptions(channel="pos", kind="events"))
    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=UTC), tick=True):
        window.set_workspace(ws)
        window.show_screen("dashboard")
        dash = window.screens["dashboard"]
        qtbot.waitUntil(lambda: bool(dash.data), timeout=5000)
        card = dash.cards["journeys"]
        assert dash.figures["customers"].value.text() == "0" and dash.figures["events"].value.text() == "1"
        for period in ("12m", "all"):
            dash.set_period(period)
            qtbot.waitUntil(lambda: dash.journeys_period == dash.period(), timeout=5000)
            assert card.is_empty()
            assert card.empty.text().startswith("No customers yet"), card.empty.text()
            assert "longer period" not in card.empty.text()


def test_the_campaign_results_of_two_years_are_shown_again_without_holding_the_window(win, qtbot):
    """150 exported steps, two years of a weekly newsletter: showing the figures again (after a change, or
    another period) fills the table at once, not in the seconds it took when every cell set had each
    column measure all the rows again."""
    import time

    from sqlalchemy import insert

    from omnidesk.core.models import Campaign, CampaignStep

    dash, ws = _dash(win), win.workspace
    with ws.writing() as conn:
        for n in range(150):
            day = date(2025, 1, 6) + timedelta(days=5 * n)
            camp = conn.execute(insert(Campaign.__table__).values(
                name=f"Weekly news {n:03d}: what is new on the shelves this week", audience_json='"everyone"',
                status="exported")).inserted_primary_key[0]
            conn.execute(insert(CampaignStep.__table__).values(
                campaign_id=camp, channel="email", at_local=f"{day}T09:00:00", timezone="UTC",
                at_utc=f"{day}T09:00:00Z", exported_at=f"{day - timedelta(days=1)}"))
    win.resize(1024, 640)
    dash.apply_changes(Changes(campaigns=True))
    table = dash.campaign_table
    assert table.rowCount() == 150
    dash.scroll.ensureWidgetVisible(table)
    qtbot.wait(100)  # laid out and drawn, as the owner sees it
    started = time.perf_counter()
    dash.show_data()
    took = time.perf_counter() - started
    # The newest step sent first (2 November, the day before TODAY); the 16 still to come follow the results.
    assert table.rowCount() == 150 and table.item(0, 0).text().startswith("Weekly news 133")
    assert took < 1.0, f"the figures took {took:.1f} s to show"


def test_the_newest_campaign_steps_open_the_campaign_table(win, qtbot):
    """With many steps the table is a small scroll box: the newest results open it, by the step's time and
    then the campaign's name, as the report lists them; the oldest are at the bottom."""
    from sqlalchemy import insert

    from omnidesk.core.models import Campaign, CampaignStep

    dash, ws = _dash(win), win.workspace
    with ws.writing() as conn:
        for name, day in (("Old news", "2026-01-05"), ("Zebra sale", "2026-03-02"), ("Autumn sale", "2026-03-02"),
                          ("Middle news", "2026-02-02")):
            camp = conn.execute(insert(Campaign.__table__).values(name=name, audience_json='"everyone"',
                                                                  status="exported")).inserted_primary_key[0]
            conn.execute(insert(CampaignStep.__table__).values(
                campaign_id=camp, channel="email", at_local=f"{day}T09:00:00", timezone="UTC",
                at_utc=f"{day}T09:00:00Z", exported_at="2026-01-01"))
    win.resize(1024, 640)
    dash.apply_changes(Changes(campaigns=True))
    table = dash.campaign_table
    shown = [table.item(row, 0).text().split(",")[0] for row in range(table.rowCount())]
    assert shown == ["Autumn sale", "Zebra sale", "Middle news", "Old news"]
    assert [c["name"] for c in metrics.report(ws)["campaigns"]] == shown  # the report's order too


def test_steps_not_sent_yet_follow_the_results_soonest_first_and_say_so(win, qtbot, computer_in, tmp_path,
                                                                        monkeypatch):
    """A step exported for next week sat on top of the table, newest of all, with nothing to show: the
    results an owner looks for went under it.  Steps already sent open the table, newest first; those
    still to come follow, the next to go out first, saying "not sent yet", as the card's CSV does."""
    from sqlalchemy import insert

    from omnidesk.core.models import Campaign, CampaignStep

    computer_in("Asia/Tokyo")  # the computer's zone is not the shop's; "now" is the win fixture's TODAY
    dash, ws = _dash(win), win.workspace
    assert TODAY == datetime(2026, 11, 2, 3, 30, tzinfo=UTC) + timedelta(days=1)
    with ws.writing() as conn:
        for name, day in (("Old news", "2026-10-05"), ("Christmas", "2026-12-14"), ("Zebra sale", "2026-10-26"),
                          ("Next week", "2026-11-09"), ("Autumn sale", "2026-10-26")):
            camp = conn.execute(insert(Campaign.__table__).values(name=name, audience_json='"everyone"',
                                                                  status="exported")).inserted_primary_key[0]
            conn.execute(insert(CampaignStep.__table__).values(
                campaign_id=camp, channel="email", at_local=f"{day}T09:00:00", timezone="UTC",
                at_utc=f"{day}T09:00:00Z", exported_at="2026-10-01"))
    win.resize(1024, 640)
    dash.apply_changes(Changes(campaigns=True))
    table = dash.campaign_table
    rows = [[table.item(row, col).text() for col in range(table.columnCount())] for row in range(table.rowCount())]
    assert [r[0].split(",")[0] for r in rows] == ["Autumn sale", "Zebra sale", "Old news", "Next week", "Christmas"]
    assert [r[6] for r in rows] == ["none", "none", "none", "not sent yet", "not sent yet"]
    assert [r[3] for r in rows] == ["0", "0", "0", "", ""]  # no orders counted yet: not 0 orders
    assert [c["name"] for c in metrics.report(ws)["campaigns"]] == [r[0].split(",")[0] for r in rows]
    # The card's CSV: the same order, the steps to come with their planned recipients and nothing else.
    monkeypatch.setattr(dash, "ask_save_path", lambda *a: tmp_path / "campaigns.csv")
    saved = list(csv.DictReader(dash.save_chart(dash.cards["campaigns"], "csv").open(encoding="utf-8")))
    assert [(r["campaign"], r["status"]) for r in saved] == [
        ("Autumn sale", "sent"), ("Zebra sale", "sent"), ("Old news", "sent"), ("Next week", "not sent yet"),
        ("Christmas", "not sent yet")]
    assert [(r["recipients"], r["orders"], r["revenue"], r["baseline_orders"], r["baseline_revenue"])
            for r in saved[3:]] == [("0", "", "", "", "")] * 2
    assert (saved[0]["orders"], saved[0]["revenue"]) == ("0", "0.00")


def test_export_report_is_written_off_the_window_thread(win, tmp_path, monkeypatch, qtbot):
    """File › Export Report… reads every figure again and lays out a page per dozen campaign steps: seconds on
    a shop of two years. The window stays free meanwhile (the report is written by the pool, as the figures
    are read), and the file, and what it says, come when it is done."""
    import time

    import pypdfium2

    from omnidesk.core import report_pdf

    dash = _dash(win)
    win.runner = TaskRunner()  # the pool, as in the app
    real = report_pdf.write_report_pdf

    def slow(*args, **kwargs):
        time.sleep(1.5)  # a big shop's report
        return real(*args, **kwargs)

    monkeypatch.setattr(report_pdf, "write_report_pdf", slow)
    written = []
    dash.saved.connect(written.append)
    monkeypatch.setattr(dash, "ask_save_path", lambda caption, suggested, _f: tmp_path / "report.pdf")
    started = time.perf_counter()
    win.report_action.trigger()
    assert time.perf_counter() - started < 1.0  # the window's thread is given back at once
    qtbot.waitUntil(lambda: bool(written), timeout=20000)
    assert written == [str(tmp_path / "report.pdf")]
    assert win.runner.wait(5)
    pdf = pypdfium2.PdfDocument(str(tmp_path / "report.pdf"))
    assert "Reach per channel" in pdf[0].get_textpage().get_text_range()
    pdf.close()
