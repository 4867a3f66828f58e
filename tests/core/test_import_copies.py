"""The same file imported again is a copy on record: undoing the first import loses nothing of it."""

from __future__ import annotations

import csv
import json
import shutil

from sqlalchemy import select

from omnidesk.core.campaigns.guards import refused_addresses
from omnidesk.core.importing.batches import list_batches, undo_batch
from omnidesk.core.importing.pipeline import analyze, import_file, run_to_end
from tests.helpers import run_cli, write_csv

# Mailchimp's audience export: the unsubscribed members file.
UNSUB_HEADER = ["Email Address", "First Name", "Last Name", "MEMBER_RATING", "OPTIN_TIME", "CONFIRM_TIME",
                "LEID", "EUID", "UNSUB_TIME"]
UNSUB_ROWS = [["bob@example.com", "Bob", "Stone", "2", "2025-01-02 10:00:00", "2025-01-02 10:01:00", "12",
               "bb1", "2026-03-04 09:00:00"]]


def unsubscribed_file(tmp_path):
    return write_csv(tmp_path / "unsubscribed_members_export_1a.csv", UNSUB_HEADER, UNSUB_ROWS)


def refused(ws) -> list[str]:
    with ws.engine.connect() as conn:
        return sorted(set(conn.execute(select(refused_addresses("email").subquery())).scalars()))


def held(ws) -> list[tuple]:
    """(import, email, consent) of every record kept."""
    with ws.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(
            "SELECT r.batch_id, r.email, k.status FROM source_record r LEFT JOIN consent k ON k.record_id = r.id "
            "ORDER BY r.id").all()]


def test_undoing_an_import_hands_its_rows_to_a_copy_of_its_file_still_kept(ws, tmp_path):
    first_file = unsubscribed_file(tmp_path)
    first = import_file(ws, first_file)
    copy_file = tmp_path / "unsubscribed-again.csv"
    shutil.copyfile(first_file, copy_file)
    copy = import_file(ws, copy_file)
    assert (copy.imported, copy.duplicates, copy.already_imported) == (0, 1, first.batch_id)
    assert refused(ws) == ["bob@example.com"]

    removed = undo_batch(ws, first.batch_id)
    # Bob unsubscribed in a file still imported: he stays opted out, his record now the copy's.
    assert (removed["source_records"], removed["customers"], removed["handed_to"]) == (0, 0, copy.batch_id)
    assert refused(ws) == ["bob@example.com"]
    assert held(ws) == [(copy.batch_id, "bob@example.com", "unsubscribed")]
    assert ws.counts()["customers"] == 1
    batches = {b["id"]: b for b in list_batches(ws)}
    assert batches[first.batch_id]["status"] == "undone"
    kept = batches[copy.batch_id]
    assert (kept["status"], kept["file_name"], kept["imported"], kept["duplicates"]) == (
        "done", "unsubscribed-again.csv", 1, 0)

    # Undoing the copy now takes the rows away for real.
    removed = undo_batch(ws, copy.batch_id)
    assert (removed["source_records"], removed["customers"]) == (1, 1) and "handed_to" not in removed
    assert held(ws) == [] and refused(ws) == [] and ws.counts()["customers"] == 0


def test_undoing_the_copy_first_removes_nothing_but_its_entry(ws, tmp_path):
    f = unsubscribed_file(tmp_path)
    first = import_file(ws, f)
    copy = import_file(ws, f)
    before = held(ws)
    removed = undo_batch(ws, copy.batch_id)
    assert (removed["source_records"], removed["events"], removed["customers"]) == (0, 0, 0)
    assert held(ws) == before == [(first.batch_id, "bob@example.com", "unsubscribed")]
    assert refused(ws) == ["bob@example.com"]
    assert [(b["id"], b["status"]) for b in list_batches(ws)] == [(copy.batch_id, "undone"),
                                                                    (first.batch_id, "done")]
    undo_batch(ws, first.batch_id)  # no copy kept any more: its rows go
    assert held(ws) == [] and refused(ws) == []


