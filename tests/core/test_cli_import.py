"""`omnidesk import`: dry runs that count like the real run, and no workspace made for nothing."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path

import omnidesk
from omnidesk.cli import main
from omnidesk.core.workspace import Workspace
from tests.helpers import write_csv


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def _files(tmp_path):
    # The list knows Ann by email, the till by phone; the shop export has both and bridges them.
    return (write_csv(tmp_path / "list.csv", ["Email", "First Name", "Last Name"],
                      [["ann.lee@example.com", "Ann", "Lee"]]),
            write_csv(tmp_path / "till.csv", ["Phone", "First Name", "Last Name"],
                      [["(415) 555-0111", "Ann", "Lee"]]),
            write_csv(tmp_path / "shop.csv", ["Email", "Phone", "First Name", "Last Name"],
                      [["ann.lee@example.com", "415-555-0111", "Ann", "Lee"]]))


def _counts(path):
    with Workspace.open(path) as ws:
        return ws.counts()


def test_a_dry_run_of_several_files_counts_each_against_the_ones_before(tmp_path, capsys):
    files = [str(f) for f in _files(tmp_path)]
    ws = tmp_path / "shop.omnidesk"
    status, out, _ = run(capsys, "import", *files, "-w", str(ws), "--json")
    assert status == 0
    real = [json.loads(line) for line in out.splitlines()]
    fresh = tmp_path / "fresh.omnidesk"
    status, out, _ = run(capsys, "import", *files, "-w", str(fresh), "--json", "--dry-run")
    assert status == 0
    dry = [json.loads(line) for line in out.splitlines()]
    keys = ("rows", "imported", "flagged", "duplicates", "new_customers", "updated_customers", "queued_reviews")
    assert [[d[k] for k in keys] for d in dry] == [[r[k] for k in keys] for r in real]
    assert dry[2]["new_customers"] == 0 and dry[2]["updated_customers"] == 1
    assert all(d["dry_run"] and d["batch_id"] is None for d in dry)
    assert not fresh.exists()  # a dry run creates no workspace


def test_a_dry_run_of_several_files_into_an_existing_workspace_changes_nothing(tmp_path, capsys):
    listing, till, shop = _files(tmp_path)
    ws = tmp_path / "shop.omnidesk"
    run(capsys, "import", str(listing), str(till), "-w", str(ws))
    before = _counts(ws)
    status, out, _ = run(capsys, "import", str(shop), str(listing), "-w", str(ws), "--json", "--dry-run")
    assert status == 0
    bridge, again = (json.loads(line) for line in out.splitlines())
    assert (bridge["imported"], bridge["updated_customers"]) == (1, 1)
    assert again["duplicates"] == 1  # already imported into the workspace
    assert _counts(ws) == before


def test_a_failed_import_into_a_new_path_leaves_no_workspace(tmp_path, capsys):
    junk = tmp_path / "picture.csv"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    target = tmp_path / "new.omnidesk"
    status, _, err = run(capsys, "import", str(junk), str(empty), "-w", str(target))
    assert status == 1 and "PNG image" in err and "is empty" in err
    assert not target.exists()
    assert list(tmp_path.glob("new.omnidesk*")) == []
    # One good file among bad ones: the workspace is made, with what could be imported.
    good = write_csv(tmp_path / "good.csv", ["Email"], [["zed@example.com"]])
    status, _, _ = run(capsys, "import", str(junk), str(good), "-w", str(target))
    assert status == 1
    assert _counts(target)["customers"] == 1


def test_rows_seen_in_an_earlier_file_are_imported_and_counted(tmp_path, capsys):
    header = ["Email", "First Name", "Last Name"]
    march = write_csv(tmp_path / "march.csv", header, [["ann.lee@example.com", "Ann", "Lee"]])
    june = write_csv(tmp_path / "june.csv", header, [["bo@example.com", "Bo", "Chen"],
                                                      ["ann.lee@example.com", "Ann", "Lee"]])
    ws = tmp_path / "shop.omnidesk"
    run(capsys, "import", str(march), "-w", str(ws), "--channel", "email")
    status, out, _ = run(capsys, "import", str(june), "-w", str(ws), "--channel", "email")
    assert status == 0
    assert "june.csv" in out and "imported 2" in out and "duplicates 0, seen before 1" in out
    status, out, _ = run(capsys, "import", str(june), "-w", str(ws), "--channel", "email", "--json")
    again = json.loads(out)
    assert (again["imported"], again["duplicates"], again["seen_before"]) == (0, 2, 0)
    counts = _counts(ws)
    assert (counts["customers"], counts["source_records"]) == (2, 3)


def test_the_error_report_of_one_file_says_its_rows_in_the_right_number(tmp_path, capsys):
    rows = write_csv(tmp_path / "list.csv", ["Email", "First Name"], [["ann@", "Ann"], ["bo@example.com", "Bo"]])
    status, out, _ = run(capsys, "import", str(rows), "-w", str(tmp_path / "shop.omnidesk"),
                         "--errors", str(tmp_path / "problems.csv"))
    assert status == 0
    assert out.splitlines()[-1] == f"Wrote 1 flagged row to {tmp_path / 'problems.csv'}"


def test_a_file_that_flags_no_row_gets_no_report(tmp_path, capsys):
    """As 'omnidesk imports errors' does: nothing to report, nothing written, and said so."""
    rows = write_csv(tmp_path / "list.csv", ["Email", "First Name"], [["bo@example.com", "Bo"]])
    report = tmp_path / "problems.csv"
    status, out, _ = run(capsys, "import", str(rows), "-w", str(tmp_path / "shop.omnidesk"), "--errors", str(report))
    assert status == 0 and not report.exists()
    assert out.splitlines()[-1] == f"No flagged rows, so no error report was written ({report})"
    # The next run's report is not in the way of an empty one: no --force needed.
    again = write_csv(tmp_path / "more.csv", ["Email", "First Name"], [["cy@", "Cy"]])
    status, out, _ = run(capsys, "import", str(again), "-w", str(tmp_path / "shop.omnidesk"), "--errors", str(report))
    assert status == 0 and report.exists() and out.splitlines()[-1] == f"Wrote 1 flagged row to {report}"


def test_an_error_report_into_a_folder_that_is_not_there_is_refused_before_importing(tmp_path, capsys):
    """`import flag.csv --errors nodir/e.csv` imported the file, then failed on the report: exit 1
    and, with --json, nothing on stdout, so a script would import it again."""
    rows = write_csv(tmp_path / "flag.csv", ["Email", "First Name"], [["ann@example.com", "Ann"], ["not-an-email", "Bo"]])
    ws = tmp_path / "shop.omnidesk"
    for extra in ((), ("--json",)):
        status = main(["import", str(rows), "--errors", str(tmp_path / "nodir" / "e.csv"), "-w", str(ws), *extra])
        err = capsys.readouterr().err
        assert status == 1 and "there is no folder" in err and "nodir" in err
        assert not ws.exists()  # nothing imported, no workspace made
    # The same for any command's output file: told before the work.
    assert main(["import", str(rows), "-w", str(ws)]) == 0
    capsys.readouterr()
    assert main(["export", "customers", str(tmp_path / "nodir" / "c.csv"), "-w", str(ws)]) == 1
    assert "there is no folder" in capsys.readouterr().err


def test_rows_of_an_erased_person_are_said_to_be_left_out(tmp_path, capsys):
    """Without the word, a file of one erased person reads "imported 0" and nothing else."""
    ws = tmp_path / "shop.omnidesk"
    first = write_csv(tmp_path / "list.csv", ["Email", "First Name"], [["zed@example.com", "Zed"]])
    assert run(capsys, "import", str(first), "-w", str(ws))[0] == 0
    assert run(capsys, "person", "erase", "zed@example.com", "--yes", "-w", str(ws))[0] == 0
    again = write_csv(tmp_path / "again.csv", ["Email", "First Name", "Last Name"], [["zed@example.com", "Zed", "Z"]])
    for extra, verb in ((["--dry-run"], "would import"), ([], "imported")):
        status, out, err = run(capsys, "import", str(again), "-w", str(ws), *extra)
        assert (status, err) == (0, "")
        assert out.strip().endswith(f"1 row: {verb} 0, flagged 0, duplicates 0, left out 1 (erased at their request)")


def test_with_json_a_file_that_fails_is_told_on_stderr_too(tmp_path, capsys):
    listing, _till, _shop = _files(tmp_path)
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\x00\x01binary")
    ws = tmp_path / "shop.omnidesk"
    status, text_out, text_err = run(capsys, "import", str(listing), str(binary), "-w", str(tmp_path / "t.omnidesk"))
    assert status == 1 and text_err.startswith("omnidesk: error: ")
    status, out, err = run(capsys, "import", str(listing), str(binary), "-w", str(ws), "--json")
    assert status == 1
    imported, failed = (json.loads(line) for line in out.splitlines())
    assert imported["imported"] == 1 and failed["file"] == "bin.csv" and failed["error"]
    assert err == text_err  # the same one line as without --json
    assert err == f"omnidesk: error: {failed['error']}\n"


# Before the second file is read: wait for a line on stdin, or be stopped by Ctrl-C.
_AT_THE_SECOND_FILE = """
import os, signal, sys
from omnidesk.cli import main
from omnidesk.core.importing import driver

