"""Defects found in the CSV import, each imported through ``import_file`` from a real file.

US dates beside an ISO date, a file without a header row, a file name that is not valid
UTF-8, an import killed half way, Japanese, Chinese and Korean headers, a list of people
with no column naming anyone, and Square's yearless birthdays.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from omnidesk.core.errors import UserError
from omnidesk.core.importing.batches import list_batches, undo_batch
from omnidesk.core.importing.pipeline import ImportOptions, analyze, import_file
from omnidesk.core.importing.sniff import UnreadableFileError
from tests.helpers import write_csv

ROOT = Path(__file__).resolve().parents[2]


def records(ws, *columns: str) -> list[tuple]:
    with ws.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(
            f"SELECT {', '.join(columns)} FROM source_record ORDER BY record_no")]


def stored_nothing(ws) -> bool:
    with ws.engine.connect() as conn:
        return not any(conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()
                       for t in ("import_batch", "source_record", "customer", "custom_field"))


# -- 1. day/month order: an ISO date says nothing about the dates written with the year last --------


BIRTHDAYS = (["First Name", "Last Name", "Email", "Birthday"],
             [["Iso", "Row", "iso.d@example.com", "1985-12-25"],
              ["Ann", "March", "ann.d@example.com", "03/07/1990"],
              ["Ben", "April", "ben.d@example.com", "04/05/1980"]])


@pytest.mark.parametrize("region", [None, "US"])
def test_us_dates_beside_an_iso_date_are_read_month_first_and_said_to_be_a_guess(ws, tmp_path, region):
    f = write_csv(tmp_path / "birthdays.csv", *BIRTHDAYS)
    options = ImportOptions(region=region)
    assert any("Dates in column 'Birthday' could be day/month or month/day" in w and "month-first (MDY)" in w
               for w in analyze(ws, f, options).warnings)
    import_file(ws, f, options)
    # Before: 1990-07-03 and 1980-05-04, day-first, with no word of it.
    assert records(ws, "birthday") == [("1985-12-25",), ("1990-03-07",), ("1980-04-05",)]


def test_dates_beside_an_iso_date_follow_their_own_evidence_else_the_region(ws, make_workspace, tmp_path):
    header, rows = BIRTHDAYS
    f = write_csv(tmp_path / "uk.csv", header, rows)
    import_file(ws, f, ImportOptions(region="GB"))
    assert records(ws, "birthday") == [("1985-12-25",), ("1990-07-03",), ("1980-05-04",)]
    proven = write_csv(tmp_path / "proven.csv", header, [*rows, ["Cy", "Day", "cy.d@example.com", "25/12/1970"]])
    other = make_workspace("other.omnidesk")
    import_file(other, proven, ImportOptions(region="US"))  # 25/12 proves day-first, whatever the region
    assert records(other, "birthday")[1:] == [("1990-07-03",), ("1980-05-04",), ("1970-12-25",)]


SQUARE = ["Reference ID", "First Name", "Last Name", "Email Address", "Phone Number", "Birthday",
          "Square Customer ID", "Creation Source", "First Visit", "Last Visit", "Transaction Count",
          "Lifetime Spend", "Email Subscription Status"]


def square_row(n: int, first: str, birthday: str) -> list[str]:
    return ["", first, "Sq", f"sq{n}@example.com", "", birthday, f"SQ{n}", "Directory", "1/15/2023",
            "1/16/2023", "1", "$1.00", "subscribed"]


def test_a_square_birthday_with_the_year_last_is_not_read_day_first_beside_yearless_ones(ws, tmp_path):
    f = write_csv(tmp_path / "square.csv", SQUARE,
                  [square_row(1, "Iso", "1990-03-07"), square_row(2, "Us", "03-07-1990"),
                   square_row(3, "Zero", "0000-03-07")])
    assert import_file(ws, f, ImportOptions(region="US")).preset == "square"
    assert records(ws, "birthday")[1] == ("1990-03-07",)  # before: 1990-07-03


# -- 7. Square's yearless birthdays ------------------------------------------------------------------


def test_square_yearless_birthdays_are_read_as_yearless_birthdays(ws, tmp_path):
    f = write_csv(tmp_path / "square.csv", SQUARE,
                  [square_row(1, "Dash", "03-07"), square_row(2, "Zero", "0000-03-07"),
                   square_row(3, "Slash", "03/07"), square_row(4, "Late", "12-25")])
    result = import_file(ws, f, ImportOptions(region="GB"))  # Square writes MM-DD in any country
    # Before: "not a recognisable date: 03-07" and "not a real calendar date: 0000-03-07", flagged.
    assert result.flagged == 0, [r.problems for r in result.flagged_rows]
    assert [b for b, in records(ws, "birthday")] == ["--03-07", "--03-07", "--07-03", "--12-25"]


# -- 2. a file without a header row -------------------------------------------------------------------


@pytest.mark.parametrize("rows", [
    ["Ann,Able,ann.nh@example.com,+14155550170", "Ben,Baker,ben.nh@example.com,+14155550171",
     "Cat,Cole,cat.nh@example.com,+14155550172"],
    ["Ann,Able,(415) 555-0170", "Ben,Baker,(415) 555-0171"],
    ["Ann,19.99,5.00", "Ben,20.00,6.50"],
])
def test_a_file_without_a_header_row_is_refused_before_anything_is_stored(ws, tmp_path, rows):
    f = tmp_path / "no_header.csv"
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(UnreadableFileError) as caught:
        import_file(ws, f)  # before: imported, the first row taken for the column names
    assert str(caught.value).startswith('"no_header.csv" has no header row: its first row (line 1) holds data')
    assert stored_nothing(ws)


@pytest.mark.parametrize("header", [["Name", "2021", "2022", "2023"], ["Email", "2021-2022", "2022-23"],
                                    ["Email", "2024-03-01", "2024-03-02"], ["Email", "Code", "1234567"]])
def test_a_header_naming_years_dates_or_codes_stays_the_header(ws, tmp_path, header):
    f = write_csv(tmp_path / "pivot.csv", header, [["ann@example.com", "1", "2", "3"][: len(header)]])
    assert import_file(ws, f).rows == 1


# -- 3. a file name that is not valid UTF-8 -----------------------------------------------------------


@pytest.mark.skipif(sys.platform != "linux", reason="a file name of any bytes is Linux's")
@pytest.mark.parametrize("dry_run", [False, True])
def test_a_file_name_that_is_not_utf8_is_stored_and_shown_escaped(ws, tmp_path, dry_run):
    name = os.fsdecode(b"caf\xe9 list.csv")  # Latin-1 "é" in a UTF-8 system: a lone surrogate in Python
    f = write_csv(tmp_path / name, ["Email", "Name"], [["ann@example.com", "Ann"]])
    result = import_file(ws, f, dry_run=dry_run)  # before: UnicodeEncodeError, "surrogates not allowed"
    assert result.file_name == "caf\\udce9 list.csv"
    assert [b["file_name"] for b in list_batches(ws)] == ([] if dry_run else ["caf\\udce9 list.csv"])


@pytest.mark.skipif(sys.platform != "linux", reason="a file name of any bytes is Linux's")
def test_a_dry_run_of_a_file_name_that_is_not_utf8_into_no_workspace_says_what_it_would_do(tmp_path):
    from omnidesk.core.importing.driver import ImportRequest, import_files
    from omnidesk.core.tasks import run_to_completion

    f = write_csv(tmp_path / os.fsdecode(b"\xe9t\xe9.csv"), ["Email"], [["ann@example.com"]])
    run = run_to_completion(import_files(None, [ImportRequest(f)], dry_run=True))
    assert run.failures == []
    assert [(r.file_name, r.imported) for r in run.results] == [("\\udce9t\\udce9.csv", 1)]


# -- 4. an import whose process was killed --------------------------------------------------------------

_KILLED_HALF_WAY = """
import os, sys
from omnidesk.core.importing.pipeline import analyze, run_import
from omnidesk.core.workspace import Workspace

