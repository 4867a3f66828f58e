"""SMS pack writing speed against the sqlite3 shell's ``.output`` of the same rows.

Goal: writing a 1,000,000-row SMS pack (``packs.write_sms_pack``: formula-safe,
checked, through a temporary file) at no less than 0.5 x the rows/s of
``sqlite3 -> .mode csv -> .output FILE -> SELECT``, the shell writing the very
same cells from a table.  Both run in the same test on the same machine, so
the ratio holds up across machines when the absolute figures do not.

Run with ``python -m pytest tests/benchmarks/test_pack_speed.py -m benchmark -s``.
``OMNIDESK_BENCH_ROWS`` sets the row count (default 1,000,000); 50000 is a
quick run.

The recipients are built in memory first (the campaign hands them over that
way), untimed; the pack is then loaded into a SQLite table, untimed, and the
shell writes it out, timed as a whole process (its start-up is milliseconds).
When the ``sqlite3`` shell is not installed, Python's sqlite3 module reading
the table and the csv module writing it stand in as the reference, and the
report says so.  Only sanity is asserted (both files hold every row, the same
cells); speed is printed against its goal, since a wall-clock assertion would
test the machine rather than the code.
"""

from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import subprocess
import time
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path

import pytest

from omnidesk.core.campaigns.packs import SMS_COLUMNS, SmsRecipient, write_sms_pack

pytestmark = pytest.mark.benchmark

ROWS = int(os.environ.get("OMNIDESK_BENCH_ROWS", "1000000").replace("_", ""))
GOAL_RATIO = 0.5

ZONES = ("America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/Berlin", "Europe/London",
         "Australia/Sydney")
FIRST = ("Ann", "Bo", "Zoë", "José", "Siobhán", "Wei", "Priya", "Lars", "Fatima", "Mateo")
STEP = datetime(2026, 3, 8, 14, 0, tzinfo=UTC)


def recipients(n: int) -> list[SmsRecipient]:
    """A step's texts: one send time, 5% moved out of quiet hours to a later hour, six zones."""
    out = []
    for i in range(n):
        moved = i % 20 == 0
        name = FIRST[i % len(FIRST)]
        text = f"Hi {name}, spring sale: 20% off everything until Sunday. Code SPRING{i % 97}. Reply STOP to opt out"
        out.append(SmsRecipient(
            customer_id=i + 1, phone=f"+1{2025550000 + i:010d}", text=text, segments=1 if i % 7 else 2,
            encoding="UCS-2" if name in ("Zoë", "José", "Siobhán") else "GSM-7",
            send_at_utc=STEP + timedelta(hours=1 + i % 9) if moved else STEP, zone=ZONES[i % len(ZONES)],
            moved=moved,
        ))
    return out


def load_table(pack: Path, db: Path) -> None:
    """The pack's cells as a table, in file order, for the shell to write out again."""
    con = sqlite3.connect(db)
    try:
        columns = ", ".join(f'"{c}" TEXT' for c in SMS_COLUMNS)
        con.execute(f"CREATE TABLE pack (n INTEGER PRIMARY KEY, {columns})")
        with pack.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            next(reader)
            marks = ", ".join("?" * (len(SMS_COLUMNS) + 1))
            con.executemany(f"INSERT INTO pack VALUES ({marks})", ((None, *row) for row in reader))
        con.commit()
    finally:
        con.close()


def run_sqlite_cli(cli: str, db: Path, out: Path) -> float:
    select = "SELECT " + ", ".join(f'"{c}"' for c in SMS_COLUMNS) + " FROM pack ORDER BY n;"
    t0 = time.perf_counter()
    proc = subprocess.run([cli, "-batch", "-bail", str(db), ".headers on", ".mode csv", f".output {out}", select],
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    assert proc.returncode == 0, f"sqlite3 .output failed:\n{proc.stderr[-4000:]}"
    return elapsed


def run_python_reference(db: Path, out: Path) -> float:
    select = "SELECT " + ", ".join(f'"{c}"' for c in SMS_COLUMNS) + " FROM pack ORDER BY n"
    t0 = time.perf_counter()
    con = sqlite3.connect(db)
    try:
        with out.open("w", encoding="utf-8", newline="") as fh:
            # The reference is the plain csv module, with no formula guard: what a pack costs on top.
            writer = csv.writer(fh)
            writer.writerow(SMS_COLUMNS)
            writer.writerows(con.execute(select))
    finally:
        con.close()
    return time.perf_counter() - t0


def test_sms_pack_speed_against_sqlite_output(tmp_path):
    t0 = time.perf_counter()
    rows = recipients(ROWS)
    build_s = time.perf_counter() - t0

    pack = tmp_path / "spring-sale_sms.csv"
    t0 = time.perf_counter()
    written = write_sms_pack(pack, rows)
    ours_s = time.perf_counter() - t0
    assert written == ROWS

    db = tmp_path / "pack.sqlite"
    load_table(pack, db)
    reference = tmp_path / "reference.csv"
    cli = shutil.which("sqlite3")
    if cli:
        ref_name = "sqlite3 .output"
        ref_s = run_sqlite_cli(cli, db, reference)
    else:
        ref_name = "Python sqlite3 + csv (no sqlite3 shell)"
        ref_s = run_python_reference(db, reference)

    # The same rows, cell for cell (the shell quotes some cells the csv module leaves bare).
    with pack.open(encoding="utf-8", newline="") as a, reference.open(encoding="utf-8", newline="") as b:
        ours_rows, ref_rows = csv.reader(a), csv.reader(b)
        assert next(ours_rows) == next(ref_rows) == list(SMS_COLUMNS)
        assert list(islice(ours_rows, 1000)) == list(islice(ref_rows, 1000))
        assert sum(1 for _ in ours_rows) == sum(1 for _ in ref_rows) == ROWS - 1000
    assert rows[0].phone in pack.read_text(encoding="utf-8")[:500]

    ours_rate, ref_rate = ROWS / ours_s, ROWS / ref_s
    ratio = ours_rate / ref_rate
    size_mb = pack.stat().st_size / 1e6
    print("\n".join([
        "",
        f"SMS pack benchmark: {ROWS:,} rows ({size_mb:,.0f} MB; recipients built in {build_s:.1f} s)",
        f"  {ref_name:<42}{ref_s:>8.2f} s {ref_rate:>12,.0f} rows/s",
        f"  {'omnidesk write_sms_pack':<42}{ours_s:>8.2f} s {ours_rate:>12,.0f} rows/s",
        f"  {'ratio ours/reference':<42}{ratio:>10.3f}   goal >= {GOAL_RATIO}: "
        f"{'met' if ratio >= GOAL_RATIO else 'MISSED'}",
    ]))
