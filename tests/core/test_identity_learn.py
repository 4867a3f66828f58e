"""The match model fitted to a workspace's records: EM for m, random pairs for u, priors as the anchor."""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from datetime import date

import pytest

from omnidesk.core.identity import learn
from omnidesk.core.identity.clustering import cluster_profiles
from omnidesk.core.identity.keys import address_level, fold_address
from omnidesk.core.identity.resolve import model_from_settings
from omnidesk.core.identity.scoring import PRIOR_M, PRIOR_U, Frequencies, Model, Profile, score_pair
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from tests.helpers import write_csv

# A hand-built model of four comparisons, some far from the priors (typos three times as common).
TRUE_M = {
    "first": {"exact": 0.70, "nickname": 0.05, "close": 0.15, "near": 0.02, "different": 0.08},
    "last": {"exact": 0.80, "close": 0.10, "near": 0.02, "different": 0.08},
    "postcode": {"agree": 0.60, "disagree": 0.40},
    "birthday": {"exact": 0.85, "typo": 0.05, "day": 0.02, "different": 0.08},
}
TRUE_U = {
    "first": {"exact": 0.01, "nickname": 0.005, "close": 0.005, "near": 0.005, "different": 0.975},
    "last": {"exact": 0.01, "close": 0.004, "near": 0.006, "different": 0.98},
    "postcode": {"agree": 0.02, "disagree": 0.98},
    "birthday": {"exact": 0.001, "typo": 0.004, "day": 0.003, "different": 0.992},
}


def _patterns(share: float, pairs: int) -> Counter:
    """Expected level counts of ``pairs`` pairs, ``share`` of them matches, every comparison independent."""
    out: Counter = Counter()
    names = list(TRUE_M)
    for levels in itertools.product(*(list(TRUE_M[c]) for c in names)):
        p_match = math.prod(TRUE_M[c][lv] for c, lv in zip(names, levels))
        p_other = math.prod(TRUE_U[c][lv] for c, lv in zip(names, levels))
        n = round(pairs * (share * p_match + (1 - share) * p_other))
        if n:
            by_name = dict(zip(names, levels))
            out[tuple(by_name.get(c) for c in learn.LEARNED)] = n
    return out


def test_em_recovers_known_m_and_the_share_of_matches():
    u = {c: dict(v) for c, v in PRIOR_U.items()} | {c: dict(v) for c, v in TRUE_U.items()}
    notes: list[str] = []
    m, share, rounds = learn.estimate_m(_patterns(0.2, 2_000_000), u, notes)
    assert share == pytest.approx(0.2, abs=0.005)
    for c, levels in TRUE_M.items():
        for level, value in levels.items():
            assert m[c][level] == pytest.approx(value, abs=0.01), (c, level)
    assert rounds < learn.MAX_ITERATIONS and notes == []


def test_em_leaves_out_the_comparisons_a_session_chose_its_pairs_by():
    u = {c: dict(v) for c, v in PRIOR_U.items()} | {c: dict(v) for c, v in TRUE_U.items()}
    m, share, _ = learn.estimate_m(_patterns(0.2, 2_000_000), u, [], skip=("postcode",))
    assert "postcode" not in m and "first" in m
    assert m["first"]["close"] == pytest.approx(0.15, abs=0.01)


def test_random_pairs_give_u_and_a_small_sample_stays_near_the_priors():
    big = learn.estimate_u(_patterns(0.0, 1_000_000), [])
    for c, levels in TRUE_U.items():
        for level, value in levels.items():
            if (c, level) in learn.FIXED_U:
                assert big[c][level] == PRIOR_U[c][level]
            else:
                assert big[c][level] == pytest.approx(value, rel=0.05, abs=2e-4), (c, level)
    # A hundred random pairs weigh less than the priors' pseudo-pairs.
    small = learn.estimate_u(_patterns(0.0, 100), [])
    assert abs(small["postcode"]["agree"] - PRIOR_U["postcode"]["agree"]) < abs(
        small["postcode"]["agree"] - TRUE_U["postcode"]["agree"])


