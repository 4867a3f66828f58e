"""A work address and a personal one: the employer links them when names agree."""

from __future__ import annotations

import csv
from itertools import product
from pathlib import Path

from alembic import command

from omnidesk.core.identity.employer import (
    abbreviates,
    company_words,
    employers,
    mail_label,
    same_employer,
    work_key,
)
from omnidesk.core.identity.resolve import resolve_all
from omnidesk.core.identity.stats import rebuild_counts
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.workspace import Workspace, _alembic_config
from tests.helpers import write_csv

COMPANIES = Path(__file__).resolve().parents[2] / "resources" / "demo" / "companies.csv"
SHOP = ["First Name", "Last Name", "Email", "Phone", "Zip", "Company"]
LIST = ["First Name", "Last Name", "Email"]


def owners(ws) -> dict[tuple[str, int], int | None]:
    with ws.engine.connect() as conn:
        return {(f, n): c for f, n, c in conn.exec_driver_sql(
            "SELECT b.file_name, r.record_no, r.customer_id FROM source_record r "
            "JOIN import_batch b ON b.id = r.batch_id")}


def test_a_mail_providers_address_names_no_employer():
    assert mail_label("ann@gmail.com") == ""
    assert mail_label("ann@yahoo.co.uk") == ""
    assert mail_label("ann@example.org") == ""  # reserved for documentation and test data
    assert mail_label("ann@mail.acme-tools.co.uk") == "acmetools"
    assert mail_label("ann@birchwoodcu.example") == "birchwoodcu"
    assert employers("", ["ann@gmail.com", "ann@comcast.net"]) == ()


def test_company_columns_lose_legal_forms_and_placeholders():
    assert company_words("The Saltmarsh Linen Co.") == ("saltmarsh", "linen")
    assert company_words("Müller & Söhne GmbH") == ("muller", "sohne")
    assert company_words("Self-employed") == ()
    assert company_words("N/A") == ()
    assert employers("Acme Tools Ltd", ["jo@acmetools.com", "jo@gmail.com"]) == ("cacme tools", "@acmetools")
    assert work_key("Acme Tools Ltd", []) == work_key("", ["jo@acmetools.com"]) == "acm"


def test_abbreviated_domains_name_their_company():
    assert abbreviates("birchwoodcu", ("birchwood", "credit", "union"))
    assert abbreviates("cranberrybank", ("cranberry", "island", "bank"))
    assert abbreviates("tidewaterarch", ("tidewater", "architects"))
    assert abbreviates("northwind", ("northwind", "traders"))
    # A bare acronym is shared by too many companies; other words are other companies.
    assert not abbreviates("bcu", ("birchwood", "credit", "union"))
    assert not abbreviates("birchwoodbank", ("birchwood", "credit", "union"))
    assert not abbreviates("cascogreen", ("casco", "bay", "dental"))


def test_every_demo_company_matches_its_own_domain_and_no_other():
    rows = list(csv.DictReader(COMPANIES.open(encoding="utf-8")))
    for a, b in product(rows, rows):
        how = same_employer(employers(a["name"], []), employers("", [f"x@{b['domain']}"]))
        assert (how == "company") == (a is b), (a["name"], b["domain"])


def test_a_company_spelled_two_ways_is_one_employer_and_domains_alone_are_weaker():
    assert same_employer(("cbirchwood cu",), ("cbirchwood credit union",)) == "company"
    assert same_employer(("@acmetools",), ("@acmetools",)) == "domain"
    assert same_employer(("@acmetools",), ("@acme",)) is None


# Other customers, so that names and employers weigh what they would in a real shop.
CROWD = [[f"Person{n}", f"Crowd{n}", f"p{n}@example.com", f"(207) 555-{1000 + n}", "04101",
          f"Firm{n % 50} Partners"] for n in range(200)]


def test_a_work_address_joins_the_shop_customer_who_works_there(ws, tmp_path):
    import_file(ws, write_csv(tmp_path / "shop.csv", SHOP, [
        ["Josephine", "Okafor", "josephine.okafor@example.org", "(207) 555-0147", "04101", "Blue Heron Tea Traders"],
        ["Marcus", "Okafor", "marcus.o@example.net", "(207) 555-0190", "04101", "Casco Bay Dental"],
    ] + CROWD), ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "list.csv", LIST, [
        ["Josephine", "Okafor", "josephine@blueherontea.example"],
        ["Marcus", "Okafor", "marcus@northwind.example"],  # another employer: nothing links them
    ]), ImportOptions(channel="email"))
    ids = owners(ws)
    assert ids[("list.csv", 1)] == ids[("shop.csv", 1)]
    assert ids[("list.csv", 2)] not in (ids[("shop.csv", 1)], ids[("shop.csv", 2)])
    # The same holds when the whole workspace is resolved again.
    with ws.engine.begin() as conn:
        resolve_all(conn, from_scratch=True)
    ids = owners(ws)
    assert ids[("list.csv", 1)] == ids[("shop.csv", 1)]
    assert ids[("list.csv", 2)] not in (ids[("shop.csv", 1)], ids[("shop.csv", 2)])


