"""Meta (Instagram and Facebook) lead-ad exports: UTF-16, tab-separated, one file per form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from omnidesk.core.demo_data.people import Person
from omnidesk.core.demo_data.shared import (
    DemoFile,
    META_LEADS_HEAD,
    META_LEADS_TAIL,
    ONLINE_HOURS,
    ONLINE_WEIGHTS,
    moment_on,
    random_day,
    to_utc,
    write_export,
)
from omnidesk.core.demo_data.world import Render, World


@dataclass(frozen=True)
class _LeadForm:
    slug: str
    form_name: str
    campaign_name: str
    question: str
    answers: tuple[str, ...]
    ads: tuple[str, ...]
    adsets: tuple[str, ...]
    holiday: bool


_LEAD_FORMS = (
    _LeadForm("coffee_club_signup", "Coffee Club Sign-up", "Coffee Club Leads",
              "what_are_you_most_interested_in?",
              ("whole_bean_coffee", "loose_leaf_tea", "brewing_gear", "gifts"),
              ("Coffee Club - Carousel", "Coffee Club - Reel 15s"),
              ("New England 25-54 Coffee", "Lookalike 1% Purchasers"), False),
    _LeadForm("holiday_gift_guide", "Holiday Gift Guide Download", "Holiday Gift Guide",
              "who_are_you_shopping_for?",
              ("myself", "partner", "family", "coworkers_or_clients"),
              ("Gift Guide - Static", "Gift Guide - Stories"),
              ("Maine Gift Shoppers",), True),
)


def _holiday_window(world: World) -> tuple[date, date]:
    best = (world.start, world.end)
    best_len = -1
    for year in (world.start.year, world.end.year):
        lo = max(world.start, date(year, 11, 1))
        hi = min(world.end, date(year, 12, 24))
        if (hi - lo).days > best_len:
            best, best_len = (lo, hi), (hi - lo).days
    return best


def write_meta_leads(world: World, directory: Path) -> list[DemoFile]:
    rng = world.rng("meta")
    render = Render(rng, "social")
    ids = {
        form.slug: {
            "form": f"f:{rng.randint(10**15, 10**16 - 1)}",
            "campaign": f"c:1202{rng.randint(10**13, 10**14 - 1)}",
            "ads": [f"ag:1202{rng.randint(10**13, 10**14 - 1)}" for _ in form.ads],
            "adsets": [f"as:1202{rng.randint(10**13, 10**14 - 1)}" for _ in form.adsets],
        }
        for form in _LEAD_FORMS
    }
    holiday = _holiday_window(world)
    leads: dict[str, list[tuple[datetime, Person]]] = {f.slug: [] for f in _LEAD_FORMS}
    for p in world.people:
        if not p.in_("social"):
            continue
        roll = rng.random()
        chosen = [_LEAD_FORMS[0]] if roll < 0.62 else [_LEAD_FORMS[1]] if roll < 0.9 else list(_LEAD_FORMS)
        for form in chosen:
            lo, hi = holiday if form.holiday else (world.start, world.end)
            day = random_day(rng, lo, hi)
            leads[form.slug].append((moment_on(day, rng, ONLINE_HOURS, ONLINE_WEIGHTS), p))

    files = []
    used_ids: dict[int, bool] = {}
    for form in _LEAD_FORMS:
        name = f"leads_{form.slug}.csv"
        header = META_LEADS_HEAD + (form.question,) + META_LEADS_TAIL
        rows, pids = [], []
        # Meta lists the newest lead first.
        for local, p in sorted(leads[form.slug], key=lambda t: (t[0], t[1].pid), reverse=True):
            lead_id = rng.randint(10**15, 10**16 - 1)
            while lead_id in used_ids:
                lead_id += 1
            used_ids[lead_id] = True
            organic = rng.random() < 0.05
            k = rng.randrange(len(form.ads))
            j = rng.randrange(len(form.adsets))
            full = f"{render.first(p)} {render.last(p)}"
            if rng.random() < 0.03:
                full = render.first(p)
            if rng.random() < 0.08:
                full = full.lower()
            if rng.random() < 0.01:
                full = full.replace(" ", "  ", 1)
            email = render.email(render.channel_email(p), case_rate=0.08)
            phone = f"p:{p.phone.e164}" if p.phone and rng.random() < 0.97 else ""
            zip_code = f"z:{p.zip}" if rng.random() < 0.9 else ""
            platform = "ig" if rng.random() < 0.6 else "fb"
            created = to_utc(local)
            rows.append([
                f"l:{lead_id}", f"{created:%Y-%m-%dT%H:%M:%S}+0000",
                "" if organic else ids[form.slug]["ads"][k], "" if organic else form.ads[k],
                "" if organic else ids[form.slug]["adsets"][j], "" if organic else form.adsets[j],
                "" if organic else ids[form.slug]["campaign"], "" if organic else form.campaign_name,
                ids[form.slug]["form"], form.form_name, "true" if organic else "false", platform,
                rng.choice(form.answers), email, full, phone, zip_code, "complete",
            ])
            pids.append(p.pid)
        write_export(directory / name, header, rows, encoding="utf-16", delimiter="\t")
        for i, pid in enumerate(pids, start=1):
            world.labels.add(name, i, pid)
        files.append(DemoFile(directory / name, "social", "contacts", "meta_leads",
                              f"Meta lead ads download: {form.form_name} form (Facebook and Instagram)"))
    return files
