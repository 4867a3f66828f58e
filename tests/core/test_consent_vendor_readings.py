"""A vendor's way of saying "not subscribed" never reads as a yes.

Each export is imported the real way into a real workspace, then read back from the stored
consent column (the customers export) and from a "consent.email is granted" rule, which is what a
campaign's audience and a segment go by:

* a header that refuses consent ("Email Unsubscribed", "No newsletter", "Email not subscribed") is
  an opt-out column, never taken for the consent it refuses because the two differ by a letter or
  two: True in "Email Unsubscribed" is an unsubscribe, False is no answer at all.
"""

from __future__ import annotations

import csv

import pytest

from omnidesk.core.exporting.tables import export_customers
from omnidesk.core.importing.column_guess import guess_mapping
from omnidesk.core.importing.fields import FIELDS_BY_NAME, FieldType
from omnidesk.core.importing.pipeline import import_file
from tests.helpers import write_csv

COLUMNS = ["id", "first_name", "email", "consent_email", "consent_sms"]


def _export(ws, tmp_path, name, **kwargs) -> dict[str, dict[str, str]]:
    out = tmp_path / name
    export_customers(ws, out, columns=COLUMNS, **kwargs)
    with out.open(encoding="utf-8", newline="") as fh:
        return {r["first_name"]: r for r in csv.DictReader(fh)}


def consent(ws, tmp_path, channel: str = "email") -> dict[str, str]:
    """Each customer's stored consent on ``channel`` ("" when unknown)."""
    return {name: row[f"consent_{channel}"] for name, row in _export(ws, tmp_path, "all.csv").items()}


def granted(ws, tmp_path, channel: str = "email") -> set[str]:
    """Who a "consent is granted" rule lets through on ``channel``."""
    rule = {"field": f"consent.{channel}", "op": "is", "value": "granted"}
    return set(_export(ws, tmp_path, f"granted_{channel}.csv", rule=rule))


@pytest.mark.parametrize("header", [
    "Email Unsubscribed", "Emails unsubscribed", "Email Unsubcribed", "Email unsubscribe", "Email not subscribed",
    "Email non consent", "No newsletter", "No Email Marketing", "Not opted in", "Unsubscribed email",
    "Non subscriber", "SMS non subscribed", "SMS not opted in", "Not WhatsApp opted in",
])
def test_a_header_that_refuses_consent_is_never_read_as_the_consent(header):
    (guess,) = guess_mapping([header])
    field = FIELDS_BY_NAME.get(guess.field)
    assert field is None or field.type is not FieldType.CONSENT, guess.reason


@pytest.mark.parametrize(("header", "field"), [
    ("Email Unsubscribed", "no_email"), ("Email not subscribed", "no_email"), ("No newsletter", "no_email"),
    ("SMS not opted in", "no_sms"),
])
def test_a_header_that_refuses_a_channels_consent_is_its_opt_out(header, field):
    assert guess_mapping([header])[0].field == field


def test_typos_and_synonyms_of_consent_still_read_as_consent():
    assert [g.field for g in guess_mapping(["Email sbscribed", "Accept marketing", "Phone no", "No. of orders"])] == [
        "consent_email", "consent_email", "phone", "total_orders"]


def test_true_in_an_unsubscribed_column_is_an_unsubscribe_and_false_no_answer(make_workspace, tmp_path):
    ws = make_workspace()
    import_file(ws, write_csv(tmp_path / "newsletter_list.csv", ["Email", "First Name", "Email Unsubscribed"], [
        ["irene@example.com", "Irene", "False"],
        ["jack@example.com", "Jack", "True"],
    ]))
    assert consent(ws, tmp_path) == {"Irene": "", "Jack": "unsubscribed"}
    assert granted(ws, tmp_path) == set()
