"""Identity resolution: which source records are the same person.

Pipeline: load profiles → block (records sharing an email, a phone, an
external id, or a name key) → score candidate pairs (``scoring``) → cluster
greedily, strongest evidence first, refusing any union that would put
conflicting names or birthdays, or a pair the user rejected, in one customer
→ write customers, merges and the review queue.

It runs incrementally after every import (new records against the customers
they could belong to) and on demand over the whole workspace.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import bindparam, delete, insert, or_, select, update
from sqlalchemy.engine import Connection

from omnidesk.core.dialect import insert_returning_ids
from omnidesk.core.identity.golden import refresh_customers
from omnidesk.core.identity.keys import first_keys, first_name_level, fold, fold_address, names_compatible
from omnidesk.core.identity.scoring import Frequencies, Model, PairScore, Profile, score_pair
from omnidesk.core.identity.stats import add_profiles, load_frequencies, postcode_key, write_frequencies
from omnidesk.core.models import (
    Consent,
    Customer,
    Event,
    Identifier,
    MatchDecision,
    MatchReview,
    MergeLog,
    SourceRecord,
    utcnow,
)

_IN = 900
MAX_BLOCK = 30  # a name key shared by more records than this says little; skip it


@dataclass
class ResolveStats:
    records: int = 0
    pairs_scored: int = 0
    created: int = 0
    auto_merged: int = 0  # existing customers folded into another
    linked: int = 0  # records attached to a customer
    queued: int = 0
    touched: set[int] = field(default_factory=set)

    def summary(self, customers: int | None = None) -> dict:
        out = {"records": self.records, "pairs_scored": self.pairs_scored,
               "new_customers": self.created, "auto_merged": self.auto_merged,
               "queued": self.queued}
        if customers is not None:
            out = {"customers": customers, **out}
        return out


def _chunks(items: Sequence, size: int = _IN):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def model_from_settings(get_setting) -> Model:
    model = Model()
    for key, attr in (("match_auto_threshold", "auto_threshold"), ("match_review_threshold", "review_threshold")):
        value = get_setting(key) if get_setting else None
        if value is not None:
            setattr(model, attr, float(value))
    return model


# -- loading -------------------------------------------------------------------------------


def _profile_query():
    rec = SourceRecord.__table__
    return select(rec.c.id, rec.c.row_hash, rec.c.customer_id, rec.c.kind, rec.c.channel,
                  rec.c.first_name, rec.c.last_name, rec.c.postcode, rec.c.city, rec.c.address,
                  rec.c.birthday)


def _identifiers(conn: Connection, ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    ident = Identifier.__table__
    out: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for part in _chunks(list(ids)):
        for rid, kind, value in conn.execute(
            select(ident.c.record_id, ident.c.kind, ident.c.value).where(ident.c.record_id.in_(part))
        ):
            out[rid].append((kind, value))
    return out


def _make_profiles(rows, idents: dict[int, list[tuple[str, str]]]) -> list[Profile]:
    profiles = []
    for r in rows:
        ids = idents.get(r.id, ())
        profiles.append(Profile(
            rid=r.id, row_hash=r.row_hash, customer_id=r.customer_id, kind=r.kind, channel=r.channel,
            first=fold(r.first_name), last=fold(r.last_name),
            emails=tuple(v for k, v in ids if k == "email"),
            phones=tuple(v for k, v in ids if k == "phone"),
            externals=tuple(v for k, v in ids if k == "external"),
            postcode=(r.postcode or "").replace(" ", "").upper(),
            city=fold(r.city), address=fold_address(r.address),
            birthday=r.birthday, first_raw=r.first_name, last_raw=r.last_name,
        ))
    return profiles


def _identifiable(p: Profile) -> bool:
    return bool(p.emails or p.phones or p.externals or (p.first and p.last) or p.kind == "contacts")


# -- blocking ------------------------------------------------------------------------------


def block_keys(p: Profile) -> list[str]:
    """Keys under which records are compared.

    Identifiers pair records directly.  Names pair them only together with a
    place or a birthday: the scoring never merges or queues on names alone, so
    comparing every "John Smith" with every other would be work without result.
    """
    keys = [f"e:{e}" for e in p.emails]
    keys += [f"p:{ph}" for ph in p.phones]
    keys += [f"x:{x}" for x in p.externals]
    if not p.last:
        return keys
    places = _places(p.postcode, p.city, p.birthday)
    if not places:
        return keys
    sound = _soundex(p.last)
    for place in places:
        for k in first_keys(p.first) or {""}:
            keys.append(f"n:{k}:{p.last}:{place}")
        # A nickname the dataset does not know, or a typo in the first name.
        keys.append(f"l:{p.last}:{place}")
        if p.first:
            # A typo in the last name: same first name, same sound.
            keys.append(f"s:{p.first}:{sound}:{place}")
            # "Last, First" written the other way round.
            a, b = sorted((p.first, p.last))
            keys.append(f"w:{a}:{b}:{place}")
    return keys


def _places(postcode: str, city: str, birthday: str | None) -> list[str]:
    """Where (or when born) a record says its person is: what a name must share to be compared."""
    places = []
    if postcode:
        places.append(f"z{postcode}")
    if city:
        places.append(f"c{city}")
    if birthday:
        places.append(f"b{birthday[-5:]}")
    return places


def _soundex(name: str) -> str:
    import jellyfish

    return jellyfish.soundex(name) if name.isascii() else name


def candidate_pair_sets(profiles: Sequence[Profile], only: set[int] | None = None
                        ) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """Index pairs sharing an identifier, and pairs sharing only a name key.

    With ``only``, just the pairs that touch those indexes (the new records).
    """
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(profiles):
        for key in block_keys(p):
            blocks[key].append(i)
    exact: set[tuple[int, int]] = set()
    named: set[tuple[int, int]] = set()
    for key, members in blocks.items():
        if len(members) < 2:
            continue
        exact_id = key[0] in "epx"
        pairs = exact if exact_id else named
        if len(members) > MAX_BLOCK:
            if not exact_id:
                continue  # a name this common says nothing on its own
            # A shared landline, a family address, a thousand opens from one email: chain
            # neighbours instead of all pairs; the guards still apply to every union.
            for i, j in zip(members, members[1:]):
                if only is None or i in only or j in only:
                    pairs.add((i, j))
            continue
        if only is not None:
            new = [m for m in members if m in only]
            for i in new:
                for j in members:
                    if i != j:
                        pairs.add((i, j) if i < j else (j, i))
            continue
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                pairs.add((members[x], members[y]))
    return exact, named - exact


def candidate_pairs(profiles: Sequence[Profile], only: set[int] | None = None) -> set[tuple[int, int]]:
    """All index pairs that share a block key (see :func:`candidate_pair_sets`)."""
    exact, named = candidate_pair_sets(profiles, only)
    return exact | named


# -- clustering ----------------------------------------------------------------------------


class Clusters:
    """Union-find over profiles that refuses unions the guards forbid."""

    def __init__(self, profiles: Sequence[Profile], rejected: dict[str, set[str]]) -> None:
        self.parent = list(range(len(profiles)))
        self.firsts = [{p.first} if p.first else set() for p in profiles]
        self.birthdays = [{p.birthday} if p.birthday and not p.birthday.startswith("--") else set()
                          for p in profiles]
        self.hashes = [{p.row_hash} for p in profiles]
        self.rejected = rejected

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def why_not(self, a: int, b: int) -> str | None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        # The user's word first: a rejected pair must not even be queued again.
        if self.rejected:
            small, big = (ra, rb) if len(self.hashes[ra]) <= len(self.hashes[rb]) else (rb, ra)
            for h in self.hashes[small]:
                if self.rejected.get(h, set()) & self.hashes[big]:
                    return "rejected by you"
        if _names_conflict(self.firsts[ra], self.firsts[rb]):
            return "different first names"
        if len(self.birthdays[ra] | self.birthdays[rb]) > 1:
            return "different birthdays"
        return None

    def unswap(self, profiles: Sequence[Profile], i: int, j: int) -> None:
        """Turn a lone record's swapped first and last name round before comparing clusters."""
        for k in (j, i):
            root = self.find(k)
            if len(self.hashes[root]) == 1:
                p = profiles[k]
                p.first, p.last = p.last, p.first
                p.first_raw, p.last_raw = p.last_raw, p.first_raw
                self.firsts[root] = {p.first} if p.first else set()
                return

    def union(self, a: int, b: int, *, force: bool = False) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not force and self.why_not(ra, rb) is not None:
            return False
        if len(self.hashes[ra]) < len(self.hashes[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.firsts[ra] |= self.firsts[rb]
        self.birthdays[ra] |= self.birthdays[rb]
        self.hashes[ra] |= self.hashes[rb]
        self.firsts[rb] = self.birthdays[rb] = self.hashes[rb] = set()
        return True


def _spellings(name: str, names: set[str]) -> list[str]:
    """``name`` and the names of its own cluster that are the same name misspelled."""
    return [n for n in names if n == name or first_name_level(n, name) == "typo"]


def _names_conflict(a: set[str], b: set[str]) -> bool:
    """Whether two groups of first names cannot be one person.

    Every pair must be compatible, except that a misspelling is excused when
    another spelling of it in its own group matches (Vinecnt next to Vincent
    does not stop Vince).  Initials excuse nothing, so "J." cannot bridge a
    John and a Jane.
    """
    for x in a:
        for y in b:
            if names_compatible(x, y):
                continue
            if not any(names_compatible(x2, y2) for x2 in _spellings(x, a) for y2 in _spellings(y, b)):
                return True
    return False


def _load_decisions(conn: Connection, hashes: Iterable[str]) -> tuple[dict[str, set[str]], list[tuple[str, str]]]:
    md = MatchDecision.__table__
    rejected: dict[str, set[str]] = defaultdict(set)
    must: list[tuple[str, str]] = []
    hashes = list(set(hashes))
    for part in _chunks(hashes):
        for kind, left, right in conn.execute(
            select(md.c.kind, md.c.left_hash, md.c.right_hash).where(
                or_(md.c.left_hash.in_(part), md.c.right_hash.in_(part)))
        ):
            if kind == "reject":
                rejected[left].add(right)
                rejected[right].add(left)
            else:
                must.append((left, right))
    return rejected, must


@dataclass
class Plan:
    """The outcome of clustering, before it is written."""

    clusters: dict[int, list[int]]  # root -> profile indexes
    reviews: list[tuple[int, int, PairScore]]
    pairs_scored: int
    ambiguous: set[int] = field(default_factory=set)  # nameless records pointing at several people


def cluster_profiles(profiles: Sequence[Profile], freq: Frequencies, model: Model,
                     rejected: dict[str, set[str]], must: list[tuple[str, str]],
                     only: set[int] | None = None) -> Plan:
    """Group profiles into people; profiles already on one customer start together."""
    cl = Clusters(profiles, rejected)
    by_customer: dict[int, int] = {}
    for i, p in enumerate(profiles):
        if p.customer_id is not None:
            if p.customer_id in by_customer:
                cl.union(by_customer[p.customer_id], i, force=True)
            else:
                by_customer[p.customer_id] = i
    by_hash = {p.row_hash: i for i, p in enumerate(profiles)}
    for left, right in must:
        if left in by_hash and right in by_hash:
            cl.union(by_hash[left], by_hash[right], force=True)

    # Identifiers first: most duplicates share an email or a phone, and once they are
    # one cluster their name-key pairs need no scoring at all.
    exact_pairs, name_pairs = candidate_pair_sets(profiles, only)
    reviews = []
    ambiguous: set[int] = set()
    pairs_scored = 0
    for phase, pairs in enumerate((exact_pairs, name_pairs)):
        scored: list[tuple[float, int, int, PairScore]] = []
        for i, j in pairs:
            if cl.find(i) == cl.find(j):
                continue
            pairs_scored += 1
            s = score_pair(profiles[i], profiles[j], freq, model)
            if s.decision != "apart":
                scored.append((s.weight, i, j, s))
        if phase == 0:
            ambiguous = _drop_ambiguous_nameless(profiles, scored)
        elif ambiguous:
            scored = [t for t in scored if t[1] not in ambiguous and t[2] not in ambiguous]
        scored.sort(key=lambda t: (-t[0], t[1], t[2]))
        for weight, i, j, s in scored:
            if s.swapped:
                cl.unswap(profiles, i, j)
            if s.decision == "auto":
                if not cl.union(i, j):
                    why = cl.why_not(i, j)
                    if why != "rejected by you" and weight >= model.review_threshold:
                        s.reasons.append(f"not merged: {why}")
                        reviews.append((i, j, s))
            else:
                reviews.append((i, j, s))
    clusters: dict[int, list[int]] = defaultdict(list)
    for i in range(len(profiles)):
        clusters[cl.find(i)].append(i)
    final_reviews = []
    for i, j, s in reviews:
        if cl.find(i) != cl.find(j) and cl.why_not(i, j) != "rejected by you":
            final_reviews.append((i, j, s))
    return Plan(dict(clusters), final_reviews, pairs_scored, ambiguous)


def _drop_ambiguous_nameless(profiles: Sequence[Profile], scored: list) -> set[int]:
    """A nameless record pointing at people with different names belongs to none of them.

    An email open from a family's shared address must not be pinned on one of them
    at random, nor bridge the two.
    """
    links: dict[int, set[str]] = defaultdict(set)
    for _, i, j, s in scored:
        if s.decision != "auto":
            continue
        a, b = profiles[i], profiles[j]
        if not a.first and b.first:
            links[i].add(b.first)
        if not b.first and a.first:
            links[j].add(a.first)
    ambiguous = {
        i for i, names in links.items()
        if any(not names_compatible(x, y) for x in names for y in names)
    }
    if ambiguous:
        scored[:] = [t for t in scored if t[1] not in ambiguous and t[2] not in ambiguous]
    return ambiguous


# -- writing -------------------------------------------------------------------------------


def _new_customer_rows(n: int) -> list[dict]:
    now = utcnow()
    return [{"first_name": "", "last_name": "", "display_name": "", "created_at": now,
             "updated_at": now, "tags": "", "pinned_json": "{}", "notes": "", "channels": "",
             "company": "", "address": "", "city": "", "region": "", "postcode": "",
             "country": "", "orders": 0, "source_count": 0} for _ in range(n)]


def apply_plan(conn: Connection, profiles: Sequence[Profile], plan: Plan, stats: ResolveStats,
               *, kind: str = "auto") -> dict[int, int]:
    """Write the clustering: record → customer, merges of existing customers, reviews.

    Returns profile index → customer id for every placed profile.
    """
    rec = SourceRecord.__table__
    cust = Customer.__table__
    placement: dict[int, int] = {}
    need_new: list[int] = []  # cluster roots
    moves: list[dict] = []
    merges: list[tuple[int, int, list[int]]] = []
    for root, members in plan.clusters.items():
        existing = sorted({profiles[i].customer_id for i in members if profiles[i].customer_id is not None})
        if existing:
            survivor = existing[0]
            for absorbed in existing[1:]:
                moved = [profiles[i].rid for i in members if profiles[i].customer_id == absorbed]
                merges.append((survivor, absorbed, moved))
            for i in members:
                placement[i] = survivor
        elif any(_identifiable(profiles[i]) and not (i in plan.ambiguous and profiles[i].kind == "events")
                 for i in members):
            # An event from an address several people share belongs to none of them.
            need_new.append(root)
    if need_new:
        new_ids = insert_returning_ids(conn, cust, _new_customer_rows(len(need_new)))
        for root, cid in zip(need_new, new_ids):
            for i in plan.clusters[root]:
                placement[i] = cid
            stats.touched.add(cid)
        stats.created += len(need_new)
    for i, cid in placement.items():
        if profiles[i].customer_id != cid:
            moves.append({"rid": profiles[i].rid, "cid": cid})
            stats.linked += 1
            stats.touched.add(cid)
    if moves:
        conn.execute(update(rec).where(rec.c.id == bindparam("rid")).values(customer_id=bindparam("cid")), moves)
    for survivor, absorbed, moved in merges:
        _log_and_fold(conn, survivor, absorbed, moved, kind=kind)
        stats.auto_merged += 1
        stats.touched.add(survivor)
    _sync_children(conn, [m["rid"] for m in moves])
    # Review queue, one entry per customer pair.
    pending = {}
    for i, j, s in plan.reviews:
        a, b = placement.get(i), placement.get(j)
        if a is None or b is None or a == b:
            continue
        key = (min(a, b), max(a, b))
        if key not in pending or s.weight > pending[key].weight:
            pending[key] = s
    stats.queued += queue_reviews(conn, pending)
    return placement


def _log_and_fold(conn: Connection, survivor: int, absorbed: int, moved: list[int], *, kind: str,
                  score: float | None = None) -> int:
    """Record that ``absorbed`` was folded into ``survivor`` and delete it (records already moved).

    Returns the merge log id.
    """
    cust = Customer.__table__
    row = conn.execute(select(cust).where(cust.c.id == absorbed)).mappings().first()
    log = MergeLog.__table__
    log_id = conn.execute(insert(log).returning(log.c.id).values(
        kind=kind, survivor_id=survivor, absorbed_id=absorbed, record_ids_json=json.dumps(moved),
        absorbed_json=json.dumps(dict(row) if row else {}, default=str), score=score, created_at=utcnow(),
        undone=False,
    )).scalar_one()
    review = MatchReview.__table__
    # Reviews that pointed at the absorbed customer now point at the survivor.
    conn.execute(update(review).where(review.c.left_id == absorbed).values(left_id=survivor))
    conn.execute(update(review).where(review.c.right_id == absorbed).values(right_id=survivor))
    conn.execute(delete(review).where(review.c.left_id == review.c.right_id))
    from omnidesk.core.dialect import unindex_customers

    unindex_customers(conn, [absorbed])
    conn.execute(delete(cust).where(cust.c.id == absorbed))
    return log_id


def _sync_children(conn: Connection, record_ids: list[int]) -> None:
    """Consent facts and events follow their record to its customer."""
    rec = SourceRecord.__table__
    for table in (Consent.__table__, Event.__table__):
        for part in _chunks(record_ids):
            conn.execute(
                update(table).where(table.c.record_id.in_(part)).values(
                    customer_id=select(rec.c.customer_id).where(rec.c.id == table.c.record_id).scalar_subquery()
                )
            )


def queue_reviews(conn: Connection, pairs: dict[tuple[int, int], PairScore]) -> int:
    """Add or refresh review entries for customer pairs; returns how many are new."""
    if not pairs:
        return 0
    review = MatchReview.__table__
    existing: dict[tuple[int, int], int] = {}
    lefts = sorted({a for a, _ in pairs})
    for part in _chunks(lefts):
        for rid, a, b in conn.execute(select(review.c.id, review.c.left_id, review.c.right_id)
                                      .where(review.c.left_id.in_(part))):
            existing[(a, b)] = rid
    updates = [{"rid": existing[k], "score": s.weight, "reasons_json": json.dumps(s.reasons)}
               for k, s in pairs.items() if k in existing]
    if updates:
        conn.execute(update(review).where(review.c.id == bindparam("rid"))
                     .values(score=bindparam("score"), reasons_json=bindparam("reasons_json")), updates)
    now = utcnow()
    new = [{"left_id": a, "right_id": b, "score": s.weight, "reasons_json": json.dumps(s.reasons),
            "status": "pending", "created_at": now} for (a, b), s in pairs.items() if (a, b) not in existing]
    if new:
        conn.execute(insert(review), new)
    return len(new)


# -- entry points --------------------------------------------------------------------------


def resolve_batch(conn: Connection, batch_id: int, followers: dict[int, int] | None = None,
                  model: Model | None = None) -> ResolveStats:
    """Place every unplaced record of ``batch_id``: onto existing customers, or new ones.

    New records are compared with each other and with the existing records
    they share a block key with; existing customers joined by strong new
    evidence are merged (logged, undoable).
    """
    model = model or Model()
    followers = followers or {}
    stats = ResolveStats()
    rec = SourceRecord.__table__
    new_rows = conn.execute(
        _profile_query().where(rec.c.batch_id == batch_id, rec.c.customer_id.is_(None)).order_by(rec.c.id)
    ).all()
    # Every new record's names count towards how common they are, order line rows too.
    add_profiles(conn, _make_profiles(new_rows, {}))
    new_rows = [r for r in new_rows if r.id not in followers]
    if not new_rows:
        _place_followers(conn, followers)
        return stats
    new_profiles = _make_profiles(new_rows, _identifiers(conn, [r.id for r in new_rows]))
    stats.records = len(new_profiles)
    # Existing records that could be the same people: shared identifiers or name keys.
    values = sorted({v for p in new_profiles for v in (*p.emails, *p.phones, *p.externals)})
    ident = Identifier.__table__
    candidate_ids: set[int] = set()
    for part in _chunks(values):
        candidate_ids.update(conn.execute(
            select(ident.c.record_id).join(rec, rec.c.id == ident.c.record_id)
            # Naming the kinds lets the (kind, value) index serve the lookup instead of a scan.
            .where(ident.c.kind.in_(("email", "phone", "external")), ident.c.value.in_(part),
                   rec.c.customer_id.is_not(None))
        ).scalars())
    # Records with the same last name (or, for "Lee, Ann" written the other way
    # round, a last name equal to a first name) are candidates only when they
    # share a block key too: the same name in the same place.  The columns read
    # here are few and the test is a set lookup, so a common surname costs
    # little even in a million-record workspace.
    wanted = {k for p in new_profiles for k in block_keys(p) if k[0] in "lw"}
    lasts = sorted({p.last for p in new_profiles if p.last} | {p.first for p in new_profiles if p.first})
    for part in _chunks(lasts):
        for rid, first, last, postcode, city, birthday in conn.execute(
            select(rec.c.id, rec.c.first_name, rec.c.last_key, rec.c.postcode, rec.c.city, rec.c.birthday)
            .where(rec.c.last_key.in_(part), rec.c.customer_id.is_not(None))
        ):
            folded = fold(first)
            pair = ":".join(sorted((folded, last))) if folded else None
            for place in _places(postcode_key(postcode), fold(city), birthday):
                if f"l:{last}:{place}" in wanted or (pair and f"w:{pair}:{place}" in wanted):
                    candidate_ids.add(rid)
                    break
    # Whole customers come along, so the guards see every name they already carry.
    customer_ids: set[int] = set()
    for part in _chunks(sorted(candidate_ids)):
        customer_ids.update(conn.execute(select(rec.c.customer_id).where(rec.c.id.in_(part))).scalars())
    old_rows = []
    for part in _chunks(sorted(c for c in customer_ids if c is not None)):
        old_rows.extend(conn.execute(_profile_query().where(rec.c.customer_id.in_(part))).all())
    old_profiles = _make_profiles(old_rows, _identifiers(conn, [r.id for r in old_rows]))
    profiles = new_profiles + old_profiles
    freq = load_frequencies(conn, profiles)
    rejected, must = _load_decisions(conn, [p.row_hash for p in profiles])
    plan = cluster_profiles(profiles, freq, model, rejected, must, only=set(range(len(new_profiles))))
    stats.pairs_scored = plan.pairs_scored
    apply_plan(conn, profiles, plan, stats)
    _place_followers(conn, followers)
    refresh_customers(conn, stats.touched)
    return stats


def _place_followers(conn: Connection, followers: dict[int, int]) -> None:
    if not followers:
        return
    rec = SourceRecord.__table__
    leads = sorted(set(followers.values()))
    owner: dict[int, int | None] = {}
    for part in _chunks(leads):
        owner.update(dict(conn.execute(select(rec.c.id, rec.c.customer_id).where(rec.c.id.in_(part))).all()))
    params = [{"rid": f, "cid": owner.get(lead)} for f, lead in followers.items() if owner.get(lead)]
    if params:
        conn.execute(update(rec).where(rec.c.id == bindparam("rid")).values(customer_id=bindparam("cid")), params)
        _sync_children(conn, [p["rid"] for p in params])


def resolve_all(conn: Connection, model: Model | None = None, *, from_scratch: bool = False) -> ResolveStats:
    """Look for more matches across the whole workspace.

    Existing customers stay (only merges are added) unless ``from_scratch``,
    which forgets every assignment first — the benchmark's mode and a way to
    rebuild after changing thresholds.
    """
    model = model or Model()
    stats = ResolveStats()
    rec = SourceRecord.__table__
    cust = Customer.__table__
    if from_scratch:
        conn.execute(update(rec).values(customer_id=None))
        conn.execute(update(Consent.__table__).values(customer_id=None))
        conn.execute(update(Event.__table__).values(customer_id=None))
        conn.execute(delete(MatchReview.__table__))
        from omnidesk.core.dialect import unindex_customers

        unindex_customers(conn, list(conn.execute(select(cust.c.id)).scalars()))
        conn.execute(delete(cust))
    rows = conn.execute(_profile_query().order_by(rec.c.id)).all()
    followers = _all_followers(conn)
    follower_rows = [r for r in rows if r.id in followers]
    rows = [r for r in rows if r.id not in followers]
    idents: dict[int, list[tuple[str, str]]] = defaultdict(list)
    ident = Identifier.__table__
    for rid, kind, value in conn.execute(select(ident.c.record_id, ident.c.kind, ident.c.value)):
        idents[rid].append((kind, value))
    profiles = _make_profiles(rows, idents)
    stats.records = len(profiles)
    freq = Frequencies.from_profiles(profiles)
    # How common each name is counts every record, order line rows too.
    for p in _make_profiles(follower_rows, {}):
        freq.add(p)
    write_frequencies(conn, freq)
    md = MatchDecision.__table__
    rejected: dict[str, set[str]] = defaultdict(set)
    must = []
    for kind, left, right in conn.execute(select(md.c.kind, md.c.left_hash, md.c.right_hash)):
        if kind == "reject":
            rejected[left].add(right)
            rejected[right].add(left)
        else:
            must.append((left, right))
    plan = cluster_profiles(profiles, freq, model, rejected, must)
    stats.pairs_scored = plan.pairs_scored
    apply_plan(conn, profiles, plan, stats)
    _place_followers(conn, followers)
    refresh_customers(conn, stats.touched)
    return stats


def _all_followers(conn: Connection) -> dict[int, int]:
    """Later line-item rows of multi-row orders -> the order's first row, across the workspace."""
    ev = Event.__table__
    out: dict[int, int] = {}
    for record_id, details in conn.execute(select(ev.c.record_id, ev.c.details_json).where(ev.c.type == "order")):
        ids = json.loads(details or "{}").get("record_ids") or []
        for rid in ids[1:]:
            out[rid] = record_id
    return out
