"""Sniffing binary files without zero bytes, and headers narrower than their data rows."""

from __future__ import annotations

import codecs
import csv
import io
import json
import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omnidesk.core.importing.pipeline import import_file
from omnidesk.core.importing.sniff import Record, UnreadableFileError, read_records, sniff
from tests.core.test_sniff import records, refuse, write


def random_bytes_without_zeros(seed: int, size: int) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randint(1, 255) for _ in range(size))


# --------------------------------------------------------------------------
# binary data without zero bytes
# --------------------------------------------------------------------------


def test_binary_file_without_zero_bytes_is_refused_like_other_binary_files(tmp_path: Path) -> None:
    # A file of 5,000 random bytes from 1 to 255.
    rng = random.Random(1)
    data = bytes(rng.randint(1, 255) for _ in range(5000))
    assert b"\x00" not in data
    message = refuse(write(tmp_path, "bin2.dat", data))
    assert "binary data" in message and "not text" in message
    assert "check that you picked the CSV export" in message


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(256, 20_000))
def test_random_bytes_without_zeros_are_always_refused(seed: int, size: int) -> None:
    data = random_bytes_without_zeros(seed, size)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "blob.csv"
        path.write_bytes(data)
        with pytest.raises(UnreadableFileError):
            list(read_records(path, sniff(path)))


def _printable(codec: str) -> st.SearchStrategy[str]:
    # Printable characters (no control codes), minus the quote and the other
    # delimiters so the table is read back with the delimiter it was written with.
    chars = st.characters(codec=codec, exclude_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"),
                          exclude_characters='";|\t\ufeff')
    return st.text(chars.filter(str.isprintable), max_size=40)


@pytest.mark.parametrize("codec", ["cp1252", "utf-8"])
@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_tables_of_printable_text_are_always_accepted(codec: str, data: st.DataObject) -> None:
    rows = data.draw(st.lists(st.tuples(_printable(codec), _printable(codec)), min_size=1, max_size=30))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["Name", "Note"])
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "table.csv"
        path.write_bytes(buffer.getvalue().encode(codec))
        fmt = sniff(path)
        got = list(read_records(path, fmt))
    assert fmt.header == ("Name", "Note")
    assert len(got) == sum(1 for r in rows if any(c.strip() for c in r))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        # A form feed between pages, as some old report writers leave them.
        ("formfeed.csv", b"Name,Email\r\nAl,al@example.com\r\n\x0cBo,bo@example.com\r\nCy,cy@example.com\r\n"),
        # One stray control character in a cell of a tiny file.
        ("stray.csv", b"Name,Note\r\nAl,a\x01b\r\n"),
        # FileMaker writes line breaks inside a cell as vertical tabs.
        ("filemaker.csv", b"Name,Note\r\n" + b"Al,first line\x0bsecond line\x0bthird\r\n" * 50),
        # A DOS end-of-file mark.
        ("dos.csv", b"Name,Email\r\nAl,al@example.com\r\n\x1a"),
        # Windows-1252 with accents, smart quotes, a euro sign and a dash.
        ("cp1252.csv", "First Name,Note\r\nRené,\u201cPaid 20€ – thanks\u201d\r\n".encode("cp1252")),
        # UTF-16 with a BOM, tab separated (Meta's lead download).
        ("leads.csv", codecs.BOM_UTF16_LE + "email\tfull_name\r\nzoe@example.com\tZoë\r\n".encode("utf-16-le")),
        # Bytes Windows-1252 leaves undefined (kept as Latin-1), as in a Mac Roman file.
        ("macroman.csv", ("Nom,Ville\r\n" + "François Ça,Besançon\r\n" * 40).encode("mac_roman")),
    ],
)
def test_real_exports_with_odd_characters_still_pass(tmp_path: Path, name: str, data: bytes) -> None:
    path = write(tmp_path, name, data)
    assert records(path)


