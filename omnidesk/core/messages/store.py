"""Messages kept in the workspace: a master, its per-channel variants, and every saved version.

A variant remembers the master it was made from (``synced_json``).  When the
master changes, variants made from the old one are *stale*: the editor shows
what changed (a word diff, :func:`derive.master_changes`) and the user re-syncs
each (made again from the master; hand edits are lost, the version history
keeps them) or keeps it as it is (it is then in step with the new master).
Every save writes a version, so any earlier state can be restored.

The JSON form (``omnidesk message import/export-json``, and campaign plan
files) is ``{"name", "message": {master fields}, "variants": {channel: {fields}}}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, insert, select, update

from omnidesk.core.changes import Changes
from omnidesk.core.errors import UserError
from omnidesk.core.messages.brand import Brand, get_brand
from omnidesk.core.messages.derive import (
    CHANNEL_LABELS,
    DEFAULT_CHANNELS,
    MASTER_FIELDS,
    VARIANT_CHANNELS,
    VARIANT_FIELDS,
    campaign_name,
    derive,
    master_changes,
    retagged,
)
from omnidesk.core.models import Message, MessageVariant, MessageVersion, utcnow
from omnidesk.core.text import clean_line, clean_lines, clean_name
from omnidesk.core.workspace import Workspace

MAX_FIELD = 20_000
MAX_VERSIONS = 200  # per message; the oldest go first


@dataclass(frozen=True)
class Variant:
    channel: str
    fields: dict[str, str]
    synced: dict[str, str]  # the master it was made from, or last kept in step with
    edited: bool
    stale: bool

    def changes(self, master: Mapping[str, str]) -> dict[str, list[tuple[str, str]]]:
        """What the master says now that this variant has not taken in (word diffs per field)."""
        return master_changes(self.synced, master)


@dataclass(frozen=True)
class MessageData:
    id: int
    name: str
    master: dict[str, str]
    variants: dict[str, Variant]
    updated_at: str

    @property
    def channels(self) -> list[str]:
        return [c for c in VARIANT_CHANNELS if c in self.variants]

    @property
    def stale(self) -> list[str]:
        return [c for c in self.channels if self.variants[c].stale]

    @property
    def changes(self) -> Changes:
        return Changes(messages=True)


class StaleMessage(UserError):
    """The message (or channel version) a save was to overwrite is not what the editor opened:
    another window or a command changed or deleted it since."""


ELSEWHERE = "in another window or command"


def part_words(name: str, channel: str | None) -> str:
    """What a save of ``channel`` (None: the master) overwrites, as a sentence names it."""
    return name if channel is None else f"The {CHANNEL_LABELS.get(channel, channel)} version of {name}"


@dataclass(frozen=True)
class Version:
    id: int
    created_at: str
    snapshot: dict = field(repr=False)


def _clean_name(name: str) -> str:
    return clean_name(name, "message")


def clean_master(master: Mapping[str, object]) -> dict[str, str]:
    """The master's fields as stored; UserError naming the first one that cannot be."""
    unknown = [k for k in master if k not in MASTER_FIELDS]
    if unknown:
        raise UserError(f"message.{unknown[0]}: not a field of a message; one of: {', '.join(MASTER_FIELDS)}")
    out: dict[str, str] = {}
    for f in MASTER_FIELDS:
        value = master.get(f)
        if value is None:
            out[f] = ""
            continue
        if not isinstance(value, str):
            raise UserError(f"message.{f}: give text, not {type(value).__name__}")
        text = clean_lines(value).strip() if f == "body" else clean_line(value)
        if len(text) > MAX_FIELD:
            raise UserError(f"message.{f}: keep it to {MAX_FIELD:,} characters at most")
        out[f] = text
    if out["offer_expires"]:
        try:
            out["offer_expires"] = date.fromisoformat(out["offer_expires"]).isoformat()
        except ValueError:
            raise UserError(f"message.offer_expires: '{out['offer_expires']}' is not a date such as 2026-10-31") \
                from None
    if out["image"]:
        from omnidesk.core.messages.links import is_valid_link

        # A link the sending tools fetch the picture from (Buffer's "Image URL", the email's image).
        if not is_valid_link(out["image"]):
            raise UserError(f"message.image: '{out['image'][:60]}' is not a link to a picture (https://…).")
    if not out["headline"] and not out["body"]:
        raise UserError("A message needs a headline or a body.")
    return out


