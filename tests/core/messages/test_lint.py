"""The consistency check: each rule firing on a variant that breaks it, and not on one that keeps it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from omnidesk.core.messages import lint
from omnidesk.core.messages.brand import Brand
from omnidesk.core.messages.derive import derive
from omnidesk.core.messages.links import add_utm
from omnidesk.core.messages.personal import shared_values

MASTER = {"headline": "Autumn candles are here", "body": "Hand-poured in Maine.", "offer_code": "AUTUMN20",
          "offer_value": "20% off", "offer_expires": "2026-10-31", "cta": "Shop the collection",
          "link": "https://hc.example/a"}
BRAND = Brand(name="Harbor Candles", sms_sender="HarborCndl", address="12 Quay St, Portland, ME 04101",
              banned_words=("free", "guaranteed"), disclaimer="")
TAGGED = add_utm(MASTER["link"], "sms", "sms", "autumn")
GOOD_SMS = f"HarborCndl: Autumn sale, code AUTUMN20. Shop the collection. {TAGGED} Reply STOP to opt out."


def codes(channel, fields, master=MASTER, brand=BRAND, **kw):
    found, _stats = lint.check_variant(channel, fields, master, brand, **kw)
    return {f.code for f in found}


def test_a_good_sms_has_no_finding():
    assert codes("sms", {"text": GOOD_SMS}) == set()


@pytest.mark.parametrize("text, code", [
    (GOOD_SMS.replace("AUTUMN20", "FALL"), "offer_code_missing"),
    (GOOD_SMS.replace(TAGGED, ""), "link_missing"),
    (GOOD_SMS.replace("Reply STOP to opt out.", ""), "sms_opt_out_missing"),
    (GOOD_SMS.replace("HarborCndl:", ""), "sms_sender_missing"),
    (GOOD_SMS.replace("Shop the collection.", ""), "cta_missing"),
    (GOOD_SMS + " Free shipping!", "banned_word"),
    (GOOD_SMS + " Ends 2026-11-15.", "expiry_differs"),
    (GOOD_SMS + " Ends 15 Nov 2026.", "expiry_differs"),
    (GOOD_SMS.replace("Autumn", "Autumn’s"), "sms_unicode"),
    (GOOD_SMS + " More words" * 20, "sms_segments"),
    (GOOD_SMS + " More words" * 120, "over_limit"),
    (GOOD_SMS + " Hi {frist_name}", "token"),
    (GOOD_SMS + " Hi {first_name", "token"),
    (GOOD_SMS.replace(TAGGED, MASTER["link"]), "link_without_utm"),
    (GOOD_SMS + " or http://-bad-.example", "malformed_link"),
])
def test_each_rule_fires_on_what_breaks_it(text, code):
    assert code in codes("sms", {"text": text})


def test_a_text_starting_as_a_formula_would_is_flagged_for_its_apostrophe():
    # "-20% today": the pack's CSV writer guards the cell with an apostrophe, which the SMS
    # gateway would send; a price or a plain word first needs no guard.
    (finding,) = [f for f in lint.check_variant("sms", {"text": "-" + GOOD_SMS}, MASTER, BRAND)[0]
                  if f.code == "formula_start"]
    assert finding.severity == lint.WARNING and "would send that apostrophe" in finding.message
    assert "formula_start" in codes("instagram", {"text": "@harborcandles " + GOOD_SMS})
    assert "formula_start" not in codes("sms", {"text": GOOD_SMS})
    assert "formula_start" not in codes("sms", {"text": "20% off: " + GOOD_SMS})


def test_the_same_date_written_another_way_is_not_a_difference():
    assert "expiry_differs" not in codes("sms", {"text": GOOD_SMS + " Ends 31 Oct 2026."})
    assert "expiry_differs" not in codes("sms", {"text": GOOD_SMS + " Ends Oct 31, 2026."})


def test_lengths_are_measured_on_the_longest_customer():
    text = GOOD_SMS.replace("Autumn sale", "{first_name|Friend}, autumn sale")
    short = lint.check_variant("sms", {"text": text}, MASTER, BRAND, samples=[{"first_name": "Al"}])[1]
    long = lint.check_variant("sms", {"text": text}, MASTER, BRAND,
                              samples=[{"first_name": "Al"}, {"first_name": "Maximiliana" * 3}])[1]
    assert long["length"] > short["length"] and long["encoding"] == "GSM-7"
    assert lint.check_variant("sms", {"text": "Hé {first_name}"}, MASTER, BRAND)[1]["encoding"] == "GSM-7"
    assert lint.check_variant("sms", {"text": "Привет"}, MASTER, BRAND)[1]["encoding"] == "UCS-2"


def test_the_longest_sample_is_one_customer_for_every_field():
    email = {"subject": "Hello {first_name|there}", "preheader": "Hi {first_name|there}",
             "body": "Hi {first_name|there}, how is your {last_product|purchase}?"}
    nat = {"first_name": "Nathaniel", "last_product": "Mug"}
    bo = {"first_name": "Bo", "last_product": "Hand-thrown stoneware serving bowl"}
    # Each field's longest on its own mixes the two; the preview's customer is one of them,
    # chosen by the field the counter measures (the subject), then by everything.
    assert lint.longest(email, [nat, bo])["body"].startswith("Hi Bo")
    assert lint.longest_sample("email", email, [bo, nat]) is nat
    assert lint.longest_sample("email", dict(email, subject="Hello"), [nat, bo]) is bo
    # No customers yet: the values everyone shares, the offer and the brand's name.
    assert lint.longest_sample("sms", {"text": "Hi"}, [], master=MASTER, business_name="Harbor") == \
        shared_values(MASTER, "Harbor")


def test_email_needs_the_brand_address_and_x_is_weighted():
    email = derive("email", MASTER, BRAND)
    assert "postal_address_missing" in codes("email", email, brand=Brand(name="Harbor"))
    assert "postal_address_missing" not in codes("email", email)
    post = "Autumn candles 🕯️ " * 20 + MASTER["link"]
    found, stats = lint.check_variant("x", {"text": post}, MASTER, BRAND)
    assert "over_limit" in {f.code for f in found} and stats["limit"] == 280


def test_disclaimer_custom_fields_and_empty_variants():
    brand = Brand(name="Harbor", disclaimer="While stocks last")
    assert "disclaimer_missing" in codes("sms", {"text": GOOD_SMS}, brand=brand)
    assert "token" not in codes("sms", {"text": GOOD_SMS + " {custom.Shopping for|gifts}"},
                                custom_names=["Shopping for"])
    assert "token" in codes("sms", {"text": GOOD_SMS + " {custom.Shopping for|gifts}"})
    assert "empty" in codes("website", {"text": "", "link": ""})


def test_every_rule_has_a_code_a_severity_and_words():
    assert len(lint.BY_CODE) == len(lint.RULES)
    assert all(r.severity in (lint.ERROR, lint.WARNING) and r.what for r in lint.RULES)


def test_a_personal_token_in_a_post_poster_or_banner_is_a_warning_where_it_stands():
    post = "Hi {First_Name|there}! {custom.Shopping for} deals, code {offer_code} " + MASTER["link"]
    found, stats = lint.check_variant("facebook", {"text": post}, MASTER, BRAND,
                                      samples=[{"first_name": "Maximiliana" * 3, "offer_code": "AUTUMN20"}],
                                      custom_names=["Shopping for"])
    personal = [f for f in found if f.code == "personal_token"]
    assert [(f.severity, f.field, post[f.start:f.end]) for f in personal] == [
        ("warning", "text", "{First_Name|there}"), ("warning", "text", "{custom.Shopping for}")]
    # Measured as published: the fallback, not the sample's name.
    assert stats["length"] == len(lint.longest({"text": post}, [{"offer_code": "AUTUMN20"}])["text"])
    assert "personal_token" in codes("store", {"headline": "For {city|you}", "offer": "", "cta": "", "link": ""})
    assert "personal_token" in codes("website", {"text": "{last_product|Candles} are back", "link": ""})
    for channel, fields in (("email", {"subject": "Hi {first_name}", "preheader": "", "body": ""}),
                            ("sms", {"text": GOOD_SMS + " {first_name}"}),
                            ("instagram", {"text": "Code {offer_code} from {business_name}"})):
        assert "personal_token" not in codes(channel, fields)


def test_the_offer_code_token_carries_the_code_with_or_without_customers_to_sample():
    """{offer_code} renders the code for everyone: it is not "the offer code is missing"."""
    text = GOOD_SMS.replace("AUTUMN20", "{offer_code}")
    assert "offer_code_missing" not in codes("sms", {"text": text})
    assert "offer_code_missing" not in codes("sms", {"text": text}, samples=[{"first_name": "Ann"}])
    post = "Autumn candles: {offer_code} at {business_name}. Shop the collection. " + add_utm(
        MASTER["link"], "facebook", "social", "autumn")
    assert "offer_code_missing" not in codes("facebook", {"text": post})
    assert "offer_code_missing" in codes("facebook", {"text": post.replace("{offer_code}", "")})


def test_a_name_that_turns_the_sms_to_ucs2_decides_its_segments():
    """Zoë's text is shorter than Alexandra's but UCS-2: two segments where hers is one. Picked by
    length alone, the check and the preview said one segment while her pack row said two."""
    from omnidesk.core.messages.sms import sms_stats
    from omnidesk.core.messages.tokens import render

    text = (f"HarborCndl: hi {{first_name|there}}, Autumn sale: code AUTUMN20. Shop the collection. {TAGGED} "
            "Reply STOP")
    zoe, alexandra = {"first_name": "Zoë"}, {"first_name": "Alexandra"}
    hers, longer = (sms_stats(render(text, who)) for who in (zoe, alexandra))
    assert longer.length > hers.length and (longer.segments, hers.segments) == (1, 3)
    found, stats = lint.check_variant("sms", {"text": text}, MASTER, BRAND, samples=[alexandra, zoe])
    assert (stats["segments"], stats["encoding"]) == (3, "UCS-2")
    assert "sms_segments" in {f.code for f in found}
    assert lint.longest_sample("sms", {"text": text}, [alexandra, zoe]) is zoe
    # The text itself is plain GSM-7: the warning names what in her details turns it UCS-2.
    (why,) = [f.message for f in found if f.code == "sms_unicode"]
    assert why == "ë in a customer's details makes their text UCS-2 (70 a segment, not 160)"


@pytest.mark.parametrize("text", [
    "HarborCndl: Autumn sale. Shop the collection. https://hc.example/fall?utm_source=sms Reply STOP",
    "HarborCndl: Fallen prices this autumn. Shop the collection. https://hc.example/a Reply STOP",
])
def test_an_offer_code_inside_a_link_or_a_word_is_no_code(text):
    """FALL was 'there' because the link's path held 'fall' (or a word began with it): the text
    gave no code to type at the till, and the check said nothing."""
    master = dict(MASTER, offer_code="FALL")
    assert "offer_code_missing" in codes("sms", {"text": text}, master=master)
    assert "offer_code_missing" not in codes("sms", {"text": text.replace("Shop", "Code FALL. Shop")},
                                             master=master)


def test_a_personal_token_without_fallback_is_named_when_sample_customers_lack_its_value():
    """"Hi {first_name}," reached the customers with no first name as "Hi ," and the check said
    nothing; with a fallback, or when every sample customer has one, it stays quiet."""
    text = f"HarborCndl: Hi {{first_name}}, code AUTUMN20. Shop the collection. {TAGGED} Reply STOP"
    people = [{"first_name": "Ann"}, {"first_name": None}, {"first_name": "  "}]
    found, _ = lint.check_variant("sms", {"text": text}, MASTER, BRAND, samples=people)
    (why,) = [f.message for f in found if f.code == "token_no_fallback"]
    assert why.startswith("{first_name} has no fallback and 2 of 3 sample customers have no value for it")
    assert "token_no_fallback" not in codes("sms", {"text": text.replace("{first_name}", "{first_name|there}")},
                                            samples=people)
    assert "token_no_fallback" not in codes("sms", {"text": text}, samples=[{"first_name": "Ann"}])
    assert "token_no_fallback" not in codes("sms", {"text": text})  # no customers yet: nothing to count


# Lines that tell nobody how to stop.  The first three went out as marketing texts with no
# opt-out at all: "stop" after a hyphen, after "reply," and before "to 9pm" each passed.
NOT_OPT_OUT = ["Shop non-stop for 48 hours!", "No need to reply, stop by the shop!", "Open non-stop to 9pm.",
               "Non-stop deals all weekend!", "Stop by for 20% off.", "STOP press: new candles.", "Don't stop now.",
               "Our unstoppable sale.", "Meet us at the bus stop.", "Stop in to 123 Main St.", "NON-STOP SAVINGS",
               "Don't stop to think, shop!", "Text us, stop by anytime.", "Reply to this text, stop in today.",
               "Stop for 20% off", "STOP for 2 days only", "Open nonstop to 10pm", "We never stop. Text us!",
               "Shop til you stop", "Stopwatch deals", "STOPS to 99999 hidden", "Replying? Stop by first."]
OPT_OUT = ["Reply STOP to opt out.", "Reply STOP", "Text STOP to 12345.", "Text STOP to end", "STOP to end.",
           "STOP to unsubscribe", "STOP2END", "Reply STOP2END", "Txt STOP", "Txt STOP 2 quit", "Stop? Reply STOP",
           "Opt out: STOP", "Opt-out: reply STOP", "Unsubscribe: reply STOP", "To stop, reply STOP.",
           "Reply 'STOP' to unsubscribe", "Reply “stop” to opt out", "Reply stop to opt out", "stop to unsubscribe",
           "SMS STOP to 88000", "Send STOP", "Msg&data rates may apply. Reply STOP to cancel", "REPLY STOP TO END",
           "STOP au 36173", "Répondez STOP pour vous désinscrire.", "Envoyez STOP au 36173",
           "Antworte STOP zum Abmelden.", "Antworte mit STOP", "SMS STOP an 12345",
           "Responde STOP para darse de baja", "Rispondi STOP per disiscriverti", "Antwoord STOP om af te melden",
           "STOP al 12345"]


@pytest.mark.parametrize("line", NOT_OPT_OUT)
def test_the_word_stop_alone_is_no_opt_out_line(line):
    """ "Non-stop deals" passed as an opt-out: the texts went out with no way to stop them."""
    text = GOOD_SMS.replace("Reply STOP to opt out.", line)
    assert "sms_opt_out_missing" in codes("sms", {"text": text})


@pytest.mark.parametrize("line", OPT_OUT)
def test_an_opt_out_line_is_read_in_its_usual_forms(line):
    text = GOOD_SMS.replace("Reply STOP to opt out.", line)
    assert "sms_opt_out_missing" not in codes("sms", {"text": text})


def test_the_brand_kits_own_opt_out_line_counts():
    brand = replace(BRAND, sms_opt_out="Antworte mit Ende zum Abbestellen")
    text = GOOD_SMS.replace("Reply STOP to opt out.", "Antworte mit Ende zum Abbestellen")
    assert "sms_opt_out_missing" not in codes("sms", {"text": text}, brand=brand)
    assert "sms_opt_out_missing" in codes("sms", {"text": text})


@pytest.mark.parametrize("ends", ["Ends 20th March 2026.", "Ends March 20th, 2026.", "Ends 11/15/2026.",
                                  "Ends 15/11/2026.", "Ends 15.11.2026.", "Ends 15 November.", "Ends Nov 15.",
                                  "Ends 15-11-2026."])
def test_an_end_date_written_any_common_way_is_read(ends):
    """A variant promising a longer offer than the master went unnoticed in these forms."""
    assert "expiry_differs" in codes("sms", {"text": f"{GOOD_SMS} {ends}"})


@pytest.mark.parametrize("ends", ["Ends 31st October 2026.", "Ends October 31st, 2026.", "Ends 10/31/2026.",
                                  "Ends 31/10/2026.", "Ends 31.10.2026.", "Ends 31 October.", "Ends Oct 31."])
def test_the_master_end_date_written_another_common_way_is_no_difference(ends):
    assert "expiry_differs" not in codes("sms", {"text": f"{GOOD_SMS} {ends}"})


def test_a_date_inside_a_link_is_the_pages_not_the_offers():
    """A lookbook page's dated address blocked every channel: "1 Mar 2027 here, but the offer ends 15 Mar"."""
    master = {**MASTER, "link": "https://hc.example/blogs/news/lookbook-2026-03-01"}
    tagged = add_utm(master["link"], "sms", "sms", "autumn")
    text = GOOD_SMS.replace(TAGGED, tagged)
    assert "expiry_differs" not in codes("sms", {"text": text}, master=master)
    assert "expiry_differs" in codes("sms", {"text": text + " Ends 2026-11-15."}, master=master)


