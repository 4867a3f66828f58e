"""Why a file cannot be imported: ``UnreadableFileError`` and the sentences that
build it, each naming the file, saying why and suggesting a fix."""

from __future__ import annotations

from omnidesk.core.errors import UserError
from omnidesk.core.userfiles import cannot_open_text


class UnreadableFileError(UserError):
    """The file cannot be imported; str(e) is one clear sentence for the user
    (names the file, says why, suggests a fix)."""



def cannot_open(name: str, e: OSError) -> UnreadableFileError:
    return UnreadableFileError(cannot_open_text(name, e))


def excel_workbook(name: str) -> UnreadableFileError:
    # Said the same way for .xlsx and the old .xls, whatever the file is called.
    return UnreadableFileError(
        f'"{name}" is an Excel workbook: save it as CSV (File › Save As › CSV UTF-8) and import that.'
    )


def empty_file(name: str) -> UnreadableFileError:
    return UnreadableFileError(
        f'"{name}" is empty, so there is nothing to import; export the file again and check it has rows.'
    )


class NoRowsError(UnreadableFileError):
    """The file has its header and nothing else: there is nothing to import."""


def no_rows(name: str, blank_lines: list[int] | None = None) -> NoRowsError:
    # Said before anything is recorded: an import of nothing would sit in the list as if it were one.
    if blank_lines:
        where = (f"line {blank_lines[0]}" if len(blank_lines) == 1
                 else f"lines {', '.join(map(str, blank_lines[:5]))}{', …' if len(blank_lines) > 5 else ''}")
        return NoRowsError(
            f'"{name}" has a header and only empty rows under it ({where}: no cell holds a value), so there '
            "is nothing to import; export the file again and check it has rows."
        )
    return NoRowsError(
        f'"{name}" has a header but no rows, so there is nothing to import; '
        "export the file again and check it has rows."
    )


def binary_data(name: str, offset: int) -> UnreadableFileError:
    return UnreadableFileError(
        f'"{name}" holds binary data (a zero byte at position {offset}), not text; '
        "check that you picked the CSV export and not another file."
    )


def truncated_utf16(name: str) -> UnreadableFileError:
    return UnreadableFileError(
        f'"{name}" is cut off: it ends in the middle of a UTF-16 character; '
        "download or export it again and import the complete file."
    )


def runaway_message(name: str, line: int | None, start_line: int) -> str:
    if line is None:
        return (
            f'"{name}" has a value on line {start_line} that is too long to be a real cell; '
            "check that line in a text editor and try again."
        )
    return (
        f'"{name}" has a quote (") on line {line} that is never closed, so the rest of '
        "the file would be read as one value; add the missing closing quote or remove "
        "the stray one on that line and try again."
    )
