"""Writing what the resolver decided: customers, record moves, merges and the review queue.

Merges are logged (undoable) and carry the user's notes and pins to the
survivor; a rebuild from scratch keeps them through :func:`collect_user_data` and
:func:`restore_user_data`.  Consent facts and events follow their records.
"""

from __future__ import annotations

import json
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Generator, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from omnidesk.core.channels import HAND
from omnidesk.core.dialect import (
    executemany,
    insert_copies,
    insert_returning_ids,
    set_column_by_id,
)
from omnidesk.core.identity.clustering import Plan
from omnidesk.core.identity.profiles import IN_SIZE, chunks, identifiable
from omnidesk.core.identity.scoring import PairScore, Profile
from omnidesk.core.models import (HAND_KIND, Consent, Customer, Event, Identifier, ImportBatch, MatchReview, MergeLog,
                                  SourceRecord, utcnow)
from omnidesk.core.tasks import Progress, run_to_completion

if TYPE_CHECKING:
    from omnidesk.core.identity.resolve import ResolveStats

CLUSTERS_PER_STEP = 65_536  # clusters placed between two progress reports
RECORDS_PER_UPDATE = 50_000  # records moved to their customer per statement, and per progress report
MERGES_PER_STEP = 500  # merges of existing customers logged between two progress reports


def new_customer_row(conn: Connection, given: int | None = None) -> dict:
    """One empty customer row; under the id ``given`` when no customer holds it.

    ``given`` is the id the same customer had before an undo took it away: a
    redo gives it back (ids are never given to anyone else).  Otherwise the
    database picks a new id.
    """
    row = new_customer_rows(1)[0]
    cust = Customer.__table__
    if given is not None and conn.execute(select(cust.c.id).where(cust.c.id == given)).first() is None:
        row["id"] = given
    return row


def new_customer_rows(n: int) -> list[dict]:
    now = utcnow()
    return [{"first_name": "", "last_name": "", "display_name": "", "created_at": now,
             "updated_at": now, "tags": "", "pinned_json": "{}", "notes": "", "channels": "",
             "company": "", "address": "", "city": "", "region": "", "postcode": "",
             "country": "", "orders": 0, "source_count": 0} for _ in range(n)]


# Why two groups of records are one person: (one group, the other) -> the reason kept with
# the merge log (see ``identity.why.merge_reason``), or None.
Explain = Callable[[Sequence[Profile], Sequence[Profile]], "str | None"]


def apply_plan(conn: Connection, profiles: Sequence[Profile], plan: Plan, stats: ResolveStats,
               *, kind: str = "auto", batch_id: int | None = None, explain: Explain | None = None
               ) -> Sequence[int | None]:
    """Write the clustering: record → customer, merges of existing customers, reviews.

    Merges of existing customers that ``batch_id``'s records brought about are
    logged with it, so undoing that import splits them again, and with
    ``explain``'s reason for each.  Returns the customer id of every profile
    (None where it was left unplaced).
    """
    return run_to_completion(apply_plan_steps(conn, profiles, plan, stats, kind=kind, batch_id=batch_id,
                                              explain=explain))


def apply_plan_steps(conn: Connection, profiles: Sequence[Profile], plan: Plan, stats: ResolveStats, *,
                     kind: str = "auto", batch_id: int | None = None, explain: Explain | None = None,
                     previous: Sequence[int] | None = None, above: int = 0,
                     settle: bool = True) -> Generator[Progress, None, Sequence[int | None]]:
    """:func:`apply_plan`, yielding progress: clusters placed, records moved, customers merged.

    ``previous``: each profile's customer id before a rebuild (0: none), whose
    records and customers are still as they were.  A new customer then keeps
    the id (and the row) that held most of its records, where no
    other customer holds more of that id's records (:func:`kept_ids`); the
    others get ids past ``above`` (the highest id before), so no id names
    someone else after the rebuild.  ``settle=False`` leaves the new customers of
    a placing in bulk in ``stats.touched_later`` for the caller to settle once
    it has let go of the records (``ResolveStats.settle``).
    """
    clusters = plan.cluster_count()
    yield Progress(0, clusters, "Applying matches")
    # Nobody placed yet (a first big import, a rebuild): nothing to merge, worked out in numpy.
    apply = _apply_to_nobody if not any(p.customer_id is not None for p in profiles) else _apply_by_cluster
    placement = yield from apply(conn, profiles, plan, stats, clusters, kind=kind, batch_id=batch_id,
                                 explain=explain, previous=previous, above=above)
    if settle:
        stats.settle()
    return placement


