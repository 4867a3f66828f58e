"""The review queue of customers whose records changed by hand: asked again, as an import asks.

A split takes records off a customer: a question queued about it ("Anna Lee (#1) ~ Mark Lee (#2)
— same phone") may rest on a record that has left, and the customer made for the records that
left may share a phone with someone nobody asked about.  :func:`ask_again` drops the queue's
entries of those customers and compares their records afresh with the records they could be the
same people as, found as an import finds them (shared emails, phones and customer ids, the same
name in the same place, the same birthday, a rare full name), and clustered as an import's
records are (``clustering.cluster_profiles`` with those records as the new ones).

It merges nothing: after the user's own split, every pair it finds is a question in Review,
with the evidence an import would have weighed.  A pair the user kept apart is never asked; a
pair asked before about the same two customers keeps its number and its status (a skipped pair
stays skipped).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import delete, or_, select, update
from sqlalchemy.engine import Connection

from omnidesk.core.identity.blocking import same_birthday, same_full_name, same_name_same_place, tied_records
from omnidesk.core.identity.clustering import cluster_profiles
from omnidesk.core.identity.decisions import decision_index, load_decisions_in_order, settled_indexes
from omnidesk.core.identity.profiles import chunks, hand_names_aside, make_profiles, profile_query, record_identifiers
from omnidesk.core.identity.scoring import Model, PairScore, score_pair
from omnidesk.core.identity.stats import load_frequencies
from omnidesk.core.identity.writes import queue_reviews
from omnidesk.core.models import Identifier, MatchReview, SourceRecord


def _candidates(conn: Connection, profiles, rows, model: Model) -> set[int]:
    """The placed records that could be the same people as ``profiles``, as an import looks them up."""
    rec, ident = SourceRecord.__table__, Identifier.__table__
    found: set[int] = set()
    values = sorted({v for p in profiles for v in (*p.emails, *p.phones, *p.externals)})
    for part in chunks(values):
        found.update(conn.execute(
            select(ident.c.record_id).join(rec, rec.c.id == ident.c.record_id)
            .where(ident.c.kind.in_(("email", "phone", "external")), ident.c.value.in_(part),
                   rec.c.customer_id.is_not(None))).scalars())
    mailboxes = sorted({e for p in profiles for e in p.emails})
    for part in chunks(mailboxes):
        found.update(conn.execute(
            select(ident.c.record_id).join(rec, rec.c.id == ident.c.record_id)
            .where(ident.c.mailbox.in_(part), rec.c.customer_id.is_not(None))).scalars())
    found.update(same_name_same_place(conn, profiles, rows))
    found.update(same_birthday(conn, profiles))
    found.update(same_full_name(conn, profiles, model))
    found.update(tied_records(conn, profiles))
    return found


def _pairs(conn: Connection, customer_ids: set[int], model: Model) -> dict[tuple[int, int], PairScore]:
    """The questions an import would ask about ``customer_ids``' records: customer pair -> evidence."""
    rec = SourceRecord.__table__
    ids = sorted(customer_ids)
    own_rows = []
    for part in chunks(ids):
        own_rows.extend(conn.execute(profile_query().where(rec.c.customer_id.in_(part)).order_by(rec.c.id)).all())
    if not own_rows:
        return {}
    own = make_profiles(own_rows, record_identifiers(conn, [r[0] for r in own_rows]))
    found = _candidates(conn, own, own_rows, model) - {r[0] for r in own_rows}
    others: set[int] = set()
    for part in chunks(sorted(found)):
        others.update(c for c in conn.execute(select(rec.c.customer_id).where(rec.c.id.in_(part))).scalars()
                      if c is not None and c not in customer_ids)
    other_rows = []
    for part in chunks(sorted(others)):
        other_rows.extend(conn.execute(profile_query().where(rec.c.customer_id.in_(part)).order_by(rec.c.id)).all())
    profiles = own + make_profiles(other_rows, record_identifiers(conn, [r[0] for r in other_rows]))
    hand_names_aside(conn, profiles)  # a name typed on the card is no file's evidence
    freq = load_frequencies(conn, profiles)
    index_of = decision_index(conn, profiles)
    rejected, must = settled_indexes(*load_decisions_in_order(conn, list(index_of)), index_of)
    owner = [p.customer_id for p in profiles]
    plan = cluster_profiles(profiles, freq, model, rejected, must, only=set(range(len(own))))
    kept_apart = {frozenset((owner[i], owner[j])) for i, j in rejected}
    out: dict[tuple[int, int], PairScore] = {}

    def ask(a: int, b: int, s: PairScore) -> None:
        key = (min(a, b), max(a, b))
        if a != b and (a in customer_ids or b in customer_ids) and frozenset(key) not in kept_apart:
            if key not in out or s.weight > out[key].weight:
                out[key] = s

    for i, j, s in plan.reviews:
        ask(owner[i], owner[j], s)
    # Customers the comparison would put together: an import would merge them; after a split by
    # hand they are a question, asked with the strongest evidence between their records.
    members: dict[int, list[int]] = defaultdict(list)
    for i, root in enumerate(plan.roots):
        members[root].append(i)
    for group in members.values():
        held: dict[int, list[int]] = defaultdict(list)
        for i in group:
            held[owner[i]].append(i)
        mine = [c for c in held if c in customer_ids]
        for a in mine:
            for b in held:
                if b == a or (b in customer_ids and b < a):
                    continue
                best = max((score_pair(profiles[i], profiles[j], freq, model) for i in held[a] for j in held[b]),
                           key=lambda s: s.weight, default=None)
                if best is not None and best.weight >= model.review_threshold:
                    ask(a, b, best)
    return out


