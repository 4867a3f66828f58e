"""Names and addresses of other scripts and orders: Japanese, Hindi, French, Mexican customers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from omnidesk.core.identity.keys import fold, fold_address, first_name_level, last_name_level, same_address
from omnidesk.core.identity.scoring import Profile, compare, family_names_first, resplit_side
from omnidesk.core.identity.scripts import kanji_name_readings, latin_reading
from omnidesk.core.identity.why import why_one_person
from omnidesk.core.importing.names import NameParts, normalize_name, parse_full_name
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.models import Customer, SourceRecord
from omnidesk.core.workspace import Workspace
from tests.helpers import write_csv

SHOP = ["First Name", "Last Name", "Email", "Phone"]
SHOP_MAPPING = ["first_name", "last_name", "email", "phone"]
TILL = ["Customer Name", "Mobile", "E-mail address"]
TILL_MAPPING = ["full_name", "phone", "email"]


@pytest.mark.parametrize(("written", "latin"), [
    ("ヤマダ", "yamada"), ("やまだ", "yamada"), ("ﾔﾏﾀﾞ", "yamada"),  # katakana, hiragana, half-width
    ("ユウタ", "yuta"), ("ヨウスケ", "yosuke"), ("コータ", "kota"),  # long vowels written short
    ("キョウコ", "kyoko"), ("シュンスケ", "shunsuke"), ("ジュン", "jun"), ("チャコ", "chako"),  # small ya/yu/yo
    ("ハットリ", "hattori"), ("マッチ", "matchi"),  # a doubled consonant
    ("राहुल", "rahul"), ("शर्मा", "sharma"), ("पद्म", "padma"), ("सिद्धार्थ", "siddhartha"),
    ("कृष्ण", "krishna"), ("ज़ोया", "zoya"),  # a nukta
])
def test_kana_and_devanagari_fold_to_their_latin_reading(written, latin):
    assert fold(written) == latin


def test_kanji_and_other_scripts_keep_their_letters():
    assert fold("山田") == "山田"
    assert fold("Ольга") == "ольга"
    assert latin_reading("山田 ヤマダ") == "山田 yamada"
    assert fold("José") == "jose" and fold("Müller") == "muller"


def test_a_romanised_hindi_name_with_long_vowels_is_the_same_name_misspelt():
    assert first_name_level("aakaanksha", "akanksha") == "typo"
    assert last_name_level("tivaaree", "tivari") == "typo"
    assert first_name_level(fold("गीता"), "geeta") == "typo"
    # Short names stay apart: Lee and Li are two families.
    assert last_name_level("lee", "li") == "different"


@pytest.mark.parametrize(("raw", "region", "expected"), [
    ("山田　太郎", None, NameParts("太郎", "", "山田", "山田 太郎")),
    ("ﾔﾏﾀﾞ ﾀﾛｳ", None, NameParts("タロウ", "", "ヤマダ", "ヤマダ タロウ")),
    ("LEJEUNE Julien", None, NameParts("Julien", "", "Lejeune", "Lejeune Julien")),
    ("YAMADA Taro", None, NameParts("Taro", "", "Yamada", "Yamada Taro")),
    ("COLLET C.", None, NameParts("C.", "", "Collet", "Collet C.")),
    ("DE SOUSA J.-P.", None, NameParts("J.-P.", "", "De Sousa", "De Sousa J.-P.")),
    ("DE LA CRUZ Juan Pablo", None, NameParts("Juan", "Pablo", "De La Cruz", "De La Cruz Juan Pablo")),
    # All in capitals says nothing of the order; two capitals are as often initials.
    ("JOHN SMITH", None, NameParts("John", "", "Smith", "John Smith")),
    ("AJ Smith", None, NameParts("Aj", "", "Smith", "Aj Smith")),
    # Two family names where Spanish is spoken, one elsewhere.
    ("Lourdes Lucero Serrato", "MX", NameParts("Lourdes", "", "Lucero Serrato", "Lourdes Lucero Serrato")),
    ("Lourdes Lucero Serrato", "US", NameParts("Lourdes", "Lucero", "Serrato", "Lourdes Lucero Serrato")),
    ("María Eugenia Herrera Carvajal", "ES",
     NameParts("María", "Eugenia", "Herrera Carvajal", "María Eugenia Herrera Carvajal")),
    ("Juan Pérez de la Cruz", "MX", NameParts("Juan", "", "Pérez de la Cruz", "Juan Pérez de la Cruz")),
    ("Lourdes Lucero", "MX", NameParts("Lourdes", "", "Lucero", "Lourdes Lucero")),
    ("José Ortega y Gasset", "ES", NameParts("José", "", "Ortega y Gasset", "José Ortega y Gasset")),
])
def test_family_name_first_and_two_family_names(raw, region, expected):
    assert parse_full_name(raw, region) == expected


def test_names_are_read_as_nfkc():
    assert normalize_name("ﾔﾏﾀﾞ\u3000ﾀﾛｳ") == "ヤマダ タロウ"
    assert normalize_name("Ｔａｒｏ") == "Taro"


def test_addresses_keep_other_scripts_and_their_numbers():
    assert fold_address("鳥越1丁目64番") == "鳥越 1 丁目 64 番"
    assert fold_address("鳥越１丁目６４番") == "鳥越 1 丁目 64 番"
    assert fold_address("Hauptstraße 12") == "hauptstrasse 12"
    assert fold_address("12, rue de l'Église") == "12 rue de leglise"
    # Same block, another house; and two towns with the same numbers.
    assert not same_address(fold_address("鳥越1丁目64番"), fold_address("鳥越1丁目46番"))
    assert not same_address(fold_address("鳥越1丁目64番"), fold_address("雷門1丁目64番"))
    assert same_address(fold_address("鳥越1丁目64番"), fold_address("鳥越 1丁目 64番"))


def _owners(ws) -> dict[tuple[str, str], int | None]:
    rec = SourceRecord.__table__
    with ws.engine.connect() as conn:
        return {(r.first_name, r.last_name): r.customer_id
                for r in conn.execute(select(rec.c.first_name, rec.c.last_name, rec.c.customer_id))}


def _customers(ws) -> int:
    with ws.engine.connect() as conn:
        return len(conn.execute(select(Customer.id)).all())


def _import(ws, path, mapping, region):
    import_file(ws, path, ImportOptions(channel="pos" if "till" in path.name else "shop", kind="contacts",
                                        mapping=mapping, region=region))


def test_a_japanese_till_in_kana_meets_the_newsletter_in_romaji(new_workspace, tmp_path):
    shop = write_csv(tmp_path / "shop.csv", SHOP, [["Taro", "Yamada", "taro@example.com", "090-1234-5678"],
                                                   ["Hanako", "Yamada", "", "090-8765-4321"]])
    till = write_csv(tmp_path / "till.csv", TILL, [["ﾔﾏﾀﾞ ﾀﾛｳ", "09012345678", ""],
                                                   ["やまだ はなこ", "", "taro@example.com"]])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        _import(ws, shop, SHOP_MAPPING, "JP")
        _import(ws, till, TILL_MAPPING, "JP")
        owner = _owners(ws)
        assert owner[("タロウ", "ヤマダ")] == owner[("Taro", "Yamada")]
        # Hanako on Taro's email is his family, not him.
        assert owner[("はなこ", "やまだ")] != owner[("Taro", "Yamada")]
        assert _customers(ws) == 3


def test_a_hindi_name_in_devanagari_meets_its_latin_spelling(new_workspace, tmp_path):
    shop = write_csv(tmp_path / "shop.csv", SHOP, [["Rahul", "Sharma", "rahul.sharma@example.com", ""],
                                                   ["Priya", "Sharma", "", "+91 81234 56780"]])
    till = write_csv(tmp_path / "till.csv", TILL, [["राहुल शर्मा", "", "rahul.sharma@example.com"],
                                                   ["सुनीता शर्मा", "081234 56780", ""]])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        _import(ws, shop, SHOP_MAPPING, "IN")
        _import(ws, till, TILL_MAPPING, "IN")
        owner = _owners(ws)
        assert owner[("राहुल", "शर्मा")] == owner[("Rahul", "Sharma")]
        # Sunita on Priya's number (a family phone) is another person.
        assert owner[("सुनीता", "शर्मा")] != owner[("Priya", "Sharma")]
        assert _customers(ws) == 3


def test_kanji_against_latin_letters_on_one_email_is_asked_not_kept_apart_nor_merged(new_workspace, tmp_path):
    # The shop has 高橋 蒼空 (kanji, no reading, a given name the name dictionary does not know);
    # the newsletter has Sora Takahashi on the same address.  Without a reading the given names
    # cannot be compared: not a conflict (the pair used to be kept apart, never asked), nor a
    # merge (a family's two people would pass as one).
    from omnidesk.core.identity.scoring import (
        NAMES_UNREADABLE, Frequencies, Model, Profile, score_pair, score_pair_full)
    from omnidesk.core.models import MatchReview

    shop = write_csv(tmp_path / "shop.csv", SHOP, [["蒼空", "高橋", "stakahashi@example.com", ""]])
    news = write_csv(tmp_path / "news.csv", SHOP, [["Sora", "Takahashi", "stakahashi@example.com", ""]])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        _import(ws, shop, SHOP_MAPPING, "JP")
        _import(ws, news, SHOP_MAPPING, "JP")
        owner = _owners(ws)
        assert owner[("蒼空", "高橋")] != owner[("Sora", "Takahashi")]
        assert _customers(ws) == 2
        with ws.engine.connect() as conn:
            asked = conn.execute(select(MatchReview.left_id, MatchReview.right_id, MatchReview.reasons_json)).all()
        assert [sorted((left, right)) for left, right, _ in asked] == [
            sorted((owner[("蒼空", "高橋")], owner[("Sora", "Takahashi")]))]
        assert NAMES_UNREADABLE in asked[0][2] and "same email" in asked[0][2]

    def profile(rid, first, last, **kw):
        values = dict(rid=rid, row_hash="", customer_id=None, kind="contacts", channel="shop", first=first,
                      last=last, emails=(), phones=(), externals=(), postcode="", city="", address="",
                      birthday=None)
        values.update(kw)
        return Profile(**values)

    freq, model = Frequencies(), Model()
    cases = [
        (profile(1, "蒼空", "高橋", emails=("r@example.com",)),
         profile(2, "sora", "takahashi", emails=("r@example.com",))),
        # Read otherwise by the dictionary (亮介 is Ryosuke): still not compared, never a conflict.
        (profile(1, "亮介", "高橋", emails=("r@example.com",)),
         profile(2, "kosuke", "takahashi", emails=("r@example.com",))),
        (profile(1, "иван", "петров", phones=("+79161234567",)), profile(2, "ivan", "petrov", phones=("+79161234567",))),
    ]
    for a, b in cases:
        fast, full = score_pair(a, b, freq, model), score_pair_full(a, b, freq, model)
        assert (fast.decision, fast.conflict, fast.weight) == (full.decision, full.conflict, full.weight)
        assert fast.decision == "review" and fast.conflict is None and NAMES_UNREADABLE in fast.reasons
    # Two kanji names that differ are two people, as two Latin ones are.
    two = score_pair(profile(1, "亮介", "高橋", emails=("r@example.com",)),
                     profile(2, "晃", "高橋", emails=("r@example.com",)), freq, model)
    assert two.conflict == "different first names" and NAMES_UNREADABLE not in two.reasons


@pytest.mark.parametrize(("shop_rows", "news_rows", "same", "apart", "why"), [
    # 高橋 亮介 in the shop, without furigana, is the newsletter's Ryosuke Takahashi on the same
    # email (the name dictionary reads both names so), and the till's 井上 (family name first) is
    # the contacts' Inoue written with its long vowel; a household member on the family email whose
    # given name reads otherwise stays apart, asked about.
    ([["亮介", "高橋", "takahashi.family@example.com", ""], ["久美子", "井上", "", "+81 90-1260-0199"]],
     [["Ryosuke", "Takahashi", "takahashi.family@example.com", ""],
      ["Kosuke", "Takahashi", "takahashi.family@example.com", ""], ["Inoue", "Kumiko", "", "090-1260-0199"]],
     [(("亮介", "高橋"), ("Ryosuke", "Takahashi")), (("久美子", "井上"), ("Inoue", "Kumiko"))],
     (("Kosuke", "Takahashi"), ("亮介", "高橋")),
     ["same email and same name (by reading)", "same phone, first and last name swapped and same name (by reading)"]),
    # The till's くみ子 井上 (kana and kanji) and the shop's 田中 聡太郎 (a given name the dictionary
    # holds only in parts) meet Kumiko Inoue and Sotaro Tanaka; the family's Haruto stays apart.
    ([["聡太郎", "田中", "famille.tanaka@example.net", ""], ["くみ子", "井上", "", "+81 90-1260-0199"]],
     [["Sotaro", "Tanaka", "famille.tanaka@example.net", ""], ["Haruto", "Tanaka", "famille.tanaka@example.net", ""],
      ["Kumiko", "Inoue", "", "090-1260-0199"]],
     [(("聡太郎", "田中"), ("Sotaro", "Tanaka")), (("くみ子", "井上"), ("Kumiko", "Inoue"))],
     (("Haruto", "Tanaka"), ("聡太郎", "田中")),
     ["same email and same name (by reading)", "same phone and same name (by reading)"]),
], ids=["whole names", "names read from their parts"])
def test_kanji_names_the_dictionary_reads_meet_their_romanisation(new_workspace, tmp_path, shop_rows, news_rows,
                                                                  same, apart, why):
    from omnidesk.core.identity.scoring import NAMES_UNREADABLE
    from omnidesk.core.models import MatchReview

    shop = write_csv(tmp_path / "shop.csv", SHOP, shop_rows)
    news = write_csv(tmp_path / "news.csv", SHOP, news_rows)
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        _import(ws, shop, SHOP_MAPPING, "JP")
        _import(ws, news, SHOP_MAPPING, "JP")
        owner = _owners(ws)
        for a, b in same:
            assert owner[a] == owner[b], (a, b)
        assert owner[apart[0]] != owner[apart[1]]
        assert _customers(ws) == 3
        # The card says the names agree by how they are read.
        for (person, _), said in zip(same, why):
            links = [link.why() for link in why_one_person(ws, owner[person]).links]
            assert links == [said], links
        with ws.engine.connect() as conn:
            asked = conn.execute(select(MatchReview.reasons_json)).scalars().all()
        assert len(asked) == 1 and NAMES_UNREADABLE in asked[0]


def test_the_name_dictionary_reads_only_what_it_knows():
    from omnidesk.core.identity.keys import first_name_level, last_name_level, read_alike

    assert kanji_name_readings("山本") == ("yamamoto",)
    assert "nakata" in kanji_name_readings("中田") and "nakada" in kanji_name_readings("中田")
    assert kanji_name_readings("蒼空") == () and kanji_name_readings("yamamoto") == ()
    assert read_alike("晃", "akira") and read_alike("akira", "晃")
    assert read_alike("井上", "inoue") and read_alike("井上", fold("イノウエ")) and read_alike("斎藤", "saitou") and read_alike("佐藤", "satou")
    assert not read_alike("晃", "akina") and not read_alike("山本", "yamamura") and not read_alike("蒼空", "sora")
    assert not read_alike("山本", "山本") and not read_alike("yamamoto", "yamamoto")
    assert first_name_level("晃", "akira") == "exact" and last_name_level("中田", "nakada") == "exact"
    assert first_name_level("晃", "hikari") == "different"  # read otherwise: not the same name


def test_a_name_the_dictionary_does_not_hold_whole_is_read_from_its_parts():
    """聡太郎 is not in the dictionary, 聡 and 太郎 are; くみ子 is kana and the ending 子, whose
    reading at a name's end the dictionary's own names teach (恵子, 久美子...)."""
    from omnidesk.core.identity.keys import first_name_level, read_alike
    from omnidesk.core.identity.scripts import _kanji_names, _name_endings

    assert "聡太郎" not in _kanji_names() and "くみ子" not in _kanji_names()
    assert _name_endings()["子"][0] == "ko" and _name_endings()["介"][0] == "suke"
    assert "sotaro" in kanji_name_readings("聡太郎")
    assert kanji_name_readings(fold("くみ子")) == ("kumiko",) and kanji_name_readings(fold("ゆき子")) == ("yukiko",)
    assert read_alike(fold("聡太郎"), "sotaro") and read_alike("kumiko", fold("くみ子"))
    assert first_name_level(fold("くみ子"), "kumiko") == "exact"
    # Read another way, or a part read no way: not the same name (scoring: not compared either).
    assert not read_alike(fold("聡太郎"), "sota") and not read_alike(fold("くみ子"), "kumi")
    assert kanji_name_readings("蒼空") == () and kanji_name_readings(fold("くみЖ")) == ()


def test_a_kanji_surname_meets_its_kana_through_a_shared_birthday(new_workspace, tmp_path):
    """The till's 林 さゆり (name and birthday only) and the contacts' さゆり はやし born the same day
    share no name key (林 is not はやし to a key) and no identifier: the birthday finds them, and
    the dictionary reads them as one name, in either order of import."""
    header, mapping = ["First Name", "Last Name", "Email", "Birthday"], ["first_name", "last_name", "email",
                                                                         "birthday"]
    till = write_csv(tmp_path / "till.csv", header, [["さゆり", "林", "", "2008-09-17"]])
    contacts = write_csv(tmp_path / "contacts.csv", header,
                         [["さゆり", "はやし", "hayashi.sayuri@example.com", "2008-09-17"],
                          ["さゆり", "はやし", "sayuri.h@example.com", "2001-02-03"]])
    for k, files in enumerate(([till, contacts], [contacts, till])):
        with new_workspace(tmp_path / f"w{k}.omnidesk") as ws:
            for f in files:
                _import(ws, f, mapping, "JP")
            rec = SourceRecord.__table__
            with ws.engine.connect() as conn:
                owner = {(r.last_name, r.birthday): r.customer_id for r in conn.execute(
                    select(rec.c.last_name, rec.c.birthday, rec.c.customer_id))}
            assert owner[("林", "2008-09-17")] == owner[("はやし", "2008-09-17")]
            assert owner[("はやし", "2001-02-03")] != owner[("林", "2008-09-17")]


def test_a_french_till_writing_the_family_name_first_in_capitals(new_workspace, tmp_path):
    shop = write_csv(tmp_path / "shop.csv", SHOP, [["Julien", "Lejeune", "", "+33 6 12 03 90 85"]])
    till = write_csv(tmp_path / "till.csv", TILL, [["LEJEUNE Julien", "06 12 03 90 85", ""]])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        _import(ws, shop, SHOP_MAPPING, "FR")
        _import(ws, till, TILL_MAPPING, "FR")
        assert set(_owners(ws)) == {("Julien", "Lejeune")}
        assert _customers(ws) == 1


def test_a_mexican_till_with_both_surnames_meets_the_shop(new_workspace, tmp_path):
    shop = write_csv(tmp_path / "shop.csv", SHOP, [["Lourdes", "Lucero", "", "+52 222 146 0659"]])
    till = write_csv(tmp_path / "till.csv", TILL, [["Lourdes Lucero Serrato", "222 146 0659", ""]])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        _import(ws, shop, SHOP_MAPPING, "MX")
        _import(ws, till, TILL_MAPPING, "MX")
        owner = _owners(ws)
        assert owner[("Lourdes", "Lucero Serrato")] == owner[("Lourdes", "Lucero")]


def test_a_mexican_till_reading_a_second_given_name_as_a_surname_meets_the_shop(new_workspace, tmp_path):
    """The till's "Evelio Camila Velasco" reads as Evelio / Camila Velasco (two surnames); the shop's
    columns say "Evelio Camila" / "Velasco Barragán".  Same email and phone: one person, and the
    shop's next record of him still joins."""
    shop = write_csv(tmp_path / "shop.csv", SHOP, [["Evelio Camila", "Velasco Barragán", "evelasco@example.org",
                                                    "+52 222 653 7221"]])
    till = write_csv(tmp_path / "till.csv", TILL, [["Evelio Camila Velasco", "222 653 7221", "evelasco@example.org"],
                                                   ["Itzel Judith Urías", "222 495 2001", "urias.itzel@example.org"]])
    later = write_csv(tmp_path / "later.csv", SHOP, [["Evelio Camila", "Velasco Barragán", "evelasco@example.org", ""],
                                                     ["Itzel Judith", "Urías Valenzuela", "urias.itzel@example.org",
                                                      ""]])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        _import(ws, shop, SHOP_MAPPING, "MX")
        _import(ws, till, TILL_MAPPING, "MX")
        _import(ws, later, SHOP_MAPPING, "MX")
        rec = SourceRecord.__table__
        with ws.engine.connect() as conn:
            owners = {}
            for first, cid in conn.execute(select(rec.c.first_name, rec.c.customer_id)):
                owners.setdefault(first.split()[0], set()).add(cid)
        assert owners == {"Evelio": owners["Evelio"], "Itzel": owners["Itzel"]}
        assert len(owners["Evelio"]) == 1 and None not in owners["Evelio"]
        assert len(owners["Itzel"]) == 1 and None not in owners["Itzel"]
        assert _customers(ws) == 2


