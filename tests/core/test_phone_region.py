"""The country of a file's numbers without a country code, decided from the file itself.

The files are written in the vendors' real layouts: the Google Contacts and Outlook
headers come from tests/core/test_presets.py (taken from Google's and Microsoft's own
exports, see formats.md).  "98450 12345" is an Indian mobile that is also a valid
North Carolina number (+1 984 501 2345): read with the workspace's US region it
would silently become the wrong person's number.
"""

from __future__ import annotations

import json

import pytest

from omnidesk.cli import main
from omnidesk.core.errors import UserError
from omnidesk.core.importing.phone_region import (
    MIN_EVIDENCE,
    RegionEvidence,
    calling_code,
    decide_phone_region,
    region_label,
)
from omnidesk.core.importing.pipeline import ImportOptions, analyze, run_to_end
from tests.core.test_presets import GOOGLE_CONTACTS, OUTLOOK
from tests.helpers import write_csv

INDIAN_MOBILES = ["+91 98201 23456", "+91 99000 11223", "+91 98765 43210", "+91 97312 44556",
                  "+91 98803 45678", "+91 91234 56789", "+91 90000 12345", "+91 94480 12345",
                  "+91 96060 12345"]
LOCAL_INDIAN = ["98450 12345", "98040 12345", "98201 65432"]  # the first two are valid US numbers too


def row(header, **values) -> list[str]:
    missing = set(values) - set(header)
    assert not missing, missing
    return [values.get(h, "") for h in header]


def google(first: str, phone: str, country: str = "") -> list[str]:
    return row(GOOGLE_CONTACTS, **{"First Name": first, "Last Name": "Rao", "Phone 1 - Label": "Mobile",
                                   "Phone 1 - Value": phone, "Address 1 - Country": country,
                                   "Labels": "* myContacts"})


def records(ws) -> dict[str, tuple]:
    with ws.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT first_name, phone, flagged, problems_json FROM source_record").all()
    return {r.first_name: (r.phone, bool(r.flagged), json.loads(r.problems_json)) for r in rows}


def india_file(tmp_path):
    rows = [google(f"P{i}", p) for i, p in enumerate(INDIAN_MOBILES)]
    rows += [google(f"L{i}", p) for i, p in enumerate(LOCAL_INDIAN)]
    return write_csv(tmp_path / "contacts.csv", GOOGLE_CONTACTS, rows)


def test_google_contacts_mostly_plus_91_reads_local_numbers_as_indian(ws, tmp_path):
    plan = analyze(ws, india_file(tmp_path))
    assert plan.preset.key == "google_contacts"
    assert plan.phone_region.code == "IN" and plan.phone_region.source == "file"
    assert plan.phone_region.reason == "9 numbers in this file start +91"
    assert plan.phone_region.explain() == "India: 9 numbers in this file start +91"
    assert "phone region: India (IN) — 9 numbers in this file start +91" in plan.warnings
    result = run_to_end(ws, plan)
    got = records(ws)
    assert result.flagged == 0, got
    assert got["L0"][0] == "+919845012345" and got["L1"][0] == "+919804012345"
    assert got["L2"][0] == "+919820165432" and got["P0"][0] == "+919820123456"
    with ws.engine.connect() as conn:
        options = json.loads(conn.exec_driver_sql("SELECT options_json FROM import_batch").scalar())
    assert options["phone_region"] == "IN" and options["region"] == "US"  # dates keep the workspace's


def test_an_explicit_region_wins_over_the_file(ws, tmp_path):
    plan = analyze(ws, india_file(tmp_path), ImportOptions(region="us"))
    assert plan.phone_region.code == "US" and plan.phone_region.source == "chosen"
    assert not any(w.startswith("phone region") for w in plan.warnings)
    run_to_end(ws, plan)
    got = records(ws)
    assert got["L0"][0] == "+19845012345"  # what the user asked for
    assert got["L2"][1] and got["L2"][0] is None  # 982 is no US area code


