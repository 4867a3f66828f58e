"""The Customer screen on the demo shop: card, timeline, sources and notes, driven like a person would."""

from __future__ import annotations

import csv

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.profile import raw_record
from omnidesk.core.timeline import EXPORT_HEADER, find_customer, timeline
from omnidesk.ui.models.timeline_model import TimelineModel
from omnidesk.ui.views.customer import CustomerView
from tests.helpers import write_csv


def _one(ws, sql: str, *params):
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql(sql, params).first()


@pytest.fixture
def view(qtbot, demo_window):
    v = CustomerView(demo_window.workspace)
    qtbot.addWidget(v)
    v.resize(1100, 750)
    v.show()
    return v


@pytest.fixture
def rich(demo_window):
    """A demo customer with orders on several channels."""
    row = _one(demo_window.workspace,
               "SELECT id FROM customer WHERE orders > 1 AND channels LIKE '% % %' "
               "ORDER BY length(channels) DESC, orders DESC, id LIMIT 1")
    assert row is not None
    return row[0]


def test_card_shows_name_email_consent_with_sources(view, rich):
    ws = view.workspace
    name, email, consent, channels = _one(
        ws, "SELECT display_name, email, consent_email, channels FROM customer WHERE id = ?", rich)
    assert view.show_customer(rich)
    assert view.name_label.text() == name
    assert view.fields["email"].text() == email
    assert view.fields["email"].toolTip().startswith("from ") and " row " in view.fields["email"].toolTip()
    _title, box, text = view.consent_rows["email"]
    chip = box.itemAt(0).widget()
    assert chip.text() == consent
    assert ".csv" in text.text() and consent in text.toolTip()
    chips = [view.chips.itemAt(i).widget().text() for i in range(view.chips.count())]
    # Channels by their names, not their keys: "Till", not "pos".
    from omnidesk.core.channels import channel_name

    assert chips == [channel_name(c) for c in channels.split()]
    assert "pos" not in chips and "shop" not in chips
    assert view.fields["orders"].text() not in ("", "—")
    assert view.fields["spend"].text().endswith("USD")
    assert view.fields["preferred"].text() in chips


def test_timeline_is_grouped_by_day_and_ordered(view, rich, qtmodeltester):
    view.show_customer(rich)
    model = view.timeline_model
    qtmodeltester.check(model)
    assert view.timeline_pages.currentWidget() is view.timeline_list
    assert model.entry_count() == len(timeline(view.workspace, rich)) > 10
    current_day, header_days, stamps = None, [], []
    for row in range(model.rowCount()):
        index = model.index(row)
        if index.data(TimelineModel.IsHeaderRole):
            current_day = index.data(TimelineModel.DayRole)
            header_days.append(current_day)
            assert not model.flags(index) & Qt.ItemFlag.ItemIsSelectable
            continue
        entry = index.data(TimelineModel.EntryRole)
        assert entry.day == current_day  # every entry sits under its own day
        assert index.data(Qt.ItemDataRole.DecorationRole) is not None
        assert entry.source_file in index.data(Qt.ItemDataRole.ToolTipRole)
        if entry.occurred_utc:
            stamps.append(entry.occurred_utc)
    assert model.rowCount() == model.entry_count() + len(header_days)
    assert len(header_days) == len(set(header_days)) == model.day_count()
    assert stamps == sorted(stamps)
    order = next(model.index(r) for r in range(model.rowCount())
                 if (e := model.entry(r)) is not None and e.type == "order" and e.details.get("items"))
    assert "Items:" in order.data(Qt.ItemDataRole.ToolTipRole)