def _apply_by_cluster(conn: Connection, profiles: Sequence[Profile], plan: Plan, stats: ResolveStats,
                      clusters: int, *, kind: str, batch_id: int | None, explain: Explain | None,
                      previous: Sequence[int] | None, above: int) -> Generator[Progress, None, Sequence[int | None]]:
    """:func:`apply_plan_steps` cluster by cluster: records join the customers their clusters hold."""
    placement: list[int | None] = [None] * len(profiles)
    need_new: list[int] = []  # cluster roots
    merges: list[tuple[int, int, list[int], str | None]] = []
    for placed, (root, members) in enumerate(plan.groups(), 1):
        existing = sorted({profiles[i].customer_id for i in members if profiles[i].customer_id is not None})
        if existing:
            survivor = existing[0]
            for absorbed in existing[1:]:
                moved = [profiles[i].rid for i in members if profiles[i].customer_id == absorbed]
                reason = explain([profiles[i] for i in members if profiles[i].customer_id != absorbed],
                                 [profiles[i] for i in members if profiles[i].customer_id == absorbed]
                                 ) if explain is not None else None
                merges.append((survivor, absorbed, moved, reason))
            for i in members:
                placement[i] = survivor
        elif any(identifiable(profiles[i]) and not (i in plan.ambiguous and profiles[i].kind == "events")
                 for i in members):
            # An event from an address several people share belongs to none of them.
            need_new.append(root)
        if placed % CLUSTERS_PER_STEP == 0:
            yield Progress(placed, clusters, "Applying matches")
    yield Progress(clusters, clusters, "Applying matches")
    new_of = _new_customers(conn, plan, need_new, previous, above)
    new_ids = list(new_of.values())
    del need_new
    for i, root in enumerate(plan.roots):
        cid = new_of.get(root)
        if cid is not None:
            placement[i] = cid
    del new_of
    stats.touched.update(new_ids)
    stats.created += sum(1 for cid in new_ids if cid > above)  # a rebuild's kept ids are not new
    moved_ids = array("q")  # records that changed customer, for their consent facts and events
    moves: list[tuple[int, int]] = []  # (customer id, record id), written a chunk at a time
    for seen, (p, cid) in enumerate(zip(profiles, placement), 1):
        if cid is not None and p.customer_id != cid:
            moves.append((cid, p.rid))
            moved_ids.append(p.rid)
            stats.touched.add(cid)
            if len(moves) == RECORDS_PER_UPDATE:
                set_column_by_id(conn, "source_record", "customer_id", moves)
                moves = []
                yield Progress(seen, len(profiles), "Moving records")
    set_column_by_id(conn, "source_record", "customer_id", moves)
    del moves
    stats.linked += len(moved_ids)
    yield Progress(len(profiles), len(profiles), "Moving records")
    for done, (survivor, absorbed, moved, reason) in enumerate(merges, 1):
        log_and_fold(conn, survivor, absorbed, moved, kind=kind,
                     undo={"batch_id": batch_id} if batch_id is not None else None, reason=reason)
        stats.auto_merged += 1
        stats.touched.add(survivor)
        if done % MERGES_PER_STEP == 0 or done == len(merges):
            yield Progress(done, len(merges), "Merging customers")
    sync_children(conn, moved_ids)
    _queue_plan_reviews(conn, plan, placement, stats)
    return placement


def _new_customers(conn: Connection, plan: Plan, need_new: list[int], previous: Sequence[int] | None,
                   above: int) -> dict[int, int]:
    """Cluster root -> the customer made for it, for the clusters of ``need_new`` roots (in that order).

    After a rebuild (``previous``) a cluster keeps the earlier id :func:`kept_ids` gives it;
    the others get new ids past ``above``.
    """
    kept, rest, made = _make_customers(conn, plan, need_new, previous, above)
    kept.update(zip(rest, made))
    return kept