def test_a_mexican_tills_two_accounts_of_one_person_join_the_shop_together(new_workspace, tmp_path):
    """The till holds two loyalty accounts of "Evelio Delia Porras" (Evelio / Delia Porras to a
    full-name column), joined first as one; the shop's "Evelio Delia" / "Porras" on the same email
    is that person.  The accounts are read again together as the shop splits the names, so they
    are not kept apart by last names that differ only as written."""
    shop = write_csv(tmp_path / "shop.csv", SHOP, [["Evelio Delia", "Porras", "porras.evelio@example.net", ""]])
    till = write_csv(tmp_path / "till.csv", ["Customer Name", "Mobile", "E-mail address", "Birthday", "Loyalty ID"],
                     [["Evelio Delia Porras", "", "porras.evelio@example.net", "1972-10-29", "L-153"],
                      ["Evelio Delia Porras", "", "porras.evelio@example.net", "1972-10-29", "L-154"]])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        _import(ws, shop, SHOP_MAPPING, "MX")
        _import(ws, till, [*TILL_MAPPING, "birthday", "external_id"], "MX")
        rec = SourceRecord.__table__
        with ws.engine.connect() as conn:
            owners = set(conn.execute(select(rec.c.customer_id)).scalars())
        assert len(owners) == 1 and None not in owners
        assert _customers(ws) == 1


