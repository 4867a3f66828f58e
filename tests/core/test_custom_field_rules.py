"""Rules on custom fields through the command line: a number or a date compares as one."""

from __future__ import annotations

import json

from tests.helpers import run_cli, write_csv


def _count(capsys, path, rule: dict) -> int:
    status, out, err = run_cli(capsys, "segment", "count", "--json", "--rule", json.dumps(rule), "-w", path)
    assert status == 0, err
    return json.loads(out)["customers"]


def _import(capsys, path, csv_path) -> None:
    status, _, err = run_cli(capsys, "import", csv_path, "-w", path)
    assert status == 0, err


def test_is_and_in_compare_a_number_or_a_date_as_the_segment_builder_sends_it(tmp_path, capsys):
    """The builder sends what was typed as text: "1000" finds the cell "1,000", "2026-11-20" a
    cell dated that day at 09:00, as the JSON number 1000 does; a text field still matches as text."""
    path = str(tmp_path / "shop.omnidesk")
    club = write_csv(tmp_path / "club.csv", ["Email", "First Name", "Points", "Joined club", "Locker"], [
        ["elodie@example.com", "Élodie", "1,000", "2026-11-20 09:00", "1,000"],
        ["ann@example.com", "Ann", "150", "2026-10-02 18:30", "B7"],
        ["bob@example.com", "Bob", "20", "2026-11-21 08:00", "1000"],
    ])
    _import(capsys, path, club)

    def count(field, op, value):
        return _count(capsys, path, {"field": f"custom.{field}", "op": op, "value": value})

    assert count("Points", "is", "1000") == count("Points", "is", 1000) == 1
    assert count("Points", "is", "1,000.00") == 1
    assert count("Points", "in", ["150", "1000"]) == count("Points", "in", [150, 1000]) == 2
    assert count("Points", "is_not", "1000") == 2
    assert count("Points", "is", "1,000") == 1  # as written, too
    assert count("Joined club", "is", "2026-11-20") == 1
    assert count("Joined club", "in", ["2026-11-20", "2026-10-02"]) == 2
    assert count("Joined club", "is_not", "2026-11-20") == 2
    assert count("Joined club", "is", "2026-11-20 09:00") == 1  # the cell as written
    # A text field ("B7" is no number) matches as written: "1000" is Bob's, "1,000" Élodie's.
    assert count("Locker", "is", "1000") == 1
    assert count("Locker", "in", ["1,000", "b7"]) == 2


def test_a_value_typed_in_while_the_field_was_text_counts_as_a_number_once_an_import_makes_it_one(tmp_path, capsys):
    """Ann's 999, typed in while a stray "abc" kept Loyalty points text, is a number once a later file
    of only numbers makes the field one: gt and between find her, as the card and the export show 999."""
    path = str(tmp_path / "shop.omnidesk")
    _import(capsys, path, write_csv(tmp_path / "first.csv", ["Email", "First Name", "Loyalty points"], [
        ["ann@example.com", "Ann", "12"], ["bob@example.com", "Bob", "abc"]]))
    status, _, err = run_cli(capsys, "customer", "set", "ann@example.com", "custom.Loyalty points", "999", "-w", path)
    assert status == 0, err
    _import(capsys, path, write_csv(tmp_path / "second.csv", ["Email", "First Name", "Loyalty points"], [
        ["bob@example.com", "Bob", "50"], ["cy@example.com", "Cy", "30"]]))
    field = "custom.Loyalty points"
    assert _count(capsys, path, {"field": field, "op": "gt", "value": 40}) == 2  # Ann's 999 and Bob's 50
    assert _count(capsys, path, {"field": field, "op": "between", "value": [900, 1000]}) == 1
    assert _count(capsys, path, {"field": field, "op": "is", "value": "999.00"}) == 1
    out = tmp_path / "out.csv"
    status, _, err = run_cli(capsys, "export", "customers", out, "--columns", "email,custom.Loyalty points",
                             "--rule", json.dumps({"field": field, "op": "gte", "value": 999}), "-w", path)
    assert status == 0, err
    assert out.read_text(encoding="utf-8").splitlines()[1:] == ["ann@example.com,999"]


