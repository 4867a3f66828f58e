"""Namesakes at one address with their own emails or phones are asked about, not merged.

Two "Pat Lee"s at a law firm's office: patricia.lee@ and patrick.lee@harborlaw.com.  Two
addresses at one firm's domain are colleagues as often as one person, so the domain is no
evidence; and a name and a street alone, each with its own email or phone, are a question
for the user, not a merge.
"""

from __future__ import annotations

import csv

import pytest

from tests.helpers import run_cli, write_csv

HEADER = ["First Name", "Last Name", "Email", "Phone", "Address", "City", "Zip"]
OFFICE = ["100 Biscayne Blvd", "Miami", "33131"]


@pytest.mark.parametrize(("first", "second"), [
    (["patricia.lee@harborlaw.com", ""], ["patrick.lee@harborlaw.com", ""]),  # colleagues at one firm
    (["patricia.lee@gmail.com", "305-610-1111"], ["plee@yahoo.com", "786-220-2222"]),  # two emails, two phones
])
def test_two_pat_lees_at_one_address_wait_in_review(capsys, tmp_path, first, second):
    ws = tmp_path / "ws.omnidesk"
    for name, contact, channel in (("shop.csv", first, "shop"), ("list.csv", second, "email")):
        status, _, err = run_cli(capsys, "import", write_csv(tmp_path / name, HEADER, [["Pat", "Lee", *contact, *OFFICE]]),
                                 "-w", ws, "--channel", channel, "--region", "US")
        assert status == 0, err
    status, _, err = run_cli(capsys, "export", "customers", tmp_path / "customers.csv", "-w", ws)
    assert status == 0, err
    with (tmp_path / "customers.csv").open(newline="", encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) == 2  # two people
    status, out, err = run_cli(capsys, "review", "list", "-w", ws)
    assert status == 0, err
    assert "Pat Lee (#1)  ~  Pat Lee (#2)" in out and "same address" in out
    assert "work email domain" not in out
