"""Tests for omnidesk.core.importing.sniff, on real files with real bytes."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import tempfile
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from omnidesk.core.importing.sniff import (
    FileFormat,
    Record,
    UnreadableFileError,
    file_sha256,
    preview,
    read_records,
    sniff,
)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def records(path: Path) -> list[Record]:
    return list(read_records(path, sniff(path)))


def refuse(path: Path) -> str:
    """Sniff (and read) ``path`` expecting it to be refused; return the message."""
    with pytest.raises(UnreadableFileError) as info:
        list(read_records(path, sniff(path)))
    message = str(info.value)
    # One sentence for the user that names the file.
    assert message.startswith(f'"{path.name}"'), message
    assert message.endswith("."), message
    assert ". " not in message.rstrip(".") and "\n" not in message, message
    return message


# --------------------------------------------------------------------------
# encodings
# --------------------------------------------------------------------------


def test_plain_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, "shop.csv", "Email,First Name,City\r\nzoe@example.com,Zoë,Köln\r\n".encode())
    fmt = sniff(path)
    assert fmt == FileFormat("utf-8", "UTF-8", ",", ("Email", "First Name", "City"), 1)
    assert records(path) == [Record(1, 2, ("zoe@example.com", "Zoë", "Köln"), None)]


def test_utf8_with_bom_strips_bom_from_header(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.csv", codecs.BOM_UTF8 + "Email,Name\na@example.com,Ana\n".encode())
    fmt = sniff(path)
    assert (fmt.encoding, fmt.encoding_label) == ("utf-8-sig", "UTF-8 with BOM")
    assert fmt.header == ("Email", "Name")
    assert records(path)[0].values == ("a@example.com", "Ana")


META_LEADS = (
    "id\tcreated_time\tad_name\tplatform\temail\tfull_name\tphone_number\tzip_code\r\n"
    "l:1234\t2024-03-01T10:22:11+0000\tSpring 🌷\tig\tzoe@example.com\tZoë Ölund\tp:+15555550100\tz:02134\r\n"
    "l:1235\t2024-03-02T08:00:00+0000\tSpring 🌷\tfb\tjo@example.com\tJo Park\tp:+15555550101\tz:10001\r\n"
)


@pytest.mark.parametrize(
    ("bom", "codec", "label"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"),
    ],
)
def test_utf16_with_bom_and_tabs_like_meta_lead_download(tmp_path: Path, bom: bytes, codec: str, label: str) -> None:
    path = write(tmp_path, "leads.csv", bom + META_LEADS.encode(codec))
    fmt = sniff(path)
    assert (fmt.encoding, fmt.encoding_label, fmt.delimiter, fmt.header_line) == (codec, label, "\t", 1)
    assert fmt.header[0] == "id"  # no U+FEFF left on the first column name
    rows = records(path)
    assert [r.values[5] for r in rows] == ["Zoë Ölund", "Jo Park"]
    assert rows[0].values[2] == "Spring 🌷"
    assert rows[1] == Record(2, 3, tuple(META_LEADS.split("\r\n")[2].split("\t")), None)


@pytest.mark.parametrize(("codec", "expected"), [("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be")])
def test_utf16_without_bom_found_by_zero_bytes(tmp_path: Path, codec: str, expected: str) -> None:
    path = write(tmp_path, "nobom.csv", "email\tname\r\na@example.com\tAl\r\n".encode(codec))
    fmt = sniff(path)
    assert (fmt.encoding, fmt.delimiter, fmt.header) == (expected, "\t", ("email", "name"))
    assert records(path)[0].values == ("a@example.com", "Al")


def test_cp1252_outlook_export(tmp_path: Path) -> None:
    text = 'First Name,Last Name,Notes\r\nRené,Dupré,"Paid 20€ – thanks"\r\n'
    path = write(tmp_path, "outlook.csv", text.encode("cp1252"))
    fmt = sniff(path)
    assert (fmt.encoding, fmt.encoding_label) == ("cp1252", "Windows-1252")
    assert records(path)[0].values == ("René", "Dupré", "Paid 20€ – thanks")


def test_cp1252_undefined_bytes_are_kept_as_latin1(tmp_path: Path) -> None:
    # 0x81 and 0x9D have no cp1252 character; they must survive, not vanish.
    path = write(tmp_path, "odd.csv", b"Name,Code\r\nCaf\xe9,A\x81B\x9d\r\n")
    assert sniff(path).encoding == "cp1252"
    assert records(path)[0].values == ("Café", "A\x81B\x9d")


def test_whole_file_is_checked_for_utf8_not_just_the_start(tmp_path: Path) -> None:
    lines = ["Name,Note"] + [f"n{i},plain ascii text here" for i in range(80_000)] + ["Zoé,last"]
    data = "\r\n".join(lines).encode("cp1252")
    assert len(data) > 2 * (1 << 20)  # the odd byte is in the third read chunk
    path = write(tmp_path, "late.csv", data)
    assert sniff(path).encoding == "cp1252"
    assert records(path)[-1].values == ("Zoé", "last")


def test_utf8_character_split_across_read_chunks_is_still_utf8(tmp_path: Path) -> None:
    head = b"Name,Note\n" + b"x," + b"a" * 997 + b"\n" * 1  # 1,000-byte rows
    head += (b"x," + b"a" * 997 + b"\n") * 1_047
    head += b"x," + b"a" * ((1 << 20) - 1 - len(head) - 3) + b"\n"
    data = head + "é,€\n".encode()
    # The two bytes of "é" straddle the 1 MiB chunk boundary.
    assert data[(1 << 20) - 1 : (1 << 20) + 1] == "é".encode()
    path = write(tmp_path, "straddle.csv", data)
    assert sniff(path).encoding == "utf-8"
    assert records(path)[-1].values == ("é", "€")


def test_long_unquoted_value_under_the_cell_limit_is_read(tmp_path: Path) -> None:
    # Past the csv module's own default limit (131,072), far under the cell limit.
    path = write(tmp_path, "long.csv", b"Name,Note\nAl," + b"a" * 300_000 + b"\nBo,ok\n")
    assert records(path) == [Record(1, 2, ("Al", "a" * 300_000), None), Record(2, 3, ("Bo", "ok"), None)]


def test_utf8_bom_with_a_non_utf8_line_reads_that_line_in_its_code_page_and_flags_it(tmp_path: Path) -> None:
    path = write(tmp_path, "mixed.csv", codecs.BOM_UTF8 + b"Name\r\nAl\r\nRen\xe9\r\n")
    fmt = sniff(path)
    assert (fmt.encoding, fmt.fallback) == ("utf-8-sig", "cp1252")
    assert any("line 3" in w for w in fmt.warnings)
    assert records(path) == [
        Record(1, 2, ("Al",), None),
        Record(2, 3, ("René",), "line 3 was not UTF-8; read as Windows-1252"),
    ]


# --------------------------------------------------------------------------
# delimiters, sep= lines, title rows, header
# --------------------------------------------------------------------------


def test_european_excel_with_sep_line(tmp_path: Path) -> None:
    text = "sep=;\r\nNom;Prénom;Total dépensé;Inscrit le\r\nDurand;Éloïse;1.234,50 €;07/03/2024\r\n\r\nMartin;Luc;12,00 €;31/12/2023\r\n"
    path = write(tmp_path, "export.csv", text.encode("cp1252"))
    fmt = sniff(path)
    assert (fmt.delimiter, fmt.header_line, fmt.encoding) == (";", 2, "cp1252")
    assert fmt.header == ("Nom", "Prénom", "Total dépensé", "Inscrit le")
    assert records(path) == [
        Record(1, 3, ("Durand", "Éloïse", "1.234,50 €", "07/03/2024"), None),
        Record(2, 5, ("Martin", "Luc", "12,00 €", "31/12/2023"), None),
    ]


def test_semicolons_win_over_decimal_commas(tmp_path: Path) -> None:
    rows = "".join(f"Kunde {i};{i},50;{i % 7},25\n" for i in range(30))
    path = write(tmp_path, "de.csv", ("Name;Umsatz;Rabatt\n" + rows).encode())
    fmt = sniff(path)
    assert fmt.delimiter == ";"
    assert fmt.header == ("Name", "Umsatz", "Rabatt")


def test_commas_win_over_semicolons_inside_cells(tmp_path: Path) -> None:
    rows = "".join(f"n{i},n{i}@example.com,vip;wholesale\n" for i in range(20))
    path = write(tmp_path, "tags.csv", ("Name,Email,Tags\n" + rows).encode())
    assert sniff(path).delimiter == ","


def test_pipes(tmp_path: Path) -> None:
    path = write(tmp_path, "till.txt", b"Name|Phone|Spent\nAl|555-0100|3,50\nBo|555-0101|4,00\n")
    fmt = sniff(path)
    assert (fmt.delimiter, fmt.header) == ("|", ("Name", "Phone", "Spent"))
    assert records(path)[1].values == ("Bo", "555-0101", "4,00")


def test_tie_in_consistency_goes_to_more_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "tie.csv", b"a,b;c,d\n1,2;3,4\n5,6;7,8\n")
    fmt = sniff(path)
    assert (fmt.delimiter, fmt.header) == (",", ("a", "b;c", "d"))


def test_single_column_file(tmp_path: Path) -> None:
    path = write(tmp_path, "emails.csv", b"Email\na@example.com\nb@example.com\n")
    fmt = sniff(path)
    assert (fmt.delimiter, fmt.header) == (",", ("Email",))
    assert [r.values for r in records(path)] == [("a@example.com",), ("b@example.com",)]


def test_title_rows_before_header_are_skipped(tmp_path: Path) -> None:
    text = "Customer list\nExported 2024-03-01 by the till\n\nName,Email,Phone\nAl,al@example.com,555\nBo,bo@example.com,556\n"
    path = write(tmp_path, "titled.csv", text.encode())
    fmt = sniff(path)
    assert (fmt.header_line, fmt.header) == (4, ("Name", "Email", "Phone"))
    assert records(path) == [
        Record(1, 5, ("Al", "al@example.com", "555"), None),
        Record(2, 6, ("Bo", "bo@example.com", "556"), None),
    ]


def test_excel_padded_title_row_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "padded.csv", b"Clients 2024;;;\r\nNom;Email;Ville;Code\r\nA;a@example.com;Lyon;69001\r\n")
    fmt = sniff(path)
    assert (fmt.delimiter, fmt.header_line, fmt.header) == (";", 2, ("Nom", "Email", "Ville", "Code"))


def test_data_rows_ending_in_a_delimiter_keep_the_real_header(tmp_path: Path) -> None:
    rows = "".join(f"n{i},n{i}@example.com,555-01{i:02d},Lyon,\n" for i in range(20))
    path = write(tmp_path, "trailing.csv", ("Name,Email,Phone,City\n" + rows).encode())
    fmt = sniff(path)
    assert (fmt.header_line, fmt.header) == (1, ("Name", "Email", "Phone", "City"))
    assert records(path)[0] == Record(1, 2, ("n0", "n0@example.com", "555-0100", "Lyon"), None)


def test_header_cells_are_trimmed(tmp_path: Path) -> None:
    path = write(tmp_path, "spaces.csv", ' Email ,"\ufeffName"\t,Phone\na,b,c\n'.encode())
    assert sniff(path).header == ("Email", "Name", "Phone")


def test_leading_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "blank.csv", b"\r\n  \r\nName,Email\r\nAl,a@example.com\r\n")
    fmt = sniff(path)
    assert fmt.header_line == 3
    assert records(path) == [Record(1, 4, ("Al", "a@example.com"), None)]


@pytest.mark.parametrize(
    "first_row",
    ["a@example.com,b@example.com", "12,3.50,7", "2024-01-02,03/04/2024", "+1 555 555 0100,Bob@example.com"],
)
def test_file_without_header_row_is_refused(tmp_path: Path, first_row: str) -> None:
    path = write(tmp_path, "data.csv", f"{first_row}\n{first_row}\n".encode())
    assert "no header row" in refuse(path)


# --------------------------------------------------------------------------
# records
# --------------------------------------------------------------------------


def test_quoted_newlines_blank_lines_and_line_numbers(tmp_path: Path) -> None:
    text = (
        'Name,Note,Email\r\n'
        'Al,"first line\r\nsecond line",al@example.com\r\n'
        '\r\n'
        ',,\r\n'
        'Bo,"says ""hi"", then leaves",bo@example.com\r\n'
        'Cy,"a\nb\nc",cy@example.com\r\n'
    )
    path = write(tmp_path, "notes.csv", text.encode())
    assert records(path) == [
        Record(1, 2, ("Al", "first line\r\nsecond line", "al@example.com"), None),
        Record(2, 6, ("Bo", 'says "hi", then leaves', "bo@example.com"), None),
        Record(3, 7, ("Cy", "a\nb\nc", "cy@example.com"), None),
    ]


def test_old_mac_line_endings(tmp_path: Path) -> None:
    path = write(tmp_path, "mac.csv", b"Name,Email\rAl,a@example.com\rBo,b@example.com\r")
    assert [(r.number, r.line) for r in records(path)] == [(1, 2), (2, 3)]


def test_ragged_rows_are_padded_or_kept_with_a_problem(tmp_path: Path) -> None:
    text = "A,B,C,D,E\n1,2,3,4,5\n1,2,3\n1,2,3,4,5,6,7\n1,2,3,4,5,,,\n"
    path = write(tmp_path, "ragged.csv", text.encode())
    assert records(path) == [
        Record(1, 2, ("1", "2", "3", "4", "5"), None),
        Record(2, 3, ("1", "2", "3", "", ""), "has 3 values, header has 5"),
        Record(3, 4, ("1", "2", "3", "4", "5", "6", "7"), "has 7 values, header has 5: extra values kept"),
        Record(4, 5, ("1", "2", "3", "4", "5"), None),
    ]


def test_preview_stops_after_n(tmp_path: Path) -> None:
    path = write(tmp_path, "many.csv", ("Name\n" + "".join(f"n{i}\n" for i in range(100))).encode())
    fmt = sniff(path)
    shown = preview(path, fmt, n=5)
    assert [r.values[0] for r in shown] == ["n0", "n1", "n2", "n3", "n4"]
    assert len(preview(path, fmt)) == 20
    assert preview(write(tmp_path, "one.csv", b"Name\nAl\n"), sniff(tmp_path / "one.csv")) == [
        Record(1, 2, ("Al",), None)
    ]


def test_file_sha256_matches_hashlib(tmp_path: Path) -> None:
    data = b"Name\n" + bytes(range(256)) * 9000
    path = write(tmp_path, "x.bin", data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------
# refused files
# --------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"   \r\n\n\t \r\n", b"\xef\xbb\xbf", b"\xff\xfe\r\x00\n\x00"])
def test_empty_files_are_refused(tmp_path: Path, data: bytes) -> None:
    assert "empty" in refuse(write(tmp_path, "empty.csv", data))


def test_file_of_only_separators_is_refused(tmp_path: Path) -> None:
    assert "empty rows" in refuse(write(tmp_path, "seps.csv", b",,,\r\n,,,\r\n\r\n,,,\r\n"))


def test_punctuation_is_not_a_header(tmp_path: Path) -> None:
    assert "no header row" in refuse(write(tmp_path, "dashes.csv", b"---;***\r\nAl;a@example.com\r\n"))


def test_binary_file_is_refused(tmp_path: Path) -> None:
    message = refuse(write(tmp_path, "data.csv", bytes(range(256)) * 4))
    assert "binary" in message


def test_nul_byte_far_into_a_text_file_is_refused(tmp_path: Path) -> None:
    data = b"Name,Email\n" + b"Al,al@example.com\n" * 10_000 + b"Bo\x00,b@example.com\n"
    assert "binary" in refuse(write(tmp_path, "late_nul.csv", data))


def test_zip_archive_is_refused_with_its_csv_files_named(tmp_path: Path) -> None:
    path = tmp_path / "audience.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("subscribed_members_export.csv", "Email Address\na@example.com\n")
        z.writestr("unsubscribed_members_export.csv", "Email Address\nb@example.com\n")
    message = refuse(path)
    assert "ZIP archive" in message and "extract" in message
    assert "subscribed_members_export.csv" in message


def test_xlsx_is_refused_with_save_as_csv_advice(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"  # the extension lies; the bytes do not
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    message = refuse(path)
    assert "Excel workbook" in message and "CSV" in message


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "JPEG image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "is an Excel workbook: save it as CSV"),
        (b"\xff\xfe\x00\x00N\x00\x00\x00", "UTF-32"),
        (b"SQLite format 3\x00\x10\x00\x02\x02\x00@  ", "is a database (an omnidesk workspace"),
    ],
)
def test_known_binary_formats_are_named(tmp_path: Path, data: bytes, what: str) -> None:
    assert what in refuse(write(tmp_path, "upload.csv", data))


def test_utf16_with_odd_byte_count_is_truncated(tmp_path: Path) -> None:
    data = codecs.BOM_UTF16_LE + "email\tname\r\na@example.com\tAl\r\n".encode("utf-16-le")
    assert "cut off" in refuse(write(tmp_path, "cut.csv", data[:-1]))


def test_utf16_ending_in_unpaired_surrogate_is_truncated(tmp_path: Path) -> None:
    full = codecs.BOM_UTF16_LE + "email\tname\r\na@example.com\tAl 😀".encode("utf-16-le")
    cut = full[:-2]  # drops the low half of the emoji's surrogate pair
    assert len(cut) % 2 == 0
    assert "cut off" in refuse(write(tmp_path, "cut2.csv", cut))


def test_utf16_with_broken_surrogate_inside_is_damaged(tmp_path: Path) -> None:
    good = "email\tname\r\na@example.com\tAl\r\n".encode("utf-16-le")
    data = codecs.BOM_UTF16_LE + good + b"\x3d\xd8" + "x\r\n".encode("utf-16-le")
    message = refuse(write(tmp_path, "bad16.csv", data))
    assert "damaged" in message and "line 3" in message


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match='"gone.csv": no such file'):
        sniff(tmp_path / "gone.csv")


def test_runaway_quote_in_a_short_file(tmp_path: Path) -> None:
    text = 'Name,Note\nAl,fine\nBo,"never closed\nCy,x\nDi,y\n'
    message = refuse(write(tmp_path, "quote.csv", text.encode()))
    assert "line 3" in message and "never closed" in message


def test_runaway_quote_opening_inside_a_multiline_record(tmp_path: Path) -> None:
    text = 'Name,Note,Extra\nAl,fine,x\nBo,"two\nlines","opens here\nCy,x,y\n'
    assert "line 4" in refuse(write(tmp_path, "quote2.csv", text.encode()))


def test_runaway_quote_past_the_sample_is_caught_while_reading(tmp_path: Path) -> None:
    lines = ["Name,Note"] + [f"n{i},note {i}" for i in range(5_000)]
    lines[4_000] = 'Bad,"opens and never closes'
    path = write(tmp_path, "late_quote.csv", "\n".join(lines).encode())
    fmt = sniff(path)  # the sample ends long before the stray quote
    rows = read_records(path, fmt)
    seen = 0
    with pytest.raises(UnreadableFileError, match="line 4001"):
        for _ in rows:
            seen += 1
    assert seen == 3_999


def test_record_spanning_too_many_lines_is_a_runaway(tmp_path: Path) -> None:
    # A quote that does close, but only after thousands of lines: a real cell
    # is never that long, so this is refused rather than read as one value.
    lines = ["Name,Note", 'Al,"starts'] + [f"x{i}" for i in range(3_000)] + ['end"', "Bo,ok"]
    path = write(tmp_path, "huge_cell.csv", "\n".join(lines).encode())
    assert "line 2" in refuse(path)


# --------------------------------------------------------------------------
# round trip of arbitrary tables, every encoding and delimiter
# --------------------------------------------------------------------------

ENCODINGS = {
    # name -> (bytes prefix, codec, expected FileFormat.encoding)
    "utf-8": (b"", "utf-8", "utf-8"),
    "utf-8-sig": (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    "utf-16-le": (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    "utf-16-be": (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
    "cp1252": (b"", "cp1252", "cp1252"),
}
_UNICODE_CHARS = list("abcXYZ 019.-@'\"\n\r,;\t|éß€Ωж中😀")
_CP1252_CHARS = [c for c in _UNICODE_CHARS if c not in "Ωж中😀"]


def _table(alphabet: list[str]) -> st.SearchStrategy[tuple[list[str], list[list[str]]]]:
    cell = st.text(alphabet=st.sampled_from(alphabet), max_size=10)
    name = st.text(alphabet=st.sampled_from(list("abcdefXYZ")), min_size=1, max_size=8)
    return st.integers(2, 5).flatmap(
        lambda k: st.tuples(
            st.lists(name, min_size=k, max_size=k),
            st.lists(st.lists(cell, min_size=k, max_size=k), max_size=8),
        )
    )


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize("encoding", list(ENCODINGS))
@settings(max_examples=12, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_round_trip_of_csv_written_tables(encoding: str, delimiter: str, data: st.DataObject) -> None:
    prefix, codec, expected = ENCODINGS[encoding]
    header, rows = data.draw(_table(_CP1252_CHARS if codec == "cp1252" else _UNICODE_CHARS))
    if codec == "cp1252":
        header[0] = "Prénom" + header[0]  # "é" then ASCII is never UTF-8
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    raw = buffer.getvalue().encode(codec)
    if codec == "cp1252":
        # "ß€" is DF 80 in Windows-1252, which is also a valid UTF-8 character: a file with as
        # many lines that read as UTF-8 as lines that do not is, by design, UTF-8 with a few odd
        # lines (detect._mostly_utf8).  Such a table is ambiguous, not a wrong reading.
        lines = [line for line in raw.split(b"\n") if not line.isascii()]  # as the detector splits
        assume(sum(_is_utf8(line) for line in lines) < sum(not _is_utf8(line) for line in lines))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "table.csv"
        path.write_bytes(prefix + raw)
        fmt = sniff(path)
        got = list(read_records(path, fmt))
    assert (fmt.encoding, fmt.delimiter, fmt.header, fmt.header_line) == (expected, delimiter, tuple(header), 1)
    kept = [tuple(r) for r in rows if any(c.strip() for c in r)]
    assert [r.values for r in got] == kept
    assert [r.number for r in got] == list(range(1, len(kept) + 1))
    assert all(r.problem is None for r in got)


# --------------------------------------------------------------------------
# memory
# --------------------------------------------------------------------------


def test_reading_200k_rows_keeps_memory_small(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("Email,First Name,Last Name,Phone,Total Spent\r\n")
        block = "".join(f"c{i}@example.com,Zoë,Smith,+1555555{i % 10000:04d},{i}.50\r\n" for i in range(1_000))
        for _ in range(200):
            f.write(block)
    assert path.stat().st_size > 9_000_000
    tracemalloc.start()
    try:
        fmt = sniff(path)
        count = 0
        last = None
        for record in read_records(path, fmt):
            count += 1
            last = record
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 200_000
    assert last is not None and last.number == 200_000 and last.line == 200_001
    assert peak < 10 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"

