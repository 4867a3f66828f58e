"""The brand kit: what every message of the workspace says about the business, checked as it is set.

The business name is the workspace's ``business_name`` setting (one truth for
the Preferences dialog, the brand kit and every message); the rest is one JSON
setting, ``brand``.  The logo is an image kept inside the workspace (an
``asset`` row), so the workspace file carries it wherever it is copied.

Fields, as ``omnidesk brand set FIELD VALUE`` names them:

* ``name``, ``tagline``, ``voice`` (notes on how the brand speaks, for whoever writes);
* ``colors``: the main colour and an accent, ``#RRGGBB, #RRGGBB``;
* ``address``: the postal address an email's footer must carry (CAN-SPAM asks for one);
* ``email_footer``: the rest of the footer (why they get the email, how to reach the shop);
* ``sms_sender``: the name an SMS comes from (an alphanumeric sender id: 3 to 11 letters,
  digits or spaces, at least one letter);
* ``sms_opt_out``: the line that tells how to stop (default "Reply STOP to opt out");
* ``banned_words``: comma-separated words no message may use;
* ``disclaimer``: words every message must carry (terms of an offer), or none;
* ``utm_campaign``: how links name their campaign, ``{message}`` standing for the message's
  name (default ``{message}``);
* ``logo``: a PNG or JPEG file, read and kept in the workspace.  It is decoded whole as it is
  set, so a damaged or cut-short file is refused then, not when a poster is printed; one of more
  than :data:`MAX_LOGO_PIXELS` is refused; one more than :data:`LOGO_SIDE` pixels on its long side
  is kept scaled down to that (transparency kept), so that every poster and preview draws it fast.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import insert, select

from omnidesk.core.errors import UserError, ValueRefused
from omnidesk.core.models import Asset, Setting
from omnidesk.core.workspace import Workspace

BRAND_KEY = "brand"
FIELDS = ("name", "tagline", "voice", "colors", "address", "email_footer", "sms_sender", "sms_opt_out",
          "banned_words", "disclaimer", "utm_campaign", "logo")
DEFAULT_OPT_OUT = "Reply STOP to opt out"
MAX_LOGO = 5 * 1024 * 1024
MAX_LOGO_PIXELS = 25_000_000  # a logo of more is refused: decoding it alone takes seconds and gigabytes
LOGO_SIDE = 1000  # pixels on its long side at most, as kept: over 300 dpi at the widest a poster draws it (206 pt)
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
_SENDER = re.compile(r"[A-Za-z0-9 ]{3,11}")


@dataclass(frozen=True)
class Brand:
    name: str = ""
    tagline: str = ""
    voice: str = ""
    colors: tuple[str, str] = ("#222222", "#0072B2")
    address: str = ""
    email_footer: str = ""
    sms_sender: str = ""
    sms_opt_out: str = DEFAULT_OPT_OUT
    banned_words: tuple[str, ...] = ()
    disclaimer: str = ""
    utm_campaign: str = "{message}"
    logo: int | None = None  # the asset id of the logo
    logo_name: str = ""

    def as_dict(self) -> dict:
        data = asdict(self)
        data["colors"] = list(self.colors)
        data["banned_words"] = list(self.banned_words)
        return data


@dataclass(frozen=True)
class Logo:
    name: str
    mime: str
    data: bytes = field(repr=False)


def get_brand(ws: Workspace) -> Brand:
    """The workspace's brand kit (defaults where nothing was set)."""
    stored = ws.get_setting(BRAND_KEY) or {}
    if not isinstance(stored, dict):
        stored = {}
    known = {k: v for k, v in stored.items() if k in Brand.__dataclass_fields__ and k != "name"}
    if "colors" in known:
        known["colors"] = tuple(known["colors"])[:2]
    if "banned_words" in known:
        known["banned_words"] = tuple(known["banned_words"])
    return Brand(name=str(ws.get_setting("business_name") or ""), **known)


def _too_long(limit: int, length: int) -> ValueRefused:
    return ValueRefused(f"keep it to {limit:,} characters at most (it has {length:,})")


def _clean_line(value: str, limit: int) -> str:
    from omnidesk.core.text import clean_line

    text = clean_line(value)
    if len(text) > limit:
        raise _too_long(limit, len(text))
    return text


