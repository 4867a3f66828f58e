"""The import's results say why a nameless subscriber on the shop's landline is a customer of its own.

Sixteen Shopify customers gave the shop's landline, and the SMS list holds one subscriber with that
number alone: 17 rows, 17 new customers.  The trial run and the finished import say that one of
them shares only a number sixteen customers hold, so the count reads as meant.
"""

from __future__ import annotations

import time_machine

from omnidesk.ui.dialogs.import_wizard import CHECK_PAGE, DONE_PAGE, ImportWizard
from omnidesk.ui.tasks import TaskRunner
from tests.core.test_cli_nameless_on_a_shared_number import NAMES, _shop_row
from omnidesk.core.demo_data.shared import SHOPIFY_CUSTOMERS_HEADER
from tests.helpers import write_csv

SAID = ("1 record with no name shares only a phone number held by 16 other customers: kept as a customer "
        "of its own, since a number or address several customers give does not say whose it is.")


def test_the_results_say_why_the_subscriber_is_a_customer_of_its_own(qtbot, ws, tmp_path):
    rows = [_shop_row(n, first, last) for n, (first, last) in enumerate(NAMES)]
    for row in rows:
        row[SHOPIFY_CUSTOMERS_HEADER.index("Phone")] = "+1 602-264-0100"
    shop = write_csv(tmp_path / "customers_export.csv", SHOPIFY_CUSTOMERS_HEADER, rows)
    subscribers = write_csv(tmp_path / "sms_subscribers.csv", ["Phone", "SMS Consent"], [["+1 602-264-0100", "yes"]])
    with time_machine.travel("2027-01-10 15:00:00Z", tick=False):
        wizard = ImportWizard(ws, [shop, subscribers], TaskRunner(inline=True))
        qtbot.addWidget(wizard)
        wizard.resize(1024, 640)
        wizard.show()
        wizard.next()  # the columns
        wizard.next()  # the trial run
        assert wizard.currentId() == CHECK_PAGE
        assert f"<b>sms_subscribers.csv</b>: {SAID}" in wizard.check_page.notes.text()
        with qtbot.waitSignal(wizard.importsFinished, timeout=10000):
            wizard.next()
        qtbot.waitUntil(lambda: wizard.currentId() == DONE_PAGE, timeout=5000)
    assert [r.new_customers for r in wizard.results] == [16, 1]
    notes = wizard.done_page.notes.text()
    assert f"<b>sms_subscribers.csv</b>: {SAID}" in notes
    assert "customers_export.csv</b>: 1 record" not in notes
    assert ws.counts()["customers"] == 17