def _shop_till_shop(ws, shop, till, later) -> dict[int, int | None]:
    """A Mexican shop's file, its till's, then the shop's again: each row's customer, by file and row
    (10 * the file's place + the row: 11 is the shop's first row, 21 the till's)."""
    _import(ws, shop, SHOP_MAPPING, "MX")
    _import(ws, till, TILL_MAPPING, "MX")
    _import(ws, later, SHOP_MAPPING, "MX")
    rec = SourceRecord.__table__
    with ws.engine.connect() as conn:
        return dict(conn.execute(select(rec.c.record_no + 10 * rec.c.batch_id, rec.c.customer_id)).all())


def test_a_till_writing_both_family_names_first_meets_the_shop(new_workspace, tmp_path):
    """"Guzmán Jiménez Conchita Lucía" at the till reads as Guzmán / Jiménez / Conchita Lucía; the shop
    says "Conchita Lucía" / "Guzmán Jiménez".  One email: one person, and later records join her."""
    shop = write_csv(tmp_path / "shop.csv", SHOP, [["Conchita Lucía", "Guzmán Jiménez", "cguzman@example.com", ""]])
    till = write_csv(tmp_path / "till.csv", TILL, [["Guzmán Jiménez Conchita Lucía", "222 571 5397",
                                                    "cguzman@example.com"],
                                                   ["Ortega Ruiz Ana Sofía", "", "ortega@example.org"]])
    later = write_csv(tmp_path / "later.csv", SHOP, [["Conchita", "Guzmán Jiménez", "cguzman@example.com",
                                                      "+52 222 571 5397"],
                                                     ["Ana Luz", "Ortega", "ortega@example.org", ""]])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        owners = _shop_till_shop(ws, shop, till, later)
        conchita = {owners[11], owners[21], owners[31]}
        assert len(conchita) == 1 and None not in conchita
        # Ana Sofía and Ana Luz on one family email: the given names do not line up.
        assert owners[22] != owners[32]


