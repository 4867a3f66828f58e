"""Getting what can still be read out of a damaged workspace file, into a new one.

SQLite says ``database disk image is malformed`` when pages of the file were
overwritten (a failing disk, a copy taken mid-write, a sync tool).  The damaged
file is only read (read-only), never changed.  First the online backup API
copies it whole; when the copy passes ``integrity_check`` that is the answer.
Otherwise every table is salvaged row by row: rows are read in rowid order, and
where a damaged page stops the reading, the next readable rowid is found by
probing further and bisecting back, so one bad page costs only the rows on it.  A damaged page
can also read without an error and give junk (rows out of order, cut off, made of zeros): such rows
are left out (:func:`salvage_rows`, :func:`_row_check`) and counted with what could not be read.
The rows go into a fresh workspace of the current schema; rows that point at
lost rows are mended (records lose their customer and are placed again, events
and consents follow their records, lost imports get a placeholder), customers
are rebuilt from their records, consent is read again from the imported rows
(a refusal they hold is never lost), a refusal that read whole but lost the record it hung on is
kept, recorded by hand on its customer again, and the search index and value counts are
rebuilt.  What could not be read is told for each kind of data in a shop owner's words (``LOST_WORDS``:
never a table's name) with what its loss means, counted against what the
table's indexes (b-trees of their own) still count; erased people's hashes are read
back from their list's index, and consent recorded by hand, which exists nowhere
else, is named by customer when it is lost.

Workspace files are SQLite files, so this module speaks SQLite directly.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from omnidesk.core.dialect import remove_workspace_files
from omnidesk.core.errors import UserError
from omnidesk.core.exporting.outfiles import OutputExistsError, new_file_beside, put_in_place
from omnidesk.core.failures import telling_write_failures
from omnidesk.core.models import DASHBOARD_TABLES

BATCH = 500
MIN_ROWID = -(1 << 63)
MAX_ROWID = (1 << 63) - 1
# Rebuilt from the recovered rows instead of copied: derived data.
DERIVED_TABLES = ("value_count", *DASHBOARD_TABLES)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that only reads ``path``, and reads what it can of a damaged one.

    ``writable_schema`` (harmless where nothing can be written) lets SQLite read the list of tables
    of a file cut short (a copy or a sync that stopped): it refuses the whole list otherwise, since
    the tables whose pages were cut off point past the file's end.
    """
    uri = path.resolve().as_uri()
    try:
        con = sqlite3.connect(uri + "?mode=ro", uri=True)
        con.execute("PRAGMA writable_schema=ON")
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return con
    except sqlite3.DatabaseError:
        # A write-ahead log nobody can open read-only: read the main file as it is.
        con = sqlite3.connect(uri + "?immutable=1", uri=True)
        con.execute("PRAGMA writable_schema=ON")
        return con


def _integrity_ok(con: sqlite3.Connection) -> bool:
    try:
        return con.execute("PRAGMA integrity_check(1)").fetchone()[0] == "ok"
    except sqlite3.DatabaseError:
        return False


def _readable_from(con: sqlite3.Connection, table: str, rowid: int) -> bool:
    """Whether reading ``table`` from ``rowid`` on works: no error, and no junk row (one below
    ``rowid``, as a damaged page gives)."""
    try:
        row = con.execute(f"SELECT rowid FROM {_quote(table)} WHERE rowid >= ? ORDER BY rowid LIMIT 1",
                          (rowid,)).fetchone()
    except sqlite3.DatabaseError:
        return False
    return row is None or (isinstance(row[0], int) and row[0] >= rowid)


def _next_readable(con: sqlite3.Connection, table: str, bad: int) -> int | None:
    """The smallest rowid above ``bad`` from which reading works again (None: nothing is readable)."""
    step = 1
    lo = bad
    while True:
        probe = min(bad + step, MAX_ROWID)
        if _readable_from(con, table, probe):
            hi = probe
            break
        lo = probe
        if probe == MAX_ROWID:
            return None
        step *= 2
    while hi - lo > 1:  # lo fails, hi works
        mid = (lo + hi) // 2
        if _readable_from(con, table, mid):
            hi = mid
        else:
            lo = mid
    return hi


