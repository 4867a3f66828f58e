"""Real shop and email-tool exports read as what they are: a German, French, Spanish, Dutch or
Italian order export is a file of orders (its cancelled orders not spend), a Brevo contacts
export gives each contact the mobile number in its SMS column, a Squarespace orders export's
extra item lines do not make it a list of people, and an Etsy sold-orders export keeps the
buyer's shipping address and counts the order's total, not its items' value.
"""

from __future__ import annotations

import json

import pytest

from tests.helpers import exported_customers, run_cli


def _import(capsys, ws, path, *args) -> str:
    status, out, err = run_cli(capsys, "import", str(path), "-w", str(ws.path), *args)
    assert status == 0, err
    return out + err


def _customers(capsys, ws, tmp_path, columns: str) -> dict[str, dict[str, str]]:
    return {r["id"]: r for r in exported_customers(capsys, ws.path, tmp_path, f"id,{columns}")}


def _imported_in_a_us_shop(capsys, make_workspace, tmp_path, name: str, text: str, zone="America/New_York"):
    """``text`` saved as ``name`` and imported through the command line into a new US shop (dollars,
    its clock in ``zone``): the shop, and what the import said."""
    ws = make_workspace(default_region="US", currency="USD", timezone=zone)
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return ws, _import(capsys, ws, path)


def _report(capsys, ws) -> dict:
    status, out, err = run_cli(capsys, "report", "--json", "-w", str(ws.path))
    assert status == 0, err
    return json.loads(out)


# -- a Squarespace orders export: an order's extra items are rows without a date -------------------

SQUARESPACE = (
    "Order ID,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Currency,Subtotal,Shipping,"
    "Discount Code,Discount Amount,Shipping Method,Taxes,Amount Refunded,Total,Lineitem quantity,"
    "Lineitem name,Lineitem price,Lineitem sku,Lineitem variant,Lineitem requires shipping,Lineitem taxable,"
    "Lineitem fulfillment status,Billing Name,Billing Address1,Billing Address2,Billing City,Billing Zip,"
    "Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Address1,Shipping Address2,"
    "Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Cancelled at,"
    "Private Notes,Payment Method,Payment Reference,Created at,Channel,Channel Type,Channel Name\n"
    "01001,rosa@example.com,PAID,2024-03-05 14:21:07 -0500,FULFILLED,2024-03-06 10:00:00 -0500,USD,60.00,"
    "5.00,,0.00,Flat Rate,4.80,0.00,69.80,1,Blue Mug,20.00,SQ-MUG,Blue,true,true,fulfilled,Rosa Diaz,"
    "5 Pine St,,Austin,78701,TX,US,512-555-0142,Rosa Diaz,5 Pine St,,Austin,78701,TX,US,512-555-0142,,,"
    "Stripe,ch_1,2024-03-05 14:21:07 -0500,Web,web,\n"
    "01001,,,,,,,,,,,,,,,2,Red Bowl,20.00,SQ-BOWL,Red,true,true,fulfilled,,,,,,,,,,,,,,,,,,,,,,,,\n"
    "01002,rosa@example.com,REFUNDED,2024-04-01 09:00:00 -0400,CANCELED,,USD,30.00,0.00,,0.00,,0.00,30.00,"
    "30.00,1,Plate,30.00,SQ-PLT,,true,true,,Rosa Diaz,5 Pine St,,Austin,78701,TX,US,512-555-0142,,,,,,,,,"
    "2024-04-02 09:00:00 -0400,,Stripe,ch_2,2024-04-01 09:00:00 -0400,Web,web,\n"
)


def test_a_squarespace_orders_export_is_read_as_orders_its_extra_item_lines_and_all(
        capsys, make_workspace, tmp_path):
    ws, said = _imported_in_a_us_shop(capsys, make_workspace, tmp_path, "orders_squarespace.csv", SQUARESPACE,
                                      zone="America/Chicago")
    assert "list of people" not in said
    rosa, = _customers(capsys, ws, tmp_path, "email,phone,city,orders,lifetime_spend").values()
    # One order counted, 69.80; the refunded one is not spend.
    assert (rosa["email"], rosa["orders"], rosa["lifetime_spend"]) == ("rosa@example.com", "1", "69.80")
    assert (rosa["phone"], rosa["city"]) == ("+15125550142", "Austin")
    totals = _report(capsys, ws)["totals"]
    assert (totals["events"], totals["revenue"]) == (2, 69.8)


