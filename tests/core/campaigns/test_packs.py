"""Send packs as each channel's tool reads them: written, parsed back with csv, checked cell by cell."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from omnidesk.core.campaigns.packs import (
    EMAIL_COLUMNS,
    SMS_COLUMNS,
    EmailRecipient,
    SmsRecipient,
    SocialPost,
    slug,
    social_post_problem,
    write_bytes_file,
    write_email_audience,
    write_email_bodies,
    write_sms_pack,
    write_social_pack,
)
from omnidesk.core.errors import UserError
from omnidesk.core.exporting.outfiles import OutputExistsError
from omnidesk.core.workspace import Workspace

FORMULA = '=HYPERLINK("http://evil.example","click")'
BOM = b"\xef\xbb\xbf"


def _read(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert not raw.startswith(BOM)
    return list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))


def _ann(**changes) -> EmailRecipient:
    values = dict(customer_id=1, email="ann@example.com", first_name="Ann", last_name="Lee",
                  tags=("vip", "spring sale"), fields={"Subject": "Ann, 20% off", "Last Product": "Tea, green"})
    values.update(changes)
    return EmailRecipient(**values)


def _sms(**changes) -> SmsRecipient:
    values = dict(customer_id=7, phone="+14155550100", text="Hi Ann, 20% off today. Reply STOP to opt out",
                  segments=1, encoding="GSM-7", send_at_utc=datetime(2026, 3, 8, 14, 0, tzinfo=UTC),
                  zone="America/New_York")
    values.update(changes)
    return SmsRecipient(**values)


@pytest.fixture
def workspace_file(tmp_path) -> Path:
    path = tmp_path / "shop.omnidesk"
    with Workspace.create(path):
        pass
    return path


# -- email ---------------------------------------------------------------------------

def test_email_audience_is_mailchimps_layout_with_tags_in_one_quoted_cell(tmp_path):
    out = tmp_path / "spring-sale_email.csv"
    rows = [_ann(), _ann(customer_id=2, email="bo@example.com", first_name="Bo", last_name="", tags=(),
                         fields={"Subject": "Bo, 20% off"})]
    assert write_email_audience(out, rows, ["Subject", "Last Product"]) == 2

    header, *data = _read(out)
    assert header == [*EMAIL_COLUMNS, "Subject", "Last Product"] == \
        ["Email Address", "First Name", "Last Name", "Tags", "Subject", "Last Product"]
    assert data == [
        ["ann@example.com", "Ann", "Lee", "vip,spring sale", "Ann, 20% off", "Tea, green"],
        ["bo@example.com", "Bo", "", "", "Bo, 20% off", ""],  # no such field: an empty cell
    ]
    assert '"vip,spring sale"' in out.read_text(encoding="utf-8")


def test_email_audience_neutralises_formulas_in_names_and_fields(tmp_path):
    out = tmp_path / "a.csv"
    write_email_audience(out, [_ann(first_name=FORMULA, last_name="@SUM(A1)", fields={"Subject": "+cmd|x"})],
                         ["Subject"])
    (_, row) = _read(out)
    assert row[1] == "'" + FORMULA
    assert row[2] == "'@SUM(A1)"
    assert row[4] == "'+cmd|x"
    assert not [cell for cell in row if cell[:1] in "=@+"]



def test_email_audience_drops_the_controls_that_would_turn_a_message_round(tmp_path):
    """The sending tool puts First Name into the message as it stands: a name holding U+202E would
    turn the rest of its line round there (the opt-out line too), as it did in our own render."""
    out = tmp_path / "a.csv"
    write_email_audience(out, [_ann(first_name="\u202eevil", last_name="\u2066Lee\u2069\u200f",
                                    fields={"Subject": "\u202bAnn\u202c, 20% off"})], ["Subject"])
    (_, row) = _read(out)
    assert row[1:3] == ["evil", "Lee"] and row[4] == "Ann, 20% off"
    write_email_audience(tmp_path / "b.csv", [_ann(first_name="محمد")], [])
    assert _read(tmp_path / "b.csv")[1][1] == "محمد"  # a right-to-left name itself is kept as written


def test_email_audience_keeps_addresses_that_start_with_a_sign_and_neutralises_the_rest(tmp_path):
    out = tmp_path / "a.csv"
    rows = [_ann(email="+1-555-hack@example.com", first_name="-2+3"),
            _ann(customer_id=2, email="-news@example.com", first_name="+cmd|' /C calc'!A0", last_name="=1+1")]
    write_email_audience(out, rows, [])
    (_, first, second) = _read(out)
    assert (first[0], first[1]) == ("+1-555-hack@example.com", "'-2+3")  # Mailchimp gets the address itself
    assert second[:3] == ["-news@example.com", "'+cmd|' /C calc'!A0", "'=1+1"]


def test_email_audience_with_a_bom_for_excel(tmp_path):
    out = tmp_path / "a.csv"
    write_email_audience(out, [_ann(first_name="Zoë")], [], excel=True)
    raw = out.read_bytes()
    assert raw.startswith(BOM)
    assert list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))[1][:3] == ["ann@example.com", "Zoë", "Lee"]


def test_a_tag_with_a_comma_or_a_field_named_like_a_column_is_refused_and_nothing_written(tmp_path):
    out = tmp_path / "a.csv"
    with pytest.raises(UserError, match=r"customer 5: the tag 'a,b' holds a comma"):
        write_email_audience(out, [_ann(), _ann(customer_id=5, tags=("a,b",))], [])
    assert not out.exists() and not list(tmp_path.iterdir())
    with pytest.raises(ValueError, match="repeats a column"):
        write_email_audience(out, [_ann()], ["email address"])
    with pytest.raises(ValueError, match="twice|repeats"):
        write_email_audience(out, [_ann()], ["Subject", "subject"])
    assert not out.exists()


def test_a_value_longer_than_a_mailchimp_field_is_refused_and_nothing_written(tmp_path):
    out = tmp_path / "a.csv"
    fits = "é" * 127 + "x"  # 255 bytes: Mailchimp keeps it whole
    write_email_audience(out, [_ann(first_name=fits, fields={"Favourite": "ü" * 127 + "y"})], ["Favourite"])
    assert _read(out)[1][1] == fits
    out.unlink()
    with pytest.raises(UserError, match=r"customer 7: Favourite is 256 bytes, and Mailchimp keeps only the first 255"):
        write_email_audience(out, [_ann(), _ann(customer_id=7, fields={"Favourite": "ü" * 128})], ["Favourite"])
    with pytest.raises(UserError, match=r"customer 8: Last Name is 256 bytes"):
        # 255 bytes as typed; the formula guard's apostrophe makes it 256 as written.
        write_email_audience(out, [_ann(customer_id=8, last_name="-" + "a" * 254)], [])
    assert not out.exists() and not list(tmp_path.iterdir())


def test_a_big_audience_is_written_in_chunks_in_order(tmp_path):
    out = tmp_path / "a.csv"
    rows = (_ann(customer_id=i, email=f"p{i}@example.com", tags=("t",) * (i % 3)) for i in range(20_000))
    assert write_email_audience(out, rows, ["Subject"]) == 20_000
    data = _read(out)[1:]
    assert [r[0] for r in data] == [f"p{i}@example.com" for i in range(20_000)]
    assert {r[3] for r in data} == {"", "t", "t,t"}


def test_email_bodies_are_two_utf8_files_named_after_the_slug(tmp_path):
    html_path, text_path = write_email_bodies(tmp_path, "spring-sale", "<p>Grüße, Ann</p>", "Grüße, Ann\n")
    assert (html_path.name, text_path.name) == ("spring-sale_email.html", "spring-sale_email.txt")
    assert html_path.read_bytes() == "<p>Grüße, Ann</p>".encode()
    assert text_path.read_bytes() == "Grüße, Ann\n".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spring-sale_email.html", "spring-sale_email.txt"]


def test_email_bodies_write_both_or_neither(tmp_path):
    (tmp_path / "s_email.txt").write_text("kept", encoding="utf-8")
    with pytest.raises(OutputExistsError):
        write_email_bodies(tmp_path, "s", "<p>new</p>", "new")
    assert not (tmp_path / "s_email.html").exists()  # the html was not written either
    assert (tmp_path / "s_email.txt").read_text(encoding="utf-8") == "kept"
    write_email_bodies(tmp_path, "s", "<p>new</p>", "new", overwrite=True)
    assert (tmp_path / "s_email.txt").read_text(encoding="utf-8") == "new"
    with pytest.raises(ValueError):
        write_email_bodies(tmp_path, "../s", "", "")


def test_write_bytes_file_is_checked_and_whole(tmp_path, workspace_file):
    out = tmp_path / "spring-sale_website.html"
    assert write_bytes_file(out, "<div>Grüße</div>\n".encode()) == out
    assert out.read_text(encoding="utf-8") == "<div>Grüße</div>\n"
    with pytest.raises(OutputExistsError):
        write_bytes_file(out, b"new")
    with pytest.raises(UserError, match="Will not write over"):
        write_bytes_file(workspace_file, b"x", overwrite=True)
    assert write_bytes_file(out, b"new", overwrite=True) == out and out.read_bytes() == b"new"


# -- SMS -----------------------------------------------------------------------------

def test_sms_pack_columns_times_in_utc_and_local_and_the_moved_note(tmp_path):
    out = tmp_path / "spring-sale_sms.csv"
    rows = [
        _sms(),
        # Sydney is in daylight time (UTC+11) in March: 14:00 UTC is 01:00 the next day, moved to 08:00.
        _sms(customer_id=8, phone="+61491570006", send_at_utc=datetime(2026, 3, 8, 21, 0, tzinfo=UTC),
             zone="Australia/Sydney", moved=True, text="Hi Jo — 20% off 🎉", segments=2, encoding="UCS-2"),
        _sms(customer_id=9, phone="+4915112345678", send_at_utc=datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
             zone="Europe/Berlin"),
    ]
    assert write_sms_pack(out, rows) == 3
    header, *data = _read(out)
    assert header == list(SMS_COLUMNS) == ["Phone", "Message", "Segments", "Encoding", "Send at (UTC)",
                                          "Send at (local)", "Time zone", "Note"]
    assert data[0] == ["+14155550100", "Hi Ann, 20% off today. Reply STOP to opt out", "1", "GSM-7",
                       "2026-03-08T14:00:00Z", "2026-03-08T10:00:00-04:00", "America/New_York", ""]
    assert data[1] == ["+61491570006", "Hi Jo — 20% off 🎉", "2", "UCS-2", "2026-03-08T21:00:00Z",
                       "2026-03-09T08:00:00+11:00", "Australia/Sydney", "moved out of quiet hours"]
    # Berlin moves its clocks at 01:00 UTC that day: 01:30 UTC is 03:30 summer time.
    assert data[2][4:7] == ["2026-03-29T01:30:00Z", "2026-03-29T03:30:00+02:00", "Europe/Berlin"]
    # The local time and the UTC time are the same instant.
    for row in data:
        assert datetime.fromisoformat(row[5]) == datetime.fromisoformat(row[4].replace("Z", "+00:00"))


def test_sms_pack_keeps_phones_as_numbers_and_neutralises_formula_texts(tmp_path):
    out = tmp_path / "s.csv"
    write_sms_pack(out, [_sms(text=FORMULA), _sms(text="-1+1 deal"), _sms(text="-25% today")])
    data = _read(out)[1:]
    assert [r[0] for r in data] == ["+14155550100"] * 3  # a number-looking cell, no apostrophe
    assert data[0][1] == "'" + FORMULA
    assert data[1][1] == "'-1+1 deal"
    assert data[2][1] == "'-25% today"


def test_sms_pack_with_a_bom_for_excel(tmp_path):
    out = tmp_path / "s.csv"
    write_sms_pack(out, [_sms()], excel=True)
    assert out.read_bytes().startswith(BOM + b"Phone,Message")


@pytest.mark.parametrize(("change", "message"), [
    ({"phone": "4155550100"}, r"customer 7: '4155550100' is not a phone number"),
    ({"phone": "=1+1"}, "is not a phone number"),
    ({"send_at_utc": datetime(2026, 3, 8, 14, 0)}, "customer 7: the send time has no time zone"),
    ({"zone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
    ({"zone": "Europe"}, "unknown time zone 'Europe'"),
])
def test_bad_sms_rows_stop_the_pack_and_leave_no_file(tmp_path, change, message):
    out = tmp_path / "s.csv"
    with pytest.raises((UserError, ValueError), match=message):
        write_sms_pack(out, [_sms(customer_id=3), _sms(**change)])
    assert not list(tmp_path.iterdir())


def test_a_big_sms_pack_keeps_order_across_chunks_and_a_bad_number_late_still_stops_it(tmp_path):
    def rows(bad_at=None):
        for i in range(20_000):
            yield _sms(customer_id=i, phone="+1415555" + ("x" if i == bad_at else f"{i:05d}"), moved=i % 2 == 0)

    out = tmp_path / "s.csv"
    assert write_sms_pack(out, rows()) == 20_000
    data = _read(out)[1:]
    assert [r[0] for r in data] == [f"+1415555{i:05d}" for i in range(20_000)]
    assert [r[7] for r in data[:2]] == ["moved out of quiet hours", ""]
    with pytest.raises(UserError, match=r"customer 17000: '\+1415555x' is not a phone number"):
        write_sms_pack(tmp_path / "t.csv", rows(bad_at=17_000))
    assert [p.name for p in tmp_path.iterdir()] == ["s.csv"]


def test_an_sms_pack_over_an_existing_file_needs_overwrite_and_never_replaces_a_workspace(tmp_path, workspace_file):
    before = workspace_file.read_bytes()
    for overwrite in (False, True):
        with pytest.raises(UserError, match="Will not write over"):
            write_sms_pack(workspace_file, [_sms()], overwrite=overwrite)
        with pytest.raises(UserError, match="Will not write over"):
            write_email_audience(workspace_file, [_ann()], [], overwrite=overwrite)
        with pytest.raises(UserError, match="Will not write over"):
            write_social_pack(workspace_file, "buffer", [], overwrite=overwrite)
    assert workspace_file.read_bytes() == before
    with sqlite3.connect(workspace_file) as conn:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)

    out = tmp_path / "s.csv"
    out.write_text("old", encoding="utf-8")
    with pytest.raises(OutputExistsError):
        write_sms_pack(out, [_sms()])
    assert out.read_text(encoding="utf-8") == "old"
    assert write_sms_pack(out, [_sms()], overwrite=True) == 1
    assert _read(out)[1][0] == "+14155550100"


def test_a_failure_midway_leaves_the_earlier_file_untouched(tmp_path):
    out = tmp_path / "s.csv"
    write_sms_pack(out, [_sms()])
    before = out.read_bytes()

    def rows():
        yield _sms()
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_sms_pack(out, rows(), overwrite=True)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.csv"]  # no .part left behind


# -- social --------------------------------------------------------------------------

def _posts() -> list[SocialPost]:
    berlin, ny = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
    return [
        SocialPost(text="Spring sale: 20% off, today only", link="https://shop.example/spring",
                   image_url="https://shop.example/spring.jpg", tags=("spring", "sale"),
                   at=datetime(2026, 3, 29, 9, 5, tzinfo=berlin), network="instagram"),
        SocialPost(text=FORMULA, link="", image_url="", tags=(),
                   at=datetime(2026, 11, 1, 18, 30, tzinfo=ny), network="x"),
    ]


def test_buffer_layout(tmp_path):
    out = tmp_path / "spring-sale_instagram.csv"
    assert write_social_pack(out, "buffer", _posts()) == 2
    assert _read(out) == [
        ["Text", "Image URL", "Tags", "Posting Time"],
        ["Spring sale: 20% off, today only", "https://shop.example/spring.jpg", "spring,sale", "2026-03-29 09:05"],
        ["'" + FORMULA, "", "", "2026-11-01 18:30"],
    ]


def test_hootsuite_layout_has_no_header_row_and_its_date_format(tmp_path):
    out = tmp_path / "h.csv"
    assert write_social_pack(out, "hootsuite", _posts()) == 2
    assert _read(out) == [
        ["03/29/2026 09:05", "Spring sale: 20% off, today only", "https://shop.example/spring"],
        ["11/01/2026 18:30", "'" + FORMULA, ""],
    ]


def test_hootsuite_gets_no_link_column_for_a_link_the_message_already_holds(tmp_path):
    """Hootsuite adds column C's link to the message: a link in the text was posted twice (and on X
    counted 23 characters more than the check said)."""
    at = datetime(2026, 3, 29, 9, 5, tzinfo=ZoneInfo("Europe/Berlin"))
    posts = [SocialPost(text="Spring sale https://shop.example/spring?utm_source=x", link="https://shop.example/"
                        "spring?utm_source=x", image_url="", tags=(), at=at, network="x"),
             SocialPost(text="Spring sale", link="https://shop.example/spring", image_url="", tags=(), at=at,
                        network="facebook")]
    out = tmp_path / "h.csv"
    assert write_social_pack(out, "hootsuite", posts) == 2
    assert [row[2] for row in _read(out)] == ["", "https://shop.example/spring"]


def test_a_time_off_hootsuites_five_minute_marks_is_named_and_refused_only_when_strict(tmp_path):
    off = SocialPost(text="t", link="", image_url="", tags=(), network="x",
                     at=datetime(2026, 5, 1, 9, 32, tzinfo=ZoneInfo("Europe/Berlin")))
    assert social_post_problem("hootsuite", off) == ("Hootsuite bulk composer takes only times on a 5-minute "
                                                     "mark; x at 2026-05-01 09:32 is not on one")
    assert [social_post_problem("hootsuite", p) for p in _posts()] == [None, None]
    assert social_post_problem("buffer", off) is None  # Buffer takes any minute
    with pytest.raises(UserError, match=r"post 3: Hootsuite bulk composer takes only times on a 5-minute mark; "
                                        r"x at 2026-05-01 09:32 is not on one; move the post"):
        write_social_pack(tmp_path / "h.csv", "hootsuite", [*_posts(), off], strict=True)
    assert not list(tmp_path.iterdir())
    # Not strict: written as it is, for Hootsuite's upload to point out.
    assert write_social_pack(tmp_path / "h.csv", "hootsuite", [off]) == 1
    assert _read(tmp_path / "h.csv") == [["05/01/2026 09:32", "t", ""]]


def test_generic_layout_keeps_every_field_and_the_offset(tmp_path):
    out = tmp_path / "g.csv"
    write_social_pack(out, "generic", _posts(), excel=True)
    assert out.read_bytes().startswith(BOM)
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert rows[0] == ["Network", "Posting Time", "Text", "Link", "Image URL", "Tags"]
    assert rows[1] == ["instagram", "2026-03-29T09:05:00+02:00", "Spring sale: 20% off, today only",
                       "https://shop.example/spring", "https://shop.example/spring.jpg", "spring, sale"]
    assert rows[2][:2] == ["x", "2026-11-01T18:30:00-05:00"]  # New York back on standard time


def test_unknown_layout_and_naive_post_times_are_refused(tmp_path):
    with pytest.raises(UserError, match=r"unknown social pack layout 'tweetdeck' \(known: buffer, generic, hootsuite\)"):
        write_social_pack(tmp_path / "x.csv", "tweetdeck", _posts())
    with pytest.raises(UserError, match="unknown social pack layout"):
        write_social_pack(tmp_path / "x.csv", "../presets/shopify", _posts())
    naive = SocialPost(text="t", link="", image_url="", tags=(), at=datetime(2026, 3, 1, 9), network="x")
    with pytest.raises(ValueError, match=r"post 2 \(x\): the time has no time zone"):
        write_social_pack(tmp_path / "x.csv", "buffer", [_posts()[0], naive])
    assert not list(tmp_path.iterdir())


# -- slug ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("Spring sale!", "spring-sale"),
    ("  Black   Friday -- 2026 ", "black-friday-2026"),
    ("Café crème & Brötchen", "cafe-creme-brotchen"),
    ("Ünïcödé_under_scores", "unicode-under-scores"),
    ("春のセール", "春のセール"),
    ("", "campaign"),
    ("!!!", "campaign"),
    ("CON", "con-campaign"),
    ("nul", "nul-campaign"),
    ("Com1", "com1-campaign"),
    ("LPT9", "lpt9-campaign"),
    ("con game", "con-game"),
    ("../../etc/passwd", "etc-passwd"),
])
def test_slug(text, expected):
    assert slug(text) == expected


def test_slug_is_short_and_cut_between_words():
    long = slug("The very long name of a campaign that somebody typed without ever stopping to think")
    assert len(long) <= 60 and not long.endswith("-")
    assert long == "the-very-long-name-of-a-campaign-that-somebody-typed-without"
    assert slug("x" * 200) == "x" * 60
