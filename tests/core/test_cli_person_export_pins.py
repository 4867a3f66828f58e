"""`omnidesk person export` writes the values pinned on the card, beside everything else about the person."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["Email", "First Name", "Last Name", "City"], [
    ["bob@example.com", "Bob", "Lee", "Boston"],
    ["ann@example.com", "Ann", "Hill", "Paris"],
])

# Bob's first name and city pinned by hand, as `omnidesk pin` does.
shop_template, shop = cli_shop_fixtures(PEOPLE, ["pin", "bob@example.com", "first_name", "Róbert"],
                                        ["pin", "bob@example.com", "city", "Cambridge"])


def _export(capsys, shop, who: str) -> zipfile.ZipFile:
    out = shop.parent / f"{who}.zip"
    status, _, err = run_cli(capsys, "person", "export", who, str(out), "-w", str(shop))
    assert status == 0, err
    return zipfile.ZipFile(out)


def test_the_person_export_holds_the_pinned_values(shop, capsys):
    # The export left out what the owner had pinned on the card: not everything about the person.
    with _export(capsys, shop, "bob@example.com") as z:
        data = json.loads(z.read("person.json"))
        rows = list(csv.DictReader(io.StringIO(z.read("pins.csv").decode("utf-8-sig"))))
    assert data["pins"] == [{"field": "first_name", "value": "Róbert"}, {"field": "city", "value": "Cambridge"}]
    assert rows == [{"field": "first_name", "value": "Róbert"}, {"field": "city", "value": "Cambridge"}]
    assert "pinned_json" not in data["customer"]
    assert data["customer"]["first_name"] == "Róbert"


def test_a_person_without_pins_has_an_empty_pins_table(shop, capsys):
    with _export(capsys, shop, "ann@example.com") as z:
        data = json.loads(z.read("person.json"))
        assert z.read("pins.csv") == b"field,value\r\n"  # its columns, and no row, as the other tables of nothing
    assert data["pins"] == []
