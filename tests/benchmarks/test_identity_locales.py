"""Identity resolution on five locales' people: data the resolver was not tuned on.

Run with ``python -m pytest tests/benchmarks/test_identity_locales.py -m benchmark -s``
after ``pip install -e ".[bench]"`` (Faker).

``tests/benchmarks/identity_data_locales.py`` writes, for each of fr_FR,
de_DE, hi_IN, es_MX and ja_JP, one shop's four channel files (Shopify
customers, a Mailchimp audience, the till's loyalty members, Google
Contacts) with its own noise model: other scripts and name orders,
transliterations, dropped accents, households on one email and colleagues
on one shop landline who must stay apart.  Each locale is its own workspace,
built by importing the files one by one through ``import_file`` (the path
``omnidesk import`` takes, which resolves as it stores) with the country as
the import region.

Pairwise precision, recall and F1 over the records, from automatic
decisions alone (a pair waiting in Review counts as not merged), per locale
and pooled, printed beside the goals and beside the same figures on the demo
shop's generator (the data the resolver was tuned on).  A sample of missed
pairs and of false merges is listed with why: never compared (no shared
blocking key), a guard's conflict, or too little evidence.

* ``OMNIDESK_BENCH_LOCALE_PEOPLE``: people per locale (default 400);
* ``OMNIDESK_BENCH_LOCALE_SEEDS``: seeds, comma-separated (default "1");
* ``OMNIDESK_BENCH_LOCALES``: which locales, comma-separated (default all five);
* ``OMNIDESK_BENCH_OWN_PEOPLE``: the demo shop's size for the reference line
  (default 300; 0 leaves it out).

Only precision is asserted (>= 0.995, per locale); F1 is printed.
"""

from __future__ import annotations

import os
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from omnidesk.core.identity.blocking import share_a_block
from omnidesk.core.identity.profiles import make_profiles, profile_query, record_identifiers
from omnidesk.core.identity.scoring import Frequencies, Model, Profile, score_pair
from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.core.models import ImportBatch, SourceRecord
from omnidesk.core.workspace import Workspace
from tests.benchmarks.identity_data import Pairwise, pairwise

pytestmark = pytest.mark.benchmark

PEOPLE = int(os.environ.get("OMNIDESK_BENCH_LOCALE_PEOPLE", "400").replace("_", ""))
SEEDS = [int(x) for x in os.environ.get("OMNIDESK_BENCH_LOCALE_SEEDS", "1").split(",") if x]
ONLY = [x for x in os.environ.get("OMNIDESK_BENCH_LOCALES", "").split(",") if x]
OWN_PEOPLE = int(os.environ.get("OMNIDESK_BENCH_OWN_PEOPLE", "300"))
GOAL_PRECISION = 0.995
GOAL_F1 = 0.99
EXAMPLES = 6


@dataclass
class Stored:
    rid: int
    file: str
    record_no: int
    customer_id: int | None
    person: str
    noise: list[str]
    prof: Profile
    shown: str  # the record as written, for the listing

    def label(self) -> str:
        p = self.prof
        noise = f"  [{', '.join(self.noise)}]" if self.noise else ""
        return (f"{self.file}#{self.record_no:<4} {self.shown!r:<30} {','.join(p.emails) or '-':<36} "
                f"{','.join(p.phones) or '-':<14} {p.postcode or '-':<9} {p.address[:24] or '-':<24} "
                f"{p.birthday or ''}{noise}")


