"""A value typed in a terminal that does not speak UTF-8 reaches the command line as bytes that are
not text (Python keeps them as lone surrogates): a clear sentence naming the value, nothing written,
never the database's traceback."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import write_csv

ROOT = Path(__file__).resolve().parents[2]


def _omnidesk(ws: Path, *argv: bytes | str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LC_ALL": "C.UTF-8", "PYTHONUTF8": "1"}
    return subprocess.run([sys.executable, "-m", "omnidesk", "-w", str(ws), *argv],
                          capture_output=True, env=env, cwd=ws.parent, timeout=120)


@pytest.mark.parametrize("argv", [
    (b"customer", b"add", b"first_name=Ren\xe9", b"last_name=Roux", b"email=rene@example.com"),
    (b"tag", b"add", b"caf\xe9", b"1"),
    (b"customer", b"set", b"1", b"first_name", b"Ren\xe9"),
], ids=["customer add", "tag", "customer set"])
def test_a_value_in_latin_1_is_refused_in_a_sentence_and_nothing_is_written(tmp_path, argv):
    ws = tmp_path / "shop.omnidesk"
    src = write_csv(tmp_path / "list.csv", ["email", "first_name", "last_name"],
                    [["ann@example.com", "Ann", "Lee"]])
    assert _omnidesk(ws, "import", str(src)).returncode == 0
    before = _dump(ws)

    done = _omnidesk(ws, *argv)

    err = done.stderr.decode("utf-8", "backslashreplace")
    assert done.returncode != 0
    assert "Traceback" not in err and "UnicodeEncodeError" not in err, err
    assert err.startswith("omnidesk: error: '"), err
    assert "is not text the workspace can keep" in err and "nothing was changed" in err, err
    assert "\\udce9" in err or "\\xe9" in err, err  # the value is named
    assert _dump(ws) == before


def _dump(ws: Path) -> dict[str, list]:
    con = sqlite3.connect(ws)
    try:
        names = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {n: sorted(map(repr, con.execute(f'SELECT * FROM "{n}"'))) for n in names}
    finally:
        con.close()
