"""Where an export may be written: never over a workspace, never over a file unasked.

Every file omnidesk writes for the user (CSV exports, error reports, person
zips) is checked here first.  A SQLite database (any workspace, open or not,
or a backup of one) and the ``-wal``/``-shm``/``-journal`` files beside one are
never written over, whatever flag is given: a CSV in their place destroys a
business's data.  Any other existing file is replaced only when the caller
says so (``--force`` on the command line; the GUI's save dialog asks first).

Every such file is written whole under a temporary name beside it and renamed
into place (:func:`written_beside`), so a crash never leaves half a file.  That
temporary name is new each time and created exclusively: whatever already has
a name beside the output (a link to a workspace, a file someone else put there)
is never opened, followed or replaced.  The name carries the writing process's
id and that process holds a lock on the file while it writes: the next write
into the same folder, the next start, or an erase deletes the one a killed
process left (it holds the rows written so far), and only such a file
(:func:`omnidesk.core.tempfiles.clean_stale_beside`).
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from omnidesk.core import held_files, tempfiles
from omnidesk.core.errors import UserError

_SQLITE_MAGIC = b"SQLite format 3\x00"
SIDECARS = ("-wal", "-shm", "-journal")
_WORKSPACE_SUFFIXES = (".omnidesk", ".omnidesk.bak")


class OutputExistsError(UserError):
    """The output file exists and replacing it was not asked for."""


def is_database(path: Path) -> bool:
    if not path.is_file():  # a pipe or a device is never opened to look: it would wait, or read for ever
        return False
    try:
        # Not open()/close(): that would drop this process's SQLite locks on a workspace open here.
        return held_files.read_head(path, len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
    except OSError:
        return False


def _guarded_reason(path: Path) -> str | None:
    """Why ``path`` must never be written over, or None."""
    name = path.name
    folded = name.lower()  # W.OMNIDESK is the workspace itself on a case-blind disk
    if folded.endswith(_WORKSPACE_SUFFIXES):
        return "that name is for workspace files"
    for sidecar in SIDECARS:
        if folded.endswith(sidecar):
            base = path.with_name(name[: -len(sidecar)])
            if base.exists() and (is_database(base) or base.name.endswith(_WORKSPACE_SUFFIXES)):
                return f"it belongs to the workspace {base.name}"
    if path.is_file() and is_database(path):
        return "it is a database (a workspace or a copy of one)"
    return None


def guard_reason(path: str | Path) -> str | None:
    """Why ``path`` (or what a link there points to) must never be written over, or None."""
    path = Path(path)
    reason = _guarded_reason(path)
    if reason is None and path.exists():
        reason = _guarded_reason(path.resolve())  # a link to a workspace is the workspace
    return reason


def not_a_file_reason(path: str | Path) -> str | None:
    """Why what is at ``path`` is no file an export may replace, or None (a regular file, a link
    to one, or nothing there).

    A device, a named pipe, a socket or a folder (or a link to one: ``/dev/stdout``) is never
    replaced, ``--force`` or not: the export is written whole beside it and renamed into place,
    which would put a plain file where the device or pipe was, for every program after.
    """
    path = Path(path)
    try:
        mode = os.stat(path).st_mode  # through a link, to what it names
    except OSError:  # nothing there, a dangling link, or a folder that cannot be looked in
        return None
    if stat.S_ISREG(mode):
        # A process's own stream (/dev/stdout with the output sent to a file is a link, through
        # /proc/self/fd/1, to that file): renamed over, the link would be a plain file for good.
        if _through_streams(path):
            return "it is a link to a program's output or input stream, not a file (omnidesk writes files)"
        return None
    kind = ("a folder" if stat.S_ISDIR(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "something other than a file")
    return f"it is {'a link to ' if os.path.islink(path) else ''}{kind}, not a file (omnidesk writes files)"


def _through_streams(path: Path) -> bool:
    """Whether ``path`` is in /dev or /proc, or a link whose chain passes through one of them."""
    seen = 0
    current = Path(os.path.abspath(path))
    while seen < 40:
        if current.parts[1:2] in (("dev",), ("proc",)):
            return True
        if not current.is_symlink():
            return False
        target = Path(os.readlink(current))
        current = Path(os.path.abspath(current.parent / target))
        seen += 1
    return True  # a chain that long is no file anyone meant


def check_output(path: str | Path, *, overwrite: bool = False,
                 workspace: str | Path | None = None) -> Path:
    """Refuse to write to ``path`` when that would destroy something; returns it as a Path.

    Raises :class:`UserError` for a folder or a workspace file (never writable),
    and :class:`OutputExistsError` for any other existing file unless
    ``overwrite`` is true.  ``workspace`` names the open workspace, guarded
    with its sidecars even before its file exists.
    """
    if str(path) == "-":  # "standard output" elsewhere; here a file called "-" nobody would find
        raise UserError("give a file name to write to ('-' is not one: omnidesk writes files, not "
                        "standard output).")
    if str(path).endswith(("/", os.sep)) and not Path(path).is_dir():
        # "report.pdf/" names a folder to be: written as a file, it would land where nobody looks.
        raise UserError(f"{path} ends with a slash, as a folder's name does; give a file name to write to "
                        f"({str(path).rstrip('/' + os.sep)} without the slash, or a file inside an existing folder).")
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a file name to write to.")
    reason = guard_reason(path)
    if reason is None and workspace is not None:
        ws = Path(workspace).expanduser().resolve()
        if path.resolve() in {ws, *(ws.with_name(ws.name + s) for s in SIDECARS)}:
            reason = "it is the workspace this command works on"
    if reason is None:
        reason = not_a_file_reason(path)
    if reason is not None:
        raise UserError(f"Will not write over {path}: {reason}. Choose another file name.")
    if path.exists() and not overwrite:
        raise OutputExistsError(f"{path} already exists; choose another name or replace it.")
    return path


# How much of the output's name a temporary file beside it carries: enough to tell whose it is,
# short enough that the temporary name stays within what a file system allows however long
# the output's own name is.
_NAME_KEPT = 64


def new_file_beside(path: Path) -> Path:
    """A new empty file of its own beside ``path`` (``.NAME.PID-RANDOM.part``); returns its name.

    Created exclusively (``O_EXCL``): never a file or link that was there
    before, so nothing placed beside the output is written through.  Its mode
    is the user's usual one for a new file (0666 less the umask, applied by the
    system), as when the output is written in place: an export is the user's
    own document, to share as they share any other.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = path.with_name(f".{path.name[:_NAME_KEPT]}.{os.getpid()}-{secrets.token_hex(6)}.part")
        try:
            os.close(os.open(tmp, flags, 0o666))
        except FileExistsError:  # pragma: no cover - another name is drawn
            continue
        return tmp


