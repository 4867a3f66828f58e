"""A number written as it is dialled at home reads as the same number written with its country code.

An Israeli shop's file holds Bea's mobile as "+972 52-123-4567"; her phone's contact card holds it
as "052-123-4567", as it is dialled in Israel.  phonenumbers does not list 052-1xx among Israel's
assigned mobile ranges, so the card's number was refused ("not a valid phone number for region
IL") and the card became a second customer without a phone, while the same number with its
"+972" was kept.  Played through the command line, at a set clock, for other countries that write
a trunk prefix at home too.
"""

from __future__ import annotations

import time_machine

from tests.helpers import exported_customers, run_cli, write_csv

VCARDS = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Two;Bea;;;\r\nFN:Bea Two\r\nTEL;CELL:052-123-4567\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Three;Gil;;;\r\nFN:Gil Three\r\nTEL;TYPE=CELL:050-123-4567\r\nEND:VCARD\r\n"
)


def _import(capsys, ws, path, region, *more):
    with time_machine.travel("2026-03-02 10:00:00Z", tick=False):
        status, out, err = run_cli(capsys, "-w", ws, "import", path, "--region", region, *more)
    assert status == 0, err
    return out + err


def test_a_contact_card_number_dialled_in_israel_joins_the_customer_holding_it_with_its_country_code(
        capsys, tmp_path):
    ws = tmp_path / "shop.omnidesk"
    shop = write_csv(tmp_path / "shop.csv", ["First Name", "Last Name", "Email", "Phone"], [
        ["Bea", "Two", "bea@example.com", "+972 52-123-4567"],
        ["Gil", "Three", "gil@example.com", "+972 50-123-4567"],
    ])
    cards = tmp_path / "contacts.vcf"
    cards.write_text(VCARDS, encoding="utf-8")
    _import(capsys, ws, shop, "IL")
    said = _import(capsys, ws, cards, "IL")
    assert "flagged 0" in said, said
    customers = exported_customers(capsys, ws, tmp_path, "full_name,email,phone")
    assert customers == [
        {"full_name": "Bea Two", "email": "bea@example.com", "phone": "+972521234567"},
        {"full_name": "Gil Three", "email": "gil@example.com", "phone": "+972501234567"},
    ]


def test_a_file_with_both_forms_stores_one_number_and_flags_nothing(capsys, tmp_path):
    ws = tmp_path / "shop.omnidesk"
    errors = tmp_path / "flagged.csv"
    rows = [["A", "One", "052-123-4567"], ["B", "Two", "+972 52-123-4567"], ["C", "Three", "050-123-4567"]]
    _import(capsys, ws, write_csv(tmp_path / "il.csv", ["First Name", "Last Name", "Phone"], rows), "IL",
            "--errors", errors)
    assert not errors.exists() or len(errors.read_text(encoding="utf-8-sig").splitlines()) <= 1
    phones = {c["full_name"]: c["phone"] for c in exported_customers(capsys, ws, tmp_path, "full_name,phone")}
    assert phones == {"A One": "+972521234567", "B Two": "+972521234567", "C Three": "+972501234567"}


# A mobile in each country's home form, one phonenumbers lists as assigned and one in a range it
# does not (the international form of both is kept), each beside its international form.
AT_HOME = [
    ("IL", "052-123-4567", "+972 52-123-4567"),
    ("IL", "054-234-5678", "+972 54-234-5678"),
    ("GB", "07911 123456", "+44 7911 123456"),
    ("GB", "07700 900123", "+44 7700 900123"),
    ("DE", "0151 23456789", "+49 151 23456789"),
    ("FR", "06 12 34 56 78", "+33 6 12 34 56 78"),
    ("AU", "0412 345 678", "+61 412 345 678"),
    ("JP", "090-1234-5678", "+81 90-1234-5678"),
    ("IN", "098765 43210", "+91 98765 43210"),
    ("BR", "(11) 91234-5678", "+55 11 91234-5678"),
    ("MX", "55 1234 5678", "+52 55 1234 5678"),
]


def test_each_country_reads_its_home_form_as_its_international_form(capsys, tmp_path):
    for region, home, abroad in AT_HOME:
        folder = tmp_path / f"{region}-{home.replace(' ', '')}"
        folder.mkdir()
        ws = folder / "shop.omnidesk"
        rows = [["Ann", "Home", home], ["Ann", "Abroad", abroad]]
        said = _import(capsys, ws, write_csv(folder / "f.csv", ["First Name", "Last Name", "Phone"], rows), region)
        assert "flagged 0" in said, (region, home, said)
        phones = [c["phone"] for c in exported_customers(capsys, ws, folder, "full_name,phone")]
        assert len(phones) == 2 and phones[0] == phones[1] != "", (region, home, phones)


def test_a_number_typed_as_the_card_shows_it_is_stored_as_the_same_number(capsys, tmp_path):
    """The card of an Israeli shop shows +972521234567 as "052-123-4567"; typed back so, it was refused."""
    from omnidesk.core.phones import display_phone

    ws = tmp_path / "shop.omnidesk"
    _import(capsys, ws, write_csv(tmp_path / "shop.csv", ["First Name", "Last Name", "Email", "Phone"],
                                  [["Bea", "Two", "bea@example.com", "+972 52-123-4567"]]), "IL")
    status, _out, err = run_cli(capsys, "-w", ws, "settings", "default_region", "IL")
    assert status == 0, err
    shown = display_phone("+972521234567", "IL")
    assert shown == "052-123-4567"
    with time_machine.travel("2026-03-02 10:00:00Z", tick=False):
        status, _out, err = run_cli(capsys, "-w", ws, "customer", "set", "bea@example.com", "phone", shown)
    assert status == 0, err
    assert [c["phone"] for c in exported_customers(capsys, ws, tmp_path, "phone")] == ["+972521234567"]
