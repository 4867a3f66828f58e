"""How sure Review says a pair is, what a bulk accept takes, and which names-only pairs are asked at all."""

from __future__ import annotations

import pytest

from omnidesk.cli import main
from omnidesk.core.errors import UserError
from omnidesk.core.identity import merge as mg
from omnidesk.core.identity.resolve import resolve_all
from omnidesk.core.identity.scoring import Model, pair_confidence
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from tests.helpers import write_csv

HEADER = ["First Name", "Last Name", "Email", "Phone", "Address", "City", "Zip"]
TILL = ["Customer", "Receipt No", "Total"]
# A shop's worth of other people, so that how rare a name is means something.
CROWD = [[f, last, f"{f}.{last}@example.org", "", "", "", ""]
         for f in ("Amy", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hal", "Ida", "Jon", "Kim", "Liam")
         for last in ("Abbot", "Brook", "Chen", "Dunn", "Ellis", "Ford", "Grant", "Hart", "Irwin", "Jones")]
MODEL = Model(auto_threshold=14.0, review_threshold=7.0)


def _load(ws, tmp_path, name, rows, header=HEADER, channel="shop"):
    return import_file(ws, write_csv(tmp_path / name, header, rows), ImportOptions(channel=channel))


def test_a_pair_with_a_conflict_is_never_very_likely_and_its_score_is_not_called_odds():
    reasons = ["same email", "same last name", "same postcode", "but different first names"]
    sure = pair_confidence(19.9, reasons, MODEL)
    assert "likely" not in sure.words and sure.words == "unsure: different first names"
    assert sure.headline == "Unsure: different first names" and sure.conflict == "different first names"
    assert "to 1" not in sure.hint and "19.9 bits" in sure.hint and "not the odds of one person" in sure.hint
    # A conflict the clustering met on the way reads the same.
    guarded = pair_confidence(30.0, ["same phone", "same name", "not merged: different birthdays"], MODEL)
    assert guarded.words == "unsure: different birthdays"


def test_a_pair_with_nothing_but_the_name_is_at_most_possibly():
    reasons = ["same first name", "same last name", "nothing but the name to go on"]
    sure = pair_confidence(14.33, reasons, MODEL)
    assert sure.words == "possibly" and sure.names_only and sure.headline == "Possibly the same person"
    assert "to 1" not in sure.hint and "how rare the name is" in sure.hint
    assert pair_confidence(7.2, reasons, MODEL).words == "possibly"
    assert pair_confidence(3.0, reasons, MODEL).words == "unlikely"


def test_a_pair_whose_names_were_not_compared_is_at_most_possibly_and_never_merged_in_bulk(ws, tmp_path):
    from omnidesk.core.identity.scoring import NAMES_UNREADABLE

    reasons = ["same email", NAMES_UNREADABLE]
    sure = pair_confidence(14.2, reasons, MODEL)
    assert sure.words == "unsure: names in two scripts" and sure.names_unread and sure.conflict is None
    assert "to 1" not in sure.hint and "two scripts" in sure.hint
    _load(ws, tmp_path, "shop.csv", [["蒼空", "高橋", "rtakahashi@example.com", "", "", "", ""]])
    _load(ws, tmp_path, "list.csv", [["Sora", "Takahashi", "rtakahashi@example.com", "", "", "", ""]],
          channel="email")
    (review,) = mg.list_reviews(ws)
    assert review.names_unread and review.for_one_by_one and review.score >= MODEL.auto_threshold
    assert mg.reviews_to_accept(ws, 0.0) == [] and mg.reviews_held_back(ws, 0.0) == [review]


def test_a_pair_with_nothing_against_it_keeps_its_words_and_odds():
    sure = pair_confidence(16.3, ["same email", "same name"], MODEL)
    assert sure.words == "very likely" and sure.headline == "Very likely the same person"
    assert "to 1 for one person" in sure.hint and sure.conflict is None and not sure.names_only


def test_the_bulk_accept_starts_at_the_automatic_merge_score_and_leaves_families_and_names_alone(ws, tmp_path):
    _load(ws, tmp_path, "shop.csv", [["Hannah", "Bennett", "bennetts@example.com", "", "", "", "04101"],
                                     ["Amy", "Brook", "amy.b@example.com", "", "", "", "04101"],
                                     ["Ottoline", "Quartermaine", "oq@example.com", "", "", "", ""], *CROWD])
    _load(ws, tmp_path, "list.csv", [["Leonard", "Bennett", "bennetts@example.com", "", "", "", "04101"],
                                     ["Amy", "Brook", "", "(415) 555-0199", "", "", "04101"]], channel="email")
    _load(ws, tmp_path, "till.csv", [["Quartermaine, Ottoline", "5001", "12.50"]], header=TILL, channel="pos")
    reviews = mg.list_reviews(ws)
    kinds = {("conflict" if r.conflict else "name" if r.names_only else "clear"): r for r in reviews}
    assert set(kinds) == {"conflict", "name", "clear"}
    # The family's pair is the strongest: the old default (the top score) took exactly it.
    assert max(reviews, key=lambda r: r.score) is kinds["conflict"]
    assert mg.bulk_accept_default(MODEL) == MODEL.auto_threshold
    assert mg.reviews_to_accept(ws, 0.0) == [kinds["clear"]]
    assert {r.id for r in mg.reviews_held_back(ws, 0.0)} == {kinds["conflict"].id, kinds["name"].id}
    before = ws.counts()["customers"]
    assert mg.accept_reviews_above(ws, 0.0).customers_merged == 1
    assert ws.counts()["customers"] == before - 1
    assert {r.id for r in mg.list_reviews(ws)} == {kinds["conflict"].id, kinds["name"].id}


@pytest.mark.parametrize("scratch", [False, True])
def test_a_namesake_known_by_a_town_alone_is_not_whom_a_till_name_is_asked_about(ws, tmp_path, scratch):
    _load(ws, tmp_path, "shop.csv", [["Ottoline", "Quartermaine", "", "", "", "Brunswick", "04011"], *CROWD])
    _load(ws, tmp_path, "till.csv", [["Quartermaine, Ottoline", "5001", "12.50"],
                                     ["Quartermaine, Ottoline", "5002", "9.00"]], header=TILL, channel="pos")
    if scratch:
        with ws.engine.begin() as conn:
            resolve_all(conn, from_scratch=True)
    assert mg.list_reviews(ws) == []


def test_a_namesake_with_a_street_address_is_asked_about(ws, tmp_path):
    _load(ws, tmp_path, "shop.csv", [["Ottoline", "Quartermaine", "", "", "937 Spring St", "Brunswick", "04011"],
                                     *CROWD])
    _load(ws, tmp_path, "till.csv", [["Quartermaine, Ottoline", "5001", "12.50"]], header=TILL, channel="pos")
    (review,) = mg.list_reviews(ws)
    assert review.names_only


def test_a_pair_id_that_never_existed_is_said_not_to_exist(ws, tmp_path, capsys):
    _load(ws, tmp_path, "a.csv", [["Anna", "Lee", "lee@example.com", "", "", "", ""],
                                  ["Bea", "Fox", "fox@example.com", "", "", "", ""]])
    _load(ws, tmp_path, "b.csv", [["Mark", "Lee", "lee@example.com", "", "", "", ""],
                                  ["Cal", "Fox", "fox@example.com", "", "", "", ""]], channel="email")
    first, second = sorted(r.id for r in mg.list_reviews(ws))
    with pytest.raises(UserError, match="^There is no pair 9999 to review"):
        mg.accept_review(ws, 9999)
    mg.reject_review(ws, first)
    with pytest.raises(UserError, match="no longer in the review queue"):
        mg.accept_review(ws, first)  # queued once, decided since
    path = str(ws.path)
    ws.close()
    assert main(["review", "accept", "9999", "-w", path]) != 0
    err = capsys.readouterr().err
    assert "There is no pair 9999 to review" in err and "no longer" not in err


def test_names_in_two_scripts_are_unsure_and_never_merged_in_bulk(ws, tmp_path):
    # 高橋 蒼空 in the shop, Sora Takahashi on the newsletter, one email: the names were not
    # compared, so the score is the email's alone and reaches the automatic merge's - as a
    # family's two people on one mailbox would.  A bulk accept at its default must not take it.
    _load(ws, tmp_path, "shop.csv", [["蒼空", "高橋", "rtakahashi@example.com", "", "", "", ""],
                                     ["Amy", "Brook", "amy.b@example.com", "", "", "", "04101"], *CROWD])
    _load(ws, tmp_path, "list.csv", [["Sora", "Takahashi", "rtakahashi@example.com", "", "", "", ""],
                                     ["Amy", "Brook", "", "(415) 555-0199", "", "", "04101"]], channel="email")
    reviews = mg.list_reviews(ws)
    (unread,) = [r for r in reviews if r.names_unread]
    assert unread.score >= MODEL.auto_threshold and unread.conflict is None and unread.for_one_by_one
    sure = pair_confidence(unread.score, unread.reasons, MODEL)
    assert sure.words == "unsure: names in two scripts" and "likely" not in sure.words and sure.names_unread
    assert "to 1" not in sure.hint and "not the odds of one person" in sure.hint
    assert unread not in mg.reviews_to_accept(ws, 0.0)
    assert unread.id in {r.id for r in mg.reviews_held_back(ws, mg.bulk_accept_default(MODEL))}
    mg.accept_reviews_above(ws, 0.0)
    assert [r.id for r in mg.list_reviews(ws)] == [unread.id]


def test_a_pair_names_everything_that_speaks_against_one_person(ws, tmp_path):
    """A family's two people on one mailbox whose first names and birthdays both differ wait in
    Review saying both, not only the first found: it is a different question from a pair whose
    first names alone differ (a nickname the dictionary lacks, with the same birthday)."""
    header = [*HEADER, "Birthday"]
    _load(ws, tmp_path, "shop.csv", [["Hannah", "Bennett", "bennetts@example.com", "", "", "", "04101", "1980-03-14"],
                                     ["Rosalind", "Okafor", "okafors@example.com", "", "", "", "04101", "1975-06-02"],
                                     *[[*row, ""] for row in CROWD]], header=header)
    _load(ws, tmp_path, "list.csv", [["Leonard", "Bennett", "bennetts@example.com", "", "", "", "04101", "1952-11-30"],
                                     ["Tamsin", "Okafor", "okafors@example.com", "", "", "", "04101", "1975-06-02"]],
          header=header, channel="email")
    reviews = {r.conflict: r for r in mg.list_reviews(ws)}
    assert set(reviews) == {"different first names and birthdays", "different first names"}
    both = pair_confidence(reviews["different first names and birthdays"].score,
                           reviews["different first names and birthdays"].reasons, MODEL)
    assert both.headline == "Unsure: different first names and birthdays"
    assert "but different first names and birthdays speak against one person" in both.hint
