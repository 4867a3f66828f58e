"""The demo workspace: a believable small shop, built through the real import path.

Channel exports are written as the vendors write them (``demo_data``) and then
imported exactly like a user's files, so the demo exercises the real code.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from omnidesk.core import tempfiles
from omnidesk.core.demo_data import write_demo_files
from omnidesk.core.errors import UserError
from omnidesk.core.exporting.outfiles import put_in_place
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.importing.unreadable import NoRowsError
from omnidesk.core.dialect import open_elsewhere, remove_workspace_files
from omnidesk.core.importing.batches import list_batches
from omnidesk.core.workspace import Workspace, WorkspaceError


def build_demo(path: str | os.PathLike, *, customers: int = 300, force: bool = False,
               seed: int = 20260101) -> dict:
    """Build the demo workspace at ``path``; returns a summary with row counts.

    The workspace is assembled in a temporary file beside ``path`` and moved
    into place only when complete, so an interrupted build leaves nothing
    half-made.  An existing file is replaced only with ``force``.
    """
    path = Path(path).expanduser()
    if path.exists():
        _may_replace(path, force, "choose another path.")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Its own scratch name: a second build at the same path (another window, the command line)
    # would otherwise remove this one's half-built file, or have its own moved into place.
    partial = path.with_name(f"{path.name}.building-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    files = []
    try:
        with tempfiles.temporary_directory("demo-") as tmp:
            demo_files = write_demo_files(Path(tmp), customers=customers, seed=seed)
            with Workspace.open(partial, create=True) as ws:
                ws.set_setting(DEMO_SETTING, True)  # what lets a later --force replace it (is_demo)
                ws.set_setting("business_name", "Harbor & Pine")
                ws.set_setting("default_region", "US")
                ws.set_setting("timezone", "America/New_York")  # the shop is in Portland, Maine
                for demo_file in demo_files:
                    try:
                        result = import_file(
                            ws, demo_file.path,
                            ImportOptions(channel=demo_file.channel, kind=demo_file.kind,
                                          preset=demo_file.preset),
                        )
                    except NoRowsError:
                        continue  # a small demo shop has no one in this export (no unsubscribes yet)
                    files.append(result.summary())
                counts = ws.counts()
                # Its own imports, told from any the user adds to it later (_refuse_if_kept).
                ws.set_setting(DEMO_IMPORTS_SETTING, len(list_batches(ws)))
        # The same questions again, a minute of building later: what is at the path now may not be
        # what was there when the build began (a workspace made there meanwhile, by hand or by a window).
        if os.path.lexists(path):
            _may_replace(path, force, "the new demo was not put there.")
            _close_for_replacing(path)
            os.replace(partial, path)
        else:  # nothing there: and nothing that appears there now is replaced
            put_in_place(partial, path, overwrite=False)
    finally:
        remove_workspace_files(partial)
    return {"workspace": str(path), "files": files, "counts": counts}


def _may_replace(path: Path, force: bool, otherwise: str) -> None:
    """UserError unless the file at ``path`` is a demo that ``force`` allows replacing."""
    try:
        with Workspace.open(path, readonly=True) as ws:
            marked = ws.get_setting(DEMO_SETTING) is True
            own = ws.get_setting(DEMO_IMPORTS_SETTING)
            batches = list_batches(ws)
            with ws.engine.connect() as conn:
                done = _work_done(conn)
    except WorkspaceError as exc:
        # What cannot be read cannot be told to be a demo holding nothing of the user's (a damaged
        # file, one from a newer omnidesk): it is never replaced.
        raise UserError(f"{_said(exc)}. A demo replaces only an earlier demo it can read: {otherwise}") from None
    if not marked:
        # Not even with force: a shop's own workspace (or any other file) is never replaced by a
        # demo, not even at the demo's own path; only a workspace built as a demo is.
        raise UserError(f"{path} is not a demo workspace, and a demo never takes the place of one; {otherwise}")
    if not force:
        raise UserError(f"{path} already exists; add --force to replace it with a new demo.")
    _refuse_if_kept(path, own, batches, done)


def _said(exc: Exception) -> str:
    """An open's refusal, without its closing full stop (a sentence follows it)."""
    return str(exc).strip().rstrip(".")


