"""Small builders shared by tests: real CSV files written with real encodings."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]], *,
              encoding: str = "utf-8", delimiter: str = ",", quoting: int = csv.QUOTE_MINIMAL) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def deny_writes(monkeypatch, *paths) -> None:
    """Make ``os.access`` say these paths cannot be written, as it does for a user on a 0444 file,
    a read-only folder or a read-only mount (root may write anything, and tests may run as root)."""
    import os

    denied = {Path(p).resolve() for p in paths}
    real_access = os.access

    def access(path, mode, *args, **kwargs):
        if mode & os.W_OK and Path(path).resolve() in denied:
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    """``omnidesk ARGV…`` in this process: its exit status, standard output and standard error.

    argparse's own usage errors (a SystemExit) give their exit status too."""
    from omnidesk.cli import main

    try:
        status = main([str(a) for a in argv])
    except SystemExit as exc:
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err


def cli_imports(capsys, ws, *files: tuple[Path, str], region: str = "US") -> None:
    """Each ``(file, channel)`` of ``files`` imported in turn through the command line into the
    workspace at ``ws`` (made by the first), phone numbers read for ``region``; each must succeed."""
    for path, channel in files:
        status, _out, err = run_cli(capsys, "import", path, "--channel", channel, "--region", region, "-w", ws)
        assert status == 0, err


def cli_import_summary(capsys, folder: Path, header: Sequence[str], rows: Sequence[Sequence[object]],
                       *argv) -> tuple[Path, dict]:
    """``header`` and ``rows`` written to ``folder/file.csv`` and imported through the command line
    (``--region US --json`` and ``argv``) into a new ``folder/w.omnidesk``; it must succeed: the
    workspace's path and the import's summary."""
    import json

    ws = folder / "w.omnidesk"
    status, out, err = run_cli(capsys, "import", write_csv(folder / "file.csv", header, rows), "-w", ws,
                               "--region", "US", "--json", *argv)
    assert status == 0, err
    return ws, json.loads(out)


def exported_customers(capsys, ws, folder: Path, columns: str) -> list[dict[str, str]]:
    """``omnidesk export customers --columns COLUMNS`` of the workspace at ``ws``, written into
    ``folder`` (it must succeed): each customer's row, column by column, in the file's order."""
    out = folder / "exported-customers.csv"
    status, _out, err = run_cli(capsys, "-w", ws, "export", "customers", out, "--columns", columns, "--force")
    assert status == 0, err
    with out.open(encoding="utf-8", newline="") as fh:  # no byte-order mark unless asked for one
        return list(csv.DictReader(fh))


def source_placement(capsys, ws, folder: Path) -> dict[tuple[str, int], str]:
    """Each imported row's customer, as ``omnidesk export sources`` of the workspace at ``ws`` gives
    them (written into ``folder``; it must succeed): the customer id by (file name, row number)."""
    out = folder / "sources.csv"
    out.unlink(missing_ok=True)
    status, _out, err = run_cli(capsys, "export", "sources", out, "-w", ws)
    assert status == 0, err
    with out.open(newline="", encoding="utf-8") as fh:
        return {(r["source_file"], int(r["source_row"])): r["customer_id"] for r in csv.DictReader(fh)}


def cli_at(capsys, ws, *argv, at: str = "2027-01-20 15:00:00Z") -> str:
    """``omnidesk ARGV… -w WS`` with the clock still at ``at``; it must succeed: what it said, output
    and messages together."""
    import time_machine

    with time_machine.travel(at, tick=False):
        status, out, err = run_cli(capsys, *argv, "-w", ws)
    assert status == 0, (argv, err)
    return out + err


