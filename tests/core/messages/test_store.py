"""The brand kit and messages kept in the workspace: variants made from the master, stale when the
master moves, re-synced or kept, versions restored, the JSON form read and written."""

from __future__ import annotations

import json
import struct
import zlib

import pytest

from omnidesk.core.errors import UserError
from omnidesk.core.messages import brand as brand_kit
from omnidesk.core.messages import store
from omnidesk.core.messages.derive import derive, offer_words, word_diff

MASTER = {"headline": "Autumn candles are here", "body": "Hand-poured in Maine. Lavender, cedar and smoke.",
          "offer_code": "AUTUMN20", "offer_value": "20% off", "offer_expires": "2026-10-31",
          "cta": "Shop the collection", "link": "https://shop.example.com/autumn?ref=nl#top"}


def png(path, width=2, height=2):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return path


def test_the_brand_kit_is_checked_as_it_is_set_and_kept_with_its_logo(ws, tmp_path):
    kit = brand_kit.get_brand(ws)
    assert kit.sms_opt_out == "Reply STOP to opt out" and kit.name == ""
    brand_kit.set_brand(ws, "name", "  Harbor   Candles ")
    assert ws.get_setting("business_name") == "Harbor Candles"  # one truth with Preferences
    brand_kit.set_brand(ws, "colors", "#1b4332, #d8a31a")
    brand_kit.set_brand(ws, "banned_words", "free, FREE, guaranteed ,")
    brand_kit.set_brand(ws, "address", "12 Quay St\\nPortland, ME 04101")
    brand_kit.set_brand(ws, "sms_sender", "HarborCndl")
    kit = brand_kit.set_logo(ws, png(tmp_path / "logo.png"))
    assert (kit.name, kit.colors, kit.banned_words, kit.address, kit.logo_name) == (
        "Harbor Candles", ("#1B4332", "#D8A31A"), ("free", "guaranteed"), "12 Quay St\nPortland, ME 04101",
        "logo.png")
    assert brand_kit.logo(ws).data == (tmp_path / "logo.png").read_bytes()
    for field, value, words in (("colors", "red", "#RRGGBB"), ("sms_sender", "Harbor Candles Co", r"3 to 11 letters, digits or spaces \(it has 17"),
                                ("sms_sender", "123", "at least one letter"), ("font", "x", "not part of"),
                                ("utm_campaign", "{year}-{message}", "only {message}")):
        with pytest.raises(UserError, match=words):
            brand_kit.set_brand(ws, field, value)
    assert brand_kit.set_brand(ws, "sms_sender", "HarborCndls").sms_sender == "HarborCndls"  # 11 is allowed
    with pytest.raises(UserError, match=r"keep it to 300 characters at most \(it has 301\)"):
        brand_kit.set_brand(ws, "tagline", "x" * 301)
    (tmp_path / "logo.gif").write_bytes(b"GIF89a....")
    with pytest.raises(UserError, match="not a PNG or JPEG"):
        brand_kit.set_brand(ws, "logo", str(tmp_path / "logo.gif"))
    with pytest.raises(UserError, match='logo: "none.png": no such file'):
        brand_kit.set_brand(ws, "logo", str(tmp_path / "none.png"))
    assert brand_kit.get_brand(ws).logo_name == "logo.png"  # a refused logo leaves the old one


def test_variants_made_from_the_master_say_the_same_offer_everywhere():
    kit = brand_kit.Brand(name="Harbor Candles", sms_sender="HarborCndl")
    assert offer_words(MASTER) == "20% off with code AUTUMN20, until 31 Oct 2026"
    email = derive("email", MASTER, kit)
    assert email["subject"] == "Autumn candles are here" and email["preheader"] == "Hand-poured in Maine."
    assert "AUTUMN20" in email["body"] and MASTER["link"] in email["body"]
    assert derive("sms", MASTER, kit)["text"] == (
        "HarborCndl: Autumn candles are here. 20% off with code AUTUMN20, until 31 Oct 2026. Shop the collection. "
        "https://shop.example.com/autumn?ref=nl#top Reply STOP to opt out.")
    assert derive("store", MASTER, kit) == {"headline": MASTER["headline"], "offer": offer_words(MASTER),
                                           "cta": MASTER["cta"], "link": MASTER["link"]}
    for channel in ("instagram", "x", "website"):
        assert "AUTUMN20" in " ".join(derive(channel, MASTER, kit).values())


