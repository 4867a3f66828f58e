"""Core generators run from the UI: every slot hears how a task ended, and then the task is freed."""

from __future__ import annotations

import gc
import time
import weakref

import pytest
from PySide6.QtCore import QEvent, QObject, QThreadPool
from PySide6.QtWidgets import QApplication

from omnidesk.core.tasks import Progress
from omnidesk.ui.tasks import Task, TaskRunner


class Held:
    """Stands for what a task's work holds on to: the workspace, the plans, their previews."""


def work(held: Held, fail: bool, seconds: float = 0):
    def factory(cancelled, held=held):
        yield Progress(1, 2, "reading")
        time.sleep(seconds)
        if fail:
            raise ValueError("the file went away")
        return "done"

    return factory


def connect_as_screens_do(task: Task, heard: list) -> None:
    # Slots that name their task (as the import wizard's do) make a cycle through the Qt
    # connection that Python's collector cannot see.
    task.signals.progressed.connect(lambda d, t, m, task=task: heard.append(("progressed", m)))
    task.signals.finished.connect(lambda outcome, task=task: heard.append(("finished", outcome)))
    task.signals.failed.connect(lambda exc, task=task: heard.append(("failed", str(exc))))


class Screen(QObject):
    """A receiver whose slots are its own methods, as the wizard's are."""

    def __init__(self) -> None:
        super().__init__()
        self.ends: list = []

    def task_ended(self, outcome) -> None:
        self.ends.append(outcome)


def deliver_deferred_deletes() -> None:
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.mark.parametrize("fail", [False, True])
def test_a_task_that_has_reported_keeps_nothing_alive(qapp, fail):
    held = Held()
    freed = weakref.ref(held)
    heard: list = []
    task = Task(work(held, fail))
    connect_as_screens_do(task, heard)
    TaskRunner(inline=True).start(task)
    assert heard == [("progressed", "reading"), ("failed", "the file went away") if fail else ("finished", "done")]
    del task, held
    deliver_deferred_deletes()
    gc.collect()
    assert freed() is None


@pytest.mark.parametrize("fail", [False, True])
def test_every_slot_hears_how_tasks_on_worker_threads_end(qtbot, fail):
    runner = TaskRunner(QThreadPool())
    screen = Screen()
    heard: list[list] = []
    for _ in range(20):
        heard.append([])
        # Long enough that the UI thread is waiting for events when the task reports.
        task = Task(work(Held(), fail, seconds=0.02))
        connect_as_screens_do(task, heard[-1])
        (task.signals.failed if fail else task.signals.finished).connect(screen.task_ended)
        runner.start(task)
    qtbot.waitUntil(lambda: all(len(h) == 2 for h in heard) and len(screen.ends) == 20, timeout=10000)
    assert runner.pool.waitForDone(5000)
    deliver_deferred_deletes()
    end = ("failed", "the file went away") if fail else ("finished", "done")
    assert all(h == [("progressed", "reading"), end] for h in heard)


def test_latest_only_drops_an_older_answer_that_arrives_after_a_newer_one(qtbot):
    import threading

    from omnidesk.ui.tasks import LatestOnly

    runner = TaskRunner()
    latest = LatestOnly(runner)
    release = threading.Event()
    heard: list[str] = []

    def slow():
        release.wait(5)  # the first question is still being answered when the second is asked
        return "old"

    latest.ask(slow, heard.append)
    latest.ask(lambda: "new", heard.append)
    qtbot.waitUntil(lambda: heard == ["new"], timeout=5000)
    release.set()
    assert runner.wait(5)
    QApplication.processEvents()
    assert heard == ["new"]
    latest.ask(lambda: "dropped", heard.append)
    latest.forget()
    assert runner.wait(5)
    QApplication.processEvents()
    assert heard == ["new"]


def test_latest_only_tells_the_newest_asker_its_work_failed_and_drops_an_older_failure(qtbot):
    import sqlite3
    import threading

    from omnidesk.ui.tasks import LatestOnly

    runner = TaskRunner()
    latest = LatestOnly(runner)
    release = threading.Event()
    heard: list[str] = []

    def slow_failure():
        release.wait(5)
        raise sqlite3.OperationalError("the older question's failure")

    def busy():
        raise sqlite3.OperationalError("database is locked")

    latest.ask(slow_failure, heard.append, lambda exc: heard.append(f"failed: {exc}"))
    latest.ask(busy, heard.append, lambda exc: heard.append(f"failed: {exc}"))
    qtbot.waitUntil(lambda: heard == ["failed: database is locked"], timeout=5000)
    release.set()
    assert runner.wait(5)
    QApplication.processEvents()
    assert heard == ["failed: database is locked"]  # the older failure is not heard
    latest.ask(lambda: "7", heard.append, lambda exc: heard.append(f"failed: {exc}"))
    qtbot.waitUntil(lambda: heard[-1] == "7", timeout=5000)
    # Without a ``failed``, the failure is raised on the window's thread rather than left unheard.
    with qtbot.capture_exceptions() as raised:
        latest.ask(busy, heard.append)
        assert runner.wait(5)
        QApplication.processEvents()
    assert [type(e[1]) for e in raised] == [sqlite3.OperationalError]