def salvage_rows(con: sqlite3.Connection, table: str, columns: list[str],
                 skipped: list[int] | None = None) -> Iterator[list[tuple]]:
    """Batches of ``columns`` of every readable row of ``table``, in rowid order.

    Each stretch of rows that could not be read adds one entry to ``skipped``.  A damaged page can
    also read without an error and give junk: cells of zeros (rowid 0 after rowid 91, say).  A row
    whose rowid is below where the reading started, or not above the row before it, is such junk:
    it is left out and counted with what could not be read, and the reading only ever moves forward.
    """
    cols = ", ".join(_quote(c) for c in columns)
    sql = f"SELECT rowid, {cols} FROM {_quote(table)} WHERE rowid >= ? ORDER BY rowid LIMIT ?"
    cursor, size = MIN_ROWID, BATCH
    while True:
        try:
            rows = con.execute(sql, (cursor, size)).fetchall()
            sound = _in_order(rows, cursor)
            if rows and not sound:  # nothing but junk: as if the reading had failed here
                raise sqlite3.DatabaseError("junk rows")
        except sqlite3.DatabaseError:
            if size > 1:
                size = max(1, size // 8)
                continue
            after = _next_readable(con, table, cursor)
            if skipped is not None:
                skipped.append(cursor)
            if after is None:
                return
            cursor, size = after, BATCH
            continue
        if not rows:
            return
        if len(sound) < len(rows) and skipped is not None:
            skipped.append(cursor)
        yield [r[1:] for r in sound]
        if sound[-1][0] >= MAX_ROWID:
            return
        cursor = sound[-1][0] + 1
        size = min(BATCH, size * 2)


def _in_order(rows: list[tuple], cursor: int) -> list[tuple]:
    """The rows whose rowid is at least ``cursor`` and above the one before: the others are junk."""
    sound: list[tuple] = []
    for row in rows:
        rowid = row[0]
        if isinstance(rowid, int) and rowid >= cursor and (not sound or rowid > sound[-1][0]):
            sound.append(row)
    return sound


# Columns holding JSON text besides those named ``*_json``: what reads them expects it whole.
JSON_COLUMNS = {("setting", "value"), ("merge_log", "reason"), ("campaign_step", "erased_sends")}


def _row_check(src: sqlite3.Connection, con: sqlite3.Connection, table: str, columns: list[str]):
    """Whether a row of ``columns`` read from the damaged file (``src``) is sound: a value in every
    column the new workspace (``con``) requires, of the kind the damaged file's column holds (a
    number where a number goes, text where text goes), and whole JSON where JSON goes ("" reads
    as empty).

    A damaged page can read without an error and give a row cut off or made of zeros; copied in,
    it would stop the rebuild, or whatever reads it later.
    """
    def declared(db: sqlite3.Connection) -> dict[str, tuple[str, bool]]:
        return {r[1]: (r[2].upper(), bool(r[3])) for r in db.execute(f"PRAGMA table_info({_quote(table)})")}

    held, wanted = declared(src), declared(con)
    checks = []
    for i, name in enumerate(columns):
        kind, required = held.get(name, ("", False))
        required = required or wanted.get(name, ("", False))[1]
        if "INT" in kind or "BOOL" in kind:
            types: tuple[type, ...] = (int,)
        elif any(word in kind for word in ("CHAR", "TEXT", "CLOB")):
            types = (str,)
        elif any(word in kind for word in ("REAL", "FLOA", "DOUB")):
            types = (int, float)
        elif "BLOB" in kind:
            types = (bytes,)
        else:
            types = ()
        checks.append((i, required, types, name.endswith("_json") or (table, name) in JSON_COLUMNS,
                       (table, name) == ("event", "details_json")))

    def sound(row: tuple) -> bool:
        for i, required, types, is_json, read_as_details in checks:
            value = row[i]
            if value is None:
                if required:
                    return False
                continue
            if types and not isinstance(value, types):
                return False
            if is_json and value != "":
                try:
                    json.loads(value)
                except (ValueError, TypeError):
                    return False
                except RecursionError:
                    # Nested deeper than Python reads, whole or cut off.  An order's details so deep
                    # are read as none (core/details.py), so they are kept when SQLite reads them
                    # whole; any other column is read with json.loads and would fail whatever reads
                    # it later, the rebuild first: the row is not sound.
                    if not read_as_details or not con.execute("SELECT json_valid(?)", (value,)).fetchone()[0]:
                        return False
        return True

    return sound


def _tables(con: sqlite3.Connection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'customer_fts%' AND name != 'alembic_version' ORDER BY rootpage")]


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in con.execute(f"PRAGMA table_info({_quote(table)})")]


def _copy_whole(src: sqlite3.Connection, dest: Path) -> bool:
    """Copy with the backup API; True when the copy is sound."""
    target = sqlite3.connect(dest)
    try:
        src.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
        return _integrity_ok(target)
    except sqlite3.DatabaseError:
        return False
    finally:
        target.close()


class _NothingReadable(Exception):
    """Not even the damaged file's list of tables reads (SQLite's words are its message)."""


class _OrphanFact(NamedTuple):
    """A consent fact that read whole, whose record could not be read: what is needed to keep it."""

    customer: int | None  # the customer it was recorded for, by their id in the damaged file
    channel: str
    status: str
    occurred_at: str | None
    note: str
    origin: str | None  # "hand", "file" or None (the record is lost, and nothing else tells)
    siblings: list[int]  # the customer's other records that were read
    identifiers: list[tuple[str, str]]  # the lost record's emails and phones, where they were read


class _Salvage:
    """What a row-by-row salvage got back, table by table, and what it could not."""

    def __init__(self) -> None:
        self.recovered: dict[str, int] = {}
        self.held: dict[str, int | None] = {}  # rows the table held, as far as the file tells
        self.stretches: dict[str, int] = {}  # unreadable stretches skipped, by table
        self.from_index: dict[str, int] = {}  # rows read back from an index of a damaged table
        self.consent_lost_by_hand: list[int] = []  # hand records whose consent rows were lost
        self.consent_lost_unplaced = 0  # consent rows lost with their record
        self.consent_index_read = True  # whether the rows the consent table held are known
        # Consent facts read whole whose record (the imported row or hand record they hang on) was lost.
        self.orphan_consent: list[_OrphanFact] = []
        self.refusals_kept: list[set[int]] = []  # refusals kept by hand, by the customers they are kept on
        self.refusals_unplaced: list[int | None] = []  # refusals nobody is left for, by the customer they named
        self.hand_grants_lost: list[set[int]] = []  # "yes" recorded by hand lost with its record, by customers
        self.grants_lost_unsure: list[set[int]] = []  # "yes" lost with its record, by hand or from a file
        # The files whose imports lost imported rows, to be imported again (None: which ones is not told).
        self.import_again: list[str] | None = []
        # The imports whose orders and other activity were lost, by number and file name, to be undone
        # and their files imported again (None: which ones is not told).
        self.undo_and_import_again: list[tuple[int, str]] | None = []

    def consent_mended(self) -> bool:
        """Whether mending dropped or kept consent facts whose record was lost (to be said)."""
        return bool(self.refusals_kept or self.refusals_unplaced or self.hand_grants_lost
                    or self.grants_lost_unsure or (self.consent_lost_unplaced and not self.lost("consent")))

    @property
    def skipped(self) -> int:
        return sum(self.stretches.values())

    def lost(self, table: str) -> bool:
        held = self.held.get(table)
        if held is None:  # no count reads: what was skipped tells
            return bool(self.stretches.get(table))
        return held > self.recovered.get(table, 0)


def _index_on(src: sqlite3.Connection, table: str, column: str) -> str | None:
    """The name of a whole (not partial) index of ``table`` whose first column is ``column``."""
    try:
        for _seq, name, _unique, _origin, partial in src.execute(f"PRAGMA index_list({_quote(table)})"):
            if partial:
                continue
            first = src.execute(f"PRAGMA index_info({_quote(name)})").fetchone()
            if first is not None and first[2] == column:
                return name
    except sqlite3.DatabaseError:
        pass
    return None


def _rows_held(src: sqlite3.Connection, table: str) -> int | None:
    """How many rows ``table`` held, as far as the file still tells (None: it does not).

    An index is a b-tree of its own: where the table's pages are damaged, its indexes often still
    count its rows.
    """
    counts = []
    try:
        counts.append(src.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()[0])
    except sqlite3.DatabaseError:
        pass
    try:
        indexes = [r[1] for r in src.execute(f"PRAGMA index_list({_quote(table)})") if not r[4]]
    except sqlite3.DatabaseError:
        indexes = []
    for name in indexes:
        try:
            counts.append(src.execute(f"SELECT count(*) FROM {_quote(table)} INDEXED BY {_quote(name)}").fetchone()[0])
        except sqlite3.DatabaseError:
            pass
    return max(counts) if counts else None


def _read_by_index(src: sqlite3.Connection, table: str, column: str) -> dict[int, object] | None:
    """Every row's ``column`` by rowid, read from an index of ``table`` alone (None: none reads)."""
    index = _index_on(src, table, column)
    if index is None:
        return None
    try:
        return dict(src.execute(f"SELECT rowid, {_quote(column)} FROM {_quote(table)} INDEXED BY {_quote(index)}"))
    except sqlite3.DatabaseError:
        return None


def _salvage_into(src: sqlite3.Connection, dest: Path) -> _Salvage:
    """Copy every readable row of the damaged file into the fresh workspace at ``dest``."""
    from omnidesk.core.models import HAND_KIND

    got = _Salvage()
    try:
        source_tables = set(_tables(src))
    except sqlite3.DatabaseError as exc:
        raise _NothingReadable(str(exc)) from None
    con = sqlite3.connect(dest, isolation_level=None)
    try:
        con.execute("PRAGMA foreign_keys=OFF")
        con.execute("BEGIN")
        for table in _tables(con):
            if table in DERIVED_TABLES or table not in source_tables:
                continue
            got.held[table] = _rows_held(src, table)
            try:
                columns = [c for c in _columns(con, table) if c in set(_columns(src, table))]
            except sqlite3.DatabaseError:
                got.recovered[table] = 0
                continue
            verb = "INSERT OR REPLACE" if table == "setting" else "INSERT OR IGNORE"
            sql = (f"{verb} INTO {_quote(table)} ({', '.join(_quote(c) for c in columns)}) "
                   f"VALUES ({', '.join('?' * len(columns))})")
            n = 0
            skipped: list[int] = []
            sound_row = _row_check(src, con, table, columns)
            for read in salvage_rows(src, table, columns, skipped):
                batch = [row for row in read if sound_row(row)]
                skipped += [0] * (len(read) - len(batch))  # each damaged row: a stretch not read
                try:
                    con.executemany(sql, batch)
                    n += len(batch)
                except sqlite3.DatabaseError:
                    for row in batch:  # a damaged value (NULL where one is needed): skip that row
                        try:
                            con.execute(sql, row)
                            n += 1
                        except sqlite3.DatabaseError:
                            pass
            got.recovered[table] = n
            if skipped:
                got.stretches[table] = len(skipped)
        if got.lost("suppression"):
            # An erased person is kept only as hashes, which the unique index holds too: read them
            # back from it, or a re-import brings the person back.
            hashes = _read_by_index(src, "suppression", "hash") or {}
            now = con.execute("SELECT strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')").fetchone()[0]
            before = con.execute("SELECT count(*) FROM suppression").fetchone()[0]
            con.executemany("INSERT OR IGNORE INTO suppression (id, hash, created_at) VALUES (?, ?, ?)",
                            [(rid, h, now) for rid, h in hashes.items() if h])
            added = con.execute("SELECT count(*) FROM suppression").fetchone()[0] - before
            if added:
                got.from_index["suppression"] = added
                got.recovered["suppression"] += added
        if got.lost("consent"):
            _count_consent_lost(src, con, got, HAND_KIND)
        _consent_of_lost_records(src, con, got, HAND_KIND)
        if got.lost("event"):
            _imports_that_lost_activity(src, con, got, HAND_KIND)
        _mend_references(con)
        if got.lost("source_record"):
            _let_files_be_imported_again(src, con, got, HAND_KIND)
        _keep_id_counter(src, con)
        con.execute("COMMIT")
    finally:
        con.close()
    return got


def _let_files_be_imported_again(src: sqlite3.Connection, con: sqlite3.Connection, got: _Salvage,
                                 hand_kind: str) -> None:
    """Let the file of each import that lost imported rows be imported again for real.

    An import is known to hold a file by its fingerprint (``file_hash``): the same file imported
    again is "already imported" and adds nothing (``copies.holder_of``).  An import that lost rows
    no longer holds its file, so its fingerprint (and its copies') is cleared here, as a recovered
    import's placeholder has none: the smallest change that lets the file in again, with nothing
    new for the import to honour.  Imported again, the file brings back the lost rows with their
    orders and consent; its rows that were kept are stored as sightings of theirs (on the same
    customer, their orders not counted twice), and that import holds the file from then on.
    Where the record table's index of imports does not read, which imports lost rows is not told:
    every file import is let in again.
    """
    batches = _read_by_index(src, "source_record", "batch_id")
    if batches is None:
        lost = {bid for (bid,) in con.execute("SELECT id FROM import_batch WHERE kind != ?", (hand_kind,))}
        got.import_again = None
    else:
        kept = {rid for (rid,) in con.execute("SELECT id FROM source_record")}
        lost = {bid for rid, bid in batches.items() if rid not in kept and bid is not None}
    names: list[str] = []
    for bid in sorted(lost):
        row = con.execute("SELECT file_name, file_hash, channel, kind FROM import_batch WHERE id = ? AND kind != ?",
                          (bid, hand_kind)).fetchone()
        if row is None:
            continue
        name, file_hash, channel, kind = row
        if file_hash:
            con.execute("UPDATE import_batch SET file_hash = '' WHERE file_hash = ? AND channel = ? AND kind = ?",
                        (file_hash, channel, kind))
            if got.import_again is not None and name not in names:
                names.append(name)
    if got.import_again is not None:
        got.import_again = names


def _imports_that_lost_activity(src: sqlite3.Connection, con: sqlite3.Connection, got: _Salvage,
                                hand_kind: str) -> None:
    """Which imports lost orders and other activity, as the event table's index of imports still tells.

    Their rows were read, so importing their files again brings nothing back: the file is "already
    imported", and were it not, its rows would be stored as sightings of the rows kept, whose orders
    are not recorded twice.  Undoing the import and importing its file again records them all anew.
    An import that was lost itself (its file's name with it) is not named.
    """
    batches = _read_by_index(src, "event", "batch_id")
    if batches is None:
        got.undo_and_import_again = None
        return
    kept = {rid for (rid,) in con.execute("SELECT id FROM event")}
    found: list[tuple[int, str]] = []
    for bid in sorted({bid for rid, bid in batches.items() if rid not in kept and bid is not None}):
        row = con.execute("SELECT file_name FROM import_batch WHERE id = ? AND kind != ?", (bid, hand_kind)).fetchone()
        if row is not None:
            found.append((bid, row[0]))
    got.undo_and_import_again = found


def _count_consent_lost(src: sqlite3.Connection, con: sqlite3.Connection, got: _Salvage, hand_kind: str) -> None:
    """Which consent rows were lost, by the record each belonged to (its index still names it).

    Consent read from a file is read again from the record's kept row; consent recorded by hand
    exists nowhere else, so each such row lost is counted (by its hand record) to be said.
    """
    from omnidesk.core.channels import HAND

    records = _read_by_index(src, "consent", "record_id")
    if records is None:
        got.consent_index_read = False
        return
    read = {rid for (rid,) in con.execute("SELECT id FROM consent")}
    lost = {rid: record for rid, record in records.items() if rid not in read}
    kinds = {}
    ids = sorted(set(lost.values()))
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        kinds.update(con.execute(
            f"SELECT r.id, CASE WHEN b.kind = ? OR r.channel = ? THEN 'hand' "
            f"WHEN b.header_json IN ('', '[]') THEN NULL ELSE 'file' END "
            f"FROM source_record r JOIN import_batch b ON b.id = r.batch_id "
            f"WHERE r.id IN ({', '.join('?' * len(part))})", [hand_kind, HAND, *part]).fetchall())
    for record in lost.values():
        kind = kinds.get(record)
        if kind == "hand":
            got.consent_lost_by_hand.append(record)
        elif kind is None:  # its record, or the import it came from, is lost too: nothing to read it from
            got.consent_lost_unplaced += 1


def _consent_of_lost_records(src: sqlite3.Connection, con: sqlite3.Connection, got: _Salvage,
                             hand_kind: str) -> None:
    """The consent facts that read whole but whose record was lost (a file cut short keeps the
    consent table and loses the hand record written after it): mending drops them, so each is
    kept aside here with what tells whose it was and where it came from.

    Where it came from: a note (only consent typed by hand has one), else the record's import as
    the record table's own index still tells it; else nothing tells.
    """
    rows = con.execute("SELECT record_id, customer_id, channel, status, occurred_at, note FROM consent "
                       "WHERE record_id NOT IN (SELECT id FROM source_record) ORDER BY id").fetchall()
    if not rows:
        return
    batches = _batches_of(src, {r[0] for r in rows})
    kinds = dict(con.execute("SELECT id, kind FROM import_batch"))
    for record, customer, channel, status, occurred_at, note in rows:
        batch = batches.get(record)
        origin = ("hand" if note or kinds.get(batch) == hand_kind
                  else "file" if batch in kinds else None)
        siblings = [r for (r,) in con.execute("SELECT id FROM source_record WHERE customer_id = ?", (customer,))] \
            if customer is not None else []
        identifiers = [tuple(r) for r in con.execute(
            "SELECT kind, value FROM identifier WHERE record_id = ? AND value != ''", (record,))]
        got.orphan_consent.append(_OrphanFact(customer, channel, status, occurred_at, note or "", origin,
                                              siblings, identifiers))


def _batches_of(src: sqlite3.Connection, records: set[int]) -> dict[int, int]:
    """The import of each of these lost records, as far as the record table's index of imports
    still reads (read through once, keeping only these)."""
    index = _index_on(src, "source_record", "batch_id")
    found: dict[int, int] = {}
    if index is None:
        return found
    try:
        for rid, batch in src.execute(f"SELECT rowid, batch_id FROM source_record INDEXED BY {_quote(index)}"):
            if rid in records:
                found[rid] = batch
    except sqlite3.DatabaseError:
        pass  # what was read before the damage stands
    return found


def _keep_refusals(conn, got: _Salvage) -> None:
    """Keep each refusal whose record was lost, recorded by hand on the customer it was for, and
    count the "yes" facts lost with their records (mending dropped them all).

    Consent is never guessed in the marketer's favour: a "no" (any fact but "granted") stays on its
    customer, found again by the customer's records that were read, or by the emails and phones of
    the lost record; it is recorded on them by hand, as ``omnidesk consent set`` records it.  A "yes"
    stays lost (the safe way), and is said: by hand, to be recorded again.
    """
    from sqlalchemy import insert, select

    from omnidesk.core.consent import GRANTED
    from omnidesk.core.edits import _hand_records
    from omnidesk.core.models import Consent, Identifier, SourceRecord

    if not got.orphan_consent:
        return
    rec, ident = SourceRecord.__table__, Identifier.__table__

    def owners_of(fact: _OrphanFact) -> set[int]:
        found: set[int] = set()
        for start in range(0, len(fact.siblings), 500):
            found.update(conn.execute(select(rec.c.customer_id).where(
                rec.c.id.in_(fact.siblings[start:start + 500]), rec.c.customer_id.is_not(None))).scalars())
        for kind, value in fact.identifiers:
            found.update(conn.execute(select(rec.c.customer_id).join(ident, ident.c.record_id == rec.c.id).where(
                ident.c.kind == kind, ident.c.value == value, rec.c.customer_id.is_not(None))).scalars())
        return found

    keep: list[tuple[int, _OrphanFact]] = []
    for fact in got.orphan_consent:
        owners = owners_of(fact)
        if fact.status != GRANTED:
            if owners:
                keep += [(cid, fact) for cid in sorted(owners)]
                got.refusals_kept.append(owners)
            else:
                got.refusals_unplaced.append(fact.customer)
        elif fact.origin == "hand":
            got.hand_grants_lost.append(owners or ({fact.customer} if fact.customer is not None else set()))
        elif fact.origin is None and owners:
            got.grants_lost_unsure.append(owners)
        else:  # from a file, or nobody is left it was for: the file brings it back
            got.consent_lost_unplaced += 1
    if not keep:
        return
    records = _hand_records(conn, [cid for cid, _fact in keep])
    con = Consent.__table__
    conn.execute(insert(con), [
        {"record_id": records[cid][0], "customer_id": cid, "channel": fact.channel, "status": fact.status,
         "occurred_at": fact.occurred_at,
         "note": fact.note or "Kept when the workspace was recovered: the row that said it could not be read."}
        for cid, fact in keep])


def _keep_id_counter(src: sqlite3.Connection, con: sqlite3.Connection) -> None:
    """Customer ids and Review pair numbers lost with the damage, or gone before, are not given again either.

    The new workspace counts from the highest customer id the damaged one ever
    gave (its ``sqlite_sequence``, when readable) or its merge log names, and
    from the highest pair number it ever gave: one read off ``review list``
    before the damage never names another pair after.
    """
    highest = con.execute("SELECT max(coalesce(max(survivor_id), 0), coalesce(max(absorbed_id), 0)) "
                          "FROM merge_log").fetchone()[0] or 0
    _raise_counter(con, "customer", max(highest, _counter_of(src, "customer")))
    _raise_counter(con, "match_review", _counter_of(src, "match_review"))


def _counter_of(src: sqlite3.Connection, table: str) -> int:
    try:
        row = src.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
        return int(row[0]) if row and row[0] is not None else 0
    except (sqlite3.DatabaseError, ValueError, TypeError):
        return 0  # no counter (an older workspace) or an unreadable one


def _raise_counter(con: sqlite3.Connection, table: str, highest: int) -> None:
    """``table`` gives no id at or below ``highest`` (it may count from higher already)."""
    if con.execute("SELECT 1 FROM sqlite_sequence WHERE name = ?", (table,)).fetchone() is None:
        con.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, highest))
    else:
        con.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", (highest, table))


