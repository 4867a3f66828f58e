"""An email's send pack said its subject line nowhere the person setting up the send looks: the HTML
held it only as its <title>, which the sending tool ignores, and neither the text part, the audience
file nor the export's summary had it or the preheader, though the check calls an email without a
subject an error.  The pack now has them in its own file, and the summary says them."""

from __future__ import annotations

import json

import time_machine

from tests.helpers import SPRING_SALE, harbor_fixtures, run_cli

shop_template, shop = harbor_fixtures()
LINK = "https://hc.example/s?utm_source=newsletter&utm_medium=email&utm_campaign=mail"
EMAIL = {"subject": "{first_name|Hi}, 20% off for you", "preheader": "Code S20 until Sunday",
         "body": f"Hi {{first_name|there}}, 20% off everything with S20.\n\nShop now: {LINK}"}
SUBJECT = "*|IF:FNAME|**|FNAME|**|ELSE:|*Hi*|END:IF|*, 20% off for you"
STEM = "mail_email_2027-03-10_1200"


def _imported(capsys, tmp_path, shop, email: dict) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({
        "name": "Mail", "message": SPRING_SALE, "variants": {"email": email}, "audience": "everyone",
        "steps": [{"channel": "email", "at": "2027-03-10T12:00", "timezone": "America/New_York"}]}),
        encoding="utf-8")
    status, _out, err = run_cli(capsys, "campaign", "import", plan, "-w", shop)
    assert status == 0, err


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_the_email_pack_and_its_summary_give_the_subject_and_the_preheader(shop, capsys, tmp_path):
    _imported(capsys, tmp_path, shop, EMAIL)
    packs = tmp_path / "packs"
    status, out, err = run_cli(capsys, "campaign", "export", "Mail", "--out", packs, "-w", shop)
    assert status == 0, err
    assert f"Email 2027-03-10 12:00 America/New_York: {STEM}.csv (1 recipient)\n  Subject: {SUBJECT}\n  Preheader: Code S20 until Sunday\n" in out, out
    # Its own file, the two lines first, in the merge tags the audience file has columns for.
    said = (packs / f"{STEM}_subject.txt").read_text(encoding="utf-8").splitlines()
    assert said[:2] == [f"Subject: {SUBJECT}", "Preheader: Code S20 until Sunday"]
    assert (packs / f"{STEM}.csv").read_text(encoding="utf-8-sig").splitlines()[0].startswith(
        "Email Address,First Name")  # Mailchimp's FNAME
    # The text part stays the email alone, to paste whole into the plain-text editor.
    text = (packs / f"{STEM}.txt").read_text(encoding="utf-8")
    assert text.startswith("Hi *|IF:FNAME|**|FNAME|**|ELSE:|*there*|END:IF|*") and "Subject:" not in text
    # And in the JSON summary.
    status, out, err = run_cli(capsys, "campaign", "export", "Mail", "--out", packs, "--force", "--json", "-w", shop)
    assert status == 0, err
    (step,) = json.loads(out)["steps"]
    assert (step["subject"], step["preheader"]) == (SUBJECT, "Code S20 until Sunday")
    assert f"{STEM}_subject.txt" in step["also"]


@time_machine.travel("2027-02-01 10:00:00Z", tick=False)
def test_an_email_without_a_preheader_says_its_subject_alone(shop, capsys, tmp_path):
    _imported(capsys, tmp_path, shop, {**EMAIL, "subject": "Spring sale", "preheader": ""})
    packs = tmp_path / "packs"
    status, out, err = run_cli(capsys, "campaign", "export", "Mail", "--out", packs, "-w", shop)
    assert status == 0, err
    assert "  Subject: Spring sale\n" in out and "Preheader" not in out
    assert (packs / f"{STEM}_subject.txt").read_text(encoding="utf-8").splitlines()[:3] == [
        "Subject: Spring sale", "Preheader:", ""]
