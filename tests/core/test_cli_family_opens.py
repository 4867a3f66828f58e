"""An open on a family's shared address goes to the person the email list holds it for.

Ann Lee (the shop) and her daughter Annie Lee (the email list) share one mailbox.  Their first
names could be one name (Annie is Ann's short form), but their birthdays say they are two people,
so they stay two customers.  The email tool's open on that address is the list member's — on
import whichever file comes first, and in a rebuild — not whoever's file was imported first.
"""

from __future__ import annotations

import pytest

from tests.helpers import run_cli, source_placement, write_csv

MAILBOX = "leefamily@example.com"
HEADER = ["First Name", "Last Name", "Email", "Birthday"]
FILES = {
    "shop.csv": (HEADER, [["Ann", "Lee", MAILBOX, "1961-03-14"]], "shop", "contacts"),
    "list.csv": (HEADER, [["Annie", "Lee", MAILBOX, "1994-08-02"]], "email", "contacts"),
    "opens.csv": (["Email", "Action", "Timestamp"], [[MAILBOX, "open", "2026-01-02 10:00:00"],
                                                     [MAILBOX, "click", "2026-01-03 10:00:00"]], "email", "events"),
}


@pytest.mark.parametrize("order", [("shop.csv", "list.csv", "opens.csv"), ("shop.csv", "opens.csv", "list.csv"),
                                   ("opens.csv", "shop.csv", "list.csv"), ("list.csv", "shop.csv", "opens.csv")])
def test_an_open_on_a_family_address_goes_to_the_list_member_on_import_as_in_a_rebuild(capsys, tmp_path, order):
    ws = tmp_path / "ws.omnidesk"
    for name in order:
        header, rows, channel, kind = FILES[name]
        status, _, err = run_cli(capsys, "import", write_csv(tmp_path / name, header, rows), "-w", ws,
                                 "--channel", channel, "--kind", kind)
        assert status == 0, err
    imported = source_placement(capsys, ws, tmp_path)
    ann, annie = imported[("shop.csv", 1)], imported[("list.csv", 1)]
    assert ann and annie and ann != annie  # two people
    assert imported[("opens.csv", 1)] == imported[("opens.csv", 2)] == annie
    status, _, err = run_cli(capsys, "resolve", "--from-scratch", "-w", ws)
    assert status == 0, err
    assert source_placement(capsys, ws, tmp_path) == imported


VISITS = (["Email", "Action", "Timestamp"], [[MAILBOX, "visit", "2026-01-04 10:00:00"]], "shop", "events")


@pytest.mark.parametrize("order", [("shop.csv", "list.csv", "opens.csv", "visits.csv"),
                                   ("shop.csv", "list.csv", "visits.csv", "opens.csv"),
                                   ("shop.csv", "visits.csv", "list.csv", "opens.csv"),
                                   ("visits.csv", "shop.csv", "list.csv", "opens.csv"),
                                   ("list.csv", "shop.csv", "opens.csv", "visits.csv"),
                                   ("opens.csv", "list.csv", "visits.csv", "shop.csv"),
                                   ("shop.csv", "opens.csv", "list.csv", "visits.csv"),
                                   ("opens.csv", "shop.csv", "list.csv", "visits.csv")], ids="-".join)
def test_undoing_the_list_gives_its_members_opens_to_the_one_left_on_the_mailbox_as_a_rebuild_does(
        capsys, tmp_path, order):
    """Ann (the shop) and Annie (the email list) share the mailbox; the email tool's opens are
    Annie's. Undoing the list's import leaves Ann the only person named on the mailbox: the opens
    go to her, as a rebuild from scratch puts them, not left a nameless customer of their own."""
    ws = tmp_path / "ws.omnidesk"
    files = {**FILES, "visits.csv": VISITS}
    batch = {}
    for number, name in enumerate(order, 1):
        header, rows, channel, kind = files[name]
        status, _, err = run_cli(capsys, "import", write_csv(tmp_path / name, header, rows), "-w", ws,
                                 "--channel", channel, "--kind", kind)
        assert status == 0, err
        batch[name] = number
    status, _, err = run_cli(capsys, "imports", "undo", batch["list.csv"], "-w", ws)
    assert status == 0, err
    undone = source_placement(capsys, ws, tmp_path)
    assert len(set(undone.values())) == 1  # Ann, her visit and the opens
    status, _, err = run_cli(capsys, "resolve", "--from-scratch", "-w", ws)
    assert status == 0, err
    assert source_placement(capsys, ws, tmp_path) == undone


def test_an_undo_of_the_list_that_placed_the_opens_again_is_put_back_exactly(make_workspace, tmp_path):
    """Undone with its changes kept (Edit › Undo of an import's undo, and the redo of an import), the
    list's import comes back with the opens on Annie again, every record where it was."""
    from omnidesk.core.importing.batches import put_back_batches, remove_batch, restore_batch, take_back_batches
    from omnidesk.core.importing.pipeline import ImportOptions, import_file

    ws = make_workspace("family.omnidesk")
    batch = {}
    for name in ("shop.csv", "list.csv", "opens.csv"):
        header, rows, channel, kind = FILES[name]
        batch[name] = import_file(ws, write_csv(tmp_path / name, header, rows),
                                  ImportOptions(channel=channel, kind=kind)).batch_id

    def placed():
        with ws.engine.connect() as conn:
            return conn.exec_driver_sql("SELECT id, customer_id FROM source_record ORDER BY id").fetchall()

    imported = placed()
    undone = take_back_batches(ws, [batch["list.csv"]])
    ann = dict(imported)[1]
    assert {cid for _, cid in placed()} == {ann}  # the opens are Ann's now
    put_back_batches(ws, undone)
    assert placed() == imported
    removal = remove_batch(ws, batch["list.csv"])
    assert {cid for _, cid in placed()} == {ann}
    restore_batch(ws, removal)
    assert placed() == imported
