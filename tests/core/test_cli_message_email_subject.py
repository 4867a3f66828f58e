"""An email with no subject, and an email picture with no words for it, passed the check in silence:
many sending tools refuse a mail without a subject, and a picture whose alt text (the headline) is
empty leaves a blank where pictures are blocked and nothing for a screen reader to say."""

from __future__ import annotations

import json

import time_machine

from tests.helpers import SPRING_SALE, harbor_fixtures, run_cli

shop_template, shop = harbor_fixtures()
LINK = "https://hc.example/s?utm_source=newsletter&utm_medium=email&utm_campaign=spring"
BODY = f"Hi {{first_name|there}}, 20% off everything with S20.\n\nShop now: {LINK}"


def _findings(capsys, tmp_path, shop, master: dict, email: dict | None = None) -> tuple[int, dict]:
    doc = tmp_path / "spring.json"
    doc.write_text(json.dumps({"name": "Spring", "message": master, **({"variants": {"email": email}} if email else {})}),
                   encoding="utf-8")
    status, _out, err = run_cli(capsys, "-w", shop, "message", "import", doc)
    assert status == 0, err
    status, out, _err = run_cli(capsys, "-w", shop, "message", "check", "Spring", "--json")
    return status, {(f["channel"], f["code"]): (f["severity"], f["field"], f["message"])
                    for f in json.loads(out)["findings"]}


def test_an_email_whose_subject_is_empty_is_an_error(shop, capsys, tmp_path):
    for subject in ("", "   "):
        status, found = _findings(capsys, tmp_path, shop, SPRING_SALE,
                                  {"subject": subject, "preheader": "20% off", "body": BODY})
        assert status == 1
        assert found[("email", "email_no_subject")] == (
            "error", "subject", "the email has no subject: many sending tools refuse one without; write a subject")
    status, found = _findings(capsys, tmp_path, shop, SPRING_SALE,
                              {"subject": "Spring sale", "preheader": "", "body": BODY})
    assert ("email", "email_no_subject") not in found


def test_an_email_made_from_a_master_without_a_headline_has_neither_subject_nor_alt_text(shop, capsys, tmp_path):
    master = {**SPRING_SALE, "headline": "", "image": "https://hc.example/p.jpg"}
    status, found = _findings(capsys, tmp_path, shop, master)
    assert status == 1 and found[("email", "email_no_subject")][0] == "error"
    assert found[("email", "email_image_no_alt")] == (
        "warning", "", "the email's picture has no text for where pictures are blocked or read aloud: it is the "
                       "master's headline, and the master has none; write a headline")
    # A subject written by hand clears the error; the picture still has no words.
    status, found = _findings(capsys, tmp_path, shop, master, {"subject": "Spring sale", "preheader": "", "body": BODY})
    assert ("email", "email_no_subject") not in found and ("email", "email_image_no_alt") in found
    # With a headline it has both.
    _status, found = _findings(capsys, tmp_path, shop, {**master, "headline": "Spring sale"})
    assert not {("email", "email_no_subject"), ("email", "email_image_no_alt")} & set(found)


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_the_campaign_export_names_the_missing_subject_and_writes_nothing(shop, capsys, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({
        "name": "Mail", "message": SPRING_SALE, "variants": {"email": {"subject": "", "preheader": "", "body": BODY}},
        "audience": "everyone",
        "steps": [{"channel": "email", "at": "2027-03-10T12:00", "timezone": "America/New_York"}]}),
        encoding="utf-8")
    assert run_cli(capsys, "campaign", "import", plan, "-w", shop)[0] == 0
    status, _out, err = run_cli(capsys, "campaign", "export", "Mail", "--out", tmp_path / "packs", "-w", shop)
    assert status == 1
    assert "1 error to fix before it is exported: Email: the email has no subject" in err, err
    assert not (tmp_path / "packs").exists()
