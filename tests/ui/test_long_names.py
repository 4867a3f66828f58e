"""Long channel and customer names, and right-to-left ones, on the Dashboard and the customer card:
everything keeps its room, its meaning and its order, on a 1024 by 640 window as on a wide one."""

from __future__ import annotations

import pytest
import time_machine
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication

from omnidesk.core.channels import channel

LONG_CHANNEL = "Saturday farmers market stall at the old railway goods yard!"
LONG_NAME = "Maximiliana-Alexandrina Wolfeschlegelsteinhausenbergerdorff"
ARABIC_NAME = "محمد عبد الرحمن الهاشمي"
HEBREW_NAME = "דוד בן גוריון"
NOW = "2026-11-02T04:00:00+00:00"  # 23:00 on 1 Nov in New York
SIZES = ((1024, 640), (1920, 1080))


def _shop(make_workspace, tmp_path):
    """Six customers on ten channels, one of them a stall with a sixty-letter name."""
    from omnidesk.core.importing.pipeline import ImportOptions, import_file
    from tests.helpers import write_csv

    ws = make_workspace(timezone="America/New_York")
    people = [
        (LONG_NAME, "max@example.com", "+12125550101"),
        (ARABIC_NAME, "mohammed@example.com", "+12125550102"),
        (HEBREW_NAME, "david@example.com", "+12125550103"),
        ("Ann Lee", "ann@example.com", "+12125550104"),
        ("Bob Fox", "bob@example.com", "+12125550105"),
        ("Cy Ode", "cy@example.com", "+12125550106"),
    ]
    head = ["Name", "Email", "Phone"]
    lists = {"email": people, "sms": people[:4], "social": people[1:5], "contacts": people[2:6],
             "web": people[::2], "other": people[1::2], LONG_CHANNEL: people[:3], "Craft fair": people[3:]}
    for i, (name, rows) in enumerate(lists.items()):
        import_file(ws, write_csv(tmp_path / f"list{i}.csv", head, [list(p) for p in rows]),
                    ImportOptions(channel=name, kind="contacts"))
    import_file(ws, write_csv(tmp_path / "orders.csv", ["Name", "Email", "Billing Name", "Created at",
                                                         "Lineitem name", "Total", "Financial Status"], [
        ["#1", "max@example.com", people[0][0], "2026-10-01 10:00 -0400", "Mug", "12.00", "paid"],
        ["#2", "mohammed@example.com", people[1][0], "2026-10-31 23:30 -0400", "Bowl", "48.00", "paid"],
        ["#3", "david@example.com", people[2][0], "2026-11-01 23:30 -0500", "Plate", "30.00", "paid"]]),
        ImportOptions(channel="shop", preset="shopify_orders"))
    import_file(ws, write_csv(tmp_path / "till.csv", ["Receipt", "Date", "Email", "Total"], [
        ["1", "2026-10-15 16:26", "ann@example.com", "48.00"],
        ["2", "2026-11-01 23:30", "bob@example.com", "12.00"]]), ImportOptions(channel="pos", kind="events"))
    return ws


@pytest.fixture
def long_names(window, make_workspace, tmp_path, qtbot):
    with time_machine.travel(NOW, tick=False):
        window.set_workspace(_shop(make_workspace, tmp_path))
        window.resize(1024, 640)
        window.show_screen("dashboard")
        dash = window.screens["dashboard"]
        qtbot.waitUntil(lambda: bool(dash.data), timeout=10000)
        yield window


def _settle(win, size) -> None:
    win.resize(*size)
    for _ in range(3):
        QApplication.processEvents()


def _long_code(dash) -> str:
    return next(code for code in dash.data["reach"] if channel(code).label == LONG_CHANNEL)


