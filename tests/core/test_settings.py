"""Several settings changed at once (the Preferences dialog's one step), and taken back."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import event

from omnidesk.cli import main
from omnidesk.core.errors import UserError
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.settings import (
    SETTINGS,
    change_settings,
    check_setting,
    check_thresholds,
    list_settings,
    preference_values,
    restore_settings,
    trust_order,
)
from omnidesk.core.workspace import DEFAULT_SETTINGS
from tests.helpers import write_csv


def test_business_name_is_a_setting_with_an_empty_default_and_the_command_line_lists_it(ws, capsys):
    assert "business_name" in DEFAULT_SETTINGS and DEFAULT_SETTINGS["business_name"] == ""
    assert [s.key for s in SETTINGS][0] == "business_name"
    assert check_setting("business_name", "  Harbor & Pine ") == "Harbor & Pine"
    assert next(s for s in list_settings(ws) if s["key"] == "business_name")["value"] == ""

    assert main(["settings", "business_name", "Corner shop", "-w", str(ws.path)]) == 0
    capsys.readouterr()
    assert main(["settings", "--json", "-w", str(ws.path)]) == 0
    listed = {row["key"]: row["value"] for row in json.loads(capsys.readouterr().out)}
    assert listed["business_name"] == "Corner shop"


def test_each_parser_refuses_in_one_sentence():
    for key, text, words in (("default_region", "Narnia", "region code"),
                             ("timezone", "Mars/Olympus", "time zone"),
                             ("timezone", "Europe", "time zone"),  # a folder of the zone database
                             ("timezone", "America/", "time zone"),
                             ("currency", "dollars", "currency code"),
                             ("currency", "ZZZ", "not a currency code"),  # three letters, no money
                             ("match_auto_threshold", "lots", "number of bits"),
                             ("channel_trust", "shop, shop", "each channel once"),
                             # Accepted once, these overflowed the date arithmetic: the report then
                             # counted no campaign orders, without a word.
                             ("attribution_days", "99999999999999999999", "at most 3,660 days"),
                             ("cap_days", "4000000", "at most 3,660 days"),
                             ("cap_messages", "99999999999999999999999", "at most 10,000")):
        with pytest.raises(ValueError, match=words):
            check_setting(key, text)
    assert check_setting("default_region", "") == "US"  # empty: the default
    with pytest.raises(ValueError, match="must stay below"):
        check_thresholds(10, 10)
    check_thresholds(14, 7)


def test_change_settings_stores_all_in_one_step_and_restores_all(ws):
    change = change_settings(ws, {
        "business_name": "Harbor & Pine", "default_region": "gb", "timezone": "Europe/London",
        "currency": "gbp", "channel_trust": "pos, shop, email, sms, social, contacts, web",
        "match_auto_threshold": "16", "match_review_threshold": "8",
    })
    assert change.changes.settings and not change.empty
    assert ws.get_setting("business_name") == "Harbor & Pine"
    assert ws.get_setting("default_region") == "GB" and ws.get_setting("currency") == "GBP"
    assert ws.get_setting("timezone") == "Europe/London"
    assert ws.get_setting("channel_trust")[:2] == ["pos", "shop"]
    assert ws.get_setting("match_auto_threshold") == 16.0 and ws.get_setting("match_review_threshold") == 8.0
    # The thresholds and the trust order were never stored before: undoing removes them again.
    assert change.before["match_auto_threshold"] is None and change.before["channel_trust"] is None

    restore_settings(ws, change.before, expect=change.after)
    assert ws.get_setting("business_name") == "" and ws.get_setting("default_region") == "US"
    assert ws.get_setting("timezone") == "" and ws.get_setting("currency") == ""
    assert ws.get_setting("channel_trust") is None and ws.get_setting("match_auto_threshold") is None

    restore_settings(ws, change.after, expect=change.before)  # redo
    assert ws.get_setting("default_region") == "GB" and ws.get_setting("match_review_threshold") == 8.0


def test_values_as_they_are_are_not_stored_and_one_bad_value_stores_nothing(ws):
    unchanged = change_settings(ws, {"default_region": "US", "timezone": "", "match_auto_threshold": "14",
                                     "channel_trust": ", ".join(trust_order(None))})
    assert unchanged.empty and not unchanged.changes.settings
    assert ws.get_setting("match_auto_threshold") is None

    for texts, words in (({"business_name": "New name", "timezone": "Mars/Olympus"}, "timezone: 'Mars/Olympus'"),
                         ({"business_name": "New name", "currency": "dollars"}, "currency: 'dollars'"),
                         ({"business_name": "New name", "match_review_threshold": "15"}, "must stay below")):
        with pytest.raises(UserError, match=words):
            change_settings(ws, texts)
        assert ws.get_setting("business_name") == ""


def test_undo_refuses_when_the_settings_changed_since(ws):
    change = change_settings(ws, {"business_name": "Harbor & Pine"})
    ws.set_setting("business_name", "Changed elsewhere")
    with pytest.raises(UserError, match="changed since"):
        restore_settings(ws, change.before, expect=change.after)
    assert ws.get_setting("business_name") == "Changed elsewhere"


def test_a_new_trust_order_renames_merged_customers_and_undo_names_them_back(ws, tmp_path):
    import_file(ws, write_csv(tmp_path / "customers.csv", ["First Name", "Last Name", "Email"],
                              [["Robert", "Miller", "bob@example.com"]]), ImportOptions(channel="shop"))
    import_file(ws, write_csv(tmp_path / "list.csv", ["Email", "First Name", "Last Name"],
                              [["bob@example.com", "Bob", "Miller"]]), ImportOptions(channel="email"))

    def first_name():
        with ws.engine.connect() as conn:
            return conn.exec_driver_sql("SELECT first_name FROM customer").scalar_one()

    assert first_name() == "Robert"
    change = change_settings(ws, {"channel_trust": "email, shop, pos"})
    assert first_name() == "Bob" and change.changes.customer_list
    restore_settings(ws, change.before, expect=change.after)
    assert first_name() == "Robert"


def test_the_trust_order_offered_holds_every_channel_a_file_came_from(ws, tmp_path):
    from omnidesk.core.settings import preference_values

    import_file(ws, write_csv(tmp_path / "market.csv", ["First Name", "Email"], [["Ann", "ann@example.com"]]),
                ImportOptions(channel="farmers_market"))
    values = preference_values(ws)
    assert values["channel_trust"] == trust_order(None) + ["farmers_market"]
    assert values["business_name"] == "" and values["match_auto_threshold"] == 14.0
    change_settings(ws, {"channel_trust": "farmers_market, shop"})
    assert preference_values(ws)["channel_trust"][:3] == ["farmers_market", "shop", "pos"]


def test_settings_read_together_are_each_as_read_alone_with_the_default_where_none_is_stored(ws):
    ws.set_setting("default_region", "GB")
    ws.set_setting("cap_sms", 0)  # stored, though a false value: not taken for the default
    ws.set_setting("channel_trust", ["pos", "shop"])
    keys = ["default_region", "cap_sms", "channel_trust", "timezone", "attribution_days", "no_such_setting"]
    defaults = {"cap_sms": 2, "attribution_days": 7, "timezone": None}

    read = ws.get_settings(keys, defaults)

    assert read == {"default_region": "GB", "cap_sms": 0, "channel_trust": ["pos", "shop"],
                    "timezone": DEFAULT_SETTINGS["timezone"], "attribution_days": 7, "no_such_setting": None}
    assert read == {key: ws.get_setting(key, defaults.get(key)) for key in keys}
    assert ws.get_settings([]) == {}


def test_the_preferences_are_read_in_two_queries_not_one_a_setting(ws):
    ws.set_setting("business_name", "Corner shop")
    statements = []
    event.listen(ws.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

    values = preference_values(ws)

    assert values["business_name"] == "Corner shop" and set(values) == {s.key for s in SETTINGS}
    assert len([sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]) == 2
