import pytest

from omnidesk.core.identity.find import find_duplicates
from omnidesk.core.tasks import Cancelled, run_to_completion


def test_cancelled_find_duplicates_changes_nothing(tmp_path):
    from omnidesk.core.workspace import Workspace

    ws = Workspace.create(tmp_path / "w.omnidesk")
    try:
        before = ws.counts()
        with pytest.raises(Cancelled):
            run_to_completion(find_duplicates(ws, lambda: True))
        assert ws.counts() == before
        stats = run_to_completion(find_duplicates(ws))
        assert stats.changes.customer_list and stats.changes.reviews
    finally:
        ws.close()
