"""The suppression list: salted hashes that keep an erased person out of every later import.

Every import checks each row's keys (:func:`row_suppression_keys`) against the
list (:func:`known_suppressions`) and leaves out the rows found there; erasing a
person (``omnidesk.core.rights``) writes their keys.  Four forms of key:

* an email, phone or external id on its own (:func:`identifier_hash`): any row
  carrying it is the erased person's;
* an identifier they shared with someone else (a family email) together with
  one of their folded names (:func:`named_identifier_hash`): the identifier
  alone says nothing about whose row it is;
* the hash of a whole source row (:func:`row_suppression_hash`), for a person
  with only a name and an address, and the row's place in its file (:func:`file_row_hash`),
  which an error report written before the erase names;
* their folded first and last name with where they live and when they were born
  (:func:`erased_person_hashes`), for the same person when the row is written
  otherwise: the file saved again in a spreadsheet (a ZIP's leading zero dropped, a
  birthday written 5/6/1980), or a newer export with a column more.

Beside them, each of their full names and streets alone (:func:`mention_hash`), which keep no
row out: a later row of another customer that names them (a gift shipped to them) comes in
without them (``mentions.erased_in_rows``).

Hashes are salted per workspace (:func:`workspace_salt`), so the list cannot be
matched against another workspace's or a public list.  They cannot be read back,
but the salt is kept in the same file (a copy of the workspace keeps the person
out too): whoever has the file can check a guessed email or phone number against
them, and a phone number by trying every number of an area code.  The app and the
command line say so (``rights.GUESS_CHECKED``): the file is kept as safe as the
customer list.

This is the low layer of privacy: the importer reads it, and it reads nothing
above the schema.  What to erase and export lives in ``omnidesk.core.rights``.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterable

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from omnidesk.core.contact import mailbox_key
from omnidesk.core.identity.keys import fold, fold_address, fold_letters
from omnidesk.core.models import Setting, Suppression, utcnow

SALT_SETTING = "suppression_salt"
_IN = 900  # values per IN (...) list, below SQLite's parameter limit
ROW_KIND = "row"  # the suppression kind of a whole source row, by its row hash
FILE_ROW_KIND = "file row"  # ...and of the place of that row: its file's bytes and its number there


def workspace_salt(conn: Connection) -> str:
    """The workspace's own salt for suppression hashes, made on first use (in ``conn``'s transaction)."""
    table = Setting.__table__
    value = conn.execute(select(table.c.value).where(table.c.key == SALT_SETTING)).scalar()
    if value is None:
        value = json.dumps(secrets.token_hex(16))
        conn.execute(insert(table).values(key=SALT_SETTING, value=value))
    return json.loads(value)


def identifier_hash(salt: str, kind: str, value: str) -> str:
    """One identifier (kind "email", "phone", "external") alone: blocks every row that carries it."""
    return hashlib.sha256(f"{salt}\x1f{kind}\x1f{value}".encode()).hexdigest()


def written_forms(identifiers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """``identifiers`` with each email's mailbox beside it where that is written otherwise.

    An erased person's "janedoe@gmail.com" is also "jane.doe@gmail.com", "JaneDoe@googlemail.com"
    and "janedoe+shop@gmail.com" (``contact.mailbox_key``): the list keeps the mailbox, and a row
    is looked up by its address as written and by its mailbox, so a person erased before the
    list kept mailboxes stays out by the address as it was.
    """
    out = []
    for kind, value in identifiers:
        out.append((kind, value))
        if kind == "email" and (key := mailbox_key(value)) != value:
            out.append((kind, key))
    return out


def name_key(first_name: str, last_name: str) -> str:
    """A name folded the way identity resolution compares names: "José LEE" is "joselee"."""
    return fold(f"{first_name} {last_name}")


def named_identifier_hash(salt: str, kind: str, value: str, name: str) -> str:
    """An identifier together with one folded name: blocks that person, not others sharing it."""
    return identifier_hash(salt, f"{kind}+name", f"{value}\x1f{name}")


def row_suppression_hash(salt: str, row_hash: str) -> str:
    """A whole source row: the only trace of a person who has no email, phone or id."""
    return identifier_hash(salt, ROW_KIND, row_hash)


def file_row_hash(salt: str, file_hash: str, record_no: int) -> str:
    """The row numbered ``record_no`` of the file whose bytes hash to ``file_hash``: what an error
    report written before an erase names in its own columns (its batch and row), whatever the user
    typed over the row's cells since.  A report row that names an erased person's row is theirs."""
    return identifier_hash(salt, FILE_ROW_KIND, f"{file_hash}\x1f{record_no}")


def mention_hash(salt: str, part: str, folded: str) -> str:
    """One of an erased person's full names or streets (``part``: "name" or "street"), folded as
    ``mentions`` folds them.  It keeps no row out: with one of their emails or phones beside it in
    a later row of someone else, it tells that row's import what of theirs to leave out."""
    return identifier_hash(salt, f"mention:{part}", folded)


PERSON_KIND = "person"  # the suppression kind of a name with where the person lives and was born
_ANY_BIRTHDAY, _NO_BIRTHDAY = "any birthday", "no birthday"


