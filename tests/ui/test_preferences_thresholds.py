"""The matching thresholds: `omnidesk settings` and the Preferences boxes take the same values
(one decimal, 0.5 to 100 bits), so what one stores the other shows exactly, and OK in Preferences
never rewrites a threshold the user did not change there."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from omnidesk.core.settings import THRESHOLD_DECIMALS, THRESHOLD_LEAST, THRESHOLD_MOST
from omnidesk.core.workspace import Workspace
from tests.helpers import run_cli, write_csv
from tests.ui.test_preferences import machine, ok_button, open_preferences, type_into  # noqa: F401 - fixtures


def _shop(tmp_path, capsys, *settings: tuple[str, str]):
    """A workspace made on the command line, with ``settings`` given there."""
    path = tmp_path / "shop.omnidesk"
    people = write_csv(tmp_path / "people.csv", ["First Name", "Email"], [["Ann", "ann@example.com"]])
    for argv in (("import", people, "--channel", "shop"), *(("settings", key, value) for key, value in settings)):
        status, _out, err = run_cli(capsys, "-w", path, *argv)
        assert status == 0, (argv, err)
    return path


def _thresholds(ws: Workspace) -> tuple[object, object]:
    return ws.get_setting("match_auto_threshold"), ws.get_setting("match_review_threshold")


def test_the_command_line_refuses_what_the_boxes_cannot_show(tmp_path, capsys):
    path = _shop(tmp_path, capsys)
    for key, value, said in (("match_auto_threshold", "14.26", "in tenths of a bit, such as 14 or 7.5"),
                             ("match_review_threshold", "0.2", "a number of bits from 0.5 to 100"),
                             ("match_auto_threshold", "100.5", "a number of bits from 0.5 to 100")):
        status, _out, err = run_cli(capsys, "-w", path, "settings", key, value)
        assert status == 2 and said in err, (value, err)
        assert len(err.strip().splitlines()) == 1
    with Workspace.open(path) as ws:
        assert _thresholds(ws) == (None, None)


@pytest.mark.usefixtures("machine")
def test_ok_keeps_the_thresholds_the_command_line_set(qtbot, window, tmp_path, capsys):
    path = _shop(tmp_path, capsys, ("match_auto_threshold", "14.5"), ("match_review_threshold", "0.5"))
    assert window.set_workspace(Workspace.open(path))
    dialog = open_preferences(qtbot, window)
    for box in (dialog.auto_box, dialog.review_box):
        assert (box.minimum(), box.maximum(), box.decimals()) == (THRESHOLD_LEAST, THRESHOLD_MOST,
                                                                   THRESHOLD_DECIMALS)
    assert (dialog.auto_box.value(), dialog.review_box.value()) == (14.5, 0.5)
    type_into(qtbot, dialog.basics.name_edit, "Corner shop")
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    ws = window.workspace
    assert ws.get_setting("business_name") == "Corner shop"
    assert _thresholds(ws) == (14.5, 0.5)


@pytest.mark.usefixtures("machine")
def test_ok_leaves_thresholds_stored_before_as_they_are(qtbot, window, tmp_path, capsys):
    # Stored before the limits were shared: finer, and lower, than the boxes show.
    path = _shop(tmp_path, capsys)
    with Workspace.open(path) as ws:
        ws.set_setting("match_auto_threshold", 14.26)
        ws.set_setting("match_review_threshold", 0.2)
    assert window.set_workspace(Workspace.open(path))
    dialog = open_preferences(qtbot, window)
    type_into(qtbot, dialog.basics.name_edit, "Corner shop")
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    ws = window.workspace
    assert ws.get_setting("business_name") == "Corner shop"
    assert _thresholds(ws) == (14.26, 0.2)
    # Changing one stores that one only.
    dialog = open_preferences(qtbot, window)
    type_into(qtbot, dialog.review_box, "7")
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert _thresholds(window.workspace) == (14.26, 7.0)
