"""Vendor presets and header synonyms, read from data files and checked on load.

Each vendor's export layouts are one TOML file in ``resources/presets/``
(``shopify.toml`` holds the customers and the orders export); the generic
guesser's synonym table is ``resources/header_synonyms.toml``.  Both are read
once, when :mod:`omnidesk.core.importing.presets` is imported.

A preset file::

    vendor = "Shopify"

    [[preset]]
    key = "shopify_customers"            # unique among all presets
    label = "Shopify customers export"
    channel = "shop"                     # a key of fields.CHANNELS
    kind = "contacts"                    # or "events"
    signature = ["First Name", "Email", "Total Spent"]   # all present: it is this export
    patterns = [{ match = '^tax \\d+ ', field = "ignore" }]   # regex on header keys
    kept_raw = ["Tax Exempt"]            # known, not imported (the raw row keeps it)
    note = "What is odd about this export."

    [preset.columns]                     # header as the vendor writes it -> field
    "Customer ID" = "external_id"
    "Email" = "email"

Optional settings: ``file_name`` (``{ match = '<regex>', example = "<name>" }``: the
preset is only this format's file when the regular expression is found in the header key
of the file's name without its extension; for exports whose files share a header and only
their names tell apart; never taken from a base), ``constants`` (field -> value every row gets),
``strip_type_prefixes``, ``group_rows_by`` (a field), ``row_event`` (``type``,
``summary``, ``fallback``) and ``base``: the key of an earlier preset in the same
file whose settings this one starts from.  With a base, ``columns``,
``kept_raw`` and ``patterns`` come before the base's (a header named in both is
the derived preset's), and every other setting given replaces the base's.

A file that is not valid TOML, names an unknown setting or field, has a value
of the wrong type, lacks a required setting, lists a header twice, has a
signature header the preset does not know, or repeats another preset's key is
refused with a :class:`PresetFileError` naming the file and the setting: a
mistake never drops a preset or a column silently.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from types import MappingProxyType
from typing import Any

from omnidesk.core import paths
from omnidesk.core.errors import UserError
from omnidesk.core.importing.fields import CHANNELS, FIELDS_BY_NAME, IGNORE, Kind
from omnidesk.core.importing.headers import header_key

__all__ = [
    "PRESETS_FOLDER",
    "SYNONYMS_FILE",
    "Preset",
    "FileName",
    "PresetFileError",
    "RowEvent",
    "load_header_synonyms",
    "load_preset_file",
    "load_presets",
]

# Inside resources/.
PRESETS_FOLDER = "presets"
SYNONYMS_FILE = "header_synonyms.toml"


def _frozen_mapping(mapping: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class RowEvent:
    """The event every row of a list of people also is (a lead form sent, a registration).

    ``summary`` is formatted with the row's campaign (the form, the event's name);
    ``fallback`` is the summary of a row without one.
    """

    type: str
    summary: str
    fallback: str


@dataclass(frozen=True)
class FileName:
    """What a file's name must say for a preset to be its format (see ``Preset.file_name``):
    ``match`` is searched in the header key of the name without its extension, ``example``
    is the name as the vendor writes it, for messages."""

    match: str
    example: str

    def says(self, file_name: str) -> bool:
        return re.search(self.match, header_key(PurePath(file_name or "").stem)) is not None


@dataclass(frozen=True)
class Preset:
    """One known export format.

    ``signature`` and the keys of ``columns`` are header keys.  When two
    columns of a file feed the same single-value field, the one listed earlier
    in ``columns`` wins (then the earlier column of the file); ``patterns``
    (regular expressions searched in a header key) come after all columns.
    Columns the preset does not know go to the generic guesser.
    """

    key: str
    label: str
    vendor: str
    channel: str
    kind: Kind
    signature: frozenset[str]
    columns: Mapping[str, str]
    patterns: tuple[tuple[str, str], ...] = ()
    constants: Mapping[str, str] = field(default_factory=_frozen_mapping)
    strip_type_prefixes: bool = False
    group_rows_by: str | None = None
    # A list of people whose every row is also something they did.
    row_event: RowEvent | None = None
    note: str = ""
    # Files of this format with another header-alike sibling: only the name tells them apart.
    file_name: FileName | None = None

    def __post_init__(self) -> None:
        # A typo in a field name would silently drop a column, so refuse it
        # when the preset is made (the file loader says which file first).
        if self.channel not in CHANNELS:
            raise ValueError(f"preset {self.key}: unknown channel {self.channel!r}")
        if not self.signature:
            raise ValueError(f"preset {self.key}: empty signature")
        for key in self.signature:
            if key != header_key(key):
                raise ValueError(f"preset {self.key}: signature {key!r} is not a header key")
        for key, name in self.columns.items():
            if key != header_key(key):
                raise ValueError(f"preset {self.key}: column {key!r} is not a header key")
            _check_field(self.key, name)
        for pattern, name in self.patterns:
            re.compile(pattern)
            _check_field(self.key, name)
        for name in self.constants:
            _check_field(self.key, name)
        if self.group_rows_by is not None:
            _check_field(self.key, self.group_rows_by)
        if not isinstance(self.columns, MappingProxyType):
            object.__setattr__(self, "columns", _frozen_mapping(self.columns))
        if not isinstance(self.constants, MappingProxyType):
            object.__setattr__(self, "constants", _frozen_mapping(self.constants))

    def __hash__(self) -> int:
        return hash(self.key)

    def system_columns(self, header: Sequence[str]) -> set[int]:
        """The columns this format's vendor fills for itself (ad ids, ratings, change stamps).

        Those a preset names as known but not imported: they say nothing a shop
        owner asked about the person, so they stay in the raw row and are not
        kept as custom fields.  Columns the preset does not know (a form's
        questions, a metafield) and those only a pattern ignores are the
        business's own, and are kept.
        """
        return {i for i, h in enumerate(header) if self.columns.get(header_key(h)) == IGNORE}


def _check_field(preset: str, name: str) -> None:
    if name != IGNORE and name not in FIELDS_BY_NAME:
        raise ValueError(f"preset {preset}: unknown field {name!r}")


class PresetFileError(UserError, ValueError):
    """A preset or synonym file that cannot be used as written; the message names the file.

    A user error: whoever edited the file can fix it, and the command line says
    it in one line rather than a traceback.
    """

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


def load_presets(folder: Path | None = None) -> tuple[Preset, ...]:
    """Every preset of the ``*.toml`` files in ``folder`` (``resources/presets`` by default).

    Files are read in name order, and each file's presets in their order: when
    two signatures of the same size both match a file, the earlier preset wins.
    Raises :class:`PresetFileError` for the first bad file, for a key two
    presets share, and for a folder with no preset file at all.
    """
    folder = paths.resource_path(PRESETS_FOLDER) if folder is None else Path(folder)
    files = sorted(folder.glob("*.toml"), key=lambda p: p.name)
    if not files:
        raise PresetFileError(folder, "no preset files (*.toml) in this folder")
    presets: list[Preset] = []
    defined_in: dict[str, Path] = {}
    for path in files:
        for preset in load_preset_file(path):
            if preset.key in defined_in:
                raise PresetFileError(
                    path, f"preset {preset.key!r}: key already used in {defined_in[preset.key].name}"
                )
            defined_in[preset.key] = path
            presets.append(preset)
    return tuple(presets)


_FILE_SETTINGS = {"vendor", "preset"}
_PRESET_SETTINGS = {
    "key", "base", "label", "channel", "kind", "signature", "columns", "kept_raw", "patterns",
    "constants", "strip_type_prefixes", "group_rows_by", "row_event", "note", "file_name",
}
_REQUIRED = ("label", "channel", "kind", "signature")
_KEY = re.compile(r"[a-z][a-z0-9_]*")


def load_preset_file(path: Path) -> list[Preset]:
    """The presets of one vendor file, checked; see the module docstring for its format."""
    path = Path(path)
    data = _read_toml(path)
    _only(path, "file", data, _FILE_SETTINGS)
    vendor = data.get("vendor")
    if not isinstance(vendor, str) or not vendor.strip():
        raise PresetFileError(path, "vendor: required, a non-empty string")
    entries = data.get("preset")
    if not isinstance(entries, list) or not entries:
        raise PresetFileError(path, "preset: required, one or more [[preset]] tables")
    resolved: dict[str, dict[str, Any]] = {}
    presets: list[Preset] = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise PresetFileError(path, f"preset #{number}: must be a [[preset]] table")
        key = entry.get("key")
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise PresetFileError(
                path, f"preset #{number}: key: required, lower-case letters, digits and _ (got {key!r})"
            )
        where = f"preset {key!r}"
        if key in resolved:
            raise PresetFileError(path, f"{where}: key used twice in this file")
        _only(path, where, entry, _PRESET_SETTINGS)
        settings = _resolve(path, where, entry, resolved)
        resolved[key] = settings
        presets.append(_build(path, where, vendor.strip(), settings))
    return presets


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PresetFileError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise PresetFileError(path, f"cannot be read ({exc.strerror or exc})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PresetFileError(path, f"not valid TOML: {exc}") from None


def _only(path: Path, where: str, table: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = [k for k in table if k not in allowed]
    if unknown:
        raise PresetFileError(
            path, f"{where}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(allowed))})"
        )


def _resolve(
    path: Path, where: str, entry: Mapping[str, Any], earlier: Mapping[str, dict[str, Any]]
) -> dict[str, Any]:
    """The preset's settings with its base's filled in; column settings as lists of pairs."""
    own = {k: v for k, v in entry.items() if k != "base"}
    own["columns"] = _column_pairs(path, where, own.get("columns", {}), own.get("kept_raw", []))
    own.pop("kept_raw", None)
    own["patterns"] = _patterns(path, where, own.get("patterns", []))
    base_key = entry.get("base")
    if base_key is None:
        settings = own
    else:
        if not isinstance(base_key, str) or base_key not in earlier:
            raise PresetFileError(
                path, f"{where}: base: {base_key!r} is not a preset defined above it in this file"
            )
        # Which file of a format a name says is the base's own, never its derived presets'.
        inherited = {k: v for k, v in earlier[base_key].items() if k != "file_name"}
        settings = {**inherited, **own}
        # Column settings (kept_raw is among the columns by now) extend the base's.
        for name in ("columns", "patterns"):
            settings[name] = own[name] + earlier[base_key][name]
    for name in _REQUIRED:
        if name not in settings:
            raise PresetFileError(path, f"{where}: {name}: required")
    return settings


def _column_pairs(path: Path, where: str, columns: Any, kept_raw: Any) -> list[tuple[str, str]]:
    if not isinstance(columns, dict):
        raise PresetFileError(path, f"{where}: columns: must be a table of header = field")
    if not isinstance(kept_raw, list) or not all(isinstance(h, str) for h in kept_raw):
        raise PresetFileError(path, f"{where}: kept_raw: must be a list of header strings")
    listed = [(f"columns.{header!r}", header, name) for header, name in columns.items()]
    listed += [("kept_raw", header, IGNORE) for header in kept_raw]
    first: dict[str, str] = {}
    for setting, header, name in listed:
        if not isinstance(name, str):
            raise PresetFileError(path, f"{where}: {setting}: the field must be a string, not {name!r}")
        _field(path, f"{where}: {setting}", name)
        key = header_key(header)
        if not key:
            raise PresetFileError(path, f"{where}: {setting}: header {header!r} has no letters or digits")
        if key in first:
            raise PresetFileError(
                path, f"{where}: {setting}: header {header!r} is listed twice (also as {first[key]!r})"
            )
        first[key] = header
    return [(header, name) for _, header, name in listed]


def _patterns(path: Path, where: str, patterns: Any) -> list[tuple[str, str]]:
    if not isinstance(patterns, list):
        raise PresetFileError(path, f"{where}: patterns: must be a list of {{ match, field }} tables")
    result = []
    for number, item in enumerate(patterns, start=1):
        at = f"{where}: patterns #{number}"
        if not isinstance(item, dict) or set(item) != {"match", "field"}:
            raise PresetFileError(path, f"{at}: must be {{ match = '<regex>', field = '<field>' }}")
        match, name = item["match"], item["field"]
        if not isinstance(match, str) or not isinstance(name, str):
            raise PresetFileError(path, f"{at}: match and field must be strings")
        try:
            re.compile(match)
        except re.error as exc:
            raise PresetFileError(path, f"{at}: match {match!r} is not a regular expression ({exc})") from None
        _field(path, at, name)
        result.append((match, name))
    return result


def _field(path: Path, where: str, name: str) -> None:
    if name != IGNORE and name not in FIELDS_BY_NAME:
        raise PresetFileError(path, f"{where}: unknown field {name!r}")


def _string(path: Path, where: str, value: Any, *, required: bool = True) -> str:
    if not isinstance(value, str) or (required and not value.strip()):
        raise PresetFileError(path, f"{where}: must be a non-empty string, not {value!r}")
    return value


def _build(path: Path, where: str, vendor: str, settings: Mapping[str, Any]) -> Preset:
    label = _string(path, f"{where}: label", settings["label"])
    channel = _string(path, f"{where}: channel", settings["channel"])
    if channel not in CHANNELS:
        raise PresetFileError(path, f"{where}: channel: unknown channel {channel!r} (known: {', '.join(CHANNELS)})")
    kind_name = settings["kind"]
    if kind_name not in {k.value for k in Kind}:
        raise PresetFileError(path, f"{where}: kind: must be \"contacts\" or \"events\", not {kind_name!r}")

    columns: dict[str, str] = {}
    for header, name in settings["columns"]:
        # A derived preset's own columns come first, so they win over its base's.
        columns.setdefault(header_key(header), name)

    signature = settings["signature"]
    if not isinstance(signature, list) or not signature or not all(isinstance(h, str) for h in signature):
        raise PresetFileError(path, f"{where}: signature: must be a non-empty list of header strings")
    for header in signature:
        if header_key(header) not in columns:
            raise PresetFileError(
                path, f"{where}: signature: header {header!r} is not among the preset's columns or kept_raw"
            )

    constants = settings.get("constants", {})
    if not isinstance(constants, dict):
        raise PresetFileError(path, f"{where}: constants: must be a table of field = value")
    for name, value in constants.items():
        _field(path, f"{where}: constants", name)
        _string(path, f"{where}: constants.{name}", value)

    strip = settings.get("strip_type_prefixes", False)
    if not isinstance(strip, bool):
        raise PresetFileError(path, f"{where}: strip_type_prefixes: must be true or false, not {strip!r}")
    group_rows_by = settings.get("group_rows_by")
    if group_rows_by is not None:
        _field(path, f"{where}: group_rows_by", _string(path, f"{where}: group_rows_by", group_rows_by))
    note = _string(path, f"{where}: note", settings.get("note", ""), required=False)

    return Preset(
        key=settings["key"],
        label=label,
        vendor=vendor,
        channel=channel,
        kind=Kind(kind_name),
        signature=frozenset(header_key(h) for h in signature),
        columns=columns,
        patterns=tuple(settings["patterns"]),
        constants=constants,
        strip_type_prefixes=strip,
        group_rows_by=group_rows_by,
        row_event=_row_event(path, where, settings.get("row_event")),
        note=note,
        file_name=_file_name(path, where, settings.get("file_name")),
    )


def _file_name(path: Path, where: str, value: Any) -> FileName | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise PresetFileError(path, f"{where}: file_name: must be a table {{ match, example }}")
    _only(path, f"{where}: file_name", value, {"match", "example"})
    match = _string(path, f"{where}: file_name.match", value.get("match"))
    example = _string(path, f"{where}: file_name.example", value.get("example"))
    try:
        re.compile(match)
    except re.error as exc:
        raise PresetFileError(path, f"{where}: file_name.match {match!r} is not a regular expression ({exc})") from None
    return FileName(match, example)


def _row_event(path: Path, where: str, value: Any) -> RowEvent | None:
    if value is None:
        return None
    names = ("type", "summary", "fallback")
    if not isinstance(value, dict):
        raise PresetFileError(path, f"{where}: row_event: must be a table {{ type, summary, fallback }}")
    _only(path, f"{where}: row_event", value, set(names))
    return RowEvent(*(_string(path, f"{where}: row_event.{name}", value.get(name)) for name in names))


def load_header_synonyms(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """The generic guesser's synonyms: field (or ``ignore``) -> phrases, in file order.

    ``resources/header_synonyms.toml`` by default.  A phrase starting with
    ``~`` is weak.  Raises :class:`PresetFileError` for an unknown field, a
    value that is not a list of phrases, a phrase with no letters or digits,
    and a phrase (or the same words run together) listed for two fields.
    """
    path = paths.resource_path(SYNONYMS_FILE) if path is None else Path(path)
    data = _read_toml(path)
    table: dict[str, tuple[str, ...]] = {}
    meaning: dict[str, tuple[str, str]] = {}
    for name, phrases in data.items():
        _field(path, name, name)
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            raise PresetFileError(path, f"{name}: must be a list of phrases (strings)")
        for raw in phrases:
            key = header_key(raw.lstrip("~"))
            if not key:
                raise PresetFileError(path, f"{name}: phrase {raw!r} has no letters or digits")
            for variant in _variants(key):
                other = meaning.setdefault(variant, (name, raw))
                if other[0] != name:
                    raise PresetFileError(
                        path, f"{name}: phrase {raw!r} already means {other[0]} (as {other[1]!r})"
                    )
        table[name] = tuple(phrases)
    if not table:
        raise PresetFileError(path, "no synonyms in this file")
    return table


def _variants(key: str) -> Iterable[str]:
    """The forms a phrase is looked up by: as written, and with its words run together."""
    return dict.fromkeys((key, key.replace(" ", "")))