def test_filters_reduce_rows(view, rich, qtbot):
    view.show_customer(rich)
    model = view.timeline_model
    total = model.entry_count()
    view.channel_filter.setCurrentIndex(view.channel_filter.findData("pos"))
    pos = model.entry_count()
    assert 0 < pos < total and {model.entry(r).channel for r in range(model.rowCount()) if model.entry(r)} == {"pos"}
    assert view.count_label.text() == f"{pos:,} of {total:,} entries"
    view.type_filter.setCurrentIndex(view.type_filter.findData("order"))
    assert view.timeline_pages.currentWidget() is view.no_match  # pos has purchases, not orders
    qtbot.mouseClick(view.no_match.button, Qt.MouseButton.LeftButton)
    assert model.entry_count() == total
    word = next(e for e in model.entries() if e.type == "purchase").summary.split(" · ")[-1].split()[0]
    qtbot.keyClicks(view.search, word)
    qtbot.waitUntil(lambda: 0 < model.entry_count() < total)
    assert all(word.lower() in (e.summary + e.type + e.source_file).lower() for e in model.entries())
    view.search.clear()
    qtbot.keyClicks(view.search, "no such thing anywhere")
    qtbot.waitUntil(lambda: view.timeline_pages.currentWidget() is view.no_match)


def test_sources_tab_shows_raw_values_and_notes_persist(view, rich, qtbot, qtmodeltester):
    ws = view.workspace
    view.show_customer(rich)
    qtmodeltester.check(view.source_model)
    count = _one(ws, "SELECT source_count FROM customer WHERE id = ?", rich)[0]
    assert view.source_model.rowCount() == count
    assert view.tabs.tabText(1) == f"Sources ({count})"
    view.tabs.setCurrentIndex(1)
    row = next(r for r in range(count) if view.source_model.source_row(r).kind == "contacts")
    view.source_table.selectRow(row)
    record = view.source_model.source_row(row)
    pairs = raw_record(ws, record.record_id)
    assert view.raw_table.rowCount() == len(pairs)
    shown = [(view.raw_table.item(i, 0).text(), view.raw_table.item(i, 1).text())
             for i in range(view.raw_table.rowCount())]
    assert shown == pairs
    assert record.source_file in view.raw_title.text() and str(record.record_no) in view.raw_title.text()

    # Notes: saved through the core, still there when the customer is opened again.
    other = _one(ws, "SELECT min(id) FROM customer WHERE id != ?", rich)[0]
    view.tabs.setCurrentWidget(view.notes_page)
    qtbot.keyClicks(view.notes_edit, "Likes the Sumatra roast")
    assert view.save_notes_button.isEnabled()
    with qtbot.waitSignal(view.notesSaved):
        qtbot.mouseClick(view.save_notes_button, Qt.MouseButton.LeftButton)
    # Unsaved typing is saved when the user moves on to someone else.
    qtbot.keyClicks(view.notes_edit, ", decaf after 3pm")
    view.show_customer(other)
    assert view.notes_edit.toPlainText() == ""
    view.show_customer(rich)
    assert view.notes_edit.toPlainText() == "Likes the Sumatra roast, decaf after 3pm"
    assert _one(view.workspace, "SELECT notes FROM customer WHERE id = ?", rich)[0] == view.notes_edit.toPlainText()


def test_edge_cases_no_events_long_name_missing_customer(view, rich, qtbot, tmp_path, monkeypatch):
    ws = view.workspace
    long_name = "Maximiliana Wolfeschlegelsteinhausenbergerdorff-Featherstonehaugh " * 3
    with ws.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE customer SET display_name = ? WHERE id = ?", (long_name, rich))
    view.show_customer(rich)
    qtbot.waitExposed(view)
    assert view.width() == 1100  # the layout did not grow to fit the name
    assert view.name_label.text() == long_name and view.name_label.is_elided()
    assert long_name in view.name_label.toolTip()

    out = tmp_path / "timeline.csv"
    monkeypatch.setattr(view, "ask_export_path", lambda: out)
    with qtbot.waitSignal(view.timelineExported):
        qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == EXPORT_HEADER and len(rows) - 1 == len(timeline(ws, rich))

    assert not view.show_customer(987654)
    assert view.pages.currentWidget() is view.missing
    with qtbot.waitSignal(view.backRequested):
        qtbot.mouseClick(view.back_button, Qt.MouseButton.LeftButton)

    # A customer known from one contact row and nothing else: the timeline says so.
    import_file(ws, write_csv(tmp_path / "walk_ins.csv", ["Email", "First name", "Last name"],
                              [["quiet.person@example.com", "Quinn", "Quiet"]]),
                ImportOptions(channel="pos", kind="contacts", mapping=["email", "first_name", "last_name"]))
    cid = find_customer(ws, "quiet.person@example.com")
    view.show_customer(cid)
    assert view.timeline_pages.currentWidget() is view.timeline_empty
    assert "No activity" in view.timeline_empty.title.text()
    assert not view.search.isEnabled() and view.count_label.text() == "0 entries"
    assert view.source_model.rowCount() == 1


