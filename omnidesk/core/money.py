"""Money: amounts in minor units, the one way they are written, the shop's currency, and orders and spend.

Every amount is kept as an integer of hundredths (``amount_minor``);
:func:`format_money` is the one way one is written, for a screen ("1,234.50 USD")
or a file ("1234.50"), and :func:`to_minor` the one way one is made.

The workspace's own currency is for amounts whose export did not name one.
Amounts in other currencies are shown apart, never converted nor added to the
shop's (:func:`split_currencies`).  A
till or a lead form exports "32.00" where the online shop says "32.00 USD";
both are the shop's money.  The ``currency`` setting names it; when unset it
follows the workspace's region (``default_region``), for the regions a small
business is most likely in.  With neither, amounts stay bare.

This module reads nothing of omnidesk but the channel names: the importer,
the card and the exports all stand on it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Protocol

from omnidesk.core.channels import channel_name

_EURO = "AT BE CY DE EE ES FI FR GR HR IE IT LT LU LV MT NL PT SI SK".split()
REGION_CURRENCY: dict[str, str] = {
    "US": "USD", "CA": "CAD", "MX": "MXN", "BR": "BRL", "AR": "ARS", "GB": "GBP", "CH": "CHF",
    "SE": "SEK", "NO": "NOK", "DK": "DKK", "IS": "ISK", "PL": "PLN", "CZ": "CZK", "HU": "HUF", "RO": "RON",
    "BG": "BGN", "TR": "TRY", "AU": "AUD", "NZ": "NZD", "JP": "JPY", "KR": "KRW", "CN": "CNY", "IN": "INR",
    "SG": "SGD", "HK": "HKD", "ZA": "ZAR", "IL": "ILS", "AE": "AED",
    **{region: "EUR" for region in _EURO},
}


# Each currency sign as the currencies it can stand for, and the one it is read as in a shop whose
# currency is none of them (None: no reading at all).  "$" alone is any dollar or peso, "CA$" one of
# them; "¥" a yen or a yuan; "kr" a Scandinavian crown, which one nothing says.  A shop whose own
# currency a sign can mean wrote it for its own money: a Canadian shop's "$45.00" is 45 CAD.
CURRENCY_SIGNS: dict[str, tuple[str | None, frozenset[str]]] = {
    **{sign: (code, frozenset({code})) for sign, code in {
        "US$": "USD", "CA$": "CAD", "C$": "CAD", "AU$": "AUD", "A$": "AUD", "NZ$": "NZD", "HK$": "HKD",
        "S$": "SGD", "MX$": "MXN", "NT$": "TWD", "R$": "BRL", "CN¥": "CNY", "RMB": "CNY", "JP¥": "JPY",
        "円": "JPY", "€": "EUR", "₹": "INR", "₽": "RUB", "₺": "TRY", "₪": "ILS", "₫": "VND", "฿": "THB",
        "₱": "PHP", "₦": "NGN", "₴": "UAH", "zł": "PLN", "kč": "CZK", "fr.": "CHF", "원": "KRW",
    }.items()},
    "$": ("USD", frozenset("USD CAD AUD NZD MXN SGD HKD TWD ARS CLP COP".split())),
    "¥": ("JPY", frozenset({"JPY", "CNY"})),
    "元": ("CNY", frozenset({"CNY", "TWD", "HKD"})),
    "£": ("GBP", frozenset({"GBP", "EGP", "GIP", "FKP", "SHP"})),
    "₩": ("KRW", frozenset({"KRW", "KPW"})),
    "kr": (None, frozenset({"SEK", "NOK", "DKK", "ISK"})),
}


def currency_of_sign(sign: str, shop: str | None = None) -> str | None:
    """The currency a sign of :data:`CURRENCY_SIGNS` (as written there) is read as: the shop's
    currency ``shop`` when the sign can mean it, else the sign's usual reading (None for "kr")."""
    usual, codes = CURRENCY_SIGNS.get(sign, (None, frozenset()))
    if shop and shop.upper() in codes:
        return shop.upper()
    return usual


