"""Identity resolution: which source records are the same person.

Pipeline: load profiles (``profiles``) → block (records sharing an email, a
phone, an external id, or a name key: ``blocking``) → score candidate pairs
(``scoring``) → cluster greedily, strongest evidence first, refusing any union
that would put conflicting names or birthdays, or a pair the user rejected
(``decisions``), in one customer (``clustering``) → write customers, merges
and the review queue (``writes``).

It runs incrementally after every import (new records against the customers
they could belong to) and on demand over the whole workspace.
"""

from __future__ import annotations

import functools
import inspect
from contextlib import nullcontext
from collections import defaultdict
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from itertools import islice

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection

from omnidesk.core.changes import NOTHING, Changes
from omnidesk.core.memory import cycle_collection_paused, give_back_free_memory
from omnidesk.core.metrics_index import journeys_stale_at_once
from omnidesk.core.dialect import DeferredIndexes, fetch_ints, indexes_suspended, unindex_customers
from omnidesk.core.identity.blocking import same_birthday, same_full_name, same_name_same_place, tied_records
from omnidesk.core.identity.clustering import (
    ModelFit,
    cluster_steps,
    nameless_to_decide_again,
    scoring_worker,
    settle_decided_again,
)
from omnidesk.core.identity.decisions import (
    decision_index,
    decisions_by_index,
    external_key,
    load_decisions_in_order,
    settled_indexes,
)
from omnidesk.core.identity.golden import customer_indexes_built_once, refresh_customers, refresh_customers_steps
from omnidesk.core.identity.keys import release_comparison_caches, release_folding_caches
from omnidesk.core.identity.learn import FIT_RECORDS, fitted_model, store_fit, stored_fit
from omnidesk.core.identity.profiles import (
    all_followers,
    hand_followers,
    hand_names_aside,
    chunks,
    make_profiles,
    profiles_of_rows,
    profile_query,
    record_identifiers,
    repeated_row_followers,
    stream_profiles,
)
from omnidesk.core.identity.scoring import Frequencies, Model
from omnidesk.core.identity.stats import add_profiles, count_values, load_frequencies, write_frequencies
from omnidesk.core.identity.why import merge_reason
from omnidesk.core.identity.writes import (
    apply_plan_steps,
    collect_user_data,
    follow_own_customer,
    log_taken_off,
    place_followers,
    rejoining,
    restore_user_data,
)
from omnidesk.core.models import Consent, Customer, Event, Identifier, MatchReview, SourceRecord
from omnidesk.core.tasks import Progress, run_to_completion

# Callers that learnt this key here (privacy) keep finding it; it lives in ``decisions``.
__all__ = ["ResolveStats", "external_key", "model_from_settings", "resolve_all", "resolve_all_steps", "resolve_batch"]


@dataclass
class ResolveStats:
    records: int = 0
    pairs_scored: int = 0
    created: int = 0
    auto_merged: int = 0  # existing customers folded into another
    linked: int = 0  # records attached to a customer
    queued: int = 0
    touched: set[int] = field(default_factory=set)
    # New customers' ids as numpy arrays, put in ``touched`` by :meth:`settle`: a set of 850,000 ids
    # made while the records are still held cost the write phase's peak some 60 MB.
    touched_later: list = field(default_factory=list)
    changes: Changes = NOTHING  # set by the caller that committed the work

    def settle(self) -> None:
        """Put the ids held in ``touched_later`` in ``touched``."""
        for ids in self.touched_later:
            self.touched.update(ids.tolist())
        self.touched_later.clear()

    def summary(self, customers: int | None = None) -> dict:
        out = {"records": self.records, "pairs_scored": self.pairs_scored,
               "new_customers": self.created, "auto_merged": self.auto_merged,
               "queued": self.queued}
        if customers is not None:
            out = {"customers": customers, **out}
        return out


def model_from_settings(get_setting) -> Model:
    """The workspace's model: its fitted m and u values (``learn``) if it has them, and its thresholds."""
    model = Model()
    fitted = stored_fit(get_setting)
    if fitted is not None:
        model.apply_fit(fitted)
    for key, attr in (("match_auto_threshold", "auto_threshold"), ("match_review_threshold", "review_threshold")):
        value = get_setting(key) if get_setting else None
        if value is not None:
            setattr(model, attr, float(value))
    return model


