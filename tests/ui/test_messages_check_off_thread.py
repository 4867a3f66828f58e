"""The Messages screen checks its messages off the window's thread: its first showing froze the
window for a second or two (the check's first run reads the twitter-text patterns and the poster's
fonts), whatever the workspace's size.  Until a check lands its place says "Checking…"; a check that
lands after another message was picked is dropped, never shown on that one."""

from __future__ import annotations

import shutil
import threading

import pytest
from PySide6.QtCore import QThreadPool

from omnidesk.core.messages import lint, store
from omnidesk.core.messages.brand import set_brand
from omnidesk.core.workspace import Workspace
from omnidesk.ui.main_window import MainWindow
from omnidesk.ui.tasks import TaskRunner

BANNED = {"headline": "Spring sale", "offer_code": "SPRING20", "offer_value": "20% off",
          "link": "https://shop.example/spring"}
BANNED_SMS = {"text": "Harbor: Guaranteed 20% off with code SPRING20. https://shop.example/spring "
                      "Reply STOP to opt out."}
CLEAN = {"headline": "Autumn", "offer_code": "FALL10", "offer_value": "10% off", "link": "https://shop.example/fall"}
BANNED_WORDS = "“Guaranteed” is on the brand's banned words"


@pytest.fixture
def pool():
    pool = QThreadPool()
    pool.setMaxThreadCount(4)  # a check held back below never keeps another from running
    yield pool
    pool.waitForDone(10_000)


@pytest.fixture
def win(qtbot, settings, tmp_path, empty_workspace_file, pool):
    shutil.copyfile(empty_workspace_file, tmp_path / "shop.omnidesk")
    ws = Workspace.open(tmp_path / "shop.omnidesk")
    set_brand(ws, "banned_words", "guaranteed")
    set_brand(ws, "name", "Harbor")
    store.save_message(ws, "Banned", BANNED, channels=["sms"], variants={"sms": BANNED_SMS})
    store.save_message(ws, "Clean", CLEAN, channels=["sms"])
    window = MainWindow(settings, runner=TaskRunner(pool))
    qtbot.addWidget(window)
    window.show()
    assert window.set_workspace(ws)
    yield window
    assert window.runner.wait(10)


def checked_on(monkeypatch, hold: threading.Event | None = None) -> list[threading.Thread]:
    """The threads the message check ran on; ``hold``: a check of the banned words' message waits for it."""
    threads = []
    real_variant, real_check = lint.check_variant, lint.check

    def check_variant(channel, fields, *args, **kwargs):
        threads.append(threading.current_thread())
        if hold is not None and "Guaranteed" in fields.get("text", ""):
            assert hold.wait(10)
        return real_variant(channel, fields, *args, **kwargs)

    def check(*args, **kwargs):
        threads.append(threading.current_thread())
        return real_check(*args, **kwargs)

    monkeypatch.setattr(lint, "check_variant", check_variant)
    monkeypatch.setattr(lint, "check", check)
    return threads


def findings(view, channel: str) -> list[str]:
    shown = view.panels[channel].findings
    return [shown.item(i).text() for i in range(shown.count())]


def marks(view) -> dict[str, str]:
    return {view.list.item(i).data(256): view.list.item(i).text()[0] for i in range(view.list.count())}


def test_the_check_runs_off_the_window_thread_and_its_warnings_still_appear(win, monkeypatch, qtbot):
    threads = checked_on(monkeypatch)
    win.show_screen("messages")
    view = win.screens["messages"]
    view.select("Banned")
    # Said at once, before the check lands: the window's thread did not wait for it.
    assert findings(view, "sms") == ["Checking…"]
    qtbot.waitUntil(lambda: findings(view, "sms") != ["Checking…"] and "…" not in marks(view).values(),
                    timeout=20_000)
    assert BANNED_WORDS in " ".join(findings(view, "sms"))
    assert "✖" in view.tabs.tabText(view.tabs.indexOf(view.panels["sms"]))
    assert marks(view) == {"Banned": "✖", "Clean": "✔"}
    assert "1 error to fix" in next(view.list.item(i) for i in range(view.list.count())
                                    if view.list.item(i).data(256) == "Banned").toolTip()
    assert threads and threading.main_thread() not in threads


def test_a_check_that_lands_after_another_message_was_picked_is_dropped(win, monkeypatch, qtbot):
    win.show_screen("messages")
    view = win.screens["messages"]
    assert win.runner.wait(20)
    hold = threading.Event()
    checked_on(monkeypatch, hold)
    view.select("Banned")  # its check waits in the background
    view.select("Clean")
    qtbot.waitUntil(lambda: findings(view, "sms") != ["Checking…"], timeout=20_000)
    clean = findings(view, "sms")
    hold.set()  # the banned message's check lands now, after the clean one's
    assert win.runner.wait(20)
    qtbot.wait(50)
    assert view.current.name == "Clean" and findings(view, "sms") == clean
    assert BANNED_WORDS not in " ".join(clean)
    assert "✖" not in view.tabs.tabText(view.tabs.indexOf(view.panels["sms"]))


def test_typing_after_a_check_was_asked_drops_its_answer(win, monkeypatch, qtbot):
    win.show_screen("messages")
    view = win.screens["messages"]
    view.select("Banned")
    assert win.runner.wait(20)
    qtbot.waitUntil(lambda: BANNED_WORDS in " ".join(findings(view, "sms")))
    hold = threading.Event()
    checked_on(monkeypatch, hold)
    sms = view.panels["sms"].edits["text"]
    sms.setPlainText(BANNED_SMS["text"] + " Guaranteed.")
    view._run_pending_checks()  # the check of these words is asked, and waits
    sms.setPlainText("Harbor: 20% off with code SPRING20. https://shop.example/spring Reply STOP to opt out.")
    view._run_pending_checks()
    qtbot.waitUntil(lambda: BANNED_WORDS not in " ".join(findings(view, "sms")), timeout=20_000)
    after = findings(view, "sms")
    hold.set()
    assert win.runner.wait(20)
    qtbot.wait(50)
    assert findings(view, "sms") == after
