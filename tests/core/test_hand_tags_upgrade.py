"""Tags added by hand before "one tag, one spelling" take the workspace's spelling on upgrade.

An older omnidesk wrote a tag added by hand as typed: "VIP" on customers whose file gave others
"vip".  Upgraded, those customers kept "VIP" in the export while `tags` listed one "vip"; a
workspace built today has one spelling.  The upgrade spells each such tag as the workspace does,
and loses none.
"""

from __future__ import annotations

import csv

from alembic import command

from omnidesk.core.identity.golden import refresh_customers
from omnidesk.core.workspace import Workspace, _alembic_config
from tests.helpers import run_cli, write_csv


def _tags(shop, capsys, out) -> dict[str, str]:
    assert run_cli(capsys, "export", "customers", out, "--columns", "first_name,tags", "--force", "-w", shop)[0] == 0
    with open(out, encoding="utf-8") as f:
        return {r["first_name"]: r["tags"] for r in csv.DictReader(f)}


def test_hand_tags_typed_in_another_case_before_take_the_workspaces_spelling(tmp_path, capsys):
    people = write_csv(tmp_path / "people.csv", ["Email", "First Name", "Tags"],
                       [["ann@example.com", "Ann", "vip, local"], ["bob@example.com", "Bob", "vip"],
                        ["cy@example.com", "Cy", "vip"], ["dee@example.com", "Dee", ""],
                        ["eve@example.com", "Eve", "local"]])
    shop = tmp_path / "shop.omnidesk"
    assert run_cli(capsys, "import", people, "-w", shop)[0] == 0
    with Workspace.open(shop) as ws, ws.engine.connect() as conn:
        ids = dict(conn.exec_driver_sql("SELECT first_name, id FROM customer").all())
    assert run_cli(capsys, "tag", "add", "VIP", ids["Ann"], ids["Dee"], ids["Eve"], "-w", shop)[0] == 0
    assert run_cli(capsys, "tag", "add", "Wholesale", ids["Dee"], "-w", shop)[0] == 0
    # As an older omnidesk left it: the tag written as typed on the hand records, and an older schema.
    with Workspace.open(shop) as ws, ws.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE source_record SET tags = replace(tags, 'vip', 'VIP') WHERE channel = 'manual'")
        refresh_customers(conn, list(ids.values()))
        command.downgrade(_alembic_config(conn), "0036")
    old = _tags(shop, capsys, tmp_path / "old.csv")  # opening upgrades
    assert old == {"Ann": "vip, local", "Bob": "vip", "Cy": "vip", "Dee": "vip, Wholesale", "Eve": "local, vip"}
    status, out, _err = run_cli(capsys, "tags", "-w", shop)
    assert status == 0 and "VIP" not in out and "vip" in out
