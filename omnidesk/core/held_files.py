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

- a file a Workspace of this process holds (the same ``st_dev``/``st_ino``) is read with
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
import threading
from pathlib import Path

_lock = threading.RLock()
_holds: dict[int, Path] = {}  # token -> the workspace path a Workspace of this process has open
_kept: dict[tuple[int, int], list[int]] = {}  # (st_dev, st_ino) -> descriptors kept open to read it
_tokens = itertools.count(1)
_POSIX = os.name == "posix"


def _key(path: str | os.PathLike) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def hold(path: Path) -> int:
    """Note that a Workspace of this process opens ``path`` through SQLite (it may not exist yet);
    the token to give back to :func:`release` once all its connections are closed."""
    with _lock:
        token = next(_tokens)
        _holds[token] = Path(os.path.abspath(path))
        return token


def release(token: int | None) -> None:
    """The Workspace of ``token`` has closed its connections: close the descriptors kept for files
    no Workspace holds any longer."""
    if token is None:
        return
    with _lock:
        _holds.pop(token, None)
        still = _held_keys()
        for key in [k for k in _kept if k not in still]:
            for fd in _kept.pop(key):
                os.close(fd)


def _held_keys() -> set[tuple[int, int]]:
    return {key for key in map(_key, set(_holds.values())) if key is not None}


def is_held(path: str | os.PathLike) -> bool:
    """Whether a Workspace of this process has the file at ``path`` open (any name of it)."""
    with _lock:
        key = _key(path)
        return key is not None and key in _held_keys()


def workspace_holding(path: str | os.PathLike) -> Path | None:
    """The workspace a Workspace of this process has open that ``path`` is, or is the
    ``-wal``/``-shm`` of; None for any other file."""
    with _lock:
        key = _key(path)
        if key is None:
            return None
        for held in set(_holds.values()):
            for name in (held, Path(f"{held}-wal"), Path(f"{held}-shm")):
                if _key(name) == key:
                    return held
        return None


def read_head(path: str | os.PathLike, size: int) -> bytes:
    """The first ``size`` bytes of the file at ``path`` (fewer when it is shorter), read without
    dropping a lock SQLite holds on it in this process.  Raises OSError as ``open`` does."""
    with _lock:
        if _POSIX:
            key = _key(path)
            if key is not None and key in _held_keys():
                fds = _kept.get(key)
                if fds:
                    fd = fds[0]
                else:  # opening drops no lock; this descriptor is closed only by release()
                    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
                    st = os.fstat(fd)  # the file itself, even if the name was replaced since the look
                    _kept.setdefault((st.st_dev, st.st_ino), []).append(fd)
                return os.pread(fd, size, 0)
        with open(path, "rb") as fh:
            return fh.read(size)
