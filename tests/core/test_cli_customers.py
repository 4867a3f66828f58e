"""`omnidesk tag …`, `tags`, `consent set`, `customer add` and `customer set`: one line out, or one
line of error on stderr with a non-zero exit and nothing changed."""

from __future__ import annotations

import json
import sqlite3

import time_machine

from omnidesk.cli import main
from tests.helpers import cli_shop_fixtures, run_cli, write_csv

PEOPLE = (["Email", "First Name", "Last Name", "City", "Tags", "Accepts Email Marketing", "Phone"], [
    ["ann@example.com", "Ann", "Lee", "Boston", "vip", "yes", "202-555-0101"],
    ["bob@example.com", "Bob", "Stone", "Boston", "", "no", ""],
    ["cy@example.com", "Cy", "Hill", "Paris", "vip", "yes", ""],
])


# The people imported through the command line once for the module; tests get copies.
shop_template, shop = cli_shop_fixtures(PEOPLE)


def run(capsys, *argv):
    return run_cli(capsys, *argv)


def db(path, sql, *params):
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, params).fetchall()


def dump(path):
    with sqlite3.connect(path) as conn:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
                for t in ("customer", "source_record", "consent", "custom_field", "identifier")}


def test_tag_customers_by_name_and_by_segment_then_list_tags(shop, capsys):
    status, out, _ = run(capsys, "tag", "add", "Newsletter", "ann@example.com", "bob@example.com", "-w", str(shop))
    assert (status, out.strip()) == (0, "Added tag Newsletter to 2 customers")
    rule = '{"field": "city", "op": "is", "value": "boston"}'
    assert run(capsys, "segment", "save", "Boston", "--rule", rule, "-w", str(shop))[0] == 0
    status, out, _ = run(capsys, "tag", "remove", "vip", "--segment", "Boston", "-w", str(shop))
    assert (status, out.strip()) == (0, "Removed tag vip from 1 customer")  # Ann: Bob never had it
    status, out, _ = run(capsys, "tags", "--json", "-w", str(shop))
    assert json.loads(out) == [{"tag": "Newsletter", "customers": 2}, {"tag": "vip", "customers": 1}]
    assert [line.split() for line in run(capsys, "tags", "-w", str(shop))[1].splitlines()] == [
        ["Newsletter", "2", "customers"], ["vip", "1", "customer"]]
    assert run(capsys, "segment", "save", "Paris", "--rule", '{"field": "city", "op": "is", "value": "paris"}',
               "-w", str(shop))[1].strip() == "Saved segment Paris: 1 customer"
    assert [line.split() for line in run(capsys, "segment", "list", "-w", str(shop))[1].splitlines()] == [
        ["Boston", "2", "customers"], ["Paris", "1", "customer"]]


def test_tag_errors_change_nothing(shop, capsys):
    before = dump(shop)
    status, _, err = run(capsys, "tag", "add", "a,b", "ann@example.com", "-w", str(shop))
    # A value a tag does not take exits 2, as the same comma in a rule does.
    assert status == 2 and "has a comma" in err and len(err.strip().splitlines()) == 1
    for refused in ("   ", "x" * 101):
        assert run(capsys, "tag", "remove", refused, "ann@example.com", "-w", str(shop))[0] == 2
    status, _, err = run(capsys, "tag", "add", "VIP", "nobody@example.com", "-w", str(shop))
    assert status != 0 and "no customer matches 'nobody@example.com'" in err
    status, _, err = run(capsys, "tag", "add", "VIP", "-w", str(shop))
    assert status != 0 and "name the customers, or give --segment" in err
    status, _, err = run(capsys, "tag", "add", "VIP", "--segment", "Nope", "-w", str(shop))
    assert status != 0 and "Nope" in err
    assert dump(shop) == before


