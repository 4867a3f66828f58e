"""Keeping two namesakes apart does not split a till customer on the next rebuild.

In the demo shop the email list's Aaron Harris and the till's Aaron Harris (a loyalty
card with its contact row and two receipts, all under one card number) share an
address, and wait in Review.  Kept apart, a rebuild from scratch must make them again
as they were: the till's contact row matches the list's Aaron by email and its own
receipts by card number, and it stays with its receipts, its channel's customer.
"""

from __future__ import annotations

import sqlite3

from omnidesk.cli import main


def run(capsys, *argv) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def holders(ws) -> dict[int, int]:
    with sqlite3.connect(ws) as db:
        return dict(db.execute("SELECT id, customer_id FROM source_record"))


def test_a_till_customer_kept_apart_from_a_namesake_stays_whole_after_a_rebuild(tmp_path, capsys):
    ws = str(tmp_path / "demo.omnidesk")
    run(capsys, "demo", "-w", ws, "--customers", "150")
    with sqlite3.connect(ws) as db:
        (card,) = db.execute(
            "SELECT external_id FROM source_record WHERE channel = 'pos' AND kind = 'contacts' "
            "AND first_name = 'Aaron' AND last_name = 'Harris'").fetchone()
        till = [rid for (rid,) in db.execute(
            "SELECT id FROM source_record WHERE channel = 'pos' AND external_id = ?", (card,))]
        (customers,) = db.execute("SELECT count(*) FROM customer").fetchone()
    before = holders(ws)
    till_customer = before[till[0]]
    assert len(till) == 3 and {before[r] for r in till} == {till_customer}
    queue = run(capsys, "-w", ws, "review", "list")
    pair = next(line for line in queue.splitlines()
                if line.count("Aaron Harris") == 2 and f"(#{till_customer})" in line)
    run(capsys, "-w", ws, "review", "reject", pair.split()[0])
    apart = run(capsys, "-w", ws, "review", "apart")

    run(capsys, "-w", ws, "resolve", "--from-scratch")

    after = holders(ws)
    assert {after[r] for r in till} == {till_customer}
    assert after == before
    with sqlite3.connect(ws) as db:
        assert db.execute("SELECT count(*) FROM customer").fetchone()[0] == customers
    assert "said are different people" not in run(capsys, "-w", ws, "review", "list")
    assert run(capsys, "-w", ws, "review", "apart") == apart
