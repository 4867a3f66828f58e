"""Undo by journal: every row a write changed, so that write can be reverted exactly.

Most writes have an undo of their own (a merge log, a decision token).  Two do
not restore every row as it was: taking an import back (golden records rebuilt,
merges split, value counts forgotten) and a whole-workspace Find Duplicates.
Such a write runs with its connection journaled: temporary triggers copy each
row it inserts, updates or deletes in the workspace's tables into the
connection's temp schema, and the journal is read back before the transaction
commits.  :func:`revert` puts every row back in one transaction, and first
checks, row by row, that each is still as the write left it: a row changed
since (by a later write, by another window) refuses the revert with nothing
changed, so a journal is never replayed blind.  Nor is one put back beside a
later write's record of the same person: when rows it would put back carry an
email, phone or customer id that a record added since carries too (the same
people imported again from another file, or added by hand), the revert is
refused as well, rather than make each of them two customers.  And none is put back
that belongs to a person erased since (their hashes on the suppression list, matched
as an import matches each row it reads): an erased person never comes back, not by
an undo either.  Nor is a row it added taken away while a row made or changed since refers to it
(a campaign made from the command line to send a message whose creation is being undone): the
workspace's foreign keys would unlink or delete that row too, outside the journal, so the revert
is refused.

The customer search index (an FTS table) is outside the triggers' reach: a
revert rebuilds the entries of the customers it touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import SQLModel

from omnidesk.core import models  # noqa: F401  (the tables must be registered on the metadata)
from omnidesk.core.channels import HAND
from omnidesk.core.changes import Changes
from omnidesk.core.errors import UserError
from omnidesk.core.suppression import (
    identifier_hash,
    known_suppressions,
    row_suppression_keys,
    workspace_salt,
    written_forms,
)

_PREFIX = "omnidesk_journal"
_OPS = f"{_PREFIX}_op"


class JournalConflict(UserError):
    """A row a journaled write left has changed since: the revert would overwrite someone's work."""


@dataclass(frozen=True)
class Op:
    table: str
    kind: str  # "i" inserted, "u" updated, "d" deleted
    old_rowid: int | None
    new_rowid: int | None
    old: tuple | None
    new: tuple | None


@dataclass
class Journal:
    """What one write did, row by row, in the order it did it."""

    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Tables whose id column is the rowid itself (writing both would name one column twice).
    aliased: set[str] = field(default_factory=set)
    ops: list[Op] = field(default_factory=list)
    # (id, record) of every identifier row that, as the write left the workspace, shared an email,
    # phone or customer id with an identifier row a revert would put back.
    sharing: set[tuple[int, int]] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self.ops)

    def customers(self) -> set[int]:
        """Ids of the customers whose rows the write inserted, changed or deleted."""
        return {rid for op in self.ops if op.table == "customer"
                for rid in (op.old_rowid, op.new_rowid) if rid is not None}

    def changes(self) -> Changes:
        """What reverting (or the write itself) changes, for the screens."""
        tables = {op.table for op in self.ops}
        # Who is listed changes when customers come or go (a merge deletes one, a split adds one)
        # or a record moves to another customer; a row rewritten in place changes that customer only.
        owner = self.columns.get("source_record", ()).index("customer_id") \
            if "customer_id" in self.columns.get("source_record", ()) else None
        owners = {row[owner] for op in self.ops if op.table == "source_record" and owner is not None
                  for row in (op.old, op.new) if row is not None and row[owner] is not None}
        moved = any(op.table == "source_record" and op.kind == "u" and owner is not None
                    and op.old[owner] != op.new[owner] for op in self.ops)
        listed = moved or any(op.table == "customer" and op.kind != "u" for op in self.ops)
        return Changes(customers=frozenset(self.customers() | owners),
                       customer_list=listed,
                       reviews=bool(tables & {"match_review", "match_decision"}),
                       imports="import_batch" in tables,
                       settings="setting" in tables)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables() -> list[str]:
    # The Dashboard's summaries follow the rows they sum through triggers of their own: reverting
    # those rows brings them back, and putting their rows back as well would count twice.
    return [t.name for t in SQLModel.metadata.sorted_tables if t.name not in models.DASHBOARD_TABLES]


