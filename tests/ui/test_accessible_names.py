"""What a keyboard and a screen reader user meets: Alt and a label's letter lands in its field,
and each control a Tab reaches says what it is."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QWidget


def spoken(widget) -> str:
    """The name a screen reader reads for ``widget``, through Qt's accessibility interface."""
    face = QAccessible.queryAccessibleInterface(widget)
    return (face.text(QAccessible.Text.Name) if face is not None else "") or ""


def labels_of(widget) -> list[str]:
    """The labels Qt's accessibility interface says name ``widget`` (a screen reader's "labelled by")."""
    face = QAccessible.queryAccessibleInterface(widget)
    return [other.text(QAccessible.Text.Name) for other, _ in face.relations(QAccessible.RelationFlag.Label)]


def shown(qtbot, dialog):
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def alt(key) -> QApplication:
    QTest.keyClick(QApplication.focusWidget(), key, Qt.KeyboardModifier.AltModifier)
    return QApplication.focusWidget()


@pytest.fixture
def card(demo_window, qtbot):
    win = demo_window
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    with win.workspace.engine.connect() as conn:
        customer = conn.exec_driver_sql("SELECT id FROM customer WHERE email IS NOT NULL ORDER BY id LIMIT 1").scalar()
    win.open_customer(customer)
    return win


def test_alt_letters_of_the_edit_customer_dialog_land_in_their_fields(card, qtbot):
    dialog = shown(qtbot, card.customer_view.values_dialog())
    dialog.edits["last_name"].setFocus()
    assert alt(Qt.Key.Key_E) is dialog.edits["email"]
    QTest.keyClicks(QApplication.focusWidget(), "x")
    assert dialog.edits["email"].text().endswith("x")
    assert alt(Qt.Key.Key_F) is dialog.edits["first_name"]
    assert spoken(dialog.edits["email"]) == "Email"
    assert spoken(dialog.edits["birthday"]) == "Birthday"
    assert all(spoken(edit) for edit in dialog.edits.values())


def test_the_custom_field_value_is_named_and_reached_by_its_letter(card, qtbot):
    dialog = shown(qtbot, card.customer_view.custom_field_dialog())
    dialog.names.setFocus()
    assert alt(Qt.Key.Key_V) is dialog.value_edit
    assert spoken(dialog.value_edit) == "Value"


def test_alt_letters_of_the_brand_kit_land_in_their_fields(demo_window, qtbot):
    demo_window.show_screen("messages")
    dialog = shown(qtbot, demo_window.screens["messages"].brand_dialog())
    dialog.edits["tagline"].setFocus()
    assert alt(Qt.Key.Key_N) is dialog.edits["name"]
    assert alt(Qt.Key.Key_A) is dialog.edits["address"]
    assert spoken(dialog.edits["name"]) == "Business name"
    assert spoken(dialog.edits["sms_sender"]) == "SMS sender"
    assert all(spoken(edit) for edit in dialog.edits.values())


def test_each_field_of_preferences_is_named(demo_window, qtbot):
    from tests.ui.test_preferences import open_preferences

    dialog = open_preferences(qtbot, demo_window)
    names = {name: spoken(dialog.findChild(QWidget, name)) for name in ("businessName", "autoThreshold",
                                                                         "reviewThreshold", "channelTrust")}
    assert names == {"businessName": "Business name", "autoThreshold": "Merge by themselves from",
                     "reviewThreshold": "Ask in Review from", "channelTrust": "Whose names come first"}
    # The odds beside a threshold are read with it.
    auto = QAccessible.queryAccessibleInterface(dialog.auto_box)
    assert auto.text(QAccessible.Text.Description) == dialog.auto_odds.text()
    # Qt on Linux reads a combo box by its value, and names it from the label it is partner of.
    for name, words in (("region", "Region:"), ("timezone", "Time zone:"), ("currency", "Currency:")):
        assert labels_of(dialog.findChild(QWidget, name)) == [words]
    dialog.reject()


def test_each_field_of_a_new_workspace_is_named(window, qtbot, tmp_path):
    from tests.ui.test_preferences import _new_workspace

    dialog = _new_workspace(qtbot, window, tmp_path / "Corner shop.omnidesk")
    assert spoken(dialog.form.name_edit) == "Business name"
    assert labels_of(dialog.form.currency_combo) == ["Currency:"]
    assert dialog.form.currency_combo.accessibleName() == "Currency"
    dialog.reject()


def described(widget) -> str:
    return QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Description)


