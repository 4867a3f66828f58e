"""The match model fitted to a workspace's own records.

A Fellegi–Sunter model needs, for every comparison level, ``m`` (how often one
person's two records compare at that level) and ``u`` (how often two people's
do).  The hand-set priors of ``scoring`` fit a typical shop; a workspace whose
files are cleaner or messier than that (a till that mangles names, a form that
loses birthdays) is better served by its own numbers.  So, when a workspace is
resolved from scratch or takes its first import, the model is fitted as Splink
and fastLink fit theirs:

* ``u`` from random pairs of records, drawn with a fixed seed: nearly all of
  them are two different people, so how often they agree at each level is the
  chance rate.  Email and phone keep their priors (random pairs practically
  never share one, so a sample says nothing), and so do the levels of
  ``scoring.FIXED_U``.  Exact agreement on a name, postcode or city is still
  weighed by how common the value is when scoring (term frequencies); the
  ``u`` learned for it serves the fit only.
* ``m`` by expectation–maximisation over pairs of records that share a
  postcode, a birthday, a last name, or an email or phone (``SESSIONS``):
  each pair's chance of being a match is estimated from the current ``m`` and
  ``u``, then ``m`` is re-estimated from those chances, until it settles.  Like
  Splink's training sessions, each leaves out the comparisons its pairs were
  chosen by, and each comparison's ``m`` is the mean of the sessions that
  estimated it.  (The resolver's own candidate pairs are no use here: they
  share a name and a place, so nearly all are matches and EM has no second
  group to find.)

The priors enter both as pseudo-counts (``M_PSEUDO`` matched pairs per
comparison, ``U_PSEUDO`` random pairs), so a small workspace stays near them
and a big one speaks for itself.  A fit that degenerates — too few records or
pairs, no matches, agreement that counts against a match, a value far from
its prior — is clamped or falls back to the priors, and says so in its notes
and in the log.  A disagreement level's m is never set below its prior (see
``_guard``).

Everything is deterministic: the same records give the same model.  The
fitted numbers are kept in the workspace's settings table (``match_model``),
so later imports score with them (``resolve.model_from_settings``).
"""

from __future__ import annotations

import json
import logging
import math
import random
from collections import Counter
from collections.abc import Sequence

from sqlalchemy.engine import Connection

from omnidesk.core.identity.scoring import FIXED_U, PRIOR_M, PRIOR_U, Model, Profile, compare
from omnidesk.core.models import Setting

log = logging.getLogger(__name__)

SETTING_KEY = "match_model"
FIT_VERSION = 1
# Comparisons whose m the fit learns, and those whose u it learns from random pairs.
LEARNED = ("email", "phone", "first", "last", "middle", "postcode", "city", "address", "birthday")
U_FROM_DATA = ("first", "last", "middle", "postcode", "city", "address", "birthday")
FIT_RECORDS = 100_000  # the first records of a bigger workspace are enough to fit on
MAX_PAIRS = 20_000  # pairs one session reads at most, spread evenly over all it finds
RANDOM_PAIRS = 30_000
MIN_RECORDS = 500  # a first import smaller than this keeps the priors without trying
MIN_PAIRS = 200  # fewer pairs than this in every session: nothing to learn from, the priors stay
RANDOM_PAIRS_PER_RECORD = 20  # a small workspace draws fewer random pairs (the priors weigh more)
M_PSEUDO = 200.0  # the priors weigh as much as this many matched pairs ...
U_PSEUDO = 1_000.0  # ... and this many random pairs
# No fitted m strays further than this from its prior, no u further than that.  m is held
# closer: EM's "matches" lean towards the pairs that agree on everything (a person's
# records and a family's look alike on most fields), which understates how often one
# person's records disagree; random pairs measure u directly.
MAX_FACTOR_M = 3.0
MAX_FACTOR_U = 10.0
MAX_ITERATIONS = 200
TOLERANCE = 1e-6
SEED = 20260101


def _normalized(levels: dict[str, float]) -> dict[str, float]:
    total = sum(levels.values())
    return {k: v / total for k, v in levels.items()}


def _patterns(profiles: Sequence[Profile], pairs) -> Counter:
    """How many pairs compare at each combination of levels (``None``: not compared)."""
    out: Counter = Counter()
    for i, j in pairs:
        levels, _ = compare(profiles[i], profiles[j])
        out[tuple(lv if (lv := levels.get(c)) in PRIOR_M[c] else None for c in LEARNED)] += 1
    return out


