"""Merging and splitting customers by hand, the review queue, pinned values, and undo.

Every operation is one transaction and leaves a trace that makes it undoable:
merges and splits write a ``merge_log`` row; the user's decisions are kept as
``match_decision`` rows keyed by record hashes, so the resolver respects them
from then on, even after the same files are imported again.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Generator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from omnidesk.core.changes import Changes
from omnidesk.core.channels import HAND
from omnidesk.core.dialect import highest_id_ever
from omnidesk.core.errors import UserError
from omnidesk.core.identity.golden import refresh_customers, refresh_customers_steps
from omnidesk.core.identity.decisions import external_key, key_holders, record_keys, twin_of
from omnidesk.core.identity.clustering import customers_conflict
from omnidesk.core.identity.profiles import (all_followers, chunks, hand_followers, hand_names_aside, make_profiles,
                                             order_lines, profile_query)
from omnidesk.core.identity.scoring import (FAMILY_FIRST_REASON, NAME_PAIRS, NAMES_UNREADABLE, RENAMED_REASON,
                                            SWAPPED_REASON, Model, Profile, not_merged, pair_conflict)
from omnidesk.core.identity.requeue import ask_again, put_back_queue
from omnidesk.core.identity.why import review_reason
from omnidesk.core.identity.writes import (
    follow_own_customer,
    log_and_fold,
    new_customer_row,
    new_customer_rows,
    sync_children,
)
from omnidesk.core.models import (Consent, Customer, Identifier, ImportBatch, MatchDecision, MatchReview, MergeLog,
                                  SourceRecord, utcnow)
from omnidesk.core.tasks import CancelCheck, Cancelled, Progress, never_cancelled, run_to_completion
from omnidesk.core.timeutil import to_utc
from omnidesk.core.workspace import Workspace

PINNABLE = ("first_name", "last_name", "email", "phone", "company", "address", "city", "region",
            "postcode", "country", "birthday")
_MAX_PAIRS = 50  # per side, for reject decisions: enough to cover a customer's records
_TWO_LISTS = 400  # values per IN list where one statement holds two of them (see profiles.IN_SIZE)


@dataclass
class MergeResult:
    survivor: int
    absorbed: list[int]
    log_ids: list[int]
    review: dict | None = None

    @property
    def changes(self) -> Changes:
        return Changes(customers=frozenset([self.survivor, *self.absorbed]), customer_list=True, reviews=True)


@dataclass(frozen=True)
class Unmerged:
    """A record split off into a customer of its own (see :func:`unmerge_record`).

    Read as ``old, new, log_id``; ``along`` is told beside them.
    """

    old: int  # the customer it left
    new: int  # the customer made for it
    log_id: int  # what undoes it
    # The other records that went with it, having reached the card only through it (its list
    # records and activity, rows written just like it); its order's lines and hand entries aside.
    along: int = 0

    def __iter__(self):
        return iter((self.old, self.new, self.log_id))

    @property
    def changes(self) -> Changes:
        return Changes(customers=frozenset([self.old, self.new]), customer_list=True, reviews=True)


def _record_ids(conn: Connection, customer_id: int) -> list[int]:
    rec = SourceRecord.__table__
    return list(conn.execute(select(rec.c.id).where(rec.c.customer_id == customer_id).order_by(rec.c.id)).scalars())


def _hashes(conn: Connection, customer_id: int) -> list[str]:
    """The keys decisions about this customer are written against: its systems' customer
    ids first (they outlive a changed export), then its records' row hashes."""
    rec = SourceRecord.__table__
    ident = Identifier.__table__
    externals = sorted(set(conn.execute(
        select(ident.c.value).join(rec, rec.c.id == ident.c.record_id)
        .where(rec.c.customer_id == customer_id, ident.c.kind == "external")).scalars()))
    rows = conn.execute(select(rec.c.id, rec.c.row_hash).where(rec.c.customer_id == customer_id)
                        .order_by(rec.c.id)).all()
    keys = record_keys(conn, [rid for rid, _ in rows])
    # A row its import repeats is keyed by its place among the repeats (decisions.twin_key); its
    # plain row hash comes last, to find decisions made against it before, and is never written.
    return ([external_key(x) for x in externals] + list(dict.fromkeys(keys[rid] for rid, _ in rows))
            + sorted({h for rid, h in rows if keys[rid] != h}))


def _exists(conn: Connection, customer_id: int) -> bool:
    cust = Customer.__table__
    return conn.execute(select(cust.c.id).where(cust.c.id == customer_id)).first() is not None


def _decide(conn: Connection, kind: str, left: Sequence[str], right: Sequence[str]) -> list[int]:
    md = MatchDecision.__table__
    # Not the plain row hash of a repeated row: it names its repeats too, who may be someone else.
    left, right = _own_keys(left), _own_keys(right)
    rows = [{"kind": kind, "left_hash": a, "right_hash": b, "created_at": utcnow()}
            for a in left[:_MAX_PAIRS] for b in right[:_MAX_PAIRS] if a != b]
    if kind == "merge":
        rows = rows[:1]  # one must-link pair ties the two groups together
    if not rows:
        return []
    result = conn.execute(insert(md).returning(md.c.id, sort_by_parameter_order=True), rows)
    return [r[0] for r in result]


def _own_keys(keys: Sequence[str]) -> list[str]:
    """``keys`` without the row hashes a twin key among them stands for."""
    twinned = {t[0] for k in keys if (t := twin_of(k)) is not None}
    return [k for k in keys if k not in twinned]


def _forget_decisions(conn: Connection, kind: str, left: Sequence[str], right: Sequence[str]) -> None:
    md = MatchDecision.__table__
    if not left or not right:
        return
    # A customer of many records has more keys than one statement takes: a few at a time.
    for one in chunks(list(left), _TWO_LISTS):
        for other in chunks(list(right), _TWO_LISTS):
            conn.execute(delete(md).where(md.c.kind == kind, md.c.left_hash.in_(one), md.c.right_hash.in_(other)))
            conn.execute(delete(md).where(md.c.kind == kind, md.c.left_hash.in_(other), md.c.right_hash.in_(one)))


def _decisions_between(conn: Connection, kind: str, left: Sequence[str], right: Sequence[str]) -> list[dict]:
    """The decision rows :func:`_forget_decisions` would delete, as they are."""
    md = MatchDecision.__table__
    if not left or not right:
        return []
    found: dict[int, dict] = {}
    for one in chunks(list(left), _TWO_LISTS):
        for other in chunks(list(right), _TWO_LISTS):
            for pair in ((one, other), (other, one)):
                found.update((r["id"], dict(r)) for r in conn.execute(select(md).where(
                    md.c.kind == kind, md.c.left_hash.in_(pair[0]), md.c.right_hash.in_(pair[1]))).mappings())
    return [found[k] for k in sorted(found)]


def _reviews_of(conn: Connection, customer_ids: Sequence[int]) -> list[dict]:
    review = MatchReview.__table__
    found = {r["id"]: dict(r) for part in chunks(sorted(set(customer_ids)), _TWO_LISTS) for r in conn.execute(
        select(review).where(or_(review.c.left_id.in_(part), review.c.right_id.in_(part)))).mappings()}
    return [found[k] for k in sorted(found)]


def _put_back_review(conn: Connection, row: dict) -> int:
    """Queue a pair taken out of the queue again, under its old number; returns the number it got.

    Numbers are never given twice now, but a workspace of an older version may
    have given a decided pair's number to another pair since: that pair stays
    as it is, and this one comes back under a new number.
    """
    review = MatchReview.__table__
    if conn.execute(select(review.c.id).where(review.c.id == row["id"])).first() is None:
        return conn.execute(insert(review).returning(review.c.id).values(**row)).scalar_one()
    return conn.execute(insert(review).returning(review.c.id).values(
        **{k: v for k, v in row.items() if k != "id"})).scalar_one()


def _became_of(now, saved: dict, survivor: int) -> bool:
    """Whether queue entry ``now`` is what a merge into ``survivor`` made of ``saved``: the same
    question (when asked, why), pointed at the survivor or turned round, not another pair."""
    return (now["created_at"] == saved["created_at"] and now["reasons_json"] == saved["reasons_json"]
            and {now["left_id"], now["right_id"]} <= {saved["left_id"], saved["right_id"], survivor})


def _put_back_reviews(conn: Connection, rows: Sequence[dict], survivor: int) -> None:
    """The queue entries as they were (same numbers when free), replacing what became of them.

    Only what the merge made of them is replaced: a different pair that has
    the number now (given again by an older version) stays in the queue.
    """
    review = MatchReview.__table__
    for saved in rows:
        now = conn.execute(select(review).where(review.c.id == saved["id"])).mappings().first()
        if now is not None and _became_of(now, saved, survivor):
            conn.execute(delete(review).where(review.c.id == saved["id"]))
        _put_back_review(conn, dict(saved))


def merge_in(conn: Connection, ids: Sequence[int], *, kind: str = "manual",
             score: float | None = None, reason: str | None = None, refresh: bool = True) -> MergeResult:
    """Merge customers ``ids`` into the oldest of them (inside an open transaction).

    ``reason`` (``MergeLog.reason``) is kept with each merge: the evidence the
    user saw in Review.  ``refresh=False`` leaves the survivor's card to the caller,
    who refreshes the cards of many merges at once (nothing here reads a card's
    worked-out values: only its records, notes and pins).
    """
    ids = sorted(set(ids))
    if len(ids) < 2:
        raise UserError("Choose at least two customers to merge.")
    for cid in ids:
        if not _exists(conn, cid):
            raise UserError(f"There is no customer {cid}.")
    survivor, others = ids[0], ids[1:]
    rec = SourceRecord.__table__
    log_ids = []
    survivor_hashes = _hashes(conn, survivor)
    for absorbed in others:
        absorbed_hashes = _hashes(conn, absorbed)
        moved = _record_ids(conn, absorbed)
        # Undo puts back, exactly, the "different people" decisions this merge overrides and
        # the queue entries folding rewrites (pointed at the survivor, or dropped as repeats).
        forgotten = _decisions_between(conn, "reject", survivor_hashes, absorbed_hashes)
        reviews = _reviews_of(conn, [survivor, absorbed])
        _forget_decisions(conn, "reject", survivor_hashes, absorbed_hashes)
        decision_ids = _decide(conn, "merge", survivor_hashes, absorbed_hashes)
        conn.execute(update(rec).where(rec.c.customer_id == absorbed).values(customer_id=survivor))
        sync_children(conn, moved)
        log_id = log_and_fold(conn, survivor, absorbed, moved, kind=kind, score=score, reason=reason)
        _annotate_log(conn, log_id, decisions=decision_ids, restore=forgotten, reviews=reviews)
        log_ids.append(log_id)
        survivor_hashes += absorbed_hashes
    _drop_questions_answered(conn, survivor, survivor_hashes)
    if refresh:
        refresh_customers(conn, [survivor])
    return MergeResult(survivor, others, log_ids)


