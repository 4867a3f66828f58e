"""Opening a workspace whose consent an older Omnidesk read reads it again from the kept rows.

Consent facts are read from each row once, at import.  A reader fixed since (a newsletter's
"Email Unsubscribed" True taken for a yes, a "do not contact" list read as plain contacts, Constant
Contact's "Unsubscribed" permission status left unmapped, an SMS list's "no" dated by the row's
opt-in date so that an older "yes" outvoted it) must not leave anyone who opted out in a send pack
of a workspace built before the fix.  The workspace here is built with today's Omnidesk, then given
the facts and mappings the old readers left (as such a workspace holds them) and marked as read by
them; opening it reads every row again, once, and consent typed by hand stays as it was typed.
"""

from __future__ import annotations

import csv
import json
import sqlite3

import time_machine
from sqlalchemy import create_engine

from omnidesk.core.identity.golden import refresh_all
from omnidesk.core.importing.backfill import CONSENT_READERS_SETTING
from tests.helpers import run_cli, write_csv

NY = "America/New_York"
SMS_PLAN = {"name": "Text blast",
            "message": {"headline": "Hi", "body": "Sale", "cta": "Go", "link": "https://hc.example/x"},
            "variants": {"sms": {"text": "Harbor: sale today https://hc.example/x Reply STOP"}},
            "audience": "everyone", "mode": "each_channel",
            "steps": [{"channel": "sms", "at": "2027-03-01T12:00", "timezone": NY}]}
COLUMNS = "id,first_name,email,phone,consent_email,consent_sms"


def _files(tmp_path):
    return [
        (write_csv(tmp_path / "shop_customers.csv", ["Email", "First Name", "Email Marketing"],
                   [["kim@example.com", "Kim", "yes"], ["lou@example.com", "Lou", "yes"],
                    ["irene@example.com", "Irene", "yes"]]), "shop"),
        (write_csv(tmp_path / "newsletter_list.csv", ["Email", "First Name", "Email Unsubscribed"],
                   [["irene@example.com", "Irene", "False"], ["jack@example.com", "Jack", "True"]]), None),
        (write_csv(tmp_path / "do_not_contact.csv", ["Email", "Phone"], [["kim@example.com", ""]]), None),
        (write_csv(tmp_path / "constant_contact_export.csv",
                   ["Email address", "First name", "Last name", "Email permission status", "Email update source"],
                   [["lou@example.com", "Lou", "Stone", "Unsubscribed", "Contact"]]), None),
        (write_csv(tmp_path / "sms_list.csv", ["Phone", "Name", "Opted in", "Opt-in date"],
                   [["+12075550400", "Ava", "no", "2023-01-10"], ["+12075550401", "Ben", "yes", "2023-02-10"]]),
         "sms"),
        (write_csv(tmp_path / "sms_start.csv", ["Phone", "Name", "Opted in", "Opt-in date"],
                   [["+12075550400", "Ava", "yes", "2024-05-01"]]), "sms"),
    ]