# -- an Etsy sold-orders export: the shipping address, and the order's total ----------------------

ETSY = (
    "Sale Date,Order ID,Buyer User ID,Full Name,First Name,Last Name,Number of Items,Payment Method,"
    "Date Shipped,Street 1,Street 2,Ship City,Ship State,Ship Zipcode,Ship Country,Currency,Order Value,"
    "Coupon Code,Coupon Details,Discount Amount,Shipping Discount,Shipping,Sales Tax,Order Total,Status,"
    "Card Processing Fees,Order Net,Adjusted Order Total,Adjusted Card Processing Fees,"
    "Adjusted Net Order Amount,Buyer,Order Type,Payment Type,InPerson Discount,InPerson Location,SKU\n"
    "12/03/24,3512345678,987654321,Jane Smith,Jane,Smith,2,Credit card,12/05/24,12 Oak St,,Boston,MA,"
    "02134,United States,USD,42.00,,,0,0,5.95,2.63,50.58,Completed,1.77,48.81,--,--,--,janesmith88,online,"
    "online_cc,,,MUG-01\n"
    "01/15/25,3523456789,123456789,Hans Müller,Hans,Müller,1,PayPal,01/17/25,Hauptstr. 5,,Berlin,,10115,"
    "Germany,EUR,\"1,250.00\",,,0,0,12.00,0,\"1,262.00\",Completed,0.00,\"1,262.00\",--,--,--,hansm,online,"
    "paypal,,,LAMP-02\n"
)


def test_an_etsy_sold_orders_export_keeps_the_shipping_address_and_counts_the_order_total(
        capsys, make_workspace, tmp_path):
    ws, _said = _imported_in_a_us_shop(capsys, make_workspace, tmp_path, "EtsySoldOrders2025.csv", ETSY)
    people = {r["last_name"]: r for r in _customers(
        capsys, ws, tmp_path, "last_name,address,city,region,postcode,country,orders,lifetime_spend").values()}
    jane, hans = people["Smith"], people["Müller"]
    # What Jane paid (items 42.00, shipping and tax on top), not the items' value alone.
    assert (jane["orders"], jane["lifetime_spend"]) == ("1", "50.58")
    assert [jane[k] for k in ("address", "city", "region", "postcode", "country")] == \
        ["12 Oak St", "Boston", "MA", "02134", "US"]
    assert [hans[k] for k in ("address", "city", "postcode", "country")] == ["Hauptstr. 5", "Berlin", "10115", "DE"]
    totals = _report(capsys, ws)["totals"]
    assert (totals["revenue"], totals["other_revenue"]) == (50.58, {"EUR": 1262.0})


def test_an_order_value_alone_is_still_the_order_s_amount(capsys, make_workspace, tmp_path):
    ws, _said = _imported_in_a_us_shop(capsys, make_workspace, tmp_path, "orders.csv",
                                       "Order Date,Order ID,Email,Order Value\n2024-12-03,1001,amy@example.com,42.00\n")
    amy, = _customers(capsys, ws, tmp_path, "email,orders,lifetime_spend").values()
    assert (amy["orders"], amy["lifetime_spend"]) == ("1", "42.00")


# -- order exports in German, French, Spanish, Dutch and Italian ------------------------------------

KUNDEN = ("\ufeffKundennummer;Anrede;Vorname;Nachname;E-Mail;Telefon;Straße;PLZ;Ort;Land;Geburtsdatum;"
          "Newsletter;Kunde seit\r\n"
          "1001;Herr;Jürgen;Weiß;juergen@example.de;0151 23456789;Königstraße 1;01067;Dresden;Deutschland;"
          "03.07.1990;nein;12.01.2023\r\n"
          "1002;Frau;Anna;Groß;anna@example.de;030 1234567;Hauptstr. 2;10115;Berlin;Deutschland;25.12.1985;ja;"
          "05.02.2023\r\n")