def exported_packs(capsys, ws, folder: Path, plan: dict, *,
                   at: str = "2027-02-01 15:00:00Z") -> tuple[dict[str, Path], str]:
    """``plan`` (a campaign file's JSON) imported and exported into ``folder/packs`` at ``at``, once the
    shop's zone is its first step's and the brand has a name and an address (an email's footer
    needs one): each step's pack file by channel, and what the export said."""
    import json

    for args in (("settings", "timezone", plan["steps"][0]["timezone"]), ("brand", "set", "name", "Harbor"),
                 ("brand", "set", "address", "12 Quay St, Portland, OR 97201")):
        cli_at(capsys, ws, *args, at=at)
    (folder / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    cli_at(capsys, ws, "campaign", "import", folder / "plan.json", at=at)
    said = cli_at(capsys, ws, "campaign", "export", plan["name"], "--out", folder / "packs", at=at)
    packs = {step["channel"]: next((folder / "packs").glob(f"*_{step['channel']}_*.csv")) for step in plan["steps"]}
    return packs, said


def unblock_fifo_later(fifo: Path, seconds: float = 5) -> None:
    """Open the named pipe ``fifo`` for writing after ``seconds``, and close it: code that opened it to
    read then reads nothing and fails on that, where a test would otherwise wait for a writer for ever."""
    import contextlib
    import os
    import threading
    import time

    def write() -> None:
        time.sleep(seconds)
        with contextlib.suppress(OSError):  # no reader (as it should be): nothing to unblock
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    threading.Thread(target=write, daemon=True).start()


def one_line(err: str) -> bool:
    """Whether a command's error output is the one line a user should see: no traceback."""
    return "Traceback" not in err and len(err.strip().splitlines()) == 1


def fix_report(report: Path, fixed: Path, fix, *, delimiter: str = ",") -> Path:
    """An error report as a user fixes it: ``fix(header, row)`` changes each row in place, and
    the result is written to ``fixed``."""
    with report.open(encoding="utf-8", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    for row in rows:
        fix(header, row)
    return write_csv(fixed, header, rows, delimiter=delimiter)


def golden_state(ws) -> tuple[list, list]:
    """Every customer's golden record (but for its times) and every search entry, in id order."""
    from sqlalchemy import select

    from omnidesk.core.dialect import SEARCH_TABLE
    from omnidesk.core.models import Customer

    cust = Customer.__table__
    cols = [c for c in cust.c if c.name not in ("created_at", "updated_at")]
    with ws.engine.connect() as conn:
        customers = conn.execute(select(*cols).order_by(cust.c.id)).all()
        entries = conn.exec_driver_sql(f"SELECT rowid, name, email, phone FROM {SEARCH_TABLE} ORDER BY rowid").all()
    return customers, entries


def cli_shop(folder: Path, people: tuple, *commands: list[str]) -> Path:
    """``people`` (header, rows) written to ``folder/people.csv`` and imported through the command line
    into ``folder/shop.omnidesk`` on the shop channel, then each of ``commands`` run on that workspace
    (``-w`` added), all quietly and each asserted to succeed.  Returns ``folder``: a module's template."""
    import contextlib

    from omnidesk.cli import main

    path = folder / "shop.omnidesk"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["import", str(write_csv(folder / "people.csv", *people)), "--channel", "shop",
                     "-w", str(path)]) == 0
        for command in commands:
            assert main([*command, "-w", str(path)]) == 0
    return folder


def cli_shop_fixtures(people: tuple, *commands: list[str]):
    """The ``shop_template`` (module-scoped: :func:`cli_shop` of ``people`` and ``commands``, built
    once) and ``shop`` (each test's own copy, :func:`copied`) fixtures of a command-line test module:
    ``shop_template, shop = cli_shop_fixtures(PEOPLE, ...)``."""
    import pytest

    @pytest.fixture(scope="module")
    def shop_template(tmp_path_factory):
        return cli_shop(tmp_path_factory.mktemp("shop"), people, *commands)

    @pytest.fixture
    def shop(tmp_path, shop_template):
        return copied(shop_template, tmp_path)

    return shop_template, shop


# Ann, who said yes to email: a shop's one customer an email goes to.
EMAIL_ANN = (["Email", "First Name", "Accepts Email Marketing"], [["ann@example.com", "Ann", "yes"]])
# A spring sale's message, each field an email draws on filled in.
SPRING_SALE = {"headline": "Spring sale", "body": "Hi {first_name|there}, 20% off everything.", "offer_code": "S20",
               "offer_value": "20% off", "cta": "Shop now", "link": "https://hc.example/s"}


def harbor_fixtures():
    """``shop_template, shop = harbor_fixtures()``: :func:`cli_shop_fixtures` of :data:`EMAIL_ANN`, in a
    shop whose brand has a name, Harbor, and an address (an email's footer needs one)."""
    return cli_shop_fixtures(EMAIL_ANN, ["brand", "set", "address", "12 Quay St, Portland"],
                             ["brand", "set", "name", "Harbor"])


def copied(template: Path, folder: Path, names: Sequence[str] = ("shop.omnidesk", "people.csv")) -> Path:
    """Each of ``names`` copied from the ``template`` folder into ``folder``: a test's own copy of what
    a module built once.  Returns the first copy's path."""
    import shutil

    for name in names:
        shutil.copyfile(template / name, folder / name)
    return folder / names[0]


def tab_walk(qtbot, start, presses: int) -> list:
    """Put the keys on ``start``, press Tab ``presses`` times; the widgets the keys went to, in order."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    start.window().activateWindow()
    start.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is start)
    seen = []
    for _ in range(presses):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    return seen


def errors_fail(monkeypatch, *shown_by) -> None:
    """An error shown by any of ``shown_by`` (a window, a screen) fails the test, naming it."""
    import pytest

    for widget in shown_by:
        monkeypatch.setattr(widget, "show_error", lambda *a: pytest.fail(f"error shown: {a}"))


def errors_told(window, monkeypatch) -> list[tuple[str, str]]:
    """Each error ``window`` shows, (title, text), kept in ``window.told`` (returned too) for the test to
    look at, instead of a box nobody answers."""
    told: list[tuple[str, str]] = []
    monkeypatch.setattr(window, "show_error", lambda title, text: told.append((title, text)))
    window.told = told
    return told


def window_on_file(window, ws, monkeypatch):
    """``window`` opened on the file of ``ws``, which is closed first (the window opens the file itself,
    the command line opens its own), its errors kept in ``window.told`` (:func:`errors_told`)."""
    path = ws.path
    ws.close()
    assert window.open_workspace(path)
    errors_told(window, monkeypatch)
    return window


def screen_on_file(window, path: Path, screen: str, monkeypatch):
    """``window`` opened on the workspace file at ``path`` and showing ``screen``; an error the window
    shows fails the test."""
    assert window.open_workspace(path)
    errors_fail(monkeypatch, window)
    window.show_screen(screen)
    return window


def stale_answered(view, monkeypatch, asked_as):
    """``view``, a screen whose Save asks first when what it shows was changed elsewhere: the question
    answered with ``view.answer`` ("", cancel, until the test sets another), each asked kept in
    ``view.asked`` as ``asked_as(*its arguments)`` gives it; an error the screen shows fails the test."""
    errors_fail(monkeypatch, view)
    asked: list = []
    view.asked, view.answer = asked, ""
    monkeypatch.setattr(view, "ask_stale", lambda *args, **kwargs: asked.append(asked_as(*args, **kwargs))
                        or view.answer)
    return view


def read_rows(ws, sql: str, *args) -> list[tuple]:
    """What ``sql`` reads straight from the file of the workspace ``ws``, opened read-only: not
    through the app."""
    import sqlite3

    con = sqlite3.connect(f"file:{ws.path}?mode=ro", uri=True)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def texted(ws) -> list[int]:
    """Who an SMS step of 1 March 2027 (New York) would reach now: its eligible customer ids."""
    from omnidesk.core.campaigns import guards
    from omnidesk.core.campaigns.campaign import get_campaign, save_campaign
    from omnidesk.core.messages.store import save_message

    save_message(ws, "Sale", {"headline": "Sale", "link": "https://hc.example/a"}, replace=True)
    save_campaign(ws, "Spring", message="Sale", audience="everyone", mode="each_channel", replace=True,
                  steps=[{"channel": "sms", "at": "2027-03-01T12:00", "timezone": "America/New_York"}])
    (sms,) = guards.plan_audiences(ws, get_campaign(ws, "Spring"))
    return sms.eligible


def workspace_at(path: Path, revision: str):
    """A new workspace file whose schema is ``revision`` (a migration's), as that version of omnidesk made it.

    Open, at that schema: today's code writes to it as that version's did, until it is closed
    and opened again with :meth:`Workspace.open`, which upgrades it.
    """
    import json

    from alembic import command
    from sqlalchemy import create_engine

    from omnidesk.core import dialect, migrations
    from omnidesk.core.models import Setting
    from omnidesk.core.settings import DEFAULT_SETTINGS
    from omnidesk.core.workspace import Workspace, _alembic_config

    engine = create_engine(f"sqlite:///{path}")
    ws = Workspace(engine, path)
    ws._engine_settings = dialect.configure_sqlite_engine(engine)
    with ws.writing(foreign_keys=False) as conn:  # as opening does: 0021 makes a table again
        command.upgrade(_alembic_config(conn), revision)
        migrations.run_rebuilds(conn)
        dialect.mark_workspace(conn)
        conn.execute(Setting.__table__.insert(), [{"key": k, "value": json.dumps(v)}
                                                  for k, v in DEFAULT_SETTINGS.items()])
    return ws


def schema_after_going_back(tmp_path: Path, before: str, after: str, like: str) -> tuple[list, list]:
    """The schema entries named ``like`` (SQL LIKE) of a workspace made at ``before``, and of one made
    at ``after`` then taken back down to ``before``: equal when the downgrade puts back exactly what was."""
    from alembic import command
    from sqlalchemy import text

    from omnidesk.core.workspace import _alembic_config

    def schema(ws) -> list:
        with ws.engine.connect() as conn:
            return sorted(conn.execute(text("SELECT name, sql FROM sqlite_master WHERE name LIKE :like "
                                            "AND sql IS NOT NULL"), {"like": like}).all())

    old, new = workspace_at(tmp_path / "before.omnidesk", before), workspace_at(tmp_path / "after.omnidesk", after)
    try:
        with new.writing(foreign_keys=False) as conn:
            command.downgrade(_alembic_config(conn), before)
        return schema(old), schema(new)
    finally:
        new.close()
        old.close()


def machine_in_zone(zone: str):
    """An autouse fixture for a module: the computer's own clock in ``zone`` (``TZ``) for each test,
    put back after it.  ``new_york = machine_in_zone("America/New_York")`` at the module's top."""
    import time

    import pytest

    @pytest.fixture(autouse=True)
    def machine_zone(monkeypatch):
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        yield
        monkeypatch.undo()
        time.tzset()

    return machine_zone


def drawn_strings(monkeypatch) -> list[str]:
    """Every string reportlab draws into a PDF from now on, as drawn: its glyphs in order, left to right."""
    from reportlab.pdfgen.textobject import PDFTextObject

    drawn, format_text = [], PDFTextObject._formatText

    def recording(self, text):
        drawn.append(text)
        return format_text(self, text)

    monkeypatch.setattr(PDFTextObject, "_formatText", recording)
    return drawn


def another_users_cli(folder: Path):
    """``run(*argv)`` runs ``omnidesk ARGV…`` in ``folder`` as a user who owns none of the files
    there, returning its exit status, standard output and standard error: the operating system's
    own refusals (a folder of mode 555 or 700), which root never gets.  As root the command runs
    as ``nobody`` (skipped where ``setpriv`` is missing); as anyone else, as that user.

    ``folder`` must be one every user may enter (see the ``shared_folder`` fixture of a test).
    """
    import os
    import shutil
    import subprocess
    import sys

    import pytest

    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running a command as another user needs setpriv")
        prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    home = folder / ".home"
    home.mkdir(mode=0o777, exist_ok=True)
    home.chmod(0o777)
    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "HOME": str(home), "OMNIDESK_DATA_DIR": str(home), "PYTHONPATH": root}

    if prefix:
        # The other user must reach this Python and this checkout (one under root's own home does not
        # let them in): where they cannot, the operating system's refusals cannot be tried here.
        probe = subprocess.run([*prefix, sys.executable, "-c", "import omnidesk.cli"], cwd=folder, env=env,
                               capture_output=True, text=True, timeout=120)
        if probe.returncode != 0:
            pytest.skip(f"another user cannot run this checkout: {probe.stderr.strip().splitlines()[-1:]}")

    def run(*argv) -> tuple[int, str, str]:
        done = subprocess.run([*prefix, sys.executable, "-m", "omnidesk", *map(str, argv)], cwd=folder, env=env,
                              capture_output=True, text=True, timeout=120)
        return done.returncode, done.stdout, done.stderr

    return run


def rule_names(ws, rule) -> set[str]:
    """The names of the customers a rule holds for, as the Customers screen lists them."""
    from omnidesk.core.segments import sql

    ids = sql.member_ids(ws, rule)
    with ws.engine.connect() as conn:
        return {name for (name,) in conn.exec_driver_sql(
            "SELECT display_name FROM customer WHERE id IN (%s)" % ",".join(map(str, ids or [0])))}


def rule_count_by_cli(ws, capsys, rule) -> int:
    """How many customers ``omnidesk segment count --rule`` says a rule holds for."""
    import json

    status, out, err = run_cli(capsys, "segment", "count", "-w", str(ws.path), "--rule", json.dumps(rule), "--json")
    assert status == 0, err
    return json.loads(out)["customers"]


def record_owners(path) -> dict[str, int]:
    """Each imported record ("file:row") of the workspace at ``path``, with the customer holding it."""
    import sqlite3

    con = sqlite3.connect(path)
    try:
        return {f"{b}:{n}": c for b, n, c in con.execute(
            "SELECT b.file_name, r.record_no, r.customer_id FROM source_record r "
            "JOIN import_batch b ON b.id = r.batch_id WHERE b.kind != 'manual' AND r.kind != 'skipped'")}
    finally:
        con.close()


def pdf_text(path) -> str:
    """The text layer of every page of the PDF at ``path``, run together, as PDFium reads it."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


OWEN_ROSSI = "rossi.owen@example.net"
MELISSA_CLARK = "melissa.clark@example.org"


def melissa_on_the_list(capsys, folder: Path, owen_phone: str, melissa_phone: str, list_phone: str) -> Path:
    """A shop's files as their systems export them, imported through the command line (``--region US``)
    into a new ``folder/shop.omnidesk``, returned: a Shopify customers export of Owen Rossi (row 1, no
    to emails) and Melissa Clark (row 2, yes to emails); Mailchimp's subscribed members export of
    Melissa by her email (and ``list_phone``); and the email activity of her address (five events)."""
    shopify = ["Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing",
               "Default Address Company", "Default Address Address1", "Default Address Address2",
               "Default Address City", "Default Address Province Code", "Default Address Country Code",
               "Default Address Zip", "Default Address Phone", "Phone", "Accepts SMS Marketing",
               "Total Spent", "Total Orders", "Note", "Tax Exempt", "Tags"]
    mailchimp = ["Email Address", "First Name", "Last Name", "Phone Number", "Birthday", "MEMBER_RATING",
                 "OPTIN_TIME", "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP", "LATITUDE", "LONGITUDE", "GMTOFF",
                 "DSTOFF", "TIMEZONE", "CC", "REGION", "LAST_CHANGED", "LEID", "EUID", "NOTES", "TAGS"]
    write_csv(folder / "customers_export.csv", shopify, [
        ["'7233400902884", "Owen", "Rossi", OWEN_ROSSI, "no", "", "12 Elm St", "", "Atlanta", "GA", "US",
         "'30301", "", owen_phone, "yes", "84.00", "1", "", "no", ""],
        ["'7233855528233", "Melissa", "Clark", MELISSA_CLARK, "yes", "", "9 Bay Rd", "", "San Diego", "CA", "US",
         "'92101", "", melissa_phone, "no", "40.50", "1", "", "no", "newsletter"]])
    write_csv(folder / "subscribed_members_export_319da7fa07.csv", mailchimp, [
        [MELISSA_CLARK, "Melissa", "", list_phone, "", "3", "2025-02-01 09:00:00", "203.0.113.9",
         "2025-02-01 09:05:00", "203.0.113.9", "", "", "", "", "", "", "", "2025-05-02 10:00:00",
         "118271828", "f0c5617d0e", "", '"Customer"']], quoting=csv.QUOTE_ALL)
    write_csv(folder / "email_activity.csv", ["Email", "Campaign", "Action", "Timestamp"], [
        [MELISSA_CLARK, "Spring beans", "sent", "2025-03-03 09:00:00"],
        [MELISSA_CLARK, "Spring beans", "open", "2025-03-03 11:20:00"],
        [MELISSA_CLARK, "May roast", "sent", "2025-05-05 09:00:00"],
        [MELISSA_CLARK, "May roast", "open", "2025-05-05 18:02:00"],
        [MELISSA_CLARK, "May roast", "click", "2025-05-05 18:03:00"]])
    path = folder / "shop.omnidesk"
    cli_imports(capsys, path, (folder / "customers_export.csv", "shop"),
                (folder / "subscribed_members_export_319da7fa07.csv", "email"), (folder / "email_activity.csv", "email"))
    return path
