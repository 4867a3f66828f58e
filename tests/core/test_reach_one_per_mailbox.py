""""May be marketed to" counts one per mailbox, and no other spelling of a mailbox that said stop.

Real exports imported through the command line: a newsletter list (Joe and Cara subscribed, Bob
unsubscribed) and a shop's customers (Jane at joesmith@gmail.com, which is Joe's Gmail mailbox
written without its dots; Mary at bobstone+shop@gmail.com, a tagged spelling of the mailbox Bob
stopped; Cara again).  A campaign to everyone writes to two mailboxes; the Dashboard's figure,
the report's and the campaign's eligible count say the same.
"""

from __future__ import annotations

from datetime import UTC, datetime

from omnidesk.core import metrics
from omnidesk.core.campaigns import guards
from omnidesk.core.campaigns.campaign import get_campaign, save_campaign
from omnidesk.core.messages.store import save_message
from omnidesk.core.workspace import Workspace
from tests.helpers import run_cli

SUBSCRIBED = (
    '"Email Address","First Name","Last Name","Phone Number","Birthday","MEMBER_RATING","OPTIN_TIME","OPTIN_IP","CONFIRM_TIME","CONFIRM_IP","LATITUDE","LONGITUDE","GMTOFF","DSTOFF","TIMEZONE","CC","REGION","LAST_CHANGED","LEID","EUID","NOTES","TAGS"\n'
    '"j.o.e.smith@gmail.com","Joe","Smith","","","3","2026-01-05 10:00:00","","2026-01-05 10:05:00","","","","","","","","","2026-01-05 10:05:00","1","a1","",""\n'
    '"cara@example.com","Cara","Diaz","","","3","2026-01-05 10:00:00","","2026-01-05 10:05:00","","","","","","","","","2026-01-05 10:05:00","2","a2","",""\n')
UNSUBSCRIBED = (
    '"Email Address","First Name","Last Name","Phone Number","Birthday","MEMBER_RATING","OPTIN_TIME","OPTIN_IP","CONFIRM_TIME","CONFIRM_IP","LATITUDE","LONGITUDE","GMTOFF","DSTOFF","TIMEZONE","CC","REGION","UNSUB_TIME","UNSUB_CAMPAIGN_TITLE","UNSUB_CAMPAIGN_ID","UNSUB_REASON","UNSUB_REASON_OTHER","LEID","EUID","NOTES","TAGS"\n'
    '"bob.stone@gmail.com","Bob","Stone","","","3","2025-01-05 10:00:00","","2025-01-05 10:05:00","","","","","","","","","2026-02-01 10:00:00","","","","","3","a3","",""\n')
SHOP = (
    'Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,Default Address Address1,Default Address Address2,Default Address City,Default Address Province Code,Default Address Country Code,Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,Tax Exempt,Tags\n'
    "'1001,Jane,Smith,joesmith@gmail.com,yes,,,,,,,,,,no,0.00,0,,no,\n"
    "'1002,Mary,Stone,bobstone+shop@gmail.com,yes,,,,,,,,,,no,0.00,0,,no,\n"
    "'1003,Cara,Diaz,cara@example.com,yes,,,,,,,,,+12125550101,yes,10.00,1,,no,\n")


def test_reach_counts_each_mailbox_once_and_never_another_spelling_of_one_that_said_stop(tmp_path, capsys):
    path = tmp_path / "shop.omnidesk"
    files = {"subscribed_members_export_aa11.csv": SUBSCRIBED,
             "unsubscribed_members_export_aa11.csv": UNSUBSCRIBED, "customers_export.csv": SHOP}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        status, _out, err = run_cli(capsys, "import", tmp_path / name, "-w", path)
        assert status == 0, err
    assert run_cli(capsys, "settings", "timezone", "America/New_York", "-w", path)[0] == 0
    ws = Workspace.open(path)
    try:
        save_message(ws, "Sale", {"headline": "Sale", "link": "https://shop.example/sale"})
        save_campaign(ws, "Spring", message="Sale", audience="everyone", mode="each_channel", replace=True,
                      steps=[{"channel": "email", "at": "2027-03-01T09:00", "timezone": "America/New_York"},
                             {"channel": "sms", "at": "2027-03-01T12:00", "timezone": "America/New_York"}])
        email, sms = guards.plan_audiences(ws, get_campaign(ws, "Spring"),
                                           now=datetime(2027, 2, 1, 12, tzinfo=UTC))
        # Joe's mailbox once (Jane's spelling of it is the same inbox); Cara once; nothing to
        # Bob's mailbox, whichever way it is written.
        assert len(email.eligible) == 2
        assert email.counts() == {"opted out": 2, "same address": 1}
        reachable = metrics.reachable(ws)
        assert reachable == {"email": 2, "sms": len(sms.eligible), "whatsapp": 0}
        assert reachable["sms"] == 1
        assert metrics.report(ws)["reachable"] == reachable
    finally:
        ws.close()