def _people(n: int = 300) -> list[Profile]:
    """Two records each for ``n`` made-up people: every 4th second record with its first name mistyped."""
    firsts = ["olivia", "william", "charlotte", "henry", "amelia", "jackson", "harper", "sebastian", "evelyn",
              "theodore", "abigail", "benjamin", "madison", "nathaniel", "victoria", "gabriel", "penelope",
              "leonardo", "josephine", "maximilian"]
    lasts = ["okafor", "lindqvist", "moreau", "tanaka", "brennan", "castillo", "novak", "haddad", "ferreira",
             "kowalski", "abernathy", "yamamoto", "delacroix", "ivanova", "mcallister", "rasmussen", "oyelaran",
             "vasquez", "whitfield", "zimmermann", "pellegrini", "achterberg", "sorensen", "gallagher",
             "dimitriou", "nakamura", "fitzgerald", "bergstrom", "quintero", "lachance"]
    out = []
    for i in range(n):
        first, last = firsts[i % len(firsts)], lasts[(i * 7) % len(lasts)]
        born = date(1950 + i % 40, 1 + i % 12, 1 + i % 28).isoformat()
        for copy in range(2):
            typo = copy and i % 4 == 0
            out.append(Profile(
                rid=len(out), row_hash="", customer_id=None, kind="contacts", channel="shop",
                first=first[:2] + first[3] + first[2] + first[4:] if typo else first, last=last,
                emails=(), phones=(), externals=(), postcode=str(2000 + i % 10), city="",
                address=f"{i + 1} {last} st", birthday=born))
    return out


def test_a_fit_learns_from_the_records_and_is_deterministic():
    people = _people()
    fitted = learn.fit(people)
    assert fitted["learned"] and fitted["random_pairs"] > 0 and fitted["pairs"] >= learn.MIN_PAIRS
    # A quarter of the people mistyped their first name once: close typos are far commoner
    # than the prior says, and the fit moves that way (the priors, worth 200 pairs, hold it back).
    assert fitted["m"]["first"]["close"] > 1.5 * PRIOR_M["first"]["close"]
    # Random pairs: two of twenty first names agree about one time in twenty.
    assert fitted["u"]["first"]["exact"] == pytest.approx(1 / 20, rel=0.3)
    # Not fitted: email and phone (no record has one) keep their priors.
    assert fitted["m"]["email"] == PRIOR_M["email"] and fitted["u"]["phone"] == PRIOR_U["phone"]
    again = learn.fit(list(people))
    assert json.dumps(again, sort_keys=True) == json.dumps(fitted, sort_keys=True)


def test_too_few_records_keep_the_priors_and_say_so():
    fitted = learn.fit(_people(3))
    assert not fitted["learned"]
    assert fitted["m"] == PRIOR_M and fitted["u"] == PRIOR_U
    assert any("too few" in note for note in fitted["notes"])
    model = learn.fitted_model(_people(3), Model(auto_threshold=20.0))
    assert model.auto_threshold == 20.0 and model.m == PRIOR_M


def test_a_degenerate_fit_falls_back_or_is_clamped():
    m = {c: dict(v) for c, v in PRIOR_M.items()}
    u = {c: dict(v) for c, v in PRIOR_U.items()}
    m["postcode"] = {"agree": 0.01, "disagree": 0.99}  # agreeing would count against a match
    m["birthday"]["different"] = 0.5  # far from its prior of 0.03
    notes: list[str] = []
    learn._guard(m, u, notes)
    assert m["postcode"] == PRIOR_M["postcode"]
    assert m["birthday"]["different"] == pytest.approx(PRIOR_M["birthday"]["different"] * learn.MAX_FACTOR_M)
    assert any(note.startswith("postcode: agreement") for note in notes)
    assert any(note.startswith("birthday different: m 0.5 held to") for note in notes)
    # A disagreement is never made more damning than its prior.
    m["address"]["different"] = 0.01
    learn._guard(m, u, notes)
    assert m["address"]["different"] == PRIOR_M["address"]["different"]


