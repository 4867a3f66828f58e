"""The one list of channels: labels, colours people can read and tell apart, and what each is for."""

from __future__ import annotations

import itertools

import pytest

from omnidesk.core import channels
from omnidesk.core.channels import (
    HAND,
    CHANNELS,
    CONSENT_CODES,
    SENDS,
    SOURCES,
    SPARE_COLORS,
    channel,
    channel_code,
    channel_name,
    contrast_ratio,
    ink,
)
from omnidesk.core.importing import fields

LIGHT_WINDOW, DARK_WINDOW = "#FFFFFF", "#1E1E1E"

# Machado, Oliveira & Fernandes (2009), severity 1: how a colour looks to someone with
# protanopia, deuteranopia or tritanopia (applied to linear RGB).
_SIMULATIONS = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}


def _linear(color: str) -> tuple[float, ...]:
    out = []
    for i in (1, 3, 5):
        c = int(color[i:i + 2], 16) / 255
        out.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return tuple(out)


def _lab(rgb: tuple[float, ...]) -> tuple[float, float, float]:
    r, g, b = (min(max(c, 0.0), 1.0) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _seen(color: str, vision: str) -> tuple[float, float, float]:
    rgb = _linear(color)
    if vision != "typical":
        rgb = tuple(sum(m * c for m, c in zip(row, rgb)) for row in _SIMULATIONS[vision])
    return _lab(rgb)


def _difference(a: str, b: str, vision: str) -> float:
    return sum((p - q) ** 2 for p, q in zip(_seen(a, vision), _seen(b, vision))) ** 0.5


def test_every_channel_has_a_code_a_label_and_a_colour():
    for c in CHANNELS:
        assert c.code and c.code == c.code.lower() and " " not in c.code
        assert c.label and c.label.strip() == c.label
        assert len(c.color) == 7 and c.color.startswith("#") and int(c.color[1:], 16) >= 0
        # Only what the user enters by hand comes from neither a file nor goes anywhere.
        assert c.source or c.send or c.code == HAND, c.code
    assert len({c.code for c in CHANNELS}) == len(CHANNELS)
    assert len({c.label.casefold() for c in CHANNELS}) == len(CHANNELS)
    assert len({c.color.upper() for c in CHANNELS}) == len(CHANNELS)


def test_the_labels_screens_show():
    assert [channel_name(c) for c in ("shop", "email", "pos", "social", "sms", "contacts", "web", "other")] \
        == ["Shop", "Email", "Till", "Social", "SMS", "Phone contacts", "Website", "Other"]
    assert channel_name("whatsapp") == "WhatsApp" and channel_name("in_store") == "In store"


@pytest.mark.parametrize("color", [c.color for c in CHANNELS] + list(SPARE_COLORS))
def test_each_colour_is_visible_on_a_light_and_a_dark_window_and_its_text_readable(color):
    assert contrast_ratio(color, LIGHT_WINDOW) >= 2.0
    assert contrast_ratio(color, DARK_WINDOW) >= 2.0
    # WCAG AA for text: a chip's label and an icon's letter are written in ink().
    assert contrast_ratio(color, ink(color)) >= 4.5


@pytest.mark.parametrize("vision", ["typical", "protanopia", "deuteranopia", "tritanopia"])
def test_no_two_channels_look_alike_to_anyone(vision):
    """CIE76 ΔE of at least 15 between every two channels, with each common colour-vision deficiency."""
    close = [(a.code, b.code, round(_difference(a.color, b.color, vision)))
             for a, b in itertools.combinations(CHANNELS, 2) if _difference(a.color, b.color, vision) < 15]
    assert not close


def test_the_check_catches_colours_alike_to_a_colour_blind_eye():
    # Red and green of equal lightness: plain to most, nearly one colour with deuteranopia.
    assert _difference("#D55E00", "#009E73", "typical") > 40
    assert _difference("#C0392B", "#7A8A00", "deuteranopia") < 15


def test_ink_is_the_better_of_black_and_white():
    assert ink("#FFFFFF") == "#000000" and ink("#000000") == "#FFFFFF"
    assert ink("#0072B2") == "#FFFFFF" and ink("#E69F00") == "#000000"
    assert contrast_ratio("#FFFFFF", "#000000") == pytest.approx(21)


def test_sources_and_sends():
    assert [c.code for c in SOURCES] == ["shop", "email", "pos", "social", "sms", "contacts", "web", "other"]
    assert [c.code for c in SENDS] == ["email", "social", "sms", "whatsapp", "web", "in_store"]
    assert CONSENT_CODES == ("email", "sms", "whatsapp")
    # The importer's list of channels a file comes from is this one, with the same labels.
    assert fields.CHANNELS == {c.code: c.label for c in SOURCES}


def test_limits_known_today():
    sms = channel("sms").limits
    assert (sms.segment_chars, sms.segment_chars_unicode) == (160, 70)
    assert (sms.joined_segment_chars, sms.joined_segment_chars_unicode) == (153, 67)
    assert channel("whatsapp").limits.text_chars == 1_024
    assert channel("social").limits.text_chars == 2_200 and channel("social").limits.hashtags == 30
    assert channel("email").limits == channels.Limits()  # none known: every field None


def test_a_channel_the_user_named_has_a_label_and_a_steady_colour():
    market = channel("farmers_market")
    assert market.label == "Farmers market" and market.source and not market.send
    assert market.color in SPARE_COLORS and channel("farmers_market").color == market.color
    assert channel_name("farmers_market") == "Farmers market"


@pytest.mark.parametrize("typed, code", [
    ("Till", "pos"), ("till", "pos"), ("POS", "pos"), (" Phone contacts ", "contacts"),
    ("website", "web"), ("WhatsApp", "whatsapp"),
    # A name of the user's own: small letters, "_" for spaces (a customer's channels are a
    # space-separated list), shown as typed again.
    ("Farmers market", "farmers_market"), (" farmers  Market ", "farmers_market"), ("market-stall", "market-stall"),
    # The longer names earlier versions showed still mean their channels.
    ("online shop", "shop"), ("Store / till", "pos"), ("Contacts", "contacts"), ("Email list", "email"),
])
def test_what_a_user_types_names_a_channel(typed, code):
    assert channel_code(typed) == code
    assert " " not in code and channel_code(code) == code


def test_the_trust_setting_takes_labels_as_well_as_codes(new_workspace, tmp_path):
    from omnidesk.core.settings import change_setting

    with new_workspace(tmp_path / "w.omnidesk") as ws:
        assert change_setting(ws, "channel_trust", "Till; Phone contacts, shop") == ["pos", "contacts", "shop"]
        assert ws.get_setting("channel_trust") == ["pos", "contacts", "shop"]


def test_a_file_said_to_come_from_a_channel_of_no_name_is_refused_not_detected(ws, tmp_path):
    from omnidesk.core.errors import UserError
    from omnidesk.core.importing.analysis import ImportOptions, analyze
    from tests.helpers import write_csv

    path = write_csv(tmp_path / "list.csv", ["Email"], [["ann@example.com"]])
    for blank in ("", "   "):
        with pytest.raises(UserError, match="a channel needs a name"):
            analyze(ws, path, ImportOptions(channel=blank))
    assert analyze(ws, path, ImportOptions(channel=" Till ")).channel == "pos"
