"""A saved message's variant made ready for one customer: tokens filled in, the email laid out, the poster drawn."""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from omnidesk.core.errors import UserError
from omnidesk.core.messages import tokens
from omnidesk.core.messages.brand import Brand, get_brand, logo
from omnidesk.core.messages.derive import CHANNEL_LABELS, PER_PERSON
from omnidesk.core.messages.email import EmailParts, body_from_filled, render_email, template_direction, with_picture
from omnidesk.core.messages.personal import customer_values, shared_values
from omnidesk.core.messages.store import MessageData, get_message
from omnidesk.core.tempfiles import temporary_directory
from omnidesk.core.workspace import Workspace


@dataclass(frozen=True)
class Rendered:
    channel: str
    fields: dict[str, str]  # each field with the customer's values filled in
    email: EmailParts | None = None

    @property
    def text(self) -> str:
        """What a person reads, as plain text (an email's subject, preheader and text part)."""
        if self.email is not None:
            return f"Subject: {self.email.subject}\nPreheader: {self.email.preheader}\n\n{self.email.text}"
        return "\n".join(v for v in self.fields.values() if v)


def footer_html(brand: Brand) -> str:
    """The brand's email footer: its words, then the postal address the law asks for."""
    parts = [html.escape(p).replace("\n", "<br>") for p in (brand.email_footer, brand.address) if p.strip()]
    return "<br><br>".join(parts)


def _variant(message: MessageData, channel: str):
    variant = message.variants.get(channel)
    if variant is None:
        raise UserError(f"'{message.name}' has no {CHANNEL_LABELS.get(channel, channel)} variant; one of: "
                        f"{', '.join(message.channels)}.")
    return variant


def render_for(message: MessageData, channel: str, values: dict, brand: Brand) -> Rendered:
    """The variant with ``values`` filled in (HTML-escaped in an email); the email laid out."""
    variant = _variant(message, channel)
    filled = {f: tokens.render(t, values) for f, t in variant.fields.items()}
    if channel != "email":
        return Rendered(channel, filled)
    return Rendered(channel, filled, email_parts(variant.fields, message.master, values, brand))


def email_parts(fields: dict[str, str], master: dict, values: dict, brand: Brand) -> EmailParts:
    """The email these variant ``fields`` make with ``values`` filled in: the master's picture
    above the body, the brand's footer and the Unsubscribe link under it.  What `message render`
    writes and what the window's preview shows, so the two never differ."""
    # Only the template's own addresses become links, never a customer's value that looks like one.
    body = body_from_filled(tokens.fill(fields.get("body", ""), values))
    # The picture the send pack's email carries, so that the preview is what goes out.
    body = with_picture(body, master.get("image", ""), master.get("headline", ""))
    return render_email(subject=tokens.render(fields.get("subject", ""), values),
                        preheader=tokens.render(fields.get("preheader", ""), values),
                        body_html=body, footer_html=footer_html(brand),
                        brand_color=brand.colors[0],
                        # The template's words, not a customer's name, as the send pack lays it out.
                        direction=template_direction(fields.get("body", ""), fields.get("subject", "")))


def render_variant(ws: Workspace, name: str, channel: str, customer_id: int | None = None) -> Rendered:
    """The saved message's ``channel`` variant for ``customer_id`` (None: nobody, so personal tokens
    show their fallbacks; the offer's and the brand's are everyone's).

    A post, the poster and the banner (outside :data:`PER_PERSON`) are published once for everyone:
    rendered with the values everyone shares whoever ``customer_id`` is, as the campaign's export
    publishes them (the customer must still be one)."""
    message = get_message(ws, name)
    brand = get_brand(ws)
    values = shared_values(message.master, brand.name)
    if customer_id is not None:
        theirs = customer_values(ws, [customer_id], master=message.master, business_name=brand.name).get(customer_id)
        if theirs is None:
            raise UserError(f"There is no customer {customer_id}.")
        if channel in PER_PERSON:
            values = theirs
    return render_for(message, channel, values, brand)


def write_poster(ws: Workspace, name: str, out: Path, *, customer_id: int | None = None, page: str | None = None,
                 overwrite: bool = True) -> Path:
    """The message's in-store poster as a printable PDF (the brand's logo and colours), on ``page``
    (None: the shop's paper, :func:`paper.shop_paper <omnidesk.core.paper.shop_paper>`); without
    ``overwrite`` a file that appears at ``out`` meanwhile is never replaced.  Printed once for
    everyone: ``customer_id``'s own values fill none of it (:func:`render_variant`)."""
    from omnidesk.core.paper import shop_paper

    rendered = render_variant(ws, name, "store", customer_id)
    return _poster(ws, rendered.fields, out, page or shop_paper(ws), overwrite=overwrite)


