"""The Sources tab says why a customer's records are one person, and keeps saying it through a split and its undo."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from PySide6.QtCore import Qt

from omnidesk.core.identity.merge import merge_customers
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.timeline import find_customer
from omnidesk.ui.views.customer import CustomerView
from tests.helpers import write_csv

NAME = ("Maximiliana Alexandrovna", "Featherstonehaugh-Okonkwo")
EMAIL = "maximiliana.featherstonehaugh-okonkwo@example.co.uk"


@pytest.fixture
def max_ws(ws, tmp_path):
    """Max on the newsletter (twice), at the till and in the shop, which bridges the two."""
    header = ["Email", "First Name", "Last Name"]
    import_file(ws, write_csv(tmp_path / "newsletter_march.csv", header, [[EMAIL, *NAME], ["bo@example.com", "Bo", "Chen"]]),
                ImportOptions(channel="email"))
    import_file(ws, write_csv(tmp_path / "till_customers.csv", ["Phone", "First Name", "Last Name"],
                              [["(415) 555-0111", *NAME]]), ImportOptions(channel="pos"))
    import_file(ws, write_csv(tmp_path / "shopify_customers_export.csv", ["Email", "Phone", "First Name", "Last Name"],
                              [[EMAIL, "415-555-0111", *NAME]]), ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "newsletter_june.csv", header, [[EMAIL, *NAME]]), ImportOptions(channel="email"))
    return ws


@pytest.fixture
def view(qtbot, max_ws):
    v = CustomerView(max_ws)
    qtbot.addWidget(v)
    v.resize(840, 600)  # a 1,024 px window less the navigation
    v.show()
    return v


def test_the_sources_tab_says_why_and_names_each_record(view, max_ws):
    assert view.show_customer(find_customer(max_ws, EMAIL))
    view.tabs.setCurrentWidget(view.sources_page)
    assert view.why_box.isVisibleTo(view)
    assert view.why_title.text() == "Why these 4 records are one person"
    text = view.why_text.text().replace("\u00a0", " ")
    assert "<b>Same email, same name and same middle name</b>" in text
    assert "<b>Same phone, same name and same middle name</b>" in text
    assert "<b>The same row, in a later file</b> — Email · newsletter_june.csv row 1 repeats " \
           "Email · newsletter_march.csv row 1" in text
    for name in ("Till · till_customers.csv row 1", "Shop · shopify_customers_export.csv row 1"):
        assert name in text


def test_a_card_shown_again_from_its_sources_tab_waits_for_the_tab_to_explain(view, max_ws, monkeypatch):
    """The reasons are worked out for the Sources tab when it is shown: a card shown again (left on
    that tab) opens on its timeline and works nothing out until the tab is opened again."""
    cid = find_customer(max_ws, EMAIL)
    assert view.show_customer(cid)
    view.tabs.setCurrentWidget(view.sources_page)
    assert view.why is not None
    worked = []
    real = view._fill_why
    monkeypatch.setattr(view, "_fill_why", lambda c: worked.append(c) or real(c))
    assert view.show_customer(cid)
    assert view.tabs.currentIndex() == 0 and worked == [] and view.why is None
    view.tabs.setCurrentWidget(view.sources_page)
    assert worked == [cid] and view.why_title.text() == "Why these 4 records are one person"


def test_a_customer_of_one_record_has_nothing_to_explain(view, max_ws):
    assert view.show_customer(find_customer(max_ws, "bo@example.com"))
    assert not view.why_box.isVisibleTo(view)


def test_many_reasons_show_a_few_until_asked(view, max_ws, tmp_path):
    people = [[f"p{i}@example.com", f"Person{i}", "Quill"] for i in range(6)]
    import_file(max_ws, write_csv(tmp_path / "more.csv", ["Email", "First Name", "Last Name"], people),
                ImportOptions(channel="email"))
    merge_customers(max_ws, [find_customer(max_ws, EMAIL), *(find_customer(max_ws, p[0]) for p in people)])
    assert view.show_customer(find_customer(max_ws, EMAIL))
    assert view.why is None  # worked out when the Sources tab is opened, not with every card
    view.tabs.setCurrentWidget(view.sources_page)
    assert len(view.why.links) == 9
    assert view.why_text.text().count("<li>") == view.WHY_LINES
    assert "Show all 9 reasons" in view.why_text.text()
    view.why_text.linkActivated.emit("more")
    assert view.why_text.text().count("<li>") == 9 and "<b>Merged by you</b>" in view.why_text.text()
    view.why_text.linkActivated.emit("less")
    assert view.why_text.text().count("<li>") == view.WHY_LINES


def test_splitting_a_record_off_and_undoing_it_updates_the_reasons(view, max_ws, qtbot):
    assert view.show_customer(find_customer(max_ws, EMAIL))
    view.tabs.setCurrentWidget(view.sources_page)
    till = next(r for r in range(view.source_model.rowCount())
                if view.source_model.source_row(r).source_file == "till_customers.csv")
    view.source_table.selectRow(till)
    qtbot.mouseClick(view.split_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.why_title.text() == "Why these 3 records are one person", timeout=5000)
    assert "till_customers.csv" not in view.why_text.text()
    view.operations.undo()
    qtbot.waitUntil(lambda: view.why_title.text() == "Why these 4 records are one person", timeout=5000)
    assert "Till · till_customers.csv row 1" in view.why_text.text().replace("\u00a0", " ")


def test_records_a_split_left_together_say_the_split_kept_them_until_it_is_undone(view, max_ws, qtbot):
    """The shop's row bridged the newsletter's Max and the till's: split off, it leaves them together,
    and the tab says the split did it (on the shop's day), never that the user merged them."""
    max_ws.set_setting("timezone", "America/New_York")
    assert view.show_customer(find_customer(max_ws, EMAIL))
    view.tabs.setCurrentWidget(view.sources_page)
    view.source_table.selectRow(next(r for r in range(view.source_model.rowCount())
                                     if view.source_model.source_row(r).source_file == "shopify_customers_export.csv"))
    with time_machine.travel(datetime(2026, 7, 2, 1, 30, tzinfo=UTC), tick=False):  # 1 July in New York
        qtbot.mouseClick(view.split_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.why_title.text() == "Why these 3 records are one person", timeout=20_000)  # the split and the card read again run in the background
    text = view.why_text.text().replace("\u00a0", " ")
    assert "<b>Kept together when Shop · shopify_customers_export.csv row 1 was split off</b> — " \
           "Till · till_customers.csv row 1 with Email · newsletter_march.csv row 1" in text
    assert " · 1 Jul 2026" in text and "Merged by you" not in text
    view.operations.undo()
    qtbot.waitUntil(lambda: view.why_title.text() == "Why these 4 records are one person", timeout=5000)
    assert "Kept together" not in view.why_text.text()


@pytest.mark.parametrize("height", [440, 900])
def test_every_line_of_the_reasons_can_be_read_in_a_short_window_and_a_tall_one(view, max_ws, tmp_path, qtbot,
                                                                              height):
    """A 640-pixel window leaves the tab little height: the reasons scroll, none is cut off
    with no way to reach it; a tall one shows them whole with no room to spare."""
    from PySide6.QtGui import QTextDocument
    from PySide6.QtWidgets import QApplication

    people = [[f"p{i}@example.com", f"Person{i}", "Quill"] for i in range(6)]
    import_file(max_ws, write_csv(tmp_path / "more.csv", ["Email", "First Name", "Last Name"], people),
                ImportOptions(channel="email"))
    merge_customers(max_ws, [find_customer(max_ws, EMAIL), *(find_customer(max_ws, p[0]) for p in people)])
    view.resize(840, height)
    assert view.show_customer(find_customer(max_ws, EMAIL))
    view.tabs.setCurrentWidget(view.sources_page)
    for _ in range(5):
        QApplication.processEvents()
    area, label = view.why_area, view.why_text
    doc = QTextDocument()
    doc.setDefaultFont(label.font())
    doc.setHtml(label.text())
    doc.setTextWidth(area.viewport().width() - 2)
    text_height = doc.size().height()
    assert label.height() >= text_height - 1  # the label holds every line
    hidden = label.height() - area.viewport().height()
    assert hidden <= area.verticalScrollBar().maximum()  # and what the area cannot show, it scrolls to
    # Nothing overlaps: the area ends above the records' table.
    table = view.source_table
    assert area.mapTo(view, area.rect().bottomLeft()).y() <= table.mapTo(view, table.rect().topLeft()).y()
    if height == 900:
        assert hidden <= 0 and area.height() <= text_height + 4


def test_a_nameless_subscriber_on_the_shops_landline_says_why_it_is_on_its_own(qtbot, ws, tmp_path):
    """Four customers gave the shop's landline; the SMS list's subscriber has nothing but that number."""
    landline = "+1 602-264-0100"
    import_file(ws, write_csv(tmp_path / "till_customers.csv", ["First Name", "Last Name", "Email", "Phone"],
                              [[first, last, f"{first}@example.com".lower(), landline]
                               for first, last in (("Tom", "Nguyen"), ("Ann", "Park"), ("Luis", "Ortega"),
                                                   ("Beth", "Kim"))]), ImportOptions(channel="pos"))
    import_file(ws, write_csv(tmp_path / "sms_subscribers.csv", ["Phone", "SMS Consent"], [[landline, "yes"]]),
                ImportOptions(channel="sms"))
    with ws.engine.connect() as conn:
        alone = conn.exec_driver_sql("SELECT id FROM customer WHERE first_name = ''").scalar_one()
    view = CustomerView(ws)
    qtbot.addWidget(view)
    view.resize(840, 600)
    view.show()
    assert view.show_customer(alone)
    view.tabs.setCurrentWidget(view.sources_page)
    assert view.why_box.isVisibleTo(view)
    assert view.why_title.text() == "Why this customer is on its own"
    assert view.why_text.text() == (
        "Kept as a customer of its own: it has no name, and all it shares with others is a phone number that "
        "4 other customers hold; a number or address several customers give does not say whose it is.")
