"""A person's rights over their data: export everything about them, or erase them.

Erasing removes the customer, every source row, identifier, consent fact,
event, review and merge trace about them, and keeps only salted hashes on the
suppression list (``omnidesk.core.suppression``, which every import reads), so
importing an old export again cannot bring them back while everybody else's
rows still come in:

* each email, phone and external id that no other customer's records carry
  (when the erase runs), on its own: any later row with it is theirs;
* each identifier they share with someone else (a family email), only together
  with each of their folded names: the identifier alone says nothing about whose
  row it is, and blocking it would drop the other person's new orders too.  A
  later row with it and no name, or another name, is let in;
* the row hash of every source row they had: a till customer with only a name
  and an address has no identifier at all, and the same rows in a later export
  must still stay out (the import checks these for every row);
* each record's folded first and last name with its street, postcode and
  birthday (``suppression.erased_person_hashes``): the same till customer in the
  file saved again in a spreadsheet, or in a newer export with a column more,
  where no row hash is the same.

The hashes are salted per workspace, so the list cannot be matched against
another workspace's or a public list.  Merge traces are deleted when they
moved only this person's records and scrubbed when they moved someone else's
too, so that other person's merge can still be undone.  Zip members unpacked
for an import never outlive it (see ``importing.archives``); the folder where
older versions left them is emptied by an erase, and so are the temp folders of
omnidesk processes that were killed (a dry run's scratch copy, unpacked
members).  The backups omnidesk wrote next to the workspace (before an upgrade,
a damaged file set aside) hold the person too and are deleted: a backup cannot
be edited without rewriting it, and one that still held them would bring them
back on restore.  Copies the user saved elsewhere are theirs and stay.

Other customers' rows that mention the person (a gift shipped to them, a note
naming them) have their emails, phones, name and street replaced first
(``mentions``, which says what is taken and what stays the other customer's).
A saved segment's rule or a campaign's audience that names one of their emails
or phones (none that others hold too) keeps its condition with the value
replaced (``mentions.redact_rules``): it matches no one, as their address does
once they are gone, so the rule neither widens nor narrows.
Their full names and streets go on the suppression list too, hashed like the
rest: they keep no row out, but a later row of someone else that names them
beside one of their emails or phones comes in without them, as the erase left
the rows there were.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.engine import Connection

from omnidesk.core import paths, tempfiles
from omnidesk.core.campaigns.sends import keep_sends, note_erased_sends
from omnidesk.core.channels import HAND
from omnidesk.core.consent import KEPT_ON_ERASE
from omnidesk.core.contact import mailbox_key
from omnidesk.core.customers import fingerprints_in
from omnidesk.core.details import read_details
from omnidesk.core.dialect import compact_customer_search, remove_workspace_files, unindex_customers
from omnidesk.core.errors import UserError
from omnidesk.core.exporting.csvsafe import csv_bytes
from omnidesk.core.exporting.outfiles import check_output, written_beside
from omnidesk.core.failures import telling_write_failures
from omnidesk.core.identity.decisions import external_key, record_keys
from omnidesk.core.identity.golden import refresh_customers
from omnidesk.core.identity.merge import PINNABLE
from omnidesk.core.identity.stats import forget_records
from omnidesk.core.importing.archives import remove_unpacked_leftovers
from omnidesk.core.importing.custom_fields import customer_fields, record_fields
from omnidesk.core.mentions import (
    ERASED,
    kept_hashes,
    mentions_of,
    notes_mentioning,
    person_of,
    redact_notes,
    redact_others,
    redact_rules,
)
from omnidesk.core.models import (
    Campaign,
    CampaignStep,
    Consent,
    CustomField,
    Customer,
    CustomerJourney,
    Event,
    Identifier,
    ImportBatch,
    JourneyStale,
    MatchDecision,
    MatchReview,
    MergeLog,
    SendRecord,
    SourceRecord,
    utcnow,
)
from omnidesk.core.money import format_money
from omnidesk.core.provenance import pins_in
from omnidesk.core.segments.sql import shop_region
from omnidesk.core.suppression import (
    add_suppressions,
    erased_person_hashes,
    file_row_hash,
    identifier_hash,
    name_key,
    named_identifier_hash,
    row_suppression_hash,
    workspace_salt,
    written_forms,
)
from omnidesk.core.tasks import CancelCheck, Cancelled, never_cancelled
from omnidesk.core.text import counted
from omnidesk.core.workspace import Workspace, WorkspaceError, backup_files

_IN = 900  # values per IN (...) list, below SQLite's parameter limit


def _customer_or_fail(conn: Connection, customer_id: int):
    row = conn.execute(select(Customer.__table__).where(Customer.__table__.c.id == customer_id)).mappings().first()
    if row is None:
        raise UserError(f"There is no customer {customer_id}.")
    return row


def collect_person(conn: Connection, customer_id: int) -> dict:
    """Everything the workspace holds about one customer, as plain data."""
    customer = dict(_customer_or_fail(conn, customer_id))
    rec, batch = SourceRecord.__table__, ImportBatch.__table__
    records = []
    for r in conn.execute(
        select(rec, batch.c.file_name, batch.c.header_json).join(batch, batch.c.id == rec.c.batch_id)
        .where(rec.c.customer_id == customer_id).order_by(rec.c.id)
    ).mappings():
        header = json.loads(r["header_json"])
        raw = json.loads(r["raw_json"])
        records.append({
            "record_id": r["id"], "source_file": r["file_name"], "source_row": r["record_no"],
            "channel": r["channel"], "kind": r["kind"],
            "raw": _raw_by_column(header, raw),
            "problems": json.loads(r["problems_json"] or "[]"),
        })
    ids = [r["record_id"] for r in records]
    fields_of = record_fields(conn, ids)
    for r in records:
        r["custom_fields"] = fields_of.get(r["record_id"], [])
    # The customer's own value of each field (the latest import's), as the card shows it.
    custom = [{"name": v.name, "type": v.type if v.type != "yesno" else "yes/no", "value": v.display(),
               "source_file": v.source_file, "source_row": v.record_no, "channel": v.channel}
              for v in customer_fields(conn, customer_id)]
    ident = Identifier.__table__
    identifiers = sorted({(k, v) for k, v in conn.execute(
        select(ident.c.kind, ident.c.value).where(ident.c.record_id.in_(ids)))}) if ids else []
    # What was typed in by hand and replaced since is theirs too, kept for an erasure.
    identifiers += sorted((f"{f} (replaced)", v) for f, v in _replaced(conn, customer_id))
    consent = Consent.__table__
    consents = [dict(r) for r in conn.execute(
        select(consent.c.channel, consent.c.status, consent.c.occurred_at, consent.c.note, consent.c.record_id)
        .where(consent.c.customer_id == customer_id).order_by(consent.c.occurred_at)).mappings()]
    ev = Event.__table__
    events = [dict(r) for r in conn.execute(
        select(ev.c.occurred_at, ev.c.channel, ev.c.type, ev.c.summary, ev.c.amount_minor, ev.c.currency,
               ev.c.details_json, ev.c.record_id).where(ev.c.customer_id == customer_id)
        .order_by(ev.c.occurred_utc)).mappings()]
    for e in events:
        # Details that cannot be read are none (the row they were read from is in the export).
        e["details"] = read_details(e.pop("details_json"))
        # Every event gets the same columns, amount or not: events.csv is one table.
        minor = e.pop("amount_minor")
        e["amount"] = format_money(minor, grouped=False) if minor is not None else None
    # The values pinned by hand on the card (or with `omnidesk pin`), in the card's order of fields.
    pinned = pins_in(customer.pop("pinned_json", None))
    pins = [{"field": f, "value": pinned[f]} for f in PINNABLE if f in pinned]
    # Rows of other customers that hold something of theirs (a gift shipped to them), found as an
    # erase finds them, with only the cells that are theirs.
    person = person_of(conn, customer_id, _identifiers_of(conn, ids) | _typed_earlier(conn, customer_id))
    mentions = [{"record_id": m.record_id, "source_file": m.source_file, "source_row": m.source_row,
                 "channel": m.channel, "their_cells": m.theirs}
                for m in mentions_of(conn, customer_id, person)]
    # Notes typed on other customers' cards that hold their email or phone ("call him on …").
    noted = [{"customer_id": n.customer_id, "notes": n.notes} for n in notes_mentioning(conn, customer_id, person)]
    return {"customer": customer, "custom_fields": custom, "pins": pins,
            "identifiers": [{"kind": k, "value": v} for k, v in identifiers],
            "consents": consents, "events": events, "sends": _sends(conn, ids), "source_records": records,
            "in_others_records": mentions, "in_others_notes": noted, "exported_at": utcnow()}


def _sends(conn: Connection, record_ids: list[int]) -> list[dict]:
    """The campaign steps an export included the person in, or left them out of and recorded why
    (``send_record``: kept against one of their records), oldest first."""
    sr, st, camp = SendRecord.__table__, CampaignStep.__table__, Campaign.__table__
    rows = []
    for i in range(0, len(record_ids), _IN):
        rows += conn.execute(
            select(camp.c.name, st.c.channel, sr.c.channel.label("recorded"), sr.c.send_utc, sr.c.record_id)
            .join(st, st.c.id == sr.c.step_id).join(camp, camp.c.id == st.c.campaign_id)
            .where(sr.c.record_id.in_(record_ids[i:i + _IN]))).mappings().all()
    # A step's own channel: they were in what it sent; anything else is why they were left out.
    return [{"campaign": r["name"], "channel": r["channel"], "send_utc": r["send_utc"],
             "included": r["recorded"] == r["channel"],
             "left_out_because": "" if r["recorded"] == r["channel"] else r["recorded"],
             "record_id": r["record_id"]}
            for r in sorted(rows, key=lambda r: (r["send_utc"], r["name"], r["channel"]))]


def _raw_by_column(header: list[str], raw: list[str]) -> dict[str, str]:
    """A row's cells by column name, every cell kept: a name the header repeats is numbered
    ("Email", "Email (2)"; keyed by name alone, the second cell took the first's place), and
    cells beyond the header are "extra 1", "extra 2"."""
    out: dict[str, str] = {}
    for i, value in enumerate(raw):
        name = header[i] if i < len(header) else f"extra {i - len(header) + 1}"
        key, n = name, 1
        while key in out:
            n += 1
            key = f"{name} ({n})"
        out[key] = value
    return out


# The columns of each table of a person's export, for a table with no rows: its file still says
# what it would hold (the rows, when there are some, give their own, in this order).
_PERSON_COLUMNS = {
    "source_records": ("record_id", "source_file", "source_row", "channel", "kind", "raw", "problems",
                       "custom_fields"),
    "events": ("occurred_at", "channel", "type", "summary", "currency", "record_id", "details", "amount"),
    "consents": ("channel", "status", "occurred_at", "note", "record_id"),
    "sends": ("campaign", "channel", "send_utc", "included", "left_out_because", "record_id"),
    "identifiers": ("kind", "value"),
    "custom_fields": ("name", "type", "value", "source_file", "source_row", "channel"),
    "pins": ("field", "value"),
    "in_others_records": ("record_id", "source_file", "source_row", "channel", "their_cells"),
    "in_others_notes": ("customer_id", "notes"),
}


def _csv_bytes(rows: list[dict], table: str) -> bytes:
    """A table of dicts as CSV through the injection-safe writer (an event typed ``=SUM(1+1)``
    comes out as text, not a live formula); with no rows, its header alone."""
    header = list(rows[0]) if rows else list(_PERSON_COLUMNS[table])
    return csv_bytes(header, ([json.dumps(r[k], ensure_ascii=False) if isinstance(r[k], (dict, list)) else r[k]
                               for k in header] for r in rows))


def export_person(ws: Workspace, customer_id: int, out: Path, *, overwrite: bool = False,
                  cancelled: CancelCheck = never_cancelled) -> Path:
    """Write a zip with ``person.json`` and CSVs of records, events, consent (with the note a consent
    recorded by hand was given), campaign sends, identifiers, custom fields, the values pinned
    on the card and the cells of other customers' rows that are theirs (``in_others_records``: a
    gift shipped to them, only its Shipping cells and the like, never the other customer's own);
    returns its path.

    Never writes over a workspace; an existing file is replaced only with ``overwrite``.
    ``cancelled`` is asked between the zip's files: when it says yes, :class:`Cancelled` is raised
    and no file is left behind.
    """
    def check() -> None:
        if cancelled():
            raise Cancelled("Export cancelled: no file was written.")

    out = check_output(out, overwrite=overwrite)
    with ws.engine.connect() as conn:
        data = collect_person(conn, customer_id)
    check()
    members = [("person.json", lambda: json.dumps(data, indent=2, ensure_ascii=False, default=str))]
    members += [(f"{name}.csv", lambda name=name: _csv_bytes(data[name], name))
                for name in ("source_records", "events", "consents", "sends", "identifiers", "custom_fields",
                             "pins", "in_others_records", "in_others_notes")]
    # Naming the zip asked for, not the temporary file.
    with telling_write_failures(out), written_beside(out, overwrite=overwrite) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for member, content in members:
                z.writestr(member, content())
                check()
    return out


ERASE_LOG_WAIT = 2.0  # seconds an erase waits for another window's or command's read to end
# Said when it did not: until then the write-ahead log beside the workspace file holds copies of them.
LOG_HELD = ("Another window or command is still reading the workspace: a copy of the erased data stays "
            "in the -wal file beside it until that window or command closes the workspace.")


def erase_person(ws: Workspace, customer_id: int, *, expect: str | None = None,
                 others: dict[int, str | None] | None = None) -> dict[str, int]:
    """Erase one customer everywhere, in one transaction; returns what was removed.

    ``expect``: the customer's fingerprint (``customers.customer_fingerprints``)
    when the user was asked; the erase is refused, erasing nothing, if another
    window or command has merged someone into them (or split them, or undone an
    import of theirs) since: the user agreed to erase the person they were shown.

    ``others``: the fingerprints, as the user was shown them, of the other customers a selection
    erases next, one by one.  This erase may change one of them itself (Walt's "stop" from the
    family mailbox kept on Vera's hand record): where it does and that customer was as shown,
    their entry is brought up to what the erase left, so that the next erase does not take the
    batch's own change for one from another window.  A change from elsewhere still shows.

    Copies of zip members that older versions unpacked into the data folder go
    too: they are raw rows of people, this one perhaps among them.  On SQLite
    the deleted rows are overwritten, not just unlinked (``secure_delete``, set
    on every connection), the search index is rewritten without them, and the
    write-ahead log is emptied afterwards: the file holds no readable copy.

    Refused while the workspace's file is no longer where it was opened: the
    backups that hold the person too are beside it where it is now.
    """
    moved = ws.moved_away()
    if moved is not None:
        raise WorkspaceError(moved)
    with ws.writing() as conn:
        _customer_or_fail(conn, customer_id)
        if expect is not None and fingerprints_in(conn, [customer_id])[customer_id] != expect:
            raise UserError(f"Customer {customer_id} was changed in another window or command since you were "
                            "asked (records merged into them, split off or undone). Nothing was erased; look "
                            "at the card again before erasing.")
        watched = sorted(i for i in (others or {}) if i != customer_id)
        before = fingerprints_in(conn, watched) if watched else {}
        salt = workspace_salt(conn)
        records = _person_records(conn, customer_id)
        ids = [r.id for r in records]
        hashes = sorted({r.row_hash for r in records} | set(record_keys(conn, ids).values()))  # and twin keys
        identifiers = _identifiers_of(conn, ids) | _typed_earlier(conn, customer_id)
        # Before working out which identifiers others share: a gift's Shipping phone that stood in
        # for the buyer's is the person's own, and goes from the buyer's record here.
        person = person_of(conn, customer_id, identifiers)
        mentioned = redact_others(conn, customer_id, person)
        noted = redact_notes(conn, customer_id, person)
        # A later import takes them out of others' rows the same way (``mentions.erased_in_rows``).
        add_suppressions(conn, kept_hashes(salt, person))
        shared = _shared_with_others(conn, customer_id, identifiers)
        # A saved segment or a campaign's audience naming their email or phone (one nobody else has).
        named = redact_rules(conn, {mailbox_key(v) for k, v in identifiers - shared if k == "email"},
                             {v for k, v in identifiers - shared if k == "phone"}, shop_region(conn))
        kept_for = _keep_shared_refusals(conn, customer_id, shared)
        removed = _suppress(conn, salt, records, identifiers, shared)
        removed["source_records"] = len(ids)
        removed["others_rows"] = mentioned.rows
        removed["others_notes"] = len(noted)
        removed["segments_named"], removed["campaigns_named"] = len(named.segments), len(named.campaigns)
        removed["merge_traces"] = _forget_merge_traces(conn, customer_id, ids, hashes)
        removed["events"] = _delete_records(conn, ids)
        md = MatchDecision.__table__
        # Decisions name the person by row hash and by their own customer ids (not shared ones).
        keys = hashes + sorted(external_key(v) for k, v in identifiers if k == "external" and (k, v) not in shared)
        for i in range(0, len(keys), _IN):
            part = keys[i:i + _IN]
            conn.execute(delete(md).where(or_(md.c.left_hash.in_(part), md.c.right_hash.in_(part))))
        review = MatchReview.__table__
        conn.execute(delete(review).where(or_(review.c.left_id == customer_id, review.c.right_id == customer_id)))
        unindex_customers(conn, [customer_id])
        conn.execute(delete(Customer.__table__).where(Customer.__table__.c.id == customer_id))
        # The Dashboard's kept journey (their channels in order, when they first came) is theirs too,
        # and so is the mark the deletes above left to make it again.
        for kept in (CustomerJourney.__table__, JourneyStale.__table__):
            conn.execute(delete(kept).where(kept.c.customer_id == customer_id))
        if kept_for | mentioned.customers:
            refresh_customers(conn, kept_for | mentioned.customers)
        compact_customer_search(conn)
        if watched:
            for cid, now in fingerprints_in(conn, watched).items():
                if now != before[cid] and before[cid] == others[cid]:
                    others[cid] = now
    # A read another window or command has under way keeps the log's copies of their rows: waited
    # for a moment, then left to this workspace's next write or its close (or the reader's own).
    if not ws.empty_log(ERASE_LOG_WAIT):
        removed["log_held"] = 1
    remove_unpacked_leftovers(paths.data_dir())
    tempfiles.clean_stale(legacy_any_age=True)
    tempfiles.clean_stale_writes()  # a killed export's staged packs, in the folder it wrote to
    removed["backups_deleted"] = delete_backups(ws)
    return removed


# How an erase keeps what keeps the person out, in the words the app and the command line both use.
# The hashes are salted, and the salt is in the same workspace file (so that a copy of the file
# still keeps them out): nothing can be read back from them, but a guess can be checked.
KEPT_AS = "salted fingerprints that cannot be read back"
GUESS_CHECKED = ("someone who has the workspace file and guesses one of their emails or phone numbers can "
                 "check the guess against them, so keep the file as safe as the customer list itself")


def rules_named_words(segments: int, campaigns: int) -> str:
    """What an erase did to the saved segments and campaign audiences whose rule named the person's
    email or phone (``segments_named``, ``campaigns_named``), as the command line and the app both
    say it ("1 saved segment named their email or phone: it now reads [erased] there, …"), without
    a stop; "" when none did."""
    named = " and ".join(x for x in (counted(segments, "saved segment") if segments else "",
                                      counted(campaigns, "campaign audience") if campaigns else "") if x)
    if not named:
        return ""
    return (f"{named} named their email or phone: it now reads {ERASED} there, which matches no one, "
            "and everyone else they selected they still select")


def delete_backups(ws: Workspace) -> int:
    """Delete the backups omnidesk wrote next to the workspace (see ``workspace.backup_files``)."""
    if ws.path is None:
        return 0
    n = 0
    for backup in backup_files(ws.path):
        remove_workspace_files(backup)
        n += not backup.exists()
    return n


def _person_records(conn: Connection, customer_id: int) -> list:
    rec, batch = SourceRecord.__table__, ImportBatch.__table__
    return list(conn.execute(
        select(rec.c.id, rec.c.row_hash, rec.c.first_name, rec.c.last_name, rec.c.address, rec.c.postcode,
               rec.c.birthday, rec.c.record_no, batch.c.file_hash)
        .select_from(rec.join(batch, batch.c.id == rec.c.batch_id))
        .where(rec.c.customer_id == customer_id).order_by(rec.c.id)))


def _identifiers_of(conn: Connection, record_ids: list[int]) -> set[tuple[str, str]]:
    ident = Identifier.__table__
    found: set[tuple[str, str]] = set()
    for i in range(0, len(record_ids), _IN):
        found.update((k, v) for k, v in conn.execute(
            select(ident.c.kind, ident.c.value).where(ident.c.record_id.in_(record_ids[i:i + _IN]))))
    return found


def _typed_earlier(conn: Connection, customer_id: int) -> set[tuple[str, str]]:
    """The emails and phones the person had that no identifier holds: those pinned on them
    (a pin from the command line may be in no record) and those typed in or pinned since
    replaced (``edits.keep_replaced``)."""
    cust = Customer.__table__
    pins = json.loads(conn.execute(select(cust.c.pinned_json).where(cust.c.id == customer_id)).scalar() or "{}")
    found = {(f, pins[f]) for f in ("email", "phone") if isinstance(pins.get(f), str) and pins[f]}
    return found | _replaced(conn, customer_id)


def _replaced(conn: Connection, customer_id: int) -> set[tuple[str, str]]:
    """(field, value) of the emails and phones the person's hand records keep as replaced."""
    from omnidesk.core.edits import replaced_values

    rec = SourceRecord.__table__
    return {pair for (values,) in conn.execute(select(rec.c.values_json).where(
        rec.c.customer_id == customer_id, rec.c.channel == HAND)) for pair in replaced_values(values)}


def _same_address(kind: str, value: str):
    """Identifier rows that are the address ``value`` of ``kind``: for an email, its mailbox
    however written ("walt.family@gmail.com" is also waltfamily+news@gmail.com)."""
    ident = Identifier.__table__
    if kind != "email":
        return and_(ident.c.kind == kind, ident.c.value == value)
    key = mailbox_key(value)
    return and_(ident.c.kind == kind, or_(ident.c.value == key, ident.c.value == value, ident.c.mailbox == key))


def _shared_with_others(conn: Connection, customer_id: int,
                        identifiers: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The identifiers that a record of another customer (or of no customer yet) carries too
    (an email: its mailbox, in any spelling)."""
    ident, rec = Identifier.__table__, SourceRecord.__table__
    shared: set[tuple[str, str]] = set()
    others = or_(rec.c.customer_id.is_(None), rec.c.customer_id != customer_id)
    for kind, value in sorted(identifiers):
        if kind == "email" and conn.execute(select(ident.c.id).join(rec, rec.c.id == ident.c.record_id)
                                            .where(_same_address(kind, value), others).limit(1)).first():
            shared.add((kind, value))
    for kind in sorted({k for k, _ in identifiers} - {"email"}):
        values = sorted(v for k, v in identifiers if k == kind)
        for i in range(0, len(values), _IN):
            shared.update((kind, v) for v in conn.execute(
                select(ident.c.value).distinct().join(rec, rec.c.id == ident.c.record_id).where(
                    ident.c.kind == kind, ident.c.value.in_(values[i:i + _IN]),
                    or_(rec.c.customer_id.is_(None), rec.c.customer_id != customer_id),
                )).scalars())
    return shared


# A personal channel, the customer column of its consent in force, and the kind of address it goes to.
_REFUSABLE = (("email", "consent_email", "email"), ("sms", "consent_sms", "phone"),
              ("whatsapp", "consent_whatsapp", "phone"))
_REFUSALS = ("unsubscribed", "cleaned", "denied")


def _keep_shared_refusals(conn: Connection, customer_id: int, shared: set[tuple[str, str]]) -> set[int]:
    """Keep the "stop" the erased person gave on an address others share, on those others.

    Walt unsubscribed the family's mailbox, which Vera holds too: erasing Walt took his
    unsubscribe with him, and the mailbox was mailed again.  Each other holder of such an
    address gets a fact of their own (on their hand record, dated now) saying the address said
    stop, with no word of who said it; a later dated yes of theirs lifts it as any other.
    Returns the customers given one.

    Kept per address, as the campaigns refuse it before the erase, whichever holds:

    * the address's own answer is no (``guards.address_refusals``, over every record carrying
      it): Walt said stop from the family mailbox and yes from his work address since, so his
      card says yes, but the family mailbox still said stop;
    * the erased person's card says no on the channel: every address of theirs is refused
      (``guards.refused_addresses``), a stop typed in by hand for them included.

    Not where the address stays refused by the others' own records once the person's are gone:
    that stop was never the erased person's to keep.
    """
    from omnidesk.core.campaigns.guards import address_refusals
    from omnidesk.core.edits import _hand_records

    cust, ident, rec, con = Customer.__table__, Identifier.__table__, SourceRecord.__table__, Consent.__table__
    said = conn.execute(select(*[cust.c[column] for _, column, _ in _REFUSABLE])
                        .where(cust.c.id == customer_id)).one()
    holders: dict[int, dict[tuple[str, str], tuple[str, str]]] = {}
    for (channel, _column, kind), card in zip(_REFUSABLE, said):
        values = sorted(v for k, v in shared if k == kind)
        if not values:
            continue
        key = mailbox_key if kind == "email" else str
        own = address_refusals(conn, channel, among={key(v) for v in values})
        # Refused by what the others' own records say (Mark's own unsubscribe from the family
        # mailbox, Anna erased having said yes): it stays so without a word from her, and
        # nothing is said on anyone's card in her name.
        still = address_refusals(conn, channel, among={key(v) for v in values}, without=customer_id)
        for value in values:
            status = own.get(key(value)) or (card if card in _REFUSALS else None)
            if status is None or key(value) in still:
                continue
            for (cid,) in conn.execute(select(rec.c.customer_id).distinct().join(ident, ident.c.record_id == rec.c.id)
                                       .where(_same_address(kind, value),
                                              rec.c.customer_id.is_not(None), rec.c.customer_id != customer_id)):
                # One fact per address and channel, however many spellings of a mailbox they had.
                holders.setdefault(cid, {}).setdefault((channel, key(value)), (status, value))
    if not holders:
        return set()
    hand = _hand_records(conn, sorted(holders))
    now = utcnow()
    for cid, facts in holders.items():
        for (channel, _address), (status, value) in facts.items():
            conn.execute(insert(con).values(
                record_id=hand[cid][0], customer_id=cid, channel=channel, status=status, occurred_at=now,
                note=f"{value} had said stop; {KEPT_ON_ERASE}"))
    return set(holders)


def _suppress(conn: Connection, salt: str, records: list, identifiers: set[tuple[str, str]],
              shared: set[tuple[str, str]]) -> dict[str, int]:
    """Put the person's hashes on the suppression list (see the module docstring); returns counts.

    A shared identifier is kept only with the person's names: when they had no
    name, nothing tells their rows from the other person's, so only their row
    hashes keep them out.
    """
    names = {name_key(r.first_name, r.last_name) for r in records} - {""}
    own = identifiers - shared
    wanted = {identifier_hash(salt, k, v) for k, v in written_forms(own)}
    wanted |= {named_identifier_hash(salt, k, v, n) for k, v in written_forms(shared) for n in names}
    wanted |= {row_suppression_hash(salt, r.row_hash) for r in records}
    # Where each row was, for an error report written before the erase that names it (fixed or not).
    wanted |= {file_row_hash(salt, r.file_hash, r.record_no) for r in records if r.file_hash}
    people = {h for r in records
              for h in erased_person_hashes(salt, r.first_name, r.last_name, r.address, r.postcode, r.birthday)}
    add_suppressions(conn, wanted | people)
    return {"identifiers_suppressed": len(own) + (len(shared) if names else 0),
            "shared_identifiers": len(shared), "rows_suppressed": len({r.row_hash for r in records}),
            "name_and_place_keys": len(people)}


def _delete_records(conn: Connection, ids: list[int]) -> int:
    """Delete the records with their events, consent facts, identifiers and custom fields; returns the events deleted."""
    rec, ident = SourceRecord.__table__, Identifier.__table__
    # A rare name counted once would say the person had been here.
    forget_records(conn, ids)
    # A send kept against a record of someone who stays (another customer's record among these)
    # moves to their other record; the erased person's own sends go with their records.
    keep_sends(conn, ids)
    # Their row stays in a pack exported before: the step notes when it is due, nothing of who.
    note_erased_sends(conn, ids)
    events = 0
    for i in range(0, len(ids), _IN):
        part = ids[i:i + _IN]
        events += conn.execute(delete(Event.__table__).where(Event.__table__.c.record_id.in_(part))).rowcount
        conn.execute(delete(Consent.__table__).where(Consent.__table__.c.record_id.in_(part)))
        conn.execute(delete(ident).where(ident.c.record_id.in_(part)))
        conn.execute(delete(CustomField.__table__).where(CustomField.__table__.c.record_id.in_(part)))
        conn.execute(delete(rec).where(rec.c.id.in_(part)))
    return events


def _forget_merge_traces(conn: Connection, customer_id: int, record_ids: list[int],
                         row_hashes: list[str]) -> int:
    """Delete or scrub every merge log entry that holds a copy of the person; returns how many.

    An entry is about the person when it moved any of their records: its
    snapshot is the customer those records made, under an id that may be long
    gone (a merge later split again).  It is also about them when it names their
    customer and was written while that customer existed; an older version
    gave the highest ids again once their customers were gone (ids are never
    given twice now), so an older entry with the same number is someone
    else's and stays undoable.  An entry that moved other
    people's records too is scrubbed rather than deleted: their merge can still
    be undone, and its golden record is rebuilt from their records then.
    """
    log, cust = MergeLog.__table__, Customer.__table__
    mine = set(record_ids)
    born = conn.execute(select(cust.c.created_at).where(cust.c.id == customer_id)).scalar() or ""
    doomed, scrub = [], []
    for entry in conn.execute(select(log.c.id, log.c.survivor_id, log.c.absorbed_id, log.c.record_ids_json,
                                     log.c.created_at)):
        moved = set(json.loads(entry.record_ids_json or "[]"))
        if moved & mine:
            (scrub if _existing_records(conn, moved - mine) else doomed).append(entry.id)
        elif customer_id in (entry.survivor_id, entry.absorbed_id) and (entry.created_at or "") >= born:
            doomed.append(entry.id)
    for i in range(0, len(doomed), _IN):
        conn.execute(delete(log).where(log.c.id.in_(doomed[i:i + _IN])))
    for log_id in scrub:
        _scrub_merge_trace(conn, log_id, mine, set(row_hashes))
    return len(doomed) + len(scrub)


def _existing_records(conn: Connection, record_ids: set[int]) -> bool:
    rec = SourceRecord.__table__
    ids = sorted(record_ids)
    return any(conn.execute(select(rec.c.id).where(rec.c.id.in_(ids[i:i + _IN])).limit(1)).first()
               for i in range(0, len(ids), _IN))


# The undo data of a merge trace that holds only ids and match-decision rows (hashes).
_UNDO_IDS = ("decisions", "restore", "batch_id")


def _scrub_merge_trace(conn: Connection, log_id: int, mine: set[int], row_hashes: set[str]) -> None:
    """Keep what undoes another person's part of a merge, nothing of the erased person.

    The snapshot of the absorbed customer goes whole (name, email, notes and pins
    may all be the person's); undoing then starts that customer afresh and
    rebuilds it from the records that remain.  Of the undo data only ids and
    hashes stay (:data:`_UNDO_IDS`): anything else, such as notes carried into
    the survivor, may quote the person.
    """
    log = MergeLog.__table__
    entry = conn.execute(select(log.c.record_ids_json, log.c.absorbed_json, log.c.reason)
                         .where(log.c.id == log_id)).one()
    moved = [r for r in json.loads(entry.record_ids_json) if r not in mine]
    # Why the merge was made stays unless it rests on one of the person's records (it may
    # quote their name: "Eve ~ Evelyn").
    reason = entry.reason
    if reason and mine & set(json.loads(reason).get("records") or ()):
        reason = None
    saved = json.loads(entry.absorbed_json or "{}").get("_undo", {})
    undo = {k: v for k, v in saved.items() if k in _UNDO_IDS}
    if undo.get("restore"):
        undo["restore"] = [d for d in undo["restore"]
                           if d.get("left_hash") not in row_hashes and d.get("right_hash") not in row_hashes]
    conn.execute(update(log).where(log.c.id == log_id).values(
        record_ids_json=json.dumps(moved), absorbed_json=json.dumps({"_undo": undo} if undo else {}),
        reason=reason))