def test_a_master_link_with_a_fragment_is_found_tagged():
    """The tags go before the #fragment, and the check read the link as missing on every channel."""
    master = {**MASTER, "link": "https://hc.example/sale#details"}
    for channel in ("sms", "email", "instagram", "store", "website"):
        fields = derive(channel, master, BRAND, campaign="autumn")
        assert "link_missing" not in codes(channel, fields, master=master), channel
    assert "link_missing" in codes("sms", {"text": GOOD_SMS.replace(TAGGED, "https://hc.example/sale#sizes")},
                                   master=master)


def test_a_text_that_starts_as_a_formula_for_one_sample_customer_is_flagged():
    """Only the longest rendering was read: "{first_name|Hi}, …" for a customer named "@jo" went
    into the pack as "'@jo, …" with no warning, because Alexandra's name was the longest."""
    text = "{first_name|Hi}, " + GOOD_SMS
    samples = [{"first_name": "Alexandra"}, {"first_name": "@jo"}, {"first_name": ""}]
    assert "formula_start" in codes("sms", {"text": text}, samples=samples)
    assert "formula_start" not in codes("sms", {"text": text}, samples=samples[:1] + samples[2:])


# The master's offer ends 31 Oct 2026.  Written without a year, a date is one after "ends",
# "until" and the like: "3/30" either way round, "30.3." day first.
@pytest.mark.parametrize("ends", ["Ends 10/30!", "Ends 30/10.", "until 11/1", "Until 30.10.", "bis 1.11.",
                                  "Valid until 2026/10/30.", "Ends 2026/11/30", "Ends Fri, 10/30.",
                                  "Ends: 30.10.", "by 10/30"])
