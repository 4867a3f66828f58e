"""A pack exported and still waiting to go out never keeps someone who opted out since, whatever
chose its audience and however long its texts wait for quiet hours to end.

Real vendor files are imported into a real workspace; the clock is set by time_machine."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from omnidesk.core.campaigns.campaign import save_campaign, set_status
from omnidesk.core.campaigns.check import check_campaign
from omnidesk.core.campaigns.export import export_campaign
from omnidesk.core.errors import UserError
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.messages.brand import set_brand
from omnidesk.core.messages.store import save_message
from omnidesk.core.models import CampaignStep, SendRecord, SourceRecord
from omnidesk.core.workspace import Workspace
from tests.core.test_import_consent_readings import mailchimp, shop_customers
from tests.core.test_presets import MAILCHIMP_UNSUBSCRIBED
from tests.helpers import write_csv

NY = "America/New_York"


def _pack(folder, channel: str) -> list[dict]:
    (pack,) = folder.glob(f"*_{channel}_*.csv")
    with pack.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _shop(make_workspace, tmp_path, *people):
    ws = make_workspace(timezone=NY)
    with time_machine.travel("2027-05-01 09:00Z", tick=False):
        import_file(ws, shop_customers(tmp_path / "customers_export.csv", *people))
    set_brand(ws, "name", "Harbor")
    set_brand(ws, "address", "1 Market Street, Springfield")
    return ws


def test_a_segment_audience_does_not_hide_an_unsubscribe_from_the_pack(make_workspace, tmp_path):
    """The audience is the rule "consent.email is granted": once Abe unsubscribes, the rule leaves
    him out of today's audience, but the pack exported before still mails him.  The check says so
    and scheduling is refused, as for a campaign to everyone; exporting again leaves him out."""
    ws = _shop(make_workspace, tmp_path, ("abe@example.com", "", "yes"), ("bea@example.com", "", "yes"))
    save_message(ws, "Spring", {"headline": "Spring", "link": "https://hc.example/spring"})
    save_campaign(ws, "Spring", message="Spring",
                  audience={"all": [{"field": "consent.email", "op": "is", "value": "granted"}]},
                  steps=[{"channel": "email", "at": "2027-06-01T12:00", "timezone": NY}])
    with time_machine.travel("2027-05-02 09:00Z", tick=False):
        export_campaign(ws, "Spring", tmp_path / "out")
        assert not check_campaign(ws, "Spring")[0].errors
    assert {r["Email Address"] for r in _pack(tmp_path / "out", "email")} == {"abe@example.com", "bea@example.com"}

    with time_machine.travel("2027-05-03 09:00Z", tick=False):
        import_file(ws, mailchimp(tmp_path / "unsubscribed_members_export_1a.csv", MAILCHIMP_UNSUBSCRIBED,
                                  UNSUB_TIME="2027-05-02 18:00:00"), ImportOptions(channel="email"))
    with time_machine.travel("2027-05-03 10:00Z", tick=False):
        (error,) = check_campaign(ws, "Spring")[0].errors
        assert error.code == "pack_holds_opt_outs" and "holds 1 person who has opted out since" in error.message
        with pytest.raises(UserError, match="opted out since"):
            set_status(ws, "Spring", "scheduled")
        export_campaign(ws, "Spring", tmp_path / "out", overwrite=True)
        assert {r["Email Address"] for r in _pack(tmp_path / "out", "email")} == {"bea@example.com"}
        assert not check_campaign(ws, "Spring")[0].errors


def _sends(ws, channel: str = "sms") -> dict[int, str]:
    sr, rec, st = SendRecord.__table__, SourceRecord.__table__, CampaignStep.__table__
    with ws.engine.connect() as conn:
        return dict(conn.execute(select(rec.c.customer_id, sr.c.send_utc).join(rec, rec.c.id == sr.c.record_id)
                                 .join(st, st.c.id == sr.c.step_id).where(sr.c.channel == channel)).all())


def _evening_exported(make_workspace, tmp_path):
    """Ann in New York and Cara in London, texted by an SMS step at 20:30 New York time, exported."""
    ws = _shop(make_workspace, tmp_path, ("ann@example.com", "+12125550101", "yes"),
               ("cara@example.com", "+447911123456", "yes"))
    save_message(ws, "Evening", {"headline": "Sale", "link": "https://hc.example/s"},
                 variants={"sms": {"text": "Harbor: Sale! https://hc.example/s Reply STOP to opt out"}})
    save_campaign(ws, "Evening", message="Evening", steps=[{"channel": "sms", "at": "2027-06-01T20:30",
                                                            "timezone": NY}])
    with time_machine.travel("2027-05-20 12:00Z", tick=False):
        export_campaign(ws, "Evening", tmp_path / "out")
    return ws


def test_a_text_moved_out_of_quiet_hours_is_stopped_until_it_is_due(make_workspace, tmp_path):
    """An SMS step at 20:30 in New York texts Ann then and Cara, in London, at 07:00 UTC the next
    morning (quiet hours there).  Cara texts STOP at 00:50 UTC, after the step's own time and six
    hours before her text is due: the step is under way, not gone.  The check says her text is
    still to go; exporting again writes a pack of the texts still to come without her, and keeps
    the record of Ann's text, which went out."""
    ws = _evening_exported(make_workspace, tmp_path)
    rows = _pack(tmp_path / "out", "sms")
    assert [(r["Phone"], r["Send at (UTC)"]) for r in rows] == [("+12125550101", "2027-06-02T00:30:00Z"),
                                                                ("+447911123456", "2027-06-02T07:00:00Z")]
    before = _sends(ws)
    ann = next(cid for cid, at in before.items() if at == "2027-06-02T00:30:00Z")

    stop = write_csv(tmp_path / "stop.csv", ["Phone Number", "Keyword", "Date"],
                     [["+447911123456", "STOP", "2027-06-02 00:50:00"]])
    with time_machine.travel("2027-06-02 01:00Z", tick=False):
        import_file(ws, stop, ImportOptions(channel="sms"))
        report = check_campaign(ws, "Evening")[0]
        (error,) = report.errors
        assert error.code == "pack_holds_opt_outs" and "sends still to come" in error.message
        assert "2027-06-02 07:00 UTC" in error.message
        summary = export_campaign(ws, "Evening", tmp_path / "out", overwrite=True)
        (step,) = summary.steps
        assert step.under_way and not step.kept and step.eligible == 0
        assert _pack(tmp_path / "out", "sms") == []  # Ann's text went out at 00:30: not sent again
        assert _sends(ws) == {ann: "2027-06-02T00:30:00Z"}  # the record of whom it reached stays
        assert not check_campaign(ws, "Evening")[0].errors


