"""The import benchmark's harness still fits the code it times.

The benchmark wraps the importer's own steps by name to print its phase split;
a step renamed or moved breaks it only when someone runs a million rows.  Run
here on 5,000 rows (the least a first import is resolved as a whole, as a
million rows are), every phase must still be found and the rows imported.
"""

from __future__ import annotations

from tests.benchmarks.test_import_speed import run_ours, write_contacts


def test_the_import_benchmark_finds_every_phase_on_a_small_file(tmp_path):
    csv_path = tmp_path / "contacts.csv"
    write_contacts(csv_path, 5_000)
    ours = run_ours(csv_path, tmp_path)
    assert ours["rows"] == 5_000 and ours["imported"] >= 4_900 and ours["new_customers"] > 0
    labels = [label for label, _ in ours["phases"]]
    assert labels == ["analyze", "read + normalize", "store", "load", "block", "score", "cluster", "write",
                      "golden", "index (waited for)", "commit"]
    assert all(secs >= 0 for _, secs in ours["phases"])
    assert ours["index_thread"] >= 0