class _Settings(Protocol):
    def get_setting(self, key: str, default: object = None) -> object: ...


def workspace_currency(ws: _Settings) -> str | None:
    """The ISO 4217 code amounts without one are in, or None when nothing says."""
    return currency_from(ws.get_setting("currency"), ws.get_setting("default_region"))


def currency_from(currency: object, region: object) -> str | None:
    """The shop's currency from the ``currency`` and ``default_region`` settings' values
    (:func:`workspace_currency`)."""
    code = str(currency or "").strip().upper()
    if code:
        return code
    return REGION_CURRENCY.get(str(region or "").strip().upper())


def in_shop_currency(code: str | None, shop: str | None) -> bool:
    """True when an amount in ``code`` (None or '': its export named none) is money in the shop's
    currency ``shop`` (:func:`workspace_currency`): named as it, or named none."""
    return not code or (shop is not None and code.upper() == shop)


def split_currencies(minor_by_currency: dict[str, int], shop: str | None) -> tuple[int, dict[str, int]]:
    """(money in the shop's currency, {other currency: money}) of amounts in minor units per currency code.

    Amounts are never converted between currencies: those in the shop's currency or in none
    are added, each other currency is kept apart (a currency whose amounts come to nothing
    is left out).  With no shop currency, only amounts that named none are the shop's.
    """
    own, others = 0, {}
    for code, minor in minor_by_currency.items():
        if in_shop_currency(code, shop):
            own += minor
        elif minor:
            others[code.upper()] = others.get(code.upper(), 0) + minor
    return own, {code: others[code] for code in sorted(others) if others[code]}


def format_other_money(amounts: dict[str, float]) -> str:
    """Amounts in other currencies (in the currency's units, as the reports carry them), each apart:
    "80.00 EUR · 12.50 GBP"; "" when there are none."""
    return " · ".join(format_money(round(amount * 100), code) for code, amount in sorted(amounts.items()) if amount)


# -- orders and spend, as the shop counts them ----------------------------------------
#
# Per customer and per channel, one source of truth (README, "How orders and spend are
# counted"): the channel's lifetime figure from its latest customers export (Shopify's
# "Total Spent" / "Total Orders", Square's "Total Spend" / "Transaction Count") when there
# is one, because it covers orders the order files may not hold; otherwise the channel's
# order rows, net of refunds and cancellations.  The two are never added: the rows are
# orders the lifetime figure already counts.  When the rows hold more orders than the
# figure says, the export is older than the rows and the rows are the wider view.
#
# All of this is said of one shop account: a lifetime figure is one account's, and only the
# order rows of that account are orders it counts (:func:`counted_by_account`).  A customer
# merged from two accounts, or with guest orders under another email, has each account
# counted on its own and the results added up.  The rows of no account that has a figure are
# added as rows only when the channel's rows outnumber what its figures hold; else the figures
# count them (an email changed since the export, a guest order the shop linked).

