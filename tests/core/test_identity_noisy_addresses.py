"""Records of one person typed with the slips of a hand-keyed register: names mistyped or swapped,
a postcode digit wrong, the house number changed.  Still one person; a neighbour is not."""

from __future__ import annotations

from omnidesk.core.identity.blocking import share_a_block
from omnidesk.core.identity.scoring import Profile
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from tests.helpers import write_csv

HEADER = ["First Name", "Last Name", "Email", "Phone", "Address", "Zip", "Birthday"]


def load(ws, tmp_path, name, rows):
    # Strangers around them, so that a name weighs what it does in a real register.
    crowd = [[f"Person{chr(97 + i // 26)}{chr(97 + i % 26)}", f"Other{i}", "", "", f"{i} Crowd St", f"{3000 + i}",
              f"19{40 + i % 50}-0{1 + i % 9}-1{i % 10}"] for i in range(300)]
    return import_file(ws, write_csv(tmp_path / name, HEADER, crowd + rows), ImportOptions(channel="contacts"))


def customers(ws):
    with ws.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT record_no, customer_id FROM source_record").fetchall()
    return {n - 300: c for n, c in rows if n > 300}


def person(first, last, address, postcode, birthday):
    return Profile(rid=0, row_hash="", customer_id=None, kind="contacts", channel="contacts", first=first,
                   last=last, emails=(), phones=(), externals=(), postcode=postcode, city="", address=address,
                   birthday=birthday)


def test_a_full_birthday_and_the_street_bring_records_together_whatever_the_names_and_postcode():
    # "Nguy Elixa" is Eliza Nguyen written the other way round with a slip in each name, and a
    # postcode a digit off: no name key and no postcode is shared, only the day and the street.
    eliza = person("eliza", "nguyen", "29 buxton st", "2256", "1926-06-26")
    assert share_a_block(eliza, person("nguy", "elixa", "29 buxton st", "2257", "1926-06-26"))
    assert share_a_block(eliza, person("nguy", "elixa", "buxton st", "2257", "1926-06-26"))  # no number
    assert not share_a_block(eliza, person("nguy", "elixa", "29 buxton st", "2257", "1926-06-27"))
    assert not share_a_block(eliza, person("nguy", "elixa", "29 hilda st", "2257", "1926-06-26"))


def test_a_swapped_and_mistyped_name_with_a_postcode_slip_is_one_person(ws, tmp_path):
    load(ws, tmp_path, "register.csv", [
        ["Eliza", "Nguyen", "", "", "29 Buxton St", "2256", "1926-06-26"],
        ["Nguy", "Elixa", "", "", "29 Buxton St", "2257", "1926-06-26"],
        # Born the same day in the same street: her twin sister, another person.
        ["Ellen", "Nguyen", "", "", "29 Buxton St", "2257", "1926-06-26"],
    ])
    ids = customers(ws)
    assert ids[1] == ids[2]
    assert ids[3] != ids[1]


def test_the_same_street_with_another_house_number_is_its_own_level():
    from omnidesk.core.identity.keys import address_level, fold_address

    def level(a, b):
        return address_level(fold_address(a), fold_address(b))

    assert level("16 Temperley St", "2 Temperley St") == "street"
    assert level("67 Newberycrescent", "5 Newbery Cres") == "street"  # a street type run into the name
    assert level("16 Temperley St", "17 Temperley St") == "number"  # a slip of one digit
    assert level("16 Temperley St", "2 Tarwin St") == "different"
    assert level("16 Temperley St", "16 Tarwin St") == "different"


def test_one_name_in_one_postcode_and_street_with_another_house_number_is_one_person(ws, tmp_path):
    load(ws, tmp_path, "register.csv", [
        ["Erin", "Reid", "", "", "16 Temperley St", "2705", ""],
        ["Erin", "Reid", "", "", "2 Temperley St", "2705", ""],
        # The same name in another street of the postcode: only asked about.
        ["Lachlan", "Moore", "", "", "16 Temperley St", "2706", ""],
        ["Lachlan", "Moore", "", "", "2 Tarwin St", "2706", ""],
        # Father and son of one name in one street, born decades apart: two people.
        ["Jack", "Hill", "", "", "16 Temperley St", "2707", "1950-03-01"],
        ["Jack", "Hill", "", "", "40 Temperley St", "2707", "1981-07-12"],
        # Two first names in one street: a household, not one person.
        ["Grace", "Lee", "", "", "16 Temperley St", "2708", ""],
        ["Harry", "Lee", "", "", "2 Temperley St", "2708", ""],
        # Namesakes down the road, each with an email of their own: two people.
        ["Daan", "Smit", "dsmit@example.net", "", "28 Temperley St", "2709", ""],
        ["Daan", "Smit", "daan.smit@example.net", "", "125 Temperley St", "2709", ""],
    ])
    ids = customers(ws)
    assert ids[1] == ids[2]
    assert ids[3] != ids[4]
    assert ids[5] != ids[6]
    assert ids[7] != ids[8]
    assert ids[9] != ids[10]


def test_another_last_name_with_the_first_name_birthday_and_street_is_one_person(ws, tmp_path):
    # One person under another surname (married, or typed wrong), the house number changed too.
    load(ws, tmp_path, "register.csv", [
        ["Ashleigh", "Green", "", "", "169 Shumack St", "2759", "1946-05-10"],
        ["Ashleigh", "Orchard", "", "", "8 Shumack St", "2759", "1946-05-10"],
        # Born the same day in another street of the postcode: someone else.
        ["Brodie", "Pyper", "", "", "72 Brisbane Ave", "4127", "1937-08-05"],
        ["Brodie", "Kirkham", "", "", "72 Tarwin St", "4127", "1937-08-05"],
        # The same street and day, another first name: twins of a household.
        ["Edward", "Ryan", "", "", "35 Sidaway St", "3184", "1993-03-01"],
        ["Amelia", "Brown", "", "", "7 Sidaway St", "3184", "1993-03-01"],
    ])
    ids = customers(ws)
    assert ids[1] == ids[2]
    assert ids[3] != ids[4]
    assert ids[5] != ids[6]
