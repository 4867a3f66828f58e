"""SMS segment counting against the vectors of Twilio's open-source segment calculator.

Source: github.com/TwilioDevEd/message-segment-calculator (MIT), tests/index.test.js,
tests/segments.test.js and tests/methods.test.js at commit a50230f, and its character
tables src/libs/UnicodeToGSM.ts and src/libs/SmartEncodingMap.ts.  Each vector below keeps
Twilio's description; its message bodies are built here the way Twilio wrote them (the
digits 1234567890 repeated, the first ones replaced by the character under test), and
``test_bodies_are_twilios`` pins three of them to the literal text of the JavaScript file.
Twilio's segment counts are the expected values; the lengths are what its bit sizes come to
(messageSize / 7 for GSM-7, / 16 for UCS-2).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnidesk.core.messages.sms import (
    GSM7,
    GSM7_BASIC,
    GSM7_EXTENSION,
    LOOKALIKES,
    UCS2,
    SmsStats,
    hints,
    is_gsm7,
    plain_text,
    replacements,
    sms_stats,
    split_segments,
    unicode_chars,
)

DIGITS = "1234567890" * 40


def digits(n: int) -> str:
    return DIGITS[:n]


# (Twilio's description, body, encoding, segments, length in septets or UTF-16 code units)
TWILIO_BASIC = [
    ("GSM-7 in one segment", digits(160), GSM7, 1, 160),
    ("GSM-7 in two segments", digits(161), GSM7, 2, 161),
    ("GSM-7 in three segments", digits(307), GSM7, 3, 307),
    ("UCS-2 message in one segment", "😜" + digits(69)[1:], UCS2, 1, 70),
    ("UCS-2 message in two segments", "😜" + digits(70)[1:], UCS2, 2, 71),
    ("UCS-2 message in three segments", "😜" + digits(134)[1:], UCS2, 3, 135),
    ("UCS-2 with two bytes extended characters in one segments boundary", "🇮🇹" + digits(67)[1:], UCS2, 1, 70),
    ("UCS-2 with extended characters in two segments boundary", "🇮🇹" + digits(68)[1:], UCS2, 2, 71),
    ("UCS-2 with four bytes extended characters in one segments boundary", "🏳️‍🌈" + digits(65)[1:], UCS2, 1, 70),
    ("UCS-2 with four bytes extended characters in two segments boundary", "🏳️‍🌈" + digits(66)[1:], UCS2, 2, 71),
    # "Special tests", Twilio issue #18: extension characters in a UCS-2 message count once.
    ("UCS2 message with special GSM characters in one segment", "😀" + "]" * 68, UCS2, 1, 70),
    ("UCS2 message with special GSM characters in two segment", "😀" + "]" * 69, UCS2, 2, 71),
    # "Line break styles tests": CR and LF are each one GSM-7 character.
    ("Message with CRLF line break style", "\rabcde\r\n123", GSM7, 1, 11),
    ("Message with LF line break style", "\nabcde\n\n123\n", GSM7, 1, 12),
    # Twilio issue #17: e and three combining acute accents (not GSM-7) in front of a's.
    ("Triple accents characters - One Segment test", "e\u0301\u0301\u0301" + "a" * 66, UCS2, 1, 70),
    ("Triple accents characters - Two Segments test", "e\u0301\u0301\u0301" + "a" * 67, UCS2, 2, 71),
]


@pytest.mark.parametrize(("description", "body", "encoding", "segments", "length"), TWILIO_BASIC,
                         ids=[v[0] for v in TWILIO_BASIC])
def test_twilio_vectors(description, body, encoding, segments, length):
    stats = sms_stats(body)
    assert (stats.encoding, stats.segments, stats.length) == (encoding, segments, length)
    assert len(split_segments(body)) == segments


def test_bodies_are_twilios():
    # Copied character for character from tests/index.test.js.
    assert digits(161) == (
        "123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890"
        "12345678901234567890123456789012345678901234567890123456789012345678901")
    assert "🇮🇹" + digits(67)[1:] == "🇮🇹234567890123456789012345678901234567890123456789012345678901234567"
    assert "🏳️‍🌈" + digits(66)[1:] == "🏳️‍🌈23456789012345678901234567890123456789012345678901234567890123456"


ESCAPES = ["|", "^", "€", "{", "}", "[", "]", "~", "\\"]


@pytest.mark.parametrize("escape", ESCAPES)
def test_twilio_escape_character_one_segment(escape):
    # Twilio: "One segment with escape character": the escape pair and 158 digits fill 160 septets.
    stats = sms_stats(escape + digits(158))
    assert (stats.encoding, stats.segments, stats.length, stats.remaining) == (GSM7, 1, 160, 0)


@pytest.mark.parametrize("escape", ESCAPES)
def test_twilio_escape_character_two_segments(escape):
    # Twilio: "Two segments with escape character": one septet more needs a second segment.
    stats = sms_stats(escape + digits(159))
    assert (stats.encoding, stats.segments, stats.length) == (GSM7, 2, 161)


@pytest.mark.parametrize("char", ["Á", "Ú", "ú", "ç", "í", "Í", "ó", "Ó"])
def test_twilio_one_unit_ucs2_characters(char):
    # Twilio: "One grapheme UCS-2 characters": 70 of them fit one message, 71 take two.
    assert not is_gsm7(char)
    assert (sms_stats(char * 70).encoding, sms_stats(char * 70).segments) == (UCS2, 1)
    assert sms_stats(char * 71).segments == 2


def test_twilio_last_segment_holds_what_is_left():
    # segments.test.js: 307 digits go 153 + 153 + 1; 135 UCS-2 units go 67 + 67 + 1.
    assert split_segments(digits(307))[-1] == "7"
    assert [len(s) for s in split_segments(digits(307))] == [153, 153, 1]
    ucs = "😜" + digits(134)[1:]
    assert split_segments(ucs)[-1] == "4"
    assert sms_stats(ucs).remaining == 66


def test_twilio_non_gsm_characters():
    # methods.test.js: getNonGsmCharacters("más") is ["á"].
    assert sms_stats("más").unicode_chars == ("á",)


def test_twilio_tables_agree():
    # UnicodeToGSM.ts maps these 9 code points (and the form feed) to an escape pair.
    assert GSM7_EXTENSION == frozenset("\f|^€{}[]~\\")
    # Characters its table leaves out of GSM-7 although they look like ones in it.
    for ch in "`çÁáíúó\t":
        assert ch not in GSM7_BASIC and ch not in GSM7_EXTENSION
    assert len(GSM7_BASIC) == 127  # 128 positions, less the escape


@pytest.mark.parametrize(("char", "plain"), [
    # Entries of SmartEncodingMap.ts that plain_text shares.
    ("\u201c", '"'), ("\u201d", '"'), ("\u00ab", '"'), ("\u2018", "'"), ("\u2019", "'"),
    ("\u00b4", "'"), ("`", "'"), ("\u2013", "-"), ("\u2014", "-"), ("\u2026", "..."),
    ("\u2022", "-"), ("\u00f7", "/"), ("\u00bd", "1/2"), ("\u203c", "!!"), ("\u200b", ""),
    ("\ufeff", ""), ("\uff01", "!"), ("\uff21", "A"), ("\u3001", ","), ("\u2028", "\n"),
])
def test_plain_text_shares_twilios_smart_encoding(char, plain):
    assert plain_text(f"a{char}b") == f"a{plain}b"


def test_boundaries_153_and_67_times_k():
    for k in (2, 3, 7):
        assert sms_stats("a" * (153 * k)).segments == k
        assert sms_stats("a" * (153 * k + 1)).segments == k + 1
        assert sms_stats("ж" * (67 * k)).segments == k
        assert sms_stats("ж" * (67 * k + 1)).segments == k + 1
    assert sms_stats("a" * 306).remaining == 0
    assert sms_stats("a" * 307).remaining == 152


def test_escape_pair_at_a_boundary_moves_whole():
    # 152 septets, then € (two): the pair does not fit in segment one, which keeps one septet free.
    text = "a" * 152 + "€" + "b" * 10
    parts = split_segments(text)
    assert parts == ["a" * 152, "€" + "b" * 10]
    assert sms_stats(text).segments == 2
    assert sms_stats(text).length == 164
    # One 'a' fewer and the pair ends segment one exactly.
    assert split_segments("a" * 151 + "€" + "b" * 10)[0] == "a" * 151 + "€"


def test_surrogate_pair_at_a_boundary_moves_whole():
    text = "ж" * 66 + "😀" + "ж" * 10
    parts = split_segments(text)
    assert parts[0] == "ж" * 66 and parts[1].startswith("😀")
    assert sms_stats(text).segments == 2
    assert sms_stats("ж" * 65 + "😀" + "ж" * 10).segments == 2
    assert split_segments("ж" * 65 + "😀" + "ж" * 10)[0] == "ж" * 65 + "😀"


def test_empty_and_exact_fields():
    assert sms_stats("") == SmsStats(GSM7, 0, 0, 160, 160, ())
    assert split_segments("") == []
    assert sms_stats("Hi {") == SmsStats(GSM7, 5, 1, 160, 155, ())
    stats = sms_stats("It’s here 😀 – it’s")
    assert stats.encoding == UCS2 and stats.per_segment == 70
    assert stats.unicode_chars == ("’", "😀", "–")
    assert stats.length == 19 and stats.remaining == 51  # the emoji counts two


def test_one_unicode_character_makes_all_ucs2():
    text = "a" * 100
    assert sms_stats(text).segments == 1
    assert sms_stats(text + "’").encoding == UCS2
    assert sms_stats(text + "’").segments == 2


def test_replacements_and_hints_name_what_forces_ucs2():
    text = "We’re open — 9 to 5… 😀 ça"
    assert replacements(text) == {"’": "'", "—": "-", "…": "..."}
    fixed = plain_text(text)
    assert fixed == "We're open - 9 to 5... 😀 ça"
    assert unicode_chars(fixed) == ("😀", "ç")
    assert hints(text) == [
        "’ forces UCS-2; replace with '",
        "— forces UCS-2; replace with -",
        "… forces UCS-2; replace with ...",
        "😀 forces UCS-2",
        "ç forces UCS-2",
    ]
    assert hints("a\u00a0b\u200bc") == [
        "the no-break space (U+00A0) forces UCS-2; replace with a space",
        "the zero width space (U+200B) forces UCS-2; remove it",
    ]
    assert hints("plain text") == []


def test_plain_text_brings_a_message_back_to_gsm7():
    text = "“Autumn sale” – 20% off everything… Don’t miss it!"
    assert sms_stats(text).encoding == UCS2
    assert sms_stats(plain_text(text)).encoding == GSM7


def test_lookalike_table_only_swaps_non_gsm_for_gsm():
    for char, plain in LOOKALIKES.items():
        assert not is_gsm7(char), char
        assert is_gsm7(plain), (char, plain)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("a€[😀ж\n é'’"), max_size=700))
def test_segments_rejoin_and_count(text):
    parts = split_segments(text)
    assert "".join(parts) == text
    stats = sms_stats(text)
    assert stats.segments == len(parts)
    assert 0 <= stats.remaining < stats.per_segment or (text == "" and stats.remaining == stats.per_segment)
    for part in parts:
        # No segment is over its room, counted in the whole message's encoding.
        if stats.encoding == GSM7:
            size = sum(2 if ch in GSM7_EXTENSION else 1 for ch in part)
        else:
            size = len(part.encode("utf-16-le")) // 2
        assert size <= stats.per_segment


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text(text):
    parts = split_segments(text)
    assert "".join(parts) == text
    assert sms_stats(text).segments == len(parts)
    # Plain text never brings in a character that forces UCS-2.
    assert set(unicode_chars(plain_text(text))) <= set(unicode_chars(text))