def _mend_references(con: sqlite3.Connection) -> None:
    """Make every reference point at a row that exists, losing as little as possible."""
    # Records and events whose import was lost keep a placeholder import.
    con.execute(
        "INSERT INTO import_batch (id, file_name, file_hash, file_size, channel, kind, encoding, delimiter, "
        "header_json, mapping_json, options_json, status, started_at, rows, imported, flagged, duplicates, "
        "events, customers_created) "
        "SELECT batch_id, 'recovered import ' || batch_id, '', 0, min(channel), min(kind), '', ',', '[]', '[]', "
        "'{}', 'done', strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), count(*), count(*), 0, 0, 0, 0 "
        "FROM (SELECT batch_id, channel, kind FROM source_record UNION ALL "
        "      SELECT batch_id, channel, 'events' FROM event) "
        "WHERE batch_id NOT IN (SELECT id FROM import_batch) GROUP BY batch_id")
    for table in ("identifier", "consent", "event", "custom_field"):
        con.execute(f"DELETE FROM {table} WHERE record_id NOT IN (SELECT id FROM source_record)")
    for table in ("source_record", "consent", "event"):
        con.execute(f"UPDATE {table} SET customer_id = NULL "
                    "WHERE customer_id IS NOT NULL AND customer_id NOT IN (SELECT id FROM customer)")
    con.execute("DELETE FROM match_review WHERE left_id NOT IN (SELECT id FROM customer) "
                "OR right_id NOT IN (SELECT id FROM customer)")
    left = con.execute("PRAGMA foreign_key_check").fetchall()
    if left:  # pragma: no cover - a table added later without mending above
        for table in {r[0] for r in left}:
            con.execute(f"DELETE FROM {_quote(table)} WHERE rowid IN "
                        f"(SELECT rowid FROM pragma_foreign_key_check('{table}'))")