def test_a_long_file_with_a_few_control_characters_passes(tmp_path: Path) -> None:
    bell = "bell\x07"
    lines = [f"n{i},n{i}@example.com,{'ok' if i % 500 else bell}" for i in range(3000)]
    path = write(tmp_path, "bells.csv", ("Name,Email,Note\n" + "\n".join(lines) + "\n").encode())
    assert len(records(path)) == 3000


# --------------------------------------------------------------------------
# data rows wider than the header
# --------------------------------------------------------------------------


def test_one_data_row_with_an_extra_value_keeps_the_header(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", b"Email,First Name\nann@example.com,Ann,Extra note\n")
    fmt = sniff(path)
    assert (fmt.header_line, fmt.header) == (1, ("Email", "First Name"))
    assert records(path) == [
        Record(1, 2, ("ann@example.com", "Ann", "Extra note"), "has 3 values, header has 2: extra values kept"),
    ]


def test_several_wider_data_rows_do_not_become_the_header(tmp_path: Path) -> None:
    text = "Email,First Name\nann@example.com,Ann,Extra note\nbob@example.com,Bob,x\n"
    path = write(tmp_path, "a2.csv", text.encode())
    fmt = sniff(path)
    assert (fmt.header_line, fmt.header) == (1, ("Email", "First Name"))
    assert [r.values[:2] for r in records(path)] == [("ann@example.com", "Ann"), ("bob@example.com", "Bob")]


@pytest.mark.parametrize(
    "data_rows",
    [
        # phones, dates and numbers make a row data as much as an email does
        "+1 415 555 0100,Ann,note\n+1 415 555 0101,Bob,note\n",
        "2024-03-01,Ann,note\n2024-03-02,Bob,note\n",
        "12,3.50,7\n13,4.50,8\n",
    ],
)
def test_data_looking_rows_never_win_over_a_row_of_labels(tmp_path: Path, data_rows: str) -> None:
    path = write(tmp_path, "wide.csv", ("Key,Name\n" + data_rows).encode())
    assert sniff(path).header == ("Key", "Name")


def test_title_row_above_a_header_narrower_than_its_data(tmp_path: Path) -> None:
    text = "Customer list\nEmail,First Name\nann@example.com,Ann,VIP\nbob@example.com,Bob,x\n"
    path = write(tmp_path, "titled.csv", text.encode())
    fmt = sniff(path)
    assert (fmt.header_line, fmt.header) == (2, ("Email", "First Name"))
    assert len(records(path)) == 2


def test_a_narrow_data_row_between_header_and_wider_rows_is_skipped_over(tmp_path: Path) -> None:
    text = "Email,First Name\nann@example.com,Ann\nbob@example.com,Bob,x\ncy@example.com,Cy,y\n"
    path = write(tmp_path, "mixed.csv", text.encode())
    assert sniff(path).header_line == 1


def test_a_header_of_dates_under_a_short_title_is_still_the_header(tmp_path: Path) -> None:
    # A pivot table: the header itself holds dates, and a two-cell title sits above it.
    text = ("Attendance,March\nName,2024-03-01,2024-03-08,2024-03-15,2024-03-22\n"
            "Ann,1,0,1,1\nBob,0,1,1,0\n")
    path = write(tmp_path, "pivot.csv", text.encode())
    fmt = sniff(path)
    assert (fmt.header_line, fmt.header[0]) == (2, "Name")


def test_extra_values_are_imported_kept_raw_and_flagged(new_workspace, tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", b"Email,First Name\nann@example.com,Ann,Extra note\n")
    with new_workspace(tmp_path / "ws.omnidesk") as ws:
        result = import_file(ws, path)
        assert (result.rows, result.imported, result.flagged) == (1, 1, 1)
        with ws.engine.connect() as conn:
            email, first, raw, problems = conn.exec_driver_sql(
                "SELECT email, first_name, raw_json, problems_json FROM source_record"
            ).one()
    assert (email, first) == ("ann@example.com", "Ann")
    assert json.loads(raw) == ["ann@example.com", "Ann", "Extra note"]
    assert json.loads(problems) == ["has 3 values, header has 2: extra values kept"]