def ask_again(conn: Connection, customer_ids: Sequence[int], model: Model) -> dict:
    """Drop the review queue's entries of ``customer_ids`` and queue again what their records ask now.

    An entry about the same two customers asked again keeps its number and status, with the
    evidence read afresh.  Returns what an undo needs (:func:`put_back_queue`): the entries as
    they were, and the numbers of those asked now.
    """
    review = MatchReview.__table__
    ids = set(customer_ids)
    before = [dict(r) for r in conn.execute(select(review).where(
        or_(review.c.left_id.in_(ids), review.c.right_id.in_(ids))).order_by(review.c.id)).mappings()]
    pairs = _pairs(conn, ids, model)
    stale = [r["id"] for r in before if (min(r["left_id"], r["right_id"]), max(r["left_id"], r["right_id"]))
             not in pairs]
    for part in chunks(stale):
        conn.execute(delete(review).where(review.c.id.in_(part)))
    # queue_reviews finds an entry by its pair written smaller id first.
    for r in before:
        if r["left_id"] > r["right_id"] and r["id"] not in stale:
            conn.execute(update(review).where(review.c.id == r["id"])
                         .values(left_id=r["right_id"], right_id=r["left_id"]))
    queue_reviews(conn, pairs)
    asked = list(conn.execute(select(review.c.id).where(
        or_(review.c.left_id.in_(ids), review.c.right_id.in_(ids)))).scalars())
    return {"before": before, "asked": asked}


def put_back_queue(conn: Connection, gone: int, saved: dict) -> None:
    """Undo :func:`ask_again`: the entries as they were, under their numbers, in place of those it
    asked (a pair queued since by an import stays), and none about ``gone``, the customer the undo
    takes away."""
    review = MatchReview.__table__
    conn.execute(delete(review).where(or_(review.c.id.in_(saved["asked"]),
                                          review.c.left_id == gone, review.c.right_id == gone)))
    for row in saved["before"]:
        taken = conn.execute(select(review.c.id).where(review.c.id == row["id"])).first() is not None
        conn.execute(review.insert().values(**({k: v for k, v in row.items() if k != "id"} if taken else row)))
