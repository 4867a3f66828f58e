"""Why one customer's records are one person, in words the card can show.

Each link joins two records (or a record and the ones it came with), strongest
first, until every record of the customer is accounted for:

1. a row seen again in a later file, word for word (``importing.sightings``);
2. further lines of the same orders, and what the user entered by hand;
3. each merge of the merge log: an automatic one with the evidence kept then
   (:func:`merge_reason`), or — made before reasons were kept — saying so; one
   the user made, saying so (in Review: with the evidence they saw);
4. the rest, records placed together as they were imported: the evidence of the
   best-matching pair, compared now by the same scoring the resolver uses, knowing as it
   does which emails and phones many different people give (:func:`shared_values`).

A split ties together what stayed through the record split off (``merge._keep_the_rest_together``,
``merge._untie``): not a merge the user made.  Records such a tie holds are explained by their
own evidence where it would join them; failing that, as kept together when that record was
split off.

The wording is the resolver's own ("same email", "Bob ~ Robert"), folded a
little ("same first name" and "same last name" read "same name"; a name in
kanji that agrees by its reading, "same name (by reading)").
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.engine import Connection

from omnidesk.core.channels import HAND, channel_name
from omnidesk.core.details import read_details
from omnidesk.core.identity.clustering import SHARED_NAMES, shared_identifiers
from omnidesk.core.identity.decisions import Decided, external_key, record_keys, settled_indexes
from omnidesk.core.identity.profiles import chunks, make_profiles, profile_query, record_identifiers
from omnidesk.core.identity.scoring import Frequencies, Model, Profile, pair_conflict, score_pair
from omnidesk.core.identity.stats import load_frequencies
from omnidesk.core.models import Event, Identifier, ImportBatch, MatchDecision, MergeLog, SourceRecord
from omnidesk.core.workspace import Workspace

SIDE = 15  # records per side compared when an automatic merge is explained
# Records read per email or phone of the customer to tell whether many people give it: far more
# than the few different last names that make a value shared (clustering.SHARED_NAMES).
HOLDERS_READ = 500
SCORED = 60  # records of one customer compared pairwise for the card
MERGES_TRACED = 300  # merges of one customer whose order is followed to tell the sides apart

AUTO_BEFORE = "merged automatically before reasons were kept"


def merge_reason(left: Sequence[Profile], right: Sequence[Profile], *, freq: Frequencies,
                 model: Model) -> str | None:
    """The best-matching pair of records between two groups, as ``MergeLog.reason`` JSON.

    ``{"records": [a, b], "reasons": [...]}``; None when either side is empty.
    Records sharing an email, phone or customer id with the other side are
    compared first: a big customer's merge is explained by a few hundred
    comparisons, not by every pair.
    """
    def keys(p: Profile) -> set[str]:
        return {*p.emails, *p.phones, *p.externals}

    shared = set().union(*map(keys, left)) & set().union(*map(keys, right)) if left and right else set()
    if shared and (len(left) > SIDE or len(right) > SIDE):
        left = sorted(left, key=lambda p: keys(p).isdisjoint(shared))
        right = sorted(right, key=lambda p: keys(p).isdisjoint(shared))
    best = None
    for p in left[:SIDE]:
        for q in right[:SIDE]:
            s = score_pair(p, q, freq, model)
            if best is None or s.weight > best[0].weight:
                best = (s, p.rid, q.rid)
    if best is None:
        return None
    s, a, b = best
    return json.dumps({"records": [a, b], "reasons": s.reasons}, ensure_ascii=False)


def review_reason(reasons_json: str | None) -> str | None:
    """The reason kept with a merge the user accepted in Review: the evidence the pair showed."""
    reasons = [r for r in json.loads(reasons_json or "[]") if not r.startswith(("not merged:", "but "))]
    return json.dumps({"records": None, "reasons": reasons}, ensure_ascii=False) if reasons else None


def in_words(reasons: Sequence[str]) -> str:
    """"same email, same name and same postcode": the resolver's reasons as one phrase."""
    words = [r for r in reasons if not r.startswith(("not merged:", "but "))]
    for how in ("", " (by reading)"):  # a name in kanji agreeing by its furigana says so
        first, last = "same first name" + how, "same last name" + how
        if first in words and last in words:
            at = words.index(first)
            words = [w for w in words if w not in (first, last)]
            words.insert(at, "same name" + how)
    if not words:
        return "little in common but what joined them"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