def import_locale(tmp, locale: str, people: int, seed: int) -> tuple[list[Stored], float, int]:
    """One shop's files imported in channel order; its labelled records as the resolver sees them."""
    from tests.benchmarks.identity_data_locales import write_locale_files

    files, truth, _people = write_locale_files(tmp / f"{locale}-{seed}", locale, people, seed)
    ws = Workspace.create(tmp / f"{locale}-{seed}.omnidesk")
    started = time.perf_counter()
    for f in files:
        import_file(ws, f.path, ImportOptions(channel=f.channel, kind="contacts", preset=f.preset,
                                              mapping=f.mapping, region=f.region))
    seconds = time.perf_counter() - started
    rec, batch = SourceRecord.__table__, ImportBatch.__table__
    out: list[Stored] = []
    with ws.engine.connect() as conn:
        rows = conn.execute(select(rec.c.id, batch.c.file_name, rec.c.record_no, rec.c.customer_id,
                                   rec.c.first_name, rec.c.last_name)
                            .join(batch, batch.c.id == rec.c.batch_id)).all()
        found = conn.execute(profile_query().order_by(rec.c.id)).all()
        profiles = {p.rid: p for p in make_profiles(found, record_identifiers(conn, [r[0] for r in found]))}
    ws.close()
    for r in rows:
        t = truth.get((r.file_name, r.record_no))
        if t is not None:
            out.append(Stored(r.id, r.file_name, r.record_no, r.customer_id, t.person, t.noise, profiles[r.id],
                              " ".join(x for x in (r.first_name, r.last_name) if x)))
    return out, seconds, len(truth) - len(out)


def score(recs: list[Stored]) -> Pairwise:
    return pairwise(((r.customer_id if r.customer_id is not None else ("r", r.rid)), r.person) for r in recs)


def _cluster(r: Stored):
    return r.customer_id if r.customer_id is not None else ("r", r.rid)


def _why(a: Stored, b: Stored, freq: Frequencies, model: Model) -> tuple[str, str]:
    """The cause of a pair's outcome, and the score's reasons."""
    if not share_a_block(a.prof, b.prof):
        s = score_pair(a.prof, b.prof, freq, model)
        return "never compared (no shared blocking key)", f"would score {s.weight:+.1f} bits: {'; '.join(s.reasons)}"
    s = score_pair(a.prof, b.prof, freq, model)
    cause = s.conflict or ("kept apart by a guard in its cluster" if s.decision == "auto"
                           else f"too little evidence ({s.decision})")
    return cause, f"{s.weight:+.1f} bits -> {s.decision}: {'; '.join(s.reasons) or 'nothing agrees'}"


def failures(recs: list[Stored]) -> tuple[list[str], list[str], Counter, Counter]:
    """A sample of false merges and missed pairs, each with why; and the causes tallied in record pairs."""
    freq, model = Frequencies.from_profiles(r.prof for r in recs), Model()
    by_person: dict[str, dict[object, list[Stored]]] = defaultdict(lambda: defaultdict(list))
    by_cluster: dict[object, dict[str, list[Stored]]] = defaultdict(lambda: defaultdict(list))
    for r in recs:
        by_person[r.person][_cluster(r)].append(r)
        by_cluster[_cluster(r)][r.person].append(r)
    fp_causes: Counter = Counter()
    fn_causes: Counter = Counter()
    fps: list[tuple[int, str, Stored, Stored, str]] = []
    fns: list[tuple[int, str, Stored, Stored, str]] = []
    for people in by_cluster.values():
        names = sorted(people)
        for i, p in enumerate(names):
            for q in names[i + 1:]:
                a, b = people[p][0], people[q][0]
                cause, detail = _why(a, b, freq, model)
                cause = f"merged although {cause}" if "apart" in detail or "review" in detail else "scored as a match"
                n = len(people[p]) * len(people[q])
                fp_causes[cause] += n
                fps.append((n, cause, a, b, detail))
    for parts in by_person.values():
        groups = sorted(parts.values(), key=len, reverse=True)
        for i, xs in enumerate(groups):
            for ys in groups[i + 1:]:
                a, b = xs[0], ys[0]
                cause, detail = _why(a, b, freq, model)
                n = len(xs) * len(ys)
                fn_causes[cause] += n
                fns.append((n, cause, a, b, detail))
    return _sample(fps), _sample(fns), fp_causes, fn_causes