def _columns(conn: Connection, table: str) -> tuple[tuple[str, ...], bool]:
    """The table's columns in the order the file has them (a migration may have added some at the
    end), and whether its primary key is the rowid."""
    info = conn.exec_driver_sql(f"PRAGMA main.table_info({_q(table)})").all()
    keys = [r for r in info if r[5]]
    aliased = len(keys) == 1 and str(keys[0][2]).upper() == "INTEGER"
    return tuple(r[1] for r in info), aliased


@contextmanager
def recording(conn: Connection) -> Iterator[Journal]:
    """Journal every row the caller changes on ``conn`` inside its open transaction.

    The journal is filled when the block ends without an error; the temporary
    triggers and tables are gone then, whatever happened.
    """
    journal = Journal()
    made: list[str] = []
    recursive = conn.exec_driver_sql("PRAGMA recursive_triggers").scalar()
    # A REPLACE that deletes a row fires delete triggers only with recursive triggers on.
    conn.exec_driver_sql("PRAGMA recursive_triggers = ON")
    try:
        conn.exec_driver_sql(f"CREATE TEMP TABLE {_OPS} (seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL, "
                             "op TEXT NOT NULL, old_rowid INTEGER, new_rowid INTEGER)")
        made.append(f"TABLE temp.{_OPS}")
        for table in _tables():
            cols, aliased = _columns(conn, table)
            if not cols:
                continue
            journal.columns[table] = cols
            if aliased:
                journal.aliased.add(table)
            rows = f"{_PREFIX}_row_{table}"
            conn.exec_driver_sql(f"CREATE TEMP TABLE {_q(rows)} AS SELECT 0 AS seq, '' AS side, * "
                                 f"FROM main.{_q(table)} WHERE 0")
            made.append(f"TABLE temp.{_q(rows)}")
            seq = f"(SELECT max(seq) FROM {_OPS})"
            old = ", ".join(f"OLD.{_q(c)}" for c in cols)
            new = ", ".join(f"NEW.{_q(c)}" for c in cols)
            name = _q(table)
            for event, body in (
                ("INSERT", f"INSERT INTO {_OPS} (tbl, op, new_rowid) VALUES ('{table}', 'i', NEW.rowid); "
                           f"INSERT INTO {_q(rows)} VALUES ({seq}, 'new', {new});"),
                ("UPDATE", f"INSERT INTO {_OPS} (tbl, op, old_rowid, new_rowid) "
                           f"VALUES ('{table}', 'u', OLD.rowid, NEW.rowid); "
                           f"INSERT INTO {_q(rows)} VALUES ({seq}, 'old', {old}); "
                           f"INSERT INTO {_q(rows)} VALUES ({seq}, 'new', {new});"),
                ("DELETE", f"INSERT INTO {_OPS} (tbl, op, old_rowid) VALUES ('{table}', 'd', OLD.rowid); "
                           f"INSERT INTO {_q(rows)} VALUES ({seq}, 'old', {old});"),
            ):
                trigger = _q(f"{_PREFIX}_{table}_{event.lower()}")
                conn.exec_driver_sql(f"CREATE TEMP TRIGGER {trigger} AFTER {event} ON main.{name} "
                                     f"BEGIN {body} END")
                made.append(f"TRIGGER temp.{trigger}")
        yield journal
        _read(conn, journal)
        journal.sharing = _sharing(conn, _identifiers_back(journal))
    finally:
        for thing in reversed(made):
            conn.exec_driver_sql(f"DROP {thing.split(' ', 1)[0]} IF EXISTS {thing.split(' ', 1)[1]}")
        conn.exec_driver_sql(f"PRAGMA recursive_triggers = {int(bool(recursive))}")


def _read(conn: Connection, journal: Journal) -> None:
    images: dict[int, dict[str, tuple]] = {}
    for table, cols in journal.columns.items():
        rows = _q(f"{_PREFIX}_row_{table}")
        for row in conn.exec_driver_sql(f"SELECT * FROM temp.{rows}"):
            images.setdefault(row[0], {})[row[1]] = tuple(row[2:])
    for seq, table, kind, old_rowid, new_rowid in conn.exec_driver_sql(
            f"SELECT seq, tbl, op, old_rowid, new_rowid FROM temp.{_OPS} ORDER BY seq"):
        image = images.get(seq, {})
        journal.ops.append(Op(table, kind, old_rowid, new_rowid, image.get("old"), image.get("new")))


