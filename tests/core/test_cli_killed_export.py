"""A campaign export killed while it writes leaves no pack behind: the hidden folder its packs wait in
(every recipient's email) goes with the next export into that folder, the next command, or an erase,
and never while the export that owns it still runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine

from tests.helpers import harbor_fixtures, run_cli

shop_template, shop = harbor_fixtures()
ROOT = Path(__file__).resolve().parents[2]
NY = "America/New_York"
PLAN = {"name": "Mail", "message": {"headline": "Mail", "body": "Hi", "offer_code": "M1", "offer_value": "10% off",
                                    "link": "https://hc.example/m"},
        "audience": "everyone", "steps": [{"channel": "email", "at": "2027-03-10T12:00", "timezone": NY}]}
# The export, stopped for good once every pack is staged (the calendar is written last).
STUCK = ("import sys, time, time_machine\n"
         "time_machine.travel('2027-02-01 10:00:00Z', tick=False).start()\n"
         "from omnidesk.core.campaigns import packs_calendar\n"
         "packs_calendar.write_calendar = lambda *a, **k: (print('staged', flush=True), time.sleep(600))\n"
         "from omnidesk.cli import main\n"
         "sys.exit(main(sys.argv[1:]))\n")
AT = "2027-02-01 10:00:00Z"


def _staged(out: Path) -> list[Path]:
    return sorted(out.glob(".omnidesk-packs-*"))


def _stuck_export(shop: Path, out: Path) -> subprocess.Popen:
    """An export in a process of its own, once its email pack is staged in ``out``."""
    proc = subprocess.Popen([sys.executable, "-c", STUCK, "campaign", "export", "Mail", "--out", str(out),
                             "-w", str(shop)], env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    # Told once every pack is whole in the hidden folder (stdout is the export's alone until then).
    if proc.stdout.readline() != b"staged\n":
        proc.kill()
        raise AssertionError(proc.communicate())
    assert any(p.glob("*email*.csv") for p in _staged(out))
    return proc


def _killed(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    proc.stderr.close()


def _holding(folder: Path, text: str) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and text in p.read_text(encoding="utf-8", errors="replace")]


@pytest.fixture
def campaign(shop, capsys, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN), encoding="utf-8")
    with time_machine.travel(AT, tick=False):
        assert run_cli(capsys, "settings", "timezone", NY, "-w", shop)[0] == 0
        assert run_cli(capsys, "campaign", "import", plan, "-w", shop)[0] == 0
    return shop


def test_the_next_export_into_the_folder_removes_what_a_killed_one_staged(campaign, capsys, tmp_path):
    out = tmp_path / "packs"
    _killed(_stuck_export(campaign, out))
    assert _holding(out, "ann@example.com")  # the killed export's staged pack, every recipient in it
    # Its note in the data folder lost too (a data folder of another user, or wiped): the export still looks.
    for note in (Path(os.environ["OMNIDESK_DATA_DIR"]) / "writing").glob("*"):
        note.unlink()
    with time_machine.travel(AT, tick=False):
        status, _, err = run_cli(capsys, "campaign", "export", "Mail", "--out", out, "-w", campaign)
    assert status == 0, err
    assert _staged(out) == []
    assert [p.name for p in _holding(out, "ann@example.com")] == [p.name for p in out.glob("*email*.csv")]


def test_an_erase_removes_what_a_killed_export_staged(campaign, capsys, tmp_path):
    out = tmp_path / "packs"
    _killed(_stuck_export(campaign, out))
    assert _holding(out, "ann@example.com")
    with time_machine.travel(AT, tick=False):
        status, _, err = run_cli(capsys, "person", "erase", "ann@example.com", "--yes", "-w", campaign)
    assert status == 0, err
    assert _holding(out, "ann@example.com") == [] and _staged(out) == []


def test_a_running_exports_staged_packs_are_left_alone(campaign, capsys, tmp_path):
    out = tmp_path / "packs"
    first = _stuck_export(campaign, out)
    try:
        (staged,) = _staged(out)
        with time_machine.travel(AT, tick=False):
            status, _, err = run_cli(capsys, "campaign", "export", "Mail", "--out", out, "-w", campaign)
            assert status == 0, err
            assert run_cli(capsys, "campaign", "list", "-w", campaign)[0] == 0  # a command's start-up clean
        assert _staged(out) == [staged] and any(staged.glob("*email*.csv"))
    finally:
        _killed(first)
    with time_machine.travel(AT, tick=False):
        assert run_cli(capsys, "campaign", "list", "-w", campaign)[0] == 0
    assert _staged(out) == []


# A file export, stopped for good once the whole file is written under its temporary name beside its own.
STUCK_FILE = ("import sys, time\n"
              "from omnidesk.core.exporting import outfiles\n"
              "outfiles.put_in_place = lambda *a, **k: (print('written', flush=True), time.sleep(600))\n"
              "from omnidesk.cli import main\n"
              "sys.exit(main(sys.argv[1:]))\n")


def _stuck_file_export(shop: Path, out: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", STUCK_FILE, "export", "customers", str(out), "-w", str(shop)],
                            env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    if proc.stdout.readline() != b"written\n":
        proc.kill()
        raise AssertionError(proc.communicate())
    return proc


def _parts(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.part"))


def test_a_killed_file_exports_temporary_file_goes_with_the_next_write_beside_it(shop, capsys, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    _killed(_stuck_file_export(shop, folder / "customers.csv"))
    assert [p.name for p in _holding(folder, "ann@example.com")] == [p.name for p in _parts(folder)] != []
    for note in (Path(os.environ["OMNIDESK_DATA_DIR"]) / "writing").glob("*"):
        note.unlink()
    status, _, err = run_cli(capsys, "export", "sources", folder / "sources.csv", "-w", shop)
    assert status == 0, err
    assert _parts(folder) == [] and sorted(p.name for p in folder.iterdir()) == ["sources.csv"]


def test_a_killed_file_exports_temporary_file_goes_at_the_next_start_and_a_running_ones_stays(shop, capsys,
                                                                                                tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    killed = _stuck_file_export(shop, folder / "customers.csv")
    running = _stuck_file_export(shop, folder / "everyone.csv")
    try:
        _killed(killed)
        (left,) = [p for p in _parts(folder) if p.name.startswith(".customers.csv.")]
        (live,) = [p for p in _parts(folder) if p.name.startswith(".everyone.csv.")]
        assert run_cli(capsys, "export", "sources", folder / "sources.csv", "-w", shop)[0] == 0
        assert run_cli(capsys, "campaign", "list", "-w", shop)[0] == 0
        assert not left.exists() and live.is_file()
    finally:
        _killed(running)
    assert run_cli(capsys, "campaign", "list", "-w", shop)[0] == 0  # the next start, notes and all
    assert _parts(folder) == []


KILLED_AFTER_RECORDING = (
    "import os, sys, sys as _s\n"
    "from omnidesk.core import tempfiles\n"
    "real = tempfiles.release\n"
    "def release(path, *, remove=True):\n"
    "    if path.name.startswith('.omnidesk-packs-') and remove and _s.exc_info()[0] is None:\n"
    "        os._exit(9)  # killed once the export is recorded, before its hidden folder goes\n"
    "    return real(path, remove=remove)\n"
    "tempfiles.release = release\n"
    "from omnidesk.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n")


def test_a_re_export_killed_once_recorded_keeps_its_new_packs_and_no_opted_out_person_comes_back(
        tmp_path, capsys, monkeypatch):
    """The packs it replaced wait in its hidden folder until it is recorded; killed after that, the
    clean-up must not put them back: they hold whoever opted out since, and the workspace says the
    new packs were sent."""
    import csv

    from tests.core.test_import_consent_readings import shop_customers

    monkeypatch.setenv("OMNIDESK_DATA_DIR", str(tmp_path / "data"))
    ws, out = tmp_path / "shop.omnidesk", tmp_path / "packs"
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({**PLAN, "audience": "everyone"}))
    with time_machine.travel("2027-01-10 09:00Z", tick=False):
        run_cli(capsys, "import", shop_customers(tmp_path / "customers_export.csv", ("abe@example.com", "", "yes"),
                                                 ("bea@example.com", "", "yes")), "-w", ws)
        for argv in (("settings", "timezone", NY), ("brand", "set", "address", "1 Market Street, Springfield"),
                     ("campaign", "import", plan)):
            status, _, err = run_cli(capsys, *argv, "-w", ws)
            assert status == 0, err
    with time_machine.travel(AT, tick=False):
        status, _, err = run_cli(capsys, "campaign", "export", "Mail", "--out", out, "-w", ws)
        assert status == 0, err

    def emails() -> list[str]:
        (pack,) = out.glob("*_email_*.csv")
        with pack.open(encoding="utf-8", newline="") as fh:
            return sorted(r["Email Address"] for r in csv.DictReader(fh))

    assert emails() == ["abe@example.com", "bea@example.com"]
    with time_machine.travel("2027-02-02 09:00Z", tick=False):  # Abe opts out of email
        run_cli(capsys, "import", shop_customers(tmp_path / "customers_export2.csv", ("abe@example.com", "", "no"),
                                                 ("bea@example.com", "", "yes")), "-w", ws)
    done = subprocess.run([sys.executable, "-c", "import time_machine\n"
                           "time_machine.travel('2027-02-03 10:00:00Z', tick=False).start()\n" + KILLED_AFTER_RECORDING,
                           "campaign", "export", "Mail", "--out", str(out), "--force", "-w", str(ws)],
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=ROOT, capture_output=True, timeout=300)
    assert done.returncode == 9, done.stderr.decode()
    assert emails() == ["bea@example.com"]

    with time_machine.travel("2027-02-03 11:00:00Z", tick=False):
        status, _, err = run_cli(capsys, "campaign", "list", "-w", ws)  # the next start cleans up
    assert status == 0, err
    assert emails() == ["bea@example.com"]
    assert _staged(out) == [] and not _holding(out, "abe@example.com")
