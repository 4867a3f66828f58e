"""A tag is one tag whatever its case, in the list, its export and the rules that ask for it.

"vip" added by hand where the shop's file gave "VIP" is written "VIP": before, the export read
"VIP" on one row and "vip" on another, while `tags` counted them as one.  And no tag holds a
comma: `tag is "vip, local"` matched a customer whose tags were kept in that order (and not one
whose were kept the other way round); it is refused, and a rule saved with one runs as no tag.
"""

from __future__ import annotations

import csv
import json

from omnidesk.core import segments
from omnidesk.core.workspace import Workspace
from tests.helpers import cli_shop_fixtures, run_cli

PEOPLE = (["Email", "First Name", "Tags"],
          [["ann@example.com", "Ann", "VIP, local"], ["bob@example.com", "Bob", "VIP"],
           ["cy@example.com", "Cy", "local, vip"], ["dee@example.com", "Dee", ""]])
shop_template, shop = cli_shop_fixtures(PEOPLE)


def _tags(shop, capsys, tmp_path) -> dict[str, str]:
    out = tmp_path / f"tags{len(list(tmp_path.glob('tags*.csv')))}.csv"
    assert run_cli(capsys, "export", "customers", str(out), "--columns", "email,tags", "-w", str(shop))[0] == 0
    with open(out, encoding="utf-8") as f:
        return {r["email"]: r["tags"] for r in csv.DictReader(f)}


def _id(shop, email: str) -> int:
    ws = Workspace.open(shop)
    try:
        with ws.engine.connect() as conn:
            return conn.exec_driver_sql("SELECT id FROM customer WHERE email = ?", (email,)).scalar_one()
    finally:
        ws.close()


def test_a_tag_added_in_another_case_takes_the_workspaces_spelling(shop, capsys, tmp_path):
    dee = _id(shop, "dee@example.com")
    assert run_cli(capsys, "tag", "add", "vip", str(dee), "-w", str(shop))[0] == 0
    assert _tags(shop, capsys, tmp_path)["dee@example.com"] == "VIP"
    # A tag nobody carries yet keeps the spelling typed.
    assert run_cli(capsys, "tag", "add", "Wholesale", str(dee), "-w", str(shop))[0] == 0
    assert _tags(shop, capsys, tmp_path)["dee@example.com"] == "VIP, Wholesale"


def test_a_tag_with_a_comma_is_refused_and_a_saved_one_is_no_tag(shop, capsys):
    status, _out, err = run_cli(capsys, "segment", "count", "--rule",
                                json.dumps({"field": "tag", "op": "is", "value": "vip, local"}), "-w", str(shop))
    assert status == 2 and "a tag holds no comma" in err and '["vip", "local"]' in err
    ws = Workspace.open(shop)
    try:
        for value in ("vip, local", "local, vip"):
            assert segments.count(ws, {"field": "tag", "op": "is", "value": value}) == 0
            assert segments.count(ws, {"field": "tag", "op": "is_not", "value": value}) == 4
        assert segments.count(ws, {"field": "tag", "op": "in", "value": ["vip, local", "local"]}) == 2
    finally:
        ws.close()