ORDER_TYPES = ("order", "purchase")
# An order in one of these states brought no money: it is neither an order nor spend.  A checkout
# draft (WooCommerce's block checkout) was never submitted; a later export of the order, placed,
# counts it.  An order placed and awaiting payment ("pending", "on-hold") is an order, as Shopify
# counts one paid on delivery or by transfer.
NOT_SPEND = ("refunded", "voided", "cancelled", "expired", "failed", "checkout_draft")
_STATUS_SPELLINGS = {
    "refund": "refunded", "fully_refunded": "refunded", "void": "voided", "canceled": "cancelled",
    "cancel": "cancelled", "partial_refund": "partially_refunded", "partially_refund": "partially_refunded",
    # WooCommerce writes its statuses with a prefix in some exports.
    "wc_refunded": "refunded", "wc_cancelled": "cancelled", "wc_failed": "failed",
    "wc_pending": "pending", "wc_on_hold": "on_hold", "wc_checkout_draft": "checkout_draft",
    "draft": "checkout_draft", "auto_draft": "checkout_draft", "wc_auto_draft": "checkout_draft",
    # German, French, Spanish, Dutch and Italian shops write them in their language (accents
    # aside: "zurückerstattet", "annulé" are looked up as "zuruckerstattet", "annule").
    **dict.fromkeys((
        "storniert", "abgebrochen", "annulliert", "abgesagt", "annule", "annulee", "cancelado",
        "cancelada", "anulado", "anulada", "geannuleerd", "annullato", "annullata",
        "cancellato", "cancellata"), "cancelled"),
    **dict.fromkeys((
        "erstattet", "zuruckerstattet", "ruckerstattet", "ruckerstattung", "rembourse", "remboursee",
        "reembolsado", "reembolsada", "terugbetaald", "rimborsato", "rimborsata"), "refunded"),
    **dict.fromkeys((
        "teilweise_erstattet", "teilweise_zuruckerstattet", "teilerstattet", "partiellement_rembourse",
        "partiellement_remboursee", "rembourse_partiellement", "parcialmente_reembolsado",
        "reembolsado_parcialmente", "gedeeltelijk_terugbetaald", "parzialmente_rimborsato"),
        "partially_refunded"),
    **dict.fromkeys((
        "fehlgeschlagen", "echoue", "echouee", "fallido", "fallida", "mislukt", "fallito", "fallita"),
        "failed"),
    **dict.fromkeys((
        "ausstehend", "zahlung_ausstehend", "en_attente", "en_attente_de_paiement", "pendiente",
        "pendiente_de_pago", "in_afwachting", "in_afwachting_van_betaling", "in_attesa",
        "in_attesa_di_pagamento"), "pending"),
    **dict.fromkeys(("abgelaufen", "expire", "expiree", "caducado", "vervallen", "scaduto"), "expired"),
    **dict.fromkeys((
        "bezahlt", "paye", "payee", "pagado", "pagada", "betaald", "pagato", "pagata"), "paid"),
}
LIFETIME, ROWS = "lifetime", "rows"
BOTH = "lifetime+rows"  # one account's lifetime figure and another's order rows, added up


def order_status(status: object, cancelled_at: object = None) -> str:
    """An order's payment status in one spelling ("paid", "refunded", ...); "cancelled" when it was.

    Shopify writes ``Financial Status`` as ``paid``, ``partially_refunded``, ``refunded``,
    ``voided``, ``pending``, ``authorized``; a cancelled order keeps its payment status
    but has ``Cancelled at`` set.  Tills spell them their own way ("Void", "Canceled").
    """
    if cancelled_at:
        return "cancelled"
    key = str(status or "").strip().lower().replace(" ", "_").replace("-", "_")
    plain = "".join(c for c in unicodedata.normalize("NFKD", key) if not unicodedata.combining(c))
    return _STATUS_SPELLINGS.get(plain, key)[:32]


@dataclass(frozen=True)
class Lifetime:
    """A channel's own lifetime figures for one customer, from one customers export."""

    orders: int | None
    spend_minor: int | None
    batch_id: int
    record_ids: tuple[int, ...]
    file: str = ""
    currency: str | None = None  # the one its export names (Stripe's "Currency"); None: the shop's


def lifetime_currency(values: dict) -> str | None:
    """The currency a customers-export record's figures are in, when it names one."""
    return str(values.get("currency") or "").strip().upper()[:3] or None


@dataclass(frozen=True)
class OrderRows:
    """A channel's order rows of one customer."""

    rows: int = 0  # every order, counted or not
    orders: int = 0  # the ones that count
    spend_minor: int | None = None  # in the shop's currency, net of refunds; None when no row gave one
    files: tuple[str, ...] = ()
    # Net spend in each other currency: never converted nor added to the shop's (split_currencies).
    other: dict[str, int] = field(default_factory=dict)

    @property
    def not_counted(self) -> int:
        return self.rows - self.orders