def _make_customers(conn: Connection, plan: Plan, need_new, previous: Sequence[int] | None, above: int):
    """The customers of :func:`_new_customers`, for ``need_new`` roots given as a list or a numpy array.

    Returns (root -> the earlier id it keeps, the other roots in order, the new ids they get
    in that order, a range where the database gave them in one statement).
    """
    import numpy as np

    kept: dict[int, int] = {}
    rest = need_new
    if previous is not None and len(need_new):
        # The earlier customers' rows are still there (resolve_all_steps): a kept id keeps its row.
        kept = kept_ids(plan.roots, previous, need_new)
        if kept:
            rest = ([root for root in need_new if root not in kept] if isinstance(need_new, list) else
                    need_new[~np.isin(need_new, np.fromiter(kept, dtype=np.int64, count=len(kept)))])
    return kept, rest, _insert_empty_customers(conn, len(rest), above)


def _queue_plan_reviews(conn: Connection, plan: Plan, placement: Sequence[int | None], stats: ResolveStats) -> None:
    """The plan's questions, one entry per customer pair (the strongest), into the review queue."""
    pending = {}
    for i, j, s in plan.reviews:
        a, b = placement[i], placement[j]
        if a is None or b is None or a == b:
            continue
        key = (min(a, b), max(a, b))
        if key not in pending or s.weight > pending[key].weight:
            pending[key] = s
    stats.queued += queue_reviews(conn, pending)


def _apply_to_nobody(conn: Connection, profiles: Sequence[Profile], plan: Plan, stats: ResolveStats,
                     clusters: int, *, kind: str, batch_id: int | None, explain: Explain | None,
                     previous: Sequence[int] | None, above: int) -> Generator[Progress, None, Sequence[int | None]]:
    """:func:`apply_plan_steps` where no record has a customer yet, or all are placed afresh (a
    rebuild): the same customers, ids and moves, worked out over arrays instead of cluster by
    cluster (a million records' clusters took seconds of Python).  There is nothing to merge:
    every cluster that needs a customer gets a new one, in the order of its first record (or
    keeps its earlier one, ``previous``)."""
    import numpy as np

    n = len(profiles)
    roots = np.frombuffer(plan.roots, dtype=np.int32)
    # Whether a record can be told apart; an event from an address several people share belongs to none.
    known = np.fromiter(map(identifiable, profiles), dtype=bool, count=n)
    for i in plan.ambiguous:
        if profiles[i].kind == "events":
            known[i] = False
    wanted = np.zeros(n, dtype=bool)
    wanted[roots[known]] = True
    del known
    cluster_roots, first = np.unique(roots, return_index=True)
    cluster_roots = cluster_roots[np.argsort(first, kind="stable")]  # clusters in order of their first record
    need_new = cluster_roots[wanted[cluster_roots]]
    del wanted, cluster_roots, first
    yield Progress(clusters, clusters, "Applying matches")
    # A cluster root's new customer (0: none), as _new_customers gives them but held in an array:
    # as a dict, with a list of the roots and one of the ids, they took some 80 MB at the write
    # phase's peak for 850,000 customers.
    customer_of = np.zeros(n, dtype=np.int64)
    kept, rest, made = _make_customers(conn, plan, need_new, previous, above)
    if kept:
        customer_of[np.fromiter(kept, dtype=np.int64, count=len(kept))] = \
            np.fromiter(kept.values(), dtype=np.int64, count=len(kept))
    customer_of[rest] = np.arange(made.start, made.stop) if isinstance(made, range) else made
    stats.created += len(rest)  # a rebuild's customers that kept their id are not new
    del kept, rest, made
    stats.touched_later.append(customer_of[need_new])
    del need_new
    # A part of the records at a time: whole arrays of their ids and customers held at once cost
    # the write phase's peak some 30 MB at a million records.
    moved_ids = array("q")  # records whose customer changed, for their consent facts and events
    linked = 0
    for at in range(0, n, RECORDS_PER_UPDATE):
        cids = customer_of[roots[at:at + RECORDS_PER_UPDATE]]
        linked += int(np.count_nonzero(cids))
        if previous is None:
            placed = np.flatnonzero(cids)
            values = cids[placed].tolist()
        else:
            # A rebuild: only records whose customer changes are written (0: left unplaced now).
            placed = np.flatnonzero(cids != np.asarray(previous[at:at + RECORDS_PER_UPDATE]))
            values = [cid or None for cid in cids[placed].tolist()]
        rids = [profiles[at + k].rid for k in placed.tolist()]
        set_column_by_id(conn, "source_record", "customer_id", list(zip(values, rids)))
        moved_ids.extend(rids)
        yield Progress(min(at + RECORDS_PER_UPDATE, n), n, "Moving records")
    stats.linked += linked
    yield Progress(n, n, "Moving records")
    sync_children(conn, moved_ids)
    del moved_ids
    placement = _Placement(customer_of, roots)
    _queue_plan_reviews(conn, plan, placement, stats)
    return placement