def _as_old_readers_left_it(ws) -> None:
    """Give the workspace the mappings and consent facts the readers of an older Omnidesk left, and
    mark it as read by them; its customers are built from those facts, as that version built them."""
    with sqlite3.connect(ws) as db:
        batch = {name: bid for bid, name in db.execute("SELECT id, file_name FROM import_batch")}

        def records(name):
            return [r for (r,) in db.execute("SELECT id FROM source_record WHERE batch_id = ? ORDER BY id",
                                             (batch[name],))]

        # The guesser took "Email Unsubscribed" for a consent date, and left Constant Contact's
        # permission status unmapped; a "do not contact" list was plain contacts.
        db.execute("UPDATE import_batch SET mapping_json = ? WHERE id = ?",
                   (json.dumps(["email", "first_name", "consent_email_at"]), batch["newsletter_list.csv"]))
        db.execute("UPDATE import_batch SET mapping_json = ? WHERE id = ?",
                   (json.dumps(["email", "first_name", "last_name", "ignore", "ignore"]),
                    batch["constant_contact_export.csv"]))
        for name in ("newsletter_list.csv", "do_not_contact.csv", "constant_contact_export.csv"):
            db.executemany("DELETE FROM consent WHERE record_id = ?", [(r,) for r in records(name)])
        # Ava's "no" took the row's opt-in date, older than her "yes" from sms_start.
        ava_no = records("sms_list.csv")[0]
        assert db.execute("UPDATE consent SET occurred_at = '2023-01-10' WHERE record_id = ? AND status = 'denied'",
                          (ava_no,)).rowcount == 1
        # And a reading once stricter than today's: Ben's "yes" was read as a refusal.  Read again,
        # the refusal stays (a re-read never takes one away: a reader that misreads a refusal
        # today must not open every workspace's opt-outs), which the upgrade says aloud.
        ben_yes = records("sms_list.csv")[1]
        assert db.execute("UPDATE consent SET status = 'unsubscribed' WHERE record_id = ?", (ben_yes,)).rowcount == 1
        db.execute("UPDATE setting SET value = '0' WHERE key = ?", (CONSENT_READERS_SETTING,))
    engine = create_engine(f"sqlite:///{ws}")
    with engine.begin() as conn:
        refresh_all(conn)
    engine.dispose()


def _customers(capsys, ws, tmp_path) -> tuple[dict[str, dict[str, str]], str]:
    out = tmp_path / "customers.csv"
    status, _, err = run_cli(capsys, "export", "customers", "--columns", COLUMNS, str(out), "--force", "-w", ws)
    assert status == 0, err
    with out.open(encoding="utf-8", newline="") as fh:
        return {r["first_name"]: r for r in csv.DictReader(fh)}, err