@dataclass(frozen=True)
class ChannelMoney:
    """What one channel adds to a customer's orders and spend, and where each figure is from."""

    channel: str
    orders: int
    spend_minor: int | None
    orders_from: str  # LIFETIME | ROWS
    spend_from: str  # LIFETIME | ROWS, or "" when nothing gave an amount
    lifetime: Lifetime | None  # the figure counted, if one was
    rows: OrderRows
    older: Lifetime | None = None  # a figure not counted: its export holds fewer orders than the rows
    other: dict[str, int] = field(default_factory=dict)  # spend in other currencies, apart from ``spend_minor``
    account: str = ""  # the account these figures are of (its email or customer ID), when the channel has several
    parts: tuple[ChannelMoney, ...] = ()  # each account's figures, when these add up several (counted_by_account)
    # Order rows of no account with a figure, taken as orders the figures already count (counted_by_account).
    within: OrderRows | None = None

    def describe(self, currency: str | None = None) -> str:
        """One line for the card: "Shop: 11 orders, 797.00 USD — lifetime figure from customers_export.csv"."""
        label = channel_name(self.channel)
        count = _count(self.orders, self.channel)
        money = with_other_money(format_money(self.spend_minor, currency), self.other)
        orders_from, spend_from = self._sources("orders"), self._sources("spend")
        if spend_from in ("", orders_from):
            figures = f"{count}, {money}" if money else count
            return f"{label}: {figures} — {orders_from}"
        return f"{label}: {count} ({orders_from}), {money} ({spend_from})"

    def explain(self) -> str:
        """Why these figures and not others (the card's tooltip)."""
        inside = ""
        if self.within is not None and self.within.rows:
            inside = (f" {_count(self.within.rows, self.channel)} in {_files(self.within.files)} of no account "
                      "with a lifetime figure not added: the figures hold at least as many orders as all the "
                      "order rows, so they count them (an email changed, a guest order the shop linked).")
        if self.parts:
            each = []
            for part in self.parts:
                money = format_money(part.spend_minor)
                figures = _count(part.orders, self.channel) + (f", {money}" if money else "")
                who = part.account or "order rows of no account with a lifetime figure"
                why = part.explain()
                each.append(f"{who}: {figures} ({part._sources('orders')}){'. ' + why if why else ''}")
            return ("Counted per account, each once, then added up: a lifetime figure counts its own "
                    "account's orders only. " + " — ".join(each) + ("." + inside if inside else ""))
        notes = []
        if self.older is not None:
            notes.append(f"The order rows hold {_count(self.rows.rows, self.channel)}, more than the "
                         f"{self.older.orders:,} of {self.older.file or 'the customers export'}: that export "
                         "is older, so the rows are counted instead of its lifetime figure.")
        if self.lifetime is not None and self.rows.rows:
            notes.append(f"{_count(self.rows.rows, self.channel)} in "
                         f"{_files(self.rows.files)} not added again: the lifetime figure counts them.")
        if self.rows.not_counted and ROWS in (self.orders_from, self.spend_from):
            notes.append(f"{_count(self.rows.not_counted, self.channel)} refunded, voided or cancelled "
                         "not counted; partial refunds subtracted.")
        if inside:
            notes.append(inside.strip())
        return " ".join(notes)

    def _sources(self, measure: str) -> str:
        """Where the orders (``measure`` "orders") or the spend ("spend") are from; "" for no spend."""
        if not self.parts:
            where = self.orders_from if measure == "orders" else self.spend_from
            return self._source(where) if where else ""
        said: list[str] = []
        for part in self.parts:
            if (source := part._sources(measure)) and source not in said:
                said.append(source)
        return " + ".join(said)

    def _source(self, where: str) -> str:
        if where == LIFETIME and self.lifetime is not None:
            return f"lifetime figure from {self.lifetime.file or 'the customers export'}"
        return f"sum of order rows in {_files(self.rows.files)}"


