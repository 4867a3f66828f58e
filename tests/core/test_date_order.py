"""Day/month order: decided by the column, else the region; dates that could be either
in a column that has both orders are flagged, not guessed."""

from __future__ import annotations

import json
import tracemalloc

import pytest

from omnidesk.cli import main
from omnidesk.core.importing import normalize as nz
from omnidesk.core.importing import pipeline
from omnidesk.core.importing.normalize import DateOrder, parse_date, parse_datetime
from omnidesk.core.importing.pipeline import ImportOptions, analyze, run_to_end
from omnidesk.core.importing.sniff import sniff
from tests.helpers import write_csv

EITHER = "(the column has both day-first and month-first dates)"


# --------------------------------------------------------------------------
# counting evidence
# --------------------------------------------------------------------------


def evidence(*values: str) -> "nz.DateEvidence":
    ev = nz.DateEvidence()
    for v in values:
        ev.add(v)
    return ev


@pytest.mark.parametrize(
    ("values", "region", "order"),
    [
        (["03/04/2024", "25/04/2024"], "US", DateOrder.DMY),
        (["03/04/2024", "04/25/2024"], "GB", DateOrder.MDY),
        (["2024-03-04"], "US", DateOrder.YMD),
        (["03/04/2024", "25/04/2024", "04/25/2024", "05/06/2024"], "US", DateOrder.MIXED),
        (["03/04/2024", "05/06/2024"], "US", DateOrder.MDY),
        (["03/04/2024", "05/06/2024"], "FR", DateOrder.DMY),
        (["", "March 7, 1990", "n/a"], "GB", DateOrder.DMY),
    ],
)
def test_column_order(values: list[str], region: str, order: DateOrder) -> None:
    assert evidence(*values).column_order(region) == order


def test_evidence_keeps_counts_and_one_example_of_each_kind() -> None:
    ev = evidence("03/04/2024", "25/04/2024", "04/25/2024", "05/06/2024", "26/04/2024", "05/05/2024")
    assert (ev.day_first, ev.month_first, ev.ambiguous) == (2, 1, 2)
    assert (ev.day_first_example, ev.month_first_example, ev.ambiguous_example) == (
        "25/04/2024", "04/25/2024", "03/04/2024",
    )
    assert ev.conflicting and not ev.decided


def test_decide_date_order_keeps_its_single_order_answer() -> None:
    # The one-order answer for callers that must pick one: the region's, not decided.
    assert nz.decide_date_order(["13/2/2020", "2/13/2020"], "GB") == (DateOrder.DMY, False)


# --------------------------------------------------------------------------
# reading dates in a column of both orders
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("25/04/2024", "2024-04-25"),
        ("04/25/2024", "2024-04-25"),
        ("05/05/2024", "2024-05-05"),
        ("2024-03-04", "2024-03-04"),
        ("March 7, 1990", "1990-03-07"),
        ("25/04", "--04-25"),
        ("31.12.24", "2024-12-31"),
    ],
)
def test_mixed_column_reads_each_date_the_only_way_it_can_be(raw: str, expected: str) -> None:
    assert parse_date(raw, DateOrder.MIXED).value == expected
    assert parse_date(raw, DateOrder.MIXED).problem is None


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("03/04/2024", f"03/04/2024 could be 3 April or 4 March {EITHER}"),
        ("5.6.24", f"5.6.24 could be 5 June or 6 May {EITHER}"),
        ("12/01", f"12/01 could be 12 January or 1 December {EITHER}"),
    ],
)
def test_mixed_column_flags_a_date_that_could_be_either(raw: str, problem: str) -> None:
    parsed = parse_date(raw, DateOrder.MIXED)
    assert (parsed.value, parsed.problem) == (None, problem)


def test_mixed_column_datetimes() -> None:
    assert parse_datetime("04/25/2024 10:30", DateOrder.MIXED).value == "2024-04-25T10:30:00"
    parsed = parse_datetime("03/04/2024 10:30", DateOrder.MIXED)
    assert (parsed.value, parsed.problem) == (None, f"03/04/2024 10:30 could be 3 April or 4 March {EITHER}")
    parsed = parse_datetime("03/04/2024", DateOrder.MIXED)
    assert (parsed.value, parsed.problem) == (None, f"03/04/2024 could be 3 April or 4 March {EITHER}")


# --------------------------------------------------------------------------
# through the import
# --------------------------------------------------------------------------

ORDERS = (["Email", "Order Date"], [["ann@example.com", "03/04/2024"], ["bob@example.com", "25/04/2024"],
                                     ["cy@example.com", "04/25/2024"], ["di@example.com", "05/06/2024"]])


def stored(ws) -> list[tuple]:
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT email, occurred_at, flagged, problems_json FROM source_record ORDER BY record_no"
        ).fetchall()