class JournaledWorkspace:
    """A workspace whose writes are journaled: pass it to a core write that takes a workspace.

    Everything else is the workspace's own; ``journals`` holds one journal per
    committed write transaction, in order.

    ``redo_of``: the journal of the same write made before and taken back since (a redo runs
    it again).  Then each transaction, before it commits, is checked to change no row but those
    that write changed, each found as that write found it (as its undo put it back), and the
    rows it adds itself; else :class:`JournalConflict` rolls it back.  A redo is never replayed
    blind over a row changed since elsewhere (a campaign the command line imported again), nor
    over one made since (a campaign made since that sends the message a redo would delete).
    """

    def __init__(self, workspace, redo_of: Journal | None = None) -> None:
        self._workspace = workspace
        self.journals: list[Journal] = []
        self._found = _found_by(redo_of) if redo_of is not None else None
        self._touched: set[tuple[str, int]] = set()  # rows this redo changed or added already

    def __getattr__(self, name: str):
        return getattr(self._workspace, name)

    @contextmanager
    def writing(self, wait: float | None = None) -> Iterator[Connection]:
        with self._workspace.writing(wait) as conn:
            with recording(conn) as journal:
                yield conn
            if self._found is not None:
                self._check_redo(conn, journal)
            self.journals.append(journal)

    def _check_redo(self, conn: Connection, journal: Journal) -> None:
        touched = set(self._touched)
        made: str | None = None  # a row the first run did not change: said unless one it did has changed
        for op in journal.ops:
            if op.kind != "i":
                key = (op.table, op.old_rowid)
                if key not in touched:
                    if key not in self._found:
                        made = made or op.table
                    elif not _same_but_when(journal.columns.get(op.table, ()), self._found[key], op.old):
                        raise JournalConflict(_redo_conflict(
                            op.table, what=_what(op.table, conn, journal, (self._found[key], op.old))))
                    touched.add(key)
            if op.new_rowid is not None:
                touched.add((op.table, op.new_rowid))
        if made is not None:
            raise JournalConflict(_redo_conflict(made, made=True, what=_what(
                made, conn, journal, [op.old for op in journal.ops if op.table == made and op.kind != "i"
                                      and (made, op.old_rowid) not in self._found])))
        self._touched = touched

    def journal(self) -> Journal:
        """Every write made through this object, as one journal."""
        out = Journal()
        for j in self.journals:
            out.columns.update(j.columns)
            out.aliased |= j.aliased
            out.ops.extend(j.ops)
            out.sharing |= j.sharing
        return out


def _same_but_when(columns: tuple[str, ...], found: tuple | None, now: tuple | None) -> bool:
    """Whether a row reads now as a redo's first run found it, but for when it was last saved
    (``*_at``): the redo of an earlier step of the same message saved it again a minute later, and
    that is no change from elsewhere (undo twice, redo twice must bring both steps back)."""
    if found == now:
        return True
    if found is None or now is None or len(found) != len(now) or len(columns) != len(now):
        return False
    return all(a == b for c, a, b in zip(columns, found, now) if not c.endswith("_at"))


def _found_by(journal: Journal) -> dict[tuple[str, int], tuple]:
    """Each row ``journal``'s write changed or deleted without having added it, as the write found it."""
    found: dict[tuple[str, int], tuple] = {}
    seen: set[tuple[str, int]] = set()
    for op in journal.ops:
        key = (op.table, op.old_rowid if op.kind != "i" else op.new_rowid)
        if key not in seen and op.kind != "i":
            found[key] = op.old
        seen.add(key)
        if op.new_rowid is not None:
            seen.add((op.table, op.new_rowid))
    return found


def _identifiers_back(journal: Journal) -> list[tuple[str, str, str | None]]:
    """(kind, value, mailbox) of every identifier row reverting ``journal`` puts back."""
    cols = journal.columns.get("identifier")
    if not cols:
        return []
    kind, value = cols.index("kind"), cols.index("value")
    mailbox = cols.index("mailbox") if "mailbox" in cols else None
    return [(op.old[kind], op.old[value], op.old[mailbox] if mailbox is not None else None)
            for op in journal.ops if op.table == "identifier" and op.old is not None]


