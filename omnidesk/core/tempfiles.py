"""Omnidesk's temporary files: one private folder per running process, cleaned when it dies.

Scratch copies of a workspace (a dry run of several files) and unpacked zip
members are raw copies of people's rows.  They go in a folder only the user can
read (mode 700), named ``omnidesk-PID-…`` in the system's temp folder.  The
process holds a lock on the folder's ``.owner`` file for as long as it runs;
a folder whose lock nobody holds belonged to a process that was killed, and
:func:`clean_stale` (run when the app or a command starts, and by an erase)
deletes it.  Without file locks (Windows) a folder goes once it is a day old.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

PREFIX = "omnidesk-"
OWNER_FILE = ".owner"
STALE_AFTER = 24 * 3600  # seconds: a folder nobody can prove is in use goes after a day
# Folders older versions made straight in the temp folder, with no owner to ask.
LEGACY_PREFIXES = ("omnidesk-unpacked-", "omnidesk-dry-run-", "omnidesk-demo-")
_OWNED = re.compile(r"^omnidesk-(\d+)-")

_folder: Path | None = None
_folder_pid: int | None = None
_owner_handle = None


def temp_root() -> Path:
    """The system's temp folder, where the private folders live."""
    return Path(tempfile.gettempdir())


def private_dir() -> Path:
    """This process's private temp folder (mode 700), made on first use."""
    global _folder, _folder_pid, _owner_handle
    if _folder is not None and _folder_pid == os.getpid() and _folder.is_dir() and _folder.parent == temp_root():
        return _folder
    _remove_own_folder()  # the temp folder moved (TMPDIR changed): start afresh there
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=temp_root()))
    os.chmod(folder, 0o700)  # mkdtemp already does; say it for file systems that differ
    # The owner file gets its name only once locked: a process cleaning up meanwhile finds no owner
    # to ask and keeps a folder this young, where an owner file not locked yet would read as dead.
    # (Without file locks, Windows, where an open file cannot be renamed, the age alone tells.)
    claiming = folder / (f"{OWNER_FILE}.new" if fcntl is not None else OWNER_FILE)
    handle = open(claiming, "w", encoding="ascii")  # noqa: SIM115 - held for the process's life
    handle.write(str(os.getpid()))
    handle.flush()
    if fcntl is not None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.replace(claiming, folder / OWNER_FILE)
    _folder, _folder_pid, _owner_handle = folder, os.getpid(), handle
    return folder


def _remove_own_folder() -> None:
    global _folder, _owner_handle
    if _folder is not None and _folder_pid == os.getpid():
        if _owner_handle is not None:
            _owner_handle.close()
            _owner_handle = None
        shutil.rmtree(_folder, ignore_errors=True)
        _folder = None


atexit.register(_remove_own_folder)


def mkdtemp(prefix: str) -> Path:
    """A new folder inside :func:`private_dir`; the caller removes it."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir=private_dir()))


@contextmanager
def temporary_directory(prefix: str) -> Iterator[Path]:
    """A folder inside :func:`private_dir`, removed with everything in it afterwards."""
    folder = mkdtemp(prefix)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _owner_alive(folder: Path) -> bool:
    """Whether the process that made ``folder`` may still be using it."""
    owner = folder / OWNER_FILE
    try:
        age = time.time() - folder.stat().st_mtime
    except OSError:
        return False
    if fcntl is None or not owner.exists():
        # No lock to ask (Windows, or a folder caught between being made and locked).
        return age < STALE_AFTER
    try:
        with open(owner, "a", encoding="ascii") as fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
            return False
    except OSError:  # another user's folder, or gone meanwhile
        return True


def clean_stale(root: Path | None = None, *, legacy_any_age: bool = False) -> int:
    """Delete the temp folders of omnidesk processes that are gone; returns how many.

    Folders of older versions (no owner to ask) go when a day old, or at once
    with ``legacy_any_age`` (an erase: they may hold the person).
    """
    root = temp_root() if root is None else Path(root)
    removed = 0
    try:
        entries = list(root.iterdir())
    except OSError:
        return 0
    for entry in entries:
        name = entry.name
        if not name.startswith(PREFIX) or not entry.is_dir() or entry.is_symlink():
            continue
        if _folder is not None and entry == _folder and _folder_pid == os.getpid():
            continue
        if _OWNED.match(name):
            stale = not _owner_alive(entry)
        elif name.startswith(LEGACY_PREFIXES):
            try:
                stale = legacy_any_age or time.time() - entry.stat().st_mtime >= STALE_AFTER
            except OSError:
                stale = False
        else:
            continue
        if stale:
            shutil.rmtree(entry, ignore_errors=True)
            removed += not entry.exists()
    return removed