def test_a_stored_fit_survives_bad_values():
    model = Model().apply_fit({"version": 1, "m": {"first": {"exact": 0.5, "close": 7, "bogus": 0.1},
                                                   "nowhere": {"x": 0.2}}, "u": "not a table"})
    assert model.m["first"]["exact"] == 0.5
    assert model.m["first"]["close"] == PRIOR_M["first"]["close"]
    assert "nowhere" not in model.m and model.u == PRIOR_U
    assert model.bits("first", "near") == pytest.approx(math.log2(PRIOR_M["first"]["near"] / PRIOR_U["first"]["near"]))


def _row(p: Profile) -> list[str]:
    return [p.first.title(), p.last.title(), p.address.title(), p.postcode, p.birthday]


def test_the_first_import_fits_the_model_and_later_imports_use_it(ws, tmp_path):
    header = ["First Name", "Last Name", "Address", "Zip", "Birthday"]
    people = _people()
    import_file(ws, write_csv(tmp_path / "a.csv", header, [_row(p) for p in people]), ImportOptions(channel="shop"))
    stored = ws.get_setting(learn.SETTING_KEY)
    assert stored["learned"] and stored["records"] == len(people)
    model = model_from_settings(ws.get_setting)
    assert model.m["first"]["close"] == stored["m"]["first"]["close"] != PRIOR_M["first"]["close"]
    assert model.fit["records"] == len(people)
    # The workspace's thresholds still apply on top of the fit.
    ws.set_setting("match_auto_threshold", 18.0)
    assert model_from_settings(ws.get_setting).auto_threshold == 18.0
    # A later import is scored with the stored fit and does not refit.
    import_file(ws, write_csv(tmp_path / "b.csv", header, [["Olivia", "Okafor", "", "2000", ""]]),
                ImportOptions(channel="shop"))
    assert ws.get_setting(learn.SETTING_KEY) == stored


@pytest.mark.parametrize(("a", "b", "level"), [
    ("42 Oakland St", "42 Oakland Street", "same"),
    ("42 Oakland St", "24 Oakland St", "number"),  # two digits swapped
    ("7 Oakland St", "17 Oakland St", "number"),  # a digit added
    ("25 Waterfield Pl", "26 Waterfiel d Place", "number"),
    ("264 School St", "79 School St", "street"),  # another number: a neighbour down the road, or a slip
    ("264 School St", "79 Schofield St", "different"),
    ("42 Oakland St", "24 Elmwood St", "different"),
    ("42 Oak St", "24 Oak St", "different"),  # too short a street name to tell a slip by
    ("Oakland St", "42 Oakland St", "same"),  # a number left out is no slip
])
def test_address_levels(a, b, level):
    assert address_level(fold_address(a), fold_address(b)) == level
    assert address_level(fold_address(b), fold_address(a)) == level


def _at(address: str, birthday: str | None = "1961-04-09", first: str = "nadia") -> Profile:
    return Profile(rid=0, row_hash="", customer_id=None, kind="contacts", channel="shop", first=first,
                   last="petrova", emails=(), phones=(), externals=(), postcode="04101", city="",
                   address=fold_address(address), birthday=birthday)


FREQ = Frequencies(first=Counter({"nadia": 3}), last=Counter({"petrova": 3}), postcode=Counter({"04101": 50}),
                   n_first=10_000, n_last=10_000, n_postcode=10_000)


def test_a_house_number_a_slip_apart_is_a_little_against_not_a_different_address():
    model = Model()
    same = score_pair(_at("42 Oakland St"), _at("42 Oakland St"), FREQ, model)
    slip = score_pair(_at("42 Oakland St"), _at("24 Oakland St"), FREQ, model)
    other = score_pair(_at("42 Oakland St"), _at("9 Elm Rd"), FREQ, model)
    assert other.weight < slip.weight < same.weight
    assert slip.weight - other.weight == pytest.approx(
        model.bits("address", "number") - model.bits("address", "different"), abs=0.02)
    assert "house numbers a slip apart" in slip.reasons
    # The birthday still merges them; the number alone is not an address's strong evidence.
    assert slip.conflict is None and slip.decision == "auto"
    assert not score_pair(_at("42 Oakland St", None), _at("24 Oakland St", None), FREQ, model).strong


