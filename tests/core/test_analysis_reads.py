"""Planning an import opens the file once and reads its bytes once, with the same plan as before."""

from __future__ import annotations

import builtins
import codecs
import io
from pathlib import Path

import pytest

from omnidesk.core.importing import source_file
from omnidesk.core.importing.normalize import DateOrder
from omnidesk.core.importing.pipeline import PREVIEW_ROWS, ImportOptions, analyze, run_to_end, write_error_report
from omnidesk.core.importing.sniff import file_sha256, preview, sniff
from omnidesk.core.workspace import Workspace
from tests.helpers import write_csv


class Reads:
    """Every open of one file, and the bytes read through them."""

    def __init__(self, path: Path) -> None:
        self.path = path.resolve()
        self.opens = 0
        self.bytes = 0


class _Counted:
    def __init__(self, inner, reads: Reads) -> None:
        self._inner = inner
        self._reads = reads

    def _count(self, data):
        self._reads.bytes += len(data) if isinstance(data, (bytes, bytearray, str)) else 0
        return data

    def read(self, *a):
        return self._count(self._inner.read(*a))

    def read1(self, *a):
        return self._count(self._inner.read1(*a))

    def readline(self, *a):
        return self._count(self._inner.readline(*a))

    def readinto(self, buffer):
        n = self._inner.readinto(buffer)
        self._reads.bytes += n or 0
        return n

    def __iter__(self):
        return (self._count(line) for line in self._inner)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._inner.close()

    def __getattr__(self, name):
        return getattr(self._inner, name)


@pytest.fixture
def counting(monkeypatch):
    """Count the opens of a file, and the bytes read from it, however the code opens it."""
    watched: list[Reads] = []
    real_open = builtins.open

    def counted_open(file, *args, **kwargs):
        handle = real_open(file, *args, **kwargs)
        if isinstance(file, (str, Path)):
            for reads in watched:
                if Path(file).resolve() == reads.path:
                    reads.opens += 1
                    return _Counted(handle, reads)
        return handle

    monkeypatch.setattr(builtins, "open", counted_open)
    monkeypatch.setattr(io, "open", counted_open)

    def watch(path: Path) -> Reads:
        reads = Reads(path)
        watched.append(reads)
        return reads

    return watch


def members(path: Path, n: int = 80) -> Path:
    """Email-less headers in another language (read by content), dates, phones."""
    return write_csv(path, ["Nom", "E-posta", "Téléphone", "Inscrit le"],
                     [[f"Zoë {i}", f"p{i}@example.com", f"+33 6 12 34 {i % 100:02d} 00", f"{i % 28 + 1:02d}/03/2024"]
                      for i in range(n)])


def shapes(tmp_path: Path, ws: Workspace) -> dict[str, tuple[Path, ImportOptions | None]]:
    cp1252 = tmp_path / "legacy.csv"
    cp1252.write_bytes("Name,Email,City\r\n".encode() + "".join(
        f"Renée {i},r{i}@example.com,Liège\r\n" for i in range(60)).encode("cp1252"))
    utf16 = tmp_path / "wide.csv"
    utf16.write_bytes(codecs.BOM_UTF16_LE + "Name\tEmail\r\n".encode("utf-16-le") + "".join(
        f"Ann {i}\tann{i}@example.com\r\n" for i in range(60)).encode("utf-16-le"))
    events = write_csv(tmp_path / "activity.csv", ["Email", "Created", "Contact type"],
                       [[f"p{i}@example.com", f"2024-01-{i % 28 + 1:02d}", "lead"] for i in range(60)])
    source = write_csv(tmp_path / "flagged.csv", ["Email", "Name"], [["ann@example.com", "Ann"], ["bob(at)x", "Bob"]])
    plan = analyze(ws, source)
    report = tmp_path / "report.csv"
    write_error_report(report, [(plan, run_to_end(ws, plan))])
    return {
        "utf-8": (members(tmp_path / "members.csv"), None),
        "legacy code page": (cp1252, None),
        "utf-16": (utf16, None),
        "encoding chosen": (cp1252, ImportOptions(encoding="cp1252")),
        "events that are people": (events, None),
        "an error report": (report, None),
    }


@pytest.mark.parametrize("shape", ["utf-8", "legacy code page", "utf-16", "encoding chosen",
                                   "events that are people", "an error report"])
def test_analyze_opens_the_file_once_and_reads_each_byte_once(ws, tmp_path, counting, shape):
    path, options = shapes(tmp_path, ws)[shape]
    reads = counting(path)
    plan = analyze(ws, path, options)
    assert (reads.opens, reads.bytes) == (1, path.stat().st_size)
    assert plan.file_size == path.stat().st_size


def test_the_plan_is_what_separate_readings_give(ws, tmp_path):
    path = members(tmp_path / "members.csv")
    plan = analyze(ws, path)
    fmt = sniff(path)
    assert plan.fmt == fmt
    assert plan.file_hash == file_sha256(path)
    assert plan.preview == preview(path, fmt, PREVIEW_ROWS)
    assert plan.mapping[1] == "email"  # read by its values, from the same reading as the preview


def test_a_file_bigger_than_what_stays_in_memory_is_still_read_once_when_its_dates_settle(ws, tmp_path, counting):
    path = members(tmp_path / "big.csv", 45_000)
    assert path.stat().st_size > source_file.KEEP_BYTES
    reads = counting(path)
    plan = analyze(ws, path)
    assert (reads.opens, reads.bytes) == (1, path.stat().st_size)
    assert plan.file_hash == file_sha256(path)


def test_a_date_column_undecided_to_the_end_reads_on_through_the_same_open_file(ws, tmp_path, counting,
                                                                                  monkeypatch):
    monkeypatch.setattr(source_file, "KEEP_BYTES", 64 << 10)
    rows = [[f"p{i}@example.com", "03/04/2024"] for i in range(12_000)] + [["last@example.com", "25/12/2024"]]
    path = write_csv(tmp_path / "late.csv", ["Email", "Signed up"], rows)
    reads = counting(path)
    plan = analyze(ws, path)
    # Past the bytes kept in memory the scan reads the file again, through the one open file.
    assert reads.opens == 1 and path.stat().st_size < reads.bytes < 2 * path.stat().st_size
    assert plan.date_orders == {1: DateOrder.DMY}
