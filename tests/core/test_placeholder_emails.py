"""An address typed for "no email" ("none@none.com") is nobody's: it joins no one and is flagged."""

from __future__ import annotations

import csv

import pytest

from omnidesk.core.contact import normalize_email
from tests.helpers import run_cli, write_csv

HEADER = ["First Name", "Last Name", "Email", "Phone", "Address", "City", "Zip"]


def _customers(capsys, ws, out):
    status, _, err = run_cli(capsys, "-w", ws, "export", "customers", out,
                             "--columns", "first_name,last_name,email,phone,source_records", "--force")
    assert status == 0, err
    with out.open(encoding="utf-8", newline="") as fh:
        return sorted((r["first_name"], r["email"], r["phone"], r["source_records"]) for r in csv.DictReader(fh))


def test_a_till_placeholder_email_joins_no_two_people(capsys, tmp_path):
    ws = tmp_path / "w.omnidesk"
    shop = write_csv(tmp_path / "shop.csv", HEADER, [
        ["David", "Brown", "dbrown.chi@gmail.com", "312-404-7721", "55 Lake St", "Chicago", "60601"],
        ["David", "Brown", "davidb@yahoo.com", "773-219-0098", "900 Clark St", "Chicago", "60614"],
    ])
    till = write_csv(tmp_path / "till.csv", HEADER, [
        ["David", "Brown", "none@none.com", "312-404-7721", "", "Chicago", ""],
        ["David", "Brown", "NoEmail@NoEmail.com", "773-219-0098", "", "Chicago", ""],
    ])
    for path, channel in ((shop, "shop"), (till, "pos")):
        status, _, err = run_cli(capsys, "import", path, "--channel", channel, "--region", "US", "-w", ws,
                                 *(("--errors", tmp_path / "errors.csv") if channel == "pos" else ()))
        assert status == 0, err
    assert _customers(capsys, ws, tmp_path / "out.csv") == [
        ("David", "davidb@yahoo.com", "+17732190098", "2"),
        ("David", "dbrown.chi@gmail.com", "+13124047721", "2"),
    ]
    with (tmp_path / "errors.csv").open(encoding="utf-8", newline="") as fh:
        problems = [r["omnidesk_problems"] for r in csv.DictReader(fh)]
    assert problems == ["Email: a placeholder, not an address: left out"] * 2


@pytest.mark.parametrize("raw", ["none@none.com", "noemail@shop.com", "no@email.com", "na@na.com",
                                 "test@test.com", "x@x.com", "donotreply@shop.com", "nomail@gmail.com",
                                 "<None@None.com>"])
def test_placeholder_addresses_are_no_address(raw):
    got = normalize_email(raw)
    assert got.value is None and got.problem == "a placeholder, not an address: left out"


@pytest.mark.parametrize("raw", ["nina@na-design.com", "ann@example.com", "test@fb.com", "a@x.com",
                                 "nonet@gmail.com", "anna@none.example.org"])
def test_real_addresses_stay(raw):
    assert normalize_email(raw).value == raw
