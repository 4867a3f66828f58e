"""Phone numbers as people read them.

Numbers are stored in E.164 (``+16035550110``), which search and matching
need; on screen a number from the shop's own region reads as it is dialled
there, ``(603) 555-0110``, and any other in international form,
``+44 20 7946 0958``.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=20_000)
def display_phone(e164: str | None, region: str | None = None) -> str:
    """``e164`` for display in a workspace whose region is ``region``; unparseable input comes back as is."""
    if not e164:
        return ""
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if region and phonenumbers.region_code_for_number(number) == region.upper():
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def shown_name(name: str, phone: str | None, region: str | None = None) -> str:
    """A customer's name as a list or card shows it: one known by nothing but a number is named by
    it as the Phone column writes it ("(619) 555-0157", not "+16195550157")."""
    if phone and name == phone:
        return display_phone(phone, region) or name
    return name