def _drop_questions_answered(conn: Connection, survivor: int, survivor_hashes: list[str]) -> None:
    """Take out of the queue the pairs of ``survivor`` with a customer the user kept apart from it.

    A record matching two customers kept apart waits in Review with each of them
    (clustering's ``_torn_between_kept_apart``); once it is merged into one, the
    other question reads "#1 ~ #2" about the two the user already said are
    different people.  (Undo puts it back with the rest of the queue as it was.)
    """
    review = MatchReview.__table__
    for rid, left, right in conn.execute(select(review.c.id, review.c.left_id, review.c.right_id).where(
            or_(review.c.left_id == survivor, review.c.right_id == survivor))).all():
        other = right if left == survivor else left
        if _decisions_between(conn, "reject", survivor_hashes, _hashes(conn, other)):
            conn.execute(delete(review).where(review.c.id == rid))


def _annotate_log(conn: Connection, log_id: int, **extra) -> None:
    log = MergeLog.__table__
    current = json.loads(conn.execute(select(log.c.absorbed_json).where(log.c.id == log_id)).scalar() or "{}")
    current.setdefault("_undo", {}).update(extra)
    conn.execute(update(log).where(log.c.id == log_id).values(absorbed_json=json.dumps(current, default=str)))


def kept_apart_among(ws: Workspace, ids: Sequence[int]) -> list[tuple[int, int]]:
    """The pairs of these customers the user said are different people (lower id first).

    Asked before a merge of them, which would replace that decision.
    """
    md = MatchDecision.__table__
    holder: dict[str, int] = {}
    with ws.engine.connect() as conn:
        for cid in sorted(set(ids)):
            for key in _hashes(conn, cid):
                holder.setdefault(key, cid)
        pairs = set()
        for part in chunks(list(holder), 400):
            for left, right in conn.execute(select(md.c.left_hash, md.c.right_hash).where(
                    md.c.kind == "reject", or_(md.c.left_hash.in_(part), md.c.right_hash.in_(part)))):
                a, b = holder.get(left), holder.get(right)
                if a is not None and b is not None and a != b:
                    pairs.add((min(a, b), max(a, b)))
    return sorted(pairs)


def merge_customers(ws: Workspace, ids: Sequence[int], *, kind: str = "manual") -> MergeResult:
    """Merge the given customers into the oldest one; the user's word, remembered for later imports."""
    with ws.writing() as conn:
        return merge_in(conn, ids, kind=kind)


def unmerge_record(ws: Workspace, record_id: int, *, customer_id: int | None = None,
                   owner: int | None = None) -> Unmerged:
    """Split one source record (with its order's line-item rows) out into a customer of its own.

    Returns the customer it left, the new customer, the log id for undo, and how many other
    records went with it (:func:`_riding_along`).  The
    record will not be matched back automatically.  The review queue is asked again about both
    customers (``requeue.ask_again``): a question resting on a record that left goes.  A value pinned on the
    customer that only the split-off records held is unpinned (undo pins it again).
    ``customer_id``: the id this split gave its customer before it was undone;
    a redo gives it back.  ``owner``: the customer the user saw the record on;
    the split is refused if the record has moved since (a merge in another
    window or command), rather than taking it out of a customer the user never saw.
    """
    from omnidesk.core.identity.resolve import model_from_settings

    model = model_from_settings(ws.get_setting)
    rec = SourceRecord.__table__
    with ws.writing() as conn:
        row = conn.execute(select(rec.c.customer_id, rec.c.row_hash).where(rec.c.id == record_id)).first()
        if row is None:
            raise UserError(f"There is no source record {record_id}.")
        old = row.customer_id
        if old is None:
            raise UserError("That record belongs to no customer.")
        if owner is not None and old != owner:
            raise UserError(f"That record is on customer {old} now, not customer {owner}: it was moved in "
                            "another window or command since. Nothing was split; look at the card again.")
        by_hand = hand_followers(conn)
        if record_id in by_hand:
            raise UserError("What you entered by hand stays with the customer; change or clear it on the card "
                            "instead.")
        # A later row of an order is a line of it, with nothing of the person: the order goes with its
        # first row, and only that row splits it off (with all its lines).
        if (why := order_lines(conn, old).get(record_id)) is not None:
            raise UserError(f"{why} Nothing was split.")
        led = all_followers(conn)
        followers = [f for f, lead in led.items() if lead == record_id]
        moving = [record_id, *followers]
        moving += _same_rows(conn, old, moving)
        brought = _brought_by_merges(conn, old)
        riders, by_name = _riding_along(conn, old, moving, led, record_id, brought)
        taken = {*moving, *riders}
        remaining = [r for r in _record_ids(conn, old) if r not in taken]
        anchors = [r for r in remaining if r not in by_hand]
        if not anchors and riders:
            # Its list records would take every record left (a list's record split off the one
            # person it matched takes that person's shop record): no list record goes, only the
            # activity that is the split-off record's own.
            riders, by_name = _riding_along(conn, old, moving, led, record_id, brought, lists=False)
            taken = {*moving, *riders}
            remaining = [r for r in _record_ids(conn, old) if r not in taken]
            anchors = [r for r in remaining if r not in by_hand]
        if not anchors and riders:
            # Nothing but the record's own activity would be left: it stays, as a customer of its own.
            riders = []
            remaining = [r for r in _record_ids(conn, old) if r not in moving]
            anchors = [r for r in remaining if r not in by_hand]
        if not anchors:
            if len(set(moving)) > len({record_id, *followers}):
                # Its twins, rows written alike cell for cell, go wherever it goes: nothing tells them apart.
                raise UserError("That record's other sources are rows written exactly like it, which move with "
                                "it: a split cannot tell them apart. Nothing was split.")
            raise UserError("That record is the customer's only source; there is nothing to split.")
        moving += riders
        along = len(set(moving)) - len({record_id, *followers})
        going = _hand_going_along(conn, old, moving, brought)
        moving += going
        _follow_another(conn, [f for f, lead in by_hand.items() if lead in moving and f not in going], anchors[0])
        _follow_another(conn, [f for f in going if by_hand.get(f) not in moving], record_id)
        cust = Customer.__table__
        new = conn.execute(insert(cust).returning(cust.c.id), [new_customer_row(conn, customer_id)]).scalar_one()
        for part in chunks(moving):
            conn.execute(update(rec).where(rec.c.id.in_(part)).values(customer_id=new))
        sync_children(conn, moving)
        hand_undo = _share_hand_entries(conn, old, new, moving, going, brought, anchors, record_id, riders)
        remaining_hashes = _hashes(conn, old)
        ties, retied = _untie(conn, _hashes(conn, new), remaining_hashes)
        decision_ids = retied + _decide(conn, "reject", [row.row_hash], remaining_hashes)
        decision_ids += _keep_the_rest_together(conn, moving, anchors, by_name)
        remaining = _record_ids(conn, old)  # with a hand record made to keep what stays
        undo = {"decisions": decision_ids, "restore": ties, **_drop_pins_of(conn, old, moving, remaining),
                **hand_undo, **_give_notes_along(conn, old, new, moving, brought)}
        _give_pins_along(conn, new, going, brought, moving)
        # What the queue asked about the customer may rest on a record that left: both sides are
        # asked again, as an import would ask about their records.
        undo["queue"] = ask_again(conn, [old, new], model)
        log = MergeLog.__table__
        log_id = conn.execute(insert(log).returning(log.c.id).values(
            kind="unmerge", survivor_id=old, absorbed_id=new, record_ids_json=json.dumps(moving),
            absorbed_json=json.dumps({"_undo": undo}),
            created_at=utcnow(),
            undone=False,
        )).scalar_one()
        refresh_customers(conn, [old, new])
    return Unmerged(old, new, log_id, along)


def _riding_along(conn: Connection, customer_id: int, moving: Sequence[int], led: dict[int, int],
                  split: int, brought: dict[int, _Brought], *, lists: bool = True) -> tuple[list[int], set[int]]:
    """The records of ``customer_id`` that go with the split-off records ``moving`` (record ``split``
    and what follows it): the list records that reached the card only through them
    (:func:`_lists_riding`), then the activity that is theirs, as an import places it.

    Jon (the shop) and Jonathan (a list's record, and his opens by its address) were merged by
    hand, then the list's record was split off: not Jon after all.  The opens are Jonathan's, as
    they were before the merge; left on Jon's card, they gave Jon Jonathan's activity and dates,
    kept Jonathan's notes there (a side's notes go only when all it brought leaves), and were
    tied to Jon as if the user had merged them.  An activity record (a file of events: opens,
    orders, visits) goes along when it shares an email, phone or customer id with the split-off
    records and either shares none with the file records that stay, or shares them only where
    the split-off side holds its channel's own list record for them and the side that stays
    does not (an open goes to the person its channel's list holds the address for).  One that
    gives a name goes by its name instead (:func:`_named_sides`).  A row of an order goes with
    its order's first row.  Returns the records, in id order, and the named records that stay
    for their name being the staying side's.  ``lists`` false: no list record goes, only activity
    (placed against the split-off records alone).
    """
    rec, ident = SourceRecord.__table__, Identifier.__table__
    records = {r.id: r for r in conn.execute(select(rec.c.id, rec.c.kind, rec.c.channel, rec.c.batch_id).where(
        rec.c.customer_id == customer_id, rec.c.channel != HAND, rec.c.kind != "skipped"))}
    if len(records) <= len(set(moving)):
        return [], set()
    values: dict[int, set[tuple[str, str]]] = {}
    for part in chunks(sorted(records)):
        for rid, kind, value in conn.execute(select(ident.c.record_id, ident.c.kind, ident.c.value).where(
                ident.c.record_id.in_(part), ident.c.kind.in_(("email", "phone", "external")))):
            values.setdefault(rid, set()).add((kind, value))
    listed = _lists_riding(conn, customer_id, records, values, set(moving), split, brought) if lists else set()
    leaving = set(moving) | listed
    if not any(r.kind == "events" and rid not in leaving for rid, r in records.items()):
        return sorted(listed), set()
    gone = {v for rid in leaving for v in values.get(rid, ())}
    candidates = {rid for rid, r in records.items() if r.kind == "events" and rid not in leaving
                  and values.get(rid, set()) & gone}
    # Each value, with the channels whose list records hold it on either side.
    kept: dict[tuple[str, str], set[str]] = {}
    listed_leaving: dict[tuple[str, str], set[str]] = {}
    for rid, r in records.items():
        if rid in candidates:
            continue
        lists = r.channel if r.kind == "contacts" else None
        for v in values.get(rid, ()):
            if rid in leaving:
                if lists:
                    listed_leaving.setdefault(v, set()).add(lists)
            else:
                kept.setdefault(v, set())
                if lists:
                    kept[v].add(lists)
    named = _named_sides(conn, customer_id, candidates, leaving)
    riders = set()
    for rid in sorted(candidates):
        if rid in named:
            if named[rid]:
                riders.add(rid)
            continue
        shared, channel = values[rid], records[rid].channel
        if any(v in kept for v in shared) and (any(channel in kept.get(v, ()) for v in shared)
                                               or not any(channel in listed_leaving.get(v, ()) for v in shared)):
            continue
        riders.add(rid)
    # An order's rows go together, with its first row.
    going = riders | leaving
    riders = {rid for rid in riders if led.get(rid, rid) in going}
    riders |= {f for f, lead in led.items() if lead in riders and f in records and f not in leaving}
    return sorted(riders | listed), {rid for rid, goes in named.items() if not goes and rid not in riders}