@dataclass(frozen=True)
class Link:
    """One reason two parts of a customer are one person.

    ``how``: ``same row``, ``order``, ``hand``, ``auto`` (an automatic merge),
    ``before`` (one made before reasons were kept), ``review`` or ``you`` (the
    user merged them), ``match`` (records placed together on import), ``kept``
    (kept together when the record ``split_off`` names was split off).
    """

    left: str  # the record(s) on one side, named by channel, file and row
    right: str
    how: str
    reasons: tuple[str, ...] = ()
    when: str | None = None  # ISO 8601, UTC: when a merge was made
    count: int = 1  # how many records ``right`` names
    split_off: str = ""  # ``kept``: the record(s) whose split left these together

    def why(self) -> str:
        """What makes the two one person: "same email and same name", "merged by you"."""
        if self.how == "same row":
            return "the same row, in a later file"
        if self.how == "order":
            return "further lines of orders above" if self.count > 1 else "a further line of an order above"
        if self.how == "hand":
            return "entered by you on this card"
        if self.how == "before":
            return AUTO_BEFORE
        if self.how == "you":
            return "merged by you"
        if self.how == "kept":
            return f"kept together when {self.split_off} was split off"
        if self.how == "review":
            return "merged by you in Review" + (f": {in_words(self.reasons)}" if self.reasons else "")
        return in_words(self.reasons)

    def which(self) -> str:
        """The records it joins, named by channel, file and row."""
        if self.how == "same row":
            return f"{self.right} repeats {self.left}"
        if self.how == "hand":
            return self.right
        if self.how == "order":
            return self.right
        if self.how in ("before", "you", "review", "kept"):
            return f"{self.right} with {self.left}"
        return f"{self.left} and {self.right}"

    def sentence(self) -> str:
        """The link as one line: why, then which records."""
        return f"{self.why()} — {self.which()}"


@dataclass(frozen=True)
class WhyOnePerson:
    records: int  # the customer's records
    links: list[Link]
    compared: int  # records taken into account (at most SCORED beyond the merges)
    # Why a customer with no name is not one of those who hold its number (shared_only.card_note); "" if not
    alone: str = ""


@dataclass(frozen=True)
class _Rec:
    rid: int
    label: str
    row_hash: str
    channel: str
    source: str = ""  # "Shop · orders.csv": what records of one file have in common
    row: int = 0


def _label(file_name: str, record_no: int, channel: str) -> str:
    if channel == HAND:
        return "your own entries"
    return f"{channel_name(channel)} · {file_name} row {record_no}"


class _Parts:
    def __init__(self, ids: Sequence[int]) -> None:
        self.parent = {i: i for i in ids}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[max(ra, rb)] = min(ra, rb)
        return True


def why_one_person(ws: Workspace, customer_id: int) -> WhyOnePerson:
    """Why ``customer_id``'s records are one person; no links for a customer of one record."""
    from omnidesk.core.identity.resolve import model_from_settings  # resolve keeps its reasons here

    from omnidesk.core.identity.shared_only import card_note, shared_only

    model = model_from_settings(ws.get_setting)
    with ws.engine.connect() as conn:
        why = explain_customer(conn, customer_id, model)
        found = shared_only(conn, [customer_id])
    return replace(why, alone=card_note(found[0])) if found else why


