"""The paper a shop prints on: US Letter where that is the usual size, A4 everywhere else.

The shop's country is its workspace's region (the ``default_region`` setting).  Letter is the usual
paper in the United States, Canada, Mexico, the Philippines, Puerto Rico, and much of Central and South
America that follows them (:data:`LETTER_REGIONS`, a short explicit list); every other region, and a
workspace with none, prints on A4.  The printed report and the in-store poster take it unless asked
for a page (``--page``).
"""

from __future__ import annotations

PAGES = ("A4", "Letter")
LETTER_REGIONS = frozenset({"US", "CA", "MX", "PH", "PR", "CL", "CO", "VE", "GT", "CR", "PA", "DO", "SV", "NI"})


def paper_for(region: object) -> str:
    """"Letter" for a region of :data:`LETTER_REGIONS` (any case), else "A4"."""
    return "Letter" if str(region or "").strip().upper() in LETTER_REGIONS else "A4"


def shop_paper(ws) -> str:
    """The paper of the shop's region (its workspace's ``default_region``): "Letter" or "A4"."""
    return paper_for(ws.get_setting("default_region"))
