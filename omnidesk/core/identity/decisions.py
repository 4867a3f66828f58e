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
from typing import NamedTuple

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Connection

from omnidesk.core.identity.profiles import chunks
from omnidesk.core.identity.scoring import Profile
from omnidesk.core.models import Identifier, MatchDecision, SourceRecord


# Decisions read in one pass rather than by key while there are no more than this many per key wanted.
_SCAN_PER_KEY = 4


class Decided(NamedTuple):
    """One decision row: its two keys, and ``order``, its row id.

    A new row takes an id above every row present, so of two decisions the
    later one has the higher id; undo puts a removed row back under its own id,
    in its own place.
    """

    left: str
    right: str
    order: int


def load_decisions(conn: Connection, hashes: Iterable[str] | None = None) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The user's rejected and merged pairs of row hashes: all, or those touching ``hashes``."""
    rejected, must = load_decisions_in_order(conn, hashes)
    return [(a, b) for a, b, _ in rejected], [(a, b) for a, b, _ in must]


def load_decisions_in_order(conn: Connection, hashes: Iterable[str] | None = None
                            ) -> tuple[list[Decided], list[Decided]]:
    """:func:`load_decisions`, each pair with its place in the order the user decided (see :class:`Decided`)."""
    md = MatchDecision.__table__
    rejected: list[Decided] = []
    must: list[Decided] = []
    query = select(md.c.kind, md.c.left_hash, md.c.right_hash, md.c.id)
    if hashes is None:
        parts = [conn.execute(query)]
    else:
        wanted = set(hashes)
        total = conn.execute(select(func.count()).select_from(md)).scalar_one() if wanted else 0
        if total <= _SCAN_PER_KEY * len(wanted):
            # Asked by key, each key costs two index look-ups: over fewer decisions than that (a big
            # import's hundred thousand keys against the user's few hundred decisions), one pass over
            # them all, kept where a key is wanted, costs less (100,000 keys, 500 decisions: 0.30 s by key,
            # 0.02 s in one pass).
            parts = [(row for row in conn.execute(query) if row[1] in wanted or row[2] in wanted)]
        else:
            parts = (conn.execute(query.where(or_(md.c.left_hash.in_(part), md.c.right_hash.in_(part))))
                     for part in chunks(sorted(wanted)))
    for result in parts:
        for kind, left, right, order in result:
            (rejected if kind == "reject" else must).append(Decided(left, right, order))
    return rejected, must


def external_key(value: str) -> str:
    """A decision key for a customer id of one system ("shop:7100..."), next to row hashes.

    A user's rejection is written against the records' row hashes and against
    their customer ids: a changed export gives the rows new hashes, not the
    people new ids, so the rejection still finds them.
    """
    return "x:" + hashlib.sha1(value.encode("utf-8")).hexdigest()


# Identical rows of one file: two people at the shop's landline, both typed "Anna,Lee,(415) 555-0100,94110"
# at the till, are two records with one row hash.  A decision between them keyed by row hash would
# name one key on both sides, and say nothing.  Such a record is keyed by its row hash and its place
# among the identical rows of its import instead ("<row hash>#2": the second of them, by row number).
# Record ids would not do: undoing the import and importing the file again (or a redo) gives the rows
# new ids, where their hash and place come back the same; a resolve from scratch keeps both.  The
# plain row hash still stands for every record holding it (decisions made before, and other keys).
_TWIN = "#"


def twin_key(row_hash: str, place: int) -> str:
    """The decision key of the ``place``-th (from 1) of identical rows of one import."""
    return f"{row_hash}{_TWIN}{place}"


def twin_of(key: str) -> tuple[str, int] | None:
    """(row hash, place) of a key :func:`twin_key` made; None for any other key."""
    row_hash, sep, place = key.rpartition(_TWIN)
    return (row_hash, int(place)) if sep and place.isdigit() else None