def _sharing(conn: Connection, wanted: list[tuple[str, str, str | None]]) -> set[tuple[int, int]]:
    """(id, record) of every identifier row in the workspace now with an email, phone or customer id
    of ``wanted``, as matching finds them: by the value as written or by its mailbox."""
    by_kind: dict[str, set[str]] = {}
    for kind, value, mailbox in wanted:
        by_kind.setdefault(kind, set()).update(v for v in (value, mailbox) if v)
    found: set[tuple[int, int]] = set()
    for kind, values in by_kind.items():
        ordered = sorted(values)
        for start in range(0, len(ordered), 400):
            part = ordered[start:start + 400]
            marks = ", ".join("?" * len(part))
            for column in ("value", "mailbox"):
                found.update((int(i), int(r)) for i, r in conn.exec_driver_sql(
                    f"SELECT rowid, record_id FROM main.identifier WHERE kind = ? AND {column} IN ({marks})",
                    (kind, *part)))
    return found


def _same_people_since(conn: Connection, journal: Journal) -> bool:
    """Whether a record added since the journaled write carries an email, phone or customer id
    that a row the revert would put back carries too: putting it back would make one person
    two customers (the write's own rows are checked one by one, as every row is)."""
    back = _identifiers_back(journal)
    if not back:
        return False
    own = {op.new_rowid for op in journal.ops if op.table == "identifier" and op.new_rowid is not None}
    return any(row[0] not in own and row not in journal.sharing for row in _sharing(conn, back))


# The identifiers an import looks a row up by on the suppression list (importing.store._row_identifiers).
_SUPPRESSED_KINDS = ("email", "phone", "external")


def _erased_since(conn: Connection, journal: Journal) -> bool:
    """Whether a record the revert would put back (or an email, phone or customer id it would put
    back on a record) is an erased person's: found on the suppression list by the same keys an
    import looks each row up by, so that what an import would leave out no undo brings back."""
    if conn.exec_driver_sql("SELECT 1 FROM main.suppression LIMIT 1").first() is None:
        return False  # nobody was ever erased
    cols = journal.columns.get("source_record")
    records: dict[int, dict] = {}
    if cols:
        for op in journal.ops:
            if op.table == "source_record" and op.kind == "d" and op.old is not None:
                records[op.old_rowid] = dict(zip(cols, op.old))
    identifiers: dict[int, list[tuple[str, str]]] = {}
    icols = journal.columns.get("identifier")
    if icols:
        for op in journal.ops:
            if op.table == "identifier" and op.kind == "d" and op.old is not None:
                row = dict(zip(icols, op.old))
                if row["kind"] in _SUPPRESSED_KINDS:
                    identifiers.setdefault(row["record_id"], []).append((row["kind"], row["value"]))
    if not records and not identifiers:
        return False
    # An identifier put back on a record that is there now is looked up with that record's names.
    here = [rid for rid in identifiers if rid not in records]
    for start in range(0, len(here), 400):
        part = here[start:start + 400]
        result = conn.exec_driver_sql(
            "SELECT * FROM main.source_record WHERE id IN (" + ", ".join("?" * len(part)) + ")", tuple(part))
        names = tuple(result.keys())
        for row in result:
            records[row[names.index("id")]] = dict(zip(names, row))
    salt = workspace_salt(conn)
    keys: list[str] = []
    for rid, record in records.items():
        keys += row_suppression_keys(salt, identifiers.get(rid, []), record["first_name"], record["last_name"],
                                     record["row_hash"], street=record["address"], postcode=record["postcode"],
                                     birthday=record["birthday"])
    for rid in identifiers.keys() - records.keys():  # no record to read: the identifiers alone
        keys += [identifier_hash(salt, k, v) for k, v in written_forms(identifiers[rid])]
    return bool(known_suppressions(conn, keys))


def _taken_away(journal: Journal) -> dict[str, list[tuple]]:
    """The rows reverting ``journal`` deletes (the write inserted them and left them there), as the
    write left them, by table."""
    first: dict[tuple[str, int], str] = {}
    left: dict[tuple[str, int], tuple | None] = {}
    for op in journal.ops:
        key = (op.table, op.old_rowid if op.kind == "d" else op.new_rowid)
        first.setdefault(key, op.kind)
        left[key] = op.new if op.kind != "d" else None
    out: dict[str, list[tuple]] = {}
    for key, kind in first.items():
        if kind == "i" and left[key] is not None:
            out.setdefault(key[0], []).append(left[key])
    return out