_WHOLE_WORKSPACE_BATCH = 5_000  # from this many new records, a first import is resolved as a whole
RECORDS_PER_STEP = 20_000  # records read between two progress reports of a whole-workspace resolve
# From this many records a whole-workspace resolve forks its scoring child before reading them
# (clustering.scoring_worker); a phase of fewer than clustering.PARALLEL_MIN_PAIRS pairs leaves it idle.
SCORING_WORKER_FROM = 100_000


def _no_cycle_collection(fn):
    """Run ``fn`` with the cyclic garbage collector paused (see :func:`cycle_collection_paused`).

    A generator runs paused from its first step to its end, between steps too.
    """
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def steps(*args, **kwargs):
            with cycle_collection_paused():
                return (yield from fn(*args, **kwargs))
        return steps

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with cycle_collection_paused():
            return fn(*args, **kwargs)
    return wrapper


def resolve_batch(conn: Connection, batch_id: int, followers: dict[int, int] | None = None,
                  model: Model | None = None, *, deferred: DeferredIndexes | None = None) -> ResolveStats:
    """Place every unplaced record of ``batch_id``: onto existing customers, or new ones.

    New records are compared with each other and with the existing records
    they share a block key with; existing customers joined by strong new
    evidence are merged (logged, undoable).  ``deferred``: indexes the import
    dropped and has not built yet; a big first import's resolve builds them
    while it compares (:func:`resolve_all_steps`), any other first.
    """
    return run_to_completion(resolve_batch_steps(conn, batch_id, followers, model, deferred=deferred))


@_no_cycle_collection
def _to_compare(conn, new_profiles: list, old_rows: list) -> tuple[list, dict, tuple]:
    """The new records' profiles with those of the placed records they may join (``old_rows``), the
    names' and places' frequencies, and the pairs the user decided, as :func:`cluster_steps` takes them."""
    old_profiles = make_profiles(old_rows, record_identifiers(conn, [r[0] for r in old_rows]))
    hand_names_aside(conn, old_profiles)  # a name typed on the card is no file's evidence
    profiles = new_profiles + old_profiles
    freq = load_frequencies(conn, profiles)
    index_of = decision_index(conn, profiles)
    rejected, must = load_decisions_in_order(conn, list(index_of))
    return profiles, freq, settled_indexes(rejected, must, index_of)


