"""A campaign's export: one pack per step however many steps a channel has, every file or none,
and a step recorded as sent only together with its pack."""

from __future__ import annotations

import csv
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import insert, select

from omnidesk.core.campaigns import packs
from omnidesk.core.campaigns.campaign import Step, exported_steps, get_campaign, save_campaign
from omnidesk.core.campaigns.check import check_campaign
from omnidesk.core.campaigns.export import export_campaign, planned_files, step_file_names
from omnidesk.core.errors import UserError
from omnidesk.core.messages.brand import set_brand
from omnidesk.core.messages.store import save_message
from omnidesk.core.models import Customer, ImportBatch, SendRecord, SourceRecord
from tests.helpers import run_cli

NOW = datetime(2027, 2, 1, 10, 0, tzinfo=UTC)
NY = "America/New_York"
# Three emails in three days and a text: the default cap (3 messages in 7 days) keeps the
# people who also get the text out of the last email, so the steps' lists differ.
STEPS = [{"channel": "email", "at": "2027-03-02T09:00", "timezone": NY},
         {"channel": "email", "at": "2027-03-03T09:00", "timezone": NY},
         {"channel": "email", "at": "2027-03-04T09:00", "timezone": NY},
         {"channel": "sms", "at": "2027-03-02T12:00", "timezone": NY}]
NAMES = ["second-push_email_2027-03-02_0900.csv", "second-push_email_2027-03-03_0900.csv",
         "second-push_email_2027-03-04_0900.csv", "second-push_sms_2027-03-02_1200.csv"]
TEXTERS = range(1, 6)  # customers 1-5 said yes to texts too


