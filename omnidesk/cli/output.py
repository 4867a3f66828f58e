"""A command's results as the user asked for them: JSON with ``--json``, else lines of text.

Every command that takes ``--json`` says what it found once, as data, and
how that data reads as text; :class:`Output` picks one.  A command with one
result uses ``show``.  A command with several results, each told as it comes
(``import``: one per file), uses ``item`` for each and ``flush`` at the end:
its JSON is one object a line, printed once the command has not failed, so a
run that stops part-way prints no half list.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from typing import Any

Text = str | Iterable[str]


class Output:
    def __init__(self, args: argparse.Namespace) -> None:
        self.json = bool(getattr(args, "json", False))
        self._held: list[object] = []

    def show(self, data: Any, text: Callable[[Any], Text]) -> None:
        """The command's result: ``data`` as indented JSON, or the text ``text(data)`` makes of it."""
        if self.json:
            print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        else:
            _lines(text(data), sys.stdout)

    def item(self, data: object, text: Text = (), *, notes: Text = ()) -> None:
        """One of several results: ``notes`` (warnings, errors) now on stderr, with or without
        JSON; as text, ``text`` now on stdout; as JSON, ``data`` kept for :meth:`flush`."""
        if self.json:
            self._held.append(data)
        else:
            _lines(text, sys.stdout)
        _lines(notes, sys.stderr)

    def say(self, text: Text) -> None:
        """Text for people only (what a command did besides its results); none in JSON."""
        if not self.json:
            _lines(text, sys.stdout)

    def flush(self) -> None:
        """The JSON of every item, one object a line."""
        for data in self._held:
            print(json.dumps(data, ensure_ascii=False))
        self._held = []


def _lines(text: Text, stream) -> None:
    for line in [text] if isinstance(text, str) else text:
        print(line, file=stream)