def test_a_different_end_date_written_without_a_year_or_year_first_is_read(ends):
    """"ends 3/30", "until 2027/03/30" and "until 30.3." went unread: a day early, and no finding."""
    assert "expiry_differs" in codes("sms", {"text": f"{GOOD_SMS} {ends}"})


@pytest.mark.parametrize("text", ["Ends 10/31!", "Ends 31/10.", "Until 31.10.", "Valid until 2026/10/31.",
                                  "Open 24/7.", "1/2 price candles.", "Buy 2, get 1/3 off the third.",
                                  "Version 2.1. is out", "Up to 30.5 hours of burn", "In 3/4 of our stores"])
def test_the_same_end_date_or_no_date_at_all_is_no_difference(text):
    assert "expiry_differs" not in codes("sms", {"text": f"{GOOD_SMS} {text}"})


# The master's offer is "20% off".
@pytest.mark.parametrize("text", ["30% off today.", "Take 25% off.", "Save 30%!", "-30% today.", "$20 off.",
                                  "€5 off candles.", "10 € off.", "20 % Rabatt bis 31.10. 30% off.",
                                  "20.5% off", "Save $20 on candles"])
def test_an_offer_value_other_than_the_masters_is_an_error(text):
    assert "offer_value_differs" in codes("sms", {"text": GOOD_SMS.replace("Autumn sale", text)})


