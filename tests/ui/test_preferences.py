"""Edit › Preferences (Ctrl+,) and the questions a new workspace asks first, driven through the real window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QDialogButtonBox

from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.workspace import Workspace
from omnidesk.ui.dialogs import workspace_basics
from omnidesk.ui.dialogs.workspace_basics import machine_basics
from tests.helpers import write_csv

ALL_KEYS = ("business_name", "default_region", "timezone", "currency", "channel_trust",
            "match_auto_threshold", "match_review_threshold")


@pytest.fixture
def machine(monkeypatch):
    """This computer, as the dialogs see it: a German locale on Berlin's clock, whatever runs the tests."""
    monkeypatch.setattr(workspace_basics, "machine_locale", lambda: QLocale("de_DE"))
    monkeypatch.setattr(workspace_basics, "machine_zone", lambda: "Europe/Berlin")


@pytest.fixture
def shop(window, make_workspace, tmp_path, machine):
    """Robert Miller from the shop, "Bob" on the email list: one customer, named by the shop."""
    ws = make_workspace()
    import_file(ws, write_csv(tmp_path / "customers.csv", ["First Name", "Last Name", "Email"],
                              [["Robert", "Miller", "bob@example.com"]]), ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "list.csv", ["Email", "First Name", "Last Name"],
                              [["bob@example.com", "Bob", "Miller"]]), ImportOptions(channel="email"))
    assert window.set_workspace(Workspace.open(ws.path))
    return window


def first_name(ws: Workspace) -> str:
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT first_name FROM customer").scalar_one()


def stored(ws: Workspace) -> dict[str, object]:
    return {key: ws.get_setting(key) for key in ALL_KEYS}