def test_the_dashboard_reads_each_tile_with_its_figure_and_names_its_charts(demo_window, qtbot):
    demo_window.show_screen("dashboard")
    view = demo_window.screens["dashboard"]
    qtbot.waitUntil(lambda: view.tiles["pairs_to_review"].value.text() != "–")
    for tile in [*view.tiles.values(), *view.figures.values()]:
        assert spoken(tile) == f"{tile.caption.text()}: {tile.value.text()}"
    tile = view.tiles["pairs_to_review"]
    tile.set_value("12", attention=True)
    assert spoken(tile) == "Pairs to review: 12"
    assert labels_of(view.period_box) == ["Period"]

    reach, overlap = view.reach_chart, view.overlap_chart
    assert (spoken(reach), spoken(overlap)) == ("Reach per channel", "Channel overlap")
    reach.setFocus(Qt.FocusReason.TabFocusReason)
    first = described(reach)
    top = reach.order[0]
    assert first.startswith(f"{reach_label(top)}: ") and f"the most customers on {reach_label(top)} " in first
    QTest.keyClick(reach, Qt.Key.Key_Down)
    assert described(reach).startswith(f"{reach_label(reach.order[1])}: ")
    overlap.setFocus(Qt.FocusReason.TabFocusReason)
    assert "Enter to see them" in described(overlap) and "the largest " in described(overlap)


def reach_label(code: str) -> str:
    from omnidesk.core.channels import channel

    return channel(code).label


def test_the_campaign_calendar_says_the_step_the_keys_reached(demo_window, qtbot):
    from datetime import datetime, timedelta

    from PySide6.QtWidgets import QTabWidget

    from omnidesk.core.campaigns.campaign import save_campaign
    from omnidesk.core.messages.store import save_message
    from omnidesk.ui.widgets.calendar_canvas import CalendarCanvas

    ws, win = demo_window.workspace, demo_window
    save_message(ws, "M", {"headline": "x", "link": "https://a.example"}, channels=["email"])
    day = datetime.now() + timedelta(days=1)
    save_campaign(ws, "Autumn push", message="M", mode="best_channel",
                  steps=[{"channel": "email", "at": day.strftime("%Y-%m-%dT10:00"), "timezone": "America/New_York"}])
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    win.show_screen("campaigns")
    view = win.screens["campaigns"]
    view.refresh()
    view.findChild(QTabWidget, "campaignTabs").setCurrentIndex(1)
    canvas = view.findChild(CalendarCanvas)
    canvas.calendar.go_to(day.date())  # the month the step is in, whatever day the test runs
    canvas.setFocus(Qt.FocusReason.TabFocusReason)
    assert spoken(canvas) == "Campaign calendar"
    assert described(canvas).startswith(canvas.calendar.title.text() + ": 1 step")
    QTest.keyClick(canvas, Qt.Key.Key_Tab)  # to the first step
    assert described(canvas).startswith(f"Autumn push — Email, {day:%A %d %B %Y}, 10:00")
    QTest.keyClick(canvas, Qt.Key.Key_Right)  # a day later
    later = day + timedelta(days=1)
    qtbot.waitUntil(lambda: described(canvas).startswith(f"Autumn push — Email, {later:%A %d %B %Y}, 10:00"))



def test_a_combo_box_is_labelled_by_what_it_chooses(demo_window, qtbot, tmp_path):
    """Qt on Linux reads a combo box by its value ("Ignore", "all of these") and names it from the
    label it partners: the label beside each must be its partner."""
    from omnidesk.core.messages.store import save_message
    from omnidesk.ui.dialogs.import_wizard import ImportWizard
    from omnidesk.ui.tasks import TaskRunner
    from tests.helpers import write_csv

    win = demo_window
    customers = win.screens["customers"]
    win.show_screen("customers")
    customers.show_filter(True)
    assert labels_of(customers.builder.root.match) == ["Customers matching"]
    save_message(win.workspace, "Sale", {"headline": "Sale", "link": "https://shop.example/s"}, channels=["email"])
    win.show_screen("messages")
    messages = win.screens["messages"]
    messages.refresh()
    messages.select("Sale")
    assert labels_of(messages.preview_for) == ["Preview for:"]
    path = write_csv(tmp_path / "members.csv", ["Email", "Member Code"], [["ann@example.com", "M1"]])
    wizard = shown(qtbot, ImportWizard(win.workspace, [path], TaskRunner(inline=True)))
    wizard.next()
    member = wizard.currentPage().combos[1]
    assert (member.accessibleName(), labels_of(member)) == ("Member Code: imports as", ["Member Code"])
    wizard.reject()