def channel_money(channel: str, lifetime: Lifetime | None, rows: OrderRows,
                  shop: str | None = None) -> ChannelMoney | None:
    """Apply the rule above to one channel; None when the channel says nothing about money.

    Spend is money in the shop's currency ``shop`` (:func:`in_shop_currency`); a lifetime figure
    in another currency, and order rows in others, are kept apart in ``other``.
    """
    if lifetime is None and not rows.rows:
        return None
    older = None
    if lifetime is not None and lifetime.orders is not None and rows.rows > lifetime.orders:
        older, lifetime = lifetime, None  # an export older than the rows: they hold more
    if lifetime is not None and lifetime.orders is not None:
        orders, orders_from = lifetime.orders, LIFETIME
    else:
        orders, orders_from = rows.orders, ROWS
    other: dict[str, int] = {}
    if lifetime is not None and lifetime.spend_minor is not None:
        spend, spend_from = lifetime.spend_minor, LIFETIME
        if not in_shop_currency(lifetime.currency, shop):
            spend, other = None, {str(lifetime.currency): lifetime.spend_minor}
    elif rows.spend_minor is not None or rows.other:
        spend, spend_from, other = rows.spend_minor, ROWS, dict(rows.other)
    else:
        spend, spend_from = None, ""
    return ChannelMoney(channel, orders, spend, orders_from, spend_from, lifetime, rows, older, other)


@dataclass(frozen=True)
class Holder:
    """Whose a customers-export record or an order row is in its channel's shop: the shop's
    customer ID, the email and the phone its record gives, and the record itself."""

    record_id: int | None = None
    external_id: str | None = None
    email: str | None = None
    phone: str | None = None

    @classmethod
    def of(cls, record_id: int | None, external_id: object = None, email: object = None,
           phone: object = None) -> Holder:
        """One from a record's columns: blanks are none, an email in any case the same."""
        mail = _text(email)
        return cls(record_id, _text(external_id), mail.casefold() if mail else None, _text(phone))


def _text(value: object) -> str | None:
    return (str(value).strip() or None) if value is not None else None


_TIED_BY = ("external_id", "email", "phone")


def _account_of(row: Holder, accounts: list[list[Holder]]) -> int | None:
    """The account (an index of ``accounts``) an order row is of; None: of none of them.

    The record the row came with, when it is one of an account's; else the customer ID the row
    names, when the accounts give IDs; else its email, when they give emails; else its phone.
    The first of these that both sides give decides: a row whose email is another than every
    account's is of none of them, whatever its phone says (a guest order with the same phone).
    """
    if row.record_id is not None:
        for i, records in enumerate(accounts):
            if any(r.record_id == row.record_id for r in records):
                return i
    for key in _TIED_BY:
        value = getattr(row, key)
        if value is None or not any(getattr(r, key) for records in accounts for r in records):
            continue
        return next((i for i, records in enumerate(accounts) if any(getattr(r, key) == value for r in records)),
                    None)
    return None


def _accounts(records: list[tuple[Holder, int, dict]]) -> list[list[tuple[Holder, int, dict]]]:
    """A channel's customers-export records of one customer, as accounts: records that share a
    customer ID or an email are one account's, each export a reading of its figures.

    Records that name no customer ID (Shopify's older layout) and come from different imports are
    readings of one account too, whatever their emails: the person changed it between the exports,
    and only the latest reading counts.  Two records of one import are two accounts (an export lists
    each account once), and so are records with different customer IDs.
    """
    groups: list[list[tuple[Holder, int, dict]]] = []
    for record in sorted(records, key=lambda r: (r[0].record_id or 0)):
        holder, batch = record[0], record[1]
        joined = [g for g in groups if any(
            (holder.external_id and r[0].external_id == holder.external_id)
            or (holder.email and r[0].email == holder.email) for r in g)
            or (not holder.external_id and all(not r[0].external_id and r[1] != batch for r in g))]
        for g in joined[1:]:
            joined[0].extend(g)
            groups.remove(g)
        if joined:
            joined[0].append(record)
        else:
            groups.append([record])
    return groups


def add_rows(parts: list[OrderRows]) -> OrderRows:
    """Order rows of several accounts together."""
    if len(parts) == 1:
        return parts[0]
    spends = [p.spend_minor for p in parts if p.spend_minor is not None]
    files: list[str] = []
    other: dict[str, int] = {}
    for p in parts:
        files.extend(f for f in p.files if f not in files)
        for code, minor in p.other.items():
            other[code] = other.get(code, 0) + minor
    return OrderRows(sum(p.rows for p in parts), sum(p.orders for p in parts), sum(spends) if spends else None,
                     tuple(files), other)