def clean_variant(channel: str, fields: Mapping[str, object]) -> dict[str, str]:
    if channel not in VARIANT_FIELDS:
        raise UserError(f"variants.{channel}: not a channel of a message; one of: {', '.join(VARIANT_CHANNELS)}")
    allowed = VARIANT_FIELDS[channel]
    unknown = [k for k in fields if k not in allowed]
    if unknown:
        raise UserError(f"variants.{channel}.{unknown[0]}: not a field of this variant; one of: {', '.join(allowed)}")
    out = {}
    for f in allowed:
        value = fields.get(f, "")
        if not isinstance(value, str):
            raise UserError(f"variants.{channel}.{f}: give text, not {type(value).__name__}")
        if len(value) > MAX_FIELD:
            raise UserError(f"variants.{channel}.{f}: keep it to {MAX_FIELD:,} characters at most")
        out[f] = clean_lines(value).strip()
    return out


def _row(conn, name: str):
    msg = Message.__table__
    row = conn.execute(select(msg.c.id, msg.c.name, msg.c.master_json, msg.c.updated_at)
                       .where(msg.c.name == name)).first()
    if row is None:  # names are kept as typed; found in any case
        for r in conn.execute(select(msg.c.id, msg.c.name, msg.c.master_json, msg.c.updated_at)):
            if r.name.casefold() == name.casefold():
                return r
        raise UserError(f"There is no message '{name}'.")
    return row


def _read(conn, row) -> MessageData:
    var = MessageVariant.__table__
    master = json.loads(row.master_json)
    variants = {}
    for v in conn.execute(select(var).where(var.c.message_id == row.id)):
        synced = json.loads(v.synced_json)
        variants[v.channel] = Variant(v.channel, json.loads(v.fields_json), synced, bool(v.edited),
                                      stale=synced != master)
    return MessageData(row.id, row.name, master, variants, row.updated_at)


def get_message(ws: Workspace, name: str) -> MessageData:
    with ws.engine.connect() as conn:
        return _read(conn, _row(conn, _clean_name(name)))


def list_messages(ws: Workspace) -> list[MessageData]:
    msg = Message.__table__
    with ws.engine.connect() as conn:
        rows = conn.execute(select(msg.c.id, msg.c.name, msg.c.master_json, msg.c.updated_at)).all()
        return sorted((_read(conn, r) for r in rows), key=lambda m: m.name.casefold())


def _snapshot(conn, message_id: int) -> None:
    row = conn.execute(select(Message.__table__).where(Message.__table__.c.id == message_id)).first()
    data = _read(conn, row)
    snap = {"name": data.name, "message": data.master,
            "variants": {c: {"fields": v.fields, "synced": v.synced, "edited": v.edited}
                         for c, v in data.variants.items()}}
    ver = MessageVersion.__table__
    conn.execute(insert(ver).values(message_id=message_id, snapshot_json=json.dumps(snap, ensure_ascii=False),
                                    created_at=utcnow()))
    ids = list(conn.execute(select(ver.c.id).where(ver.c.message_id == message_id)
                            .order_by(ver.c.id.desc()).offset(MAX_VERSIONS)).scalars())
    if ids:
        conn.execute(delete(ver).where(ver.c.id.in_(ids)))


def _put_variant(conn, message_id: int, channel: str, fields: dict, synced: dict, edited: bool) -> None:
    var = MessageVariant.__table__
    values = dict(fields_json=json.dumps(fields, ensure_ascii=False), synced_json=json.dumps(synced, ensure_ascii=False),
                  edited=edited, updated_at=utcnow())
    done = conn.execute(update(var).where(var.c.message_id == message_id, var.c.channel == channel)
                        .values(**values)).rowcount
    if not done:
        conn.execute(insert(var).values(message_id=message_id, channel=channel, **values))