# -- every screen and dialog, walked ----------------------------------------------------------------


def takes_tab(widget) -> bool:
    return bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)


def unnamed(root, allowed=()) -> list[str]:
    """What a Tab reaches on ``root`` that a screen reader cannot name, and labels whose Alt letter
    reaches no field."""
    found = []
    for widget in root.findChildren(QWidget):
        if not (widget.isVisible() and widget.isEnabled() and takes_tab(widget) and widget.focusProxy() is None):
            continue
        if widget in allowed:
            continue
        if isinstance(widget, QComboBox):
            # Qt on Linux reads a combo box by its value and names it from the label it partners;
            # its own name is what other systems read.
            named = bool(labels_of(widget)) or bool(widget.accessibleName())
        else:
            named = bool(spoken(widget).strip())
        if not named:
            found.append(f"{type(widget).__name__} {widget.objectName()!r} in {type(widget.parentWidget()).__name__}")
    for label in root.findChildren(QLabel):
        text = label.text()
        if label.isVisible() and "<" not in text and re.search(r"(?<!&)&\w", text):
            buddy = label.buddy()
            if buddy is None or not takes_tab(buddy):
                found.append(f"label {text!r}: Alt and its letter reach {type(buddy).__name__}")
    return found


def test_every_control_a_tab_reaches_is_named_on_every_screen_and_dialog(demo_window, qtbot, tmp_path):
    from PySide6.QtWidgets import QTabWidget

    from omnidesk.core.campaigns.campaign import save_campaign
    from omnidesk.core.messages.store import save_message
    from omnidesk.ui.dialogs.import_wizard import ImportWizard
    from omnidesk.ui.tasks import TaskRunner
    from tests.helpers import write_csv
    from tests.ui.test_preferences import open_preferences

    win, ws = demo_window, demo_window.workspace
    win.resize(1280, 800)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    save_message(ws, "Sale", {"headline": "Sale", "offer_code": "S20", "link": "https://shop.example/s"},
                 channels=["email", "sms"])
    save_campaign(ws, "Spring", message="Sale", steps=[
        {"channel": "email", "at": "2027-04-01T10:00", "timezone": "America/New_York"},
        {"channel": "sms", "at": "2027-04-02T10:00", "timezone": "America/New_York"}])
    missing: dict[str, list[str]] = {}

    def walk(where: str, root, allowed=()) -> None:
        qtbot.wait(50)
        if found := unnamed(root, allowed):
            missing[where] = found

    for key in ("dashboard", "customers", "review", "messages", "campaigns", "imports"):
        win.show_screen(key)
        walk(key, win)
    customers = win.screens["customers"]
    win.show_screen("customers")
    customers.show_filter(True)
    customers.builder.root.add_condition()
    walk("customers, filter", win)
    assert labels_of(customers.builder.root.match) == ["Customers matching"]
    review = win.screens["review"]
    win.show_screen("review")
    review.tabs.setCurrentIndex(1)
    walk("review, kept apart", win)
    win.show_screen("messages")
    win.screens["messages"].refresh()
    win.screens["messages"].select("Sale")
    walk("messages, a message", win)
    assert labels_of(win.screens["messages"].preview_for) == ["Preview for:"]
    campaigns = win.screens["campaigns"]
    win.show_screen("campaigns")
    campaigns.refresh()
    campaigns.select("Spring")
    walk("campaigns, a campaign", win)
    campaigns.findChild(QTabWidget, "campaignTabs").setCurrentIndex(1)
    walk("campaigns, calendar", win)
    imports = win.screens["imports"]
    win.show_screen("imports")
    imports.table.selectRow(0)
    walk("imports, an import", win)

    with ws.engine.connect() as conn:
        customer = conn.exec_driver_sql("SELECT id FROM customer WHERE email IS NOT NULL ORDER BY id LIMIT 1").scalar()
    win.open_customer(customer)
    card = win.customer_view
    for tab in range(card.tabs.count()):
        card.tabs.setCurrentIndex(tab)
        walk(f"card, {card.tabs.tabText(tab)}", win)
    assert [spoken(card.search), spoken(card.timeline_list)] == ["Search this timeline", "Timeline entries"]
    assert [card.channel_filter.accessibleName(), card.type_filter.accessibleName()] == [
        "Timeline channel", "Timeline entry type"]
    assert spoken(card.notes_edit) == "Notes"
    assert labels_of(card.notes_edit)[0].startswith("Your own notes on this customer.")
    for name in ("values_dialog", "tags_dialog", "consent_dialog", "custom_field_dialog"):
        dialog = shown(qtbot, getattr(card, name)())
        walk(name, dialog)
        dialog.reject()
    dialog = shown(qtbot, win.new_customer_dialog())
    walk("new customer", dialog)
    dialog.reject()
    win.show_screen("customers")
    dialog = win.export_customers()
    walk("export customers", dialog)
    dialog.reject()
    dialog = shown(qtbot, win.screens["messages"].brand_dialog())
    walk("brand kit", dialog)
    dialog.reject()
    dialog = open_preferences(qtbot, win)
    walk("preferences", dialog)
    dialog.reject()

    path = write_csv(tmp_path / "members.csv", ["Email", "Full Name", "Mobile", "Member Code", "Signed up"],
                     [["ann@example.com", "Ann Lee", "+44 7700 900123", "M1", "2024-03-01"],
                      ["bob(at)example", "Bob Stone", "+44 7700 900456", "M2", "2024-03-02"]])
    wizard = shown(qtbot, ImportWizard(ws, [path], TaskRunner(inline=True)))
    walk("import wizard, files", wizard)
    wizard.next()
    walk("import wizard, columns", wizard)
    member = wizard.currentPage().combos[3]  # a combo box is read by its value; its column names it
    assert (member.accessibleName(), labels_of(member)) == ("Member Code: imports as", ["Member Code"])
    wizard.next()
    walk("import wizard, check", wizard)
    wizard.reject()
    assert missing == {}


