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
import contextlib
import os
import re
import shutil
import stat
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
    handle = _claim(folder)
    _folder, _folder_pid, _owner_handle = folder, os.getpid(), handle
    return folder


def _claim(folder: Path):
    """Lock ``folder``'s owner file for this process; returns the handle that holds the lock."""
    claiming = folder / (f"{OWNER_FILE}.new" if fcntl is not None else OWNER_FILE)
    handle = open(claiming, "w", encoding="ascii")  # noqa: SIM115 - held while the folder is in use
    handle.write(str(os.getpid()))
    handle.flush()
    if fcntl is not None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.replace(claiming, folder / OWNER_FILE)
    return handle


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


# Work written in the user's own folders: a campaign's packs staged in a hidden folder inside
# theirs (``.omnidesk-packs-PID-…``, owned as the temp folders are) and a file written under a
# temporary name beside its own (``.NAME.PID-RANDOM.part``, its lock held on the file itself).
# Both hold people's rows until they are put in place.  A process killed meanwhile leaves them
# where no start-up clean of the temp folder looks: each is noted in the data folder's
# ``writing`` folder while it is written, so :func:`clean_stale_writes` finds it (at start-up, and
# by an erase), and the next write into the same folder looks beside it (:func:`clean_stale_beside`).
STAGED_PREFIX = ".omnidesk-packs-"
_STAGED = re.compile(r"^\.omnidesk-packs-(\d+)-")
_PART = re.compile(r"^\..*\.(\d+)-[0-9a-f]{12}\.part$", re.DOTALL)
NOTES_FOLDER = "writing"
_held: dict[Path, tuple[object, Path | None]] = {}  # what this process writes: its lock, its note


def _notes() -> Path:
    from omnidesk.core.paths import data_dir

    return data_dir() / NOTES_FOLDER


def _note(path: Path) -> Path | None:
    """Say in the data folder that ``path`` is being written; the note's own path (None if it cannot be)."""
    try:
        notes = _notes()
        notes.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f"{os.getpid()}-", suffix=".path", dir=notes)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(str(path.absolute()))
        return Path(name)
    except OSError:  # a data folder that cannot be written: the next write beside it still looks
        return None


def owned_folder(parent: Path, prefix: str = STAGED_PREFIX) -> Path:
    """A new hidden folder (mode 700) in ``parent``, owned by this process until :func:`release`."""
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))
    try:
        handle = _claim(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _held[folder] = (handle, _note(folder))
    return folder


def own_file(path: Path) -> None:
    """Hold a lock on ``path``, a new file of this process's (``.NAME.PID-RANDOM.part``), until
    :func:`release`: while it is held the file is never taken for a killed process's."""
    handle = None
    if fcntl is not None:
        handle = open(path, "rb")  # noqa: SIM115 - held while the file is written
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    _held[path] = (handle, _note(path))


def release(path: Path, *, remove: bool = True) -> None:
    """Done with a folder of :func:`owned_folder` or a file of :func:`own_file`: drop its lock and
    its note, and (``remove``) delete what is left of it."""
    handle, note = _held.pop(path, (None, None))
    if handle is not None:
        handle.close()
    if remove:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
    if note is not None:
        with contextlib.suppress(OSError):
            note.unlink(missing_ok=True)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # POSIX only (on Windows this would end the process): see _file_owner_alive
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _file_owner_alive(path: Path, pid: int) -> bool:
    """Whether the process that made the file ``path`` may still be writing it."""
    try:
        st = path.lstat()
    except OSError:
        return False
    if fcntl is None:
        return time.time() - st.st_mtime < STALE_AFTER
    if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid():
        return True  # never a link, a pipe or another user's file
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return True
    finally:
        os.close(fd)
    # Nobody holds it.  Its maker may be between making it and locking it: only a dead one's goes.
    return _pid_alive(pid)


def _stale_write(path: Path) -> bool:
    """Whether ``path`` is a staging folder or a file being written that a killed process left."""
    if path in _held:
        return False
    staged, part = _STAGED.match(path.name), _PART.match(path.name)
    if staged and path.is_dir() and not path.is_symlink():
        return not _owner_alive(path)
    if part:
        return not _file_owner_alive(path, int(part.group(1)))
    return False


def _remove_write(path: Path) -> bool:
    """Delete a killed process's staging folder or part file; whether it is gone."""
    if path.is_dir() and not path.is_symlink():
        # Files an export was replacing wait in it (``.replaced``) until the export is recorded, and
        # go with it: never put back.  Whether the killed export was recorded cannot be told from
        # here, and the new packs were built on the newer consent: an old pack put back would bring
        # back someone who opted out since, under a workspace that says the new ones were sent.
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()
    return not os.path.lexists(path)


def clean_stale_beside(folder: Path) -> int:
    """Delete what killed processes left in ``folder`` while writing into it; returns how many."""
    removed = 0
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return 0
    for entry in entries:
        if (_STAGED.match(entry.name) or _PART.match(entry.name)) and _stale_write(entry):
            removed += _remove_write(entry)
    return removed


def clean_stale_writes() -> int:
    """Delete what killed processes left wherever they were writing (the notes in the data
    folder say where); returns how many."""
    removed = 0
    try:
        notes = list(_notes().glob("*.path"))
    except OSError:
        return 0
    for note in notes:
        try:
            path = Path(note.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
        if path in _held:
            continue
        if not (_STAGED.match(path.name) or _PART.match(path.name)):
            continue  # not a name of ours: never removed, whatever the note says
        if os.path.lexists(path):
            if not _stale_write(path):
                continue
            if not _remove_write(path):
                continue
            removed += 1
        with contextlib.suppress(OSError):
            note.unlink()
    return removed
