"""Progress generators: driving one to its end, and stopping one between two steps."""

from __future__ import annotations

import pytest

from omnidesk.core.tasks import Cancelled, Progress, cancellable, run_to_completion


def counting(log: list[str], steps: int = 3):
    try:
        for n in range(steps):
            log.append(f"step {n}")
            yield Progress(n + 1, steps, "Counting")
        return "counted"
    finally:
        log.append("closed")


def test_cancellable_passes_progress_and_result_through():
    log: list[str] = []
    gen = cancellable(counting(log), lambda: False, "stopped")
    seen = []
    while True:
        try:
            seen.append(next(gen))
        except StopIteration as stop:
            result = stop.value
            break
    assert [p.done for p in seen] == [1, 2, 3]
    assert result == "counted"
    assert log == ["step 0", "step 1", "step 2", "closed"]


def test_cancellable_asks_before_every_step_and_closes_the_work_it_stops():
    log: list[str] = []
    answers = iter([False, False, True])
    gen = cancellable(counting(log), lambda: next(answers), "stopped by the user")
    assert next(gen).done == 1
    assert next(gen).done == 2
    with pytest.raises(Cancelled, match="stopped by the user"):
        next(gen)
    # The third step never ran, and the work's own clean-up did.
    assert log == ["step 0", "step 1", "closed"]


def test_cancellable_stops_before_the_first_step():
    log: list[str] = []
    with pytest.raises(Cancelled):
        run_to_completion(cancellable(counting(log), lambda: True, "stopped"))
    assert log == []  # not even started
