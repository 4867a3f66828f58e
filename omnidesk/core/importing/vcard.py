"""vCard files (.vcf): the contacts a phone's address book exports, read as rows of a table.

An iPhone or iCloud (vCard 3.0), Android's Contacts app (vCard 2.1, its names in
quoted-printable UTF-8), Outlook and most address books export their contacts
as one ``.vcf`` file of ``BEGIN:VCARD`` … ``END:VCARD`` cards.  A file whose first
line that is not blank is ``BEGIN:VCARD`` is one, whatever its name says
(:func:`is_vcard`).  Each card becomes one row whose columns are named the way the
``vcard`` preset (``resources/presets/vcard.toml``) maps them — ``First Name``,
``E-mail 1 - Value``, ``Phone 2 - Type``, ``Address 1 - City``, ``Birthday``,
``Categories`` … — so the rest of the import (the raw row kept with its file and
its number in the file, matching, the Sources tab) treats a card as any other row.
The header is the file's own: as many numbered e-mail, phone and address columns
as its fullest card needs (:func:`file_layout`, which reads every card first and
refuses a file cut short).  The first e-mail and phone, the customer's own, are the ones the
card prefers (``PREF``), then a mobile before a landline; a fax or a pager is no phone (see
:meth:`_Prop.is_phone`) and goes to ``Other Fields``.  A number an iPhone labels (``X-ABLabel``) is
what its label says, before its types: a mobile, a fax or a pager (:data:`_LABEL_KINDS`).

What a card holds that no column takes (an IM handle, a social profile, an
anniversary, its UID) is kept in the row's ``Other Fields`` cell, a line each.  A
photo, logo, sound or key (base64 data, often hundreds of kilobytes) is never
read into memory nor stored.

Parsed by hand, after RFC 2425/2426 (3.0), RFC 6350 (4.0) and the vCard 2.1
specification: lines unfolded (a line starting with a space or tab continues the
one before; a UTF-8 character a fold cut in two is read whole, see ``csv_lines.open_lines``), a quoted-printable value's soft line breaks (``=`` at the end of a
line, the next line not indented as Android writes a long name, or indented by a writer that
folds it too) joined, values
decoded in their ``CHARSET``, group prefixes (``item1.EMAIL``) read, Apple's
``X-ABLabel`` of a group used as its type, backslash escapes undone.  The
``vobject`` library was tried first and set aside: it stops the whole file with a
parse error at the first soft line break of Android's quoted-printable export,
drops 2.1's bare types (``TEL;CELL``), and gives no line numbers to tell the user
where a card starts.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from omnidesk.core.importing.encodings import codec_label, guess_legacy
from omnidesk.core.importing.unreadable import UnreadableFileError
from omnidesk.core.text import printable

__all__ = ["Card", "VCardLayout", "cards", "file_layout", "is_vcard", "row_of"]

# Properties whose values are binary data: skipped, never held nor stored.
_BINARY = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})
# Properties that only say how the file was made: no cell, not a reason for a row.
_HOUSEKEEPING = frozenset({"VERSION", "PRODID", "REV", "UID", "X-ABUID", "CLASS", "KIND"})
_STRUCTURED = frozenset({"N", "ADR", "ORG", "GENDER", "CLIENTPIDMAP"})
_LISTS = frozenset({"CATEGORIES", "NICKNAME"})
# 2.1 writes an encoding as a bare parameter (``NOTE;QUOTED-PRINTABLE:``) as well as ENCODING=.
_ENCODINGS = frozenset({"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"})
# Types that add nothing a person reads (every email is "internet", every phone "voice").
_SILENT_TYPES = frozenset({"internet", "pref", "voice", "x400"})
# A phone the card marks as a mobile: the one to text, first after the ones it prefers.
_MOBILE_TYPES = frozenset({"cell", "iphone", "x-mobile", "mobile", "text"})
_TYPE_WORDS = {"cell": "Mobile", "iphone": "iPhone", "pager": "Pager", "fax": "Fax", "home": "Home",
               "work": "Work", "main": "Main", "other": "Other", "text": "Text", "video": "Video",
               "msg": "Message", "textphone": "Textphone", "car": "Car", "isdn": "ISDN", "dom": "Domestic",
               "intl": "International", "postal": "Postal", "parcel": "Parcel", "bbs": "BBS",
               "modem": "Modem", "voice": "Voice", "pcs": "PCS", "x-mobile": "Mobile"}
# Apple writes its own labels of a group as _$!<Label>!$_.
_APPLE_LABEL = re.compile(r"_\$!<(.*)>!\$_")
# What a number's label (an iPhone's X-ABLabel: Apple's own, or the user's words) says it is:
# the type word it stands for.  A mobile in the words of the common languages (Handy, Portable,
# Móvil, Celular, Cellulare …), Apple's _$!<Mobile>!$_ and iPhone; its fax labels (_$!<HomeFAX>!$_,
# _$!<WorkFAX>!$_, _$!<OtherFAX>!$_) and a user's "Fax"; its _$!<Pager>!$_.
_LABEL_KINDS = {
    **dict.fromkeys(("mobile", "mobil", "mobiel", "móvil", "movil", "cell", "cellphone", "cellular", "celular",
                     "cellulare", "handy", "portable", "iphone", "natel", "gsm"), "cell"),
    **dict.fromkeys(("fax", "homefax", "workfax", "otherfax", "telefax", "télécopie"), "fax"),
    **dict.fromkeys(("pager", "beeper"), "pager"),
}
_LABEL_WORD = re.compile(r"[^\W_]+")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_UNESCAPED = {"n": "\n", "N": "\n", ",": ",", ";": ";", "\\": "\\", ":": ":"}
_KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
_BDAY = re.compile(r"(\d{4}|--)-?(\d{2})-?(\d{2})(?:T.*)?")
# A value longer than this (a photo's not read) is no contact's: the file is refused.
MAX_CARD_CHARS = 4_000_000

ADDRESS_PARTS = ("PO Box", "Extended Address", "Street", "City", "Region", "Postal Code", "Country")


def is_vcard(text: str) -> bool:
    """Whether ``text`` (a file's first characters, decoded) starts, past blank lines and a
    byte-order mark, with ``BEGIN:VCARD``."""
    for line in text.lstrip("\ufeff").splitlines():
        if line.strip():
            return line.strip().upper().replace(" ", "") == "BEGIN:VCARD"
    return False


@dataclass
class _Prop:
    group: str
    name: str
    params: dict[str, list[str]]
    value: str
    line: int

    label: str = ""  # its group's X-ABLabel, as written (an iPhone's name for a number)

    def types(self) -> list[str]:
        return [t.lower() for t in self.params.get("TYPE", []) if t]

    def words(self) -> set[str]:
        """Its types, one a word (``TYPE="voice,cell"`` is two)."""
        return {w.strip() for t in self.types() for w in t.split(",") if w.strip()}

    def labelled(self) -> str:
        """What its label says it is (``cell``, ``fax`` or ``pager``), or "" for a label that says
        none of these (Home, Main, a name) or no label."""
        kinds = {_LABEL_KINDS.get(w) for w in _LABEL_WORD.findall(self.label.casefold())} - {None}
        for kind in ("fax", "pager", "cell"):  # "Mobile fax" is a fax
            if kind in kinds:
                return kind
        return ""

    def phone_words(self) -> set[str]:
        """Its types, and what its label says: a label (what the phone's user sees) says it first."""
        labelled = self.labelled()
        if labelled:
            return {labelled}
        return self.words()

    def preference(self) -> int:
        """How much the card prefers this value: 1 (most) to 100, as vCard 4.0's ``PREF=`` says;
        1 for a type ``pref`` (2.1's bare ``PREF``, 3.0's ``TYPE=pref``); 101 for none."""
        ranks = [101]
        if "pref" in self.words():
            ranks.append(1)
        ranks += [min(max(int(v), 1), 100) for v in self.params.get("PREF", []) if v.strip().isdigit()]
        return min(ranks)

    def is_fax(self) -> bool:
        """A fax number (``TEL;WORK;FAX``): one no one answers nor texts."""
        words = self.phone_words()
        return "fax" in words and not words & (_MOBILE_TYPES | {"voice"})

    def is_pager(self) -> bool:
        """A pager (``TEL;PAGER``, an iPhone's _$!<Pager>!$_): a number to page, never one to text."""
        words = self.phone_words()
        return "pager" in words and not words & _MOBILE_TYPES  # a pager's voice is a message

    def is_phone(self) -> bool:
        """A number to call or text: a ``TEL`` that is no fax nor pager."""
        return self.name == "TEL" and not self.is_fax() and not self.is_pager()

    def phone_rank(self) -> tuple[int, int]:
        """Where this phone stands among the card's: the ones it prefers first, then a mobile
        before a landline."""
        return self.preference(), 0 if self.phone_words() & _MOBILE_TYPES else 1


@dataclass
class Card:
    """One card as read: its first line, its properties and what could not be read."""

    line: int
    end: int = 0  # the line of its END:VCARD
    props: list[_Prop] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _bad_file(name: str, why: str) -> UnreadableFileError:
    return UnreadableFileError(f'"{name}" is a vCard file that cannot be read: {why}; export the contacts '
                               "again and import the new file. Nothing was imported.")


def _logical_lines(lines: Iterable[str]) -> Iterator[tuple[int, str, bool]]:
    """(line number, unfolded content line, whether it is binary data left out) of ``lines``.

    A line starting with a space or tab continues the one before (less that one
    character); so does a line after a quoted-printable line ending in ``=`` (a soft
    line break; less its first space or tab, if it has one), and a line with no colon inside a property (2.1's base64 data,
    not always indented).  The value of a photo or other binary property is not
    gathered: its line comes out as its name and parameters alone.
    """
    parts: list[str] = []
    start = 0
    qp = binary = base64_data = False
    size = 0
    number = 0
    for number, raw in enumerate(lines, 1):
        text = raw.rstrip("\r\n")
        if parts:
            if qp and parts[-1].endswith("=") and text.strip().upper() != "END:VCARD":
                # A soft line break: the value goes on, past the space or tab of a writer that
                # also folds the line (a quoted-printable value's own spaces are never there).
                parts[-1] = parts[-1][:-1]
                parts.append(text[1:] if text[:1] in (" ", "\t") else text)
                size += len(text)
                if size > MAX_CARD_CHARS:
                    raise _TooLong(start)
                continue
            if text[:1] in (" ", "\t") or (text and ":" not in text and base64_data):
                if not binary:
                    parts.append(text[1:] if text[:1] in (" ", "\t") else text)
                    size += len(text)
                    if size > MAX_CARD_CHARS:
                        raise _TooLong(start)
                continue
            yield start, "".join(parts), binary
            parts = []
        if not text.strip():
            continue
        start = number
        head = text.split(":", 1)[0].upper()
        qp = "QUOTED-PRINTABLE" in head
        name = head.split(";", 1)[0].rsplit(".", 1)[-1].strip()
        binary = name in _BINARY
        base64_data = binary or "BASE64" in head or "ENCODING=B" in head
        size = len(text)
        parts = [head if binary else text]
    if parts:
        yield start, "".join(parts), binary


class _TooLong(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _split_params(head: str) -> list[str]:
    if '"' not in head:
        return head.split(";")
    out, cur, quoted = [], [], False
    for ch in head:
        if ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            out.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    out.append("".join(cur))
    return out


def _colon(text: str) -> int:
    """Where the property's name and parameters end: the first colon outside double quotes."""
    at = text.find(":")
    if at < 0 or '"' not in text[:at]:
        return at
    quoted = False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif ch == ":" and not quoted:
            return i
    return -1


def _parse(line: int, text: str) -> _Prop | None:
    at = _colon(text)
    if at < 0:
        return None
    head, value = text[:at], text[at + 1:]
    pieces = _split_params(head)
    group, _, name = pieces[0].strip().rpartition(".")
    params: dict[str, list[str]] = {}
    for piece in pieces[1:]:
        piece = piece.strip()
        if not piece:
            continue
        key, eq, val = piece.partition("=")
        if eq:
            key = key.strip().upper()
            values = [v.strip().strip('"') for v in val.split(",")] if key == "TYPE" else [val.strip().strip('"')]
        else:  # vCard 2.1's bare parameter: an encoding, or a type
            key, values = ("ENCODING" if key.upper() in _ENCODINGS else "TYPE"), [key]
        params.setdefault(key, []).extend(values)
    return _Prop(group.upper(), name.upper(), params, value, line)


def _decode(prop: _Prop, problems: list[str], own: str | None = None) -> str:
    """The property's value as text: quoted-printable or base64 undone, in its charset.

    A value that names no ``CHARSET`` is UTF-8 if it reads as UTF-8; else in the file's own code
    page ``own`` (Outlook writes its accents in Windows-1252 that way); else, in a file that
    tells none (all ASCII), in the likeliest code page, and flagged."""
    encoding = (prop.params.get("ENCODING") or [""])[0].upper()
    if encoding not in ("QUOTED-PRINTABLE", "BASE64", "B"):
        return prop.value
    named = prop.params.get("CHARSET")
    charset = named[0] if named else "utf-8"
    try:
        if encoding == "QUOTED-PRINTABLE":
            data = quopri.decodestring(prop.value.encode("utf-8"))
        else:
            data = base64.b64decode("".join(prop.value.split()), validate=False)
    except (ValueError, binascii.Error):
        problems.append(f"line {prop.line}: {prop.name} is not valid {encoding.lower()}; kept as written")
        return prop.value
    if not named:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        if own:
            return data.decode(own, "replace")
        guess = guess_legacy(data).encoding
        problems.append(f"line {prop.line}: {prop.name} is not UTF-8 and names no character set; read as "
                        f"{codec_label(guess)}, check this value")
        return data.decode(guess, "replace")
    try:
        return data.decode(charset)
    except LookupError:
        problems.append(f"line {prop.line}: {prop.name} names an unknown character set {printable(charset)}; "
                        "read as UTF-8")
    except UnicodeDecodeError:
        problems.append(f"line {prop.line}: {prop.name} is not valid {printable(charset)}; check this value")
    return data.decode("utf-8", "replace")


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _ESCAPE.sub(lambda m: _UNESCAPED.get(m.group(1), m.group(0)), text)


def _split(text: str, sep: str) -> list[str]:
    """``text`` split at each ``sep`` not escaped by a backslash, each part unescaped."""
    if "\\" not in text:
        return text.split(sep)
    out, cur, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            cur.append(text[i:i + 2])
            i += 2
            continue
        if ch == sep:
            out.append(_unescape("".join(cur)))
            cur = []
        else:
            cur.append(ch)
        i += 1
    out.append(_unescape("".join(cur)))
    return out


def cards(lines: Iterable[str], name: str) -> Iterator[Card]:
    """The cards of a vCard file's text ``lines``, in order.

    Refuses (``UnreadableFileError``) a file that ends inside a card (no
    ``END:VCARD``: cut short), one with text outside any card, and a card too long
    to be a contact.  A card inside a card (2.1's ``AGENT``) is passed over.
    """
    card: Card | None = None
    depth = 0
    try:
        for line, text, binary in _logical_lines(lines):
            upper = text.upper().replace(" ", "")
            if upper == "BEGIN:VCARD":
                if card is None:
                    card = Card(line)
                else:
                    depth += 1
                continue
            if upper == "END:VCARD":
                if card is None:
                    raise _bad_file(name, f"line {line} ends a contact card that never began (END:VCARD)")
                if depth:
                    depth -= 1
                    continue
                card.end = line
                yield card
                card = None
                continue
            if card is None:
                raise _bad_file(name, f'line {line} is outside any contact card ("{printable(text[:40])}")')
            if depth or binary:
                continue
            prop = _parse(line, text)
            if prop is None:
                card.problems.append(f'line {line} is no vCard property ("{printable(text[:40])}"); kept as written')
                prop = _Prop("", "", {}, text, line)
            card.props.append(prop)
    except _TooLong as e:
        raise _bad_file(name, f"the value on line {e.line} is too long to be a contact's") from None
    if card is not None:
        raise _bad_file(name, f"it ends inside the contact card that begins on line {card.line} (it has no "
                              "END:VCARD: the file was cut short)")


@dataclass(frozen=True)
class VCardLayout:
    """The columns of a vCard file: as many numbered e-mails, phones and addresses as its
    fullest card has (one at least), and how many cards it holds."""

    emails: int = 1
    phones: int = 1
    addresses: int = 1
    cards: int = 0
    contacts: int = 0  # the cards that hold anything about someone

    @property
    def header(self) -> tuple[str, ...]:
        return (
            "Full Name", "First Name", "Middle Name", "Last Name", "Name Prefix", "Name Suffix",
            "Phonetic First Name", "Phonetic Middle Name", "Phonetic Last Name", "Name Reading", "Sort String",
            "Nickname",
            *(f"E-mail {i} - {part}" for i in range(1, self.emails + 1) for part in ("Type", "Value")),
            *(f"Phone {i} - {part}" for i in range(1, self.phones + 1) for part in ("Type", "Value")),
            "Organization Name", "Organization Department", "Organization Title",
            *(f"Address {i} - {part}" for i in range(1, self.addresses + 1) for part in ("Type", *ADDRESS_PARTS)),
            "Birthday", "Website", "Categories", "Notes", "Other Fields", "vCard Version",
        )


def file_layout(lines: Iterable[str], name: str) -> VCardLayout:
    """Read every card of a vCard file's ``lines``: the file's columns, or why it cannot be imported."""
    emails = phones = addresses = 1
    count = contacts = 0
    for card in cards(lines, name):
        count += 1
        kinds = [p.name for p in card.props]
        _labels(card, [])  # a number labelled a fax or a pager is no phone column
        emails = max(emails, kinds.count("EMAIL"))
        phones = max(phones, sum(p.is_phone() for p in card.props))
        addresses = max(addresses, kinds.count("ADR"))
        if any(k not in _HOUSEKEEPING for k in kinds):
            contacts += 1
    if not count:
        raise _bad_file(name, "it holds no contact card")
    if not contacts:
        raise UnreadableFileError(
            f'"{name}" is a vCard file whose {count:,} contact card{"s hold" if count > 1 else " holds"} nothing about '
            "anyone (no name, e-mail, phone or other detail), so there is nothing to import; export the contacts "
            "again and check the file has them.")
    return VCardLayout(emails, phones, addresses, count, contacts)


def _labels(card: Card, problems: list[str], own: str | None = None) -> dict[str, str]:
    """The names Apple's ``X-ABLabel`` gives the card's groups, as shown (``_$!<Mobile>!$_`` is
    Mobile); each of its properties in a labelled group told its label."""
    written = {p.group: _unescape(_decode(p, problems, own)).strip()
               for p in card.props if p.name == "X-ABLABEL" and p.group}
    for prop in card.props:
        if prop.group in written and prop.name != "X-ABLABEL":
            prop.label = written[prop.group]
    return {group: _APPLE_LABEL.sub(r"\1", label) for group, label in written.items()}


def _type_text(prop: _Prop, labels: dict[str, str]) -> str:
    if prop.group and prop.group in labels:
        return labels[prop.group]
    words = []
    for t in prop.types():
        for word in t.split(","):
            word = word.strip()
            if word and word not in _SILENT_TYPES:
                words.append(_TYPE_WORDS.get(word, word))
    return ", ".join(dict.fromkeys(words))


def _birthday(prop: _Prop, text: str) -> str:
    """BDAY as a date the importer reads: a year Apple writes for "no year" (1604, or the one
    its X-APPLE-OMIT-YEAR names) and vCard 4.0's --MMDD give --MM-DD; a time is dropped."""
    m = _BDAY.fullmatch(text.strip())
    if m is None:
        return text
    year, month, day = m.groups()
    omitted = (prop.params.get("X-APPLE-OMIT-YEAR") or ["1604"])[0]
    if year in ("--", omitted, "1604", "0000"):
        return f"--{month}-{day}"
    return f"{year}-{month}-{day}"


def row_of(card: Card, layout: VCardLayout, own: str | None = None) -> tuple[tuple[str, ...], str | None, bool]:
    """(the card's cells under ``layout.header``, its problems or None, whether it holds anything).

    ``own`` is the file's own code page, if it has one other than UTF-8: the one a quoted-printable
    value that names no character set is in when it is not UTF-8."""
    problems = list(card.problems)
    cells: dict[str, str] = {}
    emails: list[tuple[int, str, str]] = []
    phones: list[tuple[tuple[int, int], str, str]] = []
    addresses: list[tuple[str, list[str]]] = []
    urls: list[str] = []
    categories: list[str] = []
    notes: list[str] = []
    nicknames: list[str] = []
    other: list[str] = []
    labels = _labels(card, problems, own)
    anything = False
    shown_as = card_kind = ""
    for prop in card.props:
        name = prop.name
        if name == "X-ABLABEL" and prop.group:
            continue
        if name not in _HOUSEKEEPING:
            anything = True
        value = _decode(prop, problems, own)
        if name == "X-ABSHOWAS":
            shown_as = value.strip().lower()
        elif name == "KIND":
            card_kind = value.strip().lower()
        if name == "VERSION":
            cells["vCard Version"] = value.strip()
        elif name == "FN":
            cells.setdefault("Full Name", _unescape(value).strip())
        elif name == "N":
            parts = [" ".join(x.strip() for x in _split(p, ",") if x.strip()) for p in _split(value, ";")]
            parts += [""] * (5 - len(parts))
            for column, part in zip(("Last Name", "First Name", "Middle Name", "Name Prefix", "Name Suffix"),
                                    parts):
                cells.setdefault(column, part)
        elif name in ("X-PHONETIC-FIRST-NAME", "X-PHONETIC-MIDDLE-NAME", "X-PHONETIC-LAST-NAME"):
            column = "Phonetic " + name.split("-")[2].title() + " Name"
            cells.setdefault(column, _unescape(value).strip())
        elif name == "SORT-STRING":
            cells.setdefault("Sort String", _unescape(value).strip())
        elif name == "NICKNAME":
            nicknames += [x.strip() for x in _split(value, ",") if x.strip()]
        elif name == "EMAIL":
            emails.append((prop.preference(), _type_text(prop, labels), _unescape(value).strip()))
        elif name == "TEL":
            number = _unescape(value).strip()
            if number.lower().startswith("tel:"):
                number = number[4:]
            if not prop.is_phone():  # a fax or a pager: never the customer's phone, nor one to text
                other.append(f"TEL ({_type_text(prop, labels)}): {number}")
            else:
                phones.append((prop.phone_rank(), _type_text(prop, labels), number))
        elif name == "ORG":
            parts = [p.strip() for p in _split(value, ";")]
            cells.setdefault("Organization Name", parts[0])
            cells.setdefault("Organization Department", ", ".join(p for p in parts[1:] if p))
        elif name == "TITLE":
            cells.setdefault("Organization Title", _unescape(value).strip())
        elif name == "ADR":
            parts = [p.strip() for p in _split(value, ";")]
            addresses.append((_type_text(prop, labels), (parts + [""] * 7)[:7]))
        elif name == "BDAY":
            cells.setdefault("Birthday", _birthday(prop, _unescape(value)))
        elif name == "URL":
            urls.append(_unescape(value).strip())
        elif name == "CATEGORIES":
            categories += [x.strip() for x in _split(value, ",") if x.strip()]
        elif name == "NOTE":
            notes.append(_unescape(value).strip())
        elif name in _HOUSEKEEPING or not name:
            if name:
                other.append(f"{name}: {_unescape(value).strip()}")
            else:
                other.append(value.strip())
        else:
            kind = _type_text(prop, labels)
            shown = _unescape(value).strip() if name not in _STRUCTURED and name not in _LISTS else (
                "; ".join(x for x in _split(value, ";") if x.strip()))
            other.append(f"{name}{f' ({kind})' if kind else ''}: {shown}")
    # A company's card (the iPhone's "show as company", vCard 4.0's KIND:org, or no name but the
    # company's): its FN is the company, no person's name.
    company = cells.get("Organization Name", "")
    full = cells.get("Full Name", "")
    nameless = not any(cells.get(c) for c in ("Last Name", "First Name", "Middle Name", "Name Prefix", "Name Suffix"))
    if full and (shown_as == "company" or card_kind == "org" or (nameless and full.casefold() == company.casefold())):
        if not company:
            cells["Organization Name"] = company = full
        if full.casefold() == company.casefold():
            cells["Full Name"] = ""
    # A reading Japanese phones give only as the sort string (in kana).
    sort = cells.get("Sort String", "")
    if sort and _KANA.search(sort) and not any(cells.get(f"Phonetic {p} Name") for p in ("First", "Last")):
        cells["Name Reading"] = sort
    if nicknames:
        cells["Nickname"] = ", ".join(dict.fromkeys(nicknames))
    # The first e-mail and phone are the customer's own (the ones texted and mailed): those the card
    # prefers first, then (a phone) a mobile before a landline; else as written.
    emails.sort(key=lambda e: e[0])
    phones.sort(key=lambda p: p[0])
    for i, (_, kind, value) in enumerate(emails, 1):
        cells[f"E-mail {i} - Type"], cells[f"E-mail {i} - Value"] = kind, value
    for i, (_, kind, value) in enumerate(phones, 1):
        cells[f"Phone {i} - Type"], cells[f"Phone {i} - Value"] = kind, value
    for i, (kind, parts) in enumerate(addresses, 1):
        cells[f"Address {i} - Type"] = kind
        for part, value in zip(ADDRESS_PARTS, parts):
            cells[f"Address {i} - {part}"] = value
    if urls:
        cells["Website"] = " ::: ".join(urls)
    if categories:
        cells["Categories"] = " ::: ".join(dict.fromkeys(categories))
    if notes:
        cells["Notes"] = "\n".join(n for n in notes if n)
    if other:
        cells["Other Fields"] = "\n".join(other)
    header = layout.header
    return tuple(cells.get(h, "") for h in header), ("; ".join(problems) or None), anything