def resolve_batch_steps(conn: Connection, batch_id: int, followers: dict[int, int] | None = None,
                        model: Model | None = None, *, deferred: DeferredIndexes | None = None
                        ) -> Generator[Progress, None, ResolveStats]:
    """:func:`resolve_batch`, yielding progress between its steps and batches (an import checks
    for a cancel there).  Nothing is committed here: closed early, it leaves the caller's
    transaction to roll back."""
    model = model or Model()
    followers = followers or {}
    rec = SourceRecord.__table__
    batch_size = conn.execute(select(func.count()).where(rec.c.batch_id == batch_id,
                                                          rec.c.customer_id.is_(None))).scalar_one()
    if batch_size >= _WHOLE_WORKSPACE_BATCH and conn.execute(
            select(rec.c.id).where(rec.c.customer_id.is_not(None)).limit(1)).first() is None:
        # A big first import: with nobody placed yet, comparing the whole workspace is
        # the same work as looking up candidates row by row, and it streams instead of
        # holding every lookup in memory.  Later imports stay incremental even when
        # big: a whole-workspace pass would also re-judge earlier records against each
        # other, which the quality benchmark showed costs a little recall.
        return (yield from resolve_all_steps(conn, model, deferred=deferred))
    if deferred is not None:
        deferred.build()
    stats = ResolveStats()
    yield Progress(0, 0, "Reading records")
    # A big batch's pairs are half scored in a child forked now, before its records and their
    # candidates are read (clustering.scoring_worker), as a whole-workspace resolve does.
    with (batch_size >= SCORING_WORKER_FROM and scoring_worker()) or nullcontext() as worker:
        new_rows = conn.execute(
            profile_query().where(rec.c.batch_id == batch_id, rec.c.customer_id.is_(None)).order_by(rec.c.id)
        ).all()
        new_profiles = yield from profiles_of_rows(conn, new_rows, RECORDS_PER_STEP)
        # Every new record's names count towards how common they are, order line rows too.
        add_profiles(conn, new_profiles)
        kept = [i for i, r in enumerate(new_rows) if r[0] not in followers]
        new_rows = [new_rows[i] for i in kept]
        new_profiles = [new_profiles[i] for i in kept]
        if not new_rows:
            # Every record follows another (a file whose rows were all seen before): their
            # customers still gain sources.
            stats.touched.update(place_followers(conn, followers))
            refresh_customers(conn, stats.touched)
            return stats
        stats.records = len(new_profiles)
        if conn.execute(select(rec.c.id).where(rec.c.customer_id.is_not(None)).limit(1)).first() is None:
            # The workspace's first records: the model is fitted to them and kept for the imports after.
            model = fitted_model(new_profiles, model)
            store_fit(conn, model)
        candidate_ids = yield from _records_to_compare(conn, new_profiles, new_rows, model)
        customer_ids: set[int] = set()
        for part in chunks(sorted(candidate_ids)):
            customer_ids.update(conn.execute(select(rec.c.customer_id).where(rec.c.id.in_(part))).scalars())
        old_rows = []
        for part in chunks(sorted(c for c in customer_ids if c is not None)):
            old_rows.extend(conn.execute(profile_query().where(rec.c.customer_id.in_(part))).all())
        yield Progress(0, 0, "Finding records to compare")
        profiles, freq, settled = _to_compare(conn, new_profiles, old_rows)
        # A placed record known by an address alone, whose customer's name a new record with that
        # address contradicts, is compared again as if unplaced, as a rebuild would compare it.
        loose = nameless_to_decide_again(profiles, len(new_profiles))
        for i in loose:
            profiles[i].customer_id = None
        plan = yield from cluster_steps(profiles, freq, model, *settled,
                                        only=set(range(len(new_profiles))) | set(loose), worker=worker)
        moving = settle_decided_again(profiles, plan, loose)
    stats.pairs_scored = plan.pairs_scored
    # A batch big beside the workspace gives most of its records a new card: the customer
    # indexes are built once after the cards are made and written.
    with customer_indexes_built_once(conn, len(new_profiles)):
        placement = yield from apply_plan_steps(conn, profiles, plan, stats, batch_id=batch_id,
                                                explain=functools.partial(merge_reason, freq=freq, model=model))
        stats.touched.update(log_taken_off(conn, profiles, placement, moving, batch_id))
        # What was entered by hand stayed with its person (never decided again); if the record it
        # followed went, it follows one they still hold.
        left = set(moving.values())
        follow_own_customer(conn, {placement[i] for i, p in enumerate(profiles)
                                   if p.customer_id in left and placement[i] is not None})
        stats.touched.update(place_followers(conn, followers))
        # Hand records kept from a person whose records were undone (writes.outlive_leads) follow
        # the record of theirs this file brought back to them.
        follow_own_customer(conn, rejoining(conn))
        yield from refresh_customers_steps(conn, stats.touched)
    return stats


