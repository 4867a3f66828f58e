"""Social pack layouts, read from data files so a scheduler's format is fixed without code.

Each layout is one TOML file in ``resources/send_layouts/`` named after it
(``buffer.toml`` is the layout ``buffer``)::

    label = "Buffer bulk upload"
    header_row = true          # optional; false writes the rows only
    minute_step = 5            # optional; the scheduler takes only times whose minutes are a multiple

    [[column]]
    header = "Posting Time"    # as the scheduler spells it
    value = "at"               # which part of the post (see VALUES; "link_not_in_text" is the
                               # link only where the text does not already hold it)
    format = "%Y-%m-%d %H:%M"  # "at" and "at_utc" only: strftime, or "iso"

    [[column]]
    header = "Tags"
    value = "tags"
    join = ","                 # "tags" only: what goes between two tags

A file that is not valid TOML, names an unknown setting or value, lacks a
required setting, gives a setting of the wrong type or repeats a header is
refused with a :class:`LayoutFileError` naming the file and the setting.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from omnidesk.core import paths
from omnidesk.core.errors import UserError

__all__ = ["LAYOUTS_FOLDER", "VALUES", "Layout", "LayoutColumn", "LayoutFileError", "layout_names",
           "load_layout", "load_layout_file"]

# Inside resources/.
LAYOUTS_FOLDER = "send_layouts"

# What a column can hold: the fields of a social post (see packs.SocialPost).
VALUES = ("text", "link", "link_not_in_text", "image_url", "tags", "at", "at_utc", "network")
_TIMES = {"at", "at_utc"}
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_FILE_SETTINGS = {"label", "header_row", "minute_step", "column"}
_COLUMN_SETTINGS = {"header", "value", "format", "join"}


class LayoutFileError(UserError, ValueError):
    """A layout file that cannot be used as written; the message names the file and the setting."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@dataclass(frozen=True)
class LayoutColumn:
    """One column: its header, the post value it holds, and how that value is written."""

    header: str
    value: str
    format: str = ""
    join: str = ", "


@dataclass(frozen=True)
class Layout:
    """A scheduler's bulk CSV: its columns in order, and whether a header row comes first."""

    name: str
    label: str
    columns: tuple[LayoutColumn, ...]
    header_row: bool = True
    minute_step: int = 1
    path: Path | None = None

    @property
    def header(self) -> list[str]:
        return [c.header for c in self.columns]

    def cell_makers(self) -> list[Callable[[Any], str]]:
        """One function per column turning a post into that column's text."""
        return [_maker(c) for c in self.columns]


def _format_time(when: datetime, fmt: str) -> str:
    return when.isoformat(timespec="seconds") if fmt == "iso" else when.strftime(fmt)


def _maker(col: LayoutColumn) -> Callable[[Any], str]:
    if col.value == "at":
        return lambda post: _format_time(post.at, col.format)
    if col.value == "at_utc":
        return lambda post: _format_time(post.at.astimezone(UTC), col.format)
    if col.value == "tags":
        return lambda post: col.join.join(post.tags)
    if col.value == "link_not_in_text":
        # A scheduler that adds this column's link to the post (Hootsuite's bulk composer) would
        # post a link the text already holds twice, 23 characters more on X than the check counted.
        return lambda post: "" if not post.link or post.link in post.text else post.link
    return lambda post: getattr(post, col.value) or ""


def layout_names(folder: Path | None = None) -> list[str]:
    """The layouts there are (``resources/send_layouts`` by default), by name."""
    folder = paths.resource_path(LAYOUTS_FOLDER) if folder is None else Path(folder)
    return sorted(p.stem for p in folder.glob("*.toml") if _NAME.match(p.stem))


def load_layout(name: str, folder: Path | None = None) -> Layout:
    """The layout called ``name``; a UserError listing the known ones when there is none."""
    folder = paths.resource_path(LAYOUTS_FOLDER) if folder is None else Path(folder)
    path = folder / f"{name}.toml"
    if not _NAME.match(name or "") or not path.is_file():
        known = ", ".join(layout_names(folder)) or "none"
        raise UserError(f"unknown social pack layout {name!r} (known: {known})")
    return load_layout_file(path)


def load_layout_file(path: Path) -> Layout:
    """Read and check one layout file; raises :class:`LayoutFileError` naming the setting at fault."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise LayoutFileError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise LayoutFileError(path, f"cannot be read ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise LayoutFileError(path, f"not valid TOML: {exc}") from None
    _only(path, "the file", data, _FILE_SETTINGS)
    label = data.get("label")
    if not isinstance(label, str) or not label.strip():
        raise LayoutFileError(path, "label: required, a non-empty string")
    header_row = data.get("header_row", True)
    if not isinstance(header_row, bool):
        raise LayoutFileError(path, f"header_row: must be true or false, not {header_row!r}")
    minute_step = data.get("minute_step", 1)
    if not isinstance(minute_step, int) or isinstance(minute_step, bool) or not 1 <= minute_step <= 60 \
            or 60 % minute_step:
        raise LayoutFileError(path, f"minute_step: must be a whole number dividing 60, not {minute_step!r}")
    raw_columns = data.get("column")
    if not isinstance(raw_columns, list) or not raw_columns:
        raise LayoutFileError(path, "column: required, one or more [[column]] tables")
    columns: list[LayoutColumn] = []
    seen: set[str] = set()
    for number, raw in enumerate(raw_columns, start=1):
        where = f"column #{number}"
        if not isinstance(raw, dict):
            raise LayoutFileError(path, f"{where}: must be a [[column]] table")
        column = _column(path, where, raw)
        if column.header.casefold() in seen:
            raise LayoutFileError(path, f"{where}: header: {column.header!r} is used twice")
        seen.add(column.header.casefold())
        columns.append(column)
    return Layout(name=path.stem, label=label.strip(), columns=tuple(columns), header_row=header_row,
                  minute_step=minute_step, path=path)


def _only(path: Path, where: str, table: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise LayoutFileError(path, f"{where}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(allowed))})")


def _column(path: Path, where: str, raw: dict[str, Any]) -> LayoutColumn:
    _only(path, where, raw, _COLUMN_SETTINGS)
    header = raw.get("header")
    if not isinstance(header, str) or not header.strip():
        raise LayoutFileError(path, f"{where}: header: required, a non-empty string")
    value = raw.get("value")
    if value not in VALUES:
        raise LayoutFileError(path, f"{where}: value: must be one of {', '.join(VALUES)}, not {value!r}")
    fmt = raw.get("format", "")
    if value in _TIMES:
        if not isinstance(fmt, str) or not fmt:
            raise LayoutFileError(path, f"{where}: format: required for {value!r}: a strftime pattern or \"iso\"")
        if fmt != "iso" and "%" not in fmt:
            raise LayoutFileError(path, f"{where}: format: {fmt!r} has no %-code, so every time would read the same")
        try:
            _format_time(datetime(2026, 3, 29, 9, 5, tzinfo=UTC), fmt)
        except ValueError as exc:
            raise LayoutFileError(path, f"{where}: format: {fmt!r} cannot be used ({exc})") from None
    elif "format" in raw:
        raise LayoutFileError(path, f"{where}: format: only a time (at, at_utc) has a format")
    join = raw.get("join", ", ")
    if "join" in raw and value != "tags":
        raise LayoutFileError(path, f"{where}: join: only tags are joined")
    if not isinstance(join, str):
        raise LayoutFileError(path, f"{where}: join: must be a string, not {join!r}")
    return LayoutColumn(header=header.strip(), value=value, format=fmt, join=join)
