"""ZIP exports (Mailchimp sends its audience as a zip of CSVs): unpacked, then imported like any file.

The unpacked members are raw copies of people's rows.  They live in the
process's private temporary folder (``tempfiles``, mode 700) only as long as
the import that reads them (:class:`Unpacked`), so erasing a person later cannot
miss a copy left on disk; a killed import's folder goes when omnidesk next starts.

A zip bomb (a small archive that unpacks to gigabytes) is refused before a byte
is written, from the sizes the archive's directory declares, and again while
unpacking, by counting what really comes out: a directory can lie.
"""

from __future__ import annotations

import errno
import hashlib
import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from omnidesk.core import held_files, tempfiles
from omnidesk.core.errors import UserError
from omnidesk.core.importing.unreadable import NoRowsError
from omnidesk.core.text import printable

DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".vcf")
MAX_MEMBERS = 200
# A million-customer Shopify export is about 300 MB of CSV; an archive that unpacks to more than
# 1 GiB in all is not an export.
MAX_TOTAL_BYTES = 1 << 30
# CSV text compresses 5 to 20 times (a column of one repeated value, a little more); a member
# that unpacks more than 100 times its packed size is a bomb once it is big enough to matter.
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 50 << 20
SPARE_BYTES = 64 << 20  # left free in the temp folder after unpacking


def is_zip(path: Path) -> bool:
    try:
        # Only a regular file is opened: reading a named pipe or a device would hang.
        if not Path(path).is_file():
            return False
        # Not open()/close(): a workspace open here, picked by mistake, would lose its SQLite locks.
        return held_files.read_head(path, 4) == b"PK\x03\x04"
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


# Members that are archives themselves: not unpacked (an archive in an archive is no export's).
ARCHIVE_SUFFIXES = (".zip", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".7z", ".rar")
_NESTED = "an archive inside the archive, which is not unpacked (unpack it yourself and import the CSV files inside)"
# What is said of a member with its header and no rows: an export's list that is empty today (Mailchimp's
# nonsubscribed members, most often) has nothing to import, and that is no fault of the file or the user.
EMPTY_MEMBER = "no contacts in it — nothing to import"


def expand_archives(paths: Iterable[Path], workdir: Path, skipped: list[str] | None = None,
                    origins: dict[Path, str] | None = None) -> list[Path]:
    """``paths`` with every ZIP replaced by the data files inside it, unpacked under ``workdir``.

    Members keep their own names (they say what they are: subscribed, unsubscribed,
    cleaned).  Members that are not imported (an archive inside the archive, a
    file that is not CSV, TSV or text, a text file that is no table, such as a
    readme) are named with why in ``skipped``, one sentence each, when given; the
    system's own files (``__MACOSX``, hidden files) are passed over.  An archive
    with no data file, or one too large to be an export, is refused with a
    message naming what it holds.  Spreadsheets (.xlsx) are zips too and are left
    for the importer to refuse with its own advice.  ``origins``, when given,
    gets each unpacked file with the name of the archive it came from.
    """
    out: list[Path] = []
    for path in paths:
        path = Path(path)
        if not _is_archive(path):
            out.append(path)
            continue
        digest = _digest(path)
        target = Path(workdir) / f"{path.stem}-{digest}"
        passed: list[tuple[str, str]] = []  # (member, why it is not imported)
        try:
            with zipfile.ZipFile(path) as archive:
                members = []
                for m in archive.infolist():
                    member = PurePosixPath(m.filename)
                    if m.is_dir() or member.name.startswith((".", "__")) or "__MACOSX" in m.filename:
                        continue
                    suffix = member.suffix.lower()
                    if suffix in DATA_SUFFIXES:
                        members.append(m)
                    elif suffix in ARCHIVE_SUFFIXES:
                        passed.append((member.name, _NESTED))
                    else:
                        passed.append((member.name, "not a CSV, TSV or text file"))
                if not members:
                    raise _nothing_to_import(path, passed)
                _check_declared(path, members)
                _check_room(path, Path(workdir), sum(m.file_size for m in members))
                target.mkdir(parents=True, exist_ok=True)
                budget = [MAX_TOTAL_BYTES]
                unpacked = []
                for member in members:
                    # Only the base name: a member path must never write outside the target folder.
                    dest = target / PurePosixPath(member.filename).name
                    if not dest.exists() or dest.stat().st_size != member.file_size:
                        _unpack_member(path, archive, member, dest, budget)
                    why = _not_a_table(dest) if dest.suffix.lower() == ".txt" else None
                    if why is not None:
                        passed.append((dest.name, why))
                        dest.unlink(missing_ok=True)
                        continue
                    unpacked.append(dest)
                if not unpacked:
                    raise _nothing_to_import(path, passed)
                out.extend(unpacked)
                if origins is not None:
                    origins.update((member, printable(path.name)) for member in unpacked)
                if skipped is not None:
                    skipped.extend(f"{printable(path.name)}: skipped {printable(name)}: {why}."
                                   for name, why in passed)
        except zipfile.BadZipFile as exc:
            shutil.rmtree(target, ignore_errors=True)
            raise UserError(f'"{printable(path.name)}" is a damaged ZIP archive ({exc}).') from exc
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)  # nothing half-unpacked stays
            raise
    return out


