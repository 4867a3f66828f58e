"""How names are read (furigana, phonetic names): imported as facts of their own and used by matching.

A Japanese shop has one customer as 山田 太郎 (kanji) with the reading ヤマダ タロウ
in its contacts, as ヤマダ タロウ at the till and as Taro Yamada in its newsletter.
Kanji cannot be read without a dictionary; the reading the file gives can.
"""

from __future__ import annotations

import csv
import json

import pytest
from sqlalchemy import select

from omnidesk.core.exporting.tables import export_sources
from omnidesk.core.identity.clustering import cluster_profiles
from omnidesk.core.identity.keys import name_forms
from omnidesk.core.identity.scoring import Frequencies, Model, Profile, score_pair
from omnidesk.core.identity.why import in_words, why_one_person
from omnidesk.core.importing.column_guess import guess_mapping, mapping_fields
from omnidesk.core.importing.names import name_readings
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.importing.presets import detect_preset, get_preset
from omnidesk.core.models import SourceRecord
from omnidesk.core.profile import customer_profile
from omnidesk.core.workspace import Workspace
from tests.helpers import write_csv


# -- import: the columns that carry a reading ------------------------------------------------


@pytest.mark.parametrize(("header", "field"), [
    # Google Contacts, Outlook and the older Google layout
    ("Phonetic First Name", "first_name_reading"), ("Phonetic Last Name", "last_name_reading"),
    ("Given Name Yomi", "first_name_reading"), ("Family Name Yomi", "last_name_reading"),
    ("Given Yomi", "first_name_reading"), ("Surname Yomi", "last_name_reading"),
    ("Yomi Name", "full_name_reading"),
    # Japanese shop and CRM exports
    ("フリガナ", "full_name_reading"), ("ﾌﾘｶﾞﾅ", "full_name_reading"), ("ふりがな", "full_name_reading"),
    ("氏名（カナ）", "full_name_reading"), ("氏名(カナ)", "full_name_reading"),
    ("氏名（フリガナ）", "full_name_reading"), ("お名前（フリガナ）", "full_name_reading"),
    ("姓（カナ）", "last_name_reading"), ("名（カナ）", "first_name_reading"),
    ("姓（フリガナ）", "last_name_reading"), ("名（ふりがな）", "first_name_reading"),
    ("セイ", "last_name_reading"), ("メイ", "first_name_reading"),
    ("Furigana", "full_name_reading"), ("Name Kana", "full_name_reading"), ("name_kana", "full_name_reading"),
    ("First Name Kana", "first_name_reading"), ("Last Name Kana", "last_name_reading"),
    # ... and the name columns beside them
    ("姓", "last_name"), ("名", "first_name"), ("氏名", "full_name"), ("お名前", "full_name"),
])
def test_each_wording_of_a_reading_column_is_recognised(header, field):
    assert mapping_fields(guess_mapping([header])) == [field]


def test_a_japanese_shop_export_maps_names_and_readings_side_by_side():
    header = ["会員ID", "姓", "名", "セイ", "メイ", "メールアドレス"]
    assert mapping_fields(guess_mapping(header))[1:5] == [
        "last_name", "first_name", "last_name_reading", "first_name_reading"]


@pytest.mark.parametrize(("preset", "header", "expected"), [
    ("google_contacts", ["First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name",
                         "Phonetic Last Name", "File As", "Labels"],
     ["first_name", "middle_name", "last_name", "first_name_reading", "ignore", "last_name_reading", "ignore",
      "tags"]),
    ("google_contacts_legacy", ["Name", "Given Name", "Additional Name", "Family Name", "Yomi Name",
                                "Given Name Yomi", "Additional Name Yomi", "Family Name Yomi", "Group Membership"],
     ["full_name", "first_name", "middle_name", "last_name", "full_name_reading", "first_name_reading", "ignore",
      "last_name_reading", "tags"]),
])
def test_google_presets_map_the_phonetic_names(preset, header, expected):
    assert detect_preset(header).key == preset
    assert mapping_fields(guess_mapping(header, get_preset(preset))) == expected