def _check_not_used_since(conn: Connection, journal: Journal) -> None:
    """Raise :class:`JournalConflict` when a row the revert would delete is referenced by a row the
    journal does not name: one made or changed since (a campaign that sends a message made by the
    step being undone).  Deleting it would let the workspace's foreign keys unlink or delete that
    row too, with nobody told, and nothing would put it back."""
    gone = _taken_away(journal)
    if not gone:
        return
    named = {(op.table, rowid) for op in journal.ops for rowid in (op.old_rowid, op.new_rowid) if rowid is not None}
    for child in journal.columns:  # the tables a journal follows; the Dashboard's follow their rows themselves
        keys: dict[int, list[tuple]] = {}
        for row in conn.exec_driver_sql(f"PRAGMA main.foreign_key_list({_q(child)})"):
            keys.setdefault(row[0], []).append(row)
        for parts in keys.values():
            parent, column, referenced = parts[0][2], parts[0][3], parts[0][4]
            if len(parts) != 1 or parent not in gone or parent not in journal.columns:
                continue  # (no key in the workspace spans two columns)
            cols = journal.columns[parent]
            if referenced is None:  # the parent's primary key
                pk = [r for r in conn.exec_driver_sql(f"PRAGMA main.table_info({_q(parent)})") if r[5]]
                referenced = pk[0][1] if len(pk) == 1 else None
            if referenced not in cols:
                continue
            at = cols.index(referenced)
            values = sorted({row[at] for row in gone[parent] if row[at] is not None}, key=repr)
            for start in range(0, len(values), 400):
                part = values[start:start + 400]
                for (rowid,) in conn.exec_driver_sql(
                        f"SELECT rowid FROM main.{_q(child)} WHERE {_q(column)} IN ({', '.join('?' * len(part))})",
                        tuple(part)):
                    if (child, rowid) not in named:
                        used = _current(conn, child, journal.columns[child], rowid)
                        value = used[journal.columns[child].index(column)] \
                            if used is not None and column in journal.columns[child] else None
                        raise JournalConflict(_used_since(
                            _what(child, conn, journal, (used,)),
                            _what(parent, conn, journal, [row for row in gone[parent] if row[at] == value])))


def _current(conn: Connection, table: str, cols: tuple[str, ...], rowid: int) -> tuple | None:
    row = conn.exec_driver_sql(
        f"SELECT {', '.join(_q(c) for c in cols)} FROM main.{_q(table)} WHERE rowid = ?", (rowid,)).first()
    return tuple(row) if row is not None else None


def _each_row_once(journal: Journal) -> bool:
    """Whether every row the journal names was changed by one op only (a bulk edit's journal):
    then each row's state now can be checked against the journal before anything is put back."""
    seen: set[tuple[str, int]] = set()
    for op in journal.ops:
        keys = {op.old_rowid, op.new_rowid} - {None}
        for key in keys:
            if (op.table, key) in seen:
                return False
            seen.add((op.table, key))
    return True


def _check_all(conn: Connection, journal: Journal) -> None:
    """Every row as the journaled write left it, read a few hundred at a time, or raise
    :class:`JournalConflict` (for a journal whose rows were each changed once)."""
    wanted: dict[str, dict[int, tuple | None]] = {}
    for op in journal.ops:
        if op.kind in ("i", "u"):
            wanted.setdefault(op.table, {})[op.new_rowid] = op.new
        else:
            wanted.setdefault(op.table, {})[op.old_rowid] = None
    _check_rows(conn, journal, wanted)


def revert_in(conn: Connection, journal: Journal) -> Changes:
    """Put back every row ``journal`` recorded, newest change first, inside the caller's transaction.

    Raises :class:`JournalConflict` (the caller's transaction then rolls back)
    when a row is no longer as the journaled write left it, or when a record added since
    carries an email, phone or customer id of a record it would put back, or when a record it would
    put back is a person's erased since, or when a row it would delete is referred to by a row the
    journal does not name (made or changed since).  A journal whose rows were each changed once (a tag added
    to 60,000 customers) is checked whole first and put back in runs of like statements, one
    statement for each run; one that changed a row twice is checked and put back op by op.
    """
    if _same_people_since(conn, journal):
        raise JournalConflict(SAME_PEOPLE)
    if _erased_since(conn, journal):
        raise JournalConflict(ERASED)
    _check_not_used_since(conn, journal)
    if _each_row_once(journal):
        _check_all(conn, journal)
        for (table, kind), run in groupby(reversed(journal.ops), key=lambda op: (op.table, op.kind)):
            ops = list(run)
            try:
                _put_back(conn, journal, table, kind, ops)
            except IntegrityError as exc:
                what = _what(table, conn, journal, [op.old if op.old is not None else op.new for op in ops])
                raise JournalConflict(_conflict(table, again=True, what=what)) from exc
    elif not _net_put_back(conn, journal):
        for op in reversed(journal.ops):
            try:
                _revert_op(conn, journal, op)
            except IntegrityError as exc:
                # A row it would put back is there again under another id (a count of a name that a
                # later import made anew): the workspace refuses it, so the revert is refused.
                what = _what(op.table, conn, journal, (op.old, op.new))
                raise JournalConflict(_conflict(op.table, again=True, what=what)) from exc
    from omnidesk.core.identity.golden import reindex_customers

    reindex_customers(conn, sorted(journal.customers()))
    return journal.changes()