def test_outlook_home_country_india_decides_for_rows_without_a_country(ws, tmp_path):
    def outlook(first, mobile, country):
        return row(OUTLOOK, **{"First Name": first, "Last Name": "Iyer", "Mobile Phone": mobile,
                               "Home City": "Bengaluru" if country else "", "Home Country/Region": country})
    rows = [outlook(f"C{i}", p.removeprefix("+91 "), "India") for i, p in enumerate(INDIAN_MOBILES[:6])]
    rows += [outlook("Nocountry", "98450 12345", ""), outlook("Another", "98040 12345", "")]
    f = write_csv(tmp_path / "contacts.CSV", OUTLOOK, rows, encoding="cp1252")
    plan = analyze(ws, f)
    assert plan.preset.key == "outlook"
    assert plan.phone_region.code == "IN"
    assert plan.phone_region.explain() == "India: 6 rows in this file give India as the country"
    run_to_end(ws, plan)
    got = records(ws)
    assert got["Nocountry"] == ("+919845012345", False, [])
    assert got["Another"][0] == "+919804012345" and got["C0"][0] == "+919820123456"


def test_a_file_mixing_plus_44_and_plus_91_flags_local_numbers_instead_of_guessing(ws, tmp_path):
    uk = ["+44 7700 900123", "+44 7700 900456", "+44 20 7946 0958", "+44 7700 900789", "+44 161 496 0123"]
    rows = [google(f"I{i}", p) for i, p in enumerate(INDIAN_MOBILES[:5])]
    rows += [google(f"U{i}", p) for i, p in enumerate(uk)]
    rows += [google("Local", "98450 12345"), google("Ukdomestic", "07700 900321"),
             google("Own", "98040 12345", country="India")]
    plan = analyze(ws, write_csv(tmp_path / "contacts.csv", GOOGLE_CONTACTS, rows))
    decided = plan.phone_region
    assert decided.code is None and decided.source == "mixed"
    assert decided.problem == "no country code and this file mixes countries: +91 and +44"
    assert any(w.startswith("phone region: none — this file mixes +91 (6), +44 (5); numbers without")
               for w in plan.warnings), plan.warnings
    result = run_to_end(ws, plan)
    got = records(ws)
    assert result.flagged == 2
    for name in ("Local", "Ukdomestic"):
        phone, flagged, problems = got[name]
        assert phone is None and flagged
        assert problems == ["Phone 1 - Value: no country code and this file mixes countries: +91 and +44"]
    assert got["Own"] == ("+919804012345", False, [])  # the row's own country still decides
    assert got["U0"][0] == "+447700900123" and got["I0"][0] == "+919820123456"
    with ws.engine.connect() as conn:
        raw = conn.exec_driver_sql("SELECT raw_json FROM source_record WHERE first_name='Local'").scalar()
    assert "98450 12345" in json.loads(raw)  # kept as read


def test_a_file_with_no_evidence_keeps_the_workspace_region(ws, tmp_path):
    f = write_csv(tmp_path / "till.csv", ["Name", "Phone"], [["Ann Lee", "(415) 555-0101"],
                                                             ["Bob Stone", "415 555 0102"]])
    plan = analyze(ws, f)
    assert plan.phone_region.code == "US" and plan.phone_region.source == "default"
    assert "workspace's region" in plan.phone_region.reason and plan.warnings == []
    run_to_end(ws, plan)
    assert records(ws)["Ann"][0] == "+14155550101"


def test_the_workspace_region_is_the_fallback_whatever_it_is(ws, tmp_path):
    ws.set_setting("default_region", "GB")
    f = write_csv(tmp_path / "till.csv", ["Name", "Phone"], [["Ann Lee", "07911 123456"]])
    plan = analyze(ws, f)
    assert plan.phone_region.code == "GB" and plan.phone_region.source == "default"
    run_to_end(ws, plan)
    assert records(ws)["Ann"][0] == "+447911123456"


def test_foreign_numbers_in_a_list_of_local_ones_do_not_move_the_region(ws, tmp_path):
    """A US shop with a few customers abroad: their +44 numbers are the exceptions."""
    local = [[f"Local{i} Smith", f"(415) 555-{i:04d}"] for i in range(100, 130)]
    abroad = [[f"Abroad{i} Jones", f"+44 7700 900{i:03d}"] for i in range(6)]
    plan = analyze(ws, write_csv(tmp_path / "shop.csv", ["Name", "Phone"], local + abroad))
    assert plan.phone_region.code == "US" and plan.phone_region.source == "default"
    assert "the 6 starting +44 look like customers abroad" in plan.phone_region.reason
    assert plan.warnings == []
    result = run_to_end(ws, plan)
    assert result.flagged == 0