class _Placement(Sequence):
    """Each profile's customer id (None: left unplaced), read off the clusters' customers as asked
    for: as a list, a million records' ids took 36 MB at the write phase's peak."""

    def __init__(self, customer_of, roots) -> None:
        self._customer_of, self._roots = customer_of, roots

    def __len__(self) -> int:
        return len(self._roots)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [c or None for c in self._customer_of[self._roots[i]].tolist()]
        return int(self._customer_of[self._roots[i]]) or None


def kept_ids(roots: Sequence[int], previous: Sequence[int], wanted: Sequence[int]) -> dict[int, int]:
    """Cluster root -> the earlier customer id it keeps, for the clusters of ``wanted`` roots.

    ``roots`` is each record's cluster (``Plan.roots``), ``previous`` each
    record's customer id before (0: none).  The clusters holding the most
    records of one earlier customer are served first; a cluster keeps at most
    one id and an id goes to at most one cluster.  Ties go to the smaller id,
    then the cluster of the smaller root, so the same records give the same ids.
    """
    import numpy as np

    root = np.asarray(roots, dtype=np.int64)
    old = np.asarray(previous, dtype=np.int64)
    keep = np.isin(root, np.asarray(wanted, dtype=np.int64)) & (old > 0)
    if not keep.any():
        return {}
    # One 64-bit key per (cluster, earlier id): both are below 2**31.
    keys, counts = np.unique((root[keep] << 32) | old[keep], return_counts=True)
    del root, old, keep
    clusters, ids = keys >> 32, keys & 0xFFFFFFFF
    del keys
    # A cluster and an id that meet in no other pair go together, whatever the order: most of
    # a rebuild's, so only the others are served one by one (a million records' set of taken
    # ids and the loop over every pair took some 60 MB and a second).
    alone = _once(clusters) & _once(ids)
    out: dict[int, int] = dict(zip(clusters[alone].tolist(), ids[alone].tolist()))
    rest = ~alone
    clusters, ids, counts = clusters[rest], ids[rest], counts[rest]
    order = np.lexsort((clusters, ids, -counts))
    taken: set[int] = set()
    for r, cid in zip(clusters[order].tolist(), ids[order].tolist()):
        if r not in out and cid not in taken:
            out[r] = cid
            taken.add(cid)
    return out


def _once(values):
    """Which of ``values`` (a numpy array) occur only once in it."""
    import numpy as np

    _, at, counts = np.unique(values, return_inverse=True, return_counts=True)
    return counts[at] == 1


def _insert_empty_customers(conn: Connection, count: int, above: int = 0, chunk: int = 10_000) -> Sequence[int]:
    """``count`` new customers, their golden records still to be computed; returns their ids.

    Their ids start past ``above`` (on SQLite; other databases' sequences never repeat an id).
    """
    cust = Customer.__table__
    if count <= 0:
        return []
    made = insert_copies(conn, cust, new_customer_rows(1)[0], count, above)
    if made is not None:
        return made
    ids: list[int] = []
    for start in range(0, count, chunk):
        ids.extend(insert_returning_ids(conn, cust, new_customer_rows(min(chunk, count - start))))
    return ids


SHARED_ADDRESS = "its address is shared by people of different names"