def test_a_narrow_card_shows_the_longest_email_and_dates_whole(view, demo_window):
    """At the width of a 1,024 px window the card cuts consent sources, not emails or dates.

    (An address of 30 characters shows whole; a longer one is cut, its tooltip whole.)
    """
    from PySide6.QtWidgets import QApplication

    row = _one(demo_window.workspace, "SELECT id FROM customer WHERE first_seen IS NOT NULL "
                                      "AND length(email) <= 30 ORDER BY length(email) DESC LIMIT 1")
    view.resize(840, 600)  # a 1,024 px window less the navigation
    assert view.show_customer(row[0])
    for _ in range(3):
        QApplication.processEvents()
    for key in ("email", "first_seen", "last_seen", "spend"):
        assert view.fields[key].text() and not view.fields[key].is_elided(), key


def test_a_wide_card_shows_a_long_email_whole_beside_an_empty_consent_column(view, demo_window, qtbot):
    """At 1920 pixels a long email was cut while the consent column beside it stood empty:
    the columns share the width by what their text needs."""
    ws = view.workspace
    email = ("maximiliana.alexandrina.wolfeschlegelsteinhausenberger-featherstonehaugh"
             "@very-long-company-domain-name-example.co.uk")
    cid = _one(ws, "SELECT id FROM customer WHERE email IS NOT NULL AND email != '' ORDER BY id LIMIT 1")[0]
    with ws.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE customer SET email = ? WHERE id = ?", (email, cid))
    view.resize(1726, 750)  # the card of a 1920-pixel window, less the navigation
    assert view.show_customer(cid)
    qtbot.waitExposed(view)
    for _ in range(3):
        QApplication.processEvents()
    assert view.fields["email"].text() == email and not view.fields["email"].is_elided()
    # On a 1024-pixel window it is cut (whole in its tooltip), the dates beside it are not.
    view.resize(840, 600)
    for _ in range(3):
        QApplication.processEvents()
    assert view.fields["email"].is_elided() and view.fields["email"].tooltip_text().startswith(email)
    for key in ("first_seen", "last_seen"):
        assert not view.fields[key].is_elided(), key


def test_the_sources_file_column_is_whole_when_there_is_room(view, rich, qtbot):
    """The empty Problems column took most of a wide table while the file's name was cut."""
    view.resize(1726, 750)
    assert view.show_customer(rich)
    view.tabs.setCurrentWidget(view.sources_page)
    qtbot.waitExposed(view.source_table)
    table = view.source_table
    for _ in range(3):
        QApplication.processEvents()
    longest = max(range(view.source_model.rowCount()),
                  key=lambda r: table.fontMetrics().horizontalAdvance(view.source_model.index(r, 0).data()))
    needed = table.fontMetrics().horizontalAdvance(view.source_model.index(longest, 0).data())
    assert table.columnWidth(0) >= needed + 6
    assert sum(table.columnWidth(c) for c in range(5)) <= table.viewport().width()  # no sideways scrolling
    # Narrow, the file's name gives way and the table still fits its width.
    view.resize(840, 600)
    for _ in range(3):
        QApplication.processEvents()
    assert sum(table.columnWidth(c) for c in range(5)) <= table.viewport().width()
    assert table.columnWidth(4) >= table.horizontalHeader().sectionSizeHint(4)


