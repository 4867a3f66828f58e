"""A command's results as the user asked for them: JSON with ``--json``, else lines of text.

Every command that takes ``--json`` says what it found once, as data, and
how that data reads as text; :class:`Output` picks one.  A command with one
result uses ``show``.  A command with several results, each told as it comes
(``import``: one per file), uses ``item`` for each: its JSON is one object a
line, printed (and flushed) as each comes, so a script reads each file's as it
finishes, and a run stopped part-way has told those it finished.
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

    def show(self, data: Any, text: Callable[[Any], Text]) -> None:
        """The command's result: ``data`` as indented JSON, or the text ``text(data)`` makes of it."""
        if self.json:
            print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        else:
            _lines(text(data), sys.stdout)

    def item(self, data: object, text: Text = (), *, notes: Text = ()) -> None:
        """One of several results, told now: ``notes`` (warnings, errors) on stderr, with or
        without JSON; on stdout ``text``, or with JSON ``data`` as one line, flushed at once (a
        pipe would otherwise hold it until the command ends)."""
        try:
            if self.json:
                print(json.dumps(data, ensure_ascii=False), flush=True)
            else:
                _lines(text, sys.stdout)
        except BrokenPipeError:
            # The reader went away (`import a.csv b.csv --json | head -1`): the files still to come
            # are imported all the same, their lines going nowhere, rather than left undone unsaid.
            _to_nowhere()
        _lines(notes, sys.stderr)

    def say(self, text: Text) -> None:
        """Text for people only (what a command did besides its results); none in JSON."""
        if not self.json:
            _lines(text, sys.stdout)


def _to_nowhere() -> None:
    """Standard output sent to the null device from now on (what is still buffered too)."""
    import contextlib
    import os

    with contextlib.suppress(OSError, ValueError, AttributeError):  # stdout may be no file
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _lines(text: Text, stream) -> None:
    for line in [text] if isinstance(text, str) else text:
        print(line, file=stream)
