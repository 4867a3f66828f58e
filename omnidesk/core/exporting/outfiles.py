"""Where an export may be written: never over a workspace, never over a file unasked.

Every file omnidesk writes for the user (CSV exports, error reports, person
zips) is checked here first.  A SQLite database (any workspace, open or not,
or a backup of one) and the ``-wal``/``-shm``/``-journal`` files beside one are
never written over, whatever flag is given: a CSV in their place destroys a
business's data.  Any other existing file is replaced only when the caller
says so (``--force`` on the command line; the GUI's save dialog asks first).
"""

from __future__ import annotations

from pathlib import Path

from omnidesk.core.errors import UserError

_SQLITE_MAGIC = b"SQLite format 3\x00"
SIDECARS = ("-wal", "-shm", "-journal")
_WORKSPACE_SUFFIXES = (".omnidesk", ".omnidesk.bak")


class OutputExistsError(UserError):
    """The output file exists and replacing it was not asked for."""


def is_database(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
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
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a file name to write to.")
    reason = guard_reason(path)
    if reason is None and workspace is not None:
        ws = Path(workspace).expanduser().resolve()
        if path.resolve() in {ws, *(ws.with_name(ws.name + s) for s in SIDECARS)}:
            reason = "it is the workspace this command works on"
    if reason is not None:
        raise UserError(f"Will not write over {path}: {reason}. Choose another file name.")
    if path.exists() and not overwrite:
        raise OutputExistsError(f"{path} already exists; choose another name or replace it.")
    return path
