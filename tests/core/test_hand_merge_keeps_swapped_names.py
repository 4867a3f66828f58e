"""A hand merge beside a record written "Last, First" still holds through a rebuild from scratch.

The shop's Chinedu Okafor and the till's customer with "Okafor" in its First Name column and
"Chinedu" in its Last Name (one email) are merged automatically, first and last name swapped.
The user then merges the Coffee Club lead Chinedu Okafor (a phone only) into that customer.
A rebuild from scratch used to leave the till's record as written beside the lead, so the
customer held the first names Chinedu and Okafor: the shop's record was split off into a
customer of its own, the card read "Okafor Chinedu", and Review asked about a pair whose
reasons said "same first name" and "different first names" at once.
"""

from __future__ import annotations

import sqlite3

from omnidesk.cli import main
from tests.helpers import record_owners as _owners

SHOP = """\
Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,Default Address Address1,\
Default Address Address2,Default Address City,Default Address Province Code,Default Address Country Code,\
Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,Tax Exempt,Tags
'7210811400006,Chinedu,Okafor,chinedu.okafor@example.com,yes,,8 Fore St,,Portland,ME,US,'04101,,,no,25.00,1,,no,
"""
SQUARE = """\
Reference ID,First Name,Last Name,Email Address,Phone Number,Nickname,Company Name,Street Address 1,\
Street Address 2,City,State,Postal Code,Birthday,Memo,Square Customer ID,Creation Source,First Visit,Last Visit,\
Transaction Count,Total Spend,Email Subscription Status,Instant Profile
,Okafor,Chinedu,chinedu.okafor@example.com,,,,,,Portland,ME,04101,,,SQ00000002XYZ,Point of Sale,2024-02-02,\
2024-06-02,2,$40.00,Unknown,No
"""
LEADS = (
    "id\tcreated_time\tad_id\tad_name\tadset_id\tadset_name\tcampaign_id\tcampaign_name\tform_id\tform_name\t"
    "is_organic\tplatform\twhat_are_you_interested_in?\temail\tfull_name\tphone_number\tzip_code\tlead_status\n"
    "l:7173829482200002\t2024-07-02T12:11:23+0000\tag:120292050436609804\tCoffee Club\tas:120286417437078210\t"
    "Maine\tc:120296170041055976\tCoffee Club Leads\tf:605904319849695\tCoffee Club\tfalse\tfb\tbeans\t\t"
    "{name}\tp:{phone}\t\tCREATED\n"
)


def _run(capsys, *argv) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def _card_name(path, customer_id: int) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT display_name FROM customer WHERE id = ?", (customer_id,)).fetchone()[0]
    finally:
        con.close()


def _imported(tmp_path, capsys, *files: tuple[str, str]) -> list[str]:
    ws = ["-w", str(tmp_path / "shop.omnidesk")]
    for name, text in files:
        (tmp_path / name).write_text(text, encoding="utf-8")
        _run(capsys, *ws, "import", str(tmp_path / name))
    return ws


def _all_three(shop: str, square: str, lead: str, phone: str) -> list[tuple[str, str]]:
    return [("customers_export.csv", shop), ("square_customers.csv", square),
            ("leads_coffee_club.csv", LEADS.format(name=lead, phone=phone))]


def test_a_lead_merged_by_hand_into_a_swapped_name_customer_stays_with_all_of_it_after_a_rebuild(tmp_path, capsys):
    ws = _imported(tmp_path, capsys, *_all_three(SHOP, SQUARE, "Chinedu Okafor", "+12075550122"))
    path = tmp_path / "shop.omnidesk"
    owners = _owners(path)
    chinedu, lead = owners["customers_export.csv:1"], owners["leads_coffee_club.csv:1"]
    assert owners["square_customers.csv:1"] == chinedu != lead
    _run(capsys, *ws, "merge", str(chinedu), str(lead))
    assert set(_owners(path).values()) == {chinedu}

    _run(capsys, *ws, "resolve", "--from-scratch")
    assert set(_owners(path).values()) == {chinedu}  # all three records, still one customer
    assert _card_name(path, chinedu) == "Chinedu Okafor"
    review = _run(capsys, *ws, "review", "list")
    assert "The review queue is empty." in review
    assert "different first names" not in review


def test_a_family_on_one_email_stays_apart_beside_a_hand_merge_of_swapped_names(tmp_path, capsys):
    # Hannah Haddad in the shop; the till's "Haddad" / "Leonard" on the family's email, merged by hand
    # with the lead Leonard Haddad.  Read the right way round, Leonard is still not Hannah.
    shop = SHOP.replace("Chinedu,Okafor,chinedu.okafor@", "Hannah,Haddad,haddads@")
    square = SQUARE.replace("Okafor,Chinedu,chinedu.okafor@", "Haddad,Leonard,haddads@")
    ws = _imported(tmp_path, capsys, *_all_three(shop, square, "Leonard Haddad", "+12075550177"))
    path = tmp_path / "shop.omnidesk"
    owners = _owners(path)
    hannah, leonard, lead = (owners[k] for k in ("customers_export.csv:1", "square_customers.csv:1",
                                                 "leads_coffee_club.csv:1"))
    assert len({hannah, leonard, lead}) == 3
    _run(capsys, *ws, "merge", str(leonard), str(lead))

    for how in (["resolve"], ["resolve", "--from-scratch"]):
        _run(capsys, *ws, *how)
        owners = _owners(path)
        assert owners["square_customers.csv:1"] == owners["leads_coffee_club.csv:1"], how
        assert owners["customers_export.csv:1"] != owners["square_customers.csv:1"], how


def test_the_tills_record_of_a_name_merged_by_hand_joins_that_customer(tmp_path, capsys):
    # The user merged the shop's Chinedu Okafor with the lead Emeka Okafor: one person to them.  The
    # till's Chinedu Okafor on Chinedu's email joins that customer; Emeka, the other name the user
    # merged, no longer keeps it out as "different first names among their other records".
    ws = _imported(tmp_path, capsys, ("customers_export.csv", SHOP),
                   ("leads_coffee_club.csv", LEADS.format(name="Emeka Okafor", phone="+12075550122")))
    path = tmp_path / "shop.omnidesk"
    owners = _owners(path)
    chinedu = owners["customers_export.csv:1"]
    _run(capsys, *ws, "merge", str(chinedu), str(owners["leads_coffee_club.csv:1"]))
    square = SQUARE.replace("Okafor,Chinedu,", "Chinedu,Okafor,")
    _imported(tmp_path, capsys, ("square_customers.csv", square))
    for how in ([], ["resolve", "--from-scratch"]):
        if how:
            _run(capsys, *ws, *how)
        assert set(_owners(path).values()) == {chinedu}, how
        assert "The review queue is empty." in _run(capsys, *ws, "review", "list"), how