def _lists_riding(conn: Connection, customer_id: int, records: dict, values: dict[int, set[tuple[str, str]]],
                  leaving: set[int], split: int, brought: dict[int, _Brought]) -> set[int]:
    """The list records of ``customer_id`` (every record but activity: a newsletter's member, a text
    list's subscriber, the same shop customer in a later export) that go with the split-off records
    ``leaving``: those on the card only through them.

    Owen Rossi and Melissa Clark, two of the shop's customers, were merged by mistake; Melissa's
    newsletter record (her email) had come onto her card by that email, and her opens with it.
    Splitting her shop record off left the newsletter record on Owen's card: her email became his
    main one, every open on it stayed with it (the list holding the address stayed), and Melissa
    lost her email and her "yes" to emails.  A list record goes when it shares an email, phone or
    customer id with the records going and none with the records that stay; activity on a value
    the records going hold counts for neither side (it follows, :func:`_riding_along`).  What goes
    counts as going in turn (a text list's record on a phone only the newsletter record held goes
    too); what stays, as staying.  A record that shares identifiers with both sides stays; so does
    one whose name cannot be the split-off side's (or, when that side gives no name, could be the
    staying side's), and one the customer held before a merge still standing brought the split
    record in (or that such a merge brought in, when the split record was the customer's own):
    the user's merge joined those two sides, and it is the split record the user took back.
    """
    def held(rids) -> set[tuple[str, str]]:
        return {v for rid in rids for v in values.get(rid, ())}

    lists = {rid for rid, r in records.items() if r.kind != "events"} - leaving
    going, stayed = set(leaving), _across_merges(conn, records, split, brought)
    profiles = None
    while True:
        gone = held(going)
        candidates = {rid for rid in lists - going - stayed if values.get(rid, set()) & gone}
        if not candidates:
            break
        following = {rid for rid, r in records.items() if r.kind == "events" and rid not in going
                     and values.get(rid, set()) & gone}
        staying = set(records) - going - candidates - following
        if profiles is None:
            profiles = _record_profiles(conn, customer_id)
        stay = {rid for rid in candidates if not _name_could_go(profiles, rid, going, staying)}
        kept = held(staying | stay)
        while more := {rid for rid in candidates - stay if values.get(rid, set()) & kept}:
            stay |= more
            kept |= held(more)
        stayed |= stay
        if not candidates - stay:
            break
        going |= candidates - stay
    return going - leaving


def _across_merges(conn: Connection, records: dict, split: int, brought: dict[int, _Brought]) -> set[int]:
    """The records of ``records`` a merge still standing put on the other side from record ``split``:
    held by the customer before the merge that brought ``split`` in, or brought in by a merge while
    ``split`` was the customer's."""
    if not brought:
        return set()
    batch = ImportBatch.__table__
    started = {bid: _instant_of(at) for bid, at in conn.execute(select(batch.c.id, batch.c.started_at).where(
        batch.c.id.in_(sorted({r.batch_id for r in records.values()}))))}
    merged_at = {b.log_id: b.at for b in brought.values()}

    def there_before(rid: int, log_id: int) -> bool:
        """Whether record ``rid`` was on the customer, not brought, when merge ``log_id`` was made."""
        came = brought.get(rid)
        if came is not None:
            return came.log_id < log_id
        at = started.get(records[rid].batch_id)
        return at is not None and at < merged_at[log_id]

    mine = brought.get(split)
    out = set()
    for rid in records:
        if rid == split:
            continue
        theirs = brought.get(rid)
        if mine is not None and (theirs is None or theirs.log_id != mine.log_id) and there_before(rid, mine.log_id):
            out.add(rid)
        elif theirs is not None and (mine is None or mine.log_id != theirs.log_id) and there_before(split, theirs.log_id):
            out.add(rid)
    return out


def _record_profiles(conn: Connection, customer_id: int) -> dict[int, Profile]:
    rec = SourceRecord.__table__
    rows = conn.execute(profile_query(with_hash=False).where(
        rec.c.customer_id == customer_id, rec.c.channel != HAND, rec.c.kind != "skipped")
        .order_by(rec.c.id)).all()
    return {p.rid: p for p in make_profiles(rows, {})}


def _name_could_go(profiles: dict[int, Profile], rid: int, going: set[int], staying: set[int]) -> bool:
    """Whether record ``rid``'s name lets it go with the records ``going``: it gives none, or one
    that could be theirs (when they give none: one that could not be the records ``staying``)."""
    p = profiles.get(rid)
    if p is None or not (p.first or p.last):
        return True
    ours = [profiles[r] for r in sorted(going) if r in profiles and (profiles[r].first or profiles[r].last)]
    if ours:
        return customers_conflict([p], ours) is None
    theirs = [profiles[r] for r in sorted(staying) if r in profiles and (profiles[r].first or profiles[r].last)]
    return not theirs or customers_conflict([p], theirs) is not None


def _named_sides(conn: Connection, customer_id: int, candidates: set[int], leaving: set[int]) -> dict[int, bool]:
    """Whether each activity record of ``candidates`` that gives a name goes with the split-off
    records ``leaving``: only when its name could be theirs and none of the staying records' (those
    with a name), as an import and a rebuild place it.

    A till sale named "Hansen, Jon" on the shop's landline, which the till's loyalty list holds for
    Mia Berg, is Jon's: splitting Mia off the two merged by mistake leaves it with him, however
    the landline reads.  A named record whose name could be both sides' or neither's stays.
    """
    profiles = _record_profiles(conn, customer_id)
    if not any(profiles[rid].first or profiles[rid].last for rid in candidates if rid in profiles):
        return {}
    going = [p for rid, p in profiles.items() if rid in leaving and (p.first or p.last)]
    staying = [p for rid, p in profiles.items() if rid not in leaving and rid not in candidates
               and (p.first or p.last)]

    def could_be(p, side) -> bool:
        return bool(side) and customers_conflict([p], side) is None

    return {rid: could_be(p, going) and not could_be(p, staying) for rid in candidates
            if (p := profiles.get(rid)) is not None and (p.first or p.last)}


def _keep_the_rest_together(conn: Connection, moving: Sequence[int], anchors: Sequence[int],
                            by_name: Collection[int] = ()) -> list[int]:
    """Tie to the customer the records left on it that held to it through the split-off records.

    A record that stays (:func:`_riding_along` took the split-off side's own activity along) while
    it shares an email, phone or external id with the split-off records, which are kept apart from
    the customer's, would be left between the two by a rebuild.  Each such record is tied to the
    customer's first other record, as the user's merge had tied it; but not one ``by_name``, kept
    by its name (a sale named for the person who stays is theirs in a rebuild without a tie, and a
    tie would tell a merge by hand the user never made).  Returns the ties' decision ids (undo
    removes them).
    """
    ident, rec = Identifier.__table__, SourceRecord.__table__
    values = {(k, v) for part in chunks(list(moving)) for k, v in conn.execute(
        select(ident.c.kind, ident.c.value).where(ident.c.record_id.in_(part)))}
    if not values:
        return []
    wanted = set(anchors) - set(by_name)
    sharing: set[int] = set()
    for kind in sorted({k for k, _ in values}):
        for part in chunks(sorted(v for k, v in values if k == kind)):
            sharing.update(rid for rid in conn.execute(select(ident.c.record_id).where(
                ident.c.kind == kind, ident.c.value.in_(part))).scalars() if rid in wanted)
    if not sharing:
        return []
    anchor = next((r for r in anchors if r not in sharing and r not in by_name), min(sharing))
    hashes = {rid: h for part in chunks(sorted({anchor, *sharing}))
              for rid, h in conn.execute(select(rec.c.id, rec.c.row_hash).where(rec.c.id.in_(part)))}
    ids: list[int] = []
    for rid in sorted(sharing - {anchor}):
        ids += _decide(conn, "merge", [hashes[anchor]], [hashes[rid]])
    return ids


def _untie(conn: Connection, moving: Sequence[str], remaining: Sequence[str]) -> tuple[list[dict], list[int]]:
    """Forget the user's earlier merges that tie the split-off records (keys ``moving``) to others.

    The split is the later word: a merge decision left standing would pull the
    record back on the next resolve.  A merge is stored as one pair of keys, the
    first of each side's, so it may be keyed by a customer id the record carries
    rather than its row hash; every key of the split-off records counts, except
    one the records left behind carry too.  What the forgotten merges tied the
    split-off records to stays tied together (the user merged those as well).
    Returns the decision rows removed, as they were (undo puts them back), and
    the ids of the ties added in their place.
    """
    md = MatchDecision.__table__
    own = sorted(set(moving) - set(remaining))
    if not own:
        return [], []
    ties = [dict(r) for part in chunks(own, _TWO_LISTS) for r in conn.execute(select(md).where(
        md.c.kind == "merge", or_(md.c.left_hash.in_(part), md.c.right_hash.in_(part)))).mappings()]
    ties = list({t["id"]: t for t in ties}.values())
    mine = set(own)
    ties = [t for t in ties if not (t["left_hash"] in mine and t["right_hash"] in mine)]
    if not ties:
        return [], []
    for part in chunks([t["id"] for t in ties]):
        conn.execute(delete(md).where(md.c.id.in_(part)))
    return ties, _tie_ends(conn, ties, mine)


def _tie_ends(conn: Connection, ties: Sequence[dict], through: set[str]) -> list[int]:
    """Tie together what merge decisions ``ties`` tied through keys ``through``, without those keys.

    The other ends of the decisions (in the order the user made them) are tied to the first of
    them, each by a merge decision of its own; returns their ids.
    """
    ends = list(dict.fromkeys(h for t in sorted(ties, key=lambda t: t["id"])
                              for h in (t["left_hash"], t["right_hash"]) if h not in through))
    retied = []
    for other in ends[1:]:
        if not _decisions_between(conn, "merge", ends[:1], [other]):  # tied so already
            retied += _decide(conn, "merge", ends[:1], [other])
    return retied


