"""Opening Edit › Preferences and the Messages screen's first visit, on the demo workspace.

Run with ``python -m pytest tests/benchmarks/test_screens_open_speed.py -m benchmark -s``.

Each figure is taken in a fresh interpreter (a user's first open in a run: the
modules the dialog or screen needs are imported then), with the main window
already built on the demo workspace (300 customers), shown at 1024 x 640 and
painted, and the background counts it starts finished.  The time runs from the
menu's action to the dialog or screen painted (``grab`` renders it offscreen);
Preferences is then closed and opened a second time, the figure of every open
after the first.  The window's real task runner is used, so a check the
Messages screen starts off the window's thread competes for the machine as it
does for a user.

The reference, measured in the same interpreter just before: a plain dialog
(a line of text and OK) built, opened and painted, what opening instantly takes
on this machine.  Figures are medians of ``OMNIDESK_BENCH_OPEN_RUNS`` runs
(default 5) after one untimed run (which also compiles the modules, so
imports read them compiled as an installed copy does); wall-clock and this
process's CPU time are both printed, with the wall-clock ratio to the reference.
Only that it works is asserted: the figures depend on the machine and its load.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from omnidesk.core.demo import build_demo

pytestmark = pytest.mark.benchmark

ROOT = Path(__file__).resolve().parents[2]
RUNS = int(os.environ.get("OMNIDESK_BENCH_OPEN_RUNS", "5"))

# Runs in a fresh interpreter: ``python -c DRIVER preferences|messages``; prints one JSON line of
# {step: [wall seconds, CPU seconds]}.
DRIVER = r"""
import json, sys, time
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLabel, QVBoxLayout
from omnidesk.app import build_main_window, create_application

app = create_application()
window = build_main_window(demo=True)
window.resize(1024, 640)
window.show()
QApplication.processEvents()
window.grab()
assert window.runner.wait(60), "the window's background work did not end"
QApplication.processEvents()
out = {}

def timed(step, work):
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    out[step] = [time.perf_counter() - wall, time.process_time() - cpu]

def plain_dialog():
    dialog = QDialog(window)
    layout = QVBoxLayout(dialog)
    layout.addWidget(QLabel("The workspace was saved."))
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
    buttons.accepted.connect(dialog.accept)
    layout.addWidget(buttons)
    dialog.open()
    QApplication.processEvents()
    dialog.grab()
    dialog.reject()

def preferences():
    window.show_preferences()
    dialog = window.preferences_dialog
    assert dialog is not None and dialog.isVisible()
    QApplication.processEvents()
    dialog.grab()

def close_preferences():
    window.preferences_dialog.reject()
    QApplication.processEvents()

def messages():
    window.show_screen("messages")
    QApplication.processEvents()
    window.grab()

timed("reference", plain_dialog)
if sys.argv[1] == "preferences":
    timed("preferences, first open", preferences)
    close_preferences()
    timed("preferences, next open", preferences)
    close_preferences()
else:
    timed("messages, first visit", messages)
    assert window.current_screen() == "messages"
window.runner.wait(60)
print(json.dumps(out))
"""


def env_for(data: Path, pycache: Path, source: Path = ROOT) -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "OMNIDESK_DATA_DIR": str(data),
           "XDG_CONFIG_HOME": str(data / "config"), "PYTHONPATH": str(source),
           # Compiled once, in the untimed run, as an installed copy is: not on every import.
           "PYTHONPYCACHEPREFIX": str(pycache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_once(what: str, env: dict[str, str]) -> dict[str, list[float]]:
    proc = subprocess.run([sys.executable, "-c", DRIVER, what], env=env, capture_output=True, text=True,
                          timeout=300, cwd=env["PYTHONPATH"])
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def medians(runs: list[dict[str, list[float]]]) -> dict[str, tuple[float, float]]:
    return {step: (statistics.median(r[step][0] for r in runs), statistics.median(r[step][1] for r in runs))
            for step in runs[0]}


def measure(env: dict[str, str], runs: int = RUNS) -> dict[str, tuple[float, float]]:
    """step -> (median wall seconds, median CPU seconds) of Preferences and Messages, each with its reference."""
    found: dict[str, tuple[float, float]] = {}
    for what in ("preferences", "messages"):
        run_once(what, env)  # untimed: compiles the modules, warms the OS file cache
        taken = medians([run_once(what, env) for _ in range(runs)])
        found.update({(f"{step} ({what})" if step == "reference" else step): t for step, t in taken.items()})
    return found


def report(found: dict[str, tuple[float, float]]) -> str:
    lines = [f"{'step':<34}{'wall':>9}{'CPU':>9}{'ratio':>8}"]
    for step, (wall, cpu) in found.items():
        reference = found[f"reference ({'preferences' if 'preferences' in step else 'messages'})"][0]
        lines.append(f"{step:<34}{wall * 1000:>6.0f} ms{cpu * 1000:>6.0f} ms{wall / reference:>7.1f}x")
    return "\n".join(lines)


def test_screens_open_speed(tmp_path):
    data = tmp_path / "data"
    build_demo(data / "demo.omnidesk")  # the workspace --demo opens, at its 300 customers
    found = measure(env_for(data, tmp_path / "pycache"))
    print(f"\nOpening, median of {RUNS} fresh runs (offscreen, 1024 x 640, demo workspace of 300 customers, "
          f"load average {os.getloadavg()[0]:.1f}):\n" + report(found))
    assert all(wall > 0 for wall, _ in found.values())
