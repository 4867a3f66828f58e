"""Jr. and Sr. tell a father from his son: never merged by themselves on a shared house and landline."""

from __future__ import annotations

import csv

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