def test_conflicting_column_flags_the_dates_that_could_be_either(ws, tmp_path) -> None:
    plan = analyze(ws, write_csv(tmp_path / "orders.csv", *ORDERS), ImportOptions(region="US"))
    assert plan.mapping[1] == "occurred_at"
    assert plan.date_orders == {1: DateOrder.MIXED}
    (warning,) = plan.warnings
    assert "'Order Date'" in warning and "25/04/2024" in warning and "04/25/2024" in warning
    result = run_to_end(ws, plan)
    assert (result.rows, result.imported, result.flagged) == (4, 4, 2)
    rows = stored(ws)
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("ann@example.com", None, 1),
        ("bob@example.com", "2024-04-25", 0),
        ("cy@example.com", "2024-04-25", 0),
        ("di@example.com", None, 1),
    ]
    assert json.loads(rows[0][3]) == [f"Order Date: 03/04/2024 could be 3 April or 4 March {EITHER}"]
    assert json.loads(rows[3][3]) == [f"Order Date: 05/06/2024 could be 5 June or 6 May {EITHER}"]


def test_column_without_evidence_falls_back_to_the_region_with_a_warning(ws, tmp_path) -> None:
    rows = [["ann@example.com", "03/04/2024"], ["bob@example.com", "05/06/2024"]]
    plan = analyze(ws, write_csv(tmp_path / "orders.csv", ["Email", "Order Date"], rows),
                   ImportOptions(region="US"))
    assert plan.date_orders == {1: DateOrder.MDY}
    (warning,) = plan.warnings
    assert "'Order Date'" in warning and "could be day/month" in warning
    assert "month-first" in warning and "US" in warning
    result = run_to_end(ws, plan)
    assert result.flagged == 0
    assert [r[1] for r in stored(ws)] == ["2024-03-04", "2024-05-06"]


def test_evidence_late_in_a_long_column_decides(ws, tmp_path) -> None:
    rows = [[f"p{i}@example.com", "03/04/2024"] for i in range(pipeline.DATE_SAMPLE + 10)]
    rows.append(["last@example.com", "25/12/2024"])
    plan = analyze(ws, write_csv(tmp_path / "long.csv", ["Email", "Signed up"], rows), ImportOptions(region="US"))
    assert plan.date_orders == {1: DateOrder.DMY}
    assert plan.warnings == []


def test_deciding_date_orders_does_not_hold_the_column_in_memory(tmp_path) -> None:
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("Email,Order Date\r\n")
        block = "".join(f"c{i}@example.com,03/04/2024\r\n" for i in range(1000))
        for _ in range(100):
            f.write(block)
    fmt = sniff(path)
    tracemalloc.start()
    try:
        orders, warnings = pipeline._decide_date_orders(path, fmt, ["email", "occurred_at"], "US")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert orders == {1: DateOrder.MDY} and len(warnings) == 1
    assert peak < 1_500_000, f"peak {peak / 1e6:.1f} MB"


# --------------------------------------------------------------------------
# the CLI shows the plan's warnings
# --------------------------------------------------------------------------


def test_cli_prints_the_plans_warnings_to_stderr(tmp_path, capsys) -> None:
    rows = [["ann@example.com", "03/04/2024"], ["bob@example.com", "05/06/2024"]]
    f = write_csv(tmp_path / "orders.csv", ["Email", "Order Date"], rows)
    status = main(["import", str(f), "-w", str(tmp_path / "w.omnidesk"), "--region", "US"])
    out, err = capsys.readouterr()
    assert status == 0
    assert "orders.csv:" in out and "could be day/month" not in out
    (line,) = [x for x in err.splitlines() if "Order Date" in x]
    assert line.startswith("omnidesk: warning: orders.csv: ") and "month-first" in line and "US" in line


def test_cli_json_lists_the_plans_warnings(tmp_path, capsys) -> None:
    f = write_csv(tmp_path / "orders.csv", *ORDERS)
    status = main(["import", str(f), "-w", str(tmp_path / "w.omnidesk"), "--region", "US", "--json"])
    out, err = capsys.readouterr()
    assert status == 0
    (summary,) = [json.loads(line) for line in out.strip().splitlines()]
    (warning,) = summary["warnings"]
    assert "'Order Date'" in warning
    assert err == f"omnidesk: warning: orders.csv: {warning}\n"  # on stderr too, as without --json
    assert summary["flagged"] == 2


def test_cli_json_has_an_empty_warnings_list_when_all_is_clear(tmp_path, capsys) -> None:
    f = write_csv(tmp_path / "people.csv", ["Email", "Signed up"], [["ann@example.com", "2024-03-04"]])
    main(["import", str(f), "-w", str(tmp_path / "w.omnidesk"), "--json"])
    (summary,) = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert summary["warnings"] == []