def test_a_variant_goes_stale_when_the_master_moves_and_is_resynced_or_kept(ws):
    msg = store.save_message(ws, "Autumn launch", MASTER)
    assert msg.channels == ["email", "sms", "facebook", "instagram", "store"] and msg.stale == []
    store.set_variant(ws, "autumn launch", "sms", {"text": "Autumn is here. AUTUMN20 for 20% off. STOP to end"})
    moved = dict(MASTER, offer_code="FALL25", offer_value="25% off")
    msg = store.save_message(ws, "Autumn launch", moved, replace=True)
    assert msg.stale == ["email", "sms", "facebook", "instagram", "store"]
    sms = msg.variants["sms"]
    assert sms.edited and sms.fields["text"].startswith("Autumn is here")
    assert sms.changes(msg.master)["offer_code"] == [("-", "AUTUMN20"), ("+", "FALL25")]
    msg = store.resync_variant(ws, "Autumn launch", "email")
    assert "FALL25" in msg.variants["email"].fields["body"] and not msg.variants["email"].stale
    msg = store.keep_variant(ws, "Autumn launch", "sms")
    assert not msg.variants["sms"].stale and msg.variants["sms"].fields["text"].startswith("Autumn is here")
    assert msg.stale == ["facebook", "instagram", "store"]


def test_versions_restore_an_earlier_state(ws):
    store.save_message(ws, "Launch", MASTER)
    store.save_message(ws, "Launch", dict(MASTER, headline="Winter candles"), replace=True)
    history = store.versions(ws, "Launch")
    assert [v.snapshot["message"]["headline"] for v in history] == ["Winter candles", "Autumn candles are here"]
    msg = store.restore_version(ws, "Launch", history[-1].id)
    assert msg.master["headline"] == "Autumn candles are here" and msg.stale == []
    assert len(store.versions(ws, "Launch")) == 3


def test_the_json_form_round_trips_and_bad_files_say_where(ws, tmp_path):
    doc = {"name": "Launch", "message": MASTER, "variants": {"x": {"text": "Autumn is here #candles"}}}
    msg = store.import_json(ws, doc)
    assert "x" in msg.channels and msg.variants["x"].edited
    out = store.export_json(ws, "Launch")
    assert out["message"] == MASTER and out["variants"]["x"] == {"text": "Autumn is here #candles"}
    again = store.import_json(ws, json.loads(json.dumps(out)))
    assert again.master == msg.master and {c: v.fields for c, v in again.variants.items()} == \
        {c: v.fields for c, v in msg.variants.items()}
    for bad, words in (([], "one JSON object"), ({"name": "A", "message": {"title": "x"}}, "message.title"),
                       ({"name": "A", "message": {"headline": "x", "offer_expires": "soon"}}, "offer_expires"),
                       ({"name": "A", "message": {"headline": "x"}, "variants": {"tiktok": {}}}, "variants.tiktok"),
                       ({"name": "A", "message": {"headline": "x"}, "variants": {"sms": {"body": "x"}}},
                        "variants.sms.body"),
                       ({"name": "A", "message": {}}, "headline or a body"),
                       ({"name": "A", "message": {"headline": 3}}, "give text")):
        with pytest.raises(UserError, match=words):
            store.import_json(ws, bad)
    assert [m.name for m in store.list_messages(ws)] == ["Launch"]


def test_names_duplicates_and_deletes(ws):
    store.save_message(ws, "Launch", MASTER)
    with pytest.raises(UserError, match="exists already"):
        store.save_message(ws, "launch", MASTER)
    copy = store.duplicate_message(ws, "Launch", "Launch (copy)")
    assert copy.master == dict(MASTER, image="") and len(store.versions(ws, "Launch (copy)")) == 1
    store.delete_message(ws, "LAUNCH")
    assert [m.name for m in store.list_messages(ws)] == ["Launch (copy)"]
    with pytest.raises(UserError, match="There is no message 'Launch'"):
        store.get_message(ws, "Launch")


def test_word_diff():
    assert word_diff("20% off with AUTUMN20", "25% off with FALL25") == [
        ("-", "20%"), ("+", "25%"), ("=", "off with"), ("-", "AUTUMN20"), ("+", "FALL25")]