def test_a_consent_the_file_gave_no_date_for_says_when_it_was_imported(view, demo_window):
    from omnidesk.core.profile import consent_facts

    ws = view.workspace
    # A customer whose every SMS consent fact is undated (the shop's "Accepts SMS Marketing").
    undated = _one(ws, "SELECT customer_id FROM consent WHERE channel = 'sms' AND customer_id IS NOT NULL "
                       "GROUP BY customer_id HAVING max(occurred_at) IS NULL ORDER BY customer_id LIMIT 1")[0]
    fact = consent_facts(ws, undated)["sms"]
    # The demo was imported at 03:30 UTC on 2 November (tests/ui/conftest.py): still the evening
    # of 1 November in the shop's New York, and the card speaks of the shop's day.
    assert fact.occurred_at is None and fact.recorded_at.startswith("2026-11-02T03:")
    assert ws.get_setting("timezone") == "America/New_York"
    assert view.show_customer(undated)
    _title, _box, text = view.consent_rows["sms"]
    assert text.text() == f"as of 1 Nov 2026 · {fact.source_file}"
    assert "the file gave no date; imported" in text.toolTip()
    # On the card of a 1024-pixel window the line is cut short: the file's name goes, not the day.
    view.resize(840, 600)
    for _ in range(3):
        QApplication.processEvents()
    assert text.is_elided() and text.shown_text() == "as of 1 Nov 2026", text.shown_text()
    # With more room, the name follows the day, cut after a whole word of it; with room for a
    # scrap of it only ("· cus…" says nothing), the day stands alone.
    assert fact.source_file.startswith("customers_export")
    metrics = text.fontMetrics()
    text.resize(metrics.horizontalAdvance("as of 1 Nov 2026 · customers_expo…"), text.height())
    assert text.shown_text() == "as of 1 Nov 2026 · customers…", text.shown_text()
    text.resize(metrics.horizontalAdvance("as of 1 Nov 2026 · custom…"), text.height())
    assert text.shown_text() == "as of 1 Nov 2026", text.shown_text()
    text.resize(metrics.horizontalAdvance("as of 1 Nov 2026 · c"), text.height())
    assert text.shown_text() == "as of 1 Nov 2026"


def test_a_consent_entered_in_the_evening_is_on_the_shops_day(view, rich):
    """21:31 in New York is 02:31 the next day in UTC: the card said "6 Dec" where the timeline
    and the consent rule said the 5th."""
    from omnidesk.core.edits import record_consent

    ws = view.workspace
    record_consent(ws, rich, "whatsapp", "denied", "asked at the till", now="2026-12-06T02:31:00+00:00")
    assert view.show_customer(rich)
    _title, _box, text = view.consent_rows["whatsapp"]
    assert text.text().startswith("5 Dec 2026"), text.text()
    assert "denied on 2026-12-05, entered by you" in text.toolTip()


def test_card_shows_what_each_channel_adds_and_from_which_file(new_workspace, qtbot, tmp_path):
    """Shopify's lifetime figure and the till's order rows, each on its own line, adding up to the totals."""
    from tests.core.test_money import ANN_SIX, SHOP_ANN, TILL_HEADER, shopify_customers, shopify_orders

    with new_workspace(tmp_path / "shop.omnidesk") as ws:
        import_file(ws, shopify_customers(tmp_path / "customers_export.csv", [SHOP_ANN]))
        import_file(ws, shopify_orders(tmp_path / "orders_export.csv", ANN_SIX))
        import_file(ws, write_csv(tmp_path / "till_transactions.csv", TILL_HEADER, [
            ["02/03/2026", "10:15", "20001", "Ann Lee", "(207) 555-0101", "", "Sencha 3oz x1", "20,00"],
            ["09/03/2026", "11:00", "20002", "Ann Lee", "(207) 555-0101", "", "Mug x1", "15,00"],
            ["09/03/2026", "11:20", "20003", "Ann Lee", "(207) 555-0101", "", "Mug x1", "-15,00"],
        ], encoding="cp1252", delimiter=";"), ImportOptions(channel="pos", kind="events"))
        # The till's rows name her by name and phone only, which her shop record lacks:
        # the user merges them, as on the Customers screen.
        from omnidesk.core.identity.merge import merge_customers

        ann, till = find_customer(ws, "ann@example.com"), find_customer(ws, "(207) 555-0101")
        assert till != ann
        merge_customers(ws, [ann, till])
        ann = find_customer(ws, "ann@example.com")
        view = CustomerView(ws)
        qtbot.addWidget(view)
        view.resize(840, 600)  # a 1,024 px window less the navigation
        view.show()
        assert view.show_customer(ann)
        lines = [view.money_lines.itemAt(i).widget() for i in range(view.money_lines.count())]
        assert [line.text() for line in lines] == [
            "Shop: 11 orders, 797.00 USD — lifetime figure from customers_export.csv",
            "Till: 2 transactions, 20.00 USD — sum of order rows in till_transactions.csv",
        ]
        assert view.money_title.isVisibleTo(view)
        assert "6 orders in orders_export.csv not added again" in lines[0].toolTip()
        assert view.fields["orders"].text() == "13"
        assert view.fields["spend"].text() == "817.00 USD"
        assert "Shop 797.00 + Till 20.00" in view.fields["spend"].toolTip()


