"""The shortcuts a big import takes for everyday cells give what the full readings give.

Each shortcut is checked against the full reading it stands for, reached with the
same text: a leading space sends a cell down the full path (it is trimmed first),
and a row read without its joined text cleans every cell.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnidesk.core.cells import clean_cell
from omnidesk.core.contact import normalize_email, plain_email
from omnidesk.core.importing.normalize import detect_currency, parse_int, parse_money, plain_amount
from omnidesk.core.importing.pipeline import ImportOptions, analyze
from omnidesk.core.importing.rows import RowNormalizer, row_hash, row_hasher
from omnidesk.core.importing.sniff import read_records
from omnidesk.core.workspace import Workspace
from tests.helpers import write_csv

fast = settings(max_examples=300, deadline=None, database=None)

# Characters that decide the shortcuts: digits (ASCII and not), points and commas, letters of
# both cases (and the Kelvin sign, whose lower case is ASCII), "@", quotes, spaces of every kind.
_TRICKY = "0123456789\u0661\u00b2.,-+@aZk\u212a_%'\" \u00a0\u200b\ufeff\r\n\t$\u20acé<>:;"
tricky_text = st.text(alphabet=_TRICKY, max_size=12)
amounts = st.from_regex(r"[0-9]{1,7}(\.[0-9]{0,3})?", fullmatch=True)
addresses = st.from_regex(r"[A-Za-z0-9._%+\-]{1,10}@[A-Za-z0-9\-]{1,8}(\.[A-Za-z0-9\-]{1,5}){1,2}", fullmatch=True)


def _full_clean(raw: str) -> str:
    """clean_cell's own steps, without its shortcuts."""
    import re

    edge = re.compile(r"^[\s\u200b\ufeff]+|[\s\u200b\ufeff]+$")
    text = edge.sub("", raw.replace("\r\n", "\n").replace("\r", "\n"))
    if text.startswith("'"):
        text = edge.sub("", re.sub(r"^'(?=[\d+\-=@(#.])", "", text, count=1))
    return text


@fast
@given(st.one_of(tricky_text, tricky_text.map(lambda t: "'" + t)))
def test_clean_cell_shortcuts_give_its_full_steps(raw):
    assert clean_cell(raw) == _full_clean(raw)


@fast
@given(st.one_of(amounts, tricky_text))
def test_a_plain_amount_reads_as_the_full_reading_reads_it(raw):
    full = parse_money(" " + raw)
    assert parse_money(raw).value == full.value
    if plain_amount(raw):
        assert full.value is not None and detect_currency(raw) is None
    assert detect_currency(raw) == detect_currency(" " + raw)


@fast
@given(st.one_of(st.from_regex(r"[0-9]{1,9}", fullmatch=True), tricky_text))
def test_plain_digits_read_as_the_full_count_reading(raw):
    full = parse_int(" " + raw)
    assert (parse_int(raw).value, parse_int(raw).problem is None) == (full.value, full.problem is None)


@fast
@given(st.one_of(addresses, addresses.map(str.upper), tricky_text))
def test_an_everyday_address_reads_as_the_full_email_reading(raw):
    full = normalize_email(" " + raw)
    got = normalize_email(raw)
    assert (got.value, got.problem) == (full.value, full.problem)
    if plain_email(raw) is not None:
        assert plain_email(raw) == full.value


# Cells as exports write them (a spreadsheet's apostrophe before a number, a name starting
# with one), and any text.
cells = st.one_of(st.from_regex(r"'?[0-9A-Za-z]{1,5}", fullmatch=True),
                  st.sampled_from(["", "Ann", "a@example.com", "'t Hooft", "'=1", " x", "x\u00a0", "\ufeffx"]),
                  tricky_text)


@fast
@given(st.lists(cells, min_size=4, max_size=4))
def test_a_row_whose_cells_need_no_cleaning_reads_as_one_cleaned_cell_by_cell(tmp_path_factory, values):
    normalizer = _NORMALIZER.get("n")
    if normalizer is None:
        tmp = tmp_path_factory.mktemp("fast")
        f = write_csv(tmp / "people.csv", ["Email", "First Name", "Last Name", "Zip"],
                      [["a@example.com", "Ann", "Lee", "02134"]] * 3)
        with Workspace.create(tmp / "w.omnidesk") as ws:
            normalizer = _NORMALIZER["n"] = RowNormalizer(analyze(ws, f, ImportOptions(channel="shop")))
    shortcut = normalizer.cells(values, "\0".join(values))
    full = normalizer.cells(values)
    assert shortcut.cells == full.cells
    assert list(shortcut.found.items()) == list(full.found.items())


_NORMALIZER: dict[str, RowNormalizer] = {}


def test_a_files_row_hasher_hashes_as_row_hash(new_workspace, tmp_path):
    f = write_csv(tmp_path / "people.csv", ["Email", "Name"], [["a@example.com", "Ann"], ["b@example.com", "Bé\u00a0"]])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        plan = analyze(ws, f, ImportOptions(channel="shop"))
    hash_row = row_hasher("shop", plan.header)
    hashes = [hash_row(rec.values) for rec in read_records(plan.path, plan.fmt)]
    assert hashes == [row_hash("shop", plan.header, rec.values) for rec in read_records(plan.path, plan.fmt)]
    assert len(set(hashes)) == 2


def test_naming_regions_leaves_the_number_geocoding_data_unloaded():
    # phonenumbers.geodata's __init__ loads some 100 MB of per-prefix place names; the region
    # names come from its locale file alone.  A fresh interpreter, as other tests may load it.
    code = (
        "import sys\n"
        "from omnidesk.core.importing.phone_region import region_name\n"
        "from omnidesk.core.importing.normalize import normalize_country\n"
        "print(region_name('IN'), normalize_country('Deutschland').value, normalize_country('Indien').value,\n"
        "      'phonenumbers.geodata' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["India", "DE", "IN", "False"]


@pytest.mark.parametrize("count", [0, 1, 332, 333, 334, 1006])
def test_rows_inserted_many_a_statement_are_the_rows_given_in_their_order(count):
    from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine

    from omnidesk.core.dialect import insert_tuples_in_bulk

    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("n", Integer, nullable=False),
                  Column("word", String, nullable=False), Column("maybe", String))
    rows = [(i * 7, f"w{i}\u00e9", None if i % 3 else "x") for i in range(count)]
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        table.create(conn)
        insert_tuples_in_bulk(conn, table, ("n", "word", "maybe"), rows)
        stored = conn.exec_driver_sql("SELECT id, n, word, maybe FROM t ORDER BY id").fetchall()
    # 333 rows of three columns fill one statement's 999 parameters: a statement less or more.
    assert stored == [(i + 1, *row) for i, row in enumerate(rows)]
