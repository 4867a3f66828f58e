"""A later record matching two customers the user kept apart is not given to either at random.

The shop and the email list both know a Jon Smith at jon@example.com; they were
merged, and the user split the list's Jon off: two people sharing a mailbox.
The list's next export of Jon (a city added, so a new row) is the list's Jon.
A till row of "Jon Smith, jon@example.com" could be either: it waits in Review
with each of them, and deciding one takes the other question away.
"""

from __future__ import annotations

from omnidesk.cli import main
from tests.helpers import write_csv


def run(capsys, *argv) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def placed(ws_path) -> dict[tuple[str, int], int]:
    import sqlite3

    with sqlite3.connect(ws_path) as db:
        return {(f, n): c for f, n, c in db.execute(
            "SELECT b.file_name, r.record_no, r.customer_id FROM source_record r "
            "JOIN import_batch b ON b.id = r.batch_id")}


def split_jons(tmp_path, capsys):
    ws = str(tmp_path / "shop.omnidesk")
    run(capsys, "-w", ws, "import", "--channel", "shop", str(write_csv(
        tmp_path / "shop.csv", ["Customer ID", "First Name", "Last Name", "Email", "Phone"],
        [["7001", "Jon", "Smith", "jon@example.com", "+14155550111"]])))
    run(capsys, "-w", ws, "import", "--channel", "email", str(write_csv(
        tmp_path / "list.csv", ["First Name", "Last Name", "Email"], [["Jon", "Smith", "jon@example.com"]])))
    at = placed(ws)
    assert at[("shop.csv", 1)] == at[("list.csv", 1)]  # one person, as far as the data says
    list_record = 2
    run(capsys, "-w", ws, "unmerge", str(list_record))
    at = placed(ws)
    assert at[("shop.csv", 1)] != at[("list.csv", 1)]
    return ws, at[("shop.csv", 1)], at[("list.csv", 1)]


def import_till_jon(ws, tmp_path, capsys) -> int:
    """The till's Jon Smith on the shared mailbox, who could be either; returns his customer."""
    run(capsys, "-w", ws, "import", "--channel", "pos", str(write_csv(
        tmp_path / "till.csv", ["First Name", "Last Name", "Email", "City"],
        [["Jon", "Smith", "jon@example.com", "Portland"]])))
    return placed(ws)[("till.csv", 1)]


def test_the_lists_next_export_of_a_person_split_off_is_that_persons(tmp_path, capsys):
    ws, shop_jon, list_jon = split_jons(tmp_path, capsys)
    run(capsys, "-w", ws, "import", "--channel", "email", str(write_csv(
        tmp_path / "list2.csv", ["First Name", "Last Name", "Email", "City"],
        [["Jon", "Smith", "jon@example.com", "Boston"]])))
    assert placed(ws)[("list2.csv", 1)] == list_jon
    run(capsys, "-w", ws, "resolve", "--from-scratch")
    at = placed(ws)
    assert at[("list2.csv", 1)] == at[("list.csv", 1)] != at[("shop.csv", 1)]


def test_a_record_either_could_be_waits_in_review_with_each(tmp_path, capsys):
    ws, shop_jon, list_jon = split_jons(tmp_path, capsys)
    till_jon = import_till_jon(ws, tmp_path, capsys)
    assert till_jon not in (shop_jon, list_jon)
    queue = run(capsys, "-w", ws, "review", "list")
    lines = [line for line in queue.splitlines() if line.strip()]
    assert len(lines) == 2, queue
    assert all("matches two customers you said are different people" in line for line in lines)
    assert {f"(#{shop_jon})", f"(#{list_jon})"} <= set(queue.replace("(", " (").split())
    # A rebuild asks the same, and leaves the till's Jon alone.
    run(capsys, "-w", ws, "resolve", "--from-scratch")
    assert len(set(placed(ws).values())) == 3
    queue = run(capsys, "-w", ws, "review", "list")
    assert len([line for line in queue.splitlines() if line.strip()]) == 2
    # The user says the till's Jon is the shop's: the list's Jon question goes with it.
    first = next(line for line in queue.splitlines() if f"(#{shop_jon})" in line)
    run(capsys, "-w", ws, "review", "accept", first.split()[0])
    assert placed(ws)[("till.csv", 1)] == shop_jon
    assert "The review queue is empty." in run(capsys, "-w", ws, "review", "list")


def test_undoing_that_accept_asks_both_questions_again(tmp_path, capsys):
    from omnidesk.core.identity import merge as mg
    from omnidesk.core.workspace import Workspace

    ws_path, shop_jon, list_jon = split_jons(tmp_path, capsys)
    till_jon = import_till_jon(ws_path, tmp_path, capsys)
    ws = Workspace.open(ws_path)
    try:
        asked = {(r.left_id, r.right_id) for r in mg.list_reviews(ws)}
        assert asked == {(shop_jon, till_jon), (list_jon, till_jon)}
        first = next(r for r in mg.list_reviews(ws) if shop_jon in (r.left_id, r.right_id))
        accepted = mg.accept_review(ws, first.id)
        assert mg.list_reviews(ws) == []
        mg.undo_accept(ws, accepted)
        assert {(r.left_id, r.right_id) for r in mg.list_reviews(ws)} == asked
        assert placed(ws_path)[("till.csv", 1)] == till_jon
    finally:
        ws.close()
