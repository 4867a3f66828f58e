"""Presets and header synonyms as data files: the shipped files, a new vendor, and bad files.

A new vendor layout is a TOML file in resources/presets/ and a test like
``test_a_new_vendor_layout_is_a_data_file`` below; a file with a mistake in it is
refused with the file and the setting named, never half read.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from omnidesk.core import paths
from omnidesk.core.importing import preset_data
from omnidesk.core.importing.fields import IGNORE, Kind
from omnidesk.core.importing.preset_data import (
    PresetFileError,
    load_header_synonyms,
    load_preset_file,
    load_presets,
)
from omnidesk.core.importing.presets import (
    PRESETS,
    detect_preset,
    guess_channel,
    guess_kind,
    guess_mapping,
    header_key,
    mapping_fields,
)
from omnidesk.core.importing.sniff import sniff
from tests.helpers import write_csv

SHIPPED = paths.resource_path("presets")

# A loyalty-card app's member export: a layout no shipped preset knows.
ACME = """\
vendor = "Acme Loyalty"

[[preset]]
key = "acme_members"
label = "Acme Loyalty members export"
channel = "pos"
kind = "contacts"
signature = ["Member No", "Card Tier", "Points Balance"]
kept_raw = ["Card Tier", "Points Balance"]
note = "One row per card holder."

