"""A rule too big for the database to run is refused where it comes in, and one within the limits runs.

A rule of a thousand ``any`` conditions, or a ``tag in`` list of a thousand tags, made SQLite refuse
the statement ("Expression tree is too large"); a ``city in`` list of 300,000 values had more values
than a statement may bind.  ``segment save`` kept such a rule (then said nothing was changed) and
``segment list`` failed on it from then on; a campaign with such an audience failed with a traceback.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3

MAX_CONDITIONS, MAX_VALUES = 200, 10_000  # as README "Segments" gives them
from tests.helpers import cli_shop_fixtures, one_line, run_cli, write_csv

PEOPLE = (["Email", "First Name", "City", "Tags", "Accepts Email Marketing"], [
    ["ann@example.com", "Ann", "Boston", "vip", "yes"],
    ["bob@example.com", "Bob", "Boston", "", "no"],
    ["cy@example.com", "Cy", "Paris", "vip", "yes"],
])
PLAN = {"name": "Spring sale",
        "message": {"headline": "Spring sale", "offer_code": "SPRING", "offer_value": "15% off",
                    "link": "https://hc.example/spring"},
        "steps": [{"channel": "email", "at": "2027-03-01T09:00", "timezone": "America/New_York"}]}

shop_template, shop = cli_shop_fixtures(PEOPLE)
run = run_cli


def dump(path) -> str:
    with sqlite3.connect(path) as db:
        return hashlib.sha256("\n".join(db.iterdump()).encode()).hexdigest()


def cities(n: int, *real: str) -> list[str]:
    return [*real, *(f"nowhere {i}" for i in range(n - len(real)))]


TOO_MANY_CONDITIONS = {"any": [{"field": "city", "op": "is", "value": c} for c in cities(MAX_CONDITIONS + 1)]}
TOO_MANY_VALUES = {"field": "tag", "op": "in", "value": cities(MAX_VALUES + 1)}


def test_a_rule_too_big_to_run_is_refused_at_every_door_and_nothing_changes(shop, capsys, tmp_path):
    for rule, told in ((TOO_MANY_CONDITIONS, f"a rule takes at most {MAX_CONDITIONS:,}"),
                       (TOO_MANY_VALUES, f"a rule takes at most {MAX_VALUES:,} in all")):
        rule_file = tmp_path / "rule.json"
        rule_file.write_text(json.dumps(rule), encoding="utf-8")
        before = dump(shop)
        status, _, err = run(capsys, "segment", "save", "Big", "--rule", f"@{rule_file}", "-w", str(shop))
        assert status == 2 and "too big to run" in err and told in err and one_line(err), err
        out = tmp_path / "big.csv"
        status, _, err = run(capsys, "export", "customers", str(out), "--rule", f"@{rule_file}", "-w", str(shop))
        assert status == 2 and "too big to run" in err and one_line(err) and not out.exists(), err
        plan = tmp_path / "plan.json"
        plan.write_text(json.dumps(dict(PLAN, audience=rule)), encoding="utf-8")
        status, _, err = run(capsys, "campaign", "import", str(plan), "-w", str(shop))
        assert status != 0 and "too big to run" in err and one_line(err), err
        assert dump(shop) == before
        assert run(capsys, "segment", "list", "--json", "-w", str(shop))[:2] == (0, "[]\n")


def test_long_lists_and_groups_within_the_limits_run(shop, capsys, tmp_path):
    rules = {
        "tags": ({"field": "tag", "op": "in", "value": cities(1000, "VIP")}, 2),
        "any": ({"any": [{"field": "city", "op": "is", "value": c} for c in cities(MAX_CONDITIONS, "paris")]}, 1),
        "cities": ({"field": "city", "op": "in", "value": cities(MAX_VALUES, "Boston")}, 2),
    }
    for name, (rule, picked) in rules.items():
        rule_file = tmp_path / f"{name}.json"
        rule_file.write_text(json.dumps(rule), encoding="utf-8")
        status, out, err = run(capsys, "segment", "save", name, "--rule", f"@{rule_file}", "-w", str(shop))
        assert status == 0 and out.strip().endswith(f"{picked} customer" + "s" * (picked != 1)), err
    status, out, err = run(capsys, "segment", "list", "--json", "-w", str(shop))
    assert status == 0, err
    assert {s["name"]: s["customers"] for s in json.loads(out)} == {n: p for n, (_, p) in rules.items()}


def test_a_query_the_driver_refuses_is_one_line_and_a_segment_is_not_saved(shop, capsys, monkeypatch):
    import omnidesk.core.segments as segments

    def refuse(*args, **kwargs):
        raise sqlite3.OperationalError("parser stack overflow")

    monkeypatch.setattr(segments, "count", refuse)
    before = dump(shop)
    status, _, err = run(capsys, "segment", "save", "Any", "--rule", '{"all": []}', "-w", str(shop))
    assert status == 1 and one_line(err), err
    assert "the database refused the operation (parser stack overflow); nothing was changed" in err
    assert dump(shop) == before


def test_an_empty_value_given_is_a_usage_error_not_everyone_or_all_time(shop, capsys, tmp_path):
    out = tmp_path / "x.csv"
    before = dump(shop)
    for argv, told in ((["export", "customers", str(out), "--rule", ""], "--rule is empty"),
                       (["export", "customers", str(out), "--rule", "  "], "--rule is empty"),
                       (["segment", "count", "--rule", ""], "--rule is empty"),
                       (["segment", "save", "Nobody", "--rule", ""], "--rule is empty"),
                       (["tag", "add", "vip", "--rule", ""], "--rule is empty"),
                       (["report", "--from", ""], "--from is empty"),
                       (["report", "--to", " "], "--to is empty")):
        status, printed, err = run(capsys, *argv, "-w", str(shop))
        assert status == 2 and told in err and one_line(err) and not printed, (argv, err)
    assert not out.exists() and dump(shop) == before


def test_a_rule_the_option_does_not_take_is_a_usage_error_inline_or_in_a_file(shop, capsys, tmp_path):
    rule_file = tmp_path / "rule.json"
    for rule, told in (("{", "not valid JSON"), ('{"field": "colour", "op": "is", "value": 1}', "unknown field"),
                       ('{"field": "city", "op": "sounds_like", "value": 1}', "unknown op")):
        rule_file.write_text(rule, encoding="utf-8")
        for given in (rule, f"@{rule_file}"):
            status, _, err = run(capsys, "segment", "count", "--rule", given, "-w", str(shop))
            assert status == 2 and told in err and one_line(err), (given, err)
    # A rule file that cannot be read is told as any file that cannot be read (1).
    status, _, err = run(capsys, "segment", "count", "--rule", f"@{tmp_path / 'missing.json'}", "-w", str(shop))
    assert status == 1 and "no such file" in err and one_line(err), err


def test_a_setting_refuses_a_value_it_does_not_take_as_a_usage_error(shop, capsys, tmp_path):
    before = dump(shop)
    for argv, told in ((["settings", "channel_trust", "Shop, Fax, Blorp"], "channel_trust: unknown channel 'fax' (known: "),
                       (["settings", "default_region", "ZZ"], "'ZZ' is not a region code")):
        status, out, err = run(capsys, *argv, "-w", str(shop))
        assert status == 2 and told in err and one_line(err) and not out, (argv, err)
    assert dump(shop) == before
    # The workspace's own channels (a file imported as "market-stall") are known.
    market = write_csv(tmp_path / "market.csv", ["Email", "First Name"], [["fay@example.com", "Fay"]])
    assert run(capsys, "import", str(market), "--channel", "market-stall", "-w", str(shop))[0] == 0
    status, out, err = run(capsys, "settings", "channel_trust", "market-stall, Till", "-w", str(shop))
    assert status == 0 and out.strip() == "market-stall, pos", err
