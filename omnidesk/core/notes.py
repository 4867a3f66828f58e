"""The user's own notes on a customer: free text kept beside the golden record.

Notes are the user's words, not imported data, so survivorship never touches
them: refreshing a golden record leaves ``customer.notes`` as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from omnidesk.core.changes import Changes
from omnidesk.core.errors import UserError
from omnidesk.core.models import Customer, MergeLog, utcnow
from omnidesk.core.workspace import Workspace


def customer_notes(ws: Workspace, customer_id: int) -> str:
    """The customer's notes ("" when none); raises UserError for an unknown customer."""
    cust = Customer.__table__
    with ws.engine.connect() as conn:
        notes = conn.execute(select(cust.c.notes).where(cust.c.id == customer_id)).first()
    if notes is None:
        raise UserError(f"There is no customer {customer_id}.")
    return notes[0] or ""


def set_customer_notes(ws: Workspace, customer_id: int, text: str, *, wait: float | None = None) -> bool:
    """Replace the customer's notes with ``text`` in one transaction.

    Returns True when the notes changed, False when they already said that.
    Raises UserError for an unknown customer, and WorkspaceBusyError when
    another window's import held the workspace for longer than ``wait``
    seconds (default: the workspace's busy timeout); nothing is written then,
    and the caller still has the text to try again.
    """
    edit = replace_notes(ws, customer_id, text, wait=wait)
    return edit.before != edit.after


@dataclass(frozen=True)
class NotesEdit:
    """One saved edit of a customer's notes: the text before and after."""

    customer_id: int
    before: str
    after: str

    @property
    def changes(self) -> Changes:
        return Changes(notes=frozenset({self.customer_id}))


def replace_notes(ws: Workspace, customer_id: int, text: str, *, expect: str | None = None,
                  wait: float | None = None, append: bool = False) -> NotesEdit:
    """:func:`set_customer_notes`, saying what the notes were.

    With ``expect``, the notes must read exactly so now, else nothing is
    written and UserError says so: an undo never overwrites words typed since.
    With ``append``, ``text`` goes after the notes already there (a blank line
    between), read and written in the one transaction.
    """
    cust = Customer.__table__
    with ws.writing(wait) as conn:
        current = conn.execute(select(cust.c.notes).where(cust.c.id == customer_id)).first()
        if current is None:
            raise UserError(f"There is no customer {customer_id}; the notes were not saved.")
        before = current[0] or ""
        if append:
            text = joined_notes(before, text)
        if expect is not None and before != expect:
            raise UserError(f"The notes on customer {customer_id} were changed since; they were left as they are.")
        if before != text:
            conn.execute(update(cust).where(cust.c.id == customer_id).values(notes=text, updated_at=utcnow()))
    return NotesEdit(customer_id, before, text)


def joined_notes(before: str, added: str) -> str:
    """``added`` after the notes ``before``, a blank line between (nothing between when there were none)."""
    if not before.strip():
        return added
    return f"{before.rstrip()}\n\n{added}"


def merged_into(ws: Workspace, customer_id: int) -> int | None:
    """The customer that took ``customer_id`` in, when it was merged into another; else None.

    The latest merge standing (not undone) that absorbed it names the survivor; when that
    one was merged away in turn, the chain is followed to the customer there is now.
    None when it was never merged away (erased, its import undone) or the chain ends
    at someone who is gone.
    """
    log, cust = MergeLog.__table__, Customer.__table__
    seen = {customer_id}
    current = customer_id
    with ws.engine.connect() as conn:
        while True:
            survivor = conn.execute(
                select(log.c.survivor_id).where(log.c.absorbed_id == current, log.c.undone.is_(False),
                                                log.c.kind != "unmerge")
                .order_by(log.c.id.desc()).limit(1)).scalar()
            if survivor is None or survivor in seen:
                return None
            if conn.execute(select(cust.c.id).where(cust.c.id == survivor)).first() is not None:
                return survivor
            seen.add(survivor)
            current = survivor
