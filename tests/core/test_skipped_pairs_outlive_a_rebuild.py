"""A pair skipped in Review ("not now") stays skipped through `resolve --from-scratch`: the rebuild
queues its pairs afresh, and "accept all at or above" must still leave the skipped ones to be
decided one by one."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest
import time_machine

from omnidesk.core.identity.merge import list_reviews, reviews_to_accept
from omnidesk.core.workspace import Workspace
from tests.helpers import run_cli

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def demo_file(demo_workspace_file):
    return demo_workspace_file  # copied before it is changed


def _queue(path) -> dict[frozenset, tuple[str, float]]:
    ws = Workspace.open(path)
    try:
        return {frozenset((r.left_id, r.right_id)): (r.status, r.score) for r in list_reviews(ws)}
    finally:
        ws.close()


def _bulk(path, score: float) -> set[frozenset]:
    ws = Workspace.open(path)
    try:
        return {frozenset((r.left_id, r.right_id)) for r in reviews_to_accept(ws, score)}
    finally:
        ws.close()


@time_machine.travel(NOW, tick=False)
def test_a_skipped_pair_is_still_skipped_after_a_rebuild_and_bulk_accept_leaves_it(demo_file, tmp_path, capsys):
    path = tmp_path / "shop.omnidesk"
    shutil.copyfile(demo_file, path)
    ws = Workspace.open(path)
    try:
        takeable = sorted((r for r in reviews_to_accept(ws, 0.5)), key=lambda r: -r.score)
    finally:
        ws.close()
    assert takeable, "the demo queues a pair a bulk accept would take"
    chosen = takeable[0]
    pair = frozenset((chosen.left_id, chosen.right_id))
    assert run_cli(capsys, "review", "skip", chosen.id, "-w", path)[0] == 0
    before = _queue(path)
    assert before[pair][0] == "skipped" and pair not in _bulk(path, chosen.score)

    assert run_cli(capsys, "resolve", "--from-scratch", "-w", path)[0] == 0
    after = _queue(path)
    # The same pairs (scored afresh), the skipped one still skipped, the others still pending.
    assert {p: status for p, (status, _) in after.items()} == {p: status for p, (status, _) in before.items()}
    assert pair not in _bulk(path, chosen.score)
    assert sum(status == "pending" for status, _ in after.values()) == len(after) - 1 > 0