def test_a_till_writing_family_names_before_one_given_name_meets_the_shop(new_workspace, tmp_path):
    """The till's "Aguirre Godínez Aurelio" (paterno, materno, nombre) reads as the given name Aguirre;
    the shop says "Aurelio" / "Aguirre Godínez".  "Castillo Saucedo Viooleta" (a slip) is the shop's
    "Violeta" / "Castillo" with her second surname left out.  One phone each: one person each, and
    the shop's later records of them still join.  The till's "Aguirre Godínez Beatriz" on Aurelio's
    family email stays apart: her given name is not his."""
    shop = write_csv(tmp_path / "shop.csv", SHOP, [["Aurelio", "Aguirre Godínez", "familia.aguirre@example.org",
                                                    "+52 222 246 2010"],
                                                   ["Violeta", "Castillo", "vcastillo@example.net", ""]])
    till = write_csv(tmp_path / "till.csv", TILL, [["Aguirre Godínez Aurelio", "222 246 2010", ""],
                                                   ["Castillo Saucedo Viooleta", "222 904 1929",
                                                    "vcastillo@example.net"],
                                                   ["Aguirre Godínez Beatriz", "", "familia.aguirre@example.org"]])
    later = write_csv(tmp_path / "later.csv", SHOP, [["Aurelio", "Aguirre", "", "+52 222 246 2010"],
                                                     ["Violeta", "Castillo Saucedo", "", "+52 222 904 1929"]])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        owners = _shop_till_shop(ws, shop, till, later)
        aurelio, violeta = {owners[11], owners[21], owners[31]}, {owners[12], owners[22], owners[32]}
        assert len(aurelio) == 1 and None not in aurelio
        assert len(violeta) == 1 and None not in violeta
        assert owners[23] not in aurelio | violeta
        assert _customers(ws) == 3
        # The card says how the till's record was read.
        reasons = {r for link in why_one_person(ws, owners[11]).links for r in link.reasons}
        assert "family names written first" in reasons, reasons


