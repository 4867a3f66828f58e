"""`omnidesk settings timezone` takes a zone that keeps one offset all year though its name reads as a
region's clock (EST), or one whose sign reads backwards (Etc/GMT+5 is UTC-05:00), and says so in one
line, naming the zone of the place likely meant; a region's own zone gets no word."""

from __future__ import annotations

import pytest

from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["First Name", "Email"], [["Ann", "ann@example.com"]])
shop_template, shop = cli_shop_fixtures(PEOPLE)


@pytest.mark.parametrize(("zone", "warning"), [
    ("EST", "EST never changes for summer time; for New York use America/New_York"),
    ("MST", "MST never changes for summer time; for Denver use America/Denver"),
    ("Etc/GMT+5", "Etc/GMT+5 is UTC-05:00, not UTC+05:00 (the sign is reversed), and never changes for summer "
                  "time; for New York use America/New_York"),
    ("etc/gmt-9", "Etc/GMT-9 is UTC+09:00, not UTC-09:00 (the sign is reversed), and never changes for summer "
                  "time; for Tokyo use Asia/Tokyo"),
    ("Etc/GMT-14", "Etc/GMT-14 is UTC+14:00, not UTC-14:00 (the sign is reversed), and never changes for summer "
                   "time; for a place's clock use its zone"),
])
def test_a_fixed_zone_is_stored_with_a_warning_naming_the_region(shop, capsys, zone, warning):
    status, out, err = run_cli(capsys, "-w", shop, "settings", "timezone", zone)
    assert status == 0
    assert err == f"omnidesk: warning: {warning}\n"
    stored = out.strip()
    assert stored.casefold() == zone.casefold()
    # Reading the setting again says nothing more.
    assert run_cli(capsys, "-w", shop, "settings", "timezone") == (0, f"{stored}\n", "")


@pytest.mark.parametrize("zone", ["America/New_York", "EST5EDT", "Etc/UTC", "Etc/GMT+0", "Asia/Kolkata", ""])
def test_a_region_zone_gets_no_word(shop, capsys, zone):
    status, _out, err = run_cli(capsys, "-w", shop, "settings", "timezone", zone)
    assert (status, err) == (0, "")