@pytest.mark.parametrize("size", [(1024, 640), (1920, 1080)])
def test_the_timeline_opens_on_the_latest_entries_and_stays_where_the_user_scrolls(demo_window, rich, qtbot,
                                                                                   size):
    # At 1024x640 it scrolled to the end before the card's header had wrapped, and opened a
    # screenful above the latest orders.
    win = demo_window
    win.resize(*size)
    win.show()
    win.open_customer(rich)
    view = win.customer_view
    view.tabs.setCurrentIndex(0)  # the Timeline tab, first
    bar = view.timeline_list.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and view.timeline_list.isVisible(), timeout=3000)
    qtbot.wait(50)  # the layout settles
    assert bar.value() == bar.maximum()
    last = view.timeline_model.index(view.timeline_model.rowCount() - 1)
    assert view.timeline_list.viewport().rect().intersects(view.timeline_list.visualRect(last))
    bar.setValue(0)  # the user reads back
    win.resize(size[0] - 100, size[1] - 60)
    qtbot.wait(50)
    assert bar.value() == 0


def test_a_forms_long_question_shows_whole_on_a_wide_card_and_keys_reach_the_timeline(view, demo_window, qtbot):
    """A lead form's question ("what_are_you_most_interested_in?") was cut at 28 characters even on a
    1920-pixel card with room to spare; Tab onto the timeline marked nothing; the pin menus said "⋯"."""
    from PySide6.QtWidgets import QApplication

    cid = _one(view.workspace, "SELECT r.customer_id FROM custom_field f JOIN source_record r ON r.id = f.record_id "
                               "WHERE length(f.name) > 30 AND r.customer_id IS NOT NULL "
                               "ORDER BY r.customer_id LIMIT 1")[0]
    view.resize(1750, 900)  # a 1920-pixel window less the navigation
    assert view.show_customer(cid)
    for _ in range(3):
        QApplication.processEvents()
    long_titles = [t for t in view.more_fields.titles if len(t.text()) > 30]
    assert long_titles and not any(t.is_elided() for t in long_titles), [t.text() for t in long_titles]
    # Narrow, the answer keeps its room: the question gives way first.
    view.resize(840, 600)
    for _ in range(3):
        QApplication.processEvents()
    assert all(t.width() <= t.fontMetrics().horizontalAdvance("x" * 28) for t in view.more_fields.titles)
    # Tab onto the timeline: its latest entry is marked, so the arrows start there.
    timeline = view.timeline_list
    assert not timeline.currentIndex().isValid()
    timeline.setFocus(Qt.FocusReason.TabFocusReason)
    assert timeline.currentIndex().row() == timeline.model().rowCount() - 1
    # A screen reader names each pin menu by what it chooses.
    from PySide6.QtWidgets import QToolButton

    names = {b.accessibleName() for b in view.findChildren(QToolButton, "pinButton")}
    assert "Choose the email" in names and "" not in names, names