def twin_places(conn: Connection, hashes: Iterable[str]) -> dict[int, tuple[str, int]]:
    """Record id -> (row hash, place) for each record of ``hashes`` that its import holds more than once."""
    rec = SourceRecord.__table__
    groups: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    for part in chunks(sorted({h for h in hashes if not h.startswith("x:")})):
        for rid, row_hash, batch_id, record_no in conn.execute(
                select(rec.c.id, rec.c.row_hash, rec.c.batch_id, rec.c.record_no).where(rec.c.row_hash.in_(part))):
            groups[(row_hash, batch_id)].append((record_no, rid))
    out: dict[int, tuple[str, int]] = {}
    for (row_hash, _), rows in groups.items():
        if len(rows) > 1:
            for place, (_, rid) in enumerate(sorted(rows), 1):
                out[rid] = (row_hash, place)
    return out


def record_keys(conn: Connection, record_ids: Sequence[int]) -> dict[int, str]:
    """Each record's own row key: its row hash, or its :func:`twin_key` where its import repeats the row."""
    rec = SourceRecord.__table__
    out: dict[int, str] = {}
    for part in chunks(sorted(set(record_ids))):
        out.update(conn.execute(select(rec.c.id, rec.c.row_hash).where(rec.c.id.in_(part))).all())
    for rid, (row_hash, place) in twin_places(conn, set(out.values())).items():
        if rid in out:
            out[rid] = twin_key(row_hash, place)
    return out


def key_holders(conn: Connection, keys: Iterable[str]) -> dict[str, list[tuple[int, int | None]]]:
    """Row keys (row hashes and twin keys) -> the (record, customer) pairs holding them now."""
    rec = SourceRecord.__table__
    wanted = {k for k in keys if not k.startswith("x:")}
    twins = {k: t for k in wanted if (t := twin_of(k)) is not None}
    plain = sorted(wanted - set(twins))
    out: dict[str, list[tuple[int, int | None]]] = defaultdict(list)
    for part in chunks(plain):
        for rid, row_hash, cid in conn.execute(
                select(rec.c.id, rec.c.row_hash, rec.c.customer_id).where(rec.c.row_hash.in_(part))):
            out[row_hash].append((rid, cid))
    if twins:
        places = twin_places(conn, {h for h, _ in twins.values()})
        for part in chunks(sorted(places)):
            for rid, cid in conn.execute(select(rec.c.id, rec.c.customer_id).where(rec.c.id.in_(part))):
                key = twin_key(*places[rid])
                if key in twins:
                    out[key].append((rid, cid))
    return out


def external_key_holders(conn: Connection, keys: Iterable[str]) -> dict[str, list[tuple[int, int | None]]]:
    """Customer-id keys (:func:`external_key`) -> the (record, customer) pairs holding them now.

    A key is a hash of the id, which no index can be searched by: the workspace's
    customer ids are read in one pass over the (kind, value) index and hashed
    here, and only those found are read again with their records.  Called for
    the few keys the user's decisions name, never per record.
    """
    wanted = {bytes.fromhex(k[2:]) for k in keys if k.startswith("x:")}
    if not wanted:
        return {}
    ident, rec = Identifier.__table__, SourceRecord.__table__
    found = [value for value in conn.execute(select(ident.c.value).distinct().where(ident.c.kind == "external"))
             .scalars() if hashlib.sha1(value.encode("utf-8")).digest() in wanted]
    out: dict[str, list[tuple[int, int | None]]] = defaultdict(list)
    for part in chunks(found):
        for rid, value, cid in conn.execute(
                select(ident.c.record_id, ident.c.value, rec.c.customer_id).join(rec, rec.c.id == ident.c.record_id)
                .where(ident.c.kind == "external", ident.c.value.in_(part))):
            out[external_key(value)].append((rid, cid))
    return out


def decision_index(conn: Connection, profiles: Sequence[Profile]) -> dict[str, list[int]]:
    """Every key a decision about one of ``profiles`` may be written against -> the indexes of those holding it.

    Their row hashes and customer ids (:func:`decision_keys`), and the place of a
    row its import repeats (:func:`add_twin_keys`): what the resolver and an
    import both look the user's decisions up by.
    """
    index_of: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(profiles):
        for key in decision_keys(p):
            index_of[key].append(i)
    add_twin_keys(conn, profiles, index_of)
    return index_of