def _records_to_compare(conn: Connection, new_profiles: list, new_rows: list, model: Model
                        ) -> Generator[Progress, None, set[int]]:
    """The placed records that could be the same people as ``new_profiles`` (of rows ``new_rows``):
    shared identifiers or name keys, as :func:`resolve_batch` compares them."""
    rec = SourceRecord.__table__
    yield Progress(0, 0, "Finding records to compare")
    # Existing records that could be the same people: shared identifiers or name keys.
    values = sorted({v for p in new_profiles for v in (*p.emails, *p.phones, *p.externals)})
    ident = Identifier.__table__
    candidate_ids: set[int] = set()
    for part in chunks(values):
        candidate_ids.update(conn.execute(
            select(ident.c.record_id).join(rec, rec.c.id == ident.c.record_id)
            # Naming the kinds lets the (kind, value) index serve the lookup instead of a scan.
            .where(ident.c.kind.in_(("email", "phone", "external")), ident.c.value.in_(part),
                   rec.c.customer_id.is_not(None))
        ).scalars())
    yield Progress(0, 0, "Finding records to compare")
    # Profiles carry mailboxes: the records whose address is written another way than its
    # mailbox ("jane.doe@gmail.com" for janedoe@gmail.com) are found by their mailbox column.
    mailboxes = sorted({e for p in new_profiles for e in p.emails})
    for part in chunks(mailboxes):
        candidate_ids.update(conn.execute(
            select(ident.c.record_id).join(rec, rec.c.id == ident.c.record_id)
            .where(ident.c.mailbox.in_(part), rec.c.customer_id.is_not(None))).scalars())
    yield Progress(0, 0, "Finding records to compare")
    # Records with the same last name (or, for "Lee, Ann" written the other way
    # round, a last name equal to a first name) are candidates only when they
    # share a block key too: the same name in the same place.
    candidate_ids.update(same_name_same_place(conn, new_profiles, new_rows))
    yield Progress(0, 0, "Finding records to compare")
    # ... or the same day of birth with the same first name, last name or its sound, or postcode.
    candidate_ids.update(same_birthday(conn, new_profiles))
    # A rare full name alone may join a record with nothing else to its name (see
    # _attach_contactless); every carrier of it comes along, to see whether it is unique.
    candidate_ids.update(same_full_name(conn, new_profiles, model))
    # Records the user tied to new ones (the row a fixed error-report row corrects).
    candidate_ids.update(tied_records(conn, new_profiles))
    # Whole customers come along, so the guards see every name they already carry.  (The new
    # records the name look-ups bring back have none: not asked about.)
    candidate_ids.difference_update(r[0] for r in new_rows)
    return candidate_ids


def place_left_behind(conn: Connection, record_ids: Sequence[int], model: Model | None = None) -> set[int]:
    """Place again, as an import places its records, the placed records ``record_ids`` whose customer
    lost the person they were with; returns the customers changed.

    The email tool's opens on the Lee family's mailbox were the list's Annie's; undoing the list's
    import left them a nameless customer of their own, while a rebuild gives them to the shop's
    Ann, the only one the mailbox names now.  Each is compared as if unplaced, beside the records
    it could be the same person as, and joins whom the clustering puts it with.  A record nobody
    takes stays where it was (a nameless customer of its own, as before).  Merges and questions for
    Review follow as an import's would.  Nothing is committed here.
    """
    if not record_ids:
        return set()
    model = model or Model()
    rec = SourceRecord.__table__
    ids = sorted(set(record_ids))
    new_rows = []
    for part in chunks(ids):
        new_rows.extend(conn.execute(profile_query().where(rec.c.id.in_(part), rec.c.customer_id.is_not(None))
                                     ).all())
    new_rows.sort(key=lambda r: r[0])
    if not new_rows:
        return set()
    new_profiles = make_profiles(new_rows, record_identifiers(conn, [r[0] for r in new_rows]))
    before = {i: p.customer_id for i, p in enumerate(new_profiles)}
    candidate_ids = run_to_completion(_records_to_compare(conn, new_profiles, new_rows, model))
    customer_ids = set(before.values())
    for part in chunks(sorted(candidate_ids)):
        customer_ids.update(conn.execute(select(rec.c.customer_id).where(rec.c.id.in_(part))).scalars())
    mine = {r[0] for r in new_rows}
    old_rows = []
    for part in chunks(sorted(c for c in customer_ids if c is not None)):
        old_rows.extend(r for r in conn.execute(profile_query().where(rec.c.customer_id.in_(part))).all()
                        if r[0] not in mine)
    for p in new_profiles:
        p.customer_id = None
    profiles, freq, settled = _to_compare(conn, new_profiles, old_rows)
    plan = run_to_completion(cluster_steps(profiles, freq, model, *settled,
                                           only=set(range(len(new_profiles)))))
    held: dict[int, set[int]] = defaultdict(set)  # cluster root -> the customers its placed records are on
    loose: dict[int, set[int]] = defaultdict(set)  # cluster root -> the customers its records were on
    for i, p in enumerate(profiles):
        if p.customer_id is not None:
            held[plan.roots[i]].add(p.customer_id)
    for i, cid in before.items():
        loose[plan.roots[i]].add(cid)
    for i, cid in before.items():
        root = plan.roots[i]
        # Back where it was: its customer's other records are with it, or nobody takes it (and the
        # records taken nowhere were all on one customer).
        if cid in held[root] or (not held[root] and len(loose[root]) == 1):
            profiles[i].customer_id = cid
    stats = ResolveStats()
    placement = run_to_completion(apply_plan_steps(conn, profiles, plan, stats,
                                                   explain=functools.partial(merge_reason, freq=freq, model=model)))
    left = {cid for i, cid in before.items() if placement[i] != cid}
    # What was entered by hand follows a record its customer still holds.
    follow_own_customer(conn, left)
    return stats.touched | left


