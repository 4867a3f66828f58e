"""ImportWizard: pick files, check how their columns are read, try them, import them.

The wizard only drives the core import pipeline (``analyze``, ``with_changes``,
``import_files``, ``remember_mapping``, ``write_error_report``); every read of
a whole file and every import runs as a :class:`~omnidesk.ui.tasks.Task` on
the runner, so the window stays responsive with large files.

One module per page (``files_page``, ``mapping_page``, ``check_page``,
``import_page``, ``done_page``), the wizard itself in ``wizard``, what they
share in ``common`` and ``widgets``.  Every public name is importable from here.
"""

from omnidesk.ui.dialogs.import_wizard.check_page import CheckPage
from omnidesk.ui.dialogs.import_wizard.common import (
    CHECK_PAGE,
    COUNT_COLUMNS,
    DELIMITER_NAMES,
    DONE_PAGE,
    ERROR_COLOR,
    EXAMPLES_PER_COLUMN,
    FILES_PAGE,
    IDENTITY_FIELDS,
    IMPORT_FILTER,
    IMPORT_PAGE,
    KIND_LABELS,
    KIND_TIPS,
    MAPPING_PAGE,
    NOTICE_COLOR,
    PREVIEW_TABLE_ROWS,
    REPORT_FILTER,
    SURE_ENOUGH,
    FileEntry,
)
from omnidesk.ui.dialogs.import_wizard.done_page import DonePage
from omnidesk.ui.dialogs.import_wizard.files_page import FileList, FileRow, FilesPage
from omnidesk.ui.dialogs.import_wizard.import_page import ImportPage
from omnidesk.ui.dialogs.import_wizard.mapping_page import MappingPage
from omnidesk.ui.dialogs.import_wizard.widgets import CountsTable, ElidedLabel, NoWheelComboBox, PreviewModel
from omnidesk.ui.dialogs.import_wizard.wizard import ImportWizard

__all__ = [
    "CHECK_PAGE",
    "COUNT_COLUMNS",
    "DELIMITER_NAMES",
    "DONE_PAGE",
    "ERROR_COLOR",
    "EXAMPLES_PER_COLUMN",
    "FILES_PAGE",
    "IDENTITY_FIELDS",
    "IMPORT_FILTER",
    "IMPORT_PAGE",
    "KIND_LABELS",
    "KIND_TIPS",
    "MAPPING_PAGE",
    "NOTICE_COLOR",
    "PREVIEW_TABLE_ROWS",
    "REPORT_FILTER",
    "SURE_ENOUGH",
    "CheckPage",
    "CountsTable",
    "DonePage",
    "ElidedLabel",
    "FileEntry",
    "FileList",
    "FileRow",
    "FilesPage",
    "ImportPage",
    "ImportWizard",
    "MappingPage",
    "NoWheelComboBox",
    "PreviewModel",
]
