"""A street, town or postcode typed for "nothing here" ("n/a", "none", "-") is no address: records
holding it share none, and the card shows none."""

from __future__ import annotations

import csv

from tests.helpers import run_cli, write_csv

HEADER = ["First Name", "Last Name", "Email", "Phone", "Address", "City", "State", "Zip", "Birthday"]


def test_an_n_a_address_is_no_shared_address(capsys, tmp_path):
    ws = tmp_path / "w.omnidesk"
    till = write_csv(tmp_path / "till.csv", HEADER, [
        ["Michael", "Johnson", "", "", "n/a", "Chicago", "", "60601", ""],
        ["Michael", "Johnson", "", "", "N/A", "Chicago", "", "60601", ""],
        ["Laura", "Chen", "", "", "none", "unknown", "n/a", "00000", ""],
    ])
    shop = write_csv(tmp_path / "shop.csv", HEADER, [
        ["Michael", "Johnson", "mj1960@gmail.com", "312-404-1111", "n/a", "Chicago", "IL", "60601", "1960-01-01"],
        ["Michael", "Johnson", "mikej02@gmail.com", "312-404-2222", "n/a", "Chicago", "IL", "60601", "2002-02-02"],
    ])
    for path, channel in ((till, "pos"), (shop, "shop")):
        status, _, err = run_cli(capsys, "import", path, "--channel", channel, "--region", "US", "-w", ws)
        assert status == 0, err
    out = tmp_path / "out.csv"
    status, _, err = run_cli(capsys, "-w", ws, "export", "customers", out, "--columns",
                             "first_name,email,address,city,region,postcode,source_records", "--force")
    assert status == 0, err
    with out.open(encoding="utf-8", newline="") as fh:
        rows = sorted(tuple(r.values()) for r in csv.DictReader(fh))
    assert rows == [
        ("Laura", "", "", "", "", "", "1"),
        ("Michael", "", "", "Chicago", "", "60601", "1"),
        ("Michael", "", "", "Chicago", "", "60601", "1"),
        ("Michael", "mikej02@gmail.com", "", "Chicago", "IL", "60601", "1"),
        ("Michael", "mj1960@gmail.com", "", "Chicago", "IL", "60601", "1"),
    ]
