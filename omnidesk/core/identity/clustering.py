"""Clustering: candidate pairs scored and joined into people, strongest evidence first.

A union-find refuses any union that would put conflicting first, middle or
last names, birthdays or generations (Jr. and Sr.), or a pair the user rejected, in one customer.  The
outcome is a :class:`Plan`, written by ``writes``.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field, fields
from operator import attrgetter
from types import SimpleNamespace

from omnidesk.core import forking
from omnidesk.core.channels import HAND
from omnidesk.core.identity import learn
from omnidesk.core.identity.blocking import candidate_pair_sets, iter_pairs
from omnidesk.core.identity.keys import (
    date_level,
    first_name_level,
    form_pair,
    last_name_level,
    middle_name_level,
    name_forms,
    names_compatible,
    read_form,
    release_comparison_caches,
    written_part,
)
from omnidesk.core.identity.profiles import has_contact
from omnidesk.core.memory import give_back_free_memory
from omnidesk.core.identity.scoring import (
    GENERATIONS_DIFFER,
    NAMES_ON_SHARED,
    NAMES_ONLY,
    Frequencies,
    Model,
    PairScore,
    Profile,
    family_names_first,
    name_weight,
    names_swapped,
    not_merged,
    release_caches,
    resplit,
    resplit_side,
    score_pair,
    swapped_with_given_names,
)
from omnidesk.core.tasks import Progress, run_to_completion


class Clusters:
    """Union-find over profiles that refuses unions the guards forbid.

    A root keeps its cluster's first names, middle names, last names, full
    birthdays and generational suffixes ("jr", "sr": ``Profile.suffix``) as one
    string while there is one (most clusters), a set once there are several.
    A first or last name with a reading is kept with it ("山田|yamada",
    ``keys.read_form``), so a customer holding 山田 read Yamada takes ヤマダ and
    Yamada too.
    ``rejected`` maps a profile index to the indexes the user said are
    someone else.
    """

    def __init__(self, profiles: Sequence[Profile], rejected: dict[int, set[int]]) -> None:
        # Plain C ints: as lists, a million records' parents and sizes took some 50 MB.
        self.parent = array("i", range(len(profiles)))
        self.size = array("i", [1]) * len(profiles)
        self.firsts: list = [read_form(p.first, p.first_read) or None for p in profiles]
        self.lasts: list = [read_form(p.last, p.last_read) or None for p in profiles]
        self.middles: list = [p.middle or None for p in profiles]
        self.birthdays: list = [p.birthday if p.birthday and not p.birthday.startswith("--") else None
                                for p in profiles]
        self.suffixes: list = [p.suffix or None for p in profiles]
        self.rejects: dict[int, set[int]] = {i: set(v) for i, v in rejected.items()}
        self.turned: set[int] = set()  # records whose first and last name unswap turned round
        # root -> groups of first names the user said are one person's by merging by hand (:meth:`tie`)
        self.tied: dict[int, list[set[str]]] = {}

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def why_not(self, a: int, b: int, *, renamed: bool = False, crossed: bool = False) -> str | None:
        """Why the clusters of ``a`` and ``b`` may not be one, or ``None``.

        ``renamed``: the pair itself shows one person under two last names
        (scoring.renamed), so last names are no reason.  ``crossed``: ``b``'s
        cluster is read with its first and last names the other way round.
        """
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        # The user's word first: a rejected pair must not even be queued again.
        if self.rejects:
            for x in self.rejects.get(ra, ()):
                if self.find(x) == rb:
                    return "rejected by you"
        fa, fb = self.firsts[ra], self.firsts[rb]
        la, lb = self.lasts[ra], self.lasts[rb]
        if crossed:
            fb, lb = lb, fb
        if fa is not None and fb is not None:
            if type(fa) is str and type(fb) is str:
                if fa != fb and not _compatible(fa, fb):
                    return "different first names"
            elif _names_conflict(_as_set(fa), _as_set(fb), self.tied.get(ra),
                                 None if crossed else self.tied.get(rb)):
                return "different first names"
        if (not renamed and la is not None and lb is not None and la != lb
                and _lasts_conflict(_as_set(la), _as_set(lb))):
            # A record without a last name must not bridge Ann Brown and Ann Green.
            return "different last names"
        ma, mb = self.middles[ra], self.middles[rb]
        if ma is not None and mb is not None and ma != mb and _middles_conflict(_as_set(ma), _as_set(mb)):
            # "Mamadou Barry" must not bridge Mamadou Moustapha and Mamadou Saliou Barry.
            return "different middle names"
        ba, bb = self.birthdays[ra], self.birthdays[rb]
        if ba is not None and bb is not None and ba != bb and _birthdays_conflict(_as_set(ba), _as_set(bb)):
            return "different birthdays"
        sa, sb = self.suffixes[ra], self.suffixes[rb]
        if sa is not None and sb is not None and sa != sb and any(
                x != y for x in _as_set(sa) for y in _as_set(sb)):
            # "John Carter", like the father and the son, must not bridge Sr. and Jr.
            return GENERATIONS_DIFFER
        return None

    def unswap(self, profiles: Sequence[Profile], i: int, j: int) -> None:
        """Turn a lone record's swapped first and last name round before comparing clusters.

        Never the one that would leave an initial in the last-name place ("G. Freudenberger"
        beside "Freudenberger Grzegorz": the latter is turned, or neither).
        """
        a, b = profiles[i], profiles[j]
        for k in ((j,) if len(a.first) == 1 or len(b.last) == 1 else
                  (i,) if len(b.first) == 1 or len(a.last) == 1 else (j, i)):
            root = self.find(k)
            if self.size[root] == 1:
                p = profiles[k]
                p.turn_round()
                self.turned.add(k)
                self.firsts[root] = read_form(p.first, p.first_read) or None
                self.lasts[root] = read_form(p.last, p.last_read) or None
                return

    def resplit(self, profiles: Sequence[Profile], i: int, j: int) -> None:
        """Read a record's names as its partner splits them (scoring.resplit_side).

        "Evelio Camila Velasco" from the till joins "Evelio Camila" / "Velasco Barragán"
        as Evelio, Camila, Velasco: left as Evelio / Camila Velasco, its customer's last
        names would conflict with every later record written the shop's way.  A lone
        record is read again; so is a cluster whose records all write those names
        alike (the till's two accounts of one person, each "Evelio Delia Porras"): the
        cluster's names are read again as that record's are.
        """
        side = resplit_side(profiles[i], profiles[j])
        if not side:
            return
        if side >= 4:
            # Written family names first ("Aguirre Godínez Aurelio"): that record alone, or its cluster
            # where every record writes those names so, is read again.
            k, other = (i, j) if side == 4 else (j, i)
            root = self.find(k)
            p = profiles[k]
            if self.size[root] == 1 or self._writes_alike(root, p):
                p.first, p.last = family_names_first(p, profiles[other])
                self.firsts[root] = p.first
                self.lasts[root] = p.last
            return
        for k, other in ((i, j), (j, i)) if side == 3 else ((i, j),) if side == 1 else ((j, i),):
            root = self.find(k)
            if self.size[root] != 1 and (side == 3 or not self._writes_alike(root, profiles[k])):
                continue
            p, q = profiles[k], profiles[other]
            if side == 3:
                # Written family names first: read as the other writes the same names.
                p.first, p.middle, p.last = q.first, q.middle, q.last
                p.first_read, p.last_read = q.first_read, q.last_read
                self.firsts[root] = read_form(p.first, p.first_read) or None
                self.turned.add(k)
            else:
                p.middle, p.last = resplit(p.middle, p.last, q.middle)
            self.middles[root] = p.middle or None
            self.lasts[root] = read_form(p.last, p.last_read) or None
            return

    def _writes_alike(self, root: int, p: Profile) -> bool:
        """Whether every record of ``root``'s cluster that gives a name gives ``p``'s first, middle and
        last name, as written (one value each, no reading): read again as ``p`` is, they stay alike."""
        return (not (p.first_read or p.last_read) and self.firsts[root] == (p.first or None)
                and self.lasts[root] == (p.last or None) and self.middles[root] == (p.middle or None))

    def union(self, a: int, b: int, *, force: bool = False, renamed: bool = False, crossed: bool = False) -> bool:
        """Join the clusters of ``a`` and ``b`` unless a guard forbids it.

        ``crossed``: the two clusters write first and last names the other way round
        from each other (each already more than the one record :meth:`unswap` turns),
        so one's first names join the other's last names.
        """
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not force and self.why_not(ra, rb, renamed=renamed, crossed=crossed) is not None:
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        firsts_b, lasts_b = (self.lasts[rb], self.firsts[rb]) if crossed else (self.firsts[rb], self.lasts[rb])
        self.firsts[ra] = _merged(self.firsts[ra], firsts_b)
        self.lasts[ra] = _merged(self.lasts[ra], lasts_b)
        self.middles[ra] = _merged(self.middles[ra], self.middles[rb])
        self.birthdays[ra] = _merged(self.birthdays[ra], self.birthdays[rb])
        self.suffixes[ra] = _merged(self.suffixes[ra], self.suffixes[rb])
        self.firsts[rb] = self.lasts[rb] = self.middles[rb] = self.birthdays[rb] = self.suffixes[rb] = None
        if rb in self.rejects:
            self.rejects.setdefault(ra, set()).update(self.rejects.pop(rb))
        if rb in self.tied:
            for group in self.tied.pop(rb):
                _tie_names(self.tied.setdefault(ra, []), group)
        return True

    def tie(self, profiles: Sequence[Profile], i: int, j: int) -> None:
        """Remember the first names of records ``i`` and ``j``, merged by hand, as one person's.

        The user who merged the shop's Siobhan Kelly with the list's Chevonne
        Kelly said those two names are one person: the shop's next export of
        Siobhan (the same email) joins that customer, where the guards would
        otherwise see "different first names" between Siobhan and Chevonne.
        Only the names the user saw merged are tied: a Leonard on the family's
        shared email is still kept out.  Call once ``i`` and ``j`` are one cluster.
        """
        a, b = profiles[i], profiles[j]
        x, y = read_form(a.first, a.first_read), read_form(b.first, b.first_read)
        if x and y and x != y:
            _tie_names(self.tied.setdefault(self.find(i), []), {x, y})


class _Held:
    """The emails, phones and postcodes of the clusters a phase's pairs joined by a phone alone touch.

    Read once from the records when the first such pair's turn comes (the clusters' members found by
    their roots in numpy), and kept up as those clusters join.
    """

    def __init__(self, profiles: Sequence[Profile], cl: Clusters, lefts, rights, by_phone) -> None:
        import numpy as np

        self.cl = cl
        roots = np.frombuffer(cl.parent, dtype=np.int32).copy()
        while not np.array_equal(jumped := roots[roots], roots):
            roots = jumped
        ends = np.concatenate((np.frombuffer(lefts, dtype=np.int32)[by_phone],
                               np.frombuffer(rights, dtype=np.int32)[by_phone]))
        wanted = np.unique(roots[ends])
        self.values: dict[int, tuple[set, set, set]] = {int(r): (set(), set(), set()) for r in wanted.tolist()}
        for i in np.flatnonzero(np.isin(roots, wanted)).tolist():
            p = profiles[i]
            emails, phones, postcodes = self.values[int(roots[i])]
            emails.update(p.emails)
            phones.update(p.phones)
            if p.postcode:
                postcodes.add(p.postcode)

    def joined(self, ri: int, rj: int, root: int) -> None:
        """The clusters of roots ``ri`` and ``rj`` were just joined under ``root``."""
        parts = [self.values.pop(r) for r in {ri, rj} if r in self.values]
        if len(parts) == 2:
            for into, more in zip(*parts):
                into.update(more)
        if parts:
            self.values[root] = parts[0]

    def apart(self, i: int, j: int) -> str | None:
        """What tells the clusters of ``i`` and ``j`` apart where a shared phone is all that joins them:
        each an email the other lacks, and each a phone or a postcode the other lacks; else None."""
        ri, rj = self.cl.find(i), self.cl.find(j)
        if ri == rj or ri not in self.values or rj not in self.values:
            return None
        (ei, pi, ci), (ej, pj, cj) = self.values[ri], self.values[rj]
        if not (ei - ej and ej - ei):
            return None
        if pi - pj and pj - pi:
            return "each has its own email and phone"
        if ci - cj and cj - ci:
            return "each has its own email and postcode"
        return None


def _turn_round(p: Profile, anchor: Profile) -> None:
    """Turn ``p``'s first and last name round when it joined ``anchor``'s customer written the other way.

    A record merged as "Lejeune Julien" beside "Julien Lejeune" is stored as
    written; left so, its customer would hold the first names Julien and
    Lejeune, and the guards would keep every later Julien Lejeune out.
    """
    if (p.first and p.last and p.first != p.last and anchor.first and anchor.last
            # Names with a reading compare by it where the other's are in Latin letters (keys.name_forms).
            and first_name_level(*name_forms(p.first, p.first_read, anchor.first, anchor.first_read)[:2])
            == "different"
            and names_swapped(p, anchor)):
        p.turn_round()
    elif p.middle != anchor.middle and swapped_with_given_names(p, anchor):
        p.first, p.middle, p.last = anchor.first, anchor.middle, anchor.last
        p.first_read, p.last_read = anchor.first_read, anchor.last_read
    elif (read := family_names_first(p, anchor)) is not None:
        p.first, p.last = read


def _turn_round_kept_together(profiles: Sequence[Profile], must: Sequence[tuple[int, int]]) -> None:
    """Turn round each record that is one person with others written the other way (:func:`_turn_round`).

    The records of one customer, and those the user merged by hand (``must``),
    are one cluster whatever the guards say.  Each group is read the way its
    first record giving both a first and a last name writes them.  A hand merge
    counts as much as a customer: a rebuild places nobody, and the till's
    "Okafor" / "Chinedu" merged by hand with a lead's Chinedu Okafor, left as
    written, would give the cluster the first names Chinedu and Okafor, and the
    guards would then refuse the shop's Chinedu Okafor, the same email that
    joined the till's record automatically.
    """
    parent: dict = {}  # a customer ("c", id) or a record's index -> the group it joined

    def node(i: int):
        cid = profiles[i].customer_id
        return ("c", cid) if cid is not None else i

    def find(x):
        while (up := parent.get(x, x)) != x:
            parent[x] = parent.get(up, up)
            x = up
        return x

    hand = set()
    for i, j in must:
        hand.update((i, j))
        a, b = find(node(i)), find(node(j))
        if a != b:
            parent[b] = a
    anchors: dict = {}  # group -> (its first record, its first record giving both names)
    members: list[tuple[int, object]] = []
    for i, p in enumerate(profiles):
        if p.customer_id is None and i not in hand:
            continue
        group = find(node(i))
        members.append((i, group))
        first, named = anchors.get(group, (i, None))
        if named is None and p.first and p.last:
            named = i
        anchors[group] = (first, named)
    for i, group in members:
        first, named = anchors[group]
        anchor = first if named is None else named
        if i != anchor:
            _turn_round(profiles[i], profiles[anchor])


def _tie_names(groups: list[set[str]], names: set[str]) -> None:
    """Add ``names`` to ``groups`` as one group, joining the groups that share a name with it."""
    joined = set(names)
    for group in [g for g in groups if g & joined]:
        joined |= group
        groups.remove(group)
    groups.append(joined)


def _with_tied(names, tied: list[set[str]] | None):
    """``names`` and every name tied to one of them by a hand merge (:meth:`Clusters.tie`)."""
    if not tied:
        return names
    out = set(names)
    for group in tied:
        if group & out:
            out |= group
    return out


def _as_set(v) -> set:
    return set() if v is None else {v} if type(v) is str else v


def _merged(a, b):
    if b is None or a == b:
        return a
    if a is None:
        return b
    return _as_set(a) | _as_set(b)


def _compatible(a: str, b: str) -> bool:
    """:func:`keys.names_compatible` for first names kept with their readings (``keys.read_form``)."""
    return names_compatible(*form_pair(a, b))


def _spellings(name: str, names: set[str]) -> list[str]:
    """``name`` and the names of its own cluster that are the same name misspelled, or the same
    with its reading (太郎, 太郎 read Taro and タロウ are one name)."""
    written = written_part(name)
    return [n for n in names if n == name or written_part(n) == written
            or first_name_level(*form_pair(n, name)) in ("exact", "typo")]


def _lasts_conflict(a: set[str], b: set[str]) -> bool:
    """Whether two groups of last names share none, not even misspelled.

    Looser than first names on purpose: a customer the user merged under a
    maiden and a married name may still take records under either.
    """
    return not any(last_name_level(*form_pair(x, y)) in ("exact", "typo") for x in a for y in b)


def _birthdays_conflict(a: set[str], b: set[str]) -> bool:
    """Whether two groups of full birthdays hold two that are not one date, nor one mistyped."""
    return any(date_level(x, y) not in ("exact", "typo") for x in a for y in b)


def _middles_conflict(a: set[str], b: set[str]) -> bool:
    """Whether two groups of middle names hold two that cannot be one person's."""
    return any(middle_name_level(x, y) == "different" for x in a for y in b)