def keep_merges_past(conn: Connection, record_ids: Sequence[int]) -> list[int]:
    """Keep the user's merges standing when records ``record_ids`` go (their import undone).

    A merge by hand is kept as one pair of keys, one record's of each side; merged in turn,
    the shop's Anna, the till's Ann and the list's Anna may be tied shop-till and till-list.
    Undoing the till's import takes its keys away: the ties through them would hold nothing,
    and a rebuild would split the list's Anna off the customer the user made.  What they tied
    through those keys is tied directly (as a split does, :func:`_untie`): each other end still
    on the customer that held the going records is tied to the first.  The ties through the
    going keys stay as they are: the same file imported again brings its rows back under them.
    Returns the ids of the ties added.
    """
    md, rec, ident = MatchDecision.__table__, SourceRecord.__table__, Identifier.__table__
    going = set(record_ids)
    if not going or conn.execute(select(md.c.id).where(md.c.kind == "merge").limit(1)).first() is None:
        return []
    owner: dict[str, int] = {}  # each going key, with the customer of a going record holding it
    of_record: dict[int, int | None] = {}
    values: set[str] = set()
    for part in chunks(sorted(going)):
        for rid, row_hash, cid in conn.execute(select(rec.c.id, rec.c.row_hash, rec.c.customer_id)
                                               .where(rec.c.id.in_(part))):
            of_record[rid] = cid
            if cid is not None:
                owner.setdefault(row_hash, cid)
        for rid, value in conn.execute(select(ident.c.record_id, ident.c.value).where(
                ident.c.record_id.in_(part), ident.c.kind == "external")):
            values.add(value)
            if of_record.get(rid) is not None:
                owner.setdefault(external_key(value), of_record[rid])
    for rid, key in record_keys(conn, sorted(going)).items():
        if of_record.get(rid) is not None:
            owner.setdefault(key, of_record[rid])  # a repeated row's own key (decisions.twin_key)
    hashes = {k for k in owner if not k.startswith("x:")}
    keys = set(owner)
    ties = {t["id"]: t for part in chunks(sorted(keys), _TWO_LISTS)
            for t in (dict(r) for r in conn.execute(select(md).where(
        md.c.kind == "merge", or_(md.c.left_hash.in_(part), md.c.right_hash.in_(part)))).mappings())}
    if not ties:
        return []
    # A key another record holds too (the same row in a later file, the same customer id) stays.
    for key, held in key_holders(conn, hashes).items():
        if any(rid not in going for rid, _ in held):
            keys.discard(key)
    for part in chunks(sorted(values)):
        for value, rid in conn.execute(select(ident.c.value, ident.c.record_id).where(
                ident.c.kind == "external", ident.c.value.in_(part))):
            if rid not in going:
                keys.discard(external_key(value))
    through = [t for t in ties.values() if t["left_hash"] in keys or t["right_hash"] in keys]
    # The keys the customers holding those keys keep through records that stay: where ties may go.
    holder: dict[str, int] = {}
    staying: dict[int, list[int]] = {}
    for cid in sorted({owner[h] for t in through for h in (t["left_hash"], t["right_hash"]) if h in keys}):
        staying[cid] = [r for r in _record_ids(conn, cid) if r not in going]
        for key in _keys_of(conn, staying[cid]):
            holder.setdefault(key, cid)
    # Keys tied to one another through going keys are one group (union-find over the going keys).
    group: dict[str, str] = {}

    def root(key: str) -> str:
        while group.get(key, key) != key:
            key = group[key]
        return key

    for t in through:
        if t["left_hash"] in keys and t["right_hash"] in keys:
            group[root(t["left_hash"])] = root(t["right_hash"])
    added: list[int] = []
    by_group: dict[tuple[str, int], list[dict]] = {}
    for t in through:
        gone = t["left_hash"] if t["left_hash"] in keys else t["right_hash"]
        other = t["right_hash"] if gone == t["left_hash"] else t["left_hash"]
        if other in holder:
            by_group.setdefault((root(gone), holder[other]), []).append(t)
    for (_, _cid), group_ties in sorted(by_group.items(), key=lambda g: min(t["id"] for t in g[1])):
        added += _tie_ends(conn, group_ties, keys | {h for t in group_ties for h in (t["left_hash"], t["right_hash"])
                                                     if h not in holder})
    # What the going records held to the customer (the till's sale by the till customer's phone)
    # came with them in the user's merge: it stays tied to the customer too.
    by_hand = hand_followers(conn)
    for cid in sorted({c for _, c in by_group}):
        anchors = [r for r in staying[cid] if r not in by_hand]
        leaving = [r for r in _record_ids(conn, cid) if r in going]
        if anchors and leaving:
            added += _keep_the_rest_together(conn, leaving, anchors)
    return added


def _keys_of(conn: Connection, record_ids: Sequence[int]) -> set[str]:
    """Every key a decision about these records may be written against: row hashes and customer ids."""
    rec, ident = SourceRecord.__table__, Identifier.__table__
    out: set[str] = set()
    out.update(record_keys(conn, record_ids).values())
    for part in chunks(list(record_ids)):
        out.update(conn.execute(select(rec.c.row_hash).where(rec.c.id.in_(part))).scalars())
        out.update(external_key(v) for v in conn.execute(select(ident.c.value).where(
            ident.c.record_id.in_(part), ident.c.kind == "external")).scalars())
    return out


def _same_rows(conn: Connection, customer_id: int, record_ids: Sequence[int]) -> list[int]:
    """The other records of ``customer_id`` that repeat one of ``record_ids`` cell for cell.

    Identical rows are one person (see ``importing.sightings``): they move together.
    """
    rec = SourceRecord.__table__
    mine = rec.alias("mine")
    out: list[int] = []
    for part in chunks(list(record_ids)):
        out.extend(conn.execute(
            select(rec.c.id).distinct().join(mine, mine.c.row_hash == rec.c.row_hash)
            .where(mine.c.id.in_(part), rec.c.customer_id == customer_id, rec.c.kind != "skipped")
        ).scalars())
    return sorted(set(out) - set(record_ids))


def _follow_another(conn: Connection, hand_records: Sequence[int], lead: int) -> None:
    """What the user entered by hand stays with the customer when the record it followed is split off."""
    rec = SourceRecord.__table__
    for rid in hand_records:
        values = json.loads(conn.execute(select(rec.c.values_json).where(rec.c.id == rid)).scalar() or "{}")
        values["follows"] = lead
        conn.execute(update(rec).where(rec.c.id == rid).values(values_json=json.dumps(values)))


class _Brought(NamedTuple):
    """How a record came onto a customer by a merge still standing: the merge, when, and the customer it
    came from as the merge log keeps it (its pins among them)."""

    log_id: int
    at: datetime
    absorbed: dict


_REFUSALS = ("denied", "unsubscribed", "cleaned")
_HAND_CELLS = (*PINNABLE, "tags", "values_json", "raw_json")


def _instant_of(text: str | None) -> datetime | None:
    """A stored time as an instant (one without an offset is UTC, as :func:`timeutil.to_utc` reads it)."""
    utc = to_utc(text)
    return datetime.fromisoformat(utc).replace(tzinfo=UTC) if utc else None


def _brought_by_merges(conn: Connection, customer_id: int) -> dict[int, _Brought]:
    """The records of ``customer_id`` that merges still standing brought in, each with its merge
    (the latest, where one came in twice); a record not listed was the customer's own."""
    log = MergeLog.__table__
    held = set(_record_ids(conn, customer_id))
    out: dict[int, _Brought] = {}
    for log_id, moved, saved, at in conn.execute(
            select(log.c.id, log.c.record_ids_json, log.c.absorbed_json, log.c.created_at)
            .where(log.c.survivor_id == customer_id, log.c.kind != "unmerge", log.c.undone.is_(False))
            .order_by(log.c.id)):
        absorbed = json.loads(saved or "{}")
        when = _instant_of(at) or datetime.min.replace(tzinfo=UTC)
        for rid in json.loads(moved or "[]"):
            if rid in held:
                out[rid] = _Brought(log_id, when, absorbed)
    return out


def _hand_ids(conn: Connection, customer_id: int) -> list[int]:
    rec = SourceRecord.__table__
    return list(conn.execute(select(rec.c.id).where(rec.c.customer_id == customer_id, rec.c.channel == HAND)
                             .order_by(rec.c.id)).scalars())


def hand_record_kept(conn: Connection, customer_id: int) -> int | None:
    """The hand record of ``customer_id`` that stays with its id whatever is split off it or undone.

    That is one no merge still standing brought in (:func:`_hand_going_along` never sends one of
    those away, nor does undoing a merge, which takes back only what it brought): the oldest,
    else ``None`` (the caller makes one).  What is typed on a merged customer is written there,
    not on a record that goes back with the other side.
    """
    brought = _brought_by_merges(conn, customer_id)
    return next((rid for rid in _hand_ids(conn, customer_id) if rid not in brought), None)


def first_own_record(conn: Connection, customer_id: int) -> int | None:
    """The customer's first record from a file that no merge still standing brought in (else its
    first from a file at all): what a hand record made for the customer follows."""
    rec = SourceRecord.__table__
    brought = _brought_by_merges(conn, customer_id)
    ids = list(conn.execute(select(rec.c.id).where(rec.c.customer_id == customer_id, rec.c.channel != HAND)
                            .order_by(rec.c.id)).scalars())
    return next((rid for rid in ids if rid not in brought), ids[0] if ids else None)


def _hand_going_along(conn: Connection, customer_id: int, moving: Sequence[int],
                      brought: dict[int, _Brought]) -> list[int]:
    """The hand records that go with the split-off records: each that came in with them.

    Anna of the email list had said no to SMS on her own card before the user merged her into
    the shop's Anna; splitting the list's record off takes her hand record along, refusal, tags
    and typed company with it.  A hand record goes when the merge that brought it in brought
    records of which every one is leaving now.  When only some of them leave, the person it was
    typed for is still (in part) on the customer: it stays, and what it refused is shared
    (:func:`_share_hand_entries`).  The customer's own hand records (no merge brought them)
    stay with it, as ever.
    """
    hand = _hand_ids(conn, customer_id)
    leaving = set(moving)
    going = []
    for rid in hand:
        came = brought.get(rid)
        if came is None:
            continue
        theirs = {r for r, b in brought.items() if b.log_id == came.log_id and r not in hand}
        if theirs and theirs <= leaving:
            going.append(rid)
    return going


def _hand_rows(conn: Connection, record_ids: Sequence[int]) -> dict[int, dict]:
    rec, ident = SourceRecord.__table__, Identifier.__table__
    out: dict[int, dict] = {}
    rows = [row for part in chunks(list(record_ids))
            for row in conn.execute(select(rec.c.id, *[rec.c[c] for c in _HAND_CELLS]).where(rec.c.id.in_(part)))]
    for row in rows:
        out[row.id] = {c: row._mapping[c] for c in _HAND_CELLS}
        out[row.id]["identifiers"] = [list(x) for x in conn.execute(
            select(ident.c.kind, ident.c.value).where(ident.c.record_id == row.id,
                                                      ident.c.kind.in_(("email", "phone"))))]
    return out


