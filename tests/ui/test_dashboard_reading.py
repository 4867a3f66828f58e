"""While the Dashboard's figures are read, its cards say so: never the words that teach an empty
workspace what to import, which only the figures read may say; and a read that failed says it failed.

Before, each card showed its teaching text until the first figures came in: the demo shop's
"Reach per channel" said "Import customers to see how many you have on each channel…" beside
its "Reading…", and "Channel overlap" "Import customers from two channels or more…".
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from PySide6.QtWidgets import QApplication, QLabel

from omnidesk.core import metrics
from omnidesk.core.workspace import Workspace
from omnidesk.ui.tasks import TaskRunner
from tests.ui.conftest import DEMO_IMPORTED_AT

TODAY = DEMO_IMPORTED_AT + timedelta(days=1)
SIZES = ((1024, 640), (1920, 1080))
READING = "Reading…"
FAILED = "Could not read these figures."


class HeldRunner(TaskRunner):
    """Runs each task it is given only when told (:meth:`release`), then on this thread."""

    def __init__(self) -> None:
        super().__init__(inline=True)
        self.waiting: list = []

    def start(self, task):
        self.waiting.append(task)
        return task

    def release(self) -> None:
        while self.waiting:
            super().start(self.waiting.pop(0))


def _teaching(dash) -> list[str]:
    """The texts shown that tell an empty workspace what to import."""
    shown = [card.empty.text() for card in dash.cards.values() if card.empty.isVisibleTo(dash)]
    if dash.empty.isVisibleTo(dash):
        shown.append(dash.empty.title.text())
    return shown


def _open(window, qtbot, size):
    """The Dashboard shown at ``size``, its read started and held."""
    held = HeldRunner()
    window.runner = held
    window.resize(*size)
    window.show_screen("dashboard")
    qtbot.waitUntil(lambda: bool(held.waiting), timeout=5000)
    QApplication.processEvents()
    return window.screens["dashboard"], held


def _reading_everywhere(dash) -> None:
    assert _teaching(dash) == []
    assert dash.reading.isVisible()
    for key, card in dash.cards.items():
        assert card.reading.isVisible(), key
        assert card.pages.currentWidget() is card.status and card.status.text() == READING, key
        assert not card.csv_action.isEnabled(), key  # nothing drawn to save yet
    assert dash.pages.currentWidget() is dash.scroll


@pytest.mark.parametrize("size", SIZES)
def test_the_demo_shops_cards_say_reading_until_their_figures_are_in(demo_window, qtbot, size):
    with time_machine.travel(TODAY, tick=False):
        dash, held = _open(demo_window, qtbot, size)
        _reading_everywhere(dash)
        held.release()
        assert dash.data and not dash.reading.isVisible()
        for key in ("reach", "overlap", "journeys", "activity", "growth"):
            card = dash.cards[key]
            assert card.pages.currentWidget() is card.body and not card.reading.isVisible(), key
        assert _teaching(dash) == [dash.cards["campaigns"].empty.text()]  # no campaign exported in the demo

        # Read again (a change elsewhere): the charts drawn stay, "Reading…" above them.
        dash.refresh()
        assert held.waiting and dash.cards["reach"].reading.isVisible()
        assert dash.cards["reach"].pages.currentWidget() is dash.cards["reach"].body
        campaigns = dash.cards["campaigns"]
        assert campaigns.pages.currentWidget() is campaigns.status and _teaching(dash) == []
        held.release()
        assert _teaching(dash) == [campaigns.empty.text()]


def test_an_empty_workspace_is_taught_what_to_import_once_its_figures_say_so(window, qtbot, tmp_path):
    path = tmp_path / "new.omnidesk"
    Workspace.create(path).close()
    with time_machine.travel(TODAY, tick=False):
        assert window.open_workspace(path)
        dash, held = _open(window, qtbot, SIZES[0])
        _reading_everywhere(dash)
        held.release()
        assert dash.pages.currentWidget() is dash.empty
        # Read again (an import may have come in meanwhile): reading, not "Import your customer lists".
        dash.refresh()
        _reading_everywhere(dash)
        held.release()
        assert dash.pages.currentWidget() is dash.empty


def test_a_read_that_fails_says_so_in_the_cards_too(demo_window, qtbot, monkeypatch):
    def fails(*_args, **_kwargs):
        raise OSError("disk I/O error")

    with time_machine.travel(TODAY, tick=False):
        monkeypatch.setattr(metrics, "report", fails)
        dash, held = _open(demo_window, qtbot, SIZES[0])
        held.release()
        assert dash.problem.isVisible() and "disk I/O error" in dash.problem.text()
        assert _teaching(dash) == []
        for key, card in dash.cards.items():
            assert card.pages.currentWidget() is card.status and card.status.text() == FAILED, key
            assert not card.reading.isVisible(), key
        shown = [label.text() for label in dash.findChildren(QLabel) if label.isVisibleTo(dash)]
        assert not any(text.startswith("Import") for text in shown), shown
        # Read again, and read: the charts.
        monkeypatch.undo()
        dash.refresh()
        _reading_everywhere(dash)
        held.release()
        assert not dash.problem.isVisible()
        assert dash.cards["reach"].pages.currentWidget() is dash.cards["reach"].body
