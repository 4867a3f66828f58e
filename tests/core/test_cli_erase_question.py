"""``person erase`` asks at a terminal: on stderr (the results may go to a file), and Ctrl-D is a no."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import omnidesk
from omnidesk.core.workspace import Workspace
from tests.helpers import cli_shop_fixtures

PEOPLE = (["Email", "First Name"], [["ann@example.com", "Ann"], ["bob@example.com", "Bob"]])

shop_template, shop = cli_shop_fixtures(PEOPLE)

QUESTION = "This cannot be undone [y/N] "


def _customers(path) -> int:
    with Workspace.open(path, readonly=True) as ws, ws.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT COUNT(*) FROM customer").scalar()


def _ask(shop: Path, tmp_path: Path, answer: bytes) -> tuple[int, str, str]:
    """Run ``person erase`` with the terminal as stdin and stderr, stdout to a file, and type
    ``answer`` once the question shows: (exit status, the terminal's text, the file's)."""
    master, slave = pty.openpty()
    results = tmp_path / "results.txt"
    env = {**os.environ, "PYTHONPATH": str(Path(omnidesk.__file__).parent.parent)}
    with results.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "omnidesk", "-w", str(shop), "person", "erase",
                                    "ann@example.com"], env=env, stdin=slave, stdout=out, stderr=slave)
    os.close(slave)
    seen = b""
    try:
        deadline = time.monotonic() + 120
        while QUESTION.encode() not in seen and time.monotonic() < deadline and process.poll() is None:
            if select.select([master], [], [], 0.5)[0]:
                seen += os.read(master, 65536)
        os.write(master, answer)
        status = process.wait(timeout=60)
        while select.select([master], [], [], 0.2)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the other end has closed
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    return status, seen.decode(errors="replace").replace("\r\n", "\n"), results.read_text()


def test_ctrl_d_at_the_erase_question_is_a_no(shop, tmp_path):
    before = _customers(shop)
    status, terminal, results = _ask(shop, tmp_path, b"\x04")
    assert status == 0, terminal
    assert "Traceback" not in terminal and "EOFError" not in terminal
    assert terminal.endswith(QUESTION + "\n")  # the next line starts on a line of its own
    assert results == "Nothing erased.\n"
    assert _customers(shop) == before


def test_the_erase_question_is_seen_when_the_results_go_to_a_file(shop, tmp_path):
    before = _customers(shop)
    status, terminal, results = _ask(shop, tmp_path, b"n\n")
    assert status == 0, terminal
    assert QUESTION in terminal and "Erase customer" in terminal
    assert results == "Nothing erased.\n"  # the question is not among the results
    assert _customers(shop) == before