def _rebuild(ws, got: _Salvage | None = None) -> int:
    """Place records that lost their customer, read consent again from the imported rows, keep the
    refusals whose record was lost (:func:`_keep_refusals`), then rebuild customers, counts and
    search.  Returns how many consent facts the re-reading added.

    Consent facts read from a file are read again from the records' kept rows, as a newer version
    reads them (``importing.backfill.reread_consents``): facts lost with the damage come back, and
    a re-reading never takes a refusal away.
    """
    from sqlalchemy import func, select, update

    from omnidesk.core.identity.golden import refresh_customers, reindex_search
    from omnidesk.core.identity.profiles import fill_mailboxes
    from omnidesk.core.identity.resolve import model_from_settings, resolve_batch
    from omnidesk.core.identity.stats import rebuild_counts
    from omnidesk.core.importing.backfill import reread_consents
    from omnidesk.core.models import Consent, Customer, Event, SourceRecord

    rec = SourceRecord.__table__
    model = model_from_settings(ws.get_setting)
    with ws.engine.begin() as conn:
        fill_mailboxes(conn)  # rows copied from a workspace older than the column
        rebuild_counts(conn)
        batches = [b for (b,) in conn.execute(
            select(rec.c.batch_id).where(rec.c.customer_id.is_(None)).distinct())]
        for batch_id in batches:
            resolve_batch(conn, batch_id, None, model)
        facts = select(func.count()).select_from(Consent.__table__)
        had = conn.execute(facts).scalar() or 0
        reread_consents(conn)
        rebuilt = (conn.execute(facts).scalar() or 0) - had
        for table in (Consent.__table__, Event.__table__):
            conn.execute(update(table).values(customer_id=select(rec.c.customer_id).where(
                rec.c.id == table.c.record_id).scalar_subquery()))
        if got is not None:
            _keep_refusals(conn, got)
        ids = [cid for (cid,) in conn.execute(select(Customer.__table__.c.id))]
        refresh_customers(conn, ids)
        reindex_search(conn)
    return max(rebuilt, 0)


