"""Edit › Preferences › Campaigns: the guards every campaign step passes (frequency caps, quiet
hours, who is sent anything while their consent is unknown) and the days a result counts for,
changed in the app as `omnidesk settings` changes them: the same checks and sentences, one undo
step with the other preferences, and the Campaigns screen follows at once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QScrollArea

from omnidesk.core.campaigns import campaign as core
from omnidesk.core.campaigns import guards
from omnidesk.core.settings import check_setting
from omnidesk.ui.dialogs.preferences import CAMPAIGN_KEYS, CONSENT_KEYS
from tests.core.campaigns.test_guards import build
from tests.helpers import run_cli
from tests.ui.test_accessible_names import labels_of, spoken, unnamed
from tests.ui import test_campaigns_screen as campaigns_screen
from tests.ui import test_preferences as preferences
from tests.ui.test_campaigns_screen import three_steps
from tests.ui.test_preferences import ok_button, open_preferences, type_into

machine, shop = preferences.machine, preferences.shop
win, view = campaigns_screen.win, campaigns_screen.view

ALT = Qt.KeyboardModifier.AltModifier
TYPED = ("cap_messages", "cap_email", "cap_sms", "cap_days", "quiet_start", "quiet_end", "attribution_days")


def stored(ws) -> dict[str, object]:
    return {key: ws.get_setting(key) for key in CAMPAIGN_KEYS}


def campaigns_tab(qtbot, dialog):
    """The Campaigns tab, reached by its Alt letter (Ca&mpaigns)."""
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_M, ALT)
    qtbot.waitUntil(lambda: dialog.tabs.currentWidget() is dialog.campaign_scroll)
    return dialog.campaigns


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def refusal(key: str, text: str) -> str:
    with pytest.raises(ValueError) as caught:
        check_setting(key, text)
    return str(caught.value)


def test_every_campaign_guard_is_stored_read_back_and_undone_as_one_step(qtbot, shop):
    ws = shop.workspace
    assert stored(ws) == dict.fromkeys(CAMPAIGN_KEYS)
    dialog = open_preferences(qtbot, shop)
    form = campaigns_tab(qtbot, dialog)
    # What the guards read now: the defaults, every consent box off.
    assert {key: form.edits[key].text() for key in TYPED} == {
        "cap_messages": "3", "cap_email": "0", "cap_sms": "0", "cap_days": "7", "quiet_start": "21:00",
        "quiet_end": "08:00", "attribution_days": "7"}
    assert form.action_combo.currentData() == "move"
    assert not any(form.checks[key].isChecked() for key in CONSENT_KEYS)
    assert not any(form.warnings[key].isVisible() for key in CONSENT_KEYS)
    assert "in any 7 days, every campaign and channel together" in form.notes["cap_messages"].text()

    for key, text in (("cap_messages", "5"), ("cap_email", "2"), ("cap_sms", "1"), ("cap_days", "14"),
                      ("quiet_start", "20:30"), ("quiet_end", "09:15"), ("attribution_days", "30")):
        type_into(qtbot, form.edits[key], text)
    assert "in any 14 days" in form.notes["cap_messages"].text()  # the window the caps count over, as typed
    form.action_combo.setFocus()
    qtbot.keyClick(form.action_combo, Qt.Key.Key_Down)
    assert form.action_combo.currentData() == "exclude"
    for key in CONSENT_KEYS:
        form.checks[key].setFocus()
        qtbot.keyClick(form.checks[key], Qt.Key.Key_Space)
        assert form.checks[key].isChecked() and form.warnings[key].isVisible()
    assert ok_button(dialog).isEnabled()
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)

    after = {"cap_messages": 5, "cap_email": 2, "cap_sms": 1, "cap_days": 14, "quiet_start": "20:30",
             "quiet_end": "09:15", "quiet_hours_action": "exclude", "send_unknown_email": True,
             "send_unknown_sms": True, "soft_opt_in": True, "attribution_days": 30}
    assert stored(ws) == after
    rules = guards.Rules.of(ws)
    assert (rules.cap_messages, rules.cap_days, rules.quiet_start.isoformat("minutes"), rules.soft_opt_in) == \
        (5, 14, "20:30", True)
    assert shop.undo_action.text() == "&Undo change preferences"
    shop.undo_action.trigger()
    assert stored(ws) == dict.fromkeys(CAMPAIGN_KEYS)
    shop.redo_action.trigger()
    assert stored(ws) == after

    # Read back: the dialog shows what is stored, and turning a consent box off stores no.
    dialog = open_preferences(qtbot, shop)
    form = campaigns_tab(qtbot, dialog)
    assert {key: form.edits[key].text() for key in TYPED} == {key: str(after[key]) for key in TYPED}
    assert form.action_combo.currentData() == "exclude"
    assert all(form.checks[key].isChecked() for key in CONSENT_KEYS)
    form.checks["send_unknown_sms"].setFocus()
    qtbot.keyClick(form.checks["send_unknown_sms"], Qt.Key.Key_Space)
    assert dialog.texts().keys() & set(CAMPAIGN_KEYS) == {"send_unknown_sms"}
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert stored(ws) == {**after, "send_unknown_sms": False}


BAD = [("cap_messages", "-1"), ("cap_email", "10001"), ("cap_sms", "two"), ("cap_days", "0"),
       ("cap_days", "3661"), ("attribution_days", "0"), ("quiet_start", "21:00:30"), ("quiet_end", "25:00"),
       ("quiet_start", "9pm")]


def test_a_value_the_command_line_refuses_is_refused_with_its_sentence_and_nothing_stored(
        qtbot, shop, tmp_path, capsys, new_workspace):
    ws = shop.workspace
    cli_path = tmp_path / "cli.omnidesk"
    new_workspace(cli_path).close()
    dialog = open_preferences(qtbot, shop)
    form = campaigns_tab(qtbot, dialog)
    for key, text in BAD:
        said = refusal(key, text)
        status, _out, err = run_cli(capsys, "-w", cli_path, "settings", key, text)
        assert status == 2 and f"{key}: {said}" in err, (key, text, err)
        type_into(qtbot, form.edits[key], text)
        error = dialog.findChild(object, f"{key}Error")
        assert error.isVisible() and error.text() == sentence(said), (key, text)
        assert not ok_button(dialog).isEnabled()
        qtbot.keyClick(form.edits[key], Qt.Key.Key_Return)  # Enter with a value refused: nothing happens
        assert dialog.isVisible() and stored(ws) == dict.fromkeys(CAMPAIGN_KEYS)
        type_into(qtbot, form.edits[key], "")  # empty: the default, as on the command line
        assert not error.isVisible() and ok_button(dialog).isEnabled()

    # Quiet hours that end when they start: refused on both sides, said under the time changed.
    status, _out, err = run_cli(capsys, "-w", cli_path, "settings", "quiet_end", "21:00")
    assert status == 2 and "quiet hours cannot end when they start" in err
    type_into(qtbot, form.edits["quiet_end"], "21:00")
    error = dialog.findChild(object, "quiet_endError")
    assert error.isVisible() and error.text() == ("Quiet from and quiet until are both 21:00, and quiet hours "
                                                  "cannot end when they start; give two different times.")
    assert not dialog.findChild(object, "quiet_startError").isVisible() and not ok_button(dialog).isEnabled()
    type_into(qtbot, form.edits["quiet_end"], "08:00")
    type_into(qtbot, form.edits["quiet_start"], "08:00")
    assert dialog.findChild(object, "quiet_startError").isVisible() and not error.isVisible()
    type_into(qtbot, form.edits["quiet_start"], "21:00:00")  # the same time as 21:00: taken, as the command line takes it
    assert not dialog.findChild(object, "quiet_startError").isVisible() and ok_button(dialog).isEnabled()
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert stored(ws) == dict.fromkeys(CAMPAIGN_KEYS) and not shop.undo_stack.canUndo()


def test_an_untouched_dialog_turns_no_consent_on_and_changes_nothing(qtbot, shop):
    ws = shop.workspace
    dialog = open_preferences(qtbot, shop)
    form = campaigns_tab(qtbot, dialog)
    assert not any(box.isChecked() for box in form.checks.values())
    assert dialog.texts().keys() & set(CAMPAIGN_KEYS) == set()
    # Enter on a consent box accepts the dialog; it never ticks the box.
    form.checks["send_unknown_email"].setFocus()
    qtbot.keyClick(form.checks["send_unknown_email"], Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert stored(ws) == dict.fromkeys(CAMPAIGN_KEYS) and not shop.undo_stack.canUndo()

    # Values set on the command line are shown as they are and left so by OK.
    ws.set_setting("send_unknown_sms", True)
    ws.set_setting("quiet_start", "22:00")
    ws.set_setting("cap_days", 30)
    before = stored(ws)
    dialog = open_preferences(qtbot, shop)
    form = campaigns_tab(qtbot, dialog)
    assert form.checks["send_unknown_sms"].isChecked() and form.warnings["send_unknown_sms"].isVisible()
    assert not form.checks["send_unknown_email"].isChecked() and not form.checks["soft_opt_in"].isChecked()
    assert form.edits["quiet_start"].text() == "22:00" and form.edits["cap_days"].text() == "30"
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert stored(ws) == before and not shop.undo_stack.canUndo()


def test_the_campaigns_tab_by_keys_alone_with_every_field_named(qtbot, shop):
    ws = shop.workspace
    dialog = open_preferences(qtbot, shop)
    form = campaigns_tab(qtbot, dialog)
    assert unnamed(dialog) == []
    words = {"cap_messages": "All messages", "cap_email": "Emails", "cap_sms": "Texts (SMS)",
             "cap_days": "Counted within", "quiet_start": "Quiet from", "quiet_end": "Quiet until",
             "attribution_days": "Credit orders placed within"}
    assert {key: spoken(form.edits[key]) for key in TYPED} == words
    assert labels_of(form.action_combo) == ["In quiet hours, a text:"]
    # What each field does is read with it, in the shop's words.
    assert "At most this many messages to one customer in any 7 days" in form.edits["cap_messages"].toolTip()
    assert form.edits["quiet_start"].accessibleDescription() == form.notes["quiet_start"].text()
    assert "never said yes or no" in form.checks["send_unknown_email"].accessibleDescription()

    # Tab walks the fields in reading order, the page scrolling each into sight.
    order = [form.edits["cap_messages"], form.edits["cap_email"], form.edits["cap_sms"], form.edits["cap_days"],
             form.edits["quiet_start"], form.edits["quiet_end"], form.action_combo,
             *(form.checks[key] for key in CONSENT_KEYS), form.edits["attribution_days"]]
    order[0].setFocus()
    for field in order[1:]:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is field, (field.objectName(), QApplication.focusWidget().objectName())
    # Alt and a label's letter reach its field.
    for letter, key in ((Qt.Key.Key_W, "cap_days"), (Qt.Key.Key_I, "quiet_end"), (Qt.Key.Key_P, "attribution_days")):
        qtbot.keyClick(QApplication.focusWidget(), letter, ALT)
        assert QApplication.focusWidget() is form.edits[key]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_G, ALT)  # &General, and back
    assert dialog.tabs.currentWidget() is dialog.scroll
    campaigns_tab(qtbot, dialog)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_P, ALT)
    assert QApplication.focusWidget() is form.edits["attribution_days"]
    qtbot.keyClick(form.edits["attribution_days"], Qt.Key.Key_End)  # Alt and a letter select what it holds
    qtbot.keyClicks(form.edits["attribution_days"], "0")  # 7 -> 70
    qtbot.keyClick(form.edits["attribution_days"], Qt.Key.Key_Return)
    assert not dialog.isVisible() and ws.get_setting("attribution_days") == 70


def test_the_campaigns_tab_fits_a_small_screen_under_a_large_font(big_window, qtbot):
    from omnidesk.core.settings import preference_values

    big_window.activateWindow()
    qtbot.waitUntil(big_window.isActiveWindow)
    big_window.show_preferences()
    dialog = big_window.preferences_dialog
    qtbot.waitExposed(dialog)
    assert dialog.campaigns.edits["cap_messages"].text() == str(preference_values(big_window.workspace)["cap_messages"])
    dialog.tabs.setCurrentWidget(dialog.campaign_scroll)
    qtbot.wait(50)
    area: QScrollArea = dialog.campaign_scroll
    assert not area.horizontalScrollBar().isVisible()  # nothing cut at the right
    assert dialog.frameGeometry().height() <= dialog.screen().availableGeometry().height()
    for note in dialog.campaigns.notes.values():
        assert note.height() >= note.heightForWidth(note.width()), note.text()  # no line of a note cut
    last = dialog.campaigns.edits["attribution_days"]
    last.setFocus()
    area.ensureWidgetVisible(last)
    qtbot.wait(20)
    top = last.mapTo(area.viewport(), last.rect().topLeft())
    assert area.viewport().rect().contains(top) and top.y() + last.height() <= area.viewport().height()
    dialog.reject()


NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)


def test_new_quiet_hours_move_an_sms_steps_recipients_on_the_campaigns_screen(win, view, qtbot):
    with time_machine.travel(NOW, tick=True):
        ws = win.workspace
        build(ws)
        three_steps(ws)  # its text goes out at 22:30 New York time, inside quiet hours (21:00-08:00)
        view.refresh()
        panel = view.recipients
        moved = len(guards.plan_audiences(ws, core.get_campaign(ws, "Spring"))[1].moved)
        assert moved and [i.text(0) for i in panel.moved_items] == [f"{moved} moved out of quiet hours"]

        dialog = open_preferences(qtbot, win)
        form = campaigns_tab(qtbot, dialog)
        type_into(qtbot, form.edits["quiet_start"], "23:00")
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
        assert ws.get_setting("quiet_start") == "23:00"
        assert panel.moved_items == [] and (1, "quiet hours") not in panel.reason_items  # sent at 22:30, as planned

        win.undo_action.trigger()
        assert [i.text(0) for i in panel.moved_items] == [f"{moved} moved out of quiet hours"]

        dialog = open_preferences(qtbot, win)
        form = campaigns_tab(qtbot, dialog)
        form.action_combo.setFocus()
        qtbot.keyClick(form.action_combo, Qt.Key.Key_Down)  # is not sent
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
        assert panel.moved_items == []
        assert panel.reason_items[(1, "quiet hours")].text(0) == f"{moved} quiet hours"


def test_every_setting_the_command_line_changes_has_its_place_in_preferences():
    from omnidesk.core.settings import SETTINGS
    from omnidesk.ui.dialogs.workspace_basics import BASICS

    general = {*BASICS, "channel_trust", "match_auto_threshold", "match_review_threshold"}
    assert {s.key for s in SETTINGS} == general | set(CAMPAIGN_KEYS)
