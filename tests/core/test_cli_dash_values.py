"""A value typed on the command line may begin with "-": a company "-1-1", a tag "-sale".

Such a word is read as a value where it is no option of the command; the options (-w, --json…)
still work wherever they did, and what is still read as an option says how to give it as a value.
A long option typed with one "-" (-force, -json) is no value but a mistyped option, told as one.
"""

from __future__ import annotations

import sqlite3

from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["Email", "First Name", "Company", "Tags"], [
    ["ann@example.com", "Ann", "Acme", "vip"],
    ["bob@example.com", "Bob", "", ""],
])

shop_template, shop = cli_shop_fixtures(PEOPLE)


def companies(path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT email, company FROM customer ORDER BY email").fetchall()


def tags(path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT email, tags FROM customer ORDER BY email").fetchall()


def test_a_customer_value_may_begin_with_a_dash(shop, capsys):
    status, out, err = run_cli(capsys, "customer", "set", "ann@example.com", "company", "-1-1", "-w", str(shop))
    assert (status, err) == (0, "") and "-1-1" in out
    assert companies(shop)[0] == ("ann@example.com", "-1-1")
    # The workspace option before the command's words, and "--" before the value, as before.
    assert run_cli(capsys, "-w", str(shop), "customer", "set", "bob@example.com", "company", "-Shed-")[0] == 0
    assert run_cli(capsys, "customer", "set", "-w", str(shop), "ann@example.com", "city", "--", "--x")[0] == 0
    assert companies(shop) == [("ann@example.com", "-1-1"), ("bob@example.com", "-Shed-")]


def test_a_tag_may_begin_with_a_dash(shop, capsys):
    status, out, err = run_cli(capsys, "tag", "add", "-sale", "ann@example.com", "-w", str(shop))
    assert (status, err) == (0, "") and "-sale" in out
    assert "-sale" in tags(shop)[0][1]
    status, out, _ = run_cli(capsys, "tags", "--json", "-w", str(shop))
    assert status == 0 and "-sale" in out
    # A word after -h is no help asked for: "-hot" is a tag too.
    assert run_cli(capsys, "tag", "add", "-hot", "bob@example.com", "-w", str(shop))[0] == 0
    assert "-hot" in tags(shop)[1][1]


def test_a_value_still_read_as_an_option_says_how_to_give_it(shop, capsys):
    before = companies(shop)
    status, _, err = run_cli(capsys, "customer", "set", "ann@example.com", "company", "--sale", "-w", str(shop))
    assert status == 2 and ("a value beginning with '-', such as --sale, goes after --, which ends the options: "
                            "omnidesk customer set [OPTIONS] -- CUSTOMER FIELD VALUE") in err
    status, _, err = run_cli(capsys, "tag", "add", "--sale", "ann@example.com", "-w", str(shop))
    assert status == 2 and "omnidesk tag add [OPTIONS] -- TAG [CUSTOMER ...]" in err
    assert companies(shop) == before
    # A mistyped option is still told as one.
    status, _, err = run_cli(capsys, "segment", "count", "--rulez", "{}", "-w", str(shop))
    assert status == 2 and "did you mean --rule?" in err


def test_a_value_beginning_with_two_dashes_goes_after_the_end_of_the_options(shop, capsys):
    status, out, _ = run_cli(capsys, "tag", "add", "-w", str(shop), "--", "--sale", "bob@example.com")
    assert status == 0 and "--sale" in out
    assert "--sale" in tags(shop)[1][1]


def test_a_long_option_typed_with_one_dash_is_told_as_one(shop, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    status, out, err = run_cli(capsys, "person", "export", "1", "-force", "-w", str(shop))
    assert status == 2 and "did you mean --force?" in err and "goes after --" not in err
    assert not (tmp_path / "-force").exists()
    status, _, err = run_cli(capsys, "settings", "business_name", "-json", "-w", str(shop))
    assert status == 2 and "did you mean --json?" in err and "goes after --" not in err
    status, out, _ = run_cli(capsys, "settings", "business_name", "-w", str(shop))
    assert "-json" not in out
    status, _, err = run_cli(capsys, "segment", "show", "-json", "-w", str(shop))
    assert status == 2 and "required: NAME (did you mean --json?)" in err
    status, _, err = run_cli(capsys, "segment", "count", "-json", "-w", str(shop))
    assert status == 2 and "did you mean --json?" in err and "no segment named" not in err
    status, _, err = run_cli(capsys, "segment", "count", "-rule", "{}", "-w", str(shop))
    assert status == 2 and "did you mean --rule?" in err and "goes after --" not in err
    # A shortened or mistyped one too: -for is --force, -jsn is --json.
    status, _, err = run_cli(capsys, "segment", "count", "-jsn", "-w", str(shop))
    assert status == 2 and "did you mean --json?" in err
    status, _, err = run_cli(capsys, "person", "export", "1", "-for", "-w", str(shop))
    assert status == 2 and "did you mean --force?" in err
    assert not (tmp_path / "-for").exists() and not (tmp_path / "-jsn").exists()


def test_a_mistyped_option_is_not_told_to_go_after_the_end_of_the_options(shop, capsys):
    status, _, err = run_cli(capsys, "segment", "show", "--jsn", "x", "-w", str(shop))
    assert status == 2 and "did you mean --json?" in err and "goes after --" not in err
    # -wPATH is the workspace option and its PATH: the missing words are missing, nothing else.
    status, _, err = run_cli(capsys, "tag", "add", f"-w{shop}")
    assert status == 2 and "required: TAG" in err and "goes after --" not in err
    status, _, err = run_cli(capsys, "tag", "add", f"-w={shop}")
    assert status == 2 and "required: TAG" in err and "goes after --" not in err


def test_a_negative_number_is_still_a_value(shop, capsys):
    status, out, err = run_cli(capsys, "customer", "set", "ann@example.com", "company", "-5", "-w", str(shop))
    assert (status, err) == (0, "")
    assert companies(shop)[0] == ("ann@example.com", "-5")
    status, out, err = run_cli(capsys, "customer", "set", "ann@example.com", "company", "-2.5", "-w", str(shop))
    assert (status, err) == (0, "")
    assert companies(shop)[0] == ("ann@example.com", "-2.5")
