"""Files in the code pages real exports come in, read right or said to be doubtful.

Each file is written with the vendor's real header (Outlook's, from test_presets:
the "Export to a file > Comma Separated Values" layout of Outlook for Windows)
and encoded the way Windows in that country saves it, then imported through the
real path.
"""

from __future__ import annotations

import codecs
import io
import json
from pathlib import Path

import pytest

from omnidesk.cli import main
from omnidesk.core.importing import csv_lines, detect
from omnidesk.core.importing.encodings import guess_legacy, mojibake, resolve_encoding
from omnidesk.core.importing.pipeline import ImportOptions, analyze, run_to_end
from omnidesk.core.importing.sniff import MAX_CELL_CHARS, UnreadableFileError, read_records, sniff
from omnidesk.core.errors import UserError
from omnidesk.core.workspace import Workspace
from tests.core.test_presets import OUTLOOK
from tests.helpers import write_csv


def outlook(path: Path, people: list[dict[str, str]], encoding: str) -> Path:
    return write_csv(path, OUTLOOK, [[person.get(h, "") for h in OUTLOOK] for person in people],
                     encoding=encoding)


def names(ws) -> list[tuple[str, str, str]]:
    with ws.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(
            "SELECT first_name, last_name, email FROM source_record ORDER BY record_no")]


def flagged(ws) -> dict[str, list[str]]:
    with ws.engine.connect() as conn:
        return {r.email: json.loads(r.problems_json) for r in conn.exec_driver_sql(
            "SELECT email, problems_json FROM source_record WHERE flagged")}


RUSSIANS = [
    {"First Name": "Иван", "Last Name": "Петров", "E-mail Address": "ivan.petrov@example.ru",
     "Mobile Phone": "+7 912 345-67-89", "Home City": "Москва"},
    {"First Name": "Мария", "Last Name": "Сидорова", "E-mail Address": "m.sidorova@example.ru",
     "Home City": "Санкт-Петербург", "Notes": "Постоянный клиент, скидка 10%"},
    {"First Name": "Алексей", "Last Name": "Смирнов", "E-mail Address": "smirnov@example.ru",
     "Home City": "Екатеринбург"},
]


def test_russian_outlook_export_in_windows_1251_keeps_its_cyrillic_names(ws, tmp_path):
    f = outlook(tmp_path / "contacts.CSV", RUSSIANS, "cp1251")
    plan = analyze(ws, f)
    assert plan.preset.key == "outlook"
    assert (plan.fmt.encoding, plan.fmt.encoding_label) == ("cp1251", "Windows-1251")
    assert not [w for w in plan.warnings if "encoding" in w or "garbled" in w], plan.warnings
    result = run_to_end(ws, plan)
    assert (result.imported, result.flagged) == (3, 0)
    assert names(ws) == [("Иван", "Петров", "ivan.petrov@example.ru"),
                         ("Мария", "Сидорова", "m.sidorova@example.ru"),
                         ("Алексей", "Смирнов", "smirnov@example.ru")]


def test_french_windows_1252_file_is_still_read_as_windows_1252(ws, tmp_path):
    people = [
        {"First Name": "Hélène", "Last Name": "Lefèvre", "E-mail Address": "helene@example.fr",
         "Home City": "Besançon", "Notes": "Crème brûlée à emporter – 20€"},
        {"First Name": "François", "Last Name": "Dupré", "E-mail Address": "francois@example.fr",
         "Home City": "Orléans"},
        {"First Name": "Anaïs", "Last Name": "Côté", "E-mail Address": "anais@example.fr", "Home City": "Nîmes"},
    ]
    plan = analyze(ws, outlook(tmp_path / "contacts.CSV", people, "cp1252"))
    assert plan.fmt.encoding_label == "Windows-1252"
    assert not [w for w in plan.warnings if "encoding" in w or "garbled" in w], plan.warnings
    run_to_end(ws, plan)
    assert names(ws) == [("Hélène", "Lefèvre", "helene@example.fr"), ("François", "Dupré", "francois@example.fr"),
                         ("Anaïs", "Côté", "anais@example.fr")]


