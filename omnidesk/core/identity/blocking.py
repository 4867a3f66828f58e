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
from dataclasses import replace
from functools import lru_cache
from itertools import chain
from operator import attrgetter

from sqlalchemy import and_, func, literal, or_, select, tuple_
from sqlalchemy.engine import Connection

from omnidesk.core.dialect import raw_rows
from omnidesk.core.identity.decisions import decision_index, external_key_holders, key_holders, load_decisions
from omnidesk.core.identity.employer import stem as employer_stem
from omnidesk.core.identity.keys import first_key, first_keys, first_surname, fold, generation, street_key
from omnidesk.core.identity.profiles import (IN_SIZE, chunks, has_contact, make_profiles, profile_query,
                                             record_identifiers)
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


def share_a_block(a: Profile, b: Profile) -> bool:
    """Whether two records are compared by the blocking rules (leaving aside blocks too big to pair).

    A key in common, except a surname's own key ("m:") between two records that
    both have a first name (that block is there for the records without one),
    and a town's key between two records with a postcode each and not both an
    address (see :func:`_block_pairs`).
    """
    named = bool(a.first and b.first)
    town_decides = not (a.postcode and b.postcode) or bool(a.address and b.address)

    def pairs(key: str) -> bool:
        if key[0] not in "nlmswv":  # an identifier or a date: always
            return True
        if named and key[0] == "m":
            return False
        return town_decides or not key.rpartition(":")[2].startswith("c")

    return any(map(pairs, set(block_keys(a)) & set(block_keys(b))))


def _date_keys(p: Profile) -> list[str]:
    """A full date of birth with the first name, the last name or its sound, the postcode or the street.

    Such a date is rare enough to pair records whose last names are both
    misspelt past their sound ("Tosslell", "Tossell"), or whose first and last
    names each carry a typo, without crowding the blocks.  With the street
    (``keys.street_key``: its name without the house number) it pairs a record
    whose names are swapped and mistyped and whose postcode is a digit off
    ("Nguy Elixa", 2257, beside Eliza Nguyen, 2256, both of 29 Buxton St).  An
    import looks the workspace's records up by them too (:func:`same_birthday`).
    """
    if not p.birthday or p.birthday.startswith("--"):
        return []
    keys = []
    for first, last in _name_views(p):
        keys += [f"d:{k}:{p.birthday}" for k in first_keys(first)]
        if last:
            # The last name under the same prefix meets a record written "Last, First" the
            # other way round; its sound meets one whose first and last names are both mistyped.
            keys.append(f"d:{last}:{p.birthday}")
            keys.append(f"d~{_soundex(last)}:{p.birthday}")
    if p.postcode:
        keys.append(f"d:{p.birthday}:z{p.postcode}")
    street = _street_of(p.address)
    if street:
        keys.append(f"d:{p.birthday}:a{street}")
    return keys


def _street_of(address: str) -> str:
    """The street a date of birth is blocked with (:func:`_date_keys`): empty when too short to tell."""
    street = street_key(address) if address else ""
    return street if len(street) >= 3 else ""


def _name_views(p: Profile) -> list[tuple[str, str]]:
    """The record's (first, last) name as written, and as read where it has a reading.

    A name in kanji with its furigana is looked for under both: the kanji meet
    the same kanji, the reading meets kana and Latin spellings (``keys.name_forms``).
    A name with two surnames is looked for under its first surname too
    (``keys.first_surname``): Hilda Molina Bonilla meets Hilda Molina.
    """
    views = [(p.first, p.last)]
    if p.first_read or p.last_read:
        views.append((p.first_read or p.first, p.last_read or p.last))
    if p.last_first:
        views.append((p.first, p.last_first))
    return views


def _identifier_keys(p: Profile) -> list[str]:
    keys = [f"e:{e}" for e in p.emails]
    keys += [f"p:{ph}" for ph in p.phones]
    keys += [f"x:{x}" for x in p.externals]
    return keys


def _name_keys(p: Profile, place: str) -> list[str]:
    if not p.last:
        return []
    keys = []
    for first, last in _name_views(p):
        keys += [f"n:{k}:{last}:{place}" for k in first_keys(first) or {""}]
        # A record without a first name, beside everyone of the surname (pairs with one such only).
        keys.append(f"m:{last}:{place}")
        if first:
            # A nickname the dataset does not know, or a typo in the first name: such names
            # mostly start with the same letter, others are mostly someone else.  A slip in the
            # first letter itself (Gannah, Hannah) is still a typo to keys.first_name_level, but
            # is compared only where an identifier, a full birthday (_date_keys) or an employer
            # brings the records together: pairing every first name under a surname cost a
            # million shop customers 5 million pairs, nearly all of them two people.
            keys.append(f"l:{last}:{first[0]}:{place}")
            # A typo in the last name: same first name, same sound.
            keys.append(f"s:{first}:{_soundex(last)}:{place}")
            # "Last, First" written the other way round.
            a, b = sorted((first, last))
            keys.append(f"w:{a}:{b}:{place}")
            if place[0] == "z":
                # ... and with a slip in either name: both names' sounds, in either order, in
                # one postcode (the other places would cost a fifth more blocking for little).
                a, b = sorted((_soundex(first), _soundex(last)))
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


