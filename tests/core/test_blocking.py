"""Blocking on arrays gives exactly the pairs the rules spell out, record by record."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from omnidesk.core.identity.blocking import MAX_BLOCK, _family_keys, candidate_pair_sets, iter_pairs, share_a_block
from omnidesk.core.identity.scoring import Profile


def reference(profiles, only=None):
    """The blocking rules written out plainly, one dict of blocks per family."""
    exact, named = set(), set()
    for family in ("id", "z", "c", "b", "e", "d"):
        blocks = defaultdict(list)
        for i, p in enumerate(profiles):
            for key in _family_keys(p, family):
                if i not in blocks[key]:
                    blocks[key].append(i)
        out = exact if family == "id" else named
        for key, members in blocks.items():
            if len(members) > MAX_BLOCK:
                if family == "id":
                    out.update(zip(members, members[1:]))
                continue
            for x, i in enumerate(members):
                for j in members[x + 1:]:
                    a, b = profiles[i], profiles[j]
                    if family == "c" and a.postcode and b.postcode and not (a.address and b.address):
                        continue
                    if key.startswith("m:") and a.first and b.first:
                        continue  # the surname's block pairs a record without a first name only
                    out.add((i, j))
    if only is not None:
        exact = {(i, j) for i, j in exact if i in only or j in only}
        named = {(i, j) for i, j in named if i in only or j in only}
    return exact, named - exact


def profile(i, first, last, email, phone, postcode, city, address, birthday, company, reading=("", "")):
    # As profiles.py keeps them: a reading only for a name not written in Latin letters.
    first_read, last_read = (r if n and not n.isascii() else "" for n, r in zip((first, last), reading))
    return Profile(first_read=first_read, last_read=last_read, rid=i, row_hash=str(i), customer_id=None, kind="contacts", channel="shop",
                   first=first, last=last, emails=(email,) * (email != "") * 2,  # twice: counted once
                   phones=(phone,) if phone else (), externals=(), postcode=postcode, city=city,
                   address=address, birthday=birthday,
                   employers=("c" + company,) if company else ())


# Few values each, so blocks form, overlap and now and then grow past MAX_BLOCK.
people = st.lists(st.tuples(
    st.sampled_from(["ann", "anna", "bob", "robert", "lee", "太郎", ""]),  # "lee" a last name too
    st.sampled_from(["lee", "li", "smith", "山田", ""]),
    st.sampled_from(["a@x.com", "b@x.com", "c@x.com", ""]),  # "c": a town's keys start so too
    st.sampled_from(["+15550100", ""]),
    st.sampled_from(["04101", "04102", ""]),
    st.sampled_from(["portland", ""]),
    st.sampled_from(["1 main st", "2 main st", ""]),  # the same street: a birthday pairs them
    st.sampled_from(["1990-01-02", "--01-02", None]),
    st.sampled_from(["acme tools", ""]),
    # How the names are read (furigana): blocked under the reading as well as as written.
    st.sampled_from([("", "")] * 4 + [("taro", "yamada"), ("", "lee"), ("ann", "")]),
), max_size=80)


@settings(max_examples=200, deadline=None)
@given(people, st.data())
def test_array_blocking_equals_the_rules(rows, data):
    profiles = [profile(i, *row) for i, row in enumerate(rows)]
    only = data.draw(st.none() | (st.sets(st.integers(0, len(rows) - 1), max_size=10) if rows else st.just(set())))
    exact, named = candidate_pair_sets(profiles, only)
    want_exact, want_named = reference(profiles, only)
    assert set(iter_pairs(exact)) == want_exact
    assert set(iter_pairs(named)) == want_named
    assert len(set(exact.tolist())) == len(exact)  # no pair twice
    assert all(i < j for i, j in iter_pairs(named))


@settings(max_examples=100, deadline=None)
@given(people.filter(lambda rows: len(rows) < MAX_BLOCK))
def test_two_records_share_a_block_when_blocking_pairs_them(rows):
    # Blocks this small pair everyone: the pairs are exactly those share_a_block names.
    profiles = [profile(i, *row) for i, row in enumerate(rows)]
    exact, named = candidate_pair_sets(profiles)
    found = set(iter_pairs(exact)) | set(iter_pairs(named))
    assert found == {(i, j) for j in range(len(profiles)) for i in range(j)
                     if share_a_block(profiles[i], profiles[j])}


def test_big_blocks_chain_identifiers_and_drop_names():
    crowd = [profile(i, "ann", "lee", "a@x.com", "", "04101", "", "", None, "") for i in range(MAX_BLOCK + 5)]
    exact, named = candidate_pair_sets(crowd)
    assert set(iter_pairs(exact)) == {(i, i + 1) for i in range(len(crowd) - 1)}
    assert len(named) == 0  # "ann lee, 04101" shared by more than a block holds: no name pairs


def test_a_block_of_exactly_max_block_still_pairs_everyone():
    full = [profile(i, "ann", "lee", f"{i}@x.com", "", "04101", "", "", None, "") for i in range(MAX_BLOCK)]
    _, named = candidate_pair_sets(full)
    assert len(named) == MAX_BLOCK * (MAX_BLOCK - 1) // 2
    _, named = candidate_pair_sets(full + [profile(MAX_BLOCK, "ann", "lee", "z@x.com", "", "04101", "", "", None, "")])
    assert len(named) == 0


def test_plan_groups_come_in_order_of_their_first_record_with_members_ascending():
    from array import array

    from omnidesk.core.identity.clustering import Plan

    roots = array("i", [4, 1, 4, 1, 4, 5, 6])  # clusters {0, 2, 4} (root 4), {1, 3}, {5}, {6}
    groups = list(Plan(roots, [], 0).groups(chunk=2))
    assert groups == [(4, [0, 2, 4]), (1, [1, 3]), (5, [5]), (6, [6])]
    assert list(Plan(array("i"), [], 0).groups()) == []


def test_a_name_written_the_other_way_round_meets_under_its_full_birthday():
    # Nothing else in common: only "d:lee:1990-01-02" (a first name of one, the last name of the other) pairs them.
    a = profile(0, "lee", "smith", "", "", "04101", "", "", "1990-01-02", "")
    b = profile(1, "ann", "lee", "", "", "", "", "", "1990-01-02", "")
    c = profile(2, "ann", "lee", "", "", "", "", "", "1990-01-03", "")  # born another day: meets nobody
    exact, named = candidate_pair_sets([a, b, c])
    assert len(exact) == 0
    assert set(iter_pairs(named)) == reference([a, b, c])[1] == {(0, 1)}


def test_a_field_given_as_none_is_absent_as_an_empty_one_is():
    import dataclasses

    rows = [profile(i, "ann", "lee", "", "", "04101", "portland", "", None, "") for i in range(3)]
    rows.append(profile(3, "ann", "lee", "", "", "", "portland", "", None, ""))
    with_none = [dataclasses.replace(rows[0], last=None), dataclasses.replace(rows[1], postcode=None),
                 dataclasses.replace(rows[2], first=None), dataclasses.replace(rows[3], city=None)]
    with_empty = [dataclasses.replace(rows[0], last=""), dataclasses.replace(rows[1], postcode=""),
                  dataclasses.replace(rows[2], first=""), dataclasses.replace(rows[3], city="")]
    got = [set(iter_pairs(part)) for part in candidate_pair_sets(with_none)]
    assert got == [set(iter_pairs(part)) for part in candidate_pair_sets(with_empty)]
    assert got == list(reference(with_empty))
    assert got[1]  # some pairs at all: the test compares something


def test_a_name_in_kanji_meets_its_reading_in_latin_letters():
    # 山田 太郎 read Yamada Taro and a till's "Taro Yamada" share only the postcode and the reading.
    a = profile(0, "太郎", "山田", "", "", "100-0001", "", "", None, "", reading=("taro", "yamada"))
    b = profile(1, "taro", "yamada", "", "", "100-0001", "", "", None, "")
    c = profile(2, "太郎", "山田", "", "", "100-0001", "", "", None, "")  # the same kanji, no reading
    exact, named = candidate_pair_sets([a, b, c])
    assert len(exact) == 0
    assert set(iter_pairs(named)) == reference([a, b, c])[1] == {(0, 1), (0, 2)}


def test_a_swap_with_a_slip_in_either_name_meets_in_its_postcode_only():
    # "Reed Vanesa" is "Vanessa Reid" written the other way round with two slips: only the
    # sounds of both names, in either order, in one postcode ("v:R300:V520:z04101") pair them.
    a = profile(0, "vanessa", "reid", "", "", "04101", "portland", "", None, "")
    b = profile(1, "reed", "vanesa", "", "", "04101", "portland", "", None, "")
    c = profile(2, "reed", "vanesa", "", "", "04102", "portland", "", None, "")  # another postcode
    exact, named = candidate_pair_sets([a, b, c])
    assert len(exact) == 0
    assert set(iter_pairs(named)) == reference([a, b, c])[1] == {(0, 1)}


def test_a_surname_and_a_place_pair_first_names_of_one_letter_and_records_without_one():
    # One postcode, one surname: a slip keeps the first letter (Lsa, Lisa); Hannah and Leonard
    # of one house are someone else each; a record with no first name meets everyone of the name.
    rows = [profile(0, "lisa", "howard", "", "", "04101", "", "", None, ""),
            profile(1, "lsa", "howard", "", "", "04101", "", "", None, ""),
            profile(2, "hannah", "howard", "", "", "04101", "", "", None, ""),
            profile(3, "leonard", "howard", "", "", "04101", "", "", None, ""),
            profile(4, "", "howard", "", "", "04101", "", "", None, "")]
    exact, named = candidate_pair_sets(rows)
    assert len(exact) == 0
    pairs = set(iter_pairs(named))
    assert pairs == reference(rows)[1]
    assert (0, 1) in pairs and (0, 3) in pairs and (1, 3) in pairs  # l..., one letter
    assert (0, 2) not in pairs and (2, 3) not in pairs
    assert {(i, 4) for i in range(4)} <= pairs