def resolve_all(conn: Connection, model: Model | None = None, *, from_scratch: bool = False,
                deferred: DeferredIndexes | None = None) -> ResolveStats:
    """Look for more matches across the whole workspace.

    Existing customers stay (only merges are added) unless ``from_scratch``,
    which forgets every assignment first — the benchmark's mode and a way to
    rebuild after changing thresholds.
    """
    return run_to_completion(resolve_all_steps(conn, model, from_scratch=from_scratch, deferred=deferred))


@_no_cycle_collection
def resolve_all_steps(conn: Connection, model: Model | None = None, *, from_scratch: bool = False,
                      deferred: DeferredIndexes | None = None) -> Generator[Progress, None, ResolveStats]:
    """:func:`resolve_all`, yielding progress between its steps and batches.

    In order, each with its total: records read, candidate pairs compared,
    matched groups applied, records moved, customers merged, customers updated.
    Nothing is committed here: closed early, it leaves the caller's
    transaction to roll back.  ``deferred``: indexes a big first import
    dropped (see :func:`resolve_batch`), built on a second thread while the
    records are compared, which needs no database; those the placing would
    drop again are built once it has placed every record.
    """
    model = model or Model()
    stats = ResolveStats()
    rec = SourceRecord.__table__
    cust = Customer.__table__
    total = conn.execute(select(func.count()).select_from(rec)).scalar_one()
    kept = collect_user_data(conn) if from_scratch else []  # taken off, to go where their records go
    skipped = _skipped_pairs(conn) if from_scratch else []  # the user's "not now" outlives it (_skip_again)
    # Each record's customer before a rebuild: the customers made again keep their ids.
    before = _customer_of_records(conn) if from_scratch else None
    top_id = conn.execute(select(func.coalesce(func.max(cust.c.id), 0))).scalar_one() if from_scratch else 0
    if from_scratch:
        # The records are read as if nobody held them, and placed afresh; but what stays as it
        # was is not written again.  A record keeps its customer where its cluster keeps that
        # id (writes.kept_ids), and so do its consent facts and events; a customer made again
        # keeps its row, which the golden refresh rewrites; those not made again go once every
        # record is placed (_drop_customers_left).  Taking every record off its customer and
        # deleting every customer first cost a million-record rebuild some 17 s: each record
        # rewritten twice, and each customer deleted looking up the five columns that refer to it.
        conn.execute(delete(MatchReview.__table__))
    # Nobody placed yet (from scratch, or a big first import): every record gets a customer.
    fresh = from_scratch or conn.execute(
        select(rec.c.id).where(rec.c.customer_id.is_not(None)).limit(1)).first() is None
    # Order line rows go with their order's first row; what the user entered by hand with its person.
    hand = hand_followers(conn)
    followers = repeated_row_followers(conn) | all_followers(conn) | hand
    freq = Frequencies()
    # Half of the pairs of a big workspace are scored on the second core, in a child forked
    # now, before the records are read (clustering.scoring_worker).
    with (total >= SCORING_WORKER_FROM and scoring_worker()) or nullcontext() as worker:
        profiles = []
        read = 0
        yield Progress(read, total, "Reading records")
        stream = stream_profiles(conn)
        # Rebuilt from scratch, or a first big import: the model is fitted to these records, in a
        # child forked as soon as the records it takes are read (clustering.ModelFit), or here.
        fit = ModelFit(model) if fresh else None
        try:
            while step := list(islice(stream, RECORDS_PER_STEP)):
                if from_scratch:
                    for p in step:
                        p.customer_id = None  # compared as if nobody held them (before says who did)
                count_values(freq, step)  # how common each name is counts every record, order line rows too
                profiles.extend([p for p in step if p.rid not in followers] if followers else step)
                read += len(step)
                del step
                if fit is not None and len(profiles) >= FIT_RECORDS:
                    fit.start(profiles)
                    fit.poll()
                yield Progress(read, total, "Reading records")
            del stream
            release_folding_caches()  # every record is read and folded: the comparing needs the memory
            stats.records = len(profiles)
            write_frequencies(conn, freq)
            if fit is not None:
                fit.start(profiles)
                if fit.child is None:  # fitted here, now
                    yield Progress(0, 0, "Learning match weights")
                    fit.model(profiles)
            rejected, must = load_decisions_in_order(conn)
            decisions = decisions_by_index(conn, profiles, rejected, must)
            if deferred is not None:
                deferred.start(keep=_placing_indexes())
            plan = yield from cluster_steps(profiles, freq, fit or model, *decisions, worker=worker)
            del decisions
            if deferred is not None:
                deferred.wait()
            if fit is not None:
                model = fit.model(profiles)
                store_fit(conn, model)
        finally:
            if fit is not None:
                fit.stop()
    release_comparison_caches()  # every pair is scored
    give_back_free_memory()  # the clustering's big lists and the caches' tables (memory.py)
    stats.pairs_scored = plan.pairs_scored
    # With nobody placed yet every record gets a customer and every customer a golden
    # record: the indexes on those columns are built once at the end instead of row by row.
    bulk = fresh and len(profiles) >= _WHOLE_WORKSPACE_BATCH
    previous = _previous_ids(before, profiles)
    # A rebuild of placed records keeps most customers as they are: their rows, their indexes
    # and their journeys stay (the records that move list their customers' journeys as stale).
    in_place = previous is not None
    with indexes_suspended(conn, [i.name for i in cust.indexes] if bulk and not in_place else ()):
        with indexes_suspended(conn, _placing_indexes() if bulk else ()), \
                (journeys_stale_at_once(conn) if bulk and not in_place else nullcontext()):
            yield from apply_plan_steps(conn, profiles, plan, stats,
                                        explain=functools.partial(merge_reason, freq=freq, model=model),
                                        previous=previous, above=top_id, settle=False)
            del previous
            # What was entered by hand keeps its customer even where the record it follows was
            # left unplaced: a refusal typed in must never belong to nobody.
            place_followers(conn, followers, unplace=from_scratch, keep_placed=hand)
            del hand
            # Hand records kept from a person whose records were undone follow them again if
            # this placed them together.
            follow_own_customer(conn, rejoining(conn))
        if deferred is not None:
            deferred.build()  # the customer indexes of records and consent facts, now they are placed
        if from_scratch:
            _drop_customers_left(conn, top_id)
        # Written: the records as compared and the plan are done with, and the golden
        # records take their memory (a million profiles are a few hundred MB).
        del profiles, plan, freq, followers
        give_back_free_memory()
        if in_place:
            # Only the customers whose records changed get a golden record worked out again (and
            # those whose notes or pins may have moved): a customer holding the records it held
            # has the card those records gave it.  Those left with none are gone already.
            stats.touched_later.clear()
            stats.touched = _customers_changed(conn, before) | {owner for owner, *_ in kept}
        stats.settle()
        del before
        stats.touched |= restore_user_data(conn, kept)
        _skip_again(conn, skipped)
        yield from refresh_customers_steps(conn, stats.touched)
    return stats