def test_a_step_under_way_with_nobody_opted_out_is_kept_as_exported(make_workspace, tmp_path):
    """Between the step's own time and its last text, with nobody opted out since, the step is
    under way: the check warns, and an export keeps its pack as it was."""
    ws = _evening_exported(make_workspace, tmp_path)
    written = _pack(tmp_path / "out", "sms")
    with time_machine.travel(datetime(2027, 6, 2, 1, 0, tzinfo=UTC), tick=False):
        report = check_campaign(ws, "Evening")[0]
        assert not report.errors
        assert [f.code for f in report.findings if f.code.startswith("step_")] == ["step_under_way"]
        (step,) = export_campaign(ws, "Evening", tmp_path / "out", overwrite=True).steps
        assert step.kept
    assert _pack(tmp_path / "out", "sms") == written


def test_a_person_erased_after_the_export_is_named_in_the_pack_still_to_go(tmp_path, capsys):
    """Abe and Bea are in the pack; Abe is erased at his request.  His send record goes with him,
    but his row is still in the pack on disk: the check says so (an error that stops scheduling,
    not the export that mends it), the exported count stays 2, and exporting again leaves him out.
    Nothing of his is kept for it: the step keeps only when his row was due."""
    from tests.helpers import run_cli

    ws = tmp_path / "shop.omnidesk"

    def run(*argv, status=0):
        code, out, err = run_cli(capsys, *argv, "-w", ws)
        assert code == status, err
        return out + err

    shop_customers(tmp_path / "customers_export.csv", ("abe@example.com", "", "yes"), ("bea@example.com", "", "yes"))
    (tmp_path / "plan.json").write_text(
        '{"name": "Spring", "message": {"headline": "Spring", "link": "https://hc.example/spring"},'
        ' "steps": [{"channel": "email", "at": "2027-06-01T12:00", "timezone": "America/New_York"}]}',
        encoding="utf-8")
    with time_machine.travel("2027-05-01 09:00Z", tick=False):
        run("import", tmp_path / "customers_export.csv")
        run("settings", "timezone", NY)
        run("brand", "set", "name", "Harbor")
        run("brand", "set", "address", "1 Market Street, Springfield")
        run("campaign", "import", tmp_path / "plan.json")
        run("campaign", "export", "Spring", "--out", tmp_path / "out")
    assert {r["Email Address"] for r in _pack(tmp_path / "out", "email")} == {"abe@example.com", "bea@example.com"}

    with time_machine.travel("2027-05-02 09:00Z", tick=False):
        run("person", "erase", "abe@example.com", "--yes")
        said = run("campaign", "check", "Spring", status=1)
        assert "holds 1 person erased since at their request" in said and "[pack_holds_erased]" in said
        assert "exported 2027-05-01 05:00 for 2 recipients" in run("campaign", "show", "Spring")
        assert "erased since" in run("campaign", "schedule", "Spring", status=1)
        with Workspace.open(ws) as opened, opened.engine.connect() as conn:
            (kept,) = conn.execute(select(CampaignStep.__table__.c.erased_sends)).scalars()
        assert kept == '["2027-06-01T16:00:00Z"]'  # when his row was due, and nothing of him
        run("campaign", "export", "Spring", "--out", tmp_path / "out", "--force")
        assert {r["Email Address"] for r in _pack(tmp_path / "out", "email")} == {"bea@example.com"}
        assert "No findings" in run("campaign", "check", "Spring")
        assert "exported 2027-05-02 05:00 for 1 recipient;" in run("campaign", "show", "Spring")


def test_going_back_a_version_takes_the_erased_sends_off_the_steps(tmp_path):
    from tests.helpers import schema_after_going_back

    before, back = schema_after_going_back(tmp_path, "0032", "0033", "campaign_step")
    assert back == before