def log_taken_off(conn: Connection, profiles: Sequence[Profile], placement: Sequence[int | None],
                  moving: dict[int, int], batch_id: int | None) -> set[int]:
    """Log the records of ``moving`` (profile index -> the customer it was on) that a resolve
    placed elsewhere, as splits the import ``batch_id`` made: undoing the import puts them back
    (``merge.merges_of_batch``).  Returns the customers they left, whose cards change.

    A customer the same resolve merged into another is left for that one: the split
    is undone onto the customer that holds its records now.
    """
    if not moving:
        return set()
    left = set(moving.values())
    home: dict[int, int] = {}  # customer before -> the customer its other records are on now
    for i, p in enumerate(profiles):
        if p.customer_id in left and i not in moving and placement[i] is not None:
            home[p.customer_id] = placement[i]
    moved: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, cid in moving.items():
        to, back = placement[i], home.get(cid)
        if to is not None and back is not None and to != back:
            moved[(back, to)].append(profiles[i].rid)
    log = MergeLog.__table__
    for (back, to), rids in sorted(moved.items()):
        conn.execute(insert(log).values(
            kind="unmerge", survivor_id=back, absorbed_id=to, record_ids_json=json.dumps(sorted(rids)),
            absorbed_json=json.dumps({"_undo": {"batch_id": batch_id}}), created_at=utcnow(), undone=False,
            reason=json.dumps({"reasons": [SHARED_ADDRESS]})))
    return {back for back, _ in moved}


def log_and_fold(conn: Connection, survivor: int, absorbed: int, moved: list[int], *, kind: str,
                 score: float | None = None, undo: dict | None = None, reason: str | None = None) -> int:
    """Record that ``absorbed`` was folded into ``survivor`` and delete it (records already moved).

    ``undo`` is kept with the log for whoever undoes it (the import that caused
    the merge, say), ``reason`` for the card to say why (``MergeLog.reason``).
    Returns the merge log id.
    """
    cust = Customer.__table__
    row = conn.execute(select(cust).where(cust.c.id == absorbed)).mappings().first()
    saved = dict(row) if row else {}
    carried = _carry_user_data(conn, survivor, saved)
    if undo or carried:
        saved["_undo"] = {**(undo or {}), **carried}
    log = MergeLog.__table__
    log_id = conn.execute(insert(log).returning(log.c.id).values(
        kind=kind, survivor_id=survivor, absorbed_id=absorbed, record_ids_json=json.dumps(moved),
        absorbed_json=json.dumps(saved, default=str), score=score, created_at=utcnow(),
        undone=False, reason=reason,
    )).scalar_one()
    review = MatchReview.__table__
    # Reviews that pointed at the absorbed customer now point at the survivor.
    conn.execute(update(review).where(review.c.left_id == absorbed).values(left_id=survivor))
    conn.execute(update(review).where(review.c.right_id == absorbed).values(right_id=survivor))
    conn.execute(delete(review).where(review.c.left_id == review.c.right_id))
    # The survivor may now be asked about one customer twice (once as itself, once as the
    # customer it absorbed): keep the stronger question, every pair written smaller id first
    # as queue_reviews looks them up.
    touches = or_(review.c.left_id == survivor, review.c.right_id == survivor)
    conn.execute(update(review).where(review.c.left_id > review.c.right_id, touches)
                 .values(left_id=review.c.right_id, right_id=review.c.left_id))
    other = review.alias("other")
    weaker = (select(review.c.id).join(other, and_(
        other.c.left_id == review.c.left_id, other.c.right_id == review.c.right_id, other.c.id != review.c.id,
        or_(other.c.score > review.c.score, and_(other.c.score == review.c.score, other.c.id < review.c.id)),
    )).where(touches))
    conn.execute(delete(review).where(review.c.id.in_(weaker)))
    from omnidesk.core.dialect import unindex_customers

    unindex_customers(conn, [absorbed])
    conn.execute(delete(cust).where(cust.c.id == absorbed))
    return log_id