@pytest.mark.parametrize("text", ["20% off today.", "Save 20%!", "-20% today.", "20 % off", "20% Rabatt",
                                  "{offer_value} today.", "100% soy wax.", "Free shipping over $50.",
                                  "Orders over €30 ship free.", "Buy 2 get 1", "20% off, 100% cotton"])
def test_the_masters_offer_value_or_a_number_that_is_no_offer_is_no_difference(text):
    assert "offer_value_differs" not in codes("sms", {"text": GOOD_SMS.replace("Autumn sale", text)})


def test_offer_values_compare_as_amounts_and_up_to_takes_smaller_ones():
    money = {**MASTER, "offer_value": "$10 off"}
    assert "offer_value_differs" not in codes("sms", {"text": GOOD_SMS + " $10.00 off."}, master=money)
    assert "offer_value_differs" not in codes("sms", {"text": GOOD_SMS + " 10 USD off."}, master=money)
    assert "offer_value_differs" in codes("sms", {"text": GOOD_SMS + " $15 off."}, master=money)
    up_to = {**MASTER, "offer_value": "Up to 40% off"}
    assert "offer_value_differs" not in codes("sms", {"text": GOOD_SMS + " 25% off candles."}, master=up_to)
    assert "offer_value_differs" in codes("sms", {"text": GOOD_SMS + " 50% off candles."}, master=up_to)
    words = {**MASTER, "offer_value": "Buy one, get one"}  # nothing to compare with
    assert "offer_value_differs" not in codes("sms", {"text": GOOD_SMS + " 50% off candles."}, master=words)