@pytest.fixture
def out(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def shop(make_workspace):
    ws = make_workspace(timezone=NY)
    with ws.writing() as conn:
        batch = conn.execute(insert(ImportBatch.__table__).values(
            file_name="people.csv", file_hash="x", channel="shop", kind="contacts", status="done",
            header_json="[]", mapping_json="[]", options_json="{}")).inserted_primary_key[0]
        for cid in range(1, 13):
            texter = cid in TEXTERS
            conn.execute(insert(Customer.__table__).values(
                id=cid, display_name=f"P{cid:02d}", email=f"p{cid}@example.com", consent_email="granted",
                phone=f"+1212555{cid:04d}" if texter else None, consent_sms="granted" if texter else None,
                channels="shop"))
            conn.execute(insert(SourceRecord.__table__).values(
                id=cid, batch_id=batch, record_no=cid, channel="shop", kind="contacts", row_hash=f"h{cid}",
                raw_json="[]", customer_id=cid))
    set_brand(ws, "address", "1 Market Street, Springfield")
    set_brand(ws, "name", "Harbor")
    save_message(ws, "Push", {"headline": "Push", "link": "https://hc.example/a"}, variants={
        "sms": {"text": "Harbor: Push! https://hc.example/a?utm_source=sms&utm_medium=sms&utm_campaign=push "
                        "Reply STOP"}})
    save_campaign(ws, "Second push", message="Push", steps=STEPS)
    return ws


def _addresses(path) -> set[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {row.get("Email Address") or row["Phone"] for row in csv.DictReader(fh)}


def _recorded(ws) -> dict[int, set[str]]:
    """Step id -> the addresses (email or phone, as the step's channel) recorded as sent it."""
    sr, cust = SendRecord.__table__, Customer.__table__
    out: dict[int, set[str]] = {}
    with ws.engine.connect() as conn:
        for step_id, channel, email, phone in conn.execute(
                select(sr.c.step_id, sr.c.channel, cust.c.email, cust.c.phone)
                .join(cust, cust.c.id == sr.c.record_id)):  # record n belongs to customer n here
            if channel in ("email", "sms"):
                out.setdefault(step_id, set()).add(email if channel == "email" else phone)
    return out


def _nothing_recorded(ws) -> bool:
    return not _recorded(ws) and not exported_steps(ws, "Second push") \
        and get_campaign(ws, "Second push").status == "draft"


def test_each_step_of_one_channel_gets_its_own_pack_with_its_own_recipients(shop, out):
    summary = export_campaign(shop, "Second push", out, now=NOW)
    by_file = {s.file: s for s in summary.steps}
    assert sorted(by_file) == sorted(NAMES)
    steps = {(s.channel, s.at_local): s.id for s in get_campaign(shop, "Second push").steps}
    recorded = _recorded(shop)
    for s in summary.steps:
        assert _addresses(out / s.file) == recorded[steps[(s.channel, s.at)]], s.file
    assert len(_addresses(out / NAMES[0])) == 12 and len(_addresses(out / NAMES[2])) == 7  # capped
    assert by_file[NAMES[0]].extra == ["second-push_email_2027-03-02_0900.html",
                                       "second-push_email_2027-03-02_0900.txt",
                                       "second-push_email_2027-03-02_0900_subject.txt"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*NAMES, "second-push.ics",
         *(n.replace(".csv", ext) for n in NAMES[:3] for ext in (".html", ".txt", "_subject.txt"))])
    assert set(exported_steps(shop, "Second push")) == set(steps.values())


def test_names_depend_on_the_step_alone_and_stay_apart_on_one_day_and_one_minute():
    steps = [Step(1, "email", "2027-03-02T15:00:00", NY), Step(2, "email", "2027-03-02T09:00:00", NY),
             Step(3, "email", "2027-03-02T09:00:00", "Europe/London"),  # the same local minute, earlier
             Step(4, "instagram", "2027-03-02T09:00:00", NY), Step(5, "email", "2027-03-02T09:00:00", NY)]
    names = [f.names for f in step_file_names("s", steps)]
    assert names == [("s_email_2027-03-02_1500.csv", "s_email_2027-03-02_1500.html", "s_email_2027-03-02_1500.txt",
                      "s_email_2027-03-02_1500_subject.txt"),
                     ("s_email_2027-03-02_0900-2.csv", "s_email_2027-03-02_0900-2.html",
                      "s_email_2027-03-02_0900-2.txt", "s_email_2027-03-02_0900-2_subject.txt"),
                     ("s_email_2027-03-02_0900.csv", "s_email_2027-03-02_0900.html", "s_email_2027-03-02_0900.txt",
                      "s_email_2027-03-02_0900_subject.txt"),
                     ("s_instagram_2027-03-02_0900.csv", "s_instagram_2027-03-02_0900_hootsuite.csv",
                      "s_instagram_2027-03-02_0900_generic.csv"),
                     ("s_email_2027-03-02_0900-3.csv", "s_email_2027-03-02_0900-3.html",
                      "s_email_2027-03-02_0900-3.txt", "s_email_2027-03-02_0900-3_subject.txt")]
    files = planned_files(Path("out"), "s", steps)
    assert len({str(f) for f in files}) == len(files) == 20 and files[-1] == Path("out", "s.ics")
    # Adding a step renames no other step's pack.
    assert step_file_names("s", steps[:1])[0].main == names[0][0]


def test_an_existing_file_stops_the_export_before_any_file_is_written(shop, out):
    (out / NAMES[2]).write_text("an earlier export", encoding="utf-8")
    with pytest.raises(UserError, match="already exists"):
        export_campaign(shop, "Second push", out, now=NOW)
    assert [p.name for p in out.iterdir()] == [NAMES[2]]
    assert _nothing_recorded(shop)
    export_campaign(shop, "Second push", out, now=NOW, overwrite=True)
    assert "an earlier export" not in (out / NAMES[2]).read_text(encoding="utf-8")


def test_a_pack_that_fails_half_way_leaves_no_file_and_records_nothing(shop, tmp_path, monkeypatch):
    def full_disk(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(packs, "write_sms_pack", full_disk)  # the second step written, after an email pack
    out = tmp_path / "packs"
    with pytest.raises(OSError, match="No space"):
        export_campaign(shop, "Second push", out, now=NOW)
    assert not out.exists()  # the folder it made goes again, hidden files and all
    assert _nothing_recorded(shop)


def test_a_name_too_long_for_mailchimp_stops_the_export_naming_the_customer(shop, out):
    with shop.writing() as conn:
        conn.exec_driver_sql("UPDATE customer SET first_name = ? WHERE id = 3", ("Maximilian" * 30,))
    # The check names the customer before anything is written (the pack's writer refuses it too).
    with pytest.raises(UserError, match=r"1 error to fix before it is exported: Email: 1 email recipient has a name longer "
                                        r"than Mailchimp keeps \(255 bytes\).*customer 3; shorten it"):
        export_campaign(shop, "Second push", out, now=NOW)
    assert not list(out.iterdir()) and _nothing_recorded(shop)
    report = check_campaign(shop, "Second push", now=NOW)[0]
    assert [(f.channel, f.code) for f in report.errors] == [("email", "name_too_long")]
    with shop.writing() as conn:  # a recipient of no email step: nothing to say
        conn.exec_driver_sql("UPDATE customer SET consent_email = 'unsubscribed' WHERE id = 3")
    assert not check_campaign(shop, "Second push", now=NOW)[0].errors
    with shop.writing() as conn:  # 255 bytes: Mailchimp keeps it whole
        conn.exec_driver_sql("UPDATE customer SET consent_email = 'granted', first_name = ? WHERE id = 3",
                             ("É" * 127 + "e",))
    assert not check_campaign(shop, "Second push", now=NOW)[0].errors
    with shop.writing() as conn:  # 255 bytes as typed, 256 with the formula guard's apostrophe
        conn.exec_driver_sql("UPDATE customer SET last_name = ? WHERE id IN (3, 4)", ("-" + "a" * 254,))
    (error,) = check_campaign(shop, "Second push", now=NOW)[0].errors
    assert error.message.startswith("2 email recipients have a name longer") and "customers 3, 4;" in error.message
    with shop.writing() as conn:
        conn.exec_driver_sql("UPDATE customer SET first_name = 'Max', last_name = 'Lee' WHERE id IN (3, 4)")
    assert len(export_campaign(shop, "Second push", out, now=NOW).steps) == len(NAMES)


def test_a_failed_record_takes_the_packs_back_and_restores_the_files_they_replaced(shop, out, monkeypatch):
    (out / NAMES[3]).write_text("the pack that was sent", encoding="utf-8")
    real = shop.writing

    @contextmanager
    def failing_commit(wait=None):
        with real(wait) as conn:
            yield conn
            raise RuntimeError("disk I/O error")  # as if the commit failed: the transaction rolls back

    monkeypatch.setattr(shop, "writing", failing_commit)
    with pytest.raises(RuntimeError, match="disk I/O"):
        export_campaign(shop, "Second push", out, now=NOW, overwrite=True)
    assert [p.name for p in out.iterdir()] == [NAMES[3]]
    assert (out / NAMES[3]).read_text(encoding="utf-8") == "the pack that was sent"
    monkeypatch.setattr(shop, "writing", real)
    assert _nothing_recorded(shop)


def test_a_new_folder_is_made_inside_an_existing_one_and_nothing_else_is(shop, tmp_path):
    summary = export_campaign(shop, "Second push", tmp_path / "pack", now=NOW)
    assert (tmp_path / "pack" / summary.steps[0].file).is_file()
    for bad, words in ((tmp_path / "missing" / "pack", "There is no folder"),
                       (tmp_path / NAMES[0], "is a file, not a folder"),
                       (tmp_path / "shop.omnidesk", "workspace"),
                       (tmp_path / "new.omnidesk", "workspace")):
        if bad.name == NAMES[0]:
            bad.write_text("x", encoding="utf-8")
        with pytest.raises(UserError, match=words):
            export_campaign(shop, "Second push", bad, now=NOW, overwrite=True)
    assert not (tmp_path / "missing").exists() and not (tmp_path / "new.omnidesk").exists()


@time_machine.travel(NOW, tick=False)
def test_the_command_line_makes_the_folder_and_names_every_pack(shop, tmp_path, capsys, monkeypatch):
    path = shop.path
    shop.close()
    monkeypatch.chdir(tmp_path)
    status, text, err = run_cli(capsys, "campaign", "export", "Second push", "--out", "pack2", "-w", str(path))
    assert status == 0, err
    assert all(name in text for name in NAMES)
    assert sorted(p.name for p in (tmp_path / "pack2").glob("*.csv")) == sorted(NAMES)


def test_a_post_and_the_banner_carry_the_offer_and_the_shops_name(make_workspace, out):
    """Published for everyone, a post has no customer's values, but the offer and the brand's
    name are everyone's: they are filled in, and a personal token takes its fallback."""
    ws = make_workspace(timezone=NY)
    set_brand(ws, "address", "1 Market Street, Springfield")
    set_brand(ws, "name", "Harbor")
    save_message(ws, "Sale", {"headline": "Sale", "link": "https://hc.example/a", "offer_code": "SPRING20"},
                 variants={"facebook": {"text": "Hi {first_name|friends}: {offer_code} at {business_name} "
                                                "https://hc.example/a"},
                           "website": {"text": "{offer_code} at {business_name}", "link": "https://hc.example/a"}})
    save_campaign(ws, "Posts", message="Sale", steps=[
        {"channel": "facebook", "at": "2027-03-02T09:00", "timezone": NY},
        {"channel": "website", "at": "2027-03-02T09:00", "timezone": NY}])
    summary = export_campaign(ws, "Posts", out, now=NOW)
    files = {s.channel: out / s.file for s in summary.steps}
    post = files["facebook"].read_text(encoding="utf-8")
    assert "Hi friends: SPRING20 at Harbor" in post and "{" not in post
    banner = files["website"].read_text(encoding="utf-8")
    assert "SPRING20 at Harbor" in banner


def test_the_banners_button_fills_its_tokens_as_its_text_does(make_workspace, out):
    """The banner's button read "Use {offer_code} at {business_name}" to every visitor, its tokens
    never filled, while the text beside it had them filled and escaped."""
    ws = make_workspace(timezone=NY)
    set_brand(ws, "address", "1 Market Street, Springfield")
    set_brand(ws, "name", "Harbor & Sons")
    save_message(ws, "Sale", {"headline": "Sale", "link": "https://hc.example/a", "offer_code": "OPEN10",
                              "cta": "Use {offer_code} at {business_name}, {first_name|friend}"},
                 variants={"website": {"text": "{offer_code} at {business_name}", "link": "https://hc.example/a"}})
    save_campaign(ws, "Banner", message="Sale", steps=[{"channel": "website", "at": "2027-03-02T09:00",
                                                        "timezone": NY}])
    (step,) = export_campaign(ws, "Banner", out, now=NOW).steps
    banner = (out / step.file).read_text(encoding="utf-8")
    assert ">Use OPEN10 at Harbor &amp; Sons, friend</a>" in banner and "{" not in banner


def test_a_check_finding_names_the_steps_time_with_its_zone(shop):
    """"the SMS step of 2027-02-17 15:30 is in the past" read as the shop's or the viewer's time, while the
    recipients said "15:30 Auckland": a finding names the step's own zone."""
    later = datetime(2030, 1, 1, tzinfo=UTC)
    report = check_campaign(shop, "Second push", now=later)[0]
    past = [f.message for f in report.findings if f.code == "step_in_past"]
    assert past and all(f"({NY}) is in the past" in m for m in past), past


def test_a_renamed_campaign_replaces_its_own_packs_and_calendar_events(shop, out):
    # Exported as "Second push", renamed, a step added, exported again into the same folder:
    # the packs and the calendar keep the first export's names and UIDs, so the second export
    # replaces them (asking for --force) instead of writing every step twice.
    import icalendar

    from omnidesk.core.campaigns.campaign import rename_campaign

    export_campaign(shop, "Second push", out, now=NOW)
    uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical((out / "second-push.ics").read_bytes()).walk("VEVENT")}
    rename_campaign(shop, "Second push", "Spring push 2027")
    save_campaign(shop, "Spring push 2027", message="Push", replace=True,
                  steps=[*STEPS, {"channel": "email", "at": "2027-03-20T09:00", "timezone": NY}])
    with pytest.raises(UserError, match="already exists; replace the files of an earlier export with --force"):
        export_campaign(shop, "Spring push 2027", out, now=NOW)
    before = sorted(p.name for p in out.iterdir())
    summary = export_campaign(shop, "Spring push 2027", out, now=NOW, overwrite=True)
    assert set(NAMES) < {s.file for s in summary.steps}
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*before, "second-push_email_2027-03-20_0900.csv", "second-push_email_2027-03-20_0900.html",
         "second-push_email_2027-03-20_0900.txt", "second-push_email_2027-03-20_0900_subject.txt"])
    calendar = icalendar.Calendar.from_ical((out / "second-push.ics").read_bytes())
    assert uids < {str(e["UID"]) for e in calendar.walk("VEVENT")}
    assert str(calendar.walk("VEVENT")[0]["SUMMARY"]).startswith("Spring push 2027")  # the name it has now
    # A campaign never exported is named after its name now.
    save_campaign(shop, "Autumn push", message="Push", steps=STEPS[:1])
    assert [s.file for s in export_campaign(shop, "Autumn push", out, now=NOW).steps] == [
        "autumn-push_email_2027-03-02_0900.csv"]


def test_going_back_a_version_takes_the_pack_name_off_the_campaigns(tmp_path):
    from tests.helpers import schema_after_going_back

    before, back = schema_after_going_back(tmp_path, "0033", "0034", "campaign")
    assert back == before and "pack_name" not in before
