"""Jr. and Sr. tell a father from his son: never merged by themselves on a shared house and landline."""

from __future__ import annotations

import csv

import pytest

from tests.helpers import run_cli, write_csv

HEADER = ["First Name", "Last Name", "Email", "Phone", "Address", "City", "Zip"]
HOME = ["614-733-2291", "45 Elm St", "Columbus", "43215"]


def _import(capsys, tmp_path, shop_rows, till_rows):
    ws = tmp_path / "w.omnidesk"
    for name, channel, rows in (("shop", "shop", shop_rows), ("till", "pos", till_rows)):
        path = write_csv(tmp_path / f"{name}.csv", HEADER, rows)
        status, _, err = run_cli(capsys, "import", path, "--channel", channel, "--region", "US", "-w", ws)
        assert status == 0, err
    out = tmp_path / "out.csv"
    status, _, err = run_cli(capsys, "-w", ws, "export", "customers", out,
                             "--columns", "first_name,last_name,email,source_records", "--force")
    assert status == 0, err
    with out.open(encoding="utf-8", newline="") as fh:
        customers = sorted(tuple(r.values()) for r in csv.DictReader(fh))
    status, review, err = run_cli(capsys, "-w", ws, "review", "list")
    assert status == 0, err
    return customers, review


def test_senior_and_junior_on_one_landline_are_two_people(capsys, tmp_path):
    customers, review = _import(capsys, tmp_path, [["John", "Carter Sr.", "jcarter@comcast.net", *HOME]],
                                [["John", "Carter Jr.", "", *HOME]])
    assert customers == [("John", "Carter Jr.", "", "1"), ("John", "Carter Sr.", "jcarter@comcast.net", "1")]
    assert "different generations (Jr., Sr.)" in review


def test_a_junior_against_a_name_without_suffix_waits_in_review(capsys, tmp_path):
    customers, review = _import(capsys, tmp_path, [["John", "Carter", "jcarter@comcast.net", *HOME]],
                                [["John", "Carter Jr.", "", *HOME],
                                 ["John Jr.", "Carter", "johnnyc@gmail.com", *HOME]])
    assert customers == [("John", "Carter", "jcarter@comcast.net", "1"),
                         ("John Jr.", "Carter", "johnnyc@gmail.com", "2")]
    assert "a Jr. or Sr. on one side only" in review


def test_the_suffix_written_on_one_side_only_with_the_same_email_is_one_person(capsys, tmp_path):
    customers, review = _import(capsys, tmp_path, [["John", "Carter Jr.", "johnnyc@gmail.com", *HOME]],
                                [["John", "Carter", "johnnyc@gmail.com", *HOME]])
    assert customers == [("John", "Carter Jr.", "johnnyc@gmail.com", "2")]


BIRTH_HEADER = [*HEADER, "Birthday"]
FILES = {
    "shop": ("shop", [["John", "Carter Sr.", "jcarter@comcast.net", *HOME, ""]]),
    "till": ("pos", [["John", "Carter Jr.", "", *HOME, "1988-07-02"]]),
    # The son signing up with the family's email and his birthday, no suffix: one the father's by
    # the email, the other the son's by the full birthday.
    "signup": ("email", [["John", "Carter", "jcarter@comcast.net", HOME[0], "", "", "", "1988-07-02"]]),
}


def _files_by_customer(capsys, tmp_path, ws):
    out_sources = tmp_path / "sources.csv"
    status, _, err = run_cli(capsys, "-w", ws, "export", "sources", out_sources, "--force")
    assert status == 0, err
    with out_sources.open(encoding="utf-8", newline="") as fh:
        by_customer: dict[str, set[str]] = {}
        for r in csv.DictReader(fh):
            by_customer.setdefault(r["customer_id"], set()).add(r["source_file"])
    return by_customer


@pytest.mark.parametrize("order", [("shop", "till", "signup"), ("signup", "shop", "till"),
                                   ("shop", "signup", "till"), ("till", "signup", "shop")])
def test_a_record_without_suffix_does_not_bridge_senior_and_junior(capsys, tmp_path, order):
    """"John Carter" with the father's email and the son's birthday is like both: it joins one of them,
    never the father's customer to the son's, on import in any order and in a rebuild."""
    ws = tmp_path / "w.omnidesk"
    for name in order:
        channel, rows = FILES[name]
        path = write_csv(tmp_path / f"{name}.csv", BIRTH_HEADER, rows)
        status, _, err = run_cli(capsys, "import", path, "--channel", channel, "--region", "US", "-w", ws)
        assert status == 0, err
    for _ in ("import", "rebuild"):
        files = _files_by_customer(capsys, tmp_path, ws)
        assert not any({"shop.csv", "till.csv"} <= held for held in files.values()), files
        status, review, err = run_cli(capsys, "-w", ws, "review", "list")
        assert status == 0, err
        assert "different generations (Jr., Sr.)" in review  # theirs to say, in Review
        status, _, err = run_cli(capsys, "resolve", "--from-scratch", "-w", ws)
        assert status == 0, err
