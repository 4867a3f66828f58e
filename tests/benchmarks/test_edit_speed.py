"""Hand edits over a big workspace: a tag added to many customers at once, and one customer's tag
in the window.

Goal: a tag added to a segment of tens of thousands of customers in seconds (the hand records are
written together, not one by one), and one customer's tag in the window not much more than the
write itself (the window redraws what the edit changed, not the review queue or every count).

Run with ``python -m pytest tests/benchmarks/test_edit_speed.py -m benchmark -s``.
``OMNIDESK_BENCH_CUSTOMERS`` sets the size (default 100,000; 20000 is a quick run).

The workspace is imported through the real import path (one file).  References measured in the same run:
for the bulk tag, working out the same customers' cards again (``golden.refresh_customers``),
which any change to their tags must do; for the window, the same tag written by the core alone.
Only the results are asserted; times are printed with their ratios, since a wall-clock
assertion would test the machine, not the code.
"""

from __future__ import annotations

import os
import shutil
import time

import pytest

from omnidesk.core import edits
from omnidesk.core.identity.golden import refresh_customers
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.journal import JournaledWorkspace, revert
from omnidesk.core.workspace import Workspace
from tests.helpers import write_csv

pytestmark = pytest.mark.benchmark

CUSTOMERS = int(os.environ.get("OMNIDESK_BENCH_CUSTOMERS", "100000").replace("_", ""))
CITIES = ("Portland", "Boston", "Austin", "Denver", "Berlin", "Lyon")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("edits")
    rows = [[f"First{i % 997}", f"Last{i}", f"p{i}@example.com", CITIES[i % len(CITIES)], "vip" if i % 10 == 0 else ""]
            for i in range(CUSTOMERS)]
    path = folder / "big.omnidesk"
    with Workspace.create(path) as ws:
        t = time.perf_counter()
        import_file(ws, write_csv(folder / "people.csv", ["First Name", "Last Name", "Email", "City", "Tags"], rows),
                    ImportOptions(channel="shop"))
        print(f"\nimported {CUSTOMERS:,} customers in {time.perf_counter() - t:.1f} s")
    return path


def _ids(ws, share: int) -> list[int]:
    with ws.engine.connect() as conn:
        return [c for (c,) in conn.exec_driver_sql(f"SELECT id FROM customer WHERE id % {share} != 0 ORDER BY id")]


def test_bulk_tag_against_working_out_the_same_cards(template, tmp_path):
    path = tmp_path / "bulk.omnidesk"
    shutil.copyfile(template, path)
    with Workspace.open(path) as ws:
        ids = _ids(ws, 3)  # two thirds of them, as a segment would
        t = time.perf_counter()
        with ws.writing() as conn:
            refresh_customers(conn, ids)
        reference = time.perf_counter() - t

        t = time.perf_counter()
        edits.retag(ws, ids, ["spring"], ())  # as the command line does it
        plain = time.perf_counter() - t

        journaled = JournaledWorkspace(ws)
        t = time.perf_counter()
        edits.retag(journaled, ids, ["summer"], ())  # as the window does it, for its undo
        window = time.perf_counter() - t
        t = time.perf_counter()
        revert(ws, journaled.journal())
        undo = time.perf_counter() - t
        with ws.engine.connect() as conn:
            tagged = conn.exec_driver_sql("SELECT count(*) FROM customer WHERE tags LIKE '%spring%'").scalar()
            summer = conn.exec_driver_sql("SELECT count(*) FROM customer WHERE tags LIKE '%summer%'").scalar()
    assert tagged == len(ids) and summer == 0
    print(f"\n{len(ids):,} customers: their cards worked out again {reference:.2f} s (reference)")
    for what, took in (("tag added (command line)", plain), ("tag added, journaled (window)", window),
                       ("its undo", undo)):
        print(f"  {what:32s} {took:7.2f} s  {took / reference:5.1f}x reference")


def test_one_tag_in_the_window_against_the_write_alone(template, tmp_path, qtbot):
    from PySide6.QtCore import QSettings

    from omnidesk.ui.main_window import MainWindow
    from omnidesk.ui.tasks import TaskRunner

    path = tmp_path / "one.omnidesk"
    shutil.copyfile(template, path)
    with Workspace.open(path) as ws:
        t = time.perf_counter()
        edits.retag(JournaledWorkspace(ws), [2], ["alone"], ())
        reference = time.perf_counter() - t

    win = MainWindow(QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat), runner=TaskRunner(inline=True))
    qtbot.addWidget(win)
    win.show()
    win.open_workspace(path)
    for screen in ("review", "dashboard", "customers"):
        win.show_screen(screen)
    qtbot.wait(200)
    steps = []
    for i, cid in enumerate((3, 4, 5)):
        t = time.perf_counter()
        assert win.operations.retag([cid], [f"one{i}"], ()) is not None
        steps.append(("tag one customer", time.perf_counter() - t))
    t = time.perf_counter()
    win.undo_action.trigger()
    steps.append(("its undo", time.perf_counter() - t))
    print(f"\none customer's tag written by the core alone: {reference * 1000:.0f} ms (reference)")
    for what, took in steps:
        print(f"  {what:20s} {took * 1000:7.0f} ms  {took / reference:5.1f}x reference")
    assert win.runner.wait(30)
