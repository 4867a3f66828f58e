"""More defects found in the import, each reproduced from a real file.

Error reports that lost a row's cells beyond the header, or gave back the writer's
apostrophes as data; a formula guard that let ``-1-1`` through; errors that said "a
header but no rows" of files that have rows; empty rows gone without a word and short
rows stored padded; Mac Roman, Latin-9 and EUC-JP files read in another code page;
"garbled" warnings on files read right; a preset forced on a file that is not its
format; and "nothing to report" said as an error.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from omnidesk.core.errors import UserError
from omnidesk.core.importing.pipeline import ImportOptions, analyze, import_file, run_to_end, write_error_report
from omnidesk.core.importing.sniff import UnreadableFileError, read_records, sniff
from omnidesk.core.workspace import Workspace
from tests.helpers import run_cli, write_csv


def read_report(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def stored(ws, *columns: str) -> list[tuple]:
    with ws.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(
            f"SELECT {', '.join(columns)} FROM source_record ORDER BY batch_id, record_no")]


def custom_field_names(ws) -> set[str]:
    with ws.engine.connect() as conn:
        return set(conn.exec_driver_sql("SELECT DISTINCT name FROM custom_field").scalars())


# A ragged file: a short row, a row with two extra cells, a one-cell row,
# a row of empty cells, an empty line.
RAGGED = ("First Name,Last Name,Email,Phone\r\n"
          "Ann,Able,ann.r@example.com,+14155550111\r\n"
          "Ben,Baker,ben.r@example.com\r\n"
          "Cat,Cole,cat.r@example.com,+14155550112,EXTRA1,EXTRA2\r\n"
          "Dan\r\n"
          ",,,\r\n"
          "\r\n"
          "Eve,Ede,eve.r@example.com,+14155550113\r\n")


# -- 1. an error report carries every cell of a row, those past the header too ---------------------


def test_the_error_report_keeps_the_extra_cells_and_the_fixed_row_brings_them_back(ws, tmp_path):
    f = tmp_path / "ragged.csv"
    f.write_text(RAGGED, encoding="utf-8")
    plan = analyze(ws, f)
    result = run_to_end(ws, plan)
    out = tmp_path / "errs.csv"
    write_error_report(out, [(plan, result)])
    header, *rows = read_report(out)
    assert header == ["First Name", "Last Name", "Email", "Phone", "omnidesk_extra_1", "omnidesk_extra_2",
                      "omnidesk_row", "omnidesk_problems", "omnidesk_batch"]
    cat = next(r for r in rows if r[0] == "Cat")
    assert cat[:6] == ["Cat", "Cole", "cat.r@example.com", "+14155550112", "EXTRA1", "EXTRA2"]

    # The report written again from the workspace is the same.
    from omnidesk.core.importing.batches import write_batch_error_report

    again = tmp_path / "again.csv"
    write_batch_error_report(ws, result.batch_id, again)
    assert read_report(again) == [header, *rows]

    # Fixed and imported, Cat's row replaces the original with every cell, and its extra
    # cells stay cells of the row (not new custom fields).
    fixed = tmp_path / "fixed.csv"
    write_csv(fixed, header, [[c.replace("cat.r@example.com", "cat.s@example.com") for c in r] for r in rows])
    import_file(ws, fixed)
    raw = [json.loads(r) for (r,) in stored(ws, "raw_json") if "cat.s@example.com" in r]
    assert len(raw) == 1 and raw[0][4:6] == ["EXTRA1", "EXTRA2"]
    assert not {n for n in custom_field_names(ws) if n.startswith("omnidesk")}


# -- 2. a report read back loses exactly the apostrophes its writer added ---------------------------


INJECTED_HEADER = ["First Name", "Last Name", "Email", "Phone", "=cmd|' /C calc'!A0", "@Loyalty", "+Points"]
INJECTED = [
    ["\t=2+2", "'=kept as typed", "bad@", "+1 415 555 0152", "=1+1", "@SUM(1+1)", "-1-1"],
    ["\r=2", "'t Hooft", "also-bad@", "12", "x", "-2", "+5"],
]


def test_a_fixed_report_gives_back_the_cells_and_headers_as_they_were_before_the_guard(ws, tmp_path):
    f = write_csv(tmp_path / "injected.csv", INJECTED_HEADER, INJECTED)
    plan = analyze(ws, f)
    result = run_to_end(ws, plan)
    report = tmp_path / "errs.csv"
    write_error_report(report, [(plan, result)])
    header, *rows = read_report(report)
    assert header[4:7] == ["'=cmd|' /C calc'!A0", "'@Loyalty", "'+Points"]  # still neutralised
    assert rows[0][:2] == ["'\t=2+2", "''=kept as typed"]

    fixed = tmp_path / "fixed.csv"
    fix = {"bad@": "good@example.com", "also-bad@": "also-good@example.com"}
    write_csv(fixed, header, [[fix.get(c, c) for c in r] for r in rows])
    fixed_plan = analyze(ws, fixed)
    assert list(fixed_plan.header[:7]) == INJECTED_HEADER
    run_to_end(ws, fixed_plan)
    names = custom_field_names(ws)
    assert not any(n.startswith("'") for n in names), names
    new = [json.loads(r) for (r,) in stored(ws, "raw_json") if "good@example.com" in r]
    assert [r[:7] for r in new] == [[fix.get(c, c) for c in row] for row in INJECTED]


def test_unguard_undoes_exactly_what_the_writer_added():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from omnidesk.core.exporting.csvsafe import safe_cell, unguard_cell

    @settings(max_examples=500, deadline=None)
    @given(st.text(st.sampled_from(list("'=@\t\r+-0123.,e a@b.co()")), max_size=10))
    def round_trip(cell):
        assert unguard_cell(safe_cell(cell)) == cell

    round_trip()
    assert unguard_cell("'t Hooft") == "'t Hooft" and unguard_cell("'123") == "'123"


# -- 3. only real numbers pass the formula guard -----------------------------------------------------


@pytest.mark.parametrize("cell", ["-1-1", "-1/2", "+1-555-0100", "-1 2", "+1.2.3", "-(1)"])
def test_arithmetic_is_guarded(cell):
    from omnidesk.core.exporting.csvsafe import safe_cell, safe_column

    assert safe_cell(cell) == "'" + cell
    assert safe_column([cell, "x"]) == ["'" + cell, "x"]


@pytest.mark.parametrize("cell", ["-12.50", "+14155550100", "-1,5", "+1e3", "-2.5E-3", "--03-07",
                                  "+1-555-shop@example.com", "-sales@example.com"])
def test_real_numbers_yearless_dates_and_addresses_stay(cell):
    from omnidesk.core.exporting.csvsafe import safe_cell, safe_column

    assert safe_cell(cell) == cell and safe_column([cell]) == [cell]


# -- 4. no "header but no rows" for files that have rows ---------------------------------------------


def test_utf16_named_for_a_utf8_file_says_the_bytes_do_not_fit(ws, tmp_path):
    f = tmp_path / "u8.csv"
    f.write_text("Email,First Name\r\nann@example.com,Ann\r\nbo@example.com,Bo\r\n", encoding="utf-8")
    with pytest.raises(UnreadableFileError) as caught:
        analyze(ws, f, ImportOptions(encoding="utf-16"))
    message = str(caught.value)
    assert "does not read as UTF-16" in message and "do not fit" in message and "a header but no rows" not in message


def test_a_first_row_of_only_commas_above_data_is_said_so(ws, tmp_path):
    f = tmp_path / "delims.csv"
    f.write_text(",,,,\r\nann.d@example.com,Ann,,,\r\n", encoding="utf-8")
    with pytest.raises(UnreadableFileError) as caught:
        analyze(ws, f)
    message = str(caught.value)
    assert "a header but no rows" not in message
    assert "first row (line 1) has only empty cells" in message and "ann.d@example.com" in message


def _zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _nested() -> bytes:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("inner.csv", "Email,First Name\nin@example.com,In\n")
    return inner.getvalue()


def test_a_zip_of_a_readme_and_a_zip_names_both_and_why(tmp_path, capsys):
    archive = _zip(tmp_path / "export.zip", {"nested.zip": _nested(), "readme.txt": "hello"})
    status, _, err = run_cli(capsys, "import", archive, "-w", tmp_path / "shop.omnidesk")
    assert status == 1 and "a header but no rows" not in err
    assert "nested.zip is an archive inside the archive" in err and "readme.txt is a text file" in err
    assert not (tmp_path / "shop.omnidesk").exists()

    # Beside a CSV the CSV is imported, and what was passed over is told.
    archive = _zip(tmp_path / "mixed.zip", {"nested.zip": _nested(), "readme.txt": "hello",
                                           "ok.csv": "Email,First Name\nok@example.com,Ok\n"})
    status, out, err = run_cli(capsys, "import", archive, "-w", tmp_path / "shop.omnidesk")
    assert status == 0 and "ok.csv" in out
    assert "mixed.zip: skipped nested.zip" in err and "mixed.zip: skipped readme.txt" in err


# -- 5. rows kept exactly as read; empty rows counted ------------------------------------------------


def test_a_short_row_is_stored_as_read_and_empty_rows_are_counted(ws, tmp_path):
    f = tmp_path / "ragged.csv"
    f.write_text(RAGGED, encoding="utf-8")
    result = import_file(ws, f)
    assert (result.rows, result.blank, result.blank_lines) == (5, 2, [6, 7])
    assert result.summary()["blank"] == 2
    assert any("2 empty rows skipped (lines 6, 7)" in note for note in result.skip_notes())
    raws = [json.loads(r) for (r,) in stored(ws, "raw_json")]
    assert raws[1] == ["Ben", "Baker", "ben.r@example.com"]
    assert raws[3] == ["Dan"]
    # Those who read a cell by its column still get one for every column.
    from omnidesk.core.profile import raw_record

    with ws.engine.connect() as conn:
        dan = conn.exec_driver_sql("SELECT id FROM source_record WHERE record_no = 4").scalar()
    assert raw_record(ws, dan) == [("First Name", "Dan"), ("Last Name", ""), ("Email", ""), ("Phone", "")]


def test_the_cli_line_and_notes_count_the_empty_rows(tmp_path, capsys):
    f = tmp_path / "ragged.csv"
    f.write_text(RAGGED, encoding="utf-8")
    status, out, err = run_cli(capsys, "import", f, "-w", tmp_path / "shop.omnidesk")
    assert status == 0 and "empty rows 2" in out
    assert "2 empty rows skipped (lines 6, 7)" in err


# -- 6. Mac Roman, Latin-9 and EUC-JP are read right --------------------------------------------------


MAC_PEOPLE = [["Renée", "Lefèvre", "renee@example.fr", "Besançon"], ["Jürgen", "Größe", "j@example.de", "Köln"],
              ["Iñaki", "Núñez", "inaki@example.es", "Málaga"], ["Zoë", "Brontë", "zoe@example.co.uk", "Hawes"],
              ["Hélène", "Dupré", "helene@example.fr", "Orléans"], ["Björn", "Schäfer", "b@example.de", "Weiß"]]


@pytest.mark.parametrize(("encoding", "people"), [
    ("mac_roman", MAC_PEOPLE),
    ("iso8859-15", [["Šárka", "Žil", "s@example.fr", "Prix 5€"], ["Renée", "Lefèvre", "r@example.fr", "Œuvre"]]),
    ("euc_jp", [["山田", "太郎", "taro@example.jp", "メール"], ["佐藤", "花子", "hanako@example.jp", "ジョージ"],
                ["鈴木", "一郎", "ichiro@example.jp", "東京都千代田区丸の内"]]),
])
def test_legacy_code_pages_read_right_without_a_warning(tmp_path, encoding, people):
    f = write_csv(tmp_path / "people.csv", ["First Name", "Last Name", "Email", "Note"], people, encoding=encoding)
    fmt = sniff(f)
    assert [list(r.values) for r in read_records(f, fmt)] == people
    assert not fmt.warnings


# -- 7. no "garbled" warning on files read right -------------------------------------------------------


@pytest.mark.parametrize(("encoding", "rows"), [
    ("cp932", [["スミス", "ジョージ", "george@example.jp", "Eメール"], ["ブラウン", "マーク", "mark@example.jp", "メール"],
               ["山田", "太郎", "taro@example.jp", "東京都"]]),
    ("cp1252", [["Jürgen", "Größe", "j@example.de", "“Quotes” ‘single’"],
                ["Iñaki", "Núñez", "i@example.es", "Señor… ½ price"], ["Renée", "Lefèvre", "r@example.fr", "€12,50"]]),
])
def test_katakana_long_vowels_and_curly_quotes_are_not_garbled(tmp_path, encoding, rows):
    f = write_csv(tmp_path / "people.csv", ["First Name", "Last Name", "Email", "Note"], rows, encoding=encoding)
    fmt = sniff(f)
    assert fmt.encoding == encoding
    assert not fmt.warnings, fmt.warnings


# -- 8. a preset forced on a file that is not its format ----------------------------------------------


def test_a_forced_preset_the_file_does_not_fit_is_refused_naming_what_is_missing(tmp_path, capsys):
    farm = write_csv(tmp_path / "farm.csv", ["Name", "Email"], [["Ann Lee", "ann@example.com"]])
    status, _, err = run_cli(capsys, "import", farm, "--preset", "shopify_orders", "-w", tmp_path / "w.omnidesk")
    assert status == 1
    assert "shopify_orders" in err and '"financial status"' in err and '"lineitem name"' in err
    assert "no preset matches it" in err
    assert not (tmp_path / "w.omnidesk").exists()

    # A Mailchimp file forced as Shopify's orders: the presets that match it are named.
    mailchimp = write_csv(tmp_path / "members.csv", ["Email Address", "First Name", "MEMBER_RATING", "OPTIN_TIME",
                                                     "CONFIRM_TIME", "LEID", "EUID"],
                          [["a@example.com", "A", "2", "", "2024-01-01 10:00:00", "1", "e1"]])
    status, _, err = run_cli(capsys, "import", mailchimp, "--preset", "shopify_orders", "-w", tmp_path / "w.omnidesk")
    assert status == 1 and "mailchimp_subscribed" in err

    # A Shopify orders file missing one of its columns is still read with the preset named.
    orders = write_csv(tmp_path / "orders.csv", ["Name", "Email", "Created at", "Lineitem name", "Total",
                                                 "Financial Status"],
                       [["#1", "ann@example.com", "2026-10-01 10:00", "Mug", "12.00", "paid"]])
    status, out, _ = run_cli(capsys, "import", orders, "--preset", "shopify_orders", "-w", tmp_path / "w.omnidesk")
    assert status == 0 and "shopify_orders events" in out


# -- 9. nothing to report is said, and is no error ----------------------------------------------------


def test_imports_errors_with_nothing_to_report_writes_nothing_and_exits_0(tmp_path, capsys):
    path = tmp_path / "shop.omnidesk"
    clean = write_csv(tmp_path / "clean.csv", ["Email", "First Name"], [["ann@example.com", "Ann"]])
    assert run_cli(capsys, "import", clean, "-w", path)[0] == 0
    out = tmp_path / "errs.csv"
    status, said, err = run_cli(capsys, "imports", "errors", "1", out, "-w", path)
    assert (status, err) == (0, "") and "nothing to report" in said
    assert not out.exists()

    broken = write_csv(tmp_path / "broken.csv", ["Email", "First Name"], [["bob@@example.com", "Bob"]])
    assert run_cli(capsys, "import", broken, "-w", path)[0] == 0
    report = tmp_path / "report.csv"
    assert run_cli(capsys, "imports", "errors", "2", report, "-w", path)[0] == 0
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(report.read_text(encoding="utf-8").replace("bob@@example.com", "bob@example.com"),
                     encoding="utf-8")
    assert run_cli(capsys, "import", fixed, "-w", path)[0] == 0
    status, said, err = run_cli(capsys, "imports", "errors", "2", out, "-w", path)
    assert (status, err) == (0, "") and "nothing left to fix" in said
    assert not out.exists()
    with Workspace.open(path) as ws:
        assert len(stored(ws, "id")) == 3


def test_writing_a_report_with_nothing_in_it_raises_nothing_to_report(ws, tmp_path):
    from omnidesk.core.importing.batches import NothingToReport, write_batch_error_report

    result = import_file(ws, write_csv(tmp_path / "clean.csv", ["Email"], [["ann@example.com"]]))
    with pytest.raises(NothingToReport):
        write_batch_error_report(ws, result.batch_id, tmp_path / "out.csv")
    assert isinstance(NothingToReport("x"), UserError) and not (tmp_path / "out.csv").exists()
