"""Files written the way another country writes its numbers, postcodes and code pages,
read as written: Indian lakh-grouped amounts, Japanese postcodes in a US workspace, and a
Shift-JIS member list whose header joins kanji to Latin letters ("会員ID")."""

from __future__ import annotations

import json

from omnidesk.core.workspace import Workspace
from tests.helpers import run_cli, write_csv


def stored(ws_path, *columns: str, batch: int) -> list[tuple]:
    with Workspace.open(ws_path) as ws, ws.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(
            f"SELECT {', '.join(columns)} FROM source_record WHERE batch_id = ? ORDER BY record_no",
            (batch,))]


def test_amounts_grouped_in_lakhs_are_read_in_an_indian_shop(tmp_path, capsys):
    ws = tmp_path / "shop.omnidesk"
    seed = write_csv(tmp_path / "seed.csv", ["Email", "First Name"], [["seed@example.com", "Seed"]])
    assert run_cli(capsys, "-w", ws, "import", seed)[0] == 0
    assert run_cli(capsys, "-w", ws, "settings", "default_region", "IN")[0] == 0
    assert run_cli(capsys, "-w", ws, "settings", "currency", "INR")[0] == 0
    customers = write_csv(tmp_path / "customers.csv", ["Email", "First Name", "Phone", "Total Spent", "Total Orders"], [
        ["priya@example.in", "Priya", "98765 43210", "1,23,456.00", "12"],
        ["rahul@example.in", "Rahul", "98765 43211", "₹2,50,000", "3"],
        ["amit@example.in", "Amit", "98765 43212", "12,345.00", "1"],
        ["neha@example.in", "Neha", "98765 43213", "₹ 1,00,00,000.50", "1,02,345"],
    ])
    status, out, err = run_cli(capsys, "-w", ws, "import", customers, "--channel", "shop")
    assert status == 0, err
    assert "flagged 0" in out
    rows = stored(ws, "email", "values_json", "problems_json", batch=2)
    assert [(email, json.loads(values).get("total_spent"), json.loads(problems))
            for email, values, problems in rows] == [
        ("priya@example.in", "123456.00", []),
        ("rahul@example.in", "250000", []),
        ("amit@example.in", "12345.00", []),
        ("neha@example.in", "10000000.50", []),
    ]
    assert json.loads(rows[3][1])["total_orders"] == 102345
    out_csv = tmp_path / "out.csv"
    assert run_cli(capsys, "-w", ws, "export", "customers", out_csv, "--columns", "email,lifetime_spend")[0] == 0
    assert out_csv.read_text(encoding="utf-8").splitlines()[1:] == [
        "seed@example.com,", "priya@example.in,123456.00", "rahul@example.in,250000.00",
        "amit@example.in,12345.00", "neha@example.in,10000000.50"]