def open_preferences(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    dialog = window.preferences_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def type_into(qtbot, field, text: str) -> None:
    """Select what the field holds and type ``text`` over it, as a person does; a completion list
    that opens is closed with Esc."""
    edit = field.lineEdit() if isinstance(field, QComboBox) else field
    edit.selectAll()
    if text:
        qtbot.keyClicks(edit, text)
    else:
        qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    if isinstance(field, QComboBox):
        popup = field.completer().popup()
        if popup.isVisible():
            qtbot.keyClick(popup, Qt.Key.Key_Escape)


def ok_button(dialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_ctrl_comma_opens_preferences_and_ok_stores_every_field_as_one_undo_step(qtbot, shop):
    ws = shop.workspace
    before = stored(ws)
    assert shop.preferences_action.shortcut().toString() == "Ctrl+,"
    assert shop.preferences_action in shop.menuBar().actions()[1].menu().actions()  # Edit
    dialog = open_preferences(qtbot, shop)
    assert dialog.basics.name_edit.hasFocus()
    assert dialog.basics.values()["default_region"] == "US" and dialog.basics.values()["timezone"] == ""
    assert dialog.trust.codes()[:3] == ["shop", "pos", "email"]
    assert "applies to the next import or Find Duplicates" in dialog.findChild(object, "notRerun").text()
    assert "“very likely” from 14 bits" in dialog.words.text()

    type_into(qtbot, dialog.basics.name_edit, "Harbor & Pine")
    type_into(qtbot, dialog.basics.region_combo, "Germany (DE)")
    type_into(qtbot, dialog.basics.zone_combo, "Europe/Berlin")
    type_into(qtbot, dialog.basics.currency_combo, "eur")
    dialog.trust.list.setCurrentRow(2)  # Email
    qtbot.mouseClick(dialog.trust.up_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.trust.up_button, Qt.MouseButton.LeftButton)
    assert not dialog.trust.up_button.isEnabled()  # at the top
    type_into(qtbot, dialog.auto_box, "16")
    type_into(qtbot, dialog.review_box, "8.5")
    assert "“very likely” from 16 bits" in dialog.words.text() and "“possibly” from 8.5 bits" in dialog.words.text()
    assert ok_button(dialog).isEnabled()
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)

    assert not dialog.isVisible() and shop.preferences_dialog is None
    after = stored(ws)
    assert after["business_name"] == "Harbor & Pine" and after["default_region"] == "DE"
    assert after["timezone"] == "Europe/Berlin" and after["currency"] == "EUR"
    assert after["channel_trust"][:2] == ["email", "shop"]
    assert after["match_auto_threshold"] == 16.0 and after["match_review_threshold"] == 8.5
    assert first_name(ws) == "Bob"  # the email list's name now comes first
    assert shop.undo_action.text() == "&Undo change preferences"

    shop.undo_action.trigger()
    assert stored(ws) == before and first_name(ws) == "Robert"
    assert shop.undo_action.text() == "&Undo" and shop.redo_action.isEnabled()
    shop.redo_action.trigger()
    assert stored(ws) == after and first_name(ws) == "Bob"


def test_the_dialog_shows_what_is_stored_and_ok_with_nothing_changed_adds_no_step(qtbot, shop, tmp_path):
    ws = shop.workspace
    ws.set_setting("timezone", "Asia/Tokyo")
    ws.set_setting("match_review_threshold", 9.0)
    import_file(ws, write_csv(tmp_path / "market.csv", ["First Name", "Email"], [["Ann", "ann@example.com"]]),
                ImportOptions(channel="farmers_market"))
    dialog = open_preferences(qtbot, shop)
    assert dialog.basics.values()["timezone"] == "Asia/Tokyo" and dialog.review_box.value() == 9.0
    assert dialog.basics.zone_combo.currentText() == "Asia/Tokyo"
    # A channel of the shop's own is offered a place, after the usual ones.
    assert dialog.trust.codes()[-1] == "farmers_market"
    assert dialog.trust.list.item(dialog.trust.list.count() - 1).text() == "Farmers market"
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert not shop.undo_stack.canUndo() and ws.get_setting("channel_trust") is None

    dialog = open_preferences(qtbot, shop)
    dialog.trust.list.setCurrentRow(dialog.trust.list.count() - 1)
    for _ in range(dialog.trust.list.count() - 1):
        qtbot.mouseClick(dialog.trust.up_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert ws.get_setting("channel_trust")[:2] == ["farmers_market", "shop"]


def test_a_bad_time_zone_currency_or_threshold_is_refused_with_its_sentence_and_ok_stays_off(qtbot, shop):
    ws = shop.workspace
    before = stored(ws)
    dialog = open_preferences(qtbot, shop)
    zone_error = dialog.findChild(object, "timezoneError")
    currency_error = dialog.findChild(object, "currencyError")

    type_into(qtbot, dialog.basics.zone_combo, "Mars/Olympus")
    assert zone_error.isVisible()
    assert zone_error.text() == "'Mars/Olympus' is not a time zone such as America/New_York or Europe/Berlin."
    assert not ok_button(dialog).isEnabled()
    type_into(qtbot, dialog.basics.zone_combo, "Europe/Lisbon")
    assert not zone_error.isVisible() and ok_button(dialog).isEnabled()

    type_into(qtbot, dialog.basics.currency_combo, "dollars")
    assert currency_error.isVisible() and "not a three-letter currency code" in currency_error.text()
    assert not ok_button(dialog).isEnabled()
    type_into(qtbot, dialog.basics.currency_combo, "ZZZ")  # three letters, and no money
    assert currency_error.isVisible() and "'ZZZ' is not a currency code" in currency_error.text()
    assert not ok_button(dialog).isEnabled()
    type_into(qtbot, dialog.basics.currency_combo, "")
    assert not currency_error.isVisible()  # empty: the region's

    type_into(qtbot, dialog.basics.region_combo, "Narnia")
    assert "not a region code" in dialog.findChild(object, "default_regionError").text()
    type_into(qtbot, dialog.basics.region_combo, "gb")
    assert ok_button(dialog).isEnabled()

    type_into(qtbot, dialog.review_box, "20")
    assert dialog.threshold_error.isVisible() and "must stay below" in dialog.threshold_error.text()
    assert not ok_button(dialog).isEnabled()
    # Enter with a value refused does nothing: the dialog stays, nothing is stored.
    qtbot.keyClick(dialog.review_box, Qt.Key.Key_Return)
    assert dialog.isVisible() and stored(ws) == before

    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and stored(ws) == before and not shop.undo_stack.canUndo()


def test_a_fixed_zone_is_taken_with_the_same_warning_as_the_command_line(qtbot, shop):
    """EST never changes for summer time and Etc/GMT+5 reads backwards: stored if the user insists
    (as `settings set` does), but the dialog says so under the field, in the command line's words."""
    from omnidesk.core.settings import zone_warning

    dialog = open_preferences(qtbot, shop)
    warning = dialog.findChild(object, "timezoneWarning")
    type_into(qtbot, dialog.basics.zone_combo, "EST")
    assert warning.isVisible() and "America/New_York" in warning.text()
    assert warning.text().rstrip(".") == zone_warning("EST")[:1].upper() + zone_warning("EST")[1:]
    assert ok_button(dialog).isEnabled()
    type_into(qtbot, dialog.basics.zone_combo, "Etc/GMT+5")
    assert warning.isVisible() and "sign is reversed" in warning.text() and ok_button(dialog).isEnabled()
    type_into(qtbot, dialog.basics.zone_combo, "Mars/Olympus")  # refused: the error alone is said
    assert not warning.isVisible() and dialog.findChild(object, "timezoneError").isVisible()
    type_into(qtbot, dialog.basics.zone_combo, "America/New_York")
    assert not warning.isVisible()
    type_into(qtbot, dialog.basics.zone_combo, "EST")
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert shop.workspace.get_setting("timezone") == "EST"


def test_keyboard_only_tab_through_the_fields_enter_accepts_esc_cancels(qtbot, shop):
    ws = shop.workspace
    dialog = open_preferences(qtbot, shop)
    order = [dialog.basics.name_edit, dialog.basics.region_combo, dialog.basics.zone_combo,
             dialog.basics.currency_combo, dialog.trust.list, dialog.trust.down_button,
             dialog.auto_box, dialog.review_box]
    qtbot.keyClicks(dialog.basics.name_edit, "Corner shop")
    for field in order[1:]:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        assert focused is field or field.isAncestorOf(focused), (field.objectName(), focused)
    # On the trust list, the arrows pick a channel and the buttons move it.
    dialog.trust.list.setFocus()
    qtbot.keyClick(dialog.trust.list, Qt.Key.Key_Down)
    assert dialog.trust.list.currentItem().text() == "Till"
    qtbot.keyClick(dialog.trust.list, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)  # Move &Up
    qtbot.waitUntil(lambda: dialog.trust.codes()[0] == "pos")  # a mnemonic clicks as a button does, animated
    assert dialog.trust.list.hasFocus()  # still on the list, for the next move
    qtbot.keyClick(dialog.trust.list, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert ws.get_setting("business_name") == "Corner shop" and ws.get_setting("channel_trust")[0] == "pos"

    dialog = open_preferences(qtbot, shop)
    assert dialog.basics.name_edit.text() == "Corner shop"
    qtbot.keyClicks(dialog.basics.name_edit, " and bakery")
    qtbot.keyClick(dialog.basics.name_edit, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and ws.get_setting("business_name") == "Corner shop"


def test_preferences_are_off_without_a_writable_workspace(qtbot, window, make_workspace):
    assert not window.preferences_action.isEnabled()
    ws = make_workspace()
    path = ws.path
    ws.close()
    assert window.set_workspace(Workspace.open(path, readonly=True))
    assert not window.preferences_action.isEnabled()


def test_every_currency_the_list_offers_is_one_the_setting_takes():
    from omnidesk.core.settings import check_setting

    offered = [code for code, _label in workspace_basics.all_currencies()]
    assert len(offered) > 100 and [c for c in offered if check_setting("currency", c) != c] == []


def test_the_machine_suggests_its_country_money_and_clock():
    assert machine_basics(QLocale("en_GB"), "Europe/London").texts() == {
        "business_name": "", "default_region": "GB", "timezone": "Europe/London", "currency": "GBP"}
    assert machine_basics(QLocale("pt_BR"), "").default_region == "BR"
    assert machine_basics(QLocale("pt_BR"), "").currency == "BRL"
    assert machine_basics(QLocale("C"), "").default_region == "US"  # no country: the workspace default


def _new_workspace(qtbot, window, path):
    window.ask_new_path = lambda: path
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.basics_dialog
    assert window.workspace is not None and window.workspace.path == path
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def test_a_new_workspace_asks_name_region_zone_and_currency_and_stores_them(qtbot, window, tmp_path, machine):
    path = tmp_path / "Corner shop.omnidesk"
    dialog = _new_workspace(qtbot, window, path)
    assert dialog.texts() == {"business_name": "", "default_region": "DE", "timezone": "Europe/Berlin",
                              "currency": "EUR"}
    assert dialog.form.name_edit.hasFocus()
    qtbot.keyClicks(dialog.form.name_edit, "Corner shop")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert dialog.form.region_combo.isAncestorOf(QApplication.focusWidget()) or \
        QApplication.focusWidget() is dialog.form.region_combo
    type_into(qtbot, dialog.form.region_combo, "Austria (AT)")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert not dialog.isVisible() and window.basics_dialog is None

    ws = window.workspace
    assert (ws.get_setting("business_name"), ws.get_setting("default_region"), ws.get_setting("timezone"),
            ws.get_setting("currency")) == ("Corner shop", "AT", "Europe/Berlin", "EUR")
    assert not window.undo_stack.canUndo()  # a new workspace's first answers are not a step to take back
    window.close()
    with Workspace.open(path) as again:  # on disk, not only in the open window
        assert again.get_setting("business_name") == "Corner shop"


def test_skipping_the_questions_keeps_the_workspace_defaults(qtbot, window, tmp_path, machine):
    dialog = _new_workspace(qtbot, window, tmp_path / "shop.omnidesk")
    qtbot.keyClicks(dialog.form.name_edit, "Not kept")
    qtbot.keyClick(dialog.form.name_edit, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    ws = window.workspace
    assert (ws.get_setting("business_name"), ws.get_setting("default_region"), ws.get_setting("timezone"),
            ws.get_setting("currency")) == ("", "US", "", "")


def test_a_bad_answer_keeps_ok_off_in_the_new_workspace_questions(qtbot, window, tmp_path, machine):
    dialog = _new_workspace(qtbot, window, tmp_path / "shop.omnidesk")
    type_into(qtbot, dialog.form.currency_combo, "euros")
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert "three-letter currency code" in dialog.findChild(object, "currencyError").text()
    qtbot.keyClick(dialog.form.currency_combo.lineEdit(), Qt.Key.Key_Return)
    assert dialog.isVisible() and window.workspace.get_setting("currency") == ""


def test_the_screens_read_the_new_preferences_at_once(qtbot, window, ws, tmp_path, machine):
    header = ["First Name", "Last Name", "Email", "Phone"]
    import_file(ws, write_csv(tmp_path / "a.csv", header, [["Anna", "Lee", "lee@example.com", "(415) 555-0101"]]),
                ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "b.csv", header, [["Mark", "Lee", "lee@example.com", ""]]),
                ImportOptions(channel="email"))
    assert window.set_workspace(ws)
    window.show_screen("review")  # in front: it reads the new thresholds at once (others once shown)
    review = window.screens["review"]
    customers = window.screens["customers"]
    score = review.items[0].score
    phone_column = [customers.model.headerData(c, Qt.Orientation.Horizontal)
                    for c in range(customers.model.columnCount())].index("Phone")

    def phones():
        return {customers.model.index(r, phone_column).data() for r in range(customers.model.rowCount())}

    assert "(415) 555-0101" in phones() and review.threshold.value() == 14.0

    dialog = open_preferences(qtbot, window)
    type_into(qtbot, dialog.basics.region_combo, "Germany (DE)")
    type_into(qtbot, dialog.auto_box, f"{score + 5:.1f}")
    type_into(qtbot, dialog.review_box, f"{score + 1:.1f}")
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    # Read against the new thresholds and region with no refresh asked for: the pair waits,
    # as it did (matching did not run again), but the bulk accept now starts at the new automatic
    # threshold; the US phone reads as foreign.
    assert len(review.items) == 1 and review.threshold.value() == round(score + 5, 1)
    assert "+1 415-555-0101" in phones()

    window.undo_action.trigger()
    assert review.threshold.value() == 14.0 and "(415) 555-0101" in phones()


def test_a_part_of_one_name_is_that_name_and_an_error_is_never_cut(qtbot, window, tmp_path, machine):
    """The fields say "type a country's name" and "type any part of the name (Berlin)": "germany" and
    "los_angeles" were refused as no region code and no time zone. And an error wrapping to two
    lines was cut top and bottom: the dialog did not grow."""
    dialog = _new_workspace(qtbot, window, tmp_path / "shop.omnidesk")
    form = dialog.form
    type_into(qtbot, form.region_combo, "germany")
    type_into(qtbot, form.zone_combo, "los_angeles")
    assert form.problems() == {}
    assert form.values()["default_region"] == "DE" and form.values()["timezone"] == "America/Los_Angeles"
    # Leaving the box shows the name it was read as.
    form.zone_combo.lineEdit().editingFinished.emit()
    assert form.zone_combo.currentText() == "America/Los_Angeles"
    # A part of several names is none of them: the error says so, whole.
    type_into(qtbot, form.zone_combo, "america/argentina/")
    assert "timezone" in form.problems()
    error = dialog.findChild(object, "timezoneError")
    for _ in range(10):  # the dialog grows once the error is laid out
        QApplication.processEvents()
    assert error.isVisible() and error.height() >= error.heightForWidth(error.width())
    assert dialog.height() >= dialog.minimumSizeHint().height()


def test_a_new_time_zone_works_out_every_card_as_long_work_each_way(qtbot, shop):
    """Every card is worked out again for a new zone (some seconds for tens of thousands of
    customers): it runs as long work with progress and Cancel, and so do its undo and redo."""
    said = []
    shop.operations.progressed.connect(lambda done, total, text: said.append(text))
    ws = shop.workspace
    assert shop.operations.change_preferences({"timezone": "Asia/Tokyo"})
    assert ws.get_setting("timezone") == "Asia/Tokyo"
    assert "New time zone: 1 card to work out" in said
    said.clear()
    shop.operations.undo()
    assert ws.get_setting("timezone") != "Asia/Tokyo" and "New time zone: 1 card to work out" in said
    said.clear()
    shop.operations.redo()
    assert ws.get_setting("timezone") == "Asia/Tokyo" and any(t.startswith("New time zone: ") for t in said)
    assert shop.undo_action.text().replace("&", "") == "Undo change preferences"


def test_cancelling_a_new_time_zone_changes_nothing(qtbot, shop):
    from tests.workspace_dump import differences, dump

    ws = shop.workspace
    before, zone = dump(ws.path), ws.get_setting("timezone")
    told = []
    shop.operations.notice.connect(told.append)
    # Cancel as soon as the cards start being worked out (the runner here works inline).
    shop.operations.progressed.connect(lambda done, total, text: "cards" in text and shop.operations.cancel())
    shop.operations.change_preferences({"timezone": "Asia/Tokyo", "business_name": "Miller's"})
    assert ws.get_setting("timezone") == zone and differences(before, dump(ws.path)) == []
    assert not shop.undo_action.isEnabled()
    assert told == ["The preferences were not changed: cancelled while the customers' cards were being worked "
                    "out again."]
    assert not shop.operations.busy




def test_the_lists_of_regions_zones_and_currencies_are_styled_once_in_their_place(shop, qtbot):
    """Each is styled again with all its items whenever it, or a part holding it, moves into another
    (the app has a style sheet): the dialog is built from the top down, so each is moved twice (into
    its row, the row into the form), not once for every level of the dialog."""
    from PySide6.QtCore import QEvent, QObject

    class Styled(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.times: dict[str, int] = {}

        def eventFilter(self, watched, event) -> bool:
            if event.type() == QEvent.Type.StyleChange and isinstance(watched, QComboBox):
                self.times[watched.objectName()] = self.times.get(watched.objectName(), 0) + 1
            return False

    styled = Styled()
    QApplication.instance().installEventFilter(styled)
    try:
        dialog = open_preferences(qtbot, shop)
    finally:
        QApplication.instance().removeEventFilter(styled)
    assert {name: styled.times.get(name, 0) for name in ("region", "timezone", "currency")} == {
        "region": 2, "timezone": 2, "currency": 2}
    assert dialog.basics.zone_combo.count() > 300 and dialog.tabs.currentWidget() is dialog.scroll
    dialog.reject()
