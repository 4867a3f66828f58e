"""`omnidesk import contacts.vcf`: a phone's contacts, as an iPhone (vCard 3.0), Android (2.1) or
another address book (4.0) exports them, one customer a card and nothing given consent."""

from __future__ import annotations

import csv
import json
import os
import zipfile

import pytest

from omnidesk.core.profile import raw_record
from omnidesk.core.workspace import Workspace
from tests.helpers import one_line, run_cli

PHOTO = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGBwk"


def qp(text: str) -> str:
    """Quoted-printable as Android's Contacts app writes a vCard 2.1 value: every byte as =XX,
    lines broken at 75 characters by a soft line break (= at the end, the next line not indented)."""
    encoded = [f"={b:02X}" for b in text.encode("utf-8")]
    lines, line = [], ""
    for piece in encoded:
        if len(line) + len(piece) > 73:
            lines.append(line + "=")
            line = ""
        line += piece
    return "\r\n".join([*lines, line])


def vcf(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


# As an iPhone (Contacts › Lists › All Contacts › Export) or iCloud.com writes them.
IPHONE = vcf(
    "BEGIN:VCARD", "VERSION:3.0", "PRODID:-//Apple Inc.//iPhone OS 17.2//EN",
    "N:Appleseed;Johnny;;;", "FN:Johnny Appleseed", "ORG:Apple Inc.;", "TITLE:Engineer",
    "item1.EMAIL;type=INTERNET;type=pref:johnny@example.com", "item1.X-ABLabel:_$!<Other>!$_",
    "EMAIL;type=INTERNET;type=HOME:j.appleseed@example.org",
    "TEL;type=CELL;type=VOICE;type=pref:+1 (408) 555-0199", "TEL;type=HOME;type=VOICE:(408) 555-0100",
    "item2.ADR;type=HOME;type=pref:;;1 Infinite Loop;Cupertino;CA;95014;United States", "item2.X-ABADR:us",
    "BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-07", "NOTE:Met at the spring fair\\, table 4.\\nLikes tea.",
    "CATEGORIES:VIP,Newsletter",
    f"PHOTO;ENCODING=b;TYPE=JPEG:{PHOTO}", " IBwkJCAoIBwcKDQoKCwsMDAwHCQ4NDA0KCwwMDP/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQ",
    "END:VCARD",
    "BEGIN:VCARD", "VERSION:3.0", "PRODID:-//Apple Inc.//iPhone OS 17.2//EN",
    "N:山田;太郎;;;", "FN:山田 太郎", "X-PHONETIC-FIRST-NAME:たろう", "X-PHONETIC-LAST-NAME:やまだ",
    "TEL;type=CELL;type=VOICE;type=pref:+81 90-1234-5678",
    "EMAIL;type=INTERNET;type=HOME;type=pref:taro.yamada@example.jp", "BDAY:1990-04-15",
    "END:VCARD",
)

# As Android's Contacts app exports them (Settings › Export to .vcf): vCard 2.1, every name
# that is not ASCII in quoted-printable UTF-8, a photo in base64 ended by an empty line.
ANDROID = vcf(
    "BEGIN:VCARD", "VERSION:2.1",
    f"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{qp('العلي')};{qp('محمد')};;;",
    f"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{qp('محمد العلي')}",
    "TEL;CELL:+971 50 123 4567", "EMAIL;HOME:m.ali@example.ae",
    f"NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{qp('يحب القهوة العربية، ويزور المتجر كل أسبوع مع عائلته')}",
    f"PHOTO;ENCODING=BASE64;JPEG:{PHOTO}", " 2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGBwkIBwkJCAoIBwcKDQoKCwsMDAwHCQ4N", "",
    "END:VCARD",
    "BEGIN:VCARD", "VERSION:2.1",
    f"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{qp('佐藤')};{qp('花子')};;;",
    f"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{qp('佐藤 花子')}",
    f"X-PHONETIC-FIRST-NAME;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{qp('ハナコ')}",
    f"X-PHONETIC-LAST-NAME;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{qp('サトウ')}",
    "TEL;CELL;PREF:+81 80-9876-5432", "TEL;HOME:+81 3-1234-5678", "EMAIL;WORK:hanako@example.jp",
    "EMAIL;HOME:hanako.sato@example.com",
    "X-ANDROID-CUSTOM:vnd.android.cursor.item/nickname;Hana;1;;;;;;;;;;;;;",
    "END:VCARD",
)


def _export(capsys, ws, what: str, out) -> list[dict[str, str]]:
    status, _, err = run_cli(capsys, "export", what, str(out), "-w", str(ws), "--force")
    assert status == 0, err
    with out.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_an_iphone_export_is_one_customer_a_card_kept_as_read_and_given_no_consent(tmp_path, capsys):
    contacts = tmp_path / "contacts.vcf"
    contacts.write_bytes(IPHONE)
    ws = tmp_path / "shop.omnidesk"
    status, out, err = run_cli(capsys, "import", contacts, "-w", ws, "--json")
    assert status == 0, err
    result = json.loads(out)
    assert (result["preset"], result["channel"], result["kind"]) == ("vcard", "contacts", "contacts")
    assert (result["rows"], result["imported"], result["flagged"], result["new_customers"]) == (2, 2, 0, 2)

    customers = {c["last_name"]: c for c in _export(capsys, ws, "customers", tmp_path / "customers.csv")}
    johnny, taro = customers["Appleseed"], customers["山田"]
    assert (johnny["first_name"], johnny["email"], johnny["phone"]) == ("Johnny", "johnny@example.com", "+14085550199")
    assert (johnny["company"], johnny["city"], johnny["postcode"], johnny["country"]) == (
        "Apple Inc.", "Cupertino", "95014", "US")
    assert johnny["birthday"] == "--03-07"  # the year 1604 is the iPhone's "no year"
    assert johnny["tags"] == "VIP, Newsletter" and johnny["channels"] == "contacts"
    assert (taro["first_name"], taro["phone"], taro["birthday"]) == ("太郎", "+819012345678", "1990-04-15")
    # A contact list says nothing of marketing: a "Newsletter" group is no consent.
    assert all(c[k] == "" for c in customers.values() for k in ("consent_email", "consent_sms", "consent_whatsapp"))
    with Workspace.open(ws) as w:
        assert w.counts()["consents"] == 0

    sources = _export(capsys, ws, "sources", tmp_path / "sources.csv")
    assert [(s["source_file"], s["source_row"]) for s in sources] == [("contacts.vcf", "1"), ("contacts.vcf", "2")]
    assert (sources[1]["first_name_reading"], sources[1]["last_name_reading"]) == ("たろう", "やまだ")
    assert all(PHOTO[:20] not in s["raw"] for s in sources)  # a photo is never stored
    with Workspace.open(ws) as w:
        pairs = dict(raw_record(w, int(sources[0]["record_id"])))  # as the card's Sources tab shows it
    assert pairs["Full Name"] == "Johnny Appleseed"
    assert (pairs["E-mail 1 - Type"], pairs["E-mail 1 - Value"]) == ("Other", "johnny@example.com")
    assert (pairs["E-mail 2 - Type"], pairs["E-mail 2 - Value"]) == ("Home", "j.appleseed@example.org")
    assert (pairs["Phone 1 - Type"], pairs["Phone 2 - Type"]) == ("Mobile", "Home")
    assert pairs["Address 1 - Street"] == "1 Infinite Loop"
    assert pairs["Notes"] == "Met at the spring fair, table 4.\nLikes tea."
    assert pairs["vCard Version"] == "3.0"

    # The same file again adds nothing.
    status, out, err = run_cli(capsys, "import", contacts, "-w", ws, "--json")
    assert status == 0, err
    again = json.loads(out)
    assert (again["imported"], again["duplicates"]) == (0, 2)
    with Workspace.open(ws) as w:
        assert w.counts()["customers"] == 2 and w.counts()["source_records"] == 2


def test_an_android_export_reads_its_quoted_printable_names_whatever_the_file_is_called(tmp_path, capsys):
    contacts = tmp_path / "00001.txt"  # named as the phone named it, read by what it holds
    contacts.write_bytes(ANDROID)
    assert b"=\r\n=" in ANDROID  # the soft line breaks Android writes in a long value
    ws = tmp_path / "shop.omnidesk"
    status, out, err = run_cli(capsys, "import", contacts, "-w", ws, "--json")
    assert status == 0, err
    result = json.loads(out)
    assert (result["preset"], result["channel"], result["imported"], result["flagged"]) == ("vcard", "contacts", 2, 0)
    sources = _export(capsys, ws, "sources", tmp_path / "sources.csv")
    ali, hanako = sources
    assert (ali["first_name"], ali["last_name"], ali["email"], ali["phone"]) == (
        "محمد", "العلي", "m.ali@example.ae", "+971501234567")
    assert (hanako["first_name"], hanako["last_name"]) == ("花子", "佐藤")
    assert (hanako["first_name_reading"], hanako["last_name_reading"]) == ("ハナコ", "サトウ")
    with Workspace.open(ws) as w, w.engine.connect() as conn:
        pairs = dict(raw_record(w, int(ali["record_id"])))
        hanako_pairs = dict(raw_record(w, int(hanako["record_id"])))
        emails = {v for (v,) in conn.exec_driver_sql("SELECT value FROM identifier WHERE kind = 'email'").all()}
    assert pairs["Notes"] == "يحب القهوة العربية، ويزور المتجر كل أسبوع مع عائلته"
    assert pairs["Full Name"] == "محمد العلي" and pairs["vCard Version"] == "2.1"
    assert PHOTO[:20] not in json.dumps(list(pairs.values()))
    assert (hanako_pairs["Phone 1 - Type"], hanako_pairs["Phone 2 - Type"]) == ("Mobile", "Home")
    assert "nickname;Hana" in hanako_pairs["Other Fields"]  # kept as read
    assert {"hanako@example.jp", "hanako.sato@example.com"} <= emails  # every address, not the first alone


def test_a_vcard_file_in_a_zip_is_imported(tmp_path, capsys):
    archive = tmp_path / "takeout.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("Takeout/Contacts/My Contacts/My Contacts.vcf", IPHONE)
    status, out, err = run_cli(capsys, "import", archive, "-w", tmp_path / "shop.omnidesk", "--json")
    assert status == 0, err
    result = json.loads(out)
    assert (result["file"], result["preset"], result["imported"]) == ("My Contacts.vcf", "vcard", 2)


def test_a_vcard_4_file_and_a_card_with_only_a_name(tmp_path, capsys):
    contacts = tmp_path / "export.vcf"
    contacts.write_bytes(vcf(
        "BEGIN:VCARD", "VERSION:4.0", "FN:Jane Doe", "N:Doe;Jane;;;",
        "EMAIL;TYPE=work:jane@example.com", 'TEL;VALUE=uri;TYPE="voice,cell":tel:+1-415-555-0123',
        "BDAY:--0415", 'ADR;TYPE=home;LABEL="12 Main St\\nAnytown":;;12 Main St;Anytown;NY;12345;USA',
        "END:VCARD",
        "BEGIN:VCARD", "VERSION:4.0", "FN:Chris", "END:VCARD",
    ))
    ws = tmp_path / "shop.omnidesk"
    status, out, err = run_cli(capsys, "import", contacts, "-w", ws, "--json")
    assert status == 0, err
    assert json.loads(out)["imported"] == 2
    customers = {c["first_name"]: c for c in _export(capsys, ws, "customers", tmp_path / "customers.csv")}
    jane = customers["Jane"]
    assert (jane["email"], jane["phone"], jane["birthday"], jane["city"]) == (
        "jane@example.com", "+14155550123", "--04-15", "Anytown")
    assert "Chris" in customers


@pytest.mark.parametrize(("content", "says"), [
    (IPHONE[:400], "ends inside the contact card that begins on line 1"),
    (IPHONE + b"Sent from my iPhone\r\n", 'is outside any contact card ("Sent from my iPhone")'),
    (vcf("BEGIN:VCARD", "VERSION:3.0", "END:VCARD"), "holds nothing about anyone"),
    (b"BEGIN:VCARD\r\nVERSION:3.0\r\n" + bytes(range(256)) * 8, "binary data"),
    (b"", "is empty"),
], ids=["cut short", "junk after the cards", "an empty card", "binary junk", "an empty file"])
def test_a_broken_vcard_is_refused_in_one_line_and_nothing_is_stored(tmp_path, capsys, content, says):
    contacts = tmp_path / "contacts.vcf"
    contacts.write_bytes(content)
    ws = tmp_path / "shop.omnidesk"
    status, _, err = run_cli(capsys, "import", contacts, "-w", ws)
    assert status == 1 and one_line(err), err
    assert says in err and "contacts.vcf" in err
    assert "map its columns" not in err
    assert not ws.exists()


def test_five_thousand_cards_import(tmp_path, capsys):
    cards = []
    for i in range(5000):
        cards += ["BEGIN:VCARD", "VERSION:3.0", f"N:Person{i};Given{i};;;", f"FN:Given{i} Person{i}",
                  f"item1.EMAIL;type=INTERNET;type=pref:p{i}@example.com", "item1.X-ABLabel:_$!<Other>!$_",
                  f"TEL;type=CELL;type=VOICE;type=pref:+1 415 555 {i % 10000:04d}",
                  f"PHOTO;ENCODING=b;TYPE=JPEG:{PHOTO}", *[" " + "B" * 74] * 20, "END:VCARD"]
    contacts = tmp_path / "all.vcf"
    contacts.write_bytes(vcf(*cards))
    ws = tmp_path / "shop.omnidesk"
    status, out, err = run_cli(capsys, "import", contacts, "-w", ws, "--json")
    assert status == 0, err
    assert (json.loads(out)["imported"], json.loads(out)["new_customers"]) == (5000, 5000)
    assert os.path.getsize(ws) < os.path.getsize(contacts)  # no photo went in


# As Outlook exports contacts (vCard 2.1, in Windows-1252): the office line written before the
# mobile the card prefers, and a fax before a mobile.
OUTLOOK = vcf(
    "BEGIN:VCARD", "VERSION:2.1", "N:Baker;Tom", "FN:Tom Baker",
    "TEL;WORK;VOICE:(212) 555-0100", "TEL;CELL;VOICE;PREF:(917) 555-0142",
    "EMAIL;INTERNET:tom.baker@office.example", "EMAIL;PREF;INTERNET:tom@example.com",
    "END:VCARD",
    "BEGIN:VCARD", "VERSION:2.1", "N:Fox;Ann", "FN:Ann Fox",
    "TEL;WORK;FAX:(212) 555-0177", "TEL;HOME;VOICE:(718) 555-0110", "TEL;CELL:(917) 555-0143",
    "END:VCARD",
    "BEGIN:VCARD", "VERSION:4.0", "FN:Cy Lee", "N:Lee;Cy;;;",
    "TEL;TYPE=home:+1-718-555-0120", "TEL;TYPE=cell;PREF=2:+1-917-555-0144", "TEL;TYPE=work;PREF=1:+1-212-555-0121",
    "END:VCARD",
    "BEGIN:VCARD", "VERSION:3.0", "N:Dee;Ida;;;", "FN:Ida Dee", "TEL;type=WORK;type=FAX:+1 212 555 0178",
    "END:VCARD",
)


def test_the_phone_and_email_a_card_prefers_are_the_customers_own_a_mobile_before_a_landline_and_never_a_fax(
        tmp_path, capsys):
    from tests.helpers import cli_at, exported_packs

    contacts = tmp_path / "outlook.vcf"
    contacts.write_bytes(OUTLOOK)
    ws = tmp_path / "shop.omnidesk"
    cli_at(capsys, ws, "import", contacts, "--region", "US")
    customers = {c["first_name"]: c for c in _export(capsys, ws, "customers", tmp_path / "customers.csv")}
    assert {n: (c["phone"], c["email"]) for n, c in customers.items()} == {
        "Tom": ("+19175550142", "tom@example.com"), "Ann": ("+19175550143", ""),
        "Cy": ("+12125550121", ""), "Ida": ("", "")}
    sources = {s["first_name"]: s for s in _export(capsys, ws, "sources", tmp_path / "sources.csv")}
    with Workspace.open(ws) as w, w.engine.connect() as conn:
        ann = dict(raw_record(w, int(sources["Ann"]["record_id"])))
        ida = dict(raw_record(w, int(sources["Ida"]["record_id"])))
        phones = {v for (v,) in conn.exec_driver_sql("SELECT value FROM identifier WHERE kind = 'phone'").all()}
    # The other numbers stay the customer's; a fax is kept with the card, as no number to call or text.
    assert {"+12125550100", "+17185550110", "+17185550120", "+19175550144"} <= phones
    assert not {"+12125550177", "+12125550178"} & phones
    assert (ann["Phone 1 - Type"], ann["Phone 1 - Value"], ann["Phone 2 - Type"]) == ("Mobile", "(917) 555-0143", "Home")
    assert "TEL (Work, Fax): (212) 555-0177" in ann["Other Fields"]
    assert ida["Other Fields"] == "TEL (Work, Fax): +1 212 555 0178" and ida["Phone 1 - Value"] == ""

    for cid in ("1", "2"):
        cli_at(capsys, ws, "consent", "set", cid, "sms", "granted")
    plan = {"name": "Promo", "audience": "everyone", "mode": "each_channel",
            "message": {"headline": "Sale", "body": "Sale", "cta": "Shop", "link": "https://harbor.example/s"},
            "variants": {"sms": {"text": "Harbor: sale https://harbor.example/s Reply STOP"}},
            "steps": [{"channel": "sms", "at": "2027-03-01T12:00", "timezone": "America/New_York"}]}
    packs, _ = exported_packs(capsys, ws, tmp_path, plan)
    with packs["sms"].open(encoding="utf-8-sig", newline="") as fh:
        assert sorted(r["Phone"] for r in csv.DictReader(fh)) == ["+19175550142", "+19175550143"]


def test_a_company_card_is_the_company_and_no_person_named_after_it(tmp_path, capsys):
    from tests.helpers import cli_at

    contacts = tmp_path / "contacts.vcf"
    contacts.write_bytes(vcf(
        # An iPhone's company contact: no name, the company shown as the card's name.
        "BEGIN:VCARD", "VERSION:3.0", "PRODID:-//Apple Inc.//iPhone OS 17.2//EN", "N:;;;;", "FN:Green Valley Farm",
        "ORG:Green Valley Farm;", "X-ABShowAs:COMPANY",
        "EMAIL;type=INTERNET;type=WORK;type=pref:orders@greenvalley.example", "END:VCARD",
        # vCard 4.0's organisation card.
        "BEGIN:VCARD", "VERSION:4.0", "KIND:org", "FN:Harbor Bakery", "EMAIL:hello@harborbakery.example",
        "END:VCARD",
        # A card whose only name is its company's, as other address books write one.
        "BEGIN:VCARD", "VERSION:3.0", "N:;;;;", "FN:Acme Widgets", "ORG:Acme Widgets;Sales",
        "EMAIL:sales@acme.example", "END:VCARD",
        # A person at a company the iPhone shows as the company: her name stays hers.
        "BEGIN:VCARD", "VERSION:3.0", "N:Okafor;Ada;;;", "FN:Okafor Plumbing", "ORG:Okafor Plumbing;",
        "X-ABShowAs:COMPANY", "EMAIL:ada@okafor.example", "END:VCARD",
    ))
    ws = tmp_path / "shop.omnidesk"
    cli_at(capsys, ws, "import", contacts, "--region", "US")
    cli_at(capsys, ws, "export", "customers", tmp_path / "c.csv", "--columns", "email,name,first_name,last_name,company")
    with (tmp_path / "c.csv").open(encoding="utf-8-sig", newline="") as fh:
        customers = {c["email"]: (c["first_name"], c["last_name"], c["company"]) for c in csv.DictReader(fh)}
    assert customers == {
        "orders@greenvalley.example": ("", "", "Green Valley Farm"), "hello@harborbakery.example": ("", "", "Harbor Bakery"),
        "sales@acme.example": ("", "", "Acme Widgets"), "ada@okafor.example": ("Ada", "Okafor", "Okafor Plumbing")}
    message = tmp_path / "m.json"
    message.write_text(json.dumps({"name": "Hello", "message": {
        "headline": "Spring", "body": "Hi {first_name|there}, 20% off this week.", "link": "https://example.com"},
        "variants": {"sms": {"text": "Hi {first_name|there}, 20% off this week."}}}))
    cli_at(capsys, ws, "message", "import", message)
    said = cli_at(capsys, ws, "message", "render", "Hello", "--channel", "sms", "--customer", "1")
    assert "Hi there," in said and "Green" not in said.replace("greenvalley", "")


def test_a_quoted_printable_value_whose_soft_line_breaks_go_on_on_an_indented_line(tmp_path, capsys):
    """Writers that fold every long line (ez-vcard, the Samsung exports it converts) end a quoted-printable
    line with "=" and go on with a space: the space only says the line goes on."""
    contacts = tmp_path / "contacts.vcf"
    contacts.write_bytes(vcf(
        "BEGIN:VCARD", "VERSION:2.1",
        "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=9A=D0=B0=D0=BF=D1=83=D1=81=D1=82=D0=B8=D0=BD;=D0=92=",
        " =D0=BB=D0=B0=D0=B4=D0=B8=D0=BC=D0=B8=D1=80;;;",
        "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=92=D0=BB=D0=B0=D0=B4=D0=B8=D0=BC=D0=B8=D1=80 =D0=9A=",
        "\t=D0=B0=D0=BF=D1=83=D1=81=D1=82=D0=B8=D0=BD", "TEL;CELL:+7 912 345 67 89", "END:VCARD",
    ))
    ws = tmp_path / "shop.omnidesk"
    status, out, err = run_cli(capsys, "import", contacts, "-w", ws, "--region", "RU", "--json")
    assert status == 0, err
    assert (json.loads(out)["imported"], json.loads(out)["flagged"]) == (1, 0)
    (source,) = _export(capsys, ws, "sources", tmp_path / "sources.csv")
    assert (source["first_name"], source["last_name"]) == ("Владимир", "Капустин")
    with Workspace.open(ws) as w:
        assert dict(raw_record(w, int(source["record_id"])))["Full Name"] == "Владимир Капустин"


def test_a_quoted_printable_value_with_no_charset_is_read_in_the_files_own_code_page(tmp_path, capsys):
    """Outlook writes a note's accents as quoted-printable Windows-1252 bytes and names no CHARSET."""
    note = "NOTE;ENCODING=QUOTED-PRINTABLE:Stammkunde, bestellt Br=F6tchen f=FCr das Caf=E9=0D=0AZahlt bar"
    outlook = tmp_path / "Outlook.vcf"
    outlook.write_bytes(("\r\n".join([
        "BEGIN:VCARD", "VERSION:2.1", "N;CHARSET=Windows-1252:Müller;Jürgen", "FN;CHARSET=Windows-1252:Jürgen Müller",
        note, "NOTE;ENCODING=QUOTED-PRINTABLE:Gr=C3=BC=C3=9Fe", "EMAIL;PREF;INTERNET:j@example.de", "END:VCARD",
    ]) + "\r\n").encode("cp1252"))
    ws = tmp_path / "shop.omnidesk"
    status, out, err = run_cli(capsys, "import", outlook, "-w", ws, "--region", "DE", "--json")
    assert status == 0, err
    assert (json.loads(out)["imported"], json.loads(out)["flagged"]) == (1, 0)
    (source,) = _export(capsys, ws, "sources", tmp_path / "sources.csv")
    assert source["last_name"] == "Müller"
    with Workspace.open(ws) as w:
        # Bytes that are UTF-8 are read as UTF-8 still.
        assert dict(raw_record(w, int(source["record_id"])))["Notes"] == (
            "Stammkunde, bestellt Brötchen für das Café\r\nZahlt bar\nGrüße")

    # A file otherwise all ASCII tells no code page: the value is read as the likeliest one, and flagged.
    plain = tmp_path / "plain.vcf"
    plain.write_bytes(vcf("BEGIN:VCARD", "VERSION:2.1", "N:Muller;Jurgen", note, "EMAIL:jm@example.de", "END:VCARD"))
    ws = tmp_path / "other.omnidesk"
    status, out, err = run_cli(capsys, "import", plain, "-w", ws, "--json", "--errors", tmp_path / "errors.csv")
    assert status == 0, err
    assert (json.loads(out)["imported"], json.loads(out)["flagged"]) == (1, 1)
    (source,) = _export(capsys, ws, "sources", tmp_path / "sources.csv")
    with Workspace.open(ws) as w:
        assert dict(raw_record(w, int(source["record_id"])))["Notes"].startswith("Stammkunde, bestellt Brötchen für")
    with (tmp_path / "errors.csv").open(encoding="utf-8-sig", newline="") as fh:
        (row,) = csv.DictReader(fh)
    assert "line 4: NOTE is not UTF-8 and names no character set; read as Windows-1252" in row["omnidesk_problems"]


def _folded(line: str) -> bytes:
    """``line`` folded every 75 bytes, as RFC 2425 says and writers that count bytes do: a
    character of several bytes may be cut across two lines."""
    data = line.encode("utf-8")
    out, data = [data[:75]], data[75:]
    while data:
        out.append(b" " + data[:74])
        data = data[74:]
    return b"\r\n".join(out)


def test_a_line_folded_in_the_middle_of_a_character_leaves_the_file_utf_8(tmp_path, capsys):
    note = ("NOTE:お客様は毎週土曜日に来店されます。抹茶ラテがお気に入りで、季節限定の和菓子もよく購入されます。"
            "お支払いはいつも現金です。駐車場の場所をよく尋ねられるので、次回は地図をお渡しください。"
            "誕生日には小さな花束を贈ると喜ばれます。")
    folded = _folded(note)
    pieces = folded.split(b"\r\n")
    for piece in pieces[:3]:
        with pytest.raises(UnicodeDecodeError):
            piece.decode("utf-8")  # the fold cut a character, on more lines than read whole
    cards = b"\r\n".join([b"BEGIN:VCARD", b"VERSION:3.0", "N:山田;太郎;;;".encode(), "FN:山田 太郎".encode(),
                          b"TEL;type=CELL:+81 90-1234-5678", folded, b"END:VCARD"]) + b"\r\n"
    contacts = tmp_path / "contacts.vcf"
    contacts.write_bytes(cards)
    ws = tmp_path / "shop.omnidesk"
    status, out, err = run_cli(capsys, "import", contacts, "-w", ws, "--region", "JP", "--json")
    assert status == 0, err
    result = json.loads(out)
    assert (result["imported"], result["flagged"], result["warnings"]) == (1, 0, [])
    (source,) = _export(capsys, ws, "sources", tmp_path / "sources.csv")
    assert (source["first_name"], source["last_name"]) == ("太郎", "山田")
    with Workspace.open(ws) as w:
        pairs = dict(raw_record(w, int(source["record_id"])))
    assert (pairs["Full Name"], pairs["Notes"]) == ("山田 太郎", note[5:])


def _sms_pack_phones(capsys, ws, tmp_path, customers: int) -> list[str]:
    """The phones of an SMS campaign pack to everyone, once the first ``customers`` agreed to texts."""
    from tests.helpers import cli_at, exported_packs

    for cid in range(1, customers + 1):
        cli_at(capsys, ws, "consent", "set", str(cid), "sms", "granted")
    plan = {"name": "Promo", "audience": "everyone", "mode": "each_channel",
            "message": {"headline": "Sale", "body": "Sale", "cta": "Shop", "link": "https://harbor.example/s"},
            "variants": {"sms": {"text": "Harbor: sale https://harbor.example/s Reply STOP"}},
            "steps": [{"channel": "sms", "at": "2027-03-01T12:00", "timezone": "America/New_York"}]}
    packs, _ = exported_packs(capsys, ws, tmp_path, plan)
    with packs["sms"].open(encoding="utf-8-sig", newline="") as fh:
        return sorted(r["Phone"] for r in csv.DictReader(fh))


# As an iPhone writes numbers the user labelled: Apple's own labels (_$!<Mobile>!$_, _$!<HomeFAX>!$_ …)
# and the user's own words, each on a group (item1.TEL) with its X-ABLabel, the landline written first.
IPHONE_LABELS = vcf(
    "BEGIN:VCARD", "VERSION:3.0", "PRODID:-//Apple Inc.//iPhone OS 17.4//EN", "N:Ng;Ava;;;", "FN:Ava Ng",
    "item1.TEL;type=pref:+1 (212) 555-0101", "item1.X-ABLabel:_$!<Main>!$_",
    "item2.TEL:+1 (917) 555-0102", "item2.X-ABLabel:_$!<Mobile>!$_", "END:VCARD",
    "BEGIN:VCARD", "VERSION:3.0", "N:Orr;Ben;;;", "FN:Ben Orr",
    "TEL;type=HOME;type=VOICE:+1 (718) 555-0103",
    "item1.TEL:+1 (917) 555-0104", "item1.X-ABLabel:Work cell", "END:VCARD",
    "BEGIN:VCARD", "VERSION:3.0", "N:Paz;Cruz;;;", "FN:Cruz Paz",
    "item1.TEL:+1 (212) 555-0105", "item1.X-ABLabel:_$!<WorkFAX>!$_",
    "TEL;type=WORK;type=VOICE:+1 (212) 555-0106",
    "item2.TEL:+1 (917) 555-0107", "item2.X-ABLabel:Móvil", "END:VCARD",
    "BEGIN:VCARD", "VERSION:3.0", "N:Roth;Dora;;;", "FN:Dora Roth",
    "TEL;type=HOME;type=VOICE:+1 (718) 555-0108",
    "item1.TEL:+1 (917) 555-0109", "item1.X-ABLabel:Handy", "END:VCARD",
    "BEGIN:VCARD", "VERSION:3.0", "N:Sato;Eli;;;", "FN:Eli Sato",
    "item1.TEL:+1 (212) 555-0110", "item1.X-ABLabel:_$!<HomeFAX>!$_", "END:VCARD",
)


def test_an_iphone_number_labelled_mobile_is_the_one_texted_and_one_labelled_fax_is_no_phone(tmp_path, capsys):
    contacts = tmp_path / "labels.vcf"
    contacts.write_bytes(IPHONE_LABELS)
    ws = tmp_path / "shop.omnidesk"
    status, out, err = run_cli(capsys, "import", contacts, "-w", ws, "--region", "US", "--json")
    assert status == 0, err
    customers = {c["first_name"]: c["phone"] for c in _export(capsys, ws, "customers", tmp_path / "customers.csv")}
    # The number the card prefers first; else the one labelled a mobile, in any words, before a landline.
    assert customers == {"Ava": "+12125550101", "Ben": "+19175550104", "Cruz": "+19175550107",
                         "Dora": "+19175550109", "Eli": ""}
    sources = {s["first_name"]: s for s in _export(capsys, ws, "sources", tmp_path / "sources.csv")}
    with Workspace.open(ws) as w, w.engine.connect() as conn:
        cruz = dict(raw_record(w, int(sources["Cruz"]["record_id"])))
        eli = dict(raw_record(w, int(sources["Eli"]["record_id"])))
        phones = {v for (v,) in conn.exec_driver_sql("SELECT value FROM identifier WHERE kind = 'phone'").all()}
    assert (cruz["Phone 1 - Type"], cruz["Phone 1 - Value"], cruz["Phone 2 - Type"]) == (
        "Móvil", "+1 (917) 555-0107", "Work")
    assert "TEL (WorkFAX): +1 (212) 555-0105" in cruz["Other Fields"]
    assert eli["Other Fields"] == "TEL (HomeFAX): +1 (212) 555-0110" and eli["Phone 1 - Value"] == ""
    assert not {"+12125550105", "+12125550110"} & phones
    assert _sms_pack_phones(capsys, ws, tmp_path, 5) == ["+12125550101", "+19175550104", "+19175550107",
                                                         "+19175550109"]


@pytest.mark.parametrize("label", ["Mobile", "cell", "Portable", "celular", "Cellulare", "iPhone", "_$!<Mobile>!$_"])
def test_a_number_labelled_a_mobile_in_any_common_word_comes_before_a_landline(tmp_path, capsys, label):
    contacts = tmp_path / "one.vcf"
    contacts.write_bytes(vcf("BEGIN:VCARD", "VERSION:3.0", "N:Ng;Ava;;;", "FN:Ava Ng",
                             "item1.TEL:+1 (212) 555-0101", "item1.X-ABLabel:_$!<Home>!$_",
                             "item2.TEL:+1 (917) 555-0102", f"item2.X-ABLabel:{label}", "END:VCARD"))
    ws = tmp_path / "shop.omnidesk"
    status, _, err = run_cli(capsys, "import", contacts, "-w", ws, "--region", "US")
    assert status == 0, err
    assert [c["phone"] for c in _export(capsys, ws, "customers", tmp_path / "customers.csv")] == ["+19175550102"]


# A pager: a number to page, never one to text.  Alone on a card, written as a type or as an iPhone's label,
# and one the card prefers before a mobile.
PAGERS = vcf(
    "BEGIN:VCARD", "VERSION:2.1", "N:Vance;Gil", "FN:Gil Vance", "TEL;PAGER;VOICE:(212) 555-0120", "END:VCARD",
    "BEGIN:VCARD", "VERSION:3.0", "N:Wu;Hal;;;", "FN:Hal Wu",
    "item1.TEL:+1 (212) 555-0121", "item1.X-ABLabel:_$!<Pager>!$_", "END:VCARD",
    "BEGIN:VCARD", "VERSION:3.0", "N:Yu;Ivy;;;", "FN:Ivy Yu",
    "item1.TEL;type=pref:+1 (212) 555-0122", "item1.X-ABLabel:_$!<Pager>!$_",
    "item2.TEL:+1 (917) 555-0123", "item2.X-ABLabel:_$!<Mobile>!$_", "END:VCARD",
)


def test_a_pager_is_kept_with_the_card_and_is_never_the_customers_phone(tmp_path, capsys):
    contacts = tmp_path / "pagers.vcf"
    contacts.write_bytes(PAGERS)
    ws = tmp_path / "shop.omnidesk"
    status, _, err = run_cli(capsys, "import", contacts, "-w", ws, "--region", "US")
    assert status == 0, err
    customers = {c["first_name"]: c["phone"] for c in _export(capsys, ws, "customers", tmp_path / "customers.csv")}
    assert customers == {"Gil": "", "Hal": "", "Ivy": "+19175550123"}
    sources = {s["first_name"]: s for s in _export(capsys, ws, "sources", tmp_path / "sources.csv")}
    with Workspace.open(ws) as w, w.engine.connect() as conn:
        cards = {n: dict(raw_record(w, int(s["record_id"]))) for n, s in sources.items()}
        phones = {v for (v,) in conn.exec_driver_sql("SELECT value FROM identifier WHERE kind = 'phone'").all()}
    assert phones == {"+19175550123"}
    assert (cards["Gil"]["Other Fields"], cards["Gil"]["Phone 1 - Value"]) == ("TEL (Pager): (212) 555-0120", "")
    assert (cards["Hal"]["Other Fields"], cards["Hal"]["Phone 1 - Value"]) == ("TEL (Pager): +1 (212) 555-0121", "")
    assert (cards["Ivy"]["Phone 1 - Type"], cards["Ivy"]["Phone 1 - Value"]) == ("Mobile", "+1 (917) 555-0123")
    assert cards["Ivy"]["Other Fields"] == "TEL (Pager): +1 (212) 555-0122"
    assert _sms_pack_phones(capsys, ws, tmp_path, 3) == ["+19175550123"]