def save_message(ws: Workspace, name: str, master: Mapping[str, object], *,
                 variants: Mapping[str, Mapping[str, object]] | None = None,
                 channels: list[str] | None = None, replace: bool = False,
                 brand: Brand | None = None, expect: Mapping[str, str] | None = None) -> MessageData:
    """Create a message, or with ``replace`` change an existing one's master (and given variants).

    New channels get a variant made from the master; given variants are stored
    as given (marked edited when they differ from what the master makes);
    existing variants not given stay as they were, stale if the master moved.
    A variant given with no field at all (``{"x": {}}`` in a message file) names a channel
    to add, made from the master as **+ Channel** adds it: an existing one stays as it was.
    With ``expect`` (the master as an editor opened it) the stored master must still read so:
    one changed or deleted since (another window, the command line) is refused with
    :class:`StaleMessage`, and nothing is written.
    """
    name = _clean_name(name)
    clean = clean_master(master)
    variants = variants or {}
    given = {c: clean_variant(c, f) for c, f in variants.items()}
    wanted = list(dict.fromkeys([*(channels or []), *given]))
    given = {c: fields for c, fields in given.items() if variants[c]}
    unknown = [c for c in wanted if c not in VARIANT_FIELDS]
    if unknown:
        raise UserError(f"'{unknown[0]}' is not a channel of a message; one of: {', '.join(VARIANT_CHANNELS)}")
    brand = brand or get_brand(ws)
    msg = Message.__table__
    with ws.writing() as conn:
        try:
            row = _row(conn, name)
        except UserError:
            row = None
        if expect is not None:
            if row is None:
                raise StaleMessage(f"{name} was deleted since you opened it ({ELSEWHERE}).")
            if json.loads(row.master_json) != dict(expect):
                raise StaleMessage(f"{row.name} was changed since you opened it ({ELSEWHERE}).")
        if row is not None and not replace:
            raise UserError(f"A message named '{row.name}' exists already; choose another name or replace it.")
        now = utcnow()
        if row is None:
            message_id = conn.execute(insert(msg).returning(msg.c.id).values(
                name=name, master_json=json.dumps(clean, ensure_ascii=False), created_at=now,
                updated_at=now)).scalar_one()
            existing: dict[str, Variant] = {}
            # A new message speaks on the usual channels, and on any it was given a variant for.
            wanted = wanted if channels else list(dict.fromkeys([*DEFAULT_CHANNELS, *wanted]))
        else:
            message_id = row.id
            existing = _read(conn, row).variants
            conn.execute(update(msg).where(msg.c.id == message_id).values(
                master_json=json.dumps(clean, ensure_ascii=False), updated_at=now))
        for channel in wanted:
            made = derive(channel, clean, brand, campaign=campaign_name(brand, name))
            if channel in given:
                _put_variant(conn, message_id, channel, given[channel], clean, given[channel] != made)
            elif channel not in existing:
                _put_variant(conn, message_id, channel, made, clean, False)
        _snapshot(conn, message_id)
        return _read(conn, conn.execute(select(msg).where(msg.c.id == message_id)).first())


def set_variant(ws: Workspace, name: str, channel: str, fields: Mapping[str, object], *,
                expect: Mapping[str, str] | None = None) -> MessageData:
    """Store a variant as the user edited it (it stays linked to the master it was made from).

    With ``expect`` (the variant's fields as an editor opened them) the stored variant must still
    read so: one changed or removed since, or its message deleted, is refused with
    :class:`StaleMessage`, and nothing is written."""
    clean = clean_variant(channel, fields)
    name = _clean_name(name)
    with ws.writing() as conn:
        try:
            row = _row(conn, name)
        except UserError:
            if expect is not None:
                raise StaleMessage(f"{name} was deleted since you opened it ({ELSEWHERE}).") from None
            raise
        data = _read(conn, row)
        old = data.variants.get(channel)
        if expect is not None and (old is None or old.fields != dict(expect)):
            what = "removed" if old is None else "changed"
            raise StaleMessage(f"{part_words(data.name, channel)} was {what} since you opened it ({ELSEWHERE}).")
        synced = old.synced if old is not None else data.master
        brand = get_brand(ws)
        made = derive(channel, synced, brand, campaign=campaign_name(brand, data.name))
        _put_variant(conn, data.id, channel, clean, synced, clean != made)
        _touch(conn, data.id)
        return _read(conn, _row(conn, data.name))


def resync_variant(ws: Workspace, name: str, channel: str) -> MessageData:
    """Make the variant again from the master as it is now (hand edits go; versions keep them)."""
    with ws.writing() as conn:
        data = _read(conn, _row(conn, _clean_name(name)))
        if channel not in VARIANT_FIELDS:
            raise UserError(f"'{channel}' is not a channel of a message.")
        brand = get_brand(ws)
        made = derive(channel, data.master, brand, campaign=campaign_name(brand, data.name))
        _put_variant(conn, data.id, channel, made, data.master, False)
        _touch(conn, data.id)
        return _read(conn, _row(conn, data.name))


def keep_variant(ws: Workspace, name: str, channel: str) -> MessageData:
    """Keep the variant as it is: it is in step with the master from now on."""
    with ws.writing() as conn:
        data = _read(conn, _row(conn, _clean_name(name)))
        v = data.variants.get(channel)
        if v is None:
            raise UserError(f"'{data.name}' has no {CHANNEL_LABELS.get(channel, channel)} variant.")
        _put_variant(conn, data.id, channel, v.fields, data.master, True)
        _touch(conn, data.id)
        return _read(conn, _row(conn, data.name))


def remove_channel(ws: Workspace, name: str, channel: str) -> MessageData:
    var = MessageVariant.__table__
    with ws.writing() as conn:
        data = _read(conn, _row(conn, _clean_name(name)))
        conn.execute(delete(var).where(var.c.message_id == data.id, var.c.channel == channel))
        _touch(conn, data.id)
        return _read(conn, _row(conn, data.name))


