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