@pytest.mark.parametrize("link, found", [
    ("https://hc.example/Autumn?utm_source=sms", True), ("https://HC.EXAMPLE/Autumn", True),
    ("HTTPS://hc.example/Autumn/", True), ("https://hc.example/autumn?utm_source=sms", False),
    ("https://hc.example/AUTUMN", False), ("https://hc.example/Autumn?b=2&a=1", True),
    ("https://hc.example/Autumn?a=1&b=2&utm_medium=sms", True), ("https://hc.example/Autumn?a=1&b=3", False),
    ("https://hc.example/Autumn?a=1&b=2#Top", False)])
def test_a_link_path_is_compared_in_its_own_capitals_and_the_host_in_any(link, found):
    """A variant linking /spring passed for a master linking /Spring: most servers open two pages."""
    master = {**MASTER, "link": "https://hc.example/Autumn?a=1&b=2" if "a=1" in link else "https://hc.example/Autumn"}
    if "#" in link:
        master["link"] += "#top"
    text = GOOD_SMS.replace(TAGGED, link)
    assert ("link_missing" not in codes("sms", {"text": text}, master=master)) is found


@pytest.mark.parametrize("headline, brand_name, unprintable", [
    ("Autumn sale", "Harbor Candles", None), ("Ρεκόρ εκπτώσεων — 東京ベーカリー", "Пекарня Хлеб", None),
    ("Sale שלום", "Harbor Candles", None), ("تخفيضات الربيع", "מאפיית השכונה", None),
    ("Sale नमक", "Harbor Candles", ("headline", "न म क")), ("Autumn sale", "ܫܠܡܐ", ("", "ܫ ܠ ܡ ܐ"))])