def recover_workspace(damaged: Path, new: Path) -> dict:
    """Write what can be read of ``damaged`` into the new workspace ``new``; returns what was recovered.

    ``new`` must not exist.  The result names the method (``copy``: the file was
    sound after all; ``salvage``: row by row), the rows recovered per table, the
    unreadable stretches skipped, what could not be read (``lost``, table by table,
    and ``losses``, a sentence each, to be shown) and the new workspace's counts.
    """
    from omnidesk.core.workspace import Workspace

    damaged, new = Path(damaged).expanduser(), Path(new).expanduser()
    if not damaged.is_file():
        raise UserError(f"There is no file at {damaged}.")
    _refuse_what_is_not_a_workspace(damaged)
    if new.exists():
        raise UserError(f"{new} already exists; give the name of a new file to recover into.")
    # Its own scratch name, as a demo build's: two recoveries into one name never share it.
    partial = new.with_name(f"{new.name}.recovering-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    # A read-only reader of a WAL file creates -wal/-shm it cannot remove: remove the ones it made.
    made = [log for log in (Path(f"{damaged}-wal"), Path(f"{damaged}-shm")) if not log.exists()]
    src = _open_read_only(damaged)
    try:
        # Made here, before any reading: a folder that refuses it is said of the user's NEW file and
        # its folder, as for any output, and never as SQLite's "unable to open database file".
        with telling_write_failures(new):
            new.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666))
        method, recovered, skipped, losses, lost = "copy", {}, 0, [], {}
        got = None
        if not _copy_whole(src, partial) or not _is_workspace(partial):
            remove_workspace_files(partial)
            method = "salvage"
            Workspace.create(partial).close()
            try:
                got = _salvage_into(src, partial)
            except _NothingReadable as exc:
                raise UserError(f"Nothing can be read from {damaged.name}: the list of its tables is damaged "
                                f"({exc}). It was not changed.") from None
            recovered, skipped = got.recovered, got.skipped
        with _open_new(partial, damaged, new) as ws:
            if got is not None:
                rebuilt = _rebuild(ws, got)
                losses, lost = _losses(ws, got, rebuilt)
            else:
                recovered = ws.counts()
            counts = ws.counts()
            with ws.engine.connect() as conn:
                check = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
        if check != "ok":  # pragma: no cover - a fresh file written by SQLite itself
            raise UserError(f"The recovered workspace did not pass SQLite's check ({check}).")
        for suffix in ("-wal", "-shm"):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)
        # Never onto a file that took the name while the recovery ran (it was checked long before).
        try:
            put_in_place(partial, new, overwrite=False)
        except OutputExistsError:
            raise UserError(f"{new} already exists; give the name of a new file to recover into.") from None
    except BaseException:
        remove_workspace_files(partial)
        raise
    finally:
        src.close()
        wal = Path(f"{damaged}-wal")
        if not (wal.exists() and wal.stat().st_size > 0):  # never a log holding pages
            for log in made:
                log.unlink(missing_ok=True)
    return {"workspace": str(new), "method": method, "recovered": recovered,
            "skipped_stretches": skipped, "lost": lost, "losses": losses, "counts": counts}