def test_mostly_local_numbers_that_are_only_real_in_the_files_country(ws, tmp_path):
    """Few numbers carry +91, but the rest are real Indian mobiles and mostly not real US numbers."""
    local = [[f"P{i} Rao", f"98{i:03d} 23456"] for i in range(200, 230)]
    coded = [[f"C{i} Rao", p] for i, p in enumerate(INDIAN_MOBILES[:5])]
    plan = analyze(ws, write_csv(tmp_path / "list.csv", ["Name", "Phone"], local + coded))
    assert plan.phone_region.code == "IN"
    assert "real numbers there" in plan.phone_region.reason


def test_too_little_evidence_is_not_a_decision():
    ev = RegionEvidence()
    for p in ["+91 98201 23456"] * (MIN_EVIDENCE - 1):
        ev.add([p], "")
    assert decide_phone_region(ev, "US").code == "US"
    ev.add(["+91 99000 11223"], "")
    assert decide_phone_region(ev, "US").code == "IN"


def test_eighty_percent_is_a_clear_majority_and_less_is_mixed():
    ev = RegionEvidence()
    for _ in range(8):
        ev.add(["+91 98201 23456"], "")
    ev.add(["+44 7700 900123"], "")
    ev.add(["+44 7700 900456"], "")
    assert decide_phone_region(ev, "US").code == "IN"  # 8 of 10
    ev.add(["+44 7700 900789"], "")
    assert decide_phone_region(ev, "US").code is None  # 8 of 11


def test_us_and_canada_share_plus_1_and_a_country_column_counts_by_code():
    ev = RegionEvidence()
    for country in ["US"] * 5 + ["Canada"] * 4 + ["United Kingdom"]:
        ev.add(["(415) 555-0101"], country)
    assert decide_phone_region(ev, "US").code == "US"
    assert decide_phone_region(ev, "CA").code == "CA"  # the workspace's own +1 region


def test_country_codes_are_read_from_every_way_of_writing_them():
    assert calling_code("+91 98201 23456") == 91
    assert calling_code("0044 20 7946 0958") == 44
    assert calling_code("p:+15551234567") == 1
    assert calling_code("+1-415-555-0101") == 1
    assert calling_code("(415) 555-0101") is None and calling_code("") is None
    assert region_label("IN") == "India (IN)" and region_label("GB") == "United Kingdom (GB)"


def test_an_unknown_region_is_refused(ws, tmp_path):
    with pytest.raises(UserError, match="not a region code"):
        analyze(ws, india_file(tmp_path), ImportOptions(region="XX"))


def test_a_new_mapping_decides_again_and_a_chosen_region_stays(ws, tmp_path):
    plan = analyze(ws, india_file(tmp_path))
    phone_col = GOOGLE_CONTACTS.index("Phone 1 - Value")
    mapping = list(plan.mapping)
    mapping[phone_col] = "ignore"
    unmapped = plan.with_changes(mapping=mapping)
    assert unmapped.phone_region.code == "US" and not any("phone region" in w for w in unmapped.warnings)
    picked = plan.with_changes(phone_region="GB")
    assert picked.phone_region.code == "GB" and picked.phone_region.explain() == "United Kingdom: chosen by you"
    assert not any("phone region" in w for w in picked.warnings)
    assert picked.with_changes(mapping=plan.mapping).phone_region.code == "GB"
    again = picked.with_changes(phone_region="")
    assert again.phone_region == plan.phone_region and again.warnings == plan.warnings


def test_a_fixed_error_report_reads_numbers_as_its_original_did(ws, tmp_path):
    from omnidesk.core.importing.pipeline import write_error_report

    uk = ["+44 7700 900123", "+44 7700 900456", "+44 20 7946 0958", "+44 7700 900789", "+44 161 496 0123"]
    rows = [google(f"I{i}", p) for i, p in enumerate(INDIAN_MOBILES[:5])]
    rows += [google(f"U{i}", p) for i, p in enumerate(uk)] + [google("Local", "98450 12345")]
    plan = analyze(ws, write_csv(tmp_path / "contacts.csv", GOOGLE_CONTACTS, rows))
    result = run_to_end(ws, plan)
    report = tmp_path / "problems.csv"
    assert write_error_report(report, [(plan, result)]) == 1
    fixed = analyze(ws, report)
    assert fixed.phone_region.code is None  # still mixed: an unfixed row stays flagged