def _names_conflict(a: set[str], b: set[str], tied_a: list[set[str]] | None = None,
                    tied_b: list[set[str]] | None = None) -> bool:
    """Whether two groups of first names cannot be one person.

    Every pair must be compatible, except that a misspelling is excused when
    another spelling of it in its own group matches (Vinecnt next to Vincent
    does not stop Vince), and a name the user tied to another by merging by hand
    (``tied_a``, ``tied_b``: :meth:`Clusters.tie`) is excused when that other
    matches (Chevonne, merged with Siobhan, does not stop Siobhan): on one side
    at a time, so two customers each merged by hand under a shared name and
    another (Chinedu and Emeka, Chinedu and Ngozi) are not one for it.  Initials
    excuse nothing, so "J." cannot bridge a John and a Jane.
    """
    for x in a:
        for y in b:
            if _compatible(x, y):
                continue
            xs, ys = _spellings(x, a), _spellings(y, b)
            if not any(_compatible(x2, y2) for x2 in xs for y2 in ys) and not (
                    tied_a and any(_compatible(x2, y2) for x2 in _with_tied(xs, tied_a) for y2 in ys)) and not (
                    tied_b and any(_compatible(x2, y2) for x2 in xs for y2 in _with_tied(ys, tied_b))):
                return True
    return False