def test_the_welcome_screen_names_every_control(window, qtbot):
    assert unnamed(window) == []


def test_tab_walks_the_campaigns_screen_in_reading_order(demo_window, qtbot):
    from omnidesk.core.campaigns.campaign import save_campaign
    from omnidesk.core.messages.store import save_message

    win, ws = demo_window, demo_window.workspace
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    save_message(ws, "Sale", {"headline": "Sale", "link": "https://shop.example/s"}, channels=["email", "sms"])
    save_campaign(ws, "Spring", message="Sale", steps=[
        {"channel": "email", "at": "2027-04-01T10:00", "timezone": "America/New_York"},
        {"channel": "sms", "at": "2027-04-02T10:00", "timezone": "America/New_York"}])
    win.show_screen("campaigns")
    view = win.screens["campaigns"]
    view.refresh()
    view.select("Spring")
    win.nav.setFocus(Qt.FocusReason.TabFocusReason)
    stops = []
    while not stops or QApplication.focusWidget() is not win.nav:
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        stops.append(QApplication.focusWidget())
        assert len(stops) < 60, "Tab never came back to the navigation"
    # The list and its buttons, the campaign's fields and steps, then who they reach and the check.
    order = [view.table, view.editor.name, view.editor.steps.add_button, view.recipients.tree,
             view.recipients.findings]
    assert [stops.index(w) for w in order] == sorted(stops.index(w) for w in order)


def test_the_dashboard_names_its_weekly_charts_and_says_their_figures(demo_window, qtbot):
    import time_machine

    from omnidesk.core.channels import channel_name
    from tests.ui.conftest import DEMO_IMPORTED_AT

    with time_machine.travel(DEMO_IMPORTED_AT, tick=True):
        demo_window.show_screen("dashboard")
        view = demo_window.screens["dashboard"]
        qtbot.waitUntil(lambda: bool(view.data.get("activity")), timeout=5000)
    events, new, revenue = view.events_chart, view.new_chart, view.revenue_chart
    assert (spoken(events), spoken(new), spoken(revenue)) == (
        "Events per week per channel", "New customers a week", "Revenue a week (USD)")
    weeks, by_channel, fresh, money, _others = view._weeks
    span = f"{len(weeks)} weeks from "
    for chart in (events, new, revenue):
        assert described(chart).startswith(span), described(chart)
    # The busiest channel first, with its events over the weeks drawn.
    top = max(by_channel, key=lambda c: sum(by_channel[c]))
    assert f"{channel_name(top)}: {sum(by_channel[top]):,.0f} in all, the most " in described(events)
    assert f"New customers: {sum(fresh):,.0f} in all, the most {max(fresh):,.0f} in the week of " in described(new)
    assert f"Revenue: {sum(money):,.2f} USD in all" in described(revenue)
