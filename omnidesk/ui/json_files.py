"""A JSON file the user picks, read or written whole, for the screens that import and export one.

The screen asks for the path (``ask_open_json`` / ``ask_save_json``, which tests replace) and shows
errors (``show_error``); reading and writing go through the core's one text-file helper.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from omnidesk.core.errors import UserError
from omnidesk.core.exporting.textfiles import read_json, write_json


def open_chosen(view, what: str, error_title: str) -> tuple[Path, Any] | None:
    """The path the user chose and its JSON, or None when they cancelled or it could not be read (said)."""
    path = view.ask_open_json()
    if path is None:
        return None
    try:
        return path, read_json(path, what)
    except UserError as exc:
        view.show_error(error_title, str(exc))
        return None


def save_chosen(view, name: str, produce: Callable[[], Any], error_title: str) -> Path | None:
    """Write ``produce()`` where the user chose (the save dialog asked before replacing a file);
    the path, or None when they cancelled or it could not be written (said)."""
    path = view.ask_save_json(name)
    if path is None:
        return None
    try:
        write_json(path, produce(), overwrite=True)
    except UserError as exc:
        view.show_error(error_title, str(exc))
        return None
    return path
