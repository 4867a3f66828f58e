"""A file rewritten while `omnidesk import` reads it: nothing of it is kept, and the whole file imports later."""

from __future__ import annotations

import json

import pytest

from omnidesk.core.importing import parallel, pipeline
from omnidesk.core.workspace import Workspace
from tests.helpers import run_cli

ROWS = 8000  # some 200 KB: more than is read ahead of the rows stored


def export(path, prefix: str, rows: int) -> None:
    path.write_text("Email,First Name\n" + "".join(f"{prefix}{i}@example.com,P{i}\n" for i in range(rows)))


@pytest.mark.parametrize("workers", ["0", "1"])  # read here, or normalized by a worker process
def test_a_file_rewritten_during_its_import_is_refused_whole(tmp_path, capsys, monkeypatch, workers):
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, workers)
    monkeypatch.setattr(pipeline, "CHUNK", 500)
    f = tmp_path / "customers.csv"
    export(f, "p", ROWS)
    read = pipeline.read_by_known_numbers
    chunks = []

    def rewritten_after_the_first_chunk(conn, rows):
        chunks.append(len(rows))
        if len(chunks) == 1:  # the export tool writes the file again, in place, as the import reads it
            with open(f, "r+") as fh:
                fh.truncate(0)
                fh.write("Email,First Name\n" + "".join(f"new{i}@example.com,N{i}\n" for i in range(3)))
        return read(conn, rows)

    monkeypatch.setattr(pipeline, "read_by_known_numbers", rewritten_after_the_first_chunk)
    ws = tmp_path / "shop.omnidesk"
    Workspace.create(ws).close()
    status, out, err = run_cli(capsys, "import", f, "-w", ws)
    assert status != 0 and out == ""
    assert ("customers.csv changed while it was being imported (or since it was read); nothing was imported "
            "— import it again.") in err
    with Workspace.open(ws) as opened:
        assert opened.counts() == {"customers": 0, "source_records": 0, "events": 0, "consents": 0, "imports": 0}

    # The full export, written again, is a file never imported: all of it comes in.
    monkeypatch.setattr(pipeline, "read_by_known_numbers", read)
    export(f, "p", ROWS)
    status, out, _ = run_cli(capsys, "import", f, "-w", ws, "--json")
    assert status == 0
    result = json.loads(out)
    assert (result["rows"], result["imported"], result["duplicates"]) == (ROWS, ROWS, 0)
