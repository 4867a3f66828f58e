"""Jr. and Sr. tell a father from his son: never merged by themselves on a shared house and landline."""

from __future__ import annotations

import pytest

from tests.helpers import cli_imports, exported_customers, run_cli, source_placement, write_csv

HEADER = ["First Name", "Last Name", "Email", "Phone", "Address", "City", "Zip"]
HOME = ["614-733-2291", "45 Elm St", "Columbus", "43215"]


def _import(capsys, tmp_path, shop_rows, till_rows):
    ws = tmp_path / "w.omnidesk"
    cli_imports(capsys, ws, (write_csv(tmp_path / "shop.csv", HEADER, shop_rows), "shop"),
                (write_csv(tmp_path / "till.csv", HEADER, till_rows), "pos"))
    customers = sorted(tuple(r.values()) for r in exported_customers(
        capsys, ws, tmp_path, "first_name,last_name,email,source_records"))
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
    by_customer: dict[str, set[str]] = {}
    for (source_file, _row), customer in source_placement(capsys, ws, tmp_path).items():
        by_customer.setdefault(customer, set()).add(source_file)
    return by_customer


@pytest.mark.parametrize("order", [("shop", "till", "signup"), ("signup", "shop", "till"),
                                   ("shop", "signup", "till"), ("till", "signup", "shop")])
def test_a_record_without_suffix_does_not_bridge_senior_and_junior(capsys, tmp_path, order):
    """"John Carter" with the father's email and the son's birthday is like both: it joins one of them,
    never the father's customer to the son's, on import in any order and in a rebuild."""
    ws = tmp_path / "w.omnidesk"
    for name in order:
        channel, rows = FILES[name]
        cli_imports(capsys, ws, (write_csv(tmp_path / f"{name}.csv", BIRTH_HEADER, rows), channel))
    for _ in ("import", "rebuild"):
        files = _files_by_customer(capsys, tmp_path, ws)
        assert not any({"shop.csv", "till.csv"} <= held for held in files.values()), files
        status, review, err = run_cli(capsys, "-w", ws, "review", "list")
        assert status == 0, err
        assert "different generations (Jr., Sr.)" in review  # theirs to say, in Review
        status, _, err = run_cli(capsys, "resolve", "--from-scratch", "-w", ws)
        assert status == 0, err