def test_a_tag_is_taken_off_only_the_customers_who_have_it(shop, capsys, tmp_path):
    """Taking a tag off someone who never had it would only keep a file from ever giving it to them."""
    before = dump(shop)
    status, out, err = run(capsys, "tag", "remove", "NOSUCHTAG", "bob@example.com", "-w", str(shop))
    assert (status, out, err.strip()) == (
        1, "", "omnidesk: error: customer 2 does not have the tag NOSUCHTAG; nothing was changed.")
    status, out, err = run(capsys, "tag", "remove", "Gold", "bob@example.com", "cy@example.com", "-w", str(shop))
    assert (status, out) == (1, "") and "none of the 2 customers has the tag Gold; nothing was changed" in err
    assert dump(shop) == before  # no hand record, no mark keeping the tag off
    status, out, _ = run(capsys, "tag", "remove", "VIP", "ann@example.com", "bob@example.com", "-w", str(shop))
    assert (status, out.strip()) == (0, "Removed tag VIP from 1 customer")
    assert db(shop, "SELECT customer_id FROM source_record WHERE channel = 'manual'") == [(1,)]
    # A file that gives Bob the tag still does: it was never taken off him.
    later = write_csv(tmp_path / "later.csv", ["Email", "Tags"], [["bob@example.com", "vip"]])
    assert run(capsys, "import", str(later), "--channel", "shop", "-w", str(shop))[0] == 0
    assert db(shop, "SELECT tags FROM customer WHERE email = 'bob@example.com'") == [("vip",)]


@time_machine.travel("2026-12-02 10:00:00Z", tick=False)
def test_consent_set_records_a_dated_fact_with_its_note(shop, capsys):
    status, out, _ = run(capsys, "consent", "set", "ann@example.com", "sms", "denied", "--note",
                         "asked by phone to stop SMS", "-w", str(shop))
    assert (status, out.strip()) == (0, "Recorded SMS consent denied for customer 1")
    assert db(shop, "SELECT channel, status, occurred_at, note FROM consent WHERE note != ''") == [
        ("sms", "denied", "2026-12-02T10:00:00+00:00", "asked by phone to stop SMS")]
    assert db(shop, "SELECT consent_sms FROM customer WHERE email = 'ann@example.com'") == [("denied",)]
    status, _, err = run(capsys, "consent", "set", "ann@example.com", "till", "granted", "-w", str(shop))
    assert status != 0 and "'till' has no consent to record" in err


def test_customer_add_and_set(shop, capsys):
    status, out, _ = run(capsys, "customer", "add", "first_name=Dee", "last_name=Fox", "email=dee@example.com",
                         "tags=walk-in", "-w", str(shop))
    assert (status, out.strip()) == (0, "Added customer 4: Dee Fox")
    assert db(shop, "SELECT display_name, tags, channels FROM customer WHERE id = 4") == [
        ("Dee Fox", "walk-in", "manual")]
    status, out, _ = run(capsys, "customer", "set", "dee@example.com", "city", "Lyon", "-w", str(shop))
    assert (status, out.strip()) == (0, "Customer 4: set city to Lyon")
    status, out, _ = run(capsys, "customer", "set", "4", "custom.Shopping for", "gifts", "-w", str(shop))
    assert (status, out.strip()) == (0, "Customer 4: set Shopping for to gifts")
    before = dump(shop)
    for argv, words in ((("customer", "add", "first_name"), "is not FIELD=VALUE"),
                        (("customer", "add", "first_name=Ann", "email=ann@example.com"), "already the email"),
                        (("customer", "set", "4", "email", "not-an-email"), "cannot be read as the email"),
                        (("customer", "set", "4", "shoe", "9"), "'shoe' is not a field")):
        status, _, err = run(capsys, *argv, "-w", str(shop))
        assert status != 0 and words in err, (argv, err)
    assert dump(shop) == before