def test_a_file_whose_first_import_was_undone_since_it_was_read_is_imported(ws, tmp_path):
    f = unsubscribed_file(tmp_path)
    first = import_file(ws, f)
    plan = analyze(ws, f)  # read while the first import still held the rows (the wizard's list)
    assert plan.previous_batch == first.batch_id
    undo_batch(ws, first.batch_id)
    again = run_to_end(ws, plan)
    assert (again.imported, again.already_imported) == (1, None)
    assert refused(ws) == ["bob@example.com"]


def test_the_command_line_undo_keeps_the_opt_out_of_a_shop_export_imported_again(ws, tmp_path, capsys):
    header = ["First Name", "Last Name", "Email", "Accepts Email Marketing", "Phone", "Accepts SMS Marketing",
              "Total Spent", "Total Orders", "Tags"]
    rows = [["Ann", "Lee", "ann@example.com", "yes", "", "no", "10.00", "1", ""],
            ["Bob", "Stone", "bob@example.com", "no", "", "no", "0.00", "0", ""]]
    export = write_csv(tmp_path / "customers_export.csv", header, rows)
    shutil.copyfile(export, tmp_path / "customers_export (1).csv")
    path = ws.path
    ws.close()
    assert run_cli(capsys, "-w", path, "import", export)[0] == 0
    assert run_cli(capsys, "-w", path, "import", tmp_path / "customers_export (1).csv")[0] == 0
    # The list says which import is a copy of which, before undoing the first decides anything.
    status, out, _ = run_cli(capsys, "-w", path, "imports", "list")
    assert status == 0
    lines = out.splitlines()
    assert lines[1].endswith("customers_export (1).csv (a copy of import 1: the same file again)"), lines
    assert lines[2].endswith("  customers_export.csv"), lines
    status, out, _ = run_cli(capsys, "-w", path, "imports", "list", "--json")
    assert [(b["id"], b["copy_of"], b["rows_now_in"]) for b in json.loads(out)] == [(2, 1, None), (1, None, None)]
    status, out, _ = run_cli(capsys, "-w", path, "imports", "undo", "1")
    assert status == 0
    assert "its 2 records stay, import 2's now" in out
    status, out, _ = run_cli(capsys, "-w", path, "imports", "list", "--json")
    assert [(b["id"], b["status"], b["file_name"], b["imported"], b["copy_of"], b["rows_now_in"])
            for b in json.loads(out)] == [(2, "done", "customers_export (1).csv", 2, None, None),
                                         (1, "undone", "customers_export.csv", 2, None, 2)]
    status, out, _ = run_cli(capsys, "-w", path, "imports", "list")
    assert out.splitlines()[2].endswith("customers_export.csv (its rows are import 2's now)")
    from omnidesk.core.workspace import Workspace

    with Workspace.open(path) as again:
        assert refused(again) == ["bob@example.com"]
        with again.engine.connect() as conn:
            channels = conn.exec_driver_sql("SELECT email, consent_email, channels FROM customer ORDER BY email").all()
    assert [tuple(c)[:2] for c in channels] == [("ann@example.com", "granted"), ("bob@example.com", "denied")]
    assert all(c[2] for c in channels)  # each keeps the channel the export met them on
    assert run_cli(capsys, "-w", path, "imports", "undo", "2")[0] == 0
    with Workspace.open(path) as again:
        assert refused(again) == [] and again.counts()["customers"] == 0


