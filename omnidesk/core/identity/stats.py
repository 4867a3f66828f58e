"""Value counts behind the match weights, kept in the ``value_count`` table.

The scoring weighs agreement on a first name, last name, postcode, city or
employer by how common the value is in the whole workspace (``scoring.Frequencies``).
Counting that over every record after each import would make a 1,000-row
import into a million-record workspace cost a scan of the million; instead
the counts live in a small table that each import adds to, undo and erase
subtract from, and a full resolve rebuilds.  Lookups touch only the values
the records at hand carry.

Counts are of non-follower records as the resolver sees them (folded names,
postcodes without spaces, folded cities, the stem of the first employer a
record names); the empty value holds the total of
records that have the field.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from operator import attrgetter

from sqlalchemy import delete, select, text
from sqlalchemy.engine import Connection

from omnidesk.core.dialect import insert_tuples_in_bulk
from omnidesk.core.identity.employer import stem
from omnidesk.core.identity.keys import first_key, fold
from omnidesk.core.identity.scoring import Frequencies, Profile
from omnidesk.core.models import SourceRecord, ValueCount

FIELDS = ("first", "last", "postcode", "city", "work")
_IN = 900
_UPSERT = text(
    "INSERT INTO value_count (field, value, n) VALUES (:field, :value, :n) "
    "ON CONFLICT (field, value) DO UPDATE SET n = value_count.n + excluded.n"
)


def postcode_key(postcode: str | None) -> str:
    return (postcode or "").replace(" ", "").upper()


def count_values(freq: Frequencies, profiles: Sequence[Profile]) -> None:
    """``freq.add`` for every profile, a field at a time (counted in C, not record by record)."""
    for name in ("first", "last", "postcode", "city"):
        counts = Counter(map(attrgetter(name), profiles))
        absent = counts.pop("", 0) + counts.pop(None, 0)
        getattr(freq, name).update(counts)
        setattr(freq, f"n_{name}", getattr(freq, f"n_{name}") + len(profiles) - absent)
    work = Counter(stem(found[0]) for found in map(attrgetter("employers"), profiles) if found)
    freq.work.update(work)
    freq.n_work += work.total()


def _profile_values(p: Profile) -> tuple[str, str, str, str, str]:
    return p.first, p.last, p.postcode, p.city, stem(p.employers[0]) if p.employers else ""


def _raw_values(first: str, last: str, postcode: str, city: str, work_key: str) -> tuple[str, str, str, str, str]:
    return first_key(first), fold(last), postcode_key(postcode), fold(city), work_key


def _tally(values: Iterable[tuple[str, ...]]) -> Counter:
    counts: Counter = Counter()
    for row in values:
        for name, value in zip(FIELDS, row):
            if value:
                # The column holds 200 characters; a longer value is only ever looked up in vain.
                counts[(name, value[:200])] += 1
                counts[(name, "")] += 1
    return counts


def _add(conn: Connection, counts: Counter, sign: int) -> None:
    if not counts:
        return
    conn.execute(_UPSERT, [{"field": f, "value": v, "n": sign * n} for (f, v), n in counts.items()])
    if sign < 0:
        table = ValueCount.__table__
        conn.execute(delete(table).where(table.c.n <= 0))


def add_profiles(conn: Connection, profiles: Sequence[Profile]) -> None:
    """Count the values of records that have just joined the workspace."""
    _add(conn, _tally(_profile_values(p) for p in profiles), +1)


def forget_records(conn: Connection, record_ids: Sequence[int]) -> None:
    """Stop counting records that are about to be deleted (undo, erase)."""
    _add(conn, _record_counts(conn, record_ids), -1)


def count_records(conn: Connection, record_ids: Sequence[int]) -> None:
    """Count records again after their names or places changed (forgotten before the change)."""
    _add(conn, _record_counts(conn, record_ids), +1)


def _record_counts(conn: Connection, record_ids: Sequence[int]) -> Counter:
    rec = SourceRecord.__table__
    rows = []
    ids = list(record_ids)
    for i in range(0, len(ids), _IN):
        rows.extend(conn.execute(
            select(rec.c.first_name, rec.c.last_name, rec.c.postcode, rec.c.city, rec.c.work_key)
            .where(rec.c.id.in_(ids[i:i + _IN]))
        ).all())
    return _tally(_raw_values(*r) for r in rows)


def write_frequencies(conn: Connection, freq: Frequencies) -> None:
    """Replace every count with those of ``freq`` (a full resolve counted them all)."""
    table = ValueCount.__table__
    conn.execute(delete(table))
    rows = []
    for name in FIELDS:
        counter: Counter = getattr(freq, name)
        rows.extend((name, v, n) for v, n in counter.items() if v and len(v) <= 200)
        total = getattr(freq, f"n_{name}")
        if total:
            rows.append((name, "", total))
    # A million records count some 110,000 values: as tuples, a few hundred a statement, they
    # go in in a third of the time Core's executemany of a dict per row took (0.6 s of CPU).
    insert_tuples_in_bulk(conn, table, ("field", "value", "n"), rows)


def rebuild_counts(conn: Connection) -> None:
    """Count every record's values afresh (a workspace from before the table existed)."""
    rec = SourceRecord.__table__
    counts = _tally(_raw_values(*r) for r in conn.execute(
        select(rec.c.first_name, rec.c.last_name, rec.c.postcode, rec.c.city, rec.c.work_key)))
    table = ValueCount.__table__
    conn.execute(delete(table))
    if counts:
        conn.execute(table.insert(), [{"field": f, "value": v, "n": n} for (f, v), n in counts.items()])


def load_frequencies(conn: Connection, profiles: Sequence[Profile]) -> Frequencies:
    """The workspace's counts for the values these profiles carry, and the totals."""
    table = ValueCount.__table__
    freq = Frequencies()
    for name, values in zip(FIELDS, zip(*(_profile_values(p) for p in profiles)) if profiles else ()):
        found = set(values)
        if name in ("first", "last"):
            # A name compared by its reading is weighed by how common the reading is as a name.
            found.update(getattr(p, f"{name}_read") for p in profiles)
        wanted = sorted({v for v in found if v} | {""})
        counter: Counter = getattr(freq, name)
        for i in range(0, len(wanted), _IN):
            for value, n in conn.execute(
                select(table.c.value, table.c.n).where(table.c.field == name,
                                                       table.c.value.in_(wanted[i:i + _IN]))
            ):
                if value:
                    counter[value] = n
                else:
                    setattr(freq, f"n_{name}", n)
    return freq
