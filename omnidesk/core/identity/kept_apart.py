"""Pairs the user said are different people ("kept apart"), listed, and put back for review.

A "Different people" decision is stored as ``match_decision`` rows of kind
``reject``, one per pair of keys (row hashes and customer-id keys) of the two
customers, so it outlives re-imports.  Here those rows are read back as pairs
of the customers that hold the records now: a customer merged into another
shows as the one it was merged into, and a side whose records are gone (their
import was taken back) shows as no customer at all.

Rows keyed by row hashes tell which customers hold them (one indexed lookup
each); rows keyed by customer ids only (``x:`` keys, one-way hashes) cannot be
read back, but every decision has row-hash rows too, and reopening a pair
finds its customer-id rows through the customers' own keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Integer, and_, case, cast, delete, func, insert, not_, or_, select
from sqlalchemy.engine import Connection

from omnidesk.core.changes import Changes
from omnidesk.core.errors import UserError
from omnidesk.core.identity.decisions import key_holders
from omnidesk.core.identity.merge import _decisions_between, _hashes
from omnidesk.core.identity.profiles import hand_names_aside, make_profiles, profile_query, record_identifiers
from omnidesk.core.identity.resolve import model_from_settings
from omnidesk.core.identity.scoring import Model, score_pair
from omnidesk.core.identity.stats import load_frequencies
from omnidesk.core.identity.why import shared_values
from omnidesk.core.identity.writes import _review_reasons
from omnidesk.core.models import Customer, MatchDecision, MatchReview, SourceRecord
from omnidesk.core.workspace import Workspace

_SCORED_RECORDS = 50  # per side: the best-matching pair of records is found among these


@dataclass(frozen=True)
class KeptApart:
    """One pair kept apart: the customers holding its records now (None: no longer in the workspace).

    ``left_id`` is the lower id of the two present ones.  ``stamp`` is set only
    when a side is gone: it is the time of the decision, which then tells this
    pair from other decisions about the same customer.
    """

    left_id: int | None
    right_id: int | None
    left_name: str
    right_name: str
    decided_at: str  # ISO 8601, UTC: the latest decision between the two
    decisions: int  # how many key pairs the decision is stored as
    stamp: str | None = None

    @property
    def complete(self) -> bool:
        """Both customers are still in the workspace (reopening queues the pair again)."""
        return self.left_id is not None and self.right_id is not None

    @property
    def key(self) -> tuple:
        return (self.left_id, self.right_id, self.stamp)


def _grouped():
    """The reject decisions as pairs of holding customers: one row per pair, newest first."""
    md = MatchDecision.__table__
    rec = SourceRecord.__table__

    def holder(col):
        plain = select(func.min(rec.c.customer_id)).where(rec.c.row_hash == col).scalar_subquery()
        # A repeated row's key, "<row hash>#<place>" (decisions.twin_key): the record at that place
        # among its import's identical rows (by row number), as decisions.twin_places counts.
        sep = func.instr(col, "#")
        before = rec.alias("before")
        place = (select(func.count()).select_from(before)
                 .where(before.c.row_hash == rec.c.row_hash, before.c.batch_id == rec.c.batch_id,
                        or_(before.c.record_no < rec.c.record_no,
                            and_(before.c.record_no == rec.c.record_no, before.c.id < rec.c.id)))
                 .correlate(rec).scalar_subquery() + 1)
        twin = (select(func.min(rec.c.customer_id))
                .where(rec.c.row_hash == func.substr(col, 1, sep - 1),
                       place == cast(func.substr(col, sep + 1), Integer)).scalar_subquery())
        return case((sep > 0, twin), else_=plain)

    d = (select(md.c.id, md.c.created_at, holder(md.c.left_hash).label("lc"), holder(md.c.right_hash).label("rc"))
         .where(md.c.kind == "reject", not_(md.c.left_hash.startswith("x:")), not_(md.c.right_hash.startswith("x:")))
         # Materialized (SQLite 3.35, as RETURNING): the grouping reads lc and rc several times,
         # each an index lookup if the query were inlined: 20,000 pairs counted in 0.2 s, not 0.8 s.
         .cte("decided").prefix_with("MATERIALIZED"))
    gone = or_(d.c.lc.is_(None), d.c.rc.is_(None))
    lo = case((d.c.lc.is_(None), d.c.rc), (d.c.rc.is_(None), d.c.lc), (d.c.lc < d.c.rc, d.c.lc), else_=d.c.rc)
    hi = case((gone, None), (d.c.lc < d.c.rc, d.c.rc), else_=d.c.lc)
    stamp = case((gone, d.c.created_at), else_=None)
    return (select(lo.label("a"), hi.label("b"), stamp.label("stamp"),
                   func.max(d.c.created_at).label("decided"), func.count().label("n"))
            .where(or_(gone, d.c.lc != d.c.rc))  # a pair merged since is no longer apart
            .group_by(lo, hi, stamp)).subquery()


def count_kept_apart(ws: Workspace) -> int:
    """How many pairs :func:`list_kept_apart` lists in all."""
    g = _grouped()
    with ws.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(g)).scalar() or 0)


def list_kept_apart(ws: Workspace, *, limit: int | None = None, offset: int = 0) -> list[KeptApart]:
    """The pairs kept apart, the latest decided first, a page at a time (``limit``/``offset``).

    Names are the customers' display names as the screens show them; a side
    whose records are no longer in the workspace has no id and an empty name.
    """
    g = _grouped()
    cust = Customer.__table__
    left, right = cust.alias("l"), cust.alias("r")
    query = (select(g.c.a, g.c.b, g.c.stamp, g.c.decided, g.c.n, left.c.display_name, right.c.display_name)
             .select_from(g.outerjoin(left, left.c.id == g.c.a).outerjoin(right, right.c.id == g.c.b))
             .order_by(g.c.decided.desc(), g.c.a, g.c.b).offset(offset))
    if limit is not None:
        query = query.limit(limit)
    with ws.engine.connect() as conn:
        rows = conn.execute(query).all()

    def name(cid, shown):
        return "" if cid is None else (shown or f"Customer #{cid}")

    return [KeptApart(a, b, name(a, ln), name(b, rn), decided, int(n), stamp)
            for a, b, stamp, decided, n, ln, rn in rows]


@dataclass
class Reopened:
    """What :func:`reopen_kept_apart` did: the decision rows it removed (as they were) and the pairs it queued."""

    items: list[KeptApart]
    removed: list[dict] = field(default_factory=list)
    review_ids: list[int] = field(default_factory=list)

    @property
    def changes(self) -> Changes:
        return Changes(reviews=True)

    @property
    def customers(self) -> list[int]:
        return sorted({c for i in self.items for c in (i.left_id, i.right_id) if c is not None})


def _held(conn: Connection, hashes: Sequence[str]) -> set[str]:
    return {key for key, held in key_holders(conn, hashes).items() if any(cid is not None for _, cid in held)}


def _rows_of(conn: Connection, item: KeptApart) -> list[dict]:
    """The decision rows that make up ``item`` now."""
    md = MatchDecision.__table__
    if item.complete:
        return _decisions_between(conn, "reject", _hashes(conn, item.left_id), _hashes(conn, item.right_id))
    # A side is gone: the rows of that decision (its time) that no present customer but
    # this one holds.  Customer-id keys of the gone side cannot be told from others' and go with it.
    rows = [dict(r) for r in conn.execute(select(md).where(md.c.kind == "reject", md.c.created_at == item.stamp)
                                          .order_by(md.c.id)).mappings()]
    held = _held(conn, [h for r in rows for h in (r["left_hash"], r["right_hash"])])
    mine = set(_hashes(conn, item.left_id)) if item.left_id is not None else set()
    out = []
    for r in rows:
        sides = (r["left_hash"], r["right_hash"])
        theirs = [h for h in sides if h not in mine]
        if len(theirs) != (1 if mine else 2):
            continue  # both sides this customer's, or none of them
        if any(h in held for h in theirs):
            continue  # the other side is someone in the workspace: another pair
        if not mine and all(h.startswith("x:") for h in sides):
            continue  # customer ids alone: nothing ties them to this decision
        out.append(r)
    return out


def _best_score(conn: Connection, a: int, b: int, model: Model) -> tuple[float, str]:
    """The score and reasons of the best-matching pair of records of customers ``a`` and ``b``.

    Scored as the resolver scores them: an email or phone many different people give across the
    workspace (the shop's own landline typed at the till) is weak evidence, and said to be shared.
    """
    rec = SourceRecord.__table__
    sides = []
    for cid in (a, b):
        rows = conn.execute(profile_query().where(rec.c.customer_id == cid).order_by(rec.c.id)
                            .limit(_SCORED_RECORDS)).all()
        sides.append(make_profiles(rows, record_identifiers(conn, [r[0] for r in rows])))
        hand_names_aside(conn, sides[-1])
    freq = load_frequencies(conn, sides[0] + sides[1])
    freq.shared = shared_values(conn, sides[0] + sides[1])
    best = None
    for p in sides[0]:
        for q in sides[1]:
            s = score_pair(p, q, freq, model)
            if best is None or s.weight > best.weight:
                best = s
    if best is None:
        return 0.0, '["kept apart before"]'
    return best.weight, _review_reasons(best)


def _queue(conn: Connection, a: int, b: int, model: Model) -> int | None:
    """Put customers ``a`` and ``b`` in the review queue (pending); None when they are queued already."""
    review = MatchReview.__table__
    left, right = sorted((a, b))
    if conn.execute(select(review.c.id).where(or_(and_(review.c.left_id == left, review.c.right_id == right),
                                                  and_(review.c.left_id == right, review.c.right_id == left)))
                    ).first() is not None:
        return None
    score, reasons = _best_score(conn, left, right, model)
    return conn.execute(insert(review).returning(review.c.id).values(
        left_id=left, right_id=right, score=score, reasons_json=reasons, status="pending")).scalar_one()


def reopen_kept_apart(ws: Workspace, items: Sequence[KeptApart]) -> Reopened:
    """"Not sure any more": forget these pairs' "different people" decisions and queue each pair for review.

    One transaction.  A pair whose customers are both still here goes back in
    the review queue (scored afresh); a pair with a side gone only loses its
    decision, so a later import may match the records again.  Raises
    UserError when a pair is no longer kept apart (decided otherwise since).
    """
    model = model_from_settings(ws.get_setting)
    out = Reopened(list(items))
    md = MatchDecision.__table__
    with ws.writing() as conn:
        for item in items:
            rows = _rows_of(conn, item)
            if not rows:
                raise UserError("That pair is no longer kept apart; it was decided otherwise since.")
            conn.execute(delete(md).where(md.c.id.in_([r["id"] for r in rows])))
            out.removed.extend(rows)
            if item.complete:
                review_id = _queue(conn, item.left_id, item.right_id, model)
                if review_id is not None:
                    out.review_ids.append(review_id)
    return out


def undo_reopen(ws: Workspace, reopened: Reopened) -> Changes:
    """Keep the pairs apart again, exactly as before: the decision rows back, the queued pairs gone."""
    md = MatchDecision.__table__
    review = MatchReview.__table__
    with ws.writing() as conn:
        if reopened.review_ids:
            conn.execute(delete(review).where(review.c.id.in_(reopened.review_ids)))
        if reopened.removed:
            taken = set(conn.execute(select(md.c.id).where(
                md.c.id.in_([r["id"] for r in reopened.removed]))).scalars())
            same = [r for r in reopened.removed if r["id"] not in taken]
            # An id given to a newer decision since: the row comes back under a new one.
            moved = [{k: v for k, v in r.items() if k != "id"} for r in reopened.removed if r["id"] in taken]
            for rows in (same, moved):
                if rows:
                    conn.execute(insert(md), rows)
    return reopened.changes
