"""Splitting a customer merged by mistake gives the split-off person back their own list record.

Owen Rossi and Melissa Clark, two customers of the Shopify shop, were merged by hand. Melissa is
also on the Mailchimp list, by the email her shop record holds, and her opens came by that email.
Splitting her shop record off left her list record on Owen's card, and with it every open on her
address: Owen got her email as his main one, her list and her opens, told as merged by hand;
Melissa lost her email channel and her "yes" to emails.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest
import time_machine

from tests.helpers import (MELISSA_CLARK, OWEN_ROSSI, exported_customers, melissa_on_the_list, run_cli,
                           source_placement)

COLUMNS = "id,full_name,email,consent_email,channels,source_records"

@pytest.fixture
def cli(capsys):
    def run(path, *argv) -> str:
        status, out, err = run_cli(capsys, *argv, "-w", path)
        assert status == 0, err
        return out
    return run


def _by_name(capsys, path, folder) -> dict[str, dict[str, str]]:
    return {row["full_name"]: row for row in exported_customers(capsys, path, folder, COLUMNS)}


def _record_of(capsys, path, folder, file_name: str, row: int) -> str:
    out = folder / "sources-ids.csv"
    out.unlink(missing_ok=True)
    status, _out, err = run_cli(capsys, "export", "sources", out, "-w", path)
    assert status == 0, err
    with out.open(newline="", encoding="utf-8") as fh:
        return next(r["record_id"] for r in csv.DictReader(fh)
                    if r["source_file"] == file_name and int(r["source_row"]) == row)


@time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=UTC), tick=False)
def test_the_split_off_customer_takes_her_list_record_and_her_opens_back(tmp_path, capsys, cli, computer_in):
    computer_in("America/New_York")
    path = melissa_on_the_list(capsys, tmp_path, "+14045550170", "+16195550108", "619-555-0108")
    before = _by_name(capsys, path, tmp_path)
    placed = source_placement(capsys, path, tmp_path)
    owen, melissa = before["Owen Rossi"], before["Melissa Clark"]
    assert (owen["email"], owen["consent_email"], owen["channels"]) == (OWEN_ROSSI, "denied", "shop")
    assert (melissa["email"], melissa["consent_email"], melissa["channels"]) == (MELISSA_CLARK, "granted", "email shop")
    assert {placed[("subscribed_members_export_319da7fa07.csv", 1)]} == {
        placed[("email_activity.csv", n)] for n in range(1, 6)} == {melissa["id"]}

    cli(path, "merge", owen["id"], melissa["id"])
    said = cli(path, "unmerge", _record_of(capsys, path, tmp_path, "customers_export.csv", 2))

    after = _by_name(capsys, path, tmp_path)
    placed = source_placement(capsys, path, tmp_path)
    owen_now, melissa_now = after["Owen Rossi"], after["Melissa Clark"]
    assert owen_now == owen
    assert {k: v for k, v in melissa_now.items() if k != "id"} == {k: v for k, v in melissa.items() if k != "id"}
    assert {placed[("subscribed_members_export_319da7fa07.csv", 1)]} == {
        placed[("email_activity.csv", n)] for n in range(1, 6)} == {melissa_now["id"]}
    assert f"to new customer {melissa_now['id']}" in said
    assert ", with 6 records that came onto the card through it;" in said  # her list record, her five email events
    assert "merged by you" not in cli(path, "customer", "why", owen["id"])
    cli(path, "resolve", "--from-scratch")
    assert source_placement(capsys, path, tmp_path) == placed


@time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=UTC), tick=False)
def test_undoing_the_split_puts_her_list_record_and_opens_back_exactly_and_a_redo_takes_them_again(
        tmp_path, capsys, cli, computer_in):
    from omnidesk.core.identity import merge as mg
    from omnidesk.core.workspace import Workspace
    from tests.workspace_dump import differences, dump

    computer_in("America/New_York")
    path = melissa_on_the_list(capsys, tmp_path, "+14045550170", "+16195550108", "619-555-0108")
    people = _by_name(capsys, path, tmp_path)
    cli(path, "merge", people["Owen Rossi"]["id"], people["Melissa Clark"]["id"])
    record = int(_record_of(capsys, path, tmp_path, "customers_export.csv", 2))
    merged = source_placement(capsys, path, tmp_path)
    before = dump(path)
    with Workspace.open(path) as ws:
        split = mg.unmerge_record(ws, record)
    assert split.along == 6
    apart = source_placement(capsys, path, tmp_path)
    with Workspace.open(path) as ws:
        mg.undo_split(ws, split)
    assert differences(before, dump(path)) == []
    assert source_placement(capsys, path, tmp_path) == merged
    with Workspace.open(path) as ws:
        again = mg.unmerge_record(ws, record, customer_id=split.new)
    assert (again.new, again.along) == (split.new, 6)
    assert source_placement(capsys, path, tmp_path) == apart


@time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=UTC), tick=False)
def test_a_list_record_holding_her_email_and_his_phone_stays_with_him(tmp_path, capsys, cli, computer_in):
    """The newsletter holds Melissa's email with Owen's phone: it is on both sides, and nothing
    tells whose it is; it stays on the customer the split leaves, as the opens on its email do."""
    computer_in("America/New_York")
    path = melissa_on_the_list(capsys, tmp_path, "+14045550170", "+16195550108", "404-555-0170")
    people = _by_name(capsys, path, tmp_path)
    placed = source_placement(capsys, path, tmp_path)
    assert placed[("subscribed_members_export_319da7fa07.csv", 1)] == people["Melissa Clark"]["id"]  # her email
    cli(path, "merge", people["Owen Rossi"]["id"], people["Melissa Clark"]["id"])
    said = cli(path, "unmerge", _record_of(capsys, path, tmp_path, "customers_export.csv", 2))
    assert "came onto the card" not in said
    placed = source_placement(capsys, path, tmp_path)
    owen = placed[("customers_export.csv", 1)]
    assert placed[("customers_export.csv", 2)] != owen
    assert {placed[("subscribed_members_export_319da7fa07.csv", 1)]} == {
        placed[("email_activity.csv", n)] for n in range(1, 6)} == {owen}
