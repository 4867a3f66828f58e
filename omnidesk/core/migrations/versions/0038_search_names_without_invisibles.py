"""a name's search entry leaves out the characters it never shows

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-14 09:00:00

A zero-width space, word joiner, byte order mark or soft hyphen pasted inside a name ("Lo\u200bpez",
which looks like "Lopez") kept the customer from the search box: "Lopez" did not find them.  Search
entries are now made without those characters, and what is typed is read without them.  The
entries of the customers whose names hold one are made again, once, at head
(``rebuild_after("search_names")``); a workspace without such a name is left as it is.

Downgrade: the schema does not change; the entries stay as they are made now.
"""

from collections.abc import Sequence

revision: str = '0038'
down_revision: str | None = '0037'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from omnidesk.core.migrations import rebuild_after

    rebuild_after("search_names")


def downgrade() -> None:
    pass
