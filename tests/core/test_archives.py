"""A Mailchimp audience export arrives as a zip: its CSVs are imported, nothing else."""

from __future__ import annotations

import json
import zipfile

import pytest

from omnidesk.core.errors import UserError
from omnidesk.core.importing.archives import expand_archives
from omnidesk.core.importing.pipeline import import_file

SUB = '"Email Address","First Name","Last Name","MEMBER_RATING","OPTIN_TIME","CONFIRM_TIME","LEID","EUID"\r\n' \
      '"ann@example.com","Ann","Lee","2","2025-01-02 10:00:00","2025-01-02 10:01:00","11","aa1"\r\n'
UNSUB = SUB.replace('"EUID"', '"EUID","UNSUB_TIME"').replace('"aa1"', '"aa1","2026-03-04 09:00:00"') \
    .replace("ann@", "bob@").replace('"Ann"', '"Bob"')


def test_zip_of_csvs_expands_and_imports(new_workspace, tmp_path):
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
    with new_workspace(tmp_path / "w.omnidesk") as ws:
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


def _bomb(path, size: int, name: str = "subscribed_members_export_1a.csv"):
    """A Mailchimp-named member whose one data line is ``size`` bytes of the same letter."""
    header = SUB.splitlines()[0] + "\r\n"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open(name, "w", force_zip64=True) as member:
            member.write(header.encode())
            chunk = b"a" * (1 << 20)
            for _ in range(size >> 20):
                member.write(chunk)
    return path


@pytest.fixture
def small_caps(monkeypatch):
    """Caps scaled down 64 times, so a bomb of tens of MB stands for one of gigabytes."""
    from omnidesk.core.importing import archives

    monkeypatch.setattr(archives, "MAX_TOTAL_BYTES", 16 << 20)
    monkeypatch.setattr(archives, "RATIO_FLOOR_BYTES", 1 << 20)
    return archives


def test_a_zip_bomb_is_refused_at_once_from_its_directory(tmp_path, small_caps, monkeypatch):
    import zipfile

    archive = _bomb(tmp_path / "audience_export.zip", 64 << 20)
    assert archive.stat().st_size < 200_000  # 64 MB packed into a few dozen KB
    opened = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, *a, **kw: opened.append(a) or real_open(self, *a, **kw))
    with pytest.raises(UserError, match="unpacks to more than an export would"):
        small_caps.expand_archives([archive], tmp_path / "unpacked")
    assert opened == []  # refused from the sizes its directory states: not one byte unpacked
    assert not any((tmp_path / "unpacked").rglob("*.csv"))


def test_a_highly_compressed_member_under_the_total_cap_is_refused_by_its_ratio(tmp_path, small_caps):
    archive = _bomb(tmp_path / "audience_export.zip", 8 << 20)  # under 16 MB, but 1000:1
    with pytest.raises(UserError, match="more than 100 times its packed size"):
        small_caps.expand_archives([archive], tmp_path / "unpacked")


def test_a_directory_that_lies_is_caught_while_unpacking(tmp_path, small_caps, monkeypatch):
    archive = _bomb(tmp_path / "audience_export.zip", 32 << 20)
    monkeypatch.setattr(small_caps, "_check_declared", lambda path, members: None)  # sizes not trusted
    unpacked = small_caps.Unpacked()
    try:
        with pytest.raises(UserError, match="unpacks to more than an export would"):
            unpacked.expand([archive])
        folder = unpacked._workdir
        assert folder is not None and not any(folder.rglob("*.csv"))  # the partial member went too
    finally:
        unpacked.close()
    assert not folder.exists()


def test_the_real_caps_leave_room_for_a_big_real_export(tmp_path):
    from omnidesk.core.importing import archives

    # A million-row Shopify customers export is about 300 MB; CSV packs 5 to 20 times.
    assert archives.MAX_TOTAL_BYTES >= 1 << 30 and archives.MAX_RATIO >= 50
    archive = tmp_path / "audience_export.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("subscribed_members_export_1a.csv", SUB * 2000)
    assert [f.name for f in expand_archives([archive], tmp_path / "u")] == ["subscribed_members_export_1a.csv"]


def test_zip_members_are_unpacked_in_a_private_folder(tmp_path, monkeypatch):
    import os
    import stat
    import tempfile

    from omnidesk.core import tempfiles
    from omnidesk.core.importing.archives import Unpacked

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(tempfiles, "_folder", None)
    archive = tmp_path / "audience_export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("subscribed_members_export_1a.csv", SUB)
    with Unpacked() as unpacked:
        (member,) = unpacked.expand([archive])
        private = tempfiles.private_dir()
        assert private in member.parents and private.parent == tmp_path
        assert stat.S_IMODE(os.stat(private).st_mode) == 0o700
    assert not member.exists()


