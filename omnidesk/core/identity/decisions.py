"""The user's merge and reject decisions, as the resolver reads them.

Decisions are kept against row hashes and customer-id keys (see
:func:`external_key`), so they outlive re-imports; here they are loaded and
turned into pairs of profile indexes for the clustering.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import or_, select
from sqlalchemy.engine import Connection

from omnidesk.core.identity.profiles import chunks
from omnidesk.core.identity.scoring import Profile
from omnidesk.core.models import MatchDecision, SourceRecord


def load_decisions(conn: Connection, hashes: Iterable[str] | None = None) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The user's rejected and merged pairs of row hashes: all, or those touching ``hashes``."""
    md = MatchDecision.__table__
    rejected: list[tuple[str, str]] = []
    must: list[tuple[str, str]] = []
    query = select(md.c.kind, md.c.left_hash, md.c.right_hash)
    if hashes is None:
        parts = [conn.execute(query)]
    else:
        wanted = sorted(set(hashes))
        parts = (conn.execute(query.where(or_(md.c.left_hash.in_(part), md.c.right_hash.in_(part))))
                 for part in chunks(wanted))
    for result in parts:
        for kind, left, right in result:
            (rejected if kind == "reject" else must).append((left, right))
    return rejected, must


def external_key(value: str) -> str:
    """A decision key for a customer id of one system ("shop:7100..."), next to row hashes.

    A user's rejection is written against the records' row hashes and against
    their customer ids: a changed export gives the rows new hashes, not the
    people new ids, so the rejection still finds them.
    """
    return "x:" + hashlib.sha1(value.encode("utf-8")).hexdigest()


def decision_keys(p: Profile) -> list[str]:
    """Every key a decision about this record may be written against."""
    return [p.row_hash, *(external_key(x) for x in p.externals)]


def decision_indexes(pairs: list[tuple[str, str]], index_of: dict[str, list[int]]) -> list[tuple[int, int]]:
    """Hash pairs as profile index pairs (a hash can stand for several identical rows)."""
    out = []
    for left, right in pairs:
        for i in index_of.get(left, ()):
            for j in index_of.get(right, ()):
                if i != j:
                    out.append((i, j))
    return out


def decisions_by_index(conn: Connection, profiles: Sequence[Profile], rejected: list[tuple[str, str]],
                       must: list[tuple[str, str]]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Map decisions' keys to indexes of ``profiles`` (in record id order).

    Row hashes are looked up in the database; customer-id keys (see
    :func:`external_key`) are matched against the profiles that carry an id.
    """
    keys = {h for pair in (*rejected, *must) for h in pair}
    if not keys:
        return [], []
    hashes = sorted(k for k in keys if not k.startswith("x:"))
    rec = SourceRecord.__table__
    rids = [p.rid for p in profiles]
    index_of: dict[str, list[int]] = defaultdict(list)
    if len(hashes) < len(keys):
        for i, p in enumerate(profiles):
            for x in p.externals:
                key = external_key(x)
                if key in keys:
                    index_of[key].append(i)
    for part in chunks(hashes):
        for rid, row_hash in conn.execute(select(rec.c.id, rec.c.row_hash).where(rec.c.row_hash.in_(part))):
            i = bisect_left(rids, rid)
            if i < len(rids) and rids[i] == rid:
                index_of[row_hash].append(i)
    return decision_indexes(rejected, index_of), decision_indexes(must, index_of)