def _carry_user_data(conn: Connection, survivor: int, absorbed: dict) -> dict:
    """The user's notes and pinned values of a customer merged away go to the survivor.

    The survivor's own pins win where both pinned a field; notes are joined.
    Returns what the survivor had before, for undo (empty when nothing moved).
    """
    notes, pins = absorbed.get("notes") or "", json.loads(absorbed.get("pinned_json") or "{}")
    if not notes.strip() and not pins:
        return {}
    cust = Customer.__table__
    before = conn.execute(select(cust.c.notes, cust.c.pinned_json).where(cust.c.id == survivor)).first()
    if before is None:
        return {}
    old_notes, old_pins = before[0] or "", json.loads(before[1] or "{}")
    new_notes = old_notes
    if notes.strip() and notes.strip() not in old_notes:
        new_notes = f"{old_notes.rstrip()}\n\n{notes.strip()}" if old_notes.strip() else notes.strip()
    new_pins = {**pins, **old_pins}
    conn.execute(update(cust).where(cust.c.id == survivor).values(
        notes=new_notes, pinned_json=json.dumps(new_pins)))
    return {"survivor_notes": [old_notes, new_notes], "survivor_pins": [old_pins, new_pins]}


def sync_children(conn: Connection, record_ids: Sequence[int]) -> None:
    """Consent facts and events follow their record to its customer."""
    rec = SourceRecord.__table__
    for table in (Consent.__table__, Event.__table__):
        if len(record_ids) > 50 * IN_SIZE:
            # Most of the workspace moved (a full resolve): one pass beats thousands of IN lists.
            conn.execute(update(table).values(
                customer_id=select(rec.c.customer_id).where(rec.c.id == table.c.record_id).scalar_subquery()))
            continue
        for part in chunks(record_ids):
            conn.execute(
                update(table).where(table.c.record_id.in_(list(part))).values(
                    customer_id=select(rec.c.customer_id).where(rec.c.id == table.c.record_id).scalar_subquery()
                )
            )


def _review_reasons(s: PairScore) -> str:
    """The evidence, then what speaks against it: why the pair is a question, not a merge."""
    return json.dumps(s.reasons + [f"but {s.conflict}"] if s.conflict else s.reasons)


def queue_reviews(conn: Connection, pairs: dict[tuple[int, int], PairScore]) -> int:
    """Add or refresh review entries for customer pairs; returns how many are new."""
    if not pairs:
        return 0
    review = MatchReview.__table__
    existing: dict[tuple[int, int], int] = {}
    lefts = sorted({a for a, _ in pairs})
    for part in chunks(lefts):
        for rid, a, b in conn.execute(select(review.c.id, review.c.left_id, review.c.right_id)
                                      .where(review.c.left_id.in_(part))):
            existing[(a, b)] = rid
    updates = [{"rid": existing[k], "score": s.weight, "reasons_json": _review_reasons(s)}
               for k, s in pairs.items() if k in existing]
    if updates:
        conn.execute(update(review).where(review.c.id == bindparam("rid"))
                     .values(score=bindparam("score"), reasons_json=bindparam("reasons_json")), updates)
    now = utcnow()
    new = [(a, b, s.weight, _review_reasons(s), "pending", now)
           for (a, b), s in pairs.items() if (a, b) not in existing]
    for start in range(0, len(new), 10_000):
        executemany(conn, "INSERT INTO match_review (left_id, right_id, score, reasons_json, status, created_at) "
                          "VALUES (?, ?, ?, ?, ?, ?)", new[start:start + 10_000])
    return len(new)


def place_followers(conn: Connection, followers: dict[int, int], *, unplace: bool = False,
                    keep_placed: Collection[int] = ()) -> set[int]:
    """Put each follower record on its lead record's customer; returns those customers.

    A lead that follows another itself (a repeated order line row) leads to that one's customer.
    ``unplace`` (a rebuild, where followers keep their earlier customer until placed): a follower
    whose lead has no customer has none either; except those of ``keep_placed`` (what was entered
    by hand: a refusal typed in must never belong to nobody), which keep theirs.
    """
    if not followers:
        return set()
    if not followers.keys().isdisjoint(followers.values()):
        followers = {f: _first_lead(followers, lead) for f, lead in followers.items()}
    rec = SourceRecord.__table__
    leads = sorted(set(followers.values()))
    owner: dict[int, int | None] = {}
    for part in chunks(leads):
        owner.update(dict(conn.execute(select(rec.c.id, rec.c.customer_id).where(rec.c.id.in_(part))).all()))
    params = [{"rid": f, "cid": owner.get(lead)} for f, lead in followers.items()
              if owner.get(lead) or (unplace and f not in keep_placed)]
    if params:
        conn.execute(update(rec).where(rec.c.id == bindparam("rid")).values(customer_id=bindparam("cid")), params)
        sync_children(conn, [p["rid"] for p in params])
    return {p["cid"] for p in params if p["cid"] is not None}