def test_family_names_first_reads_only_names_that_line_up():
    """The re-reading takes the given name from the end and the family names from the front; names
    that do not line up so, two words swapped, or names agreeing as written are left alone."""
    def p(first: str, last: str, middle: str = "") -> Profile:
        return Profile(0, "", None, "contacts", "pos", first, last, (), (), (), "", "", "", None, (), middle)

    shop = p("aurelio", "aguirregodinez")
    assert family_names_first(p("aguirre", "godinezaurelio"), shop) == ("aurelio", "aguirregodinez")
    assert family_names_first(p("jimenez", "mirandaaurelio"), p("aurelio", "jimenez")) == ("aurelio",
                                                                                           "jimenezmiranda")
    assert family_names_first(p("castillo", "saucedoviooleta"), p("violeta", "castillo")) == (
        "viooleta", "castillosaucedo")
    assert family_names_first(p("aguirre", "godinezbeatriz"), shop) is None  # another given name
    assert family_names_first(p("lopez", "ruizaurelio"), shop) is None  # other family names
    assert family_names_first(p("aguirre", "aurelio"), p("aurelio", "aguirre")) is None  # a plain swap
    assert family_names_first(shop, shop) is None
    assert family_names_first(p("aguirre", "godinezaurelio", "jose"), shop) is None  # further given names
    assert resplit_side(p("aguirre", "godinezaurelio"), shop) == 4
    assert resplit_side(shop, p("aguirre", "godinezaurelio")) == 5
    levels, _ = compare(p("aguirre", "godinezaurelio"), shop)
    assert (levels["first"], levels["last"]) == ("exact", "exact")