[preset.columns]
"Member No" = "external_id"
"Given" = "first_name"
"Family" = "last_name"
"E-Mail" = "email"
"Mobile" = "phone"
"Joined" = "created_at"
"""
ACME_HEADER = ["Member No", "Given", "Family", "E-Mail", "Mobile", "Joined", "Card Tier", "Points Balance"]


def test_the_shipped_files_are_what_the_import_uses():
    assert load_presets() == PRESETS
    assert load_presets(SHIPPED) == PRESETS
    names = sorted(p.name for p in SHIPPED.glob("*.toml"))
    assert len(names) == 18
    vendors = {tomllib.loads((SHIPPED / name).read_text(encoding="utf-8"))["vendor"] for name in names}
    assert vendors == {p.vendor for p in PRESETS}
    # File-name order, then each file's order.
    assert [p.key for p in PRESETS[:3]] == ["brevo_contacts", "eventbrite_attendees", "google_contacts"]


def test_a_new_vendor_layout_is_a_data_file(tmp_path):
    folder = tmp_path / "presets"
    shutil.copytree(SHIPPED, folder)
    (folder / "acme.toml").write_text(ACME, encoding="utf-8")
    presets = load_presets(folder)
    assert len(presets) == len(PRESETS) + 1

    members = write_csv(tmp_path / "members.csv", ACME_HEADER, [
        ["A-1001", "Léa", "Martin", "lea@example.fr", "+33 6 12 34 56 78", "2024-03-01", "Gold", "1200"],
    ])
    fmt = sniff(members)
    assert detect_preset(fmt.header) is None  # the shipped presets do not know it
    preset = detect_preset(fmt.header, presets)
    assert preset is not None and preset.key == "acme_members"
    assert (preset.vendor, preset.label, preset.kind) == ("Acme Loyalty", "Acme Loyalty members export", Kind.CONTACTS)
    guesses = guess_mapping(fmt.header, preset)
    assert mapping_fields(guesses) == [
        "external_id", "first_name", "last_name", "email", "phone", "created_at", IGNORE, IGNORE,
    ]
    assert all(g.reason.startswith("preset Acme Loyalty members") for g in guesses)
    assert guess_kind(mapping_fields(guesses), preset) is Kind.CONTACTS
    assert guess_channel("members.csv", fmt.header, preset) == "pos"
    # Its bookkeeping columns stay in the raw row, not custom fields.
    assert preset.system_columns(fmt.header) == {6, 7}


def test_a_derived_preset_puts_its_own_columns_first(tmp_path):
    path = tmp_path / "mailchimp.toml"
    shutil.copy(SHIPPED / "mailchimp.toml", path)
    members, subscribed, nonsubscribed, unsubscribed, cleaned = load_preset_file(path)
    # Unsubscribed keeps the shared columns, adds its own, and reads CONFIRM_TIME as raw.
    assert unsubscribed.columns["email address"] == subscribed.columns["email address"] == "email"
    assert unsubscribed.columns["unsub time"] == "unsubscribed_at"
    assert subscribed.columns["confirm time"] == "consent_at"
    assert unsubscribed.columns["confirm time"] == cleaned.columns["confirm time"] == IGNORE
    assert list(unsubscribed.columns)[0] == "unsub time"
    # Settings it gives replace the base's; the rest are the base's.
    assert dict(unsubscribed.constants) == {"consent_email": "unsubscribed"}
    assert (unsubscribed.channel, unsubscribed.kind) == (subscribed.channel, subscribed.kind)
    assert unsubscribed.signature == subscribed.signature | {"unsub time"}
    # Which file a name says is the preset's own: the base's is not inherited.
    assert members.file_name is None and unsubscribed.file_name is None and cleaned.file_name is None
    assert subscribed.file_name.says("subscribed_members_export_3f2a91c0de.csv")
    assert not subscribed.file_name.says("nonsubscribed_members_export_3f2a91c0de.csv")
    assert nonsubscribed.file_name.says("nonsubscribed_members_export_3f2a91c0de.csv")


def test_header_synonyms_come_from_their_file():
    table = load_header_synonyms()
    assert table == load_header_synonyms(paths.resource_path("header_synonyms.toml"))
    assert "Имя" in table["first_name"] and "~Contact" in table["full_name"]
    assert "Lead status" in table[IGNORE]
    got = {g.header: g for g in guess_mapping(["Имя", "Courriel", "Lead status"])}
    assert got["Имя"].field == "first_name" and got["Имя"].reason == f"synonym '{header_key('Имя')}'"
    assert got["Courriel"].field == "email"
    assert got["Lead status"].field == IGNORE


# Each bad file is the ACME file with one change; the error names the file and the setting.
BAD_PRESETS = [
    ("unknown setting", ('note = "', 'notes = "'), "unknown setting 'notes'"),
    ("unknown file setting", ('vendor = "Acme Loyalty"', 'vendor = "Acme Loyalty"\nversion = 2'),
     "file: unknown setting 'version'"),
    ("unknown field", ('"Mobile" = "phone"', '"Mobile" = "mobile"'), "columns.'Mobile': unknown field 'mobile'"),
    ("field of the wrong type", ('"Mobile" = "phone"', '"Mobile" = 7'), "columns.'Mobile': the field must be a string"),
    ("signature not a list", ('signature = ["Member No", "Card Tier", "Points Balance"]', 'signature = "Member No"'),
     "signature: must be a non-empty list"),
    ("flag not a boolean", ('note = "', 'strip_type_prefixes = "yes"\nnote = "'),
     "strip_type_prefixes: must be true or false"),
    ("missing channel", ('channel = "pos"\n', ""), "preset 'acme_members': channel: required"),
    ("missing vendor", ('vendor = "Acme Loyalty"', ""), "vendor: required"),
    ("missing key", ('key = "acme_members"\n', ""), "preset #1: key: required"),
    ("unknown channel", ('channel = "pos"', 'channel = "till"'), "channel: unknown channel 'till'"),
    ("unknown kind", ('kind = "contacts"', 'kind = "people"'), "kind: must be \"contacts\" or \"events\""),
    ("header listed twice", ('kept_raw = ["Card Tier", "Points Balance"]', 'kept_raw = ["Card Tier", "Points Balance", "E-mail"]'),
     "kept_raw: header 'E-mail' is listed twice (also as 'E-Mail')"),
    ("signature header unknown", ('"Points Balance"]\nkept_raw', '"Points"]\nkept_raw'),
     "signature: header 'Points' is not among the preset's columns"),
    ("bad regular expression", ('note = "', "patterns = [{ match = '(unclosed', field = \"ignore\" }]\nnote = \""),
     "patterns #1: match '(unclosed' is not a regular expression"),
    ("pattern with a stray setting", ('note = "', "patterns = [{ match = 'x', field = \"ignore\", why = 1 }]\nnote = \""),
     "patterns #1: must be { match"),
    ("unknown base", ('key = "acme_members"', 'key = "acme_members"\nbase = "acme_cards"'),
     "base: 'acme_cards' is not a preset defined above it"),
    ("row event lacking a setting", ('note = "', 'row_event = { type = "visit", summary = "Visited {}" }\nnote = "'),
     "row_event.fallback: must be a non-empty string"),
    ("not TOML", ('"Mobile" = "phone"', '"Mobile" = phone'), "not valid TOML"),
]


@pytest.mark.parametrize(("change", "expected"), [b[1:] for b in BAD_PRESETS], ids=[b[0] for b in BAD_PRESETS])
def test_a_bad_preset_file_is_refused_naming_file_and_setting(tmp_path, change, expected):
    old, new = change
    assert old in ACME
    path = tmp_path / "acme.toml"
    path.write_text(ACME.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PresetFileError) as excinfo:
        load_preset_file(path)
    message = str(excinfo.value)
    assert message.startswith(f"{path}: "), message
    assert expected in message, message
    assert excinfo.value.path == path


def test_a_key_used_twice_is_refused(tmp_path):
    twice = ACME + "\n" + ACME[ACME.index("[[preset]]"):].replace("Acme Loyalty members export", "Other")
    (tmp_path / "acme.toml").write_text(twice, encoding="utf-8")
    with pytest.raises(PresetFileError, match=r"acme\.toml: preset 'acme_members': key used twice in this file"):
        load_preset_file(tmp_path / "acme.toml")

    folder = tmp_path / "presets"
    shutil.copytree(SHIPPED, folder)
    clash = ACME.replace('key = "acme_members"', 'key = "shopify_orders"')
    (folder / "acme.toml").write_text(clash, encoding="utf-8")
    with pytest.raises(PresetFileError, match=r"shopify\.toml: preset 'shopify_orders': key already used in acme\.toml"):
        load_presets(folder)


def test_one_bad_file_stops_the_load_rather_than_dropping_its_presets(tmp_path):
    folder = tmp_path / "presets"
    shutil.copytree(SHIPPED, folder)
    (folder / "acme.toml").write_text(ACME.replace('"Mobile" = "phone"', '"Mobile" = "mobile"'), encoding="utf-8")
    with pytest.raises(PresetFileError, match="acme.toml"):
        load_presets(folder)
    (folder / "acme.toml").write_bytes(ACME.encode("utf-16"))
    with pytest.raises(PresetFileError, match="acme.toml: not UTF-8 text"):
        load_presets(folder)


def test_a_folder_without_presets_is_refused(tmp_path):
    with pytest.raises(PresetFileError, match="no preset files"):
        load_presets(tmp_path)


def _synonyms(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "header_synonyms.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "expected"), [
    ('email = ["Email"]\nemial = ["Mail"]\n', "emial: unknown field 'emial'"),
    ('email = "Email"\n', "email: must be a list of phrases"),
    ('email = ["Email", 3]\n', "email: must be a list of phrases"),
    ('email = ["Email", "--"]\n', "email: phrase '--' has no letters or digits"),
    ('email = ["E-mail"]\nphone = ["~Email"]\n', "phone: phrase '~Email' already means email (as 'E-mail')"),
    ('email = ["Mail address"]\nphone = ["Mailaddress"]\n', "phone: phrase 'Mailaddress' already means email"),
    ("", "no synonyms"),
])
def test_a_bad_synonym_file_is_refused(tmp_path, text, expected):
    path = _synonyms(tmp_path, text)
    with pytest.raises(PresetFileError) as excinfo:
        load_header_synonyms(path)
    assert str(excinfo.value).startswith(f"{path}: {expected}"), str(excinfo.value)


def test_presets_and_synonyms_are_read_from_the_resources_dir(monkeypatch, tmp_path):
    # The same files wherever resources are (a checkout, an installed package, a bundle).
    shutil.copytree(paths.resources_dir() / "presets", tmp_path / "resources" / "presets")
    _synonyms(tmp_path / "resources", 'email = ["Courriel"]\n')
    monkeypatch.setattr(paths, "resources_dir", lambda: tmp_path / "resources")
    assert load_presets() == PRESETS
    assert load_header_synonyms() == {"email": ("Courriel",)}
    assert preset_data.PRESETS_FOLDER == "presets" and preset_data.SYNONYMS_FILE == "header_synonyms.toml"


def test_guesses_name_the_same_phrase_whatever_the_string_hashing():
    # "Address 1" and "Address1" mean one field; which of them a reordered header is
    # said to match once changed with PYTHONHASHSEED.
    script = (
        "from omnidesk.core.importing.presets import guess_mapping;"
        "print(guess_mapping(['1 Address'])[0].reason)"
    )
    reasons = {
        subprocess.run(
            [sys.executable, "-c", script], env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        for seed in ("1", "2", "3")
    }
    assert reasons == {"synonym 'address1'"}