def _touch(conn, message_id: int) -> None:
    conn.execute(update(Message.__table__).where(Message.__table__.c.id == message_id).values(updated_at=utcnow()))
    _snapshot(conn, message_id)


def delete_message(ws: Workspace, name: str) -> None:
    with ws.writing() as conn:
        row = _row(conn, _clean_name(name))
        conn.execute(delete(Message.__table__).where(Message.__table__.c.id == row.id))


def duplicate_message(ws: Workspace, name: str, new_name: str) -> MessageData:
    """A copy under a new name (a template for the next campaign), its versions starting afresh.

    Its variants are the source's, their links tagged again for the copy's own campaign
    (:func:`derive.retagged`, as a new message's are tagged): a copy named "Autumn sale" counts
    its visits for ``autumn-sale``, not for the message it was copied from.  One write: the copy
    is made whole or not at all."""
    new_name = _clean_name(new_name)
    brand = get_brand(ws)
    campaign = campaign_name(brand, new_name)
    msg = Message.__table__
    with ws.writing() as conn:
        data = _read(conn, _row(conn, _clean_name(name)))
        try:
            taken = _row(conn, new_name)
        except UserError:
            taken = None
        if taken is not None:
            raise UserError(f"A message named '{taken.name}' exists already; choose another name or replace it.")
        now = utcnow()
        message_id = conn.execute(insert(msg).returning(msg.c.id).values(
            name=new_name, master_json=json.dumps(data.master, ensure_ascii=False), created_at=now,
            updated_at=now)).scalar_one()
        for channel in data.channels:
            v = data.variants[channel]
            fields = {f: retagged(channel, text, campaign) for f, text in v.fields.items()}
            # Edited only where the source's was and the copy still differs from what its master makes.
            edited = v.edited and fields != derive(channel, v.synced, brand, campaign=campaign)
            _put_variant(conn, message_id, channel, fields, v.synced, edited)
        _snapshot(conn, message_id)
        return _read(conn, conn.execute(select(msg).where(msg.c.id == message_id)).first())


def versions(ws: Workspace, name: str) -> list[Version]:
    """The saved versions of a message, newest first."""
    ver = MessageVersion.__table__
    with ws.engine.connect() as conn:
        row = _row(conn, _clean_name(name))
        return [Version(r.id, r.created_at, json.loads(r.snapshot_json)) for r in conn.execute(
            select(ver).where(ver.c.message_id == row.id).order_by(ver.c.id.desc()))]


def restore_version(ws: Workspace, name: str, version_id: int) -> MessageData:
    """Put the message back as that version had it (itself a new version)."""
    ver, var, msg = MessageVersion.__table__, MessageVariant.__table__, Message.__table__
    with ws.writing() as conn:
        row = _row(conn, _clean_name(name))
        snap = conn.execute(select(ver.c.snapshot_json).where(ver.c.id == version_id,
                                                              ver.c.message_id == row.id)).scalar()
        if snap is None:
            raise UserError(f"'{row.name}' has no version {version_id}.")
        data = json.loads(snap)
        conn.execute(update(msg).where(msg.c.id == row.id).values(
            master_json=json.dumps(data["message"], ensure_ascii=False), updated_at=utcnow()))
        conn.execute(delete(var).where(var.c.message_id == row.id))
        for channel, v in data["variants"].items():
            _put_variant(conn, row.id, channel, v["fields"], v["synced"], v["edited"])
        _snapshot(conn, row.id)
        return _read(conn, _row(conn, row.name))


def export_json(ws: Workspace, name: str) -> dict:
    """The message in its JSON form (what ``import_json`` reads back)."""
    data = get_message(ws, name)
    return {"name": data.name, "message": {k: v for k, v in data.master.items() if v},
            "variants": {c: data.variants[c].fields for c in data.channels}}


def import_json(ws: Workspace, data: object) -> MessageData:
    """Create or replace the message a JSON document describes (see the module docstring)."""
    if not isinstance(data, dict):
        raise UserError("A message file holds one JSON object with 'name' and 'message'.")
    unknown = [k for k in data if k not in ("name", "message", "variants")]
    if unknown:
        raise UserError(f"'{unknown[0]}' is not part of a message file; it holds name, message and variants.")
    if not isinstance(data.get("name"), str):
        raise UserError("name: give the message's name as text.")
    if not isinstance(data.get("message"), dict):
        raise UserError("message: give the master message as an object of fields.")
    variants = data.get("variants") or {}
    if not isinstance(variants, dict) or not all(isinstance(v, dict) for v in variants.values()):
        raise UserError("variants: give an object of channel: {fields}.")
    return save_message(ws, data["name"], data["message"], variants=variants, replace=True)