@pytest.mark.parametrize(("first", "last", "whole", "expected"), [
    ("タロウ", "ヤマダ", "", ("タロウ", "ヤマダ")),
    ("", "", "ヤマダ タロウ", ("タロウ", "ヤマダ")),  # family name first, as kana are written
    ("", "", "ﾔﾏﾀﾞ\u3000ﾀﾛｳ", ("タロウ", "ヤマダ")),  # half-width, an ideographic space
    ("", "", "やまだ たろう", ("たろう", "やまだ")),
    ("", "", "ヤマダタロウ", ("", "")),  # no space: cannot be split
    ("タロウ", "", "ヤマダ タロウ", ("タロウ", "")),  # the columns of its own parts come first
])
def test_readings_from_their_own_columns_or_the_whole_name(first, last, whole, expected):
    assert name_readings(first, last, whole, "JP") == expected


# -- matching ---------------------------------------------------------------------------------


def _p(rid, first, last, *, first_read="", last_read="", email=None, phone=None) -> Profile:
    return Profile(rid=rid, row_hash="", customer_id=None, kind="contacts", channel="x", first=first, last=last,
                   emails=(email,) if email else (), phones=(phone,) if phone else (), externals=(), postcode="",
                   city="", address="", birthday=None, first_read=first_read, last_read=last_read)


def test_a_name_compares_by_its_reading_only_where_the_other_is_in_latin_letters():
    assert name_forms("太郎", "taro", "taro", "") == ("taro", "taro", True)
    assert name_forms("太郎", "taro", "太郎", "") == ("太郎", "太郎", False)  # kanji meet kanji
    assert name_forms("斎藤", "saito", "斉藤", "saito") == ("saito", "saito", True)  # both read: the readings
    assert name_forms("太郎", "", "taro", "") == ("太郎", "taro", False)  # no reading: as written


def test_kanji_with_its_reading_merges_with_kana_and_romaji_but_not_with_a_relative():
    freq, model = Frequencies(), Model()
    kanji = _p(1, "太郎", "山田", first_read="taro", last_read="yamada", email="t@example.jp",
               phone="+819012345678")
    till = _p(2, "taro", "yamada", phone="+819012345678")  # ヤマダ タロウ as folded
    news = _p(3, "yamada", "taro", email="t@example.jp")  # YAMADA Taro: family name first
    same_kanji = _p(4, "太郎", "山田", email="t@example.jp")
    hanako = _p(5, "hanako", "yamada", email="t@example.jp")  # his family's email
    s = score_pair(kanji, till, freq, model)
    assert s.decision == "auto" and "same first name (by reading)" in s.reasons
    assert in_words(s.reasons) == "same phone and same name (by reading)"
    assert score_pair(kanji, news, freq, model).decision == "auto"
    assert score_pair(kanji, same_kanji, freq, model).decision == "auto"
    household = score_pair(kanji, hanako, freq, model)
    assert household.decision != "auto" and household.conflict == "different first names"
    # One kanji read two ways is two people (幸子: Sachiko, Yukiko).
    sachiko = _p(6, "幸子", "山田", first_read="sachiko", last_read="yamada", email="y@example.jp")
    yukiko = _p(7, "幸子", "山田", first_read="yukiko", last_read="yamada", email="y@example.jp")
    assert score_pair(sachiko, yukiko, freq, model).conflict == "different first names"
    # Without a reading, kanji and kana stay what they were: not comparable, never merged.
    assert score_pair(same_kanji, till, freq, model).decision != "auto"


# -- a real workspace -------------------------------------------------------------------------

GOOGLE_HEADER = ["First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name",
                 "Phonetic Last Name", "Name Prefix", "Name Suffix", "Nickname", "File As",
                 "Organization Name", "Organization Title", "Organization Department", "Birthday", "Notes",
                 "Photo", "Labels", "E-mail 1 - Label", "E-mail 1 - Value", "Phone 1 - Label", "Phone 1 - Value"]


def _google(first, last, first_kana, last_kana, email="", phone=""):
    row = dict.fromkeys(GOOGLE_HEADER, "")
    row.update({"First Name": first, "Last Name": last, "Phonetic First Name": first_kana,
                "Phonetic Last Name": last_kana, "Labels": "* myContacts",
                "E-mail 1 - Label": "* Home" if email else "", "E-mail 1 - Value": email,
                "Phone 1 - Label": "Mobile" if phone else "", "Phone 1 - Value": phone})
    return [row[h] for h in GOOGLE_HEADER]


