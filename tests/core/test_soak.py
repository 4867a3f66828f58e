"""A minute of the app's writes and command-line imports against one workspace, at once.

The app's operations (notes, pins, merges: the core functions its screens call)
run in this process while ``omnidesk import`` runs in other processes.  Then
the workspace must be sound (integrity and foreign keys), its counts must add
up, and every write must either have landed or have said it did not: an
operation that returned is in the file, one that raised is not, an import that
exited 0 is listed, one that failed is not.

Slow: ``python -m pytest tests/core/test_soak.py -m slow`` (``OMNIDESK_SOAK_SECONDS``
sets the length, 60 by default).
"""

from __future__ import annotations

import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
import time
from pathlib import Path

import pytest

from omnidesk.core.demo import build_demo
from omnidesk.core.identity.merge import merge_customers, pin_value
from omnidesk.core.notes import customer_notes, set_customer_notes
from omnidesk.core.workspace import Workspace
from tests.core.test_full_disk import shopify_customers

pytestmark = pytest.mark.slow

SECONDS = float(os.environ.get("OMNIDESK_SOAK_SECONDS", "60"))
ROOT = Path(__file__).resolve().parents[2]


def _cli_imports(ws_path: Path, files: list[Path], deadline: float, log: list) -> None:
    for f in files:
        if time.monotonic() > deadline:
            return
        done = subprocess.run([sys.executable, "-m", "omnidesk", "import", str(f), "--json", "-w", str(ws_path)],
                              capture_output=True, text=True, cwd=ROOT, timeout=600)
        log.append((f.name, done.returncode, done.stdout, done.stderr))


def test_app_writes_and_cli_imports_at_once_leave_a_sound_workspace(tmp_path):
    ws_path = tmp_path / "shop.omnidesk"
    build_demo(ws_path, customers=60)
    with Workspace.open(ws_path) as ws:
        start_counts = ws.counts()
    files = [shopify_customers(tmp_path / f"customers_export_{n}.csv", 300, start=100_000 + 1_000 * n)
             for n in range(40)]
    deadline = time.monotonic() + SECONDS
    imports: list = []
    workers = [threading.Thread(target=_cli_imports, args=(ws_path, files[k::2], deadline, imports))
               for k in range(2)]
    for w in workers:
        w.start()

    rng = random.Random(11)
    ok_notes, failed_notes, ok_pins, failed_pins, ok_merges, failed_merges = [], [], {}, [], [], []
    merged: set[int] = set()
    refusals: list[str] = []
    ops = 0
    with Workspace.open(ws_path) as ws:
        with ws.engine.connect() as conn:
            demo_ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM customer ORDER BY id")]
        while time.monotonic() < deadline:
            ops += 1
            what = rng.choice(("note", "note", "pin", "merge"))
            cid = rng.choice(demo_ids)
            try:
                if what == "note":
                    token = f"[soak-note-{ops}]"
                    text = (customer_notes(ws, cid) + " " + token).strip()
                    set_customer_notes(ws, cid, text)
                    ok_notes.append(token)
                elif what == "pin":
                    value = f"Soakville {ops}."
                    pin_value(ws, cid, "city", value)
                    ok_pins[cid] = value
                else:
                    pair = [c for c in rng.sample(demo_ids, 2) if c not in merged]
                    if len(pair) < 2:
                        continue
                    merged.update(pair)
                    result = merge_customers(ws, pair)
                    ok_merges.append((result.survivor, [c for c in pair if c != result.survivor]))
            except Exception as exc:  # the operation said it did not happen: check that it did not
                refusals.append(re.sub(r"\d+", "N", type(exc).__name__ + ": " + str(getattr(exc, "orig", exc))[:80]))
                if what == "note":
                    failed_notes.append(token)
                elif what == "pin":
                    failed_pins.append(value)
                else:
                    failed_merges.append((pair, repr(exc)[:200]))
            time.sleep(0.02)
    for w in workers:
        w.join()

    con = sqlite3.connect(ws_path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        notes = " ".join(r[0] or "" for r in con.execute("SELECT notes FROM customer"))
        pins = {r[0]: json.loads(r[1] or "{}") for r in con.execute("SELECT id, pinned_json FROM customer")}
        batches = {r[0]: r[1] for r in con.execute("SELECT file_name, status FROM import_batch")}
        records = con.execute("SELECT count(*) FROM source_record").fetchone()[0]
        existing = {r[0] for r in con.execute("SELECT id FROM customer")}
        orphans = con.execute("SELECT count(*) FROM customer c WHERE NOT EXISTS "
                              "(SELECT 1 FROM source_record r WHERE r.customer_id = c.id)").fetchone()[0]
    finally:
        con.close()

    # Imports: exit 0 is listed and counted; a failure is not listed and said why on one line.
    imported_rows = 0
    for name, code, out, err in imports:
        if code == 0:
            assert batches.get(name) == "done", (name, err)
            imported_rows += json.loads(out.splitlines()[0])["imported"]
        else:
            assert name not in batches, (name, err)
            assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert records == start_counts["source_records"] + imported_rows
    assert any(code == 0 for _, code, _, _ in imports), imports

    for token in ok_notes:
        assert token in notes
    for token in failed_notes:
        assert token not in notes
    all_pins = [p.get("city") for p in pins.values()]
    for cid, value in ok_pins.items():
        if cid in existing and cid not in merged:
            assert pins[cid].get("city") == value
    for value in failed_pins:
        assert value not in all_pins
    for survivor, absorbed in ok_merges:
        assert survivor in existing and not set(absorbed) & existing
    for pair, _ in failed_merges:
        assert set(pair) <= existing
    assert orphans == 0
    print(f"\nsoak: {ops} app operations ({len(ok_notes)} notes, {len(ok_pins)} pins, {len(ok_merges)} merges "
          f"landed; {len(failed_notes) + len(failed_pins) + len(failed_merges)} refused), "
          f"{len(imports)} imports ({sum(1 for i in imports if i[1] == 0)} landed); refusals: "
          f"{dict(Counter(refusals))}; import errors: {sorted({i[3].strip() for i in imports if i[1]})}")