def _clean_text(value: str, limit: int) -> str:
    """Several lines kept (an address, a footer); spaces at the ends of each trimmed."""
    from omnidesk.core.text import clean_line

    lines = [clean_line(line) for line in (value or "").replace("\\n", "\n").splitlines()]
    text = "\n".join(lines).strip()
    if len(text) > limit:
        raise _too_long(limit, len(text))
    return text


def _parse(name: str, value: str):
    if name in ("name", "tagline", "disclaimer"):
        return _clean_line(value, 300)
    if name in ("voice", "address", "email_footer"):
        return _clean_text(value, 2000)
    if name == "colors":
        parts = [p.strip() for p in (value or "").split(",") if p.strip()]
        if not 1 <= len(parts) <= 2 or not all(_COLOR.fullmatch(p) for p in parts):
            raise ValueRefused("give one or two colours as #RRGGBB, #RRGGBB (for example #1B4332, #D8A31A)")
        parts = [p.upper() for p in parts]
        return parts if len(parts) == 2 else [parts[0], Brand().colors[1]]
    if name == "sms_sender":
        text = " ".join((value or "").split())
        if len(text) > 11:
            raise ValueRefused(f"an SMS sender name is 3 to 11 letters, digits or spaces (it has {len(text)} "
                            "characters); carriers refuse a longer one")
        if text and not (_SENDER.fullmatch(text) and re.search(r"[A-Za-z]", text)):
            raise ValueRefused("an SMS sender name is 3 to 11 letters, digits or spaces, with at least one letter")
        return text
    if name == "sms_opt_out":
        text = _clean_line(value, 60)
        return text or DEFAULT_OPT_OUT
    if name == "banned_words":
        words, seen = [], set()
        for part in (value or "").split(","):
            word = " ".join(part.split())
            if word and word.casefold() not in seen:
                seen.add(word.casefold())
                words.append(word)
        return words
    if name == "utm_campaign":
        text = _clean_line(value, 100) or "{message}"
        leftover = re.sub(r"\{message\}", "", text)
        if "{" in leftover or "}" in leftover:
            raise ValueRefused("only {message} may stand in braces (for the message's name)")
        return text
    raise ValueRefused(f"'{name}' is not part of the brand kit; one of: {', '.join(FIELDS)}")


def check_brand(name: str, value: str) -> str | None:
    """Why ``value`` cannot be stored as the brand kit's ``name`` (None when it can); changes nothing."""
    key = name.strip().lower()
    if key == "logo":
        try:
            read_logo(Path(value))
        except UserError as exc:
            return str(exc)
        return None
    try:
        _parse(key, value)
    except UserError as exc:
        return str(exc)
    return None


def set_brand_fields(ws: Workspace, changes: dict[str, str]) -> Brand:
    """Set several fields of the brand kit; all are checked before any is stored."""
    problems = {f: p for f, v in changes.items() if (p := check_brand(f, v))}
    if problems:
        field, problem = next(iter(problems.items()))
        raise ValueRefused(f"{field}: {problem}")
    kit = get_brand(ws)
    for field, value in changes.items():
        kit = set_brand(ws, field, value)
    return kit


def set_brand(ws: Workspace, name: str, value: str) -> Brand:
    """Set one field of the brand kit (``logo``: a path to a PNG or JPEG); returns the kit as it is now."""
    key = name.strip().lower()
    if key == "logo":
        return set_logo(ws, Path(value)) if value.strip() else _store(ws, {"logo": None, "logo_name": ""})
    try:
        parsed = _parse(key, value)
    except UserError as exc:
        raise type(exc)(f"{key}: {exc}") from None
    if key == "name":
        # Through ws.writing() (not set_setting), so a journaled write records it for undo.
        table = Setting.__table__
        with ws.writing() as conn:
            if not conn.execute(table.update().where(table.c.key == "business_name")
                                .values(value=json.dumps(parsed))).rowcount:
                conn.execute(insert(table).values(key="business_name", value=json.dumps(parsed)))
        return get_brand(ws)
    return _store(ws, {key: parsed})


def _store(ws: Workspace, changes: dict) -> Brand:
    table = Setting.__table__
    with ws.writing() as conn:
        raw = conn.execute(select(table.c.value).where(table.c.key == BRAND_KEY)).scalar()
        current = json.loads(raw) if raw else {}
        if not isinstance(current, dict):
            current = {}
        current.update(changes)
        text = json.dumps(current, ensure_ascii=False)
        if raw is None:
            conn.execute(insert(table).values(key=BRAND_KEY, value=text))
        else:
            conn.execute(table.update().where(table.c.key == BRAND_KEY).values(value=text))
    return get_brand(ws)