def _write_shop_files(tmp_path):
    contacts = write_csv(tmp_path / "contacts.csv", GOOGLE_HEADER, [
        _google("太郎", "山田", "タロウ", "ヤマダ", email="yamada.family@example.jp", phone="090-1234-5678"),
        # His wife on the family's email: same family name, another given name.
        _google("花子", "山田", "ハナコ", "ヤマダ", email="yamada.family@example.jp", phone="080-2222-3333"),
    ])
    till = write_csv(tmp_path / "till_members.csv", ["Card No", "Customer Name", "Mobile"], [
        ["5001", "ﾔﾏﾀﾞ ﾀﾛｳ", "09012345678"],  # half-width katakana, his phone
        ["5002", "ヤマダ ハナコ", "08022223333"],
    ])
    news = write_csv(tmp_path / "newsletter.csv", ["Email Address", "First Name", "Last Name"], [
        ["yamada.family@example.jp", "Taro", "Yamada"],
    ])
    return contacts, till, news


def _owners(ws) -> dict[str, int | None]:
    rec = SourceRecord.__table__
    with ws.engine.connect() as conn:
        return {f"{r.first_name} {r.last_name}": r.customer_id
                for r in conn.execute(select(rec.c.first_name, rec.c.last_name, rec.c.customer_id))}


def test_google_contacts_in_kanji_meet_the_till_in_katakana_and_the_newsletter_in_romaji(new_workspace, tmp_path):
    contacts, till, news = _write_shop_files(tmp_path)
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, contacts, ImportOptions(channel="contacts", region="JP"))
        import_file(ws, till, ImportOptions(channel="pos", kind="contacts", region="JP",
                                            mapping=["external_id", "full_name", "phone"]))
        import_file(ws, news, ImportOptions(channel="email", kind="contacts", region="JP"))
        rec = SourceRecord.__table__
        with ws.engine.connect() as conn:
            readings = {(r.first_name, r.last_name): (r.first_name_reading, r.last_name_reading) for r in conn.execute(
                select(rec.c.first_name, rec.c.last_name, rec.c.first_name_reading, rec.c.last_name_reading))}
            raw = json.loads(conn.execute(select(rec.c.raw_json).where(rec.c.first_name == "太郎")).scalar())
        assert readings[("太郎", "山田")] == ("タロウ", "ヤマダ")
        assert readings[("タロウ", "ヤマダ")] == ("", "")  # the till gives no reading: its name is one
        assert "タロウ" in raw  # the raw row is kept as read
        owner = _owners(ws)
        taro = owner["太郎 山田"]
        assert taro is not None
        assert owner["タロウ ヤマダ"] == taro and owner["Taro Yamada"] == taro
        # The family on one email and one family name: Hanako is someone else, in every file.
        assert owner["花子 山田"] != taro and owner["ハナコ ヤマダ"] == owner["花子 山田"]
        assert any("same name (by reading)" in link.why() for link in why_one_person(ws, taro).links)
        # The till's katakana is the card's name (the more trusted channel): it needs no reading.
        assert customer_profile(ws, taro).name_reading == ""

        out = tmp_path / "sources.csv"
        export_sources(ws, out)
        with out.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        assert {(r["first_name"], r["first_name_reading"], r["last_name_reading"]) for r in rows
                if r["source_file"] == "contacts.csv"} == {("太郎", "タロウ", "ヤマダ"), ("花子", "ハナコ", "ヤマダ")}


def test_a_kanji_record_without_a_reading_still_meets_the_same_kanji(new_workspace, tmp_path):
    contacts, _, _ = _write_shop_files(tmp_path)
    shop = write_csv(tmp_path / "shop.csv", ["First Name", "Last Name", "Phone"],
                     [["太郎", "山田", "+81 90-1234-5678"]])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        import_file(ws, shop, ImportOptions(channel="shop", kind="contacts", region="JP"))
        import_file(ws, contacts, ImportOptions(channel="contacts", region="JP"))
        rec = SourceRecord.__table__
        with ws.engine.connect() as conn:
            owners = conn.execute(select(rec.c.customer_id).where(rec.c.first_name == "太郎")).scalars().all()
        assert len(owners) == 2 and len(set(owners)) == 1
        card = customer_profile(ws, owners[0])
        assert (card.display_name, card.name_reading) == ("山田 太郎", "ヤマダ タロウ")  # family name first, as written in kanji


