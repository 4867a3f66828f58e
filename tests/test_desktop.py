"""The app says which system packages its window needs before Qt fails without saying."""

from __future__ import annotations

import pytest

from omnidesk import cli
from omnidesk.desktop import XCB_LIBRARIES, display_problem


def _loader(missing: set[str]):
    return lambda soname: soname not in missing


def test_a_desktop_missing_xcb_cursor_is_told_the_package():
    problem = display_problem({"DISPLAY": ":0"}, "linux", _loader({"libxcb-cursor.so.0"}))
    assert problem == ("the window needs system libraries this computer lacks; install them with: "
                       "sudo apt install libxcb-cursor0")


def test_several_missing_libraries_are_named_once_each_in_order():
    problem = display_problem({"DISPLAY": ":0"}, "linux",
                              _loader({"libxkbcommon-x11.so.0", "libxcb-cursor.so.0", "libxcb-icccm.so.4"}))
    assert problem.endswith("sudo apt install libxcb-cursor0 libxcb-icccm4 libxkbcommon-x11-0")


@pytest.mark.parametrize(("env", "platform"), [
    ({"DISPLAY": ":0"}, "darwin"),
    ({"DISPLAY": ":0"}, "win32"),
    ({"QT_QPA_PLATFORM": "offscreen"}, "linux"),
    ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "linux"),
])
def test_no_complaint_where_xcb_is_not_used(env, platform):
    assert display_problem(env, platform, _loader(set(XCB_LIBRARIES))) is None


def test_all_libraries_present_is_fine():
    assert display_problem({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, "linux", _loader(set())) is None


def test_no_display_at_all_says_so():
    assert "no display" in display_problem({}, "linux", _loader(set()))


def test_the_app_command_prints_one_line_and_never_starts_qt(monkeypatch, capsys):
    import omnidesk.desktop as desktop

    monkeypatch.setattr(desktop.sys, "platform", "linux")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(desktop, "_can_load", lambda soname: soname != "libxcb-cursor.so.0")
    started = []
    monkeypatch.setattr("omnidesk.app.run_app", lambda **kw: started.append(kw) or 0)
    status = cli.main([])
    err = capsys.readouterr().err
    assert status == 1 and not started
    assert err == ("omnidesk: error: the window needs system libraries this computer lacks; "
                   "install them with: sudo apt install libxcb-cursor0\n")
