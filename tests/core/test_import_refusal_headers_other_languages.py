"""A German "Newsletter-Abmeldung" (newsletter unsubscription) and a Spanish "Desuscrito"
(unsubscribed) column say who unsubscribed: their "Ja" and "Sí" unsubscribe.  They were read
as typos of the consent headers "Newsletter Anmeldung" and "Suscrito", so an unsubscribe became
a yes.  Played through the command line with the files as Excel writes them in Germany (UTF-8
with BOM, semicolons) and Spain (cp1252), at a set clock."""

from __future__ import annotations

import csv
import json

import pytest

from omnidesk.core.importing.column_guess import guess_mapping
from tests.helpers import cli_at, exported_packs, write_csv

NY = "America/New_York"
PLAN = {"name": "N", "audience": "everyone", "mode": "each_channel",
        "message": {"headline": "Sale", "body": "Sale", "cta": "Shop", "link": "https://harbor.example/s"},
        "steps": [{"channel": "email", "at": "2027-03-01T12:00", "timezone": NY}]}
SHOP = ["Email", "First Name", "Accepts Email Marketing"]


_cli = cli_at  # a command at a set clock, which must succeed


def _consents(capsys, tmp_path, ws) -> dict[str, str]:
    _cli(capsys, ws, "export", "customers", tmp_path / "c.csv", "--force", "--columns", "email,consent_email")
    with (tmp_path / "c.csv").open(encoding="utf-8-sig", newline="") as fh:
        return {r["email"]: r["consent_email"] for r in csv.DictReader(fh)}


def _email_pack(capsys, tmp_path, ws) -> str:
    packs, _said = exported_packs(capsys, ws, tmp_path, PLAN)
    return packs["email"].read_text(encoding="utf-8-sig")


def test_a_german_newsletter_unsubscription_column_unsubscribes(tmp_path, capsys):
    ws = tmp_path / "shop.omnidesk"
    _cli(capsys, ws, "import", write_csv(tmp_path / "shop.csv", SHOP, [["jonas@example.de", "Jonas", "yes"],
                                                                      ["lea@example.de", "Lea", "yes"]]),
         "--channel", "shop", at="2027-01-10 15:00:00Z")
    german = write_csv(tmp_path / "kunden.csv", ["Kundennummer", "Vorname", "Nachname", "E-Mail",
                                                  "Newsletter-Abmeldung", "Abgemeldet am"],
                       [["2001", "Jonas", "Becker", "jonas@example.de", "Ja", "14.01.2027"],
                        ["2002", "Lea", "Wolf", "lea@example.de", "Nein", ""]],
                       encoding="utf-8-sig", delimiter=";")
    _cli(capsys, ws, "import", german, "--region", "DE")
    assert _consents(capsys, tmp_path, ws) == {"jonas@example.de": "unsubscribed", "lea@example.de": "granted"}
    pack = _email_pack(capsys, tmp_path, ws)
    assert "lea@example.de" in pack and "jonas@example.de" not in pack


def test_a_spanish_unsubscribed_column_unsubscribes(tmp_path, capsys):
    ws = tmp_path / "tienda.omnidesk"
    _cli(capsys, ws, "import", write_csv(tmp_path / "shop.csv", SHOP, [["lucia@example.es", "Lucía", "yes"],
                                                                      ["pablo@example.es", "Pablo", "yes"]]),
         "--channel", "shop", at="2027-01-10 15:00:00Z")
    spanish = write_csv(tmp_path / "clientes.csv", ["Nombre", "Apellidos", "Correo electrónico", "Teléfono",
                                                    "Desuscrito"],
                        [["Lucía", "Martín", "lucia@example.es", "612 345 678", "Sí"],
                         ["Pablo", "Ruiz", "pablo@example.es", "623 456 789", "No"]], encoding="cp1252")
    _cli(capsys, ws, "import", spanish, "--region", "ES")
    assert _consents(capsys, tmp_path, ws) == {"lucia@example.es": "unsubscribed", "pablo@example.es": "granted"}
    pack = _email_pack(capsys, tmp_path, ws)
    assert "pablo@example.es" in pack and "lucia@example.es" not in pack


@pytest.mark.parametrize("header", [
    "Newsletter Abmeldung", "Newsletter abgemeldet", "Abmeldung", "Desuscrito", "Desuscripción", "Dado de baja",
    "Baja newsletter", "Désinscription", "Désabonné", "Nieuwsbrief afmelding", "Afgemeld", "Disiscritto",
    "Descadastrado",
])
def test_an_unsubscription_header_is_never_read_as_consent(header):
    """The refusals in the languages whose consent headers are mapped are email opt-outs, never
    a mistyped consent header."""
    (guess,) = guess_mapping([header])
    assert guess.field == "no_email", (header, guess)


@pytest.mark.parametrize("header", ["Cancellato", "Cancelado", "Newsletter Abmeldng", "Newsletter Abmeldun"])
def test_a_refusal_that_names_nothing_is_no_consent(header):
    """A refusal that names no consent, or is mistyped beyond knowing, is no consent either: the
    letters that make a refusal ("ab" for "an", "af" for "aan") are never a typo."""
    (guess,) = guess_mapping([header])
    assert guess.field not in ("consent_email", "consent_sms", "consent_whatsapp"), (header, guess)


def test_a_workspace_an_older_version_read_it_for_consent_is_read_again(tmp_path, capsys):
    """A workspace whose "Newsletter-Abmeldung" an older version took for a yes reads that column
    again when opened, once: Jonas's "Ja" unsubscribes him."""
    import sqlite3

    from sqlalchemy import create_engine

    from omnidesk.core.identity.golden import refresh_all
    from omnidesk.core.importing.backfill import CONSENT_READERS_SETTING

    ws = tmp_path / "shop.omnidesk"
    _cli(capsys, ws, "import", write_csv(tmp_path / "shop.csv", SHOP, [["jonas@example.de", "Jonas", "yes"]]),
         "--channel", "shop", at="2027-01-10 15:00:00Z")
    german = write_csv(tmp_path / "kunden.csv", ["Kundennummer", "Vorname", "E-Mail", "Newsletter-Abmeldung"],
                       [["2001", "Jonas", "jonas@example.de", "Ja"]], encoding="utf-8-sig", delimiter=";")
    _cli(capsys, ws, "import", german, "--region", "DE")
    with sqlite3.connect(ws) as db:  # as version 5 left it: the column read as email consent, a yes
        (bid,) = db.execute("SELECT id FROM import_batch WHERE file_name = 'kunden.csv'").fetchone()
        db.execute("UPDATE import_batch SET mapping_json = ? WHERE id = ?",
                   (json.dumps(["external_id", "first_name", "email", "consent_email"]), bid))
        db.execute("UPDATE consent SET status = 'granted' WHERE record_id IN "
                   "(SELECT id FROM source_record WHERE batch_id = ?)", (bid,))
        db.execute("UPDATE setting SET value = '5' WHERE key = ?", (CONSENT_READERS_SETTING,))
    engine = create_engine(f"sqlite:///{ws}")
    with engine.begin() as conn:
        refresh_all(conn)
    engine.dispose()
    said = _cli(capsys, ws, "export", "customers", tmp_path / "c.csv", "--force", "--columns", "email,consent_email")
    assert "Consent re-read from your imported files: 1 customer now opted out." in said
    assert _consents(capsys, tmp_path, ws) == {"jonas@example.de": "unsubscribed"}