def test_migration_reads_the_readings_of_files_imported_before(tmp_path):
    from alembic import command

    from omnidesk.core.workspace import _alembic_config

    contacts, _, _ = _write_shop_files(tmp_path)
    path = tmp_path / "w.omnidesk"
    with Workspace.create(path) as ws:
        import_file(ws, contacts, ImportOptions(channel="contacts", region="JP"))
        with ws.engine.begin() as conn:
            before = conn.exec_driver_sql("SELECT id, first_name, last_name, customer_id, raw_json "
                                          "FROM source_record ORDER BY id").all()
            command.downgrade(_alembic_config(conn), "0017")
            columns = {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(source_record)")}
            assert "first_name_reading" not in columns
            # As the older version stored it: the phonetic columns kept raw only.
            conn.exec_driver_sql("UPDATE import_batch SET mapping_json = replace(replace(mapping_json, "
                                 "'\"first_name_reading\"', '\"ignore\"'), '\"last_name_reading\"', '\"ignore\"')")
    with Workspace.open(path) as ws:
        with ws.engine.connect() as conn:
            after = conn.exec_driver_sql("SELECT id, first_name, last_name, customer_id, raw_json "
                                         "FROM source_record ORDER BY id").all()
            readings = conn.exec_driver_sql("SELECT first_name, first_name_reading, last_name_reading "
                                            "FROM source_record ORDER BY id").all()
    assert after == before
    assert readings == [("太郎", "タロウ", "ヤマダ"), ("花子", "ハナコ", "ヤマダ")]


@pytest.mark.parametrize("first, middle, last, full", [
    ("太郎", "", "山田", "山田 太郎"),  # 姓 and 名 columns: family name first, as written in kanji
    ("タロウ", "", "ヤマダ", "ヤマダ タロウ"),
    ("민준", "", "김", "김 민준"),  # Korean too
    ("伟", "", "王", "王 伟"),  # and Chinese
    ("Taro", "", "Yamada", "Taro Yamada"),  # in Latin letters, given name first
    ("Ken", "", "山田", "Ken 山田"),  # scripts mixed: as the columns give them
    ("太郎", "", "", "太郎"),
    ("Mamadou", "Moustapha", "Barry", "Mamadou Moustapha Barry"),
])
def test_a_full_name_from_name_columns_follows_the_script_s_order(first, middle, last, full):
    from omnidesk.core.importing.names import compose_full_name, parse_full_name

    assert compose_full_name(first, middle, last) == full
    if first and last and not middle:
        parts = parse_full_name(full)  # and reads back as the same names
        assert (parts.first, parts.last) == (first, last)


def _on(customer_id: int, p: Profile) -> Profile:
    p.customer_id = customer_id
    return p


def test_two_customers_writing_the_names_the_other_way_round_become_one():
    # The Japanese shop's records of one man: the shop export put the family name in the
    # first-name column, and the contacts merged with it hold him 太郎 田中 read Taro Tanaka;
    # the newsletter's "Tanaka Taro" (family name first) and the till's タロウ タナカ are the
    # other customer.  Each customer reads the names its own way round (the contacts record,
    # first on its customer, sets how its customer reads them).
    shop = _on(1, _p(1, "田中", "太郎", email="tarotanaka@example.com", phone="+819018747361"))
    contacts = _on(1, _p(2, "太郎", "田中", first_read="taro", last_read="tanaka", email="tarotanaka@example.com",
                         phone="+819018747361"))
    news = _on(2, _p(3, "tanaka", "taro", email="tarotanaka@example.com"))
    till = _on(2, _p(4, "taro", "tanaka", email="tarotanaka@example.com", phone="+819018747361"))
    profiles = [contacts, shop, news, till]
    plan = cluster_profiles(profiles, Frequencies.from_profiles(profiles), Model(), [], [])
    assert len(set(plan.roots)) == 1


def test_a_family_on_one_email_is_not_joined_by_reading_its_names_the_other_way_round():
    # His wife Hanako on the family email, written both ways on her own customer: crossed over,
    # her first names (hanako) still differ from his (taro).
    shop = _on(1, _p(1, "田中", "太郎", email="tanaka.family@example.com"))
    contacts = _on(1, _p(2, "太郎", "田中", first_read="taro", last_read="tanaka", email="tanaka.family@example.com"))
    news = _on(2, _p(3, "tanaka", "hanako", email="tanaka.family@example.com"))
    till = _on(2, _p(4, "hanako", "tanaka", email="tanaka.family@example.com"))
    profiles = [contacts, shop, news, till]
    plan = cluster_profiles(profiles, Frequencies.from_profiles(profiles), Model(), [], [])
    assert len(set(plan.roots)) == 2