BESTELLUNGEN = ("\ufeffBestellnummer;Bestelldatum;E-Mail;Vorname;Nachname;Gesamtbetrag;Währung;Status\r\n"
                "50001;03.04.2024 14:05;juergen@example.de;Jürgen;Weiß;1.234,56;EUR;bezahlt\r\n"
                "50002;04.05.2024 09:00;anna@example.de;Anna;Groß;12,50 €;EUR;storniert\r\n"
                "50003;05.05.2024 09:00;anna@example.de;Anna;Groß;99,00;EUR;bezahlt\r\n")


def _spend(capsys, ws, tmp_path) -> dict[str, tuple[str, str]]:
    return {r["email"]: (r["orders"], r["lifetime_spend"])
            for r in _customers(capsys, ws, tmp_path, "email,orders,lifetime_spend").values()}


def test_a_german_order_export_is_read_as_orders_and_a_cancelled_one_is_not_spend(
        capsys, make_workspace, tmp_path):
    ws = make_workspace(default_region="DE", currency="EUR", timezone="Europe/Berlin")
    kunden, bestellungen = tmp_path / "kunden_export.csv", tmp_path / "bestellungen_export.csv"
    kunden.write_bytes(KUNDEN.encode("utf-8"))
    bestellungen.write_bytes(BESTELLUNGEN.encode("utf-8"))
    _import(capsys, ws, kunden)
    said = _import(capsys, ws, bestellungen)
    assert "list of people" not in said
    assert _spend(capsys, ws, tmp_path) == {"juergen@example.de": ("1", "1234.56"),
                                            "anna@example.de": ("1", "99.00")}
    report = _report(capsys, ws)
    assert report["totals"]["revenue"] == 1333.56


# Each language's header and its words for paid, cancelled and refunded, in the encoding and
# with the delimiter its shops' spreadsheets write.
ORDER_EXPORTS = {
    "fr": ("cp1252", "N° de commande;Date de commande;E-mail;Prénom;Nom;Total TTC;Devise;Statut",
           ("payé", "annulé", "remboursé"), "05/05/2024 09:00"),
    "es": ("utf-8-sig", "Número de pedido;Fecha de pedido;Correo electrónico;Nombre;Apellidos;Importe total;"
           "Moneda;Estado del pedido", ("pagado", "cancelado", "reembolsado"), "05/05/2024 09:00"),
    "nl": ("utf-8-sig", "Bestelnummer;Besteldatum;E-mailadres;Voornaam;Achternaam;Totaalbedrag;Valuta;Status",
           ("betaald", "geannuleerd", "terugbetaald"), "05-05-2024 09:00"),
    "it": ("utf-8-sig", "Numero ordine;Data ordine;Email;Nome;Cognome;Totale;Valuta;Stato ordine",
           ("pagato", "annullato", "rimborsato"), "05/05/2024 09:00"),
    "de": ("utf-8-sig", "Bestell-Nr.;Kaufdatum;E-Mail;Vorname;Nachname;Gesamtsumme;Währung;Bestellstatus",
           ("bezahlt", "abgebrochen", "zurückerstattet"), "05.05.2024 09:00"),
}


@pytest.mark.parametrize("language", sorted(ORDER_EXPORTS))
def test_an_order_export_in_another_language_counts_only_the_orders_paid(
        capsys, make_workspace, tmp_path, language):
    encoding, header, (paid, cancelled, refunded), when = ORDER_EXPORTS[language]
    ws = make_workspace(default_region=language.upper(), currency="EUR", timezone="Europe/Paris")
    rows = [f"7001;{when};anna@example.eu;Anna;Rossi;99,00;EUR;{paid}",
            f"7002;{when};anna@example.eu;Anna;Rossi;12,50;EUR;{cancelled}",
            f"7003;{when};anna@example.eu;Anna;Rossi;40,00;EUR;{refunded.upper()}"]
    path = tmp_path / f"orders_{language}.csv"
    path.write_bytes("\r\n".join([header, *rows, ""]).encode(encoding))
    said = _import(capsys, ws, path, "--region", language.upper())
    assert "list of people" not in said
    assert _spend(capsys, ws, tmp_path) == {"anna@example.eu": ("1", "99.00")}


