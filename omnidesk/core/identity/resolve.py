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

import functools
import gc
import hashlib
import json
from array import array
from bisect import bisect_left
from sys import intern
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import and_, bindparam, delete, func, insert, literal, or_, select, update
from sqlalchemy.engine import Connection

from omnidesk.core.changes import NOTHING, Changes
from omnidesk.core.dialect import clear_customer_search, executemany, indexes_suspended, insert_returning_ids
from omnidesk.core.identity.employer import employers
from omnidesk.core.identity.employer import stem as employer_stem
from omnidesk.core.identity.golden import refresh_customers
from omnidesk.core.memory import give_back_free_memory
from omnidesk.core.identity.keys import (
    first_key,
    first_keys,
    first_name_level,
    fold,
    fold_address,
    given_names,
    last_name_level,
    middle_name_level,
    names_compatible,
)
from omnidesk.core.identity.scoring import Frequencies, Model, PairScore, Profile, name_weight, score_pair
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
    changes: Changes = NOTHING  # set by the caller that committed the work

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


_PROFILE_COLS = ("id", "row_hash", "customer_id", "kind", "channel", "first_name", "last_name", "postcode",
                 "city", "address", "birthday", "company", "middle_name")


def _profile_query(*, with_hash: bool = True):
    rec = SourceRecord.__table__
    return select(*[rec.c[c] if with_hash or c != "row_hash" else literal("") for c in _PROFILE_COLS])


