"""The workspace's own currency, for amounts whose export did not name one.

A till or a lead form exports "32.00" where the online shop says "32.00 USD";
both are the shop's money.  The ``currency`` setting names it; when unset it
follows the workspace's region (``default_region``), for the regions a small
business is most likely in.  With neither, amounts stay bare.
"""

from __future__ import annotations

from omnidesk.core.workspace import Workspace

_EURO = "AT BE CY DE EE ES FI FR GR HR IE IT LT LU LV MT NL PT SI SK".split()
REGION_CURRENCY: dict[str, str] = {
    "US": "USD", "CA": "CAD", "MX": "MXN", "BR": "BRL", "AR": "ARS", "GB": "GBP", "CH": "CHF",
    "SE": "SEK", "NO": "NOK", "DK": "DKK", "IS": "ISK", "PL": "PLN", "CZ": "CZK", "HU": "HUF", "RO": "RON",
    "BG": "BGN", "TR": "TRY", "AU": "AUD", "NZ": "NZD", "JP": "JPY", "KR": "KRW", "CN": "CNY", "IN": "INR",
    "SG": "SGD", "HK": "HKD", "ZA": "ZAR", "IL": "ILS", "AE": "AED",
    **{region: "EUR" for region in _EURO},
}


def workspace_currency(ws: Workspace) -> str | None:
    """The ISO 4217 code amounts without one are in, or None when nothing says."""
    code = str(ws.get_setting("currency") or "").strip().upper()
    if code:
        return code
    return REGION_CURRENCY.get(str(ws.get_setting("default_region") or "").strip().upper())
