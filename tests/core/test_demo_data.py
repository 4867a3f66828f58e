"""The demo generator writes real vendor formats, deterministically, with ground truth."""

from __future__ import annotations

import csv
import io
import re
import sys
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from omnidesk.core import demo_data
from omnidesk.core.demo_data import (
    GOOGLE_CONTACTS_HEADER,
    MAILCHIMP_SUBSCRIBED_HEADER,
    MAILCHIMP_UNSUBSCRIBED_HEADER,
    SHOPIFY_CUSTOMERS_HEADER,
    SHOPIFY_ORDER_LINE_COLUMNS,
    SHOPIFY_ORDERS_HEADER,
    DemoFile,
    file_format,
    write_demo_files,
)

TODAY = date(2026, 11, 1)


def _read(path: Path) -> list[list[str]]:
    fmt = file_format(path.name)
    text = path.read_bytes().decode(fmt.encoding)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=fmt.delimiter))


def _dicts(path: Path) -> list[dict[str, str]]:
    rows = _read(path)
    return [dict(zip(rows[0], r)) for r in rows[1:]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, list[DemoFile]]:
    directory = tmp_path_factory.mktemp("demo")
    return directory, write_demo_files(directory, labels=True)


@pytest.fixture(scope="module")
def by_name(demo) -> dict[str, DemoFile]:
    return {f.path.name: f for f in demo[1]}


@pytest.fixture(scope="module")
def labels(demo) -> dict[str, dict[int, str]]:
    out: dict[str, dict[int, str]] = defaultdict(dict)
    for row in _dicts(demo[0] / "labels.csv"):
        key = int(row["record_no"])
        assert key not in out[row["file"]], "a record is labelled twice"
        out[row["file"]][key] = row["person_id"]
    return out


def _one(by_name, prefix: str) -> DemoFile:
    [match] = [f for name, f in by_name.items() if name.startswith(prefix)]
    return match


