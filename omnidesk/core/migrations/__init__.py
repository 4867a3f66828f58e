"""Alembic migrations of the workspace schema, and the rebuilds they ask for.

A migration that needs customers rebuilt with today's rules (which read
today's schema) must not rebuild them itself: a later migration may add a
column those rules read.  It asks for the rebuild with :func:`rebuild_after`,
and ``Workspace._migrate`` runs each rebuild asked for once, at head.
"""

from __future__ import annotations

# In the order they run: name counts first, since every customer's card reads them (and placing a
# record compares names by them); the tags typed by hand before the cards, which show them.
REBUILDS = ("name_counts", "hand_tags", "refusal_emails", "customers", "search_names")
_asked: set[str] = set()
_said: list[str] = []  # what the rebuilds that ran changed, for the user (see :func:`take_notes`)


def rebuild_after(*what: str) -> None:
    """Ask for a rebuild once the schema is at head ("name_counts", "hand_tags", "refusal_emails",
    "customers", "search_names")."""
    unknown = set(what) - set(REBUILDS)
    if unknown:
        raise ValueError(f"unknown rebuild: {', '.join(sorted(unknown))}")
    _asked.update(what)


def run_rebuilds(conn) -> list[str]:
    """Run the rebuilds the migrations asked for, in order; returns which ran."""
    from omnidesk.core.identity.golden import refresh_all
    from omnidesk.core.identity.stats import rebuild_counts

    ran = [w for w in REBUILDS if w in _asked]
    _asked.clear()
    for what in ran:
        if what == "name_counts":
            rebuild_counts(conn)
        elif what == "hand_tags":
            from omnidesk.core.edits import spell_hand_tags_as_the_workspace
            from omnidesk.core.identity.golden import refresh_customers

            changed = spell_hand_tags_as_the_workspace(conn)
            if changed and "customers" not in ran:  # else every card is worked out again next
                refresh_customers(conn, changed)
        elif what == "refusal_emails":
            from omnidesk.core.importing.backfill import read_refusal_emails_again

            n, kept = read_refusal_emails_again(conn)
            if n:
                _said.append(f"{n:,} opt-out{'s' if n != 1 else ''} whose email address had a slip now "
                             f"reach{'' if n != 1 else 'es'} the address {'they name' if n != 1 else 'it names'}.")
            if kept:
                _said.append(f"{kept:,} opt-out{'s' if kept != 1 else ''} whose email address cannot be read "
                             f"{'are' if kept != 1 else 'is'} kept as read, flagged to be corrected, without "
                             f"the nameless customer an older version made of {'each' if kept != 1 else 'it'}.")
        elif what == "search_names":
            if "customers" not in ran:  # else every search entry was made again already
                from omnidesk.core.identity.golden import reindex_invisible_names

                reindex_invisible_names(conn)
        else:
            refresh_all(conn)
    return ran


def take_notes() -> str:
    """What the rebuilds that ran changed, said once ("" when nothing a user would miss)."""
    said = " ".join(_said)
    _said.clear()
    return said


def forget_rebuilds() -> None:
    """Drop what a failed upgrade asked for (its transaction rolled back), and what it said."""
    _asked.clear()
    _said.clear()
