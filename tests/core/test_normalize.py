"""Tests for omnidesk.core.importing.normalize."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnidesk.core.importing.normalize import (
    DateOrder,
    Normalized,
    clean_cell,
    decide_date_order,
    default_date_order,
    detect_currency,
    normalize_country,
    normalize_name,
    normalize_postcode,
    parse_bool,
    parse_consent,
    parse_optout,
    parse_date,
    parse_datetime,
    parse_int,
    parse_money,
    split_full_name,
    split_multi,
    strip_type_prefix,
)

fast = settings(max_examples=80, deadline=None, database=None)

# --------------------------------------------------------------------------
# cells
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  hello  ", "hello"),
        ("\u00a0NBSP around\u00a0", "NBSP around"),
        ("\u200b\ufeffzero width\u200b", "zero width"),
        ("'7210123456", "7210123456"),
        ("'02134", "02134"),
        ("' +1 555", "' +1 555"),  # a guard sits right before the value
        ("'+15555550100", "+15555550100"),
        ("'=SUM(A1)", "=SUM(A1)"),
        ("'t Hooft", "'t Hooft"),
        ("line one\r\nline two\rthree", "line one\nline two\nthree"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_clean_cell(raw: str, expected: str) -> None:
    assert clean_cell(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("p:+15555550100", "+15555550100"),
        ("z:02134", "02134"),
        ("l:1234", "1234"),
        ("ag:99", "99"),
        ("as:5", "5"),
        ("c:Boston", "Boston"),
        ("f:abc", "abc"),
        ("  p:+1", "+1"),
        ("x:keep", "x:keep"),
        ("P:+1", "P:+1"),
        ("http://p:8080", "http://p:8080"),
        ("note p:+1", "note p:+1"),
    ],
)
def test_strip_type_prefix(raw: str, expected: str) -> None:
    assert strip_type_prefix(raw) == expected


# --------------------------------------------------------------------------
# names
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("JOHN O'NEIL", "John O'Neil"),
        ("mary-jane mcdonald", "Mary-Jane McDonald"),
        ("jan van der berg", "Jan van der Berg"),
        ("VAN DER BERG", "Van der Berg"),
        ("d'angelo", "D'Angelo"),
        ("bob's bikes", "Bob's Bikes"),
        ("JOHN SMITH III", "John Smith III"),
        ("  anna   maria  ", "Anna Maria"),
        ("ÉLODIE ÇELIK", "Élodie Çelik"),
        ("DeShawn", "DeShawn"),
        ("iPhone Repair Ltd", "iPhone Repair Ltd"),
        ("McDonald", "McDonald"),
        ("van Gogh", "van Gogh"),
        ("李小龍", "李小龍"),
        ("", ""),
    ],
)
def test_normalize_name(raw: str, expected: str) -> None:
    assert normalize_name(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("von goethe", "von Goethe"), ("VAN DER BERG", "van der Berg"), ("DE SOUSA", "de Sousa"),
    # A particle alone is the family name itself (Do, Du, Van are surnames).
    ("DO", "Do"), ("van", "Van"), ("SMITH", "Smith"), ("o'neil", "O'Neil"), ("Van Gogh", "Van Gogh"),
])
def test_a_family_name_in_its_own_column_keeps_its_particle_as_in_the_whole_name(raw: str, expected: str) -> None:
    """"johann" and "von goethe" in two columns read as "Johann von Goethe" written in one did, not
    "Johann Von Goethe" (which {last_name} and {full_name} then put in front of customers)."""
    assert normalize_name(raw, family=True) == expected


@fast
@given(st.text(alphabet=st.sampled_from(list("abcmoOAXZéÉ '-")), max_size=30))
def test_normalize_name_is_idempotent(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jane Smith", ("Jane", "Smith")),
        ("Smith, Jane", ("Jane", "Smith")),
        ("SMITH, JANE", ("Jane", "Smith")),
        ("Smith, Dr. Jane A.", ("Jane", "Smith")),
        ("Dr. Jane A. Smith", ("Jane", "Smith")),
        ("Mrs Jane Smith", ("Jane", "Smith")),
        ("prof jane smith", ("Jane", "Smith")),
        ("John Smith Jr.", ("John", "Smith Jr.")),
        ("John Smith, Jr.", ("John", "Smith Jr.")),
        ("John Paul Smith III", ("John", "Smith III")),
        ("Jan van der Berg", ("Jan", "van der Berg")),
        ("Ludwig van Beethoven", ("Ludwig", "van Beethoven")),
        ("Madonna", ("Madonna", "")),
        ("Mr. Smith", ("", "Smith")),
        ("  ", ("", "")),
    ],
)
def test_split_full_name(raw: str, expected: tuple[str, str]) -> None:
    assert split_full_name(raw) == expected


# --------------------------------------------------------------------------
# yes/no and consent
# --------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["yes", "YES", " y ", "true", "TRUE", "1", "x", "X", "oui", "Ja", "on", "✓"])
def test_parse_bool_true(raw: str) -> None:
    assert parse_bool(raw) == Normalized(True, None, raw)


@pytest.mark.parametrize("raw", ["no", "No", "n", "false", "0", "non", "nein", "off"])
def test_parse_bool_false(raw: str) -> None:
    assert parse_bool(raw) == Normalized(False, None, raw)


def test_parse_bool_other() -> None:
    assert parse_bool("") == Normalized(None, None, "")
    assert parse_bool(True).value is True
    assert parse_bool(0).value is False
    result = parse_bool("maybe")
    assert result.value is None and result.problem == "not a yes/no value: maybe"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("yes", "granted"),
        ("no", "denied"),
        ("TRUE", "granted"),
        ("0", "denied"),
        ("SUBSCRIBED", "granted"),
        ("NEVER SUBSCRIBED", "denied"),
        ("NOT_SUBSCRIBED", "denied"),
        ("UNSUBSCRIBED", "unsubscribed"),
        ("SUPPRESSED", "unsubscribed"),
        ("subscribed", "granted"),
        ("unsubscribed", "unsubscribed"),
        ("cleaned", "cleaned"),
        ("bounced", "cleaned"),
        ("pending", "pending"),
        ("Opted in", "granted"),
        ("opted-out", "unsubscribed"),
        ("opt_in", "granted"),
    ],
)
def test_parse_consent(raw: str, expected: str) -> None:
    assert parse_consent(raw) == Normalized(expected, None, raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # the flag is set: do not send
        ("yes", "unsubscribed"), ("TRUE", "unsubscribed"), ("1", "unsubscribed"), ("x", "unsubscribed"),
        ("2025-03-01", "unsubscribed"),  # Salesforce's EmailBouncedDate, an opt-out date
        ("Mailbox does not exist", "unsubscribed"),  # a bounce reason: any text is a bounce
        ("unreadable ???", "unsubscribed"),  # cannot be read as "nothing wrong": safely, an opt-out
        # the cell says more than the column
        ("Bounced", "cleaned"), ("HARD_BOUNCE", "cleaned"), ("Non-marketing contact", "denied"),
        # nothing wrong
        ("no", None), ("FALSE", None), ("0", None), ("none", None), ("N/A", None), ("-", None),
        ("Marketing contact", None), ("", None), ("  ", None),
    ],
)
def test_parse_optout(raw: str, expected: str | None) -> None:
    assert parse_optout(raw, "unsubscribed") == Normalized(expected, None, raw)


def test_parse_consent_unknown_and_empty() -> None:
    assert parse_consent(" ") == Normalized(None, None, " ")
    result = parse_consent("sometimes")
    assert result.value is None and result.problem == "not a consent value: sometimes"


# --------------------------------------------------------------------------
# numbers and money
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("$1,234.56", "1234.56"),
        ("1.234,56 €", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1\u202f234,56", "1234.56"),
        ("1'234.50", "1234.50"),
        ("12,50", "12.50"),
        ("-5.00", "-5.00"),
        ("(5.00)", "-5.00"),
        ("($5.00)", "-5.00"),
        ("-$5", "-5"),
        ("$-5", "-5"),
        ("5.00-", "-5.00"),
        ("EUR 12.00", "12.00"),
        ("12.00 EUR", "12.00"),
        ("£3", "3"),
        ("US$ 7.5", "7.5"),
        ("1,234", "1234"),
        ("1.234", "1234"),
        ("1,234,567", "1234567"),
        ("1.234.567,89", "1234567.89"),
        ("0,125", "0.125"),
        ("1234.567", "1234.567"),
        ("1234,5", "1234.5"),
        ("1,23,456", "123456"),  # Indian lakh grouping
        ("1,23,456.00", "123456.00"),
        ("₹2,50,000", "250000"),
        ("Rs. 12,34,56,789.5", "123456789.5"),
        (".5", "0.5"),
        ("0", "0"),
        ("+3.10", "3.10"),
    ],
)
def test_parse_money(raw: str, expected: str) -> None:
    result = parse_money(raw)
    assert result.problem is None
    assert result.value == Decimal(expected)
    assert str(result.value) == expected  # exact: no rounding, trailing zeros kept


@pytest.mark.parametrize("raw", ["abc", "12 34", "1,2,3", "12.5.3", "1.234,5.6", "$", "5 $ 5", "--5", "12,34,56",
                                 "1,23,456,789", "1,23,4567", "01,23,456", "1.23.456", "1,23,456,00"])
def test_parse_money_invalid(raw: str) -> None:
    result = parse_money(raw)
    assert result.value is None and result.problem == f"not an amount: {raw}"


def test_parse_money_empty() -> None:
    assert parse_money("") == Normalized(None, None, "")
    assert parse_money("N/A") == Normalized(None, None, "N/A")


@fast
@given(
    st.decimals(min_value=Decimal("-999999999"), max_value=Decimal("999999999"), places=2, allow_nan=False),
    st.sampled_from(["", "$", "€", "EUR ", "£"]),
    st.booleans(),
)
def test_parse_money_round_trips_us_and_eu_formats(value: Decimal, symbol: str, symbol_after: bool) -> None:
    us = f"{value:,.2f}"
    eu = us.replace(",", "_").replace(".", ",").replace("_", ".")
    for text in (us, eu, us.replace(",", ""), eu.replace(".", " ")):
        decorated = f"{text} {symbol.strip()}" if symbol_after and symbol else f"{symbol}{text}"
        assert parse_money(decorated).value == value, decorated


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), ("-3", -3), ("1,234", 1234), ("1.234", 1234), ("1,02,345", 102345), ("12.0", 12), ("12,00", 12), ("'0042", 42)],
)
def test_parse_int(raw: str, expected: int) -> None:
    assert parse_int(raw) == Normalized(expected, None, raw)


@pytest.mark.parametrize("raw", ["1.5", "x", "12a", "1,2,3"])
def test_parse_int_invalid(raw: str) -> None:
    result = parse_int(raw)
    assert result.value is None and result.problem == f"not a whole number: {raw}"


def test_parse_int_other_inputs() -> None:
    assert parse_int("") == Normalized(None, None, "")
    assert parse_int(7).value == 7
    assert parse_int(True).value is None


@fast
@given(st.integers(-10**12, 10**12))
def test_parse_int_round_trips_grouped(number: int) -> None:
    assert parse_int(f"{number:,}").value == number
    assert parse_int(str(number)).value == number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("$5", "USD"),
        ("€12", "EUR"),
        ("12,00 €", "EUR"),
        ("£3", "GBP"),
        ("EUR 12.00", "EUR"),
        ("12 usd", "USD"),
        ("CA$ 5", "CAD"),
        ("US$5", "USD"),
        ("¥500", "JPY"),
        ("12.00", None),
        ("25 kr", None),
        ("", None),
    ],
)
def test_detect_currency(raw: str, expected: str | None) -> None:
    assert detect_currency(raw) == expected


# --------------------------------------------------------------------------
# dates
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("US", DateOrder.MDY),
        ("us", DateOrder.MDY),
        ("en_US", DateOrder.MDY),
        ("CA", DateOrder.MDY),
        ("PH", DateOrder.MDY),
        ("GB", DateOrder.DMY),
        ("FR", DateOrder.DMY),
        ("de-DE", DateOrder.DMY),
        ("JP", DateOrder.YMD),
        ("", DateOrder.DMY),
    ],
)
def test_default_date_order(region: str, expected: DateOrder) -> None:
    assert default_date_order(region) == expected


@pytest.mark.parametrize(
    ("samples", "region", "expected"),
    [
        (["1/2/2020", "13/2/2020"], "US", (DateOrder.DMY, True)),
        (["1/2/2020", "2/13/2020"], "GB", (DateOrder.MDY, True)),
        (["2020-01-02", "2020-12-31"], "US", (DateOrder.YMD, True)),
        (["2020-01-02", "25/12/2020"], "US", (DateOrder.DMY, True)),
        (["1/2/2020", "3/4/2020"], "US", (DateOrder.MDY, False)),
        (["1/2/2020", "3/4/2020"], "FR", (DateOrder.DMY, False)),
        (["13/2/2020", "2/13/2020"], "GB", (DateOrder.DMY, False)),
        (["", "n/a", "March 7, 1990"], "US", (DateOrder.MDY, False)),
        (["25.12.2020 10:00", ""], "US", (DateOrder.DMY, True)),
        ([], "JP", (DateOrder.YMD, False)),
    ],
)
def test_decide_date_order(samples: list[str], region: str, expected: tuple[DateOrder, bool]) -> None:
    assert decide_date_order(samples, region) == expected


@pytest.mark.parametrize(
    ("raw", "order", "expected"),
    [
        ("3/7/1990", DateOrder.MDY, "1990-03-07"),
        ("3/7/1990", DateOrder.DMY, "1990-07-03"),
        ("07.03.1990", DateOrder.DMY, "1990-03-07"),
        ("1990-03-07", DateOrder.DMY, "1990-03-07"),
        ("1990-03-07", DateOrder.MDY, "1990-03-07"),
        ("1990/3/7", DateOrder.MDY, "1990-03-07"),
        ("19900307", DateOrder.MDY, "1990-03-07"),
        ("--03-07", DateOrder.MDY, "--03-07"),
        ("--02-29", DateOrder.DMY, "--02-29"),
        ("March 7, 1990", DateOrder.DMY, "1990-03-07"),
        ("Mar 7 1990", DateOrder.DMY, "1990-03-07"),
        ("7 Mar 1990", DateOrder.MDY, "1990-03-07"),
        ("07-Mar-1990", DateOrder.MDY, "1990-03-07"),
        ("Thursday, March 7th, 2024", DateOrder.DMY, "2024-03-07"),
        ("1990 March 7", DateOrder.DMY, "1990-03-07"),
        ("7 mars 1990", DateOrder.MDY, "1990-03-07"),
        ("7. März 1990", DateOrder.MDY, "1990-03-07"),
        ("7 de marzo de 1990", DateOrder.MDY, "1990-03-07"),
        ("March 7", DateOrder.MDY, "--03-07"),
        ("7/3/1990 0:00", DateOrder.DMY, "1990-03-07"),
        ("2024-03-01T10:22:11+0000", DateOrder.MDY, "2024-03-01"),
        ("13/3/2024", DateOrder.YMD, "2024-03-13"),
        ("90/03/07", DateOrder.YMD, "1990-03-07"),
    ],
)
def test_parse_date(raw: str, order: DateOrder, expected: str) -> None:
    assert parse_date(raw, order) == Normalized(expected, None, raw)


@pytest.mark.parametrize("raw", ["", "  ", "0/0/00", "0/0/0000", "1/1/1601", "N/A"])
def test_parse_date_empty_markers(raw: str) -> None:
    assert parse_date(raw, DateOrder.MDY) == Normalized(None, None, raw)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("31/02/2020", "not a real calendar date: 31/02/2020"),
        ("2/30/2021", "not a real calendar date: 2/30/2021"),
        ("--02-30", "not a real calendar date: --02-30"),
        ("13/13/2020", "not a real calendar date: 13/13/2020"),
        ("soon", "not a recognisable date: soon"),
        ("March", "not a recognisable date: March"),
    ],
)
def test_parse_date_problems(raw: str, problem: str) -> None:
    order = DateOrder.DMY if raw.startswith("31") else DateOrder.MDY
    assert parse_date(raw, order) == Normalized(None, problem, raw)


def test_parse_date_two_digit_year_pivot() -> None:
    yy = date.today().year % 100
    century = date.today().year // 100 * 100
    assert parse_date(f"1/2/{yy:02d}", DateOrder.DMY).value == f"{century + yy}-02-01"
    later = (yy + 1) % 100
    expected_year = century - 100 + later if later > yy else century + later
    assert parse_date(f"1/2/{later:02d}", DateOrder.DMY).value == f"{expected_year}-02-01"
    assert parse_date("3/7/90", DateOrder.MDY).value == "1990-03-07"


@fast
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.sampled_from(["/", ".", "-"]))
def test_parse_date_round_trips_every_order(day: date, sep: str) -> None:
    iso = day.isoformat()
    assert parse_date(f"{day.day}{sep}{day.month}{sep}{day.year}", DateOrder.DMY).value == iso
    assert parse_date(f"{day.month:02d}{sep}{day.day:02d}{sep}{day.year}", DateOrder.MDY).value == iso
    assert parse_date(f"{day.year}{sep}{day.month}{sep}{day.day}", DateOrder.DMY).value == iso
    assert parse_date(day.strftime("%B %d, %Y"), DateOrder.DMY).value == iso


@pytest.mark.parametrize(
    ("raw", "order", "tz", "expected"),
    [
        ("2024-03-01 10:22:11 -0500", DateOrder.MDY, None, "2024-03-01T10:22:11-05:00"),
        ("2024-03-01T10:22:11+0000", DateOrder.MDY, None, "2024-03-01T10:22:11+00:00"),
        ("2024-03-01T10:22:11+05:30", DateOrder.MDY, "UTC", "2024-03-01T10:22:11+05:30"),
        ("2024-03-01T10:22:11.123Z", DateOrder.MDY, None, "2024-03-01T10:22:11+00:00"),
        ("2024-03-01 10:22:11 UTC", DateOrder.MDY, None, "2024-03-01T10:22:11+00:00"),
        ("2024-03-01 10:22:11 EST", DateOrder.MDY, None, "2024-03-01T10:22:11-05:00"),
        ("2024-03-01 10:22:11", DateOrder.MDY, None, "2024-03-01T10:22:11"),
        ("2024-03-01 10:22:11", DateOrder.MDY, "UTC", "2024-03-01T10:22:11+00:00"),
        ("2024-07-01 10:22:11", DateOrder.MDY, "America/New_York", "2024-07-01T10:22:11-04:00"),
        ("2024-01-01 10:22:11", DateOrder.MDY, "America/New_York", "2024-01-01T10:22:11-05:00"),
        ("03/01/2024 14:05", DateOrder.MDY, None, "2024-03-01T14:05:00"),
        ("01/03/2024 2:05 PM", DateOrder.DMY, None, "2024-03-01T14:05:00"),
        ("01/03/2024 12:05 am", DateOrder.DMY, None, "2024-03-01T00:05:00"),
        ("01/03/2024 12:05 p.m.", DateOrder.DMY, None, "2024-03-01T12:05:00"),
        ("12/03/2024 13:00 Europe/Paris", DateOrder.DMY, None, "2024-03-12T13:00:00+01:00"),
        ("March 7, 2024 at 3:00 PM", DateOrder.DMY, None, "2024-03-07T15:00:00"),
        ("Thu, 07 Mar 2024 15:00:00 +0100", DateOrder.DMY, None, "2024-03-07T15:00:00+01:00"),
        ("1709288531", DateOrder.MDY, "America/New_York", "2024-03-01T10:22:11+00:00"),
        ("1709288531000", DateOrder.MDY, None, "2024-03-01T10:22:11+00:00"),
        ("2024-03-01", DateOrder.MDY, "America/New_York", "2024-03-01"),
        ("03/01/2024", DateOrder.MDY, None, "2024-03-01"),
    ],
)
def test_parse_datetime(raw: str, order: DateOrder, tz: str | None, expected: str) -> None:
    assert parse_datetime(raw, order, tz) == Normalized(expected, None, raw)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("2024-03-01 25:00", "not a valid time: 2024-03-01 25:00"),
        ("2024-03-01 10:61", "not a valid time: 2024-03-01 10:61"),
        ("2024-03-01 13:00 PM", "not a valid time: 2024-03-01 13:00 PM"),
        ("2024-02-30 10:00", "not a real calendar date: 2024-02-30 10:00"),
        ("2024-03-01 10:00 Mars/Olympus", "unknown time zone: Mars/Olympus"),
        ("--03-07", "date has no year: --03-07"),
        ("whenever 10:00", "not a recognisable date and time: whenever 10:00"),
        ("10:00", "not a recognisable date and time: 10:00"),
    ],
)
def test_parse_datetime_problems(raw: str, problem: str) -> None:
    assert parse_datetime(raw, DateOrder.MDY) == Normalized(None, problem, raw)


def test_parse_datetime_empty() -> None:
    assert parse_datetime("", DateOrder.MDY) == Normalized(None, None, "")
    assert parse_datetime("0/0/00", DateOrder.MDY) == Normalized(None, None, "0/0/00")


@fast
@given(
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 1, 1)).map(
        lambda d: d.replace(microsecond=0, tzinfo=timezone.utc)
    )
)
def test_parse_datetime_round_trips_iso_and_epoch(moment: datetime) -> None:
    expected = moment.isoformat()
    assert parse_datetime(moment.strftime("%Y-%m-%dT%H:%M:%S%z"), DateOrder.DMY).value == expected
    assert parse_datetime(moment.strftime("%Y-%m-%d %H:%M:%S"), DateOrder.DMY, "UTC").value == expected
    epoch = str(int(moment.timestamp()))
    if 9 <= len(epoch) <= 10:
        assert parse_datetime(epoch, DateOrder.DMY).value == expected


# --------------------------------------------------------------------------
# lists, countries, postcodes
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Home ::: Work", ["Home", "Work"]),
        ("a@example.com ::: b@example.com ::: a@example.com", ["a@example.com", "b@example.com"]),
        ("* myContacts ::: Friends, old", ["* myContacts", "Friends, old"]),
        ('"VIP","Blog"', ["VIP", "Blog"]),
        ('"VIP, Gold", "Blog"', ["VIP, Gold", "Blog"]),
        ("vip, wholesale", ["vip", "wholesale"]),
        ("vip; wholesale;; VIP ;", ["vip", "wholesale"]),
        ("one\ntwo", ["one", "two"]),
        ("single", ["single"]),
        ("", []),
        (" , ; ", []),
    ],
)
def test_split_multi(raw: str, expected: list[str]) -> None:
    assert split_multi(raw) == expected


@fast
@given(st.lists(st.text(alphabet=st.sampled_from(list("abcXYZ é-_0")), min_size=1, max_size=8), max_size=6))
def test_split_multi_recovers_joined_tags(tags: list[str]) -> None:
    expected: list[str] = []
    for tag in (t.strip() for t in tags):
        if tag and tag.casefold() not in {e.casefold() for e in expected}:
            expected.append(tag)
    assert split_multi(", ".join(tags)) == expected
    assert split_multi(" ::: ".join(tags)) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("US", "US"),
        ("us", "US"),
        ("usa", "US"),
        ("U.S.A.", "US"),
        ("United States", "US"),
        ("united states of america", "US"),
        ("United Kingdom", "GB"),
        ("UK", "GB"),
        ("England", "GB"),
        ("GB", "GB"),
        ("Deutschland", "DE"),
        ("DEU", "DE"),
        ("France", "FR"),
        ("the Netherlands", "NL"),
        ("Türkiye", "TR"),
        ("NA", "NA"),  # Namibia, not "not available"
        ("Allemagne", "DE"),  # from the multilingual name list
        ("Japon", "JP"),
    ],
)
def test_normalize_country(raw: str, expected: str) -> None:
    assert normalize_country(raw) == Normalized(expected, None, raw)


def test_normalize_country_unknown_and_empty() -> None:
    assert normalize_country("Narnia") == Normalized(None, "unknown country: Narnia", "Narnia")
    assert normalize_country("XX") == Normalized(None, "unknown country: XX", "XX")
    assert normalize_country("") == Normalized(None, None, "")


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("2134", "US", "02134"),
        ("'02134", "US", "02134"),
        ("z:02134", "US", "02134"),
        ("501", "US", "00501"),
        ("94105", "US", "94105"),
        ("94105-1234", "US", "94105-1234"),
        ("941051234", "US", "94105-1234"),
        ("21341234", "US", "02134-1234"),
        ("94105 1234", "US", "94105-1234"),
        ("100-0001", "US", "100-0001"),  # a Japanese postcode: no number Excel cut short
        ("5300001", "US", "5300001"),
        ("2134-1234", "US", "2134-1234"),
        ("01310-100", "US", "01310-100"),
        ("2134", "United States", "02134"),
        ("2134", "DK", "2134"),
        ("2134", None, "2134"),
        ("sw1a1aa", "GB", "SW1A 1AA"),
        ("  ec1a  1bb ", "UK", "EC1A 1BB"),
        ("m11ae", "GB", "M1 1AE"),
        ("k1a0b1", "CA", "K1A 0B1"),
        ("75001", "FR", "75001"),
        ("F-75001", "FR", "75001"),
        ("1290", "DE", "01290"),
        ("D-80331", "DE", "80331"),
        ("C.P. 72455", "MX", "72455"),
        ("CP 28001", "ES", "28001"),
        ("〒185-3311", "JP", "185-3311"),
        ("1853311", "JP", "185-3311"),
        ("１８５－３３１１", "JP", "185-3311"),
        ("110 001", "IN", "110001"),
        ("1010", "AT", "1010"),
        ("1012 ab", "NL", "1012 AB"),
        ("not a zip", "US", "NOT A ZIP"),
        ("", "US", ""),
    ],
)
def test_normalize_postcode(raw: str, country: str | None, expected: str) -> None:
    assert normalize_postcode(raw, country) == expected


@pytest.mark.parametrize(
    "raw, order, expected",
    [
        ("08/03", DateOrder.MDY, "--08-03"),  # Mailchimp's birthday merge field
        ("08/03", DateOrder.DMY, "--03-08"),
        ("31.12", DateOrder.MDY, "--12-31"),  # a day over 12 settles the order
        ("02/30", DateOrder.MDY, None),
    ],
)
def test_parse_date_without_year(raw, order, expected):
    result = parse_date(raw, order)
    assert result.value == expected
    assert (result.problem is None) == (expected is not None)


def _clean_cell_reference(raw: str) -> str:
    """clean_cell without its shortcut for cells with nothing to trim."""
    import re

    edge = re.compile(r"^[\s\u200b\ufeff]+|[\s\u200b\ufeff]+$")
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = edge.sub("", text)
    if text.startswith("'"):
        text = edge.sub("", re.sub(r"^'(?=[\d+\-=@(#.])", "", text, count=1))
    return text


@given(st.text(alphabet=st.sampled_from("ab1+' \t\r\n\xa0\u2003\u200b\ufeff\x1c\x85é"), max_size=12) | st.text())
def test_clean_cell_shortcut_equals_the_full_rules(raw: str) -> None:
    assert clean_cell(raw) == _clean_cell_reference(raw)