def test_what_the_poster_would_print_as_a_question_mark_is_an_error(headline, brand_name, unprintable):
    """A brand name or headline the poster's fonts lack printed as "???" with no word of warning."""
    fields = {**derive("store", MASTER, BRAND, campaign="autumn"), "headline": headline}
    found, _ = lint.check_variant("store", fields, MASTER, replace(BRAND, name=brand_name))
    hits = [(f.field, f.message) for f in found if f.code == "poster_unprintable"]
    if unprintable is None:
        assert hits == []
    else:
        ((field, message),) = hits
        assert field == unprintable[0] and message.startswith(unprintable[1] + " in the ")
        assert message.endswith("cannot be printed: the poster shows “?” in their place")
    assert lint.BY_CODE["poster_unprintable"].severity == lint.ERROR


@pytest.mark.parametrize("greeting", ["Hi {{first_name}},", "Hi {{ first_name }},"])
def test_a_token_in_doubled_braces_is_an_error(greeting):
    """Written as Mailchimp or Jinja would, the customer's name went out as the words "{first_name}"."""
    found, _ = lint.check_variant("sms", {"text": GOOD_SMS.replace("Autumn sale", greeting + " autumn sale")},
                                  MASTER, BRAND, samples=[{"first_name": "Ann"}])
    (finding,) = [f for f in found if f.code == "token"]
    assert finding.severity == lint.ERROR and "write {first_name}" in finding.message