# -- the command line ------------------------------------------------------------------------


def test_cli_shows_the_decision_and_json_has_the_phone_region(tmp_path, capsys):
    f = india_file(tmp_path)
    assert main(["import", str(f), "-w", str(tmp_path / "w.omnidesk"), "--dry-run", "--json"]) == 0
    (summary,) = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert summary["phone_region"] == {"code": "IN", "reason": "9 numbers in this file start +91"}
    assert summary["flagged"] == 0
    assert main(["import", str(f), "-w", str(tmp_path / "w.omnidesk")]) == 0
    err = capsys.readouterr().err
    assert "omnidesk: warning: contacts.csv: phone region: India (IN) — 9 numbers in this file start +91" in err


def test_cli_region_overrides_and_an_unknown_one_is_a_usage_error(tmp_path, capsys):
    f = india_file(tmp_path)
    target = tmp_path / "w.omnidesk"
    assert main(["import", str(f), "-w", str(target), "--region", "us", "--dry-run", "--json"]) == 0
    (summary,) = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert summary["phone_region"]["code"] == "US" and summary["flagged"] == 1
    assert main(["import", str(f), "-w", str(target), "--region", "XX"]) == 2
    out, err = capsys.readouterr()
    assert err.strip() == "omnidesk: error: --region: 'XX' is not a region code such as US, GB or IN"
    assert len(err.strip().splitlines()) == 1 and out == "" and not target.exists()


def test_a_long_file_is_judged_on_its_first_rows_and_says_so(ws, tmp_path):
    from omnidesk.core.importing.pipeline import DATE_SAMPLE

    rows = [[f"P{i} Rao", f"+91 98{i % 1000:03d} 23456"] for i in range(DATE_SAMPLE + 20)]
    plan = analyze(ws, write_csv(tmp_path / "long.csv", ["Name", "Phone"], rows))
    assert plan.phone_region.code == "IN"
    assert plan.phone_region.reason == f"{DATE_SAMPLE:,} numbers in the first {DATE_SAMPLE:,} rows start +91"


def test_placeholders_and_stray_digits_are_not_local_numbers():
    from omnidesk.core.importing.phone_region import classify

    assert classify("98450 12345") == (None, True)
    assert classify("'07911 123456") == (None, True)
    assert classify("+44 7911 123456") == (44, False)
    for text in ("N/A", "-", "", "ext 12"):
        assert classify(text) == (None, False), text


def test_a_mixed_country_column_flags_only_numbers_the_workspace_region_does_not_explain():
    indian_and_british = RegionEvidence()
    for country in ["India"] * 4 + ["United Kingdom"] * 4:
        indian_and_british.add(["98201 23456"], country)
    indian_and_british.add(["98201 65432"], "")  # no country: 982 is no US area code
    assert decide_phone_region(indian_and_british, "US").code is None

    us_shop = RegionEvidence()  # 60% US, 40% UK addresses; the rows without one hold US numbers
    for country in ["US"] * 6 + ["GB"] * 4:
        us_shop.add(["(415) 555-0101"], country)
    us_shop.add(["(415) 555-0102"], "")
    decided = decide_phone_region(us_shop, "US")
    assert decided.code == "US"
    assert decided.reason == ("the workspace's region: this file's countries are mixed (+1 (6), +44 (4)), "
                              "and its numbers without a country code are mostly real US numbers")


def test_every_region_is_named_once_a_run_and_each_caller_gets_a_list_of_its_own(monkeypatch):
    from omnidesk.core.importing import phone_region

    first = phone_region.all_regions()
    named = []
    real = phone_region.region_label
    monkeypatch.setattr(phone_region, "region_label", lambda code: named.append(code) or real(code))
    first.clear()  # a caller's own list: changing it changes no one else's

    again = phone_region.all_regions()

    assert named == []  # each region's name was looked up once, the first time
    assert ("DE", "Germany (DE)") in again and ("IN", "India (IN)") in again
    assert [label for _, label in again] == sorted((label for _, label in again), key=str.casefold)
