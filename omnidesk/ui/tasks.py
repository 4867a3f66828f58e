"""Run a core progress generator off the UI thread.

The worker only iterates the generator and emits signals; it never touches a
widget.  Cancel sets a flag the generator checks between batches.  Tests can
run tasks inline (``TaskRunner(inline=True)``) to stay deterministic.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

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
        self.task._drive()


class Task:
    """One running generator; ``signals`` report on the thread that owns them (the UI)."""

    def __init__(self, factory: Callable[[Callable[[], bool]], Generator[Progress, None, object]]) -> None:
        self._factory = factory
        self._cancel = threading.Event()
        self.signals = TaskSignals()
        # Slots that name their task make a cycle through the Qt connection that Python's
        # collector cannot see; deleting the signals once every slot has heard the end
        # breaks it.  ``ended`` is emitted last, so its deletion queues behind their calls.
        self.signals.ended.connect(self.signals.deleteLater)
        self.done = threading.Event()

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


class TaskRunner:
    def __init__(self, pool: QThreadPool | None = None, *, inline: bool = False) -> None:
        self.pool = pool or QThreadPool.globalInstance()
        self.inline = inline

    def start(self, task: Task) -> Task:
        if self.inline:
            task._drive()
        else:
            self.pool.start(_Worker(task))
        return task
