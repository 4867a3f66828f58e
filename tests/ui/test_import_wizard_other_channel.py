"""A file imported before, given again in the wizard as another channel's: no copy, it imports."""

from __future__ import annotations

import shutil

from omnidesk.core.importing.pipeline import ImportOptions, import_file
from omnidesk.ui.dialogs.import_wizard import CHECK_PAGE, DONE_PAGE, ImportWizard
from omnidesk.ui.tasks import TaskRunner
from tests.helpers import write_csv


def test_the_shops_list_given_as_the_newsletters_imports_and_as_the_shops_adds_nothing(qtbot, ws, tmp_path):
    shop = write_csv(tmp_path / "shop_list.csv", ["First Name", "Last Name", "Email"],
                     [["Ann", "Lee", "ann@example.com"], ["Bob", "Ray", "bob@example.com"]])
    first = import_file(ws, shop, ImportOptions(channel="shop"))
    newsletter = tmp_path / "newsletter.csv"
    shutil.copyfile(shop, newsletter)
    wizard = ImportWizard(ws, [newsletter], TaskRunner(inline=True))
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    page = wizard.mapping_page
    page.channel_combo.setCurrentIndex(page.channel_combo.findData("email"))
    assert wizard.plans[0].channel == "email"
    assert "already imported" not in page.warnings.text()

    # As the shop's again, it is the file import 1 read: it would add nothing.
    page.channel_combo.setCurrentIndex(page.channel_combo.findData("shop"))
    assert f"already imported (import #{first.batch_id})" in page.warnings.text()
    wizard.next()
    assert wizard.currentId() == CHECK_PAGE
    assert (wizard.check_page.table.value(0, "imported"), wizard.check_page.table.value(0, "duplicates")) == ("0", "2")

    wizard.back()
    page.channel_combo.setCurrentIndex(page.channel_combo.findData("email"))
    assert "already imported" not in page.warnings.text()
    wizard.next()
    assert (wizard.check_page.table.value(0, "imported"), wizard.check_page.table.value(0, "duplicates")) == ("2", "0")
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == DONE_PAGE, timeout=5000)
    assert wizard.results[0].imported == 2 and wizard.results[0].already_imported is None
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql(
            "SELECT r.channel, r.email, r.customer_id = (SELECT customer_id FROM source_record s "
            "WHERE s.batch_id = ? AND s.email = r.email) FROM source_record r WHERE r.batch_id = ? ORDER BY r.id",
            (first.batch_id, wizard.results[0].batch_id)).all() == [
            ("email", "ann@example.com", 1), ("email", "bob@example.com", 1)]
    assert ws.counts()["customers"] == 2