class _Columns:
    """What blocking reads of each profile, as numpy arrays of string hashes.

    Per record: whether it has a last name, first name and postcode, and their
    hashes and those of the sounds of its first and last names (0 where absent); per first-name
    key, one entry of (record, hash).  The fields only one family needs
    (identifiers, city, birthday, employers) are read when that family's turn
    comes and dropped after it.  The block keys of :func:`_family_keys` are
    put together from these by numpy (:func:`_mix`), so a million records no
    longer build and hash some ten million key strings one by one.

    Every field is mapped in C over the profiles, one field at a time: a Python
    loop over the profiles cost more than all the rest of blocking.
    """

    def __init__(self, profiles: Sequence[Profile]) -> None:
        import numpy as np

        self.profiles = profiles
        self.n = n = len(profiles)
        field = self.field
        # A list of the names first: going through it again is cheaper than through the profiles.
        names = list(field("last"))
        self.has_last, self.last = self.present(names)
        # Per distinct value, not per record: a million records carry a hundred thousand
        # last names, more than _soundex's cache holds, and a cache cycled through misses.
        # Each is sounded once here, so the cache is passed by: filled, it held 13 MB.
        soundex = _soundex.__wrapped__
        sounds = {name: hash(soundex(name)) if name else 0 for name in set(names)}
        self.sound = self.hashes(map(sounds.__getitem__, names), hashed=True)
        del sounds
        names = list(field("first"))
        self.has_first, self.first = self.present(names)
        letters = {name: hash(name[:1]) if name else 0 for name in set(names)}
        self.first_letter = self.hashes(map(letters.__getitem__, names), hashed=True)
        del letters
        sounds = {name: hash(soundex(name)) if name else 0 for name in set(names)}
        self.first_sound = self.hashes(map(sounds.__getitem__, names), hashed=True)
        del sounds
        keys_of = {name: first_keys(name) for name in set(names)}
        self.fk_count = np.fromiter(map(len, map(keys_of.__getitem__, names)), dtype=np.int32, count=n)
        self.fk_start = np.cumsum(self.fk_count, dtype=np.int64) - self.fk_count
        self.fk_hash = self.hashes(chain.from_iterable(map(keys_of.__getitem__, names)),
                                   count=int(self.fk_count.sum()))
        del keys_of, names
        self.has_postcode, self.postcode = self.present(list(field("postcode")))
        self.has_address = np.fromiter(map(bool, field("address")), dtype=bool, count=n)
        self._birthdays = None

    def field(self, name: str):
        return map(attrgetter(name), self.profiles)

    def hashes(self, values, *, hashed: bool = False, count: int | None = None):
        import numpy as np

        return np.fromiter(values if hashed else map(hash, values), dtype=np.int64,
                           count=self.n if count is None else count).view(np.uint64)

    def present(self, values: list):
        """Whether each value is there (not empty, not None), and its hash (0 where it is not)."""
        import numpy as np

        has = np.fromiter(map(bool, values), dtype=bool, count=self.n)
        hashes = self.hashes(values)
        hashes[~has] = 0
        return has, hashes

    def city(self):
        return self.present(list(self.field("city")))

    def birthdays(self, *, last_use: bool = False):
        """Whether each record has a birthday; the hash of its day and month; of the full date, if it has one.

        Read once for the two families that need them, and dropped at the ``last_use``.
        """
        found = self._birthdays
        if found is None:
            found = self._birthdays = self._read_birthdays()
        if last_use:
            self._birthdays = None
        return found

    def _read_birthdays(self):
        import numpy as np

        birthdays = list(self.field("birthday"))
        day_of: dict[str | None, int] = {None: 0}
        born_of: dict[str | None, int] = {None: 0}
        for birthday in set(birthdays) - {None}:
            day_of[birthday] = hash(birthday[-5:])
            born_of[birthday] = 0 if birthday.startswith("--") else hash(birthday)
        return (np.fromiter(map(bool, birthdays), dtype=bool, count=self.n),
                self.hashes(map(day_of.__getitem__, birthdays), hashed=True),
                self.hashes(map(born_of.__getitem__, birthdays), hashed=True))

    def streets(self, rows):
        """The hash of the street (:func:`_street_of`) of each of ``rows``, 0 where it has none."""
        import numpy as np

        addresses = [self.profiles[i].address for i in rows.tolist()]
        of = {a: hash(s) if (s := _street_of(a)) else 0 for a in set(addresses)}
        return np.fromiter(map(of.__getitem__, addresses), dtype=np.int64, count=len(addresses)).view(np.uint64)

    def stems(self):
        """Per employer stem of a record, (record, hash of the stem)."""
        import numpy as np

        stem_of, stem_hash = array("i"), array("q")
        has = np.fromiter(map(bool, self.field("employers")), dtype=bool, count=self.n)
        for i in np.flatnonzero(has).tolist():
            for s in _stems(self.profiles[i]):
                stem_of.append(i)
                stem_hash.append(hash(s))
        return np.frombuffer(stem_of, dtype=np.int32), np.frombuffer(stem_hash, dtype=np.int64).view(np.uint64)

    def identifiers(self):
        """Per kind of identifier, its tag, and per identifier (record, hash of the value)."""
        import numpy as np

        for tag, name in ((_TAG_E, "emails"), (_TAG_P, "phones"), (_TAG_X, "externals")):
            values = list(self.field(name))
            counts = np.fromiter(map(len, values), dtype=np.int32, count=self.n)
            total = int(counts.sum())
            if total:
                yield (tag, np.repeat(np.arange(self.n, dtype=np.int32), counts),
                       self.hashes(chain.from_iterable(values), count=total))
            del values

    def first_keys_of(self, rows):
        """For each row (a record index, repeats allowed), each of its first-name keys: (position in rows, hash)."""
        import numpy as np

        counts = self.fk_count[rows]
        total = int(counts.sum())
        at = np.repeat(np.arange(len(rows), dtype=np.int64), counts)
        offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts, dtype=np.int64) - counts, counts)
        return at, self.fk_hash[np.repeat(self.fk_start[rows], counts) + offsets]


