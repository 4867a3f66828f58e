"""A currency sign several currencies share is the shop's own money when the shop's currency is one
it can mean: a Canadian shop's "$45.00" is 45 CAD, a Chinese shop's "¥1288.00" 1,288 CNY.  A sign
that names one currency ("CA$", "NT$", "CN¥", "RMB") is read as it; a file's Currency column still
says more than any sign.  Amounts as Japanese, Chinese and Korean exports write them ("1,280円",
full-width "￥3,300", "88.00元", "12,000원") are amounts.
"""

from __future__ import annotations

import csv
import json

import pytest

from omnidesk.core.money import format_money
from tests.helpers import run_cli, write_csv

HEADER = ["Email", "Name", "Order ID", "Order Date", "Total"]


def _shop(make_workspace, region: str, currency: str, zone: str):
    return make_workspace(f"{region.lower()}.omnidesk", default_region=region, currency=currency, timezone=zone)


def _orders(tmp_path, totals: list[str], extra: dict[str, list[str]] | None = None):
    header = HEADER + list(extra or {})
    rows = [[f"p{i}@example.com", f"Person {i}", str(1001 + i), f"2025-03-0{i + 1} 10:00", total,
             *(values[i] for values in (extra or {}).values())]
            for i, total in enumerate(totals)]
    return write_csv(tmp_path / "orders.csv", header, rows)


def _import(capsys, ws, path) -> str:
    status, out, err = run_cli(capsys, "import", str(path), "-w", str(ws.path))
    assert status == 0, err
    return out + err


def _spend(capsys, ws, tmp_path) -> dict[str, str]:
    out_csv = tmp_path / "customers.csv"
    status, _, err = run_cli(capsys, "export", "customers", str(out_csv), "--force", "--columns",
                             "email,lifetime_spend", "-w", str(ws.path))
    assert status == 0, err
    with out_csv.open(encoding="utf-8-sig", newline="") as f:
        return {r["email"]: r["lifetime_spend"] for r in csv.DictReader(f)}


def _revenue(capsys, ws) -> tuple[float, dict[str, float], str]:
    status, out, err = run_cli(capsys, "report", "--from", "2025-01-01", "--to", "2025-12-31", "--json",
                               "-w", str(ws.path))
    assert status == 0, err
    totals = json.loads(out)["totals"]
    return totals["revenue"], totals["other_revenue"], totals["currency"]


@pytest.mark.parametrize(("region", "currency", "zone", "totals", "revenue"), [
    ("CA", "CAD", "America/Toronto", ["$45.00", "$30.00"], 75.0),
    ("AU", "AUD", "Australia/Sydney", ["$45.00", "$30.00"], 75.0),
    ("CN", "CNY", "Asia/Shanghai", ["¥1288.00", "¥99.50"], 1387.5),
    ("TW", "TWD", "Asia/Taipei", ["$1,200", "$300"], 1500.0),
])
def test_a_shared_sign_is_the_shops_own_money(make_workspace, tmp_path, capsys, region, currency, zone, totals,
                                             revenue):
    ws = _shop(make_workspace, region, currency, zone)
    _import(capsys, ws, _orders(tmp_path, totals))
    assert all(_spend(capsys, ws, tmp_path).values())
    assert _revenue(capsys, ws) == (revenue, {}, currency)


def test_a_sign_naming_one_currency_is_read_as_it_and_a_currency_column_wins(make_workspace, tmp_path, capsys):
    ws = _shop(make_workspace, "US", "USD", "America/New_York")
    _import(capsys, ws, _orders(tmp_path, ["CN¥88.00", "NT$1,200", "CA$10.00", "$5.00", "€7.00"],
                                {"Currency": ["", "", "", "", "USD"]}))
    assert _revenue(capsys, ws) == (12.0, {"CAD": 10.0, "CNY": 88.0, "TWD": 1200.0}, "USD")


def test_a_shared_sign_in_a_shop_of_another_currency_keeps_its_usual_reading(make_workspace, tmp_path, capsys):
    ws = _shop(make_workspace, "GB", "GBP", "Europe/London")
    _import(capsys, ws, _orders(tmp_path, ["$45.00", "¥500", "£20.00"]))
    assert _revenue(capsys, ws) == (20.0, {"JPY": 500.0, "USD": 45.0}, "GBP")


def test_amounts_as_japanese_exports_write_them_are_read(make_workspace, tmp_path, capsys):
    ws = _shop(make_workspace, "JP", "JPY", "Asia/Tokyo")
    out = _import(capsys, ws, _orders(tmp_path, ["1,280円", "￥3,300", "¥500", "１，２００ 円"]))
    assert "flagged 0" in out
    assert sorted(_spend(capsys, ws, tmp_path).values()) == ["1200.00", "1280.00", "3300.00", "500.00"]
    assert _revenue(capsys, ws) == (6280.0, {}, "JPY")


def test_chinese_and_korean_amounts_are_read_in_their_currencies(make_workspace, tmp_path, capsys):
    ws = _shop(make_workspace, "US", "USD", "America/New_York")
    out = _import(capsys, ws, _orders(tmp_path, ["88.00元", "12,000원", "RMB 12.00", "$3.00"]))
    assert "flagged 0" in out
    assert _revenue(capsys, ws) == (3.0, {"CNY": 100.0, "KRW": 12000.0}, "USD")


def test_money_in_a_currency_without_cents_is_shown_without_them(make_workspace, tmp_path, capsys):
    ws = _shop(make_workspace, "JP", "JPY", "Asia/Tokyo")
    _import(capsys, ws, _orders(tmp_path, ["1,280円", "￥3,300", "$12.50", "₩12,000"]))
    status, out, err = run_cli(capsys, "report", "--from", "2025-01-01", "--to", "2025-12-31", "-w", str(ws.path))
    assert status == 0, err
    assert "revenue 4,580 JPY (also 12,000 KRW · 12.50 USD)" in out.splitlines()[0]
    # A file's amounts keep their one form, and an amount that is not whole keeps its fraction.
    assert sorted(_spend(capsys, ws, tmp_path).values()) == ["", "", "1280.00", "3300.00"]
    assert format_money(150, "JPY") == "1.50 JPY"
