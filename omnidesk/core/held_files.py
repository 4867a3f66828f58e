"""The workspace files this process has open through SQLite, and how to read their bytes safely.

On POSIX the locks SQLite takes are fcntl advisory locks, which belong to the process and the
file, not to a descriptor: closing *any* descriptor of the file drops every lock this process
holds on it (https://www.sqlite.org/howtocorrupt.html, section 2.2).  A plain
``open()``/``close()`` of a workspace that a :class:`~omnidesk.core.workspace.Workspace` of this
process has open (a header check, an export's "is this a database?") would make another process,
a command say, believe it is the last user: it then folds and deletes the ``-wal``/``-shm`` still
in use here, and this process reads old data and loses its next writes.

SQLite guards against this between its own connections in one process (one lock table per file,
and a descriptor whose file still has locks is not closed), so only raw reads are a danger.  Every
raw read of a file that may be a workspace goes through :func:`read_head`:

- a file a Workspace of this process holds (the same ``st_dev``/``st_ino`` as the file it opened,
  noted when it opened it: the user may rename the file in the Finder meanwhile), or the
  ``-wal``/``-shm`` beside it (SQLite locks the ``-shm``: a command would take a log nobody else
  seems to hold for its own and start it over), is read with
  ``os.pread`` through one descriptor that is never closed while a Workspace holds the file: it
  is closed by :func:`release`, which a Workspace calls after it has closed its connections;
- any other file is opened, read and closed as usual, under the same lock as :func:`hold`, so no
  Workspace of another thread starts using it meanwhile.

Why a kept descriptor rather than skipping the read of a held file: the header is still read as
it is (whether the file is in WAL mode, say), with no second source of truth to keep in step; it
costs one descriptor per workspace open, only once it has been read.  A file the user names for
reading whole (an import) is refused instead when it is, or sits beside, a held workspace
(:func:`workspace_holding`).
"""

from __future__ import annotations

import itertools
import os
import struct
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

@dataclass
class _Hold:
    path: Path  # the name it was opened by: SQLite keeps using the -wal/-shm beside it; for messages
    key: tuple[int, int] | None  # (st_dev, st_ino): the file itself, whatever it is called since


_lock = threading.RLock()
_holds: dict[int, _Hold] = {}  # token -> a file a Workspace of this process has open
_kept: dict[tuple[int, int], list[int]] = {}  # (st_dev, st_ino) -> descriptors kept open to read it
_kept_for: dict[tuple[int, int], tuple[int, int]] = {}  # a kept file -> the held workspace it is, or is the log of
_tokens = itertools.count(1)
_POSIX = os.name == "posix"
_SIBLINGS = ("-wal", "-shm")


def _key(path: str | os.PathLike) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def hold(path: Path) -> int:
    """Note that a Workspace of this process opens ``path`` through SQLite; the token to give back
    to :func:`release` once all its connections are closed.  The file is known by what it is, not
    by its name (the user may rename it while it is open): a file that does not exist yet is
    known once :func:`identify` is told SQLite has made it."""
    with _lock:
        token = next(_tokens)
        path = Path(os.path.abspath(path))
        _holds[token] = _Hold(path, _key(path))
        return token


def identify(token: int | None) -> None:
    """SQLite has the file of ``token`` open now (made it, if it was new): note what file it is,
    if that is not known yet."""
    with _lock:
        held = _holds.get(token) if token is not None else None
        if held is not None and held.key is None:
            held.key = _key(held.path)


def renamed(token: int | None) -> bool:
    """Whether the file of ``token`` no longer goes by the name it was opened by (the user renamed
    or moved it meanwhile).  SQLite then keeps its log beside the old name, where nobody opening
    the new one looks, and does not fold it into the file when its last connection closes."""
    with _lock:
        held = _holds.get(token) if token is not None else None
        return held is not None and held.key is not None and _key(held.path) != held.key


def release(token: int | None) -> None:
    """The Workspace of ``token`` has closed its connections: close the descriptors kept for files
    no Workspace holds any longer."""
    if token is None:
        return
    with _lock:
        _holds.pop(token, None)
        still = _held_keys()
        for key in [k for k in _kept if _kept_for.get(k, k) not in still]:
            _kept_for.pop(key, None)
            for fd in _kept.pop(key):
                os.close(fd)


def _identity(held: _Hold) -> tuple[int, int] | None:
    # Not known yet only between hold() and SQLite making the file: its name is all there is.
    return held.key if held.key is not None else _key(held.path)


def _held_keys() -> set[tuple[int, int]]:
    return {key for key in map(_identity, list(_holds.values())) if key is not None}


def _holding(key: tuple[int, int] | None) -> Path | None:
    if key is not None:
        for held in list(_holds.values()):
            if _identity(held) == key:
                return held.path
    return None


def is_held(path: str | os.PathLike) -> bool:
    """Whether a Workspace of this process has the file at ``path`` open (by any name of it, the
    one it had when it was opened or any it was renamed to since)."""
    with _lock:
        return _holding(_key(path)) is not None


def held_as(path: str | os.PathLike) -> Path | None:
    """The name a Workspace of this process opened the file at ``path`` by, when one has it open;
    None when none does."""
    with _lock:
        return _holding(_key(path))