def test_greek_iso_8859_7_file(ws, tmp_path):
    # "Ά" sits at 0xB6 in ISO-8859-7 but 0xA2 in Windows-1253: only the right one reads "Άννα".
    people = [
        {"First Name": "Γιώργος", "Last Name": "Παπαδόπουλος", "E-mail Address": "giorgos@example.gr",
         "Home City": "Αθήνα"},
        {"First Name": "Άννα", "Last Name": "Οικονόμου", "E-mail Address": "anna@example.gr",
         "Home City": "Θεσσαλονίκη"},
        {"First Name": "Μαρία", "Last Name": "Ιωάννου", "E-mail Address": "maria@example.gr", "Home City": "Πάτρα"},
    ]
    plan = analyze(ws, outlook(tmp_path / "epafes.csv", people, "iso8859-7"))
    assert plan.fmt.encoding == "iso8859-7"
    run_to_end(ws, plan)
    assert [n[:2] for n in names(ws)] == [("Γιώργος", "Παπαδόπουλος"), ("Άννα", "Οικονόμου"), ("Μαρία", "Ιωάννου")]


def test_shift_jis_file(ws, tmp_path):
    text = ("氏名,メールアドレス,電話番号,住所\r\n"
            "山田太郎,taro@example.jp,03-1234-5678,東京都千代田区丸の内1丁目\r\n"
            "佐藤花子,hanako@example.jp,06-2345-6789,大阪府大阪市北区梅田2丁目\r\n"
            "鈴木一郎,ichiro@example.jp,052-345-6789,愛知県名古屋市中村区名駅3丁目\r\n")
    f = tmp_path / "kokyaku.csv"
    f.write_bytes(text.encode("shift_jis"))
    fmt = sniff(f)
    assert fmt.encoding == "cp932" and fmt.header == ("氏名", "メールアドレス", "電話番号", "住所")
    assert [r.values[0] for r in read_records(f, fmt)] == ["山田太郎", "佐藤花子", "鈴木一郎"]


def test_letters_one_language_uses_together_win_a_tie(ws, tmp_path):
    # Windows-1252 reads "Dvoøák" (ø is no Czech letter, í and á no Danish ones).
    czech = [{"First Name": "Antonín", "Last Name": "Dvořák", "E-mail Address": "antonin@example.cz"}]
    plan = analyze(ws, outlook(tmp_path / "kontakty.csv", czech, "cp1250"))
    assert plan.fmt.encoding == "cp1250"
    run_to_end(ws, plan)
    assert names(ws)[0][:2] == ("Antonín", "Dvořák")


# One Czech name in Windows-1250: "Kučera" reads "Kuèera" in Windows-1252, and French has è.
FEW = [{"First Name": "Jan", "Last Name": "Kučera", "E-mail Address": "jan.kucera@example.cz"}]


def test_a_guess_on_few_words_is_weak_and_says_what_else_it_could_be(ws, tmp_path):
    plan = analyze(ws, outlook(tmp_path / "contacts.csv", FEW, "cp1250"))
    assert plan.fmt.encoding == "cp1252"
    weak = [w for w in plan.warnings if w.startswith("The encoding is a guess")]
    assert len(weak) == 1, plan.warnings
    assert '"Kuèera" could also be "Kučera" in Windows-1250 (Central European)' in weak[0]


def test_the_workspace_region_breaks_the_tie(ws, tmp_path):
    ws.set_setting("default_region", "CZ")
    plan = analyze(ws, outlook(tmp_path / "kontakty.csv", FEW, "cp1250"))
    assert plan.fmt.encoding == "cp1250"
    assert names_in(plan) == ("Jan", "Kučera")


def names_in(plan) -> tuple[str, str]:
    row = plan.preview[0].values
    return row[plan.header.index("First Name")], row[plan.header.index("Last Name")]