def _rejections(pairs: list[tuple[int, int]]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    for i, j in pairs:
        out[i].add(j)
        out[j].add(i)
    return out


_AUTO, _SWAPPED, _RESPLIT, _RENAMED, _BY_PHONE = 1, 2, 4, 8, 16  # flags of a scored pair
# What else than a phone makes a pair's evidence strong (scoring._score): without any of it, an
# automatic pair hangs on the phone alone (_BY_PHONE).
_NOT_BY_PHONE = ("same email", "same customer id", "same address", "same birthday", "same employer")
PAIRS_PER_STEP = 65_536  # candidate pairs compared between two progress reports
# From this many pairs in a phase, half of them are scored in a forked child (forking.py):
# forking a process of a few hundred MB costs a few milliseconds, scoring 50,000 pairs a
# quarter of a second.
PARALLEL_MIN_PAIRS = 50_000


class _Scored:
    """The pairs worth a union or a question, as flat arrays, and how many pairs were scored.

    At a million records the auto-merge pairs alone number half a million; as
    tuples they (and the keys to sort them) took a few hundred megabytes.  The
    score object is kept for review pairs only.
    """

    def __init__(self) -> None:
        self.weights, self.lefts, self.rights, self.flags = array("d"), array("i"), array("i"), array("b")
        self.kept: dict[tuple[int, int], PairScore] = {}
        self.count = 0

    def extend(self, other: _Scored) -> None:
        self.weights.extend(other.weights)
        self.lefts.extend(other.lefts)
        self.rights.extend(other.rights)
        self.flags.extend(other.flags)
        self.kept.update(other.kept)
        self.count += other.count


def _score_steps(pairs, cl: Clusters, profiles: Sequence[Profile], freq: Frequencies, model: Model,
                 into: _Scored) -> Generator[int, None, None]:
    """Score ``pairs`` (a :func:`candidate_pair_sets` array) into ``into``, yielding how many are done.

    Pairs already in one cluster are skipped.  The order of the pairs does not
    matter: the clustering sorts them by weight, ties by their indexes.
    """
    weights, lefts, rights, flags, kept = into.weights, into.lefts, into.rights, into.flags, into.kept
    find = cl.find
    count = 0
    for start in range(0, len(pairs), PAIRS_PER_STEP):
        for i, j in iter_pairs(pairs[start:start + PAIRS_PER_STEP]):
            if find(i) == find(j):
                continue
            count += 1
            s = score_pair(profiles[i], profiles[j], freq, model)
            if s.decision == "auto" or s.decision == "review":
                weights.append(s.weight)
                lefts.append(i)
                rights.append(j)
                flags.append((_AUTO if s.decision == "auto" else 0) | (_SWAPPED if s.swapped else 0)
                             | (_RESPLIT if s.resplit else 0) | (_RENAMED if s.renamed else 0)
                             | (_BY_PHONE if s.decision == "auto" and "same phone" in s.reasons
                                and not any(r in s.reasons for r in _NOT_BY_PHONE) else 0))
                if s.decision == "review":
                    kept[(i, j)] = s
        into.count += count
        count = 0
        yield min(start + PAIRS_PER_STEP, len(pairs))


def _score_all(pairs, cl: Clusters, profiles: Sequence[Profile], freq: Frequencies, model: Model) -> _Scored:
    """:func:`_score_steps` to the end, in a forked child: what it sends back."""
    scored = _Scored()
    for _ in _score_steps(pairs, cl, profiles, freq, model, scored):
        pass
    return scored


_PROFILE_FIELDS = attrgetter(*(f.name for f in fields(Profile)))


def scoring_worker() -> forking.Worker | None:
    """A child to score half of a big resolve's pairs in, forked now, while this process is small.

    A child forked when the pairs are scored starts with the records as they
    are; but Python writes to every object it reads (its reference count) and
    to the pages where it makes new ones, so whatever either process touched
    while the child ran ended up held twice: some 500 MB of a million-record
    resolve's 770.  Forked before the records are read, the child holds little
    of this process's, and each phase sends it only the records its half of the
    pairs touch (:func:`_ship`).  None where :func:`forking.worker` says no.
    """
    return forking.worker(_score_shipped)


_SHIP_PART = 20_000  # records per part of a shipment (forking.Worker.send_part)
# What a shipped record costs the child, scoring included: a million-record resolve's child
# held some 145 MB for the 250,000-300,000 records of a phase.
_SHIPPED_BYTES = 600


def _ship(worker: forking.Worker, pairs, cl: Clusters, profiles: Sequence[Profile], freq: Frequencies,
          model: Model) -> bool:
    """Send ``worker`` what :func:`_score_shipped` needs to score ``pairs``: the records they
    touch, as tuples of their fields (as they are now: some were turned round), in parts, and
    the cluster each is in so far.  False, and nothing sent, where the system has not the
    memory for the child to hold them (``forking.room_for``)."""
    import numpy as np

    needed = np.unique(np.concatenate((pairs >> 32, pairs & 0xFFFFFFFF))).tolist()
    if not forking.room_for(len(needed) * _SHIPPED_BYTES / 2**20):
        return False
    find = cl.find
    parts = range(0, len(needed), _SHIP_PART)
    worker.submit(pairs, array("i", needed), array("i", [find(i) for i in needed]), len(parts), freq, model)
    for at in parts:
        worker.send_part([_PROFILE_FIELDS(profiles[i]) for i in needed[at:at + _SHIP_PART]])
    return True


def _score_shipped(pairs, needed: array, roots: array, parts: int, freq: Frequencies, model: Model) -> _Scored:
    """:func:`_score_all` in :func:`scoring_worker`'s child, on what :func:`_ship` sends."""
    records = []
    for _ in range(parts):
        records.extend([Profile(*row) for row in forking.next_part()])
    profiles = dict(zip(needed, records))
    del records
    clusters = SimpleNamespace(find=dict(zip(needed, roots)).__getitem__)
    try:
        return _score_all(pairs, clusters, profiles, freq, model)
    finally:
        release_caches()  # the next phase's records are others
        release_comparison_caches()


FIT_IN_CHILD_FROM = 20_000  # records; a smaller resolve's model is fitted in no time here


class ModelFit:
    """The match model fitted to a resolve's records (``learn``) in a forked child, while this process
    reads the rest of the records and blocks them.

    :meth:`start` forks the child as soon as the records the fit takes (the
    first ``learn.FIT_RECORDS``) are read: it starts with them in memory, fits
    on them, sends the model's numbers back and ends, so what it held goes
    with it.  :meth:`model` gives the model, waiting for the child's fit, or
    fitting here where no child was forked (a small resolve, no second core,
    no memory to spare) or it failed.  The outcome is the same either way: the
    fit is deterministic and takes the same records, as they were read.
    """

    def __init__(self, base: Model) -> None:
        self.base = base
        self.child: forking.Forked | None = None
        self.started = False
        self._fitted: dict | None = None  # the child's fit, once taken
        self._model: Model | None = None

    def start(self, profiles: Sequence[Profile]) -> None:
        """Fork the child to fit on ``profiles`` (those read so far), once, when there are enough."""
        if self.started or len(profiles) < FIT_IN_CHILD_FROM:
            return
        self.started = True
        self.child = forking.start(_fit, profiles[:learn.FIT_RECORDS])

    def poll(self) -> None:
        """Take the child's fit if it is done, without waiting: the child is then gone for good."""
        if self.child is not None and self.child.done():
            self._take()

    def _take(self) -> None:
        try:
            self._fitted = self.child.result()
            learn.log_fit(self._fitted)
        except forking.ForkFailed:
            self._fitted = None
        self.child = None

    def model(self, profiles: Sequence[Profile]) -> Model:
        """The fitted model (``profiles``: the same records, to fit on here if need be)."""
        if self._model is None:
            if self.child is not None:
                self._take()
            fitted = self._fitted if self._fitted is not None else learn.fit(profiles)
            self._model = learn.model_of_fit(fitted, self.base)
        return self._model

    def stop(self) -> None:
        """End the child if it still runs (the resolve stopped before its model was wanted)."""
        if self.child is not None:
            self.child.stop()
            self.child = None


def _fit(records: Sequence[Profile]) -> dict:
    """:func:`learn.fit` in :class:`ModelFit`'s child, which leaves the log to its parent."""
    return learn.fit(records, log=False)


@dataclass
class Plan:
    """The outcome of clustering, before it is written."""

    roots: array  # each profile's cluster, as the index of one of its members ("i", 4 bytes each)
    reviews: list[tuple[int, int, PairScore]]
    pairs_scored: int
    ambiguous: set[int] = field(default_factory=set)  # nameless records pointing at several people

    def cluster_count(self) -> int:
        """How many clusters :meth:`groups` yields."""
        import numpy as np

        # Every cluster's root is its own root, and only a root is.
        roots = np.frombuffer(self.roots, dtype=np.int32)
        return int(np.count_nonzero(roots == np.arange(len(roots), dtype=np.int32)))

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
                     only: set[int] | None = None, worker: forking.Worker | None = None) -> Plan:
    """Group profiles into people; profiles already on one customer start together.

    ``rejected`` and ``must`` are the user's decisions as profile index pairs.
    """
    return run_to_completion(cluster_steps(profiles, freq, model, rejected, must, only, worker))