@pytest.mark.parametrize("channel, text, differs", [
    ("sms", "£10 off.", True), ("sms", "10 EUR off.", True), ("sms", "10 gbp off.", True), ("email", "€10 off.", True),
    ("sms", "CA$10 off.", False), ("sms", "US$10 off.", False), ("sms", "10 usd off.", False),
    ("email", "$10.00 off.", False)])
def test_the_same_amount_in_another_currency_is_another_offer(channel, text, differs):
    """£10 off and €10 off passed for the master's $10 off: the currency's sign was dropped."""
    money = {**MASTER, "offer_value": "$10 off"}
    fields = ({"text": GOOD_SMS + " " + text} if channel == "sms" else
              {**derive("email", money, BRAND, campaign="autumn"), "subject": "Autumn: " + text})
    assert ("offer_value_differs" in codes(channel, fields, master=money)) is differs
    other = {**MASTER, "offer_value": "US$10 off"}
    assert "offer_value_differs" in codes("sms", {"text": GOOD_SMS + " CA$10 off."}, master=other)


def test_a_banned_word_brought_in_by_a_token_or_written_in_the_master_is_an_error():
    """"free" reached every reader through {offer_value}: the check read the token, not what it says."""
    from omnidesk.core.messages.store import MessageData, Variant

    master = {**MASTER, "offer_value": "20% off + free gift"}
    text = GOOD_SMS.replace("Autumn sale", "Autumn sale: {offer_value}")
    found, _ = lint.check_variant("sms", {"text": text}, master, BRAND, samples=[{"first_name": "Ann"}])
    assert [f.field for f in found if f.code == "banned_word"] == ["text"]
    assert "banned_word" in codes("sms", {"text": GOOD_SMS.replace("Autumn sale", "Hi {first_name|free spirit}")})
    assert "banned_word" not in codes("sms", {"text": text})  # the master's own offer: no banned word
    message = MessageData(1, "Autumn", master, {"sms": Variant("sms", {"text": GOOD_SMS}, master, False, False)}, "")
    report = lint.check(message, BRAND)
    assert [(f.channel, f.field) for f in report.findings if f.code == "banned_word"] == [("master", "offer_value")]


@pytest.mark.parametrize("offer, text, differs", [
    ("€1.000 Rabatt", "€1 Rabatt.", True), ("€1.000 Rabatt", "€1000 Rabatt.", False),
    ("€1.000 Rabatt", "€1,000 off.", False), ("€1.500 Rabatt", "€1,50 Rabatt.", True),
    ("€1.000,50 Rabatt", "€1000.50 off.", False), ("€1.000,50 Rabatt", "€1.000 off.", True),
    ("$1,000 off", "$1 off.", True), ("€7,50 off", "€7.50 off.", False), ("€7,50 off", "€750 off.", True)])
def test_thousands_grouped_with_dots_or_commas_are_read_whole(offer, text, differs):
    """"€1.000" was read as €1.00: the number stopped before its last figure."""
    master = {**MASTER, "offer_value": offer}
    assert ("offer_value_differs" in codes("sms", {"text": GOOD_SMS + " " + text}, master=master)) is differs


