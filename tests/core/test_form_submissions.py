"""A website or survey form's export: people, and the moment each submitted the form."""

from __future__ import annotations

from omnidesk.core.importing.pipeline import ImportOptions, analyze, import_file
from omnidesk.core.timeline import find_customer, timeline
from tests.helpers import write_csv


def test_each_timed_row_of_a_form_export_is_also_a_form_submitted_event(new_workspace, tmp_path):
    form = write_csv(tmp_path / "contact_form.csv", ["submitted_at", "email", "form", "message"],
                     [["2024-05-02 10:15:00", "ann@example.com", "Contact us", "Do you ship to Canada?"],
                      ["2024-05-03 09:00:00", "bo@example.com", "Newsletter signup", ""],
                      ["", "cy@example.com", "Contact us", "no time on this one"]])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        plan = analyze(ws, form)
        assert (plan.kind, plan.channel) == ("contacts", "web")
        assert plan.mapping == ["occurred_at", "email", "campaign", "summary"]
        result = import_file(ws, form)
        assert (result.imported, result.events, result.new_customers) == (3, 2, 3)
        (ann,) = timeline(ws, find_customer(ws, "ann@example.com"))
        assert (ann.channel, ann.type, ann.summary) == ("web", "form", "Form submitted: Contact us")
        assert ann.occurred_at.startswith("2024-05-02T10:15")
        assert [e.type for e in timeline(ws, find_customer(ws, "cy@example.com"))] == []


def test_a_plain_contact_list_makes_no_events(new_workspace, tmp_path):
    people = write_csv(tmp_path / "customers.csv", ["Email", "First Name", "Signed up"],
                       [["ann@example.com", "Ann", "2024-05-02"]])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        result = import_file(ws, people, ImportOptions(channel="shop"))
        assert result.events == 0


def test_a_shop_list_with_an_order_date_is_not_a_form(new_workspace, tmp_path):
    rows = write_csv(tmp_path / "customers_eu.csv", ["Email", "First Name", "Order Date"],
                     [["ann@example.com", "Ann", "2024-04-25 10:00:00"]])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        plan = analyze(ws, rows, ImportOptions(channel="shop"))
        assert plan.kind == "contacts" and "occurred_at" in plan.mapping
        assert import_file(ws, rows, ImportOptions(channel="shop")).events == 0


def test_google_forms_timestamp_makes_form_events_whatever_the_channel(new_workspace, tmp_path):
    rows = write_csv(tmp_path / "responses.csv", ["Timestamp", "Email Address", "Your name"],
                     [["2024-05-02 10:15:00", "ann@example.com", "Ann Lee"]])
    with new_workspace(tmp_path / "w.omnidesk") as ws:
        assert import_file(ws, rows, ImportOptions(channel="pos")).events == 1
