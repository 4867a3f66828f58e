"""Emails and phones read the one way omnidesk reads them everywhere (omnidesk.core.contact)."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnidesk.core.cells import Normalized
from omnidesk.core.contact import normalize_email, normalize_phone
from omnidesk.core.importing import normalize

fast = settings(max_examples=80, deadline=None, database=None)


def test_the_importer_reads_emails_and_phones_with_these_very_functions():
    assert normalize.normalize_email is normalize_email and normalize.normalize_phone is normalize_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Bob@Example.COM", "bob@example.com"),
        ("  zoe@example.com\u00a0", "zoe@example.com"),
        ("mailto:Ann@Example.com", "ann@example.com"),
        ("MAILTO:ann@example.com?subject=hi", "ann@example.com"),
        ("Ann Lee <ann.lee@example.co.uk>", "ann.lee@example.co.uk"),
        ('"jo@example.com"', "jo@example.com"),
        ("jo@example.com;", "jo@example.com"),
        ("first.last+tag@sub.example.org", "first.last+tag@sub.example.org"),
    ],
)
def test_normalize_email_valid(raw: str, expected: str) -> None:
    assert normalize_email(raw) == Normalized(expected, None, raw)


@pytest.mark.parametrize(
    ("raw", "problem_part"),
    [
        ("bob.example.com", "missing @"),
        ("a@@example.com", "more than one @"),
        ("a@example.com, b@example.com", "more than one address"),
        ("bob@localhost", "not a valid email"),
        ("bob smith@example.com", "not a valid email"),
        ("bob@exa mple.com", "not a valid email"),
    ],
)
def test_normalize_email_invalid(raw: str, problem_part: str) -> None:
    result = normalize_email(raw)
    assert result.value is None and result.raw == raw
    assert result.problem is not None and result.problem.startswith("not a valid email")
    assert problem_part in result.problem


@pytest.mark.parametrize("raw", ["", "   ", "N/A", "#N/A", "null", "-"])
def test_normalize_email_empty_or_placeholder(raw: str) -> None:
    assert normalize_email(raw) == Normalized(None, None, raw)


@fast
@given(st.emails())
def test_normalize_email_is_idempotent(address: str) -> None:
    first = normalize_email(address)
    if first.value is not None:
        assert first.value == first.value.lower()
        assert normalize_email(first.value).value == first.value
        assert normalize_email(first.value.upper()).value == first.value


@fast
@given(st.text(max_size=40))
def test_normalize_email_never_raises_and_is_idempotent_on_any_text(text: str) -> None:
    result = normalize_email(text)
    assert (result.value is None) or (result.problem is None)
    if result.value is not None:
        assert normalize_email(result.value).value == result.value


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("(415) 555-0100", "US", "+14155550100"),
        ("415.555.0100", "US", "+14155550100"),
        ("+1 555 555 0100", "US", "+15555550100"),  # fictional 555 numbers are accepted
        ("p:+15555550100", "US", "+15555550100"),
        ("'+15555550100", "US", "+15555550100"),
        ("+44 20 7946 0958", "US", "+442079460958"),
        ("0044 20 7946 0958", "US", "+442079460958"),
        ("00 44 20 7946 0958", "DE", "+442079460958"),
        ("011 44 20 7946 0958", "US", "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("020 7946 0123", "GB", "+442079460123"),  # Ofcom's London drama range is a valid range
        ("(415) 555-0100 ext. 12", "US", "+14155550100"),
        ("415-555-0100 x7", "US", "+14155550100"),
        ("030 123456", "DE", "+4930123456"),
    ],
)
def test_normalize_phone_valid(raw: str, region: str, expected: str) -> None:
    assert normalize_phone(raw, region) == Normalized(expected, None, raw)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("555-0100", "not a valid phone number for region US"),  # local only: no area code
        ("12", "not a valid phone number for region US"),
        ("call me", "not a valid phone number for region US"),
        ("+1 555", "not a valid phone number"),
        ("1234567890123456789", "not a valid phone number for region US"),
    ],
)
def test_normalize_phone_invalid(raw: str, problem: str) -> None:
    assert normalize_phone(raw) == Normalized(None, problem, raw)


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("030 7654321", "US"),  # a Berlin number without its +49, not a US one
        ("1111111111", "US"),
        ("555-555-0123", "US"),  # area code 555 is not in use
        ("200 555 0100", "US"),  # nor is 200
        ("07911 123456", "US"),  # a UK mobile as dialled there: too long for a US number
        ("0176 12345678", "US"),  # a German mobile, the same
    ],
)
def test_a_number_without_country_code_must_be_valid_in_the_region(raw: str, region: str) -> None:
    result = normalize_phone(raw, region)
    assert result.value is None
    assert result.problem == (f"not a valid phone number for region {region} "
                              "(add the country code if it is from abroad)")


def test_with_its_country_code_a_possible_number_is_kept_even_if_unassigned() -> None:
    # The writer named the country; demo and test data use ranges set aside for fiction.
    assert normalize_phone("+44 7700 900123", "US").value == "+447700900123"
    assert normalize_phone("+1 200 555 0100", "US").value == "+12005550100"


@pytest.mark.parametrize(("raw", "region", "expected"), [
    ("07700 900123", "GB", "+447700900123"),  # Ofcom's drama range, as "+44 7700 900123" is kept
    ("052-123-4567", "IL", "+972521234567"),  # 052-1xx: not a range phonenumbers lists as assigned
    ("050-123-4567", "IL", "+972501234567"),
])
def test_with_the_trunk_prefix_a_number_of_the_region_is_read_as_its_international_form(raw, region, expected):
    # Dialled at home, the writer named the country as surely as with its code.
    assert normalize_phone(raw, region) == Normalized(expected, None, raw)
    assert normalize_phone(expected, region).value == expected


@pytest.mark.parametrize(("raw", "region"), [
    ("52-123-4567", "IL"),  # no trunk prefix: nothing says it is an Israeli number
    ("1 555 555 0123", "US"),  # North America's "1" is no such sign: area code 555 is not in use
])
def test_without_a_sign_of_home_an_unassigned_number_is_still_refused(raw, region):
    assert normalize_phone(raw, region).value is None


def test_normalize_phone_empty() -> None:
    assert normalize_phone("  ") == Normalized(None, None, "  ")
    assert normalize_phone("p:") == Normalized(None, None, "p:")
    assert normalize_phone("n/a") == Normalized(None, None, "n/a")


@fast
@given(st.integers(200, 999), st.integers(200, 999), st.integers(0, 9999))
def test_normalize_phone_output_is_a_fixed_point(area: int, exchange: int, line: int) -> None:
    raw = f"({area}) {exchange}-{line:04d}"
    result = normalize_phone(raw, "US")
    e164 = f"+1{area}{exchange}{line:04d}"
    if not phonenumbers.is_valid_number(phonenumbers.parse(e164)):
        assert result.value is None and result.problem  # an area code not in use: flagged
        return
    assert result.value == e164
    assert normalize_phone(result.value, "FR").value == result.value


def _fast_path_agrees(text: str) -> None:
    from email_validator import EmailNotValidError, validate_email

    from omnidesk.core.contact import _plain_email

    if not _plain_email(text):
        return
    try:
        slow = validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        slow = None
    assert slow == text


@settings(max_examples=400, database=None, deadline=None)
@given(st.text(alphabet="abz09._%+-@", min_size=3, max_size=30),
       st.sampled_from(["@ex.com", ".com", "@a.b", "@x.test", "@q.c0m", "@a-.com", "@sub.example.org", "",
                        ".b0", ".co", ".a-b", "--b.co"]))
def test_plain_email_fast_path_agrees_with_email_validator(body, tail):
    """Addresses taking the fast path are exactly what the full validator says."""
    _fast_path_agrees((body + tail).lower())


@pytest.mark.parametrize("text", [
    "z-z@b.b0", "a@z.a0", "x@y.com0",  # a top-level domain ending in a digit
    "x@00--b.co", "x@ab--c.co", "x@zz---z90a.co",  # "ab--" is reserved for Punycode labels
    "x@xn--p1ai.com", "x@y.c0m", "x@a-b.co",
])
def test_plain_email_fast_path_agrees_on_the_cases_found_so_far(text):
    _fast_path_agrees(text)


@settings(max_examples=400, database=None, deadline=None)
@given(st.text(alphabet="0123456789", min_size=10, max_size=11),
       st.sampled_from(["{}", "+{}", "1 {}", "({}) {}-{}", "{}.{}.{}"]), st.sampled_from(["US", "CA", "GB"]))
def test_north_american_fast_path_agrees_with_phonenumbers(digits, shape, region):
    import phonenumbers

    from omnidesk.core.contact import _nanp_fast

    if "({})" in shape or "{}.{}" in shape:
        if len(digits) != 10:
            return
        text = shape.format(digits[:3], digits[3:6], digits[6:])
    else:
        text = shape.format(digits)
    fast = _nanp_fast(text, region)
    if fast is None:
        return
    number = phonenumbers.parse(text, region)
    assert phonenumbers.is_possible_number(number)
    assert fast == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def test_phones_read_as_dialled_at_home_and_internationally_elsewhere():
    from omnidesk.core.phones import display_phone

    assert display_phone("+16035550110", "US") == "(603) 555-0110"
    assert display_phone("+442079460958", "US") == "+44 20 7946 0958"
    assert display_phone("+442079460958", "gb") == "020 7946 0958"
    assert display_phone("+16035550110", None) == "+1 603-555-0110"
    assert display_phone("not a phone", "US") == "not a phone" and display_phone(None, "US") == ""


@pytest.mark.parametrize("raw, region, expected", [
    # The country code written without its "+": read as a national number it made
    # +49 4917612345678, and a STOP from it left +49 176 12345678 texted.
    ("4917612345678", "DE", "+4917612345678"),
    ("447911123456", "GB", "+447911123456"),
    ("33612345678", "FR", "+33612345678"),
    # Written the national way (trunk prefix), as before.
    ("0176 12345678", "DE", "+4917612345678"),
    ("07911 123456", "GB", "+447911123456"),
    # Italy has no trunk prefix: "39…" is an Italian mobile, not a missing "+39".
    ("3912345678", "IT", "+393912345678"),
])
def test_a_country_code_without_its_plus_is_read_as_international(raw: str, region: str, expected: str) -> None:
    assert normalize_phone(raw, region).value == expected
