"""Blocking: which records are compared at all.

Records sharing an email, a phone, an external id, or a name together with a
place (postcode, city, birthday, employer) make candidate pairs; everything
else is never scored.  For an import, the same keys are looked up in the
database to bring in the existing records the new ones could belong to.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Connection

from omnidesk.core.identity.decisions import load_decisions
from omnidesk.core.identity.employer import stem as employer_stem
from omnidesk.core.identity.keys import first_key, first_keys, fold
from omnidesk.core.identity.profiles import IN_SIZE, chunks, has_contact, record_identifiers
from omnidesk.core.identity.scoring import Model, Profile, name_weight
from omnidesk.core.identity.stats import load_frequencies, postcode_key
from omnidesk.core.memory import give_back_free_memory
from omnidesk.core.models import SourceRecord


MAX_BLOCK = 30  # a name key shared by more records than this says little; skip it


def block_keys(p: Profile) -> list[str]:
    """Keys under which records are compared.

    Identifiers pair records directly.  Names pair them only together with a
    place or a birthday: the scoring never merges or queues on names alone, so
    comparing every "John Smith" with every other would be work without result.
    """
    keys = _identifier_keys(p)
    for place in _places(p.postcode, p.city, p.birthday, _stems(p)):
        keys += _name_keys(p, place)
    return keys + _date_keys(p)


def _date_keys(p: Profile) -> list[str]:
    """A full date of birth with the first name, the last name or its sound, or the postcode.

    Such a date is rare enough to pair records whose last names are both
    misspelt past their sound ("Tosslell", "Tossell"), or whose first and last
    names each carry a typo, without crowding the blocks.  Within an import and
    in a rebuild only: the database has no index to look these up by.
    """
    if not p.birthday or p.birthday.startswith("--"):
        return []
    keys = [f"d:{k}:{p.birthday}" for k in first_keys(p.first)]
    if p.last:
        # The last name under the same prefix meets a record written "Last, First" the
        # other way round; its sound meets one whose first and last names are both mistyped.
        keys.append(f"d:{p.last}:{p.birthday}")
        keys.append(f"d~{_soundex(p.last)}:{p.birthday}")
    if p.postcode:
        keys.append(f"d:{p.birthday}:z{p.postcode}")
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
        if place[0] == "z":
            # ... and with a slip in either name: both names' sounds, in either order, in
            # one postcode (the other places would cost a fifth more blocking for little).
            a, b = sorted((_soundex(p.first), _soundex(p.last)))
            keys.append(f"v:{a}:{b}:{place}")
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
    if family == "d":
        return _date_keys(p)
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
    for family in ("id", "z", "c", "b", "e", "d"):
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


def tied_records(conn: Connection, new_profiles: Sequence[Profile]) -> set[int]:
    """Placed records a user's merge decision ties to one of the new profiles."""
    hashes = {p.row_hash for p in new_profiles}
    _, must = load_decisions(conn, hashes)
    partners = sorted({other for left, right in must for mine, other in ((left, right), (right, left))
                       if mine in hashes and other not in hashes})
    rec = SourceRecord.__table__
    out: set[int] = set()
    for part in chunks(partners):
        out.update(conn.execute(select(rec.c.id).where(rec.c.row_hash.in_(part),
                                                       rec.c.customer_id.is_not(None))).scalars())
    return out


def same_name_same_place(conn: Connection, new_profiles: Sequence[Profile], new_rows) -> set[int]:
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
            while start < len(names) and size < IN_SIZE:
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


def same_full_name(conn: Connection, new_profiles: Sequence[Profile], model: Model) -> set[int]:
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
            (bare if has_contact(p) else every)[p.last].add(p.first)
    rec = SourceRecord.__table__
    if bare:
        placeless = _carriers(conn, bare, rec.c.postcode == "", rec.c.city == "", rec.c.address == "")
        if placeless:
            idents = record_identifiers(conn, sorted(placeless))
            for rid, (first, last) in placeless.items():
                if not any(kind in ("email", "phone") for kind, _ in idents.get(rid, ())):
                    every[last].add(first)
    return set(_carriers(conn, every)) if every else set()


def _carriers(conn: Connection, firsts_by_last: dict[str, set[str]], *where) -> dict[int, tuple[str, str]]:
    rec = SourceRecord.__table__
    out: dict[int, tuple[str, str]] = {}
    for part in chunks(sorted(firsts_by_last)):
        for rid, first, last in conn.execute(
                select(rec.c.id, rec.c.first_name, rec.c.last_key).where(rec.c.last_key.in_(part), *where)):
            folded = first_key(first)
            if folded in firsts_by_last[last]:
                out[rid] = (folded, last)
    return out
