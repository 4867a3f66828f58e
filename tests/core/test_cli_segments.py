"""`omnidesk segment …` and `omnidesk export customers --segment/--rule/--columns`."""

from __future__ import annotations

import csv
import json
import sqlite3

import pytest

from omnidesk.cli import main
from tests.helpers import cli_shop_fixtures, run_cli, write_csv

PEOPLE = (["Email", "First Name", "Last Name", "City", "Tags", "Accepts Email Marketing"], [
    ["ann@example.com", "Ann", "Lee", "Boston", "vip", "yes"],
    ["bob@example.com", "Bob", "Stone", "Boston", "", "no"],
    ["cy@example.com", "Cy", "Hill", "Paris", "vip", "yes"],
    ["dee@example.com", "=Dee", "Fox", "Lyon", "", ""],
])


# The people imported through the command line once for the module; tests get copies.
shop_template, shop = cli_shop_fixtures(PEOPLE)


def run(capsys, *argv):
    return run_cli(capsys, *argv)


VIP_BOSTON = '{"all": [{"field": "tag", "op": "is", "value": "vip"}, {"field": "city", "op": "is", "value": "boston"}]}'


def test_count_a_rule_as_text_and_json(shop, capsys):
    assert run(capsys, "segment", "count", "--rule", VIP_BOSTON, "-w", str(shop))[1].strip() == "1 customer"
    status, out, _ = run(capsys, "segment", "count", "--json", "-w", str(shop), "--rule",
                         '{"field": "consent.email", "op": "is", "value": "granted"}')
    assert status == 0 and json.loads(out) == {"customers": 2}


def test_save_list_show_count_delete(shop, capsys, tmp_path):
    rule_file = tmp_path / "rule.json"
    rule_file.write_text(VIP_BOSTON, encoding="utf-8")
    status, out, _ = run(capsys, "segment", "save", "Boston VIPs", "--rule", f"@{rule_file}", "-w", str(shop))
    assert status == 0 and out.strip() == "Saved segment Boston VIPs: 1 customer"
    status, out, _ = run(capsys, "segment", "list", "--json", "-w", str(shop))
    assert [(s["name"], s["customers"]) for s in json.loads(out)] == [("Boston VIPs", 1)]
    status, out, _ = run(capsys, "segment", "show", "boston vips", "--json", "-w", str(shop))
    assert json.loads(out)["rule"] == json.loads(VIP_BOSTON)
    assert json.loads(run(capsys, "segment", "count", "Boston VIPs", "--json", "-w", str(shop))[1]) == {"customers": 1}
    status, _, err = run(capsys, "segment", "save", "Boston VIPs", "--rule", "{\"all\": []}", "-w", str(shop))
    assert status == 1 and "exists already" in err
    assert run(capsys, "segment", "save", "Boston VIPs", "--rule", "{\"all\": []}", "--replace", "-w", str(shop))[0] == 0
    assert run(capsys, "segment", "delete", "Boston VIPs", "-w", str(shop))[0] == 0
    assert "No saved segments" in run(capsys, "segment", "list", "-w", str(shop))[1]


