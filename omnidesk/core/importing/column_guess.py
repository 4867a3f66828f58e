"""Guess what each column of a file means, with or without a preset.

A preset's own columns and patterns decide first.  The generic guesser takes
the rest: the synonym table (``resources/header_synonyms.toml``, several
languages), a known phrase among qualifier words ("Customer e-mail", "Phone 2"),
a form's question ("What is your email?"), then a typo-tolerant fuzzy match.
A few guesses are reconsidered once the whole file is seen.  The word lists
below tune how headers are read; the table of what phrases mean is data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from omnidesk.core.importing.fields import EVENT_FIELDS, FIELDS_BY_NAME, IGNORE, FieldType, Kind
from omnidesk.core.importing.headers import header_key, header_keys, header_words
from omnidesk.core.importing.preset_data import Preset, load_header_synonyms

__all__ = ["AS_EVENT_TIME", "ColumnGuess", "guess_kind", "guess_mapping", "is_label_row", "mapping_fields"]

_STRONG = 0.9
_WEAK = 0.7
_QUALIFIED = 0.8
_PRESET = 1.0

# Words that can surround a synonym without changing its field:
# "Customer e-mail", "Work phone", "Billing zip", "E-mail 2", "Phone (mobile)".
_PERSON_WORDS = frozenset(
    "customer customers cust client clients contact contacts member members user users buyer "
    "buyers guest guests subscriber subscribers patient patients person profile account "
    "visitor visitors attendee attendees participant participants respondent respondents "
    "prospect prospects kunde kunden kundin klant klanten cliente clientes".split()
)
# "address" qualifies the parts of an address ("Default Address City", "Address 1 - Zip");
# a possessive ("Customer's email") and a time zone note ("Submit Date (UTC)") do not
# change what a column holds either.
_QUALIFIERS = _PERSON_WORDS | frozenset(
    "your my the of de du des der die das la le el di primary main preferred personal private "
    "home work business office billing shipping delivery mailing default current other alt "
    "alternative alternate secondary additional best mobile cell principal privat geschaftlich "
    "address physical s utc gmt "
    "shopify square mailchimp klaviyo stripe woocommerce wix squarespace".split()
)
# A bare number-ish word is an ID, but whose ID depends on the file.
_AMBIGUOUS_ID = frozenset({"id", "no", "nr", "number", "num", "ref", "reference", "nummer", "numero"})

_TYPE_WORDS = frozenset({"type", "tipo", "kind"})
_PRICE_WORDS = frozenset(header_key(w) for w in ("Price", "Prix", "Preis", "Precio", "Prezzo"))


@dataclass(frozen=True)
class _Synonym:
    phrase: str
    field: str
    confidence: float


def _build_synonyms(phrases: Mapping[str, Sequence[str]]) -> dict[str, _Synonym]:
    """Index the phrases by header key, and by the same words run together.

    The loader has refused a phrase meaning two fields, so an entry is only
    ever replaced by the same field's phrase written as that very key.
    """
    table: dict[str, _Synonym] = {}
    for name, group in phrases.items():
        for raw in group:
            weak = raw.startswith("~")
            key = header_key(raw.lstrip("~"))
            entry = _Synonym(key, name, _WEAK if weak else _STRONG)
            # As written first, then run together: a set's order would change with
            # the process's string hashing, and with it the phrase a guess names.
            for variant in dict.fromkeys((key, key.replace(" ", ""))):
                previous = table.get(variant)
                if previous is None or (variant == key and previous.phrase != key):
                    table[variant] = entry
    return table


_SYNONYMS: dict[str, _Synonym] = _build_synonyms(load_header_synonyms())
# A phrase with its words in another order ("Consent SMS", "Address Formatted") means
# the same, a little less surely than the phrase as written.
_REORDERED_CONFIDENCE = 0.85


def _build_reordered() -> dict[tuple[str, ...], _Synonym | None]:
    table: dict[tuple[str, ...], _Synonym | None] = {}
    for key, synonym in _SYNONYMS.items():
        words = header_words(key)
        if len(words) < 2 or key != synonym.phrase:
            continue
        bag = tuple(sorted(words))
        entry = _Synonym(synonym.phrase, synonym.field, min(synonym.confidence, _REORDERED_CONFIDENCE))
        previous = table.get(bag, entry)
        # The same words meaning two fields in two orders say nothing once reordered.
        table[bag] = entry if previous is not None and previous.field == entry.field else None
    return table


_REORDERED: dict[tuple[str, ...], _Synonym | None] = _build_reordered()
# Fuzzy matching only against phrases long enough that one typo is not another word.
_FUZZY_CHOICES: list[str] = sorted(k for k in _SYNONYMS if len(k) >= 4 and " " not in k)


@dataclass(frozen=True)
class ColumnGuess:
    """What one column of a file is believed to hold, and why."""

    index: int
    header: str
    field: str
    confidence: float
    reason: str


@dataclass
class _Candidate:
    field: str
    confidence: float
    reason: str
    # Lower wins among equal confidence: a preset's own order of preference.
    priority: int = 0
    # Generic guesses may still be reconsidered from the whole file's shape.
    generic: bool = True
    alternative: tuple[str, float] | None = None
    # A bare "ID"/"No."/"#": whose ID it is depends on the rest of the file.
    ambiguous_id: bool = False


def _lookup(key: str) -> _Synonym | None:
    found = _SYNONYMS.get(key) or _SYNONYMS.get(key.replace(" ", ""))
    if found is None and " " in key:
        found = _REORDERED.get(tuple(sorted(header_words(key))))
    return found


def is_label_row(values: Sequence[str], header: Sequence[str]) -> bool:
    """Whether a row holds labels for the columns rather than anyone's values: a second header
    line under the first ("E-mail address", "Full name", "Amount spent" under "Email", "Name",
    "Spent").  Two cells at least (one in a file of one column), each a phrase known as a
    column's header or its own column's header again, whatever its case and punctuation."""
    cells = [(i, key) for i, v in enumerate(values) if (key := header_key(v)) or v.strip()]
    if len(cells) < min(2, len(header)):
        return False
    for i, key in cells:
        if not key:
            return False
        if i < len(header) and key == header_key(header[i]):
            continue
        if _lookup(key) is None:
            return False
    return True


# A full name in one column, its parts named in the header in either order:
# "Name (Last, First)", "Last Name, First Name", "First and last name".  The
# loader splits such names, on the comma when they are written "Last, First".
_FIRST_WORDS = frozenset("first given forename forenames fname firstname givenname".split())
_LAST_WORDS = frozenset("last surname surnames family lname lastname familyname".split())
_NAME_WORDS = _FIRST_WORDS | _LAST_WORDS | frozenset("name names and full".split())


def _both_names(words: list[str]) -> bool:
    return (
        any(w in _FIRST_WORDS for w in words)
        and any(w in _LAST_WORDS for w in words)
        and all(w in _NAME_WORDS or w in _QUALIFIERS for w in words)
    )


# "E-mail 1 - Value", "Phone 1 - Type", "Address 1 - City" (Google's contact
# columns): the part after " - " is an attribute of the thing before it.
_PART_SEPARATOR = re.compile(r"\s+[-\u2013\u2014]\s+")
_VALUE_WORDS = frozenset({"value", "values"})
# which kind of e-mail, phone or address it is ("Home", "Work"), not the detail itself
_KIND_WORDS = frozenset({"label", "type", "kind"})
_ADDRESS_FIELDS = frozenset({"address", "address1"})


def _parts_candidate(header: str) -> _Candidate | None:
    parts = _PART_SEPARATOR.split(header.strip())
    if len(parts) != 2:
        return None
    thing, attribute = parts
    thing_words = [w for w in header_words(header_key(thing)) if not w.isdigit()]
    attribute_words = header_words(header_key(attribute))
    if not thing_words or not attribute_words:
        return None
    if set(attribute_words) <= _VALUE_WORDS:
        found = _generic_candidate(thing)
        # A numbered "<thing> N - Value" is one of a person's details, never an event's.
        if found.field in EVENT_FIELDS:
            return _Candidate(IGNORE, 0.0, f"'{attribute}' of '{thing}', not a contact detail")
        found.confidence = min(found.confidence, _QUALIFIED)
        found.reason += f", the value of '{thing}'"
        return found
    if set(attribute_words) <= _KIND_WORDS:
        return _Candidate(IGNORE, 0.0, f"'{attribute}' says which kind of '{thing}' it is")
    # "Organization 1 - Name" is the organization's name; "Address 1 - City" is a part of an address.
    probes = [" ".join(thing_words + attribute_words)]
    thing_field = _lookup(" ".join(thing_words))
    if thing_field is not None and thing_field.field in _ADDRESS_FIELDS:
        probes.append(" ".join(attribute_words))
    for probe in probes:
        synonym = _lookup(probe)
        if synonym is not None:
            return _synonym_candidate(
                synonym, min(synonym.confidence, _QUALIFIED), f"synonym '{synonym.phrase}' in '{header_key(header)}'"
            )
    return None


def _one_subscription(header: str) -> _Candidate | None:
    """A consent or opt-out column for one of several lists: HubSpot's "Opted out of email:
    Marketing Information" beside "Opted out of email: One to One", a "Subscribed: Newsletter".

    Each is that field (the answer on one list is an answer on the channel: any "no" among them
    closes it), whatever the list is called.
    """
    head, colon, rest = header.partition(":")
    if not colon or not rest.strip() or not head.strip():
        return None
    synonym = _lookup(header_key(head)) or _lookup(" ".join(header_words(header_key(head))))
    if synonym is None or synonym.field not in FIELDS_BY_NAME \
            or FIELDS_BY_NAME[synonym.field].type not in (FieldType.CONSENT, FieldType.OPTOUT):
        return None
    return _synonym_candidate(synonym, min(synonym.confidence, _QUALIFIED),
                              f"synonym '{synonym.phrase}' for the list '{rest.strip()}'")


def _is_substitution(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1


# What turns a consent into its refusal: "Email *Un*subscribed", "*No* newsletter", "Email *not*
# subscribed", "*Do not* email", "Opted *out*".  A typo is one or two letters, and so is "un" or
# "no": a header is never taken for a phrase that says the opposite.
_NEGATION_WORDS = frozenset(
    "not non never dont doesnt without nicht kein keine keinen niet geen sans pas nessun".split()
)
# A word that is its own refusal: unsubscribed, nonsubscriber, unconsented, deregistered, and
# "unsubscribed" in the languages whose consent headers are mapped.
_NEGATED_WORD = re.compile(r"^(?:un|non|dis|de)(?=sub|consent|opt|enrol|regist)")
# Each said as the consent it refuses, so that the header is read as that consent's refusal:
# "Newsletter-Abmeldung" is the newsletter's "do not send", "Desuscrito" an unsubscribe.
_REFUSAL_WORDS: dict[str, str] = {
    # German
    **dict.fromkeys("abmeldung abmeldungen austragung".split(), "subscription"),
    **dict.fromkeys("abgemeldet ausgetragen abbestellt abmelden".split(), "subscribed"),
    # Spanish and Portuguese
    **dict.fromkeys("desuscripcion desinscripcion descadastro".split(), "subscription"),
    **dict.fromkeys("desuscrito desuscrita desuscribir desuscribirse desinscrito desinscrita descadastrado "
                    "descadastrada desinscrever".split(), "subscribed"),
    # French
    **dict.fromkeys("desinscription desabonnement".split(), "subscription"),
    **dict.fromkeys("desinscrit desinscrite desabonne desabonnee desabonnes desinscrits".split(), "subscribed"),
    # Dutch
    **dict.fromkeys("afmelding afmeldingen uitschrijving".split(), "subscription"),
    **dict.fromkeys("afgemeld afmelden uitgeschreven uitschrijven".split(), "subscribed"),
    # Italian
    "disiscrizione": "subscription",
    **dict.fromkeys("disiscritto disiscritta disiscritti disiscriversi".split(), "subscribed"),
}
# Words that refuse without saying what ("Cancellato", "Cancelado": an order's too), and Spanish
# "(dado de) baja": a header holding one is never read as a consent, nor as a typo of one.
_NEGATED_WORDS = frozenset(_REFUSAL_WORDS) | frozenset("baja cancellato cancellata cancelado cancelada".split())
# "Dado de baja", "De baja": the words said with "baja", dropped with it.
_BAJA_LEAD = frozenset({"dado", "dada", "de"})
_NEGATED_RUNS = ("optout", "optedout", "optsout", "donot", "unsub", "nonsub")
# The verbs a refusing header says it with: "Has unsubscribed", "Is opted out", "Was unsubscribed".
_AUXILIARIES = frozenset("has have had is was were been being ever already".split())
# A consent field and the field of its refusal, where there is one.
_REFUSAL_OF = {"consent_email": "no_email", "consent_sms": "no_sms"}


def _negated(words: Sequence[str]) -> bool:
    """Whether a header's words (or a phrase's) refuse what they name.  A "no" only before
    another word: "No newsletter" refuses, "Phone no" is a number."""
    if any(w in _NEGATION_WORDS or w in _NEGATED_WORDS or _NEGATED_WORD.match(w) for w in words):
        return True
    if len(words) > 1 and words[0] == "no":
        return True
    compact = "".join(words)
    return any(run in compact for run in _NEGATED_RUNS)


def _affirmed(words: Sequence[str]) -> list[str]:
    """The words of a refusing header said as the consent they refuse ("Email not subscribed":
    "email subscribed"; "Email unsubcribed": "email subcribed"; "No newsletter": "newsletter")."""
    out: list[str] = []
    for i, w in enumerate(words):
        if w in _NEGATION_WORDS or (w == "no" and i == 0) or (w == "do" and words[i + 1:i + 2] == ["not"]):
            continue
        if w in _REFUSAL_WORDS:
            out.append(_REFUSAL_WORDS[w])
            continue
        if w == "baja":
            while out and out[-1] in _BAJA_LEAD:
                out.pop()
            out.append("subscribed")
            continue
        if w == "out" and out and out[-1] in ("opt", "opted", "opts"):
            out.append("in")
            continue
        out.append(_NEGATED_WORD.sub("", w, count=1))
    return out


def _refusal_candidate(header: str, words: list[str]) -> _Candidate | None:
    """A header that refuses a consent the guesser knows: the field of that refusal ("Email
    Unsubscribed" is Do not email), kept raw when the channel has none; None when the header
    without its refusal is no consent column at all."""
    affirmed = _affirmed(words)
    if not affirmed or affirmed == words:
        return None
    # "Has unsubscribed", "Is opted out": what the header refuses, without its verb.
    affirmed = [w for w in affirmed if w not in _AUXILIARIES] or affirmed
    found = _generic_candidate(" ".join(affirmed), refusals=False)
    spec = FIELDS_BY_NAME.get(found.field)
    if (spec is None or spec.type is not FieldType.CONSENT) and any(w in _REFUSAL_WORDS or w == "baja" for w in words):
        # "Newsletter abgemeldet", "Nieuwsbrief afmelding": the refusal of what the other words name.
        dropped = _REFUSAL_WORDS.keys() | {"baja"} | (_BAJA_LEAD if "baja" in words else set())
        rest = [w for w in _affirmed([w for w in words if w not in dropped]) if w not in _AUXILIARIES]
        found = _generic_candidate(" ".join(rest), refusals=False) if rest else found
        spec = FIELDS_BY_NAME.get(found.field)
    if spec is None or spec.type is not FieldType.CONSENT:
        return None
    key = header_key(header)
    refusal = _REFUSAL_OF.get(found.field)
    if refusal is None:
        return _Candidate(IGNORE, 0.0, f"'{key}' refuses {spec.label.lower()}, which has no opt-out field: kept raw")
    return _Candidate(refusal, min(found.confidence, _QUALIFIED),
                      f"'{key}' refuses {spec.label.lower()} ({found.reason}): an opt-out")


# Letters that turn a word into its refusal, with what they replace in the consent: "*un*subscribed",
# "*de*suscrito", "*dis*iscritto", "*ab*meldung" (*an*meldung), "*af*melding" (*aan*melding),
# "*uit*schrijving" (*in*schrijving).  A typo that differs by them is no typo.
_REFUSAL_PREFIXES = (("un", ""), ("non", ""), ("dis", ""), ("des", ""), ("de", ""), ("ab", "an"),
                     ("af", "aan"), ("uit", "in"), ("aus", "ein"))
# The channels a consent is given on: a fuzzy match never names one its header does not.
_CHANNEL_WORDS = frozenset(
    "sms text texts whatsapp email emails mail mails phone call calls newsletter telefon telefono".split()
)
# Words that name one channel between them: "Txt opt out" and "Text msg opt out" name the texts that
# "SMS opt out" does, so a match to it adds no channel.
_SAME_CHANNEL = tuple(frozenset(group.split()) for group in (
    "sms text texts txt msg msgs textmsg",
    "email emails mail mails newsletter",
    "phone call calls telefon telefono",
    "whatsapp",
))


def _channel_of(word: str) -> frozenset[str]:
    return next((group for group in _SAME_CHANNEL if word in group), frozenset([word]))


def _starts(words: Sequence[str]) -> list[int]:
    out, at = [], 0
    for w in words:
        out.append(at)
        at += len(w)
    return out


def _nearer_unrefused(a: str, a_words: Sequence[str], b: str) -> bool:
    """Whether ``a`` comes nearer ``b`` once a refusal's letters at the start of one of its words are
    said as the consent's: ``a`` refuses what ``b`` grants, or the other way round."""
    far = OSA.distance(a, b)
    for at in _starts(a_words):
        for refusal, consent in _REFUSAL_PREFIXES:
            if a.startswith(refusal, at) and OSA.distance(a[:at] + consent + a[at + len(refusal):], b) < far:
                return True
    return False


def _adds_channel(header_words_: Sequence[str], phrase_words: Sequence[str]) -> bool:
    """Whether a phrase names a channel the header does not ("has subscribed" ~ "sms subscribed"),
    but for a mistyped channel word of four letters or more ("emial")."""
    for w in phrase_words:
        if w not in _CHANNEL_WORDS or w in header_words_ or _channel_of(w) & set(header_words_):
            continue
        if not any(len(h) >= 4 and h not in _CHANNEL_WORDS and OSA.distance(h, w) <= 1 for h in header_words_):
            return True
    return False


def _fuzzy(compact: str, words: Sequence[str] | None = None) -> tuple[_Synonym, float] | None:
    """Return the synonym ``compact`` is a likely typo of, with its score.

    One edit is accepted between words of four letters or more, except that
    replacing one letter by another is only accepted in words of seven or
    more ("stage" is not a typo of "state"); long words may also be two edits
    away or score 88 or more on rapidfuzz's ratio.  A tie between different
    fields is no match.  Never across a refusal (``words``, the header's words
    when ``compact`` runs several together): "Email unsubscribed" is not a typo of
    "Email subscribed", nor "No newsletter" of "Newsletter", nor "Newsletter Abmeldung"
    of "Newsletter Anmeldung" (letters that make a refusal, ``_REFUSAL_PREFIXES``, are
    no typo).  Nor does a match name a channel the header does not: "Has subscribed"
    is no "SMS subscribed".
    """
    if len(compact) < 4:
        return None
    own_words = list(words) if words is not None else [compact]
    refuses = _negated(own_words)
    accepted: list[tuple[float, _Synonym]] = []
    for choice, _score, _index in process.extract(
        compact, _FUZZY_CHOICES, scorer=fuzz.ratio, score_cutoff=60, limit=8
    ):
        phrase_words = header_words(_SYNONYMS[choice].phrase)
        if _negated(phrase_words) != refuses or _adds_channel(own_words, phrase_words):
            continue
        choice_words = phrase_words if "".join(phrase_words) == choice else [choice]
        if _nearer_unrefused(compact, own_words, choice) or _nearer_unrefused(choice, choice_words, compact):
            continue
        longest = max(len(choice), len(compact))
        edits = OSA.distance(compact, choice)
        ratio = fuzz.ratio(compact, choice)
        ok = (
            (edits == 1 and min(len(choice), len(compact)) >= 4
             and (longest >= 7 or not _is_substitution(compact, choice)))
            or (edits == 2 and longest >= 10)
            or (longest >= 8 and ratio >= 88)
        )
        if ok:
            score = max(ratio, 100.0 * (1 - edits / longest))
            accepted.append((score, _SYNONYMS[choice]))
    if not accepted:
        return None
    accepted.sort(key=lambda item: -item[0])
    best_score, best = accepted[0]
    for score, other in accepted[1:]:
        if score == best_score and other.field != best.field:
            return None
    return best, best_score


def _spans(words: list[str]) -> Iterable[tuple[str, list[str]]]:
    """Yield (phrase, surrounding words) for every contiguous span, longest first."""
    n = len(words)
    for length in range(n - 1, 0, -1):
        for start in range(0, n - length + 1):
            yield " ".join(words[start:start + length]), words[:start] + words[start + length:]


def _qualifiers_only(words: list[str]) -> bool:
    return all(w in _QUALIFIERS or w.isdigit() for w in words)


# How a form's question or instruction opens, before it names what it asks for.
_LEAD_INS: tuple[tuple[str, ...], ...] = (
    ("what", "is"), ("what", "s"), ("whats",), ("what",), ("please", "enter"), ("please", "provide"),
    ("please", "give"), ("please",), ("enter",), ("provide",),
)


def _without_lead_in(words: list[str]) -> list[str]:
    """``words`` without a question's opening ("what is", "please enter"); the same
    list when there is none."""
    for lead in _LEAD_INS:
        if len(words) > len(lead) and tuple(words[: len(lead)]) == lead:
            return words[len(lead):]
    return words


def _generic_candidate(header: str, refusals: bool = True) -> _Candidate:
    # "#" means "number" ("Order #", "Member #", "# of orders"); header_key
    # drops it, which would turn "Member #" into a name.
    key = header_key(header.replace("#", " number ")) if "#" in header else header_key(header)
    if not key:
        return _Candidate(IGNORE, 0.0, "empty header")
    words = header_words(key)
    spaced = " ".join(words)

    for probe in (key, spaced):
        synonym = _lookup(probe)
        if synonym is not None:
            return _synonym_candidate(synonym, synonym.confidence, f"synonym '{synonym.phrase}'")

    asked = _without_lead_in(words)
    if asked is not words:
        # A form's question: "What is your email?", "Please enter your phone number".
        synonym = _lookup(" ".join(asked))
        if synonym is not None:
            return _synonym_candidate(
                synonym, min(synonym.confidence, _QUALIFIED), f"synonym '{synonym.phrase}' in '{key}'"
            )
        words = asked
    if refusals and _negated(words):
        refusal = _refusal_candidate(header, words)
        if refusal is not None:
            return refusal
    if _both_names(words):
        return _Candidate("full_name", _QUALIFIED, f"first and last name in one column ('{key}')")
    one_list = _one_subscription(header)
    if one_list is not None:
        return one_list
    parts = _parts_candidate(header)
    if parts is not None:
        return parts

    if key in _AMBIGUOUS_ID or spaced in _AMBIGUOUS_ID:
        return _Candidate("external_id", 0.6, f"'{key}' looks like an ID", ambiguous_id=True)

    # A known phrase inside qualifiers: "Customer e-mail", "Phone 2", "Billing zip".
    # The longest phrase wins; among phrases as long, a strong synonym beats a weak
    # one ("Business address" is an address, not a business).
    best: _Synonym | None = None
    best_length = 0
    for phrase, rest in _spans(words):
        length = len(words) - len(rest)
        if best is not None and length < best_length:
            break
        if not _qualifiers_only(rest):
            continue
        if best is None and phrase in _AMBIGUOUS_ID and any(w in _PERSON_WORDS for w in rest):
            return _Candidate("external_id", _QUALIFIED, f"'{key}' names a person's ID")
        synonym = _lookup(phrase)
        if synonym is not None and (best is None or synonym.confidence > best.confidence):
            best, best_length = synonym, length
    if best is not None:
        if best.field == "event_type" and best.phrase in _TYPE_WORDS and any(w in _PERSON_WORDS for w in words):
            # "Patient type", "Guest type": what kind of person, not what they did.
            return _Candidate(IGNORE, _QUALIFIED, f"'{key}' says what kind of person, kept raw")
        return _synonym_candidate(best, min(best.confidence, _QUALIFIED), f"synonym '{best.phrase}' in '{key}'")

    found = _fuzzy(spaced.replace(" ", ""), words)
    if found is not None:
        synonym, score = found
        return _synonym_candidate(
            synonym,
            round(0.85 * score / 100, 2),
            f"fuzzy '{key}' ~ '{synonym.phrase}' ({score:.0f})",
        )
    for phrase, rest in _spans(words):
        if len(phrase.split()) != 1 or not _qualifiers_only(rest):
            continue
        found = _fuzzy(phrase)
        if found is not None:
            synonym, score = found
            return _synonym_candidate(
                synonym,
                round(0.8 * score / 100, 2),
                f"fuzzy '{phrase}' ~ '{synonym.phrase}' ({score:.0f}) in '{key}'",
            )
    return _Candidate(IGNORE, 0.0, "unknown header")


def _synonym_candidate(synonym: _Synonym, confidence: float, reason: str) -> _Candidate:
    if synonym.field == IGNORE:
        return _Candidate(IGNORE, confidence, reason + ", kept raw")
    alternative = None
    if synonym.field == "amount" and synonym.phrase in _PRICE_WORDS:
        # "Price" next to a "Total" is the price of the item.
        alternative = ("item_price", round(confidence - 0.05, 2))
    return _Candidate(synonym.field, confidence, reason, alternative=alternative)


def _preset_candidate(preset: Preset, key: str) -> _Candidate | None:
    columns = list(preset.columns)
    if key in preset.columns:
        name = preset.columns[key]
        return _Candidate(name, _PRESET, _preset_reason(preset, name), columns.index(key), generic=False)
    for offset, (pattern, name) in enumerate(preset.patterns):
        if re.search(pattern, key):
            return _Candidate(
                name, _PRESET, _preset_reason(preset, name), len(columns) + offset, generic=False
            )
    return None


def _preset_reason(preset: Preset, name: str) -> str:
    short = preset.label.removesuffix(" export")
    return f"preset {short}" + (" (kept raw)" if name == IGNORE else "")


# Said of a "Created" column read as the time of the events a file holds.
AS_EVENT_TIME = ", as event time"
_EVENT_DETAIL_FIELDS = frozenset(EVENT_FIELDS - {"occurred_at"})
_IDENTITY_FIELDS = frozenset({"full_name", "first_name", "last_name", "email", "phone", "external_id"})


def _reconsider(candidates: list[_Candidate]) -> None:
    """Adjust generic guesses that only make sense once the whole file is seen."""
    present = {c.field for c in candidates}
    has_details = bool(present & _EVENT_DETAIL_FIELDS)
    looks_like_events = "occurred_at" in present and bool(
        present & {"amount", "item_name", "item_quantity", "item_price", "event_type"}
    )
    for candidate in candidates:
        if not candidate.generic:
            continue
        if candidate.field == "external_id" and candidate.ambiguous_id:
            # A bare "ID" in a sales log numbers the sale, not the customer.
            if looks_like_events and "order_id" not in present:
                candidate.field = "order_id"
                candidate.reason += ", the event's ID"
                present.add("order_id")
        elif candidate.field == "created_at" and has_details and "occurred_at" not in present:
            # "Created" in a file of orders or visits is when the event happened.
            candidate.field = "occurred_at"
            candidate.reason += AS_EVENT_TIME
            present.add("occurred_at")
    if "discount_code" in present and not present & (EVENT_FIELDS - {"occurred_at", "event_type"}):
        # A code beside people and nothing of an order (no order number, amount or item: a form's
        # "Voucher code" beside its timestamp) is an answer of theirs, kept as a field of its own:
        # only an order is placed with one.
        for candidate in candidates:
            if candidate.generic and candidate.field == "discount_code":
                candidate.field = IGNORE
                candidate.reason += ", not an order's: kept as the person's own field"
    if (
        present & _IDENTITY_FIELDS
        and not present & (EVENT_FIELDS - {"amount"})
        and "total_spent" not in present
    ):
        # A money column next to people and nothing event-like is each
        # person's total.
        for candidate in candidates:
            if candidate.generic and candidate.field == "amount":
                candidate.field = "total_spent"
                candidate.reason += ", per-person total"
                candidate.alternative = None
                break


# A name word that means the whole name alone and the given name beside a family name:
# Korean forms ask 성 (family name) and 이름 (given name), a list has 이름 alone.
_GIVEN_BESIDE_FAMILY = frozenset({header_key("이름")})


def _given_beside_family(candidates: list[_Candidate], keys: Sequence[str]) -> None:
    """Read such a name word as the given name when a family name column, and no given name
    column, is beside it."""
    present = {c.field for c in candidates}
    if "last_name" not in present or "first_name" in present:
        return
    for candidate, key in zip(candidates, keys):
        if candidate.generic and candidate.field == "full_name" and key in _GIVEN_BESIDE_FAMILY:
            candidate.field = "first_name"
            candidate.reason += ", the given name beside a family name"
            return


def _assign(candidates: list[_Candidate], headers: Sequence[str]) -> list[ColumnGuess]:
    """Give each single-value field to its best column; multi fields go to all."""
    order = sorted(
        range(len(candidates)),
        key=lambda i: (-candidates[i].confidence, candidates[i].priority, i),
    )
    owner: dict[str, int] = {}
    result: dict[int, ColumnGuess] = {}
    for i in order:
        candidate = candidates[i]
        options = [(candidate.field, candidate.confidence, candidate.reason)]
        if candidate.alternative is not None:
            alt_field, alt_conf = candidate.alternative
            options.append((alt_field, alt_conf, f"{candidate.reason}, as {alt_field}"))
        chosen = None
        for name, confidence, reason in options:
            if name == IGNORE or FIELDS_BY_NAME[name].multi or name not in owner:
                chosen = (name, confidence, reason)
                break
        if chosen is None:
            first = owner[candidate.field]
            chosen = (
                IGNORE,
                candidate.confidence,
                f"duplicate of column {first + 1} ('{headers[first]}')",
            )
        name, confidence, reason = chosen
        if name != IGNORE and not FIELDS_BY_NAME[name].multi:
            owner[name] = i
        result[i] = ColumnGuess(i, headers[i], name, confidence, reason)
    return [result[i] for i in range(len(candidates))]


def guess_mapping(headers: Sequence[str], preset: Preset | None = None) -> list[ColumnGuess]:
    """Return one guess per column, in column order.

    With a preset its columns and patterns decide first and the generic
    guesser takes the columns it does not know.  The generic guesser tries the
    synonym table (several languages), a known phrase among qualifier words
    ("Customer e-mail", "Phone 2"), then a typo-tolerant fuzzy match.  A
    single-value field goes to at most one column (the most confident, then the
    preset's preferred, then the first); the other columns become IGNORE with
    the reason "duplicate of column N ('header')" (N counted from 1).
    Multi-value fields (email, phone, tags, note) may take several columns.
    Unrecognised columns are IGNORE with confidence 0; ignored columns are
    still kept raw.

    A few generic guesses depend on the whole file: a bare "ID" numbers the
    event in a file of events (never a "Customer ID", which is always
    external_id), "Created" is the event time in a file of orders or visits,
    and a money column in a list of people without events is their total spent.
    """
    headers = [h if h is not None else "" for h in headers]
    keys = header_keys(headers)
    candidates: list[_Candidate] = []
    for header, key in zip(headers, keys):
        candidate = _preset_candidate(preset, key) if preset is not None else None
        candidates.append(candidate or _generic_candidate(header))
    _reconsider(candidates)
    _given_beside_family(candidates, keys)
    return _assign(candidates, headers)


def mapping_fields(guesses: Sequence[ColumnGuess]) -> list[str]:
    """Return the field of each guess, in column order."""
    return [g.field for g in guesses]


_EVENT_EVIDENCE = frozenset({"event_type", "order_id", "amount", "item_name"})


def guess_kind(fields: Sequence[str], preset: Preset | None = None) -> Kind:
    """Return what a mapped file holds.

    A preset decides by itself.  Otherwise the file holds events when the
    mapping has ``occurred_at`` plus one of event_type, order_id, amount or
    item_name; anything else is contacts.  The columns can only suggest
    events: the import then asks the rows for evidence (see
    ``importing.evidence``) before reading a file as events.
    """
    if preset is not None:
        return preset.kind
    present = set(fields)
    if present & {"occurred_at", "occurred_time"} and present & _EVENT_EVIDENCE:
        return Kind.EVENTS
    return Kind.CONTACTS
