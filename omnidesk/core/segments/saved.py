"""Saved segments: a rule kept under a name; its members are computed whenever asked."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import delete, select

from omnidesk.core.changes import Changes
from omnidesk.core.dialect import casefold
from omnidesk.core.errors import UserError, ValueRefused
from omnidesk.core.models import SavedSegment, utcnow
from omnidesk.core.segments.rules import Rule, RuleError, check_rule
from omnidesk.core.segments.sql import known_channels
from omnidesk.core.text import clean_name

_S = SavedSegment.__table__
# Names compare as folded text in every alphabet ("Été" is "ÉTÉ"): SQLite's lower() folds only A-Z.


@dataclass(frozen=True)
class Segment:
    name: str
    rule: Rule
    created_at: str
    updated_at: str


class SegmentNameRefused(RuleError, ValueRefused):
    """A segment's name that cannot be one (empty, too long): a segment's refusal, and a value
    typed in that is not taken."""


def _clean_name(name: str) -> str:
    try:
        return clean_name(name if isinstance(name, str) else str(name), "segment")
    except UserError as exc:
        raise SegmentNameRefused(str(exc)) from None


# ``expect`` not given: the segment may read anyhow.
ANY = object()


def _read(conn, name: str) -> Segment | None:
    row = conn.execute(select(_S.c.name, _S.c.rule_json, _S.c.created_at, _S.c.updated_at)
                       .where(casefold(_S.c.name) == name.casefold())).first()
    return None if row is None else Segment(row[0], json.loads(row[1]), row[2], row[3])


def _check(conn, name: str, expect) -> None:
    """With ``expect`` (a Segment, or None for "no segment of that name"), the segment must read
    exactly so now (as an undo step left it); else nothing is written."""
    if expect is not ANY and _read(conn, name) != expect:
        raise RuleError(f"Segment {name!r} was changed since (in another window or command); "
                        "it was left as it is.")


def find_segment(workspace, name: str) -> Segment | None:
    """The segment named ``name`` as stored now (its rule and when it was written), or None."""
    with workspace.engine.connect() as conn:
        return _read(conn, _clean_name(name))


def save_segment(workspace, name: str, rule: Rule, *, replace: bool = False, expect=ANY,
                 written: tuple[str, str] | None = None) -> Changes:
    """Save ``rule`` under ``name``; an existing name is refused unless ``replace``.

    With ``expect`` the segment of that name must read exactly so first (see ``_check``).
    ``written`` (created, updated): the times an undo puts back with the rule, so that the
    steps before it find the segment as they left it.
    """
    name = _clean_name(name)
    with workspace.writing() as conn:
        _check(conn, name, expect)
        check_rule(rule, known_channels(conn))
        text = json.dumps(rule, ensure_ascii=False, sort_keys=True)
        row = conn.execute(select(_S.c.id).where(casefold(_S.c.name) == name.casefold())).first()
        created, now = written or (utcnow(), utcnow())
        if row is not None:
            if not replace:
                raise RuleError(f"a segment named {name!r} exists already")
            conn.execute(_S.update().where(_S.c.id == row[0]).values(
                name=name, rule_json=text, updated_at=now, **({"created_at": created} if written else {})))
        else:
            conn.execute(_S.insert().values(name=name, rule_json=text, created_at=created, updated_at=now))
    return Changes(segments=True)


def get_segment(workspace, name: str) -> Segment:
    with workspace.engine.connect() as conn:
        row = conn.execute(select(_S.c.name, _S.c.rule_json, _S.c.created_at, _S.c.updated_at)
                           .where(casefold(_S.c.name) == _clean_name(name).casefold())).first()
    if row is None:
        raise RuleError(f"no segment named {name!r}")
    return Segment(row[0], json.loads(row[1]), row[2], row[3])


def list_segments(workspace) -> list[Segment]:
    with workspace.engine.connect() as conn:
        rows = conn.execute(select(_S.c.name, _S.c.rule_json, _S.c.created_at, _S.c.updated_at)
                            .order_by(casefold(_S.c.name))).all()
    return [Segment(r[0], json.loads(r[1]), r[2], r[3]) for r in rows]


def delete_segment(workspace, name: str, *, expect=ANY) -> Changes:
    name = _clean_name(name)
    with workspace.writing() as conn:
        _check(conn, name, expect)
        found = _read(conn, name)
        if found is None:
            raise RuleError(f"no segment named {name!r}")
        _refuse_if_used(conn, found.name)
        conn.execute(delete(_S).where(casefold(_S.c.name) == _clean_name(name).casefold()))
    return Changes(segments=True)


class SegmentInUse(RuleError):
    """A segment a campaign sends to is not deleted: the campaign could no longer be checked or
    exported again, not even to take out of its pack someone who opted out since."""


def _refuse_if_used(conn, name: str) -> None:
    from omnidesk.core.campaigns.campaign import campaigns_with_segment

    used = [c[1] for c in campaigns_with_segment(conn, name)]
    if not used:
        return
    named = ", ".join(f"'{n}'" for n in used[:3]) + (f" and {len(used) - 3:,} more" if len(used) > 3 else "")
    raise SegmentInUse(f"The segment '{name}' is the audience of campaign{'s' if len(used) > 1 else ''} {named}, "
                       "so it is kept: without it the campaign could not be checked or exported again. "
                       f"Change {'their' if len(used) > 1 else 'its'} audience first (the Campaigns screen, or "
                       "the plan's \"audience\" with omnidesk campaign import), then delete the segment.")


def rename_segment(workspace, name: str, new_name: str, *, expect=ANY, updated_at: str | None = None) -> Changes:
    """Give the segment ``name`` the name ``new_name``; a name another segment has is refused.
    Every campaign whose audience it is gets the new name too (:func:`rename_segment_in_campaigns`).

    With ``expect`` the segment ``name`` must read exactly so first (see ``_check``).
    ``updated_at``: the time an undo puts back (see :func:`save_segment`'s ``written``).
    """
    name, new_name = _clean_name(name), _clean_name(new_name)
    with workspace.writing() as conn:
        _check(conn, name, expect)
        old = _read(conn, name)
        if old is None:
            raise RuleError(f"no segment named {name!r}")
        taken = conn.execute(select(_S.c.id).where(casefold(_S.c.name) == new_name.casefold(),
                                                   casefold(_S.c.name) != old.name.casefold())).first()
        if taken is not None:
            raise RuleError(f"a segment named {new_name!r} exists already")
        conn.execute(_S.update().where(casefold(_S.c.name) == old.name.casefold())
                     .values(name=new_name, updated_at=updated_at or utcnow()))
        # The campaigns sending to it follow it, in this transaction: a campaign naming a segment
        # that is gone could not be checked or exported again.
        from omnidesk.core.campaigns.campaign import rename_segment_in_campaigns

        used = rename_segment_in_campaigns(conn, old.name, new_name)
    return Changes(segments=True, campaigns=used)


def resolve_audience(workspace, *, segment: str | None = None, rule: Rule | None = None) -> Rule:
    """The rule of a named segment, or ``rule`` itself; everyone when neither is given."""
    if segment is not None and rule is not None:
        raise RuleError("give a segment name or a rule, not both")
    if segment is not None:
        return get_segment(workspace, segment).rule
    return rule if rule is not None else {"all": []}