def _hand_facts(ws) -> list[tuple]:
    with sqlite3.connect(ws) as db:
        return db.execute("SELECT c.id, c.channel, c.status, c.occurred_at, c.note FROM consent c "
                          "JOIN source_record r ON r.id = c.record_id JOIN import_batch b ON b.id = r.batch_id "
                          "WHERE b.kind = 'manual' ORDER BY c.id").fetchall()


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_opening_an_old_workspace_reads_consent_again_from_its_rows_once(capsys, tmp_path):
    ws = tmp_path / "shop.omnidesk"
    for path, channel in _files(tmp_path):
        argv = ["import", path, "-w", ws] + (["--channel", channel] if channel else [])
        assert run_cli(capsys, *argv)[0] == 0
    assert run_cli(capsys, "settings", "timezone", NY, "-w", ws)[0] == 0
    # Irene asked by phone to stop email: typed by hand, and never read from any file.
    status, _, err = run_cli(capsys, "consent", "set", "irene@example.com", "email", "denied",
                             "--note", "asked by phone", "-w", ws)
    assert status == 0, err
    typed = _hand_facts(ws)
    assert [f[1:3] + f[4:] for f in typed] == [("email", "denied", "asked by phone")]

    _as_old_readers_left_it(ws)
    with sqlite3.connect(ws) as db:  # what the old readers made of them
        old = dict(db.execute("SELECT first_name, coalesce(consent_email, '') || '/' || coalesce(consent_sms, '') "
                              "FROM customer"))
    assert (old["Kim"], old["Lou"], old["Jack"], old["Ava"], old["Ben"]) == (
        "granted/", "granted/", "/", "/granted", "/unsubscribed")

    people, err = _customers(capsys, ws, tmp_path)
    assert ("Consent re-read from your imported files: 4 customers now opted out, 1 refusal an older reading "
            "found kept, as a re-read never takes one away.") in err
    assert {n: people[n]["consent_email"] for n in ("Kim", "Lou", "Jack")} == dict.fromkeys(
        ("Kim", "Lou", "Jack"), "unsubscribed")
    assert people["Kim"]["consent_sms"] == "unsubscribed"  # a "do not contact" list closes every channel
    assert people["Ava"]["consent_sms"] == "denied" and people["Ben"]["consent_sms"] == "unsubscribed"
    assert people["Irene"]["consent_email"] == "denied"
    assert _hand_facts(ws) == typed  # the hand-typed fact is the same row, untouched

    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(SMS_PLAN), encoding="utf-8")
    assert run_cli(capsys, "campaign", "import", plan, "-w", ws)[0] == 0
    out = tmp_path / "packs"
    out.mkdir()
    status, text, err = run_cli(capsys, "campaign", "export", "Text blast", "--out", out, "--json", "-w", ws)
    assert status == 0, err
    (step,) = json.loads(text)["steps"]
    with (out / step["file"]).open(encoding="utf-8", newline="") as fh:
        assert [r["Phone"] for r in csv.DictReader(fh)] == []  # never Ava, nor Ben, whose refusal stays

    # Read once: a later open reads nothing again, even where the facts changed since.
    with sqlite3.connect(ws) as db:
        kim = db.execute("SELECT id FROM customer WHERE first_name = 'Kim'").fetchone()[0]
        assert db.execute("DELETE FROM consent WHERE customer_id = ? AND status = 'unsubscribed'", (kim,)).rowcount
    people, err = _customers(capsys, ws, tmp_path)
    assert "Consent re-read" not in err
    with sqlite3.connect(ws) as db:
        assert not db.execute("SELECT count(*) FROM consent WHERE customer_id = ? AND status = 'unsubscribed'",
                              (kim,)).fetchone()[0]


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_a_new_workspace_is_marked_read_by_todays_readers_and_says_nothing(capsys, tmp_path):
    ws = tmp_path / "new.omnidesk"
    path, _ = _files(tmp_path)[0]
    status, _, err = run_cli(capsys, "import", path, "--channel", "shop", "-w", ws)
    assert status == 0 and "Consent re-read" not in err
    with sqlite3.connect(ws) as db:
        (value,) = db.execute("SELECT value FROM setting WHERE key = ?", (CONSENT_READERS_SETTING,)).fetchone()
    from omnidesk.core.importing.backfill import CONSENT_READERS_VERSION

    assert json.loads(value) == CONSENT_READERS_VERSION


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_a_mailchimp_file_an_older_version_did_not_know_by_name_is_read_by_its_name(capsys, tmp_path):
    """Mailchimp's current zips name their files subscribed_email_audience_export_<id>.csv and
    nonsubscribed_…: an older Omnidesk read both as contacts of unknown consent.  Opened now, the
    subscribed are granted again and the never-opted-in are a no, so no setting lets them into a pack."""
    from tests.core.test_consent_vendor_readings import AUDIENCE

    ws = tmp_path / "shop.omnidesk"
    for name in ("subscribed_members_export_3f2a91c0de.csv", "nonsubscribed_members_export_3f2a91c0de.csv"):
        path = tmp_path / name.replace("_members_export_", "_email_audience_export_")
        path.write_text(AUDIENCE[name], encoding="utf-8")
        assert run_cli(capsys, "import", path, "-w", ws)[0] == 0
    with sqlite3.connect(ws) as db:  # as the older readers left it
        db.execute("UPDATE import_batch SET preset = 'mailchimp_members'")
        db.execute("DELETE FROM consent")
        db.execute("UPDATE setting SET value = '1' WHERE key = ?", (CONSENT_READERS_SETTING,))
    engine = create_engine(f"sqlite:///{ws}")
    with engine.begin() as conn:
        refresh_all(conn)
    engine.dispose()

    out = tmp_path / "customers.csv"
    status, _, err = run_cli(capsys, "export", "customers", "--columns", "first_name,consent_email", str(out), "-w", ws)
    assert status == 0, err
    with out.open(encoding="utf-8", newline="") as fh:
        assert {r["first_name"]: r["consent_email"] for r in csv.DictReader(fh)} == {"Alice": "granted",
                                                                                    "Dave": "denied"}
    assert "Consent re-read from your imported files: 1 customer now opted out, 1 now granted." in err
    with sqlite3.connect(ws) as db:
        assert sorted(p for (p,) in db.execute("SELECT preset FROM import_batch")) == [
            "mailchimp_nonsubscribed", "mailchimp_subscribed"]
