"""Where a person works, as matching evidence: a company column and a work email's domain.

Many people give a shop their work address in one place and a personal one in
another.  Nothing else may link the two records, yet the work address often
names the employer that another record of the same person carries in its
company column (Shopify's *Company*, Google's *Organization Name*, Outlook's
*Company*): ``justin@birchwoodcu.example`` and "Birchwood Credit Union".

A record's employers are kept as short strings:

* ``"c" + words`` for a company column, its words folded and legal forms
  dropped (``"cbirchwood credit union"``);
* ``"@" + label`` for an email whose domain is not a mail provider's, the
  domain's own label without its suffix or hyphens (``"@birchwoodcu"``).

:func:`same_employer` says how two records' employers agree: ``"company"``
when a company column takes part (a name and an employer together identify a
person about as well as a name and a street address), ``"domain"`` when only
two email domains agree (weaker: a domain that is not on the provider list may
still be an internet provider's, so it can put a pair in Review but not merge
it).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

# Mail providers' own labels (the part before the suffix: yahoo.co.uk -> "yahoo"): an
# address there says nothing about an employer.  The big free services, the larger
# internet providers of the US and Europe, and "example", the domains reserved for
# documentation and test data (example.com, .net, .org).
MAIL_PROVIDERS = frozenset("""
gmail googlemail yahoo ymail rocketmail hotmail outlook live msn passport aol aim icloud me mac
gmx web proton protonmail pm tutanota tuta tutamail fastmail hey zoho yandex mail inbox email
mailbox posteo runbox hushmail lycos excite juno netzero
comcast xfinity verizon att sbcglobal bellsouth pacbell swbell ameritech cox charter spectrum
rr roadrunner earthlink optonline optimum frontier centurylink windstream mediacom suddenlink
btinternet btopenworld sky virginmedia ntlworld blueyonder talktalk tiscali plusnet
orange wanadoo free laposte sfr neuf numericable bbox
libero virgilio alice tin tim fastwebnet
tonline freenet arcor kabelmail unitybox
telenet skynet bluewin hispeed sunrise chello
ziggo kpnmail kpnplanet xs4all hetnet planet home quicknet casema
wp o2 interia onet op poczta seznam centrum atlas post
telia bredband comhem online telenor
qq foxmail sina sohu naver daum hanmail rediffmail
example
""".split())

# Legal forms and filler words: "The Saltmarsh Linen Co." is "saltmarsh linen".
_COMPANY_FILLER = frozenset("""
the and of a an co company companies inc incorporated corp corporation llc llp lp ltd limited
plc group holding holdings gmbh ag kg ug ohg sa sas sarl srl spa bv nv oy ab as aps pty
""".split())

# What people type in a company column when they have none.
_NO_COMPANY = frozenset("""
na none nil null self selfemployed retired student unemployed home homemaker private personal
freelance freelancer independent individual unknown
""".split())

# Second-level labels under a country code: mail.acme.co.uk -> "acme".
_SECOND_LEVEL = frozenset("co com org net ac gov edu ne or go gob nic ltd plc".split())
_SPLIT = re.compile(r"[^a-z0-9]+")


def _ascii_lower(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


@lru_cache(maxsize=50_000)
def company_words(company: str) -> tuple[str, ...]:
    """The words that name a company: folded, without legal forms ("Co.", "GmbH")."""
    words = [w for w in _SPLIT.split(_ascii_lower(company or "")) if w]
    if not words or "".join(words) in _NO_COMPANY:
        return ()
    return tuple(w for w in words if w not in _COMPANY_FILLER)


def mail_label(email: str) -> str:
    """The label that names an email's domain ("acme" for jo@mail.acme.co.uk); "" for a provider's."""
    return _domain_label(email.rpartition("@")[2])


@lru_cache(maxsize=20_000)  # per domain, not per address: domains repeat, addresses do not
def _domain_label(domain: str) -> str:
    parts = domain.lower().strip(".").split(".")
    if len(parts) < 2:
        return ""
    parts.pop()  # the top-level domain
    if len(parts) >= 2 and parts[-1] in _SECOND_LEVEL:
        parts.pop()
    label = parts[-1].replace("-", "")
    if len(label) < 3 or label in MAIL_PROVIDERS or label.isdigit():
        return ""
    return label


def employers(company: str, emails: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """A record's employers as matching compares them (see the module's docstring)."""
    out: list[str] = []
    words = company_words(company) if company else ()
    if words:
        out.append("c" + " ".join(words))
    for email in emails:
        label = mail_label(email)
        if label and "@" + label not in out:
            out.append("@" + label)
    return tuple(out)


def stem(employer: str) -> str:
    """What blocking compares: the first three letters an employer's name and its domain share."""
    return employer[1:4]


