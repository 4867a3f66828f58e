"""The Customers screen over a million customers: open, scroll, sort, select, search, filter.

Goal: a million customers open and scroll instantly (the table model holds
ids and fetches rows a page at a time; sorting and search happen in SQL).

Run with ``python -m pytest tests/benchmarks/test_customers_screen.py -m benchmark -s``.

* ``OMNIDESK_BENCH_CUSTOMERS`` sets the size of the big workspace (default
  1,000,000; 100000 is a quick run).

Customers (with their search index entries) are written straight into the
workspace: resolving a million records first would take minutes and has its
own benchmark.  Every step is timed the way a user meets it: from the action
to the screen painted (``grab`` renders the widget offscreen).

References measured in the same run: the same screen over 1,000 customers
(what instant feels like on this machine), and for the id list the bare
query in the sqlite3 driver, the floor for fetching a million ids in order.
Only sanity is asserted; times are printed with their ratio to the small
screen, since a wall-clock assertion would test the machine, not the code.
"""

from __future__ import annotations

import os
import sqlite3
import time
from random import Random

import pytest

from omnidesk.core.dialect import index_customers
from omnidesk.core.text import sort_key
from omnidesk.core.workspace import Workspace

CUSTOMERS = int(os.environ.get("OMNIDESK_BENCH_CUSTOMERS", "1000000").replace("_", ""))
SMALL = 1_000

FIRST = ("Ann", "Bob", "Carla", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jamal", "Kate", "Liam",
         "Maya", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Victor", "Wen", "Yusuf")
LAST = ("Smith", "Okafor", "Garcia", "Nguyen", "Müller", "Rossi", "Kowalski", "Haddad", "Silva", "Brown",
        "Lee", "Dubois", "Jensen", "Costa", "Novak", "Tanaka", "Ibrahim", "Murphy", "Khan", "Fischer")
CITIES = ("Portland", "Boston", "Austin", "Denver", "Berlin", "Lyon", "Milan", "Porto", "Leeds", "Cork")
CHANNELS = ("shop", "email", "pos", "social", "sms", "contacts")


def build(path, n: int, seed: int = 7) -> Workspace:
    """A workspace with ``n`` customers and their search index entries."""
    rng = Random(seed)
    ws = Workspace.create(path)
    cols = ("id", "first_name", "last_name", "display_name", "sort_name", "email", "phone", "city", "channels",
            "orders", "spend_minor", "last_seen", "consent_email", "source_count", "tags", "pinned_json",
            "notes", "created_at", "updated_at", "company", "address", "region", "postcode", "country")
    sql = f"INSERT INTO customer ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    with ws.engine.begin() as conn:
        for start in range(1, n + 1, 50_000):
            rows, search = [], []
            for cid in range(start, min(start + 50_000, n + 1)):
                first, last = rng.choice(FIRST), rng.choice(LAST)
                # One in 500 shares the mailbox of the customer before (a family's): held when they said stop.
                email = f"{first.lower()}.{last.lower()}{cid - (cid % 500 == 1 and cid > 1)}@example.com"
                phone = f"+1{rng.randint(201, 989)}555{cid % 10_000:04d}"
                channels = " ".join(sorted(rng.sample(CHANNELS, rng.randint(1, 3))))
                orders = rng.randint(0, 12)
                rows.append((cid, first, last, f"{first} {last}", sort_key(f"{first} {last}"), email, phone,
                             rng.choice(CITIES), channels,
                             orders, orders * rng.randint(500, 9_000) or None,
                             f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}T10:00:00",
                             rng.choice(("granted", "unsubscribed", None)), rng.randint(1, 9), "", "{}", "",
                             "2026-01-01T00:00:00", "2026-01-01T00:00:00", "", "", "", "", ""))
                search.append((cid, f"{first} {last}", email, f"{phone[1:]} {phone[2:]}"))
            conn.exec_driver_sql(sql, rows)
            index_customers(conn, search)
    return ws


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def measure(ws: Workspace, qtbot) -> dict[str, float]:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from omnidesk.ui.views.customers_view import CustomersView

    out: dict[str, float] = {}
    holder: dict = {}

    def open_screen():
        view = CustomersView(ws)
        qtbot.addWidget(view)
        view.resize(1200, 800)
        view.show()
        QApplication.processEvents()
        view.grab()
        holder["view"] = view

    out["open (ids, first page, painted)"] = timed(open_screen)
    view = holder["view"]
    table, model = view.table, view.model
    assert model.rowCount() == ws.counts()["customers"]

    def paint():
        QApplication.processEvents()
        table.viewport().grab()

    out["scroll to the end"] = timed(lambda: (table.scrollToBottom(), paint()))
    rng = Random(1)
    jumps = [rng.randrange(model.rowCount()) for _ in range(20)]
    out["20 jumps to random rows"] = timed(
        lambda: [(table.scrollTo(model.index(r, 0)), paint()) for r in jumps])
    out["scroll back to the top"] = timed(lambda: (table.scrollToTop(), paint()))
    for column, label in ((0, "name"), (3, "city"), (6, "spend"), (7, "last seen")):
        out[f"sort by {label}"] = timed(lambda c=column: (table.sortByColumn(c, table.horizontalHeader()
                                                                               .sortIndicatorOrder()), paint()))

    view.set_columns([*model.columns(), "consent_email"])
    consent = model.columns().index("consent_email")
    out["sort by email consent"] = timed(lambda: (table.sortByColumn(consent, Qt.SortOrder.AscendingOrder), paint()))
    out["the same, Z to A"] = timed(lambda: (table.sortByColumn(consent, Qt.SortOrder.DescendingOrder), paint()))

    def select_all():
        table.selectAll()
        menu = view.row_menu()
        assert len(view.selected_ids()) == model.rowCount()
        menu.deleteLater()
        paint()

    out["select all, its menu and ids"] = timed(select_all)
    table.clearSelection()

    def search(text):
        view.search.setText(text)
        view._apply_search()
        paint()

    out["search a name (okafor)"] = timed(lambda: search("okafor"))
    out["search a phone ((415) 555)"] = timed(lambda: search("(415) 555"))
    out["search nothing found (zzzqx)"] = timed(lambda: search("zzzqx"))
    out["clear the search"] = timed(lambda: search(""))

    def channel(key):
        view.channel_filter.setCurrentIndex(view.channel_filter.findData(key))
        paint()

    out["filter a channel (sms)"] = timed(lambda: channel("sms"))
    out["all channels again"] = timed(lambda: channel(None))
    view.close()
    return out