def counted_by_account(channel: str, records: list[tuple[Holder, int, dict]], rows: list[tuple[Holder, OrderRows]],
                       shop: str | None = None, files: dict[int, str] | None = None) -> ChannelMoney | None:
    """One channel's orders and spend for a customer, counted per account (the rule above).

    ``records`` are the customer's customers-export records of the channel that give figures, as
    (whose, import batch, values); ``rows`` their order rows, in groups of one holder each.  Each
    account's figure and its own rows make one :func:`channel_money`; the rows of no account with
    a figure make one more; the channel's figures are theirs added up.  ``files``: the export's file
    name of each batch, for the card.
    """
    accounts = _accounts(records)
    holders = [[r[0] for r in account] for account in accounts]
    own: list[list[OrderRows]] = [[] for _ in accounts]
    loose: list[OrderRows] = []
    for holder, part in rows:
        i = _account_of(holder, holders)
        (loose if i is None else own[i]).append(part)
    parts = []
    held = 0  # the orders the accounts' figures hold
    for account, mine in zip(accounts, own):
        lifetime = latest_lifetime([(h.record_id or 0, batch, values) for h, batch, values in account], files)
        held += (lifetime.orders or 0) if lifetime is not None else 0
        if (m := channel_money(channel, lifetime, add_rows(mine) if mine else OrderRows(), shop)) is not None:
            named = next((h.email or h.external_id for h, _b, _v in account if h.email or h.external_id), "")
            parts.append(replace(m, account=named or ""))
    within = None
    if loose:
        # Rows of no account are added only when the channel's rows outnumber what its figures hold;
        # else they are orders the figures count (an email changed since, a guest order the shop linked).
        loose_rows = add_rows(loose)
        if not accounts or sum(p.rows for mine in own for p in mine) + loose_rows.rows > held:
            if (m := channel_money(channel, None, loose_rows, shop)) is not None:
                parts.append(m)
        else:
            within = loose_rows
    if len(parts) < 2:
        return replace(parts[0], account="", within=within) if parts else None
    return replace(_added_up(channel, parts), within=within)


def _added_up(channel: str, parts: list[ChannelMoney]) -> ChannelMoney:
    """The figures of several accounts of one channel, added up, each kept for the card."""
    def source(where: list[str]) -> str:
        given = {w for w in where if w}
        return "" if not given else given.pop() if len(given) == 1 else BOTH

    spends = [p.spend_minor for p in parts if p.spend_minor is not None]
    other: dict[str, int] = {}
    for p in parts:
        for code, minor in p.other.items():
            other[code] = other.get(code, 0) + minor
    counted = [p.lifetime for p in parts if p.lifetime is not None]
    return ChannelMoney(
        channel, sum(p.orders for p in parts), sum(spends) if spends else None,
        source([p.orders_from for p in parts]), source([p.spend_from for p in parts]),
        counted[0] if len(counted) == 1 else None, add_rows([p.rows for p in parts]),
        next((p.older for p in parts if p.older is not None), None), other, "", tuple(parts))


def order_rows(aggregates, files: tuple[str, ...] = (), other: dict[str, int] | None = None) -> OrderRows:
    """The :class:`OrderRows` of one channel from :func:`order_row_aggregates`' four sums (and its
    spend in other currencies, :func:`other_currency_spend`)."""
    rows, counted, spend, with_amount = (int(x or 0) for x in aggregates)
    return OrderRows(rows, counted, spend if with_amount else None, files, dict(other or {}))


def with_other_money(money: str, other: dict[str, int]) -> str:
    """An amount in the shop's money with those in other currencies after it, apart:
    "30.00 USD (also 80.00 EUR)"; the others alone when there is no amount in the shop's."""
    apart = " · ".join(format_money(minor, code) for code, minor in sorted(other.items()) if minor)
    if not apart:
        return money
    return f"{money} (also {apart})" if money else apart