def _sample(items: list[tuple[int, str, Stored, Stored, str]]) -> list[str]:
    """Up to EXAMPLES pairs, round-robin over causes so every cause gets one."""
    by_cause: dict[str, list] = defaultdict(list)
    for item in sorted(items, key=lambda x: -x[0]):
        by_cause[item[1]].append(item)
    queues = sorted(by_cause.values(), key=lambda q: -sum(x[0] for x in q))
    out: list[str] = []
    while len(out) < EXAMPLES * 3 and any(queues):
        for q in queues:
            if q and len(out) < EXAMPLES * 3:
                n, cause, a, b, detail = q.pop(0)
                who = f"{a.person} split" if a.person == b.person else f"{a.person} + {b.person}"
                out += [f"    [{cause}] {who} ({n} record pairs); {detail}",
                        f"        a {a.label()}", f"        b {b.label()}"]
    return out


def _line(label: str, m: Pairwise, extra: str = "") -> str:
    verdict = "met" if m.precision >= GOAL_PRECISION and m.f1 >= GOAL_F1 else "MISSED"
    return (f"  {label:<34}{m.precision:>9.4f}{m.recall:>9.4f}{m.f1:>9.4f}{m.predicted:>10,}{m.true:>10,}"
            f"{m.records:>9,}   {verdict}{extra}")


HEADER = (f"  {'':<34}{'P':>9}{'R':>9}{'F1':>9}{'pred':>10}{'true':>10}{'records':>9}   "
          f"goal (P >= {GOAL_PRECISION}, F1 >= {GOAL_F1}, automatic merges only)")


def own_generator(tmp) -> Pairwise | None:
    """The demo shop's generator, the data the resolver was tuned on, through the same import path."""
    if OWN_PEOPLE <= 0:
        return None
    from omnidesk.core.demo_data import DEFAULT_SEED
    from tests.benchmarks.test_identity_quality import run_one
    from tests.benchmarks.test_identity_quality import score as own_score

    r = run_one(tmp / "own", OWN_PEOPLE, DEFAULT_SEED)
    return own_score(r["recs"], r["modes"]["incremental (per file)"][0])


def test_identity_locales(tmp_path):
    pytest.importorskip("faker", reason="the locale benchmark needs the benchmark extra: pip install -e '.[bench]'")
    from tests.benchmarks.identity_data_locales import LOCALES

    report = ["", f"Identity resolution on five locales: {PEOPLE:,} people per locale, seeds "
              + ", ".join(map(str, SEEDS)), HEADER]
    per_locale: dict[str, Pairwise] = defaultdict(Pairwise)
    details: list[str] = []
    for locale in ONLY or LOCALES:
        for seed in SEEDS:
            recs, seconds, missing = import_locale(tmp_path, locale, PEOPLE, seed)
            m = score(recs)
            per_locale[locale] += m
            report.append(_line(f"{locale} seed {seed}", m, f"   ({seconds:.1f} s import"
                                + (f", {missing} rows not stored)" if missing else ")")))
            fps, fns, fp_causes, fn_causes = failures(recs)
            details.append(f"{locale} seed {seed}:")
            details.append("  false merges (record pairs): "
                           + (", ".join(f"{n} {c}" for c, n in fp_causes.most_common()) or "none"))
            details += fps
            details.append("  missed pairs (record pairs): "
                           + (", ".join(f"{n} {c}" for c, n in fn_causes.most_common()) or "none"))
            details += fns
    overall = sum(per_locale.values(), Pairwise())
    if len(SEEDS) > 1:
        for locale, m in per_locale.items():
            report.append(_line(f"{locale} (seeds pooled)", m))
    report.append(_line("all locales", overall))
    own = own_generator(tmp_path)
    if own is not None:
        report.append(_line(f"demo shop generator ({OWN_PEOPLE} people)", own))
    print("\n".join(report + [""] + details))
    for locale, m in per_locale.items():
        assert m.records > 0 and m.true > 0, locale
        assert m.precision >= GOAL_PRECISION, (locale, m)