def test_reach_bars_and_their_counts_keep_their_room_beside_a_long_channel_name(long_names):
    """The stall's sixty letters took the whole card at 1024 (no bars at all) and most of it at 1920,
    pushing the top count off the edge: now the name is shortened, whole on hover."""
    dash = long_names.screens["dashboard"]
    chart = dash.reach_chart
    code = _long_code(dash)
    for size in SIZES:
        _settle(long_names, size)
        axis = chart.item.getAxis("left")
        assert axis.width() <= chart.width() * 0.4 + 12, size  # the names take at most two fifths
        labels = dict(axis._tickLevels[0])
        y = len(chart.order) - 1 - chart.order.index(code)
        assert labels[y] != LONG_CHANNEL and labels[y].endswith("…"), (size, labels[y])
        assert LONG_CHANNEL.startswith(labels[y][:-1]) and len(labels[y]) > 8, labels[y]
        # Every bar is drawn, and its count sits beside it inside the plot.
        plot = chart.mapFromScene(chart.item.vb.sceneBoundingRect()).boundingRect()
        counts = [i for i in chart.item.items if hasattr(i, "textItem")]
        assert len(counts) == len(chart.order)
        for code_, label in zip(chart.order, counts):
            box = chart.mapFromScene(label.sceneBoundingRect()).boundingRect()
            assert plot.contains(box) and chart.rect().contains(box), (size, code_, box, plot)
            assert chart.bar_point(code_).x() > plot.left() + 4, (size, code_)
        # The name it could not show is told on hover over its row.
        row = chart.bar_point(code).toPoint()
        assert chart.tip_at(QPoint(axis.width() // 2, row.y())).startswith(LONG_CHANNEL + ": 3 customers")


def test_long_channel_names_in_the_reach_chart_are_whole_when_they_fit(long_names):
    dash = long_names.screens["dashboard"]
    _settle(long_names, (1920, 1080))
    labels = {label for _y, label in dash.reach_chart.item.getAxis("left")._tickLevels[0]}
    assert {"Email", "Phone contacts", "Craft fair", "Till"} <= labels



def test_channel_overlap_keeps_its_columns_beside_a_long_channel_name(long_names):
    """The names' column was as wide as the stall's name, leaving a combination out at 1024."""
    dash = long_names.screens["dashboard"]
    chart = dash.overlap_chart
    row = next(r for r, code in enumerate(chart.channels) if channel(code).label == LONG_CHANNEL)
    for size in SIZES:
        _settle(long_names, size)
        layout = chart._layout()
        assert layout["label_w"] <= chart.width() * 0.3 + 1, size  # the names take at most three tenths
        assert layout["shown"] == len(chart.combos) == 6, size
        shown = chart.label_text(row)
        assert shown.endswith("…") and LONG_CHANNEL.startswith(shown[:-1]) and len(shown) > 8, shown
        width = chart.fontMetrics().horizontalAdvance(shown)
        assert width <= chart.label_rect(row).width(), size
        # Every column is inside the chart.
        for i in range(layout["shown"]):
            assert chart.rect().toRectF().contains(chart.column_rect(i)), (size, i)
    assert chart.channels[row] == _long_code(dash)


def test_the_line_about_combinations_left_out_is_read_whole(long_names):
    """"+ 1 smaller combination · 1 customer (all in Save › Export CSV…)" was cut after "combin"."""
    from itertools import combinations

    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QFontMetricsF

    dash = long_names.screens["dashboard"]
    chart = dash.overlap_chart
    codes = list(dash.data["reach"])
    many = [{"channels": sorted(pair), "customers": 1} for pair in combinations(codes, 2)]
    chart.set_data(dash.data["overlap"] + many, codes)
    for size in SIZES:
        _settle(long_names, size)
        text, rect = chart.footer()
        assert text.startswith("+ ") and text.endswith("customers (all in Save › Export CSV…)"), size
        metrics = QFontMetricsF(chart._fonts()[1])
        needed = metrics.boundingRect(QRectF(0, 0, rect.width(), 10_000), int(Qt.TextFlag.TextWordWrap), text)
        assert needed.width() <= rect.width() and needed.height() <= rect.height(), (size, needed, rect)
        assert chart.rect().toRectF().contains(rect), size
        assert rect.top() >= chart.column_rect(0).bottom(), size  # under the matrix, not over its dots


def _customer_named(win, name) -> int:
    with win.workspace.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT id FROM customer WHERE display_name = ?", (name,)).scalar_one()


@pytest.mark.parametrize("name", [LONG_NAME, ARABIC_NAME, HEBREW_NAME])
def test_the_customers_name_stays_whole_above_their_channels(long_names, name):
    """Beside the name, ten channel chips left it "M…" on a 1024-wide window, the Arabic name not at all."""
    win = long_names
    with time_machine.travel(NOW, tick=False):
        win.open_customer(_customer_named(win, name))
        view = win.customer_view
        for size in SIZES:
            _settle(win, size)
            label = view.name_label
            assert label.shown_text() == name, (size, label.shown_text(), label.width())
            chips = [view.chips.itemAt(i).widget() for i in range(view.chips.count())]
            assert len(chips) >= 4
            card = view.name_label.parentWidget()
            for chip in chips:
                assert chip.isVisible() and chip.geometry().top() >= label.geometry().bottom(), (size, chip.text())
                assert card.rect().contains(chip.geometry()), (size, chip.text(), chip.geometry())
                assert chip.fontMetrics().horizontalAdvance(chip.text()) <= chip.contentsRect().width() + 1
            if name == LONG_NAME:  # one of them on the stall
                stall = next(c for c in chips if LONG_CHANNEL in c.toolTip())
                assert stall.text().endswith("…") and LONG_CHANNEL.startswith(stall.text()[:-1]), stall.text()
                assert stall.width() <= card.width() // 2, size


@pytest.mark.parametrize("first, last", [("Maximiliana-Alexandrina", "Worthington-Featherstonehaugh-Smythe"),
                                         ("Ann", "Lee"), ("דוד", "בן גוריון")])
def test_a_pinned_name_is_whole_beside_its_pinned_mark_and_menu(window, tmp_path, first, last):
    """A name typed in is pinned, and "pinned" and its ⋯ beside it cut a sixty-letter one to
    "…Featherstonehaugh-Sm…" on a 1024-wide window: now it goes on a second line, the mark and menu
    still after it on the card; a short one stays on one line with them right after it."""
    from omnidesk.cli import main
    from omnidesk.core.workspace import Workspace

    name = f"{first} {last}"
    path = tmp_path / "hand.omnidesk"
    with time_machine.travel(NOW, tick=False):
        Workspace.create(path).close()
        assert main(["customer", "add", f"first_name={first}", f"last_name={last}",
                     "email=maxi@example.com", "-w", str(path)]) == 0
        window.open_workspace(path)
        window.open_customer(1)
    view = window.customer_view
    label, mark, menu = view.name_label, view.pin_marks["name"], view.pin_buttons["name"]
    card = label.parentWidget()
    for size in SIZES:
        _settle(window, size)
        shown = label.shown_text()
        assert "…" not in shown and not label.is_elided(), (size, shown)
        assert shown.replace("-\n", "-").replace("\n", " ") == name, (size, shown)
        metrics = label.fontMetrics()
        for line in shown.split("\n"):
            assert metrics.horizontalAdvance(line) <= label.contentsRect().width(), (size, line)
        assert label.height() >= label.heightForWidth(label.width()), size  # every line has its room
        assert mark.isVisible() and menu.isVisible(), size
        controls = view.pin_controls["name"].geometry()
        assert controls.left() >= label.geometry().right() and card.rect().contains(controls), size
        chips = [view.chips.itemAt(i).widget() for i in range(view.chips.count())]
        assert chips and all(chip.geometry().top() >= label.geometry().bottom() for chip in chips), size
        if name == "Ann Lee":  # one line, "pinned" right after it
            assert "\n" not in shown and controls.left() - label.geometry().right() <= 12, size
    _settle(window, (1024, 640))  # where the sixty letters and the controls cannot share a line
    assert ("\n" in label.shown_text()) == (len(name) > 30), label.shown_text()