def money_totals(parts: list[ChannelMoney]) -> tuple[int, int | None]:
    """Orders and spend over every channel (spend None when no channel gave an amount)."""
    spends = [p.spend_minor for p in parts if p.spend_minor is not None]
    return sum(p.orders for p in parts), (sum(spends) if spends else None)


def lifetime_from_values(values: dict) -> tuple[int | None, int | None]:
    """The (orders, spend in minor units) a customers-export record gives, each None when absent."""
    orders = values.get("total_orders")
    spent = values.get("total_spent")
    return int(orders) if orders is not None else None, to_minor(spent)


def latest_lifetime(records: list[tuple[int, int, dict]], files: dict[int, str] | None = None) -> Lifetime | None:
    """One channel's lifetime figures from ``(record_id, batch_id, values)`` of one customer.

    The latest export (highest batch) that gives figures wins; an older export is
    an earlier reading of the same totals.  Two rows of that one export are two
    accounts of the same person there, so their figures add up.
    """
    given = [(rid, bid, lifetime_from_values(v)) for rid, bid, v in records]
    given = [g for g in given if g[2] != (None, None)]
    if not given:
        return None
    batch = max(bid for _, bid, _ in given)
    mine = [g for g in given if g[1] == batch]
    orders = [o for _, _, (o, _) in mine if o is not None]
    spends = [s for _, _, (_, s) in mine if s is not None]
    currency = next((c for _, bid, v in records if bid == batch and (c := lifetime_currency(v))), None)
    return Lifetime(sum(orders) if orders else None, sum(spends) if spends else None, batch,
                    tuple(rid for rid, _, _ in mine), (files or {}).get(batch, ""), currency)


# The currencies ISO 4217 gives no minor unit (no cents): their amounts are whole.
ZERO_DECIMAL = frozenset("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF".split())


def format_money(minor: int | None, currency: str | None = None, *, grouped: bool = True,
                 code: bool = True) -> str:
    """An amount in minor units as people read it: "1,234.50 USD"; "" for no amount.

    Without a currency the number stands alone ("1,234.50"); ``code=False`` leaves the
    currency's code off but writes the number as that currency's ("5,080" in yen, under a
    header that names it).  ``grouped=False``
    writes it for files and programs, "1234.50", with no thousands separator.
    Amounts are kept in hundredths whatever the currency, so two decimals, save on
    screen for a whole amount in a currency that has no cents ("5,080 JPY", see
    :data:`ZERO_DECIMAL`); a file's amounts keep their one form.
    """
    if minor is None:
        return ""
    whole = grouped and minor % 100 == 0 and (currency or "").upper() in ZERO_DECIMAL
    text = f"{Decimal(minor).scaleb(-2):{',' if grouped else ''}.{0 if whole else 2}f}"
    return f"{text} {currency}" if currency and code else text


def to_minor(amount: object) -> int | None:
    """An amount (a Decimal, a number, or its text) in minor units, to the nearest; None stays None."""
    if amount is None:
        return None
    return int((Decimal(str(amount)) * 100).to_integral_value())


def _count(n: int, channel: str) -> str:
    word = "transaction" if channel == "pos" else "order"
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _files(files: tuple[str, ...]) -> str:
    return ", ".join(files) if files else "the order files"


def net_spend(amount, refunded):
    """SQL: what one row's amount comes to in minor units: an order its amount less what was refunded,
    never below nothing (a refund larger than the order, shipping or a goodwill gesture given back too,
    takes nothing from other orders); a row with a negative amount (a till's refund line) its amount;
    no amount, nothing.  Its status is not read: :func:`row_spend` is what a row adds to spend.
    """
    from sqlalchemy import case, func, or_

    return case((or_(amount < 0, refunded.is_(None)), func.coalesce(amount, 0)),
                (amount > refunded, amount - refunded), else_=0)


