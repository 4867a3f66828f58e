"""The SMS marketing list and the owner's phone contacts (a Google Contacts export)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from omnidesk.core.demo_data.shared import (
    GOOGLE_CONTACTS_FILE,
    GOOGLE_CONTACTS_HEADER,
    GOOGLE_MULTI_SEPARATOR,
    SMS_FILE,
    SMS_HEADER,
    random_day,
    weighted,
    write_export,
)
from omnidesk.core.demo_data.world import Render, World


def write_sms(world: World, directory: Path) -> None:
    rng = world.rng("sms")
    render = Render(rng, "sms")
    entries = []
    for p in world.people:
        if not p.in_("sms") or p.phone is None:
            continue
        day = random_day(rng, world.start - timedelta(days=400), world.end)
        entries.append((day, p))
    entries.sort(key=lambda t: (t[0], t[1].pid))
    rows = []
    for day, p in entries:
        style = weighted(rng, ("paren", "dot", "intl", "dash", "plain", "e164", "one"),
                          (26, 14, 18, 14, 10, 14, 4))
        first = render.first(p) if rng.random() < 0.9 else ""
        if first and rng.random() < 0.05:
            first = first.lower()
        opted = "yes" if rng.random() < 0.88 else "no"
        rows.append([p.phone.fmt(style), first, opted, f"{day:%Y-%m-%d}"])
    write_export(directory / SMS_FILE, SMS_HEADER, rows, lineterminator="\n")
    for i, (_, p) in enumerate(entries, start=1):
        world.labels.add(SMS_FILE, i, p.pid)


def write_google_contacts(world: World, directory: Path) -> None:
    rng = world.rng("google")
    render = Render(rng, "contacts")
    people = [p for p in world.people if p.in_("contacts")]
    rows, pids = [], []
    for p in people:
        row = dict.fromkeys(GOOGLE_CONTACTS_HEADER, "")
        first = render.first(p)
        row["First Name"] = first
        if rng.random() < 0.85:
            row["Last Name"] = render.last(p)
        else:
            row["Notes"] = rng.choice(("Regular - buys the Sumatra", "Coffee club", "Tea tasting night",
                                       "Market stall neighbour", "Asked about wholesale"))
        if p.middle and rng.random() < 0.3:
            row["Middle Name"] = p.middle
        if p.nicks and first == p.first and rng.random() < 0.3:
            row["Nickname"] = p.nicks[0]
        labels = ["* myContacts"]
        supplier = p.supplier
        if supplier:
            labels.append("Suppliers")
        elif rng.random() < 0.35:
            labels.append("Regulars")
        row["Labels"] = GOOGLE_MULTI_SEPARATOR.join(labels)
        if p.company and (supplier or rng.random() < 0.3):
            row["Organization Name"] = p.company
            row["Organization Title"] = p.job_title or ""
        if p.birthday:
            roll = rng.random()
            if roll < 0.25:
                row["Birthday"] = f"--{p.birthday:%m-%d}"
            elif roll < 0.35:
                row["Birthday"] = f"{p.birthday:%Y-%m-%d}"
        emails_home = []
        if rng.random() < 0.65:
            emails_home.append(render.email(p.email))
            if rng.random() < 0.06:
                emails_home.append(p.alt_email)
        slot = 1
        if emails_home:
            row[f"E-mail {slot} - Label"] = "* Home"
            row[f"E-mail {slot} - Value"] = GOOGLE_MULTI_SEPARATOR.join(emails_home)
            slot += 1
        if p.work_email and (supplier or rng.random() < 0.4):
            row[f"E-mail {slot} - Label"] = "Work" if slot > 1 else "* Work"
            row[f"E-mail {slot} - Value"] = p.work_email
        if p.phone and rng.random() < 0.95:
            row["Phone 1 - Label"] = "Mobile"
            value = p.phone.fmt(rng.choice(("paren", "intl_dash", "e164", "dash")))
            if rng.random() < 0.05:
                # Google keeps both spellings when two cards for one number are merged.
                value = GOOGLE_MULTI_SEPARATOR.join((value, p.phone.fmt("paren")))
            row["Phone 1 - Value"] = value
        if rng.random() < 0.35:
            city_line = f"{p.city}, {p.region} {p.zip}" if p.country == "US" else f"{p.zip} {p.city}"
            row["Address 1 - Label"] = "Home"
            row["Address 1 - Formatted"] = "\n".join(
                x for x in (p.street, p.address2, city_line, p.country) if x)
            row["Address 1 - Street"] = p.street
            row["Address 1 - City"] = p.city
            row["Address 1 - Region"] = p.region
            row["Address 1 - Postal Code"] = p.zip
            row["Address 1 - Country"] = p.country
            row["Address 1 - Extended Address"] = p.address2
        rows.append([row[c] for c in GOOGLE_CONTACTS_HEADER])
        pids.append(p.pid)
    write_export(directory / GOOGLE_CONTACTS_FILE, GOOGLE_CONTACTS_HEADER, rows)
    for i, pid in enumerate(pids, start=1):
        world.labels.add(GOOGLE_CONTACTS_FILE, i, pid)
