"""A Mailchimp audience export arrives as a zip: its CSVs are imported, nothing else."""

from __future__ import annotations

import zipfile

import pytest

from omnidesk.core.errors import UserError
from omnidesk.core.importing.archives import expand_archives
from omnidesk.core.importing.pipeline import import_file
from omnidesk.core.workspace import Workspace

SUB = '"Email Address","First Name","Last Name","MEMBER_RATING","OPTIN_TIME","CONFIRM_TIME","LEID","EUID"\r\n' \
      '"ann@example.com","Ann","Lee","2","2025-01-02 10:00:00","2025-01-02 10:01:00","11","aa1"\r\n'
UNSUB = SUB.replace('"EUID"', '"EUID","UNSUB_TIME"').replace('"aa1"', '"aa1","2026-03-04 09:00:00"') \
    .replace("ann@", "bob@").replace('"Ann"', '"Bob"')


def test_zip_of_csvs_expands_and_imports(tmp_path):
    archive = tmp_path / "audience_export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("subscribed_members_export_1a.csv", SUB)
        z.writestr("unsubscribed_members_export_1a.csv", UNSUB)
        z.writestr("__MACOSX/._subscribed_members_export_1a.csv", "junk")
        z.writestr("../../evil.csv", SUB)  # a path that tries to escape
    files = expand_archives([archive], tmp_path / "unpacked")
    names = sorted(f.name for f in files)
    assert names == ["evil.csv", "subscribed_members_export_1a.csv", "unsubscribed_members_export_1a.csv"]
    assert all((tmp_path / "unpacked") in f.parents for f in files)
    with Workspace.create(tmp_path / "w.omnidesk") as ws:
        results = [import_file(ws, f) for f in files if f.name != "evil.csv"]
        assert sorted(r.preset for r in results) == ["mailchimp_subscribed", "mailchimp_unsubscribed"]
        with ws.engine.connect() as conn:
            statuses = dict(conn.exec_driver_sql(
                "SELECT r.email, c.status FROM consent c JOIN source_record r ON r.id = c.record_id").fetchall())
    assert statuses["bob@example.com"] == "unsubscribed"


def test_plain_files_pass_through_and_empty_zip_is_refused(tmp_path):
    plain = tmp_path / "list.csv"
    plain.write_text("Email\nann@example.com\n")
    assert expand_archives([plain], tmp_path / "x") == [plain]
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("readme.pdf", "%PDF")
    with pytest.raises(UserError, match="no CSV file"):
        expand_archives([empty], tmp_path / "x")