def put_in_place(tmp: Path, path: Path, *, overwrite: bool) -> None:
    """Rename the written ``tmp`` to ``path``, the last step of every write.

    ``path`` was checked before the writing began, which can take a while.
    Without ``overwrite`` the rename never replaces anything that appeared
    there meanwhile (a hard link made atomically, or a rename where no links
    can be made, and only while nothing is there); with it, a database (or a
    link to one) that appeared meanwhile is still refused.  Either refusal is
    a :class:`UserError` and leaves ``tmp`` to the caller.
    """
    if not overwrite:
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise OutputExistsError(f"{path} already exists; choose another name or replace it.") from None
        except OSError:  # no hard links on this disk (FAT, some shares)
            if os.path.lexists(path):
                raise OutputExistsError(f"{path} already exists; choose another name or replace it.") from None
            os.replace(tmp, path)
        else:
            os.unlink(tmp)
        return
    # A device or pipe that appeared meanwhile is refused before anything opens it (opening a
    # pipe to look for a database would wait for a writer for ever).
    reason = not_a_file_reason(path)
    if reason is None and is_database(path):
        reason = "it is a database (a workspace or a copy of one)"
    if reason is not None:
        raise UserError(f"Will not write over {path}: {reason}. Choose another file name.")
    os.replace(tmp, path)


@contextmanager
def written_beside(path: Path, *, overwrite: bool) -> Iterator[Path]:
    """A new temporary file beside ``path`` to write (:func:`new_file_beside`), put in place when
    the block ends (:func:`put_in_place`); removed, and only it, when anything fails.

    ``path`` is checked first by the caller (:func:`check_output`); ``overwrite``
    is what was allowed there.
    """
    tmp = owned_file_beside(path)
    try:
        yield tmp
        put_in_place(tmp, path, overwrite=overwrite)
    except BaseException:
        tempfiles.release(tmp)
        raise
    tempfiles.release(tmp, remove=False)


def owned_file_beside(path: Path) -> Path:
    """:func:`new_file_beside`, held by this process until :func:`omnidesk.core.tempfiles.release`
    (and noted, so that one a killed process left is found again), once what killed processes
    left beside it is gone."""
    tempfiles.clean_stale_beside(path.parent)
    tmp = new_file_beside(path)
    try:
        tempfiles.own_file(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp
