"""Every command the CLI has is in README's table: a new user finds each one there."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from omnidesk.cli import build_parser

README = Path(__file__).resolve().parent.parent / "README.md"


def _commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                inner = _commands(sub, (*prefix, name))
                found.extend(inner or [(*prefix, name)])
    return found


def _named(text: str) -> set[str]:
    """Commands as README writes them: "tag add", and each of "review accept\\|reject\\|skip"."""
    out = set()
    for group, alternatives in re.findall(r"\b([a-z]+) ([a-z][\w-]*(?:\\\|[a-z][\w-]*)+)", text):
        out.update(f"{group} {a}" for a in alternatives.split("\\|"))
    return out


def test_every_command_is_in_the_readme():
    text = README.read_text(encoding="utf-8")
    named = _named(text)
    commands = _commands(build_parser())
    assert len(commands) > 40  # the walk found the actions, not just the groups
    missing = [" ".join(c) for c in commands if " ".join(c) not in text and " ".join(c) not in named]
    assert not missing, f"README does not name: {missing}"


def _subparser(parser: argparse.ArgumentParser, words: list[str]) -> argparse.ArgumentParser | None:
    for word in words:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs or word not in subs[0].choices:
            return None
        parser = subs[0].choices[word]
    return parser


def _table_commands(text: str) -> dict[str, set[str]]:
    """Each command of "The command line" table, with the options README shows for it (in any of
    its forms: `pin CUSTOMER FIELD VALUE` / `pin CUSTOMER FIELD --unpin`)."""
    section = text.split("### The command line", 1)[1].split("\n\nEvery command takes", 1)[0]
    found: dict[str, set[str]] = {}
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        first_cell = line.split(" | ")[0]
        for code in re.findall(r"`([^`]+)`", first_cell):
            words = code.removeprefix("omnidesk ").split()
            names = []
            for word in words:
                if not re.fullmatch(r"[a-z][\w-]*(\\\|[a-z][\w-]*)*", word):
                    break
                names.append(word)
            if names:  # `omnidesk --demo`, `omnidesk --version` and the like are the program's own
                flags = set(re.findall(r"--[a-z][\w-]*", code))
                for alternative in names[-1].split("\\|"):
                    found.setdefault(" ".join([*names[:-1], alternative]), set()).update(flags)
    return found


def test_the_command_tables_options_are_the_commands_options():
    """Each option the table shows exists, and each option a command has is shown."""
    text = README.read_text(encoding="utf-8")
    parser = build_parser()
    rows = _table_commands(text)
    assert len(rows) > 40
    common = {"--help", "--workspace", "--wait"}  # every command's, said once under the table
    wrong = []
    for command, shown in rows.items():
        sub = _subparser(parser, command.split())
        assert sub is not None, f"README's table names {command!r}, which is no command"
        has = {s for a in sub._actions for s in a.option_strings if s.startswith("--")} - common
        if shown - common != has:
            wrong.append(f"{command}: README shows {sorted(shown - common)}, the command has {sorted(has)}")
    assert not wrong, "\n".join(wrong)


def test_every_setting_is_named_under_settings():
    from omnidesk.core.settings import SETTINGS

    text = README.read_text(encoding="utf-8")
    section = text.split("### Settings", 1)[1].split("\n### ", 1)[0]
    missing = [s.key for s in SETTINGS if f"`{s.key}`" not in section]
    assert not missing, f"README's Settings do not name: {missing}"


def _json_examples(text: str) -> list[dict]:
    import json

    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", text, flags=re.S)]


def test_the_readmes_rule_and_plan_run_as_written(tmp_path, capsys):
    """The segment rule and the plan file README shows are taken as they stand."""
    import json

    import time_machine

    from omnidesk.cli import main
    from tests.helpers import write_csv

    rule, spring, plan = _json_examples(README.read_text(encoding="utf-8"))
    ws = str(tmp_path / "shop.omnidesk")
    people = write_csv(tmp_path / "people.csv", ["Email", "First Name", "Accepts Email Marketing"],
                       [["ann@example.com", "Ann", "yes"]])
    # README's message file, as written, is the message the plan names.
    assert spring["name"] == plan["message"]
    message = tmp_path / "spring.json"
    message.write_text(json.dumps(spring), encoding="utf-8")
    # The form with every master field is taken too.
    full = tmp_path / "full.json"
    full.write_text(json.dumps({"name": "Every field", "message": {
        "headline": "Spring sale", "body": "Hi {first_name|there}", "offer_code": "SPRING", "offer_value": "15% off",
        "offer_expires": "2027-03-08", "cta": "Shop now", "link": "https://shop.example/spring",
        "image": "https://shop.example/spring.png"}}), encoding="utf-8")
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan), encoding="utf-8")
    with time_machine.travel("2027-02-01 10:00:00Z", tick=False):  # before the plan's steps
        assert main(["import", str(people), "--channel", "shop", "-w", ws]) == 0
        assert main(["segment", "count", "--rule", json.dumps(rule), "-w", ws]) == 0
        assert main(["message", "import", str(message), "-w", ws]) == 0
        assert main(["message", "import", str(full), "-w", ws]) == 0
        assert main(["campaign", "import", str(plan_file), "-w", ws]) == 0
        capsys.readouterr()
        assert main(["campaign", "show", plan["name"], "--json", "-w", ws]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [s["channel"] for s in shown["steps"]] == [s["channel"] for s in plan["steps"]]


def test_the_segment_fields_table_gives_each_field_its_ops():
    """README's Field / Ops table says what the rule checker takes, field by field."""
    from omnidesk.core.segments.rules import FIELDS, PREFIXED

    text = README.read_text(encoding="utf-8")
    table = text.split("| Field | Ops | Value |", 1)[1].split("\n\n", 1)[0]
    said: dict[str, tuple[str, ...]] = {}
    alias: dict[str, str] = {}  # `journey_start`: "as `first_seen`"
    for line in table.splitlines()[2:]:
        fields_cell, ops_cell = line.split(" | ")[:2]
        if "/" in fields_cell:  # `birthday` / `birthday_month`: each its own side of the ops' "/"
            pairs = zip(fields_cell.split("/"), ops_cell.split("/"))
        else:
            pairs = [(fields_cell, ops_cell)]
        for names, ops in pairs:
            fields = re.findall(r"`([\w.<>]+)`", names)
            if ops.strip().startswith("as "):
                alias.update((field, re.findall(r"`(\w+)`", ops)[0]) for field in fields)
                continue
            plain = ops.split("(and ")[0]
            for field in fields:
                listed = re.findall(r"`(\w+)`", plain)
                extra = re.search(r"\(and (.*?) for `" + re.escape(field) + "`\\)", ops)
                said[field] = tuple(sorted(listed + (re.findall(r"`(\w+)`", extra.group(1)) if extra else [])))
    said.update((field, said[like]) for field, like in alias.items())
    code = {**{f: tuple(sorted(ops)) for f, ops in FIELDS.items()},
            **{f"{prefix}<{'column' if prefix == 'custom.' else 'type'}>": tuple(sorted(ops))
               for prefix, ops in PREFIXED.items()}}
    assert said == code


def test_ci_runs_the_readmes_test_command_exactly():
    """The second of the README's two commands is the very line CI runs, and the first installs the
    same way: what a new user types is what is tested."""
    text = README.read_text(encoding="utf-8")
    block = text.split("## Two commands", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line for line in block.splitlines() if line.strip() and not line.startswith("#")]
    assert len(commands) == 2, commands
    install, test = commands
    assert test.endswith("python -m pytest") and install.endswith("omnidesk --demo")
    assert install.removesuffix("omnidesk --demo") == test.removesuffix("python -m pytest")
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci.splitlines(), "CI does not run the README's test command as written"
