"""The Mailchimp audience exports (subscribed and unsubscribed) and the email campaign activity."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from omnidesk.core.demo_data.people import Person
from omnidesk.core.demo_data.shared import (
    DemoFile,
    EMAIL_ACTIVITY_FILE,
    EMAIL_ACTIVITY_HEADER,
    MAILCHIMP_SUBSCRIBED_HEADER,
    MAILCHIMP_UNSUBSCRIBED_HEADER,
    doc_ip,
    to_utc,
    weighted,
    write_export,
)
from omnidesk.core.demo_data.world import Render, World


_CAMPAIGN_TITLES = {
    1: "New Year, New Brew", 2: "Tea for Two: Valentine's Picks", 3: "Spring Single Origins",
    4: "April Showers, Fresh Pots", 5: "Mother's Day Gift Guide", 6: "Iced Coffee Season",
    7: "Summer Sale: 20% Off Gear", 8: "Back to Routine", 9: "Fall Flavors Are Here",
    10: "Harvest Roasts + Coffee Club Anniversary", 11: "Black Friday Early Access",
    12: "Holiday Gift Guide",
}

_UNSUB_REASONS = (
    ("I no longer want to receive these emails", 45),
    ("The emails are too frequent", 20),
    ("I never signed up for this mailing list", 8),
    ("The emails are inappropriate", 2),
    ("The emails are spam and should be reported", 3),
    ("Other (fill in reason below)", 22),
)
_UNSUB_OTHER = (
    "Moved away from Maine", "Too many emails around the holidays", "Switched to decaf, sorry!",
    "Using a different address now", "",
)


@dataclass
class _Campaign:
    title: str
    cid: str
    sent: datetime  # UTC


@dataclass
class _Member:
    person: Person
    email: str
    rating: int
    engagement: float
    optin: datetime | None
    confirm: datetime
    ip: str
    unsub: _Campaign | None = None
    unsub_time: datetime | None = None


def _campaigns(world: World) -> list[_Campaign]:
    rng = world.rng("campaigns")
    out = []
    day = world.start + timedelta(days=rng.randint(3, 10))
    while day < world.end - timedelta(days=3) and len(out) < 12:
        local = datetime(day.year, day.month, day.day,
                         rng.choice((8, 9, 10, 11, 17)), rng.choice((0, 15, 30, 45)))
        out.append(_Campaign(_CAMPAIGN_TITLES[day.month], f"{rng.getrandbits(40):010x}", to_utc(local)))
        day += timedelta(days=rng.randint(27, 33))
    return out


def write_mailchimp(
    world: World, directory: Path, vip: dict[str, bool],
) -> tuple[list[DemoFile], list[_Member], list[_Campaign]]:
    rng = world.rng("mailchimp")
    render = Render(rng, "email")
    campaigns = _campaigns(world)
    list_id = f"{world.rng('mailchimp-list').getrandbits(40):010x}"
    history_start = datetime(world.start.year - 3, 1, 1)
    window_start = datetime.combine(world.start, datetime.min.time())
    window_end = datetime.combine(world.end, datetime.min.time()) + timedelta(hours=23)
    used: dict[str, bool] = {}
    members: list[_Member] = []

    def join(p: Person, address: str) -> None:
        if address.lower() in used:
            return
        used[address.lower()] = True
        before = rng.random() < 0.45
        lo, hi = (history_start, window_start) if before else (window_start, window_end - timedelta(days=2))
        confirm = lo + timedelta(seconds=rng.randint(0, int((hi - lo).total_seconds())))
        tier = weighted(rng, ("engaged", "casual", "dormant"), (30, 42, 28))
        engagement = {"engaged": 0.78, "casual": 0.34, "dormant": 0.05}[tier] * rng.uniform(0.8, 1.15)
        rating = rng.choice({"engaged": (4, 5), "casual": (2, 3), "dormant": (1, 2)}[tier])
        synced = p.in_("shop") and rng.random() < 0.5
        optin = None if synced else confirm - timedelta(minutes=rng.randint(1, 45))
        members.append(_Member(p, address, rating, min(engagement, 0.95), optin, confirm,
                               "" if synced else doc_ip(rng)))

    for p in world.people:
        if not p.in_("email"):
            continue
        address = render.channel_email(p)
        if address.lower() in used:
            address = p.alt_email
        join(p, address)
        if p.work_email and rng.random() < 0.03:
            join(p, p.work_email if address != p.work_email else p.email)

    for m in members:
        if rng.random() < 0.12:
            later = [c for c in campaigns if c.sent > m.confirm]
            if later:
                m.unsub = rng.choice(later)
                m.unsub_time = m.unsub.sent + timedelta(minutes=rng.randint(5, 60 * 48))

    subscribed, unsubscribed = [], []
    sub_pids, unsub_pids = [], []
    leids = rng.sample(range(100_000_000, 999_999_999), len(members)) if members else []
    for m, leid in zip(members, leids):
        p = m.person
        first = render.first(p) if rng.random() < 0.93 else ""
        last = render.last(p) if first and rng.random() < 0.9 else ""
        phone = p.phone.fmt(rng.choice(("dash", "intl_dash", "paren"))) if p.phone and rng.random() < 0.4 else ""
        birthday = f"{p.birthday:%m/%d}" if p.birthday and rng.random() < 0.3 else ""
        geo = rng.random() < 0.6
        tags = []
        if vip.get(p.pid):
            tags.append("VIP")
        if p.coffee_club:
            tags.append("Coffee Club")
        if p.in_("shop"):
            tags.append("Customer")
        if p.in_("social"):
            tags.append("Instagram Lead")
        if p.local and rng.random() < 0.5:
            tags.append("Local")
        if rng.random() < 0.15:
            tags.append("Tea Lover")
        # Profiles change now and then after joining (a new tag, an edit).
        last_change = m.confirm + (window_end - m.confirm) * rng.random() ** 2
        row = [
            m.email, first, last, phone, birthday, str(m.rating),
            f"{m.optin:%Y-%m-%d %H:%M:%S}" if m.optin else "", m.ip if m.optin else "",
            f"{m.confirm:%Y-%m-%d %H:%M:%S}", m.ip,
            f"{p.lat:.7f}" if geo else "", f"{p.lon:.7f}" if geo else "",
            str(p.gmtoff) if geo else "", str(p.dstoff) if geo else "",
            p.timezone if geo else "", p.country if geo else "",
            p.region if geo else "",
        ]
        tail = [str(leid), f"{rng.getrandbits(40):010x}",
                "Met at the Holiday Market" if rng.random() < 0.01 else "",
                ",".join(f'"{t}"' for t in tags)]
        if m.unsub:
            reason = weighted(rng, [r for r, _ in _UNSUB_REASONS], [w for _, w in _UNSUB_REASONS])
            other = rng.choice(_UNSUB_OTHER) if reason.startswith("Other") else ""
            unsubscribed.append(row + [f"{m.unsub_time:%Y-%m-%d %H:%M:%S}", m.unsub.title, m.unsub.cid,
                                       reason, other] + tail)
            unsub_pids.append(p.pid)
        else:
            subscribed.append(row + [f"{last_change:%Y-%m-%d %H:%M:%S}"] + tail)
            sub_pids.append(p.pid)

    sub_name = f"subscribed_members_export_{list_id}.csv"
    unsub_name = f"unsubscribed_members_export_{list_id}.csv"
    write_export(directory / sub_name, MAILCHIMP_SUBSCRIBED_HEADER, subscribed,
           quoting=csv.QUOTE_ALL, lineterminator="\n")
    write_export(directory / unsub_name, MAILCHIMP_UNSUBSCRIBED_HEADER, unsubscribed,
           quoting=csv.QUOTE_ALL, lineterminator="\n")
    for i, pid in enumerate(sub_pids, start=1):
        world.labels.add(sub_name, i, pid)
    for i, pid in enumerate(unsub_pids, start=1):
        world.labels.add(unsub_name, i, pid)
    files = [
        DemoFile(directory / sub_name, "email", "contacts", "mailchimp_subscribed",
                 "Mailchimp audience export: subscribed members"),
        DemoFile(directory / unsub_name, "email", "contacts", "mailchimp_unsubscribed",
                 "Mailchimp audience export: members who unsubscribed (a consent fact)"),
    ]
    return files, members, campaigns


def write_email_activity(world: World, directory: Path, members: list[_Member],
                          campaigns: list[_Campaign]) -> None:
    rng = world.rng("email-activity")
    limit = datetime.combine(world.today, datetime.min.time())
    events: list[tuple[datetime, str, str, str, str]] = []
    for c in campaigns:
        for k, m in enumerate(members):
            if m.confirm > c.sent:
                continue
            if m.unsub and m.unsub.sent < c.sent:
                continue
            sent = c.sent + timedelta(seconds=k // 40 + rng.randint(0, 5))
            events.append((sent, m.email, c.title, "sent", m.person.pid))
            opened = rng.random() < m.engagement or m.unsub is c
            if not opened:
                continue
            when = sent + timedelta(minutes=min(rng.expovariate(1 / 360), 5 * 1440) + 1)
            if when < limit:
                events.append((when, m.email, c.title, "open", m.person.pid))
            if rng.random() < 0.12 and when + timedelta(minutes=2) < limit:
                reopen = when + timedelta(minutes=rng.randint(30, 3000))
                if reopen < limit:
                    events.append((reopen, m.email, c.title, "open", m.person.pid))
            if rng.random() < 0.14:
                click = when + timedelta(seconds=rng.randint(5, 600))
                if click < limit:
                    events.append((click, m.email, c.title, "click", m.person.pid))
    order = {"sent": 0, "open": 1, "click": 2}
    events.sort(key=lambda e: (e[0], e[1].lower(), e[2], order[e[3]]))
    rows = [[e[1], e[2], e[3], f"{e[0]:%Y-%m-%d %H:%M:%S}"] for e in events]
    write_export(directory / EMAIL_ACTIVITY_FILE, EMAIL_ACTIVITY_HEADER, rows)
    for i, e in enumerate(events, start=1):
        world.labels.add(EMAIL_ACTIVITY_FILE, i, e[4])
