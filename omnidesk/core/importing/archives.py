"""ZIP exports (Mailchimp sends its audience as a zip of CSVs): unpacked, then imported like any file.

The unpacked members are raw copies of people's rows.  They live in a private
temporary folder only as long as the import that reads them (:class:`Unpacked`),
so erasing a person later cannot miss a copy left on disk.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from omnidesk.core.errors import UserError
from omnidesk.core.text import printable

DATA_SUFFIXES = (".csv", ".tsv", ".txt")
MAX_MEMBERS = 200
MAX_TOTAL_BYTES = 4 << 30  # refuses zip bombs long before the disk fills


def is_zip(path: Path) -> bool:
    try:
        # Only a regular file is opened: reading a named pipe or a device would hang.
        if not Path(path).is_file():
            return False
        with Path(path).open("rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _is_spreadsheet(path: Path) -> bool:
    """An Excel (.xlsx) or OpenDocument workbook, whatever its name says: a zip too."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "xl/workbook.xml" in names or {"mimetype", "content.xml"} <= names


def _is_archive(path: Path) -> bool:
    # A workbook is left for the importer, which says what it is and how to save it as CSV.
    return path.suffix.lower() not in (".xlsx", ".ods") and is_zip(path) and not _is_spreadsheet(path)


def expand_archives(paths: Iterable[Path], workdir: Path) -> list[Path]:
    """``paths`` with every ZIP replaced by the data files inside it, unpacked under ``workdir``.

    Members keep their own names (they say what they are: subscribed, unsubscribed,
    cleaned).  An archive with no data file, or one too large to be an export,
    is refused with a clear message.  Spreadsheets (.xlsx) are zips too and are left
    for the importer to refuse with its own advice.
    """
    out: list[Path] = []
    for path in paths:
        path = Path(path)
        if not _is_archive(path):
            out.append(path)
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        target = Path(workdir) / f"{path.stem}-{digest}"
        try:
            with zipfile.ZipFile(path) as archive:
                members = [
                    m for m in archive.infolist()
                    if not m.is_dir() and PurePosixPath(m.filename).suffix.lower() in DATA_SUFFIXES
                    and not PurePosixPath(m.filename).name.startswith((".", "__"))
                    and "__MACOSX" not in m.filename
                ]
                if not members:
                    raise UserError(f'"{printable(path.name)}" is a ZIP archive with no CSV file inside.')
                if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_TOTAL_BYTES:
                    raise UserError(f'"{printable(path.name)}" holds more data than an export would; '
                                    "unpack it yourself.")
                target.mkdir(parents=True, exist_ok=True)
                for member in members:
                    # Only the base name: a member path must never write outside the target folder.
                    dest = target / PurePosixPath(member.filename).name
                    if not dest.exists() or dest.stat().st_size != member.file_size:
                        with archive.open(member) as src, dest.open("wb") as dst:
                            while chunk := src.read(1 << 20):
                                dst.write(chunk)
                    out.append(dest)
        except zipfile.BadZipFile as exc:
            raise UserError(f'"{printable(path.name)}" is a damaged ZIP archive ({exc}).') from exc
    return out


class Unpacked:
    """The zips of one import session, unpacked into a temporary folder that :meth:`close` removes.

    Use it as a context manager around the whole import (the CLI), or keep it as
    long as a wizard may still read the files and close it when the wizard goes.
    Closing also runs when the import fails or is cancelled: nothing unpacked
    outlives the session.
    """

    def __init__(self) -> None:
        self._workdir: Path | None = None

    def expand(self, paths: Iterable[Path]) -> list[Path]:
        """Like :func:`expand_archives`, into this session's folder (made for the first zip)."""
        paths = [Path(p) for p in paths]
        if not any(_is_archive(p) for p in paths):
            return paths
        if self._workdir is None:
            self._workdir = Path(tempfile.mkdtemp(prefix="omnidesk-unpacked-"))
        return expand_archives(paths, self._workdir)

    def close(self) -> None:
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def __enter__(self) -> Unpacked:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


LEGACY_FOLDER = "unpacked"


def remove_unpacked_leftovers(data_dir: Path) -> None:
    """Delete the members older versions unpacked into ``data_dir/unpacked`` and never removed."""
    shutil.rmtree(Path(data_dir) / LEGACY_FOLDER, ignore_errors=True)
