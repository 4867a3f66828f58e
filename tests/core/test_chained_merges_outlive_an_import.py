"""The user's merges outlive undoing the import of a customer they were made through.

The shop's Anna Lee (customer 5001), the till's Ann Lee (Square, her own file; her sale in the
till's file joins her by phone) and the email list's Anna Lee (another address) are merged by
hand in turn: shop + Square, then + list.  Each merge is kept as one pair of keys; the second
was written against the Square customer's id.  Undoing the Square import takes that id away,
and a rebuild split the list's Anna off (not even queued).  Now the list's Anna and the till's
sale stay with the shop's, and the Square file imported again joins them all once more.
"""

from __future__ import annotations

import sqlite3

from omnidesk.cli import main
from tests.helpers import record_owners as _owners

SHOP = """\
Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,Default Address Address1,\
Default Address Address2,Default Address City,Default Address Province Code,Default Address Country Code,\
Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,Tax Exempt,Tags
'5001,Anna,Lee,anna.lee@example.com,yes,,12 Elm St,,Portland,ME,US,'04101,,+12075550101,yes,120.00,2,,no,vip
'5002,Mark,Stone,mark.stone@example.com,no,,9 Oak Ave,,Bangor,ME,US,'04401,,+12075550202,no,30.00,1,,no,
"""
SQUARE = """\
Square Customer ID,Reference ID,First Name,Last Name,Email Address,Phone Number,Nickname,Company Name,\
Street Address 1,Street Address 2,City,State,Postal Code,Birthday,Memo,Creation Source,First Visit,Last Visit,\
Transaction Count,Total Spend,Email Subscription Status,Instant Profile,Blocked from online booking
SQ-AAA111,,Ann,Lee,ann.b@squaremail.example,+1 207-555-0303,,B Company,,,,,,1985-06-15,,Point of Sale,\
2024-01-10,2025-02-01,3,$45.00,unsubscribed,No,No
"""
MAILCHIMP = """\
"Email Address","First Name","Last Name","Phone Number","Birthday","MEMBER_RATING","OPTIN_TIME","OPTIN_IP",\
"CONFIRM_TIME","CONFIRM_IP","LATITUDE","LONGITUDE","GMTOFF","DSTOFF","TIMEZONE","CC","REGION","LAST_CHANGED",\
"LEID","EUID","NOTES","TAGS"
"annie.c@listmail.example","Anna","Lee","","","3","2024-05-01 10:00:00","","2024-05-01 10:05:00","","","","",\
"","","","","2024-05-01 10:05:00","111","ccc","",""
"""
TILL = """\
Date;Time;Receipt No;Customer;Mobile;Loyalty Card;Items;Total
13/06/2025;11:10;30001;Lee, Ann;(207) 555-0303;;Oolong x1;12,50
"""


def _run(capsys, *argv) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def _batch(path, name: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT max(id) FROM import_batch WHERE file_name = ?", (name,)).fetchone()[0]
    finally:
        con.close()


def test_merges_made_through_an_undone_import_still_hold_after_a_rebuild_and_a_reimport(tmp_path, capsys):
    path = tmp_path / "shop.omnidesk"
    ws = ["-w", str(path)]
    files = {"customers_export.csv": SHOP, "square_customers.csv": SQUARE,
             "subscribed_members_export_cc.csv": MAILCHIMP, "till_transactions.csv": TILL}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        _run(capsys, *ws, "import", str(tmp_path / name))
    owners = _owners(path)
    anna, mark = owners["customers_export.csv:1"], owners["customers_export.csv:2"]
    ann, listed = owners["square_customers.csv:1"], owners["subscribed_members_export_cc.csv:1"]
    assert owners["till_transactions.csv:1"] == ann  # the sale, by the Square customer's phone
    assert len({anna, mark, ann, listed}) == 4
    _run(capsys, *ws, "merge", str(anna), str(ann))
    _run(capsys, *ws, "merge", str(anna), str(listed))
    one = {"customers_export.csv:1", "subscribed_members_export_cc.csv:1", "till_transactions.csv:1"}

    _run(capsys, *ws, "imports", "undo", str(_batch(path, "square_customers.csv")))
    _run(capsys, *ws, "resolve", "--from-scratch")
    owners = _owners(path)
    assert len({owners[r] for r in one}) == 1, owners
    assert owners["customers_export.csv:2"] not in {owners[r] for r in one}

    # The Square file again: its Ann is the one the user merged, and a rebuild keeps all of them one.
    _run(capsys, *ws, "import", str(tmp_path / "square_customers.csv"))
    owners = _owners(path)
    assert len({owners[r] for r in (*one, "square_customers.csv:1")}) == 1, owners
    _run(capsys, *ws, "resolve", "--from-scratch")
    owners = _owners(path)
    assert len({owners[r] for r in (*one, "square_customers.csv:1")}) == 1, owners
    assert owners["customers_export.csv:2"] != owners["customers_export.csv:1"]