# Tags that keep one kind of key apart from another within a family (the string keys' prefixes).
_TAG_N, _TAG_L, _TAG_S, _TAG_W, _TAG_D, _TAG_DS, _TAG_DZ, _TAG_E, _TAG_P, _TAG_X, _TAG_V, _TAG_M, _TAG_DA = range(1, 14)
_WITH_BARE = "with a record without a first name"  # a group whose blocks pair only such a record with others
_MUL = 0x9E3779B97F4A7C15  # odd: multiplying by it is a bijection on 64 bits


def _mix(tag: int, *parts):
    """One 64-bit key per entry from a tag and string hashes, as a hash of the joined strings would be.

    Each step (xor a part, multiply by an odd constant, fold the high half
    down) is a bijection of the running value, so two different lists of parts
    meet only as two different strings' hashes do: by a one in 2**64 chance,
    which like any hash collision adds a pair to score and nothing else.
    """
    import numpy as np

    acc = np.uint64(tag * _MUL & (1 << 64) - 1)
    mul, shift = np.uint64(_MUL), np.uint64(32)
    with np.errstate(over="ignore"):  # the wrap-around is the point
        for part in parts:
            acc = (acc ^ part) * mul
            acc ^= acc >> shift
    return acc


def _name_entries(c: _Columns, rows, place, family: str):
    """The keys of :func:`_name_keys` for records ``rows`` (with a last name) at ``place`` (hashes).

    Yields one group of (keys, records) per kind of key: keys of two kinds
    never meet (their strings differ in the prefix), so each kind's blocks are
    found on its own, and only one kind's arrays are held at a time.
    """
    import numpy as np

    # A group is handed over through ``ready``, its makings dropped first: held while the
    # caller sorts the group, they added a fifth to blocking's peak.
    at, fk = c.first_keys_of(rows)
    bare = ~c.has_first[rows]  # no first name: the key "n::last:place"
    ready = [([_mix(_TAG_N, fk, c.last[rows[at]], place[at]),
               _mix(_TAG_N, np.uint64(0), c.last[rows[bare]], place[bare])],
              [rows[at], rows[bare]])]
    del at, fk, bare
    yield ready.pop()
    yield [_mix(_TAG_M, c.last[rows], place)], [rows], _WITH_BARE
    named = c.has_first[rows]
    rows, place = rows[named], place[named]
    del named
    yield [_mix(_TAG_L, c.last[rows], c.first_letter[rows], place)], [rows]
    yield [_mix(_TAG_S, c.first[rows], c.sound[rows], place)], [rows]
    first, last = c.first[rows], c.last[rows]
    ready.append(([_mix(_TAG_W, np.minimum(first, last), np.maximum(first, last), place)], [rows]))
    del first, last
    yield ready.pop()
    if family == "z":
        # Both names' sounds in either order, in one postcode: a swap with a slip in either name.
        first, last = c.first_sound[rows], c.sound[rows]
        ready.append(([_mix(_TAG_V, np.minimum(first, last), np.maximum(first, last), place)], [rows]))
        del first, last
        yield ready.pop()