# The poster's preview, in screen points per point of the page: an A4 page some 357 points wide.
PREVIEW_SCALE = 0.6


def poster_preview(ws: Workspace, fields: dict[str, str], *, page: str | None = None,
                   scale: float = PREVIEW_SCALE) -> bytes:
    """The poster these fields make, as the PNG of its printed page (None: the shop's paper): the
    very PDF, not a look-alike.

    ``scale`` is pixels per point: a high-density screen asks for its pixel ratio times
    :data:`PREVIEW_SCALE`, so the page shows as large, and as sharp as the screen draws."""
    from omnidesk.core.messages.poster import render_page
    from omnidesk.core.paper import shop_paper

    with temporary_directory("poster-") as folder:
        pdf = _poster(ws, {f: tokens.render(v, {}) for f, v in fields.items()}, Path(folder) / "poster.pdf",
                      page or shop_paper(ws))
        return render_page(pdf, scale=scale)


def _poster(ws: Workspace, f: dict[str, str], out: Path, page: str, *, overwrite: bool = True) -> Path:
    image = logo(ws)
    return poster_file(f, get_brand(ws), image.data if image is not None else None, out, page, overwrite=overwrite)


def _brand_logo(data: bytes) -> bytes:
    """The brand kit's stored logo as the poster draws it (brand.printable_logo); PosterError naming
    the brand kit's logo when it cannot be drawn: one kept before the brand kit decoded a logo as
    it was set may be damaged, cut short or far too large (a large one is scaled down here)."""
    from omnidesk.core.messages.brand import printable_logo
    from omnidesk.core.messages.poster import PosterError

    try:
        return printable_logo(data)
    except UserError as exc:
        raise PosterError(f"The brand kit's logo {exc}; set it again with `omnidesk brand set logo FILE`.") from None


def poster_file(f: dict[str, str], brand: Brand, logo_data: bytes | None, out: Path, page: str, *,
                overwrite: bool = True) -> Path:
    """The poster of the filled-in store fields ``f`` written to ``out``, with the brand's name,
    colours and logo (``logo_data``, as the brand kit keeps it); PosterError saying why not."""
    from omnidesk.core.messages.poster import poster_pdf

    with temporary_directory("logo-") as folder:
        logo_path = None
        if logo_data is not None:
            data = _brand_logo(logo_data)
            logo_path = Path(folder) / ("logo.png" if data.startswith(b"\x89PNG") else "logo.jpg")
            logo_path.write_bytes(data)
        return poster_pdf(Path(out), headline=f.get("headline", ""), offer=f.get("offer", ""), cta=f.get("cta", ""),
                          link=f.get("link", ""), logo=logo_path, business_name=brand.name, page=page,
                          colors=(brand.colors[0], "#FFFFFF"), overwrite=overwrite)


def poster_refusal(f: dict[str, str], brand: Brand, logo_size: tuple[int, int] | None, page: str) -> str | None:
    """Why the poster of the filled-in store fields ``f`` cannot be printed on ``page`` (None when
    it can): the poster is laid out as the export lays it out, with a stand-in
    for the brand's logo of its width and height (``logo_size``; None: no logo), so the message
    check refuses what the export would, and only that (:func:`poster.poster_problem`, the layout
    without the drawing).  The answer is remembered for the same
    words, brand and page: a check run again (the editor's, an export's) does not draw it again."""
    fields = tuple((k, f.get(k, "")) for k in ("headline", "offer", "cta", "link"))
    return _refusal(fields, brand.name, brand.colors[0], logo_size, page)


@lru_cache(maxsize=64)
def _refusal(fields: tuple[tuple[str, str], ...], name: str, ink: str, logo_size: tuple[int, int] | None,
             page: str) -> str | None:
    from PIL import Image

    from omnidesk.core.messages.poster import poster_problem

    f = dict(fields)
    with temporary_directory("poster-check-") as folder:
        logo_path = None
        if logo_size is not None:
            w, h = logo_size
            scale = min(1.0, 64 / max(w, h, 1))  # as wide for its height, but a few pixels: quick to draw
            logo_path = Path(folder) / "logo.png"
            Image.new("RGB", (max(1, round(w * scale)), max(1, round(h * scale))), "#808080").save(logo_path)
        # Laid out in memory as poster_pdf lays it out: the same refusal, no file drawn.
        return poster_problem(headline=f["headline"], offer=f["offer"], cta=f["cta"], link=f["link"],
                              logo=logo_path, business_name=name, page=page, colors=(ink, "#FFFFFF"))