def row_spend(status, amount, refunded):
    """SQL: what one order row adds to spend in minor units — the one rule of the customer's spend
    (:func:`order_row_aggregates`) and of the Dashboard's and the report's revenue (metrics_index.py).

    A row with a negative amount (a till's refund line) takes its money back, whatever its status
    (a till marks it "Refund"); a refunded, voided or cancelled order brings nothing; any other order
    its amount less what was refunded, never below nothing (:func:`net_spend`).

    Migration 0032 writes the same in the triggers that keep the Dashboard's sums.
    """
    from sqlalchemy import case

    return case((amount < 0, amount), (status.in_(NOT_SPEND), 0), else_=net_spend(amount, refunded))


def counted_as_order(status, amount):
    """SQL: an order row with this ``status`` and ``amount`` is an order, a purchase — the one rule of
    the customer's orders (:func:`order_row_aggregates`), of the journeys' first purchase
    (``metrics_index.purchase_condition``) and of the rules on purchases (``segments.sql``).

    A refunded, voided, cancelled, expired or failed order brought no money; a row with a negative
    amount (a till's refund line) only takes money back, whatever its status (a till marks it
    "Refund", Square "Complete").
    """
    from sqlalchemy import and_, or_

    return and_(status.not_in(NOT_SPEND), or_(amount.is_(None), amount >= 0))


def in_shop_money(currency, shop: str | None):
    """SQL: an event's ``currency`` column says its amount is the shop's money (:func:`in_shop_currency`)."""
    from sqlalchemy import func, or_

    named_none = or_(currency.is_(None), currency == "")
    return named_none if shop is None else or_(named_none, func.upper(currency) == shop)


def order_row_aggregates(ev, shop: str | None) -> tuple:
    """SQL aggregates over an event table's rows: (order rows, orders counted, net spend, rows with an amount),
    the last two of the rows in the shop's currency ``shop`` (:func:`in_shop_money`) alone.

    An order counts unless refunded, voided or cancelled, whatever its currency; its spend is
    :func:`row_spend`: its amount less what was refunded, never below nothing.  A row with a
    negative amount (a till's refund line) is not an order: it only takes its money back, whatever
    its status.  Amounts in other currencies are never added to the shop's
    (:func:`other_currency_spend` sums them apart).
    """
    from sqlalchemy import and_, case, func, or_

    is_order = ev.c.type.in_(ORDER_TYPES)
    counted = and_(is_order, counted_as_order(ev.c.status, ev.c.amount_minor))
    own = and_(is_order, in_shop_money(ev.c.currency, shop))
    return (
        func.sum(case((and_(is_order, or_(ev.c.amount_minor.is_(None), ev.c.amount_minor >= 0)), 1), else_=0)),
        func.sum(case((counted, 1), else_=0)),
        func.sum(case((own, row_spend(ev.c.status, ev.c.amount_minor, ev.c.refunded_minor)), else_=0)),
        func.sum(case((and_(own, ev.c.amount_minor.is_not(None)), 1), else_=0)),
    )


def order_holder_columns(ev, rec) -> tuple:
    """SQL: whose an order row of ``ev`` is (:class:`Holder`), from the record ``rec`` it came with
    (the event's ``record_id``): that record when it is a customers-export record, and the customer
    ID, email and phone it gives.  NULL for an event that is no order: no account's figure counts it,
    and its rows stay together."""
    from sqlalchemy import and_, case

    is_order = ev.c.type.in_(ORDER_TYPES)
    return (case((and_(is_order, rec.c.kind == "contacts"), rec.c.id), else_=None),
            *(case((is_order, column), else_=None) for column in (rec.c.external_id, rec.c.email, rec.c.phone)))


def other_currency_spend(ev, shop: str | None) -> tuple:
    """SQL: (currency, net spend) columns and the condition of the order rows in other currencies
    than ``shop``, to be grouped by currency."""
    from sqlalchemy import and_, func, not_

    where = and_(ev.c.type.in_(ORDER_TYPES), ev.c.amount_minor.is_not(None), not_(in_shop_money(ev.c.currency, shop)))
    return (func.upper(ev.c.currency), func.sum(row_spend(ev.c.status, ev.c.amount_minor, ev.c.refunded_minor)),
            where)