def _skipped_pairs(conn: Connection) -> list[tuple[set[int], set[int]]]:
    """Each pair the user skipped in Review, as the record ids of its two customers."""
    review = MatchReview.__table__
    rec = SourceRecord.__table__
    pairs = conn.execute(select(review.c.left_id, review.c.right_id).where(review.c.status == "skipped")).all()
    if not pairs:
        return []
    held: dict[int, set[int]] = defaultdict(set)
    ids = sorted({cid for pair in pairs for cid in pair})
    for part in chunks(ids):
        for rid, cid in conn.execute(select(rec.c.id, rec.c.customer_id).where(rec.c.customer_id.in_(part))):
            held[cid].add(rid)
    return [(held[a], held[b]) for a, b in pairs if held[a] and held[b]]


def _skip_again(conn: Connection, skipped: list[tuple[set[int], set[int]]]) -> None:
    """Mark skipped again the pairs a rebuild queued between the customers now holding the records of
    a pair skipped before it: "accept all" leaves skipped pairs to be decided one by one, and a rebuild
    must not turn them back into pending ones it would take."""
    if not skipped:
        return
    review = MatchReview.__table__
    rec = SourceRecord.__table__
    rids = sorted(set().union(*(a | b for a, b in skipped)))
    now: dict[int, int] = {}
    for part in chunks(rids):
        now.update(conn.execute(select(rec.c.id, rec.c.customer_id)
                                .where(rec.c.id.in_(part), rec.c.customer_id.is_not(None))).all())
    sides = []
    for a, b in skipped:
        left, right = {now[r] for r in a if r in now}, {now[r] for r in b if r in now}
        sides.append((left, right))
    again = [rid for rid, left_id, right_id in conn.execute(
                 select(review.c.id, review.c.left_id, review.c.right_id).where(review.c.status == "pending"))
             if any((left_id in left and right_id in right) or (left_id in right and right_id in left)
                    for left, right in sides)]
    for part in chunks(again):
        conn.execute(update(review).where(review.c.id.in_(part)).values(status="skipped"))