@dataclass
class _Net:
    """One row's changes in a journal, taken together: as it was before the first and after the last."""

    before: tuple | None  # None: the write inserted it
    after: tuple | None  # None: the write deleted it
    first: int  # the positions of its first and last op in the journal
    last: int


def _net(journal: Journal) -> dict[tuple[str, int], _Net] | None:
    """Each row the journal names, with its state before the write and after it; None when an op
    gave a row another rowid (then the ops are put back one by one)."""
    rows: dict[tuple[str, int], _Net] = {}
    for n, op in enumerate(journal.ops):
        if op.kind == "u" and op.old_rowid != op.new_rowid:
            return None
        key = (op.table, op.new_rowid if op.kind != "d" else op.old_rowid)
        after = op.new if op.kind != "d" else None
        row = rows.get(key)
        if row is None:
            rows[key] = _Net(op.old if op.kind != "i" else None, after, n, n)
        else:
            row.after, row.last = after, n
    return rows


def _net_put_back(conn: Connection, journal: Journal) -> bool:
    """Put back a journal whose rows were changed several times each (an import's undo: a count of a
    name raised by every row) row by row, each once, to how it was before the write: checked whole
    first, then in runs of like statements.  An import of 50,000 rows taken back op by op took 45 s.

    The rows deleted by the write come back first (parents before children: in the reverse of the
    order they were deleted), then changed rows get their values back (what they pointed to is
    there again), then the rows the write inserted go (children first).  True when done; False,
    with nothing changed, when it cannot be done so (a row given another rowid, a unique value
    or a reference met on the way): the caller then puts the ops back one by one, which says
    exactly which change stands in the way.  Raises :class:`JournalConflict` when a row is not
    as the write left it."""
    rows = _net(journal)
    if rows is None:
        return False
    wanted: dict[str, dict[int, tuple | None]] = {}
    for (table, rowid), row in rows.items():
        wanted.setdefault(table, {})[rowid] = row.after
    _check_rows(conn, journal, wanted)
    back = sorted(((k, r) for k, r in rows.items() if r.before is not None and r.after is None),
                  key=lambda kr: -kr[1].last)
    changed = [(k, r) for k, r in rows.items() if r.before is not None and r.after is not None
               and r.before != r.after]
    gone = sorted(((k, r) for k, r in rows.items() if r.before is None and r.after is not None),
                  key=lambda kr: -kr[1].first)
    savepoint = conn.begin_nested()
    try:
        for table, run in groupby(back, key=lambda kr: kr[0][0]):
            own_rowid = table not in journal.aliased
            names = (["rowid"] if own_rowid else []) + [_q(c) for c in journal.columns[table]]
            conn.exec_driver_sql(
                f"INSERT INTO main.{_q(table)} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                [((rowid,) if own_rowid else ()) + row.before for (_t, rowid), row in run])
        runs: dict[tuple[str, tuple[int, ...]], list[tuple]] = {}
        for (table, rowid), row in changed:
            cols = tuple(i for i, (a, b) in enumerate(zip(row.before, row.after)) if a != b)
            runs.setdefault((table, cols), []).append((*(row.before[i] for i in cols), rowid))
        for (table, cols), params in runs.items():
            names = journal.columns[table]
            conn.exec_driver_sql(f"UPDATE main.{_q(table)} SET {', '.join(f'{_q(names[i])} = ?' for i in cols)} "
                                 "WHERE rowid = ?", params)
        for table, run in groupby(gone, key=lambda kr: kr[0][0]):
            conn.exec_driver_sql(f"DELETE FROM main.{_q(table)} WHERE rowid = ?", [(rowid,) for (_t, rowid), _r in run])
    except IntegrityError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def _check_rows(conn: Connection, journal: Journal, wanted: dict[str, dict[int, tuple | None]]) -> None:
    """Every row in ``wanted`` (table -> rowid -> the row as the write left it, None: gone) as it
    is now, read a few hundred at a time, or raise :class:`JournalConflict`."""
    cursor = conn.connection.cursor()
    try:
        for table, rows in wanted.items():
            cols = journal.columns[table]
            select = f"SELECT rowid, {', '.join(_q(c) for c in cols)} FROM main.{_q(table)} WHERE rowid IN "
            ids = sorted(rows)
            for start in range(0, len(ids), 500):
                part = ids[start:start + 500]
                now = {r[0]: tuple(r[1:]) for r in cursor.execute(select + f"({', '.join('?' * len(part))})", part)}
                for rowid in part:
                    if now.get(rowid) != rows[rowid]:
                        what = _what(table, conn, journal, (rows[rowid], now.get(rowid)))
                        raise JournalConflict(_conflict(table, what=what))
    finally:
        cursor.close()


def _put_back(conn: Connection, journal: Journal, table: str, kind: str, ops: list[Op]) -> None:
    """Put back a run of ops of one kind on one table, already checked (:func:`_check_all`)."""
    cols = journal.columns[table]
    name = _q(table)
    own_rowid = table not in journal.aliased
    if kind == "i":
        conn.exec_driver_sql(f"DELETE FROM main.{name} WHERE rowid = ?", [(op.new_rowid,) for op in ops])
    elif kind == "u":
        moved = [op for op in ops if own_rowid and op.old_rowid != op.new_rowid]
        for op in moved:  # (a REPLACE that gave the row a new rowid: rare, one at a time)
            conn.exec_driver_sql(f"UPDATE main.{name} SET rowid = ?, {', '.join(f'{_q(c)} = ?' for c in cols)} "
                                 "WHERE rowid = ?", (op.old_rowid, *op.old, op.new_rowid))
        # Only the columns the write changed are set back (the rest are as it left them, checked):
        # an index or trigger on a column not set is left alone.  Ops changing the same columns
        # (a tag's: tags alone) go in one statement.
        runs: dict[tuple[int, ...], list[tuple]] = {}
        for op in ops:
            if not (own_rowid and op.old_rowid != op.new_rowid):
                changed = tuple(i for i, (a, b) in enumerate(zip(op.old, op.new)) if a != b)
                if changed:
                    runs.setdefault(changed, []).append((*(op.old[i] for i in changed), op.new_rowid))
        for changed, params in runs.items():
            conn.exec_driver_sql(f"UPDATE main.{name} SET {', '.join(f'{_q(cols[i])} = ?' for i in changed)} "
                                 "WHERE rowid = ?", params)
    else:
        names = (["rowid"] if own_rowid else []) + [_q(c) for c in cols]
        conn.exec_driver_sql(f"INSERT INTO main.{name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                             [((op.old_rowid,) if own_rowid else ()) + op.old for op in ops])


def _revert_op(conn: Connection, journal: Journal, op: Op) -> None:
    """Put back the one row ``op`` changed, or raise :class:`JournalConflict`."""
    cols = journal.columns[op.table]
    name = _q(op.table)
    own_rowid = op.table not in journal.aliased
    if op.kind in ("i", "u"):
        now = _current(conn, op.table, cols, op.new_rowid)
        if now != op.new:
            raise JournalConflict(_conflict(op.table, what=_what(op.table, conn, journal, (op.new, now))))
        if op.kind == "i":
            conn.exec_driver_sql(f"DELETE FROM main.{name} WHERE rowid = ?", (op.new_rowid,))
            return
        moved = own_rowid and op.old_rowid != op.new_rowid
        assignments = ", ".join((["rowid = ?"] if moved else []) + [f"{_q(c)} = ?" for c in cols])
        conn.exec_driver_sql(f"UPDATE main.{name} SET {assignments} WHERE rowid = ?",
                             ((op.old_rowid,) if moved else ()) + (*op.old, op.new_rowid))
    else:
        now = _current(conn, op.table, cols, op.old_rowid)
        if now is not None:
            raise JournalConflict(_conflict(op.table, what=_what(op.table, conn, journal, (op.old, now))))
        names = (["rowid"] if own_rowid else []) + [_q(c) for c in cols]
        conn.exec_driver_sql(f"INSERT INTO main.{name} ({', '.join(names)}) "
                             f"VALUES ({', '.join('?' * len(names))})",
                             ((op.old_rowid,) if own_rowid else ()) + op.old)


def revert(ws, journal: Journal) -> Changes:
    """:func:`revert_in` in a transaction of its own: all of it, or nothing."""
    with ws.writing() as conn:
        return revert_in(conn, journal)


_WHAT = {"customer": "a customer", "source_record": "a customer's record", "import_batch": "an import",
         "match_review": "the review queue", "match_decision": "a match decision", "merge_log": "a merge",
         "setting": "a setting", "value_count": "a count of a name or place",
         "identifier": "an email, phone or customer id", "message": "a message",
         "message_variant": "a message's channel version", "message_version": "a message's earlier version",
         "campaign": "a campaign", "campaign_step": "a campaign's step",
         "send_record": "a campaign's record of whom it sent to", "consent": "a consent",
         "event": "an order or event", "custom_field": "a custom field's value", "product": "a product",
         "event_product": "a product of an order"}


SAME_PEOPLE = ("Changed since: records with the same email addresses, phone numbers or customer ids have come in "
               "(a later import, or a customer added by hand), so putting these back would make the same people "
               "two customers each. To have them back, import the file again: it joins them to the customers there "
               "are now.")


ERASED = ("Changed since: a person among these was erased at their request, and an erased person is never "
          "brought back, so this cannot be taken back.")


# A customer's records are the rows of the files imported and the one "Entered by you" that holds
# what was typed in: which of them changed is said, so that a tag taken off at the command line
# is not read as an import nobody made.
_RECORD_WORDS = {True: "a record entered by hand", False: "an imported record"}


def _conflict(table: str, *, again: bool = False, what: str | None = None) -> str:
    what = what or _what(table)
    if again:
        return (f"Changed since: {what} that step would put back has been added again since, "
                "so it cannot be taken back.")
    return f"Changed since: {what} is no longer as that step left it, so it cannot be taken back."


def _used_since(child: str, parent: str) -> str:
    """``child`` and ``parent`` as :func:`_what` words them."""
    return (f"Changed since: {child} made or changed since uses {parent} that step would take "
            "away, so it cannot be taken back.")


def _what(table: str, conn: Connection | None = None, journal: Journal | None = None, rows=()) -> str:
    """What a row of ``table`` is, in the user's words.  For a customer's record, with ``rows`` (the
    row as the step left or found it, and as it is now; None where there is none): "a record entered
    by hand" or "an imported record", as the rows' file says, when they all say the same."""
    if table == "source_record" and conn is not None and journal is not None:
        hand = _entered_by_hand(conn, journal.columns.get(table, ()), [row for row in rows if row is not None])
        if len(hand) == 1:
            return _RECORD_WORDS[hand.pop()]
    return _WHAT.get(table, f"the {table.replace('_', ' ')} table")


def _entered_by_hand(conn: Connection, columns: tuple[str, ...], rows: list[tuple]) -> set[bool]:
    """Of ``source_record`` rows: True for one that holds what was typed in (its batch is the hand
    one; its channel says so where the batch is gone), False for an imported one."""
    if "batch_id" not in columns or "channel" not in columns:
        return set()
    batch_at, channel_at = columns.index("batch_id"), columns.index("channel")
    out: set[bool] = set()
    for batch_id, channel in {(row[batch_at], row[channel_at]) for row in rows}:
        try:
            kind = conn.exec_driver_sql("SELECT kind FROM main.import_batch WHERE id = ?", (batch_id,)).scalar()
        except SQLAlchemyError:  # saying what changed never hides why the step was refused
            kind = None
        out.add(kind == models.HAND_KIND if kind is not None else channel == HAND)
    return out


def _redo_conflict(table: str, *, made: bool = False, what: str | None = None) -> str:
    what = what or _what(table)
    if made:
        return (f"Changed since: {what} made or changed since would be changed by that step too, "
                "so it cannot be done again.")
    return f"Changed since: {what} is no longer as that step found it, so it cannot be done again."