@pytest.mark.parametrize("argv, message", [
    (["segment", "count", "--rule", '{"field": "colour", "op": "is", "value": 1}'], "unknown field 'colour'"),
    (["segment", "count", "--rule", '{"field": "channel", "op": "is", "value": "fax"}'], "unknown channel 'fax'"),
    (["segment", "count", "--rule", '{"all": ['], "not valid JSON"),
    (["segment", "count", "--rule", "@missing.json"], 'the rule file "missing.json": no such file'),
    (["segment", "count"], "name a saved segment or give --rule"),
    (["segment", "count", "Nope"], "no segment named 'Nope'"),
    (["segment", "save", "X", "--rule", '{"field": "city", "op": "near", "value": "x"}'], "unknown op 'near'"),
    (["segment", "save", "X", "--rule", '{"field": "orders", "op": "between", "value": [10, 5]}'],
     "orders between [10, 5]: the low end is above the high end"),
    (["segment", "count", "--rule", '{"field": "last_seen", "op": "between", "value": ["2026-05-01", "2025-01-01"]}'],
     "the low end is above the high end"),
    (["export", "customers", "out.csv", "--columns", "id,colour"], "unknown column 'colour'"),
    (["export", "customers", "out.csv", "--segment", "Nope"], "no segment named 'Nope'"),
])
def test_errors_are_one_line_and_change_nothing(shop, capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    before = sqlite3.connect(shop).execute("select count(*) from saved_segment").fetchone()
    status, out, err = run(capsys, *argv, "-w", str(shop))
    assert status != 0 and message in err and len(err.strip().splitlines()) == 1
    assert sqlite3.connect(shop).execute("select count(*) from saved_segment").fetchone() == before
    assert not (tmp_path / "out.csv").exists()


def test_a_range_saved_high_end_first_before_it_was_refused_still_runs(shop, capsys):
    """Refused as typed now; a segment saved so by an older version keeps counting, low to high."""
    with sqlite3.connect(shop) as conn:
        conn.execute("INSERT INTO saved_segment (name, rule_json, created_at, updated_at) VALUES (?, ?, ?, ?)",
                     ("Old", '{"field": "orders", "op": "between", "value": [10, 0]}', "2025-01-01T00:00:00",
                      "2025-01-01T00:00:00"))
    status, out, err = run(capsys, "segment", "count", "Old", "-w", str(shop))
    assert (status, out.strip(), err) == (0, "4 customers", "")


def _nested(levels: int, group: str = "not") -> str:
    """A rule ``levels`` groups deep, as text (json.dumps itself gives up on a thousand levels)."""
    leaf = '{"field": "email", "op": "exists"}'
    if group == "not":
        return '{"not": ' * levels + leaf + "}" * levels
    return f'{{"{group}": [' * levels + leaf + "]}" * levels


@pytest.mark.parametrize(("levels", "group", "words"), [
    (2000, "not", "the rule is nested too deep to read (groups nest at most 20 deep)"),
    (2000, "all", "the rule is nested too deep to read (groups nest at most 20 deep)"),
    (100, "any", "groups nest more than 20 deep"),
])
def test_a_rule_nested_past_the_limit_is_refused_by_every_command_that_takes_one(shop, capsys, tmp_path,
                                                                                 levels, group, words):
    # 2,000 levels were a RecursionError out of the JSON reader, before the rule's own check ran.
    rule_file = tmp_path / "deep.json"
    rule_file.write_text(_nested(levels, group), encoding="utf-8")
    tags_before = run(capsys, "tags", "--json", "-w", str(shop))[1]
    for rule in (_nested(levels, group), f"@{rule_file}"):
        for argv in (["segment", "count", "--rule", rule], ["segment", "save", "Deep", "--rule", rule],
                     ["tag", "add", "deep", "--rule", rule],
                     ["export", "customers", str(tmp_path / "out.csv"), "--rule", rule]):
            status, out, err = run(capsys, *argv, "-w", str(shop))
            assert status == 2 and words in err and "Traceback" not in err, (argv, err)
            assert len(err.strip().splitlines()) == 1 and not out
    assert sqlite3.connect(shop).execute("select count(*) from saved_segment").fetchone() == (0,)
    assert run(capsys, "tags", "--json", "-w", str(shop))[1] == tags_before
    assert not (tmp_path / "out.csv").exists()
    assert run(capsys, "segment", "count", "--rule", _nested(20, group), "-w", str(shop))[0] == 0  # the limit works


def test_export_a_segment_with_chosen_columns(shop, capsys, tmp_path):
    assert run(capsys, "segment", "save", "VIPs", "--rule", '{"field": "tag", "op": "is", "value": "vip"}',
               "-w", str(shop))[0] == 0
    out = tmp_path / "vips.csv"
    status, text, _ = run(capsys, "export", "customers", str(out), "--segment", "VIPs",
                          "--columns", "email,first_name,consent_email", "--excel", "-w", str(shop))
    assert status == 0 and "Wrote 2 customers" in text
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(out.open(encoding="utf-8-sig", newline="")))
    assert rows == [["email", "first_name", "consent_email"],
                    ["ann@example.com", "Ann", "granted"], ["cy@example.com", "Cy", "granted"]]
    everyone = tmp_path / "all.csv"
    run(capsys, "export", "customers", str(everyone), "--rule", '{"field": "city", "op": "is", "value": "Lyon"}',
        "--columns", "first_name", "-w", str(shop))
    assert everyone.read_text(encoding="utf-8").splitlines() == ["first_name", "'=Dee"]


