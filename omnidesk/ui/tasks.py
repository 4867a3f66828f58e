"""Run a core progress generator off the UI thread.

The worker only iterates the generator and emits signals; it never touches a
widget.  Cancel sets a flag the generator checks between batches.  Tests can
run tasks inline (``TaskRunner(inline=True)``) to stay deterministic.

The runner keeps every task it started until the task has ended and the UI
thread has seen its last signal, so a window can cancel them and wait for them
before it closes (a task that outlived its window, emitting into deleted
objects during interpreter shutdown, is how a quit crashes).  A task's signal
object belongs to the runner's object on the UI thread and is deleted there,
after its last signal, never from a worker thread when the last Python
reference happens to drop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal
from shiboken6 import isValid

from omnidesk.core.tasks import Progress


class TaskSignals(QObject):
    progressed = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object)  # the exception
    ended = Signal()  # after finished or failed: the task's own clean-up


class _Worker(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self.task = task

    def run(self) -> None:  # runs on a pool thread
        task, self.task = self.task, None
        task._drive()


class Task:
    """One running generator; ``signals`` report on the thread that owns them (the UI)."""

    def __init__(self, factory: Callable[[Callable[[], bool]], Generator[Progress, None, object]]) -> None:
        self._factory = factory
        self._cancel = threading.Event()
        self.signals = TaskSignals()
        self.done = threading.Event()
        self.ended = False  # the UI thread has seen its last signal

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _drive(self) -> None:
        try:
            gen = self._factory(self._cancel.is_set)
            while True:
                try:
                    p = next(gen)
                except StopIteration as stop:
                    self.signals.finished.emit(stop.value)
                    break
                self.signals.progressed.emit(p.done, p.total, p.message)
        except BaseException as exc:  # reported to the UI, never swallowed
            self.signals.failed.emit(exc)
        finally:
            self.done.set()
            self.signals.ended.emit()


class RunnerSignals(QObject):
    idle = Signal()  # the last running task has ended


class TaskRunner:
    def __init__(self, pool: QThreadPool | None = None, *, inline: bool = False) -> None:
        self.pool = pool or QThreadPool.globalInstance()
        self.inline = inline
        self.signals = RunnerSignals()
        # Parent of the tasks' signal objects, on the UI thread, and owned by the application
        # rather than by this runner: a signal object dies on the UI thread (its task deletes it
        # once ended), never with the last Python reference, wherever that is dropped.
        self._owner = QObject(QCoreApplication.instance())
        self._tasks: list[Task] = []

    def start(self, task: Task) -> Task:
        task.signals.setParent(self._owner)
        # ``ended`` comes after finished or failed (and the task deletes its signals then).
        task.signals.ended.connect(lambda t=task: self._ended(t))
        self._tasks.append(task)
        if self.inline:
            task._drive()
        else:
            self.pool.start(_Worker(task))
        return task

    def _ended(self, task: Task) -> None:
        task.ended = True
        if task in self._tasks:
            self._tasks.remove(task)
        if not self.running():
            self.signals.idle.emit()
        # Slots that name their task make a cycle through the Qt connection that Python's
        # collector cannot see; deleting the signals once every slot has heard the end (``ended``
        # comes last) breaks it, on the UI thread that owns them.
        task.signals.deleteLater()

    def running(self) -> list[Task]:
        """Tasks started and not yet ended (as the UI thread sees them).

        A task whose work is done and whose signal object is already gone has ended
        too: its last signal can no longer arrive (a deferred delete ran first).
        """
        return [t for t in self._tasks if not t.ended and not (t.done.is_set() and not isValid(t.signals))]

    def cancel_all(self) -> None:
        for task in self.running():
            task.cancel()

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for every task to end, delivering their last signals.

        Returns True when none is left running.
        """
        deadline = time.monotonic() + timeout
        while self.running():
            if all(t.done.is_set() for t in self.running()):
                QCoreApplication.processEvents()  # their last signals, queued to this thread
                if self.running():
                    if time.monotonic() >= deadline:
                        return False
                    time.sleep(0.005)
                continue
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True


def caught(work: Callable[[], object]) -> Callable[[], object]:
    """``work`` for the task runner, its exception returned rather than raised: the answer's slot,
    on the UI thread, says it (a busy workspace) or raises it there, where it is heard."""

    def run():
        try:
            return work()
        except Exception as exc:
            return exc

    return run


class LatestOnly:
    """Off-the-UI-thread answers where only the newest question counts (a live count as the user types).

    ``ask(work, answer, failed)`` cancels the question before (if it still runs) and runs
    ``work()`` on the runner; ``answer(result)`` is called on the UI thread only
    for the newest question, so an older, slower answer never overwrites a newer one.
    When ``work()`` raises, ``failed(exception)`` is called instead, likewise only for the
    newest question (an older failure is dropped as an older answer is); without ``failed``
    the exception is raised on the UI thread, where the window's handlers hear it, rather
    than leave the asker waiting for an answer that never comes.
    """

    def __init__(self, runner: TaskRunner) -> None:
        self.runner = runner
        self._asked = 0
        self._task: Task | None = None

    def ask(self, work: Callable[[], object], answer: Callable[[object], None],
            failed: Callable[[BaseException], None] | None = None) -> None:
        self._asked += 1
        asked = self._asked
        if self._task is not None:
            self._task.cancel()

        def run(_cancelled):
            yield from ()
            return work()

        def heard(result) -> None:
            if asked == self._asked:
                self._task = None
                answer(result)

        def not_heard(exc: BaseException) -> None:
            if asked != self._asked:
                return
            self._task = None
            if failed is None:
                raise exc
            failed(exc)

        task = Task(run)
        self._task = task
        task.signals.finished.connect(heard)
        task.signals.failed.connect(not_heard)
        self.runner.start(task)

    def forget(self) -> None:
        """Drop the question in flight: its answer, when it comes, is not heard."""
        self._asked += 1
        if self._task is not None:
            self._task.cancel()
            self._task = None
