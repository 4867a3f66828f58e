"""The shop's own phone typed at the till for many customers does not make namesakes one person.

Two Maria Garcias (each her own email, street and postcode) both gave the till the shop's
landline, as Tom, Ann, Luis and Beth did: the number says where they bought, not who they
are.  Each till row goes with the Maria whose email it carries, on import as in a rebuild.
"""

from __future__ import annotations

import pytest

from tests.helpers import cli_imports, run_cli, source_placement, write_csv

HEADER = ["First Name", "Last Name", "Email", "Phone", "Address", "City", "Zip", "Birthday"]
SHOP_LINE = "602-264-0100"
GMAIL, HOTMAIL = "maria.garcia88@gmail.com", "mgarcia.az@hotmail.com"


def _shop(phones=("", ""), birthdays=("", "")):
    return [["Maria", "Garcia", GMAIL, phones[0], "301 Vine St", "Phoenix", "85004", birthdays[0]],
            ["Maria", "Garcia", HOTMAIL, phones[1], "7720 Cactus Rd", "Phoenix", "85032", birthdays[1]]]


def _till(others=True):
    rows = [["Maria", "Garcia", GMAIL, SHOP_LINE, "", "Phoenix", "", ""],
            ["Maria", "Garcia", HOTMAIL, SHOP_LINE, "", "Phoenix", "", ""]]
    if others:
        rows += [[first, last, f"{first}.{last}@gmail.com".lower(), SHOP_LINE, "", "Phoenix", "", ""]
                 for first, last in (("Tom", "Nguyen"), ("Ann", "Park"), ("Luis", "Ortega"), ("Beth", "Kim"))]
    return rows


def _import(capsys, tmp_path, ws, shop, till):
    cli_imports(capsys, ws, (write_csv(tmp_path / "shop.csv", HEADER, shop), "shop"),
                (write_csv(tmp_path / "till.csv", HEADER, till), "pos"))


def _check(capsys, tmp_path, ws):
    placed = source_placement(capsys, ws, tmp_path)
    gmail, hotmail = placed[("shop.csv", 1)], placed[("shop.csv", 2)]
    assert gmail != hotmail  # two people
    assert placed[("till.csv", 1)] == gmail
    assert placed[("till.csv", 2)] == hotmail
    return placed


@pytest.mark.parametrize("birthdays", [("", ""), ("1990-01-02", "1961-08-09")])
def test_the_shops_landline_does_not_join_two_marias_nor_put_a_purchase_on_the_wrong_one(
        capsys, tmp_path, birthdays):
    ws = tmp_path / "ws.omnidesk"
    _import(capsys, tmp_path, ws, _shop(("602-318-4471", "480-772-1903") if birthdays[0] else ("", ""),
                                        birthdays), _till())
    imported = _check(capsys, tmp_path, ws)
    # The other customers at the till stay themselves.
    assert len({imported[("till.csv", n)] for n in range(3, 7)}) == 4
    status, _, err = run_cli(capsys, "resolve", "--from-scratch", "-w", ws)
    assert status == 0, err
    assert _check(capsys, tmp_path, ws) == imported


def test_two_namesakes_each_with_an_email_and_phone_of_their_own_are_asked_about_not_joined_by_a_phone(
        capsys, tmp_path):
    """Only the two Marias gave the till that number: still, each has her own email and phone."""
    ws = tmp_path / "ws.omnidesk"
    _import(capsys, tmp_path, ws, _shop(("602-318-4471", "480-772-1903")), _till(others=False))
    _check(capsys, tmp_path, ws)
    status, out, err = run_cli(capsys, "review", "list", "-w", ws)
    assert status == 0, err
    assert "Maria Garcia (#1)  ~  Maria Garcia (#2)" in out and "each has its own email and phone" in out


def test_a_family_landline_still_joins_one_persons_records(capsys, tmp_path):
    """The Garcias' home number, given by Maria and her son at the till: Maria's records are one."""
    ws = tmp_path / "ws.omnidesk"
    home = "602-555-0142"
    _import(capsys, tmp_path, ws,
            [["Maria", "Garcia", GMAIL, home, "301 Vine St", "Phoenix", "85004", ""]],
            [["Maria", "Garcia", "", home, "", "Phoenix", "", ""],
             ["Diego", "Garcia", "", home, "", "Phoenix", "", ""],
             ["Tom", "Nguyen", "tom.nguyen@gmail.com", SHOP_LINE, "", "Phoenix", "", ""]])
    placed = source_placement(capsys, ws, tmp_path)
    assert placed[("shop.csv", 1)] == placed[("till.csv", 1)] != placed[("till.csv", 2)]