def explain_customer(conn: Connection, customer_id: int, model: Model | None = None) -> WhyOnePerson:
    """:func:`why_one_person` on an open connection."""
    model = model or Model()
    rec, batch = SourceRecord.__table__, ImportBatch.__table__
    recs = {r.id: _Rec(r.id, _label(r.file_name, r.record_no, r.channel), r.row_hash, r.channel,
                       f"{channel_name(r.channel)} · {r.file_name}", r.record_no)
            for r in conn.execute(
                select(rec.c.id, rec.c.record_no, rec.c.channel, rec.c.row_hash, batch.c.file_name)
                .join(batch, batch.c.id == rec.c.batch_id)
                .where(rec.c.customer_id == customer_id).order_by(rec.c.id))}
    if len(recs) < 2:
        return WhyOnePerson(len(recs), [], len(recs))
    parts = _Parts(list(recs))
    links: list[Link] = []
    first_of: dict[str, int] = {}
    for r in recs.values():
        twin = first_of.setdefault(r.row_hash, r.rid)
        if twin != r.rid and parts.union(twin, r.rid):
            links.append(Link(recs[twin].label, r.label, "same row"))
    further = [line for lead, lines in _order_lines(conn, customer_id, recs)
               for line in lines if parts.union(lead, line)]
    if further:
        # One line for them all: an order of five items is not four reasons.
        links.append(Link("", _rows_of(recs, further), "order", count=len(further)))
    hand = [r.rid for r in recs.values() if r.channel == HAND]
    others = [r.rid for r in recs.values() if r.channel != HAND]
    if hand and others:
        for rid in hand:
            parts.union(others[0], rid)
        links.append(Link("this customer", _label("", 0, HAND), "hand"))
    pending: list[tuple[list[int], set[int], dict]] = []  # merges whose pair is found by comparing
    merges = [(entry, [r for r in json.loads(entry.record_ids_json or "[]") if r in recs])
              for entry in _merges(conn, customer_id)]
    for at, (entry, moved) in enumerate(merges):
        rest = [r for r in recs if r not in _came_later(merges, at)]
        if not moved or not rest:
            continue
        kept = json.loads(entry.reason) if entry.reason else None
        pair = (kept or {}).get("records") or []
        if entry.kind == "auto" and len(pair) == 2:
            if all(p in recs for p in pair) and parts.union(*pair):
                links.append(Link(recs[pair[0]].label, recs[pair[1]].label, "auto",
                                  tuple(kept.get("reasons") or ()), entry.created_at))
            # A record of the pair split off since: what that merge joined holds by what is left
            # (the records' own evidence, or the split's tie), told below.
            continue
        how = {"auto": "before", "review": "review"}.get(entry.kind, "you")
        pending.append((moved, set(rest), {"how": how, "reasons": tuple((kept or {}).get("reasons") or ()),
                                           "when": entry.created_at}))
    compared = sorted(recs)[:SCORED]
    scores = _pair_scores(conn, compared, model) if compared else []
    best_between = {}
    for weight, a, b, reasons in scores:
        best_between.setdefault((a, b), (weight, reasons))
    for moved, before, info in pending:
        here = [m for m in moved if m in set(compared)] or moved[:1]
        rest = [r for r in compared if r in before] or sorted(before)[:1]
        _, a, b = max((best_between.get((min(a, b), max(a, b)), (float("-inf"),))[0], a, b)
                      for a in rest for b in here)
        joined = parts.union(a, b)
        for m in moved:
            joined = parts.union(b, m) or joined
        if joined:
            links.append(Link(recs[a].label, _several(recs, moved), info["how"], info["reasons"], info["when"]))
    ties = _hand_ties(conn, recs)
    kept = _kept_at_splits(conn, [d for _a, _b, _when, d in ties])
    for a, b, when, decision in ties:
        # One record of each side: the others sharing its key are linked by that key below.
        if decision not in kept and parts.union(a, b):
            links.append(Link(recs[a].label, recs[b].label, "you", when=when))
    # One line for every record matched to the same one for the same reasons (an order
    # export's rows against the customer's record): "orders.csv rows 72, 152 and 325".
    matched: dict[tuple[int, tuple[str, ...]], list[int]] = {}
    # What a split kept together is theirs by evidence where it would join them (the pairs the
    # resolver merges by themselves, matched first); only the rest is told as kept by the split.
    rounds = ([s for s in scores if s[0] >= model.auto_threshold and not pair_conflict(s[3])], scores) \
        if kept else (scores,)
    for at, round_scores in enumerate(rounds):
        if at == 1:
            for a, b, when, decision in ties:
                if decision in kept and parts.union(a, b):
                    split_when, split_off = kept[decision]
                    links.append(Link(recs[a].label, recs[b].label, "kept", when=split_when, split_off=split_off))
        for _weight, a, b, reasons in round_scores:
            if parts.union(a, b):
                matched.setdefault((a, tuple(reasons)), []).append(b)
    # What ties channels together first, then files of one channel, then rows of one file.
    order = sorted(matched.items(), key=lambda item: (recs[item[0][0]].channel == recs[item[1][0]].channel,
                                                      recs[item[0][0]].source == recs[item[1][0]].source))
    for (a, reasons), others in order:
        links.append(Link(recs[a].label, _rows_of(recs, others), "match", reasons, count=len(others)))
    # Read as a story: records matched as they came in, then the merges, then what simply belongs.
    links.sort(key=lambda link: _ORDER.get(link.how, 1))
    return WhyOnePerson(len(recs), links, len(compared))


_ORDER = {"match": 0, "same row": 2, "order": 3, "hand": 4}