def test_two_given_names_do_not_make_a_surname_of_a_different_one(new_workspace, tmp_path):
    """"Ana Luz Ortega" on the family's email is not "Ana Sofía Ortega Ruiz": the words do not line up."""
    shop = write_csv(tmp_path / "shop.csv", SHOP, [["Ana Sofía", "Ortega Ruiz", "ortega@example.org", ""]])
    till = write_csv(tmp_path / "till.csv", TILL, [["Ana Luz Ortega", "", "ortega@example.org"]])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        _import(ws, shop, SHOP_MAPPING, "MX")
        _import(ws, till, TILL_MAPPING, "MX")
        assert _customers(ws) == 2


def test_a_record_merged_with_its_names_swapped_does_not_keep_later_ones_out(new_workspace, tmp_path):
    """The newsletter's "Lejeune Julien" joins Julien Lejeune by email; the contacts' Julien Lejeune still joins."""
    shop = write_csv(tmp_path / "shop.csv", SHOP, [["Julien", "Lejeune", "julien.lejeune@example.com", ""]])
    news = write_csv(tmp_path / "news.csv", SHOP, [["Lejeune", "Julien", "julien.lejeune@example.com", ""]])
    contacts = write_csv(tmp_path / "contacts.csv", SHOP,
                         [["Julien", "Lejeune", "julien.lejeune@example.com", "+33612039085"]])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        for path in (shop, news, contacts):
            import_file(ws, path, ImportOptions(channel=path.stem, kind="contacts", mapping=SHOP_MAPPING,
                                                region="FR"))
        rec = SourceRecord.__table__
        with ws.engine.connect() as conn:
            owners = {cid for (cid,) in conn.execute(select(rec.c.customer_id))}
        assert len(owners) == 1 and None not in owners


