"""The mapping page says which country a file's phone numbers are from, and why, and lets the owner change it."""

from __future__ import annotations

from pathlib import Path

import pytest

from omnidesk.core.importing.fields import IGNORE
from omnidesk.core.workspace import Workspace
from omnidesk.ui.dialogs.import_wizard import CHECK_PAGE, DONE_PAGE, MAPPING_PAGE, ImportWizard
from omnidesk.ui.tasks import TaskRunner
from tests.core.test_phone_region import GOOGLE_CONTACTS, INDIAN_MOBILES, LOCAL_INDIAN, google
from tests.helpers import write_csv


@pytest.fixture
def wizard_on(qtbot, ws):
    def make(path: Path) -> ImportWizard:
        wizard = ImportWizard(ws, [path], TaskRunner(inline=True))
        qtbot.addWidget(wizard)
        wizard.show()
        wizard.next()
        assert wizard.currentId() == MAPPING_PAGE
        return wizard

    return make


def india_contacts(tmp_path: Path) -> Path:
    rows = [google(f"P{i}", p) for i, p in enumerate(INDIAN_MOBILES)]
    rows += [google(f"L{i}", p) for i, p in enumerate(LOCAL_INDIAN)]
    return write_csv(tmp_path / "contacts.csv", GOOGLE_CONTACTS, rows)


def phone_of(ws: Workspace, first_name: str) -> str | None:
    with ws.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT phone FROM source_record WHERE first_name = ?", (first_name,)).scalar()


def test_the_mapping_page_shows_the_files_region_and_a_changed_one_replans(wizard_on, ws, qtbot, tmp_path):
    wizard = wizard_on(india_contacts(tmp_path))
    page = wizard.mapping_page
    assert page.region_row.isVisible()
    assert page.region_combo.currentIndex() == 0
    assert page.region_combo.currentText() == "As the file shows: India (IN)"
    assert page.region_reason.text() == "India: 9 numbers in this file start +91"
    assert "phone region" not in page.warnings.text()  # said once, on its own line

    # The owner knows better: these people are in the US.
    page.region_combo.setCurrentIndex(page.region_combo.findData("US"))
    plan = wizard.plans[0]
    assert plan.phone_region.code == "US" and plan.phone_region.source == "chosen"
    assert page.region_reason.text() == "United States: chosen by you"
    wizard.next()
    assert wizard.currentId() == CHECK_PAGE
    assert wizard.check_page.table.value(0, "flagged") == "1"  # 98201 65432 is no US number
    assert "not a valid phone number for region US" in wizard.check_page.notes.text()

    # Back to what the file shows: nothing flagged, and the import reads them as Indian.
    wizard.back()
    page.region_combo.setCurrentIndex(0)
    assert wizard.plans[0].phone_region.code == "IN"
    assert page.region_reason.text() == "India: 9 numbers in this file start +91"
    wizard.next()
    assert wizard.check_page.table.value(0, "flagged") == "0"
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == DONE_PAGE, timeout=5000)
    assert phone_of(ws, "L0") == "+919845012345"


def test_a_mixed_file_says_so_and_the_row_goes_when_no_column_holds_phones(wizard_on, tmp_path):
    uk = ["+44 7700 900123", "+44 7700 900456", "+44 20 7946 0958", "+44 7700 900789", "+44 161 496 0123"]
    rows = [google(f"I{i}", p) for i, p in enumerate(INDIAN_MOBILES[:5])]
    rows += [google(f"U{i}", p) for i, p in enumerate(uk)] + [google("Local", "98450 12345")]
    wizard = wizard_on(write_csv(tmp_path / "mixed.csv", GOOGLE_CONTACTS, rows))
    page = wizard.mapping_page
    assert page.region_combo.currentText() == "As the file shows: mixed"
    assert "This file mixes +91 (5), +44 (5); numbers without a country code are flagged" in page.region_reason.text()
    # The why goes under the choice, the page's width: beside it, it was squeezed to seven lines.
    combo = page.region_combo
    assert page.region_reason.geometry().top() >= combo.geometry().bottom()
    assert page.region_reason.width() >= page.region_row.width() - 2
    wizard.next()
    assert wizard.check_page.table.value(0, "flagged") == "1"
    assert "no country code and this file mixes countries: +91 and +44" in wizard.check_page.notes.text()
    wizard.back()

    for combo in page.combos:  # Phone 1, 2 and 3 - Value
        if combo.currentData() == "phone":
            combo.setCurrentIndex(combo.findData(IGNORE))
    assert not page.region_row.isVisible()
    assert wizard.plans[0].phone_region.code == "US"  # nothing left to go by


def test_tab_reads_the_column_page_top_to_bottom(wizard_on, tmp_path, qtbot):
    """The column boxes came first, then the wizard's buttons, then the boxes above them."""
    from tests.helpers import tab_walk

    wizard = wizard_on(india_contacts(tmp_path))
    page = wizard.mapping_page
    order = [next((w for w in (page.channel_combo, page.region_combo, *page.combos)
                   if focus is w or w.isAncestorOf(focus)), focus)
             for focus in tab_walk(qtbot, page.kind_combo, 3 + len(page.combos))]
    assert order[:2] == [page.channel_combo, page.region_combo]
    assert order[2:2 + len(page.combos)] == page.combos