DEMO_SETTING = "demo_workspace"
DEMO_IMPORTS_SETTING = "demo_imports"


def _refuse_if_kept(path: Path, own, batches: list[dict], done: list[str]) -> None:
    """UserError when the demo at ``path`` holds imports or other work of the user's own: it has
    become theirs.  ``own`` is how many of its imports (the first ones) building it made; a demo
    that does not say (one built before it did) counts every import as the user's."""
    own = own if isinstance(own, int) and not isinstance(own, bool) and own >= 0 else 0
    if len(batches) > own:
        # Newest first; one the user undid holds nothing of theirs any more.
        names = [b["file_name"] for b in batches[: len(batches) - own] if b["status"] != "undone"]
        if names:
            raise UserError(f"{path} holds {len(names)} import{'s' if len(names) != 1 else ''} of your own "
                            f"({', '.join(names[:3])}{', …' if len(names) > 3 else ''}); --force replaces a "
                            "demo, never what you brought into it: choose another path.")
    if done:
        raise UserError(f"{path} holds work of your own ({', '.join(done)}); --force replaces a demo, never "
                        "what you did in it: choose another path.")


def _work_done(conn) -> list[str]:
    """What the user did in a demo that building one never does, each said with how many: a
    decision on who is who, a merge by hand, a record typed in, a value typed or pinned on a card,
    a note, an erase, a saved segment, a message, a campaign, a brand kit's picture."""
    from sqlalchemy import func, select

    from omnidesk.core.models import (
        HAND_KIND,
        Asset,
        Campaign,
        Customer,
        ImportBatch,
        MatchDecision,
        MergeLog,
        Message,
        SavedSegment,
        SourceRecord,
        Suppression,
    )
    from omnidesk.core.text import counted

    def count(table, *where) -> int:
        return conn.execute(select(func.count()).select_from(table.__table__).where(*where)).scalar() or 0

    customer = Customer.__table__.c
    found = [
        counted(count(MatchDecision), "decision on who is who", "decisions on who is who"),
        counted(count(MergeLog, MergeLog.__table__.c.kind != "auto"), "merge or split by hand",
                "merges or splits by hand"),
        counted(count(SourceRecord, SourceRecord.__table__.c.batch_id.in_(
            select(ImportBatch.__table__.c.id).where(ImportBatch.__table__.c.kind == HAND_KIND))),
            "record typed in by hand", "records typed in by hand"),
        counted(count(Customer, customer.pinned_json.not_in(("", "{}"))), "customer edited by hand",
                "customers edited by hand"),
        counted(count(Customer, customer.notes != ""), "customer with notes", "customers with notes"),
        # One erase leaves a hash per email, phone, name and street: said as "someone", not counted.
        "someone erased" if count(Suppression) else "0 ",
        counted(count(SavedSegment), "saved segment"),
        counted(count(Message), "message"),
        counted(count(Campaign), "campaign"),
        counted(count(Asset), "brand kit picture"),
    ]
    return [said for said in found if not said.startswith("0 ")]


def _close_for_replacing(path: Path) -> None:
    """Make sure nobody has the demo at ``path`` open, and fold its write-ahead log into it.

    A demo replaced while an import into it ran (or a window had it open) took that work's
    log away with it: the import said it was done, and nothing of it was there.
    """
    if open_elsewhere(path):
        raise UserError(f"{path} is open in a window or busy with an import; close it (or let the "
                        "import finish), then build the demo again.")
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def is_demo(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a demo workspace: built by :func:`build_demo`, which says so in its
    settings.  Its path says nothing: a shop's own workspace may sit at the demo's."""
    try:
        with Workspace.open(Path(path).expanduser(), readonly=True) as ws:
            return ws.get_setting(DEMO_SETTING) is True
    except Exception:  # noqa: BLE001 - not a workspace, damaged, unreadable: not a demo
        return False


def ensure_demo(path: str | os.PathLike, *, customers: int = 300) -> Path:
    """The demo workspace at ``path``, built first when it does not exist yet."""
    path = Path(path)
    if not path.exists():
        build_demo(path, customers=customers)
    return path