def test_same_arguments_give_byte_identical_files(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_demo_files(a, customers=120, seed=7, labels=True)
    write_demo_files(b, customers=120, seed=7, labels=True)
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    assert "labels.csv" in names
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    c = tmp_path / "c"
    write_demo_files(c, customers=120, seed=8)
    assert (a / "customers_export.csv").read_bytes() != (c / "customers_export.csv").read_bytes()


def test_the_expected_files_are_described(demo, by_name):
    directory, files = demo
    names = set(by_name)
    for fixed in ("customers_export.csv", "orders_export.csv", "email_activity.csv",
                  "till_transactions.csv", "till_loyalty_members.csv", "sms_subscribers.csv",
                  "contacts.csv"):
        assert fixed in names
    assert re.fullmatch(r"subscribed_members_export_[0-9a-f]{10}\.csv", _one(by_name, "subscribed_").path.name)
    assert re.fullmatch(r"unsubscribed_members_export_[0-9a-f]{10}\.csv", _one(by_name, "unsubscribed_").path.name)
    assert any(n.startswith("leads_") for n in names)
    assert "labels.csv" not in names
    for f in files:
        assert f.path.parent == directory and f.path.is_file()
        assert f.channel in {"shop", "email", "pos", "social", "sms", "contacts", "web"}
        assert f.kind in {"contacts", "events"}
        assert f.description
    presets = {f.path.name: f.preset for f in files}
    assert presets["customers_export.csv"] == "shopify_customers"
    assert presets["orders_export.csv"] == "shopify_orders"
    assert presets["contacts.csv"] == "google_contacts"
    assert presets["email_activity.csv"] is None and presets["till_transactions.csv"] is None
    assert _one(by_name, "subscribed_").preset == "mailchimp_subscribed"
    assert _one(by_name, "unsubscribed_").preset == "mailchimp_unsubscribed"
    assert {f.preset for n, f in by_name.items() if n.startswith("leads_")} == {"meta_leads"}
    assert by_name["orders_export.csv"].kind == "events"
    assert by_name["till_loyalty_members.csv"].channel == "pos"


def test_every_file_decodes_with_its_delimiter_and_header(by_name):
    expected = {
        "customers_export.csv": SHOPIFY_CUSTOMERS_HEADER,
        "orders_export.csv": SHOPIFY_ORDERS_HEADER,
        "email_activity.csv": ("Email", "Campaign", "Action", "Timestamp"),
        "till_transactions.csv": ("Date", "Time", "Receipt No", "Customer", "Mobile",
                                  "Loyalty Card", "Items", "Total"),
        "till_loyalty_members.csv": ("Card No", "Customer Name", "Mobile", "E-mail address",
                                     "Date of birth", "Signed up"),
        "sms_subscribers.csv": ("Phone", "First name", "Opted in", "Opt-in date"),
        "contacts.csv": GOOGLE_CONTACTS_HEADER,
    }
    for name, f in by_name.items():
        rows = _read(f.path)
        header = tuple(rows[0])
        if name in expected:
            assert header == expected[name], name
        elif name.startswith("subscribed_"):
            assert header == MAILCHIMP_SUBSCRIBED_HEADER
        elif name.startswith("unsubscribed_"):
            assert header == MAILCHIMP_UNSUBSCRIBED_HEADER
            assert header[-9:-4] == ("UNSUB_TIME", "UNSUB_CAMPAIGN_TITLE", "UNSUB_CAMPAIGN_ID",
                                     "UNSUB_REASON", "UNSUB_REASON_OTHER")
        assert len(rows) > 1, name
        assert all(len(r) == len(header) for r in rows), name
    assert SHOPIFY_CUSTOMERS_HEADER[:20] == (
        "Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing",
        "Default Address Company", "Default Address Address1", "Default Address Address2",
        "Default Address City", "Default Address Province Code", "Default Address Country Code",
        "Default Address Zip", "Default Address Phone", "Phone", "Accepts SMS Marketing",
        "Total Spent", "Total Orders", "Note", "Tax Exempt", "Tags")
    for col in ("Billing Name", "Billing Phone", "Billing City", "Billing Zip", "Billing Country"):
        assert col in SHOPIFY_ORDERS_HEADER


def test_excel_like_exports_use_crlf_and_no_bom(by_name):
    for name in ("customers_export.csv", "orders_export.csv", "contacts.csv"):
        data = by_name[name].path.read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf")
        assert data.endswith(b"\r\n") and b"\n" not in data.split(b"\r\n", 1)[0]
        if name != "contacts.csv":  # Google's formatted addresses hold bare newlines
            assert data.count(b"\n") == data.count(b"\r\n")


def test_shopify_customers_conventions(by_name):
    rows = _dicts(by_name["customers_export.csv"].path)
    assert all(re.fullmatch(r"'\d{13}", r["Customer ID"]) for r in rows)
    assert len({r["Customer ID"] for r in rows}) == len(rows)
    assert len({r["Email"].strip().lower() for r in rows}) == len(rows), "Shopify keys accounts on email"
    zips = [r["Default Address Zip"] for r in rows if r["Default Address Zip"]]
    assert any(z.startswith("'0") for z in zips)
    assert all(not z[:1] == "0" for z in zips), "leading-zero zips carry the guard"
    for col in ("Accepts Email Marketing", "Accepts SMS Marketing", "Tax Exempt"):
        assert {r[col] for r in rows} <= {"yes", "no"}
    assert any(", " in r["Tags"] for r in rows)
    assert any("vip" in r["Tags"].split(", ") for r in rows)
    assert {r["Loyalty tier (customer.metafields.custom.tier)"] for r in rows} <= {"", "Bronze", "Silver", "Gold"}
    assert all(re.fullmatch(r"\+\d{8,15}", r["Phone"]) for r in rows if r["Phone"])


def test_shopify_orders_are_one_row_per_line_item(by_name):
    rows = _dicts(by_name["orders_export.csv"].path)
    orders: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        orders[r["Name"]].append(r)
    assert any(len(lines) > 1 for lines in orders.values())
    assert all(re.fullmatch(r"#\d{4,}", name) for name in orders)
    first_only = [c for c in SHOPIFY_ORDERS_HEADER if c not in SHOPIFY_ORDER_LINE_COLUMNS]
    created_pat = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d -0[45]00")
    spent: dict[str, Decimal] = defaultdict(Decimal)
    count: dict[str, int] = defaultdict(int)
    for name, lines in orders.items():
        head, rest = lines[0], lines[1:]
        assert head["Email"] and head["Total"] and created_pat.fullmatch(head["Created at"])
        assert head["Currency"] == "USD"
        for line in rest:
            assert all(line[c] == "" for c in first_only), name
            assert line["Lineitem name"] and line["Lineitem quantity"]
        subtotal = sum(Decimal(x["Lineitem price"]) * int(x["Lineitem quantity"]) for x in lines)
        assert Decimal(head["Subtotal"]) == subtotal
        total = (Decimal(head["Subtotal"]) - Decimal(head["Discount Amount"])
                 + Decimal(head["Shipping"]) + Decimal(head["Taxes"]))
        assert Decimal(head["Total"]) == total
        created = datetime.strptime(head["Created at"][:19], "%Y-%m-%d %H:%M:%S").date()
        assert TODAY - timedelta(days=365) <= created < TODAY
        email = head["Email"]
        count[email] += 1
        if head["Financial Status"] != "refunded":
            spent[email] += Decimal(head["Total"])
    customers = _dicts(by_name["customers_export.csv"].path)
    assert len(customers) == len(count)
    for c in customers:
        assert int(c["Total Orders"]) == count[c["Email"]]
        assert Decimal(c["Total Spent"]) == spent[c["Email"]]


def test_mailchimp_quotes_every_field_and_tags_in_one_cell(by_name):
    quoted = re.compile(r'"(?:[^"]|"")*"(?:,"(?:[^"]|"")*")*')
    for prefix in ("subscribed_", "unsubscribed_"):
        path = _one(by_name, prefix).path
        lines = path.read_bytes().decode("utf-8").split("\n")
        assert lines[-1] == ""
        for line in lines[:-1]:
            assert quoted.fullmatch(line), line
    rows = _dicts(_one(by_name, "subscribed_").path)
    tags = [r["TAGS"] for r in rows if r["TAGS"]]
    assert any(re.fullmatch(r'"[^"]+"(,"[^"]+")+', t) for t in tags)
    assert all(re.fullmatch(r'"[^"]+"(,"[^"]+")*', t) for t in tags)
    assert all(re.fullmatch(r"\d{2}/\d{2}", r["Birthday"]) for r in rows if r["Birthday"])
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", r["CONFIRM_TIME"]) for r in rows)
    assert any(r["OPTIN_TIME"] for r in rows)
    assert all(r["LEID"].isdigit() and re.fullmatch(r"[0-9a-f]{10}", r["EUID"]) for r in rows)
    unsub = _dicts(_one(by_name, "unsubscribed_").path)
    assert all(r["UNSUB_TIME"] and r["UNSUB_CAMPAIGN_TITLE"] and r["UNSUB_REASON"] for r in unsub)
    emails = [r["Email Address"].lower() for r in rows + unsub]
    assert len(emails) == len(set(emails)), "one membership per address"


def test_email_activity_follows_the_list(by_name):
    rows = _dicts(by_name["email_activity.csv"].path)
    assert {r["Action"] for r in rows} == {"sent", "open", "click"}
    campaigns = {r["Campaign"] for r in rows}
    assert 10 <= len(campaigns) <= 13
    members = {r["Email Address"] for r in _dicts(_one(by_name, "subscribed_").path)}
    members |= {r["Email Address"] for r in _dicts(_one(by_name, "unsubscribed_").path)}
    assert {r["Email"] for r in rows} <= members
    sent = sum(r["Action"] == "sent" for r in rows)
    opened = len({(r["Email"], r["Campaign"]) for r in rows if r["Action"] == "open"})
    clicked = len({(r["Email"], r["Campaign"]) for r in rows if r["Action"] == "click"})
    assert 0.25 < opened / sent < 0.55
    assert 0.01 < clicked / sent < 0.10
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", r["Timestamp"]) for r in rows)


def test_till_files_are_european_excel_style(by_name, labels):
    members_raw = by_name["till_loyalty_members.csv"].path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        # cp1252 accents are single bytes, which UTF-8 rejects.
        (members_raw + by_name["till_transactions.csv"].path.read_bytes()).decode("utf-8")
    assert members_raw.split(b"\r\n", 1)[0] == b"Card No;Customer Name;Mobile;E-mail address;Date of birth;Signed up"
    members = _dicts(by_name["till_loyalty_members.csv"].path)
    assert all(", " in r["Customer Name"] for r in members)
    assert any(r["Customer Name"].isupper() for r in members)
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", r["Signed up"]) for r in members)
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", r["Date of birth"]) for r in members if r["Date of birth"])
    rows = _dicts(by_name["till_transactions.csv"].path)
    assert all(re.fullmatch(r"\d+,\d\d", r["Total"]) for r in rows)
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", r["Date"]) for r in rows)
    walk_ins = [i for i, r in enumerate(rows, 1) if not (r["Customer"] or r["Mobile"] or r["Loyalty Card"])]
    assert walk_ins
    labelled = labels["till_transactions.csv"]
    assert not set(walk_ins) & set(labelled)
    assert len(labelled) + len(walk_ins) == len(rows)
    assert all(", " in r["Customer"] for r in rows if r["Customer"])


def test_meta_leads_are_utf16_tabbed_with_type_prefixes(by_name):
    leads = [f for name, f in by_name.items() if name.startswith("leads_")]
    for f in leads:
        raw = f.path.read_bytes()
        assert raw.startswith(b"\xff\xfe")
        text = raw[2:].decode("utf-16-le")
        header = text.split("\r\n", 1)[0].split("\t")
        assert header[:12] == ["id", "created_time", "ad_id", "ad_name", "adset_id", "adset_name",
                               "campaign_id", "campaign_name", "form_id", "form_name",
                               "is_organic", "platform"]
        assert header[12].endswith("?")
        assert header[-5:] == ["email", "full_name", "phone_number", "zip_code", "lead_status"]
        rows = _dicts(f.path)
        for r in rows:
            assert re.fullmatch(r"l:\d+", r["id"])
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000", r["created_time"])
            assert r["platform"] in {"fb", "ig"}
            assert r["form_id"].startswith("f:")
            assert r["is_organic"] in {"true", "false"}
            if r["is_organic"] == "false":
                assert r["ad_id"].startswith("ag:") and r["adset_id"].startswith("as:")
                assert r["campaign_id"].startswith("c:")
            assert r["phone_number"] == "" or re.fullmatch(r"p:\+\d{8,15}", r["phone_number"])
            assert r["zip_code"] == "" or r["zip_code"].startswith("z:")
        assert any(r["phone_number"] for r in rows)
        assert {r["platform"] for r in rows} == {"fb", "ig"} or len(rows) < 10


def test_sms_and_google_contacts_conventions(by_name):
    sms = _dicts(by_name["sms_subscribers.csv"].path)
    shapes = {re.sub(r"\d", "9", r["Phone"]) for r in sms}
    assert {"(999) 999-9999", "999.999.9999", "+9 999 999 9999"} <= shapes
    assert {r["Opted in"] for r in sms} == {"yes", "no"}
    raw = by_name["contacts.csv"].path.read_bytes().decode("utf-8")
    google = _dicts(by_name["contacts.csv"].path)
    assert all(r["Labels"].startswith("* myContacts") for r in google)
    assert any(" ::: " in r["Labels"] for r in google)
    assert any(re.fullmatch(r"--\d\d-\d\d", r["Birthday"]) for r in google)
    assert any("\n" in r["Address 1 - Formatted"] for r in google) and '"' in raw


def test_labels_cover_every_record(demo, by_name, labels):
    directory, files = demo
    people: set[str] = set()
    for f in files:
        n = len(_read(f.path)) - 1
        got = labels[f.path.name]
        if f.path.name == "till_transactions.csv":
            assert set(got) < set(range(1, n + 1))
        else:
            assert set(got) == set(range(1, n + 1)), f.path.name
        people |= set(got.values())
    assert len(people) == 300
    assert set(labels) == {f.path.name for f in files}


def _channels_by_person(files, labels) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for f in files:
        for pid in labels[f.path.name].values():
            out[pid].add(f.channel)
    return out


def test_channel_overlap_looks_like_a_real_shop(demo, labels):
    channels = _channels_by_person(demo[1], labels)
    n = len(channels)
    share = {c: sum(c in s for s in channels.values()) / n
             for c in ("shop", "email", "pos", "social", "sms", "contacts")}
    targets = {"shop": 0.60, "email": 0.55, "pos": 0.35, "social": 0.15, "sms": 0.20, "contacts": 0.10}
    for c, target in targets.items():
        assert abs(share[c] - target) < 0.09, (c, share[c])
    multi = sum(len(s) >= 2 for s in channels.values()) / n
    two_three = sum(2 <= len(s) <= 3 for s in channels.values()) / n
    assert multi > 0.7 and two_three > 0.6


def _contact_records(files, labels):
    """(pid, first, last, email) from every contacts file, via the ground truth."""
    for f in files:
        if f.kind != "contacts":
            continue
        rows = _dicts(f.path)
        for i, r in enumerate(rows, start=1):
            pid = labels[f.path.name][i]
            email = (r.get("Email") or r.get("Email Address") or r.get("email")
                     or r.get("E-mail address") or r.get("E-mail 1 - Value") or "")
            first = r.get("First Name") or r.get("First name") or ""
            last = r.get("Last Name") or ""
            if r.get("Customer Name"):
                last, _, first = r["Customer Name"].partition(", ")
            yield pid, first, last, email


def test_families_share_an_email_and_strangers_share_a_name(demo, labels):
    by_email: dict[str, set[str]] = defaultdict(set)
    by_name: dict[tuple[str, str], set[str]] = defaultdict(set)
    for pid, first, last, email in _contact_records(demo[1], labels):
        for one in email.split(" ::: "):
            if one.strip():
                by_email[one.strip().lower()].add(pid)
        if first and last:
            by_name[(first, last)].add(pid)
    assert any(len(pids) >= 2 for pids in by_email.values())
    assert any(len(pids) >= 2 for pids in by_name.values())
    customers = _dicts(demo[0] / "customers_export.csv")
    names = defaultdict(int)
    for r in customers:
        names[(r["First Name"], r["Last Name"])] += 1
    assert max(names.values()) >= 2


def test_noise_varies_one_person_across_channels(demo, labels):
    emails: dict[str, set[str]] = defaultdict(set)
    firsts: dict[str, set[str]] = defaultdict(set)
    for pid, first, last, email in _contact_records(demo[1], labels):
        if email and " ::: " not in email:
            emails[pid].add(email)
        if first:
            firsts[pid].add(first.strip().title())
    case_only = [s for s in emails.values() if len(s) > 1 and len({e.strip().lower() for e in s}) == 1]
    assert case_only, "some address differs only in case or whitespace"
    two_addresses = [s for s in emails.values() if len({e.strip().lower() for e in s}) > 1]
    assert two_addresses, "some people use different addresses in different channels"
    nicknames = {(row["name"], nick) for row in demo_data.word_rows("first_names.csv")
                 for nick in row["nicknames"].split("|") if nick}
    assert any((full, nick) in nicknames for names in firsts.values() for full in names for nick in names)


def test_contact_data_is_fictional(demo):
    directory, files = demo
    us_phone = re.compile(r"(?:\+?1[ .-]?)?\(?(\d{3})\)?[ .-]?(\d{3})[ .-]?(\d{4})")
    text = "\n".join(f.path.read_bytes().decode(file_format(f.path.name).encoding) for f in files)
    for m in re.finditer(r"@([A-Za-z0-9.-]+)", text):
        domain = m.group(1).lower().rstrip(".")
        assert domain.endswith((".example", "example.com", "example.net", "example.org")), domain
    found = 0
    for f in files:
        for r in _dicts(f.path):
            for col in ("Phone", "Default Address Phone", "Billing Phone", "Mobile", "phone_number",
                        "Phone Number", "Phone 1 - Value"):
                for value in (r.get(col) or "").split(" ::: "):
                    value = value.removeprefix("p:")
                    if not value or value.startswith(("+44", "+33", "+49", "0")):
                        continue
                    m = us_phone.fullmatch(value)
                    assert m, (f.path.name, col, value)
                    assert m.group(2) == "555" and m.group(3).startswith("01"), value
                    found += 1
    assert found > 100


def test_customer_count_scales(tmp_path):
    small = write_demo_files(tmp_path / "small", customers=50, labels=True)
    small_labels = _dicts(tmp_path / "small" / "labels.csv")
    assert len({r["person_id"] for r in small_labels}) == 50
    assert all(f.path.is_file() for f in small)
    big = write_demo_files(tmp_path / "big", customers=2000, labels=True)
    big_labels = _dicts(tmp_path / "big" / "labels.csv")
    assert len({r["person_id"] for r in big_labels}) == 2000
    big_rows = len(_read(tmp_path / "big" / "customers_export.csv"))
    small_rows = len(_read(tmp_path / "small" / "customers_export.csv"))
    assert big_rows > 20 * small_rows
    assert [f.path.name for f in big][:2] == ["customers_export.csv", "orders_export.csv"]


def test_tiny_and_invalid_counts(tmp_path):
    files = write_demo_files(tmp_path / "one", customers=1, labels=True)
    assert all(f.path.is_file() for f in files)
    with pytest.raises(ValueError):
        write_demo_files(tmp_path / "none", customers=0)


def test_today_moves_the_window(tmp_path):
    write_demo_files(tmp_path, customers=40, today=date(2025, 6, 15))
    rows = _dicts(tmp_path / "orders_export.csv")
    dates = [datetime.strptime(r["Created at"][:10], "%Y-%m-%d").date() for r in rows if r["Created at"]]
    assert min(dates) >= date(2024, 6, 15) and max(dates) < date(2025, 6, 15)
    assert not (tmp_path / "labels.csv").exists()


def test_resource_dir_finds_the_word_lists(monkeypatch, tmp_path):
    assert (demo_data.resource_dir() / "first_names.csv").is_file()
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert demo_data.resource_dir() == tmp_path / "resources" / "demo"
