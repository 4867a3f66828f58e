"""What `omnidesk import` says about a path that is no CSV file: what it is, and what to do."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from omnidesk.cli import main
from omnidesk.core.importing.sniff import UnreadableFileError, check_regular_file, sniff
from omnidesk.core.text import printable

EXCEL = "is an Excel workbook: save it as CSV (File › Save As › CSV UTF-8) and import that."


def run(capsys, tmp_path, *files):
    status = main(["import", *map(str, files), "-w", str(tmp_path / "shop.omnidesk")])
    out, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1, err  # one line, whatever the name holds
    return status, out, err


def xlsx(path: Path) -> Path:
    """The smallest workbook Excel opens: the parts of an Office Open XML spreadsheet (ECMA-376)."""
    ns = "http://schemas.openxmlformats.org"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   f'<Types xmlns="{ns}/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels",
                   f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" '
                   'Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml",
                   f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}/spreadsheetml/2006/main" '
                   f'xmlns:r="{ns}/officeDocument/2006/relationships"><sheets>'
                   '<sheet name="Customers" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" '
                   'Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml",
                   f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}/spreadsheetml/2006/main">'
                   '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c></row>'
                   '<row r="2"><c r="A2" t="inlineStr"><is><t>ann@example.com</t></is></c></row>'
                   '</sheetData></worksheet>')
    return path


def xls(path: Path) -> Path:
    # A compound file (OLE2) header as Excel 97-2003 writes it: signature, minor/major
    # version 0x3E/3, little-endian byte order mark, 512-byte sectors.
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
              + b"\x06\x00" + b"\x00" * 10)
    path.write_bytes(header.ljust(512, b"\x00") + "W\0o\0r\0k\0b\0o\0o\0k\0".encode().ljust(512, b"\x00"))
    return path


@pytest.mark.parametrize("make", [xlsx, xls])
def test_an_excel_workbook_renamed_csv_says_so(tmp_path, capsys, make):
    f = make(tmp_path / "customers.csv")
    status, out, err = run(capsys, tmp_path, f)
    assert status == 1 and out == ""
    assert err == f'omnidesk: error: "customers.csv" {EXCEL}\n'


def test_an_xlsx_with_its_own_name_says_the_same(tmp_path, capsys):
    status, _, err = run(capsys, tmp_path, xlsx(tmp_path / "customers.xlsx"))
    assert status == 1 and EXCEL in err


def test_a_folder_is_not_a_regular_file(tmp_path, capsys):
    folder = tmp_path / "exports"
    folder.mkdir()
    status, _, err = run(capsys, tmp_path, folder)
    assert status == 1
    assert err == ('omnidesk: error: "exports" is not a regular file (it is a folder); '
                   "pick the CSV files inside it.\n")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_named_pipe_is_not_a_regular_file_and_is_never_opened(tmp_path, capsys):
    pipe = tmp_path / "leads.csv"
    os.mkfifo(pipe)  # opening it to read would wait for a writer forever
    status, _, err = run(capsys, tmp_path, pipe)
    assert status == 1 and '"leads.csv" is not a regular file (it is a named pipe (FIFO))' in err


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs a device file")
def test_a_link_to_a_device_is_not_a_regular_file(tmp_path, capsys):
    link = tmp_path / "contacts.csv"
    link.symlink_to("/dev/null")
    status, _, err = run(capsys, tmp_path, link)
    assert status == 1
    assert '"contacts.csv" is not a regular file (it is a link to /dev/null, a device)' in err
    assert "no such file" not in err


def test_a_broken_link_and_a_missing_file_are_missing(tmp_path, capsys):
    link = tmp_path / "old.csv"
    link.symlink_to(tmp_path / "moved-away.csv")
    status, _, err = run(capsys, tmp_path, link)
    assert status == 1 and "moved-away.csv, which does not exist" in err
    status, _, err = run(capsys, tmp_path, tmp_path / "never.csv")
    assert status == 1 and err.endswith("never.csv: no such file\n")


def test_control_characters_in_a_file_name_are_printed_escaped(tmp_path, capsys):
    name = "list\x1b[2J\n\u202eevil.csv"
    f = tmp_path / name
    f.write_bytes(b"")
    status, _, err = run(capsys, tmp_path, f)
    assert status == 1
    assert err == 'omnidesk: error: "list\\x1b[2J\\n\\u202eevil.csv" is empty, so there is nothing to import; ' \
                  "export the file again and check it has rows.\n"


def test_a_good_file_with_a_control_character_in_its_name_reports_escaped(tmp_path, capsys):
    f = tmp_path / "shop\x07.csv"
    f.write_text("Email,Name\nann@example.com,Ann\n", encoding="utf-8")
    status = main(["import", str(f), "-w", str(tmp_path / "shop.omnidesk")])
    out, _ = capsys.readouterr()
    assert status == 0 and out.startswith("shop\\x07.csv: generic contacts") and "\x07" not in out


def test_the_core_check_used_by_the_wizard(tmp_path):
    folder = tmp_path / "dir.csv"
    folder.mkdir()
    with pytest.raises(UnreadableFileError, match=r"is not a regular file \(it is a folder\)"):
        sniff(folder)
    ok = tmp_path / "ok.csv"
    ok.write_text("a,b\n1,2\n")
    check_regular_file(ok)


def test_printable_escapes_only_control_characters():
    assert printable("Zoë Ölund – клиенты 顧客.csv") == "Zoë Ölund – клиенты 顧客.csv"
    assert printable("a\tb\rc\x7f\x85\u2028\udcff") == "a\\tb\\rc\\x7f\\x85\\u2028\\udcff"


def test_a_file_with_a_header_and_no_rows_is_said_so_and_not_recorded(tmp_path, capsys):
    # Mailchimp's audience export of an empty list: the header, then nothing.
    header_only = tmp_path / "subscribed_members_export.csv"
    header_only.write_text("Email Address,First Name,Last Name,OPTIN_TIME\r\n", encoding="utf-8")
    status, _, err = run(capsys, tmp_path, header_only)
    assert status == 1
    assert err == ('omnidesk: error: "subscribed_members_export.csv" has a header but no rows, so there is '
                   "nothing to import; export the file again and check it has rows.\n")
    assert not (tmp_path / "shop.omnidesk").exists()  # nothing imported: no workspace made for it
    # Beside a file with rows: that one is imported (and listed), the empty one is not.
    rows = tmp_path / "contacts.csv"
    rows.write_text("Email,First Name\nann@example.com,Ann\n", encoding="utf-8")
    assert main(["import", str(header_only), str(rows), "-w", str(tmp_path / "shop.omnidesk"), "--json"]) == 1
    out, _ = capsys.readouterr()
    results = [json.loads(line) for line in out.splitlines()]
    assert results[0]["file"] == "subscribed_members_export.csv" and "no rows" in results[0]["error"]
    assert results[1]["file"] == "contacts.csv" and results[1]["batch_id"] is not None
    assert main(["imports", "list", "--json", "-w", str(tmp_path / "shop.omnidesk")]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [b["file_name"] for b in listed] == ["contacts.csv"]
