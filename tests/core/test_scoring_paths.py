"""score_pair's shortcuts score every pair exactly as the full comparison does.

``score_pair`` skips the name analysis for records with the same names and
compares each pair of different names once (``scoring._name_comparison``);
``score_pair_full`` compares everything, every time.  Both must agree on every
field of the score — weight, decision, guards, reasons, swaps, re-splits and
renames — for pairs of every shape a shop's data holds.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from omnidesk.core.identity.scoring import Frequencies, Model, Profile, score_pair, score_pair_full

# Names with a twin of every kind: nicknames, slips, initials, two-word family names, readings,
# family names written before the given name ("Aguirre Godínez Aurelio").
FIRSTS = ["john", "jon", "jhon", "johnny", "j", "robert", "bob", "rob", "elizabeth", "liz", "lisa", "lsa",
          "mamadou", "evelio", "conchita", "katherine", "kate", "katie", "ann", "anna", "grzegorz", "g",
          "marcel", "m", "aakaanksha", "akanksha", "yukiko", "sachiko", "aurelio", "aguirre", "violeta",
          "castillo", ""]
LASTS = ["smith", "smyth", "smiht", "garcialopez", "garcia", "lopez", "velascobarragan", "velasco",
         "freudenberger", "rodriguez", "barry", "okonkwo", "guzmanjimenez", "guzman", "reid", "rwid",
         "yamada", "saito", "lee", "ann", "aguirregodinez", "godinezaurelio", "castillo", "saucedoviooleta",
         ""]
MIDDLES = ["", "", "", "camila", "moustapha", "saliou", "f", "fitzgerald", "lucia", "camila velasco",
           "j", "jimenez conchita lucia"]
# (written, reading): kanji with furigana, kana, or Latin letters with no reading.
READ = [("山田", "yamada"), ("斎藤", "saito"), ("斉藤", "saito"), ("幸子", "sachiko"), ("幸子", "yukiko"),
        ("ヤマダ", ""), ("yamada", ""), ("山田", "")]
POSTCODES = ["", "55454", "55455", "10115", "1000001"]
CITIES = ["", "minneapolis", "berlin", "tokyo"]
ADDRESSES = ["", "42 school st", "24 school st", "264 school st", "7 harbor view dr", "17 harbor view dr",
             "25 waterfiel d pl", "25 waterfield pl", "鳥越1丁目64番"]
BIRTHDAYS = [None, "1980-02-03", "1980-03-02", "1980-02-04", "1981-02-03", "--02-03", "--03-02", "1990-07-11"]
EMAILS = ["family@example.org", "john@example.com", "j.smith@acme.example", "bob@example.net"]
PHONES = ["+12075550100", "+12075550101", "+4930123456"]
EXTERNALS = ["shop:1", "shop:2", "till:9"]
EMPLOYERS = ["cacme", "@acme.example", "cglobex", "@globex.example"]


def _some(rng: random.Random, pool: list[str], most: int = 2) -> tuple[str, ...]:
    return tuple(rng.sample(pool, rng.randint(0, most)))


def _profile(rng: random.Random, rid: int) -> Profile:
    first, last, first_read, last_read = rng.choice(FIRSTS), rng.choice(LASTS), "", ""
    middle = rng.choice(MIDDLES)
    if rng.random() < 0.15:
        # Names written with a reading come without middle names (a Japanese name's two parts).
        (first, first_read), (last, last_read), middle = rng.choice(READ), rng.choice(READ), ""
    return Profile(rid=rid, row_hash="", customer_id=None, kind="contacts", channel="shop",
                   first=first, last=last, emails=_some(rng, EMAILS), phones=_some(rng, PHONES),
                   externals=_some(rng, EXTERNALS, 1), postcode=rng.choice(POSTCODES), city=rng.choice(CITIES),
                   address=rng.choice(ADDRESSES), birthday=rng.choice(BIRTHDAYS),
                   employers=_some(rng, EMPLOYERS), middle=middle,
                   first_read=first_read, last_read=last_read)


def _variant(rng: random.Random, p: Profile, rid: int) -> Profile:
    """Another record of the same names: as written, turned round, re-split, or a field changed."""
    q = replace(p, rid=rid)
    roll = rng.random()
    if roll < 0.4:
        pass  # the same names: score_pair's shortcut
    elif roll < 0.55:
        q.turn_round()
    elif roll < 0.65 and p.middle:
        # Two given names and one family name, read as one given name and two family names.
        q.middle, q.last = "", p.middle.replace(" ", "") + p.last
    elif roll < 0.7 and not (p.middle or p.first_read or p.last_read) and len(p.first) > 2 and len(p.last) > 5:
        # The family names written first, before the one given name: "Aguirre Godínez Aurelio".
        cut = rng.randint(2, len(p.last) - 3)
        q.first, q.last = p.last[:cut], p.last[cut:] + p.first
    elif roll < 0.75:
        q.first = rng.choice(FIRSTS)
    elif roll < 0.85:
        q.last = rng.choice(LASTS)
    elif not (p.first_read or p.last_read):
        q.middle = rng.choice(MIDDLES)
    # Records of one person differ in their other fields now and then, strangers often.
    for name, pool in (("postcode", POSTCODES), ("address", ADDRESSES), ("birthday", BIRTHDAYS)):
        if rng.random() < 0.3:
            setattr(q, name, rng.choice(pool))
    if rng.random() < 0.3:
        q.emails = _some(rng, EMAILS)
    if rng.random() < 0.2:
        q.phones = _some(rng, PHONES)
    return q


def _pairs(seed: int, count: int) -> list[tuple[Profile, Profile]]:
    rng = random.Random(seed)
    pairs = []
    for k in range(count):
        a = _profile(rng, 2 * k)
        b = _variant(rng, a, 2 * k + 1) if rng.random() < 0.7 else _profile(rng, 2 * k + 1)
        pairs.append((a, b) if rng.random() < 0.5 else (b, a))
    return pairs


def _models() -> list[Model]:
    fitted = Model().apply_fit({"m": {"first": {"nickname": 0.11, "different": 0.05}, "email": {"agree": 0.6},
                                      "birthday": {"typo": 0.03}},
                                "u": {"last": {"close": 0.01}, "address": {"number": 0.02}}})
    return [Model(), fitted, Model(auto_threshold=10.0, review_threshold=4.0, min_u=1e-3, max_u=0.1)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_score_pair_is_score_pair_full(seed):
    pairs = _pairs(seed, 4000)
    freq = Frequencies.from_profiles(p for pair in pairs for p in pair)
    shapes = set()
    for model in _models():
        for a, b in pairs:
            fast, full = score_pair(a, b, freq, model), score_pair_full(a, b, freq, model)
            assert fast == full, (a, b)
            shapes.add((full.decision, full.swapped, full.resplit, full.renamed, full.conflict))
    # The pairs cover what the shortcuts must get right, not just the easy cases.
    decisions = {s[0] for s in shapes}
    assert decisions == {"auto", "review", "apart"}
    assert any(s[1] for s in shapes) and any(s[2] for s in shapes) and any(s[3] for s in shapes)
    assert {s[2] for s in shapes} >= {1, 2, 4, 5}  # re-split either side, family names first on either
    assert {s[4] for s in shapes} >= {None, "different first names", "different last names",
                                      "different middle names", "different birthdays"}


def test_empty_workspace_frequencies_and_a_later_fit():
    """No frequencies yet (u of 0.01), and a model fitted after it scored: the new bits count."""
    pairs = _pairs(4, 500)
    freq, model = Frequencies(), Model()
    for a, b in pairs:
        assert score_pair(a, b, freq, model) == score_pair_full(a, b, freq, model)
    model.apply_fit({"m": {"email": {"agree": 0.5}, "postcode": {"disagree": 0.4}}})
    changed = 0
    for a, b in pairs:
        fast = score_pair(a, b, freq, model)
        assert fast == score_pair_full(a, b, freq, model)
        changed += fast.weight != score_pair(a, b, freq, Model()).weight
    assert changed


def test_names_with_readings_and_further_given_names_score_as_read():
    """Two given names beside one, both last names with a reading: the re-split that the
    written names suggest does not line up on the readings, and the names are compared as read."""
    def record(rid: int, last: str, last_read: str, middle: str) -> Profile:
        return Profile(rid=rid, row_hash="", customer_id=None, kind="contacts", channel="shop",
                       first="evelio", last=last, emails=("evelio@example.org",), phones=(), externals=(),
                       postcode="55454", city="", address="", birthday=None, middle=middle, last_read=last_read)

    one = record(1, "camilavelasco", "zz", "")
    other = record(2, "velasco", "qq", "camila")
    freq = Frequencies.from_profiles([one, other])
    for a, b in ((one, other), (other, one)):
        fast, full = score_pair(a, b, freq, Model()), score_pair_full(a, b, freq, Model())
        assert fast == full
        assert full.resplit == 0
    # Readings that do line up are re-split as the written names are.
    one, other = record(1, "camilavelasco", "camilavelasco", ""), record(2, "velasco", "velasco", "camila")
    assert score_pair_full(one, other, freq, Model()).resplit in (1, 2)
