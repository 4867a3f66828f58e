"""An open on a family's shared address goes to the person the email list holds it for.

Ann Lee (the shop) and her daughter Annie Lee (the email list) share one mailbox.  Their first
names could be one name (Annie is Ann's short form), but their birthdays say they are two people,
so they stay two customers.  The email tool's open on that address is the list member's — on
import whichever file comes first, and in a rebuild — not whoever's file was imported first.
"""

from __future__ import annotations

import csv

import pytest

from tests.helpers import run_cli, write_csv

MAILBOX = "leefamily@example.com"
HEADER = ["First Name", "Last Name", "Email", "Birthday"]
FILES = {
    "shop.csv": (HEADER, [["Ann", "Lee", MAILBOX, "1961-03-14"]], "shop", "contacts"),
    "list.csv": (HEADER, [["Annie", "Lee", MAILBOX, "1994-08-02"]], "email", "contacts"),
    "opens.csv": (["Email", "Action", "Timestamp"], [[MAILBOX, "open", "2026-01-02 10:00:00"],
                                                     [MAILBOX, "click", "2026-01-03 10:00:00"]], "email", "events"),
}


def placement(capsys, tmp_path, ws):
    """Each (file, row)'s customer, as ``export sources`` gives them."""
    out = tmp_path / "sources.csv"
    out.unlink(missing_ok=True)
    status, _, err = run_cli(capsys, "export", "sources", out, "-w", ws)
    assert status == 0, err
    with out.open(newline="", encoding="utf-8") as f:
        return {(r["source_file"], int(r["source_row"])): r["customer_id"] for r in csv.DictReader(f)}


@pytest.mark.parametrize("order", [("shop.csv", "list.csv", "opens.csv"), ("shop.csv", "opens.csv", "list.csv"),
                                   ("opens.csv", "shop.csv", "list.csv"), ("list.csv", "shop.csv", "opens.csv")])
def test_an_open_on_a_family_address_goes_to_the_list_member_on_import_as_in_a_rebuild(capsys, tmp_path, order):
    ws = tmp_path / "ws.omnidesk"
    for name in order:
        header, rows, channel, kind = FILES[name]
        status, _, err = run_cli(capsys, "import", write_csv(tmp_path / name, header, rows), "-w", ws,
                                 "--channel", channel, "--kind", kind)
        assert status == 0, err
    imported = placement(capsys, tmp_path, ws)
    ann, annie = imported[("shop.csv", 1)], imported[("list.csv", 1)]
    assert ann and annie and ann != annie  # two people
    assert imported[("opens.csv", 1)] == imported[("opens.csv", 2)] == annie
    status, _, err = run_cli(capsys, "resolve", "--from-scratch", "-w", ws)
    assert status == 0, err
    assert placement(capsys, tmp_path, ws) == imported