def test_migration_reads_kana_names_imported_before_in_latin_letters(tmp_path):
    from alembic import command

    from omnidesk.core.identity.keys import fold_letters
    from omnidesk.core.workspace import _alembic_config

    path = tmp_path / "w.omnidesk"
    with Workspace.create(path) as ws:
        import_file(ws, write_csv(tmp_path / "contacts.csv", ["First Name", "Last Name", "Email"], [
            ["タロウ", "ヤマダ", "taro@example.jp"], ["Anna", "Berg", "anna@example.se"]]),
            ImportOptions(channel="contacts"))
        with ws.engine.begin() as conn:
            command.downgrade(_alembic_config(conn), "0016")
            # As an older version stored them: the kana folded away, the name uncounted.
            conn.exec_driver_sql("UPDATE source_record SET last_key = ?, last_sound = '' WHERE last_name = 'ヤマダ'",
                                 (fold_letters("ヤマダ"),))
            conn.exec_driver_sql("DELETE FROM value_count WHERE field = 'last' AND value = 'yamada'")
    with Workspace.open(path) as ws:
        with ws.engine.connect() as conn:
            keys = dict(conn.exec_driver_sql("SELECT last_name, last_key FROM source_record").fetchall())
            counted = conn.exec_driver_sql(
                "SELECT n FROM value_count WHERE field = 'last' AND value = 'yamada'").scalar()
    assert keys == {"ヤマダ": "yamada", "Berg": "berg"}
    assert counted == 1
