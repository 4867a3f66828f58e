"""A custom field kept under an older spelling of its name is the same field as today's.

An older version kept a file's header as it came: Ann's "Favourite  colour" (two spaces) is
"blue".  The owner types "red" under "Favourite colour", or a file imported today says "green"
under it.  Tokens name both spellings alike (spaces collapsed, case folded), and the card's rule
is the one every place follows: the value typed by hand first, else the newest file's.  So the
preview, the check, the email pack and the card all give today's value, never the older
spelling's only because it sorts first.
"""

from __future__ import annotations

import sqlite3

from omnidesk.core.campaigns.export import email_rows
from omnidesk.core.edits import set_custom_field
from omnidesk.core.messages import tokens
from omnidesk.core.messages.personal import customer_values
from omnidesk.core.profile import customer_profile
from omnidesk.core.workspace import Workspace
from tests.helpers import cli_at, write_csv

HEADER = ["First Name", "Email", "Favourite colour"]
BODY = "Your colour: {custom.Favourite colour}"


def _ann_with_the_older_spelling(tmp_path, capsys):
    """Ann's "blue", stored under the header as an older version kept it: two spaces."""
    ws = tmp_path / "shop.omnidesk"
    cli_at(capsys, ws, "import", write_csv(tmp_path / "c.csv", HEADER, [["Ann", "ann@example.com", "blue"]]),
           "--region", "US")
    db = sqlite3.connect(ws)
    with db:
        db.execute("UPDATE custom_field SET name = 'Favourite  colour'")
        (cid,) = db.execute("SELECT id FROM customer").fetchone()
    db.close()
    return ws, cid


def _card_colour(opened, cid) -> list[str]:
    shown = customer_profile(opened, cid)
    return [f.display() for f in shown.custom_fields if tokens.custom_key(f.name) == "favourite colour"]


def test_a_value_typed_by_hand_fills_the_token_over_the_older_spelling(tmp_path, capsys):
    ws, cid = _ann_with_the_older_spelling(tmp_path, capsys)
    with Workspace.open(ws) as opened:
        set_custom_field(opened, cid, "Favourite colour", "red")
        values = customer_values(opened, [cid])[cid]
        (row,) = list(email_rows(opened, [cid], {"subject": "Hi", "preheader": "", "body": BODY}, {}, "Shop"))
        card = _card_colour(opened, cid)
    assert values["custom.favourite colour"] == "red"
    assert tokens.render(BODY, values) == "Your colour: red"
    assert list(row.fields.values()) == ["red"]
    assert card == ["red"]


def test_a_newer_files_value_fills_the_token_over_the_older_spelling(tmp_path, capsys):
    ws, cid = _ann_with_the_older_spelling(tmp_path, capsys)
    cli_at(capsys, ws, "import", write_csv(tmp_path / "d.csv", HEADER, [["Ann", "ann@example.com", "green"]]),
           "--region", "US")
    with Workspace.open(ws) as opened:
        values = customer_values(opened, [cid])[cid]
        card = _card_colour(opened, cid)
    assert values["custom.favourite colour"] == "green"
    assert card == ["green"]