def _family_entries(c: _Columns, family: str):
    """Every (key, record) of one family, as :func:`_family_keys` makes them: groups of arrays.

    Keys of different groups never meet; within a group, blocks span its arrays.
    """
    import numpy as np

    if family == "id":
        for tag, rows, hashes in c.identifiers():
            yield [_mix(tag, hashes)], [rows]
        return
    if family == "d":
        _, _, born = c.birthdays(last_use=True)
        rows = np.flatnonzero(born).astype(np.int32)
        born = born[rows]
        at, fk = c.first_keys_of(rows)
        with_last = c.has_last[rows]
        # The last name under the same prefix as the first: "Last, First" written the other way round.
        yield ([_mix(_TAG_D, fk, born[at]), _mix(_TAG_D, c.last[rows[with_last]], born[with_last])],
               [rows[at], rows[with_last]])
        del at, fk
        yield [_mix(_TAG_DS, c.sound[rows[with_last]], born[with_last])], [rows[with_last]]
        with_postcode = c.has_postcode[rows]
        yield [_mix(_TAG_DZ, born[with_postcode], c.postcode[rows[with_postcode]])], [rows[with_postcode]]
        del with_postcode
        street = c.streets(rows)
        with_street = street != 0
        yield [_mix(_TAG_DA, born[with_street], street[with_street])], [rows[with_street]]
        return
    if family == "e":
        stem_of, stem_hash = c.stems()
        with_last = c.has_last[stem_of]
        rows, place = stem_of[with_last], stem_hash[with_last]
        del stem_of, stem_hash
    else:
        if family == "z":
            column, has = c.postcode, c.has_postcode
        elif family == "c":
            has, column = c.city()
        else:
            has, column, _ = c.birthdays()
        rows = np.flatnonzero(c.has_last & has).astype(np.int32)
        place = column[rows]
        del column, has
    yield from _name_entries(c, rows, place, family)


def candidate_pair_sets(profiles: Sequence[Profile], only: set[int] | None = None):
    """Index pairs sharing an identifier, and pairs sharing only a name key.

    Returns two sorted numpy ``int64`` arrays of ``i << 32 | j`` (``i < j``),
    the second without the pairs of the first.  With ``only``, just the pairs
    that touch those indexes (the new records of an import).

    One family of keys at a time (identifiers, then names with each kind of
    place), each key kept as 64 bits beside its record's index in two flat
    arrays; sorting them lines up each block.  A million records make some
    ten million (key, record) entries: as Python dicts and sets of ints they
    took half a gigabyte, as arrays a tenth of that.  The keys are put together
    from the hashes of the profiles' fields (:class:`_Columns`), not spelt out
    as strings; two keys that collide only add a pair to score.  (numpy is
    imported here, not with the module, so that the window opens without
    loading it.)
    """
    import numpy as np

    n = len(profiles)
    touches = None
    if only is not None:
        touches = np.zeros(n, dtype=bool)
        touches[np.fromiter(only, dtype=np.int64, count=len(only))] = True
    views, origin = _reading_views(profiles)
    columns = _Columns(views)
    exact_parts, named_parts = [], []
    for family in ("id", "z", "c", "b", "e", "d"):
        for keys, members, *only_with_bare in _family_entries(columns, family):
            # A group of one array is taken as it is: a copy would double it at the peak.
            h = keys[0] if len(keys) == 1 else np.concatenate(keys)
            m = (members[0] if len(members) == 1 else np.concatenate(members)).astype(np.int32, copy=False)
            if origin is not None:
                m = origin[m]  # a name's reading stands for the record it belongs to
            del keys, members
            if not len(h):
                continue
            entries = len(h)
            h, m = _shared_keys(h, m)
            pairs = _block_pairs(h, m, family, touches, columns.has_postcode, columns.has_address,
                                 columns.has_first if only_with_bare else None) if len(h) else None
            del h, m
            if entries > _BIG_FAMILY:
                give_back_free_memory()
            if pairs is not None:
                (exact_parts if family == "id" else named_parts).append(pairs)
    del columns
    exact, named = _distinct(exact_parts), _distinct(named_parts)
    if len(exact) and len(named):
        # Both sorted: where each name pair would go among the identifier pairs says whether it is one.
        at = np.searchsorted(exact, named)
        np.minimum(at, len(exact) - 1, out=at)
        named = named[exact[at] != named]
        del at
    # The arrays freed here lie in the C heap, where Python's small objects (the scoring's)
    # are never made: unless handed back, a million records' blocking kept its peak in RSS.
    give_back_free_memory()
    return exact, named


