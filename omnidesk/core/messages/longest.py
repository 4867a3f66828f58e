"""The longest text an SMS template makes for any of a step's recipients, not of a sample.

A preview's sample of 20 customers misses the one whose 25-letter name in Arabic turns
the text into seven UCS-2 segments; the limit holds for every recipient, so every
recipient is measured.  It stays quick for a large audience: only the tokens the template
uses are read (purchases and custom fields only when it names them), the template is read
once, each distinct set of a customer's own values is rendered once (most recipients share
a first name with many others), and a text is counted character by character
(``sms.sms_stats``) only when its length alone cannot tell: a text of ``units`` septets or
UTF-16 units takes at least ``units / 153`` segments, and at most ``units / 152`` (a pair
that would straddle a boundary moves whole to the next segment, leaving one unit unused).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from omnidesk.core.messages import sms, tokens
from omnidesk.core.messages.personal import customer_values, shared_values

_GSM7_PAIRS = re.compile("[" + re.escape("".join(sorted(sms.GSM7_EXTENSION))) + "]")
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


@dataclass(frozen=True)
class Longest:
    """The recipient whose text costs most (segments, then length), and how many are over ``limit``."""

    customer_id: int
    text: str
    stats: sms.SmsStats
    over: int  # recipients whose text takes more segments than the limit asked about
    values: Mapping[str, str | None]  # that recipient's token values


def _bounds(text: str) -> tuple[int, int, int]:
    """The fewest and the most segments ``text`` can take, and its length in units, read from its
    length alone (no character-by-character count)."""
    gsm = sms.is_gsm7(text)
    units = len(text) + len((_GSM7_PAIRS if gsm else _ASTRAL).findall(text))
    single, joined = (sms.SINGLE_GSM7, sms.JOINED_GSM7) if gsm else (sms.SINGLE_UCS2, sms.JOINED_UCS2)
    if units <= single:
        n = 1 if units else 0
        return n, n, units
    return math.ceil(units / joined), math.ceil(units / (joined - 1)), units


class _Measured:
    """One distinct rendering: its text, its bounds, and its exact stats once asked for."""

    __slots__ = ("text", "low", "high", "units", "_stats")

    def __init__(self, text: str) -> None:
        self.text = text
        self.low, self.high, self.units = _bounds(text)
        self._stats: sms.SmsStats | None = None

    @property
    def stats(self) -> sms.SmsStats:
        if self._stats is None:
            self._stats = sms.sms_stats(self.text)
        return self._stats

    def size(self) -> tuple[int, int, int]:
        return self.stats.segments, self.stats.length, len(self.text)

    def over(self, limit: int) -> bool:
        if self.low > limit:
            return True
        if self.high <= limit:
            return False
        return self.stats.segments > limit


def longest_texts(ws, template: str, audiences: Sequence[Sequence[int]], *, master: Mapping[str, str],
                  business_name: str = "", limit: int) -> list[Longest | None]:
    """For each list of customer ids in ``audiences``, its recipient with the costliest rendering of
    ``template`` (None for an empty list), and how many of them take more than ``limit`` segments."""
    everyone = sorted({int(cid) for ids in audiences for cid in ids})
    if not everyone:
        return [None for _ in audiences]
    used = {tokens.token_key(p.name) for p in tokens.parse(template) if isinstance(p, tokens.Token)}
    personal = {n for n in used if n is not None and tokens.is_personal(n)}
    values = (customer_values(ws, everyone, master=master, business_name=business_name, only=personal)
              if personal else {})
    shared = shared_values(master, business_name)
    fill = tokens.renderer(template)
    measured: dict[tuple, _Measured] = {}
    keys: dict[int, tuple] = {}
    canon: dict[str, bool] = {}  # each value's name -> whether the template uses it
    for cid in everyone:
        own = values.get(cid, shared)
        for k in own.keys() - canon.keys():
            canon[k] = tokens.token_key(k) in personal
        key = tuple(sorted((k, v) for k, v in own.items() if v is not None and canon[k]))
        keys[cid] = key
        if key not in measured:
            measured[key] = _Measured(fill(own))
    out: list[Longest | None] = []
    for ids in audiences:
        mine = {keys[int(cid)] for cid in ids}
        if not mine:
            out.append(None)
            continue
        # The costliest: counted exactly only where the bounds leave it open, most segments first.
        best: tuple | None = None
        for key in sorted(mine, key=lambda k: (measured[k].high, measured[k].units), reverse=True):
            m = measured[key]
            if best is not None and m.high < measured[best].stats.segments:
                break
            if best is None or m.size() > measured[best].size():
                best = key
        over = sum(1 for cid in ids if measured[keys[int(cid)]].over(limit))
        chosen = min(int(cid) for cid in ids if keys[int(cid)] == best)
        m = measured[best]
        out.append(Longest(chosen, m.text, m.stats, over, values.get(chosen, shared)))
    return out
