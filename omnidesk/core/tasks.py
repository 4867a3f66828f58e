"""Long work as generators: they yield progress and stop cleanly when asked.

The GUI runs such a generator on a worker thread (``omnidesk.ui.tasks``); the
CLI and the tests simply iterate it.  Cancelling raises :class:`Cancelled`
inside the generator, between batches, so its transaction rolls back.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TypeVar

from omnidesk.core.errors import UserError

T = TypeVar("T")


@dataclass(frozen=True)
class Progress:
    done: int
    total: int  # 0 when unknown
    message: str = ""


class Cancelled(UserError):
    """The user cancelled; whatever the work had started was rolled back."""


CancelCheck = Callable[[], bool]


def never_cancelled() -> bool:
    return False


def run_to_completion(gen: Generator[Progress, None, T]) -> T:
    """Drive a progress generator to its end and return its result."""
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value


def cancellable(steps: Generator[Progress, None, T], cancelled: CancelCheck,
                message: str) -> Generator[Progress, None, T]:
    """Drive ``steps``, asking ``cancelled()`` before each of them; returns what ``steps`` returns.

    When the answer is yes, ``steps`` is closed (its ``finally`` blocks and
    context managers run) and :class:`Cancelled` is raised with ``message``,
    so the transaction around it rolls back.
    """
    try:
        while True:
            if cancelled():
                raise Cancelled(message)
            try:
                progress = next(steps)
            except StopIteration as stop:
                return stop.value
            yield progress
    finally:
        steps.close()


def worded(steps: Generator[Progress, None, T], words: str) -> Generator[Progress, None, T]:
    """Drive ``steps`` as one stage of a longer work whose scale they do not share: each of their
    steps is said after ``words``, with how far it has got ("Linking records to customers:
    comparing records, 40%"), on a busy bar (a total of 0).  Returns what ``steps`` returns."""
    try:
        while True:
            try:
                step = next(steps)
            except StopIteration as stop:
                return stop.value
            said = f"{words}: {step.message[:1].lower()}{step.message[1:]}" if step.message else words
            if step.total:
                said += f", {min(step.done * 100 // step.total, 100)}%"
            yield Progress(0, 0, said)
    finally:
        steps.close()