def _customers_changed(conn: Connection, before) -> set[int]:
    """The customers that gained or lost a record since ``before`` (:func:`_customer_of_records`)."""
    import numpy as np

    old_rids, old_cids = before
    new_rids, new_cids = _customer_of_records(conn)
    # One 64-bit key per (record, customer): both ids are below 2**31.
    changed = np.setxor1d((old_rids << 32) | old_cids, (new_rids << 32) | new_cids, assume_unique=True)
    return set(np.unique(changed & 0xFFFFFFFF).tolist())


def _drop_customers_left(conn: Connection, top_id: int) -> None:
    """Delete the customers from before a rebuild that hold no record now (none kept their id),
    and their search entries."""
    cust, rec = Customer.__table__, SourceRecord.__table__
    left = [cid for (cid,) in conn.execute(select(cust.c.id).where(cust.c.id <= top_id, ~select(rec.c.id).where(
        rec.c.customer_id == cust.c.id).exists()))]
    unindex_customers(conn, left)
    for part in chunks(left):
        conn.execute(delete(cust).where(cust.c.id.in_(part)))


def _placing_indexes() -> list[str]:
    """The indexes that placing records rewrites: those led by the customer id, of the records and
    of the consent facts and events that follow them (writes.sync_children)."""
    return [i.name for table in (SourceRecord.__table__, Consent.__table__, Event.__table__) for i in table.indexes
            if i.columns and list(i.columns)[0].name == "customer_id"]


def _customer_of_records(conn: Connection):
    """(record ids ascending, their customer ids) of every placed record, as two numpy arrays."""
    import numpy as np

    rec = SourceRecord.__table__
    placed = rec.c.customer_id.is_not(None)
    rids = fetch_ints(conn, select(rec.c.id).where(placed).order_by(rec.c.id))
    cids = fetch_ints(conn, select(rec.c.customer_id).where(placed).order_by(rec.c.id))
    return np.frombuffer(rids, dtype=np.int64), np.frombuffer(cids, dtype=np.int64)


def _previous_ids(before, profiles) -> list[int] | None:
    """Each profile's customer id in ``before`` (:func:`_customer_of_records`), 0 where it had none."""
    if before is None:
        return None
    import numpy as np

    rids, cids = before
    if not len(rids):
        return None
    wanted = np.fromiter((p.rid for p in profiles), dtype=np.int64, count=len(profiles))
    at = np.minimum(np.searchsorted(rids, wanted), len(rids) - 1)
    return np.where(rids[at] == wanted, cids[at], 0)
