"""Flagged rows kept for the error report: all of them, in order, without holding them in memory."""

from __future__ import annotations

import csv

import pytest

from omnidesk.core.importing import flagged
from omnidesk.core.importing.flagged import FlaggedRow, FlaggedRows
from omnidesk.core.importing.pipeline import ImportOptions, analyze, run_to_end, write_error_report
from omnidesk.core.importing.sniff import Record
from tests.helpers import write_csv


def _row(n: int) -> FlaggedRow:
    return FlaggedRow(Record(n, n + 1, (f"bad{n}@", "Zoë, \"quoted\"\nline"), None), [f"Email: problem {n}"])


def test_rows_past_the_memory_share_come_back_from_disk_in_order():
    rows = FlaggedRows(in_memory=3)
    assert not rows and len(rows) == 0
    for n in range(1, 11):
        rows.append(_row(n))
    assert len(rows) == 10 and rows
    assert len(rows._head) == 3  # the other seven are on disk
    assert list(rows) == [_row(n) for n in range(1, 11)]
    assert list(rows) == list(rows)  # iterable again
    assert rows[0] == _row(1) and rows[7] == _row(8) and rows[-1] == _row(10)
    rows.append(_row(11))  # appending after reading keeps the order
    assert [r.record.number for r in rows] == list(range(1, 12))
    with pytest.raises(IndexError):
        rows[11]
    rows.close()


def test_an_import_flagging_every_row_writes_every_row_to_the_report(new_workspace, tmp_path, monkeypatch):
    monkeypatch.setattr(flagged, "IN_MEMORY", 5)
    data = write_csv(tmp_path / "list.csv", ["Email", "First Name"],
                     [[f"person{n}@nowhere", f"Name {n}"] for n in range(1, 41)])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        plan = analyze(ws, data, ImportOptions(channel="email"))
        result = run_to_end(ws, plan, dry_run=True)
    assert result.flagged == len(result.flagged_rows) == 40
    assert len(result.flagged_rows._head) == 5
    out = tmp_path / "errors.csv"
    assert write_error_report(out, [(plan, result)]) == 40
    with out.open(encoding="utf-8", newline="") as fh:
        report = list(csv.DictReader(fh))
    assert [r["Email"] for r in report] == [f"person{n}@nowhere" for n in range(1, 41)]
    assert all(r["omnidesk_problems"].startswith("Email: not a valid email") for r in report)