ws = Workspace.open(sys.argv[1])
steps = run_import(ws, analyze(ws, sys.argv[2]))
next(steps)  # announced, and writing in its transaction
os.kill(os.getpid(), 9)
"""


def test_an_import_killed_half_way_is_listed_interrupted_and_not_undone(ws, tmp_path):
    import_file(ws, write_csv(tmp_path / "first.csv", ["Email"], [["ann@example.com"]]))
    big = write_csv(tmp_path / "big.csv", ["Email", "Name"], [[f"p{i}@example.com", f"P{i}"] for i in range(50)])
    child = subprocess.run([sys.executable, "-c", _KILLED_HALF_WAY, str(ws.path), str(big)], cwd=ROOT,
                           capture_output=True, text=True, timeout=300, check=False)
    assert child.returncode == -9, child.stderr
    # Before: "running", until the next import, and "Import 2 is running" when undone.
    assert [(b["file_name"], b["status"], b["rows"], b["imported"]) for b in list_batches(ws)] == [
        ("big.csv", "interrupted", 0, 0), ("first.csv", "done", 1, 1)]
    assert ws.running_import() is None
    batch = list_batches(ws)[0]["id"]
    with pytest.raises(UserError, match=f"^Import {batch} was interrupted .* nothing to undo"):
        undo_batch(ws, batch)
    assert ws.counts()["source_records"] == 1
    assert ws.counts()["imports"] == 1  # `info`: the killed one is no import
    import_file(ws, write_csv(tmp_path / "next.csv", ["Email"], [["bo@example.com"]]))
    assert [(b["file_name"], b["status"]) for b in list_batches(ws)] == [("next.csv", "done"), ("first.csv", "done")]


# -- 5. Japanese, Chinese and Korean headers -------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "header", "row", "region", "expected"), [
    ("shift_jis", ["姓", "名", "メールアドレス", "電話番号", "住所", "郵便番号", "生年月日"],
     ["山田", "太郎", "taro@example.jp", "03-1234-5678", "千代田1-1", "100-0001", "1990/03/07"], "JP",
     {"last_name": "山田", "first_name": "太郎", "phone": "+81312345678", "address": "千代田1-1",
      "postcode": "100-0001", "birthday": "1990-03-07"}),
    ("gb18030", ["姓名", "电子邮件", "电话", "城市"],
     ["王小明", "wang@example.cn", "+86 138 0013 8000", "北京"], "CN",
     {"full_name": "王小明", "phone": "+8613800138000", "city": "北京"}),
    ("big5", ["姓名", "電子郵件", "手機", "地址"],
     ["王小明", "wang@example.tw", "+886 912 345 678", "信義路1號"], "TW",
     {"full_name": "王小明", "phone": "+886912345678", "address": "信義路1號"}),
    ("euc-kr", ["이름", "이메일", "전화번호", "우편번호"],
     ["김민수", "kim@example.kr", "+82 10-1234-5678", "04524"], "KR",
     {"full_name": "김민수", "phone": "+821012345678", "postcode": "04524"}),
    # 이름 beside 성 (the family name) is the given name
    ("euc-kr", ["성", "이름", "이메일", "휴대폰 번호"],
     ["김", "민수", "kim@example.kr", "010-1234-5678"], "KR",
     {"last_name": "김", "first_name": "민수", "phone": "+821012345678"}),
])
def test_cjk_headers_name_their_fields(ws, tmp_path, encoding, header, row, region, expected):
    f = write_csv(tmp_path / "people.csv", header, [row], encoding=encoding)
    result = import_file(ws, f, ImportOptions(region=region))
    assert result.flagged == 0, [r.problems for r in result.flagged_rows]
    # Before: the names, phones and addresses were custom fields named after their headers.
    assert dict(zip(expected, records(ws, *expected)[0])) == expected
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM custom_field").scalar() == 0


# -- 6. a list of people with no column naming anyone ---------------------------------------------------


def test_a_list_with_no_column_naming_anyone_is_refused_before_anything_is_stored(ws, tmp_path):
    f = tmp_path / "abc.csv"
    f.write_bytes(b"a,b,c\n1,2,3\n")
    plan = analyze(ws, f)
    assert any(w.startswith("No column of this file was recognised") and "--preset" in w for w in plan.warnings)
    for dry_run in (False, True):
        with pytest.raises(UserError) as caught:
            import_file(ws, f, dry_run=dry_run)  # before: imported, its one row skipped as nobody
        message = str(caught.value)
        assert message.startswith('"abc.csv" was not imported: no column of it was recognised as a name, email, '
                                  "phone or customer ID")
        assert "\n" not in message and "--preset" in message and "import wizard" in message
        assert stored_nothing(ws)
    # Said what the columns hold, it imports.
    result = import_file(ws, f, ImportOptions(mapping=["external_id", "ignore", "ignore"]))
    assert (result.imported, result.skipped) == (1, 0)