def test_a_column_of_order_numbers_in_a_list_of_people_is_said(capsys, make_workspace, tmp_path):
    ws = make_workspace(default_region="DE", currency="EUR", timezone="Europe/Berlin")
    path = tmp_path / "belege.csv"
    path.write_bytes("\ufeffBestellnummer;Belegtag;E-Mail;Gesamtbetrag\r\n"
                     "50001;03.04.2024;juergen@example.de;1.234,56\r\n".encode("utf-8"))
    said = _import(capsys, ws, path)
    assert "Column 'Bestellnummer' reads as order numbers" in said
    assert "no order in it is counted" in said
    # Read as said: the person is kept, with no order.
    assert _spend(capsys, ws, tmp_path) == {"juergen@example.de": ("0", "")}


# -- a Brevo contacts export: its SMS column is the contact's mobile number -------------------------

BREVO = ("CONTACT ID;EMAIL;FIRSTNAME;LASTNAME;SMS;WHATSAPP;LANDLINE_NUMBER;DOUBLE_OPT-IN;OPT_IN;"
         "EMAIL_BLACKLISTED;SMS_BLACKLISTED;ADDED_TIME;MODIFIED_TIME\r\n"
         "1;amelie@example.fr;Amélie;Durand;33612345678;;;Yes;Yes;No;Yes;2024-03-05 10:12:00;2024-06-01 08:00:00\r\n"
         "2;bruno@example.fr;Bruno;Petit;+33698765432;;;No;No;Yes;No;2024-03-06 10:12:00;2024-06-01 08:00:00\r\n")


def _brevo(tmp_path):
    path = tmp_path / "brevo_contacts_export.csv"
    path.write_bytes(BREVO.encode("utf-8"))
    return path


def test_a_brevo_contacts_export_gives_each_contact_the_mobile_number_its_sms_stop_is_about(
        capsys, make_workspace, tmp_path):
    ws = make_workspace(default_region="FR", currency="EUR", timezone="Europe/Paris")
    _import(capsys, ws, _brevo(tmp_path))
    people = {r["email"]: r for r in _customers(
        capsys, ws, tmp_path, "email,first_name,last_name,phone,consent_email,consent_sms,first_seen").values()}
    amelie, bruno = people["amelie@example.fr"], people["bruno@example.fr"]
    assert (amelie["first_name"], amelie["last_name"], amelie["phone"]) == ("Amélie", "Durand", "+33612345678")
    assert bruno["phone"] == "+33698765432"
    # SMS_BLACKLISTED "Yes" is Amélie's number's stop; EMAIL_BLACKLISTED "Yes" Bruno's address's.
    assert (amelie["consent_sms"], bruno["consent_email"]) == ("unsubscribed", "unsubscribed")
    assert bruno["consent_sms"] == ""
    # ADDED_TIME is when the contact was first seen.
    assert (amelie["first_seen"][:10], bruno["first_seen"][:10]) == ("2024-03-05", "2024-03-06")


def test_a_brevo_number_without_its_plus_is_not_guessed_for_a_contact_but_its_stop_waits_for_it(
        capsys, make_workspace, tmp_path):
    ws = make_workspace(default_region="US", currency="USD", timezone="America/New_York")
    said = _import(capsys, ws, _brevo(tmp_path))
    assert "flagged 1" in said
    people = {r["email"]: r for r in _customers(capsys, ws, tmp_path, "email,phone,consent_sms").values()}
    # "33612345678" is no US number; read for a contact, the digits are not taken for a number abroad.
    assert people["amelie@example.fr"]["phone"] == ""
    assert people["bruno@example.fr"]["phone"] == "+33698765432"
    # Her SMS stop waits for the number: a later file with +33 6 12 34 56 78 is opted out.
    later = tmp_path / "shop_customers.csv"
    later.write_bytes(b"First Name,Last Name,Email,Phone,Accepts SMS Marketing\r\n"
                      b"Amelie,Durand,amelie.durand@example.com,+33 6 12 34 56 78,yes\r\n")
    _import(capsys, ws, later)
    people = {r["email"]: r for r in _customers(capsys, ws, tmp_path, "email,phone,consent_sms").values()}
    later_amelie = people["amelie.durand@example.com"]
    assert (later_amelie["phone"], later_amelie["consent_sms"]) == ("+33612345678", "unsubscribed")