def _postcode_key(postcode: str) -> str:
    """A postcode as a re-saved file writes it too: letters and digits only, a number without
    its leading zeros ("04101", "4101"; Excel drops them) and a ZIP without its +4."""
    if m := re.fullmatch(r"(\d{5})-\d{4}", postcode.strip()):
        postcode = m.group(1)
    key = "".join(ch for ch in postcode.upper() if ch.isalnum())
    return key.lstrip("0") if key.isdigit() else key


def _person_parts(first_name: str, last_name: str, street: str, postcode: str) -> tuple[str, str, str] | None:
    """(folded name, folded street, postcode key), or None without a first and a last name."""
    if not (fold(first_name) and fold(last_name)):
        return None  # a surname alone ("Price" at 12 Elm St) is the whole household
    return name_key(first_name, last_name), fold_address(street), _postcode_key(postcode)


def _person_hash(salt: str, name: str, place: str, value: str, birthday: str) -> str:
    """A folded name, a place (``street+postcode``, ``street`` or ``postcode``) and its value, and a birthday."""
    return identifier_hash(salt, PERSON_KIND, "\x1f".join((name, place, value, birthday)))


def erased_person_hashes(salt: str, first_name: str, last_name: str, street: str, postcode: str,
                         birthday: str | None) -> set[str]:
    """The name-and-place keys erasing a person writes for one of their records (normalized
    values, as the record keeps them): what still tells a later row of theirs that is
    written otherwise, and rarely anyone else's.

    Their folded first and last name (both: a surname alone is the household), with

    * their street (folded as matching folds addresses: "12 Elm Street" is "12 elm st") and
      postcode (:func:`_postcode_key`), for a later row with no birthday;
    * the same, for a later row with a birthday, when theirs was not known;
    * their birthday with their postcode, and with their street: a birthday tells a daughter
      named after her mother at the same house from her, and with it one changed spelling
      of the street or the postcode is still them.

    :func:`row_suppression_keys` looks a row up by the forms its own values give.  Each key
    is a salted hash: nothing of the person is kept in clear.
    """
    parts = _person_parts(first_name, last_name, street, postcode)
    if parts is None:
        return set()
    name, street_key, post = parts
    out = set()
    if street_key and post:
        both = f"{street_key}\x1f{post}"
        out.add(_person_hash(salt, name, "street+postcode", both, _ANY_BIRTHDAY))
        if not birthday:
            out.add(_person_hash(salt, name, "street+postcode", both, _NO_BIRTHDAY))
    if birthday:
        out |= {_person_hash(salt, name, place, value, birthday)
                for place, value in (("street", street_key), ("postcode", post)) if value}
    return out


def _row_person_hashes(salt: str, first_name: str, last_name: str, street: str, postcode: str,
                       birthday: str | None) -> list[str]:
    """The name-and-place keys an imported row is looked up by (:func:`erased_person_hashes`):
    without a birthday, its name, street and postcode; with one, the same where the erased
    person's birthday was not known, and its birthday with its street and with its postcode."""
    parts = _person_parts(first_name, last_name, street, postcode)
    if parts is None:
        return []
    name, street_key, post = parts
    out = []
    if street_key and post:
        out.append(_person_hash(salt, name, "street+postcode", f"{street_key}\x1f{post}",
                                _NO_BIRTHDAY if birthday else _ANY_BIRTHDAY))
    if birthday:
        out += [_person_hash(salt, name, place, value, birthday)
                for place, value in (("street", street_key), ("postcode", post)) if value]
    return out


def row_suppression_keys(salt: str, identifiers: Iterable[tuple[str, str]], first_name: str,
                         last_name: str, row_hash: str, *, street: str = "", postcode: str = "",
                         birthday: str | None = None) -> list[str]:
    """Every hash that keeps an imported row out when it is on the suppression list.

    The same four forms erasing a person writes (``omnidesk.core.rights``): each
    identifier alone, each identifier with the row's name, the row itself, and the
    row's name with its street, postcode and birthday (normalized, as the row reads them).
    """
    identifiers = written_forms(identifiers)
    keys = [identifier_hash(salt, k, v) for k, v in identifiers]
    name = name_key(first_name, last_name)
    if name:
        keys += [named_identifier_hash(salt, k, v, name) for k, v in identifiers]
        # A person erased before kana and Devanagari names were read in Latin letters
        # is on the list under the name as it was folded then.
        earlier = fold_letters(f"{first_name} {last_name}")
        if earlier != name:
            keys += [named_identifier_hash(salt, k, v, earlier) for k, v in identifiers]
    keys.append(row_suppression_hash(salt, row_hash))
    keys += _row_person_hashes(salt, first_name, last_name, street, postcode, birthday)
    return keys


def known_suppressions(conn: Connection, hashes: Iterable[str]) -> set[str]:
    """Which of these hashes are on the suppression list."""
    table = Suppression.__table__
    keys = list(set(hashes))
    found: set[str] = set()
    for i in range(0, len(keys), _IN):
        found.update(conn.execute(select(table.c.hash).where(table.c.hash.in_(keys[i:i + _IN]))).scalars())
    return found


def add_suppressions(conn: Connection, hashes: Iterable[str]) -> int:
    """Put these hashes on the suppression list (those already there stay as they are); returns how many were new."""
    wanted = set(hashes)
    new = sorted(wanted - known_suppressions(conn, wanted))
    if new:
        now = utcnow()
        conn.execute(insert(Suppression.__table__), [{"hash": h, "created_at": now} for h in new])
    return len(new)
