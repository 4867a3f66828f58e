"""Edit › Preferences open while the command line changes the business's settings: OK stores only
the fields changed in the dialog, and never puts back over a newer value one it showed before."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from tests.helpers import run_cli, window_on_file
from tests.ui.test_preferences import open_preferences, type_into

CHANGED = "the preferences were changed since (in another window or from the command line)"


@pytest.fixture
def shop(window, make_workspace, monkeypatch):
    ws = make_workspace(business_name="Harbor", timezone="America/New_York", currency="USD")
    return window_on_file(window, ws, monkeypatch)


def settings(window) -> dict[str, object]:
    return {key: window.workspace.get_setting(key)
            for key in ("business_name", "default_region", "timezone", "currency")}


def press_ok(qtbot, window, dialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible() and not window.operations.busy, timeout=10000)


def outside(window, capsys, *args) -> None:
    assert run_cli(capsys, "-w", window.workspace.path, "settings", *args)[0] == 0


def test_ok_on_the_dialog_as_it_opened_keeps_what_the_command_line_stored_meanwhile(qtbot, shop, capsys):
    dialog = open_preferences(qtbot, shop)
    outside(shop, capsys, "timezone", "Asia/Tokyo")
    outside(shop, capsys, "currency", "EUR")
    outside(shop, capsys, "default_region", "GB")
    outside(shop, capsys, "business_name", "Harbor & Pine")
    press_ok(qtbot, shop, dialog)
    assert settings(shop) == {"business_name": "Harbor & Pine", "default_region": "GB",
                              "timezone": "Asia/Tokyo", "currency": "EUR"}
    assert not shop.operations.stack.canUndo() and shop.told == []


def test_a_field_changed_here_is_stored_and_the_others_keep_their_newer_values(qtbot, shop, capsys):
    dialog = open_preferences(qtbot, shop)
    outside(shop, capsys, "timezone", "Asia/Tokyo")
    type_into(qtbot, dialog.basics.name_edit, "Harbor & Pine")
    press_ok(qtbot, shop, dialog)
    assert settings(shop) == {"business_name": "Harbor & Pine", "default_region": "US",
                              "timezone": "Asia/Tokyo", "currency": "USD"}
    assert shop.told == []
    shop.undo_action.trigger()
    qtbot.waitUntil(lambda: not shop.operations.busy, timeout=10000)
    assert settings(shop)["business_name"] == "Harbor" and settings(shop)["timezone"] == "Asia/Tokyo"


def test_a_field_changed_both_here_and_from_the_command_line_is_refused(qtbot, shop, capsys):
    dialog = open_preferences(qtbot, shop)
    outside(shop, capsys, "timezone", "Asia/Tokyo")
    type_into(qtbot, dialog.basics.zone_combo, "Europe/Berlin")
    type_into(qtbot, dialog.basics.name_edit, "Harbor & Pine")
    press_ok(qtbot, shop, dialog)
    assert settings(shop) == {"business_name": "Harbor", "default_region": "US",
                              "timezone": "Asia/Tokyo", "currency": "USD"}  # nothing stored
    assert len(shop.told) == 1
    title, text = shop.told[0]
    assert title == "Cannot change the preferences" and text.startswith(CHANGED)
    assert not shop.operations.stack.canUndo()