def _image_type(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def read_logo(path: Path) -> bytes:
    """The logo the PNG or JPEG image at ``path`` makes, as it is kept (:func:`printable_logo`);
    UserError saying why it cannot be the logo.

    A pipe or a device is refused unread, and no more than MAX_LOGO is read: /dev/zero
    picked by mistake once filled the memory."""
    from omnidesk.core.text import printable
    from omnidesk.core.userfiles import read_capped

    data = read_capped(path, MAX_LOGO, "a logo", pick="pick the PNG or JPEG image itself")
    if _image_type(data) is None:
        raise UserError(f'"{printable(path.name)}" is not a PNG or JPEG image')
    try:
        return printable_logo(data)
    except UserError as exc:
        raise UserError(f'"{printable(path.name)}" {exc}') from None


_TOO_MANY_PIXELS = (f"a logo may have {MAX_LOGO_PIXELS // 1_000_000} megapixels at most (scale it down: "
                    f"{LOGO_SIDE:,} pixels on its long side is plenty)")


def printable_logo(data: bytes) -> bytes:
    """``data`` (a PNG or JPEG) as the logo is kept and drawn: decoded whole, and scaled down to
    :data:`LOGO_SIDE` pixels on its long side when it is larger (in its own format, transparency
    kept); ``data`` itself when it is no larger.

    UserError (its words follow the image's name: "… cannot be read …") for an image that is not a
    PNG or JPEG, is damaged or cut short, or has more than :data:`MAX_LOGO_PIXELS` pixels (told from
    its header, before it is decoded)."""
    import warnings

    from PIL import Image, UnidentifiedImageError

    kind = _image_type(data)
    if kind is None:
        raise UserError("is not a PNG or JPEG image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the size is judged below
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_LOGO_PIXELS:
                    raise UserError(f"is {width:,} × {height:,} pixels; {_TOO_MANY_PIXELS}")
                image.load()  # a damaged or cut-short file fails here, not when a poster is printed
                if max(width, height) <= LOGO_SIDE:
                    return data
                scale = LOGO_SIDE / max(width, height)
                if image.mode in ("1", "P") or "transparency" in image.info:
                    # Scaled smoothly, not pixel by pixel, its transparent parts staying transparent.
                    image = image.convert("RGBA" if image.mode == "P" or "transparency" in image.info else "L")
                small = image.resize((max(1, round(width * scale)), max(1, round(height * scale))),
                                     Image.Resampling.LANCZOS)
    except Image.DecompressionBombError:  # refused by Pillow itself as it read the header
        raise UserError(f"has too many pixels; {_TOO_MANY_PIXELS}") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise UserError("cannot be read as a PNG or JPEG image: the file is damaged or cut short") from None
    out = io.BytesIO()
    if kind == "image/png":
        small.save(out, format="PNG")
    else:
        small.save(out, format="JPEG", quality=92)
    return out.getvalue()


def set_logo(ws: Workspace, path: Path) -> Brand:
    """Read a PNG or JPEG and keep it in the workspace as the brand's logo (:func:`read_logo`:
    decoded whole, scaled down when it is larger than the poster needs)."""
    try:
        data = read_logo(path)
    except UserError as exc:
        raise UserError(f"logo: {exc}") from None
    mime = _image_type(data)
    digest = hashlib.sha256(data).hexdigest()
    asset = Asset.__table__
    with ws.writing() as conn:
        found = conn.execute(select(asset.c.id).where(asset.c.sha256 == digest)).scalar()
        if found is None:
            found = conn.execute(insert(asset).returning(asset.c.id).values(
                name=path.name, mime=mime, sha256=digest, data=data)).scalar_one()
    return _store(ws, {"logo": found, "logo_name": path.name})


def logo(ws: Workspace) -> Logo | None:
    """The brand's logo image, or None."""
    asset_id = get_brand(ws).logo
    if asset_id is None:
        return None
    asset = Asset.__table__
    with ws.engine.connect() as conn:
        row = conn.execute(select(asset.c.name, asset.c.mime, asset.c.data).where(asset.c.id == asset_id)).first()
    return Logo(row.name, row.mime, bytes(row.data)) if row is not None else None