def _reading_views(profiles: Sequence[Profile]):
    """The profiles, and after them one more per record with a reading: its names as read.

    A name in kanji with its furigana is blocked under both (:func:`_name_views`):
    the kanji meet the same kanji, the reading meets kana and Latin spellings.
    So is a name with two surnames under its first one (:func:`_name_views`).
    The extra views carry no identifiers (the record's own do that once).
    Returns ``(views, origin)``, ``origin`` mapping each view to its record's
    index, or ``None`` when no record has a reading.
    """
    import numpy as np

    read = [i for i, p in enumerate(profiles) if p.first_read or p.last_read]
    compound = [i for i, p in enumerate(profiles) if p.last_first]
    if not read and not compound:
        return profiles, None
    views = list(profiles)
    for i in read:
        p = profiles[i]
        views.append(replace(p, first=p.first_read or p.first, last=p.last_read or p.last,
                             emails=(), phones=(), externals=(), last_first=""))
    for i in compound:
        p = profiles[i]
        views.append(replace(p, last=p.last_first, emails=(), phones=(), externals=(), first_read="",
                             last_read="", last_first=""))
    origin = np.concatenate((np.arange(len(profiles), dtype=np.int32), np.array(read + compound, dtype=np.int32)))
    return views, origin


def _distinct(parts):
    """The sorted distinct values of some int64 arrays.

    Sorting in place and dropping repeats: ``np.unique`` (numpy 2 counts by
    hashing first) took seconds over the million pairs of a million records.
    """
    import numpy as np

    if not parts:
        return np.empty(0, dtype=np.int64)
    values = np.concatenate(parts)
    parts.clear()
    values.sort()
    if len(values) > 1:
        values = values[np.concatenate(([True], values[1:] != values[:-1]))]
    return values


def _shared_keys(hashes, members):
    """The entries whose key more than one entry has: each key's number, and its records ascending.

    Most keys belong to one record alone: a plain sort by key finds them.  The
    rest are numbered key by key, and (number, record) packed in one int64
    sorts them by key and within one key by record.  The numbers stand for
    the keys from here on: blocks only need telling apart.
    """
    import numpy as np

    order = np.argsort(hashes)
    hashes = hashes[order]
    same = hashes[1:] == hashes[:-1]
    shared = np.zeros(len(hashes), dtype=bool)
    shared[1:] = same
    shared[:-1] |= same
    del same
    hashes, members = hashes[shared], members[order[shared]]
    del order, shared
    if not len(hashes):
        return hashes, members
    block = np.empty(len(hashes), dtype=np.int64)
    block[0] = 0
    np.cumsum(hashes[1:] != hashes[:-1], out=block[1:])
    del hashes
    block <<= _SHIFT
    block |= members
    block.sort()
    return block >> _SHIFT, (block & ((1 << _SHIFT) - 1)).astype(np.int32)