def test_one_cell_in_words_does_not_blank_the_numbers_and_dates_of_a_custom_column(tmp_path, capsys):
    """A stray "abc" keeps Loyalty points text, as the card shows it, yet its cells that read as
    numbers still compare as numbers, and a "soon" among dates leaves the dates comparable."""
    path = str(tmp_path / "shop.omnidesk")
    _import(capsys, path, write_csv(tmp_path / "club.csv", ["Email", "First Name", "Loyalty points", "Joined club",
                                                            "Voucher"], [
        ["ann@example.com", "Ann", "120", "2024-03-02", "0042"],
        ["bob@example.com", "Bob", "abc", "2025-01-10", "17"],
        ["cy@example.com", "Cy", "1,500", "soon", "yes"],
        ["dee@example.com", "Dee", "7", "", "x"],
    ]))
    points, since, voucher = "custom.Loyalty points", "custom.Joined club", "custom.Voucher"
    assert _count(capsys, path, {"field": points, "op": "gt", "value": 100}) == 2  # Ann's 120, Cy's 1,500
    assert _count(capsys, path, {"field": points, "op": "between", "value": [5, 200]}) == 2
    assert _count(capsys, path, {"field": points, "op": "lt", "value": 10}) == 1
    assert _count(capsys, path, {"field": since, "op": "lt", "value": "2025-01-01"}) == 1
    assert _count(capsys, path, {"field": since, "op": "between", "value": ["2024-01-01", "2025-12-31"]}) == 2
    # A code with a leading zero and a yes or an x are no numbers.
    assert _count(capsys, path, {"field": voucher, "op": "gt", "value": 0}) == 1  # Bob's 17
    # The field is text: is matches as written.
    assert _count(capsys, path, {"field": points, "op": "is", "value": "1500"}) == 0
    assert _count(capsys, path, {"field": points, "op": "is", "value": 1500}) == 0
    assert _count(capsys, path, {"field": points, "op": "is", "value": "1,500"}) == 1
    out = tmp_path / "out.csv"
    status, _, err = run_cli(capsys, "export", "customers", out, "--columns",
                             "email,custom.Loyalty points,custom.Joined club", "-w", path)
    assert status == 0, err
    assert sorted(out.read_text(encoding="utf-8").splitlines()[1:]) == [
        "ann@example.com,120,2024-03-02", "bob@example.com,abc,2025-01-10", 'cy@example.com,"1,500",soon',
        "dee@example.com,7,"]
    # A value typed in reads the same way.
    status, _, err = run_cli(capsys, "customer", "set", "bob@example.com", points, "300", "-w", path)
    assert status == 0, err
    assert _count(capsys, path, {"field": points, "op": "gt", "value": 100}) == 3


def test_a_custom_comparison_that_is_neither_a_number_nor_a_date_says_it_takes_either(tmp_path, capsys):
    """A custom column compares as a number or as a date: refused text says both, not only "a date"."""
    path = str(tmp_path / "shop.omnidesk")
    club = write_csv(tmp_path / "club.csv", ["Email", "First Name", "Loyalty points"],
                     [["ann@example.com", "Ann", "150"]])
    _import(capsys, path, club)
    for op, value in (("gt", "abc"), ("between", ["abc", "xyz"])):
        rule = {"field": "custom.Loyalty points", "op": op, "value": value}
        status, _, err = run_cli(capsys, "segment", "count", "--rule", json.dumps(rule), "-w", path)
        assert status != 0
        assert f"custom.Loyalty points {op} needs a number or a date as YYYY-MM-DD, got 'abc'" in err
    # A built-in date field still says a date.
    status, _, err = run_cli(capsys, "segment", "count", "--rule",
                             json.dumps({"field": "last_seen", "op": "gt", "value": "abc"}), "-w", path)
    assert status != 0 and "last_seen needs a date as YYYY-MM-DD, got 'abc'" in err