def add_twin_keys(conn: Connection, profiles: Sequence[Profile], index_of: dict[str, list[int]]) -> None:
    """Add to ``index_of`` the :func:`twin_key` of each profile whose row repeats among them in one import."""
    seen: dict[str, int] = defaultdict(int)
    for p in profiles:
        if p.row_hash:
            seen[p.row_hash] += 1
    repeated = [h for h, n in seen.items() if n > 1]
    if not repeated:
        return
    places = twin_places(conn, repeated)
    for i, p in enumerate(profiles):
        if p.rid in places:
            index_of[twin_key(*places[p.rid])].append(i)


def decision_keys(p: Profile) -> list[str]:
    """Every key a decision about this record may be written against."""
    return [p.row_hash, *(external_key(x) for x in p.externals)]


def decision_indexes(pairs: Sequence[tuple], index_of: dict[str, list[int]]) -> list[tuple[int, int]]:
    """Hash pairs as profile index pairs (a hash can stand for several identical rows)."""
    return [(i, j) for i, j, _ in _indexed(pairs, index_of)]


def _indexed(pairs: Sequence[tuple], index_of: dict[str, list[int]]):
    for pair in pairs:
        left, right = pair[0], pair[1]
        order = pair[2] if len(pair) > 2 else 0
        for i in index_of.get(left, ()):
            for j in index_of.get(right, ()):
                if i != j:
                    yield i, j, order


def settled_indexes(rejected: Sequence[Decided], must: Sequence[Decided], index_of: dict[str, list[int]]
                    ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Rejected and merged pairs as profile index pairs, the latest word winning where they disagree.

    Decisions are stored against keys, and one record carries several (its row
    hash, its customer ids): "merge" and "different people" written against
    different keys can name the same two records.  The resolver forces every
    merge through, so an earlier merge the user took back by splitting the
    record off must not stand beside the rejection that says so — and an
    earlier rejection the user overruled by merging must not either.
    """
    rejects, merges = list(_indexed(rejected, index_of)), list(_indexed(must, index_of))
    latest_reject: dict[tuple[int, int], int] = {}
    for i, j, order in rejects:
        key = (min(i, j), max(i, j))
        latest_reject[key] = max(order, latest_reject.get(key, order))
    if not latest_reject or not merges:
        return [(i, j) for i, j, _ in rejects], [(i, j) for i, j, _ in merges]
    latest_merge: dict[tuple[int, int], int] = {}
    for i, j, order in merges:
        key = (min(i, j), max(i, j))
        latest_merge[key] = max(order, latest_merge.get(key, order))
    return ([(i, j) for i, j, _ in rejects if latest_reject[(min(i, j), max(i, j))]
             > latest_merge.get((min(i, j), max(i, j)), -1)],
            [(i, j) for i, j, _ in merges if latest_merge[(min(i, j), max(i, j))]
             > latest_reject.get((min(i, j), max(i, j)), -1)])


def decisions_by_index(conn: Connection, profiles: Sequence[Profile], rejected: Sequence[tuple],
                       must: Sequence[tuple]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Map decisions' keys to indexes of ``profiles`` (in record id order), as :func:`settled_indexes`.

    Row hashes are looked up in the database; customer-id keys (see
    :func:`external_key`) are matched against the profiles that carry an id.
    """
    keys = {h for pair in (*rejected, *must) for h in pair[:2]}
    if not keys:
        return [], []
    hashes = sorted(k for k in keys if not k.startswith("x:") and twin_of(k) is None)
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
    twins = [k for k in keys if not k.startswith("x:") and twin_of(k) is not None]
    for key, held in key_holders(conn, twins).items():
        for rid, _ in held:
            i = bisect_left(rids, rid)
            if i < len(rids) and rids[i] == rid:
                index_of[key].append(i)
    return settled_indexes(rejected, must, index_of)