def _nothing_to_import(path: Path, passed: list[tuple[str, str]]) -> UserError:
    """The archive holds no file to import: say so, naming what it holds and why each was passed over."""
    if not passed:
        return UserError(f'"{printable(path.name)}" is a ZIP archive with no CSV file inside.')
    shown = "; ".join(f"{printable(name)} is {why}" for name, why in passed[:5])
    more = f"; and {len(passed) - 5} more" if len(passed) > 5 else ""
    return UserError(f'"{printable(path.name)}" is a ZIP archive with no CSV file inside to import, so nothing '
                     f"was imported: {shown}{more}.")


# The names an export gives its notes (readme.txt, LICENSE.txt): prose, however it happens to split.
NOTE_NAMES = frozenset({"readme", "read me", "read_me", "read-me", "license", "licence", "notes", "note",
                        "changelog", "changes", "about"})
_PROSE = "a text file of prose (a note or readme, not a table)"
_SAMPLE_LINES = 30


def _not_a_table(path: Path) -> str | None:
    """Why an unpacked text file is no table to import (a readme, a note), or None when it is one."""
    from omnidesk.core.importing.sniff import UnreadableFileError, read_records, sniff

    try:
        fmt = sniff(path)
        records = read_records(path, fmt)
        try:
            first = next(records, None)
        finally:
            records.close()
    except UnreadableFileError:
        return "a text file that cannot be read as a table"
    if first is None:
        return "a text file with no rows under its first line (a note, not a table)"
    if _is_prose(path, fmt.encoding, fmt.delimiter):
        return _PROSE
    return None


def _is_prose(path: Path, encoding: str, delimiter: str) -> bool:
    """True for a note written in sentences: its lines do not split into the same number of columns
    (one column, or as many as a sentence has commas), and they read as sentences, or the file is
    named as notes are (readme, license).  A one-column list of emails or names is a table: its
    lines are a word or three, with no sentence's end."""
    import csv

    try:
        with path.open(encoding=encoding, errors="replace", newline="") as fh:
            lines = [line for line in (fh.readline() for _ in range(_SAMPLE_LINES)) if line.strip()]
    except (OSError, LookupError):
        return False
    if not lines:
        return False
    widths = {len(row) for row in csv.reader(lines, delimiter=delimiter or ",")}
    if len(widths) == 1 and widths != {1}:
        return False  # every line splits into the same columns: a table
    if PurePosixPath(path.name).stem.strip().lower() in NOTE_NAMES:
        return True
    words = [len(line.split()) for line in lines]
    sentences = sum(1 for line, n in zip(lines, words) if n >= 4 and line.rstrip()[-1:] in ".!?:")
    # Lines of many words with no sentence's end are prose only when nothing splits them.
    return sentences * 2 >= len(lines) or (widths == {1} and sum(words) >= 6 * len(lines))


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()[:16]