def _kept_at_splits(conn: Connection, decisions: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Which of these merge decisions a split made to keep what stayed together: decision ->
    (when, the record(s) split off, named).  Told by the standing splits' logs (an undone split
    took its ties away); a decision made after a split (an id SQLite gave again) is not its."""
    log, rec, batch, md = MergeLog.__table__, SourceRecord.__table__, ImportBatch.__table__, MatchDecision.__table__
    wanted = set(decisions)
    if not wanted:
        return {}
    made = {i: when for part in chunks(sorted(wanted))
            for i, when in conn.execute(select(md.c.id, md.c.created_at).where(md.c.id.in_(part)))}
    found: dict[int, tuple[str, list[int]]] = {}
    for entry in conn.execute(select(log.c.record_ids_json, log.c.absorbed_json, log.c.created_at).where(
            log.c.kind == "unmerge", log.c.undone.is_(False)).order_by(log.c.id)):
        undo = (json.loads(entry.absorbed_json or "{}") or {}).get("_undo") or {}
        for d in undo.get("decisions") or ():
            if d in wanted and made.get(d, "") <= entry.created_at:
                found[d] = (entry.created_at, json.loads(entry.record_ids_json or "[]"))  # the latest split's
    if not found:
        return {}
    ids = sorted({r for _when, moved in found.values() for r in moved})
    names = {r.id: _label(r.file_name, r.record_no, r.channel) for part in chunks(ids) for r in conn.execute(
        select(rec.c.id, rec.c.record_no, rec.c.channel, batch.c.file_name)
        .join(batch, batch.c.id == rec.c.batch_id).where(rec.c.id.in_(part)))}

    def named(moved: list[int]) -> str:
        known = [names[r] for r in moved if r in names]
        if not known:
            return "a record"
        return known[0] if len(known) == 1 else f"{known[0]} (and {len(known) - 1} more)"

    return {d: (when, named(moved)) for d, (when, moved) in found.items()}


def _hand_ties(conn: Connection, recs: dict[int, _Rec]) -> list[tuple[int, int, str, int]]:
    """The user's merge decisions that hold between records of this customer, oldest first.

    Each as (a record of one side, a record of the other, when, the decision's id).  The merge log
    tells of a merge while its customers stand as it left them; a workspace
    resolved from scratch since keeps the decision only.  A merge the user took
    back later (a "different people" of the same records since) holds no more.
    """
    ident, md = Identifier.__table__, MatchDecision.__table__
    holders: dict[str, list[int]] = defaultdict(list)
    for r in recs.values():
        holders[r.row_hash].append(r.rid)
    ids = sorted(recs)
    for rid, key in record_keys(conn, ids).items():
        if key != recs[rid].row_hash:
            holders[key].append(rid)  # a row its import repeats: its own key too (decisions.twin_key)
    for part in chunks(ids):
        for rid, value in conn.execute(select(ident.c.record_id, ident.c.value).where(
                ident.c.record_id.in_(part), ident.c.kind == "external")):
            if rid not in holders[external_key(value)]:
                holders[external_key(value)].append(rid)
    keys = sorted(holders)
    rows = {}
    for part in chunks(keys):
        for row in conn.execute(select(md.c.id, md.c.kind, md.c.left_hash, md.c.right_hash, md.c.created_at)
                                .where(md.c.left_hash.in_(part))):
            if row.right_hash in holders:
                rows[row.id] = row
    merges = [Decided(r.left_hash, r.right_hash, r.id) for r in rows.values() if r.kind == "merge"]
    if not merges:
        return []
    rejects = [Decided(r.left_hash, r.right_hash, r.id) for r in rows.values() if r.kind == "reject"]
    standing = {frozenset(pair) for pair in settled_indexes(rejects, merges, holders)[1]}
    out = []
    for d in sorted(merges, key=lambda d: d.order):
        pair = next(((a, b) for a in holders[d.left] for b in holders[d.right] if frozenset((a, b)) in standing),
                    None)
        if pair is not None:
            out.append((*pair, rows[d.order].created_at, d.order))
    return out


def _came_later(merges: list, at: int) -> set[int]:
    """The records merge ``at``'s survivor did not hold then: what it and later merges brought.

    A later merge that took the survivor itself in (a chain of merges) moved its
    records, which it did hold.  Past a few hundred merges only this one counts.
    """
    entry, moved = merges[at]
    out = set(moved)
    if len(merges) > MERGES_TRACED:
        return out
    for later, later_moved in merges[at + 1:]:
        if later.absorbed_id != entry.survivor_id:
            out.update(later_moved)
    return out


def _rows_of(recs: dict[int, _Rec], ids: Sequence[int], shown: int = 5) -> str:
    """"Shop · orders.csv rows 72, 152 and 325": records named by file, a few rows each."""
    if len(ids) == 1:
        return recs[ids[0]].label
    by_source: dict[str, list[int]] = {}
    for rid in ids:
        by_source.setdefault(recs[rid].source, []).append(recs[rid].row)
    parts = []
    for source, rows in by_source.items():
        rows.sort()
        if len(rows) == 1:
            parts.append(f"{source} row {rows[0]}")
            continue
        named = [str(r) for r in rows[:shown]]
        if len(rows) > shown:
            named.append(f"{len(rows) - shown} more")
        parts.append(f"{source} rows {', '.join(named[:-1])} and {named[-1]}")
    return "; ".join(parts)


def _several(recs: dict[int, _Rec], ids: Sequence[int]) -> str:
    first = recs[ids[0]].label
    return first if len(ids) == 1 else f"{first} (and {len(ids) - 1} more)"


def _order_lines(conn: Connection, customer_id: int, recs: dict[int, _Rec]) -> list[tuple[int, list[int]]]:
    """Each multi-row order of the customer: its first row and its further line rows."""
    ev = Event.__table__
    out = []
    for details, in conn.execute(select(ev.c.details_json).where(ev.c.customer_id == customer_id,
                                                                 ev.c.type == "order")):
        ids = [i for i in read_details(details).get("record_ids") or [] if i in recs]
        if len(ids) > 1:
            out.append((ids[0], ids[1:]))
    return out


def _merges(conn: Connection, customer_id: int):
    """The merges standing in this customer, oldest first: into it, and into those it took in."""
    log = MergeLog.__table__
    survivors, entries, seen = {customer_id}, [], set()
    while survivors:
        found = conn.execute(select(log).where(
            log.c.survivor_id.in_(sorted(survivors)), log.c.kind.in_(("auto", "manual", "review")),
            log.c.undone.is_(False)).order_by(log.c.id)).all()
        found = [e for e in found if e.id not in seen]
        seen.update(e.id for e in found)
        entries.extend(found)
        survivors = {e.absorbed_id for e in found} - {customer_id}
    return sorted(entries, key=lambda e: e.id)


def _pair_scores(conn: Connection, ids: Sequence[int], model: Model) -> list[tuple[float, int, int, list[str]]]:
    """Every pair of these records scored, strongest first: (weight, lower id, higher id, reasons)."""
    rec = SourceRecord.__table__
    rows = []
    for part in chunks(list(ids)):
        rows.extend(conn.execute(profile_query().where(rec.c.id.in_(part))).all())
    rows.sort(key=lambda r: r[0])
    profiles = make_profiles(rows, record_identifiers(conn, [r[0] for r in rows]))
    freq = load_frequencies(conn, profiles)
    freq.shared = shared_values(conn, profiles)
    out = []
    for i, p in enumerate(profiles):
        for q in profiles[i + 1:]:
            s = score_pair(p, q, freq, model)
            out.append((s.weight, p.rid, q.rid, s.reasons))
    out.sort(key=lambda t: (-t[0], t[1], t[2]))
    return out


def shared_values(conn: Connection, profiles: Sequence[Profile]) -> dict[str, int]:
    """The emails and phones of ``profiles`` that records of many clearly different last names give
    across the workspace, as the resolver knows them (``clustering.shared_identifiers``): the shop's
    own landline typed at the till is no evidence of who a customer is, and the card says so.

    Only values held by at least that many records are looked into, a few hundred holders each.
    """
    ident, rec = Identifier.__table__, SourceRecord.__table__
    emails = sorted({e for p in profiles for e in p.emails})
    phones = sorted({v for p in profiles for v in p.phones})
    holders: dict[str, set[int]] = defaultdict(set)
    for kind, values in (("email", emails), ("phone", phones)):
        for part in chunks(values):
            for rid, value in conn.execute(select(ident.c.record_id, ident.c.value).where(
                    ident.c.kind == kind, ident.c.value.in_(part))):
                holders[value].add(rid)
    for part in chunks(emails):  # an address written another way than its mailbox (profiles.py)
        for rid, mailbox in conn.execute(select(ident.c.record_id, ident.c.mailbox).where(
                ident.c.mailbox.in_(part))):
            holders[mailbox].add(rid)
    wanted = {v for v, rids in holders.items() if len(rids) >= SHARED_NAMES}
    if not wanted:
        return {}
    ids = sorted({rid for v in wanted for rid in sorted(holders[v])[:HOLDERS_READ]})
    rows = []
    for part in chunks(ids):
        rows.extend(conn.execute(profile_query(with_hash=False).where(
            rec.c.id.in_(part), rec.c.customer_id.is_not(None))).all())
    rows.sort(key=lambda r: r[0])
    found = shared_identifiers(make_profiles(rows, record_identifiers(conn, [r[0] for r in rows])))
    return {v: n for v, n in found.items() if v in wanted}