def test_a_named_encoding_overrides_the_guess(ws, tmp_path):
    f = outlook(tmp_path / "kontakty.csv", FEW, "cp1250")
    plan = analyze(ws, f, ImportOptions(encoding="windows-1250"))
    assert (plan.fmt.encoding, plan.fmt.chosen) == ("cp1250", True)
    assert not [w for w in plan.warnings if "encoding" in w], plan.warnings
    assert names_in(plan) == ("Jan", "Kučera")


def test_cli_encoding_overrides_and_unknown_names_are_a_usage_error(tmp_path, capsys):
    f = outlook(tmp_path / "kontakty.csv", FEW, "cp1250")
    target = tmp_path / "shop.omnidesk"
    assert main(["import", str(f), "-w", str(target), "--json"]) == 0
    out, _ = capsys.readouterr()
    assert any("Kučera" in w for w in json.loads(out)["warnings"])

    assert main(["import", str(f), "-w", str(tmp_path / "b.omnidesk"), "--encoding", "cp1250"]) == 0
    _, err = capsys.readouterr()
    assert "guess" not in err
    with Workspace.open(tmp_path / "b.omnidesk") as b:
        assert names(b)[0][:2] == ("Jan", "Kučera")

    assert main(["import", str(f), "-w", str(tmp_path / "c.omnidesk"), "--encoding", "klingon-8"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith("omnidesk: error: --encoding:") and '"klingon-8" is not an encoding' in err
    assert not (tmp_path / "c.omnidesk").exists()


def test_weak_guess_reaches_cli_stderr(tmp_path, capsys):
    f = outlook(tmp_path / "kontakty.csv", FEW, "cp1250")
    assert main(["import", str(f), "-w", str(tmp_path / "a.omnidesk"), "--dry-run"]) == 0
    _, err = capsys.readouterr()
    assert "omnidesk: warning: kontakty.csv: The encoding is a guess" in err


def test_resolve_encoding_knows_the_usual_names():
    assert [resolve_encoding(n) for n in ("UTF8", "windows-1251", "latin-1", "Shift_JIS", "cp1252")] == [
        "utf-8", "cp1251", "iso8859-1", "cp932", "cp1252"]  # Shift_JIS: Windows' superset reads more
    for bad in ("", "rot13", "base64", "nonsense"):
        with pytest.raises(UserError):
            resolve_encoding(bad)


# -- garbled before it reached us -----------------------------------------------------------


def test_utf8_saved_again_as_windows_1252_text_is_a_warning_not_a_silent_success(ws, tmp_path):
    # Someone opened the UTF-8 export as Windows-1252 and saved it again as UTF-8.
    people = [{"First Name": p["First Name"], "Last Name": p["Last Name"], "E-mail Address": p["E-mail Address"]}
              for p in RUSSIANS]
    f = outlook(tmp_path / "resaved.csv", people, "utf-8")
    f.write_bytes(f.read_bytes().decode("utf-8").encode("utf-8").decode("cp1252", "omnidesk.latin1-fallback")
                  .encode("utf-8"))
    plan = analyze(ws, f)
    garbled = [w for w in plan.warnings if "garbled" in w]
    assert len(garbled) == 1 and '(probably "Иван")' in garbled[0], plan.warnings


def test_a_utf8_file_read_as_windows_1252_on_request_warns(ws, tmp_path):
    f = outlook(tmp_path / "contacts.csv", [{"First Name": "José", "Last Name": "Müller",
                                             "E-mail Address": "jose@example.com"}], "utf-8")
    plan = analyze(ws, f, ImportOptions(encoding="cp1252"))
    assert plan.preview[0].values[1] == "JosÃ©"
    assert any('"JosÃ©" (probably "José")' in w for w in plan.warnings), plan.warnings


def test_mojibake_needs_most_words_garbled():
    assert mojibake("JosÃ© MÃ¼ller") is not None
    assert mojibake("ÐŸÐµÑ‚Ñ€ Ð˜Ð²Ð°Ð½Ð¾Ð²") is not None
    assert mojibake("René Dupré, Zoë, Łukasz, Петр") is None
    assert mojibake("plain ascii") is None


def test_guess_legacy_reads_the_usual_code_pages():
    polish = "Łukasz,Wójcik,Kraków\r\nMałgorzata,Dąbrowska,Łódź\r\n".encode("cp1250")
    assert guess_legacy(polish).encoding == "cp1250"
    russian_koi8 = "Иван,Петров\r\nМария,Сидорова\r\nАлексей,Смирнов\r\n".encode("koi8-r")
    assert guess_legacy(russian_koi8).encoding == "koi8-r"
    assert guess_legacy("Jürgen,Groß,Köln\r\n".encode("cp1252")) == guess_legacy(b"Caf\xe9\r\n") == \
        type(guess_legacy(b""))("cp1252", None)


# -- a UTF-8 file with one line from elsewhere ---------------------------------------------


def test_mostly_utf8_file_with_one_windows_1252_line_reads_each_line_right_and_flags_that_row(ws, tmp_path):
    lines = ["Email,First Name,Last Name,City"]
    lines += [f"person{i}@example.com,José,García,Málaga" for i in range(1, 6)]
    body = "\r\n".join(lines).encode("utf-8") + b"\r\n"
    # A row pasted in from a Windows spreadsheet: Windows-1252 bytes inside the UTF-8 file.
    body += "renee@example.fr,Renée,Dupré,Orléans\r\n".encode("cp1252")
    body += "last@example.com,Zoë,Ölund,Umeå\r\n".encode("utf-8")
    f = tmp_path / "list.csv"
    f.write_bytes(body)
    plan = analyze(ws, f)
    assert (plan.fmt.encoding, plan.fmt.fallback) == ("utf-8", "cp1252")
    assert any("1 line is not (the first is line 7)" in w for w in plan.warnings), plan.warnings
    result = run_to_end(ws, plan)
    assert (result.rows, result.imported, result.flagged) == (7, 7, 1)
    got = names(ws)
    assert got[0] == ("José", "García", "person1@example.com")
    assert got[5] == ("Renée", "Dupré", "renee@example.fr")
    assert got[6] == ("Zoë", "Ölund", "last@example.com")
    assert flagged(ws) == {"renee@example.fr": ["line 7 was not UTF-8; read as Windows-1252"]}


def test_mixed_lines_split_at_cr_lf_and_crlf_across_read_chunks(tmp_path, monkeypatch):
    # every line straddles a read boundary, in the encoding checks and in the reading
    monkeypatch.setattr(detect, "CHUNK", 7)
    monkeypatch.setattr(csv_lines, "CHUNK", 7)
    data = ("Name,City\r\nJosé,Málaga\rZoë,Umeå\n".encode() + "Renée,Orléans\r\n".encode("cp1252")
            + "Ana,Köln".encode())
    f = tmp_path / "mixed.csv"
    f.write_bytes(data)
    fmt = sniff(f)
    got = [(r.line, r.values, r.problem) for r in read_records(f, fmt)]
    assert got == [(2, ("José", "Málaga"), None), (3, ("Zoë", "Umeå"), None),
                   (4, ("Renée", "Orléans"), "line 4 was not UTF-8; read as Windows-1252"),
                   (5, ("Ana", "Köln"), None)]


# -- long cells --------------------------------------------------------------------------------


def test_a_200000_character_cell_imports_unflagged(ws, tmp_path):
    note = "Long notes. " * 16_667
    assert 200_000 <= len(note) < MAX_CELL_CHARS
    f = tmp_path / "notes.csv"
    f.write_text(f'Email,Name,Notes\r\nann@example.com,Ann,"{note}"\r\nbo@example.com,Bo,short\r\n', encoding="utf-8")
    result = run_to_end(ws, analyze(ws, f))
    assert (result.imported, result.flagged) == (2, 0)
    with ws.engine.connect() as conn:
        raw = conn.exec_driver_sql("SELECT raw_json FROM source_record WHERE record_no = 1").scalar()
    assert note in json.loads(raw)


def test_a_cell_over_the_limit_flags_its_row_and_the_others_import(ws, tmp_path):
    f = tmp_path / "huge.csv"
    f.write_text("Email,Name,Notes\r\nann@example.com,Ann,ok\r\n"
                 f"bo@example.com,Bo,{'x' * 1_100_000}\r\ncy@example.com,Cy,ok\r\n", encoding="utf-8")
    result = run_to_end(ws, analyze(ws, f))
    assert (result.rows, result.imported, result.flagged) == (3, 3, 1)
    assert flagged(ws) == {"bo@example.com": [
        "Notes: 1,100,000 characters, more than the 1,000,000 a cell may hold; check this value"]}


# -- a quote that never closes ----------------------------------------------------------------


def test_a_megabyte_line_with_an_open_quote_is_refused_quickly(tmp_path):
    f = tmp_path / "one-line.csv"
    f.write_bytes(b'Name,Note,"' + b"abc,def " * 131_072)
    with pytest.raises(UnreadableFileError, match="quote .* on line 1 that is never closed"):
        sniff(f)


def test_the_open_quote_is_found_on_a_very_long_line():
    # How fast the scan is beside the csv module is a benchmark
    # (tests/benchmarks/test_csv_scan_speed.py); here only that it is right.
    line = 'Name,Note,"' + 'abc,def ""x"" ' * 80_000
    assert csv_lines.open_quote_line([line], 1, ",", 1) == 1
    assert csv_lines.open_quote_line([line + '"'], 1, ",", 1) is None  # closed: long, not open


@pytest.mark.parametrize(("text", "line"), [
    ('a,b\n1,"ok ""quoted"" text",x\n2,"open ""here\n3,z\n', 3),
    ('a,b\n1,"multi\nline",x\n2,x"not open",y\n3,"open\n', 5),
    ('a;b\n1;"closed"then;"open\n', 2),
])
def test_open_quote_line_follows_the_csv_rules(text, line):
    lines = io.StringIO(text, newline="").readlines()
    start = {3: 3, 5: 5, 2: 2}[line]
    assert csv_lines.open_quote_line(lines, 1, text[1], start) == line


def test_bom_bytes_are_not_in_the_first_header_cell_of_a_mixed_file(tmp_path):
    f = tmp_path / "bom.csv"
    f.write_bytes(codecs.BOM_UTF8 + "Name,City\r\nJosé,Málaga\r\n".encode() + "Zoé,Nîmes\r\n".encode("cp1252"))
    fmt = sniff(f)
    assert fmt.header == ("Name", "City") and fmt.encoding == "utf-8-sig"
    assert [r.values for r in read_records(f, fmt)] == [("José", "Málaga"), ("Zoé", "Nîmes")]


def test_a_late_odd_line_in_a_large_utf8_file_is_found_and_only_its_row_flagged(tmp_path):
    head = "".join(f"p{i}@example.com,José,Núñez,Málaga\r\n" for i in range(40_000)).encode()
    assert len(head) > 1 << 20  # the odd line is past the first read block
    tail = "".join(f"q{i}@example.com,Zoë,Ölund,Umeå\r\n" for i in range(2_000)).encode()
    f = tmp_path / "big.csv"
    f.write_bytes(b"Email,First,Last,City\r\n" + head + "odd@example.com,Renée,Dupré,Orléans\r\n".encode("cp1252")
                  + tail)
    fmt = sniff(f)
    assert (fmt.encoding, fmt.fallback) == ("utf-8", "cp1252")
    odd = [(r.line, r.values[1], r.problem) for r in read_records(f, fmt) if r.problem]
    assert odd == [(40_002, "Renée", "line 40002 was not UTF-8; read as Windows-1252")]


# A Russian Outlook writes its column names in Russian too (Outlook for Windows, ru-RU:
# "Файл > Открыть и экспортировать > Импорт и экспорт > Экспорт в файл > CSV"); these are
# that export's names for the columns used here, the rest of its header kept as written.
RUSSIAN_OUTLOOK = [
    "Обращение", "Имя", "Отчество", "Фамилия", "Суффикс", "Организация", "Отдел", "Должность",
    "Улица (дом. адрес)", "Город (дом. адрес)", "Индекс (дом. адрес)", "Страна или регион (дом. адрес)",
    "Рабочий телефон", "Домашний телефон", "Телефон (мобил.)", "Адрес эл. почты", "Тип эл. почты",
    "Краткое имя эл. почты", "День рождения", "Заметки",
]


def test_russian_outlook_with_russian_column_names_finds_its_people(ws, tmp_path):
    # Before, no column was recognised: every row was "skipped, with no name, email or phone".
    rows = [
        {"Имя": "Иван", "Отчество": "Петрович", "Фамилия": "Петров", "Адрес эл. почты": "ivan.petrov@example.ru",
         "Тип эл. почты": "SMTP", "Краткое имя эл. почты": "Иван Петров (ivan.petrov@example.ru)",
         "Телефон (мобил.)": "+7 912 345-67-89", "Организация": "ООО Ромашка", "Город (дом. адрес)": "Москва"},
        {"Имя": "Мария", "Фамилия": "Сидорова", "Адрес эл. почты": "m.sidorova@example.ru",
         "Домашний телефон": "+7 (495) 123-45-67"},
        {"Имя": "Алексей", "Фамилия": "Смирнов", "Телефон (мобил.)": "+7 922 000-11-22", "Заметки": "VIP"},
    ]
    f = write_csv(tmp_path / "kontakty.CSV", RUSSIAN_OUTLOOK,
                  [[row.get(h, "") for h in RUSSIAN_OUTLOOK] for row in rows], encoding="cp1251")
    result = run_to_end(ws, analyze(ws, f))
    assert (result.imported, result.skipped) == (3, 0)
    with ws.engine.connect() as conn:
        got = conn.exec_driver_sql(
            "SELECT first_name, last_name, full_name, email, phone, company FROM customer ORDER BY id").fetchall()
    assert [tuple(r) for r in got] == [
        ("Иван", "Петров", "Иван Петрович Петров", "ivan.petrov@example.ru", "+79123456789", "ООО Ромашка"),
        ("Мария", "Сидорова", "Мария Сидорова", "m.sidorova@example.ru", "+74951234567", ""),
        ("Алексей", "Смирнов", "Алексей Смирнов", None, "+79220001122", ""),
    ]


# Outlook for Windows in Japanese (ja-JP "エクスポート > CSV"): a few of its column names.
JAPANESE_OUTLOOK = ["姓", "名", "ミドル ネーム", "会社名", "部署", "役職", "電子メール アドレス", "電子メール 表示名",
                    "携帯電話", "自宅電話", "誕生日", "メモ"]


def test_a_column_of_email_addresses_is_read_as_email_whatever_its_header_says(ws, tmp_path):
    # No header of the email column is one the guesser knows; before, its rows were read with no email.
    people = (("山田", "太郎", "taro@example.jp"), ("佐藤", "花子", "hanako@example.jp"), ("鈴木", "一郎", ""))
    f = write_csv(tmp_path / "連絡先.csv", JAPANESE_OUTLOOK,
                  [[family, given, "", "", "", "", email, f"{family} {given}" if email else "",
                    "090-1234-5678", "", "", ""] for family, given, email in people], encoding="cp932")
    plan = analyze(ws, f)
    assert plan.mapping[JAPANESE_OUTLOOK.index("電子メール アドレス")] == "email"
    assert "email" not in [plan.mapping[i] for i, h in enumerate(JAPANESE_OUTLOOK) if h != "電子メール アドレス"]
    assert any("'電子メール アドレス' was read as the email address" in w for w in plan.warnings), plan.warnings
    result = run_to_end(ws, plan)
    # 姓 and 名 are the names: 鈴木 一郎, with no email, is a person too (not one of the others on that phone).
    assert (result.imported, result.skipped) == (3, 0)
    with ws.engine.connect() as conn:
        assert [tuple(r) for r in conn.exec_driver_sql(
            "SELECT email, first_name, last_name FROM customer ORDER BY id")] == [
            ("taro@example.jp", "太郎", "山田"), ("hanako@example.jp", "花子", "佐藤"), (None, "一郎", "鈴木")]


def test_a_column_with_some_other_text_is_not_taken_for_email(ws, tmp_path):
    f = tmp_path / "notes.csv"
    f.write_text("Ad,Not\nAyşe,ayse@example.com.tr\nMehmet,call him back\nZeynep,zeynep@example.com.tr\n",
                 encoding="utf-8")
    plan = analyze(ws, f)
    assert "email" not in plan.mapping


def test_a_file_where_no_column_names_a_person_says_so_before_importing(ws, tmp_path):
    f = tmp_path / "liste.csv"
    f.write_text("Ad,Soyad\nAyşe,Yılmaz\n", encoding="utf-8")
    plan = analyze(ws, f)
    assert any("No column of this file was recognised as a name, email, phone or customer ID" in w
               for w in plan.warnings), plan.warnings
    f.write_text("First name,Last name\nAyşe,Yılmaz\n", encoding="utf-8")
    assert not any("No column" in w for w in analyze(ws, f).warnings)


def test_a_word_in_two_alphabets_weighs_more_than_a_word_of_accents():
    # Found by the round-trip property test: read as Cyrillic (cp1251), "Prénom" becomes
    # "Prйnom", Latin and Cyrillic in one word, which no text has; read as cp1252 the only
    # oddity is "ßß", a word of nothing but accented letters.
    from omnidesk.core.importing.encodings import guess_legacy

    sample = "PrénomX|X\r\n|ßß\r\n|\"ßß;ßß\"\r\n".encode("cp1252")
    assert guess_legacy(sample).encoding == "cp1252"


def test_a_latin_abbreviation_beside_kanji_is_a_word_but_a_misread_accent_is_not():
    # Japanese writes "会員ID" (member ID) and "ID番号"; a Western file read as a double-byte code
    # page puts one CJK character where an accented letter and the byte after it were, mostly
    # between Latin letters ("Hélène" reads "H駘鈩e" in Shift-JIS), or a half-width katakana
    # where a capital was ("ANDRÉS" reads "ANDRﾉS"): those words stay garbled.
    from omnidesk.core.importing.encodings import _CORE, _badness

    for word, core in (("会員ID", "shift_jis"), ("ID番号", "shift_jis"), ("会員No.", "shift_jis"),
                       ("会员ID", "gb2312"), ("회원ID", "euc_kr")):
        assert _badness(word, core) == 0, word
    names = ("ANDRÉS", "Renée", "Hélène", "JOSÉE", "ÉTIENNE", "Noëlle", "créée", "Müller")
    misreads = []
    for codec in ("cp932", "big5", "gb18030", "cp949", "euc_jp"):
        for name in names:
            try:
                misreads.append((name.encode("cp1252").decode(codec), _CORE[codec]))
            except UnicodeDecodeError:
                continue
    assert len(misreads) > 20
    assert [word for word, core in misreads if _badness(word, core) == 0] == []
    upper = "Name,City\r\nANDRÉS DUPONT,PARIS\r\nÉTIENNE MARTIN,LYON\r\nRenée Noël,Nice\r\n"
    assert guess_legacy(upper.encode("cp1252")) == type(guess_legacy(b""))("cp1252", None)
