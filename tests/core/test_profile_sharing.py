"""Profiles of one person's records share what they repeat; a full resolve forgets what it folded and compared."""

from __future__ import annotations

from omnidesk.core.identity.keys import first_name_level, fold, given_names, last_name_level
from omnidesk.core.identity.profiles import make_profiles
from omnidesk.core.identity.resolve import resolve_all
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from tests.helpers import write_csv


def row(rid, first="Ann", last="Lee"):
    # The columns of profiles.profile_query, in its order.
    return (rid, f"h{rid}", None, "contacts", "shop", first, last, "04101", "Portland", "", None, "", "", "", "")


def test_records_repeating_an_email_or_phone_share_one_tuple_of_it():
    rows = [row(1), row(2), row(3), row(4)]
    ids = {1: [("email", "ann@example.org"), ("phone", "+12075550100")],
           2: [("email", "ann@example.org"), ("phone", "+12075550100"), ("external", "shop:7")],
           3: [("email", "other@example.org"), ("phone", "+12075550100")]}
    a, b, c, d = make_profiles(rows, ids)
    assert a.emails == b.emails == ("ann@example.org",) and a.emails is b.emails
    assert a.phones is b.phones is c.phones
    assert c.emails == ("other@example.org",)
    assert b.externals == ("shop:7",) and a.externals == ()
    assert d.emails == d.phones == d.externals == ()
    # Values are shared, kinds are not confused: an email never turns up among the phones.
    assert all(p.phones in ((), ("+12075550100",)) for p in (a, b, c, d))


def test_a_full_resolve_leaves_the_folding_and_comparison_caches_empty(ws, tmp_path):
    csv_path = write_csv(tmp_path / "people.csv", ["First Name", "Last Name", "Email"],
                         [["Zebediah", "Quartermaine", "zq@example.org"],
                          ["Zeb", "Quartermaine", "zq@example.org"]])
    import_file(ws, csv_path, ImportOptions(channel="shop", kind="contacts"))
    fold("Quartermaine")
    given_names("Zebediah")
    first_name_level("zebediah", "zeb")
    last_name_level("quartermaine", "quatermaine")
    caches = (fold, given_names, first_name_level, last_name_level)
    assert all(cached.cache_info().currsize for cached in caches)
    with ws.engine.begin() as conn:
        stats = resolve_all(conn, from_scratch=True)
    assert stats.records == 2
    assert [cached.cache_info().currsize for cached in caches] == [0, 0, 0, 0]


def test_streamed_profiles_are_the_profiles_made_record_by_record(tmp_path):
    """The whole-workspace read (records and identifiers side by side, kinds split as they come)
    gives each record the profile a look-up of that record gives: the demo shop's channels,
    companies, work and family emails, several phones, names in other scripts with readings."""
    import time_machine

    from omnidesk.core.demo import build_demo
    from omnidesk.core.identity.employer import employers
    from omnidesk.core.identity.profiles import profile_query, record_identifiers, stream_profiles
    from omnidesk.core.models import SourceRecord
    from omnidesk.core.workspace import Workspace

    path = tmp_path / "demo.omnidesk"
    with time_machine.travel("2025-06-01 09:00:00Z", tick=False):
        build_demo(path, customers=120)
    rec = SourceRecord.__table__
    with Workspace.open(path) as ws, ws.engine.connect() as conn:
        streamed = list(stream_profiles(conn))
        rows = conn.execute(profile_query(with_hash=False).order_by(rec.c.id)).all()
        one_by_one = [make_profiles([r], record_identifiers(conn, [r[0]]))[0] for r in rows]
    assert len(streamed) == len(rows) > 500
    assert streamed == one_by_one
    # Employers as the module says them, from the company column and the emails (read once per
    # domain for most records).
    assert [p.employers for p in streamed] == [employers(r[11], p.emails) for r, p in zip(rows, streamed)]
    # What the demo holds covers each way a record is read: a work email or company, several
    # emails or phones, an external id, no email at all.
    assert all(any(has(p) for p in streamed) for has in (
        lambda p: p.employers, lambda p: len(p.emails) > 1 or len(p.phones) > 1, lambda p: p.externals,
        lambda p: not p.emails))