def follow_own_customer(conn: Connection, customer_ids: Collection[int]) -> None:
    """Let each hand record of these customers follow a record its customer still holds.

    What the user entered by hand is their person's (edits.py); it follows one of the
    customer's records only so that a rebuild puts it back with them.  A record that went
    to another customer (a family address's list member a later file showed to be shared,
    a merge undone) would take it there on the next rebuild; it follows the customer's
    first other record instead.  A customer holding nothing else keeps it as it is.  A hand
    record whose person's records were all undone (:func:`outlive_leads`) and whose customer
    holds one of theirs again follows it, and lets go of the identifiers it kept meanwhile.
    """
    rec = SourceRecord.__table__
    ident = Identifier.__table__
    for part in chunks(sorted(set(customer_ids))):
        hand = conn.execute(select(rec.c.id, rec.c.customer_id, rec.c.values_json, rec.c.email, rec.c.phone)
                            .where(rec.c.customer_id.in_(part), rec.c.channel == HAND)).all()
        if not hand:
            continue
        leads = {json.loads(v or "{}").get("follows") for _, _, v, _, _ in hand} - {None}
        owner = dict(conn.execute(select(rec.c.id, rec.c.customer_id).where(rec.c.id.in_(leads))).all()) \
            if leads else {}
        first = dict(conn.execute(select(rec.c.customer_id, func.min(rec.c.id)).where(
            rec.c.customer_id.in_(part), rec.c.channel != HAND).group_by(rec.c.customer_id)).all())
        for rid, cid, text, email, phone in hand:
            values = json.loads(text or "{}")
            lead = values.get("follows")
            if lead and owner.get(lead) != cid and cid in first:
                values["follows"] = first[cid]
                conn.execute(update(rec).where(rec.c.id == rid).values(values_json=json.dumps(values)))
            elif not lead and REJOIN in values and cid in first:
                kept = values.pop(REJOIN) or {}
                values["follows"] = first[cid]
                conn.execute(update(rec).where(rec.c.id == rid).values(values_json=json.dumps(values)))
                typed = {("email", email), ("phone", phone)}
                for kind, found in kept.items():
                    gone = [v for v in found if (kind, v) not in typed]
                    if gone:
                        conn.execute(delete(ident).where(ident.c.record_id == rid, ident.c.kind == kind,
                                                         ident.c.value.in_(gone)))


REJOIN = "rejoin"  # a hand record's kept identifiers of the person whose records were undone (outlive_leads)


def outlive_leads(conn: Connection, batch_id: int) -> None:
    """Before the records of import ``batch_id`` are deleted (the import undone), keep each hand
    record that follows one of them with its person.

    One whose customer keeps another record follows that one.  One whose customer keeps none
    stays on that customer (what was typed in, a refusal heard by phone, must never belong to
    nobody), follows nobody, and keeps the emails, phones and external ids of the record it
    followed: as identifiers of its own, so that the person's file imported again, or a rebuild,
    matches it to them (then :func:`follow_own_customer` lets go of them), and listed in
    ``values_json`` ``rejoin``, so that they are told from what was typed in.
    """
    rec = SourceRecord.__table__
    ident = Identifier.__table__
    hand = {rid: (cid, json.loads(text or "{}")) for rid, cid, text in conn.execute(
        select(rec.c.id, rec.c.customer_id, rec.c.values_json).where(_by_hand()))}
    leads = {values["follows"] for _cid, values in hand.values() if values.get("follows")}
    doomed: set[int] = set()
    for part in chunks(sorted(leads)):
        doomed.update(conn.execute(select(rec.c.id).where(rec.c.id.in_(part), rec.c.batch_id == batch_id)).scalars())
    losing = {rid: (cid, values) for rid, (cid, values) in hand.items()
              if values.get("follows") in doomed and cid is not None}
    if not losing:
        return
    customers = sorted({cid for cid, _values in losing.values()})
    other: dict[int, int] = {}
    for part in chunks(customers):
        other.update(conn.execute(select(rec.c.customer_id, func.min(rec.c.id)).where(
            rec.c.customer_id.in_(part), rec.c.channel != HAND, rec.c.batch_id != batch_id)
            .group_by(rec.c.customer_id)).all())
    for rid, (cid, values) in losing.items():
        lead = values.pop("follows")
        if cid in other:
            values["follows"] = other[cid]
        else:
            held = {(k, v) for k, v in conn.execute(select(ident.c.kind, ident.c.value).where(ident.c.record_id == rid))}
            kept = values.setdefault(REJOIN, {})
            for kind, value, mailbox in conn.execute(select(ident.c.kind, ident.c.value, ident.c.mailbox)
                                                     .where(ident.c.record_id == lead).order_by(ident.c.id)):
                if value not in kept.setdefault(kind, []):
                    kept[kind].append(value)
                if (kind, value) not in held:
                    held.add((kind, value))
                    conn.execute(insert(ident).values(record_id=rid, kind=kind, value=value, mailbox=mailbox))
        conn.execute(update(rec).where(rec.c.id == rid).values(values_json=json.dumps(values)))