def test_birthday_levels_each_have_their_weight():
    model = Model()

    def weight(birthday):
        return score_pair(_at("", "1961-04-09"), _at("", birthday), FREQ, model)

    exact, typo, day, other = weight("1961-04-09"), weight("1961-04-08"), weight("1975-04-09"), weight("1985-11-30")
    assert exact.weight > typo.weight > other.weight and exact.weight > day.weight > other.weight
    # A digit apart is a slip, the same person's; no guard stops the merge.
    assert typo.conflict is None
    # Same day and month in another year: a relative born on the same day, not the same birthday.
    assert day.conflict == other.conflict == "different birthdays"
    assert day.weight - other.weight == pytest.approx(
        model.bits("birthday", "day") - model.bits("birthday", "different"), abs=0.02)


def test_a_fitted_level_changes_the_weight_it_gives():
    fitted = Model().apply_fit({"version": 1, "m": {"first": {"close": 0.12}}})
    a, b = _at("", None, "nadia"), _at("", None, "nadai")
    assert score_pair(a, b, FREQ, fitted).weight - score_pair(a, b, FREQ, Model()).weight == pytest.approx(
        math.log2(0.12 / PRIOR_M["first"]["close"]), abs=0.01)


def test_a_record_turned_round_in_one_pair_is_not_turned_back_by_another():
    # Every pair is scored before any is joined.  "Goode Caitlin" is scored as swapped
    # against both Caitlin Goodes, then joins the first one turned round; its pair with
    # the last one must not then turn that one round instead, as if still swapped.
    rows = [("caitlin", "goode", "72 yuranigh ct", "5048"), ("caitlni", "goode", "72 yuranigh ct", "5048"),
            ("caitli", "goode", "29 yuranighcourt", "5048"), ("goode", "caitlin", "72 yuranigh co urt", "5048"),
            ("caitlin", "goode", "72 yuranigh ct", "5084")]
    profiles = [Profile(rid=k, row_hash="", customer_id=None, kind="contacts", channel="shop", first=first,
                        last=last, emails=(), phones=(), externals=(), postcode=postcode, city="",
                        address=fold_address(address), birthday="1902-08-14")
                for k, (first, last, address, postcode) in enumerate(rows)]
    plan = cluster_profiles(profiles, Frequencies.from_profiles(profiles), Model(), [], [])
    assert len(set(plan.roots)) == 1
    assert [(p.first, p.last) for p in profiles if p.first == "goode"] == []


def test_a_birthday_meets_a_name_written_the_other_way_round_or_mistyped_past_its_spelling(ws, tmp_path):
    # No postcode, town or first name in common: the date of birth with the last name,
    # or with its sound, is what brings them together.
    header = ["First Name", "Last Name", "Address", "Zip", "Birthday"]
    rows = [["Conaghty", "Madeline", "8 Bonython St", "2800", "1985-08-10"],
            ["Madelnie", "Conaghty", "8 Bonython St", "2809", "1985-08-10"],
            ["Makendi", "Morrisn", "381 Maclaurin Cres", "5039", "1981-05-22"],
            ["Makenzi", "Morrison", "381 Maclaurin Cres", "5038", "1981-05-22"]]
    import_file(ws, write_csv(tmp_path / "a.csv", header, rows), ImportOptions(channel="shop"))
    with ws.engine.connect() as conn:
        placed = dict(conn.exec_driver_sql("SELECT record_no, customer_id FROM source_record").fetchall())
    assert placed[1] == placed[2] and placed[3] == placed[4] and placed[1] != placed[3]


def test_a_rebuild_that_learns_nothing_forgets_the_old_fit(ws, tmp_path):
    from omnidesk.core.identity.resolve import resolve_all

    header = ["First Name", "Last Name", "Address", "Zip", "Birthday"]
    import_file(ws, write_csv(tmp_path / "a.csv", header, [_row(p) for p in _people()]), ImportOptions(channel="shop"))
    assert ws.get_setting(learn.SETTING_KEY)["learned"]
    with ws.writing() as conn:
        conn.exec_driver_sql("DELETE FROM source_record WHERE id > 10")
        resolve_all(conn, model_from_settings(ws.get_setting), from_scratch=True)
    assert ws.get_setting(learn.SETTING_KEY) is None
    assert model_from_settings(ws.get_setting).m == PRIOR_M