# What each table holds, in a shop owner's words, and what losing some of it means (said only where
# it is so: what recover mends or rebuilds, and what is gone).  The summary's sentences name these,
# never the tables; its "lost" keeps the table names as keys.
LOST_WORDS: dict[str, tuple[str, str]] = {
    "source_record": ("Imported rows", "customers are rebuilt from the rows that could, without what the "
                                       "others said"),
    "event": ("Orders and other activity", "customers' orders and spend, and the Dashboard, leave them out"),
    "identifier": ("Emails and phones that link imported rows", "those rows are no longer found or matched "
                                                                "by them"),
    "consent": ("Consent", ""),
    "customer": ("Customers", "the lost ones are rebuilt from their imported rows; values you pinned and notes "
                              "you wrote on them are lost"),
    "suppression": ("Erased people", ""),
    "custom_field": ("Custom field values of imported rows", ""),
    "import_batch": ("Imports", "the rows of a lost import that could be read are listed under "
                                "“recovered import” and its number"),
    "setting": ("Settings", "those are back to how a new workspace has them"),
    "saved_mapping": ("Saved column choices for imports", ""),
    "match_decision": ("Your decisions on possible duplicates", ""),
    "match_review": ("Possible duplicates waiting for review", ""),
    "merge_log": ("History of merged customers", ""),
    "saved_segment": ("Saved segments", ""),
    "asset": ("Brand kit pictures (the logo)", ""),
    "message": ("Messages", ""),
    "message_variant": ("Messages' channel versions", ""),
    "message_version": ("Messages' earlier versions", ""),
    "campaign": ("Campaigns", ""),
    "campaign_step": ("Campaign steps", ""),
    "send_record": ("Records of what campaigns sent", ""),
    "product": ("Products", ""),
    "event_product": ("Products of orders", ""),
    "product_batch": ("Which imports list their orders' products", ""),
}


def _what_was_read(noun: str, read: int, held: int | None) -> str:
    """"Imported rows: 375 of 2,340 could not be read", or "…: some could not be read (1,965 could)"."""
    if held is not None and held > read:
        return f"{noun}: {held - read:,} of {held:,} could not be read"
    return f"{noun}: some could not be read ({read:,} could)"


def _losses(ws, got: _Salvage, rebuilt: int) -> tuple[list[str], dict]:
    """What the salvage could not read, a sentence per table, and the same table by table.

    Said plainly where nothing else can bring it back: consent recorded by hand (with the
    customers it was recorded for) and erased people a re-import would bring back.
    """
    sentences: list[str] = []
    lost: dict[str, dict] = {}
    for table in sorted(got.recovered, key=lambda t: (t not in ("consent", "suppression", "source_record"), t)):
        if not got.lost(table) and not (table == "consent" and got.consent_mended()):
            continue
        read, held = got.recovered[table], got.held.get(table)
        lost[table] = {"read": read, "held": held, "unreadable_stretches": got.stretches.get(table, 0)}
        noun, consequence = LOST_WORDS.get(table, ("Other data", ""))
        if table == "consent":
            said = _consent_said(ws, got, rebuilt, lost[table])
        elif table == "suppression":
            said = _what_was_read(noun, read, held)
            missing = held - read if held is not None and held > read else None
            said += (f"; {missing:,} erased {'person is' if missing == 1 else 'people are'} no longer kept out"
                     if missing else "; erased people may no longer be kept out")
            sentences.append(said + ": a re-import would bring them back, so erase them again if they come back.")
            continue
        else:
            said = _what_was_read(noun, read, held) + (f"; {consequence}" if consequence else "")
            if table == "source_record":
                said += _import_again_said(got, lost[table])
            elif table == "event":
                said += _undo_and_import_again_said(got, lost[table])
        sentences.append(f"{said}.")
    return sentences, lost


