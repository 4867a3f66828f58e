"""Channels named by the user before their codes lost spaces and capitals are renamed on opening."""

from __future__ import annotations

import json

from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.segments import count
from omnidesk.core.workspace import Workspace
from tests.helpers import write_csv


def test_opening_an_older_workspace_renames_its_own_channels_and_remakes_channel_lists(tmp_path):
    from alembic import command

    from omnidesk.core.workspace import _alembic_config

    path = tmp_path / "w.omnidesk"
    header = ["Email", "First Name", "Order ID", "Total", "Created at"]
    with Workspace.create(path) as ws:
        import_file(ws, write_csv(tmp_path / "stall.csv", header, [
            ["bo@example.com", "Bo", "S1", "12.00", "2026-05-02 10:00"]]),
            ImportOptions(channel="farmers_market", kind="events"))
        import_file(ws, write_csv(tmp_path / "market.csv", header, [
            ["cy@example.com", "Cy", "M1", "9.00", "2026-05-03 10:00"]]),
            ImportOptions(channel="market", kind="events"))
        import_file(ws, write_csv(tmp_path / "shop.csv", ["Email", "First Name"], [["bo@example.com", "Bo"]]),
                    ImportOptions(channel="shop"))
        with ws.engine.begin() as conn:
            command.downgrade(_alembic_config(conn), "0018")
            # As the older version kept it: the name as typed, in every table, and the
            # customer's list of channels joined by spaces.
            for table in ("import_batch", "source_record", "event", "event_day", "saved_mapping"):
                conn.exec_driver_sql(f"UPDATE {table} SET channel = 'Farmers market' WHERE channel = 'farmers_market'")
            conn.exec_driver_sql("UPDATE customer SET channels = 'Farmers market shop' WHERE email = 'bo@example.com'")
            conn.exec_driver_sql("DELETE FROM customer_journey")
            conn.exec_driver_sql("INSERT INTO customer_journey (customer_id, path, first_utc) "
                                 "SELECT id, ?, '2026-05-02T10:00:00' FROM customer WHERE email = 'bo@example.com'",
                                 (json.dumps(["Farmers market", "shop"]),))
            old = conn.exec_driver_sql("SELECT count(*) FROM source_record WHERE channel = 'Farmers market'").scalar()
            assert old == 1

    with Workspace.open(path) as ws:
        with ws.engine.connect() as conn:
            channels = dict(conn.exec_driver_sql("SELECT email, channels FROM customer").all())
            kept = {table: sorted(c for (c,) in conn.exec_driver_sql(f"SELECT DISTINCT channel FROM {table}"))
                    for table in ("import_batch", "source_record", "event", "event_day")}
            path_json = conn.exec_driver_sql("SELECT path FROM customer_journey").scalar()
        assert channels == {"bo@example.com": "farmers_market shop", "cy@example.com": "market"}
        assert kept["import_batch"] == kept["source_record"] == ["farmers_market", "market", "shop"]
        assert kept["event"] == ["farmers_market", "market"] and "Farmers market" not in kept["event_day"]
        assert json.loads(path_json) == ["farmers_market", "shop"]
        # A rule on "market" finds the market's customer only, not the farmers market's.
        assert count(ws, {"field": "channel", "op": "is", "value": "market"}) == 1
        assert count(ws, {"field": "channel", "op": "is", "value": "farmers_market"}) == 1
