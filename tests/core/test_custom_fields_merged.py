"""A custom field typed in on a merged customer, and what each side keeps when it is split.

The shop's Ann (#1), Bo (#2) and Cy (#3) each have Loyalty Points from the file (420, 10, 7).
Driven through the command line: typed in with ``customer set``, merged with ``merge``, split
with ``unmerge``, read back as ``export customers`` writes it (the value the card shows) and as
a segment rule picks it.
"""

from __future__ import annotations

import csv
import json

import pytest
import time_machine

from tests.helpers import run_cli, write_csv

HEADER = ["First Name", "Last Name", "Email", "Phone", "City", "Loyalty Points", "Newsletter VIP"]
ROWS = [["Ann", "Lee", "ann@example.com", "(415) 555-0101", "Bangor", "420", "yes"],
        ["Bo", "Fox", "bo@example.com", "(415) 555-0102", "Portland", "10", "no"],
        ["Cy", "Dunn", "cy@example.com", "", "Bangor", "7", "yes"]]


@pytest.fixture
def shop(tmp_path, capsys, empty_workspace_file):
    import shutil

    path = tmp_path / "shop.omnidesk"
    shutil.copyfile(empty_workspace_file, path)
    with time_machine.travel("2026-11-02T15:00:00Z", tick=False):
        status, _, err = run_cli(capsys, "-w", path, "import", write_csv(tmp_path / "shop.csv", HEADER, ROWS),
                                 "--channel", "shop")
    assert status == 0, err
    return path


def od(capsys, shop, *argv, at: str) -> str:
    with time_machine.travel(at, tick=False):
        status, out, err = run_cli(capsys, "-w", shop, *argv)
    assert status == 0, err
    return out


def points(capsys, shop, tmp_path) -> dict[int, tuple[str, str, str, str]]:
    """Customer id -> (first name, city, company, Loyalty Points) as an export writes them."""
    out = tmp_path / "out.csv"
    od(capsys, shop, "export", "customers", out, "--force", "--columns",
       "id,first_name,city,company,custom.Loyalty Points", at="2026-11-09T15:00:00Z")
    with out.open(encoding="utf-8", newline="") as fh:
        return {int(r["id"]): (r["first_name"], r["city"], r["company"], r["Loyalty Points"])
                for r in csv.DictReader(fh)}


def picked(capsys, shop, value: int) -> int:
    rule = json.dumps({"field": "custom.Loyalty Points", "op": "is", "value": value})
    return int(od(capsys, shop, "segment", "count", "--rule", rule, at="2026-11-09T15:00:00Z").split()[0])


def test_a_field_typed_on_the_merged_customer_stays_with_the_customer_that_keeps_its_id(shop, tmp_path, capsys):
    """Only Bo had anything typed in before the merge (a city): the merged customer's one hand
    record was his.  600 typed on the merged card went with it to Bo, and Ann fell back to the file."""
    od(capsys, shop, "customer", "set", "2", "city", "Rockland", at="2026-11-03T15:00:00Z")
    od(capsys, shop, "merge", "1", "2", at="2026-11-04T15:00:00Z")
    od(capsys, shop, "customer", "set", "1", "company", "Acme", at="2026-11-05T15:00:00Z")
    od(capsys, shop, "customer", "set", "1", "custom.Loyalty Points", "600", at="2026-11-05T15:00:00Z")
    assert points(capsys, shop, tmp_path)[1][2:] == ("Acme", "600")
    assert "to new customer 4" in od(capsys, shop, "unmerge", "2", at="2026-11-06T15:00:00Z")
    assert points(capsys, shop, tmp_path) == {1: ("Ann", "Bangor", "Acme", "600"),
                                              3: ("Cy", "Bangor", "", "7"),
                                              4: ("Bo", "Rockland", "", "10")}
    assert (picked(capsys, shop, 600), picked(capsys, shop, 10), picked(capsys, shop, 420)) == (1, 1, 0)


def test_the_split_off_side_takes_back_the_field_typed_for_it_before_the_merge(shop, tmp_path, capsys):
    """Bo was given 77 and Ann 500 by hand; merged, the card was given 600.  Typing 600 took every
    typed value of the field off both sides, and the split gave Bo the 600 and Ann the file's 420."""
    od(capsys, shop, "customer", "set", "2", "custom.Loyalty Points", "77", at="2026-11-03T15:00:00Z")
    od(capsys, shop, "customer", "set", "1", "custom.Loyalty Points", "500", at="2026-11-03T16:00:00Z")
    od(capsys, shop, "merge", "1", "2", at="2026-11-04T15:00:00Z")
    assert points(capsys, shop, tmp_path)[1][3] == "500"  # typed last
    od(capsys, shop, "customer", "set", "1", "custom.Loyalty Points", "600", at="2026-11-05T15:00:00Z")
    assert points(capsys, shop, tmp_path)[1][3] == "600"
    assert picked(capsys, shop, 600) == 1 and picked(capsys, shop, 77) == 0
    od(capsys, shop, "unmerge", "2", at="2026-11-06T15:00:00Z")
    shown = points(capsys, shop, tmp_path)
    assert (shown[1][3], shown[4][3]) == ("600", "77")
    assert (picked(capsys, shop, 600), picked(capsys, shop, 77), picked(capsys, shop, 500)) == (1, 1, 0)


def test_the_merged_card_shows_the_field_typed_last_whichever_hand_record_is_newer(shop, tmp_path, capsys):
    """Ann's hand record was made first (a city typed in), Bo was given 77, then Ann 500: merged,
    the card and a rule read 500, the value typed last, not the newer record's 77."""
    od(capsys, shop, "customer", "set", "1", "city", "Orono", at="2026-11-03T14:00:00Z")
    od(capsys, shop, "customer", "set", "2", "custom.Loyalty Points", "77", at="2026-11-03T15:00:00Z")
    od(capsys, shop, "customer", "set", "1", "custom.Loyalty Points", "500", at="2026-11-03T16:00:00Z")
    od(capsys, shop, "merge", "1", "2", at="2026-11-04T15:00:00Z")
    assert points(capsys, shop, tmp_path)[1][3] == "500"
    assert (picked(capsys, shop, 500), picked(capsys, shop, 77)) == (1, 0)
    # Cleared on the merged card: neither side's typed value nor a file's shows.
    od(capsys, shop, "customer", "set", "1", "custom.Loyalty Points", "", at="2026-11-05T15:00:00Z")
    assert points(capsys, shop, tmp_path)[1][3] == ""
    od(capsys, shop, "unmerge", "2", at="2026-11-06T15:00:00Z")
    shown = points(capsys, shop, tmp_path)
    assert (shown[1][3], shown[4][3]) == ("", "77")