# Where the fit looks for pairs, as Splink trains: records sharing one field, so that
# the pairs hold matches and non-matches alike.  Each session leaves out of its estimate
# the comparisons its key forces to agree (a postcode block says nothing of how often one
# person's postcodes agree, nor much of their towns).
SESSIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("postcode", ("postcode", "city")),
    ("birthday", ("birthday",)),
    ("last", ("last",)),
    ("identifier", ("email", "phone")),
)
MAX_BLOCK = 60  # records sharing one key; a bigger group (a town's postcode) is left out


def _session_key(p: Profile, session: str) -> list[str]:
    if session == "postcode":
        return [p.postcode] if p.postcode else []
    if session == "birthday":
        return [p.birthday] if p.birthday and not p.birthday.startswith("--") else []
    if session == "last":
        return [p.last] if p.last else []
    return [*p.emails, *p.phones]


def _session_pairs(profiles: Sequence[Profile], session: str) -> list[tuple[int, int]]:
    """Pairs of records sharing the session's key, at most ``MAX_PAIRS`` spread evenly (no randomness)."""
    blocks: dict[str, list[int]] = {}
    for i, p in enumerate(profiles):
        for key in _session_key(p, session):
            blocks.setdefault(key, []).append(i)
    groups = [members for members in blocks.values() if 1 < len(members) <= MAX_BLOCK]
    total = sum(len(g) * (len(g) - 1) // 2 for g in groups)
    # Every step-th pair, counted across the groups in record order: a hundred thousand
    # records can share keys in millions of pairs, which are never all built.
    step = max(1, -(-total // MAX_PAIRS))
    picked: set[tuple[int, int]] = set()
    seen = 0
    for members in groups:
        n = len(members)
        for k in range((-seen) % step, n * (n - 1) // 2, step):
            # The k-th pair (a < b) of the group, row by row.
            a = 0
            while k >= n - 1 - a:
                k -= n - 1 - a
                a += 1
            x, y = members[a], members[a + 1 + k]
            if x != y:  # one record with the same email twice
                picked.add((x, y) if x < y else (y, x))
        seen += n * (n - 1) // 2
    return sorted(picked)


def _shares_identifier(a: Profile, b: Profile) -> bool:
    return bool(set(a.emails) & set(b.emails) or set(a.phones) & set(b.phones)
                or set(a.externals) & set(b.externals))


def _random_pairs(profiles: Sequence[Profile], seed: int) -> list[tuple[int, int]]:
    """Pairs of two people: every pair of a small workspace, else up to ``RANDOM_PAIRS`` drawn with ``seed``.

    Pairs sharing an email, phone or customer id are left out: they are nearly
    all one person, and a customer with hundreds of records (every email they
    opened) would otherwise fill the sample with their own pairs and make
    agreement look common between strangers.
    """
    n = len(profiles)
    wanted = min(RANDOM_PAIRS, RANDOM_PAIRS_PER_RECORD * n)
    if n * (n - 1) // 2 <= wanted:
        return [(i, j) for i in range(n) for j in range(i + 1, n)
                if not _shares_identifier(profiles[i], profiles[j])]
    rng = random.Random(seed)
    out = []
    for _ in range(4 * wanted):  # bounded: a workspace of one person's records has no pairs to give
        i, j = rng.randrange(n), rng.randrange(n)
        if i != j and not _shares_identifier(profiles[i], profiles[j]):
            out.append((i, j))
            if len(out) == wanted:
                break
    return out


def estimate_u(patterns: Counter, notes: list[str]) -> dict[str, dict[str, float]]:
    """u per level from random pairs' level counts, with the priors as ``U_PSEUDO`` pairs."""
    u = {c: dict(v) for c, v in PRIOR_U.items()}
    for k, c in enumerate(LEARNED):
        if c not in U_FROM_DATA:
            continue
        counts = Counter()
        for pattern, n in patterns.items():
            if pattern[k] is not None:
                counts[pattern[k]] += n
        total = sum(counts.values())
        prior = _normalized(PRIOR_U[c])
        for level in PRIOR_U[c]:
            if (c, level) in FIXED_U:
                continue
            u[c][level] = (counts[level] + U_PSEUDO * prior[level]) / (total + U_PSEUDO)
    return u


def estimate_m(patterns: Counter, u: dict[str, dict[str, float]], notes: list[str],
               match_share: float = 0.3, skip: Sequence[str] = ()) -> tuple[dict[str, dict[str, float]], float, int]:
    """m per level by expectation–maximisation over pairs' level counts.

    ``skip`` names comparisons left out (the ones the pairs were chosen by).
    Returns the m table of the other comparisons, the share of the pairs that
    are matches, and the rounds run.
    """
    used = [k for k, c in enumerate(LEARNED) if c not in skip]
    patterns = Counter({tuple(pattern[k] for k in used): n for pattern, n in patterns.items()})
    names = [LEARNED[k] for k in used]
    priors = {c: _normalized(PRIOR_M[c]) for c in names}
    m = {c: dict(priors[c]) for c in names}
    rows = sorted(patterns.items(), key=lambda kv: tuple("" if x is None else x for x in kv[0]))
    iterations = 0
    for iterations in range(1, MAX_ITERATIONS + 1):
        # E: each pattern's probability of being a match under the current m, u and share.
        prior_odds = math.log(match_share) - math.log1p(-match_share)
        shares = []
        for pattern, _ in rows:
            odds = prior_odds + sum(math.log(m[c][lv]) - math.log(u[c][lv])
                                    for c, lv in zip(names, pattern) if lv is not None)
            shares.append(1.0 / (1.0 + math.exp(-odds)) if odds > -700 else 0.0)
        # M: m from the expected matches at each level, the priors as pseudo-matches.
        matched = {c: Counter() for c in names}
        total_matched = 0.0
        total = 0
        for (pattern, n), p in zip(rows, shares):
            total_matched += n * p
            total += n
            for c, lv in zip(names, pattern):
                if lv is not None:
                    matched[c][lv] += n * p
        change = 0.0
        for c in names:
            seen = sum(matched[c].values())
            for level, prior in priors[c].items():
                value = (matched[c][level] + M_PSEUDO * prior) / (seen + M_PSEUDO)
                change = max(change, abs(value - m[c][level]))
                m[c][level] = value
        new_share = min(max(total_matched / max(total, 1), 1e-9), 1 - 1e-9)
        change = max(change, abs(new_share - match_share))
        match_share = new_share
        if change < TOLERANCE:
            break
    else:
        notes.append(f"one estimate had not settled after {MAX_ITERATIONS} rounds; its last value is used")
    return m, match_share, iterations


def _guard(m: dict, u: dict, notes: list[str]) -> None:
    """Clamp what strays too far from its prior; put back the priors of a comparison gone wrong."""
    for c in LEARNED:
        top = next(iter(PRIOR_M[c]))  # agreement: exact, agree or same
        values = [*m[c].values(), *u[c].values()]
        if any(not math.isfinite(v) or v <= 0 for v in values) or m[c][top] <= u[c][top]:
            notes.append(f"{c}: agreement came out as no evidence of a match; its priors are used")
            m[c], u[c] = dict(PRIOR_M[c]), dict(PRIOR_U[c])
            continue
        bottom = next(reversed(PRIOR_M[c]))  # disagreement: different or disagree
        for table, priors, name, factor in ((m, PRIOR_M, "m", MAX_FACTOR_M), (u, PRIOR_U, "u", MAX_FACTOR_U)):
            for level, value in table[c].items():
                prior = priors[c][level]
                low, high = prior / factor, min(prior * factor, 1 - 1e-6)
                if name == "m" and level == bottom and len(PRIOR_M[c]) > 1 and value < prior:
                    # EM's least certain pairs are those that disagree somewhere, so it
                    # understates how often one person's records disagree: never below the
                    # prior.  A rule, not a repair: no note.
                    table[c][level] = prior
                    continue
                if not low <= value <= high:
                    table[c][level] = min(max(value, low), high)
                    notes.append(f"{c} {level}: {name} {value:.3g} held to {table[c][level]:.3g}, "
                                 f"within {low:.3g} and {high:.3g} (its prior: {prior:.3g})")


def fit(profiles: Sequence[Profile], *, seed: int = SEED, log: bool = True) -> dict:
    """The m and u values these records suggest, and how the fit went.

    Returns a JSON-ready dict: ``m`` and ``u`` (every comparison of
    ``scoring.PRIOR_M``; the priors where nothing was learned), ``learned``
    (False when the priors stayed throughout), ``match_share`` (of candidate
    pairs), ``records``, ``pairs``, ``random_pairs``, ``iterations`` and
    ``notes`` (each clamp or fallback, in words).  Deterministic.  ``log``:
    the notes go to the log here (a forked child leaves that to its parent,
    :func:`log_fit`).
    """
    profiles = profiles[:FIT_RECORDS]
    notes: list[str] = []
    out = {"version": FIT_VERSION, "learned": False, "records": len(profiles), "pairs": 0, "random_pairs": 0,
           "iterations": 0, "match_share": None, "notes": notes,
           "m": {c: dict(v) for c, v in PRIOR_M.items()}, "u": {c: dict(v) for c, v in PRIOR_U.items()}}
    if len(profiles) < MIN_RECORDS:
        notes.append(f"{len(profiles)} records are too few to learn from (at least {MIN_RECORDS}); "
                     "the priors are used")
        if log:
            log_fit(out)
        return out
    sessions = [(name, skip, _session_pairs(profiles, name)) for name, skip in SESSIONS]
    out["pairs"] = sum(len(pairs) for *_, pairs in sessions)
    sessions = [(name, skip, pairs) for name, skip, pairs in sessions if len(pairs) >= MIN_PAIRS]
    if not sessions:
        notes.append(f"{out['pairs']} pairs share a postcode, birthday, last name, email or phone: too few "
                     f"to learn from (at least {MIN_PAIRS} of one kind); the priors are used")
        if log:
            log_fit(out)
        return out
    randoms = _random_pairs(profiles, seed)
    out["random_pairs"] = len(randoms)
    u = estimate_u(_patterns(profiles, randoms), notes)
    # Each comparison's m is the mean of the sessions that estimated it; the priors where none did.
    estimates: dict[str, list[dict[str, float]]] = {c: [] for c in LEARNED}
    shares, rounds = {}, 0
    for name, skip, pairs in sessions:
        m_session, share, iterations = estimate_m(_patterns(profiles, pairs), u, notes, skip=skip)
        rounds += iterations
        # Nearly all pairs sharing an email or phone are one person: then the fit is
        # simply how often one person's records agree, which is what m is.  Nearly none
        # says only that the key is common; such a session is left out.
        if share <= 1e-3:
            notes.append(f"pairs sharing a {name}: the fit found no matches among them; left out")
            continue
        shares[name] = round(share, 6)
        for c, levels in m_session.items():
            estimates[c].append(levels)
    out["iterations"], out["match_share"] = rounds, shares
    if not shares:
        notes.append("no estimate held; the priors are used")
        if log:
            log_fit(out)
        return out
    m = {c: ({level: sum(e[level] for e in found) / len(found) for level in PRIOR_M[c]} if found
             else dict(PRIOR_M[c])) for c, found in estimates.items()}
    _guard(m, u, notes)
    out["m"].update({c: {k: round(v, 6) for k, v in m[c].items()} for c in LEARNED})
    out["u"].update({c: {k: round(v, 8) for k, v in u[c].items()} for c in LEARNED})
    out["learned"] = True
    if log:
        log_fit(out)
    return out


def log_fit(fitted: dict) -> None:
    """Say in the log how a fit went (what :func:`fit` does unless told not to)."""
    # A first import of a few rows keeping the priors is the normal case, not worth a warning.
    level = logging.WARNING if fitted["records"] >= MIN_RECORDS else logging.INFO
    if fitted["learned"]:
        log.info("match model fitted on %d records, %d pairs (share of matches: %s) in %d rounds",
                 fitted["records"], fitted["pairs"], fitted["match_share"], fitted["iterations"])
    for note in fitted["notes"]:
        log.log(level, "match model fit: %s", note)


def fitted_model(profiles: Sequence[Profile], base: Model | None = None, *, seed: int = SEED) -> Model:
    """A model fitted to ``profiles``, with ``base``'s thresholds (priors' numbers where nothing was learned)."""
    return model_of_fit(fit(profiles, seed=seed), base)


def model_of_fit(fitted: dict, base: Model | None = None) -> Model:
    """The model a :func:`fit` gives, with ``base``'s thresholds."""
    base = base or Model()
    return Model(auto_threshold=base.auto_threshold, review_threshold=base.review_threshold,
                 min_u=base.min_u, max_u=base.max_u).apply_fit(fitted)


def model_fit(model: Model) -> dict | None:
    """What to store of ``model``'s fit: its report with its m and u, or None for a model of priors."""
    if model.fit is None:
        return None
    return {**model.fit, "m": model.m, "u": model.u}


def store_fit(conn: Connection, model: Model) -> None:
    """Keep ``model``'s fit in the workspace for the imports that follow, inside the caller's transaction.

    A fit that learned nothing removes any earlier one: the imports that follow
    score with the priors, as the records just resolved were.
    """
    fitted = model_fit(model)
    table = Setting.__table__
    if fitted is None or not fitted.get("learned"):
        conn.execute(table.delete().where(table.c.key == SETTING_KEY))
        return
    value = json.dumps(fitted, sort_keys=True)
    if not conn.execute(table.update().where(table.c.key == SETTING_KEY).values(value=value)).rowcount:
        conn.execute(table.insert().values(key=SETTING_KEY, value=value))


def stored_fit(get_setting) -> dict | None:
    """The fit a workspace keeps, or None (none yet, or unreadable: the priors serve)."""
    value = get_setting(SETTING_KEY) if get_setting else None
    return value if isinstance(value, dict) and value.get("version") == FIT_VERSION else None
