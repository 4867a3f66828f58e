"""A person of two surnames written with only the first one elsewhere (Spanish and Portuguese names)."""

from __future__ import annotations

import pytest

from tests.helpers import cli_imports, source_placement, write_csv

HEADER = ["First Name", "Last Name", "Email", "Phone", "Address", "City", "Postcode"]
HILDA_SHOP = ["Hilda", "Molina Bonilla", "hilda00328@example.com", "", "Callejón Sur Aguilera 10", "Puebla", "38309"]
HILDA_TILL = ["Hilda", "Molina", "", "+52 222 296 0242", "Callejon Sur Aguilera 10", "Puebla", "38309"]


@pytest.mark.parametrize("order", ["shop first", "till first"])
def test_a_till_writing_only_the_first_surname_meets_the_shop(capsys, tmp_path, order):
    """Hilda Molina Bonilla in the shop and Hilda Molina at the till, at one address: one customer,
    whichever file comes in first."""
    shop = write_csv(tmp_path / "shop.csv", HEADER, [HILDA_SHOP])
    till = write_csv(tmp_path / "till.csv", HEADER, [HILDA_TILL])
    files = [(shop, "shop"), (till, "pos")]
    ws = tmp_path / "w.omnidesk"
    cli_imports(capsys, ws, *(files if order == "shop first" else files[::-1]), region="MX")
    owners = source_placement(capsys, ws, tmp_path)
    assert owners[("shop.csv", 1)] == owners[("till.csv", 1)] != ""


def test_one_file_with_both_ways_of_writing_the_name_is_one_customer(capsys, tmp_path):
    people = write_csv(tmp_path / "people.csv", HEADER, [HILDA_SHOP, HILDA_TILL])
    ws = tmp_path / "w.omnidesk"
    cli_imports(capsys, ws, (people, "shop"), region="MX")
    owners = source_placement(capsys, ws, tmp_path)
    assert owners[("people.csv", 1)] == owners[("people.csv", 2)] != ""


def test_people_sharing_only_a_first_surname_stay_apart(capsys, tmp_path):
    """Hilda Molina Ruiz elsewhere in town is not Hilda Molina Bonilla; a mother Maria Lopez Garcia
    and her daughter Ana Lopez Perez at one address are two people; Hilda Molinari is not a Molina."""
    shop = write_csv(tmp_path / "shop.csv", HEADER, [
        HILDA_SHOP,
        ["Maria", "Lopez Garcia", "maria.lopez@example.com", "", "Avenida Reforma 12", "Puebla", "72000"],
    ])
    till = write_csv(tmp_path / "till.csv", HEADER, [
        ["Hilda", "Molina Ruiz", "", "+52 222 111 2233", "Calle Norte 5", "Puebla", "72500"],
        ["Ana", "Lopez Perez", "", "+52 222 444 5566", "Avenida Reforma 12", "Puebla", "72000"],
        ["Hilda", "Molinari", "", "+52 222 777 8899", "Callejon Sur Aguilera 10", "Puebla", "38309"],
    ])
    ws = tmp_path / "w.omnidesk"
    cli_imports(capsys, ws, (shop, "shop"), (till, "pos"), region="MX")
    owners = source_placement(capsys, ws, tmp_path)
    assert len(set(owners.values())) == 5, owners