def test_gt_and_between_read_a_number_given_as_text_as_is_does(tmp_path, capsys):
    """`is "1200"` finds a number field's 1,200, so `gt "100"` compares as a number too (it was
    refused as "needs a number", got '100'); a date stays a date, and mixing the two is refused."""
    path = str(tmp_path / "shop.omnidesk")
    _import(capsys, path, write_csv(tmp_path / "club.csv", ["Email", "First Name", "Points", "Renewal due"], [
        ["ann@example.com", "Ann", "1,200", "2026-03-01"], ["bob@example.com", "Bob", "50", "2026-09-01"],
        ["cy@example.com", "Cy", "300", "2026-10-15"]]))

    def count(field, op, value):
        return _count(capsys, path, {"field": f"custom.{field}", "op": op, "value": value})

    assert count("Points", "gt", "100") == count("Points", "gt", 100) == 2
    assert count("Points", "lte", "1,200.00") == count("Points", "lte", 1200) == 3
    assert count("Points", "between", ["100", "500"]) == count("Points", "between", [100, 500]) == 1
    assert count("Points", "between", ["100", 2000]) == 2
    assert count("Renewal due", "gt", "2026-08-31") == 2
    assert count("Renewal due", "between", ["2026-03-01", "2026-09-01"]) == 2
    status, _, err = run_cli(capsys, "segment", "count", "--rule", json.dumps(
        {"field": "custom.Points", "op": "between", "value": ["100", "2026-09-01"]}), "-w", path)
    assert status == 2 and "between needs two numbers or two dates" in err
    status, _, err = run_cli(capsys, "segment", "count", "--rule", json.dumps(
        {"field": "custom.Points", "op": "between", "value": ["500", "100"]}), "-w", path)
    assert status == 2 and "the low end is above the high end" in err


def test_eight_digits_given_as_text_compare_as_the_number_the_window_reads(tmp_path, capsys):
    """`lt "20260101"` is `lt 20260101`, as the Filter panel reads the same typed text: a number, not
    1 January 2026 (Python reads YYYYMMDD as a day; only YYYY-MM-DD is one here)."""
    path = str(tmp_path / "shop.omnidesk")
    _import(capsys, path, write_csv(tmp_path / "club.csv", ["Email", "First Name", "Points"], [
        ["ann@example.com", "Ann", "250"], ["bob@example.com", "Bob", "1200"], ["cy@example.com", "Cy", "12"]]))
    field = "custom.Points"
    assert _count(capsys, path, {"field": field, "op": "lt", "value": "20260101"}) == 3
    assert _count(capsys, path, {"field": field, "op": "lt", "value": 20260101}) == 3
    assert _count(capsys, path, {"field": field, "op": "between", "value": ["100", "20260101"]}) == 2


def test_a_date_with_more_after_it_or_in_another_iso_form_is_refused_not_cut_short(tmp_path, capsys):
    """"2026-03-01 garbage" was read as 1 March, "2026-W10-1" as a week's Monday: a mistyped date
    or time is said in one line, not quietly guessed."""
    path = str(tmp_path / "shop.omnidesk")
    _import(capsys, path, write_csv(tmp_path / "club.csv", ["Email", "First Name", "Renewal"], [
        ["ann@example.com", "Ann", "2026-05-01"], ["bob@example.com", "Bob", "2026-01-10"]]))
    for field in ("last_seen", "custom.Renewal"):
        for value in ("2026-03-01 garbage", "2026-03-01T99:99", "2026-W10-1", "20260301x"):
            rule = {"field": field, "op": "gt", "value": value}
            status, _, err = run_cli(capsys, "segment", "count", "--rule", json.dumps(rule), "-w", path)
            assert status != 0, (field, value)
            assert "YYYY-MM-DD" in err and repr(value) in err, err
    assert _count(capsys, path, {"field": "custom.Renewal", "op": "gt", "value": "2026-03-01"}) == 1
    assert _count(capsys, path, {"field": "custom.Renewal", "op": "between",
                                 "value": ["2026-01-01", "2026-12-31"]}) == 2