def _import_again_said(got: _Salvage, entry: dict) -> str:
    """How the lost imported rows come back (": import a.csv and b.csv again to bring them back"),
    with the files' names in ``entry``; "" when no file can bring them back."""
    from omnidesk.core.text import printable

    names = got.import_again
    if names is None:
        entry["import_again"] = "all"
        return ": import your files again to bring them back (the rows that were read are not counted twice)"
    if not names:
        return ""
    entry["import_again"] = names
    names = [printable(name) for name in names]
    if len(names) <= 3:
        listed = " and ".join(filter(None, [", ".join(names[:-1]), names[-1]]))
    else:  # the first few
        listed = f"{', '.join(names[:2])} and {len(names) - 2:,} other files"
    return f": import {listed} again to bring them back"


def _undo_and_import_again_said(got: _Salvage, entry: dict) -> str:
    """How lost orders and other activity come back (": undo the import of till.csv (import 3), then
    import it again to bring them back"), with the imports in ``entry``; "" when none can."""
    from omnidesk.core.text import printable

    imports = got.undo_and_import_again
    if imports is None:
        entry["undo_and_import_again"] = "all"
        return (": undo the imports of the files they came from, then import those files again to bring them "
                "back")
    if not imports:
        return ""
    entry["undo_and_import_again"] = [{"import": bid, "file": name} for bid, name in imports]
    named = [f"{printable(name)} (import {bid})" for bid, name in imports]
    if len(named) <= 3:
        listed = " and ".join(filter(None, [", ".join(named[:-1]), named[-1]]))
    else:  # the first few
        listed = f"{', '.join(named[:2])} and {len(named) - 2:,} other imports"
    one = len(named) == 1
    return (f": undo the import{'' if one else 's'} of {listed}, then import {'it' if one else 'those files'} "
            f"again to bring them back")


def _named(customers: set[int] | list[int]) -> str:
    """"customer 40", or "customers 3, 7, …" (the first ten)."""
    ids = sorted(customers)
    return (f"customer{'s' if len(ids) != 1 else ''} " + ", ".join(map(str, ids[:10]))
            + (", …" if len(ids) > 10 else ""))


def _consent_said(ws, got: _Salvage, rebuilt: int, entry: dict) -> str:
    """The sentence on consent (without its full stop), and its facts in ``entry``: what of the
    table could not be read, the refusals kept whose record was lost, and what is lost for good."""
    parts: list[str] = []
    if got.lost("consent"):
        entry["rebuilt_from_imported_rows"] = rebuilt
        head = _what_was_read("Consent", got.recovered["consent"], got.held.get("consent")) + \
            f" — rebuilt {rebuilt:,} from the imported rows"
    else:
        head = ""
    if got.refusals_kept:
        n, on = len(got.refusals_kept), set().union(*got.refusals_kept)
        entry["refusals_kept"] = n
        entry["refusals_kept_customers"] = sorted(on)
        parts.append(f"{n:,} refusal{'s' if n != 1 else ''} whose row{'s' if n != 1 else ''} could not be read "
                     f"{'is' if n == 1 else 'are'} kept as recorded by hand ({_named(on)}): "
                     f"{'that customer stays' if len(on) == 1 else 'they stay'} opted out")
    if got.refusals_unplaced:
        n, of = len(got.refusals_unplaced), {c for c in got.refusals_unplaced if c is not None}
        entry["refusals_lost_with_their_customers"] = n
        entry["refusals_lost_customers"] = sorted(of)
        parts.append(f"{n:,} refusal{'s' if n != 1 else ''} went with the "
                     f"{'customer' if len(of) <= 1 else 'customers'} {'it was' if n == 1 else 'they were'} for, "
                     f"who could not be read{f' ({_named(of)})' if of else ''}: if "
                     f"{'that person comes' if len(of) <= 1 else 'they come'} back with an import, record "
                     f"{'it' if n == 1 else 'them'} again")
    hand = got.consent_lost_by_hand
    owners = set(_customers_of_records(ws, hand)) if hand else set()
    n = len(hand) + len(got.hand_grants_lost)
    if n:
        owners = owners.union(*got.hand_grants_lost)
        entry["recorded_by_hand_lost"] = n
        entry["recorded_by_hand_lost_customers"] = sorted(owners)
        parts.append(f"{n:,} recorded by hand {'is' if n == 1 else 'are'} lost ({_named(owners)}): record "
                     f"{'it' if n == 1 else 'them'} again")
    elif got.lost("consent") and not got.consent_index_read:
        parts.append("consent recorded by hand among the lost rows cannot be told apart and is lost: "
                     "check the consent you recorded by hand and record it again")
    if got.grants_lost_unsure:
        n, of = len(got.grants_lost_unsure), set().union(*got.grants_lost_unsure)
        entry["granted_lost_with_their_rows"] = n
        entry["granted_lost_with_their_rows_customers"] = sorted(of)
        parts.append(f"{n:,} “yes” whose row{'s' if n != 1 else ''} could not be read {'is' if n == 1 else 'are'} "
                     f"lost ({_named(of)}): record {'it' if n == 1 else 'them'} again if "
                     f"{'it was' if n == 1 else 'they were'} recorded by hand, or import "
                     f"{'its file' if n == 1 else 'their files'} again")
    if got.consent_lost_unplaced:
        entry["lost_with_their_records"] = got.consent_lost_unplaced
        parts.append(f"{got.consent_lost_unplaced:,} went with records or imports that could not be read "
                     "(import those files again)")
    if head:
        return "; ".join([head, *parts])
    return "Consent: " + "; ".join(parts)