def test_a_custom_field_no_record_has_is_named_in_a_warning(tmp_path, capsys):
    """A typo in a custom field's name picks nobody: the count says why instead of a silent 0."""
    path = tmp_path / "club.omnidesk"
    club = write_csv(tmp_path / "club.csv", ["Email", "First Name", "Shoe size"],
                     [["ann@example.com", "Ann", "38"], ["bob@example.com", "Bob", "44"]])
    assert main(["import", str(club), "-w", str(path)]) == 0
    capsys.readouterr()
    typo = '{"field": "custom.Shoesize", "op": "gt", "value": 40}'
    status, out, err = run(capsys, "segment", "count", "--rule", typo, "-w", str(path))
    assert status == 0 and out.strip() == "0 customers"
    assert "no record has a custom field 'Shoesize'" in err and "Shoe size" in err
    # Spelled as the file has it (any case), it counts, with nothing to warn about.
    right = '{"field": "custom.shoe SIZE", "op": "gt", "value": 40}'
    status, out, err = run(capsys, "segment", "count", "--rule", right, "-w", str(path))
    assert out.strip() == "1 customer" and err == ""
    status, out, err = run(capsys, "segment", "save", "Big feet", "--rule", typo, "-w", str(path))
    assert status == 0 and "Shoesize" in err


def test_a_rule_may_name_a_channel_a_file_was_imported_as(shop, capsys, tmp_path):
    market = write_csv(tmp_path / "market.csv", ["Email", "First Name"], [["fay@example.com", "Fay"],
                                                                           ["ann@example.com", "Ann"]])
    assert run(capsys, "import", str(market), "--channel", "market-stall", "-w", str(shop))[0] == 0
    rule = '{"field": "channel", "op": "is", "value": "market-stall"}'
    assert run(capsys, "segment", "count", "--rule", rule, "-w", str(shop))[1:] == ("2 customers\n", "")
    assert run(capsys, "segment", "save", "Stall", "--rule", rule, "-w", str(shop))[1].strip() == \
        "Saved segment Stall: 2 customers"
    out = tmp_path / "stall.csv"
    assert run(capsys, "export", "customers", str(out), "--rule", rule, "--columns", "email", "-w", str(shop))[0] == 0
    assert out.read_text().splitlines() == ["email", "ann@example.com", "fay@example.com"]
    assert run(capsys, "tag", "add", "market", "--rule", rule, "-w", str(shop))[1].strip() == \
        "Added tag market to 2 customers"
    # A channel no file came from is still refused, naming the workspace's own.
    status, _, err = run(capsys, "segment", "count", "--rule", rule.replace("market-stall", "fax"), "-w", str(shop))
    assert status == 2 and "unknown channel 'fax' (known: " in err and "market-stall" in err


def test_is_not_a_number_picks_those_with_none_too(tmp_path, capsys):
    """``spend is_not 10`` is ``not (spend is 10)``: a list member with no spend at all is not
    10 either.  The count, the Customers list and the list export say the same."""
    from omnidesk.core.customers import customer_ids
    from omnidesk.core.workspace import Workspace

    path = tmp_path / "shop.omnidesk"
    people = write_csv(tmp_path / "customers.csv", ["First Name", "Email", "Total Spent", "Total Orders"],
                       [["Ann", "ann@example.com", "120.50", "3"], ["Bob", "bob@example.com", "10.00", "1"],
                        ["Lead", "lead@example.com", "", ""]])
    assert run(capsys, "import", str(people), "--channel", "shop", "-w", str(path))[0] == 0
    for rule in ({"field": "spend", "op": "is_not", "value": 10},
                 {"not": {"field": "spend", "op": "is", "value": 10}}):
        text = json.dumps(rule)
        assert run(capsys, "segment", "count", "--rule", text, "-w", str(path))[1].strip() == "2 customers"
        out = tmp_path / "out.csv"
        assert run(capsys, "export", "customers", str(out), "--rule", text, "--columns", "first_name",
                   "--force", "-w", str(path))[0] == 0
        assert out.read_text(encoding="utf-8").splitlines() == ["first_name", "Ann", "Lead"]
        ws = Workspace.open(path)
        try:
            with ws.engine.connect() as conn:
                names = dict(conn.exec_driver_sql("select id, first_name from customer").all())
            assert sorted(names[i] for i in customer_ids(ws, rule=rule)) == ["Ann", "Lead"]
        finally:
            ws.close()
    # The other number: everyone has a count of orders, none is left out for want of one.
    rule = '{"field": "orders", "op": "is_not", "value": 1}'
    assert run(capsys, "segment", "count", "--rule", rule, "-w", str(path))[1].strip() == "2 customers"


