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


META_LEADS = ["id", "created_time", "ad_id", "adset_id", "campaign_id", "form_id", "full_name", "email",
              "phone_number", "zip_code", "city"]


def test_japanese_postcodes_in_a_us_workspace_are_kept_as_written(tmp_path, capsys):
    # A lead form run in Japan, imported into a shop whose region is the US: no country column,
    # the phones say +81.  Its postcodes are no ZIP codes Excel stripped of their zeros.
    ws = tmp_path / "shop.omnidesk"
    leads = write_csv(tmp_path / "leads.csv", META_LEADS, [
        ["l:1", "2024-03-06T08:00:00+09:00", "ag:1", "as:2", "c:3", "f:9", "山田 太郎", "taro@example.jp",
         "p:+819012345678", "z:100-0001", "東京"],
        ["l:2", "2024-03-06T09:00:00+09:00", "ag:1", "as:2", "c:3", "f:9", "鈴木 花子", "hanako@example.jp",
         "p:+819011112222", "z:5300001", "大阪"],
        ["l:3", "2024-03-06T10:00:00+09:00", "ag:1", "as:2", "c:3", "f:9", "佐藤 健", "ken@example.jp",
         "", "z:650-0001", "神戸"],
    ])
    status, out, err = run_cli(capsys, "-w", ws, "import", leads)
    assert status == 0, err
    assert "flagged 0" in out
    out_csv = tmp_path / "out.csv"
    assert run_cli(capsys, "-w", ws, "export", "customers", out_csv, "--columns", "email,postcode,country")[0] == 0
    assert sorted(out_csv.read_text(encoding="utf-8").splitlines()[1:]) == [
        "hanako@example.jp,5300001,", "ken@example.jp,650-0001,", "taro@example.jp,100-0001,"]


def test_a_us_zip_excel_stripped_of_its_zeros_still_gets_them_back(tmp_path, capsys):
    ws = tmp_path / "shop.omnidesk"
    people = write_csv(tmp_path / "people.csv", ["Email", "Phone", "Zip"], [
        ["ann@example.com", "+1 617 555 0105", "2134"],
        ["bob@example.com", "", "21341234"],
        ["cy@example.com", "(617) 555-0106", "501"],
    ])
    status, out, err = run_cli(capsys, "-w", ws, "import", people)
    assert status == 0, err
    out_csv = tmp_path / "out.csv"
    assert run_cli(capsys, "-w", ws, "export", "customers", out_csv, "--columns", "email,postcode")[0] == 0
    assert sorted(out_csv.read_text(encoding="utf-8").splitlines()[1:]) == [
        "ann@example.com,02134", "bob@example.com,02134-1234", "cy@example.com,00501"]


def test_a_row_whose_phone_is_of_another_country_keeps_its_postcode_as_written(tmp_path, capsys):
    # A US shop's list with a Sydney and a Danish customer and no country column: their
    # four-digit postcodes are no ZIPs that lost a zero; the Boston one is.
    ws = tmp_path / "shop.omnidesk"
    people = write_csv(tmp_path / "people.csv", ["Email", "Phone", "Zip"], [
        ["ann@example.com", "(617) 555-0105", "2134"],
        ["liam@example.com.au", "+61 2 9374 4000", "2000"],
        ["freja@example.dk", "+45 32 12 34 56", "1050"],
        ["zoe@example.com", "+61 2 9374 4001; (617) 555-0107", "2135"],
    ])
    status, out, err = run_cli(capsys, "-w", ws, "import", people)
    assert status == 0, err
    out_csv = tmp_path / "out.csv"
    assert run_cli(capsys, "-w", ws, "export", "customers", out_csv, "--columns", "email,postcode")[0] == 0
    assert sorted(out_csv.read_text(encoding="utf-8").splitlines()[1:]) == [
        "ann@example.com,02134", "freja@example.dk,1050", "liam@example.com.au,2000", "zoe@example.com,02135"]


MEMBERS = ("会員ID,氏名,フリガナ,メールアドレス,電話番号,郵便番号,住所\r\n"
           "1,山田 花子,ヤマダ ハナコ,hanako@example.jp,03-1234-5678,〒100-0001,東京都千代田区千代田1-1\r\n"
           "2,鈴木 一郎,スズキ イチロウ,ichiro@example.jp,090-1111-2222,5300001,大阪府大阪市北区\r\n"
           "3,高橋 次郎,タカハシ ジロウ,taka@example.jp,0120-123-456,,\r\n")


def test_a_shift_jis_member_list_with_a_member_id_column_is_read_without_a_garbled_warning(tmp_path, capsys):
    # Japanese joins kanji to Latin letters in one word ("会員ID", member ID; "ID番号"): no sign
    # of a file read in the wrong code page.
    ws = tmp_path / "shop.omnidesk"
    for n, header in enumerate(("会員ID", "ID番号", "会員No")):
        members = tmp_path / f"members{n}.csv"
        members.write_bytes(MEMBERS.replace("会員ID", header).encode("shift_jis"))
        status, out, err = run_cli(capsys, "-w", ws, "import", members, "--region", "JP", "--dry-run", "--json")
        assert status == 0, err
        report = json.loads(out.splitlines()[0])
        assert not report.get("warnings"), report