def bare_ids(path) -> float:
    con = sqlite3.connect(path)
    try:
        return timed(lambda: con.execute("SELECT id FROM customer ORDER BY sort_name, display_name, id").fetchall())
    finally:
        con.close()


@pytest.mark.benchmark
def test_customers_screen_speed(tmp_path, qtbot):
    t0 = time.perf_counter()
    big = build(tmp_path / "big.omnidesk", CUSTOMERS)
    build_s = time.perf_counter() - t0
    small = build(tmp_path / "small.omnidesk", SMALL)
    big_times = measure(big, qtbot)
    small_times = measure(small, qtbot)
    floor = bare_ids(tmp_path / "big.omnidesk")
    big.close()
    small.close()
    lines = [f"\nCustomers screen: {CUSTOMERS:,} customers (written in {build_s:.1f} s) against {SMALL:,}, "
             f"offscreen, load average {os.getloadavg()[0]:.1f}",
             f"  {'step':<36}{CUSTOMERS:>12,}{SMALL:>10,}{'ratio':>9}"]
    for step, t in big_times.items():
        s = small_times[step]
        lines.append(f"  {step:<36}{t * 1000:>10.0f} ms{s * 1000:>7.0f} ms{t / s if s else float('inf'):>8.0f}x")
    lines.append(f"  reference: the ids in name order through the bare sqlite3 driver: {floor * 1000:.0f} ms")
    print("\n".join(lines))
    assert big_times and small_times