def _together_since(leaving: Sequence, staying: Sequence):
    """When two sides of a customer became one: each side's records' arrival times (``None``: there
    from the start), the later of the two sides' first; ``None`` when both were there from the start."""
    firsts = [None if (not times or None in times) else min(times) for times in (leaving, staying)]
    known = [t for t in firsts if t is not None]
    return max(known) if known else None


def _share_hand_entries(conn: Connection, old: int, new: int, moving: Sequence[int], going: Sequence[int],
                        brought: dict[int, _Brought], anchors: Sequence[int], new_anchor: int,
                        riders: Sequence[int] = ()) -> dict:
    """After a split, give each side what was typed by hand for it while the two were one customer.

    What cannot be told apart is read the safe way:

    * A refusal (a "no" to a channel, an unsubscribe) typed on the merged customer may have
      been either person's: the user had both on one card.  It is kept on both sides, so a
      split never sends to someone who said no.  A refusal typed before the merge is its own
      side's only (the hand record it is on went, or stayed, with its person).
    * Values and tags typed on the merged customer stay with the customer the user was working
      on, the one that keeps its id: on its pins already, and on a hand record of its own; the
      one that leaves takes what its side had typed before the merge (a tag taken off since
      stays off both).
      A "yes" typed on the merged customer stays with it alone: never guessed onto the other.

    Returns what undoing the split needs: copies to delete, records made, records as they were.
    """
    from omnidesk.core.edits import _new_record, _refresh_raw, _set_identifier

    rec, con = SourceRecord.__table__, Consent.__table__
    undo: dict = {"hand_copies": [], "hand_made": [], "hand_before": {}, "hand_moved": []}
    staying = _hand_ids(conn, old)
    as_they_were = _hand_rows(conn, [*staying, *going])

    def changing(rid: int) -> None:
        if rid in as_they_were:
            undo["hand_before"].setdefault(str(rid), as_they_were[rid])

    def copy_refusals(rows, to_record: int, to_customer: int) -> None:
        undo["hand_copies"].extend(_copy_refusals(conn, rows, to_record, to_customer))

    # Since when the split-off records and the rest were one customer: since each side's first
    # record came onto it (a record the files joined was there from the start; one a merge still
    # standing brought, from that merge), the later of the two.  Both sides holding a record the
    # files joined: always, and every hand-typed refusal of the customer is ambiguous.  (Reading
    # the customer's first merge instead took a later, unrelated merge for when the two met, and a
    # "stop" typed while they were one card stayed with one side only.)  The activity riding along
    # with the split-off records (:func:`_riding_along`) says nothing of when the two met.
    old_anchor = anchors[0]
    leaving = [r for r in moving if r not in {*going, *riders}]
    together = _together_since([brought[r].at if r in brought else None for r in leaving],
                               [brought[r].at if r in brought else None for r in anchors])
    shared = _refusals_typed(conn, staying, together)
    # A hand record typed for a side that leaves whole (its list records went with the split-off
    # record, being on the card only through it) was typed for the person leaving, whenever it was
    # typed: its refusals go with them too (and stay, as every refusal does).
    hand = set(staying) | set(going)
    files = [r for r in [*moving, *anchors] if r not in hand]
    gone = set(moving)

    def side_of(rid: int) -> set[int]:
        came = brought.get(rid)
        if came is None:
            return {r for r in files if r not in brought}
        return {r for r in files if r in brought and brought[r].log_id == came.log_id}

    whole = [rid for rid in staying if (side := side_of(rid)) and side <= gone]
    if whole:
        seen = {r["id"] for r in shared}
        shared += [r for r in _refusals_typed(conn, whole, None) if r["id"] not in seen]
    if shared:
        taker = going[0] if going else None
        if taker is None:
            taker = _new_record(conn, new, {"follows": new_anchor})
            undo["hand_made"].append(taker)
        copy_refusals(shared, taker, new)

    keeper = staying[0] if staying else None
    for rid in going:
        came = brought[rid]
        typed_then = [dict(r) for r in conn.execute(select(con).where(con.c.record_id == rid)
                                                     .order_by(con.c.id)).mappings()
                      if (_instant_of(r["occurred_at"]) or came.at) >= came.at]
        since = [r for r in typed_then if r["status"] in _REFUSALS]
        yes_since = [r["id"] for r in typed_then if r["status"] not in _REFUSALS]
        row = conn.execute(select(*[rec.c[c] for c in _HAND_CELLS]).where(rec.c.id == rid)).mappings().one()
        values = json.loads(row["values_json"] or "{}")
        typed_since = {f: when for f, when in (values.get("edited") or {}).items()
                       if f in PINNABLE and (_instant_of(when) or came.at) >= came.at}
        had_tags = {t.casefold() for t in (came.absorbed.get("tags") or "").split(", ") if t}
        tags_since = [t for t in (row["tags"] or "").split(", ") if t and t.casefold() not in had_tags]
        untagged = values.get("untagged") or []
        if not (since or yes_since or typed_since or tags_since or untagged):
            continue
        if keeper is None:
            keeper = _new_record(conn, old, {"follows": old_anchor})
            undo["hand_made"].append(keeper)
        copy_refusals(since, keeper, old)
        if yes_since:
            for part in chunks(yes_since):
                conn.execute(update(con).where(con.c.id.in_(part)).values(record_id=keeper, customer_id=old))
            undo["hand_moved"] += [[cid, rid] for cid in yes_since]
        kept = conn.execute(select(rec.c.tags, rec.c.values_json).where(rec.c.id == keeper)).one()
        kept_values = json.loads(kept.values_json or "{}")
        kept_tags = [t for t in (kept.tags or "").split(", ") if t]
        kept_tags += [t for t in tags_since if t.casefold() not in {k.casefold() for k in kept_tags}]
        off = list(dict.fromkeys([*kept_values.get("untagged", []), *untagged]))
        if off:
            kept_values["untagged"] = off
        changing(keeper)
        changing(rid)
        cells: dict = {}
        pins_then = json.loads(came.absorbed.get("pinned_json") or "{}")
        going_cells: dict = {}
        for f, when in typed_since.items():
            cells[f] = row[f]
            kept_values.setdefault("edited", {})[f] = when
            # The split-off side keeps what it had typed before the merge (its pin then), or nothing.
            before = pins_then.get(f)
            going_cells[f] = before or (None if f in ("email", "phone", "birthday") else "")
            values["edited"].pop(f, None)
        conn.execute(update(rec).where(rec.c.id == keeper).values(
            tags=", ".join(kept_tags), values_json=json.dumps(kept_values), **cells))
        if going_cells or tags_since:
            left_tags = [t for t in (row["tags"] or "").split(", ") if t and t not in tags_since]
            conn.execute(update(rec).where(rec.c.id == rid).values(
                tags=", ".join(left_tags), values_json=json.dumps(values), **going_cells))
        for f in ("email", "phone"):
            if f in cells:
                _set_identifier(conn, keeper, f, cells[f] or None)
            if f in going_cells:
                _set_identifier(conn, rid, f, going_cells[f] or None)
        _refresh_raw(conn, keeper)
        _refresh_raw(conn, rid)
    return undo if any(undo.values()) else {}


def _refusals_typed(conn: Connection, hand_records: Sequence[int], since: datetime | None) -> list[dict]:
    """The refusals on these hand records typed at or after ``since`` (``None``: every one), as rows."""
    con = Consent.__table__
    if not hand_records:
        return []
    rows = sorted((dict(r) for part in chunks(list(hand_records)) for r in conn.execute(select(con).where(
        con.c.record_id.in_(part), con.c.status.in_(_REFUSALS))).mappings()), key=lambda r: r["id"])
    return [r for r in rows if since is None or (_instant_of(r["occurred_at"]) or since) >= since]


def _copy_refusals(conn: Connection, rows: Sequence[dict], to_record: int, to_customer: int) -> list[int]:
    """Copy these refusals onto hand record ``to_record`` of ``to_customer``; returns the copies' ids."""
    con = Consent.__table__
    ids = []
    for r in rows:
        copy = {k: v for k, v in r.items() if k != "id"}
        copy.update(record_id=to_record, customer_id=to_customer)
        ids.append(conn.execute(insert(con).returning(con.c.id).values(**copy)).scalar_one())
    return ids


def _keep_refusals_on_both(conn: Connection, survivor: int, back: int, merged_at: datetime | None) -> list[int]:
    """After a merge is undone, give each side the refusals typed on the other since the merge.

    A "stop" typed on the merged customer is filed on one of its hand records (the oldest, which
    may be the one that goes back with the absorbed customer): it may have been either person's,
    the user had both on one card.  As after a split (:func:`_share_hand_entries`), it is kept on
    both sides, so undoing a merge never sends to someone who said no.  A refusal typed before the
    merge stays with its own side.  A side with no hand record gets one, following its first
    record.  Returns the copies' ids.
    """
    from omnidesk.core.edits import _new_record

    rec = SourceRecord.__table__
    sides = [(cid, _hand_ids(conn, cid)) for cid in (survivor, back)]
    typed = [_refusals_typed(conn, hand, merged_at) for _, hand in sides]
    copies: list[int] = []
    for (cid, hand), rows in zip(sides, reversed(typed)):  # each side takes what the other was given
        if not rows:
            continue
        taker = hand[0] if hand else None
        if taker is None:
            anchor = conn.execute(select(func.min(rec.c.id)).where(
                rec.c.customer_id == cid, rec.c.channel != HAND)).scalar()
            if anchor is None:
                continue  # nothing of theirs is left to hold it
            taker = _new_record(conn, cid, {"follows": anchor})
        copies += _copy_refusals(conn, rows, taker, cid)
    return copies


def _without(notes: str, piece: str) -> str | None:
    """``notes`` with ``piece`` (joined onto them by a merge, a blank line before it) taken out;
    ``None`` when ``piece`` is not there as it was joined (edited since)."""
    at = notes.rfind(piece)
    if not piece or at < 0:
        return None
    before, after = notes[:at].rstrip(), notes[at + len(piece):].lstrip()
    return f"{before}\n\n{after}" if before and after else before or after


