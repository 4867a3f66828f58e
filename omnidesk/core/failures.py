"""Failures of the storage under omnidesk, told as one sentence.

A full disk and a damaged workspace file reach omnidesk as SQLite or OS errors
whose text (through SQLAlchemy) quotes the statement and its parameters: the
rows being written, customers' emails and phones.  These helpers recognise
them anywhere in an exception's chain and say what happened and where, without
a word of the data.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from omnidesk.core.errors import UserError

SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_IOERR_SHMSIZE = SQLITE_IOERR | (19 << 8)  # the shared-memory file beside a WAL file could not grow
SQLITE_NOTADB = 26
LOW_SPACE = 64 << 20  # a disk with less free than this is the full one


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        orig = getattr(exc, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's error
        if isinstance(orig, BaseException) and id(orig) not in seen:
            yield orig
            seen.add(id(orig))
        # "raise ... from None": what was being handled is not the cause (a UserError already
        # worded for the user, naming the file it is about, is not the workspace's damage).
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)


def _sqlite_code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_disk_full(exc: BaseException) -> bool:
    """A full disk (or quota), from SQLite (``SQLITE_FULL``) or from the OS (``ENOSPC``)."""
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(e, sqlite3.Error) and (
            _sqlite_code(e) == SQLITE_FULL or "database or disk is full" in str(e)
        ):
            return True
    return False


# SQLite's words for a damaged file.  Not any "malformed": "malformed JSON" is one stored value
# that json_extract cannot read, in a file that is sound.
DAMAGE_WORDS = ("database disk image is malformed", "malformed database schema", "file is not a database")


def is_damaged(exc: BaseException) -> bool:
    """SQLite found the database file damaged (``SQLITE_CORRUPT`` / ``SQLITE_NOTADB``)."""
    for e in _chain(exc):
        if isinstance(e, sqlite3.DatabaseError):
            if _sqlite_code(e) in (SQLITE_CORRUPT, SQLITE_NOTADB):
                return True
            text = str(e)
            if any(words in text for words in DAMAGE_WORDS):
                return True
    return False


def is_bad_json(exc: BaseException) -> bool:
    """A stored value that should be JSON is not: Python's parser or SQLite's JSON functions said so."""
    return any(isinstance(e, json.JSONDecodeError) or (isinstance(e, sqlite3.Error) and "malformed JSON" in str(e))
               for e in _chain(exc))


def upgrade_failure_reason(exc: BaseException) -> str:
    """Why upgrading a workspace stopped, in words for the user: a value that is not valid JSON said
    as that (never the parser's "Expecting value: line 1 column 1"), else the driver's own words."""
    if is_bad_json(exc):
        return "a value stored in it is not valid JSON"
    orig = getattr(exc, "orig", None)  # the driver's words, not the statement SQLAlchemy adds
    return str(orig if orig is not None else exc)


def upgrade_failed_message(exc: BaseException, workspace: Path, backup: Path | None) -> str:
    """One sentence for an upgrade that stopped part way: why, that the file was not changed (the
    upgrade is one transaction), and where the copy taken before it is."""
    name = Path(workspace).name
    if backup is None:  # a new (empty) file being made a workspace: nothing of the user's to upgrade
        return f"Could not prepare {name}: {upgrade_failure_reason(exc)}."
    return (f"Could not upgrade {name} for this version of omnidesk: {upgrade_failure_reason(exc)}. "
            f"The file was not changed, and a copy from before the upgrade is kept as {Path(backup).name}.")


def is_refused(exc: BaseException) -> bool:
    """SQLite refused a row for breaking a rule of the workspace (a value that must be unique is
    there already, a row it refers to is gone): the write cannot be made as it stands."""
    return any(isinstance(e, sqlite3.IntegrityError) for e in _chain(exc))


def full_place(candidates: Sequence[Path]) -> Path:
    """Which of these folders is on the full disk: the first with little space left, else the first."""
    folders = [Path(c) for c in candidates if c is not None]
    for folder in folders:
        try:
            if shutil.disk_usage(folder).free < LOW_SPACE:
                return folder
        except OSError:
            continue
    return folders[0]


def disk_full_message(exc: BaseException, workspace: Path | None, *, places: Sequence[Path] = (),
                      unchanged: bool = True) -> str:
    """One sentence for a full disk: which folder, and that nothing was changed.

    The folder is the one the failing file is in when the error names it, else
    the first of the workspace's folder and ``places`` that has little space left.
    """
    candidates: list[Path] = []
    for e in _chain(exc):
        if isinstance(e, WriteFailure):  # the user's file: the OS error names a temporary one
            candidates.append(_folder_of(e.target))
            break
        if isinstance(e, OSError) and e.filename:
            candidates.append(Path(e.filename).parent)
            break
    if workspace is not None:
        candidates.append(Path(workspace).parent)
    candidates.extend(Path(p) for p in places)
    if not candidates:
        from omnidesk.core.tempfiles import temp_root

        candidates.append(temp_root())
    place = full_place(candidates)
    what = f" while writing {Path(workspace).name}" if workspace is not None and place == Path(workspace).parent else ""
    tail = "; nothing was changed. Free some space and try again." if unchanged else \
        ". Free some space and try again."
    return f"The disk holding {place} is full{what}{tail}"


def damaged_message(workspace: Path | None) -> str:
    """One sentence for a damaged workspace file, with the way out."""
    if workspace is None:
        return "The workspace database is damaged (SQLite says its disk image is malformed)."
    name = Path(workspace).name
    return (f"{name} is damaged (SQLite says its disk image is malformed). Restore the latest backup, or "
            f"recover what can be read into a new file with: omnidesk recover \"{workspace}\" NEW.omnidesk")


def moved_message(workspace: Path, reopen: str = "open it where it is now") -> str:
    """One sentence for an open workspace whose file is no longer where it was opened (moved, deleted,
    or on a drive that was removed), with what to do."""
    workspace = Path(workspace)
    return (f"{workspace.name} is no longer at {_folder_of(workspace)}: it was moved or deleted, or its drive "
            f"was removed. Put it back, or {reopen}.")


def unreadable_message(exc: BaseException, workspace: Path) -> str:
    """One sentence for a workspace that could not be read, not for damage of its own: a full disk
    (even a reader of a WAL workspace makes a small file beside it) names the folder whose disk is
    full; any other failure of the drive is said as one.  Either way, nothing was changed."""
    workspace = Path(workspace)
    folder = _folder_of(workspace)
    shm_could_not_grow = any(isinstance(e, sqlite3.Error) and getattr(e, "sqlite_errorcode", None)
                             == SQLITE_IOERR_SHMSIZE for e in _chain(exc))
    if is_disk_full(exc) or (shm_could_not_grow and _low_on_space(folder)):
        return (f"The disk holding {folder} is full: {workspace.name} cannot be opened, as even reading it "
                "needs a little room beside it; nothing was changed. Free some space and try again.")
    orig = next((e for e in _chain(exc) if isinstance(e, sqlite3.Error)), exc)
    return (f"{workspace.name} could not be read: the drive it is on reported an error ({orig}); nothing was "
            "changed. Check the drive, then try again.")


def _low_on_space(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < LOW_SPACE
    except OSError:
        return False


def _name_too_long_error(exc: BaseException) -> OSError | None:
    return next((e for e in _chain(exc) if isinstance(e, OSError) and e.errno == errno.ENAMETOOLONG), None)


def _limit(folder: Path, name: str, default: int) -> int:
    """The file system's own limit (``PC_NAME_MAX``, ``PC_PATH_MAX``) of the nearest folder there is."""
    for place in (folder, *folder.parents):
        try:
            return int(os.pathconf(place, name))
        except (OSError, ValueError):
            continue
    return default


def _too_long(path: Path) -> tuple[str, int, int, str]:
    """What of ``path`` is too long for its disk: ("name" | "folder name" | "path", its size in
    bytes as the disk counts them (an accented letter is two), the disk's limit, what to do)."""
    parts = [p for p in path.parts if p != path.anchor] or [str(path)]
    longest = max(parts, key=lambda p: len(os.fsencode(p)))
    folder = path.parent.absolute()
    name_max = _limit(folder, "PC_NAME_MAX", 255)
    size = len(os.fsencode(longest))
    if size > name_max:
        return ("name" if longest == parts[-1] else "folder name"), size, name_max, "choose a shorter one"
    return ("path", len(os.fsencode(str(path))), _limit(folder, "PC_PATH_MAX", 4096),
            "choose a shorter name, or a folder nearer the top")


def name_too_long_text(path: str | os.PathLike[str] | None) -> str:
    """One sentence for a path the system refused as too long (``ENAMETOOLONG``): the name of the file
    (or of a folder on the way) longer than the disk keeps, or the whole path, with the disk's limit."""
    if path is None:
        return "That name is too long for this disk: choose a shorter one."
    what, size, limit, advice = _too_long(Path(path))
    return f"That {what} is too long for this disk ({size:,} bytes; at most {limit:,}): {advice}."


def name_too_long_message(exc: BaseException) -> str | None:
    """The sentence of :func:`name_too_long_text` when the system refused a path as too long, else None.

    The path is the user's (a :class:`WriteFailure`'s target), not a temporary file beside it."""
    error = _name_too_long_error(exc)
    if error is None:
        return None
    target = next((e.target for e in _chain(exc) if isinstance(e, WriteFailure)), None)
    if target is None and isinstance(error.filename, (str, bytes, os.PathLike)):
        target = Path(os.fsdecode(error.filename))
    return name_too_long_text(target)


def describe(exc: BaseException, workspace: Path | None, *, places: Sequence[Path] = ()) -> str | None:
    """The one sentence for a full disk, a damaged workspace or a file name too long for the disk,
    or None for any other failure."""
    if is_disk_full(exc):
        return disk_full_message(exc, workspace, places=places)
    too_long = name_too_long_message(exc)
    if too_long is not None:
        return too_long
    if is_damaged(exc):
        return damaged_message(workspace)
    return None


class WriteFailure(UserError):
    """A file the user asked for could not be written; ``reason`` is why, said of their file and folder."""

    def __init__(self, target: Path, reason: str) -> None:
        self.target, self.reason = Path(target), reason
        super().__init__(f"cannot write {self.target.name}: {reason}")


def _folder_of(target: Path) -> Path:
    folder = target.parent
    return folder.absolute() if str(folder) == "." else folder  # "the folder ." tells nobody where


def write_failure_reason(target: Path, exc: OSError) -> str:
    """Why ``target`` could not be written, from the OS error of writing it or a temporary file beside it.

    The error's own text names the temporary file (``.c.csv.RANDOM.part``), which the
    user never asked for and will not find; this names their file's folder.
    """
    target = Path(target)
    folder = _folder_of(target)
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        return f"the disk holding {folder} is full"
    if code in (errno.ENOENT, errno.ENOTDIR) and not folder.is_dir():
        return f"there is no folder {folder}"
    if code == errno.EROFS:
        return f"the folder {folder} is on a read-only disk"
    if code in (errno.EACCES, errno.EPERM):
        if not os.access(folder, os.X_OK):  # not even looked into: another user's folder
            return f"the folder {folder} cannot be opened (permission denied)"
        names = {os.path.abspath(n) for n in (exc.filename, exc.filename2) if isinstance(n, (str, os.PathLike))}
        if os.path.abspath(target) in names and (target.exists() or target.is_symlink()):
            # The temporary file was written: what was refused is moving the file already there.
            return (f"the file {target.name} already in {folder} may not be replaced (it is read-only, open in "
                    "another program or belongs to another user)")
        return f"the folder {folder} is read-only"
    if code == errno.EISDIR:
        return f"{target} is a folder"
    if code == errno.ENAMETOOLONG:
        what, size, limit, advice = _too_long(target)
        return f"its {what} is too long for this disk ({size:,} bytes; at most {limit:,}); {advice}"
    text = (exc.strerror or os.strerror(code)) if code is not None else str(exc)
    return text[:1].lower() + text[1:]


@contextmanager
def telling_write_failures(target: Path) -> Iterator[None]:
    """Turn an OS error of writing ``target`` (or a temporary file for it) into a :class:`WriteFailure`.

    The OS error stays its cause, so :func:`describe` still tells a full disk
    its own way (nothing changed, free some space) where it is asked.
    """
    try:
        yield
    except OSError as exc:
        if exc.errno is None:  # not the system's refusal (no file named): it says what it means
            raise
        raise WriteFailure(target, write_failure_reason(target, exc)) from exc


def release_log_space(ws) -> None:
    """After a write failed on a full disk: empty the write-ahead log, handing its space back (best effort).

    The failed transaction rolled back, so the log holds nothing the file needs
    when what was committed before was checkpointed first (``checkpoint(...,
    "PASSIVE")`` before a big write).
    """
    from omnidesk.core.dialect import checkpoint

    try:
        with ws.own_change():
            checkpoint(ws.engine)
    except Exception:  # noqa: BLE001 - still full: the log stays, and is emptied on the next open
        pass


def message_for(exc: BaseException, workspace: Path | None) -> str:
    """What to tell the user about any failure of a write: one sentence, never the rows it was writing."""
    told = describe(exc, workspace)
    if told is not None:
        return told
    from omnidesk.core.workspace import WorkspaceError

    if isinstance(exc, (UserError, WorkspaceError, OSError)):
        return str(exc)
    orig = getattr(exc, "orig", None)
    if orig is not None:  # SQLAlchemy's text quotes the statement and its parameters: leave them out
        return f"The database refused the change ({orig}); nothing was changed."
    return f"{type(exc).__name__}: {exc}"
