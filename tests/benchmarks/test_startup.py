"""Start-up time: launch to a usable window on the demo workspace, warm.

Run with ``python -m pytest tests/benchmarks/test_startup.py -m benchmark -s``.

Launch to window: ``omnidesk --demo`` is started (``python -m omnidesk`` from
source, the executable from the bundle) with Qt's ``qt.widgets.painting``
log turned on; the first "Flushing ... of MainWindow" line is the moment the
painted main window reaches the screen, with the event loop running.  This
needs nothing from the app, so source and bundle are measured the same way.
The bundle is taken from ``OMNIDESK_BUNDLE_DIR`` (the folder holding the
executable) or packaging/dist/omnidesk; without one, that part is skipped
(build it with packaging/build.sh).

Two more figures help read the first: a driver that builds the window
in-process and splits the time into imports, window and first paint (from a
QTimer.singleShot(0) after the first paint event), and ``--version``, the
cost of starting the process and Python at all (the bundle's includes
unpacking and its PySide6 runtime hook).

The demo workspace is built beforehand and one untimed run comes first, so
the figures are for a warm start (second launch: files in the OS cache, no
demo to build).  Runs are offscreen, so no display is needed; a real display
adds the compositor's time on top.  Only that it works is asserted; the
figures depend on the machine and its load.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from omnidesk.core.demo import build_demo

pytestmark = pytest.mark.benchmark

ROOT = Path(__file__).resolve().parents[2]
RUNS = int(os.environ.get("OMNIDESK_BENCH_STARTUP_RUNS", "5"))
EXE_NAME = "omnidesk.exe" if sys.platform == "win32" else "omnidesk"

# Runs in a fresh interpreter; prints one JSON line of wall-clock timestamps.
DRIVER = r"""
import json, sys, time
started = time.time()
from PySide6.QtCore import QEvent, QObject, QTimer
from omnidesk.app import build_main_window, create_application
imported = time.time()
app = create_application()
window = build_main_window(demo=True)
built = time.time()
marks = {}

def done():
    marks["painted"] = time.time()
    app.quit()

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "paint" not in marks:
            marks["paint"] = time.time()
            # Let the paint finish and the queued events run: then the window is usable.
            QTimer.singleShot(0, done)
        return False

spy = FirstPaint()
window.installEventFilter(spy)
window.show()
QTimer.singleShot(10000, done)  # never hang if no paint event comes
app.exec()
title = window.windowTitle()
print(json.dumps({"started": started, "imported": imported, "built": built,
                  "painted": marks["painted"], "saw_paint": "paint" in marks, "title": title}))
"""


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "OMNIDESK_DATA_DIR": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }


def _first_frame(cmd: list[str], env: dict[str, str], timeout: float = 60.0) -> float:
    """Seconds from launching ``cmd`` to the main window's first flush to the screen."""
    env = {
        **env,
        "QT_LOGGING_RULES": "qt.widgets.painting=true",
        # Qt sends logs to the system journal when stderr is not a terminal.
        "QT_FORCE_STDERR_LOGGING": "1",
    }
    seen = threading.Event()
    tail: list[str] = []

    def watch(stream) -> None:
        for line in stream:  # keep draining: the painting log is chatty
            if not seen.is_set():
                tail.append(line)
                if line.startswith("qt.widgets.painting: Flushing") and "of MainWindow" in line:
                    seen.set()

    launched = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace")
    reader = threading.Thread(target=watch, args=(proc.stderr,), daemon=True)
    reader.start()
    try:
        found = seen.wait(timeout)
        elapsed = time.perf_counter() - launched
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        reader.join(timeout=10)
    assert found, "no first frame from %s; stderr ended with:\n%s" % (cmd, "".join(tail[-20:]))
    assert not any("Traceback" in line for line in tail), "".join(tail)
    return elapsed


def _window_run(env: dict[str, str]) -> dict[str, float]:
    launched = time.time()
    proc = subprocess.run([sys.executable, "-c", DRIVER], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    m = json.loads(proc.stdout.strip().splitlines()[-1])
    assert m["saw_paint"], "the window was never painted"
    assert "Omnidesk" in m["title"]
    return {
        "launch_to_window": m["painted"] - launched,
        "in_process": m["painted"] - m["started"],
        "imports": m["imported"] - m["started"],
        "window_built": m["built"] - m["imported"],
        "first_paint": m["painted"] - m["built"],
    }


def _timed(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - t0
    assert proc.returncode == 0, proc.stderr
    return elapsed


def _median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _bundle_exe() -> Path | None:
    given = os.environ.get("OMNIDESK_BUNDLE_DIR")
    folder = Path(given).expanduser() if given else ROOT / "packaging" / "dist" / "omnidesk"
    exe = folder / EXE_NAME
    return exe if exe.is_file() else None


def test_startup_to_window(tmp_path):
    env = _env(tmp_path)
    # The workspace --demo opens (built by default at 300 customers).
    build_demo(Path(env["OMNIDESK_DATA_DIR"]) / "demo.omnidesk")

    def median_of(measure) -> float:
        measure()  # untimed: warms the OS file cache and Qt's caches
        return statistics.median(measure() for _ in range(RUNS))

    source_cmd = [sys.executable, "-m", "omnidesk"]
    source_window = median_of(lambda: _first_frame([*source_cmd, "--demo"], env))
    _window_run(env)
    runs = [_window_run(env) for _ in range(RUNS)]
    source_version = median_of(lambda: _timed([*source_cmd, "--version"], env))

    print(f"\nStart-up, warm, median of {RUNS} (offscreen, demo workspace of 300 customers):")
    print(f"  source: launch -> first frame      {source_window:6.2f} s   (python -m omnidesk --demo)")
    print(f"    in-process driver                {_median(runs, 'in_process'):6.2f} s   "
          f"(imports {_median(runs, 'imports'):.2f}, window {_median(runs, 'window_built'):.2f}, "
          f"first paint {_median(runs, 'first_paint'):.2f}; launch -> paint {_median(runs, 'launch_to_window'):.2f})")
    print(f"  source: --version                  {source_version:6.2f} s")

    exe = _bundle_exe()
    if exe is None:
        print("  bundle: none found (packaging/build.sh, or set OMNIDESK_BUNDLE_DIR)")
        return
    bundle_window = median_of(lambda: _first_frame([str(exe), "--demo"], env))
    bundle_version = median_of(lambda: _timed([str(exe), "--version"], env))
    print(f"  bundle: launch -> first frame      {bundle_window:6.2f} s   ({exe.parent.name}/{exe.name} --demo)")
    print(f"  bundle: --version                  {bundle_version:6.2f} s   (lower bound for any launch)")
    print(f"  bundle: --version + in-process     {bundle_version + _median(runs, 'in_process'):6.2f} s   (estimate, for comparison)")