def _give_notes_along(conn: Connection, old: int, new: int, moving: Sequence[int],
                      brought: dict[int, _Brought]) -> dict:
    """The split-off customer gets back the notes its side had when it was merged away.

    A merge joined the absorbed customer's notes onto the survivor's (``writes._carry_user_data``);
    when every file record that merge brought is leaving now, the person those notes were typed
    for is the one leaving: they go with them, and come off the customer that keeps its id where
    they still read as the merge joined them (notes edited since stay as they are: nothing the
    user wrote is lost).  Notes typed on the merged customer stay with the customer keeping its id,
    and so do a side's notes when only some of its records leave.  Returns what undo needs.
    """
    leaving = set(moving)
    hand = set(_hand_ids(conn, old)) | set(_hand_ids(conn, new))
    merges: dict[int, _Brought] = {}
    for rid, came in brought.items():
        merges.setdefault(came.log_id, came)
    given: list[str] = []
    joined: list[str] = []  # what the merge added to the survivor's notes (not what it had already)
    for log_id, came in sorted(merges.items()):
        theirs = {r for r, b in brought.items() if b.log_id == log_id and r not in hand}
        text = (came.absorbed.get("notes") or "").strip()
        if text and theirs and theirs <= leaving and text not in given:
            given.append(text)
            carried = (came.absorbed.get("_undo") or {}).get("survivor_notes")
            if carried and carried[0] != carried[1] and text not in carried[0]:
                joined.append(text)
    if not given:
        return {}
    cust = Customer.__table__
    before = conn.execute(select(cust.c.notes).where(cust.c.id == old)).scalar() or ""
    after = before
    for text in joined:
        taken = _without(after, text)
        if taken is not None:
            after = taken
    conn.execute(update(cust).where(cust.c.id == new).values(notes="\n\n".join(given), updated_at=utcnow()))
    if after == before:
        return {}
    conn.execute(update(cust).where(cust.c.id == old).values(notes=after, updated_at=utcnow()))
    return {"survivor_notes": [before, after]}


def _give_pins_along(conn: Connection, new: int, going: Sequence[int], brought: dict[int, _Brought],
                     moving: Sequence[int]) -> None:
    """The split-off customer gets back the pins its side had when it was merged away (a company
    typed in, say) where its records, hand record among them, hold that value still."""
    pins: dict = {}
    for rid in going:
        then = json.loads(brought[rid].absorbed.get("pinned_json") or "{}")
        for f, v in then.items():
            if f in PINNABLE and f not in pins and v in values_held(conn, moving, f):
                pins[f] = v
    if pins:
        cust = Customer.__table__
        conn.execute(update(cust).where(cust.c.id == new).values(pinned_json=json.dumps(pins)))


def _take_back_hand_shares(conn: Connection, extra: dict) -> None:
    """Undo :func:`_share_hand_entries`: copies go, hand records made go, the others as they were.

    A record made by the split that has taken an entry since (typed on either side after the
    split) is kept; it goes back with the records."""
    from omnidesk.core.edits import _set_identifier

    rec, con = SourceRecord.__table__, Consent.__table__
    if extra.get("hand_copies"):
        for part in chunks(extra["hand_copies"]):
            conn.execute(delete(con).where(con.c.id.in_(part)))
    for consent_id, rid in extra.get("hand_moved") or []:
        conn.execute(update(con).where(con.c.id == consent_id).values(record_id=rid))
    for rid in extra.get("hand_made") or []:
        if conn.execute(select(con.c.id).where(con.c.record_id == rid).limit(1)).first() is None:
            conn.execute(delete(Identifier.__table__).where(Identifier.__table__.c.record_id == rid))
            conn.execute(delete(rec).where(rec.c.id == rid))
    for rid, row in (extra.get("hand_before") or {}).items():
        cells = {c: row[c] for c in _HAND_CELLS}
        conn.execute(update(rec).where(rec.c.id == int(rid)).values(**cells))
        for kind in ("email", "phone"):
            values = [v for k, v in row["identifiers"] if k == kind]
            _set_identifier(conn, int(rid), kind, values[0] if values else None)


def values_held(conn: Connection, record_ids: Sequence[int], field: str) -> set[str]:
    """The values these records carry for ``field`` (emails and phones: every one, not just the first)."""
    rec = SourceRecord.__table__
    held: set[str] = set()
    for ids in chunks(list(record_ids)):
        held |= set(conn.execute(select(rec.c[field]).where(rec.c.id.in_(ids), rec.c[field].is_not(None))).scalars())
        if field in ("email", "phone"):
            ident = Identifier.__table__
            held |= set(conn.execute(select(ident.c.value).where(ident.c.record_id.in_(ids),
                                                                  ident.c.kind == field)).scalars())
    return held - {""}


def _drop_pins_of(conn: Connection, customer_id: int, moving: Sequence[int], remaining: Sequence[int]) -> dict:
    """Unpin the values only the split-off records held: the card would show a value no record of
    its customer has.  A value typed in (no record ever held it) stays pinned.  Returns what undo needs."""
    cust = Customer.__table__
    pins = json.loads(conn.execute(select(cust.c.pinned_json).where(cust.c.id == customer_id)).scalar() or "{}")
    dropped = [f for f, v in pins.items() if f in PINNABLE and v in values_held(conn, moving, f)
               and v not in values_held(conn, remaining, f)]
    if not dropped:
        return {}
    kept = {f: v for f, v in pins.items() if f not in dropped}
    conn.execute(update(cust).where(cust.c.id == customer_id).values(pinned_json=json.dumps(kept)))
    return {"survivor_pins": [pins, kept]}


def undo_log(ws: Workspace, log_id: int) -> None:
    """Undo one merge (automatic, manual or from review) or one split, exactly."""
    with ws.writing() as conn:
        undo_log_in(conn, log_id)


def merges_of_batch(conn: Connection, batch_id: int) -> list[tuple[int, str, int]]:
    """The automatic merges import ``batch_id`` brought about and that still hold, newest first;
    with them the records it took off a customer (``writes.log_taken_off``).  Each as (log id,
    kind: "auto" or "unmerge", how many records it moved)."""
    log = MergeLog.__table__
    out = []
    for log_id, kind, saved, moved in conn.execute(
            select(log.c.id, log.c.kind, log.c.absorbed_json, log.c.record_ids_json)
            .where(log.c.kind.in_(("auto", "unmerge")), log.c.undone.is_(False)).order_by(log.c.id.desc())):
        if json.loads(saved or "{}").get("_undo", {}).get("batch_id") == batch_id:
            out.append((log_id, kind, len(json.loads(moved or "[]"))))
    return out


def undo_log_in(conn: Connection, log_id: int, *, new_id_if_taken: bool = False) -> None:
    """:func:`undo_log` inside the caller's transaction.

    A merged-away customer comes back under its old id; when that id was given
    to someone since (ids are never given twice now, but a workspace of an
    older version may have given the highest one again), the undo is refused,
    unless ``new_id_if_taken``: then it comes back under a new one.
    """
    log = MergeLog.__table__
    rec = SourceRecord.__table__
    cust = Customer.__table__
    md = MatchDecision.__table__
    entry = conn.execute(select(log).where(log.c.id == log_id)).mappings().first()
    if entry is None:
        raise UserError(f"There is no merge {log_id} to undo.")
    if entry["undone"]:
        raise UserError("That change was already undone.")
    moved = json.loads(entry["record_ids_json"])
    saved = json.loads(entry["absorbed_json"] or "{}")
    extra = saved.pop("_undo", {})
    if entry["kind"] == "unmerge":
        # The split-off records go back; the customer made for them goes; pins the split dropped return.
        _take_back_hand_shares(conn, extra)
        made = [rid for part in chunks(extra.get("hand_made") or [])
                for rid in conn.execute(select(rec.c.id).where(rec.c.id.in_(part))).scalars()]
        for part in chunks([*moved, *made]):
            conn.execute(update(rec).where(rec.c.id.in_(part)).values(customer_id=entry["survivor_id"]))
        sync_children(conn, [*moved, *made])
        follow_own_customer(conn, [entry["survivor_id"]])
        _give_back_user_data(conn, entry["survivor_id"], extra)
        _keep_notes_of(conn, entry["absorbed_id"], entry["survivor_id"])
        if "queue" in extra:
            put_back_queue(conn, entry["absorbed_id"], extra["queue"])
        refresh_customers(conn, [entry["survivor_id"], entry["absorbed_id"]])
    else:
        restore = {k: v for k, v in saved.items() if k in cust.c}
        if not restore:
            restore = {**new_customer_rows(1)[0], "id": entry["absorbed_id"]}
        if _exists(conn, entry["absorbed_id"]):
            if not new_id_if_taken:
                raise UserError("The merged customer exists again; this merge cannot be undone.")
            restore.pop("id", None)
        back = conn.execute(insert(cust).returning(cust.c.id).values(**restore)).scalar_one()
        _give_back_user_data(conn, entry["survivor_id"], extra)
        # The same rows seen again in later files go back with the rows the merge moved.
        moved += _same_rows(conn, entry["survivor_id"], moved)
        for part in chunks(moved):
            conn.execute(update(rec).where(rec.c.id.in_(part), rec.c.customer_id == entry["survivor_id"])
                         .values(customer_id=back))
        sync_children(conn, moved)
        # What was entered by hand on the merged card stays on it, whichever record it followed.
        follow_own_customer(conn, [entry["survivor_id"], back])
        # And a refusal typed on it since the merge stays on both.
        _keep_refusals_on_both(conn, entry["survivor_id"], back, _instant_of(entry["created_at"]))
        refresh_customers(conn, [entry["survivor_id"], back])
        if back == entry["absorbed_id"]:
            _put_back_reviews(conn, extra.get("reviews") or [], entry["survivor_id"])
    if extra.get("decisions"):
        for part in chunks(extra["decisions"]):
            conn.execute(delete(md).where(md.c.id.in_(part)))
    if extra.get("restore"):
        conn.execute(insert(md), extra["restore"])
    conn.execute(update(log).where(log.c.id == log_id).values(undone=True))


def _keep_notes_of(conn: Connection, going: int, into: int) -> None:
    """Before the customer a split made goes (its split undone): its notes, where the customer it
    goes back into does not read them already (typed on it since the split, or given it by the split
    while the other's notes were edited since), are joined onto that customer's, never lost."""
    cust = Customer.__table__
    notes = (conn.execute(select(cust.c.notes).where(cust.c.id == going)).scalar() or "").strip()
    if not notes:
        return
    have = conn.execute(select(cust.c.notes).where(cust.c.id == into)).scalar() or ""
    if notes not in have:
        joined = f"{have.rstrip()}\n\n{notes}" if have.strip() else notes
        conn.execute(update(cust).where(cust.c.id == into).values(notes=joined, updated_at=utcnow()))


def _give_back_user_data(conn: Connection, survivor: int, extra: dict) -> None:
    """Undo what a merge carried into the survivor's notes and pins, unless edited since."""
    cust = Customer.__table__
    now = conn.execute(select(cust.c.notes, cust.c.pinned_json).where(cust.c.id == survivor)).first()
    if now is None:
        return
    values = {}
    if "survivor_notes" in extra and (now[0] or "") == extra["survivor_notes"][1]:
        values["notes"] = extra["survivor_notes"][0]
    if "survivor_pins" in extra and json.loads(now[1] or "{}") == extra["survivor_pins"][1]:
        values["pinned_json"] = json.dumps(extra["survivor_pins"][0])
    if values:
        conn.execute(update(cust).where(cust.c.id == survivor).values(**values))


