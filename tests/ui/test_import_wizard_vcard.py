"""A phone's contacts (.vcf) picked in the import wizard: read as contact cards, imported as the phone's."""

from __future__ import annotations

from sqlalchemy import select

from omnidesk.core.models import ImportBatch, SourceRecord
from omnidesk.ui.dialogs.import_wizard import (
    CHECK_PAGE,
    DONE_PAGE,
    FILES_PAGE,
    MAPPING_PAGE,
    ImportWizard,
)
from omnidesk.ui.dialogs.import_wizard.common import IMPORT_FILTER
from omnidesk.ui.tasks import TaskRunner
from tests.core.test_cli_vcard import IPHONE


def test_an_iphone_export_goes_through_the_wizard_as_phone_contacts(qtbot, ws, tmp_path):
    assert "*.vcf" in IMPORT_FILTER  # the file dialog offers it
    contacts = tmp_path / "iCloud vCard.vcf"
    contacts.write_bytes(IPHONE)
    wizard = ImportWizard(ws, [contacts], TaskRunner(inline=True))
    qtbot.addWidget(wizard)
    wizard.show()
    files = wizard.files_page
    assert wizard.currentId() == FILES_PAGE and files.isComplete()
    row_text = files.rows[contacts][1].status_text
    assert "Cannot import" not in row_text
    assert "vCard contacts (.vcf) · UTF-8 · 2 contacts" in row_text
    assert "Contacts from Phone contacts" in row_text

    wizard.next()
    assert wizard.currentId() == MAPPING_PAGE
    page = wizard.mapping_page
    assert page.channel_combo.currentData() == "contacts"
    plan = wizard.plans[0]
    assert plan.preset is not None and plan.preset.key == "vcard"
    header = list(plan.header)
    assert plan.mapping[header.index("E-mail 1 - Value")] == "email"
    assert plan.mapping[header.index("Phone 1 - Value")] == "phone"
    assert not any(field.startswith("consent") for field in plan.mapping)

    wizard.next()
    assert wizard.currentId() == CHECK_PAGE
    assert wizard.check_page.table.value(0, "imported") == "2"
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == DONE_PAGE, timeout=5000)
    assert wizard.results[0].imported == 2
    with ws.engine.connect() as conn:
        batch = conn.execute(select(ImportBatch.file_name, ImportBatch.channel, ImportBatch.preset)).one()
        records = conn.execute(select(SourceRecord.record_no, SourceRecord.line_no)
                               .order_by(SourceRecord.record_no)).all()
    assert tuple(batch) == ("iCloud vCard.vcf", "contacts", "vcard")
    assert [tuple(r) for r in records] == [(1, 1), (2, 21)]  # each card by its number and first line
    assert ws.counts()["consents"] == 0