# Mailchimp's audience export: four member files, the nonsubscribed one usually its header alone.
MAILCHIMP_HEADER = '"Email Address","First Name","Last Name","MEMBER_RATING","OPTIN_TIME","CONFIRM_TIME","LEID","EUID"\r\n'
CLEANED = SUB.replace('"EUID"', '"EUID","CLEAN_TIME"').replace('"aa1"', '"aa1","2026-03-05 09:00:00"') \
    .replace("ann@", "cy@").replace('"Ann"', '"Cy"')


def mailchimp_zip(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("subscribed_email_audience_export_6a.csv", SUB)
        z.writestr("nonsubscribed_email_audience_export_6a.csv", MAILCHIMP_HEADER)
        z.writestr("unsubscribed_email_audience_export_6a.csv", UNSUB)
        z.writestr("cleaned_email_audience_export_6a.csv", CLEANED)
    return path


def own_temp_folder(tmp_path, monkeypatch):
    """Unpack into a temp folder of the test's own, out of reach of whatever cleans the shared one."""
    import tempfile

    from omnidesk.core import tempfiles

    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    monkeypatch.setattr(tempfiles, "_folder", None)


def test_a_member_with_a_header_and_no_rows_is_nothing_to_import_not_an_error(tmp_path, capsys, monkeypatch):
    from tests.helpers import run_cli

    own_temp_folder(tmp_path, monkeypatch)
    archive = mailchimp_zip(tmp_path / "mailchimp_export_6a.zip")
    status, out, err = run_cli(capsys, "import", archive, "-w", tmp_path / "w.omnidesk")
    assert status == 0, err
    assert "error" not in err
    lines = out.splitlines()
    assert ("nonsubscribed_email_audience_export_6a.csv (in mailchimp_export_6a.zip): "
            "no contacts in it — nothing to import") in lines
    assert sum("imported 1," in line for line in lines) == 3  # the other three members, one person each
    status, out, err = run_cli(capsys, "import", archive, "--json", "-w", tmp_path / "w2.omnidesk")
    assert status == 0
    (empty,) = [item for item in map(json.loads, out.splitlines()) if item["file"].startswith("non")]
    assert empty == {"file": "nonsubscribed_email_audience_export_6a.csv", "archive": "mailchimp_export_6a.zip",
                     "nothing_to_import": True, "note": "no contacts in it — nothing to import"}


@pytest.mark.parametrize("name, note", [
    ("readme.txt", "This export was made by MyTool.\nSee the docs for what each column means.\n"),
    ("notes.txt", "Exported on request, as agreed on the phone.\nThe list holds everyone who opted in, "
                  "and some who did not.\nAsk Sam before you send anything.\n"),
    ("LICENSE.txt", "Copyright the shop\nAll rights reserved\n"),
])
def test_a_readme_of_several_lines_in_a_zip_is_named_and_skipped_not_imported(tmp_path, capsys, monkeypatch,
                                                                           name, note):
    """An export's readme, however many lines it has, is a note: named and skipped, with why, and the
    rest of the archive imports with exit status 0."""
    from tests.helpers import run_cli

    own_temp_folder(tmp_path, monkeypatch)
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("old.csv", SUB)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("subscribed_members_export_1a.csv", SUB)
        z.writestr(name, note)
        z.write(inner, "older.zip")
    status, out, err = run_cli(capsys, "import", archive, "-w", tmp_path / "w.omnidesk")
    assert status == 0, err
    assert "error" not in err
    assert f"export.zip: skipped {name}: a text file of prose (a note or readme, not a table)." in err
    assert "export.zip: skipped older.zip: an archive inside the archive" in err
    assert "subscribed_members_export_1a.csv" in out and "imported 1," in out


def test_a_one_column_text_list_in_a_zip_is_still_imported(tmp_path):
    """A .txt of one column (emails, or names) is a table, not a note."""
    archive = tmp_path / "lists.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("emails.txt", "Email\nann@example.com\nbob@example.com\n")
        z.writestr("names.txt", "Name\nAnn Lee\nBob Stone\nCat Mary Jones\n")
        z.writestr("people.txt", "Name\tNote\nAnn Lee\tMet her at the fair. She wants the catalogue.\n")
    skipped: list[str] = []
    files = expand_archives([archive], tmp_path / "unpacked", skipped)
    assert sorted(f.name for f in files) == ["emails.txt", "names.txt", "people.txt"]
    assert skipped == []