@dataclass(frozen=True)
class PinChange:
    """One pin set or taken off: the field's pinned value before and after (None: not pinned)."""

    customer_id: int
    field: str
    before: str | None
    after: str | None

    @property
    def changes(self) -> Changes:
        return Changes.of_customers(self.customer_id)


_ANY = object()


def pin_value(ws: Workspace, customer_id: int, field: str, value: str | None, *,
              expect: object = _ANY) -> PinChange:
    """Make ``value`` the customer's ``field`` whatever the sources say; None unpins.

    With ``expect`` (a value, or None for "not pinned"), the field must be pinned
    so now, else nothing changes and UserError says so: an undo never overwrites
    a pin set since.
    """
    if field not in PINNABLE:
        raise UserError(f"'{field}' cannot be pinned.")
    cust = Customer.__table__
    with ws.writing() as conn:
        current = conn.execute(select(cust.c.pinned_json).where(cust.c.id == customer_id)).scalar()
        if current is None:
            raise UserError(f"There is no customer {customer_id}.")
        pins = json.loads(current or "{}")
        before = pins.get(field)
        if expect is not _ANY and before != expect:
            raise UserError(f"The {field.replace('_', ' ')} of customer {customer_id} was pinned or unpinned "
                            "since; it was left as it is.")
        if value is None:
            pins.pop(field, None)
        else:
            if field in ("email", "phone") and value:
                # Pinned is typed in: an erased person's email or phone is refused as on the card's
                # Edit and for a new customer (a pin gave it back to a customer, and consent with it).
                from omnidesk.core.edits import _refuse_erased

                _refuse_erased(conn, field, value)
            pins[field] = value
        conn.execute(update(cust).where(cust.c.id == customer_id).values(pinned_json=json.dumps(pins)))
        if field == "phone":
            from omnidesk.core.importing.known_numbers import typed_number_reaches_optouts

            typed_number_reaches_optouts(conn, value)
        if field in ("email", "phone") and before and before != value:
            _keep_replaced_pin(conn, customer_id, field, before)
        refresh_customers(conn, [customer_id])
    return PinChange(customer_id, field, before, value)


def _keep_replaced_pin(conn: Connection, customer_id: int, field: str, value: str) -> None:
    """A pinned email or phone replaced or unpinned, kept with the customer's hand entries
    (``edits.keep_replaced``): a value pinned from the command line may be in no record.  One a
    record of theirs holds (as every value the card offers to pin) needs nothing more."""
    from omnidesk.core.edits import _hand_records, keep_replaced

    rec = SourceRecord.__table__
    if value in values_held(conn, _record_ids(conn, customer_id), field):
        return
    rid, _tags, values_text = _hand_records(conn, [customer_id])[customer_id]
    values = json.loads(values_text)
    keep_replaced(values, field, value)
    conn.execute(update(rec).where(rec.c.id == rid).values(values_json=json.dumps(values)))


# -- review queue ------------------------------------------------------------------------


@dataclass
class ReviewItem:
    id: int
    left_id: int
    right_id: int
    score: float
    reasons: list[str]
    status: str

    @property
    def conflict(self) -> str | None:
        """What speaks against one person ("different first names"): the guard that kept them apart."""
        return pair_conflict(self.reasons)

    @property
    def names_only(self) -> bool:
        """Nothing but a rare full name in common, or that and an email or phone others share too
        (``clustering._ask_about_namesakes``)."""
        return any(r in self.reasons for r in NAME_PAIRS)

    @property
    def names_unread(self) -> bool:
        """Names in two scripts (kanji against Latin letters): not compared, so no evidence either way."""
        return NAMES_UNREADABLE in self.reasons

    @property
    def for_one_by_one(self) -> bool:
        """Only decided on its own, never in bulk: a conflict, names not compared, or nothing but the name.

        Names in two scripts wait here only because the score, all of it what
        else agrees, reached the automatic merge: a family's two people on one
        mailbox score just as high, so a bulk accept at that score must not take them.
        """
        return self.conflict is not None or self.names_only or self.names_unread


def review_count(ws: Workspace) -> int:
    """How many pairs :func:`list_reviews` lists (pending and skipped), without reading them."""
    review = MatchReview.__table__
    with ws.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(review)).scalar_one()


def review_order(item: ReviewItem) -> tuple[bool, float, int]:
    """Where a pair stands in :func:`list_reviews`'s order (smaller first)."""
    return item.status == "skipped", -item.score, item.id


def list_reviews(ws: Workspace, *, include_skipped: bool = True, limit: int | None = None,
                 offset: int = 0, customers: Collection[int] | None = None) -> list[ReviewItem]:
    """Pending pairs, strongest evidence first; skipped ones come last.

    A pair's reasons are those it was queued with, plus what its two customers
    hold against one person now (:func:`conflict_now`): a record an import or
    a merge brought into either since can make "very likely" unsure.

    ``limit`` and ``offset``: that many pairs from that place in the order only (a
    screen's first page), their customers' records alone read.  ``customers``: only the pairs
    naming one of them (what a decision on a pair of theirs may have changed).
    """
    review = MatchReview.__table__
    query = select(review).order_by((review.c.status == "skipped"), review.c.score.desc(), review.c.id)
    if not include_skipped:
        query = query.where(review.c.status == "pending")
    if customers is not None:
        ids = sorted({int(c) for c in customers})
        if not ids:
            return []
        query = query.where(or_(*[or_(review.c.left_id.in_(part), review.c.right_id.in_(part))
                                  for part in chunks(ids)]))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    elif offset:
        query = query.offset(offset)
    with ws.engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
        items = [ReviewItem(r["id"], r["left_id"], r["right_id"], r["score"], json.loads(r["reasons_json"] or "[]"),
                            r["status"]) for r in rows]
        asked = [i for i in items if i.conflict is None and not i.names_only]
        records = _records_of(conn, [c for i in asked for c in (i.left_id, i.right_id)])
    for item in asked:
        why = conflict_now(item.reasons, records.get(item.left_id, ()), records.get(item.right_id, ()))
        if why is not None:
            item.reasons = [*item.reasons, not_merged(why, item.reasons)]
    return items


def _records_of(conn: Connection, customer_ids: Sequence[int]) -> dict[int, list[Profile]]:
    """Each customer's records, as the guards compare them: names and birthdays (no emails nor phones)."""
    rec = SourceRecord.__table__
    rows = []
    for part in chunks(sorted(set(customer_ids))):
        rows.extend(conn.execute(profile_query(with_hash=False).where(rec.c.customer_id.in_(part))
                                 .order_by(rec.c.id)).all())
    out: dict[int, list[Profile]] = {}
    profiles = make_profiles(rows, {})
    hand_names_aside(conn, profiles)  # a name typed on the card is no evidence against a file's
    for p in profiles:
        out.setdefault(p.customer_id, []).append(p)
    return out


def conflict_now(reasons: Sequence[str], left: Sequence[Profile], right: Sequence[Profile]) -> str | None:
    """What the two customers of a queued pair, as they are now, hold against one person, or None.

    The pair was queued on two records that agree; an import or merge since may
    have put a record beside either that cannot be the other's person (the
    till's Zoe Quill, queued beside the shop's, has since taken a birthday ten
    years from the shop's).
    """
    # Names not compared as written (two scripts, "Last, First", family names first) would read as
    # a conflict here that the pair's own scoring saw through: only birthdays count for such a pair.
    as_written = NAMES_UNREADABLE not in reasons and not any(r in _NAMES_READ_OTHERWISE for r in reasons)
    return customers_conflict(left, right, renamed=RENAMED_REASON in reasons, names=as_written)


_NAMES_READ_OTHERWISE = (SWAPPED_REASON, FAMILY_FIRST_REASON)


def _take_review(conn: Connection, review_id: int):
    review = MatchReview.__table__
    row = conn.execute(select(review).where(review.c.id == review_id)).mappings().first()
    if row is None:
        # Numbers are given out one above the highest ever given (the table counts them):
        # one at or below it was queued once, and decided since.
        highest = max(conn.execute(select(func.coalesce(func.max(review.c.id), 0))).scalar_one(),
                      highest_id_ever(conn, review.name))
        if review_id > highest or review_id < 1:
            raise UserError(f"There is no pair {review_id} to review.")
        raise UserError("That pair is no longer in the review queue.")
    return row


def review_names(ws: Workspace, review_id: int) -> dict[int, str]:
    """The names of the two customers of pair ``review_id`` as the screens show them (none when it is gone)."""
    from omnidesk.core.customers import display_names

    review = MatchReview.__table__
    with ws.engine.connect() as conn:
        row = conn.execute(select(review.c.left_id, review.c.right_id).where(review.c.id == review_id)).first()
    return display_names(ws, list(row)) if row is not None else {}


def reviews_to_accept(ws: Workspace, min_score: float) -> list[ReviewItem]:
    """The pairs "Accept all at or above ``min_score``" would merge: pending ones, strongest first.

    Skipped pairs are left out: skipping says "not now, I am unsure", and a bulk
    decision must not overrule it; they stay in the queue to decide one by one.
    So are pairs with a conflict (a family sharing an email), pairs whose names
    are in two scripts and pairs with nothing but a name to go on (see
    :func:`reviews_held_back`): however high
    they score, that is exactly what a person must look at.
    """
    return [r for r in list_reviews(ws, include_skipped=False) if r.score >= min_score and not r.for_one_by_one]


def reviews_held_back(ws: Workspace, min_score: float) -> list[ReviewItem]:
    """Pending pairs at or above ``min_score`` a bulk accept leaves alone: a conflict, names in two
    scripts, or a name only."""
    return [r for r in list_reviews(ws, include_skipped=False) if r.score >= min_score and r.for_one_by_one]


@dataclass
class BulkAcceptPlan:
    """What "Accept all at or above" would do, read in one pass over the queue (see :func:`bulk_accept_plan`)."""

    pairs: list[ReviewItem]  # merged, strongest first (:func:`reviews_to_accept`)
    names: dict[int, str]  # their customers' names, as the screens show them
    skipped: int  # skipped pairs scoring as much, left in the queue
    held: int  # pending pairs scoring as much a bulk accept leaves alone (:func:`reviews_held_back`)


def bulk_accept_plan(ws: Workspace, min_score: float) -> BulkAcceptPlan:
    """The pairs a bulk accept at ``min_score`` merges, their names, and what it leaves: the queue read once
    (a long one takes seconds, so the window asks for this off its own thread)."""
    from omnidesk.core.customers import display_names

    pairs, skipped, held = [], 0, 0
    for r in list_reviews(ws):
        if r.score < min_score:
            continue
        if r.status == "skipped":
            skipped += 1
        elif r.for_one_by_one:
            held += 1
        else:
            pairs.append(r)
    names = display_names(ws, [c for r in pairs for c in (r.left_id, r.right_id)]) if pairs else {}
    return BulkAcceptPlan(pairs, names, skipped, held)