def _identifiers(conn: Connection, ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    ident = Identifier.__table__
    out: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for part in _chunks(list(ids)):
        for rid, kind, value in conn.execute(
            select(ident.c.record_id, ident.c.kind, ident.c.value).where(ident.c.record_id.in_(part))
        ):
            out[rid].append((kind, value))
    return out


def _profile(r, ids) -> Profile:
    """A profile from a row of :func:`_profile_query` (a tuple) and its (kind, value) identifiers."""
    # Kinds, channels, postcodes and birthdays repeat across records: one string each
    # instead of one per record (a million profiles must fit in well under a gigabyte).
    emails = tuple(v for k, v in ids if k == "email")
    first, middle = given_names(r[5], r[12])
    return Profile(
        rid=r[0], row_hash=r[1], customer_id=r[2], kind=intern(r[3]), channel=intern(r[4]),
        first=first, last=fold(r[6]), middle=middle,
        emails=emails,
        phones=tuple(v for k, v in ids if k == "phone"),
        externals=tuple(v for k, v in ids if k == "external"),
        postcode=intern(postcode_key(r[7])), city=fold(r[8]), address=fold_address(r[9]) if r[9] else "",
        birthday=intern(r[10]) if r[10] else None,
        employers=tuple(intern(e) for e in employers(r[11], emails)) if r[11] or emails else (),
    )


def _make_profiles(rows, idents: dict[int, list[tuple[str, str]]]) -> list[Profile]:
    return [_profile(r, idents.get(r[0], ())) for r in rows]


def _stream_profiles(conn: Connection):
    """Every record's profile, in id order, reading records and identifiers side by side.

    Neither the rows nor the identifiers are held in memory: at a million
    records that alone would be gigabytes.
    """
    rec = SourceRecord.__table__
    ident = Identifier.__table__
    idents = iter(conn.execute(select(ident.c.record_id, ident.c.kind, ident.c.value)
                               .order_by(ident.c.record_id)))
    cur = next(idents, None)
    for row in conn.execute(_profile_query(with_hash=False).order_by(rec.c.id)):
        rid = row[0]
        while cur is not None and cur[0] < rid:
            cur = next(idents, None)
        ids = []
        while cur is not None and cur[0] == rid:
            ids.append((cur[1], cur[2]))
            cur = next(idents, None)
        yield _profile(row, ids)


def _identifiable(p: Profile) -> bool:
    return bool(p.emails or p.phones or p.externals or (p.first and p.last) or p.kind == "contacts")


# -- blocking ------------------------------------------------------------------------------


def block_keys(p: Profile) -> list[str]:
    """Keys under which records are compared.

    Identifiers pair records directly.  Names pair them only together with a
    place or a birthday: the scoring never merges or queues on names alone, so
    comparing every "John Smith" with every other would be work without result.
    """
    keys = _identifier_keys(p)
    for place in _places(p.postcode, p.city, p.birthday, _stems(p)):
        keys += _name_keys(p, place)
    return keys


def _identifier_keys(p: Profile) -> list[str]:
    keys = [f"e:{e}" for e in p.emails]
    keys += [f"p:{ph}" for ph in p.phones]
    keys += [f"x:{x}" for x in p.externals]
    return keys


def _name_keys(p: Profile, place: str) -> list[str]:
    if not p.last:
        return []
    keys = [f"n:{k}:{p.last}:{place}" for k in first_keys(p.first) or {""}]
    # A nickname the dataset does not know, or a typo in the first name.
    keys.append(f"l:{p.last}:{place}")
    if p.first:
        # A typo in the last name: same first name, same sound.
        keys.append(f"s:{p.first}:{_soundex(p.last)}:{place}")
        # "Last, First" written the other way round.
        a, b = sorted((p.first, p.last))
        keys.append(f"w:{a}:{b}:{place}")
    return keys


def _stems(p: Profile) -> set[str]:
    return {employer_stem(e) for e in p.employers}


def _places(postcode: str, city: str, birthday: str | None, stems: Iterable[str] = ()) -> list[str]:
    """Where (or when born, or for whom working) a record says its person is.

    A name is compared with another only when they share one of these.
    """
    places = [f"e{s}" for s in stems if s]
    if postcode:
        places.append(f"z{postcode}")
    if city:
        places.append(f"c{city}")
    if birthday:
        places.append(f"b{birthday[-5:]}")
    return places


@lru_cache(maxsize=100_000)
def _soundex(name: str) -> str:
    import jellyfish

    return jellyfish.soundex(name) if name.isascii() else name


def _family_keys(p: Profile, family: str) -> list[str]:
    if family == "id":
        return _identifier_keys(p)
    if not p.last:
        return []
    if family == "z":
        return _name_keys(p, f"z{p.postcode}") if p.postcode else []
    if family == "c":
        return _name_keys(p, f"c{p.city}") if p.city else []
    if family == "e":
        return [k for s in _stems(p) for k in _name_keys(p, f"e{s}")]
    return _name_keys(p, f"b{p.birthday[-5:]}") if p.birthday else []


_SHIFT = 32  # a pair (i, j) travels as one int64, i << 32 | j
_BIG_FAMILY = 500_000  # keys; after sorting this many, the freed memory is handed back (see memory.py)


def candidate_pair_sets(profiles: Sequence[Profile], only: set[int] | None = None):
    """Index pairs sharing an identifier, and pairs sharing only a name key.

    Returns two sorted numpy ``int64`` arrays of ``i << 32 | j`` (``i < j``),
    the second without the pairs of the first.  With ``only``, just the pairs
    that touch those indexes (the new records of an import).

    One family of keys at a time (identifiers, then names with each kind of
    place), each key kept as its 64-bit hash beside its record's index in two
    flat arrays; sorting them lines up each block.  A million records make
    some ten million (key, record) entries: as Python dicts and sets of ints
    they took half a gigabyte, as arrays a tenth of that.  Two keys with the
    same hash only add a pair to score.  (numpy is imported here, not with the
    module, so that the window opens without loading it.)
    """
    import numpy as np

    n = len(profiles)
    touches = None
    if only is not None:
        touches = np.zeros(n, dtype=bool)
        touches[np.fromiter(only, dtype=np.int64, count=len(only))] = True
    postcode = address = None
    exact_parts, named_parts = [], []
    for family in ("id", "z", "c", "b", "e"):
        # Records are visited in order, so within one key the indexes come out ascending.
        hashes, members = array("q"), array("i")  # 8 and 4 bytes on every platform
        for i, p in enumerate(profiles):
            for key in _family_keys(p, family):
                hashes.append(hash(key))
                members.append(i)
        if not hashes:
            continue
        if family == "c" and postcode is None:
            postcode = np.fromiter((bool(p.postcode) for p in profiles), dtype=bool, count=n)
            address = np.fromiter((bool(p.address) for p in profiles), dtype=bool, count=n)
        h = np.frombuffer(hashes, dtype=np.int64)
        order = np.argsort(h, kind="stable")  # stable: members stay ascending within a block
        h = h[order]
        m = np.frombuffer(members, dtype=np.int32)[order]
        del order, hashes, members
        pairs = _block_pairs(h, m, family, touches, postcode, address)
        if len(h) > _BIG_FAMILY:
            del h, m
            give_back_free_memory()
        (exact_parts if family == "id" else named_parts).append(pairs)
    exact = np.unique(np.concatenate(exact_parts)) if exact_parts else np.empty(0, dtype=np.int64)
    named = np.unique(np.concatenate(named_parts)) if named_parts else np.empty(0, dtype=np.int64)
    return exact, np.setdiff1d(named, exact, assume_unique=True)


def _block_pairs(hashes, members, family: str, touches, postcode, address):
    """The pairs one family's blocks make, from its keys' hashes sorted and their records.

    A block of identifiers bigger than ``MAX_BLOCK`` (a shared landline, a
    family address, a thousand opens from one email) chains neighbours instead
    of pairing everyone; the guards still apply to every union.  A name key
    that common says nothing on its own and pairs nobody.  Same name, same
    city is worth comparing only when one of the two has no postcode (or both
    an address): with a postcode on both sides the scoring weighs the
    postcodes and ignores the city, so unless their street addresses can
    agree such a pair can never be merged or queued, and in a big city every
    common name would make hundreds of them.
    """
    import numpy as np

    # A record under one key twice (the same email in two columns) counts once.
    dup = (hashes[1:] == hashes[:-1]) & (members[1:] == members[:-1])
    if dup.any():
        keep = np.concatenate(([True], ~dup))
        hashes, members = hashes[keep], members[keep]
    del dup
    first = np.empty(len(hashes), dtype=bool)
    first[0] = True
    np.not_equal(hashes[1:], hashes[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    del first
    sizes = np.diff(np.append(starts, len(hashes)))
    # Most keys belong to one record alone: keep only the blocks that can pair anyone.
    wanted = sizes > 1 if family == "id" else (sizes > 1) & (sizes <= MAX_BLOCK)
    members = members[np.repeat(wanted, sizes)]
    starts, sizes = starts[wanted], sizes[wanted]
    ends = np.cumsum(sizes)  # where each kept block ends in the kept entries
    size = np.repeat(sizes, sizes)
    end = np.repeat(ends, sizes)
    pos = np.arange(len(members))
    out = []

    def add(mask, step: int) -> None:
        at = np.flatnonzero(mask)
        a, b = members[at].astype(np.int64), members[at + step].astype(np.int64)
        ok = np.ones(len(at), dtype=bool)
        if family == "c":
            ok &= ~(postcode[a] & postcode[b]) | (address[a] & address[b])
        if touches is not None:
            ok &= touches[a] | touches[b]
        out.append((a[ok] << _SHIFT) | b[ok])

    if family == "id":
        add((size > MAX_BLOCK) & (pos + 1 < end), 1)
    small = size <= MAX_BLOCK
    for step in range(1, MAX_BLOCK):
        mask = small & (pos + step < end)
        if not mask.any():
            break
        add(mask, step)
    return np.concatenate(out) if out else np.empty(0, dtype=np.int64)


def iter_pairs(pairs, chunk: int = 65_536):
    """``(i, j)`` for every pair of a :func:`candidate_pair_sets` array, as plain ints."""
    mask = (1 << _SHIFT) - 1
    for start in range(0, len(pairs), chunk):
        for key in pairs[start:start + chunk].tolist():
            yield key >> _SHIFT, key & mask


def candidate_pairs(profiles: Sequence[Profile], only: set[int] | None = None) -> set[tuple[int, int]]:
    """All index pairs that share a block key (see :func:`candidate_pair_sets`)."""
    exact, named = candidate_pair_sets(profiles, only)
    return set(iter_pairs(exact)) | set(iter_pairs(named))


# -- clustering ----------------------------------------------------------------------------


class Clusters:
    """Union-find over profiles that refuses unions the guards forbid.

    A root keeps its cluster's first names, middle names, last names and full
    birthdays as one string while there is one (most clusters), a set once
    there are several.
    ``rejected`` maps a profile index to the indexes the user said are
    someone else.
    """

    def __init__(self, profiles: Sequence[Profile], rejected: dict[int, set[int]]) -> None:
        self.parent = list(range(len(profiles)))
        self.size = [1] * len(profiles)
        self.firsts: list = [p.first or None for p in profiles]
        self.lasts: list = [p.last or None for p in profiles]
        self.middles: list = [p.middle or None for p in profiles]
        self.birthdays: list = [p.birthday if p.birthday and not p.birthday.startswith("--") else None
                                for p in profiles]
        self.rejects: dict[int, set[int]] = {i: set(v) for i, v in rejected.items()}

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def why_not(self, a: int, b: int) -> str | None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        # The user's word first: a rejected pair must not even be queued again.
        if self.rejects:
            for x in self.rejects.get(ra, ()):
                if self.find(x) == rb:
                    return "rejected by you"
        fa, fb = self.firsts[ra], self.firsts[rb]
        if fa is not None and fb is not None:
            if type(fa) is str and type(fb) is str:
                if fa != fb and not names_compatible(fa, fb):
                    return "different first names"
            elif _names_conflict(_as_set(fa), _as_set(fb)):
                return "different first names"
        la, lb = self.lasts[ra], self.lasts[rb]
        if la is not None and lb is not None and la != lb and _lasts_conflict(_as_set(la), _as_set(lb)):
            # A record without a last name must not bridge Ann Brown and Ann Green.
            return "different last names"
        ma, mb = self.middles[ra], self.middles[rb]
        if ma is not None and mb is not None and ma != mb and _middles_conflict(_as_set(ma), _as_set(mb)):
            # "Mamadou Barry" must not bridge Mamadou Moustapha and Mamadou Saliou Barry.
            return "different middle names"
        ba, bb = self.birthdays[ra], self.birthdays[rb]
        if ba is not None and bb is not None and len(_as_set(ba) | _as_set(bb)) > 1:
            return "different birthdays"
        return None

    def unswap(self, profiles: Sequence[Profile], i: int, j: int) -> None:
        """Turn a lone record's swapped first and last name round before comparing clusters."""
        for k in (j, i):
            root = self.find(k)
            if self.size[root] == 1:
                p = profiles[k]
                p.first, p.last = p.last, p.first
                self.firsts[root] = p.first or None
                self.lasts[root] = p.last or None
                return

    def union(self, a: int, b: int, *, force: bool = False) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not force and self.why_not(ra, rb) is not None:
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        self.firsts[ra] = _merged(self.firsts[ra], self.firsts[rb])
        self.lasts[ra] = _merged(self.lasts[ra], self.lasts[rb])
        self.middles[ra] = _merged(self.middles[ra], self.middles[rb])
        self.birthdays[ra] = _merged(self.birthdays[ra], self.birthdays[rb])
        self.firsts[rb] = self.lasts[rb] = self.middles[rb] = self.birthdays[rb] = None
        if rb in self.rejects:
            self.rejects.setdefault(ra, set()).update(self.rejects.pop(rb))
        return True


def _as_set(v) -> set:
    return set() if v is None else {v} if type(v) is str else v


def _merged(a, b):
    if b is None or a == b:
        return a
    if a is None:
        return b
    return _as_set(a) | _as_set(b)


def _spellings(name: str, names: set[str]) -> list[str]:
    """``name`` and the names of its own cluster that are the same name misspelled."""
    return [n for n in names if n == name or first_name_level(n, name) == "typo"]


def _lasts_conflict(a: set[str], b: set[str]) -> bool:
    """Whether two groups of last names share none, not even misspelled.

    Looser than first names on purpose: a customer the user merged under a
    maiden and a married name may still take records under either.
    """
    return not any(last_name_level(x, y) in ("exact", "typo") for x in a for y in b)


def _middles_conflict(a: set[str], b: set[str]) -> bool:
    """Whether two groups of middle names hold two that cannot be one person's."""
    return any(middle_name_level(x, y) == "different" for x in a for y in b)


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


def _load_decisions(conn: Connection, hashes: Iterable[str] | None = None) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
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
                 for part in _chunks(wanted))
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


def _decision_indexes(pairs: list[tuple[str, str]], index_of: dict[str, list[int]]) -> list[tuple[int, int]]:
    """Hash pairs as profile index pairs (a hash can stand for several identical rows)."""
    out = []
    for left, right in pairs:
        for i in index_of.get(left, ()):
            for j in index_of.get(right, ()):
                if i != j:
                    out.append((i, j))
    return out


def _rejections(pairs: list[tuple[int, int]]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    for i, j in pairs:
        out[i].add(j)
        out[j].add(i)
    return out


_AUTO, _SWAPPED = 1, 2  # flags of a scored pair
_WHOLE_WORKSPACE_BATCH = 5_000  # from this many new records, a first import is resolved as a whole


@dataclass
class Plan:
    """The outcome of clustering, before it is written."""

    roots: array  # each profile's cluster, as the index of one of its members ("i", 4 bytes each)
    reviews: list[tuple[int, int, PairScore]]
    pairs_scored: int
    ambiguous: set[int] = field(default_factory=set)  # nameless records pointing at several people

    def groups(self, chunk: int = 65_536):
        """``(root, members)`` of every cluster, ordered by their first member; members ascending.

        A million records make some 650,000 clusters: as a dict of lists they
        took a quarter of a gigabyte, so they are read off the roots in chunks.
        """
        import numpy as np

        roots = np.frombuffer(self.roots, dtype=np.int32)
        if not len(roots):
            return
        order = np.argsort(roots, kind="stable")  # stable: members stay ascending
        ranked = roots[order]
        starts = np.flatnonzero(np.concatenate(([True], ranked[1:] != ranked[:-1])))
        del ranked
        ends = np.append(starts[1:], len(order))
        by_first = np.argsort(order[starts], kind="stable")  # clusters in order of their first record
        starts, ends = starts[by_first], ends[by_first]
        for at in range(0, len(starts), chunk):
            for start, end in zip(starts[at:at + chunk].tolist(), ends[at:at + chunk].tolist()):
                members = order[start:end].tolist()
                yield roots[members[0]].item(), members


def cluster_profiles(profiles: Sequence[Profile], freq: Frequencies, model: Model,
                     rejected: list[tuple[int, int]], must: list[tuple[int, int]],
                     only: set[int] | None = None) -> Plan:
    """Group profiles into people; profiles already on one customer start together.

    ``rejected`` and ``must`` are the user's decisions as profile index pairs.
    """
    import numpy as np

    cl = Clusters(profiles, _rejections(rejected))
    by_customer: dict[int, int] = {}
    for i, p in enumerate(profiles):
        if p.customer_id is not None:
            if p.customer_id in by_customer:
                cl.union(by_customer[p.customer_id], i, force=True)
            else:
                by_customer[p.customer_id] = i
    for i, j in must:
        cl.union(i, j, force=True)

    # Identifiers first: most duplicates share an email or a phone, and once they are
    # one cluster their name-key pairs need no scoring at all.
    exact_pairs, name_pairs = candidate_pair_sets(profiles, only)
    reviews = []
    ambiguous: set[int] = set()
    pairs_scored = 0
    for phase, pairs in enumerate((exact_pairs, name_pairs)):
        # The pairs worth a union or a question, as flat arrays: at a million records
        # the auto-merge pairs alone number half a million, and as tuples they (and
        # the keys to sort them) took a few hundred megabytes.  The score object is
        # kept for review pairs only.
        weights, lefts, rights, flags = array("d"), array("i"), array("i"), array("b")
        kept: dict[tuple[int, int], PairScore] = {}
        for i, j in iter_pairs(pairs):
            if cl.find(i) == cl.find(j):
                continue
            pairs_scored += 1
            s = score_pair(profiles[i], profiles[j], freq, model)
            if s.decision == "auto" or s.decision == "review":
                weights.append(s.weight)
                lefts.append(i)
                rights.append(j)
                flags.append((_AUTO if s.decision == "auto" else 0) | (_SWAPPED if s.swapped else 0))
                if s.decision == "review":
                    kept[(i, j)] = s
        if phase == 0:
            ambiguous, stands = _drop_ambiguous_nameless(profiles, lefts, rights, flags)
        else:
            stands = (lambda i, j: i not in ambiguous and j not in ambiguous) if ambiguous else None
        # Strongest evidence first; ties in a fixed order.
        order = np.lexsort((np.frombuffer(rights, dtype=np.int32), np.frombuffer(lefts, dtype=np.int32),
                            -np.frombuffer(weights, dtype=np.float64))).tolist() if weights else []
        for k in order:
            i, j, f = lefts[k], rights[k], flags[k]
            if stands is not None and not stands(i, j):
                continue
            if f & _SWAPPED:
                cl.unswap(profiles, i, j)
            if f & _AUTO:
                if not cl.union(i, j):
                    why = cl.why_not(i, j)
                    if why != "rejected by you" and weights[k] >= model.review_threshold:
                        s = score_pair(profiles[i], profiles[j], freq, model)
                        s.weight = weights[k]
                        s.reasons.append(f"not merged: {why}")
                        reviews.append((i, j, s))
            else:
                reviews.append((i, j, kept[(i, j)]))
        del weights, lefts, rights, flags, kept, order
    reviews += _attach_contactless(profiles, cl, freq, model, only)
    roots = array("i", (cl.find(i) for i in range(len(profiles))))
    final_reviews = []
    for i, j, s in reviews:
        if cl.find(i) != cl.find(j) and cl.why_not(i, j) != "rejected by you":
            final_reviews.append((i, j, s))
    return Plan(roots, final_reviews, pairs_scored, ambiguous)


def _has_contact(p: Profile) -> bool:
    return bool(p.emails or p.phones or p.postcode or p.city or p.address)


def _attach_contactless(profiles: Sequence[Profile], cl: Clusters, freq: Frequencies, model: Model,
                        only: set[int] | None) -> list[tuple[int, int, PairScore]]:
    """Ask about records with a name and nothing else, next to the one customer of that name.

    A name typed at the till, with no email, phone or address, shares no block
    key with anyone, yet it is most likely the shop's one "Leonard Haddad".
    Most likely is not enough to merge: the quality benchmark's shops hold two
    real Leonard Haddads now and then, one of them only ever at the till, and
    merging on the name cost more precision than it gained recall.  So such a
    record waits in review beside the customer carrying its full name, spelled
    the same, when exactly one customer with contact details carries it and the
    name is rare enough to reach the review threshold; with two such customers it
    is nobody's question.  A rejected pair, a different birthday or first name in
    the customer keep them apart as usual.  With ``only`` (an import), just the
    names those records carry are looked at.
    """
    names = {(p.first, p.last) for p in profiles if p.first and p.last and not _has_contact(p)}
    if only is not None:
        names &= {(profiles[i].first, profiles[i].last) for i in only}
    weights = {n: w for n in names if (w := name_weight(*n, freq, model)) >= model.review_threshold}
    if not weights:
        return []
    bearers: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)  # name -> root -> a record
    for i, p in enumerate(profiles):
        if p.first and (p.first, p.last) in weights:
            bearers[(p.first, p.last)].setdefault(cl.find(i), i)
    roots = {r for by_root in bearers.values() for r in by_root}
    reachable = {cl.find(i) for i, p in enumerate(profiles) if _has_contact(p)} & roots
    targets: dict[int, set[int]] = defaultdict(set)  # contactless root -> customers it could be
    pair_of: dict[tuple[int, int], tuple[int, int]] = {}
    for by_root in bearers.values():
        known = [r for r in by_root if r in reachable]
        if len(known) != 1:
            continue
        for r in by_root:
            if r not in reachable:
                targets[r].add(known[0])
                pair_of[(r, known[0])] = (by_root[r], by_root[known[0]])
    reviews = []
    for r, options in targets.items():
        if len(options) != 1:  # its names point at different customers
            continue
        i, j = pair_of[(r, next(iter(options)))]
        if only is not None and i not in only and j not in only:
            continue
        s = score_pair(profiles[i], profiles[j], freq, model)
        if s.conflict is None and s.weight >= model.review_threshold and cl.why_not(i, j) is None:
            s.decision = "review"
            s.reasons.append("nothing but the name to go on")
            reviews.append((i, j, s))
    return reviews


def _drop_ambiguous_nameless(profiles: Sequence[Profile], lefts, rights, flags):
    """A nameless record pointing at people with different names belongs to none of them...

    ...unless its own channel names one of them: an open in the email tool's activity
    belongs to the list member with that address, even when the family shares it
    elsewhere.  An email open from a family's shared address must otherwise not be
    pinned on one of them at random, nor bridge the two.  ``lefts``, ``rights``
    and ``flags`` are the scored pairs.  Returns the records left unplaced, and
    which pairs still stand (``None``: all of them).
    """
    links: dict[int, list[int]] = defaultdict(list)
    for i, j, f in zip(lefts, rights, flags):
        if not f & _AUTO:
            continue
        a, b = profiles[i], profiles[j]
        if not a.first and b.first:
            links[i].append(j)
        if not b.first and a.first:
            links[j].append(i)
    ambiguous: set[int] = set()
    keep: dict[int, set[int]] = {}
    for i, named in links.items():
        names = {profiles[j].first for j in named}
        if all(names_compatible(x, y) for x in names for y in names):
            continue
        own = [j for j in named if profiles[j].channel == profiles[i].channel]
        own_names = {profiles[j].first for j in own}
        if own and all(names_compatible(x, y) for x in own_names for y in own_names):
            keep[i] = set(own)
        else:
            ambiguous.add(i)
    if not (ambiguous or keep):
        return ambiguous, None

    def stands(i: int, j: int) -> bool:
        if i in ambiguous or j in ambiguous:
            return False
        if i in keep and j not in keep[i]:
            return False
        return not (j in keep and i not in keep[j])

    return ambiguous, stands


# -- writing -------------------------------------------------------------------------------


def _new_customer_rows(n: int) -> list[dict]:
    now = utcnow()
    return [{"first_name": "", "last_name": "", "display_name": "", "created_at": now,
             "updated_at": now, "tags": "", "pinned_json": "{}", "notes": "", "channels": "",
             "company": "", "address": "", "city": "", "region": "", "postcode": "",
             "country": "", "orders": 0, "source_count": 0} for _ in range(n)]


def apply_plan(conn: Connection, profiles: Sequence[Profile], plan: Plan, stats: ResolveStats,
               *, kind: str = "auto", batch_id: int | None = None) -> list[int | None]:
    """Write the clustering: record → customer, merges of existing customers, reviews.

    Merges of existing customers that ``batch_id``'s records brought about are
    logged with it, so undoing that import splits them again.  Returns the
    customer id of every profile (None where it was left unplaced).
    """
    placement: list[int | None] = [None] * len(profiles)
    need_new: list[int] = []  # cluster roots
    merges: list[tuple[int, int, list[int]]] = []
    for root, members in plan.groups():
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
    new_ids = _insert_empty_customers(conn, len(need_new))
    new_of = dict(zip(need_new, new_ids))
    del need_new
    for i, root in enumerate(plan.roots):
        cid = new_of.get(root)
        if cid is not None:
            placement[i] = cid
    del new_of
    stats.touched.update(new_ids)
    stats.created += len(new_ids)
    moved_ids = array("q")  # records that changed customer, for their consent facts and events
    moves: list[tuple[int, int]] = []  # (customer id, record id), written a chunk at a time
    for p, cid in zip(profiles, placement):
        if cid is not None and p.customer_id != cid:
            moves.append((cid, p.rid))
            moved_ids.append(p.rid)
            stats.touched.add(cid)
            if len(moves) == 50_000:
                executemany(conn, "UPDATE source_record SET customer_id = ? WHERE id = ?", moves)
                moves = []
    executemany(conn, "UPDATE source_record SET customer_id = ? WHERE id = ?", moves)
    del moves
    stats.linked += len(moved_ids)
    for survivor, absorbed, moved in merges:
        _log_and_fold(conn, survivor, absorbed, moved, kind=kind,
                      undo={"batch_id": batch_id} if batch_id is not None else None)
        stats.auto_merged += 1
        stats.touched.add(survivor)
    _sync_children(conn, moved_ids)
    # Review queue, one entry per customer pair.
    pending = {}
    for i, j, s in plan.reviews:
        a, b = placement[i], placement[j]
        if a is None or b is None or a == b:
            continue
        key = (min(a, b), max(a, b))
        if key not in pending or s.weight > pending[key].weight:
            pending[key] = s
    stats.queued += queue_reviews(conn, pending)
    return placement


def _insert_empty_customers(conn: Connection, count: int, chunk: int = 10_000) -> list[int]:
    """``count`` new customers, their golden records still to be computed; returns their ids."""
    cust = Customer.__table__
    ids: list[int] = []
    for start in range(0, count, chunk):
        ids.extend(insert_returning_ids(conn, cust, _new_customer_rows(min(chunk, count - start))))
    return ids


def _log_and_fold(conn: Connection, survivor: int, absorbed: int, moved: list[int], *, kind: str,
                  score: float | None = None, undo: dict | None = None) -> int:
    """Record that ``absorbed`` was folded into ``survivor`` and delete it (records already moved).

    ``undo`` is kept with the log for whoever undoes it (the import that caused
    the merge, say).  Returns the merge log id.
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
        undone=False,
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


def _sync_children(conn: Connection, record_ids: Sequence[int]) -> None:
    """Consent facts and events follow their record to its customer."""
    rec = SourceRecord.__table__
    for table in (Consent.__table__, Event.__table__):
        if len(record_ids) > 50 * _IN:
            # Most of the workspace moved (a full resolve): one pass beats thousands of IN lists.
            conn.execute(update(table).values(
                customer_id=select(rec.c.customer_id).where(rec.c.id == table.c.record_id).scalar_subquery()))
            continue
        for part in _chunks(record_ids):
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
    for part in _chunks(lefts):
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


# -- entry points --------------------------------------------------------------------------


def _no_cycle_collection(fn):
    """Run ``fn`` with Python's cyclic garbage collector paused.

    Resolution creates hundreds of thousands of small objects that live until
    it ends and hold no reference cycles; the collector would rescan all of
    them again and again.  Reference counting
    still frees everything as usual.
    """
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()
    return wrapper


@_no_cycle_collection
def resolve_batch(conn: Connection, batch_id: int, followers: dict[int, int] | None = None,
                  model: Model | None = None) -> ResolveStats:
    """Place every unplaced record of ``batch_id``: onto existing customers, or new ones.

    New records are compared with each other and with the existing records
    they share a block key with; existing customers joined by strong new
    evidence are merged (logged, undoable).
    """
    model = model or Model()
    followers = followers or {}
    rec = SourceRecord.__table__
    batch_size = conn.execute(select(func.count()).where(rec.c.batch_id == batch_id,
                                                          rec.c.customer_id.is_(None))).scalar_one()
    if batch_size >= _WHOLE_WORKSPACE_BATCH and conn.execute(
            select(rec.c.id).where(rec.c.customer_id.is_not(None)).limit(1)).first() is None:
        # A big first import: with nobody placed yet, comparing the whole workspace is
        # the same work as looking up candidates row by row, and it streams instead of
        # holding every lookup in memory.  Later imports stay incremental even when
        # big: a whole-workspace pass would also re-judge earlier records against each
        # other, which the quality benchmark showed costs a little recall.
        return resolve_all(conn, model)
    stats = ResolveStats()
    new_rows = conn.execute(
        _profile_query().where(rec.c.batch_id == batch_id, rec.c.customer_id.is_(None)).order_by(rec.c.id)
    ).all()
    new_profiles = _make_profiles(new_rows, _identifiers(conn, [r[0] for r in new_rows]))
    # Every new record's names count towards how common they are, order line rows too.
    add_profiles(conn, new_profiles)
    kept = [i for i, r in enumerate(new_rows) if r[0] not in followers]
    new_rows = [new_rows[i] for i in kept]
    new_profiles = [new_profiles[i] for i in kept]
    if not new_rows:
        _place_followers(conn, followers)
        return stats
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
    # share a block key too: the same name in the same place.
    candidate_ids.update(_same_name_same_place(conn, new_profiles, new_rows))
    # A rare full name alone may join a record with nothing else to its name (see
    # _attach_contactless); every carrier of it comes along, to see whether it is unique.
    candidate_ids.update(_same_full_name(conn, new_profiles, model))
    # Records the user tied to new ones (the row a fixed error-report row corrects).
    candidate_ids.update(_tied_records(conn, new_profiles))
    # Whole customers come along, so the guards see every name they already carry.
    customer_ids: set[int] = set()
    for part in _chunks(sorted(candidate_ids)):
        customer_ids.update(conn.execute(select(rec.c.customer_id).where(rec.c.id.in_(part))).scalars())
    old_rows = []
    for part in _chunks(sorted(c for c in customer_ids if c is not None)):
        old_rows.extend(conn.execute(_profile_query().where(rec.c.customer_id.in_(part))).all())
    old_profiles = _make_profiles(old_rows, _identifiers(conn, [r[0] for r in old_rows]))
    profiles = new_profiles + old_profiles
    freq = load_frequencies(conn, profiles)
    index_of: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(profiles):
        for key in decision_keys(p):
            index_of[key].append(i)
    rejected, must = _load_decisions(conn, list(index_of))
    plan = cluster_profiles(profiles, freq, model, _decision_indexes(rejected, index_of),
                            _decision_indexes(must, index_of), only=set(range(len(new_profiles))))
    stats.pairs_scored = plan.pairs_scored
    apply_plan(conn, profiles, plan, stats, batch_id=batch_id)
    _place_followers(conn, followers)
    refresh_customers(conn, stats.touched)
    return stats


def _tied_records(conn: Connection, new_profiles: Sequence[Profile]) -> set[int]:
    """Placed records a user's merge decision ties to one of the new profiles."""
    hashes = {p.row_hash for p in new_profiles}
    _, must = _load_decisions(conn, hashes)
    partners = sorted({other for left, right in must for mine, other in ((left, right), (right, left))
                       if mine in hashes and other not in hashes})
    rec = SourceRecord.__table__
    out: set[int] = set()
    for part in _chunks(partners):
        out.update(conn.execute(select(rec.c.id).where(rec.c.row_hash.in_(part),
                                                       rec.c.customer_id.is_not(None))).scalars())
    return out


def _same_name_same_place(conn: Connection, new_profiles: Sequence[Profile], new_rows) -> set[int]:
    """Records that share a name-and-place block key with one of the new profiles.

    The database finds them through the (last name, postcode, city, birthday)
    index, comparing "name|place" as SQL can compute it, so a common surname
    does not bring hundreds of thousands of rows into Python in a
    million-record workspace; the exact block keys are then checked here.  A
    city written with different accents or non-ASCII capitals on the two sides
    is the one case the database's comparison misses, and it matters only
    between records without a postcode.  Unplaced records (the new ones) come
    back too; the caller keeps those with a customer.
    """
    rec = SourceRecord.__table__
    wanted = {k for p in new_profiles for k in block_keys(p) if k[0] in "nlw"}
    by_surname_place: dict[str, set[int]] = defaultdict(set)  # rows found by an "l:" key alone
    if conn.dialect.name == "sqlite":
        day_of = func.substr(rec.c.birthday, -5)
    else:
        day_of = func.right(rec.c.birthday, 5)
    city = func.lower(rec.c.city)
    # A shared city counts only where a postcode cannot decide (see _block_pairs).
    no_postcode_or_address = or_(rec.c.postcode == "", rec.c.address != "")
    kinds = (
        ("postcode", func.replace(func.upper(rec.c.postcode), " ", ""), None),
        ("city", city, None),
        ("city, where the postcode cannot decide", city, no_postcode_or_address),
        ("birthday", day_of, None),
        # Only records naming an employer: the partial (last name, work key) index holds them.
        ("employer", rec.c.work_key, rec.c.work_key != ""),
    )
    keys: dict[str, dict[str, set[str]]] = {kind: defaultdict(set) for kind, _, _ in kinds}
    for p, row in zip(new_profiles, new_rows):
        if not p.last:
            continue
        for name in {p.last, p.first} - {""}:  # the first name finds "Lee, Ann" written the other way
            if p.postcode:
                keys["postcode"][name].add(f"{name}|{p.postcode}")
            if row[8]:
                kind = "city" if not p.postcode or p.address else "city, where the postcode cannot decide"
                keys[kind][name].add(f"{name}|{row[8].lower()}")
            if p.birthday:
                keys["birthday"][name].add(f"{name}|{p.birthday[-5:]}")
            for stem in _stems(p):
                keys["employer"][name].add(f"{name}|{stem}")
    out: set[int] = set()
    for kind, expr, also in kinds:
        by_name = keys[kind]
        names = sorted(by_name)
        start = 0
        while start < len(names):
            group, size = [], 0
            while start < len(names) and size < _IN:
                group.append(names[start])
                size += 1 + len(by_name[names[start]])
                start += 1
            group_keys = sorted(set().union(*(by_name[n] for n in group)))
            for rid, first, last, postcode, city, birthday, work in conn.execute(
                select(rec.c.id, rec.c.first_name, rec.c.last_key, rec.c.postcode, rec.c.city, rec.c.birthday,
                       rec.c.work_key)
                .where(rec.c.last_key.in_(group), (rec.c.last_key + "|" + expr).in_(group_keys),
                       *([also] if also is not None else []))
            ):
                if rid in out:
                    continue
                folded = first_key(first)
                pair = ":".join(sorted((folded, last))) if folded else None
                for place in _places(postcode_key(postcode), fold(city), birthday, (work,)):
                    if (pair and f"w:{pair}:{place}" in wanted) or any(
                            f"n:{k}:{last}:{place}" in wanted for k in first_keys(folded) or {""}):
                        out.add(rid)
                        break
                    if f"l:{last}:{place}" in wanted:
                        by_surname_place[f"{last}:{place}"].add(rid)
    # Like blocking, a surname-and-place key shared by more records than a block
    # holds pairs nobody: only the same first name (or its nicknames) counts there.
    for rids in by_surname_place.values():
        if len(rids) < MAX_BLOCK:
            out |= rids
    return out


_CROWDED_SURNAME = 20_000  # records; a full name's carriers are looked up only below this


def _same_full_name(conn: Connection, new_profiles: Sequence[Profile], model: Model) -> set[int]:
    """Records carrying the full name of a new profile, where that name could count on its own.

    That is where one side has nothing but a name (see _attach_contactless): a
    new record with nothing else brings every carrier of its name, so the
    clustering sees whether one customer alone carries it; a new record with
    contact details looks for existing records with nothing else first, and
    brings the other carriers only when there are some.  Only names rare enough
    to reach the review threshold are looked up, through the last-name index
    (first names are compared folded, here).  A surname carried by more than
    ``_CROWDED_SURNAME`` records is skipped: reading them all would cost more
    than an import of a thousand rows may take, and beside such a surname only
    the rarest first names could ever weigh enough.
    """
    named = [p for p in new_profiles if p.first and p.last]
    if not named:
        return set()
    freq = load_frequencies(conn, named)
    every: dict[str, set[str]] = defaultdict(set)  # last name -> first names: all carriers wanted
    bare: dict[str, set[str]] = defaultdict(set)  # only carriers with nothing but a name, first
    for p in named:
        if (freq.last.get(p.last, 0) <= _CROWDED_SURNAME
                and name_weight(p.first, p.last, freq, model) >= model.review_threshold):
            (bare if _has_contact(p) else every)[p.last].add(p.first)
    rec = SourceRecord.__table__
    if bare:
        placeless = _carriers(conn, bare, rec.c.postcode == "", rec.c.city == "", rec.c.address == "")
        if placeless:
            idents = _identifiers(conn, sorted(placeless))
            for rid, (first, last) in placeless.items():
                if not any(kind in ("email", "phone") for kind, _ in idents.get(rid, ())):
                    every[last].add(first)
    return set(_carriers(conn, every)) if every else set()


def _carriers(conn: Connection, firsts_by_last: dict[str, set[str]], *where) -> dict[int, tuple[str, str]]:
    rec = SourceRecord.__table__
    out: dict[int, tuple[str, str]] = {}
    for part in _chunks(sorted(firsts_by_last)):
        for rid, first, last in conn.execute(
                select(rec.c.id, rec.c.first_name, rec.c.last_key).where(rec.c.last_key.in_(part), *where)):
            folded = first_key(first)
            if folded in firsts_by_last[last]:
                out[rid] = (folded, last)
    return out


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


@_no_cycle_collection
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
    kept = _user_data(conn) if from_scratch else []
    if from_scratch:
        # Only rows that have a customer: SQLite rewrites every row an UPDATE names.
        for table in (rec, Consent.__table__, Event.__table__):
            conn.execute(update(table).where(table.c.customer_id.is_not(None)).values(customer_id=None))
        conn.execute(delete(MatchReview.__table__))
        clear_customer_search(conn)
        conn.execute(delete(cust))
    # Nobody placed yet (from scratch, or a big first import): every record gets a customer.
    fresh = from_scratch or conn.execute(
        select(rec.c.id).where(rec.c.customer_id.is_not(None)).limit(1)).first() is None
    followers = _all_followers(conn)
    freq = Frequencies()
    profiles = []
    for p in _stream_profiles(conn):
        freq.add(p)  # how common each name is counts every record, order line rows too
        if p.rid not in followers:
            profiles.append(p)
    stats.records = len(profiles)
    write_frequencies(conn, freq)
    rejected, must = _load_decisions(conn)
    plan = cluster_profiles(profiles, freq, model, *_decisions_by_index(conn, profiles, rejected, must))
    stats.pairs_scored = plan.pairs_scored
    # With nobody placed yet every record gets a customer and every customer a golden
    # record: the indexes on those columns are built once at the end instead of row by row.
    bulk = fresh and len(profiles) >= _WHOLE_WORKSPACE_BATCH
    with indexes_suspended(conn, [i.name for i in cust.indexes] if bulk else ()):
        with indexes_suspended(conn, [i.name for i in rec.indexes if [c.name for c in i.columns] == ["customer_id"]]
                               if bulk else ()):
            apply_plan(conn, profiles, plan, stats)
            _place_followers(conn, followers)
        _restore_user_data(conn, kept)
        refresh_customers(conn, stats.touched)
    return stats


def _user_data(conn: Connection) -> list[tuple[list[int], str, dict]]:
    """The user's notes and pins, each with the records of its customer, before a rebuild."""
    cust, rec = Customer.__table__, SourceRecord.__table__
    owners = {cid: (notes or "", json.loads(pins or "{}")) for cid, notes, pins in conn.execute(
        select(cust.c.id, cust.c.notes, cust.c.pinned_json)
        .where(or_(cust.c.notes != "", cust.c.pinned_json != "{}")))}
    records: dict[int, list[int]] = defaultdict(list)
    for part in _chunks(sorted(owners)):
        for rid, cid in conn.execute(select(rec.c.id, rec.c.customer_id).where(rec.c.customer_id.in_(part))):
            records[cid].append(rid)
    return [(records[cid], notes, pins) for cid, (notes, pins) in sorted(owners.items()) if records[cid]]


def _restore_user_data(conn: Connection, kept: list[tuple[list[int], str, dict]]) -> None:
    """After a rebuild, notes and pins go to the customer now holding most of their records."""
    if not kept:
        return
    rec, cust = SourceRecord.__table__, Customer.__table__
    merged: dict[int, tuple[list[str], dict]] = {}
    for rids, notes, pins in kept:
        now = Counter(cid for part in _chunks(rids) for cid in conn.execute(
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


def _decisions_by_index(conn: Connection, profiles: Sequence[Profile], rejected: list[tuple[str, str]],
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
    for part in _chunks(hashes):
        for rid, row_hash in conn.execute(select(rec.c.id, rec.c.row_hash).where(rec.c.row_hash.in_(part))):
            i = bisect_left(rids, rid)
            if i < len(rids) and rids[i] == rid:
                index_of[row_hash].append(i)
    return _decision_indexes(rejected, index_of), _decision_indexes(must, index_of)


def _all_followers(conn: Connection) -> dict[int, int]:
    """Later line-item rows of multi-row orders -> the order's first row, across the workspace."""
    ev = Event.__table__
    out: dict[int, int] = {}
    for record_id, details in conn.execute(select(ev.c.record_id, ev.c.details_json).where(ev.c.type == "order")):
        ids = json.loads(details or "{}").get("record_ids") or []
        for rid in ids[1:]:
            out[rid] = record_id
    return out