def test_an_email_field_is_measured_in_characters_whoever_the_sample_customers_are():
    """A customer with an Arabic name hid the long-preheader warning: the preheader was measured as an SMS."""
    preheader = ("Hi {first_name|there}, our autumn sale is on now with twenty percent off every candle, "
                 "wick, holder and tin in the shop, for one week.")
    fields = {**derive("email", MASTER, BRAND, campaign="autumn"), "preheader": preheader}
    long_name = {"first_name": "Maximiliana" * 3}
    found = {f.code: f for f in lint.check_variant("email", fields, MASTER, BRAND,
                                                   samples=[long_name, {"first_name": "محمد"}])[0]}
    assert "too_long" in found and "the preheader is 149 characters" in found["too_long"].message
    # An SMS's text is still measured as it costs: in segments first.
    sms_text = "Hi {first_name}, " + "autumn candles " * 5
    assert lint.longest({"text": sms_text}, [long_name, {"first_name": "محمد"}], "sms")["text"].startswith("Hi \u2068محمد\u2069")


@pytest.mark.parametrize("headline, brand_name, unprintable", [
    ("عيد مبارك ﷺ", "Harbor Candles", []), ("Autumn sale", "ﷲ Shop", []),
    ("ﷺ ܫܠܡܐ", "Harbor Candles", [("headline", "ܫ ܠ ܡ ܐ")])])
def test_an_arabic_ligature_in_the_headline_or_brand_name_is_checked(headline, brand_name, unprintable):
    """"ﷺ" or "ﷲ" stopped the check with an error: one ligature stands for several letters."""
    fields = {**derive("store", MASTER, BRAND, campaign="autumn"), "headline": headline}
    found, _ = lint.check_variant("store", fields, MASTER, replace(BRAND, name=brand_name))
    hits = [(f.field, f.message.split(" in the ")[0]) for f in found if f.code == "poster_unprintable"]
    assert hits == unprintable


def test_a_bare_www_link_is_read_as_https_as_it_is_tagged():
    """"www.hc.example/a?utm_…" was called a broken link and the master's link missing, though it opens."""
    master = {**MASTER, "link": "https://www.hc.example/a"}
    bare = add_utm(master["link"], "sms", "sms", "autumn")[len("https://"):]
    found = codes("sms", {"text": GOOD_SMS.replace(TAGGED, bare)}, master=master)
    assert not found & {"malformed_link", "link_missing", "link_without_utm"}
    assert "link_without_utm" in codes("sms", {"text": GOOD_SMS.replace(TAGGED, "www.hc.example/a")}, master=master)
    assert "link_missing" in codes("sms", {"text": GOOD_SMS.replace(TAGGED, "www.hc.example/b")}, master=master)
    assert "malformed_link" in codes("sms", {"text": GOOD_SMS + " www.-bad-.example"})


def test_a_preheader_made_from_a_long_first_sentence_is_never_cut_inside_a_token_or_a_link():
    """The preheader made from the master ended "…dear {first_na…", a broken token every reader saw."""
    body = ("Our autumn sale is on now with twenty percent off every candle, wick, holder and tin, "
            "dear {first_name|friend}, so come soon.")
    linked = "Our autumn sale is on now with twenty percent off every candle: see https://hc.example/autumn/candles now."
    for text, ends in ((body, "tin, dear…"), (linked, "candle: see…")):
        fields = derive("email", {**MASTER, "body": text}, BRAND, campaign="autumn")
        assert fields["preheader"].endswith(ends) and len(fields["preheader"]) <= 100
        assert "token" not in codes("email", fields, master={**MASTER, "body": text})


@pytest.mark.parametrize("line", ["Reply\u00a0STOP", "Reply\u00a0STOP\u00a0to\u00a0opt\u00a0out.", "Text\u202fSTOP to 12345",
                                  "STOP\u2009to end", "Opt\u00a0out:\u00a0STOP"])
def test_an_opt_out_line_with_a_no_break_or_thin_space_is_read(line):
    """"Reply\u00a0STOP", as some editors and phones write it, was called a missing opt-out line."""
    assert "sms_opt_out_missing" not in codes("sms", {"text": GOOD_SMS.replace("Reply STOP to opt out.", line)})
    assert "sms_opt_out_missing" in codes("sms", {"text": GOOD_SMS.replace("Reply STOP to opt out.", "Reply\nSTOP")})