def cluster_steps(profiles: Sequence[Profile], freq: Frequencies, model: Model | ModelFit,
                  rejected: list[tuple[int, int]], must: list[tuple[int, int]],
                  only: set[int] | None = None,
                  worker: forking.Worker | None = None) -> Generator[Progress, None, Plan]:
    """:func:`cluster_profiles`, yielding progress: once before blocking, then the pairs compared so far.

    ``worker`` (:func:`scoring_worker`) scores half of a big phase's pairs;
    without one, a child is forked for it.  The caller closes it.  A
    :class:`ModelFit` for ``model`` is waited for once the records are blocked.
    """
    import numpy as np

    by_customer: dict[int, int] = {}
    for i, p in enumerate(profiles):
        if p.customer_id is not None and p.customer_id not in by_customer:
            by_customer[p.customer_id] = i
    _turn_round_kept_together(profiles, must)
    yield Progress(0, 0, "Finding records to compare")
    # Identifiers first: most duplicates share an email or a phone, and once they are
    # one cluster their name-key pairs need no scoring at all.  Blocking comes before
    # the clusters are set up, so that its arrays and theirs are never held at once
    # (the peak memory of a million-record resolve).
    exact_pairs, name_pairs = candidate_pair_sets(profiles, only)
    if isinstance(model, ModelFit):
        model = model.model(profiles)
    freq.shared = shared_identifiers(profiles)
    cl = Clusters(profiles, _rejections(rejected))
    for i, p in enumerate(profiles):
        if p.customer_id is not None and by_customer[p.customer_id] != i:
            cl.union(by_customer[p.customer_id], i, force=True)
    for i, j in must:
        cl.union(i, j, force=True)
        cl.tie(profiles, i, j)
    reviews = []
    ambiguous: set[int] = set()
    pairs_scored = 0
    compared, candidates = 0, len(exact_pairs) + len(name_pairs)
    yield Progress(0, candidates, "Comparing records")
    for phase, pairs in enumerate((exact_pairs, name_pairs)):
        # Within a phase no union happens until every pair is scored, so the second
        # half of them can be scored on another core (forking.py).
        mid = len(pairs)
        child = None
        if mid >= PARALLEL_MIN_PAIRS:
            if worker is not None:
                try:
                    if _ship(worker, pairs[mid // 2:], cl, profiles, freq, model):
                        child = worker
                except forking.ForkFailed:
                    worker = None
            else:
                child = forking.start(_score_all, pairs[mid // 2:], cl, profiles, freq, model)
            if child is not None:
                mid //= 2
        try:
            scale = len(pairs) / mid if mid else 1.0  # progress over both halves while this one runs
            scored = _Scored()
            for done in _score_steps(pairs[:mid], cl, profiles, freq, model, scored):
                yield Progress(compared + round(done * scale), candidates, "Comparing records")
            if child is not None:
                try:
                    scored.extend(child.result())
                except forking.ForkFailed:  # that half is scored here: the outcome is the same
                    worker = None
                    for _ in _score_steps(pairs[mid:], cl, profiles, freq, model, scored):
                        pass
        finally:
            if child is not None and child is not worker:
                child.stop()
        compared += len(pairs)
        pairs_scored += scored.count
        weights, lefts, rights, flags, kept = scored.weights, scored.lefts, scored.rights, scored.flags, scored.kept
        del scored
        yield Progress(compared, candidates, "Comparing records")
        if phase == 0:
            ambiguous, stands = _drop_ambiguous_nameless(profiles, lefts, rights, flags, cl)
        else:
            stands = (lambda i, j: i not in ambiguous and j not in ambiguous) if ambiguous else None
        torn, stands = _torn_between_kept_apart(profiles, lefts, rights, flags, cl, stands)
        # Strongest evidence first; ties in a fixed order.  A pair joined by nothing but a phone
        # comes after all others: a record with a customer's exact email is that customer's before
        # a number it shares with someone else can take it elsewhere.
        by_phone = (np.frombuffer(flags, dtype=np.int8) & _BY_PHONE) != 0
        order = np.lexsort((np.frombuffer(rights, dtype=np.int32), np.frombuffer(lefts, dtype=np.int32),
                            -np.frombuffer(weights, dtype=np.float64), by_phone)) if weights else np.empty(0, np.int64)
        held = None  # read when the first of those comes, after every other union of the phase
        # Read a chunk at a time: as one list of Python ints, the order of a million pairs is 40 MB.
        for k in (k for at in range(0, len(order), PAIRS_PER_STEP)
                  for k in order[at:at + PAIRS_PER_STEP].tolist()):
            i, j, f = lefts[k], rights[k], flags[k]
            if stands is not None and not stands(i, j):
                if (i in torn or j in torn) and weights[k] >= model.review_threshold:
                    # Either of two people the user kept apart: theirs to say which.
                    s = kept.get((i, j)) or score_pair(profiles[i], profiles[j], freq, model)
                    s.weight = weights[k]
                    s.reasons.append("not merged: it matches two customers you said are different people")
                    reviews.append((i, j, s))
                continue
            # Scored before any union: one of the two may have been turned round since, so
            # a pair scored as swapped may be no longer, and one scored as written may be.
            if f & _RESPLIT:
                cl.resplit(profiles, i, j)
            elif (f & _SWAPPED or i in cl.turned or j in cl.turned) and names_swapped(profiles[i], profiles[j]):
                cl.unswap(profiles, i, j)
            if f & _BY_PHONE and held is None:
                held = _Held(profiles, cl, lefts, rights, by_phone)
            if f & _BY_PHONE and (apart := held.apart(i, j)) is not None:
                # Each its own email and its own phone or home: the number they share is not enough.
                if weights[k] >= model.review_threshold:
                    s = score_pair(profiles[i], profiles[j], freq, model)
                    s.weight = weights[k]
                    s.reasons.append(f"not merged: {apart}")
                    reviews.append((i, j, s))
                continue
            before = (cl.find(i), cl.find(j)) if held is not None else None
            if f & _AUTO:
                # Two customers each holding one way of writing the names ("Tanaka Taro" and
                # "タロウ タナカ" in one, 太郎 田中 read Taro Tanaka in the other, 田中 太郎 with
                # the family name in the first-name column): their names agree crossed over.
                if not cl.union(i, j, renamed=bool(f & _RENAMED)) and not (
                        names_swapped(profiles[i], profiles[j])
                        and cl.union(i, j, renamed=bool(f & _RENAMED), crossed=True)):
                    why = cl.why_not(i, j, renamed=bool(f & _RENAMED))
                    if why != "rejected by you" and weights[k] >= model.review_threshold:
                        s = score_pair(profiles[i], profiles[j], freq, model)
                        s.weight = weights[k]
                        s.reasons.append(not_merged(why, s.reasons))
                        reviews.append((i, j, s))
                elif before is not None:
                    held.joined(*before, cl.find(i))
            else:
                reviews.append((i, j, kept[(i, j)]))
        del weights, lefts, rights, flags, kept, order, held, by_phone
    roots = array("i", (cl.find(i) for i in range(len(profiles))))  # the clusters are final from here
    # Nearly every pair is scored: the comparison caches' memory goes back before the namesakes'
    # arrays are made (a million records' take some 40 MB), and serves the writing that follows.
    # An import's resolve keeps the name caches for the next import (keys.release_comparison_caches).
    release_caches()
    if only is None:
        release_comparison_caches()
        give_back_free_memory()
    reviews += _ask_about_namesakes(profiles, roots, cl, freq, model, only)
    final_reviews = []
    for i, j, s in reviews:
        if cl.find(i) != cl.find(j) and cl.why_not(i, j) != "rejected by you":
            final_reviews.append((i, j, s))
    return Plan(roots, final_reviews, pairs_scored, ambiguous)


SHARED_NAMES = 4  # clearly different last names giving one email or phone: a shop's, not a family's


def shared_identifiers(profiles: Sequence[Profile]) -> dict[str, int]:
    """The emails and phones that records of ``SHARED_NAMES`` or more clearly different last
    names give, each with how many such names (``scoring.Frequencies.shared``).

    A family shares one surname, mostly; a shop's own landline typed at the till for its
    customers, or an office's front desk address, is given by strangers.  Only values held
    by that many records are looked at, found by their hashes in numpy first.
    """
    import numpy as np

    hashes, owners = array("q"), array("i")
    for i, p in enumerate(profiles):
        if p.last and (p.emails or p.phones):
            for v in (*p.emails, *p.phones):
                hashes.append(hash(v))
                owners.append(i)
    if len(hashes) < SHARED_NAMES:
        return {}
    h, o = np.frombuffer(hashes, dtype=np.int64), np.frombuffer(owners, dtype=np.int32)
    order = np.argsort(h, kind="stable")
    h, o = h[order], o[order]
    starts = np.flatnonzero(np.concatenate(([True], h[1:] != h[:-1])))
    sizes = np.diff(np.append(starts, len(h)))
    out: dict[str, int] = {}
    for start, size in zip(starts[sizes >= SHARED_NAMES].tolist(), sizes[sizes >= SHARED_NAMES].tolist()):
        by_value: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for i in o[start:start + size].tolist():
            p = profiles[i]
            for v in (*p.emails, *p.phones):
                by_value[v].add((p.last, p.first))
        for v, held in by_value.items():
            if len({last for last, _ in held}) < SHARED_NAMES or hash(v) != h[start]:
                continue
            names: list[tuple[str, str]] = []  # one of each clearly different last name
            for last, first in sorted(held):
                # Written "Last, First" somewhere, a name's two parts trade places: no new name.
                if all(last_name_level(last, n) == "different" and last_name_level(last, f) == "different"
                       and (not first or last_name_level(first, n) == "different") for n, f in names):
                    names.append((last, first))
            if len(names) >= SHARED_NAMES:
                out[v] = len(names)
    return out


def customers_conflict(left: Sequence[Profile], right: Sequence[Profile], *, renamed: bool = False,
                       names: bool = True) -> str | None:
    """What keeps two customers, given as their records, from being one ("different birthdays"), or None.

    The guards of the clustering, over each customer's records taken as one:
    first, middle and last names none of the other's can be, two full
    birthdays that are not one date, or two generations (Jr. and Sr.).  Names read crossed over (one customer
    written "Last, First") count as agreeing; with ``names`` False (a pair whose
    names were not compared as written) only birthdays count.  A bulk accept
    asks this before each merge, since an earlier merge of the same run can
    bring such a record in.
    """
    if not left or not right:
        return None
    cl = Clusters([*left, *right], {})
    if not names:
        n = len(left) + len(right)
        cl.firsts, cl.lasts, cl.middles, cl.suffixes = [None] * n, [None] * n, [None] * n, [None] * n
    for k in range(1, len(left)):
        cl.union(0, k, force=True)
    for k in range(len(left) + 1, len(left) + len(right)):
        cl.union(len(left), k, force=True)
    why = cl.why_not(0, len(left), renamed=renamed)
    if why is not None and cl.why_not(0, len(left), renamed=renamed, crossed=True) is None:
        return None
    return why


def _ask_about_namesakes(profiles: Sequence[Profile], roots: array, cl: Clusters, freq: Frequencies,
                         model: Model, only: set[int] | None) -> list[tuple[int, int, PairScore]]:
    """Ask about two customers with nothing but a rare full name in common.

    Such a pair shares no block key, yet it is most likely one person: a name
    typed at the till with no email, phone or address beside the shop's one
    "Leonard Haddad", or the shop's customer "Julien Lejeune" (an email and a
    street) beside the till's loyalty member "Julien Lejeune" (a phone).  Most
    likely is not enough to merge: the quality benchmark's shops hold two real
    Leonard Haddads now and then, one of them only ever at the till, and
    merging on the name cost more precision than it gained recall.  So the pair
    waits in review, spelled the same, when

    * a record with nothing but the name sits beside exactly one customer with
      more than the name carrying it, and that one has contact details (an
      email, a phone or a street address, not just a town); with two such
      customers it is nobody's question; or
    * exactly two customers carry the name, both have contact details, and
      not both have a phone, nor both a postcode, nor both a town: with those
      they were compared already (sharing one) or live apart (sharing none).
      A second email says little (a work one and a personal one).

    The name must be rare enough to reach the review threshold, and the pair
    must not disagree elsewhere (two emails, two phones) or conflict (a
    different birthday or first name in the customer), nor be rejected.  With
    ``only`` (an import), just the names those records carry are looked at.
    ``roots`` is each record's cluster.  Names and customers are counted in numpy first, so a million records only
    build Python objects for the few names worth a look.
    """
    import numpy as np

    n = len(profiles)
    if not n:
        return []
    key = np.fromiter((hash((p.first, p.last)) if p.first and p.last else 0 for p in profiles),
                      dtype=np.int64, count=n)
    root = np.frombuffer(roots, dtype=np.int32)  # a view: no copy
    reach = np.fromiter(map(has_contact, profiles), dtype=bool, count=n)
    contact = np.fromiter((bool(p.emails or p.phones or p.address) for p in profiles), dtype=bool, count=n)
    root_reach, root_contact = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    root_reach[root[reach]] = True
    root_contact[root[contact]] = True
    del reach, contact
    # What a customer of two says elsewhere: two customers both with a phone, a postcode or a
    # town were compared on it already (sharing one) or live apart (sharing none).
    said = np.zeros(n, dtype=np.int8)
    for bit, has in ((1, lambda p: bool(p.phones)), (2, lambda p: bool(p.postcode)), (4, lambda p: bool(p.city))):
        said[root[np.fromiter(map(has, profiles), dtype=bool, count=n)]] |= bit
    # Each name's distinct customers: the records sorted by name and customer, thinned to one
    # per (name, customer), then counted per name.  (np.unique over pairs held several copies
    # of a million records' arrays at once.)  Records without a full name sort under name 0.
    mine = np.unique(key[np.fromiter(only, dtype=np.int64, count=len(only))]) if only is not None else None
    order = np.lexsort((root, key))
    key = key[order]
    r = root[order]
    distinct = np.ones(n, dtype=bool)
    distinct[1:] = (key[1:] != key[:-1]) | (r[1:] != r[:-1])
    k, r = key[distinct], r[distinct]
    del distinct
    starts = np.ones(len(k), dtype=bool)
    starts[1:] = k[1:] != k[:-1]
    first_at = np.flatnonzero(starts)
    del starts
    names = k[first_at]
    roots_per_name = np.diff(np.append(first_at, len(k)))
    del k
    # A customer of the name known by nothing but it, and how many customers of the name have contact details.
    bare = np.add.reduceat((~root_reach[r]).astype(np.int32), first_at)
    contacts = np.add.reduceat(root_contact[r].astype(np.int32), first_at)
    del r, first_at
    wanted = names[(names != 0) & ((roots_per_name >= 2) & (bare > 0) | (roots_per_name == 2) & (contacts == 2))]
    del names, roots_per_name, bare, contacts
    if mine is not None:
        wanted = np.intersect1d(wanted, mine)
    if not len(wanted):
        return []
    # The records carrying those names: a run of the sorted names each (both arrays are sorted).
    lo, hi = np.searchsorted(key, wanted, side="left"), np.searchsorted(key, wanted, side="right")
    del key
    carriers = np.sort(np.concatenate([order[a:b] for a, b in zip(lo.tolist(), hi.tolist())]))
    del order, lo, hi, wanted
    bearers: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)  # name -> root -> a record
    for i in carriers.tolist():
        p = profiles[i]
        bearers[(p.first, p.last)].setdefault(int(root[i]), i)
    del carriers
    reviews = []
    pairs_of_two: list[tuple[tuple[int, int], tuple[int, int]]] = []  # ((root, record), (root, record))

    def ask(i: int, j: int) -> None:
        if only is not None and i not in only and j not in only:
            return
        s = score_pair(profiles[i], profiles[j], freq, model)
        if s.conflict is None and s.weight >= model.review_threshold and cl.why_not(i, j) is None:
            s.decision = "review"
            # Their records may share an email or phone that others hold too (a family's mailbox,
            # or it would have joined them): more than the name, and said so.
            a, b = profiles[i], profiles[j]
            shared = set(a.emails) & set(b.emails) or set(a.phones) & set(b.phones)
            s.reasons.append(NAMES_ON_SHARED if shared else NAMES_ONLY)
            reviews.append((i, j, s))

    targets: dict[int, set[int]] = defaultdict(set)  # contactless root -> customers it could be
    pair_of: dict[tuple[int, int], tuple[int, int]] = {}
    for name, by_root in bearers.items():
        if name_weight(*name, freq, model) < model.review_threshold:
            continue
        known = [r for r in by_root if root_reach[r]]
        if len(known) < len(by_root):
            if len(known) != 1 or not root_contact[known[0]]:
                continue
            for r in by_root:
                if not root_reach[r]:
                    targets[r].add(known[0])
                    pair_of[(r, known[0])] = (by_root[r], by_root[known[0]])
        elif len(by_root) == 2 and all(root_contact[r] for r in by_root):
            pairs_of_two.append(tuple(sorted(by_root.items())))
    for r, options in targets.items():
        if len(options) == 1:  # its names do not point at different customers
            ask(*pair_of[(r, next(iter(options)))])
    for (a, i), (b, j) in pairs_of_two:
        if not said[a] & said[b]:
            ask(i, j)
    return reviews


def _nameless(cl: Clusters, i: int) -> bool:
    """Whether no record of ``i``'s cluster gives a first or a last name."""
    root = cl.find(i)
    return cl.firsts[root] is None and cl.lasts[root] is None


def nameless_to_decide_again(profiles: Sequence[Profile], new: int) -> dict[int, int]:
    """Placed records with no first name that the new records show to be a shared address's:
    index -> the customer each is on.  ``profiles[:new]`` are new, the rest placed.

    A list member known by an address alone joined the one named customer that held
    the address when it came in.  A new record with that address (or phone) and a
    first name that is none of that customer's, in any spelling (a family sharing
    the address), shows that the address is shared.  Compared from scratch, such a record
    belongs to none of them (:func:`_drop_ambiguous_nameless`); so it is compared
    again, as if unplaced, beside the new records.  So are the address's nameless
    events (an email tool's opens), which go with the list member of their channel.
    So is a nameless record whose own channel's list now holds its address under a
    name, on a customer holding no named record of that channel: an open placed on
    the shop's Ann before the list's Annie came in is Annie's, even when Ann and
    Annie could be one name (two birthdays keep them apart).
    An event that no such member takes stays where it was: a rebuild would place it
    on nobody, which a merge log cannot say (``writes.log_taken_off``).
    """
    names_of: dict[int, set[str]] = defaultdict(set)  # customer -> the first names its records give
    channels_of: dict[int, set[str]] = defaultdict(set)  # customer -> the channels of its named records
    for p in profiles[new:]:
        if p.first and p.customer_id is not None:
            names_of[p.customer_id].add(read_form(p.first, p.first_read))
            channels_of[p.customer_id].add(p.channel)
    if not names_of:
        return {}
    incoming: dict[str, set[str]] = defaultdict(set)  # email or phone -> the new records' first names
    listed: dict[str, set[str]] = defaultdict(set)  # email or phone -> the new named records' channels
    for p in profiles[:new]:
        if p.first:
            for value in (*p.emails, *p.phones):
                incoming[value].add(read_form(p.first, p.first_read))
                listed[value].add(p.channel)
    out: dict[int, int] = {}
    for i in range(new, len(profiles)):
        p = profiles[i]
        # What the user entered by hand is their person's whatever a file says (edits.py): a
        # typed landline or family address held by another's row takes nothing over to them.
        if p.first or p.customer_id is None or p.channel == HAND:
            continue
        held = names_of.get(p.customer_id)
        if not held:
            continue
        # A name the customer does not carry yet, in any spelling: someone else on the address.
        # (A customer the user made of two names is not split by a record under one of them.)
        arriving = {n for value in (*p.emails, *p.phones) for n in incoming.get(value, ())}
        if any(not any(_compatible(x, y) for y in held) for x in arriving):
            out[i] = p.customer_id
        # Its own channel's first named record of the address, where the customer holds none of
        # that channel: compared from scratch, the record goes with it (_drop_ambiguous_nameless).
        elif p.channel not in channels_of[p.customer_id] and any(
                p.channel in listed.get(value, ()) for value in (*p.emails, *p.phones)):
            out[i] = p.customer_id
    return out


def settle_decided_again(profiles: Sequence[Profile], plan: Plan, loose: dict[int, int]) -> dict[int, int]:
    """Give back the customer of each record of :func:`nameless_to_decide_again` (taken off for the
    clustering) whose cluster still holds that customer's other records; returns the others."""
    if not loose:
        return {}
    held: dict[int, set[int]] = defaultdict(set)  # cluster root -> the customers its placed records are on
    for i, p in enumerate(profiles):
        if p.customer_id is not None:
            held[plan.roots[i]].add(p.customer_id)
    moving = {}
    for i, cid in loose.items():
        if cid in held.get(plan.roots[i], ()):
            profiles[i].customer_id = cid
        else:
            moving[i] = cid
    return moving


def _torn_between_kept_apart(profiles: Sequence[Profile], lefts, rights, flags, cl: Clusters, stands):
    """A record matching two customers the user kept apart joins neither of them on its own...

    ...unless its own channel names one of them: the email list's next export of
    Jon Smith is the list's Jon, not the shop's, once the user has split the two.
    Otherwise (both or neither hold a record of its channel) which one it is
    cannot be told from the data the user already found misleading, so it stays a
    customer of its own and each side is asked about in Review.  Before this, it
    joined whichever came first, silently, and a rebuild kept it there.

    ``cl`` is the clusters as the phase starts (customers, in an import's resolve).
    Returns the records left to the user, and which pairs still stand
    (``stands`` narrowed; ``None``: all of them).
    """
    if not cl.rejects or not lefts:
        return set(), stands
    import numpy as np

    find = cl.find
    apart = {find(i) for i in cl.rejects} | {find(j) for v in cl.rejects.values() for j in v}
    # Only the automatic pairs touching a cluster kept apart from another are read in Python: the
    # roots of every record by pointer jumping over the parents, in numpy (a rebuild of a million
    # records scores about as many pairs, and a few kept-apart decisions touch a handful).
    roots = np.frombuffer(cl.parent, dtype=np.int32).copy()
    while not np.array_equal(jumped := roots[roots], roots):
        roots = jumped
    left, right = np.frombuffer(lefts, dtype=np.int32), np.frombuffer(rights, dtype=np.int32)
    marked = np.fromiter(apart, dtype=np.int32, count=len(apart))
    near = (np.frombuffer(flags, dtype=np.int8) & _AUTO).astype(bool) & (
        np.isin(roots[left], marked) | np.isin(roots[right], marked))
    targets: dict[int, set[int]] = defaultdict(set)
    for i, j in zip(left[near].tolist(), right[near].tolist()):
        ri, rj = find(i), find(j)
        if ri == rj:
            continue
        if rj in apart:
            targets[i].add(j)
        if ri in apart:
            targets[j].add(i)
    torn: set[int] = set()
    keep: dict[int, set[int]] = {}
    for i, found in targets.items():
        own = find(i)
        sides: dict[int, list[int]] = defaultdict(list)
        for j in found:
            # A side the record itself was kept apart from (it was on the other customer
            # when the user said so) is no choice of its own to make again.
            if (r := find(j)) != own and cl.why_not(own, r) != "rejected by you":
                sides[r].append(j)
        roots = list(sides)
        clash = [(a, b) for n, a in enumerate(roots) for b in roots[n + 1:]
                 if cl.why_not(a, b) == "rejected by you"]
        if not clash:
            continue
        # Records of its own channel not kept apart from each other are one side, even
        # before they are one cluster: a rebuild compares a till customer's receipts and
        # its contact row, all under one till id, before any of them are together.
        channel = profiles[i].channel
        mine = {r for r in roots if any(profiles[j].channel == channel for j in sides[r])}
        if mine and not any(a in mine and b in mine for a, b in clash):
            keep[i] = {j for j in found
                       if all(cl.why_not(r, j) != "rejected by you" for r in mine)}
        else:
            torn.add(i)
    if not (torn or keep):
        return torn, stands
    before = stands

    def narrowed(i: int, j: int) -> bool:
        if i in torn or j in torn:
            return False
        if i in keep and j in targets[i] and j not in keep[i]:
            return False
        if j in keep and i in targets[j] and i not in keep[j]:
            return False
        return before is None or before(i, j)

    return torn, narrowed


def _drop_ambiguous_nameless(profiles: Sequence[Profile], lefts, rights, flags, cl: Clusters):
    """A nameless record pointing at people with different names belongs to none of them...

    ...unless its own channel names one of them: an open in the email tool's activity
    belongs to the list member with that address, even when the family shares it
    elsewhere.  Its own channel's member is its person whenever other channels hold the
    address under a name too, even one that could be the same (Ann at the shop, her
    daughter Annie on the list, kept apart by their birthdays): with a first name that
    could be one person's taken for a match, the open went to whoever's file came first.
    An email open from a family's shared address must otherwise not be
    pinned on one of them at random, nor bridge the two.  Nameless records of one
    channel still go together while nobody named is with them (``cl``, the
    clusters as they are when the pair's turn comes): a list member known by the
    family's address alone and that address's opens are the email tool's one
    entry for it, whichever of the family it is.  ``lefts``, ``rights`` and
    ``flags`` are the scored pairs.  Returns the records left unplaced, and
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
        own = [j for j in named if profiles[j].channel == profiles[i].channel]
        if own:
            own_names = {read_form(profiles[j].first, profiles[j].first_read) for j in own}
            if all(_compatible(x, y) for x in own_names for y in own_names):
                if len(own) < len(named):
                    keep[i] = set(own)
                continue
        else:
            names = {read_form(profiles[j].first, profiles[j].first_read) for j in named}
            if all(_compatible(x, y) for x in names for y in names):
                continue
        ambiguous.add(i)
    if not (ambiguous or keep):
        return ambiguous, None

    def stands(i: int, j: int) -> bool:
        if i in ambiguous or j in ambiguous:
            return profiles[i].channel == profiles[j].channel and _nameless(cl, i) and _nameless(cl, j)
        if i in keep and j not in keep[i]:
            return False
        return not (j in keep and i not in keep[j])

    return ambiguous, stands
