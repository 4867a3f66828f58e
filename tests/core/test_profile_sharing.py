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