real_analyze, calls = driver.analyze, []

def analyze(*args, **kwargs):
    calls.append(1)
    if len(calls) == 2:
        if sys.argv[1] == "wait":
            sys.stdin.readline()
        else:
            os.kill(os.getpid(), signal.SIGINT)
    return real_analyze(*args, **kwargs)

driver.analyze = analyze
sys.exit(main(sys.argv[2:]))
"""


def _at_the_second_file(when: str, *argv) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(omnidesk.__file__).parent.parent)}
    return subprocess.Popen([sys.executable, "-c", _AT_THE_SECOND_FILE, when, *map(str, argv)], env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_import_json_prints_each_files_line_as_it_finishes(tmp_path):
    listing, till, _shop = _files(tmp_path)
    process = _at_the_second_file("wait", "import", listing, till, "-w", tmp_path / "shop.omnidesk", "--json")
    try:
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready, "the first file's line was held back"
        first = json.loads(process.stdout.readline())
        assert process.poll() is None  # read while the second file is still to come
        assert first["file"] == "list.csv" and first["imported"] == 1
        out, err = process.communicate("\n", timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert [json.loads(line)["file"] for line in out.splitlines()] == ["till.csv"]


def test_import_json_read_by_a_reader_that_stops_early_still_imports_every_file(tmp_path):
    """`import a.csv b.csv c.csv --json | head -1`: the reader is gone after the first line; the files
    after it are imported all the same, not left undone with nothing said."""
    listing, till, shop = _files(tmp_path)
    ws = tmp_path / "shop.omnidesk"
    process = _at_the_second_file("wait", "import", listing, till, shop, "-w", ws, "--json")
    try:
        assert json.loads(process.stdout.readline())["file"] == "list.csv"
        process.stdout.close()  # as `head -1` does once it has its line
        process.stdin.write("\n")
        process.stdin.close()
        process.wait(timeout=120)
        err = process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "Traceback" not in err, err
    with Workspace.open(ws) as w:
        files = [r[0] for r in w.engine.connect().exec_driver_sql("SELECT file_name FROM import_batch ORDER BY id")]
    assert files == ["list.csv", "till.csv", "shop.csv"]


def test_import_json_stopped_part_way_has_told_the_files_it_finished(tmp_path):
    listing, till, _shop = _files(tmp_path)
    process = _at_the_second_file("stop", "import", listing, till, "-w", tmp_path / "shop.omnidesk", "--json")
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    (first,) = [json.loads(line) for line in out.splitlines()]
    assert first["file"] == "list.csv" and first["batch_id"] is not None  # it is in the workspace
    assert err.strip() == ("omnidesk: interrupted; the change saved to the workspace before the interrupt is "
                           "kept whole, and nothing was half-written.")