def bulk_accept_default(model: Model) -> float:
    """Where "Accept all at or above" starts: the score an automatic merge needs.

    Pairs that score as much and still wait are held back by a conflict or have
    only a name (never in a bulk accept); any other pair scoring that much is as
    sure as what Omnidesk merges by itself.  Lower is the user's call, pair by
    pair in the question that names them.
    """
    return model.auto_threshold


def accept_review(ws: Workspace, review_id: int) -> MergeResult:
    """The two customers are one person: merge them.

    ``MergeResult.review`` keeps the queue entry so that undoing can put it back.
    """
    review = MatchReview.__table__
    with ws.writing() as conn:
        row = dict(_take_review(conn, review_id))
        conn.execute(delete(review).where(review.c.id == review_id))
        result = merge_in(conn, [row["left_id"], row["right_id"]], kind="review", score=row["score"],
                          reason=review_reason(row["reasons_json"]))
    result.review = row
    return result


def requeue_review(ws: Workspace, row: dict) -> int | None:
    """Put a decided pair back in the queue (undo), if both customers still exist; returns its number."""
    with ws.writing() as conn:
        if _exists(conn, row["left_id"]) and _exists(conn, row["right_id"]):
            return _put_back_review(conn, row)
    return None


def reject_review(ws: Workspace, review_id: int) -> dict:
    """The two customers are different people: never suggest or merge them again.

    Returns what undoing needs (see :func:`undo_reject`).
    """
    review = MatchReview.__table__
    with ws.writing() as conn:
        row = dict(_take_review(conn, review_id))
        decision_ids = _decide(conn, "reject", _hashes(conn, row["left_id"]), _hashes(conn, row["right_id"]))
        conn.execute(delete(review).where(review.c.id == review_id))
    return {"review": row, "decisions": decision_ids}


def undo_reject(ws: Workspace, token: dict) -> Changes:
    """Take back "different people": the decisions go and the pair is queued again (both still there).

    The pair comes back under its number, or a new one when that is taken;
    ``token["review"]["id"]`` says which, for doing it again.
    """
    md = MatchDecision.__table__
    row = token["review"]
    number = None
    with ws.writing() as conn:
        for part in chunks(token["decisions"]):
            conn.execute(delete(md).where(md.c.id.in_(part)))
        if _exists(conn, row["left_id"]) and _exists(conn, row["right_id"]):
            number = _put_back_review(conn, row)  # the same pair, back in its place
    if number is not None:
        token["review"] = {**row, "id": number}
    return Changes(reviews=True)


@dataclass(frozen=True)
class ReviewStatusChange:
    review_id: int
    before: str
    after: str

    @property
    def changes(self) -> Changes:
        return Changes(reviews=True)


def skip_review(ws: Workspace, review_id: int) -> ReviewStatusChange:
    """Move a pair to the end of the queue, undecided ("not now")."""
    return set_review_status(ws, review_id, "skipped")


def set_review_status(ws: Workspace, review_id: int, status: str, *,
                      expect: str | None = None) -> ReviewStatusChange:
    """Mark a queued pair ``pending`` or ``skipped``; with ``expect``, only when it is so now."""
    if status not in ("pending", "skipped"):
        raise UserError(f"A pair cannot be marked {status!r}.")
    review = MatchReview.__table__
    with ws.writing() as conn:
        before = _take_review(conn, review_id)["status"]
        if expect is not None and before != expect:
            raise UserError("That pair was decided or skipped since; it was left as it is.")
        conn.execute(update(review).where(review.c.id == review_id).values(status=status))
    return ReviewStatusChange(review_id, before, status)


@dataclass
class BulkAccept:
    """What accepting several pairs at once did: one merge per pair still apart when its turn came."""

    review_ids: list[int]
    results: list[MergeResult]
    gone: int = 0  # pairs no longer in the queue (joined or dropped by an earlier merge of the run)
    held: int = 0  # pairs left in the queue: their customers came to hold a conflict (see conflict_now)

    @property
    def changes(self) -> Changes:
        out = Changes(reviews=True)
        for r in self.results:
            out = out | r.changes
        return out

    @property
    def customers_merged(self) -> int:
        return sum(len(r.absorbed) for r in self.results)


def _every(total: int) -> int:
    """How many pairs between two words of progress: about a hundred of them however long the run."""
    return max(1, total // 100)


def accept_reviews(ws: Workspace, review_ids: Sequence[int]) -> BulkAccept:
    """Accept these pairs, in the order given, in one transaction (all or nothing): see
    :func:`accept_reviews_steps`."""
    return run_to_completion(accept_reviews_steps(ws, review_ids))


def accept_reviews_steps(ws: Workspace, review_ids: Sequence[int], cancelled: CancelCheck = never_cancelled,
                         ) -> Generator[Progress, None, BulkAccept]:
    """Accept these pairs, in the order given, in one transaction (all or nothing), yielding
    progress as it goes and asking ``cancelled()`` before each pair: a yes raises
    :class:`Cancelled` inside the transaction, which rolls back, every pair and customer as it was.

    A pair an earlier merge of the same run has joined or removed from the
    queue is counted in ``gone``, not merged twice; one whose customers hold
    a conflict by its turn (:func:`conflict_now`) that it was not queued with,
    brought in by an earlier merge of the run, stays in the queue, counted in
    ``held``: nobody has seen that conflict.
    """
    review = MatchReview.__table__
    out = BulkAccept(list(review_ids), [])
    total, every = len(review_ids), _every(len(review_ids))
    with ws.writing() as conn:
        for done, review_id in enumerate(review_ids):
            if cancelled():
                raise Cancelled("Accepting the pairs was cancelled; nothing changed.")
            if done % every == 0:
                yield Progress(done, total, f"Merging pair {done + 1:,} of {total:,}")
            row = conn.execute(select(review).where(review.c.id == review_id)).mappings().first()
            if row is None:
                out.gone += 1
                continue
            if row["left_id"] == row["right_id"]:
                conn.execute(delete(review).where(review.c.id == review_id))
                out.gone += 1
                continue
            # An earlier merge of the run (or an import since the list was read) may have put
            # beside either customer a record that cannot be the other's person: a conflict the
            # pair was not queued with, so nobody has seen it.
            reasons = json.loads(row["reasons_json"] or "[]")
            if pair_conflict(reasons) is None:
                records = _records_of(conn, [row["left_id"], row["right_id"]])
                if conflict_now(reasons, records.get(row["left_id"], ()), records.get(row["right_id"], ())):
                    out.held += 1
                    continue
            conn.execute(delete(review).where(review.c.id == review_id))
            # The cards are worked out once at the end, for every survivor together: card by card
            # it was two fifths of each pair's time.
            result = merge_in(conn, [row["left_id"], row["right_id"]], kind="review", score=row["score"],
                              reason=review_reason(row["reasons_json"]), refresh=False)
            result.review = dict(row)
            out.results.append(result)
        survivors = {r.survivor for r in out.results} - {a for r in out.results for a in r.absorbed}
        if survivors:
            words = f"Updating {len(survivors):,} merged customer{'s' if len(survivors) != 1 else ''}…"
            yield Progress(total, total, words)
            steps = refresh_customers_steps(conn, sorted(survivors))
            try:
                while True:  # the refresh's own counts, said in the pairs' terms
                    if cancelled():  # the merges roll back with it: every pair and customer as it was
                        raise Cancelled("Accepting the pairs was cancelled; nothing changed.")
                    try:
                        next(steps)
                    except StopIteration:
                        break
                    yield Progress(total, total, words)
            finally:
                steps.close()  # its clean-up (indexes, the writer beside it) before the rollback
    return out


def accept_reviews_above(ws: Workspace, min_score: float) -> BulkAccept:
    """Accept every pending pair scoring at least ``min_score``, strongest first, in one transaction.

    Skipped pairs, pairs with a conflict and name-only pairs are left in the
    queue (see :func:`reviews_to_accept`).
    """
    return accept_reviews(ws, [r.id for r in reviews_to_accept(ws, min_score)])


# -- undo, each in one transaction ---------------------------------------------------------


def _undo_accepted(conn: Connection, results: Sequence[MergeResult], cancelled: CancelCheck = never_cancelled,
                   ) -> Generator[Progress, None, list[tuple[MergeResult, int]]]:
    """Undo these accepts, yielding progress; returns the number each pair came back under."""
    numbers = []
    total, every = len(results), _every(len(results))
    for done, result in enumerate(reversed(results)):
        if cancelled():
            raise Cancelled("Undoing the accept was cancelled; nothing changed.")
        if done % every == 0:
            yield Progress(done, total, f"Taking back pair {done + 1:,} of {total:,}")
        for log_id in reversed(result.log_ids):
            undo_log_in(conn, log_id)
        if result.review is not None:
            numbers.append((result, _put_back_review(conn, result.review)))  # the pair, back in its place
    return numbers


def undo_accept(ws: Workspace, accepted: MergeResult | BulkAccept) -> Changes:
    """Take back one accepted pair or a bulk accept: the customers apart again, the pairs queued again.

    Each pair comes back under its number, or a new one when that is taken;
    ``MergeResult.review["id"]`` says which, for doing it again.
    """
    return run_to_completion(undo_accept_steps(ws, accepted))


def undo_accept_steps(ws: Workspace, accepted: MergeResult | BulkAccept, cancelled: CancelCheck = never_cancelled,
                      ) -> Generator[Progress, None, Changes]:
    """:func:`undo_accept` in one transaction, yielding progress and asking ``cancelled()`` before
    each pair: a yes raises :class:`Cancelled` inside it, which rolls back, nothing changed."""
    results = accepted.results if isinstance(accepted, BulkAccept) else [accepted]
    with ws.writing() as conn:
        numbers = yield from _undo_accepted(conn, results, cancelled)
    renumbered = {}
    for result, number in numbers:
        renumbered[result.review["id"]] = number
        result.review = {**result.review, "id": number}
    if isinstance(accepted, BulkAccept):
        accepted.review_ids = [renumbered.get(n, n) for n in accepted.review_ids]
    return accepted.changes


def undo_merge(ws: Workspace, merged: MergeResult) -> Changes:
    """Take back a merge of several customers (every fold of it) in one transaction."""
    with ws.writing() as conn:
        for log_id in reversed(merged.log_ids):
            undo_log_in(conn, log_id)
    return merged.changes


def undo_split(ws: Workspace, split: Unmerged) -> Changes:
    """Put a split-off record back with the customer it left (and any pin the split dropped)."""
    with ws.writing() as conn:
        undo_log_in(conn, split.log_id)
    return split.changes