def test_the_error_report_of_an_import_undone_onto_a_copy_is_written_from_the_copy(tmp_path, capsys):
    """Import 1's rows are import 2's after the hand-over: asked for by either number, the flagged
    row is written, numbered with the import that holds it, and the user is told which that is."""
    import csv

    from omnidesk.core.importing.batches import flagged_records
    from omnidesk.core.workspace import Workspace
    from tests.core.test_error_report_events import TILL_HEADER, TILL_ROWS

    till = write_csv(tmp_path / "kasse_export.csv", TILL_HEADER, TILL_ROWS, delimiter=";", encoding="latin-1")
    again = tmp_path / "kasse_export_again.csv"
    shutil.copyfile(till, again)
    ws = tmp_path / "shop.omnidesk"
    for f in (till, again):
        assert run_cli(capsys, "import", f, "-w", ws, "--kind", "events", "--channel", "till")[0] == 0
    status, out, _err = run_cli(capsys, "imports", "undo", "1", "-w", ws)
    assert status == 0

    status, out, err = run_cli(capsys, "imports", "errors", "1", tmp_path / "errs-1.csv", "-w", ws)
    assert (status, err) == (0, "")
    assert out == ("Import 1 (kasse_export.csv) was undone while a copy of its file was kept: its rows are "
                   "import 2's (kasse_export_again.csv) now. Wrote 1 flagged row of import 2 to "
                   f"{tmp_path / 'errs-1.csv'}\n")
    with (tmp_path / "errs-1.csv").open(encoding="utf-8-sig", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["Kundennr"] == "K-0042" and row["Telefon"] == "0207 555 0100"
    assert list(row.values())[-1] == "2"  # the import a fixed row replaces its row in
    # The copy's own number writes the same report; the Imports screen shows the row under it.
    assert run_cli(capsys, "imports", "errors", "2", tmp_path / "errs-2.csv", "-w", ws)[0] == 0
    assert (tmp_path / "errs-2.csv").read_bytes() == (tmp_path / "errs-1.csv").read_bytes()
    with Workspace.open(ws) as opened:
        assert [r.values[TILL_HEADER.index("Kundennr")] for r in flagged_records(opened, 2)] == ["K-0042"]
        assert flagged_records(opened, 1) == []

    # Once the copy is undone too, nothing is kept: the first number says so, and writes nothing.
    assert run_cli(capsys, "imports", "undo", "2", "-w", ws)[0] == 0
    status, out, err = run_cli(capsys, "imports", "errors", "1", tmp_path / "errs-3.csv", "-w", ws)
    assert status != 0 and "its rows are no longer kept" in err and not (tmp_path / "errs-3.csv").exists()


def test_the_same_file_imported_as_another_channel_is_that_channels_file_and_no_copy(tmp_path, capsys):
    shop = write_csv(tmp_path / "shop_list.csv", ["First Name", "Last Name", "Email"],
                     [["Ann", "Lee", "ann@example.com"], ["Bob", "Ray", "bob@example.com"]])
    newsletter = tmp_path / "newsletter.csv"
    shutil.copyfile(shop, newsletter)  # the newsletter's list, byte for byte the shop's
    path = tmp_path / "shop.omnidesk"
    assert run_cli(capsys, "import", shop, "--channel", "shop", "-w", path)[0] == 0
    status, out, _ = run_cli(capsys, "import", newsletter, "--channel", "email", "-w", path, "--json")
    assert status == 0
    result = json.loads(out)
    assert (result["channel"], result["imported"], result["duplicates"]) == ("email", 2, 0)
    assert (result["new_customers"], result["updated_customers"]) == (0, 2)  # the same two people
    status, out, _ = run_cli(capsys, "imports", "list", "--json", "-w", path)
    assert [(b["id"], b["channel"], b["imported"], b["copy_of"]) for b in json.loads(out)] == [
        (2, "email", 2, None), (1, "shop", 2, None)]
    sources = tmp_path / "sources.csv"
    assert run_cli(capsys, "export", "sources", sources, "-w", path)[0] == 0
    with sources.open(newline="", encoding="utf-8-sig") as fh:
        held_on = sorted((r["source_file"], r["channel"], r["email"], r["customer_id"]) for r in csv.DictReader(fh))
    ann, bob = (next(r[3] for r in held_on if r[2] == email) for email in ("ann@example.com", "bob@example.com"))
    assert held_on == sorted([("shop_list.csv", "shop", "ann@example.com", ann),
                              ("shop_list.csv", "shop", "bob@example.com", bob),
                              ("newsletter.csv", "email", "ann@example.com", ann),
                              ("newsletter.csv", "email", "bob@example.com", bob)])

    # Given again as the newsletter's, it is a copy of the newsletter's import.
    status, out, _ = run_cli(capsys, "import", newsletter, "--channel", "email", "-w", path, "--json")
    assert (json.loads(out)["imported"], json.loads(out)["duplicates"]) == (0, 2)
    status, out, _ = run_cli(capsys, "imports", "list", "--json", "-w", path)
    assert [(b["id"], b["channel"], b["copy_of"]) for b in json.loads(out)][0] == (3, "email", 2)