@pytest.mark.parametrize("rule", [
    '{"field": "custom.Nope", "op": "not_exists"}',
    '{"field": "custom.Nope", "op": "is_not", "value": "x"}',
    '{"not": {"field": "custom.Nope", "op": "is", "value": "x"}}',
    '{"not": {"not": {"field": "custom.Nope", "op": "not_exists"}}}',
])
def test_a_negated_condition_on_a_custom_field_no_record_has_is_said_to_pick_everyone(shop, capsys, rule):
    """Without the field, "has none" and "is not x" hold for everyone: the warning says so, not "picks nobody"."""
    status, out, err = run(capsys, "segment", "count", "--rule", rule, "-w", str(shop))
    assert status == 0 and out.strip() == "4 customers"
    assert "no record has a custom field 'Nope'" in err and "true of every customer" in err
    assert "nobody" not in err


@pytest.mark.parametrize("rule", [
    '{"field": "custom.Nope", "op": "exists"}',
    '{"not": {"field": "custom.Nope", "op": "not_exists"}}',
    '{"not": {"any": [{"field": "custom.Nope", "op": "is_not", "value": "x"}]}}',
])
def test_a_condition_on_a_custom_field_no_record_has_that_picks_nobody_says_so(shop, capsys, rule):
    status, out, err = run(capsys, "segment", "count", "--rule", rule, "-w", str(shop))
    assert status == 0 and out.strip() == "0 customers"
    assert "no record has a custom field 'Nope', so it picks nobody" in err and "every customer" not in err


def test_conditions_on_a_custom_field_no_record_has_both_ways_say_both(shop, capsys):
    rule = ('{"any": [{"field": "custom.Nope", "op": "exists"}, '
            '{"field": "custom.nope", "op": "not_exists"}]}')
    status, out, err = run(capsys, "segment", "count", "--rule", rule, "-w", str(shop))
    assert status == 0 and out.strip() == "4 customers"
    assert err.count("no record has a custom field") == 1
    assert "every customer" in err and "no customer" in err


def test_a_rule_names_a_channel_as_the_import_named_it(shop, capsys, tmp_path):
    """--channel "Farmers market" files it as farmers_market: a rule reads the name the same way."""
    market = write_csv(tmp_path / "market.csv", ["Email", "First Name"], [["fay@example.com", "Fay"],
                                                                           ["ann@example.com", "Ann"]])
    assert run(capsys, "import", str(market), "--channel", "Farmers market", "-w", str(shop))[0] == 0
    for typed in ("Farmers market", "farmers  MARKET", " Farmers market ", "farmers_market"):
        rule = json.dumps({"field": "channel", "op": "is", "value": typed})
        assert run(capsys, "segment", "count", "--rule", rule, "-w", str(shop))[1:] == ("2 customers\n", "")
    journey = json.dumps({"field": "first_channel", "op": "in", "value": ["Farmers Market", "Till"]})
    assert run(capsys, "segment", "count", "--rule", journey, "-w", str(shop))[0] == 0
    # Saved as the import keeps it, so the segment reads as every other rule on that channel.
    rule = json.dumps({"not": {"field": "channel", "op": "is_not", "value": "Farmers Market"}})
    assert run(capsys, "segment", "save", "Market", "--rule", rule, "-w", str(shop))[1].strip() == \
        "Saved segment Market: 2 customers"
    status, out, _ = run(capsys, "segment", "show", "Market", "--json", "-w", str(shop))
    assert status == 0 and '"farmers_market"' in out and "Farmers Market" not in out
    out_csv = tmp_path / "market-out.csv"
    assert run(capsys, "export", "customers", str(out_csv), "--rule", json.dumps(
        {"field": "channel", "op": "is", "value": "Farmers market"}), "--columns", "email", "-w", str(shop))[0] == 0
    assert out_csv.read_text().splitlines() == ["email", "ann@example.com", "fay@example.com"]
    # A channel's other names read as at import too; one no file came from is still refused.
    assert run(capsys, "segment", "count", "--rule", json.dumps(
        {"field": "channel", "op": "is", "value": "Store / till"}), "-w", str(shop))[0] == 0
    status, _, err = run(capsys, "segment", "count", "--rule", json.dumps(
        {"field": "channel", "op": "is", "value": "Flea market"}), "-w", str(shop))
    assert status == 2 and "unknown channel 'Flea market' (known: " in err and "farmers_market" in err