def work_key(company: str, emails: tuple[str, ...] | list[str]) -> str:
    """The stem of a record's first employer, stored so an import finds colleagues by index."""
    found = employers(company, emails)
    return stem(found[0]) if found else ""


def abbreviates(label: str, words: tuple[str, ...] | list[str]) -> bool:
    """Whether ``label`` is made of the words' beginnings, in order, some words left out.

    "birchwoodcu" abbreviates Birchwood Credit Union, "cranberrybank" Cranberry
    Island Bank, "tidewaterarch" Tidewater Architects.  The first word must
    give at least four letters (or all of it), so a bare acronym ("bcu") that
    many companies share never counts.
    """
    if len(label) < 4 or not words:
        return False
    seen: set[tuple[int, int]] = set()  # (position, word) already known to lead nowhere

    def rest(pos: int, k: int) -> bool:
        if pos == len(label):
            return True
        if (pos, k) in seen:
            return False
        for t in range(k, len(words)):
            n = _common_prefix(label, pos, words[t])
            for take in range(n, 0, -1):
                if rest(pos + take, t + 1):
                    return True
        seen.add((pos, k))
        return False

    first = words[0]
    least = min(4, len(first))
    for take in range(_common_prefix(label, 0, first), least - 1, -1):
        if rest(take, 1):
            return True
    return False


def _common_prefix(label: str, pos: int, word: str) -> int:
    n = 0
    while pos + n < len(label) and n < len(word) and label[pos + n] == word[n]:
        n += 1
    return n


@lru_cache(maxsize=100_000)
def _agree(a: str, b: str) -> str | None:
    if a[0] == "c" and b[0] == "c":
        wa, wb = a[1:].split(), b[1:].split()
        if wa == wb or abbreviates("".join(wa), wb) or abbreviates("".join(wb), wa):
            return "company"
        return None
    if a[0] == "@" and b[0] == "@":
        return "domain" if a == b else None
    label, words = (a[1:], b[1:].split()) if a[0] == "@" else (b[1:], a[1:].split())
    return "company" if label == "".join(words) or abbreviates(label, words) else None


def same_employer(a: tuple[str, ...], b: tuple[str, ...]) -> str | None:
    """How two records' employers agree: "company", "domain" (email domains only) or None."""
    best = None
    for x in a:
        for y in b:
            how = _agree(x, y) if x <= y else _agree(y, x)
            if how == "company":
                return how
            best = best or how
    return best


def fill_work_keys(conn: Connection) -> int:
    """Set every record's ``work_key`` from its company and emails (records from before the column)."""
    from omnidesk.core.models import Identifier, SourceRecord

    rec, ident = SourceRecord.__table__, Identifier.__table__
    companies = dict(conn.execute(select(rec.c.id, rec.c.company).where(rec.c.company != "")).all())
    emails: dict[int, list[str]] = {}
    for rid, email in conn.execute(select(ident.c.record_id, ident.c.value).where(ident.c.kind == "email")
                                   .order_by(ident.c.id)):
        if mail_label(email):  # only addresses that can name an employer matter here
            emails.setdefault(rid, []).append(email)
    keys = {rid: key for rid in companies.keys() | emails.keys()
            if (key := work_key(companies.get(rid, ""), emails.get(rid, ())))}
    if keys:
        conn.execute(update(rec).where(rec.c.id == bindparam("rid")).values(work_key=bindparam("key")),
                     [{"rid": rid, "key": key} for rid, key in keys.items()])
    return len(keys)