def _customers_of_records(ws, records: list[int]) -> list[int]:
    from sqlalchemy import select

    from omnidesk.core.models import SourceRecord

    rec = SourceRecord.__table__
    ids: set[int] = set()
    with ws.engine.connect() as conn:
        for start in range(0, len(records), 500):
            ids.update(conn.execute(select(rec.c.customer_id).where(
                rec.c.id.in_(records[start:start + 500]), rec.c.customer_id.is_not(None))).scalars())
    return sorted(ids)


def _open_new(partial: Path, damaged: Path, new: Path):
    """The new workspace being written (``partial``), at the current schema.

    A whole copy of a workspace from an older omnidesk is upgraded in place, without the copy
    opening keeps of a user's file before upgrading it: ``partial`` is this recovery's own, and
    the file it came from is only read.  An upgrade that stops is said of the files the user
    named: the damaged one unchanged, the new one not made.
    """
    from sqlalchemy import create_engine

    from omnidesk.core import dialect, failures
    from omnidesk.core.workspace import Workspace, WorkspaceError

    engine = create_engine(dialect.file_url(partial))
    ws = Workspace(engine, partial)
    ws._engine_settings = dialect.configure_sqlite_engine(engine)
    try:
        ws._migrate()  # at the current schema already (a salvage's fresh file): nothing to do
    except Exception as exc:
        engine.dispose()
        if isinstance(exc, WorkspaceError) or failures.is_disk_full(exc):
            raise
        raise UserError(f"Could not upgrade what was read from {damaged.name} for this version of omnidesk: "
                        f"{failures.upgrade_failure_reason(exc)}. {damaged.name} was not changed, and "
                        f"{new.name} was not made.") from exc
    ws.show_channel_labels()
    return ws


def _refuse_what_is_not_a_workspace(path: Path) -> None:
    """UserError, naming ``path``, when it holds nothing a workspace could be recovered from: an
    empty file, a file that is not SQLite's, another program's database, or a workspace of a
    newer omnidesk (not damaged: an update opens it)."""
    from omnidesk.core.dialect import inspect_file
    from omnidesk.core.workspace import known_revisions

    state = inspect_file(path)
    if state.kind == "unreadable":  # a full disk or a failing drive, not damage: no recovery helps
        from omnidesk.core import failures

        raise UserError(failures.unreadable_message(state.error, path))
    if state.kind == "empty":
        raise UserError(f"{path.name} is empty (0 bytes): there is nothing in it to recover.")
    if state.kind == "not-sqlite":
        raise UserError(f"{path.name} is not a workspace ({state.detail}): there is nothing omnidesk can "
                        "recover from it.")
    if state.kind == "unknown" or (state.kind == "workspace" and state.revision is not None
                                   and state.revision not in known_revisions()):
        raise UserError(f"{path.name} was saved by a newer version of omnidesk; it is not damaged: update "
                        "omnidesk to open it. It was not changed.")
    if state.kind == "foreign":
        con = _open_read_only(path)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError:
            tables = set()
        finally:
            con.close()
        if "source_record" not in tables:  # a workspace whose header was damaged still has its tables
            # The detail reads "it is a SQLite database of another program": said here of the file by name.
            what = state.detail.removeprefix("it is ")
            raise UserError(f"{path.name} is {what}, not an omnidesk workspace: there is nothing "
                            "to recover from it.")


def _is_workspace(path: Path) -> bool:
    from omnidesk.core.dialect import inspect_file

    return inspect_file(path).kind == "workspace"


def set_aside_name(path: Path, when: str) -> Path:
    """Where a damaged workspace is kept when a backup takes its place (``backup_files`` lists it)."""
    from omnidesk.core.workspace import WORKSPACE_SUFFIX

    return path.with_name(f"{path.stem}.damaged-{when}{WORKSPACE_SUFFIX}.bak")


def refuse_if_open_elsewhere(path: Path, doing: str) -> None:
    """UserError when another window or command has the workspace at ``path`` open.

    Renaming the file (and its write-ahead log) away from under them would take their work with
    it: an import running meanwhile said it was done, and everything it wrote ended up in the file
    set aside.  ``doing`` names what was refused ("restoring a backup").
    """
    from omnidesk.core.dialect import open_elsewhere

    if path.exists() and open_elsewhere(path):
        raise UserError(f"{path.name} is open in another window or busy with a command (an import, perhaps); "
                        f"close it there or let the command finish, then try {doing} again. Nothing was changed.")


def restore_backup(path: Path, backup: Path) -> Path:
    """Put a consistent copy of ``backup`` in place of the (damaged) workspace at ``path``.

    The damaged file is not deleted: it is renamed to ``name.damaged-TIME.omnidesk.bak``
    (with its write-ahead log), so what it still holds can be recovered later.
    Returns that name.  The workspace must be closed: while another window or command has it
    open, UserError says so and nothing is changed.
    """
    from datetime import datetime

    from omnidesk.core.dialect import backup_file, inspect_file

    path, backup = Path(path), Path(backup)
    if inspect_file(backup).kind != "workspace":
        raise UserError(f"{backup.name} is not a readable omnidesk workspace; choose another backup.")
    refuse_if_open_elsewhere(path, "restoring a backup")
    # A new file of its own beside the workspace: whatever else has a name there is left alone.
    partial = new_file_beside(path)
    try:
        backup_file(backup, partial)  # a consistent copy, whatever the backup's own log holds
    except (sqlite3.Error, OSError) as exc:
        remove_workspace_files(partial)
        raise UserError(f"Could not copy {backup.name}: {exc}.") from None
    aside = set_aside_name(path, datetime.now().strftime("%Y%m%d-%H%M%S"))
    try:
        # Looked at again after the copy, which can take a while: an import may have begun meanwhile.
        refuse_if_open_elsewhere(path, "restoring a backup")
    except UserError:
        remove_workspace_files(partial)
        raise
    if path.exists():
        path.replace(aside)
        for suffix in ("-wal", "-shm"):
            log = Path(f"{path}{suffix}")
            if log.exists():
                log.replace(Path(f"{aside}{suffix}"))
    partial.replace(path)
    return aside