def _block_pairs(hashes, members, family: str, touches, postcode, address, named=None):
    """The pairs one family's blocks make, from its keys' hashes sorted and their records.

    A block of identifiers bigger than ``MAX_BLOCK`` (a shared landline, a
    family address, a thousand opens from one email) chains neighbours instead
    of pairing everyone; the guards still apply to every union.  A name key
    that common says nothing on its own and pairs nobody.  Same name, same
    city is worth comparing only when one of the two has no postcode (or both
    an address): with a postcode on both sides the scoring weighs the
    postcodes and ignores the city, so unless their street addresses can
    agree such a pair can never be merged or queued, and in a big city every
    common name would make hundreds of them.  With ``named`` (whether each
    record has a first name), a pair of two named records is left out: the
    surname's block is there for the records without one.
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
        if named is not None:
            ok &= ~(named[a] & named[b])
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
    """Placed records a user's merge decision ties to one of the new profiles.

    The decisions are looked up by every key the resolver reads them by
    (``decisions.decision_index``): the rows' hashes and their customer ids.  A
    merge by hand with a shop's customer is kept against that customer's id, so
    either end of it may be one: the shop's export imported again finds the
    till's row it was merged with, and the till's file the shop's customer.
    """
    index_of = decision_index(conn, new_profiles)
    mine = set(index_of)
    _, must = load_decisions(conn, mine)
    partners = {other for left, right in must for me, other in ((left, right), (right, left))
                if me in mine and other not in mine}
    if not partners:
        return set()
    held = chain(key_holders(conn, partners).values(), external_key_holders(conn, partners).values())
    return {rid for holders in held for rid, cid in holders if cid is not None}


def same_name_same_place(conn: Connection, new_profiles: Sequence[Profile], new_rows) -> set[int]:
    """Records that share a name-and-place block key with one of the new profiles.

    The database finds them through the (last name, postcode, city, birthday)
    index, comparing "name|place" as SQL can compute it, so a common surname
    does not bring hundreds of thousands of rows into Python in a
    million-record workspace; the exact block keys are then checked here.  Every
    place is compared in one pass over a last name's entries, read off the
    index alone (the employer, through its own index, in a second).  A city
    written with different accents or non-ASCII capitals on the two sides is the
    one case the database's comparison misses, and it matters only between
    records without a postcode.  The keys of a last name's sound (a typo in it:
    "s:" and "v:") are looked up in the same postcode only, through the (last
    name's sound, postcode) index: a sound is shared by many surnames, too many
    to read for a town or a birthday.  Unplaced records (the new ones) come back
    too; the caller keeps those with a customer.
    """
    rec = SourceRecord.__table__
    wanted = {k for p in new_profiles for k in block_keys(p) if k[0] in "nlmwsv"}
    # Rows found by a key that pairs only a block small enough: "m:" (the surname alone),
    # "l:" (surname and first letter), "s:" and "v:" (names' sounds).
    capped: dict[str, set[int]] = defaultdict(set)
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
        # The first name finds "Lee, Ann" written the other way; a reading finds kana and Latin spellings.
        for name in {p.last, p.first, p.last_read, p.first_read, p.last_first} - {""}:
            if p.postcode:
                keys["postcode"][name].add(f"{name}|{p.postcode}")
            if row[8]:
                kind = "city" if not p.postcode or p.address else "city, where the postcode cannot decide"
                keys[kind][name].add(f"{name}|{row[8].lower()}")
            if p.birthday:
                keys["birthday"][name].add(f"{name}|{p.birthday[-5:]}")
            for stem in _stems(p):
                keys["employer"][name].add(f"{name}|{stem}")
    found = (rec.c.id, rec.c.first_name, rec.c.last_key, rec.c.postcode, rec.c.city, rec.c.birthday, rec.c.work_key)
    # What each look-up reads: the columns of the index it goes through, so the rows come off
    # the index alone, without a seek into the table for each.  A record's other places are
    # found by their own look-up.
    by_place = (*found[:6], literal(""))
    by_employer = (*found[:3], literal(""), literal(""), literal(""), rec.c.work_key)
    out: set[int] = set()
    # A big workspace's common names bring back tens of thousands of rows, most of them
    # sharing their first name and their places with others: each is worked out once.
    folded_firsts: dict[str, str] = {}
    places_of: dict[tuple, list[str]] = {}

    def check(rows, sounds: bool = False) -> None:
        for rid, first, last, postcode, city_name, birthday, work in rows:
            if rid in out:
                continue
            folded = folded_firsts.get(first)
            if folded is None:
                folded = folded_firsts[first] = first_key(first)
            where = (postcode, city_name, birthday, work)
            places = places_of.get(where)
            if places is None:
                places = places_of[where] = _places(postcode_key(postcode), fold(city_name), birthday, (work,))
            _check_keys(rid, folded, last, places, wanted, out, capped, sounds)

    # Every entry of a last name is tested, and most are of no new record's place: each place
    # (the two cities are one) is worked out and looked for once per entry, as "name|place" among
    # the keys of all its kinds; which kind it is, and the condition that kind adds, is asked of
    # the few found only.  Tested once per kind, a million-record workspace's entries cost
    # another concatenation and search each, a quarter of the look-up.
    shared_kinds = {kind for kind, expr, also in kinds
                    if also is None and any(e is expr and a is not None for _, e, a in kinds)}
    # The places in the (last name, postcode, city, birthday) index in one pass over each last
    # name's entries, the employer through its own index.
    for looked_up, columns in ((kinds[:-1], by_place), (kinds[-1:], by_employer)):
        names = sorted(set().union(*(keys[kind] for kind, _, _ in looked_up)))
        start = 0
        while start < len(names):
            group, size = [], 0
            while start < len(names) and size < IN_SIZE:
                group.append(names[start])
                # The keys of a kind sharing its place with a conditional one are sent twice.
                size += 1 + sum(len(keys[kind].get(names[start], ())) * (2 if kind in shared_kinds else 1)
                                for kind, _, _ in looked_up)
                start += 1
            places = []
            for expr in dict.fromkeys(expr for _, expr, _ in looked_up):
                plain: set[str] = set()
                guarded: list[tuple[set[str], object]] = []
                for kind, kind_expr, also in looked_up:
                    if kind_expr is expr:
                        group_keys = set().union(*(keys[kind].get(n, ()) for n in group))
                        if also is None:
                            plain |= group_keys
                        elif group_keys:
                            guarded.append((group_keys, also))
                shared = rec.c.last_key + "|" + expr
                every = plain.union(*(found for found, _ in guarded))
                if not every:
                    continue
                if not guarded:
                    places.append(shared.in_(sorted(every)))
                    continue
                which = [shared.in_(sorted(plain))] if plain else []
                if len(guarded) == 1:
                    which.append(guarded[0][1])  # a key found, not a plain one: its kind's, with its condition
                else:
                    which.extend(and_(shared.in_(sorted(found)), also) for found, also in guarded)
                places.append(and_(shared.in_(sorted(every)), or_(*which)))
            check(raw_rows(conn, select(*columns).where(rec.c.last_key.in_(group), or_(*places))))
    # A typo in a last name ("s:" and "v:" keys): the same sound in the same postcode, each
    # (sound, postcode) a seek in the sound index.  Either name's sound, for "v:" (either order).
    # Names in Latin letters only: the sound of any other name is the name itself, found above.
    sounds = sorted({(_soundex(n), row[7]) for p, row in zip(new_profiles, new_rows) if p.last and row[7]
                     for n in (p.last, p.first, p.last_read, p.first_read) if n and n.isascii()})
    for part in chunks(sounds, IN_SIZE // 2):
        if conn.dialect.name == "sqlite":
            # The pairs as the outer loop, one index seek each: SQLite scans the whole index for
            # "(a, b) IN (VALUES ...)".  (last_sound != '': the partial index's own condition.)
            check(conn.exec_driver_sql(
                f"SELECT {', '.join(f'r.{c.name}' for c in found)} "
                f"FROM (VALUES {', '.join(['(?, ?)'] * len(part))}) AS v CROSS JOIN source_record AS r "
                "ON r.last_sound = v.column1 AND r.postcode = v.column2 WHERE r.last_sound != ''",
                tuple(value for pair in part for value in pair)), sounds=True)
        else:
            check(conn.execute(select(*found).where(rec.c.last_sound != "",
                                                    tuple_(rec.c.last_sound, rec.c.postcode).in_(part))), sounds=True)
    _with_first_surname(conn, new_profiles, keys, wanted, out, capped)
    # Like blocking, a key shared by more records than a block holds pairs nobody.
    for rids in capped.values():
        if len(rids) < MAX_BLOCK:
            out |= rids
    return out


def _with_first_surname(conn: Connection, new_profiles: Sequence[Profile], keys: dict[str, dict[str, set[str]]],
                        wanted: set[str], out: set[int], capped: dict[str, set[int]]) -> None:
    """Records of two surnames whose first is a new profile's surname, in one of its places:
    Hilda Molina Bonilla, already there, for a new Hilda Molina (``keys.first_surname``).

    The last-name index is read over the names that start with the new surname (a range of
    it), in the same postcode, city or birthday; each found record's name keys are checked
    with the first surname in place of its own, and its surname as written read for the few
    that share one: "Molinari" starts with Molina too, but is not Molina and another name.
    """
    rec = SourceRecord.__table__
    names = sorted({n for p in new_profiles for n in (p.last, p.last_first) if len(n) >= 4 and n.isascii()})
    if not names:
        return
    if conn.dialect.name == "sqlite":
        day_of = func.substr(rec.c.birthday, -5)
    else:
        day_of = func.right(rec.c.birthday, 5)
    places = (("postcode", func.replace(func.upper(rec.c.postcode), " ", "")), ("city", func.lower(rec.c.city)),
              ("city, where the postcode cannot decide", func.lower(rec.c.city)), ("birthday", day_of))
    # record -> per new surname it may carry first: whether a key pairs it outright, the capped keys
    found: dict[int, dict[str, tuple[bool, list[str]]]] = defaultdict(dict)
    for group in chunks(names, IN_SIZE // 8):
        where = []
        for kind, expr in places:
            values = sorted({k.partition("|")[2] for n in group for k in keys[kind].get(n, ())})
            if values:
                where.append(expr.in_(values))
        if not where:
            continue
        ranges = or_(*(and_(rec.c.last_key > n, rec.c.last_key < n + "{") for n in group))
        rows = raw_rows(conn, select(rec.c.id, rec.c.first_name, rec.c.last_key, rec.c.postcode, rec.c.city,
                                     rec.c.birthday).where(ranges, or_(*where)))
        starts = set(group)
        for rid, first, last, postcode, city_name, birthday in rows:
            row_places = None  # worked out for a record whose surname starts with a new one only
            for size in range(4, len(last)):
                name = last[:size]
                if name not in starts:
                    continue
                if row_places is None:
                    folded = first_key(first)
                    row_places = _places(postcode_key(postcode), fold(city_name), birthday)
                hit: set[int] = set()
                mine: dict[str, set[int]] = defaultdict(set)
                _check_keys(rid, folded, name, row_places, wanted, hit, mine, False)
                if hit or mine:
                    found[rid][name] = (bool(hit), list(mine))
    if not found:
        return
    for part in chunks(sorted(found)):
        for rid, last_name in conn.execute(select(rec.c.id, rec.c.last_name).where(rec.c.id.in_(part))):
            match = found[rid].get(first_surname(generation(last_name or "")[0]))
            if match is None:
                continue
            direct, capped_keys = match
            if direct:
                out.add(rid)
            for key in capped_keys:
                capped[key].add(rid)


def _check_keys(rid: int, folded: str, last: str, places: list[str], wanted: set[str], out: set[int],
                capped: dict[str, set[int]], sounds: bool) -> None:
    """Put a found record in ``out`` where it shares a name key with a new record, or in ``capped``
    under a key that pairs only a block small enough (:func:`same_name_same_place`).

    ``sounds``: the record was found by its last name's sound, and only the keys of sounds
    ("s:", "v:") are checked; one found by its last name has had every other key checked.
    """
    if sounds:
        if not folded:
            return
        sound = _soundex(last)
        both = ":".join(sorted((_soundex(folded), sound)))
        for place in places:
            for key in (f"s:{folded}:{sound}:{place}", *((f"v:{both}:{place}",) if place[0] == "z" else ())):
                if key in wanted:
                    capped[key].add(rid)
        return
    # The keys less their place, made once for all the record's places.
    pair = f"w:{':'.join(sorted((folded, last)))}:" if folded else None
    named = [f"n:{k}:{last}:" for k in first_keys(folded) or ("",)]
    alone = f"m:{last}:"
    initial = f"l:{last}:{folded[0]}:" if folded else None
    for place in places:
        if pair is not None and pair + place in wanted:
            out.add(rid)
            return
        for name in named:
            if name + place in wanted:
                out.add(rid)
                return
        if (key := alone + place) in wanted:
            capped[key].add(rid)
        if initial is not None and (key := initial + place) in wanted:
            capped[key].add(rid)


def same_birthday(conn: Connection, new_profiles: Sequence[Profile]) -> set[int]:
    """Records that share a date-of-birth block key (:func:`_date_keys`) with one of the new profiles.

    The database finds the records born on those days through the birthday
    index; their keys are then made here, as blocking makes them, and a key
    carried by more records than a block holds pairs nobody, as in blocking.
    Unplaced records (the new ones) come back too; the caller keeps those with a
    customer.
    """
    wanted = {k for p in new_profiles for k in _date_keys(p)}
    days = sorted({p.birthday for p in new_profiles if p.birthday and not p.birthday.startswith("--")})
    rec = SourceRecord.__table__
    found: dict[str, set[int]] = defaultdict(set)
    for part in chunks(days):
        rows = conn.execute(profile_query(with_hash=False)
                            .where(rec.c.birthday != "", rec.c.birthday.in_(part))).all()
        for p in make_profiles(rows, {}):
            for key in _date_keys(p):
                if key in wanted:
                    found[key].add(p.rid)
    return set().union(*(rids for rids in found.values() if len(rids) <= MAX_BLOCK))


_CROWDED_SURNAME = 20_000  # records; a full name's carriers are looked up only below this
_NAMESAKE_SURNAME = 200  # records; below this a new record's rare full name brings every carrier


def same_full_name(conn: Connection, new_profiles: Sequence[Profile], model: Model) -> set[int]:
    """Records carrying the full name of a new profile, where that name could count on its own.

    A rare full name may be all two customers have in common (see
    ``clustering._ask_about_namesakes``).  A new record with nothing but the name
    brings every carrier of it, so the clustering sees whether one customer alone
    carries it.  A new record with contact details brings every carrier too when
    its surname is carried by at most ``_NAMESAKE_SURNAME`` records (a second
    customer with contact details may be the same person); beside a commoner
    surname it looks for carriers with nothing but a name first, and brings the
    others only when there are some: reading every Smith for each new Smith would
    cost the import more than the question is worth (a rebuild still asks it).
    Only names rare enough to reach the review threshold are looked up, through
    the last-name index (first names are compared folded, here).  A surname
    carried by more than ``_CROWDED_SURNAME`` records is skipped: beside such a
    surname only the rarest first names could ever weigh enough.
    """
    named = [p for p in new_profiles if p.first and p.last]
    if not named:
        return set()
    freq = load_frequencies(conn, named)
    every: dict[str, set[str]] = defaultdict(set)  # last name -> first names: all carriers wanted
    bare: dict[str, set[str]] = defaultdict(set)  # only carriers with nothing but a name, first
    for p in named:
        carried = freq.last.get(p.last, 0)
        if carried <= _CROWDED_SURNAME and name_weight(p.first, p.last, freq, model) >= model.review_threshold:
            wanted = bare if has_contact(p) and carried > _NAMESAKE_SURNAME else every
            wanted[p.last].add(p.first)
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