def rejoining(conn: Connection) -> set[int]:
    """The customers of hand records waiting for their person's records (:func:`outlive_leads`)."""
    rec = SourceRecord.__table__
    return {cid for cid, text in conn.execute(select(rec.c.customer_id, rec.c.values_json).where(
        _by_hand(), rec.c.values_json.like(f'%"{REJOIN}"%'), rec.c.customer_id.is_not(None)))
        if REJOIN in json.loads(text or "{}")}


def _by_hand():
    """The hand records, found through their batch's index: after every import, not a pass over every record."""
    rec, batch = SourceRecord.__table__, ImportBatch.__table__
    return and_(rec.c.batch_id.in_(select(batch.c.id).where(batch.c.kind == HAND_KIND)), rec.c.channel == HAND)


def _first_lead(followers: dict[int, int], lead: int) -> int:
    seen = {lead}
    while (up := followers.get(lead)) is not None and up not in seen:
        seen.add(up)
        lead = up
    return lead


def collect_user_data(conn: Connection) -> list[tuple[int, list[int], str, dict]]:
    """Take the user's notes and pins off their customers before a rebuild: each with its
    customer's id and records, for :func:`restore_user_data`."""
    cust, rec = Customer.__table__, SourceRecord.__table__
    noted = or_(cust.c.notes != "", cust.c.pinned_json != "{}")
    owners = {cid: (notes or "", json.loads(pins or "{}")) for cid, notes, pins in conn.execute(
        select(cust.c.id, cust.c.notes, cust.c.pinned_json).where(noted))}
    records: dict[int, list[int]] = defaultdict(list)
    for part in chunks(sorted(owners)):
        for rid, cid in conn.execute(select(rec.c.id, rec.c.customer_id).where(rec.c.customer_id.in_(part))):
            records[cid].append(rid)
    if owners:
        conn.execute(update(cust).where(noted).values(notes="", pinned_json="{}"))
    return [(cid, records[cid], notes, pins) for cid, (notes, pins) in sorted(owners.items()) if records[cid]]


def restore_user_data(conn: Connection, kept: list[tuple[int, list[int], str, dict]]) -> set[int]:
    """After a rebuild, notes and pins go to the customer now holding most of their records;
    returns those customers."""
    if not kept:
        return set()
    rec, cust = SourceRecord.__table__, Customer.__table__
    merged: dict[int, tuple[list[str], dict]] = {}
    for _, rids, notes, pins in kept:
        now = Counter(cid for part in chunks(rids) for cid in conn.execute(
            select(rec.c.customer_id).where(rec.c.id.in_(part), rec.c.customer_id.is_not(None))).scalars())
        if not now:
            continue
        target = now.most_common(1)[0][0]
        texts, all_pins = merged.setdefault(target, ([], {}))
        if notes.strip() and notes.strip() not in texts:
            texts.append(notes.strip())
        for name, value in pins.items():
            all_pins.setdefault(name, value)
    for cid, (texts, pins) in merged.items():
        conn.execute(update(cust).where(cust.c.id == cid).values(notes="\n\n".join(texts),
                                                                 pinned_json=json.dumps(pins)))
    return set(merged)