def test_export_customers_takes_a_custom_field_column_as_the_card_shows_it(shop, tmp_path, capsys):
    for who, value in (("ann@example.com", "gifts"), ("cy@example.com", "herself")):
        assert run(capsys, "customer", "set", who, "custom.Shopping for", value, "-w", str(shop))[0] == 0
    assert run(capsys, "customer", "set", "cy@example.com", "custom.Shopping for", "", "-w", str(shop))[0] == 0
    out = tmp_path / "out.csv"
    status, said, err = run(capsys, "export", "customers", str(out), "--columns", "email,custom.shopping for",
                            "--rule", '{"field": "city", "op": "is", "value": "boston"}', "-w", str(shop))
    assert (status, said.strip(), err) == (0, f"Wrote 2 customers to {out}", "")
    assert out.read_text(encoding="utf-8").splitlines() == [
        "email,Shopping for", "ann@example.com,gifts", "bob@example.com,"]
    # A field no record has is refused, naming those the workspace has; so is a column named nothing.
    for columns, words in (("email,custom.Shoe size", "no record has a custom field 'Shoe size' "
                                                       "(the workspace has: Shopping for)"),
                           ("email,custom. ", "unknown column 'custom.'")):
        status, _, err = run(capsys, "export", "customers", str(tmp_path / "no.csv"), "--columns", columns,
                             "-w", str(shop))
        assert status != 0 and words in err, err
        assert not (tmp_path / "no.csv").exists()


def test_customer_set_to_an_email_or_phone_someone_else_has_says_whose_it_is(shop, capsys):
    """A family may share one address, so it is stored; but a slip or a second card of one person
    is far likelier, and the line on stderr names the customer who has it."""
    status, out, err = run(capsys, "customer", "set", "bob@example.com", "email", "ANN@example.com", "-w", str(shop))
    assert (status, out.strip()) == (0, "Customer 2: set email to ann@example.com")
    assert err.strip() == ("note: ann@example.com is also the email of Ann Lee (#1). "
                           "If they are one person, merge them instead.")
    status, _, err = run(capsys, "customer", "set", "cy@example.com", "phone", "(202) 555-0101", "-w", str(shop))
    assert status == 0 and "+12025550101 is also the phone of Ann Lee (#1)" in err
    # Their own address again, or one nobody has, says nothing more.
    assert run(capsys, "customer", "set", "cy@example.com", "email", "CY@example.com", "-w", str(shop))[2] == ""
    assert run(capsys, "customer", "set", "cy@example.com", "email", "cy.hill@example.com", "-w", str(shop))[2] == ""


def test_an_email_two_customers_share_is_not_a_way_to_name_one_of_them(tmp_path, capsys):
    """A couple shares one email on both cards: `person erase` by that email must not erase the one
    with the lower id. The command names both and asks for the id; one main holder is still found."""
    path = tmp_path / "shop.omnidesk"
    people = write_csv(tmp_path / "people.csv", ["Email", "First Name", "Last Name", "Phone"], [
        ["home@example.com", "Ann", "Lee", ""], ["home@example.com", "Mark", "Lee", ""],
        ["zoe@example.com", "Zoe", "Ray", "202-555-0150"]])
    assert main(["import", str(people), "--channel", "shop", "-w", str(path)]) == 0
    capsys.readouterr()
    assert db(path, "SELECT count(*) FROM customer WHERE email = 'home@example.com'") == [(2,)]
    before = dump(path)
    for argv in (("person", "erase", "HOME@example.com", "--yes"), ("customer", "set", "home@example.com", "city", "X"),
                 ("customer", "why", "home@example.com")):
        status, _, err = run(capsys, *argv, "-w", str(path))
        assert status != 0, argv
        assert "home@example.com is the email of Ann Lee (#1), Mark Lee (#2): give the customer's id" in err
    assert dump(path) == before
    status, out, _ = run(capsys, "customer", "set", "(202) 555-0150", "city", "Lyon", "-w", str(path))
    assert (status, out.strip()) == (0, "Customer 3: set city to Lyon")
    # Zoe's phone typed on Ann's card too is on both cards now: by it, neither is named.
    assert run(capsys, "customer", "set", "1", "phone", "202-555-0150", "-w", str(path))[0] == 0
    status, _, err = run(capsys, "consent", "set", "(202) 555-0150", "sms", "denied", "-w", str(path))
    assert status != 0 and "+12025550150 is the phone of Ann Lee (#1), Zoe Ray (#3)" in err
    assert run(capsys, "customer", "set", "zoe@example.com", "city", "Lund", "-w", str(path))[0] == 0
