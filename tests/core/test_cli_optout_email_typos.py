"""An opt-out list's address written with a slip a person reads past ("a5@example.com." at the end
of a sentence, "( a6@example.com )", "a7 @ example.com") opts out the customer who holds it, the row
flagged saying what it was read as.  Only a refusal is read so: a "yes" written the same way grants
no one.  A refusal whose address cannot be read at all stays flagged and makes no customer with
nothing on it.  Played through the command line at a set clock."""

from __future__ import annotations

import csv

from tests.helpers import cli_at, exported_packs, write_csv

NY = "America/New_York"
PLAN = {"name": "N", "audience": "everyone", "mode": "each_channel",
        "message": {"headline": "Sale", "body": "Sale", "cta": "Shop", "link": "https://harbor.example/s"},
        "steps": [{"channel": "email", "at": "2027-03-01T12:00", "timezone": NY}]}
PEOPLE = [[f"A{i}", f"a{i}@example.com", f"+1 212 555 050{i}", "yes"] for i in range(1, 10)]

_cli = cli_at  # a command at a set clock, which must succeed


def _shop(tmp_path, capsys):
    ws = tmp_path / "shop.omnidesk"
    _cli(capsys, ws, "import", write_csv(tmp_path / "c.csv", ["First Name", "Email", "Phone", "Email consent"],
                                         PEOPLE), "--region", "US", at="2027-01-10 15:00:00Z")
    return ws


def _customers(capsys, ws, tmp_path) -> dict[str, tuple[str, str]]:
    out = tmp_path / "customers.csv"
    _cli(capsys, ws, "export", "customers", out, "--columns", "id,first_name,email,consent_email", "--force")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        return {r["id"]: (r["first_name"], r["email"], r["consent_email"]) for r in csv.DictReader(fh)}


def _flagged(path) -> dict[str, str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return {r["Email"]: r["omnidesk_problems"] for r in csv.DictReader(fh)}


def test_an_unsubscribe_with_a_slip_in_its_address_reaches_its_customer(tmp_path, capsys):
    ws = _shop(tmp_path, capsys)
    slips = ["a1@example.com.", ".a2@example.com", "( a3@example.com )", "a4 @ example. com",
             "a5@example.com.,", "[a6@example.com]", "'a7@example.com'!",
             # No single reading: a space inside the name, a dot inside it, an address cut short.
             "a 8@example.com", "a8.@example.com", "a9@example"]
    said = _cli(capsys, ws, "import", write_csv(tmp_path / "unsubscribes.csv", ["Email"], [[s] for s in slips]),
                "--region", "US", "--errors", tmp_path / "errors.csv", at="2027-01-20 15:00:00Z")
    flagged = _flagged(tmp_path / "errors.csv")
    assert set(flagged) == set(slips), flagged
    for n, slip in enumerate(slips[:7], start=1):
        assert f"read as a{n}@example.com" in flagged[slip], (slip, flagged[slip])
    for slip in slips[7:]:
        assert "read as" not in flagged[slip] and "not a valid email" in flagged[slip], (slip, flagged[slip])
    # The three that cannot be read name no one: no customer is made of them.
    assert "3 rows skipped" in said, said
    customers = _customers(capsys, ws, tmp_path)
    assert sorted(customers.values()) == [
        *[(f"A{i}", f"a{i}@example.com", "unsubscribed") for i in range(1, 8)],
        ("A8", "a8@example.com", "granted"), ("A9", "a9@example.com", "granted")]
    packs, _said = exported_packs(capsys, ws, tmp_path, PLAN)
    with packs["email"].open(encoding="utf-8-sig", newline="") as fh:
        assert sorted(r["Email Address"] for r in csv.DictReader(fh)) == ["a8@example.com", "a9@example.com"]


def test_a_yes_with_a_slip_in_its_address_grants_no_one(tmp_path, capsys):
    """A "yes" is read only as written: the slip is flagged and reaches no one's consent.  A "no" on the
    same kind of list is a refusal, and is read as a person would read it."""
    ws = _shop(tmp_path, capsys)
    _cli(capsys, ws, "import", write_csv(tmp_path / "unsubscribes.csv", ["Email"], [["a1@example.com"]]),
         "--region", "US", at="2027-01-15 15:00:00Z")
    rows = [["", "a1@example.com.", "yes"], ["", "a2@example.com.", "no"], ["Zed", "zed@example.com.", "yes"],
            ["", "new@example.com.", "yes"]]
    _cli(capsys, ws, "import", write_csv(tmp_path / "signups.csv", ["First Name", "Email", "Email consent"], rows),
         "--region", "US", "--errors", tmp_path / "errors.csv", at="2027-01-20 15:00:00Z")
    flagged = _flagged(tmp_path / "errors.csv")
    assert set(flagged) == {r[1] for r in rows}, flagged
    assert "read as a2@example.com" in flagged["a2@example.com."]
    for address in ("a1@example.com.", "zed@example.com.", "new@example.com."):
        assert "read as" not in flagged[address], flagged[address]
    customers = sorted(_customers(capsys, ws, tmp_path).values())
    # Zed is a customer by his name, with no address; the nameless "yes" is nobody.
    assert customers == [("A1", "a1@example.com", "unsubscribed"), ("A2", "a2@example.com", "denied"),
                         *[(f"A{i}", f"a{i}@example.com", "granted") for i in range(3, 10)],
                         ("Zed", "", "granted")], customers


def test_an_sms_stop_whose_address_has_a_slip_reaches_its_customer(tmp_path, capsys):
    """A STOP whose number is not written and whose address has a slip is the address's."""
    ws = _shop(tmp_path, capsys)
    _cli(capsys, ws, "import", write_csv(tmp_path / "sms_optouts.csv", ["Email", "Keyword"],
                                         [["a3@example.com.", "STOP"]]), "--channel", "sms", "--region", "US",
         at="2027-01-20 15:00:00Z")
    out = tmp_path / "customers.csv"
    _cli(capsys, ws, "export", "customers", out, "--columns", "email,consent_sms", "--force")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        sms = {r["email"]: r["consent_sms"] for r in csv.DictReader(fh)}
    assert sms["a3@example.com"] == "unsubscribed" and len(sms) == 9, sms
