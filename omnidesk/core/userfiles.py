"""Files a user names for omnidesk to read: a regular file, read no further than a file of its kind goes.

A folder, a named pipe (FIFO), a device or a socket is refused saying what it is, before it
is opened: reading a FIFO waits for a writer forever, and /dev/zero never ends.  A file is
read up to the size its kind may have (a logo, a message file) and not a byte past it, so a
wrong pick says so instead of filling the memory.  An import (importing.detect) refuses with
the same sentences, its hints pointing at the CSV files.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from omnidesk.core import held_files
from omnidesk.core.errors import UserError
from omnidesk.core.text import printable

PICK = "pick the file itself"


def cannot_open_text(name: str, e: OSError) -> str:
    return f'"{name}" cannot be opened ({e.strerror or e}); check that the file exists and that you may read it.'


def check_regular_file(path: str | os.PathLike[str], *, pick: str = PICK, folder_pick: str | None = None,
                       error: type[UserError] = UserError) -> None:
    """Refuse, with a sentence that says what it is, a path that is not a regular file: a folder,
    a named pipe (FIFO), a device or socket, or a link to one.  Missing files say so.

    ``pick`` ends the sentence (what to choose instead), ``folder_pick`` when it is a folder;
    ``error`` is the UserError raised.
    """
    p = Path(path)
    name = printable(p.name)
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        if p.is_symlink():
            target = printable(os.readlink(p))
            raise error(f'"{name}" is a link to {target}, which does not exist; {PICK}.') from None
        raise error(f'"{name}": no such file; check its name and folder.') from None
    except OSError as e:
        raise error(cannot_open_text(name, e)) from e
    if not stat.S_ISREG(mode):
        raise error(_not_regular(p, mode, pick, folder_pick))
    workspace = held_files.workspace_holding(p)
    if workspace is not None:
        # Read whole and closed, it would drop this process's SQLite locks on the open workspace.
        what = "the workspace" if held_files.is_held(p) else f"a file of the workspace {printable(workspace.name)}"
        raise error(f'"{name}" is {what} open here, not a file to read in; {pick}.')


def _not_regular(p: Path, mode: int, pick: str, folder_pick: str | None) -> str:
    what = ("a folder" if stat.S_ISDIR(mode) else "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "not a file")
    if p.is_symlink():
        what = f"a link to {printable(os.path.realpath(p))}, {what}"
    hint = folder_pick if stat.S_ISDIR(mode) and folder_pick else pick
    return f'"{printable(p.name)}" is not a regular file (it is {what}); {hint}.'


@contextmanager
def open_regular(path: str | os.PathLike[str], *, pick: str = PICK) -> Iterator[BinaryIO]:
    """``path`` open to read its bytes, refused (UserError) unless it is a regular file."""
    p = Path(path)
    check_regular_file(p, pick=pick)
    try:
        # Without blocking: a FIFO put in its place since the check would wait for a writer here.
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        raise UserError(cannot_open_text(printable(p.name), e)) from e
    with os.fdopen(fd, "rb") as fh:
        mode = os.fstat(fh.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise UserError(_not_regular(p, mode, pick, None))
        yield fh


def _megabytes(n: int) -> str:
    return f"{n / (1 << 20):,.1f} MB".replace(".0 MB", " MB")


def read_capped(path: str | os.PathLike[str], limit: int, what: str, *, pick: str = PICK) -> bytes:
    """The bytes of the regular file ``path``, which ``what`` ("a logo") may hold up to ``limit``
    of; UserError saying what is wrong.  Never reads more than ``limit`` + 1 bytes."""
    p = Path(path)
    with open_regular(p, pick=pick) as fh:
        try:
            size = os.fstat(fh.fileno()).st_size
            data = fh.read(limit + 1) if size <= limit else b""
        except OSError as e:
            raise UserError(cannot_open_text(printable(p.name), e)) from e
    if size > limit or len(data) > limit:  # the second: a file still growing as it is read
        said = _megabytes(max(size, len(data)))
        if said == _megabytes(limit):  # not "is 5 MB; ... 5 MB at most"
            said = f"over {said}"
        raise UserError(f'"{printable(p.name)}" is {said}; {what} may be {_megabytes(limit)} at most.')
    return data