def workspace_holding(path: str | os.PathLike) -> Path | None:
    """The workspace a Workspace of this process has open that ``path`` is, or is the
    ``-wal``/``-shm`` of (beside its name now, or beside the name it was opened by, which SQLite
    keeps using); None for any other file.  The name returned is the one it was opened by."""
    with _lock:
        key = _key(path)
        if key is None:
            return None
        found = _holding(key)
        if found is not None:
            return found
        name = os.fspath(path)
        for suffix in _SIBLINGS:
            if name.endswith(suffix):
                found = _holding(_key(name[: -len(suffix)]))
                if found is not None:
                    return found
        for held in list(_holds.values()):
            if any(_key(f"{held.path}{suffix}") == key for suffix in _SIBLINGS):
                return held.path
        return None


def _owner(path: str | os.PathLike, key: tuple[int, int] | None) -> tuple[int, int] | None:
    """The held workspace the file at ``path`` is, or is the ``-wal``/``-shm`` of (SQLite locks the
    ``-shm`` while the workspace is open: closing any descriptor of it would drop those too);
    None for any other file."""
    if key is None:
        return None
    held = _held_keys()
    if key in held:
        return key
    name = os.fspath(path)
    for suffix in _SIBLINGS:
        if name.endswith(suffix):
            owner = _key(name[: -len(suffix)])
            if owner in held:
                return owner
    for hold in list(_holds.values()):
        if any(_key(f"{hold.path}{suffix}") == key for suffix in _SIBLINGS):
            return _identity(hold)
    return None


def read_head(path: str | os.PathLike, size: int) -> bytes:
    """The first ``size`` bytes of the file at ``path`` (fewer when it is shorter), read without
    dropping a lock SQLite holds on it in this process.  Raises OSError as ``open`` does."""
    with _lock:
        if _POSIX:
            key = _key(path)
            owner = _owner(path, key)
            if owner is not None:
                fds = _kept.get(key)
                if fds:
                    fd = fds[0]
                else:  # opening drops no lock; this descriptor is closed only by release()
                    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
                    st = os.fstat(fd)  # the file itself, even if the name was replaced since the look
                    _kept.setdefault((st.st_dev, st.st_ino), []).append(fd)
                    _kept_for[(st.st_dev, st.st_ino)] = owner
                return os.pread(fd, size, 0)
        with open(path, "rb") as fh:
            return fh.read(size)


# -- a file open in another process by another name ------------------------------------------

# SQLite's lock bytes on a database file (os_unix.c): PENDING_BYTE, RESERVED_BYTE and the
# 510 bytes of the SHARED range after them.  A connection in WAL mode holds a read lock on the
# SHARED range for as long as it is open, and a read lock on its ``-shm`` (the "DMS" byte).
_LOCK_BYTES = (0x40000000, 512)
# struct flock as each system lays it out, and where its l_type is.
_FLOCK = {"linux": ("hhqqi4x", 0), "darwin": ("qqihh", 3)}.get(sys.platform)


def _locked_by_another(path: str, start: int, length: int) -> bool | None:
    """Whether another process holds an fcntl lock on bytes ``start``.. of ``path`` (``length`` 0:
    to the end); None when that cannot be told (no such file, a system without fcntl locks)."""
    if _FLOCK is None:
        return None
    import fcntl

    fmt, type_at = _FLOCK
    fields = ((start, length, 0, fcntl.F_WRLCK, os.SEEK_SET) if sys.platform == "darwin"
              else (fcntl.F_WRLCK, os.SEEK_SET, start, length, 0))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return False  # nobody can hold a lock on a file that is not there
    except OSError:
        return None
    try:
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack(fmt, *fields))
    except OSError:
        return None
    finally:
        os.close(fd)
    return struct.unpack(fmt, answer)[type_at] != fcntl.F_UNLCK


def open_by_another_name(path: str | os.PathLike, *, looks: int = 5, pause: float = 0.02) -> bool:
    """Whether another process has the WAL workspace at ``path`` open under another name (it was
    renamed or moved while open there).

    SQLite finds a database's log by the name it was opened by: that process keeps writing a
    ``-wal`` beside the old name, and one opening the new name would start a second log for the
    same file, each blind to the other's work, and could fold its own into the file over the
    other's.  Told by the locks: the file is locked by another process, but no process holds
    the ``-shm`` beside this name, which every connection in WAL mode holds while open.  Looked
    at ``looks`` times ``pause`` apart, since a process opening the file at this moment locks it
    a moment before its ``-shm``; a file this process holds is never looked at (opening and
    closing a descriptor of it would drop this process's locks).  False where locks cannot be
    told (Windows, where an open file cannot be renamed, or a ``-shm`` this user cannot read).
    """
    # SQLite follows links and keeps its log beside the file they lead to.
    name = os.path.realpath(path)
    for look in range(looks):
        with _lock:
            if _holding(_key(name)) is not None:
                return False
            if not _locked_by_another(name, *_LOCK_BYTES):
                return False
            if _locked_by_another(f"{name}-shm", 0, 0) is not False:
                return False  # held beside this name, or not to be told (unreadable): not renamed
        if look < looks - 1:
            time.sleep(pause)
    return True