def test_namesakes_at_a_big_employer_stay_apart(ws, tmp_path):
    """Half the town works at the hospital: a common name there proves little."""
    staff = [[f"Person{n}", f"Staff{n}", f"p{n}@example.com", f"(207) 555-{1000 + n}", "04101",
              "Maine Medical Center"] for n in range(60)]
    import_file(ws, write_csv(tmp_path / "shop.csv", SHOP, CROWD + staff + [
        ["Sarah", "Miller", "s.miller4@example.net", "(973) 555-0115", "07042", "Maine Medical Center"],
        ["Sarah", "Miller", "sarah.miller2@example.com", "(201) 555-0135", "07030", "Maine Medical Center"],
    ]), ImportOptions(channel="shop"))
    ids = owners(ws)
    assert ids[("shop.csv", 261)] != ids[("shop.csv", 262)]


def test_an_import_finds_a_colleague_of_the_same_name_by_the_work_key(ws, tmp_path):
    """The incremental lookup reads the (last name, work key) index, not every Okafor."""
    from omnidesk.core.identity.blocking import same_name_same_place
    from omnidesk.core.identity.profiles import make_profiles, profile_query
    from omnidesk.core.models import SourceRecord

    others = [[f"P{n}", "Okafor", f"p{n}@example.com", "", f"9{n:04d}", ""] for n in range(40)]
    import_file(ws, write_csv(tmp_path / "shop.csv", SHOP, others + [
        ["Josephine", "Okafor", "jo@example.org", "", "04101", "Blue Heron Tea Traders"],
    ]), ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "list.csv", LIST, [["Josephine", "Okafor", "josephine@blueherontea.example"]]),
                ImportOptions(channel="email"))
    rec = SourceRecord.__table__
    with ws.engine.connect() as conn:
        new_rows = conn.execute(profile_query().where(rec.c.channel == "email")).all()
        found = same_name_same_place(conn, make_profiles(new_rows, {new_rows[0][0]: [
            ("email", "josephine@blueherontea.example")]}), new_rows)
        names = {tuple(r) for r in conn.exec_driver_sql(
            f"SELECT first_name, company FROM source_record WHERE id IN ({','.join(map(str, found))})")}
        plan = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT id FROM source_record WHERE last_key IN ('okafor') "
            "AND last_key || '|' || work_key IN ('okafor|blu') AND work_key != ''").fetchall()
    assert ("Josephine", "Blue Heron Tea Traders") in names
    assert not any(first.startswith("P") for first, _ in names)
    assert "ix_source_record_name_work" in " ".join(str(r) for r in plan)


def test_migration_fills_work_keys_and_employer_counts_of_an_older_workspace(tmp_path):
    path = tmp_path / "w.omnidesk"
    with Workspace.create(path) as ws:
        import_file(ws, write_csv(tmp_path / "shop.csv", SHOP, [
            ["Jo", "Okafor", "jo@blueherontea.example", "", "04101", ""],
            ["Al", "Diaz", "al@gmail.com", "", "04101", "Casco Bay Dental"],
            ["Bo", "Chen", "bo@gmail.com", "", "04101", ""],
        ]), ImportOptions(channel="shop"))
        with ws.engine.connect() as conn:
            keys = dict(conn.exec_driver_sql("SELECT first_name, work_key FROM source_record").fetchall())
            counts = set(conn.exec_driver_sql("SELECT field, value, n FROM value_count").fetchall())
        assert keys == {"Jo": "blu", "Al": "cas", "Bo": ""}
        assert ("work", "blu", 1) in counts and ("work", "", 2) in counts
        with ws.engine.begin() as conn:
            command.downgrade(_alembic_config(conn), "0004")
    with Workspace.open(path) as ws:
        with ws.engine.connect() as conn:
            assert dict(conn.exec_driver_sql("SELECT first_name, work_key FROM source_record").fetchall()) == keys
            assert set(conn.exec_driver_sql("SELECT field, value, n FROM value_count").fetchall()) == counts
        with ws.engine.begin() as conn:
            rebuild_counts(conn)
            assert set(conn.exec_driver_sql("SELECT field, value, n FROM value_count").fetchall()) == counts