def _too_big(path: Path) -> UserError:
    return UserError(
        f'"{printable(path.name)}" unpacks to more than an export would (over {MAX_TOTAL_BYTES >> 20:,} MB, or more than '
        f"{MAX_RATIO} times its packed size); it was not imported. Unpack it yourself and import the CSV files."
    )


def _check_declared(path: Path, members: list[zipfile.ZipInfo]) -> None:
    """Refuse from what the archive's directory says, before anything is written."""
    if len(members) > MAX_MEMBERS:
        raise UserError(f'"{printable(path.name)}" holds {len(members)} files, more than an export would; '
                        "unpack it yourself and import the CSV files.")
    if sum(m.file_size for m in members) > MAX_TOTAL_BYTES:
        raise _too_big(path)
    for m in members:
        if m.file_size > RATIO_FLOOR_BYTES and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise _too_big(path)


def _check_room(path: Path, workdir: Path, needed: int) -> None:
    folder = workdir if workdir.exists() else workdir.parent
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return
    if needed + SPARE_BYTES > free:
        raise UserError(
            f'There is no room to unpack "{printable(path.name)}" in the temp folder ({folder}): it needs '
            f"{needed >> 20:,} MB and {free >> 20:,} MB are free; nothing was imported."
        )


def _unpack_member(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo, dest: Path,
                   budget: list[int]) -> None:
    """Copy one member out, counting the bytes that really come out (a header can lie)."""
    written = 0
    packed = max(member.compress_size, 1)
    try:
        with archive.open(member) as src, dest.open("wb") as dst:
            while chunk := src.read(1 << 20):
                written += len(chunk)
                budget[0] -= len(chunk)
                if budget[0] < 0 or (written > RATIO_FLOOR_BYTES and written > MAX_RATIO * packed):
                    raise _too_big(path)
                dst.write(chunk)
    except OSError as exc:
        dest.unlink(missing_ok=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise UserError(f'The temp folder ({dest.parent.parent}) is full: "{printable(path.name)}" could not be '
                            "unpacked; nothing was imported.") from None
        raise
    except BaseException:
        dest.unlink(missing_ok=True)
        raise


class Unpacked:
    """The zips of one import session, unpacked into a temporary folder that :meth:`close` removes.

    Use it as a context manager around the whole import (the CLI), or keep it as
    long as a wizard may still read the files and close it when the wizard goes.
    Closing also runs when the import fails or is cancelled: nothing unpacked
    outlives the session.
    """

    def __init__(self) -> None:
        self._workdir: Path | None = None
        # The members passed over, one sentence each ("x.zip: skipped readme.txt: ...").
        self.skipped: list[str] = []
        # Each unpacked member, with the name of the archive it came from.
        self.origins: dict[Path, str] = {}

    def expand(self, paths: Iterable[Path]) -> list[Path]:
        """Like :func:`expand_archives`, into this session's folder (made for the first zip);
        the members passed over are added to :attr:`skipped`."""
        paths = [Path(p) for p in paths]
        if not any(_is_archive(p) for p in paths):
            return paths
        if self._workdir is None:
            self._workdir = tempfiles.mkdtemp("unpacked-")
        return expand_archives(paths, self._workdir, self.skipped, self.origins)

    def empty_member(self, path: Path, error: BaseException) -> str | None:
        """The name of the archive ``path`` was unpacked from, when ``error`` refused it for having a
        header and no rows: such a member has nothing to import (:data:`EMPTY_MEMBER`), which is no
        failure; None otherwise.  A file the user picked itself and found so is still refused: they
        may have picked the wrong file, or an export that went wrong."""
        if not isinstance(error, NoRowsError):
            return None
        return self.origins.get(Path(path))

    def close(self) -> None:
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
        self.origins.clear()
        self.skipped.clear()  # said for this session's zips: the next session's are its own

    def __enter__(self) -> Unpacked:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


LEGACY_FOLDER = "unpacked"


def remove_unpacked_leftovers(data_dir: Path) -> None:
    """Delete the members older versions unpacked into ``data_dir/unpacked`` and never removed."""
    shutil.rmtree(Path(data_dir) / LEGACY_FOLDER, ignore_errors=True)
