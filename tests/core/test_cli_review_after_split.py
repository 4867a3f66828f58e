"""After ``unmerge``, the review queue asks about the customers as they are now.

The list's Anna, the shop's Anna (with a phone) and the till's Mark Lee on that phone: the
queue asks "Anna Lee (#1) ~ Mark Lee (#2) — same phone".  Splitting the shop's record off Anna
takes the phone with it: the question about #1 goes, and the one about the new #3, who holds
the phone now, is asked.
"""

from __future__ import annotations

import json
import re

from tests.helpers import run_cli, write_csv

HEADER = ["First Name", "Last Name", "Email", "Phone"]


def _workspace(tmp_path, capsys, list_phone: str = ""):
    ws = tmp_path / "w.omnidesk"

    def run(*argv) -> str:
        status, out, err = run_cli(capsys, "-w", ws, *argv)
        assert status == 0, err
        return out

    write_csv(tmp_path / "list.csv", HEADER, [["Anna", "Lee", "anna@shop.com", list_phone]])
    write_csv(tmp_path / "shop.csv", HEADER, [["Anna", "Lee", "anna@shop.com", "+1 415 555 0101"]])
    write_csv(tmp_path / "till.csv", HEADER, [["Mark", "Lee", "", "+1 415 555 0101"]])
    run("import", tmp_path / "list.csv", "--channel", "email")
    run("import", tmp_path / "shop.csv", "--channel", "shop")
    run("import", tmp_path / "till.csv", "--channel", "pos")
    return run


def _queue(run) -> list[tuple]:
    return [(r["id"], r["left"]["id"], r["right"]["id"], r["status"], r["reasons"][0])
            for r in json.loads(run("review", "list", "--json"))]


def _split_shop_record(run, tmp_path) -> tuple[int, int]:
    run("export", "sources", tmp_path / "src.csv", "--force")
    rid = next(line.rsplit(",", 1)[1] for line in (tmp_path / "src.csv").read_text().splitlines()
               if line.startswith("shop.csv"))
    said = run("unmerge", rid.strip())
    old, new = re.search(r"from customer (\d+) to new customer (\d+)", said).groups()
    return int(old), int(new)


def test_a_split_drops_the_question_its_record_took_along_and_asks_about_the_new_customer(tmp_path, capsys):
    run = _workspace(tmp_path, capsys)
    assert _queue(run) == [(1, 1, 2, "pending", "same phone")]
    assert _split_shop_record(run, tmp_path) == (1, 3)  # #1 keeps no phone; #3 holds it now
    assert [(left, right, reason) for _, left, right, _, reason in _queue(run)] == [(2, 3, "same phone")]
    run("resolve")  # asking again brings back no question about #1
    assert [(left, right) for _, left, right, _, _ in _queue(run)] == [(2, 3)]


def test_a_pair_skipped_and_still_asked_after_the_split_stays_skipped_under_its_number(tmp_path, capsys):
    run = _workspace(tmp_path, capsys, list_phone="+1 415 555 0101")  # the list's Anna has the phone too
    ((number, _, _, _, _),) = _queue(run)
    run("review", "skip", str(number))
    _split_shop_record(run, tmp_path)
    queue = _queue(run)
    assert (number, 1, 2, "skipped", "same phone") in queue  # #1 still holds the phone: still asked, still skipped
    assert [(left, right, status) for n, left, right, status, _ in queue if n != number] == [(2, 3, "pending")]


def test_a_pair_kept_apart_is_not_asked_again_after_a_split(tmp_path, capsys):
    run = _workspace(tmp_path, capsys, list_phone="+1 415 555 0101")
    ((number, _, _, _, _),) = _queue(run)
    run("review", "reject", str(number))
    _split_shop_record(run, tmp_path)  # the new #3 was part of #1 when the user kept #1 and #2 apart
    assert _queue(run) == []
